/*
 * gunzip.c: the gzip stage: the media type check, gzip members one after
 * another, and the inflate engine (ISA-L or zlib) under them.
 */
#include "gunzip.h"

#include <string.h>

#include "err.h"

void
gunzip_init(struct gunzip *g, int compressed)
{
	g->compressed = compressed;
	g->started = 0;
	g->in_member = 0;
	g->checked = 0;
	g->nmagic = 0;
	g->in_total = 0;
	g->out_total = 0;
	g->outk = 0;
#if !BOARD_GZIP_ISAL
	memset(&g->zs, 0, sizeof g->zs);
	g->arena_used = 0;
#endif
}

/* Decide from the first bytes whether the data fits the media type. */
static int
check_magic(struct gunzip *g)
{
	int gz, zstd;

	gz = g->nmagic >= 2 && g->magic[0] == 0x1f && g->magic[1] == 0x8b;
	zstd = g->nmagic >= 4 && g->magic[0] == 0x28 && g->magic[1] == 0xb5 &&
	    g->magic[2] == 0x2f && g->magic[3] == 0xfd;
	g->checked = 1;
	g->held_pos = 0;
	if (zstd)
		return err_set(ERR_FORMAT, "layer media type says %s but the data "
		    "is zstd-compressed", g->compressed ? "gzip" :
		    "uncompressed tar");
	if (g->compressed && !gz && g->nmagic > 0)
		return err_set(ERR_FORMAT, "layer media type says gzip but the data "
		    "does not start with the gzip magic bytes");
	if (!g->compressed && gz)
		return err_set(ERR_FORMAT, "layer media type says uncompressed tar "
		    "but the data is gzip-compressed");
	return ERR_OK;
}

/*
 * The engine: engine_begin starts a member (the first, or another after
 * one ended), engine_step inflates from in[0..len) into g->out[g->outk] and says
 * when the member ended (its trailer checked). *olen bytes are out.
 */
#if BOARD_GZIP_ISAL

const char *
gunzip_engine(void)
{
	return "isa-l " OCIPULL_ISAL_VERSION;
}

size_t
gunzip_state_max(void)
{
	return sizeof(struct inflate_state);
}

/*
 * ISA-L's inflate calls three helpers that live in its igzip.c, beside the
 * whole compressor, and igzip.c's references keep the compressor's code
 * and dispatch tables in the link (about 100 KB). Defined here, weak, the
 * static link never takes igzip.o from the library; should another object
 * of it need igzip.o after all, the library's own win, with no clash. They
 * do what igzip_lib.h says: default header fields; and the Adler-32 of a
 * zlib stream, which ISA-L keeps as B << 16 | (A - 1) so that every check
 * value starts at 0. ocipull inflates only gzip members; test_gunzip
 * inflates a zlib stream through ISA-L to check the Adler-32.
 */
__attribute__((weak)) void
isal_gzip_header_init(struct isal_gzip_header *h)
{
	*h = (struct isal_gzip_header){ .os = 255 };    /* OS: unknown */
}

__attribute__((weak)) void
isal_zlib_header_init(struct isal_zlib_header *h)
{
	*h = (struct isal_zlib_header){ 0 };
}

__attribute__((weak)) uint32_t
isal_adler32_bam1(uint32_t bam1, const unsigned char *p, uint64_t n)
{
	const uint32_t mod = 65521;
	uint32_t a = (bam1 & 0xffffu) + 1, b = bam1 >> 16;

	if (a == mod)
		a = 0;
	while (n > 0) {
		/* 5552 bytes at most between reductions keep b below 2^32. */
		size_t k = n < 5552 ? (size_t)n : 5552;

		n -= k;
		while (k-- > 0) {
			a += *p++;
			b += a;
		}
		a %= mod;
		b %= mod;
	}
	return b << 16 | (a == 0 ? mod - 1 : a - 1);
}

