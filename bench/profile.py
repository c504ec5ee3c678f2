#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the instructions go: the per-block profile of the counting run
(bench/insn_count.c with prof=FILE) named with the guest's /proc/kallsyms.

usage: profile.py --log count.log --prof prof.txt --kallsyms kallsyms
                  [--top N] [--diff SERVER[:METRIC] SERVER[:METRIC]]... [--module M]...

The prof file has one section per phase ("phase SEQ TOTAL", then "ADDR
COUNT" lines); the phases pair in order with the RESULT lines of the log,
as in bench/report.py. Every address is named by the kernel text symbol at
or below it (kallsyms sorted, bisect), or "[user]" below the kernel half.
Per phase, the null phase (two marks and nothing between; the median one)
is taken off function by function, like report.py does with the totals, and
the rest divided by the phase's files: instructions per file.

Categories are simple name patterns, first match wins (CATEGORIES below):
a rough split, good to a few hundred instructions per file.
"""
import argparse
import bisect
import collections
import json
import re
import statistics
import sys

USER_TOP = 0xffff800000000000
# An address further than this above its symbol is not in it (module
# gaps, JIT code, the end of the text).
MAX_FUNC = 1 << 18

# (category, kernel modules, regular expression on the symbol's name);
# "[user]" is the user category, modules are tried before names.
CATEGORIES = [
    ("user", (), r"^\[user\]$"),
    ("p2pshare", ("p2pshare",), None),
    # The peers' kernel halves (issue 16): servers and clients by module.
    ("ksmbd (SMB3 server)", ("ksmbd",), None),
    ("cifs (SMB3 client)", ("cifs",), None),
    ("knfsd/nfs client/sunrpc", ("nfsd", "nfs", "nfsv4", "sunrpc", "lockd", "auth_rpcgss",
                                 "grace", "nfs_acl"), None),
    ("kTLS record layer", ("tls",), None),
    ("crypto", ("chacha20poly1305", "chacha_x86_64", "poly1305_x86_64",
                "curve25519_x86_64", "chacha_generic", "poly1305_generic",
                "libpoly1305", "curve25519_generic", "libcurve25519_generic",
                "libchacha", "aesni_intel", "ghash_clmulni_intel", "gcm", "aes_generic",
                "ghash_generic", "gf128mul", "crypto_simd", "cryptd"),
     r"chacha|poly1305|curve25519|sha256|sha512|blake2s|crypto_|aes|ghash"),
    ("syscall entry/exit", (),
     r"^entry_SYSCALL|^do_syscall_64|^x64_sys_call|^syscall_|exit_to_user_mode"
     r"|^__x64_sys_(read|write|close|exit|brk|rt_sig|newfstat|fstat)\b"
     r"|fpu_|fpregs|xfeature|xsave|xrstor|^rseq|^__rseq|^arch_exit|^irqentry_exit_to_user"
     r"|^restore_fpregs|^__x64_sys_ni|^sys_ni|^fire_user_return|^mds_|^clear_bhb"),
    ("copies/memset (rep: 1 per byte)", (),
     r"^rep_movs|^rep_stos|^memcpy|^__memcpy|^memmove|^__memmove|^memset|^__memset"
     r"|^clear_page|^copy_mc|^copy_user|^_copy_to_user|^_copy_from_user|^__copy_user"
     r"|^__check_object_size|^check_heap_object|^__virt_addr_valid|^check_stack_object"
     r"|^_copy_to_iter|^_copy_from_iter|^copy_page_to_iter|^copy_page_from_iter"),
    ("net (tcp/ip/veth/core/softirq)", ("veth",),
     r"tcp|^inet|^__inet|^ip_|^__ip_|^ipv4|^ipv6|^ip6|^raw_v|^udp|^icmp|^sock|^__sock"
     r"|^sk_|^__sk_|skb|napi|netif|^net_|^__net|^dev_|^__dev_|^neigh|^__neigh|^dst_"
     r"|nf_|nft_|netfilter|process_backlog|softirq|^__local_bh|^local_bh|^lock_sock"
     r"|^release_sock|^eth_|csum|^rps_|gro_|^__sys_(send|recv|socket|connect|accept"
     r"|setsockopt|getsockopt|sendto|recvfrom|sendmsg|recvmsg)|^__x64_sys_(send|recv"
     r"|socket|connect|accept|setsockopt|getsockopt)|^___sys_|^sys_(send|recv)"
     r"|sockfd_lookup|move_addr_to|^security_sock|^apparmor_sock|^aa_sock|^bpf_"
     r"|^__bpf|^sk_filter|^__cgroup_bpf|^cgroup_bpf|^page_frag|^mem_cgroup_(un)?charge_skmem"
     r"|^__zerocopy|^net_rx|^rt_|^fib|^__fib|^qdisc|^__qdisc|^pfifo|^dql_|^validate_xmit"
     r"|^secure_tcp|^skip_spaces_x|^__copy_skb|^copy_skb|^__build_skb|^build_skb"),
    ("vfs (open/lookup/dcache/splice/pipe/filemap/shmem)", ("overlay", "9p", "9pnet",
                                                            "9pnet_virtio", "netfs"),
     r"^vfs_|^__vfs|path|lookup|^d_|^__d_|^dput|^dget|dcache|dentry|^filename|getname"
     r"|^putname|open|^file|^__file|^fput|^__fput|^fget|^__fget|^fdget|^__fdget|^fd_"
     r"|_fd$|^alloc_fd|^close_fd|^__close|^file_close|fd_install|^do_dentry|^may_"
     r"|^step_into|^walk_component|^link_|^nd_|^complete_walk|^terminate_walk"
     r"|^legitimize|^try_to_unlazy|^unlazy|^inode|^__inode|^generic_permission"
     r"|^make_vfs|^from_vfs|^mnt|^__mnt|^mntput|^mntget|^__legitimize|splice|pipe"
     r"|filemap|folio|^page_cache|^__page_cache|shmem|^generic_file|atime"
     r"|fsnotify|^security_file|^security_inode|^apparmor_file|^aa_file|^aa_path"
     r"|^security_path|^apparmor_path|^build_open|^do_sys_open|^do_filp|^alloc_empty_file"
     r"|^init_file|^__alloc_file|^kernel_read|^rw_verify|^ksys_(read|write|lseek)"
     r"|^__x64_sys_(open|openat|openat2|close|newfstatat|statx|fstat|lseek|pread"
     r"|sendfile|splice|read|write)|^do_sendfile|^vfs_fstat|^cp_new_stat|^cp_statx"
     r"|^do_statx|^vfs_getattr|^generic_fillattr|^touch_atime|^mark_buffer|^iput"
     r"|^igrab|^__fsnotify|^dnotify|^lockref|^task_work|^____fput|^cred_fscmp"
     r"|^readahead|^page_cache_ra|^ondemand_readahead|^copy_page_to_iter|^copy_page_from_iter"
     r"|^_copy_to_iter|^_copy_from_iter|^iov_iter|^import_|^__import|^iter_|^fault_in"),
    ("mm (slab/pages/memcg/faults)", (),
     r"kmem_cache|kmalloc|^kfree|^__kfree|^kvfree|^kvmalloc|^__kvmalloc|slab|slub"
     r"|alloc_pages|free_pages|^free_unref|^__free|^rmqueue|^__rmqueue|get_page_from_freelist"
     r"|memcg|mem_cgroup|obj_cgroup|objcg|obj_stock|^refill_stock|^consume_stock"
     r"|(^|_)fault|^handle_mm|^__handle_mm|^do_anonymous|^do_wp|^wp_page|^vma|^__vma|^mmap"
     r"|^munmap|^unmap|^zap_|tlb|^pte|^__pte|^pmd|^__pmd|^pud|^copy_page|^clear_page"
     r"|^lru|^__lru|^folio_add_lru|^vmalloc|^__vmalloc|^vfree|^__vunmap|^mm_|^__mm"
     r"|^mmput|^exit_mmap|anon_vma|^page_|^__page|^set_pte|^ptep|^do_set_pte|^next_uptodate"
     r"|^release_pages|^put_page|^__put_page|^get_user_pages|^pin_user|^memset|^memcpy"
     r"|^__memset|^__memcpy|^rep_movs|^rep_stos|^copy_user|^_copy_to_user|^_copy_from_user"
     r"|^__check_object_size|^check_heap_object|^__virt_addr_valid|^find_vma|^lock_vma"
     r"|^vm_|^__vm_|^do_brk|^brk|^__x64_sys_(brk|mmap|munmap|mprotect)|^mprotect|^mas_"
     r"|^mtree|^__mt_|^mab_|^mast_|^kmem_|^__kmem|^percpu|^pcpu|^__pcpu|^mod_lruvec"
     r"|^__mod_lruvec|^__mod_node|^mod_node|^__count_memcg|^__inc_|^__dec_|^inc_|^dec_"),
    ("sched/idle/irq/timer/ipi/rcu/wakeup", (),
     r"sched|^schedule|^__schedule|^pick_|enqueue|dequeue|^update_curr|load_avg"
     r"|^update_cfs|^update_rq|^update_min_vruntime|^update_entity|^update_se|^reweight"
     r"|^place_entity|^account_|cpuacct|wake|ttwu|wait|^select_task_rq|^select_idle"
     r"|^set_next|^put_prev|^__switch_to|^switch_mm|^finish_task_switch|^context_switch"
     r"|^psi_|^cgroup_rstat|hrtimer|timer|tick|^ktime|clock|lapic|apic|irq|idle|mwait"
     r"|halt|^smp_call|ipi|IPI|call_function|resched|rcu|^read_tsc|nohz|^cpu_util|balance"
     r"|^task_tick|vtime|^arch_cpu|^cpu_startup|pvclock|^kvm_|^hlt|^__sysvec|^sysvec"
     r"|^asm_sysvec|^flush_smp|^generic_exec_single|^llist|^__cpuidle|^cpuidle"
     r"|^native_safe|^default_idle|^do_idle|^__update_idle|^newidle|^nr_iowait|^avg_vruntime"
     r"|^entity_|^__enqueue|^__dequeue|^__pick|^check_preempt|^wakeup_preempt|^__calc_delta"
     r"|^calc_|^__cgroup_account|^cgroup_account|^task_h_load|^attach_entity|^detach_entity"
     r"|^__resched|^set_task_cpu|^migrate|^__migrate|^activate_task|^deactivate_task"
     r"|^raw_spin_rq|^_raw_spin_rq|^rq_|^__rq|^do_nanosleep|^hrtimer|^poll|^do_poll|^do_sys_poll"
     r"|^ep_|^do_epoll|^__x64_sys_epoll|epoll|^select|^do_select|^core_sys_select"),
    ("locks", (), r"spin_lock|spin_unlock|spin_trylock|^mutex|^__mutex|rwsem|^down_|^up_"
                  r"|^__down_|^__up_|queued_|^osq_|^_raw_|^preempt_|^__preempt|^lockref"),
    ("process (fork/exec/exit/signals)", (),
     r"fork|^copy_process|^kernel_clone|exit|exec|bprm|^load_elf|^begin_new_exec"
     r"|^setup_new_exec|^dup_|^mmput|^wake_up_new_task|^signal|^__send_signal|^send_signal"
     r"|^do_signal|^get_signal|^arch_do_signal|^sig|^__sig|^do_group_exit|^release_task"
     r"|^free_task|^put_task|^__put_task|^wait4|^kernel_wait|^do_wait|^__do_wait|^copy_"
     r"|^__x64_sys_(clone|execve|wait4|exit_group|rt_)|^task_|^pid|^alloc_pid|^free_pid"
     r"|^cgroup_|^css_|^perf_event|^ns_|^unshare|^setns|^switch_task_namespaces"),
]
OTHER = "other"
COMPILED = [(c, set(m), re.compile(r) if r else None) for c, m, r in CATEGORIES]
CAT_ORDER = [c for c, _, _ in CATEGORIES] + [OTHER]


def category(name, module):
    for cat, mods, rx in COMPILED:
        if module and module in mods:
            return cat
        if rx and rx.search(name):
            return cat
    return OTHER


class Symbols:
    def __init__(self, path):
        rows = []
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) < 3 or w[1] not in "tT" or w[2].startswith("__pfx_"):
                    continue
                mod = w[3].strip("[]") if len(w) > 3 else ""
                rows.append((int(w[0], 16), w[2], mod))
        rows.sort()
        if not rows or rows[-1][0] == 0:
            sys.exit(f"profile: {path}: no kernel text symbols with addresses")
        self.addr = [r[0] for r in rows]
        self.rows = rows

    def name(self, addr):
        """(label, module) of an address."""
        if addr < USER_TOP:
            return "[user]", ""
        i = bisect.bisect_right(self.addr, addr) - 1
        if i < 0 or addr - self.addr[i] > MAX_FUNC:
            return "[kernel, no symbol]", ""
        _, name, mod = self.rows[i]
        return name, mod


def read_prof(path):
    """[(seq, total, {addr: count})] in file order."""
    phases = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "phase":
                phases.append((int(w[1]), int(w[2]) if w[2].isdigit() else None, {}))
            elif phases:
                phases[-1][2][int(w[0], 16)] = int(w[1])
    return phases


def read_results(path):
    results = []
    with open(path) as f:
        for line in f:
            tag, _, rest = line.partition(" ")
            if tag == "RESULT":
                results.append(json.loads(rest))
    return results


def by_function(syms, counts):
    """{(name, module): instructions} of one phase."""
    out = collections.Counter()
    for addr, n in counts.items():
        out[syms.name(addr)] += n
    return out


def label(key):
    name, mod = key
    return f"{name} [{mod}]" if mod else name


def fmt_k(v):
    return f"{v / 1e3:8.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--prof", required=True)
    ap.add_argument("--kallsyms", required=True)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--diff", nargs=2, action="append", metavar=("A", "B"),
                    help="per-function difference of SERVER[:METRIC] A and B (default: "
                         "kmod:small-hs raw:small, kmod:small raw:small)")
    ap.add_argument("--module", action="append",
                    help="list this kernel module's functions (default: p2pshare)")
    args = ap.parse_args()

    syms = Symbols(args.kallsyms)
    phases = read_prof(args.prof)
    results = read_results(args.log)
    if len(phases) != len(results):
        sys.exit(f"profile: {len(phases)} profiled phases but {len(results)} RESULT lines")

    funcs = [by_function(syms, p[2]) for p in phases]
    nulls = [i for i, r in enumerate(results) if r["metric"] == "null"]
    null = collections.Counter()
    null_total = 0
    if nulls:
        totals = sorted((sum(funcs[i].values()), i) for i in nulls)
        null_total, mid = totals[len(totals) // 2]
        null = funcs[mid]

    # {(server, metric): (files, {function: instructions per file})}
    per_file = {}
    print(f"# Instructions per file by function, QEMU TCG plugin profile; null phase "
          f"({null_total:,} instructions) taken off function by function.")
    for i, r in enumerate(results):
        if r["metric"] == "null" or r.get("failed"):
            continue
        items = r.get("files") or r.get("conns") or 1
        f = {k: (funcs[i][k] - null.get(k, 0)) / items for k in set(funcs[i]) | set(null)}
        total = sum(funcs[i].values())
        per_file[(r["server"], r["metric"])] = (items, f)
        gib = (f", {(total - null_total) / r['bytes'] * (1 << 30) / 1e9:.2f} G per GiB"
               if r["metric"] == "large" and r.get("bytes") else "")
        print(f"\n## {r['server']} {r['metric']}: phase {phases[i][0]}, {items} items, "
              f"{total:,} instructions, {(total - null_total) / items / 1e3:.2f} k per item"
              f"{gib}")
        cats = collections.Counter()
        for k, v in f.items():
            cats[category(*k)] += v
        per_item = (total - null_total) / items
        print(f"{'category':52} {'k/item':>8} {'share':>6}")
        for c in CAT_ORDER:
            if abs(cats[c]) >= 1:
                print(f"{c:52} {fmt_k(cats[c])} {cats[c] / per_item:6.1%}")
        print(f"\n{'function':52} {'k/item':>8} {'share':>6}  category")
        for k, v in sorted(f.items(), key=lambda kv: -kv[1])[:args.top]:
            print(f"{label(k)[:52]:52} {fmt_k(v)} {v / per_item:6.1%}  {category(*k)}")

    # The small-file phases pay one connection's handshake: with the same
    # server's handshake phase, the per-file cost without it ("small-hs").
    for (server, metric), (items, f) in list(per_file.items()):
        hs = per_file.get((server, "handshake"))
        if metric != "small" or not hs:
            continue
        conns = next(r.get("conns", 1) for r in results
                     if r["server"] == server and r["metric"] == metric)
        per_file[(server, "small-hs")] = (items, {
            k: f.get(k, 0) - hs[1].get(k, 0) * conns / items for k in set(f) | set(hs[1])})

    # One table: categories per server (per item).
    keys = list(per_file)
    if keys:
        print("\n## Categories per server and metric (k instructions per item; small-hs: "
              "small less the server's handshake per connection, spread over the files)")
        head = "".join(f"{s + ' ' + m:>18}" for s, m in keys)
        print(f"{'category':52}{head}")
        catsum = {}
        for key in keys:
            c = collections.Counter()
            for k, v in per_file[key][1].items():
                c[category(*k)] += v
            catsum[key] = c
        for c in CAT_ORDER:
            print(f"{c:52}" + "".join(f"{catsum[k][c] / 1e3:18.2f}" for k in keys))
        print(f"{'total':52}" + "".join(
            f"{sum(catsum[k].values()) / 1e3:18.2f}" for k in keys))

    # A module's own functions, per server and metric that ran them.
    for mod in args.module or ["p2pshare"]:
        for key in keys:
            f = per_file[key][1]
            rows = sorted(((k, v) for k, v in f.items() if k[1] == mod and v >= 0.5),
                          key=lambda kv: -kv[1])
            if not rows:
                continue
            print(f"\n## [{mod}] in {key[0]} {key[1]}: {sum(v for _, v in rows) / 1e3:.2f} k "
                  "per item (instructions per item)")
            for k, v in rows:
                print(f"{k[0][:52]:52} {v:8.0f}")

    def find(spec):
        server, _, metric = spec.partition(":")
        return next((k for k in keys if k[0] == server and (not metric or k[1] == metric)),
                    None)

    for a, b in args.diff or [("kmod:small-hs", "raw:small"), ("kmod:small", "raw:small")]:
        ka, kb = find(a), find(b)
        if not ka or not kb:
            continue
        fa, fb = per_file[ka][1], per_file[kb][1]
        d = {k: fa.get(k, 0) - fb.get(k, 0) for k in set(fa) | set(fb)}
        tot = sum(d.values())
        print(f"\n## {' '.join(ka)} - {' '.join(kb)}: {tot / 1e3:+.2f} k per item; the "
              f"largest differences (k per item: {ka[0]}, {kb[0]}, difference)")
        dc = collections.Counter()
        for k, v in d.items():
            dc[category(*k)] += v
        print("by category: " + ", ".join(f"{c} {dc[c] / 1e3:+.2f}" for c in CAT_ORDER
                                          if abs(dc[c]) >= 10))
        rows = sorted(d.items(), key=lambda kv: -abs(kv[1]))[:args.top]
        for k, v in rows:
            print(f"{label(k)[:52]:52} {fmt_k(fa.get(k, 0))} {fmt_k(fb.get(k, 0))} "
                  f"{v / 1e3:+8.2f}  {category(*k)}")


if __name__ == "__main__":
    main()
