#!/bin/bash
# Install everything p2pshare needs to build, test and benchmark, from Debian's archive.
# Idempotent: on a ready machine it only checks, in a few seconds.
set -euo pipefail

SRC_DIR=${P2P_SRC_DIR:-/var/cache/p2pshare}	# extracted kernel-source files (outside the tree)

say() { printf 'deps: %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
	say "must run as root to install packages; run: sudo $0"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

base_pkgs=(
	build-essential make gcc pkg-config bc flex bison libelf-dev kmod cpio xz-utils
	linux-image-amd64 linux-headers-amd64
	qemu-system-x86 qemu-utils busybox-static
	libnl-3-dev libnl-genl-3-dev libnl-utils libmnl-dev libsodium-dev
	sparse iproute2 python3 python3-yaml python3-jsonschema
	linux-source-6.12 nginx-light curl gnuplot-nox
	dkms debhelper dh-dkms dpkg-dev fakeroot lintian mandoc man-db bash-completion systemd
)

updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	say "apt-get update"
	apt-get update -qq
	updated=1
}

# Newest 6.12 backport image in the archive (found, not hard-coded).
newest_612() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1
}

missing() {
	local p out=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			out+=("$p")
	done
	echo "${out[@]}"
}

# A fresh machine may have empty package lists.
if ! apt-cache show linux-source-6.12 >/dev/null 2>&1; then
	apt_update
fi

v612=$(newest_612)
if [ -z "$v612" ]; then
	apt_update
	v612=$(newest_612)
fi
[ -n "$v612" ] || { say "no linux-image-6.12.*+deb12-amd64 in the archive"; exit 1; }

pkgs=("${base_pkgs[@]}" "linux-image-$v612" "linux-headers-$v612")
todo=$(missing "${pkgs[@]}")
if [ -n "$todo" ]; then
	apt_update
	say "installing: $todo"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $todo >/dev/null
fi

# Extract only what the tests use from the 6.12 source tarball.
tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || true)
stamp="$SRC_DIR/.extracted-$(stat -c %Y "$tarball" 2>/dev/null || echo none)"
if [ -n "$tarball" ] && [ ! -e "$stamp" ]; then
	say "extracting selftest harness and ynl from $tarball"
	rm -rf "$SRC_DIR"
	mkdir -p "$SRC_DIR"
	tar -C "$SRC_DIR" -xJf "$tarball" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/net/ynl/*' \
		'*/Documentation/netlink/*'
	touch "$stamp"
fi

say "ready (kernels: $(ls /lib/modules | tr '\n' ' '))"
