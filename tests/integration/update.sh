#!/bin/sh
# update.sh: ocipull as an update agent uses it (every board).
#
#   - the state record beside DEST: `status --json` says what was pulled,
#     index digest included, as inspect saw it;
#   - a second pull of the same image fetches no blob byte (counted at the
#     fault proxy) and leaves DEST untouched; --force pulls again;
#   - `check` exits 0 when DEST is up to date, 14 when it is not;
#   - a tmpfs mount point as DEST (an A/B slot): unpacked in place, twice,
#     and the mount stays;
#   - a symlink DEST: the target is replaced, the link stays;
#   - a non-empty DEST ocipull did not write is refused untouched (2);
#     --force replaces it; --keep-old with DEST.old there is refused;
#   - DEST that cannot be used (a file, no parent, read-only): exit 2
#     before any request;
#   - --progress-fd 3 alone: only JSON lines on fd 3, in order;
#   - SIGTERM in the middle: a last error event, the staging directory
#     kept, and the next pull resumes from it.
. "$(dirname "$0")/../lib/t.sh"

fault_proxy update-proxy || exit 0
IMG=$PX/layers:latest
OTHER=$PX/multi:latest
P="--plain-http --platform linux/amd64"
U=$T_DIR/u
rm -rf "$U"
mkdir -p "$U"
proxy_stats() { curl -sf -o "$T_DIR/stats.json" "$FP/_stats" || echo '{}' > "$T_DIR/stats.json"; }
# blob_bytes: body bytes and requests the proxy served for blobs.
blob_bytes() {
	python3 -c 'import json, sys
st = json.load(open(sys.argv[1]))
c = [v for p, v in st.get("paths", {}).items() if "/blobs/" in p]
print(sum(x["bytes"] for x in c), sum(x["requests"] for x in c))' "$T_DIR/stats.json"
}

# ---- references and the record --------------------------------------------------
# shellcheck disable=SC2086
run pull $P "$IMG" "$U/ref"
expect_rc update-ref-exit 0
# shellcheck disable=SC2086
run pull $P "$OTHER" "$U/ref-other"
expect_rc update-ref-other-exit 0
# shellcheck disable=SC2086
run inspect $P --json "$IMG"
cp "$OUT_F" "$T_DIR/inspect.json"
run status --json "$U/ref"
expect_rc status-exit 0
if python3 - "$T_DIR/inspect.json" "$OUT_F" "$IMG" <<'PY' 2>"$T_DIR/py"
import json, sys
i, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert s["index"] == i["digest"] and s["index"] != i["manifest"]["digest"], s
assert s["manifest"] == i["manifest"]["digest"], s
assert s["config"] == i["config"]["digest"], s
assert s["layers"] == [l["digest"] for l in i["layers"]], s
assert s["platform"] == "linux/amd64" and s["reference"] == sys.argv[3], s
assert s["current"] is True and s["ocipull"] == 1, s
PY
then pass status-json-matches-inspect
else fail status-json-matches-inspect "$(tail -c 300 "$T_DIR/py")"; fi
run status "$U/ref"
expect_out status-plain-index "^index +sha256:[0-9a-f]{64}$"
run status "$U/nothing"
expect_rc status-no-record-exit 1
expect_err status-no-record-says "no state record"

# ---- no-op --------------------------------------------------------------------
curl -sf -o /dev/null -X POST "$FP/_reset"
# shellcheck disable=SC2086
run pull $P --progress=json "$IMG" "$U/ref"
expect_rc noop-exit 0
proxy_stats
set -- $(blob_bytes)
if [ "$1" = 0 ] && [ "$2" = 0 ]; then pass noop-no-blob-fetched
else fail noop-no-blob-fetched "the proxy served $1 blob bytes in $2 requests"; fi
expect_err noop-uptodate-event '^\{"event":"uptodate",.*"index":"sha256:'
run pull $P --progress=none "$IMG" "$U/ref"
expect_err noop-says "is up to date"
curl -sf -o /dev/null -X POST "$FP/_reset"
# shellcheck disable=SC2086
run pull $P --force --no-sync "$IMG" "$U/ref"
expect_rc force-exit 0
proxy_stats
set -- $(blob_bytes)
if [ "$2" -gt 0 ]; then pass force-pulls-again
else fail force-pulls-again "--force fetched no blob"; fi

# ---- check ---------------------------------------------------------------------
# shellcheck disable=SC2086
run check $P "$IMG" "$U/ref"
expect_rc check-uptodate-exit 0
# shellcheck disable=SC2086
run check $P "$OTHER" "$U/ref"
expect_rc check-update-exit 14
expect_out check-update-says "^update available: "
# shellcheck disable=SC2086
run check $P --json "$OTHER" "$U/ref"
expect_out check-json '"uptodate":false,"manifest":"sha256:.*"installed":"sha256:'
curl -sf -o /dev/null -X POST "$FP/_reset"
# shellcheck disable=SC2086
run check $P "$IMG" "$U/ref"
proxy_stats
set -- $(blob_bytes)
if [ "$2" = 0 ]; then pass check-fetches-manifests-only
else fail check-fetches-manifests-only "$2 blob requests"; fi

