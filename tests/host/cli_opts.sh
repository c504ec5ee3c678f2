#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# p2pctl's command line, on the host (no module, no peer): p2pctl --help lists
# every command with a one-line summary; every command's --help and -h work;
# one getopt_long parser: --opt=VALUE as --opt VALUE, -oVALUE, combined flags,
# options after operands, -- ends them, no abbreviations, one-line usage
# errors naming the token.  Each case fails before netlink or the network;
# the guest tests (cp_admin, dp_*) run the same forms against the module.
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

make -s p2pctl >/dev/null 2>&1
cd "$TEST_TMP" || exit 1
URL=p2p://alice@198.18.0.1/music/a.flac

# ---- help
p2pctl --help >help.out 2>&1
check "p2pctl --help exits 0" test $? = 0
commands=$(sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' help.out)
check_eq "p2pctl --help lists every command, in order" "$(echo "$commands" | paste -sd' ')" \
	"genkey pubkey user export unexport grant revoke listen limits hostkey show apply save load monitor announce discover ls stat hash get put version"
check_eq "each with a one-line summary of 3+ words, within 80 columns" \
	"$(sed -n '/^Commands:/,/^$/{/^  [a-z]/p}' help.out |
	   awk 'NF < 4 || length($0) > 80')" ""
check_out "p2pctl help is p2pctl --help" "$(cat help.out)" p2pctl help
check_out "p2pctl -h is p2pctl --help" "$(cat help.out)" p2pctl -h
p2pctl >noargs.out 2>&1
check "p2pctl without arguments exits 1" test $? = 1
check "and prints the same list (on stderr)" cmp noargs.out help.out
check_fail "unknown command" 'unknown command "frob" (try' p2pctl frob
check_fail "unknown top-level option" 'unknown option "--frob" (try' p2pctl --frob
check_fail "help of an unknown command" 'unknown command "frob"' p2pctl help frob
bad=''
for c in $commands; do
	out=$(p2pctl "$c" --help) && [[ $out == "usage: p2pctl $c"* ]] &&
		[[ $out == *"Exit status"* ]] && [ "$(p2pctl "$c" -h)" = "$out" ] &&
		[ "$(p2pctl help "$c")" = "$out" ] || bad+=" $c"
done
check_eq "every command: --help, -h and help CMD print its usage and help" "$bad" ""
check_out "user add --help: the sub-command's parser takes it" \
	"usage: p2pctl user add USER" sh -c 'p2pctl user add --help | head -1 | cut -c1-27'
check_out "--help after operands" "usage: p2pctl get" \
	sh -c "p2pctl get $URL -o x --help | head -1 | cut -c1-17"

# ---- --opt=VALUE is --opt VALUE
p2pctl genkey >alice.key
pub=$(p2pctl pubkey <alice.key)
for form in "--pubkey=AAAA" "--pubkey AAAA"; do
	# shellcheck disable=SC2086 # two words on purpose
	check_fail "user add $form" 'invalid public key "AAAA": wrong length' \
		p2pctl user add carol $form
done
check_fail "user add --uid=x1" 'invalid uid "x1"' p2pctl user add carol --pubkey="$pub" --uid=x1
check_fail "user set --gid=4294967295" 'invalid gid "4294967295"' \
	p2pctl user set carol --gid=4294967295
check_fail "user add --pubkey without its value" "--pubkey needs a value" \
	p2pctl user add carol --pubkey
mkdir srv
check_fail "export --name=a/b" 'invalid export name "a/b"' p2pctl export srv --name=a/b
check_fail "export --user=alice:rx" 'invalid --user "alice:rx"' p2pctl export srv --user=alice:rx
check_fail "export -- --name: an operand" 'cannot export "--name": No such file' \
	p2pctl export -- --name
check_fail "listen --cipher=rot13" 'unknown cipher "rot13" in --cipher' p2pctl listen --cipher=rot13
check_fail "listen :1 --cipher rot13 (option after the operand)" 'unknown cipher "rot13"' \
	p2pctl listen :1 --cipher rot13
for form in "--key-file=nokey" "--key-file nokey"; do
	# shellcheck disable=SC2086
	check_fail "ls $form" 'cannot read key file "nokey": No such file' p2pctl ls $URL $form
done
check_fail "stat --host-key=AAAA" "--host-key" \
	p2pctl stat "$URL" --key-file=alice.key --host-key=AAAA
check_fail "get --cipher=rot13" 'unknown cipher "rot13" in --cipher' \
	p2pctl get --cipher=rot13 --key-file=alice.key "$URL"

# ---- short options: combined, attached values
check_fail "get -rc: combined flags" "-c cannot be used with -r" p2pctl get -rc "$URL"
check_fail "get -co-: -c, then -o with an attached value" "-c cannot resume standard output" \
	p2pctl get -co- "$URL"
check_fail "get -o at the end" "get: -o needs a value" p2pctl get "$URL" -o
check_fail "ls -jz: the unknown letter is named" 'ls: unknown option "-z" (usage: p2pctl ls' \
	p2pctl ls -jz "$URL"

# ---- refusals: exact names, one line naming the token
check_fail "show --bogus" 'show: unknown option "--bogus" (usage: p2pctl show' p2pctl show --bogus
check_fail "no abbreviation: show --js" 'unknown option "--js"' p2pctl show --js
check_fail "no abbreviation: get --key-f=x" 'unknown option "--key-f=x"' p2pctl get --key-f=x "$URL"
check_fail "no abbreviation even at the end: user add --pub" 'unknown option "--pub"' \
	p2pctl user add carol --pub
check_fail "show --json=1" "--json takes no value" p2pctl show --json=1
check_fail "user add --shell" 'unknown option "--shell"' p2pctl user add carol --pubkey="$pub" --shell x
check_fail "user mod: unknown sub-command" 'unknown argument "mod"' p2pctl user mod alice
check_fail "genkey x" 'unexpected argument "x"' p2pctl genkey x
check_fail "get -- -x: an operand, not an option" 'invalid URL "-x"' p2pctl get -- -x
check_fail "put: missing URL" "missing URL" p2pctl put local
check_fail "limits set max_conns" "max_conns needs a value" p2pctl limits set max_conns

# ---- messages escape what they quote
check_fail "a control character in a quoted name is escaped" \
	'cannot export "a\x1b[31mb\x0ac\\d\xff": No such file' \
	p2pctl export "$(printf 'a\033[31mb\nc\\d\377')"
tap_done
