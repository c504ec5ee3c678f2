#!/bin/bash
# p2pctl and protocol v2's records (fixture.sh's hosts A and B): a client
# that cannot load the tls module says so in one line; listen --cipher sets
# the server's preferred cipher, shown by show (human and -j) for the
# listener and for each open connection, and carried by save and load;
# get --cipher works with each cipher (SHA-256); an unknown cipher name and
# a version 1 server are clear errors; with the module's record_limit
# lowered, get (one file, to stdout, a tree) reconnects and resumes to the
# right SHA-256 while the counter record_limit grows, and ls of a large
# directory retries each READDIR on a new connection.
. "$(dirname "$0")/fixture.sh"
dp_setup

pub=$DP_SRV/pub
mkdir -p "$pub/tree/sub" "$pub/many"
dp_rand "$pub/big" 4194304
dp_rand "$pub/small" 5000
for f in a b c; do dp_rand "$pub/tree/$f" 1048576; done
dp_rand "$pub/tree/sub/d" 700000
dp_user alice
dp_serve "export pub to alice" "$pub" --user alice
cd "$DP_DL" || exit 1

# One connection whose READ began (it authenticated, its records run).
# shellcheck disable=SC2317 # run by wait_for
reading() { [ "$(show_j 'sum(1 for c in d["connections"] if c["requests"])')" = 1 ]; }
# The cipher of the one authenticated connection.
# shellcheck disable=SC2317 # run by check_out
authed_cipher() { show_j '[c["cipher"] for c in d["connections"] if c["user"]]'; }
# shellcheck disable=SC2317 # run by check
same() { [ "$(sha "$1")" = "$(sha "$2")" ]; }

# ---- no tls module on the client.  An unprivileged client cannot make the
# kernel load it (TCP_ULP autoloads only with CAP_NET_ADMIN), and it sets
# TCP_ULP before HANDSHAKE1, before the server (which loads tls itself)
# sets its own: so this goes first.  Earlier tests of the same guest loaded
# tls; with none of their sockets left it unloads (its users hold it).
grep -q '^tls ' /proc/modules && rmmod tls 2>/dev/null
if grep -q '^tls ' /proc/modules; then
	skip "unprivileged client without the tls module: one clear line" "tls is in use"
	skip "... and no file is left" "tls is in use"
else
	unpriv=$TEST_TMP/u1000
	mkdir -p "$unpriv"
	cp "$DP_KEYS/alice.key" "$P2P_KNOWN_HOSTS" "$unpriv/"
	chown -R 1000:1000 "$unpriv"
	chmod o+x "$TEST_TMP"
	check_fail "unprivileged client without the tls module: one clear line" \
		"cannot connect to $DP_A:$DP_PORT: kernel TLS (module tls) is not available on this machine; load it as root: modprobe tls" \
		nb setpriv --reuid=1000 --regid=1000 --clear-groups env P2P_KNOWN_HOSTS="$unpriv/known_hosts" \
		p2pctl get "$(dp_url alice pub/small)" -o "$unpriv/small" --key-file "$unpriv/alice.key"
	check "... and no file is left" sh -c "! ls -A '$unpriv' | grep -q -e '^small\$' -e '\\.p2p-'"
fi

# ---- listen --cipher, show
check_out "default preferred cipher: aes-128-gcm (-j)" "aes-128-gcm" show_j 'd["listener"]["cipher"]'
check "default preferred cipher (human)" sh -c \
	"nsenter --net=/run/netns/a p2pctl show | grep -qx 'cipher:    aes-128-gcm (preferred)'"
check "listen $DP_A:$DP_PORT" na p2pctl listen "$DP_A:$DP_PORT"
check "listen --cipher chacha20-poly1305" na p2pctl listen --cipher chacha20-poly1305
check_out "-j: chacha20-poly1305, the address kept" "chacha20-poly1305 $DP_A $DP_PORT" \
	show_j 'd["listener"]["cipher"], d["listener"]["address"], d["listener"]["port"]'
check "human: chacha20-poly1305" sh -c \
	"nsenter --net=/run/netns/a p2pctl show | grep -qx 'cipher:    chacha20-poly1305 (preferred)'"
