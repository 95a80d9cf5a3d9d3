#!/bin/sh
# run.sh BOARD...: the test suite behind `make check`.
#
# Project code never runs as root unjailed: every unit test binary and
# every ocipull run goes through tests/lib/jail.sh (bubblewrap: / read-only,
# only named directories writable), which refuses to run anything as root
# without bubblewrap (not root, it runs them directly). The suite starts by
# checking that the jail holds.
#
# 0. the jail: writes outside its writable directories fail, inside work;
#    it sees none of the harness's processes and dies with its parent;
# 1. unit tests (build/unit/test_*, built with ASan and UBSan by make), each
#    jailed with a private /tmp, $WORK/unit writable (and the source tree
#    bound back, read-only, should it be under /tmp);
# 2. source checks (tests/lint.sh), and the build system (tests/build.sh:
#    the host board against prebuilt dependencies, make install, the pins
#    of make deps, a second make deps), skipped with ONLY;
# 3. real registries on 127.0.0.1 (plain HTTP, HTTPS with a CA made for
#    this run), tests/lib/faultproxy.py in front of the plain one (FP_PORT),
#    test images built by tests/fixtures/mkimage.py and pushed with skopeo;
# 4. every tests/integration/*.sh against build/BOARD/ocipull for each
#    BOARD, cross binaries under qemu-user.
#
# Prints one PASS/FAIL line per check, the failures again at the end, and a
# last line "N passed, N failed"; exits 1 when anything failed. The
# registries are stopped by PID when it ends, also after a failure or ^C.
# KEEP=1 keeps the temporary directory for a post-mortem. ONLY=NAME (a
# shell pattern) runs only the integration scripts of that name (unit tests
# skipped), for work on one script; its summary says so.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
export ROOT
[ $# -gt 0 ] || set -- host
WORK=$(mktemp -d /tmp/ocipull-check.XXXXXX)
export WORK
RESULTS=$WORK/results
: > "$RESULTS"
. "$ROOT/tests/lib/registry.sh"

cleanup() {
	reg_stop_all
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

record() { tee -a "$RESULTS"; }
t0=$(date +%s)
jail() { sh "$ROOT/tests/lib/jail.sh" "$@"; }

# ---- 0. the jail ------------------------------------------------------------
# Probes: a file in /etc, in the source tree, beside the writable directory
# and in /tmp. Not root, jail.sh runs commands directly (the user's
# permissions are the only fence): then only /etc is checked.
JW=$WORK/jailtest
mkdir -p "$JW"
asroot=0
[ "$(id -u)" = 0 ] && asroot=1
probes="etc:/etc source-tree:$ROOT work-dir:$WORK tmp:/tmp"
if [ $asroot = 0 ]; then
	echo "note: not root: tests run unjailed (tests/lib/jail.sh)" >&2
	probes="etc:/etc"
fi
if jail -w "$JW" sh -c 'echo x > "$1/probe"' sh "$JW" 2>"$WORK/jail.err" &&
   [ "$(cat "$JW/probe" 2>/dev/null)" = x ]; then
	echo "PASS jail/writes-inside" | record
else
	echo "FAIL jail/writes-inside: $(head -c 300 "$WORK/jail.err")" | record
fi
for p in $probes; do
	f=${p#*:}/ocipull-jail-probe
	# The probe's name is the suite's own: one left by a broken run goes.
	rm -f "$f"
	if jail -w "$JW" sh -c 'echo x > "$1"' sh "$f" 2>/dev/null || [ -e "$f" ]; then
		echo "FAIL jail/no-write-${p%%:*}: the jail wrote $f" | record
		rm -f "$f"
	else
		echo "PASS jail/no-write-${p%%:*}" | record
	fi
done
if [ $asroot = 1 ]; then
	if jail sh -c '! kill -0 "$1" 2>/dev/null' sh $$; then
		echo "PASS jail/own-pid-namespace" | record
	else
		echo "FAIL jail/own-pid-namespace: the jail sees the harness's PID $$" | record
	fi
	# Killing the jail (bwrap) kills what runs inside: a sleep with a mark
	# no other process has.
	mark=$((86400 + $$ % 100000))
	jail sleep "$mark" &
	jp=$!
	i=0
	while ! pgrep -x -f "sleep $mark" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	started=$(pgrep -x -f "sleep $mark")
	kill -9 "$jp"
	wait "$jp" 2>/dev/null
	i=0
	while pgrep -x -f "sleep $mark" >/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	if [ -z "$started" ]; then
		echo "FAIL jail/dies-with-parent: 'sleep $mark' did not start in the jail" | record
	elif pgrep -x -f "sleep $mark" >/dev/null; then
		echo "FAIL jail/dies-with-parent: 'sleep $mark' outlived its jail" | record
	else
		echo "PASS jail/dies-with-parent" | record
	fi
fi

# ---- 1. unit tests ----------------------------------------------------------
mkdir -p "$WORK/unit"
# The test data some unit tests read (see tests/unit/test_tar.c), bound
# back like the source tree in case it is under /tmp.
td=$(cd "${OCIPULL_TESTDATA:-../shared/testdata}" 2>/dev/null && pwd -P) || td=$ROOT
for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	[ -z "${ONLY:-}" ] || break
	name=unit/$(basename "$t")
	OCIPULL_JAIL=$WORK/unit/jail-$(basename "$t") \
		sh tests/lib/jail.sh -t -r "$ROOT" -r "$td" -w "$WORK/unit" "$ROOT/$t" \
		> "$WORK/unit.out" 2> "$WORK/unit.err"
	rc=$?
	sed "s|^PASS |PASS $name/|; s|^FAIL |FAIL $name/|" "$WORK/unit.out" | record
	cat "$WORK/unit.err" >&2
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$WORK/unit.out"; then
		echo "FAIL $name: exited $rc (crash or sanitizer report above)" | record
	fi
done

# ---- 2. source checks -------------------------------------------------------
sh tests/lint.sh | record
[ -n "${ONLY:-}" ] || sh tests/build.sh 2>&1 | record

# ---- 3. registries and fixtures ---------------------------------------------
setup_ok=1
CA_DIR=$WORK/ca
reg_make_ca "$CA_DIR" || { echo "FAIL setup/ca: openssl could not make the test CA" | record; setup_ok=0; }
# Nine distinct ports, taken at once so that no two are the same.
set -- $(reg_free_ports 9) "$@"
P_HTTP=$1 P_HTTPS=$2 P_BASIC=$3 P_TOKEN=$4 P_TOKEN_ANON=$5 P_TAMPER=$6
P_BADLAYER=$7 P_TOKSRV=$8 P_TOKSRV_ANON=$9
shift 9
REG_HTTP=127.0.0.1:$P_HTTP           # plain http, no auth
REG_HTTPS=localhost:$P_HTTPS         # https with the run's CA
REG_BASIC=localhost:$P_BASIC         # https + htpasswd (alice:secret)
REG_TOKEN=127.0.0.1:$P_TOKEN         # bearer tokens, credentials required
REG_TOKEN_ANON=127.0.0.1:$P_TOKEN_ANON  # bearer tokens, anonymous pulls
REG_TAMPER=127.0.0.1:$P_TAMPER       # storage altered after the push
REG_BADLAYER=127.0.0.1:$P_BADLAYER   # a layer blob altered after the push
# tests/integration/tls.sh: the https registry's data served on ::1 too
# (REG_HTTPS6, "" without IPv6 on the loopback), and TLS endpoints of
# tests/lib/tlsproxy.py in front of the plain registry (TP_DIR): TLS 1.3
# only on 127.0.0.1 and ::1, TLS 1.2 at most, certificates for another IP
# (127.0.0.2, ::2), with an IP address only as a DNS name, and with an RSA
# key, on TLS 1.3 and on 1.2 (choosing the signature algorithm in its own
# order, and in the client's).
REG_HTTPS6=""
TP_DIR=""
tls_endpoints() {
	c=$CA_DIR
	reg_make_cert "$c" otherip ec localhost "DNS:localhost,IP:127.0.0.2,IP:::2" &&
	reg_make_cert "$c" dnsip ec 127.0.0.1 "DNS:127.0.0.1,DNS:::1" &&
	reg_make_cert "$c" rsa rsa localhost "DNS:localhost,IP:127.0.0.1,IP:::1" || return 1
	set -- "tls13,127.0.0.1,$c/server.crt,$c/server.key,1.3" \
		"tls12,127.0.0.1,$c/server.crt,$c/server.key,,1.2" \
		"otherip,127.0.0.1,$c/otherip.crt,$c/otherip.key" \
		"dnsip,127.0.0.1,$c/dnsip.crt,$c/dnsip.key" \
		"rsa12,127.0.0.1,$c/rsa.crt,$c/rsa.key,,1.2" \
		"rsa12c,127.0.0.1,$c/rsa.crt,$c/rsa.key,,1.2,client" \
		"rsa13,127.0.0.1,$c/rsa.crt,$c/rsa.key,1.3"
	p6=$(reg_free_port6)
	if [ -n "$p6" ]; then
		set -- "$@" "tls13v6,::1,$c/server.crt,$c/server.key,1.3" \
			"otherip6,::1,$c/otherip.crt,$c/otherip.key"
		reg_start tls6 "$p6" tls "$c" ipv6 storage "$WORK/registry-tls/data" || return 1
		REG_HTTPS6="[::1]:$p6"
	fi
	tp_start "$REG_HTTP" "$@"
}
export CA_DIR REG_HTTP REG_HTTPS REG_BASIC REG_TOKEN REG_TOKEN_ANON REG_TAMPER \
	REG_BADLAYER REG_HTTPS6 TP_DIR
if [ $setup_ok = 1 ]; then
	printf 'alice:secret\n' > "$WORK/users"
	htpasswd -Bbn alice secret > "$WORK/htpasswd" 2>/dev/null || setup_ok=0
	reg_make_token_key "$WORK/tokkey" || setup_ok=0
	reg_start plain "$P_HTTP" || setup_ok=0
	# The fault-injecting proxy in front of it (tests/integration/faults.sh
	# sets its rules through its control API).
	fp_start "$REG_HTTP" || setup_ok=0
	export FP_PORT
	reg_start tls "$P_HTTPS" tls "$CA_DIR" || setup_ok=0
	tls_endpoints || setup_ok=0
	reg_start basic "$P_BASIC" tls "$CA_DIR" htpasswd "$WORK/htpasswd" || setup_ok=0
	tok_start "$P_TOKSRV" "$WORK/tokkey/token.key" "$WORK/tokkey/token.crt" \
		ocipull-test-issuer ocipull-test --users "$WORK/users" || setup_ok=0
	tok_start "$P_TOKSRV_ANON" "$WORK/tokkey/token.key" "$WORK/tokkey/token.crt" \
		ocipull-test-issuer ocipull-test --users "$WORK/users" --anonymous || setup_ok=0
	reg_start token "$P_TOKEN" token "http://127.0.0.1:$P_TOKSRV/token" \
		ocipull-test-issuer ocipull-test "$WORK/tokkey/token.crt" || setup_ok=0
	reg_start tokenanon "$P_TOKEN_ANON" token "http://127.0.0.1:$P_TOKSRV_ANON/token" \
		ocipull-test-issuer ocipull-test "$WORK/tokkey/token.crt" || setup_ok=0
	reg_start tamper "$P_TAMPER" || setup_ok=0
	reg_start badlayer "$P_BADLAYER" || setup_ok=0
	[ $setup_ok = 1 ] || echo "FAIL setup/registry: a registry, token server or the fault proxy did not start" | record
fi
FIXTURES=$WORK/fixtures
export FIXTURES
if [ $setup_ok = 1 ]; then
	# The foreign-layer fixture points at a blob of the https registry.
	FOREIGN_URL_BASE=https://$REG_HTTPS
	export FOREIGN_URL_BASE
	if python3 tests/fixtures/mkimage.py "$FIXTURES" > "$WORK/mkimage.log" 2>&1; then
		echo "PASS setup/fixtures-built" | record
	else
		echo "FAIL setup/fixtures-built: $(tail -3 "$WORK/mkimage.log")" | record
		setup_ok=0
	fi
fi
if [ $setup_ok = 1 ]; then
	mkdir -p "$WORK/certs.d"
	cp "$CA_DIR/ca.crt" "$WORK/certs.d/ca.crt"
	push() {    # push LAYOUT-NAME LABEL REGISTRY [skopeo options...]
		n=$1 label=$2 reg=$3
		shift 3
		# skopeo refuses Docker media types in an OCI layout: such a
		# fixture (docker-types) carries a `dir:` copy in LAYOUT/dir.
		src=oci:$FIXTURES/$n:latest
		[ -d "$FIXTURES/$n/dir" ] && src=dir:$FIXTURES/$n/dir
		if skopeo copy -q --all "$src" "docker://$reg/fixture/$n:latest" \
			"$@" >> "$WORK/push.log" 2>&1; then
			echo "PASS setup/push-$n-$label" | record
		else
			echo "FAIL setup/push-$n-$label: $(tail -3 "$WORK/push.log")" | record
		fi
	}
	for f in "$FIXTURES"/*/; do
		n=$(basename "$f")
		push "$n" plain "$REG_HTTP" --dest-tls-verify=false
		push "$n" tls "$REG_HTTPS" --dest-cert-dir "$WORK/certs.d"
	done
	push multi basic "$REG_BASIC" --dest-cert-dir "$WORK/certs.d" --dest-creds alice:secret
	push multi token "$REG_TOKEN" --dest-tls-verify=false --dest-creds alice:secret
	push multi tokenanon "$REG_TOKEN_ANON" --dest-tls-verify=false --dest-creds alice:secret
	push multi tamper "$REG_TAMPER" --dest-tls-verify=false
	push multi badlayer "$REG_BADLAYER" --dest-tls-verify=false
	# A Docker schema 2 manifest (no index): the arm64 image converted by skopeo.
	if skopeo copy -q --format v2s2 --override-arch arm64 "oci:$FIXTURES/multi:latest" \
		"docker://$REG_HTTP/fixture/docker-arm64:latest" --dest-tls-verify=false \
		>> "$WORK/push.log" 2>&1; then
		echo "PASS setup/push-docker-arm64" | record
	else
		echo "FAIL setup/push-docker-arm64: $(tail -3 "$WORK/push.log")" | record
	fi
	# Tamper: change one byte inside the arm64 manifest as the registry
	# stores it (same size, still JSON), so what it serves no longer
	# matches the digest that names it.
	m=$(python3 tests/fixtures/expect.py "$FIXTURES/multi" linux/arm64/v8 manifest)
	h=${m#sha256:}
	data=$WORK/registry-tamper/data/docker/registry/v2/blobs/sha256/$(echo "$h" | cut -c1-2)/$h/data
	if [ -f "$data" ] && python3 - "$data" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b'"size":') + 7
b[i] = ord("9") if b[i] != ord("9") else ord("8")
open(p, "wb").write(bytes(b))
PY
	then echo "PASS setup/tamper-manifest" | record
	else echo "FAIL setup/tamper-manifest: $data missing" | record; fi
	# Bad layer: change one byte of the amd64 image's first layer as the
	# registry stores it: the gzip header's MTIME, so the size stays and
	# the blob still inflates to the same tar; only its digest tells.
	l=$(python3 tests/fixtures/expect.py "$FIXTURES/multi" linux/amd64 layers | head -1)
	h=${l#sha256:}
	data=$WORK/registry-badlayer/data/docker/registry/v2/blobs/sha256/$(echo "$h" | cut -c1-2)/$h/data
	if [ -f "$data" ] && python3 - "$data" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
if b[:3] != b"\x1f\x8b\x08":
    sys.exit("not gzip: " + p)
b[4] ^= 1
open(p, "wb").write(bytes(b))
PY
	then echo "PASS setup/corrupt-layer" | record
	else echo "FAIL setup/corrupt-layer: $data missing or not gzip" | record; fi
	# The harness itself, seen from a standard client: the index is served
	# over both transports, and the HTTPS one refuses an unrelated CA.
	accept='Accept: application/vnd.oci.image.index.v1+json'
	idx_digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$FIXTURES/multi/index.json")
	for url in "http://$REG_HTTP" "https://$REG_HTTPS"; do
		got=$(curl -sS --cacert "$CA_DIR/ca.crt" -H "$accept" -o "$WORK/idx.json" \
			-D - "$url/v2/fixture/multi/manifests/latest" | tr -d '\r' |
			sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
		if [ "$got" = "$idx_digest" ] &&
		   [ "$(grep -o '"architecture":"[a-z0-9]*"' "$WORK/idx.json" | sort | tr '\n' ' ')" = \
		     '"architecture":"amd64" "architecture":"arm" "architecture":"arm64" ' ]; then
			echo "PASS setup/registry-serves-index-${url%%:*}" | record
		else
			echo "FAIL setup/registry-serves-index-${url%%:*}: digest '$got', want '$idx_digest'" | record
		fi
	done
	if curl -s --cacert "$CA_DIR/wrong-ca.crt" "https://$REG_HTTPS/v2/" >/dev/null 2>&1; then
		echo "FAIL setup/registry-wrong-ca-refused: curl accepted the unrelated CA" | record
	else
		echo "PASS setup/registry-wrong-ca-refused" | record
	fi
fi
t_setup=$(date +%s)

# ---- 4. integration, per board ----------------------------------------------
for BOARD in "$@"; do
	OCIPULL=$ROOT/build/$BOARD/ocipull
	RUNNER=$(MAKEFLAGS= make -s --no-print-directory BOARD="$BOARD" print-runner 2>/dev/null)
	export BOARD OCIPULL RUNNER
	if [ ! -x "$OCIPULL" ]; then
		echo "FAIL $BOARD/build: $OCIPULL missing (run make BOARD=$BOARD)" | record
		continue
	fi
	for t in tests/integration/*.sh; do
		# shellcheck disable=SC2254
		case $(basename "$t" .sh) in ${ONLY:-*}) ;; *) continue ;; esac
		ts=$(date +%s)
		sh "$t" 2>&1 | record
		echo "$(($(date +%s) - ts)) $BOARD/$(basename "$t" .sh)" >> "$WORK/times"
	done
done

# ---- summary ----------------------------------------------------------------
t1=$(date +%s)
passed=$(grep -c '^PASS ' "$RESULTS")
failed=$(grep -c '^FAIL ' "$RESULTS")
# Unit tests of the shared corpus print "skipped: NAME (corpus not
# present)" without ../shared (tests/unit/unit.h): counted apart.
skipped=$(grep -c '^skipped: ' "$RESULTS")
echo
if [ "$failed" -ne 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$RESULTS"
	echo
fi
[ -z "${ONLY:-}" ] || echo "only the integration scripts named ${ONLY}"
[ -f "$WORK/times" ] &&
	echo "slowest scripts (s): $(sort -rn "$WORK/times" | head -8 | tr '\n' ' ')"
echo "boards: $*; set-up $((t_setup - t0)) s, integration $((t1 - t_setup)) s"
if [ "$skipped" -ne 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
