/*
 * tar.c: the streaming tar reader of tar.h.
 *
 * States: S_HDR collects a 512-byte block; S_EXT collects the data of an
 * 'x', 'L' or 'K' extension header into t->ext; S_SKIP drops bytes ('g'
 * and 'V' contents, padding); S_DATA hands out member data as spans of the
 * caller's input (or drops it for 'D'); S_ENTRY_END returns
 * TAR_EV_ENTRY_END and goes on to the padding; S_END eats the rest.
 * The records of extension headers are read in tar_ext.c.
 */
#include "tar.h"

#include <string.h>

#include "err.h"
#include "xattr.h"
#include "lex.h"
#include "tar_ext.h"

enum {
	S_HDR = 0,
	S_EXT,
	S_SKIP,
	S_DATA,
	S_ENTRY_END,
	S_PAD,
	S_END
};

/* Header fields: offset and length in the block. */
#define F_NAME 0, 100
#define F_MODE 100, 8
#define F_UID 108, 8
#define F_GID 116, 8
#define F_SIZE 124, 12
#define F_MTIME 136, 12
#define F_CHKSUM 148, 8
#define F_TYPE 156
#define F_LINK 157, 100
#define F_MAGIC 257
#define F_DEVMAJOR 329, 8
#define F_DEVMINOR 337, 8
#define F_PREFIX 345
#define F_ATIME 345, 12
#define F_CTIME 357, 12

static int
fail(struct tar *t, int code)
{
	t->err = code;
	return code;
}

static uint32_t
pad_of(uint64_t size)
{
	return (uint32_t)((TAR_BLOCK - (uint32_t)(size % TAR_BLOCK)) % TAR_BLOCK);
}

/*
 * A numeric header field: base-256 when the high bit of the first byte is
 * set (two's complement on the remaining bits), else octal digits between
 * optional NULs and spaces. Returns 0, or -1 when malformed or beyond
 * 64 bits.
 */
static int
parse_num(const uint8_t *p, size_t n, int64_t *out)
{
	size_t a = 0, b = n, i;
	uint64_t v = 0;

	if (n > 0 && (p[0] & 0x80) != 0) {
		uint8_t inv = (p[0] & 0x40) ? 0xff : 0;

		for (i = 0; i < n; i++) {
			uint8_t c = (uint8_t)(p[i] ^ inv);

			if (i == 0)
				c &= 0x7f;
			if ((v >> 56) != 0)
				return -1;
			v = v << 8 | c;
		}
		if ((v >> 63) != 0)
			return -1;
		*out = inv ? -(int64_t)v - 1 : (int64_t)v;
		return 0;
	}
	while (a < b && (p[a] == ' ' || p[a] == 0))
		a++;
	while (b > a && (p[b - 1] == ' ' || p[b - 1] == 0))
		b--;
	for (i = a; i < b; i++) {
		if (p[i] < '0' || p[i] > '7')
			return -1;
		if ((v >> 60) != 0)
			return -1;
		v = v << 3 | (uint64_t)(p[i] - '0');
	}
	if ((v >> 63) != 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
num_field(struct tar *t, size_t at, size_t n, const char *what, int64_t *out)
{
	if (parse_num(t->blk + at, n, out) != 0)
		return fail(t, err_set(ERR_FORMAT, "tar header at offset %llu: "
		    "field %s is not an octal or base-256 number",
		    (ull)t->hdr_off, what));
	return 0;
}

static int
size_field(struct tar *t, uint64_t *out)
{
	int64_t v;

	if (num_field(t, F_SIZE, "size", &v) != 0)
		return t->err;
	if (v < 0 || (uint64_t)v > TAR_SIZE_LIMIT)
		return fail(t, err_set(ERR_FORMAT, "tar header at offset %llu: "
		    "size %lld out of range, expected 0 to 2^62",
		    (ull)t->hdr_off, (long long)v));
	*out = (uint64_t)v;
	return 0;
}

static int
u32_field(struct tar *t, size_t at, size_t n, const char *what,
    uint32_t *out)
{
	int64_t v;

	if (num_field(t, at, n, what, &v) != 0)
		return t->err;
	if (v < 0 || v > (int64_t)UINT32_MAX)
		return fail(t, err_set(ERR_FORMAT, "tar header at offset %llu: "
		    "%s %lld out of range, expected 0 to 4294967295",
		    (ull)t->hdr_off, what, (long long)v));
	*out = (uint32_t)v;
	return 0;
}

static int
is_zero_block(const uint8_t *b)
{
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* Stored checksum against the unsigned and the (historic) signed sum. */
static int
check_sum(struct tar *t)
{
	const uint8_t *b = t->blk;
	uint64_t us = 0;
	int64_t ss = 0, stored;
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++) {
		uint8_t c = (i >= 148 && i < 156) ? (uint8_t)' ' : b[i];

		us += c;
		ss += (int8_t)c;
	}
	if (parse_num(b + 148, 8, &stored) != 0)
		return fail(t, err_set(ERR_FORMAT, "tar header at offset %llu: "
		    "checksum field is not a number (not a tar archive, or "
		    "corrupt)", (ull)t->hdr_off));
	if (stored != (int64_t)us && stored != ss)
		return fail(t, err_set(ERR_FORMAT, "tar header at offset %llu: "
		    "bad checksum: stored %llo, computed %llo",
		    (ull)t->hdr_off, (ull)stored, (ull)us));
	return 0;
}

/* Is p[0..n) before its first NUL all ASCII? */
static int
is_ascii(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] != 0; i++)
		if (p[i] >= 0x80)
			return 0;
	return 1;
}

