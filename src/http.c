/*
 * http.c: the response state machine and the request writer of http.h
 * (URLs are in http_url.c).
 *
 * The response parser reads lines (status, headers, chunk sizes, trailers)
 * one byte at a time into r->line, and hands body bytes out as spans of the
 * caller's input. Offsets in messages count bytes from http_resp_init().
 */
#include "http.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "err.h"
#include "lex.h"

/* Interim (1xx) responses skipped before the final one, at most. */
#define HTTP_INTERIM_MAX 8u

enum {
	S_STATUS = 0,   /* line states first */
	S_HEADER,
	S_CHUNK_SIZE,
	S_TRAILER,
	S_BODY,         /* Content-Length body */
	S_CLOSE_BODY,   /* body delimited by the end of the connection */
	S_CHUNK_DATA,
	S_CHUNK_CR,
	S_CHUNK_LF,
	S_DONE
};

/* Bytes shown of a peer's value inside a message. */
static int
show(size_t n)
{
	return n > 64 ? 64 : (int)n;
}

/* ---- response parser: lines ------------------------------------------ */

static const char *
line_what(const struct http_resp *r)
{
	switch (r->state) {
	case S_STATUS: return "status line";
	case S_HEADER: return "header line";
	case S_CHUNK_SIZE: return "chunk size line";
	default: return "trailer line";
	}
}

/* Take one byte of a line; 1 when the line is complete (CRLF seen). */
static int
line_byte(struct http_resp *r, uint8_t c)
{
	unsigned long long at = (unsigned long long)(r->offset - 1);

	if (r->cr) {
		if (c != '\n')
			return err_set(ERR_PROTO, "HTTP %s: CR not followed by "
			    "LF at byte %llu (lines end in CRLF)", line_what(r), at);
		r->cr = 0;
		return 1;
	}
	if (c == '\r') {
		r->cr = 1;
		return 0;
	}
	if (c == '\n')
		return err_set(ERR_PROTO, "HTTP %s ends in a bare LF at byte %llu "
		    "(expected CRLF)", line_what(r), at);
	if (lex_is_ctl(c) && c != '\t')
		return err_set(ERR_PROTO, "control byte 0x%02x in the HTTP %s "
		    "at byte %llu", (unsigned)c, line_what(r), at);
	if (r->line_len == sizeof r->line)
		return err_set(ERR_PROTO, "HTTP %s at byte %llu is longer than "
		    "BOARD_HTTP_LINE_MAX (%u bytes)", line_what(r),
		    at - (unsigned long long)r->line_len,
		    (unsigned)BOARD_HTTP_LINE_MAX);
	r->line[r->line_len++] = (char)c;
	return 0;
}

/* "HTTP/1.x NNN reason", the reason possibly empty or absent. */
static int
parse_status(struct http_resp *r, unsigned long long at)
{
	const char *p = r->line;
	size_t n = r->line_len;

	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
	    p[9] < '1' || p[9] > '5' || !lex_is_digit(p[10]) ||
	    !lex_is_digit(p[11]) || (n > 12 && p[12] != ' '))
		return err_set(ERR_PROTO, "bad HTTP status line \"%.*s\" at byte "
		    "%llu (expected \"HTTP/1.1 NNN reason\")", show(n), p, at);
	r->minor = p[7] - '0';
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (r->status == 101)
		return err_set(ERR_PROTO, "HTTP 101 Switching Protocols at byte "
		    "%llu was not asked for", at);
	r->state = S_HEADER;
	r->nlines = 0;
	return 0;
}

/* Content-Length: digits, or a list of equal numbers ("5, 5"). */
static int
parse_content_length(struct http_resp *r, const char *v, size_t n,
    unsigned long long at)
{
	size_t k = 0;

	for (;;) {
		uint64_t val = 0;
		size_t nd = 0;
		enum lex_dec_result dr;

		while (k < n && lex_is_ows(v[k]))
			k++;
		dr = lex_dec(v + k, n - k, HTTP_BODY_MAX, 0, &val, &nd);
		if (dr == LEX_DEC_OVER)
			return err_set(ERR_PROTO, "Content-Length \"%.*s\" at byte "
			    "%llu is above 2^62", show(n), v, at);
		k += nd;
		while (k < n && lex_is_ows(v[k]))
			k++;
		if (dr != LEX_DEC_OK || (k < n && v[k] != ','))
			return err_set(ERR_PROTO, "Content-Length \"%.*s\" at byte "
			    "%llu is not a decimal number", show(n), v, at);
		if (r->cl_seen && (uint64_t)r->content_length != val)
			return err_set(ERR_PROTO, "conflicting Content-Length "
			    "values %lld and %llu at byte %llu",
			    (long long)r->content_length,
			    (unsigned long long)val, at);
		r->cl_seen = 1;
		r->content_length = (int64_t)val;
		if (k == n)
			return 0;
		k++;
	}
}

