/*
 * registry.c: requests to a distribution registry over one keep-alive
 * connection, with redirects and authentication.
 */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "auth_cred.h"
#include "err.h"
#include "lex.h"
#include "manifest.h"
#include "port.h"

/* The wait allowed for the next byte: the read timeout, or less when the
 * run's time limit or the deadline for the response headers comes first.
 * 0 when one of them has passed. */
static uint32_t
wait_ms(const struct registry *r)
{
	uint32_t t = r->opt.read_timeout_ms != 0 ? r->opt.read_timeout_ms :
	    BOARD_READ_TIMEOUT_MS;
	uint64_t now = port_mono_ms(), end[2];
	int k;

	end[0] = r->deadline_ms;
	end[1] = r->head_deadline_ms;
	for (k = 0; k < 2; k++) {
		if (end[k] == 0)
			continue;
		if (now >= end[k])
			return 0;
		if (end[k] - now < t)
			t = (uint32_t)(end[k] - now);
	}
	return t;
}

/* The error for a wait cut short: the run's time limit, or the headers'
 * deadline when that has passed (rc otherwise). */
static int
limit_error(const struct registry *r, int rc)
{
	uint64_t now = port_mono_ms();

	if (r->head_deadline_ms != 0 && now >= r->head_deadline_ms) {
		err_clear();
		return err_set(ERR_TIMEOUT, "%s sent no complete status line and "
		    "headers within %u ms of the request", r->conn_url.host,
		    (unsigned)BOARD_HEADER_TIMEOUT_MS);
	}
	if (r->deadline_ms != 0 && now >= r->deadline_ms) {
		err_clear();
		return err_set(ERR_TIMEOUT, "time limit of %u s reached",
		    (unsigned)r->opt.timeout_s);
	}
	return rc;
}

/* Whether host goes through the proxy: not when NO_PROXY names it. */
static int
use_proxy(const struct registry *r, const char *host)
{
	return r->proxy_host[0] != '\0' && !http_url_no_proxy(r->no_proxy, host);
}

/* HTTPS_PROXY (or https_proxy): an http:// proxy URL or host:port. */
static int
load_proxy(struct registry *r)
{
	const char *v = port_env("HTTPS_PROXY"), *np = port_env("NO_PROXY");
	char url[600];
	struct http_url u;

	if (v == NULL || v[0] == '\0')
		v = port_env("https_proxy");
	if (np == NULL)
		np = port_env("no_proxy");
	if (np != NULL)
		snprintf(r->no_proxy, sizeof r->no_proxy, "%s", np);
	if (v == NULL || v[0] == '\0')
		return ERR_OK;
	snprintf(url, sizeof url, "%s%s", strstr(v, "://") ? "" : "http://", v);
	if (http_url_parse(url, &u) < 0 || u.https)
		return err_set(ERR_USAGE, "HTTPS_PROXY=%s: expected an http:// proxy "
		    "(host:port or http://host:port)", v);
	snprintf(r->proxy_host, sizeof r->proxy_host, "%s", u.host);
	r->proxy_port = u.port;
	return ERR_OK;
}

/* ---- connection ---------------------------------------------------------------- */

static void
drop_conn(struct registry *r)
{
	conn_close(&r->conn);
	r->rpos = r->rlen = 0;
	r->body_open = 0;
	r->body_done = 0;
	r->pend_n = 0;
	r->conn_reused = 0;
}

/* Once a run: the clock was behind the build's time when a certificate
 * was checked, so its dates were checked against that (clockfloor.h). */
static void
warn_clock(struct registry *r)
{
	char note[300];
	struct event ev = { .kind = EV_WARNING, .text = note };

	if (r->tls.clock.uses == 0 || r->clock_warned)
		return;
	r->clock_warned = 1;
	clockfloor_note(&r->tls.clock, note, sizeof note);
	event_emit(&r->events, &ev);
}

