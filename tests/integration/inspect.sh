#!/bin/sh
# inspect.sh: `ocipull inspect` against the real registries of the harness:
# plain HTTP, HTTPS (right, wrong and no CA), basic and token auth, platform
# selection with fallbacks, and digests that do not match.
. "$(dirname "$0")/../lib/t.sh"

expect() { python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/$1" "$2" "$3"; }
multi=fixture/multi:latest
# No credentials of the machine's user may leak into these tests.
HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG

# Each board selects its own platform by default.
case $BOARD in
generic-arm64) own=linux/arm64/v8 ;;
generic-armv7) own=linux/arm/v7 ;;
*) own=linux/amd64 ;;
esac
run inspect --plain-http "$REG_HTTP/$multi"
expect_rc default-platform-exit 0
expect_out default-platform "^platform   $own\$"
expect_out default-platform-manifest "^manifest   $(expect multi "$own" manifest) "
expect_out index-digest "^digest     $(expect multi x index)\$"
expect_out platforms-offered "^available  $(expect multi x platforms)\$"

# Every platform of the index, with the config and layers it must have.
for p in linux/amd64 linux/arm64/v8 linux/arm/v7; do
	tag=$(echo "$p" | tr / -)
	run inspect --plain-http --platform "$p" "$REG_HTTP/$multi"
	expect_rc "select-$tag-exit" 0
	expect_out "select-$tag-manifest" "^manifest   $(expect multi "$p" manifest) "
	expect_out "select-$tag-config" "^config     $(expect multi "$p" config) "
	i=1
	ids=$(expect multi "$p" diff_ids)
	for l in $(expect multi "$p" layers); do
	 	d=$(echo "$ids" | sed -n "${i}p")
		expect_out "select-$tag-layer$i" "^layer $i +$l application/vnd.oci.image.layer.v1.tar\+gzip [0-9]+ diff_id $d\$"
		i=$((i + 1))
	done
done

# Short forms normalise like containerd: aarch64 is arm64/v8, armhf arm/v7.
run inspect --plain-http --platform linux/aarch64 "$REG_HTTP/$multi"
expect_out platform-aarch64 '^platform   linux/arm64/v8$'
run inspect --plain-http --platform armhf "$REG_HTTP/$multi"
expect_out platform-armhf '^platform   linux/arm/v7$'

# --json: one object a script can read.
run inspect --plain-http --json --platform linux/arm/v7 "$REG_HTTP/$multi"
expect_rc json-exit 0
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["platform"]=="linux/arm/v7" and d["manifest"]["digest"]==sys.argv[2] and len(d["layers"])==2 and d["layers"][1]["diffID"]==sys.argv[3] and d["platforms"]==["linux/amd64","linux/arm64/v8","linux/arm/v7"]' \
	"$OUT_F" "$(expect multi linux/arm/v7 manifest)" "$(expect multi linux/arm/v7 diff_ids | sed -n 2p)" 2>"$T_DIR/py"; then
	pass json-content
else
	fail json-content "$(cat "$T_DIR/py" "$OUT_F" | head -c 400)"
fi

# arm/v7 falls back to v6 when the index has no v7; arm64 does not take arm.
run inspect --plain-http --platform linux/arm/v7 "$REG_HTTP/fixture/armv6only:latest"
expect_rc armv7-takes-v6-exit 0
expect_out armv7-takes-v6 '^platform   linux/arm/v6$'
run inspect --plain-http --platform linux/arm64 "$REG_HTTP/fixture/armv6only:latest"
expect_rc no-platform-exit 7
expect_err no-platform-lists-offer 'linux/arm/v6'

# A Docker schema 2 manifest without an index.
run inspect --plain-http --platform linux/arm64 "$REG_HTTP/fixture/docker-arm64:latest"
expect_rc docker-schema2-exit 0
expect_out docker-schema2-type '^media type application/vnd.docker.distribution.manifest.v2\+json$'
run inspect --plain-http --platform linux/amd64 "$REG_HTTP/fixture/docker-arm64:latest"
expect_rc docker-schema2-wrong-arch 7

