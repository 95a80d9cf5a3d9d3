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
# The board's gzip engine: ISA-L where board.mk chose it, else zlib.
if [ "$(make -s --no-print-directory -C "$ROOT" BOARD="$BOARD" print-gzip-engine)" = isal ]; then
	expect_out version-gzip-engine '^isa-l 2\.31\.1$'
else
	expect_out version-gzip-engine '^zlib 1\.3\.1$'
fi
expect_out version-zstd '^zstd 1\.5\.7$'
expect_out version-jsmn '^jsmn 1\.1\.0$'
expect_out version-libc '^musl 1\.2\.5$'
bad=$(awk 'NF != 2' "$OUT_F")
if [ -z "$bad" ] && [ "$(wc -l < "$OUT_F")" -eq 8 ]; then pass version-one-name-value-per-line
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
expect_out help-read-timeout-default '^  --read-timeout DURATION .*\(30\)$'

run
expect_rc no-args-exit 2
expect_err no-args-message 'missing command'

run --frobnicate
expect_rc unknown-option-exit 2
expect_err unknown-option-names-it "unknown option '--frobnicate'"

run frobnicate
expect_rc unknown-command-exit 2
expect_err unknown-command-names-it "unknown command 'frobnicate'"

# Help per command: `ocipull help COMMAND`, `COMMAND --help` and `-h` show
# that command's usage and only its options; `help` alone the overview.
run help
expect_rc help-word-exit 0
expect_out help-word-overview '^Commands:$'
for h in "help pull" "pull --help" "pull -h"; do
	n=$(echo "$h" | tr ' ' '-')
	# shellcheck disable=SC2086
	run $h
	expect_rc "$n-exit" 0
	expect_out "$n-usage" '^usage: ocipull pull \[OPTIONS\] \[--\] REFERENCE DEST$'
	expect_out "$n-own-option" '^  --keep-old '
	if grep -q -- '--json' "$OUT_F"; then fail "$n-not-inspects" "lists --json"
	else pass "$n-not-inspects"; fi
	if grep -q '^Exit codes' "$OUT_F"; then fail "$n-no-overview" "prints the exit codes"
	else pass "$n-no-overview"; fi
done
run help inspect
expect_rc help-inspect-exit 0
expect_out help-inspect-json '^  --json '
if grep -q -- '--keep-old\|--config-out\|--no-sync' "$OUT_F"; then
	fail help-inspect-not-pulls "lists an option of pull"
else pass help-inspect-not-pulls; fi
run help frobnicate
expect_rc help-unknown-exit 2
expect_err help-unknown-names-it "unknown command 'frobnicate'"

# An option of another command is refused, naming both.
run inspect --keep-old "$REG_HTTP/fixture/multi:latest"
expect_rc inapplicable-keep-old-exit 2
expect_err inapplicable-keep-old-says "option '--keep-old' does not apply to inspect"
run pull --json "$REG_HTTP/fixture/multi:latest" "$T_DIR/never"
expect_rc inapplicable-json-exit 2
expect_err inapplicable-json-says "option '--json' does not apply to pull"
expect_err inapplicable-json-hint "ocipull pull --help"
if [ -e "$T_DIR/never" ]; then fail inapplicable-json-no-dest "$T_DIR/never made"
else pass inapplicable-json-no-dest; fi

# `--` ends the options: a DEST that starts with '-'.
multi=fixture/multi:latest
rm -rf "$T_DIR/-dest"
here=$(pwd)
cd "$T_DIR" || exit 1
run pull --plain-http "$REG_HTTP/$multi" -dest
expect_rc dash-dest-without-ddash-exit 2
expect_err dash-dest-without-ddash-says "unknown option '-dest'"
run pull --plain-http --no-sync -- "$REG_HTTP/$multi" -dest
cd "$here" || exit 1
expect_rc dash-dest-after-ddash-exit 0
if [ -n "$(ls -A "$T_DIR/-dest" 2>/dev/null)" ]; then
	pass dash-dest-after-ddash-unpacked
