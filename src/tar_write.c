/*
 * tar_write.c: ustar and PAX headers (tar_write.h).
 */
#include "tar_write.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

/* Largest size an 11-digit octal field holds: 8 GiB - 1. */
#define OCTAL11_MAX 077777777777ull

/* v in octal, zero-padded, into field[0..w-1), NUL last. */
static void
octal(uint8_t *field, size_t w, uint64_t v)
{
	size_t i = w - 1;

	field[i] = '\0';
	while (i-- > 0) {
		field[i] = (uint8_t)('0' + (v & 7u));
		v >>= 3;
	}
}

/* One ustar header block for name (at most 100 bytes) into b. */
static void
ustar(uint8_t *b, const char *name, size_t n, int type, uint32_t mode,
    uint64_t size)
{
	unsigned sum = 0;
	size_t i;

	memset(b, 0, TARW_BLOCK);
	memcpy(b, name, n);
	octal(b + 100, 8, mode & 07777u);
	octal(b + 108, 8, 0);
	octal(b + 116, 8, 0);
	octal(b + 124, 12, size > OCTAL11_MAX ? 0 : size);
	octal(b + 136, 12, (uint64_t)TARW_MTIME);
	b[156] = (uint8_t)type;
	memcpy(b + 257, "ustar", 6);
	memcpy(b + 263, "00", 2);
	memset(b + 148, ' ', 8);
	for (i = 0; i < TARW_BLOCK; i++)
		sum += b[i];
	octal(b + 148, 7, sum);     /* six digits, NUL, then the space */
	b[155] = ' ';
}

/* One PAX record "LEN key=value\n" at out; its length (LEN counts
 * itself). */
static size_t
pax_record(char *out, size_t cap, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1, d;

	/* LEN's digits are part of LEN. */
	for (;;) {
		char digits[24];
		d = (size_t)snprintf(digits, sizeof digits, "%zu", len);
		if (body + d == len)
			break;
		len = body + d;
	}
	snprintf(out, cap, "%zu %s=%s\n", len, key, value);
	return len;
}

long
tarw_header(uint8_t *out, size_t cap, const char *name, int type,
    uint32_t mode, uint64_t size)
{
	size_t n = strlen(name), plen = 0;
	char pax[TARW_BLOCK], num[24];
	int big = size > OCTAL11_MAX;

	if (n == 0 || n > TARW_NAME_MAX || cap < TARW_HDR_MAX)
		return err_set(ERR_USAGE, "tar member name \"%.40s\" is empty or "
		    "longer than %u bytes", name, TARW_NAME_MAX);
	if (n <= 100 && !big) {
		ustar(out, name, n, type, mode, size);
		return TARW_BLOCK;
	}
	if (n > 100)
		plen += pax_record(pax, sizeof pax, "path", name);
	if (big) {
		snprintf(num, sizeof num, "%llu", (unsigned long long)size);
		plen += pax_record(pax + plen, sizeof pax - plen, "size", num);
	}
	/* The 'x' header's own name: what GNU tar writes, cut to fit. */
	ustar(out, "PaxHeaders/ocipull", 18, 'x', 0644, plen);
	memset(out + TARW_BLOCK, 0, TARW_BLOCK);
	memcpy(out + TARW_BLOCK, pax, plen);
	ustar(out + 2 * TARW_BLOCK, name, n > 100 ? 100 : n, type, mode, size);
	return 3 * TARW_BLOCK;
}

size_t
tarw_pad(uint64_t size)
{
	return (size_t)((TARW_BLOCK - size % TARW_BLOCK) % TARW_BLOCK);
}