/* The name of the header (prefix/name) into entry.path. */
static int
header_name(struct tar *t)
{
	const uint8_t *b = t->blk;
	size_t plen = 0, nlen, at = 0;
	int64_t dummy;
	char *dst = t->entry.path;

	if (memcmp(b + F_MAGIC, "ustar\0" "00", 8) == 0) {
		/* star puts atime/ctime after a 131-byte prefix. */
		size_t pmax = memcmp(b + 508, "tar\0", 4) == 0 ? 131 : 155;
		plen = lex_field(b + F_PREFIX, pmax).n;
	} else if (memcmp(b + F_MAGIC, "ustar  \0", 8) == 0) {
		if ((parse_num(b + 345, 12, &dummy) != 0 ||
		    parse_num(b + 357, 12, &dummy) != 0) &&
		    is_ascii(b + F_PREFIX, 155))
			plen = lex_field(b + F_PREFIX, 155).n;
	}
	nlen = lex_field(b, 100).n;
	if (plen + 1 + nlen > BOARD_PATH_MAX - 1)
		return fail(t, err_set(ERR_NOMEM, "tar header at offset %llu: "
		    "name of %zu bytes over the cap of %u (BOARD_PATH_MAX %u)",
		    (ull)t->hdr_off, plen + 1 + nlen, BOARD_PATH_MAX - 1,
		    BOARD_PATH_MAX));
	if (plen > 0) {
		memcpy(dst, b + F_PREFIX, plen);
		dst[plen] = '/';
		at = plen + 1;
	}
	memcpy(dst + at, b, nlen);
	dst[at + nlen] = '\0';
	return 0;
}

/* Start the pending state of a new member. */
static void
member_reset(struct tar *t)
{
	t->member_off = t->hdr_off;
	t->have_path = t->have_link = 0;
	t->have_size = t->have_uid = t->have_gid = t->have_mtime = 0;
	t->sparse = 0;
	t->pax_size = 0;
	t->pax_uid = t->pax_gid = t->pax_mtime_ns = 0;
	t->pax_mtime_s = 0;
	t->entry.path[0] = '\0';
	t->entry.link[0] = '\0';
	t->entry.nxattrs = 0;
	t->entry.xattr_len = 0;
}

/* ---- headers ------------------------------------------------------------ */

