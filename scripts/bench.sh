#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: p2pshare.ko beside the userspace twin (copy and sendfile modes), nginx over HTTPS
# with kernel TLS (and with a client certificate, for the cost of a new connection) and over
# HTTP, and the raw sendfile path, and the peers users pick instead (sftp, scp, knfsd, ksmbd
# sealed and clear; bench/peers.sh: the large file every round, the rest one), on the same
# data over the same veth pair in a QEMU guest (docs/BENCHMARKS.md); the encrypted servers
# once per cipher. About 28-29 minutes on the 2-core build host.
#
# Per kernel, two boots of scripts/vm running bench/guest.sh:
#   time   throughput, server CPU and memory per idle connection, P2P_BENCH_REPS rounds
#          with the servers' order rotated, medians reported;
#   count  one round under the instruction-counting TCG plugin (build/bench/insn_count.so),
#          each measurement between phase marks: guest instructions per GiB, per file...
# Then bench/report.py prints a table per cipher and writes build/bench/results.json and
# chart.png (and .svg).
#
# TCG threading: the timing boot runs one host thread per vCPU (thread=multi, as the guest's
# two vCPUs would run in parallel on hardware); the counting boot runs both vCPUs on one thread
# (thread=single), where the same phase gives the same count within about 1% (with multi,
# up to 25%: spin and idle loops then run for as long as the other vCPU takes).
#
# Environment: P2P_BENCH_KERNELS (default: the newest installed 6.12 kernel; e.g.
# "6.12.117+deb12-amd64 6.1.0-56-amd64"), P2P_BENCH_OUT (default build/bench),
# P2P_BENCH_COUNT=0 to skip the counting boot, P2P_BENCH_TIMING_TCG / P2P_BENCH_COUNT_TCG
# (multi / single), and what bench/guest.sh reads (P2P_BENCH_CIPHERS, P2P_BENCH_SERVERS,
# P2P_BENCH_REPS, P2P_BENCH_BIG_MIB, ...).
#
# scripts/bench.sh --profile (make bench-profile): where the instructions go. One counting boot
# on the first kernel, the plugin in profile mode (prof=: instructions per translation block
# address in each phase), by default only the small-file and handshake metrics
# (P2P_BENCH_METRICS) for kmod, raw, nginx, nginx-b and copy (P2P_BENCH_SERVERS; nginx with wrk
# runs before nginx-b, filling nginx's open_file_cache as in make bench); the guest prints its
# /proc/kallsyms and bench/profile.py names the addresses. Writes OUT/profile/: count.log,
# insns.txt, prof.txt, kallsyms, report.txt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${P2P_BENCH_OUT:-build/bench}	# relative to the tree's root
case $out in /*) ;; *) out=$root/$out ;; esac

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

profile=0
case ${1:-} in
--profile) profile=1 ;;
"") ;;
*) die "usage: scripts/bench.sh [--profile]" ;;
esac

default_kernel() {
	find /lib/modules -mindepth 2 -maxdepth 2 -path '/lib/modules/6.12.*/build' |
		cut -d/ -f4 | sort -V | tail -n1
}

kernels=${P2P_BENCH_KERNELS:-$(default_kernel)}
[ -n "$kernels" ] || die "no 6.12 kernel with headers installed (make deps), or set P2P_BENCH_KERNELS"

# Under TCG on a loaded host a vCPU can be starved for many seconds: that is no kernel bug, and
# the soft-lockup and RCU-stall detectors would end the run (scripts/vm panics on them).
export P2P_VM_APPEND="${P2P_VM_APPEND:+$P2P_VM_APPEND }nowatchdog rcupdate.rcu_cpu_stall_suppress=1"

start=$(date +%s)
# nginx, wrk, curl, gnuplot, the 6.12 kernel, QEMU's plugin header: scripts/deps.sh.
if [ "$(id -u)" = 0 ]; then scripts/deps.sh bench; else sudo scripts/deps.sh bench; fi
make -s p2pctl twin bench-tools
for k in $kernels; do
	scripts/build-module.sh "$k" >/dev/null || die "building the module for $k failed"
done