/*
 * The next element of the comma-separated list v[0..n) from *k on, white
 * space around it removed, into *e; empty elements are skipped. 0 when
 * the list has no more.
 */
static int
list_next(const char *v, size_t n, size_t *k, struct lex_view *e)
{
	while (*k < n) {
		size_t e0, e1;

		while (*k < n && (lex_is_ows(v[*k]) || v[*k] == ','))
			++*k;
		e0 = *k;
		while (*k < n && v[*k] != ',')
			++*k;
		e1 = *k;
		while (e1 > e0 && lex_is_ows(v[e1 - 1]))
			e1--;
		if (e1 > e0) {
			*e = lex_view(v + e0, e1 - e0);
			return 1;
		}
	}
	return 0;
}

/* Transfer-Encoding: exactly one "chunked", nothing else. */
static int
parse_transfer_encoding(struct http_resp *r, const char *v, size_t n,
    unsigned long long at)
{
	struct lex_view e;
	size_t k = 0;
	int any = 0;

	while (list_next(v, n, &k, &e)) {
		any = 1;
		if (!lex_ieq_str(e, "chunked"))
			return err_set(ERR_PROTO, "unsupported Transfer-Encoding "
			    "\"%.*s\" at byte %llu (only chunked is accepted)",
			    show(e.n), e.p, at);
		if (r->chunked)
			return err_set(ERR_PROTO, "Transfer-Encoding at byte %llu "
			    "applies chunked more than once", at);
		r->chunked = 1;
	}
	if (!any)
		return err_set(ERR_PROTO, "empty Transfer-Encoding at byte %llu",
		    at);
	r->te_seen = 1;
	return 0;
}

static void
parse_connection(struct http_resp *r, const char *v, size_t n)
{
	struct lex_view e;
	size_t k = 0;

	while (list_next(v, n, &k, &e)) {
		if (lex_ieq_str(e, "close"))
			r->close = 1;
		else if (lex_ieq_str(e, "keep-alive"))
			r->conn_keepalive = 1;
	}
}

/* Keep a single-valued header; a repeat must carry the same value. */
static int
field_set(char *dst, size_t cap, const char *v, size_t n, const char *name,
    unsigned long long at)
{
	size_t cur = strlen(dst);

	if (n >= cap)
		return err_set(ERR_PROTO, "%s header at byte %llu is %zu bytes "
		    "long (at most %zu)", name, at, n, cap - 1);
	if (cur != 0 && (cur != n || memcmp(dst, v, n) != 0))
		return err_set(ERR_PROTO, "conflicting %s headers (second at "
		    "byte %llu)", name, at);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* Join repeated headers with ", " (a list-valued field). */
static int
field_append(char *dst, size_t cap, const char *v, size_t n,
    const char *name, unsigned long long at)
{
	size_t cur = strlen(dst), sep = cur != 0 ? 2 : 0;

	if (n == 0)
		return 0;
	if (cur + sep + n >= cap)
		return err_set(ERR_PROTO, "%s headers up to byte %llu are longer "
		    "than %zu bytes", name, at, cap - 1);
	if (sep != 0)
		memcpy(dst + cur, ", ", 2);
	memcpy(dst + cur + sep, v, n);
	dst[cur + sep + n] = '\0';
	return 0;
}

/* The single-valued headers kept, by name (matched ignoring case). */
#define KEPT(name, field) { name, offsetof(struct http_resp, field), \
	sizeof ((struct http_resp *)0)->field }
static const struct { const char *name; size_t off, cap; } kept[] = {
	KEPT("Location", location),
	KEPT("Content-Type", content_type),
	KEPT("Docker-Content-Digest", docker_digest),
	KEPT("Content-Range", content_range),
	KEPT("Retry-After", retry_after),
};
#undef KEPT

