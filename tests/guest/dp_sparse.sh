#!/bin/bash
# Files over 4 GiB: a sparse 5 GiB file with random markers at 0, 2 GiB-1,
# 4 GiB-1, 4 GiB+4097 and 5 GiB-100. Byte ranges around each marker (and
# across the 4 GiB line, at end of file and past it) are read with READ
# (offset, length) and compared by SHA-256 with the same ranges on host A's
# disk; p2pctl stat and get -c (hashes included) work past 4 GiB too. No
# whole-file transfer.
. "$(dirname "$0")/fixture.sh"
dp_setup

G=$((1 << 30))
size=$((5 * G))
docs=$DP_SRV/docs
big=$docs/sparse
mkdir -p "$docs"
truncate -s "$size" "$big"
marker() { dd if=/dev/urandom of="$big" bs="$2" count=1 seek="$1" oflag=seek_bytes conv=notrunc status=none; }
for off in 0 $((2 * G - 1)) $((4 * G - 1)) $((4 * G + 4097)); do
	marker "$off" 4096
done
marker $((size - 100)) 100
check_out "the file is 5 GiB" "$size" stat -c %s "$big"

dp_user alice
dp_serve "export docs to alice" "$docs" --user alice

# SHA-256 of LEN bytes at OFF of the file on host A's disk.
local_sha() {
	dd if="$big" iflag=skip_bytes,count_bytes skip="$1" count="$2" bs=256k status=none |
		sha256sum | cut -d' ' -f1
}

# offset|length|what (length "eof": to end of file)
ranges="0|8192|marker at 0
$((2 * G - 1 - 3000))|10000|marker at 2 GiB-1
$((4 * G - 1 - 3000))|10000|marker at 4 GiB-1
$((4 * G + 4097 - 3000))|10000|marker at 4 GiB+4097
$((size - 100 - 3000))|3100|marker at 5 GiB-100, up to the end
$((4 * G - 5000))|15000|across the 4 GiB line
$((4 * G))|8192|at exactly 4 GiB
$((4 * G - 1048576))|3145728|3 MiB across 4 GiB-1 (several data frames)
$((size - 1000))|eof|the last 1000 bytes, length to EOF
$((size - 50))|1000|a range that runs past the end"
while IFS='|' read -r off len what; do
	[ "$len" = eof ] && len=0xffffffffffffffff
	echo "read docs sparse $off $len"
done <<<"$ranges" >"$TEST_TMP/batch"
before=$(dp_counter bytes_sent_zerocopy)
dpt batch alice <"$TEST_TMP/batch" >"$TEST_TMP/results" 2>"$TEST_TMP/err"
total=0
exec 3<"$TEST_TMP/results"
while IFS='|' read -r off len what; do
	read -r status got_len got_sha <&3
	[ "$len" = eof ] && len=$((size - off))
	[ $((off + len)) -gt "$size" ] && len=$((size - off))
	total=$((total + len))
	check_eq "range: $what (offset $off, $len bytes)" "$status $got_len $got_sha" \
		"ok $len $(local_sha "$off" "$len")"
done <<<"$ranges"
exec 3<&-
check_eq "the zero-copy counter grew by the bytes of every range" \
	"$(($(dp_counter bytes_sent_zerocopy) - before))" "$total"

check_out "a read at the end of file carries no data" "ok 0 $(sha /dev/null)" \
	dpt read alice docs sparse "$size" 10
check_out "a read past the end of file carries no data" "ok 0 $(sha /dev/null)" \
	dpt read alice docs sparse $((size + G)) 10
check_out "offset 2^63 is refused" "EINVAL" \
	dpt read alice docs sparse 0x8000000000000000 1
# shellcheck disable=SC2317 # run by check
range_cmp() {
	dpt range alice docs sparse $((4 * G + 4000)) 8192 >"$TEST_TMP/range" &&
		[ "$(sha "$TEST_TMP/range")" = "$(local_sha $((4 * G + 4000)) 8192)" ]
}
check "dp_tool range writes the bytes at 4 GiB+4000 to stdout" range_cmp
# shellcheck disable=SC2317 # run by check
stat_size() { pstat alice docs/sparse -j | grep -q "\"size\":${size}[,}]"; }
check "p2pctl stat reports 5 GiB" stat_size

# get -c of the last 4 KiB onto a sparse local copy of the first 5 GiB - 4 KiB
# (get -c checks the local copy block by block against the server's hashes,
# so it must hold the same markers).
cp --sparse=always "$big" "$DP_DL/sparse"
truncate -s $((size - 4096)) "$DP_DL/sparse"
check "get -c resumes past 4 GiB" pget alice docs/sparse -c -o "$DP_DL/sparse"
check_out "get -c made the local copy 5 GiB" "$size" stat -c %s "$DP_DL/sparse"
# shellcheck disable=SC2317 # run by check
tail_same() {
	[ "$(dd if="$DP_DL/sparse" iflag=skip_bytes skip=$((size - 4096)) status=none | sha256sum)" = \
	  "$(dd if="$big" iflag=skip_bytes skip=$((size - 4096)) status=none | sha256sum)" ]
}
check "get -c fetched the right last 4 KiB" tail_same
dp_done
