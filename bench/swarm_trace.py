#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What happened in a swarm round, from the TRACE lines of bench/swarm.sh
(p2pctl get's P2P_SWARM_TRACE): per host when it started and finished, what
it took from the seed and from peers and what it served; when each block
first entered the group; how busy the uplinks were, 10 s at a time.

    bench/swarm_trace.py build/bench/swarm/swarm.log [--round swarm-15]
"""
import argparse
import collections
import sys


def load(path, want):
    rounds = collections.OrderedDict()
    with open(path, errors="replace") as f:
        for line in f:
            p = line.split()
            if len(p) < 9 or p[0] != "TRACE":
                continue
            key = f"{p[1]}-{p[2]}"
            if want and key != want:
                continue
            start = float(p[4])
            rounds.setdefault(key, []).append({
                "host": p[3], "start": start, "t": start + float(p[5]), "took": float(p[6]),
                "block": int(p[7]), "src": p[8], "what": p[9],
                "late": len(p) > 10})
    return rounds


def report(key, ev, mib=1.0):
    print(f"== {key}")
    seed = "198.18.0.1:7437"
    name = {seed: "s0"}
    for i in range(1, 100):
        name[f"198.18.0.{10 + i}:7437"] = f"h{i}"
    hosts = sorted({e["host"] for e in ev}, key=lambda h: int(h[1:]))
    ok = [e for e in ev if e["what"] == "ok"]
    first = {}
    for e in sorted(ok, key=lambda e: e["t"]):
        first.setdefault(e["block"], (e["t"], e["host"], name.get(e["src"], e["src"])))
    served = collections.Counter(name.get(e["src"], e["src"]) for e in ok)
    print("host start  first   done  from-seed  from-peers  late  absent  served  mean-s(seed)  mean-s(peer)")
    for h in hosts:
        mine = [e for e in ev if e["host"] == h]
        got = [e for e in mine if e["what"] == "ok"]
        fs = [e for e in got if e["src"] == seed]
        fp = [e for e in got if e["src"] != seed]
        late = sum(e["late"] for e in got)
        absent = sum(e["what"] == "absent" for e in mine)
        ms = sum(e["took"] for e in fs) / len(fs) if fs else 0
        mp = sum(e["took"] for e in fp) / len(fp) if fp else 0
        print(f"{h:4} {mine[0]['start']:5.1f} {min(e['t'] for e in got):6.1f} {max(e['t'] for e in got):6.1f}"
              f" {len(fs):9} {len(fp):11} {late:5} {absent:7} {served.get(h, 0):7}"
              f" {ms:13.1f} {mp:13.1f}")
    print(f"seed served {served.get('s0', 0)} blocks")
    ts = sorted(t for t, _, _ in first.values())
    print("blocks in the group by time (first copy anywhere):",
          ", ".join(f"{n}@{t:.0f}s" for n, t in zip(range(1, len(ts) + 1), ts)
                    if n % 4 == 0 or n == len(ts)))
    end = max(e["t"] for e in ok)
    step = 10
    print("MiB delivered per 10 s (seed / peers):")
    row = []
    for a in range(0, int(end) + step, step):
        s = sum(1 for e in ok if a <= e["t"] < a + step and e["src"] == seed)
        p = sum(1 for e in ok if a <= e["t"] < a + step and e["src"] != seed)
        row.append(f"{a}s:{s}/{p}")
    print("  " + " ".join(row))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log")
    ap.add_argument("--round", help="MODE-N, e.g. swarm-15 (default: all)")
    a = ap.parse_args()
    rounds = load(a.log, a.round)
    if not rounds:
        sys.exit(f"swarm_trace: no TRACE line in {a.log}")
    for key, ev in rounds.items():
        report(key, ev)


if __name__ == "__main__":
    main()
