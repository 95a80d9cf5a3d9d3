/*
 * member.c: the set of the current layer's objects, on disk. See member.h.
 */
#include "member.h"

#include <string.h>

#include "err.h"
#include "port.h"
#include "sha256.h"

#define LOG_NAME "member.log"
#define TAB_NAME "member.tab"
#define TAB_NEW "member.tab.new"
#define TAB_MIN_BITS 10u
#define TAB_MAX_BITS 40u
#define PROBE_RUN 16u          /* slots a probe reads at once */
#define FILEFLAGS (PORT_O_READ | PORT_O_WRITE | PORT_O_CREATE | \
	PORT_O_TRUNC | PORT_O_NOFOLLOW)

/* ---- keys ------------------------------------------------------------------ */

static void
make_key(uint8_t key[MEMBER_KEY], int kind, uint64_t ino, const char *name,
    int born)
{
	struct sha256 s;
	uint8_t b[9], out[32];
	unsigned i;

	b[0] = (uint8_t)kind;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(ino >> (8 * i));
	sha256_init(&s);
	sha256_update(&s, b, sizeof b);
	if (name != NULL)
		sha256_update(&s, name, strlen(name));
	sha256_final(&s, out);
	memcpy(key, out, MEMBER_KEY);
	key[MEMBER_KEY - 1] = (uint8_t)((key[MEMBER_KEY - 1] & 0xfe) |
	    (born != 0));
	key[0] |= 0x01;    /* never the all-zero empty slot */
}

/* Equal but for the born bit. */
static int
same_key(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, MEMBER_KEY - 1) == 0 &&
	    (a[MEMBER_KEY - 1] & 0xfe) == (b[MEMBER_KEY - 1] & 0xfe);
}

static uint64_t
slot_of(const uint8_t *key, unsigned bits)
{
	uint64_t h = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		h |= (uint64_t)key[1 + i] << (8 * i);
	return h & ((1ull << bits) - 1);
}

/* ---- the table -------------------------------------------------------------- */

/*
 * Find key in the table fd of 2^bits slots: 1 and its slot when there, 0
 * and the empty slot where it would go, or an error. *have gets the
 * stored key.
 */
static int
probe(int fd, unsigned bits, const uint8_t *key, uint64_t *slot,
    uint8_t have[MEMBER_KEY])
{
	static const uint8_t zero[MEMBER_KEY];
	uint8_t run[PROBE_RUN * MEMBER_KEY];
	uint64_t i, mask = (1ull << bits) - 1, s = slot_of(key, bits);
	size_t at = 0, got = 0;

	for (i = 0; i <= mask; i++, s = (s + 1) & mask, at += MEMBER_KEY) {
		if (at == got) {
			/* The slots from s on, up to the table's end, in one read. */
			uint64_t k = mask + 1 - s < PROBE_RUN ? mask + 1 - s : PROBE_RUN;
			long n = port_fs_pread(fd, run, (size_t)k * MEMBER_KEY,
			    s * MEMBER_KEY);

			if (n < 0)
				return (int)n;
			if (n != (long)(k * MEMBER_KEY))
				return err_set(ERR_IO, "membership table: short read");
			at = 0;
			got = (size_t)n;
		}
		memcpy(have, run + at, MEMBER_KEY);
		*slot = s;
		if (memcmp(have, zero, MEMBER_KEY) == 0)
			return 0;
		if (same_key(have, key))
			return 1;
	}
	return err_set(ERR_INTERNAL, "membership table full");
}

/* Put key into table fd: 1 when it was new, 0 when there (its born bit
 * is raised if key has it), or an error. */
static int
put(int fd, unsigned bits, const uint8_t *key)
{
	uint8_t have[MEMBER_KEY];
	uint64_t slot;
	long w;
	int rc = probe(fd, bits, key, &slot, have);

	if (rc < 0)
		return rc;
	if (rc == 1 && (have[MEMBER_KEY - 1] & 1 || !(key[MEMBER_KEY - 1] & 1)))
		return 0;
	w = port_fs_pwrite(fd, key, MEMBER_KEY, slot * MEMBER_KEY);
	if (w < 0)
		return (int)w;
	return rc == 1 ? 0 : 1;
}

