#!/bin/sh
# tls.sh: ocipull's TLS client against TLS endpoints of tests/lib/tlsproxy.py
# (in front of the plain registry) and the real https registry:
#  - the version and cipher suite negotiated, from --stats, checked against
#    what the endpoint saw: TLS 1.3 on a TLS-1.3-only endpoint, TLS 1.2 on
#    one that speaks 1.2 at most, and what the registry itself negotiates;
#    ECDSA and RSA server certificates;
#  - registries addressed by 127.0.0.1 and [::1], verified against the
#    certificate's iPAddress names, without SNI (RFC 6066 allows only host
#    names there; a host name is sent);
#  - refused, exit 4 and why: an unrelated CA, a certificate for another IP,
#    one that spells the IP as a DNS name;
#  - the CA from SSL_CERT_FILE or SSL_CERT_DIR (after --ca-file, before the
#    system's bundle), and those variables set but unusable.
. "$(dirname "$0")/../lib/t.sh"

HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG
img=fixture/multi:latest
ca=$CA_DIR/ca.crt
if [ -z "$TP_DIR" ] || [ ! -f "$TP_DIR/out" ]; then
	fail tls-endpoints "the harness started no TLS proxy (TP_DIR '$TP_DIR')"
	exit 0
fi

tp_port() { sed -n "s/^listen $1 //p" "$TP_DIR/out"; }
P13=$(tp_port tls13) P12=$(tp_port tls12) POTHER=$(tp_port otherip)
PDNSIP=$(tp_port dnsip) PRSA12=$(tp_port rsa12) PRSA12C=$(tp_port rsa12c)
PRSA13=$(tp_port rsa13)

# The proxy's connection lines since the last run_tp.
run_tp() {
	MARK=0
	[ ! -f "$TP_DIR/conns" ] || MARK=$(wc -l < "$TP_DIR/conns")
	run "$@"
}
conns() { tail -n "+$((MARK + 1))" "$TP_DIR/conns" 2>/dev/null; }

# expect_conns NAME ERE: the run made connections, and each matches ERE.
expect_conns() {
	c=$(conns)
	if [ -n "$c" ] && ! printf '%s\n' "$c" | grep -Evq -- "$2"; then
		pass "$1"
	else
		fail "$1" "connections the endpoint saw during '$LAST' do not all match /$2/: $(printf '%s' "$c" | head -c 300)"
	fi
}

# expect_tls NAME VERSION: --stats names VERSION, and the cipher suite it
# names (mbedTLS's spelling) is the one the endpoint saw (OpenSSL's).
expect_tls() {
	expect_err "$1-version" "^stats: TLS handshakes [0-9]+, the last $2 "
	ours=$(sed -n 's/^stats: TLS handshakes [0-9]*, the last [^ ]* \([^ ]*\).*/\1/p' "$ERR_F")
	theirs=$(conns | sed -n 's/.* ok .* cipher=\([^ ]*\) .*/\1/p' | tail -1)
	if python3 - "$ours" "$theirs" <<'PY'
import re
import sys


def norm(s):
    s = re.sub(r"[^A-Z0-9]", "", s.upper())
    s = re.sub(r"^TLS(13)?", "", s).replace("WITH", "")
    return re.sub(r"(CHACHA20POLY1305)SHA256$", r"\1", s)


sys.exit(0 if sys.argv[1] and norm(sys.argv[1]) == norm(sys.argv[2]) else 1)
PY
	then pass "$1-suite"
	else fail "$1-suite" "ocipull reports '$ours', the endpoint saw '$theirs'"; fi
}

# ---- versions ------------------------------------------------------------------
# A TLS-1.3-only endpoint, by name: TLS 1.3, and the name went out as SNI.
run_tp inspect --stats --ca-file "$ca" "localhost:$P13/$img"
expect_rc tls13-exit 0
expect_tls tls13 'TLSv1\.3'
expect_conns tls13-endpoint-saw '^tls13 ok version=TLSv1\.3 .* sni=localhost$'

