#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench-swarm inside the guest (scripts/bench-swarm.sh runs it under
# scripts/vm): one 32 MiB file from one seed to N hosts, every uplink held to
# the same rate, timed until every host holds a verified copy (issue 17).
#
#  ┌ s0: seed ─────────┐ ┌ h1 ───────────────┐       ┌ hN ───────────────┐
#  │ data/f.bin        │ │ data/  (empty)    │  ...  │ data/  (empty)    │
#  │ eth0 198.18.0.1   │ │ eth0 198.18.0.11  │       │ eth0 198.18.0.(10+N)
#  │  tbf RATE egress  │ │  tbf RATE egress  │       │  tbf RATE egress  │
#  └────────┬──────────┘ └────────┬──────────┘       └────────┬──────────┘
#           └────── veth ──── sw: bridge br0 ──── veth ───────┘
#
# Every namespace is one host of p2pshare.ko (the module is per netns): its
# own host key and listener, the user alice with one public key everywhere,
# the export "data" of its own directory, alice granted read. The tbf qdisc
# on each host's eth0 limits what the host sends (its uplink); what it
# receives is not limited, as on an asymmetric access line.
#
# Modes, each a round of all N hosts started at once:
#   cs       every host runs  p2pctl get URL_OF_SEED --verify  (client-server)
#   swarm    every host runs  p2pctl get URL_OF_SEED --peer H... (every other
#            host): the multi-source get, which serves what it has verified
#            while it downloads
#   corrupt  swarm, but one host (the last) does not download: it holds a
#            copy with a byte flipped in every block, marked as a complete
#            download of the right file, and is a --peer of the others, which
#            must still end with the right file and name it on stderr
# A round's time runs from the start of the first get to the end of the last
# one; every output is then checked against the seed's sha256.
#
# Output: one line "RESULT {json}" per round on stdout (bench/swarm_report.py
# reads them), progress on stderr. Knobs (environment):
#   P2P_SWARM_HOSTS      host counts of the swarm rounds     ("3 7 15")
#   P2P_SWARM_CS_HOSTS   host counts of the client-server rounds ("3 15")
#   P2P_SWARM_BAD_HOSTS  host count of the corrupt round, the bad one
#                        included; empty: none                ("7")
#   P2P_SWARM_MODES      which of cs swarm corrupt to run      (all three)
#   P2P_SWARM_RATE       every uplink, tc's syntax; 0: none    ("8mbit")
#   P2P_SWARM_QDISC      the uplink's queue: fifo (tbf's own 200 ms
#                        tail-drop FIFO) or a qdisc put under the tbf,
#                        e.g. fq_codel (flows queue apart)   (fifo)
#   P2P_SWARM_MIB        the file's size in MiB                (32)
#   P2P_SWARM_FS         where the exports live: auto (tmpfs if it has user
#                        xattrs, else an ext4 image), tmpfs, ext4  (auto)
#   P2P_SWARM_TIMEOUT    seconds one get may take              (900)
set -uo pipefail

: "${P2P_ROOT:?run under scripts/vm (make bench-swarm)}"
W=/tmp/swarm			# the guest's own tmpfs
SEED_ADDR=198.18.0.1
PORT=7437
KEY=$W/alice.key
FILE=f.bin

HOSTS=${P2P_SWARM_HOSTS-3 7 15}
CS_HOSTS=${P2P_SWARM_CS_HOSTS-3 15}
BAD_HOSTS=${P2P_SWARM_BAD_HOSTS-7}
MODES=${P2P_SWARM_MODES:-cs swarm corrupt}
RATE=${P2P_SWARM_RATE:-8mbit}
QDISC=${P2P_SWARM_QDISC:-fifo}
MIB=${P2P_SWARM_MIB:-32}
FS=${P2P_SWARM_FS:-auto}
GET_TIMEOUT=${P2P_SWARM_TIMEOUT:-900}

say() { echo "swarm: $*" >&2; }
die() { say "$*"; exit 1; }

