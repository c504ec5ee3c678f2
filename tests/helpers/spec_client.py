#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A p2pshare v2 client written from docs/PROTOCOL.md alone.

It shares no code with p2pctl or the module: the Noise KK handshake and the
TLS 1.3 record layer are built here from python3-cryptography's X25519,
ChaCha20-Poly1305, AES-GCM and HMAC-SHA256, in user space (no kTLS), so a
server that follows the spec byte for byte must serve it.

usage: spec_client.py HOST PORT USER KEYFILE CIPHER EXPORT PATH
  CIPHER: aes-128-gcm | chacha20-poly1305 | any (offers both)
Prints "cipher NAME", the exports, then "sha256 HEX size N" of PATH.
P2P_SPEC_PAD=N in the environment (0..255) appends N padding zeros to
every record it sends, as PROTOCOL.md 6.7 allows.
Exit status 0, or 1 with a one-line reason on stderr.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import (
    AESGCM, ChaCha20Poly1305)
from cryptography.hazmat.primitives import serialization

NAME = b"Noise_KK_25519_ChaChaPoly_SHA256"
PAD = int(os.environ.get("P2P_SPEC_PAD", "0"))
CIPHERS = {"aes-128-gcm": 1, "chacha20-poly1305": 2, "any": 3}
OP_HELLO, OP_HS1, OP_LIST, OP_READ = 0x01, 0x02, 0x03, 0x06
OP_HELLO_REPLY, OP_HS2, OP_LIST_REPLY = 0x81, 0x82, 0x83
OP_READ_REPLY, OP_READ_DATA, OP_ERROR = 0x86, 0x88, 0xf1


