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

# Columns: (role, label, encrypted). An encrypted role is measured once per
# cipher, as ROLE/CIPHER (kmod/aes); a table shows one cipher, each server
# beside p2pshare.ko with that cipher, the cleartext ones included: what
# encryption costs.
ROLES = [
    ("kmod", "p2pshare.ko", True),
    ("copy", "twin copy", True),
    ("sendfile", "twin sendfile", True),
    ("nginx-tls", "nginx HTTPS+kTLS", True),
    ("nginx-mtls", "nginx HTTPS+kTLS, client cert", True),
    ("nginx", "nginx HTTP", False),
    ("nginx-b", "nginx HTTP+p2pbench", False),
    ("raw", "raw sendfile", False),
]
# The peers (issue 16): what users pick instead, measured in the same guest run
# and shown in a table of their own, with our servers, grouped as encrypted and
# cleartext (an encrypted one as ROLE/CIPHER, like ROLES). A peer that cannot
# run is named by a line "SKIP {"server": ..., "reason": ...}" of the guest's
# log, and its row says why; a metric that means nothing for a peer, by a line
# "NA {"server": ..., "metric": ..., "reason": ...}": its cell says n/a, a
# note below the table why.
PEER_ROLES = [
    ("sftp", "sftp (OpenSSH)", True),
    ("scp", "scp (OpenSSH)", True),
    ("ksmbd-seal", "ksmbd SMB3, sealed", True),
    ("ksmbd", "ksmbd SMB3", False),
    ("nfs", "knfsd NFSv4.2", False),
]
# The peers table's columns: (header, function of the summary and a server).
PEER_COLUMNS = [
    ("MB/s", lambda s, x: med(s, "large", x)),
    ("G insn/GiB", lambda s, x: med(s, "insn_large", x)),
    ("4 KiB files/s", lambda s, x: med(s, "small", x)),
    ("k insn/file", lambda s, x: med(s, "insn_small", x)),
    ("k insn/file, new conn", lambda s, x: med(s, "insn_percon", x)),
    ("KiB/idle conn", lambda s, x: None if med(s, "mem_kernel", x) is None
     else med(s, "mem_kernel", x) + (med(s, "mem_user", x) or 0)),
]
# The guest's metric behind each peers column, for its n/a notes.
PEER_COLUMN_METRIC = ["large", "large", "small", "small", "percon", "idle"]
# Issue 16's targets against the peers, per cipher.
PEER_TARGETS = [
    ("large", "sftp", 2.0, "min"),
    ("insn_large", "sftp", 0.5, "max"),
    ("small", "ksmbd-seal", 1.5, "min"),
]
CIPHERS = {"aes": ("AES-128-GCM", "TLS_AES_128_GCM_SHA256"),
           "chacha": ("ChaCha20-Poly1305", "TLS_CHACHA20_POLY1305_SHA256")}
COLORS = {"copy": "#9400d3", "sendfile": "#009e73", "nginx-tls": "#0072b2",
          "nginx-mtls": "#cc79a7",
          "nginx": "#56b4e9", "nginx-b": "#e69f00", "raw": "#f0e442",
          "sftp": "#d55e00", "scp": "#8c564b", "ksmbd-seal": "#2ca02c", "ksmbd": "#7f7f7f",
          "nfs": "#17becf"}
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
    ("conc8", "8 clients, a file each", "MB/s", "hi", "conc8",
     lambda r: per(r["window_bytes"], r["window_wall"], 1e-6)),
    ("conc32", "32 clients, a file each", "MB/s", "hi", "conc32",
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
    ("insn_conc256", "instructions per GiB, 256 clients", "G", "lo", "conc256",
     lambda r, d: per(d, r["bytes"] / GIB, 1e-9)),
    ("insn_handshake", "instructions per handshake", "M", "lo", "handshake",
     lambda r, d: per(d, r["conns"], 1e-6)),
]

# From the counting run, a p2p server's large-file and concurrency phases
# with their handshakes counted out (conns x the server's median
# instructions per handshake, the handshake metric): what moving the data
# costs, the figure that must not grow with the number of clients (the
# concurrency files are small, CONC_MIB each, so N handshakes weigh more
# than the large file's one).
NOHS_METRICS = [
    (f"{key}_nohs", f"{label}, handshakes counted out", "G", "lo", source)
    for key, label, _, _, source, _ in COUNT_METRICS
    if key in ("insn_large", "insn_conc8", "insn_conc32", "insn_conc256")]

