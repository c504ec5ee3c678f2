#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark inside the guest (scripts/bench.sh runs it under scripts/vm).
#
#   bench/guest.sh time    throughput, CPU and memory: P2P_BENCH_REPS rounds
#   bench/guest.sh count   one round between phase marks, for the instruction
#                          counter (scripts/vm --plugin build/bench/insn_count.so)
#
#  ┌──────────────────────────────────────┐      ┌──────────────────────────────┐
#  │ netns a: the servers, one data dir   │      │ netns b: the clients         │
#  │  kmod      p2pshare.ko    :7437      │      │  p2pbench (p2p, raw, http)   │
#  │  copy      p2pd copy      :7438      │      │  curl, wrk (nginx)           │
#  │  sendfile  p2pd sendfile  :7439      │      │                              │
#  │  raw       rawd           :7440      │      │                              │
#  │  nginx     nginx-light    :8080      │      │                              │
#  │  nginx-tls nginx HTTPS+kTLS :8443    │      │                              │
#  │            (AES-128-GCM), :8444      │      │                              │
#  │            (ChaCha20-Poly1305)       │      │                              │
#  │  nginx-mtls the same, a client       │      │                              │
#  │            certificate required:     │      │                              │
#  │            :8445, :8446              │      │                              │
#  │   va 198.18.0.1/24 ──────────────────┼─veth─┼────────── vb 198.18.0.2/24   │
#  └──────────────────────────────────────┘      └──────────────────────────────┘
#
# Every measurement prints one line "RESULT {json}" on stdout with the raw
# figures (bench/report.py turns them into the table); progress goes
# to stderr. All servers run all the time, idle while another is measured;
# the order of servers rotates from round to round.
#
# Encrypted servers (the p2p ones and nginx-tls) are measured once per cipher
# of P2P_BENCH_CIPHERS, as SERVER/CIPHER (kmod/aes, nginx-tls/chacha): the
# p2p client offers that cipher alone, nginx-tls listens on a port that allows
# only that TLS 1.3 suite. The large and small metrics run for every cipher,
# the others for the first one only. Around each encrypted measurement the
# servers' /proc/net/tls_stat is read: TlsTxSw must grow, else the RESULT
# says "ktls_tx": 0 and the report marks the row "kTLS not used".
set -uo pipefail

MODE=${1:-time}
ROOT=${P2P_ROOT:?}
BIN=$ROOT/build/bench/bin
PB=$BIN/p2pbench
MARK=$BIN/mark
W=/tmp/bench			# the guest's own tmpfs: the page cache is the file
DATA=$W/data
A=198.18.0.1
B=198.18.0.2

REPS=${P2P_BENCH_REPS:-3}
BIG_MIB=${P2P_BENCH_BIG_MIB:-128}	# encrypted, TCG moves some 30 MB/s
CONC_MIB=${P2P_BENCH_CONC_MIB:-8}	# 32 clients: 256 MiB per server
NCONC_FILES=8			# 32 clients share them: 4 per file
# The paired rate (timing run, metric "pair"): PAIRS times in a row, one
# PAIR_MIB file from nginx-tls and kmod back to back with one cipher (see
# run_pairs).
PAIR_MIB=${P2P_BENCH_PAIR_MIB:-64}
PAIRS=${P2P_BENCH_PAIRS:-5}
# sftp's large file, SFTP_PAIRS times per cipher beside the module's in the
# same place (run_pairs), instead of once a round.
SFTP_PAIRS=${P2P_BENCH_SFTP_PAIRS:-3}
NSMALL=${P2P_BENCH_NSMALL:-2000}
SMALL_BYTES=4096
DUR=${P2P_BENCH_DURATION:-2}	# seconds of the timed loops (concurrency, wrk)
PERCONN_N=${P2P_BENCH_PERCONN:-100}
HS_N=${P2P_BENCH_HANDSHAKES:-50}
IDLE_N=${P2P_BENCH_IDLE:-64}
# nginx-b: nginx fetched by p2pbench over HTTP, the same client code as the other
# servers get; it isolates the server in the instruction counts (count run only).
# The peers (bench/peers.sh) come last, measured in the first round only.
if [ "$MODE" = count ]; then
	SERVERS=${P2P_BENCH_SERVERS:-kmod copy sendfile nginx-tls nginx-mtls nginx nginx-b raw sftp scp nfs ksmbd-seal ksmbd}
else
	SERVERS=${P2P_BENCH_SERVERS:-kmod copy sendfile nginx-tls nginx-mtls nginx raw sftp scp nfs ksmbd-seal ksmbd}
fi
CIPHERS=${P2P_BENCH_CIPHERS:-aes chacha}
CIPHER1=${CIPHERS%% *}		# the one the metrics other than large and small use
DEPTH=${P2P_BENCH_DEPTH:-16}	# requests outstanding in the pipelined metric
METRICS=${P2P_BENCH_METRICS:-large small pipe percon handshake conc8 conc32 conc256 idle pair}
[ "$MODE" = count ] && REPS=${P2P_BENCH_COUNT_REPS:-1}

