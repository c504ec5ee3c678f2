#!/bin/bash
# Limits against a hostile peer (docs/SECURITY.md): slow-loris connections
# must not lock a good client out (handshake deadline, eviction at the
# cap); memory per connection, unauthenticated and authenticated; a reader
# that never reads is dropped after idle_timeout; failed handshakes are
# rate-limited per source address; the longest names and paths work, one
# byte more is refused; one user cannot hold more than max_user_conns.  Host B's second address 198.18.0.3 (and .4) plays
# the attacker, so that rate limits do not touch the good client at .2.
#
# HARD_LORIS_SECS (default 20): how long the slow-loris attack lasts.
. "$(dirname "$0")/fixture.sh"
dp_setup

EVIL=198.18.0.3
EVIL2=198.18.0.4
pub=$DP_SRV/pub
mkdir -p "$pub/up"
chown 65534:65534 "$pub/up"
dp_rand "$pub/big" 1048576
nb ip addr add "$EVIL/24" dev vb
nb ip addr add "$EVIL2/24" dev vb
dp_user alice
dp_user bob
dp_serve "export pub to alice (rw)" "$pub" --user alice:rw

ht() { nb "$HARD_TOOL" "$@"; }
out() { echo "# $*"; }
t_start=$(date +%s)
section() { echo "# -- $1 (at $(($(date +%s) - t_start)) s)"; }

# ---- slow loris: 300 connections, one byte a second, reopened when closed
section "slow loris"
secs=${HARD_LORIS_SECS:-20}
ht loris "$EVIL" "$DP_A" "$DP_PORT" 300 "$secs" again >"$TEST_TMP/loris" 2>&1 &
loris=$!
check "loris: 300 slow connections opened" wait_for 60 grep -q '^ready' "$TEST_TMP/loris"
# shellcheck disable=SC2317 # run by check/wait_for
full() { [ "$(dp_counter conns_active)" -ge 256 ]; }
check "loris: the server is full (256 connections)" wait_for 20 full
good=0 slowest=0
for i in 1 2 3 4 5; do
	t0=$(date +%s.%N)
	if nb timeout 30 p2pctl get "$(dp_url alice pub/big)" --key-file "$DP_KEYS/alice.key" \
		-o "$DP_DL/big$i" 2>"$TEST_TMP/err" &&
	   [ "$(sha "$DP_DL/big$i")" = "$(sha "$pub/big")" ]; then
		good=$((good + 1))
	else
		sed 's/^/#   /' "$TEST_TMP/err"
	fi
	t=$(echo "$(date +%s.%N) - $t0" | bc)
	slowest=$(echo "if ($t > $slowest) $t else $slowest" | bc)
	sleep 1
done
out "good client under attack: $good/5 gets, slowest $slowest s"
check_eq "loris: a good client is served, 5 gets of 1 MiB out of 5" "$good" 5
check "loris: each get took less than 10 s" test "$(echo "$slowest < 10" | bc)" = 1
wait "$loris"
out "attacker: $(tail -n1 "$TEST_TMP/loris")"
out "server: conns_evicted $(dp_counter conns_evicted), conns_refused $(dp_counter conns_refused)"
check "loris: attacking connections were evicted" test "$(dp_counter conns_evicted)" -gt 0
# The handshake deadline: no slow connection lives past 10 s (+ the 1 s tick).
# shellcheck disable=SC2016 # awk's own fields and variables
check "loris: no slow connection outlived the 10 s handshake deadline" \
	awk '/lifetime/ { for (i = 1; i < NF; i++) if ($i == "max") ok = $(i + 1) <= 12.5 } END { exit !ok }' \
	"$TEST_TMP/loris"
check "loris: every connection gone afterwards" wait_for 20 dp_counter_is conns_active 0

