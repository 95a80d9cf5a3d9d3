#!/bin/sh
# cred.sh: where credentials come from and where they go (issue 13).
#
# - docker credential helpers: a script docker-credential-test on PATH,
#   named by credsStore or credHelpers, supplies alice's password for the
#   basic-auth registry; docker's order (credHelpers[host], credsStore,
#   then auths); "not found", failures and oversized answers.
# - token realms (tests/lib/authfront.py, https on 127.0.0.1 and
#   127.0.0.2): the registry's own 401 names a realm on another https host,
#   which gets the credentials; a redirect target that answers 401 names a
#   realm that gets nothing (no request at all); a 6 KiB presigned-style
#   redirect URL is followed whole.
. "$(dirname "$0")/../lib/t.sh"
. "$ROOT/tests/lib/registry.sh"

multi=fixture/multi:latest
HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG REGISTRY_AUTH_FILE

C=$WORK/cred
cred_setup() {
	mkdir -p "$C" || return 1
	# One certificate for both loopback addresses of the front.
	reg_make_cert "$CA_DIR" cred-front ec localhost \
		"DNS:localhost,IP:127.0.0.1,IP:127.0.0.2" || return 1
	bg_ready "$C/front" "authfront" python3 "$ROOT/tests/lib/authfront.py" \
		--cert "$CA_DIR/cred-front.crt" --key "$CA_DIR/cred-front.key" \
		--upstream "$REG_HTTP" --user alice:secret || return 1
	echo "P_FRONT=$BG_PORT P_REALM=$(sed -n 's/^realm //p' "$C/front/out")" > "$C/env"
}
setup_once "$C" cred_setup cred-setup "certificate or authfront" || exit 0
FRONT_LOG=$C/front/log

# ---- credential helpers -------------------------------------------------------
B=$T_DIR/bin
mkdir -p "$B"
PATH=$B:$PATH
export PATH
# The helper logs its argument and what came on stdin, then answers as
# its mode file says.
cat > "$B/docker-credential-test" <<EOF
#!/bin/sh
url=\$(cat)
echo "\$1 \$url" >> "$T_DIR/helper.log"
case \$(cat "$T_DIR/helper.mode") in
ok) printf '{"ServerURL":"%s","Username":"alice","Secret":"secret"}\n' "\$url" ;;
wrong) printf '{"ServerURL":"%s","Username":"alice","Secret":"wrong"}\n' "\$url" ;;
none) echo "credentials not found in native keychain"; exit 1 ;;
fail) echo "error getting credentials - keychain locked"; exit 1 ;;
token) printf '{"ServerURL":"%s","Username":"<token>","Secret":"rt"}\n' "\$url" ;;
big) i=0; while [ \$i -lt 200 ]; do printf '%060d\n' 0; i=\$((i + 1)); done ;;
esac
EOF
chmod 755 "$B/docker-credential-test"
helper() { echo "$1" > "$T_DIR/helper.mode"; : > "$T_DIR/helper.log"; }
cfg() { printf '%s' "$1" > "$T_DIR/config.json"; }
basic() { run inspect --ca-file "$CA_DIR/ca.crt" --auth-file "$T_DIR/config.json" "$@" "$REG_BASIC/$multi"; }

