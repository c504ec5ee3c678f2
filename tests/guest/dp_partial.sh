#!/bin/bash
# Partial files (PROTOCOL.md 7.7): a file marked with the xattr
# user.p2pshare.partial is served only by the blocks its mark holds.  On an
# ext4 loop image (the guest's tmpfs has no user xattrs before Linux 6.6),
# a 3.5 MiB file marked with blocks 0 and 2: get of the whole file is
# ENODATA and leaves no file, READ of block 0 and of block 2 give their
# bytes, block 1, the last block and a range over blocks 0-1 are ENODATA
# on a connection that stays usable, HASH is ENODATA, STAT shows the final
# size.  A mark for another size, a cut one, garbage and an empty value
# cover nothing; a mark with every block serves the whole file.  Once the
# mark is removed the file is complete again and HASH gives the hashes of
# its current content (not the cache's).  An unmarked file is served as
# before.  The userspace twin answers the same.  Marks are set with
# build/tests/helpers/partial_mark.  BLOCKS lists the marked blocks (none
# for a broken mark) and says "complete" for an unmarked file.
. "$(dirname "$0")/fixture.sh"
dp_setup

M=1048576
S=$((3 * M + M / 2))
MARK=$P2P_ROOT/build/tests/helpers/partial_mark
docs=$DP_SRV/docs
mkdir -p "$docs"
[ -x "$MARK" ] || { echo "Bail out! no $MARK (make tests)"; exit 1; }
# No udev here: /dev/loop-control appears once the module is loaded.
modprobe loop 2>/dev/null
{ truncate -s 64M "$TEST_TMP/ext4.img" && mkfs.ext4 -q -F "$TEST_TMP/ext4.img" &&
	mount -o loop "$TEST_TMP/ext4.img" "$docs"; } ||
	{ echo "Bail out! no ext4 on a loop device"; exit 1; }

for f in part plain other cut garbage empty full unmark; do
	dp_rand "$docs/$f" "$S"
done
# A mark for one byte more; one cut after its head (no bitmap); an empty
# value; every block of 0..3.
if ! { "$MARK" "$docs/part" set 0 2 &&
	"$MARK" "$docs/other" set size=$((S + 1)) all &&
	"$MARK" "$docs/cut" set cut=56 all &&
	"$MARK" "$docs/garbage" raw "p2ppart1 but nothing else" &&
	"$MARK" "$docs/empty" raw "" &&
	"$MARK" "$docs/full" set all; }; then
	echo "Bail out! cannot set the marks"
	exit 1
fi

dp_user alice
dp_serve "export the ext4 image to alice" "$docs" --user alice:ro
cd "$DP_DL" || exit 1

# shellcheck disable=SC2317 # run by check
phash() { local p=$1; shift; nb p2pctl hash "$(dp_url alice "docs/$p")" --key-file "$DP_KEYS/alice.key" "$@"; }
# blk FILE OFFSET LEN: "ok LEN SHA256" of those bytes, as dp_tool read prints.
blk() {
	echo "ok $3 $(tail -c +$(($2 + 1)) "$1" | head -c "$3" | sha256sum | cut -d' ' -f1)"
}
# The root of a local file (PROTOCOL.md 7.6), computed here.
want_root() {
	local size blocks i hs=
	size=$(stat -c %s "$1")
	blocks=$(((size + M - 1) / M))
	for ((i = 0; i < blocks; i++)); do
		hs+=$(tail -c +$((i * M + 1)) "$1" | head -c "$M" | sha256sum | cut -c1-64)
	done
	# shellcheck disable=SC2059 # the format is the bytes, as \xHH escapes
	{ printf 'p2pshare/2 root\0'; printf "$(printf '%016x%08x%s' "$size" "$M" "$hs" |
		sed 's/../\\x&/g')"; } | sha256sum | cut -d' ' -f1
}
# shellcheck disable=SC2317 # run by check
root_of() { phash "$1" | sed -n 's/^root: *//p'; }
# shellcheck disable=SC2317 # run by check
got_same() { pget alice "docs/$1" -o "$1" && [ "$(sha "$1")" = "$(sha "$docs/$1")" ]; }

# a. blocks 0 and 2 of 0..3 are here.
check_fail "get of a partial file is ENODATA" "(ENODATA)" pget alice docs/part -o part
# shellcheck disable=SC2317 # run by check
no_file() { ! compgen -G "*$1*" >/dev/null && ! compgen -G ".*$1*" >/dev/null; }
check "the failed get left no file, no temporary file" no_file part
check_out "READ of block 0 of a partial file" "$(blk "$docs/part" 0 $M)" \
	dpt read alice docs part 0 $M
