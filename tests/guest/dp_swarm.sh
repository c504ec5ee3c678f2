#!/bin/bash
# A get from several sources (p2pctl(8), "Several sources"; issue 17): four
# hosts on one bridge, each with the module and an export "data" of alice's
# on an ext4 image (user xattrs on both kernels; tmpfs has them only from
# 6.6).  Host A holds the file; its uplink is slowed with tbf so that the
# others have time to matter.  Checked: blocks from several sources, a
# source serving corrupted blocks (a wrong copy marked partial, so that
# only its blocks can give it away) is dropped and named while the file
# still arrives right, a source with other content or no permission is not
# used, an interrupted get leaves OUT marked partial (its server refuses
# the incomplete file with ENODATA), serves its verified blocks to a third
# host meanwhile, and a second get goes on from those blocks.
. "$(dirname "$0")/fixture.sh"

HOSTS="a b c d"
ip_of() { case $1 in a) echo 198.18.0.1 ;; b) echo 198.18.0.2 ;; c) echo 198.18.0.3 ;; d) echo 198.18.0.4 ;; esac; }
nx() { local h=$1; shift; nsenter --net="/run/netns/$h" "$@"; }

# shellcheck disable=SC2317 # run by trap
swarm_cleanup() {
	local h
	for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	for h in $HOSTS br; do ip netns del "$h" 2>/dev/null; done
	dp_cleanup
}
trap swarm_cleanup EXIT

umask 022
dp_module
# shellcheck disable=SC2317 # run by check
topology() {
	local h
	ip netns add br && ip -n br link add br0 type bridge &&
		ip -n br link set br0 up || return 1
	for h in $HOSTS; do
		ip netns add "$h" &&
		ip link add "v$h" netns "$h" type veth peer name "p$h" netns br &&
		ip -n br link set "p$h" master br0 up &&
		nx "$h" ip link set lo up &&
		nx "$h" ip addr add "$(ip_of "$h")/24" dev "v$h" &&
		nx "$h" ip link set "v$h" up || return 1
	done
}
topology || { echo "Bail out! cannot build the topology"; exit 1; }

fs=$TEST_TMP/fs
mkdir -p "$fs" "$DP_KEYS"
# No udev here: /dev/loop-control appears once the module is loaded.
modprobe loop 2>/dev/null
{ truncate -s 160M "$TEST_TMP/fs.img" && mkfs.ext4 -q -F "$TEST_TMP/fs.img" &&
	mount -o loop "$TEST_TMP/fs.img" "$fs"; } ||
	{ echo "Bail out! cannot make the ext4 image"; exit 1; }
for h in $HOSTS; do mkdir -p "$fs/$h/data"; done

M=1048576
f=$fs/a/data/f.bin
dp_rand "$f" $((8 * M + 12345))
want=$(sha "$f")

# The mark of PROTOCOL.md 7.7 for FILE with every block present (the
# helper of dp_partial.sh).  Its root is nobody's business: a marked
# source answers HASH with ENODATA, so only its blocks can give it away.
MARK=$P2P_ROOT/build/tests/helpers/partial_mark
# shellcheck disable=SC2317 # run by check
mark_all() { "$MARK" "$1" set all; }
# Blocks marked present in FILE's mark; fails without a mark.
# shellcheck disable=SC2317 # run by check
marked() {
	python3 -c '
import os, sys
v = os.getxattr(sys.argv[1], "user.p2pshare.partial")
print(sum(bin(b).count("1") for b in v[56:]))' "$1" 2>/dev/null
}
# shellcheck disable=SC2317 # run by check
unmarked() { ! marked "$1" >/dev/null; }

dp_key alice
for h in $HOSTS; do
	if ! nx "$h" p2pctl user add alice --pubkey "$DP_KEYS/alice.pub" >/dev/null ||
	   ! nx "$h" p2pctl export "$fs/$h/data" --user alice:ro >/dev/null; then
		echo "Bail out! cannot export on $h"
		exit 1
	fi
