#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/deps.sh, read without running it: it never enables or starts a system service
# and never adds an apt source; each part (demo, test, bench) lists the package of every
# tool its scripts run; each command installs its own part, and the demo and the tests
# pull in none of the benchmark's servers.
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

deps=scripts/deps.sh
# The script without its comments (a comment may name what it must not do).
code=$(sed -e 's/^[[:space:]]*#.*//' -e 's/[[:space:]]#[[:space:]].*//' "$deps")

# shellcheck disable=SC2317 # run by check
no_match() { ! grep -nE -- "$1" <<<"$code"; }
check "no systemctl enable/start/restart/reenable/unmask" \
	no_match 'systemctl( +-[-a-z=]+)* +(enable|start|restart|reenable|unmask|preset-all)\b'
check "no service NAME start/restart" no_match '\bservice +[^ ]+ +(start|restart)\b'
check "no update-rc.d NAME enable/defaults" no_match 'update-rc\.d +[^ ]+ +(enable|defaults)\b'
check "no invoke-rc.d or deb-systemd-invoke start" \
	no_match '(invoke-rc\.d|deb-systemd-invoke) +([^ ]+ +)?(start|restart)\b'
check "no deb-systemd-helper enable" no_match 'deb-systemd-helper +enable'
# One statement a line, continuation lines joined.
stmts=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' <<<"$code")
# shellcheck disable=SC2016 # literal $
check "apt-get runs under a policy-rc.d that denies every action (exit 101)" \
	grep -qE 'printf .*exit 101.*>"\$POLICY\.new"' <<<"$stmts"
check "... and a systemd preset that enables nothing" grep -qxF "	echo 'disable *' >\"\$PRESET\"" \
	<<<"$code"
check "the preset lives in /run" grep -qE '^PRESET=/run/systemd/system-preset/' <<<"$code"
# shellcheck disable=SC2016 # literal $
check "an earlier policy-rc.d is put back" \
	grep -qxF '		mv -f "$POLICY.p2pshare-deps" "$POLICY"' <<<"$code"

# apt sources: nothing written below /etc/apt, the deb-src lines only into the temporary
# configuration that apt-get source is pointed at.
check "nothing is written below /etc/apt" \
	no_match '(>|tee|cp|mv|install|ln)[^|;]*/etc/apt|add-apt-repository|apt-add-repository'
# shellcheck disable=SC2016 # literal $
check_eq "deb-src lines are written only to the temporary directory" \
	"$(grep -F 'deb-src' <<<"$stmts" | grep -F '>' | grep -vcF '>"$tmp/parts/')" 0
# shellcheck disable=SC2016 # literal $
check "... where they are written" grep -qE 'Types: deb-src.*>"\$tmp/parts/' <<<"$stmts"
check "apt-get source uses the temporary configuration" \
	grep -qE 'apt-get "\$\{apt_opts\[@\]\}" source' <<<"$code"
# shellcheck disable=SC2016 # literal $
check "... whose sources are only the temporary ones" \
	grep -qF -- '-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$tmp/parts"' <<<"$code"

# The parts as deps.sh defines them.
part() {
	sed -n "/^$1_pkgs=(/,/^)/p" "$deps" | sed -e 's/#.*//' -e "s/^$1_pkgs=(//" -e 's/)$//' |
		tr -s ' \t\n' '\n' | grep .
}
demo=$(part demo)
test_=$(part test)
bench=$(part bench)
check "demo, test and bench parts are not empty" test -n "$demo" -a -n "$test_" -a -n "$bench"

# in_part PART PKG: PKG is installed by PART (every part includes demo).
# shellcheck disable=SC2317 # run by check
in_part() {
	local set=$demo
	case $1 in
	test) set+=$'\n'$test_ ;;
	bench) set+=$'\n'$bench ;;
	esac
	grep -qxF -- "$2" <<<"$set"
}