else fail dash-dest-after-ddash-unpacked "$T_DIR/-dest is missing or empty"; fi
run inspect --plain-http -- "$REG_HTTP/$multi" --json
expect_rc ddash-option-is-a-word-exit 2
expect_err ddash-option-is-a-word-says "unexpected argument '--json'"

# Durations: N, Ns, Nm, Nh; every number error names its option.
run inspect --plain-http --timeout 2m --read-timeout 30s "$REG_HTTP/$multi"
expect_rc duration-suffixes-exit 0
run inspect --plain-http --timeout 1h --read-timeout 45 "$REG_HTTP/$multi"
expect_rc duration-hours-plain-exit 0
for bad in 10x 25h s -1 1.5m; do
	run inspect --plain-http --timeout "$bad" "$REG_HTTP/$multi"
	expect_rc "duration-bad-$bad-exit" 2
	expect_err "duration-bad-$bad-says" "^ocipull: --timeout: not a duration .*'$bad'"
done
run inspect --plain-http --read-timeout=7d "$REG_HTTP/$multi"
expect_err duration-read-timeout-names-it "^ocipull: --read-timeout: not a duration .*'7d'"
run inspect --plain-http --retries 3s "$REG_HTTP/$multi"
expect_rc retries-number-exit 2
expect_err retries-number-names-it "^ocipull: --retries: not a number .*'3s'"
run inspect --plain-http --progress-fd x "$REG_HTTP/$multi"
expect_err progress-fd-number-names-it "^ocipull: --progress-fd: not a number .*'x'"
run inspect --plain-http --timeout "$REG_HTTP/$multi"
expect_rc timeout-missing-value-exit 2

# podman's and skopeo's flags.
run inspect --tls-verify=false "$REG_HTTPS/$multi"
expect_rc tls-verify-false-exit 0
expect_err tls-verify-false-warns 'not verified'
run inspect --tls-verify "$REG_HTTPS/$multi"
expect_rc tls-verify-bare-verifies-exit 4
run inspect --tls-verify=true "$REG_HTTPS/$multi"
expect_rc tls-verify-true-verifies-exit 4
run inspect --tls-verify=true --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/$multi"
expect_rc tls-verify-true-with-ca-exit 0
run inspect --tls-verify=no "$REG_HTTPS/$multi"
expect_rc tls-verify-bad-value-exit 2
expect_err tls-verify-bad-value-says "--tls-verify takes true or false, not 'no'"
run inspect --tls-verify=true --insecure "$REG_HTTPS/$multi"
expect_rc tls-verify-true-insecure-exit 2

ca="--ca-file $CA_DIR/ca.crt"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG_BASIC" "$(printf alice:secret | base64)" > "$T_DIR/auth.json"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG_BASIC" "$(printf alice:wrong | base64)" > "$T_DIR/wrong.json"
printf 'secret\n' > "$T_DIR/pw"
run inspect $ca "$REG_BASIC/$multi"
expect_rc auth-none-exit 5
run inspect $ca --authfile "$T_DIR/auth.json" "$REG_BASIC/$multi"
expect_rc authfile-exit 0
run inspect $ca --authfile "$T_DIR/missing.json" "$REG_BASIC/$multi"
expect_rc authfile-missing-exit 2
expect_err authfile-missing-says "^ocipull: --authfile: .*$T_DIR/missing.json"
export REGISTRY_AUTH_FILE="$T_DIR/auth.json"
run inspect $ca "$REG_BASIC/$multi"
expect_rc registry-auth-file-exit 0
mkdir -p "$T_DIR/dockercfg"
cp "$T_DIR/wrong.json" "$T_DIR/dockercfg/config.json"
export DOCKER_CONFIG="$T_DIR/dockercfg"
run inspect $ca "$REG_BASIC/$multi"
expect_rc registry-auth-file-before-docker-config-exit 0
unset DOCKER_CONFIG
run inspect $ca --auth-file "$T_DIR/wrong.json" "$REG_BASIC/$multi"
expect_rc auth-file-before-registry-auth-file-exit 5
export REGISTRY_AUTH_FILE="$T_DIR/missing.json"
run inspect $ca "$REG_BASIC/$multi"
expect_rc registry-auth-file-missing-exit 2
expect_err registry-auth-file-missing-says "^ocipull: REGISTRY_AUTH_FILE: .*$T_DIR/missing.json"
run inspect $ca --auth-file "$T_DIR/auth.json" "$REG_BASIC/$multi"
expect_rc registry-auth-file-overridden-exit 0
unset REGISTRY_AUTH_FILE

