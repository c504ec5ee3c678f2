#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark's report: from the logs of bench/guest.sh (one directory per
kernel: time.log, and count.log with the plugin's insns.txt) to the table on
stdout, OUT/results.json and OUT/chart.png (gnuplot).

usage: report.py --out DIR [--command CMD] [--seconds N] RUNDIR...
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

SERVERS = [
    ("kmod", "p2pshare.ko"),
    ("copy", "twin copy"),
    ("sendfile", "twin sendfile"),
    ("nginx", "nginx"),
    ("nginx-b", "nginx+p2pbench"),
    ("raw", "raw sendfile"),
]
COLORS = {"copy": "#9400d3", "sendfile": "#009e73", "nginx": "#56b4e9",
          "nginx-b": "#e69f00", "raw": "#f0e442"}
GIB = 1 << 30


def per(a, b, scale=1.0):
    return a / b * scale if b else None


# key, label, unit, better ("hi"/"lo"), source metric, function of one result
TIME_METRICS = [
    ("large", "large file, 1 client", "MB/s", "hi", "large",
     lambda r: per(r["bytes"], r["wall"], 1e-6)),
    ("small", "small files, 1 connection", "files/s", "hi", "small",
     lambda r: per(r["files"], r["wall"])),
    ("pipe", "small files, 1 connection, 16 requests outstanding", "files/s", "hi", "pipe",
     lambda r: per(r["files"], r["wall"])),
    ("percon", "small files, 1 per connection", "files/s", "hi", "percon",
     lambda r: per(r["files"], r["wall"])),
    ("conc8", "8 clients, 32 MiB files", "MB/s", "hi", "conc8",
     lambda r: per(r["window_bytes"], r["window_wall"], 1e-6)),
    ("conc32", "32 clients, 32 MiB files", "MB/s", "hi", "conc32",
     lambda r: per(r["window_bytes"], r["window_wall"], 1e-6)),
    ("handshake", "new authenticated connections", "conn/s", "hi", "handshake",
     lambda r: per(r["conns"], r["wall"])),
    ("cpu_large", "server CPU, large file", "s/GiB", "lo", "large",
     lambda r: per(max(r["busy"] - r["cpu"], 0), r["bytes"] / GIB)),
    ("cpu_small", "server CPU, small files", "us/file", "lo", "small",
     lambda r: per(max(r["busy"] - r["cpu"], 0), r["files"], 1e6)),
    ("mem_kernel", "kernel memory (slab, stacks) per idle connection", "KiB", "lo", "idle",
     lambda r: per(r["kernel_kb"], r["conns"])),
    ("mem_user", "user memory per idle connection", "KiB", "lo", "idle",
     lambda r: per(r["user_kb"], r["conns"])),
]

# From the counting run: d is the phase's instruction count less a null phase.
COUNT_METRICS = [
    ("insn_large", "instructions per GiB, large file", "G", "lo", "large",
     lambda r, d: per(d, r["bytes"] / GIB, 1e-9)),
    ("insn_small", "instructions per file, 1 connection", "k", "lo", "small",
     lambda r, d: per(d, r["files"], 1e-3)),
    ("insn_pipe", "instructions per file, 16 outstanding", "k", "lo", "pipe",
     lambda r, d: per(d, r["files"], 1e-3)),
    ("insn_percon", "instructions per file, 1 per connection", "k", "lo", "percon",
     lambda r, d: per(d, r["files"], 1e-3)),
    ("insn_conc8", "instructions per GiB, 8 clients", "G", "lo", "conc8",
     lambda r, d: per(d, r["bytes"] / GIB, 1e-9)),
    ("insn_conc32", "instructions per GiB, 32 clients", "G", "lo", "conc32",
     lambda r, d: per(d, r["bytes"] / GIB, 1e-9)),
    ("insn_handshake", "instructions per handshake", "M", "lo", "handshake",
     lambda r, d: per(d, r["conns"], 1e-6)),
]

# (metric, other server, the least kmod/other must reach or, with "max", the most)
TARGETS = [
    ("large", "copy", 1.5, "min"),
    ("large", "nginx", 1.0, "min"),
    ("large", "raw", 0.8, "min"),
    ("insn_large", "raw", 1.05, "max"),
    ("small", "copy", 2.0, "min"),
    ("small", "nginx", 1.5, "min"),
    ("insn_small", "nginx", 0.5, "max"),
]

