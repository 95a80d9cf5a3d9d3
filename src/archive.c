/*
 * archive.c: members of an outer tar archive, from a file or a pipe
 * (archive.h). tar.c reads the headers; this file keeps the member table,
 * seeks (a file) or reads on (a pipe), and keeps small members of a pipe.
 */
#include "archive.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "port.h"

typedef unsigned long long ull;

/* Where a member's bytes are. */
enum {
	ARC_INDEXED = 0,   /* a file: at m.off, read with pread */
	ARC_KEPT,          /* a pipe: in store at m.off */
	ARC_OPEN,          /* a pipe: its data is what comes next */
	ARC_PASSED,        /* a pipe: gone by unread */
	ARC_READ           /* a pipe: read once, too large to keep */
};

/* tar_push's result for a member this file does not record. */
#define SKIP 1

/* Bytes read from a file at a time while indexing its headers. */
#define INDEX_READ 8192u

/* The archive is broken: rc (its message recorded) from now on. */
static int
sticky(struct archive *a, int rc)
{
	a->err = rc;
	return rc;
}

static int
broken(struct archive *a, int rc)
{
	return sticky(a, err_prefix(rc, "archive %s", a->name));
}

/*
 * The member name as it is looked up: without leading "./". An absolute
 * name or a ".." component is refused; an empty name (the "./" entry) or
 * one too long to be asked for is skipped (SKIP).
 */
static int
clean_name(struct archive *a, const struct tar_entry *e, const char **out)
{
	const char *p = e->path, *c;
	size_t k;

	*out = p;
	if (p[0] == '/')
		return sticky(a, err_set(ERR_FORMAT, "archive %s: member \"%.200s\" "
		    "at offset %llu has an absolute name", a->name, e->path,
		    (ull)e->offset));
	for (c = p; *c != '\0'; c += k) {
		k = strcspn(c, "/");
		if (k == 2 && c[0] == '.' && c[1] == '.')
			return sticky(a, err_set(ERR_FORMAT, "archive %s: member "
			    "\"%.200s\" at offset %llu has a \"..\" component",
			    a->name, e->path, (ull)e->offset));
		while (c[k] == '/')
			k++;
	}
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	*out = p;
	return *p == '\0' || strlen(p) > ARCHIVE_NAME_MAX ? SKIP : ERR_OK;
}

