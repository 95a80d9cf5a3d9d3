/*
 * board.h: the host board, a Linux PC or server building and running ocipull
 * natively. BOARD_PLATFORM comes from board.mk (the build machine's
 * architecture). Everything not set here takes the defaults of src/config.h.
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME "host"

#endif
