/*
 * gunzip.h: the inflate stage. gzip layers (one or more members, as
 * RFC 1952 allows) become tar bytes; uncompressed layers pass through.
 * Two engines, the board's choice (BOARD_GZIP_ISAL, set by the Makefile
 * from board.mk's GZIP_ENGINE): ISA-L's igzip inflate, whose state holds
 * its own window, or zlib's, whose allocations come from a fixed arena
 * inside struct gunzip. Either way the stage never touches the heap.
 *
 * A transform with zlib-like cursors over a caller-owned struct:
 *
 *     gunzip_init(&g, compressed);
 *     while (input) {
 *         rc = gunzip_push(&g, in, len, &used, &out, &olen);
 *         in += used; len -= used;
 *         use out[0..olen)          (valid until the call after next)
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

#include "config.h"

#if BOARD_GZIP_ISAL
#include <isa-l/igzip_lib.h>
/* ISA-L's internal Adler-32 (B << 16 | (A - 1)), which igzip_lib.h does
 * not declare: gunzip.c defines it (and says why), test_gunzip checks it. */
uint32_t isal_adler32_bam1(uint32_t bam1, const unsigned char *p, uint64_t n);
#else
#include <zlib.h>
#endif

struct gunzip {
#if BOARD_GZIP_ISAL
	struct inflate_state is;
	/* The member's header, parsed here (gunzip.c says why). */
	unsigned h_state, h_flags, h_n, h_left;
	uint32_t h_crc;
	unsigned char h_fixed[10];
#else
	z_stream zs;
	size_t arena_used;
	unsigned char arena[BOARD_INFLATE_ARENA];
#endif
	int compressed;        /* gzip expected */
	int started;           /* zlib initialised */
	int in_member;         /* inside a gzip member */
	int checked;           /* magic bytes checked */
	unsigned char magic[4];    /* first bytes, held until checked */
	size_t nmagic, held_pos;   /* held_pos: magic bytes already processed */
	uint64_t in_total, out_total;
	size_t arena_peak;         /* bytes of engine state in use, at most */
	/* Two output buffers, used in turn: what one call gave stays as it
	 * was through the next call (relay.h: the tar reader reads it while the
	 * next is written). */
	unsigned char out[2][BOARD_INFLATE_OUT];
	unsigned outk;             /* the buffer the next output goes into */
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

/* The engine and its version, "isa-l 2.31.1" or "zlib 1.3.1" (--version),
 * and the most state it can hold: BOARD_INFLATE_ARENA for zlib, ISA-L's
 * state for ISA-L (--stats). */
const char *gunzip_engine(void);
size_t gunzip_state_max(void);

#endif /* GUNZIP_H */
