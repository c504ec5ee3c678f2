#!/bin/bash
# The protocol conformance suite (build/tests/helpers/dp_conformance) against the
# userspace twin server, userspace/p2pd/p2pd, in both data modes: the same
# program and the same fixture as dp_conformance.sh runs against the module.
# The twin reads the file `p2pctl save` writes for host A, so the module holds
# the users, exports and grants and the twin serves them on ports of its own.
# Then what protocol v2 adds, against the twin: the kernel's TLS records
# against the v2 test vector, the cipher preference (--cipher, the save
# file's), the record limit (ERROR EKEYEXPIRED after the last whole frame),
# and records that fail authentication (a silent close, counted and logged,
# an upload in flight dropped).
#
#  netns a: p2pd --mode copy :7447, p2pd --mode sendfile :7448, others on
#           :7449.. (and the module's listener on :7437, unused here)
#                                                     netns b: dp_conformance,
#                                                              dp_tool
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs

# run_suite MODE PORT: a fresh fixture, the twin in MODE, the suite against it.
run_suite() {
	local mode=$1 port=$2 pid rc
	mountpoint -q "$docs/mnt" && umount "$docs/mnt"
	# Emptied, not replaced: the state file names this directory by its
	# device and inode too, and the twin, as p2pctl load, checks them.
	find "$docs" -mindepth 1 -delete
	conformance_tree "$docs"
	# nsenter itself, not the function na: $! is then p2pd's pid
	nsenter --net=/run/netns/a "$P2PD" -c "$TEST_TMP/p2p.conf" -l "$DP_A:$port" \
		--mode "$mode" 2>"$TEST_TMP/p2pd.err" &
	pid=$!
	if ! wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/$port"; then
		not_ok "$mode: p2pd listens on port $port"
		sed 's/^/#   /' "$TEST_TMP/p2pd.err"
		return
	fi
	nb "$CONFORMANCE" "$DP_A" "$port" alice "$DP_KEYS/alice.key" docs >"$TEST_TMP/suite" 2>&1
	rc=$?
	tap_relay "$mode" "$TEST_TMP/suite"
	check_eq "$mode: the suite exits 0" "$rc" 0
	kill "$pid"
	wait "$pid" 2>/dev/null
}

[ -x "$P2PD" ] || { echo "Bail out! no $P2PD (make twin)"; exit 1; }
mkdir -p "$docs"
dp_user alice
# Export and save in one "ip netns exec": each makes a mount namespace of its
# own, and save names the export's path as seen from the one it was made in.
# shellcheck disable=SC2016 # expanded by the inner shell
check "export docs to alice (rw) and save the state for the twin" \
	na sh -c 'p2pctl export "$1" --user alice:rw && p2pctl save >"$2"' - "$docs" "$TEST_TMP/p2p.conf"

run_suite copy 7447
run_suite sendfile 7448

# tw SUBCMD PORT ARGS...: dp_tool on host B as alice against the twin.
tw() { local c=$1 p=$2; shift 2; nb "$DP_TOOL" "$c" "$DP_A" "$p" alice "$DP_KEYS/alice.key" "$@"; }

# twin_start PORT CONF ARGS...: p2pd on PORT in the background ($twin_pid,
# its stderr in $TEST_TMP/twin.PORT); false if it does not listen.
twin_start() {
	local port=$1 conf=$2
	shift 2
	nsenter --net=/run/netns/a "$P2PD" -c "$conf" -l "$DP_A:$port" "$@" \
		2>"$TEST_TMP/twin.$port" &
	twin_pid=$!
	wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/$port" &&
		kill -0 "$twin_pid" 2>/dev/null
}

twin_stop() { kill "$twin_pid"; wait "$twin_pid" 2>/dev/null; }

out=$(nb "$DP_TOOL" ktls-vector 127.0.0.1 0 - - "$P2P_ROOT/tests/host/vectors/p2pshare_v2.txt")
printf '%s\n' "$out" | sed 's/^/# /'
check_eq "kTLS makes and takes the v2 vector's first record, both ciphers, refuses it tampered" \
	"$(echo "$out" | grep -c '^ok ')" 6

# The cipher: the client's offer, the twin's preference, the save file's.
# (p2pctl save may already name the module's cipher there: replaced)
sed 's/^listen \([^ ]*\).*$/listen \1 cipher chacha20-poly1305/' "$TEST_TMP/p2p.conf" >"$TEST_TMP/chacha.conf"
echo "# save's listen line: $(grep '^listen' "$TEST_TMP/p2p.conf")"
check "a save file whose listen line names a cipher" grep -q '^listen .* cipher chacha20-poly1305$' "$TEST_TMP/chacha.conf"
if twin_start 7449 "$TEST_TMP/p2p.conf"; then
	check_out "default preference, offer of both: aes-128-gcm" aes-128-gcm tw cipher 7449
	check_out "offer of chacha20-poly1305 alone: chacha20-poly1305" chacha20-poly1305 tw cipher 7449 chacha20-poly1305
	twin_stop
else
	not_ok "p2pd listens on 7449"
fi
if twin_start 7449 "$TEST_TMP/p2p.conf" --cipher chacha20-poly1305; then
	check_out "--cipher chacha20-poly1305, offer of both: chacha20-poly1305" chacha20-poly1305 tw cipher 7449
	check_out "--cipher chacha20-poly1305, offer of aes-128-gcm alone: aes-128-gcm" aes-128-gcm tw cipher 7449 aes-128-gcm
	twin_stop
else
	not_ok "p2pd --cipher chacha20-poly1305 listens on 7449"
fi
if twin_start 7449 "$TEST_TMP/chacha.conf"; then
	check_out "the save file's cipher chacha20-poly1305 is the preference" chacha20-poly1305 tw cipher 7449
	twin_stop
