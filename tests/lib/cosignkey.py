#!/usr/bin/env python3
"""cosignkey.py IN.pem OUT.key: a private key (PKCS #8 PEM, as
`openssl genpkey` writes it) as a cosign private key file with an empty
password, for `cosign sign --key OUT.key` with COSIGN_PASSWORD= set.

Debian's cosign 2.5 refuses every key in `cosign import-key-pair` ("error
validating ecdsa key: unsupported public key type"), and
`cosign generate-key-pair` makes only P-256 keys: this writes what
import-key-pair would, so that the tests can sign with P-384 and RSA keys
through cosign itself.

The file is PEM "ENCRYPTED SIGSTORE PRIVATE KEY" around the JSON of
go-securesystemslib's `encrypted` package: the DER key sealed with NaCl's
secretbox (XSalsa20 and Poly1305) under a key from scrypt (N=65536, r=8,
p=1, as cosign writes). Both primitives are written out here from their
specifications (Bernstein's Salsa20 and XSalsa20 papers, RFC 8439 for
Poly1305), since the test machines have no NaCl binding for Python.

cosignkey.py --open FILE.key: decrypt a cosign key with an empty password
and print its DER as PEM (checks this code against cosign's own files).
"""
import base64
import hashlib
import json
import os
import struct
import sys

MASK = 0xFFFFFFFF
SIGMA = b"expand 32-byte k"


def _rotl(v, n):
    return ((v << n) | (v >> (32 - n))) & MASK


def _rounds(x):
    """The 20 Salsa20 rounds on sixteen words, in place."""
    def qr(a, b, c, d):
        x[b] ^= _rotl((x[a] + x[d]) & MASK, 7)
        x[c] ^= _rotl((x[b] + x[a]) & MASK, 9)
        x[d] ^= _rotl((x[c] + x[b]) & MASK, 13)
        x[a] ^= _rotl((x[d] + x[c]) & MASK, 18)
    for _ in range(10):
        qr(0, 4, 8, 12)
        qr(5, 9, 13, 1)
        qr(10, 14, 2, 6)
        qr(15, 3, 7, 11)
        qr(0, 1, 2, 3)
        qr(5, 6, 7, 4)
        qr(10, 11, 8, 9)
        qr(15, 12, 13, 14)


def _state(key, n16):
    c = struct.unpack("<4I", SIGMA)
    k = struct.unpack("<8I", key)
    n = struct.unpack("<4I", n16)
    return [c[0], k[0], k[1], k[2], k[3], c[1], n[0], n[1],
            n[2], n[3], c[2], k[4], k[5], k[6], k[7], c[3]]


def hsalsa20(key, n16):
    x = _state(key, n16)
    _rounds(x)
    return struct.pack("<8I", *(x[i] for i in (0, 5, 10, 15, 6, 7, 8, 9)))


def salsa20_stream(key, n8, length):
    out = bytearray()
    block = 0
    while len(out) < length:
        s = _state(key, n8 + struct.pack("<Q", block))
        x = list(s)
        _rounds(x)
        out += struct.pack("<16I", *((x[i] + s[i]) & MASK for i in range(16)))
        block += 1
    return bytes(out[:length])


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p = (1 << 130) - 5
    acc = 0
    for i in range(0, len(msg), 16):
        chunk = msg[i:i + 16] + b"\x01"
        acc = (acc + int.from_bytes(chunk, "little")) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def secretbox(key, nonce, data, seal=True):
    """NaCl crypto_secretbox: tag || ciphertext (seal), or the plaintext
    (open; ValueError when the tag is wrong)."""
    sub = hsalsa20(key, nonce[:16])
    body = data if seal else data[16:]
    stream = salsa20_stream(sub, nonce[16:], 32 + len(body))
    out = bytes(a ^ b for a, b in zip(body, stream[32:]))
    if seal:
        return poly1305(stream[:32], out) + out
    if poly1305(stream[:32], body) != data[:16]:
        raise ValueError("secretbox: the tag does not verify")
    return out


def scrypt_key(salt, params):
    return hashlib.scrypt(b"", salt=salt, n=params["N"], r=params["r"],
                          p=params["p"], maxmem=256 << 20, dklen=32)


def pem(kind, der):
    b = base64.b64encode(der).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (
        kind, "\n".join(lines), kind)


def unpem(text):
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("-----")]
    return base64.b64decode("".join(lines))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--open":
        d = json.loads(unpem(open(sys.argv[2]).read()))
        key = scrypt_key(base64.b64decode(d["kdf"]["salt"]), d["kdf"]["params"])
        der = secretbox(key, base64.b64decode(d["cipher"]["nonce"]),
                        base64.b64decode(d["ciphertext"]), seal=False)
        sys.stdout.write(pem("PRIVATE KEY", der))
        return
    if len(sys.argv) != 3:
        sys.exit("usage: cosignkey.py IN.pem OUT.key | --open FILE.key")
    der = unpem(open(sys.argv[1]).read())
    params = {"N": 65536, "r": 8, "p": 1}
    salt, nonce = os.urandom(32), os.urandom(24)
    box = secretbox(scrypt_key(salt, params), nonce, der)
    doc = {"kdf": {"name": "scrypt", "params": params,
                   "salt": base64.b64encode(salt).decode()},
           "cipher": {"name": "nacl/secretbox",
                      "nonce": base64.b64encode(nonce).decode()},
           "ciphertext": base64.b64encode(box).decode()}
    with open(sys.argv[2], "w") as f:
        f.write(pem("ENCRYPTED SIGSTORE PRIVATE KEY",
                    json.dumps(doc, separators=(",", ":")).encode()))


if __name__ == "__main__":
    main()
