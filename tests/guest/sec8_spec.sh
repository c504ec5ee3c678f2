#!/bin/bash
# Finding 8 of the December 2026 review (docs/SECURITY.md 4.2): the spec
# and the code disagreed.  Here the two user-visible ones, on the module
# and the twin; the rest of the finding (cookies, fifo, empty PUT_DATA,
# tag 0, a second HELLO, mount points) is in the conformance suite
# (dp_conformance.sh, dp_conformance_twin.sh).
# - PROTOCOL.md 6.3: an all-zero DH result (a low-order key) MUST fail
#   authentication; the module answered HANDSHAKE2 to an ephemeral key of
#   u=0 or u=1.  Now EACCES "authentication failed", counted in auth_failed.
# - PROTOCOL.md 7.5: a PUT onto a directory was answered OK, took all the
#   data, then EISDIR; now EISDIR at PUT_BEGIN, before any data.
# - The twin answered a PUT through a symlinked directory with ENOTDIR
#   where the spec and the module say ELOOP.
# - user add/set accepted a low-order static public key (a user no one can
#   ever authenticate as); now refused with the reason.
#
#  netns a: module :7437, p2pd :7447        netns b: dp_conformance, p2pctl
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
mkdir -p "$docs/sub"
ln -s sub "$docs/sublink"
chown -R 65534:65534 "$docs"
dp_user alice || { echo "Bail out! cannot add alice"; exit 1; }
# shellcheck disable=SC2016 # expanded by the inner shell
check "export docs to alice (rw), save the state for the twin" \
	na sh -c 'p2pctl export "$1" --user alice:rw && p2pctl save >"$2"' \
		- "$docs" "$TEST_TMP/p2p.conf"
dp_listening
dp_rand "$DP_DL/big" 16777216

# lowkey WHO: the suite's low-order handshakes against $DP_PORT.
lowkey() {
	nb "$CONFORMANCE" "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" docs lowkey \
		>"$TEST_TMP/lowkey" 2>&1
	rc=$?
	tap_relay "$1" "$TEST_TMP/lowkey"
	check_eq "$1: the low-order checks pass" "$rc" 0
}

# put_onto_dir WHO: p2pctl put onto the directory sub.
put_onto_dir() {
	check_fail "$1: put onto a directory fails with EISDIR" "(EISDIR)" \
		pput "$DP_DL/big" alice docs/sub
	check_out "$1: sub is still a directory, empty" "" ls -A "$docs/sub"
	check_fail "$1: put through a symlinked directory fails with ELOOP" \
		"(ELOOP)" pput "$DP_DL/big" alice docs/sublink/x
	check_out "$1: nothing written through the link" "" ls -A "$docs/sub"
}

dp_pin
failed0=$(dp_counter auth_failed)
ok0=$(dp_counter auth_ok)
lowkey module
check_eq "module: both low-order handshakes counted in auth_failed" \
	"$(($(dp_counter auth_failed) - failed0))" 2
check_eq "module: the real one in auth_ok" "$(($(dp_counter auth_ok) - ok0))" 1
recv0=$(dp_counter bytes_recv)
put_onto_dir module
recv=$(($(dp_counter bytes_recv) - recv0))
echo "# module: $recv bytes received for the refused puts of 16 MiB"
check "module: the data of a refused put is never sent (< 1 MiB received)" \
	test "$recv" -lt 1048576

# The static key of user add/set: a low-order point (here u=1, u=p-1 and a
# point of order 8) can never authenticate, its DH result being zero for
# every host key; the module refuses it instead of storing a dead user.
lowpub() {
	check_fail "user add with the low-order key $1 is refused" \
		"public key is a low-order point" na p2pctl user add low --pubkey "$2"
	check_fail "user set alice to the low-order key $1 is refused" \
		"public key is a low-order point" na p2pctl user set alice --pubkey "$2"
}
lowpub u=1 AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
lowpub u=p-1 7P///////////////////////////////////////38=
lowpub "of order 8" 4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=
check_fail "no user low was added" "user \"low\" unknown" na p2pctl user del low
check "alice's own key still works" pstat alice docs/sub

[ -x "$P2PD" ] || { echo "Bail out! no $P2PD (make twin)"; exit 1; }
DP_PORT=7447
# nsenter itself, not the function na: $! is then p2pd's pid, which kill ends
nsenter --net=/run/netns/a "$P2PD" -c "$TEST_TMP/p2p.conf" -l "$DP_A:$DP_PORT" \
	2>"$TEST_TMP/p2pd.err" &
twin=$!
if dp_listening; then
	dp_pin
	lowkey twin
	put_onto_dir twin
else
	not_ok "twin: p2pd listens on port $DP_PORT"
	sed 's/^/#   /' "$TEST_TMP/p2pd.err"
fi
kill "$twin"
wait "$twin" 2>/dev/null
dp_done