na() { ip netns exec a "$@"; }
nb() { ip netns exec b "$@"; }
say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

port_of() {
	case $1 in
	kmod*) echo 7437 ;; copy*) echo 7438 ;; sendfile*) echo 7439 ;;
	raw) echo 7440 ;; nginx | nginx-b) echo 8080 ;;
	sftp* | scp*) echo 22 ;; nfs) echo 2049 ;; ksmbd*) echo 445 ;;
	nginx-tls/aes) echo 8443 ;; nginx-tls/chacha) echo 8444 ;;
	nginx-mtls/aes) echo 8445 ;; nginx-mtls/chacha) echo 8446 ;;
	esac
}

# A cipher's names: the p2p client's (p2p_cipher_parse) and TLS 1.3's.
p2p_cipher() {
	case $1 in aes) echo aes-128-gcm ;; chacha) echo chacha20-poly1305 ;; esac
}

tls_suite() {
	case $1 in aes) echo TLS_AES_128_GCM_SHA256 ;; chacha) echo TLS_CHACHA20_POLY1305_SHA256 ;; esac
}

# SERVERS with each encrypted one once per cipher: kmod -> kmod/aes kmod/chacha.
expand_servers() {
	local s c
	for s in $SERVERS; do
		case $s in
		kmod | copy | sendfile | nginx-tls | nginx-mtls | sftp | scp)
			for c in $CIPHERS; do echo "$s/$c"; done ;;
		ksmbd-seal)	# SMB3 encryption has no ChaCha20-Poly1305
			case " $CIPHERS " in *" aes "*) echo "$s/aes" ;; esac ;;
		*) echo "$s" ;;
		esac
	done
}

# ---------------------------------------------------------------- setup

# The x86 drivers of the two AEADs, as a real machine has them: udev loads
# aesni_intel and ghash_clmulni_intel at boot for the CPU's aes and pclmulqdq
# flags (this guest has no udev), chacha_x86_64 and poly1305_x86_64 come with
# the first user of ChaCha20. Without them, kTLS would encrypt with aes-generic
# and the generic GHASH, some 20 times the instructions. Before any handshake:
# a transform keeps the driver it was made with.
setup_crypto() {
	modprobe -a aesni_intel ghash_clmulni_intel chacha_x86_64 poly1305_x86_64 ||
		die "cannot load the x86 AES-GCM and ChaCha20-Poly1305 drivers"
}

