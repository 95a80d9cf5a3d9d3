/*
 * decompress.h: the decompression stage of the layer pipeline, one push
 * interface over the engines this build has, chosen by the layer's codec
 * (manifest_layer_codec maps media types to codecs in one table).
 *
 * Engines: gzip (zlib, gunzip.h), zstd (libzstd, unzstd.h) and identity
 * for plain tar layers (which still checks that the data is not compressed
 * after all).
 *
 * A transform with zlib-like cursors over a caller-owned struct:
 *
 *     rc = decompress_init(&d, codec, what, media_type);
 *     while (input) {
 *         rc = decompress_push(&d, in, len, &used, &out, &olen);
 *         in += used; len -= used;
 *         use out[0..olen)          (valid until the call after next:
 *                                   gzip and zstd write into two
 *                                   buffers in turn; identity's output
 *                                   is the caller's input)
 *     }
 *     do decompress_push(&d, NULL, 0, ...) until two calls in a row give
 *         no output                 (held and pending output flushed)
 *     rc = decompress_finish(&d);   ERR_OK when the stream was complete
 */
#ifndef DECOMPRESS_H
#define DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "gunzip.h"
#include "unzstd.h"

struct decompress {
	unsigned engine;           /* row of decompress.c's engine table */
	struct gunzip gz;          /* gzip, and identity with its magic check */
	struct unzstd zs;          /* zstd */
};

/*
 * Prepare for a layer of codec (MF_CODEC_*). Returns ERR_OK, or
 * ERR_UNSUPPORTED naming what (the layer) and media_type when this build
 * has no engine for it.
 */
int decompress_init(struct decompress *d, int codec, const char *what,
    const char *media_type);

/* As gunzip_push: ERR_OK with *consumed and *olen, or the engine's error. */
int decompress_push(struct decompress *d, const uint8_t *in, size_t len,
    size_t *consumed, const uint8_t **out, size_t *olen);

/* End of input: ERR_OK, or ERR_FORMAT when the stream was cut short. */
int decompress_finish(struct decompress *d);

/* Most bytes the arena of codec's engine held in any layer so far (for
 * --stats): MF_CODEC_GZIP's of BOARD_INFLATE_ARENA, MF_CODEC_ZSTD's of
 * BOARD_ZSTD_ARENA; 0 while no such layer was decompressed. */
size_t decompress_arena_peak(const struct decompress *d, int codec);

#endif /* DECOMPRESS_H */
