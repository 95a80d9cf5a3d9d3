/*
 * unzstd.h: the zstd stage. zstd layers (one or more frames, skippable
 * frames among them, as RFC 8878 allows) become tar bytes, through
 * libzstd's streaming decoder (built decompression-only). The decoder's
 * context and its window live in a fixed arena inside struct unzstd
 * (ZSTD_initStaticDCtx), so the stage never touches the heap; a frame
 * whose window is over BOARD_ZSTD_WINDOW_MAX is refused, naming the cap.
 * Only the pages a frame's window needs are ever touched.
 *
 * A transform with zlib-like cursors over a caller-owned struct:
 *
 *     unzstd_init(&z);
 *     while (input) {
 *         rc = unzstd_push(&z, in, len, &used, &out, &olen);
 *         in += used; len -= used;
 *         use out[0..olen)          (valid until the call after next)
 *     }
 *     do unzstd_push(&z, NULL, 0, ...) while olen > 0   (flush pending
 *                                   output at the end of input)
 *     rc = unzstd_finish(&z);       ERR_OK when the last frame was complete
 *
 * Data that is not zstd (gzip, plain tar) is refused with a message that
 * says which.
 */
#ifndef UNZSTD_H
#define UNZSTD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct unzstd {
	int started;               /* the static context is set up */
	int error;                 /* sticky: a push failed */
	size_t hint;               /* libzstd's last return: 0 after a whole frame */
	unsigned char first[4];    /* the stream's first bytes, for messages */
	size_t nfirst;
	uint64_t in_total, out_total;
	size_t arena_peak;         /* the context and the buffers of the
	                            * largest frame seen (ZSTD_sizeof_DCtx) */
	/* Two output buffers, used in turn, as gunzip's (gunzip.h). */
	unsigned char out[2][BOARD_ZSTD_OUT];
	unsigned outk;
	_Alignas(16) unsigned char arena[BOARD_ZSTD_ARENA];
};

void unzstd_init(struct unzstd *z);

/*
 * Consume some of in[0..len) and produce up to BOARD_ZSTD_OUT bytes.
 * Returns ERR_OK (*consumed and *olen say what happened; call again while
 * input remains), or ERR_FORMAT (not zstd, corrupt data, trailing
 * garbage), ERR_UNSUPPORTED (a frame's window over BOARD_ZSTD_WINDOW_MAX,
 * a frame that needs a dictionary), ERR_NOMEM (BOARD_ZSTD_ARENA cannot
 * hold the largest window), each with the offset in the blob.
 */
int unzstd_push(struct unzstd *z, const uint8_t *in, size_t len,
    size_t *consumed, const uint8_t **out, size_t *olen);

/* End of input: ERR_OK, or ERR_FORMAT when the stream is empty or its
 * last frame was cut short. */
int unzstd_finish(struct unzstd *z);

#endif /* UNZSTD_H */