# The drivers behind the AEADs kTLS uses, once used (the highest priority
# wins): "CRYPTO name=driver ...".
print_crypto() {
	echo "CRYPTO" $(awk '/^name/ { n = $3 } /^driver/ { d = $3 }
		/^priority/ && (n == "gcm(aes)" || n == "rfc7539(chacha20,poly1305)") &&
			$3 + 0 >= p[n] + 0 { p[n] = $3; best[n] = d }
		END { for (n in best) print n "=" best[n] }' /proc/crypto | sort)
}

setup_net() {
	ip netns add a && ip netns add b &&
		ip link add va netns a type veth peer name vb netns b &&
		na ip link set lo up && nb ip link set lo up &&
		na ip addr add $A/24 dev va && na ip link set va up &&
		nb ip addr add $B/24 dev vb && nb ip link set vb up ||
		die "cannot build the two hosts"
}

setup_data() {
	mkdir -p "$DATA" && chmod 755 "$W" "$DATA" &&
		"$PB" mkdata "$DATA" "$BIG_MIB" "$CONC_MIB" "$NCONC_FILES" "$NSMALL" "$SMALL_BYTES" ||
		die "cannot create the data"
	chmod -R a+rX "$DATA"
}

# The module's state in netns a, saved to the file the twin reads (limits
# for conc256: 256 connections of one user at once, handshakes not rate
# limited, room beside the idle metric's; and an idle timeout longer than
# 256 handshakes take in the counting run, over a minute: the clients wait
# for all to be authenticated before the first sends its READ). One
# "ip netns exec" for export and save: each makes a mount namespace of its
# own, and save can only name the export's path from the one it was made in.
setup_p2p() {
	p2pctl genkey >"$W/bench.key" && p2pctl pubkey <"$W/bench.key" >"$W/bench.pub" &&
		na p2pctl user add bench --pubkey "$W/bench.pub" --uid 65534 --gid 65534 &&
		na p2pctl listen "$A:7437" &&
		na p2pctl limits set max_conns 480 max_user_conns 0 auth_burst 0 \
			idle_timeout 600 &&
		na sh -c 'p2pctl export "$1" --name data --user bench:ro && p2pctl save >"$2"' \
			- "$DATA" "$W/p2p.conf" || die "cannot configure p2pshare.ko"
	HOSTKEY=$(na p2pctl hostkey)
	P2P_ARGS=(-u bench -k "$W/bench.key" -H "$HOSTKEY" -e data)
}

# Self-signed certificates, made at every run: the server's for nginx-tls
# and nginx-mtls, the client's for nginx-mtls, which trusts exactly that one
# (as a p2p host trusts a user's public key). ECDSA P-256: the common choice
# and OpenSSL's fastest signature (assembly for x86-64).
setup_cert() {
	mkdir -p "$W/tls" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj /CN=bench -addext "subjectAltName=IP:$A" \
			-keyout "$W/tls/key.pem" -out "$W/tls/cert.pem" 2>"$W/tls/openssl.log" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj /CN=bench-user -keyout "$W/tls/client-key.pem" \
			-out "$W/tls/client.pem" 2>>"$W/tls/openssl.log" ||
		die "cannot make the certificates: $(cat "$W/tls/openssl.log")"
}

# nginx-tls: one server per cipher, TLS 1.3 with that suite only, kTLS asked
# for (OpenSSL then hands the keys to the kernel and nginx uses SSL_sendfile,
# i.e. sendfile(2) into the kTLS socket).
nginx_tls_servers() {
	local c
	for c in $CIPHERS; do
		cat <<EOF
	server {
		listen $A:$(port_of nginx-tls/$c) ssl;
		root $DATA;
		ssl_certificate $W/tls/cert.pem;
		ssl_certificate_key $W/tls/key.pem;
		ssl_protocols TLSv1.3;
		ssl_conf_command Options KTLS;
		ssl_conf_command Ciphersuites $(tls_suite "$c");
	}
	server {
		listen $A:$(port_of nginx-mtls/$c) ssl;
		root $DATA;
		ssl_certificate $W/tls/cert.pem;
		ssl_certificate_key $W/tls/key.pem;
		ssl_client_certificate $W/tls/client.pem;
		ssl_verify_client on;
		ssl_protocols TLSv1.3;
		ssl_conf_command Options KTLS;
		ssl_conf_command Ciphersuites $(tls_suite "$c");
	}
EOF
	done
}

setup_nginx() {
	mkdir -p "$W/nginx"
	setup_cert
	# TCP_ULP "tls" loads the module only for a caller with CAP_NET_ADMIN, and
	# nginx's workers set it as nobody: without this, OpenSSL falls back to
	# encrypting in userspace (and the rows say "kTLS not used").
	modprobe tls || die "cannot load the tls module"
	cat >"$W/nginx/nginx.conf" <<EOF
user nobody nogroup;
worker_processes auto;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log;
events { worker_connections 1024; }
worker_rlimit_nofile 65536;
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 120s;
	keepalive_requests 1000000;
	open_file_cache max=10000 inactive=120s;
	default_type application/octet-stream;
	client_body_temp_path $W/nginx/body;
	server {
		listen $A:8080;
		root $DATA;
	}
$(nginx_tls_servers)
}
EOF
	na nginx -c "$W/nginx/nginx.conf" || die "nginx did not start"
	cat >"$W/small.lua" <<EOF
local n = 0
request = function()
	local p = string.format("/small/f%04d", n % $NSMALL)
	n = n + 1
	return wrk.format("GET", p)
end
EOF
	# wrk pipelines when request() returns several requests: DEPTH files a
	# write, the next write once all DEPTH replies are in.
	cat >"$W/pipe.lua" <<EOF
local n = 0
request = function()
	local r = {}
	for i = 1, $DEPTH do
		r[i] = wrk.format("GET", string.format("/small/f%04d", n % $NSMALL))
		n = n + 1
	end
	return table.concat(r)
end
EOF
	cat >"$W/conc.lua" <<EOF
local n = 0
request = function()
	local p = string.format("/c/f%d", n % $NCONC_FILES)
	n = n + 1
	return wrk.format("GET", p)
end
EOF
}

start_servers() {
	na "$ROOT/userspace/p2pd/p2pd" -c "$W/p2p.conf" -l "$A:7438" --mode copy 2>>"$W/p2pd.log" &
	na "$ROOT/userspace/p2pd/p2pd" -c "$W/p2p.conf" -l "$A:7439" --mode sendfile 2>>"$W/p2pd.log" &
	na "$BIN/rawd" "$A:7440" "$DATA" &
	setup_nginx
	start_peers
	local s
	for s in $(expand_servers); do
		is_peer "$s" && continue	# start_peers waited, or skipped it
		wait_port "$(port_of $s)" ||
			die "$s does not listen on port $(port_of $s): $(cat "$W"/*.log 2>/dev/null)"
	done
	check_suites
}

