# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # the tests use the names set here
# The guest tests' fixture. Every test in tests/guest starts with
#
#	. "$(dirname "$0")/fixture.sh"
#
# which brings the TAP checks of tests/lib.sh, prints the TAP header and
# removes, on exit, whatever the fixture and the test made (background
# jobs, namespaces a and b, mounts below $TEST_TMP, $TEST_TMP itself).
# Then the test sets up what it needs:
#
#	dp_setup [PARAM=VALUE...]	a fresh module, hosts A and B (below)
#	dp_setup_here [PARAM=VALUE...]	a fresh module, this namespace alone as
#					host A, working directory $TEST_TMP
#	dp_user NAME [user add options]	a key pair, the user on host A
#	dp_serve DESC DIR [export options]
#					one check: host A exports DIR; then
#					its listener answers, its key is pinned
#
# and asks with the functions below (na/nb, pls/pget/..., dpt, show_j,
# dp_counter, ...). Helper programs: $DP_TOOL, $HARD_TOOL, $HARD_FUZZ,
# $MITM_RELAY, $CONFORMANCE (build/tests/helpers), the twin $P2PD.
#
#  ┌─────────────────────────────────┐      ┌─────────────────────────────────┐
#  │ netns a: host A, the server     │      │ netns b: host B, the client     │
#  │  p2pshare.ko listener :7437     │      │  p2pctl ls/stat/get/put         │
#  │  exports under $TEST_TMP/srv    │      │  dp_tool (raw protocol)         │
#  │  admin: na p2pctl ...           │      │  downloads in $TEST_TMP/dl      │
#  │                                 │      │                                 │
#  │   va 198.18.0.1/24  ────────────┼─veth─┼──────────── vb 198.18.0.2/24   │
#  └─────────────────────────────────┘      └─────────────────────────────────┘
#
# Keys live in $DP_KEYS (USER.key, USER.pub); the client's known_hosts is
# $P2P_KNOWN_HOSTS in $TEST_TMP. Only 198.18.0.0/15 addresses are used.
#
# na/nb enter only the network namespace (nsenter --net), unlike `ip netns
# exec`, which also gives each command a private copy of the mount
# namespace: an export made there pins that copy's mount of the directory,
# and when the command exits the copy dies and the mounts below the
# exported directory are detached from it, so the server would never meet
# them (mount-crossing tests would test nothing).

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
tap_plan

DP_A=198.18.0.1
DP_B=198.18.0.2
DP_PORT=7437
DP_TOOL=$P2P_ROOT/build/tests/helpers/dp_tool
HARD_TOOL=$P2P_ROOT/build/tests/helpers/hard_tool
HARD_FUZZ=$P2P_ROOT/build/tests/helpers/hard_fuzz
MITM_RELAY=$P2P_ROOT/build/tests/helpers/mitm_relay
CONFORMANCE=$P2P_ROOT/build/tests/helpers/dp_conformance
P2PD=$P2P_ROOT/userspace/p2pd/p2pd
# The module's debug files: leak counters and record_limit (debugfs; the
# name the tests have always used for them).
params=/sys/kernel/debug/p2pshare
DP_KEYS=$TEST_TMP/keys
DP_SRV=$TEST_TMP/srv
DP_DL=$TEST_TMP/dl
export P2P_KNOWN_HOSTS=$TEST_TMP/known_hosts

na() { nsenter --net=/run/netns/a "$@"; }
nb() { nsenter --net=/run/netns/b "$@"; }

# shellcheck disable=SC2317 # run by trap
dp_cleanup() {
	local pid
	for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	# Mounts a test made inside its tree go first: rm must not enter them.
	findmnt -rn -o TARGET | grep "^$TEST_TMP/" | sort -r | xargs -r umount -l
	rm -rf --one-file-system "$TEST_TMP"
}

trap dp_cleanup EXIT

# A fresh module with these parameters, or a bail-out.
dp_module() {
	reset_module "$@" || { echo "Bail out! cannot load the module"; exit 1; }
}

