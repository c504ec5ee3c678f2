#!/bin/bash
# A directory of 10 000 entries (files, directories, symlinks; names of 7
# to 157 bytes): p2pctl ls lists exactly those names, which takes READDIR
# continued across many pieces; dp_tool counts the pieces.
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
big=$docs/big
mkdir -p "$big"
awk 'BEGIN { pad = sprintf("%0150d", 0)
	for (i = 0; i < 9990; i++) printf "n%05d_%s\n", i, substr(pad, 1, i % 151) }' \
	>"$TEST_TMP/names"
(cd "$big" && xargs -d '\n' touch <"$TEST_TMP/names" &&
	mkdir d1 d2 d3 d4 d5 && ln -s d1 l1 && ln -s d2 l2 && ln -s n00001_0 l3 &&
	ln -s /etc l4 && ln -s nowhere l5)
find "$big" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort >"$TEST_TMP/want"
check_out "10 000 entries on host A's disk" "10000" wc -l <"$TEST_TMP/want"

dp_user alice
dp_serve "export docs to alice" "$docs" --user alice

pls alice docs/big >"$TEST_TMP/ls" 2>"$TEST_TMP/err"
check_eq "p2pctl ls succeeds" "$?" 0
awk '{ print $NF }' "$TEST_TMP/ls" >"$TEST_TMP/got"
check_out "p2pctl ls lists 10 000 entries" "10000" wc -l <"$TEST_TMP/got"
check "p2pctl ls lists exactly the names on disk" cmp -s "$TEST_TMP/got" "$TEST_TMP/want"
check "p2pctl ls sorts by name" env LC_ALL=C sort -c "$TEST_TMP/got"
check_out "5 directories, listed as d" "5" grep -c '^d' "$TEST_TMP/ls"
check_out "5 symlinks, listed as l and not followed" "5" grep -c '^l' "$TEST_TMP/ls"
# shellcheck disable=SC2317 # run by check_out
pieces() { dpt readdir alice docs big "$@" | awk '$1 == "ok" && $2 == 10000 && $3 > 1 { print "ok" }'; }
check_out "READDIR with no entry limit: 10 000 entries in several pieces" "ok" pieces
check_out "READDIR with at most 100 entries a reply: exactly 100 pieces" "ok 10000 100" \
	dpt readdir alice docs big 100
dp_done
