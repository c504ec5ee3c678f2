#!/bin/bash
# p2pctl apply (p2pshare.conf(5)): a file on an empty state builds all of
# it; a changed file adds, removes and changes exactly what differs (a
# removed user's session ends, a removed grant refuses); a second apply and
# a dry run change nothing; an invalid file changes nothing and names its
# line; a refusal of the module part-way is undone; save -> apply round
# trips; each network namespace applies its own file.
. "$(dirname "$0")/fixture.sh"
dp_setup

# State of host A without counters and connections, exports and users by
# name (an export made again comes last in the module's list), to compare.
st() {
	show_j 'json.dumps({k: sorted(v, key=lambda x: x["name"]) if k in ("exports", "users") else v
		for k, v in d.items() if k not in ("counters", "connections")}, sort_keys=True)'
}
# shellcheck disable=SC2317 # run by check_out
field() { show_j "$1"; }

for u in alice bob carol; do dp_key "$u"; done
pub() { cat "$DP_KEYS/$1.pub"; }
conf=$TEST_TMP/etc
mkdir -p "$conf" "$DP_SRV/music" "$DP_SRV/my docs" "$DP_SRV/new" "$DP_SRV/moved"
chmod 0777 "$DP_SRV/music"
(umask 077 && p2pctl genkey >"$conf/hostkey")
hostpub=$(p2pctl pubkey <"$conf/hostkey")
dp_rand "$DP_SRV/music/song" 300000
dp_rand "$DP_SRV/new/data" 200000
echo hello >"$DP_SRV/my docs/hello.txt"
echo local >"$DP_DL/local.txt"

# The host key by a relative path (the file's directory), a comment, blank
# lines, a user without ids (nobody), grants before their export.
cat >"$conf/one.conf" <<CONF
# host A
hostkey file hostkey
listen $DP_A:$DP_PORT cipher chacha20-poly1305
limits max_conns 50 idle_timeout 30

user alice $(pub alice)
user bob $(pub bob) 1000 1000
grant music alice ro
grant music bob rw
export music $DP_SRV/music
export docs $DP_SRV/my docs
grant docs bob ro
CONF

# ---- on an empty state
empty=$(st)
oldpub=$(na p2pctl hostkey)
one_diff="~ hostkey $oldpub -> $hostpub
~ listen *:$DP_PORT -> $DP_A:$DP_PORT
~ cipher aes-128-gcm -> chacha20-poly1305
~ limit max_conns 256 -> 50
~ limit idle_timeout 60 -> 30
+ user alice
+ user bob
+ export music $DP_SRV/music
+ grant music alice ro
+ grant music bob rw
+ export docs $DP_SRV/my docs
+ grant docs bob ro"
check_out "dry run on an empty state: every change, one a line" "$one_diff" \
	na p2pctl apply --dry-run "$conf/one.conf"
check_eq "the dry run changed nothing" "$(st)" "$empty"
check_out "-n after FILE works too (and changes nothing)" "$one_diff" na p2pctl apply "$conf/one.conf" -n
check_out "apply: the same lines, made" "$one_diff" na p2pctl apply "$conf/one.conf"
check_out "host key is the file's" "$hostpub" na p2pctl hostkey
check_out "listener" "$DP_A:$DP_PORT chacha20-poly1305 True" \
	field "d['listener']['address'] + ':' + str(d['listener']['port']), d['listener']['cipher'], d['listener']['active']"
check_out "limits" $'max_conns 50\nmax_user_conns 128\nauth_burst 10\nidle_timeout 30' na p2pctl limits
check_out "users, keys and ids" \
	"[('alice', '$(pub alice)', 65534, 65534), ('bob', '$(pub bob)', 1000, 1000)]" \
	field "[(u['name'], u['pubkey'], u['uid'], u['gid']) for u in d['users']]"
check_out "exports and grants" \
	"[('music', '$DP_SRV/music', [('alice', 'ro'), ('bob', 'rw')]), ('docs', '$DP_SRV/my docs', [('bob', 'ro')])]" \
	field "[(e['name'], e['path'], [(g['user'], g['mode']) for g in e['grants']]) for e in d['exports']]"
dp_listening
dp_pin
check "alice gets music/song" pget alice music/song -o "$DP_DL/song"
check_eq "its checksum" "$(sha "$DP_DL/song")" "$(sha "$DP_SRV/music/song")"
check "bob may put into music (rw)" pput "$DP_DL/local.txt" bob music/up.txt
check "bob reads docs" pget bob docs/hello.txt -o "$DP_DL/hello"
one=$(st)
check_out "second apply: no change" "no change" na p2pctl apply "$conf/one.conf"
check_eq "and the state is the same" "$(st)" "$one"