run inspect $ca --creds alice:secret "$REG_BASIC/$multi"
expect_rc creds-user-pass-exit 0
run inspect $ca --creds alice:wrong "$REG_BASIC/$multi"
expect_rc creds-wrong-pass-exit 5
run_stdin "$T_DIR/pw" inspect $ca --creds alice "$REG_BASIC/$multi"
expect_rc creds-user-stdin-exit 0
run_stdin "$T_DIR/pw" inspect $ca --username alice "$REG_BASIC/$multi"
expect_rc username-alone-stdin-exit 0
run_stdin "$T_DIR/pw" inspect $ca --creds alice --password-stdin "$REG_BASIC/$multi"
expect_rc creds-password-stdin-exit 0
run inspect $ca --creds alice "$REG_BASIC/$multi"
expect_rc creds-empty-stdin-exit 2
expect_err creds-empty-stdin-says 'empty password'
run inspect $ca --creds alice:secret --username alice "$REG_BASIC/$multi"
expect_rc creds-and-username-exit 2
expect_err creds-and-username-says '--creds and --username exclude each other'
run inspect $ca --creds alice:secret --password-stdin "$REG_BASIC/$multi"
expect_rc creds-pass-and-password-stdin-exit 2
run inspect $ca --password-stdin "$REG_BASIC/$multi"
expect_rc password-stdin-alone-exit 2

# No echo: the password typed on a terminal does not show. The control
# shows that the terminal echoes what is typed when nobody turns it off.
PTY="$ROOT/tests/lib/ptyrun.py"
jailed python3 "$PTY" "$T_DIR/pty-control" "Password for alice: " tolkien-swordfish sh -c 'printf "Password for alice: "; read -r x; echo "read ${#x}"'
if grep -q tolkien-swordfish "$T_DIR/pty-control"; then pass pty-control-echoes
else fail pty-control-echoes "the terminal showed: $(head -c 300 "$T_DIR/pty-control")"; fi
for how in "--creds alice" "--username alice" "--username alice --password-stdin"; do
	n=pty-$(echo "$how" | tr -d -- '-' | tr ' ' '-')
	# shellcheck disable=SC2086
	jailed python3 "$PTY" "$T_DIR/$n" "Password for alice: " tolkien-swordfish \
		$RUNNER "$OCIPULL" inspect --ca-file "$CA_DIR/ca.crt" $how "$REG_BASIC/$multi"
	rc=$?
	# The typed password is wrong: the registry saw what was typed (5).
	if [ "$rc" -eq 5 ]; then pass "$n-sent-exit"
	else fail "$n-sent-exit" "exited $rc: $(head -c 300 "$T_DIR/$n")"; fi
	if grep -q tolkien-swordfish "$T_DIR/$n"; then
		fail "$n-no-echo" "the terminal showed the password: $(head -c 300 "$T_DIR/$n")"
	else pass "$n-no-echo"; fi
done
jailed python3 "$PTY" "$T_DIR/pty-ok" "Password for alice: " secret \
	$RUNNER "$OCIPULL" inspect --ca-file "$CA_DIR/ca.crt" --creds alice "$REG_BASIC/$multi"
rc=$?
if [ "$rc" -eq 0 ]; then pass pty-creds-right-password-exit
else fail pty-creds-right-password-exit "exited $rc: $(head -c 300 "$T_DIR/pty-ok")"; fi
# ^C at the prompt: ocipull dies by SIGINT, and the terminal echoes again.
jailed python3 "$PTY" "$T_DIR/pty-intr" "Password for alice: " "^C" \
	$RUNNER "$OCIPULL" inspect --ca-file "$CA_DIR/ca.crt" --creds alice "$REG_BASIC/$multi"
