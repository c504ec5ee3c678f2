#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A new admin's first hour, with the packages `make deb` built: install them with
# dpkg, DKMS installs the module, modprobe loads it, and the installed p2pctl
# shares a directory that a second host fetches; the man pages, the completion
# and the service's start/stop commands work as installed.  Purging removes it all.
#
#   netns a (host A)                netns b (host B)
#   198.18.0.1/24  va <--veth--> vb  198.18.0.2/24
#   exports /srv/pkg to alice       /usr/bin/p2pctl get as alice
#
# What TCG makes too slow is done on the host by `make deb`, from the same package
# (build/deb/dkms/): compiling the module (over 15 minutes here) and depmod (over
# 2 minutes: it reads every module of the kernel).  So the package's postinst is
# told not to build (/etc/dkms/no-autoinstall), `dkms ldtarball` loads the module
# DKMS built on the host, and the depmod that DKMS runs (on install, and on
# removal from the package's prerm) is a stand-in that puts in place the index
# depmod computed on the host, or the kernel's own once the module is gone.
# tests/host/pkg_dkms.sh covers `dkms build` itself for every kernel.
. "$(dirname "$0")/fixture.sh"

kver=$(uname -r)
version=$(sed -n 's/^#define P2P_MODULE_VERSION "\(.*\)"/\1/p' "$P2P_ROOT/kmod/version.h")
debs=$P2P_ROOT/build/deb
tarball=$debs/dkms/p2pshare-$version-$kver.dkms.tar.gz
index=$debs/dkms/modules-index-$kver.tar
ctl=/usr/bin/p2pctl
if [ ! -e "$debs/p2pctl_${version}_amd64.deb" ] || [ ! -e "$tarball" ] || [ ! -e "$index" ]; then
	skip "packages" "no packages for $version and $kver in build/deb: run make deb"
	tap_done
fi

mark() { echo "# [${SECONDS}s] $*"; }
was_loaded=false
if module_loaded; then
	was_loaded=true
	rmmod p2pshare
fi
export P2P_KNOWN_HOSTS=$TEST_TMP/known_hosts
cd "$TEST_TMP" || exit 1

# ---- install
mark "install"
mkdir -p "$TEST_TMP/bin" "$TEST_TMP/index.orig"
(cd "/lib/modules/$kver" && tar -tf "$index" | xargs cp -t "$TEST_TMP/index.orig/")
cat >"$TEST_TMP/bin/depmod" <<EOF
#!/bin/sh
echo "depmod \$*" >>"$TEST_TMP/depmod.log"
cd "/lib/modules/$kver" || exit 1
if ls updates/dkms/p2pshare.ko* >/dev/null 2>&1; then
	tar -xf "$index"