# ---- memory per connection: MemFree before and after N connections
section "memory"
N=100
memfree() { awk '$1 == "MemFree:" { print $2 }' /proc/meminfo; }
slab() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }
# hold_delta SECS ADDR PORT [USER KEY]: KiB per connection held (MemFree,
# Slab), the N connections open within SECS.
hold_delta() {
	local f0 s0 f1 s1 pid
	f0=$(memfree) s0=$(slab)
	# Not through a shell function: $! must be the client itself.
	ip netns exec b "$HARD_TOOL" hold - "$2" "$3" "$N" "${@:4}" >"$TEST_TMP/hold" 2>&1 &
	pid=$!
	wait_for "$1" grep -q '^ready' "$TEST_TMP/hold" || { kill "$pid"; echo "0 0"; return; }
	f1=$(memfree) s1=$(slab)
	kill "$pid"
	wait "$pid" 2>/dev/null
	echo "$(((f0 - f1) / N)) $(((s1 - s0) / N))"
}
# A listener of its own in host A: what N connections cost without p2pshare.
ip netns exec a python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$DP_A"'", 7500)); s.listen(512)
held = []
while True: held.append(s.accept()[0])' &
plain=$!
wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/7500"
read -r plain_free plain_slab <<<"$(hold_delta 60 "$DP_A" 7500)"
kill "$plain"
wait "$plain" 2>/dev/null
# Within the 10 s handshake deadline, or the server closes them.
read -r unauth_free unauth_slab <<<"$(hold_delta 8 "$DP_A" "$DP_PORT")"
check "memory: the unauthenticated connections are gone" \
	wait_for 20 dp_counter_is conns_active 0
read -r auth_free auth_slab <<<"$(hold_delta 60 "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key")"
check "memory: the authenticated connections are gone" \
	wait_for 20 dp_counter_is conns_active 0
out "memory per connection (KiB of MemFree / Slab, both ends, $N at once):"
out "  plain TCP listener $plain_free / $plain_slab"
out "  p2pshare before authentication $unauth_free / $unauth_slab"
out "  p2pshare authenticated $auth_free / $auth_slab"
# The module's own part is the difference to the plain listener; its
# allocations show in Slab (large kmalloc included), MemFree is noisier.
check "memory: an unauthenticated connection costs the module < 16 KiB" \
	test "$((unauth_slab - plain_slab))" -lt 16
check "memory: an authenticated connection costs the module < 48 KiB" \
	test "$((auth_slab - plain_slab))" -lt 48

# ---- slow reader: READ of 32 MiB into a 4 KiB buffer that is never read
section "slow reader"
truncate -s 32M "$pub/huge"
na p2pctl limits set idle_timeout 4
ht noread - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" pub huge 60 >"$TEST_TMP/noread" 2>&1 &
noread=$!
check "slow reader: the READ is sent" wait_for 30 grep -qx sent "$TEST_TMP/noread"
check "slow reader: a good client is served meanwhile" pget alice pub/big -o "$DP_DL/big.sr"
wait "$noread"
out "slow reader: $(tail -n1 "$TEST_TMP/noread") (idle_timeout 4)"
check "slow reader: the server dropped it within 20 s" grep -q '^closed after' "$TEST_TMP/noread"
check "slow reader: its worker is released" wait_for 20 dp_counter_is conns_active 0
na p2pctl limits set idle_timeout 60

# ---- failed handshakes: 10 per address (auth_burst), then one per 3 s
section "rate limit"
words() { tr ' ' '\n' | grep -c "^$1\$"; }
# 12 attempts with a wrong key, at once one with the right key.
ht auth "$EVIL2" "$DP_A" "$DP_PORT" alice "$DP_KEYS/bob.key" 12 "$DP_KEYS/alice.key" \
	>"$TEST_TMP/auth"
out "12 handshakes with a wrong key from $EVIL2, then the right one: $(cat "$TEST_TMP/auth")"
# A slow guest may see a token come back (one per 3 s) during the 12.
check "rate limit: 10 failures are answered EACCES" test "$(words EACCES <"$TEST_TMP/auth")" -ge 10
check "rate limit: then EAGAIN" test "$(words EAGAIN <"$TEST_TMP/auth")" -ge 2
check_eq "rate limit: the right key from that address is refused too" \
	"$(awk '{ print $NF }' "$TEST_TMP/auth")" EAGAIN
check_out "rate limit: another address is not limited" "ok " \
	ht auth - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" 1
sleep 3.5
check_out "rate limit: 3 s later one more attempt" "EACCES " \
	ht auth "$EVIL2" "$DP_A" "$DP_PORT" alice "$DP_KEYS/bob.key" 1
check "rate limit: counted in auth_ratelimited" test "$(dp_counter auth_ratelimited)" -ge 3

# ---- names and paths at their limits
section "lengths"
c255=$(printf 'c%.0s' $(seq 255))
mkdir -p "$pub/$c255"
echo edge >"$pub/$c255/$c255"
# 15 directories of 255 bytes, then a file of 255: a path of 4095 bytes;
# beside that file a directory of 254 holding "f": 4096 bytes.  Built one
# directory at a time, since a whole such path is too long for open(2).
python3 - "$pub" "$c255" <<'EOF2'
import os, sys
os.chdir(sys.argv[1])
c = sys.argv[2]
for d in ["D" * 255] + [c] * 14:
    os.makedirs(d, exist_ok=True)
    os.chdir(d)