# An endpoint that speaks TLS 1.2 at most: ECDHE with an ECDSA certificate.
run_tp inspect --stats --ca-file "$ca" "localhost:$P12/$img"
expect_rc tls12-exit 0
expect_tls tls12 'TLSv1\.2'
expect_err tls12-ecdhe-ecdsa '^stats: TLS .* TLS-ECDHE-ECDSA-WITH-'
expect_conns tls12-endpoint-saw '^tls12 ok version=TLSv1\.2 cipher=ECDHE-ECDSA-'

# An RSA certificate: RSA-PSS signatures on TLS 1.3, ECDHE-RSA on 1.2 with
# PKCS#1 v1.5 signatures (offered first). A TLS 1.2 server that picks
# RSA-PSS by its own order (which mbedTLS 3.6.6 offers but refuses in TLS
# 1.2) is asked again without it.
run_tp inspect --stats --ca-file "$ca" "localhost:$PRSA12C/$img"
expect_rc rsa-tls12-exit 0
expect_tls rsa-tls12 'TLSv1\.2'
expect_err rsa-tls12-ecdhe-rsa '^stats: TLS handshakes 1, the last TLSv1\.2 TLS-ECDHE-RSA-WITH-[A-Z0-9-]+$'
expect_conns rsa-tls12-once '^rsa12c ok version=TLSv1\.2 cipher=ECDHE-RSA-'
run_tp inspect --stats --ca-file "$ca" "localhost:$PRSA12/$img"
expect_rc rsa-tls12-server-order-exit 0
expect_tls rsa-tls12-server-order 'TLSv1\.2'
expect_err rsa-tls12-server-order-asked-again '^stats: TLS handshakes 1, the last TLSv1\.2 TLS-ECDHE-RSA-WITH-.* \(asked again without RSA-PSS\)$'
run_tp inspect --stats --ca-file "$ca" "127.0.0.1:$PRSA13/$img"
expect_rc rsa-tls13-ip-exit 0
expect_tls rsa-tls13-ip 'TLSv1\.3'

# The registry itself (docker-registry 2.8, Go's crypto/tls; its
# configuration has a minimum TLS version but no maximum) and ocipull agree
# on TLS 1.3: TLS 1.2 is shown on the endpoints above.
run inspect --stats --ca-file "$ca" "$REG_HTTPS/$img"
expect_rc registry-exit 0
expect_err registry-negotiates-tls13 '^stats: TLS handshakes [0-9]+, the last TLSv1\.3 TLS1-3-'

# ---- IP addresses ---------------------------------------------------------------
# By IPv4 address: the iPAddress name matches, and no SNI is sent.
run_tp inspect --stats --ca-file "$ca" "127.0.0.1:$P13/$img"
expect_rc ipv4-exit 0
expect_conns ipv4-no-sni '^tls13 ok version=TLSv1\.3 .* sni=-$'
run inspect --ca-file "$ca" "127.0.0.1:${REG_HTTPS##*:}/$img"
expect_rc ipv4-registry-exit 0
if [ -n "$REG_HTTPS6" ]; then
	# By IPv6 address, bracketed in the reference.
	run inspect --stats --ca-file "$ca" "$REG_HTTPS6/$img"
	expect_rc ipv6-registry-exit 0
	expect_out ipv6-registry-manifest '^manifest   sha256:[0-9a-f]{64} '
	run_tp inspect --stats --ca-file "$ca" "[::1]:$(tp_port tls13v6)/$img"
	expect_rc ipv6-exit 0
	expect_conns ipv6-no-sni '^tls13v6 ok version=TLSv1\.3 .* sni=-$'
	run_tp inspect --ca-file "$ca" "[::1]:$(tp_port otherip6)/$img"
	expect_rc ipv6-other-ip-exit 4
	expect_err ipv6-other-ip-says "certificate of ::1:[0-9]+ not accepted: it has no iPAddress name ::1\$"
else
	echo "skipped: $BOARD/tls-ipv6 (no IPv6 on the loopback: the harness started nothing on ::1)"
fi

