#!/bin/bash
# Finding 4 of issue 13: the per-address handshake limit takes its token
# at HELLO, before the server spends X25519 work, and a handshake that
# authenticates gives it back.  With auth_burst 1 (a bucket of one token,
# so that waits of 3 s and more leave exactly one) the attacker 198.18.0.3
# spends its token, waits for it to come back (one per 3 s), then sends
# 60 HELLOs at once and a bad HANDSHAKE1 on each HELLO_REPLY: one costs a
# handshake, 59 are refused EAGAIN (before the fix all 60 passed).  A good
# client from that address gets in once a token is there, successes leave
# the bucket as it was, and concurrent good handshakes are served in turn.
. "$(dirname "$0")/fixture.sh"
dp_setup

EVIL=198.18.0.3
N=60
pub=$DP_SRV/pub
mkdir -p "$pub"
nb ip addr add "$EVIL/24" dev vb
dp_user alice
dp_user bob
check "export pub to alice" na p2pctl export "$pub" --user alice
dp_listening
na p2pctl limits set auth_burst 1

# auth KEY N: N handshakes as alice from $EVIL, one after the other.
# shellcheck disable=SC2317 # run by check_out
auth() { nb "$HARD_TOOL" auth "$EVIL" "$DP_A" "$DP_PORT" alice "$DP_KEYS/$1.key" "$2"; }

check_out "a failed handshake spends the bucket" "EACCES " auth bob 1
check_out "then HELLO is refused" "EAGAIN " auth bob 1
failed0=$(dp_counter auth_failed)
limited0=$(dp_counter auth_ratelimited)
sleep 3.5
nb "$HARD_TOOL" hellos "$EVIL" "$DP_A" "$DP_PORT" alice "$N" >"$TEST_TMP/hellos" 2>&1
echo "# $N concurrent HELLOs with one token: $(cat "$TEST_TMP/hellos")"
failed=$(($(dp_counter auth_failed) - failed0))
limited=$(($(dp_counter auth_ratelimited) - limited0))
echo "# auth_failed +$failed, auth_ratelimited +$limited"
check "burst: at most one of $N costs a handshake (auth_failed +$failed)" \
	test "$failed" -le 1
check_eq "burst: one HELLO_REPLY, answered EACCES, $((N - 1)) EAGAIN" \
	"$(cat "$TEST_TMP/hellos")" "replies 1 EAGAIN $((N - 1)) EACCES 1"
check_eq "burst: counted in auth_ratelimited" "$limited" "$((N - 1))"

sleep 3.5
check_out "a good client from that address gets in once a token is back" \
	"ok ok ok ok ok " auth alice 5
check_out "successes left the token: a wrong key still costs one" "EACCES " auth bob 1
check_out "which leaves none" "EAGAIN " auth alice 1

# Concurrent good handshakes wait for each other's outcome, not refused.
sleep 3.5
ok0=$(dp_counter auth_ok)
for i in 1 2 3 4 5 6 7 8; do
	nb "$HARD_TOOL" auth "$EVIL" "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" 1 \
		>"$TEST_TMP/good$i" 2>&1 &
done
wait
check_eq "8 concurrent good handshakes with one token all succeed" \
	"$(cat "$TEST_TMP"/good* | tr -d '\n')" "ok ok ok ok ok ok ok ok "
check_eq "the server counted them" "$(($(dp_counter auth_ok) - ok0))" 8
check_out "and the token is still there" "EACCES " auth bob 1
check "no connection left" wait_for 20 grep -qx 'conns 0 uploads 0' "$params/conn_objects"
dp_done
