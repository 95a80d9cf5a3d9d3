/*
 * json.c: jsmn in strict mode and the helpers of json.h.
 */
#define JSON_IMPLEMENTATION
/*
 * jsmn's code is compiled here. A cross sysroot is searched with -I, not
 * as a system directory, so its sign conversions would trip -Werror.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wconversion"
#include "json.h"
#pragma GCC diagnostic pop

#include <limits.h>
#include <string.h>

#include "err.h"
#include "lex.h"

/*
 * jsmn builds the token tree but accepts much that is not JSON: missing or
 * doubled separators ("[1 2]", "[1,,2]", "{\"a\"::1}"), a key without a
 * value ("{\"a\"}", which would send json_get past the last token), two
 * values for one key, "tru" or "--1" as primitives, raw control characters
 * in strings. check() walks the tokens once more and refuses all of that,
 * so the helpers below can trust the tree.
 */
#define JSON_DEPTH_MAX 32

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Raw extent of token i in the document: strings include their quotes. */
static size_t
raw_start(const struct json *j, int i)
{
	return (size_t)j->tok[i].start - (j->tok[i].type == JSMN_STRING);
}

static size_t
raw_end(const struct json *j, int i)
{
	return (size_t)j->tok[i].end + (j->tok[i].type == JSMN_STRING);
}

/* The gap [a, b) holds white space and exactly one sep (0: none). */
static int
gap_ok(const struct json *j, size_t a, size_t b, char sep)
{
	int seen = 0;

	if (a > b)
		return 0;
	for (; a < b; a++) {
		char c = j->doc[a];
		if (is_ws(c))
			continue;
		if (c != sep || seen)
			return 0;
		seen = 1;
	}
	return sep == 0 || seen;
}

/* true, false, null, or a number as RFC 8259 spells it. */
static int
primitive_ok(const char *p, size_t n)
{
	size_t k = 0;

	if ((n == 4 && memcmp(p, "true", 4) == 0) ||
	    (n == 5 && memcmp(p, "false", 5) == 0) ||
	    (n == 4 && memcmp(p, "null", 4) == 0))
		return 1;
	if (k < n && p[k] == '-')
		k++;
	if (k < n && p[k] == '0')
		k++;
	else if (k < n && p[k] >= '1' && p[k] <= '9')
		while (k < n && p[k] >= '0' && p[k] <= '9')
			k++;
	else
		return 0;
	if (k < n && p[k] == '.') {
		size_t d = ++k;
		while (k < n && p[k] >= '0' && p[k] <= '9')
			k++;
		if (k == d)
			return 0;
	}
	if (k < n && (p[k] == 'e' || p[k] == 'E')) {
		size_t d;
		k++;
		if (k < n && (p[k] == '+' || p[k] == '-'))
			k++;
		d = k;
		while (k < n && p[k] >= '0' && p[k] <= '9')
			k++;
		if (k == d)
			return 0;
	}
	return k == n;
}

/*
 * The token after the subtree that holds token i among the children of
 * container c: walk up from i to the child of c (bounded by the depth
 * cap, checked before this is called for i).
 */
static int
child_of(const struct json *j, int c, int i)
{
	while (j->tok[i].parent != c)
		i = j->tok[i].parent;
	return i;
}

/* End (raw) of a whole element of c: a key with its value, or a value. */
static size_t
element_end(const struct json *j, int c, int last)
{
	int e = child_of(j, c, last);

	if (j->tok[c].type == JSMN_OBJECT)
		e++;    /* the key's value; check() made sure there is one */
	return raw_end(j, e);
}

static long hex4(const char *p);

/*
 * Length of the UTF-8 sequence at p (at most n bytes, p[0] >= 0x80) as
 * RFC 3629 allows it, or 0 with *why set: no overlongs, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no stray or missing
 * continuation bytes.
 */
static size_t
utf8_len(const unsigned char *p, size_t n, const char **why)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, k;

	if (c < 0xc0) {
		*why = "a continuation byte without a lead byte";
		return 0;
	}
	if (c < 0xc2 || c == 0xe0 || c == 0xf0) {
		*why = "an overlong encoding";
		if (c < 0xc2)
			return 0;
	}
	if (c > 0xf4) {
		*why = "a code point above U+10FFFF";
		return 0;
	}
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xed) {
		hi = 0x9f;
		*why = "a UTF-16 surrogate encoded in UTF-8";
	} else if (c == 0xf4) {
		hi = 0x8f;
		*why = "a code point above U+10FFFF";
	}
	for (k = 1; k < len; k++) {
		if (k >= n || p[k] < 0x80 || p[k] > 0xbf) {
			*why = "a sequence cut short";
			return 0;
		}
		if (k == 1 && (p[1] < lo || p[1] > hi))
			return 0;
	}
	return len;
}

