/*
 * conn.c: TCP and TLS connections. mbedTLS reads and writes the socket
 * through callbacks into the port, so timeouts and error translation stay
 * in one place.
 */
#include "conn.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/version.h>
#include <psa/crypto.h>

#if MBEDTLS_VERSION_NUMBER < 0x03060000
#error "ocipull needs mbedTLS 3.6 or later (IP-address names, TLS 1.3)"
#endif

#include "ca.h"
#include "config.h"
#include "err.h"
#include "port.h"

/* ---- TLS set-up ------------------------------------------------------------ */

/*
 * The suites offered, in order of preference: AEAD only, forward secret
 * only. AES-GCM first where the CPU has AES instructions; a board without
 * them sets BOARD_TLS_CHACHA_FIRST, and a server that honours the client's
 * order (Go's, nginx's with ssl_prefer_server_ciphers off) then picks
 * ChaCha20-Poly1305, about three times faster in software. Suites the
 * mbedTLS configuration leaves out are skipped by mbedTLS.
 */
#define AES_SUITES \
	MBEDTLS_TLS1_3_AES_128_GCM_SHA256, MBEDTLS_TLS1_3_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
#define CHACHA_SUITES \
	MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
static const int suites[] = {
#ifdef BOARD_TLS_CHACHA_FIRST
	CHACHA_SUITES, AES_SUITES,
#else
	AES_SUITES, CHACHA_SUITES,
#endif
	0
};

static int
entropy_cb(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	return port_entropy(buf, len) == ERR_OK ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/*
 * Signature algorithms offered, RSA PKCS#1 v1.5 before RSA-PSS: a TLS 1.2
 * server that follows the client's order (Go's, for one) then signs with
 * PKCS#1 v1.5, and TLS 1.3 servers with an RSA key, which must use PSS,
 * find it further down. mbedTLS 3.6.6 offers PSS but refuses it in a TLS 1.2
 * handshake (fixed upstream after 3.6.6: Mbed-TLS/mbedtls#10672); a server
 * that picks by its own order (OpenSSL's with server preference, such as
 * nginx's ssl_prefer_server_ciphers) is asked again without PSS.
 */
static const uint16_t sig_algs[] = {
	MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
	MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
	MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
	MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
	MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
	MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,
	MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
	MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,
	MBEDTLS_TLS1_3_SIG_NONE
};
static const uint16_t sig_algs_no_pss[] = {
	MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
	MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
	MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
	MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
	MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
	MBEDTLS_TLS1_3_SIG_NONE
};

int
conn_tls_setup(struct conn_tls *t, const char *ca_file, int insecure)
{
	static const char pers[] = "ocipull";
	int rc;

	memset(t, 0, sizeof *t);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_x509_crt_init(&t->own);
	mbedtls_pk_init(&t->key);
	mbedtls_ctr_drbg_init(&t->drbg);
	clockfloor_init(&t->clock, clockfloor_build_s);
	t->insecure = insecure;
	t->ready = 1;
	/* TLS 1.3 derives its keys through PSA, which must be up first. */
	if (psa_crypto_init() != PSA_SUCCESS)
		return err_set(ERR_TLS, "cannot start the PSA crypto service");
	if (mbedtls_ctr_drbg_seed(&t->drbg, entropy_cb, NULL,
	    (const unsigned char *)pers, sizeof pers - 1) != 0)
		return err_set(ERR_TLS, "cannot seed the random generator");
	if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT) != 0)
		return err_set(ERR_TLS, "cannot set TLS defaults");
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_ciphersuites(&t->conf, suites);
	mbedtls_ssl_conf_sig_algs(&t->conf, sig_algs);
	if (insecure) {
		mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_NONE);
		return ERR_OK;
	}
	rc = ca_load(&t->ca, ca_file, &t->ca_src);
	if (rc < 0)
		return rc;
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_verify(&t->conf, clockfloor_verify, &t->clock);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	return ERR_OK;
}

/* Read a --cert or --key file whole into buf (NUL-terminated). Returns
 * its length or an error naming the option and the file. */
