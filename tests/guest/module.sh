#!/bin/bash
# The module loads, answers, reports errors clearly, unloads and reloads.
. "$(dirname "$0")/fixture.sh"

reset_module
check "module is loaded" module_loaded
check "genetlink family is registered" sh -c 'genl-ctrl-list | grep -q "p2pshare"'

p2pctl version >"$TEST_TMP/v" 2>&1
check_eq "p2pctl version names tool and module" \
	"$(sed 's/ [0-9.]*$//' "$TEST_TMP/v" | tr '\n' ' ')" "p2pctl p2pshare.ko "
check_eq "module version matches modinfo" \
	"$(sed -n 's/^p2pshare.ko //p' "$TEST_TMP/v")" "$(cat /sys/module/p2pshare/version)"

for p in /sys/module/p2pshare/parameters/*; do
	check "parameter ${p##*/} is documented in p2pshare(7)" \
		grep -q "^\.It Cm ${p##*/}\( \|\$\)" "$P2P_ROOT/man/p2pshare.7"
done

check "p2pctl show succeeds" p2pctl show
check "p2pctl show lists the default port" sh -c 'p2pctl show | grep -q "listen port 7437"'
check "p2pctl show -j is valid JSON" sh -c 'p2pctl show -j | python3 -m json.tool'
check_out "show -j counters start at zero" "0" \
	sh -c "p2pctl show -j | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)[\"counters\"].values()))'"

check_fail "unprivileged show is refused" "permission denied" \
	setpriv --reuid=65534 --regid=65534 --clear-groups p2pctl show
check_fail "unprivileged version is refused" "permission denied" \
	setpriv --reuid=65534 --regid=65534 --clear-groups p2pctl version
check_fail "unknown command" 'unknown command "frobnicate"' p2pctl frobnicate
check_fail "bad show argument names the token" 'unknown option "--bogus"' \
	p2pctl show --bogus

for c in version show; do
	check "p2pctl $c --help" sh -c "p2pctl $c --help | grep -q '^usage: p2pctl $c'"
done
check "p2pctl --help lists commands" sh -c 'p2pctl --help | grep -q "^  show"'

check "rmmod" rmmod p2pshare
check "module is gone" sh -c '! test -d /sys/module/p2pshare'
# The hint fits where p2pctl runs: a built source tree, an unbuilt one,
# anywhere else (pkg_deb: installed for the running kernel, modprobe).
mkdir -p "$TEST_TMP/built/kmod" "$TEST_TMP/unbuilt/kmod"
touch "$TEST_TMP/built/kmod/p2pshare.ko" "$TEST_TMP/unbuilt/kmod/Kbuild"
check_fail "show without the module, in a built source tree" \
	"p2pctl: the p2pshare module is not loaded (load it as root: insmod kmod/p2pshare.ko)" \
	sh -c "cd '$TEST_TMP/built' && p2pctl show"
check_fail "show without the module, in an unbuilt source tree" \
	"(build it with make, then as root: insmod kmod/p2pshare.ko)" \
	sh -c "cd '$TEST_TMP/unbuilt' && p2pctl show"
check_fail "show without the module, elsewhere: not installed for this kernel" \
	"p2pctl: the p2pshare module is not loaded (it is not installed for kernel $(uname -r): install p2pshare-dkms" \
	sh -c 'cd / && p2pctl show'
ver=$(p2pctl version | head -n1)
check_out "--version without the module says so and exits 0" \
	"$ver
p2pshare.ko not loaded (load it as root: insmod kmod/p2pshare.ko)" \
	sh -c "cd '$TEST_TMP/built' && p2pctl --version"

check "reload with port=7000" insmod "$P2P_KO" port=7000
check "port parameter is used" sh -c 'p2pctl show | grep -q "listen port 7000"'
check "rmmod again" rmmod p2pshare
check "insmod again" insmod "$P2P_KO"
check "show after reload" p2pctl show
check "kernel log is clean" kernel_log_clean
tap_done
