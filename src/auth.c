/*
 * auth.c: challenges, base64, Basic credentials, config.json, token
 * replies. See auth.h for the contract.
 */
#include "auth.h"

#include <limits.h>
#include <string.h>

#include "config.h"
#include "err.h"

/* ---- small helpers --------------------------------------------------- */

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII case-insensitive equality of two counted strings. */
static int
ci_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* RFC 9110 tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 9110 token68 character, '=' excepted. */
static int
is_t68(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
	    c == '/';
}

/* A printable copy of s[0..n) for messages: others become '?', cut. */
static const char *
printable(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (n > cap - 1)
		n = cap - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (char)(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
	}
	dst[n] = '\0';
	return dst;
}

/* ---- WWW-Authenticate ------------------------------------------------ */

struct lex {
	const char *p;
	size_t n;
	size_t i;
};

static int
lex_end(const struct lex *l)
{
	return l->i >= l->n;
}

static unsigned char
lex_peek(const struct lex *l)
{
	return l->i < l->n ? (unsigned char)l->p[l->i] : 0;
}

/* Skip SP and HTAB; nonzero when any was skipped. */
static int
lex_ows(struct lex *l)
{
	size_t from = l->i;

	while (l->i < l->n && (l->p[l->i] == ' ' || l->p[l->i] == '\t'))
		l->i++;
	return l->i != from;
}

static size_t
lex_token(struct lex *l)
{
	size_t from = l->i;

	while (l->i < l->n && is_tchar((unsigned char)l->p[l->i]))
		l->i++;
	return l->i - from;
}

/*
 * Whether a token68 starts at l->i: 1*t68 *"=" OWS, then ',' or the end.
 * On yes, *end is where the token68 (with its '=') ends.
 */
static int
lex_is_token68(const struct lex *l, size_t *end)
{
	size_t i = l->i;

	while (i < l->n && is_t68((unsigned char)l->p[i]))
		i++;
	if (i == l->i)
		return 0;
	while (i < l->n && l->p[i] == '=')
		i++;
	*end = i;
	while (i < l->n && (l->p[i] == ' ' || l->p[i] == '\t'))
		i++;
	return i == l->n || l->p[i] == ',';
}

/*
 * Read a parameter value (token or quoted-string) at l->i into dst
 * (NUL-terminated, unescaped) when dst is not NULL; the value may hold
 * at most cap - 1 bytes. name names the parameter in messages. Returns
 * the value's length or ERR_PROTO.
 */
static long
lex_value(struct lex *l, char *dst, size_t cap, const char *name, size_t nlen)
{
	size_t o = 0, start = l->i;
	char nb[AUTH_NAME_MAX + 1];

	printable(nb, sizeof nb, name, nlen);
	if (lex_peek(l) != '"') {
		size_t k = lex_token(l);
		if (k == 0)
			return err_set(ERR_PROTO, "WWW-Authenticate: parameter %s "
			    "has no value at offset %zu (expected a token or a "
			    "quoted string)", nb, start);
		if (k > cap - 1)
			return err_set(ERR_PROTO, "WWW-Authenticate: value of %s "
			    "at offset %zu is %zu bytes long, at most %zu allowed",
			    nb, start, k, cap - 1);
		if (dst != NULL) {
			memcpy(dst, l->p + start, k);
			dst[k] = '\0';
		}
		return (long)k;
	}
	for (l->i++; ; l->i++) {
		unsigned char c;

		if (lex_end(l))
			return err_set(ERR_PROTO, "WWW-Authenticate: quoted value "
			    "of %s starting at offset %zu has no closing '\"'",
			    nb, start);
		c = (unsigned char)l->p[l->i];
		if (c == '"')
			break;
		if (c == '\\') {
			if (l->i + 1 >= l->n)
				continue;       /* reported as unterminated */
			c = (unsigned char)l->p[++l->i];
		}
		if (c != '\t' && is_ctl(c))
			return err_set(ERR_PROTO, "WWW-Authenticate: control "
			    "character 0x%02x in the value of %s at offset %zu",
			    c, nb, l->i);
		if (o + 1 >= cap)
			return err_set(ERR_PROTO, "WWW-Authenticate: value of %s "
			    "at offset %zu is longer than %zu bytes", nb, start,
			    cap - 1);
		if (dst != NULL)
			dst[o] = (char)c;
		o++;
	}
	l->i++;                         /* the closing quote */
	if (dst != NULL)
		dst[o] = '\0';
	return (long)o;
}

