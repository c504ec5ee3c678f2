#!/bin/bash
# Protocol v2 from the spec alone: spec_client.py, which shares no code with
# p2pctl or the module (Noise and the TLS 1.3 records in Python, no kTLS),
# authenticates, lists the exports and reads files with each cipher; the
# server's choice follows its preference (listen-set cipher) when the offer
# allows it. Checked by SHA-256.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
mkdir -p "$docs"
dp_rand "$docs/small" 4096
dp_rand "$docs/big" 3145733
: >"$docs/empty"
dp_user alice
check "export docs, alice ro" na p2pctl export "$docs" --user alice:ro
dp_listening

spec() { nb python3 "$P2P_ROOT/tests/helpers/spec_client.py" "$DP_A" "$DP_PORT" alice \
	"$DP_KEYS/alice.key" "$@"; }
want() { echo "cipher $1"; echo "export docs"; echo "sha256 $(sha256sum <"$docs/$2" |
	cut -d' ' -f1) size $(stat -c %s "$docs/$2")"; }

for c in aes-128-gcm chacha20-poly1305; do
	for f in small big empty; do
		check_out "$c: read $f, same SHA-256" "$(want "$c" "$f")" spec "$c" docs "$f"
	done
done
check_out "an offer of both: the server's default, aes-128-gcm" \
	"$(want aes-128-gcm small)" spec any docs small
# PROTOCOL.md 6.7: padding zeros MAY follow a record's content type.
for c in aes-128-gcm chacha20-poly1305; do
	check_out "$c: requests in records padded with 255 zeros are read" \
		"$(want "$c" small)" nb env P2P_SPEC_PAD=255 python3 \
		"$P2P_ROOT/tests/helpers/spec_client.py" "$DP_A" "$DP_PORT" alice \
		"$DP_KEYS/alice.key" "$c" docs small
done

# PROTOCOL.md 6.8: at the record limit the stream ends with EKEYEXPIRED.
echo 64 >/sys/kernel/debug/p2pshare/record_limit
spec aes-128-gcm docs big >"$TEST_TMP/lim.out" 2>"$TEST_TMP/lim.err"
check_out "at record_limit 64 a 3 MiB READ ends with ERROR EKEYEXPIRED" \
	"ERROR 127 record limit reached, reconnect" head -1 "$TEST_TMP/lim.err"
lim_bytes() { sed -n 's/^after \([0-9]*\) bytes$/\1/p' "$TEST_TMP/lim.err"; }
check "... after some bytes of the file, fewer than 64 records carry" \
	test "$(lim_bytes)" -gt 0 -a "$(lim_bytes)" -lt $((64 * 16384))
# shellcheck disable=SC2317 # run by check
limit_count() { na p2pctl show -j | grep -q '"record_limit": *1\b'; }
check "... counted as record_limit in the namespace" limit_count
echo 16777216 >/sys/kernel/debug/p2pshare/record_limit
check_fail "a wrong key fails the handshake" "ERROR 13 authentication failed" \
	nb python3 "$P2P_ROOT/tests/helpers/spec_client.py" "$DP_A" "$DP_PORT" alice \
	<(p2pctl genkey) aes-128-gcm docs small
dp_done
