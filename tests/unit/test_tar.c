/*
 * test_tar.c: the streaming tar reader.
 *
 * Archives are built here (v7, ustar, GNU, star and PAX headers with real
 * checksums): every behaviour of the shared corpus has a built equivalent
 * whose expected values come from the format, not from a run of the
 * reader. The corpus itself (<corpus>/tar, see unit.h) is read too when
 * present. Every archive is fed whole, split in two at every offset
 * (sampled for archives over 64 KiB) and byte by byte; all feedings must
 * give the same transcript of events, entries, data digests and final
 * result with its message. TAR_DUMP=1 prints transcripts.
 */
#include "unit.h"
#include "err.h"
#include "tar.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include <mbedtls/md5.h>
#include <mbedtls/version.h>
#include <zlib.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define MD5_START mbedtls_md5_starts
#define MD5_UPDATE mbedtls_md5_update
#define MD5_FINISH mbedtls_md5_finish
#else
#define MD5_START mbedtls_md5_starts_ret
#define MD5_UPDATE mbedtls_md5_update_ret
#define MD5_FINISH mbedtls_md5_finish_ret
#endif

/* ---- archive builder ---------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->n + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL)
			abort();
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
buf_zero(struct buf *b, size_t n)
{
	static const uint8_t z[512];

	while (n > 0) {
		size_t k = n < sizeof z ? n : sizeof z;
		buf_put(b, z, k);
		n -= k;
	}
}

static void
buf_pad(struct buf *b)
{
	buf_zero(b, (512 - b->n % 512) % 512);
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

enum { V7, USTAR, GNU, STAR };

static void
put_oct(uint8_t *h, size_t off, size_t len, uint64_t v)
{
	size_t i = len - 1;

	h[off + i] = 0;
	while (i-- > 0) {
		h[off + i] = (uint8_t)('0' + (v & 7));
		v >>= 3;
	}
}

static void
put_b256(uint8_t *h, size_t off, size_t len, int64_t v)
{
	uint64_t u = (uint64_t)v;
	size_t i;

	for (i = len; i-- > 0;) {
		h[off + i] = (uint8_t)u;
		u = v < 0 ? (u >> 8) | ((uint64_t)0xff << 56) : u >> 8;
	}
	h[off] = v < 0 ? 0xff : 0x80;
}

static void
put_str(uint8_t *h, size_t off, size_t len, const char *s)
{
	size_t n = strlen(s);

	memcpy(h + off, s, n < len ? n : len);
}

static void
hdr_sum(uint8_t *h)
{
	unsigned sum = 0;
	size_t i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	put_oct(h, 148, 7, sum);
	h[155] = ' ';
}

/* A header block with mode 0644, uid/gid 1000, mtime 1234567890. */
static void
hdr_make(uint8_t *h, int fmt, int type, const char *name, const char *link,
    uint64_t size)
{
	memset(h, 0, 512);
	put_str(h, 0, 100, name);
	put_oct(h, 100, 8, 0644);
	put_oct(h, 108, 8, 1000);
	put_oct(h, 116, 8, 1000);
	put_oct(h, 124, 12, size);
	put_oct(h, 136, 12, 1234567890);
	h[156] = (uint8_t)type;
	if (link)
		put_str(h, 157, 100, link);
	if (fmt == USTAR || fmt == STAR)
		memcpy(h + 257, "ustar\0" "00", 8);
	else if (fmt == GNU)
		memcpy(h + 257, "ustar  \0", 8);
	if (fmt == STAR) {
		/* star: atime and ctime after a 131-byte prefix, "tar" last */
		put_oct(h, 476, 12, 1234567891);
		put_oct(h, 488, 12, 1234567892);
		memcpy(h + 508, "tar\0", 4);
	}
	hdr_sum(h);
}

static void
add_hdr(struct buf *b, int fmt, int type, const char *name, const char *link,
    uint64_t size)
{
	uint8_t h[512];

	hdr_make(h, fmt, type, name, link, size);
	buf_put(b, h, 512);
}

/* Header h, checksummed again, then n bytes of data and padding. */
static void
add_block(struct buf *b, uint8_t *h, const void *data, size_t n)
{
	hdr_sum(h);
	buf_put(b, h, 512);
	if (n > 0)
		buf_put(b, data, n);
	buf_pad(b);
}

/* A member with its data and padding (type '\0' in v7, else '0'). */
static void
add_file(struct buf *b, int fmt, const char *name, const char *data)
{
	add_hdr(b, fmt, fmt == V7 ? '\0' : '0', name, NULL, strlen(data));
	buf_put(b, data, strlen(data));
	buf_pad(b);
}

/* An extension header of type 'x', 'g', 'L' or 'K' carrying p[0..n). */
static void
add_ext(struct buf *b, int type, const void *p, size_t n)
{
	add_hdr(b, GNU * (type == 'L' || type == 'K') +
	    USTAR * (type == 'x' || type == 'g'),
	    type, type == 'L' || type == 'K' ? "././@LongLink" : "PaxHeader",
	    NULL, n);
	buf_put(b, p, n);
	buf_pad(b);
}

/* Append the PAX record "LEN key=value\n" to r. */
static void
pax_rec(struct buf *r, const char *key, const void *val, size_t vlen)
{
	char num[32];
	size_t body = strlen(key) + 1 + vlen + 1, len = body, d;

	for (;;) {
		d = (size_t)snprintf(num, sizeof num, "%zu", len);
		if (d + 1 + body == len)
			break;
		len = d + 1 + body;
	}
	buf_put(r, num, d);
	buf_put(r, " ", 1);
	buf_put(r, key, strlen(key));
	buf_put(r, "=", 1);
	buf_put(r, val, vlen);
	buf_put(r, "\n", 1);
}

static void
pax_str(struct buf *r, const char *key, const char *val)
{
	pax_rec(r, key, val, strlen(val));
}

static void
add_pax(struct buf *b, struct buf *r)
{
	add_ext(b, 'x', r->p, r->n);
	buf_free(r);
}

static void
add_end(struct buf *b)
{
	buf_zero(b, 1024);
}

/* ---- runner ------------------------------------------------------------- */

#define ENT_MAX 64

struct ent {
	char path[BOARD_PATH_MAX], link[BOARD_PATH_MAX];
	int type;
	uint32_t mode, uid, gid, ns, maj, min;
	uint64_t size, off, datalen, at;   /* at: input offset of the data */
	int64_t mtime;
	char md5[33];
	uint8_t head[64];
	unsigned nx;
	char xattrs[1024];
};

struct result {
	int rc;
	char msg[ERR_MSG_MAX];
	unsigned n;                /* entries seen */
	int end;                   /* TAR_EV_END seen */
	struct ent e[ENT_MAX];
	struct buf log;            /* transcript */
};

static struct tar tr, tr2;
static struct result res, res2;
static mbedtls_md5_context md5;
static const uint8_t *base;        /* the archive being read */
static int want_md5;               /* hash data (whole runs only) */
static uint64_t span_at, span_len; /* data of the current entry */