# Each nginx-tls port must negotiate TLS 1.3 with its one suite, and the
# certificate must verify against the one made here.
check_suites() {
	local c out
	for c in $CIPHERS; do
		case " $(expand_servers | tr '\n' ' ') " in *" nginx-tls/$c "*) ;; *) continue ;; esac
		out=$(nb openssl s_client -connect "$A:$(port_of nginx-tls/$c)" -tls1_3 \
			-CAfile "$W/tls/cert.pem" </dev/null 2>&1)
		grep -q "New, TLSv1.3, Cipher is $(tls_suite "$c")\$" <<<"$out" &&
			grep -q 'Verify return code: 0 (ok)' <<<"$out" ||
			die "nginx-tls/$c does not negotiate TLSv1.3 $(tls_suite "$c"): $out"
	done
}

# wait_port PORT [ADDR]: something listens on ADDR (default A) PORT, as
# seen from netns b; 10 s at most.
wait_port() {
	local i addr=${2:-$A}
	for ((i = 0; i < 100; i++)); do
		nb bash -c "exec 3<>/dev/tcp/$addr/$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- measuring

# Busy CPU time of the whole guest in ticks (USER_HZ, 100 a second) from
# /proc/stat: every state but idle and iowait. No process is started for it.
busy() {
	local cpu user nice sys idle iowait irq softirq steal rest
	read -r cpu user nice sys idle iowait irq softirq steal rest </proc/stat
	echo $((user + nice + sys + irq + softirq + steal))
}

# The client command of one measurement, on host b; its last line of
# key=value pairs goes to stdout.
client() {
	local server=$1 metric=$2 port
	port=$(port_of "$server")
	case $server in
	nginx) nginx_client "$metric" "http://$A:$port"; return ;;
	nginx-tls/*) nginx_client "$metric" "https://$A:$port"; return ;;
	nginx-mtls/*) mtls_client "$metric" "https://$A:$port"; return ;;
	esac
	if is_peer "$server"; then
		peer_client "$server" "$metric"
		return
	fi
	client_cmd "$server"
	set -- "${CMD[@]}"
	case $metric in
	warm) nb "$@" get small/f0000 ;;
	large | plarge) nb "$@" get big ;;
	mid) nb "$@" get mid ;;
	small) nb "$@" get -n "$NSMALL" 'small/f%04d' ;;
	pipe) nb "$@" get -D "$DEPTH" -n "$NSMALL" 'small/f%04d' ;;
	percon) nb "$@" get -P -n "$PERCONN_N" 'small/f%04d' ;;
	handshake) nb "$@" handshake "$HS_N" ;;
	conc8) nb "$@" load -c 8 $(conc_mode) $(conc_files) ;;
	conc32) nb "$@" load -c 32 $(conc_mode) $(conc_files) ;;
	conc256) nb "$@" load -c 256 $(conc_mode) $(conc_files) ;;
	esac
}

# CMD: p2pbench's command line for a server (not nginx or nginx-tls); a p2p
# server with a cipher is offered that cipher alone.
client_cmd() {
	local port
	port=$(port_of "$1")
	case $1 in
	kmod | copy | sendfile) CMD=("$PB" -p "$port" "${P2P_ARGS[@]}") ;;
	*/*) CMD=("$PB" -p "$port" "${P2P_ARGS[@]}" --cipher "$(p2p_cipher "${1#*/}")") ;;
	raw) CMD=("$PB" -p "$port" --proto raw) ;;
	nginx-b) CMD=("$PB" -p "$port" --proto http) ;;
	esac
}

# Timing: a window of DUR seconds. Counting: one whole file per client, so
# that the bytes read are all the bytes the server sent (a cut connection
# leaves some in its buffers, sent and counted but never read).
conc_mode() {
	if [ "$MODE" = count ]; then echo "-f 1"; else echo "-d $DUR"; fi
}

conc_files() {
	local i
	for ((i = 0; i < NCONC_FILES; i++)); do echo "c/f$i"; done
}

# nginx with the clients people use: curl for one file, wrk for the rest.
# Their figures become the same key=value line as p2pbench's. URL: http or
# https (curl checks the certificate; wrk checks none).
nginx_client() {
	local url=$2 out
	case $1 in
	warm) nb curl -sf --cacert "$W/tls/cert.pem" -o /dev/null "$url/small/f0000" ;;
	large | mid)
		local file=big
		[ "$1" = mid ] && file=mid
		out=$(nb "$PB" exec -- curl -sf --cacert "$W/tls/cert.pem" -o /dev/null \
			-w '%{size_download} %{time_total}\n' "$url/$file" 2>"$W/exec.err") || return 1
		set -- $out
		echo "wall=$2 bytes=$1 files=1 conns=1 window_bytes=$1 $(exec_cpu)"
		;;
	small) wrk_line -t1 -c1 -s "$W/small.lua" "$url/" ;;
	pipe) wrk_line -t1 -c1 -s "$W/pipe.lua" "$url/" ;;
	percon) wrk_line -t1 -c1 -H 'Connection: close' -s "$W/small.lua" "$url/" ;;
	conc8 | conc32 | conc256)
		if [ "$MODE" = count ]; then
			curls "${1#conc}" "$url"
		else
			wrk_line -t2 "-c${1#conc}" --timeout 60s -s "$W/conc.lua" "$url/"
		fi
		;;
	*) return 2 ;;
	esac
}