# ---- a changed file: exactly what differs
sed -e 's/^limits .*/limits max_conns 60/' -e '/^user alice/d' -e '/^grant music alice/d' \
	-e "s|^user bob .*|user bob $(pub bob) 1001 1000|" -e 's/^grant music bob rw/grant music bob ro/' \
	-e '/^grant docs bob/d' "$conf/one.conf" >"$conf/two.conf"
cat >>"$conf/two.conf" <<CONF
user carol $(pub carol)
export new $DP_SRV/new
grant new carol rw
grant docs carol ro
CONF
two_diff="~ limit max_conns 50 -> 60
- grant music alice ro
- grant docs bob ro
~ user bob uid 1000 -> 1001
+ user carol
~ grant music bob rw -> ro
+ grant docs carol ro
+ export new $DP_SRV/new
+ grant new carol rw
- user alice"
check_out "dry run of the changed file" "$two_diff" na p2pctl apply -n "$conf/two.conf"
check_eq "the dry run changed nothing" "$(st)" "$one"
# alice's session, open while the file removes her
rm -f "$TEST_TMP/in"; mkfifo "$TEST_TMP/in"
nsenter --net=/run/netns/b "$DP_TOOL" repeat "$DP_A" "$DP_PORT" alice "$DP_KEYS/alice.key" \
	music song <"$TEST_TMP/in" >"$TEST_TMP/rep" 2>/dev/null &
rep=$!
exec 7>"$TEST_TMP/in"
echo >&7
check "alice's session answers" wait_for 20 sh -c "grep -q '^ok' '$TEST_TMP/rep'"
check_out "alice's session is listed" "1" field "sum(1 for x in c if x.get('user') == 'alice')"
check_out "apply the changed file" "$two_diff" na p2pctl apply "$conf/two.conf"
check "alice's connection ended" wait_for 10 sh -c \
	"[ \"\$(nsenter --net=/run/netns/a p2pctl show -j | python3 -c 'import json,sys; print(sum(1 for x in json.load(sys.stdin)[\"connections\"] if x.get(\"user\") == \"alice\"))')\" = 0 ]"
exec 7>&-
wait "$rep" 2>/dev/null
check_fail "alice is refused" 'authentication failed for user "alice"' pget alice music/song -o "$DP_DL/x"
check_fail "bob's removed grant on docs refuses" "no such export (ENOENT)" pget bob docs/hello.txt -o "$DP_DL/x"
check_fail "bob's grant on music is ro now" "read-only access (EACCES)" pput "$DP_DL/local.txt" bob music/up2.txt
check "bob still reads music" pget bob music/song -o "$DP_DL/song2"
check "carol gets new/data" pget carol new/data -o "$DP_DL/data"
check_eq "its checksum" "$(sha "$DP_DL/data")" "$(sha "$DP_SRV/new/data")"
check "carol reads docs" pget carol docs/hello.txt -o "$DP_DL/hello2"
check_out "bob's new uid" "1001 1000" field "'%d %d' % [(u['uid'], u['gid']) for u in d['users'] if u['name'] == 'bob'][0]"
check_out "limits: max_conns changed, idle_timeout (not named) kept" \
	$'max_conns 60\nmax_user_conns 128\nauth_burst 10\nidle_timeout 30' na p2pctl limits
two=$(st)
check_out "second apply of the changed file: no change" "no change" na p2pctl apply "$conf/two.conf"
check_eq "same state" "$(st)" "$two"

# ---- an export moves to another directory, a key changes, the listener moves back
sed -e "s|^export docs .*|export docs $DP_SRV/moved|" -e "s|^user carol .*|user carol $(pub alice)|" \
	-e 's/^listen .*//' "$conf/two.conf" >"$conf/three.conf"
check_out "dry run: moved export, new key, default listener" \
	"~ listen $DP_A:$DP_PORT -> *:$DP_PORT
~ cipher chacha20-poly1305 -> aes-128-gcm
~ export docs $DP_SRV/moved (was $DP_SRV/my docs)
~ user carol pubkey $(pub carol) -> $(pub alice)" na p2pctl apply -n "$conf/three.conf"