check_out "READ of block 2 of a partial file" "$(blk "$docs/part" $((2 * M)) $M)" \
	dpt read alice docs part $((2 * M)) $M
check_out "READ of a part of block 2" "$(blk "$docs/part" $((2 * M + 5)) 1000)" \
	dpt read alice docs part $((2 * M + 5)) 1000
check_out "READ of block 1 is ENODATA" ENODATA dpt read alice docs part $M $M
check "  with the message \"block not yet here\"" \
	grep -qx 'dp_tool: server: block not yet here (ENODATA)' "$TEST_TMP/err"
check_out "READ over blocks 0 and 1 is ENODATA" ENODATA \
	dpt read alice docs part $((M - 10)) 20
check_out "READ of the last block (not here) is ENODATA" ENODATA \
	dpt read alice docs part $((3 * M)) $M
check_out "READ to the end from block 2 is ENODATA" ENODATA \
	dpt read alice docs part $((2 * M)) 0xffffffffffffffff
check_out "READ of 0 bytes at the end of a partial file" "$(blk /dev/null 0 0)" \
	dpt read alice docs part "$S" 100
check_fail "hash of a partial file is ENODATA" "(ENODATA)" phash part
check "  with the message \"file incomplete here\"" grep -q 'file incomplete here' "$TEST_TMP/err"
# One connection: the refusal comes before READ_REPLY and leaves it usable;
# STAT shows the size of the complete file.
printf '%s\n' "read docs part $M 1" "read docs part 0 $M" "stat docs part" \
	"read docs part $M 1" >"$TEST_TMP/batch"
check_out "a refused READ leaves the connection usable; STAT shows the final size" \
	"$(printf '%s\n' ENODATA "$(blk "$docs/part" 0 $M)" "ok 1 $S 0644" ENODATA)" \
	dpt batch alice <"$TEST_TMP/batch"

# b. Marks that cover nothing, and one that covers everything.
for f in other cut garbage empty; do
	check_out "$f mark: READ of block 0 is ENODATA" ENODATA dpt read alice docs "$f" 0 $M
	check_fail "$f mark: get is ENODATA" "(ENODATA)" pget alice "docs/$f" -o "$f"
	check_fail "$f mark: hash is ENODATA" "(ENODATA)" phash "$f"
done
check "mark with every block: get of the whole file" got_same full
check_out "mark with every block: READ of the last block" \
	"$(blk "$docs/full" $((3 * M)) $((M / 2)))" dpt read alice docs full $((3 * M)) $M
check_fail "mark with every block: hash is still ENODATA" "(ENODATA)" phash full

# BLOCKS (PROTOCOL.md 7.8): which blocks a file has here, from the same
# mark READ trusts; a file without one is complete.
check_out "BLOCKS of a partial file: blocks 0 and 2 of 4" "ok partial 4 0,2" \
	dpt blocks alice docs part
for f in other cut garbage empty; do
	check_out "$f mark: BLOCKS shows none of 4" "ok partial 4 -" dpt blocks alice docs "$f"
done
check_out "mark with every block: BLOCKS shows all 4, still partial" "ok partial 4 0,1,2,3" \
	dpt blocks alice docs full
check_out "unmarked file: BLOCKS says complete" "ok complete 4" dpt blocks alice docs plain
: >"$docs/zero"
check_out "empty file: complete, no block" "ok complete 0" dpt blocks alice docs zero
mkdir -p "$docs/dir"
check_out "BLOCKS of a directory is EISDIR" EISDIR dpt blocks alice docs dir
check_out "BLOCKS of a missing file is ENOENT" ENOENT dpt blocks alice docs nope
check_out "BLOCKS in an export not granted is ENOENT" ENOENT dpt blocks alice nope part
check_out "BLOCKS out of the export is refused" EINVAL dpt blocks alice docs ../x
printf '%s\n' "read docs part $M 1" "blocks docs part" "read docs part 0 1" >"$TEST_TMP/bbatch"
check_out "BLOCKS after a refused READ on one connection" \
	"$(printf '%s\n' ENODATA "ok partial 4 0,2" "$(blk "$docs/part" 0 1)")" \
	dpt batch alice <"$TEST_TMP/bbatch"

