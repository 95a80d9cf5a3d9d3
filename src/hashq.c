/*
 * hashq.c: the queue of hashing jobs and its worker (hashq.h).
 */
#include "hashq.h"

#include <stdint.h>

#include "config.h"
#include "port.h"

enum { POSTED = 0, DONE = 1 };     /* the two conditions */

struct job {
	struct digest *d;
	const void *p;
	size_t n;
};

/* posted and done count jobs since the start; posted - done of them are
 * queued or running. Under the port's worker lock, except running. */
static struct {
	struct job ring[HASHQ_SLOTS];
	uint64_t posted, done;
	int running, quit;
} q;

/* The worker only hashes: it must never allocate (port/linux/heap.c, the
 * C library's malloc, has no lock) nor touch anything but its job. */
static void
worker(void *unused)
{
	(void)unused;
	port_worker_lock();
	for (;;) {
		struct job j;

		while (q.done == q.posted && !q.quit)
			port_worker_wait(POSTED);
		if (q.done == q.posted)
			break;     /* quit, nothing left */
		j = q.ring[q.done % HASHQ_SLOTS];
		port_worker_unlock();
		digest_push(j.d, j.p, j.n);
		port_worker_lock();
		q.done++;
		port_worker_wake(DONE);
	}
	port_worker_unlock();
}

int
hashq_start(void)
{
	const char *off = port_env("OCIPULL_NO_HASH_THREAD");
	unsigned char block[64] = { 0 };
	char sink[DIGEST_STR_LEN + 1];

	if (q.running || !BOARD_HASH_THREAD || (off != NULL && off[0] == '1'))
		return q.running;
	/* One block hashed here first: the port's check for the CPU's SHA
	 * instructions (a static it sets once) is made on this thread. */
	digest_buf(block, sizeof block, sink);
	q.posted = q.done = 0;
	q.quit = 0;
	q.running = port_worker_start(worker, NULL) == 0;
	return q.running;
}

void
hashq_push(struct digest *d, const void *p, size_t n)
{
	if (!q.running) {
		digest_push(d, p, n);
		return;
	}
	port_worker_lock();
	while (q.posted - q.done >= HASHQ_SLOTS)
		port_worker_wait(DONE);
	q.ring[q.posted % HASHQ_SLOTS] = (struct job){ d, p, n };
	q.posted++;
	port_worker_wake(POSTED);
	port_worker_unlock();
}

void
hashq_wait(unsigned left)
{
	if (!q.running)
		return;
	port_worker_lock();
	while (q.posted - q.done > left)
		port_worker_wait(DONE);
	port_worker_unlock();
}

void
hashq_stop(void)
{
	if (!q.running)
		return;
	port_worker_lock();
	q.quit = 1;
	port_worker_wake(POSTED);
	port_worker_unlock();
	port_worker_join();
	q.running = 0;
}
