#!/bin/bash
# Issue 13, finding 1: CAP_NET_ADMIN alone must not give root's file rights.
# A process of uid 1000 holding only CAP_NET_ADMIN (as systemd-networkd, or
# a container given NET_ADMIN) configures the network side of p2pshare, but
# maps peers to no uid or gid but its own (CAP_SETUID/CAP_SETGID for
# others) and exports only directories it can read and search itself,
# through a descriptor open for reading (never O_PATH). Its attack of the
# issue (a user mapped to uid 0, /root and /etc exported read-write, then
# /etc/shadow and a 0600 file of /root fetched and files put into /etc and
# /root) fails at every step. An unprivileged user namespace gets nothing;
# root keeps the power to map uid 0, and show marks such a user.
. "$(dirname "$0")/fixture.sh"
dp_setup

# nadm CMD...: CMD on host A as uid 1000 with CAP_NET_ADMIN and nothing
# else. Also gid 1000 and no supplementary group: root's gid 0 would be
# the caller's own and so a gid it may map.
# shellcheck disable=SC2317 # run by check/check_fail/check_out
nadm() {
	na setpriv --reuid=1000 --regid=1000 --clear-groups \
		--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
		--bounding-set=-all,+net_admin "$@"
}
# unpriv CMD...: CMD as uid 1000 in a user and network namespace of its own.
unpriv() { setpriv --reuid=1000 --regid=1000 --clear-groups unshare -Urn "$@"; }

# ynl_export NAME: EXPORT_NEW with the descriptor 3 the caller inherited.
# shellcheck disable=SC2317 # run by bash -c (export -f)
ynl_export() {
	ynl --do export-new --json "{\"export-name\": \"$1\", \"export-fd\": 3}" 2>&1 |
		sed -n "s/.*'msg': '\([^']*\)'.*/\1/p"
}
# with_fd3 DIR CMD...: CMD with DIR opened for reading by root as its fd 3.
# shellcheck disable=SC2317 # run by check_out
with_fd3() { local d=$1; shift; "$@" 3<"$d"; }
# opath DIR CMD...: CMD with an O_PATH descriptor of DIR as its fd 3.
# shellcheck disable=SC2317 # run by bash -c (export -f)
opath() {
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_PATH | os.O_DIRECTORY)
if fd != 3:
    os.dup2(fd, 3)
os.set_inheritable(3, True)
os.execvp(sys.argv[2], sys.argv[2:])' "$@"
}
export -f ynl_export opath

chmod 0755 "$TEST_TMP" "$DP_SRV"
for u in evil mine; do dp_key "$u"; done
evil=$(cat "$DP_KEYS/evil.pub")
mine=$(cat "$DP_KEYS/mine.pub")
# shellcheck disable=SC2016 # expanded by the inner shell
check "the caller holds CAP_NET_ADMIN only, as uid 1000" \
	nadm sh -c 'grep -qx "CapEff:	0000000000001000" /proc/self/status && [ "$(id -u)" = 1000 ]'

# Mappings
check_fail "net_admin: user add --uid 0 --gid 0 refused" \
	"p2pctl: mapping to uid 0 needs CAP_SETUID" \
	nadm p2pctl user add evil --pubkey "$evil" --uid 0 --gid 0
check_fail "net_admin: user add --uid 1000 --gid 0 refused" \
	"p2pctl: mapping to gid 0 needs CAP_SETGID" \
	nadm p2pctl user add evil --pubkey "$evil" --uid 1000 --gid 0
check_fail "net_admin: user add --uid 0 alone refused" \
	"p2pctl: mapping to uid 0 needs CAP_SETUID" \
	nadm p2pctl user add evil --pubkey "$evil" --uid 0
check_fail "net_admin: the default, nobody, refused with what to do" \
	"p2pctl: mapping to uid 65534 (default) needs CAP_SETUID; use your uid 1000" \
	nadm p2pctl user add evil --pubkey "$evil"
check_fail "net_admin: default gid refused with what to do" \
	"p2pctl: mapping to gid 65534 (default) needs CAP_SETGID; use your gid 1000" \
	nadm p2pctl user add evil --pubkey "$evil" --uid 1000
check "net_admin: user add with its own uid and gid" \
	nadm p2pctl user add mine --pubkey "$mine" --uid 1000 --gid 1000
check_out "no user but the allowed one was made" "mine 1000 1000" \
	show_j '*["%s %d %d" % (u["name"], u["uid"], u["gid"]) for u in d["users"]]'

# Exports
mkdir -m 0711 "$DP_SRV/noread"
mkdir -m 0744 "$DP_SRV/nosearch"
check_fail "net_admin: export /root (0700) refused" \
	'p2pctl: cannot export "/root": cannot open it for reading: Permission denied' \
	nadm p2pctl export /root --user mine:rw
check_fail "net_admin: export of a directory it cannot read refused" \
	"p2pctl: cannot export \"$DP_SRV/noread\": cannot open it for reading: Permission denied" \
	nadm p2pctl export "$DP_SRV/noread"
check_fail "net_admin: export of a directory it cannot search refused (kernel)" \
	"p2pctl: no search (x) permission on the directory" \
	nadm p2pctl export "$DP_SRV/nosearch"