static long
read_pem(const char *opt, const char *path, char *buf, size_t cap)
{
	long n = port_fs_read_file(PORT_CWD, path, buf, cap - 1);

	if (n < 0)
		return err_prefix(n == ERR_NOMEM ? ERR_NOMEM : ERR_TLS, "%s", opt);
	buf[n] = '\0';
	return n;
}

/* Parse the private key in buf (from path); ERR_OK or ERR_TLS. */
static int
parse_key(struct conn_tls *t, const char *path, const char *buf, size_t len)
{
	char why[100];
	int rc;

	/* PKCS#8 "ENCRYPTED PRIVATE KEY" or the old "Proc-Type: 4,ENCRYPTED":
	 * said before mbedTLS, whose answer depends on its configuration. */
	if (strstr(buf, "ENCRYPTED") != NULL)
		return err_set(ERR_TLS, "--key %s: the key is encrypted; ocipull "
		    "needs it unencrypted (openssl pkey -in %s -out NEWFILE), in a "
		    "file only ocipull's user can read", path, path);
	rc = mbedtls_pk_parse_key(&t->key, (const unsigned char *)buf, len + 1,
	    NULL, 0, mbedtls_ctr_drbg_random, &t->drbg);
	if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED)
		return err_set(ERR_TLS, "--key %s: the key is encrypted; ocipull "
		    "needs it unencrypted", path);
	if (rc == MBEDTLS_ERR_PK_ALLOC_FAILED)
		return err_set(ERR_NOMEM, "--key %s: the malloc arena is full "
		    "(raise BOARD_HEAP_SIZE, now %u bytes)", path, BOARD_HEAP_SIZE);
	if (rc != 0) {
		mbedtls_strerror(rc, why, sizeof why);
		return err_set(ERR_TLS, "--key %s: not an RSA or EC private key in "
		    "PEM that ocipull can use (%s)", path, why);
	}
	if (!mbedtls_pk_can_do(&t->key, MBEDTLS_PK_RSA) &&
	    !mbedtls_pk_can_do(&t->key, MBEDTLS_PK_ECKEY))
		return err_set(ERR_TLS, "--key %s: a %s key; ocipull signs with RSA "
		    "or EC keys only", path, mbedtls_pk_get_name(&t->key));
	return ERR_OK;
}

int
conn_tls_client_cert(struct conn_tls *t, const char *cert_file,
    const char *key_file)
{
	char buf[BOARD_CLIENT_PEM_MAX], why[100];
	long n;
	int rc;

	n = read_pem("--cert", cert_file, buf, sizeof buf);
	if (n < 0)
		return (int)n;
	rc = mbedtls_x509_crt_parse(&t->own, (const unsigned char *)buf,
	    (size_t)n + 1);
	if (rc == MBEDTLS_ERR_X509_ALLOC_FAILED)
		return err_set(ERR_NOMEM, "--cert %s: the malloc arena is full "
		    "(raise BOARD_HEAP_SIZE, now %u bytes)", cert_file, BOARD_HEAP_SIZE);
	if (rc != 0) {
		if (rc > 0)
			rc = MBEDTLS_ERR_X509_INVALID_FORMAT;
		mbedtls_strerror(rc, why, sizeof why);
		return err_set(ERR_TLS, "--cert %s: not PEM certificates that ocipull "
		    "can use (%s)", cert_file, why);
	}
	n = read_pem("--key", key_file, buf, sizeof buf);
	if (n < 0)
		return (int)n;
	rc = parse_key(t, key_file, buf, (size_t)n);
	mbedtls_platform_zeroize(buf, (size_t)n + 1);    /* what was read */
	if (rc < 0)
		return rc;
	if (mbedtls_pk_check_pair(&t->own.pk, &t->key, mbedtls_ctr_drbg_random,
	    &t->drbg) != 0)
		return err_set(ERR_TLS, "--key %s is not the key of the certificate "
		    "in --cert %s (the first one in the file)", key_file, cert_file);
	if (mbedtls_ssl_conf_own_cert(&t->conf, &t->own, &t->key) != 0)
		return err_set(ERR_NOMEM, "--cert %s: the malloc arena is full "
		    "(raise BOARD_HEAP_SIZE, now %u bytes)", cert_file, BOARD_HEAP_SIZE);
	t->client_cert = 1;
	return ERR_OK;
}

