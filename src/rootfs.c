/*
 * rootfs.c: the rootfs writer. See rootfs.h for the contract; contain.c
 * keeps paths inside the root, whiteout.c applies whiteouts and decides
 * which layer an object comes from.
 */
#include "rootfs.h"

#include <string.h>

#include "err.h"
#include "rootfs_xattr.h"
#include "tree.h"

#define DIRFLAGS (PORT_O_READ | PORT_O_DIRECTORY | PORT_O_NOFOLLOW)

/* The current entry's path as the arguments of "%.*s". */
#define EPATH(fs) epath_len(fs), epath(fs)

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
epath_len(const struct rootfs *fs)
{
	if (!fs->in_entry || fs->e.path.p == NULL)
		return 0;
	return fs->e.path.n < BOARD_PATH_MAX ? (int)fs->e.path.n :
	    (int)BOARD_PATH_MAX;
}

static const char *
epath(const struct rootfs *fs)
{
	return fs->in_entry && fs->e.path.p != NULL ? fs->e.path.p : "";
}

static int
fail(const struct rootfs *fs, int rc, const char *what)
{
	return err_prefix(rc, "entry %.*s: %s", EPATH(fs), what);
}

/* Nonzero for a view of fewer than BOARD_PATH_MAX bytes without a NUL. */
static int
terminated(struct rootfs_str s)
{
	return s.n < BOARD_PATH_MAX &&
	    (s.n == 0 || memchr(s.p, '\0', s.n) == NULL);
}

struct rootfs_str
rootfs_str(const char *buf, size_t cap)
{
	struct rootfs_str s;
	const char *z = memchr(buf, '\0', cap);

	s.p = buf;
	s.n = z != NULL ? (size_t)(z - buf) : cap;
	return s;
}

static uint32_t
mtime_ns(const struct rootfs_entry *e)
{
	return e->mtime_ns < 1000000000u ? e->mtime_ns : 0;
}

/* contain_make_fn: the implied directory name below cur, 0755, root's as
 * root, a member of the layer that made it. */
static int
make_implied(void *arg, int cur, const char *name)
{
	struct rootfs *fs = arg;
	struct port_stat st;
	uint64_t ino;
	int rc, fd;

	rc = whiteout_claim_dir(&fs->member, cur, &ino);
	if (rc == ERR_OK)
		rc = port_fs_mkdir(cur, name, 0700);
	if (rc < 0)
		return rc;
	fd = port_fs_open(cur, name, DIRFLAGS, 0);
	if (fd < 0)
		return fd;
	rc = port_fs_stat(fd, NULL, &st);
	if (rc == ERR_OK)
		rc = whiteout_made_dir(&fs->member, st.ino, 1);
	if (rc == ERR_OK && fs->is_root)
		rc = port_fs_fchown(fd, 0, 0);
	if (rc == ERR_OK)
		rc = port_fs_fchmod(fd, 0755);
	port_fs_close(fd);
	return rc;
}

/*
 * The parent directory of an entry into *p: the cached handle of that
 * path, or opened below the root, made where missing, claimed, and cached
 * (its handle stays the cache's, see dircache.h). A cached handle was
 * claimed in this layer: the cache is emptied at every layer's start.
 * Returns the handle; errors say what failed: resolving (what) or claiming
 * (claim).
 */
static int
open_parent(struct rootfs *fs, const char *parent, struct dircache_dir *p,
    const char *what, const char *claim)
{
	const struct dircache_dir *d = dircache_get(&fs->dc, parent);
	struct dircache_dir rec;
	struct port_stat st;
	int rc, pfd;

	if (d == NULL) {
		pfd = contain_dir(&fs->contain, parent, make_implied, fs);
		if (pfd < 0)
			return fail(fs, pfd, what);
		rc = port_fs_stat(pfd, NULL, &st);
		if (rc == ERR_OK)
			rc = whiteout_claim_stat(&fs->member, pfd, &st);
		if (rc < 0) {
			port_fs_close(pfd);
			return fail(fs, rc, claim);
		}
		rec.fd = pfd;
		rec.ino = st.ino;
		rec.gid = st.gid;
		d = dircache_put(&fs->dc, parent, &rec);
	}
	*p = *d;
	return p->fd;
}