/*
 * The member's header (RFC 1952 2.3) is parsed here, byte by byte, so that
 * it may arrive cut anywhere: ISA-L's own parser, given a header cut after
 * its optional fields began, failed the header CRC or lost its place in
 * FEXTRA (test_gunzip's every-split test). ISA-L then inflates the body and
 * checks the trailer's CRC-32 and length (ISAL_GZIP_NO_HDR_VER).
 */
enum { H_FIXED, H_XLEN, H_EXTRA, H_NAME, H_COMMENT, H_HCRC, H_DONE };

#define FHCRC 0x02u
#define FEXTRA 0x04u
#define FNAME 0x08u
#define FCOMMENT 0x10u

/* The next state after `from`, skipping the fields the flags leave out. */
static unsigned
header_next(unsigned flags, unsigned from)
{
	if (from < H_XLEN && (flags & FEXTRA))
		return H_XLEN;
	if (from < H_NAME && (flags & FNAME))
		return H_NAME;
	if (from < H_COMMENT && (flags & FCOMMENT))
		return H_COMMENT;
	if (from < H_HCRC && (flags & FHCRC))
		return H_HCRC;
	return H_DONE;
}

/* CRC-32 (the gzip polynomial, reflected), one byte: headers are short. */
static uint32_t
crc_byte(uint32_t c, unsigned char b)
{
	int k;

	c ^= b;
	for (k = 0; k < 8; k++)
		c = c >> 1 ^ (0xedb88320u & (0u - (c & 1u)));
	return c;
}

static int
header_byte(struct gunzip *g, unsigned char b)
{
	unsigned st = g->h_state;

	if (st != H_HCRC)
		g->h_crc = crc_byte(g->h_crc, b);
	switch (st) {
	case H_FIXED:
		g->h_fixed[g->h_n++] = b;
		if (g->h_n < sizeof g->h_fixed)
			return ERR_OK;
		if (g->h_fixed[0] != 0x1f || g->h_fixed[1] != 0x8b ||
		    g->h_fixed[2] != 8 || (g->h_fixed[3] & 0xe0u) != 0)
			return err_set(ERR_FORMAT, "gzip data is corrupt near "
			    "compressed offset %llu: not a gzip header with method "
			    "deflate and known flags", (unsigned long long)g->in_total);
		g->h_flags = g->h_fixed[3];
		break;
	case H_XLEN:
		g->h_left |= (unsigned)b << (8 * g->h_n++);
		if (g->h_n < 2)
			return ERR_OK;
		if (g->h_left > 0) {
			g->h_state = H_EXTRA;
			return ERR_OK;
		}
		break;
	case H_EXTRA:
		if (--g->h_left > 0)
			return ERR_OK;
		break;
	case H_NAME:
	case H_COMMENT:
		if (b != 0)
			return ERR_OK;
		break;
	default:       /* H_HCRC */
		g->h_left |= (unsigned)b << (8 * g->h_n++);
		if (g->h_n < 2)
			return ERR_OK;
		if (g->h_left != ((g->h_crc ^ 0xffffffffu) & 0xffffu))
			return err_set(ERR_FORMAT, "gzip data is corrupt near "
			    "compressed offset %llu: header CRC mismatch",
			    (unsigned long long)g->in_total);
		break;
	}
	g->h_state = header_next(g->h_flags, st == H_EXTRA ? H_XLEN : st);
	g->h_n = 0;
	g->h_left = 0;
	return ERR_OK;
}

static int
engine_begin(struct gunzip *g)
{
	if (!g->started) {
		isal_inflate_init(&g->is);
		g->arena_peak = sizeof g->is;
		g->started = 1;
	} else {
		isal_inflate_reset(&g->is);
	}
	g->is.crc_flag = ISAL_GZIP_NO_HDR_VER;
	g->h_state = H_FIXED;
	g->h_flags = g->h_n = g->h_left = 0;
	g->h_crc = 0xffffffffu;
	return ERR_OK;
}