# dp_setup [PARAM=VALUE...]: a fresh module, both hosts, the veth link.
# shellcheck disable=SC2120 # the module parameters are optional
dp_setup() {
	umask 022
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	dp_module "$@"
	{ ip netns add a && ip netns add b &&
	ip link add va netns a type veth peer name vb netns b &&
	na ip link set lo up && nb ip link set lo up &&
	na ip addr add "$DP_A/24" dev va && na ip link set va up &&
	nb ip addr add "$DP_B/24" dev vb && nb ip link set vb up; } ||
		{ echo "Bail out! cannot build the topology"; exit 1; }
	mkdir -p "$DP_KEYS" "$DP_SRV" "$DP_DL"
	wait_for 10 sh -c "ip -n b -o link show vb | grep -q 'state UP'" ||
		{ echo "Bail out! the veth link does not come up"; exit 1; }
}

# dp_setup_here [PARAM=VALUE...]: a fresh module; this namespace is host A
# (198.18.0.1 and fd00::1 on lo; na runs a command here), the working
# directory is $TEST_TMP.
# shellcheck disable=SC2120 # the module parameters are optional
dp_setup_here() {
	umask 022
	dp_module "$@"
	# shellcheck disable=SC2317 # run by the test
	na() { "$@"; }
	cd "$TEST_TMP" || exit 1
	ip link set lo up
	ip addr add "$DP_A/32" dev lo 2>/dev/null
	ip -6 addr add fd00::1/128 dev lo nodad 2>/dev/null
}

# dp_key NAME: a key pair in $DP_KEYS, NAME.key and NAME.pub.
dp_key() {
	p2pctl genkey >"$DP_KEYS/$1.key" && p2pctl pubkey <"$DP_KEYS/$1.key" >"$DP_KEYS/$1.pub"
}

# dp_user NAME [user add options]: a key pair and the user on host A.
dp_user() {
	local u=$1
	shift
	dp_key "$u" && na p2pctl user add "$u" --pubkey "$DP_KEYS/$u.pub" "$@"
}

# Pin host A's key in known_hosts, so that no client says "trusting".
dp_pin() {
	echo "$DP_A:$DP_PORT $(na p2pctl hostkey)" >"$P2P_KNOWN_HOSTS"
}

# The listener runs once the first export exists: wait until it answers.
dp_listening() {
	wait_for 10 nb bash -c "exec 3<>/dev/tcp/$DP_A/$DP_PORT"
}

dp_url() { echo "p2p://$1@$DP_A:$DP_PORT/$2"; }

# dp_serve DESC DIR [export options]: the check DESC that host A exports
# DIR (p2pctl export DIR OPTIONS), then its listener answers and clients
# know its key.
dp_serve() {
	local desc=$1
	shift
	check "$desc" na p2pctl export "$@"
	dp_listening
	dp_pin
}

# Client commands on host B: pls USER EXPORT[/DIR] [opts] ("" for the
# list of exports), pstat USER
# EXPORT/PATH, pget USER EXPORT/PATH [opts], pput LOCAL USER EXPORT/PATH.
pls() { local u=$1 p=$2; shift 2; nb p2pctl ls "$(dp_url "$u" "$p")" --key-file "$DP_KEYS/$u.key" "$@"; }
pstat() { local u=$1 p=$2; shift 2; nb p2pctl stat "$(dp_url "$u" "$p")" --key-file "$DP_KEYS/$u.key" "$@"; }
pget() { local u=$1 p=$2; shift 2; nb p2pctl get "$(dp_url "$u" "$p")" --key-file "$DP_KEYS/$u.key" "$@"; }
pput() { local l=$1 u=$2 p=$3; shift 3; nb p2pctl put "$l" "$(dp_url "$u" "$p")" --key-file "$DP_KEYS/$u.key" "$@"; }

# dpt SUBCMD USER ARGS...: dp_tool on host B as USER (see dp_tool.c).
dpt() { local c=$1 u=$2; shift 2; nb "$DP_TOOL" "$c" "$DP_A" "$DP_PORT" "$u" "$DP_KEYS/$u.key" "$@"; }