check "listen (defaults) keeps the cipher" na p2pctl listen
check_out "-j: every address, chacha20-poly1305 kept" "None chacha20-poly1305" \
	show_j 'd["listener"]["address"], d["listener"]["cipher"]'
check "listen --cipher=aes-128-gcm" na p2pctl listen --cipher=aes-128-gcm
check_out "-j: aes-128-gcm" "aes-128-gcm" show_j 'd["listener"]["cipher"]'
check_fail "listen --cipher of an unknown name" \
	'unknown cipher "rot13" in --cipher (use aes-128-gcm or chacha20-poly1305)' \
	na p2pctl listen --cipher rot13
check_fail "listen --cipher of a list" "--cipher takes one cipher" \
	na p2pctl listen --cipher aes-128-gcm,chacha20-poly1305
check_out "refusals changed nothing" "aes-128-gcm" show_j 'd["listener"]["cipher"]'

# ---- the cipher of an open connection: a get to a pipe nobody reads
held() {
	# shellcheck disable=SC2216 # the point: nobody reads, the get stalls
	nb p2pctl get "$(dp_url alice pub/big)" -o - --key-file "$DP_KEYS/alice.key" "$@" |
		sleep 60 &
	reader=$!
	wait_for 20 reading
}
release() {
	kill "$reader"
	wait "$reader" 2>/dev/null
	wait_for 20 nconns_is 0
}
# shellcheck disable=SC2317 # run by check
conn_line() { na p2pctl show | grep -E "^  $DP_B:[0-9]+ +alice +$1 +up "; }
for pref in aes-128-gcm chacha20-poly1305; do
	na p2pctl listen --cipher "$pref"
	held
	check_out "preferred $pref, client offers both: the connection's cipher (-j)" "['$pref']" \
		authed_cipher
	check "... and in its human line" conn_line "$pref"
	release
done
na p2pctl listen --cipher chacha20-poly1305
held --cipher aes-128-gcm
check_out "preferred chacha20-poly1305, client offers aes-128-gcm: aes-128-gcm" "['aes-128-gcm']" \
	authed_cipher
release
check "no connection left" nconns_is 0

# ---- save and load carry the cipher
check "save" sh -c 'nsenter --net=/run/netns/a p2pctl save >saved.conf'
check "the listen line holds the cipher" grep -qx "listen \\*:$DP_PORT cipher chacha20-poly1305" saved.conf
check "listen --cipher aes-128-gcm" na p2pctl listen --cipher aes-128-gcm
check "load" na p2pctl load saved.conf
check_out "load restored chacha20-poly1305" "chacha20-poly1305" show_j 'd["listener"]["cipher"]'
sed "s/^listen .*/listen *:$DP_PORT/" saved.conf >nocipher.conf
check "load of a listen line without a cipher" na p2pctl load nocipher.conf
check_out "... gives the default, aes-128-gcm" "aes-128-gcm" show_j 'd["listener"]["cipher"]'
n=$(grep -n '^listen ' saved.conf | cut -d: -f1)
sed "s/^listen .*/listen *:$DP_PORT cipher rot13/" saved.conf >bad.conf
check_fail "load of an unknown cipher names the line" \
	"bad.conf:$n: unknown cipher \"rot13\" in the listen line" na p2pctl load bad.conf
check_out "... and changed nothing" "aes-128-gcm" show_j 'd["listener"]["cipher"]'
check "load saved.conf again" na p2pctl load saved.conf

# ---- get with each cipher: the server prefers the other one
for c in aes-128-gcm chacha20-poly1305; do
	other=aes-128-gcm
	[ "$c" = aes-128-gcm ] && other=chacha20-poly1305
	na p2pctl listen --cipher "$other"
	rm -f "got-$c"
	check "get --cipher $c (server prefers $other)" pget alice pub/big -o "got-$c" --cipher "$c"
	check "get --cipher $c: same SHA-256" same "got-$c" "$pub/big"
done
rm -f got-env
check "P2P_CIPHER=chacha20-poly1305 get" env P2P_CIPHER=chacha20-poly1305 \
	nsenter --net=/run/netns/b p2pctl get "$(dp_url alice pub/small)" -o got-env --key-file "$DP_KEYS/alice.key"