static int
ensure_conn(struct registry *r, const struct http_url *u)
{
	int rc;

	if (r->conn.sock >= 0 && http_url_same_origin(&r->conn_url, u))
		return ERR_OK;
	drop_conn(r);
	if (u->https && !r->tls.ready) {
		rc = conn_tls_setup(&r->tls, r->opt.ca_file, r->opt.insecure);
		if (rc == ERR_OK && r->opt.cert_file != NULL)
			rc = conn_tls_client_cert(&r->tls, r->opt.cert_file,
			    r->opt.key_file);
		if (rc < 0)
			return rc;
	}
	if (wait_ms(r) == 0)
		return err_set(ERR_TIMEOUT, "time limit of %u s reached",
		    (unsigned)r->opt.timeout_s);
	rc = conn_open_proxied(&r->conn, u->https ? &r->tls : NULL, u->host,
	    u->port, u->https && use_proxy(r, u->host) ? r->proxy_host : NULL,
	    r->proxy_port, wait_ms(r) < BOARD_CONNECT_TIMEOUT_MS ? wait_ms(r) :
	    BOARD_CONNECT_TIMEOUT_MS, wait_ms(r));
	warn_clock(r);
	if (rc < 0) {
		r->connect_fails++;
		return rc;
	}
	r->conn_url = *u;
	return ERR_OK;
}

/* Receive more bytes into rbuf; 0 when the server closed. */
static long
fill(struct registry *r)
{
	long n;

	r->conn.timeout_ms = wait_ms(r);
	if (r->conn.timeout_ms == 0)
		return limit_error(r, ERR_TIMEOUT);
	n = conn_read(&r->conn, r->rbuf, sizeof r->rbuf);
	if (n == ERR_TIMEOUT)
		n = limit_error(r, ERR_TIMEOUT);

	r->rpos = 0;
	r->rlen = n > 0 ? (size_t)n : 0;
	return n;
}

/* The response is complete: the connection may serve the next request. */
static void
end_body(struct registry *r)
{
	r->body_open = 0;
	r->body_done = 0;
	r->pend_n = 0;
	r->conn_reused = 1;
	if (r->resp.close)
		drop_conn(r);
}

/*
 * Push received bytes into the response parser until the headers are
 * done. Body bytes the parser hands out in the same step are kept as a
 * pending span for registry_read.
 */
static int
read_headers(struct registry *r, int *closed_early)
{
	*closed_early = 0;
	r->pend_n = 0;
	r->body_done = 0;
	while (!http_resp_headers_done(&r->resp)) {
		size_t used = 0, blen = 0;
		const uint8_t *body = NULL;
		int rc;

		if (r->rpos == r->rlen) {
			long n = fill(r);
			if (n < 0)
				return (int)n;
			if (n == 0) {
				*closed_early = 1;
				return err_set(ERR_NET, "%s closed the connection before "
				    "answering", r->conn_url.host);
			}
		}
		rc = http_resp_push(&r->resp, r->rbuf + r->rpos, r->rlen - r->rpos,
		    &used, &body, &blen);
		r->rpos += used;
		if (rc < 0)
			return err_prefix(rc, "response from %s", r->conn_url.host);
		if (blen != 0) {
			r->pend_off = (size_t)(body - r->rbuf);
			r->pend_n = blen;
		}
		if (rc == ERR_END)
			r->body_done = 1;
	}
	r->body_open = 1;
	return ERR_OK;
}

int
registry_read(struct registry *r, const uint8_t **p, size_t *n)
{
	if (!r->body_open)
		return ERR_END;
	if (r->pend_n > 0) {
		*p = r->rbuf + r->pend_off;
		*n = r->pend_n;
		r->pend_n = 0;
		r->bytes_in += *n;
		return ERR_OK;
	}
	for (;;) {
		size_t used = 0, blen = 0;
		const uint8_t *body = NULL;
		int rc;

		if (r->body_done) {
			end_body(r);
			return ERR_END;
		}
		if (r->rpos == r->rlen) {
			long got = fill(r);
			if (got < 0) {
				drop_conn(r);
				return (int)got;
			}
			if (got == 0) {
				rc = http_resp_eof(&r->resp);
				drop_conn(r);
				if (rc == ERR_END)
					return ERR_END;
				return err_prefix(rc < 0 ? rc : ERR_NET, "%s", r->conn_url.host);
			}
		}
		rc = http_resp_push(&r->resp, r->rbuf + r->rpos, r->rlen - r->rpos,
		    &used, &body, &blen);
		r->rpos += used;
		if (rc < 0) {
			drop_conn(r);
			return err_prefix(rc, "response from %s", r->conn_url.host);
		}
		if (rc == ERR_END)
			r->body_done = 1;
		if (blen > 0) {
			r->bytes_in += blen;
			*p = body;
			*n = blen;
			return ERR_OK;
		}
	}
}

