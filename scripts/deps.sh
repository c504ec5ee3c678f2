#!/bin/bash
# Install what one part of p2pshare needs, from Debian's archive (root).
#
#   scripts/deps.sh [demo|test|bench|all]    (default: test, which make deps runs)
#
#   demo   make demo: QEMU, busybox, the 6.1 kernel and its headers (the demo boots it),
#          sparse (every module build runs it), the libraries p2pctl links with.
#   test   make check and .ci/run: demo, plus the 6.12 backport kernel, the kernel source
#          (selftest harness, checkpatch, ynl), shellcheck, clang for the fuzzers, what
#          make deb and the host and guest tests run.
#   bench  make bench: demo, plus the 6.12 kernel, nginx, wrk, curl, openssl, gnuplot and
#          QEMU's plugin header (from the qemu source package).
#   all    the three.
#
# The lists are the *_pkgs arrays below; the guest boots the host's own root file
# system (scripts/vm), so a tool a guest test runs is a host package here.
#
# No system service is enabled or started: packages are installed with a policy-rc.d that
# denies every start and a systemd preset that enables nothing, and a SysV start link that
# update-rc.d still creates is turned off (update-rc.d NAME disable) with a message. The
# benchmark runs nginx with its own configuration (bench/guest.sh). No apt source is added:
# the qemu source package comes through a private, temporary apt configuration.
# Idempotent: on a ready machine it only checks, in a few seconds.
set -euo pipefail

SRC_DIR=${P2P_SRC_DIR:-/var/cache/p2pshare}	# extracted kernel-source files (outside the tree)

# make demo: boot a guest (scripts/vm), build the module (scripts/build-module.sh: the
# headers pull in gcc, linux-kbuild and pahole; sparse for C=1) and p2pctl.
demo_pkgs=(
	make gcc pkgconf kmod cpio xz-utils zstd iproute2
	linux-image-amd64 linux-headers-amd64
	qemu-system-x86 busybox-static sparse
	libnl-3-dev libnl-genl-3-dev libsodium-dev
	libavahi-client-dev	# p2pctl announce and discover (optional at build time)
)
# make check: scripts/check.sh and what it runs.
test_pkgs=(
	linux-source-6.12	# selftest harness, ynl-gen (make ynl-check), checkpatch (make lint)
	perl shellcheck binutils python3	# make lint: checkpatch, shellcheck, cycles.py (nm)
	python3-yaml python3-jsonschema	# ynl-gen-c.py, the ynl client of tests/guest/cp_ynl.sh
	libmnl-dev	# tests/guest/*.c, tests/helpers/*.c
	clang libclang-rt-14-dev	# make fuzz (libFuzzer)
	build-essential dpkg-dev debhelper dh-dkms dkms lintian	# make deb, tests/host/pkg_dkms.sh
	mandoc man-db bsdextrautils bash-completion systemd	# tests/host/pkg_files.sh
	libnl-utils python3-cryptography bc e2fsprogs strace	# guest tests
	avahi-daemon avahi-utils	# tests/guest/mdns_discover.sh runs its own daemons
)
# make bench: bench/guest.sh (servers and clients), bench/report.py (the chart).
bench_pkgs=(
	nginx-light curl wrk openssl gnuplot-nox python3
	# The peers (issue 16), each started by the benchmark with its own configuration:
	openssh-server openssh-client	# sshd, sftp, scp
	ksmbd-tools cifs-utils	# ksmbd.mountd and ksmbd.adduser; mount.cifs
	nfs-kernel-server	# rpc.nfsd, rpc.mountd, exportfs; mount.nfs4 (nfs-common)
)

say() { printf 'deps: %s\n' "$*" >&2; }

usage() {
	echo "usage: scripts/deps.sh [demo|test|bench|all]" >&2
	exit 2
}

