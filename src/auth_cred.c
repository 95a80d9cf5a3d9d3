/*
 * auth_cred.c: base64, Basic credentials and docker's config.json of
 * auth_cred.h.
 */
#include "auth_cred.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "lex.h"
#include "port.h"

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
		if (c == ':' || lex_is_ctl(c))
			return err_set(ERR_USAGE, "user name has %s at offset %zu "
			    "(Basic authentication forbids ':' and control "
			    "characters)", c == ':' ? "':'" : "a control character",
			    i);
	}
	for (i = 0; i < pl; i++)
		if (lex_is_ctl((unsigned char)pass[i]))
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
		if (lex_ieq_str(lex_view(h, n), hub_hosts[k]))
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
	size_t h, s;

	if (hub && lex_eq(lex_view(k, kl), HUB_KEY))
		return 0;
	if (!hub && lex_ieq_str(lex_view(k, kl), reg))
		return 0;
	if (kl >= 8 && lex_ieq_str(lex_view(k, 8), "https://")) {
		k += 8;
		kl -= 8;
	} else if (kl >= 7 && lex_ieq_str(lex_view(k, 7), "http://")) {
		k += 7;
		kl -= 7;
	}
	h = lex_find(lex_view(k, kl), '/');
	if (h == 0)
		return -1;
	for (s = 0; s < sizeof suffixes / sizeof suffixes[0]; s++)
		if (lex_eq(lex_view(k + h, kl - h), suffixes[s]))
			break;
	if (s == sizeof suffixes / sizeof suffixes[0])
		return -1;
	if (hub)
		return is_hub(k, h) ? 1 : -1;
	return lex_ieq_str(lex_view(k, h), reg) ? 1 : -1;
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
					    lex_printable(pb, sizeof pb, kb, (size_t)kl),
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
		if (lex_is_ctl((unsigned char)s[i]))
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
			if (lex_is_ctl(b[k]))
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
	lex_printable(key, sizeof key, ks.p, ks.n);
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

/* A helper's name becomes part of a program name: letters, digits and
 * "._-" only (no '/', so it cannot leave PATH's directories). */
static int
helper_name(const struct json *j, int i, const char *where, char *name,
    size_t cap)
{
	char pb[80];
	long n = json_is_string(j, i) ? json_copy(j, i, name, cap) : ERR_FORMAT;
	long k;

	if (n == ERR_NOMEM)
		return err_set(ERR_FORMAT, "config.json: %s: helper name longer "
		    "than %zu bytes", where, cap - 1);
	if (n < 0)
		return err_set(ERR_FORMAT, "config.json: %s is not a string (at "
		    "byte %d)", where, j->tok[i].start);
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)name[k];

		if (!lex_is_alnum(c) && c != '.' && c != '_' && c != '-')
			return err_set(ERR_FORMAT, "config.json: %s: helper name "
			    "\"%s\" has a character outside letters, digits and "
			    "\"._-\"", where, lex_printable(pb, sizeof pb, name,
			    (size_t)n));
	}
	return n > 0;
}

int
auth_config_helper(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *registry, char *name, size_t cap)
{
	struct json j;
	int r, cs, ch;

	name[0] = '\0';
	r = config_parse(&j, doc, len, tok, ntok, registry);
	if (r < 0)
		return r;
	if ((ch = config_get(&j, 0, "credHelpers", NULL)) < -1)
		return ch;
	if (ch >= 0 && !json_is_object(&j, ch))
		return err_set(ERR_FORMAT, "config.json: \"credHelpers\" is not "
		    "an object (at byte %d)", j.tok[ch].start);
	if (ch >= 0) {
		r = config_find(&j, ch, registry, "credHelpers");
		if (r < -1)
			return r;
		if (r >= 0) {
			r = helper_name(&j, r + 1, "credHelpers", name, cap);
			if (r != 0)
				return r;
		}
	}
	if ((cs = config_get(&j, 0, "credsStore", NULL)) < -1)
		return cs;
	if (cs < 0)
		return 0;
	return helper_name(&j, cs, "credsStore", name, cap);
}

long
auth_helper_server(const char *registry, char *out, size_t cap)
{
	const char *s = is_hub(registry, strlen(registry)) ? HUB_KEY : registry;
	size_t n = strlen(s);

	if (n + 1 > cap)
		return err_set(ERR_NOMEM, "server URL of %zu bytes, room for %zu",
		    n, cap - 1);
	memcpy(out, s, n + 1);
	return (long)n;
}

