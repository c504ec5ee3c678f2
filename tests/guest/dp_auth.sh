#!/bin/bash
# Authentication: trust on first use of the host key, a wrong private key
# and an unknown user (the same answer), a changed host key and a
# --host-key mismatch (refused before the handshake, known_hosts left
# alone), a replayed HANDSHAKE1 (refused: the server's fresh challenge is in
# the prologue), and the rate limit on failed handshakes per source address.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
mkdir -p "$docs"
echo hello >"$docs/hello.txt"
dp_user alice
p2pctl genkey >"$DP_KEYS/mallory.key"
p2pctl genkey >"$DP_KEYS/zed.key"
check "export docs to alice" na p2pctl export "$docs" --user alice
dp_listening
hostkey=$(na p2pctl hostkey)

# trust on first use
rm -f "$P2P_KNOWN_HOSTS"
pls alice "" >/dev/null 2>"$TEST_TMP/stderr"
check_eq "first use: ls succeeds" "$?" 0
check_out "first use: stderr says the key is trusted" \
	"p2pctl: trusting new host key for $DP_A:$DP_PORT: $hostkey (stored in $P2P_KNOWN_HOSTS)" \
	cat "$TEST_TMP/stderr"
check_out "first use: known_hosts holds the key" "$DP_A:$DP_PORT $hostkey" cat "$P2P_KNOWN_HOSTS"
pls alice "" >/dev/null 2>"$TEST_TMP/stderr"
check_out "second use: nothing on stderr" "" cat "$TEST_TMP/stderr"

# wrong key, unknown user: one answer
check_fail "wrong private key" 'authentication failed for user "alice"' \
	nb p2pctl ls "$(dp_url alice docs)" --key-file "$DP_KEYS/mallory.key"
nb p2pctl ls "$(dp_url alice docs)" --key-file "$DP_KEYS/mallory.key" 2>"$TEST_TMP/e1"
rc1=$?
check_fail "unknown user" 'authentication failed for user "zed"' \
	nb p2pctl ls "$(dp_url zed docs)" --key-file "$DP_KEYS/zed.key"
nb p2pctl ls "$(dp_url zed docs)" --key-file "$DP_KEYS/zed.key" 2>"$TEST_TMP/e2"
rc2=$?
check_eq "unknown user: same exit status as a wrong key" "$rc2" "$rc1"
check_eq "unknown user: same message as a wrong key" \
	"$(sed 's/"zed"/"X"/' "$TEST_TMP/e2")" "$(sed 's/"alice"/"X"/' "$TEST_TMP/e1")"
check_out "HELLO of an unknown user is answered like a known one's" "ok" dpt hello zed zed
check_out "HELLO of a known user" "ok" dpt hello alice alice
check_out "four failed handshakes counted" "4" dp_counter auth_failed

# a replayed HANDSHAKE1
check_out "a replayed HANDSHAKE1 is refused" "EACCES" dpt replay alice

# changed host key
p2pctl genkey >"$TEST_TMP/newhost.key"
newkey=$(p2pctl pubkey <"$TEST_TMP/newhost.key")
kh_before=$(sha "$P2P_KNOWN_HOSTS")
check "host A changes its host key" na p2pctl hostkey set "$TEST_TMP/newhost.key"
check_fail "changed host key: refused" \
	"host key for $DP_A:$DP_PORT has CHANGED (stored $hostkey, offered $newkey); if this is expected, remove line 1 of $P2P_KNOWN_HOSTS" \
	pls alice ""
check_eq "changed host key: known_hosts untouched" "$(sha "$P2P_KNOWN_HOSTS")" "$kh_before"
check_fail "--host-key mismatch: refused" "does not match --host-key" \
	pls alice docs --host-key "$hostkey"
check "--host-key with the new key: accepted" pls alice docs --host-key "$newkey"
check_eq "--host-key: known_hosts untouched" "$(sha "$P2P_KNOWN_HOSTS")" "$kh_before"
check_out "a refused host key is no failed handshake on the server" "5" dp_counter auth_failed

# Rate limit: a fresh source address (198.18.0.3) has auth_burst (10)
# failed handshakes, then HELLO gets EAGAIN until a token comes back (one
# every 3 s). dp_tool fails them faster than that.
nb ip addr add 198.18.0.3/24 dev vb
nb ip route replace 198.18.0.0/24 dev vb src 198.18.0.3
nb "$DP_TOOL" hammer "$DP_A" "$DP_PORT" alice "$DP_KEYS/mallory.key" 12 >"$TEST_TMP/hammer"
dpt hello alice alice >>"$TEST_TMP/hammer" 2>/dev/null
echo "# handshakes from 198.18.0.3: $(tr '\n' ' ' <"$TEST_TMP/hammer")"
check_eq "rate limit: 10 failed handshakes, then EAGAIN" \
	"$(grep -v '^time' "$TEST_TMP/hammer" | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')" \
	"10*EACCES 3*EAGAIN "
# A token may have come back meanwhile: p2pctl consumes it, then is refused.
# shellcheck disable=SC2317 # run by check_fail
ratelimited() {
	local i
	for i in 1 2 3; do
		nb p2pctl ls "$(dp_url alice)" --key-file "$DP_KEYS/mallory.key" \
			--host-key "$newkey" 2>"$TEST_TMP/stderr" && return 1
		grep -q "too many failed handshakes" "$TEST_TMP/stderr" && break
	done
	cat "$TEST_TMP/stderr" >&2
	return 1
}
check_fail "rate limit: p2pctl says so" \
	"cannot connect to $DP_A:$DP_PORT: too many failed handshakes, try later (EAGAIN)" \
	ratelimited
check "rate limit: counted in auth_ratelimited" test "$(dp_counter auth_ratelimited)" -ge 4
nb ip route replace 198.18.0.0/24 dev vb src "$DP_B"
check "rate limit: another address (198.18.0.2) still gets in" pls alice "" --host-key "$newkey"
dp_done
