/* test_unzstd.c: the zstd stage at every split point, several frames with
 * skippable frames among them, the window cap, and refusals. The frames
 * come from the zstd command (zstd_vectors.h); the small ones that test
 * the header rules are built here. */
#include <stdlib.h>

#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "unit.h"
#include "err.h"
#include "unzstd.h"
#include "zstd_vectors.h"

#define PLAIN_LEN 300000u
#define A_LEN 150000u              /* zstd_frame_a's content */

static struct unzstd z;
static unsigned char plain[PLAIN_LEN], got[PLAIN_LEN + 64];
static unsigned char stream[sizeof zstd_frame_a + sizeof zstd_frame_b + 256];

/* As tests/fixtures/mkzstdvec.sh. */
static void
fill_plain(void)
{
	char line[32];
	size_t have = 0, n;
	unsigned i;

	for (i = 0; have < sizeof plain; i++) {
		n = (size_t)snprintf(line, sizeof line, "file%05u mode %o\n",
		    i % 1000u, (i * 7u) % 11u < 3u ? 0755u : 0644u);
		if (n > sizeof plain - have)
			n = sizeof plain - have;
		memcpy(plain + have, line, n);
		have += n;
	}
}

/* Feed in[0..n) in pieces of at most step bytes (the first piece cut at
 * split when split > 0), then flush; returns the result and the output
 * length. */
static int
run(const unsigned char *in, size_t n, size_t split, size_t step,
    size_t *outlen)
{
	size_t pos = 0, have = 0, used, olen;
	const uint8_t *o;
	int rc = ERR_OK;

	unzstd_init(&z);
	err_clear();
	while (pos < n && rc == ERR_OK) {
		size_t piece = split > 0 && pos < split ? split - pos : step;
		size_t left = piece < n - pos ? piece : n - pos;
		const unsigned char *p = in + pos;

		pos += left;
		while (left > 0 && rc == ERR_OK) {
			rc = unzstd_push(&z, p, left, &used, &o, &olen);
			if (have + olen > sizeof got)
				return ERR_INTERNAL;
			memcpy(got + have, o, olen);
			have += olen;
			p += used;
			left -= used;
		}
	}
	while (rc == ERR_OK) {
		rc = unzstd_push(&z, NULL, 0, &used, &o, &olen);
		if (olen == 0)
			break;
		if (have + olen > sizeof got)
			return ERR_INTERNAL;
		memcpy(got + have, o, olen);
		have += olen;
	}
	if (rc == ERR_OK)
		rc = unzstd_finish(&z);
	*outlen = have;
	return rc;
}

/* A skippable frame of n payload bytes (magic 0x184D2A5x) at p. */
static size_t
skippable(unsigned char *p, unsigned char nibble, size_t n)
{
	static const unsigned char m[4] = { 0x50, 0x2a, 0x4d, 0x18 };

	memcpy(p, m, 4);
	p[0] = (unsigned char)(p[0] | nibble);
	p[4] = (unsigned char)n;
	p[5] = (unsigned char)(n >> 8);
	p[6] = 0;
	p[7] = 0;
	memset(p + 8, 0xa5, n);
	return 8 + n;
}

/* A frame of one raw block holding "hello", its header's window
 * descriptor wd (no content size, no checksum, no dictionary) or, when
 * dict is set, naming dictionary 5. */
static size_t
hello_frame(unsigned char *p, unsigned char wd, int dict)
{
	size_t n = 0;

	p[n++] = 0x28;
	p[n++] = 0xb5;
	p[n++] = 0x2f;
	p[n++] = 0xfd;
	p[n++] = dict ? 0x01 : 0x00;
	p[n++] = wd;
	if (dict)
		p[n++] = 5;
	p[n++] = 1 | (5 << 3);     /* last block, raw, 5 bytes */
	p[n++] = 0;
	p[n++] = 0;
	memcpy(p + n, "hello", 5);
	return n + 5;
}

static void
test_frames_every_split(void)
{
	size_t n = 0, out, k, b;

	/* A skippable frame, then frame b (content size known). */
	n += skippable(stream + n, 0x3, 20);
	memcpy(stream + n, zstd_frame_b, sizeof zstd_frame_b);
	n += sizeof zstd_frame_b;
	for (k = 1; k < n; k++) {
		CHECK_EQ(run(stream, n, k, n, &out), ERR_OK);
		CHECK_EQ(out, PLAIN_LEN - A_LEN);
		CHECK(memcmp(got, plain + A_LEN, PLAIN_LEN - A_LEN) == 0);
	}
	/* Frame a (a stream: no content size), a skippable frame, frame b,
	 * another skippable frame: split at every 7th offset, and fed byte
	 * by byte. */
	n = 0;
	memcpy(stream, zstd_frame_a, sizeof zstd_frame_a);
	n += sizeof zstd_frame_a;
	n += skippable(stream + n, 0xf, 3);
	b = n;
	memcpy(stream + n, zstd_frame_b, sizeof zstd_frame_b);
	n += sizeof zstd_frame_b;
	n += skippable(stream + n, 0x0, 0);
	for (k = 1; k < n; k += 7) {
		CHECK_EQ(run(stream, n, k, n, &out), ERR_OK);
		CHECK_EQ(out, PLAIN_LEN);
		CHECK(memcmp(got, plain, PLAIN_LEN) == 0);
	}
	CHECK_EQ(run(stream, n, b, n, &out), ERR_OK);
	CHECK_EQ(out, PLAIN_LEN);
	CHECK_EQ(run(stream, n, 0, 1, &out), ERR_OK);
	CHECK_EQ(out, PLAIN_LEN);
	CHECK(memcmp(got, plain, PLAIN_LEN) == 0);
	CHECK(z.arena_peak > 0 && z.arena_peak <= BOARD_ZSTD_ARENA);
}

