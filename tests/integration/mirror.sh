#!/bin/sh
# mirror.sh: pulls through mirrors that need no trust (issue 14).
#
# Mirrors here are real programs: the fault proxy (tests/lib/faultproxy.py,
# in front of $REG_HTTP, which holds the same images) for a mirror that
# fails or lies, and a docker-registry in proxy mode (`proxy: remoteurl:`)
# as a pull-through cache of an origin of this board's own, stopped once
# the cache is warm. Every successful pull is compared (treecmp) with a
# clean pull from the origin:
#
#   - a dead mirror (a closed port) falls back to the origin at once, no
#     retries, and is not asked again in the run;
#   - a good mirror serves every blob and manifest by digest, and no tag:
#     tags are resolved at the origin unless hosts.toml gives the mirror
#     the resolve capability (the proxy's log shows the requests);
#   - a mirror whose layer blob is a valid gzip tar with an extra file and
#     a whiteout of a lower file, padded to the true size, is skipped for
#     that blob; the tree is rebuilt from layer 1 and equals the clean one;
#   - a mirror answering 500, serving a wrong manifest, or stalling mid-blob
#     (then the origin goes on at the same byte) is skipped for the object;
#   - origin credentials (basic, bearer) never reach a mirror (the proxy
#     logs each request's Authorization scheme);
#   - the pull-through cache serves a tag (with resolve) and a digest with
#     its origin stopped;
#   - --mirror and hosts.toml errors are exit 2, naming file, line and key.
. "$(dirname "$0")/../lib/t.sh"
. "$ROOT/tests/lib/registry.sh"

HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG REGISTRY_AUTH_FILE
fault_proxy mirror-proxy || exit 0
MP=http://127.0.0.1:$FP_PORT            # the fault proxy as a mirror
IMG=$REG_HTTP/fixture/layers:latest
P="--plain-http --platform linux/amd64"

expect() { python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/$1" "$2" "$3"; }
LAYERS=$(expect layers linux/amd64 layers)
L1=$(echo "$LAYERS" | sed -n 1p)
L2=$(echo "$LAYERS" | sed -n 2p)
MAN=$(expect layers linux/amd64 manifest)

# Shared by the boards: the lying blob and the lying manifest.
M=$WORK/mirror
mirror_setup() {
	for l in 2 3; do
	d=$(echo "$LAYERS" | sed -n ${l}p)
	python3 - "$FIXTURES/layers/blobs/sha256/${d#sha256:}" "$M/evil-l$l" <<'PY' || return 1
import gzip, io, sys, tarfile
size = len(open(sys.argv[1], "rb").read())
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("EVIL-from-mirror", b"a mirror's extra file\n"),
                       ("bin/.wh.tool", b"")):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
z = gzip.compress(raw.getvalue(), mtime=0)
if len(z) >= size:
    sys.exit("the wrong layer (%d bytes) does not fit in %d" % (len(z), size))
open(sys.argv[2], "wb").write(z + b"\0" * (size - len(z)))
PY
	done
	python3 - "$FIXTURES/layers/blobs/sha256/${MAN#sha256:}" "$M/evil-manifest" <<'PY' || return 1
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.index(b'"size":') + 7
b[i] = ord("9") if b[i] != ord("9") else ord("8")
open(sys.argv[2], "wb").write(bytes(b))
PY
	echo "EVIL_READY=1" > "$M/env"
}
setup_once "$M" mirror_setup mirror-setup "wrong blob or manifest" || exit 0

fp_rules() {
	curl -sf -o /dev/null -X POST "$FP/_reset" &&
	curl -sf -o /dev/null -X POST --data-binary "$1" "$FP/_fault"
}
fp_stats() { curl -sf -o "$T_DIR/stats.json" "$FP/_stats" || echo '{}' > "$T_DIR/stats.json"; }
# plog QUERY REGEX: over the proxy's request log for paths matching REGEX:
# count (requests), auth (the Authorization values seen, sorted, "-" none)
plog() {
	python3 - "$T_DIR/stats.json" "$1" "$2" <<'PY'
import json, re, sys
st = json.load(open(sys.argv[1]))
rx = re.compile(sys.argv[3])
log = [r for r in st.get("log", []) if rx.search(r["path"])]
if sys.argv[2] == "count":
    print(len(log))
else:
    print(" ".join(sorted(set(r.get("auth") or "-" for r in log))) or "none")
PY
}
# is NAME GOT WANT
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

REF=$T_DIR/ref
rm -rf "$T_DIR"/ref "$T_DIR"/d-*
# shellcheck disable=SC2086
run pull $P "$IMG" "$REF"
expect_rc mirror-ref-exit 0