static int
engine_step(struct gunzip *g, const uint8_t *in, size_t len, size_t *consumed,
    size_t *olen, int *end)
{
	uint32_t avail_in = len > 0x40000000u ? 0x40000000u : (uint32_t)len;
	int rc;

	*olen = 0;
	*end = 0;
	if (g->h_state != H_DONE) {
		for (*consumed = 0; *consumed < len && g->h_state != H_DONE; ) {
			rc = header_byte(g, in[*consumed]);
			if (rc < 0)
				return rc;
			++*consumed;
		}
		return ERR_OK;
	}
	g->is.next_in = (uint8_t *)(uintptr_t)in;
	g->is.avail_in = avail_in;
	g->is.next_out = g->out[g->outk];
	g->is.avail_out = (uint32_t)sizeof g->out[0];
	rc = isal_inflate(&g->is);
	*consumed = avail_in - g->is.avail_in;
	*olen = sizeof g->out[0] - g->is.avail_out;
	*end = g->is.block_state == ISAL_BLOCK_FINISH;
	switch (rc) {
	case ISAL_DECOMP_OK:
	case ISAL_END_INPUT:
	case ISAL_OUT_OVERFLOW:
		return ERR_OK;
	case ISAL_INCORRECT_CHECKSUM:
		return err_set(ERR_FORMAT, "gzip data is corrupt near compressed "
		    "offset %llu: the member fails its CRC-32 or length check",
		    (unsigned long long)(g->in_total + *consumed));
	default:
		return err_set(ERR_FORMAT, "gzip data is corrupt near compressed "
		    "offset %llu: %s", (unsigned long long)(g->in_total + *consumed),
		    rc == ISAL_INVALID_LOOKBACK ? "distance too far back" :
		    rc == ISAL_INVALID_SYMBOL ? "invalid code" : "invalid block");
	}
}

#else /* zlib */

const char *
gunzip_engine(void)
{
	return "zlib " ZLIB_VERSION;
}

size_t
gunzip_state_max(void)
{
	return BOARD_INFLATE_ARENA;
}

static voidpf
arena_alloc(voidpf opaque, uInt items, uInt size)
{
	struct gunzip *g = opaque;
	size_t n = (size_t)items * size;
	size_t at = (g->arena_used + 15u) & ~(size_t)15u;

	if (size != 0 && n / size != items)
		return Z_NULL;
	if (at > sizeof g->arena || n > sizeof g->arena - at)
		return Z_NULL;
	g->arena_used = at + n;
	if (g->arena_used > g->arena_peak)
		g->arena_peak = g->arena_used;
	return g->arena + at;
}

static void
arena_free(voidpf opaque, voidpf p)
{
	/* Everything is released at once by gunzip_init. */
	(void)opaque;
	(void)p;
}

static int
engine_begin(struct gunzip *g)
{
	int rc;

	if (g->started)
		return inflateReset(&g->zs) == Z_OK ? ERR_OK :
		    err_set(ERR_INTERNAL, "inflateReset failed");
	g->zs.zalloc = arena_alloc;
	g->zs.zfree = arena_free;
	g->zs.opaque = g;
	rc = inflateInit2(&g->zs, 15 + 16);
	if (rc == Z_MEM_ERROR)
		return err_set(ERR_NOMEM, "inflate needs more than the %u "
		    "bytes of BOARD_INFLATE_ARENA", BOARD_INFLATE_ARENA);
	if (rc != Z_OK)
		return err_set(ERR_INTERNAL, "inflateInit2: %d", rc);
	g->started = 1;
	return ERR_OK;
}

