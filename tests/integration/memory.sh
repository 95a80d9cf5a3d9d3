#!/bin/sh
# memory.sh: fixed memory. No allocation happens per layer or per tar entry
# (the malloc arena's allocation count is the same for images of 1 to 3
# layers and a few to dozens of entries), and peak RSS does not grow with
# the layer (host binary only: under qemu the RSS is qemu's).
. "$(dirname "$0")/../lib/t.sh"

allocs() {      # allocs IMAGE: allocation count of a plain-http pull
	rm -rf "$T_DIR/m"
	run pull --stats --plain-http --platform linux/amd64 "$REG_HTTP/fixture/$1:latest" "$T_DIR/m"
	sed -n 's/^stats: TLS and libc arena (malloc) peak [0-9]* of [0-9]* bytes, \([0-9]*\) allocations.*/\1/p' "$ERR_F"
}
a1=$(allocs plain-tar)
a2=$(allocs multi)
a3=$(allocs layers)
a4=$(allocs rss-large)
if [ -n "$a1" ] && [ "$a1" = "$a2" ] && [ "$a2" = "$a3" ] && [ "$a3" = "$a4" ]; then
	pass no-allocation-per-layer-or-entry
else
	fail no-allocation-per-layer-or-entry "allocations: plain-tar (1 layer) $a1, multi (2) $a2, layers (3, dozens of entries) $a3, rss-large (64 MiB) $a4"
fi
expect_err stats-arena-line '^stats: TLS and libc arena \(malloc\) peak [0-9]+ of [0-9]+ bytes, [0-9]+ allocations, 0 refused$'
expect_err stats-inflate-line '^stats: inflate arena peak [0-9]+ of [0-9]+ bytes$'
expect_err stats-json-line '^stats: JSON peak [0-9]+ of [0-9]+ bytes, [0-9]+ of [0-9]+ tokens$'
expect_err stats-transfer-line '^stats: fetched [0-9]+ bytes \([0-9]+ in layers\); wrote [0-9]+ bytes: [0-9]+ files'

[ -z "$RUNNER" ] || exit 0
rss() {
	rm -rf "$T_DIR/m"
	run pull --stats --plain-http --platform linux/amd64 "$REG_HTTP/fixture/$1:latest" "$T_DIR/m"
	sed -n 's/^stats: peak RSS \([0-9]*\) KiB$/\1/p' "$ERR_F"
}
small=$(rss rss-small)
large=$(rss rss-large)
if [ -n "$small" ] && [ -n "$large" ] &&
   [ $((large * 100)) -le $((small * 105)) ]; then
	pass rss-does-not-grow-with-layer
else
	fail rss-does-not-grow-with-layer "peak RSS 1 MiB layer: $small KiB, 64 MiB layer: $large KiB (allowed: 5% more)"
fi
if [ -n "$large" ] && [ "$large" -le 2048 ]; then pass peak-rss-at-most-2MiB
else fail peak-rss-at-most-2MiB "peak RSS $large KiB"; fi