/* Read and forget the rest of a body, keeping up to cap bytes of it. */
static int
drain(struct registry *r, char *keep, size_t cap)
{
	const uint8_t *p;
	size_t n, have = 0;
	int rc;

	while ((rc = registry_read(r, &p, &n)) == ERR_OK) {
		if (keep != NULL && have + 1 < cap) {
			size_t k = n < cap - 1 - have ? n : cap - 1 - have;
			memcpy(keep + have, p, k);
			have += k;
		}
	}
	if (keep != NULL)
		keep[have] = '\0';
	return rc == ERR_END ? ERR_OK : rc;
}

/* ---- requests ---------------------------------------------------------------- */

/*
 * Send one request and read the response headers. A keep-alive connection
 * that the server closed while idle is opened again once.
 */
static int
exchange(struct registry *r, const struct http_url *u, const char *const *hdrs)
{
	int attempt, rc = ERR_NET;
	char hostport[300];

	if (http_url_host_header(u, hostport, sizeof hostport) < 0)
		return err_set(ERR_NOMEM, "host name too long");
	for (attempt = 0; attempt < 2; attempt++) {
		long len;
		int reused, closed_early = 0;

		if (r->body_open) {
			rc = drain(r, NULL, 0);
			if (rc < 0)
				drop_conn(r);
		}
		rc = ensure_conn(r, u);
		if (rc < 0)
			return rc;
		reused = r->conn_reused;
		len = http_req_write(r->req, sizeof r->req, "GET", hostport, u->target, hdrs);
		if (len < 0)
			return (int)len;
		http_resp_init(&r->resp, 0);
		r->head_deadline_ms = port_mono_ms() + BOARD_HEADER_TIMEOUT_MS;
		rc = (int)conn_write(&r->conn, r->req, (size_t)len);
		if (rc >= 0)
			rc = read_headers(r, &closed_early);
		r->head_deadline_ms = 0;
		if (rc >= 0)
			return ERR_OK;
		drop_conn(r);
		if (!reused || !(closed_early || rc == ERR_NET))
			return rc;
		err_clear();    /* an idle connection timed out: try a fresh one */
	}
	return rc;
}

/* A hint for auth failures when config.json's helper had nothing. */
static const char *
helper_note(const struct registry *r)
{
	return r->creds_helper ? "; config.json's credential helper has no "
	    "credentials for this registry" : "";
}

/* Forget the bearer token: it expired, or a renewal overwrote it and
 * failed. Basic credentials in use stay in use. */
static void
drop_token(struct registry *r)
{
	r->bearer[0] = '\0';
	if (r->auth == REG_AUTH_BEARER)
		r->auth = REG_AUTH_ANON;
}

/*
 * Get a bearer token for ch from its realm, with the registry's credentials
 * when they may go there, else anonymously.
 */
