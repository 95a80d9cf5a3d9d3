/*
 * heap.c: boundary-tag allocator. Every block starts with a header holding
 * the size of the block before it and its own size (low bit: in use); free
 * blocks keep a doubly linked free list in their payload. An end sentinel
 * (size 0, in use) closes the arena.
 */
#include "heap.h"

#include <string.h>

struct blk {
	size_t prev_size;       /* size of the block before, 0 for the first */
	size_t size;            /* this block's size; bit 0: in use */
	/* Free blocks only: */
	struct blk *next, *prev;
};

#define HDR (((2 * sizeof(size_t)) + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1))
#define MIN_BLOCK ((HDR + 2 * sizeof(void *) + HEAP_ALIGN - 1) & \
	~(size_t)(HEAP_ALIGN - 1))
#define USED ((size_t)1)

static unsigned char *base;
static size_t arena;
static struct blk *free_head;
static struct heap_stats st;

static size_t
bsize(const struct blk *b)
{
	return b->size & ~USED;
}

static struct blk *
after(struct blk *b)
{
	return (struct blk *)(void *)((unsigned char *)b + bsize(b));
}

static struct blk *
before(struct blk *b)
{
	return (struct blk *)(void *)((unsigned char *)b - b->prev_size);
}

static void
list_add(struct blk *b)
{
	b->prev = NULL;
	b->next = free_head;
	if (free_head != NULL)
		free_head->prev = b;
	free_head = b;
}

static void
list_del(struct blk *b)
{
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		free_head = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
}

void
heap_init(void *region, size_t size)
{
	struct blk *b, *end;

	base = region;
	arena = size & ~(size_t)(HEAP_ALIGN - 1);
	memset(&st, 0, sizeof st);
	st.size = arena;
	b = (struct blk *)(void *)base;
	b->prev_size = 0;
	b->size = arena - HDR;      /* the sentinel takes the last HDR bytes */
	end = after(b);
	end->prev_size = bsize(b);
	end->size = USED;           /* size 0, in use */
	free_head = NULL;
	list_add(b);
}

/* Cut b to size bytes when the rest makes a block of its own. */
static void
split(struct blk *b, size_t size)
{
	size_t rest = bsize(b) - size;
	struct blk *r, *n;

	if (rest < MIN_BLOCK)
		return;
	b->size = size | (b->size & USED);
	r = after(b);
	r->prev_size = size;
	r->size = rest;
	n = after(r);
	n->prev_size = rest;
	list_add(r);
}

static size_t
need(size_t n)
{
	size_t s;

	if (n > arena)
		return 0;
	s = (n + HDR + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
	return s < MIN_BLOCK ? MIN_BLOCK : s;
}

static void
take(struct blk *b, size_t size)
{
	list_del(b);
	split(b, size);
	b->size |= USED;
	st.used += bsize(b);
	if (st.used > st.peak)
		st.peak = st.used;
	st.allocs++;
}

void *
heap_alloc(size_t n)
{
	size_t size = need(n);
	struct blk *b;

	if (size == 0 || base == NULL) {
		st.failures++;
		return NULL;
	}
	for (b = free_head; b != NULL; b = b->next)
		if (bsize(b) >= size)
			break;
	if (b == NULL) {
		st.failures++;
		return NULL;
	}
	take(b, size);
	return (unsigned char *)b + HDR;
}

void *
heap_alloc_aligned(size_t align, size_t n)
{
	size_t size = need(n);
	struct blk *b;

	if (align == 0 || (align & (align - 1)) != 0) {
		st.failures++;
		return NULL;
	}
	if (align <= HEAP_ALIGN)
		return heap_alloc(n);
	if (size == 0 || base == NULL) {
		st.failures++;
		return NULL;
	}
	for (b = free_head; b != NULL; b = b->next) {
		uintptr_t pay = (uintptr_t)b + HDR, a;
		size_t front;

		a = (pay + align - 1) & ~(uintptr_t)(align - 1);
		/* The part before the aligned block must be a block itself. */
		while (a != pay && a - pay < MIN_BLOCK)
			a += align;
		front = (size_t)(a - pay);
		if (bsize(b) < front + size)
			continue;
		if (front > 0) {
			/* Free block [b, a - HDR) stays free; the rest is ours. */
			struct blk *c = (struct blk *)(void *)(a - HDR), *n2;
			size_t total = bsize(b);

			b->size = front;
			c->prev_size = front;
			c->size = total - front;
			n2 = after(c);
			n2->prev_size = bsize(c);
			list_add(c);
			b = c;
		}
		take(b, size);
		return (unsigned char *)b + HDR;
	}
	st.failures++;
	return NULL;
}

void
heap_free(void *p)
{
	struct blk *b, *n;

	if (p == NULL)
		return;
	b = (struct blk *)(void *)((unsigned char *)p - HDR);
	b->size &= ~USED;
	st.used -= bsize(b);
	st.frees++;
	n = after(b);
	if (!(n->size & USED)) {
		list_del(n);
		b->size += bsize(n);
	}
	if ((unsigned char *)b != base) {
		struct blk *pb = before(b);
		if (!(pb->size & USED)) {
			list_del(pb);
			pb->size += bsize(b);
			b = pb;
		}
	}
	after(b)->prev_size = bsize(b);
	list_add(b);
}

size_t
heap_usable(const void *p)
{
	const struct blk *b = (const struct blk *)(const void *)
	    ((const unsigned char *)p - HDR);

	return bsize(b) - HDR;
}

void *
heap_realloc(void *p, size_t n)
{
	void *q;
	size_t have;

	if (p == NULL)
		return heap_alloc(n);
	if (n == 0) {
		heap_free(p);
		return NULL;
	}
	have = heap_usable(p);
	if (n <= have)
		return p;
	q = heap_alloc(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, have);
	heap_free(p);
	return q;
}

void
heap_get_stats(struct heap_stats *s)
{
	*s = st;
}

int
heap_check(void)
{
	struct blk *b = (struct blk *)(void *)base, *f;
	size_t prev = 0, used = 0, nfree = 0, listed = 0;
	int prev_free = 0;

	for (;;) {
		if (b->prev_size != prev)
			return -1;
		if (bsize(b) == 0)
			break;
		if ((bsize(b) & (HEAP_ALIGN - 1)) != 0)
			return -2;
		if (b->size & USED) {
			used += bsize(b);
			prev_free = 0;
		} else {
			if (prev_free)
				return -3;          /* two free neighbours: not merged */
			nfree++;
			prev_free = 1;
		}
		prev = bsize(b);
		b = after(b);
		if ((unsigned char *)b > base + arena)
			return -4;
	}
	for (f = free_head; f != NULL; f = f->next) {
		if (f->size & USED)
			return -5;
		listed++;
	}
	if (listed != nfree || used != st.used)
		return -6;
	return 0;
}