# N connections at once, one file each (counting run: all bytes read): one
# curl process running the N transfers in parallel, each on a connection of
# its own (--parallel-immediate), as p2pbench runs N threads in one process.
curls() {
	local n=$1 i out
	for ((i = 0; i < n; i++)); do
		printf 'url = "%s/c/f%d"\noutput = "/dev/null"\n' "$2" $((i % NCONC_FILES))
	done >"$W/conc.curl"
	out=$(nb "$PB" exec -- curl -sf -Z --parallel-immediate --parallel-max "$n" \
		--cacert "$W/tls/cert.pem" -w '%{size_download} %{num_connects}\n' \
		-K "$W/conc.curl" 2>"$W/exec.err") || return 1
	counted_line "$n" "$out"
}

# N CURL-OUTPUT: curl's "bytes connects" lines, one a transfer, as the
# key=value line; each of the N transfers must have made its own connection.
counted_line() {
	local bytes=0 conns=0 b c
	while read -r b c; do
		bytes=$((bytes + b))
		conns=$((conns + c))
	done <<<"$2"
	[ "$conns" = "$1" ] || { say "curl made $conns connections for $1 files"; return 1; }
	echo "window_wall=$(exec_wall) wall=$(exec_wall) bytes=$bytes files=$1 conns=$1" \
		"window_bytes=$bytes $(exec_cpu)"
}

# nginx-mtls: a new connection per file, each a full TLS 1.3 handshake with
# the client's certificate, the job of the p2p servers' percon (mutual
# authentication, one 4 KiB file). wrk has no client certificates, and curl
# makes an OpenSSL context and loads the certificates anew for each
# connection (24 M instructions a file against this 8 M): OpenSSL's own
# s_time keeps one context, as p2pbench keeps its keys, and makes only new
# sessions (-new: no resumption), for PERCONN_SECS seconds: one HTTP/1.0
# GET a connection, which nginx closes after its reply.
PERCONN_SECS=${P2P_BENCH_PERCONN_SECS:-3}

mtls_client() {
	local url=$2 out n per
	local tls=(-CAfile "$W/tls/cert.pem" -cert "$W/tls/client.pem" -key "$W/tls/client-key.pem")
	case $1 in
	warm) nb curl -sf --cacert "$W/tls/cert.pem" --cert "$W/tls/client.pem" \
		--key "$W/tls/client-key.pem" -o /dev/null "$url/small/f0000" ;;
	percon)
		out=$(nb "$PB" exec -- openssl s_time -connect "${url#https://}" -new -tls1_3 \
			"${tls[@]}" -www /small/f0000 -time "$PERCONN_SECS" \
			2>"$W/exec.err") || return 1
		read -r n per < <(sed -n 's/^\([0-9]*\) connections in [0-9]* real seconds, \([0-9]*\) bytes read per connection$/\1 \2/p' <<<"$out")
		[ "${n:-0}" -gt 0 ] && [ "${per:-0}" -ge "$SMALL_BYTES" ] ||
			{ say "s_time: $out"; return 1; }
		echo "window_wall=$(exec_wall) wall=$(exec_wall) bytes=$((n * per)) files=$n" \
			"conns=$n window_bytes=$((n * per)) $(exec_cpu)"
		;;
	*) return 2 ;;
	esac
}

exec_wall() { sed -n 's/.*wall=\([0-9.]*\).*/\1/p' "$W/exec.err" | tail -n1; }

exec_cpu() { sed -n 's/.*\(cpu=[0-9.]*\).*/\1/p' "$W/exec.err" | tail -n1; }

# "2906 requests in 3.00s, 12.32MB read" -> requests, seconds, bytes.
wrk_line() {
	local out
	out=$(nb "$PB" exec -- wrk -d "${DUR}s" "$@" 2>"$W/exec.err") || return 1
	echo "$out" | awk -v cpu="$(exec_cpu)" '
		/requests in/ {
			n = $1; t = $4; sub(/,$/, "", t)
			mult = 1
			if (t ~ /ms$/) { sub(/ms$/, "", t); t /= 1000 }
			else if (t ~ /m$/) { sub(/m$/, "", t); t *= 60 }
			else sub(/s$/, "", t)
			b = $5
			if (b ~ /TB$/) mult = 2^40; else if (b ~ /GB$/) mult = 2^30
			else if (b ~ /MB$/) mult = 2^20; else if (b ~ /KB$/) mult = 2^10
			sub(/[KMGT]?B$/, "", b)
			printf "window_wall=%s wall=%s bytes=%.0f files=%d conns=0 window_bytes=%.0f %s\n",
				t, t, b * mult, n, b * mult, cpu
		}'
}

# A key=value line as JSON members.
kv_json() {
	local kv
	for kv in $1; do
		[[ $kv =~ ^([a-z_]+)=([0-9.]+)$ ]] &&
			printf ', "%s": %s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	done
}

