#!/bin/bash
# Content hashes (PROTOCOL.md 7.6): p2pctl hash against SHA-256 computed
# here for files of 0, 1, 1 MiB and 1 MiB+1 bytes; the cache (debugfs
# hash_cache hits) and its invalidation, also by a change that keeps the
# size and mtime; the refusals (Unix permissions, a symlink out of the
# export, a directory, a file open for writing); get --verify; the twin.
. "$(dirname "$0")/fixture.sh"
dp_setup

M=1048576
docs=$DP_SRV/docs
mkdir -p "$docs/dir"
for n in 0 1 $M $((M + 1)); do
	dp_rand "$docs/f$n" "$n"
done
dp_rand "$docs/secret" 10
chmod 0600 "$docs/secret"
ln -s /etc/passwd "$docs/out"

dp_user alice
dp_serve "export docs, alice ro" "$docs" --user alice:ro
cd "$DP_DL" || exit 1

phash() { local p=$1; shift; nb p2pctl hash "$(dp_url alice "docs/$p")" --key-file "$DP_KEYS/alice.key" "$@"; }

# The root and block hashes of a local file, as PROTOCOL.md 7.6 defines
# them, in the JSON shape of p2pctl hash -j: "ROOT BLOCKS H0,H1,...".
# shellcheck disable=SC2317 # run by check
want() {
	python3 - "$1" <<'PY'
import hashlib, struct, sys
data = open(sys.argv[1], "rb").read()
bs = 1 << 20
hs = [hashlib.sha256(data[i:i + bs]).digest() for i in range(0, len(data), bs)]
root = hashlib.sha256(b"p2pshare/2 root\0" + struct.pack(">QI", len(data), bs)
                      + b"".join(hs)).hexdigest()
print(root, len(hs), ",".join(h.hex() for h in hs))
PY
}
# shellcheck disable=SC2317 # run by check
got() {
	phash "$1" -j | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["block_size"] == 1 << 20
print(d["root"], d["blocks"], ",".join(d["hashes"]))'
}
# shellcheck disable=SC2317 # run by check
same_hash() { [ "$(got "$1")" = "$(want "$docs/$1")" ]; }

for n in 0 1 $M $((M + 1)); do
	check "hash of $n bytes equals SHA-256 computed here" same_hash "f$n"
done
check_out "hash -j of the empty file: root of no block" \
	"$(want "$docs/f0")" got f0
# shellcheck disable=SC2317 # run by check
human() { phash "f$((M + 1))" | grep -qx "root:   $(want "$docs/f$((M + 1))" | cut -d' ' -f1)"; }
check "hash prints the root" human

hits() { grep -o 'hits [0-9]*' "$params/hash_cache" | cut -d' ' -f2; }
h0=$(hits)
phash f1 >/dev/null
check_eq "a second request is a cache hit" "$(hits)" "$((h0 + 1))"

# Same size, same mtime, other content: ctime (and i_version where the file
# system keeps one) proves the change.
old=$(stat -c %y "$docs/f1")
printf 'Z' | cmp -s - "$docs/f1" && printf 'Y' >"$docs/f1" || printf 'Z' >"$docs/f1"
touch -d "$old" "$docs/f1"
check "a rewrite with the old size and mtime changes the hash" same_hash f1
dp_rand "$docs/f$M" $M
check "a rewritten file gets its new hashes" same_hash "f$M"

check_fail "hash of a file alice cannot read" "permission denied" phash secret
check_fail "hash through a symbolic link" "(ELOOP)" phash out
check_fail "hash of a directory" "(EISDIR)" phash dir
check_fail "hash of a missing file" "(ENOENT)" phash nope
# A writer holds the file open: no hash of content in flux.
exec 3>>"$docs/f$((M + 1))"
check_fail "hash of a file open for writing" "(ETXTBSY)" phash "f$((M + 1))"
exec 3>&-
check "hash once the writer closed it" same_hash "f$((M + 1))"

# shellcheck disable=SC2317 # run by check
get_verified() {
	pget alice "docs/$1" --verify -o "$2" && [ "$(sha "$2")" = "$(sha "$docs/$1")" ]
}
check "get --verify of 1 MiB+1" get_verified "f$((M + 1))" v1
check "get --verify of the empty file" get_verified f0 v0
check_fail "get --verify to standard output is refused" \
	"--verify cannot check standard output" pget alice docs/f1 --verify -o -

check "the cache holds entries" grep -q 'entries [1-9]' "$params/hash_cache"

# The userspace twin answers HASH the same way (from the module's state).
na p2pctl save >"$TEST_TMP/p2p.conf"
nsenter --net=/run/netns/a "$P2PD" -c "$TEST_TMP/p2p.conf" -l "$DP_A:7447" \
	2>"$TEST_TMP/p2pd.err" &
twin=$!
wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/7447"
# shellcheck disable=SC2317 # run by check
twin_same() {
	[ "$(nb p2pctl hash -j "p2p://alice@$DP_A:7447/docs/$1" --key-file "$DP_KEYS/alice.key" |
		python3 -c 'import json, sys; d = json.load(sys.stdin)
print(d["root"], d["blocks"], ",".join(d["hashes"]))')" = "$(want "$docs/$1")" ]
}
for n in 0 1 $M $((M + 1)); do
	check "twin: hash of $n bytes equals SHA-256 computed here" twin_same "f$n"
done
kill "$twin"
wait "$twin" 2>/dev/null
dp_done
