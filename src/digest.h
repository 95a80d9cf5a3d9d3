/*
 * digest.h: the sha256 stage and digest strings.
 *
 * A struct digest is caller-owned: digest_init, then digest_push any
 * number of times, then digest_final writes "sha256:<64 lowercase hex>".
 * It also counts the bytes it saw, for size checks against descriptors.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define DIGEST_STR_LEN 71u   /* "sha256:" + 64 hex */

struct digest {
	struct sha256 ctx;
	uint64_t count;
};

void digest_init(struct digest *d);
void digest_push(struct digest *d, const void *p, size_t n);

/* Write "sha256:..." and a NUL into out (at least DIGEST_STR_LEN + 1). */
void digest_final(struct digest *d, char *out);

/* Digest of one buffer. */
void digest_buf(const void *p, size_t n, char *out);

/*
 * Compare a computed digest with the expected one. Returns ERR_OK, or
 * ERR_VERIFY with "WHAT: digest mismatch: expected E, got G".
 */
int digest_check(const char *what, const char *expected, const char *got);

#endif /* DIGEST_H */
