/*
 * http_url.h: the absolute http and https URLs of requests and redirects:
 * parsing, resolving a Location against the request's URL, origins (who
 * may receive credentials), and the Host header.
 *
 * Nothing here does I/O. struct http_url is a plain caller-owned struct
 * with no pointers inside (it may be copied); its strings are
 * NUL-terminated copies, never views of the input. There is no order of
 * calls: parse or resolve into a struct, then read its fields or format
 * it. Every refusal returns a negative ERR_* code with an err_set()
 * message naming the bad part.
 */
#ifndef HTTP_URL_H
#define HTTP_URL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct http_url {
	int https;
	char host[256];         /* lower case; IPv6 without brackets */
	uint16_t port;          /* 80 or 443 when the URL has none */
	char target[BOARD_HTTP_LINE_MAX];  /* path and query, at least "/"; no
	                                    * fragment; as long as a Location
	                                    * header may be */
};

/*
 * Parse an absolute http or https URL (scheme case-insensitive). Refused
 * with ERR_USAGE and a message: other schemes, user info ("user@host"),
 * an empty host, a bad bracketed IPv6 literal, a port outside 1..65535,
 * spaces or control bytes, a host or target that does not fit. The
 * fragment is dropped and dot segments are removed from the path.
 */
int http_url_parse(const char *s, struct http_url *u);

/*
 * Resolve a Location value against base (RFC 3986 section 5.2): absolute
 * URLs, scheme-relative "//host/path", absolute paths "/x", query-only
 * "?q" and relative paths "x/../y", dot segments removed, query kept,
 * fragment dropped. out may be base. Returns ERR_OK or ERR_PROTO (the
 * same refusals as http_url_parse: the value comes from the peer).
 */
int http_url_resolve(const struct http_url *base, const char *location,
    struct http_url *out);

/* Nonzero when a and b have the same scheme, host (case-insensitive) and
 * port: credentials may only follow a redirect to the same origin. */
int http_url_same_origin(const struct http_url *a, const struct http_url *b);

/* Write the Host header value of u: host, in brackets when IPv6, with
 * ":port" unless the port is the scheme's default. Returns the length or
 * ERR_NOMEM. */
long http_url_host_header(const struct http_url *u, char *buf, size_t cap);

/* Write u as "scheme://host[:port]target" (for messages). Returns the
 * length or ERR_NOMEM. */
long http_url_format(const struct http_url *u, char *buf, size_t cap);

/* Percent-encode s for a query parameter (all but RFC 3986's unreserved
 * characters) into out, NUL-terminated. Returns ERR_OK or ERR_NOMEM. */
int http_url_encode(const char *s, char *out, size_t cap);

/*
 * Nonzero when the NO_PROXY value list names host: "*", or a list of
 * names separated by commas or spaces, each matching the host itself or,
 * as a domain, any name below it (case-insensitive); a leading dot is
 * allowed and a ":port" ignored.
 */
int http_url_no_proxy(const char *list, const char *host);

#endif /* HTTP_URL_H */