/* One "Name: value" header or trailer line. */
static int
parse_header(struct http_resp *r, unsigned long long at, int trailer)
{
	const char *p = r->line;
	size_t n = r->line_len, k, v0, v1, f;
	const char *v;
	struct lex_view name;

	if (++r->nlines > BOARD_HTTP_HEADERS_MAX)
		return err_set(ERR_PROTO, "more than BOARD_HTTP_HEADERS_MAX "
		    "(%u) HTTP %s lines (at byte %llu)",
		    (unsigned)BOARD_HTTP_HEADERS_MAX,
		    trailer ? "trailer" : "header", at);
	if (lex_is_ows(p[0]))
		return err_set(ERR_PROTO, "HTTP %s at byte %llu starts with white "
		    "space (obs-fold continuation lines are refused)",
		    line_what(r), at);
	for (k = 0; k < n && lex_is_tchar((unsigned char)p[k]); k++)
		;
	if (k < n && lex_is_ows(p[k]))
		return err_set(ERR_PROTO, "white space before ':' in HTTP header "
		    "\"%.*s\" at byte %llu", show(k), p, at);
	if (k == 0 || k == n || p[k] != ':')
		return err_set(ERR_PROTO, "malformed HTTP %s \"%.*s\" at byte %llu "
		    "(expected Name: value)", line_what(r), show(n), p, at);
	v0 = k + 1;
	while (v0 < n && lex_is_ows(p[v0]))
		v0++;
	v1 = n;
	while (v1 > v0 && lex_is_ows(p[v1 - 1]))
		v1--;
	if (trailer)
		return 0;
	v = p + v0;
	n = v1 - v0;
	name = lex_view(p, k);
	if (lex_ieq_str(name, "content-length"))
		return parse_content_length(r, v, n, at);
	if (lex_ieq_str(name, "transfer-encoding"))
		return parse_transfer_encoding(r, v, n, at);
	if (lex_ieq_str(name, "connection")) {
		parse_connection(r, v, n);
		return 0;
	}
	if (lex_ieq_str(name, "www-authenticate"))
		return field_append(r->www_authenticate,
		    sizeof r->www_authenticate, v, n, "WWW-Authenticate", at);
	for (f = 0; f < sizeof kept / sizeof kept[0]; f++)
		if (lex_ieq_str(name, kept[f].name))
			return field_set((char *)r + kept[f].off, kept[f].cap, v,
			    n, kept[f].name, at);
	return 0;
}

/* The empty line after the headers: decide how the body is delimited. */
static int
headers_end(struct http_resp *r, unsigned long long at)
{
	if (r->cl_seen && r->te_seen)
		return err_set(ERR_PROTO, "HTTP response has both Content-Length "
		    "and Transfer-Encoding (refused: request smuggling risk; "
		    "headers end at byte %llu)", at);
	if (r->status < 200) {
		/* Interim response (100 Continue, 103 Early Hints): skip it
		 * and parse what follows as a new response. */
		int head = r->head_request;
		unsigned interim = r->interim + 1;
		uint64_t offset = r->offset;

		if (interim > HTTP_INTERIM_MAX)
			return err_set(ERR_PROTO, "more than %u interim 1xx HTTP "
			    "responses (at byte %llu)", HTTP_INTERIM_MAX, at);
		http_resp_init(r, head);
		r->interim = interim;
		r->offset = offset;
		return 0;
	}
	if (r->minor == 0 && (!r->conn_keepalive || r->te_seen))
		r->close = 1;
	r->hdone = 1;
	if (r->head_request || r->status == 204 || r->status == 304) {
		r->state = S_DONE;
	} else if (r->te_seen) {
		r->state = S_CHUNK_SIZE;
	} else if (r->cl_seen) {
		r->remaining = (uint64_t)r->content_length;
		r->state = r->remaining != 0 ? S_BODY : S_DONE;
	} else {
		r->close = 1;
		r->state = S_CLOSE_BODY;
	}
	return 0;
}

/* "1a2b[;ext...]": at most 15 hex digits, extensions ignored. */
static int
parse_chunk_size(struct http_resp *r, unsigned long long at)
{
	const char *p = r->line;
	size_t n = r->line_len, k;
	uint64_t val = 0;
	int h;

	for (k = 0; k < n && (h = lex_hex_val((unsigned char)p[k])) >= 0; k++) {
		if (k == 15)
			return err_set(ERR_PROTO, "chunk size \"%.*s\" at byte %llu "
			    "has more than 15 hex digits", show(n), p, at);
		val = val * 16 + (unsigned)h;
	}
	if (k == 0)
		return err_set(ERR_PROTO, "bad chunk size \"%.*s\" at byte %llu "
		    "(expected hex digits)", show(n), p, at);
	while (k < n && lex_is_ows(p[k]))
		k++;
	if (k < n && p[k] != ';')
		return err_set(ERR_PROTO, "bad chunk size \"%.*s\" at byte %llu "
		    "(expected hex digits, then ';' extensions or CRLF)", show(n),
		    p, at);
	if (val > HTTP_BODY_MAX - r->body_received)
		return err_set(ERR_PROTO, "chunked body above 2^62 bytes (chunk "
		    "size at byte %llu)", at);
	if (val == 0) {
		r->state = S_TRAILER;
		r->nlines = 0;
	} else {
		r->remaining = val;
		r->state = S_CHUNK_DATA;
	}
	return 0;
}