static int
scheme_of(const char *s, size_t n)
{
	if (ci_eq(s, n, "Basic", 5))
		return AUTH_BASIC;
	if (ci_eq(s, n, "Bearer", 6))
		return AUTH_BEARER;
	return AUTH_NONE;
}

static const char *
scheme_name(int scheme)
{
	return scheme == AUTH_BASIC ? "Basic" : "Bearer";
}

/* What to do with a parameter of a recognised challenge. */
enum { P_REALM = 1, P_SERVICE = 2, P_SCOPE = 4 };

static int
param_of(int scheme, const char *s, size_t n)
{
	if (scheme == AUTH_NONE)
		return 0;
	if (ci_eq(s, n, "realm", 5))
		return P_REALM;
	if (scheme == AUTH_BEARER && ci_eq(s, n, "service", 7))
		return P_SERVICE;
	if (scheme == AUTH_BEARER && ci_eq(s, n, "scope", 5))
		return P_SCOPE;
	return 0;
}

/*
 * Parameters of one challenge, l->i at the first name. Stops at the end
 * or at a token not followed by '=' (the next challenge's scheme), left
 * in *next and *nextlen with l->i after it. Returns ERR_OK or ERR_PROTO.
 */
static int
parse_params(struct lex *l, int scheme, struct auth_challenge *dst,
    size_t *next, size_t *nextlen)
{
	const char *name = l->p + l->i;
	size_t nlen = lex_token(l), nparams = 0;
	unsigned seen = 0;

	*nextlen = 0;
	for (;;) {
		int which;
		char *field = NULL;
		size_t cap = AUTH_VALUE_MAX + 1, from;
		long r;

		if (nlen == 0)
			return err_set(ERR_PROTO, "WWW-Authenticate: expected a "
			    "parameter name at offset %zu", l->i);
		if (nlen > AUTH_NAME_MAX)
			return err_set(ERR_PROTO, "WWW-Authenticate: parameter name "
			    "at offset %zu longer than %u", (size_t)(name - l->p),
			    AUTH_NAME_MAX);
		if (++nparams > AUTH_PARAMS_MAX)
			return err_set(ERR_PROTO, "WWW-Authenticate: more than %u "
			    "parameters in one challenge (offset %zu)",
			    AUTH_PARAMS_MAX, (size_t)(name - l->p));
		lex_ows(l);
		if (lex_peek(l) != '=')
			return err_set(ERR_PROTO, "WWW-Authenticate: expected '=' "
			    "after parameter name at offset %zu", l->i);
		l->i++;
		lex_ows(l);
		which = param_of(scheme, name, nlen);
		if (which == P_REALM) {
			field = dst ? dst->realm : NULL;
			cap = sizeof dst->realm;
		} else if (which == P_SERVICE) {
			field = dst ? dst->service : NULL;
			cap = sizeof dst->service;
		} else if (which == P_SCOPE) {
			field = dst && !(seen & (unsigned)P_SCOPE) ? dst->scope : NULL;
			cap = sizeof dst->scope;
		}
		if ((which == P_REALM || which == P_SERVICE) && (seen & (unsigned)which))
			return err_set(ERR_PROTO, "WWW-Authenticate: %s challenge "
			    "has a second %s at offset %zu", scheme_name(scheme),
			    which == P_REALM ? "realm" : "service",
			    (size_t)(name - l->p));
		seen |= (unsigned)which;
		r = lex_value(l, field, cap, name, nlen);
		if (r < 0)
			return (int)r;
		lex_ows(l);
		if (lex_end(l))
			return ERR_OK;
		if (lex_peek(l) != ',')
			return err_set(ERR_PROTO, "WWW-Authenticate: expected ',' "
			    "or the end after a parameter value at offset %zu",
			    l->i);
		while (!lex_end(l) && (lex_peek(l) == ',' || lex_ows(l)))
			if (lex_peek(l) == ',')
				l->i++;
		if (lex_end(l))
			return ERR_OK;
		/* A token followed by '=' is a parameter, else a scheme. */
		name = l->p + l->i;
		nlen = lex_token(l);
		if (nlen == 0)
			return err_set(ERR_PROTO, "WWW-Authenticate: expected a "
			    "parameter or an auth scheme at offset %zu", l->i);
		from = l->i;
		lex_ows(l);
		if (lex_peek(l) != '=') {
			l->i = from;
			*next = (size_t)(name - l->p);
			*nextlen = nlen;
			return ERR_OK;
		}
		l->i = from;
	}
}

