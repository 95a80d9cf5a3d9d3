/*
 * xattr.c: the packed xattr list (see xattr.h).
 */
#include "xattr.h"

#include <string.h>

int
xattr_next(const uint8_t *buf, size_t len, size_t *pos, const char **name,
    const void **value, size_t *vlen)
{
	const uint8_t *nul;
	size_t p = *pos, at, v;

	if (buf == NULL || p >= len)
		return 0;
	nul = memchr(buf + p, '\0', len - p);
	if (nul == NULL || len - (size_t)(nul - buf) - 1 < 4)
		return 0;
	at = (size_t)(nul - buf) + 1;    /* the value's length */
	v = (size_t)buf[at] | (size_t)buf[at + 1] << 8 |
	    (size_t)buf[at + 2] << 16 | (size_t)buf[at + 3] << 24;
	if (v > len - at - 4)
		return 0;
	*name = (const char *)buf + p;
	*value = buf + at + 4;
	*vlen = v;
	*pos = at + 4 + v;
	return 1;
}