/* Remove whatever is at name below pfd (directories with their content).
 * Removing a directory or a symlink can change which directory a path
 * names, so no cached handle is trusted after it (anything but a regular
 * file, to be plain). */
static int
clear_name(struct rootfs *fs, int pfd, const char *name)
{
	struct port_stat st;
	int rc = port_fs_stat(pfd, name, &st);

	if (rc == ERR_NOENT) {
		err_clear();
		return ERR_OK;
	}
	if (rc < 0)
		return rc;
	if (st.type != PORT_T_REG)
		dircache_stale(&fs->dc);
	if (st.type == PORT_T_DIR)
		return tree_remove(pfd, name);
	return port_fs_unlink(pfd, name, 0);
}

/* The result rc of making name below pfd the first time: when something
 * was there (ERR_EXIST), it is removed and 1 returned, so the caller makes
 * name once more; else rc. */
static int
made(struct rootfs *fs, int pfd, const char *name, int rc)
{
	if (rc != ERR_EXIST)
		return rc;
	err_clear();
	rc = clear_name(fs, pfd, name);
	return rc < 0 ? rc : 1;
}

/* Nonzero when the kernel makes an object of permission bits mode (no
 * setuid, setgid or sticky bit) with exactly those: the umask clears none
 * of them and no default ACL replaces it. */
static int
exact_mode(const struct rootfs *fs, uint32_t mode)
{
	return fs->modes_exact && (mode & 07000) == 0 && (mode & fs->umask) == 0;
}

/* Nonzero when an object made below a directory of group pgid has the
 * entry's owner already: it gets the writer's uid, and its gid or the
 * directory's (setgid directory, grpid mount), all the entry's. */
static int
owner_given(const struct rootfs *fs, uint32_t pgid)
{
	return fs->e.uid == fs->euid && fs->e.gid == fs->egid &&
	    pgid == fs->egid;
}

/* A whiteout entry (kind as whiteout_name said) below the cleaned parent. */
static int
apply_whiteout(struct rootfs *fs, const char *parent, const char *name,
    int kind, const char *target)
{
	struct dircache_dir p;
	int pfd, rc;

	if (kind == WHITEOUT_BAD)
		return err_set(ERR_FORMAT, "entry %.*s: invalid whiteout "
		    "name %s (expected .wh.NAME or .wh..wh..opq)", EPATH(fs),
		    name);
	pfd = open_parent(fs, parent, &p, "whiteout parent directory",
	    "whiteout");
	if (pfd < 0)
		return pfd;
	/* It may remove directories and symlinks (clear_name). */
	dircache_stale(&fs->dc);
	if (kind == WHITEOUT_OPAQUE)
		rc = whiteout_opaque(&fs->wh, &fs->member, pfd);
	else
		rc = whiteout_remove(&fs->member, pfd, p.ino, target);
	return rc < 0 ? fail(fs, rc, "whiteout") : ERR_OK;
}

/* Record a directory's (inode ino) final mode and mtime for rootfs_finish. */
static int
spill_dir(struct rootfs *fs, uint64_t ino, const char *path)
{
	struct spill_rec r;
	size_t len = strlen(path);
	long w;

	memset(&r, 0, sizeof r);
	r.ino = ino;
	r.mtime_s = fs->e.mtime_s;
	r.mtime_ns = mtime_ns(&fs->e);
	r.mode = fs->e.mode & 07777;
	r.set_mode = !fs->is_root;
	r.len = (uint32_t)len;
	if (sizeof r + len <= sizeof fs->wbuf) {
		/* One write: no file is open while a directory is made. */
		memcpy(fs->wbuf, &r, sizeof r);
		memcpy(fs->wbuf + sizeof r, path, len);
		w = port_fs_write(fs->spill, fs->wbuf, sizeof r + len);
	} else {
		w = port_fs_write(fs->spill, &r, sizeof r);
		if (w >= 0 && len > 0)
			w = port_fs_write(fs->spill, path, len);
	}
	if (w < 0)
		return (int)w;
	fs->spill_count++;
	fs->spill_bytes += sizeof r + len;
	return ERR_OK;
}

/* What set_meta does besides the entry's xattrs. */
enum { META_OWNER = 1, META_DROP = 2, META_MODE = 4 };

/* Owner, xattrs (a declared directory's old ones first dropped), mode, in
 * that order: chown clears setuid/setgid and file capabilities. what
 * (META_*) leaves out what the object has already (see rootfs.h). */
