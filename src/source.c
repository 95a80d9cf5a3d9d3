/*
 * source.c: what every reader of a source does alike (source.h).
 */
#include "source.h"

#include <string.h>

#include "err.h"

int
source_skip_repeat(const struct source *s, const struct digest *sofar,
    const char *what, const uint8_t **p, size_t *n, uint64_t *refetched)
{
	char a[DIGEST_STR_LEN + 1], b[DIGEST_STR_LEN + 1];
	uint64_t have = sofar->count, seen = 0;
	struct digest head = *sofar, again;
	int rc;

	digest_final(&head, a);
	digest_init(&again);
	for (;;) {
		size_t k;

		rc = source_read(s, p, n);
		if (rc != ERR_OK)
			return err_prefix(rc == ERR_END ? ERR_PROTO : rc, "%s: resuming "
			    "from the start", what);
		k = *n < have - seen ? *n : (size_t)(have - seen);
		digest_push(&again, *p, k);
		*refetched += k;
		seen += k;
		*p += k;
		*n -= k;
		if (seen == have)
			break;
	}
	digest_final(&again, b);
	if (strcmp(a, b) != 0)
		return err_set(ERR_VERIFY, "%s: the server sent other bytes "
		    "the second time (first %llu bytes: %s, then %s)", what,
		    (unsigned long long)have, a, b);
	return ERR_OK;
}
