#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-swarm's report: from the RESULT lines of bench/swarm.sh to the
table on stdout, OUT/results.json, OUT/results.tsv, OUT/results.md and
OUT/chart.png (and .svg, gnuplot): completion time against host count.

usage: swarm_report.py --out DIR --log FILE [--command CMD] [--seconds N]
                       [--update-doc docs/BENCHMARKS.md]
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

MODES = {"cs": "client-server", "swarm": "swarm", "corrupt": "swarm, one bad peer"}
DOC_BEGIN = "<!-- swarm-results:begin (make bench-swarm P2P_SWARM_UPDATE_DOC=1) -->"
DOC_END = "<!-- swarm-results:end -->"


def read_log(path):
    config, results = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("CONFIG "):
                config = json.loads(line[7:])
            elif line.startswith("RESULT "):
                results.append(json.loads(line[7:]))
    return config, results


def rate_bytes(rate):
    """tc's rate syntax (8mbit, 500kbit, 1gbit, 1mbps) in bytes per second."""
    m = re.fullmatch(r"([0-9.]+)([kmg]?)(bit|bps)?", rate.lower())
    if not m or float(m.group(1)) == 0:
        return None
    v = float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}[m.group(2)]
    return v if m.group(3) == "bps" else v / 8


def seconds(results, mode, hosts):
    for r in results:
        if r["mode"] == mode and r["hosts"] == hosts and "seconds" in r:
            return r["seconds"]
    return None


def ideal(config, mode, hosts):
    """What the links alone allow: the seed sends the file once per host
    (client-server), or about once in all (swarm: the hosts pass it on)."""
    r = rate_bytes(config.get("rate", "0"))
    if r is None:
        return None
    size = config["mib"] * 1048576
    return size * hosts / r if mode == "cs" else size / r


def row(config, results, r):
    n, mode = r["hosts"], r["mode"]
    if "skipped" in r:
        return [str(n), MODES.get(mode, mode), "skipped: " + r["skipped"]] + [""] * (len(HEAD) - 3)
    secs = r["seconds"]
    cs = seconds(results, "cs", n)
    speedup = f"{cs / secs:.1f}x" if cs and mode == "swarm" and secs else ""
    right = f'{r["ok"]}/{r["gets"]}'
    if mode == "corrupt":
        right += f', bad peer named by {r["named_bad"]}/{r["gets"]}'
    link = ideal(config, mode, n)
    # What the seed's uplink carried, in copies of the file (headers and records included).
    tx = r.get("tx_bytes") or [0]
    copies = f'{tx[0] / (config["mib"] * 1048576):.1f}' if tx[0] else ""
    return [str(n), MODES.get(mode, mode), f"{secs:.1f}", speedup, right,
            f"{link:.0f}" if link else "", copies, f'{r["cpu_busy"]:.2f}']


HEAD = ["hosts", "mode", "seconds until all done", "speedup vs client-server",
        "right copies", "link bound (s)", "seed sent (copies)", "guest CPU busy"]


def targets(results):
    """Issue 17 item 4: (b) >= 5x faster than (a) with 15 hosts; (b) with 15
    within 2x of (b) with 3; with a bad peer every copy right, the bad one named."""
    out = []
    a15, b15, b3 = seconds(results, "cs", 15), seconds(results, "swarm", 15), seconds(results, "swarm", 3)
    if a15 and b15:
        out.append((f"swarm >= 5x faster than client-server, 15 hosts: {a15 / b15:.1f}x", a15 / b15 >= 5))
    if b15 and b3:
        out.append((f"swarm with 15 hosts within 2x of 3 hosts: {b15 / b3:.2f}x", b15 <= 2 * b3))
    for r in results:
        if r["mode"] == "corrupt" and "seconds" in r:
            good = r["ok"] == r["gets"] and r["named_bad"] == r["gets"]
            out.append((f'bad peer, {r["hosts"]} hosts: {r["ok"]}/{r["gets"]} right copies, '
                        f'{r["named_bad"]}/{r["gets"]} name {r["bad_host"]}', good))
    return out


def markdown(config, results, meta):
    lines = ["| " + " | ".join(HEAD) + " |", "|" + " --- |" * len(HEAD)]
    lines += ["| " + " | ".join(row(config, results, r)) + " |" for r in results]
    lines.append("")
    for text, good in targets(results):
        lines.append(f"- {'met' if good else '**not met**'}: {text}")
    lines.append("")
    lines.append(f"{meta['date']}, `{meta['command']}`, kernel {config.get('kernel')}, "
                 f"uplinks {config.get('rate')} ({config.get('qdisc', 'fifo')}), "
                 f"{config.get('mib')} MiB, exports on "
                 f"{config.get('fs')}, {meta['seconds']} s in all, host load "
                 f"{meta['host_load']}.")
    return "\n".join(lines) + "\n"


