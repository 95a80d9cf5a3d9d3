#!/usr/bin/env python3
"""connectproxy.py PORT LOG: a minimal HTTP CONNECT proxy for the tests.

Tunnels to 127.0.0.1/localhost only (the tests never leave this machine),
appends "CONNECT host:port" to LOG for every tunnel, prints "ready PORT"
once listening (PORT 0 picks a free one)."""
import socket
import sys
import threading


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(c, log):
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < 8192:
        d = c.recv(4096)
        if not d:
            c.close()
            return
        buf += d
    line = buf.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) != 3 or parts[0] != "CONNECT":
        c.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        c.close()
        return
    target = parts[1]
    host, _, port = target.rpartition(":")
    host = host.strip("[]")
    with open(log, "a") as f:
        f.write("CONNECT %s\n" % target)
    if host not in ("127.0.0.1", "localhost", "::1"):
        c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        c.close()
        return
    try:
        u = socket.create_connection((host, int(port)), timeout=10)
    except OSError:
        c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        c.close()
        return
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    rest = buf.split(b"\r\n\r\n", 1)[1]
    if rest:
        u.sendall(rest)
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    print("ready %d" % s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c, log), daemon=True).start()


if __name__ == "__main__":
    main()
