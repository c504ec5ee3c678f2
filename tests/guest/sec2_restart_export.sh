#!/bin/bash
# Issue 13, finding 2: a service restart must not export another directory.
# p2pshare(7)'s old example exported a mount point with `ip netns exec`,
# which gives the command a private mount namespace: the export pinned that
# namespace's copy of the mount, show printed its path as "/", the unit's
# stop step (p2pctl save) wrote `export lab /` and its start step (p2pctl
# load) exported the root file system. Now show says the path is not
# reachable, save refuses the export loudly (the state file keeps its last
# good content), load checks the device and inode saved beside each path,
# and the nsenter form of the example survives a restart.
. "$(dirname "$0")/fixture.sh"
dp_setup

conf_dir=$TEST_TMP/etc-p2pshare
conf=$conf_dir/p2pshare.conf
mkdir -m 0700 "$conf_dir"
# The steps of systemd/p2pshare.service, run in host A's network namespace.
# shellcheck disable=SC2317 # called from export_field
unit_start() {
	[ -e "$conf" ] && na p2pctl load "$conf" || return 1
}
# shellcheck disable=SC2317 # run by check
unit_first_save() {
	na sh -c "p2pctl save >'$conf.new' && mv -f '$conf.new' '$conf'"
}
# shellcheck disable=SC2317 # called from unit_restart
unit_stop() {
	na sh -c "p2pctl save >'$conf.new' && mv -f '$conf.new' '$conf'"
	local rc=$?
	rmmod p2pshare
	return "$rc"
}
# shellcheck disable=SC2317 # run by check
unit_restart() {
	unit_stop 2>"$TEST_TMP/stop.err"
	echo $? >"$TEST_TMP/stop.rc"
	insmod "$P2P_KO" && unit_start
}
# export_field NAME KEY: a field of export NAME in host A's show -j.
# shellcheck disable=SC2317 # run by check_out
export_field() {
	na p2pctl show -j | python3 -c "import json,sys
print(*[e.get('$2') for e in json.load(sys.stdin)['exports'] if e['name'] == '$1'])"
}

docs=$DP_SRV/docs
lab=$DP_SRV/lab
mkdir -p "$docs" "$lab"
echo hello >"$docs/hello.txt"
mount -t tmpfs -o size=1m lab "$lab" && echo "lab file" >"$lab/hello.txt"
dp_user alice
check "export docs (host mount namespace)" na p2pctl export "$docs" --user alice
check "the unit's first save" unit_first_save
check "export the mount point lab with ip netns exec, as p2pshare(7) said" \
	ip netns exec a p2pctl export "$lab" --name lab --user alice
dp_listening
dp_pin
check_out "lab serves the mount point's file" "lab file" pget alice lab/hello.txt -o -

check_out "show -j: lab is not reachable from here" "False" export_field lab reachable
check_out "show -j: docs is" "True" export_field docs reachable
check "show says so" sh -c "nsenter --net=/run/netns/a p2pctl show |
	grep -qx '  lab              /  (not reachable from this mount namespace: exported from another one)'"
check_out "show -j: docs's device and inode are those of stat" \
	"$(stat -c '%Hd %Ld %i' "$docs")" \
	sh -c "nsenter --net=/run/netns/a p2pctl show -j | python3 -c 'import json,sys
print(*[\"%d %d %d\" % (e[\"dev_major\"], e[\"dev_minor\"], e[\"ino\"]) for e in json.load(sys.stdin)[\"exports\"] if e[\"name\"] == \"docs\"])'"
check_fail "save refuses lab, naming it and why" \
	'cannot save export "lab": it was exported from another mount namespace (ip netns exec?) and "/" names another directory here' \
	na p2pctl save
na p2pctl save >"$TEST_TMP/refused.conf" 2>/dev/null
check_out "a refused save writes nothing" "0" stat -c %s "$TEST_TMP/refused.conf"
check_fail "save from ip netns exec refuses it too" 'cannot save export "lab"' \
	ip netns exec a p2pctl save

# The service restarts: stop (save, rmmod), start (insmod, load)
check "service restart" unit_restart
check_out "the stop step failed, loudly" "1" cat "$TEST_TMP/stop.rc"
check "its message names the export" grep -q 'cannot save export "lab"' "$TEST_TMP/stop.err"
check "the state file is the last good one" \
	sh -c "grep -q '^export docs dev=' '$conf' && ! grep -q '^export lab' '$conf'"
dp_listening
check_fail "after the restart, lab/etc/passwd cannot be fetched" "no such export (ENOENT)" \
	pget alice lab/etc/passwd -o -
check_out "nothing exports the root directory" "" sh -c \
	"nsenter --net=/run/netns/a p2pctl show -j | python3 -c 'import json,sys
print(*[e[\"name\"] for e in json.load(sys.stdin)[\"exports\"] if e[\"path\"] == \"/\"])'"
check_out "docs is back" "hello" pget alice docs/hello.txt -o -

# The example as p2pshare(7) now gives it: nsenter --net, the host's mounts
check "export lab with nsenter --net" na p2pctl export "$lab" --name lab --user alice
check_out "show -j: lab is reachable" "True" export_field lab reachable
check "service restart" unit_restart
check_out "the stop step saved" "0" cat "$TEST_TMP/stop.rc"
check "the state file holds lab by path, device and inode" grep -qx \
	"export lab dev=$(stat -c '%Hd:%Ld ino=%i' "$lab") $lab" "$conf"
dp_listening
check_out "lab serves the mount point again" "lab file" pget alice lab/hello.txt -o -
check_fail "and no /etc/passwd" "no such file or directory (ENOENT)" \
	pget alice lab/etc/passwd -o -

# load checks the device and inode saved beside the path
na p2pctl save >"$TEST_TMP/s.conf"
line=$(grep -n '^export docs ' "$TEST_TMP/s.conf" | cut -d: -f1)
saved=$(stat -c '%Hd:%Ld ino %i' "$docs")
mv "$docs" "$DP_SRV/docs.old" && mkdir "$docs" && echo impostor >"$docs/hello.txt"
check_fail "load refuses a directory replaced at the saved path" \
	"s.conf:$line: \"$docs\" is not the directory saved (dev $saved; now dev $(stat -c '%Hd:%Ld ino %i' "$docs")): if that is meant, remove dev= and ino= from the line" \
	na p2pctl load "$TEST_TMP/s.conf"
check_out "the refused load changed nothing" "hello" pget alice docs/hello.txt -o -
sed 's/ dev=[0-9]*:[0-9]* ino=[0-9]*//' "$TEST_TMP/s.conf" >"$TEST_TMP/old.conf"
check "a file without dev= and ino= (older p2pctl) loads by path" \
	na p2pctl load "$TEST_TMP/old.conf"
check_out "and exports what the path names now" "impostor" pget alice docs/hello.txt -o -
mount -t tmpfs -o size=1m cover "$docs"
check_fail "save refuses a path a mount now covers" \
	"cannot save export \"docs\": \"$docs\" names another directory now (a mount over it?)" \
	na p2pctl save
umount "$docs"
printf 'export x dev=1:2 %s\n' "$docs" >"$TEST_TMP/bad.conf"
check_fail "load: dev= without ino=" \
	"bad.conf:1: use: export NAME [dev=MAJOR:MINOR ino=INODE] PATH" \
	na p2pctl load "$TEST_TMP/bad.conf"
dp_done
