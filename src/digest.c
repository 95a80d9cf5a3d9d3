/*
 * digest.c: the sha256 stage (src/sha256.c), hex formatting, comparison.
 */
#include "digest.h"

#include <string.h>

#include "err.h"
#include "lex.h"

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
	unsigned char h[32];

	sha256_final(&d->ctx, h);
	memcpy(out, "sha256:", 7);
	lex_hex_encode(out + 7, h, sizeof h, 0);
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
