# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Data-plane tests: two hosts in network namespaces joined by veth. Source
# after tests/lib.sh, then call dp_setup [MODULE PARAMETERS...].
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

DP_A=198.18.0.1
DP_B=198.18.0.2
DP_PORT=7437
DP_TOOL=$P2P_ROOT/build/tests/helpers/dp_tool
DP_KEYS=$TEST_TMP/keys
DP_SRV=$TEST_TMP/srv
DP_DL=$TEST_TMP/dl
export P2P_KNOWN_HOSTS=$TEST_TMP/known_hosts

na() { nsenter --net=/run/netns/a "$@"; }
nb() { nsenter --net=/run/netns/b "$@"; }

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

# dp_setup [PARAM=VALUE...]: a fresh module, both hosts, the veth link.
# shellcheck disable=SC2120 # the module parameters are optional
dp_setup() {
	trap dp_cleanup EXIT
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	if ! reset_module "$@"; then
		echo "Bail out! cannot load the module"
		exit 1
	fi
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

# dp_user NAME [user add options]: a key pair and the user on host A.
dp_user() {
	local u=$1
	shift
	p2pctl genkey >"$DP_KEYS/$u.key" &&
		p2pctl pubkey <"$DP_KEYS/$u.key" >"$DP_KEYS/$u.pub" &&
		na p2pctl user add "$u" --pubkey "$DP_KEYS/$u.pub" "$@"
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

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# Random file of N bytes.
dp_rand() { head -c "$2" /dev/urandom >"$1"; }

dp_done() {
	check "kernel log is clean" kernel_log_clean
	tap_done
}
