#!/usr/bin/env python3
"""tokenserver.py: a small bearer-token server for the integration tests.

    tokenserver.py --port P --key KEY.pem --cert CERT.pem --issuer ISS
                   --service SVC [--users FILE] [--anonymous]
                   [--only-access-token] [--expires-in SECONDS]

Serves GET /token?service=SVC&scope=repository:NAME:ACTIONS[&scope=...] on
127.0.0.1:P (P 0 picks a free port), the way Docker Hub's auth.docker.io
does, for a docker-registry configured with

    auth:
      token:
        realm: http://127.0.0.1:P/token
        service: SVC
        issuer: ISS
        rootcertbundle: CERT.pem

Each token is a JWT signed with KEY (ES256 for a P-256 key, ES384 for P-384,
RS256 for RSA) by `openssl dgst -sign`. Its header carries x5c = [CERT in
base64 DER], which the registry checks against its rootcertbundle (a
self-signed CERT that is itself in the bundle is accepted). Claims: iss, sub,
aud (= SVC), exp (now + expires-in), nbf, iat, jti and access, one entry per
requested repository scope.

Who gets what:
  --users FILE   lines "user:password"; a request whose Basic Authorization
                 matches a line is that user, and may get pull and push
                 (only the actions its scope asks for). A wrong user or
                 password gets 401, and so does Basic auth when no FILE is
                 given.
  --anonymous    a request without Authorization gets a token with sub ""
                 that grants pull only; without this option it gets 401.
A scope of another type than "repository" is granted nothing. A request
whose service is not SVC gets 400.

The reply is JSON {"token": T, "access_token": T, "expires_in": N,
"issued_at": RFC 3339}; --only-access-token leaves out "token" (to test a
client's fallback). Prints "ready PORT" on stdout once listening and nothing
else there; logs one line per request on stderr. Python 3 standard library
and the openssl command only.
"""
import argparse
import base64
import binascii
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_SCOPES = 32
USER_ACTIONS = ("pull", "push")
ANON_ACTIONS = ("pull",)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def openssl(args, data=None):
    p = subprocess.run(["openssl"] + args, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if p.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" %
                           (" ".join(args), p.stderr.decode(errors="replace").strip()))
    return p.stdout


def der_read(buf, pos, want_tag):
    """Read one DER TLV with tag want_tag at pos; return (value, next pos)."""
    if pos + 2 > len(buf) or buf[pos] != want_tag:
        raise ValueError("DER: expected tag 0x%02x at offset %d" % (want_tag, pos))
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7f
        if k == 0 or k > 4 or pos + k > len(buf):
            raise ValueError("DER: bad length at offset %d" % (pos - 1))
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    if pos + n > len(buf):
        raise ValueError("DER: value of %d bytes runs past the end" % n)
    return buf[pos:pos + n], pos + n


def ecdsa_der_to_raw(sig, size):
    """ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } -> r || s."""
    seq, end = der_read(sig, 0, 0x30)
    if end != len(sig):
        raise ValueError("DER: trailing bytes after the signature")
    r, pos = der_read(seq, 0, 0x02)
    s, pos = der_read(seq, pos, 0x02)
    if pos != len(seq):
        raise ValueError("DER: trailing bytes in the signature sequence")
    out = b""
    for v in (r, s):
        v = v.lstrip(b"\x00")
        if len(v) > size:
            raise ValueError("ECDSA integer longer than %d bytes" % size)
        out += v.rjust(size, b"\x00")
    return out


class Signer:
    def __init__(self, key, cert):
        self.key = key
        text = openssl(["pkey", "-in", key, "-noout", "-text_pub"]).decode()
        if "prime256v1" in text or "P-256" in text:
            self.alg, self.digest, self.size = "ES256", "-sha256", 32
        elif "secp384r1" in text or "P-384" in text:
            self.alg, self.digest, self.size = "ES384", "-sha384", 48
        elif "Modulus" in text:
            self.alg, self.digest, self.size = "RS256", "-sha256", 0
        else:
            raise RuntimeError("%s: not an RSA, P-256 or P-384 key" % key)
        key_pub = openssl(["pkey", "-in", key, "-pubout"])
        cert_pub = openssl(["x509", "-in", cert, "-noout", "-pubkey"])
        if key_pub.strip() != cert_pub.strip():
            raise RuntimeError("%s does not hold the public key of %s" % (cert, key))
        der = openssl(["x509", "-in", cert, "-outform", "DER"])
        self.x5c = [base64.b64encode(der).decode("ascii")]

    def token(self, claims):
        header = {"typ": "JWT", "alg": self.alg, "x5c": self.x5c}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode())
                         + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = openssl(["dgst", self.digest, "-sign", self.key],
                      signing_input.encode("ascii"))
        if self.size:
            sig = ecdsa_der_to_raw(sig, self.size)
        return signing_input + "." + b64url(sig)


