/*
 * memstats.c: port_heap_stats over heap.c. In the static binaries malloc.c
 * serves malloc from the heap; in the sanitizer builds of the unit tests
 * it does not, and the figures stay zero.
 */
#include <stdlib.h>

#include "heap.h"
#include "port.h"

void
port_heap_stats(struct port_heap_stats *s)
{
	struct heap_stats h;

	heap_get_stats(&h);
	if (h.size == 0) {
		/* The arena is set up by the first malloc: make sure it ran. */
		free(malloc(1));
		heap_get_stats(&h);
	}
	s->size = h.size;
	s->used = h.used;
	s->peak = h.peak;
	s->allocs = h.allocs;
	s->failures = h.failures;
}
