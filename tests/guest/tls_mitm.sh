#!/bin/bash
# A man in the middle on the encrypted transport (issue 14, PROTOCOL.md 6.7):
# the relay in M (build/tests/helpers/mitm_relay) passes the handshake on
# untouched, the client pins A's host key for M's address, and then:
#  (a) it records both directions: neither the file's marker, nor its path,
#      nor the export's name is in the capture, though a GET and a PUT
#      through it succeed;
#  (b) it flips one byte of a record, each direction, during a GET and a
#      PUT: the client says why it failed and keeps no file, the server
#      counts a record it could not decrypt, its file is unchanged and no
#      upload is left;
#  (c) it sends a v1 cleartext request in place of the client's first
#      record: the server closes, nothing is done;
#  (d) it replays a recorded session: the server refuses its HANDSHAKE1.
# The same cases run against the module and against the userspace twin.
#
#  ┌──────────────────┐     ┌────────────────────────────────────┐     ┌───────────────────────┐
#  │ netns b: client  │     │ netns m: mitm_relay                │     │ netns a: server       │
#  │  p2pctl get/put  │     │  listens 198.18.1.1:7437,          │     │  module :7437         │
#  │  --host-key A's  │     │  connects to A                     │     │  p2pd (twin) :7447    │
#  │ vb 198.18.1.2 ───┼veth─┼─ vmb 198.18.1.1   vma 198.18.0.2 ──┼veth─┼─ va 198.18.0.1        │
#  └──────────────────┘     └────────────────────────────────────┘     └───────────────────────┘
# B has no route to A: every byte passes the relay.
. "$(dirname "$0")/fixture.sh"
dp_setup

M_A=198.18.0.2
M_B=198.18.1.1
B=198.18.1.2
RPORT=7437
TWIN_PORT=7447
TLS_PARAMS=/sys/kernel/debug/p2pshare

nm() { nsenter --net=/run/netns/m "$@"; }

# shellcheck disable=SC2317 # run by trap
mitm_cleanup() {
	ip netns del m 2>/dev/null
	dp_cleanup
}
trap mitm_cleanup EXIT

# B - M - A instead of dp_setup's B - A.
{ ip -n a link del va &&
	ip netns add m && nm ip link set lo up &&
	ip link add va netns a type veth peer name vma netns m &&
	ip link add vb netns b type veth peer name vmb netns m &&
	na ip addr add "$DP_A/24" dev va && na ip link set va up &&
	nm ip addr add "$M_A/24" dev vma && nm ip link set vma up &&
	nm ip addr add "$M_B/24" dev vmb && nm ip link set vmb up &&
	nb ip addr add "$B/24" dev vb && nb ip link set vb up; } ||
	{ echo "Bail out! cannot build the topology"; exit 1; }
wait_for 10 sh -c "ip -n m -o link show vmb | grep -q 'state UP' &&
	ip -n m -o link show vma | grep -q 'state UP'" ||
	{ echo "Bail out! the veth links do not come up"; exit 1; }
[ -x "$MITM_RELAY" ] || { echo "Bail out! no $MITM_RELAY (make tests)"; exit 1; }

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

exp=x$(hex 8)		# the export's name: random, so that it cannot be
docs=$DP_SRV/$exp	# in a capture by chance
mkdir -p "$docs"
chown 65534:65534 "$docs"
dp_user alice
# shellcheck disable=SC2016 # expanded by the inner shell
check "export $exp to alice (rw) and save the state for the twin" \
	na sh -c 'p2pctl export "$1" --user alice:rw && p2pctl save >"$2"' - \
	"$docs" "$TEST_TMP/p2p.conf"
HOSTKEY=$(na p2pctl hostkey)
wait_for 10 nm bash -c "exec 3<>/dev/tcp/$DP_A/$DP_PORT" ||
	{ echo "Bail out! the module does not listen"; exit 1; }

# relay MODE...: the relay in M for one connection to the current server
# ($SPORT), its output in $TEST_TMP/relay.
relay() {
	nm "$MITM_RELAY" "$M_B" "$RPORT" "$DP_A" "$SPORT" "$@" >"$TEST_TMP/relay" 2>&1 &
	RELAY_PID=$!
	wait_for 10 grep -qx listening "$TEST_TMP/relay" ||
		echo "# the relay does not listen: $(cat "$TEST_TMP/relay")"
}