rc=$?
if [ "$rc" -eq 130 ]; then pass pty-interrupt-exit
else fail pty-interrupt-exit "exited $rc: $(head -c 300 "$T_DIR/pty-intr")"; fi
if grep -q '^\[echo on\]' "$T_DIR/pty-intr"; then pass pty-interrupt-echo-back
else fail pty-interrupt-echo-back "$(tail -c 200 "$T_DIR/pty-intr")"; fi

# Exit 2 for files that options name and that cannot be read, before any
# traffic (REG_BASIC would answer 401: 5).
mkdir -p "$T_DIR/adir"
for o in --ca-file --auth-file --verify-key; do
	run inspect "$o" "$T_DIR/nonexistent" "$REG_BASIC/$multi"
	expect_rc "missing$o-exit" 2
	expect_err "missing$o-names-it" "^ocipull: $o: .*$T_DIR/nonexistent"
	run inspect "$o" "$T_DIR/adir" "$REG_BASIC/$multi"
	expect_rc "directory$o-exit" 2
	expect_err "directory$o-names-it" "^ocipull: $o: $T_DIR/adir is a directory"
done
run inspect --cert "$T_DIR/nonexistent" --key "$CA_DIR/ca.crt" "$REG_BASIC/$multi"
expect_rc missing-cert-exit 2
expect_err missing-cert-names-it "^ocipull: --cert: "
run inspect --cert "$CA_DIR/ca.crt" --key "$T_DIR/adir" "$REG_BASIC/$multi"
expect_rc directory-key-exit 2
expect_err directory-key-names-it "^ocipull: --key: $T_DIR/adir is a directory"
run inspect --verify-key "$CA_DIR/ca.crt" --rekor-key "$T_DIR/nonexistent" "$REG_BASIC/$multi"
expect_rc missing-rekor-key-exit 2
expect_err missing-rekor-key-names-it "^ocipull: --rekor-key: "

# Exit 13: another ocipull holds DEST's lock (flock, as port_fs_lock takes
# it); DEST stays as it was.
old_dest "$T_DIR/busy"
jailed flock "$T_DIR/.busy.ocipull-lock" $RUNNER "$OCIPULL" pull --plain-http \
	"$REG_HTTP/$multi" "$T_DIR/busy" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull pull (lock held)"
expect_rc lock-held-exit 13
expect_err lock-held-says 'another ocipull is working on'
same_tree lock-held-dest-unchanged "$T_DIR/busy" "$T_DIR/busy.before"

# One exit-code table: --help prints README's block, line for line.
run --help
sed -n '/^Exit codes:$/,$p' "$OUT_F" > "$T_DIR/codes-help"
sed -n '/^    Exit codes:$/,/^[^ ]/p' "$ROOT/README.md" | sed -n 's/^    //p' > "$T_DIR/codes-readme"
if [ -s "$T_DIR/codes-help" ] && cmp -s "$T_DIR/codes-help" "$T_DIR/codes-readme"; then
	pass exit-codes-help-is-readme
else
	fail exit-codes-help-is-readme "$(diff "$T_DIR/codes-help" "$T_DIR/codes-readme" | head -5 | tr '\n' ';')"
fi
# Every row of the table is asserted by some script (14 once `check`
# exists; 1 and 10 are asserted by the unit tests: err_exit_code, ENOSPC
# through the fake port).
run help check
has_check=$RC
missing=""
for code in $(sed -n 's/^ *\([0-9][0-9]*\)  .*/\1/p' "$T_DIR/codes-help"); do
	case $code in
	1|10) continue ;;
	14) [ "$has_check" -eq 0 ] || continue ;;
	esac
	grep -qE "expect_rc [^ ]+ $code\$" "$ROOT"/tests/integration/*.sh || missing="$missing $code"
done
if [ -z "$missing" ]; then pass exit-codes-each-tested
else fail exit-codes-each-tested "no expect_rc for:$missing"; fi

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
