#!/bin/bash
# Run libFuzzer targets, each for a bounded time, from the seed corpus in
# fuzz/corpus/TARGET, after replaying once the inputs of fuzz/regress/TARGET
# (past findings too slow to be mutation seeds).  Prints a TAP line per
# target with its figures and exits non-zero if any target found a crash,
# leak, timeout or broken invariant (the input is then in
# build/fuzz/artifacts/TARGET/).
#
#   fuzz/run.sh [TARGET...]            (make fuzz builds and calls this)
#
# FUZZ_TIME    seconds per target (default 60)
# FUZZ_SEED    libFuzzer -seed (default 1: a run replays; "random" for a new one)
# FUZZ_KEEP=1  keep the corpus grown by earlier runs (build/fuzz/work/TARGET)
#              instead of starting from the seed corpus alone
# FUZZ_JOBS    targets run at once (default 1; the machine is shared)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
time_s=${FUZZ_TIME:-60}
seed=${FUZZ_SEED:-1}
jobs=${FUZZ_JOBS:-1}
B=build/fuzz

[ "$seed" = random ] && seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
[ $# -gt 0 ] || set -- wire path noise url keyfile known_hosts load
[ -n "${FUZZ_TARGETS:-}" ] && set -- $FUZZ_TARGETS

# Longest input per target: paths reach 4097 bytes, load files a few lines.
max_len() {
	case $1 in
	path) echo 4200 ;;
	wire) echo 8192 ;;
	load) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

# run_one TARGET: fuzz it, then one summary line in $B/TARGET.result
run_one() {
	local t=$1 work=$B/work/$1 art=$B/artifacts/$1/ log=$B/$1.log rc
	local start runs cov corp end
	[ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$work"
	mkdir -p "$work" "$art"
	start=$(date +%s)
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export ASAN_OPTIONS=detect_leaks=1
	if compgen -G "fuzz/regress/$t/*" >/dev/null &&
	   ! "$B/fuzz_$t" fuzz/regress/"$t"/* >"$log" 2>&1; then
		printf '%s 0 0 ? ? %s\n' 1 "fuzz/regress/$t/" >"$B/$t.result"
		return
	fi
	"$B/fuzz_$t" -max_total_time="$time_s" -seed="$seed" \
		-max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art" \
		"$work" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
	corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
	printf '%s %s %s %s %s %s\n' "$rc" "${runs:-0}" "$((end - start))" \
		"${cov:-?}" "${corp:-?}" "$art" >"$B/$t.result"
}

report() {
	local t=$1 n=$2 rc runs secs cov corp art
	read -r rc runs secs cov corp art <"$B/$t.result"
	if [ "$rc" = 0 ]; then
		echo "ok $n - fuzz/$t: $runs runs in $secs s, seed $seed, coverage $cov, corpus $corp"
		return 0
	fi
	echo "not ok $n - fuzz/$t: exit $rc after $runs runs in $secs s, seed $seed"
	grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|Test unit written' "$B/$t.log" |
		head -n 20 | sed 's/^/#   /'
	echo "#   log: $B/$t.log; reproduce: $B/fuzz_$t $(ls -t "$art" 2>/dev/null | head -n1 | sed "s|^|$art|")"
	return 1
}

for t in "$@"; do
	[ -x "$B/fuzz_$t" ] || { echo "fuzz/run.sh: no $B/fuzz_$t (make -f fuzz/Makefile build)" >&2; exit 2; }
done
echo "TAP version 13"
echo "# libFuzzer: $# targets, ${time_s} s each, seed $seed, $jobs at once"
running=0
for t in "$@"; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
n=0 failed=0
for t in "$@"; do
	n=$((n + 1))
	report "$t" "$n" || failed=$((failed + 1))
done
echo "1..$n"
[ "$failed" = 0 ]