static int
ext_header(struct tar *t, int type)
{
	uint64_t size;

	if ((type == 'V' || type == 'g') && t->nchain == 0) {
		/* A volume label or global header belongs to no member. */
		if (size_field(t, &size) != 0)
			return t->err;
		t->state = S_SKIP;
		t->remain = size + pad_of(size);
		t->skip_next = S_HDR;
		return 0;
	}
	if (t->nchain >= TAR_EXT_MAX)
		return fail(t, err_set(ERR_FORMAT, "tar header at offset %llu: "
		    "more than %u extension headers in a row (from offset %llu)",
		    (ull)t->hdr_off, TAR_EXT_MAX, (ull)t->member_off));
	t->nchain++;
	if (size_field(t, &size) != 0)
		return t->err;
	if (type == 'g' || type == 'V') {
		t->state = S_SKIP;
		t->remain = size + pad_of(size);
		t->skip_next = S_HDR;
		return 0;
	}
	if (size > BOARD_PAX_MAX)
		return fail(t, err_set(ERR_NOMEM, "%s header at offset %llu: "
		    "%llu bytes, over the cap of %u (BOARD_PAX_MAX)",
		    type == 'x' ? "PAX" : "GNU long name", (ull)t->hdr_off,
		    (ull)size, BOARD_PAX_MAX));
	t->ext_type = type;
	t->ext_len = 0;
	t->remain = size;
	t->pad = pad_of(size);
	t->state = S_EXT;
	return 0;
}

/* Refuse the member types not read ('M', 'N', unknown letters). */
static int
member_type_check(struct tar *t, int type)
{
	switch (type) {
	case '\0': case '0': case '7':
	case '1': case '2': case '3': case '4': case '5': case '6':
	case 'D': case 'S':
		return 0;
	case 'M':
		return fail(t, err_set(ERR_UNSUPPORTED, "multi-volume member "
		    "('M') at offset %llu is not supported",
		    (ull)t->member_off));
	case 'N':
		return fail(t, err_set(ERR_UNSUPPORTED, "old GNU long name "
		    "header ('N') at offset %llu is not supported",
		    (ull)t->member_off));
	default:
		if (type >= 0x20 && type < 0x7f)
			return fail(t, err_set(ERR_UNSUPPORTED, "tar header at "
			    "offset %llu: unknown member type '%c'",
			    (ull)t->hdr_off, type));
		return fail(t, err_set(ERR_UNSUPPORTED, "tar header at offset "
		    "%llu: unknown member type 0x%02x", (ull)t->hdr_off,
		    (unsigned)type));
	}
}

/* Size, mode, uid, gid and mtime: PAX values where given, else the
 * header's fields (all of which must parse). */
static int
member_numbers(struct tar *t, uint64_t *size)
{
	struct tar_entry *e = &t->entry;
	int64_t v;

	if (size_field(t, size) != 0)
		return t->err;
	if (num_field(t, F_MODE, "mode", &v) != 0)
		return t->err;
	e->mode = (uint32_t)((uint64_t)v & 07777u);
	if (t->have_uid)
		e->uid = t->pax_uid;
	else if (u32_field(t, F_UID, "uid", &e->uid) != 0)
		return t->err;
	if (t->have_gid)
		e->gid = t->pax_gid;
	else if (u32_field(t, F_GID, "gid", &e->gid) != 0)
		return t->err;
	if (t->have_mtime) {
		e->mtime_s = t->pax_mtime_s;
		e->mtime_ns = t->pax_mtime_ns;
	} else {
		if (num_field(t, F_MTIME, "mtime", &v) != 0)
			return t->err;
		e->mtime_s = v;
		e->mtime_ns = 0;
	}
	if (t->have_size)
		*size = t->pax_size;
	return 0;
}