static int
engine_step(struct gunzip *g, const uint8_t *in, size_t len, size_t *consumed,
    size_t *olen, int *end)
{
	uInt avail_in = len > 0x40000000u ? 0x40000000u : (uInt)len;
	int rc;

	g->zs.next_in = (Bytef *)(uintptr_t)in;
	g->zs.avail_in = avail_in;
	g->zs.next_out = g->out[g->outk];
	g->zs.avail_out = (uInt)sizeof g->out[0];
	rc = inflate(&g->zs, Z_NO_FLUSH);
	*consumed = avail_in - g->zs.avail_in;
	*olen = sizeof g->out[0] - g->zs.avail_out;
	*end = rc == Z_STREAM_END;
	switch (rc) {
	case Z_OK:
	case Z_BUF_ERROR:      /* no progress possible now: not an error */
	case Z_STREAM_END:
		return ERR_OK;
	case Z_MEM_ERROR:
		return err_set(ERR_NOMEM, "inflate needs more than the %u bytes of "
		    "BOARD_INFLATE_ARENA", BOARD_INFLATE_ARENA);
	default:
		return err_set(ERR_FORMAT, "gzip data is corrupt near compressed "
		    "offset %llu: %s", (unsigned long long)(g->in_total + *consumed),
		    g->zs.msg ? g->zs.msg : "inflate error");
	}
}

#endif

static int
inflate_some(struct gunzip *g, const uint8_t *in, size_t len, size_t *consumed,
    size_t *olen)
{
	int rc, end = 0;

	*consumed = 0;
	*olen = 0;
	if (!g->in_member) {
		/* Another gzip member may follow the last one, nothing else. */
		if (g->started && len > 0 && in[0] != 0x1f)
			return err_set(ERR_FORMAT, "data after the gzip stream at "
			    "compressed offset %llu is not another gzip member",
			    (unsigned long long)g->in_total);
		if (g->started && len == 0)
			return ERR_OK;
		rc = engine_begin(g);
		if (rc < 0)
			return rc;
		g->in_member = 1;
	}
	rc = engine_step(g, len > 0 ? in : g->out[0], len, consumed, olen, &end);
	g->in_total += *consumed;
	g->out_total += *olen;
	if (*olen > 0)
		g->outk ^= 1u;
	if (end)
		g->in_member = 0;
	return rc;
}

int
gunzip_push(struct gunzip *g, const uint8_t *in, size_t len, size_t *consumed,
    const uint8_t **out, size_t *olen)
{
	size_t used = 0;
	int rc;

	*consumed = 0;
	*olen = 0;
	*out = g->out[g->outk];
	if (!g->checked) {
		/* Hold the first bytes until there are enough to check them. */
		while (g->nmagic < sizeof g->magic && *consumed < len)
			g->magic[g->nmagic++] = in[(*consumed)++];
		if (g->nmagic < sizeof g->magic)
			return ERR_OK;
		return check_magic(g);
	}
	if (g->held_pos < g->nmagic) {
		/* The held bytes go through first. */
		const uint8_t *h = g->magic + g->held_pos;
		size_t hn = g->nmagic - g->held_pos;

		if (!g->compressed) {
			*out = h;
			*olen = hn;
			g->held_pos = g->nmagic;
			g->in_total += hn;
			g->out_total += hn;
			return ERR_OK;
		}
		rc = inflate_some(g, h, hn, &used, olen);
		g->held_pos += used;
		return rc;
	}
	if (!g->compressed) {
		/* Pass-through: the caller's bytes are the output. */
		*out = in;
		*olen = len;
		*consumed = len;
		g->in_total += len;
		g->out_total += len;
		return ERR_OK;
	}
	/* With no input, a member in progress may still have output to give. */
	if (len == 0 && !g->in_member)
		return ERR_OK;
	return inflate_some(g, in, len, consumed, olen);
}

int
gunzip_finish(struct gunzip *g)
{
	if (!g->checked) {
		int rc = check_magic(g);
		if (rc < 0)
			return rc;
		if (g->nmagic > 0)
			return err_set(ERR_FORMAT, "layer ends after %zu bytes", g->nmagic);
	}
	if (g->held_pos < g->nmagic)
		return err_set(ERR_INTERNAL, "gunzip_finish with held bytes");
	if (g->compressed && (g->in_member || !g->started))
		return err_set(ERR_FORMAT, "gzip stream ends early after %llu "
		    "compressed bytes", (unsigned long long)g->in_total);
	return ERR_OK;
}