# P2P_BENCH_NSTAT=1: each measurement also prints the TCP counters that
# moved in both namespaces (retransmissions, SACKs, drops...), for reading.
nstat_mark() {
	[ "${P2P_BENCH_NSTAT:-0}" = 1 ] || return 0
	NSTAT_HISTORY=$W/nstat.a na nstat -n
	NSTAT_HISTORY=$W/nstat.b nb nstat -n
}

nstat_print() {
	[ "${P2P_BENCH_NSTAT:-0}" = 1 ] || return 0
	local ns
	for ns in a b; do
		echo "NSTAT $1 $2 $ns" $(NSTAT_HISTORY=$W/nstat.$ns ip netns exec $ns nstat |
			awk 'NR > 1 && $1 !~ /^(Ip|Icmp|Udp)/ { printf "%s=%s ", $1, $2 }') >&2
	done
}

# P2P_BENCH_DIAG=1: each measurement also prints, for reading, what the
# guest looked like around it: per-CPU busy and idle jiffies, context
# switches, free memory and page cache, TCP memory in pages, free blocks of
# order 3 and up, kernel threads.
diag_snap() {
	[ "${P2P_BENCH_DIAG:-0}" = 1 ] || return 0
	{
		awk '/^cpu[0-9]/ { printf "%s_busy=%d %s_idle=%d ", $1, $2 + $3 + $4 + $7 + $8, $1, $5 + $6 }
			/^ctxt/ { printf "ctxt=%d ", $2 }' /proc/stat
		awk '/^(MemFree|Cached):/ { printf "%s=%d ", $1, $2 }' /proc/meminfo | tr -d :
		awk '/^TCP:/ { printf "tcp_mem=%d ", $NF }' /proc/net/sockstat
		awk '/DMA32|Normal/ { for (i = 8; i <= NF; i++) n += $i } END { printf "hi_order=%d ", n }' /proc/buddyinfo
		printf 'kthreads=%d\n' "$(ps -e --no-headers -o ppid | grep -c '^ *2$')"
	} >"$W/diag.$1"
}

diag_print() {
	[ "${P2P_BENCH_DIAG:-0}" = 1 ] || return 0
	echo "DIAG $1 $2 $3 before: $(cat "$W/diag.0")" >&2
	echo "DIAG $1 $2 $3 after: $(cat "$W/diag.1")" >&2
}

# kTLS transmit contexts set up so far in netns a, where the servers are
# (TlsTxSw; 0 while the tls module is not loaded and the file is absent).
tls_tx() {
	na cat /proc/net/tls_stat 2>/dev/null | awk '$1 == "TlsTxSw" { n = $2 } END { print n + 0 }'
}

