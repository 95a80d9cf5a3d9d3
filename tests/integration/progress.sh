#!/bin/sh
# progress.sh: --progress=json events an update agent can read, on the
# standard error or on --progress-fd; an error event on failure.
. "$(dirname "$0")/../lib/t.sh"

D=$T_DIR/p
rm -rf "$D"
run pull --plain-http --progress=json --platform linux/amd64 "$REG_HTTP/fixture/layers:latest" "$D"
expect_rc json-progress-exit 0
if python3 - "$ERR_F" <<'PY' 2>"$T_DIR/py"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
kinds = [e["event"] for e in ev]
assert kinds[0] == "resolved" and ev[0]["layers"] == 3, kinds
assert kinds[-2:] == ["committed", "done"], kinds
assert ev[-1]["digest"] == ev[0]["digest"] and ev[-1]["layers"] == 3, ev[-1]
assert kinds.count("layer") == 3 and kinds.count("verified") == 3, kinds
for i in range(3):
    a = kinds.index("layer", [k for k, e in enumerate(ev) if e["event"] == "layer"][i])
    assert ev[a]["layer"] == i + 1
prog = [e for e in ev if e["event"] == "progress"]
assert prog and all(p["bytes"] <= p["size"] for p in prog), prog
assert any(p["bytes"] == p["size"] for p in prog)
PY
then pass json-progress-events
else fail json-progress-events "$(head -c 400 "$T_DIR/py")"; fi

rm -rf "$D"
jailed $RUNNER "$OCIPULL" pull --plain-http --progress=json --progress-fd 3 --platform linux/amd64 \
	"$REG_HTTP/fixture/multi:latest" "$D" 3>"$T_DIR/fd3" >"$OUT_F" 2>"$ERR_F"
RC=$?
LAST="ocipull pull --progress-fd 3"
expect_rc progress-fd-exit 0
if grep -q '"event":"committed"' "$T_DIR/fd3" && ! grep -q '"event"' "$ERR_F"; then
	pass progress-fd-separate
else
	fail progress-fd-separate "events not on fd 3 only"
fi

run pull --plain-http --progress=json --platform linux/s390x "$REG_HTTP/fixture/multi:latest" "$D"
expect_rc json-error-exit 7
expect_err json-error-event '^\{"event":"error","code":7,"error":"no matching platform","message":".*s390x'

run pull --plain-http --progress=plain --force --platform linux/amd64 "$REG_HTTP/fixture/multi:latest" "$D"
expect_err plain-progress-lines '^layer 2/2 sha256:[0-9a-f]{12} verified$'
run pull --plain-http --progress=bogus "$REG_HTTP/fixture/multi:latest" "$D"
expect_rc bad-progress-mode-exit 2
