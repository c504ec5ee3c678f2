#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-swarm: one guest, a seed and up to 15 hosts in network namespaces, every uplink
# limited with tc; one 32 MiB file to all, client-server (each host from the seed) against
# the swarm (each host from every other at once), and a swarm with one host serving a
# corrupted copy (bench/swarm.sh; docs/BENCHMARKS.md, "Swarm").
#
# One boot of scripts/vm running bench/swarm.sh, then bench/swarm_report.py prints the table
# and writes OUT/results.json, results.tsv, chart.png (and .svg).
#
# Environment: P2P_SWARM_KERNEL (default: the newest installed kernel; e.g. 6.1.0-57-amd64),
# P2P_SWARM_OUT (default build/bench/swarm), P2P_SWARM_TCG (multi, one host thread per vCPU as
# make bench times with; single), P2P_SWARM_UPDATE_DOC=1 to write the results table into
# docs/BENCHMARKS.md, and what bench/swarm.sh reads (P2P_SWARM_HOSTS, P2P_SWARM_CS_HOSTS,
# P2P_SWARM_BAD_HOSTS, P2P_SWARM_MODES, P2P_SWARM_RATE, P2P_SWARM_QDISC, P2P_SWARM_MIB, P2P_SWARM_FS,
# P2P_SWARM_TIMEOUT).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${P2P_SWARM_OUT:-build/bench/swarm}

say() { printf 'bench-swarm: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ $# = 0 ] || die "usage: scripts/bench-swarm.sh (settings in the environment: see its head)"

newest_kernel() {
	find /lib/modules -mindepth 2 -maxdepth 2 -name build | cut -d/ -f4 |
		while read -r k; do [ -e "/boot/vmlinuz-$k" ] && echo "$k"; done | sort -V | tail -n1
}

kernel=${P2P_SWARM_KERNEL:-$(newest_kernel)}
[ -n "$kernel" ] || die "no kernel with headers installed (make deps), or set P2P_SWARM_KERNEL"

# As in make bench: a vCPU starved by other work on the host is no kernel bug.
export P2P_VM_APPEND="${P2P_VM_APPEND:+$P2P_VM_APPEND }nowatchdog rcupdate.rcu_cpu_stall_suppress=1"

start=$(date +%s)
# QEMU, the kernels, gnuplot for the chart: scripts/deps.sh, as make bench.
if [ "$(id -u)" = 0 ]; then scripts/deps.sh bench; else sudo scripts/deps.sh bench; fi
make -s p2pctl
scripts/build-module.sh "$kernel" >/dev/null || die "building the module for $kernel failed"

rm -rf "$out"
mkdir -p "$out"
log=$out/swarm.log
cut -d' ' -f1-3 /proc/loadavg >"$out/host-load"
say "kernel $kernel: seed and hosts in one guest"

# One boot; a second one if QEMU 7.2's code-patching race (an int3 oops, see scripts/vm)
# ended the first, since with thread=multi it can strike mid-run.
for try in 1 2; do
	rc=0
	P2P_VM_TCG_THREAD=${P2P_SWARM_TCG:-multi} scripts/vm --kernel "$kernel" --mem 3072 \
		--timeout 2400 -- bench/swarm.sh >"$log" 2> >(tee "$log.err" >&2) || rc=$?
	[ "$rc" = 0 ] && break
	if [ "$try" = 2 ] || ! grep -qE 'int3: [0-9a-f]{4} \[#' "$log.err"; then
		die "the run on $kernel failed (its output: $log*)"
	fi
	say "QEMU's int3 race ended the run: once more"
done
cut -d' ' -f1-3 /proc/loadavg >>"$out/host-load"

doc=()
[ "${P2P_SWARM_UPDATE_DOC:-0}" = 0 ] || doc=(--update-doc docs/BENCHMARKS.md)
python3 bench/swarm_report.py --out "$out" --log "$log" --command "make bench-swarm" \
	--seconds "$(($(date +%s) - start))" "${doc[@]}"