/*
 * The raw string at token i: no control characters, valid UTF-8, and
 * every \u escape of a surrogate one half of a high-low pair. Returns
 * ERR_OK or ERR_FORMAT naming the byte offset.
 */
static int
string_ok(const struct json *j, int i, const char *what)
{
	const unsigned char *d = (const unsigned char *)j->doc;
	size_t k = (size_t)j->tok[i].start, end = (size_t)j->tok[i].end, w;
	const char *why = "";
	long u, lo;

	while (k < end) {
		if (d[k] < 0x20)
			return err_set(ERR_FORMAT, "%s: control character in a "
			    "string at byte %zu", what, k);
		if (d[k] >= 0x80) {
			w = utf8_len(d + k, end - k, &why);
			if (w == 0)
				return err_set(ERR_FORMAT, "%s: invalid UTF-8 in a "
				    "string at byte %zu: %s", what, k, why);
			k += w;
			continue;
		}
		if (d[k] != '\\') {
			k++;
			continue;
		}
		/* jsmn's strict mode has checked the escape's shape. */
		if (k + 1 >= end || d[k + 1] != 'u' || k + 6 > end) {
			k += 2;
			continue;
		}
		u = hex4(j->doc + k + 2);
		if (u >= 0xdc00 && u <= 0xdfff)
			return err_set(ERR_FORMAT, "%s: lone low surrogate "
			    "\\u%04lx in a string at byte %zu", what, u, k);
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = k + 12 <= end && d[k + 6] == '\\' && d[k + 7] == 'u' ?
			    hex4(j->doc + k + 8) : -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				return err_set(ERR_FORMAT, "%s: high surrogate "
				    "\\u%04lx at byte %zu is not followed by a low "
				    "one", what, u, k);
			k += 6;
		}
		k += 6;
	}
	return ERR_OK;
}

static int
check(const struct json *j, int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++) {
		const jsmntok_t *t = &j->tok[i];
		int p = t->parent, depth = 0, q;
		size_t from;
		char sep;

		for (q = p; q >= 0; q = j->tok[q].parent)
			if (++depth > 2 * JSON_DEPTH_MAX)
				return err_set(ERR_FORMAT, "%s: JSON nested deeper "
				    "than %d levels (at byte %d)", what,
				    JSON_DEPTH_MAX, t->start);
		if (p < 0 && i != 0)
			return err_set(ERR_FORMAT, "%s: second JSON value at "
			    "byte %zu", what, raw_start(j, i));
		if (t->type == JSMN_STRING) {
			int key = p >= 0 && j->tok[p].type == JSMN_OBJECT;
			if (string_ok(j, i, what) != ERR_OK)
				return ERR_FORMAT;
			if (t->size != (key ? 1 : 0))
				return err_set(ERR_FORMAT, "%s: %s at byte %zu",
				    what, key ? "a key needs exactly one value" :
				    "':' after a string that is not a key",
				    raw_end(j, i));
			if (key && i + 1 >= n)
				return err_set(ERR_FORMAT, "%s: key without a "
				    "value at byte %zu", what, raw_start(j, i));
		} else if (t->type == JSMN_PRIMITIVE) {
			if (t->size != 0 || !primitive_ok(j->doc + t->start,
			    (size_t)(t->end - t->start)))
				return err_set(ERR_FORMAT, "%s: \"%.*s\" at byte "
				    "%d is not a JSON number, true, false or null",
				    what, t->end - t->start > 32 ? 32 :
				    t->end - t->start, j->doc + t->start, t->start);
		} else if (t->type != JSMN_OBJECT && t->type != JSMN_ARRAY) {
			return err_set(ERR_FORMAT, "%s: bad token at byte %d",
			    what, t->start);
		}
		if (p < 0)
			continue;
		if (j->tok[p].type == JSMN_OBJECT && t->type != JSMN_STRING)
			return err_set(ERR_FORMAT, "%s: object key at byte %zu is "
			    "not a string", what, raw_start(j, i));
		/* The bytes between this token and what comes before it. */
		if (j->tok[p].type == JSMN_STRING) {
			from = raw_end(j, p);
			sep = ':';
		} else if (i == p + 1) {
			from = raw_start(j, p) + 1;
			sep = 0;
		} else {
			from = element_end(j, p, i - 1);
			sep = ',';
		}
		if (!gap_ok(j, from, raw_start(j, i), sep))
			return err_set(ERR_FORMAT, "%s: expected %s before byte "
			    "%zu", what, sep == ':' ? "':'" : sep == ',' ?
			    "one ','" : "a value", raw_start(j, i));
	}
	/* After the last element of each container: only white space. */
	for (i = 0; i < n; i++) {
		int nx;
		size_t from;

		if (j->tok[i].type != JSMN_OBJECT && j->tok[i].type != JSMN_ARRAY)
			continue;
		nx = json_next(j, i);
		from = nx == i + 1 ? raw_start(j, i) + 1 :
		    element_end(j, i, nx - 1);
		if (!gap_ok(j, from, raw_end(j, i) - 1, 0))
			return err_set(ERR_FORMAT, "%s: unexpected ',' or "
			    "characters before byte %zu", what, raw_end(j, i) - 1);
	}
	return ERR_OK;
}

