/*
 * thread.c: the worker thread of port.h, over POSIX threads (musl and
 * glibc have them in libc). Its stack is small: the work is a
 * decompressor (libzstd, ISA-L and zlib keep their state in the layer's
 * struct, not on the stack) and a hash; only the pages touched count.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "port.h"

#define WORKER_STACK (128u * 1024u)

static pthread_t worker;
static void (*worker_fn)(void *);
static void *worker_arg;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond[2] = { PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER };
/* Rung by every wake of its condition, under the lock. */
static atomic_uint bell[2];

/* How long a wait spins before it sleeps. The threads hand buffers back
 * and forth every 100-200 us; a sleep and its wake-up cost tens of us of
 * system calls and scheduling on the critical path (on a virtual machine
 * more), so a wait that will end within WORKER_SPIN_NS does not sleep. */
#define WORKER_SPIN_NS 50000LL

static void *
run(void *unused)
{
	(void)unused;
	worker_fn(worker_arg);
	return NULL;
}

int
port_worker_start(void (*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	sigset_t all, old;
	cpu_set_t cpus;
	int rc;

	/* On one CPU a second thread only adds switches (and its waits would
	 * spin on the CPU the other needs): the caller works alone. */
	if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < 2)
		return -1;
	if (pthread_attr_init(&attr) != 0)
		return -1;
	(void)pthread_attr_setstacksize(&attr, WORKER_STACK);
	/* The new thread inherits this mask: every signal blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	worker_fn = fn;
	worker_arg = arg;
	rc = pthread_create(&worker, &attr, run, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}

void
port_worker_lock(void)
{
	pthread_mutex_lock(&lock);
}

void
port_worker_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

static void
relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
	__asm__ __volatile__("yield");
#endif
}

static long long
ns_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000000000LL +
	    (t.tv_nsec - t0->tv_nsec);
}

/* Spin, unlocked, until the bell rings or the time is up; then, with the
 * lock again, sleep unless it rang: a wake between the two finds the
 * sleeper, as the bell is read and rung under the lock. */
void
port_worker_wait(int c)
{
	unsigned seen = atomic_load_explicit(&bell[c != 0], memory_order_relaxed);
	struct timespec t0;
	unsigned i;

	pthread_mutex_unlock(&lock);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1;; i++) {
		if (atomic_load_explicit(&bell[c != 0], memory_order_relaxed) != seen)
			break;
		if (i % 64 == 0 && ns_since(&t0) > WORKER_SPIN_NS)
			break;
		relax();
	}
	pthread_mutex_lock(&lock);
	if (atomic_load_explicit(&bell[c != 0], memory_order_relaxed) == seen)
		pthread_cond_wait(&cond[c != 0], &lock);
}

void
port_worker_wake(int c)
{
	atomic_fetch_add_explicit(&bell[c != 0], 1, memory_order_relaxed);
	pthread_cond_broadcast(&cond[c != 0]);
}

void
port_worker_join(void)
{
	pthread_join(worker, NULL);
}
