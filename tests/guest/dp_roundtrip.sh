#!/bin/bash
# Round trips between host B and host A's export: files of 0, 1, 4095, 4096,
# 1 MiB+1 and 3 MiB random bytes fetched with p2pctl get (to a file, to
# stdout, resumed with -c against the content hashes) and uploaded with
# p2pctl put, compared by SHA-256.
. "$(dirname "$0")/fixture.sh"
dp_setup

sizes="0 1 4095 4096 1048577 3145728"
docs=$DP_SRV/docs
mkdir -p "$docs/up" "$DP_DL/local" "$DP_DL/into"
for n in $sizes; do
	dp_rand "$docs/f$n" "$n"
	dp_rand "$DP_DL/local/l$n" "$n"
done
echo hello >"$docs/my file.txt"
touch -d '2001-02-03 04:05:06' "$docs/f4096"
# alice is mapped to nobody: her uploads need a directory nobody may write.
chown 65534:65534 "$docs/up"

dp_user alice
dp_serve "export docs, alice rw" "$docs" --user alice:rw
cd "$DP_DL" || exit 1

# Two files have the same SHA-256 (one sha256sum for both).
# shellcheck disable=SC2317 # run by check
same() {
	local a b
	a=$(sha256sum <"$1") && b=$(sha256sum <"$2") && [ "$a" = "$b" ]
}
# shellcheck disable=SC2317 # run by check
get_same() { pget alice "docs/$1" -o "$2" && same "$2" "$docs/$1"; }

for n in $sizes; do
	check "get $n bytes: same SHA-256" get_same "f$n" "got$n"
done
# shellcheck disable=SC2317 # run by check
get_here() { (cd into && pget alice docs/f4095) && same into/f4095 "$docs/f4095"; }
# shellcheck disable=SC2317 # run by check
get_into() { pget alice docs/f1 -o into && same into/f1 "$docs/f1"; }
check "get without -o writes the remote name in the current directory" get_here
check "get -o DIR writes into DIR under the remote name" get_into
check_out "get keeps the remote mtime" "$(stat -c %Y "$docs/f4096")" stat -c %Y got4096
check "get a percent-encoded name (my%20file.txt)" get_same "my file.txt" spaced

pget alice docs/f1048577 -o - >stdout.bin 2>"$TEST_TMP/err"
check "get -o - writes 1 MiB+1 to stdout" same stdout.bin "$docs/f1048577"
# shellcheck disable=SC2317 # run by check_out
stdout_len() { pget alice "docs/$1" -o - | wc -c; }
check_out "get -o - of an empty file writes nothing" "0" stdout_len f0

# -c: the copy is checked block by block against the server's content
# hashes (1 MiB blocks); only the bytes from its last whole good block on
# travel (the zero-copy counter counts file bytes).
head -c 1100000 "$docs/f3145728" >resume.bin
before=$(dp_counter bytes_sent_zerocopy)
check "get -c resumes a truncated copy" pget alice docs/f3145728 -c -o resume.bin
check "get -c: same SHA-256" same resume.bin "$docs/f3145728"
check_eq "get -c asked for the bytes past the copy's whole good blocks" \
	"$(($(dp_counter bytes_sent_zerocopy) - before))" "$((3145728 - 1048576))"
# A copy with a bad byte in a whole block is fetched again from that block.
head -c 1100000 "$docs/f3145728" >bad.bin
printf 'X' | dd of=bad.bin bs=1 seek=99990 conv=notrunc status=none
pget alice docs/f3145728 -c -o bad.bin 2>"$TEST_TMP/err"
check "get -c of a copy with a bad block ends with the right file" \
	same bad.bin "$docs/f3145728"
check "get -c warns where the copy differed" \
	grep -q 'differs from the server.s file in block 0' "$TEST_TMP/err"
head -c 300 "$docs/f3145728" >small.bin
printf 'X' | dd of=small.bin bs=1 seek=0 conv=notrunc status=none
check "get -c of a bad partial block fetches it again" \
	pget alice docs/f3145728 -c -o small.bin
check "get -c of a bad partial block: same SHA-256" same small.bin "$docs/f3145728"
# shellcheck disable=SC2317 # run by check
resume() { pget alice "docs/$1" -c -o "$2" && same "$2" "$docs/$1"; }
check "get -c of a complete copy changes nothing" resume f3145728 resume.bin
check "get -c without a local copy fetches it all" resume f4096 fresh.bin
head -c 5000 /dev/zero >toolong.bin
check_fail "get -c of a copy larger than the remote file" "more than the 4096 bytes" \
	pget alice docs/f4096 -c -o toolong.bin
check_fail "get of a missing file" "no such file or directory (ENOENT)" \
	pget alice docs/nope -o nope.bin
check "a failed get leaves no file behind" \
	sh -c '! ls -A | grep -q -e "^nope.bin$" -e "\.p2p-"'

# shellcheck disable=SC2317 # run by check
put_same() { pput "local/$1" alice "docs/up/$2" && same "$docs/up/$2" "local/$1"; }
for n in $sizes; do
	check "put $n bytes: same SHA-256 on host A" put_same "l$n" "p$n"
done
check "put to DIR/ keeps the local name" pput local/l1 alice docs/up/
check "put to DIR/: same SHA-256" same "$docs/up/l1" local/l1
check "put replaces an existing file" pput local/l4096 alice docs/up/p1
check "put replaced it: same SHA-256" same "$docs/up/p1" local/l4096
chmod 0640 local/l4095
check "put with mode 0640" pput local/l4095 alice docs/up/mode640
check_out "the uploaded file has mode 0640" "640" stat -c %a "$docs/up/mode640"
check "no temporary upload file is left" sh -c "! ls -A $docs/up | grep -q '^\.p2p-'"
check_out "files_put counts the uploads" "9" dp_counter files_put
dp_done
