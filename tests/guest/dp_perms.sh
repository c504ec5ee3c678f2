#!/bin/bash
# The permission matrix: users with no grant, a read-only grant and a
# read-write grant, times every operation (list of exports, ls of a
# directory, stat, get, put), each with its exact outcome. Without a grant
# the export does not exist for the user (ENOENT "no such export", the same
# answer as for a missing export); read-only refuses put ("read-only
# access"); read-write allows everything. Grant changes apply to the next
# request, on new connections and on one that stays open; deleting the
# user ends its open connection.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
mkdir -p "$docs/up" "$DP_SRV/hidden"
echo hello >"$docs/hello.txt"
echo local >"$DP_DL/local.txt"
chown 65534:65534 "$docs/up"
for u in nog ro rw; do dp_user "$u"; done
check "export docs (ro: ro, rw: rw, nog: none)" \
	na p2pctl export "$docs" --user ro:ro --user rw:rw
dp_serve "export hidden to nobody" "$DP_SRV/hidden"

noexp="no such export (ENOENT)"
# shellcheck disable=SC2317 # run by check
ls_has_hello() { pls "$1" docs | grep -q ' hello.txt$'; }

# no grant
check_out "no grant: list of exports is empty" "" pls nog ""
check_fail "no grant: ls docs" "$noexp" pls nog docs
check_fail "no grant: stat docs/hello.txt" "$noexp" pstat nog docs/hello.txt
check_fail "no grant: get docs/hello.txt" "$noexp" pget nog docs/hello.txt -o -
check_fail "no grant: put docs/up/nog.txt" "$noexp" pput "$DP_DL/local.txt" nog docs/up/nog.txt
pls nog docs 2>"$TEST_TMP/e1"
pls nog nope 2>"$TEST_TMP/e2"
check_eq "no grant: the same answer as an export that does not exist" \
	"$(sed 's/"docs"/"X"/' "$TEST_TMP/e1")" "$(sed 's/"nope"/"X"/' "$TEST_TMP/e2")"

# read-only
check_out "ro: list of exports" "ro  docs" pls ro ""
check "ro: ls docs" ls_has_hello ro
check "ro: stat docs/hello.txt" pstat ro docs/hello.txt
check_out "ro: get docs/hello.txt" "hello" pget ro docs/hello.txt -o -
check_fail "ro: put docs/up/ro.txt" "read-only access (EACCES)" \
	pput "$DP_DL/local.txt" ro docs/up/ro.txt
check "ro: the refused put left nothing" sh -c "! ls -A '$docs/up' | grep -q ."

# read-write
check_out "rw: list of exports" "rw  docs" pls rw ""
check "rw: ls docs" ls_has_hello rw
check "rw: stat docs/hello.txt" pstat rw docs/hello.txt
check_out "rw: get docs/hello.txt" "hello" pget rw docs/hello.txt -o -
check "rw: put docs/up/rw.txt" pput "$DP_DL/local.txt" rw docs/up/rw.txt
check_out "rw: the put arrived" "local" cat "$docs/up/rw.txt"

# grant changes, new connections
check "grant docs nog ro" na p2pctl grant docs nog ro
check_out "after grant ro: get works" "hello" pget nog docs/hello.txt -o -
check_fail "after grant ro: put refused" "read-only access (EACCES)" \
	pput "$DP_DL/local.txt" nog docs/up/nog.txt
check "grant docs nog rw" na p2pctl grant docs nog rw
check "after grant rw: put works" pput "$DP_DL/local.txt" nog docs/up/nog.txt
check "revoke docs nog" na p2pctl revoke docs nog
check_fail "after revoke: get refused" "$noexp" pget nog docs/hello.txt -o -
check_out "after revoke: list of exports is empty" "" pls nog ""

# grant changes on one open connection: a STAT per line sent
check "grant docs nog ro again" na p2pctl grant docs nog ro
coproc REP { dpt repeat nog docs hello.txt 2>/dev/null; }
# shellcheck disable=SC2317 # run by check_out
ask() { echo >&"${REP[1]}" && read -r -t 20 line <&"${REP[0]}" && echo "$line"; }
check_out "open connection: stat works" "ok 1 6 0644" ask
na p2pctl revoke docs nog
check_out "open connection: after revoke, the next request is refused" "ENOENT" ask
na p2pctl grant docs nog ro
check_out "open connection: after grant, the next request works" "ok 1 6 0644" ask
na p2pctl user del nog
# The server ended it: dp_tool reads the end, or its write meets the reset.
# shellcheck disable=SC2317 # run by check_out
ask_closed() {
	echo >&"${REP[1]}" && read -r -t 20 line <&"${REP[0]}" || return 1
	case $line in
	"local-error Broken pipe" | "local-error Connection reset by peer") line=closed ;;
	esac
	echo "$line"
}
check_out "open connection: after user del, the connection is closed" "closed" ask_closed
rep_in=${REP[1]}
exec {rep_in}>&-
wait "$REP_PID" 2>/dev/null
dp_done
