/* test_relay.c: the layer pipeline's two threads (relay.h), driven as
 * layer.c drives them: chunks from a small ring, reused once handed back;
 * a work handler that writes two output buffers in turn, each rewritten as
 * soon as relay_settle(1) allows; results checked byte for byte when taken
 * and folded into a digest. A buffer reused too early shows as bytes that
 * differ. Worker and one thread must agree, the folds must go to the
 * thread that would otherwise wait, and a process allowed one CPU gets no
 * worker. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "unit.h"
#include "digest.h"
#include "relay.h"

#define WHOLE (256u * 1024u)
#define CHUNK 3000u            /* not a multiple of PIECE */
#define SLOTS 3u
#define PIECE 1024u

enum { TAG_CHUNK, TAG_OUT, TAG_BACK };

static unsigned char whole[WHOLE];
static unsigned char chunk[SLOTS][CHUNK];
static unsigned char out[2][PIECE];

static struct {
	int slow_take, slow_work;
	pthread_t main_thread;
	size_t pos;                /* result bytes taken and checked */
	unsigned posted, back, bad;
	unsigned folds_main, folds_worker;
	struct digest d;
} t;

static void
pause_us(long us)
{
	struct timespec ts = { 0, us * 1000L };

	nanosleep(&ts, NULL);
}

/* The CPUs this process may run on. */
static int
cpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

/* The worker: a chunk through out[0] and out[1] in turn, as an engine. */
static void
work(void *ctx, const struct relay_msg *m)
{
	static const struct relay_msg back = { NULL, 0, TAG_BACK };
	static unsigned k;
	size_t off, i, n;

	(void)ctx;
	for (off = 0; off < m->n; off += n) {
		struct relay_msg o;

		n = m->n - off < PIECE ? m->n - off : PIECE;
		relay_settle(1);
		if (t.slow_work)
			pause_us(200);
		for (i = 0; i < n; i++)
			out[k][i] = m->p[off + i] ^ 0x5a;
		o.p = out[k];
		o.n = n;
		o.tag = TAG_OUT;
		relay_emit(&o);
		k ^= 1u;
	}
	relay_emit(&back);
}

static void
take(void *ctx, const struct relay_msg *m)
{
	size_t i;

	(void)ctx;
	if (!pthread_equal(pthread_self(), t.main_thread))
		t.bad++;
	if (m->tag == TAG_BACK) {
		t.back++;
		return;
	}
	if (t.slow_take)
		pause_us(200);
	for (i = 0; i < m->n && t.pos + i < WHOLE; i++)
		if (m->p[i] != (whole[t.pos + i] ^ 0x5a))
			break;
	if (i != m->n)
		t.bad++;
	t.pos += m->n;
}

/* Either thread; never two at once, as the counts are not atomic. */
static void
fold(void *ctx, const struct relay_msg *m)
{
	(void)ctx;
	if (pthread_equal(pthread_self(), t.main_thread))
		t.folds_main++;
	else
		t.folds_worker++;
	digest_push(&t.d, m->p, m->n);
}

static void
run(int slow_take, int slow_work, char *got)
{
	const struct relay_ops ops = { work, take, fold, NULL };
	size_t off;

	memset(&t, 0, sizeof t);
	t.slow_take = slow_take;
	t.slow_work = slow_work;
	t.main_thread = pthread_self();
	digest_init(&t.d);
	relay_bind(&ops);
	for (off = 0; off < WHOLE; off += CHUNK) {
		struct relay_msg m;
		unsigned char *c = chunk[t.posted % SLOTS];

		while (t.posted - t.back >= SLOTS)
			relay_take(1);
		m.n = WHOLE - off < CHUNK ? WHOLE - off : CHUNK;
		memcpy(c, whole + off, m.n);
		m.p = c;
		m.tag = TAG_CHUNK;
		relay_post(&m);
		t.posted++;
		relay_take(0);
	}
	relay_drain();
	CHECK_EQ(t.bad, 0);
	CHECK_EQ(t.pos, WHOLE);
	CHECK_EQ(t.back, t.posted);
	CHECK_EQ(t.folds_main + t.folds_worker, (WHOLE / CHUNK) *
	    ((CHUNK + PIECE - 1) / PIECE) + (WHOLE % CHUNK + PIECE - 1) / PIECE);
	digest_final(&t.d, got);
}

/* The whole stream through the handlers, and its expected digest. */
static void
expect(char *want)
{
	static unsigned char x[WHOLE];
	size_t i;

	fill(whole, sizeof whole, 7);
	for (i = 0; i < WHOLE; i++)
		x[i] = whole[i] ^ 0x5a;
	digest_buf(x, sizeof x, want);
}

static void
test_worker(void)
{
	char want[DIGEST_STR_LEN + 1], got[DIGEST_STR_LEN + 1];

	expect(want);
	unsetenv("OCIPULL_ONE_THREAD");
	if (cpus() < 2) {
		/* No second CPU: no worker (test_one_cpu), nothing to test. */
		fprintf(stderr, "  test_worker: one CPU: skipped\n");
		return;
	}
	CHECK_EQ(relay_start(), 1);
	CHECK_EQ(relay_start(), 1);        /* once */
	run(0, 0, got);
	CHECK_STR(got, want);
	/* A slow writer: the worker waits for buffers, and folds meanwhile. */
	run(1, 0, got);
	CHECK_STR(got, want);
	CHECK(t.folds_worker > t.folds_main);
	/* A slow decompressor: the main thread waits for results, and folds. */
	run(0, 1, got);
	CHECK_STR(got, want);
	CHECK(t.folds_main > t.folds_worker);
	relay_stop();
	relay_stop();                      /* a second stop does nothing */

	/* Restarted after a stop, as each pull does. */
	CHECK_EQ(relay_start(), 1);
	run(0, 0, got);
	CHECK_STR(got, want);
	relay_stop();
}

/* Allowed one CPU only, the port starts no worker: the same results. */
static void
test_one_cpu(void)
{
	char want[DIGEST_STR_LEN + 1], got[DIGEST_STR_LEN + 1];
	cpu_set_t was, one;
	int cpu = sched_getcpu();
	size_t k = cpu < 0 ? 0u : (size_t)cpu;

	expect(want);
	unsetenv("OCIPULL_ONE_THREAD");
	CHECK_EQ(sched_getaffinity(0, sizeof was, &was), 0);
	CPU_ZERO(&one);
	CPU_SET(k, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof one, &one), 0);
	CHECK_EQ(relay_start(), 0);
	run(1, 0, got);
	CHECK_STR(got, want);
	CHECK_EQ(t.folds_worker, 0);
	relay_stop();
	CHECK_EQ(sched_setaffinity(0, sizeof was, &was), 0);
}

/* OCIPULL_ONE_THREAD=1: everything at once, the same results. */
static void
test_one_thread(void)
{
	char want[DIGEST_STR_LEN + 1], got[DIGEST_STR_LEN + 1];

	expect(want);
	setenv("OCIPULL_ONE_THREAD", "1", 1);
	CHECK_EQ(relay_start(), 0);
	run(1, 0, got);
	CHECK_STR(got, want);
	CHECK_EQ(t.folds_worker, 0);
	relay_stop();
	unsetenv("OCIPULL_ONE_THREAD");
}

int
main(void)
{
	UNIT_RUN(test_worker);
	UNIT_RUN(test_one_cpu);
	UNIT_RUN(test_one_thread);
	return UNIT_END();
}
