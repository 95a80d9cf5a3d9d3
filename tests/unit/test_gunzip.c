/* test_gunzip.c: the inflate stage at every split point, several members,
 * pass-through, and refusals. */
#include <stdlib.h>
#include <zlib.h>

#include "unit.h"
#include "err.h"
#include "gunzip.h"

static struct gunzip g;
static unsigned char plain[200000], packed[220000], got[200000];

static size_t
gzip_member(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

/* Feed in[0..n) in pieces of at most step bytes (the first piece cut at
 * split when split > 0); returns the result and the output length. */
static int
run(int compressed, const unsigned char *in, size_t n, size_t split,
    size_t step, size_t *outlen)
{
	size_t pos = 0, have = 0;
	int rc = ERR_OK;

	gunzip_init(&g, compressed);
	err_clear();
	while (pos < n && rc == ERR_OK) {
		size_t piece = split > 0 && pos < split ? split - pos : step;
		size_t left = piece < n - pos ? piece : n - pos;
		const unsigned char *p = in + pos;

		pos += left;
		while (left > 0 && rc == ERR_OK) {
			size_t used, olen;
			const uint8_t *o;

			rc = gunzip_push(&g, p, left, &used, &o, &olen);
			if (have + olen > sizeof got)
				return ERR_INTERNAL;
			memcpy(got + have, o, olen);
			have += olen;
			p += used;
			left -= used;
		}
	}
	for (;;) {
		size_t used, olen;
		const uint8_t *o;

		if (rc != ERR_OK)
			break;
		rc = gunzip_push(&g, NULL, 0, &used, &o, &olen);
		if (olen == 0)
			break;
		memcpy(got + have, o, olen);
		have += olen;
	}
	if (rc == ERR_OK)
		rc = gunzip_finish(&g);
	*outlen = have;
	return rc;
}

static void
fill_plain(void)
{
	size_t i;
	unsigned x = 12345;

	for (i = 0; i < sizeof plain; i++) {
		x = x * 1103515245u + 12345u;
		/* Half compressible text, half noise. */
		plain[i] = i < sizeof plain / 2 ? (unsigned char)('a' + i % 23) :
		    (unsigned char)(x >> 16);
	}
}

static void
test_two_members_every_split(void)
{
	size_t n1, n2, out, k;

	n1 = gzip_member(plain, 1000, packed, sizeof packed);
	n2 = gzip_member(plain + 1000, 3000, packed + n1, sizeof packed - n1);
	for (k = 1; k < n1 + n2; k++) {
		CHECK_EQ(run(1, packed, n1 + n2, k, n1 + n2, &out), ERR_OK);
		CHECK_EQ(out, 4000);
		CHECK(memcmp(got, plain, 4000) == 0);
	}
	CHECK_EQ(run(1, packed, n1 + n2, 0, 1, &out), ERR_OK);
	CHECK_EQ(out, 4000);
	CHECK(memcmp(got, plain, 4000) == 0);
}

static void
test_large_output_flushes(void)
{
	size_t n, out;

	/* Output far larger than BOARD_INFLATE_OUT from few input bytes. */
	n = gzip_member(plain, sizeof plain, packed, sizeof packed);
	CHECK_EQ(run(1, packed, n, 0, n, &out), ERR_OK);
	CHECK_EQ(out, sizeof plain);
	CHECK(memcmp(got, plain, sizeof plain) == 0);
	CHECK_EQ(run(1, packed, n, 0, 7, &out), ERR_OK);
	CHECK_EQ(out, sizeof plain);
	CHECK(g.arena_peak <= BOARD_INFLATE_ARENA);
}

static void
test_passthrough_and_media_type_checks(void)
{
	size_t n, out, k;
	static const unsigned char zstd[] = { 0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0 };

	for (k = 1; k < 40; k++) {
		CHECK_EQ(run(0, plain, 5000, k, 5000, &out), ERR_OK);
		CHECK_EQ(out, 5000);
		CHECK(memcmp(got, plain, 5000) == 0);
	}
	n = gzip_member(plain, 100, packed, sizeof packed);
	CHECK_EQ(run(0, packed, n, 0, n, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "gzip-compressed") != NULL);
	CHECK_EQ(run(1, plain, 100, 0, 100, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "magic") != NULL);
	CHECK_EQ(run(1, zstd, sizeof zstd, 0, 1, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "says gzip but the data is zstd-compressed") != NULL);
	CHECK_EQ(run(0, zstd, sizeof zstd, 0, 8, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "says uncompressed tar but the data is "
	    "zstd-compressed") != NULL);
}

static void
test_corrupt_truncated_trailing(void)
{
	size_t n, out;

	n = gzip_member(plain, 5000, packed, sizeof packed);
	CHECK_EQ(run(1, packed, n - 3, 0, n, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "ends early") != NULL);
	packed[n - 5] ^= 0x55;     /* CRC32 trailer */
	CHECK_EQ(run(1, packed, n, 0, n, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "corrupt") != NULL);
	packed[n - 5] ^= 0x55;
	memcpy(packed + n, "junk", 4);
	CHECK_EQ(run(1, packed, n + 4, 0, n + 4, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "not another gzip member") != NULL);
	CHECK_EQ(run(1, packed, 2, 0, 2, &out), ERR_FORMAT);
	CHECK_EQ(run(1, packed, 0, 0, 1, &out), ERR_FORMAT);
}

int
main(void)
{
	fill_plain();
	UNIT_RUN(test_two_members_every_split);
	UNIT_RUN(test_large_output_flushes);
	UNIT_RUN(test_passthrough_and_media_type_checks);
	UNIT_RUN(test_corrupt_truncated_trailing);
	return UNIT_END();
}
