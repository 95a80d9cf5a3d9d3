/*
 * progress.h: what a pull is doing, for a person or an update agent.
 *
 *   PROGRESS_TTY    one line per layer (bytes, rate, ETA) redrawn in place
 *                   on a terminal;
 *   PROGRESS_PLAIN  one line per event, progress at most every 5 s;
 *   PROGRESS_JSON   one JSON object per line per event (resolved, layer,
 *                   progress at most every 500 ms, verified, retry,
 *                   committed, error), for an agent to forward;
 *   PROGRESS_NONE   nothing.
 *
 * progress_init picks the mode and the output (a file descriptor: 2, or
 * --progress-fd N); the other calls report events and may be called in
 * any mode. State is one static struct: a pull is one process.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>
#include <stdint.h>

enum { PROGRESS_NONE = 0, PROGRESS_TTY, PROGRESS_PLAIN, PROGRESS_JSON };

void progress_init(int mode, int fd);

/* Format into a fixed 2 KiB buffer (longer output is cut) and write it to
 * stream: progress events, and main's messages too. */
void progress_say(int stream, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void progress_resolved(const char *ref, const char *digest, const char *platform,
    size_t nlayers, uint64_t total);
void progress_layer(unsigned index, unsigned count, const char *digest,
    uint64_t size);
void progress_bytes(unsigned index, uint64_t done, uint64_t size);
void progress_verified(unsigned index, const char *digest);
void progress_signed(const char *digest, const char *key, const char *kind);
void progress_retry(const char *why, unsigned attempt, uint32_t delay_ms);

/* The staging tree of an earlier run is dropped: why. */
void progress_afresh(const char *why);
void progress_committed(const char *dest, const char *digest);
void progress_error(int code, const char *name, const char *msg);

/* "ocipull: warning: MSG" on the standard error, whatever the mode, and
 * in JSON mode a warning event as well. */
void progress_warning(const char *msg);

#endif /* PROGRESS_H */
