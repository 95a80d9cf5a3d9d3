#!/bin/sh
# resume.sh: a pull killed in the middle of a layer leaves a staging tree
# with bytes of that layer nobody verified yet; the next pull must never
# commit their effects (src/proof.h). Through the fault proxy that
# tests/run.sh starts in front of $REG_HTTP, on the crash fixture (four
# layers of ~6 MiB, the third whiting out a file of the first):
#
#   1. hostile resume: the proxy serves the last layer as a tampered but
#      valid gzip+tar prefix (an extra file, a chmod 0777 of an existing
#      directory, a whiteout of a lower file, then filler), then stalls;
#      once the tampered file is in the staging tree the pull gets kill -9;
#      the proxy then serves the true bytes, and the rerun must commit a
#      tree identical to a clean pull's (tests/treecmp.py), saying it
#      started afresh;
#   2. the same kill with the true bytes: the rerun keeps the three
#      verified layers and fetches only the last one again;
#   3. a reboot in between (the record's boot id changed): the rerun cannot
#      trust what reached the disk of the last layer, starts afresh, and
#      commits the right tree;
#   4. a network failure ocipull survives: the record is sealed and the
#      rerun keeps the verified layers.
# Each kill is sent inside the jail, once the staging tree shows what the
# case waits for, so the cases do not depend on timing (also under qemu).
. "$(dirname "$0")/../lib/t.sh"

fault_proxy resume-proxy || exit 0

