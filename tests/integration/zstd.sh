#!/bin/sh
# zstd.sh: zstd layers (issue 15). skopeo recompresses the fixture images
# to zstd into an OCI layout (--dest-compress-format zstd; a registry to
# registry copy would reuse the gzip blobs) and copies that layout into
# the registry; each pull, from the registry and from the layout, must
# give the tree the gzip image gives. A layer of several frames after a
# skippable frame, with zstd:chunked annotations, gives the same tree.
# A frame whose window is over the cap (8 MiB), a truncated frame, a
# corrupt frame, trailing garbage and gzip data said to be zstd are
# refused, naming what, with DEST left as it was. A 32 MiB layer's pull
# peaks at no more than 2 MiB of RSS plus the 8 MiB window.
. "$(dirname "$0")/../lib/t.sh"

if ! command -v skopeo >/dev/null 2>&1 || ! command -v zstd >/dev/null 2>&1; then
	fail zstd-needs-skopeo-and-zstd "skopeo or zstd is not installed (make deps)"
	exit 0
fi

# Shared by the boards: the zstd layouts, in the registry too.
Z=$WORK/zstd
zstd_setup() {
	for n in layers multi rss-large; do
		skopeo copy -q --src-tls-verify=false --dest-compress-format zstd \
			--override-arch amd64 "docker://$REG_HTTP/fixture/$n:latest" \
			"oci:$Z/$n:z" || return 1
		skopeo copy -q --dest-tls-verify=false "oci:$Z/$n:z" \
			"docker://$REG_HTTP/zstd/$n:latest" || return 1
	done
	for mode in frames window truncated corrupt garbage gzip; do
		python3 "$ROOT/tests/lib/zstdlayout.py" "$Z/layers" "$Z/$mode" $mode ||
			return 1
	done
	echo "ZSTD_READY=1" > "$Z/env"
}
setup_once "$Z" zstd_setup zstd-setup "skopeo copy or zstd" || exit 0
W=$T_DIR/w
rm -rf "$W"
mkdir -p "$W"
AMD="--platform linux/amd64"

# (same_tree sets n: the loop variable is img.)
for img in layers multi; do
	run pull --plain-http --no-sync $AMD "$REG_HTTP/fixture/$img:latest" "$W/gz-$img"
	expect_rc "zstd-$img-gzip-pull" 0
	run inspect --plain-http $AMD "$REG_HTTP/zstd/$img:latest"
	expect_out "zstd-$img-inspect-says-zstd" "^layer 1 .* application/vnd.oci.image.layer.v1.tar\+zstd "
	if grep -q "tar+gzip" "$OUT_F"; then
		fail "zstd-$img-all-layers-zstd" "$(grep tar+gzip "$OUT_F" | head -c 300)"
	else pass "zstd-$img-all-layers-zstd"; fi
	run pull --plain-http --no-sync --stats $AMD "$REG_HTTP/zstd/$img:latest" "$W/zs-$img"
	expect_rc "zstd-$img-registry-pull" 0
	expect_err "zstd-$img-stats-arena" "^stats: zstd arena peak [0-9]+ of [0-9]+ bytes$"
	same_tree "zstd-$img-registry-same-tree" "$W/gz-$img" "$W/zs-$img" --ignore-root-meta
	run pull --no-sync $AMD "oci:$Z/$img:z" "$W/lo-$img"
	expect_rc "zstd-$img-layout-pull" 0
	same_tree "zstd-$img-layout-same-tree" "$W/gz-$img" "$W/lo-$img" --ignore-root-meta
done

# The layer on the one thread (relay.h without its worker): the same
# trees, gzip and zstd.
export OCIPULL_ONE_THREAD=1
run pull --plain-http --no-sync $AMD "$REG_HTTP/fixture/multi:latest" "$W/gz1-multi"
expect_rc zstd-one-thread-gzip-pull 0
same_tree zstd-one-thread-gzip-same-tree "$W/gz-multi" "$W/gz1-multi" --ignore-root-meta
run pull --plain-http --no-sync $AMD "$REG_HTTP/zstd/multi:latest" "$W/zs1-multi"
expect_rc zstd-one-thread-zstd-pull 0
same_tree zstd-one-thread-zstd-same-tree "$W/gz-multi" "$W/zs1-multi" --ignore-root-meta
unset OCIPULL_ONE_THREAD

run pull --no-sync $AMD "oci:$Z/frames" "$W/frames"
expect_rc zstd-frames-skippable-chunked 0
same_tree zstd-frames-same-tree "$W/gz-layers" "$W/frames" --ignore-root-meta

# Refusals: DEST as an earlier pull left it.
mkdir -p "$W/old"
refused() {     # refused MODE ERE
	old_dest "$W/old/d"
	run pull --no-sync --force $AMD "oci:$Z/$1" "$W/old/d"
	expect_rc "zstd-$1-refused" 9
	expect_err "zstd-$1-says" "$2"
	unchanged "zstd-$1" "$W/old/d"
}
refused window "layer 1 of 3 .*zstd frame near compressed offset 0 needs a window over this build's cap of 8388608 bytes \(BOARD_ZSTD_WINDOW_MAX\)"
refused truncated "layer 1 of 3 .*zstd stream ends early after [0-9]+ compressed bytes"
refused corrupt "layer 1 of 3 .*zstd data is corrupt near compressed offset [0-9]+"
refused garbage "layer 1 of 3 .*data after the zstd frame ending at compressed offset [0-9]+ is not another zstd frame"
refused gzip "layer 1 of 3 .*layer media type says zstd but the data is gzip-compressed"

# Peak RSS of a 32 MiB layer (skopeo's frames have 8 MiB windows): at most
# 2 MiB plus the window cap (host binary only: under qemu the RSS is
# qemu's).
[ -z "$RUNNER" ] || exit 0
rss() {
	rm -rf "$W/rss"
	run pull --stats --plain-http --no-sync $AMD "$REG_HTTP/$1/rss-large:latest" "$W/rss"
	sed -n 's/^stats: peak RSS \([0-9]*\) KiB$/\1/p' "$ERR_F"
}
gz=$(rss fixture)
zs=$(rss zstd)
if [ -n "$zs" ] && [ "$zs" -le $((2048 + 8192)) ]; then
	pass zstd-peak-rss-at-most-2MiB-plus-window
else
	fail zstd-peak-rss-at-most-2MiB-plus-window "peak RSS $zs KiB (gzip: $gz KiB)"
fi
