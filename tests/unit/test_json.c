/* test_json.c: the jsmn helpers: strict parsing, lookups, decoding, numbers. */
#include <stdint.h>

#include "unit.h"
#include "err.h"
#include "json.h"

#define NTOK 64
static jsmntok_t tok[NTOK];

static int
parse(struct json *j, const char *doc)
{
	err_clear();
	return json_parse(j, doc, strlen(doc), tok, NTOK, "doc");
}

static void
test_parse_ok(void)
{
	struct json j;
	int v;

	CHECK_EQ(parse(&j, "{\"a\":1,\"b\":[true,false,null],\"c\":{}}"), ERR_OK);
	CHECK_EQ(j.ntok, 10);
	CHECK(json_is_object(&j, 0));
	v = json_get(&j, 0, "b");
	CHECK(json_is_array(&j, v));
	CHECK_EQ(j.tok[v].size, 3);
	CHECK(json_is_object(&j, json_get(&j, 0, "c")));
	CHECK_EQ(parse(&j, "  [ ]\r\n\t "), ERR_OK);
	CHECK_EQ(parse(&j, "[-0, 0.5, 1.5e+10, 2E-3, -12, \"\", \"\\\"\"]"), ERR_OK);
	CHECK_EQ(j.ntok, 8);
	CHECK_EQ(parse(&j, "{ \"a\" : { \"b\" : [ 1 , { } ] } , \"c\" : \"d\" }"),
	    ERR_OK);
}

static const struct {
	const char *doc, *msg;
} bad_docs[] = {
	{ "{\"a\":1}}", "not valid JSON (near byte 7)" },
	{ "{\"a\" 1}", "not valid JSON (near byte 5)" },
	{ "{:1}", "not valid JSON (near byte 2)" },
	{ "{\"a\":\"\\x\"}", "not valid JSON (near byte 5)" },
	{ "{\"a\":1", "ends early" },
	{ "", "ends early" },
	{ "   ", "ends early" },
	{ "\"str\"", "not a JSON object" },
	{ "{} x", "not valid JSON (near byte 3)" },
	{ "{} \"x\"", "data after the JSON value at byte 3" },
	{ "{}{}", "data after the JSON value at byte 2" },
	{ "{\"a\":1}\n,", "data after the JSON value at byte 8" },
	/* what jsmn lets through and json_parse must not */
	{ "{\"a\"}", "a key needs exactly one value at byte 4" },
	{ "{\"a\":}", "a key needs exactly one value at byte 4" },
	{ "{\"a\":1 \"b\":2}", "a key needs exactly one value" },
	{ "{\"a\":\"b\" \"c\"}", "a key needs exactly one value" },
	{ "[\"a\":1]", "':' after a string that is not a key" },
	{ "{\"a\":1,}", "unexpected ',' or characters before byte 7" },
	{ "[1,]", "unexpected ',' or characters before byte 3" },
	{ "[,1]", "expected a value before byte 2" },
	{ "[1 2]", "expected one ',' before byte 3" },
	{ "[1,,2]", "expected one ',' before byte 4" },
	{ "{\"a\"::1}", "expected ':' before byte 6" },
	{ "{\"a\":{\"b\"}}", "a key needs exactly one value at byte 9" },
	{ "{\"a\":tru}", "\"tru\" at byte 5 is not a JSON number" },
	{ "{\"a\":--1}", "\"--1\" at byte 5" },
	{ "[01]", "\"01\" at byte 1" },
	{ "[1.]", "\"1.\" at byte 1" },
	{ "[1e]", "\"1e\" at byte 1" },
	{ "[-]", "\"-\" at byte 1" },
	{ "[\"a\nb\"]", "control character in a string at byte 3" },
	{ "[\"a\tb\"]", "control character in a string at byte 3" },
};

static void
test_parse_errors(void)
{
	size_t k;

	for (k = 0; k < sizeof bad_docs / sizeof bad_docs[0]; k++) {
		struct json j;
		int r = parse(&j, bad_docs[k].doc);

		CHECK_EQ(r, ERR_FORMAT);
		CHECK_EQ(j.ntok, 0);
		if (strstr(err_msg(), bad_docs[k].msg) == NULL)
			fprintf(stderr, "  row %zu: %s -> \"%s\"\n", k,
			    bad_docs[k].doc, err_msg());
		CHECK(strstr(err_msg(), bad_docs[k].msg) != NULL);
		CHECK(strncmp(err_msg(), "doc", 3) == 0);
	}
}

