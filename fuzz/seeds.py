#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the hand-made seed inputs of fuzz/corpus/TARGET/seed-*.

Run from the top directory after changing the protocol.  Inputs that the
fuzzers found and that mutate well are kept beside these as crash-*; slow
ones live in fuzz/regress/TARGET/, replayed once per run.
"""
import base64
import os
import struct

KEY = base64.b64encode(bytes(range(1, 33))).decode()


def frame(op, body=b"", tag=1, flags=0):
    return struct.pack(">IBBHI", len(body), op, flags, 0, tag) + body


def name(s):
    return bytes([len(s)]) + s


def path(s):
    return struct.pack(">H", len(s)) + s


def target(exp, p):
    return name(exp) + path(p)


hello = struct.pack(">HH", 1, 1) + name(b"alice")
hello_reply = struct.pack(">H", 1) + bytes(range(32)) + bytes(range(32, 64))
error = struct.pack(">IH", 2, 7) + b"no file"
stat_req = target(b"pub", b"dir/file.txt")
readdir_req = target(b"pub", b"") + struct.pack(">QI", 0, 100)
read_req = target(b"pub", b"a/b") + struct.pack(">QQ", 5, 2**64 - 1)
put_req = target(b"pub", b"up.bin") + struct.pack(">QI", 4096, 0o644)
attr = struct.pack(">BBHIQqI", 1, 0, 0o644, 1, 4096, 1700000000, 5)
read_reply = struct.pack(">QQqI", 10, 4096, -1, 999999999)
dirent = struct.pack(">BBHIQq", 1, 5, 0o644, 0, 10, 0) + b"a.txt"
dirent2 = struct.pack(">BBHIQq", 2, 3, 0o755, 0, 0, -5) + b"sub"
readdir_reply = struct.pack(">QHBB", 7, 2, 1, 0) + dirent + dirent2
list_reply = struct.pack(">HBB", 2, 1, 0) + b"\x01" + name(b"pub") + b"\x02" + name(b"rw")
hash_req = name(b"docs") + path(b"a/b.txt") + struct.pack(">I", 0)
hash_reply = (struct.pack(">QqIIIIHH", 1048577, 0, 0, 1 << 20, 2, 0, 2, 0) +
              bytes(range(32)) + bytes(64))
blocks_reply = struct.pack(">QIIB", 10 * (1 << 20) + 1, 1 << 20, 11, 0) + bytes([0x85, 0x04])
blocks_complete = struct.pack(">QIIB", 5, 1 << 20, 1, 1)

SEEDS = {
    "wire": {
        # selector 0: a client's stream; 1: a server's stream; 2..16: decoders
        "stream-client": b"\x00" + frame(1, hello) + frame(2, bytes(48), 2) +
        frame(3, b"", 3) + frame(4, stat_req, 4) + frame(5, readdir_req, 5) +
        frame(6, read_req, 6) + frame(7, put_req, 7) + frame(8, b"data", 7, 1) +
        frame(8, b"", 7) + frame(0x0a, stat_req, 8) + frame(0x7f, b"unknown", 9),
        "stream-server": b"\x01" + frame(0x81, hello_reply) + frame(0x82, bytes(48)) +
        frame(0x83, list_reply) + frame(0x84, attr) + frame(0x85, readdir_reply) +
        frame(0x86, read_reply) + frame(0x88, b"0123456789") + frame(0xf0) +
        frame(0x8a, blocks_reply) + frame(0xf1, error, 0),
        "header": b"\x02" + frame(8, b"", 1, 1),
        "hello": b"\x03" + hello,
        "hello_reply": b"\x04" + hello_reply,
        "error": b"\x05" + error,
        "stat_req": b"\x06" + stat_req,
        "readdir_req": b"\x07" + readdir_req,
        "read_req": b"\x08" + read_req,
        "put_req": b"\x09" + put_req,
        "attr": b"\x0a" + attr,
        "read_reply": b"\x0b" + read_reply,
        "readdir_reply": b"\x0c" + readdir_reply,
        "list_reply": b"\x0d" + list_reply,
        "hash_req": b"\x0e" + hash_req,
        "hash_reply": b"\x0f" + hash_reply,
        "blocks_reply": b"\x10" + blocks_reply,
        "blocks_complete": b"\x10" + blocks_complete,
    },
    "path": {
        "root": b"",
        "file": b"a/b.txt",
        "dots": b"...",
        "hidden": b".hidden/x",
        "dotdot": b"a/../b",
        "empty-comp": b"a//b",
        "abs": b"/etc/passwd",
        "trailing": b"a/",
        "nul": b"a\x00b",
        "long-comp": b"x" * 256,
        "long-path": (b"y" * 200 + b"/") * 20 + b"z" * 96,
        "name": b"alice_1.2-3",
    },
    "noise": {
        "msg1-random": b"\x00" + bytes(range(48)),
        "msg1-valid": b"\x01" + bytes(48),
        "msg1-payload": b"\x01" + bytes(48) + b"extra",
        "msg2": b"\x02" + bytes(range(100, 148)),
        "server": b"\x03" + frame(1, hello) + frame(2, bytes(range(48)), 2),
        "server-unknown": b"\x03" + frame(1, struct.pack(">HH", 1, 1) + name(b"mallory")) +
        frame(2, bytes(48), 2),
        "client": b"\x04" + frame(0x81, hello_reply) + frame(0x82, bytes(48), 2),
        "client-busy": b"\x04" + frame(0xf1, struct.pack(">IH", 16, 11) + b"server busy", 0),
    },
    "url": {
        "full": b"p2p://alice@host.example:7000/pub/dir/file%20name.txt",
        "v4": b"p2p://bob@198.18.0.1/export",
        "v6": b"p2p://bob@[fd00::1%25eth0]:9/e/a/",
        "esc": b"p2p://u@h/e/%2e%2E/%00/%2F",
        "scheme": b"http://u@h/e",
        "noport": b"p2p://u@h:/e",
        "long": b"p2p://u@h/e/" + b"%41" * 300,
    },
    "keyfile": {
        "key": (KEY + "\n").encode(),
        "nonl": KEY.encode(),
        "zero": (base64.b64encode(bytes(32)).decode() + "\n").encode(),
        "short": b"AAAA\n",
        "crlf": (KEY + "\r\n").encode(),
    },
    "known_hosts": {
        "file": ("# comment\n\n198.18.0.1:7437 %s\n[fd00::1]:7437 %s\n" % (KEY, KEY)).encode(),
        "bad": b"host-without-port KEY\n198.18.0.1:7437\n198.18.0.1:7437 a b\n",
        "long": b"x" * 600 + b"\n198.18.0.1:7437 " + KEY.encode(),
    },
    "load": {
        "save": ("# p2pshare state\nhostkey %s\nlisten *:7437\n"
                 "user alice %s 1000 1000\nuser bob %s 0 0\n"
                 "export root /\nexport tmp dev=0:1 ino=2 /tmp\n"
                 "grant root alice ro\ngrant tmp bob rw\n"
                 % (KEY, KEY, KEY)).encode(),
        "listen6": b"listen [fd00::1]:7000\n",
        "errors": ("user x %s -1 0\nexport a\ngrant a b rx\nbogus\n" % KEY).encode(),
        "many": ("#x 50 user u@ %s @ @\n" % KEY).encode(),
        "dirid": b"export a dev=8:1 ino=2 /\nexport b dev=8:1 /\nexport c dev=x:1 ino=2 /\n"
                 b"export d dev=1:2 ino=18446744073709551616 /tmp\nexport e dev= ino= \n",
    },
}

for tgt, seeds in SEEDS.items():
    d = os.path.join("fuzz", "corpus", tgt)
    os.makedirs(d, exist_ok=True)
    for n, data in seeds.items():
        with open(os.path.join(d, "seed-" + n), "wb") as f:
            f.write(data)
