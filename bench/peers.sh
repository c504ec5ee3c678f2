# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The peers of issue 16, sourced by bench/guest.sh: what users pick instead of
# p2pshare, each from its Debian package, started here with its own
# configuration (never a system service), the server in netns a, the client in
# netns b, as the other rows.
#
#   sftp/CIPHER        OpenSSH sshd :22 in a, sftp -b from b   (aes, chacha)
#   scp/CIPHER         the same sshd, scp from b               (aes, chacha)
#   nfs                knfsd NFSv4.2 :2049 in a, the kernel NFS client in b
#   ksmbd-seal/aes     ksmbd SMB3 :445 in the init netns (see setup_ksmbd),
#                      the kernel CIFS client in b, sealed      (AES-128-GCM only)
#   ksmbd              the same, in clear
#
# Metrics: large (the big file to /dev/null), small (PEER_NSMALL 4 KiB files
# over one connection or mount), percon (PEER_PERCONN files, a new connection
# or mount each) and idle (memory per idle connection; n/a where there is no
# such thing, said by an "NA" line). A peer that cannot run prints
# "SKIP {server, reason}" and leaves SERVERS; the run goes on.
#
# Sized for make bench's default run (under 30 minutes in all): one round
# (bench/guest.sh's applies), the issue's 500 small files (a multiple of 100;
# a run-through took 50 s per OpenSSH row and 21-29 s per mount, in each
# boot), 3 new connections (OpenSSH: some 1.4 G instructions and 4 s each)
# and 4 idle ones.

PEER_NSMALL=${P2P_BENCH_PEER_NSMALL:-500}
PEER_PERCONN=${P2P_BENCH_PEER_PERCONN:-3}
PEER_IDLE_N=${P2P_BENCH_PEER_IDLE:-4}
SSH_USER=p2pssh
NFS_MNT=$W/nfs/mnt
SMB_USER=p2psmb
SMB_PASS=p2pshare-bench
SMB_MNT=$W/smb/mnt
KS_A=198.19.0.1	# ksmbd's address, in the guest's init network namespace
KS_B=198.19.0.2	# netns b's address on that link

is_peer() {
	case $1 in sftp* | scp* | nfs | ksmbd*) return 0 ;; esac
	return 1
}

# OpenSSH's names of the two ciphers.
ssh_cipher() {
	case $1 in aes) echo aes128-gcm@openssh.com ;; chacha) echo chacha20-poly1305@openssh.com ;; esac
}

skip() {
	say "$1 cannot run: $2"
	printf 'SKIP {"server": "%s", "reason": "%s"}\n' "$1" "$2"
}

not_applicable() {
	printf 'NA {"server": "%s", "metric": "%s", "reason": "%s"}\n' "$1" "$2" "$3"
}

# SERVERS without ROLE (a peer that could not start).
drop_server() {
	local s out=
	for s in $SERVERS; do [ "$s" = "$1" ] || out+="$s "; done
	SERVERS=$out
}

wants() { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }

start_peers() {
	local s
	if wants sftp || wants scp; then
		setup_sshd || { wants sftp && skip sftp "$PEER_ERR"; wants scp && skip scp "$PEER_ERR"
			drop_server sftp; drop_server scp; }
	fi
	if wants nfs; then
		setup_nfs || { skip nfs "$PEER_ERR"; drop_server nfs; }
	fi
	if wants ksmbd || wants ksmbd-seal; then
		setup_ksmbd || { wants ksmbd && skip ksmbd "$PEER_ERR"
			wants ksmbd-seal && skip ksmbd-seal "$PEER_ERR"
			drop_server ksmbd; drop_server ksmbd-seal; }
	fi
}

# ---------------------------------------------------------------- OpenSSH

