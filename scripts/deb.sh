#!/bin/bash
# make deb: build the Debian packages p2pshare-dkms and p2pctl from this tree
# (committed and new files, as `make` would build them) with dpkg-buildpackage,
# then check them with lintian.  Everything lands in build/deb/: the source
# package (.dsc, .tar.xz), the two .deb files and lintian.log.
# Exit status: 0, or 1 if the build fails or lintian reports an error or warning
# (docs/INSTALL.md explains the findings left at the info level).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/build/deb

say() { printf 'deb: %s\n' "$*" >&2; }

version=$(dpkg-parsechangelog -SVersion)
module_version=$(sed -n 's/^#define P2P_MODULE_VERSION "\(.*\)"/\1/p' kmod/main.h)
if [ "$version" != "$module_version" ]; then
	say "debian/changelog says $version but kmod/main.h says $module_version"
	exit 1
fi

src=$out/p2pshare-$version
rm -rf "$out"
mkdir -p "$src"
# A copy of the sources, so the build's outputs (which dpkg-buildpackage puts in
# the parent directory) and its clean step stay out of the working tree.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		grep -zv '^build/' | tar --null -T - --ignore-failed-read -cf - |
		tar -C "$src" -xf -
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
fi

say "building p2pshare $version in $src"
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
	dpkg-buildpackage -us -uc >"$out/build.log" 2>&1); then
	tail -n 40 "$out/build.log" >&2
	say "dpkg-buildpackage failed (log: $out/build.log)"
	exit 1
fi

changes=$(ls "$out"/p2pshare_"$version"_*.changes)
# Every tag down to pedantic; the log has the explanations.
lintian --info --display-info --pedantic --fail-on error,warning \
	"$changes" >"$out/lintian.log" 2>&1 && rc=0 || rc=$?
grep -E '^[EWIPX]: ' "$out/lintian.log" | sed 's/^/lintian: /' >&2 || true
for f in "$out"/*.deb; do
	echo "${f#"$root"/}"
done
if [ "$rc" != 0 ]; then
	say "lintian found errors or warnings (log: $out/lintian.log)"
	exit 1
fi
