#!/bin/bash
# Generic tools drive the family: genl-ctrl-list shows it, and the kernel's
# ynl client, given only docs/netlink.yaml, dumps, adds and is refused.
. "$(dirname "$0")/fixture.sh"
dp_setup_here

hex() { base64 -d | od -An -tx1 | tr -d ' \n'; }

check "genl-ctrl-list lists the family" bash -c 'genl-ctrl-list | grep -q "p2pshare version 1"'
genl-ctrl-list -d > ctrl.txt 2>&1
check_out "genl-ctrl-list -d: 16 admin-only operations" "16" \
	bash -c 'sed -n "/p2pshare/,/grp/p" ctrl.txt | grep -c "op .*admin_perm"'
check "genl-ctrl-list -d: the events group" grep -q "grp events" ctrl.txt

p2pctl genkey > a.key
mkdir -p srv/music
# shellcheck disable=SC2016 # expanded by the inner shell
check "p2pctl sets up a user and an export" bash -c \
	'p2pctl user add alice --pubkey "$(p2pctl pubkey < a.key)" && p2pctl export srv/music --user alice'
check_out "ynl --dump conn-get: no connection" "[]" ynl --dump conn-get
check "ynl --dump export-get" bash -c "ynl --dump export-get > dump.txt"
check "dump names the export and its path" bash -c \
	"grep -q \"'export-name': 'music'\" dump.txt && grep -q \"'export-path': '$TEST_TMP/srv/music'\" dump.txt"
key=$(p2pctl pubkey < a.key | hex)
check "ynl --do user-new" ynl --do user-new --json "{\"user-name\": \"yuser\", \"user-pubkey\": \"$key\", \"user-uid\": 1000}"
check_out "p2pctl sees the user ynl added" "yuser 1000" bash -c \
	"p2pctl show -j | python3 -c 'import json,sys; print(*[u[\"name\"]+\" \"+str(u[\"uid\"]) for u in json.load(sys.stdin)[\"users\"] if u[\"name\"]==\"yuser\"])'"
check "ynl --do grant-set with an enum mode" ynl --do grant-set \
	--json '{"export-name": "music", "user-name": "yuser", "grant-mode": "rw"}'
check "ynl --dump grant-get filtered by user" bash -c \
	"ynl --dump grant-get --json '{\"user-name\": \"yuser\"}' > g.txt && grep -q \"'grant-mode': 'rw'\" g.txt && ! grep -q alice g.txt"
check "ynl --do user-set of the uid" ynl --do user-set --json '{"user-name": "yuser", "user-uid": 1001}'
check_out "p2pctl sees the new uid, the grant stayed" "yuser 1001 rw" bash -c \
	"p2pctl show -j | python3 -c 'import json,sys; s=json.load(sys.stdin); print(*[u[\"name\"]+\" \"+str(u[\"uid\"]) for u in s[\"users\"] if u[\"name\"]==\"yuser\"], *[g[\"mode\"] for e in s[\"exports\"] for g in e[\"grants\"] if g[\"user\"]==\"yuser\"])'"
check "ynl --do user-get" bash -c "ynl --do user-get --json '{\"user-name\": \"alice\"}' | grep -q \"'user-uid': 65534\""
check "ynl --do status-get" bash -c "ynl --do status-get | grep -q \"'listen-port': 7437\""
mkdir -p srv/docs
check "ynl --do export-new with a directory fd" bash -c \
	"exec 3< srv/docs; ynl --do export-new --json '{\"export-name\": \"docs\", \"export-fd\": 3, \"grant\": [{\"user\": \"yuser\", \"mode\": \"ro\"}]}'"
check_out "the export ynl made, with its grant" "$TEST_TMP/srv/docs yuser:ro" bash -c \
	"p2pctl show -j | python3 -c 'import json,sys; e=[e for e in json.load(sys.stdin)[\"exports\"] if e[\"name\"]==\"docs\"][0]; print(e[\"path\"], *[g[\"user\"]+\":\"+g[\"mode\"] for g in e[\"grants\"]])'"
zero=$(printf '%064d' 0)
check "ynl refusal carries the extack message" bash -c \
	"! ynl --do user-new --json '{\"user-name\": \"z\", \"user-pubkey\": \"$zero\"}' > z.txt 2>&1 && grep -q 'public key is all zeros' z.txt"
check "ynl: unknown export" bash -c \
	"! ynl --do export-del --json '{\"export-name\": \"nope\"}' > n.txt 2>&1 && grep -q 'export \"nope\" unknown' n.txt"
check "ynl --do export-del" ynl --do export-del --json '{"export-name": "docs"}'
check "ynl --do limits-set" ynl --do limits-set --json '{"limit-max-conns": 17, "limit-idle-timeout": 42}'
check "ynl --do status-get reports the limits" bash -c "ynl --do status-get >st.txt &&
	grep -q \"'limit-max-conns': 17\" st.txt && grep -q \"'limit-idle-timeout': 42\" st.txt &&
	grep -q \"'limit-max-user-conns': 128\" st.txt && grep -q \"'limit-auth-burst': 10\" st.txt"
check "ynl: limits-set out of range carries the range" bash -c \
	"! ynl --do limits-set --json '{\"limit-auth-burst\": 1000001}' >r.txt 2>&1 && grep -q 'auth_burst 1000001 out of range: 0-1000000' r.txt"
check "ynl: limits-set of nothing is refused" bash -c \
	"! ynl --do limits-set --json '{}' >e.txt 2>&1 && grep -q 'no limit given: max_conns, max_user_conns, auth_burst or idle_timeout' e.txt"
check "kernel log is clean" kernel_log_clean
tap_done