static void
test_embedded_nul_refused(void)
{
	static const char doc[] = "{\"a\":1}\0{}";
	struct json j;

	err_clear();
	CHECK_EQ(json_parse(&j, doc, sizeof doc - 1, tok, NTOK, "doc"),
	    ERR_FORMAT);
	CHECK(strstr(err_msg(), "byte 7") != NULL);
}

static void
test_deep_nesting_refused(void)
{
	char doc[200];
	jsmntok_t big[128];
	struct json j;
	int k;

	for (k = 0; k < 70; k++) {
		doc[k] = '[';
		doc[140 - 1 - k] = ']';
	}
	err_clear();
	CHECK_EQ(json_parse(&j, doc, 140, big, 128, "deep"), ERR_FORMAT);
	CHECK(strstr(err_msg(), "nested deeper than") != NULL);
	/* 20 levels are fine */
	for (k = 0; k < 20; k++) {
		doc[k] = '[';
		doc[40 - 1 - k] = ']';
	}
	CHECK_EQ(json_parse(&j, doc, 40, big, 128, "deep"), ERR_OK);
}

static void
test_token_cap(void)
{
	struct json j;
	const char *doc = "{\"a\":[1,2,3]}";

	err_clear();
	CHECK_EQ(json_parse(&j, doc, strlen(doc), tok, 4, "manifest"), ERR_NOMEM);
	CHECK(strstr(err_msg(), "manifest has more than 4 JSON tokens") != NULL);
	CHECK(strstr(err_msg(), "BOARD_JSON_TOKENS") != NULL);
	/* exactly enough */
	err_clear();
	CHECK_EQ(json_parse(&j, doc, strlen(doc), tok, 6, "manifest"), ERR_OK);
	CHECK_EQ(j.ntok, 6);
}

static void
test_get(void)
{
	struct json j;

	CHECK_EQ(parse(&j, "{\"a\":1,\"b\":{\"a\":2},\"c\":3}"), ERR_OK);
	CHECK_EQ(json_get(&j, 0, "a"), 2);
	CHECK_EQ(json_get(&j, 0, "zz"), -1);
	CHECK_EQ(json_get(&j, json_get(&j, 0, "b"), "a"), 6);
	CHECK_EQ(json_get(&j, 0, "c"), 8);
	CHECK_EQ(json_get(&j, 2, "a"), ERR_FORMAT);   /* not an object */

	CHECK_EQ(parse(&j, "{\"layers\":[],\"x\":1,\"layers\":[]}"), ERR_OK);
	CHECK_EQ(json_get(&j, 0, "x"), 4);
	err_clear();
	CHECK_EQ(json_get(&j, 0, "layers"), ERR_FORMAT);
	CHECK_STR(err_msg(), "duplicate key \"layers\" at byte 20");

	/* the same key spelled with an escape is the same key */
	CHECK_EQ(parse(&j, "{\"a\":1,\"\\u0061\":2}"), ERR_OK);
	CHECK_EQ(json_get(&j, 0, "a"), ERR_FORMAT);
	CHECK(strstr(err_msg(), "duplicate key \"a\"") != NULL);
}

static void
test_next_walks_arrays(void)
{
	struct json j;
	int arr, i, k, sum = 0;
	uint64_t v;

	CHECK_EQ(parse(&j, "{\"x\":[{\"n\":1,\"m\":[9,9]},{\"n\":2},{\"n\":3}]}"),
	    ERR_OK);
	arr = json_get(&j, 0, "x");
	for (i = arr + 1, k = 0; k < j.tok[arr].size; k++, i = json_next(&j, i)) {
		CHECK_EQ(json_u64(&j, json_get(&j, i, "n"), 100, &v), ERR_OK);
		sum += (int)v;
	}
	CHECK_EQ(sum, 6);
	CHECK_EQ(i, j.ntok);
}

