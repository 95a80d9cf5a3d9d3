/*
 * registry.h: the distribution API over HTTP/1.1: manifests with Accept
 * lists, blobs with ranges, redirects to blob storage, bearer tokens and
 * basic credentials.
 *
 * A struct registry is caller-owned and large (receive buffer, TLS state,
 * token); one per pull. Order of calls:
 *
 *     registry_init(r, ref, opts)
 *     registry_get(r, REG_MANIFEST or REG_BLOB, reference, offset)
 *         then registry_read(r, &p, &n) until it returns ERR_END,
 *     or registry_fetch(r, ...) for a small document kept whole;
 *     ... more requests on the same keep-alive connection ...
 *     registry_close(r)
 *
 * Credentials (explicit, or from docker's config.json: its credential
 * helper for the registry, else its auths entry) are sent only to the
 * registry's own origin and to the token realm named by a 401 from that
 * origin, under auth_realm_may_send()'s rule (an https realm on any host
 * for an https registry; never a plain http realm on another host). A
 * challenge from a redirect target (blob storage) or a foreign layer's
 * host is not answered: no realm it names gets anything. A 401 in the
 * middle of a pull re-authenticates once.
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "conn.h"
#include "err.h"
#include "event.h"
#include "http.h"
#include "http_url.h"
#include "json.h"
#include "ref.h"

/* What a request asks for: a manifest (by tag or digest), a blob, or the
 * OCI 1.1 referrers of a manifest digest (an image index; a registry
 * without the API answers 404). */
enum { REG_MANIFEST = 1, REG_BLOB = 2, REG_REFERRERS = 3 };

/* The credentials requests to the registry's own origin carry. */
enum reg_auth {
	REG_AUTH_ANON = 0,         /* none */
	REG_AUTH_BEARER,           /* bearer, until bearer_until_ms */
	REG_AUTH_BASIC             /* basic, after a Basic challenge: another
	                            * 401 is final */
};

struct registry_opts {
	int plain_http;            /* talk http:// to the registry */
	int insecure;              /* https without certificate verification */
	const char *ca_file;       /* NULL: the board's CA bundle paths */
	const char *cert_file;     /* client certificate (mutual TLS), or NULL */
	const char *key_file;      /* its private key: both or neither */
	const char *username;      /* explicit credentials, or NULL */
	const char *password;
	const char *auth_file;     /* docker config.json, or NULL for the default */
	unsigned retries;          /* further attempts of a failed request */
	uint32_t timeout_s;        /* the whole run's time limit, 0: none */
	uint32_t read_timeout_ms;  /* longest wait for a byte, 0: the board's */
};

/*
 * Longest Retry-After honoured, and the backoff: the wait before retry k
 * (0-based) is FIRST * 2^k plus up to a quarter more at random, never more
 * than MAX. The jitter only adds, so the sum of the steps is a floor: with
 * REG_RETRIES_DEFAULT retries a pull rides out an outage of at least
 * 0.5 + 1 + ... + 32 + 60 = 123.5 s whatever the random draws, and gives
 * up on a dead registry within about 140 s.
 */
#define REG_RETRY_AFTER_MAX_MS 60000u
#define REG_BACKOFF_FIRST_MS 500u
#define REG_BACKOFF_MAX_MS 60000u
#define REG_RETRIES_DEFAULT 8u

/* Most redirects followed for one request (Go's net/http allows 10). */
#define REG_REDIRECTS_MAX 10

/* "Basic " and the base64 of a user name of up to 255 bytes, ':' and a
 * secret of up to BOARD_SECRET_MAX - 1 bytes. */
#define REG_BASIC_MAX (6u + 4u * ((256u + BOARD_SECRET_MAX + 2u) / 3u) + 1u)

struct registry {
	const struct ref *ref;
	struct registry_opts opt;
	struct http_url base;      /* scheme, host and port of the registry API */
	char root[128];            /* its API root: "/v2" (a mirror's may differ) */

	struct conn_tls tls;
	struct conn conn;
	struct http_url conn_url;  /* origin the open connection is for */
	int conn_reused;           /* the connection served a response before */
	struct http_resp resp;
	int body_open;             /* a response body is being read */
	int body_done;             /* the parser has seen the end of the body */
	int foreign;               /* the open blob is a foreign layer's URL */
	size_t pend_off, pend_n;   /* rbuf[pend_off..+pend_n): body bytes parsed
	                            * with the headers, not yet handed out */
	uint8_t rbuf[BOARD_NET_BUF];
	size_t rpos, rlen;

	enum reg_auth auth;        /* what requests to the registry carry */
	char basic[REG_BASIC_MAX]; /* "Basic ..." or "" */
	char bearer[BOARD_TOKEN_MAX + 8];  /* "Bearer ..."; "" unless
	                                    * auth is REG_AUTH_BEARER */
	uint64_t bearer_until_ms;  /* monotonic time the token expires */
	char creds_source[512];    /* where the credentials came from */
	char warning[ERR_MSG_MAX]; /* why the default config.json was
	                            * ignored, or "" */
	int creds_helper;          /* config.json's credential helper
	                            * (creds_source) had none for us */
	int clock_warned;          /* EV_WARNING sent: the clock is behind the
	                            * build's time (clockfloor.h) */

