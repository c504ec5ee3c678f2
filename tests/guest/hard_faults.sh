#!/bin/bash
# Faults in the middle of work (docs/SECURITY.md): rmmod, and deletion of
# the server's namespace, while 16 transfers run; an export removed and
# its directory deleted mid-transfer; a file truncated while it is read; a
# client killed in the middle of a put; the disk full during a put.  Each
# case starts from a freshly loaded module and ends with a clean kernel
# log, no temporary upload file, the module's object counters (objects,
# conn_objects) at zero, and the module unloading.
#
# The readers (hard_tool slow) take 16 KiB every 50 ms, so that the
# transfers of 16 MiB are still running when the fault strikes.
. "$(dirname "$0")/fixture.sh"

pub=$DP_SRV/pub
# shellcheck disable=SC2317 # called from htk
ht() { nb "$HARD_TOOL" "$@"; }
# shellcheck disable=SC2317 # run by check_out
htk() { ht "$1" - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" "${@:2}"; }

# A fresh module and topology with alice's rw export pub of NFILES files
# of 16 MiB (sparse).
setup() {
	dp_setup
	rm -rf "$pub"
	mkdir -p "$pub/up"
	chown 65534:65534 "$pub/up"
	for i in $(seq 0 $(($1 - 1))); do truncate -s 16M "$pub/b$i"; done
	{ dp_user alice >/dev/null &&
		na p2pctl export "$pub" --user alice:rw &&
		dp_listening && dp_pin; } ||
		{ echo "Bail out! cannot set up host A"; exit 1; }
}

# readers N: N slow transfers of b0..bN-1 in the background, all started.
# shellcheck disable=SC2317 # run by check
readers() {
	local i
	pids=()
	for i in $(seq 0 $(($1 - 1))); do
		htk slow pub "b$i" >"$TEST_TMP/slow$i" 2>&1 &
		pids+=($!)
	done
	for i in $(seq 0 $(($1 - 1))); do
		wait_for 60 grep -qx started "$TEST_TMP/slow$i" || return 1
	done
}

# ended_short N: every reader ended with an error, none completed.
# shellcheck disable=SC2317 # run by check
ended_short() {
	local i bad=0
	for i in $(seq 0 $(($1 - 1))); do
		wait "${pids[$i]}" && bad=$((bad + 1))
		grep -q '^short ' "$TEST_TMP/slow$i" || bad=$((bad + 1))
	done
	[ "$bad" = 0 ]
}

# shellcheck disable=SC2317 # run by check
no_part() { [ -z "$(find "$DP_SRV" -name '.p2p-*.part' 2>/dev/null)" ]; }
# shellcheck disable=SC2317 # run by check/wait_for
zero_conns() { grep -qx 'conns 0 uploads 0' "$params/conn_objects"; }
# shellcheck disable=SC2317 # run by check/wait_for
zero_objects() { grep -qx 'users 0 exports 0 grants 0' "$params/objects"; }

# What every case ends with: counters at zero once host A lets go of
# everything, and the module unloads.
finish() {
	local what=$1
	check "$what: every connection and upload freed" wait_for 20 zero_conns
	na p2pctl unexport pub 2>/dev/null
	na p2pctl user del alice 2>/dev/null
	check "$what: every user, export and grant freed" wait_for 20 zero_objects
	check "$what: no temporary upload file" no_part
	check "$what: kernel log clean" kernel_log_clean
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	check "$what: the module unloads" rmmod p2pshare
}

# ---- rmmod during 16 transfers
setup 16
check "rmmod: 16 transfers running" readers 16
t0=$(date +%s)
check "rmmod: succeeds with the transfers running" rmmod p2pshare
echo "# rmmod took $(($(date +%s) - t0)) s"
check "rmmod: the module is gone" test ! -d /sys/module/p2pshare
check "rmmod: every transfer ended with an error" ended_short 16
check "rmmod: kernel log clean" kernel_log_clean
check "rmmod: loads again" insmod "$P2P_KO"
check "rmmod: no object left from before" zero_objects
check "rmmod: no connection left from before" zero_conns
rmmod p2pshare

# ---- the server's namespace deleted during 16 transfers
setup 16
check "netns del: 16 transfers running" readers 16
ip netns del a
check "netns del: every transfer ended with an error" ended_short 16
check "netns del: the namespace's connections are freed" wait_for 30 zero_conns
check "netns del: its users, exports and grants too" wait_for 30 zero_objects
finish "netns del"

# ---- an export removed, then its directory deleted, mid-transfer; a
# second export keeps the server listening
setup 4
mkdir -p "$DP_SRV/keep"
na p2pctl export "$DP_SRV/keep" --user alice
check "unexport: 4 transfers running" readers 4
check "unexport: unexport pub" na p2pctl unexport pub
check "unexport: every transfer of it ended with an error" ended_short 4
rm -rf "$pub"
check_out "unexport: the export is gone for new requests" "ENOENT" htk stat pub b0
na p2pctl unexport keep
finish "unexport"

setup 4
check "directory deleted: 4 transfers running" readers 4
rm -rf "$pub"
check_out "directory deleted: new requests get ENOENT" "ENOENT" htk stat pub b0
check "directory deleted: unexport" na p2pctl unexport pub
check "directory deleted: every transfer ended" ended_short 4
finish "directory deleted"

# ---- a file truncated while it is read
setup 1
check "truncate: a transfer of 16 MiB running" readers 1
truncate -s 1M "$pub/b0"
check "truncate: the client sees the transfer fail" ended_short 1
echo "# truncate: $(tr '\n' ' ' <"$TEST_TMP/slow0")"
check_out "truncate: the server goes on serving" "ok 1048576" htk stat pub b0
finish "truncate"

# ---- a client killed in the middle of a put
setup 1
# Not through a shell function: $! must be the client itself.
ip netns exec b "$HARD_TOOL" putstall - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" \
	pub up/killed.bin 8388608 1048576 >"$TEST_TMP/put" 2>&1 &
put=$!
check "killed put: 1 of 8 MiB sent" wait_for 30 grep -qx sent "$TEST_TMP/put"
check_out "killed put: one upload in progress" "conns 1 uploads 1" cat "$params/conn_objects"
kill -9 "$put"
wait "$put" 2>/dev/null
check "killed put: the upload is dropped" wait_for 20 zero_conns
check "killed put: no file under the target name" test ! -e "$pub/up/killed.bin"
finish "killed put"

# ---- the disk full during a put: an export on a 1 MiB tmpfs
setup 1
mkdir -p "$DP_SRV/small"
mount -t tmpfs -o size=1m tmpfs "$DP_SRV/small"
chown 65534:65534 "$DP_SRV/small"
check "disk full: export a 1 MiB tmpfs" na p2pctl export "$DP_SRV/small" --user alice:rw
dp_rand "$DP_DL/4m" 4194304
check_fail "disk full: a put of 4 MiB fails with ENOSPC" "ENOSPC" \
	pput "$DP_DL/4m" alice small/4m
check "disk full: the connection and the upload are dropped" wait_for 20 zero_conns
check "disk full: no file under the target name" test ! -e "$DP_SRV/small/4m"
check_out "disk full: the space is given back" "0" \
	sh -c "du -sk '$DP_SRV/small' | cut -f1"
dp_rand "$DP_DL/100k" 102400
check "disk full: a put that fits works afterwards" pput "$DP_DL/100k" alice small/100k
check_eq "disk full: same SHA-256" "$(sha "$DP_SRV/small/100k")" "$(sha "$DP_DL/100k")"
na p2pctl unexport small
umount "$DP_SRV/small"
finish "disk full"

echo "# guest time: $SECONDS s"
dp_done