static void
test_copy_escapes(void)
{
	struct json j;
	char buf[32];

	CHECK_EQ(parse(&j, "[\"caf\\u00e9\",\"\\ud83d\\ude00\",\"a\\\"\\\\\\/\\n\\t\","
	    "\"\\u20AC\",\"plain\"]"), ERR_OK);
	CHECK_EQ(json_copy(&j, 1, buf, sizeof buf), 5);
	CHECK_STR(buf, "caf\xc3\xa9");
	CHECK_EQ(json_copy(&j, 2, buf, sizeof buf), 4);
	CHECK_STR(buf, "\xf0\x9f\x98\x80");
	CHECK_EQ(json_copy(&j, 3, buf, sizeof buf), 6);
	CHECK_STR(buf, "a\"\\/\n\t");
	CHECK_EQ(json_copy(&j, 4, buf, sizeof buf), 3);
	CHECK_STR(buf, "\xe2\x82\xac");
	CHECK(json_eq(&j, 1, "caf\xc3\xa9"));
	CHECK(!json_eq(&j, 1, "cafe"));
	/* room: "plain" needs 6 bytes with its NUL */
	CHECK_EQ(json_copy(&j, 5, buf, 6), 5);
	CHECK_EQ(json_copy(&j, 5, buf, 5), ERR_NOMEM);
	CHECK_EQ(json_copy(&j, 1, buf, 5), ERR_NOMEM);   /* é does not fit */
	CHECK_EQ(json_copy(&j, 0, buf, sizeof buf), ERR_FORMAT); /* array */

	/* NUL is refused when decoded (lone surrogates already by
	 * json_parse, test_utf8_refused) */
	CHECK_EQ(parse(&j, "[\"a\\u0000b\"]"), ERR_OK);
	CHECK_EQ(json_copy(&j, 1, buf, sizeof buf), ERR_FORMAT);
	CHECK(!json_eq(&j, 1, "a"));
}

/* Strings that are not UTF-8, or escape half a surrogate pair: each
 * refused by json_parse with the byte offset of the offending sequence. */
static const struct {
	const char *doc, *msg;
} bad_utf8[] = {
	/* overlong encodings: '/' in 2 bytes, U+07FF in 3, U+FFFF in 4 */
	{ "[\"a\xc0\xaf\"]", "byte 3: an overlong encoding" },
	{ "[\"\xc1\xbf\"]", "byte 2: an overlong encoding" },
	{ "[\"\xe0\x9f\xbf\"]", "byte 2: an overlong encoding" },
	{ "[\"\xf0\x8f\xbf\xbf\"]", "byte 2: an overlong encoding" },
	/* surrogates U+D800 and U+DFFF in UTF-8 */
	{ "[\"\xed\xa0\x80\"]", "byte 2: a UTF-16 surrogate encoded in UTF-8" },
	{ "{\"k\":\"ab\xed\xbf\xbf\"}", "byte 8: a UTF-16 surrogate" },
	/* above U+10FFFF: U+110000, and lead bytes F5..FF */
	{ "[\"\xf4\x90\x80\x80\"]", "byte 2: a code point above U+10FFFF" },
	{ "[\"\xf5\x80\x80\x80\"]", "byte 2: a code point above U+10FFFF" },
	{ "[\"\xff\"]", "byte 2: a code point above U+10FFFF" },
	/* truncated sequences: at the end of the string, before ASCII */
	{ "[\"\xc3\"]", "byte 2: a sequence cut short" },
	{ "[\"\xe2\x82\"]", "byte 2: a sequence cut short" },
	{ "[\"x\xf0\x9f\x98y\"]", "byte 3: a sequence cut short" },
	/* stray continuation bytes */
	{ "[\"\x80\"]", "byte 2: a continuation byte without a lead byte" },
	{ "[\"\xc3\xa9\xa9\"]", "byte 4: a continuation byte without" },
	/* in a key as in a value */
	{ "{\"\xbf\":1}", "byte 2: a continuation byte" },
	/* lone surrogate escapes */
	{ "[\"\\ud800\"]", "high surrogate \\ud800 at byte 2 is not followed by a low one" },
	{ "[\"ab\\udbffx\"]", "high surrogate \\udbff at byte 4" },
	{ "[\"\\ud83d\\u0041\"]", "high surrogate \\ud83d at byte 2" },
	{ "[\"\\ud83d\\ud83d\\ude00\"]", "high surrogate \\ud83d at byte 2" },
	{ "[\"\\ud83d\\n\"]", "high surrogate \\ud83d at byte 2" },
	{ "[\"\\ude00\"]", "lone low surrogate \\ude00 in a string at byte 2" },
	{ "[\"\\udc00\\ud800\"]", "lone low surrogate \\udc00" },
	{ "[\"\\ud83d\\ude00\\udfff\"]", "lone low surrogate \\udfff in a string at byte 14" },
};