# ---- a mount point (an A/B slot) -------------------------------------------------
M=$U/slot
mkdir -p "$M"
# shellcheck disable=SC2086
jailed -m "$M" sh -c 'r=$1 first=$2 second=$3
	shift 3
	for img in "$first" "$second"; do
		"$@" "$img" "$r/slot" >"$r/mount.out" 2>>"$r/mount.err" ||
			echo "pull $img: $?" >> "$r/mount.rc"
		stat -f -c %T "$r/slot" >> "$r/mount.fs"
		cp -a "$r/slot" "$r/slot-copy-${img##*/}"
		mv "$r/slot-copy-${img##*/}/.ocipull.json" "$r/record-${img##*/}"
		ls -A "$r/slot" | grep -c ocipull-staging >> "$r/mount.staging"
	done' sh "$U" "$OTHER" "$IMG" $RUNNER "$OCIPULL" pull $P
if [ ! -e "$U/mount.rc" ]; then pass mount-pulls-exit
else fail mount-pulls-exit "$(cat "$U/mount.rc"): $(head -c 300 "$U/mount.err")"; fi
if [ "$(cat "$U/mount.fs" 2>/dev/null | tr '\n' ' ')" = "tmpfs tmpfs " ]; then pass mount-stays
else fail mount-stays "file system after each pull: $(cat "$U/mount.fs" 2>/dev/null)"; fi
same_tree mount-first-tree "$U/slot-copy-multi:latest" "$U/ref-other" --ignore-root-meta
same_tree mount-second-tree "$U/slot-copy-layers:latest" "$U/ref" --ignore-root-meta
if [ "$(cat "$U/mount.staging" 2>/dev/null | tr '\n' ' ')" = "0 0 " ]; then pass mount-no-staging-left
else fail mount-no-staging-left "$(cat "$U/mount.staging" 2>/dev/null)"; fi
if grep -q "\"manifest\":\"$(sed -n 's/.*"manifest":"\([^"]*\)".*/\1/p' "$U/.ref.ocipull.json")\"" \
	"$U/record-layers:latest" 2>/dev/null && [ ! -e "$U/.slot.ocipull.json" ]; then pass mount-record-inside
else fail mount-record-inside "no record of the second image inside the mount point"; fi
# Another file system mounted there (a fresh tmpfs: a reformatted or other
# slot) holds nothing: it is not up to date, whatever was pulled before.
# shellcheck disable=SC2086
jailed -m "$M" sh -c 'r=$1 img=$2
	shift 2
	"$@" status "$r/slot" > "$r/fresh-status.out" 2>&1
	echo $? > "$r/fresh-status.rc"
	"$@" pull $0 "$img" "$r/slot" > "$r/fresh.out" 2> "$r/fresh.err"
	echo $? > "$r/fresh.rc"
	rm -rf "$r/slot-fresh"
	cp -a "$r/slot" "$r/slot-fresh"
	rm -f "$r/slot-fresh/.ocipull.json"' "$P" "$U" "$IMG" $RUNNER "$OCIPULL"
if [ "$(cat "$U/fresh-status.rc")" = 1 ]; then pass mount-fresh-no-record
else fail mount-fresh-no-record "status exited $(cat "$U/fresh-status.rc")"; fi
if [ "$(cat "$U/fresh.rc")" = 0 ] && ! grep -q "up to date" "$U/fresh.err"; then pass mount-fresh-pulled
else fail mount-fresh-pulled "exit $(cat "$U/fresh.rc"): $(head -c 300 "$U/fresh.err")"; fi
same_tree mount-fresh-tree "$U/slot-fresh" "$U/ref" --ignore-root-meta

# A rename failing while the old contents move aside (strace, host only):
# what moved goes back, the slot is as it was, nothing is left in it.
if [ -z "$RUNNER" ] && command -v strace >/dev/null 2>&1; then
	jailed -m "$M" sh -c 'r=$1 first=$2 second=$3
		shift 3
		"$@" "$first" "$r/slot" >/dev/null 2>&1
		cp -a "$r/slot" "$r/slot-before"
		strace -f -o /dev/null -e trace=renameat2 \
			-e inject=renameat2:error=EIO:when=2 \
			"$@" --force "$second" "$r/slot" >/dev/null 2>"$r/fail.err"
		echo $? > "$r/fail.rc"
		cp -a "$r/slot" "$r/slot-after"' sh "$U" "$OTHER" "$IMG" "$OCIPULL" pull $P
	if [ "$(cat "$U/fail.rc")" = 9 ]; then pass mount-move-fails-exit
	else fail mount-move-fails-exit "exit $(cat "$U/fail.rc"): $(head -c 300 "$U/fail.err")"; fi
	# (The root's mtime moves: entries left it and came back.)
	same_tree mount-move-fails-unchanged "$U/slot-after" "$U/slot-before" --ignore-root-meta
	if [ -f "$U/slot-after/.ocipull.json" ]; then pass mount-move-fails-record-kept
	else fail mount-move-fails-record-kept "the slot lost its state record"; fi
	if grep -q "is unchanged" "$U/fail.err"; then pass mount-move-fails-says
	else fail mount-move-fails-says "$(head -c 300 "$U/fail.err")"; fi
fi

# ---- a symlink DEST --------------------------------------------------------------
mkdir -p "$U/slot-a"
ln -s slot-a "$U/current"
# shellcheck disable=SC2086
run pull $P "$IMG" "$U/current"
expect_rc symlink-exit 0
if [ -L "$U/current" ] && [ "$(readlink "$U/current")" = slot-a ]; then pass symlink-kept
else fail symlink-kept "$U/current is no longer the link to slot-a"; fi
same_tree symlink-target-tree "$U/slot-a" "$U/ref" --ignore-root-meta
if [ -f "$U/.slot-a.ocipull.json" ] && [ ! -e "$U/.current.ocipull.json" ]; then pass symlink-record-beside-target
else fail symlink-record-beside-target "$(ls -A "$U" | tr '\n' ' ')"; fi
run status "$U/current"
expect_out symlink-status "^dest +.*/slot-a$"

# ---- destinations that are not ocipull's ------------------------------------------
mkdir -p "$U/foreign/etc"
echo keep > "$U/foreign/etc/precious"
cp -a "$U/foreign" "$U/foreign.before"
# shellcheck disable=SC2086
run pull $P "$IMG" "$U/foreign"
expect_rc foreign-refused-exit 2
expect_err foreign-refused-says "is not empty and ocipull did not write it .*--force"
same_tree foreign-untouched "$U/foreign" "$U/foreign.before"
if [ ! -e "$U/.foreign.ocipull.json" ]; then pass foreign-no-record
else fail foreign-no-record "a record was written"; fi
# shellcheck disable=SC2086
run pull $P --force "$IMG" "$U/foreign"
expect_rc foreign-force-exit 0
same_tree foreign-force-tree "$U/foreign" "$U/ref" --ignore-root-meta

# --keep-old keeps the previous tree once; a second time it is refused.
# shellcheck disable=SC2086
run pull $P --keep-old "$OTHER" "$U/foreign"
expect_rc keep-old-first-exit 0
same_tree keep-old-first-old "$U/foreign.old" "$U/ref" --ignore-root-meta
# shellcheck disable=SC2086
run pull $P --keep-old "$IMG" "$U/foreign"
expect_rc keep-old-again-refused 2
expect_err keep-old-again-says "foreign.old exists already"
same_tree keep-old-again-untouched "$U/foreign" "$U/ref-other" --ignore-root-meta
# shellcheck disable=SC2086
run pull $P --keep-old --force "$IMG" "$U/foreign"
expect_rc keep-old-force-exit 0
same_tree keep-old-force-old "$U/foreign.old" "$U/ref-other" --ignore-root-meta

# ---- DEST that cannot be used: 2, before any request ------------------------------
echo file > "$U/afile"
curl -sf -o /dev/null -X POST "$FP/_reset"
# shellcheck disable=SC2086
run pull $P "$IMG" "$U/afile"
expect_rc dest-file-exit 2
expect_err dest-file-says "exists and is not a directory"
# shellcheck disable=SC2086
run pull $P "$IMG" "$U/no/such/parent"
expect_rc dest-no-parent-exit 2
mkdir -p "$U/ro"
# shellcheck disable=SC2086
jailed -r "$U/ro" $RUNNER "$OCIPULL" pull --plain-http --platform linux/amd64 "$IMG" "$U/ro" \
	>"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull pull into a read-only DEST"
expect_rc dest-read-only-exit 2
expect_err dest-read-only-says "cannot be written"
proxy_stats
if [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("paths", {})))' "$T_DIR/stats.json")" = 0 ]; then
	pass dest-errors-before-network
else fail dest-errors-before-network "requests reached the proxy"; fi

# status and check only read: a read-only DEST and parent are fine.
# shellcheck disable=SC2086
jailed -r "$U" $RUNNER "$OCIPULL" status "$U/ref" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull status on a read-only tree"
expect_rc status-read-only-exit 0
# shellcheck disable=SC2086
jailed -r "$U" $RUNNER "$OCIPULL" check $P "$IMG" "$U/ref" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull check on a read-only tree"
expect_rc check-read-only-exit 0

# A configuration error in JSON mode is an error event too (code 2).
# shellcheck disable=SC2086
jailed $RUNNER "$OCIPULL" pull $P --progress-fd 3 "$IMG" "$U/afile" \
	3>"$T_DIR/fd3-err" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull pull --progress-fd 3 into a file"
expect_rc progress-fd-usage-exit 2
if grep -q '^{"event":"error","code":2,"error":"usage error","message":"destination .*afile exists and is not a directory"}$' "$T_DIR/fd3-err"; then
	pass progress-fd-usage-error-event
else fail progress-fd-usage-error-event "fd 3: $(head -c 300 "$T_DIR/fd3-err")"; fi

# ---- --progress-fd 3 alone -----------------------------------------------------------
rm -rf "$U/fd3"
# shellcheck disable=SC2086
jailed $RUNNER "$OCIPULL" pull $P --progress-fd 3 "$IMG" "$U/fd3" \
	3>"$T_DIR/fd3" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull pull --progress-fd 3"
expect_rc progress-fd-alone-exit 0
if python3 - "$T_DIR/fd3" <<'PY' 2>"$T_DIR/py"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
ev = [json.loads(l) for l in lines]          # every line is JSON
k = [e["event"] for e in ev if e["event"] != "progress"]
want = ["resolved"] + ["layer", "verified"] * 3 + ["committed", "done"]
assert k == want, k
assert ev[0]["index"].startswith("sha256:") and ev[-1]["index"] == ev[0]["index"], ev[0]
assert ev[-2]["digest"] == ev[0]["digest"], ev[-2]
PY
then pass progress-fd-alone-json-in-order
else fail progress-fd-alone-json-in-order "$(tail -c 300 "$T_DIR/py")"; fi
if ! grep -q '^{' "$ERR_F" && grep -q 'unpacked into' "$ERR_F"; then pass progress-fd-alone-stderr-text
else fail progress-fd-alone-stderr-text "$(head -c 300 "$ERR_F")"; fi

# ---- SIGTERM in the middle ------------------------------------------------------------
set -- $(python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/layers" linux/amd64 layers)
L2=$2
curl -sf -o /dev/null -X POST "$FP/_reset"
curl -sf -o /dev/null -X POST --data-binary \
	"[{\"path\":\"/blobs/$L2\$\",\"action\":\"stall_at\",\"at\":100,\"seconds\":30}]" "$FP/_fault"
rm -rf "$U/term" "$U/.term.ocipull-staging"
# shellcheck disable=SC2086
jailed sh -c '"$@" & p=$!; sleep 3; kill -TERM $p; wait $p; echo $? > "$0"' \
	"$U/term.rc" $RUNNER "$OCIPULL" pull $P --progress=json "$IMG" "$U/term" \
	>"$OUT_F" 2>"$ERR_F" </dev/null
LAST="ocipull pull, SIGTERM after 3 s"
if [ "$(cat "$U/term.rc")" = 143 ]; then pass sigterm-dies-by-it
else fail sigterm-dies-by-it "exit $(cat "$U/term.rc")"; fi
# The last JSON line (the jail's shell may say "Terminated" after it).
if grep '^{' "$ERR_F" | tail -1 | python3 -c 'import json, sys
e = json.loads(sys.stdin.read())
assert e["event"] == "error" and e["error"] == "interrupted" and e["code"] == 143, e' 2>"$T_DIR/py"
then pass sigterm-error-event-last
else fail sigterm-error-event-last "$(tail -c 300 "$ERR_F")"; fi
if grep -q '^layer 0 ' "$U/.term.ocipull-staging/journal" 2>/dev/null; then pass sigterm-staging-kept
else fail sigterm-staging-kept "no staging journal with the first layer"; fi
curl -sf -o /dev/null -X POST "$FP/_reset"
# shellcheck disable=SC2086
run pull $P --progress=json "$IMG" "$U/term"
expect_rc sigterm-rerun-exit 0
expect_err sigterm-rerun-kept-event '^\{"event":"kept","layer":1,"layers":3,'
same_tree sigterm-rerun-tree "$U/term" "$U/ref" --ignore-root-meta

# ---- plain progress, the default off a terminal ----------------------------------------
rm -rf "$U/plain"
# shellcheck disable=SC2086
run pull $P "$IMG" "$U/plain"
expect_err plain-default-layer-line '^layer 1/3 sha256:[0-9a-f]{12}: [0-9.]+ (B|KiB|MiB)$'
expect_err plain-default-verified-line '^layer 3/3 sha256:[0-9a-f]{12} verified$'
expect_err plain-default-commit-line '^committed sha256:'