# Issue 14's targets, per cipher: (metric, other role, bound on kmod/other,
# "min": at least, "max": at most). The module >= 1.3x the twin: its rates at
# least 1.3 times, its instructions at most 1/1.3 times the twin's, in either
# of the twin's modes.
TARGETS = [
    ("large", "nginx-tls", 1.0, "min"),
    ("insn_large", "nginx-tls", 1.05, "max"),
    ("insn_small", "nginx-tls", 0.8, "max"),
] + [(m, twin, b, k) for twin in ("copy", "sendfile") for m, b, k in (
    ("large", 1.3, "min"), ("small", 1.3, "min"),
    ("insn_large", round(1 / 1.3, 3), "max"), ("insn_small", round(1 / 1.3, 3), "max"))]

# Issue 16's server-scaling targets, per cipher: (metric, other role, bound,
# kind, the other's metric if not the same). Against nginx HTTPS at every
# number of clients, the large file being the 1-client point; against the
# module's own 1-client figure (within 10%); a new connection against nginx
# HTTPS with a client certificate (the same mutual authentication).
SCALE_TARGETS = [
    ("insn_large", "nginx-tls", 1.0, "max"),
    ("insn_conc8", "nginx-tls", 1.0, "max"),
    ("insn_conc32", "nginx-tls", 1.0, "max"),
    ("insn_conc256", "nginx-tls", 1.0, "max"),
    ("insn_conc8_nohs", "kmod", 1.1, "max", "insn_large_nohs"),
    ("insn_conc32_nohs", "kmod", 1.1, "max", "insn_large_nohs"),
    ("insn_conc256_nohs", "kmod", 1.1, "max", "insn_large_nohs"),
    ("insn_percon", "nginx-mtls", 1.0, "max"),
]


def read_log(path):
    info, results, counters, crypto = {}, [], None, None
    skips = {}
    if not os.path.exists(path):
        return info, results, counters, crypto, skips
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
            elif tag.strip() == "CRYPTO":
                crypto = sorted(set(rest.split()))
            elif tag == "SKIP":
                r = json.loads(rest)
                skips[r["server"]] = r["reason"]
            elif tag == "NA":
                r = json.loads(rest)
                skips[f"{r['server']} {r['metric']}"] = r["reason"]
    return info, results, counters, crypto, skips


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
    info, results, counters, crypto, skips = read_log(os.path.join(run, "time.log"))
    cinfo, cresults, _, ccrypto, cskips = read_log(os.path.join(run, "count.log"))
    skips = dict(cskips, **skips)
    marks = read_marks(os.path.join(run, "insns.txt"))
    summary, samples = {}, {}
    # (server, metric) of an encrypted measurement during which the servers'
    # TlsTxSw did not grow: the server did not use kernel TLS.
    no_ktls = set()
    for r in results + cresults:
        if r.get("ktls_tx") == 0 and not r.get("failed"):
            no_ktls.add((r["server"], r["metric"]))
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
    for key, _, _, _, source in NOHS_METRICS:
        for r in counted:
            hs = summary.get("insn_handshake", {}).get(r["server"])
            if r["metric"] != source or r.get("failed") or not hs or not r.get("bytes"):
                continue
            d = r["insns"] - r["null_insns"] - r["conns"] * hs["median"] * 1e6
            samples.setdefault(key, {}).setdefault(r["server"], []).append(
                per(d, r["bytes"] / GIB, 1e-9))
        if key in samples:
            summary[key] = {s: spread(v) for s, v in samples[key].items() if spread(v)}
    load = None
    if os.path.exists(os.path.join(run, "host-load")):
        with open(os.path.join(run, "host-load")) as f:
            load = [line.split() for line in f]
    ciphers = (info.get("ciphers") or cinfo.get("ciphers") or "").split()
    return {"info": info, "count_info": cinfo, "raw": results, "counted": counted,
            "summary": summary, "counters": counters, "host_load": load,
            "ciphers": ciphers, "crypto": crypto or ccrypto, "skips": skips,
            "no_ktls": sorted(f"{s} {m}" for s, m in no_ktls)}


