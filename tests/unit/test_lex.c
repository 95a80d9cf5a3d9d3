/*
 * test_lex.c: the shared lexing helpers: views, character classes, the
 * bounded decimal parser (with each caller's bounds and flags), hex, the
 * JSON quoter and the printable copy.
 *
 * Inputs of the counted functions are copied into heap buffers of their
 * exact length, so AddressSanitizer catches a read past the count.
 */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "lex.h"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* A heap copy of s without its NUL (freed by the caller). */
static char *
exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static void
test_views(void)
{
	char field[8] = { 'a', 'b', 0, 'c', 'd', 'e', 'f', 'g' };
	char full[4] = { 'w', 'x', 'y', 'z' };
	struct lex_view v;

	v = lex_view_str("hello");
	CHECK_MEM(v.p, v.n, "hello");
	v = lex_view("hello", 3);
	CHECK_MEM(v.p, v.n, "hel");
	v = lex_field(field, sizeof field);
	CHECK_MEM(v.p, v.n, "ab");
	v = lex_field(full, sizeof full);
	CHECK_MEM(v.p, v.n, "wxyz");
	CHECK_EQ(lex_field(field, 0).n, 0);

	CHECK(lex_eq(lex_view("abc", 3), "abc"));
	CHECK(!lex_eq(lex_view("abc", 2), "abc"));
	CHECK(!lex_eq(lex_view("abcd", 4), "abc"));
	CHECK(!lex_eq(lex_view("ABC", 3), "abc"));
	CHECK(lex_eq(lex_view("", 0), ""));

	CHECK(lex_ieq_str(lex_view("Content-LENGTH", 14), "content-length"));
	CHECK(lex_ieq_str(lex_view("content-length", 14), "CONTENT-LENGTH"));
	CHECK(!lex_ieq_str(lex_view("content-lengt", 13), "content-length"));
	CHECK(!lex_ieq_str(lex_view("content-lengthx", 15), "content-length"));
	CHECK(lex_ieq(lex_view("", 0), lex_view("", 0)));
	/* ASCII only: no folding of Latin-1 or UTF-8 bytes, '@' is not '`'. */
	CHECK(!lex_ieq(lex_view("\xc9", 1), lex_view("\xe9", 1)));
	CHECK(!lex_ieq(lex_view("@", 1), lex_view("`", 1)));
	CHECK(!lex_ieq(lex_view("[", 1), lex_view("{", 1)));
	/* Views need no NUL: compare inside longer strings. */
	CHECK(lex_ieq(lex_view("HOST:5000", 4), lex_view("host.example", 4)));

	CHECK_EQ(lex_find(lex_view("a:b:c", 5), ':'), 1);
	CHECK_EQ(lex_find(lex_view("a:b:c", 1), ':'), 1);
	CHECK_EQ(lex_find(lex_view("abc", 3), '/'), 3);
	CHECK_EQ(lex_find(lex_view("", 0), '/'), 0);
}