# vm TCG LOG ARGS...: one boot; a second one if QEMU 7.2's code-patching race (an int3 oops,
# see scripts/vm) ended the first, since with thread=multi it can strike mid-run.
vm() {
	local tcg=$1 log=$2 try
	shift 2
	for try in 1 2; do
		if P2P_VM_TCG_THREAD=$tcg scripts/vm "$@" >"$log" 2> >(tee "$log.err" >&2); then
			return 0
		fi
		grep -qE 'int3: [0-9a-f]{4} \[#' "$log.err" && [ "$try" = 1 ] || return 1
		say "QEMU's int3 race ended the run: once more"
	done
}

# --profile: one counting boot with the per-block profile, then bench/profile.py.
run_profile() {
	local k=${kernels%% *} dir=$out/profile
	rm -rf "$dir"
	mkdir -p "$dir"
	say "kernel $k: instruction profile (QEMU plugin, prof=)"
	# Only small files and handshakes by default: the large and concurrent files need not be
	# 256 + 8 x 32 MiB of the guest's memory. The handshake phase lets profile.py take the
	# small-file phase's one handshake off (its "small-hs" column).
	P2P_BENCH_PROF=1 P2P_BENCH_SERVERS=${P2P_BENCH_SERVERS:-kmod raw nginx nginx-b copy} \
		P2P_BENCH_METRICS=${P2P_BENCH_METRICS:-small handshake} \
		P2P_BENCH_BIG_MIB=${P2P_BENCH_BIG_MIB:-1} P2P_BENCH_CONC_MIB=${P2P_BENCH_CONC_MIB:-1} \
		vm "${P2P_BENCH_COUNT_TCG:-single}" "$dir/count.log" --kernel "$k" --mem 2048 \
		--timeout 1800 \
		--plugin "$root/build/bench/insn_count.so,out=$dir/insns.txt,prof=$dir/prof.txt" \
		-- bench/guest.sh count || die "the profile run on $k failed (its output: $dir/count.log*)"
	sed -n 's/^KSYM //p' "$dir/count.log" >"$dir/kallsyms"
	[ -s "$dir/kallsyms" ] || die "no kernel symbols in $dir/count.log"
	python3 bench/profile.py --log "$dir/count.log" --prof "$dir/prof.txt" \
		--kallsyms "$dir/kallsyms" >"$dir/report.txt" || die "bench/profile.py failed"
	cat "$dir/report.txt"
	say "done in $(($(date +%s) - start)) s: $dir/report.txt"
}

if [ "$profile" = 1 ]; then
	run_profile
	exit 0
fi

runs=()
for k in $kernels; do
	dir=$out/$k
	rm -rf "$dir"
	mkdir -p "$dir"
	say "kernel $k: throughput, CPU and memory"
	# Other work on the host slows the emulated CPU: the load is reported beside the figures.
	cut -d' ' -f1-3 /proc/loadavg >"$dir/host-load"
	vm "${P2P_BENCH_TIMING_TCG:-multi}" "$dir/time.log" --kernel "$k" --mem 2048 --timeout 1800 \
		-- bench/guest.sh time || die "the timing run on $k failed (its output: $dir/time.log*)"
	cut -d' ' -f1-3 /proc/loadavg >>"$dir/host-load"
	if [ "${P2P_BENCH_COUNT:-1}" != 0 ]; then
		say "kernel $k: guest instructions (QEMU plugin)"
		# One thread runs every vCPU: the count can be added in the block itself.
		inl=
		[ "${P2P_BENCH_COUNT_TCG:-single}" = single ] && inl=,inline=on
		vm "${P2P_BENCH_COUNT_TCG:-single}" "$dir/count.log" --kernel "$k" --mem 2048 \
			--timeout 1800 --plugin "$root/build/bench/insn_count.so,out=$dir/insns.txt$inl" \
			-- bench/guest.sh count || die "the counting run on $k failed (its output: $dir/count.log*)"
	fi
	runs+=("$dir")
done

python3 bench/report.py --out "$out" --command "make bench" \
	--seconds "$(($(date +%s) - start))" "${runs[@]}"