part=${1:-test}
case $part in
demo | test | bench | all) ;;
*) usage ;;
esac
[ $# -le 1 ] || usage

if [ "$(id -u)" != 0 ]; then
	say "must run as root to install packages; run: sudo $0 $part"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

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

# Links that make a service start at boot: systemd's wants/requires and SysV's S links.
boot_links() {
	find /etc/systemd/system -mindepth 2 -maxdepth 2 -type l \
		\( -path '*.wants/*' -o -path '*.requires/*' \) 2>/dev/null
	find /etc/rc[S2345].d -maxdepth 1 -type l -name 'S[0-9][0-9]*' 2>/dev/null
}

# While apt-get runs: invoke-rc.d and deb-systemd-invoke ask /usr/sbin/policy-rc.d, and 101
# means "action forbidden" (so no daemon starts); deb-systemd-helper enables a new unit by
# `systemctl preset`, and this preset (first match wins, 00- sorts first) enables none.
# A policy-rc.d already there is put back afterwards.
POLICY=/usr/sbin/policy-rc.d
PRESET=/run/systemd/system-preset/00-p2pshare-deps.preset
services_off() {
	if [ -e "$POLICY" ]; then
		cp -a "$POLICY" "$POLICY.p2pshare-deps"
	fi
	printf '#!/bin/sh\n# scripts/deps.sh of p2pshare: no service starts while it installs.\nexit 101\n' \
		>"$POLICY.new"
	chmod 0755 "$POLICY.new"
	mv -f "$POLICY.new" "$POLICY"
	mkdir -p "${PRESET%/*}"
	echo 'disable *' >"$PRESET"
	trap services_restore EXIT
}

services_restore() {
	if [ -e "$POLICY.p2pshare-deps" ]; then
		mv -f "$POLICY.p2pshare-deps" "$POLICY"
	else
		rm -f "$POLICY"
	fi
	rm -f "$PRESET"
	trap - EXIT
}

# update-rc.d defaults (dh_installinit) creates SysV start links whatever the policy: each new
# one is turned into a stop link, which later upgrades keep.
sysv_off() {
	local before=$1 l name names=()
	for l in $(boot_links); do
		grep -qxF "$l" <<<"$before" && continue
		case $l in
		/etc/rc*) name=${l##*/S[0-9][0-9]} ;;
		*) name=${l##*/} ;;
		esac
		[[ " ${names[*]} " == *" $name "* ]] || names+=("$name")
	done
	for name in "${names[@]}"; do
		say "$name: the package enabled it at boot; turning that off (p2pshare never needs it)"
		case $name in
		*.*) systemctl disable --quiet "$name" 2>/dev/null ||
			find /etc/systemd/system -mindepth 2 -maxdepth 2 -name "$name" -type l -delete ;;
		*) update-rc.d "$name" disable >/dev/null 2>&1 ||
			rm -f /etc/rc[S2345].d/S[0-9][0-9]"$name" ;;
		esac
	done
}

# guarded CMD...: run CMD (a package install) so that no service it brings is started or
# left enabled at boot; its exit status is CMD's.
guarded() {
	local before rc=0
	before=$(boot_links)
	services_off
	"$@" || rc=$?
	services_restore
	sysv_off "$before"
	return "$rc"
}

install_pkgs() {
	local todo
	todo=$(missing "$@")
	[ -n "$todo" ] || return 0
	apt_update
	say "installing: $todo"
	# shellcheck disable=SC2086
	guarded apt-get install -y -qq --no-install-recommends $todo >/dev/null
}