static void
test_utf8_refused(void)
{
	size_t k;

	for (k = 0; k < sizeof bad_utf8 / sizeof bad_utf8[0]; k++) {
		struct json j;

		CHECK_EQ(parse(&j, bad_utf8[k].doc), ERR_FORMAT);
		if (strstr(err_msg(), bad_utf8[k].msg) == NULL)
			fprintf(stderr, "  row %zu: \"%s\"\n", k, err_msg());
		CHECK(strstr(err_msg(), bad_utf8[k].msg) != NULL);
		CHECK(strncmp(err_msg(), "doc: ", 5) == 0);
	}
}

/* The edges of each UTF-8 length, and escaped pairs, are accepted. */
static void
test_utf8_ok(void)
{
	struct json j;
	char buf[16];

	CHECK_EQ(parse(&j, "[\"\xc2\x80\xdf\xbf\", \"\xe0\xa0\x80\xed\x9f\xbf\","
	    "\"\xee\x80\x80\xef\xbf\xbf\", \"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\","
	    "\"\\ud800\\udc00\\udbff\\udfff\", \"caf\xc3\xa9 \\u00e9\"]"), ERR_OK);
	CHECK_EQ(json_copy(&j, 5, buf, sizeof buf), 8);
	CHECK_STR(buf, "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	CHECK(json_eq(&j, 6, "caf\xc3\xa9 \xc3\xa9"));
}

static const struct {
	const char *num;
	uint64_t max;
	int r;
	uint64_t v;
} u64_table[] = {
	{ "0", UINT64_MAX, ERR_OK, 0 },
	{ "7", UINT64_MAX, ERR_OK, 7 },
	{ "1234567890", UINT64_MAX, ERR_OK, 1234567890u },
	{ "18446744073709551615", UINT64_MAX, ERR_OK, UINT64_MAX },
	{ "18446744073709551616", UINT64_MAX, ERR_FORMAT, 0 },
	{ "99999999999999999999", UINT64_MAX, ERR_FORMAT, 0 },
	{ "9007199254740991", (UINT64_C(1) << 53) - 1, ERR_OK,
	    (UINT64_C(1) << 53) - 1 },
	{ "9007199254740992", (UINT64_C(1) << 53) - 1, ERR_FORMAT, 0 },
	{ "10", 10, ERR_OK, 10 },
	{ "11", 10, ERR_FORMAT, 0 },
	{ "20", 10, ERR_FORMAT, 0 },
	/* a single digit above a small max: (max - d) must not wrap */
	{ "7", 5, ERR_FORMAT, 0 },
	{ "5", 5, ERR_OK, 5 },
	{ "0", 0, ERR_OK, 0 },
	{ "1", 0, ERR_FORMAT, 0 },
	{ "-1", UINT64_MAX, ERR_FORMAT, 0 },
	{ "-0", UINT64_MAX, ERR_FORMAT, 0 },
	{ "1.5", UINT64_MAX, ERR_FORMAT, 0 },
	{ "1.0", UINT64_MAX, ERR_FORMAT, 0 },
	{ "1e3", UINT64_MAX, ERR_FORMAT, 0 },
	{ "true", UINT64_MAX, ERR_FORMAT, 0 },
	{ "null", UINT64_MAX, ERR_FORMAT, 0 },
	{ "\"5\"", UINT64_MAX, ERR_FORMAT, 0 },
	{ "[5]", UINT64_MAX, ERR_FORMAT, 0 },
};

static void
test_u64(void)
{
	size_t k;

	for (k = 0; k < sizeof u64_table / sizeof u64_table[0]; k++) {
		char doc[64];
		struct json j;
		uint64_t v = 12345;
		int r;

		snprintf(doc, sizeof doc, "{\"n\":%s}", u64_table[k].num);
		CHECK_EQ(parse(&j, doc), ERR_OK);
		r = json_u64(&j, 2, u64_table[k].max, &v);
		if (r != u64_table[k].r)
			fprintf(stderr, "  row %zu: %s\n", k, u64_table[k].num);
		CHECK_EQ(r, u64_table[k].r);
		if (r == ERR_OK)
			CHECK(v == u64_table[k].v);
		else
			CHECK(v == 12345);    /* untouched on error */
	}
	{
		/* json_parse refuses leading zeros; json_u64 does too on its own */
		static const char *const lz[] = { "00", "01", "007" };
		jsmntok_t t[1];
		struct json j;
		uint64_t v;

		for (k = 0; k < 3; k++) {
			j.doc = lz[k];
			j.len = strlen(lz[k]);
			j.tok = t;
			j.ntok = 1;
			t[0].type = JSMN_PRIMITIVE;
			t[0].start = 0;
			t[0].end = (int)j.len;
			t[0].size = 0;
			t[0].parent = -1;
			CHECK_EQ(json_u64(&j, 0, UINT64_MAX, &v), ERR_FORMAT);
		}
		CHECK_EQ(parse(&j, "{\"n\":01}"), ERR_FORMAT);
		CHECK_EQ(parse(&j, "{\"n\":00}"), ERR_FORMAT);
	}
	{
		struct json j;
		uint64_t v;
		CHECK_EQ(parse(&j, "{\"n\":1}"), ERR_OK);
		CHECK_EQ(json_u64(&j, 5, 10, &v), ERR_FORMAT);   /* out of range */
		CHECK_EQ(json_u64(&j, -1, 10, &v), ERR_FORMAT);
	}
}

static void
test_str_view(void)
{
	struct json j;
	struct json_str s;

	CHECK_EQ(parse(&j, "{\"k\":\"a\\nb\",\"n\":1}"), ERR_OK);
	CHECK_EQ(json_str(&j, 2, &s), ERR_OK);
	CHECK_MEM(s.p, s.n, "a\\nb");    /* raw, not decoded */
	CHECK_EQ(json_str(&j, 4, &s), ERR_FORMAT);
	CHECK(json_is_string(&j, 1));
	CHECK(!json_is_string(&j, 4));
	CHECK(!json_is_string(&j, 99));
}

/* json_eq and json_get on escaped strings longer than any fixed buffer
 * (found by fuzz_json: a 256-byte decode buffer said "not equal"). */
static void
test_eq_long_escaped(void)
{
	static char doc[1200], want[600];
	static jsmntok_t t16[16];
	struct json j;
	size_t n = 0;
	int k;

	n += (size_t)snprintf(doc + n, sizeof doc - n, "{\"\\n");
	want[0] = '\n';
	for (k = 0; k < 500; k++) {
		doc[n++] = 'a';
		want[k + 1] = 'a';
	}
	want[501] = '\0';
	n += (size_t)snprintf(doc + n, sizeof doc - n, "\":1}");
	CHECK_EQ(json_parse(&j, doc, n, t16, 16, "doc"), ERR_OK);
	CHECK(json_eq(&j, 1, want));
	CHECK_EQ(json_get(&j, 0, want), 2);
	want[500] = 'b';
	CHECK(!json_eq(&j, 1, want));
	want[500] = '\0';
	CHECK(!json_eq(&j, 1, want));
}

int
main(void)
{
	UNIT_RUN(test_parse_ok);
	UNIT_RUN(test_parse_errors);
	UNIT_RUN(test_embedded_nul_refused);
	UNIT_RUN(test_deep_nesting_refused);
	UNIT_RUN(test_token_cap);
	UNIT_RUN(test_get);
	UNIT_RUN(test_next_walks_arrays);
	UNIT_RUN(test_copy_escapes);
	UNIT_RUN(test_utf8_refused);
	UNIT_RUN(test_utf8_ok);
	UNIT_RUN(test_u64);
	UNIT_RUN(test_str_view);
	UNIT_RUN(test_eq_long_escaped);
	return UNIT_END();
}
