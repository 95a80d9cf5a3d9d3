/*
 * http_url.c: URL parsing, Location resolution and origins of http_url.h.
 */
#include "http_url.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"

/* Longest URL or Location value looked at. */
#define HTTP_URL_MAX 8192u

/* Bytes shown of a URL inside a message. */
static int
show(size_t n)
{
	return n > 64 ? 64 : (int)n;
}

/* Length of s; refuses spaces, control bytes and overlong strings. */
static int
url_check(const char *s, size_t *len, int code, const char *what)
{
	size_t k;

	for (k = 0; s[k] != '\0'; k++) {
		unsigned char c = (unsigned char)s[k];

		if (k == HTTP_URL_MAX)
			return err_set(code, "%s is longer than %u bytes", what,
			    HTTP_URL_MAX);
		if (c <= 0x20 || c == 0x7f)
			return err_set(code, "%s \"%.*s\" has a space or control "
			    "byte at offset %zu", what, show(k), s, k);
	}
	*len = k;
	return 0;
}

/* Length of the scheme when s starts with "scheme:", else 0. */
static size_t
scheme_len(const char *s, size_t n)
{
	size_t k;

	if (n == 0 || !lex_is_alpha((unsigned char)s[0]))
		return 0;
	for (k = 1; k < n; k++) {
		int c = (unsigned char)s[k];

		if (c == ':')
			return k;
		if (!lex_is_alnum(c) && c != '+' && c != '-' && c != '.')
			return 0;
	}
	return 0;
}

