#!/bin/bash
# The protocol conformance suite (build/tests/helpers/dp_conformance, from
# dp_conformance.c) against the kernel server: host A holds the fixture the
# suite documents, host B runs it. The userspace twin server is to run the
# same program with the same fixture.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dp_lib.sh"
tap_plan
# Many checks end a connection between HELLO and an authenticated
# handshake, and each such HELLO spends a token of the address's
# handshake budget (auth_burst); the suite checks the protocol, not that
# limit (sec4_auth_reserve and hard_limits do): no limit here.
dp_setup auth_burst=0
umask 022

docs=$DP_SRV/docs
mkdir -p "$docs/sub"
echo hello >"$docs/hello.txt"
(cd "$docs/sub" && touch $(seq -f 'f%g' 20))
ln -s hello.txt "$docs/link"
ln -s sub "$docs/sublink"
mkfifo "$docs/fifo"
mkdir "$docs/mnt"
mount -t tmpfs -o size=1m p2p-conf "$docs/mnt"
chown 65534:65534 "$docs"
dp_user alice
check "export docs to alice (rw), the suite's fixture" na p2pctl export "$docs" --user alice:rw
dp_listening

nb "$P2P_ROOT/build/tests/helpers/dp_conformance" "$DP_A" "$DP_PORT" alice \
	"$DP_KEYS/alice.key" docs >"$TEST_TMP/suite" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "conformance: ${line#ok * - }" ;;
	"not ok "*) not_ok "conformance: ${line#not ok * - }" ;;
	"Bail out!"*) not_ok "conformance: ${line#Bail out! }" ;;
	"TAP version"* | 1..*) ;;
	*) echo "# $line" ;;
	esac
done <"$TEST_TMP/suite"
check_eq "conformance: the suite exits 0" "$rc" 0
dp_done
