#!/bin/sh
# cli.sh: what the binary says about itself, and usage errors (exit code 2).
. "$(dirname "$0")/../lib/t.sh"

case $BOARD in
generic-arm64) plat=linux/arm64/v8 ;;
generic-armv7) plat=linux/arm/v7 ;;
*) plat=$(sh board/host/platform.sh) ;;
esac

# The binary itself: static, and on every board linked against musl, with
# nothing of glibc in it (its NSS and locale code would be dead weight).
bin=$ROOT/build/$BOARD/ocipull
if file -L "$bin" | grep -q 'statically linked'; then
	pass binary-static
else
	fail binary-static "file says: $(file -L "$bin" | cut -d, -f1-6)"
fi
if strings "$bin" | grep -qi 'glibc'; then
	fail binary-no-glibc "strings finds: $(strings "$bin" | grep -i glibc | head -2 | tr '\n' ' ')"
else
	pass binary-no-glibc
fi

# --version: one "NAME VERSION" line each, for SBOM tools: the components
# built from the pins of toolchain/sources.lock and Debian's jsmn.
run --version
expect_rc version-exit 0
expect_out version-name '^ocipull [0-9]+\.[0-9]+\.[0-9]+$'
expect_out version-board "^board $BOARD\$"
expect_out version-platform "^platform $plat\$"
expect_out version-mbedtls '^mbedtls 3\.6\.6$'
expect_out version-zlib '^zlib 1\.3\.1$'
expect_out version-jsmn '^jsmn 1\.1\.0$'
expect_out version-libc '^musl 1\.2\.5$'
bad=$(awk 'NF != 2' "$OUT_F")
if [ -z "$bad" ] && [ "$(wc -l < "$OUT_F")" -eq 7 ]; then pass version-one-name-value-per-line
else fail version-one-name-value-per-line "$(head -c 300 "$OUT_F")"; fi

run -V
expect_rc version-short 0

run --help
expect_rc help-exit 0
expect_out help-usage '^usage: ocipull '
expect_out help-exit-codes '^   0  success$'
expect_out help-commands '^  pull REFERENCE DEST '

run pull --help
expect_rc help-pull-exit 0
expect_out help-retries-default '^  --retries N .*\(8: waits'
expect_out help-read-timeout-default '^  --read-timeout SECONDS .*\(30\)$'

run
expect_rc no-args-exit 2
expect_err no-args-message 'missing command'

run --frobnicate
expect_rc unknown-option-exit 2
expect_err unknown-option-names-it "unknown option '--frobnicate'"

run frobnicate
expect_rc unknown-command-exit 2
expect_err unknown-command-names-it "unknown command 'frobnicate'"

# The binary is what the issue promises: static, for the board's machine.
f=$(file -b "$OCIPULL")
case $BOARD in
generic-arm64) want='ARM aarch64' ;;
generic-armv7) want='ARM, EABI5' ;;
*) want='x86-64' ;;
esac
case $f in
*"statically linked"*"$want"*|*"$want"*"statically linked"*) pass static-binary ;;
*) fail static-binary "file says: $f" ;;
esac