static void
log_add(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
log_add(struct result *r, const char *fmt, ...)
{
	char line[4 * BOARD_PATH_MAX + 512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_put(&r->log, line, (size_t)n < sizeof line ?
		    (size_t)n : sizeof line - 1);
}

/* Printable form of s (at most 2*BOARD_PATH_MAX out). */
static const char *
esc(const char *s, char *out)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x21 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else {
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = 0;
	return out;
}

static void
on_entry(struct result *r, const struct tar_entry *te)
{
	static char e1[4 * BOARD_PATH_MAX + 1], e2[4 * BOARD_PATH_MAX + 1];
	struct ent *e = r->n < ENT_MAX ? &r->e[r->n] : NULL;
	char xs[1024];
	size_t pos = 0, xl = 0;
	const char *name;
	const void *val;
	size_t vlen;

	xs[0] = 0;
	while (tar_xattr_next(te, &pos, &name, &val, &vlen)) {
		size_t i;
		int k = snprintf(xs + xl, sizeof xs - xl, "%s%s=", xl ? "," : "",
		    name);
		if (k < 0 || (size_t)k >= sizeof xs - xl)
			break;
		xl += (size_t)k;
		for (i = 0; i < vlen && xl + 3 < sizeof xs; i++) {
			snprintf(xs + xl, 3, "%02x", ((const uint8_t *)val)[i]);
			xl += 2;
		}
	}
	log_add(r, "E off=%llu type=%c path=%s link=%s mode=%o uid=%u gid=%u "
	    "size=%llu mtime=%lld.%09u dev=%u,%u nx=%u x=%s\n",
	    (unsigned long long)te->offset, te->type, esc(te->path, e1),
	    esc(te->link, e2), (unsigned)te->mode, (unsigned)te->uid,
	    (unsigned)te->gid, (unsigned long long)te->size,
	    (long long)te->mtime_s, (unsigned)te->mtime_ns,
	    (unsigned)te->devmajor, (unsigned)te->devminor, te->nxattrs, xs);
	if (e) {
		memcpy(e->path, te->path, sizeof e->path);
		memcpy(e->link, te->link, sizeof e->link);
		e->type = te->type;
		e->mode = te->mode;
		e->uid = te->uid;
		e->gid = te->gid;
		e->size = te->size;
		e->mtime = te->mtime_s;
		e->ns = te->mtime_ns;
		e->maj = te->devmajor;
		e->min = te->devminor;
		e->off = te->offset;
		e->datalen = 0;
		e->at = 0;
		e->nx = te->nxattrs;
		memcpy(e->xattrs, xs, sizeof xs);
	}
	if (want_md5)
		MD5_START(&md5);
	span_at = span_len = 0;
	r->n++;
}

static void
on_data(struct result *r, const uint8_t *p, size_t n)
{
	struct ent *e = r->n > 0 && r->n <= ENT_MAX ? &r->e[r->n - 1] : NULL;

	if (e && e->datalen < sizeof e->head) {
		size_t k = sizeof e->head - e->datalen;
		memcpy(e->head + e->datalen, p, n < k ? n : k);
	}
	if (e)
		e->datalen += n;
	/* Zero copy: the data of a member is one run of the archive. */
	if (span_len == 0)
		span_at = (uint64_t)(p - base);
	else if (span_at + span_len != (uint64_t)(p - base))
		log_add(r, "BUG data not contiguous in the input\n");
	span_len += n;
	if (want_md5)
		MD5_UPDATE(&md5, p, n);
}

/* The MD5 in md5 as 32 hex digits and a NUL into hex. */
static void
md5_done(char *hex)
{
	unsigned char d[16];
	int i;

	MD5_FINISH(&md5, d);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* The MD5 of p[0..n) into hex (33 bytes). */
static void
md5_hex(const void *p, size_t n, char *hex)
{
	MD5_START(&md5);
	MD5_UPDATE(&md5, p, n);
	md5_done(hex);
}

static void
on_entry_end(struct result *r)
{
	struct ent *e = r->n > 0 && r->n <= ENT_MAX ? &r->e[r->n - 1] : NULL;
	char hex[33];

	log_add(r, "D at=%llu len=%llu\n", (unsigned long long)span_at,
	    (unsigned long long)span_len);
	if (e)
		e->at = span_at;
	if (!want_md5)
		return;
	md5_done(hex);
	if (e)
		memcpy(e->md5, hex, sizeof hex);
}

/*
 * Push one piece; 1 when the run ended (error). With copy_at set, the
 * reader state is copied into tr2 before the piece and reading goes on
 * from the copy (the struct holds no pointer into itself).
 */
static int
push_piece(struct tar *t, struct result *r, const uint8_t *p, size_t len)
{
	struct tar_event ev;
	size_t used;
	int rc;

	for (;;) {
		rc = tar_push(t, p, len, &used, &ev);
		if (used > len) {
			log_add(r, "BUG consumed %zu > %zu\n", used, len);
			r->rc = ERR_INTERNAL;
			return 1;
		}
		if (rc == TAR_EV_DATA) {
			if (ev.data != p || ev.len != used || ev.len == 0)
				log_add(r, "BUG data span not in input\n");
			on_data(r, ev.data, ev.len);
		}
		p += used;
		len -= used;
		if (rc < 0) {
			r->rc = rc;
			return 1;
		}
		switch (rc) {
		case TAR_EV_NONE:
			if (len != 0)
				log_add(r, "BUG NONE with %zu left\n", len);
			return 0;
		case TAR_EV_ENTRY:
			on_entry(r, tar_entry(t));
			break;
		case TAR_EV_ENTRY_END:
			on_entry_end(r);
			break;
		case TAR_EV_END:
			log_add(r, "END\n");
			r->end = 1;
			break;
		case TAR_EV_DATA:
			break;
		default:
			log_add(r, "BUG event %d\n", rc);
			break;
		}
	}
}

/*
 * Read a[0..n) in pieces: step 0 means two pieces cut at cut, otherwise
 * pieces of step bytes. copy: continue from a copy of the state at cut.
 */
static void
run(struct result *r, const uint8_t *a, size_t n, size_t cut, size_t step,
    int copy)
{
	struct tar *t = &tr;
	size_t at = 0;
	int done = 0;

	buf_free(&r->log);
	base = a;
	want_md5 = r == &res;
	r->rc = 0;
	r->n = 0;
	r->end = 0;
	r->msg[0] = 0;
	err_clear();
	tar_init(t);
	while (!done && at < n) {
		size_t k = step ? step : (at < cut ? cut - at : n - at);

		if (k > n - at)
			k = n - at;
		if (copy && at == cut) {
			memcpy(&tr2, t, sizeof tr2);
			memset(t, 0xa5, sizeof *t);
			t = &tr2;
		}
		done = push_piece(t, r, a + at, k);
		at += k;
	}
	if (!done && n == 0)
		done = push_piece(t, r, a, 0);
	if (!done)
		r->rc = tar_finish(t);
	else if (tar_finish(t) != r->rc)
		log_add(r, "BUG error not sticky\n");
	snprintf(r->msg, sizeof r->msg, "%s", err_msg());
	log_add(r, "RC %d %s\n", r->rc, r->msg);
}

static int
has_bug(const struct result *r)
{
	size_t i;

	for (i = 0; i + 3 <= r->log.n; i++)
		if (memcmp(r->log.p + i, "BUG", 3) == 0)
			return 1;
	return 0;
}

static int
same_log(const struct result *a, const struct result *b)
{
	return a->log.n == b->log.n && memcmp(a->log.p, b->log.p, a->log.n) == 0;
}

static void
show_diff(const char *what, size_t at, const struct result *a,
    const struct result *b)
{
	fprintf(stderr, "  %s (%zu) differs:\n--- whole\n%.*s--- this\n%.*s",
	    what, at, (int)(a->log.n > 2000 ? 2000 : a->log.n),
	    (const char *)a->log.p, (int)(b->log.n > 2000 ? 2000 : b->log.n),
	    (const char *)b->log.p);
}

/*
 * Read archive a whole into res, then check that every other feeding
 * gives the same transcript. Returns the number of mismatches.
 */
static int
check_all(const char *name, const uint8_t *a, size_t n)
{
	int bad = 0;
	size_t cut, stride;

	run(&res, a, n, n, 0, 0);
	if (getenv("TAR_DUMP"))
		printf("== %s (%zu bytes)\n%.*s", name, n, (int)res.log.n,
		    (const char *)res.log.p);
	if (has_bug(&res)) {
		fprintf(stderr, "  %s: %.*s\n", name, (int)res.log.n,
		    (const char *)res.log.p);
		bad++;
	}
	run(&res2, a, n, 0, 1, 0);
	if (!same_log(&res, &res2)) {
		show_diff("byte by byte", 0, &res, &res2);
		bad++;
	}
	stride = n <= 65536 ? 1 : n / 1024 + 1;
	for (cut = 0; cut <= n && bad < 3; cut += stride) {
		run(&res2, a, n, cut, 0, cut % 3 == 0);
		if (!same_log(&res, &res2)) {
			show_diff("split", cut, &res, &res2);
			bad++;
		}
		/* Around every block boundary too when sampling. */
		if (stride > 1 && cut % 512 > 3 && cut + stride <= n) {
			size_t b2 = (cut / 512 + 1) * 512 - 1;
			run(&res2, a, n, b2, 0, 0);
			if (!same_log(&res, &res2)) {
				show_diff("split", b2, &res, &res2);
				bad++;
			}
		}
	}
	/* A larger odd step, for archives too big to go byte by byte fast. */
	run(&res2, a, n, 0, 1000, 0);
	if (!same_log(&res, &res2)) {
		show_diff("step 1000", 0, &res, &res2);
		bad++;
	}
	if (bad)
		fprintf(stderr, "  %s: %d feeding(s) differ\n", name, bad);
	/* Leave res as the whole-archive result for the caller's checks. */
	run(&res, a, n, n, 0, 0);
	return bad;
}

/* ---- test data ---------------------------------------------------------- */

static uint8_t *
load(const char *rel, size_t *n)
{
	char path[1024];
	struct buf b = { 0 };
	uint8_t tmp[65536];
	gzFile gz;
	int k;

	snprintf(path, sizeof path, "%s/tar/%s", unit_corpus(), rel);
	/* gzread passes files that are not gzip through unchanged. */
	gz = gzopen(path, "rb");
	if (gz == NULL) {
		fprintf(stderr, "  cannot open %s (set OCIPULL_TESTDATA)\n",
		    path);
		return NULL;
	}
	while ((k = gzread(gz, tmp, sizeof tmp)) > 0)
		buf_put(&b, tmp, (size_t)k);
	gzclose(gz);
	if (k < 0) {
		fprintf(stderr, "  cannot read %s\n", path);
		free(b.p);
		return NULL;
	}
	if (b.p == NULL)
		buf_put(&b, "", 0);
	*n = b.n;
	return b.p;
}

/* Read a test archive through every feeding; 0 when missing. */
static int
check_file(const char *rel)
{
	size_t n = 0;
	uint8_t *a = load(rel, &n);

	CHECK(a != NULL);
	if (a == NULL)
		return 0;
	CHECK_EQ(check_all(rel, a, n), 0);
	free(a);
	return 1;
}


/* ---- real archives: outcome table ---------------------------------------- */

struct known {
	const char *file;
	int rc;               /* tar_finish / error code */
	int entries;          /* TAR_EV_ENTRY count */
	const char *msg;      /* part of the message, or NULL */
};

static const struct known known[] = {
	{ "go/file-and-dir.tar", ERR_OK, 2, NULL },
	{ "go/gnu.tar", ERR_OK, 2, NULL },
	{ "go/ustar.tar", ERR_OK, 1, NULL },
	{ "go/pax.tar", ERR_OK, 2, NULL },
	{ "go/star.tar", ERR_OK, 2, NULL },
	{ "go/v7.tar", ERR_OK, 2, NULL },
	{ "go/ustar-file-reg.tar", ERR_OK, 1, NULL },
	{ "go/ustar-file-devs.tar", ERR_OK, 1, NULL },
	{ "go/gnu-long-nul.tar", ERR_OK, 1, NULL },
	{ "go/gnu-multi-hdrs.tar", ERR_OK, 1, NULL },
	{ "go/pax-multi-hdrs.tar", ERR_OK, 1, NULL },
	{ "go/pax-pos-size-file.tar", ERR_OK, 1, NULL },
	{ "go/pax-records.tar", ERR_OK, 1, NULL },
	{ "go/pax-global-records.tar", ERR_OK, 4, NULL },
	{ "go/pax-path-hdr.tar", ERR_OK, 0, NULL },   /* 'x' then EOF */
	{ "go/pax-nul-path.tar", ERR_FORMAT, 0, "NUL" },
	{ "go/pax-nul-xattrs.tar", ERR_FORMAT, 0, "NUL" },
	{ "go/pax-bad-hdr-file.tar", ERR_FORMAT, 0, "offset 0" },
	{ "go/pax-bad-hdr-large.tar", ERR_NOMEM, 0, "BOARD_PAX_MAX" },
	{ "go/pax-bad-mtime-file.tar", ERR_FORMAT, 0, "mtime" },
	{ "go/neg-size.tar", ERR_FORMAT, 0, "size" },
	{ "go/issue10968.tar", ERR_FORMAT, 0, "offset 0" },
	{ "go/issue11169.tar", ERR_FORMAT, 0, "offset" },
	{ "go/issue12435.tar", ERR_FORMAT, 0, "offset" },
	{ "go/hdr-only.tar", ERR_OK, 16, NULL },
	{ "go/xattrs.tar", ERR_OK, 2, NULL },
	{ "go/hardlink.tar", ERR_OK, 2, NULL },
	{ "go/invalid-go17.tar", ERR_OK, 1, NULL },
	{ "go/nil-uid.tar", ERR_OK, 1, NULL },
	{ "go/trailing-slash.tar", ERR_OK, 1, NULL },
	{ "go/gnu-utf8.tar", ERR_OK, 1, NULL },
	{ "go/gnu-not-utf8.tar", ERR_OK, 1, NULL },
	{ "go/writer.tar", ERR_OK, 3, NULL },
	{ "go/writer-big.tar", ERR_FORMAT, 1, "truncated" },
	{ "go/writer-big-long.tar", ERR_FORMAT, 1, "truncated" },
	{ "go/sparse-formats.tar", ERR_UNSUPPORTED, 0,
	    "sparse file sparse-gnu at offset 0 is not supported" },
	{ "go/gnu-incremental.tar", ERR_UNSUPPORTED, 2, "sparse file" },
	{ "go/gnu-nil-sparse-data.tar", ERR_UNSUPPORTED, 0, "sparse file" },
	{ "go/pax-nil-sparse-data.tar", ERR_UNSUPPORTED, 0, "sparse file" },
	{ "go/pax-nil-sparse-hole.tar", ERR_UNSUPPORTED, 0, "sparse file" },
	{ "go/pax-sparse-big.tar", ERR_UNSUPPORTED, 0, "sparse file" },
	{ "go/gnu-sparse-big.tar", ERR_UNSUPPORTED, 0, "sparse file" },
	{ "libarchive/test_compat_gtar_1.tar", ERR_OK, 2, NULL },
	{ "libarchive/test_compat_gtar_2.tar", ERR_OK, 1, NULL },
	{ "libarchive/test_compat_gzip_1.tgz", ERR_OK, 6, NULL },
	{ "libarchive/test_compat_perl_archive_tar.tar", ERR_OK, 1, NULL },
	/* Ends with one zero block then a block holding a stray '\n'. */
	{ "libarchive/test_compat_plexus_archiver_tar.tar", ERR_FORMAT, 1,
	    "zero block at offset 1024 followed by a non-zero block at "
	    "offset 1536" },
	{ "libarchive/test_compat_tar_directory_1.tar", ERR_OK, 2, NULL },
	{ "libarchive/test_compat_tar_hardlink_1.tar", ERR_OK, 2, NULL },
	{ "libarchive/test_compat_mac-1.tar", ERR_OK, 9, NULL },
	{ "libarchive/test_compat_mac-2.tar", ERR_OK, 5, NULL },
	{ "libarchive/test_extract.tar.gz", ERR_OK, 2, NULL },
	{ "libarchive/test_gcpio_compat_ref.ustar", ERR_OK, 4, NULL },
	{ "libarchive/test_leading_slash.tar", ERR_OK, 2, NULL },
	{ "libarchive/test_list_item.tar", ERR_OK, 8, NULL },
	{ "libarchive/test_pax_filename_encoding.tar", ERR_OK, 2, NULL },
	{ "libarchive/test_pax_xattr_header_all.tar", ERR_OK, 1, NULL },
	{ "libarchive/test_pax_xattr_header_schily.tar", ERR_OK, 1, NULL },
	{ "libarchive/test_print_longpath.tar", ERR_OK, 4, NULL },
	{ "libarchive/test_read_format_gtar_redundant_L.tar", ERR_OK, 1, NULL },
	{ "libarchive/test_read_format_gtar_sparse_1_17_posix10.tar",
	    ERR_UNSUPPORTED, 0, "sparse file" },
	{ "libarchive/test_read_format_tar_V_negative_size.tar", ERR_FORMAT, 0,
	    "field size" },
	{ "libarchive/test_read_format_tar_concatenated.tar", ERR_OK, 1, NULL },
	{ "libarchive/test_read_format_tar_empty_filename.tar", ERR_OK, 1, NULL },
	{ "libarchive/test_read_format_tar_empty_pax.tar", ERR_OK, 0, NULL },
	{ "libarchive/test_read_format_tar_empty_with_gnulabel.tar", ERR_OK, 0,
	    NULL },
	{ "libarchive/test_read_format_tar_invalid_pax_size.tar", ERR_FORMAT, 0,
	    NULL },
	{ "libarchive/test_read_format_tar_pax_g_large.tar", ERR_FORMAT, 0,
	    "truncated" },
	{ "libarchive/test_read_format_tar_pax_large_attr.tar.gz", ERR_NOMEM, 0,
	    "BOARD_PAX_MAX" },
	{ "libarchive/test_read_format_tar_pax_negative_time.tar", ERR_OK, 1,
	    NULL },
	{ "libarchive/test_read_format_tar_pax_timestamps.tar", ERR_FORMAT, 0,
	    "mtime" },
	{ "libarchive/test_read_format_tar_timestamp_overflow.tar", ERR_OK, 1,
	    NULL },
	{ "libarchive/test_read_pax_empty_val_no_nl.tar", ERR_FORMAT, 0,
	    "PAX header at offset 0: record at byte 0" },
	{ "libarchive/test_read_pax_xattr_schily.tar", ERR_OK, 1, NULL },
	{ "libarchive/test_read_pax_xattr_rht_security_selinux.tar", ERR_OK, 1,
	    NULL },
	{ "libarchive/test_compat_solaris_tar_acl.tar", ERR_UNSUPPORTED, 0,
	    "'A'" },
	{ "libarchive/test_read_format_gtar_filename_koi8r.tar", ERR_OK, 2,
	    NULL },
	{ "libarchive/test_read_format_ustar_filename_eucjp.tar", ERR_OK, 2,
	    NULL },
	{ "tar-split/1c51fc286aa95d9413226599576bafa38490b1e292375c90de095855b64caea6",
	    ERR_OK, 1, NULL },
	{ "tar-split/extranils.tar.gz", ERR_OK, 1, NULL },
	{ "tar-split/notenoughnils.tar.gz", ERR_OK, 1, NULL },
	{ "tar-split/iso-8859.tar.gz", ERR_OK, 2, NULL },
	{ "tar-split/longlink.tar.gz", ERR_OK, 18, NULL },
	{ "tar-split/t.tar.gz", ERR_OK, 2, NULL },
	{ "tar-split/fatlonglink.tar.gz", ERR_OK, 22, NULL },
};

static void
test_real_archives(void)
{
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		const struct known *k = &known[i];

		if (!check_file(k->file))
			continue;
		if (res.rc != k->rc || (int)res.n != k->entries ||
		    (k->msg && strstr(res.msg, k->msg) == NULL)) {
			fprintf(stderr, "  %s: rc %d (expected %d), %u entries "
			    "(expected %d), message \"%s\"\n", k->file, res.rc,
			    k->rc, res.n, k->entries, res.msg);
			unit_failed_checks++;
		}
	}
}

/* ---- real archives: details ------------------------------------------ */

static const struct ent *
real(const char *rel)
{
	if (!check_file(rel))
		return NULL;
	return res.n > 0 ? &res.e[0] : NULL;
}

static void
test_real_details(void)
{
	const struct ent *e;
	unsigned i;

	if ((e = real("go/gnu.tar")) != NULL) {
		CHECK_STR(e[0].path, "small.txt");
		CHECK_EQ(e[0].size, 5);
		CHECK_MEM(e[0].head, e[0].datalen, "Kilts");
		CHECK_STR(e[0].md5, "e38b27eaccb4391bdec553a7f3ae6b2f");
		CHECK_STR(e[1].md5, "c65bd2e50a56a2138bf1716f2fd56fe9");
		CHECK_EQ(e[1].off, 1024);
		CHECK_EQ(e[0].mode, 0640);
		CHECK_EQ(e[0].uid, 73025);
		CHECK_EQ(e[0].gid, 5000);
		CHECK_EQ(e[0].mtime, 1244428340);
		CHECK(res.end);
	}
	if ((e = real("go/ustar.tar")) != NULL) {
		CHECK_STR(e[0].path, "longname/longname/longname/longname/"
		    "longname/longname/longname/longname/longname/longname/"
		    "longname/longname/longname/longname/longname/file.txt");
		CHECK_EQ(e[0].datalen, 6);
	}
	if ((e = real("go/star.tar")) != NULL) {
		CHECK_STR(e[1].path, "small2.txt");
		CHECK_MEM(e[1].head, e[1].datalen, "Google.com\n");
	}
	if ((e = real("go/v7.tar")) != NULL) {
		CHECK_EQ(e[0].type, TAR_REG);
		CHECK_EQ(e[0].mode, 0444);
		CHECK_STR(e[1].md5, "c65bd2e50a56a2138bf1716f2fd56fe9");
	}
	if ((e = real("go/pax.tar")) != NULL) {
		CHECK_EQ(strlen(e[0].path), 2 + 192);
		CHECK_EQ(e[0].mtime, 1350244992);
		CHECK_EQ(e[0].ns, 23960108);
		CHECK_EQ(e[0].datalen, 7);
		CHECK_EQ(e[1].type, TAR_SYMLINK);
		CHECK_STR(e[1].path, "a/b");
		CHECK_EQ(strlen(e[1].link), 192);
		CHECK_EQ(e[1].off, 2048);
	}
	if ((e = real("go/pax-pos-size-file.tar")) != NULL) {
		CHECK_EQ(e[0].size, 999);
		CHECK_STR(e[0].md5, "0afb597b283fe61b5d4879669a350556");
	}
	if ((e = real("go/ustar-file-reg.tar")) != NULL)
		CHECK_EQ(e[0].datalen, 684);
	if ((e = real("go/gnu-long-nul.tar")) != NULL)
		CHECK_STR(e[0].path, "0123456789");
	if ((e = real("go/gnu-multi-hdrs.tar")) != NULL) {
		CHECK_STR(e[0].path, "GNU2/GNU2/long-path-name");
		CHECK_STR(e[0].link, "GNU4/GNU4/long-linkpath-name");
		CHECK_EQ(e[0].type, TAR_SYMLINK);
		CHECK_EQ(e[0].off, 0);
	}
	/* Only the last 'x' header counts, as in Go: its records give the
	 * link name, and the path falls back to the header's "bar". */
	if ((e = real("go/pax-multi-hdrs.tar")) != NULL) {
		CHECK_STR(e[0].path, "bar");
		CHECK_STR(e[0].link, "PAX4/PAX4/long-linkpath-name");
	}
	if ((e = real("go/pax-global-records.tar")) != NULL) {
		CHECK_STR(e[0].path, "file1");
		CHECK_EQ(e[0].mtime, 0);       /* 'g' mtime not applied */
		CHECK_STR(e[1].path, "file2");
		CHECK_STR(e[2].path, "file3");
		CHECK_EQ(e[3].mtime, 1400000000);
	}
	if ((e = real("go/hdr-only.tar")) != NULL) {
		CHECK_EQ(res.n, 16);
		for (i = 0; i < 16; i++) {
			if (e[i].type == TAR_REG)
				continue;
			CHECK_EQ(e[i].size, 0);
			CHECK_EQ(e[i].datalen, 0);
		}
		CHECK_EQ(e[4].type, TAR_CHR);
		CHECK_EQ(e[4].maj, 1);
		CHECK_EQ(e[4].min, 3);
		CHECK_EQ(e[5].type, TAR_BLK);
		CHECK_EQ(e[5].maj, 8);
		CHECK_EQ(e[3].type, TAR_LINK);
		CHECK_STR(e[3].link, "file");
		CHECK_EQ(e[10].off, 5632);
		CHECK_EQ(e[12].off, 7168);    /* header-only, no data skipped */
	}
	if ((e = real("go/xattrs.tar")) != NULL) {
		CHECK_EQ(e[0].nx, 3);
		CHECK_STR(e[0].xattrs, "user.key=76616c7565,user.key2="
		    "76616c756532,security.selinux=756e636f6e66696e65645f753a6f"
		    "626a6563745f723a64656661756c745f743a733000");
		CHECK_EQ(e[1].nx, 1);
		CHECK_EQ(e[0].ns, 448252320);
	}
	if ((e = real("go/hardlink.tar")) != NULL) {
		CHECK_EQ(e[1].type, TAR_LINK);
		CHECK_STR(e[1].link, "file.txt");
		CHECK_MEM(e[0].head, e[0].datalen, "Slartibartfast\n");
	}
	if ((e = real("go/invalid-go17.tar")) != NULL) {
		CHECK_EQ(strlen(e[0].path), 97 + 4);
		CHECK(strcmp(e[0].path + 97, "/foo") == 0);
		CHECK_EQ(e[0].uid, 2097152);
	}
	if ((e = real("go/nil-uid.tar")) != NULL) {
		CHECK_EQ(e[0].uid, 0);
		CHECK_EQ(e[0].datalen, 14);
	}
	if ((e = real("go/trailing-slash.tar")) != NULL) {
		CHECK_EQ(e[0].type, TAR_DIR);
		CHECK_EQ(strlen(e[0].path), 300);
	}
	if ((e = real("go/gnu-not-utf8.tar")) != NULL)
		CHECK_STR(e[0].path, "hi\x80\x81\x82\x83" "bye");
	if ((e = real("libarchive/test_compat_tar_directory_1.tar")) != NULL) {
		CHECK_EQ(e[0].type, TAR_DIR);
		CHECK_STR(e[0].path, "directory1/");
		CHECK_EQ(e[1].off, 512);      /* size 1 of the old dir ignored */
	}
	if ((e = real("libarchive/test_compat_plexus_archiver_tar.tar")) != NULL)
		CHECK_EQ(e[0].uid, 0);
	if ((e = real("libarchive/test_read_format_tar_pax_negative_time.tar"))
	    != NULL)
		CHECK_EQ(e[0].mtime, -2146608000LL);
	if ((e = real("libarchive/test_compat_gtar_2.tar")) != NULL)
		CHECK_EQ(e[0].gid, 2097152);
	if ((e = real("tar-split/t.tar.gz")) != NULL) {
		CHECK_STR(e[0].path, "./hurr.txt");
		CHECK_EQ(e[0].datalen, 19);
		CHECK_EQ(e[1].datalen, 27);
	}
}

/* ---- built archives ------------------------------------------------------ */

/* Read b through every feeding; res holds the result. */
static void
check_buf(const char *name, struct buf *b)
{
	CHECK_EQ(check_all(name, b->p, b->n), 0);
	buf_free(b);
}

static int
has(const char *msg, const char *part)
{
	if (strstr(msg, part) != NULL)
		return 1;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", msg, part);
	return 0;
}

static void
test_pax_size_wins(void)
{
	struct buf b = { 0 }, r = { 0 };
	char data[1000];

	memset(data, 'd', sizeof data);
	/* Header says 3, PAX says 700: 700 bytes of data follow. */
	pax_str(&r, "size", "700");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', "big", NULL, 3);
	buf_put(&b, data, 700);
	buf_pad(&b);
	/* Header says 700, PAX says 0: nothing follows. */
	pax_str(&r, "size", "0");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', "empty", NULL, 700);
	/* A PAX size on a hard link reads no data either. */
	pax_str(&r, "size", "512");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '1', "hl", "big", 0);
	add_file(&b, USTAR, "after", "tail");
	add_end(&b);
	check_buf("pax size", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 4);
	CHECK_EQ(res.e[0].size, 700);
	CHECK_EQ(res.e[0].datalen, 700);
	CHECK_EQ(res.e[0].off, 0);
	CHECK_EQ(res.e[1].size, 0);
	CHECK_EQ(res.e[1].datalen, 0);
	CHECK_EQ(res.e[2].type, TAR_LINK);
	CHECK_EQ(res.e[2].datalen, 0);
	CHECK_STR(res.e[3].path, "after");
	CHECK_MEM(res.e[3].head, res.e[3].datalen, "tail");
}

static void
test_pax_path_and_gnu_names(void)
{
	struct buf b = { 0 }, r = { 0 };
	static const char longn[] = "dir/a-name-longer-than-what-a-header-"
	    "can-hold-because-it-goes-on-and-on-and-on-and-on-and-on-and-on-"
	    "and-on-and-on";

	pax_str(&r, "path", longn);
	pax_str(&r, "linkpath", "target/of/link");
	pax_str(&r, "uid", "4294967295");
	pax_str(&r, "gid", "0");
	pax_str(&r, "mtime", "-1.5");
	pax_str(&r, "comment", "ignored");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '2', "short", "short-target", 0);
	/* GNU long name wins over the PAX path, whatever their order. */
	add_ext(&b, 'L', "gnu-name", 9);
	pax_str(&r, "path", "pax-name");
	add_pax(&b, &r);
	add_hdr(&b, GNU, '0', "hdr-name", NULL, 0);
	/* An empty PAX path means the header's name. */
	pax_str(&r, "path", "");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '5', "plain/", NULL, 0);
	add_end(&b);
	check_buf("pax path", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 3);
	CHECK_STR(res.e[0].path, longn);
	CHECK_STR(res.e[0].link, "target/of/link");
	CHECK_EQ(res.e[0].uid, 4294967295u);
	CHECK_EQ(res.e[0].gid, 0);
	CHECK_EQ(res.e[0].mtime, -2);
	CHECK_EQ(res.e[0].ns, 500000000);
	CHECK_STR(res.e[1].path, "gnu-name");
	CHECK_EQ(res.e[1].off, 1536);
	CHECK_EQ(res.e[1].uid, 1000);   /* PAX values do not carry over */
	CHECK_STR(res.e[2].path, "plain/");
	CHECK_EQ(res.e[2].type, TAR_DIR);
}