int
auth_parse_challenges(const char *hdr, size_t len,
    struct auth_challenge *out, size_t max)
{
	struct lex l;
	size_t count = 0, nch = 0, s = 0, slen = 0;

	if (len > BOARD_HTTP_LINE_MAX)
		return err_set(ERR_PROTO, "WWW-Authenticate value of %zu bytes, "
		    "at most %u allowed", len, BOARD_HTTP_LINE_MAX);
	l.p = hdr;
	l.n = len;
	l.i = 0;
	for (;;) {
		struct auth_challenge *dst;
		int scheme, r;
		size_t t68end;

		if (slen == 0) {
			/* Empty list elements and white space are allowed. */
			while (!lex_end(&l) && (lex_peek(&l) == ',' || lex_ows(&l)))
				if (lex_peek(&l) == ',')
					l.i++;
			if (lex_end(&l))
				break;
			s = l.i;
			slen = lex_token(&l);
			if (slen == 0)
				return err_set(ERR_PROTO, "WWW-Authenticate: expected "
				    "an auth scheme at offset %zu, found 0x%02x", l.i,
				    lex_peek(&l));
		}
		if (slen > AUTH_NAME_MAX)
			return err_set(ERR_PROTO, "WWW-Authenticate: auth scheme at "
			    "offset %zu longer than %u", s, AUTH_NAME_MAX);
		if (++nch > AUTH_CHALLENGES_MAX)
			return err_set(ERR_PROTO, "WWW-Authenticate: more than %u "
			    "challenges (offset %zu)", AUTH_CHALLENGES_MAX, s);
		scheme = scheme_of(hdr + s, slen);
		dst = scheme != AUTH_NONE && count < max ? &out[count] : NULL;
		if (dst != NULL) {
			memset(dst, 0, sizeof *dst);
			dst->scheme = scheme;
		}
		slen = 0;
		if (!lex_ows(&l) && !lex_end(&l) && lex_peek(&l) != ',')
			return err_set(ERR_PROTO, "WWW-Authenticate: expected a "
			    "space after the auth scheme at offset %zu", l.i);
		if (lex_end(&l) || lex_peek(&l) == ',') {
			/* A challenge without parameters. */
		} else if (lex_is_token68(&l, &t68end)) {
			if (scheme != AUTH_NONE) {
				size_t k = l.i;

				while (k < t68end && is_tchar((unsigned char)hdr[k]))
					k++;
				if (k + 1 == t68end && hdr[k] == '=') {
					char nb[AUTH_NAME_MAX + 1];

					return err_set(ERR_PROTO, "WWW-Authenticate: "
					    "parameter %s at offset %zu has no value",
					    printable(nb, sizeof nb, hdr + l.i, k - l.i),
					    l.i);
				}
				return err_set(ERR_PROTO, "WWW-Authenticate: %s "
				    "challenge has a token68 at offset %zu, expected "
				    "name=value parameters", scheme_name(scheme), l.i);
			}
			l.i = t68end;
		} else {
			r = parse_params(&l, scheme, dst, &s, &slen);
			if (r < 0)
				return r;
		}
		if (scheme != AUTH_NONE && count < max)
			count++;
	}
	return (int)count;
}

/* ---- base64 ---------------------------------------------------------- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encode the concatenation of up to three byte strings. */
struct segs {
	const unsigned char *p[3];
	size_t n[3];
};