# The small-file bounds again, with 16 requests outstanding: shown beside the
# targets, not counted as them (the figure is one request at a time).
PIPELINED = [
    ("pipe", "copy", 2.0, "min"),
    ("pipe", "nginx", 1.5, "min"),
    ("insn_pipe", "nginx", 0.5, "max"),
]


def read_log(path):
    info, results, counters = {}, [], None
    if not os.path.exists(path):
        return info, results, counters
    with open(path) as f:
        for line in f:
            tag, _, rest = line.partition(" ")
            if tag == "INFO":
                info = json.loads(rest)
            elif tag == "RESULT":
                results.append(json.loads(rest))
            elif tag == "COUNTERS":
                try:
                    counters = json.loads(rest)
                except ValueError:
                    pass
    return info, results, counters


def read_marks(path):
    """(start, stop) instruction totals, in the order the guest made them."""
    pairs, start = [], None
    if not os.path.exists(path):
        return pairs
    with open(path) as f:
        for line in f:
            w = line.split()
            if w[0] == "start":
                start = int(w[3])
            elif w[0] == "stop" and start is not None:
                pairs.append(int(w[3]) - start)
                start = None
    return pairs


def spread(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def summarize(run):
    info, results, counters = read_log(os.path.join(run, "time.log"))
    cinfo, cresults, _ = read_log(os.path.join(run, "count.log"))
    marks = read_marks(os.path.join(run, "insns.txt"))
    summary, samples = {}, {}
    for key, _, _, _, source, fn in TIME_METRICS:
        for r in results:
            if r["metric"] == source and not r.get("failed"):
                samples.setdefault(key, {}).setdefault(r["server"], []).append(fn(r))
    counted = []
    if cresults and len(marks) == len(cresults):
        nulls = [d for r, d in zip(cresults, marks) if r["metric"] == "null"]
        null = statistics.median(nulls) if nulls else 0
        for r, d in zip(cresults, marks):
            if r["metric"] == "null":
                continue
            r = dict(r, insns=d, null_insns=null)
            counted.append(r)
            for key, _, _, _, source, fn in COUNT_METRICS:
                if r["metric"] == source and not r.get("failed"):
                    samples.setdefault(key, {}).setdefault(r["server"], []).append(
                        fn(r, d - null))
    elif cresults:
        print(f"report: {run}: {len(cresults)} counted phases but {len(marks)} marks: "
              "no instruction figures", file=sys.stderr)
    for key, per_server in samples.items():
        summary[key] = {s: spread(v) for s, v in per_server.items() if spread(v)}
    load = None
    if os.path.exists(os.path.join(run, "host-load")):
        with open(os.path.join(run, "host-load")) as f:
            load = [line.split() for line in f]
    return {"info": info, "count_info": cinfo, "raw": results, "counted": counted,
            "summary": summary, "counters": counters, "host_load": load}


def med(summary, key, server):
    s = summary.get(key, {}).get(server)
    return s["median"] if s else None


def targets(summary, bounds=TARGETS):
    out = []
    for key, other, bound, kind in bounds:
        k, o = med(summary, key, "kmod"), med(summary, key, other)
        ratio = k / o if k is not None and o else None
        met = None if ratio is None else (ratio >= bound if kind == "min" else ratio <= bound)
        out.append({"metric": key, "versus": other, "ratio": ratio, "bound": bound,
                    "kind": kind, "met": met})
    return out


def print_bounds(bounds):
    for t in bounds:
        r = "-" if t["ratio"] is None else f"{t['ratio']:.2f}"
        op = ">=" if t["kind"] == "min" else "<="
        verdict = {True: "met", False: "MISSED", None: "no data"}[t["met"]]
        print(f"  {t['metric']:<11} vs {t['versus']:<9} {r:>6}  (target {op} {t['bound']})  {verdict}")


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table(run, servers):
    summary = run["summary"]
    rows = [(key, f"{label} ({unit}{', lower is better' if better == 'lo' else ''})")
            for key, label, unit, better, *_ in TIME_METRICS + COUNT_METRICS]
    head = ["", *[name for s, name in SERVERS if s in servers]]
    lines = []
    for key, label in rows:
        if key not in summary:
            continue
        base = med(summary, key, "kmod")
        cells = [label]
        for s, _ in SERVERS:
            if s not in servers:
                continue
            v = med(summary, key, s)
            if v is None:
                cells.append("-")
            elif s == "kmod" or not base:
                cells.append(fmt(v))
            else:
                cells.append(f"{fmt(v)} ({v / base:.2f}x)")
        lines.append(cells)
    widths = [max(len(r[i]) for r in [head] + lines) for i in range(len(head))]
    out = ["  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                     for i, c in enumerate(r)) for r in [head] + lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def chart(run, path, title):
    summary = run["summary"]
    panels = [("throughput relative to p2pshare.ko (= 1; above 1: faster than the module)",
               [m for m in TIME_METRICS if m[3] == "hi"]),
              ("cost relative to p2pshare.ko (= 1; above 1: costs more than the module)",
               [m for m in TIME_METRICS + COUNT_METRICS if m[3] == "lo"])]
    dat = path + ".dat"
    plots = []
    with open(dat, "w") as f:
        for i, (ptitle, metrics) in enumerate(panels):
            keys = [m for m in metrics if med(summary, m[0], "kmod")]
            # Only servers with a figure in this panel: gnuplot refuses empty columns.
            servers = [(s, n) for s, n in SERVERS if s != "kmod" and any(
                med(summary, m[0], s) is not None for m in keys)]
            f.write("metric " + " ".join(f'"{n}"' for _, n in servers) + "\n")
            for key, label, *_ in keys:
                base = med(summary, key, "kmod")
                vals = [med(summary, key, s) for s, _ in servers]
                f.write(f'"{label}" ' + " ".join(
                    f"{v / base:.4f}" if v is not None else "NaN" for v in vals) + "\n")
            f.write("\n\n")
            cols = ", ".join(
                f"'{dat}' index {i} using {j + 2}:xtic(1) title columnheader({j + 2})"
                f" lc rgb '{COLORS[s]}'" for j, (s, _) in enumerate(servers))
            plots.append(f'set title "{ptitle}"\nplot {cols}' if servers else "")
    script = f"""
set terminal pngcairo size 1400,1000 font ",10"
set output '{path}'
set multiplot layout 2,1 title "{title}"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y 2
set grid ytics
set key outside right top
set xtics rotate by -20 nomirror
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb "black" front
{plots[0]}
{plots[1]}
unset multiplot
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True,
                       stderr=subprocess.PIPE)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report: gnuplot failed: {getattr(e, 'stderr', e)}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--seconds", type=int)
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    # The date of the run: when its last log was written, so that a report
    # made again from the same logs says the same.
    logs = [os.path.join(d, f) for d in a.runs for f in ("time.log", "count.log")
            if os.path.exists(os.path.join(d, f))]
    stamp = max(os.path.getmtime(f) for f in logs) if logs else None
    date = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC") if stamp else "?"
    doc = {"date": date, "command": a.command, "seconds": a.seconds, "kernels": {}}
    for i, d in enumerate(a.runs):
        run = summarize(d)
        run["targets"] = targets(run["summary"])
        run["pipelined"] = targets(run["summary"], PIPELINED)
        kernel = run["info"].get("kernel") or os.path.basename(d.rstrip("/"))
        doc["kernels"][kernel] = run
        servers = {r["server"] for r in run["raw"] + run["counted"]}
        info = run["info"]
        print(f"\n{a.command}, {date}, kernel {kernel}, guest: QEMU TCG, "
              f"{info.get('cpus', '?')} vCPUs; medians of {info.get('reps', '?')} rounds"
              f"{', instructions from one counted round' if run['counted'] else ''}")
        if run["host_load"]:
            print("host load average (1, 5, 15 min) before and after the timing run: "
                  + "; ".join(" ".join(x) for x in run["host_load"]))
        print(table(run, servers))
        print("\ntargets (p2pshare.ko / other, medians):")
        print_bounds(run["targets"])
        print("the small-file bounds with 16 requests outstanding (not targets):")
        print_bounds(run["pipelined"])
        png = os.path.join(a.out, "chart.png" if i == 0 else f"chart-{kernel}.png")
        chart(run, png, f"p2pshare benchmark, {kernel}, {date} (QEMU TCG: compare ratios)")
    path = os.path.join(a.out, "results.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    print(f"\nraw numbers: {path}; chart: {os.path.join(a.out, 'chart.png')}"
          + (f"; took {a.seconds} s" if a.seconds else ""))


if __name__ == "__main__":
    main()