void
conn_tls_free(struct conn_tls *t)
{
	if (!t->ready)
		return;
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_x509_crt_free(&t->own);
	mbedtls_pk_free(&t->key);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_psa_crypto_free();
	t->ready = 0;
}

/* ---- connections ------------------------------------------------------------- */

/* A port result for mbedTLS: the byte count, or tls_err after keeping the
 * port's own error for tls_error. */
static int
bio_result(struct conn *c, long n, int tls_err)
{
	if (n < 0) {
		c->io_err = (int)n;
		return tls_err;
	}
	return (int)n;
}

/*
 * A server that refuses a client certificate (or its absence) sends an
 * alert and hangs up, often while our flight (TLS 1.2) or our
 * CertificateVerify, Finished or first request (TLS 1.3, slow signing) is
 * still going out. So once the server asked for a client certificate, a
 * write that finds the connection reset is taken as sent: mbedTLS then
 * reads on and reports the alert waiting on the socket, and reads after
 * it fail on the reset connection all the same.
 */
static int
bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	int quiet = err_msg()[0] == '\0';
	long n = port_net_write(c->sock, buf, len, c->timeout_ms);

	if (n == ERR_NET && c->cert_requested) {
		if (quiet)
			err_clear();    /* the reset write's message, not an earlier one */
		return len > 0x7fffffffu ? 0x7fffffff : (int)len;
	}
	return bio_result(c, n, MBEDTLS_ERR_NET_SEND_FAILED);
}

static int
bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;

	return bio_result(c, port_net_read(c->sock, buf, len, c->timeout_ms),
	    MBEDTLS_ERR_NET_RECV_FAILED);
}

/*
 * Byte at of the message mbedTLS read last when it is of record type
 * type (a handshake message's type at 0, an alert's description at 1),
 * else -1. mbedTLS has no getter for what the peer sent: this is the one
 * place that reads its context's fields that are private by name.
 */
static int
last_message(const mbedtls_ssl_context *ssl, int type, size_t at)
{
	const unsigned char *m = ssl->MBEDTLS_PRIVATE(in_msg);

	if (ssl->MBEDTLS_PRIVATE(in_msgtype) != type || m == NULL ||
	    ssl->MBEDTLS_PRIVATE(in_msglen) <= at)
		return -1;
	return m[at];
}

/* mbedtls_ssl_handshake, one step at a time, noting whether the server
 * asked for a client certificate (TLS 1.2 and 1.3 alike). */
static int
handshake_steps(struct conn *c)
{
	int rc = 0;

	while (rc == 0 && !mbedtls_ssl_is_handshake_over(&c->ssl)) {
		rc = mbedtls_ssl_handshake_step(&c->ssl);
		if (last_message(&c->ssl, MBEDTLS_SSL_MSG_HANDSHAKE, 0) ==
		    MBEDTLS_SSL_HS_CERTIFICATE_REQUEST)
			c->cert_requested = 1;
	}
	return rc;
}

/* The alerts a server sends about a client certificate, by name. */
static const char *
alert_name(int alert)
{
	switch (alert) {
	case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE: return "handshake failure";
	case MBEDTLS_SSL_ALERT_MSG_BAD_CERT: return "bad certificate";
	case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT: return "unsupported certificate";
	case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED: return "certificate revoked";
	case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED: return "certificate expired";
	case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN: return "certificate unknown";
	case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA: return "unknown CA";
	case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED: return "access denied";
	case MBEDTLS_SSL_ALERT_MSG_CERT_REQUIRED: return "certificate required";
	default: return "";
	}
}

/* A fatal alert after the server asked for a client certificate: in TLS
 * 1.2 during the handshake, in TLS 1.3 at the first read after it. */
static int
client_cert_error(struct conn *c, int alert)
{
	const char *name = alert_name(alert);

	if (!c->client_cert)
		return err_set(ERR_TLS, "TLS with %s:%u: the registry asked for a "
		    "client certificate and refused the connection without one "
		    "(alert %d%s%s): give one with --cert and --key", c->host,
		    (unsigned)c->port, alert, name[0] ? ", " : "", name);
	return err_set(ERR_TLS, "TLS with %s:%u: the registry refused the client "
	    "certificate of --cert (alert %d%s%s): it must be issued by a CA the "
	    "registry trusts for clients, and valid", c->host, (unsigned)c->port,
	    alert, name[0] ? ", " : "", name);
}