static void
test_window_cap(void)
{
	unsigned char f[32];
	size_t n, out;

	/* The arena holds the largest window the build accepts. */
	CHECK(ZSTD_estimateDStreamSize(BOARD_ZSTD_WINDOW_MAX) <= BOARD_ZSTD_ARENA);
	/* Window 2^(10+13) = 8 MiB, the default cap: decoded. */
	CHECK_EQ(BOARD_ZSTD_WINDOW_MAX, 8u << 20);
	n = hello_frame(f, 13 << 3, 0);
	CHECK_EQ(run(f, n, 0, n, &out), ERR_OK);
	CHECK_MEM(got, out, "hello");
	/* 8 MiB and an eighth, and 16 MiB: refused, naming the cap. */
	n = hello_frame(f, 13 << 3 | 1, 0);
	CHECK_EQ(run(f, n, 0, n, &out), ERR_UNSUPPORTED);
	CHECK(strstr(err_msg(), "cap of 8388608 bytes (BOARD_ZSTD_WINDOW_MAX)") != NULL);
	n = hello_frame(f, 14 << 3, 0);
	CHECK_EQ(run(f, n, 3, 1, &out), ERR_UNSUPPORTED);
	CHECK_EQ(out, 0);
	/* A later frame over the cap, after one that was decoded. */
	memcpy(stream, zstd_frame_b, sizeof zstd_frame_b);
	n = sizeof zstd_frame_b + hello_frame(stream + sizeof zstd_frame_b, 20 << 3, 0);
	CHECK_EQ(run(stream, n, 0, n, &out), ERR_UNSUPPORTED);
	CHECK(strstr(err_msg(), "offset 4176 ") != NULL);
	CHECK_EQ(sizeof zstd_frame_b, 4176);
}

static void
test_truncated_corrupt_trailing(void)
{
	size_t na = sizeof zstd_frame_a, out;

	memcpy(stream, zstd_frame_a, na);
	CHECK_EQ(run(stream, na - 3, 0, na, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "ends early") != NULL);
	CHECK_EQ(run(stream, 5, 0, 1, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "ends early") != NULL);
	CHECK_EQ(run(stream, 0, 0, 1, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "empty") != NULL);
	/* The checksum (XXH64) at the end, then a block in the middle. */
	stream[na - 2] ^= 0x40;
	CHECK_EQ(run(stream, na, 0, 100, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "corrupt") != NULL);
	stream[na - 2] ^= 0x40;
	stream[na / 2] ^= 0x11;
	CHECK_EQ(run(stream, na, 0, na, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "corrupt") != NULL);
	stream[na / 2] ^= 0x11;
	CHECK_EQ(run(stream, na, 0, 333, &out), ERR_OK);
	/* Trailing garbage, however short. */
	memcpy(stream + na, "junk", 4);
	CHECK_EQ(run(stream, na + 4, 0, na + 4, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "not another zstd frame") != NULL);
	CHECK(strstr(err_msg(), "offset 6301 ") != NULL);
	CHECK_EQ(sizeof zstd_frame_a, 6301);
	CHECK_EQ(run(stream, na + 1, 0, 1, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "not another zstd frame") != NULL);
}

static void
test_not_zstd(void)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	unsigned char f[32];
	size_t n, out;

	CHECK_EQ(run(gz, sizeof gz, 0, sizeof gz, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "says zstd but the data is gzip-compressed") != NULL);
	CHECK_EQ(run(plain, 600, 0, 600, &out), ERR_FORMAT);
	CHECK(strstr(err_msg(), "does not start with a zstd frame") != NULL);
	n = hello_frame(f, 0, 1);
	CHECK_EQ(run(f, n, 0, n, &out), ERR_UNSUPPORTED);
	CHECK(strstr(err_msg(), "dictionary") != NULL);
}

int
main(void)
{
	fill_plain();
	UNIT_RUN(test_frames_every_split);
	UNIT_RUN(test_window_cap);
	UNIT_RUN(test_truncated_corrupt_trailing);
	UNIT_RUN(test_not_zstd);
	return UNIT_END();
}
