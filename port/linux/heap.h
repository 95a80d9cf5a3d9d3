/*
 * heap.h: a first-fit allocator with boundary tags over one fixed region.
 * port/linux/malloc.c puts libc's malloc family on top of it, so that
 * everything the libraries allocate (mbedTLS's records and certificates,
 * the C library's resolver) comes from one arena whose size the board
 * decides (BOARD_HEAP_SIZE), with counts and a high-water mark.
 *
 * Blocks are aligned to HEAP_ALIGN; free neighbours merge at once, so the
 * arena does not fragment under mbedTLS's allocate-then-free pattern.
 * Single-threaded (ocipull has one thread).
 */
#ifndef PORT_LINUX_HEAP_H
#define PORT_LINUX_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN 16u

struct heap_stats {
	size_t size;            /* bytes in the arena */
	size_t used, peak;      /* bytes in allocated blocks (with headers) */
	uint64_t allocs, frees, failures;
};

/* Take region[0..size) as the arena (region aligned to HEAP_ALIGN). */
void heap_init(void *region, size_t size);

/* NULL when nothing fits (failures is counted). */
void *heap_alloc(size_t n);
void *heap_alloc_aligned(size_t align, size_t n);
void heap_free(void *p);
void *heap_realloc(void *p, size_t n);

/* Usable bytes of an allocated block. */
size_t heap_usable(const void *p);

void heap_get_stats(struct heap_stats *s);

/* Walk the arena and check every invariant; 0 when sound (for tests). */
int heap_check(void);

#endif
