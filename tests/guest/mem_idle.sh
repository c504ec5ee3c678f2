#!/bin/bash
# Issue 16: kernel memory per idle authenticated connection, the figure
# docs/BENCHMARKS.md ("Server scaling: memory per idle connection") quotes.
# N connections are opened from host B and left idle; /proc/meminfo (Slab,
# KernelStack) and /proc/slabinfo are read before and after.  A plain TCP
# listener holding the same N connections is the baseline: what is left is
# the module's (its connection object, both ends' kTLS state, and before
# idle connections parked, the kworker that served each).  The ceiling is
# issue 16's target, 8 KiB; the kworker-per-connection server took 30 KiB
# on 6.1 and 21 KiB on 6.12, and added one kworker per connection.
# Then, as issue 16 asks of the event-driven server, that no worker waits
# on a socket: not for a silent peer's handshake, not for room to send to
# a slow reader, not for the rest of a request sent in pieces.
#
# MEM_IDLE_N (default 50): how many connections.
. "$(dirname "$0")/fixture.sh"
dp_setup

N=${MEM_IDLE_N:-50}
CEILING=8	# KiB per connection, module's part (see BENCHMARKS.md)
pub=$DP_SRV/pub
mkdir -p "$pub"
dp_user alice
dp_serve "export pub to alice" "$pub" --user alice:ro

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# kernel KiB: Slab + KernelStack
kmem() { echo $(($(meminfo Slab) + $(meminfo KernelStack))); }
# slab NAME BYTES, one line per cache, bytes in use (active objects)
slabs() { awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo | sort; }

# hold SECS PORT [USER KEY]: "KIB STACK_KIB KWORKERS" that N held
# connections add; the per-cache deltas land in $TEST_TMP/slabs.PORT.
hold() {
	local secs=$1 port=$2 k0 k1 t0 t1 w0 w1 pid
	shift 2
	sync
	sleep 1
	slabs >"$TEST_TMP/s0"
	k0=$(kmem) t0=$(meminfo KernelStack) w0=$(kworkers)
	ip netns exec b "$HARD_TOOL" hold - "$DP_A" "$port" "$N" "$@" >"$TEST_TMP/hold" 2>&1 &
	pid=$!
	wait_for "$secs" grep -q '^ready' "$TEST_TMP/hold" || { kill "$pid"; echo "0 0 0"; return; }
	sleep 1
	k1=$(kmem) t1=$(meminfo KernelStack) w1=$(kworkers)
	slabs >"$TEST_TMP/s1"
	kill "$pid"
	wait "$pid" 2>/dev/null
	join "$TEST_TMP/s0" "$TEST_TMP/s1" | awk '{ print $1, $3 - $2 }' >"$TEST_TMP/slabs.$port"
	echo "$((k1 - k0)) $((t1 - t0)) $((w1 - w0))"
}

ip netns exec a python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$DP_A"'", 7500)); s.listen(512)
held = []
while True: held.append(s.accept()[0])' &
plain=$!
wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/7500"
read -r plain_kib plain_stack plain_kw <<<"$(hold 60 7500)"
kill "$plain"
wait "$plain" 2>/dev/null

read -r p2p_kib p2p_stack p2p_kw <<<"$(hold 120 "$DP_PORT" alice "$DP_KEYS/alice.key")"
check_eq "all $N connections were authenticated and held" \
	"$(grep -c '^ready' "$TEST_TMP/hold")" 1
check "the connections are gone afterwards" wait_for 30 dp_counter_is conns_active 0
check "conn_objects is back to 0" wait_for 30 grep -qx 'conns 0 uploads 0' "$params/conn_objects"

# The module's part, per connection: bytes per cache over the baseline.
echo "# per connection, $N held, both ends, $(uname -r):"
echo "#   plain TCP: $((plain_kib * 1024 / N)) B (Slab+KernelStack), of it KernelStack $((plain_stack * 1024 / N)) B, kworkers +$plain_kw"
echo "#   p2pshare:  $((p2p_kib * 1024 / N)) B (Slab+KernelStack), of it KernelStack $((p2p_stack * 1024 / N)) B, kworkers +$p2p_kw"
echo "#   slab caches that moved by 256 B or more per connection, p2pshare minus plain TCP:"
join -a 2 -e 0 -o 0,1.2,2.2 "$TEST_TMP/slabs.7500" "$TEST_TMP/slabs.$DP_PORT" |
	awk -v n="$N" '{ d = ($3 - $2) / n } d >= 256 || d <= -256 { printf "#     %-24s %+7.0f B\n", $1, d }' |
	sort -k2 -n -r
module=$(((p2p_kib - plain_kib) * 1024 / N))
echo "#   module's part: $module B = $((module / 1024)) KiB per idle connection"
check "an idle authenticated connection costs the module < $CEILING KiB" \
	test "$module" -lt $((CEILING * 1024))
# Parked connections hold no worker (kmod/park.c): before, each held one.
check "$N idle connections added fewer than $((N / 5)) kworkers ($p2p_kw)" \
	test "$p2p_kw" -lt $((N / 5))

# Connections that have not authenticated wait without a worker too, for
# HELLO and HANDSHAKE1 (session.c handshake()): N that send nothing,
# counted well within the handshake deadline (10 s).  Before, each held a
# kworker blocked in its first read until the deadline.
w0=$(kworkers)
ip netns exec b "$HARD_TOOL" hold - "$DP_A" "$DP_PORT" "$N" >"$TEST_TMP/hold0" 2>&1 &
pid=$!
wait_for 8 grep -q '^ready' "$TEST_TMP/hold0"
sleep 1
w1=$(kworkers)
check "$N connections were open, not authenticated" grep -q '^ready' "$TEST_TMP/hold0"
check_eq "all $N wait in their handshake" "$(dp_counter conns_active)" "$N"
kill "$pid"
wait "$pid" 2>/dev/null
check "$N connections waiting for HELLO added fewer than $((N / 5)) kworkers ($((w1 - w0)))" \
	test "$((w1 - w0))" -lt $((N / 5))
