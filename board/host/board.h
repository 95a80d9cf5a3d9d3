/*
 * board.h: the host board, a Linux PC or server building and running ocipull
 * natively. BOARD_PLATFORM comes from board.mk (the build machine's
 * architecture). Everything not set here takes the defaults of src/config.h.
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME "host"
/* Two 128 KiB inflate output buffers (config.h's default is 32 KiB): ISA-L
 * copies its 32 KiB window out of each full buffer, so larger ones copy
 * less, and each full one is one hand-over between the threads (relay.h),
 * a quarter as many (measured when only the diff_id's hash ran on the
 * second thread: the 1 GiB bench layer from a layout, 1.9 s against
 * 2.0 s). */
#define BOARD_INFLATE_OUT (128u * 1024u)
/* The same for zstd (measured then too: the realistic-zstd bench image
 * from a layout, 0.71 s against 0.82 s, median of 11, 0.1 s less CPU).
 * The peak RSS stays under 2 MiB plus the 8 MiB window: 9.9 MiB. */
#define BOARD_ZSTD_OUT (128u * 1024u)

#endif
