#!/bin/bash
# Control plane: every admin command, and every refusal with its message,
# exit status 1 and no change to the state.
. "$(dirname "$0")/fixture.sh"
dp_setup_here

# refused DESC MESSAGE CMD...: fails with MESSAGE and changes nothing.
refused() {
	local desc=$1 before
	before=$(state)
	check_fail "$@"
	check_eq "$desc: nothing changed" "$(state)" "$before"
}

check "genkey" sh -c 'p2pctl genkey > a.key && p2pctl genkey > b.key'
check_out "genkey file is 0600" "600" stat -c %a a.key
check_out "genkey prints 44 base64 characters" "44" sh -c 'head -1 a.key | tr -d "\n" | wc -c'
check "pubkey" sh -c 'p2pctl pubkey < a.key > a.pub && p2pctl pubkey < b.key > b.pub'
check_fail "pubkey: bad base64" "not valid base64" sh -c 'echo "!!!" | p2pctl pubkey'
check_fail "pubkey: wrong length" "wrong length" sh -c 'echo AAAA | p2pctl pubkey'
check_fail "pubkey: all zeros" "all zeros" \
	sh -c 'echo AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= | p2pctl pubkey'
check_fail "pubkey: empty input" "no key found" sh -c 'p2pctl pubkey < /dev/null'

# users
check "user add (key)" p2pctl user add alice --pubkey "$(cat a.pub)"
check "user add (file, uid, gid)" p2pctl user add bob --pubkey b.pub --uid 1000 --gid 100
check_out "alice maps to nobody" "65534 65534" show_j '" ".join(str(u[k]) for u in d["users"] if u["name"]=="alice" for k in ("uid","gid"))'
check_out "bob maps to 1000:100" "1000 100" show_j '" ".join(str(u[k]) for u in d["users"] if u["name"]=="bob" for k in ("uid","gid"))'
check_out "show has alice's public key" "$(cat a.pub)" show_j 'd["users"][0]["pubkey"]'
refused "user add: exists" 'user "alice" exists' p2pctl user add alice --pubkey b.pub
refused "user add: invalid name" 'invalid user name "a/b"' p2pctl user add a/b --pubkey a.pub
refused "user add: dot name" 'invalid user name ".."' p2pctl user add .. --pubkey a.pub
long=$(printf 'x%.0s' $(seq 65))
refused "user add: name too long" "name too long" p2pctl user add "$long" --pubkey a.pub
refused "user add: bad base64 key" "not valid base64" p2pctl user add carol --pubkey 'abc!'
refused "user add: wrong key length" "wrong length" p2pctl user add carol --pubkey AAAA
refused "user add: all-zero key" "all zeros" \
	p2pctl user add carol --pubkey AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
refused "user add: missing --pubkey" "add needs --pubkey" p2pctl user add carol
refused "user add: bad uid" 'invalid uid "x1"' p2pctl user add carol --pubkey a.pub --uid x1
refused "user add: unknown option" 'unknown option "--shell"' \
	p2pctl user add carol --pubkey a.pub --shell /bin/sh
refused "user del: unknown" 'user "carol" unknown' p2pctl user del carol
refused "user: unknown subcommand" 'unknown argument "mod"' p2pctl user mod alice
check_out "user list: the names, one a line" "alice
bob" p2pctl user list
refused "user list takes no argument" 'unexpected argument "x"' p2pctl user list x

# exports
mkdir -p srv/music srv/pics srv/docs && touch srv/file
check "export with two users" p2pctl export srv/music --user alice --user bob:rw
check_out "export named after the directory, path absolute" "music $TEST_TMP/srv/music" \
	show_j 'd["exports"][0]["name"] + " " + d["exports"][0]["path"]'
check_out "grants ro and rw" "alice:ro bob:rw" \
	show_j '" ".join(g["user"]+":"+g["mode"] for g in d["exports"][0]["grants"])'
check "export with --name" p2pctl export srv/pics --name photos
refused "export: name exists" 'export "music" exists' p2pctl export srv/docs --name music
refused "export: directory already exported" 'directory already exported as "music"' \
	p2pctl export srv/music --name other
refused "export: missing directory" 'cannot export "srv/nope": No such file or directory' \
	p2pctl export srv/nope
refused "export: a file" 'cannot export "srv/file": not a directory' p2pctl export srv/file
refused "export: unknown user creates nothing" 'user "zed" unknown' \
	p2pctl export srv/docs --user alice --user zed
