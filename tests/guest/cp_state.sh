#!/bin/bash
# Control plane: save -> rmmod -> insmod -> load gives the same state, load
# refuses a bad file whole, namespaces are independent, non-root is
# refused, monitor reports changes, and no object outlives its namespace.
. "$(dirname "$0")/fixture.sh"
dp_setup_here

# shellcheck disable=SC2317 # run by check_out
objects() { cat /sys/kernel/debug/p2pshare/objects; }

p2pctl genkey > a.key; p2pctl genkey > b.key
mkdir -p "srv/music" "srv/my docs"
# shellcheck disable=SC2016 # expanded by the inner shell
check "setup" sh -c 'p2pctl user add alice --pubkey "$(p2pctl pubkey < a.key)" &&
	p2pctl user add bob --pubkey "$(p2pctl pubkey < b.key)" --uid 1000 --gid 1000 &&
	p2pctl export srv/music --user alice --user bob:rw &&
	p2pctl export "srv/my docs" --name docs --user bob &&
	p2pctl listen 198.18.0.1:7010'
before=$(state)
check "save" sh -c 'p2pctl save > saved.conf'
check_out "saved file is 0600" "600" stat -c %a saved.conf
check "saved file holds the host private key" grep -q '^hostkey ' saved.conf
# shellcheck disable=SC2016 # expanded by the inner shell
check "rmmod, insmod" sh -c 'rmmod p2pshare && insmod "$P2P_KO"'
check_eq "state is empty after reload" "$(state | grep -c alice)" "0"
check "load" p2pctl load saved.conf
check_eq "loaded state equals the saved one (host key included)" "$(state)" "$before"
check "load again (replaces, same result)" p2pctl load saved.conf
check_eq "still equal" "$(state)" "$before"

# a bad file changes nothing and names its line
sed 's/^grant docs bob ro$/grant docs carol ro/' saved.conf > bad1.conf
n=$(grep -n carol bad1.conf | cut -d: -f1)
check "extra user for the change test" p2pctl user add carol --pubkey "$(p2pctl pubkey < a.key)"
cur=$(state)
check_fail "load: grant of a user not in the file" "bad1.conf:$n: user \"carol\" is not in the file" \
	p2pctl load bad1.conf
check_eq "load refusal changed nothing" "$(state)" "$cur"
printf 'user x/y AAAA 1 1\n' > bad2.conf
check_fail "load: invalid name" 'bad2.conf:1: invalid user name "x/y"' p2pctl load bad2.conf
printf 'export gone /nonexistent\n' > bad3.conf
check_fail "load: missing directory" 'bad3.conf:1: "/nonexistent": No such file or directory' \
	p2pctl load bad3.conf
printf 'hostkey %s\nfrobnicate\n' "$(cat a.key)" > bad4.conf
check_fail "load: unknown keyword" 'bad4.conf:2: unknown keyword "frobnicate"' p2pctl load bad4.conf
printf 'export a %s\nexport b %s\n' "$TEST_TMP/srv/music" "$TEST_TMP/srv/music/" > bad5.conf
check_fail "load: one directory twice" 'bad5.conf:2: directory already exported as "a"' \
	p2pctl load bad5.conf
check_eq "refused loads changed nothing" "$(state)" "$cur"
# refused by the kernel half-way (the listener cannot bind): rolled back
sed 's/^listen .*/listen 198.18.9.9:7010/' saved.conf > bad6.conf
check_fail "load: listen address not here" "the listen address is not configured here" \
	p2pctl load bad6.conf
check_eq "a load the kernel refused half-way changed nothing" "$(state)" "$cur"
check_fail "load: missing file" "nope.conf: No such file or directory" p2pctl load nope.conf

# namespaces: same names, independent objects
check "netns add" sh -c 'ip netns add n1 && ip netns add n2'
for n in n1 n2; do
	check "$n: user alice and export music" ip netns exec $n sh -c \
		"p2pctl user add alice --pubkey $n.pub 2>/dev/null || { p2pctl genkey | p2pctl pubkey > $n.pub; p2pctl user add alice --pubkey $n.pub; } && p2pctl export srv/music --user alice:rw"