addr_of() { if [ "$1" = 0 ]; then echo $SEED_ADDR; else echo "198.18.0.$((10 + $1))"; fi; }
ns_of() { if [ "$1" = 0 ]; then echo s0; else echo "h$1"; fi; }
# on I CMD...: CMD in host I's network namespace only (not `ip netns exec`:
# its private mount namespace would end with the command, and the export
# made there would keep a detached copy of the mounts).
on() { local i=$1; shift; nsenter --net="/run/netns/$(ns_of "$i")" "$@"; }
dir_of() { echo "$EXPORTS/$(ns_of "$1")"; }
now() { date +%s.%N; }
# sub A B: A - B, seconds with millisecond digits.
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

max_hosts() {
	local n m=0
	for n in $HOSTS $CS_HOSTS $BAD_HOSTS; do [ "$n" -gt "$m" ] && m=$n; done
	echo "$m"
}

# ---------------------------------------------------------------- setup

# user.* extended attributes, which the partial-file mark needs: tmpfs has
# them since Linux 6.6, so on 6.1 the exports go to an ext4 image.
has_user_xattr() {
	local f=$1/.xattr-probe rc
	: >"$f" || return 1
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.p2pshare.probe", b"1")' "$f" 2>/dev/null
	rc=$?
	rm -f "$f"
	return $rc
}

setup_fs() {
	local mib
	mkdir -p "$W" && chmod 755 "$W" || die "cannot create $W"
	case $FS in
	auto) if has_user_xattr "$W"; then FS=tmpfs; else FS=ext4; fi ;;
	tmpfs | ext4) ;;
	*) die "P2P_SWARM_FS: auto, tmpfs or ext4, not '$FS'" ;;
	esac
	EXPORTS=$W/exports
	if [ "$FS" = ext4 ]; then
		# Every host's copy and the bad one, plus room for ext4's own.
		mib=$(((NHOSTS + 2) * MIB * 5 / 4 + 64))
		modprobe -a loop ext4 &&
			truncate -s "${mib}M" "$W/exports.img" &&
			/usr/sbin/mkfs.ext4 -q -F -m 0 -O ^has_journal "$W/exports.img" &&
			mkdir -p "$EXPORTS" && mount -o loop "$W/exports.img" "$EXPORTS" ||
			die "cannot make the ext4 image for the exports"
	fi
	mkdir -p "$EXPORTS" && chmod 755 "$EXPORTS" || die "cannot create $EXPORTS"
	has_user_xattr "$EXPORTS" || die "$EXPORTS ($FS) has no user xattrs"
	say "exports on $FS (user xattrs: yes)"
}

# tbf on the host's eth0: at most RATE leaves the host. The bucket holds a
# few full-size TSO packets (tbf splits larger ones) and the queue 200 ms.
# With another QDISC (fq_codel) that queue is the qdisc's instead of one
# FIFO, so that a host's ACKs and requests need not wait behind the blocks
# it serves (docs/BENCHMARKS.md, "Swarm": tried, not better at 15 hosts).
limit_uplink() {
	[ "$RATE" = 0 ] && return 0
	on "$1" tc qdisc replace dev eth0 root handle 1: tbf rate "$RATE" burst 64kb latency 200ms ||
		return 1
	[ "$QDISC" = fifo ] || on "$1" tc qdisc add dev eth0 parent 1:1 handle 10: "$QDISC"
}

setup_net() {
	local i
	modprobe -a veth bridge sch_tbf || die "cannot load veth, bridge, sch_tbf"
	[ "$QDISC" = fifo ] || modprobe "sch_$QDISC" 2>/dev/null || true
	ip netns add sw && ip -n sw link set lo up &&
		ip -n sw link add br0 type bridge && ip -n sw link set br0 up ||
		die "cannot make the bridge"
	for ((i = 0; i <= NHOSTS; i++)); do
		ip netns add "$(ns_of "$i")" &&
			ip link add eth0 netns "$(ns_of "$i")" type veth peer name "p$i" netns sw &&
			ip -n sw link set "p$i" master br0 && ip -n sw link set "p$i" up &&
			on "$i" ip link set lo up &&
			on "$i" ip addr add "$(addr_of "$i")/24" dev eth0 &&
			on "$i" ip link set eth0 up && limit_uplink "$i" ||
			die "cannot make host $(ns_of "$i")"
	done
}

