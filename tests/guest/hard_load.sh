#!/bin/bash
# Load: 64 clients at once on host B, each fetching files of host A and
# checking every byte (whole files, random ranges, STATs, a new connection
# every 25 requests) for HARD_LOAD_SECS seconds (default 60).  No request
# may fail; the figures go to docs/SECURITY.md.
#
# HARD_LOAD_SECS, HARD_LOAD_CLIENTS (64), HARD_LOAD_FILES (32),
# HARD_LOAD_SIZE (65536 bytes each).
. "$(dirname "$0")/fixture.sh"
dp_setup

secs=${HARD_LOAD_SECS:-60}
clients=${HARD_LOAD_CLIENTS:-64}
files=${HARD_LOAD_FILES:-32}
size=${HARD_LOAD_SIZE:-65536}
pub=$DP_SRV/pub
mkdir -p "$pub"
"$HARD_TOOL" mkfiles "$pub" "$files" "$size"
dp_user alice
dp_serve "export pub to alice" "$pub" --user alice

# The first handshake instantiates the kernel's crypto algorithms, which
# test themselves first: seconds under TCG, not for 64 clients at once.
check "load: a first handshake" pls alice pub
before=$(dp_counter requests)
nb "$HARD_TOOL" load - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" pub "$files" "$size" \
	"$secs" "$clients" >"$TEST_TMP/load" 2>&1
rc=$?
sed 's/^/# /' "$TEST_TMP/load"
served=$(($(dp_counter requests) - before))
echo "# server: $served requests served, $(dp_counter conns_total) connections," \
	"$(dp_counter bytes_sent_zerocopy) bytes zero-copy, $(dp_counter errors) error frames"
check_eq "load: $clients clients for $secs s, no error" "$rc" 0
read -r _ _ _ n _ _ _ _ _ hs _ _ _ hsfail _ <<<"$(tail -n1 "$TEST_TMP/load")"
check "load: every client made requests (at least 4 each)" test "${n:-0}" -ge $((clients * 4))
# A guest starved by its host can miss the 10 s handshake deadline now
# and then: the client retries.  More than 1 in 10 would be a fault.
check "load: under 10% of the handshakes shed ($hsfail of $((hs + hsfail)))" \
	test "$((hsfail * 10))" -le "$((hs + hsfail))"
check_eq "load: the server counted every request" "$served" "$n"
check_eq "load: no error frame" "$(dp_counter errors)" 0
check "load: every connection closed" wait_for 20 dp_counter_is conns_active 0
echo "# guest time: $SECONDS s"
dp_done