# Extract only what the tests use from the 6.12 source tarball (make lint
# takes checkpatch.pl from it into build/checkpatch/ itself).
extract_kernel_source() {
	local tarball stamp
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || true)
	stamp="$SRC_DIR/.extracted-$(stat -c %Y "$tarball" 2>/dev/null || echo none)"
	[ -n "$tarball" ] && [ ! -e "$stamp" ] || return 0
	say "extracting selftest harness and ynl from $tarball"
	rm -rf "$SRC_DIR/tools" "$SRC_DIR/Documentation" "$SRC_DIR"/.extracted-*
	mkdir -p "$SRC_DIR"
	tar -C "$SRC_DIR" -xJf "$tarball" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/net/ynl/*' \
		'*/Documentation/netlink/*'
	touch "$stamp"
}

# QEMU's plugin API header, for the benchmark's instruction counter (bench/insn_count.c):
# Debian ships none in a binary package, so it comes from the source package of the installed
# qemu-system-x86. apt-get source needs a deb-src index: it gets one in a private apt
# configuration under a temporary directory (the system's sources and lists stay as they
# are), signed by Debian's archive key as usual. The package stays in $QEMU_DIR/pkg; only the
# header is unpacked.
QEMU_DIR=$SRC_DIR/qemu
qemu_header() {
	local ver codename tmp
	ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
	[ ! -e "$QEMU_DIR/.version-$ver" ] || return 0
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	tmp=$(mktemp -d)
	mkdir -p "$tmp/lists/partial" "$tmp/parts"
	printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
		"Suites: $codename $codename-updates" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
		"Types: deb-src" "URIs: http://deb.debian.org/debian-security" \
		"Suites: $codename-security" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" >"$tmp/parts/src.sources"
	local apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$tmp/parts"
		-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
		-o "APT::Sandbox::User=root")
	say "fetching the qemu $ver source package for its plugin header (temporary deb-src index)"
	rm -rf "$QEMU_DIR"
	mkdir -p "$QEMU_DIR/pkg"
	if ! apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 ||
	   ! (cd "$QEMU_DIR/pkg" &&
		apt-get "${apt_opts[@]}" source -qq --download-only "qemu=$ver") >/dev/null 2>&1; then
		rm -rf "$tmp"
		say "apt-get source qemu=$ver failed"
		exit 1
	fi
	rm -rf "$tmp"
	tar -C "$QEMU_DIR" -xJf "$QEMU_DIR"/pkg/qemu_*.orig.tar.xz --strip-components=1 \
		--wildcards '*/include/qemu/qemu-plugin.h'
	# Debian's patches must leave the header alone, or it would not match the binary.
	if tar -xJOf "$QEMU_DIR"/pkg/qemu_*.debian.tar.xz --wildcards 'debian/patches/*' |
		grep -q '^+++ .*include/qemu/qemu-plugin.h'; then
		say "a Debian patch changes qemu-plugin.h: unpack the package with dpkg-source -x"
		exit 1
	fi
	touch "$QEMU_DIR/.version-$ver"
}

# An earlier deps.sh added this deb-src source for good and left nginx enabled at boot.
cleanup_earlier() {
	local old=/etc/apt/sources.list.d/p2pshare-src.sources
	if [ -e "$old" ]; then
		say "removing $old (added by an earlier deps.sh; no longer needed)"
		rm -f "$old"
	fi
	if systemctl is-enabled --quiet nginx.service 2>/dev/null ||
	   compgen -G '/etc/rc[2345].d/S[0-9][0-9]nginx' >/dev/null; then
		say "note: nginx is enabled as a system service (an earlier deps.sh left it so);" \
			"p2pshare does not need it: systemctl disable --now nginx; update-rc.d nginx disable"
	fi
}

kernel_612() {
	local v
	# A fresh machine may have empty package lists.
	v=$(newest_612)
	if [ -z "$v" ]; then
		apt_update
		v=$(newest_612)
	fi
	[ -n "$v" ] || { say "no linux-image-6.12.*+deb12-amd64 in the archive"; exit 1; }
	echo "linux-image-$v linux-headers-$v"
}

# Sourced (tests/host/deps_service.sh tries guarded on a package of its own): only the
# functions above.
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

cleanup_earlier
if ! apt-cache show qemu-system-x86 >/dev/null 2>&1; then
	apt_update
fi
pkgs=("${demo_pkgs[@]}")
case $part in
test) pkgs+=("${test_pkgs[@]}") ;;
bench) pkgs+=("${bench_pkgs[@]}") ;;
all) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
esac
if [ "$part" != demo ]; then
	# shellcheck disable=SC2207
	pkgs+=($(kernel_612))
fi
install_pkgs "${pkgs[@]}"
case $part in
test) extract_kernel_source ;;
bench) qemu_header ;;
all) extract_kernel_source; qemu_header ;;
esac

say "ready for $part (kernels: $(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' |
	sort | tr '\n' ' '))"
