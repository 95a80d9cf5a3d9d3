/*
 * rootfs.c: the rootfs writer. See rootfs.h for the contract, the
 * containment rules and how the layer of an object is decided.
 */
#include "rootfs.h"

#include <string.h>

#include "err.h"
#include "tree.h"

#define DIRFLAGS (PORT_O_READ | PORT_O_DIRECTORY | PORT_O_NOFOLLOW)
#define WH ".wh."
#define WH_OPQ ".wh..wh..opq"

/* Spill record of one directory, followed by len path bytes. */
struct spill_rec {
	uint64_t ino;
	int64_t mtime_s;
	uint32_t mtime_ns;
	uint32_t mode;
	uint32_t set_mode;
	uint32_t len;
};

static int
ts_before(int64_t as, uint32_t ans, const struct rootfs_time *b)
{
	return as < b->s || (as == b->s && ans < b->ns);
}

/* Nonzero when the object came from a lower layer. */
static int
is_lower(const struct rootfs *fs, const struct port_stat *st)
{
	if (st->type != PORT_T_DIR && st->has_btime && !fs->no_btime)
		return ts_before(st->btime_s, st->btime_ns, &fs->start);
	return ts_before(st->ctime_s, st->ctime_ns, &fs->start);
}

/* Nonzero for a directory born in this layer (it can hold no lower
 * content). */
static int
born_here(const struct rootfs *fs, const struct port_stat *st)
{
	return st->has_btime && !fs->no_btime &&
	    !ts_before(st->btime_s, st->btime_ns, &fs->start);
}

static int
is_root_dir(const struct rootfs *fs, const struct port_stat *st)
{
	return st->dev == fs->root_dev && st->ino == fs->root_ino;
}

static const char *
epath(const struct rootfs *fs)
{
	return fs->e != NULL ? fs->e->path : "";
}

static int
fail(struct rootfs *fs, int rc, const char *what)
{
	return err_prefix(rc, "entry %s: %s", epath(fs), what);
}

/*
 * Clean path src into dst: no empty, "." or ".." components, no leading
 * or trailing '/'; "" is the root. ".." above the root is dropped for an
 * absolute name and ERR_ESCAPE for a relative one.
 */
