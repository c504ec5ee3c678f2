#!/bin/bash
# The zero-copy read path: after a get of N bytes the namespace's counter
# bytes_sent_zerocopy (file bytes spliced from the page cache to the
# socket) grew by exactly N, for files on tmpfs and on ext4 (page cache of
# a block device), for whole files and byte ranges.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dp_lib.sh"
tap_plan
dp_setup
umask 022

docs=$DP_SRV/docs
mkdir -p "$docs/ext4"
dp_rand "$docs/f0" 0
dp_rand "$docs/f1" 1
dp_rand "$docs/f1048577" 1048577
dp_rand "$docs/f12293" 12293
ext4=0
# No udev here: /dev/loop-control appears once the module is loaded.
modprobe loop 2>/dev/null
if truncate -s 32M "$TEST_TMP/ext4.img" && mkfs.ext4 -q -F "$TEST_TMP/ext4.img" &&
	mount -o loop "$TEST_TMP/ext4.img" "$docs/ext4"; then
	ext4=1
	dp_rand "$docs/ext4/f3145728" 3145728
	sync
	echo 1 >/proc/sys/vm/drop_caches	# the server reads it from the disk
fi
dp_user alice
check "export docs to alice" na p2pctl export "$docs" --user alice
check "export ext4 to alice" na p2pctl export "$docs/ext4" --user alice
dp_listening
dp_pin

# zc DESC EXPORT/PATH LOCAL N: a get of N bytes adds exactly N to the
# counter; LOCAL is the file on host A's disk.
zc() {
	local desc=$1 path=$2 local=$3 n=$4 before after sent
	before=$(dp_counter bytes_sent_zerocopy)
	sent=$(dp_counter bytes_sent)
	if ! pget alice "$path" -o "$TEST_TMP/got" 2>"$TEST_TMP/stderr"; then
		not_ok "$desc"
		sed 's/^/#   /' "$TEST_TMP/stderr"
		return
	fi
	after=$(dp_counter bytes_sent_zerocopy)
	check_eq "$desc: bytes_sent_zerocopy grew by $n" "$((after - before))" "$n"
	check "$desc: bytes_sent grew by more (headers)" test $(($(dp_counter bytes_sent) - sent)) -gt "$n"
	check_eq "$desc: the data arrived" "$(sha "$TEST_TMP/got")" "$(sha "$local")"
}
zc "tmpfs, 1 MiB+1" docs/f1048577 "$docs/f1048577" 1048577
zc "tmpfs, 3 pages+5" docs/f12293 "$docs/f12293" 12293
zc "tmpfs, 1 byte" docs/f1 "$docs/f1" 1
zc "tmpfs, empty" docs/f0 "$docs/f0" 0
if [ "$ext4" = 1 ]; then
	zc "ext4, 3 MiB" ext4/f3145728 "$docs/ext4/f3145728" 3145728
else
	skip "ext4, 3 MiB" "no ext4 on a loop device"
fi
before=$(dp_counter bytes_sent_zerocopy)
range5000() { dpt read alice docs f1048577 4095 5000 | cut -d' ' -f1,2; }
check_out "a range of 5000 bytes at offset 4095" "ok 5000" range5000
check_eq "a range: bytes_sent_zerocopy grew by 5000" \
	"$(($(dp_counter bytes_sent_zerocopy) - before))" 5000
if [ "$ext4" = 1 ]; then
	na p2pctl unexport ext4	# it holds the mount
	umount -l "$docs/ext4"
fi
dp_done