check "P2P_CIPHER get: same SHA-256" same got-env "$pub/small"
check_fail "get --cipher of an unknown name" \
	'unknown cipher "rot13" in --cipher (a comma-separated list of aes-128-gcm, chacha20-poly1305)' \
	pget alice pub/small -o nope --cipher aes-128-gcm,rot13
check_fail "P2P_CIPHER of an unknown name" 'unknown cipher "des" in P2P_CIPHER' \
	env P2P_CIPHER=des nsenter --net=/run/netns/b p2pctl ls "$(dp_url alice pub)" --key-file "$DP_KEYS/alice.key"
check "the refused gets left no file" sh -c "! ls -A | grep -q -e '^nope\$' -e '\\.p2p-'"

# ---- a version 1 server: answers HELLO 2..2 with ERROR EPROTONOSUPPORT
na python3 -c '
import socket, struct
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$DP_A"'", 7500))
s.listen()
print("ready", flush=True)
c, _ = s.accept()
n, op, flags, rsv, tag = struct.unpack(">IBBHI", c.recv(12, socket.MSG_WAITALL))
c.recv(n, socket.MSG_WAITALL)
msg = b"protocol version not supported"
body = struct.pack(">IH", 93, len(msg)) + msg
c.sendall(struct.pack(">IBBHI", len(body), 0xf1, 0, 0, tag) + body)
c.close()' >"$TEST_TMP/v1" 2>&1 &
v1=$!
wait_for 10 grep -q '^ready' "$TEST_TMP/v1"
check_fail "a version 1 server: one line that says so" \
	"cannot connect to $DP_A:7500: the server does not speak protocol version 2, which p2pctl needs (version 1 is unencrypted: upgrade the server); it said: protocol version not supported" \
	nb p2pctl ls "p2p://alice@$DP_A:7500" --key-file "$DP_KEYS/alice.key"
kill "$v1" 2>/dev/null
wait "$v1" 2>/dev/null

# ---- the record limit: the server ends connections, p2pctl goes on
na p2pctl listen --cipher aes-128-gcm
limit0=$(cat "$params/record_limit")
before=$(dp_counter record_limit)
check "record_limit 64" sh -c "echo 64 >$params/record_limit"
rm -f lim.bin
check "get of 4 MiB at 64 records a connection" pget alice pub/big -o lim.bin
check "... same SHA-256" same lim.bin "$pub/big"
mid=$(dp_counter record_limit)
echo "# record_limit: $before before, $mid after the get"
check "the counter record_limit grew" test "$mid" -gt "$before"
check "get -o - at the limit: same SHA-256" sh -c \
	"nsenter --net=/run/netns/b p2pctl get '$(dp_url alice pub/big)' -o - --key-file '$DP_KEYS/alice.key' >lim-stdout.bin &&
	 [ \"\$(sha256sum <lim-stdout.bin | cut -d' ' -f1)\" = '$(sha "$pub/big")' ]"
check "get -r of a tree at the limit" pget alice pub/tree -r -o limtree
# shellcheck disable=SC2317 # run by check
tree_same() {
	local f
	for f in a b c sub/d; do same "limtree/$f" "$pub/tree/$f" || return 1; done
}
check "get -r: every file has its SHA-256" tree_same
check "the counter grew again" test "$(dp_counter record_limit)" -gt "$mid"
# 3000 names of 100 bytes: READDIR replies of 5 records each; at 16 a
# connection has room for one such reply (the module keeps 6 in reserve).
(cd "$pub/many" && seq -f "%0100g" 1 3000 | xargs touch)
check "record_limit 16" sh -c "echo 16 >$params/record_limit"
check_out "ls of 3000 entries at 16 records a connection" "3000" \
	sh -c "nsenter --net=/run/netns/b p2pctl ls '$(dp_url alice pub/many)' --key-file '$DP_KEYS/alice.key' | wc -l"
check "stat at the limit" pstat alice pub/big
echo "$limit0" >"$params/record_limit"
check "no temporary file is left" sh -c "! find . -name '.*.p2p-*' | grep -q ."
dp_done