static int
lookup(const struct archive *a, const char *name)
{
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->m[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Record the member tar has just read (data at off) as *idx: ERR_OK,
 * SKIP, or an error. */
static int
add_member(struct archive *a, uint64_t off, unsigned *idx)
{
	const struct tar_entry *e = tar_entry(&a->tar);
	struct archive_member *m;
	const char *name;
	int rc = clean_name(a, e, &name), i;

	if (rc != ERR_OK)
		return rc;
	if (e->type == TAR_DIR)
		return SKIP;
	i = lookup(a, name);
	if (i >= 0 && (strncmp(name, "blobs/", 6) != 0 || e->type != TAR_REG ||
	    a->m[i].type != TAR_REG))
		return sticky(a, err_set(ERR_FORMAT, "archive %s: member \"%s\" "
		    "appears twice (again at offset %llu)", a->name, name,
		    (ull)e->offset));
	if (i >= 0) {
		/* A blob again (ocipull fetch writes a layer two images share
		 * where each uses it): every copy must hash to its name, so any
		 * will do. A file keeps the first; a pipe takes this one when
		 * the first is gone. */
		m = &a->m[i];
		if (!a->pipe || m->where == ARC_KEPT || m->where == ARC_OPEN)
			return SKIP;
		m->off = off;
		m->size = e->size;
		*idx = (unsigned)i;
		return ERR_OK;
	}
	if (a->n == ARCHIVE_MEMBERS)
		return sticky(a, err_set(ERR_NOMEM, "archive %s: more than %u members "
		    "(ARCHIVE_MEMBERS)", a->name, ARCHIVE_MEMBERS));
	m = &a->m[a->n];
	memcpy(m->name, name, strlen(name) + 1);
	m->off = off;
	m->size = e->size;
	m->type = (uint8_t)e->type;
	m->where = ARC_INDEXED;
	*idx = a->n++;
	return ERR_OK;
}

/* ---- a file ---------------------------------------------------------- */

/* Read every header, seeking past the data: the member table. */
static int
index_file(struct archive *a)
{
	struct tar_event ev;
	unsigned idx;
	size_t used;
	long got;
	int rc;

	for (;;) {
		if (a->at == a->len) {
			got = port_fs_pread(a->fd, a->buf, INDEX_READ, a->tar.off);
			if (got < 0)
				return broken(a, (int)got);
			if (got == 0) {
				rc = tar_finish(&a->tar);
				return rc < 0 ? broken(a, rc) : ERR_OK;
			}
			a->len = (size_t)got;
			a->at = 0;
		}
		rc = tar_push(&a->tar, a->buf + a->at, a->len - a->at, &used, &ev);
		a->at += used;
		if (rc < 0)
			return broken(a, rc);
		if (rc == TAR_EV_END)
			return ERR_OK;
		if (rc != TAR_EV_ENTRY)
			continue;
		rc = add_member(a, a->tar.off, &idx);
		if (rc < 0)
			return rc;
		if (a->tar.off + tar_entry(&a->tar)->size > a->fsize)
			return sticky(a, err_set(ERR_FORMAT, "archive %s is truncated: "
			    "member \"%.200s\" needs %llu bytes from offset %llu, the "
			    "file has %llu", a->name, tar_entry(&a->tar)->path,
			    (ull)tar_entry(&a->tar)->size, (ull)a->tar.off,
			    (ull)a->fsize));
		(void)tar_skip(&a->tar);
		a->at = a->len = 0;
	}
}

/* ---- a pipe ---------------------------------------------------------- */

/* The next tar event of the pipe, reading as needed; TAR_EV_END also at
 * the end of the input (a->eof). */
static int
next(struct archive *a, struct tar_event *ev)
{
	size_t used;
	long got;
	int rc;

	for (;;) {
		rc = tar_push(&a->tar, a->buf + a->at, a->len - a->at, &used, ev);
		a->at += used;
		if (rc < 0)
			return broken(a, rc);
		if (rc == TAR_EV_END)
			a->ended = 1;
		if (rc != TAR_EV_NONE)
			return rc;
		if (a->eof)
			return TAR_EV_END;
		got = port_fs_read(a->fd, a->buf, sizeof a->buf);
		if (got < 0)
			return broken(a, (int)got);
		a->len = (size_t)got;
		a->at = 0;
		if (got == 0) {
			a->eof = a->ended = 1;
			rc = tar_finish(&a->tar);
			return rc < 0 ? broken(a, rc) : TAR_EV_END;
		}
	}
}

/* The member being read is given up: what is left of it passes by. */
static void
drop_current(struct archive *a)
{
	struct archive_member *m = a->cur >= 0 ? &a->m[a->cur] : NULL;

	if (m != NULL && m->where == ARC_OPEN)
		m->where = a->left == 0 && a->keep ? ARC_KEPT :
		    a->left == m->size ? ARC_PASSED : ARC_READ;
	a->cur = -1;
	a->keep = 0;
}

/* Member m of a pipe is read now: keep its bytes too when they fit. */
static void
keep_if_room(struct archive *a, struct archive_member *m)
{
	a->keep = m->type == TAR_REG && m->size <= sizeof a->store - a->stored;
	if (a->keep)
		m->off = a->stored;
}

/*
 * Read on until member want (NULL: to the end). Members on the way are
 * kept in the store when they fit, else passed. ERR_OK with *idx when
 * want came, ERR_NOTFOUND at the end, or an error.
 */
static int
scan(struct archive *a, const char *want, unsigned *idx)
{
	struct archive_member *m;
	struct tar_event ev;
	unsigned i;
	int rc;

	for (;;) {
		rc = next(a, &ev);
		if (rc < 0)
			return rc;
		if (rc == TAR_EV_END && (a->eof || want != NULL))
			return ERR_NOTFOUND;
		if (rc == TAR_EV_DATA && a->keep) {
			memcpy(a->store + a->stored, ev.data, ev.len);
			a->stored += ev.len;
		}
		if (rc == TAR_EV_ENTRY_END)
			drop_current(a);
		if (rc != TAR_EV_ENTRY)
			continue;
		drop_current(a);
		rc = add_member(a, 0, &i);
		if (rc < 0)
			return rc;
		if (rc == SKIP)
			continue;
		m = &a->m[i];
		a->cur = (int)i;
		a->left = m->size;
		if (want != NULL && strcmp(m->name, want) == 0) {
			m->where = ARC_OPEN;
			*idx = i;
			return ERR_OK;
		}
		m->where = ARC_PASSED;
		if (want != NULL) {
			keep_if_room(a, m);
			if (a->keep)
				m->where = ARC_KEPT;
		}
	}
}

/* ---- the interface --------------------------------------------------- */

int
archive_open(struct archive *a, const char *path)
{
	struct port_stat st;
	int rc;

	a->n = 0;
	a->cur = -1;
	a->pipe = a->own = a->ended = a->eof = a->keep = a->err = 0;
	a->pos = a->left = a->fsize = 0;
	a->len = a->at = a->stored = 0;
	tar_init(&a->tar);
	snprintf(a->name, sizeof a->name, "%s", strcmp(path, "-") == 0 ?
	    "on standard input" : path);
	a->fd = strcmp(path, "-") == 0 ? PORT_STDIN :
	    port_fs_open(PORT_CWD, path, PORT_O_READ, 0);
	if (a->fd < 0) {
		rc = a->fd;
		a->fd = -1;
		return broken(a, rc == ERR_NOENT ? ERR_NOTFOUND : rc);
	}
	a->own = a->fd != PORT_STDIN;
	rc = port_fs_stat(a->fd, NULL, &st);
	if (rc < 0) {
		archive_close(a);
		return broken(a, rc);
	}
	if (st.type == PORT_T_DIR) {
		archive_close(a);
		return err_set(ERR_USAGE, "archive %s is a directory (an OCI layout "
		    "is read with oci:DIR)", a->name);
	}
	if (st.type != PORT_T_REG) {
		a->pipe = 1;
		return ERR_OK;
	}
	a->fsize = st.size;
	rc = index_file(a);
	if (rc < 0)
		archive_close(a);
	return rc;
}

void
archive_close(struct archive *a)
{
	if (a->fd >= 0 && a->own)
		port_fs_close(a->fd);
	a->fd = -1;
}

int
archive_find(struct archive *a, const char *name, const char *what,
    unsigned *idx)
{
	int i = lookup(a, name), rc;

	if (a->err != 0)
		return a->err;
	if (i < 0 && a->pipe && !a->ended) {
		drop_current(a);
		rc = scan(a, name, idx);
		if (rc < 0 && rc != ERR_NOTFOUND)
			return err_prefix(rc, "%s", what);
		i = rc == ERR_OK ? (int)*idx : -1;
	} else if (i >= 0 && a->pipe && !a->ended &&
	    strncmp(name, "blobs/", 6) == 0 && (a->m[i].where == ARC_PASSED ||
	    a->m[i].where == ARC_READ)) {
		/* Gone: a blob may be written again further on. */
		drop_current(a);
		rc = scan(a, name, idx);
		if (rc < 0 && rc != ERR_NOTFOUND)
			return err_prefix(rc, "%s", what);
	}
	if (i < 0)
		return err_set(ERR_NOTFOUND, "%s: archive %s has no member %s", what,
		    a->name, name);
	if (a->m[i].type != TAR_REG)
		return err_set(ERR_FORMAT, "%s: member %s of archive %s is not a "
		    "regular file (links in an archive are not followed)", what,
		    name, a->name);
	if (a->m[i].where == ARC_READ ||
	    (a->m[i].where == ARC_OPEN && a->left != a->m[i].size))
		return err_set(ERR_UNSUPPORTED, "%s: archive %s cannot be streamed: "
		    "member %s is asked for a second time, and at %llu bytes it "
		    "was too large to keep. Read the archive from a file (or "
		    "redirect standard input from one)", what, a->name, name,
		    (ull)a->m[i].size);
	if (a->m[i].where == ARC_PASSED)
		return err_set(ERR_UNSUPPORTED, "%s: archive %s cannot be streamed: "
		    "member %s (%llu bytes) came before the documents that name "
		    "it, and was too large to keep. Read the archive from a file "
		    "(or redirect standard input from one)", what, a->name, name,
		    (ull)a->m[i].size);
	*idx = (unsigned)i;
	return ERR_OK;
}

int
archive_begin(struct archive *a, unsigned idx, uint64_t offset,
    uint64_t *from)
{
	struct archive_member *m = &a->m[idx];

	*from = 0;
	if (a->err != 0)
		return a->err;
	if (m->where == ARC_OPEN) {
		if (a->cur != (int)idx || a->left != m->size)
			return err_set(ERR_UNSUPPORTED, "archive %s cannot be streamed: "
			    "member %s is read a second time", a->name, m->name);
		keep_if_room(a, m);
		return ERR_OK;                   /* from its start */
	}
	if (m->where == ARC_PASSED || m->where == ARC_READ)
		return err_set(ERR_UNSUPPORTED, "archive %s cannot be streamed: "
		    "member %s has passed", a->name, m->name);
	if (offset > m->size)
		offset = m->size;
	drop_current(a);
	a->cur = (int)idx;
	a->pos = offset;
	a->left = m->size - offset;
	*from = offset;
	return ERR_OK;
}

int
archive_read(struct archive *a, const uint8_t **p, size_t *n)
{
	struct archive_member *m;
	struct tar_event ev;
	long got;
	int rc;

	if (a->err != 0)
		return a->err;
	if (a->cur < 0)
		return err_set(ERR_INTERNAL, "archive %s: read with no member open",
		    a->name);
	m = &a->m[a->cur];
	if (a->left == 0) {
		drop_current(a);
		return ERR_END;
	}
	if (m->where == ARC_KEPT) {
		*p = a->store + m->off + a->pos;
		*n = (size_t)a->left;
		a->pos += a->left;
		a->left = 0;
		return ERR_OK;
	}
	if (m->where == ARC_INDEXED) {
		got = port_fs_pread(a->fd, a->buf, a->left < sizeof a->buf ?
		    (size_t)a->left : sizeof a->buf, m->off + a->pos);
		if (got == 0)
			return sticky(a, err_set(ERR_FORMAT, "archive %s: the file "
			    "ended at offset %llu inside member %s (%llu bytes "
			    "missing); did it change while it was read?", a->name,
			    (ull)(m->off + a->pos), m->name, (ull)a->left));
		if (got < 0)
			return broken(a, (int)got);
		a->pos += (uint64_t)got;
		a->left -= (uint64_t)got;
		*p = a->buf;
		*n = (size_t)got;
		return ERR_OK;
	}
	do
		rc = next(a, &ev);
	while (rc == TAR_EV_NONE);
	if (rc == TAR_EV_DATA) {
		if (a->keep) {
			memcpy(a->store + a->stored, ev.data, ev.len);
			a->stored += ev.len;
		}
		a->left -= ev.len;
		*p = ev.data;
		*n = ev.len;
		return ERR_OK;
	}
	drop_current(a);
	return rc < 0 ? rc : sticky(a, err_set(ERR_FORMAT, "archive %s: member "
	    "%s ends early", a->name, m->name));
}

int
archive_read_all(struct archive *a, unsigned idx, char *buf, size_t cap,
    size_t *len)
{
	struct archive_member *m = &a->m[idx];
	const uint8_t *p;
	uint64_t from;
	size_t n, got = 0;
	int rc;

	if (a->err != 0)
		return a->err;
	if (m->size > cap)
		return err_set(ERR_NOMEM, "member %s of archive %s: larger than %zu "
		    "bytes (BOARD_JSON_MAX)", m->name, a->name, cap);
	rc = archive_begin(a, idx, 0, &from);
	while (rc == ERR_OK && (rc = archive_read(a, &p, &n)) == ERR_OK) {
		memcpy(buf + got, p, n);
		got += n;
	}
	if (rc != ERR_END)
		return rc;
	*len = got;
	return ERR_OK;
}

int
archive_finish(struct archive *a)
{
	unsigned idx;
	int rc;

	if (a->err != 0 || !a->pipe)
		return a->err;
	drop_current(a);
	rc = scan(a, NULL, &idx);
	return rc == ERR_NOTFOUND ? ERR_OK : rc;
}