# ---- refused -------------------------------------------------------------------------
run inspect --ca-file "$CA_DIR/wrong-ca.crt" "127.0.0.1:${REG_HTTPS##*:}/$img"
expect_rc wrong-ca-exit 4
expect_err wrong-ca-says 'not accepted: .*not correctly signed by the trusted CA'
# A certificate for 127.0.0.2 and ::2 (and localhost: by that name it is fine).
run inspect --ca-file "$ca" "127.0.0.1:$POTHER/$img"
expect_rc other-ip-exit 4
expect_err other-ip-says "certificate of 127\.0\.0\.1:$POTHER not accepted: it has no iPAddress name 127\.0\.0\.1\$"
run inspect --ca-file "$ca" "localhost:$POTHER/$img"
expect_rc other-ip-by-name-exit 0
# "DNS:127.0.0.1" is a name, not an address (mbedTLS alone would take it).
run inspect --ca-file "$ca" "127.0.0.1:$PDNSIP/$img"
expect_rc ip-as-dns-name-exit 4
expect_err ip-as-dns-name-says 'it has no iPAddress name 127\.0\.0\.1$'
run inspect --ca-file "$ca" "localhost:$PDNSIP/$img"
expect_rc wrong-name-exit 4
expect_err wrong-name-says 'not accepted: it is not for localhost$'

# ---- where the CA certificates come from ------------------------------------------------
stats_ca() { expect_err "$1" "^stats: CA certificates $2 from $3\$"; }
export SSL_CERT_FILE="$ca"
run inspect --stats "$REG_HTTPS/$img"
expect_rc ssl-cert-file-exit 0
stats_ca ssl-cert-file-used 1 "SSL_CERT_FILE $ca"
SSL_CERT_FILE=$CA_DIR/wrong-ca.crt
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-file-wrong-ca-exit 4
expect_err ssl-cert-file-wrong-ca-says 'not correctly signed by the trusted CA'
run inspect --stats --ca-file "$ca" "$REG_HTTPS/$img"
expect_rc ca-file-before-ssl-cert-file-exit 0
stats_ca ca-file-before-ssl-cert-file 1 "--ca-file $ca"
unusable='is set but unusable \(the system.s CA bundle is not used instead; unset it to use that\)'
SSL_CERT_FILE=$T_DIR/missing.crt
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-file-missing-exit 4
expect_err ssl-cert-file-missing-says "SSL_CERT_FILE $unusable: open $T_DIR/missing.crt: No such file"
SSL_CERT_FILE=
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-file-empty-value-exit 4
expect_err ssl-cert-file-empty-value-says "SSL_CERT_FILE $unusable: the value is empty"
: > "$T_DIR/empty.crt"
SSL_CERT_FILE=$T_DIR/empty.crt
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-file-empty-file-exit 4
expect_err ssl-cert-file-empty-file-says "SSL_CERT_FILE $unusable: no usable PEM certificate in $T_DIR/empty.crt"
SSL_CERT_FILE=$CA_DIR
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-file-directory-exit 4
expect_err ssl-cert-file-directory-says "SSL_CERT_FILE $unusable: $CA_DIR: read"
unset SSL_CERT_FILE