static int
fetch_token(struct registry *r, const struct auth_challenge *ch)
{
	struct http_url u;
	char scope[512], enc_service[300], enc_scope[600];
	const char *hdrs[3];
	char auth_line[sizeof r->basic + 32];
	const uint8_t *p;
	size_t n, have = 0;
	uint32_t expires = 60;
	int rc, with_creds;
	long w;
	char *q;

	rc = http_url_parse(ch->realm, &u);
	if (rc < 0)
		return err_prefix(ERR_AUTH, "token realm \"%s\"", ch->realm);
	if (r->base.https && !u.https)
		return err_set(ERR_AUTH, "refusing token realm %s: plain http for an "
		    "https registry", ch->realm);
	if (ch->scope[0] != '\0')
		w = snprintf(scope, sizeof scope, "%s", ch->scope);
	else
		w = auth_scope(r->ref->repo, scope, sizeof scope);
	if (w < 0 || (size_t)w >= sizeof scope)
		return err_set(ERR_NOMEM, "token scope too long");
	rc = http_url_encode(ch->service, enc_service, sizeof enc_service);
	if (rc == ERR_OK)
		rc = http_url_encode(scope, enc_scope, sizeof enc_scope);
	if (rc < 0)
		return rc;
	q = u.target + strlen(u.target);
	w = snprintf(q, sizeof u.target - (size_t)(q - u.target), "%sservice=%s&scope=%s",
	    strchr(u.target, '?') ? "&" : "?", enc_service, enc_scope);
	if (w < 0 || (size_t)w >= sizeof u.target - (size_t)(q - u.target))
		return err_set(ERR_NOMEM, "token URL too long");
	/* ch came from the registry's own 401 (authenticate() answers no
	 * other), so its realm may get the credentials (auth.h). */
	with_creds = r->basic[0] != '\0' && auth_realm_may_send(r->base.https,
	    r->base.host, u.https, u.host);
	n = 0;
	if (with_creds) {
		snprintf(auth_line, sizeof auth_line, "Authorization: %s", r->basic);
		hdrs[n++] = auth_line;
	}
	hdrs[n] = NULL;
	rc = exchange(r, &u, hdrs);
	if (rc < 0)
		return err_prefix(rc == ERR_PROTO ? ERR_AUTH : rc, "token server %s", u.host);
	if (r->resp.status != 200) {
		int st = r->resp.status;
		drain(r, NULL, 0);
		return err_set(ERR_AUTH, "token server %s answered %d%s%s", u.host, st,
		    st == 401 || st == 403 ? (with_creds ? " (wrong credentials?)" :
		    " (credentials needed: --username/--password-stdin or docker login)") : "",
		    with_creds ? "" : helper_note(r));
	}
	while ((rc = registry_read(r, &p, &n)) == ERR_OK) {
		if (have + n > sizeof r->small)
			return err_set(ERR_NOMEM, "token reply longer than %zu bytes "
			    "(raise BOARD_TOKEN_MAX)", sizeof r->small);
		memcpy(r->small + have, p, n);
		have += n;
	}
	if (rc != ERR_END)
		return rc;
	memcpy(r->bearer, "Bearer ", 7);
	rc = auth_token_reply(r->small, have, r->tok, (unsigned)(sizeof r->tok / sizeof r->tok[0]),
	    r->bearer + 7, sizeof r->bearer - 7, &expires);
	if (rc < 0) {
		drop_token(r);
		return err_prefix(rc, "token reply from %s", u.host);
	}
	r->auth = REG_AUTH_BEARER;
	/* Renew a little early so a token does not expire mid-request. */
	r->bearer_until_ms = port_mono_ms() + (uint64_t)expires * 1000u -
	    (expires > 30 ? 10000u : 0u);
	return ERR_OK;
}

/* Answer a 401: returns ERR_OK when the request should be sent again. */
static int
authenticate(struct registry *r)
{
	struct auth_challenge ch[4];
	int n, i, rc;

	n = auth_parse_challenges(r->resp.www_authenticate,
	    strlen(r->resp.www_authenticate), ch, 4);
	rc = drain(r, NULL, 0);
	if (rc < 0)
		return rc;
	if (n < 0)
		return err_prefix(ERR_AUTH, "WWW-Authenticate from %s", r->base.host);
	for (i = 0; i < n; i++)
		if (ch[i].scheme == AUTH_BEARER)
			return fetch_token(r, &ch[i]);
	for (i = 0; i < n; i++)
		if (ch[i].scheme == AUTH_BASIC) {
			if (r->basic[0] == '\0')
				return err_set(ERR_AUTH, "%s requires credentials "
				    "(--username with --password-stdin, or docker login)%s",
				    r->ref->registry, helper_note(r));
			if (r->auth == REG_AUTH_BASIC)
				return err_set(ERR_AUTH, "%s refused the credentials from %s",
				    r->ref->registry, r->creds_source);
			drop_token(r);
			r->auth = REG_AUTH_BASIC;    /* a second 401 is final */
			return ERR_OK;
		}
	return err_set(ERR_AUTH, "%s answered 401 without a usable challenge (%s)",
	    r->base.host, r->resp.www_authenticate[0] ? r->resp.www_authenticate : "none");
}

