#!/bin/bash
# Finding 3 of the December 2026 review: a connection is bound to the user
# object it authenticated as, not to its name.
#  - `user del` ends the user's open connections at once;
#  - `user del` + `user add` of the same name with a new key: the old key's
#    connection is gone and never sees the new user's grants;
#  - `user set --pubkey` ends the old key's connections; the new key works,
#    the old one is refused;
#  - `user set --uid/--gid` ends the connections running as the old ids; a
#    new connection runs as the new ones (owner of an uploaded file);
#  - a revoke or a downgrade to ro during an upload aborts it with EACCES:
#    the target keeps its bytes and no temporary file is left.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
up=$docs/up
mkdir -p "$up"
chmod 1777 "$up"
echo hello >"$docs/hello.txt"
echo local >"$DP_DL/local.txt"
# carol's uploads (as nobody) go to w, where she may replace target.txt.
w=$docs/w
mkdir -p "$w"
echo "old bytes" >"$w/target.txt"
chown -R 65534:65534 "$w"
target_sha=$(sha "$w/target.txt")
# Only a kill may end the idle sessions below, never the idle timeout.
na p2pctl limits set idle_timeout 300

# key pairs that no user holds yet
for k in k1 k2 k3; do dp_key "$k"; done
# bob's connections, by user name, that have authenticated.
# shellcheck disable=SC2317 # run by check
bob_conns_is() { [ "$(show_j "sum(1 for x in c if x.get('user') == 'bob')")" = "$1" ]; }

# stat_as KEY PATH: a STAT of docs/PATH as bob with key KEY.
# shellcheck disable=SC2317 # run by check
stat_as() {
	nb p2pctl stat "$(dp_url bob "docs/$2")" --key-file "$DP_KEYS/$1.key"
}

# open_session KEY: one connection as bob with KEY; ask sends a STAT of
# docs/hello.txt on it and prints dp_tool's answer.
open_session() {
	rm -f "$TEST_TMP/in" "$TEST_TMP/rep"
	mkfifo "$TEST_TMP/in"
	nsenter --net=/run/netns/b "$DP_TOOL" repeat "$DP_A" "$DP_PORT" bob \
		"$DP_KEYS/$1.key" docs hello.txt <"$TEST_TMP/in" >"$TEST_TMP/rep" 2>/dev/null &
	REP_PID=$!
	exec 7>"$TEST_TMP/in"
}
# shellcheck disable=SC2317 # called from ask
nlines() { wc -l <"$TEST_TMP/rep"; }
# shellcheck disable=SC2317 # run by wait_for
has_lines() { [ "$(nlines)" -ge "$1" ]; }
# shellcheck disable=SC2317 # run by check_out
ask() {
	local n
	n=$(($(nlines) + 1))
	echo >&7 && wait_for 20 has_lines "$n" && sed -n "${n}p" "$TEST_TMP/rep"
}
# A request on a connection the server ended: "closed" whether dp_tool
# read the end (EOF, reset) or its write hit the reset first (EPIPE).
# shellcheck disable=SC2317 # run by check_out
ask_closed() {
	ask | sed -E 's/^local-error (Broken pipe|Connection reset by peer)$/closed/'
}
close_session() {
	exec 7>&-
	wait "$REP_PID" 2>/dev/null
}

check "user add bob (key k1)" na p2pctl user add bob --pubkey "$DP_KEYS/k1.pub"
dp_serve "export docs to bob:ro" "$docs" --user bob:ro
check "no connection left by the probe" wait_for 10 no_conns

# ---- user del ends the session at once
open_session k1
check_out "del: the open session works" "ok 1 6 0644" ask
check "del: bob's session is listed" bob_conns_is 1
check "del: user del bob" na p2pctl user del bob
check "del: bob's connection ends at once (no request needed)" wait_for 10 no_conns
check_out "del: the old session is closed" "closed" ask_closed
close_session

# ---- del + add of bob with a new key
check "del+add: user add bob (key k1)" na p2pctl user add bob --pubkey "$DP_KEYS/k1.pub"
check "del+add: grant docs bob ro" na p2pctl grant docs bob ro
open_session k1
check_out "del+add: the k1 session works" "ok 1 6 0644" ask
na p2pctl user del bob
na p2pctl user add bob --pubkey "$DP_KEYS/k2.pub"
na p2pctl grant docs bob ro
check "del+add: the k1 connection is gone" wait_for 10 no_conns
check_out "del+add: the k1 session does not see the new bob's grant" "closed" ask_closed
close_session
check "del+add: the new key works" stat_as k2 hello.txt
check_fail "del+add: the old key is refused" 'authentication failed for user "bob"' \
	stat_as k1 hello.txt

