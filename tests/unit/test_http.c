/*
 * test_http.c: the HTTP response parser (every case fed whole, split in two
 * at every offset and byte by byte), the request writer and the URL helpers.
 */
#include "unit.h"
#include "err.h"
#include "http.h"
#include "http_url.h"

#define BODY_CAP (64u * 1024u)
#define RAW_CAP (32u * 1024u)

/* What one run of the parser over a response produced. */
struct run {
	int rc;                 /* ERR_END, ERR_AGAIN (incomplete) or error */
	int status, chunked, close, hdone;
	long long content_length;
	size_t consumed;
	int misuse;             /* the parser broke its own contract */
	char location[BOARD_HTTP_LINE_MAX], www[2048], ctype[256], digest[80], range[128];
	char retry[64];
	char msg[ERR_MSG_MAX];
	size_t body_len;
	char body[BODY_CAP];
};

static struct run whole_run, part_run;
static struct http_resp resp;

/*
 * Feed raw[0..len) to a fresh parser: in two pieces cut at split (whole
 * when split is 0 or len), or one byte at a time. With eof, a response
 * still incomplete after all bytes gets http_resp_eof().
 */
static void
feed(struct run *o, const char *raw, size_t len, int head, int eof,
    size_t split, int bytewise)
{
	const uint8_t *in = (const uint8_t *)raw;
	size_t pos = 0;

	memset(o, 0, sizeof *o);
	err_clear();
	http_resp_init(&resp, head);
	o->rc = ERR_AGAIN;
	while (pos < len && o->rc == ERR_AGAIN) {
		size_t end = bytewise ? pos + 1 : (pos < split ? split : len);

		while (pos < end) {
			const uint8_t *body = (const uint8_t *)"x";
			size_t used = 12345, blen = 12345;
			int rc = http_resp_push(&resp, in + pos, end - pos, &used,
			    &body, &blen);

			if (used > end - pos || blen > used ||
			    (blen != 0 && (body < in + pos ||
			    body + blen > in + pos + used)) ||
			    (blen == 0 && body != NULL) ||
			    (blen != 0 && !http_resp_headers_done(&resp)) ||
			    (rc == ERR_AGAIN && used < end - pos && blen == 0)) {
				o->misuse = 1;
				o->rc = -999;
				break;
			}
			if (blen != 0) {
				if (o->body_len + blen > sizeof o->body) {
					o->misuse = 2;
					o->rc = -999;
					break;
				}
				memcpy(o->body + o->body_len, body, blen);
				o->body_len += blen;
			}
			pos += used;
			o->rc = rc;
			if (rc != ERR_AGAIN)
				break;
		}
	}
	if (o->rc == ERR_AGAIN && eof)
		o->rc = http_resp_eof(&resp);
	o->consumed = pos;
	o->status = resp.status;
	o->chunked = resp.chunked;
	o->close = resp.close;
	o->hdone = http_resp_headers_done(&resp);
	o->content_length = resp.content_length;
	memcpy(o->location, resp.location, sizeof o->location);
	memcpy(o->www, resp.www_authenticate, sizeof o->www);
	memcpy(o->ctype, resp.content_type, sizeof o->ctype);
	memcpy(o->digest, resp.docker_digest, sizeof o->digest);
	memcpy(o->range, resp.content_range, sizeof o->range);
	memcpy(o->retry, resp.retry_after, sizeof o->retry);
	snprintf(o->msg, sizeof o->msg, "%s", err_msg());
}

static int
same_run(const struct run *a, const struct run *b)
{
	return a->rc == b->rc && a->status == b->status &&
	    a->chunked == b->chunked && a->close == b->close &&
	    a->hdone == b->hdone && a->content_length == b->content_length &&
	    a->consumed == b->consumed && a->misuse == b->misuse &&
	    strcmp(a->location, b->location) == 0 &&
	    strcmp(a->www, b->www) == 0 && strcmp(a->ctype, b->ctype) == 0 &&
	    strcmp(a->digest, b->digest) == 0 &&
	    strcmp(a->range, b->range) == 0 &&
	    strcmp(a->retry, b->retry) == 0 && strcmp(a->msg, b->msg) == 0 &&
	    a->body_len == b->body_len &&
	    memcmp(a->body, b->body, a->body_len) == 0;
}

struct rcase {
	const char *name;
	const char *raw;
	int head, eof;
	int rc;
	int status;
	long long content_length;
	int chunked, close;
	const char *body;       /* expected body; NULL for error cases */
	const char *msg;        /* substring of the error message, or NULL */
	size_t consumed;        /* 0: all of raw */
	size_t len;             /* 0: strlen(raw) */
	const char *location, *www, *ctype, *digest;
};

/* Run c whole, then split at every offset and byte by byte: every run
 * must equal the whole one, which must match the expectations. */
