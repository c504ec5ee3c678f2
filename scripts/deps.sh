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
	sparse iproute2 python3 python3-yaml python3-jsonschema python3-cryptography
	linux-source-6.12 nginx-light curl wrk gnuplot-nox
	dkms debhelper dh-dkms dpkg-dev fakeroot lintian mandoc man-db bash-completion systemd
	clang libclang-rt-14-dev
	shellcheck perl
)

# The benchmark's peers (issue 16, bench/guest.sh starts each with its own configuration in the
# guest): OpenSSH's sshd, sftp and scp; ksmbd-tools (ksmbd.mountd, ksmbd.adduser for the in-kernel
# SMB3 server) and cifs-utils (mount.cifs for the kernel CIFS client); nfs-kernel-server (rpc.nfsd,
# rpc.mountd, exportfs for knfsd; it brings nfs-common's mount.nfs4). They must never run as the
# host's services: installed under a policy-rc.d that answers 101, so that no daemon starts.
bench_peer_pkgs=(openssh-server openssh-client ksmbd-tools cifs-utils nfs-kernel-server)

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

# The peers' daemons must not start on the host (see bench_peer_pkgs): a policy-rc.d that denies
# every start for the time of the install, unless one is there already (then it is left alone).
todo=$(missing "${bench_peer_pkgs[@]}")
if [ -n "$todo" ]; then
	apt_update
	say "installing the benchmark's peers, no daemon started: $todo"
	policy=/usr/sbin/policy-rc.d
	own_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\n# p2pshare deps.sh: no service starts during the install\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		own_policy=1
	fi
	rc=0
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $todo >/dev/null || rc=$?
	[ "$own_policy" = 1 ] && rm -f "$policy"
	[ "$rc" = 0 ] || { say "installing $todo failed"; exit 1; }
fi

# Extract only what the tests use from the 6.12 source tarball (make lint
# takes checkpatch.pl from it into build/checkpatch/ itself).
tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || true)
stamp="$SRC_DIR/.extracted-$(stat -c %Y "$tarball" 2>/dev/null || echo none)"
if [ -n "$tarball" ] && [ ! -e "$stamp" ]; then
	say "extracting selftest harness and ynl from $tarball"
	rm -rf "$SRC_DIR/tools" "$SRC_DIR/Documentation" "$SRC_DIR"/.extracted-*
	mkdir -p "$SRC_DIR"
	tar -C "$SRC_DIR" -xJf "$tarball" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/net/ynl/*' \
		'*/Documentation/netlink/*'
	touch "$stamp"
fi

# QEMU's plugin API header, for the benchmark's instruction counter (bench/insn_count.c):
# Debian ships none, so it comes from the source package of the installed qemu-system-x86,
# fetched through a deb-src entry for Debian's archive. The package stays in $QEMU_DIR/pkg;
# only the header is unpacked.
QEMU_DIR=$SRC_DIR/qemu
SRC_LIST=/etc/apt/sources.list.d/p2pshare-src.sources
qemu_ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
if [ ! -e "$QEMU_DIR/.version-$qemu_ver" ]; then
	if [ ! -e "$SRC_LIST" ]; then
		codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
		say "adding deb-src entries for $codename in $SRC_LIST"
		printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
			"Suites: $codename $codename-updates" "Components: main" \
			"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
			"Types: deb-src" "URIs: http://deb.debian.org/debian-security" \
			"Suites: $codename-security" "Components: main" \
			"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" >"$SRC_LIST"
		updated=0
	fi
	apt-cache showsrc "qemu=$qemu_ver" 2>/dev/null | grep -q '^Version' || apt_update
	say "fetching the qemu $qemu_ver source package for its plugin header"
	rm -rf "$QEMU_DIR"
	mkdir -p "$QEMU_DIR/pkg"
	(cd "$QEMU_DIR/pkg" && apt-get source -qq --download-only "qemu=$qemu_ver") >/dev/null 2>&1 ||
		{ say "apt-get source qemu=$qemu_ver failed"; exit 1; }
	tar -C "$QEMU_DIR" -xJf "$QEMU_DIR"/pkg/qemu_*.orig.tar.xz --strip-components=1 \
		--wildcards '*/include/qemu/qemu-plugin.h'
	# Debian's patches must leave the header alone, or it would not match the binary.
	if tar -xJOf "$QEMU_DIR"/pkg/qemu_*.debian.tar.xz --wildcards 'debian/patches/*' |
		grep -q '^+++ .*include/qemu/qemu-plugin.h'; then
		say "a Debian patch changes qemu-plugin.h: unpack the package with dpkg-source -x"
		exit 1
	fi
	touch "$QEMU_DIR/.version-$qemu_ver"
fi

say "ready (kernels: $(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' '))"
