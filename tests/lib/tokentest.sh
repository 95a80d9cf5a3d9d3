#!/bin/sh
# tokentest.sh: self-test of tests/lib/tokenserver.py and the token options
# of tests/lib/registry.sh, against the real docker-registry. Run by hand:
#
#   sh tests/lib/tokentest.sh          (KEEP=1 keeps the work directory)
#
# Starts two token servers sharing one signing key (A: users alice:secret
# and bob:hunter2 only; B: the same plus anonymous pull, replies with
# "access_token" only), two plain-HTTP registries with `auth: token`, one
# using each, and two token servers whose tokens must be refused (K: an
# untrusted key; E: tokens expired two minutes ago). Prints one
# PASS/FAIL line per check and "N passed, N failed"; exits 1 on a failure.
# Everything started is stopped by PID at the end, also after ^C.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/ocipull-tokentest.XXXXXX)
export WORK ROOT
. "$ROOT/tests/lib/registry.sh"

cleanup() {
	reg_stop_all
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0
pass() { echo "PASS token/$1"; npass=$((npass + 1)); }
fail() { echo "FAIL token/$1: $2"; nfail=$((nfail + 1)); }
check() { # check NAME WHY-IF-FAILED COMMAND...
	c_name=$1 c_why=$2
	shift 2
	if "$@"; then pass "$c_name"; else fail "$c_name" "$c_why"; fi
}
# http_code URL [curl args...]: print the status code only
http_code() {
	c_url=$1
	shift
	curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" "$c_url"
}
# get_token URL [curl args...]: print the token of the reply (token, else
# access_token), nothing when there is none
get_token() {
	c_url=$1
	shift
	curl -s "$@" "$c_url" > "$WORK/token.json" || return 1
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d.get("token") or d.get("access_token") or "")' "$WORK/token.json" 2>/dev/null
}
# claims TOKEN: print the JWT claims as JSON (sorted keys, compact)
claims() {
	python3 -c 'import base64,json,sys
p = sys.argv[1].split(".")[1]
print(json.dumps(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))), sort_keys=True, separators=(",", ":")))' "$1"
}
# header NAME: value of a header of the last http_code
header() {
	tr -d '\r' < "$WORK/headers" | sed -n "s/^$1: //Ip" | head -1
}

ISS=ocipull-test-issuer
SVC=ocipull-test-registry
ACCEPT='Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'

# ---- set-up -----------------------------------------------------------------
reg_make_token_key "$WORK/tok" || { fail setup "openssl could not make the token key"; exit 1; }
printf 'alice:secret\nbob:hunter2\n' > "$WORK/users"
PA=$(reg_free_port) PB=$(reg_free_port) RA=$(reg_free_port) RB=$(reg_free_port)
TA=http://127.0.0.1:$PA/token
TB=http://127.0.0.1:$PB/token
ok=1
tok_start "$PA" "$WORK/tok/token.key" "$WORK/tok/token.crt" "$ISS" "$SVC" \
	--users "$WORK/users" || ok=0
tok_start "$PB" "$WORK/tok/token.key" "$WORK/tok/token.crt" "$ISS" "$SVC" \
	--users "$WORK/users" --anonymous --only-access-token || ok=0
# K: a key the registries do not trust; E: the right key, tokens expired
reg_make_token_key "$WORK/tok-other" || ok=0
PK=$(reg_free_port) PE=$(reg_free_port)
tok_start "$PK" "$WORK/tok-other/token.key" "$WORK/tok-other/token.crt" "$ISS" "$SVC" \
	--anonymous || ok=0
tok_start "$PE" "$WORK/tok/token.key" "$WORK/tok/token.crt" "$ISS" "$SVC" \
	--anonymous --expires-in=-120 || ok=0
reg_start toka "$RA" token "$TA" "$ISS" "$SVC" "$WORK/tok/token.crt" || ok=0
reg_start tokb "$RB" token "$TB" "$ISS" "$SVC" "$WORK/tok/token.crt" || ok=0
if [ $ok = 1 ]; then pass setup; else fail setup "a server did not start"; exit 1; fi
check ready-line "token server stdout is not exactly 'ready $PA'" \
	test "$(cat "$WORK/tokenserver-$PA/out")" = "ready $PA"

