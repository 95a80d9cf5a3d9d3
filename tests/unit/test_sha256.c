/* test_sha256.c: SHA-256 known answers (FIPS 180-4 examples, the
 * million-a vector), the CPU block function against portable C on random
 * data, and every split of an update. */
#include <stdlib.h>

#include "unit.h"
#include "port.h"
#include "sha256.h"

static void
hex(const unsigned char *d, char *out)
{
	static const char x[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[64] = '\0';
}

static void
digest_of(const void *p, size_t n, char *out)
{
	struct sha256 s;
	unsigned char d[32];

	sha256_init(&s);
	sha256_update(&s, p, n);
	sha256_final(&s, d);
	hex(d, out);
}

static void
test_known_answers(void)
{
	char h[65];
	static unsigned char a[1000000];
	struct sha256 s;
	unsigned char d[32];
	size_t i;

	digest_of("abc", 3, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_of("", 0, h);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	digest_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112, h);
	CHECK_STR(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	memset(a, 'a', sizeof a);
	digest_of(a, sizeof a, h);
	CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* The same, fed in uneven pieces. */
	sha256_init(&s);
	for (i = 0; i < sizeof a; i += 997)
		sha256_update(&s, a + i, sizeof a - i < 997 ? sizeof a - i : 997);
	sha256_final(&s, d);
	hex(d, h);
	CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void
test_cpu_blocks_match_portable(void)
{
	unsigned char buf[64 * 37];
	uint32_t a[8], b[8];
	unsigned x = 7;
	size_t i, n;

	for (i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (n = 1; n <= 37; n += 4) {
		for (i = 0; i < 8; i++)
			a[i] = b[i] = (uint32_t)(i * 0x9e3779b9u);
		sha256_blocks_c(a, buf, n);
		if (port_sha256_blocks(b, buf, n) != 0) {
			printf("note: no SHA instructions on this CPU\n");
			return;
		}
		CHECK(memcmp(a, b, sizeof a) == 0);
	}
}

static void
test_every_split(void)
{
	unsigned char buf[300];
	char whole[65], part[65];
	struct sha256 s;
	unsigned char d[32];
	size_t i, k;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 31 + 1);
	digest_of(buf, sizeof buf, whole);
	for (k = 0; k <= sizeof buf; k++) {
		sha256_init(&s);
		sha256_update(&s, buf, k);
		sha256_update(&s, buf + k, sizeof buf - k);
		sha256_final(&s, d);
		hex(d, part);
		CHECK_STR(part, whole);
	}
}

int
main(void)
{
	UNIT_RUN(test_known_answers);
	UNIT_RUN(test_cpu_blocks_match_portable);
	UNIT_RUN(test_every_split);
	return UNIT_END();
}
