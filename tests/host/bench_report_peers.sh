#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/report.py renders the peers' table (issue 16) from a small canned
# time.log: our servers and the peers grouped as encrypted and cleartext, each
# figure where the RESULT lines put it, a peer the guest could not run (a SKIP
# line) with its reason instead of vanishing, a metric that means nothing for a
# peer (an NA line) as n/a with its reason, and the targets against sftp
# and ksmbd with the right ratios.
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

run=$TEST_TMP/run
mkdir -p "$run"
res() { echo "RESULT {\"server\": \"$1\", \"metric\": \"$2\", \"rep\": 1, \"busy\": 0.5, \"cpu\": 0.1, $3}"; }
{
	echo 'INFO {"kernel": "6.12.0-test", "mode": "time", "reps": 3, "cpus": 2, "ciphers": "aes",' \
		'"peer_reps": 1, "peer_nsmall": 500, "peer_perconn": 5, "peer_idle": 8}'
	# large: MB/s = bytes / wall / 1e6; small: files/s = files / wall.
	res kmod/aes large '"wall": 1.0, "bytes": 200000000, "files": 1, "conns": 1'
	res sftp/aes large '"wall": 2.0, "bytes": 100000000, "files": 1, "conns": 1'
	# sftp: 500 files in 50 s on one connection, 5 new connections of a file in 10 s.
	res sftp/aes small '"wall": 50.0, "bytes": 2048000, "files": 500, "conns": 1'
	res sftp/aes percon '"wall": 10.0, "bytes": 20480, "files": 5, "conns": 5'
	res kmod/aes small '"wall": 1.0, "files": 600, "bytes": 2457600, "conns": 1'
	res ksmbd-seal/aes small '"wall": 1.0, "files": 500, "bytes": 2048000, "conns": 1'
	res nfs large '"wall": 1.0, "bytes": 90000000, "files": 1, "conns": 1'
	echo 'RESULT {"server": "nfs", "metric": "idle", "rep": 1, "conns": 64, "kernel_kb": 640, "user_kb": 64, "used_kb": 700}'
	echo 'NA {"server": "ksmbd-seal/aes", "metric": "idle", "reason": "no idle figure here"}'
	echo 'SKIP {"server": "ksmbd", "reason": "ksmbd: no listener in a non-init netns on 6.12"}'
} >"$run/time.log"

out=$TEST_TMP/out.txt
check "report.py runs on the canned log" \
	python3 bench/report.py --out "$TEST_TMP" --command test "$run"
python3 bench/report.py --out "$TEST_TMP" --command test "$run" >"$out" 2>&1
row() { grep -E "^$1 " "$out" | head -n1 | tr -s ' '; }
tab=$(sed -n '/^beside the peers/,/^targets against/p' "$out")

check "a peers table for AES-128-GCM" grep -q '^beside the peers, AES-128-GCM' "$out"
check "its header says the peers ran one round" grep -qF \
	'(our servers: medians of 3 rounds; peers: one round (500 files of 4 KiB, 5 files a new connection each, 8 idle connections);' "$out"
check_eq "groups: encrypted before cleartext" \
	"$(grep -E '^(encrypted|cleartext)' <<<"$tab" | tr '\n' ' ')" \
	"encrypted (AES-128-GCM): cleartext: "
check_eq "p2pshare.ko row: 200 MB/s, 600 files/s" "$(row p2pshare.ko)" \
	"p2pshare.ko 200 - 600 - - -"
check_eq "sftp row: 50.0 MB/s, 10.0 files/s" "$(row 'sftp \(OpenSSH\)')" \
	"sftp (OpenSSH) 50.0 - 10.0 - - -"
# (50 s - 2 s of a new connection) / 499 files
check "sftp's files/s without its one connection's set-up: 10.4" grep -qx \
	'sftp (OpenSSH), 4 KiB files without the one connection.s set-up: 10.4 files/s' "$out"
check_eq "ksmbd sealed row: 500 files/s" "$(row 'ksmbd SMB3, sealed')" \
	"ksmbd SMB3, sealed - - 500 - - n/a"
check_eq "knfsd row: 90.0 MB/s, 11.0 KiB per idle connection (10 kernel + 1 user)" \
	"$(row 'knfsd NFSv4.2')" "knfsd NFSv4.2 90.0 - - - - 11.0"
check "an n/a cell has its reason below the table" \
	grep -qx 'n/a: ksmbd SMB3, sealed, idle: no idle figure here' "$out"
check_eq "a peer that could not run says why" "$(row 'ksmbd SMB3')" \
	"ksmbd SMB3 cannot run: ksmbd: no listener in a non-init netns on 6.12"
check_eq "a peer without figures nor reason is marked, not dropped" "$(row 'scp \(OpenSSH\)')" \
	"scp (OpenSSH) not measured"
check_eq "the cleartext rows follow 'cleartext:'" \
	"$(sed -n '/^cleartext:/,$p' <<<"$tab" | grep -cE '^(knfsd|ksmbd SMB3 )')" 2
check "target: large >= 2x sftp met at 4.00" \
	grep -qE '^  large +kmod/aes +vs sftp/aes +4\.00 +\(target >= 2\.0\)  met$' "$out"
check "target: 4 KiB files >= 1.5x ksmbd sealed missed at 1.20" \
	grep -qE '^  small +kmod/aes +vs ksmbd-seal/aes +1\.20 +\(target >= 1\.5\)  MISSED$' "$out"
check "target: instructions per GiB without figures says no data" \
	grep -qE '^  insn_large +kmod/aes +vs sftp/aes .*no data$' "$out"
check "results.json keeps the skip reason" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
k = d["kernels"]["6.12.0-test"]
assert k["skips"]["ksmbd"].startswith("ksmbd: no listener"), k["skips"]
assert [t["met"] for t in k["targets"]["peers/aes"]] == [True, None, False], k["targets"]
' "$TEST_TMP/results.json"
tap_done
