/*
 * http.h: HTTP/1.1 on byte buffers: a request writer and a streaming
 * response parser (the URLs they need are in http_url.h).
 *
 * Nothing here does I/O. The driver sends the bytes http_req_write() puts
 * in its buffer and pushes what it reads into http_resp_push(). The parser
 * copies only the status line and header lines, one at a time, into a fixed
 * line buffer inside struct http_resp; body bytes are handed back as spans
 * that point into the caller's input (no copy), like zlib's cursors.
 *
 * Memory: struct http_resp is a plain caller-owned struct with no
 * pointers inside (it may be copied or reset). Sizes come
 * from config.h: BOARD_HTTP_LINE_MAX (longest status, header, trailer or
 * chunk-size line, CRLF not counted) and BOARD_HTTP_HEADERS_MAX (most
 * header lines in one header block, and separately in the trailers).
 *
 * Order of calls for one response on a connection:
 *
 *	http_resp_init(&r, method_was_head);
 *	each time bytes buf[0..n) are read:
 *	    for (off = 0; off < n; ) {
 *		rc = http_resp_push(&r, buf + off, n - off, &used, &body, &blen);
 *		off += used;
 *		if (blen != 0)
 *			use body[0..blen)   (headers are parsed by then)
 *		if (rc == ERR_END)
 *			done: buf[off..n) is the start of the next response
 *		if (rc < 0)
 *			fail: the connection cannot be reused
 *	    }
 *	when the peer closes the connection: rc = http_resp_eof(&r);
 *
 * After ERR_END the connection may carry the next response unless r.close
 * is set. Errors are sticky until http_resp_init(). Every parse error is
 * ERR_PROTO with an err_set() message naming the bad part and its byte
 * offset from the start of the response (interim 1xx responses included).
 *
 * What is refused (strict by design: framing errors are how request
 * smuggling and desynchronised connections start): anything but
 * "HTTP/1.0" or "HTTP/1.1", status codes outside 100..599 and 101, bare LF
 * or bare CR line ends, control bytes in lines, obs-fold (continuation
 * lines), white space before a header's colon, lines over the cap, more
 * header lines than the cap, Content-Length that is not digits or differs
 * between copies ("5, 5" and two equal headers are accepted), any
 * transfer coding but one "chunked", Content-Length together with
 * Transfer-Encoding, chunk sizes of more than 15 hex digits or above 2^62,
 * a chunk not followed by CRLF, more than 8 interim responses in a row.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Largest body, Content-Length or chunk size accepted: 2^62 bytes. */
#define HTTP_BODY_MAX ((uint64_t)1 << 62)

/* ---- response parser ------------------------------------------------- */

struct http_resp {
	/* Parser state: private. */
	int state;
	int err;                /* sticky error, 0 while none */
	int head_request;
	int minor;              /* HTTP/1.minor of the status line */
	int cr;                 /* a CR ended the line bytes so far */
	int hdone;              /* final status line and headers parsed */
	int cl_seen, te_seen, conn_keepalive;
	unsigned interim;       /* 1xx responses skipped so far */
	unsigned nlines;        /* header or trailer lines in this block */
	size_t line_len;
	uint64_t offset;        /* bytes consumed since http_resp_init() */
	uint64_t remaining;     /* bytes left in the body or current chunk */
	char line[BOARD_HTTP_LINE_MAX];

	/* Results: valid once http_resp_headers_done() is nonzero. */
	int status;             /* 100..599 */
	int64_t content_length; /* -1 when the header is absent */
	int chunked;            /* Transfer-Encoding: chunked */
	int close;              /* the connection must not be reused */
	uint64_t body_received; /* body bytes handed out so far */
	/* Header values with surrounding white space removed, NUL-terminated,
	 * "" when absent. WWW-Authenticate copies are joined with ", "; the
	 * others must not repeat with a different value. A value that does
	 * not fit is refused (ERR_PROTO naming the header), never cut. */
	char location[BOARD_HTTP_LINE_MAX];  /* any header line's length */
	char www_authenticate[2048];
	char content_type[256];
	char docker_digest[80]; /* Docker-Content-Digest */
	char content_range[128];
	char retry_after[64];
};

/* Start parsing a new response; head_request nonzero when the request was
 * HEAD (the response then has no body whatever its headers say). */
void http_resp_init(struct http_resp *r, int head_request);

/*
 * Consume in[0..len). *consumed is always set to the bytes used; *body and
 * *body_len are always set: at most one span of body bytes, pointing into
 * in, is handed out per call (*body_len 0 when none). Returns
 *   ERR_AGAIN  the response is not complete: call again with in +
 *              *consumed (when bytes are left) or with the next bytes read;
 *   ERR_END    the response is complete; bytes after it are not consumed;
 *              later calls return ERR_END and consume nothing;
 *   ERR_PROTO  the peer broke HTTP/1.1 (message set; sticky).
 * Bytes are never left unconsumed except after a body span or at the end,
 * so a call with len > 0 that returns ERR_AGAIN consumed something.
 */
int http_resp_push(struct http_resp *r, const uint8_t *in, size_t len,
    size_t *consumed, const uint8_t **body, size_t *body_len);

/*
 * The peer closed the connection. Returns ERR_END when the response is
 * complete (already, or because its body was delimited by the close),
 * ERR_NET otherwise with a message: "connection closed before the
 * response" (nothing received: a stale keep-alive connection, safe to
 * retry), "... in the response headers", "... after N of M body bytes",
 * "... in a chunked body after N bytes". A sticky error is returned as is.
 */
int http_resp_eof(struct http_resp *r);

/* Nonzero once the final status line and all its headers are parsed, so
 * status and the header fields can be read before the body is used. */
int http_resp_headers_done(const struct http_resp *r);

/* ---- request writer -------------------------------------------------- */

#define HTTP_USER_AGENT "ocipull/0.1"

/*
 * Write "METHOD target HTTP/1.1", "Host: host_header", "User-Agent:
 * ocipull/0.1", then each of extra_headers (a NULL-terminated array of
 * "Name: value" strings, or NULL), then the empty line, into buf, and a
 * terminating NUL after them. Returns the length (NUL not counted),
 * ERR_NOMEM when buf[0..cap) is too small, ERR_PROTO when a field holds
 * CR, LF or another control byte (header injection: these values often
 * come from a peer, a Location or a token), the method is not a token, the
 * target is empty or holds a space, or an extra line is not "Name: value";
 * ERR_USAGE when an extra line repeats Host or User-Agent.
 */
long http_req_write(char *buf, size_t cap, const char *method,
    const char *host_header, const char *target,
    const char *const *extra_headers);

#endif /* HTTP_H */