/* A new, empty table file name of 2^bits slots. */
static int
new_table(struct member *m, const char *name, unsigned bits)
{
	int fd, rc;

	if (bits > TAB_MAX_BITS)
		return err_set(ERR_NOMEM, "membership table: more than 2^%u keys",
		    TAB_MAX_BITS - 1);
	fd = port_fs_open(m->work, name, FILEFLAGS, 0600);
	if (fd < 0)
		return fd;
	rc = port_fs_truncate(fd, (1ull << bits) * MEMBER_KEY);
	if (rc < 0) {
		port_fs_close(fd);
		return rc;
	}
	return fd;
}

/* Put every key of file src (len bytes, empty slots skipped) into the
 * table to of 2^bits slots, through m->buf. Returns keys added or an
 * error. */
static long
copy_keys(struct member *m, int src, uint64_t len, int to, unsigned bits)
{
	static const uint8_t zero[MEMBER_KEY];
	uint64_t off = 0;
	long added = 0;

	while (off < len) {
		size_t want = len - off < sizeof m->buf ? (size_t)(len - off) :
		    sizeof m->buf, i;
		long n = port_fs_pread(src, m->buf, want, off);

		if (n < 0)
			return n;
		if (n == 0 || (size_t)n % MEMBER_KEY != 0)
			return err_set(ERR_IO, "membership file: short read");
		for (i = 0; i < (size_t)n; i += MEMBER_KEY) {
			int rc;

			if (memcmp(m->buf + i, zero, MEMBER_KEY) == 0)
				continue;
			rc = put(to, bits, m->buf + i);
			if (rc < 0)
				return rc;
			added += rc;
		}
		off += (uint64_t)n;
	}
	return added;
}

/* Double the table. */
static int
grow(struct member *m)
{
	long added;
	int fd = new_table(m, TAB_NEW, m->bits + 1), rc;

	if (fd < 0)
		return fd;
	added = copy_keys(m, m->tab, (1ull << m->bits) * MEMBER_KEY, fd,
	    m->bits + 1);
	rc = added < 0 ? (int)added :
	    port_fs_rename(m->work, TAB_NEW, m->work, TAB_NAME, 0);
	if (rc < 0) {
		port_fs_close(fd);
		return rc;
	}
	port_fs_close(m->tab);
	m->tab = fd;
	m->bits++;
	m->count = (uint64_t)added;
	return ERR_OK;
}

/* 1 when key was new, 0 when it was there, or an error. */
static int
table_put(struct member *m, const uint8_t *key)
{
	int rc;

	if ((m->count + 1) * 2 > (1ull << m->bits)) {
		rc = grow(m);
		if (rc < 0)
			return rc;
	}
	rc = put(m->tab, m->bits, key);
	if (rc > 0)
		m->count++;
	return rc;
}

/* ---- the log, and the switch to the table ------------------------------------ */

static int
flush_log(struct member *m)
{
	long w;

	if (m->pend == 0)
		return ERR_OK;
	w = port_fs_write(m->log, m->buf, m->pend);
	m->pend = 0;
	return w < 0 ? (int)w : ERR_OK;
}

/* First question of the layer: every logged key into a new table. */
static int
build(struct member *m)
{
	unsigned bits = TAB_MIN_BITS;
	long added;
	int rc = flush_log(m), fd;

	if (rc < 0)
		return rc;
	while ((1ull << bits) < 2 * (m->logged + 1))
		bits++;
	fd = new_table(m, TAB_NAME, bits);
	if (fd < 0)
		return fd;
	added = copy_keys(m, m->log, m->logged * MEMBER_KEY, fd, bits);
	if (added < 0) {
		port_fs_close(fd);
		return (int)added;
	}
	m->tab = fd;
	m->bits = bits;
	m->count = (uint64_t)added;
	port_fs_close(m->log);
	m->log = -1;
	(void)port_fs_unlink(m->work, LOG_NAME, 0);
	err_clear();
	return ERR_OK;
}

/* 1 when key is new or, before the table, may be; 0 when it was there;
 * or an error. */
