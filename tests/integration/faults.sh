#!/bin/sh
# faults.sh: retries, timeouts and resumed downloads, through the fault
# proxy (tests/lib/faultproxy.py) that tests/run.sh starts in front of
# $REG_HTTP on 127.0.0.1:$FP_PORT. Each case resets the proxy, sets its
# fault rules, pulls through it with --stats and checks one outcome:
#
#   - the pull completes with a tree identical (treecmp) to a clean pull
#     of the same image from $REG_HTTP, and for a body broken off
#     mid-way, resumes with "Range: bytes=OFFSET-(size-1)" and fetches no
#     byte twice ("stats: ... refetched 0 bytes");
#   - or it fails with the documented exit code and DEST unchanged.
#
# The fixture is rss-small (one gzip layer of ~514 KiB holding a 1 MiB
# file), plus layers (three layers) and multi (linux/amd64). Faults target
# the layer blob by its digest, so the config blob and the manifests pass.
# Byte counts of the drops are offsets in the body of the answer that is
# cut (see faultproxy.py). For each resumed case the bytes fetched twice,
# from --stats and from the proxy's counters, go to stderr (log only).
#
# The drop (RST) waits until the client has acknowledged the bytes sent,
# so it holds them all; the tests still accept a resume offset below the
# drop point there (only truncate and stall must resume at exactly the cut),
# and the proxy's count of bytes sent twice is printed, not asserted.
. "$(dirname "$0")/../lib/t.sh"

HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG
fault_proxy faults-proxy || exit 0
IMG=$PX
pass faults-proxy

expect() { python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/$1" "$2" "$3"; }
blob_file() { echo "$FIXTURES/$1/blobs/sha256/${2#sha256:}"; }
now() { date +%s.%N; }
# since T0: seconds elapsed, 3 decimals
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# fge A B: A >= B (decimals)
fge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

LAYER=$(expect rss-small linux/amd64 layers)
LSIZE=$(wc -c < "$(blob_file rss-small "$LAYER")")
LRE="/blobs/$LAYER\$"
LEND=$((LSIZE - 1))

# runt ARGS...: `run` (tests/lib/t.sh) with a time limit, so that a pull
# that hangs fails its case instead of the suite (exit 124 then). The
# timeout runs inside the jail: it ends when ocipull is gone.
runt() {
	# shellcheck disable=SC2086
	jailed timeout -k 5 "${FAULT_LIMIT:-150}" $RUNNER "$OCIPULL" "$@" >"$OUT_F" 2>"$ERR_F" </dev/null
	RC=$?
	LAST="ocipull $*"
}

# fp_rules JSON: reset the proxy (rules, counters, log), then set the rules.
fp_rules() {
	curl -sf -o /dev/null -X POST "$FP/_reset" &&
	curl -sf -o "$T_DIR/rules.json" -X POST --data-binary "$1" "$FP/_fault"
}

# fp_stats: the proxy's counters and request log into $T_DIR/stats.json.
fp_stats() { curl -sf -o "$T_DIR/stats.json" "$FP/_stats" || echo '{}' > "$T_DIR/stats.json"; }

# pstat QUERY [REGEX]: one figure from $T_DIR/stats.json, over the request
# paths matching REGEX:
#   requests / range_requests / bytes   sums
#   offsets / ranges                    Range starts / headers, one a line
#   gap                                 seconds from the first request to
#                                       the second
#   unfired                             rules not applied as often as
#                                       their count says (count 0: never)
#   outage_resets                       connections reset by outage_at
pstat() {
	python3 - "$T_DIR/stats.json" "$1" "${2:-}" <<'PY'
import json, re, sys
st = json.load(open(sys.argv[1]))
q, rx = sys.argv[2], re.compile(sys.argv[3])
log = [r for r in st.get("log", []) if rx.search(r["path"])]
paths = {p: c for p, c in st.get("paths", {}).items() if rx.search(p)}
if q in ("requests", "range_requests", "bytes"):
    print(sum(c[q] for c in paths.values()))
elif q in ("offsets", "ranges"):
    for r in log:
        if r["range"] is not None:
            m = re.match(r"bytes=(\d+)-", r["range"])
            print(r["range"] if q == "ranges" else (m.group(1) if m else "?"))
elif q == "gap":
    print("%.3f" % (log[1]["t"] - log[0]["t"]) if len(log) >= 2 else "-1")
elif q == "outage_resets":
    print(st.get("outage_resets", 0))
elif q == "unfired":
    print(sum(1 for r in st.get("rules", [])
              if r["hits"] == 0 or r["left"] not in (0, None)))
PY
}

# ostats: S_RETRIES, S_RESUMED, S_REFETCHED from the last run's
# "stats: retries R, resumed M, refetched B bytes" line (empty if none).
ostats() {
	# shellcheck disable=SC2046
	set -- $(sed -n 's/^stats: retries \([0-9][0-9]*\), resumed \([0-9][0-9]*\), refetched \([0-9][0-9]*\) bytes.*/\1 \2 \3/p' "$ERR_F" | head -1)
	S_RETRIES=${1:-} S_RESUMED=${2:-} S_REFETCHED=${3:-}
}

# stat_is NAME WHAT WANT: the figure WHAT (retries, resumed, refetched) of
# the --stats line is WANT.
stat_is() {
	case $2 in
	retries) got=$S_RETRIES ;;
	resumed) got=$S_RESUMED ;;
	*) got=$S_REFETCHED ;;
	esac
	if [ -z "$got" ]; then
		fail "$1" "no 'stats: retries R, resumed M, refetched B bytes' line on stderr: $(grep '^stats:' "$ERR_F" | tr '\n' ';' | head -c 300)"
	elif [ "$got" = "$3" ]; then pass "$1"
	else fail "$1" "--stats says $2 $got, expected $3 ($(grep '^stats: retries' "$ERR_F"))"; fi
}