done
: >"$P2P_KNOWN_HOSTS"
for h in $HOSTS; do
	echo "$(ip_of "$h"):$DP_PORT $(nx "$h" p2pctl hostkey)" >>"$P2P_KNOWN_HOSTS"
done
ok "four hosts export data to alice"

# A's uplink: 16 Mbit/s, so that 8 MiB take about 4 s from it.
check "tbf slows host A's uplink" \
	nx a tc qdisc add dev va root tbf rate 16mbit burst 32kb latency 500ms

url() { echo "p2p://alice@$(ip_of "$1"):$DP_PORT/data/f.bin"; }
# sget HOST OUT [get arguments]: a get run on HOST, stderr in $TEST_TMP/sget.err
# shellcheck disable=SC2317 # run by check
sget() {
	local h=$1 out=$2
	shift 2
	nx "$h" p2pctl get "$@" -o "$out" --key-file "$DP_KEYS/alice.key" \
		2>"$TEST_TMP/sget.err"
}
# shellcheck disable=SC2317 # run by check
said() { grep -qF -- "$1" "$TEST_TMP/sget.err"; }
# shellcheck disable=SC2317 # run by check
gave() { grep -o "[0-9]* from $(ip_of "$1"):$DP_PORT" "$TEST_TMP/sget.err" | cut -d' ' -f1; }

# D: a copy with one byte flipped in every block, marked as holding every
# block: only the blocks themselves can give it away.
cp "$f" "$fs/d/data/f.bin"
python3 - "$fs/d/data/f.bin" <<'PY'
import sys
with open(sys.argv[1], "r+b") as fh:
    for off in range(100, 9 << 20, 1 << 20):
        fh.seek(off); b = fh.read(1)
        if b:
            fh.seek(off); fh.write(bytes([b[0] ^ 0xff]))
PY
check "host D's wrong copy carries a mark of every block" \
	mark_all "$fs/d/data/f.bin"
# C: other content under the same name, complete.
dp_rand "$fs/c/data/f.bin" $((8 * M + 12345))

out=$fs/b/data/f.bin
check "get from A, C (other content) and D (corrupted blocks)" \
	sget b "$out" "$(url a)" --peer "$(ip_of c)" --peer "$(ip_of d):$DP_PORT"
check_eq "the file is A's" "$(sha "$out")" "$want"
check "its mark is gone" unmarked "$out"
check "C is named as having other content" \
	said "$(ip_of c):$DP_PORT has other content under \"data/f.bin\""
check "D is named as serving a bad block and dropped" \
	said "$(ip_of d):$DP_PORT served block"
check "the summary counts 9 of 9 blocks" said "9 of 9 blocks"
check_eq "C gave no block" "$(gave c)" 0
rm -f "$out"

chmod 0600 "$fs/c/data/f.bin"
check "get with C refusing alice (Unix permissions)" \
	sget b "$out" "$(url a)" --peer "$(ip_of c)"
check_eq "the file is A's" "$(sha "$out")" "$want"
check "C's refusal is named" said "at $(ip_of c):$DP_PORT: permission denied"
rm -f "$out" "$fs/c/data/f.bin"

# Three good sources: C and D get A's file first, over the fast links.
# D's old copy goes first: cp over it would keep its mark, and a marked
# copy is a peer still downloading, whose blocks the seeds leave to it.
rm -f "$fs/d/data/f.bin"
cp "$f" "$fs/c/data/f.bin"
cp "$f" "$fs/d/data/f.bin"
check "get from three good sources" \
	sget b "$out" "$(url a)" --peer "$(ip_of c)" --peer "$(ip_of d)"
check_eq "the file is right" "$(sha "$out")" "$want"
# shellcheck disable=SC2317 # run by check
several() { [ "$(( $(gave c) > 0 )) $(( $(gave d) > 0 ))" = "1 1" ]; }
check "C and D both gave blocks" several
rm -f "$out" "$fs/c/data/f.bin" "$fs/d/data/f.bin"

# An interrupted get: only A has the file (D's export lacks it: ENOENT).
# nsenter execs p2pctl: $! is p2pctl itself.
nsenter --net=/run/netns/b p2pctl get "$(url a)" --peer "$(ip_of d)" -o "$out" \
	--key-file "$DP_KEYS/alice.key" 2>"$TEST_TMP/sget.err" &