# The paired transfers (bench/guest.sh run_pairs), per neighbour's role:
# the module's metric, the neighbour's metric, and the info key of the file
# size in MiB and of the number of pairs.
PAIRED = {"nginx-tls": ("mid", "mid", "pair_mib", "pairs"),
          "sftp": ("plarge", "large", "big_mib", "sftp_pairs")}


def metric_source(key, role=None):
    if key == "large_paired":
        return PAIRED.get(role, PAIRED["nginx-tls"])[0]
    return next(m[4] for m in TIME_METRICS + COUNT_METRICS + NOHS_METRICS if m[0] == key)


def server_of(role, cipher, encrypted):
    return f"{role}/{cipher}" if encrypted and cipher else role


def med(summary, key, server):
    s = summary.get(key, {}).get(server)
    return s["median"] if s else None


def ktls_missing(run, key, *servers, role=None):
    src = metric_source(key, role)
    return any(f"{s} {src}" in run["no_ktls"] for s in servers)


def paired(run, cipher):
    """The module's rate over its neighbour's in each of the paired
    transfers (bench/guest.sh run_pairs; PAIRED), per neighbour."""
    kmod, out = f"kmod/{cipher}", {}
    if not run["info"].get("sftp_pairs", 1):
        roles = {k: v for k, v in PAIRED.items() if k != "sftp"}
    else:
        roles = PAIRED
    for role, (kmetric, ometric, _, _) in roles.items():
        other, k, o = f"{role}/{cipher}", {}, {}
        for r in run["raw"]:
            if r.get("failed") or not r.get("wall"):
                continue
            if r["server"] == kmod and r["metric"] == kmetric:
                k[r["rep"]] = per(r["bytes"], r["wall"], 1e-6)
            elif r["server"] == other and r["metric"] == ometric:
                o[r["rep"]] = per(r["bytes"], r["wall"], 1e-6)
        v = [k[i] / o[i] for i in sorted(k) if i in o and o[i]]
        if v:
            out[other] = spread(v)
    return out


def targets(run, cipher, bounds=TARGETS):
    summary, out = run["summary"], []
    kmod = server_of("kmod", cipher, True)
    for key, role, bound, kind, *okey in bounds:
        okey = okey[0] if okey else key
        other = server_of(role, cipher, True)
        k, o = med(summary, key, kmod), med(summary, okey, other)
        ratio = k / o if k is not None and o else None
        # A rate against a neighbour of the paired transfers reads those:
        # the rounds' medians are printed beside it.
        medians = None
        p = paired(run, cipher).get(other) if key == "large" else None
        versus = other if okey == key else f"{other} {okey}"
        if p:
            key = okey = "large_paired"
            medians, ratio = ratio, p["median"]
        met = None if ratio is None else (ratio >= bound if kind == "min" else ratio <= bound)
        out.append({"metric": key, "server": kmod, "versus": versus, "ratio": ratio,
                    "bound": bound, "kind": kind, "met": met, "medians_ratio": medians,
                    "ktls_missing": ktls_missing(run, key, kmod, role=role)
                    or ktls_missing(run, okey, other, role=role)})
    return out


def print_bounds(bounds):
    for t in bounds:
        r = "-" if t["ratio"] is None else f"{t['ratio']:.2f}"
        op = ">=" if t["kind"] == "min" else "<="
        verdict = {True: "met", False: "MISSED", None: "no data"}[t["met"]]
        if t["ktls_missing"]:
            verdict += " (kTLS not used)"
        if t.get("medians_ratio") is not None:
            verdict += f" (the rounds' medians: {t['medians_ratio']:.2f})"
        print(f"  {t['metric']:<17} {t['server']:<12} vs {t['versus']:<21} {r:>6}"
              f"  (target {op} {t['bound']})  {verdict}")


def print_paired(run, cipher, roles=("nginx-tls",)):
    p, info = paired(run, cipher), run["info"]
    for role in roles:
        v = p.get(f"{role}/{cipher}")
        if not v:
            continue
        _, _, mib, n = PAIRED[role]
        print(f"  large_paired: {info.get(mib, '?')} MiB, the module and {role} back to back, "
              "the median of the module's rate over its neighbour's in "
              f"{info.get(n, '?')} pairs (min-max): {role}/{cipher} {v['median']:.2f} "
              f"({v['min']:.2f}-{v['max']:.2f})")


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


