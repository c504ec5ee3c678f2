#!/bin/bash
# The protocol conformance suite (build/tests/guest/dp_conformance) against the
# userspace twin server, userspace/p2pd/p2pd, in both data modes: the same
# program and the same fixture as dp_conformance.sh runs against the module.
# The twin reads the file `p2pctl save` writes for host A, so the module holds
# the users, exports and grants and the twin serves them on ports of its own.
#
#  netns a: p2pd --mode copy :7447, p2pd --mode sendfile :7448 (and the module's
#           listener on :7437, unused here)          netns b: dp_conformance
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dp_lib.sh"
tap_plan
dp_setup
umask 022

P2PD=$P2P_ROOT/userspace/p2pd/p2pd
docs=$DP_SRV/docs

# run_suite MODE PORT: a fresh fixture, the twin in MODE, the suite against it.
run_suite() {
	local mode=$1 port=$2 pid rc
	mountpoint -q "$docs/mnt" && umount "$docs/mnt"
	# Emptied, not replaced: the state file names this directory by its
	# device and inode too, and the twin, as p2pctl load, checks them.
	find "$docs" -mindepth 1 -delete
	mkdir -p "$docs/sub"
	echo hello >"$docs/hello.txt"
	(cd "$docs/sub" && touch $(seq -f 'f%g' 20))
	ln -s hello.txt "$docs/link"
	ln -s sub "$docs/sublink"
	mkfifo "$docs/fifo"
	mkdir "$docs/mnt"
	mount -t tmpfs -o size=1m p2p-conf "$docs/mnt"
	chown 65534:65534 "$docs"
	na "$P2PD" -c "$TEST_TMP/p2p.conf" -l "$DP_A:$port" --mode "$mode" 2>"$TEST_TMP/p2pd.err" &
	pid=$!
	if ! wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/$port"; then
		not_ok "$mode: p2pd listens on port $port"
		sed 's/^/#   /' "$TEST_TMP/p2pd.err"
		return
	fi
	nb "$P2P_ROOT/build/tests/guest/dp_conformance" "$DP_A" "$port" alice \
		"$DP_KEYS/alice.key" docs >"$TEST_TMP/suite" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$mode: ${line#ok * - }" ;;
		"not ok "*) not_ok "$mode: ${line#not ok * - }" ;;
		"Bail out!"*) not_ok "$mode: ${line#Bail out! }" ;;
		"TAP version"* | 1..*) ;;
		*) echo "# $line" ;;
		esac
	done <"$TEST_TMP/suite"
	check_eq "$mode: the suite exits 0" "$rc" 0
	kill "$pid"
	wait "$pid" 2>/dev/null
}

[ -x "$P2PD" ] || { echo "Bail out! no $P2PD (make twin)"; exit 1; }
mkdir -p "$docs"
dp_user alice
# Export and save in one "ip netns exec": each makes a mount namespace of its
# own, and save names the export's path as seen from the one it was made in.
check "export docs to alice (rw) and save the state for the twin" \
	na sh -c 'p2pctl export "$1" --user alice:rw && p2pctl save >"$2"' - "$docs" "$TEST_TMP/p2p.conf"

run_suite copy 7447
run_suite sendfile 7448
dp_done