def text_table(config, results):
    rows = [HEAD] + [row(config, results, r) for r in results]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def chart(config, results, paths):
    dat = paths[0] + ".dat"
    series, hosts = [], []
    with open(dat, "w") as f:
        for mode in ("cs", "swarm"):
            pts = sorted((r["hosts"], r["seconds"]) for r in results
                         if r["mode"] == mode and "seconds" in r)
            if not pts:
                continue
            f.write(f'"{MODES[mode]}"\n')
            f.writelines(f"{n} {s:.3f}\n" for n, s in pts)
            f.write("\n\n")
            series.append(mode)
            hosts += [n for n, _ in pts]
    if not series:
        return
    color = {"cs": "#d62728", "swarm": "#1f77b4"}
    plots = []
    for i, mode in enumerate(series):
        plots.append(f"'{dat}' index {i} using 1:2 with linespoints lw 2 pt 7 "
                     f"lc rgb '{color[mode]}' title '{MODES[mode]}'")
        # The links' bound: the seed's uplink sends the file once per host, or once in all.
        if ideal(config, mode, 1):
            plots.append(f"{ideal(config, mode, 1):.3f}{' * x' if mode == 'cs' else ''} "
                         f"with lines dt 2 lc rgb '{color[mode]}' "
                         f"title '{MODES[mode]}: what the links allow'")
    body = f"""
set title "{config.get('mib')} MiB to every host, each uplink {config.get('rate')} (kernel {config.get('kernel')})"
set xlabel "hosts receiving the file (log scale)"
set ylabel "seconds until every host holds a verified copy (log scale)"
set logscale xy 2
set grid
set key left top
set xtics ({", ".join(str(n) for n in sorted(set(hosts)))})
set xrange [{min(hosts) * 0.85}:{max(hosts) * 1.15}]
plot {", ".join(plots)}
"""
    for path in paths:
        term = ("svg size 900,560 dynamic background rgb 'white' font ',11'"
                if path.endswith(".svg") else "pngcairo size 900,560 font ',11'")
        try:
            subprocess.run(["gnuplot"], input=f"set terminal {term}\nset output '{path}'\n" + body,
                           text=True, check=True, stderr=subprocess.PIPE)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"swarm_report: gnuplot failed: {getattr(e, 'stderr', e)}", file=sys.stderr)


def update_doc(path, md):
    with open(path) as f:
        doc = f.read()
    a, b = doc.find(DOC_BEGIN), doc.find(DOC_END)
    if a < 0 or b < a:
        sys.exit(f"swarm_report: {path} has no {DOC_BEGIN} ... {DOC_END}")
    with open(path, "w") as f:
        f.write(doc[:a + len(DOC_BEGIN)] + "\n" + md + doc[b:])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--command", default="make bench-swarm")
    p.add_argument("--seconds", type=int, default=0)
    p.add_argument("--update-doc")
    a = p.parse_args()
    config, results = read_log(a.log)
    order = list(MODES)
    results.sort(key=lambda r: (order.index(r["mode"]) if r["mode"] in order else 9, r["hosts"]))
    if not results:
        sys.exit(f"swarm_report: no RESULT line in {a.log}")
    load = ""
    try:
        with open(os.path.join(a.out, "host-load")) as f:
            load = " then ".join(line.split()[0] for line in f if line.strip())
    except OSError:
        pass
    meta = {"date": datetime.date.today().isoformat(), "command": a.command,
            "seconds": a.seconds, "host_load": load}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"config": config, "meta": meta, "results": results,
                   "targets": [{"text": t, "met": g} for t, g in targets(results)]}, f, indent=1)
    with open(os.path.join(a.out, "results.tsv"), "w") as f:
        f.write("\t".join(HEAD) + "\n")
        for r in results:
            f.write("\t".join(row(config, results, r)) + "\n")
    md = markdown(config, results, meta)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    chart(config, results, [os.path.join(a.out, "chart.png"), os.path.join(a.out, "chart.svg")])
    print(text_table(config, results))
    print()
    for text, good in targets(results):
        print(f"{'met    ' if good else 'NOT MET'}  {text}")
    if a.update_doc:
        update_doc(a.update_doc, md)
    print(f"\n{a.out}/results.json, results.tsv, results.md, chart.png (and .svg); "
          f"{a.seconds} s in all")


if __name__ == "__main__":
    main()