def columns(run, cipher):
    """(server, label) of the roles with a figure, for one cipher."""
    present = {s for per_server in run["summary"].values() for s in per_server}
    cols = []
    for role, label, enc in ROLES:
        s = server_of(role, cipher, enc)
        if s not in present and enc and role in present:
            s = role		# measured without a cipher (P2P_BENCH_SERVERS=kmod)
        if s in present:
            cols.append((s, label))
    return cols


def table(run, cipher):
    summary = run["summary"]
    cols = columns(run, cipher)
    kmod = next((s for s, _ in cols if s.split("/")[0] == "kmod"), None)
    rows = [(key, f"{label} ({unit}{', lower is better' if better == 'lo' else ''})")
            for key, label, unit, better, *_ in TIME_METRICS + COUNT_METRICS + NOHS_METRICS]
    head = ["", *[name for _, name in cols]]
    lines = []
    for key, label in rows:
        if not any(med(summary, key, s) is not None for s, _ in cols if "/" in s):
            continue		# a metric this cipher was not measured with
        base = med(summary, key, kmod) if kmod else None
        cells = [label]
        for s, _ in cols:
            v = med(summary, key, s)
            mark = " !" if ktls_missing(run, key, s) else ""
            if v is None:
                cells.append("-")
            elif s == kmod or not base:
                cells.append(fmt(v) + mark)
            else:
                cells.append(f"{fmt(v)} ({v / base:.2f}x){mark}")
        lines.append(cells)
    if not lines:
        return ""
    widths = [max(len(r[i]) for r in [head] + lines) for i in range(len(head))]
    out = ["  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                     for i, c in enumerate(r)) for r in [head] + lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def skip_reason(run, role, server):
    skips = run.get("skips", {})
    return skips.get(server) or skips.get(role)


def peers_table(run, cipher):
    """Our servers and the peers, one row each, encrypted ones (with this
    cipher) then cleartext ones; a peer that could not run says why."""
    summary = run["summary"]
    present = {s for per_server in summary.values() for s in per_server}
    peer_roles = {r for r, _, _ in PEER_ROLES}
    if not any(s.split("/")[0] in peer_roles for s in present) and not any(
            k.split("/")[0] in peer_roles for k in run.get("skips", {})):
        return ""
    groups, notes = {True: [], False: []}, []
    for role, label, enc in ROLES + PEER_ROLES:
        s = server_of(role, cipher, enc)
        why = skip_reason(run, role, s)
        if s in present:
            cells = [label]
            for (_, fn), m in zip(PEER_COLUMNS, PEER_COLUMN_METRIC):
                v, na = fn(summary, s), run.get("skips", {}).get(f"{s} {m}")
                cells.append("n/a" if v is None and na else fmt(v))
                if v is None and na and (label, m, na) not in notes:
                    notes.append((label, m, na))
            groups[enc].append(cells)
        elif why:
            groups[enc].append([label, f"cannot run: {why}"])
        elif role == "ksmbd-seal" and cipher != "aes":
            groups[enc].append([label, "n/a: SMB3 encryption has AES-CCM and AES-GCM only"])
        elif role in peer_roles:
            groups[enc].append([label, "not measured"])
    head = ["", *[h for h, _ in PEER_COLUMNS]]
    n = len(head)
    widths = [max(len(r[i]) for r in [head] + groups[True] + groups[False]
                  if len(r) == n) for i in range(n)]

    def line(r):
        if len(r) < n:		# a row that says why it has no figures
            return r[0].ljust(widths[0]) + "  " + r[1]
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                         for i, c in enumerate(r))
    name = CIPHERS.get(cipher, (cipher,))[0] if cipher else "no cipher"
    out = [line(head), "  ".join("-" * w for w in widths)]
    for enc, title in ((True, f"encrypted ({name})"), (False, "cleartext")):
        if groups[enc]:
            out.append(f"{title}:")
            out += [line(r) for r in groups[enc]]
    out += [f"n/a: {label}, {m}: {why}" for label, m, why in notes]
    out += ssh_small_notes(run, cipher)
    return "\n".join(out)