done
check_eq "n1 and n2 hold different alices" \
	"$(ip netns exec n1 p2pctl show -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"][0]["pubkey"])')" \
	"$(cat n1.pub)"
check_eq "n2 alice is n2's" \
	"$(ip netns exec n2 p2pctl show -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"][0]["pubkey"])')" \
	"$(cat n2.pub)"
# shellcheck disable=SC2016 # expanded by the inner shell
check "host keys differ per namespace" sh -c \
	'[ "$(ip netns exec n1 p2pctl hostkey)" != "$(ip netns exec n2 p2pctl hostkey)" ]'
check "n1 user del leaves n2 alone" sh -c \
	'ip netns exec n1 p2pctl user del alice && ip netns exec n2 p2pctl show -j | grep -q "\"user\":\"alice\",\"mode\":\"rw\""'
check_eq "the initial namespace did not change" "$(state)" "$cur"
check "netns del" sh -c 'ip netns del n1 && ip netns del n2'
check "namespace objects are freed" wait_for 10 sh -c \
	"[ \"\$(cat /sys/kernel/debug/p2pshare/objects)\" = 'users 3 exports 2 grants 3' ]"

# privileges
# shellcheck disable=SC2317 # run by check_fail
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
check_fail "non-root show" "permission denied" nobody p2pctl show
check_fail "non-root user add" "permission denied" nobody p2pctl user add eve --pubkey "$(p2pctl pubkey < a.key)"
check_fail "non-root export" "permission denied" nobody p2pctl export /tmp --name t
check_fail "non-root save" "permission denied" sh -c 'cd / && setpriv --reuid=65534 --regid=65534 --clear-groups p2pctl save > /dev/null'
check_fail "non-root monitor" "cannot listen to the module's events" nobody p2pctl monitor
check_eq "non-root changed nothing" "$(state)" "$cur"

# monitor
p2pctl monitor > mon.txt 2>&1 &
mpid=$!
p2pctl monitor -j > mon.json 2>&1 &
jpid=$!
sleep 0.5	# both have joined the group
p2pctl user add dave --pubkey "$(p2pctl pubkey < b.key)"
p2pctl grant music dave rw
p2pctl user set dave --uid 1000
p2pctl revoke music dave
p2pctl unexport docs
p2pctl user del dave
p2pctl listen :7011
p2pctl listen --cipher chacha20-poly1305
p2pctl hostkey set b.key
wait_for 5 sh -c 'grep -q "^hostkey" mon.txt'
kill $mpid $jpid; wait $mpid $jpid 2>/dev/null
check_out "monitor lines" "user-add dave pubkey $(p2pctl pubkey < b.key) uid 65534 gid 65534
grant music dave rw
user-set dave pubkey $(p2pctl pubkey < b.key) uid 1000 gid 65534
revoke music dave rw
export-del docs
user-del dave pubkey $(p2pctl pubkey < b.key) uid 1000 gid 65534
listen *:7011 cipher aes-128-gcm
listen *:7011 cipher chacha20-poly1305
hostkey public $(p2pctl pubkey < b.key)" cat mon.txt
# shellcheck disable=SC2016 # expanded by the inner shell
check "monitor -j prints one JSON object per line" sh -c \
	'[ "$(wc -l < mon.json)" = 9 ] && while read -r l; do echo "$l" | python3 -m json.tool >/dev/null || exit 1; done < mon.json'
check "no private key in events" sh -c "! grep -qF '$(cat b.key)' mon.txt mon.json"

# shellcheck disable=SC2016 # expanded by the inner shell
check "clear everything" sh -c 'p2pctl unexport music && for u in alice bob carol; do p2pctl user del $u || exit 1; done'
check_out "no object left" "users 0 exports 0 grants 0" objects
# shellcheck disable=SC2016 # expanded by the inner shell
check "rmmod with state" sh -c 'p2pctl load saved.conf && rmmod p2pshare && insmod "$P2P_KO"'
check "kernel log is clean" kernel_log_clean
tap_done
