#!/bin/bash
# Finding 7 of issue 13 (listener): `p2pctl listen` opens the new listening
# socket before it closes the old one, so that a local unprivileged user
# looping on bind(2) never takes the port between the two; a change that
# cannot open its socket leaves the old listener serving.  The squatter
# (uid 1000, SO_REUSEADDR and SO_REUSEPORT) runs in host A's namespace
# while the listener moves between a specific address, every address over
# IPv6 and IPv4, and a port that someone else holds.
#
# SEC7_ROUNDS (default 4): rounds of listener changes under the squatter.
. "$(dirname "$0")/fixture.sh"
dp_setup

P=$DP_PORT
P2=7438
P3=7439
rounds=${SEC7_ROUNDS:-4}
mkdir -p "$DP_SRV/pub"
dp_user alice
dp_serve "export pub to alice" "$DP_SRV/pub" --user alice

# Not a shell function in the background: $! must be the process itself.
unpriv=(nsenter --net=/run/netns/a setpriv --reuid=1000 --regid=1000 --clear-groups)
# The port a listener of host A answers on.
answers() { nb bash -c "exec 3<>/dev/tcp/$DP_A/$1"; }
# shellcheck disable=SC2317 # run by check
lsport() { nb p2pctl ls "p2p://alice@$DP_A:$1/pub" --key-file "$DP_KEYS/alice.key" \
	--host-key "$(na p2pctl hostkey)"; }
# shellcheck disable=SC2317 # run by check_out
listener() { na p2pctl show -j | python3 -c '
import json, sys
l = json.load(sys.stdin)["listener"]
print(l["address"], l["port"], l["active"])'; }

"${unpriv[@]}" python3 -c '
import signal, socket, sys, time
port = int(sys.argv[1])
tries = got = 0
def stop(*a):
    print("tries", tries, "got", got, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("squatting", flush=True)
while True:
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET, sys.argv[2]),
                      (socket.AF_INET6, "::")):
        s = socket.socket(fam)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        tries += 1
        try:
            s.bind((addr, port))
            s.listen()
            got += 1
            print("GOT", addr, port, flush=True)
            time.sleep(0.2)
        except OSError:
            pass
        s.close()
' "$P" "$DP_A" >"$TEST_TMP/squat" 2>&1 &
squat=$!
check "the squatter runs (uid 1000)" wait_for 20 grep -q '^squatting' "$TEST_TMP/squat"
# Someone else's listener on P3 (uid 1000 too): listen :P3 must fail.
"${unpriv[@]}" python3 -c '
import socket, time
s = socket.socket(); s.bind(("0.0.0.0", '"$P3"')); s.listen(); print("held", flush=True)
time.sleep(600)' >"$TEST_TMP/held" 2>&1 &
held=$!
check "port $P3 is held by another process" wait_for 20 grep -q '^held' "$TEST_TMP/held"

bad_set=0 bad_conn=0 bad_fail=0
for ((i = 0; i < rounds; i++)); do
	for a in "$DP_A:$P" ":$P" "0.0.0.0:$P" "0.0.0.0:$P" "$DP_A:$P"; do
		if ! na p2pctl listen "$a" 2>"$TEST_TMP/err"; then
			bad_set=$((bad_set + 1))
			sed 's/^/#   listen '"$a"': /' "$TEST_TMP/err"
		fi
		answers "$P" || bad_conn=$((bad_conn + 1))
	done
	if na p2pctl listen ":$P3" 2>"$TEST_TMP/err" ||
	   ! grep -q "port $P3 is already in use" "$TEST_TMP/err"; then
		bad_fail=$((bad_fail + 1))
		sed 's/^/#   listen :'"$P3"': /' "$TEST_TMP/err"
	fi
	answers "$P" || bad_conn=$((bad_conn + 1))
done
kill "$squat"
wait "$squat"
echo "# squatter: $(tail -n1 "$TEST_TMP/squat")"
check_eq "$((rounds * 5)) changes on port $P all succeeded" "$bad_set" 0
check_eq "$((rounds)) changes to the held port $P3 all failed, EADDRINUSE's message" "$bad_fail" 0
check_eq "the server answered on port $P after every change" "$bad_conn" 0
check "the squatter never got port $P" grep -q ' got 0$' "$TEST_TMP/squat"
check_out "listener: $DP_A $P, active" "$DP_A $P True" listener
check "a client is served on port $P" lsport "$P"

# Away and back: the old port is closed, the new one serves.
check "listen :$P2" na p2pctl listen ":$P2"
check "a client is served on port $P2" lsport "$P2"
check "port $P is closed" wait_for 5 bash -c "! nsenter --net=/run/netns/b bash -c 'exec 3<>/dev/tcp/$DP_A/$P'"
check_fail "listen :$P3 (held) fails" "port $P3 is already in use" na p2pctl listen ":$P3"
check_out "listener: still port $P2" "None $P2 True" listener
check "a client is still served on port $P2" lsport "$P2"
check_fail "listen on an address not configured here fails" \
	"the listen address is not configured here" na p2pctl listen "198.18.0.99:$P"
check "a client is still served on port $P2 after that" lsport "$P2"
check "back to :$P" na p2pctl listen ":$P"
check "a client is served on port $P" lsport "$P"
check "port $P2 is closed" wait_for 5 bash -c "! nsenter --net=/run/netns/b bash -c 'exec 3<>/dev/tcp/$DP_A/$P2'"
kill "$held"
wait "$held" 2>/dev/null
dp_done
