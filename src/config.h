/*
 * config.h: build-time configuration, in three layers (as lwIP's opt.h).
 *
 * 1. board/<name>/board.h, selected by `make BOARD=name`, sets what the board
 *    needs; board.mk passes BOARD_PLATFORM on the command line.
 * 2. Every setting the board left out gets the default below.
 * 3. Compile-time checks refuse impossible combinations.
 *
 * All buffer sizes of the program are decided here, nowhere else.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include "board.h"

#ifndef BOARD_NAME
#error "board.h must define BOARD_NAME"
#endif

/* Default platform os/arch[/variant] the pull selects from an index. */
#ifndef BOARD_PLATFORM
#error "BOARD_PLATFORM must be set by board.mk or board.h"
#endif

/* Colon-separated CA bundle files tried in order when --ca-file is absent. */
#ifndef BOARD_CA_PATHS
#define BOARD_CA_PATHS "/etc/ssl/certs/ca-certificates.crt:" \
	"/etc/pki/tls/certs/ca-bundle.crt:/etc/ssl/cert.pem"
#endif

/* Network receive buffer: one TLS record's plaintext, or TCP bytes. */
#ifndef BOARD_NET_BUF
#define BOARD_NET_BUF (16u * 1024u)
#endif

/* Largest JSON document kept whole (manifest, index, config, token reply). */
#ifndef BOARD_JSON_MAX
#define BOARD_JSON_MAX (256u * 1024u)
#endif

/* jsmn tokens available to parse one JSON document. */
#ifndef BOARD_JSON_TOKENS
#define BOARD_JSON_TOKENS 8192u
#endif

/* Longest HTTP header line, and most header lines in one response. */
#ifndef BOARD_HTTP_LINE_MAX
#define BOARD_HTTP_LINE_MAX 8192u
#endif
#ifndef BOARD_HTTP_HEADERS_MAX
#define BOARD_HTTP_HEADERS_MAX 100u
#endif

/* Longest bearer token accepted from a token server. */
#ifndef BOARD_TOKEN_MAX
#define BOARD_TOKEN_MAX (8u * 1024u)
#endif

/* Longest password or secret for Basic credentials (ECR's reach 3.2 KB). */
#ifndef BOARD_SECRET_MAX
#define BOARD_SECRET_MAX 4096u
#endif

/* A docker credential helper's answer: at most this many bytes (more is
 * an error; read into the idle receive buffer), within this time (then
 * it is killed). */
#ifndef BOARD_CRED_HELPER_OUT
#define BOARD_CRED_HELPER_OUT (8u * 1024u)
#endif
#ifndef BOARD_CRED_HELPER_TIMEOUT_MS
#define BOARD_CRED_HELPER_TIMEOUT_MS 10000u
#endif

/* Most layers in one image manifest. */
#ifndef BOARD_LAYERS_MAX
#define BOARD_LAYERS_MAX 128u
#endif

/* The arena behind the C library's malloc: mbedTLS's TLS records (about
 * 34 KiB a connection) and the parsed CA certificates (about 3 KiB each:
 * Debian's full bundle, 144 roots, needs 415 KiB, 330 KiB on 32-bit), the
 * resolver's scratch. */
#ifndef BOARD_HEAP_SIZE
#define BOARD_HEAP_SIZE (640u * 1024u)
#endif

/* Largest --cert or --key file (PEM), read whole on the stack and wiped:
 * a certificate with its intermediates, or an RSA key of 8192 bits. The
 * parsed certificate and key live in the arena above (a few KiB). */
#ifndef BOARD_CLIENT_PEM_MAX
#define BOARD_CLIENT_PEM_MAX (16u * 1024u)
#endif

/* Timeouts, milliseconds. */
#ifndef BOARD_CONNECT_TIMEOUT_MS
#define BOARD_CONNECT_TIMEOUT_MS 30000u
#endif
/* While other addresses of a host remain, a connect attempt to one of them
 * gets at most this long (the last one gets what is left of the connect
 * timeout), so a blackholed address does not use up the whole timeout. */
#ifndef BOARD_CONNECT_ATTEMPT_MS
#define BOARD_CONNECT_ATTEMPT_MS 3000u
#endif
#ifndef BOARD_READ_TIMEOUT_MS
#define BOARD_READ_TIMEOUT_MS 30000u
#endif
/* The status line and headers of a response are due this long after the
 * request was sent, however they trickle in (the unit tests build with a
 * shorter one, see the Makefile's UNIT_CPPFLAGS). */
#ifndef BOARD_HEADER_TIMEOUT_MS
#define BOARD_HEADER_TIMEOUT_MS 30000u
#endif

/* Longest path inside a layer (PAX path, GNU long name), and PAX header. */
#ifndef BOARD_PATH_MAX
#define BOARD_PATH_MAX 4096u
#endif
#ifndef BOARD_PAX_MAX
#define BOARD_PAX_MAX (64u * 1024u)
#endif

/* All xattrs of one tar entry (names, values, framing). */
#ifndef BOARD_XATTR_MAX
#define BOARD_XATTR_MAX (16u * 1024u)
#endif

/* File data buffer of the rootfs writer (small writes are gathered). */
#ifndef BOARD_WRITE_BUF
#define BOARD_WRITE_BUF (32u * 1024u)
#endif

