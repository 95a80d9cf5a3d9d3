#!/bin/sh
# fetch.sh: `ocipull fetch REFERENCE TARGET` (issue 14, making the stick)
# writes what it fetched from the suite's registry into an OCI layout
# (oci:DIR[:TAG]), an oci-archive file or the standard output, and:
# - `ocipull pull oci:DIR` of the result gives the registry pull's tree;
# - skopeo reads the layouts and archives and copies them back into the
#   registry, and the pull of that copy gives the same tree again;
# - a layout is added to (another tag) and a tag replaced, blobs kept;
# - an archive is in stream order (oci-layout, index.json, then manifest,
#   config, layers) and its bytes are the same on stdout as in a file;
# - --all-platforms holds every platform, the index unchanged;
# - a blob that does not verify (the fault proxy flips a byte) leaves no
#   archive file, no partial blob and an unchanged index.json.
. "$(dirname "$0")/../lib/t.sh"

if ! command -v skopeo >/dev/null 2>&1; then
	fail fetch-needs-skopeo "skopeo is not installed"
	exit 0
fi
W=$T_DIR/fetch
rm -rf "$W"
mkdir -p "$W"
R=$REG_HTTP/fixture
ARM=linux/arm64/v8
AMD=linux/amd64

# sk NAME skopeo-args...: a skopeo run that must succeed.
sk() {
	n=$1
	shift
	if skopeo "$@" > "$W/skopeo.out" 2> "$W/skopeo.err"; then pass "$n"
	else fail "$n" "skopeo $*: $(tail -3 "$W/skopeo.err")"; return 1; fi
}

# pulled NAME REF PLATFORM TREE [options]: pull REF and compare with TREE.
pulled() {
	n=$1 ref=$2 pf=$3 tree=$4
	shift 4
	rm -rf "$W/d-$n"
	run pull --no-sync --platform "$pf" "$@" "$ref" "$W/d-$n"
	expect_rc "$n-pull" 0
	same_tree "$n-same-tree" "$tree" "$W/d-$n" --ignore-root-meta
}

# blobs_sound NAME DIR: every file in DIR/blobs/sha256 is named by the
# sha256 of its bytes (no partial blob, no temporary left).
blobs_sound() {
	bad=$(cd "$2/blobs/sha256" && for f in * .[!.]*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum < "$f" | cut -c1-64)" = "$f" ] || echo "$f"
	done)
	if [ -z "$bad" ]; then pass "$1-blobs-sound"
	else fail "$1-blobs-sound" "in $2/blobs/sha256: $(echo $bad | head -c 300)"; fi
}

# The registry's trees, the reference for every comparison.
run pull --plain-http --no-sync --platform $ARM "$R/multi:latest" "$W/reg-multi-arm64"
expect_rc fetch-registry-multi 0
run pull --plain-http --no-sync --platform $AMD "$R/layers:latest" "$W/reg-layers"
expect_rc fetch-registry-layers 0

# ---- oci:DIR --------------------------------------------------------------
L=$W/layout
run fetch --plain-http --platform $ARM "$R/multi:latest" "oci:$L:multi"
expect_rc fetch-layout-new 0
expect_err fetch-layout-says "written to oci:$L:multi"
pulled fetch-layout "oci:$L:multi" $ARM "$W/reg-multi-arm64"
sk fetch-layout-skopeo-inspect inspect "oci:$L:multi" &&
	if grep -q '"Architecture": "arm64"' "$W/skopeo.out"; then pass fetch-layout-skopeo-arch
	else fail fetch-layout-skopeo-arch "$(head -c 300 "$W/skopeo.out")"; fi
