#!/bin/bash
# The protocol conformance suite (build/tests/helpers/dp_conformance, from
# dp_conformance.c) against the kernel server: host A holds the fixture the
# suite documents, host B runs it. The userspace twin server is to run the
# same program with the same fixture.
. "$(dirname "$0")/fixture.sh"
# Many checks end a connection between HELLO and an authenticated
# handshake, and each such HELLO spends a token of the address's
# handshake budget (auth_burst); the suite checks the protocol, not that
# limit (sec4_auth_reserve and hard_limits do): no limit here.
dp_setup auth_burst=0

docs=$DP_SRV/docs
conformance_tree "$docs"
dp_user alice
check "export docs to alice (rw), the suite's fixture" na p2pctl export "$docs" --user alice:rw
dp_listening

nb "$CONFORMANCE" "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" docs >"$TEST_TMP/suite" 2>&1
rc=$?
tap_relay conformance "$TEST_TMP/suite"
check_eq "conformance: the suite exits 0" "$rc" 0
dp_done
