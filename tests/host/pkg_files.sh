#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What the packages install, checked on the host: man pages lint clean and agree
# with `p2pctl --help`, the bash completion knows every command and option and
# completes names from `p2pctl export list` and `user list`, `make install
# DESTDIR=` stages exactly the expected files and `make uninstall` removes them, the unit passes
# `systemd-analyze verify`, and the versions agree.
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

make -s p2pctl >/dev/null 2>&1
P2PCTL=$P2P_ROOT/userspace/p2pctl

# ---- man pages
for page in man/p2pctl.8 man/p2pshare.7 man/p2pshare.conf.5; do
	check "$page: mandoc -T lint -W warning is clean" \
		sh -c "mandoc -T lint -W warning $page && test -z \"\$(mandoc -T lint -W warning $page)\""
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>"$TEST_TMP/manwarn"
	check "$page: man --warnings -l renders without warnings" test ! -s "$TEST_TMP/manwarn"
	_tap_diag <"$TEST_TMP/manwarn"
done

commands=$("$P2PCTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\).*/\1/p')
check "p2pctl --help lists commands" test -n "$commands"
missing=
for c in $commands; do
	grep -qE "^\.(Cm|It Cm) $c( |$)" man/p2pctl.8 || missing+=" $c"
done
check_eq "every command of p2pctl --help is in p2pctl(8)" "$missing" ""

# Long options and -x flags of each command's usage line, in the page (as rendered)
# and the completion.
MANWIDTH=200 mandoc -T ascii man/p2pctl.8 | col -b >"$TEST_TMP/p2pctl.txt"
missing='' missing_comp=''
for c in $commands; do
	usage=$("$P2PCTL" "$c" --help | head -n1)
	for o in $(grep -oE '(^| |\[|\|)--?[a-z][a-z-]*' <<<"$usage" | tr -d ' [|' | sort -u); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$TEST_TMP/p2pctl.txt" || missing+=" $c:$o"
		grep -qF -- "$o" completion/p2pctl || missing_comp+=" $c:$o"
	done
done
check_eq "every option of every usage line is in p2pctl(8)" "$missing" ""
check_eq "every option of every usage line is in the completion" "$missing_comp" ""

# ---- bash completion, against a p2pctl that answers user list and export list
check "completion parses" bash -n completion/p2pctl
mkdir -p "$TEST_TMP/bin"
cat >"$TEST_TMP/bin/p2pctl" <<'EOF'
#!/bin/sh
case "$1 $2" in
"export list") printf 'music\nphotos\n' ;;
"user list") printf 'alice\nbob\n' ;;
*) exit 1 ;;
esac
EOF
chmod +x "$TEST_TMP/bin/p2pctl"
cat >"$TEST_TMP/complete.sh" <<'EOF'
. /usr/share/bash-completion/bash_completion
. completion/p2pctl
# complete WORD...: the last word is the one being completed.
complete() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_p2pctl p2pctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	echo "${COMPREPLY[*]}"
}
"$@"
EOF
comp() { PATH=$TEST_TMP/bin:$PATH bash "$TEST_TMP/complete.sh" complete p2pctl "$@" 2>&1; }

all=$(comp "")
missing=
for c in $commands; do
	[[ " $all " == *" $c "* ]] || missing+=" $c"
done
check_eq "completion offers every command of p2pctl --help" "$missing" ""
check_out "p2pctl ex<TAB>" "export" comp ex
check_out "p2pctl unexport <TAB>: exports from export list" "music photos" comp unexport ""
check_out "p2pctl grant music <TAB>: users" "alice bob" comp grant music ""
check_out "p2pctl grant music bob <TAB>" "ro rw" comp grant music bob ""
check_out "p2pctl revoke ph<TAB>" "photos" comp revoke ph
check_out "p2pctl user del <TAB>" "alice bob" comp user del ""
check_out "p2pctl user add carol --<TAB>" "--pubkey --uid --gid --help" comp user add carol --
check_out "p2pctl export /srv --user al<TAB>" "alice alice:ro alice:rw" comp export /srv --user al
check_out "p2pctl get -<TAB>" "-o -c --continue --verify -r --recursive --peer --key-file --host-key --trust-discovered --cipher --help" comp get -
check_out "p2pctl get p2<TAB>" "p2p://" comp get p2
check_out "p2pctl show -<TAB>" "-j --json --help" comp show -
check_out "p2pctl revoke -- ph<TAB>: after --, operands" "photos" comp revoke -- ph
check_out "p2pctl get -- -<TAB>: no option after --" "" comp get -- -
check_out "p2pctl apply -<TAB>" "-n --dry-run --help" comp apply -