refused "export: user granted twice" 'user "alice" granted twice' \
	p2pctl export srv/docs --user alice --user alice:rw
refused "export: invalid name" 'invalid export name "a b"' p2pctl export srv/docs --name "a b"
check_out "export list: the names, one a line" "music
photos" p2pctl export list
refused "export list takes no argument" 'unexpected argument "x"' p2pctl export list x
mkdir -p list
check_out "export ./list exports a directory named list" "list" \
	sh -c 'p2pctl export ./list && p2pctl export list | grep -x list && p2pctl unexport list'
refused "export: bad --user mode" 'invalid --user "alice:rx"' p2pctl export srv/docs --user alice:rx
refused "export: missing DIR" "missing DIR" p2pctl export --name x

# grants
check "grant (default ro)" p2pctl grant photos alice
check "grant rw" p2pctl grant photos bob rw
check "grant changes the mode" p2pctl grant photos bob ro
check_out "photos grants" "alice:ro bob:ro" \
	show_j '" ".join(g["user"]+":"+g["mode"] for e in d["exports"] if e["name"]=="photos" for g in e["grants"])'
refused "grant: unknown export" 'export "nope" unknown' p2pctl grant nope alice
refused "grant: unknown user" 'user "zed" unknown' p2pctl grant photos zed
refused "grant: bad mode" 'invalid mode "rwx"' p2pctl grant photos alice rwx
check "revoke" p2pctl revoke photos bob
refused "revoke: no such grant" 'user "bob" has no grant on that export' p2pctl revoke photos bob
refused "revoke: missing USER" "missing USER" p2pctl revoke photos

check "user del" p2pctl user del alice
check_out "user del removed alice's grants" "bob:rw|" \
	show_j '"|".join(" ".join(g["user"]+":"+g["mode"] for g in e["grants"]) for e in d["exports"])'
check "unexport" p2pctl unexport photos
refused "unexport: unknown" 'export "photos" unknown' p2pctl unexport photos

# listener
check "listen ADDR:PORT" p2pctl listen 198.18.0.1:7000
check_out "listener shown" "198.18.0.1 7000" show_j 'd["listener"]["address"] + " " + str(d["listener"]["port"])'
check "listen [ADDR6]:PORT" p2pctl listen '[fd00::1]:7001'
check_out "IPv6 listener" "fd00::1 7001" show_j 'd["listener"]["address"] + " " + str(d["listener"]["port"])'
check "listen :PORT" p2pctl listen :7002
check_out "every address" "None 7002" show_j 'str(d["listener"]["address"]) + " " + str(d["listener"]["port"])'
check "listen (defaults)" p2pctl listen
check_out "default port" "7437" show_j 'd["listener"]["port"]'
refused "listen: bad port" 'invalid port "99999"' p2pctl listen :99999
refused "listen: port 0" 'invalid port "0"' p2pctl listen :0
refused "listen: bad address" 'invalid address "1.2.3"' p2pctl listen 1.2.3:80
check_out "the server listens (an export exists)" "True" show_j 'd["listener"]["active"]'
refused "listen: address not configured here" "the listen address is not configured here" \
	p2pctl listen 198.18.0.99:7000
python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 7440)); s.listen(); time.sleep(60)' &
busy=$!
wait_for 5 sh -c 'ss -ltn | grep -q ":7440 "'
refused "listen: port in use" "port 7440 is already in use" p2pctl listen :7440
kill $busy

# host key
check_out "hostkey is the one in show" "$(show_j 'd["hostkey"]')" p2pctl hostkey
check "hostkey set" p2pctl hostkey set b.key
check_out "hostkey is b's public key" "$(cat b.pub)" p2pctl hostkey
refused "hostkey set: all zeros" "all zeros" \
	sh -c 'echo AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= > z.key; p2pctl hostkey set z.key'
refused "hostkey set: missing file" "nope.key: No such file or directory" p2pctl hostkey set nope.key
check "show never holds the private key" sh -c "! p2pctl show -j | grep -qF '$(cat b.key)'"
check "show -j is valid JSON" sh -c 'p2pctl show -j | python3 -m json.tool'
check "show (human) lists export and user" sh -c 'p2pctl show | grep -q "^  music " && p2pctl show | grep -q "^  bob "'

for c in genkey pubkey user export unexport grant revoke listen hostkey show save load monitor; do
	check "$c --help" sh -c "p2pctl $c --help | grep -q '^usage: p2pctl $c' && p2pctl $c --help | grep -q 'Exit status'"
done
check "kernel log is clean" kernel_log_clean
tap_done
