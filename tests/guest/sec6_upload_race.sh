#!/bin/bash
# Finding 6 of the December 2026 review (docs/SECURITY.md 4.2): an upload
# in flight was a file named .p2p-XXXXXXXX.part beside its target, listed
# by READDIR, accepted as a PUT target, and renamed by name at the commit:
# carol could replace alice's upload in flight, and alice's put reported
# success while the file held carol's bytes.
#
# Against the module and the twin (p2pd, same state): alice (rw) uploads
# report.txt (4 MiB) and stops after 1 MiB; meanwhile carol (rw) lists the
# directory (no temporary name), tries the reserved names (refused), and
# puts report.txt herself; then alice finishes.  What "true" means: every
# put that reported success committed that client's complete content, and
# the file holds the last one committed (carol's while alice is in flight,
# then alice's); a put that failed changed nothing.  Checked with SHA-256.
# Export docs is a tmpfs (O_TMPFILE: nothing named meanwhile), export mx an
# overlayfs, which has no O_TMPFILE before Linux 6.6: there (on 6.1) the
# upload has a reserved name on disk, which carol can neither see, read nor
# replace.  (Block devices cannot be mounted in the guest, so no vfat.)
#
#  netns a: module :7437, p2pd :7447      netns b: alice (dp_tool putfile),
#           exports docs and mx,                   carol (p2pctl, dp_tool)
#           alice+carol rw
. "$(dirname "$0")/fixture.sh"
dp_setup

P2PD=$P2P_ROOT/userspace/p2pd/p2pd
docs=$DP_SRV/docs
mx=$DP_SRV/mx
mkdir -p "$docs" "$mx"
ovl=$TEST_TMP/ovl
mkdir -p "$ovl/lower" "$ovl/upper" "$ovl/work"
mount -t overlay p2p-ovl -o "lowerdir=$ovl/lower,upperdir=$ovl/upper,workdir=$ovl/work" "$mx" ||
	{ echo "Bail out! cannot mount an overlayfs"; exit 1; }
chown 65534:65534 "$docs" "$mx"
{ dp_user alice && dp_user carol; } ||
	{ echo "Bail out! cannot add the users"; exit 1; }
# shellcheck disable=SC2016 # expanded by the inner shell
check "export docs and mx to alice and carol (rw), save the state for the twin" \
	na sh -c 'p2pctl export "$1" --user alice:rw --user carol:rw &&
		  p2pctl export "$2" --user alice:rw --user carol:rw &&
		  p2pctl save >"$3"' - "$docs" "$mx" "$TEST_TMP/p2p.conf"
dp_listening
dp_rand "$DP_DL/alice1" 4194304
dp_rand "$DP_DL/alice2" 4194304
dp_rand "$DP_DL/carol1" 1048577
dp_rand "$DP_DL/carol2" 1048579

reserved=.p2p-0123456789abcdef.part

# names: what carol's READDIR of $exp lists, one a line.
names() {
	pls carol "$exp" -j | python3 -c 'import json, sys
for e in json.load(sys.stdin)["entries"]:
	print(e["name"])'
}

# alice_put FILE: alice's upload of report.txt, held after 1 MiB.
# shellcheck disable=SC2317 # run by check
alice_put() {
	dpt_bg "$TEST_TMP/alice" putfile alice "$exp" report.txt "$1" 1048576
	alice=$!
	wait_for 30 grep -qx sent "$TEST_TMP/alice"
}

# The message of the ERROR that refuses a PUT of a reserved name.
# shellcheck disable=SC2317 # called from scenario
reserved_why() { { dpt put carol "$exp" "$reserved" 1 >/dev/null; } 2>&1; }

tmpfile_ok() {
	python3 -c 'import os, sys
os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600))' "$1" 2>/dev/null
}
if tmpfile_ok "$mx"; then
	echo "# mx: this overlayfs has O_TMPFILE, the fallback is not exercised"
else
	echo "# mx: no O_TMPFILE on this overlayfs: uploads have reserved names"
fi

