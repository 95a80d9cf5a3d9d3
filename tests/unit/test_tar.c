/*
 * test_tar.c: the streaming tar reader.
 *
 * Archives are built here (ustar, GNU, PAX headers with real checksums) and
 * read from the shared test data (../shared/testdata/tar, or
 * $OCIPULL_TESTDATA/tar). Every archive is fed whole, split in two at
 * every offset (sampled for archives over 64 KiB) and byte by byte; all
 * feedings must give the same transcript of events, entries, data digests
 * and final result with its message. TAR_DUMP=1 prints transcripts.
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

enum { V7, USTAR, GNU };

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
	if (fmt == USTAR)
		memcpy(h + 257, "ustar\0" "00", 8);
	else if (fmt == GNU)
		memcpy(h + 257, "ustar  \0", 8);
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

/* A member with its data and padding. */
static void
add_file(struct buf *b, int fmt, const char *name, const char *data)
{
	add_hdr(b, fmt, '0', name, NULL, strlen(data));
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
	uint64_t size, off, datalen;
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

static void
on_entry_end(struct result *r)
{
	struct ent *e = r->n > 0 && r->n <= ENT_MAX ? &r->e[r->n - 1] : NULL;
	unsigned char d[16];
	char hex[33];
	int i;

	log_add(r, "D at=%llu len=%llu\n", (unsigned long long)span_at,
	    (unsigned long long)span_len);
	if (!want_md5)
		return;
	MD5_FINISH(&md5, d);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
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
	const char *dir = getenv("OCIPULL_TESTDATA");
	char path[1024];
	struct buf b = { 0 };
	uint8_t tmp[65536];
	gzFile gz;
	int k;

	if (dir == NULL)
		dir = "../shared/testdata";
	snprintf(path, sizeof path, "%s/tar/%s", dir, rel);
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

int
main(void)
{
	UNIT_RUN(test_real_archives);
	UNIT_RUN(test_real_details);
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
	return UNIT_END();
}