# sshd in netns a: its own host key, one user (key only: "*" as password hash,
# so that sshd does not take it for locked), both ciphers offered, Debian's
# default sftp-server. Client options: that key, that host key pinned, one cipher.
setup_sshd() {
	local d=$W/ssh h=$W/ssh-home
	mkdir -p "$d" "$h" /run/sshd && chmod 700 "$d" &&
		ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519" &&
		ssh-keygen -q -t ed25519 -N '' -f "$d/id_ed25519" &&
		cp "$d/id_ed25519.pub" "$h/authorized_keys" &&
		echo "$A $(cut -d' ' -f1,2 "$d/host_ed25519.pub")" >"$d/known_hosts" ||
		{ PEER_ERR="cannot make the ssh keys"; return 1; }
	id "$SSH_USER" >/dev/null 2>&1 ||
		useradd -M -d "$h" -s /bin/sh -p '*' "$SSH_USER" &&
		chown -R "$SSH_USER:" "$h" && chmod 755 "$h" && chmod 644 "$h/authorized_keys" ||
		{ PEER_ERR="cannot add the ssh user"; return 1; }
	cat >"$d/sshd_config" <<EOF
ListenAddress $A:22
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $h/authorized_keys
AllowUsers $SSH_USER
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
Ciphers aes128-gcm@openssh.com,chacha20-poly1305@openssh.com
MaxStartups 200
MaxSessions 10
LogLevel ERROR
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
	na /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" ||
		{ PEER_ERR="sshd did not start: $(cat "$d/sshd.log")"; return 1; }
	wait_port 22 || { PEER_ERR="sshd does not listen on $A:22: $(cat "$d/sshd.log")"; return 1; }
}

# SSH_OPTS: ssh options for CIPHER (aes, chacha); no configuration file read.
ssh_opts() {
	SSH_OPTS=(-F /dev/null -i "$W/ssh/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
		-o UserKnownHostsFile="$W/ssh/known_hosts" -o StrictHostKeyChecking=yes
		-o "Ciphers=$(ssh_cipher "$1")")
}

# The batch of PEER_NSMALL gets (files 0.. in order) to /dev/null.
small_batch() {
	local i
	for ((i = 0; i < PEER_NSMALL; i++)); do
		printf 'get %s/small/f%04d /dev/null\n' "$DATA" "$i"
	done
}

# Runs "PB exec -- CMD" in netns b; prints the key=value line of FILES files,
# BYTES bytes, CONNS connections.
exec_line() {
	local files=$1 bytes=$2 conns=$3
	shift 3
	nb "$PB" exec -- "$@" >/dev/null 2>"$W/exec.err" || { cat "$W/exec.err" >&2; return 1; }
	echo "wall=$(exec_wall) bytes=$bytes files=$files conns=$conns window_bytes=$bytes $(exec_cpu)"
}

sftp_client() {
	local metric=$1 cipher=$2 big
	ssh_opts "$cipher"
	big=$(stat -c %s "$DATA/big")
	case $metric in
	warm) printf 'get %s/small/f0000 /dev/null\n' "$DATA" >"$W/ssh/batch" &&
		nb sftp "${SSH_OPTS[@]}" -b "$W/ssh/batch" "$SSH_USER@$A" ;;
	large)
		printf 'get %s/big /dev/null\n' "$DATA" >"$W/ssh/batch.large"
		exec_line 1 "$big" 1 sftp "${SSH_OPTS[@]}" -b "$W/ssh/batch.large" "$SSH_USER@$A" ;;
	small)
		small_batch >"$W/ssh/batch.small"
		exec_line "$PEER_NSMALL" $((PEER_NSMALL * SMALL_BYTES)) 1 \
			sftp "${SSH_OPTS[@]}" -b "$W/ssh/batch.small" "$SSH_USER@$A" ;;
	percon)
		exec_line "$PEER_PERCONN" $((PEER_PERCONN * SMALL_BYTES)) "$PEER_PERCONN" bash -c '
			for ((i = 0; i < $1; i++)); do
				printf "get %s/small/f%04d /dev/null\n" "$2" "$i" |
					sftp -b - "${@:4}" "$3" || exit 1
			done' - "$PEER_PERCONN" "$DATA" "$SSH_USER@$A" "${SSH_OPTS[@]}" ;;
	*) return 2 ;;
	esac
}