# The seed's file: random, its sha256 kept. The bad copy: the same with one
# byte flipped in every 1 MiB block, so that whichever block a host asks the
# bad host for gives it away (with a few bad blocks, a host could fetch only
# good ones from it and rightly never name it).
setup_data() {
	head -c "$((MIB << 20))" /dev/urandom >"$W/$FILE" || die "cannot write the data"
	SHA=$(sha256sum <"$W/$FILE" | cut -d' ' -f1)
	cp "$W/$FILE" "$W/bad.bin" && python3 -c 'import os, sys
with open(sys.argv[1], "r+b") as f:
    for off in range(4097, os.fstat(f.fileno()).st_size, 1 << 20):
        f.seek(off); c = f.read(1); f.seek(off); f.write(bytes([c[0] ^ 0xff]))' \
		"$W/bad.bin" || die "cannot make the bad copy"
	[ "$(sha256sum <"$W/bad.bin" | cut -d' ' -f1)" != "$SHA" ] || die "the bad copy is not bad"
}

# mark_complete FILE GOOD: on FILE, the partial-file mark (PROTOCOL.md 7.7)
# of a download holding every block of GOOD: the bad host then offers the
# right root and only its blocks give it away, as a liar's would.
mark_complete() {
	python3 - "$1" "$2" <<'PY'
import hashlib, os, struct, sys
data = open(sys.argv[2], "rb").read()
bs = 1 << 20
hs = [hashlib.sha256(data[i:i + bs]).digest() for i in range(0, len(data), bs)]
root = hashlib.sha256(b"p2pshare/2 root\0" + struct.pack(">QI", len(data), bs)
                      + b"".join(hs)).digest()
n = len(hs)
val = b"p2ppart1" + struct.pack(">QII", len(data), bs, n) + root
val += bytes([0xff] * (n // 8)) + (bytes([(1 << (n % 8)) - 1]) if n % 8 else b"")
os.setxattr(sys.argv[1], "user.p2pshare.partial", val)
PY
}

setup_hosts() {
	local i d kh=$W/known_hosts
	p2pctl genkey >"$KEY" && p2pctl pubkey <"$KEY" >"$W/alice.pub" || die "cannot make alice's key"
	: >"$kh"
	for ((i = 0; i <= NHOSTS; i++)); do
		d=$(dir_of "$i")
		mkdir -p "$d" && chmod 755 "$d" &&
			on "$i" p2pctl user add alice --pubkey "$W/alice.pub" &&
			on "$i" p2pctl listen "$(addr_of "$i"):$PORT" &&
			on "$i" p2pctl export "$d" --name data --user alice:ro ||
			die "cannot configure host $(ns_of "$i")"
		echo "$(addr_of "$i"):$PORT $(on "$i" p2pctl hostkey)" >>"$kh"
	done
	cp "$W/$FILE" "$(dir_of 0)/$FILE" && chmod 644 "$(dir_of 0)/$FILE" ||
		die "cannot give the seed its file"
	# Every host key pinned: no get says "trusting" or asks.
	export P2P_KNOWN_HOSTS=$kh
	for ((i = 0; i <= NHOSTS; i++)); do
		wait_listening "$i" || die "host $(ns_of "$i") does not answer on $(addr_of "$i"):$PORT"
	done
}

# wait_listening I: host I answers another host (the seed, or h1 for the seed), 10 s at most.
wait_listening() {
	local t
	for ((t = 0; t < 100; t++)); do
		on $(($1 ? 0 : 1)) bash -c "exec 3<>/dev/tcp/$(addr_of "$1")/$PORT" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- a round

swarm_client() { p2pctl get --help 2>&1 | grep -q -- '--peer'; }

# GET: host I's get in round MODE with N hosts.
get_cmd() {
	local mode=$1 i=$2 n=$3 j
	GET=(p2pctl get "p2p://alice@$SEED_ADDR:$PORT/data/$FILE" -o "$(dir_of "$i")/$FILE"
		--key-file "$KEY")
	if [ "$mode" = cs ]; then
		GET+=(--verify)
		return
	fi
	for ((j = 1; j <= n; j++)); do
		[ "$j" = "$i" ] || GET+=(--peer "$(addr_of "$j")")
	done
}

# Clears the hosts' copies (the page cache goes with them); the seed keeps
# its file, warm in the page cache as a seed's would be.
clear_hosts() {
	local i
	for ((i = 1; i <= NHOSTS; i++)); do
		find "$(dir_of "$i")" -mindepth 1 -delete
	done
	sync
}

# "busy idle" jiffies of all CPUs, for the share of the round the guest's
# CPUs were busy: near 1 means the emulated CPU, not the links, set the pace.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }

# The bytes host I sent, from eth0's counters (/proc/net follows the reader's
# network namespace; /sys would still show the namespace it was mounted in).
# shellcheck disable=SC2016 # awk's own $2, $11
tx_bytes() { on "$1" awk -F'[: ]+' '$2 == "eth0" { print $11 }' /proc/net/dev; }

# round MODE N: all N hosts at once, timed; one RESULT line.
round() {
	local mode=$1 n=$2 bad=0 said="" seed=0 i t0 t1 rc end sha ok=0 named=0 nget=0 busy0 idle0 busy1 idle1
	local -a ends=() pids=() fails=() tx0=()
	local log=$W/log/$mode-$n
	clear_hosts
	mkdir -p "$log"
	if [ "$mode" = corrupt ]; then
		bad=$n
		cp "$W/bad.bin" "$(dir_of "$bad")/$FILE" && chmod 644 "$(dir_of "$bad")/$FILE" &&
			mark_complete "$(dir_of "$bad")/$FILE" "$W/$FILE" || die "cannot place the bad copy"
	fi
	for ((i = 0; i <= n; i++)); do tx0[i]=$(tx_bytes "$i"); done
	read -r busy0 idle0 < <(cpu_jiffies)
	say "$mode, $n hosts$([ "$bad" = 0 ] || echo ", $(ns_of "$bad") serving a bad copy")"
	t0=$(now)
	for ((i = 1; i <= n; i++)); do
		[ "$i" = "$bad" ] && continue
		get_cmd "$mode" "$i" "$n"
		(
			now >"$log/h$i.start"
			on "$i" env P2P_SWARM_TRACE="$log/h$i.trace" timeout "$GET_TIMEOUT" "${GET[@]}" \
				>"$log/h$i.out" 2>"$log/h$i.err"
			echo "$? $(now)" >"$log/h$i.end"
		) &
		pids+=($!)
		nget=$((nget + 1))
	done
	wait "${pids[@]}"
	t1=$(now)
	read -r busy1 idle1 < <(cpu_jiffies)
	for ((i = 1; i <= n; i++)); do
		[ "$i" = "$bad" ] && continue
		read -r rc end <"$log/h$i.end"
		ends+=("$(sub "$end" "$t0")")
		sha=$(sha256sum <"$(dir_of "$i")/$FILE" 2>/dev/null | cut -d' ' -f1)
		if [ "$rc" = 0 ] && [ "$sha" = "$SHA" ]; then
			ok=$((ok + 1))
		else
			fails+=("\"$(ns_of "$i"): exit $rc$([ "$sha" = "$SHA" ] || echo ", wrong sha256")\"")
			say "$(ns_of "$i") failed (exit $rc): $(tail -n 3 "$log/h$i.err" | tr '\n' ' ')"
		fi
		# Named for what it did, not merely listed in the summary line.
		if [ "$bad" != 0 ] && grep -qE "$(addr_of "$bad"):$PORT (served block|has other content)" "$log/h$i.err"; then
			named=$((named + 1))
			[ -n "$said" ] || said=$(grep -m1 -F "$(addr_of "$bad"):$PORT " "$log/h$i.err")
		fi
		seed=$((seed + $(sed -n "s/.* \([0-9]*\) from $SEED_ADDR:$PORT.*/\1/p" "$log/h$i.err" | tail -n1 | grep . || echo 0)))
	done
	trace_out "$mode" "$n" "$t0" "$log"
	local tx="" sep=""
	for ((i = 0; i <= n; i++)); do
		tx+="$sep$(($(tx_bytes "$i") - tx0[i]))"
		sep=", "
	done
	local secs busy
	secs=$(sub "$t1" "$t0")
	busy=$(awk -v b=$((busy1 - busy0)) -v i=$((idle1 - idle0)) 'BEGIN { printf "%.3f", b / (b + i) }')
	say "$mode, $n hosts: $secs s, $ok of $nget right, CPU busy $busy"
	echo "RESULT {\"mode\": \"$mode\", \"hosts\": $n, \"seconds\": $secs," \
		"\"gets\": $nget, \"ok\": $ok, \"failures\": [$(IFS=,; echo "${fails[*]}")]," \
		"\"host_seconds\": [$(IFS=,; echo "${ends[*]}")], \"tx_bytes\": [$tx]," \
		"\"cpu_busy\": $busy, \"seed_blocks\": $seed$([ "$bad" = 0 ] || echo ", \"bad_host\": \"$(addr_of "$bad")\", \"named_bad\": $named, \"message\": $(json_str "$said")")}"
}

# The hosts' block traces (P2P_SWARM_TRACE of p2pctl get), on stdout for
# bench/swarm_trace.py: "TRACE MODE N HOST START LINE", START the get's
# start in seconds after the round's.
trace_out() {
	local mode=$1 n=$2 t0=$3 log=$4 i start line
	for ((i = 1; i <= n; i++)); do
		[ -s "$log/h$i.trace" ] || continue
		start=$(sub "$(cat "$log/h$i.start")" "$t0")
		while read -r line; do
			echo "TRACE $mode $n h$i $start $line"
		done <"$log/h$i.trace"
		grep -v '^$' "$log/h$i.err" | tail -n 3 | sed "s/^/TRACE-ERR $mode $n h$i /"
	done
}

json_str() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

skip() {
	echo "RESULT {\"mode\": \"$1\", \"hosts\": $2, \"skipped\": \"$3\"}"
	say "$1, $2 hosts: skipped: $3"
}

main() {
	local n mode
	NHOSTS=$(max_hosts)
	[ "$NHOSTS" -ge 2 ] && [ "$NHOSTS" -le 200 ] || die "host counts from 2 to 200, not $NHOSTS"
	setup_fs
	setup_net
	setup_data
	setup_hosts
	say "seed and $NHOSTS hosts up, uplinks ${RATE/#0/unlimited} ($QDISC), file $MIB MiB"
	echo "CONFIG {\"kernel\": \"$(uname -r)\", \"rate\": \"$RATE\", \"qdisc\": \"$QDISC\", \"mib\": $MIB," \
		"\"fs\": \"$FS\", \"cpus\": $(nproc), \"sha256\": \"$SHA\"}"
	for mode in $MODES; do
		case $mode in
		cs) for n in $CS_HOSTS; do round cs "$n"; done ;;
		swarm | corrupt)
			local counts=$HOSTS
			[ "$mode" = corrupt ] && counts=$BAD_HOSTS
			for n in $counts; do
				if swarm_client; then
					round "$mode" "$n"
				else
					skip "$mode" "$n" "swarm client not available (p2pctl get has no --peer)"
				fi
			done ;;
		*) die "P2P_SWARM_MODES: cs, swarm, corrupt; not '$mode'" ;;
		esac
	done
}

main "$@"
