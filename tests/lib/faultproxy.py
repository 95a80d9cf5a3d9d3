#!/usr/bin/env python3
"""faultproxy.py: an HTTP/1.1 reverse proxy that injects network faults, for
the integration tests of ocipull's retries and resumed downloads.

    faultproxy.py --upstream [127.0.0.1:]PORT [--port P]

Listens on 127.0.0.1:P (P 0, the default, picks a free port) and forwards
every request (method, path, headers including Range, body) to the plain
HTTP server at 127.0.0.1:PORT, rewriting Host (and Location in answers),
and streams the answer back. Keep-alive on both sides, several clients at
once (one thread per connection); chunked upstream answers are passed on
chunked, HEAD answers without a body. The upstream must be a loopback
address: this tool never talks to anything else.

Faults come from a list of rules set through a control API on the same
port (paths beginning with /_, never forwarded):

  POST /_fault          body: a JSON rule, a list of rules, or
                        {"rules": [...]}; replaces the rule list (with
                        ?append=1: appends). Answers the rule list.
  GET  /_fault?K=V&...  one rule from the query (same fields), replacing
                        the list (append=1: appending).
  GET  /_stats[?match=REGEX]
                        JSON counters, see below.
  POST /_reset (or GET) forget all rules, counters and the request log;
                        also ends any stall in progress.

A rule applies to the next request(s) it matches; for each request the
first rule (in list order) that matches and has uses left is taken and
one use is consumed, so [drop A, drop B] means "the first matching request
is dropped at A, the second at B, then pass through". Fields:

  path      regex searched in the request path (default: any path)
  method    only this method (default: any)
  count     uses (default 1; 0 = every matching request, for ever)
  action    one of:
    drop_at      forward the answer, but after `at` body bytes (counted
                 from the start of this answer's body) reset the
                 connection (RST, after the client acknowledged those
                 bytes or 2 s passed)
    stall_at     send `at` body bytes, then nothing for `seconds` (default
                 30) with the connection open, then close it (FIN)
    outage_at    as truncate (`at` body bytes, then FIN, so the client
                 holds exactly those), and then the proxy is down for `seconds`:
                 every connection accepted meanwhile (control API
                 included) is reset at once, before a byte is read
    truncate     send the headers (real Content-Length) and `at` body bytes,
                 then close cleanly (FIN)
    corrupt_at   forward, with the body byte at offset `at` XORed with
                 `xor` (default 1)
    status       answer `status` (e.g. 429, 503, 500, 408) without asking
                 the upstream, with a Retry-After: `retry_after` header if
                 given; `close`: true closes the connection after it
    ignore_range forward without the Range header (the client gets the
                 upstream's 200 and the whole body)
    wrong_range  for "Range: bytes=A-B" ask the upstream for bytes
                 (A+shift)-B (shift default 1): the client gets a 206 whose
                 Content-Range starts at A+shift, with those bytes
    pass         forward unchanged (consumes a use: to skip requests)
  ignore_range and wrong_range only match requests that carry a Range
  header. A rule may also carry `corrupt_at` (and `xor`) next to drop_at,
  outage_at, stall_at, truncate, ignore_range or wrong_range, and
  `body_file` (a path) next to those: the answer's body bytes are then that
  file's, offset for offset, up to its end (the headers, Content-Length
  included, stay the upstream's): a tampered stream, cut where the rule
  says. A cut beyond the end
  of the body does nothing (the log says "not reached").

/_stats answers {"paths": {PATH: C, ...}, "total": C, "match": C (with
?match), "outage_resets": connections reset by an outage, "rules": [the rules, "left" = uses left (null: unlimited), "hits" = times
applied],
"log": [one record per request: t (Unix time at arrival), method, path,
range, auth (the Authorization header's scheme, and for Basic the user
name; null without one), status, bytes, fault, outcome]}, where C is {"requests",
"range_requests", "bytes" (body bytes written to the client), "offsets"
(start offsets of the Range requests, in order), "ranges" (the Range
header values), "statuses"}.

Prints "ready PORT" on stdout once listening and nothing else there; logs
one line per request on stderr. Python 3 standard library only.
"""
import argparse
import base64
import fcntl
import http.client
import json
import re
import socket
import socketserver
import struct
import sys
import termios
import threading
import time
import urllib.parse