# A certificate directory as c_rehash leaves it, with what else such
# directories hold: the CA as a file and under its hash (a link in the
# directory: not read twice), an unrelated CA and the first CA again through
# links to files elsewhere (the copy dropped), a dangling link, a file
# without a certificate, a subdirectory (not read). Two CAs in all.
cd=$T_DIR/certdir
rm -rf "$cd" "$T_DIR/wrongdir" "$T_DIR/emptydir"
mkdir -p "$cd/sub" "$T_DIR/wrongdir" "$T_DIR/emptydir"
cp "$ca" "$cd/ca.pem"
ln -s ca.pem "$cd/$(openssl x509 -hash -noout -in "$ca").0"
ln -s "$CA_DIR/wrong-ca.crt" "$cd/unrelated.pem"
ln -s "$ca" "$cd/again.pem"
ln -s "$T_DIR/nothere.pem" "$cd/dangling.pem"
echo "not a certificate" > "$cd/README"
cp "$ca" "$cd/sub/below.pem"
cp "$CA_DIR/wrong-ca.crt" "$T_DIR/wrongdir/wrong.pem"
export SSL_CERT_DIR="$cd"
run inspect --stats "$REG_HTTPS/$img"
expect_rc ssl-cert-dir-exit 0
stats_ca ssl-cert-dir-used 2 "SSL_CERT_DIR $cd"
SSL_CERT_DIR=$T_DIR/wrongdir:$cd
run inspect --stats "$REG_HTTPS/$img"
expect_rc ssl-cert-dir-list-exit 0
stats_ca ssl-cert-dir-list-used 2 "SSL_CERT_DIR $T_DIR/wrongdir:$cd"
SSL_CERT_DIR=$T_DIR/wrongdir
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-dir-wrong-ca-exit 4
expect_err ssl-cert-dir-wrong-ca-says 'not correctly signed by the trusted CA'
export SSL_CERT_FILE="$ca"
SSL_CERT_DIR=$T_DIR/missing
run inspect --stats "$REG_HTTPS/$img"
expect_rc ssl-cert-file-before-dir-exit 0
stats_ca ssl-cert-file-before-dir 1 "SSL_CERT_FILE $ca"
unset SSL_CERT_FILE
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-dir-missing-exit 4
expect_err ssl-cert-dir-missing-says "SSL_CERT_DIR $unusable: open $T_DIR/missing: No such file"
SSL_CERT_DIR=$T_DIR/emptydir
run inspect "$REG_HTTPS/$img"
expect_rc ssl-cert-dir-empty-exit 4
expect_err ssl-cert-dir-empty-says "SSL_CERT_DIR $unusable: no usable PEM certificate in $T_DIR/emptydir\$"
# The system's directory (Debian: a link per CA into
# /usr/share/ca-certificates, hash links, and the bundle made from them)
# and ours: every CA once, as many as the bundle alone gives, and two.
sys_bundle=/etc/ssl/certs/ca-certificates.crt
if [ -f "$sys_bundle" ]; then
	ca_count() { sed -n 's/^stats: CA certificates \([0-9]*\) from .*/\1/p' "$ERR_F"; }
	run inspect --stats --ca-file "$sys_bundle" "$REG_HTTPS/$img"
	expect_rc system-bundle-not-our-ca-exit 4
	bundle=$(ca_count)
	SSL_CERT_DIR=/etc/ssl/certs:$cd
	run inspect --stats "$REG_HTTPS/$img"
	expect_rc ssl-cert-dir-system-exit 0
	n=$(ca_count)
	if [ -n "$n" ] && [ -n "$bundle" ] && [ "$n" -eq $((bundle + 2)) ]; then
		pass ssl-cert-dir-system-each-once
	else
		fail ssl-cert-dir-system-each-once "loaded '$n' CA certificates, expected the bundle's '$bundle' and our 2"
	fi
	# mbedTLS parses every root of the bundle.
	if [ -n "$bundle" ] && [ "$bundle" -eq "$(grep -c 'BEGIN CERTIFICATE' "$sys_bundle")" ]; then
		pass system-bundle-all-parsed
	else
		fail system-bundle-all-parsed "$bundle of the $(grep -c 'BEGIN CERTIFICATE' "$sys_bundle") certificates in $sys_bundle loaded"
	fi
	echo "tls: $BOARD: SSL_CERT_DIR=/etc/ssl/certs:...: $(grep -E '^stats: (CA|TLS and libc)' "$ERR_F" | tr '\n' ' ')" >&2
else
	echo "skipped: $BOARD/ssl-cert-dir-system (no $sys_bundle)"
fi
unset SSL_CERT_DIR

# A bundle that holds a CA twice keeps it once.
cat "$ca" "$CA_DIR/wrong-ca.crt" "$ca" > "$T_DIR/twice.crt"
run inspect --stats --ca-file "$T_DIR/twice.crt" "$REG_HTTPS/$img"
expect_rc bundle-duplicate-exit 0
stats_ca bundle-duplicate-once 2 "--ca-file $T_DIR/twice.crt"
