/* test_heap.c: the arena allocator behind malloc: alignment, exhaustion,
 * merging, realloc, and a long random run checked block by block. */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "linux/heap.h"

static _Alignas(16) unsigned char region[64 * 1024];

static void
test_alloc_align_free_merge(void)
{
	struct heap_stats s;
	void *a, *b, *c;

	heap_init(region, sizeof region);
	a = heap_alloc(1);
	b = heap_alloc(1000);
	c = heap_alloc(24);
	CHECK(a != NULL && b != NULL && c != NULL);
	CHECK(((uintptr_t)a & 15) == 0 && ((uintptr_t)b & 15) == 0);
	CHECK(heap_usable(b) >= 1000);
	memset(b, 0xab, 1000);
	CHECK_EQ(heap_check(), 0);
	heap_free(b);
	heap_free(a);
	heap_free(c);
	CHECK_EQ(heap_check(), 0);
	heap_get_stats(&s);
	CHECK_EQ(s.used, 0);
	CHECK_EQ(s.allocs, 3);
	/* Everything merged back: the whole arena is one block again. */
	a = heap_alloc(sizeof region - 64);
	CHECK(a != NULL);
	heap_free(a);
	CHECK_EQ(heap_check(), 0);
}

static void
test_exhaustion_is_counted_not_fatal(void)
{
	struct heap_stats s;
	void *p[100];
	int n = 0;

	heap_init(region, sizeof region);
	while (n < 100 && (p[n] = heap_alloc(4000)) != NULL)
		n++;
	CHECK(n > 10 && n < 100);
	CHECK(heap_alloc(4000) == NULL);
	CHECK(heap_alloc(SIZE_MAX - 8) == NULL);
	heap_get_stats(&s);
	CHECK_EQ(s.failures, 3);
	CHECK(s.peak <= sizeof region);
	while (n > 0)
		heap_free(p[--n]);
	CHECK_EQ(heap_check(), 0);
}

static void
test_aligned_and_realloc(void)
{
	unsigned char *p, *q;
	void *a;
	int i;

	heap_init(region, sizeof region);
	p = heap_alloc(10);
	a = heap_alloc_aligned(4096, 100);
	CHECK(a != NULL && ((uintptr_t)a & 4095) == 0);
	CHECK_EQ(heap_check(), 0);
	for (i = 0; i < 10; i++)
		p[i] = (unsigned char)i;
	q = heap_realloc(p, 5000);
	CHECK(q != NULL);
	for (i = 0; i < 10; i++)
		CHECK_EQ(q[i], i);
	CHECK(heap_realloc(q, 3) == q);
	heap_free(q);
	heap_free(a);
	CHECK_EQ(heap_check(), 0);
	CHECK(heap_alloc_aligned(3, 10) == NULL);
}

static void
test_random_run(void)
{
	void *slot[64] = { 0 };
	size_t len[64] = { 0 };
	unsigned x = 1;
	int i, k, bad = 0;

	heap_init(region, sizeof region);
	for (i = 0; i < 20000; i++) {
		x = x * 1103515245u + 12345u;
		k = (int)((x >> 8) % 64);
		if (slot[k] != NULL) {
			/* The block still holds what was written into it. */
			unsigned char *b = slot[k];
			size_t j;
			for (j = 0; j < len[k]; j++)
				if (b[j] != (unsigned char)k)
					bad++;
			heap_free(slot[k]);
			slot[k] = NULL;
		} else {
			len[k] = (x >> 16) % 3000;
			slot[k] = (x & 1) ? heap_alloc(len[k]) :
			    heap_alloc_aligned(64, len[k]);
			if (slot[k] != NULL)
				memset(slot[k], k, len[k]);
		}
		if (i % 500 == 0)
			CHECK_EQ(heap_check(), 0);
	}
	CHECK_EQ(bad, 0);
	for (k = 0; k < 64; k++)
		heap_free(slot[k]);
	CHECK_EQ(heap_check(), 0);
}

int
main(void)
{
	UNIT_RUN(test_alloc_align_free_merge);
	UNIT_RUN(test_exhaustion_is_counted_not_fatal);
	UNIT_RUN(test_aligned_and_realloc);
	UNIT_RUN(test_random_run);
	return UNIT_END();
}
