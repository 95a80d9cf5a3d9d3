#!/bin/sh
# layout.sh: `ocipull pull oci:DIR[:TAG|@DIGEST] DEST` reads an OCI image
# layout that skopeo wrote from the suite's registry, and gives the same
# tree as a pull of the same image from that registry (issue 14, first
# part). Also: inspect of a layout; a layout of one image needs no tag; a
# layout of two does, and an unknown tag, a directory that is no layout
# and a blob that does not match its digest are refused with DEST left
# as it was.
. "$(dirname "$0")/../lib/t.sh"

if ! command -v skopeo >/dev/null 2>&1; then
	fail layout-needs-skopeo "skopeo is not installed"
	exit 0
fi
W=$T_DIR/lay
L=$W/layout
ONE=$W/one
rm -rf "$W"
mkdir -p "$W"
skopeo_copy layout-skopeo-multi multi:latest "oci:$L:multi" --all || exit 0
skopeo_copy layout-skopeo-layers layers:latest "oci:$L:layers" --override-arch amd64 || exit 0
skopeo_copy layout-skopeo-only layers:latest "oci:$ONE:only" --override-arch amd64 || exit 0

# The registry's trees, the reference for each layout pull.
run pull --plain-http --no-sync --platform linux/arm64/v8 "$REG_HTTP/fixture/multi:latest" "$W/reg-multi"
expect_rc layout-registry-multi 0
run pull --plain-http --no-sync --platform linux/amd64 "$REG_HTTP/fixture/layers:latest" "$W/reg-layers"
expect_rc layout-registry-layers 0

# A tag naming an index (nested as from the registry), a platform from it.
run pull --no-sync --platform linux/arm64/v8 "oci:$L:multi" "$W/d-multi"
expect_rc layout-pull-index-tag 0
same_tree layout-same-tree-index "$W/reg-multi" "$W/d-multi" --ignore-root-meta
run pull --no-sync --platform linux/amd64 "oci:$L:layers" "$W/d-layers"
expect_rc layout-pull-manifest-tag 0
same_tree layout-same-tree-manifest "$W/reg-layers" "$W/d-layers" --ignore-root-meta
# By digest, as index.json lists it.
dig=$(python3 -c 'import json,sys
for m in json.load(open(sys.argv[1]))["manifests"]:
    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "layers":
        print(m["digest"])' "$L/index.json")
run pull --no-sync --platform linux/amd64 "oci:$L@$dig" "$W/d-digest"
expect_rc layout-pull-digest 0
same_tree layout-same-tree-digest "$W/reg-layers" "$W/d-digest" --ignore-root-meta
# One image: no tag needed.
run pull --no-sync --platform linux/amd64 "oci:$ONE" "$W/d-one"
expect_rc layout-pull-single-no-tag 0
same_tree layout-same-tree-single "$W/reg-layers" "$W/d-one" --ignore-root-meta

run check --platform linux/amd64 "oci:$L:layers" "$W/d-layers"
expect_rc layout-check-up-to-date 0
expect_out layout-check-names "up to date: .* holds oci:$L:layers"
run inspect --platform linux/arm64/v8 "oci:$L:multi"
expect_rc layout-inspect 0
expect_out layout-inspect-names "oci:$L:multi"

# Refusals: two images and no tag, an unknown tag, no layout at all.
run pull --no-sync "oci:$L" "$W/d-none"
expect_err layout-two-images-need-tag "holds 2 images"
if [ "$RC" -ne 0 ] && [ ! -e "$W/d-none" ]; then pass layout-two-images-no-dest
else fail layout-two-images-no-dest "exit $RC, $W/d-none: $(ls "$W/d-none" 2>&1)"; fi
run pull --no-sync "oci:$L:nosuch" "$W/d-none"
expect_err layout-unknown-tag "no image tagged \"nosuch\""
run pull --no-sync "oci:$W:x" "$W/d-none"
expect_err layout-not-a-layout "not an OCI image layout"
run pull --no-sync "oci::x" "$W/d-none"
expect_rc layout-empty-dir-usage 2

# A layer blob whose bytes do not match its digest: refused, DEST as it was.
B=$W/bad
cp -a "$ONE" "$B"
layer=$(python3 -c 'import json,sys
d=sys.argv[1]
ix=json.load(open(d+"/index.json"))
m=json.load(open(d+"/blobs/sha256/"+ix["manifests"][0]["digest"][7:]))
print(m["layers"][-1]["digest"][7:])' "$B")
chmod u+w "$B/blobs/sha256/$layer"
printf 'X' | dd of="$B/blobs/sha256/$layer" bs=1 seek=100 conv=notrunc 2>/dev/null
mkdir -p "$W/alone"
old_dest "$W/alone/d-bad"
run pull --no-sync --force --platform linux/amd64 "oci:$B" "$W/alone/d-bad"
if [ "$RC" -ne 0 ]; then pass layout-bad-blob-refused
else fail layout-bad-blob-refused "exit 0 for a changed layer blob"; fi
expect_err layout-bad-blob-message "sha256:$layer"
unchanged layout-bad-blob "$W/alone/d-bad"

# A blob that is a symlink to a file outside the layout is not followed.
S=$W/sym
cp -a "$ONE" "$S"
echo outside > "$W/outside"
rm -f "$S/blobs/sha256/$layer"
ln -s "$W/outside" "$S/blobs/sha256/$layer"
run pull --no-sync --platform linux/amd64 "oci:$S" "$W/d-sym"
expect_err layout-symlink-blob-refused "not a regular file"

# Options only a registry reads are refused with an offline reference,
# before anything is read.
run pull --no-sync --plain-http "oci:$L:layers" "$W/d-opt"
expect_err layout-registry-option-refused "--plain-http is for registries; oci: is not one"
if [ "$RC" -eq 2 ] && [ ! -e "$W/d-opt" ]; then pass layout-registry-option-exit-2
else fail layout-registry-option-exit-2 "exit $RC"; fi
