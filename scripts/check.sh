#!/bin/bash
# make check: dependencies, builds for every kernel, host tests, guest tests
# on every installed kernel.  Prints each stage's time; the last line is the
# test runner's "N passed, N failed".
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

build() {
	make -s modules-all && make -s p2pctl && make -s tests && make -s deb
}

kernels() {
	local k
	for k in $(ls /lib/modules | sort -V); do
		[ -d "/lib/modules/$k/build" ] && [ -e "/boot/vmlinuz-$k" ] && echo "$k"
	done
}

if [ "$(id -u)" = 0 ]; then
	stage deps scripts/deps.sh || exit 1
else
	stage deps sudo scripts/deps.sh || exit 1
fi
stage build build || exit 1

# libFuzzer, each target FUZZ_TIME seconds (30 here): fuzz/run.sh.
stage fuzz make -s fuzz FUZZ_TIME="${FUZZ_TIME:-30}" FUZZ_JOBS="${FUZZ_JOBS:-2}"
fuzz_rc=$?

args=(--host)
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
exit "$rc"