check "they are gone afterwards" wait_for 30 dp_counter_is conns_active 0

# Nor do replies waiting for a slow reader (transport.c p2p_reply_send):
# N readers begin a READ of a 2 MiB file into a 4 KiB receive buffer and
# take nothing until all N are being served (hard_tool slow, HARD_GATE),
# then 16 KiB every 50 ms; the server's socket is full meanwhile.
# Before, each reply's worker waited in sendmsg for room
# (sk_stream_wait_memory), N of them; now none waits there.  The first
# readers keep their bytes, to check what resumed sends put together.
dp_rand "$pub/big" 2097152
gate=$TEST_TMP/gate
rm -f "$gate"
w0=$(kworkers)
for ((i = 0; i < N; i++)); do
	out=/dev/null
	[ "$i" -lt 4 ] && out=$TEST_TMP/got.$i
	ip netns exec b env HARD_GATE="$gate" "$HARD_TOOL" slow - "$DP_A" "$DP_PORT" alice \
		"$DP_KEYS/alice.key" pub big "$out" >"$TEST_TMP/slow.$i" 2>&1 &
done
# shellcheck disable=SC2317 # run by check/wait_for
all_started() { [ "$(cat "$TEST_TMP"/slow.* | grep -c '^started')" = "$N" ]; }
check "$N slow readers started" wait_for 60 all_started
sleep 1
blocked=$(kworkers_in sk_stream_wait_memory)
w1=$(kworkers)
check_eq "all $N are being served" "$(dp_counter conns_active)" "$N"
echo "# $N replies to readers that do not read: $blocked kworkers wait for room in" \
	"sk_stream_wait_memory, kworkers +$((w1 - w0))"
check_eq "no worker waits for room in a socket" "$blocked" 0
touch "$gate"
wait
check_eq "every slow reader got the whole file" \
	"$(cat "$TEST_TMP"/slow.* | grep -cx 'ok 2097152')" "$N"
# The replies went out in many pieces, resumed at every wake: the bytes too.
check_eq "the slow readers got the file's content" \
	"$(cat "$TEST_TMP"/got.* | sha256sum | cut -d' ' -f1)" \
	"$(cat "$pub/big" "$pub/big" "$pub/big" "$pub/big" | sha256sum | cut -d' ' -f1)"
check "they are gone afterwards" wait_for 30 dp_counter_is conns_active 0

# Nor do requests that arrive in pieces (transport.c frame_whole()): N
# connections each send the first 8 bytes of a STAT request as a record
# of its own, and the rest once all N did (HARD_GATE, 50 s at most).
# Before, each worker waited in the record layer's receive
# (tls_rx_rec_wait) for the rest.
rm -f "$gate"
for ((i = 0; i < N; i++)); do
	ip netns exec b env HARD_GATE="$gate" "$HARD_TOOL" split - "$DP_A" "$DP_PORT" alice \
		"$DP_KEYS/alice.key" pub big 50 >"$TEST_TMP/split.$i" 2>&1 &
done
# shellcheck disable=SC2317 # run by check/wait_for
all_sent() { [ "$(cat "$TEST_TMP"/split.* | grep -c '^sent')" = "$N" ]; }
check "$N requests half sent" wait_for 60 all_sent
sleep 1
blocked=$(kworkers_in tls_rx_rec_wait)
echo "# $N requests half sent: $blocked kworkers wait in tls_rx_rec_wait"
check_eq "no worker waits for the rest of a request" "$blocked" 0
touch "$gate"
wait
check_eq "every request in two records was answered" \
	"$(cat "$TEST_TMP"/split.* | grep -cx 'ok 2097152')" "$N"
check "they are gone afterwards" wait_for 30 dp_counter_is conns_active 0

# Nor do uploads whose sender pauses (ops.c p2p_ops_put_step()): N
# connections each begin a PUT of 1 MiB, send 100000 bytes of it and
# stop.  Before, each worker waited in the record layer's receive for
# the next PUT_DATA frame.  Killed, each upload is discarded.
up=$DP_SRV/up
mkdir -p "$up"
chown 65534:65534 "$up"
check "export up to alice (rw)" na p2pctl export "$up" --user alice:rw
stalled=()
for ((i = 0; i < N; i++)); do
	ip netns exec b "$HARD_TOOL" putstall - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" \
		up "f$i" 1048576 100000 >"$TEST_TMP/putstall.$i" 2>&1 &
	stalled+=($!)
done
# shellcheck disable=SC2317 # run by check/wait_for
all_stalled() { [ "$(cat "$TEST_TMP"/putstall.* | grep -c '^sent')" = "$N" ]; }
check "$N uploads begun and paused" wait_for 60 all_stalled
sleep 1
blocked=$(kworkers_in tls_rx_rec_wait)
echo "# $N uploads paused: $blocked kworkers wait in tls_rx_rec_wait"
check_eq "no worker waits for an upload's next bytes" "$blocked" 0
check_eq "$N uploads in progress" "$(awk '{ print $4 }' "$params/conn_objects")" "$N"
kill "${stalled[@]}" 2>/dev/null
wait
check "their connections are gone" wait_for 30 dp_counter_is conns_active 0
check "every upload was discarded" wait_for 30 grep -qx 'conns 0 uploads 0' "$params/conn_objects"
check_eq "nothing is left in the export" "$(find "$up" -mindepth 1 | wc -l)" 0
tap_done
