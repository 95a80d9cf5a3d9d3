/*
 * fuzz_http.c: libFuzzer target for src/http.c: the response parser and
 * the URL helpers.
 *
 * Response parser: the input (after a first byte that chooses HEAD and the
 * split point) is fed whole, split in two at the chosen point, and, when
 * short, byte by byte; the three runs must agree on the result, the bytes
 * consumed, the status, framing and the body. Checked in every call:
 * consumed within the input, body spans inside the input, body only after
 * the headers, ERR_AGAIN with input consumes something.
 * URLs: the input is cut at NUL bytes; http_url_parse on the first slice,
 * http_url_resolve of the second slice against it and against a fixed
 * base, and http_url_format / http_url_host_header / http_req_write on
 * what parsed (a formatted URL must parse back to the same URL).
 */
#include "fuzz.h"

#include "err.h"
#include "http.h"
#include "http_url.h"

#define BYTEWISE_MAX 4096u

struct run {
	int rc, eof_rc;
	size_t consumed;
	int status, chunked, close, hdone;
	int64_t content_length;
	size_t body_len;
	uint8_t *body;
};

static struct http_resp r;
static uint8_t bodies[3][1u << 20];

/* Feed in[0..len) as pieces of at most step bytes (0: one piece), or in
 * two pieces at split when step is SIZE_MAX. */
static void
run_resp(const uint8_t *in, size_t len, int head, size_t step, size_t split,
    struct run *out, uint8_t *bodybuf)
{
	size_t off = 0;
	int rc = ERR_AGAIN;

	http_resp_init(&r, head);
	err_clear();
	out->body = bodybuf;
	out->body_len = 0;
	while (off < len) {
		size_t end = len;

		if (step == SIZE_MAX)
			end = off < split ? split : len;
		else if (step != 0 && len - off > step)
			end = off + step;
		while (off < end) {
			size_t used = (size_t)-1, blen = (size_t)-1;
			const uint8_t *body = NULL;

			rc = http_resp_push(&r, in + off, end - off, &used,
			    &body, &blen);
			FUZZ_CHECK(used <= end - off);
			FUZZ_CHECK(blen <= end - off);
			if (blen > 0) {
				FUZZ_CHECK(http_resp_headers_done(&r));
				FUZZ_CHECK(body >= in + off &&
				    body + blen <= in + off + used);
				FUZZ_CHECK(out->body_len + blen <= len);
				memcpy(bodybuf + out->body_len, body, blen);
				out->body_len += blen;
			}
			off += used;
			if (rc != ERR_AGAIN)
				break;
			FUZZ_CHECK(used > 0);
		}
		if (rc != ERR_AGAIN)
			break;
	}
	if (rc == ERR_END) {
		size_t used = 1, blen = 1;
		const uint8_t *body;

		/* Later calls return ERR_END and consume nothing. */
		FUZZ_CHECK(http_resp_push(&r, in + off, len - off, &used,
		    &body, &blen) == ERR_END);
		FUZZ_CHECK(used == 0 && blen == 0);
		FUZZ_CHECK(http_resp_headers_done(&r));
	}
	if (rc == ERR_PROTO)
		FUZZ_CHECK(err_msg()[0] != '\0');
	FUZZ_CHECK(rc == ERR_AGAIN || rc == ERR_END || rc == ERR_PROTO);
	out->rc = rc;
	out->consumed = off;
	out->hdone = http_resp_headers_done(&r);
	if (out->hdone) {
		FUZZ_CHECK(r.status >= 100 && r.status <= 599);
		FUZZ_CHECK(fuzz_terminated(r.location, sizeof r.location));
		FUZZ_CHECK(fuzz_terminated(r.www_authenticate,
		    sizeof r.www_authenticate));
		FUZZ_CHECK(fuzz_terminated(r.content_type,
		    sizeof r.content_type));
		FUZZ_CHECK(fuzz_terminated(r.docker_digest,
		    sizeof r.docker_digest));
		FUZZ_CHECK(fuzz_terminated(r.content_range,
		    sizeof r.content_range));
		FUZZ_CHECK(fuzz_terminated(r.retry_after,
		    sizeof r.retry_after));
		FUZZ_CHECK(r.body_received == out->body_len);
	}
	out->status = out->hdone ? r.status : 0;
	out->chunked = out->hdone ? r.chunked : 0;
	out->close = out->hdone ? r.close : 0;
	out->content_length = out->hdone ? r.content_length : 0;
	out->eof_rc = http_resp_eof(&r);
	FUZZ_CHECK(out->eof_rc == ERR_END || out->eof_rc == ERR_NET ||
	    out->eof_rc == ERR_PROTO);
	if (rc == ERR_END)
		FUZZ_CHECK(out->eof_rc == ERR_END);
}