# scp (OpenSSH 9.2: the SFTP protocol by default). Several files need a
# directory to land in: $W/scp (tmpfs), emptied before each measurement.
scp_client() {
	local metric=$1 cipher=$2 big dst=$W/scp
	ssh_opts "$cipher"
	big=$(stat -c %s "$DATA/big")
	rm -rf "$dst" && mkdir -p "$dst"
	case $metric in
	warm) nb scp -q "${SSH_OPTS[@]}" "$SSH_USER@$A:$DATA/small/f0000" /dev/null ;;
	large) exec_line 1 "$big" 1 scp -q "${SSH_OPTS[@]}" "$SSH_USER@$A:$DATA/big" /dev/null ;;
	small)
		# One connection: a remote glob (f0000..f0499 for the default 500).
		exec_line "$PEER_NSMALL" $((PEER_NSMALL * SMALL_BYTES)) 1 \
			scp -q "${SSH_OPTS[@]}" "$SSH_USER@$A:$DATA/small/$(small_glob)" "$dst/" &&
			[ "$(find "$dst" -type f | wc -l)" = "$PEER_NSMALL" ] ||
			{ say "scp small: not $PEER_NSMALL files"; return 1; } ;;
	percon)
		exec_line "$PEER_PERCONN" $((PEER_PERCONN * SMALL_BYTES)) "$PEER_PERCONN" bash -c '
			for ((i = 0; i < $1; i++)); do
				scp -q "${@:4}" "$3:$(printf "%s/small/f%04d" "$2" "$i")" /dev/null || exit 1
			done' - "$PEER_PERCONN" "$DATA" "$SSH_USER@$A" "${SSH_OPTS[@]}" ;;
	*) return 2 ;;
	esac
}

# A glob of exactly the first PEER_NSMALL files, for 500 (f0[0-4]??) or a
# multiple of 100 below 1000.
small_glob() {
	echo "f0[0-$((PEER_NSMALL / 100 - 1))][0-9][0-9]"
}

# Memory per idle sftp session: PEER_IDLE_N sftp clients, each after one get,
# held on their batch FIFO (sshd, sftp-server, ssh, sftp: both ends, as in the
# other rows).
sftp_idle() {
	local server=$1 rep=$2 m0 m1 i n fds=() pids=() rc=0
	ssh_opts "${server#*/}"
	sync
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	sleep 1
	m0=$(mem)
	for ((i = 0; i < PEER_IDLE_N; i++)); do
		rm -f "$W/ssh/in.$i" "$W/ssh/out.$i"
		mkfifo "$W/ssh/in.$i"
		nb sftp "${SSH_OPTS[@]}" -b "$W/ssh/in.$i" "$SSH_USER@$A" >"$W/ssh/out.$i" 2>&1 &
		pids+=($!)
		exec {fd}<>"$W/ssh/in.$i"	# never blocks, even if sftp is gone
		fds+=("$fd")
		printf 'get %s/small/f0000 /dev/null\n!echo ready\n' "$DATA" >&"$fd"
	done
	for ((i = 0; i < 600; i++)); do
		n=$(cat "$W"/ssh/out.* | grep -c '^ready')
		[ "$n" = "$PEER_IDLE_N" ] && break
		pgrep -x sftp >/dev/null || break
		sleep 0.1
	done
	sleep 1
	m1=$(mem)
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done	# not the servers
	if [ "$rc" != 0 ] || [ "$n" != "$PEER_IDLE_N" ]; then
		say "$server idle failed ($n of $PEER_IDLE_N ready): $(cat "$W"/ssh/out.*)"
		echo "RESULT {\"server\": \"$server\", \"metric\": \"idle\", \"rep\": $rep, \"failed\": true}"
		return
	fi
	set -- $m0 $m1
	echo "RESULT {\"server\": \"$server\", \"metric\": \"idle\", \"rep\": $rep," \
		"\"conns\": $PEER_IDLE_N, \"kernel_kb\": $(($4 - $1)), \"user_kb\": $(($5 - $2))," \
		"\"used_kb\": $(($6 - $3))}"
	sleep 1
}

# ---------------------------------------------------------------- knfsd

# knfsd in netns a, NFSv4.2 only (no v3, no UDP, so no rpcbind): the nfsd
# file system mounted in that namespace, the data directory exported as the
# NFSv4 pseudo-root (fsid=0: a tmpfs has no UUID to name it by) to netns b
# only, read-only, sec=sys; rpc.mountd answers the kernel's export upcalls;
# 8 threads (Debian's RPCNFSDCOUNT). A grace period of 10 s instead of 90
# (no state to recover in a fresh guest; the warm-up waits it out).
setup_nfs() {
	mkdir -p "$NFS_MNT" "$W/nfs/m2" && modprobe -a nfsd nfsv4 ||
		{ PEER_ERR="cannot load nfsd/nfsv4"; return 1; }
	na sh -c 'mount -t nfsd nfsd /proc/fs/nfsd &&
		exportfs -i -o ro,fsid=0,no_subtree_check,insecure,sec=sys "$1:$2" &&
		rpc.mountd -N 2 -N 3 &&
		rpc.nfsd -N 3 -V 4.2 -U -G 10 8' - "$B" "$DATA" >"$W/nfs/server.log" 2>&1 ||
		{ PEER_ERR="knfsd did not start: $(tr '\n' ' ' <"$W/nfs/server.log")"; return 1; }
	wait_port 2049 || { PEER_ERR="knfsd does not listen on $A:2049"; return 1; }
	nfs_mount || { PEER_ERR="mount -t nfs4 from netns b failed: $(cat "$W/nfs/mount.err")"; return 1; }
}

