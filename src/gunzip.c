/*
 * gunzip.c: inflate over zlib with a bump arena.
 */
#include "gunzip.h"

#include <string.h>

#include "err.h"

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

void
gunzip_init(struct gunzip *g, int compressed)
{
	memset(&g->zs, 0, sizeof g->zs);
	g->compressed = compressed;
	g->started = 0;
	g->in_member = 0;
	g->checked = 0;
	g->nmagic = 0;
	g->in_total = 0;
	g->out_total = 0;
	g->arena_used = 0;
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

static int
inflate_some(struct gunzip *g, const uint8_t *in, size_t len, size_t *consumed,
    size_t *olen)
{
	int rc;
	uInt avail_in;

	if (!g->in_member) {
		if (!g->started) {
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
		} else {
			/* Another gzip member follows the last one. */
			if (in[0] != 0x1f)
				return err_set(ERR_FORMAT, "data after the gzip stream at "
				    "compressed offset %llu is not another gzip member",
				    (unsigned long long)g->in_total);
			(void)inflateReset(&g->zs);
		}
		g->in_member = 1;
	}
	avail_in = len > 0x40000000u ? 0x40000000u : (uInt)len;
	g->zs.next_in = len > 0 ? (Bytef *)(uintptr_t)in : g->out;
	g->zs.avail_in = avail_in;
	g->zs.next_out = g->out;
	g->zs.avail_out = (uInt)sizeof g->out;
	rc = inflate(&g->zs, Z_NO_FLUSH);
	*consumed = avail_in - g->zs.avail_in;
	*olen = sizeof g->out - g->zs.avail_out;
	g->in_total += *consumed;
	g->out_total += *olen;
	switch (rc) {
	case Z_OK:
	case Z_BUF_ERROR:      /* no progress possible now: not an error */
		return ERR_OK;
	case Z_STREAM_END:
		g->in_member = 0;
		return ERR_OK;
	case Z_MEM_ERROR:
		return err_set(ERR_NOMEM, "inflate needs more than the %u bytes of "
		    "BOARD_INFLATE_ARENA", BOARD_INFLATE_ARENA);
	default:
		return err_set(ERR_FORMAT, "gzip data is corrupt near compressed "
		    "offset %llu: %s", (unsigned long long)g->in_total,
		    g->zs.msg ? g->zs.msg : "inflate error");
	}
}

int
gunzip_push(struct gunzip *g, const uint8_t *in, size_t len, size_t *consumed,
    const uint8_t **out, size_t *olen)
{
	size_t used = 0;
	int rc;

	*consumed = 0;
	*olen = 0;
	*out = g->out;
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