/* Turn an mbedTLS error into ours, preferring the socket's own error. */
static int
tls_error(struct conn *c, int rc, const char *during)
{
	char buf[160];

	if (c->io_err < 0)
		return err_prefix(c->io_err, "%s %s:%u", during, c->host,
		    (unsigned)c->port);
	if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && c->cert_requested)
		return client_cert_error(c, last_message(&c->ssl, MBEDTLS_SSL_MSG_ALERT, 1));
	if (rc == MBEDTLS_ERR_SSL_ALLOC_FAILED)
		return err_set(ERR_NOMEM, "%s %s:%u: the malloc arena is full "
		    "(raise BOARD_HEAP_SIZE, now %u bytes)", during, c->host,
		    (unsigned)c->port, BOARD_HEAP_SIZE);
	mbedtls_strerror(rc, buf, sizeof buf);
	return err_set(ERR_TLS, "%s %s:%u: %s", during, c->host,
	    (unsigned)c->port, buf);
}

void
conn_init(struct conn *c)
{
	c->sock = -1;
	c->tls = 0;
	c->io_err = 0;
	c->cert_requested = 0;
	c->client_cert = 0;
}

/*
 * Ask the proxy on c->sock for a tunnel to host:port and read its answer
 * byte by byte (so nothing of the tunnel's first bytes is taken).
 */
static int
proxy_connect(struct conn *c, const char *host, uint16_t port,
    const char *proxy_host)
{
	char req[600], line[256];
	const char *lb = strchr(host, ':') ? "[" : "", *rb = strchr(host, ':') ? "]" : "";
	size_t have = 0, ll = 0;
	int n, status = 0;
	long rc;

	n = snprintf(req, sizeof req, "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n"
	    "User-Agent: ocipull\r\n\r\n", lb, host, rb, (unsigned)port, lb, host,
	    rb, (unsigned)port);
	if (n < 0 || (size_t)n >= sizeof req)
		return err_set(ERR_USAGE, "host name too long for a proxy request");
	rc = port_net_write(c->sock, req, (size_t)n, c->timeout_ms);
	if (rc < 0)
		return err_prefix((int)rc, "proxy %s", proxy_host);
	/* The answer's headers end with an empty line. */
	for (;;) {
		char ch;

		rc = port_net_read(c->sock, &ch, 1, c->timeout_ms);
		if (rc < 0)
			return err_prefix((int)rc, "proxy %s", proxy_host);
		if (rc == 0)
			return err_set(ERR_NET, "proxy %s closed the connection before "
			    "answering CONNECT", proxy_host);
		if (++have > 16384)
			return err_set(ERR_PROTO, "proxy %s: answer to CONNECT too long",
			    proxy_host);
		if (ch == '\n') {
			while (ll > 0 && line[ll - 1] == '\r')
				ll--;
			line[ll] = '\0';
			if (status == 0) {
				if (strncmp(line, "HTTP/1.", 7) != 0 || ll < 12)
					return err_set(ERR_PROTO, "proxy %s: bad answer to "
					    "CONNECT: %.80s", proxy_host, line);
				status = (line[9] - '0') * 100 + (line[10] - '0') * 10 +
				    (line[11] - '0');
				if (status < 200 || status > 299)
					return err_set(ERR_NET, "proxy %s refused to connect to "
					    "%s:%u: %.100s", proxy_host, host, (unsigned)port,
					    line);
			} else if (ll == 0) {
				return ERR_OK;
			}
			ll = 0;
		} else if (ll < sizeof line - 1) {
			line[ll++] = ch;
		}
	}
}

int
conn_open(struct conn *c, struct conn_tls *tls, const char *host,
    uint16_t port, uint32_t connect_timeout_ms, uint32_t timeout_ms)
{
	return conn_open_proxied(c, tls, host, port, NULL, 0, connect_timeout_ms,
	    timeout_ms);
}