# The kernel client's mount, in netns b but in the guest's mount namespace
# (nsenter: every "ip netns exec" makes a mount namespace of its own), so
# that it outlives the command. Default options but vers=4.2 and ro.
nfs_mount() {
	nsenter --net=/run/netns/b mount -t nfs4 -o vers=4.2,ro "$A:/" "$NFS_MNT" 2>"$W/nfs/mount.err"
}

# The tools a mount's measurement runs, run once so that their pages (read
# over 9p) are not counted.
warm_tools() {
	nb "$PB" exec -- dd if=/dev/null of=/dev/null status=none 2>/dev/null
	nb "$PB" exec -- bash -c 'cat /dev/null; umount /nonexistent' >/dev/null 2>&1
	return 0
}

# Before each measurement: nothing of the data cached on the client side.
# The unmount drops the mount's inodes and pages; drop_caches the rest; then
# mount again and run the client's tools once (their pages came back over 9p,
# outside the measurement).
# Per connection: no mount left, so that each mount makes its own connection.
nfs_prepare() {
	umount "$NFS_MNT" 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	[ "$1" = percon ] && return 0
	nfs_mount || { say "nfs: mount failed: $(cat "$W/nfs/mount.err")"; return 1; }
	warm_tools
}

nfs_client() {
	local metric=$1 big
	big=$(stat -c %s "$DATA/big")
	case $metric in
	warm) nfs_prepare warm && nb cat "$NFS_MNT/small/f0000" >/dev/null ;;
	large) exec_line 1 "$big" 1 dd if="$NFS_MNT/big" of=/dev/null bs=1M status=none ;;
	small) exec_line "$PEER_NSMALL" $((PEER_NSMALL * SMALL_BYTES)) 1 bash -c '
		files=()
		for ((i = 0; i < $1; i++)); do files+=("$(printf "%s/small/f%04d" "$2" "$i")"); done
		cat "${files[@]}" >/dev/null' - "$PEER_NSMALL" "$NFS_MNT" ;;
	percon)
		# A mount, one file, an unmount: a new TCP connection and NFSv4
		# session each time (the client's nfs_client goes with its last mount).
		exec_line "$PEER_PERCONN" $((PEER_PERCONN * SMALL_BYTES)) "$PEER_PERCONN" bash -c '
			for ((i = 0; i < $1; i++)); do
				mount -t nfs4 -o vers=4.2,ro "$2:/" "$3" &&
					cat "$(printf "%s/small/f%04d" "$3" "$i")" >/dev/null &&
					umount "$3" || exit 1
			done' - "$PEER_PERCONN" "$A" "$W/nfs/m2" ;;
	*) return 2 ;;
	esac
}

# ---------------------------------------------------------------- ksmbd

# ksmbd serves no non-init network namespace (6.12 makes no listener in netns
# a; 6.1 makes one only after a down/up of the interface, where the login
# fails, its netlink upcalls out of reach). So it runs in the guest's init
# namespace, bound only to a second veth pair whose other end is in netns b:
# the clients stay in b, and the counts are whole-guest as for every row.
# One ksmbd, "smb3 encryption = auto" (ksmbd-tools 3.4.7 has the setting only
# globally): the sealed row's mount asks for encryption (seal), the clear
# row's does not, and each measurement checks what its session really does.
setup_ksmbd() {
	local d=$W/smb
	mkdir -p "$d" "$SMB_MNT" "$d/m2" && modprobe -a ksmbd cifs ||
		{ PEER_ERR="cannot load ksmbd/cifs"; return 1; }
	ip link add ks type veth peer name kb netns b &&
		ip addr add $KS_A/30 dev ks && ip link set ks up &&
		nb ip addr add $KS_B/30 dev kb && nb ip link set kb up ||
		{ PEER_ERR="cannot link the init namespace to netns b"; return 1; }
	# ksmbd serves a user as the local account of that name.
	id "$SMB_USER" >/dev/null 2>&1 ||
		useradd -M -d /nonexistent -s /usr/sbin/nologin "$SMB_USER" ||
		{ PEER_ERR="cannot add the local user $SMB_USER"; return 1; }
	cat >"$d/ksmbd.conf" <<EOF
[global]
	bind interfaces only = yes
	interfaces = ks
	server min protocol = SMB3_11
	smb3 encryption = auto
[data]
	path = $DATA
	read only = yes
	valid users = $SMB_USER
EOF
	ksmbd.adduser -a "$SMB_USER" -p "$SMB_PASS" -c "$d/ksmbd.conf" -i "$d/users.db" \
		>"$d/server.log" 2>&1 &&
		ksmbd.mountd -c "$d/ksmbd.conf" -u "$d/users.db" >>"$d/server.log" 2>&1 ||
		{ PEER_ERR="ksmbd did not start: $(tr '\n' ' ' <"$d/server.log")"; return 1; }
	wait_port 445 $KS_A ||
		{ PEER_ERR="ksmbd does not listen on $KS_A:445: $(tr '\n' ' ' <"$d/server.log")"; return 1; }
	smb_trial
}