static long
b64_encode_segs(const struct segs *sg, char *out, size_t cap)
{
	size_t total = 0, q, o = 0, si = 0, off = 0, k;

	for (k = 0; k < 3; k++)
		total += sg->n[k];
	q = total / 3 + (total % 3 != 0);
	if (q > ((size_t)LONG_MAX - 1) / 4 || cap < q * 4 + 1)
		return err_set(ERR_NOMEM, "base64 of %zu bytes needs %zu bytes "
		    "of room, have %zu", total, q * 4 + 1, cap);
	while (total > 0) {
		unsigned char b[3] = { 0, 0, 0 };
		size_t take = total < 3 ? total : 3;
		unsigned long v;

		for (k = 0; k < take; k++) {
			while (off >= sg->n[si]) {
				si++;
				off = 0;
			}
			b[k] = sg->p[si][off++];
		}
		total -= take;
		v = ((unsigned long)b[0] << 16) | ((unsigned long)b[1] << 8) |
		    b[2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = take > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = take > 2 ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return (long)o;
}

long
auth_b64_encode(const void *in, size_t n, char *out, size_t cap)
{
	struct segs sg;

	memset(&sg, 0, sizeof sg);
	sg.p[0] = in;
	sg.n[0] = n;
	return b64_encode_segs(&sg, out, cap);
}

static int
b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* Push decoder: one character at a time, 0 to 3 bytes out per quad. */
struct b64d {
	int v[4];               /* values of the quad so far, -1 for '=' */
	unsigned k;             /* characters in the quad */
	int done;               /* padding seen: nothing may follow */
	size_t off;             /* offset of the next character */
};

static int
b64d_put(struct b64d *d, unsigned char c, unsigned char o[3], unsigned *nout)
{
	int v = b64_val(c);
	size_t at = d->off++;
	unsigned long w;

	*nout = 0;
	if (d->done)
		return err_set(ERR_FORMAT, "base64: data after the padding at "
		    "offset %zu", at);
	if (v < 0 && c != '=')
		return err_set(ERR_FORMAT, "base64: bad character 0x%02x at "
		    "offset %zu", c, at);
	if (c == '=' && d->k < 2)
		return err_set(ERR_FORMAT, "base64: '=' at offset %zu in place "
		    "of data", at);
	if (c != '=' && d->k == 3 && d->v[2] < 0)
		return err_set(ERR_FORMAT, "base64: data after '=' at offset %zu",
		    at);
	d->v[d->k++] = v;
	if (d->k < 4)
		return ERR_OK;
	d->k = 0;
	w = ((unsigned long)d->v[0] << 18) | ((unsigned long)d->v[1] << 12);
	if (d->v[2] < 0) {
		if (w & 0xffffUL)
			goto bits;
		*nout = 1;
		d->done = 1;
	} else if (d->v[3] < 0) {
		w |= (unsigned long)d->v[2] << 6;
		if (w & 0xffUL)
			goto bits;
		*nout = 2;
		d->done = 1;
	} else {
		w |= ((unsigned long)d->v[2] << 6) | (unsigned long)d->v[3];
		*nout = 3;
	}
	o[0] = (unsigned char)(w >> 16);
	o[1] = (unsigned char)(w >> 8);
	o[2] = (unsigned char)w;
	return ERR_OK;
bits:
	return err_set(ERR_FORMAT, "base64: non-zero bits before the padding "
	    "at offset %zu", at - 3);
}

static int
b64d_end(const struct b64d *d)
{
	if (d->k != 0)
		return err_set(ERR_FORMAT, "base64: length %zu is not a multiple "
		    "of 4 (missing padding or trailing data)", d->off);
	return ERR_OK;
}

long
auth_b64_decode(const char *in, size_t n, void *out, size_t cap)
{
	struct b64d d;
	unsigned char *dst = out, b[3];
	size_t i, o = 0;

	if (n > (size_t)LONG_MAX)
		return err_set(ERR_NOMEM, "base64: input of %zu bytes", n);
	memset(&d, 0, sizeof d);
	for (i = 0; i < n; i++) {
		unsigned k, nout;
		int r = b64d_put(&d, (unsigned char)in[i], b, &nout);

		if (r < 0)
			return r;
		if (nout > cap - o)
			return err_set(ERR_NOMEM, "base64: decoded data longer than "
			    "%zu bytes", cap);
		for (k = 0; k < nout; k++)
			dst[o++] = b[k];
	}
	if (b64d_end(&d) < 0)
		return ERR_FORMAT;
	return (long)o;
}

/* ---- Basic credentials ----------------------------------------------- */

long
auth_basic(const char *user, const char *pass, char *out, size_t cap)
{
	struct segs sg;
	size_t ul = strlen(user), pl = strlen(pass), i;
	long r;

	if (ul == 0)
		return err_set(ERR_USAGE, "empty user name for Basic "
		    "authentication");
	for (i = 0; i < ul; i++) {
		unsigned char c = (unsigned char)user[i];
		if (c == ':' || is_ctl(c))
			return err_set(ERR_USAGE, "user name has %s at offset %zu "
			    "(Basic authentication forbids ':' and control "
			    "characters)", c == ':' ? "':'" : "a control character",
			    i);
	}
	for (i = 0; i < pl; i++)
		if (is_ctl((unsigned char)pass[i]))
			return err_set(ERR_USAGE, "password has a control character "
			    "at offset %zu", i);
	if (cap < 7)
		return err_set(ERR_NOMEM, "Basic credentials: %zu bytes of room",
		    cap);
	memcpy(out, "Basic ", 6);
	sg.p[0] = (const unsigned char *)user;
	sg.n[0] = ul;
	sg.p[1] = (const unsigned char *)":";
	sg.n[1] = 1;
	sg.p[2] = (const unsigned char *)pass;
	sg.n[2] = pl;
	r = b64_encode_segs(&sg, out + 6, cap - 6);
	if (r < 0) {
		out[0] = '\0';
		return r;
	}
	return r + 6;
}

/* ---- docker config.json ---------------------------------------------- */

#define HUB_KEY "https://index.docker.io/v1/"

static const char *const hub_hosts[] = {
	"index.docker.io", "docker.io", "registry-1.docker.io"
};

static int
is_hub(const char *h, size_t n)
{
	size_t k;

	for (k = 0; k < sizeof hub_hosts / sizeof hub_hosts[0]; k++)
		if (ci_eq(h, n, hub_hosts[k], strlen(hub_hosts[k])))
			return 1;
	return 0;
}

/*
 * How well key k[0..kl) names registry reg: 0 exact, 1 after removing
 * scheme and path suffix, -1 not at all.
 */
static int
key_rank(const char *k, size_t kl, const char *reg, int hub)
{
	static const char *const suffixes[] = {
		"", "/", "/v1", "/v1/", "/v2", "/v2/"
	};
	size_t rl = strlen(reg), h, s;

	if (hub && kl == strlen(HUB_KEY) && memcmp(k, HUB_KEY, kl) == 0)
		return 0;
	if (!hub && ci_eq(k, kl, reg, rl))
		return 0;
	if (kl >= 8 && ci_eq(k, 8, "https://", 8)) {
		k += 8;
		kl -= 8;
	} else if (kl >= 7 && ci_eq(k, 7, "http://", 7)) {
		k += 7;
		kl -= 7;
	}
	for (h = 0; h < kl && k[h] != '/'; h++)
		;
	if (h == 0)
		return -1;
	for (s = 0; s < sizeof suffixes / sizeof suffixes[0]; s++)
		if (kl - h == strlen(suffixes[s]) &&
		    memcmp(k + h, suffixes[s], kl - h) == 0)
			break;
	if (s == sizeof suffixes / sizeof suffixes[0])
		return -1;
	if (hub)
		return is_hub(k, h) ? 1 : -1;
	return ci_eq(k, h, reg, rl) ? 1 : -1;
}

/* The decoded key at token i into kb; its length, or -1 (skip it). */
static long
key_copy(const struct json *j, int i, char *kb, size_t cap)
{
	long n = json_copy(j, i, kb, cap);

	return n < 0 ? -1 : n;
}

/*
 * Index of the key token in the object at obj that names reg best, -1
 * when none, ERR_FORMAT when a matching key appears twice.
 */
static int
config_find(const struct json *j, int obj, const char *reg, const char *what)
{
	char kb[AUTH_HOST_MAX], pb[80];
	int i, k, best = -1, best_rank = 2;
	int hub = is_hub(reg, strlen(reg));

	for (i = obj + 1, k = 0; k < j->tok[obj].size; k++) {
		long kl = key_copy(j, i, kb, sizeof kb);
		int rank = kl < 0 ? -1 : key_rank(kb, (size_t)kl, reg, hub);

		if (rank >= 0) {
			int i2 = json_next(j, i + 1), k2;

			for (k2 = k + 1; k2 < j->tok[obj].size; k2++) {
				if (json_eq(j, i2, kb))
					return err_set(ERR_FORMAT, "config.json: %s has "
					    "the key \"%s\" twice (bytes %d and %d)", what,
					    printable(pb, sizeof pb, kb, (size_t)kl),
					    j->tok[i].start, j->tok[i2].start);
				i2 = json_next(j, i2 + 1);
			}
			if (rank < best_rank) {
				best = i;
				best_rank = rank;
			}
		}
		i = json_next(j, i + 1);
	}
	return best;
}

/* Parse doc and check it is an object: shared by lookup and helper. */
static int
config_parse(struct json *j, const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *registry)
{
	int r;

	if (registry == NULL || registry[0] == '\0' ||
	    strlen(registry) >= AUTH_HOST_MAX)
		return err_set(ERR_USAGE, "config.json lookup: registry name "
		    "empty or longer than %u", AUTH_HOST_MAX - 1);
	if (len > BOARD_JSON_MAX)
		return err_set(ERR_NOMEM, "config.json of %zu bytes, at most %u "
		    "(BOARD_JSON_MAX)", len, BOARD_JSON_MAX);
	r = json_parse(j, doc, len, tok, ntok, "config.json");
	if (r < 0)
		return r;
	if (!json_is_object(j, 0))
		return err_set(ERR_FORMAT, "config.json: the top level is not an "
		    "object");
	return ERR_OK;
}

/*
 * Value of name in obj: index, -1 when absent, or a negative error other
 * than -1, the message prefixed with the entry's key (NULL: top level).
 */
static int
config_get(const struct json *j, int obj, const char *name, const char *key)
{
	int v = json_get(j, obj, name);

	if (v < -1 && key != NULL)
		return err_prefix(v, "config.json: auths[\"%s\"]", key);
	if (v < -1)
		return err_prefix(v, "config.json");
	return v;
}

static int
check_text(const char *s, size_t n, const char *what, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_ctl((unsigned char)s[i]))
			return err_set(ERR_FORMAT, "config.json: auths[\"%s\"]: %s "
			    "has a control character at offset %zu", key, what, i);
	return ERR_OK;
}

/*
 * Decode the "auth" string at token a (raw JSON bytes: only the escape
 * "\/" can appear in base64) into user and pass, split at the first ':'.
 */
static int
config_auth(const struct json *j, int a, const char *key, char *user,
    size_t ucap, char *pass, size_t pcap)
{
	struct json_str s;
	struct b64d d;
	size_t i, uo = 0, po = 0;
	int in_pass = 0, r;

	json_str(j, a, &s);
	memset(&d, 0, sizeof d);
	for (i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i], b[3];
		unsigned k, nout;

		if (c == '\\') {
			if (i + 1 < s.n && s.p[i + 1] == '/') {
				c = '/';
				i++;
			} else {
				return err_set(ERR_FORMAT, "config.json: auths[\"%s\"]"
				    ".auth: JSON escape at byte %d is not base64", key,
				    j->tok[a].start + (int)i);
			}
		}
		r = b64d_put(&d, c, b, &nout);
		if (r < 0)
			return err_prefix(r, "config.json: auths[\"%s\"].auth", key);
		for (k = 0; k < nout; k++) {
			if (b[k] == ':' && !in_pass) {
				in_pass = 1;
				continue;
			}
			if (is_ctl(b[k]))
				return err_set(ERR_FORMAT, "config.json: auths[\"%s\"]"
				    ".auth: decoded %s has a control character", key,
				    in_pass ? "password" : "user name");
			if (!in_pass) {
				if (uo + 1 >= ucap)
					return err_set(ERR_NOMEM, "config.json: auths[\"%s\"]"
					    ".auth: user name longer than %zu bytes", key,
					    ucap - 1);
				user[uo++] = (char)b[k];
			} else {
				if (po + 1 >= pcap)
					return err_set(ERR_NOMEM, "config.json: auths[\"%s\"]"
					    ".auth: password longer than %zu bytes", key,
					    pcap - 1);
				pass[po++] = (char)b[k];
			}
		}
	}
	r = b64d_end(&d);
	if (r < 0)
		return err_prefix(r, "config.json: auths[\"%s\"].auth", key);
	if (!in_pass)
		return err_set(ERR_FORMAT, "config.json: auths[\"%s\"].auth: no "
		    "':' between user name and password", key);
	if (uo == 0)
		return err_set(ERR_FORMAT, "config.json: auths[\"%s\"].auth: empty "
		    "user name", key);
	user[uo] = '\0';
	pass[po] = '\0';
	return ERR_OK;
}

