/*
 * stage.c: staging directory, journal and commit (see stage.h).
 */
#include "stage.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"
#include "port.h"
#include "tree.h"

/* ---- the journal ------------------------------------------------------------- */

/* Append line to the journal and make it durable. */
static int
journal_append(const struct stage *st, const char *line, size_t len)
{
	int rc = (int)port_fs_write(st->jfd, line, len);

	if (rc >= 0 && !st->o.no_sync)
		rc = port_fs_fsync(st->jfd);
	return rc < 0 ? err_prefix(rc, "journal") : ERR_OK;
}

static int
journal_start(struct stage *st, const struct image *img)
{
	char line[160];
	int n;

	st->jfd = port_fs_open(st->sfd, "journal", PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_EXCL | PORT_O_APPEND | PORT_O_NOFOLLOW, 0600);
	if (st->jfd < 0)
		return err_prefix(st->jfd, "journal");
	n = snprintf(line, sizeof line, "ocipull-journal 1 %s %zu\n",
	    img->manifest.digest, img->nlayers);
	return journal_append(st, line, (size_t)n);
}

/* A decimal field of a journal line: the byte after it, or NULL. */
static const char *
jnum(const char *p, uint64_t *v)
{
	size_t used;

	return lex_dec(p, strlen(p), UINT64_MAX, 0, v, &used) == LEX_DEC_OK ?
	    p + used : NULL;
}

/*
 * How many layers of img the journal in the staging directory records as
 * verified (0 when there is no usable journal: another image, a commit
 * under way, a torn or foreign file), with the spill mark of the last.
 * Only whole lines count: a line cut by a power loss ends the journal
 * there.
 */
static size_t
journal_read(struct stage *st, const struct image *img, uint64_t *count,
    uint64_t *bytes)
{
	char path[320], head[160];
	const char *p, *end;
	long len;
	size_t done = 0;

	snprintf(path, sizeof path, "%s/journal", st->name);
	len = port_fs_read_file(st->pfd, path, st->journal, sizeof st->journal - 1);
	if (len <= 0) {
		err_clear();
		return 0;
	}
	st->journal[len] = '\0';
	snprintf(head, sizeof head, "ocipull-journal 1 %s %zu\n",
	    img->manifest.digest, img->nlayers);
	if (strncmp(st->journal, head, strlen(head)) != 0)
		return 0;
	p = st->journal + strlen(head);
	while ((end = strchr(p, '\n')) != NULL) {
		char want[256];
		uint64_t c, b;
		size_t n;

		if (strncmp(p, "commit\n", 7) == 0 || done >= img->nlayers)
			return 0;
		n = (size_t)snprintf(want, sizeof want, "layer %zu %s %s ", done,
		    img->layers[done].digest, img->diff_ids[done]);
		if (strncmp(p, want, n) != 0)
			return 0;
		p = jnum(p + n, &c);
		if (p == NULL || *p != ' ')
			return 0;
		p = jnum(p + 1, &b);
		if (p == NULL || p != end)
			return 0;
		*count = c;
		*bytes = b;
		done++;
		p = end + 1;
	}
	return done;
}

/* ---- opening ----------------------------------------------------------------- */

/* Split dest into its parent directory and last component. */
static int
split_dest(const char *dest, char *parent, size_t pcap, char *base, size_t bcap)
{
	size_t len = strlen(dest), b;

	while (len > 1 && dest[len - 1] == '/')
		len--;
	for (b = len; b > 0 && dest[b - 1] != '/'; b--)
		;
	if (len - b == 0 || len - b >= bcap || b >= pcap ||
	    (len - b == 1 && dest[b] == '.') ||
	    (len - b == 2 && dest[b] == '.' && dest[b + 1] == '.'))
		return err_set(ERR_USAGE, "destination \"%s\" must name a directory "
		    "to create or replace", dest);
	memcpy(base, dest + b, len - b);
	base[len - b] = '\0';
	if (b == 0) {
		memcpy(parent, ".", 2);
	} else {
		memcpy(parent, dest, b);
		parent[b] = '\0';
	}
	return ERR_OK;
}

/* Split path and open its parent directory (what names it in messages). */
static int
open_parent(const char *path, char *parent, size_t pcap, char *base,
    size_t bcap, int *fd, const char *what)
{
	int rc = split_dest(path, parent, pcap, base, bcap);

	if (rc < 0)
		return rc;
	*fd = port_fs_open(PORT_CWD, parent, PORT_O_READ | PORT_O_DIRECTORY, 0);
	return *fd < 0 ? err_prefix(*fd, "%s %s", what, parent) : ERR_OK;
}