else
	cp "$TEST_TMP/index.orig"/* .
fi
EOF
chmod +x "$TEST_TMP/bin/depmod"
export PATH=$TEST_TMP/bin:$PATH
# man-db's trigger rebuilds its whole index (minutes under TCG); it has its own switch.
rm -f /var/lib/man-db/auto-update
mkdir -p /etc/dkms
touch /etc/dkms/no-autoinstall
check "dpkg -i p2pshare-dkms p2pctl" \
	dpkg -i "$debs/p2pshare-dkms_${version}_all.deb" "$debs/p2pctl_${version}_amd64.deb"
rm -f /etc/dkms/no-autoinstall
# shellcheck disable=SC2016 # dpkg-query's field, not the shell's
check_out "both packages are installed" "install ok installed
install ok installed" dpkg-query -W -f '${Status}\n' p2pshare-dkms p2pctl
check "module source in /usr/src/p2pshare-$version" test -f "/usr/src/p2pshare-$version/dkms.conf"

mark "dkms"
check "dkms ldtarball: add p2pshare/$version with the module DKMS built on the host" \
	dkms ldtarball "$tarball"
check "dkms status: built for the running kernel" \
	sh -c "dkms status | grep -F 'p2pshare/$version, $kver, ' | grep -q ': built'"
check "dkms install p2pshare/$version -k $kver" dkms install "p2pshare/$version" -k "$kver"
check "dkms install ran depmod for the running kernel" grep -q -- "-a $kver" "$TEST_TMP/depmod.log"
check "dkms status: installed for the running kernel" \
	sh -c "dkms status | grep -F 'p2pshare/$version, $kver, ' | grep -q ': installed'"
dkms status 2>/dev/null | sed "s/^/# dkms status: /"
check "modinfo finds the DKMS module" \
	sh -c "/sbin/modinfo -n p2pshare | grep -q '^/lib/modules/$kver/updates/dkms/p2pshare.ko'"

check "modprobe p2pshare" modprobe p2pshare
check_eq "the loaded module is the package's version" "$(cat /sys/module/p2pshare/version)" "$version"
check "modprobe -r p2pshare" modprobe -r p2pshare
# With the module installed but its autoload refused, the hint is modprobe.
mkdir -p /etc/modprobe.d
echo "install p2pshare /bin/false" >/etc/modprobe.d/p2pshare-test.conf
check_fail "installed but not loaded: the hint is modprobe" \
	"p2pctl: the p2pshare module is not loaded (load it as root: modprobe p2pshare)" $ctl show
rm -f /etc/modprobe.d/p2pshare-test.conf
check "p2pctl show loads the module by itself (netlink family alias)" $ctl show
check "the module is loaded" module_loaded
check_out "installed p2pctl version" "p2pctl $version
p2pshare.ko $version" $ctl version

# ---- the admin flow, host A in netns a, host B in netns b
mark "admin flow"
ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a addr add 198.18.0.1/24 dev va
ip -n b addr add 198.18.0.2/24 dev vb
for n in a b; do
	ip -n $n link set lo up
done
ip -n a link set va up
ip -n b link set vb up
# shellcheck disable=SC2317 # run by check
A() { ip netns exec a "$@"; }
# shellcheck disable=SC2317 # run by check/check_out
B() { ip netns exec b "$@"; }

check "alice's key pair" sh -c "$ctl genkey > alice.key && $ctl pubkey < alice.key > alice.pub"
check_out "genkey wrote the key 0600" "600" stat -c %a alice.key
mkdir -p /srv/pkg/sub
head -c 300000 /dev/urandom >/srv/pkg/sub/data.bin
echo "hello from the package" >/srv/pkg/README
check "A: p2pctl user add alice" A $ctl user add alice --pubkey alice.pub
check "A: p2pctl export /srv/pkg --user alice" A $ctl export /srv/pkg --user alice
check "A: p2pctl show lists the export and the user" \
	sh -c "ip netns exec a $ctl show | grep -q '/srv/pkg' && ip netns exec a $ctl show | grep -q alice"
check "A: p2pctl show -j is JSON" sh -c "ip netns exec a $ctl show -j | python3 -m json.tool >/dev/null"
wait_for 10 sh -c "ip netns exec a $ctl show -j | grep -q '\"active\":true'"
check_out "B: p2pctl ls lists the export" "ro  pkg" \
	B $ctl ls p2p://alice@198.18.0.1 --key-file alice.key
check "B: p2pctl get a file" \
	B $ctl get p2p://alice@198.18.0.1/pkg/sub/data.bin -o got.bin --key-file alice.key
check "B: the file arrived whole" cmp got.bin /srv/pkg/sub/data.bin
check_out "B: p2pctl get -o - with P2P_KEY_FILE" "hello from the package" \
	B env P2P_KEY_FILE=alice.key $ctl get p2p://alice@198.18.0.1/pkg/README -o -

# ---- bash completion, as installed, answering from the running module
mark "completion"
cat >complete.sh <<'EOF'
. /usr/share/bash-completion/bash_completion
. /usr/share/bash-completion/completions/p2pctl
COMP_WORDS=(p2pctl "$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
_p2pctl p2pctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
echo "${COMPREPLY[*]}"
EOF
# shellcheck disable=SC2317 # run by check_out
comp() { A env PATH=/usr/sbin:/usr/bin:/sbin:/bin bash complete.sh "$@" 2>&1; }
check_out "completion: p2pctl unex<TAB>" "unexport" comp unex
check_out "completion: p2pctl unexport <TAB> (from export list)" "pkg" comp unexport ""
check_out "completion: p2pctl grant pkg <TAB>" "alice" comp grant pkg ""
check_out "completion: p2pctl user del a<TAB>" "alice" comp user del a
check_out "completion: p2pctl user l<TAB>" "list" comp user l

# ---- manual pages, as installed
mark "man pages"
for p in 8/p2pctl 7/p2pshare 5/p2pshare.conf; do
	set -- "${p%/*}" "${p#*/}"
	check "man -w $1 $2 finds the installed page" \
		sh -c "man -w $1 $2 | grep -q '^/usr/share/man/man$1/$2.$1'"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings "$1" "$2" >"$2.txt" 2>"$2.warn"
	check "man --warnings $1 $2: no warnings" test ! -s "$2.warn"
	_tap_diag <"$2.warn"
