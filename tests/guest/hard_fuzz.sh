#!/bin/bash
# Live fuzzing of the module (tests/guest/hard_fuzz.c): frames to the
# server from host B, before authentication from a second address and
# after it as alice (inside kTLS records, and garbage where records are
# due, which the module counts in decrypt_errors); then every generic netlink command with random
# attributes in a namespace of its own, privileged and not.  Afterwards
# the server still serves a file byte for byte, no temporary upload file
# is left, the state is consistent, every object is freed and the module
# unloads with a clean kernel log.
#
# HARD_FUZZ_SECS (default 60), HARD_NLFUZZ_SECS (default 15): durations;
# HARD_FUZZ_SEED (default 1): the seed of both, printed.
. "$(dirname "$0")/fixture.sh"
dp_setup

EVIL=198.18.0.3
secs=${HARD_FUZZ_SECS:-60}
nlsecs=${HARD_NLFUZZ_SECS:-15}
seed=${HARD_FUZZ_SEED:-1}
pub=$DP_SRV/pub

# The export the fuzzer knows: f0000..f0007 of 16 KiB, a directory, links
# out of it; alice (mapped to nobody) may write in it.
mkdir -p "$pub/d"
"$HARD_TOOL" mkfiles "$pub" 8 16384
touch "$pub/d/e0" "$pub/d/e1"
ln -s /etc "$pub/ln"
ln -s /tmp "$pub/lnd"
chown 65534:65534 "$pub" "$pub/d"
nb ip addr add "$EVIL/24" dev vb
dp_user alice
dp_serve "export pub to alice (rw)" "$pub" --user alice:rw
# The fuzzer fails handshakes on purpose, by the thousand.
na p2pctl limits set auth_burst 1000000

nb "$HARD_FUZZ" proto "$EVIL" "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" pub \
	"$secs" "$seed" >"$TEST_TMP/proto" 2>&1
rc=$?
sed 's/^/# /' "$TEST_TMP/proto"
check_eq "protocol fuzzer: no violation in ${secs} s (seed $seed)" "$rc" 0
garbage=$(grep -o 'garbage [0-9]*' "$TEST_TMP/proto" | cut -d' ' -f2)
decrypt=$(dp_counter decrypt_errors)
echo "# garbage record cases: $garbage, decrypt_errors: $decrypt"
check "protocol fuzzer: garbage records were sent and counted as decrypt errors" \
	test "${garbage:-0}" -gt 0 -a "${decrypt:-0}" -gt 0 -a "${decrypt:-0}" -le "${garbage:-0}"
na p2pctl limits set auth_burst 10
check "protocol fuzzer: every connection and upload gone" wait_for 20 \
	grep -qx 'conns 0 uploads 0' "$params/conn_objects"
check_out "protocol fuzzer: no temporary upload file left" "" \
	find "$pub" -name '.p2p-*.part'
check "protocol fuzzer: then a file is served byte for byte" \
	pget alice pub/f0003 -o "$DP_DL/f0003"
check_eq "protocol fuzzer: same SHA-256" "$(sha "$DP_DL/f0003")" "$(sha "$pub/f0003")"
echo "# server counters: $(na p2pctl show -j | tr -d '\n' | grep -ao '"counters": *{[^}]*}')"

# Netlink in a namespace of its own, once host A holds nothing.
na p2pctl unexport pub
na p2pctl user del alice
check_out "netlink fuzzer: no object before" "users 0 exports 0 grants 0" \
	cat "$params/objects"
mkdir -p "$TEST_TMP/nl1" "$TEST_TMP/nl2"
ip netns add nlf
ip netns exec nlf ip link set lo up
# ip netns exec mounts a fresh /sys without debugfs: mount it again there,
# the fuzzer reads the objects counter at the end.
ip netns exec nlf sh -c 'mount -t debugfs debugfs /sys/kernel/debug && exec "$@"' \
	sh "$HARD_FUZZ" nl "$nlsecs" "$seed" "$TEST_TMP/nl1" "$TEST_TMP/nl2" \
	>"$TEST_TMP/nl" 2>&1
rc=$?
sed 's/^/# /' "$TEST_TMP/nl"
check_eq "netlink fuzzer: no failure in ${nlsecs} s, state consistent (seed $seed)" "$rc" 0
ip netns del nlf
check "netlink fuzzer: the namespace's objects are freed with it" wait_for 20 \
	grep -qx 'users 0 exports 0 grants 0' "$params/objects"
check "netlink fuzzer: and its connections" wait_for 20 \
	grep -qx 'conns 0 uploads 0' "$params/conn_objects"
ip netns del a
ip netns del b
check "the module unloads" rmmod p2pshare
echo "# guest time: $SECONDS s"
dp_done