/* Copy the string at token i into buf, messages naming key and field. */
static int
config_copy(const struct json *j, int i, char *buf, size_t cap,
    const char *key, const char *field)
{
	long n;

	if (!json_is_string(j, i))
		return err_set(ERR_FORMAT, "config.json: auths[\"%s\"].%s is not "
		    "a string", key, field);
	n = json_copy(j, i, buf, cap);
	if (n == ERR_NOMEM)
		return err_set(ERR_NOMEM, "config.json: auths[\"%s\"].%s longer "
		    "than %zu bytes", key, field, cap - 1);
	if (n < 0)
		return err_set(ERR_FORMAT, "config.json: auths[\"%s\"].%s: bad "
		    "escape or NUL (at byte %d)", key, field, j->tok[i].start);
	return check_text(buf, (size_t)n, field, key);
}

static int
config_lookup(const char *doc, size_t len, jsmntok_t *tok, unsigned ntok,
    const char *registry, char *user, size_t ucap, char *pass, size_t pcap)
{
	struct json j;
	char key[80];
	int r, auths, ki, e, a, un, pw;
	struct json_str ks;

	r = config_parse(&j, doc, len, tok, ntok, registry);
	if (r < 0)
		return r;
	auths = config_get(&j, 0, "auths", NULL);
	if (auths == -1)
		return ERR_NOENT;
	if (auths < 0)
		return auths;
	if (!json_is_object(&j, auths))
		return err_set(ERR_FORMAT, "config.json: \"auths\" is not an "
		    "object (at byte %d)", j.tok[auths].start);
	ki = config_find(&j, auths, registry, "auths");
	if (ki == -1)
		return ERR_NOENT;
	if (ki < 0)
		return ki;
	json_str(&j, ki, &ks);
	printable(key, sizeof key, ks.p, ks.n);
	e = ki + 1;
	if (!json_is_object(&j, e))
		return err_set(ERR_FORMAT, "config.json: auths[\"%s\"] is not an "
		    "object (at byte %d)", key, j.tok[e].start);
	if ((a = config_get(&j, e, "auth", key)) < -1)
		return a;
	if ((un = config_get(&j, e, "username", key)) < -1)
		return un;
	if ((pw = config_get(&j, e, "password", key)) < -1)
		return pw;
	if (a >= 0) {
		if (!json_is_string(&j, a))
			return err_set(ERR_FORMAT, "config.json: auths[\"%s\"].auth "
			    "is not a string", key);
		if (j.tok[a].end > j.tok[a].start)
			return config_auth(&j, a, key, user, ucap, pass, pcap);
	}
	if (un == -1 && pw == -1)
		return ERR_NOENT;
	if (un == -1 || pw == -1)
		return err_set(ERR_FORMAT, "config.json: auths[\"%s\"] has %s "
		    "without %s", key, un == -1 ? "password" : "username",
		    un == -1 ? "username" : "password");
	if ((r = config_copy(&j, un, user, ucap, key, "username")) < 0)
		return r;
	if (user[0] == '\0')
		return err_set(ERR_FORMAT, "config.json: auths[\"%s\"].username "
		    "is empty", key);
	return config_copy(&j, pw, pass, pcap, key, "password");
}

