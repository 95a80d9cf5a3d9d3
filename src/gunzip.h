/*
 * gunzip.h: the inflate stage. gzip layers (one or more members, as
 * RFC 1952 allows) become tar bytes; uncompressed layers pass through.
 * zlib's allocations come from a fixed arena inside struct gunzip, so the
 * stage never touches the heap.
 *
 * A transform with zlib-like cursors over a caller-owned struct:
 *
 *     gunzip_init(&g, compressed);
 *     while (input) {
 *         rc = gunzip_push(&g, in, len, &used, &out, &olen);
 *         in += used; len -= used;
 *         use out[0..olen)          (valid until the next call)
 *     }
 *     do gunzip_push(&g, NULL, 0, ...) while olen > 0   (flush held and
 *                                   pending output at the end of input)
 *     rc = gunzip_finish(&g);       ERR_OK when the last member was complete
 *
 * The first bytes are checked against the media type: gzip data in a layer
 * said to be plain tar, plain data in a layer said to be gzip, and zstd
 * data, are refused with a message that says which.
 */
#ifndef GUNZIP_H
#define GUNZIP_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "config.h"

struct gunzip {
	z_stream zs;
	int compressed;        /* gzip expected */
	int started;           /* zlib initialised */
	int in_member;         /* inside a gzip member */
	int checked;           /* magic bytes checked */
	unsigned char magic[4];    /* first bytes, held until checked */
	size_t nmagic, held_pos;   /* held_pos: magic bytes already processed */
	uint64_t in_total, out_total;
	size_t arena_used, arena_peak;
	unsigned char arena[BOARD_INFLATE_ARENA];
	unsigned char out[BOARD_INFLATE_OUT];
};

void gunzip_init(struct gunzip *g, int compressed);

/*
 * Consume some of in[0..len) and produce up to BOARD_INFLATE_OUT bytes.
 * Returns ERR_OK (*consumed and *olen say what happened; call again while
 * input remains), or ERR_FORMAT (corrupt gzip data, trailing garbage, a
 * media type that disagrees with the data, zstd data among them), ERR_NOMEM (the arena is too small), with the offset in the blob.
 */
int gunzip_push(struct gunzip *g, const uint8_t *in, size_t len,
    size_t *consumed, const uint8_t **out, size_t *olen);

/* End of input: ERR_OK, or ERR_FORMAT when a member was cut short. */
int gunzip_finish(struct gunzip *g);

#endif /* GUNZIP_H */
