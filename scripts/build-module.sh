#!/bin/bash
# Build kmod/ for one kernel into build/KVER/ with W=1 and sparse (C=1).
# Any compiler or sparse warning fails the build.
# --selftest: the module with its known-answer tests (P2P_SELFTEST=1, run at
# load), into build/selftest/KVER/ so that it never mixes with the normal one.
set -euo pipefail

selftest=()
sub=
if [ "${1:-}" = --selftest ]; then
	selftest=(P2P_SELFTEST=1)
	sub=selftest/
	shift
fi
kver=${1:?usage: build-module.sh [--selftest] KVER}
root=$(cd "$(dirname "$0")/.." && pwd)
kdir=/lib/modules/$kver/build
out=$root/build/$sub$kver

[ -d "$kdir" ] || { echo "build-module: no headers for $kver in $kdir (run make deps)" >&2; exit 1; }

# Kbuild writes objects beside the sources, so each kernel gets a tree of
# symlinks to the real sources: several kernels can build at once.
mkdir -p "$out/kmod"
# Two builds of one kernel at once would pull the tree from under each other.
exec 9>"$out/.lock"
flock 9
find "$out/kmod" -type l -delete
(cd "$root" && find kmod \( -name '*.[ch]' -o -name Kbuild \) -print) |
while read -r f; do
	mkdir -p "$out/$(dirname "$f")"
	ln -sf "$root/$f" "$out/$f"
done
ln -sf "$root/Kbuild" "$out/Kbuild"

log=$out/build.log
echo "  MODULE  $kver${sub:+ (selftest)}"
if ! make -C "$kdir" M="$out" W=1 C=1 CHECK="sparse -Wno-unknown-attribute" \
	"${selftest[@]}" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module: build failed for $kver" >&2
	exit 1
fi
# make's own notices (make[1]: warning: jobserver ...) are not the code's.
if grep -E 'warning:|error:' "$log" | grep -v '^make\[[0-9]*\]: ' >&2; then
	echo "build-module: warnings for $kver (log: $log)" >&2
	exit 1
fi