/* entry.type from the type letter, device numbers, link target. */
static int
member_kind(struct tar *t, int type)
{
	struct tar_entry *e = &t->entry;
	const uint8_t *b = t->blk;
	size_t plen = strlen(e->path);

	switch (type) {
	case '\0':
		/* Only the old v7 type: a '0' named "x/" is a file (Go). */
		e->type = plen > 0 && e->path[plen - 1] == '/' ?
		    TAR_DIR : TAR_REG;
		break;
	case '0': case '7':
		e->type = TAR_REG;
		break;
	case 'D':
		e->type = TAR_DIR;
		break;
	default:
		e->type = type;
		break;
	}
	e->devmajor = e->devminor = 0;
	if ((e->type == TAR_CHR || e->type == TAR_BLK) &&
	    memcmp(b + F_MAGIC, "ustar", 5) == 0) {
		if (u32_field(t, F_DEVMAJOR, "devmajor", &e->devmajor) != 0 ||
		    u32_field(t, F_DEVMINOR, "devminor", &e->devminor) != 0)
			return t->err;
	}
	if (e->type == TAR_LINK || e->type == TAR_SYMLINK) {
		if (t->have_link == 0) {
			size_t n = lex_field(b + 157, 100).n;

			memcpy(e->link, b + 157, n);
			e->link[n] = '\0';
		}
	} else {
		e->link[0] = '\0';
	}
	return 0;
}

static int
member_header(struct tar *t, int type)
{
	struct tar_entry *e = &t->entry;
	uint64_t size;

	if (member_type_check(t, type) != 0)
		return t->err;
	if (t->have_path == 0 && header_name(t) != 0)
		return t->err;
	if (member_numbers(t, &size) != 0)
		return t->err;
	/* Refused only now, so that a corrupt header says so first. */
	if (type == 'S' || t->sparse)
		return fail(t, err_set(ERR_UNSUPPORTED, "sparse file %s at "
		    "offset %llu is not supported", e->path,
		    (ull)t->member_off));
	if (member_kind(t, type) != 0)
		return t->err;
	e->offset = t->member_off;
	t->silent = 0;
	if (e->type == TAR_REG) {
		e->size = size;
	} else if (type == 'D') {
		e->size = 0;
		t->silent = 1;
	} else {
		e->size = 0;
		size = 0;
	}
	t->remain = size;
	t->pad = pad_of(size);
	t->state = size > 0 ? S_DATA : S_ENTRY_END;
	t->nchain = 0;
	return TAR_EV_ENTRY;
}

/* A whole block is in t->blk: returns TAR_EV_ENTRY, TAR_EV_END, 0 or < 0. */
static int
header(struct tar *t)
{
	int type;

	t->hdr_off = t->off - TAR_BLOCK;
	if (is_zero_block(t->blk)) {
		if (t->zero1) {
			t->state = S_END;
			return TAR_EV_END;
		}
		t->zero1 = 1;
		t->zero_off = t->hdr_off;
		return 0;
	}
	if (t->zero1)
		return fail(t, err_set(ERR_FORMAT, "tar archive: zero block at "
		    "offset %llu followed by a non-zero block at offset %llu, "
		    "expected a second zero block (end of archive)",
		    (ull)t->zero_off, (ull)t->hdr_off));
	if (check_sum(t) != 0)
		return t->err;
	if (t->nchain == 0)
		member_reset(t);
	type = t->blk[156];
	switch (type) {
	case 'x': case 'g': case 'L': case 'K': case 'V':
		return ext_header(t, type);
	default:
		return member_header(t, type);
	}
}

void
tar_init(struct tar *t)
{
	memset(t, 0, offsetof(struct tar, entry));
	t->state = S_HDR;
	t->entry.path[0] = '\0';
	t->entry.link[0] = '\0';
	t->entry.nxattrs = 0;
	t->entry.xattr_len = 0;
	t->entry.size = 0;
	t->entry.type = 0;
}

int
tar_push(struct tar *t, const uint8_t *in, size_t len, size_t *consumed,
    struct tar_event *ev)
{
	size_t used = 0, take;
	int rc;

