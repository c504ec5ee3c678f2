#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Find cycles between the files of kmod/ and between those of userspace/.

A unit is a source file without its extension: conn.c and conn.h are one
unit, "conn"; generated NAME-gen.[ch] belong to NAME.  Unit A depends on unit B when a file of A #includes B's
header ("includes"), or when A's object file needs a symbol that B's
object file defines ("calls", with nm).  Every strongly connected group
of two or more units is a cycle: it is printed with the edges that make
it, and the exit status is 1.

  scripts/cycles.py [--objs GROUP=DIR]...

--objs kmod=build/KVER  also checks the calls between the objects of
                        kmod/ found in DIR as DIR/kmod/*.o (userspace=DIR:
                        DIR/userspace/*.o, DIR/userspace/lib/*.o, ...)
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The groups, the directories their sources live in, and the include path
# the Makefile gives the compiler (CPPFLAGS).
GROUPS = {
    "kmod": ["kmod", "kmod/uapi"],
    "userspace": ["userspace", "userspace/lib", "userspace/p2pd"],
}
INCLUDE_PATH = ["kmod/uapi", "kmod", "userspace", "userspace/lib"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def unit(path):
    # Generated code is its user's: netlink-gen.c holds netlink.c's tables
    # (its ops name netlink.c's handlers, netlink.c uses its policies).
    u = os.path.splitext(path)[0]
    return u[:-len("-gen")] if u.endswith("-gen") else u


def sources(group):
    out = []
    for d in GROUPS[group]:
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if name.endswith((".c", ".h")) and not name.endswith(".mod.c"):
                out.append(os.path.join(d, name))
    return out


def resolve(src, name):
    for d in [os.path.dirname(src)] + INCLUDE_PATH:
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(ROOT, p)):
            return p
    return None


def include_edges(group):
    """{(unit A, unit B): ["file:line", ...]} for A including B's header."""
    files = set(sources(group))
    edges = {}
    for src in sorted(files):
        with open(os.path.join(ROOT, src), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                dst = resolve(src, m.group(1))
                if dst is None or dst not in files or unit(dst) == unit(src):
                    continue
                edges.setdefault((unit(src), unit(dst)), []).append(
                    "%s:%d" % (src, n))
    return edges


def nm(obj):
    out = subprocess.run(["nm", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, undefined


def call_edges(group, objdir):
    """{(unit A, unit B): [symbol, ...]} for A's object needing B's symbols.
    Objects sit in objdir as the sources in the tree: DIR/kmod/conn.o."""
    units = set(unit(s) for s in sources(group))
    objs = {}
    for d, _, names in os.walk(objdir):
        for name in names:
            u = os.path.relpath(os.path.join(d, name[:-2]), objdir)
            if name.endswith(".o") and u in units:
                objs[u] = nm(os.path.join(d, name))
    owners = {}
    for u, (defined, _) in objs.items():
        for sym in defined:
            owners.setdefault(sym, []).append(u)
    edges = {}
    for u, (_, undefined) in sorted(objs.items()):
        for sym in sorted(undefined):
            for v in owners.get(sym, []):
                if v != u:
                    edges.setdefault((u, v), []).append(sym)
    return edges, len(objs)


def components(edges):
    """Strongly connected components of two or more units (Tarjan)."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def report(group, kind, edges, why):
    found = components(edges)
    for comp in found:
        print("cycles: %s %s: %s" % (group, kind,
                                       ", ".join(os.path.basename(u) for u in comp)))
        for (a, b), ev in sorted(edges.items()):
            if a in comp and b in comp:
                print("  %s -> %s: %s" % (os.path.basename(a),
                                          os.path.basename(b), why(ev)))
    if not found:
        print("cycles: %s %s: none" % (group, kind))
    return len(found)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--objs", action="append", default=[], metavar="GROUP=DIR")
    args = ap.parse_args()
    found = 0
    for group in GROUPS:
        found += report(group, "includes", include_edges(group),
                        lambda ev: ", ".join(ev))
    for spec in args.objs:
        group, _, objdir = spec.partition("=")
        if group not in GROUPS or not os.path.isdir(objdir):
            ap.error("--objs %s: no such group or directory" % spec)
        edges, n = call_edges(group, objdir)
        if n == 0:
            ap.error("--objs %s: no object of %s there" % (spec, group))
        found += report(group, "calls", edges,
                        lambda ev: ", ".join(ev[:4]) + (" ..." if len(ev) > 4 else ""))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
