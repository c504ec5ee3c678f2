#!/bin/bash
# Limits per namespace (p2pctl limits, limits-set): the module parameters
# are a new namespace's defaults and read-only; two namespaces with
# different max_conns each refuse at their own cap; out-of-range values
# are refused with the limit and its range; show, save and load carry the
# limits; the debugfs counters are back to zero once everything is gone.
#
#  netns a: server, 198.18.0.1 (va) ── veth ── vb 198.18.0.2   netns b: client
#  netns c: server, 198.18.1.1 (vc) ── veth ── vbc 198.18.1.2  (b again)
. "$(dirname "$0")/fixture.sh"
DBG=/sys/kernel/debug/p2pshare
PARAMS=/sys/module/p2pshare/parameters
C_ADDR=198.18.1.1

module_loaded && rmmod p2pshare
check_fail "insmod with max_user_conns=4097 is refused" "Invalid" \
	insmod "$P2P_KO" max_user_conns=4097
check_fail "insmod with idle_timeout=0 is refused" "Invalid" \
	insmod "$P2P_KO" idle_timeout=0
dp_setup max_conns=6 max_user_conns=5 auth_burst=4 idle_timeout=50
nc() { nsenter --net=/run/netns/c "$@"; }
# shellcheck disable=SC2317 # run by dp_cleanup's trap
cleanup() { ip netns del c 2>/dev/null; dp_cleanup; }
trap cleanup EXIT
{ ip netns add c && ip link add vc netns c type veth peer name vbc netns b &&
	nc ip link set lo up && nc ip addr add "$C_ADDR/24" dev vc && nc ip link set vc up &&
	nb ip addr add 198.18.1.2/24 dev vbc && nb ip link set vbc up; } ||
	{ echo "Bail out! cannot add namespace c"; exit 1; }
cd "$TEST_TMP" || exit 1

defaults=$'max_conns 6\nmax_user_conns 5\nauth_burst 4\nidle_timeout 50'
check_out "a new namespace takes the module parameters" "$defaults" na p2pctl limits
check_out "so does another one" "$defaults" nc p2pctl limits
check_out "and the initial namespace" "$defaults" p2pctl limits

# ---- the parameters are load-time defaults only
for p in max_conns max_user_conns auth_burst idle_timeout; do
	check_out "parameter $p is mode 0444" "444" stat -c %a "$PARAMS/$p"
done
check_fail "root cannot write a parameter" "Permission denied" \
	bash -c "echo 2 >$PARAMS/max_conns"
check_fail "nobody cannot write one" "Permission denied" \
	setpriv --reuid=65534 --regid=65534 --clear-groups bash -c "echo 2 >$PARAMS/max_conns"
check_out "max_conns stays 6" "6" cat "$PARAMS/max_conns"

# ---- ranges: the module's message names the limit and its range
range() { check_fail "limits set $1 $2: refused" "p2pctl: $3" na p2pctl limits set "$1" "$2"; }
range max_conns 0 "max_conns 0 out of range: 1-4096"
range max_conns 4097 "max_conns 4097 out of range: 1-4096"
range max_user_conns 4097 "max_user_conns 4097 out of range: 0-4096"
range auth_burst 1000001 "auth_burst 1000001 out of range: 0-1000000"
range idle_timeout 0 "idle_timeout 0 out of range: 1-86400"
range idle_timeout 86401 "idle_timeout 86401 out of range: 1-86400"
check_fail "one bad limit among good ones is refused" "idle_timeout 0 out of range: 1-86400" \
	na p2pctl limits set max_conns 3 idle_timeout 0
check_out "a refused set changed nothing" "$defaults" na p2pctl limits
check_fail "an unknown limit" 'unknown limit "max_bytes"' na p2pctl limits set max_bytes 1
check_fail "a limit without its value" "max_conns needs a value" na p2pctl limits set max_conns
check_fail "set without a limit" "set needs NAME VALUE" na p2pctl limits set
check "the edges are accepted" na p2pctl limits set max_conns 4096 max_user_conns 0 \
	auth_burst 1000000 idle_timeout 86400
check_out "... and set" $'max_conns 4096\nmax_user_conns 0\nauth_burst 1000000\nidle_timeout 86400' \
	na p2pctl limits
check "what is not named stays" na p2pctl limits set max_conns 1 idle_timeout 1
check_out "... only those two changed" $'max_conns 1\nmax_user_conns 0\nauth_burst 1000000\nidle_timeout 1' \
	na p2pctl limits
check_out "namespace c did not change" "$defaults" nc p2pctl limits