# One trial mount, in the background with 30 s to return: on Debian's 6.1
# the first CIFS mount of this ksmbd never returned (the guest then idles
# until scripts/vm's timeout). A mount stuck in the kernel may not die of a
# signal: it is left behind, and the ksmbd rows are skipped with the reason.
smb_trial() {
	local i pid
	smb_mount ksmbd "$SMB_MNT" &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		PEER_ERR="the CIFS client's mount of ksmbd did not return within 30 s (kernel $(uname -r))"
		return 1
	fi
	wait "$pid" || { PEER_ERR="the CIFS client cannot mount ksmbd: $(smb_why)"; return 1; }
	umount "$SMB_MNT"
}

# Why a mount failed, in a line: mount.cifs says only "mount error(2)"; the
# client's kernel log names the refusal. Debian's 6.1 (6.1.0-57, ksmbd-tools
# 3.4.7) answers every tree connect, IPC$'s and the share's, with
# STATUS_BAD_NETWORK_NAME, and its client gives up on the failed IPC$
# (docs/BENCHMARKS.md, "Peers").
smb_why() {
	local k
	k=$(dmesg | sed -n 's/.*CIFS: VFS: *\(BAD_NETWORK_NAME: .*\|.*failed to connect to IPC.*\)$/\1/p' |
		tail -n2 | tr '\n\\' ';/')	# no backslash in the SKIP line's JSON
	echo "$(head -n1 "$W/smb/mount.err")${k:+ (kernel $(uname -r): ${k%;})}"
}

