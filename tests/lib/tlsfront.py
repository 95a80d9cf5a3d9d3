#!/usr/bin/env python3
"""tlsfront.py: a TLS endpoint of one exact protocol version, with Python's
ssl module (OpenSSL), in front of a plain-HTTP registry, for the tests of
what ocipull does against a server stack other than Go's and with the TLS
version fixed (tests/integration/mtls.sh).

    tlsfront.py --port P --cert CRT --key KEY --upstream HOST:PORT
                --tls 1.2|1.3 [--client-ca FILE]

With --client-ca every client must present a certificate issued by that CA
(mutual TLS); OpenSSL refuses one without it (TLS 1.2: alert
handshake_failure during the handshake; TLS 1.3: alert certificate_required
after the client's Finished) or from another CA (unknown_ca).

Prints "ready PORT" on stdout once it listens (P 0: any free port); logs
one line per connection on stderr: the version and the client certificate's
subject, or why the handshake failed. Runs until killed.
"""
import argparse
import socket
import ssl
import sys
import threading


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def pump(src, dst):
    """Copy src to dst until either side ends, then close both."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.close()
        except OSError:
            pass


def serve(conn, ctx, upstream):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        log("handshake failed: %s" % e)
        conn.close()
        return
    peer = tls.getpeercert() or {}
    subject = ",".join("%s=%s" % kv for rdn in peer.get("subject", ()) for kv in rdn)
    log("%s client %s" % (tls.version(), subject or "(none)"))
    try:
        up = socket.create_connection(upstream)
    except OSError as e:
        log("upstream: %s" % e)
        tls.close()
        return
    threading.Thread(target=pump, args=(up, tls), daemon=True).start()
    pump(tls, up)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--tls", choices=("1.2", "1.3"), required=True)
    ap.add_argument("--client-ca")
    a = ap.parse_args()
    host, _, port = a.upstream.rpartition(":")
    upstream = (host or "127.0.0.1", int(port))

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    version = ssl.TLSVersion.TLSv1_2 if a.tls == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = version
    ctx.load_cert_chain(a.cert, a.key)
    if a.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(a.client_ca)

    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(16)
    print("ready %d" % ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, ctx, upstream), daemon=True).start()


if __name__ == "__main__":
    main()