# ---- invalid files change nothing and name their line
bad() {	# bad NAME LINE: two.conf with another limit, then LINE
	{ sed 's/^limits .*/limits max_conns 70/' "$conf/two.conf"; printf '%s\n' "$2"; } >"$conf/$1.conf"
	n=$(wc -l <"$conf/$1.conf")
}
bad badkey "user dave notakey"
check_fail "bad key" "$conf/badkey.conf:$n: invalid public key: not valid base64" \
	na p2pctl apply "$conf/badkey.conf"
bad nodir "export gone /nonexistent"
check_fail "missing directory" "$conf/nodir.conf:$n: \"/nonexistent\": No such file or directory" \
	na p2pctl apply "$conf/nodir.conf"
bad badname "user x/y $(pub carol)"
check_fail "bad name" "$conf/badname.conf:$n: invalid user name \"x/y\"" na p2pctl apply "$conf/badname.conf"
sed 's/^hostkey .*/hostkey file nokey/' "$conf/badkey.conf" >"$conf/nohostkey.conf"
n=$(grep -n '^hostkey' "$conf/nohostkey.conf" | cut -d: -f1)
check_fail "missing host key file" \
	"$conf/nohostkey.conf:$n: host key file \"$conf/nokey\": No such file or directory" \
	na p2pctl apply "$conf/nohostkey.conf"
bad nogrant "grant new dave rw"
check_fail "grant of a user not in the file" "$conf/nogrant.conf:$n: user \"dave\" is not in the file" \
	na p2pctl apply "$conf/nogrant.conf"
check_eq "invalid files changed nothing at all" "$(st)" "$two"
check "not even with --dry-run: no output" sh -c \
	"[ -z \"\$(nsenter --net=/run/netns/a p2pctl apply -n '$conf/badkey.conf' 2>/dev/null)\" ]"

