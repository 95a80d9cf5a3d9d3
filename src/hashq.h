/*
 * hashq.h: SHA-256 on the second core. The layer pipeline hands the
 * diff_id's hashing of each decompressed buffer to a worker thread and
 * goes on to the tar reader and the writer (and the next inflate, into
 * the decompressor's other output buffer) while it runs. Jobs run in the
 * order they were queued, at most HASHQ_SLOTS at a time.
 *
 *     hashq_push(&diff, out, n);      out must not change until...
 *     hashq_wait(1);                  ...at most the newest job is left:
 *                                     the buffer before it may be reused
 *     hashq_wait(0);                  every job done: diff may be read
 *
 * Without a worker (the port has no threads, BOARD_HASH_THREAD is 0, the
 * thread could not start, or OCIPULL_NO_HASH_THREAD=1 for tests), the
 * push hashes at once and the waits return: the same results. Nothing is
 * allocated: the queue is static, the thread's stack is the port's.
 */
#ifndef HASHQ_H
#define HASHQ_H

#include <stddef.h>

#include "digest.h"

#define HASHQ_SLOTS 4u

/* Start the worker once (later calls do nothing); 1 if it runs. */
int hashq_start(void);

/* digest_push(d, p, n), now or on the worker; p[0..n) stays unchanged
 * and d untouched by the caller until a wait says the job is done. */
void hashq_push(struct digest *d, const void *p, size_t n);

/* Return when at most `left` queued jobs are not done. */
void hashq_wait(unsigned left);

/* Finish every job, then stop and join the worker. */
void hashq_stop(void);

#endif /* HASHQ_H */