# ---- make install / uninstall into a staging directory
stage=$TEST_TMP/stage
check "make install DESTDIR= PREFIX=/usr" \
	make -s install DESTDIR="$stage" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
version=$(sed -n 's/^#define P2P_MODULE_VERSION "\(.*\)"/\1/p' kmod/version.h)
want=$( {
	printf '%s\n' /usr/bin/p2pctl /usr/share/man/man8/p2pctl.8 /usr/share/man/man7/p2pshare.7 \
		/usr/share/man/man5/p2pshare.conf.5 \
		/usr/share/bash-completion/completions/p2pctl /lib/systemd/system/p2pshare.service \
		"/usr/src/p2pshare-$version/dkms.conf" "/usr/src/p2pshare-$version/Kbuild"
	(find kmod -name '*.[ch]' ! -name '*.mod.c'; echo kmod/Kbuild) | sed "s|^|/usr/src/p2pshare-$version/|"
} | sort)
check_eq "make install stages exactly the expected files" \
	"$(cd "$stage" && find . -type f | sed 's/^\.//' | sort)" "$want"
check_eq "p2pctl is 0755, the unit 0644" \
	"$(stat -c %a "$stage/usr/bin/p2pctl" "$stage/lib/systemd/system/p2pshare.service" | tr '\n' ' ')" \
	"755 644 "
check "dkms.conf carries the module's version" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$stage/usr/src/p2pshare-$version/dkms.conf"
check "the installed unit runs the installed p2pctl" \
	sh -c "! grep -v '^#' '$stage/lib/systemd/system/p2pshare.service' | grep -q p2pctl ||
	       grep -q 'ExecReload=/usr/bin/p2pctl apply' '$stage/lib/systemd/system/p2pshare.service'"

# systemd-analyze verify checks the executables and man pages exist: point the
# unit at the staged p2pctl and MANPATH at the staged pages.
mkdir -p "$TEST_TMP/unit"
sed "s|/usr/bin/p2pctl|$stage/usr/bin/p2pctl|g" "$stage/lib/systemd/system/p2pshare.service" \
	>"$TEST_TMP/unit/p2pshare.service"
check "systemd-analyze verify p2pshare.service" \
	env MANPATH="$stage/usr/share/man" SYSTEMD_LOG_LEVEL=notice \
	sh -c "out=\$(systemd-analyze verify '$TEST_TMP/unit/p2pshare.service' 2>&1); rc=\$?;
	       printf '%s\n' \"\$out\"; [ \$rc = 0 ] && [ -z \"\$out\" ]"

prefix_stage=$TEST_TMP/local
make -s install DESTDIR="$prefix_stage" >/dev/null 2>&1
check "default PREFIX=/usr/local: unit points at /usr/local/bin/p2pctl" \
	grep -q 'ExecReload=/usr/local/bin/p2pctl apply' \
	"$prefix_stage/usr/local/lib/systemd/system/p2pshare.service"

check "make uninstall DESTDIR= PREFIX=/usr" \
	make -s uninstall DESTDIR="$stage" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
check_eq "make uninstall leaves no file" "$(find "$stage" -type f)" ""
make -s uninstall DESTDIR="$prefix_stage" >/dev/null 2>&1
check_eq "make uninstall (default PREFIX) leaves no file" "$(find "$prefix_stage" -type f)" ""

# ---- versions
check_eq "p2pctl version = module version" \
	"$(sed -n 's/^#define P2PCTL_VERSION "\(.*\)"/\1/p' userspace/p2pctl.h)" "$version"
check_eq "debian/changelog version = module version" \
	"$(dpkg-parsechangelog -l debian/changelog -SVersion)" "$version"
tap_done