/* Pull the "message" of a distribution error body into a short string. */
static void
error_text(struct registry *r, const char *body, char *out, size_t cap)
{
	struct json j;
	int errs, e, m;

	out[0] = '\0';
	if (json_parse(&j, body, strlen(body), r->tok,
	    (unsigned)(sizeof r->tok / sizeof r->tok[0]), "error body") != ERR_OK) {
		err_clear();
		return;
	}
	errs = json_get(&j, 0, "errors");
	if (!json_is_array(&j, errs) || j.tok[errs].size < 1) {
		err_clear();
		return;
	}
	e = errs + 1;
	m = json_get(&j, e, "message");
	if (json_copy(&j, m, out + 2, cap - 2) < 0)
		m = json_get(&j, e, "code");
	if (json_copy(&j, m, out + 2, cap - 2) < 0) {
		out[0] = '\0';
		err_clear();
		return;
	}
	out[0] = ':';
	out[1] = ' ';
}

/*
 * The response in hand is a redirect: drain it and point *u at its
 * Location (resolved against *u). Returns 1 when it was one, 0 when not,
 * or an error: no Location, https to http, more than REG_REDIRECTS_MAX.
 */
static int
follow(struct registry *r, struct http_url *u, int *redirects, const char *what)
{
	struct http_url next;
	int st = r->resp.status, rc;

	if (st != 301 && st != 302 && st != 303 && st != 307 && st != 308)
		return 0;
	if (r->resp.location[0] == '\0')
		return err_set(ERR_PROTO, "%s: redirect %d without Location", what, st);
	rc = http_url_resolve(u, r->resp.location, &next);
	if (rc < 0)
		return err_prefix(ERR_PROTO, "%s: redirect", what);
	if (u->https && !next.https)
		return err_set(ERR_PROTO, "%s: refusing redirect from https to http "
		    "(%s)", what, r->resp.location);
	if (++*redirects > REG_REDIRECTS_MAX)
		return err_set(ERR_PROTO, "%s: refusing redirect %d (to %.200s): "
		    "at most %d are followed", what, *redirects, r->resp.location,
		    REG_REDIRECTS_MAX);
	rc = drain(r, NULL, 0);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	*u = next;
	return 1;
}

/* An unwanted status: drain the body and turn status and text into an
 * error (401/403 auth, 404 not found, 408/429/5xx retryable). */
static int
status_error(struct registry *r, const struct http_url *u, const char *what)
{
	char body[1024], text[300];
	int st = r->resp.status, code;

	if (drain(r, body, sizeof body) < 0)
		err_clear();
	error_text(r, body, text, sizeof text);
	if (st == 401 || st == 403)
		code = ERR_AUTH;
	else if (st == 404)
		code = ERR_NOTFOUND;
	else if (st == 408 || st == 429 || st >= 500)
		code = ERR_NET;
	else
		code = ERR_PROTO;
	return err_set(code, "%s: %s answered %d%s", what, u->host, st, text);
}

/* The API endpoint of each REG_* kind, its name in messages, its Accept. */
static const struct { const char *path, *what, *accept; } kinds[] = {
	[REG_MANIFEST] = { "manifests", "manifest", "Accept: " MANIFEST_ACCEPT },
	[REG_BLOB] = { "blobs", "blob", NULL },
	[REG_REFERRERS] = { "referrers", "referrers of", "Accept: " MT_OCI_INDEX },
};