int
json_parse(struct json *j, const char *doc, size_t len, jsmntok_t *tok,
    unsigned cap, const char *what)
{
	jsmn_parser p;
	int n;
	size_t end;

	j->doc = doc;
	j->len = len;
	j->tok = tok;
	j->ntok = 0;
	jsmn_init(&p);
	if (len > (size_t)INT_MAX / 2 || cap > (unsigned)INT_MAX)
		return err_set(ERR_NOMEM, "%s: %zu bytes is more than a JSON "
		    "document may have", what, len);
	n = jsmn_parse(&p, doc, len, tok, cap);
	if (n == JSMN_ERROR_NOMEM)
		return err_set(ERR_NOMEM, "%s has more than %u JSON tokens "
		    "(raise BOARD_JSON_TOKENS in the board header)", what, cap);
	if (n == JSMN_ERROR_INVAL)
		return err_set(ERR_FORMAT, "%s is not valid JSON (near byte %u)",
		    what, p.pos);
	if (n == JSMN_ERROR_PART || n == 0)
		return err_set(ERR_FORMAT, "%s: JSON ends early (%zu bytes)", what,
		    len);
	if (tok[0].type != JSMN_OBJECT && tok[0].type != JSMN_ARRAY)
		return err_set(ERR_FORMAT, "%s is not a JSON object", what);
	/* Only white space may follow the top-level value. */
	for (end = (size_t)tok[0].end; end < len; end++) {
		char c = doc[end];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return err_set(ERR_FORMAT, "%s: data after the JSON value "
			    "at byte %zu", what, end);
	}
	j->ntok = n;
	if (check(j, n, what) != ERR_OK) {
		j->ntok = 0;
		return ERR_FORMAT;
	}
	return ERR_OK;
}

int
json_next(const struct json *j, int i)
{
	int end = j->tok[i].end;

	/* Tokens are in document order: skip those that start inside i. */
	for (i++; i < j->ntok && j->tok[i].start < end; i++)
		;
	return i;
}

int
json_is_object(const struct json *j, int i)
{
	return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_OBJECT;
}

int
json_is_array(const struct json *j, int i)
{
	return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_ARRAY;
}

int
json_is_string(const struct json *j, int i)
{
	return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_STRING;
}

int
json_str(const struct json *j, int i, struct json_str *out)
{
	if (!json_is_string(j, i))
		return ERR_FORMAT;
	out->p = j->doc + j->tok[i].start;
	out->n = (size_t)(j->tok[i].end - j->tok[i].start);
	return ERR_OK;
}