/* Open DEST's parent, take the lock, and see whether DEST exists. */
static int
lock_dest(struct stage *st)
{
	struct port_stat pst;
	int rc;

	rc = open_parent(st->o.dest, st->parent, sizeof st->parent, st->base,
	    sizeof st->base, &st->pfd, "destination's parent directory");
	if (rc < 0)
		return rc;
	snprintf(st->name, sizeof st->name, ".%s.ocipull-lock", st->base);
	st->lockfd = port_fs_open(st->pfd, st->name, PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_NOFOLLOW, 0600);
	if (st->lockfd < 0)
		return err_prefix(st->lockfd, "lock file");
	rc = port_fs_lock(st->lockfd);
	if (rc == ERR_BUSY)
		return err_set(ERR_BUSY, "another ocipull is working on %s (lock %s/%s)",
		    st->o.dest, st->parent, st->name);
	if (rc < 0)
		return rc;
	rc = port_fs_stat(st->pfd, st->base, &pst);
	if (rc == ERR_OK && pst.type != PORT_T_DIR)
		return err_set(ERR_EXIST, "destination %s exists and is not a "
		    "directory", st->o.dest);
	if (rc == ERR_OK) {
		st->dest_exists = 1;
	} else if (rc == ERR_NOENT) {
		err_clear();
	} else {
		return rc;
	}
	snprintf(st->name, sizeof st->name, ".%s.ocipull-staging", st->base);
	return ERR_OK;
}

static int
open_dir(int dir, const char *name)
{
	return port_fs_open(dir, name, PORT_O_READ | PORT_O_DIRECTORY |
	    PORT_O_NOFOLLOW, 0);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		port_fs_close(*fd);
	*fd = -1;
}

/*
 * A staging directory left by a killed run, whose journal names layers of
 * img as verified: reopen it and keep them. Anything unusable leaves
 * st->kept at 0 and no handle open.
 */
static void
reopen_staging(struct stage *st, const struct image *img, struct rootfs *fs)
{
	uint64_t count = 0, bytes = 0;
	size_t done = journal_read(st, img, &count, &bytes);
	int rc;

	if (done == 0)
		return;
	st->staged = 1;
	st->sfd = open_dir(st->pfd, st->name);
	st->rootfd = st->sfd < 0 ? st->sfd : open_dir(st->sfd, "rootfs");
	st->workfd = st->sfd < 0 ? st->sfd : open_dir(st->sfd, "work");
	st->jfd = st->sfd < 0 ? st->sfd : port_fs_open(st->sfd, "journal",
	    PORT_O_WRITE | PORT_O_APPEND | PORT_O_NOFOLLOW, 0);
	rc = st->rootfd < 0 || st->workfd < 0 || st->jfd < 0 ? ERR_IO :
	    rootfs_reopen(fs, st->rootfd, st->workfd, port_is_root(), count, bytes);
	if (rc == ERR_OK) {
		st->fs_open = 1;
		st->kept = done;
		return;
	}
	/* Not usable after all: close and start afresh. */
	err_clear();
	close_fd(&st->jfd);
	close_fd(&st->rootfd);
	close_fd(&st->workfd);
	close_fd(&st->sfd);
}

/* A new, empty staging tree and journal. */
static int
fresh_staging(struct stage *st, const struct image *img, struct rootfs *fs)
{
	int rc;

	rc = tree_remove(st->pfd, st->name);
	if (rc == ERR_OK)
		rc = port_fs_mkdir(st->pfd, st->name, 0700);
	if (rc < 0)
		return rc;
	st->staged = 1;
	st->sfd = open_dir(st->pfd, st->name);
	if (st->sfd < 0)
		return st->sfd;
	rc = port_fs_mkdir(st->sfd, "rootfs", 0755);
	if (rc == ERR_OK)
		rc = port_fs_mkdir(st->sfd, "work", 0700);
	if (rc < 0)
		return rc;
	st->rootfd = open_dir(st->sfd, "rootfs");
	st->workfd = open_dir(st->sfd, "work");
	if (st->rootfd < 0 || st->workfd < 0)
		return st->rootfd < 0 ? st->rootfd : st->workfd;
	rc = rootfs_open(fs, st->rootfd, st->workfd, port_is_root());
	if (rc < 0)
		return rc;
	st->fs_open = 1;
	return journal_start(st, img);
}

/* The config to a temporary file beside --config-out (renamed at commit). */
static int
write_config(struct stage *st, const char *config, size_t len)
{
	int fd, rc;
	long w;

	rc = open_parent(st->o.config_out, st->cfg_parent, sizeof st->cfg_parent,
	    st->cfg_base, sizeof st->cfg_base, &st->cfgfd, "--config-out directory");
	if (rc < 0)
		return rc;
	snprintf(st->cfg_tmp, sizeof st->cfg_tmp, ".%s.ocipull-tmp", st->cfg_base);
	(void)port_fs_unlink(st->cfgfd, st->cfg_tmp, 0);
	err_clear();
	fd = port_fs_open(st->cfgfd, st->cfg_tmp, PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_EXCL | PORT_O_NOFOLLOW, 0644);
	if (fd < 0)
		return err_prefix(fd, "--config-out");
	w = port_fs_write(fd, config, len);
	rc = w < 0 ? (int)w : port_fs_fsync(fd);
	port_fs_close(fd);
	if (rc < 0) {
		(void)port_fs_unlink(st->cfgfd, st->cfg_tmp, 0);
		return err_prefix(rc, "--config-out");
	}
	return ERR_OK;
}

