/*
 * thread.c: the worker thread of port.h, over POSIX threads (musl and
 * glibc have them in libc). Its stack is small: the work is a hash.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "port.h"

#define WORKER_STACK (64u * 1024u)

static pthread_t worker;
static void (*worker_fn)(void *);
static void *worker_arg;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond[2] = { PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER };

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
	int rc;

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

void
port_worker_wait(int c)
{
	pthread_cond_wait(&cond[c != 0], &lock);
}

void
port_worker_wake(int c)
{
	pthread_cond_broadcast(&cond[c != 0]);
}

void
port_worker_join(void)
{
	pthread_join(worker, NULL);
}