static void
check_case(const struct rcase *c)
{
	size_t len = c->len != 0 ? c->len : strlen(c->raw);
	size_t k;
	int bad = 0;

	feed(&whole_run, c->raw, len, c->head, c->eof, 0, 0);
	if (whole_run.rc != c->rc) {
		fprintf(stderr, "  case %s: rc %d, expected %d (%s)\n", c->name,
		    whole_run.rc, c->rc, whole_run.msg);
	}
	CHECK_EQ(whole_run.rc, c->rc);
	CHECK_EQ(whole_run.misuse, 0);
	CHECK_EQ(whole_run.consumed, c->consumed != 0 ? c->consumed : len);
	if (c->msg != NULL) {
		if (strstr(whole_run.msg, c->msg) == NULL)
			fprintf(stderr, "  case %s: message \"%s\" lacks \"%s\"\n",
			    c->name, whole_run.msg, c->msg);
		CHECK(strstr(whole_run.msg, c->msg) != NULL);
	}
	if (c->body != NULL) {
		if (c->rc >= 0)
			CHECK_STR(whole_run.msg, "");
		CHECK_EQ(whole_run.status, c->status);
		CHECK_EQ(whole_run.content_length, c->content_length);
		CHECK_EQ(whole_run.chunked, c->chunked);
		CHECK_EQ(whole_run.close, c->close);
		CHECK_EQ(whole_run.hdone, 1);
		CHECK_MEM(whole_run.body, whole_run.body_len, c->body);
		CHECK_STR(whole_run.location, c->location ? c->location : "");
		CHECK_STR(whole_run.www, c->www ? c->www : "");
		CHECK_STR(whole_run.ctype, c->ctype ? c->ctype : "");
		CHECK_STR(whole_run.digest, c->digest ? c->digest : "");
	}
	for (k = 1; k <= len && !bad; k++) {
		if (k < len)
			feed(&part_run, c->raw, len, c->head, c->eof, k, 0);
		else
			feed(&part_run, c->raw, len, c->head, c->eof, 0, 1);
		if (!same_run(&whole_run, &part_run)) {
			fprintf(stderr, "  case %s: %s %zu differs: rc %d/%d "
			    "body %zu/%zu msg \"%s\"/\"%s\"\n", c->name,
			    k < len ? "split at" : "byte by byte, len", k,
			    part_run.rc, whole_run.rc, part_run.body_len,
			    whole_run.body_len, part_run.msg, whole_run.msg);
			bad = 1;
		}
	}
	CHECK(!bad);
}

static const struct rcase good_cases[] = {
	{ "simple content-length",
	  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	  "content-LENGTH: 5\r\nDocker-Content-Digest:sha256:abc  \r\n\r\nhello",
	  0, 0, ERR_END, 200, 5, 0, 0, "hello", NULL, 0, 0,
	  NULL, NULL, "application/json", "sha256:abc" },
	{ "zero length",
	  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	  0, 0, ERR_END, 200, 0, 0, 0, "", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "chunked with extensions and trailers",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
	  "5;name=val\r\nhello\r\n6 ; x=\"y\"\r\n world\r\nA\r\n0123456789\r\n"
	  "0;last\r\nX-Trailer: yes\r\nDigest: abc\r\n\r\n",
	  0, 0, ERR_END, 200, -1, 1, 0, "hello world0123456789", NULL, 0, 0,
	  NULL, NULL, NULL, NULL },
	{ "chunked, no trailers",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "3\r\nabc\r\n0\r\n\r\n",
	  0, 0, ERR_END, 200, -1, 1, 0, "abc", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "100 Continue and 103 Early Hints, then 200",
	  "HTTP/1.1 100 Continue\r\n\r\n"
	  "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n"
	  "Location: /ignored\r\n\r\n"
	  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	  0, 0, ERR_END, 200, 2, 0, 0, "ok", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "HEAD with Content-Length has no body",
	  "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n"
	  "Docker-Content-Digest: sha256:ff\r\n\r\n",
	  1, 0, ERR_END, 200, 1234, 0, 0, "", NULL, 0, 0,
	  NULL, NULL, NULL, "sha256:ff" },
	{ "HEAD leaves the next bytes alone",
	  "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nNEXT",
	  1, 0, ERR_END, 200, 4, 0, 0, "", NULL, 38, 0, NULL, NULL, NULL, NULL },
	{ "204 No Content",
	  "HTTP/1.1 204 No Content\r\n\r\n",
	  0, 0, ERR_END, 204, -1, 0, 0, "", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "304 with Content-Length has no body",
	  "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\nETag: \"x\"\r\n\r\n",
	  0, 0, ERR_END, 304, 99, 0, 0, "", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "body delimited by close",
	  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome body\r\n",
	  0, 1, ERR_END, 200, -1, 0, 1, "some body\r\n", NULL, 0, 0,
	  NULL, NULL, "text/plain", NULL },
	{ "empty body delimited by close",
	  "HTTP/1.0 200 OK\r\n\r\n",
	  0, 1, ERR_END, 200, -1, 0, 1, "", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "empty reason, no reason",
	  "HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\nx",
	  0, 0, ERR_END, 200, 1, 0, 0, "x", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "no reason",
	  "HTTP/1.1 404\r\nContent-Length: 1\r\n\r\nx",
	  0, 0, ERR_END, 404, 1, 0, 0, "x", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "equal duplicate Content-Length",
	  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	  0, 0, ERR_END, 200, 3, 0, 0, "abc", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "Content-Length list 3, 3",
	  "HTTP/1.1 200 OK\r\nContent-Length: 3 ,3\r\n\r\nabc",
	  0, 0, ERR_END, 200, 3, 0, 0, "abc", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "Connection: close",
	  "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\n"
	  "Content-Length: 1\r\n\r\nx",
	  0, 0, ERR_END, 200, 1, 0, 1, "x", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "HTTP/1.0 closes by default",
	  "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
	  0, 0, ERR_END, 200, 1, 0, 1, "x", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "HTTP/1.0 keep-alive",
	  "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
	  "Content-Length: 1\r\n\r\nx",
	  0, 0, ERR_END, 200, 1, 0, 0, "x", NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "WWW-Authenticate copies joined, redirect fields",
	  "HTTP/1.1 401 Unauthorized\r\n"
	  "WWW-Authenticate: Bearer realm=\"https://auth.example/token\"\r\n"
	  "Www-Authenticate:   Basic realm=\"r\"  \r\n"
	  "Location: https://cdn.example/b?sig=1\r\n"
	  "Location: https://cdn.example/b?sig=1\r\n"
	  "Content-Length: 0\r\n\r\n",
	  0, 0, ERR_END, 401, 0, 0, 0, "", NULL, 0, 0,
	  "https://cdn.example/b?sig=1",
	  "Bearer realm=\"https://auth.example/token\", Basic realm=\"r\"",
	  NULL, NULL },
};