else
	not_ok "p2pd with the file's cipher listens on 7449"
fi
if twin_start 7449 "$TEST_TMP/chacha.conf" --cipher aes-128-gcm; then
	check_out "--cipher aes-128-gcm wins over the file's" aes-128-gcm tw cipher 7449
	twin_stop
else
	not_ok "p2pd with both ciphers listens on 7449"
fi
na "$P2PD" -c "$TEST_TMP/p2p.conf" --cipher aes-256-gcm 2>"$TEST_TMP/badcipher"
check_eq "p2pd refuses --cipher aes-256-gcm (exit 2)" "$?" 2
check_out "... and says why" 'p2pd: invalid --cipher "aes-256-gcm" (aes-128-gcm or chacha20-poly1305)' \
	cat "$TEST_TMP/badcipher"

# PROTOCOL.md 6.7: padding zeros MAY follow a record's content type. The
# lib's receivers (p2pctl, the twin) ask the kernel to decrypt records
# straight into their buffers (TLS_RX_EXPECT_NO_PAD); a padded record is
# then decrypted a second time, which /proc/net/tls_stat counts.
out=$(nb "$DP_TOOL" ktls-nopad 127.0.0.1 0 - -)
printf '%s\n' "$out" | sed 's/^/# /'
check_out "an unpadded record is read right, decrypted once" \
	"ok unpadded (read right, TlsRxNoPadViolation +0)" echo "$(echo "$out" | grep unpadded)"
check_out "a record with 255 padding zeros is read right, decrypted twice" \
	"ok padded (read right, TlsRxNoPadViolation +1)" echo "$(echo "$out" | grep ' padded')"
if twin_start 7449 "$TEST_TMP/p2p.conf"; then
	check_out "the twin reads requests in records padded with 255 zeros" \
		"sha256 $(sha "$docs/hello.txt") size $(stat -c %s "$docs/hello.txt")" \
		sh -c 'nsenter --net=/run/netns/b env P2P_SPEC_PAD=255 python3 "$@" | tail -n1' - \
		"$P2P_ROOT/tests/helpers/spec_client.py" "$DP_A" 7449 alice "$DP_KEYS/alice.key" \
		chacha20-poly1305 docs hello.txt
	twin_stop
else
	not_ok "p2pd listens on 7449"
fi

# The record limit: a READ of 4 MiB against a limit of 200 records stops
# with EKEYEXPIRED after whole READ_DATA frames, every byte before it right,
# and the connection closed.
head -c $((4 << 20)) /dev/urandom >"$docs/big.bin"
chown 65534:65534 "$docs/big.bin"
for mode in copy sendfile; do
	if [ $mode = copy ]; then
		twin_start 7450 "$TEST_TMP/p2p.conf" --mode copy --record-limit 200
	else
		# the limit from the environment, as for the lib's clients
		export P2P_RECORD_LIMIT=200
		twin_start 7450 "$TEST_TMP/p2p.conf" --mode sendfile
		unset P2P_RECORD_LIMIT
	fi || { not_ok "$mode: p2pd with a record limit listens on 7450"; continue; }
	tw range 7450 docs big.bin 0 $((4 << 20)) >"$TEST_TMP/range" 2>"$TEST_TMP/range.err"
	rc=$?
	sed 's/^/# /' "$TEST_TMP/range.err"
	got=$(stat -c %s "$TEST_TMP/range")
	check_eq "$mode: record limit 200: the READ ends in error" "$rc" 1
	check_out "$mode: ... with EKEYEXPIRED after $got bytes" "EKEYEXPIRED after $got" \
		grep -m1 '^EKEYEXPIRED after' "$TEST_TMP/range.err"
	check "$mode: ... \"record limit reached, reconnect\"" \
		grep -q 'server: record limit reached, reconnect (EKEYEXPIRED)' "$TEST_TMP/range.err"
	check "$mode: ... after whole frames of 1 MiB, some but not all ($got bytes)" \
		test "$got" -gt 0 -a "$got" -lt $((4 << 20)) -a $((got % (1 << 20))) = 0
	check_eq "$mode: ... every byte before it the file's" \
		"$(sha256sum <"$TEST_TMP/range" | cut -d' ' -f1)" "$(head -c "$got" "$docs/big.bin" | sha256sum | cut -d' ' -f1)"
	check_out "$mode: a small request still fits" "ok 6 $(sha "$docs/hello.txt")" \
		tw read 7450 docs hello.txt 0 100
	twin_stop
done

# Records that fail authentication: the twin closes without a word, counts
# and logs them, and drops the upload in flight.
if twin_start 7451 "$TEST_TMP/p2p.conf" --mode sendfile; then
	check_out "a garbage record: closed, nothing sent" closed tw garbage 7451 100
	check_out "a record header past 2^14 + 256: closed, nothing sent" closed tw garbage 7451 20000
	check_out "a record shorter than its tag: closed, nothing sent" closed tw garbage 7451 5
	check_out "an upload whose third record was tampered with: closed, nothing sent" closed \
		tw tamper-put 7451 docs tampered.bin 100000 8192
	check "... the upload left nothing" test ! -e "$docs/tampered.bin"
	check_out "... no temporary upload file" "" find "$docs" -name '.p2p-*.part'
	check_out "the twin logged each failed record" 4 grep -c 'a record failed authentication' "$TEST_TMP/twin.7451"
	check "... with its count" grep -q 'decrypt errors: 4)$' "$TEST_TMP/twin.7451"
	check_out "the twin still serves" "ok 6 $(sha "$docs/hello.txt")" tw read 7451 docs hello.txt 0 100
	sed 's/^/# p2pd: /' "$TEST_TMP/twin.7451"
	twin_stop
else
	not_ok "p2pd listens on 7451"
fi
dp_done