# ---- a dead mirror: a closed port ------------------------------------------------
DEAD=$(reg_free_port)
t0=$(date +%s)
# shellcheck disable=SC2086
run pull $P --stats --mirror "http://127.0.0.1:$DEAD" "$IMG" "$T_DIR/d-dead"
expect_rc dead-mirror-exit 0
same_tree dead-mirror-tree "$REF" "$T_DIR/d-dead" --ignore-root-meta
expect_err dead-mirror-skipped "mirror 127.0.0.1:$DEAD skipped for sha256:.*; trying $REG_HTTP"
expect_err dead-mirror-no-retries "^stats: retries 0,"
expect_err dead-mirror-not-asked-again "^stats: mirror 127.0.0.1:$DEAD \(--mirror\): 0 objects, 0 bytes, skipped for 1, not asked again"
if [ $(($(date +%s) - t0)) -lt 30 ]; then pass dead-mirror-quick
else fail dead-mirror-quick "took $(($(date +%s) - t0)) s"; fi

# ---- a good mirror: every digest from it, no tag -----------------------------------
fp_rules '[]'
# shellcheck disable=SC2086
run pull $P --stats --mirror "$MP" "$IMG" "$T_DIR/d-good"
expect_rc good-mirror-exit 0
same_tree good-mirror-tree "$REF" "$T_DIR/d-good" --ignore-root-meta
fp_stats
is good-mirror-served-layers "$(plog count "/blobs/($L1|$L2)\$")" 2
is good-mirror-served-manifest "$(plog count "/manifests/$MAN\$")" 1
is good-mirror-no-tag "$(plog count "/manifests/latest\$")" 0
expect_err good-mirror-stats-origin "^stats: origin $REG_HTTP: 1 objects"

# ---- hosts.toml: resolve capability lets the mirror answer the tag -------------------
H=$T_DIR/hosts
mkdir -p "$H/$REG_HTTP"
cat > "$H/$REG_HTTP/hosts.toml" <<EOF
# the fault proxy, trusted for tags
[host."$MP"]
  capabilities = ["pull", "resolve"]
EOF
fp_rules '[]'
# shellcheck disable=SC2086
run pull $P --stats --hosts-dir "$H" "$IMG" "$T_DIR/d-resolve"
expect_rc resolve-mirror-exit 0
same_tree resolve-mirror-tree "$REF" "$T_DIR/d-resolve" --ignore-root-meta
fp_stats
is resolve-mirror-tag-there "$(plog count "/manifests/latest\$")" 1
expect_err resolve-mirror-origin-unused "^stats: origin $REG_HTTP: 0 objects"
# Without resolve: the tag at the origin.
printf '[host."%s"]\n  capabilities = ["pull"]\n' "$MP" > "$H/$REG_HTTP/hosts.toml"
fp_rules '[]'
# shellcheck disable=SC2086
run pull $P --hosts-dir "$H" "$IMG" "$T_DIR/d-pullonly"
expect_rc pull-only-exit 0
fp_stats
is pull-only-no-tag "$(plog count "/manifests/latest\$")" 0
is pull-only-blobs "$(plog count "/blobs/$L2\$")" 1

# ---- a lying mirror: layer 2 is another valid gzip tar --------------------------------
fp_rules "{\"path\": \"/blobs/$L2\$\", \"action\": \"pass\", \"count\": 0, \"body_file\": \"$M/evil-l2\"}"
# shellcheck disable=SC2086
run pull $P --stats --progress=json --mirror "$MP" "$IMG" "$T_DIR/d-evil"
expect_rc evil-blob-exit 0
cp "$ERR_F" "$T_DIR/evil.err"        # for a post-mortem (KEEP=1)
same_tree evil-blob-tree-clean "$REF" "$T_DIR/d-evil" --ignore-root-meta
if [ -e "$T_DIR/d-evil/EVIL-from-mirror" ] || [ ! -e "$T_DIR/d-evil/bin/tool" ]; then
	fail evil-blob-no-trace "the extra file is there or bin/tool is gone"
else pass evil-blob-no-trace; fi
expect_err evil-blob-mirror-event "\"event\":\"mirror\",\"mirror\":\"127.0.0.1:$FP_PORT\",\"object\":\"$L2\",\"reason\":\"its bytes did not verify: .*digest mismatch.*\"next\":\"$REG_HTTP\""
expect_err evil-blob-afresh "\"event\":\"afresh\""
expect_err evil-blob-stats "layers read again after a mirror's bytes did not verify 1"
fp_stats
# The wrong blob was asked for once (then skipped); layer 1 twice (the
# tree rebuilt from the first layer, from the mirror again).
is evil-blob-asked-once "$(plog count "/blobs/$L2\$")" 1
is evil-blob-rebuilt-from-layer-1 "$(plog count "/blobs/$L1\$")" 2