# c. The mark removed: complete again.  The content changes under the mark
# (as a download writes it) with the old mtime restored: the hash must be
# of the new content, not one the cache kept from before the mark.
hits() { grep -o 'hits [0-9]*' "$params/hash_cache" | cut -d' ' -f2; }
check_out "unmarked: hash" "$(want_root "$docs/unmark")" root_of unmark
h0=$(hits)
check_out "unmarked: hash again, from the cache" "$(want_root "$docs/unmark")" root_of unmark
check_eq "  a cache hit" "$(hits)" "$((h0 + 1))"
old=$(stat -c %y "$docs/unmark")
"$MARK" "$docs/unmark" set 1
check_fail "marked: hash is ENODATA" "(ENODATA)" phash unmark
dd if=/dev/urandom of="$docs/unmark" bs=$M count=1 conv=notrunc status=none
touch -d "$old" "$docs/unmark"
check "mark removed" "$MARK" "$docs/unmark" remove
check_out "mark removed: hash of the current content" "$(want_root "$docs/unmark")" root_of unmark
check "mark removed: get of the whole file" got_same unmark
"$MARK" "$docs/part" remove
check "partial file whose mark was removed: get" got_same part
check_out "partial file whose mark was removed: hash" "$(want_root "$docs/part")" root_of part
"$MARK" "$docs/part" set 0 2

# d. An unmarked file on the same file system, as before.
check "unmarked file: get" got_same plain
check_out "unmarked file: READ of block 1" "$(blk "$docs/plain" $M $M)" \
	dpt read alice docs plain $M $M
check_out "unmarked file: hash" "$(want_root "$docs/plain")" root_of plain

# e. The twin, from the module's state, on a port of its own.
na p2pctl save >"$TEST_TMP/p2p.conf"
nsenter --net=/run/netns/a "$P2PD" -c "$TEST_TMP/p2p.conf" -l "$DP_A:7447" \
	2>"$TEST_TMP/p2pd.err" &
twin=$!
wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/7447" ||
	{ sed 's/^/#   /' "$TEST_TMP/p2pd.err"; echo "Bail out! the twin does not listen"; exit 1; }
echo "$DP_A:7447 $(na p2pctl hostkey)" >>"$P2P_KNOWN_HOSTS"
# shellcheck disable=SC2317 # run by check
tw() { local c=$1; shift; nb "$DP_TOOL" "$c" "$DP_A" 7447 alice "$DP_KEYS/alice.key" "$@"; }
turl() { echo "p2p://alice@$DP_A:7447/docs/$1"; }
check_fail "twin: get of a partial file is ENODATA" "(ENODATA)" \
	nb p2pctl get "$(turl part)" -o tpart --key-file "$DP_KEYS/alice.key"
check "twin: the failed get left no file, no temporary file" no_file tpart
check_out "twin: READ of block 0" "$(blk "$docs/part" 0 $M)" tw read docs part 0 $M
check_out "twin: READ of block 2" "$(blk "$docs/part" $((2 * M)) $M)" \
	tw read docs part $((2 * M)) $M
check_out "twin: READ of block 1 is ENODATA" ENODATA tw read docs part $M $M
check "  with the message \"block not yet here\"" \
	grep -qx 'dp_tool: server: block not yet here (ENODATA)' "$TEST_TMP/err"
check_out "twin: READ over blocks 0 and 1 is ENODATA" ENODATA \
	tw read docs part $((M - 10)) 20
check_out "twin: READ of 0 bytes at the end" "$(blk /dev/null 0 0)" tw read docs part "$S" 100
check_fail "twin: hash of a partial file is ENODATA" "(ENODATA)" \
	nb p2pctl hash "$(turl part)" --key-file "$DP_KEYS/alice.key"
check "  with the message \"file incomplete here\"" grep -q 'file incomplete here' "$TEST_TMP/err"
check_out "twin: a refused READ leaves the connection usable" \
	"$(printf '%s\n' ENODATA "$(blk "$docs/part" 0 $M)" "ok 1 $S 0644" ENODATA)" \
	tw batch <"$TEST_TMP/batch"
for f in other cut garbage empty; do
	check_out "twin: $f mark: READ of block 0 is ENODATA" ENODATA tw read docs "$f" 0 $M
done
check_out "twin: mark with every block: READ of the last block" \
	"$(blk "$docs/full" $((3 * M)) $((M / 2)))" tw read docs full $((3 * M)) $M
check_out "twin: unmarked file: READ of block 1" "$(blk "$docs/plain" $M $M)" \
	tw read docs plain $M $M
check_out "twin: BLOCKS of a partial file" "ok partial 4 0,2" tw blocks docs part
check_out "twin: BLOCKS of a file with a broken mark" "ok partial 4 -" tw blocks docs garbage
check_out "twin: BLOCKS of an unmarked file" "ok complete 4" tw blocks docs plain
check_out "twin: BLOCKS of a directory is EISDIR" EISDIR tw blocks docs dir
kill "$twin"
wait "$twin" 2>/dev/null
dp_done