# Pinned digests: by the index digest, by the platform manifest's digest.
idx=$(expect multi x index)
run inspect --plain-http --platform linux/arm64 "$REG_HTTP/fixture/multi@$idx"
expect_rc pinned-index 0
m=$(expect multi linux/arm64/v8 manifest)
run inspect --plain-http --platform linux/arm64 "$REG_HTTP/fixture/multi:latest@$m"
expect_rc pinned-manifest-with-tag 0
expect_out pinned-manifest-digest "^digest     $m\$"

# Missing things.
run inspect --plain-http "$REG_HTTP/fixture/nothere:latest"
expect_rc not-found-exit 6
run inspect --plain-http "$REG_HTTP/fixture/multi:nosuchtag"
expect_rc unknown-tag-exit 6
run inspect --plain-http "$REG_HTTP/Fixture/Multi"
expect_rc bad-reference-exit 2
expect_err bad-reference-names-it 'lowercase'

# The tampered registry serves bytes that do not match their digest.
run inspect --plain-http --platform linux/arm64 "$REG_TAMPER/$multi"
expect_rc tampered-platform-manifest-exit 8
expect_err tampered-names-expected "expected $m"
expect_err tampered-names-got 'got sha256:[0-9a-f]{64}'
run inspect --plain-http --platform linux/arm64 "$REG_TAMPER/fixture/multi@$m"
expect_rc tampered-pinned-exit 8
expect_err tampered-pinned-names-both "expected $m, got sha256:"
run inspect --plain-http --platform linux/amd64 "$REG_TAMPER/$multi"
expect_rc untampered-platform-still-fine 0

# TLS: the run's CA is accepted; an unrelated CA and the system bundle
# are not; --insecure skips verification and says so.
run inspect --ca-file "$CA_DIR/ca.crt" "$REG_HTTPS/$multi"
expect_rc https-ca-exit 0
run inspect --ca-file "$CA_DIR/wrong-ca.crt" "$REG_HTTPS/$multi"
expect_rc https-wrong-ca-exit 4
expect_err https-wrong-ca-says-why 'certificate'
run inspect "$REG_HTTPS/$multi"
expect_rc https-system-bundle-exit 4
run inspect --insecure "$REG_HTTPS/$multi"
expect_rc https-insecure-exit 0
expect_err https-insecure-warns 'not verified'
# Addressed by IP: the certificate's iPAddress name 127.0.0.1 matches.
run inspect --ca-file "$CA_DIR/ca.crt" "127.0.0.1:${REG_HTTPS##*:}/$multi"
expect_rc https-ip-san-exit 0
run inspect "$REG_HTTP/$multi"
expect_rc https-to-plain-server-fails 4

# Basic auth (htpasswd over https).
printf 'secret\n' > "$T_DIR/pw"
printf 'wrong\n' > "$T_DIR/badpw"
run_stdin() { f=$1; shift; jailed $RUNNER "$OCIPULL" "$@" >"$OUT_F" 2>"$ERR_F" <"$f"; RC=$?; LAST="ocipull $*"; }
run inspect --ca-file "$CA_DIR/ca.crt" "$REG_BASIC/$multi"
expect_rc basic-no-creds-exit 5
expect_err basic-no-creds-says 'credentials'
run_stdin "$T_DIR/pw" inspect --ca-file "$CA_DIR/ca.crt" --username alice --password-stdin "$REG_BASIC/$multi"
expect_rc basic-creds-exit 0
run_stdin "$T_DIR/badpw" inspect --ca-file "$CA_DIR/ca.crt" --username alice --password-stdin "$REG_BASIC/$multi"
expect_rc basic-wrong-password-exit 5
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG_BASIC" "$(printf alice:secret | base64)" > "$T_DIR/config.json"
run inspect --ca-file "$CA_DIR/ca.crt" --auth-file "$T_DIR/config.json" "$REG_BASIC/$multi"
expect_rc basic-auth-file-exit 0
mkdir -p "$T_DIR/dockercfg"
cp "$T_DIR/config.json" "$T_DIR/dockercfg/config.json"
export DOCKER_CONFIG="$T_DIR/dockercfg"
run inspect --ca-file "$CA_DIR/ca.crt" "$REG_BASIC/$multi"
expect_rc basic-docker-config-env-exit 0
unset DOCKER_CONFIG

