/*
 * sha256.h: SHA-256 (FIPS 180-4) over a caller-owned context. The block
 * function is the CPU's own (x86 SHA extensions, ARMv8 crypto extensions)
 * when port_sha256_blocks() offers it, portable C otherwise; the digest
 * sits on the hot path of every layer byte, twice.
 *
 * sha256_init, sha256_update any number of times, sha256_final.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;            /* bytes so far */
	size_t nbuf;
	unsigned char buf[64];
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[32]);

/* The 64 round constants (FIPS 180-4 4.2.2), also for the CPU versions. */
extern const uint32_t sha256_k[64];

/* The portable block function, exposed for tests against the fast one. */
void sha256_blocks_c(uint32_t h[8], const unsigned char *p, size_t n);

#endif /* SHA256_H */
