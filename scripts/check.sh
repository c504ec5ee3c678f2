#!/bin/bash
# make check: dependencies, make lint, builds for every kernel, host tests
# (also under ASan and UBSan), guest tests on every installed kernel.  Prints
# each stage's time; the last line is the test runner's "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
t0=$(date +%s)

stage() {
	local name=$1 start rc
	shift
	start=$(date +%s)
	echo "== $name"
	"$@"
	rc=$?
	echo "== $name: $(($(date +%s) - start)) s (exit $rc)"
	return "$rc"
}

# shellcheck disable=SC2317 # run by stage
build() {
	make -s -j2 modules-all && make -s -j2 modules-selftest && make -s -j2 p2pctl &&
		make -s tests && make -s deb
}

kernels() {
	local k
	for k in $(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V); do
		[ -d "/lib/modules/$k/build" ] && [ -e "/boot/vmlinuz-$k" ] && echo "$k"
	done
}

if [ "$(id -u)" = 0 ]; then
	stage deps scripts/deps.sh test || exit 1
else
	stage deps sudo scripts/deps.sh test || exit 1
fi
# checkpatch, shellcheck, cycles (docs/LINT.md).  A finding fails make check
# at the end; the builds and tests still run.
stage lint make -s lint
lint_rc=$?
stage build build || exit 1
# The generated netlink code matches docs/netlink.yaml (after deps: the generator).
stage ynl-check make -s ynl-check || exit 1

# libFuzzer, each target FUZZ_TIME seconds (30 here): fuzz/run.sh.
stage fuzz make -s fuzz FUZZ_TIME="${FUZZ_TIME:-30}" FUZZ_JOBS="${FUZZ_JOBS:-2}"
fuzz_rc=$?

args=(--host --host-asan)
for k in $(kernels); do
	args+=(--guest "$k")
done
echo "== tests on kernels: $(kernels | tr '\n' ' ')"
log=$(mktemp)
stage tests tests/run "${args[@]}" | tee "$log"
rc=${PIPESTATUS[0]}
echo "== make check: $(($(date +%s) - t0)) s in all"
# The runner's summary stays the last line.
grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1
rm -f "$log"
[ "$fuzz_rc" = 0 ] || rc=1
[ "$lint_rc" = 0 ] || rc=1
exit "$rc"
