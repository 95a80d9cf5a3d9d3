/*
 * malloc.c: the C library's allocation functions, served from one static
 * arena of BOARD_HEAP_SIZE bytes (heap.c). In the static binary these
 * definitions replace glibc's malloc, so mbedTLS and libc allocate from
 * the board's fixed budget and ocipull can report their high-water mark.
 * Not linked into the sanitizer builds of the unit tests (ASan brings its
 * own allocator).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "heap.h"
#include "port.h"

static _Alignas(HEAP_ALIGN) unsigned char region[BOARD_HEAP_SIZE];
static int ready;

static void
init(void)
{
	if (!ready) {
		heap_init(region, sizeof region);
		ready = 1;
	}
}

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void *memalign(size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);
size_t malloc_usable_size(void *p);

void *
malloc(size_t n)
{
	void *p;

	init();
	p = heap_alloc(n);
	if (p == NULL)
		errno = ENOMEM;
	return p;
}

void
free(void *p)
{
	heap_free(p);
}

void *
calloc(size_t n, size_t m)
{
	void *p;

	if (m != 0 && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(n * m);
	if (p != NULL)
		memset(p, 0, n * m);
	return p;
}

void *
realloc(void *p, size_t n)
{
	void *q;

	init();
	q = heap_realloc(p, n);
	if (q == NULL && n != 0)
		errno = ENOMEM;
	return q;
}

void *
memalign(size_t align, size_t n)
{
	void *p;

	init();
	p = heap_alloc_aligned(align, n);
	if (p == NULL)
		errno = ENOMEM;
	return p;
}

void *
aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	p = memalign(align, n);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *
valloc(size_t n)
{
	return memalign(4096, n);
}

void *
pvalloc(size_t n)
{
	return memalign(4096, (n + 4095) & ~(size_t)4095);
}

size_t
malloc_usable_size(void *p)
{
	return p != NULL ? heap_usable(p) : 0;
}