done
missing=
for c in $($ctl --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\).*/\1/p'); do
	grep -qE "^ +$c( |$)" p2pctl.txt || missing+=" $c"
done
check_eq "every command of p2pctl --help has an entry in p2pctl(8)" "$missing" ""

# ---- the service's commands, run as systemd would (no systemd in this guest)
mark "service"
unit=/lib/systemd/system/p2pshare.service
conf=/etc/p2pshare/p2pshare.conf
check "unit: every command is an installed program" \
	sh -c "sed -n 's/^Exec[A-Za-z]*=-\{0,1\}\([^ ]*\).*/\1/p' $unit | xargs -n1 test -x"
[ -d /etc/p2pshare ] || mkdir -m 0700 /etc/p2pshare	# ConfigurationDirectory=
rm -f "$conf"
check "init netns state" sh -c "$ctl user add bob --pubkey alice.pub --uid 1000 &&
	$ctl export /srv/pkg --name boot --user bob:rw"
state() { $ctl show -j | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("counters"); print(json.dumps(d, sort_keys=True))'; }
before=$(state)
# Only a file that opts in (saveconfig yes, as wg-quick's SaveConfig) is saved over.
check "service stop without saveconfig: ExecStop (unload only)" unit_run ExecStop
check "the service wrote no state file" test ! -e "$conf"
check "the module is unloaded" sh -c '! test -d /sys/module/p2pshare'
check "service start: ExecStart" unit_run ExecStart
check "state for the save test" sh -c "$ctl user add bob --pubkey alice.pub --uid 1000 &&
	$ctl export /srv/pkg --name boot --user bob:rw"
before=$(state)
echo "saveconfig yes" >"$conf"
check "service stop: ExecStop (saveconfig yes: save, then unload)" unit_run ExecStop
check_out "the state file is 0600" "600" stat -c %a "$conf"
check "the state file holds the export" grep -Eq "^export boot dev=[0-9]+:[0-9]+ ino=[0-9]+ /srv/pkg$" "$conf"
check "the module is unloaded" sh -c '! test -d /sys/module/p2pshare'
check "service start: ExecStart" unit_run ExecStart
check_eq "the state came back, host key included" "$(state)" "$before"
check "service reload: ExecReload" unit_run ExecReload
check_eq "same state after reload" "$(state)" "$before"

# A first boot makes the host key file, so the host key survives a crash.
check "first boot: start without a state file" sh -c "rm -f $conf /etc/p2pshare/hostkey && modprobe -r p2pshare"
check "first boot: ExecStart" unit_run ExecStart
check_out "first boot: the host key file is 0600" "600" stat -c %a /etc/p2pshare/hostkey
check_eq "first boot wrote the host key" \
	"$($ctl pubkey </etc/p2pshare/hostkey)" "$($ctl hostkey)"

# A broken file names its line and changes nothing.
check "state for the broken-file test" sh -c "$ctl user add bob --pubkey alice.pub &&
	$ctl export /srv/pkg --name boot --user bob && $ctl save > good.conf"
cur=$(state)
{ cat good.conf; echo "grant boot nobody ro"; } >bad.conf
n=$(grep -n nobody bad.conf | cut -d: -f1)
check_fail "load of a bad file names the line" "bad.conf:$n: " $ctl load bad.conf
check_eq "and changes nothing" "$(state)" "$cur"

# ---- remove
mark "remove"
check "modprobe -r p2pshare" modprobe -r p2pshare
check "dpkg --purge p2pctl p2pshare-dkms" dpkg --purge p2pctl p2pshare-dkms
check_eq "dkms install and the prerm's dkms remove ran depmod" "$(grep -c -- "-a $kver" "$TEST_TMP/depmod.log")" 2
check_eq "dkms forgot the module" "$(dkms status p2pshare)" ""
check_eq "no module left in /lib/modules/$kver" \
	"$(find /lib/modules/"$kver" -name 'p2pshare.ko*')" ""
check_eq "no file of the packages left" \
	"$(ls -d /usr/bin/p2pctl /usr/src/p2pshare-* /etc/p2pshare 2>/dev/null)" ""
check "modprobe no longer finds p2pshare" sh -c '! modprobe -n p2pshare 2>/dev/null'
ip netns del a
ip netns del b
rm -rf /srv/pkg
$was_loaded && insmod "$P2P_KO"
check "kernel log is clean" kernel_log_clean
mark "done"
tap_done