int
auth_config_lookup(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *registry, char *user, size_t ucap,
    char *pass, size_t pcap)
{
	int r;

	if (ucap == 0 || pcap == 0)
		return err_set(ERR_NOMEM, "config.json lookup: no room for user "
		    "name or password");
	memset(user, 0, ucap);
	memset(pass, 0, pcap);
	r = config_lookup(doc, len, tok, ntok, registry, user, ucap, pass,
	    pcap);
	if (r != ERR_OK) {
		memset(user, 0, ucap);
		memset(pass, 0, pcap);
	}
	return r;
}

int
auth_config_helper(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *registry)
{
	struct json j;
	int r, cs, ch;

	r = config_parse(&j, doc, len, tok, ntok, registry);
	if (r < 0)
		return r;
	if ((cs = config_get(&j, 0, "credsStore", NULL)) < -1)
		return cs;
	if (cs >= 0 && json_is_string(&j, cs) && j.tok[cs].end > j.tok[cs].start)
		return 1;
	if ((ch = config_get(&j, 0, "credHelpers", NULL)) < -1)
		return ch;
	if (ch < 0 || !json_is_object(&j, ch))
		return 0;
	r = config_find(&j, ch, registry, "credHelpers");
	if (r < -1)
		return r;
	return r >= 0;
}