measure() {
	local server=$1 metric=$2 rep=$3 b0 b1 line rc t0= t1 ktls=
	case $server in kmod/* | copy/* | sendfile/* | nginx-tls/* | nginx-mtls/*) t0=$(tls_tx) ;; esac
	is_peer "$server" && peer_prepare "$server" "$metric"
	nstat_mark
	diag_snap 0
	b0=$(busy)
	[ "$MODE" = count ] && "$MARK" start
	line=$(client "$server" "$metric")
	rc=$?
	[ "$MODE" = count ] && "$MARK" stop
	b1=$(busy)
	diag_snap 1
	nstat_print "$server" "$metric"
	diag_print "$server" "$metric" "$rep"
	if [ -n "$t0" ]; then
		t1=$(tls_tx)
		ktls=", \"ktls_tx\": $((t1 - t0))"
		[ "$t1" -gt "$t0" ] ||
			say "$server $metric: kTLS not used (TlsTxSw did not grow in the servers' netns)"
	fi
	line=${line##*$'\n'}
	if [ "$rc" != 0 ] || [ -z "$line" ]; then
		say "$server $metric failed"
		echo "RESULT {\"server\": \"$server\", \"metric\": \"$metric\", \"rep\": $rep, \"failed\": true}"
		return
	fi
	echo "RESULT {\"server\": \"$server\", \"metric\": \"$metric\", \"rep\": $rep," \
		"\"busy\": $((b1 - b0)).0e-2$ktls$(kv_json "$line")}"
}

# Memory in kB: the kernel's own (slab, which also counts large kmalloc
# buffers, kernel stacks, page tables, vmalloc), anonymous user pages, and all memory
# in use but page cache and buffers (the kernel's and user's together, also
# pages the kernel took without naming them, but disturbed by free-page
# caches: a cross-check).
mem() {
	awk '/^(MemTotal|MemFree|Buffers|Cached|AnonPages|Slab|KernelStack|PageTables|VmallocUsed):/ { v[$1] = $2 }
		END { printf "%d %d %d\n", v["Slab:"] + v["KernelStack:"] + v["PageTables:"] + v["VmallocUsed:"], v["AnonPages:"],
			v["MemTotal:"] - v["MemFree:"] - v["Buffers:"] - v["Cached:"] }' /proc/meminfo
}

# N connections that each fetched one small file, then idle: memory delta.
measure_idle() {
	local server=$1 rep=$2 m0 m1 pid i
	case $server in
	nginx) client_cmd nginx-b ;;
	*) client_cmd "$server" ;;
	esac
	rm -f "$W/hold" "$W/idle.out"
	mkfifo "$W/hold"
	sync
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	sleep 1
	m0=$(mem)
	nb "${CMD[@]}" idle "$IDLE_N" small/f0000 <"$W/hold" >"$W/idle.out" &
	pid=$!
	exec 7>"$W/hold"
	for ((i = 0; i < 600; i++)); do
		grep -q ready "$W/idle.out" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sleep 1
	m1=$(mem)
	exec 7>&-
	wait "$pid"
	local rc=$?
	if [ "$rc" != 0 ] || ! grep -q ready "$W/idle.out"; then
		say "$server idle failed"
		echo "RESULT {\"server\": \"$server\", \"metric\": \"idle\", \"rep\": $rep, \"failed\": true}"
		return
	fi
	set -- $m0 $m1
	echo "RESULT {\"server\": \"$server\", \"metric\": \"idle\", \"rep\": $rep," \
		"\"conns\": $IDLE_N, \"kernel_kb\": $(($4 - $1)), \"user_kb\": $(($5 - $2))," \
		"\"used_kb\": $(($6 - $3))}"
	sleep 1	# the servers notice the closes
}

# Profile mode (P2P_BENCH_PROF=1, scripts/bench.sh --profile): the kernel's text
# symbols, the modules' included, for bench/profile.py to name the addresses the
# plugin counted; this boot's, since KASLR moves them at every boot.
print_kallsyms() {
	local n
	n=$(grep -c ' [tT] ' /proc/kallsyms)
	echo "KALLSYMS begin $n"
	grep ' [tT] ' /proc/kallsyms | sed 's/^/KSYM /'
	echo "KALLSYMS end"
}

applies() {
	# A peer runs in the first round only: OpenSSH alone would take longer
	# than all the other servers' rounds (see the head of bench/peers.sh).
	# But for sftp's large file: its rate is the one the 2x-sftp target
	# reads, and one sample of it moved from 5.3 to 14.0 MB/s between two
	# runs. It runs beside the module's in run_pairs (sftp_paired), or in
	# every round where there are no pairs.
	if is_peer "$1"; then
		peer_applies "$1" "$2" || return 1
		if [ "${1%/*}:$2" = sftp:large ]; then
			sftp_paired "$1" && return 1
		else
			[ "$3" = 1 ] || return 1
		fi
	fi
	case $1:$2 in
	*/*:large | */*:small) ;;
	*/*:*) [ "${1#*/}" = "$CIPHER1" ] || return 1 ;;
	esac
	case $1:$2 in
	nginx:handshake | nginx-b:handshake | raw:handshake | nginx-b:idle) return 1 ;;
	nginx-tls/*:handshake | nginx-tls/*:idle) return 1 ;;	# no TLS in p2pbench
	# nginx-mtls: nginx-tls for a new connection per file (curl only)
	nginx-mtls/*:warm | nginx-mtls/*:percon) ;;
	nginx-mtls/*:*) return 1 ;;
	# 256 clients: the module and the encrypted baseline (issue 16's target
	# is their instructions per GiB), counted only: in a timed window of a
	# few seconds wrk spends the window on 256 TLS handshakes (p2pbench
	# starts its window once all are made), so the rates would compare
	# different things, and one file per client takes over a minute.
	kmod*:conc256 | nginx-tls/*:conc256) [ "$MODE" = count ] || return 1 ;;
	*:conc256) return 1 ;;
	*:idle) [ "$MODE" = time ] && [ "$3" = 1 ] ;;	# memory: the first round
	esac
}

# The paired rate. Under TCG the emulated CPU's speed drifts by a third
# over tens of seconds (P2P_BENCH_DIAG=1 shows the guest as busy as ever,
# the same transfer taking 3.2 or 4.5 s), so rates measured a minute apart
# compare the host's moments as much as the servers. Here the module's
# transfer of the PAIR_MIB file and nginx HTTPS's run back to back, in
# reverse order every other time, PAIRS times per cipher: report.py takes
# the median of the module's ratio to its neighbour (metric "mid", rep =
# the pair's number). sftp is paired on the large file instead, the one its
# rate is taken on: a session costs it some 2.4 s before the first byte (its
# percon metric), which would weigh twice as much on the PAIR_MIB file. Its
# transfers are its "large" samples (it leaves the rounds: sftp_paired), the
# module's beside them metric "plarge", so that the module's rounds stay as
# they were.
run_pairs() {
	local c i s order
	head -c $((PAIR_MIB << 20)) "$DATA/big" >"$DATA/mid" || die "cannot create $DATA/mid"
	for c in $CIPHERS; do
		has_server "kmod/$c" || continue
		has_server "nginx-tls/$c" && for ((i = 1; i <= PAIRS; i++)); do
			order="nginx-tls/$c kmod/$c"
			((i % 2)) || order="kmod/$c nginx-tls/$c"
			for s in $order; do
				say "pair $i: $s"
				measure "$s" mid "$i"
			done
		done
		sftp_paired "sftp/$c" && for ((i = 1; i <= SFTP_PAIRS; i++)); do
			order="sftp/$c kmod/$c"
			((i % 2)) || order="kmod/$c sftp/$c"
			for s in $order; do
				say "sftp pair $i: $s"
				if [ "$s" = "kmod/$c" ]; then
					measure "$s" plarge "$i"
				else
					measure "$s" large "$i"
				fi
			done
		done
	done
	return 0
}

has_server() {
	expand_servers | grep -qx "$1"
}

# Whether sftp/CIPHER's large file is measured in run_pairs (timing boot,
# metric pair asked for, the module with that cipher running) rather than
# in the rounds.
sftp_paired() {
	[ "$MODE" = time ] && [[ " $METRICS " == *" pair "* ]] &&
		has_server "$1" && has_server "kmod/${1#*/}"
}

