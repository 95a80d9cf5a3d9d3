/*
 * fuzz_json.c: libFuzzer target for src/json.c.
 *
 * json_parse with a small token array (so ERR_NOMEM is reached too), then
 * on every token: json_next (stays in range and moves forward), the type
 * tests, json_str (inside the document), json_copy into a large and a
 * small buffer (NUL-terminated, length as returned, json_eq agrees with
 * the copy), json_u64 with two limits, and json_get on each object with
 * the keys found in it and a few fixed ones.
 */
#include "fuzz.h"

#include "err.h"
#include "json.h"

#define NTOK 64u

static void
check_token(const struct json *j, int i, size_t small)
{
	static char buf[4096], sbuf[64];
	struct json_str s;
	uint64_t v = 0;
	int next = json_next(j, i);
	long n;

	FUZZ_CHECK(next > i && next <= j->ntok);
	FUZZ_CHECK(j->tok[i].start >= 0 && j->tok[i].end >= j->tok[i].start);
	FUZZ_CHECK((size_t)j->tok[i].end <= j->len);
	FUZZ_CHECK(json_is_object(j, i) + json_is_array(j, i) +
	    json_is_string(j, i) <= 1);
	if (json_str(j, i, &s) == ERR_OK) {
		FUZZ_CHECK(json_is_string(j, i));
		FUZZ_CHECK(s.p >= j->doc && s.n <= j->len &&
		    s.p + s.n <= j->doc + j->len);
	} else {
		FUZZ_CHECK(!json_is_string(j, i));
	}
	n = json_copy(j, i, buf, sizeof buf);
	if (n >= 0) {
		FUZZ_CHECK((size_t)n < sizeof buf && strlen(buf) == (size_t)n);
		FUZZ_CHECK(json_eq(j, i, buf));
		/* Decoding never makes a string longer. */
		FUZZ_CHECK((size_t)n <= s.n);
	} else {
		FUZZ_CHECK(n == ERR_FORMAT || n == ERR_NOMEM);
		FUZZ_CHECK(!json_eq(j, i, ""));
	}
	n = json_copy(j, i, sbuf, small);
	if (n >= 0)
		FUZZ_CHECK((size_t)n < small && strlen(sbuf) == (size_t)n);
	if (json_u64(j, i, UINT64_MAX, &v) == ERR_OK) {
		FUZZ_CHECK(!json_is_string(j, i));
		if (json_u64(j, i, 1000, &v) == ERR_OK)
			FUZZ_CHECK(v <= 1000);
	}
	if (json_is_object(j, i)) {
		static const char *const keys[] = {
			"", "a", "mediaType", "schemaVersion", "\xc3\xa9"
		};
		int k, c, cnt;
		size_t q;

		for (q = 0; q < sizeof keys / sizeof keys[0]; q++) {
			k = json_get(j, i, keys[q]);
			FUZZ_CHECK(k == -1 || k == ERR_FORMAT ||
			    (k > i && k < next));
		}
		/* Every key found in the object is found by json_get, unless
		 * it is duplicated or does not decode. */
		for (c = i + 1, cnt = 0; cnt < j->tok[i].size && c < next;
		    cnt++, c = json_next(j, c + 1)) {
			FUZZ_CHECK(json_is_string(j, c));
			n = json_copy(j, c, buf, sizeof buf);
			k = json_get(j, i, n >= 0 ? buf : "\x01");
			if (n >= 0)
				FUZZ_CHECK(k == c + 1 || k == ERR_FORMAT);
		}
	} else {
		FUZZ_CHECK(json_get(j, i, "a") == ERR_FORMAT);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static jsmntok_t tok[NTOK];
	struct json j;
	unsigned cap = NTOK;
	size_t small = 1;
	int rc, i;

	if (size > 0) {
		/* The low bits of the last byte shrink the arrays. */
		cap = NTOK - (data[size - 1] & 31u);
		small = 1u + (data[size - 1] >> 5);
	}
	err_clear();
	rc = json_parse(&j, (const char *)data, size, tok, cap, "fuzz");
	if (rc != ERR_OK) {
		FUZZ_CHECK(rc == ERR_FORMAT || rc == ERR_NOMEM);
		FUZZ_CHECK(err_msg()[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(j.ntok > 0 && (unsigned)j.ntok <= cap);
	FUZZ_CHECK(json_is_object(&j, 0) || json_is_array(&j, 0));
	FUZZ_CHECK(json_next(&j, 0) == j.ntok);
	for (i = 0; i < j.ntok; i++)
		check_token(&j, i, small);
	FUZZ_CHECK(!json_is_object(&j, -1) && !json_is_string(&j, j.ntok));
	return 0;
}