# ---- two namespaces, two caps: a holds 2, c holds 3
dp_user alice
check "a: export" na p2pctl export "$DP_SRV" --name srv --user alice
check "c: alice and an export" nc p2pctl user add alice --pubkey "$DP_KEYS/alice.pub"
mkdir -p "$TEST_TMP/srvc"
check "c: export" nc p2pctl export "$TEST_TMP/srvc" --name srv --user alice
dp_listening
check "c listens" wait_for 10 nb bash -c "exec 3<>/dev/tcp/$C_ADDR/$DP_PORT"
check "a: max_conns 2" na p2pctl limits set max_conns 2 max_user_conns 5 auth_burst 10 idle_timeout 60
check "c: max_conns 3" nc p2pctl limits set max_conns 3
# shellcheck disable=SC2317 # called below; shellcheck 0.9 loses track
hold_at() { # hold_at ADDR N OUT: N authenticated connections, held open
	nsenter --net=/run/netns/b "$DP_TOOL" hold "$1" "$DP_PORT" alice "$DP_KEYS/alice.key" "$2" \
		>"$3" 2>&1 &
}
# shellcheck disable=SC2317 # run by check_out
busy_at() { nb "$DP_TOOL" busy "$1" "$DP_PORT" alice "$DP_KEYS/alice.key"; }
hold_at "$DP_A" 2 ha
pa=$!
check "a: 2 connections held" wait_for 30 grep -qx ready ha
check_out "a: the 3rd gets EBUSY" "EBUSY tag 0: server busy" busy_at "$DP_A"
hold_at "$C_ADDR" 3 hc
pc=$!
check "c: 3 connections held, more than a's cap" wait_for 30 grep -qx ready hc
check_out "c: the 4th gets EBUSY" "EBUSY tag 0: server busy" busy_at "$C_ADDR"
check "a: lowered to max_conns 1 below its 2 open connections" na p2pctl limits set max_conns 1
check_out "a: the open ones stay" "2" dp_counter conns_active
check_out "a: a new one still gets EBUSY" "EBUSY tag 0: server busy" busy_at "$DP_A"
check "c: raised to max_conns 4" nc p2pctl limits set max_conns 4
hold_at "$C_ADDR" 1 hc2
pc2=$!
check "c: a 4th connection gets in at once" wait_for 30 grep -qx ready hc2
kill "$pa" "$pc" "$pc2"
wait "$pa" "$pc" "$pc2" 2>/dev/null
check "a: the held connections are gone" wait_for 20 dp_counter_is conns_active 0

# ---- show, save and load
check "a: distinct limits" na p2pctl limits set max_conns 7 max_user_conns 3 auth_burst 0 idle_timeout 33
check "show prints them" bash -c \
	"nsenter --net=/run/netns/a p2pctl show | grep -qx 'limits:    max_conns 7  max_user_conns 3  auth_burst 0  idle_timeout 33'"
check_out "show -j holds them" '{"max_conns": 7, "max_user_conns": 3, "auth_burst": 0, "idle_timeout": 33}' \
	bash -c "nsenter --net=/run/netns/a p2pctl show -j | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[\"limits\"]))'"
check "save" bash -c "nsenter --net=/run/netns/a p2pctl save >saved.conf"
check "the file holds the limits line" \
	grep -qx 'limits max_conns 7 max_user_conns 3 auth_burst 0 idle_timeout 33' saved.conf
check "a: other limits" na p2pctl limits set max_conns 9 max_user_conns 9 auth_burst 9 idle_timeout 9
check "load" na p2pctl load saved.conf
saved=$'max_conns 7\nmax_user_conns 3\nauth_burst 0\nidle_timeout 33'
check_out "load restored the limits" "$saved" na p2pctl limits
check "c: load the same file" nc p2pctl load saved.conf
check_out "c: the file's limits" "$saved" nc p2pctl limits
grep -v '^limits ' saved.conf >nolimits.conf
check "c: other limits" nc p2pctl limits set max_conns 8
check "c: load a file without a limits line" nc p2pctl load nolimits.conf
check_out "c: the current limits stay" $'max_conns 8\nmax_user_conns 3\nauth_burst 0\nidle_timeout 33' \
	nc p2pctl limits
sed 's/^limits .*/limits max_conns 0/' saved.conf >bad.conf
n=$(grep -n '^limits' bad.conf | cut -d: -f1)
check_fail "load: a limit out of range" "bad.conf:$n: max_conns 0 out of range: 1-4096" \
	na p2pctl load bad.conf
sed 's/^limits .*/limits max_conns 5 max_conns 6/' saved.conf >bad2.conf
check_fail "load: a limit twice" "bad2.conf:$n: max_conns appears twice" na p2pctl load bad2.conf
check_out "refused loads changed nothing" "$saved" na p2pctl limits

# ---- debugfs: the files, record_limit's range, counters back to zero
check_out "debugfs: the files and their modes" \
	$'conn_objects 400\nhash_cache 400\nnoise_objects 400\nobjects 400\nrecord_limit 600\nworkers 600' \
	bash -c "cd $DBG && stat -c '%n %a' * | sort"
check_out "record_limit is 2^24" "16777216" cat "$DBG/record_limit"
check_fail "record_limit 15 is refused" "Invalid argument" bash -c "echo 15 >$DBG/record_limit"
check_fail "record_limit 2^24 + 1 is refused" "Invalid argument" \
	bash -c "echo 16777217 >$DBG/record_limit"
check "record_limit 16 is taken" bash -c "echo 16 >$DBG/record_limit"
check_out "and read back" "16" cat "$DBG/record_limit"
echo 16777216 >"$DBG/record_limit"
check_out "objects: a's and c's" "users 2 exports 2 grants 2" cat "$DBG/objects"
read -r _ sets _ idle <"$DBG/noise_objects"
check "noise_objects: the handshakes' sets are in the pool" test "$sets" -ge 1 -a "$sets" = "$idle"
# shellcheck disable=SC2317 # run by check
kill_all() { ip netns del a && ip netns del c; }
check "delete the namespaces" kill_all
check "objects back to zero" wait_for 20 grep -qx 'users 0 exports 0 grants 0' "$DBG/objects"
check "conn_objects back to zero" wait_for 20 grep -qx 'conns 0 uploads 0' "$DBG/conn_objects"
check "rmmod" rmmod p2pshare
check "debugfs: the directory went with the module" test ! -e "$DBG"
dp_done
