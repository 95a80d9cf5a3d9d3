/*
 * dircache.c: a stack of open directory handles by cleaned path. See
 * dircache.h.
 */
#include "dircache.h"

#include <string.h>

#include "port.h"

void
dircache_init(struct dircache *c)
{
	memset(c, 0, sizeof *c);
}

void
dircache_close(struct dircache *c)
{
	while (c->n > 0)
		port_fs_close(c->d[--c->n].fd);
	c->stale = 0;
	c->path[0] = '\0';
}

void
dircache_stale(struct dircache *c)
{
	c->stale = 1;
}

/* Nonzero when c->path[0..len) is dir, or a prefix of it at a component
 * boundary ("" is a prefix of every path). */
static int
prefix_of(const struct dircache *c, size_t len, const char *dir, size_t dlen)
{
	if (len == 0)
		return 1;
	return len <= dlen && memcmp(c->path, dir, len) == 0 &&
	    (dir[len] == '/' || dir[len] == '\0');
}

const struct dircache_dir *
dircache_get(struct dircache *c, const char *dir)
{
	size_t dlen = strlen(dir);
	unsigned i;

	if (c->stale) {
		dircache_close(c);
		return NULL;
	}
	for (i = 0; i < c->n; i++)
		if (c->d[i].len == dlen && prefix_of(c, dlen, dir, dlen))
			return &c->d[i];
	return NULL;
}

const struct dircache_dir *
dircache_put(struct dircache *c, const char *dir,
    const struct dircache_dir *rec)
{
	size_t dlen = strlen(dir);
	struct dircache_dir *d;

	if (c->stale)
		dircache_close(c);
	/* Records are nested: the prefixes of dir are the shallowest ones. */
	while (c->n > 0 && !prefix_of(c, c->d[c->n - 1].len, dir, dlen))
		port_fs_close(c->d[--c->n].fd);
	/* dir itself, opened again: the new handle replaces it. */
	if (c->n > 0 && c->d[c->n - 1].len == dlen)
		port_fs_close(c->d[--c->n].fd);
	if (c->n == DIRCACHE_DEPTH) {
		port_fs_close(c->d[0].fd);
		memmove(&c->d[0], &c->d[1], (DIRCACHE_DEPTH - 1) * sizeof c->d[0]);
		c->n--;
	}
	memcpy(c->path, dir, dlen + 1);
	d = &c->d[c->n++];
	*d = *rec;
	d->len = dlen;
	return d;
}
