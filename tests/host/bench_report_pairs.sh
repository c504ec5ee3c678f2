#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/report.py reads the paired transfers (bench/guest.sh run_pairs,
# metric "mid"): the module's rate over each neighbour's in the same pair,
# the median over the pairs, is what the rate target against nginx HTTPS
# reads, with the rounds' medians printed beside; a cipher without pairs
# keeps the medians' verdict. sftp is paired on the large file: its
# "large" transfers beside the module's "plarge" ones, rep by rep.
. "$(dirname "$0")/../lib.sh"
cd "$P2P_ROOT" || exit 1
tap_plan

run=$TEST_TMP/run
mkdir -p "$run"
# RES SERVER METRIC REP MB: one transfer of MB megabytes (10^6) in 1 s.
res() {
	echo "RESULT {\"server\": \"$1\", \"metric\": \"$2\", \"rep\": $3, \"busy\": 1.0," \
		"\"cpu\": 0.5, \"wall\": 1.0, \"bytes\": $(($4 * 1000000)), \"files\": 1, \"conns\": 1}"
}
{
	echo 'INFO {"kernel": "6.12.0-test", "mode": "time", "reps": 3, "cpus": 2,' \
		'"ciphers": "aes chacha", "peer_reps": 1, "peer_large_reps": 3, "pair_mib": 64, "pairs": 3,' \
		'"big_mib": 128, "sftp_pairs": 3}'
	# The rounds: the module 30 MB/s, nginx HTTPS 40, sftp 20 (AES);
	# 30 / 25 / 10 with ChaCha20, which has no pairs.
	for rep in 1 2 3; do
		res kmod/aes large $rep 30
		res nginx-tls/aes large $rep 40
		res kmod/chacha large $rep 30
		res nginx-tls/chacha large $rep 25
	done
	# sftp, AES: paired with the module, 30/20, 33/15, 40/16 -> 1.50,
	# 2.20, 2.50; its median 16 against the module's rounds' 30: 1.88.
	res sftp/aes large 1 20
	res kmod/aes plarge 1 30
	res kmod/aes plarge 2 33
	res sftp/aes large 2 15
	res sftp/aes large 3 16
	res kmod/aes plarge 3 40
	# sftp, ChaCha20: one transfer, no module beside it.
	res sftp/chacha large 1 10
	# The pairs: module / nginx 33/30, 36/40, 44/40 -> 1.10, 0.90, 1.10.
	res nginx-tls/aes mid 1 30
	res kmod/aes mid 1 33
	res kmod/aes mid 2 36
	res nginx-tls/aes mid 2 40
	res nginx-tls/aes mid 3 40
	res kmod/aes mid 3 44
} >"$run/time.log"

out=$TEST_TMP/out.txt
check "report.py runs on the canned log" \
	python3 bench/report.py --out "$TEST_TMP" --command test "$run"
python3 bench/report.py --out "$TEST_TMP" --command test "$run" >"$out" 2>&1

check "AES vs nginx HTTPS: the pairs' median 1.10, met; the medians' 0.75 beside" \
	grep -qE '^  large_paired +kmod/aes +vs nginx-tls/aes +1\.10 +\(target >= 1\.0\)  met \(the rounds. medians: 0\.75\)$' "$out"
check "AES vs sftp: the pairs' median 2.20, met; the medians' 1.88 beside" \
	grep -qE '^  large_paired +kmod/aes +vs sftp/aes +2\.20 +\(target >= 2\.0\)  met \(the rounds. medians: 1\.88\)$' "$out"
check "sftp's pairs and their spread are printed" grep -qF \
	"128 MiB, the module and sftp back to back, the median of the module's rate over its neighbour's in 3 pairs (min-max): sftp/aes 2.20 (1.50-2.50)" "$out"
check "the peers' header says sftp's large file is paired" grep -qF \
	"peers: sftp's large file medians of 3 transfers, each paired with the module's, the rest one round" "$out"
check "the pairs' spread is printed" grep -qF \
	"the module's rate over its neighbour's in 3 pairs (min-max): nginx-tls/aes 1.10 (0.90-1.10)" "$out"
check "ChaCha20 has no pairs: the medians' 1.20 vs nginx HTTPS" \
	grep -qE '^  large +kmod/chacha +vs nginx-tls/chacha +1\.20 +\(target >= 1\.0\)  met$' "$out"
check "ChaCha20 has no pairs: the medians' 3.00 vs sftp" \
	grep -qE '^  large +kmod/chacha +vs sftp/chacha +3\.00 +\(target >= 2\.0\)  met$' "$out"
check "the pairs' rates are no row of the table" \
	test "$(grep -cE '^(mid|plarge)' "$out")" = 0
check "the module's large file is its rounds' alone (30.0 MB/s)" \
	grep -qE '^large .* 30\.0 ' "$out"
check "results.json keeps both ratios" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["kernels"]["6.12.0-test"]["targets"]["aes"][0]
assert t["metric"] == "large_paired" and abs(t["ratio"] - 1.1) < 1e-9, t
assert abs(t["medians_ratio"] - 0.75) < 1e-9, t
' "$TEST_TMP/results.json"
tap_done