# Reference trees: clean pulls straight from $REG_HTTP; ref_tree FIXTURE
# sets REF to the tree (/nonexistent if the pull failed).
ref_tree() {
	REF=$T_DIR/ref-$1/rootfs
	rm -rf "${REF%/rootfs}"
	mkdir -p "${REF%/rootfs}"
	runt pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/$1:latest" "$REF"
	if [ "$RC" -eq 0 ] && [ -d "$REF" ]; then
		pass "faults-ref-$1"
	else
		fail "faults-ref-$1" "clean pull of $1 from $REG_HTTP exited $RC: $(head -c 300 "$ERR_F")"
		REF=/nonexistent
	fi
}
ref_tree rss-small
REF_RSS=$REF
ref_tree layers
REF_LAYERS=$REF
ref_tree multi
REF_MULTI=$REF

# fault_pull NAME FIXTURE RULES [ocipull options...]: set RULES, pull
# FIXTURE (linux/amd64) through the proxy into $T_DIR/NAME/rootfs (a fresh
# directory, or with OLD=1 an old_dest), then read both sides' figures.
fault_pull() {
	n=$1 fx=$2 rules=$3
	shift 3
	dest=$T_DIR/$n/rootfs
	rm -rf "${T_DIR:?}/${n:?}"
	mkdir -p "$T_DIR/$n"
	[ "${OLD:-0}" = 1 ] && old_dest "$dest"
	if ! fp_rules "$rules"; then
		fail "$n-rules" "the proxy refused the rules $rules: $(cat "$T_DIR/rules.json" 2>/dev/null)"
	fi
	T0=$(now)
	runt pull --plain-http --stats --platform linux/amd64 "$@" "$IMG/$fx:latest" "$dest"
	ELAPSED=$(since "$T0")
	fp_stats
	ostats
	u=$(pstat unfired)
	if [ "$u" = 0 ]; then pass "$n-fault-applied"
	else fail "$n-fault-applied" "$u rule(s) of $rules never applied (ocipull exited $RC)"; fi
}

# pulled NAME REF: the last pull exited 0 with the tree REF.
pulled() {
	expect_rc "$1-exit" 0
	if [ "$RC" -eq 0 ] && [ -d "$dest" ]; then
		same_tree "$1-tree" "$dest" "$2" --ignore-root-meta
	else
		fail "$1-tree" "no tree at $dest ('$LAST' exited $RC)"
	fi
}

