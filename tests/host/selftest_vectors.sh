#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module's self-test (kmod/selftest/noise.c) carries the Noise test
# vectors as C strings: each one must still be a value of
# tests/host/vectors/, the files the userspace Noise code is tested against.
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

# Hex strings of 16 digits or more, one a line (the low-order points of
# p2p_noise_check_pubkey's cases are no vector's values).
hex_strings() {
	awk '/low_order\[\]/, /^\t};/ { next } { print }' "$1" |
		grep -oE '"[0-9a-f]{16,}"' | tr -d '"'
}

values=$(cat tests/host/vectors/*.txt)
n=0
for h in $(hex_strings kmod/selftest/noise.c); do
	n=$((n + 1))
	grep -qw -- "$h" <<<"$values" || { echo "# $h"; missing=1; }
done
check "every vector value of kmod/selftest/noise.c is in tests/host/vectors/ ($n)" \
	test -z "${missing:-}" -a "$n" -gt 40

tap_done