static int
get_once(struct registry *r, int kind, const char *reference, uint64_t offset,
    uint64_t size)
{
	struct http_url u = r->base;
	char range[64], what[400];
	char auth_line[(sizeof r->bearer > sizeof r->basic ? sizeof r->bearer :
	    sizeof r->basic) + 32];
	const char *hdrs[4];
	int redirects = 0, auth_rounds = 0, rc, st;
	long w;

	w = snprintf(u.target, sizeof u.target, "%s/%s/%s/%s", r->root,
	    r->ref->repo, kinds[kind].path, reference);
	if (w < 0 || (size_t)w >= sizeof u.target)
		return err_set(ERR_NOMEM, "request path too long");
	snprintf(what, sizeof what, "%s %s%s%s", kinds[kind].what, r->ref->repo,
	    strncmp(reference, "sha256:", 7) == 0 ? "@" : ":", reference);
	for (;;) {
		size_t n = 0;
		int own = http_url_same_origin(&u, &r->base);

		if (own && r->auth == REG_AUTH_BEARER &&
		    port_mono_ms() >= r->bearer_until_ms)
			drop_token(r);    /* expired: the next 401 renews it */
		if (kinds[kind].accept != NULL)
			hdrs[n++] = kinds[kind].accept;
		if (offset > 0) {
			snprintf(range, sizeof range, "Range: bytes=%llu-%llu",
			    (unsigned long long)offset, (unsigned long long)(size - 1));
			hdrs[n++] = range;
		}
		/* Credentials only to the registry itself, never to blob storage. */
		if (own && r->auth != REG_AUTH_ANON) {
			snprintf(auth_line, sizeof auth_line, "Authorization: %s",
			    r->auth == REG_AUTH_BEARER ? r->bearer : r->basic);
			hdrs[n++] = auth_line;
		}
		hdrs[n] = NULL;
		rc = exchange(r, &u, hdrs);
		if (rc < 0)
			return err_prefix(rc, "%s", what);
		st = r->resp.status;
		/* Only the registry's own 401 is answered: a redirect target's
		 * (blob storage) challenge, whatever realm it names, ends the
		 * request as an error and gets no credentials. */
		if (st == 401 && own && auth_rounds < 2) {
			auth_rounds++;
			rc = authenticate(r);
			if (rc < 0)
				return err_prefix(rc, "%s", what);
			continue;
		}
		rc = follow(r, &u, &redirects, what);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
	}
	if (st == 200 || (st == 206 && offset > 0))
		return ERR_OK;
	return status_error(r, &u, what);
}

int
registry_get_url(struct registry *r, const char *url, const char *what)
{
	struct http_url u;
	const char *hdrs[1] = { NULL };
	int rc, redirects = 0;

	rc = http_url_parse(url, &u);
	if (rc < 0)
		return err_prefix(ERR_USAGE, "%s: URL %s", what, url);
	for (;;) {
		if (!u.https)
			return err_set(ERR_UNSUPPORTED, "%s: refusing %s: foreign "
			    "layers are fetched over https only", what, url);
		rc = exchange(r, &u, hdrs);
		if (rc < 0)
			return err_prefix(rc, "%s", what);
		rc = follow(r, &u, &redirects, what);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
	}
	if (r->resp.status == 200)
		return ERR_OK;
	return status_error(r, &u, what);
}

/* Seconds of a Retry-After header, or -1 (an HTTP date is not used). */
static long
retry_after_ms(const char *v)
{
	uint64_t s;

	switch (lex_dec_all(v, strlen(v), 86400, 0, &s)) {
	case LEX_DEC_OK:
		return (long)s * 1000;
	case LEX_DEC_OVER:
		return (long)REG_RETRY_AFTER_MAX_MS;
	default:
		return -1;
	}
}

