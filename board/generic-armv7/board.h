/*
 * board.h: a generic 32-bit ARMv7-A Linux device (linux/arm/v7), for example
 * an i.MX6 or STM32MP1 board. Smaller documents than the 64-bit default.
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME "generic-armv7"
#define BOARD_JSON_MAX   (64u * 1024u)
#define BOARD_JSON_TOKENS 2048u
/* ARMv7-A has no AES instructions: offer ChaCha20-Poly1305 first. */
#define BOARD_TLS_CHACHA_FIRST 1

#endif