# twice NAME REGEX SIZE: log the bytes fetched twice (--stats, proxy).
twice() {
	sent=$(pstat bytes "$2")
	echo "faults: $BOARD/$1: bytes fetched twice: --stats ${S_REFETCHED:-?}," \
		"proxy $((sent - $3)) (sent $sent for $3); Range requests:" \
		"$(pstat ranges "$2" | tr '\n' ' ')" >&2
}

# resumed_at NAME LOW HIGH: exactly one Range request for the layer, with
# start in [LOW, HIGH] and end size-1.
resumed_at() {
	r=$(pstat ranges "$LRE")
	o=$(pstat offsets "$LRE")
	if [ "$(echo "$r" | grep -c .)" -ne 1 ]; then
		fail "$1" "expected one Range request for the layer, the proxy saw: $(echo "$r" | tr '\n' ' ')"
	elif [ "$r" != "bytes=$o-$LEND" ]; then
		fail "$1" "Range '$r', expected 'bytes=$o-$LEND' (end = size - 1)"
	elif [ "$o" -lt "$2" ] || [ "$o" -gt "$3" ]; then
		fail "$1" "resumed at $o, expected $2..$3"
	else
		pass "$1"
	fi
}

KB=1024

# ---- a body broken off, resumed byte-exact -------------------------------------
fault_pull drop-100k rss-small "[{\"path\":\"$LRE\",\"action\":\"drop_at\",\"at\":$((100 * KB))}]"
pulled drop-100k "$REF_RSS"
resumed_at drop-100k-range 1 $((100 * KB))
stat_is drop-100k-refetched refetched 0
stat_is drop-100k-resumed resumed 1
twice drop-100k "$LRE" "$LSIZE"

