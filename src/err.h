/*
 * err.h: the one error enum of ocipull, its messages and exit codes.
 *
 * Every function that can fail returns an int: 0 (ERR_OK) is success,
 * negative values are errors, the few positive values are normal events
 * (ERR_END: end of stream). Retryable conditions (ERR_NET, ERR_TIMEOUT) are
 * kept apart from fatal ones (ERR_VERIFY, ERR_ESCAPE), so the driver can
 * decide to reconnect.
 *
 * The code says what kind of failure; the detail (what, where, what was
 * expected) goes into one message buffer with err_set(), written by the
 * module that saw the failure and read by main, the only place that prints.
 * The first message set after err_clear() is kept: the deepest module knows
 * most, and callers that add context use err_prefix().
 */
#ifndef ERR_H
#define ERR_H

#include <stddef.h>

enum {
	ERR_AGAIN = 2,        /* need more input or output room: not an error */
	ERR_END = 1,          /* end of stream reached: normal */
	ERR_OK = 0,
	ERR_USAGE = -1,       /* bad command line or bad reference */
	ERR_NOMEM = -2,       /* a fixed buffer or board cap is too small */
	ERR_NET = -3,         /* connection refused, reset, closed early: retryable */
	ERR_TIMEOUT = -4,     /* connect or read timed out: retryable */
	ERR_DNS = -5,         /* host name does not resolve */
	ERR_TLS = -6,         /* handshake or certificate verification failed */
	ERR_PROTO = -7,       /* the peer broke HTTP or the distribution API */
	ERR_AUTH = -8,        /* 401/403, no or wrong credentials */
	ERR_NOTFOUND = -9,    /* 404: repository, tag or blob unknown */
	ERR_PLATFORM = -10,   /* no manifest for the requested platform */
	ERR_VERIFY = -11,     /* digest or size mismatch */
	ERR_FORMAT = -12,     /* malformed document or archive */
	ERR_UNSUPPORTED = -13,/* valid but not handled (zstd, schema 1, sparse) */
	ERR_ESCAPE = -14,     /* a path would leave the rootfs */
	ERR_IO = -15,         /* local file system error */
	ERR_NOSPC = -16,      /* no space left on the destination */
	ERR_EXIST = -17,      /* exists and must not */
	ERR_NOENT = -18,      /* does not exist and must */
	ERR_PERM = -19,       /* the operating system refused (EPERM, EACCES) */
	ERR_BUSY = -20,       /* another ocipull holds the destination */
	ERR_INTERNAL = -21,   /* a bug: an invariant did not hold */
	ERR_SIGNATURE = -22   /* no valid signature by a trusted key */
};

/* Process exit codes: what a script or update agent can tell apart. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_OTHER = 1,
	EXIT_USAGE = 2,
	EXIT_NETWORK = 3,
	EXIT_TLS = 4,
	EXIT_AUTH = 5,
	EXIT_NOTFOUND = 6,
	EXIT_PLATFORM = 7,
	EXIT_VERIFY = 8,
	EXIT_UNPACK = 9,
	EXIT_NOSPC = 10,
	EXIT_SWITCHED = 11,   /* DEST holds the new tree, a later step failed */
	EXIT_SIGNATURE = 12,  /* --verify-key: no valid signature */
	EXIT_BUSY = 13,       /* another ocipull holds the lock on DEST */
	EXIT_UPDATE = 14      /* check: an update is available */
};

/* Short name of an error code ("network error", "digest mismatch", ...). */
const char *err_name(int code);

/* Exit code for an error code; EXIT_OK for ERR_OK and the positive events. */
int err_exit_code(int code);

/* Forget the current message. */
void err_clear(void);

/*
 * Record a message for code, unless one is recorded already, and return
 * code, so a failing path reads `return err_set(ERR_VERIFY, "...", ...)`.
 * The message is cut to the buffer's size (ERR_MSG_MAX).
 */
int err_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Put "context: " in front of the recorded message; returns code. */
int err_prefix(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The recorded message, or "" when none. */
const char *err_msg(void);

#define ERR_MSG_MAX 1024u

#endif /* ERR_H */
