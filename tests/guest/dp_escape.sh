#!/bin/bash
# Confinement: every attempt to reach a file outside the export is refused,
# with the exact error code (docs/PROTOCOL.md section 5): dot-dot in every
# position, absolute paths, NUL bytes, over-long names, symlinks of every
# kind, mount points inside the export, export-name tricks, percent-encoded
# dot-dot, and a symlink swapped in while reads run.
#
# The targets outside the export are world-readable ($DP_SRV/secret.txt,
# /etc/passwd), so Unix permissions cannot be what stops them. Hard links
# are not tested as escapes: a hard link inside the export is a name of the
# file inside the export by definition (the admin who made it shared it).
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
mkdir -p "$docs/sub" "$docs/up" "$docs/mnt" "$docs/etcbind" "$docs/proc"
echo hello >"$docs/hello.txt"
echo inner >"$docs/sub/inner.txt"
echo "TOP SECRET" >"$DP_SRV/secret.txt"
ln -s ../../.. "$docs/lnrel"
ln -s /etc "$docs/lnabs"
ln -s ../secret.txt "$docs/lnfile"
ln -s /etc/passwd "$docs/lnfileabs"
ln -s sub "$docs/lninside"
ln -s hello.txt "$docs/lnfinal"
ln -s chain2 "$docs/chain1"
ln -s chain3 "$docs/chain2"
ln -s /etc/passwd "$docs/chain3"
ln -s loop "$docs/loop"
ln -s ../.. "$docs/sub/up"
ln -s ../secret.txt "$docs/lnput"
chown 65534:65534 "$docs/up" "$docs"
mount -t tmpfs -o size=1m p2p-test "$docs/mnt" && echo mounted >"$docs/mnt/f"
mount --bind /etc "$docs/etcbind"
mount -t proc proc "$docs/proc"

dp_user alice
dp_user root0 --uid 0 --gid 0
dp_serve "export docs (alice rw, root0 ro)" "$docs" --user alice:rw --user root0