# dpt_bg OUT SUBCMD USER ARGS...: the same in the background, output to
# OUT; $! is then dp_tool itself (not a subshell), so that kill reaches it.
dpt_bg() {
	local out=$1 c=$2 u=$3
	shift 3
	nsenter --net=/run/netns/b "$DP_TOOL" "$c" "$DP_A" "$DP_PORT" "$u" \
		"$DP_KEYS/$u.key" "$@" >"$out" 2>&1 &
}

# A counter of host A (p2pctl show -j), e.g. dp_counter bytes_sent_zerocopy.
dp_counter() {
	# Only inside "counters": connections have keys of the same names.
	na p2pctl show -j | grep -o '"counters":{[^}]*}' | grep -o "\"$1\":[0-9]*" |
		cut -d: -f2
}

dp_counter_is() { [ "$(dp_counter "$1")" = "$2" ]; }

# show_j EXPR: a Python expression over host A's `p2pctl show -j`, d the
# whole of it and c its connections, printed.
show_j() {
	na p2pctl show -j | python3 -c "import json,sys
d = json.load(sys.stdin)
c = d.get('connections')
print($1)"
}

# Host A's state without its counters, to compare before and after.
state() {
	show_j 'json.dumps({k: v for k, v in d.items() if k != "counters"}, sort_keys=True)'
}

# shellcheck disable=SC2317 # run by check, wait_for
nconns_is() { [ "$(show_j 'len(c)')" = "$1" ]; }
# kworkers: how many there are; kworkers_in FUNCTION: how many sleep in
# FUNCTION (their stack).
kworkers() { cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^kworker/'; }
kworkers_in() {
	local p n=0 comm
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == kworker/* ]] && grep -qw "$1" "$p/stack" 2>/dev/null && n=$((n + 1))
	done
	echo "$n"
}
# shellcheck disable=SC2317 # run by check, wait_for
no_conns() { grep -qx 'conns 0 uploads 0' "$params/conn_objects"; }

# The kernel's ynl client on docs/netlink.yaml (also in a child: export -f).
YNL_DIR=${YNL_DIR:-/var/cache/p2pshare/tools/net/ynl}
SCHEMA=${YNL_SCHEMA:-/var/cache/p2pshare/Documentation/netlink/genetlink-c.yaml}
export YNL_DIR SCHEMA P2P_ROOT
ynl() { python3 "$YNL_DIR/cli.py" --spec "$P2P_ROOT/docs/netlink.yaml" --schema "$SCHEMA" "$@"; }
export -f ynl

# conformance_tree DIR: the tree the conformance suite expects in its
# export (tests/helpers/dp_conformance.c), DIR owned by nobody.
conformance_tree() {
	local d=$1
	mkdir -p "$d/sub"
	echo hello >"$d/hello.txt"
	(cd "$d/sub" && touch $(seq -f 'f%g' 20))
	ln -s hello.txt "$d/link"
	ln -s sub "$d/sublink"
	mkfifo "$d/fifo"
	mkdir "$d/mnt"
	mount -t tmpfs -o size=1m p2p-conf "$d/mnt"
	chown 65534:65534 "$d"
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# Random file of N bytes.
dp_rand() { head -c "$2" /dev/urandom >"$1"; }

dp_done() {
	check "kernel log is clean" kernel_log_clean
	tap_done
}

# unit_run KEY...: run the command lines of those keys of the systemd unit
# file $unit, in order, as systemd would (umask 0077); a leading '-' allows
# the line to fail.
# shellcheck disable=SC2317 # run by check
unit_run() {
	local key line ignore rc
	for key in "$@"; do
		while IFS= read -r line; do
			ignore=false
			[[ $line == -* ]] && ignore=true && line=${line#-}
			(umask 0077 && eval "$line") || { rc=$?; $ignore || return "$rc"; }
		done < <(sed -n "s/^$key=//p" "${unit:?}")
	done
}