static int
path_clean(const char *src, char *dst, size_t cap, const char *what)
{
	size_t len = 0, i = 0;
	int rooted = src[0] == '/';

	while (src[i] != '\0') {
		size_t s, n;

		while (src[i] == '/')
			i++;
		s = i;
		while (src[i] != '\0' && src[i] != '/')
			i++;
		n = i - s;
		if (n == 0 || (n == 1 && src[s] == '.'))
			continue;
		if (n == 2 && src[s] == '.' && src[s + 1] == '.') {
			if (len == 0) {
				if (rooted)
					continue;
				return err_set(ERR_ESCAPE, "%s %s: leaves the root "
				    "directory", what, src);
			}
			while (len > 0 && dst[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		if (n > 255)
			return err_set(ERR_FORMAT, "%s %s: a component is longer than "
			    "255 bytes", what, src);
		if (len + (len > 0) + n >= cap)
			return err_set(ERR_NOMEM, "%s %s: longer than %zu bytes", what,
			    src, cap - 1);
		if (len > 0)
			dst[len++] = '/';
		memcpy(dst + len, src + s, n);
		len += n;
	}
	dst[len] = '\0';
	return ERR_OK;
}

/* Make the directory fd count as this layer's, and its ancestors up to the
 * root. Invariant: a directory of this layer has ancestors of this layer,
 * so the climb stops at the first one. */
static int
claim_dir(struct rootfs *fs, int fd)
{
	struct port_stat st;
	int cur = fd, rc;
	unsigned i;

	rc = port_fs_stat(fd, NULL, &st);
	if (rc < 0)
		return rc;
	if (is_root_dir(fs, &st) ||
	    !ts_before(st.ctime_s, st.ctime_ns, &fs->start))
		return ERR_OK;
	rc = port_fs_fchmod(fd, st.mode);
	for (i = 0; rc == ERR_OK; i++) {
		int up;

		if (i > BOARD_PATH_MAX / 2) {
			rc = err_set(ERR_INTERNAL, "claim: directory deeper than "
			    "BOARD_PATH_MAX below the root");
			break;
		}
		up = port_fs_open(cur, "..", DIRFLAGS, 0);
		if (cur != fd)
			port_fs_close(cur);
		cur = up;
		if (up < 0) {
			rc = up;
			break;
		}
		rc = port_fs_stat(cur, NULL, &st);
		if (rc < 0 || is_root_dir(fs, &st) ||
		    !ts_before(st.ctime_s, st.ctime_ns, &fs->start))
			break;
		rc = port_fs_fchmod(cur, st.mode);
	}
	if (cur >= 0 && cur != fd)
		port_fs_close(cur);
	return rc;
}

/* Create the implied directory name below cur: 0755, root's as root. */
static int
make_implied(struct rootfs *fs, int cur, const char *name)
{
	int rc, fd;

	rc = claim_dir(fs, cur);
	if (rc == ERR_OK)
		rc = port_fs_mkdir(cur, name, 0700);
	if (rc < 0)
		return rc;
	fd = port_fs_open(cur, name, DIRFLAGS, 0);
	if (fd < 0)
		return fd;
	if (fs->is_root)
		rc = port_fs_fchown(fd, 0, 0);
	if (rc == ERR_OK)
		rc = port_fs_fchmod(fd, 0755);
	port_fs_close(fd);
	return rc;
}

/*
 * Open the directory at the cleaned path dir by walking its components
 * from the root with no-follow opens; a symlink restarts resolution at its
 * target (from the root when absolute), ".." at the root stays there.
 * With create, missing directories are made.
 */
static int
walk_dir(struct rootfs *fs, const char *dir, int create)
{
	struct port_stat st;
	size_t pos = 0, len = strlen(dir);
	unsigned hops = 0;
	int cur, rc = ERR_OK;

	if (len >= sizeof fs->walk)
		return err_set(ERR_NOMEM, "path %s too long", dir);
	memmove(fs->walk, dir, len + 1);
	cur = port_fs_open(fs->root, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	for (;;) {
		size_t s, n;
		int next;

		while (fs->walk[pos] == '/')
			pos++;
		if (fs->walk[pos] == '\0')
			return cur;
		s = pos;
		while (fs->walk[pos] != '\0' && fs->walk[pos] != '/')
			pos++;
		n = pos - s;
		if (n >= sizeof fs->name) {
			rc = err_set(ERR_FORMAT, "a path component is longer than "
			    "255 bytes");
			break;
		}
		memcpy(fs->name, fs->walk + s, n);
		fs->name[n] = '\0';
		if (strcmp(fs->name, ".") == 0)
			continue;
		if (strcmp(fs->name, "..") == 0) {
			rc = port_fs_stat(cur, NULL, &st);
			if (rc < 0)
				break;
			if (is_root_dir(fs, &st))
				continue;
			next = port_fs_open(cur, "..", DIRFLAGS, 0);
			if (next < 0) {
				rc = next;
				break;
			}
			port_fs_close(cur);
			cur = next;
			continue;
		}
		rc = port_fs_stat(cur, fs->name, &st);
		if (rc == ERR_NOENT) {
			err_clear();
			if (!create)
				break;
			rc = make_implied(fs, cur, fs->name);
			if (rc < 0)
				break;
			st.type = PORT_T_DIR;
		} else if (rc < 0) {
			break;
		}
		if (st.type == PORT_T_LNK) {
			long t;
			size_t tl, rest = strlen(fs->walk + pos);

			if (++hops > ROOTFS_HOPS_MAX) {
				rc = err_set(ERR_ESCAPE, "more than %u symlinks (a loop?)",
				    ROOTFS_HOPS_MAX);
				break;
			}
			t = port_fs_readlink(cur, fs->name, fs->walk2,
			    sizeof fs->walk2);
			if (t < 0) {
				rc = (int)t;
				break;
			}
			tl = (size_t)t;
			if (tl == 0) {
				rc = err_set(ERR_NOENT, "empty symlink %s", fs->name);
				break;
			}
			if (tl + 1 + rest >= sizeof fs->walk2) {
				rc = err_set(ERR_NOMEM, "path longer than %zu bytes after "
				    "following symlink %s", sizeof fs->walk2 - 1,
				    fs->name);
				break;
			}
			fs->walk2[tl] = '/';
			memcpy(fs->walk2 + tl + 1, fs->walk + pos, rest + 1);
			memcpy(fs->walk, fs->walk2, tl + 1 + rest + 1);
			pos = 0;
			if (fs->walk[0] == '/') {
				next = port_fs_open(fs->root, ".", PORT_O_READ |
				    PORT_O_DIRECTORY, 0);
				if (next < 0) {
					rc = next;
					break;
				}
				port_fs_close(cur);
				cur = next;
			}
			continue;
		}
		if (st.type != PORT_T_DIR) {
			rc = err_set(ERR_FORMAT, "%s is not a directory", fs->name);
			break;
		}
		next = port_fs_open(cur, fs->name, DIRFLAGS, 0);
		if (next < 0) {
			rc = next;
			break;
		}
		port_fs_close(cur);
		cur = next;
	}
	port_fs_close(cur);
	return rc < 0 ? rc : ERR_NOENT;
}

/* Open the directory at cleaned path dir below the root: openat2 first,
 * the walk where it is missing or (with create) where parts are absent. */
static int
resolve_dir(struct rootfs *fs, const char *dir, int create)
{
	if (!fs->force_walk) {
		int fd = port_fs_open_in_root(fs->root, dir[0] ? dir : ".",
		    PORT_O_READ | PORT_O_DIRECTORY, 0);
		if (fd >= 0)
			return fd;
		if (fd == ERR_NOENT && !create)
			return fd;
		if (fd != ERR_UNSUPPORTED && fd != ERR_NOENT)
			return fd;
		err_clear();
	}
	return walk_dir(fs, dir, create);
}

/* Remove whatever is at name below pfd (directories with their content). */
static int
clear_name(int pfd, const char *name)
{
	struct port_stat st;
	int rc = port_fs_stat(pfd, name, &st);

	if (rc == ERR_NOENT) {
		err_clear();
		return ERR_OK;
	}
	if (rc < 0)
		return rc;
	if (st.type == PORT_T_DIR)
		return tree_remove(pfd, name);
	return port_fs_unlink(pfd, name, 0);
}

/* Append a name to fs->opath; ERR_NOMEM past the buffer. */
static int
opath_push(struct rootfs *fs, const char *name)
{
	size_t l = strlen(fs->opath), n = strlen(name);

	if (l + 1 + n >= sizeof fs->opath)
		return err_set(ERR_NOMEM, "opaque directory: tree deeper than "
		    "BOARD_PATH_MAX (%u bytes)", (unsigned)BOARD_PATH_MAX);
	fs->opath[l] = '/';
	memcpy(fs->opath + l + 1, name, n + 1);
	return ERR_OK;
}

/*
 * Opaque marker in directory ofd: remove its lower-layer children, then
 * visit this layer's directories below that existed before the layer (the
 * only ones that can hold lower content) and do the same there. The stack
 * is fs->opath (names below ofd); after returning from a child, the parent
 * continues with the smallest name after it, so no listing is kept open.
 */
static int
opaque(struct rootfs *fs, int ofd)
{
	struct port_stat st;
	int cur, rc = ERR_OK, first = 1;

	fs->opath[0] = '\0';
	fs->after[0] = '\0';
	cur = port_fs_open(ofd, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	for (;;) {
		long n;
		int fd;

		if (first) {
			unsigned removed;
			do {
				removed = 0;
				fd = port_fs_open(cur, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
				if (fd < 0) {
					rc = fd;
					goto out;
				}
				port_fs_dir_open(&fs->dir, fd);
				while ((n = port_fs_dir_next(&fs->dir, fs->name,
				    sizeof fs->name)) > 0) {
					rc = port_fs_stat(cur, fs->name, &st);
					if (rc == ERR_NOENT) {
						err_clear();
						rc = ERR_OK;
						continue;
					}
					if (rc == ERR_OK && is_lower(fs, &st)) {
						rc = st.type == PORT_T_DIR ?
						    tree_remove(cur, fs->name) :
						    port_fs_unlink(cur, fs->name, 0);
						removed++;
					}
					if (rc < 0)
						break;
				}
				port_fs_dir_close(&fs->dir);
				if (n < 0)
					rc = (int)n;
				if (rc < 0)
					goto out;
			} while (removed > 0);
		}
		/* The next directory to visit: smallest name after fs->after. */
		fs->best[0] = '\0';
		fd = port_fs_open(cur, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
		if (fd < 0) {
			rc = fd;
			goto out;
		}
		port_fs_dir_open(&fs->dir, fd);
		while ((n = port_fs_dir_next(&fs->dir, fs->name,
		    sizeof fs->name)) > 0) {
			if (fs->after[0] != '\0' && strcmp(fs->name, fs->after) <= 0)
				continue;
			if (fs->best[0] != '\0' && strcmp(fs->name, fs->best) >= 0)
				continue;
			rc = port_fs_stat(cur, fs->name, &st);
			if (rc < 0)
				break;
			if (st.type == PORT_T_DIR && !born_here(fs, &st))
				memcpy(fs->best, fs->name, (size_t)n + 1);
		}
		port_fs_dir_close(&fs->dir);
		if (n < 0)
			rc = (int)n;
		if (rc < 0)
			goto out;
		if (fs->best[0] != '\0') {
			rc = opath_push(fs, fs->best);
			if (rc < 0)
				goto out;
			fd = port_fs_open(cur, fs->best, DIRFLAGS, 0);
			if (fd < 0) {
				rc = fd;
				goto out;
			}
			port_fs_close(cur);
			cur = fd;
			fs->after[0] = '\0';
			first = 1;
			continue;
		}
		if (fs->opath[0] == '\0')
			break;
		/* Back up one level and continue after this directory's name. */
		{
			char *slash = strrchr(fs->opath, '/');
			size_t l = strlen(slash + 1);

			memcpy(fs->after, slash + 1, l + 1);
			*slash = '\0';
		}
		fd = port_fs_open(cur, "..", DIRFLAGS, 0);
		if (fd < 0) {
			rc = fd;
			goto out;
		}
		port_fs_close(cur);
		cur = fd;
		first = 0;
	}
out:
	port_fs_close(cur);
	return rc;
}

/* ".wh.NAME" below the cleaned parent. */
static int
whiteout(struct rootfs *fs, const char *parent, const char *name)
{
	const char *w = name + strlen(WH);
	struct port_stat st;
	int pfd, rc;

	if (w[0] == '\0' || strcmp(w, ".") == 0 || strcmp(w, "..") == 0)
		return err_set(ERR_FORMAT, "entry %s: invalid whiteout "
		    "name %s (expected .wh.NAME or .wh..wh..opq)", epath(fs), name);
	if (strcmp(name, WH_OPQ) != 0 && strncmp(w, WH, strlen(WH)) == 0)
		return ERR_OK;  /* aufs metadata (.wh..wh.plnk, ...): nothing */
	pfd = resolve_dir(fs, parent, 1);
	if (pfd < 0)
		return fail(fs, pfd, "whiteout parent directory");
	rc = claim_dir(fs, pfd);
	if (rc == ERR_OK && strcmp(name, WH_OPQ) == 0) {
		rc = opaque(fs, pfd);
	} else if (rc == ERR_OK) {
		rc = port_fs_stat(pfd, w, &st);
		if (rc == ERR_NOENT) {
			err_clear();
			rc = ERR_OK;
		} else if (rc == ERR_OK && is_lower(fs, &st)) {
			rc = st.type == PORT_T_DIR ? tree_remove(pfd, w) :
			    port_fs_unlink(pfd, w, 0);
		}
	}
	port_fs_close(pfd);
	return rc < 0 ? fail(fs, rc, "whiteout") : ERR_OK;
}

/* Record a directory's final mode and mtime for rootfs_finish. */
static int
spill_dir(struct rootfs *fs, int dfd, const char *path)
{
	struct spill_rec r;
	struct port_stat st;
	size_t len = strlen(path);
	long w;
	int rc;

	rc = port_fs_stat(dfd, NULL, &st);
	if (rc < 0)
		return rc;
	memset(&r, 0, sizeof r);
	r.ino = st.ino;
	r.mtime_s = fs->e->mtime_s;
	r.mtime_ns = fs->e->mtime_ns < 1000000000u ? fs->e->mtime_ns : 0;
	r.mode = fs->e->mode & 07777;
	r.set_mode = !fs->is_root;
	r.len = (uint32_t)len;
	w = port_fs_write(fs->spill, &r, sizeof r);
	if (w >= 0 && len > 0)
		w = port_fs_write(fs->spill, path, len);
	if (w < 0)
		return (int)w;
	fs->spill_count++;
	fs->spill_bytes += sizeof r + len;
	return ERR_OK;
}

/* Xattrs of the entry on fd, by the policy in rootfs.h. */
static int
set_xattrs(struct rootfs *fs, int fd)
{
	const char *name;
	const void *value;
	size_t pos = 0, len;
	unsigned i;

	for (i = 0; i <= fs->e->nxattrs + 1u &&
	    tar_xattr_next(fs->e, &pos, &name, &value, &len) == 1; i++) {
		int ok, rc;

		if (strncmp(name, "user.overlay.", 13) == 0)
			ok = 0;
		else if (strncmp(name, "user.", 5) == 0)
			ok = 1;
		else if (strcmp(name, "security.capability") == 0)
			ok = fs->is_root;
		else
			ok = 0;   /* trusted.*, security.selinux, ... */
		if (!ok) {
			fs->skipped_xattrs++;
			continue;
		}
		rc = port_fs_fsetxattr(fd, name, value, len);
		if (rc == ERR_UNSUPPORTED) {
			err_clear();
			fs->skipped_xattrs++;
			continue;
		}
		if (rc < 0)
			return rc;
	}
	return ERR_OK;
}

/* Owner, xattrs, mode, in that order: chown clears setuid/setgid and file
 * capabilities. */
static int
set_meta(struct rootfs *fs, int fd, uint32_t mode)
{
	int rc = ERR_OK;

	if (fs->is_root)
		rc = port_fs_fchown(fd, fs->e->uid, fs->e->gid);
	if (rc == ERR_OK)
		rc = set_xattrs(fs, fd);
	if (rc == ERR_OK)
		rc = port_fs_fchmod(fd, mode);
	return rc;
}

static uint32_t
mtime_ns(const struct tar_entry *e)
{
	return e->mtime_ns < 1000000000u ? e->mtime_ns : 0;
}

/* Directory entry (name "" is the root itself). */
static int
make_dir(struct rootfs *fs, const char *parent, const char *name,
    const char *full)
{
	struct port_stat st;
	uint32_t mode = fs->e->mode & 07777;
	int pfd, dfd, rc;

	if (name[0] == '\0') {
		dfd = port_fs_open(fs->root, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	} else {
		pfd = resolve_dir(fs, parent, 1);
		if (pfd < 0)
			return fail(fs, pfd, "parent directory");
		rc = claim_dir(fs, pfd);
		if (rc == ERR_OK)
			rc = port_fs_stat(pfd, name, &st);
		if (rc == ERR_NOENT) {
			err_clear();
			rc = port_fs_mkdir(pfd, name, 0700);
		} else if (rc == ERR_OK && st.type != PORT_T_DIR) {
			rc = port_fs_unlink(pfd, name, 0);
			if (rc == ERR_OK)
				rc = port_fs_mkdir(pfd, name, 0700);
		}
		dfd = rc < 0 ? rc : port_fs_open(pfd, name, DIRFLAGS, 0);
		port_fs_close(pfd);
	}
	if (dfd < 0)
		return fail(fs, dfd, "directory");
	/* Unprivileged, keep it writable for the children; exact at finish. */
	rc = set_meta(fs, dfd, fs->is_root ? mode : (mode | 0700));
	if (rc == ERR_OK)
		rc = spill_dir(fs, dfd, full);
	port_fs_close(dfd);
	if (rc < 0)
		return fail(fs, rc, "directory metadata");
	fs->dirs++;
	return ERR_OK;
}

/* Hard link to the entry's link target, resolved like an entry path. */
static int
make_hardlink(struct rootfs *fs, int pfd, const char *name)
{
	struct port_stat tst, st;
	char *slash, *tname;
	const char *tparent;
	int tpfd, rc;

	if (memchr(fs->e->link, '\0', sizeof fs->e->link) == NULL)
		return err_set(ERR_FORMAT, "entry %s: link target not "
		    "terminated", epath(fs));
	rc = path_clean(fs->e->link, fs->lpath, sizeof fs->lpath,
	    "hard link target");
	if (rc < 0)
		return fail(fs, rc, "hard link");
	slash = strrchr(fs->lpath, '/');
	if (slash != NULL) {
		*slash = '\0';
		tparent = fs->lpath;
		tname = slash + 1;
	} else {
		tparent = "";
		tname = fs->lpath;
	}
	if (tname[0] == '\0')
		return err_set(ERR_FORMAT, "entry %s: hard link to the root "
		    "directory", epath(fs));
	tpfd = resolve_dir(fs, tparent, 0);
	if (tpfd == ERR_NOENT) {
		err_clear();
		return err_set(ERR_FORMAT, "entry %s: hard link target %s "
		    "does not exist", epath(fs), fs->e->link);
	}
	if (tpfd < 0)
		return fail(fs, tpfd, "hard link target");
	rc = port_fs_stat(tpfd, tname, &tst);
	if (rc == ERR_NOENT) {
		err_clear();
		rc = err_set(ERR_FORMAT, "entry %s: hard link target %s "
		    "does not exist", epath(fs), fs->e->link);
	} else if (rc == ERR_OK && tst.type == PORT_T_DIR) {
		rc = err_set(ERR_FORMAT, "entry %s: hard link target %s is "
		    "a directory", epath(fs), fs->e->link);
	} else if (rc == ERR_OK) {
		rc = port_fs_stat(pfd, name, &st);
		if (rc == ERR_OK && st.dev == tst.dev && st.ino == tst.ino) {
			port_fs_close(tpfd);
			return ERR_OK;    /* already that inode */
		}
		if (rc == ERR_NOENT) {
			err_clear();
			rc = ERR_OK;
		}
		if (rc == ERR_OK)
			rc = clear_name(pfd, name);
		if (rc == ERR_OK)
			rc = port_fs_link(tpfd, tname, pfd, name);
	}
	port_fs_close(tpfd);
	return rc < 0 ? fail(fs, rc, "hard link") : ERR_OK;
}

static int
rootfs_open_spill(struct rootfs *fs, int root, int work, int is_root, int keep)
{
	struct port_stat rst, wst;
	int rc;

	memset(fs, 0, sizeof *fs);
	fs->root = root;
	fs->work = work;
	fs->is_root = is_root != 0;
	fs->fd = -1;
	fs->spill = -1;
	fs->dir.fd = -1;
	rc = port_fs_stat(root, NULL, &rst);
	if (rc == ERR_OK)
		rc = port_fs_stat(work, NULL, &wst);
	if (rc < 0)
		return err_prefix(rc, "rootfs: root or work directory");
	if (rst.type != PORT_T_DIR || wst.type != PORT_T_DIR)
		return err_set(ERR_INTERNAL, "rootfs: root and work must be "
		    "directories");
	if (rst.dev != wst.dev)
		return err_set(ERR_UNSUPPORTED, "rootfs: the work directory must be "
		    "on the root's file system (layer times are compared)");
	fs->root_dev = rst.dev;
	fs->root_ino = rst.ino;
	fs->spill = port_fs_open(work, "dirs.spill", PORT_O_WRITE | PORT_O_CREATE |
	    (keep ? PORT_O_APPEND : PORT_O_TRUNC) | PORT_O_NOFOLLOW, 0600);
	if (fs->spill < 0)
		return err_prefix(fs->spill, "rootfs: spill file in the work "
		    "directory");
	return ERR_OK;
}

int
rootfs_open(struct rootfs *fs, int root, int work, int is_root)
{
	return rootfs_open_spill(fs, root, work, is_root, 0);
}

int
rootfs_reopen(struct rootfs *fs, int root, int work, int is_root,
    uint64_t count, uint64_t bytes)
{
	struct port_stat st;
	int rc = rootfs_open_spill(fs, root, work, is_root, 1);

	if (rc < 0)
		return rc;
	rc = port_fs_stat(fs->spill, NULL, &st);
	if (rc == ERR_OK && st.size < bytes)
		rc = err_set(ERR_FORMAT, "rootfs: the spill file holds %llu bytes, "
		    "the journal says %llu", (unsigned long long)st.size,
		    (unsigned long long)bytes);
	if (rc == ERR_OK)
		rc = port_fs_truncate(fs->spill, bytes);
	if (rc < 0) {
		rootfs_close(fs);
		return err_prefix(rc, "rootfs: resuming");
	}
	fs->spill_count = count;
	fs->spill_bytes = bytes;
	return ERR_OK;
}

void
rootfs_spill_mark(const struct rootfs *fs, uint64_t *count, uint64_t *bytes)
{
	*count = fs->spill_count;
	*bytes = fs->spill_bytes;
}

/* A fresh timestamp of the file system: change the probe, read it back. */
static int
fs_now(struct rootfs *fs, struct rootfs_time *t)
{
	struct port_stat st;
	int fd, rc;

	fd = port_fs_open(fs->work, "layer.probe", PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_NOFOLLOW, 0600);
	if (fd < 0)
		return fd;
	rc = port_fs_fchmod(fd, 0600);
	if (rc == ERR_OK)
		rc = port_fs_fchmod(fd, 0644);
	if (rc == ERR_OK)
		rc = port_fs_stat(fd, NULL, &st);
	port_fs_close(fd);
	if (rc < 0)
		return rc;
	t->s = st.ctime_s;
	t->ns = st.ctime_ns;
	return ERR_OK;
}

int
rootfs_layer_begin(struct rootfs *fs, unsigned index)
{
	struct rootfs_time mark, now;
	uint64_t t0;
	int rc;

	if (fs->spill < 0 || fs->in_layer)
		return err_set(ERR_INTERNAL, "rootfs_layer_begin: not open, or the "
		    "previous layer did not end");
	fs->layer = index;
	rc = fs_now(fs, &mark);
	if (rc < 0)
		return err_prefix(rc, "file system clock");
	if (ts_before(mark.s, mark.ns, &fs->last))
		return err_set(ERR_IO, "the file system clock went back "
		    "(%lld.%09u before %lld.%09u); layers cannot be told apart",
		    (long long)mark.s, mark.ns, (long long)fs->last.s,
		    fs->last.ns);
	/* Wait for a timestamp strictly after everything before this call. */
	t0 = port_mono_ms();
	for (;;) {
		rc = fs_now(fs, &now);
		if (rc < 0)
			return err_prefix(rc, "file system clock");
		if (ts_before(mark.s, mark.ns, &now))
			break;
		if (port_mono_ms() - t0 > ROOTFS_TICK_WAIT_MS)
			return err_set(ERR_IO, "the file system's change times "
			    "did not advance in %u ms", ROOTFS_TICK_WAIT_MS);
		port_sleep_ms(1);
	}
	fs->start = now;
	fs->last = now;
	fs->in_layer = 1;
	return ERR_OK;
}

int
rootfs_entry(struct rootfs *fs, const struct tar_entry *e)
{
	char *slash, *name;
	const char *parent;
	int rc, pfd;

	if (!fs->in_layer || fs->e != NULL)
		return err_set(ERR_INTERNAL, "rootfs_entry: outside a layer or "
		    "before the previous entry ended");
	fs->e = e;
	fs->discard = 0;
	fs->left = 0;
	fs->wlen = 0;
	if (memchr(e->path, '\0', sizeof e->path) == NULL)
		return err_set(ERR_FORMAT, "entry at offset %llu: path not "
		    "terminated", (unsigned long long)e->offset);
	if (e->type != TAR_REG) {
		/* Nothing but regular files carries data; drop any. */
		fs->discard = 1;
		fs->left = e->size;
	}
	rc = path_clean(e->path, fs->path, sizeof fs->path, "entry");
	if (rc < 0)
		return rc;
	if (fs->path[0] == '\0') {
		if (e->type == TAR_DIR)
			return make_dir(fs, "", "", "");
		return err_set(ERR_ESCAPE, "entry %s: would replace the root "
		    "directory with type '%c'", e->path, e->type);
	}
	/* The full cleaned path, for a directory's spill record. */
	memcpy(fs->lpath, fs->path, strlen(fs->path) + 1);
	slash = strrchr(fs->path, '/');
	if (slash != NULL) {
		*slash = '\0';
		parent = fs->path;
		name = slash + 1;
	} else {
		parent = "";
		name = fs->path;
	}
	/* Whiteout names are reserved: none may stay in the rootfs. */
	if (strncmp(parent, WH, strlen(WH)) == 0 || strstr(parent, "/" WH) != NULL)
		return err_set(ERR_FORMAT, "entry %s: a whiteout name used "
		    "as a directory", e->path);
	if (strncmp(name, WH, strlen(WH)) == 0) {
		fs->discard = 1;
		fs->left = e->size;
		return whiteout(fs, parent, name);
	}
	if (e->type == TAR_DIR)
		return make_dir(fs, parent, name, fs->lpath);
	if (e->type == TAR_CHR || e->type == TAR_BLK) {
		if (!fs->is_root) {
			fs->skipped_devices++;
			return ERR_OK;
		}
	} else if (e->type != TAR_REG && e->type != TAR_SYMLINK &&
	    e->type != TAR_LINK && e->type != TAR_FIFO) {
		return err_set(ERR_UNSUPPORTED, "entry %s: type '%c' not "
		    "handled", e->path, e->type);
	}

	pfd = resolve_dir(fs, parent, 1);
	if (pfd < 0)
		return fail(fs, pfd, "parent directory");
	rc = claim_dir(fs, pfd);
	if (rc < 0)
		goto out;
	switch (e->type) {
	case TAR_LINK:
		rc = make_hardlink(fs, pfd, name);
		if (rc == ERR_OK)
			fs->links++;
		fs->skipped_xattrs += e->nxattrs;
		port_fs_close(pfd);
		return rc;
	case TAR_REG:
		rc = clear_name(pfd, name);
		if (rc < 0)
			goto out;
		fs->fd = port_fs_open(pfd, name, PORT_O_WRITE | PORT_O_CREATE |
		    PORT_O_EXCL | PORT_O_NOFOLLOW, 0600);
		if (fs->fd < 0) {
			rc = fs->fd;
			fs->fd = -1;
			goto out;
		}
		fs->left = e->size;
		fs->files++;
		break;
	case TAR_SYMLINK:
		if (memchr(e->link, '\0', sizeof e->link) == NULL || e->link[0] == '\0') {
			rc = err_set(ERR_FORMAT, "symlink target empty or not "
			    "terminated");
			goto out;
		}
		rc = clear_name(pfd, name);
		if (rc == ERR_OK)
			rc = port_fs_symlink(e->link, pfd, name);
		if (rc == ERR_OK && fs->is_root)
			rc = port_fs_lchown(pfd, name, e->uid, e->gid);
		if (rc == ERR_OK)
			rc = port_fs_lutimes(pfd, name, e->mtime_s, mtime_ns(e));
		fs->skipped_xattrs += e->nxattrs;
		if (rc == ERR_OK)
			fs->links++;
		break;
	default:   /* devices (as root) and FIFOs */
		rc = clear_name(pfd, name);
		if (rc == ERR_OK)
			rc = port_fs_mknod(pfd, name, e->type == TAR_CHR ? PORT_T_CHR :
			    e->type == TAR_BLK ? PORT_T_BLK : PORT_T_FIFO,
			    e->mode & 0777, e->devmajor, e->devminor);
		if (rc == ERR_OK && fs->is_root)
			rc = port_fs_lchown(pfd, name, e->uid, e->gid);
		if (rc == ERR_OK)
			rc = port_fs_lchmod(pfd, name, e->mode & 07777);
		if (rc == ERR_OK)
			rc = port_fs_lutimes(pfd, name, e->mtime_s, mtime_ns(e));
		fs->skipped_xattrs += e->nxattrs;
		break;
	}
out:
	port_fs_close(pfd);
	return rc < 0 ? fail(fs, rc, "create") : ERR_OK;
}

static int
flush(struct rootfs *fs)
{
	long w;

	if (fs->wlen == 0)
		return ERR_OK;
	w = port_fs_write(fs->fd, fs->wbuf, fs->wlen);
	fs->wlen = 0;
	return w < 0 ? (int)w : ERR_OK;
}

int
rootfs_data(struct rootfs *fs, const uint8_t *p, size_t n)
{
	if (fs->e == NULL)
		return err_set(ERR_INTERNAL, "rootfs_data outside an entry");
	if ((uint64_t)n > fs->left)
		return err_set(ERR_FORMAT, "entry %s: more data than its "
		    "size %llu", epath(fs),
		    (unsigned long long)fs->e->size);
	fs->left -= n;
	if (fs->discard || fs->fd < 0)
		return ERR_OK;
	fs->bytes += n;
	while (n > 0) {
		size_t room = sizeof fs->wbuf - fs->wlen, k = n < room ? n : room;
		int rc;

		memcpy(fs->wbuf + fs->wlen, p, k);
		fs->wlen += k;
		p += k;
		n -= k;
		if (fs->wlen == sizeof fs->wbuf) {
			rc = flush(fs);
			if (rc < 0)
				return fail(fs, rc, "write");
		}
	}
	return ERR_OK;
}

int
rootfs_entry_end(struct rootfs *fs)
{
	int rc = ERR_OK;

	if (fs->e == NULL)
		return err_set(ERR_INTERNAL, "rootfs_entry_end outside an entry");
	if (fs->left != 0 && !fs->discard)
		rc = err_set(ERR_FORMAT, "entry %s: %llu data bytes missing",
		    epath(fs), (unsigned long long)fs->left);
	if (fs->fd >= 0) {
		if (rc == ERR_OK)
			rc = flush(fs);
		if (rc == ERR_OK)
			rc = set_meta(fs, fs->fd, fs->e->mode & 07777);
		if (rc == ERR_OK)
			rc = port_fs_futimes(fs->fd, fs->e->mtime_s, mtime_ns(fs->e));
		if (rc < 0 && rc != ERR_FORMAT)
			rc = fail(fs, rc, "file metadata");
		if (port_fs_close(fs->fd) < 0 && rc == ERR_OK)
			rc = fail(fs, ERR_IO, "close");
		fs->fd = -1;
	}
	fs->e = NULL;
	fs->wlen = 0;
	return rc;
}

int
rootfs_layer_end(struct rootfs *fs)
{
	struct rootfs_time now;
	int rc;

	if (!fs->in_layer || fs->e != NULL)
		return err_set(ERR_INTERNAL, "rootfs_layer_end: no layer, or an "
		    "entry is open");
	fs->in_layer = 0;
	rc = fs_now(fs, &now);
	if (rc < 0)
		return err_prefix(rc, "file system clock");
	if (ts_before(now.s, now.ns, &fs->start))
		return err_set(ERR_IO, "the file system clock went back "
		    "during the layer; whiteouts may be wrong");
	fs->last = now;
	return ERR_OK;
}

static int
read_exact(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		long n = port_fs_read(fd, p, len);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return ERR_END;
		p += n;
		len -= (size_t)n;
	}
	return ERR_OK;
}

int
rootfs_finish(struct rootfs *fs)
{
	struct spill_rec r;
	struct port_stat st;
	uint64_t i;
	int fd, rc = ERR_OK;

	if (fs->spill < 0 || fs->in_layer)
		return err_set(ERR_INTERNAL, "rootfs_finish: not open or in a layer");
	port_fs_close(fs->spill);
	fs->spill = -1;
	fd = port_fs_open(fs->work, "dirs.spill", PORT_O_READ | PORT_O_NOFOLLOW, 0);
	if (fd < 0)
		return err_prefix(fd, "rootfs: spill file");
	/* Records in layer order: the last one of a directory wins. */
	for (i = 0; i < fs->spill_count; i++) {
		int dfd;

		rc = read_exact(fd, &r, sizeof r);
		if (rc == ERR_OK && r.len >= sizeof fs->path)
			rc = err_set(ERR_INTERNAL, "spill record %llu: bad length",
			    (unsigned long long)i);
		if (rc == ERR_OK)
			rc = read_exact(fd, fs->path, r.len);
		if (rc != ERR_OK) {
			if (rc == ERR_END)
				rc = err_set(ERR_IO, "spill file truncated at record %llu",
				    (unsigned long long)i);
			break;
		}
		fs->path[r.len] = '\0';
		dfd = resolve_dir(fs, fs->path, 0);
		if (dfd < 0) {
			/* Removed or replaced by a later layer. */
			err_clear();
			rc = ERR_OK;
			continue;
		}
		rc = port_fs_stat(dfd, NULL, &st);
		if (rc == ERR_OK && st.ino == r.ino) {
			if (r.set_mode)
				rc = port_fs_fchmod(dfd, r.mode);
			if (rc == ERR_OK)
				rc = port_fs_futimes(dfd, r.mtime_s, r.mtime_ns);
		}
		port_fs_close(dfd);
		if (rc < 0) {
			rc = err_prefix(rc, "directory /%s", fs->path);
			break;
		}
	}
	port_fs_close(fd);
	/* The spill file stays until the work directory goes: a run killed
	 * after this point, before its commit, finishes the same tree again
	 * from it. */
	if (rc == ERR_OK) {
		(void)port_fs_unlink(fs->work, "layer.probe", 0);
		err_clear();
	}
	return rc;
}

void
rootfs_close(struct rootfs *fs)
{
	if (fs->fd >= 0)
		port_fs_close(fs->fd);
	fs->fd = -1;
	if (fs->spill >= 0)
		port_fs_close(fs->spill);
	fs->spill = -1;
	fs->e = NULL;
	fs->in_layer = 0;
}