/* Remove "." and ".." segments in place (RFC 3986 5.2.4); new length. */
static size_t
remove_dots(char *p, size_t n)
{
	size_t i = 0, o = 0;

#define REST(s) (n - i == sizeof(s) - 1 && memcmp(p + i, s, n - i) == 0)
#define STARTS(s) (n - i >= sizeof(s) - 1 && memcmp(p + i, s, sizeof(s) - 1) == 0)
	while (i < n) {
		if (STARTS("../")) {
			i += 3;
		} else if (STARTS("./")) {
			i += 2;
		} else if (STARTS("/./")) {
			i += 2;
		} else if (REST("/.")) {
			i += 1;
			p[i] = '/';
		} else if (STARTS("/../") || REST("/..")) {
			if (REST("/..")) {
				i += 2;
				p[i] = '/';
			} else {
				i += 3;
			}
			while (o > 0 && p[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (REST(".") || REST("..")) {
			i = n;
		} else {
			do
				p[o++] = p[i++];
			while (i < n && p[i] != '/');
		}
	}
#undef REST
#undef STARTS
	return o;
}

/*
 * Set u->target to dir + path (dot segments removed, "/" when empty) and
 * then query (with its '?', may be empty).
 */
static int
url_set_target(struct http_url *u, const char *dir, size_t dlen,
    const char *path, size_t plen, const char *query, size_t qlen, int code)
{
	size_t n;

	if (dlen + plen >= sizeof u->target ||
	    qlen >= sizeof u->target - (dlen + plen) - 1)
		return err_set(code, "URL path and query are longer than %zu "
		    "bytes", sizeof u->target - 2);
	memmove(u->target, dir, dlen);
	memmove(u->target + dlen, path, plen);
	n = remove_dots(u->target, dlen + plen);
	if (n == 0)
		u->target[n++] = '/';
	memmove(u->target + n, query, qlen);
	u->target[n + qlen] = '\0';
	return 0;
}

/* Split s[0..n) into path, query ("?..." or empty); the fragment goes. */
static void
url_split(const char *s, size_t n, size_t *plen, const char **query,
    size_t *qlen)
{
	size_t k, q;

	for (k = 0; k < n && s[k] != '?' && s[k] != '#'; k++)
		;
	*plen = k;
	for (q = k; q < n && s[q] != '#'; q++)
		;
	*query = s + k;
	*qlen = q - k;
}

static int
is_host_char(int c)
{
	return lex_is_alnum(c) || c == '-' || c == '.' || c == '_';
}

/* "host[:port]" or "[v6]:port"; u->https must be set. */
static int
url_authority(const char *s, size_t n, struct http_url *u, int code)
{
	size_t k, h0, hlen, nd;
	uint64_t port;

	if (memchr(s, '@', n) != NULL)
		return err_set(code, "user info in URL authority \"%.*s\" is "
		    "refused (no credentials in URLs)", show(n), s);
	if (n == 0)
		return err_set(code, "URL has an empty host");
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close == NULL)
			return err_set(code, "URL host \"%.*s\": '[' without ']'",
			    show(n), s);
		h0 = 1;
		hlen = (size_t)(close - s) - 1;
		k = hlen + 2;
		if (hlen == 0 || memchr(s + 1, ':', hlen) == NULL)
			return err_set(code, "URL host \"%.*s\" is not an IPv6 "
			    "address", show(n), s);
		for (nd = 0; nd < hlen; nd++) {
			int c = (unsigned char)s[1 + nd];

			if (lex_hex_val(c) < 0 && c != ':' && c != '.')
				return err_set(code, "URL host \"%.*s\": bad byte "
				    "'%c' in an IPv6 address", show(n), s, c);
		}
	} else {
		h0 = 0;
		for (k = 0; k < n && s[k] != ':'; k++)
			if (!is_host_char((unsigned char)s[k]))
				return err_set(code, "URL host \"%.*s\": bad byte "
				    "'%c' at offset %zu", show(n), s, s[k], k);
		hlen = k;
		if (hlen == 0)
			return err_set(code, "URL has an empty host");
	}
	if (hlen >= sizeof u->host)
		return err_set(code, "URL host is longer than %zu bytes",
		    sizeof u->host - 1);
	lex_lower_copy(u->host, s + h0, hlen);
	u->host[hlen] = '\0';
	u->port = u->https ? 443 : 80;
	if (k == n)
		return 0;
	if (s[k] != ':')
		return err_set(code, "URL authority \"%.*s\": expected ':' "
		    "after the host", show(n), s);
	if (++k == n)
		return 0;       /* "host:" means the default port */
	/* Up to five digits, leading zeros allowed ("00080"). */
	if (n - k > 5 || lex_dec_all(s + k, n - k, 99999, 0, &port) !=
	    LEX_DEC_OK)
		return err_set(code, "URL authority \"%.*s\": bad port "
		    "(expected 1..65535)", show(n), s);
	if (port == 0 || port > 65535)
		return err_set(code, "URL port %llu is out of range 1..65535",
		    (unsigned long long)port);
	u->port = (uint16_t)port;
	return 0;
}

/* s[0..n) follows "scheme://": authority, path, query, fragment. */
static int
url_after_scheme(const char *s, size_t n, struct http_url *u, int code)
{
	size_t a, plen, qlen;
	const char *query;
	int rc;

	for (a = 0; a < n && s[a] != '/' && s[a] != '?' && s[a] != '#'; a++)
		;
	if ((rc = url_authority(s, a, u, code)) < 0)
		return rc;
	url_split(s + a, n - a, &plen, &query, &qlen);
	return url_set_target(u, "", 0, s + a, plen, query, qlen, code);
}

static int
url_absolute(const char *s, size_t n, struct http_url *u, int code)
{
	size_t sl = scheme_len(s, n);

	if (sl == 0)
		return err_set(code, "URL \"%.*s\" has no scheme (expected "
		    "http:// or https://)", show(n), s);
	if (lex_ieq_str(lex_view(s, sl), "http"))
		u->https = 0;
	else if (lex_ieq_str(lex_view(s, sl), "https"))
		u->https = 1;
	else
		return err_set(code, "unsupported URL scheme \"%.*s\" (expected "
		    "http or https)", show(sl), s);
	if (n - sl - 1 < 2 || s[sl + 1] != '/' || s[sl + 2] != '/')
		return err_set(code, "URL \"%.*s\": expected \"//\" after the "
		    "scheme", show(n), s);
	return url_after_scheme(s + sl + 3, n - sl - 3, u, code);
}

int
http_url_parse(const char *s, struct http_url *u)
{
	struct http_url t;
	size_t n;
	int rc;

	memset(&t, 0, sizeof t);
	if ((rc = url_check(s, &n, ERR_USAGE, "URL")) < 0 ||
	    (rc = url_absolute(s, n, &t, ERR_USAGE)) < 0)
		return rc;
	*u = t;
	return ERR_OK;
}

int
http_url_resolve(const struct http_url *base, const char *location,
    struct http_url *out)
{
	struct http_url b = *base, t;
	const char *s = location, *query, *bq;
	size_t n, plen, qlen, blen, dlen;
	int rc;

	memset(&t, 0, sizeof t);
	if ((rc = url_check(s, &n, ERR_PROTO, "Location")) < 0)
		return rc;
	if (scheme_len(s, n) != 0) {
		rc = url_absolute(s, n, &t, ERR_PROTO);
	} else if (n >= 2 && s[0] == '/' && s[1] == '/') {
		t.https = b.https;
		rc = url_after_scheme(s + 2, n - 2, &t, ERR_PROTO);
	} else {
		t.https = b.https;
		t.port = b.port;
		memcpy(t.host, b.host, sizeof t.host);
		url_split(s, n, &plen, &query, &qlen);
		/* The base path, without its query. */
		for (blen = 0; b.target[blen] != '\0' && b.target[blen] != '?';
		    blen++)
			;
		bq = b.target + blen;
		if (plen == 0) {
			/* "", "#f" or "?q": the base path, the base query
			 * unless the reference has its own. */
			if (qlen == 0) {
				query = bq;
				qlen = strlen(bq);
			}
			rc = url_set_target(&t, b.target, blen, "", 0, query,
			    qlen, ERR_PROTO);
		} else if (s[0] == '/') {
			rc = url_set_target(&t, "", 0, s, plen, query, qlen,
			    ERR_PROTO);
		} else {
			/* Merge: the base path up to its last '/'. */
			for (dlen = blen; dlen > 0 && b.target[dlen - 1] != '/';
			    dlen--)
				;
			rc = url_set_target(&t, b.target, dlen, s, plen, query,
			    qlen, ERR_PROTO);
		}
	}
	if (rc < 0)
		return rc;
	*out = t;
	return ERR_OK;
}

int
http_url_same_origin(const struct http_url *a, const struct http_url *b)
{
	if (a->https != b->https || a->port != b->port)
		return 0;
	return lex_ieq(lex_field(a->host, sizeof a->host),
	    lex_field(b->host, sizeof b->host));
}

long
http_url_host_header(const struct http_url *u, char *buf, size_t cap)
{
	int v6 = strchr(u->host, ':') != NULL;
	int n;

	if (u->port == (u->https ? 443 : 80))
		n = snprintf(buf, cap, "%s%s%s", v6 ? "[" : "", u->host,
		    v6 ? "]" : "");
	else
		n = snprintf(buf, cap, "%s%s%s:%u", v6 ? "[" : "", u->host,
		    v6 ? "]" : "", (unsigned)u->port);
	if (n < 0 || (size_t)n >= cap)
		return err_set(ERR_NOMEM, "Host header for %s does not fit in %zu "
		    "bytes", u->host, cap);
	return n;
}

long
http_url_format(const struct http_url *u, char *buf, size_t cap)
{
	long h;
	int n;

	if (cap < 9)
		return err_set(ERR_NOMEM, "URL does not fit in %zu bytes", cap);
	n = snprintf(buf, cap, "%s://", u->https ? "https" : "http");
	if ((h = http_url_host_header(u, buf + n, cap - (size_t)n)) < 0)
		return h;
	n += (int)h;
	if (strlen(u->target) >= cap - (size_t)n)
		return err_set(ERR_NOMEM, "URL does not fit in %zu bytes", cap);
	memcpy(buf + n, u->target, strlen(u->target) + 1);
	return n + (long)strlen(u->target);
}

int
http_url_encode(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = lex_is_alnum(c) || c == '-' || c == '.' ||
		    c == '_' || c == '~';
		if (o + 4 > cap)
			return err_set(ERR_NOMEM, "URL parameter too long");
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			lex_hex_encode(out + o, &c, 1, 1);
			o += 2;
		}
	}
	out[o] = '\0';
	return ERR_OK;
}

int
http_url_no_proxy(const char *list, const char *host)
{
	const char *p = list;
	size_t hl = strlen(host);

	while (*p != '\0') {
		size_t n;

		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ", :");
		if (n == 1 && p[0] == '*')
			return 1;
		if (n > 0 && p[0] == '.') {
			p++;
			n--;
		}
		if (n > 0 && n <= hl &&
		    lex_ieq(lex_view(p, n), lex_view(host + hl - n, n)) &&
		    (n == hl || host[hl - n - 1] == '.'))
			return 1;
		p += n;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return 0;
}