# ---- the registry asks for a token ------------------------------------------
code=$(http_code "http://127.0.0.1:$RA/v2/")
wa=$(header WWW-Authenticate)
check v2-401 "GET /v2/ without token gave $code" test "$code" = 401
case $wa in
"Bearer realm=\"$TA\",service=\"$SVC\""*) pass v2-www-authenticate ;;
*) fail v2-www-authenticate "WWW-Authenticate is '$wa'" ;;
esac

# ---- push with credentials (pull,push token) --------------------------------
python3 "$ROOT/tests/fixtures/mkimage.py" "$WORK/layouts" multi > "$WORK/mkimage.log" 2>&1 ||
	fail mkimage "$(tail -3 "$WORK/mkimage.log")"
for r in a:"$RA" b:"$RB"; do
	if skopeo copy -q --all --dest-creds alice:secret --dest-tls-verify=false \
		"oci:$WORK/layouts/multi:latest" "docker://127.0.0.1:${r#*:}/test/x:latest" \
		> "$WORK/push.log" 2>&1; then
		pass "skopeo-push-${r%%:*}"
	else
		fail "skopeo-push-${r%%:*}" "$(tail -3 "$WORK/push.log")"
	fi
done
check push-granted-log "token server A did not log a pull,push grant for alice" \
	grep -q 'user=alice granted test/x:pull,push' "$WORK/tokenserver-$PA/log"
if skopeo copy -q --all --dest-creds alice:wrong --dest-tls-verify=false \
	"oci:$WORK/layouts/multi:latest" "docker://127.0.0.1:$RA/test/y:latest" \
	> "$WORK/push.log" 2>&1; then
	fail skopeo-push-wrong-password "skopeo pushed with a wrong password"
else
	pass skopeo-push-wrong-password
fi

