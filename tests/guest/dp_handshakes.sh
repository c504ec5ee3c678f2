#!/bin/bash
# Handshake transforms (kmod/noise.c keeps them in a pool): 64 handshakes
# at once on a freshly loaded module all succeed, in seconds even when they
# are the first of the boot (the algorithms are then instantiated once, not
# once per handshake); afterwards no set is in use and the pool holds at
# most 2 per CPU; rmmod in the middle of a burst of handshakes is safe, and
# the module's exit finds no set missing (it would WARN).
#
# DP_HS_N: handshakes per burst (64).
. "$(dirname "$0")/fixture.sh"
dp_setup

n=${DP_HS_N:-64}
pub=$DP_SRV/pub
mkdir -p "$pub"
dp_user alice
dp_serve "export pub to alice" "$pub" --user alice

sets() { cat /sys/kernel/debug/p2pshare/noise_objects; }
# user add checks the public key with one DH (p2p_noise_check_pubkey), so
# the pool may already hold that one set; none may be in use.
read -r _ live _ idle < <(sets)
check_eq "before the first handshake: no set in use" "$live" "$idle"
check "before the first handshake: at most the key check's set" test "$idle" -le 1

# burst N PREFIX: N clients of one handshake each, at once, in the background.
burst() {
	local i
	for ((i = 0; i < $1; i++)); do
		nb "$HARD_TOOL" auth - "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" 1 \
			>"$TEST_TMP/$2$i" 2>&1 &
	done
}

start=$SECONDS
burst "$n" hs
wait
took=$((SECONDS - start))
echo "# $n concurrent first handshakes took $took s"
ok=$(cat "$TEST_TMP"/hs* | grep -cx 'ok ')
check_eq "burst: all $n handshakes succeeded" "$ok" "$n"
check "burst: done in under 30 s ($took s)" test "$took" -lt 30
check_eq "burst: the server counted them" "$(dp_counter auth_ok)" "$n"

# "sets N idle N": none in use, and no more kept than 2 per CPU.
read -r _ live _ idle < <(sets)
echo "# noise_objects: sets $live idle $idle, $(nproc) CPUs"
check_eq "pool: every set is back" "$live" "$idle"
check "pool: 1 to $((2 * $(nproc))) sets kept" test "$idle" -ge 1 -a "$idle" -le $((2 * $(nproc)))
check "pool: a handshake after the burst" pls alice pub

start=$SECONDS
burst "$n" warm
wait
echo "# $n concurrent handshakes, algorithms ready, took $((SECONDS - start)) s"
check_eq "warm burst: all $n handshakes succeeded" "$(cat "$TEST_TMP"/warm* | grep -cx 'ok ')" "$n"

burst "$n" again
check "rmmod: handshakes under way" wait_for 10 grep -qx 'ok ' "$TEST_TMP"/again*
check "rmmod in the middle of the burst" rmmod p2pshare
wait
check "rmmod: the module is gone" test ! -e /sys/module/p2pshare
dp_done