/* A whole line is in r->line[0..line_len): act on it. */
static int
line_done(struct http_resp *r)
{
	unsigned long long at =
	    (unsigned long long)(r->offset - r->line_len - 2);
	int rc;

	switch (r->state) {
	case S_STATUS:
		rc = parse_status(r, at);
		break;
	case S_HEADER:
		rc = r->line_len == 0 ? headers_end(r, at) :
		    parse_header(r, at, 0);
		break;
	case S_CHUNK_SIZE:
		rc = parse_chunk_size(r, at);
		break;
	case S_TRAILER:
		if (r->line_len == 0) {
			r->state = S_DONE;
			rc = 0;
		} else {
			rc = parse_header(r, at, 1);
		}
		break;
	default:
		rc = err_set(ERR_INTERNAL, "http: line in state %d", r->state);
		break;
	}
	r->line_len = 0;
	return rc;
}

/* ---- response parser: public ----------------------------------------- */

void
http_resp_init(struct http_resp *r, int head_request)
{
	memset(r, 0, sizeof *r);
	r->state = S_STATUS;
	r->head_request = head_request != 0;
	r->content_length = -1;
}

int
http_resp_headers_done(const struct http_resp *r)
{
	return r->hdone;
}

static int
resp_fail(struct http_resp *r, int rc)
{
	r->err = rc;
	return rc;
}

int
http_resp_push(struct http_resp *r, const uint8_t *in, size_t len,
    size_t *consumed, const uint8_t **body, size_t *body_len)
{
	size_t i = 0, n;
	int rc;
	uint8_t c;

	*consumed = 0;
	*body = NULL;
	*body_len = 0;
	if (r->err != 0)
		return r->err;
	while (r->state != S_DONE) {
		if (i == len) {
			*consumed = i;
			return ERR_AGAIN;
		}
		switch (r->state) {
		case S_STATUS:
		case S_HEADER:
		case S_CHUNK_SIZE:
		case S_TRAILER:
			c = in[i++];
			r->offset++;
			rc = line_byte(r, c);
			if (rc == 1)
				rc = line_done(r);
			if (rc < 0) {
				*consumed = i;
				return resp_fail(r, rc);
			}
			break;
		case S_BODY:
		case S_CLOSE_BODY:
		case S_CHUNK_DATA:
			if (*body_len != 0) {
				/* One span per call: the caller uses it first. */
				*consumed = i;
				return ERR_AGAIN;
			}
			n = len - i;
			if (r->state != S_CLOSE_BODY && (uint64_t)n > r->remaining)
				n = (size_t)r->remaining;
			*body = in + i;
			*body_len = n;
			i += n;
			r->offset += n;
			r->body_received += n;
			if (r->state == S_CLOSE_BODY)
				break;
			r->remaining -= n;
			if (r->remaining == 0)
				r->state = r->state == S_BODY ? S_DONE : S_CHUNK_CR;
			break;
		case S_CHUNK_CR:
		case S_CHUNK_LF:
			c = in[i++];
			r->offset++;
			if (c != (r->state == S_CHUNK_CR ? '\r' : '\n')) {
				*consumed = i;
				return resp_fail(r, err_set(ERR_PROTO, "chunk data "
				    "not followed by CRLF at byte %llu",
				    (unsigned long long)(r->offset - 1)));
			}
			r->state = r->state == S_CHUNK_CR ? S_CHUNK_LF :
			    S_CHUNK_SIZE;
			break;
		default:
			*consumed = i;
			return resp_fail(r, err_set(ERR_INTERNAL,
			    "http: bad parser state %d", r->state));
		}
	}
	*consumed = i;
	return ERR_END;
}

