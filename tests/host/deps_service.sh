#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/deps.sh installs packages so that no service they bring is started or left
# enabled at boot (issue 18).  Tried on a package of our own that does what Debian's
# daemons do (debhelper's postinst: deb-systemd-helper enable, update-rc.d defaults,
# invoke-rc.d start): installed plainly it is enabled and started, so the test can fail;
# installed through deps.sh's guarded() it is neither, and the machine's own
# policy-rc.d (Docker's images ship one) is as it was afterwards.
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

PKG=p2pshare-deps-dummy
POLICY=/usr/sbin/policy-rc.d
MARK=/run/$PKG.started
POLICY_SEEN=/run/$PKG.policy	# what policy-rc.d answered to "start" during the install
if [ "$(id -u)" != 0 ] || ! command -v dpkg-deb >/dev/null ||
   ! command -v deb-systemd-helper >/dev/null || ! command -v invoke-rc.d >/dev/null; then
	skip "deps.sh installs without enabling or starting a service" \
		"needs root, dpkg-deb, deb-systemd-helper and invoke-rc.d"
	tap_done
fi
if dpkg-query -W "$PKG" >/dev/null 2>&1; then
	dpkg --purge "$PKG" >/dev/null 2>&1
fi

# The package: a systemd unit, a SysV script whose start leaves $MARK, and the
# maintainer scripts debhelper would write for them.
root=$TEST_TMP/pkg
mkdir -p "$root/DEBIAN" "$root/lib/systemd/system" "$root/etc/init.d"
cat >"$root/DEBIAN/control" <<EOF
Package: $PKG
Version: 1.0
Architecture: all
Maintainer: p2pshare tests <root@localhost>
Description: a daemon that starts at install (tests/host/deps_service.sh)
EOF
cat >"$root/lib/systemd/system/$PKG.service" <<EOF
[Unit]
Description=p2pshare deps.sh test dummy
[Service]
ExecStart=/bin/sh -c 'touch $MARK; exec sleep infinity'
[Install]
WantedBy=multi-user.target
EOF
cat >"$root/etc/init.d/$PKG" <<EOF
#!/bin/sh
### BEGIN INIT INFO
# Provides:          $PKG
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: p2pshare deps.sh test dummy
### END INIT INFO
case "\$1" in
start) touch $MARK ;;
stop) rm -f $MARK ;;
esac
exit 0
EOF
chmod 0755 "$root/etc/init.d/$PKG"
cat >"$root/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	deb-systemd-helper unmask $PKG.service >/dev/null || true
	if deb-systemd-helper --quiet was-enabled $PKG.service; then
		deb-systemd-helper enable $PKG.service >/dev/null || true
	else
		deb-systemd-helper update-state $PKG.service >/dev/null || true
	fi
	update-rc.d $PKG defaults >/dev/null
	if [ -x /usr/sbin/policy-rc.d ]; then
		rc=0
		/usr/sbin/policy-rc.d $PKG start || rc=\$?
		echo "\$rc" >$POLICY_SEEN
	else
		echo none >$POLICY_SEEN
	fi
	invoke-rc.d $PKG start || exit 1
fi
EOF
cat >"$root/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = purge ]; then
	update-rc.d $PKG remove >/dev/null || true
	deb-systemd-helper purge $PKG.service >/dev/null || true
fi
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"
deb=$TEST_TMP/$PKG.deb
check "the dummy package builds" dpkg-deb --root-owner-group -b "$root" "$deb"

# The machine's policy-rc.d, put back whatever happens.
saved=
if [ -e "$POLICY" ]; then
	saved=$TEST_TMP/policy-rc.d
	cp -a "$POLICY" "$saved"
fi
# shellcheck disable=SC2317 # run by cleanup and below
policy_restore() {
	if [ -n "$saved" ]; then cp -a "$saved" "$POLICY"; else rm -f "$POLICY"; fi
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	dpkg --purge "$PKG" >/dev/null 2>&1
	find /etc/systemd/system -mindepth 2 -maxdepth 2 -name "$PKG.service" -delete 2>/dev/null
	rm -f /etc/rc[S0-6].d/[SK][0-9][0-9]"$PKG" "$MARK" "$POLICY_SEEN"
	policy_restore
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# shellcheck disable=SC2317 # run by check
enabled() {
	find /etc/systemd/system -mindepth 2 -maxdepth 2 -path '*.wants/*' -name "$PKG.service" |
		grep -q . || compgen -G "/etc/rc[2345].d/S[0-9][0-9]$PKG" >/dev/null
}
# shellcheck disable=SC2317 # run by check
not_enabled() { ! enabled; }
# shellcheck disable=SC2317 # run by check
sum() { [ -e "$POLICY" ] && sha256sum <"$POLICY" || echo absent; }

# invoke-rc.d starts a SysV service only where it knows the runlevel (not in a
# container without an init): there the start itself cannot be seen.
have_runlevel() { runlevel >/dev/null 2>&1; }
# shellcheck disable=SC2317 # run by check
policy_seen() { cat "$POLICY_SEEN"; }
# shellcheck disable=SC2317 # run by check
purge() {
	dpkg --purge "$PKG" >/dev/null 2>&1
	rm -f "$MARK" "$POLICY_SEEN"
	! dpkg-query -W "$PKG" >/dev/null 2>&1 || dpkg-query -W -f='${Status}' "$PKG" | grep -q not-installed
}
# guarded_install: as install_pkgs does it, apt-get under deps.sh's guarded().
# shellcheck disable=SC2317 # run by check
guarded_install() {
	# shellcheck disable=SC1091 # sourced: only its functions
	bash -c '. scripts/deps.sh test && guarded apt-get install -y -qq --no-install-recommends "$1"' \
		_ "$deb"
}

# Plainly, as a machine without any policy-rc.d would install it: the positive control.
rm -f "$POLICY" "$MARK" "$POLICY_SEEN"
check "installed plainly, the package installs" dpkg -i "$deb"
check_out "... no policy forbids its start" none policy_seen
if have_runlevel; then
	check "... its service is started" test -e "$MARK"
else
	skip "... its service is started" "no runlevel here (no init): invoke-rc.d starts nothing"
fi
check "... and enabled at boot" enabled
check "purged" purge
check "... it is no longer enabled" not_enabled

# Through deps.sh on the same machine (no policy-rc.d of its own).
check "through deps.sh's guarded(), apt-get installs it" guarded_install
check "... installed" sh -c "dpkg-query -W -f='\${Status}' $PKG | grep -q 'install ok installed'"
check_out "... while deps.sh's policy-rc.d forbade every start (101)" 101 policy_seen
check "... its service was not started" test ! -e "$MARK"
check "... nor enabled at boot" not_enabled
check "no policy-rc.d is left behind" test ! -e "$POLICY"
check "no systemd preset of deps.sh is left" test ! -e /run/systemd/system-preset/00-p2pshare-deps.preset
check "purged" purge

# A machine with a policy-rc.d of its own (Docker's images ship one): put back as it was.
printf '#!/bin/sh\n# the administrator'"'"'s own\nexit 0\n' >"$POLICY"
chmod 0755 "$POLICY"
before=$(sum)
check "with the machine's own policy-rc.d, guarded() installs it" guarded_install
check_out "... deps.sh's policy was in force during the install" 101 policy_seen
check "... not enabled" not_enabled
check_eq "the machine's policy-rc.d is as it was" "$(sum)" "$before"

tap_done
