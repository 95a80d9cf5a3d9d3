/* test_relay.c: the layer pipeline's two threads (relay.h), driven as
 * layer.c drives them: chunks from a small ring, reused once handed back;
 * a work handler that writes two output buffers in turn, each rewritten as
 * soon as relay_settle(1) allows; results checked byte for byte when taken
 * and folded into a digest. A buffer reused too early shows as bytes that
 * differ. Worker and one thread must agree, and the folds must go to the
 * thread that would otherwise wait. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
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

static void
test_worker_and_one_thread_agree(void)
{
	unsigned char x[WHOLE];
	char want[DIGEST_STR_LEN + 1], got[DIGEST_STR_LEN + 1];
	size_t i;

	fill(whole, sizeof whole, 7);
	for (i = 0; i < WHOLE; i++)
		x[i] = whole[i] ^ 0x5a;
	digest_buf(x, sizeof x, want);

	unsetenv("OCIPULL_ONE_THREAD");
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

	/* Without the worker: everything at once, the same results. */
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
	UNIT_RUN(test_worker_and_one_thread_agree);
	return UNIT_END();
}