static const struct rcase bad_cases[] = {
	{ "truncated Content-Length body",
	  "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
	  0, 1, ERR_NET, 0, 0, 0, 0, NULL, "after 3 of 10 body bytes", 0, 0,
	  NULL, NULL, NULL, NULL },
	{ "closed before any byte", "",
	  0, 1, ERR_NET, 0, 0, 0, 0, NULL, "closed before the response", 0, 0,
	  NULL, NULL, NULL, NULL },
	{ "closed in headers",
	  "HTTP/1.1 200 OK\r\nContent-Le",
	  0, 1, ERR_NET, 0, 0, 0, 0, NULL, "in the response headers after 27",
	  0, 0, NULL, NULL, NULL, NULL },
	{ "closed in chunked body",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "fffffffffffffff\r\nab",
	  0, 1, ERR_NET, 0, 0, 0, 0, NULL, "chunked body after 2 body bytes",
	  0, 0, NULL, NULL, NULL, NULL },
	{ "Content-Length and Transfer-Encoding",
	  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "both Content-Length and Transfer-Encoding", 66, 0,
	  NULL, NULL, NULL, NULL },
	{ "conflicting Content-Length",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "conflicting Content-Length values 5 and 6 at byte 36", 55, 0,
	  NULL, NULL, NULL, NULL },
	{ "conflicting Content-Length list",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "conflicting Content-Length", 39, 0,
	  NULL, NULL, NULL, NULL },
	{ "Content-Length not a number",
	  "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "Content-Length \"+5\" at byte 17 is not a decimal number", 37, 0,
	  NULL, NULL, NULL, NULL },
	{ "Content-Length empty",
	  "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "not a decimal number", 34, 0,
	  NULL, NULL, NULL, NULL },
	{ "Content-Length with trailing comma",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "not a decimal number", 37, 0,
	  NULL, NULL, NULL, NULL },
	{ "Content-Length overflow",
	  "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "above 2^62", 55, 0,
	  NULL, NULL, NULL, NULL },
	{ "Transfer-Encoding gzip",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "unsupported Transfer-Encoding \"gzip\"", 51, 0,
	  NULL, NULL, NULL, NULL },
	{ "chunked twice",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "chunked more than once", 73, 0,
	  NULL, NULL, NULL, NULL },
	{ "bad chunk size zz",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "bad chunk size \"zz\" at byte 47", 0, 0, NULL, NULL, NULL, NULL },
	{ "bad chunk size 5x",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "bad chunk size \"5x\"", 0, 0,
	  NULL, NULL, NULL, NULL },
	{ "chunk size overflow",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "ffffffffffffffffff\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "more than 15 hex digits", 67, 0,
	  NULL, NULL, NULL, NULL },
	{ "chunk size of 16 hex digits",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "0000000000000001\r\nx\r\n0\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "chunk size \"0000000000000001\" at byte 47 has more than 15 hex", 65,
	  0, NULL, NULL, NULL, NULL },
	{ "chunk size of 15 hex digits with leading zeros",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "000000000000001\r\nx\r\n0\r\n\r\n",
	  0, 0, ERR_END, 200, -1, 1, 0, "x", NULL, 0, 0,
	  NULL, NULL, NULL, NULL },
	{ "missing CRLF after chunk data",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5\r\nhelloX\r\n0\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "chunk data not followed by CRLF at byte 55", 56, 0,
	  NULL, NULL, NULL, NULL },
	{ "chunk data followed by CR only",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5\r\nhello\rX0\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "chunk data not followed by CRLF at byte 56", 57, 0,
	  NULL, NULL, NULL, NULL },
	{ "status HTTP/2", "HTTP/2 200 OK\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "bad HTTP status line \"HTTP/2 200 OK\" at byte 0", 15, 0,
	  NULL, NULL, NULL, NULL },
	{ "status two digits", "HTTP/1.1 20 OK\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "bad HTTP status line", 16, 0,
	  NULL, NULL, NULL, NULL },
	{ "status ICY", "ICY 200 OK\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "\"ICY 200 OK\"", 12, 0,
	  NULL, NULL, NULL, NULL },
	{ "status four digits", "HTTP/1.1 2000 OK\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "bad HTTP status line", 18, 0,
	  NULL, NULL, NULL, NULL },
	{ "status 600", "HTTP/1.1 600 X\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "bad HTTP status line", 16, 0,
	  NULL, NULL, NULL, NULL },
	{ "status lower-case http", "http/1.1 200 OK\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "bad HTTP status line", 17, 0,
	  NULL, NULL, NULL, NULL },
	{ "status HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "bad HTTP status line", 17, 0,
	  NULL, NULL, NULL, NULL },
	{ "status 101", "HTTP/1.1 101 Switching Protocols\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "101 Switching Protocols", 34, 0,
	  NULL, NULL, NULL, NULL },
	{ "bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "status line ends in a bare LF at byte 15 (expected CRLF)", 16, 0,
	  NULL, NULL, NULL, NULL },
	{ "bare LF in a header", "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "header line ends in a bare LF at byte 34", 35, 0,
	  NULL, NULL, NULL, NULL },
	{ "bare CR", "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "CR not followed by LF at byte 16",
	  17, 0, NULL, NULL, NULL, NULL },
	{ "NUL in a header", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "control byte 0x00 in the HTTP header line at byte 23", 24, 29,
	  NULL, NULL, NULL, NULL },
	{ "obs-fold",
	  "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "obs-fold", 29, 0,
	  NULL, NULL, NULL, NULL },
	{ "obs-fold in trailers",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "0\r\nX-A: a\r\n\tb\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "trailer line at byte 58 starts with white space", 62, 0,
	  NULL, NULL, NULL, NULL },
	{ "white space before colon",
	  "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "white space before ':' in HTTP header \"Content-Length\" at byte 17",
	  37, 0, NULL, NULL, NULL, NULL },
	{ "header without colon",
	  "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "malformed HTTP header line \"NoColon\" at byte 17", 26, 0,
	  NULL, NULL, NULL, NULL },
	{ "conflicting Location",
	  "HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL,
	  "conflicting Location headers (second at byte 34)", 48, 0,
	  NULL, NULL, NULL, NULL },
	{ "too many interim responses",
	  "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n"
	  "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n"
	  "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n",
	  0, 0, ERR_PROTO, 0, 0, 0, 0, NULL, "more than 8 interim", 0, 0,
	  NULL, NULL, NULL, NULL },
};

