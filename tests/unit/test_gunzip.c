/* test_gunzip.c: the inflate stage at every split point, several members,
 * headers with every optional field, pass-through, and refusals. Built
 * twice where the host has ISA-L: test_gunzip over the unit build's engine
 * (BOARD_GZIP_ISAL), test_gunzip_zlib over zlib's. */
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
	CHECK(g.arena_peak > 0 && g.arena_peak <= gunzip_state_max());
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

/* A member with FEXTRA, FNAME, FCOMMENT and FHCRC (RFC 1952 2.3.1) around
 * the raw deflate of in[0..n); returns its length. */
static size_t
gzip_member_fields(const unsigned char *in, size_t n, unsigned char *out,
    size_t cap)
{
	static const unsigned char hdr[] = { 0x1f, 0x8b, 8, 0x1e, 1, 2, 3, 4, 0, 3,
		5, 0, 'A', 'B', 2, 0, 'x', 'y',   /* XLEN 5: one subfield */
		'n', 'a', 'm', 'e', 0, 'c', 'o', 'm', 0 };
	uLong crc = crc32(0L, Z_NULL, 0), hcrc;
	size_t at = sizeof hdr, i;
	z_stream z;

	memcpy(out, hdr, sizeof hdr);
	hcrc = crc32(0L, out, (uInt)at);
	out[at++] = (unsigned char)(hcrc & 0xff);
	out[at++] = (unsigned char)(hcrc >> 8 & 0xff);
	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out + at;
	z.avail_out = (uInt)(cap - at - 8);
	deflate(&z, Z_FINISH);
	at = cap - 8 - z.avail_out;
	deflateEnd(&z);
	crc = crc32(crc, in, (uInt)n);
	for (i = 0; i < 4; i++)
		out[at + i] = (unsigned char)(crc >> (8 * i) & 0xff);
	for (i = 0; i < 4; i++)
		out[at + 4 + i] = (unsigned char)(n >> (8 * i) & 0xff);
	return at + 8;
}

static void
test_header_fields_every_split(void)
{
	size_t n, out, k;

	n = gzip_member_fields(plain, 3000, packed, sizeof packed);
	for (k = 1; k < n; k++) {
		CHECK_EQ(run(1, packed, n, k, n, &out), ERR_OK);
		CHECK_EQ(out, 3000);
		CHECK(memcmp(got, plain, 3000) == 0);
	}
	CHECK_EQ(run(1, packed, n, 0, 1, &out), ERR_OK);
	CHECK_EQ(out, 3000);
	/* The header's CRC-16, the trailer's length, the method, a reserved
	 * flag, in turn. */
	packed[24] ^= 1;
	CHECK_EQ(run(1, packed, n, 0, n, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "corrupt") != NULL);
	packed[24] ^= 1;
	packed[n - 2] ^= 1;
	CHECK_EQ(run(1, packed, n, 0, n, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "corrupt") != NULL);
	packed[n - 2] ^= 1;
	packed[2] = 7;
	CHECK_EQ(run(1, packed, n, 0, n, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "corrupt") != NULL);
	packed[2] = 8;
	packed[3] |= 0x80;
	CHECK_EQ(run(1, packed, n, 0, n, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "corrupt") != NULL);
}

/* An empty member between two others, and a member cut inside its header. */
static void
test_empty_member_and_cut_header(void)
{
	size_t n1, n2, n3, out;

	n1 = gzip_member(plain, 500, packed, sizeof packed);
	n2 = gzip_member(plain, 0, packed + n1, sizeof packed - n1);
	n3 = gzip_member(plain + 500, 700, packed + n1 + n2, sizeof packed - n1 - n2);
	CHECK_EQ(run(1, packed, n1 + n2 + n3, 0, 3, &out), ERR_OK);
	CHECK_EQ(out, 1200);
	CHECK(memcmp(got, plain, 1200) == 0);
	CHECK_EQ(run(1, packed, n1 + 6, 0, 2, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "ends early") != NULL);
}

#if BOARD_GZIP_ISAL
/*
 * gunzip.c defines ISA-L's Adler-32 and header helpers so that the link
 * leaves ISA-L's compressor out: a zlib stream inflated by ISA-L itself
 * (which checks its trailer with that Adler-32) must come out whole, fed
 * in pieces of 1 byte to 1 MiB, and a wrong Adler-32 must be refused.
 */
static int
isal_zlib(const unsigned char *in, size_t n, size_t step, size_t *outlen)
{
	static struct inflate_state st;
	size_t pos = 0;
	int rc;

	isal_inflate_init(&st);
	st.crc_flag = ISAL_ZLIB;
	st.next_out = got;
	st.avail_out = sizeof got;
	do {
		size_t k = n - pos < step ? n - pos : step;

		st.next_in = (uint8_t *)(uintptr_t)(in + pos);
		st.avail_in = (uint32_t)k;
		rc = isal_inflate(&st);
		pos += k - st.avail_in;
	} while (rc == ISAL_DECOMP_OK && st.block_state != ISAL_BLOCK_FINISH &&
	    pos < n);
	*outlen = sizeof got - st.avail_out;
	return rc == ISAL_DECOMP_OK && st.block_state != ISAL_BLOCK_FINISH ?
	    ISAL_END_INPUT : rc;
}

static void
test_isal_adler32_of_zlib_streams(void)
{
	static const size_t steps[] = { 1, 7, 5552, 5553, 65536, 1u << 20 };
	static const size_t sizes[] = { 0, 1, 5551, 5552, 5553, 200000 };
	uLongf n;
	size_t i, j, out;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		n = sizeof packed;
		CHECK_EQ(compress2(packed, &n, plain, sizes[i], 6), Z_OK);
		for (j = 0; j < sizeof steps / sizeof steps[0]; j++) {
			CHECK_EQ(isal_zlib(packed, n, steps[j], &out), ISAL_DECOMP_OK);
			CHECK_EQ(out, sizes[i]);
			CHECK(memcmp(got, plain, sizes[i]) == 0);
		}
		packed[n - 1 - i % 4] ^= 0x20;
		CHECK_EQ(isal_zlib(packed, n, 7, &out), ISAL_INCORRECT_CHECKSUM);
	}
	/* All 0xff bytes: A and B wrap the modulus within one reduction. */
	memset(got, 0xff, 6000);
	CHECK_EQ(isal_adler32_bam1(0, got, 6000),
	    (uint32_t)adler32(1, got, 6000) - 1);
}
#endif

int
main(void)
{
	fill_plain();
	UNIT_RUN(test_two_members_every_split);
	UNIT_RUN(test_large_output_flushes);
	UNIT_RUN(test_passthrough_and_media_type_checks);
	UNIT_RUN(test_corrupt_truncated_trailing);
	UNIT_RUN(test_header_fields_every_split);
	UNIT_RUN(test_empty_member_and_cut_header);
#if BOARD_GZIP_ISAL
	UNIT_RUN(test_isal_adler32_of_zlib_streams);
#endif
	return UNIT_END();
}
