/*
 * lex.c: counted views, character classes, decimal and hex, quoting of
 * lex.h.
 */
#include "lex.h"

#include <string.h>

/* ---- counted views --------------------------------------------------- */

struct lex_view
lex_view(const char *p, size_t n)
{
	struct lex_view v;

	v.p = p;
	v.n = n;
	return v;
}

struct lex_view
lex_view_str(const char *s)
{
	return lex_view(s, strlen(s));
}

struct lex_view
lex_field(const void *p, size_t max)
{
	const char *z = memchr(p, 0, max);

	return lex_view(p, z != NULL ? (size_t)(z - (const char *)p) : max);
}

int
lex_eq(struct lex_view v, const char *s)
{
	size_t n = strlen(s);

	return v.n == n && memcmp(v.p, s, n) == 0;
}

int
lex_ieq(struct lex_view a, struct lex_view b)
{
	size_t i;

	if (a.n != b.n)
		return 0;
	for (i = 0; i < a.n; i++)
		if (lex_lower((unsigned char)a.p[i]) !=
		    lex_lower((unsigned char)b.p[i]))
			return 0;
	return 1;
}

int
lex_ieq_str(struct lex_view v, const char *s)
{
	return lex_ieq(v, lex_view_str(s));
}

size_t
lex_find(struct lex_view v, char c)
{
	size_t i;

	for (i = 0; i < v.n && v.p[i] != c; i++)
		;
	return i;
}

/* ---- characters ------------------------------------------------------ */

int
lex_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

int
lex_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
lex_is_alnum(int c)
{
	return lex_is_digit(c) || lex_is_alpha(c);
}

int
lex_is_ows(int c)
{
	return c == ' ' || c == '\t';
}

int
lex_is_ctl(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

int
lex_is_tchar(int c)
{
	return lex_is_alnum(c) ||
	    (c > 0 && c < 0x80 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int
lex_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

void
lex_lower_copy(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (char)lex_lower((unsigned char)src[i]);
}

/* ---- decimal numbers ------------------------------------------------- */

enum lex_dec_result
lex_dec(const char *p, size_t n, uint64_t max, unsigned flags,
    uint64_t *out, size_t *used)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || !lex_is_digit(p[0]))
		return LEX_DEC_NONE;
	if ((flags & LEX_DEC_NO_LEADING_ZERO) != 0 && p[0] == '0' && n > 1 &&
	    lex_is_digit(p[1]))
		return LEX_DEC_NONE;
	for (i = 0; i < n && lex_is_digit(p[i]); i++) {
		unsigned d = (unsigned)(p[i] - '0');

		/* v * 10 + d <= max, asked without overflowing. */
		if (d > max || v > (max - d) / 10)
			return LEX_DEC_OVER;
		v = v * 10 + d;
	}
	*out = v;
	*used = i;
	return LEX_DEC_OK;
}

enum lex_dec_result
lex_dec_all(const char *p, size_t n, uint64_t max, unsigned flags,
    uint64_t *out)
{
	uint64_t v;
	size_t used;
	enum lex_dec_result r = lex_dec(p, n, max, flags, &v, &used);

	if (r != LEX_DEC_OK)
		return r;
	if (used != n)
		return LEX_DEC_NONE;
	*out = v;
	return LEX_DEC_OK;
}

/* ---- hex ------------------------------------------------------------- */

int
lex_hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
lex_is_lhex(int c)
{
	return lex_is_digit(c) || (c >= 'a' && c <= 'f');
}

void
lex_hex_encode(char *out, const void *in, size_t n, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	const unsigned char *b = in;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
}

/* ---- text for people and programs ------------------------------------ */

size_t
lex_json_quote(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	if (s == NULL && cap >= 5) {
		memcpy(out, "null", 5);
		return 4;
	}
	if (cap < 3 || s == NULL) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	out[o++] = '"';
	/* 8: the longest escape (6), the closing quote and the NUL. */
	for (; *s != '\0' && o + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			memcpy(out + o, "\\u00", 4);
			lex_hex_encode(out + o + 4, &c, 1, 0);
			o += 6;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

const char *
lex_printable(char *dst, size_t cap, const char *s, size_t n)
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