static void
test_response_cases(void)
{
	size_t k;

	for (k = 0; k < sizeof good_cases / sizeof good_cases[0]; k++)
		check_case(&good_cases[k]);
	for (k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++)
		check_case(&bad_cases[k]);
}

static char raw_buf[RAW_CAP], body_buf[BODY_CAP];

static size_t
append(char *dst, size_t at, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (at + n >= cap)
		return cap;     /* the checks on length catch this */
	memcpy(dst + at, s, n + 1);
	return at + n;
}

static void
test_many_small_chunks(void)
{
	struct rcase c;
	size_t r = 0, b = 0;
	unsigned i, j;
	char line[32];

	r = append(raw_buf, r, sizeof raw_buf,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (i = 1; i <= 60; i++) {
		unsigned n = i % 19 + 1;

		snprintf(line, sizeof line, i % 2 ? "%x\r\n" : "%X\r\n", n);
		r = append(raw_buf, r, sizeof raw_buf, line);
		for (j = 0; j < n; j++) {
			line[0] = (char)('a' + (i + j) % 26);
			line[1] = '\0';
			r = append(raw_buf, r, sizeof raw_buf, line);
			b = append(body_buf, b, sizeof body_buf, line);
		}
		r = append(raw_buf, r, sizeof raw_buf, "\r\n");
	}
	r = append(raw_buf, r, sizeof raw_buf, "0\r\n\r\n");
	CHECK(r < sizeof raw_buf);
	CHECK(b > 500);
	memset(&c, 0, sizeof c);
	c.name = "many small chunks";
	c.raw = raw_buf;
	c.rc = ERR_END;
	c.status = 200;
	c.content_length = -1;
	c.chunked = 1;
	c.body = body_buf;
	check_case(&c);
}

static void
test_pipelined(void)
{
	static const char two[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
	    "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nno\r\n0\r\n\r\n";
	size_t len = sizeof two - 1, first = 41, k;
	int bad = 0;
	struct rcase c;

	memset(&c, 0, sizeof c);
	c.name = "pipelined: first response";
	c.raw = two;
	c.rc = ERR_END;
	c.status = 200;
	c.content_length = 3;
	c.body = "abc";
	c.consumed = first;
	check_case(&c);

	/* Whatever the split, the second response starts at the same byte
	 * and parses from there after http_resp_init(). */
	for (k = 0; k <= len; k++) {
		feed(&part_run, two, len, 0, 0, k, 0);
		if (part_run.consumed != first)
			bad = 1;
		feed(&part_run, two + part_run.consumed,
		    len - part_run.consumed, 0, 0, k > first ? k - first : 0, 0);
		if (part_run.rc != ERR_END || part_run.status != 404 ||
		    part_run.body_len != 2 || memcmp(part_run.body, "no", 2) != 0 ||
		    part_run.consumed != len - first)
			bad = 1;
	}
	CHECK(!bad);
	c.name = "pipelined: second response";
	c.raw = two + first;
	c.status = 404;
	c.content_length = -1;
	c.chunked = 1;
	c.body = "no";
	c.consumed = 0;
	check_case(&c);
}

static void
test_line_cap(void)
{
	struct rcase c;
	size_t r, pad = BOARD_HTTP_LINE_MAX - strlen("X-Pad: ");

	r = append(raw_buf, 0, sizeof raw_buf, "HTTP/1.1 200 OK\r\nX-Pad: ");
	memset(raw_buf + r, 'a', pad);
	r += pad;
	raw_buf[r] = '\0';
	r = append(raw_buf, r, sizeof raw_buf, "\r\nContent-Length: 2\r\n\r\nhi");
	CHECK(r < sizeof raw_buf);
	memset(&c, 0, sizeof c);
	c.name = "header line exactly at BOARD_HTTP_LINE_MAX";
	c.raw = raw_buf;
	c.rc = ERR_END;
	c.status = 200;
	c.content_length = 2;
	c.body = "hi";
	check_case(&c);

	/* One byte more. */
	r = append(raw_buf, 0, sizeof raw_buf, "HTTP/1.1 200 OK\r\nX-Pad: ");
	memset(raw_buf + r, 'a', pad + 1);
	r += pad + 1;
	raw_buf[r] = '\0';
	r = append(raw_buf, r, sizeof raw_buf, "\r\nContent-Length: 2\r\n\r\nhi");
	memset(&c, 0, sizeof c);
	c.name = "header line one byte over BOARD_HTTP_LINE_MAX";
	c.raw = raw_buf;
	c.rc = ERR_PROTO;
	c.msg = "HTTP header line at byte 17 is longer than BOARD_HTTP_LINE_MAX";
	c.consumed = 17 + BOARD_HTTP_LINE_MAX + 1;
	check_case(&c);

	/* A chunk size line with a long extension is capped too. */
	r = append(raw_buf, 0, sizeof raw_buf,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;e=");
	memset(raw_buf + r, 'x', BOARD_HTTP_LINE_MAX);
	r += BOARD_HTTP_LINE_MAX;
	raw_buf[r] = '\0';
	memset(&c, 0, sizeof c);
	c.name = "chunk size line over the cap";
	c.raw = raw_buf;
	c.rc = ERR_PROTO;
	c.msg = "chunk size line at byte 47 is longer than BOARD_HTTP_LINE_MAX";
	c.consumed = 47 + BOARD_HTTP_LINE_MAX + 1;
	check_case(&c);
}

static void
test_header_count_cap(void)
{
	struct rcase c;
	size_t r;
	unsigned i;

	r = append(raw_buf, 0, sizeof raw_buf, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < BOARD_HTTP_HEADERS_MAX - 1; i++)
		r = append(raw_buf, r, sizeof raw_buf, "X-H: 1\r\n");
	r = append(raw_buf, r, sizeof raw_buf, "Content-Length: 1\r\n\r\nz");
	CHECK(r < sizeof raw_buf);
	memset(&c, 0, sizeof c);
	c.name = "BOARD_HTTP_HEADERS_MAX headers";
	c.raw = raw_buf;
	c.rc = ERR_END;
	c.status = 200;
	c.content_length = 1;
	c.body = "z";
	check_case(&c);

	r = append(raw_buf, 0, sizeof raw_buf, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < BOARD_HTTP_HEADERS_MAX; i++)
		r = append(raw_buf, r, sizeof raw_buf, "X-H: 1\r\n");
	r = append(raw_buf, r, sizeof raw_buf, "Content-Length: 1\r\n\r\nz");
	memset(&c, 0, sizeof c);
	c.name = "one header more than BOARD_HTTP_HEADERS_MAX";
	c.raw = raw_buf;
	c.rc = ERR_PROTO;
	c.msg = "more than BOARD_HTTP_HEADERS_MAX";
	c.consumed = 17 + 8 * BOARD_HTTP_HEADERS_MAX + 19;
	check_case(&c);
}

static void
test_field_too_long(void)
{
	struct rcase c;
	size_t r;

	r = append(raw_buf, 0, sizeof raw_buf,
	    "HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha512:");
	memset(raw_buf + r, 'f', 128);
	raw_buf[r + 128] = '\0';
	append(raw_buf, r + 128, sizeof raw_buf, "\r\n\r\n");
	memset(&c, 0, sizeof c);
	c.name = "Docker-Content-Digest too long";
	c.raw = raw_buf;
	c.rc = ERR_PROTO;
	c.msg = "Docker-Content-Digest header at byte 17 is 135 bytes long "
	    "(at most 79)";
	c.consumed = r + 130;
	check_case(&c);
}

/* A presigned blob-storage URL of 6 KiB (issue 13: ECR to S3 with a
 * session token) is kept whole, at every split point, and resolves. */
static void
test_long_location(void)
{
	static char loc[6200];
	struct http_url base, out;
	struct rcase c;
	size_t r, n;

	n = (size_t)snprintf(loc, sizeof loc, "https://bucket.s3.example/"
	    "blob?X-Amz-Security-Token=");
	memset(loc + n, 'T', 6144 - n);
	loc[6144] = '\0';
	r = append(raw_buf, 0, sizeof raw_buf, "HTTP/1.1 307 Temporary "
	    "Redirect\r\nContent-Length: 0\r\nLocation: ");
	r = append(raw_buf, r, sizeof raw_buf, loc);
	r = append(raw_buf, r, sizeof raw_buf, "\r\n\r\n");
	memset(&c, 0, sizeof c);
	c.name = "6 KiB Location";
	c.raw = raw_buf;
	c.rc = ERR_END;
	c.status = 307;
	c.location = loc;
	c.body = "";
	c.consumed = r;
	check_case(&c);
	CHECK_EQ(http_url_parse("https://registry.example/v2/x/blobs/sha256:0",
	    &base), ERR_OK);
	CHECK_EQ(http_url_resolve(&base, loc, &out), ERR_OK);
	CHECK_STR(out.host, "bucket.s3.example");
	CHECK_EQ(strlen(out.target), 6144 - strlen("https://bucket.s3.example"));
}

/* After an error or the end, the parser stays put until re-init. */
static void
test_sticky(void)
{
	static const char bad[] = "HTTP/1.1 200 OK\nx";
	static const char ok[] = "HTTP/1.1 204 No\r\n\r\nMORE";
	const uint8_t *body;
	size_t used, blen;

	http_resp_init(&resp, 0);
	err_clear();
	CHECK_EQ(http_resp_headers_done(&resp), 0);
	CHECK_EQ(http_resp_push(&resp, (const uint8_t *)bad, sizeof bad - 1,
	    &used, &body, &blen), ERR_PROTO);
	CHECK_EQ(used, 16);
	CHECK_EQ(http_resp_push(&resp, (const uint8_t *)"\r\n", 2, &used,
	    &body, &blen), ERR_PROTO);
	CHECK_EQ(used, 0);
	CHECK_EQ(http_resp_eof(&resp), ERR_PROTO);

	http_resp_init(&resp, 0);
	CHECK_EQ(http_resp_push(&resp, (const uint8_t *)ok, sizeof ok - 1,
	    &used, &body, &blen), ERR_END);
	CHECK_EQ(used, sizeof ok - 1 - 4);
	CHECK_EQ(http_resp_headers_done(&resp), 1);
	CHECK_EQ(http_resp_push(&resp, (const uint8_t *)"MORE", 4, &used,
	    &body, &blen), ERR_END);
	CHECK_EQ(used, 0);
	CHECK_EQ(blen, 0);
	CHECK_EQ(http_resp_eof(&resp), ERR_END);
	CHECK_EQ(http_resp_push(&resp, NULL, 0, &used, &body, &blen), ERR_END);

	/* Headers are readable before the first body byte arrives. */
	http_resp_init(&resp, 0);
	CHECK_EQ(http_resp_push(&resp, (const uint8_t *)
	    "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 38, &used, &body,
	    &blen), ERR_AGAIN);
	CHECK_EQ(used, 38);
	CHECK_EQ(blen, 0);
	CHECK_EQ(http_resp_headers_done(&resp), 1);
	CHECK_EQ(resp.status, 200);
	CHECK_EQ(resp.content_length, 9);
	CHECK_EQ(http_resp_push(&resp, NULL, 0, &used, &body, &blen), ERR_AGAIN);
}

/* ---- request writer -------------------------------------------------- */

static void
test_request_exact(void)
{
	static const char want[] =
	    "GET /v2/library/alpine/manifests/3.19 HTTP/1.1\r\n"
	    "Host: registry.example:5000\r\n"
	    "User-Agent: ocipull/0.1\r\n"
	    "Accept: application/vnd.oci.image.index.v1+json\r\n"
	    "Authorization: Bearer abc.def\r\n"
	    "\r\n";
	const char *extra[] = {
		"Accept: application/vnd.oci.image.index.v1+json",
		"Authorization: Bearer abc.def", NULL
	};
	char buf[512];
	size_t cap;
	long n;

	err_clear();
	n = http_req_write(buf, sizeof buf, "GET", "registry.example:5000",
	    "/v2/library/alpine/manifests/3.19", extra);
	CHECK_EQ(n, (long)strlen(want));
	CHECK_STR(buf, want);

	n = http_req_write(buf, sizeof buf, "HEAD", "h", "/", NULL);
	CHECK_STR(buf, "HEAD / HTTP/1.1\r\nHost: h\r\n"
	    "User-Agent: ocipull/0.1\r\n\r\n");
	CHECK_EQ(n, (long)strlen(buf));

	/* Every buffer too small by at least one byte (the NUL) fails and
	 * writes nothing past its end. */
	for (cap = 0; cap <= strlen(want); cap++) {
		memset(buf, '#', sizeof buf);
		err_clear();
		n = http_req_write(buf, cap, "GET", "registry.example:5000",
		    "/v2/library/alpine/manifests/3.19", extra);
		CHECK_EQ(n, ERR_NOMEM);
		CHECK_EQ(buf[cap], '#');
	}
	snprintf(buf, sizeof buf, "does not fit in %zu bytes", strlen(want));
	CHECK(strstr(err_msg(), buf) != NULL);
	n = http_req_write(buf, strlen(want) + 1, "GET",
	    "registry.example:5000", "/v2/library/alpine/manifests/3.19", extra);
	CHECK_EQ(n, (long)strlen(want));
}

static void
test_request_injection(void)
{
	static const struct {
		const char *method, *host, *target, *extra;
		int rc;
		const char *msg;
	} t[] = {
		{ "GET", "h", "/a\r\nX-Evil: 1", NULL, ERR_PROTO,
		  "request target has a space, CR, LF or control byte at offset 2" },
		{ "GET", "h", "/a b", NULL, ERR_PROTO, "request target" },
		{ "GET", "h", "", NULL, ERR_PROTO, "empty HTTP request target" },
		{ "GET", "h\r\nX-Evil: 1", "/", NULL, ERR_PROTO,
		  "Host header has a space, CR, LF or control byte at offset 1" },
		{ "GET", "", "/", NULL, ERR_PROTO, "empty Host" },
		{ "GET\r\n", "h", "/", NULL, ERR_PROTO,
		  "HTTP method has a bad byte 0x0d at offset 3" },
		{ "G T", "h", "/", NULL, ERR_PROTO, "bad byte 0x20" },
		{ "GET", "h", "/", "Authorization: Bearer a\r\nX-Evil: 1", ERR_PROTO,
		  "\"Authorization\" has CR, LF or a control byte at offset 23" },
		{ "GET", "h", "/", "X: a\nb", ERR_PROTO, "at offset 4" },
		{ "GET", "h", "/", "NoColon", ERR_PROTO, "not \"Name: value\"" },
		{ "GET", "h", "/", "Bad Name: x", ERR_PROTO, "not \"Name: value\"" },
		{ "GET", "h", "/", "\r\nX: y", ERR_PROTO, "not \"Name: value\"" },
		{ "GET", "h", "/", "host: other", ERR_USAGE, "host is always" },
		{ "GET", "h", "/", "User-Agent: x", ERR_USAGE, "always written" },
	};
	char buf[256];
	size_t k;

	for (k = 0; k < sizeof t / sizeof t[0]; k++) {
		const char *extra[2];
		long n;

		extra[0] = t[k].extra;
		extra[1] = NULL;
		err_clear();
		n = http_req_write(buf, sizeof buf, t[k].method, t[k].host,
		    t[k].target, extra);
		CHECK_EQ(n, t[k].rc);
		if (strstr(err_msg(), t[k].msg) == NULL)
			fprintf(stderr, "  request %zu: \"%s\" lacks \"%s\"\n", k,
			    err_msg(), t[k].msg);
		CHECK(strstr(err_msg(), t[k].msg) != NULL);
	}
}

/* ---- URLs ------------------------------------------------------------ */

static void
test_url_resolve(void)
{
	static const struct {
		const char *base, *loc, *want;
		const char *host;
		unsigned port;
	} t[] = {
		{ "https://registry.example/v2/lib/alpine/blobs/sha256:abc?x=1",
		  "https://cdn.example/blob?sig=1#frag",
		  "https://cdn.example/blob?sig=1", "cdn.example", 443 },
		{ "https://registry.example/v2/x", "HTTP://CDN.Example:8080",
		  "http://cdn.example:8080/", "cdn.example", 8080 },
		{ "https://registry.example/v2/x", "//other.example/p/q",
		  "https://other.example/p/q", "other.example", 443 },
		{ "http://registry.example:5000/v2/x", "//other.example",
		  "http://other.example/", "other.example", 80 },
		{ "https://registry.example:5000/v2/x?q", "/token?scope=a",
		  "https://registry.example:5000/token?scope=a",
		  "registry.example", 5000 },
		{ "https://r.example/v2/lib/alpine/blobs/sha256:abc?x=1", "c/d",
		  "https://r.example/v2/lib/alpine/blobs/c/d", "r.example", 443 },
		{ "https://r.example/v2/lib/alpine/blobs/sha256:abc", "../../x/./y",
		  "https://r.example/v2/lib/x/y", "r.example", 443 },
		{ "https://r.example/v2/lib/alpine/blobs/sha256:abc", "./z?k=v",
		  "https://r.example/v2/lib/alpine/blobs/z?k=v", "r.example", 443 },
		{ "https://r.example/a/b", "../../../../x",
		  "https://r.example/x", "r.example", 443 },
		{ "https://r.example/a/b/", "..",
		  "https://r.example/a/", "r.example", 443 },
		{ "https://r.example/a/b", ".",
		  "https://r.example/a/", "r.example", 443 },
		{ "https://r.example/a/b", "c/..",
		  "https://r.example/a/", "r.example", 443 },
		{ "https://r.example/a/b?old=1", "?y=2",
		  "https://r.example/a/b?y=2", "r.example", 443 },
		{ "https://r.example/a/b?old=1", "#frag",
		  "https://r.example/a/b?old=1", "r.example", 443 },
		{ "https://r.example/a/b?old=1", "",
		  "https://r.example/a/b?old=1", "r.example", 443 },
		{ "https://r.example", "x",
		  "https://r.example/x", "r.example", 443 },
		{ "https://r.example/a", "/a/b/../c/./d/.",
		  "https://r.example/a/c/d/", "r.example", 443 },
		{ "https://r.example/a", "/..//x",
		  "https://r.example//x", "r.example", 443 },
		{ "https://r.example/a", "https://[::1]:5000/v2/",
		  "https://[::1]:5000/v2/", "::1", 5000 },
		{ "https://r.example/a", "http://[2001:DB8::1]/x",
		  "http://[2001:db8::1]/x", "2001:db8::1", 80 },
		{ "http://r.example/a", "https://h:443/a",
		  "https://h/a", "h", 443 },
		{ "http://r.example/a", "http://h:/a",
		  "http://h/a", "h", 80 },
		{ "http://r.example/a", "https://h:80/a?b#c?d",
		  "https://h:80/a?b", "h", 80 },
		{ "http://r.example/a", "https://h/a/%2e%2E/b",
		  "https://h/a/%2e%2E/b", "h", 443 },
	};
	struct http_url base, out;
	char buf[512];
	size_t k;

	for (k = 0; k < sizeof t / sizeof t[0]; k++) {
		err_clear();
		CHECK_EQ(http_url_parse(t[k].base, &base), ERR_OK);
		if (http_url_resolve(&base, t[k].loc, &out) != ERR_OK) {
			fprintf(stderr, "  resolve %zu \"%s\": %s\n", k, t[k].loc,
			    err_msg());
			CHECK(0);
			continue;
		}
		CHECK(http_url_format(&out, buf, sizeof buf) > 0);
		CHECK_STR(buf, t[k].want);
		CHECK_STR(out.host, t[k].host);
		CHECK_EQ(out.port, t[k].port);
		/* out may be the base itself. */
		CHECK_EQ(http_url_resolve(&base, t[k].loc, &base), ERR_OK);
		CHECK(memcmp(&base, &out, sizeof out) == 0);
	}
}

static void
test_url_refused(void)
{
	static const struct {
		const char *s, *msg;
	} t[] = {
		{ "https://user:pw@registry.example/v2/", "user info" },
		{ "https://@h/", "user info" },
		{ "ftp://h/x", "unsupported URL scheme \"ftp\"" },
		{ "file:///etc/passwd", "unsupported URL scheme \"file\"" },
		{ "https://h:0/", "port 0 is out of range 1..65535" },
		{ "https://h:65536/", "port 65536 is out of range" },
		{ "https://h:123456/", "bad port" },
		{ "https://h:12a/", "bad port" },
		{ "https:///path", "empty host" },
		{ "https://", "empty host" },
		{ "https://:5000/", "empty host" },
		{ "https://[]/", "not an IPv6 address" },
		{ "https://[1.2.3.4]/", "not an IPv6 address" },
		{ "https://[::1/", "'[' without ']'" },
		{ "https://[::1]x/", "expected ':' after the host" },
		{ "https://[fe80::1%25eth0]/", "bad byte '%'" },
		{ "https://h%41/", "bad byte '%'" },
		{ "registry.example/v2/", "no scheme" },
		{ "/v2/", "no scheme" },
		{ "https:/h/", "expected \"//\"" },
		{ "https:", "expected \"//\"" },
		{ "https://h/a b", "space or control byte at offset 11" },
		{ "https://h/\r\nX: y", "space or control byte at offset 10" },
	};
	struct http_url u, base;
	size_t k;

	for (k = 0; k < sizeof t / sizeof t[0]; k++) {
		err_clear();
		CHECK_EQ(http_url_parse(t[k].s, &u), ERR_USAGE);
		if (strstr(err_msg(), t[k].msg) == NULL)
			fprintf(stderr, "  url %s: \"%s\" lacks \"%s\"\n", t[k].s,
			    err_msg(), t[k].msg);
		CHECK(strstr(err_msg(), t[k].msg) != NULL);
	}
	/* From a Location the same refusals are protocol errors. */
	CHECK_EQ(http_url_parse("https://r.example/v2/", &base), ERR_OK);
	err_clear();
	CHECK_EQ(http_url_resolve(&base, "ftp://h/", &u), ERR_PROTO);
	CHECK(strstr(err_msg(), "unsupported URL scheme") != NULL);
	err_clear();
	CHECK_EQ(http_url_resolve(&base, "//u@h/", &u), ERR_PROTO);
	CHECK(strstr(err_msg(), "user info") != NULL);
	err_clear();
	CHECK_EQ(http_url_resolve(&base, "sha256:abc", &u), ERR_PROTO);
	CHECK_EQ(http_url_resolve(&base, "/a\x01", &u), ERR_PROTO);
	CHECK_EQ(http_url_resolve(&base, "//", &u), ERR_PROTO);
	/* A failed resolve leaves out alone. */
	u = base;
	CHECK_EQ(http_url_resolve(&base, "https://h:0/", &u), ERR_PROTO);
	CHECK(memcmp(&u, &base, sizeof u) == 0);
}

static void
test_url_parse_fields(void)
{
	struct http_url u, v;
	char buf[64];
	static char longurl[BOARD_HTTP_LINE_MAX + 100];

	CHECK_EQ(http_url_parse("HTTPS://Registry-1.Docker.IO", &u), ERR_OK);
	CHECK_EQ(u.https, 1);
	CHECK_STR(u.host, "registry-1.docker.io");
	CHECK_EQ(u.port, 443);
	CHECK_STR(u.target, "/");
	CHECK_EQ(http_url_parse("http://10.0.0.1:5000?q=1", &u), ERR_OK);
	CHECK_EQ(u.https, 0);
	CHECK_STR(u.host, "10.0.0.1");
	CHECK_EQ(u.port, 5000);
	CHECK_STR(u.target, "/?q=1");
	CHECK_EQ(http_url_parse("http://h:65535/", &u), ERR_OK);
	CHECK_EQ(u.port, 65535);
	CHECK_EQ(http_url_parse("http://h:00001/", &u), ERR_OK);
	CHECK_EQ(u.port, 1);

	CHECK_EQ(http_url_host_header(&u, buf, sizeof buf), 3);
	CHECK_STR(buf, "h:1");
	CHECK_EQ(http_url_parse("https://[::1]:5000/v2/", &u), ERR_OK);
	CHECK_EQ(http_url_host_header(&u, buf, sizeof buf), 10);
	CHECK_STR(buf, "[::1]:5000");
	CHECK_EQ(http_url_host_header(&u, buf, 10), ERR_NOMEM);
	CHECK_EQ(http_url_parse("https://[::1]:443/v2/", &u), ERR_OK);
	CHECK_EQ(http_url_host_header(&u, buf, sizeof buf), 5);
	CHECK_STR(buf, "[::1]");
	CHECK_EQ(http_url_format(&u, buf, 17), ERR_NOMEM);
	CHECK_EQ(http_url_format(&u, buf, 18), 17);
	CHECK_STR(buf, "https://[::1]/v2/");

	/* A URL longer than a header line is refused, not cut; one as long
	 * as the longest Location fits. */
	memcpy(longurl, "https://h/", 10);
	memset(longurl + 10, 'a', BOARD_HTTP_LINE_MAX - 9);
	longurl[BOARD_HTTP_LINE_MAX + 1] = '\0';
	err_clear();
	CHECK_EQ(http_url_parse(longurl, &u), ERR_USAGE);
	CHECK(strstr(err_msg(), "longer than 8192 bytes") != NULL);
	longurl[BOARD_HTTP_LINE_MAX] = '\0';
	CHECK_EQ(http_url_parse(longurl, &u), ERR_OK);
	CHECK_EQ(strlen(u.target), BOARD_HTTP_LINE_MAX - 9);
	/* A relative path that does not fit beside the base's is refused. */
	longurl[10 + 8000] = '/';
	longurl[10 + 8001] = '\0';
	CHECK_EQ(http_url_parse(longurl, &u), ERR_OK);
	memset(longurl, 'b', 400);
	longurl[400] = '\0';
	err_clear();
	CHECK_EQ(http_url_resolve(&u, longurl, &u), ERR_PROTO);
	CHECK(strstr(err_msg(), "longer than 8190") != NULL);

	/* Same origin: scheme, host ignoring case, port. */
	CHECK_EQ(http_url_parse("https://r.example/a", &u), ERR_OK);
	CHECK_EQ(http_url_parse("https://R.Example:443/b?c", &v), ERR_OK);
	CHECK_EQ(http_url_same_origin(&u, &v), 1);
	CHECK_EQ(http_url_parse("http://r.example:443/a", &v), ERR_OK);
	CHECK_EQ(http_url_same_origin(&u, &v), 0);
	CHECK_EQ(http_url_parse("https://r.example:8443/a", &v), ERR_OK);
	CHECK_EQ(http_url_same_origin(&u, &v), 0);
	CHECK_EQ(http_url_parse("https://cdn.r.example/a", &v), ERR_OK);
	CHECK_EQ(http_url_same_origin(&u, &v), 0);
}

int
main(void)
{
	UNIT_RUN(test_response_cases);
	UNIT_RUN(test_many_small_chunks);
	UNIT_RUN(test_pipelined);
	UNIT_RUN(test_line_cap);
	UNIT_RUN(test_header_count_cap);
	UNIT_RUN(test_field_too_long);
	UNIT_RUN(test_long_location);
	UNIT_RUN(test_sticky);
	UNIT_RUN(test_request_exact);
	UNIT_RUN(test_request_injection);
	UNIT_RUN(test_url_resolve);
	UNIT_RUN(test_url_refused);
	UNIT_RUN(test_url_parse_fields);
	return UNIT_END();
}