int
http_resp_eof(struct http_resp *r)
{
	unsigned long long got = (unsigned long long)r->body_received;

	if (r->err != 0)
		return r->err;
	switch (r->state) {
	case S_DONE:
		return ERR_END;
	case S_CLOSE_BODY:
		r->state = S_DONE;
		return ERR_END;
	case S_STATUS:
		if (r->offset == 0)
			return resp_fail(r, err_set(ERR_NET, "connection closed "
			    "before the response"));
		/* FALLTHROUGH */
	case S_HEADER:
		return resp_fail(r, err_set(ERR_NET, "connection closed in the "
		    "response headers after %llu bytes",
		    (unsigned long long)r->offset));
	case S_BODY:
		return resp_fail(r, err_set(ERR_NET, "connection closed after "
		    "%llu of %lld body bytes", got, (long long)r->content_length));
	default:
		return resp_fail(r, err_set(ERR_NET, "connection closed in a "
		    "chunked body after %llu body bytes", got));
	}
}

/* ---- request writer -------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len;
	int over;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (o->over || n >= o->cap - o->len) {
		o->over = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* Offset of the first byte of s that may not appear in a request field
 * (control bytes; space too when no_space), or -1. */
static long
bad_byte(const char *s, int no_space)
{
	size_t k;

	for (k = 0; s[k] != '\0' && k < (size_t)LONG_MAX; k++) {
		unsigned char c = (unsigned char)s[k];

		if ((lex_is_ctl(c) && c != '\t') || (no_space && lex_is_ows(c)))
			return (long)k;
	}
	return -1;
}

long
http_req_write(char *buf, size_t cap, const char *method,
    const char *host_header, const char *target,
    const char *const *extra_headers)
{
	struct out o;
	size_t k;
	long at;

	if (method[0] == '\0')
		return err_set(ERR_PROTO, "empty HTTP method");
	for (k = 0; method[k] != '\0'; k++)
		if (!lex_is_tchar((unsigned char)method[k]))
			return err_set(ERR_PROTO, "HTTP method has a bad byte "
			    "0x%02x at offset %zu", (unsigned)(unsigned char)
			    method[k], k);
	if (host_header[0] == '\0')
		return err_set(ERR_PROTO, "empty Host header");
	if ((at = bad_byte(host_header, 1)) >= 0)
		return err_set(ERR_PROTO, "Host header has a space, CR, LF or "
		    "control byte at offset %ld", at);
	if (target[0] == '\0')
		return err_set(ERR_PROTO, "empty HTTP request target");
	if ((at = bad_byte(target, 1)) >= 0)
		return err_set(ERR_PROTO, "HTTP request target has a space, CR, "
		    "LF or control byte at offset %ld", at);
	for (k = 0; extra_headers != NULL && extra_headers[k] != NULL; k++) {
		const char *h = extra_headers[k];
		size_t nl;

		for (nl = 0; lex_is_tchar((unsigned char)h[nl]); nl++)
			;
		if (nl == 0 || h[nl] != ':')
			return err_set(ERR_PROTO, "extra HTTP header %zu is not "
			    "\"Name: value\" (bad byte at offset %zu)", k, nl);
		if ((at = bad_byte(h + nl, 0)) >= 0)
			return err_set(ERR_PROTO, "extra HTTP header \"%.*s\" has "
			    "CR, LF or a control byte at offset %ld", show(nl), h,
			    (long)nl + at);
		if (lex_ieq_str(lex_view(h, nl), "host") ||
		    lex_ieq_str(lex_view(h, nl), "user-agent"))
			return err_set(ERR_USAGE, "extra HTTP header %.*s is "
			    "always written by http_req_write", show(nl), h);
	}
	if (cap == 0)
		return err_set(ERR_NOMEM, "no room for the HTTP request");
	o.buf = buf;
	o.cap = cap;
	o.len = 0;
	o.over = 0;
	buf[0] = '\0';
	out_str(&o, method);
	out_put(&o, " ", 1);
	out_str(&o, target);
	out_str(&o, " HTTP/1.1\r\nHost: ");
	out_str(&o, host_header);
	out_str(&o, "\r\nUser-Agent: " HTTP_USER_AGENT "\r\n");
	for (k = 0; extra_headers != NULL && extra_headers[k] != NULL; k++) {
		out_str(&o, extra_headers[k]);
		out_put(&o, "\r\n", 2);
	}
	out_put(&o, "\r\n", 2);
	if (o.over || o.len > (size_t)LONG_MAX)
		return err_set(ERR_NOMEM, "HTTP %s request for %.*s does not fit "
		    "in %zu bytes", method, show(strlen(target)), target, cap);
	return (long)o.len;
}