# Three drops in a row, each in the answer to the previous resume: at 100,
# 250 and 370 KiB of the blob.
fault_pull drop-3x rss-small "[
 {\"path\":\"$LRE\",\"action\":\"drop_at\",\"at\":$((100 * KB))},
 {\"path\":\"$LRE\",\"action\":\"drop_at\",\"at\":$((150 * KB))},
 {\"path\":\"$LRE\",\"action\":\"drop_at\",\"at\":$((120 * KB))}]"
pulled drop-3x "$REF_RSS"
offs=$(pstat offsets "$LRE" | tr '\n' ' ')
if [ "$(pstat range_requests "$LRE")" = 3 ] &&
   echo "$offs" | awk '{ exit !(NF == 3 && $1 > 0 && $1 < $2 && $2 < $3) }'; then
	pass drop-3x-ranges
else
	fail drop-3x-ranges "expected three Range requests at growing offsets, the proxy saw: $offs"
fi
stat_is drop-3x-refetched refetched 0
stat_is drop-3x-resumed resumed 3
twice drop-3x "$LRE" "$LSIZE"

# Headers with the real Content-Length, 100 KiB of body, then a clean FIN.
fault_pull truncate rss-small "[{\"path\":\"$LRE\",\"action\":\"truncate\",\"at\":$((100 * KB))}]"
pulled truncate "$REF_RSS"
resumed_at truncate-range $((100 * KB)) $((100 * KB))
stat_is truncate-refetched refetched 0
stat_is truncate-resumed resumed 1
twice truncate "$LRE" "$LSIZE"

# 100 KiB, then silence for 30 s: --read-timeout 2 gives up on it well
# before the proxy closes, and resumes. The resume must come after about
# 2 s (no earlier than the read timeout) and long before the 30 s.
fault_pull stall rss-small "[{\"path\":\"$LRE\",\"action\":\"stall_at\",\"at\":$((100 * KB)),\"seconds\":30}]" \
	--read-timeout 2
pulled stall "$REF_RSS"
resumed_at stall-range $((100 * KB)) $((100 * KB))
gap=$(pstat gap "$LRE")
if fge "$gap" 1.9 && ! fge "$gap" 25; then pass stall-read-timeout
elif [ "$gap" = -1 ]; then fail stall-read-timeout "no second request for the layer after the stall"
else fail stall-read-timeout "the resume came ${gap} s after the stalled request (--read-timeout 2, stall 30 s)"; fi
stat_is stall-refetched refetched 0
stat_is stall-resumed resumed 1
twice stall "$LRE" "$LSIZE"

# A 200 to the Range request: accepted, as its first OFFSET bytes are those
# received already (they count as refetched).
fault_pull ignore-range rss-small "[
 {\"path\":\"$LRE\",\"action\":\"drop_at\",\"at\":$((100 * KB))},
 {\"path\":\"$LRE\",\"action\":\"ignore_range\"}]"
pulled ignore-range "$REF_RSS"
o=$(pstat offsets "$LRE" | head -1)
stat_is ignore-range-refetched refetched "${o:-"(no Range request)"}"
twice ignore-range "$LRE" "$LSIZE"

# The same, but that 200 differs in its first bytes (byte 4, the gzip
# MTIME: the rest would inflate alike): it must not be spliced on.
OLD=1 fault_pull ignore-range-differs rss-small "[
 {\"path\":\"$LRE\",\"action\":\"drop_at\",\"at\":$((100 * KB))},
 {\"path\":\"$LRE\",\"action\":\"ignore_range\",\"corrupt_at\":4,\"count\":0}]" --retries 2
if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$RC" -ne 2 ]; then pass ignore-range-differs-fails
else fail ignore-range-differs-fails "'$LAST' exited $RC, expected a failure (the 200's first bytes differ from those received); stderr: $(head -c 300 "$ERR_F")"; fi
unchanged ignore-range-differs "$dest"

# A 206 whose Content-Range starts one byte after the offset asked for.
OLD=1 fault_pull wrong-range rss-small "[
 {\"path\":\"$LRE\",\"action\":\"drop_at\",\"at\":$((100 * KB))},
 {\"path\":\"$LRE\",\"action\":\"wrong_range\",\"count\":0}]" --retries 2
expect_rc wrong-range-exit 3
if grep -qi 'content-range' "$ERR_F"; then pass wrong-range-says-content-range
else fail wrong-range-says-content-range "stderr does not mention Content-Range: $(head -c 300 "$ERR_F")"; fi
unchanged wrong-range "$dest"

# ---- answers to retry -------------------------------------------------------------
fault_pull status-429 rss-small "[{\"path\":\"$LRE\",\"action\":\"status\",\"status\":429,\"retry_after\":\"1\"}]"
pulled status-429 "$REF_RSS"
stat_is status-429-retries retries 1
gap=$(pstat gap "$LRE")
if [ "$gap" = -1 ]; then fail status-429-retry-after "no second request for the layer after the 429"
elif fge "$ELAPSED" 1 && fge "$gap" 0.95; then pass status-429-retry-after
else fail status-429-retry-after "Retry-After: 1 not honoured: retried after $gap s, whole pull $ELAPSED s"; fi

fault_pull status-503x3 rss-small "[{\"path\":\"$LRE\",\"action\":\"status\",\"status\":503,\"count\":3}]"
pulled status-503x3 "$REF_RSS"
stat_is status-503x3-retries retries 3
n=$(pstat requests "$LRE")
if [ "$n" = 4 ]; then pass status-503x3-requests
else fail status-503x3-requests "the proxy saw $n requests for the layer, expected 4"; fi

# Three 503s, but --retries 2 allows three attempts only.
OLD=1 fault_pull status-503-exhausted rss-small \
	"[{\"path\":\"$LRE\",\"action\":\"status\",\"status\":503,\"count\":3}]" --retries 2
expect_rc status-503-exhausted-exit 3
n=$(pstat requests "$LRE")
if [ "$n" = 3 ]; then pass status-503-exhausted-attempts
else fail status-503-exhausted-attempts "the proxy saw $n requests for the layer, expected 3 (1 + --retries 2)"; fi
unchanged status-503-exhausted "$dest"

fault_pull manifest-503 rss-small "[{\"path\":\"/manifests/\",\"action\":\"status\",\"status\":503}]"
pulled manifest-503 "$REF_RSS"
stat_is manifest-503-retries retries 1

# 408 on the first manifest request, 500 on the config blob (multi, amd64).
CFG=$(expect multi linux/amd64 config)
fault_pull multi-408-500 multi "[
 {\"path\":\"/manifests/\",\"action\":\"status\",\"status\":408},
 {\"path\":\"/blobs/$CFG\$\",\"action\":\"status\",\"status\":500}]"
pulled multi-408-500 "$REF_MULTI"
stat_is multi-408-500-retries retries 2

# ---- verification and the total time limit ------------------------------------------
# One byte of the layer changed in transit (the gzip MTIME: it still
# inflates): the digest names it. Not a network error: no retry helps.
bad=$(python3 - "$(blob_file rss-small "$LAYER")" <<'PY'
import hashlib, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[4] ^= 1
print("sha256:" + hashlib.sha256(b).hexdigest())
PY
)
OLD=1 fault_pull corrupt rss-small "[{\"path\":\"$LRE\",\"action\":\"corrupt_at\",\"at\":4}]"
expect_rc corrupt-exit 8
expect_err corrupt-names-expected "$LAYER"
expect_err corrupt-names-got "$bad"
unchanged corrupt "$dest"

# --timeout bounds the whole pull, even while every read gets an answer
# within --read-timeout... or none at all, as here: a 30 s stall.
OLD=1 fault_pull timeout-total rss-small \
	"[{\"path\":\"$LRE\",\"action\":\"stall_at\",\"at\":$((100 * KB)),\"seconds\":30}]" \
	--timeout 3 --read-timeout 60
expect_rc timeout-total-exit 3
if ! fge "$ELAPSED" 25; then pass timeout-total-bounded
else fail timeout-total-bounded "--timeout 3 took $ELAPSED s (the stall lasts 30 s)"; fi
unchanged timeout-total "$dest"

# ---- several layers ---------------------------------------------------------------------
# layers: each of its three layer blobs dropped half-way once.
rules=""
for l in $(expect layers linux/amd64 layers); do
	s=$(wc -c < "$(blob_file layers "$l")")
	rules="$rules${rules:+,}{\"path\":\"/blobs/$l\$\",\"action\":\"drop_at\",\"at\":$((s / 2))}"
done
fault_pull layers-drops layers "[$rules]"
pulled layers-drops "$REF_LAYERS"
stat_is layers-drops-refetched refetched 0
stat_is layers-drops-resumed resumed 3
echo "faults: $BOARD/layers-drops: bytes fetched twice: --stats ${S_REFETCHED:-?}; Range requests: $(pstat ranges /blobs/ | tr '\n' ' ')" >&2

# ---- a 60-second outage, default options ---------------------------------------------
# layers: half-way through its second layer the registry goes away for
# 60 s (every connection reset at once). With the default retries and
# backoff the pull waits it out, resumes that layer at the byte where it
# broke, and completes: at the proxy, every layer blob went out exactly
# once (bytes sent = blob size), and --stats counts nothing refetched.
set -- $(expect layers linux/amd64 layers)
L2=$2
s2=$(wc -c < "$(blob_file layers "$L2")")
FAULT_LIMIT=240 fault_pull outage layers \
	"[{\"path\":\"/blobs/$L2\$\",\"action\":\"outage_at\",\"at\":$((s2 / 2)),\"seconds\":60}]"
pulled outage "$REF_LAYERS"
echo "faults: $BOARD/outage: pull took $ELAPSED s, $(pstat outage_resets) connections reset during the outage" >&2
if fge "$ELAPSED" 60 && [ "$(pstat outage_resets)" -ge 1 ]; then pass outage-lasted
else fail outage-lasted "the pull took $ELAPSED s and met $(pstat outage_resets) reset connections: the outage did not hold it up"; fi
twice_any=""
for l in "$@"; do
	s=$(wc -c < "$(blob_file layers "$l")")
	sent=$(pstat bytes "/blobs/$l\$")
	[ "$sent" = "$s" ] || twice_any="$twice_any ${l#sha256:} sent $sent of $s;"
done
if [ -z "$twice_any" ]; then pass outage-no-byte-twice
else fail outage-no-byte-twice "bytes sent per layer blob at the proxy:$twice_any"; fi
resumed=$(pstat offsets "/blobs/$L2\$")
if [ "$resumed" = "$((s2 / 2))" ]; then pass outage-resumed-at-cut
else fail outage-resumed-at-cut "Range requests of layer 2 start at '$(echo $resumed)', expected $((s2 / 2))"; fi
stat_is outage-refetched refetched 0
stat_is outage-resumed resumed 1

curl -sf -o /dev/null -X POST "$FP/_reset" || true
