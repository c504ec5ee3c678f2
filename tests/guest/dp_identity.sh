#!/bin/bash
# Identity: requests run with the uid/gid the user is mapped to and no
# capabilities, so Unix permissions apply on top of the grant. bob is
# mapped to 1000:1000, alice to the default, nobody (65534).
. "$(dirname "$0")/fixture.sh"
dp_setup

docs=$DP_SRV/docs
mkdir -p "$docs/rootdir" "$docs/bobdir" "$docs/private" "$docs/sticky" "$docs/nobodydir"
echo root >"$docs/root600" && chmod 0600 "$docs/root600"
echo bob >"$docs/bob600" && chown 1000:1000 "$docs/bob600" && chmod 0600 "$docs/bob600"
echo group >"$docs/grp640" && chown 0:1000 "$docs/grp640" && chmod 0640 "$docs/grp640"
echo secret >"$docs/private/x" && chmod 0700 "$docs/private"
chown 1000:1000 "$docs/bobdir"
chown 65534:65534 "$docs/nobodydir"
chmod 1777 "$docs/sticky" && echo rootfile >"$docs/sticky/rootfile"
echo local >"$DP_DL/local.txt" && chmod 0640 "$DP_DL/local.txt"

dp_user bob --uid 1000 --gid 1000
dp_user alice
dp_serve "export docs, bob and alice rw" "$docs" --user bob:rw --user alice:rw

# A refusal by the file system names the ids the peer runs as here.
denied_as() {
	echo "permission denied: on this host you read and write as uid $1 gid $2 (its administrator can change that with p2pctl user set --uid/--gid, or the file's owner or mode) (EACCES)"
}
denied=$(denied_as 1000 1000)
check_fail "root's 0600 file is refused to uid 1000" "$denied" pget bob docs/root600 -o -
check "... its attributes are not secret (stat needs no read permission)" pstat bob docs/root600
check_out "uid 1000's own 0600 file is served" "bob" pget bob docs/bob600 -o -
check_out "a 0640 file of group 1000 is served to gid 1000" "group" pget bob docs/grp640 -o -
check_fail "a 0700 directory of root cannot be listed" "$denied" pls bob docs/private
check_fail "nor entered" "$denied" pget bob docs/private/x -o -
check_fail "put into a directory uid 1000 cannot write" "$denied" \
	pput "$DP_DL/local.txt" bob docs/rootdir/new.txt
check "... left nothing there" sh -c "! ls -A '$docs/rootdir' | grep -q ."
check "put into uid 1000's directory" pput "$DP_DL/local.txt" bob docs/bobdir/new.txt
check_out "... creates a file owned by 1000:1000, mode 0640" "1000:1000 640" \
	stat -c '%u:%g %a' "$docs/bobdir/new.txt"
check_fail "put over root's file in a sticky directory (no CAP_FOWNER)" \
	"operation not permitted (EPERM)" pput "$DP_DL/local.txt" bob docs/sticky/rootfile
check_out "... leaves root's file as it was" "rootfile" cat "$docs/sticky/rootfile"
check "... and no temporary file" sh -c "! ls -A '$docs/sticky' | grep -q '^\.p2p-'"
check "put of a new file into the sticky directory" pput "$DP_DL/local.txt" bob docs/sticky/bobfile
check_out "... owned by 1000:1000" "1000:1000" stat -c %u:%g "$docs/sticky/bobfile"

denied=$(denied_as 65534 65534)
check_fail "alice (nobody) cannot read root's 0600 file" "$denied" pget alice docs/root600 -o -
check_fail "nor uid 1000's 0600 file" "$denied" pget alice docs/bob600 -o -
check "alice's put into nobody's directory" pput "$DP_DL/local.txt" alice docs/nobodydir/a.txt
check_out "... creates a file owned by nobody" "65534:65534" stat -c %u:%g "$docs/nobodydir/a.txt"
dp_done
