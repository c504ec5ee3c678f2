#!/bin/bash
# Issue 16: the last waits that held a worker on a socket (mem_idle has
# the others) no longer do, and the connections' workers are a bounded
# pool, whatever the number of connections.
# - Small replies a peer does not read (transport.c p2p_conn_send()):
#   N connections each send 30 READDIRs of a directory whose listing is
#   some 50 KiB, into a 4 KiB receive buffer, and read nothing.  Before,
#   each worker waited for room in sendmsg (sk_stream_wait_memory).
# - The drain after a final ERROR (transport.c p2p_conn_drain()): N
#   connections send LIST_EXPORTS instead of HELLO, read the ERROR and
#   keep their side open.  Before, each worker waited up to 2 s in the
#   drain's receive (sk_wait_data); the server still closes them after 2 s.
# - A HELLO waiting for its address's rate-limit token (server.c
#   p2p_server_auth_take()): with auth_burst 1, N HELLOs at once from one
#   address, one of which holds the token (its HANDSHAKE1 held back).
#   Before, the N - 1 others each held a worker in p2p_server_auth_take.
# Each case counts the kworkers sleeping there while all N wait: 0.  The
# debugfs file "workers" gives the pool's limit (2 x CPUs, at least 4) and
# the most runs seen at once: never above the limit.  And max_conns goes
# beyond the workqueue's 512 now: 600 connections held at once.
#
# HARD_NOWAIT_N (default 40): how many connections per case.
. "$(dirname "$0")/fixture.sh"
dp_setup

N=${HARD_NOWAIT_N:-40}
EVIL=198.18.0.4
pub=$DP_SRV/pub
mkdir -p "$pub/d"
nb ip addr add "$EVIL/24" dev vb
dp_user alice
dp_serve "export pub to alice" "$pub" --user alice:ro
name=$(printf 'n%.0s' {1..200})
for ((i = 0; i < 200; i++)); do
	: >"$pub/d/$name.$i"
done
read -r _ limit _ <"$params/workers"
echo "reset" >"$params/workers"
check "the pool has 2 x CPUs workers, at least 4 ($limit)" \
	test "$limit" -eq "$(($(nproc) * 2 > 4 ? $(nproc) * 2 : 4))"

# Small replies.
pids=()
for ((i = 0; i < N; i++)); do
	nb "$HARD_TOOL" flood - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" pub d 30 \
		>"$TEST_TMP/flood.$i" 2>&1 &
	pids+=($!)
done
# shellcheck disable=SC2317 # run by check/wait_for
all_sent() { [ "$(cat "$TEST_TMP"/flood.* | grep -c '^sent')" = "$N" ]; }
check "$N connections sent their READDIRs" wait_for 60 all_sent
sleep 2
blocked=$(kworkers_in sk_stream_wait_memory)
echo "# $N peers that read no reply: $blocked kworkers wait for room in sk_stream_wait_memory"
check_eq "all $N are connected" "$(dp_counter conns_active)" "$N"
check_eq "no worker waits to send a small reply" "$blocked" 0
kill "${pids[@]}" 2>/dev/null
wait
check "they are gone afterwards" wait_for 30 dp_counter_is conns_active 0
check "conn_objects is back to 0" wait_for 30 no_conns

# The drain.
nb "$HARD_TOOL" errwait - "$DP_A" "$DP_PORT" "$N" >"$TEST_TMP/errwait" 2>&1 &
pid=$!
check "$N connections got their ERROR" wait_for 60 grep -qx "ready $N" "$TEST_TMP/errwait"
blocked=$(kworkers_in sk_wait_data)
echo "# $N drains: $blocked kworkers wait in sk_wait_data"
check_eq "no worker waits in a drain" "$blocked" 0
check "the server closes them after the drain, the peers open" \
	wait_for 20 dp_counter_is conns_active 0
check "conn_objects is back to 0 after the drain" wait_for 30 no_conns
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# The cap is a memory bound now, no longer the workqueue's 512 work items
# (max_conns was 1 to 480): 600 connections held open at once, a client
# served meanwhile, and no kworker per connection.
M=600
check "max_conns above the workqueue's 512" na p2pctl limits set max_conns 1024
w0=$(kworkers)
nb "$HARD_TOOL" hold - "$DP_A" "$DP_PORT" "$M" >"$TEST_TMP/hold" 2>&1 &
pid=$!
check "$M connections open" wait_for 60 grep -qx "ready $M" "$TEST_TMP/hold"
check_eq "all $M are the server's" "$(dp_counter conns_active)" "$M"
w1=$(kworkers)
echo "# $M connections held: kworkers +$((w1 - w0))"
check "they added fewer than $((M / 10)) kworkers" test "$((w1 - w0))" -lt $((M / 10))
check "a client is served meanwhile" wait_for 20 pls alice pub
kill "$pid"
wait "$pid" 2>/dev/null
check "they are gone afterwards" wait_for 30 dp_counter_is conns_active 0

# The rate-limit token.
na p2pctl limits set auth_burst 1
gate=$TEST_TMP/gate
rm -f "$gate"
nb env HARD_GATE="$gate" "$HARD_TOOL" hellos "$EVIL" "$DP_A" "$DP_PORT" alice "$N" \
	>"$TEST_TMP/hellos" 2>&1 &
pid=$!
check "$N HELLOs sent" wait_for 30 grep -qx sent "$TEST_TMP/hellos"
sleep 1
blocked=$(kworkers_in p2p_server_auth_take)
echo "# $N HELLOs, one token: $blocked kworkers wait in p2p_server_auth_take"
check_eq "no worker waits for a rate-limit token" "$blocked" 0
touch "$gate"
wait "$pid"
rc=$?
echo "# $(tail -n 1 "$TEST_TMP/hellos")"
check_eq "every HELLO was answered" "$rc" 0
check "the token's holder failed, waiters were refused" \
	grep -qE '^replies 1 .*EAGAIN [0-9]+' "$TEST_TMP/hellos"
check "they are gone afterwards" wait_for 30 dp_counter_is conns_active 0

read -r _ limit _ _ _ peak <"$params/workers"
echo "# workers: limit $limit, most at once $peak"
check "never more runs at once than the pool's $limit ($peak)" test "$peak" -le "$limit"
check "the pool was used" test "$peak" -ge 1
tap_done