	*consumed = 0;
	ev->data = NULL;
	ev->len = 0;
	if (t->err != 0)
		return t->err;
	for (;;) {
		size_t avail = len - used;

		switch (t->state) {
		case S_HDR:
			take = TAR_BLOCK - t->blk_len;
			if (take > avail)
				take = avail;
			memcpy(t->blk + t->blk_len, in + used, take);
			t->blk_len += take;
			used += take;
			t->off += take;
			if (t->blk_len < TAR_BLOCK)
				goto out;
			t->blk_len = 0;
			rc = header(t);
			if (rc != 0) {
				*consumed = used;
				return rc;
			}
			break;
		case S_EXT:
			take = t->remain < avail ? (size_t)t->remain : avail;
			memcpy(t->ext + t->ext_len, in + used, take);
			t->ext_len += take;
			t->remain -= take;
			used += take;
			t->off += take;
			if (t->remain > 0)
				goto out;
			rc = t->ext_type == 'x' ? tar_ext_pax(t) :
			    tar_ext_gnu_long(t);
			if (rc != 0) {
				*consumed = used;
				return fail(t, rc);
			}
			t->remain = t->pad;
			t->skip_next = S_HDR;
			t->state = S_SKIP;
			break;
		case S_SKIP:
		case S_PAD:
			take = t->remain < avail ? (size_t)t->remain : avail;
			t->remain -= take;
			used += take;
			t->off += take;
			if (t->remain > 0)
				goto out;
			t->state = t->state == S_PAD ? S_HDR : t->skip_next;
			break;
		case S_DATA:
			if (avail == 0)
				goto out;
			take = t->remain < avail ? (size_t)t->remain : avail;
			t->remain -= take;
			t->off += take;
			if (t->remain == 0)
				t->state = S_ENTRY_END;
			if (t->silent) {
				used += take;
				break;
			}
			ev->data = in + used;
			ev->len = take;
			*consumed = used + take;
			return TAR_EV_DATA;
		case S_ENTRY_END:
			t->state = t->pad > 0 ? S_PAD : S_HDR;
			t->remain = t->pad;
			*consumed = used;
			return TAR_EV_ENTRY_END;
		case S_END:
		default:
			t->off += avail;
			used = len;
			goto out;
		}
	}
out:
	*consumed = used;
	return TAR_EV_NONE;
}

uint64_t
tar_skip(struct tar *t)
{
	uint64_t n;

	if (t->err != 0 || (t->state != S_DATA && t->state != S_ENTRY_END))
		return 0;
	n = t->remain + t->pad;
	t->off += n;
	t->remain = 0;
	t->state = S_HDR;
	return n;
}

int
tar_finish(struct tar *t)
{
	if (t->err != 0)
		return t->err;
	switch (t->state) {
	case S_END:
	case S_ENTRY_END:
		return ERR_OK;
	case S_HDR:
		/* Extension headers with no member after them: as Go. */
		if (t->blk_len == 0)
			return ERR_OK;
		return fail(t, err_set(ERR_FORMAT, "truncated tar archive at "
		    "offset %llu: inside a header block (%zu of 512 bytes)",
		    (ull)t->off, t->blk_len));
	case S_PAD:
		if (t->remain == t->pad)
			return ERR_OK;   /* ended right after the data */
		return fail(t, err_set(ERR_FORMAT, "truncated tar archive at "
		    "offset %llu: inside the padding of %s (header at offset "
		    "%llu)", (ull)t->off, t->entry.path,
		    (ull)t->entry.offset));
	case S_DATA:
		return fail(t, err_set(ERR_FORMAT, "truncated tar archive at "
		    "offset %llu: %llu data bytes of %s (header at offset "
		    "%llu) missing", (ull)t->off, (ull)t->remain, t->entry.path,
		    (ull)t->entry.offset));
	default:
		return fail(t, err_set(ERR_FORMAT, "truncated tar archive at "
		    "offset %llu: inside the extension header at offset %llu",
		    (ull)t->off, (ull)t->hdr_off));
	}
}

const struct tar_entry *
tar_entry(const struct tar *t)
{
	return &t->entry;
}

int
tar_xattr_next(const struct tar_entry *e, size_t *pos, const char **name,
    const void **value, size_t *len)
{
	return e->xattr_len <= BOARD_XATTR_MAX &&
	    xattr_next(e->xattr_buf, e->xattr_len, pos, name, value, len);
}