c255=$(printf 'a%.0s' {1..255})
c256=${c255}a
c200=$(printf 'b%.0s' {1..200})
p4097=$(printf "$c200/%.0s" {1..20})$(printf 'c%.0s' {1..77})
[ ${#p4097} = 4097 ] || echo "# bad test: long path has ${#p4097} bytes"

# expected|request (dp_tool batch syntax)|what is tried
attempts=$(cat <<EOF
EINVAL|read docs .. 0 1|dot-dot alone
EINVAL|read docs ../secret.txt 0 1|leading dot-dot (../secret.txt)
EINVAL|read docs ../../../../../../etc/passwd 0 1|dot-dot chain to /etc/passwd
EINVAL|read docs sub/../../secret.txt 0 1|dot-dot climbing out from a subdirectory
EINVAL|read docs sub/../hello.txt 0 1|dot-dot that would stay inside
EINVAL|readdir docs sub/..|trailing dot-dot (sub/..)
EINVAL|stat docs ..|stat of dot-dot
EINVAL|put docs ../evil 1|put to ../evil
EINVAL|read docs ./hello.txt 0 1|leading dot (./hello.txt)
EINVAL|readdir docs sub/.|trailing dot (sub/.)
EINVAL|read docs sub/./inner.txt 0 1|dot in the middle
EINVAL|read docs /etc/passwd 0 1|absolute path /etc/passwd
EINVAL|readdir docs //etc|absolute path //etc
EINVAL|put docs /tmp/evil 1|put to an absolute path
EINVAL|read docs sub//inner.txt 0 1|empty component (sub//inner.txt)
ENOENT|read docs %2e%2e/secret.txt 0 1|percent-encoded dot-dot is a plain name to the server
ENOENT|read docs ..%2fsecret.txt 0 1|percent-encoded slash is a plain name to the server
EINVAL|read docs \x00 0 1|path of one NUL byte
EINVAL|read docs hello.txt\x00/../../secret.txt 0 1|NUL byte hiding a dot-dot
EINVAL|stat docs sub\x00|NUL byte at the end of a name
EINVAL|stat docs\x00 hello.txt|NUL byte in the export name
ENAMETOOLONG|read docs $c256 0 1|component of 256 bytes
ENOENT|read docs $c255 0 1|component of 255 bytes is merely absent
ENAMETOOLONG|read docs $p4097 0 1|path of 4097 bytes
EINVAL|stat ../docs hello.txt|export name ../docs
EINVAL|stat "" hello.txt|empty export name
EINVAL|stat docs/sub inner.txt|export name with a slash (docs/sub)
EINVAL|stat .. ""|export name ..
EINVAL|stat . ""|export name .
ENOENT|stat secret ""|export name of a directory that is not exported
ELOOP|read docs lnrel/etc/passwd 0 1|relative symlink out (lnrel -> ../../..)
ELOOP|read docs lnabs/passwd 0 1|absolute symlink to a directory (lnabs -> /etc)
ELOOP|stat docs lnabs/passwd|stat through a symlink to /etc
ELOOP|read docs lnfile 0 1|symlink to a file outside (lnfile -> ../secret.txt)
ELOOP|read docs lnfileabs 0 1|absolute symlink to a file (-> /etc/passwd)
ELOOP|read docs lninside/inner.txt 0 1|symlink as an intermediate component, even one pointing inside
ELOOP|read docs lnfinal 0 1|symlink as the final component of a read
ELOOP|read docs chain1 0 1|symlink chain ending at /etc/passwd
ELOOP|read docs loop/x 0 1|symlink loop
ELOOP|read docs sub/up/secret.txt 0 1|symlink in a subdirectory climbing out (sub/up -> ../..)
ENOTDIR|readdir docs lnabs|readdir of a symlink to /etc lists nothing
ELOOP|put docs lnabs/p2p-evil 1|put through a symlink to /etc
ELOOP|put docs lnrel/tmp/p2p-evil 1|put through a relative symlink out
EXDEV|read docs mnt/f 0 1|tmpfs mounted inside the export
EXDEV|stat docs mnt|the mount point itself
EXDEV|put docs mnt/evil 1|put into a mount inside the export
EXDEV|read docs etcbind/passwd 0 1|bind mount of /etc inside the export
EXDEV|readdir docs etcbind|readdir of a bind mount of /etc
EXDEV|read docs proc/self/root/etc/passwd 0 1|procfs inside the export (magic link behind it)
EOF
)

cut -d'|' -f2 <<<"$attempts" >"$TEST_TMP/batch"
dpt batch alice <"$TEST_TMP/batch" >"$TEST_TMP/results" 2>"$TEST_TMP/batch.err"
exec 3<"$TEST_TMP/results"
while IFS='|' read -r want req what; do
	IFS= read -r got <&3
	got=${got%% *}
	if [ "$got" = "$want" ]; then
		ok "escape: $what: $want"
	else
		not_ok "escape: $what: $want"
		echo "#   request: ${req:0:120}"
		echo "#   got: $got"
	fi
done <<<"$attempts"
exec 3<&-

check_out "escape: NUL byte in the user name (HELLO)" "EINVAL" dpt hello alice 'alice\x00'
check "escape: nothing was created outside the export" \
	sh -c "! ls /etc/p2p-evil /tmp/p2p-evil $DP_SRV/evil /tmp/evil 2>/dev/null | grep -q ."
check_out "escape: put onto a symlink replaces the link" "ok" \
	dpt put alice docs lnput 5
check_out "escape: ... and never writes through it" "TOP SECRET" cat "$DP_SRV/secret.txt"
check_out "escape: ... the link became a regular file" "regular file" stat -c %F "$docs/lnput"

# What p2pctl itself refuses to send, and what it shows.
check_fail "escape: p2pctl get docs/../secret.txt is refused by the client" "invalid URL" \
	pget alice docs/../secret.txt -o "$DP_DL/x"
check_fail "escape: p2pctl get of percent-encoded dot-dot is refused by the client" "invalid URL" \
	pget alice docs/%2e%2e/secret.txt -o "$DP_DL/x"
check_fail "escape: p2pctl get of a symlink out" "symbolic link refused (ELOOP)" \
	pget alice docs/lnfile -o "$DP_DL/x"
# shellcheck disable=SC2317 # run by check
ls_link() { pls alice docs/lnabs >"$TEST_TMP/ls" && [ "$(wc -l <"$TEST_TMP/ls")" = 1 ] &&
	grep -q '^l.* lnabs$' "$TEST_TMP/ls" && ! grep -q passwd "$TEST_TMP/ls"; }
check "escape: p2pctl ls of a symlink to /etc shows the link, not /etc" ls_link
check_out "escape: stat describes a symlink without following it" "ok 3 4 0777" \
	dpt stat alice docs lnabs

# A symlink to /etc/shadow swapped in and out of "race" while reads run.
# root0 maps to uid 0 (without capabilities), which could read /etc/shadow:
# only confinement stops it.
secret=/etc/shadow
[ -s "$secret" ] || secret=$DP_SRV/secret.txt
echo harmless >"$docs/race"
harmless=$(sha "$docs/race")
python3 - "$docs" "$secret" <<'EOF' &
import os, sys
d, target = sys.argv[1], sys.argv[2]
os.chdir(d)
while True:
    try:
        os.symlink(target, ".race.l")
        os.rename(".race.l", "race")
        with open(".race.f", "w") as f:
            f.write("harmless\n")
        os.rename(".race.f", "race")
        open(".swapping", "w").close()
    except FileExistsError:
        os.unlink(".race.l")
EOF
swapper=$!
wait_for 20 test -e "$docs/.swapping"
for i in $(seq 400); do echo "read docs race 0 0xffffffffffffffff"; done >"$TEST_TMP/race.batch"
dpt batch root0 <"$TEST_TMP/race.batch" >"$TEST_TMP/race.out" 2>/dev/null
for i in 1 2 3 4 5; do pget root0 docs/race -o - 2>/dev/null; done >"$TEST_TMP/race.get"
kill "$swapper"
wait "$swapper" 2>/dev/null
n_ok=$(grep -c "^ok 9 $harmless\$" "$TEST_TMP/race.out")
n_loop=$(grep -c '^ELOOP$' "$TEST_TMP/race.out")
check_eq "escape: swapped symlink: 400 reads, each the file or ELOOP" "$((n_ok + n_loop))" 400
echo "# swapped symlink: $n_ok reads got the file, $n_loop got ELOOP"
check "escape: swapped symlink: both states were seen" test "$n_ok" -gt 0 -a "$n_loop" -gt 0
check "escape: swapped symlink: p2pctl get never returned $secret" \
	sh -c "! grep -qvx harmless '$TEST_TMP/race.get'"

umount "$docs/proc" "$docs/etcbind" "$docs/mnt"
dp_done