# The mount options of SERVER (ksmbd or ksmbd-seal/aes): SMB 3.1.1, the
# password in the options (no credentials file read), a session of its own
# (nosharesock: never one shared with another mount), read-only; the rest
# mount.cifs's defaults (cache=strict, rsize as negotiated).
smb_opts() {
	local o="vers=3.1.1,username=$SMB_USER,password=$SMB_PASS,nosharesock,ro"
	case $1 in ksmbd-seal/*) o+=",seal" ;; esac
	echo "$o"
}

# In netns b, in the guest's mount namespace (as nfs_mount): SERVER on MNT.
smb_mount() {
	nsenter --net=/run/netns/b mount -t cifs "//$KS_A/data" "$2" -o "$(smb_opts "$1")" \
		2>"$W/smb/mount.err"
}

# Whether a mounted session is encrypted: the CIFS client's DebugData says
# "encrypted" on the session and share of a sealed mount.
smb_sealed() {
	grep -qw encrypted /proc/fs/cifs/DebugData
}

# Before each measurement, as for NFS: no mount, no cached data, then a fresh
# mount (none for percon), whose session is checked against the row.
smb_prepare() {
	umount "$SMB_MNT" 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	[ "$2" = percon ] && return 0
	smb_mount "$1" "$SMB_MNT" || { say "$1: mount failed: $(cat "$W/smb/mount.err")"; return 1; }
	case $1 in
	ksmbd-seal/*) smb_sealed || { say "$1: the session is not encrypted"; return 1; } ;;
	*) ! smb_sealed || { say "$1: the session is encrypted"; return 1; } ;;
	esac
	warm_tools
}

smb_client() {
	local server=$1 metric=$2 big
	big=$(stat -c %s "$DATA/big")
	case $metric in
	warm) smb_prepare "$server" warm && nb cat "$SMB_MNT/small/f0000" >/dev/null ;;
	large) exec_line 1 "$big" 1 dd if="$SMB_MNT/big" of=/dev/null bs=1M status=none ;;
	small) exec_line "$PEER_NSMALL" $((PEER_NSMALL * SMALL_BYTES)) 1 bash -c '
		files=()
		for ((i = 0; i < $1; i++)); do files+=("$(printf "%s/small/f%04d" "$2" "$i")"); done
		cat "${files[@]}" >/dev/null' - "$PEER_NSMALL" "$SMB_MNT" ;;
	percon)
		# A mount, one file, an unmount: a TCP connection, SMB3 negotiate,
		# NTLMSSP session set-up and tree connect each time.
		exec_line "$PEER_PERCONN" $((PEER_PERCONN * SMALL_BYTES)) "$PEER_PERCONN" bash -c '
			for ((i = 0; i < $1; i++)); do
				mount -t cifs "//$2/data" "$3" -o "$4" &&
					cat "$(printf "%s/small/f%04d" "$3" "$i")" >/dev/null &&
					umount "$3" || exit 1
			done' - "$PEER_PERCONN" "$KS_A" "$W/smb/m2" "$(smb_opts "$server")" ;;
	*) return 2 ;;
	esac
}

# Memory per idle SMB session: PEER_IDLE_N mounts (nosharesock: a TCP
# connection and session each) that each read one file, then stay.
smb_idle() {
	local server=$1 rep=$2 m0 m1 i rc=0
	umount "$SMB_MNT" 2>/dev/null
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	sleep 1
	m0=$(mem)
	for ((i = 0; i < PEER_IDLE_N; i++)); do
		mkdir -p "$W/smb/idle$i"
		smb_mount "$server" "$W/smb/idle$i" && cat "$W/smb/idle$i/small/f0000" >/dev/null ||
			{ rc=1; break; }
	done
	sleep 1
	m1=$(mem)
	for ((i = 0; i < PEER_IDLE_N; i++)); do umount "$W/smb/idle$i" 2>/dev/null; done
	if [ "$rc" != 0 ]; then
		say "$server idle failed at mount $i: $(cat "$W/smb/mount.err")"
		echo "RESULT {\"server\": \"$server\", \"metric\": \"idle\", \"rep\": $rep, \"failed\": true}"
		return
	fi
	# shellcheck disable=SC2086 # three numbers each
	set -- $m0 $m1
	echo "RESULT {\"server\": \"$server\", \"metric\": \"idle\", \"rep\": $rep," \
		"\"conns\": $PEER_IDLE_N, \"kernel_kb\": $(($4 - $1)), \"user_kb\": $(($5 - $2))," \
		"\"used_kb\": $(($6 - $3))}"
}

# ---------------------------------------------------------------- glue

peer_prepare() {
	case $1 in
	nfs) nfs_prepare "$2" ;;
	ksmbd*) mkdir -p "$W/smb/m2"; smb_prepare "$1" "$2" ;;
	esac
	return 0
}

peer_client() {
	case $1 in
	sftp/*) sftp_client "$2" "${1#*/}" ;;
	scp/*) scp_client "$2" "${1#*/}" ;;
	nfs) nfs_client "$2" ;;
	ksmbd*) smb_client "$1" "$2" ;;
	*) return 2 ;;
	esac
}

peer_applies() {
	case $1:$2 in
	# OpenSSH's 4 KiB files, with the first cipher only: a file is a few
	# SFTP round trips (open, stat, read, close) whichever cipher seals
	# them, and the ChaCha20-Poly1305 pair would add 2 x 500 files.
	sftp/*:small | scp/*:small) [ "${1#*/}" = "$CIPHER1" ]; return ;;
	*:large | *:small | *:percon) return 0 ;;
	sftp/*:idle | ksmbd*:idle) return 0 ;;
	esac
	return 1
}

peer_idle() {
	case $1 in
	sftp/*) sftp_idle "$1" "$2" ;;
	ksmbd*) smb_idle "$1" "$2" ;;
	esac
}

# The idle metric where it has no meaning, once per run.
peer_na() {
	local s
	for s in $(expand_servers); do
		case $s in
		scp/"$CIPHER1") not_applicable "$s" idle "scp ends its connection with the transfer; an idle OpenSSH session is the sftp row's" ;;
		nfs) not_applicable nfs idle "the kernel NFS client opens one TCP connection per server, shared by every mount and process of the client" ;;
		esac
	done
}