# ---- user set with a new key
open_session k2
check_out "set key: the k2 session works" "ok 1 6 0644" ask
check "set key: user set bob --pubkey k3" na p2pctl user set bob --pubkey "$DP_KEYS/k3.pub"
check "set key: the k2 connection ends at once" wait_for 10 no_conns
check_out "set key: the k2 session is closed" "closed" ask_closed
close_session
check "set key: the new key works" stat_as k3 hello.txt
check_fail "set key: the old key is refused" 'authentication failed for user "bob"' \
	stat_as k2 hello.txt
check_out "set key: the grant stayed with bob" "bob ro" \
	sh -c "nsenter --net=/run/netns/a p2pctl show -j | python3 -c \"import json,sys; g=json.load(sys.stdin)['exports'][0]['grants']; print(*[x['user'] + ' ' + x['mode'] for x in g])\""
check_fail "set: an unknown user" 'user "nobob" unknown' \
	na p2pctl user set nobob --pubkey "$DP_KEYS/k3.pub"
check_fail "set: nothing to change" 'set needs --pubkey, --uid or --gid' \
	na p2pctl user set bob

# ---- user set with new ids
check "set ids: grant docs bob rw" na p2pctl grant docs bob rw
open_session k3
check_out "set ids: the session as 65534 works" "ok 1 6 0644" ask
check "set ids: user set bob --uid 1234 --gid 1235" na p2pctl user set bob --uid 1234 --gid 1235
check "set ids: the connection as the old ids ends at once" wait_for 10 no_conns
check_out "set ids: the old session is closed" "closed" ask_closed
close_session
check "set ids: put as bob" nb p2pctl put "$DP_DL/local.txt" "$(dp_url bob docs/up/ids.txt)" \
	--key-file "$DP_KEYS/k3.key"
check_out "set ids: the new file is owned by 1234:1235" "1234:1235" stat -c %u:%g "$up/ids.txt"
check_out "set ids: show has the new ids" "1234 1235" \
	sh -c "nsenter --net=/run/netns/a p2pctl show -j | python3 -c \"import json,sys; u=json.load(sys.stdin)['users'][0]; print(u['uid'], u['gid'])\""
rm -f "$up/ids.txt"

# ---- a revoke, then a downgrade, during an upload onto target.txt, by
# carol.  putstep sends 1 MiB, says "sent" and, on a line, the last 64 KiB
# (small: the server drains it after its ERROR, so the client reads that).
check "upload: user add carol" dp_user carol
check "upload: grant docs carol rw" na p2pctl grant docs carol rw
upload_cut() {
	local desc=$1 put_in
	shift
	coproc PUT { nsenter --net=/run/netns/b "$DP_TOOL" putstep "$DP_A" "$DP_PORT" \
		carol "$DP_KEYS/carol.key" docs w/target.txt 1114112 1048576 2>/dev/null; }
	read -r -t 20 line <&"${PUT[0]}"
	check_eq "$desc: the first MiB is sent" "$line" "sent"
	check "$desc: the upload is in progress" \
		wait_for 10 grep -qx 'conns 1 uploads 1' "$params/conn_objects"
	check "$desc: $*" na p2pctl "$@"
	echo >&"${PUT[1]}"
	read -r -t 20 line <&"${PUT[0]}"
	check_eq "$desc: the upload is refused with EACCES" "$line" "EACCES"
	put_in=${PUT[1]}
	exec {put_in}>&-
	wait "$PUT_PID" 2>/dev/null
	check "$desc: no upload and no connection left" wait_for 10 no_conns
	check_eq "$desc: the target is unchanged" "$(sha "$w/target.txt")" "$target_sha"
	check_out "$desc: no temporary file is left" "target.txt" ls -A "$w"
}
upload_cut "revoke" revoke docs carol
check "grant docs carol rw again" na p2pctl grant docs carol rw
upload_cut "downgrade" grant docs carol ro

check_out "no user object outlives its connections" "users 2" \
	sh -c "cut -d' ' -f1,2 $params/objects"
dp_done