check_out "kernel: /root open for reading by root, handed to uid 1000: refused" \
	"no read permission on the directory" \
	with_fd3 /root nadm bash -c 'ynl_export r'
check_out "kernel: an O_PATH descriptor of /root refused" \
	"an O_PATH descriptor carries no right: open the directory for reading" \
	nadm bash -c 'opath /root bash -c "ynl_export r"'
check_out "kernel: an O_PATH descriptor even of a readable directory refused" \
	"an O_PATH descriptor carries no right: open the directory for reading" \
	nadm bash -c "opath '$DP_SRV' bash -c 'ynl_export s'"
check_out "no export was made" "" show_j '*[e["name"] for e in d["exports"]]'

# The attack of the issue, end to end, by the best means the caller has
check_fail "attack: user add evil --uid 0 --gid 0" "needs CAP_SETUID" \
	nadm p2pctl user add evil --pubkey "$evil" --uid 0 --gid 0
check "attack: the caller maps evil to its own ids instead" \
	nadm p2pctl user add evil --pubkey "$evil" --uid 1000 --gid 1000
check_fail "attack: export /root --user evil:rw" "Permission denied" \
	nadm p2pctl export /root --user evil:rw
check "attack: export /etc --user evil:rw (the caller may read /etc)" \
	nadm p2pctl export /etc --user evil:rw
dp_listening
dp_pin
echo "root only" >/root/p2p-secret && chmod 0600 /root/p2p-secret
check_fail "attack: /etc/shadow cannot be fetched" "permission denied: on this host you read and write as uid" \
	pget evil etc/shadow -o -
check_fail "attack: /root/p2p-secret cannot be fetched" "no such export (ENOENT)" \
	pget evil root/p2p-secret -o -
echo owned >"$DP_DL/owned"
check_fail "attack: nothing can be put into /etc" "permission denied: on this host you read and write as uid" \
	pput "$DP_DL/owned" evil etc/p2p-owned
check_fail "attack: nothing can be put into /root" "no such export (ENOENT)" \
	pput "$DP_DL/owned" evil root/p2p-owned
check "attack: /etc and /root hold no new file" \
	sh -c '! ls -a /etc /root | grep -q "p2p-owned\|\.p2p-.*\.part"'
# shellcheck disable=SC2317 # run by check_out
pget_sha() { pget "$@" -o - | sha256sum | cut -d' ' -f1; }
check_out "the export serves what uid 1000 may read" "$(sha /etc/passwd)" \
	pget_sha evil etc/passwd

# An unprivileged user namespace gets nothing, whatever the command
na p2pctl save >"$TEST_TMP/state.conf" 2>/dev/null
chmod 0644 "$TEST_TMP/state.conf"
echo "$evil" >"$DP_KEYS/evil.pub.copy" && chmod 0644 "$DP_KEYS/evil.pub.copy"
chmod 0755 "$DP_KEYS"
denied="permission denied (p2pctl needs CAP_NET_ADMIN: run it as root)"
while IFS='|' read -r what cmd; do
	# shellcheck disable=SC2086
	check_fail "unshare -Urn: $what" "$denied" unpriv sh -c "exec p2pctl $cmd >/dev/null"
done <<EOF
show|show
user add|user add u --pubkey $evil --uid 0 --gid 0
user del|user del u
export|export $DP_SRV --name x
unexport|unexport x
grant|grant x u rw
revoke|revoke x u
listen|listen :7000
hostkey|hostkey
hostkey set|hostkey set $DP_KEYS/evil.pub.copy
save|save
load|load $TEST_TMP/state.conf
version|version
EOF
# Joining the events group needs CAP_NET_ADMIN over the network namespace
# only (genetlink's rule): a namespace of one's own has events of its own,
# which its owner cannot cause.
unpriv timeout 3 p2pctl monitor >"$TEST_TMP/mon" 2>&1 &
sleep 1
na p2pctl user add ev1 --pubkey "$evil" && p2pctl user add ev2 --pubkey "$evil" &&
	na p2pctl user del ev1 && p2pctl user del ev2
wait $!
check_out "unshare -Urn: monitor sees no event of another namespace" "" cat "$TEST_TMP/mon"

# Root keeps the power to map uid 0, and show says so loudly
# shellcheck disable=SC2317 # run by check_out
show_user() { na p2pctl show | grep "^  $1 "; }
check "root: user add --uid 0 --gid 0" \
	na p2pctl user add root0 --pubkey "$evil" --uid 0 --gid 0
check "root: user add --gid 0 only" \
	na p2pctl user add group0 --pubkey "$evil" --uid 1000 --gid 0
check_out "show marks the uid 0 user" \
	"  root0            $evil  uid 0 gid 0  !! ROOT: root's own file rights" \
	show_user root0
check_out "show marks the gid 0 user" \
	"  group0           $evil  uid 1000 gid 0  !! ROOT: group root's file rights" \
	show_user group0
check_out "show -j: root flags" "mine False evil False root0 True group0 True" \
	show_j '*["%s %s" % (u["name"], u["root"]) for u in d["users"]]'
dp_done