# ---- a token by hand, then the manifest -------------------------------------
T=$(get_token "$TA?service=$SVC&scope=repository:test/x:pull" -u alice:secret)
check token-fetched "no token in $(head -c 200 "$WORK/token.json")" test -n "$T"
check token-reply-fields "reply lacks a field: $(head -c 300 "$WORK/token.json")" \
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert d["token"] == d["access_token"] and d["expires_in"] == 300
assert d["issued_at"].endswith("Z") and len(d["issued_at"]) == 20' "$WORK/token.json"
c=$(claims "$T")
check token-claims "claims $c" python3 -c 'import json,sys,time
c = json.loads(sys.argv[1])
assert c["iss"] == sys.argv[2] and c["aud"] == sys.argv[3] and c["sub"] == "alice"
assert c["access"] == [{"type": "repository", "name": "test/x", "actions": ["pull"]}]
assert c["exp"] - c["iat"] == 300 and c["nbf"] == c["iat"] and abs(c["iat"] - time.time()) < 60
assert c["jti"]' "$c" "$ISS" "$SVC"
code=$(http_code "http://127.0.0.1:$RA/v2/test/x/manifests/latest" -H "$ACCEPT" -H "Authorization: Bearer $T")
check manifest-with-token "GET manifest with token gave $code: $(head -c 300 "$WORK/body")" test "$code" = 200
check manifest-is-index "manifest is not the index" grep -q '"manifests"' "$WORK/body"
code=$(http_code "http://127.0.0.1:$RA/v2/test/x/manifests/latest" -H "$ACCEPT")
check manifest-without-token "GET manifest without token gave $code" test "$code" = 401
# the same signature over claims that name test/other: must be refused
Tother=$(get_token "$TA?service=$SVC&scope=repository:test/other:pull" -u alice:secret)
Tforged=$(python3 -c 'import sys
a, b = sys.argv[1].split("."), sys.argv[2].split(".")
print(a[0] + "." + a[1] + "." + b[2])' "$T" "$Tother")
code=$(http_code "http://127.0.0.1:$RA/v2/test/x/manifests/latest" -H "$ACCEPT" -H "Authorization: Bearer $Tforged")
check manifest-bad-signature "GET manifest with a mismatched signature gave $code" test "$code" = 401
Tk=$(get_token "http://127.0.0.1:$PK/token?service=$SVC&scope=repository:test/x:pull")
check other-key-token-fetched "no token from the other-key server" test -n "$Tk"
code=$(http_code "http://127.0.0.1:$RA/v2/test/x/manifests/latest" -H "$ACCEPT" -H "Authorization: Bearer $Tk")
check manifest-untrusted-cert "GET manifest with a token signed by an untrusted key gave $code" test "$code" = 401
Te=$(get_token "http://127.0.0.1:$PE/token?service=$SVC&scope=repository:test/x:pull")
check expired-token-fetched "no token from the expired-token server" test -n "$Te"
code=$(http_code "http://127.0.0.1:$RA/v2/test/x/manifests/latest" -H "$ACCEPT" -H "Authorization: Bearer $Te")
check manifest-expired-token "GET manifest with an expired token gave $code" test "$code" = 401
T2=$(get_token "$TA?service=$SVC&scope=repository:test/other:pull" -u alice:secret)
code=$(http_code "http://127.0.0.1:$RA/v2/test/x/manifests/latest" -H "$ACCEPT" -H "Authorization: Bearer $T2")
check manifest-other-scope "token for test/other read test/x: $code" test "$code" = 401
T3=$(get_token "$TA?service=$SVC&scope=repository:test/x:pull&scope=repository:test/other:pull,push" -u bob:hunter2)
check two-scopes "claims $(claims "$T3")" python3 -c 'import json,sys
a = json.loads(sys.argv[1])["access"]
assert a == [{"type": "repository", "name": "test/x", "actions": ["pull"]},
             {"type": "repository", "name": "test/other", "actions": ["pull", "push"]}], a' "$(claims "$T3")"
code=$(http_code "http://127.0.0.1:$RA/v2/test/x/manifests/latest" -H "$ACCEPT" -H "Authorization: Bearer $T3")
check manifest-two-scopes "GET manifest with a two-scope token gave $code" test "$code" = 200

# ---- refusals from the token server -----------------------------------------
code=$(http_code "$TA?service=$SVC&scope=repository:test/x:pull" -u alice:wrong)
check wrong-password-401 "wrong password gave $code" test "$code" = 401
code=$(http_code "$TA?service=$SVC&scope=repository:test/x:pull" -u mallory:secret)
check unknown-user-401 "unknown user gave $code" test "$code" = 401
code=$(http_code "$TA?service=$SVC&scope=repository:test/x:pull")
check no-anonymous-401 "anonymous request without --anonymous gave $code" test "$code" = 401
code=$(http_code "$TA?service=other&scope=repository:test/x:pull" -u alice:secret)
check wrong-service-400 "wrong service gave $code" test "$code" = 400
code=$(http_code "$TA?service=$SVC&scope=nonsense" -u alice:secret)
check bad-scope-400 "malformed scope gave $code" test "$code" = 400

# ---- anonymous pull, access_token only --------------------------------------
TB_anon=$(get_token "$TB?service=$SVC&scope=repository:test/x:pull,push")
check anon-token-fetched "no anonymous token: $(head -c 200 "$WORK/token.json")" test -n "$TB_anon"
check only-access-token "reply has \"token\": $(head -c 100 "$WORK/token.json")" python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert "token" not in d and d["access_token"]' "$WORK/token.json"
check anon-pull-only "claims $(claims "$TB_anon")" python3 -c 'import json,sys
c = json.loads(sys.argv[1])
assert c["sub"] == "" and c["access"] == [{"type": "repository", "name": "test/x", "actions": ["pull"]}]' "$(claims "$TB_anon")"
code=$(http_code "http://127.0.0.1:$RB/v2/test/x/manifests/latest" -H "$ACCEPT" -H "Authorization: Bearer $TB_anon")
check anon-manifest "GET manifest with anonymous token gave $code" test "$code" = 200
if skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$RB/test/x:latest" > "$WORK/inspect.json" 2>&1 &&
   grep -q '"manifests"' "$WORK/inspect.json"; then
	pass skopeo-anon-pull
else
	fail skopeo-anon-pull "$(tail -3 "$WORK/inspect.json")"
fi
if skopeo copy -q --all --dest-tls-verify=false "oci:$WORK/layouts/multi:latest" \
	"docker://127.0.0.1:$RB/test/z:latest" > "$WORK/push.log" 2>&1; then
	fail skopeo-anon-push "skopeo pushed anonymously"
else
	pass skopeo-anon-push
fi
code=$(http_code "$TB?service=$SVC&scope=repository:test/x:pull" -u alice:wrong)
check anon-server-wrong-password-401 "wrong password on --anonymous server gave $code" test "$code" = 401

# ---- every request logged, stdout clean -------------------------------------
n=$(grep -c '^tokenserver: GET /token' "$WORK/tokenserver-$PA/log")
check log-lines "token server A logged $n requests" test "$n" -ge 10
check stdout-clean "token server stdout has more than the ready line" \
	test "$(wc -l < "$WORK/tokenserver-$PB/out")" -eq 1

echo
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