getpid=$!
# shellcheck disable=SC2317 # run by wait_for
two_blocks() { [ "$(marked "$out")" -ge 2 ]; }
check "OUT is marked partial and gains blocks" wait_for 30 two_blocks
kill -TERM "$getpid"
wait "$getpid"
check_eq "the interrupted get ends by its signal" "$?" 143
have=$(marked "$out")
check "OUT keeps its mark" test "${have:-0}" -ge 2 -a "${have:-0}" -lt 9

# shellcheck disable=SC2317 # run by check
bget() { nx "$1" p2pctl get "p2p://alice@$(ip_of b):$DP_PORT/data/f.bin" \
	-o "$TEST_TMP/$1.out" --key-file "$DP_KEYS/alice.key"; }
check_fail "B's server refuses the incomplete file" "(ENODATA)" bget a
check_fail "B's server has no hashes for it" "(ENODATA)" \
	nx a p2pctl hash "p2p://alice@$(ip_of b):$DP_PORT/data/f.bin" \
	--key-file "$DP_KEYS/alice.key"

# C gets from A and from B, which serves the blocks it verified.
check "C gets from A and from the partial copy on B" \
	sget c "$fs/c/data/f.bin" "$(url a)" --peer "$(ip_of b)"
check_eq "C's copy is right" "$(sha "$fs/c/data/f.bin")" "$want"
# shellcheck disable=SC2317 # run by check
from_b() { [ "$(gave b)" -ge 1 ] && [ "$(gave b)" -le "$have" ]; }
check "B gave C some of its $have verified blocks" from_b

check "the same get goes on" sget b "$out" "$(url a)" --peer "$(ip_of d)"
check "from the blocks already there" said ", $have already here"
check_eq "the file is right" "$(sha "$out")" "$want"
check "its mark is gone" unmarked "$out"
check "B now serves the whole file" bget a
check_eq "A's copy from B is right" "$(sha "$TEST_TMP/a.out")" "$want"

# A peer with no copy yet, as one whose own get starts later: named, asked
# again with every block map instead of dropped, and used once the copy is
# there (it lands by rename, complete).
late=$fs/b/late.bin
rm -f "$fs/d/data/f.bin"
nsenter --net=/run/netns/b p2pctl get "$(url a)" --peer "$(ip_of d)" -o "$late" \
	--key-file "$DP_KEYS/alice.key" 2>"$TEST_TMP/sget.err" &
getpid=$!
# shellcheck disable=SC2317 # run by wait_for
one_block() { [ "$(marked "$late")" -ge 1 ]; }
check "the get from A and D (no copy yet) is under way" wait_for 30 one_block
cp "$f" "$fs/d/data/.f.new" && mv "$fs/d/data/.f.new" "$fs/d/data/f.bin"
wait "$getpid"
check_eq "it ends well" "$?" 0
check_eq "the file is right" "$(sha "$late")" "$want"
check "D is named as having no copy yet" \
	said "$(ip_of d):$DP_PORT has no \"data/f.bin\" yet"
check "D gave blocks once its copy came" test "$(gave d)" -ge 1
rm -f "$late"

# -c on an unmarked OUT with a damaged block: only that block is fetched.
python3 -c '
import sys
with open(sys.argv[1], "r+b") as fh:
    fh.seek(3 << 20); fh.write(b"XXXX")' "$out"
check "get -c repairs a damaged unmarked copy" \
	sget b "$out" -c "$(url a)" --peer "$(ip_of d)"
check "by one block" said "9 of 9 blocks, 8 already here"
check_eq "the file is right" "$(sha "$out")" "$want"

check_fail "several sources and -o -" "not with -r or -o -" \
	nx b p2pctl get "$(url a)" --peer "$(ip_of c)" -o - \
	--key-file "$DP_KEYS/alice.key"
check_fail "--peer without a host" "invalid --peer" \
	nx b p2pctl get "$(url a)" --peer "x/y" --key-file "$DP_KEYS/alice.key"

dp_done
