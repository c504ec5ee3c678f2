#!/bin/bash
# p2pctl get -r: a tree of 3 directory levels with 320 small random files, a
# 5 MiB file, an empty file, an empty directory, names with spaces and UTF-8,
# a symbolic link (skipped) and a file the mapped user cannot read (reported,
# exit 1), fetched over one connection and compared with the source (diff -r,
# SHA-256 of every file); -o rules (cp -r), refusals, the export root.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
tree=$docs/tree
utf='ünï cødé'
mkdir -p "$tree/l1/l2/l3" "$tree/empty dir" "$tree/$utf/sub"
for i in $(seq 1 320); do
	case $((i % 4)) in
	0) d=$tree ;;
	1) d=$tree/l1 ;;
	2) d=$tree/l1/l2 ;;
	3) d=$tree/l1/l2/l3 ;;
	esac
	dp_rand "$d/f$i" $((RANDOM % 4000 + 1))
done
dp_rand "$tree/l1/big" $((5 << 20))
: >"$tree/l1/l2/empty"
echo spaced >"$tree/my file.txt"
echo naïve >"$tree/$utf/sub/naïve – file.txt"
ln -s f4 "$tree/l1/link"
dp_rand "$tree/l1/l2/secret" 1000
chmod 600 "$tree/l1/l2/secret"		# alice is mapped to nobody
touch -d '2001-02-03 04:05:06' "$tree/l1/l2/l3/f3" "$tree/l1/l2/l3"

dp_user alice
check "export docs, alice ro" na p2pctl export "$docs" --user alice
dp_serve "export the tree itself as treeexp" "$tree" --name treeexp --user alice
cd "$DP_DL" || exit 1

# Every regular file as "SHA-256  ./path", and every directory, sorted.
# shellcheck disable=SC2317 # called from same_tree
sums() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum); }
# shellcheck disable=SC2317 # called from same_tree
dirs() { (cd "$1" && find . -type d | LC_ALL=C sort); }
# same_tree SRC DST: DST is SRC without the symbolic link and the unreadable file.
# shellcheck disable=SC2317 # run by check
same_tree() {
	diff -r -x link -x secret "$1" "$2" &&
		[ "$(sums "$1" | grep -v '  \./l1/l2/secret$')" = "$(sums "$2")" ] &&
		[ "$(dirs "$1")" = "$(dirs "$2")" ] &&
		[ ! -e "$2/l1/link" ] && [ ! -L "$2/l1/link" ] && [ ! -e "$2/l1/l2/secret" ]
}
# shellcheck disable=SC2317 # run by check
no_tmp() { ! find "$DP_DL" -name '.*.p2p-*' | grep -q .; }

# get_r DIR USER EXPORT[/PATH] [opts]: p2pctl get -r in DIR; $rc, stderr in $TEST_TMP/r.err.
get_r() {
	local dir=$1
	shift
	(cd "$dir" && pget "$@" -r) >"$TEST_TMP/r.out" 2>"$TEST_TMP/r.err"
	rc=$?
}
# The two lines a fetch of the whole tree writes (PREFIX: export/path of the top).
# shellcheck disable=SC2317 # run by check
want_err() {
	[ "$(wc -l <"$TEST_TMP/r.err")" = 2 ] &&
		grep -qxF "p2pctl: skipped symbolic link \"$1/l1/link\"" "$TEST_TMP/r.err" &&
		grep -qF "p2pctl: cannot get \"$1/l1/l2/secret\" at $DP_A:$DP_PORT: " "$TEST_TMP/r.err" &&
		grep -q '(EACCES)$' "$TEST_TMP/r.err"
}
show_err() { _tap_diag <"$TEST_TMP/r.err"; }

# The whole tree, NAME in the current directory, one connection.
mkdir c1
conns=$(dp_counter conns_total)
get_r c1 alice docs/tree
check_eq "get -r of a tree with an unreadable file exits 1" "$rc" 1
check_eq "get -r used exactly one connection" "$(($(dp_counter conns_total) - conns))" 1
check "stderr: the symlink skipped, the unreadable file reported, nothing else" want_err docs/tree || show_err
check "the copy in ./tree equals the source (diff -r, SHA-256 of every file)" same_tree "$tree" c1/tree
check_eq "321+ files arrived" "$(find c1/tree -type f | wc -l)" "$(($(find "$tree" -type f | wc -l) - 1))"
check "the empty directory arrived" test -d "c1/tree/empty dir"
check_out "the empty file arrived empty" "0" stat -c %s c1/tree/l1/l2/empty
check_out "the 5 MiB file arrived whole" "$((5 << 20))" stat -c %s c1/tree/l1/big
check_out "a file keeps its remote mtime" "$(stat -c %Y "$tree/l1/l2/l3/f3")" stat -c %Y c1/tree/l1/l2/l3/f3
check_out "a directory keeps its remote mtime" "$(stat -c %Y "$tree/l1/l2/l3")" stat -c %Y c1/tree/l1/l2/l3
check_out "files 0666 less the umask" "644" stat -c %a c1/tree/f4
check_out "directories 0777 less the umask" "755" stat -c %a c1/tree/l1
check "no temporary file is left" no_tmp