# WHAT (a command or name as the file uses it), FILE, PACKAGE, PART.
while read -r what file pkg p; do
	if ! grep -qF -- "$what" "$file"; then
		not_ok "$file uses $what (this table is stale)"
		continue
	fi
	check "$p part has $pkg ($what, $file)" in_part "$p" "$pkg"
done <<'EOF'
qemu-system-x86_64 scripts/vm qemu-system-x86 demo
/bin/busybox scripts/vm busybox-static demo
cpio scripts/vm cpio demo
xz scripts/vm xz-utils demo
zstd scripts/vm zstd demo
sparse scripts/build-module.sh sparse demo
libnl-genl-3.0 Makefile libnl-genl-3-dev demo
libsodium Makefile libsodium-dev demo
linux-headers-amd64 README.md linux-headers-amd64 demo
ip scripts/demo-guest.sh iproute2 demo
libmnl Makefile libmnl-dev test
kselftest_harness.h scripts/deps.sh linux-source-6.12 test
linux-source-6.12.tar.xz scripts/lint.sh linux-source-6.12 test
shellcheck scripts/lint.sh shellcheck test
checkpatch.pl scripts/lint.sh perl test
CLANG fuzz/Makefile clang test
fuzzer fuzz/Makefile libclang-rt-14-dev test
dpkg-buildpackage scripts/deb.sh dpkg-dev test
lintian scripts/deb.sh lintian test
dh-sequence-dkms debian/control dh-dkms test
dkms tests/host/pkg_dkms.sh dkms test
mandoc tests/host/pkg_files.sh mandoc test
man tests/host/pkg_files.sh man-db test
col tests/host/pkg_files.sh bsdextrautils test
bash_completion tests/host/pkg_files.sh bash-completion test
systemd-analyze tests/host/pkg_files.sh systemd test
genl-ctrl-list tests/guest/cp_ynl.sh libnl-utils test
cryptography tests/helpers/spec_client.py python3-cryptography test
yaml scripts/ynl-gen.sh python3-yaml test
bc tests/guest/hard_limits.sh bc test
mkfs.ext4 tests/guest/dp_zerocopy.sh e2fsprogs test
strace tests/guest/dp_recursive.sh strace test
nginx bench/guest.sh nginx-light bench
wrk bench/guest.sh wrk bench
curl bench/guest.sh curl bench
openssl bench/guest.sh openssl bench
gnuplot bench/report.py gnuplot-nox bench
EOF

# What the demo and the tests must not bring in.
extra=
for pkg in nginx-light nginx wrk gnuplot-nox gnuplot clang linux-source-6.12; do
	! grep -qxF "$pkg" <<<"$demo" || extra+=" $pkg"
done
check_eq "the demo part has no benchmark server, clang or kernel source" "$extra" ""
extra=
for pkg in nginx-light nginx wrk gnuplot-nox gnuplot; do
	! grep -qxF "$pkg" <<<"$test_" || extra+=" $pkg"
done
check_eq "the test part has no benchmark tool" "$extra" ""

# Who installs which part.
check "make demo installs the demo part" grep -qE 'scripts/deps\.sh demo;' scripts/demo.sh
check "make check installs the test part" grep -qE 'stage deps (sudo )?scripts/deps\.sh test ' \
	scripts/check.sh
check "make deps installs the test part" \
	sh -c "sed -n '/^deps:/,/^\$/p' Makefile | grep -qE 'scripts/deps\.sh test;'"
check "make bench installs the bench part" grep -qE 'scripts/deps\.sh bench;' scripts/bench.sh
check ".ci/run is make check and runs no benchmark" \
	sh -c "grep -qx 'make check' .ci/run && ! grep -q bench .ci/run"
check_fail "an unknown part is refused" "usage: scripts/deps.sh [demo|test|bench|all]" \
	sh -c 'bash scripts/deps.sh nonsense; test $? = 2 && exit 1; exit 0'

tap_done