# ---- a mirror that lies a second time is not asked again ------------------------------
# Layers 2 and 3 wrong: the first lie marks (mirror, layer 2), the second
# takes the mirror out of the run; two rebuilds, then the origin only.
L3=$(echo "$LAYERS" | sed -n 3p)
fp_rules "[{\"path\": \"/blobs/$L2\$\", \"action\": \"pass\", \"count\": 0, \"body_file\": \"$M/evil-l2\"},
	{\"path\": \"/blobs/$L3\$\", \"action\": \"pass\", \"count\": 0, \"body_file\": \"$M/evil-l3\"}]"
# shellcheck disable=SC2086
run pull $P --stats --mirror "$MP" "$IMG" "$T_DIR/d-evil2"
expect_rc evil-twice-exit 0
same_tree evil-twice-tree-clean "$REF" "$T_DIR/d-evil2" --ignore-root-meta
expect_err evil-twice-mirror-out "^stats: mirror 127.0.0.1:$FP_PORT \(--mirror\): .*not asked again"
expect_err evil-twice-two-rebuilds "layers read again after a mirror's bytes did not verify 2"
fp_stats
is evil-twice-l3-asked-once "$(plog count "/blobs/$L3\$")" 1

# ---- a mirror that answers 500, sends a wrong manifest, stalls --------------------------
fp_rules '{"path": "/blobs/", "action": "status", "status": 500, "count": 0}'
# shellcheck disable=SC2086
run pull $P --stats --mirror "$MP" "$IMG" "$T_DIR/d-500"
expect_rc mirror-500-exit 0
same_tree mirror-500-tree "$REF" "$T_DIR/d-500" --ignore-root-meta
expect_err mirror-500-no-retries "^stats: retries 0,"
expect_err mirror-500-skipped-each "^stats: mirror 127.0.0.1:$FP_PORT \(--mirror\): 1 objects, [0-9]+ bytes, skipped for 4\$"
fp_rules "{\"path\": \"/manifests/$MAN\$\", \"action\": \"pass\", \"body_file\": \"$M/evil-manifest\"}"
# shellcheck disable=SC2086
run pull $P --mirror "$MP" "$IMG" "$T_DIR/d-man"
expect_rc wrong-manifest-exit 0
same_tree wrong-manifest-tree "$REF" "$T_DIR/d-man" --ignore-root-meta
expect_err wrong-manifest-skipped "mirror 127.0.0.1:$FP_PORT skipped for $MAN: .*the mirror sent [0-9]+ bytes whose digest is"
fp_rules "{\"path\": \"/blobs/$L1\$\", \"action\": \"stall_at\", \"at\": 100000, \"seconds\": 60}"
# shellcheck disable=SC2086
run pull $P --stats --read-timeout 2 --mirror "$MP" "$IMG" "$T_DIR/d-stall"
expect_rc stall-exit 0
cp "$ERR_F" "$T_DIR/stall.err"
same_tree stall-tree "$REF" "$T_DIR/d-stall" --ignore-root-meta
expect_err stall-resumed-at-origin "^stats: retries 0, resumed 1, refetched 0 bytes"
expect_err stall-skipped "mirror 127.0.0.1:$FP_PORT skipped for $L1"
curl -sf -o /dev/null -X POST "$FP/_reset"

# ---- origin credentials stay with the origin ----------------------------------------------
fp_rules '[]'
run pull --ca-file "$CA_DIR/ca.crt" --creds alice:secret --platform linux/amd64 \
	--mirror "$MP" "$REG_BASIC/fixture/multi:latest" "$T_DIR/d-basic"
expect_rc creds-basic-exit 0
fp_stats
if [ "$(plog count /blobs/)" -gt 0 ]; then pass creds-basic-mirror-used
else fail creds-basic-mirror-used "the mirror served no blob"; fi
is creds-basic-not-to-mirror "$(plog auth /)" "-"
fp_rules '[]'
run pull --plain-http --creds alice:secret --platform linux/amd64 \
	--mirror "$MP" "$REG_TOKEN/fixture/multi:latest" "$T_DIR/d-token"
expect_rc creds-token-exit 0
fp_stats
is creds-token-not-to-mirror "$(plog auth /)" "-"

# ---- a pull-through cache, its origin stopped -------------------------------------------
set -- $(reg_free_ports 2)
PO=$1 PC=$2
ORIGIN=127.0.0.1:$PO
if reg_start "morigin-$BOARD" "$PO" storage "$WORK/registry-plain/data" >"$T_DIR/reg.log" 2>&1 &&
   reg_start "mcache-$BOARD" "$PC" proxy "http://$ORIGIN" >>"$T_DIR/reg.log" 2>&1; then
	pass cache-started
else
	fail cache-started "$(tail -c 300 "$T_DIR/reg.log")"
fi
HC=$T_DIR/hosts-cache
mkdir -p "$HC/$ORIGIN"
printf '[host."http://127.0.0.1:%s"]\n  capabilities = ["pull", "resolve"]\n' "$PC" \
	> "$HC/$ORIGIN/hosts.toml"
# shellcheck disable=SC2086
run pull $P --stats --hosts-dir "$HC" "$ORIGIN/fixture/layers:latest" "$T_DIR/d-warm"
expect_rc cache-warm-exit 0
same_tree cache-warm-tree "$REF" "$T_DIR/d-warm" --ignore-root-meta
expect_err cache-warm-origin-unused "^stats: origin $ORIGIN: 0 objects"
# The cache stores blobs in the background: wait until it holds them all.
i=0
for d in $LAYERS $(expect layers linux/amd64 config); do
	h=${d#sha256:}
	f=$WORK/registry-mcache-$BOARD/data/docker/registry/v2/blobs/sha256/$(echo "$h" | cut -c1-2)/$h/data
	while [ ! -s "$f" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
done
kill "$(cat "$WORK/registry-morigin-$BOARD/pid")" 2>/dev/null
i=0
while curl -s -o /dev/null "http://$ORIGIN/v2/" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
run pull $P --retries 0 "$ORIGIN/fixture/layers:latest" "$T_DIR/d-nocache"
expect_rc cache-origin-down-exit 3
# shellcheck disable=SC2086
run pull $P --retries 0 --stats --hosts-dir "$HC" "$ORIGIN/fixture/layers:latest" "$T_DIR/d-cached-tag"
expect_rc cache-tag-exit 0
same_tree cache-tag-tree "$REF" "$T_DIR/d-cached-tag" --ignore-root-meta
# shellcheck disable=SC2086
run pull $P --retries 0 --mirror "http://127.0.0.1:$PC" "$ORIGIN/fixture/layers@$MAN" "$T_DIR/d-cached-digest"
expect_rc cache-digest-exit 0
same_tree cache-digest-tree "$REF" "$T_DIR/d-cached-digest" --ignore-root-meta
kill "$(cat "$WORK/registry-mcache-$BOARD/pid")" 2>/dev/null

# ---- configuration errors: exit 2 before any request ------------------------------------
B=$T_DIR/bad
mkdir -p "$B/$REG_HTTP"
printf '[host."%s"]\n  capabilities = ["pull"]\n  dial_timeout = "3s"\n' "$MP" > "$B/$REG_HTTP/hosts.toml"
# shellcheck disable=SC2086
run pull $P --hosts-dir "$B" "$IMG" "$T_DIR/d-bad"
expect_rc hosts-unknown-key-exit 2
expect_err hosts-unknown-key-says "$B/$REG_HTTP/hosts.toml:3: unknown key \"dial_timeout\""
printf 'skip_verify = true\n' > "$B/$REG_HTTP/hosts.toml"
run inspect --plain-http --hosts-dir "$B" "$IMG"
expect_rc hosts-top-key-exit 2
expect_err hosts-top-key-says "hosts.toml:1: unknown key \"skip_verify\" at the top"
printf '[host."%s"]\n  capabilities = ["pull", "fetch"]\n' "$MP" > "$B/$REG_HTTP/hosts.toml"
run inspect --plain-http --hosts-dir "$B" "$IMG"
expect_rc hosts-capability-exit 2
expect_err hosts-capability-says "hosts.toml:2: unknown capability \"fetch\""
printf '[host."%s"]\n  ca = "missing.pem"\n' "$MP" > "$B/$REG_HTTP/hosts.toml"
run inspect --plain-http --hosts-dir "$B" "$IMG"
expect_rc hosts-ca-missing-exit 2
expect_err hosts-ca-missing-says "hosts.toml:1: ca \"$B/$REG_HTTP/missing.pem\""
run inspect --plain-http --hosts-dir "$T_DIR/no-such-dir" "$IMG"
expect_rc hosts-dir-missing-exit 2
expect_err hosts-dir-missing-says "--hosts-dir $T_DIR/no-such-dir"
run inspect --plain-http --mirror "ftp://127.0.0.1:1" "$IMG"
expect_rc mirror-bad-exit 2
expect_err mirror-bad-says "--mirror: \"ftp://127.0.0.1:1\" is not"
run inspect --mirror "$MP" "oci:$FIXTURES/layers"
expect_rc mirror-offline-exit 2
expect_err mirror-offline-says "--mirror is for registries"
run pull --help
expect_out help-lists-mirror "--mirror \[http://\]HOST\[:PORT\]\[/PREFIX\]"
expect_out help-lists-hosts-dir "--hosts-dir DIR"