# Again into the existing copy: merged, changed files replaced.
echo changed >c1/tree/f4
rm c1/tree/l1/f1
get_r c1 alice docs/tree
check_eq "get -r into an existing copy exits 1 (the unreadable file)" "$rc" 1
check "the existing copy was merged into and repaired" same_tree "$tree" c1/tree

# -o OUT: an existing directory receives OUT/NAME; a new name is the copy.
mkdir into
get_r . alice docs/tree/l1/l2/l3 -o into
check_eq "get -r -o DIR exits 0" "$rc" 0 || show_err
check "get -r -o DIR writes DIR/l3" same_tree "$tree/l1/l2/l3" into/l3
get_r . alice "docs/tree/$utf" -o new
check_eq "get -r -o NEW (a UTF-8 name with a space) exits 0" "$rc" 0 || show_err
check "get -r -o NEW makes NEW the copy" same_tree "$tree/$utf" new
check "the UTF-8 file name arrived" test -f "new/sub/naïve – file.txt"

# Pipelining: the READs of l3's 80 files leave several per write, so one
# sendmsg carries far more than a single request (~50 bytes) or READDIR.
if command -v strace >/dev/null; then
	nb strace -f -qq -e trace=sendmsg -o "$TEST_TMP/strace" p2pctl get -r \
		"$(dp_url alice docs/tree/l1/l2/l3)" -o traced --key-file "$DP_KEYS/alice.key"
	# shellcheck disable=SC2016 # awk's own fields and variables
	check_out "READ requests go out several in one write" "yes" \
		awk '$NF > 400 { big = 1 } END { print big ? "yes" : "no" }' "$TEST_TMP/strace"
	check "the traced copy equals the source" same_tree "$tree/l1/l2/l3" traced
else
	skip "READ requests go out several in one write" "no strace"
fi

# Refusals: nothing is created.
# shellcheck disable=SC2317 # run by check_fail
in_dir() { local d=$1; shift; (cd "$d" && "$@"); }
mkdir c2
echo keep >c2/afile
check_fail "get -r -o FILE is refused" 'cannot get -r into "afile": it exists and is not a directory' \
	in_dir c2 pget alice docs/tree -r -o afile
check_out "the file OUT is untouched" "keep" cat c2/afile
echo keep >c2/tree
check_fail "get -r onto an existing file NAME is refused" 'cannot get -r into "tree": it exists' \
	in_dir c2 pget alice docs/tree -r
check_fail "get -r of a file is an error" 'cannot get -r "docs/tree/f4": not a directory (get a file without -r)' \
	in_dir c2 pget alice docs/tree/f4 -r
check_fail "get -r of a symbolic link is an error" 'cannot get -r "docs/tree/l1/link": a symbolic link, not a directory' \
	in_dir c2 pget alice docs/tree/l1/link -r
check_fail "get -r of a missing directory" 'no such file or directory (ENOENT)' \
	in_dir c2 pget alice docs/tree/nope -r
check_fail "get -r -c is refused" "-c cannot be used with -r" in_dir c2 pget alice docs/tree -r -c
check_fail "get -r -o - is refused" "-o - cannot be used with -r" in_dir c2 pget alice docs/tree -r -o -
# shellcheck disable=SC2016 # expanded by the inner shell
check_out "the refusals created nothing" "afile tree" sh -c 'cd c2 && echo $(ls -A)'

# The export root: NAME is the export's name.
mkdir c3
conns=$(dp_counter conns_total)
get_r c3 alice treeexp
check_eq "get -r of an export root exits 1 (the unreadable file)" "$rc" 1
check_eq "get -r of the root used exactly one connection" "$(($(dp_counter conns_total) - conns))" 1
check "stderr: the symlink skipped, the unreadable file reported" want_err treeexp || show_err
check "the root's copy in ./treeexp equals the source" same_tree "$tree" c3/treeexp
check "no temporary file is left anywhere" no_tmp
dp_done