/* ---- token reply ----------------------------------------------------- */

static int
token_string(const struct json *j, int i, const char *name)
{
	if (i >= 0 && !json_is_string(j, i))
		return err_set(ERR_PROTO, "token reply: \"%s\" is not a string "
		    "(at byte %d)", name, j->tok[i].start);
	return ERR_OK;
}

static int
token_reply(const char *doc, size_t len, jsmntok_t *tok, unsigned ntok,
    char *token, size_t cap, uint32_t *expires_in)
{
	struct json j;
	int r, t, a, e, src;
	long n, k;
	uint64_t v;

	if (len > BOARD_JSON_MAX)
		return err_set(ERR_NOMEM, "token reply of %zu bytes, at most %u "
		    "(BOARD_JSON_MAX)", len, BOARD_JSON_MAX);
	r = json_parse(&j, doc, len, tok, ntok, "token reply");
	if (r < 0)
		return r == ERR_NOMEM ? r : ERR_PROTO;
	if (!json_is_object(&j, 0))
		return err_set(ERR_PROTO, "token reply is not a JSON object");
	if ((t = json_get(&j, 0, "token")) < -1 ||
	    (a = json_get(&j, 0, "access_token")) < -1 ||
	    (e = json_get(&j, 0, "expires_in")) < -1)
		return err_prefix(ERR_PROTO, "token reply");
	if (token_string(&j, t, "token") < 0 ||
	    token_string(&j, a, "access_token") < 0)
		return ERR_PROTO;
	src = t >= 0 && (j.tok[t].end > j.tok[t].start || a < 0) ? t : a;
	if (src < 0)
		return err_set(ERR_PROTO, "token reply has neither \"token\" nor "
		    "\"access_token\"");
	n = json_copy(&j, src, token, cap);
	if (n == ERR_NOMEM)
		return err_set(ERR_NOMEM, "token reply: token longer than %zu "
		    "bytes", cap - 1);
	if (n < 0)
		return err_set(ERR_PROTO, "token reply: bad escape in the token "
		    "at byte %d", j.tok[src].start);
	if (n == 0)
		return err_set(ERR_PROTO, "token reply: the token is empty");
	for (k = 0; k < n && is_t68((unsigned char)token[k]); k++)
		;
	while (k > 0 && k < n && token[k] == '=')
		k++;
	if (k < n)
		return err_set(ERR_PROTO, "token reply: character 0x%02x at "
		    "offset %ld of the token is not allowed (expected "
		    "token68: letters, digits, -._~+/ then '=')",
		    (unsigned char)token[k], k);
	*expires_in = AUTH_TOKEN_EXPIRES_MIN;
	if (e >= 0) {
		if (json_u64(&j, e, UINT32_MAX, &v) < 0)
			return err_set(ERR_PROTO, "token reply: \"expires_in\" at "
			    "byte %d is not an integer number of seconds in "
			    "0..%lu", j.tok[e].start, (unsigned long)UINT32_MAX);
		if (v > AUTH_TOKEN_EXPIRES_MIN)
			*expires_in = (uint32_t)v;
	}
	return ERR_OK;
}

