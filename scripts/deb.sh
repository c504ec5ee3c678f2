#!/bin/bash
# make deb: build the Debian packages p2pshare-dkms and p2pctl from this tree
# (committed and new files, as `make` would build them) with dpkg-buildpackage,
# then check them with lintian.  Everything lands in build/deb/: the source
# package (.dsc, .tar.xz), the two .deb files, lintian.log, and dkms/ (the
# module built by DKMS from the package for each installed kernel).
# Exit status: 0, or 1 if the build fails or lintian reports an error or warning
# (docs/INSTALL.md explains the findings left at the info level).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/build/deb

say() { printf 'deb: %s\n' "$*" >&2; }

version=$(dpkg-parsechangelog -SVersion)
module_version=$(sed -n 's/^#define P2P_MODULE_VERSION "\(.*\)"/\1/p' kmod/version.h)
if [ "$version" != "$module_version" ]; then
	say "debian/changelog says $version but kmod/version.h says $module_version"
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

# DKMS on the packaged source, as the package's postinst runs it, for every
# installed kernel with headers.  Private trees keep the host's /var/lib/dkms and
# /lib/modules untouched (the guests see them).  For the guest tests, which cannot
# afford what TCG makes of this (a DKMS build takes over 15 minutes, a depmod over
# 2), it keeps a binaries-only DKMS tarball of the module and the module index
# depmod makes once the module is installed.
x=$out/dkms-work

# modules_index KVER KO: depmod's files for KVER's modules plus KO in updates/dkms/.
modules_index() {
	local k=$1 ko=$2 m=$x/root-$1 f
	local -a map=()
	mkdir -p "$m/lib/modules/$k/updates/dkms"
	ln -s "/lib/modules/$k/kernel" "$m/lib/modules/$k/kernel"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ ! -e "/lib/modules/$k/$f" ] || cp "/lib/modules/$k/$f" "$m/lib/modules/$k/"
	done
	cp "$ko" "$m/lib/modules/$k/updates/dkms/"
	[ ! -e "/boot/System.map-$k" ] || map=(-F "/boot/System.map-$k")
	depmod -b "$m" "${map[@]}" -a "$k" &&
		(cd "$m/lib/modules/$k" && printf '%s\n' modules.* |
			grep -vxE 'modules\.(order|builtin|builtin\.modinfo)' |
			tar -cf "$out/dkms/modules-index-$k.tar" -T -)
}

mkdir -p "$out/dkms" "$x/tree" "$x/install"
dpkg-deb -x "$out/p2pshare-dkms_${version}_all.deb" "$x/root"
dkms=(dkms --sourcetree "$x/root/usr/src" --dkmstree "$x/tree" --installtree "$x/install")
export sign_file=/nonexistent	# unsigned, like the module `make` builds
"${dkms[@]}" add -m p2pshare -v "$version" >"$x/log" 2>&1
for k in $(find /lib/modules -mindepth 2 -maxdepth 2 -name build | cut -d/ -f4 | sort -V); do
	say "dkms build for $k"
	mkdir -p "$x/install/$k"
	ln -sfn "/lib/modules/$k/build" "$x/install/$k/build"
	if ! "${dkms[@]}" build -m p2pshare -v "$version" -k "$k" >>"$x/log" 2>&1 ||
	   ! "${dkms[@]}" mktarball -m p2pshare -v "$version" -k "$k" --binaries-only \
		--archive "$out/dkms/p2pshare-$version-$k.dkms.tar.gz" >>"$x/log" 2>&1 ||
	   ! modules_index "$k" "$(ls "$x/tree/p2pshare/$version/$k"/*/module/p2pshare.ko*)" \
		>>"$x/log" 2>&1; then
		cat "$x/log" "$x/tree/p2pshare/$version/build/make.log" >&2 2>/dev/null
		say "dkms build failed for $k"
		exit 1
	fi
done
rm -rf "$x"

changes=$(ls "$out"/p2pshare_"$version"_*.changes)
# Every tag down to pedantic; the log has the explanations.
lintian --info --display-info --display-experimental --pedantic --fail-on error,warning \
	"$changes" >"$out/lintian.log" 2>&1 && rc=0 || rc=$?
grep -E '^[EWIPX]: ' "$out/lintian.log" | sed 's/^/lintian: /' >&2 || true
for f in "$out"/*.deb; do
	echo "${f#"$root"/}"
done
if [ "$rc" != 0 ]; then
	say "lintian found errors or warnings (log: $out/lintian.log)"
	exit 1
fi