static long
hex4(const char *p)
{
	long v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		int h = lex_hex_val((unsigned char)p[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Append code point cp as UTF-8; returns bytes written or 0 if no room. */
static size_t
put_utf8(char *dst, size_t room, unsigned long cp)
{
	if (cp < 0x80 && room >= 1) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800 && room >= 2) {
		dst[0] = (char)(0xc0 | (cp >> 6));
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000 && room >= 3) {
		dst[0] = (char)(0xe0 | (cp >> 12));
		dst[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp >= 0x10000 && room >= 4) {
		dst[0] = (char)(0xf0 | (cp >> 18));
		dst[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		dst[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		dst[3] = (char)(0x80 | (cp & 0x3f));
		return 4;
	}
	return 0;
}

/*
 * Decode the character of s starting at *k into out (1 to 4 UTF-8 bytes)
 * and move *k past it. Returns the byte count, or ERR_FORMAT.
 */
static int
decode_char(const struct json_str *s, size_t *k, char out[4])
{
	unsigned long cp;
	char c = s->p[*k];
	size_t w;

	if (c != '\\') {
		out[0] = c;
		(*k)++;
		return 1;
	}
	/* jsmn strict mode has checked the escape's shape. */
	if (*k + 1 >= s->n)
		return ERR_FORMAT;
	c = s->p[++*k];
	switch (c) {
	case '"': case '\\': case '/': cp = (unsigned char)c; break;
	case 'b': cp = '\b'; break;
	case 'f': cp = '\f'; break;
	case 'n': cp = '\n'; break;
	case 'r': cp = '\r'; break;
	case 't': cp = '\t'; break;
	case 'u':
		if (*k + 4 >= s->n)
			return ERR_FORMAT;
		cp = (unsigned long)hex4(s->p + *k + 1);
		*k += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			long lo;
			if (*k + 6 >= s->n || s->p[*k + 1] != '\\' ||
			    s->p[*k + 2] != 'u')
				return ERR_FORMAT;
			lo = hex4(s->p + *k + 3);
			if (lo < 0xdc00 || lo > 0xdfff)
				return ERR_FORMAT;
			cp = 0x10000 + ((cp - 0xd800) << 10) +
			    ((unsigned long)lo - 0xdc00);
			*k += 6;
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			return ERR_FORMAT;
		}
		if (cp == 0)
			return ERR_FORMAT;
		break;
	default:
		return ERR_FORMAT;
	}
	(*k)++;
	w = put_utf8(out, 4, cp);
	return w == 0 ? ERR_FORMAT : (int)w;
}

long
json_copy(const struct json *j, int i, char *buf, size_t cap)
{
	struct json_str s;
	size_t k = 0, o = 0;
	char ch[4];

	if (json_str(j, i, &s) != ERR_OK || cap == 0)
		return ERR_FORMAT;
	while (k < s.n) {
		int w = decode_char(&s, &k, ch);

		if (w < 0)
			return w;
		if (o + (size_t)w >= cap)
			return ERR_NOMEM;
		memcpy(buf + o, ch, (size_t)w);
		o += (size_t)w;
	}
	buf[o] = '\0';
	return (long)o;
}

int
json_eq(const struct json *j, int i, const char *s)
{
	struct json_str v;
	size_t len = strlen(s), k = 0, o = 0;
	char ch[4];

	if (json_str(j, i, &v) != ERR_OK)
		return 0;
	if (memchr(v.p, '\\', v.n) == NULL)
		return v.n == len && memcmp(v.p, s, len) == 0;
	/* Compare while decoding: no length limit, no copy. */
	while (k < v.n) {
		int w = decode_char(&v, &k, ch);

		if (w < 0 || o + (size_t)w > len || memcmp(s + o, ch, (size_t)w) != 0)
			return 0;
		o += (size_t)w;
	}
	return o == len;
}

int
json_get(const struct json *j, int obj, const char *key)
{
	int i, k, found = -1;

	if (!json_is_object(j, obj))
		return ERR_FORMAT;
	for (i = obj + 1, k = 0; k < j->tok[obj].size; k++) {
		if (json_eq(j, i, key)) {
			if (found >= 0)
				return err_set(ERR_FORMAT, "duplicate key \"%s\" at byte %d",
				    key, j->tok[i].start);
			found = i + 1;
		}
		i = json_next(j, i + 1);    /* skip key, then its value */
	}
	return found;
}

int
json_u64(const struct json *j, int i, uint64_t max, uint64_t *out)
{
	if (i < 0 || i >= j->ntok || j->tok[i].type != JSMN_PRIMITIVE)
		return ERR_FORMAT;
	return lex_dec_all(j->doc + j->tok[i].start,
	    (size_t)(j->tok[i].end - j->tok[i].start), max,
	    LEX_DEC_NO_LEADING_ZERO, out) == LEX_DEC_OK ? ERR_OK : ERR_FORMAT;
}