MAX_LINE = 16384
MAX_HEADERS = 200
MAX_BODY = 64 * 1024 * 1024
HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
       "transfer-encoding", "upgrade"}
ACTIONS = {"drop_at", "outage_at", "stall_at", "truncate", "corrupt_at", "status",
           "ignore_range", "wrong_range", "pass"}
NEEDS_AT = {"drop_at", "outage_at", "stall_at", "truncate", "corrupt_at"}
RANGE_ONLY = {"ignore_range", "wrong_range"}
REASONS = {408: "Request Timeout", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


class Closed(Exception):
    """The client went away, or a fault ended the connection."""


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.paths = {}
        self.log = []
        self.reset_ev = threading.Event()
        self.down_until = 0.0
        self.outage_resets = 0

    def reset(self):
        with self.lock:
            self.rules = []
            self.paths = {}
            self.log = []
            self.down_until = 0.0
            self.outage_resets = 0
            self.reset_ev.set()
            self.reset_ev = threading.Event()

    def take(self, method, path, has_range):
        """The first rule matching and with uses left, one use consumed."""
        with self.lock:
            for r in self.rules:
                if r["left"] == 0:
                    continue
                if r.get("method") and r["method"].upper() != method:
                    continue
                if r["action"] in RANGE_ONLY and not has_range:
                    continue
                if not r["re"].search(path):
                    continue
                if r["left"] is not None:
                    r["left"] -= 1
                r["hits"] += 1
                return dict(r)
        return None

    def counters(self, path):
        c = self.paths.get(path)
        if c is None:
            c = {"requests": 0, "range_requests": 0, "bytes": 0,
                 "offsets": [], "ranges": [], "statuses": []}
            self.paths[path] = c
        return c


STATE = State()


def parse_rule(d):
    if not isinstance(d, dict):
        raise ValueError("a rule is a JSON object")
    known = {"path", "method", "count", "action", "at", "seconds", "status",
             "retry_after", "shift", "xor", "corrupt_at", "close", "body_file"}
    extra = set(d) - known
    if extra:
        raise ValueError("unknown rule field(s): %s" % ", ".join(sorted(extra)))
    a = d.get("action")
    if a not in ACTIONS:
        raise ValueError("action must be one of %s, not %r" % (", ".join(sorted(ACTIONS)), a))
    r = {"action": a, "path": str(d.get("path", "")),
         "method": d.get("method") or None}
    try:
        r["re"] = re.compile(r["path"])
    except re.error as e:
        raise ValueError("bad path regex %r: %s" % (r["path"], e))

    def num(k, default=None, kind=int):
        v = d.get(k, default)
        if v is None:
            return None
        try:
            v = kind(v)
        except (TypeError, ValueError):
            raise ValueError("%s must be a number, not %r" % (k, d.get(k)))
        if v < 0:
            raise ValueError("%s must not be negative" % k)
        return v
    count = num("count", 1)
    r["left"] = None if count == 0 else count
    r["hits"] = 0
    r["count"] = count
    if a == "corrupt_at":
        r["corrupt_at"] = num("at")
        if r["corrupt_at"] is None:
            raise ValueError("corrupt_at needs at")
    else:
        r["corrupt_at"] = num("corrupt_at")
        r["at"] = num("at")
        if a in NEEDS_AT and r["at"] is None:
            raise ValueError("%s needs at" % a)
    r["xor"] = num("xor", 1) & 0xff or 1
    r["body"] = None
    if d.get("body_file") is not None:
        try:
            with open(str(d["body_file"]), "rb") as f:
                r["body"] = f.read(MAX_BODY)
        except OSError as e:
            raise ValueError("body_file: %s" % e)
    r["seconds"] = num("seconds", 30, float)
    r["shift"] = num("shift", 1)
    if a == "status":
        r["status"] = num("status")
        if r["status"] is None or not 100 <= r["status"] <= 599:
            raise ValueError("status needs status between 100 and 599")
    if d.get("retry_after") is not None:
        r["retry_after"] = str(d["retry_after"])
    close = d.get("close", False)
    r["close"] = close if isinstance(close, bool) else str(close).lower() in ("1", "true", "yes")
    return r


def public_rule(r):
    return {k: v for k, v in r.items() if k not in ("re", "body")}


def auth_seen(value):
    """What the log keeps of an Authorization header: its scheme, and for
    Basic the user name (never a secret); None without one."""
    if value is None:
        return None
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(rest.strip()).decode("latin-1").partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            user = "?"
        return "Basic " + user
    return scheme


def parse_range(value):
    """(start, end or None) of a single "bytes=A-B" / "bytes=A-", else None."""
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d+)\s*-\s*(\d*)\s*", value or "")
    if not m:
        return None
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.sock = self.request
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")
        self.up = None

    def finish(self):
        if self.up is not None:
            self.up.close()
        try:
            self.rfile.close()
        except OSError:
            pass

    # ---- client side ------------------------------------------------------
    def read_request(self):
        line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return None
        if len(line) > MAX_LINE or not line.endswith(b"\n"):
            raise Closed("request line too long")
        parts = line.decode("latin-1").strip().split()
        if len(parts) != 3:
            raise Closed("bad request line %r" % line[:80])
        method, target, version = parts
        headers = []
        while True:
            h = self.rfile.readline(MAX_LINE + 1)
            if not h or len(h) > MAX_LINE:
                raise Closed("headers cut or too long")
            if h in (b"\r\n", b"\n"):
                break
            if len(headers) >= MAX_HEADERS:
                raise Closed("too many headers")
            k, sep, v = h.decode("latin-1").partition(":")
            if not sep:
                raise Closed("bad header line %r" % h[:80])
            headers.append((k.strip(), v.strip()))
        body = b""
        te = self.hget(headers, "transfer-encoding")
        if te and te.lower() != "identity":
            raise Closed("chunked request bodies are not supported")
        n = self.hget(headers, "content-length")
        if n:
            if not n.isdigit() or int(n) > MAX_BODY:
                raise Closed("bad Content-Length %r" % n)
            body = self.rfile.read(int(n))
            if len(body) != int(n):
                raise Closed("request body cut")
        return method.upper(), target, version, headers, body

    @staticmethod
    def hget(headers, name):
        for k, v in headers:
            if k.lower() == name:
                return v
        return None

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed("client: %s" % e)

    def send_head(self, status, reason, headers):
        out = ["HTTP/1.1 %d %s\r\n" % (status, reason)]
        out += ["%s: %s\r\n" % (k, v) for k, v in headers]
        out.append("\r\n")
        self.send("".join(out).encode("latin-1"))

    def handle(self):
        with STATE.lock:
            down = time.time() < STATE.down_until
            if down:
                STATE.outage_resets += 1
        if down:
            self.reset_now()
            log("outage: connection reset")
            return
        try:
            while True:
                req = self.read_request()
                if req is None:
                    return
                method, target, version, headers, body = req
                keep = version == "HTTP/1.1"
                conn = (self.hget(headers, "connection") or "").lower()
                if "close" in conn:
                    keep = False
                elif "keep-alive" in conn:
                    keep = True
                path = urllib.parse.urlsplit(target).path
                if path.startswith("/_"):
                    keep = self.control(method, target, body, keep)
                else:
                    keep = self.proxy(method, target, path, headers, body, keep)
                if not keep:
                    return
        except Closed as e:
            log("connection ended: %s" % e)
        except OSError as e:
            log("connection error: %s" % e)

    # ---- control API ----------------------------------------------------------
    def control(self, method, target, body, keep):
        u = urllib.parse.urlsplit(target)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        status, out = 200, None
        try:
            if u.path == "/_reset":
                STATE.reset()
                out = {"reset": True}
            elif u.path == "/_fault":
                append = q.pop("append", "0") in ("1", "true", "yes")
                if method == "POST" and body.strip():
                    d = json.loads(body.decode("utf-8"))
                    if isinstance(d, dict) and "rules" in d:
                        d = d["rules"]
                    if isinstance(d, dict):
                        d = [d]
                    if not isinstance(d, list):
                        raise ValueError("body must be a rule, a list or {\"rules\": [...]}")
                    rules = [parse_rule(x) for x in d]
                elif q:
                    rules = [parse_rule(q)]
                else:
                    rules = []
                with STATE.lock:
                    if append:
                        STATE.rules += rules
                    else:
                        STATE.rules = rules
                    out = {"rules": [public_rule(r) for r in STATE.rules]}
            elif u.path == "/_stats":
                out = stats(q.get("match"))
            else:
                status, out = 404, {"error": "unknown control path %s" % u.path}
        except (ValueError, json.JSONDecodeError) as e:
            status, out = 400, {"error": str(e)}
        data = (json.dumps(out, indent=1, sort_keys=True) + "\n").encode()
        self.send_head(status, "OK" if status == 200 else "Error",
                       [("Content-Type", "application/json"),
                        ("Content-Length", str(len(data))),
                        ("Connection", "keep-alive" if keep else "close")])
        if method != "HEAD":
            self.send(data)
        log("control %s %s -> %d" % (method, target, status))
        return keep

    # ---- forwarding -------------------------------------------------------------
    def upstream(self, fresh=False):
        if fresh and self.up is not None:
            self.up.close()
            self.up = None
        if self.up is None:
            self.up = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1], timeout=120)
        return self.up

    def ask(self, method, target, headers, body):
        for attempt in (0, 1):
            up = self.upstream(fresh=attempt == 1)
            try:
                up.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for k, v in headers:
                    up.putheader(k, v)
                if body:
                    up.putheader("Content-Length", str(len(body)))
                up.endheaders(body if body else None)
                return up.getresponse()
            except (OSError, http.client.HTTPException):
                # A kept-alive upstream connection closed meanwhile: once more.
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def proxy(self, method, target, path, headers, body, keep):
        t = time.time()
        rng = self.hget(headers, "range")
        rule = STATE.take(method, path, rng is not None)
        rec = {"t": t, "method": method, "path": path, "range": rng,
               "auth": auth_seen(self.hget(headers, "authorization")),
               "status": None, "bytes": 0,
               "fault": public_rule(rule) if rule else None, "outcome": "ok"}
        with STATE.lock:
            c = STATE.counters(path)
            c["requests"] += 1
            if rng is not None:
                c["range_requests"] += 1
                c["ranges"].append(rng)
                pr = parse_range(rng)
                c["offsets"].append(pr[0] if pr else None)
            STATE.log.append(rec)
        try:
            return self.forward(method, target, path, headers, body, keep, rng, rule, rec)
        finally:
            log("%s %s%s -> %s %d bytes%s: %s" % (
                method, path, " [Range %s]" % rng if rng else "", rec["status"],
                rec["bytes"], " [%s]" % describe(rule) if rule else "", rec["outcome"]))

    def forward(self, method, target, path, headers, body, keep, rng, rule, rec):
        action = rule["action"] if rule else "pass"
        if action == "status":
            code = rule["status"]
            data = json.dumps({"errors": [{"code": "UNAVAILABLE",
                                           "message": "faultproxy: injected %d" % code}]}).encode()
            keep = keep and not rule["close"]
            h = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
            if rule.get("retry_after") is not None:
                h.append(("Retry-After", rule["retry_after"]))
            h.append(("Connection", "keep-alive" if keep else "close"))
            self.send_head(code, REASONS.get(code, "Fault"), h)
            if method != "HEAD":
                self.send(data)
                self.count_bytes(path, rec, len(data))
            rec["status"] = code
            rec["outcome"] = "injected status"
            return keep

        fwd = []
        for k, v in headers:
            lk = k.lower()
            if lk in HOP or lk in ("host", "content-length"):
                continue
            if lk == "range":
                if action == "ignore_range":
                    continue
                if action == "wrong_range":
                    pr = parse_range(v)
                    if pr:
                        v = "bytes=%d-%s" % (pr[0] + rule["shift"],
                                             "" if pr[1] is None else pr[1])
                        rec["outcome"] = "asked upstream for %s" % v
            fwd.append((k, v))
        fwd.insert(0, ("Host", "%s:%d" % UPSTREAM))
        try:
            resp = self.ask(method, target, fwd, body)
        except (OSError, http.client.HTTPException) as e:
            data = ("faultproxy: upstream: %s\n" % e).encode()
            self.send_head(502, "Bad Gateway", [("Content-Type", "text/plain"),
                                                ("Content-Length", str(len(data))),
                                                ("Connection", "close")])
            self.send(data)
            rec["status"] = 502
            rec["outcome"] = "upstream failed: %s" % e
            return False

        rec["status"] = resp.status
        client_host = self.hget(headers, "host") or "127.0.0.1:%d" % PORT
        up_hosts = ["http://%s:%d" % UPSTREAM, "http://localhost:%d" % UPSTREAM[1]]
        out = []
        length = None
        for k, v in resp.getheaders():
            lk = k.lower()
            if lk in HOP:
                continue
            if lk == "content-length":
                length = v
            if lk == "location":
                for u in up_hosts:
                    if v.startswith(u):
                        v = "http://" + client_host + v[len(u):]
            out.append((k, v))
        bodyless = method == "HEAD" or resp.status in (204, 304) or resp.status < 200
        chunked = not bodyless and length is None
        if chunked:
            out.append(("Transfer-Encoding", "chunked"))
        up_keep = not resp.will_close
        keep = keep and (length is not None or chunked or bodyless)
        cut_action = action if action in ("drop_at", "outage_at", "stall_at", "truncate") else None
        out.append(("Connection", "keep-alive" if keep else "close"))
        self.send_head(resp.status, resp.reason or "", out)
        if bodyless:
            resp.read()
            if not up_keep:
                self.upstream(fresh=True)
            return keep

        cut = rule["at"] if cut_action else None
        corrupt = rule["corrupt_at"] if rule else None
        sent = 0
        complete = False
        while True:
            want = 65536
            if cut is not None:
                want = min(want, cut - sent)
                if want == 0:
                    break
            try:
                data = resp.read(want)
            except (OSError, http.client.HTTPException) as e:
                rec["outcome"] = "upstream body failed: %s" % e
                self.upstream(fresh=True)
                raise Closed("upstream body failed: %s" % e)
            if not data:
                complete = True
                break
            if rule and rule.get("body") is not None:
                data = rule["body"][sent:sent + len(data)]
                if not data:
                    break
            if corrupt is not None and sent <= corrupt < sent + len(data):
                b = bytearray(data)
                b[corrupt - sent] ^= rule["xor"]
                data = bytes(b)
                rec["outcome"] = "corrupted byte %d" % corrupt
            if chunked:
                self.send(b"%x\r\n" % len(data) + data + b"\r\n")
            else:
                self.send(data)
            sent += len(data)
            self.count_bytes(path, rec, len(data))
        if cut is not None and not complete:
            # Whether the body had exactly `cut` bytes: peek one more.
            try:
                more = resp.read(1)
            except (OSError, http.client.HTTPException):
                more = b""
            if more:
                self.upstream(fresh=True)      # the rest stays unread
                self.cut(cut_action, rule, rec, sent)
                raise Closed("fault %s at %d" % (cut_action, sent))
            complete = True
        if cut is not None:
            rec["outcome"] = "%s not reached (body has %d bytes)" % (cut_action, sent)
        if chunked:
            self.send(b"0\r\n\r\n")
        if not up_keep:
            self.upstream(fresh=True)
        return keep

    def count_bytes(self, path, rec, n):
        with STATE.lock:
            STATE.counters(path)["bytes"] += n
            rec["bytes"] += n

    def reset_now(self):
        """Close with RST (SO_LINGER 0)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            self.rfile.close()
        except OSError:
            pass
        self.sock.close()

    def cut(self, action, rule, rec, sent):
        if action == "outage_at":
            rec["outcome"] = "closed (FIN) after %d body bytes, then down for %g s" % (
                sent, rule["seconds"])
            with STATE.lock:
                STATE.down_until = time.time() + rule["seconds"]
            self.fin()
        elif action == "drop_at":
            # Let the client acknowledge what was sent (so it holds exactly
            # `sent` bytes), then reset: SO_LINGER 0 makes close() send RST.
            deadline = time.time() + 2
            buf = bytearray(4)
            while time.time() < deadline:
                try:
                    fcntl.ioctl(self.sock.fileno(), termios.TIOCOUTQ, buf)
                except OSError:
                    break
                if struct.unpack("i", buf)[0] == 0:
                    break
                time.sleep(0.005)
            rec["outcome"] = "reset after %d body bytes" % sent
            self.reset_now()
        elif action == "stall_at":
            rec["outcome"] = "stalled after %d body bytes for %g s" % (sent, rule["seconds"])
            with STATE.lock:
                ev = STATE.reset_ev
            ev.wait(rule["seconds"])
            self.fin()
        else:
            rec["outcome"] = "closed (FIN) after %d body bytes" % sent
            self.fin()

    def fin(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def describe(rule):
    a = rule["action"]
    if a in ("drop_at", "outage_at", "stall_at", "truncate"):
        s = "%s %d" % (a, rule["at"])
    elif a == "status":
        s = "status %d" % rule["status"]
    else:
        s = a
    if rule.get("corrupt_at") is not None:
        s += " corrupt %d" % rule["corrupt_at"]
    return s


def stats(match):
    with STATE.lock:
        paths = json.loads(json.dumps(STATE.paths))
        out = {"paths": paths, "outage_resets": STATE.outage_resets,
               "rules": [public_rule(r) for r in STATE.rules],
               "log": json.loads(json.dumps(STATE.log))}
    if match is not None:
        try:
            rx = re.compile(match)
        except re.error as e:
            raise ValueError("bad match regex %r: %s" % (match, e))
    else:
        rx = None

    def total(sel):
        t = {"requests": 0, "range_requests": 0, "bytes": 0, "offsets": [],
             "ranges": [], "statuses": []}
        for p, c in paths.items():
            if sel is not None and not sel.search(p):
                continue
            for k in ("requests", "range_requests", "bytes"):
                t[k] += c[k]
            for k in ("offsets", "ranges"):
                t[k] += c[k]
        for r in out["log"]:
            if sel is None or sel.search(r["path"]):
                t["statuses"].append(r["status"])
        return t
    for p, c in paths.items():
        c["statuses"] = [r["status"] for r in out["log"] if r["path"] == p]
    out["total"] = total(None)
    if rx is not None:
        out["match"] = total(rx)
    return out


def log(msg):
    sys.stderr.write("%s faultproxy: %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 64


def main():
    global UPSTREAM, PORT
    ap = argparse.ArgumentParser(description="fault-injecting HTTP proxy for tests")
    ap.add_argument("--upstream", required=True, help="[127.0.0.1:]PORT of a plain HTTP server")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    host, _, port = a.upstream.rpartition(":")
    host = host or "127.0.0.1"
    if host.startswith("http://"):
        host = host[len("http://"):]
    if host not in ("127.0.0.1", "localhost") or not port.isdigit():
        ap.error("--upstream must be 127.0.0.1:PORT (loopback only), not %r" % a.upstream)
    UPSTREAM = ("127.0.0.1", int(port))
    srv = Server(("127.0.0.1", a.port), Handler)
    PORT = srv.server_address[1]
    print("ready %d" % PORT, flush=True)
    log("listening on 127.0.0.1:%d, upstream http://127.0.0.1:%d" % (PORT, UPSTREAM[1]))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


UPSTREAM = ("127.0.0.1", 0)
PORT = 0

if __name__ == "__main__":
    main()