static void
test_classes(void)
{
	const char *tspecial = "!#$%&'*+-.^_`|~";
	int c;

	for (c = 0; c < 256; c++) {
		int digit = c >= '0' && c <= '9';
		int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		int tchar = digit || alpha ||
		    (c != 0 && strchr(tspecial, c) != NULL);

		CHECK_EQ(lex_is_digit(c), digit);
		CHECK_EQ(lex_is_alpha(c), alpha);
		CHECK_EQ(lex_is_alnum(c), digit || alpha);
		CHECK_EQ(lex_is_tchar(c), tchar);
		CHECK_EQ(lex_is_ows(c), c == ' ' || c == '\t');
		CHECK_EQ(lex_is_ctl(c), c < 0x20 || c == 0x7f);
		CHECK_EQ(lex_lower(c), c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	/* A plain char above 0x7f (negative where char is signed) is in no
	 * class. */
	CHECK(!lex_is_tchar((char)0xe9));
	CHECK(!lex_is_ctl((char)0x80));
	CHECK(!lex_is_tchar('"') && !lex_is_tchar('(') && !lex_is_tchar(':'));
}

static void
test_lower_copy(void)
{
	char buf[16] = "Reg-1.Docker.IO";
	char out[8];

	lex_lower_copy(buf, buf, strlen(buf));
	CHECK_STR(buf, "reg-1.docker.io");
	memset(out, '#', sizeof out);
	lex_lower_copy(out, "AbC\xc9Z", 5);
	CHECK(memcmp(out, "abc\xc9z#", 6) == 0);    /* n bytes, no NUL */
}

/* One lex_dec or lex_dec_all call and what it must give. */
struct dec {
	const char *in;
	uint64_t max;
	unsigned flags;
	int all;                /* lex_dec_all, else lex_dec */
	enum lex_dec_result want;
	uint64_t value;         /* for LEX_DEC_OK */
	size_t used;            /* for LEX_DEC_OK of lex_dec */
};

#define NLZ LEX_DEC_NO_LEADING_ZERO
#define OK LEX_DEC_OK
#define NONE LEX_DEC_NONE
#define OVER LEX_DEC_OVER

static void
check_dec(const struct dec *t, size_t count, const char *table)
{
	size_t k;

	for (k = 0; k < count; k++) {
		size_t n = strlen(t[k].in), used = 777;
		char *in = exact(t[k].in, n);
		uint64_t v = 12345;
		enum lex_dec_result r;

		if (in == NULL)
			continue;
		r = t[k].all ? lex_dec_all(in, n, t[k].max, t[k].flags, &v) :
		    lex_dec(in, n, t[k].max, t[k].flags, &v, &used);
		if (r != t[k].want)
			fprintf(stderr, "  %s[%zu] \"%s\": result %d, expected %d\n",
			    table, k, t[k].in, (int)r, (int)t[k].want);
		CHECK_EQ(r, t[k].want);
		if (r == OK) {
			CHECK_EQ(v, t[k].value);
			if (!t[k].all)
				CHECK_EQ(used, t[k].used);
		} else {
			/* Outputs are left alone on failure. */
			CHECK_EQ(v, 12345);
			CHECK_EQ(used, 777);
		}
		free(in);
	}
}

/* Known answers, bounds and refusals of the parser itself. */
static void
test_dec(void)
{
	static const struct dec t[] = {
		{ "0", 9, 0, 0, OK, 0, 1 },
		{ "7", 9, 0, 0, OK, 7, 1 },
		{ "42", 100, 0, 0, OK, 42, 2 },
		{ "007", 100, 0, 0, OK, 7, 3 },
		{ "12-34", 100, 0, 0, OK, 12, 2 },
		{ "12 ", 100, 0, 0, OK, 12, 2 },
		{ "18446744073709551615", UINT64_MAX, 0, 1, OK, UINT64_MAX, 0 },
		{ "18446744073709551616", UINT64_MAX, 0, 1, OVER, 0, 0 },
		{ "99999999999999999999999", UINT64_MAX, 0, 1, OVER, 0, 0 },
		{ "00000000000000000000000000001", UINT64_MAX, 0, 1, OK, 1, 0 },
		/* max is inclusive, exact, and may be below 9 */
		{ "100", 100, 0, 1, OK, 100, 0 },
		{ "101", 100, 0, 1, OVER, 0, 0 },
		{ "5", 5, 0, 1, OK, 5, 0 },
		{ "6", 5, 0, 1, OVER, 0, 0 },
		{ "0", 0, 0, 1, OK, 0, 0 },
		{ "00", 0, 0, 1, OK, 0, 0 },
		{ "1", 0, 0, 1, OVER, 0, 0 },
		/* no sign, no space, no base, no empty */
		{ "", 10, 0, 0, NONE, 0, 0 },
		{ "", 10, 0, 1, NONE, 0, 0 },
		{ "+1", 10, 0, 0, NONE, 0, 0 },
		{ "-1", 10, 0, 0, NONE, 0, 0 },
		{ " 1", 10, 0, 0, NONE, 0, 0 },
		{ "1 ", 10, 0, 1, NONE, 0, 0 },
		{ "x1", 10, 0, 0, NONE, 0, 0 },
		{ "0x10", 100, 0, 1, NONE, 0, 0 },
		{ "0x10", 100, 0, 0, OK, 0, 1 },
		{ "1e3", 10000, 0, 1, NONE, 0, 0 },
		{ "1.0", 10, 0, 1, NONE, 0, 0 },
		/* a value over max is found before what follows */
		{ "999999x", 86400, 0, 1, OVER, 0, 0 },
		{ "12x", 86400, 0, 1, NONE, 0, 0 },
		/* leading zeros refused on request; "0" itself is a number */
		{ "0", 100, NLZ, 1, OK, 0, 0 },
		{ "0.", 100, NLZ, 0, OK, 0, 1 },
		{ "00", 100, NLZ, 1, NONE, 0, 0 },
		{ "01", 100, NLZ, 0, NONE, 0, 0 },
		{ "10", 100, NLZ, 1, OK, 10, 0 },
		{ "100", 100, NLZ, 1, OK, 100, 0 },
	};

	check_dec(t, COUNT(t), "dec");
}

/*
 * The bounds and flags each former parser had, as its caller now passes
 * them (pull.c's jnum and range_first, main.c's number: the calls that
 * will replace them).
 */
static void
test_dec_callers(void)
{
	static const struct dec t[] = {
		/* main.c number(): all digits, at most 86400, zeros allowed */
		{ "86400", 86400, 0, 1, OK, 86400, 0 },
		{ "86401", 86400, 0, 1, OVER, 0, 0 },
		{ "0005", 86400, 0, 1, OK, 5, 0 },
		{ "5s", 86400, 0, 1, NONE, 0, 0 },
		/* registry.c Retry-After: the same; OVER means "clamp" */
		{ "120", 86400, 0, 1, OK, 120, 0 },
		{ "86400000", 86400, 0, 1, OVER, 0, 0 },
		/* tar PAX size: 0 to 2^62 */
		{ "4611686018427387904", (uint64_t)1 << 62, 0, 1, OK,
		  (uint64_t)1 << 62, 0 },
		{ "4611686018427387905", (uint64_t)1 << 62, 0, 1, OVER, 0, 0 },
		{ "000", (uint64_t)1 << 62, 0, 1, OK, 0, 0 },
		/* tar PAX uid/gid: 32 bits */
		{ "4294967295", UINT32_MAX, 0, 1, OK, UINT32_MAX, 0 },
		{ "4294967296", UINT32_MAX, 0, 1, OVER, 0, 0 },
		/* tar PAX mtime seconds: INT64_MAX */
		{ "9223372036854775807", INT64_MAX, 0, 1, OK, INT64_MAX, 0 },
		{ "9223372036854775808", INT64_MAX, 0, 1, OVER, 0, 0 },
		/* tar PAX record length (64-bit size_t): the old loop's bound */
		{ "18446744073709551609 a=b\n", UINT64_MAX - 6, 0, 0, OK,
		  UINT64_MAX - 6, 20 },
		{ "18446744073709551610 a=b\n", UINT64_MAX - 6, 0, 0, OVER, 0, 0 },
		/* HTTP Content-Length, one element of "N, N": 2^62 */
		{ "4611686018427387904, 5", (uint64_t)1 << 62, 0, 0, OK,
		  (uint64_t)1 << 62, 19 },
		{ "4611686018427387905", (uint64_t)1 << 62, 0, 0, OVER, 0, 0 },
		/* json_u64: no leading zero */
		{ "0", UINT32_MAX, NLZ, 1, OK, 0, 0 },
		{ "01", UINT32_MAX, NLZ, 1, NONE, 0, 0 },
		{ "3600", UINT32_MAX, NLZ, 1, OK, 3600, 0 },
		{ "-1", UINT32_MAX, NLZ, 1, NONE, 0, 0 },
		/* ref.c port: 1..65535 (0 refused by the caller), no zeros */
		{ "65535", 65535, NLZ, 1, OK, 65535, 0 },
		{ "65536", 65535, NLZ, 1, OVER, 0, 0 },
		{ "100000", 65535, NLZ, 1, OVER, 0, 0 },
		{ "080", 65535, NLZ, 1, NONE, 0, 0 },
		/* ref.c IPv4 part: 0..255, no zeros, followed by '.' */
		{ "255.0", 255, NLZ, 0, OK, 255, 3 },
		{ "0.1", 255, NLZ, 0, OK, 0, 1 },
		{ "256.0", 255, NLZ, 0, OVER, 0, 0 },
		{ "1234", 255, NLZ, 0, OVER, 0, 0 },
		{ "01.2", 255, NLZ, 0, NONE, 0, 0 },
		/* http_url.c port: at most five digits (the caller checks),
		 * leading zeros allowed */
		{ "00080", 99999, 0, 1, OK, 80, 0 },
		{ "99999", 99999, 0, 1, OK, 99999, 0 },
		/* pull.c jnum: a journal field up to the next byte; its loop
		 * took at most UINT64_MAX - 6 */
		{ "1234 5678\n", UINT64_MAX - 6, 0, 0, OK, 1234, 4 },
		{ "18446744073709551609\n", UINT64_MAX - 6, 0, 0, OK,
		  UINT64_MAX - 6, 20 },
		{ "18446744073709551610\n", UINT64_MAX - 6, 0, 0, OVER, 0, 0 },
		/* pull.c range_first: FIRST of "FIRST-LAST/SIZE"; its loop took
		 * at most 2^53 * 10 + 9 */
		{ "1048576-2097151/2097152", ((uint64_t)1 << 53) * 10 + 9, 0, 0,
		  OK, 1048576, 7 },
		{ "90071992547409929-", ((uint64_t)1 << 53) * 10 + 9, 0, 0, OK,
		  90071992547409929ull, 17 },
		{ "90071992547409930-", ((uint64_t)1 << 53) * 10 + 9, 0, 0, OVER,
		  0, 0 },
	};

	check_dec(t, COUNT(t), "callers");
}

/* A PAX record length is read from at most 20 bytes: a 21st digit is
 * left for the caller, which wants a space there. */
static void
test_dec_span(void)
{
	const char *s = "000000000000000000001 a=b\n";
	uint64_t v = 9;
	size_t used = 0;

	CHECK_EQ(lex_dec(s, 20, UINT64_MAX - 6, 0, &v, &used), LEX_DEC_OK);
	CHECK_EQ(v, 0);
	CHECK_EQ(used, 20);
	CHECK(s[used] == '1');
	/* The count is obeyed: nothing past n is read. */
	CHECK_EQ(lex_dec("123", 2, 1000, 0, &v, &used), LEX_DEC_OK);
	CHECK_EQ(v, 12);
	CHECK_EQ(used, 2);
	CHECK_EQ(lex_dec_all("123", 2, 1000, 0, &v), LEX_DEC_OK);
	CHECK_EQ(v, 12);
	CHECK_EQ(lex_dec("0", 1, 1000, LEX_DEC_NO_LEADING_ZERO, &v, &used),
	    LEX_DEC_OK);
	CHECK_EQ(lex_dec("01", 1, 1000, LEX_DEC_NO_LEADING_ZERO, &v, &used),
	    LEX_DEC_OK);
}

static void
test_hex(void)
{
	static const unsigned char bytes[] = { 0x00, 0x0f, 0xa5, 0xff, 0x10 };
	char out[16];
	int c;

	for (c = -1; c < 256; c++) {
		int want = -1;

		if (c >= '0' && c <= '9')
			want = c - '0';
		else if (c >= 'a' && c <= 'f')
			want = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			want = c - 'A' + 10;
		CHECK_EQ(lex_hex_val(c), want);
		CHECK_EQ(lex_is_lhex(c), want >= 0 && !(c >= 'A' && c <= 'F'));
	}
	memset(out, '#', sizeof out);
	lex_hex_encode(out, bytes, sizeof bytes, 0);
	CHECK(memcmp(out, "000fa5ff10#", 11) == 0);
	memset(out, '#', sizeof out);
	lex_hex_encode(out, bytes, sizeof bytes, 1);
	CHECK(memcmp(out, "000FA5FF10#", 11) == 0);
	memset(out, '#', sizeof out);
	lex_hex_encode(out, bytes, 0, 0);
	CHECK(out[0] == '#');
}

static void
check_quote(const char *in, size_t cap, const char *want)
{
	char out[2100];
	size_t n;

	memset(out, '#', sizeof out);
	n = lex_json_quote(out, cap, in);
	CHECK_EQ(n, strlen(want));
	CHECK_STR(out, want);
	CHECK(n < cap);
	CHECK(out[cap] == '#');                 /* nothing past cap */
}

static void
test_json_quote(void)
{
	static char big[2000], want[1100];
	char out[4];
	size_t k;

	check_quote("abc", 64, "\"abc\"");
	check_quote("", 64, "\"\"");
	check_quote("a\"b\\c/d", 64, "\"a\\\"b\\\\c/d\"");
	/* Control characters: \u00xx in lower case, all of them. */
	check_quote("\x01\n\x1f\t\r", 64,
	    "\"\\u0001\\u000a\\u001f\\u0009\\u000d\"");
	/* DEL, UTF-8 and bytes that are not UTF-8 pass as they are. */
	check_quote("\x7f" "caf\xc3\xa9 \xff\x80", 64,
	    "\"\x7f" "caf\xc3\xa9 \xff\x80\"");
	/* Cut while fewer than 8 bytes of room remain, never in an escape. */
	check_quote("abcdefgh", 12, "\"abc\"");
	check_quote("\x01\x01\x01", 16, "\"\\u0001\\u0001\"");
	check_quote("\"\"\"\"", 12, "\"\\\"\\\"\"");
	check_quote("abc", 3, "\"\"");
	/* A 1024-byte buffer (main's) keeps 1015 bytes of a long value. */
	memset(big, 'a', sizeof big - 1);
	want[0] = '"';
	memset(want + 1, 'a', 1015);
	want[1016] = '"';
	want[1017] = '\0';
	check_quote(big, 1024, want);
	/* NULL: null, or "" when it does not fit. */
	CHECK_EQ(lex_json_quote(want, 5, NULL), 4);
	CHECK_STR(want, "null");
	CHECK_EQ(lex_json_quote(out, sizeof out, NULL), 0);
	CHECK_STR(out, "");
	/* Too small for the quotes: "" when there is room for the NUL. */
	for (k = 0; k < sizeof out; k++) {
		memset(out, '#', sizeof out);
		CHECK_EQ(lex_json_quote(out, k, "abc"), k < 3 ? 0 : 2);
		if (k > 0)
			CHECK(out[0] == (k < 3 ? '\0' : '"'));
		else
			CHECK(out[0] == '#');
	}
}

static void
test_printable(void)
{
	char out[16];

	CHECK_STR(lex_printable(out, sizeof out, "a\"b\x01\x80~\x7f z", 9),
	    "a?b??~? z");
	CHECK_STR(lex_printable(out, 4, "abcdef", 6), "abc");
	CHECK_STR(lex_printable(out, 1, "abcdef", 6), "");
	CHECK_STR(lex_printable(out, sizeof out, "ab\0cd", 5), "ab?cd");
}

int
main(void)
{
	UNIT_RUN(test_views);
	UNIT_RUN(test_classes);
	UNIT_RUN(test_lower_copy);
	UNIT_RUN(test_dec);
	UNIT_RUN(test_dec_callers);
	UNIT_RUN(test_dec_span);
	UNIT_RUN(test_hex);
	UNIT_RUN(test_json_quote);
	UNIT_RUN(test_printable);
	return UNIT_END();
}
