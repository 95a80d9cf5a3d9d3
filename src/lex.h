/*
 * lex.h: the small lexing helpers the parsers share, written once:
 * counted views, ASCII character classes and case folding, a bounded
 * decimal parser, hex digits, a JSON string quoter and a printable copy
 * of peer bytes for messages.
 *
 * Every function is pure: no state, no I/O, no allocation, no err_set()
 * message (callers word their own message from the result), so there is
 * no order of calls. Input is counted (pointer, length) unless a
 * prototype says NUL-terminated, and is never written to; outputs go to
 * caller buffers of the capacity given. Character classes take an int
 * holding an unsigned char (or a plain char: bytes above 0x7f belong to
 * no class) and know ASCII only, whatever the locale.
 */
#ifndef LEX_H
#define LEX_H

#include <stddef.h>
#include <stdint.h>

/* ---- counted views --------------------------------------------------- */

/* p[0..n) of a buffer the view does not own; not NUL-terminated. */
struct lex_view {
	const char *p;
	size_t n;
};

/* The view p[0..n). */
struct lex_view lex_view(const char *p, size_t n);

/* The view of the NUL-terminated string s (without its NUL). */
struct lex_view lex_view_str(const char *s);

/* The string in a fixed field p[0..max): up to its first NUL, or all max
 * bytes when it has none (tar header fields, full char arrays). */
struct lex_view lex_field(const void *p, size_t max);

/* 1 when v holds exactly the bytes of the NUL-terminated s, else 0. */
int lex_eq(struct lex_view v, const char *s);

/* 1 when a and b have the same length and bytes, ASCII letters compared
 * without case, else 0. */
int lex_ieq(struct lex_view a, struct lex_view b);

/* lex_ieq against the NUL-terminated s. */
int lex_ieq_str(struct lex_view v, const char *s);

/* Offset of the first c in v, or v.n when there is none. */
size_t lex_find(struct lex_view v, char c);

/* ---- characters ------------------------------------------------------ */

int lex_is_digit(int c);        /* 0-9 */
int lex_is_alpha(int c);        /* A-Z a-z */
int lex_is_alnum(int c);        /* 0-9 A-Z a-z */
int lex_is_ows(int c);          /* SP or HTAB (RFC 9110 OWS) */
int lex_is_ctl(int c);          /* 0x00-0x1f or 0x7f (HTAB included) */
int lex_is_tchar(int c);        /* RFC 9110 tchar: methods, header names */

/* c with A-Z turned into a-z; anything else unchanged. */
int lex_lower(int c);

/* Copy src[0..n) to dst lower-cased (A-Z only); dst may be src. */
void lex_lower_copy(char *dst, const char *src, size_t n);

/* ---- decimal numbers ------------------------------------------------- */

/* What lex_dec and lex_dec_all found (a result, not an ERR_* code). */
enum lex_dec_result {
	LEX_DEC_OK = 0,         /* a number no larger than max */
	LEX_DEC_NONE,           /* no number there (see each function) */
	LEX_DEC_OVER            /* digits whose value exceeds max */
};

/* Flag: refuse a leading zero ("0" alone is fine, "007" is not). */
#define LEX_DEC_NO_LEADING_ZERO 1u

/*
 * The run of ASCII digits at the start of p[0..n), at most max (any max
 * up to UINT64_MAX; exact, no overflow). No sign, no white space, no
 * base prefix. Returns
 *   LEX_DEC_OK    *out = the value, *used = the digits read (>= 1); the
 *                 byte after them, if any, is not a digit;
 *   LEX_DEC_NONE  p[0] is not a digit (or n is 0), or the flag
 *                 LEX_DEC_NO_LEADING_ZERO is given and a '0' is followed
 *                 by another digit;
 *   LEX_DEC_OVER  the value passes max: reading stops at the digit that
 *                 made it so (the rest is not looked at).
 * *out and *used are written only for LEX_DEC_OK.
 */
enum lex_dec_result lex_dec(const char *p, size_t n, uint64_t max,
    unsigned flags, uint64_t *out, size_t *used);

/*
 * All of p[0..n) as one decimal number: as lex_dec, and LEX_DEC_NONE also
 * when n is 0 or a byte that is not a digit follows the digits (a value
 * over max is LEX_DEC_OVER even then, as it is found first).
 */
enum lex_dec_result lex_dec_all(const char *p, size_t n, uint64_t max,
    unsigned flags, uint64_t *out);

/* ---- hex ------------------------------------------------------------- */

/* The value 0..15 of the hex digit c (either case), or -1. */
int lex_hex_val(int c);

/* 1 for 0-9 and a-f (the spelling of digests), else 0. */
int lex_is_lhex(int c);

/* Two hex digits per byte of in[0..n) into out[0..2n), upper or lower
 * case; no NUL is written. */
void lex_hex_encode(char *out, const void *in, size_t n, int upper);

/* ---- text for people and programs ------------------------------------ */

/*
 * The NUL-terminated s as a JSON string, quotes included, into out[0..cap),
 * NUL-terminated: '"' and '\' get a backslash, bytes below 0x20 become
 * \u00xx, all others (0x7f, UTF-8 or not) are copied as they are. When
 * fewer than 8 bytes of room remain the rest of s is cut (never inside an
 * escape) and the closing quote still written. A NULL s is written as
 * null. Returns the length written without the NUL: 0, with out "" when
 * cap > 0, if cap < 3 (cap < 5 for NULL).
 */
size_t lex_json_quote(char *out, size_t cap, const char *s);

/* A copy of s[0..n) for messages into dst[0..cap) (cap >= 1), cut to
 * cap - 1 bytes and NUL-terminated, with bytes outside 0x20..0x7e and '"'
 * replaced by '?'. Returns dst. */
const char *lex_printable(char *dst, size_t cap, const char *s, size_t n);

#endif /* LEX_H */