# scenario WHO EXPORT: the race against the server on $DP_PORT, in the
# export EXPORT (directory $DP_SRV/EXPORT).
scenario() {
	local who="$1 $2" tmp
	exp=$2
	docs=$DP_SRV/$2
	find "$docs" -mindepth 1 -delete
	echo old >"$docs/report.txt"

	check "$who: alice's put of 4 MiB is in flight" alice_put "$DP_DL/alice1"
	case $who in module*)
		check "$who: one upload in progress" grep -q 'uploads 1$' "$params/conn_objects"
	esac
	if ! tmpfile_ok "$docs"; then
		tmp=$(find "$docs" -mindepth 1 -maxdepth 1 -name '.p2p-*' -printf '%f\n' | sort | head -n1)
		check "$who: no O_TMPFILE, the upload has a reserved name on disk" \
			sh -c "ls -A '$docs' | grep -qx '\.p2p-[0-9a-f]\{16\}\.part'"
		check_out "$who: STAT of that name: ENOENT" ENOENT dpt stat carol "$exp" "$tmp"
		check_out "$who: READ of that name: ENOENT" ENOENT dpt read carol "$exp" "$tmp" 0 1
		check_out "$who: PUT onto that name: EINVAL" EINVAL dpt put carol "$exp" "$tmp" 1
	else
		check_out "$who: nothing named in the directory meanwhile" "report.txt" ls -A "$docs"
	fi
	check_out "$who: carol's READDIR lists report.txt alone" "report.txt" names
	tmp=$(names | grep -m1 '^\.p2p-')
	if [ -n "$tmp" ]; then
		# The old server: the name of alice's upload, open to carol.
		pput "$DP_DL/carol2" carol "$exp/$tmp" >/dev/null 2>&1 &&
			not_ok "$who: carol replaced alice's upload in flight ($tmp)"
	fi
	check_out "$who: STAT of a reserved name: ENOENT" ENOENT dpt stat carol "$exp" "$reserved"
	check_out "$who: READ of a reserved name: ENOENT" ENOENT dpt read carol "$exp" "$reserved" 0 1
	check_out "$who: PUT of a reserved name: EINVAL" EINVAL dpt put carol "$exp" "$reserved" 1
	check_out "$who: ... saying why" \
		"dp_tool: server: name reserved for uploads in progress (EINVAL)" reserved_why
	check_out "$who: PUT of a short reserved name: EINVAL" EINVAL dpt put carol "$exp" .p2p-0.part 1
	check_out "$who: READDIR beneath a reserved name: ENOENT" ENOENT dpt readdir carol "$exp" "$reserved/x"
	check "$who: carol's put of report.txt meanwhile succeeds" \
		pput "$DP_DL/carol1" carol "$exp/report.txt"
	check_eq "$who: report.txt then holds carol's bytes" \
		"$(sha "$docs/report.txt")" "$(sha "$DP_DL/carol1")"
	kill -USR1 "$alice"
	wait "$alice"
	check_out "$who: alice's put, finished after carol's, succeeds" ok tail -n1 "$TEST_TMP/alice"
	check_eq "$who: report.txt holds alice's bytes, the last commit" \
		"$(sha "$docs/report.txt")" "$(sha "$DP_DL/alice1")"

	# alice fails in flight: carol's success stays true.
	check "$who: alice's second put is in flight" alice_put "$DP_DL/alice2"
	check "$who: carol's second put succeeds" pput "$DP_DL/carol2" carol "$exp/report.txt"
	kill -9 "$alice"
	wait "$alice" 2>/dev/null
	case $who in module*)
		check "$who: alice's upload is dropped" \
			wait_for 20 grep -q 'uploads 0$' "$params/conn_objects"
	esac
	check_eq "$who: report.txt holds carol's bytes, alice's failed put changed nothing" \
		"$(sha "$docs/report.txt")" "$(sha "$DP_DL/carol2")"
	check "$who: no other file in the directory" \
		wait_for 10 sh -c "[ \"\$(ls -A '$docs')\" = report.txt ]"
	check "$who: report.txt is whole through the protocol" \
		pget alice "$exp/report.txt" -o "$DP_DL/back"
	check_eq "$who: same SHA-256" "$(sha "$DP_DL/back")" "$(sha "$DP_DL/carol2")"
	rm -f "$DP_DL/back"
}

dp_pin
scenario module docs
scenario module mx

[ -x "$P2PD" ] || { echo "Bail out! no $P2PD (make twin)"; exit 1; }
DP_PORT=7447
na "$P2PD" -c "$TEST_TMP/p2p.conf" -l "$DP_A:$DP_PORT" 2>"$TEST_TMP/p2pd.err" &
twin=$!
if dp_listening; then
	dp_pin
	scenario twin docs
	scenario twin mx
else
	not_ok "twin: p2pd listens on port $DP_PORT"
	sed 's/^/#   /' "$TEST_TMP/p2pd.err"
fi
kill "$twin"
wait "$twin" 2>/dev/null
dp_done