# relay_done: wait for the relay to end (it gives up after 20 s of silence).
relay_done() {
	wait "$RELAY_PID"
	sed 's/^/#   relay: /' "$TEST_TMP/relay"
}

# shellcheck disable=SC2317 # run by check
relay_says() { grep -qxF -- "$1" "$TEST_TMP/relay"; }

# shellcheck disable=SC2317 # called from mget, mls
murl() { echo "p2p://alice@$M_B:$RPORT/$exp/$1"; }
# shellcheck disable=SC2317 # run by check
mget() {
	local p=$1
	shift
	nb p2pctl get "$(murl "$p")" --key-file "$DP_KEYS/alice.key" --host-key "$HOSTKEY" "$@"
}
# shellcheck disable=SC2317 # run by check
mput() {
	nb p2pctl put "$1" "$(murl "$2")" --key-file "$DP_KEYS/alice.key" --host-key "$HOSTKEY"
}
mls() {
	nb p2pctl ls "p2p://alice@$M_B:$RPORT/$exp" --key-file "$DP_KEYS/alice.key" --host-key "$HOSTKEY"
}

# check_err DESC LINE CMD...: CMD exits 1 and its stderr is exactly LINE.
check_err() {
	local desc=$1 want=$2 rc got
	shift 2
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	rc=$?
	got=$(cat "$TEST_TMP/err")
	if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	echo "#   command: $* (exit $rc, want 1)"
	echo "#   want: $want"
	printf '%s\n' "$got" | sed 's/^/#   got:  /'
	return 1
}

# A counter of netns a's kernel TLS (/proc/net/tls_stat is per namespace),
# e.g. tls_stat TlsDecryptError.
tls_stat() {
	# shellcheck disable=SC2016 # awk's own fields and variables
	na awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' /proc/net/tls_stat 2>/dev/null ||
		echo 0
}

# The server's count of records it could not decrypt: the module's
# counter decrypt_errors; the twin logs one line each.
decrypt_errors() {
	if [ "$SERVER" = module ]; then
		dp_counter decrypt_errors
	else
		grep -c "a record failed authentication" "$TEST_TMP/p2pd.err"
	fi
}

# No upload left: the module's own count, and no reserved name in the tree.
# shellcheck disable=SC2317 # run by check
no_upload() {
	[ -z "$(find "$docs" -name '.p2p-*.part')" ] || return 1
	[ "$SERVER" = twin ] && return 0
	wait_for 10 grep -qx 'conns 0 uploads 0' "$TLS_PARAMS/conn_objects"
}

# Expected client messages.
closed_msg() { echo "p2pctl: cannot $1 \"$exp/$2\" at $M_B:$RPORT: the server closed the connection"; }
tamper_msg() { echo "p2pctl: cannot $1 \"$exp/$2\" at $M_B:$RPORT: integrity check failed: the connection was tampered with"; }

# (a) recorded: the capture holds nothing of the file, its path or the export.
case_record() {
	local marker pmarker get put
	marker=M$(hex 16) pmarker=P$(hex 16) get=g$(hex 8).bin put=p$(hex 8).bin
	local cap=$TEST_TMP/cap_$SERVER f n

	{ head -c 300000 /dev/urandom; printf %s "$marker"; head -c 700000 /dev/urandom; } \
		>"$docs/$get"
	{ head -c 500000 /dev/urandom; printf %s "$pmarker"; head -c 500000 /dev/urandom; } \
		>"$TEST_TMP/$put"
	rm -rf "$DP_DL" && mkdir -p "$DP_DL"
	check_eq "$S: control: the marker is in the file on disk" \
		"$(grep -c -a -F "$marker" "$docs/$get")" 1
	relay record "$cap.get"
	check "$S: record: get through the relay" mget "$get" -o "$DP_DL/$get"
	relay_done
	check "$S: record: the relay saw the handshake and records" \
		relay_says "handshake relayed"
	check_eq "$S: record: same SHA-256" "$(sha "$DP_DL/$get")" "$(sha "$docs/$get")"
	relay record "$cap.put"
	check "$S: record: put through the relay" mput "$TEST_TMP/$put" "$put"
	relay_done
	check_eq "$S: record: the server holds the upload" \
		"$(sha "$docs/$put" 2>&1)" "$(sha "$TEST_TMP/$put")"
	n=$(wc -c <"$cap.get.s2c")
	check "$S: record: the file's size went through the relay ($n bytes)" \
		test "$n" -gt 1000000
	check "$S: record: control: the user name, sent in clear, is in the capture" \
		grep -q -a -F alice "$cap.get.c2s"
	for f in "$cap".get.c2s "$cap".get.s2c "$cap".put.c2s "$cap".put.s2c; do
		check_eq "$S: record: ${f##*/}: no marker, path or export name" \
			"$(grep -c -a -F -e "$marker" -e "$pmarker" \
				-e "$get" -e "$put" -e "$exp" <"$f")" 0
	done
	check_eq "$S: record: control: the capture searched holds the marker if present" \
		"$(cat "$cap.get.s2c" "$docs/$get" | grep -c -a -F "$marker")" 1
}