# Servers in a rotated order: round r (1..REPS) starts (r - 1) / REPS of
# the way down the list, so that each server runs early in one round, in
# the middle in another, late in a third. (Until 2026-12-07 round r started
# with the r-th server: of 19, the module with AES ran last in every round.)
# How many times sftp's large file is measured (the pairs or every round);
# with "paired", how many of them in pairs.
peer_large_reps() {
	if sftp_paired "sftp/$CIPHER1"; then
		echo "$SFTP_PAIRS"
	elif [ "${1:-}" = paired ]; then
		echo 0
	else
		echo "$REPS"
	fi
}

rotated() {
	local -a s=($(expand_servers))
	local n=${#s[@]} i off
	off=$(((($1 - 1) * n) / REPS))
	for ((i = 0; i < n; i++)); do echo "${s[(i + off) % n]}"; done
}

main() {
	local rep metric server t0
	t0=$(date +%s)
	say "kernel $(uname -r), mode $MODE, $REPS round(s), servers: $(expand_servers | tr '\n' ' ')"
	setup_crypto
	setup_net
	setup_data
	setup_p2p
	start_servers
	echo "INFO {\"kernel\": \"$(uname -r)\", \"mode\": \"$MODE\", \"reps\": $REPS," \
		"\"big_mib\": $BIG_MIB, \"conc_mib\": $CONC_MIB, \"nsmall\": $NSMALL," \
		"\"small_bytes\": $SMALL_BYTES, \"duration\": $DUR, \"perconn\": $PERCONN_N," \
		"\"handshakes\": $HS_N, \"idle\": $IDLE_N, \"cpus\": $(nproc)," \
		"\"ciphers\": \"$CIPHERS\", \"peer_reps\": 1, \"peer_large_reps\": $(peer_large_reps)," \
		"\"peer_nsmall\": $PEER_NSMALL, \"peer_perconn\": $PEER_PERCONN," \
		"\"peer_idle\": $PEER_IDLE_N, \"pair_mib\": $PAIR_MIB, \"pairs\": $PAIRS," \
		"\"sftp_pairs\": $(peer_large_reps paired)}"
	peer_na
	# Warm-up: one connection to every server, nothing recorded.
	for server in $(expand_servers); do
		client "$server" warm >/dev/null 2>&1
	done
	if [ "$MODE" = count ]; then
		for rep in 1 2 3; do
			"$MARK" start
			"$MARK" stop
			echo "RESULT {\"server\": \"none\", \"metric\": \"null\", \"rep\": $rep}"
		done
	fi
	for ((rep = 1; rep <= REPS; rep++)); do
		for metric in $METRICS; do
			if [ "$metric" = pair ]; then
				[ "$MODE" = time ] && [ "$rep" = "$REPS" ] && run_pairs
				continue
			fi
			for server in $(rotated "$rep"); do
				applies "$server" "$metric" "$rep" || continue
				say "round $rep: $metric $server"
				if [ "$metric" = idle ] && is_peer "$server"; then
					peer_idle "$server" "$rep"
				elif [ "$metric" = idle ]; then
					measure_idle "$server" "$rep"
				else
					measure "$server" "$metric" "$rep"
				fi
			done
		done
	done
	echo "COUNTERS $(na p2pctl show -j | tr -d '\n')"
	print_crypto
	[ "$MODE" = count ] && [ "${P2P_BENCH_PROF:-0}" = 1 ] && print_kallsyms
	say "done in $(($(date +%s) - t0)) s"
}

# shellcheck source=bench/peers.sh
. "$ROOT/bench/peers.sh"

# Sourced (by a diagnosis script), it only defines the functions.
[ "${BASH_SOURCE[0]}" != "$0" ] || main