/*
 * The name the server's certificate must carry. mbedTLS sends the name it
 * checks as SNI, an IP literal too, which RFC 6066 (section 3) forbids:
 * for an IP literal mbedTLS gets no name (no SNI, no name check of its own)
 * and check_ip looks for the address after the handshake. Returns 0 or an
 * mbedTLS error.
 */
static int
set_peer_name(struct conn *c)
{
	c->ip_len = mbedtls_x509_crt_parse_cn_inet_pton(c->host, c->ip);
	return mbedtls_ssl_set_hostname(&c->ssl, c->ip_len == 0 ? c->host : NULL);
}

/*
 * The certificate of a server reached by IP address must name that address
 * in an iPAddress subjectAltName: only there, as curl and OpenSSL decide
 * (mbedTLS alone would also take a DNS name or CN spelling it). Checked
 * when the handshake is over and before any byte of the request is sent.
 */
static int
check_ip(struct conn *c)
{
	const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(&c->ssl);
	const mbedtls_x509_sequence *san;

	for (san = crt != NULL ? &crt->subject_alt_names : NULL; san != NULL;
	    san = san->next) {
		if ((san->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK) ==
		    MBEDTLS_X509_SAN_IP_ADDRESS && san->buf.len == c->ip_len &&
		    memcmp(san->buf.p, c->ip, c->ip_len) == 0)
			return ERR_OK;
	}
	return err_set(ERR_TLS, "TLS certificate of %s:%u not accepted: it has no "
	    "iPAddress name %s", c->host, (unsigned)c->port, c->host);
}

/* The certificate was refused: every reason on one line, and when it
 * expired by the build's time standing in for a clock behind it, that. */
static int
cert_error(struct conn *c, struct conn_tls *tls)
{
	char info[512], note[300];
	uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
	int n, other_name = 0;

	if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
		/* mbedTLS says "Common Name (CN)" whatever it compared. */
		flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
		other_name = 1;
	}
	n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
	if (n < 0)
		n = 0;
	/* One line: mbedTLS ends each reason with a newline. */
	for (; n > 0 && info[n - 1] == '\n'; n--)
		;
	info[n] = '\0';
	for (char *q = info; *q; q++)
		if (*q == '\n')
			*q = ';';
	note[0] = '\0';
	if ((flags & MBEDTLS_X509_BADCERT_EXPIRED) && tls->clock.uses > 0) {
		size_t k = clockfloor_note(&tls->clock, note + 2, sizeof note - 3);

		note[0] = ' ';
		note[1] = '(';
		note[2 + k] = ')';
		note[3 + k] = '\0';
	}
	return err_set(ERR_TLS, "TLS certificate of %s:%u not accepted: %s%s%s%s%s",
	    c->host, (unsigned)c->port, other_name ? "it is not for " : "",
	    other_name ? c->host : "", other_name && n > 0 ? "; " : "", info, note);
}

/* handshake(): a TLS 1.2 server refused as above, to be asked again. */
#define AGAIN_WITHOUT_PSS 1

/*
 * Run the TLS handshake on the connected c->sock and check the name.
 * Returns ERR_OK, AGAIN_WITHOUT_PSS (c closed, no message) when may_retry
 * and the server's TLS 1.2 handshake was refused as an illegal parameter,
 * or an error with c closed.
 */
static int
handshake(struct conn *c, struct conn_tls *tls, int may_retry)
{
	int rc;

	mbedtls_ssl_init(&c->ssl);
	c->tls = 1;
	if (mbedtls_ssl_setup(&c->ssl, &tls->conf) != 0 || set_peer_name(c) != 0) {
		conn_close(c);
		return err_set(ERR_TLS, "cannot set up TLS for %s", c->host);
	}
	c->client_cert = tls->client_cert;
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	while ((rc = handshake_steps(c)) != 0) {
		if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (rc == MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER && may_retry &&
		    c->io_err == 0 && mbedtls_ssl_get_version_number(&c->ssl) ==
		    MBEDTLS_SSL_VERSION_TLS1_2)
			rc = AGAIN_WITHOUT_PSS;
		else if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
			rc = cert_error(c, tls);
		else if (rc == MBEDTLS_ERR_SSL_INVALID_RECORD && c->io_err == 0)
			rc = err_set(ERR_TLS, "TLS handshake with %s:%u: the server does not "
			    "speak TLS (a plain http registry? use --plain-http)", c->host,
			    (unsigned)c->port);
		else
			rc = tls_error(c, rc, "TLS handshake with");
		conn_close(c);
		return rc;
	}
	if (c->ip_len != 0 && !tls->insecure && (rc = check_ip(c)) < 0) {
		conn_close(c);
		return rc;
	}
	tls->handshakes++;
	tls->version = mbedtls_ssl_get_version(&c->ssl);
	tls->suite = mbedtls_ssl_get_ciphersuite(&c->ssl);
	return ERR_OK;
}