/* The message of docker-credential-helpers for "nothing stored". */
#define HELPER_NOT_FOUND "credentials not found in native keychain"

/* A string field of the helper's reply into buf, checked as text. */
static int
helper_field(const struct json *j, const char *field, const char *helper,
    char *buf, size_t cap)
{
	int i = json_get(j, 0, field);
	long n;
	size_t k;

	if (i == -1 || (i >= 0 && !json_is_string(j, i)))
		return err_set(ERR_AUTH, "%s: reply has no string \"%s\"",
		    helper, field);
	if (i < 0)
		return err_prefix(ERR_AUTH, "%s: reply", helper);
	n = json_copy(j, i, buf, cap);
	if (n == ERR_NOMEM)
		return err_set(ERR_AUTH, "%s: \"%s\" longer than %zu bytes",
		    helper, field, cap - 1);
	if (n < 0)
		return err_set(ERR_AUTH, "%s: \"%s\": bad escape or NUL", helper,
		    field);
	for (k = 0; k < (size_t)n; k++)
		if (lex_is_ctl((unsigned char)buf[k]))
			return err_set(ERR_AUTH, "%s: \"%s\" has a control "
			    "character at offset %zu", helper, field, k);
	return ERR_OK;
}

static int
helper_reply(const char *out, size_t len, int status, jsmntok_t *tok,
    unsigned ntok, const char *helper, char *user, size_t ucap, char *pass,
    size_t pcap)
{
	struct json j;
	char pb[200];
	size_t a = 0, b = len;
	int r;

	while (a < b && (lex_is_ows(out[a]) || out[a] == '\n' || out[a] == '\r'))
		a++;
	while (b > a && (lex_is_ows(out[b - 1]) || out[b - 1] == '\n' ||
	    out[b - 1] == '\r'))
		b--;
	if (status != 0 && lex_eq(lex_view(out + a, b - a), HELPER_NOT_FOUND))
		return ERR_NOENT;
	if (status != 0)
		return err_set(ERR_AUTH, "%s get exited with status %d: %s", helper,
		    status, b > a ? lex_printable(pb, sizeof pb, out + a, b - a) :
		    "(no output)");
	r = json_parse(&j, out, len, tok, ntok, "reply");
	if (r < 0)
		return err_prefix(ERR_AUTH, "%s", helper);
	if (!json_is_object(&j, 0))
		return err_set(ERR_AUTH, "%s: reply is not a JSON object", helper);
	if ((r = helper_field(&j, "Username", helper, user, ucap)) < 0 ||
	    (r = helper_field(&j, "Secret", helper, pass, pcap)) < 0)
		return r;
	if (user[0] == '\0' && pass[0] == '\0')
		return ERR_NOENT;
	if (strcmp(user, "<token>") == 0)
		return err_set(ERR_AUTH, "%s gave an identity token (user name "
		    "\"<token>\", an OAuth refresh token), which ocipull does not "
		    "use: store a user name and password or access token for the "
		    "registry instead", helper);
	if (user[0] == '\0' || strchr(user, ':') != NULL)
		return err_set(ERR_AUTH, "%s: \"Username\" is empty or has a ':'",
		    helper);
	return ERR_OK;
}

int
auth_helper_reply(const char *out, size_t len, int status, jsmntok_t *tok,
    unsigned ntok, const char *helper, char *user, size_t ucap, char *pass,
    size_t pcap)
{
	int r;

	if (ucap == 0 || pcap == 0)
		return err_set(ERR_NOMEM, "%s: no room for user name or password",
		    helper);
	user[0] = '\0';
	pass[0] = '\0';
	r = helper_reply(out, len, status, tok, ntok, helper, user, ucap, pass,
	    pcap);
	if (r != ERR_OK) {
		memset(user, 0, ucap);
		memset(pass, 0, pcap);
	}
	return r;
}

int
auth_config_default(char *path, size_t cap)
{
	const char *dc = port_env("DOCKER_CONFIG"), *home = port_env("HOME");

	if (dc != NULL && dc[0] != '\0')
		snprintf(path, cap, "%s/config.json", dc);
	else if (home != NULL && home[0] != '\0')
		snprintf(path, cap, "%s/.docker/config.json", home);
	else
		return 0;
	return 1;
}
