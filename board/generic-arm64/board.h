/*
 * board.h: a generic 64-bit ARM Linux device (linux/arm64/v8), for example
 * a Raspberry Pi 4 running a 64-bit kernel or an i.MX8 gateway.
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME "generic-arm64"

#endif
