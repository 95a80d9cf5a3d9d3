/*
 * unzstd.c: zstd frames through libzstd's streaming decoder, its context
 * and window in the arena of struct unzstd.
 */
#include "unzstd.h"

#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY   /* ZSTD_initStaticDCtx and its sizes */
#include <zstd.h>
#include <zstd_errors.h>

#include "err.h"

/* The context sits at the start of the arena (ZSTD_initStaticDCtx keeps
 * it there), so the struct holds no pointer to it. */
static ZSTD_DCtx *
dctx_of(struct unzstd *z)
{
	return (ZSTD_DCtx *)(void *)z->arena;
}

void
unzstd_init(struct unzstd *z)
{
	z->started = 0;
	z->hint = 0;
	z->nfirst = 0;
	z->in_total = 0;
	z->out_total = 0;
	z->outk = 0;
}

static int
start(struct unzstd *z)
{
	ZSTD_DCtx *d;
	size_t need = ZSTD_estimateDStreamSize(BOARD_ZSTD_WINDOW_MAX), r;
	int log = 10;

	if (need > sizeof z->arena)
		return err_set(ERR_NOMEM, "zstd needs %zu bytes for a window of %u "
		    "bytes, BOARD_ZSTD_ARENA has %zu", need,
		    BOARD_ZSTD_WINDOW_MAX, sizeof z->arena);
	d = ZSTD_initStaticDCtx(z->arena, sizeof z->arena);
	if (d != dctx_of(z))
		return err_set(ERR_INTERNAL, "ZSTD_initStaticDCtx refused the arena");
	while ((1u << log) < BOARD_ZSTD_WINDOW_MAX)
		log++;
	r = ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, log);
	if (ZSTD_isError(r))
		return err_set(ERR_INTERNAL, "zstd windowLogMax %d: %s", log,
		    ZSTD_getErrorName(r));
	z->started = 1;
	return ERR_OK;
}

/* A message for what libzstd refused, at compressed offset at. */
static int
refusal(const struct unzstd *z, size_t r, uint64_t at)
{
	unsigned long long off = (unsigned long long)at;

	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_frameParameter_windowTooLarge:
		return err_set(ERR_UNSUPPORTED, "the zstd frame near compressed "
		    "offset %llu needs a window over this build's cap of %u "
		    "bytes (BOARD_ZSTD_WINDOW_MAX)", off, BOARD_ZSTD_WINDOW_MAX);
	case ZSTD_error_prefix_unknown:
		if (at > 0)
			return err_set(ERR_FORMAT, "data after the zstd frame ending "
			    "at compressed offset %llu is not another zstd frame", off);
		if (z->nfirst >= 2 && z->first[0] == 0x1f && z->first[1] == 0x8b)
			return err_set(ERR_FORMAT, "layer media type says zstd but the "
			    "data is gzip-compressed");
		return err_set(ERR_FORMAT, "layer media type says zstd but the data "
		    "does not start with a zstd frame");
	case ZSTD_error_dictionary_wrong:
	case ZSTD_error_dictionary_corrupted:
		return err_set(ERR_UNSUPPORTED, "the zstd frame near compressed "
		    "offset %llu needs a dictionary", off);
	case ZSTD_error_memory_allocation:
		return err_set(ERR_NOMEM, "the zstd frame near compressed offset "
		    "%llu needs more than the %u bytes of BOARD_ZSTD_ARENA", off,
		    (unsigned)BOARD_ZSTD_ARENA);
	default:
		return err_set(ERR_FORMAT, "zstd data is corrupt near compressed "
		    "offset %llu: %s", off, ZSTD_getErrorName(r));
	}
}

int
unzstd_push(struct unzstd *z, const uint8_t *in, size_t len, size_t *consumed,
    const uint8_t **out, size_t *olen)
{
	ZSTD_inBuffer ib;
	ZSTD_outBuffer ob;
	size_t r, k, size;
	int rc;

	*consumed = 0;
	*olen = 0;
	*out = z->out[z->outk];
	/* No input: only a frame in progress may have output to give. */
	if (len == 0 && (!z->started || z->hint == 0))
		return ERR_OK;
	for (k = 0; z->nfirst < sizeof z->first && k < len; k++)
		z->first[z->nfirst++] = in[k];
	if (!z->started && (rc = start(z)) < 0)
		return rc;
	ib.src = in;
	ib.size = len;
	ib.pos = 0;
	ob.dst = z->out[z->outk];
	ob.size = sizeof z->out[0];
	ob.pos = 0;
	r = ZSTD_decompressStream(dctx_of(z), &ob, &ib);
	if (ZSTD_isError(r))
		return refusal(z, r, z->in_total);
	*consumed = ib.pos;
	*olen = ob.pos;
	z->in_total += ib.pos;
	z->out_total += ob.pos;
	if (ob.pos > 0)
		z->outk ^= 1u;
	z->hint = r;
	size = ZSTD_sizeof_DCtx(dctx_of(z));
	if (size > z->arena_peak)
		z->arena_peak = size;
	return ERR_OK;
}

int
unzstd_finish(struct unzstd *z)
{
	if (z->in_total == 0)
		return err_set(ERR_FORMAT, "zstd stream is empty");
	if (z->hint != 0)
		return err_set(ERR_FORMAT, "zstd stream ends early after %llu "
		    "compressed bytes, inside a frame",
		    (unsigned long long)z->in_total);
	return ERR_OK;
}