open(c, "w").write("deep\n")
os.makedirs("e" * 254, exist_ok=True)
open("e" * 254 + "/f", "w").write("deeper\n")
EOF2
d="$(printf 'D%.0s' $(seq 255))/"
for i in $(seq 14); do d="$d$c255/"; done
p4095="$d$c255"
p4096="$d$(printf 'e%.0s' $(seq 254))/f"
# shellcheck disable=SC2317 # run by check_out
stat_raw() { ht stat - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" pub "$1"; }
check_out "path: a 255-byte component is served" "ok 5" stat_raw "$c255/$c255"
check_out "path: a 256-byte component is ENAMETOOLONG" "ENAMETOOLONG" stat_raw "${c255}c"
check_eq "path: the test paths have 4095 and 4096 bytes" "${#p4095} ${#p4096}" "4095 4096"
check_out "path: a 4095-byte path is served" "ok 5" stat_raw "$p4095"
# Linux resolves at most PATH_MAX - 1 = 4095 bytes: the protocol allows
# 4096, the server answers ENAMETOOLONG (docs/SECURITY.md).
check_out "path: a 4096-byte path is ENAMETOOLONG (Linux PATH_MAX)" "ENAMETOOLONG" \
	stat_raw "$p4096"
check_out "path: a 4097-byte path is ENAMETOOLONG" "ENAMETOOLONG" stat_raw "${p4096}x"
# shellcheck disable=SC2317 # run by check
get_edge() { pget alice "pub/$c255/$c255" -o "$DP_DL/edge" && grep -qx edge "$DP_DL/edge"; }
check "path: get of a 255-byte name, same content" get_edge
check "path: put to a 255-byte name" pput "$DP_DL/edge" alice "pub/up/$c255"
check_out "path: the upload arrived, no temporary file left" "$c255" ls -A "$pub/up"
n64=$(printf 'n%.0s' $(seq 64))
check "name: a 64-byte user name" dp_user "$n64"
mkdir -p "$DP_SRV/p64"
cp "$pub/big" "$DP_SRV/p64/big"
check "name: a 64-byte export name, granted to it" \
	na p2pctl export "$DP_SRV/p64" --name "$n64" --user "$n64"
check "name: that user gets a file of that export" pget "$n64" "$n64/big" -o "$DP_DL/big64"
check_fail "name: a 65-byte user name is refused" "name too long" \
	na p2pctl user add "${n64}n" --pubkey "$DP_KEYS/alice.pub"
check "no upload or connection left" wait_for 20 \
	grep -qx 'conns 0 uploads 0' "$params/conn_objects"
# ---- per-user cap: one user may hold max_user_conns connections
section "per-user cap"
check_eq "user cap: max_user_conns defaults to half of max_conns" \
	"$(na p2pctl limits | awk '$1 == "max_user_conns" {u = $2} $1 == "max_conns" {c = $2} END {print u, c}')" "128 256"
na p2pctl limits set max_user_conns 2
na p2pctl grant pub bob
refused0=$(dp_counter conns_refused)
ip netns exec b "$HARD_TOOL" hold - "$DP_A" "$DP_PORT" 2 alice "$DP_KEYS/alice.key" \
	>"$TEST_TMP/hold2" 2>&1 &
holder=$!
check "user cap: alice holds 2 connections" wait_for 20 grep -q '^ready' "$TEST_TMP/hold2"
check_fail "user cap: alice's third connection gets EBUSY" \
	"too many connections for this user" pget alice pub/big -o "$DP_DL/cap"
check "user cap: no file left by the refused get" test ! -e "$DP_DL/cap"
check_eq "user cap: counted in conns_refused" "$(dp_counter conns_refused)" "$((refused0 + 1))"
check "user cap: bob is served meanwhile" pget bob pub/big -o "$DP_DL/cap-bob"
kill "$holder"
wait "$holder" 2>/dev/null
check "user cap: alice is served once hers are closed" \
	wait_for 20 pget alice pub/big -o "$DP_DL/cap"
check "user cap: what she got is the file" cmp "$pub/big" "$DP_DL/cap"
na p2pctl limits set max_user_conns 0
check "user cap: 0 lifts the limit" pget alice pub/big -o "$DP_DL/cap0"
na p2pctl limits set max_user_conns 128
check "no connection left" wait_for 20 grep -qx 'conns 0 uploads 0' "$params/conn_objects"

section end
echo "# guest time: $SECONDS s"
dp_done
