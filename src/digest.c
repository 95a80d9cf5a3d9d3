/*
 * digest.c: the sha256 stage (src/sha256.c), hex formatting, comparison.
 */
#include "digest.h"

#include <string.h>

#include "err.h"

void
digest_init(struct digest *d)
{
	sha256_init(&d->ctx);
	d->count = 0;
}

void
digest_push(struct digest *d, const void *p, size_t n)
{
	sha256_update(&d->ctx, p, n);
	d->count += n;
}

void
digest_final(struct digest *d, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[32];
	size_t i;

	sha256_final(&d->ctx, h);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < sizeof h; i++) {
		out[7 + 2 * i] = hex[h[i] >> 4];
		out[8 + 2 * i] = hex[h[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
}

void
digest_buf(const void *p, size_t n, char *out)
{
	struct digest d;

	digest_init(&d);
	digest_push(&d, p, n);
	digest_final(&d, out);
}

int
digest_check(const char *what, const char *expected, const char *got)
{
	if (strcmp(expected, got) == 0)
		return ERR_OK;
	return err_set(ERR_VERIFY, "%s: digest mismatch: expected %s, got %s",
	    what, expected, got);
}
