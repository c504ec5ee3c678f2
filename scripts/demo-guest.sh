#!/bin/bash
# The demo, inside the guest: two hosts in network namespaces joined by a
# veth pair; host A shares a directory with alice, host B fetches it.
#
#   netns a (host A)                netns b (host B)
#   198.18.0.1/24  va <--veth--> vb  198.18.0.2/24
#   p2pshare.ko serves /srv/demo    p2pctl ls / get as alice
set -euo pipefail

work=$(mktemp -d /tmp/demo.XXXXXX)
export P2P_KNOWN_HOSTS=$work/known_hosts
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '%s$ %s\n' "$1" "${*:2}" >&2; ip netns exec "$1" "${@:2}"; }

say "Two hosts, A and B, joined by a virtual Ethernet link"
ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a addr add 198.18.0.1/24 dev va
ip -n b addr add 198.18.0.2/24 dev vb
ip -n a link set va up
ip -n b link set vb up
ip -n a link set lo up
ip -n b link set lo up

say "On alice's machine (host B): a key pair; only the public half leaves it"
run b p2pctl genkey >"$work/alice.key"
run b p2pctl pubkey <"$work/alice.key" >"$work/alice.pub"
cat "$work/alice.pub"

say "On host A: some files to share"
mkdir -p /srv/demo/photos
for i in 1 2 3 4 5; do
	head -c $((i * 100000)) /dev/urandom >/srv/demo/photos/img$i.jpg
done
echo "hello from host A" >/srv/demo/README
head -c $((64 << 20)) /dev/urandom >/srv/demo/big.bin
(cd /srv/demo && find . -type f | sort | xargs sha256sum) >"$work/sums.a"
ls -lR /srv/demo

say "On host A: alice may come in, and may read /srv/demo"
run a p2pctl user add alice --pubkey "$(cat "$work/alice.pub")"
run a p2pctl export /srv/demo --user alice
run a p2pctl show

say "On host B: what does host A share with alice?"
run b p2pctl ls p2p://alice@198.18.0.1 --key-file "$work/alice.key"
run b p2pctl ls p2p://alice@198.18.0.1/demo --key-file "$work/alice.key"
run b p2pctl ls p2p://alice@198.18.0.1/demo/photos --key-file "$work/alice.key"

say "On host B: fetch every file"
mkdir -p "$work/b/photos"
cd "$work/b"
for f in README photos/img1.jpg photos/img2.jpg photos/img3.jpg \
	 photos/img4.jpg photos/img5.jpg; do
	run b p2pctl get "p2p://alice@198.18.0.1/demo/$f" -o "$f" \
		--key-file "$work/alice.key"
done
start=$(date +%s.%N)
run b p2pctl get p2p://alice@198.18.0.1/demo/big.bin -o big.bin \
	--key-file "$work/alice.key"
end=$(date +%s.%N)
find . -type f | sort | xargs sha256sum >"$work/sums.b"

say "Checksums on host A and host B"
paste -d' ' <(awk '{print $2, substr($1, 1, 16)}' "$work/sums.a") \
	<(awk '{print substr($1, 1, 16)}' "$work/sums.b") |
	awk '{printf "  %-20s A %s  B %s  %s\n", $1, $2, $3, $2 == $3 ? "ok" : "MISMATCH"}'
if ! cmp -s "$work/sums.a" "$work/sums.b"; then
	echo "demo: checksums differ" >&2
	exit 1
fi
echo "all $(wc -l <"$work/sums.a") files match"

say "Counters on host A: file bytes went out zero-copy from the page cache"
run a p2pctl show | sed -n '/counters/,$p'
awk -v s="$start" -v e="$end" 'BEGIN {
	printf "\nthroughput: 64 MiB in %.2f s = %.0f MB/s (QEMU TCG: emulated CPU, compare ratios only)\n",
		e - s, 64 * 1.048576 / (e - s) }'
echo
echo "demo: done"