static void
same(const struct run *a, const struct run *b)
{
	FUZZ_CHECK(a->rc == b->rc);
	FUZZ_CHECK(a->eof_rc == b->eof_rc);
	FUZZ_CHECK(a->consumed == b->consumed);
	FUZZ_CHECK(a->hdone == b->hdone);
	FUZZ_CHECK(a->status == b->status);
	FUZZ_CHECK(a->chunked == b->chunked);
	FUZZ_CHECK(a->close == b->close);
	FUZZ_CHECK(a->content_length == b->content_length);
	FUZZ_CHECK(a->body_len == b->body_len);
	FUZZ_CHECK(memcmp(a->body, b->body, a->body_len) == 0);
}

static struct http_url u1, u2, u3;
static char text[8192], text2[8192];

static void
check_url(const struct http_url *u)
{
	long n;

	FUZZ_CHECK(fuzz_terminated(u->host, sizeof u->host));
	FUZZ_CHECK(fuzz_terminated(u->target, sizeof u->target));
	FUZZ_CHECK(u->host[0] != '\0');
	FUZZ_CHECK(u->target[0] == '/' || u->target[0] == '?');
	FUZZ_CHECK(u->port != 0);
	n = http_url_host_header(u, text, sizeof text);
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(text));
	n = http_url_format(u, text, sizeof text);
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(text));
	/* Round trip. */
	FUZZ_CHECK(http_url_parse(text, &u3) == ERR_OK);
	FUZZ_CHECK(u3.https == u->https && u3.port == u->port);
	FUZZ_CHECK(strcmp(u3.host, u->host) == 0);
	FUZZ_CHECK(strcmp(u3.target, u->target) == 0);
	FUZZ_CHECK(http_url_same_origin(u, &u3));
	/* The request writer refuses or writes a terminated request. */
	http_url_host_header(u, text2, sizeof text2);
	n = http_req_write(text, sizeof text, "GET", text2, u->target, NULL);
	FUZZ_CHECK(n < 0 || ((size_t)n < sizeof text &&
	    (size_t)n == strlen(text)));
}

static void
fuzz_urls(const uint8_t *data, size_t size)
{
	static char buf[16384];
	static struct http_url base;
	static int base_ok;
	const char *s1, *s2;
	size_t n = size < sizeof buf - 2 ? size : sizeof buf - 2;
	long w;

	if (!base_ok) {
		FUZZ_CHECK(http_url_parse("https://registry.example:5000/"
		    "v2/library/app/blobs/sha256:00?x=1", &base) == ERR_OK);
		base_ok = 1;
	}
	memcpy(buf, data, n);
	buf[n] = '\0';
	buf[n + 1] = '\0';
	s1 = buf;
	s2 = buf + strlen(buf) + 1;
	if (s2 > buf + n)
		s2 = buf + n + 1;
	err_clear();
	if (http_url_parse(s1, &u1) == ERR_OK) {
		check_url(&u1);
		if (http_url_resolve(&u1, s2, &u2) == ERR_OK)
			check_url(&u2);
		/* out may be base. */
		u2 = u1;
		if (http_url_resolve(&u2, s2, &u2) == ERR_OK)
			check_url(&u2);
	}
	if (http_url_resolve(&base, s1, &u2) == ERR_OK)
		check_url(&u2);
	/* Request writer with a fuzzed target and an extra header. */
	{
		const char *extra[2] = { s2, NULL };

		w = http_req_write(text, sizeof text, "GET", "h", s1, extra);
		FUZZ_CHECK(w < 0 || ((size_t)w < sizeof text &&
		    (size_t)w == strlen(text)));
		if (w >= 0)
			FUZZ_CHECK(strchr(s1, '\r') == NULL &&
			    strchr(s1, '\n') == NULL &&
			    strchr(s2, '\r') == NULL &&
			    strchr(s2, '\n') == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run whole, split, bytes;
	int head;
	size_t at;

	if (size < 1 || size > sizeof bodies[0])
		return 0;
	head = (data[0] & 0x80) != 0;
	at = (size_t)(data[0] & 0x7f) * (size - 1) / 127u;
	data++;
	size--;
	run_resp(data, size, head, 0, 0, &whole, bodies[0]);
	run_resp(data, size, head, SIZE_MAX, at, &split, bodies[1]);
	same(&whole, &split);
	if (size <= BYTEWISE_MAX) {
		run_resp(data, size, head, 1, 0, &bytes, bodies[2]);
		same(&whole, &bytes);
	}
	fuzz_urls(data, size);
	return 0;
}
