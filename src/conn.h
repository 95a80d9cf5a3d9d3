/*
 * conn.h: one connection to a server, plain TCP or TLS (mbedTLS), over the
 * port's sockets.
 *
 * TLS settings shared by all connections live in a caller-owned struct
 * conn_tls, set up once (lazily, at the first https connection) with
 * conn_tls_setup: the CA certificates from the first source given of
 * --ca-file, SSL_CERT_FILE and SSL_CERT_DIR, else from the first bundle of
 * the board's BOARD_CA_PATHS that exists; verification required unless
 * insecure. Every TLS connection verifies the server's certificate and its
 * dates: for a host name against the certificate's DNS names (or its CN
 * when it has none), sent as SNI; for an IPv4 or IPv6 literal against its
 * iPAddress names only, and then no SNI is sent (RFC 6066 allows only host
 * names there). Dates are checked against the build's time when the clock
 * is behind it (clockfloor.h). conn_tls_client_cert adds a client
 * certificate for servers that ask for one (mutual TLS).
 *
 * Order of calls: conn_open, then conn_read/conn_write any number of times,
 * then conn_close. A struct conn is caller-owned and holds one socket.
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "ca.h"
#include "clockfloor.h"

struct conn_tls {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt own;      /* the client certificate chain (--cert) */
	mbedtls_pk_context key;    /* and its private key (--key) */
	mbedtls_ctr_drbg_context drbg;
	struct clockfloor clock;   /* certificate dates; clock.uses > 0 when
	                            * the clock was behind the build's time */
	int insecure;
	int client_cert;           /* own and key are in use */
	int ready;
	/* Where the CA certificates came from, for --stats (this and the
	 * handshake fields below stay readable after conn_tls_free). */
	struct ca_source ca_src;
	/* The last completed handshake, for --stats: mbedTLS's names of the
	 * version ("TLSv1.3") and cipher suite (static strings), or NULL. */
	unsigned handshakes;
	unsigned without_pss;      /* TLS 1.2 handshakes asked again without
	                            * RSA-PSS (see conn.c, sig_algs) */
	const char *version;
	const char *suite;
};

struct conn {
	int sock;                  /* -1 when closed */
	int tls;                   /* nonzero when ssl is in use */
	int io_err;                /* error of the last socket call under TLS */
	int cert_requested;        /* the server asked for a client certificate */
	int client_cert;           /* one was configured (conn_tls_client_cert) */
	uint32_t timeout_ms;       /* per read and per write */
	mbedtls_ssl_context ssl;
	char host[256];
	uint16_t port;
	uint32_t ip[4];            /* host as an IP address (ip_len 4 or 16) */
	size_t ip_len;             /* 0: host is a name */
};

/*
 * Load the CA certificates (ca_load: ca_file, else SSL_CERT_FILE, else
 * SSL_CERT_DIR, else the board's bundle paths) and prepare the TLS
 * configuration. With insecure nonzero no CA is needed and certificates
 * are not verified. Returns ERR_OK, ERR_TLS with a message naming the
 * option or variable and the file, or ERR_NOMEM when the arena is full.
 */
int conn_tls_setup(struct conn_tls *t, const char *ca_file, int insecure);

/*
 * After conn_tls_setup: present the certificate (and any intermediates)
 * in cert_file with the private key in key_file (PEM; RSA or EC, not
 * encrypted; both may be the same file) to servers that ask for a client
 * certificate. Each file is read whole through the port into a buffer of
 * BOARD_CLIENT_PEM_MAX bytes, wiped after parsing. Returns ERR_OK, or
 * ERR_TLS (ERR_NOMEM when the arena is full) with a message naming the
 * file: unreadable, no certificate, an encrypted key, a key that is not
 * RSA or EC or does not belong to the certificate.
 */
int conn_tls_client_cert(struct conn_tls *t, const char *cert_file,
    const char *key_file);
void conn_tls_free(struct conn_tls *t);

/* Mark c closed without touching anything (before the first conn_open). */
void conn_init(struct conn *c);

/*
 * Connect to host:port; with tls non-NULL run the TLS handshake and verify
 * the certificate for host (see the top of this file); tls->version and
 * tls->suite then name what was negotiated. Returns ERR_OK, or ERR_DNS,
 * ERR_NET, ERR_TIMEOUT, ERR_TLS (with the reasons: "not for HOST",
 * mbedTLS's "not correctly signed by the trusted CA", "expired"; or that
 * the server asked for a client certificate and refused the connection
 * without one, or refused the one given) and leaves c closed.
 */
int conn_open(struct conn *c, struct conn_tls *tls, const char *host,
    uint16_t port, uint32_t connect_timeout_ms, uint32_t timeout_ms);

/*
 * The same through an HTTP proxy (HTTPS_PROXY): connect to proxy_host:
 * proxy_port, ask it to CONNECT to host:port, then speak TLS (or plain
 * bytes) through the tunnel; the certificate is still checked for host.
 * A proxy that refuses gives ERR_NET with its status line.
 */
int conn_open_proxied(struct conn *c, struct conn_tls *tls, const char *host,
    uint16_t port, const char *proxy_host, uint16_t proxy_port,
    uint32_t connect_timeout_ms, uint32_t timeout_ms);

/* Read up to len bytes: count (> 0), 0 when the server closed, or an
 * error (ERR_NET, ERR_TIMEOUT, ERR_TLS). In TLS 1.3 a server refuses a
 * client certificate (or its absence) after the handshake: that comes
 * here, as ERR_TLS with the same message as from conn_open. */
long conn_read(struct conn *c, void *buf, size_t len);

/* Write all len bytes: len or an error. */
long conn_write(struct conn *c, const void *buf, size_t len);

/* Close (with a TLS close_notify when possible); c may already be closed. */
void conn_close(struct conn *c);

#endif /* CONN_H */