IMG=$PX/crash:latest
TC="python3 $ROOT/tests/treecmp.py"
C=$T_DIR
D=$C/dest
S=$C/.dest.ocipull-staging
ARGS="--plain-http --platform linux/amd64 --progress plain --stats"
LAST_LAYER=$(python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/crash" linux/amd64 layers | tail -1)
LAST_SIZE=$(stat -c %s "$FIXTURES/crash/blobs/sha256/${LAST_LAYER#sha256:}")

rm -rf "$D" "$S" "$C/ref"
jailed $RUNNER "$OCIPULL" pull --plain-http --platform linux/amd64 \
	"$REG_HTTP/fixture/crash:latest" "$C/ref" 2>"$ERR_F" ||
	{ fail resume-reference "clean pull failed: $(tail -1 "$ERR_F")"; exit 0; }

# The tampered stream: gzip of a tar whose first entries do harm, then
# incompressible filler so that several proof chunks are applied.
python3 - "$C/tampered.gz" <<'PY'
import gzip, io, random, sys, tarfile
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    def add(name, kind=tarfile.REGTYPE, data=b"", mode=0o644):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.size = kind, mode, len(data)
        t.addfile(ti, io.BytesIO(data))
    add("TAMPERED-BY-PROXY", data=b"owned\n")
    add("many", tarfile.DIRTYPE, mode=0o777)
    add("data/.wh.layer1.bin")
    add("filler", data=random.Random(7).randbytes(256 * 1024))
open(sys.argv[1], "wb").write(gzip.compress(buf.getvalue(), 1))
PY
TLEN=$(stat -c %s "$C/tampered.gz")

# rules JSON: reset the proxy, then set them.
fp_rules() {
	curl -sf -o /dev/null -X POST "$FP/_reset" &&
	curl -sf -o /dev/null -X POST --data-binary "$1" "$FP/_fault"
}

# kill_when FILE: pull into $D in the jail, kill -9 it once FILE exists
# (at most 60 s), wait for it. Leaves "killed" or "not-killed" in $C/kw.
kill_when() {
	jailed sh -c 'f=$1; out=$2; shift 2; "$@" >/dev/null 2>&1 & p=$!
		i=0; while [ ! -e "$f" ] && [ $i -lt 600 ] && kill -0 $p 2>/dev/null; do
			sleep 0.1; i=$((i + 1)); done
		if kill -9 $p 2>/dev/null; then echo killed > "$out"; else echo not-killed > "$out"; fi
		wait $p 2>/dev/null' sh "$1" "$C/kw" $RUNNER "$OCIPULL" pull $ARGS "$IMG" "$D"
}

# rerun NAME: the proxy honest again, pull into $D; the tree must be the
# clean pull's.
rerun() {
	curl -sf -o /dev/null -X POST "$FP/_reset"
	jailed $RUNNER "$OCIPULL" pull $ARGS "$IMG" "$D" >"$OUT_F" 2>"$ERR_F" </dev/null
	RC=$?
	LAST="ocipull pull (rerun)"
	expect_rc "$1-rerun-exit" 0
	same_tree "$1-rerun-identical" "$D" "$C/ref" --ignore-root-meta
}

# kept_verified NAME: the rerun just made did not start afresh and fetched
# the last layer's bytes only (--stats).
kept_verified() {
	if grep -q 'starting afresh' "$ERR_F"; then fail "$1-keeps" "the rerun started afresh: $(grep afresh "$ERR_F")"
	else pass "$1-keeps"; fi
	got=$(sed -n 's/^stats: fetched [0-9]* bytes (\([0-9]*\) in layers).*/\1/p' "$ERR_F")
	if [ "$got" = "$LAST_SIZE" ]; then pass "$1-fetches-last-only"
	else fail "$1-fetches-last-only" "fetched $got layer bytes, expected $LAST_SIZE"; fi
}

# 1. Hostile resume.
rm -rf "$D" "$S"
fp_rules "{\"path\": \"/blobs/$LAST_LAYER\$\", \"action\": \"stall_at\", \"at\": $TLEN, \"seconds\": 120, \"body_file\": \"$C/tampered.gz\"}" ||
	{ fail resume-hostile-rules "the proxy refused the rule"; exit 0; }
kill_when "$S/rootfs/TAMPERED-BY-PROXY"
if [ "$(cat "$C/kw")" = killed ] && [ -e "$S/rootfs/TAMPERED-BY-PROXY" ] &&
   [ ! -e "$S/rootfs/data/layer1.bin" ]; then
	pass resume-hostile-applied-before-kill
else
	fail resume-hostile-applied-before-kill "the tampered bytes never reached the staging tree ($(cat "$C/kw"))"
fi
rerun resume-hostile
expect_err resume-hostile-says-afresh 'starting afresh: .*differ from those an interrupted run applied'
if [ ! -e "$D/TAMPERED-BY-PROXY" ] && [ -e "$D/data/layer1.bin" ]; then pass resume-hostile-no-trace
else fail resume-hostile-no-trace "the committed tree holds the tampered layer's effects"; fi

# 2. The same kill with true bytes: the verified layers stay.
rm -rf "$D" "$S"
fp_rules "{\"path\": \"/blobs/$LAST_LAYER\$\", \"action\": \"stall_at\", \"at\": 1000000, \"seconds\": 120}"
kill_when "$S/rootfs/data/layer3.bin"
rerun resume-honest
kept_verified resume-honest

# 3. A reboot between the kill and the rerun.
rm -rf "$D" "$S"
fp_rules "{\"path\": \"/blobs/$LAST_LAYER\$\", \"action\": \"stall_at\", \"at\": 1000000, \"seconds\": 120}"
kill_when "$S/rootfs/data/layer3.bin"
if [ -f "$S/work/layer.proof" ]; then
	# Another boot's id, in place (the header has a fixed length).
	python3 - "$S/work/layer.proof" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
f = bytes(b[:160]).split(b" ")
i = 4
f[i] = b"0" * len(f[i]) if f[i] != b"0" * len(f[i]) else b"1" * len(f[i])
b[:160] = b" ".join(f)
open(p, "wb").write(b)
PY
	pass resume-reboot-record
else
	fail resume-reboot-record "no work/layer.proof in the staging tree"
fi
rerun resume-reboot
expect_err resume-reboot-says-afresh 'starting afresh: layer 4 was being applied when the system stopped'
rm -rf "$D" "$S"

# 4. A failure ocipull survives (--retries 0, the connection reset in the
#    middle of the last layer): the staging tree stays, its record synced
#    and sealed, so that even another boot would keep it; the rerun keeps
#    the verified layers and fetches only the last one.
rm -rf "$D" "$S"
fp_rules "{\"path\": \"/blobs/$LAST_LAYER\$\", \"action\": \"drop_at\", \"at\": 1000000}"
jailed $RUNNER "$OCIPULL" pull $ARGS --retries 0 "$IMG" "$D" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull pull --retries 0 (reset mid-layer)"
expect_rc resume-sealed-fails 3
if [ -f "$S/work/layer.proof" ] && head -c 160 "$S/work/layer.proof" | grep -q ' sealed d '; then
	pass resume-sealed-record
else
	fail resume-sealed-record "no sealed record: $(head -c 160 "$S/work/layer.proof" 2>&1)"
fi
rerun resume-sealed
kept_verified resume-sealed
rm -rf "$D" "$S"
