#!/bin/bash
# LAN discovery (issue 18 item 5): avahi-daemon in three namespaces on one
# bridged link, each with its own D-Bus system bus, /run/avahi-daemon and
# service directory (a private mount namespace).  A exports and announces;
# B discovers A with A's address, port and host key, and get
# --trust-discovered pins that key and fetches a file.  M then forges an
# announcement for A's address with another key: B refuses because the
# answers disagree; with A silent, the forged key alone makes the handshake
# fail.  Without avahi-daemon, discover says so in one line, exit 1.
#
#  netns a: host A 198.18.0.1   netns b: host B 198.18.0.2   netns m: forger 198.18.0.3
#         va ───────────────┐            vb ──────┐          vm ────────┐
#                           └──── netns l: bridge lbr (la, lb, lm) ──────┘
. "$(dirname "$0")/fixture.sh"
dp_setup

M=198.18.0.3
nm() { nsenter --net=/run/netns/m "$@"; }

# shellcheck disable=SC2317 # run by trap
mdns_cleanup() {
	local f
	for f in "$TEST_TMP"/avahi-*/*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	ip netns del m 2>/dev/null
	ip netns del l 2>/dev/null
	dp_cleanup
}
trap mdns_cleanup EXIT

{ ip -n a link del va &&
	ip netns add m && ip netns add l && nm ip link set lo up &&
	ip -n l link add name lbr type bridge mcast_snooping 0 && ip -n l link set lbr up &&
	for h in a b m; do
		ip link add "v$h" netns "$h" type veth peer name "l$h" netns l &&
		ip -n l link set "l$h" master lbr && ip -n l link set "l$h" up || exit 1
	done &&
	na ip addr add "$DP_A/24" dev va && na ip link set va up &&
	nb ip addr add "$DP_B/24" dev vb && nb ip link set vb up &&
	nm ip addr add "$M/24" dev vm && nm ip link set vm up; } ||
	{ echo "Bail out! cannot build the topology"; exit 1; }
wait_for 10 sh -c "ip -n m -o link show vm | grep -q 'state UP'" ||
	{ echo "Bail out! the links do not come up"; exit 1; }
command -v avahi-daemon >/dev/null || { echo "Bail out! no avahi-daemon (make deps)"; exit 1; }

# avahi_up H: dbus-daemon and avahi-daemon for namespace H, host name host-H,
# on vH only, services from $TEST_TMP/avahi-H/services.
avahi_up() {
	local h=$1 d=$TEST_TMP/avahi-$1
	mkdir -p "$d/services"
	cat >"$d/dbus.conf" <<-EOC
	<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
	 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
	<busconfig>
	  <type>system</type>
	  <listen>unix:path=$d/bus</listen>
	  <auth>EXTERNAL</auth>
	  <policy context="default">
	    <allow user="*"/>
	    <allow own="*"/>
	    <allow send_destination="*"/>
	    <allow receive_sender="*"/>
	  </policy>
	</busconfig>
	EOC
	printf '%s\n' "[server]" "host-name=host-$h" "use-ipv4=yes" "use-ipv6=no" \
		"allow-interfaces=v$h" "enable-dbus=yes" "[publish]" \
		"publish-workstation=no" "publish-hinfo=no" >"$d/avahi.conf"
	# shellcheck disable=SC2016 # expanded by the inner shell
	nsenter --net="/run/netns/$h" unshare -m --propagation private sh -c '
		d=$1
		mkdir -p /run/avahi-daemon && mount -t tmpfs avahi /run/avahi-daemon &&
		mount --bind "$d/services" /etc/avahi/services || exit 1
		dbus-daemon --config-file="$d/dbus.conf" --fork --print-pid=3 3>"$d/dbus.pid" || exit 1
		echo $$ >"$d/avahi.pid"
		DBUS_SYSTEM_BUS_ADDRESS=unix:path=$d/bus exec avahi-daemon \
			--no-drop-root --no-chroot --debug -f "$d/avahi.conf"' - "$d" \
		>"$d/log" 2>&1 &
	wait_for 30 env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$d/bus" \
		nsenter --net="/run/netns/$h" p2pctl discover --timeout 1 ||
		{ echo "Bail out! avahi-daemon in $h does not start"; sed 's/^/# /' "$d/log"; exit 1; }
}

# In B: p2pctl with B's avahi-daemon.
# shellcheck disable=SC2317 # run by check
bp2p() { DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TEST_TMP/avahi-b/bus nb p2pctl "$@"; }

# Without avahi-daemon (no bus yet): one line, exit 1.
check_fail "discover without avahi-daemon: one line, exit 1" \
	"discovery needs avahi-daemon, which is not running" \
	env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TEST_TMP/nobus" p2pctl discover

avahi_up a
avahi_up b

mkdir -p "$DP_SRV/docs"
dp_rand "$DP_SRV/docs/f.bin" 300000
dp_user alice
check "A exports docs" na p2pctl export "$DP_SRV/docs" --user alice
dp_listening
KEY_A=$(na p2pctl show -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["hostkey"])')
check "A announces (service file in its avahi directory)" \
	na p2pctl announce --file "$TEST_TMP/avahi-a/services/p2pshare.service"

# discover_has ADDR KEY: discover -j in B lists ADDR:7437 with KEY.
# shellcheck disable=SC2317 # run by wait_for, check
discover_has() {
	bp2p discover -j --timeout 2 | python3 -c "import json,sys
h = [x for x in json.load(sys.stdin)['hosts'] if x['address'] == '$1' and x['port'] == $DP_PORT]
sys.exit(0 if any(x['hostkey'] == '$2' for x in h) else 1)"
}
# wait_for would run a 2-s discover 10 times a second's worth: tries instead.
tries() { local i; for i in $(seq 10); do "$@" && return 0; done; return 1; }
tries discover_has "$DP_A" "$KEY_A"
check "discover -j in B lists A: address, port, host key of show" discover_has "$DP_A" "$KEY_A" || {
	bp2p discover -j --timeout 3 2>&1 | sed 's/^/#   discover: /'
	find "$TEST_TMP/avahi-a/services" | sed 's/^/#   /'
	tail -n 30 "$TEST_TMP/avahi-a/log" | sed 's/^/#   avahi a: /'
	tail -n 30 "$TEST_TMP/avahi-b/log" | sed 's/^/#   avahi b: /'
}
check_out "discover -j: host name and interface" "host-a.local vb" \
	sh -c "DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TEST_TMP/avahi-b/bus nsenter --net=/run/netns/b \
	p2pctl discover -j --timeout 3 | python3 -c \"import json,sys
h = [x for x in json.load(sys.stdin)['hosts'] if x['address'] == '$DP_A']
print(h[0]['host'], h[0]['interface'])\""
check_out "discover (human) shows A's line" "$DP_A:$DP_PORT $KEY_A host-a.local" \
	sh -c "DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TEST_TMP/avahi-b/bus nsenter --net=/run/netns/b \
	p2pctl discover --timeout 3 | awk '{print \$1, \$2, \$3}'"

rm -f "$P2P_KNOWN_HOSTS"
check "get --trust-discovered fetches from A" \
	bp2p get "$(dp_url alice docs/f.bin)" --key-file "$DP_KEYS/alice.key" \
	--trust-discovered -o "$DP_DL/f.bin"
check_eq "the file arrived intact" "$(sha "$DP_DL/f.bin")" "$(sha "$DP_SRV/docs/f.bin")"
check_eq "known_hosts pins the announced key" "$(cat "$P2P_KNOWN_HOSTS")" "$DP_A:$DP_PORT $KEY_A"
check_fail "--host-key and --trust-discovered exclude each other" "exclude each other" \
	bp2p get "$(dp_url alice docs/f.bin)" --key-file "$DP_KEYS/alice.key" \
	--trust-discovered --host-key "$KEY_A"

# The forger M announces A's host name (so A's address) with its own key.
avahi_up m
p2pctl genkey | p2pctl pubkey >"$TEST_TMP/forged.pub"
FORGED=$(cat "$TEST_TMP/forged.pub")
cat >"$TEST_TMP/avahi-m/services/p2pshare.service" <<EOF2
<?xml version="1.0" standalone="no"?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group>
  <name>p2pshare on host-a (forged)</name>
  <service>
    <type>_p2pshare._tcp</type>
    <host-name>host-a.local</host-name>
    <port>$DP_PORT</port>
    <txt-record>txtvers=1</txt-record>
    <txt-record>pk=$FORGED</txt-record>
  </service>
</service-group>
EOF2
tries discover_has "$DP_A" "$FORGED"
check "discover in B lists the forged announcement for A's address" discover_has "$DP_A" "$FORGED"
check "... and A's own still" discover_has "$DP_A" "$KEY_A"
rm -f "$P2P_KNOWN_HOSTS" "$DP_DL/g.bin"
check_fail "get --trust-discovered refuses disagreeing announcements" \
	"the mDNS announcements for $DP_A:$DP_PORT disagree" \
	bp2p get "$(dp_url alice docs/f.bin)" --key-file "$DP_KEYS/alice.key" \
	--trust-discovered -o "$DP_DL/g.bin"
check "... and pins nothing, writes nothing" test ! -e "$P2P_KNOWN_HOSTS" -a ! -e "$DP_DL/g.bin"

check "A stops announcing (announce --off)" \
	na p2pctl announce --off --file "$TEST_TMP/avahi-a/services/p2pshare.service"
# shellcheck disable=SC2317 # run by wait_for
a_gone() { ! discover_has "$DP_A" "$KEY_A"; }
tries a_gone
check "discover no longer lists A's key" a_gone
check_fail "get --trust-discovered with only the forged key: handshake refused" \
	"does not match the key announced for it over mDNS (announced $FORGED, offered $KEY_A)" \
	bp2p get "$(dp_url alice docs/f.bin)" --key-file "$DP_KEYS/alice.key" \
	--trust-discovered -o "$DP_DL/g.bin"
check "... and pins nothing, writes nothing" test ! -e "$P2P_KNOWN_HOSTS" -a ! -e "$DP_DL/g.bin"
dp_pin
check "a key in known_hosts wins over the forged announcement" \
	bp2p get "$(dp_url alice docs/f.bin)" --key-file "$DP_KEYS/alice.key" \
	--trust-discovered -o "$DP_DL/g.bin"

dp_done
