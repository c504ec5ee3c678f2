#!/bin/bash
# Finding 7 (a) of the December 2026 review: a request takes the export's
# reference and records the export in its connection's set as one step, so
# `unexport` ends every connection that uses it. The window the fix closed
# is a few instructions wide and cannot be hit on purpose without a delay
# in the module; this test checks the invariant under load instead: in
# each round, slow READs start while the export is removed, and every one
# of them is refused or cut short, never served to its end, and no
# connection outlives the round.
. "$(dirname "$0")/fixture.sh"
dp_setup

ROUNDS=${SEC7_ROUNDS:-6}
CLIENTS=6
e=$DP_SRV/e
mkdir -p "$e" "$DP_SRV/keep"
dp_rand "$e/big" 4194304
dp_user alice
dp_serve "export keep (the listener stays up)" "$DP_SRV/keep" --user alice

served=0 cut=0 refused=0 leftover=0
for ((r = 1; r <= ROUNDS; r++)); do
	na p2pctl export "$e" --user alice || { not_ok "round $r: export e"; continue; }
	rm -f "$TEST_TMP"/r*
	for ((i = 0; i < CLIENTS; i++)); do
		# Staggered over ~0.3 s around the unexport below.
		(sleep "0.0$((i * 6))"; exec nsenter --net=/run/netns/b "$DP_TOOL" slowget \
			"$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" e big) >"$TEST_TMP/r$i" 2>&1 &
	done
	sleep 0.15
	na p2pctl unexport e
	wait	# a READ served whole takes ~5 s (slowget), a cut one less
	for ((i = 0; i < CLIENTS; i++)); do
		if grep -q '^ok' "$TEST_TMP/r$i"; then
			served=$((served + 1))
			sed "s/^/# round $r client $i: /" "$TEST_TMP/r$i"
		elif grep -q '^short\|^closed\|^local-error' "$TEST_TMP/r$i"; then
			cut=$((cut + 1))
		else
			refused=$((refused + 1))
		fi
	done
	wait_for 10 no_conns || leftover=$((leftover + 1))
done
echo "# $((ROUNDS * CLIENTS)) READs: $cut cut short, $refused refused, $served served whole"
check_eq "no READ begun before the unexport is served to its end" "$served" 0
check "some READs were cut short (the race was run)" test "$cut" -gt 0
check_eq "no connection outlives its round" "$leftover" 0
check_out "the export is gone" "keep" sh -c \
	"nsenter --net=/run/netns/a p2pctl show -j | python3 -c 'import json,sys; print(*[x[\"name\"] for x in json.load(sys.stdin)[\"exports\"]])'"
dp_done
