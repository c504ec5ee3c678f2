#!/bin/bash
# The zero-copy read path over the encrypted transport (protocol v2): after
# a get of N bytes the namespace's counter bytes_sent_zerocopy (file bytes
# spliced from the page cache to the socket) grew by exactly N, for files
# on tmpfs and on ext4 (page cache of a block device), for whole files,
# byte ranges and a large file; and the kernel's TLS statistics of host A's
# namespace (/proc/net/tls_stat) show that each get went through one
# socket with kTLS in software (TlsTxSw, TlsRxSw; TlsCurrTxSw while it is
# open), none through a device: the pages are spliced into the kTLS socket,
# which encrypts them on the way out.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
mkdir -p "$docs/ext4"
dp_rand "$docs/f0" 0
dp_rand "$docs/f1" 1
dp_rand "$docs/f1048577" 1048577
dp_rand "$docs/f12293" 12293
dp_rand "$docs/f33554432" 33554432
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
dp_serve "export ext4 to alice" "$docs/ext4" --user alice

# A counter of host A's kernel TLS: /proc/net/tls_stat is per namespace,
# and there once the module tls is loaded (the first connection loads it).
tls_stat() {
	# shellcheck disable=SC2016 # awk's own fields and variables
	na awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' /proc/net/tls_stat 2>/dev/null ||
		echo 0
}

# zc DESC EXPORT/PATH LOCAL N: a get of N bytes adds exactly N to the
# counter, over one connection whose TX and RX are kTLS in software;
# LOCAL is the file on host A's disk.
zc() {
	local desc=$1 path=$2 local=$3 n=$4 before after sent tx rx dev
	before=$(dp_counter bytes_sent_zerocopy)
	sent=$(dp_counter bytes_sent)
	tx=$(tls_stat TlsTxSw)
	rx=$(tls_stat TlsRxSw)
	dev=$(tls_stat TlsTxDevice)
	if ! pget alice "$path" -o "$TEST_TMP/got" 2>"$TEST_TMP/stderr"; then
		not_ok "$desc"
		sed 's/^/#   /' "$TEST_TMP/stderr"
		return
	fi
	after=$(dp_counter bytes_sent_zerocopy)
	check_eq "$desc: bytes_sent_zerocopy grew by $n" "$((after - before))" "$n"
	check "$desc: bytes_sent grew by more (headers)" test $(($(dp_counter bytes_sent) - sent)) -gt "$n"
	check_eq "$desc: the data arrived" "$(sha "$TEST_TMP/got")" "$(sha "$local")"
	check_eq "$desc: TlsTxSw grew by 1 (the server's socket)" \
		"$(($(tls_stat TlsTxSw) - tx))" 1
	check_eq "$desc: TlsRxSw grew by 1" "$(($(tls_stat TlsRxSw) - rx))" 1
	check_eq "$desc: TlsTxDevice did not grow (no offload here)" \
		"$(tls_stat TlsTxDevice)" "$dev"
}
zc "tmpfs, 1 MiB+1" docs/f1048577 "$docs/f1048577" 1048577
check "kernel TLS statistics in host A's namespace" na test -r /proc/net/tls_stat
zc "tmpfs, 3 pages+5" docs/f12293 "$docs/f12293" 12293
zc "tmpfs, 1 byte" docs/f1 "$docs/f1" 1
zc "tmpfs, empty" docs/f0 "$docs/f0" 0
zc "tmpfs, 32 MiB" docs/f33554432 "$docs/f33554432" 33554432
if [ "$ext4" = 1 ]; then
	zc "ext4, 3 MiB" ext4/f3145728 "$docs/ext4/f3145728" 3145728
else
	skip "ext4, 3 MiB" "no ext4 on a loop device"
fi
before=$(dp_counter bytes_sent_zerocopy)
# shellcheck disable=SC2317 # run by check_out
range5000() { dpt read alice docs f1048577 4095 5000 | cut -d' ' -f1,2; }
check_out "a range of 5000 bytes at offset 4095" "ok 5000" range5000
check_eq "a range: bytes_sent_zerocopy grew by 5000" \
	"$(($(dp_counter bytes_sent_zerocopy) - before))" 5000

# While a get is running its socket is one of TlsCurrTxSw and TlsCurrRxSw.
before=$(dp_counter bytes_sent_zerocopy)
dpt_bg "$TEST_TMP/slow" slowget alice docs f33554432
slow=$!
check "a slow get of 32 MiB is running" wait_for 30 grep -qx started "$TEST_TMP/slow"
check_eq "during it: TlsCurrTxSw is 1" "$(tls_stat TlsCurrTxSw)" 1
check_eq "during it: TlsCurrRxSw is 1" "$(tls_stat TlsCurrRxSw)" 1
kill -USR1 "$slow"
wait "$slow"
check "the slow get ends with every byte" grep -qx "ok 33554432" "$TEST_TMP/slow"
check_eq "the slow get: bytes_sent_zerocopy grew by 32 MiB" \
	"$(($(dp_counter bytes_sent_zerocopy) - before))" 33554432
# shellcheck disable=SC2317 # run by check/wait_for
tx_idle() { [ "$(tls_stat TlsCurrTxSw)" = 0 ]; }
check "after it: TlsCurrTxSw is back to 0" wait_for 10 tx_idle
if [ "$ext4" = 1 ]; then
	na p2pctl unexport ext4	# it holds the mount
	umount -l "$docs/ext4"
fi
dp_done