def die(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def raw(pub):
    return pub.public_bytes(serialization.Encoding.Raw,
                            serialization.PublicFormat.Raw)


def hkdf2(ck, ikm):
    t = hmac.new(ck, ikm, hashlib.sha256).digest()
    o1 = hmac.new(t, b"\x01", hashlib.sha256).digest()
    o2 = hmac.new(t, o1 + b"\x02", hashlib.sha256).digest()
    return o1, o2


class Symmetric:
    """Noise section 5.2, with the ChaChaPoly nonce of section 12.3."""

    def __init__(self):
        self.h = NAME
        self.ck = NAME
        self.k = None
        self.n = 0

    def mix_hash(self, data):
        self.h = hashlib.sha256(self.h + data).digest()

    def mix_key(self, ikm):
        self.ck, self.k = hkdf2(self.ck, ikm)
        self.n = 0

    def nonce(self):
        return b"\0" * 4 + struct.pack("<Q", self.n)

    def encrypt_and_hash(self, pt):
        ct = ChaCha20Poly1305(self.k).encrypt(self.nonce(), pt, self.h)
        self.n += 1
        self.mix_hash(ct)
        return ct

    def decrypt_and_hash(self, ct):
        pt = ChaCha20Poly1305(self.k).decrypt(self.nonce(), ct, self.h)
        self.n += 1
        self.mix_hash(ct)
        return pt


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.rx = b""          # plaintext (or clear handshake bytes) not used yet
        self.tx_seq = self.rx_seq = 0
        self.tx = self.rxk = None

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            got = self.sock.recv(n - len(buf))
            if not got:
                die("connection closed by the server")
            buf += got
        return buf

    # Records, PROTOCOL.md 6.7
    def nonce(self, iv, seq):
        return bytes(a ^ b for a, b in zip(iv, b"\0" * 4 + struct.pack(">Q", seq)))

    def send(self, data):
        if not self.tx:
            self.sock.sendall(data)
            return
        aead, iv = self.tx
        for i in range(0, len(data), 16384):
            inner = data[i:i + 16384] + b"\x17" + b"\0" * PAD
            hdr = b"\x17\x03\x03" + struct.pack(">H", len(inner) + 16)
            ct = aead.encrypt(self.nonce(iv, self.tx_seq), inner, hdr)
            self.tx_seq += 1
            self.sock.sendall(hdr + ct)

    def fill(self, n):
        while len(self.rx) < n:
            if not self.rxk:
                self.rx += self.recv_exact(n - len(self.rx))
                continue
            hdr = self.recv_exact(5)
            if hdr[:3] != b"\x17\x03\x03":
                die("bad record header %s" % hdr.hex())
            ct = self.recv_exact(struct.unpack(">H", hdr[3:])[0])
            aead, iv = self.rxk
            inner = aead.decrypt(self.nonce(iv, self.rx_seq), ct, hdr)
            self.rx_seq += 1
            inner = inner.rstrip(b"\0")
            if not inner or inner[-1] != 0x17:
                die("record of another type")
            self.rx += inner[:-1]

    def take(self, n):
        self.fill(n)
        out, self.rx = self.rx[:n], self.rx[n:]
        return out

    def frame(self, op, body, tag, flags=0):
        self.send(struct.pack(">IBBHI", len(body), op, flags, 0, tag) + body)

    def recv_frame(self):
        ln, op, flags, _, tag = struct.unpack(">IBBHI", self.take(12))
        body = self.take(ln)
        if op == OP_ERROR:
            code, mlen = struct.unpack(">IH", body[:6])
            die("ERROR %d %s" % (code, body[6:6 + mlen].decode()))
        return op, flags, tag, body


def record_state(cipher, k, h):
    o1, o2 = hkdf2(k, b"p2pshare/2 kTLS" + h)
    if cipher == 1:
        return AESGCM(o1[:16]), o2[:12]
    return ChaCha20Poly1305(o1), o2[:12]


def handshake(c, user, priv, cipher):
    c.frame(OP_HELLO, struct.pack(">HHB", 2, 2, len(user)) + user, 1)
    op, _, _, body = c.recv_frame()
    if op != OP_HELLO_REPLY or len(body) != 66:
        die("expected HELLO_REPLY")
    version, host_pub, challenge = struct.unpack(">H", body[:2])[0], body[2:34], body[34:]
    prologue = (b"p2pshare/2\0" + struct.pack(">HHHB", 2, 2, version, len(user))
                + user + challenge)
    s = Symmetric()
    s.mix_hash(prologue)
    s.mix_hash(raw(priv.public_key()))
    s.mix_hash(host_pub)
    e = X25519PrivateKey.generate()
    host = X25519PublicKey.from_public_bytes(host_pub)
    s.mix_hash(raw(e.public_key()))
    s.mix_key(e.exchange(host))                 # es
    s.mix_key(priv.exchange(host))              # ss
    msg1 = raw(e.public_key()) + s.encrypt_and_hash(struct.pack(">H", cipher))
    c.frame(OP_HS1, msg1, 2)
    op, _, _, body = c.recv_frame()
    if op != OP_HS2 or len(body) != 50:
        die("expected HANDSHAKE2 of 50 bytes")
    re = X25519PublicKey.from_public_bytes(body[:32])
    s.mix_hash(body[:32])
    s.mix_key(e.exchange(re))                   # ee
    s.mix_key(priv.exchange(re))                # se
    choice = struct.unpack(">H", s.decrypt_and_hash(body[32:]))[0]
    if choice not in (1, 2) or not choice & cipher:
        die("server chose cipher %d, offered %d" % (choice, cipher))
    k1, k2 = hkdf2(s.ck, b"")
    c.tx = record_state(choice, k1, s.h)
    c.rxk = record_state(choice, k2, s.h)
    return choice


def name(b):
    return struct.pack(">B", len(b)) + b


def main():
    if len(sys.argv) != 8:
        die(__doc__.strip().splitlines()[2])
    host, port, user, keyfile, cname, export, path = sys.argv[1:]
    if cname not in CIPHERS:
        die("unknown cipher " + cname)
    with open(keyfile) as f:
        priv = X25519PrivateKey.from_private_bytes(base64.b64decode(f.read().strip()))
    c = Conn(socket.create_connection((host, int(port)), timeout=30))
    choice = handshake(c, user.encode(), priv, CIPHERS[cname])
    print("cipher", [k for k, v in CIPHERS.items() if v == choice][0])
    c.frame(OP_LIST, b"", 3)
    op, _, _, body = c.recv_frame()
    count = struct.unpack(">H", body[:2])[0]
    pos = 4
    for _ in range(count):
        n = body[pos + 1]
        print("export", body[pos + 2:pos + 2 + n].decode())
        pos += 2 + n
    req = name(export.encode()) + struct.pack(">H", len(path)) + path.encode()
    c.frame(OP_READ, req + struct.pack(">QQ", 0, 2**64 - 1), 4)
    op, _, _, body = c.recv_frame()
    if op != OP_READ_REPLY:
        die("expected READ_REPLY")
    total = struct.unpack(">Q", body[:8])[0]
    digest, got, more = hashlib.sha256(), 0, True
    while more:
        try:
            op, flags, _, body = c.recv_frame()
        except SystemExit:
            sys.stderr.write("after %d bytes\n" % got)
            raise
        if op != OP_READ_DATA:
            die("expected READ_DATA")
        digest.update(body)
        got += len(body)
        more = flags & 1
    if got != total:
        die("READ_DATA carried %d of %d bytes" % (got, total))
    print("sha256", digest.hexdigest(), "size", got)


if __name__ == "__main__":
    main()
