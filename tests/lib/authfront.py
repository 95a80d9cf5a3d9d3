#!/usr/bin/env python3
"""authfront.py: an https registry front with a token realm on another
host, blob redirects and a hostile blob store, for the tests of where
credentials go (tests/integration/cred.sh).

    authfront.py --cert CRT --key KEY --upstream HOST:PORT
                 [--user alice:secret]

Two TLS listeners with the same certificate (it must cover both IPs):

  127.0.0.1:P1  the registry. /v2/MODE/REPO/... is the plain-HTTP registry
                UPSTREAM's /v2/REPO/... A request without "Bearer T" (T
                from the realm) gets 401 with
                  Bearer realm="https://127.0.0.2:P2/token",service="front"
                MODE chooses what blob requests get:
                  direct     the blob itself;
                  presigned  307 to https://127.0.0.2:P2/store/DIGEST?
                             X-Amz-Security-Token=<6 KiB>&X-Amz-Signature=S,
                             a presigned-style URL of 6,200 bytes;
                  hostile    307 to https://127.0.0.2:P2/hostile/DIGEST,
                             which answers 401 naming its own realm
                             https://127.0.0.2:P2/evil (any credentials
                             that reach it are stolen).
  127.0.0.2:P2  /token: a token for the user given by --user (Basic),
                401 otherwise; /store/DIGEST: the blob, only when the
                whole query came through (token length and signature
                checked), else 403; /hostile/...: 401; /evil: 200 with a
                token, which must never be asked for.

Prints "realm P2" and then "ready P1" on stdout; logs one line per request
on stderr: "LISTENER METHOD PATH qlen=N auth=SCHEME[:USER]" (USER decoded
from Basic). Runs until killed.
"""
import argparse
import base64
import hashlib
import http.server
import socketserver
import ssl
import sys
import threading
import urllib.request

TOKEN = "front-token-0123456789"
SECURITY_TOKEN = ("IQoJb3JpZ2luX2VjE" * 400)[:6144]


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def make_handler(name, args, realm_port):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def who(self):
            v = self.headers.get("Authorization", "")
            if v.startswith("Basic "):
                try:
                    u = base64.b64decode(v[6:]).decode().split(":", 1)[0]
                except Exception:
                    u = "?"
                return "basic:" + u, v
            if v.startswith("Bearer "):
                return "bearer", v
            return "none", v

        def send(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, val in headers:
                self.send_header(k, val)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            path, _, query = self.path.partition("?")
            auth, value = self.who()
            print("%s GET %s qlen=%d auth=%s" % (name, path, len(query), auth),
                  file=sys.stderr, flush=True)
            if name == "registry":
                self.registry(path, value)
            else:
                self.realm(path, query, value)

        def registry(self, path, value):
            realm = "https://127.0.0.2:%d" % realm_port
            if value != "Bearer " + TOKEN:
                self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', [
                    ("WWW-Authenticate",
                     'Bearer realm="%s/token",service="front"' % realm),
                    ("Content-Type", "application/json")])
                return
            parts = path.split("/")
            if path == "/v2/" or len(parts) < 4:
                self.send(200, b"{}")
                return
            mode, rest = parts[2], "/v2/" + "/".join(parts[3:])
            if "/blobs/" in rest and mode == "presigned":
                digest = rest.rsplit("/", 1)[1]
                sig = hashlib.sha256((digest + SECURITY_TOKEN).encode()).hexdigest()
                self.send(307, headers=[("Location", "%s/store/%s?X-Amz-Security-"
                          "Token=%s&X-Amz-Signature=%s" % (realm, digest,
                                                           SECURITY_TOKEN, sig))])
                return
            if "/blobs/" in rest and mode == "hostile":
                digest = rest.rsplit("/", 1)[1]
                self.send(307, headers=[("Location", "%s/hostile/%s" % (realm, digest))])
                return
            self.proxy(rest)

        def realm(self, path, query, value):
            if path == "/token":
                want = "Basic " + base64.b64encode(args.user.encode()).decode()
                if value != want:
                    self.send(401, b"{}", [("WWW-Authenticate", 'Basic realm="t"')])
                    return
                self.send(200, ('{"token":"%s","expires_in":300}' % TOKEN).encode(),
                          [("Content-Type", "application/json")])
            elif path.startswith("/store/"):
                digest = path.rsplit("/", 1)[1]
                sig = hashlib.sha256((digest + SECURITY_TOKEN).encode()).hexdigest()
                if query != "X-Amz-Security-Token=%s&X-Amz-Signature=%s" % (
                        SECURITY_TOKEN, sig):
                    self.send(403, b"<Error>SignatureDoesNotMatch</Error>")
                    return
                repo = "fixture/multi"
                self.proxy("/v2/%s/blobs/%s" % (repo, digest))
            elif path.startswith("/hostile/"):
                self.send(401, b"{}", [("WWW-Authenticate",
                          'Bearer realm="https://127.0.0.2:%d/evil",service="evil"'
                          % self.server.server_address[1])])
            elif path == "/evil":
                self.send(200, b'{"token":"stolen"}')
            else:
                self.send(404)

        def proxy(self, path):
            req = urllib.request.Request("http://%s%s" % (args.upstream, path))
            for k in ("Accept", "Range"):
                if self.headers.get(k):
                    req.add_header(k, self.headers[k])
            try:
                r = urllib.request.urlopen(req)
                code, body, hdrs = r.status, r.read(), r.headers
            except urllib.error.HTTPError as e:
                code, body, hdrs = e.code, e.read(), e.headers
            keep = [(k, hdrs[k]) for k in ("Content-Type", "Docker-Content-Digest",
                                           "Content-Range") if hdrs.get(k)]
            self.send(code, body, keep)

    return H


def listen(addr, name, args, ctx, realm_port):
    srv = Server((addr, 0), make_handler(name, args, realm_port))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    return srv


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--user", default="alice:secret")
    args = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    realm = listen("127.0.0.2", "realm", args, ctx, 0)
    rport = realm.server_address[1]
    reg = listen("127.0.0.1", "registry", args, ctx, rport)
    for s in (realm, reg):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("realm %d" % rport, flush=True)
    print("ready %d" % reg.server_address[1], flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
