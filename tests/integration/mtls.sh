#!/bin/sh
# mtls.sh: mutual TLS, --cert and --key. Against docker-registry configured
# with http.tls.clientcas (Go's TLS, 1.3 with ocipull) serving the https
# registry's storage, and against OpenSSL (tests/lib/tlsfront.py) in front
# of the plain registry with TLS 1.2 only and 1.3 only:
#
#   - with a certificate of the run's CA (EC, and RSA) the inspect or pull
#     works;
#   - without one the registry refuses, and ocipull says it asked for a
#     client certificate (exit 4, not a network error retried for minutes),
#     in TLS 1.2 during the handshake and in TLS 1.3 after it (the alert
#     comes at the first read, or the request's write finds the connection
#     reset);
#   - a certificate of another CA is refused, and ocipull says so;
#   - an encrypted key, a key that is not the certificate's, one of the two
#     options alone: refused with a clear message before any connection.
#
# The servers and certificates are made by the first board's run and kept
# for the others (reg_stop_all stops them with the rest).
. "$(dirname "$0")/../lib/t.sh"
. "$ROOT/tests/lib/registry.sh"

HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG SSL_CERT_FILE SSL_CERT_DIR
M=$WORK/mtls
CA=$CA_DIR/ca.crt

mtls_setup() {
	mkdir -p "$M" || return 1
	reg_make_client_cert "$M" client-ec "$CA" "$CA_DIR/ca.key" || return 1
	reg_make_client_cert "$M" client-rsa "$CA" "$CA_DIR/ca.key" rsa || return 1
	reg_make_client_cert "$M" intruder "$CA_DIR/wrong-ca.crt" "$CA_DIR/wrong-ca.key" ||
		return 1
	openssl pkey -in "$M/client-ec.key" -aes256 -passout pass:secret \
		-out "$M/enc-pkcs8.key" 2>/dev/null || return 1
	openssl ec -in "$M/client-ec.key" -aes256 -passout pass:secret \
		-out "$M/enc-legacy.key" 2>/dev/null || return 1
	cat "$M/client-ec.key" "$M/client-ec.crt" > "$M/both.pem" || return 1
	set -- $(reg_free_ports 1)
	reg_start mtls "$1" tls "$CA_DIR" clientcas "$CA" "$M/client-ec.crt" \
		"$M/client-ec.key" storage "$WORK/registry-tls/data" || return 1
	echo "P_GO=$1" > "$M/env.new"
	for v in 1.2 1.3; do
		tf_start "$REG_HTTP" "$v" "$CA_DIR/server.crt" "$CA_DIR/server.key" "$CA" ||
			return 1
		vn=$(echo "$v" | tr -d .)
		echo "P_$vn=$TF_PORT D_$vn=$TF_DIR" >> "$M/env.new"
	done
	mv "$M/env.new" "$M/env"
}
setup_once "$M" mtls_setup mtls-setup "certificates or servers" || exit 0

EC="--cert $M/client-ec.crt --key $M/client-ec.key"
RSA="--cert $M/client-rsa.crt --key $M/client-rsa.key"
INTRUDER="--cert $M/intruder.crt --key $M/intruder.key"
ASKED='the registry asked for a client certificate and refused the connection without one \(alert [0-9]+.*\): give one with --cert and --key'
REFUSED='the registry refused the client certificate of --cert \(alert [0-9]+'

# One server: NAME PORT [TLSFRONT_LOG VERSION] (the log shows the version
# each connection spoke).
mtls_checks() {
	n=$1 ref=localhost:$2/fixture/multi:latest log=${3:-} v=${4:-}
	# shellcheck disable=SC2086 # EC, RSA, INTRUDER are words
	run inspect --ca-file "$CA" $EC "$ref"
	expect_rc "mtls-$n-with-cert-exit" 0
	expect_out "mtls-$n-with-cert-digest" '^digest +sha256:[0-9a-f]{64}$'
	if [ -n "$log" ]; then
		if tail -n 1 "$log" | grep -q "^TLSv$v client .*ocipull test client client-ec"; then
			pass "mtls-$n-spoke-tls$v"
		else
			fail "mtls-$n-spoke-tls$v" "the front logged: $(tail -n 1 "$log")"
		fi
	fi
	# shellcheck disable=SC2086
	run inspect --ca-file "$CA" $RSA "$ref"
	expect_rc "mtls-$n-rsa-key-exit" 0
	run inspect --ca-file "$CA" "$ref"
	expect_rc "mtls-$n-no-cert-exit" 4
	expect_err "mtls-$n-no-cert-says-why" "$ASKED"
	# shellcheck disable=SC2086
	run inspect --ca-file "$CA" $INTRUDER "$ref"
	expect_rc "mtls-$n-other-ca-exit" 4
	expect_err "mtls-$n-other-ca-says-why" "$REFUSED"
}

mtls_checks go "$P_GO"
# shellcheck disable=SC2154 # set by $M/env
mtls_checks openssl-tls12 "$P_12" "$D_12/log" 1.2
# shellcheck disable=SC2154
mtls_checks openssl-tls13 "$P_13" "$D_13/log" 1.3

# A pull through the Go registry with the certificate.
D=$T_DIR/dest
rm -rf "$D"
# shellcheck disable=SC2086
run pull --ca-file "$CA" $EC "localhost:$P_GO/fixture/multi:latest" "$D"
expect_rc mtls-go-pull-exit 0
if [ -d "$D" ] && [ -n "$(ls -A "$D")" ]; then pass mtls-go-pull-unpacked
else fail mtls-go-pull-unpacked "$D is missing or empty"; fi

# Key and certificate in one file (the key first).
ref=localhost:$P_GO/fixture/multi:latest
run inspect --ca-file "$CA" --cert "$M/both.pem" --key "$M/both.pem" "$ref"
expect_rc mtls-one-file-exit 0

# Keys and options refused before any connection.
for k in enc-pkcs8 enc-legacy; do
	run inspect --ca-file "$CA" --cert "$M/client-ec.crt" --key "$M/$k.key" "$ref"
	expect_rc "mtls-key-$k-exit" 4
	expect_err "mtls-key-$k-says-encrypted" "--key $M/$k.key: the key is encrypted"
done
run inspect --ca-file "$CA" --cert "$M/client-ec.crt" --key "$M/client-rsa.key" "$ref"
expect_rc mtls-key-mismatch-exit 4
expect_err mtls-key-mismatch-says-why "--key $M/client-rsa.key is not the key of the certificate"
run inspect --ca-file "$CA" --cert "$M/client-ec.key" --key "$M/client-ec.key" "$ref"
expect_rc mtls-cert-not-a-cert-exit 4
expect_err mtls-cert-not-a-cert-says-why "--cert $M/client-ec.key: not PEM certificates"
run inspect --ca-file "$CA" --cert "$M/client-ec.crt" "$ref"
expect_rc mtls-cert-alone-exit 2
expect_err mtls-cert-alone-says-why '--cert needs --key'
run inspect --ca-file "$CA" --key "$M/client-ec.key" "$ref"
expect_rc mtls-key-alone-exit 2
expect_err mtls-key-alone-says-why '--key needs --cert'
run inspect --plain-http --cert "$M/client-ec.crt" --key "$M/client-ec.key" "$REG_HTTP/fixture/multi:latest"
expect_rc mtls-plain-http-exit 2
expect_err mtls-plain-http-says-why '--cert and --key need https'
run pull --help
expect_out mtls-help-cert '^  --cert FILE '
expect_out mtls-help-key '^  --key FILE '