# ---- the module refuses part-way (a low-order key only it checks): undone
{ sed -e '/^export docs/d' -e '/^grant docs/d' "$conf/two.conf"
  echo "user eve AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; } >"$conf/refused.conf"
n=$(grep -n '^user eve' "$conf/refused.conf" | cut -d: -f1)
check_out "its dry run: docs goes before eve comes" "- export docs
+ user eve" na p2pctl apply -n "$conf/refused.conf"
check_fail "apply: the module refuses eve, naming the line" "$conf/refused.conf:$n: public key is a low-order point" \
	na p2pctl apply "$conf/refused.conf"
check_eq "the removed export is back: state as before" "$(st)" "$two"
check "and docs serves again" pget carol docs/hello.txt -o "$DP_DL/hello3"

# ---- save -> apply round trip; load is apply
check "save" sh -c "nsenter --net=/run/netns/a p2pctl save >'$conf/saved.conf'"
check_out "save | apply --dry-run: no change" "no change" na p2pctl apply -n "$conf/saved.conf"
check_out "from standard input too" "no change" sh -c \
	"nsenter --net=/run/netns/a p2pctl save | nsenter --net=/run/netns/a p2pctl apply -n -"
check "rmmod, insmod" sh -c "rmmod p2pshare && insmod '$P2P_KO'"
check "apply the saved file on the empty module" na p2pctl apply "$conf/saved.conf"
check_eq "same state as saved" "$(st)" "$two"
check_out "load is apply: no change" "no change" na p2pctl load "$conf/saved.conf"
check_out "apply of the admin's file on it: no change" "no change" na p2pctl apply "$conf/two.conf"
check "saveconfig is read (by the unit), not sent" sh -c \
	"{ echo 'saveconfig yes'; cat '$conf/two.conf'; } >'$conf/sc.conf' &&
	 [ \"\$(nsenter --net=/run/netns/a p2pctl apply '$conf/sc.conf')\" = 'no change' ]"
printf 'saveconfig maybe\n' >"$conf/sc2.conf"
check_fail "saveconfig yes|no only" "$conf/sc2.conf:1: use: saveconfig yes|no" na p2pctl apply "$conf/sc2.conf"

# ---- per network namespace: one file each, applied inside it
ip netns add c
nc() { nsenter --net=/run/netns/c "$@"; }
(umask 077 && p2pctl genkey >"$conf/c.hostkey")
cat >"$conf/c.conf" <<CONF
hostkey file $conf/c.hostkey
listen :7440
user carol $(pub carol) 1000 1000
export music $DP_SRV/music
grant music carol rw
CONF
check_out "namespace c: its own changes" "~ hostkey $(nc p2pctl hostkey) -> $(p2pctl pubkey <"$conf/c.hostkey")
~ listen *:$DP_PORT -> *:7440
+ user carol
+ export music $DP_SRV/music
+ grant music carol rw" nc p2pctl apply "$conf/c.conf"
check_out "namespace c: second apply, no change" "no change" nc p2pctl apply "$conf/c.conf"
check_out "namespace c holds its file's state" "['carol'] 7440" sh -c \
	"nsenter --net=/run/netns/c p2pctl show -j | python3 -c 'import json,sys; d=json.load(sys.stdin); print([u[\"name\"] for u in d[\"users\"]], d[\"listener\"][\"port\"])'"
check_eq "host A did not change" "$(st)" "$two"
check_out "host A's file is still applied" "no change" na p2pctl apply "$conf/two.conf"
ip netns del c

# ---- the unit's steps (systemd/p2pshare.service), run as systemd would, in this namespace
U=$TEST_TMP/etc-p2pshare
unit=$TEST_TMP/p2pshare.service
sed -e "s|/etc/p2pshare|$U|g" -e "s|/usr/bin/p2pctl|p2pctl|g" \
	-e "s|/sbin/modprobe -r p2pshare|rmmod p2pshare|" -e "s|/sbin/modprobe p2pshare|insmod $P2P_KO|" \
	"$P2P_ROOT/systemd/p2pshare.service" >"$unit"
mkdir -m 0700 "$U"
check "unit: stop the test's module" rmmod p2pshare
check "unit: first start, no configuration file" unit_run ExecStart
check_out "unit: the host key file is made, 0600" "600" stat -c %a "$U/hostkey"
check_out "unit: it is the host's key" "$(p2pctl pubkey <"$U/hostkey")" p2pctl hostkey
cat >"$U/p2pshare.conf" <<CONF
user alice $(pub alice)
export music $DP_SRV/music
grant music alice rw
CONF
cp "$U/p2pshare.conf" "$TEST_TMP/admin.conf"
check_out "unit: reload applies the admin's file" "+ user alice
+ export music $DP_SRV/music
+ grant music alice rw" unit_run ExecReload
check_out "unit: reload again, no change" "no change" unit_run ExecReload
check "unit: a change at run time" p2pctl user add bob --pubkey "$DP_KEYS/bob.pub"
check "unit: stop" unit_run ExecStop
check "unit: the module is unloaded" sh -c '! test -d /sys/module/p2pshare'
check "unit: stop did not write the admin's file (no saveconfig)" cmp "$U/p2pshare.conf" "$TEST_TMP/admin.conf"
check "unit: start" unit_run ExecStart
check_out "unit: the host key survived" "$(p2pctl pubkey <"$U/hostkey")" p2pctl hostkey
check_out "unit: the file's state, without the run-time change" "['alice'] ['music']" \
	sh -c "p2pctl show -j | python3 -c 'import json,sys; d=json.load(sys.stdin); print([u[\"name\"] for u in d[\"users\"]], [e[\"name\"] for e in d[\"exports\"]])'"
echo "saveconfig yes" >>"$U/p2pshare.conf"
check "unit: saveconfig yes, a change at run time" p2pctl user add bob --pubkey "$DP_KEYS/bob.pub"
check "unit: stop saves" unit_run ExecStop
check_out "unit: the saved file is 0600" "600" stat -c %a "$U/p2pshare.conf"
check "unit: it keeps saveconfig yes and holds bob" sh -c \
	"[ \"\$(head -n1 '$U/p2pshare.conf')\" = 'saveconfig yes' ] && grep -q '^user bob ' '$U/p2pshare.conf'"
check "unit: start" unit_run ExecStart
check_out "unit: bob came back" "no change" p2pctl apply "$U/p2pshare.conf"
check_out "unit: users" "['alice', 'bob']" \
	sh -c "p2pctl show -j | python3 -c 'import json,sys; print([u[\"name\"] for u in json.load(sys.stdin)[\"users\"]])'"
# A state file of an older version holds the key inline: the first start keeps that key.
check "unit: stop" unit_run ExecStop
(umask 077 && p2pctl genkey >"$TEST_TMP/old.key")
printf 'hostkey %s\nlisten *:7437\n' "$(cat "$TEST_TMP/old.key")" >"$U/p2pshare.conf"
rm "$U/hostkey"
check "unit: start with an older state file" unit_run ExecStart
check "unit: the host key file holds its key" cmp "$U/hostkey" "$TEST_TMP/old.key"
check_out "unit: and the host uses it" "$(p2pctl pubkey <"$TEST_TMP/old.key")" p2pctl hostkey
dp_done