helper ok
cfg '{"credsStore":"test"}'
basic
expect_rc helper-store-exit 0
if [ "$(cat "$T_DIR/helper.log")" = "get $REG_BASIC" ]; then pass helper-asked-get-server
else fail helper-asked-get-server "helper log: $(cat "$T_DIR/helper.log")"; fi
# The default config.json ($DOCKER_CONFIG) works the same way.
mkdir -p "$T_DIR/dc"
cp "$T_DIR/config.json" "$T_DIR/dc/config.json"
DOCKER_CONFIG=$T_DIR/dc
export DOCKER_CONFIG
run inspect --ca-file "$CA_DIR/ca.crt" "$REG_BASIC/$multi"
expect_rc helper-default-config-exit 0
unset DOCKER_CONFIG
# docker's order: credHelpers[host] before credsStore, and a helper that
# applies before auths (a missing store would fail; wrong auths are unused).
cfg "{\"credsStore\":\"missing\",\"credHelpers\":{\"$REG_BASIC\":\"test\"},\"auths\":{\"$REG_BASIC\":{\"auth\":\"$(printf alice:wrong | base64)\"}}}"
basic
expect_rc helper-credhelpers-first-exit 0
cfg "{\"credsStore\":\"test\",\"auths\":{\"$REG_BASIC\":{\"auth\":\"$(printf alice:secret | base64)\"}}}"
helper none
basic
expect_rc helper-none-is-anonymous-exit 5
expect_err helper-none-says "credential helper has no credentials"
helper wrong
basic
expect_rc helper-wrong-password-exit 5
expect_err helper-wrong-password-names-it "refused the credentials from docker-credential-test"
helper fail
basic
expect_rc helper-fails-exit 5
expect_err helper-fails-says "docker-credential-test get exited with status 1: error getting credentials - keychain locked"
helper token
basic
expect_rc helper-identity-token-exit 5
expect_err helper-identity-token-says "identity token"
helper big
basic
expect_rc helper-big-answer-exit 5
expect_err helper-big-answer-says "docker-credential-test wrote more than 8192 bytes"
cfg '{"credsStore":"missing"}'
basic
expect_rc helper-missing-exit 5
expect_err helper-missing-says "docker-credential-missing: not found in PATH"
# In the default config.json a broken helper costs only its credentials.
cp "$T_DIR/config.json" "$T_DIR/dc/config.json"
DOCKER_CONFIG=$T_DIR/dc
export DOCKER_CONFIG
run inspect --plain-http "$REG_HTTP/$multi"
expect_rc helper-missing-default-config-exit 0
expect_err helper-missing-default-config-warns "warning: ignoring $T_DIR/dc/config.json: .*not found in PATH"
unset DOCKER_CONFIG

# ---- token realms ---------------------------------------------------------------
printf 'secret\n' > "$T_DIR/pw"
front() {    # front MODE ocipull-args...: pull from the front, alice's password
	m=$1
	shift
	: > "$FRONT_LOG"
	rm -rf "$T_DIR/dest"
	jailed $RUNNER "$OCIPULL" pull --ca-file "$CA_DIR/ca.crt" --username alice \
		--password-stdin "$@" "127.0.0.1:$P_FRONT/$m/$multi" "$T_DIR/dest" \
		>"$OUT_F" 2>"$ERR_F" <"$T_DIR/pw"
	RC=$?
	LAST="ocipull pull ... 127.0.0.1:$P_FRONT/$m/$multi"
}
log_has() {    # log_has NAME ERE WHAT
	if grep -Eq -- "$2" "$FRONT_LOG"; then pass "$1"
	else fail "$1" "$3: $(tr '\n' ';' < "$FRONT_LOG" | head -c 400)"; fi
}
log_lacks() {
	if grep -Eq -- "$2" "$FRONT_LOG"; then fail "$1" "$3: $(grep -E -- "$2" "$FRONT_LOG" | head -3 | tr '\n' ';')"
	else pass "$1"; fi
}

front direct
expect_rc realm-other-host-exit 0
log_has realm-other-host-got-creds '^realm GET /token qlen=[0-9]+ auth=basic:alice$' \
	"the realm on 127.0.0.2 got no Basic credentials"
log_lacks realm-other-host-registry-no-basic '^registry .*auth=basic' \
	"the registry got Basic credentials after a Bearer challenge"

front presigned
expect_rc presigned-6k-redirect-exit 0
log_has presigned-6k-redirect-whole '^realm GET /store/sha256:[0-9a-f]{64} qlen=6[0-9]{3} auth=none$' \
	"no blob fetched through the whole 6 KiB URL"
log_lacks presigned-store-no-creds '^realm GET /store/.*auth=(basic|bearer)' \
	"the blob store got credentials"

front hostile
expect_rc redirect-target-realm-exit 5
expect_err redirect-target-realm-says "127.0.0.2 answered 401"
log_has redirect-target-asked '^realm GET /hostile/' "the redirect was not followed"
log_lacks redirect-target-realm-never-asked '^realm GET /evil' \
	"the realm named by the redirect target was asked"
log_lacks redirect-target-no-creds '^realm GET /hostile/.*auth=(basic|bearer)' \
	"the redirect target got credentials"
if [ -e "$T_DIR/dest" ]; then fail redirect-target-no-dest "$T_DIR/dest exists"
else pass redirect-target-no-dest; fi
