/*
 * relay.c: the two queues between the main thread and the worker
 * (relay.h).
 */
#include "relay.h"

#include "config.h"
#include "digest.h"
#include "port.h"

enum { TO_WORKER = 0, TO_MAIN = 1 };   /* the two conditions */

/*
 * Counts since the start: posted - worked chunks wait or run; of the
 * emitted results, the first taken were taken and the first folded
 * folded, and the first done both (done = min(taken, folded)): emitted -
 * done are in the ring, held of those with bytes. Under the port's worker
 * lock.
 */
static struct {
	struct relay_ops ops;
	struct relay_msg work[RELAY_SLOTS], res[RELAY_SLOTS];
	uint64_t posted, worked, emitted, taken, folded, done;
	unsigned held;
	int folding;               /* a thread is folding res[folded] */
	int running, quit;
} r;

/* With the lock held: results both taken and folded leave the ring. */
static void
advance_locked(void)
{
	uint64_t to = r.taken < r.folded ? r.taken : r.folded;

	for (; r.done < to; r.done++)
		if (r.res[r.done % RELAY_SLOTS].n > 0)
			r.held--;
	port_worker_wake(TO_WORKER);
	port_worker_wake(TO_MAIN);
}

/*
 * With the lock held, instead of waiting: fold the oldest result not
 * folded, unless there is none or the other thread is at it. 1 if it did.
 */
static int
fold_locked(void)
{
	struct relay_msg m;

	if (r.folding || r.folded == r.emitted)
		return 0;
	m = r.res[r.folded % RELAY_SLOTS];
	r.folding = 1;
	port_worker_unlock();
	if (m.n > 0)
		r.ops.fold(r.ops.ctx, &m);
	port_worker_lock();
	r.folding = 0;
	r.folded++;
	advance_locked();
	return 1;
}

static void
worker(void *unused)
{
	(void)unused;
	port_worker_lock();
	for (;;) {
		struct relay_msg m;

		while (r.worked == r.posted && !r.quit)
			if (!fold_locked())
				port_worker_wait(TO_WORKER);
		if (r.worked == r.posted)
			break;     /* quit, nothing left */
		m = r.work[r.worked % RELAY_SLOTS];
		port_worker_unlock();
		r.ops.work(r.ops.ctx, &m);
		port_worker_lock();
		r.worked++;
		port_worker_wake(TO_MAIN);
	}
	port_worker_unlock();
}

int
relay_start(void)
{
	const char *off = port_env("OCIPULL_ONE_THREAD");
	unsigned char block[64] = { 0 };
	char sink[DIGEST_STR_LEN + 1];

	if (r.running || !BOARD_WORKER_THREAD || (off != NULL && off[0] == '1'))
		return r.running;
	/* One block hashed here first: the port's check for the CPU's SHA
	 * instructions (a static it sets once) is made on this thread, not
	 * raced by both. */
	digest_buf(block, sizeof block, sink);
	r.posted = r.worked = r.emitted = r.taken = r.folded = r.done = 0;
	r.held = 0;
	r.folding = r.quit = 0;
	r.running = port_worker_start(worker, NULL) == 0;
	return r.running;
}

void
relay_bind(const struct relay_ops *ops)
{
	r.ops = *ops;
}

/* With the lock held: take every waiting result; how many. */
static unsigned
take_locked(void)
{
	unsigned k = 0;

	while (r.taken < r.emitted) {
		struct relay_msg m = r.res[r.taken % RELAY_SLOTS];

		port_worker_unlock();
		r.ops.take(r.ops.ctx, &m);
		port_worker_lock();
		r.taken++;
		advance_locked();
		k++;
	}
	return k;
}

void
relay_post(const struct relay_msg *chunk)
{
	if (!r.running) {
		r.ops.work(r.ops.ctx, chunk);
		return;
	}
	port_worker_lock();
	while (r.posted - r.worked >= RELAY_SLOTS)
		if (take_locked() == 0 && !fold_locked())
			port_worker_wait(TO_MAIN);
	r.work[r.posted % RELAY_SLOTS] = *chunk;
	r.posted++;
	port_worker_wake(TO_WORKER);
	port_worker_unlock();
}

void
relay_take(int wait)
{
	if (!r.running)
		return;
	port_worker_lock();
	/* Every result of a worked chunk was emitted before it counted as
	 * worked: with all worked and none waiting, none is coming. */
	while (wait && r.taken == r.emitted && r.worked != r.posted)
		if (!fold_locked())
			port_worker_wait(TO_MAIN);
	(void)take_locked();
	port_worker_unlock();
}

void
relay_drain(void)
{
	if (!r.running)
		return;
	port_worker_lock();
	for (;;) {
		(void)take_locked();
		if (r.worked == r.posted && r.done == r.emitted)
			break;
		if (!fold_locked())
			port_worker_wait(TO_MAIN);
	}
	port_worker_unlock();
}

void
relay_emit(const struct relay_msg *result)
{
	if (!r.running) {
		r.ops.take(r.ops.ctx, result);
		if (result->n > 0)
			r.ops.fold(r.ops.ctx, result);
		return;
	}
	port_worker_lock();
	while (r.emitted - r.done >= RELAY_SLOTS)
		if (!fold_locked())
			port_worker_wait(TO_WORKER);
	r.res[r.emitted % RELAY_SLOTS] = *result;
	r.emitted++;
	if (result->n > 0)
		r.held++;
	port_worker_wake(TO_MAIN);
	port_worker_unlock();
}

void
relay_settle(unsigned left)
{
	if (!r.running)
		return;
	port_worker_lock();
	while (r.held > left)
		if (!fold_locked())
			port_worker_wait(TO_WORKER);
	port_worker_unlock();
}

void
relay_stop(void)
{
	if (!r.running)
		return;
	relay_drain();
	port_worker_lock();
	r.quit = 1;
	port_worker_wake(TO_WORKER);
	port_worker_unlock();
	port_worker_join();
	r.running = 0;
}
