#!/bin/bash
# The module built with P2P_SELFTEST=1 (make modules-selftest) passes its
# known-answer tests at load (kmod/selftest/), and the normal module holds
# none of them.
. "$(dirname "$0")/fixture.sh"

st_ko=$P2P_ROOT/build/selftest/$P2P_KVER/kmod/p2pshare.ko

# Defined symbols of the selftest (the hook, its cases, their helpers).
# shellcheck disable=SC2317 # run by has_selftest/no_selftest
selftest_syms() {
	nm --defined-only "$1" | grep -E ' (p2p_selftest|p2p_[a-z]+_selftest|p2p_st_[a-z]+)$'
}
# shellcheck disable=SC2317 # run by check
has_selftest() { selftest_syms "$1" | grep -q ' p2p_selftest$'; }
# shellcheck disable=SC2317 # run by check
no_selftest() { ! selftest_syms "$1"; }

# Kernel log lines since mark_log.
mark_log() { log_mark=$(dmesg | wc -l); }
new_log() { dmesg | tail -n +$((log_mark + 1)); }

check "normal module has no selftest symbol" no_selftest "$P2P_KO"
check "normal module has no selftest message" sh -c "! grep -aq 'cases passed' '$P2P_KO'"
if ! check "selftest module is built (make modules-selftest)" test -r "$st_ko"; then
	tap_done
fi
check "selftest module has the selftest" has_selftest "$st_ko"

if module_loaded; then
	check "normal module unloads" rmmod p2pshare
fi
mark_log
check "selftest module loads" insmod "$st_ko"
new_log >"$TEST_TMP/log"
check "selftest reports success" grep -Eq '^(\[[^]]*\] )?p2pshare: selftest: [0-9]+ cases passed$' "$TEST_TMP/log"
check "no selftest case failed" sh -c "! grep -q 'selftest: .*FAIL' '$TEST_TMP/log'"
grep 'selftest:' "$TEST_TMP/log" | sed 's/^/# /'
check "selftest module then serves netlink" p2pctl show
check "selftest module unloads" rmmod p2pshare

mark_log
check "normal module loads again" insmod "$P2P_KO"
check "normal module runs no selftest" sh -c "! dmesg | tail -n +$((log_mark + 1)) | grep -q selftest"
check "kernel log is clean" kernel_log_clean
tap_done