static int
add_key(struct member *m, const uint8_t *key)
{
	int rc;

	if (m->bits > 0)
		return table_put(m, key);
	if (m->log < 0)
		return err_set(ERR_INTERNAL, "member: add before member_begin");
	if (m->pend + MEMBER_KEY > sizeof m->buf) {
		rc = flush_log(m);
		if (rc < 0)
			return rc;
	}
	memcpy(m->buf + m->pend, key, MEMBER_KEY);
	m->pend += MEMBER_KEY;
	m->logged++;
	return 1;
}

static int
has_key(struct member *m, const uint8_t *key, int *born)
{
	uint8_t have[MEMBER_KEY];
	uint64_t slot;
	int rc;

	if (m->bits == 0) {
		if (m->log < 0)
			return err_set(ERR_INTERNAL, "member: question before "
			    "member_begin");
		rc = build(m);
		if (rc < 0)
			return rc;
	}
	rc = probe(m->tab, m->bits, key, &slot, have);
	if (rc == 1 && born != NULL)
		*born = have[MEMBER_KEY - 1] & 1;
	return rc;
}

/* ---- the interface ------------------------------------------------------------ */

void
member_init(struct member *m, int work)
{
	memset(m, 0, sizeof *m);
	m->work = work;
	m->log = -1;
	m->tab = -1;
}

static void
close_files(struct member *m)
{
	if (m->log >= 0)
		port_fs_close(m->log);
	if (m->tab >= 0)
		port_fs_close(m->tab);
	m->log = -1;
	m->tab = -1;
}

int
member_begin(struct member *m)
{
	close_files(m);
	(void)port_fs_unlink(m->work, TAB_NAME, 0);
	err_clear();
	m->bits = 0;
	m->count = 0;
	m->logged = 0;
	m->pend = 0;
	memset(m->cache, 0, sizeof m->cache);
	m->log = port_fs_open(m->work, LOG_NAME, FILEFLAGS, 0600);
	if (m->log < 0)
		return err_prefix(m->log, "layer membership log");
	return m->eager ? build(m) : ERR_OK;
}

static uint64_t *
cache_slot(struct member *m, uint64_t ino)
{
	return &m->cache[(ino * 0x9e3779b97f4a7c15ull >> 32) % MEMBER_CACHE];
}

int
member_add_dir(struct member *m, uint64_t ino, int born)
{
	uint8_t key[MEMBER_KEY];
	uint64_t *c = cache_slot(m, ino);
	int rc;

	/* Known already, with at least this flag: nothing to record. */
	if (*c != 0 && (*c - 1) >> 1 == ino && ((*c - 1) & 1) >= (born != 0))
		return 1;
	make_key(key, 'd', ino, NULL, born);
	rc = add_key(m, key);
	if (rc < 0)
		return rc;
	*c = (ino << 1 | (born != 0)) + 1;
	return rc == 0;
}

int
member_add_name(struct member *m, uint64_t parent, const char *name)
{
	uint8_t key[MEMBER_KEY];
	int rc;

	make_key(key, 'f', parent, name, 0);
	rc = add_key(m, key);
	return rc < 0 ? rc : ERR_OK;
}

int
member_has_dir(struct member *m, uint64_t ino, int *born)
{
	uint8_t key[MEMBER_KEY];
	uint64_t *c = cache_slot(m, ino);
	int rc, b = 0;

	if (*c != 0 && (*c - 1) >> 1 == ino) {
		if (born != NULL)
			*born = (int)((*c - 1) & 1);
		return 1;
	}
	make_key(key, 'd', ino, NULL, 0);
	rc = has_key(m, key, &b);
	if (rc == 1) {
		*c = (ino << 1 | (unsigned)b) + 1;
		if (born != NULL)
			*born = b;
	}
	return rc;
}

int
member_has_name(struct member *m, uint64_t parent, const char *name)
{
	uint8_t key[MEMBER_KEY];

	make_key(key, 'f', parent, name, 0);
	return has_key(m, key, NULL);
}

void
member_finish(struct member *m)
{
	close_files(m);
	(void)port_fs_unlink(m->work, LOG_NAME, 0);
	(void)port_fs_unlink(m->work, TAB_NAME, 0);
	(void)port_fs_unlink(m->work, TAB_NEW, 0);
	err_clear();
}
