/*
 * dircache.h: the directory handles the rootfs writer keeps open between
 * entries, so that entries sharing a parent directory (tar streams group
 * them) resolve it once.
 *
 * The cache is a stack: handles of directories whose cleaned paths
 * (contain.h) are each a prefix of the next, at component boundaries
 * ("", "usr", "usr/lib", ...), at most DIRCACHE_DEPTH of them. A lookup
 * hits only on a path equal to one of them, so an entry that goes back to
 * an ancestor of the last directory hits too. What each handle is, and
 * when it must no longer be trusted, is the writer's knowledge, not the
 * cache's: a handle is put here only after it was opened below the root
 * the way contain_dir opens it (or made by the writer as that path's
 * directory), and the writer marks the whole cache stale before anything
 * that could change which directory a cached path names (rootfs.c says
 * when). A stale cache hits no more; its handles are closed at the next
 * dircache_get, dircache_put or dircache_close, not at once, so the entry
 * being written keeps the parent handle it holds.
 *
 * Memory: struct dircache is caller-owned, one path of BOARD_PATH_MAX bytes
 * and DIRCACHE_DEPTH records; it holds no pointers into itself. It owns
 * the handles put into it.
 *
 * Order of calls:
 *
 *     dircache_init(&c);
 *     d = dircache_get(&c, path);      NULL: a miss (open it, then put)
 *     d = dircache_put(&c, path, &rec);
 *     dircache_stale(&c);              any time
 *     dircache_close(&c);              closes every handle; init again
 *                                      before reuse (also safe twice)
 *
 * A handle returned by dircache_get or dircache_put stays open until the
 * next dircache_get, dircache_put or dircache_close.
 */
#ifndef DIRCACHE_H
#define DIRCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#ifndef DIRCACHE_DEPTH
#define DIRCACHE_DEPTH 8u
#endif

/* One cached directory: its handle and what the writer knows of it. */
struct dircache_dir {
	int fd;
	size_t len;          /* its path is the cache's path[0..len) */
	uint64_t ino;
	uint32_t gid;        /* its group now */
};

struct dircache {
	unsigned n;          /* records in use, the shallowest first */
	int stale;
	struct dircache_dir d[DIRCACHE_DEPTH];
	char path[BOARD_PATH_MAX];  /* the deepest record's path */
};

void dircache_init(struct dircache *c);

/* The record of the cleaned path dir, or NULL (a stale cache closes its
 * handles and misses). */
const struct dircache_dir *dircache_get(struct dircache *c, const char *dir);

/*
 * Take over rec->fd as the handle of the cleaned path dir (shorter than
 * BOARD_PATH_MAX; rec->len is set here): records that are not prefixes of
 * dir are closed (all of them when stale), the shallowest when the stack
 * is full. Returns the record now in the cache.
 */
const struct dircache_dir *dircache_put(struct dircache *c, const char *dir,
    const struct dircache_dir *rec);

/* No cached path may be trusted any more (see above). */
void dircache_stale(struct dircache *c);

/* Close every handle; the cache is then empty. */
void dircache_close(struct dircache *c);

#endif /* DIRCACHE_H */
