/*
 * fuzz.h: shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c).
 * FUZZ_CHECK aborts with a message when an invariant of a module's
 * contract does not hold, so libFuzzer records the input as a crash.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* Nonzero when buf[0..cap) holds a NUL. */
static inline int
fuzz_terminated(const char *buf, size_t cap)
{
	return memchr(buf, 0, cap) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FUZZ_H */