int
registry_backoff(struct registry *r, int rc, unsigned attempt)
{
	char why[ERR_MSG_MAX];
	uint32_t delay;
	long ra;
	unsigned char rnd[2];

	if (rc != ERR_NET && rc != ERR_TIMEOUT)
		return rc;
	if (attempt >= r->opt.retries)
		return err_prefix(rc, "gave up after %u attempts", attempt + 1);
	/* Exponential, plus up to a quarter at random (registry.h). */
	delay = REG_BACKOFF_FIRST_MS;
	while (attempt-- > 0 && delay < REG_BACKOFF_MAX_MS)
		delay *= 2;
	if (port_entropy(rnd, sizeof rnd) == ERR_OK)
		delay += (uint32_t)(((uint64_t)(delay / 4) *
		    (unsigned)(rnd[0] | rnd[1] << 8)) >> 16);
	if (delay > REG_BACKOFF_MAX_MS)
		delay = REG_BACKOFF_MAX_MS;
	ra = retry_after_ms(r->resp.retry_after);
	if (ra >= 0)
		delay = ra > (long)REG_RETRY_AFTER_MAX_MS ? REG_RETRY_AFTER_MAX_MS :
		    (uint32_t)ra;
	if (r->deadline_ms != 0 && port_mono_ms() + delay >= r->deadline_ms)
		return err_prefix(ERR_TIMEOUT, "time limit of %u s reached",
		    (unsigned)r->opt.timeout_s);
	snprintf(why, sizeof why, "%s", err_msg());
	err_clear();
	r->retries_done++;
	{
		struct event ev;
		memset(&ev, 0, sizeof ev);
		ev.kind = EV_RETRY;
		ev.text = why;
		ev.attempt = r->retries_done;
		ev.delay_ms = delay;
		event_emit(&r->events, &ev);
	}
	port_sleep_ms(delay);
	return ERR_OK;
}

int
registry_get(struct registry *r, int kind, const char *reference,
    uint64_t offset, uint64_t size)
{
	unsigned attempt;
	int rc;

	for (attempt = 0;; attempt++) {
		r->resp.retry_after[0] = '\0';
		rc = get_once(r, kind, reference, offset, size);
		if (rc == ERR_OK)
			return ERR_OK;
		rc = registry_backoff(r, rc, attempt);
		if (rc < 0)
			return rc;
	}
}

const struct http_resp *
registry_response(const struct registry *r)
{
	return &r->resp;
}

int
registry_fetch(struct registry *r, int kind, const char *reference, char *buf,
    size_t cap, size_t *len)
{
	const uint8_t *p;
	size_t n, have;
	unsigned attempt;
	int rc;

	/* Documents are small: a body that breaks is fetched again whole. */
	for (attempt = 0;; attempt++) {
		rc = registry_get(r, kind, reference, 0, 0);
		if (rc < 0)
			return rc;
		if (r->resp.content_length > (int64_t)cap) {
			drop_conn(r);
			return err_set(ERR_NOMEM, "%s is %lld bytes, more than the %zu "
			    "this board keeps (raise BOARD_JSON_MAX)", reference,
			    (long long)r->resp.content_length, cap);
		}
		have = 0;
		while ((rc = registry_read(r, &p, &n)) == ERR_OK) {
			if (n > cap - have) {
				drop_conn(r);
				return err_set(ERR_NOMEM, "%s is more than the %zu bytes "
				    "this board keeps (raise BOARD_JSON_MAX)", reference, cap);
			}
			memcpy(buf + have, p, n);
			have += n;
		}
		if (rc == ERR_END) {
			*len = have;
			return ERR_OK;
		}
		r->refetched += have;
		rc = registry_backoff(r, rc, attempt);
		if (rc < 0)
			return rc;
	}
}

int
registry_init(struct registry *r, const struct ref *ref,
    const struct registry_opts *opts)
{
	memset(r, 0, sizeof *r);
	conn_init(&r->conn);
	r->ref = ref;
	r->opt = *opts;
	r->base.https = !opts->plain_http;
	snprintf(r->base.host, sizeof r->base.host, "%s", ref->host);
	r->base.port = ref->port != 0 ? ref->port : (r->base.https ? 443 : 80);
	snprintf(r->base.target, sizeof r->base.target, "/v2/");
	snprintf(r->root, sizeof r->root, "/v2");
	if (opts->timeout_s != 0)
		r->deadline_ms = port_mono_ms() + (uint64_t)opts->timeout_s * 1000u;
	if (load_proxy(r) < 0)
		return ERR_USAGE;
	return registry_load_creds(r);
}

void
registry_disconnect(struct registry *r)
{
	drop_conn(r);
}

void
registry_close(struct registry *r)
{
	drop_conn(r);
	conn_tls_free(&r->tls);
	memset(r->basic, 0, sizeof r->basic);
	memset(r->bearer, 0, sizeof r->bearer);
	r->auth = REG_AUTH_ANON;
}