/* A GNU 'L' record holding n name bytes and a NUL, then a file. */
static void
long_name(struct buf *b, size_t n, int pax)
{
	char *name = malloc(n + 1);

	memset(name, 'n', n);
	name[n] = 0;
	if (pax) {
		struct buf r = { 0 };
		pax_str(&r, "path", name);
		add_pax(b, &r);
	} else {
		add_ext(b, 'L', name, n + 1);
	}
	add_hdr(b, pax ? USTAR : GNU, '0', "x", NULL, 0);
	add_end(b);
	free(name);
}

static void
test_name_caps(void)
{
	struct buf b = { 0 };
	int pax;

	for (pax = 0; pax < 2; pax++) {
		long_name(&b, BOARD_PATH_MAX - 1, pax);
		check_buf("name at the cap", &b);
		CHECK_EQ(res.rc, ERR_OK);
		CHECK_EQ(res.n, 1);
		CHECK_EQ(strlen(res.e[0].path), BOARD_PATH_MAX - 1);
		long_name(&b, BOARD_PATH_MAX, pax);
		check_buf("name over the cap", &b);
		CHECK_EQ(res.rc, ERR_NOMEM);
		CHECK_EQ(res.n, 0);
		CHECK(has(res.msg, "BOARD_PATH_MAX"));
		CHECK(has(res.msg, "offset 0"));
	}
	/* A 'K' over the cap too. */
	{
		char *t = malloc(BOARD_PATH_MAX + 1);
		memset(t, 'k', BOARD_PATH_MAX);
		t[BOARD_PATH_MAX] = 0;
		add_ext(&b, 'K', t, BOARD_PATH_MAX + 1);
		add_hdr(&b, GNU, '2', "sl", "x", 0);
		free(t);
		check_buf("long link over the cap", &b);
		CHECK_EQ(res.rc, ERR_NOMEM);
		CHECK(has(res.msg, "link name"));
	}
}

