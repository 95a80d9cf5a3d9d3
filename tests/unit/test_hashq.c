/* test_hashq.c: the diff_id's hashing on the worker thread (hashq.h), as
 * the layer pipeline uses it: two buffers in turn, each rewritten as soon
 * as hashq_wait(1) allows; the digests must equal the one-thread ones. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "unit.h"
#include "digest.h"
#include "hashq.h"

#define PIECE 4096u
#define PIECES 600u

static unsigned char buf[2][PIECE];
static unsigned char whole[PIECE * PIECES];
static unsigned char many[3 * HASHQ_SLOTS][100];

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

/* The pipeline's pattern: write buffer k, queue it, wait(1), switch. */
static void
ping_pong(char *got)
{
	struct digest d;
	unsigned i, k = 0;

	digest_init(&d);
	for (i = 0; i < PIECES; i++) {
		hashq_wait(1);     /* buf[k]'s last job is done: rewrite it */
		memcpy(buf[k], whole + (size_t)i * PIECE, PIECE);
		hashq_push(&d, buf[k], PIECE);
		k ^= 1u;
	}
	hashq_wait(0);
	digest_final(&d, got);
}

/* More jobs than slots, no waits in between: pushes block, order holds. */
static void
queue_full(char *got)
{
	struct digest d;
	unsigned i;

	digest_init(&d);
	for (i = 0; i < sizeof many / sizeof many[0]; i++)
		hashq_push(&d, many[i], sizeof many[i]);
	hashq_wait(0);
	digest_final(&d, got);
}

static void
test_worker_and_inline_agree(void)
{
	char want[DIGEST_STR_LEN + 1], want2[DIGEST_STR_LEN + 1];
	char got[DIGEST_STR_LEN + 1];

	fill(whole, sizeof whole, 7);
	fill(&many[0][0], sizeof many, 11);
	digest_buf(whole, sizeof whole, want);
	digest_buf(many, sizeof many, want2);

	unsetenv("OCIPULL_NO_HASH_THREAD");
	CHECK_EQ(hashq_start(), 1);
	CHECK_EQ(hashq_start(), 1);        /* once */
	ping_pong(got);
	CHECK(strcmp(got, want) == 0);
	queue_full(got);
	CHECK(strcmp(got, want2) == 0);
	hashq_stop();
	hashq_stop();                      /* a second stop does nothing */

	/* Restarted after a stop, as each pull does. */
	CHECK_EQ(hashq_start(), 1);
	ping_pong(got);
	CHECK(strcmp(got, want) == 0);
	hashq_stop();

	/* Without the worker: hashed at once, the same digests. */
	setenv("OCIPULL_NO_HASH_THREAD", "1", 1);
	CHECK_EQ(hashq_start(), 0);
	ping_pong(got);
	CHECK(strcmp(got, want) == 0);
	queue_full(got);
	CHECK(strcmp(got, want2) == 0);
	hashq_stop();
	unsetenv("OCIPULL_NO_HASH_THREAD");
}

int
main(void)
{
	UNIT_RUN(test_worker_and_inline_agree);
	return UNIT_END();
}