int
auth_token_reply(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, char *token, size_t cap, uint32_t *expires_in)
{
	int r;

	if (cap == 0)
		return err_set(ERR_NOMEM, "token reply: no room for the token");
	r = token_reply(doc, len, tok, ntok, token, cap, expires_in);
	if (r != ERR_OK)
		memset(token, 0, cap);
	return r;
}

/* ---- scope and routing ----------------------------------------------- */

long
auth_scope(const char *repo, char *out, size_t cap)
{
	size_t n = strlen(repo), i;

	if (n == 0 || n > 255)
		return err_set(ERR_USAGE, "repository name of %zu characters "
		    "(expected 1 to 255)", n);
	for (i = 0; i < n; i++) {
		char c = repo[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '/' || c == '-'))
			return err_set(ERR_USAGE, "repository name has character "
			    "0x%02x at offset %zu (expected [a-z0-9._/-])",
			    (unsigned char)c, i);
	}
	if (repo[0] == '/' || repo[n - 1] == '/')
		return err_set(ERR_USAGE, "repository name starts or ends with "
		    "'/'");
	if (cap < n + 17)
		return err_set(ERR_NOMEM, "scope for a %zu-character repository "
		    "needs %zu bytes, have %zu", n, n + 17, cap);
	memcpy(out, "repository:", 11);
	memcpy(out + 11, repo, n);
	memcpy(out + 11 + n, ":pull", 6);
	return (long)(n + 16);
}

int
auth_may_send(int registry_https, const char *registry_host,
    uint16_t registry_port, int target_https, const char *target_host,
    uint16_t target_port)
{
	if (registry_host == NULL || target_host == NULL ||
	    registry_host[0] == '\0')
		return 0;
	if (registry_port == 0 || registry_port != target_port)
		return 0;
	if (registry_https && !target_https)
		return 0;
	return ci_eq(registry_host, strlen(registry_host), target_host,
	    strlen(target_host));
}