static void
test_base256(void)
{
	struct buf b = { 0 };
	uint8_t h[512];

	hdr_make(h, GNU, '0', "b256", NULL, 0);
	put_b256(h, 108, 8, 3000000000LL);
	put_b256(h, 116, 8, 4294967295LL);   /* read; the writer refuses it */
	put_b256(h, 124, 12, 5);
	put_b256(h, 136, 12, -100);
	hdr_sum(h);
	buf_put(&b, h, 512);
	buf_put(&b, "hello", 5);
	buf_pad(&b);
	add_end(&b);
	check_buf("base-256", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.e[0].uid, 3000000000u);
	CHECK_EQ(res.e[0].gid, 4294967295u);
	CHECK_EQ(res.e[0].mtime, -100);
	CHECK_MEM(res.e[0].head, res.e[0].datalen, "hello");

	hdr_make(h, GNU, '0', "neg", NULL, 0);
	put_b256(h, 124, 12, -5);
	hdr_sum(h);
	buf_put(&b, h, 512);
	add_end(&b);
	check_buf("negative base-256 size", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK(has(res.msg, "size -5 out of range"));

	hdr_make(h, GNU, '0', "bigid", NULL, 0);
	put_b256(h, 116, 8, 4294967296LL);
	hdr_sum(h);
	buf_put(&b, h, 512);
	add_end(&b);
	check_buf("gid over 32 bits", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK(has(res.msg, "gid 4294967296"));

	/* 2^62 + 1 is refused; 2^63 does not even fit the number. */
	hdr_make(h, GNU, '0', "huge", NULL, 0);
	put_b256(h, 124, 12, (int64_t)(((uint64_t)1 << 62) + 1));
	hdr_sum(h);
	buf_put(&b, h, 512);
	check_buf("size over 2^62", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK(has(res.msg, "expected 0 to 2^62"));
	hdr_make(h, GNU, '0', "huge", NULL, 0);
	memset(h + 124, 0, 12);
	h[124] = 0x80;
	h[128] = 0x80;                  /* 2^63 */
	hdr_sum(h);
	buf_put(&b, h, 512);
	check_buf("size 2^63", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK(has(res.msg, "field size"));
}

static void
test_checksum(void)
{
	struct buf b = { 0 };
	uint8_t h[512];
	unsigned sum = 0;
	int ssum = 0;
	size_t i;

	add_file(&b, USTAR, "one", "1");
	add_file(&b, USTAR, "two", "2");
	add_end(&b);
	b.p[1024 + 10] ^= 1;
	check_buf("bad checksum", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK_EQ(res.n, 1);
	CHECK(has(res.msg, "at offset 1024: bad checksum"));

	/* Historic writers summed signed chars. */
	hdr_make(h, USTAR, '0', "caf\xc3\xa9", NULL, 0);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++) {
		sum += h[i];
		ssum += (signed char)h[i];
	}
	CHECK(sum != (unsigned)ssum);
	put_oct(h, 148, 7, (uint64_t)ssum);
	buf_put(&b, h, 512);
	add_end(&b);
	check_buf("signed checksum", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_STR(res.e[0].path, "caf\xc3\xa9");
}

static void
test_truncated(void)
{
	struct buf b = { 0 };
	char data[700];
	static const struct {
		size_t at;
		int rc;
		const char *msg;
	} cuts[] = {
		{ 100, ERR_FORMAT, "offset 100: inside a header block (100 of" },
		{ 600, ERR_FORMAT, "offset 600: 612 data bytes of f (header at "
		    "offset 0) missing" },
		{ 1212, ERR_OK, NULL },         /* right after the data */
		{ 1220, ERR_FORMAT, "offset 1220: inside the padding of f" },
		{ 1536, ERR_OK, NULL },         /* no end marker */
		{ 2000, ERR_FORMAT, "inside a header block" },
		{ 2048, ERR_OK, NULL },         /* one zero block */
		{ 2560, ERR_OK, NULL },
	};
	struct buf x = { 0 };
	size_t i;

	memset(data, 'x', sizeof data);
	add_hdr(&b, USTAR, '0', "f", NULL, 700);
	buf_put(&b, data, 700);
	buf_pad(&b);
	add_end(&b);
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		CHECK_EQ(check_all("truncated", b.p, cuts[i].at), 0);
		CHECK_EQ(res.rc, cuts[i].rc);
		if (cuts[i].msg)
			CHECK(has(res.msg, cuts[i].msg));
		CHECK_EQ(res.end, cuts[i].at == 2560);
	}
	buf_free(&b);
	/* Inside an extension header's data. */
	pax_str(&x, "path", "p");
	add_pax(&b, &x);
	CHECK_EQ(check_all("truncated pax", b.p, 520), 0);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK(has(res.msg, "inside the extension header at offset 0"));
	buf_free(&b);
}

static void
test_zero_blocks(void)
{
	struct buf b = { 0 };
	static const uint8_t junk[100] = { 1 };

	add_file(&b, USTAR, "a", "a");
	buf_zero(&b, 512);
	add_file(&b, USTAR, "b", "b");
	check_buf("lone zero block", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK_EQ(res.n, 1);
	CHECK(has(res.msg, "zero block at offset 1024 followed by a non-zero "
	    "block at offset 1536"));

	/* After the end marker anything is consumed and ignored. */
	add_file(&b, USTAR, "a", "a");
	add_end(&b);
	buf_put(&b, junk, sizeof junk);
	add_file(&b, USTAR, "b", "b");
	check_buf("after end", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 1);
	CHECK(res.end);

	check_all("empty input", (const uint8_t *)"", 0);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 0);
}

static void
test_ext_chain_limit(void)
{
	struct buf b = { 0 }, r = { 0 };
	int n, i;

	for (n = 16; n <= 17; n++) {
		for (i = 0; i < n; i++) {
			pax_str(&r, "uid", i % 2 ? "7" : "8");
			add_pax(&b, &r);
		}
		add_file(&b, USTAR, "f", "data");
		add_end(&b);
		check_buf("extension chain", &b);
		if (n == 16) {
			CHECK_EQ(res.rc, ERR_OK);
			CHECK_EQ(res.n, 1);
			CHECK_EQ(res.e[0].uid, 7);
			CHECK_EQ(res.e[0].off, 0);
		} else {
			CHECK_EQ(res.rc, ERR_FORMAT);
			CHECK(has(res.msg, "more than 16 extension headers"));
			CHECK(has(res.msg, "offset 16384"));
		}
	}
}

static void
test_xattrs(void)
{
	struct buf b = { 0 }, r = { 0 };
	char *big = malloc(BOARD_XATTR_MAX);
	static const uint8_t bin[] = { 0, 1, 0xff, '\n', '=' };

	pax_rec(&r, "SCHILY.xattr.user.bin", bin, sizeof bin);
	pax_str(&r, "SCHILY.xattr.user.a", "first");
	pax_str(&r, "SCHILY.xattr.user.e", "");
	add_pax(&b, &r);
	pax_str(&r, "SCHILY.xattr.user.a", "second");
	add_pax(&b, &r);
	add_file(&b, USTAR, "f", "x");
	add_end(&b);
	check_buf("xattrs", &b);
	CHECK_EQ(res.rc, ERR_OK);
	/* The second 'x' header replaces the first one's records (Go). */
	CHECK_EQ(res.e[0].nx, 1);
	CHECK_STR(res.e[0].xattrs, "user.a=7365636f6e64");
	free(b.p);
	memset(&b, 0, sizeof b);
	pax_rec(&r, "SCHILY.xattr.user.bin", bin, sizeof bin);
	pax_str(&r, "SCHILY.xattr.user.a", "first");
	pax_str(&r, "SCHILY.xattr.user.e", "");
	pax_str(&r, "SCHILY.xattr.user.a", "second");
	add_pax(&b, &r);
	add_file(&b, USTAR, "f", "x");
	add_end(&b);
	check_buf("xattrs one header", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.e[0].nx, 3);
	CHECK_STR(res.e[0].xattrs, "user.bin=0001ff0a3d,user.e=,user.a="
	    "7365636f6e64");

	memset(big, 'v', BOARD_XATTR_MAX);
	pax_rec(&r, "SCHILY.xattr.user.a", big, BOARD_XATTR_MAX / 2);
	pax_rec(&r, "SCHILY.xattr.user.b", big, BOARD_XATTR_MAX / 2);
	add_pax(&b, &r);
	add_file(&b, USTAR, "f", "x");
	check_buf("xattrs over the cap", &b);
	CHECK_EQ(res.rc, ERR_NOMEM);
	CHECK(has(res.msg, "BOARD_XATTR_MAX"));
	free(big);
}

static void
test_pax_records(void)
{
	static const struct {
		const char *rec;
		int rc;
		const char *msg;
	} bad[] = {
		{ "5 a=b\n", ERR_FORMAT, "record does not end with a newline" },
		{ "7 a=b\n", ERR_FORMAT, "length runs past" },
		{ "6 ab\n\n", ERR_FORMAT, "missing '='" },
		{ "6 a=bc", ERR_FORMAT, "newline" },
		{ "x a=b\n", ERR_FORMAT, "expected decimal length" },
		{ "6a=bc\n", ERR_FORMAT, "expected decimal length" },
		{ "6 =ab\n", ERR_FORMAT, "empty key" },
		{ "3 a\n", ERR_FORMAT, "too small" },
		{ "11 size=1x\n", ERR_FORMAT, "size is not" },
		{ "11 size=-1\n", ERR_FORMAT, "size is not" },
		{ "28 size=9223372036854775808\n", ERR_FORMAT, "size is not" },
		{ "10 uid=-1\n", ERR_FORMAT, "uid is not" },
		{ "18 gid=4294967296\n", ERR_FORMAT, "gid is not" },
		{ "15 mtime=1.2.3\n", ERR_FORMAT, "mtime" },
		{ "12 mtime=ab\n", ERR_FORMAT, "mtime" },
		{ "12 mtime=.5\n", ERR_FORMAT, "mtime" },
		{ "12 path=a\0b\n", ERR_FORMAT, "path value contains a NUL" },
		{ "16 linkpath=a\0b\n", ERR_FORMAT, "linkpath value" },
		{ "18 SCHILY.xattr.=\n", ERR_FORMAT, "empty xattr name" },
		{ "21 SCHILY.xattr.a\0b=\n", ERR_FORMAT, "key contains a NUL" },
		{ "22 GNU.sparse.major=1\n", ERR_UNSUPPORTED,
		    "sparse file f at offset 0 is not supported" },
		{ "6 a=b\n0", ERR_FORMAT, "record at byte 6 (layer offset 518)" },
		/* an empty value without its newline; garbage after a time;
		 * a key of spaces is a key, then a size below zero */
		{ "4 x=", ERR_FORMAT, "record at byte 0 (layer offset 512): "
		    "length too small" },
		{ "31 mtime=1748089464.951928467a\n", ERR_FORMAT, "mtime is not" },
		{ "7   = \n30 size=-19769411113659727436\n", ERR_FORMAT,
		    "record at byte 7 (layer offset 519): size is not" },
	};
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = strlen(bad[i].rec);

		/* Records holding a NUL: the length is the first number. */
		if (memchr(bad[i].rec, '\n', n) == NULL &&
		    strstr(bad[i].rec, "path") != NULL)
			n = (size_t)strtoul(bad[i].rec, NULL, 10);
		if (strncmp(bad[i].rec, "21 SCHILY", 9) == 0)
			n = 21;
		add_ext(&b, 'x', bad[i].rec, n);
		add_file(&b, USTAR, "f", "x");
		add_end(&b);
		check_buf(bad[i].rec, &b);
		CHECK_EQ(res.rc, bad[i].rc);
		CHECK_EQ(res.n, 0);
		if (!has(res.msg, bad[i].msg)) {
			fprintf(stderr, "  (record %zu)\n", i);
			unit_failed_checks++;
		}
	}
}

static void
test_types(void)
{
	struct buf b = { 0 };
	uint8_t h[512];
	static const struct {
		int type;
		int rc;
		const char *msg;
	} refused[] = {
		{ 'S', ERR_UNSUPPORTED, "sparse file s at offset 0" },
		{ 'M', ERR_UNSUPPORTED, "multi-volume" },
		{ 'N', ERR_UNSUPPORTED, "'N'" },
		{ 'Z', ERR_UNSUPPORTED, "unknown member type 'Z'" },
		{ 'A', ERR_UNSUPPORTED, "unknown member type 'A'" },  /* Solaris ACL */
		{ 0x01, ERR_UNSUPPORTED, "unknown member type 0x01" },
	};
	size_t i;

	add_hdr(&b, GNU, 'V', "volume label", NULL, 0);
	add_file(&b, V7, "v7", "old");
	add_hdr(&b, USTAR, '7', "contig", NULL, 1);
	buf_put(&b, "c", 1);
	buf_pad(&b);
	add_hdr(&b, V7, '\0', "olddir/", NULL, 0);
	add_hdr(&b, GNU, 'D', "dump/", NULL, 5);
	buf_put(&b, "a\0b\0\0", 5);
	buf_pad(&b);
	hdr_make(h, USTAR, '3', "tty", NULL, 0);
	put_oct(h, 329, 8, 4);
	put_oct(h, 337, 8, 64);
	put_oct(h, 100, 8, 0107755);
	hdr_sum(h);
	buf_put(&b, h, 512);
	add_hdr(&b, USTAR, '6', "fifo", NULL, 0);
	add_end(&b);
	check_buf("types", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 6);
	CHECK_STR(res.e[0].path, "v7");
	CHECK_EQ(res.e[0].off, 512);
	CHECK_EQ(res.e[0].type, TAR_REG);
	CHECK_EQ(res.e[1].type, TAR_REG);
	CHECK_EQ(res.e[1].datalen, 1);
	CHECK_EQ(res.e[2].type, TAR_DIR);
	CHECK_EQ(res.e[3].type, TAR_DIR);
	CHECK_EQ(res.e[3].datalen, 0);
	CHECK_EQ(res.e[4].type, TAR_CHR);
	CHECK_EQ(res.e[4].maj, 4);
	CHECK_EQ(res.e[4].min, 64);
	CHECK_EQ(res.e[4].mode, 07755);
	CHECK_EQ(res.e[5].type, TAR_FIFO);

	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		add_hdr(&b, GNU, refused[i].type, "s", NULL, 0);
		add_end(&b);
		check_buf("refused type", &b);
		CHECK_EQ(res.rc, refused[i].rc);
		CHECK(has(res.msg, refused[i].msg));
	}
	/* A corrupt field says which. */
	hdr_make(h, USTAR, '0', "m", NULL, 0);
	memcpy(h + 100, "07x4", 4);
	hdr_sum(h);
	buf_put(&b, h, 512);
	check_buf("bad mode", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK(has(res.msg, "offset 0: field mode"));
}

static void
test_global_header_ignored(void)
{
	struct buf b = { 0 }, r = { 0 };

	pax_str(&r, "path", "evil");
	pax_str(&r, "uid", "0");
	add_ext(&b, 'g', r.p, r.n);
	buf_free(&r);
	add_file(&b, USTAR, "good", "g");
	add_end(&b);
	check_buf("global header", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 1);
	CHECK_STR(res.e[0].path, "good");
	CHECK_EQ(res.e[0].uid, 1000);
	CHECK_EQ(res.e[0].off, 1024);
}

static void
test_sticky_and_init(void)
{
	static struct tar t;
	struct tar_event ev;
	uint8_t z[512] = { 1 };
	size_t used;

	tar_init(&t);
	err_clear();
	CHECK(tar_push(&t, z, sizeof z, &used, &ev) == ERR_FORMAT);
	CHECK_EQ(used, 512);
	CHECK(tar_push(&t, z, sizeof z, &used, &ev) == ERR_FORMAT);
	CHECK_EQ(used, 0);
	CHECK_EQ(tar_finish(&t), ERR_FORMAT);
	tar_init(&t);
	memset(z, 0, sizeof z);
	CHECK_EQ(tar_push(&t, z, sizeof z, &used, &ev), TAR_EV_NONE);
	CHECK_EQ(tar_push(&t, z, sizeof z, &used, &ev), TAR_EV_END);
	CHECK_EQ(tar_push(&t, z, 7, &used, &ev), TAR_EV_NONE);
	CHECK_EQ(used, 7);
	CHECK_EQ(tar_finish(&t), ERR_OK);
}

/* ---- built equivalents of the corpus ------------------------------------- */

/*
 * One test per behaviour the shared corpus exercises, on archives written
 * here: dialects, spellings of numbers, names, PAX and GNU extensions,
 * header-only types, sparse files, malformed headers and odd endings.
 */

struct want {
	const char *path, *link;
	int type;
	uint64_t off, size;   /* header offset; size (== data read for files) */
};

/* Read b through every feeding (check_buf): rc and exactly the n
 * entries of w. */
static void
check_want(const char *what, struct buf *b, int rc, const struct want *w,
    size_t n)
{
	int before = unit_failed_checks;
	size_t i;

	check_buf(what, b);
	CHECK_EQ(res.rc, rc);
	CHECK_EQ(res.n, n);
	for (i = 0; i < n && i < res.n; i++) {
		const struct ent *e = &res.e[i];

		CHECK_STR(e->path, w[i].path);
		CHECK_STR(e->link, w[i].link != NULL ? w[i].link : "");
		CHECK_EQ(e->type, w[i].type);
		CHECK_EQ(e->off, w[i].off);
		CHECK_EQ(e->size, w[i].size);
		CHECK_EQ(e->datalen, w[i].type == TAR_REG ? w[i].size : 0);
	}
	if (unit_failed_checks != before)
		fprintf(stderr, "  (in %s: rc %d \"%s\")\n", what, res.rc, res.msg);
}

/* Read an archive of header h alone (plus the end marker): 1 entry. */
static const struct ent *
one(const char *what, uint8_t *h)
{
	struct buf b = { 0 };

	add_block(&b, h, NULL, 0);
	add_end(&b);
	check_buf(what, &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 1);
	if (res.n != 1)
		fprintf(stderr, "  (in %s: \"%s\")\n", what, res.msg);
	return &res.e[0];
}

/* Two files, a symlink, a hard link and a directory in each dialect. */
static void
test_gen_dialects(void)
{
	static const char *const names[] = { "v7", "ustar", "gnu", "star" };
	static const struct want w[] = {
		{ "small.txt", NULL, TAR_REG, 0, 5 },
		{ "small2.txt", NULL, TAR_REG, 1024, 11 },
		{ "link.txt", "small.txt", TAR_SYMLINK, 2048, 0 },
		{ "hard.txt", "small2.txt", TAR_LINK, 2560, 0 },
		{ "dir/", NULL, TAR_DIR, 3072, 0 },
	};
	char m0[33], m1[33];
	int fmt;

	md5_hex("Kilts", 5, m0);
	md5_hex("Google.com\n", 11, m1);
	for (fmt = V7; fmt <= STAR; fmt++) {
		struct buf b = { 0 };

		add_file(&b, fmt, "small.txt", "Kilts");
		add_file(&b, fmt, "small2.txt", "Google.com\n");
		add_hdr(&b, fmt, '2', "link.txt", "small.txt", 0);
		add_hdr(&b, fmt, '1', "hard.txt", "small2.txt", 0);
		/* v7 has no '5': a regular type with a trailing slash */
		add_hdr(&b, fmt, fmt == V7 ? '\0' : '5', "dir/", NULL, 0);
		add_end(&b);
		check_want(names[fmt], &b, ERR_OK, w, 5);
		CHECK_STR(res.e[0].md5, m0);
		CHECK_STR(res.e[1].md5, m1);
		CHECK_EQ(res.e[0].at, 512);
		CHECK_EQ(res.e[1].at, 1536);
		CHECK_EQ(res.e[1].mode, 0644);
		CHECK_EQ(res.e[1].uid, 1000);
		CHECK_EQ(res.e[1].gid, 1000);
		CHECK_EQ(res.e[1].mtime, 1234567890);
		CHECK_EQ(res.e[1].ns, 0);
		CHECK(res.end);
	}
}

/* Where a header's name comes from: name, ustar/star prefix, GNU fields. */
static void
test_gen_header_names(void)
{
	static const char *const raw[] = {
		"hi\x80\x81\x82\x83" "bye",                  /* not UTF-8 */
		"\xd0\xd2\xc9\xd7\xc5\xd4",                  /* KOI8-R */
		"data/file-with-german-umlaut-ae-\xe4",       /* ISO-8859-1 */
		"\xb4\xc1\xbb\xfa.txt",                      /* EUC-JP */
		"\xe2\x98\xba\xe2\x98\xbb.txt",              /* UTF-8 */
		"/foo/file", "./._mydir", "",
	};
	static const char *const odd[] = {
		"\0\0\0\0\0\0\0\0", "ustar\0\0\0", "utsar\0" "00", "ustar   ",
	};
	char pre[160], name[101], want[300];
	uint8_t h[512];
	size_t i;
	int fmt;

	/* ustar: prefix "/" name, up to 155 + 1 + 100 bytes */
	hdr_make(h, USTAR, '0', "file.txt", NULL, 0);
	put_str(h, 345, 155, "longname/longname/longname/longname/longname/"
	    "longname/longname/longname/longname/longname/longname/longname/"
	    "longname/longname/longname");
	CHECK_STR(one("ustar prefix", h)->path, "longname/longname/longname/"
	    "longname/longname/longname/longname/longname/longname/longname/"
	    "longname/longname/longname/longname/longname/file.txt");
	memset(pre, 'p', 155);
	memset(name, 'n', 100);
	name[100] = '\0';
	hdr_make(h, USTAR, '0', name, NULL, 0);
	memcpy(h + 345, pre, 155);
	snprintf(want, sizeof want, "%.155s/%s", pre, name);
	CHECK_STR(one("ustar full prefix and name", h)->path, want);

	/* star: a 131-byte prefix; what follows is its atime, not name */
	hdr_make(h, STAR, '0', "file", NULL, 0);
	memcpy(h + 345, pre, 131);
	snprintf(want, sizeof want, "%.131s/file", pre);
	CHECK_STR(one("star full prefix", h)->path, want);

	/* GNU: atime and ctime where ustar has the prefix */
	hdr_make(h, GNU, '0', "file", NULL, 0);
	put_oct(h, 345, 12, 1441973427);
	put_oct(h, 357, 12, 1441973436);
	CHECK_STR(one("gnu atime ctime", h)->path, "file");
	/* ... unless they are not numbers but ASCII (Go before 1.8) */
	hdr_make(h, GNU, '\0', "foo", NULL, 0);
	memset(h + 345, 'a', 97);
	put_b256(h, 108, 8, 2097152);
	memset(want, 'a', 97);
	memcpy(want + 97, "/foo", 5);
	CHECK_STR(one("go 1.7 gnu prefix", h)->path, want);
	CHECK_EQ(res.e[0].uid, 2097152);
	CHECK_EQ(res.e[0].type, TAR_REG);
	/* neither numbers nor ASCII: not a name */
	hdr_make(h, GNU, '0', "file", NULL, 0);
	memcpy(h + 345, "\xe2\x98\xba\xe2\x98\xbb", 6);
	CHECK_STR(one("gnu binary atime", h)->path, "file");
	/* v7, or a magic neither POSIX nor GNU (plexus-archiver wrote
	 * "ustar" and NULs): no prefix, whatever is there */
	for (i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		hdr_make(h, V7, '0', "file", NULL, 0);
		memcpy(h + 257, odd[i], 8);
		memcpy(h + 345, "prefix", 6);
		CHECK_STR(one("no prefix", h)->path, "file");
	}

	/* names are bytes: kept as they are, absolute or empty included */
	for (fmt = V7; fmt <= GNU; fmt++) {
		for (i = 0; i < sizeof raw / sizeof raw[0]; i++) {
			hdr_make(h, fmt, '5', raw[i], NULL, 0);
			CHECK_STR(one("raw name", h)->path, raw[i]);
			CHECK_EQ(res.e[0].type, TAR_DIR);
			hdr_make(h, fmt, '1', "/foo/hardlink", raw[i], 0);
			CHECK_STR(one("raw link", h)->link, raw[i]);
		}
	}
}

/* Spellings of numeric fields that writers use, and what they mean. */
static void
test_gen_numbers(void)
{
	static const struct {
		size_t off, len;
		const char *raw;
		int64_t want;
	} rows[] = {
		{ 100, 8, "0000644\0", 0644 },
		{ 100, 8, "000644 \0", 0644 },           /* bsdtar, Perl */
		{ 100, 8, "0000640 ", 0640 },            /* star */
		{ 100, 8, "    644 ", 0644 },
		{ 100, 8, "100664 \0", 0664 },           /* type bits dropped */
		{ 100, 8, "0007755\0", 07755 },
		{ 108, 8, "       \0", 0 },             /* only spaces */
		{ 108, 8, "\0\0\0\0\0\0\0\0", 0 },      /* only NULs */
		{ 116, 8, "10000000", 2097152 },          /* no terminator */
		{ 116, 8, "77777777", 16777215 },
		{ 108, 8, "\x80\0\0\0\0\x20\0\0", 2097152 },   /* base-256 */
		{ 124, 12, "\0\0\0\0\0\0\0" "0016\0", 14 },
		{ 124, 12, "          5\0", 5 },
		{ 124, 12, "00000000005 ", 5 },
		{ 124, 12, "000000000005", 5 },
		{ 124, 12, "\x80\0\0\0\0\0\0\0\0\0\0\x0b", 11 },
		{ 136, 12, "15155542402\0", 015155542402 },  /* past 2^32 */
		{ 136, 12, "77777777777\0", 077777777777 },
		{ 136, 12, "\0\0\0\0\0\0\0\0\0\0\0\0", 0 },
		{ 136, 12, "\xff\xff\xff\xff\xff\xff\xff\xff\x80\r\\\x80",
		    -2146608000 },
		{ 329, 8, "0000001\0", 1 },
		{ 337, 8, "     10 ", 8 },
	};
	/* the checksum between before and after ('@' for a NUL) */
	static const struct {
		const char *before;
		int width;
		const char *after;
	} sums[] = {
		{ "", 6, "@ " }, { "", 7, "@" }, { " ", 5, "@ " }, { "", 7, " " },
		{ "", 8, "" }, { "", 0, "@" },
	};
	char data[16], sum[16];
	uint8_t h[512];
	size_t i;
	unsigned s, k;

	memset(data, 'd', sizeof data);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct buf b = { 0 };
		int dev = rows[i].off >= 329;
		int64_t got = -1;
		size_t n = rows[i].off == 124 ? (size_t)rows[i].want : 0;

		hdr_make(h, USTAR, dev ? '3' : '0', "f", NULL, n);
		memcpy(h + rows[i].off, rows[i].raw, rows[i].len);
		add_block(&b, h, data, n);
		add_end(&b);
		check_buf("number", &b);
		CHECK_EQ(res.rc, ERR_OK);
		switch (rows[i].off) {
		case 100: got = res.e[0].mode; break;
		case 108: got = res.e[0].uid; break;
		case 116: got = res.e[0].gid; break;
		case 124: got = (int64_t)res.e[0].datalen; break;
		case 136: got = res.e[0].mtime; break;
		case 329: got = res.e[0].maj; break;
		default: got = res.e[0].min; break;
		}
		if (got != rows[i].want) {
			fprintf(stderr, "  row %zu: %lld, expected %lld\n", i,
			    (long long)got, (long long)rows[i].want);
			unit_failed_checks++;
		}
	}
	/* device numbers belong to devices only */
	hdr_make(h, USTAR, '0', "f", NULL, 0);
	put_oct(h, 329, 8, 1);
	put_oct(h, 337, 8, 1);
	CHECK_EQ(one("devices on a file", h)->maj, 0);
	CHECK_EQ(res.e[0].type, TAR_REG);

	/* checksum spellings */
	for (k = 0; k < sizeof sums / sizeof sums[0]; k++) {
		struct buf b = { 0 };

		hdr_make(h, USTAR, '0', "f", NULL, 0);
		memset(h + 148, ' ', 8);
		for (i = 0, s = 0; i < 512; i++)
			s += h[i];
		memset(sum, 0, sizeof sum);
		snprintf(sum, sizeof sum, "%s%0*o%s", sums[k].before,
		    sums[k].width, s, sums[k].after);
		for (i = 0; i < 8; i++)
			h[148 + i] = sum[i] == '@' ? 0 : (uint8_t)sum[i];
		buf_put(&b, h, 512);
		add_end(&b);
		check_buf(sum, &b);
		CHECK_EQ(res.rc, ERR_OK);
		CHECK_EQ(res.n, 1);
	}
}

/* Corrupt headers: each is refused, saying which field. */
static void
test_gen_bad_headers(void)
{
	static const struct {
		int type;
		size_t off, len;
		const char *raw, *msg;
	} rows[] = {
		{ '0', 124, 12, "0000000001x\0", "tar header at offset 0: "
		    "field size is not an octal or base-256 number" },
		{ '0', 124, 12, "-0000000001\0", "field size" },
		/* base-256 beyond 64 bits, negative or not, before the type
		 * is looked at */
		{ 'V', 124, 12, "\xff\0\0\0\0\0\0\0\0\0\0 ", "field size" },
		{ 'K', 124, 12, "\x97\0\0\0\0\0\0\0\0\0\0\0", "field size" },
		{ 'S', 124, 12, "\xf4\0\0\0\0\0\0\0\0\0\0\0", "field size" },
		{ 'x', 148, 8, "0114\0" "020", "tar header at offset 0: "
		    "checksum field is not a number" },
		{ '0', 148, 8, "0000001\0", "tar header at offset 0: bad "
		    "checksum: stored 1, computed" },
		{ '0', 100, 8, "0000648\0", "field mode" },
		{ '0', 108, 8, "00017x0\0", "field uid" },
		{ '0', 108, 8, "\x80\0\0\x01\0\0\0\0", "uid 4294967296 out of "
		    "range, expected 0 to 4294967295" },
		{ '0', 136, 12, "1234567890a\0", "field mtime" },
		{ '3', 329, 8, "00x\0\0\0\0\0", "field devmajor" },
		{ '4', 337, 8, "9\0\0\0\0\0\0\0", "field devminor" },
	};
	uint8_t h[512];
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct buf b = { 0 };

		hdr_make(h, GNU, rows[i].type, "f", NULL, 0);
		memcpy(h + rows[i].off, rows[i].raw, rows[i].len);
		if (rows[i].off != 148)
			hdr_sum(h);
		buf_put(&b, h, 512);
		buf_zero(&b, 512);   /* a data block, for the size rows */
		add_end(&b);
		check_buf(rows[i].raw, &b);
		CHECK_EQ(res.rc, ERR_FORMAT);
		CHECK_EQ(res.n, 0);
		if (!has(res.msg, rows[i].msg)) {
			fprintf(stderr, "  (row %zu)\n", i);
			unit_failed_checks++;
		}
	}
	/* a block of text is no header */
	{
		struct buf b = { 0 };

		memset(h, 'A', sizeof h);
		buf_put(&b, h, 512);
		check_buf("text", &b);
		CHECK_EQ(res.rc, ERR_FORMAT);
		CHECK(has(res.msg, "checksum field is not a number"));
	}
}

/* 1, 2, ..., 100 written one after the other: 192 digits. */
static void
digits192(char *out)
{
	size_t o = 0;
	int i;

	for (i = 1; i <= 100; i++)
		o += (size_t)snprintf(out + o, 8, "%d", i);
}

static void
test_gen_pax(void)
{
	struct buf b = { 0 }, r = { 0 };
	char d192[200], path[320], m[33], data[1000];
	uint64_t off[4];

	/* long path, long link target, times with fractions */
	digits192(d192);
	snprintf(path, sizeof path, "a/%s", d192);
	pax_str(&r, "path", path);
	pax_str(&r, "mtime", "1350244992.023960108");
	pax_str(&r, "atime", "1350244992.02396010");
	pax_str(&r, "ctime", "1350244992.02396010");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', path, NULL, 7);      /* first 100 bytes */
	buf_put(&b, "foo\nbar", 7);
	buf_pad(&b);
	pax_str(&r, "linkpath", d192);
	pax_str(&r, "mtime", "1386065770.44825232");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '2', "a/b", d192, 0);
	add_end(&b);
	{
		const struct want w[] = {
			{ path, NULL, TAR_REG, 0, 7 },
			{ "a/b", d192, TAR_SYMLINK, 2048, 0 },
		};
		check_want("pax long names", &b, ERR_OK, w, 2);
	}
	CHECK_EQ(res.e[0].mtime, 1350244992);
	CHECK_EQ(res.e[0].ns, 23960108);
	CHECK_MEM(res.e[0].head, res.e[0].datalen, "foo\nbar");
	CHECK_EQ(res.e[1].ns, 448252320);

	/* a PAX size wins, leading zeros and all; a 0 in the header */
	memset(data, 'z', sizeof data);
	data[0] = 'A';
	data[998] = 'Z';
	pax_str(&r, "size", "000000000000000000000999");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', "foo", NULL, 0);
	buf_put(&b, data, 999);
	buf_pad(&b);
	add_file(&b, USTAR, "next", "n");
	add_end(&b);
	{
		static const struct want w[] = {
			{ "foo", NULL, TAR_REG, 0, 999 },
			{ "next", NULL, TAR_REG, 2560, 1 },
		};
		check_want("pax size with zeros", &b, ERR_OK, w, 2);
	}
	md5_hex(data, 999, m);
	CHECK_STR(res.e[0].md5, m);
	CHECK_EQ(res.e[0].at, 1536);

	/* records for others (including an empty-looking key) are ignored;
	 * an empty value unsets the record, the header's field counts */
	pax_str(&r, "GOLANG.pkg", "tar");
	pax_str(&r, "comment", "Hello, \xe4\xb8\x96\xe7\x95\x8c");
	pax_str(&r, "uname", "longlonglonglonglonglonglonglonglonglong");
	pax_str(&r, "hdrcharset", "BINARY");
	pax_str(&r, "   ", " ");
	pax_str(&r, "SCHILY.acl.access", "user::rw-,group::r--,other::r--");
	pax_str(&r, "LIBARCHIVE.xattr.user.data1", "QUJDREVGRw");
	pax_str(&r, "RHT.security.selinux", "system_u:object_r:admin_home_t:s0");
	pax_str(&r, "uid", "5");
	pax_str(&r, "uid", "");
	pax_str(&r, "mtime", "");
	pax_str(&r, "size", "");
	add_pax(&b, &r);
	add_file(&b, USTAR, "file", "data");
	/* a path that is not UTF-8, with or without hdrcharset */
	pax_str(&r, "path", "abc\xcc\x8cmno\xfcxyz");
	add_pax(&b, &r);
	add_file(&b, USTAR, "x", "");
	pax_str(&r, "hdrcharset", "BINARY");
	pax_str(&r, "path", "abc\xcc\x8cmno\xfcxyz");
	add_pax(&b, &r);
	add_file(&b, USTAR, "x", "");
	add_end(&b);
	{
		static const struct want w[] = {
			{ "file", NULL, TAR_REG, 0, 4 },
			{ "abc\xcc\x8cmno\xfcxyz", NULL, TAR_REG, 2048, 0 },
			{ "abc\xcc\x8cmno\xfcxyz", NULL, TAR_REG, 3584, 0 },
		};
		check_want("pax other records", &b, ERR_OK, w, 3);
	}
	CHECK_EQ(res.e[0].uid, 1000);
	CHECK_EQ(res.e[0].mtime, 1234567890);
	CHECK_EQ(res.e[0].nx, 0);

	/* several 'x' headers before one member: the last one counts */
	pax_str(&r, "path", "PAX1/PAX1/long-path-name");
	pax_str(&r, "uid", "7");
	add_pax(&b, &r);
	pax_str(&r, "path", "PAX2/PAX2/long-path-name");
	add_pax(&b, &r);
	pax_str(&r, "linkpath", "PAX3/PAX3/long-linkpath-name");
	add_pax(&b, &r);
	pax_str(&r, "linkpath", "PAX4/PAX4/long-linkpath-name");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '2', "bar", "foo", 0);
	add_end(&b);
	{
		static const struct want w[] = {
			{ "bar", "PAX4/PAX4/long-linkpath-name", TAR_SYMLINK, 0, 0 },
		};
		check_want("pax several headers", &b, ERR_OK, w, 1);
	}
	CHECK_EQ(res.e[0].uid, 1000);

	/* a long directory name ending in '/', typed '5' or old style */
	memset(path, 'd', 299);
	path[149] = '/';
	path[299] = '/';
	path[300] = '\0';
	pax_str(&r, "path", path);
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '5', path, NULL, 0);
	pax_str(&r, "path", path);
	add_pax(&b, &r);
	add_hdr(&b, V7, '\0', "d", NULL, 0);
	pax_str(&r, "path", path);
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', "d", NULL, 0);   /* '0': a file (Go) */
	add_end(&b);
	{
		const struct want w[] = {
			{ path, NULL, TAR_DIR, 0, 0 },
			{ path, NULL, TAR_DIR, 1536, 0 },
			{ path, NULL, TAR_REG, 3072, 0 },
		};
		check_want("pax directory", &b, ERR_OK, w, 3);
	}

	/* times: negative whole seconds (the header has base-256) */
	pax_str(&r, "mtime", "-2146608000");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', "empty", NULL, 0);
	put_b256(b.p + b.n - 512, 136, 12, -2146608000LL);
	hdr_sum(b.p + b.n - 512);
	add_end(&b);
	check_buf("pax negative time", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.e[0].mtime, -2146608000LL);
	CHECK_EQ(res.e[0].ns, 0);

	/* the global records of 'g' are never applied */
	off[0] = b.n + 1024;
	pax_str(&r, "path", "global1");
	pax_str(&r, "mtime", "1500000000.0");
	add_ext(&b, 'g', r.p, r.n);
	buf_free(&r);
	add_file(&b, USTAR, "file1", "");
	off[1] = b.n;
	pax_str(&r, "path", "file2");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', "ignored", NULL, 0);
	pax_str(&r, "path", "");
	add_ext(&b, 'g', r.p, r.n);
	buf_free(&r);
	off[2] = b.n;
	add_file(&b, USTAR, "file3", "");
	off[3] = b.n;
	pax_str(&r, "mtime", "1400000000");
	add_pax(&b, &r);
	/* a 'g' between an 'x' and its member changes nothing either */
	pax_str(&r, "path", "evil");
	add_ext(&b, 'g', r.p, r.n);
	buf_free(&r);
	add_file(&b, USTAR, "file4", "");
	add_end(&b);
	{
		const struct want w[] = {
			{ "file1", NULL, TAR_REG, off[0], 0 },
			{ "file2", NULL, TAR_REG, off[1], 0 },
			{ "file3", NULL, TAR_REG, off[2], 0 },
			{ "file4", NULL, TAR_REG, off[3], 0 },
		};
		check_want("pax global headers", &b, ERR_OK, w, 4);
	}
	CHECK_EQ(res.e[0].mtime, 1234567890);
	CHECK_EQ(res.e[3].mtime, 1400000000);

	/* an 'x' header and no member: nothing, and no error */
	pax_str(&r, "path", "foo");
	add_pax(&b, &r);
	add_end(&b);
	check_want("pax header alone", &b, ERR_OK, NULL, 0);
	CHECK(res.end);
}

