# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# TAP helpers for the shell tests.  Source it, call the checks, end with
# tap_done.  Each check is one TAP line; diagnostics go to "#" lines.

TAP_N=0
TAP_FAILED=0
P2P_ROOT=${P2P_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PATH=$P2P_ROOT/userspace:$PATH
TEST_TMP=$(mktemp -d)
trap 'rm -rf "$TEST_TMP"' EXIT

tap_plan() { echo "TAP version 13"; }

_tap_diag() { sed 's/^/#   /'; }

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# check DESC CMD...: CMD must exit 0.
check() {
	local desc=$1 rc
	shift
	"$@" >"$TEST_TMP/out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "#   command: $* (exit $rc)"
		_tap_diag <"$TEST_TMP/out"
	fi
	return "$rc"
}

# check_fail DESC STDERR_SUBSTRING CMD...: CMD must exit 1 and say SUBSTRING
# on stderr (one line).
check_fail() {
	local desc=$1 want=$2 rc
	shift 2
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	rc=$?
	if [ "$rc" = 1 ] && grep -qF -- "$want" "$TEST_TMP/err" &&
	   [ "$(wc -l <"$TEST_TMP/err")" = 1 ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	echo "#   command: $* (exit $rc, want 1 and \"$want\")"
	_tap_diag <"$TEST_TMP/err"
	return 1
}

# check_out DESC EXPECTED CMD...: CMD must exit 0 and print exactly EXPECTED.
check_out() {
	local desc=$1 want=$2 got rc
	shift 2
	got=$("$@" 2>"$TEST_TMP/err")
	rc=$?
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	echo "#   command: $* (exit $rc)"
	echo "#   want: $want"
	printf '%s\n' "$got" | sed 's/^/#   got:  /'
	_tap_diag <"$TEST_TMP/err"
	return 1
}

# check_eq DESC A B: two strings must be equal.
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   want: $3"
		echo "#   got:  $2"
	fi
}

# Poll until CMD succeeds, at most SECONDS (default 10).
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# tap_relay PREFIX FILE: the TAP output of another program, in FILE, as
# checks of this test named "PREFIX: NAME"; a bail-out is a failed check,
# its other lines become diagnostics.
tap_relay() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$1: ${line#ok * - }" ;;
		"not ok "*) not_ok "$1: ${line#not ok * - }" ;;
		"Bail out!"*) not_ok "$1: ${line#Bail out! }" ;;
		"TAP version"* | 1..*) ;;
		*) echo "# $line" ;;
		esac
	done <"$2"
}

module_loaded() { [ -d /sys/module/p2pshare ]; }

# Start from a freshly loaded module: reset_module [PARAM=VALUE...].
# shellcheck disable=SC2120 # the module parameters are optional
reset_module() {
	if module_loaded; then
		rmmod p2pshare || return 1
	fi
	insmod "$P2P_KO" "$@"
}

# The kernel log must hold no splat.
kernel_log_clean() {
	! dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|unreferenced object|KASAN|UBSAN|refcount_t:|list_(add|del) corruption'
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
	exit $?
}