# A default config.json that cannot be used (not JSON; a directory in its
# place, unreadable even to root) is a warning: the anonymous pull goes on.
# Named with --auth-file, the same file is a configuration error (exit 2).
mkdir -p "$T_DIR/badcfg" "$T_DIR/dirhome/.docker/config.json"
printf '{"auths":{"%s":{"auth":' "$REG_HTTP" > "$T_DIR/badcfg/config.json"
export DOCKER_CONFIG="$T_DIR/badcfg"
run inspect --plain-http "$REG_HTTP/$multi"
expect_rc default-config-malformed-exit 0
expect_err default-config-malformed-warns "^ocipull: warning: ignoring $T_DIR/badcfg/config.json: .*JSON.*; going on without its credentials\$"
unset DOCKER_CONFIG
HOME=$T_DIR/dirhome
run inspect --plain-http "$REG_HTTP/$multi"
HOME=$T_DIR/home
expect_rc default-config-unreadable-exit 0
expect_err default-config-unreadable-warns "^ocipull: warning: ignoring $T_DIR/dirhome/.docker/config.json: "
run inspect --plain-http --auth-file "$T_DIR/badcfg/config.json" "$REG_HTTP/$multi"
expect_rc auth-file-malformed-exit 2
expect_err auth-file-malformed-says "auth file $T_DIR/badcfg/config.json.*JSON"
run inspect --plain-http --auth-file "$T_DIR/dirhome/.docker/config.json" "$REG_HTTP/$multi"
expect_rc auth-file-unreadable-exit 2
expect_err auth-file-unreadable-says "^ocipull: --auth-file: $T_DIR/dirhome/.docker/config.json is a directory"

# Bearer tokens from the harness's token server.
run inspect --plain-http --platform linux/arm64 "$REG_TOKEN_ANON/$multi"
expect_rc token-anonymous-exit 0
expect_out token-anonymous-manifest "^manifest   $m "
run inspect --plain-http "$REG_TOKEN/$multi"
expect_rc token-needs-creds-exit 5
# docker login with a credential helper leaves no auths entry: the helper
# is run, and one missing from PATH is named (tests/integration/cred.sh
# runs real ones).
printf '{"auths":{},"credHelpers":{"%s":"pass"}}' "$REG_TOKEN" > "$T_DIR/helper.json"
run inspect --plain-http --auth-file "$T_DIR/helper.json" "$REG_TOKEN/$multi"
expect_rc token-creds-in-helper-exit 5
expect_err token-creds-in-helper-says 'credential helper: docker-credential-pass: not found in PATH'
printf '{"auths":{},"credsStore":"secretservice"}' > "$T_DIR/store.json"
run inspect --ca-file "$CA_DIR/ca.crt" --auth-file "$T_DIR/store.json" "$REG_BASIC/$multi"
expect_rc basic-creds-in-store-exit 5
expect_err basic-creds-in-store-says 'credential helper: docker-credential-secretservice: not found in PATH'
run_stdin "$T_DIR/pw" inspect --plain-http --username alice --password-stdin "$REG_TOKEN/$multi"
expect_rc token-with-creds-exit 0
run_stdin "$T_DIR/badpw" inspect --plain-http --username alice --password-stdin "$REG_TOKEN/$multi"
expect_rc token-wrong-password-exit 5
printf '{"auths":{"http://%s/v2/":{"auth":"%s"}}}' "$REG_TOKEN" "$(printf alice:secret | base64)" > "$T_DIR/config2.json"
run inspect --plain-http --auth-file "$T_DIR/config2.json" "$REG_TOKEN/$multi"
expect_rc token-auth-file-exit 0

# Usage errors.
run inspect
expect_rc inspect-no-ref-exit 2
run inspect --platform 'linux//x' "$REG_HTTP/$multi"
expect_rc bad-platform-exit 2
run inspect --username alice "$REG_HTTP/$multi"
expect_rc username-without-password-exit 2
