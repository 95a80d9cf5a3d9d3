#!/bin/sh
# proxy.sh: https through an HTTP CONNECT proxy (HTTPS_PROXY), NO_PROXY,
# a proxy that is down, and plain http left alone.
. "$(dirname "$0")/../lib/t.sh"

LOG=$T_DIR/proxy.log
: > "$LOG"
. "$ROOT/tests/lib/registry.sh"
bg_ready "$T_DIR/cp" "CONNECT proxy" python3 "$ROOT/tests/lib/connectproxy.py" 0 "$LOG" ||
	{ fail connect-proxy "did not start"; exit 0; }
PP=$BG_PORT
multi=fixture/multi:latest

export HTTPS_PROXY="http://127.0.0.1:$PP"
run inspect --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/$multi"
expect_rc https-via-proxy-exit 0
if grep -q "^CONNECT $REG_HTTPS\$" "$LOG"; then pass https-via-proxy-tunnel
else fail https-via-proxy-tunnel "the proxy saw: $(cat "$LOG")"; fi

: > "$LOG"
export NO_PROXY="example.org, localhost"
run inspect --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/$multi"
expect_rc no-proxy-exit 0
if [ ! -s "$LOG" ]; then pass no-proxy-bypasses; else fail no-proxy-bypasses "the proxy saw: $(cat "$LOG")"; fi
unset NO_PROXY

: > "$LOG"
run inspect --plain-http "$REG_HTTP/$multi"
expect_rc plain-http-not-proxied-exit 0
if [ ! -s "$LOG" ]; then pass plain-http-not-proxied; else fail plain-http-not-proxied "the proxy saw: $(cat "$LOG")"; fi

# One retry: the message and the exit code are what is checked here (the
# whole default budget, about two minutes of back-off, is faults.sh's).
export HTTPS_PROXY="http://127.0.0.1:1"
run inspect --retries 1 --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/$multi"
expect_rc proxy-down-exit 3
expect_err proxy-down-says-proxy 'proxy'
export HTTPS_PROXY="https://127.0.0.1:$PP"
run inspect --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/$multi"
expect_rc https-proxy-url-refused-exit 2
unset HTTPS_PROXY
kill "$(cat "$T_DIR/cp/pid")" 2>/dev/null