def ssh_small_notes(run, cipher):
    """OpenSSH's small files share one connection that sftp and scp make
    inside the measurement (the mounts of knfsd and ksmbd are made before
    it): with N files, its set-up weighs 1/N of the new-connection figure on
    each. Taken off: small = C + N f, a new connection = C + f, so
    f = (N small - new conn) / (N - 1), for the instructions and the time."""
    summary, n = run["summary"], run["info"].get("peer_nsmall")
    out = []
    if not n or n < 2:
        return out
    for role, label, _ in PEER_ROLES:
        if role not in ("sftp", "scp"):
            continue
        s = server_of(role, cipher, True)
        ins, inp = med(summary, "insn_small", s), med(summary, "insn_percon", s)
        rs, rp = med(summary, "small", s), med(summary, "percon", s)
        parts = []
        if ins is not None and inp is not None:
            parts.append(f"{fmt((n * ins - inp) / (n - 1))} k insn/file")
        if rs and rp and n / rs > 1 / rp:
            parts.append(f"{fmt((n - 1) / (n / rs - 1 / rp))} files/s")
        if parts:
            out.append(f"{label}, 4 KiB files without the one connection's set-up: "
                       + ", ".join(parts))
    return out


def chart(run, paths, title):
    """Each server relative to p2pshare.ko with the same cipher, one group of
    bars per metric and cipher: throughput (top), cost (bottom)."""
    summary, ciphers = run["summary"], run["ciphers"] or [None]
    panels = [("throughput relative to p2pshare.ko with the same cipher (= 1; above 1: faster)",
               [m for m in TIME_METRICS if m[3] == "hi"]),
              ("cost relative to p2pshare.ko with the same cipher (= 1; above 1: costs more)",
               [m for m in TIME_METRICS + COUNT_METRICS if m[3] == "lo"])]
    dat = paths[0] + ".dat"
    roles = [(r, n, e) for r, n, e in ROLES + PEER_ROLES if r != "kmod"]
    plots = []
    with open(dat, "w") as f:
        for i, (ptitle, metrics) in enumerate(panels):
            groups = []
            for key, label, *_ in metrics:
                for c in ciphers:
                    base = med(summary, key, server_of("kmod", c, True))
                    if base and any(med(summary, key, server_of(r, c, True)) is not None
                                    for r, _, e in roles if e):
                        name = {"aes": "AES", "chacha": "ChaCha"}.get(c, c) if c else ""
                        groups.append((f"{label}, {name}" if name else label, key, c, base))
            # Only servers with a figure in this panel: gnuplot refuses empty columns.
            used = [(r, n, e) for r, n, e in roles if any(
                med(summary, key, server_of(r, c, e)) is not None for _, key, c, _ in groups)]
            f.write("metric " + " ".join(f'"{n}"' for _, n, _ in used) + "\n")
            for glabel, key, c, base in groups:
                vals = [med(summary, key, server_of(r, c, e)) for r, _, e in used]
                f.write(f'"{glabel}" ' + " ".join(
                    f"{v / base:.4f}" if v is not None else "NaN" for v in vals) + "\n")
            f.write("\n\n")
            cols = ", ".join(
                f"'{dat}' index {i} using {j + 2}:xtic(1) title columnheader({j + 2})"
                f" lc rgb '{COLORS[r]}'" for j, (r, _, _) in enumerate(used))
            plots.append(f'set title "{ptitle}"\nplot {cols}' if used else "")
    body = f"""
set multiplot layout 2,1 title "{title}"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y 2
set grid ytics
set key outside right top
set xtics rotate by -25 nomirror font ",8"
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb "black" front
{plots[0]}
{plots[1]}
unset multiplot
"""
    for path in paths:
        term = ("svg size 1400,1000 dynamic background rgb 'white' font ',10'" if path.endswith(".svg")
                else "pngcairo size 1400,1000 font ',10'")
        try:
            subprocess.run(["gnuplot"], input=f"set terminal {term}\nset output '{path}'\n"
                           + body, text=True, check=True, stderr=subprocess.PIPE)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"report: gnuplot failed: {getattr(e, 'stderr', e)}", file=sys.stderr)


def default_cipher(run):
    """The cipher under which the module costs the fewest instructions per
    GiB and per file (the sum of both ratios to the other cipher), or None."""
    s, ciphers = run["summary"], run["ciphers"]
    if len(ciphers) < 2:
        return None
    cost = {}
    for c in ciphers:
        v = [med(s, k, f"kmod/{c}") for k in ("insn_large", "insn_small")]
        if None in v:
            return None
        cost[c] = v
    ref = cost[ciphers[0]]
    return min(ciphers, key=lambda c: sum(x / r for x, r in zip(cost[c], ref)))


