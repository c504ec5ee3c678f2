#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# File names that are not text: invalid UTF-8 (a lone byte, an overlong '/',
# an encoded surrogate), a newline, an escape sequence, a backslash.
# p2pctl ls -j, stat -j and show -j stay valid JSON whose strings give the
# exact bytes back (surrogateescape); plain output and messages escape them
# (\xNN, \\), one line per entry, no control byte on the terminal; each name
# as ls prints it, written into the URL as p2pctl(8) says (\xNN as %NN, \\
# as %5C), fetches that very file; get -r brings them all back.
. "$(dirname "$0")/fixture.sh"
dp_setup
dp_user alice

docs=$DP_SRV/docs
mkdir -p "$docs"
# name (printf format)      how ls prints it
cat >"$TEST_TMP/names" <<'EOF'
bad\377\376		bad\xff\xfe
line\nfake		line\x0afake
esc\033[31mred		esc\x1b[31mred
back\\slash		back\\slash
caf\303\251		café
over\300\257		over\xc0\xaf
\355\240\200sur		\xed\xa0\x80sur
EOF
n=0
while IFS=$'\t' read -r fmt _; do
	n=$((n + 1))
	# shellcheck disable=SC2059 # the format is the name
	name=$(printf "$fmt")
	head -c $((1000 * n)) /dev/urandom >"$docs/$name"
done <"$TEST_TMP/names"
check_out "7 files with such names on host A's disk" "7" \
	sh -c "find '$docs' -mindepth 1 -printf x | wc -c"
dp_serve "export docs to alice" "$docs" --user alice

# ---- ls -j: JSON, and the names decode to the bytes on disk
pls alice docs -j >"$TEST_TMP/ls.json"
check "ls -j parses as JSON" python3 -c 'import json,sys; json.load(sys.stdin)' <"$TEST_TMP/ls.json"
check "ls -j is valid UTF-8" python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' \
	<"$TEST_TMP/ls.json"
# shellcheck disable=SC2317 # run by check_out
names_match() {
	python3 -c 'import json, os, sys
d = json.load(open(sys.argv[1]))
got = sorted(e["name"].encode("utf-8", "surrogateescape") for e in d["entries"])
want = sorted(os.listdir(os.fsencode(sys.argv[2])))
print(got == want or (got, want))' "$@"
}
check_out "ls -j names, decoded with surrogateescape, are the names on disk" "True" \
	names_match "$TEST_TMP/ls.json" "$docs"
check "ls -j writes the lone byte as \\udcff" grep -qF 'bad\udcff\udcfe' "$TEST_TMP/ls.json"

# ---- plain ls: one line per entry, escaped, no control byte
pls alice docs >"$TEST_TMP/ls.txt"
check_out "plain ls: 7 lines for 7 files (no fake line)" "7" wc -l <"$TEST_TMP/ls.txt"
check "plain ls: no control byte reaches the terminal" \
	sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$TEST_TMP/ls.txt'"
bad=''
while IFS=$'\t' read -r _ shown; do
	shown=${shown#"${shown%%[! 	]*}"}
	grep -qF -- " $shown" "$TEST_TMP/ls.txt" || bad+=" [$shown]"
done <"$TEST_TMP/names"
check_eq "plain ls shows each name in its escaped form" "$bad" ""

# ---- each escaped name, as a URL, fetches that file
bad=''
i=0
while IFS= read -r line; do
	shown=${line#* * * * }	# mode size date time name
	# \xNN -> %NN, \\ -> %5C (and % -> %25 first)
	url=$(printf '%s' "$shown" | sed -e 's/%/%25/g' -e 's/\\\\/%5C/g' -e 's/\\x\(..\)/%\1/g')
	i=$((i + 1))
	if ! pget alice "docs/$url" -o "$DP_DL/f$i" 2>"$TEST_TMP/err"; then
		bad+=" [$shown: $(cat "$TEST_TMP/err")]"
		continue
	fi
	found=''
	for f in "$docs"/*; do
		cmp -s "$f" "$DP_DL/f$i" && found=1
	done
	[ -n "$found" ] || bad+=" [$shown: other bytes]"
done <"$TEST_TMP/ls.txt"
check_eq "every escaped name fetched back its own file (7 gets)" "$bad$i" "7"
check_out "the 7 gets brought 7 different files" "7" \
	sh -c "sha256sum '$DP_DL'/f? | cut -d' ' -f1 | sort -u | wc -l"

# ---- stat: JSON path gives the bytes back, plain path is one line
nl_url='docs/line%0Afake'
check_out "stat -j path decodes to the name with its newline" "True" \
	sh -c "nsenter --net=/run/netns/b p2pctl stat '$(dp_url alice "$nl_url")' \
		--key-file '$DP_KEYS/alice.key' -j | python3 -c 'import json,sys
print(json.load(sys.stdin)[\"path\"].encode(\"utf-8\", \"surrogateescape\") == b\"line\\nfake\")'"
check_out "plain stat: the path on one line, escaped" 'path:  docs/line\x0afake' \
	sh -c "nsenter --net=/run/netns/b p2pctl stat '$(dp_url alice "$nl_url")' \
		--key-file '$DP_KEYS/alice.key' | grep '^path'"

# ---- messages quote names escaped
check_fail "get of a missing name: the message escapes it" \
	'cannot get "docs/no\x1b[31mpe\xff" at' pget alice 'docs/no%1b[31mpe%ff' -o "$DP_DL/x"
check "and no escape byte reaches stderr" sh -c "! grep -q \$'\\033' '$TEST_TMP/err'"

# ---- get -r: the whole tree, byte for byte
check "get -r of the export" pget alice docs -r -o "$DP_DL/tree"
check "the tree's names and contents are those on disk" diff -r "$docs" "$DP_DL/tree"

# ---- show: an export path that is not UTF-8
weird=$DP_SRV/$(printf 'w\377\nx')
mkdir "$weird"
check "export a directory whose path is not UTF-8" na p2pctl export "$weird" --name weird
check_out "show -j: the path decodes to the bytes" "True" \
	show_j "[e for e in d['exports'] if e['name'] == 'weird'][0]['path'].encode('utf-8', 'surrogateescape') == b'$DP_SRV/w\\xff\\nx'"
check "show: the path escaped on the export's line" \
	sh -c "nsenter --net=/run/netns/a p2pctl show | grep -F '$DP_SRV/w\\xff\\x0ax' | grep -q '^  weird '"
dp_done
