/*
 * relay.h: the layer pipeline over two cores. The main thread receives a
 * blob and posts it by chunks; a worker thread runs the work handler on
 * each chunk, in order (the decompressor), and the handler emits what it
 * produced; the main thread runs the take handler on each result, in
 * order (the tar reader and the writer). The fold handler (the diff_id's
 * SHA-256) runs on each result with bytes, in order too, on whichever
 * thread would otherwise wait: the worker when the writer is the slower,
 * the main thread when the decompressor is.
 *
 *     main thread                         worker
 *     relay_bind(&ops);
 *     relay_post(&chunk);   -- work -->   ops.work(ctx, &chunk):
 *                                             relay_settle(1);
 *                                             ...an engine step...
 *     relay_take(0 or 1);  <- results -       relay_emit(&out);
 *         ops.take(ctx, &out)
 *     relay_drain();        every chunk worked, every result taken and
 *                           folded
 *
 * Flow: at most RELAY_SLOTS chunks wait or run, and at most RELAY_SLOTS
 * results are not yet both taken and folded. Every wait of either thread
 * first folds, if a result is there to fold, and relay_post and
 * relay_drain take results while they wait, so neither thread waits on
 * one that waits on it. relay_settle(left) returns once at most `left`
 * results with bytes (n > 0) are not yet taken and folded: an engine that
 * writes into two output buffers in turn settles to 1 before each step.
 *
 * Without a worker (the port has no threads, BOARD_WORKER_THREAD is 0,
 * the thread could not start, or OCIPULL_ONE_THREAD=1 for tests), a post
 * runs the work handler at once and an emit the take handler and the fold
 * handler: the same calls in the same order, on one thread. Nothing is
 * allocated: the rings are static, the thread's stack is the port's.
 *
 * The work and fold handlers may use only what their message hands them
 * (and err.h, whose message is per thread): never the heap (port/linux's
 * malloc has no lock), the port's I/O or the events.
 */
#ifndef RELAY_H
#define RELAY_H

#include <stddef.h>
#include <stdint.h>

#define RELAY_SLOTS 8u

struct relay_msg {
	const uint8_t *p;          /* unchanged until worked (a chunk) or
	                            * taken (a result) */
	size_t n;
	unsigned tag;              /* the handlers' own */
};

struct relay_ops {
	void (*work)(void *ctx, const struct relay_msg *chunk);
	void (*take)(void *ctx, const struct relay_msg *result);
	void (*fold)(void *ctx, const struct relay_msg *result);
	void *ctx;
};

/* Start the worker once (later calls do nothing); 1 if it runs. */
int relay_start(void);

/* The handlers for what is posted from now on; only while drained. */
void relay_bind(const struct relay_ops *ops);

/* Main thread: queue a chunk (taking results while the queue is full). */
void relay_post(const struct relay_msg *chunk);

/* Main thread: take the results there are; with wait, first wait for one
 * unless nothing posted is left to work or take. */
void relay_take(int wait);

/* Main thread: return when every chunk is worked and every result taken
 * and folded. */
void relay_drain(void);

/* Work handler: hand a result to the main thread. */
void relay_emit(const struct relay_msg *result);

/* Work handler: return once at most `left` results with bytes are not
 * both taken and folded. */
void relay_settle(unsigned left);

/* Drain, then stop and join the worker. */
void relay_stop(void);

#endif /* RELAY_H */