def peer_rounds(info):
    """How many rounds the peers' rates come from: make bench runs them in
    the first round only (bench/guest.sh), our servers in every round."""
    reps, peer = info.get("reps"), info.get("peer_reps")
    if peer is None or reps is None or peer >= reps:
        return "medians"
    sizes = ", ".join(f"{v} {k}" for k, v in (
        ("files of 4 KiB", info.get("peer_nsmall")),
        ("files a new connection each", info.get("peer_perconn")),
        ("idle connections", info.get("peer_idle"))) if v is not None)
    large = info.get("peer_large_reps") or peer
    if info.get("sftp_pairs"):
        lead = (f"peers: sftp's large file medians of {info['sftp_pairs']} transfers, each "
                "paired with the module's, the rest one round")
    elif large > peer:
        lead = f"peers: sftp's large file medians of {large} rounds, the rest one round"
    else:
        lead = "peers: one round"
    return (f"our servers: medians of {reps} rounds; {lead}"
            + (f" ({sizes})" if sizes else ""))


def report_run(a, i, d, date, doc):
    run = summarize(d)
    kernel = run["info"].get("kernel") or os.path.basename(d.rstrip("/"))
    doc["kernels"][kernel] = run
    info = run["info"]
    print(f"\n{a.command}, {date}, kernel {kernel}, guest: QEMU TCG, "
          f"{info.get('cpus', '?')} vCPUs; medians of {info.get('reps', '?')} rounds"
          f"{', instructions from one counted round' if run['counted'] else ''}")
    if run["host_load"]:
        print("host load average (1, 5, 15 min) before and after the timing run: "
              + "; ".join(" ".join(x) for x in run["host_load"]))
    if run["crypto"]:
        print("kernel AEAD drivers: " + " ".join(run["crypto"]))
    run["targets"] = {}
    for c in run["ciphers"] or [None]:
        t = table(run, c)
        if not t:
            continue
        name, suite = CIPHERS.get(c, (c, "?")) if c else ("cleartext", "")
        print(f"\n{name}{f' (nginx: TLS 1.3 {suite})' if c else ''}: each server beside "
              "p2pshare.ko with this cipher (x: server / p2pshare.ko)")
        print(t)
        if c:
            run["targets"][c] = targets(run, c)
            print(f"targets, {name} (p2pshare.ko / other, medians):")
            print_bounds(run["targets"][c])
            print_paired(run, c)
            scale = [t for t in targets(run, c, SCALE_TARGETS) if t["met"] is not None]
            if scale:
                run["targets"][f"scaling/{c}"] = scale
                print(f"server scaling targets, {name} (issue 16; measured ones only):")
                print_bounds(scale)
    for c in run["ciphers"] or [None]:
        t = peers_table(run, c)
        if not t:
            continue
        name = CIPHERS.get(c, (c,))[0] if c else "cleartext"
        print(f"\nbeside the peers, {name} ({peer_rounds(info)}; instructions: whole guest, "
              "one counted round)")
        print(t)
        if c:
            run["targets"][f"peers/{c}"] = targets(run, c, PEER_TARGETS)
            print(f"targets against the peers, {name} (p2pshare.ko / peer, medians):")
            print_bounds(run["targets"][f"peers/{c}"])
            print_paired(run, c, ("sftp",))
    if run["no_ktls"]:
        print("\n! kTLS not used (the servers' TlsTxSw did not grow): "
              + ", ".join(run["no_ktls"]))
    run["default_cipher"] = default_cipher(run)
    if run["default_cipher"]:
        print(f"\nfewest instructions for the module: {run['default_cipher']}")
    out = os.path.join(a.out, "chart" if i == 0 else f"chart-{kernel}")
    chart(run, [out + ".png", out + ".svg"],
          f"p2pshare benchmark, {kernel}, {date} (QEMU TCG: compare ratios)")


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
        report_run(a, i, d, date, doc)
    path = os.path.join(a.out, "results.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    print(f"\nraw numbers: {path}; chart: {os.path.join(a.out, 'chart.png')} (and .svg)"
          + (f"; took {a.seconds} s" if a.seconds else ""))


if __name__ == "__main__":
    main()