# Another image into the same layout, under its own tag.
run fetch --plain-http --platform $AMD "$R/layers:latest" "oci:$L:layers"
expect_rc fetch-layout-add 0
pulled fetch-layout-added "oci:$L:layers" $AMD "$W/reg-layers"
pulled fetch-layout-first-kept "oci:$L:multi" $ARM "$W/reg-multi-arm64"
# The same tag again: its entry is replaced, every blob kept.
run fetch --plain-http --stats --platform $ARM "$R/multi:latest" "oci:$L:multi"
expect_rc fetch-layout-again 0
expect_err fetch-layout-again-kept "0 blobs, [1-9][0-9]* kept from the layout"
names=$(python3 -c 'import json,sys
print(" ".join(sorted(m["annotations"]["org.opencontainers.image.ref.name"]
    for m in json.load(open(sys.argv[1]))["manifests"])))' "$L/index.json")
if [ "$names" = "layers multi" ]; then pass fetch-layout-tag-replaced
else fail fetch-layout-tag-replaced "index.json names: $names"; fi
blobs_sound fetch-layout "$L"
# skopeo copies the layout back into the registry; its pull is the same.
sk fetch-layout-skopeo-copy copy -q --dest-tls-verify=false "oci:$L:layers" \
	"docker://$REG_HTTP/fetched/layers:$BOARD" &&
	pulled fetch-layout-copied-back "$REG_HTTP/fetched/layers:$BOARD" $AMD \
		"$W/reg-layers" --plain-http
# A layout re-exported from a layout.
run fetch --platform $ARM "oci:$L:multi" "oci:$W/relayout:x"
expect_rc fetch-layout-from-layout 0
pulled fetch-relayout "oci:$W/relayout:x" $ARM "$W/reg-multi-arm64"

# A temporary name planted as a hard link to a file outside the layout is
# replaced, never written through.
H=$W/hl
run fetch --plain-http --platform $AMD "$R/layers:latest" "oci:$H:layers"
expect_rc fetch-hardlink-setup 0
hex=$(ls -S "$H/blobs/sha256" | head -1)
echo "not yours" > "$W/victim"
rm -f "$H/blobs/sha256/$hex"
ln "$W/victim" "$H/blobs/sha256/$hex.ocipull-tmp"
run fetch --plain-http --platform $AMD "$R/layers:latest" "oci:$H:layers"
expect_rc fetch-hardlink-tmp-exit 0
if [ "$(cat "$W/victim")" = "not yours" ] &&
	[ "$(sha256sum < "$H/blobs/sha256/$hex" | cut -c1-64)" = "$hex" ]; then
	pass fetch-hardlink-tmp-not-written-through
else fail fetch-hardlink-tmp-not-written-through "victim: $(head -c 40 "$W/victim" | od -c | head -2)"; fi

# index.json as a symlink (to a file outside) or a FIFO: refused, not read.
for kind in symlink fifo; do
	S=$W/hostile-$kind
	rm -rf "$S"
	cp -a "$H" "$S"
	rm -f "$S/index.json"
	if [ $kind = symlink ]; then ln -s "$H/index.json" "$S/index.json"; else mkfifo "$S/index.json"; fi
	run fetch --plain-http --platform $AMD "$R/layers:latest" "oci:$S:layers"
	expect_err "fetch-index-$kind-refused" "index.json is not a regular file"
done

# ---- oci-archive:FILE and - ----------------------------------------------
A=$W/multi.tar
run fetch --plain-http --platform $ARM "$R/multi:latest" "oci-archive:$A"
expect_rc fetch-archive 0
if [ -f "$A" ] && [ ! -e "$A.ocipull-tmp" ]; then pass fetch-archive-in-place
else fail fetch-archive-in-place "$(ls -la "$W" | head -c 300)"; fi
# Stream order: what tar lists against what index.json and the manifest say.
tar -tvf "$A" > "$W/tv" 2>&1
if python3 - "$A" > "$W/order" 2>&1 <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
names = [m.name for m in t.getmembers()]
def get(n): return t.extractfile(n).read()
def blob(d): return "blobs/sha256/" + d.split(":")[1]
ix = json.loads(get("index.json"))
want = ["oci-layout", "index.json", "blobs", "blobs/sha256"]
def image(d):
    want.append(blob(d))
    doc = json.loads(get(blob(d)))
    if "manifests" in doc:
        for m in doc["manifests"]:
            image(m["digest"])
        return
    want.append(blob(doc["config"]["digest"]))
    want.extend(blob(l["digest"]) for l in doc["layers"])
for m in ix["manifests"]:
    image(m["digest"])
for m in t.getmembers():
    assert m.uid == 0 and m.gid == 0 and m.mtime == 946684800, m.name
    assert m.mode == (0o755 if m.isdir() else 0o644), m.name
if names != want:
    sys.exit("order %s, expected %s" % (names, want))
print(len(names))
PY
then pass fetch-archive-stream-order
else fail fetch-archive-stream-order "$(tail -c 400 "$W/order"); tar -tv: $(head -c 300 "$W/tv")"; fi
if head -2 "$W/tv" | tr '\n' ' ' | grep -Eq '^-rw-r--r-- 0/0 .* oci-layout -rw-r--r-- 0/0 .* index.json $'; then
	pass fetch-archive-tar-lists-layout-first
else fail fetch-archive-tar-lists-layout-first "$(head -3 "$W/tv")"; fi
sk fetch-archive-skopeo-inspect inspect "oci-archive:$A"
sk fetch-archive-skopeo-copy copy -q --dest-tls-verify=false "oci-archive:$A" \
	"docker://$REG_HTTP/fetched/multi:$BOARD" &&
	pulled fetch-archive-copied-back "$REG_HTTP/fetched/multi:$BOARD" $ARM \
		"$W/reg-multi-arm64" --plain-http
# Unpacked by tar, the archive is a layout ocipull pulls.
mkdir -p "$W/untar"
tar -xf "$A" -C "$W/untar"
pulled fetch-archive-untarred "oci:$W/untar:latest" $ARM "$W/reg-multi-arm64"
# The same archive on the standard output: the same bytes.
run fetch --plain-http --platform $ARM "$R/multi:latest" -
expect_rc fetch-stdout 0
if cmp -s "$OUT_F" "$A"; then pass fetch-stdout-same-bytes
else fail fetch-stdout-same-bytes "$(cmp "$OUT_F" "$A" 2>&1)"; fi
cp "$OUT_F" "$W/stdout.tar"
sk fetch-stdout-skopeo-inspect inspect "oci-archive:$W/stdout.tar"

# archive_readback: ocipull's own archive reader on what fetch wrote: the
# file, the standard input redirected from it, and a pipe (read forward
# only: fetch's stream order is what lets it through).
archive_readback() {
	run pull --no-sync --platform $ARM "oci-archive:$A" "$W/d-rb"
	expect_rc fetch-archive-readback-file 0
	same_tree fetch-archive-readback-file-tree "$W/reg-multi-arm64" "$W/d-rb" --ignore-root-meta
	rm -rf "$W/d-rb"
	run_stdin "$W/stdout.tar" pull --no-sync --platform $ARM oci-archive:- "$W/d-rb"
	expect_rc fetch-archive-readback-stdin 0
	same_tree fetch-archive-readback-stdin-tree "$W/reg-multi-arm64" "$W/d-rb" --ignore-root-meta
	rm -rf "$W/d-rb"
	run_pipe "$W/stdout.tar" pull --no-sync --platform $ARM oci-archive:- "$W/d-rb"
	expect_rc fetch-archive-readback-pipe 0
	same_tree fetch-archive-readback-pipe-tree "$W/reg-multi-arm64" "$W/d-rb" --ignore-root-meta
	rm -rf "$W/d-rb"
}
archive_readback

# ---- --all-platforms -------------------------------------------------------
run fetch --plain-http --all-platforms "$R/multi:latest" "oci:$W/all:multi"
expect_rc fetch-all 0
idx=$(python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/multi" $ARM index)
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$W/all/index.json")
if [ "$got" = "$idx" ]; then pass fetch-all-index-unchanged
else fail fetch-all-index-unchanged "index.json points at $got, the registry's index is $idx"; fi
for pf in $AMD $ARM linux/arm/v7; do
	n=$(echo "$pf" | tr / -)
	run pull --plain-http --no-sync --platform "$pf" "$R/multi:latest" "$W/reg-$n"
	expect_rc "fetch-all-registry-$n" 0
	pulled "fetch-all-$n" "oci:$W/all:multi" "$pf" "$W/reg-$n"
done
blobs_sound fetch-all "$W/all"
sk fetch-all-skopeo-copy copy -q --all --dest-tls-verify=false "oci:$W/all:multi" \
	"docker://$REG_HTTP/fetched/all:$BOARD" &&
	if [ "$(skopeo inspect --raw --tls-verify=false "docker://$REG_HTTP/fetched/all:$BOARD" |
		sha256sum | cut -c1-64)" = "${idx#sha256:}" ]; then pass fetch-all-copied-back-same-index
	else fail fetch-all-copied-back-same-index "skopeo's copy is not index $idx"; fi
run fetch --plain-http --all-platforms "$R/multi:latest" "oci-archive:$W/all.tar"
expect_rc fetch-all-archive 0
# Every platform through a pipe: the others' blobs pass or are kept.
for pf in $AMD $ARM linux/arm/v7; do
	n=$(echo "$pf" | tr / -)
	rm -rf "$W/d-all-$n"
	run_pipe "$W/all.tar" pull --no-sync --platform "$pf" oci-archive:- "$W/d-all-$n"
	expect_rc "fetch-all-archive-pipe-$n" 0
	same_tree "fetch-all-archive-pipe-$n-tree" "$W/reg-$n" "$W/d-all-$n" --ignore-root-meta
done
n=$(tar -tf "$W/all.tar" | grep -c '^blobs/sha256/.')
want=$(find "$W/all/blobs/sha256" -type f | wc -l)
if [ "$n" = "$want" ]; then pass fetch-all-archive-every-blob
else fail fetch-all-archive-every-blob "$n blobs in the archive, $want in the layout"; fi

# ---- failures leave nothing behind -----------------------------------------
if fault_proxy fetch-fault-proxy; then
	layer=$(python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/multi" $AMD layers | tail -1)
	# A transfer cut in a blob resumes at the exact byte (Range), or with
	# a server that ignores the Range, from the start with the repeat
	# checked: the same archive either way.
	run fetch --plain-http --platform $AMD "$R/multi:latest" "oci-archive:$W/clean.tar"
	expect_rc fetch-clean-amd64 0
	for how in range restart; do
		rule="[{\"path\":\"/blobs/${layer}\$\",\"action\":\"drop_at\",\"at\":100}]"
		[ $how = restart ] && rule="${rule%]},{\"path\":\"/blobs/${layer}\$\",\"action\":\"ignore_range\"}]"
		curl -sf -o /dev/null -X POST "$FP/_reset"
		curl -sf -o /dev/null -X POST --data-binary "$rule" "$FP/_fault" ||
			fail fetch-resume-rules "the proxy refused $rule"
		run fetch --plain-http --stats --platform $AMD "$PX/multi:latest" "oci-archive:$W/$how.tar"
		expect_rc "fetch-resume-$how-exit" 0
		expect_err "fetch-resume-$how-stats" "resumed 1, refetched $([ $how = restart ] && echo 100 || echo 0)\)"
		if cmp -s "$W/$how.tar" "$W/clean.tar"; then pass "fetch-resume-$how-same-archive"
		else fail "fetch-resume-$how-same-archive" "$(cmp "$W/$how.tar" "$W/clean.tar" 2>&1)"; fi
	done
	rule="[{\"path\":\"/blobs/${layer}\$\",\"action\":\"corrupt_at\",\"at\":20,\"count\":0}]"
	curl -sf -o /dev/null -X POST "$FP/_reset"
	curl -sf -o /dev/null -X POST --data-binary "$rule" "$FP/_fault" ||
		fail fetch-fault-rules "the proxy refused $rule"
	# An existing layout: index.json as it was, no partial blob.
	cp "$L/index.json" "$W/index.before"
	run fetch --plain-http --platform $AMD "$PX/multi:latest" "oci:$L:bad"
	expect_rc fetch-bad-blob-layout-exit 8
	expect_err fetch-bad-blob-layout-names "${layer}"
	if cmp -s "$L/index.json" "$W/index.before"; then pass fetch-bad-blob-index-unchanged
	else fail fetch-bad-blob-index-unchanged "$(cat "$L/index.json" | head -c 300)"; fi
	blobs_sound fetch-bad-blob "$L"
	if [ ! -e "$L/blobs/sha256/${layer#sha256:}" ]; then pass fetch-bad-blob-not-kept
	else fail fetch-bad-blob-not-kept "blobs/sha256/${layer#sha256:} is there"; fi
	pulled fetch-bad-blob-layout-still "oci:$L:layers" $AMD "$W/reg-layers"
	# A new layout: not made at all.
	run fetch --plain-http --platform $AMD "$PX/multi:latest" "oci:$W/newbad"
	expect_rc fetch-bad-blob-new-layout-exit 8
	if [ ! -e "$W/newbad" ]; then pass fetch-bad-blob-new-layout-gone
	else fail fetch-bad-blob-new-layout-gone "$(find "$W/newbad" | head -5)"; fi
	# An archive file: neither it nor its temporary.
	run fetch --plain-http --platform $AMD "$PX/multi:latest" "oci-archive:$W/bad.tar"
	expect_rc fetch-bad-blob-archive-exit 8
	if [ ! -e "$W/bad.tar" ] && [ ! -e "$W/bad.tar.ocipull-tmp" ]; then
		pass fetch-bad-blob-no-archive
	else fail fetch-bad-blob-no-archive "$(ls "$W" | tr '\n' ' ')"; fi
	# The standard output: cut short, without the end-of-archive blocks.
	run fetch --plain-http --platform $AMD "$PX/multi:latest" -
	expect_rc fetch-bad-blob-stdout-exit 8
	if python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
sys.exit(len(d) < 2048 or (len(d) % 512 == 0 and d[-1024:] == bytes(1024)))' "$OUT_F"; then
		pass fetch-bad-blob-stdout-no-end
	else fail fetch-bad-blob-stdout-no-end "$(wc -c < "$OUT_F") bytes, ending in the end-of-archive blocks"; fi
	# ...and cut inside the bad blob's data (its last byte is held back
	# until it verified), so no tar reader takes it as a whole member.
	cp "$OUT_F" "$W/bad-stdout.tar"
	if tar -tf "$W/bad-stdout.tar" > /dev/null 2>&1; then
		fail fetch-bad-blob-stdout-tar-refuses "GNU tar reads the cut archive without an error"
	else pass fetch-bad-blob-stdout-tar-refuses; fi
	if python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1])
for m in t.getmembers():
    if m.isfile():
        t.extractfile(m).read()' "$W/bad-stdout.tar" 2>/dev/null; then
		fail fetch-bad-blob-stdout-python-refuses "Python tarfile reads every member whole"
	else pass fetch-bad-blob-stdout-python-refuses; fi
	curl -sf -o /dev/null -X POST "$FP/_reset"
fi

# ---- a reader that goes away ------------------------------------------------
# fetch - | a reader that stops after 100 bytes: the write fails with
# "Broken pipe", reported with an exit code, not a silent death by
# SIGPIPE (141 from the shell).
# shellcheck disable=SC2016
jailed sh -c '{ $1 "$2" fetch --plain-http --platform linux/amd64 "$3" - 2>"$4"; echo $? > "$5"; } |
	head -c 100 > /dev/null' sh "$RUNNER" "$OCIPULL" "$R/rss-large:latest" "$ERR_F" "$W/pipe-rc"
rc=$(cat "$W/pipe-rc" 2>/dev/null)
if [ -n "$rc" ] && [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] &&
	grep -q "writing the archive to the standard output: .*Broken pipe" "$ERR_F"; then
	pass fetch-stdout-reader-gone-reported
else fail fetch-stdout-reader-gone-reported "exit ${rc:-none}; stderr: $(head -c 300 "$ERR_F")"; fi

# ---- refusals -------------------------------------------------------------
run fetch --plain-http "$R/multi:latest" "oci:$W/x@sha256:$(printf '%064d' 0)"
expect_rc fetch-target-digest-usage 2
run fetch --plain-http "$R/multi:latest" "$W/plain-dir"
expect_err fetch-target-unknown "TARGET is oci:DIR"
mkdir -p "$W/somebodys"
echo keep > "$W/somebodys/file"
run fetch --plain-http "$R/multi:latest" "oci:$W/somebodys"
expect_err fetch-not-a-layout "no OCI image layout .* and not empty"
if [ "$RC" -eq 2 ] && [ "$(ls "$W/somebodys")" = file ]; then pass fetch-not-a-layout-untouched
else fail fetch-not-a-layout-untouched "exit $RC, $(ls "$W/somebodys" | tr '\n' ' ')"; fi
run fetch --plain-http --all-platforms --platform $ARM "$R/multi:latest" "oci:$W/y"
expect_rc fetch-all-and-platform-usage 2
run fetch --help
expect_out fetch-help "oci-archive:FILE"