/* Connect c->sock to c->host:c->port, directly or through the proxy. */
static int
connect_to(struct conn *c, const char *proxy_host, uint16_t proxy_port,
    uint32_t connect_timeout_ms)
{
	int rc;

	rc = proxy_host != NULL ?
	    port_net_connect(proxy_host, proxy_port, connect_timeout_ms) :
	    port_net_connect(c->host, c->port, connect_timeout_ms);
	if (rc < 0)
		return proxy_host != NULL ? err_prefix(rc, "proxy") : rc;
	c->sock = rc;
	if (proxy_host != NULL) {
		rc = proxy_connect(c, c->host, c->port, proxy_host);
		if (rc < 0) {
			conn_close(c);
			return rc;
		}
	}
	return ERR_OK;
}

int
conn_open_proxied(struct conn *c, struct conn_tls *tls, const char *host,
    uint16_t port, const char *proxy_host, uint16_t proxy_port,
    uint32_t connect_timeout_ms, uint32_t timeout_ms)
{
	int rc;
	size_t hl = strlen(host);

	conn_init(c);
	if (hl >= sizeof c->host)
		return err_set(ERR_USAGE, "host name too long: %.40s...", host);
	memcpy(c->host, host, hl + 1);
	c->port = port;
	c->timeout_ms = timeout_ms;
	rc = connect_to(c, proxy_host, proxy_port, connect_timeout_ms);
	if (rc < 0 || tls == NULL)
		return rc;
	rc = handshake(c, tls, 1);
	if (rc == AGAIN_WITHOUT_PSS) {
		tls->without_pss++;
		mbedtls_ssl_conf_sig_algs(&tls->conf, sig_algs_no_pss);
		rc = connect_to(c, proxy_host, proxy_port, connect_timeout_ms);
		if (rc == ERR_OK)
			rc = handshake(c, tls, 0);
		mbedtls_ssl_conf_sig_algs(&tls->conf, sig_algs);
	}
	return rc;
}

long
conn_read(struct conn *c, void *buf, size_t len)
{
	int rc;

	if (c->sock < 0)
		return err_set(ERR_INTERNAL, "read on a closed connection");
	if (!c->tls)
		return port_net_read(c->sock, buf, len, c->timeout_ms);
	if (len > 0x7fffffffu)
		len = 0x7fffffffu;
	for (;;) {
		c->io_err = 0;
		rc = mbedtls_ssl_read(&c->ssl, buf, len);
		if (rc >= 0)
			return rc;
		if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF)
			return 0;
		return tls_error(c, rc, "TLS read from");
	}
}

long
conn_write(struct conn *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t left = len;

	if (c->sock < 0)
		return err_set(ERR_INTERNAL, "write on a closed connection");
	if (!c->tls)
		return port_net_write(c->sock, buf, len, c->timeout_ms);
	while (left > 0) {
		int rc;

		c->io_err = 0;
		rc = mbedtls_ssl_write(&c->ssl, p, left);
		if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (rc < 0)
			return tls_error(c, rc, "TLS write to");
		p += rc;
		left -= (size_t)rc;
	}
	return (long)len;
}

void
conn_close(struct conn *c)
{
	if (c->tls) {
		if (c->sock >= 0)
			(void)mbedtls_ssl_close_notify(&c->ssl);
		mbedtls_ssl_free(&c->ssl);
		c->tls = 0;
	}
	if (c->sock >= 0)
		port_net_close(c->sock);
	c->sock = -1;
}
