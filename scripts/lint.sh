#!/bin/bash
# make lint: the kernel's checkpatch.pl on kmod/, shellcheck on scripts/ and
# tests/, and the cycles between the files of kmod/ and of userspace/
# (scripts/cycles.py).  docs/LINT.md says what each checks and lists the
# checkpatch warnings that stay, each with its reason.
#
#   scripts/lint.sh KVER    (make lint first builds the objects it reads)
#
# LINT_CYCLES=warn (default) prints the cycles; LINT_CYCLES=fail fails on one.
# LINUX_SOURCE_TAR: where checkpatch.pl comes from (linux-source-6.12).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
kver=${1:?usage: scripts/lint.sh KVER}
cycles=${LINT_CYCLES:-warn}
src_tar=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.12.tar.xz}
cp_dir=build/checkpatch
list=docs/LINT.md
jobs=$(nproc)
rc=0

say() { printf 'lint: %s\n' "$*"; }

# checkpatch.pl and the data files it reads, once per source tarball.
checkpatch_extract() {
	local stamp
	[ -r "$src_tar" ] || { say "no $src_tar: run make deps"; return 1; }
	stamp=$cp_dir/.from-$(stat -c %Y "$src_tar")
	[ -e "$stamp" ] && return 0
	rm -rf "$cp_dir"
	mkdir -p "$cp_dir"
	tar -C "$cp_dir" -xJf "$src_tar" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' && touch "$stamp"
}

# "TYPE FILE" for each row of the checkpatch table in docs/LINT.md:
# | TYPE | kmod/a.c, kmod/b.h | reason |
explained() {
	awk -F'|' '/^\| *[A-Z][A-Z0-9_]+ *\|/ {
		gsub(/ /, "", $2); n = split($3, f, ",")
		for (i = 1; i <= n; i++) { gsub(/[ `]/, "", f[i]); print $2, f[i] }
	}' "$list"
}

checkpatch() {
	local out line file type errors=0 bad=0 ok
	checkpatch_extract || return 1
	out=$(printf '%s\n' kmod/*.[ch] kmod/uapi/*.h |
		xargs -P "$jobs" -n 4 perl "$cp_dir/scripts/checkpatch.pl" --no-tree --file \
			--terse --show-types --no-summary | sort -t: -k1,1 -k2,2n)
	ok=$(explained)
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		file=${line%%:*}
		type=$(sed -n 's/^[^ ]* \(ERROR\|WARNING\|CHECK\):\([A-Z0-9_]*\):.*/\1 \2/p' <<<"$line")
		case $type in
		ERROR\ *)
			echo "$line"
			errors=$((errors + 1))
			;;
		*)
			if ! grep -qxF "${type#* } $file" <<<"$ok"; then
				echo "$line  (not in $list)"
				bad=$((bad + 1))
			fi
			;;
		esac
	done <<<"$out"
	# A row that no warning matches any more is stale: say so.
	while read -r type file; do
		grep -q "^$file:[0-9]*: [A-Z]*:$type:" <<<"$out" ||
			say "note: $list lists $type in $file, which checkpatch no longer reports"
	done <<<"$ok"
	say "checkpatch: $(grep -c . <<<"$out") findings, $errors errors, $bad warnings not explained in $list"
	[ "$errors" = 0 ] && [ "$bad" = 0 ]
}

# Shell scripts: *.sh, and files whose first line names a shell.
shell_files() {
	local f
	{ git ls-files --cached --others --exclude-standard -- scripts tests 2>/dev/null ||
		find scripts tests -type f; } | sort -u |
	while IFS= read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh) echo "$f" ;;
		*) head -n1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && echo "$f" ;;
		esac
	done
}

shellcheck_all() {
	local files out
	command -v shellcheck >/dev/null || { say "no shellcheck: run make deps"; return 1; }
	mapfile -t files < <(shell_files)
	out=$(printf '%s\n' "${files[@]}" | xargs -P "$jobs" -n 8 shellcheck -f gcc | sort)
	[ -z "$out" ] || echo "$out"
	say "shellcheck: ${#files[@]} scripts, $(grep -c . <<<"$out") findings"
	[ -z "$out" ]
}

cycles_all() {
	scripts/cycles.py --objs kmod="build/$kver" --objs userspace=build/lint && return 0
	if [ "$cycles" = fail ]; then
		say "cycles: found (LINT_CYCLES=fail)"
		return 1
	fi
	say "cycles: found; not an error while LINT_CYCLES=$cycles"
}

start=$(date +%s)
checkpatch || rc=1
say "checkpatch: $(($(date +%s) - start)) s"
start=$(date +%s)
shellcheck_all || rc=1
say "shellcheck: $(($(date +%s) - start)) s"
start=$(date +%s)
cycles_all || rc=1
say "cycles: $(($(date +%s) - start)) s"
if [ "$rc" = 0 ]; then
	say "ok"
else
	say "FAILED"
fi
exit "$rc"
