/*
 * sha256_cpu.c: SHA-256 block function on the CPU's own instructions, when
 * it has them: the SHA extensions on x86-64 (checked with cpuid), the
 * ARMv8 crypto extensions on AArch64 (checked with the kernel's hwcaps).
 * Anything else returns -1 and src/sha256.c uses portable C.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>

#include "port.h"
#include "sha256.h"

#define K sha256_k


/* -1 unknown, 0 absent, 1 present; OCIPULL_NO_SHA_CPU=1 forces 0 (tests). */
static int have = -1;

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static int
detect(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) ||
	    !(c & bit_SSSE3))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & (1u << 29)) != 0;      /* SHA */
}

__attribute__((target("sha,sse4.1,ssse3")))
static void
blocks_cpu(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i abef, cdgh, t, w[4];

	/* h[] is a b c d e f g h; the instructions want ABEF and CDGH. */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&h[0]), 0xB1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&h[4]), 0x1B);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);

	for (; n > 0; n--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh, m;
		int i;

#pragma GCC unroll 16
		for (i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(const void *)(p + 16 * i)), bswap);
			} else {
				/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] */
				m = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
				m = _mm_add_epi32(m, _mm_alignr_epi8(w[(i + 3) & 3],
				    w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(m, w[(i + 3) & 3]);
			}
			m = _mm_add_epi32(w[i & 3], _mm_loadu_si128(
			    (const __m128i *)(const void *)&K[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			abef = _mm_sha256rnds2_epu32(abef, cdgh,
			    _mm_shuffle_epi32(m, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1B);
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((__m128i *)(void *)&h[0], _mm_blend_epi16(t, cdgh, 0xF0));
	_mm_storeu_si128((__m128i *)(void *)&h[4], _mm_alignr_epi8(cdgh, t, 8));
}

#elif defined(__aarch64__)
#include <sys/auxv.h>
#include <asm/hwcap.h>

#pragma GCC push_options
#pragma GCC target("arch=armv8-a+crypto")
#include <arm_neon.h>

static int
detect(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0;
}

static void
blocks_cpu(uint32_t h[8], const unsigned char *p, size_t n)
{
	uint32x4_t abcd = vld1q_u32(&h[0]), efgh = vld1q_u32(&h[4]);

	for (; n > 0; n--, p += 64) {
		uint32x4_t abcd0 = abcd, efgh0 = efgh, w[4], wk, prev;
		int i;

#pragma GCC unroll 16
		for (i = 0; i < 16; i++) {
			if (i < 4)
				w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
			else
				w[i & 3] = vsha256su1q_u32(vsha256su0q_u32(w[i & 3],
				    w[(i + 1) & 3]), w[(i + 2) & 3], w[(i + 3) & 3]);
			wk = vaddq_u32(w[i & 3], vld1q_u32(&K[4 * i]));
			prev = abcd;
			abcd = vsha256hq_u32(abcd, efgh, wk);
			efgh = vsha256h2q_u32(efgh, prev, wk);
		}
		abcd = vaddq_u32(abcd, abcd0);
		efgh = vaddq_u32(efgh, efgh0);
	}
	vst1q_u32(&h[0], abcd);
	vst1q_u32(&h[4], efgh);
}
#pragma GCC pop_options

#else
static int
detect(void)
{
	return 0;
}

static void
blocks_cpu(uint32_t h[8], const unsigned char *p, size_t n)
{
	(void)h;
	(void)p;
	(void)n;
}
#endif

int
port_sha256_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
	if (have < 0) {
		const char *off = port_env("OCIPULL_NO_SHA_CPU");
		have = (off != NULL && off[0] == '1') ? 0 : detect();
	}
	if (!have)
		return -1;
	blocks_cpu(h, p, n);
	return 0;
}