/* xattrs as SCHILY.xattr records: values are bytes, a NUL included. */
static void
test_gen_pax_xattrs(void)
{
	struct buf b = { 0 }, r = { 0 };
	uint8_t ima[265];
	char want[1024];
	size_t i, o;
	static const char selinux[] = "unconfined_u:object_r:default_t:s0";

	for (i = 0; i < sizeof ima; i++)
		ima[i] = (uint8_t)(i * 7 + 3);
	pax_str(&r, "LIBARCHIVE.xattr.user.data1", "QUJDREVGRw");
	pax_str(&r, "SCHILY.xattr.user.data1", "ABCDEFG");
	pax_rec(&r, "SCHILY.xattr.security.selinux", selinux, sizeof selinux);
	pax_rec(&r, "SCHILY.xattr.security.ima", ima, sizeof ima);
	pax_str(&r, "mtime", "5.00000005");
	add_pax(&b, &r);
	add_file(&b, USTAR, "file", "12345678");
	pax_rec(&r, "SCHILY.xattr.security.selinux", selinux, sizeof selinux);
	add_pax(&b, &r);
	add_file(&b, USTAR, "file2", "");
	add_end(&b);
	check_buf("xattrs", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 2);
	CHECK_EQ(res.e[0].nx, 3);
	CHECK_EQ(res.e[0].ns, 50);
	o = (size_t)snprintf(want, sizeof want, "user.data1=41424344454647,"
	    "security.selinux=");
	for (i = 0; i < sizeof selinux; i++)
		o += (size_t)snprintf(want + o, 3, "%02x", (uint8_t)selinux[i]);
	o += (size_t)snprintf(want + o, sizeof want - o, ",security.ima=");
	for (i = 0; i < sizeof ima; i++)
		o += (size_t)snprintf(want + o, 3, "%02x", ima[i]);
	CHECK_STR(res.e[0].xattrs, want);
	CHECK_EQ(res.e[1].nx, 1);
	CHECK(strncmp(res.e[1].xattrs, "security.selinux=756e636f", 25) == 0);
}

