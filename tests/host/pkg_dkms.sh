#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS builds the module from the source tree `make install` puts in
# /usr/src/p2pshare-VERSION, for every installed kernel with headers, and
# `dkms install` puts it where modprobe finds it.
#
# All of it runs in private trees (--sourcetree, --dkmstree, --installtree, a
# private signing key): the host's /var/lib/dkms and /lib/modules stay untouched,
# since the guests see the host's /lib/modules and would autoload a stale module.
# (The guest test pkg_deb.sh installs the packages and loads the module.)
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

if ! command -v dkms >/dev/null; then
	skip "dkms build" "dkms is not installed (make deps)"
	tap_done
fi

version=$(sed -n 's/^#define P2P_MODULE_VERSION "\(.*\)"/\1/p' kmod/version.h)
# Not under TEST_TMP in /tmp: keep the build logs of a failure in build/.
t=$P2P_ROOT/build/dkms-test
rm -rf "$t"
mkdir -p "$t/src" "$t/tree" "$t/install" "$t/key"
export mok_signing_key=$t/key/mok.key mok_certificate=$t/key/mok.pub
dkms=(dkms --sourcetree "$t/src" --dkmstree "$t/tree" --installtree "$t/install" --no-depmod)
# shellcheck disable=SC2317 # run by check
dkms_installed() {
	"${dkms[@]}" status -m p2pshare -v "$version" -k "$1" | grep -q ': installed'
}
host_state() {
	find /var/lib/dkms /lib/modules -maxdepth 3 -newer "$t/stamp" 2>/dev/null
	find /lib/modules -name 'p2pshare.ko*' 2>/dev/null
}
touch "$t/stamp"

check "make install-dkms-src into a private /usr/src" \
	make -s install-dkms-src DESTDIR="$t" DKMSSRCDIR=/src/p2pshare-"$version"
check "dkms add p2pshare/$version" "${dkms[@]}" add -m p2pshare -v "$version"

kernels=$(find /lib/modules -mindepth 2 -maxdepth 2 -name build | cut -d/ -f4 | sort -V)
for k in $kernels; do
	start=$(date +%s)
	mkdir -p "$t/install/$k"
	ln -sfn "/lib/modules/$k/build" "$t/install/$k/build"
	if check "dkms build for $k" "${dkms[@]}" build -m p2pshare -v "$version" -k "$k"; then
		echo "# dkms build for $k took $(($(date +%s) - start)) s"
	else
		_tap_diag <"$t/tree/p2pshare/$version/build/make.log" 2>/dev/null
	fi
	check "dkms install for $k" "${dkms[@]}" install -m p2pshare -v "$version" -k "$k"
	ko=$(find "$t/install/$k" -name 'p2pshare.ko*' | head -n1)
	check "module installed under $k/updates/dkms" test -n "$ko" -a "${ko#*/updates/dkms/}" != "$ko"
	check_eq "$k: the installed module is for $k" \
		"$(/sbin/modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" "$k"
	check_eq "$k: the installed module has version $version" \
		"$(/sbin/modinfo -F version "$ko" 2>/dev/null)" "$version"
	check "dkms status: installed for $k" dkms_installed "$k"
done
check_eq "the host's /var/lib/dkms and /lib/modules are untouched" "$(host_state)" ""
check "dkms remove --all" "${dkms[@]}" remove -m p2pshare -v "$version" --all
check_eq "dkms remove left no module" "$(find "$t/install" -name 'p2pshare.ko*')" ""
rm -rf "$t"
tap_done