# (b) one byte flipped.
case_flip_get() {
	local f de te
	f=f$(hex 4).bin

	dp_rand "$docs/$f" 1048576
	rm -rf "$DP_DL" && mkdir -p "$DP_DL"
	de=$(decrypt_errors)
	te=$(tls_stat TlsDecryptError)
	relay flip s2c 5
	check_err "$S: get, s2c record 5 flipped: the client says why" \
		"$(tamper_msg get "$f")" mget "$f" -o "$DP_DL/$f"
	relay_done
	check "$S: get, s2c flipped: the relay flipped it" \
		grep -q "^flipped byte .* of s2c record 5 " "$TEST_TMP/relay"
	check "$S: get, s2c flipped: the client hung up first" relay_says "end: client closed"
	check_out "$S: get, s2c flipped: no file, partial or temporary" "" ls -A "$DP_DL"
	check_eq "$S: get, s2c flipped: the server had nothing to decrypt wrong" \
		"$(decrypt_errors)" "$de"

	relay flip c2s 1
	check_err "$S: get, c2s record 1 flipped: the client sees the connection closed" \
		"$(closed_msg get "$f")" mget "$f" -o "$DP_DL/$f"
	relay_done
	check "$S: get, c2s flipped: the server hung up first" relay_says "end: server closed"
	check "$S: get, c2s flipped: no answer to the request" \
		relay_says "c2s: 1 records, s2c: 0 records"
	check_out "$S: get, c2s flipped: no file, partial or temporary" "" ls -A "$DP_DL"
	check_eq "$S: get, c2s flipped: decrypt_errors grew by one" \
		"$(decrypt_errors)" $((de + 1))
	# The server's kernel refused the record (at least once: a server that
	# reads again after the error makes it decrypt the record again).
	echo "# $S: get, c2s flipped: TlsDecryptError +$(($(tls_stat TlsDecryptError) - te))"
	check "$S: get, c2s flipped: the kernel's TlsDecryptError grew" \
		test "$(tls_stat TlsDecryptError)" -gt "$te"
}

case_flip_put() {
	local f de old te
	f=u$(hex 4).bin

	dp_rand "$docs/$f" 1048576
	chown 65534:65534 "$docs/$f"
	old=$(sha "$docs/$f")
	dp_rand "$TEST_TMP/new" 1048576
	de=$(decrypt_errors)
	te=$(tls_stat TlsDecryptError)
	relay flip c2s 5
	check_err "$S: put, c2s record 5 flipped: the client sees the connection closed" \
		"$(closed_msg put "$f")" mput "$TEST_TMP/new" "$f"
	relay_done
	check "$S: put, c2s flipped: the server hung up first" relay_says "end: server closed"
	check_eq "$S: put, c2s flipped: the file on the server is unchanged" \
		"$(sha "$docs/$f")" "$old"
	check "$S: put, c2s flipped: no upload left" no_upload
	echo "# $S: put, c2s flipped: TlsDecryptError +$(($(tls_stat TlsDecryptError) - te))"
	check "$S: put, c2s flipped: the kernel's TlsDecryptError grew" \
		test "$(tls_stat TlsDecryptError)" -gt "$te"
	check_eq "$S: put, c2s flipped: decrypt_errors grew by one" \
		"$(decrypt_errors)" $((de + 1))

	de=$(decrypt_errors)
	relay flip s2c 1
	check_err "$S: put, s2c record 1 (PUT_BEGIN's OK) flipped: the client says why" \
		"$(tamper_msg put "$f")" mput "$TEST_TMP/new" "$f"
	relay_done
	check "$S: put, s2c flipped: the client hung up first" relay_says "end: client closed"
	check_eq "$S: put, s2c flipped: the file on the server is unchanged" \
		"$(sha "$docs/$f")" "$old"
	check "$S: put, s2c flipped: no upload left" no_upload
	check_eq "$S: put, s2c flipped: the server had nothing to decrypt wrong" \
		"$(decrypt_errors)" "$de"
}

