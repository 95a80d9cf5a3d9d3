/* test_digest.c: sha256 known answers, split feeding, mismatch messages. */
#include "unit.h"
#include "digest.h"
#include "err.h"

static void
test_known_answers(void)
{
	char out[DIGEST_STR_LEN + 1];

	digest_buf("", 0, out);
	CHECK_STR(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_buf("abc", 3, out);
	CHECK_STR(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_buf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	CHECK_STR(out, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_split_feeding_matches_whole(void)
{
	unsigned char buf[300];
	char whole[DIGEST_STR_LEN + 1], part[DIGEST_STR_LEN + 1];
	struct digest d;
	size_t i, k;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	digest_buf(buf, sizeof buf, whole);
	for (k = 0; k <= sizeof buf; k++) {
		digest_init(&d);
		digest_push(&d, buf, k);
		digest_push(&d, buf + k, sizeof buf - k);
		CHECK_EQ(d.count, sizeof buf);
		digest_final(&d, part);
		CHECK_STR(part, whole);
	}
	digest_init(&d);
	for (i = 0; i < sizeof buf; i++)
		digest_push(&d, buf + i, 1);
	digest_final(&d, part);
	CHECK_STR(part, whole);
}

static void
test_check_names_both(void)
{
	const char *a = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

	err_clear();
	CHECK_EQ(digest_check("layer 1", a, a), ERR_OK);
	CHECK_EQ(digest_check("layer 1", a, b), ERR_VERIFY);
	CHECK(strstr(err_msg(), a) != NULL);
	CHECK(strstr(err_msg(), b) != NULL);
	CHECK(strstr(err_msg(), "layer 1") != NULL);
}

int
main(void)
{
	UNIT_RUN(test_known_answers);
	UNIT_RUN(test_split_feeding_matches_whole);
	UNIT_RUN(test_check_names_both);
	return UNIT_END();
}
