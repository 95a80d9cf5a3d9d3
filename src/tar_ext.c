/*
 * tar_ext.c: the records of extension headers (PAX 'x', GNU 'L' and 'K')
 * of tar_ext.h, read into the pending values of the next member.
 */
#include "tar_ext.h"

#include <string.h>

#include "err.h"
#include "lex.h"

/*
 * A PAX record's length: at most 20 digits are read, and a value above
 * (SIZE_MAX - 9) / 10 * 10 + 9 is "length too large" (as the reader has
 * always said; any length past the header is refused anyway).
 */
#define PAX_LEN_MAX ((SIZE_MAX - 9) / 10 * 10 + 9)

/* A record value of decimal digits only (leading zeros allowed), at most
 * max: 0 or -1. */
static int
pax_uint(const uint8_t *p, size_t n, uint64_t max, uint64_t *out)
{
	return lex_dec_all((const char *)p, n, max, 0, out) == LEX_DEC_OK ?
	    0 : -1;
}

/* "[-]SECONDS[.FRACTION]" into seconds and non-negative nanoseconds. */
static int
pax_time(const uint8_t *p, size_t n, int64_t *sec, uint32_t *nsec)
{
	size_t i = 0, dot;
	int neg = 0;
	uint64_t s;
	uint32_t ns = 0, scale = 100000000u;

	if (n > 0 && p[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (dot = i; dot < n && p[dot] != '.'; dot++)
		;
	if (pax_uint(p + i, dot - i, (uint64_t)INT64_MAX, &s) != 0)
		return -1;
	if (dot < n) {
		for (i = dot + 1; i < n; i++) {
			if (!lex_is_digit(p[i]))
				return -1;
			ns += (uint32_t)(p[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (!neg) {
		*sec = (int64_t)s;
		*nsec = ns;
	} else if (ns == 0) {
		*sec = -(int64_t)s;
		*nsec = 0;
	} else {
		if (s == (uint64_t)INT64_MAX)
			return -1;
		*sec = -(int64_t)s - 1;
		*nsec = 1000000000u - ns;
	}
	return 0;
}

/* Drop the xattr named name (nlen bytes) from the entry, if present. */
static void
xattr_drop(struct tar_entry *e, const uint8_t *name, size_t nlen)
{
	size_t pos = 0;

	while (pos < e->xattr_len) {
		size_t l = strlen((const char *)e->xattr_buf + pos);
		const uint8_t *q = e->xattr_buf + pos + l + 1;
		size_t vlen = (size_t)q[0] | (size_t)q[1] << 8 |
		    (size_t)q[2] << 16 | (size_t)q[3] << 24;
		size_t rec = l + 1 + 4 + vlen;

		if (l == nlen && memcmp(e->xattr_buf + pos, name, nlen) == 0) {
			memmove(e->xattr_buf + pos, e->xattr_buf + pos + rec,
			    e->xattr_len - pos - rec);
			e->xattr_len -= rec;
			e->nxattrs--;
			return;
		}
		pos += rec;
	}
}

static int
xattr_add(struct tar *t, const uint8_t *name, size_t nlen,
    const uint8_t *val, size_t vlen)
{
	struct tar_entry *e = &t->entry;
	uint8_t *q;

	xattr_drop(e, name, nlen);
	if (nlen + 1 + 4 + vlen > BOARD_XATTR_MAX - e->xattr_len)
		return err_set(ERR_NOMEM, "PAX header at offset %llu: "
		    "xattrs over the cap of %u bytes (BOARD_XATTR_MAX)",
		    (ull)t->hdr_off, BOARD_XATTR_MAX);
	q = e->xattr_buf + e->xattr_len;
	memcpy(q, name, nlen);
	q[nlen] = 0;
	q += nlen + 1;
	q[0] = (uint8_t)vlen;
	q[1] = (uint8_t)(vlen >> 8);
	q[2] = (uint8_t)(vlen >> 16);
	q[3] = (uint8_t)(vlen >> 24);
	memcpy(q + 4, val, vlen);
	e->xattr_len += nlen + 1 + 4 + vlen;
	e->nxattrs++;
	return 0;
}

/* path or linkpath value into dst; which: 1 path, 2 linkpath. */
static int
pax_path(struct tar *t, const char *key, const uint8_t *v, size_t n,
    char *dst, int *have)
{
	if (*have == 2)
		return 0;   /* a GNU long name wins */
	if (memchr(v, 0, n) != NULL)
		return err_set(ERR_FORMAT, "PAX header at offset %llu: "
		    "%s value contains a NUL byte", (ull)t->hdr_off, key);
	if (n > BOARD_PATH_MAX - 1)
		return err_set(ERR_NOMEM, "PAX header at offset %llu: "
		    "%s of %zu bytes over the cap of %u (BOARD_PATH_MAX %u)",
		    (ull)t->hdr_off, key, n, BOARD_PATH_MAX - 1,
		    BOARD_PATH_MAX);
	if (n == 0) {
		*have = 0;
		dst[0] = '\0';
		return 0;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
	*have = 1;
	return 0;
}

static int
key_is(const uint8_t *k, size_t klen, const char *s)
{
	size_t n = strlen(s);

	return klen == n && memcmp(k, s, n) == 0;
}

static int
key_starts(const uint8_t *k, size_t klen, const char *s)
{
	size_t n = strlen(s);

	return klen >= n && memcmp(k, s, n) == 0;
}

static int
pax_bad(struct tar *t, size_t pos, const char *what)
{
	return err_set(ERR_FORMAT, "PAX header at offset %llu: record "
	    "at byte %zu (layer offset %llu): %s", (ull)t->hdr_off, pos,
	    (ull)(t->hdr_off + TAR_BLOCK + pos), what);
}

static int
pax_record(struct tar *t, size_t pos, const uint8_t *k, size_t klen,
    const uint8_t *v, size_t vlen)
{
	uint64_t u;

	if (key_is(k, klen, "path"))
		return pax_path(t, "path", v, vlen, t->entry.path,
		    &t->have_path);
	if (key_is(k, klen, "linkpath"))
		return pax_path(t, "linkpath", v, vlen, t->entry.link,
		    &t->have_link);
	if (key_is(k, klen, "size")) {
		t->have_size = 0;
		if (vlen == 0)
			return 0;
		if (pax_uint(v, vlen, TAR_SIZE_LIMIT, &u) != 0)
			return pax_bad(t, pos, "size is not a decimal number "
			    "from 0 to 2^62");
		t->pax_size = u;
		t->have_size = 1;
		return 0;
	}
	if (key_is(k, klen, "uid") || key_is(k, klen, "gid")) {
		int *have = k[0] == 'u' ? &t->have_uid : &t->have_gid;

		*have = 0;
		if (vlen == 0)
			return 0;
		if (pax_uint(v, vlen, UINT32_MAX, &u) != 0)
			return pax_bad(t, pos, k[0] == 'u' ?
			    "uid is not a decimal number below 2^32" :
			    "gid is not a decimal number below 2^32");
		if (k[0] == 'u')
			t->pax_uid = (uint32_t)u;
		else
			t->pax_gid = (uint32_t)u;
		*have = 1;
		return 0;
	}
	if (key_is(k, klen, "mtime")) {
		t->have_mtime = 0;
		if (vlen == 0)
			return 0;
		if (pax_time(v, vlen, &t->pax_mtime_s, &t->pax_mtime_ns) != 0)
			return pax_bad(t, pos, "mtime is not [-]SECONDS[.FRACTION]");
		t->have_mtime = 1;
		return 0;
	}
	if (key_starts(k, klen, "SCHILY.xattr.")) {
		size_t pl = sizeof "SCHILY.xattr." - 1;

		if (klen == pl)
			return pax_bad(t, pos, "empty xattr name");
		return xattr_add(t, k + pl, klen - pl, v, vlen);
	}
	if (key_starts(k, klen, "GNU.sparse."))
		t->sparse = 1;
	return 0;
}

int
tar_ext_pax(struct tar *t)
{
	const uint8_t *p = t->ext;
	size_t n = t->ext_len, pos = 0;

	/* As Go's archive/tar (and so containerd and docker) read it, an 'x'
	 * header replaces the records of an earlier one for the same member:
	 * a layer must not name one file for them and another for us. */
	if (t->have_path == 1) {
		t->have_path = 0;
		t->entry.path[0] = '\0';
	}
	if (t->have_link == 1) {
		t->have_link = 0;
		t->entry.link[0] = '\0';
	}
	t->have_size = t->have_uid = t->have_gid = t->have_mtime = 0;
	t->sparse = 0;
	t->entry.nxattrs = 0;
	t->entry.xattr_len = 0;

	while (pos < n) {
		size_t digits = 0, rlen, eq;
		uint64_t len = 0;
		enum lex_dec_result dr;
		const uint8_t *r;
		int rc;

		dr = lex_dec((const char *)p + pos, n - pos < 20 ? n - pos : 20,
		    PAX_LEN_MAX, 0, &len, &digits);
		if (dr == LEX_DEC_OVER)
			return pax_bad(t, pos, "length too large");
		if (dr != LEX_DEC_OK || pos + digits >= n || p[pos + digits] != ' ')
			return pax_bad(t, pos, "expected decimal length and "
			    "a space");
		rlen = (size_t)len;
		if (rlen > n - pos)
			return pax_bad(t, pos, "length runs past the header");
		if (rlen < digits + 4)
			return pax_bad(t, pos, "length too small for "
			    "\"key=value\\n\"");
		r = p + pos;
		if (r[rlen - 1] != '\n')
			return pax_bad(t, pos, "record does not end with a "
			    "newline where its length says");
		for (eq = digits + 1; eq < rlen - 1 && r[eq] != '='; eq++)
			;
		if (eq == rlen - 1)
			return pax_bad(t, pos, "missing '=' in record");
		if (eq == digits + 1)
			return pax_bad(t, pos, "empty key");
		if (memchr(r + digits + 1, 0, eq - digits - 1) != NULL)
			return pax_bad(t, pos, "key contains a NUL byte");
		rc = pax_record(t, pos, r + digits + 1, eq - digits - 1,
		    r + eq + 1, rlen - 1 - eq - 1);
		if (rc != 0)
			return rc;
		pos += rlen;
	}
	return 0;
}

int
tar_ext_gnu_long(struct tar *t)
{
	size_t n = lex_field(t->ext, t->ext_len).n;
	int link = t->ext_type == 'K';
	char *dst = link ? t->entry.link : t->entry.path;

	if (n == 0) {
		/* An empty record names nothing: the header's field counts. */
		if (link)
			t->have_link = 0;
		else
			t->have_path = 0;
		return 0;
	}
	if (n > BOARD_PATH_MAX - 1)
		return err_set(ERR_NOMEM, "GNU long %s at offset %llu: "
		    "%zu bytes, over the cap of %u (BOARD_PATH_MAX %u)",
		    link ? "link name" : "name", (ull)t->hdr_off, n,
		    BOARD_PATH_MAX - 1, BOARD_PATH_MAX);
	memcpy(dst, t->ext, n);
	dst[n] = '\0';
	if (link)
		t->have_link = 2;
	else
		t->have_path = 2;
	return 0;
}
