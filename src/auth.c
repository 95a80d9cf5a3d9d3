/*
 * auth.c: WWW-Authenticate challenges, token replies, scopes and where
 * credentials may go. See auth.h for the contract; base64, Basic
 * credentials and config.json are in auth_cred.c.
 */
#include "auth.h"

#include <string.h>

#include "config.h"
#include "err.h"
#include "lex.h"

/* RFC 9110 token68 character, '=' excepted. */
static int
is_t68(unsigned char c)
{
	return lex_is_alnum(c) || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

/* ---- WWW-Authenticate ------------------------------------------------ */

struct cur {
	const char *p;
	size_t n;
	size_t i;
};

static int
cur_end(const struct cur *l)
{
	return l->i >= l->n;
}

static unsigned char
cur_peek(const struct cur *l)
{
	return l->i < l->n ? (unsigned char)l->p[l->i] : 0;
}

/* Skip SP and HTAB; nonzero when any was skipped. */
static int
cur_ows(struct cur *l)
{
	size_t from = l->i;

	while (l->i < l->n && lex_is_ows(l->p[l->i]))
		l->i++;
	return l->i != from;
}

static size_t
cur_token(struct cur *l)
{
	size_t from = l->i;

	while (l->i < l->n && lex_is_tchar((unsigned char)l->p[l->i]))
		l->i++;
	return l->i - from;
}

/*
 * Whether a token68 starts at l->i: 1*t68 *"=" OWS, then ',' or the end.
 * On yes, *end is where the token68 (with its '=') ends.
 */
static int
cur_is_token68(const struct cur *l, size_t *end)
{
	size_t i = l->i;

	while (i < l->n && is_t68((unsigned char)l->p[i]))
		i++;
	if (i == l->i)
		return 0;
	while (i < l->n && l->p[i] == '=')
		i++;
	*end = i;
	while (i < l->n && lex_is_ows(l->p[i]))
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
cur_value(struct cur *l, char *dst, size_t cap, const char *name, size_t nlen)
{
	size_t o = 0, start = l->i;
	char nb[AUTH_NAME_MAX + 1];

	lex_printable(nb, sizeof nb, name, nlen);
	if (cur_peek(l) != '"') {
		size_t k = cur_token(l);
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

		if (cur_end(l))
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
		if (c != '\t' && lex_is_ctl(c))
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
	if (lex_ieq_str(lex_view(s, n), "Basic"))
		return AUTH_BASIC;
	if (lex_ieq_str(lex_view(s, n), "Bearer"))
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
	if (lex_ieq_str(lex_view(s, n), "realm"))
		return P_REALM;
	if (scheme == AUTH_BEARER && lex_ieq_str(lex_view(s, n), "service"))
		return P_SERVICE;
	if (scheme == AUTH_BEARER && lex_ieq_str(lex_view(s, n), "scope"))
		return P_SCOPE;
	return 0;
}

/*
 * Parameters of one challenge, l->i at the first name. Stops at the end
 * or at a token not followed by '=' (the next challenge's scheme), left
 * in *next and *nextlen with l->i after it. Returns ERR_OK or ERR_PROTO.
 */
static int
parse_params(struct cur *l, int scheme, struct auth_challenge *dst,
    size_t *next, size_t *nextlen)
{
	const char *name = l->p + l->i;
	size_t nlen = cur_token(l), nparams = 0;
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
		cur_ows(l);
		if (cur_peek(l) != '=')
			return err_set(ERR_PROTO, "WWW-Authenticate: expected '=' "
			    "after parameter name at offset %zu", l->i);
		l->i++;
		cur_ows(l);
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
		r = cur_value(l, field, cap, name, nlen);
		if (r < 0)
			return (int)r;
		cur_ows(l);
		if (cur_end(l))
			return ERR_OK;
		if (cur_peek(l) != ',')
			return err_set(ERR_PROTO, "WWW-Authenticate: expected ',' "
			    "or the end after a parameter value at offset %zu",
			    l->i);
		while (!cur_end(l) && (cur_peek(l) == ',' || cur_ows(l)))
			if (cur_peek(l) == ',')
				l->i++;
		if (cur_end(l))
			return ERR_OK;
		/* A token followed by '=' is a parameter, else a scheme. */
		name = l->p + l->i;
		nlen = cur_token(l);
		if (nlen == 0)
			return err_set(ERR_PROTO, "WWW-Authenticate: expected a "
			    "parameter or an auth scheme at offset %zu", l->i);
		from = l->i;
		cur_ows(l);
		if (cur_peek(l) != '=') {
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
	struct cur l;
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
			while (!cur_end(&l) && (cur_peek(&l) == ',' || cur_ows(&l)))
				if (cur_peek(&l) == ',')
					l.i++;
			if (cur_end(&l))
				break;
			s = l.i;
			slen = cur_token(&l);
			if (slen == 0)
				return err_set(ERR_PROTO, "WWW-Authenticate: expected "
				    "an auth scheme at offset %zu, found 0x%02x", l.i,
				    cur_peek(&l));
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
		if (!cur_ows(&l) && !cur_end(&l) && cur_peek(&l) != ',')
			return err_set(ERR_PROTO, "WWW-Authenticate: expected a "
			    "space after the auth scheme at offset %zu", l.i);
		if (cur_end(&l) || cur_peek(&l) == ',') {
			/* A challenge without parameters. */
		} else if (cur_is_token68(&l, &t68end)) {
			if (scheme != AUTH_NONE) {
				size_t k = l.i;

				while (k < t68end && lex_is_tchar((unsigned char)hdr[k]))
					k++;
				if (k + 1 == t68end && hdr[k] == '=') {
					char nb[AUTH_NAME_MAX + 1];

					return err_set(ERR_PROTO, "WWW-Authenticate: "
					    "parameter %s at offset %zu has no value",
					    lex_printable(nb, sizeof nb, hdr + l.i, k - l.i),
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
	return lex_ieq(lex_view_str(registry_host), lex_view_str(target_host));
}

int
auth_realm_may_send(int registry_https, const char *registry_host,
    int realm_https, const char *realm_host)
{
	if (registry_host == NULL || realm_host == NULL ||
	    registry_host[0] == '\0' || realm_host[0] == '\0')
		return 0;
	if (registry_https)
		return realm_https;
	return lex_ieq(lex_view_str(registry_host), lex_view_str(realm_host));
}
