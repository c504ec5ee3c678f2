#!/bin/bash
# The connection list (conn-get, `p2pctl show`): empty without clients; an
# authenticated client shows with its address, port, user and byte counts
# that grow with its requests; a client in its handshake shows without a
# user; an IPv6 peer; the list empties when they leave; non-root is
# refused; dumps of many connections, taken while clients come and go and
# while the server stops and starts, are whole and in order; nothing leaks
# and the module unloads.
. "$(dirname "$0")/fixture.sh"
dp_setup

pub=$DP_SRV/pub
mkdir -p "$pub"
dp_rand "$pub/big" 1048576
dp_user alice
# Held connections must outlive the test's slow parts.
na p2pctl limits set idle_timeout 300

check_out "no export: the list is empty" "0" show_j 'len(c)'
dp_serve "export pub to alice" "$pub" --user alice
# dp_listening's probe is a connection too: wait until it is gone.
check "no connection: the list is empty" wait_for 10 nconns_is 0
check "no connection: show says (none)" sh -c \
	'nsenter --net=/run/netns/a p2pctl show | grep -qx "connections: (none)"'

# ---- an authenticated client, its requests fed through a fifo
mkfifo "$TEST_TMP/in"
nsenter --net=/run/netns/b "$DP_TOOL" batch "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" \
	<"$TEST_TMP/in" >"$TEST_TMP/batch" 2>&1 &
exec 7>"$TEST_TMP/in"
echo "read pub big 0 1048576" >&7
check "client: a READ of 1 MiB is served" wait_for 30 grep -q '^ok 1048576 ' "$TEST_TMP/batch"
port=$(nb ss -Htn state established dst "$DP_A:$DP_PORT" | awk '{ print $3 }' | sed 's/.*://')
check_out "client: listed with its address, port and user" "1 $DP_B $port alice False" \
	show_j '" ".join(str(x) for x in [len(c)] + [c[0][k] for k in ("address", "port", "user", "handshake")])'
sent1=$(show_j 'c[0]["bytes_sent"]')
recv1=$(show_j 'c[0]["bytes_recv"]')
echo "# after the READ: sent $sent1 recv $recv1"
check "client: bytes sent >= the file's 1 MiB" test "$sent1" -ge 1048576
check "client: bytes received > 0" test "$recv1" -gt 0
check_out "client: one request, export pub" "1 ['pub'] False" \
	show_j '" ".join(str(c[0][k]) for k in ("requests", "exports", "exports_more"))'
echo "read pub big 0 1048576" >&7
check "client: a second READ is served" wait_for 30 sh -c "[ \$(grep -c '^ok 1048576 ' '$TEST_TMP/batch') = 2 ]"
sent2=$(show_j 'c[0]["bytes_sent"]')
recv2=$(show_j 'c[0]["bytes_recv"]')
check "client: bytes sent grew by >= 1 MiB" test "$((sent2 - sent1))" -ge 1048576
check "client: bytes received grew" test "$recv2" -gt "$recv1"
check_out "client: two requests" "2" show_j 'c[0]["requests"]'
sleep 2
check "client: idle >= 2 s, age >= idle" \
	test "$(show_j 'int(c[0]["idle"] >= 2 and c[0]["age"] >= c[0]["idle"])')" = 1
na p2pctl show | sed -n '/^connections:/,/^counters:/p' | sed 's/^/#   /'
check_out "client: its cipher, the server's default" "aes-128-gcm" show_j 'c[0]["cipher"]'
check "client: the human line" sh -c "nsenter --net=/run/netns/a p2pctl show | grep -qE \
'^  $DP_B:$port +alice +aes-128-gcm +up [0-9]+s idle [0-9]+s  sent 2\\.0 MiB recv [0-9]+ B  requests 2  exports pub\$'"
check "the counters are apart from the connection's keys" test "$(dp_counter requests)" -ge 2

# ---- a client in its handshake (10 s deadline), and an IPv6 peer
ip netns exec b "$HARD_TOOL" hold - "$DP_A" "$DP_PORT" 1 >"$TEST_TMP/hold1" 2>&1 &
hs=$!
check "handshake: a connection that sent nothing" wait_for 5 grep -q '^ready' "$TEST_TMP/hold1"
check_out "handshake: listed without a user or a cipher" "2 None True 0 None" \
	show_j '" ".join(str(x) for x in [len(c)] + [c[-1][k] for k in ("user", "handshake", "requests", "cipher")])'