	uint64_t bytes_in;         /* body bytes received, for --stats */
	uint64_t deadline_ms;      /* monotonic end of the run, 0: none */
	uint64_t head_deadline_ms; /* the status line and headers of the
	                            * request in flight are due by then, 0:
	                            * no request in flight */
	char proxy_host[256];      /* HTTPS_PROXY's host, "" for none */
	uint16_t proxy_port;
	char no_proxy[1024];       /* NO_PROXY as given */
	unsigned retries_done;     /* for --stats */
	unsigned connect_fails;    /* connections that could not be opened */
	uint64_t refetched;        /* bytes received more than once */
	struct event_sink events;  /* EV_RETRY for every retry */
	jsmntok_t tok[512];        /* token replies and config.json */
	char small[2 * BOARD_TOKEN_MAX + 1024];
	char req[BOARD_HTTP_LINE_MAX + BOARD_TOKEN_MAX + 1024];
};

/*
 * Prepare to talk to the registry of ref. Loads credentials: explicit ones
 * in opts, else the entry for ref's registry in config.json (auth_file,
 * $DOCKER_CONFIG/config.json or $HOME/.docker/config.json). Returns ERR_OK,
 * or for an auth_file that cannot be read or parsed its error (ERR_FORMAT,
 * ERR_NOMEM, ERR_IO, ...). The default file in that state is no error: the
 * pull goes on without credentials and r->warning says which file was
 * ignored and why (the caller prints it).
 */
int registry_init(struct registry *r, const struct ref *ref,
    const struct registry_opts *opts);

/*
 * Send GET for a manifest or blob (reference is a tag or a digest) and read
 * the response headers, following redirects (at most REG_REDIRECTS_MAX) and answering
 * authentication challenges. offset > 0 asks for the bytes from offset on
 * with a closed Range request up to size - 1. Failed attempts are retried
 * (registry_backoff). Returns ERR_OK when a 200 (or 206 for a range)
 * response's body is ready for registry_read; ERR_NOTFOUND, ERR_AUTH,
 * ERR_NET (connection, 429, 5xx: retryable), ERR_PROTO otherwise, with a
 * message naming the URL and the registry's own error text.
 */
int registry_get(struct registry *r, int kind, const char *reference,
    uint64_t offset, uint64_t size);

/*
 * After a failed attempt (rc): wait the backoff (or the server's
 * Retry-After) and return ERR_OK when attempt (0-based) may be followed by
 * another one, or rc again when the retries or the time limit are spent.
 * Only network failures are retried: connection errors, timeouts, 408,
 * 429 and 5xx (all ERR_NET or ERR_TIMEOUT).
 */
int registry_backoff(struct registry *r, int rc, unsigned attempt);

/*
 * GET an absolute URL outside the registry (a foreign layer's "urls"):
 * https only, never with credentials, redirects followed (https only).
 * Returns ERR_OK when a 200 body is ready for registry_read.
 */
int registry_get_url(struct registry *r, const char *url, const char *what);

/* HTTP status and headers of the last response (valid after registry_get). */
const struct http_resp *registry_response(const struct registry *r);

/*
 * Next span of the response body: ERR_OK with *p, *n set (n > 0; the bytes
 * stay valid until the next call), ERR_END when the body is complete, or an
 * error (the connection is closed then).
 */
int registry_read(struct registry *r, const uint8_t **p, size_t *n);

/*
 * registry_get plus reading the whole body into buf (at most cap bytes;
 * ERR_NOMEM naming BOARD_JSON_MAX when larger). content_type (cap ctcap)
 * receives the Content-Type header, may be NULL.
 */
int registry_fetch(struct registry *r, int kind, const char *reference,
    char *buf, size_t cap, size_t *len);

/*
 * Inside the module (registry_cred.c, for registry_init): load r->basic
 * and r->creds_source from opt.username, else from config.json: its
 * helper for the registry (credHelpers[registry], then credsStore) run as
 * `docker-credential-NAME get` (port_run: BOARD_CRED_HELPER_OUT bytes,
 * BOARD_CRED_HELPER_TIMEOUT_MS), else its auths entry. A helper that has
 * none leaves the pull anonymous. Errors as registry_init().
 */
int registry_load_creds(struct registry *r);

/* Close the connection and free the TLS state. */
void registry_close(struct registry *r);

/* Close the connection only (the next request opens a new one). */
void registry_disconnect(struct registry *r);

/*
 * Inside the module (registry_cred.c), for mirrors (mirror.h): point r at
 * another server of the same image, ref's host and port under the API
 * root (at most 127 bytes), with opts (the run's time limit stays). The
 * connection is closed, the credentials and token are forgotten (the
 * caller loads the server's own: registry_load_creds, or
 * registry_auth_restore), and the TLS state is freed when opts ask for
 * other TLS settings (it is set up again on the next connection).
 */
void registry_retarget(struct registry *r, const struct ref *ref,
    const struct registry_opts *opts, const char *root);

/* The credentials and token r holds, to give back to it later. */
struct registry_auth {
	enum reg_auth auth;
	char basic[REG_BASIC_MAX];
	char bearer[BOARD_TOKEN_MAX + 8];
	uint64_t bearer_until_ms;
	char creds_source[512];
	int creds_helper;
};
void registry_auth_save(const struct registry *r, struct registry_auth *a);
void registry_auth_restore(struct registry *r, const struct registry_auth *a);

#endif /* REGISTRY_H */