static int
set_meta(struct rootfs *fs, int fd, uint32_t mode, unsigned what)
{
	int rc = ERR_OK;

	if (what & META_OWNER)
		rc = port_fs_fchown(fd, fs->e.uid, fs->e.gid);
	if (rc == ERR_OK && (what & META_DROP))
		rc = rootfs_xattr_drop(fd, fs->xnames, sizeof fs->xnames,
		    fs->is_root);
	if (rc == ERR_OK)
		rc = rootfs_xattr_apply(fd, fs->e.xattrs, fs->e.xattrs_len,
		    fs->e.nxattrs, fs->is_root, &fs->skipped_xattrs);
	if (rc == ERR_OK && (what & META_MODE))
		rc = port_fs_fchmod(fd, mode);
	return rc;
}

/* The directory name below pfd, made (*born 1) where missing or not a
 * directory, with permission bits mode. Returns 0 or an error. */
static int
mkdir_at(struct rootfs *fs, int pfd, const char *name, uint32_t mode,
    int *born)
{
	struct port_stat st;
	int rc = port_fs_mkdir(pfd, name, mode);

	*born = 1;
	if (rc != ERR_EXIST)
		return rc;
	err_clear();
	rc = port_fs_stat(pfd, name, &st);
	if (rc < 0 || st.type == PORT_T_DIR) {
		*born = 0;
		return rc;
	}
	if (st.type != PORT_T_REG)
		dircache_stale(&fs->dc);    /* a symlink, say (clear_name) */
	rc = port_fs_unlink(pfd, name, 0);
	return rc < 0 ? rc : port_fs_mkdir(pfd, name, mode);
}

/*
 * Directory entry (name "" is the root itself). Its handle becomes the
 * cached one of its path full: the entries that follow are likely its
 * children. Owner and mode are set where the new or declared directory
 * has others; changing a declared one's owner lets no cached handle be
 * trusted, as one may know it by another path with its old group.
 */
