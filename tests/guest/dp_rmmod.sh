#!/bin/bash
# Orderly shutdown with transfers in flight: unexport closes the transfers
# of that export; rmmod while 8 transfers of 16 MiB run succeeds, the
# clients get errors, the module is gone; a namespace that exits with a
# transfer running leaves nothing behind. The clients read slowly into a
# small receive buffer (dp_tool slowget), so the transfers are still
# running when the server goes away.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
other=$DP_SRV/other
mkdir -p "$docs" "$other"
for i in 0 1 2 3 4 5 6 7; do
	truncate -s 16M "$docs/b$i"
done
truncate -s 16M "$other/big"
dp_user alice
# shellcheck disable=SC2317 # run by check
export_both() { na p2pctl export "$docs" --user alice && na p2pctl export "$other" --user alice; }
check "export docs and other to alice" export_both
dp_listening
dp_pin

# failed PID FILE: the slow client ended with an error, having started.
failed() {
	wait "$1"
	[ $? = 1 ] && grep -qx started "$2" && grep -q '^short ' "$2"
}

dpt_bg "$TEST_TMP/u" slowget alice other big
u=$!
check "unexport: a transfer of other is running" wait_for 30 grep -qx started "$TEST_TMP/u"
check "unexport other meanwhile" na p2pctl unexport other
kill -USR1 "$u"
check "unexport: the client's transfer failed" failed "$u" "$TEST_TMP/u"
sed 's/^/# /' "$TEST_TMP/u"
check "unexport: conns_active back to 0" wait_for 10 dp_counter_is conns_active 0

pids=()
for i in 0 1 2 3 4 5 6 7; do
	dpt_bg "$TEST_TMP/s$i" slowget alice docs "b$i"
	pids+=($!)
done
# shellcheck disable=SC2317 # run by check/wait_for
all_started() { [ "$(cat "$TEST_TMP"/s? | grep -cx started)" = 8 ]; }
check "rmmod: 8 transfers running" wait_for 60 all_started
check_out "rmmod: conns_active is 8" "8" dp_counter conns_active
check "rmmod while they run" rmmod p2pshare
check "rmmod: the module is gone" test ! -e /sys/module/p2pshare
n=0
for i in 0 1 2 3 4 5 6 7; do
	kill -USR1 "${pids[i]}" 2>/dev/null
	failed "${pids[i]}" "$TEST_TMP/s$i" && n=$((n + 1))
done
check_eq "rmmod: all 8 clients saw their transfer fail" "$n" 8
sed 's/^/# /' "$TEST_TMP/s0"
check_fail "rmmod: nobody listens any more" "Connection refused" pls alice ""

# A namespace that exits with a transfer running.
dp_setup
dp_user alice
check "netns exit: export docs again" na p2pctl export "$docs" --user alice
dp_listening
dpt_bg "$TEST_TMP/n" slowget alice docs b0
nsc=$!
check "netns exit: a transfer is running" wait_for 30 grep -qx started "$TEST_TMP/n"
check "netns exit: delete host A's namespace" ip netns del a
# The link went with it: the client would wait for its timeout.
kill "$nsc"
wait "$nsc" 2>/dev/null
check "netns exit: the module unloads afterwards" wait_for 20 rmmod p2pshare
check "netns exit: the module is gone" test ! -e /sys/module/p2pshare
dp_done
