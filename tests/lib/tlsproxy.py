#!/usr/bin/env python3
"""tlsproxy.py: TLS endpoints in front of a plain-HTTP registry, for the
tests of ocipull's TLS client (versions, certificates, SNI).

    tlsproxy.py --upstream [127.0.0.1:]PORT --log FILE
                --listen NAME,ADDR,CERT,KEY[,MIN[,MAX[,PREF]]] ...

Each --listen opens one endpoint on ADDR (127.0.0.1 or ::1; the port is
picked free) that terminates TLS with CERT and KEY (PEM), allowing the
protocol versions MIN..MAX (1.2 or 1.3; default: OpenSSL's), choosing
cipher suite and signature algorithm in its own order (PREF "server", the
default, as Python and nginx's ssl_prefer_server_ciphers set OpenSSL up)
or in the client's (PREF "client"), and passes
the decrypted bytes both ways to the plain HTTP server at 127.0.0.1:PORT,
unchanged: the Host header and everything else are the client's. Several
clients at once, one thread per connection.

Prints "listen NAME PORT" for every endpoint, then "ready PORT" (the first
endpoint's) on stdout. Appends one line per connection to FILE, flushed:

    NAME ok version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 sni=localhost
    NAME fail error=...

(sni=- when the client sent no server name). Loopback only: this tool
never listens on or talks to anything else. Python 3 standard library.
"""
import argparse
import select
import socket
import ssl
import sys
import threading

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
LOCK = threading.Lock()


def log(path, line):
    with LOCK, open(path, "a") as f:
        f.write(line + "\n")


def pump(tls, up):
    """Move bytes both ways until either side closes."""
    tls.setblocking(True)
    socks = [tls, up]
    while True:
        # Bytes ssl has decrypted already do not show up in select.
        ready = [tls] if tls.pending() else select.select(socks, [], [], 300)[0]
        if not ready:
            return
        for s in ready:
            other = up if s is tls else tls
            try:
                d = s.recv(65536)
            except (OSError, ssl.SSLError):
                return
            if not d:
                return
            try:
                other.sendall(d)
            except (OSError, ssl.SSLError):
                return


def serve(name, conn, ctx, upstream, logfile):
    try:
        conn.settimeout(30)
        tls = ctx.wrap_socket(conn, server_side=True)
    except (OSError, ssl.SSLError) as e:
        log(logfile, "%s fail error=%s" % (name, str(e).replace(" ", "_")))
        conn.close()
        return
    log(logfile, "%s ok version=%s cipher=%s sni=%s" % (
        name, tls.version(), tls.cipher()[0], getattr(tls, "sni", None) or "-"))
    try:
        up = socket.create_connection(("127.0.0.1", upstream), timeout=30)
    except OSError:
        tls.close()
        return
    try:
        tls.settimeout(None)
        up.settimeout(None)
        pump(tls, up)
    finally:
        for s in (tls, up):
            try:
                s.close()
            except OSError:
                pass


def on_sni(sslsock, server_name, _ctx):
    """Called for every handshake, server_name None when none was sent."""
    sslsock.sni = server_name


def endpoint(spec):
    parts = spec.split(",")
    if len(parts) < 4 or len(parts) > 7:
        sys.exit("--listen NAME,ADDR,CERT,KEY[,MIN[,MAX[,PREF]]]: %r" % spec)
    name, addr, cert, key = parts[:4]
    if addr not in ("127.0.0.1", "::1"):
        sys.exit("tlsproxy.py listens on 127.0.0.1 or ::1 only, not %s" % addr)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.sni_callback = on_sni
    if len(parts) > 4 and parts[4]:
        ctx.minimum_version = VERSIONS[parts[4]]
    if len(parts) > 5 and parts[5]:
        ctx.maximum_version = VERSIONS[parts[5]]
    if len(parts) > 6 and parts[6] == "client":
        ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    elif len(parts) > 6 and parts[6] != "server":
        sys.exit("PREF is server or client, not %r" % parts[6])
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 0))
    s.listen(16)
    return name, s, ctx


def accept_loop(name, s, ctx, upstream, logfile):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(name, c, ctx, upstream, logfile),
                         daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--listen", action="append", required=True)
    a = ap.parse_args()
    host, _, port = a.upstream.rpartition(":")
    if host not in ("", "127.0.0.1"):
        sys.exit("the upstream must be on 127.0.0.1")
    eps = [endpoint(spec) for spec in a.listen]
    for name, s, _ in eps:
        print("listen %s %d" % (name, s.getsockname()[1]))
    print("ready %d" % eps[0][1].getsockname()[1], flush=True)
    for name, s, ctx in eps[1:]:
        threading.Thread(target=accept_loop,
                         args=(name, s, ctx, int(port), a.log),
                         daemon=True).start()
    name, s, ctx = eps[0]
    accept_loop(name, s, ctx, int(port), a.log)


if __name__ == "__main__":
    main()