static int
make_dir(struct rootfs *fs, const char *parent, const char *name,
    const char *full)
{
	struct port_stat st;
	struct dircache_dir p, rec;
	uint32_t mode = fs->e.mode & 07777;
	/* Unprivileged, keep it writable for the children; exact at finish. */
	uint32_t want = fs->is_root ? mode : (mode | 0700);
	unsigned what = 0;
	int pfd, dfd, rc, born = 0;

	if (name[0] == '\0') {
		dfd = port_fs_open(fs->root, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	} else {
		pfd = open_parent(fs, parent, &p, "parent directory",
		    "directory");
		if (pfd < 0)
			return pfd;
		rc = mkdir_at(fs, pfd, name, want & 0777, &born);
		dfd = rc < 0 ? rc : port_fs_open(pfd, name, DIRFLAGS, 0);
	}
	if (dfd < 0)
		return fail(fs, dfd, "directory");
	rc = port_fs_stat(dfd, NULL, &st);
	/* The root is nobody's member: nothing can remove it. */
	if (rc == ERR_OK && name[0] != '\0')
		rc = whiteout_made_dir(&fs->member, st.ino, born);
	if (fs->is_root && (st.uid != fs->e.uid || st.gid != fs->e.gid))
		what |= META_OWNER | META_MODE;
	if (st.mode != want)
		what |= META_MODE;
	if (!born)
		what |= META_DROP;
	if (!born && (what & META_OWNER))
		dircache_stale(&fs->dc);
	if (rc == ERR_OK)
		rc = set_meta(fs, dfd, want, what);
	if (rc == ERR_OK)
		rc = spill_dir(fs, st.ino, full);
	if (rc == ERR_OK && name[0] != '\0') {
		rec.fd = dfd;
		rec.ino = st.ino;
		rec.gid = fs->is_root ? fs->e.gid : st.gid;
		dircache_put(&fs->dc, full, &rec);
	} else {
		port_fs_close(dfd);
	}
	if (rc < 0)
		return fail(fs, rc, "directory metadata");
	fs->dirs++;
	return ERR_OK;
}

/* A message that the hard link target does not exist. */
static int
no_target(const struct rootfs *fs)
{
	return err_set(ERR_FORMAT, "entry %.*s: hard link target %.*s does not "
	    "exist", EPATH(fs), (int)fs->e.link.n, fs->e.link.p);
}

/* Hard link to the entry's link target, resolved like an entry path. */
static int
make_hardlink(struct rootfs *fs, int pfd, const char *name)
{
	struct port_stat tst, st;
	const char *tparent;
	char *tname;
	int tpfd, rc;

	if (!terminated(fs->e.link))
		return err_set(ERR_FORMAT, "entry %.*s: link target not "
		    "terminated", EPATH(fs));
	rc = contain_clean(fs->e.link.p, fs->e.link.n, fs->lpath,
	    sizeof fs->lpath, "hard link target");
	if (rc < 0)
		return fail(fs, rc, "hard link");
	tparent = contain_split(fs->lpath, &tname);
	if (tname[0] == '\0')
		return err_set(ERR_FORMAT, "entry %.*s: hard link to the root "
		    "directory", EPATH(fs));
	tpfd = contain_dir(&fs->contain, tparent, NULL, NULL);
	if (tpfd == ERR_NOENT) {
		err_clear();
		return no_target(fs);
	}
	if (tpfd < 0)
		return fail(fs, tpfd, "hard link target");
	rc = port_fs_stat(tpfd, tname, &tst);
	if (rc == ERR_NOENT) {
		err_clear();
		rc = no_target(fs);
	} else if (rc == ERR_OK && tst.type == PORT_T_DIR) {
		rc = err_set(ERR_FORMAT, "entry %.*s: hard link target %.*s is "
		    "a directory", EPATH(fs), (int)fs->e.link.n, fs->e.link.p);
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
			rc = clear_name(fs, pfd, name);
		if (rc == ERR_OK)
			rc = port_fs_link(tpfd, tname, pfd, name);
	}
	port_fs_close(tpfd);
	return rc < 0 ? fail(fs, rc, "hard link") : ERR_OK;
}

/*
 * A regular file, opened for its data: made first, and only when that
 * finds something there is it looked at and removed. It is made with its
 * final permission bits where the kernel keeps them (no xattrs to set
 * first: unprivileged, user.* needs write permission), else 0600 until
 * rootfs_entry_end sets them; the owner is set there unless it is the
 * one the file got (below the parent p).
 */
static int
make_file(struct rootfs *fs, const struct dircache_dir *p, const char *name)
{
	const unsigned flags = PORT_O_WRITE | PORT_O_CREATE | PORT_O_EXCL |
	    PORT_O_NOFOLLOW;
	uint32_t mode = fs->e.mode & 07777;
	int exact = fs->e.nxattrs == 0 && exact_mode(fs, mode), fd, rc;

	fd = port_fs_open(p->fd, name, flags, exact ? mode : 0600);
	rc = made(fs, p->fd, name, fd < 0 ? fd : ERR_OK);
	if (rc == 1)
		fd = port_fs_open(p->fd, name, flags, exact ? mode : 0600);
	else if (rc < 0)
		return rc;
	if (fd < 0)
		return fd;
	fs->fd = fd;
	/* chown clears only setuid and setgid, which exact excludes. */
	fs->meta = exact ? 0 : META_MODE;
	if (fs->is_root && !owner_given(fs, p->gid))
		fs->meta |= META_OWNER;
	fs->left = fs->e.size;
	fs->files++;
	return ERR_OK;
}

/* The symlink (to fs->lpath), device or FIFO name below pfd. */
static int
make_node(struct rootfs *fs, int pfd, const char *name)
{
	const struct rootfs_entry *e = &fs->e;

	if (e->type == ROOTFS_SYMLINK)
		return port_fs_symlink(fs->lpath, pfd, name);
	return port_fs_mknod(pfd, name, e->type == ROOTFS_CHR ? PORT_T_CHR :
	    e->type == ROOTFS_BLK ? PORT_T_BLK : PORT_T_FIFO, e->mode & 0777,
	    e->devmajor, e->devminor);
}

/* A symlink, device (as root) or FIFO below the parent p: made first
 * (see make_file), metadata by name where the new node has not got it,
 * no xattrs. */
static int
make_special(struct rootfs *fs, const struct dircache_dir *p, const char *name)
{
	const struct rootfs_entry *e = &fs->e;
	int rc, link = e->type == ROOTFS_SYMLINK;

	if (link && (e->link.n == 0 || !terminated(e->link)))
		return err_set(ERR_FORMAT, "symlink target empty or not "
		    "terminated");
	if (link) {
		memcpy(fs->lpath, e->link.p, e->link.n);
		fs->lpath[e->link.n] = '\0';
	}
	rc = made(fs, p->fd, name, make_node(fs, p->fd, name));
	if (rc == 1)
		rc = make_node(fs, p->fd, name);
	if (rc == ERR_OK && fs->is_root && !owner_given(fs, p->gid))
		rc = port_fs_lchown(p->fd, name, e->uid, e->gid);
	if (rc == ERR_OK && !link && !exact_mode(fs, e->mode & 07777))
		rc = port_fs_lchmod(p->fd, name, e->mode & 07777);
	if (rc == ERR_OK)
		rc = port_fs_lutimes(p->fd, name, e->mtime_s, mtime_ns(e));
	fs->skipped_xattrs += e->nxattrs;
	if (rc == ERR_OK && link)
		fs->links++;
	return rc;
}

/* Any entry but a directory or a whiteout, below the cleaned parent; what
 * it makes is the layer's. */
static int
make_object(struct rootfs *fs, const char *parent, const char *name)
{
	struct dircache_dir p;
	int rc, pfd = open_parent(fs, parent, &p, "parent directory", "create");

	if (pfd < 0)
		return pfd;
	if (fs->e.type == ROOTFS_LINK) {
		rc = make_hardlink(fs, pfd, name);
		if (rc == ERR_OK)
			fs->links++;
		fs->skipped_xattrs += fs->e.nxattrs;
	} else if (fs->e.type == ROOTFS_REG) {
		rc = make_file(fs, &p, name);
	} else {
		rc = make_special(fs, &p, name);
	}
	if (rc == ERR_OK)
		rc = whiteout_made_name(&fs->member, p.ino, name);
	if (rc < 0 && fs->e.type == ROOTFS_LINK)
		return rc;    /* make_hardlink's messages name the entry */
	return rc < 0 ? fail(fs, rc, "create") : ERR_OK;
}

/* Nonzero when the kernel makes objects below root with the permission
 * bits asked for less the umask: root has no system.* xattr (a default
 * ACL, an NFSv4 ACL), which directories made below it would inherit (the
 * xattr policy sets none). */
static int
modes_exact(struct rootfs *fs, int root)
{
	long n = port_fs_flistxattr(root, fs->xnames, sizeof fs->xnames), i;

	if (n < 0) {
		err_clear();
		return n == ERR_UNSUPPORTED;
	}
	for (i = 0; i < n; i += (long)strlen(fs->xnames + i) + 1)
		if (strncmp(fs->xnames + i, "system.", 7) == 0)
			return 0;
	return 1;
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
	whiteout_init(&fs->wh);
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
		    "on the root's file system");
	contain_init(&fs->contain, root, rst.dev, rst.ino);
	dircache_init(&fs->dc);
	fs->euid = port_euid();
	fs->egid = port_egid();
	fs->umask = port_umask();
	fs->modes_exact = modes_exact(fs, root);
	whiteout_member_init(&fs->member, work, rst.dev, rst.ino);
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

int
rootfs_layer_begin(struct rootfs *fs, unsigned index)
{
	int rc;

	if (fs->spill < 0 || fs->in_layer)
		return err_set(ERR_INTERNAL, "rootfs_layer_begin: not open, or the "
		    "previous layer did not end");
	/* Cached handles were claimed for the layer before. */
	dircache_close(&fs->dc);
	rc = whiteout_layer_begin(&fs->member, index);
	if (rc < 0)
		return rc;
	fs->in_layer = 1;
	return ERR_OK;
}

int
rootfs_entry(struct rootfs *fs, const struct rootfs_entry *entry)
{
	const struct rootfs_entry *e = &fs->e;
	const char *parent, *target = NULL;
	char *name;
	int rc, kind;

	if (!fs->in_layer || fs->in_entry)
		return err_set(ERR_INTERNAL, "rootfs_entry: outside a layer or "
		    "before the previous entry ended");
	fs->e = *entry;
	fs->in_entry = 1;
	fs->discard = 0;
	fs->left = 0;
	fs->wlen = 0;
	if (!terminated(e->path))
		return err_set(ERR_FORMAT, "entry at offset %llu: path not "
		    "terminated", (unsigned long long)e->offset);
	if (e->uid == UINT32_MAX || e->gid == UINT32_MAX)
		return err_set(ERR_FORMAT, "entry %.*s: %s 4294967295 refused: "
		    "it is (%s_t)-1, for which chown changes nothing", EPATH(fs),
		    e->uid == UINT32_MAX ? "uid" : "gid",
		    e->uid == UINT32_MAX ? "uid" : "gid");
	if (e->type != ROOTFS_REG) {
		/* Nothing but regular files carries data; drop any. */
		fs->discard = 1;
		fs->left = e->size;
	}
	rc = contain_clean(e->path.p, e->path.n, fs->path, sizeof fs->path,
	    "entry");
	if (rc < 0)
		return rc;
	if (fs->path[0] == '\0') {
		if (e->type == ROOTFS_DIR)
			return make_dir(fs, "", "", "");
		return err_set(ERR_ESCAPE, "entry %.*s: would replace the root "
		    "directory with type '%c'", EPATH(fs), e->type);
	}
	/* The full cleaned path, for a directory's spill record. */
	memcpy(fs->lpath, fs->path, strlen(fs->path) + 1);
	parent = contain_split(fs->path, &name);
	/* Only the last component can be a whiteout (whiteout.h). */
	kind = whiteout_name(name, &target);
	if (kind != WHITEOUT_NONE) {
		fs->discard = 1;
		fs->left = e->size;
		return apply_whiteout(fs, parent, name, kind, target);
	}
	if (e->type == ROOTFS_DIR)
		return make_dir(fs, parent, name, fs->lpath);
	if (e->type == ROOTFS_CHR || e->type == ROOTFS_BLK) {
		if (!fs->is_root) {
			fs->skipped_devices++;
			return ERR_OK;
		}
	} else if (e->type != ROOTFS_REG && e->type != ROOTFS_SYMLINK &&
	    e->type != ROOTFS_LINK && e->type != ROOTFS_FIFO) {
		return err_set(ERR_UNSUPPORTED, "entry %.*s: type '%c' not "
		    "handled", EPATH(fs), e->type);
	}
	return make_object(fs, parent, name);
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
	if (!fs->in_entry)
		return err_set(ERR_INTERNAL, "rootfs_data outside an entry");
	if ((uint64_t)n > fs->left)
		return err_set(ERR_FORMAT, "entry %.*s: more data than its "
		    "size %llu", EPATH(fs), (unsigned long long)fs->e.size);
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

	if (!fs->in_entry)
		return err_set(ERR_INTERNAL, "rootfs_entry_end outside an entry");
	if (fs->left != 0 && !fs->discard)
		rc = err_set(ERR_FORMAT, "entry %.*s: %llu data bytes missing",
		    EPATH(fs), (unsigned long long)fs->left);
	if (fs->fd >= 0) {
		if (rc == ERR_OK)
			rc = flush(fs);
		if (rc == ERR_OK)
			rc = set_meta(fs, fs->fd, fs->e.mode & 07777, fs->meta);
		if (rc == ERR_OK)
			rc = port_fs_futimes(fs->fd, fs->e.mtime_s, mtime_ns(&fs->e));
		if (rc < 0 && rc != ERR_FORMAT)
			rc = fail(fs, rc, "file metadata");
		if (port_fs_close(fs->fd) < 0 && rc == ERR_OK)
			rc = fail(fs, ERR_IO, "close");
		fs->fd = -1;
	}
	fs->in_entry = 0;
	fs->wlen = 0;
	return rc;
}

int
rootfs_layer_end(struct rootfs *fs)
{
	if (!fs->in_layer || fs->in_entry)
		return err_set(ERR_INTERNAL, "rootfs_layer_end: no layer, or an "
		    "entry is open");
	dircache_close(&fs->dc);
	fs->in_layer = 0;
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
		dfd = contain_dir(&fs->contain, fs->path, NULL, NULL);
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
	if (rc == ERR_OK)
		whiteout_member_finish(&fs->member);
	return rc;
}

void
rootfs_close(struct rootfs *fs)
{
	dircache_close(&fs->dc);
	if (fs->fd >= 0)
		port_fs_close(fs->fd);
	fs->fd = -1;
	if (fs->spill >= 0)
		port_fs_close(fs->spill);
	fs->spill = -1;
	fs->in_entry = 0;
	fs->in_layer = 0;
}