# (c) a v1 request in clear after the handshake.
case_inject() {
	local f de
	f=i$(hex 4).txt

	de=$(decrypt_errors)
	relay inject put "$exp" "$f"
	check_err "$S: inject PUT: the client sees the connection closed" \
		"p2pctl: cannot list \"$exp\" at $M_B:$RPORT: the server closed the connection" mls
	relay_done
	check "$S: inject PUT: the frame was sent" \
		grep -q "^injected [0-9]* bytes in place of c2s record 1$" "$TEST_TMP/relay"
	check "$S: inject PUT: the server hung up first, answering nothing" \
		grep -qx "c2s: [0-9]* records, s2c: 0 records" "$TEST_TMP/relay"
	check "$S: inject PUT: the server closed" relay_says "end: server closed"
	check "$S: inject PUT: no file was created" test ! -e "$docs/$f"
	check "$S: inject PUT: no upload left" no_upload
	check_eq "$S: inject PUT: decrypt_errors grew by one" \
		"$(decrypt_errors)" $((de + 1))
	de=$(decrypt_errors)
	relay inject list
	mls >/dev/null 2>&1
	relay_done
	check "$S: inject LIST_EXPORTS: the server hung up first, answering nothing" \
		grep -qx "c2s: [0-9]* records, s2c: 0 records" "$TEST_TMP/relay"
	check_eq "$S: inject LIST_EXPORTS: decrypt_errors grew by one" \
		"$(decrypt_errors)" $((de + 1))
}

# (d) a recorded PUT replayed: refused at HANDSHAKE1, nothing after it done.
case_replay() {
	local f cap=$TEST_TMP/replay_$SERVER
	f=r$(hex 4).bin

	dp_rand "$TEST_TMP/$f" 65536
	relay record "$cap"
	check "$S: replay: a put recorded" mput "$TEST_TMP/$f" "$f"
	relay_done
	check "$S: replay: it was stored" test -f "$docs/$f"
	rm -f "$docs/$f"
	check_out "$S: replay: the server refuses the replayed HANDSHAKE1" \
		"server: HELLO_REPLY
server: ERROR 13 \"authentication failed\"
server: closed" nm "$MITM_RELAY" replay "$DP_A" "$SPORT" "$cap.c2s"
	check "$S: replay: the upload was not done again" test ! -e "$docs/$f"
	check "$S: replay: no upload left" no_upload
}

run_cases() {
	case_record
	case_flip_get
	case_flip_put
	case_inject
	case_replay
}

SERVER=module S=module SPORT=$DP_PORT
run_cases

if [ -x "$P2PD" ]; then
	na "$P2PD" -c "$TEST_TMP/p2p.conf" -l "$DP_A:$TWIN_PORT" --mode sendfile \
		2>"$TEST_TMP/p2pd.err" &
	twin=$!
	if wait_for 10 nm bash -c "exec 3<>/dev/tcp/$DP_A/$TWIN_PORT"; then
		SERVER=twin S="twin (p2pd)" SPORT=$TWIN_PORT
		run_cases
	else
		not_ok "twin: p2pd listens on port $TWIN_PORT"
		sed 's/^/#   /' "$TEST_TMP/p2pd.err"
	fi
	kill "$twin"
	wait "$twin" 2>/dev/null
else
	skip "twin cases" "no $P2PD (make twin)"
fi
dp_done