/* Inflate: zlib's state and 32 KiB window come from this arena; the
 * output buffer hands uncompressed bytes to the tar reader. */
#ifndef BOARD_INFLATE_ARENA
#define BOARD_INFLATE_ARENA (48u * 1024u)
#endif
/* 1: gzip layers inflate with ISA-L (the Makefile sets it from board.mk's
 * GZIP_ENGINE and links libisal); 0: with zlib. */
/* 1: decompression and the diff_id's SHA-256 run on a second thread
 * (relay.h), beside the receiver and the writer; 0: everything on the one
 * thread (a single-core board). */
#ifndef BOARD_WORKER_THREAD
#define BOARD_WORKER_THREAD 1
#endif
#ifndef BOARD_GZIP_ISAL
#define BOARD_GZIP_ISAL 0
#endif
#ifndef BOARD_INFLATE_OUT
#define BOARD_INFLATE_OUT (32u * 1024u)
#endif
/* Each of the zstd engine's two output buffers: libzstd copies out of its
 * own window whatever their size, but each full one is one hand-over
 * between the threads (relay.h), so boards with the memory take larger
 * ones. */
#ifndef BOARD_ZSTD_OUT
#define BOARD_ZSTD_OUT (32u * 1024u)
#endif

/* zstd: the largest window a frame may ask for (a power of two; a frame
 * over it is refused), and the arena that holds libzstd's decoding
 * context (about 94 KiB), its input block and the window with a block of
 * slack: the arena must hold ZSTD_estimateDStreamSize(window), checked
 * when a zstd layer starts. Only the pages a frame uses are touched. */
#ifndef BOARD_ZSTD_WINDOW_MAX
#define BOARD_ZSTD_WINDOW_MAX (8u * 1024u * 1024u)
#endif
#ifndef BOARD_ZSTD_ARENA
#define BOARD_ZSTD_ARENA (BOARD_ZSTD_WINDOW_MAX + 512u * 1024u)
#endif

/* Mirrors of the registry (--mirror, hosts.toml) a pull may use, and the
 * (mirror, blob) pairs it remembers as skipped after their bytes did not
 * verify; when that table is full, such a mirror is not used again in the
 * run. hosts.toml is read whole into a buffer of BOARD_HOSTS_FILE_MAX. */
#ifndef BOARD_MIRRORS_MAX
#define BOARD_MIRRORS_MAX 8u
#endif
#ifndef BOARD_MIRROR_SKIPS
#define BOARD_MIRROR_SKIPS 32u
#endif
#ifndef BOARD_HOSTS_FILE_MAX
#define BOARD_HOSTS_FILE_MAX (16u * 1024u)
#endif

#if BOARD_NET_BUF < 4096u
#error "BOARD_NET_BUF below 4 KiB cannot hold an HTTP status and headers"
#endif
#if BOARD_JSON_MAX < 4096u || BOARD_JSON_TOKENS < 64u
#error "BOARD_JSON_MAX/BOARD_JSON_TOKENS too small for any manifest"
#endif
#if BOARD_HTTP_LINE_MAX > BOARD_NET_BUF
#error "BOARD_HTTP_LINE_MAX must fit in BOARD_NET_BUF"
#endif
#if BOARD_CRED_HELPER_OUT > BOARD_NET_BUF
#error "BOARD_CRED_HELPER_OUT must fit in BOARD_NET_BUF"
#endif
#if BOARD_SECRET_MAX < 256u
#error "BOARD_SECRET_MAX below 256 cannot hold a registry password"
#endif
/* zlib's inflate state (about 7 KiB) and its 32 KiB window. */
#if BOARD_INFLATE_ARENA < 40u * 1024u
#error "BOARD_INFLATE_ARENA below 40 KiB cannot hold zlib's inflate state and window"
#endif
/* zstd's smallest window is 1 KiB; the cap is a power of two. */
#if BOARD_ZSTD_WINDOW_MAX < 1024u || \
    (BOARD_ZSTD_WINDOW_MAX & (BOARD_ZSTD_WINDOW_MAX - 1u)) != 0
#error "BOARD_ZSTD_WINDOW_MAX must be a power of two of at least 1 KiB"
#endif
#if BOARD_ZSTD_ARENA < BOARD_ZSTD_WINDOW_MAX + 256u * 1024u
#error "BOARD_ZSTD_ARENA cannot hold libzstd's context and a window of BOARD_ZSTD_WINDOW_MAX"
#endif
/* Two TLS records of 16 KiB plus the handshake's working set. */
#define TLS_HEAP_MIN (48u * 1024u)
#if BOARD_HEAP_SIZE < TLS_HEAP_MIN
#error "BOARD_HEAP_SIZE below 48 KiB cannot hold one TLS connection"
#endif
#if BOARD_MIRRORS_MAX < 1u || BOARD_MIRRORS_MAX > 31u
#error "BOARD_MIRRORS_MAX must be 1 to 31 (a bit each in an unsigned mask, the origin too)"
#endif
#if BOARD_PATH_MAX < 256u
#error "BOARD_PATH_MAX below 256 cannot hold a ustar prefix+name"
#endif

#endif /* CONFIG_H */
