#!/bin/bash
# Generate kmod/uapi/p2pshare_nl.h and kmod/netlink-gen.[ch] from
# docs/netlink.yaml with the kernel's own generator (tools/net/ynl of the
# linux-source package, extracted by scripts/deps.sh).
#   scripts/ynl-gen.sh          write the generated files into the tree
#   scripts/ynl-gen.sh --check  regenerate into a temporary directory and
#                               fail if the tree's files differ
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src=${YNL_SRC:-/var/cache/p2pshare}
gen=$src/tools/net/ynl/ynl-gen-c.py
schema=$src/Documentation/netlink/genetlink-c.yaml
check=0
[ "${1:-}" = --check ] && check=1

for f in "$gen" "$schema"; do
	[ -r "$f" ] || { echo "ynl-gen: no $f (run make deps)" >&2; exit 1; }
done

# The generator names the spec by its path below the nearest directory
# holding a MAINTAINERS file (and loops for ever if there is none); the
# schema is looked up two levels above the spec.  So: a small tree of its
# own, where the spec is docs/netlink.yaml as in ours.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/MAINTAINERS"
mkdir -p "$tmp/docs" "$tmp/out/uapi"
cp "$root/docs/netlink.yaml" "$tmp/docs/netlink.yaml"
cp "$schema" "$tmp/genetlink-c.yaml"

run() {
	python3 "$gen" --spec "$tmp/docs/netlink.yaml" "$@"
}
run --mode uapi --header -o "$tmp/out/uapi/p2pshare_nl.h"
run --mode kernel --header -o "$tmp/out/netlink-gen.h"
run --mode kernel --source -o "$tmp/out/netlink-gen.c"

files="uapi/p2pshare_nl.h netlink-gen.h netlink-gen.c"
if [ "$check" = 1 ]; then
	rc=0
	for f in $files; do
		diff -u "$root/kmod/$f" "$tmp/out/$f" || rc=1
	done
	[ "$rc" = 0 ] || echo "ynl-gen: kmod/ differs from docs/netlink.yaml: run scripts/ynl-gen.sh" >&2
	exit "$rc"
fi
for f in $files; do
	cp "$tmp/out/$f" "$root/kmod/$f"
done