def load_users(path):
    users = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            user, sep, password = line.partition(":")
            if not sep or not user:
                raise RuntimeError("%s: line %r is not user:password" % (path, line))
            users[user] = password
    return users


def parse_scope(scope):
    """repository:NAME:ACT[,ACT] -> (type, name, [actions]); NAME may hold ':'."""
    typ, sep1, rest = scope.partition(":")
    name, sep2, acts = rest.rpartition(":")
    if not sep1 or not sep2 or not typ or not name:
        return None
    return typ, name, [a for a in acts.split(",") if a]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ocipull-tokenserver"
    opts = None
    signer = None
    users = {}
    counter = [0]
    lock = threading.Lock()

    def log_message(self, fmt, *args):
        pass

    def log_line(self, code, who, note):
        sys.stderr.write("tokenserver: %s %s -> %d user=%s %s\n" %
                         (self.command, self.path, code, who, note))
        sys.stderr.flush()

    def reply(self, code, body, who="-", note="", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.log_line(code, who, note)

    def error(self, code, msg, who="-"):
        hdrs = ()
        if code == 401:
            hdrs = (("WWW-Authenticate", 'Basic realm="ocipull-test-token"'),)
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED" if code == 401 else "DENIED",
                                       "message": msg}]})
        self.reply(code, body, who, msg, hdrs)

    def authenticate(self):
        """Return (user or "" for anonymous, None) or (None, error message)."""
        auth = self.headers.get("Authorization")
        if auth is None:
            if self.opts.anonymous:
                return "", None
            return None, "authentication required"
        kind, _, cred = auth.partition(" ")
        if kind.lower() != "basic":
            return None, "unsupported authorization scheme %r" % kind
        try:
            raw = base64.b64decode(cred.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, "malformed Basic credentials"
        user, sep, password = raw.partition(":")
        if not sep or user not in self.users or self.users[user] != password:
            return None, "bad user or password for %r" % user
        return user, None

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self.error(404, "no such path %s" % url.path)
            return
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        service = q.get("service", [""])[0]
        if service != self.opts.service:
            self.error(400, "service %r, expected %r" % (service, self.opts.service))
            return
        scopes = q.get("scope", [])
        if len(scopes) > MAX_SCOPES:
            self.error(400, "more than %d scopes" % MAX_SCOPES)
            return
        user, why = self.authenticate()
        if user is None:
            self.error(401, why)
            return
        allowed = USER_ACTIONS if user else ANON_ACTIONS
        access = []
        for s in scopes:
            for one in s.split(" "):  # some clients join scopes by spaces
                p = parse_scope(one)
                if p is None:
                    self.error(400, "malformed scope %r" % one, user or "(anonymous)")
                    return
                typ, name, acts = p
                if typ != "repository":
                    continue
                granted = [a for a in acts if a in allowed]
                access.append({"type": "repository", "name": name, "actions": granted})
        now = int(time.time())
        with self.lock:
            self.counter[0] += 1
            n = self.counter[0]
        claims = {
            "iss": self.opts.issuer,
            "sub": user,
            "aud": self.opts.service,
            "exp": now + self.opts.expires_in,
            "nbf": now,
            "iat": now,
            "jti": "%d-%d-%s" % (os.getpid(), n, os.urandom(6).hex()),
            "access": access,
        }
        try:
            tok = self.signer.token(claims)
        except (RuntimeError, ValueError) as e:
            self.error(500, "signing failed: %s" % e, user or "(anonymous)")
            return
        body = {"access_token": tok, "expires_in": self.opts.expires_in,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        if not self.opts.only_access_token:
            body["token"] = tok
        grants = " ".join("%s:%s" % (a["name"], ",".join(a["actions"]) or "-") for a in access)
        self.reply(200, json.dumps(body), user or "(anonymous)", "granted " + (grants or "nothing"))


def main():
    ap = argparse.ArgumentParser(description="bearer-token server for the tests")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--users")
    ap.add_argument("--anonymous", action="store_true")
    ap.add_argument("--only-access-token", action="store_true")
    ap.add_argument("--expires-in", type=int, default=300)
    opts = ap.parse_args()
    try:
        Handler.signer = Signer(opts.key, opts.cert)
        Handler.users = load_users(opts.users) if opts.users else {}
    except (OSError, RuntimeError) as e:
        sys.stderr.write("tokenserver: %s\n" % e)
        return 2
    Handler.opts = opts
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    srv.daemon_threads = True
    sys.stdout.write("ready %d\n" % srv.server_address[1])
    sys.stdout.flush()
    sys.stderr.write("tokenserver: %s on 127.0.0.1:%d, issuer %s, service %s, %d user(s)%s\n" %
                     (Handler.signer.alg, srv.server_address[1], opts.issuer, opts.service,
                      len(Handler.users), ", anonymous pull" if opts.anonymous else ""))
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