int
stage_open(struct stage *st, const struct stage_opts *o,
    const struct image *img, const char *config, size_t config_len,
    struct rootfs *fs)
{
	int rc;

	memset(st, 0, offsetof(struct stage, journal));
	st->o = *o;
	st->pfd = st->lockfd = st->sfd = st->rootfd = st->workfd = -1;
	st->cfgfd = st->jfd = -1;
	rc = lock_dest(st);
	if (rc < 0)
		return rc;
	reopen_staging(st, img, fs);
	if (st->kept == 0) {
		rc = fresh_staging(st, img, fs);
		if (rc < 0)
			return rc;
	}
	return o->config_out != NULL ? write_config(st, config, config_len) : ERR_OK;
}

/* ---- layers and the commit ----------------------------------------------------- */

int
stage_layer_done(struct stage *st, const struct rootfs *fs,
    const struct image *img, size_t i)
{
	char line[256];
	uint64_t count, bytes;
	int n, rc;

	/* Durable first, then recorded: a journal line never names a layer
	 * whose files could still be lost. */
	if (!st->o.no_sync) {
		rc = port_fs_syncfs(st->rootfd);
		if (rc < 0)
			return rc;
	}
	rootfs_spill_mark(fs, &count, &bytes);
	n = snprintf(line, sizeof line, "layer %zu %s %s %llu %llu\n", i,
	    img->layers[i].digest, img->diff_ids[i], (unsigned long long)count,
	    (unsigned long long)bytes);
	return journal_append(st, line, (size_t)n);
}

/* Put staging's rootfs in DEST's place (the old tree, if any, takes its
 * place in staging, or becomes DEST.old). */
static int
switch_tree(struct stage *st)
{
	char old[300];
	int rc;

	if (!st->dest_exists)
		return port_fs_rename(st->sfd, "rootfs", st->pfd, st->base, 0);
	rc = port_fs_rename(st->sfd, "rootfs", st->pfd, st->base, 1);
	if (rc < 0 || !st->o.keep_old)
		return rc;
	/* The previous tree is now staging/rootfs. */
	snprintf(old, sizeof old, "%s.old", st->base);
	rc = tree_remove(st->pfd, old);
	return rc < 0 ? rc : port_fs_rename(st->sfd, "rootfs", st->pfd, old, 0);
}

int
stage_commit(struct stage *st, struct rootfs *fs)
{
	int rc;

	rc = rootfs_finish(fs);
	if (rc < 0)
		return rc;
	rootfs_close(fs);
	st->fs_open = 0;
	/* Everything matched: make the tree durable, then switch in one step.
	 * The journal says "commit" first: a run killed from here on cannot
	 * know which tree the staging directory holds, so the next one starts
	 * afresh. */
	if (!st->o.no_sync) {
		rc = port_fs_syncfs(st->rootfd);
		if (rc < 0)
			return rc;
	}
	rc = journal_append(st, "commit\n", 7);
	if (rc == ERR_OK)
		rc = switch_tree(st);
	if (rc == ERR_OK && st->cfgfd >= 0) {
		rc = port_fs_rename(st->cfgfd, st->cfg_tmp, st->cfgfd, st->cfg_base, 0);
		if (rc == ERR_OK && !st->o.no_sync)
			rc = port_fs_fsync(st->cfgfd);
	}
	if (rc < 0)
		return rc;
	/* The rename itself must survive a power cut. */
	rc = st->o.no_sync ? ERR_OK : port_fs_fsync(st->pfd);
	if (rc < 0)
		return err_prefix(rc, "%s holds the new tree, but syncing its parent "
		    "directory failed, so a power cut could still bring the old one "
		    "back", st->o.dest);
	return ERR_OK;
}

int
stage_close(struct stage *st, struct rootfs *fs, int rc)
{
	close_fd(&st->jfd);
	if (st->fs_open)
		rootfs_close(fs);
	st->fs_open = 0;
	close_fd(&st->rootfd);
	close_fd(&st->workfd);
	close_fd(&st->sfd);
	if (rc < 0 && st->cfgfd >= 0)
		(void)port_fs_unlink(st->cfgfd, st->cfg_tmp, 0);
	close_fd(&st->cfgfd);
	if (st->staged) {
		/* Whatever is left: a failed tree, or the replaced one. */
		if (rc < 0) {
			char keep[ERR_MSG_MAX];
			snprintf(keep, sizeof keep, "%s", err_msg());
			err_clear();
			(void)tree_remove(st->pfd, st->name);
			err_clear();
			err_set(rc, "%s", keep);
		} else {
			rc = tree_remove(st->pfd, st->name);
		}
	}
	/* Closing the lock file releases the lock; the file stays. */
	close_fd(&st->lockfd);
	close_fd(&st->pfd);
	return rc;
}