/* The bounds of extension headers and their contents. */
static void
test_gen_ext_caps(void)
{
	struct buf b = { 0 }, r = { 0 };
	char num[16];
	char *v = malloc(2 * BOARD_PAX_MAX);
	size_t vlen, big;

	/* a record filling BOARD_PAX_MAX exactly, then one byte more */
	memset(v, 'c', 2 * BOARD_PAX_MAX);
	vlen = BOARD_PAX_MAX - strlen(" comment=\n") -
	    (size_t)snprintf(num, sizeof num, "%u", BOARD_PAX_MAX);
	pax_rec(&r, "comment", v, vlen);
	CHECK_EQ(r.n, BOARD_PAX_MAX);
	add_pax(&b, &r);
	add_file(&b, USTAR, "f", "x");
	add_end(&b);
	check_buf("pax header at the cap", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 1);
	pax_rec(&r, "comment", v, vlen + 1);
	add_pax(&b, &r);
	add_file(&b, USTAR, "f", "x");
	check_buf("pax header over the cap", &b);
	CHECK_EQ(res.rc, ERR_NOMEM);
	CHECK(has(res.msg, "PAX header at offset 0: "));
	CHECK(has(res.msg, "(BOARD_PAX_MAX)"));
	add_ext(&b, 'L', v, BOARD_PAX_MAX + 1);
	check_buf("long name over the cap", &b);
	CHECK_EQ(res.rc, ERR_NOMEM);
	CHECK(has(res.msg, "GNU long name header at offset 0"));

	/* a 'g' header is skipped, not kept: any size */
	big = 2 * BOARD_PAX_MAX;
	pax_rec(&r, "comment", v, big - 20);
	add_ext(&b, 'g', r.p, r.n);
	big = b.n;
	buf_free(&r);
	add_file(&b, USTAR, "f", "x");
	add_end(&b);
	check_buf("big global header", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.n, 1);
	CHECK_EQ(res.e[0].off, big);
	/* ... and one that says 4 GiB, with a whole archive inside */
	add_hdr(&b, USTAR, 'g', "pax_global_header", NULL, (uint64_t)1 << 32);
	add_file(&b, USTAR, "empty", "");
	add_end(&b);
	check_buf("4 GiB global header", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK_EQ(res.n, 0);
	CHECK(has(res.msg, "truncated tar archive at offset 2048: inside the "
	    "extension header at offset 0"));
	free(v);
}

static void
test_gen_gnu_long(void)
{
	struct buf b = { 0 };
	static const char nul_name[] = "0123456789\0garbage after the NUL";
	static const char smiles[] = "\xe2\x98\xba\xe2\x98\xbb\xe2\x98\xb9"
	    "\xe2\x98\xba\xe2\x98\xbb\xe2\x98\xb9\xe2\x98\xba\xe2\x98\xbb"
	    "\xe2\x98\xb9\xe2\x98\xba\xe2\x98\xbb\xe2\x98\xb9\xe2\x98\xba"
	    "\xe2\x98\xbb\xe2\x98\xb9\xe2\x98\xba\xe2\x98\xbb\xe2\x98\xb9"
	    "\xe2\x98\xba\xe2\x98\xbb\xe2\x98\xb9\xe2\x98\xba\xe2\x98\xbb"
	    "\xe2\x98\xb9\xe2\x98\xba\xe2\x98\xbb\xe2\x98\xb9\xe2\x98\xba"
	    "\xe2\x98\xbb\xe2\x98\xb9\xe2\x98\xba\xe2\x98\xbb\xe2\x98\xb9";
	char n200[201], l200[201];
	uint64_t off[5];
	int i;

	/* the name stops at the first NUL of the record */
	off[0] = b.n;
	add_ext(&b, 'L', nul_name, sizeof nul_name);
	add_hdr(&b, GNU, '0', "0123456789", NULL, 0);
	/* several 'L' and 'K': the last of each counts */
	off[1] = b.n;
	add_ext(&b, 'L', "GNU1/GNU1/long-path-name", 25);
	add_ext(&b, 'L', "GNU2/GNU2/long-path-name", 25);
	add_ext(&b, 'K', "GNU3/GNU3/long-linkpath-name", 29);
	add_ext(&b, 'K', "GNU4/GNU4/long-linkpath-name", 29);
	add_hdr(&b, GNU, '2', "bar", "foo", 0);
	/* the same 'L' twice */
	off[2] = b.n;
	add_ext(&b, 'L', "storage/emulated/0/Android/data/app/f", 38);
	add_ext(&b, 'L', "storage/emulated/0/Android/data/app/f", 38);
	add_file(&b, GNU, "storage/emulated/0/Android/data/app/", "abc");
	/* an empty record names nothing */
	off[3] = b.n;
	add_ext(&b, 'L', "", 1);
	add_hdr(&b, GNU, '0', "header-name", NULL, 0);
	/* UTF-8, 105 bytes */
	off[4] = b.n;
	add_ext(&b, 'L', smiles, sizeof smiles);
	add_hdr(&b, GNU, '0', smiles, NULL, 0);
	add_end(&b);
	{
		const struct want w[] = {
			{ "0123456789", NULL, TAR_REG, off[0], 0 },
			{ "GNU2/GNU2/long-path-name", "GNU4/GNU4/long-linkpath-name",
			    TAR_SYMLINK, off[1], 0 },
			{ "storage/emulated/0/Android/data/app/f", NULL, TAR_REG,
			    off[2], 3 },
			{ "header-name", NULL, TAR_REG, off[3], 0 },
			{ smiles, NULL, TAR_REG, off[4], 0 },
		};
		check_want("gnu long names", &b, ERR_OK, w, 5);
	}

	/* 200-byte name and link target; the header holds their start */
	for (i = 0; i < 200; i++) {
		n200[i] = (char)('0' + (i + 1) % 10);
		l200[i] = (char)('a' + i % 10);
	}
	n200[200] = l200[200] = '\0';
	add_ext(&b, 'L', n200, 201);
	add_hdr(&b, GNU, '0', n200, NULL, 0);
	add_ext(&b, 'L', l200, 201);
	add_ext(&b, 'K', n200, 201);
	add_hdr(&b, GNU, '2', l200, n200, 0);
	add_end(&b);
	{
		const struct want w[] = {
			{ n200, NULL, TAR_REG, 0, 0 },
			{ l200, n200, TAR_SYMLINK, 1536, 0 },
		};
		check_want("gnu 200 bytes", &b, ERR_OK, w, 2);
	}
}

/* Deep directories with long names, and a large file among them. */
static void
test_gen_gnu_tree(void)
{
	struct buf b = { 0 };
	struct want w[6];
	char path[6][640], m[33];
	uint8_t *big = malloc(200000);
	size_t i;
	uint32_t x = 1;

	for (i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (uint8_t)(x >> 16);
	}
	for (i = 0; i < 5; i++) {
		if (i == 0)
			snprintf(path[i], sizeof path[i], "%.100s/", "0123456789"
			    "01234567890123456789012345678901234567890123456789"
			    "0123456789012345678901234567890123456789");
		else
			snprintf(path[i], sizeof path[i], "%s%s", path[i - 1],
			    path[0]);
		w[i].path = path[i];
		w[i].link = NULL;
		w[i].type = TAR_DIR;
		w[i].off = b.n;
		w[i].size = 0;
		add_ext(&b, 'L', path[i], strlen(path[i]) + 1);
		add_hdr(&b, GNU, '5', path[i], NULL, 0);
	}
	snprintf(path[5], sizeof path[5], "%.600sbig", path[4]);
	w[5].path = path[5];
	w[5].link = NULL;
	w[5].type = TAR_REG;
	w[5].off = b.n;
	w[5].size = 200000;
	add_ext(&b, 'L', path[5], strlen(path[5]) + 1);
	add_hdr(&b, GNU, '0', path[5], NULL, 200000);
	buf_put(&b, big, 200000);
	buf_pad(&b);
	add_end(&b);
	check_want("gnu tree", &b, ERR_OK, w, 6);
	md5_hex(big, 200000, m);
	CHECK_STR(res.e[5].md5, m);
	CHECK_EQ(res.e[5].at, w[5].off + 1536);
	free(big);
}

/* Types without data have none, whatever their size field says. */
static void
test_gen_header_only(void)
{
	static const struct {
		int type;
		const char *name, *link;
		unsigned maj, min;
	} t[] = {
		{ '5', "dir/", NULL, 0, 0 },
		{ '6', "fifo", NULL, 0, 0 },
		{ '0', "file", NULL, 0, 0 },
		{ '1', "hardlink", "file", 0, 0 },
		{ '3', "null", NULL, 1, 3 },
		{ '4', "sda", NULL, 8, 0 },
		{ '2', "symlink", "file", 0, 0 },
		{ '2', "bad-symlink", "missing", 0, 0 },
	};
	static const uint64_t sizes[] = { 1, 511, 512, 513, 0, 4096, 1000, 7 };
	static const char data[] = "Only the file has data; the others none.\n";
	const size_t dlen = sizeof data - 1;
	struct buf b = { 0 };
	struct want w[16];
	uint8_t h[512];
	size_t i;

	/* each type once with size 0 (ustar), then with a size and no data
	 * (GNU) */
	for (i = 0; i < 16; i++) {
		size_t k = i % 8, n = t[k].type == '0' ? dlen : 0;

		w[i].path = t[k].name;
		w[i].link = t[k].link;
		w[i].type = t[k].type;
		w[i].off = b.n;
		w[i].size = n;
		hdr_make(h, i < 8 ? USTAR : GNU, t[k].type, t[k].name,
		    t[k].link, n > 0 || i < 8 ? n : sizes[k]);
		put_oct(h, 329, 8, t[k].maj);
		put_oct(h, 337, 8, t[k].min);
		add_block(&b, h, data, n);
	}
	add_end(&b);
	check_want("header-only types", &b, ERR_OK, w, 16);
	CHECK_EQ(res.e[12].maj, 1);
	CHECK_EQ(res.e[12].min, 3);
	CHECK_EQ(res.e[13].maj, 8);
	CHECK_MEM(res.e[10].head, res.e[10].datalen, data);

	/* old style: a directory with size 1 and no data, then a ustar one */
	add_hdr(&b, V7, '\0', "directory1/", NULL, 1);
	add_hdr(&b, USTAR, '5', "directory2/", NULL, 0);
	add_end(&b);
	{
		static const struct want ow[] = {
			{ "directory1/", NULL, TAR_DIR, 0, 0 },
			{ "directory2/", NULL, TAR_DIR, 512, 0 },
		};
		check_want("old directory", &b, ERR_OK, ow, 2);
	}
	/* a hard link with the size of its target, last, no end marker */
	memset(h, 'r', sizeof h);
	add_hdr(&b, V7, '0', "docs/READMf", NULL, 321);
	buf_put(&b, h, 321);
	buf_pad(&b);
	add_hdr(&b, V7, '1', "README", "docs/READMf", 321);
	{
		static const struct want hw[] = {
			{ "docs/READMf", NULL, TAR_REG, 0, 321 },
			{ "README", "docs/READMf", TAR_LINK, 1024, 0 },
		};
		check_want("hard link at the end", &b, ERR_OK, hw, 2);
	}
}

/* Sparse files, in each of their spellings, are refused where they are. */
static void
test_gen_sparse(void)
{
	static const char *const pax[][5] = {
		/* GNU 0.0, 0.1, 1.0 */
		{ "GNU.sparse.size=200", "GNU.sparse.numblocks=1",
		    "GNU.sparse.offset=0", "GNU.sparse.numbytes=200", NULL },
		{ "GNU.sparse.size=200", "GNU.sparse.numblocks=1",
		    "GNU.sparse.map=0,200", NULL, NULL },
		{ "GNU.sparse.major=1", "GNU.sparse.minor=0",
		    "GNU.sparse.name=sparse-1.0", "GNU.sparse.realsize=200", NULL },
	};
	struct buf b = { 0 }, r = { 0 };
	uint8_t h[512];
	char msg[128];
	size_t i, k;
	int ext;

	/* GNU 'S': the map in the header, or continued in extra blocks */
	for (ext = 0; ext < 3; ext++) {
		hdr_make(h, GNU, 'S', "sparse-gnu", NULL, ext == 2 ? 0 : 512);
		put_oct(h, 386, 12, 0);
		put_oct(h, 398, 12, ext == 2 ? 0 : 512);
		h[482] = ext == 1;
		put_oct(h, 483, 12, 1000);
		add_block(&b, h, NULL, 0);
		if (ext == 1)
			buf_zero(&b, 512);
		buf_zero(&b, ext == 2 ? 0 : 512);
		add_end(&b);
		check_want("gnu sparse", &b, ERR_UNSUPPORTED, NULL, 0);
		CHECK(has(res.msg, "sparse file sparse-gnu at offset 0 is not "
		    "supported"));
	}
	/* PAX: from its records, at the offset of the 'x' header */
	for (i = 0; i < sizeof pax / sizeof pax[0]; i++) {
		add_file(&b, USTAR, "before", "b");
		for (k = 0; pax[i][k] != NULL; k++) {
			const char *eq = strchr(pax[i][k], '=');
			char key[32];

			snprintf(key, sizeof key, "%.*s", (int)(eq - pax[i][k]),
			    pax[i][k]);
			pax_str(&r, key, eq + 1);
		}
		add_pax(&b, &r);
		add_hdr(&b, USTAR, '0', i == 2 ? "GNUSparseFile.0/sparse-1.0" :
		    "sparse", NULL, 512);
		buf_zero(&b, 1024);
		check_buf("pax sparse", &b);
		CHECK_EQ(res.rc, ERR_UNSUPPORTED);
		CHECK_EQ(res.n, 1);
		snprintf(msg, sizeof msg, "sparse file %s at offset 1024 is not "
		    "supported", i == 2 ? "GNUSparseFile.0/sparse-1.0" : "sparse");
		CHECK(has(res.msg, msg));
	}
	/* GNU incremental: a dumpdir, a file, then the sparse member */
	add_hdr(&b, GNU, 'D', "test2/", NULL, 14);
	buf_put(&b, "Yfoo\0Ysparse\0\0", 14);
	buf_pad(&b);
	add_file(&b, GNU, "test2/foo", "foo\n");
	hdr_make(h, GNU, 'S', "test2/sparse", NULL, 0);
	put_oct(h, 483, 12, (uint64_t)1 << 29);
	add_block(&b, h, NULL, 0);
	add_end(&b);
	{
		static const struct want w[] = {
			{ "test2/", NULL, TAR_DIR, 0, 0 },
			{ "test2/foo", NULL, TAR_REG, 1024, 4 },
		};
		check_want("gnu incremental", &b, ERR_UNSUPPORTED, w, 2);
	}
	CHECK(has(res.msg, "sparse file test2/sparse at offset 2048"));
}

/* How archives end: markers, padding, nothing, or too early. */
static void
test_gen_ends(void)
{
	struct buf b = { 0 }, r = { 0 };
	char data[124];
	static const struct want one_file[] = {
		{ "file", NULL, TAR_REG, 0, 0 },
	};

	/* no end marker after the data's padding, or after a lone header */
	memset(data, 't', sizeof data);
	add_hdr(&b, USTAR, '0', "true", NULL, sizeof data);
	buf_put(&b, data, sizeof data);
	buf_pad(&b);
	check_buf("no end marker", &b);
	CHECK_EQ(res.rc, ERR_OK);
	CHECK_EQ(res.e[0].datalen, sizeof data);
	CHECK(!res.end);
	add_hdr(&b, USTAR, '0', "file", NULL, 0);
	check_want("header only", &b, ERR_OK, one_file, 1);
	/* NULs after the end marker, not a whole block */
	add_hdr(&b, USTAR, '0', "file", NULL, 0);
	add_end(&b);
	buf_zero(&b, 8192 + 408);
	check_want("extra NULs", &b, ERR_OK, one_file, 1);
	CHECK(res.end);
	/* only a volume label, or only a global header (git archive) */
	add_hdr(&b, GNU, 'V', "label", NULL, 0);
	add_end(&b);
	check_want("label only", &b, ERR_OK, NULL, 0);
	CHECK(res.end);
	pax_str(&r, "comment", "a1b2c3");
	add_ext(&b, 'g', r.p, r.n);
	buf_free(&r);
	add_end(&b);
	check_want("global header only", &b, ERR_OK, NULL, 0);

	/* a 16 GiB member whose data never comes: base-256 size ... */
	{
		uint8_t h[512];

		hdr_make(h, GNU, '0', "tmp/16gig.txt", NULL, 0);
		put_b256(h, 124, 12, (int64_t)1 << 34);
		add_block(&b, h, NULL, 0);
	}
	check_buf("16 GiB", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK_EQ(res.n, 1);
	CHECK(res.e[0].size == (uint64_t)1 << 34);
	CHECK_EQ(res.e[0].datalen, 0);
	CHECK(has(res.msg, "truncated tar archive at offset 512: 17179869184 "
	    "data bytes of tmp/16gig.txt (header at offset 0) missing"));
	/* ... or a PAX size */
	pax_str(&r, "path", "longname/longname/longname/longname/longname/"
	    "longname/longname/longname/longname/longname/longname/longname/"
	    "longname/longname/longname/16gig.txt");
	pax_str(&r, "size", "17179869184");
	add_pax(&b, &r);
	add_hdr(&b, USTAR, '0', "16gig.txt", NULL, 0);
	check_buf("16 GiB by PAX", &b);
	CHECK_EQ(res.rc, ERR_FORMAT);
	CHECK_EQ(res.n, 1);
	CHECK(res.e[0].size == (uint64_t)1 << 34);
	CHECK(has(res.msg, "truncated tar archive at offset 1536: 17179869184 "
	    "data bytes of longname/"));
}

/*
 * Bug: a '0' member named "etc/" was read as a directory, so its data was
 * parsed as headers: a member hidden in it ("hidden") reached the rootfs
 * while Go's archive/tar (containerd, docker, scanners) sees one file
 * "etc/" holding those bytes. Now as Go: '0' and '7' with a trailing '/'
 * are files; only the old '\0' type is a directory then (no data read).
 */
static void
test_gen_type0_trailing_slash(void)
{
	struct buf b = { 0 }, inner = { 0 };
	static const struct want w[] = {
		{ "etc/", NULL, TAR_REG, 0, 1024 },
		{ "contig/", NULL, TAR_REG, 1536, 3 },
		{ "gnu/", NULL, TAR_REG, 2560, 0 },
		{ "old/", NULL, TAR_DIR, 4096, 0 },
		{ "after", NULL, TAR_REG, 4608, 2 },
	};

	add_file(&inner, USTAR, "hidden", "evil!");
	CHECK_EQ(inner.n, 1024);
	add_hdr(&b, USTAR, '0', "etc/", NULL, inner.n);
	buf_put(&b, inner.p, inner.n);
	add_hdr(&b, USTAR, '7', "contig/", NULL, 3);
	buf_put(&b, "abc", 3);
	buf_pad(&b);
	add_ext(&b, 'L', "gnu/", 5);
	add_hdr(&b, GNU, '0', "gnu", NULL, 0);
	/* old style: a size but no data blocks (libarchive and Go agree) */
	add_hdr(&b, V7, '\0', "old/", NULL, 1);
	add_file(&b, USTAR, "after", "ok");
	add_end(&b);
	check_want("type 0 with a trailing slash", &b, ERR_OK, w, 5);
	CHECK(res.end);
	buf_free(&inner);
}

int
main(void)
{
	UNIT_RUN_CORPUS(test_real_archives);
	UNIT_RUN_CORPUS(test_real_details);
	UNIT_RUN(test_pax_size_wins);
	UNIT_RUN(test_pax_path_and_gnu_names);
	UNIT_RUN(test_name_caps);
	UNIT_RUN(test_base256);
	UNIT_RUN(test_checksum);
	UNIT_RUN(test_truncated);
	UNIT_RUN(test_zero_blocks);
	UNIT_RUN(test_ext_chain_limit);
	UNIT_RUN(test_xattrs);
	UNIT_RUN(test_pax_records);
	UNIT_RUN(test_types);
	UNIT_RUN(test_global_header_ignored);
	UNIT_RUN(test_sticky_and_init);
	UNIT_RUN(test_gen_dialects);
	UNIT_RUN(test_gen_header_names);
	UNIT_RUN(test_gen_numbers);
	UNIT_RUN(test_gen_bad_headers);
	UNIT_RUN(test_gen_pax);
	UNIT_RUN(test_gen_pax_xattrs);
	UNIT_RUN(test_gen_ext_caps);
	UNIT_RUN(test_gen_gnu_long);
	UNIT_RUN(test_gen_gnu_tree);
	UNIT_RUN(test_gen_header_only);
	UNIT_RUN(test_gen_sparse);
	UNIT_RUN(test_gen_ends);
	UNIT_RUN(test_gen_type0_trailing_slash);
	return UNIT_END();
}