check "handshake: shown as such" sh -c \
	"nsenter --net=/run/netns/a p2pctl show | grep -qE '^  $DP_B:[0-9]+ +\\(handshake\\) +- +up '"
na python3 -c 'import socket, time; s = socket.create_connection(("::1", '"$DP_PORT"')); print("ready", flush=True); time.sleep(8)' \
	>"$TEST_TMP/v6" 2>&1 &
v6=$!
check "IPv6: a connection to ::1" wait_for 5 grep -q '^ready' "$TEST_TMP/v6"
check_out "IPv6: listed with its address" "::1" show_j '" ".join(x["address"] for x in c if ":" in x["address"])'
check "IPv6: shown in brackets" sh -c \
	"nsenter --net=/run/netns/a p2pctl show | grep -qE '^  \\[::1\\]:[0-9]+ +\\(handshake\\)'"
check "ids increase in the list" test "$(show_j 'int([x["id"] for x in c] == sorted(set(x["id"] for x in c)))')" = 1

# ---- they leave
exec 7>&-
kill "$hs" "$v6"
wait "$hs" "$v6" 2>/dev/null
check "all closed: the list is empty" wait_for 20 nconns_is 0

# ---- non-root
check_fail "non-root show is refused" "permission denied" \
	na setpriv --reuid=65534 --regid=65534 --clear-groups p2pctl show
if [ -f "$YNL_DIR/cli.py" ]; then
	check "non-root conn-get dump is refused (EPERM)" sh -c \
		"! setpriv --reuid=65534 --regid=65534 --clear-groups python3 '$YNL_DIR/cli.py' \
		--spec '$P2P_ROOT/docs/netlink.yaml' --schema '$SCHEMA' --dump conn-get >'$TEST_TMP/ynl' 2>&1 &&
		grep -q 'Operation not permitted' '$TEST_TMP/ynl'"
else
	skip "non-root conn-get dump is refused (EPERM)" "no ynl in $YNL_DIR"
fi

# ---- many connections, dumped while others come and go
N=100
ip netns exec b "$HARD_TOOL" hold - "$DP_A" "$DP_PORT" "$N" alice "$DP_KEYS/alice.key" \
	>"$TEST_TMP/hold" 2>&1 &
held=$!
check "$N authenticated connections held" wait_for 120 grep -q '^ready' "$TEST_TMP/hold"
check_out "all $N listed once, in id order (a dump of several parts)" "$N 1" \
	show_j 'len(c), int([x["id"] for x in c] == sorted(set(x["id"] for x in c))), sep=" "'
# 32 short-lived clients, 4 at a time, while show -j runs again and again.
churn() { local i; for i in 1 2 3 4 5 6 7 8; do dpt stat alice pub big >/dev/null 2>&1; done; }
pids=()
for _ in 1 2 3 4; do churn & pids+=("$!"); done
cat >"$TEST_TMP/check.py" <<EOF
import json, sys
c = json.load(sys.stdin)["connections"]
ids = [x["id"] for x in c]
assert ids == sorted(set(ids)), "ids out of order or repeated"
assert sum(1 for x in c if x["user"] == "alice" and x["requests"] == 0) >= $N, "a held one is missing"
EOF
alive() { local p; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
bad=0 dumps=0
while [ "$dumps" -lt 5 ] || alive; do
	na p2pctl show -j | python3 "$TEST_TMP/check.py" || bad=$((bad + 1))
	dumps=$((dumps + 1))
done
wait "${pids[@]}"
check_eq "churn: $dumps dumps, each whole and in order" "$bad" 0
# The server stops and starts under dumps: every export goes, then comes back.
( for i in $(seq 20); do na p2pctl show -j >/dev/null || echo "show failed"; done ) >"$TEST_TMP/shows" 2>&1 &
shows=$!
for i in 1 2 3; do
	na p2pctl unexport pub
	na p2pctl export "$pub" --user alice
done
wait "$shows"
check_eq "dumps while the server stops and starts all succeed" "$(cat "$TEST_TMP/shows")" ""
kill "$held"
wait "$held" 2>/dev/null
check "the held connections are gone" wait_for 30 nconns_is 0
check "no connection object left" wait_for 20 grep -qx 'conns 0 uploads 0' "$params/conn_objects"

# ---- the module unloads with the server running and a dump just taken
check_out "one more dump" "0" show_j 'len(c)'
check "rmmod" rmmod p2pshare
dp_done
