/*
 * progress.h: what a pull is doing, for a person or an update agent.
 *
 *   PROGRESS_TTY    one line per layer (bytes, rate, ETA) redrawn in place
 *                   on a terminal;
 *   PROGRESS_PLAIN  one line when a layer starts, is kept or verified, at
 *                   a retry and at the commit; progress at most every
 *                   10 s (the default for pull off a terminal: a journal
 *                   shows what happens);
 *   PROGRESS_JSON   one JSON object per line per event (resolved, signed,
 *                   layer, progress at most every 500 ms, verified, kept,
 *                   retry, afresh, committed, then done or uptodate; or
 *                   error), for an agent to forward;
 *   PROGRESS_NONE   nothing.
 *
 * progress_init picks the mode and the output (a file descriptor: 2, or
 * --progress-fd N), and makes SIGTERM and SIGINT write a last error event
 * (or line) before the process dies by them; the other calls report
 * events and may be called in any mode. Sizes are shown in B, KiB, MiB,
 * GiB. State is one static struct: a pull is one process.
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

/* Nonzero in JSON mode on the standard error: main then prints nothing
 * else there (the summary and the error are events). */
int progress_json_on_stderr(void);

/* n bytes for people: "512 B", "1.5 KiB", "3.2 MiB", "1.1 GiB". */
void progress_size(char out[16], uint64_t n);

/* index is the index's digest, or NULL when the reference named the
 * manifest (also below). */
void progress_resolved(const char *ref, const char *digest, const char *index,
    const char *platform, size_t nlayers, uint64_t total);
void progress_layer(unsigned index, unsigned count, const char *digest,
    uint64_t size);
void progress_bytes(unsigned index, uint64_t done, uint64_t size);
void progress_verified(unsigned index, const char *digest);
void progress_kept(unsigned index, unsigned count, const char *digest,
    uint64_t size);
void progress_signed(const char *digest, const char *key, const char *kind);
void progress_retry(const char *why, unsigned attempt, uint32_t delay_ms);

/* The staging tree of an earlier run is dropped: why. */
void progress_afresh(const char *why);

/* A mirror was skipped for an object (a digest or tag): why, and the
 * source tried next. */
void progress_mirror(const char *mirror, const char *object, const char *why,
    const char *next);
void progress_committed(const char *dest, const char *digest,
    const char *index);

/* JSON mode: the run's summary as the last event, "done" or, when DEST
 * already held the image, "uptodate". */
void progress_done(const char *ref, const char *digest, const char *index,
    const char *dest, size_t nlayers, int uptodate);
/* JSON mode: one --stats line as a "stats" event. */
void progress_stats(const char *line);
void progress_error(int code, const char *name, const char *msg);

/* "ocipull: warning: MSG" on the standard error, whatever the mode, and
 * in JSON mode a warning event as well. */
void progress_warning(const char *msg);

#endif /* PROGRESS_H */
