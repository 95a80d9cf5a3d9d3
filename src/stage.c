/*
 * stage.c: staging directory, journal and commit (see stage.h).
 */
#include "stage.h"

#include <stdio.h>
#include <string.h>

#include "dest.h"
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

/*
 * The journal's first line: the marker, its version, the image, and the
 * options that shape what is written (durability, and whether ownership
 * and device nodes were applied as root).
 */
static int
journal_head(char *line, size_t cap, const struct stage *st,
    const struct image *img)
{
	return snprintf(line, cap, "ocipull-journal 2 %s %zu %s %s\n",
	    img->manifest.digest, img->nlayers, st->o.no_sync ? "no-sync" : "sync",
	    port_is_root() ? "root" : "user");
}

static int
journal_start(struct stage *st, const struct image *img)
{
	char line[200];
	int n;

	st->jfd = port_fs_open(st->sfd, "journal", PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_EXCL | PORT_O_APPEND | PORT_O_NOFOLLOW, 0600);
	if (st->jfd < 0)
		return err_prefix(st->jfd, "journal");
	n = journal_head(line, sizeof line, st, img);
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

/* The journal of the open staging directory into st->journal, opened
 * without following a symlink; "" when unreadable or too long. */
static void
journal_load(struct stage *st)
{
	size_t have = 0;
	long n = 1;
	int fd = port_fs_open(st->sfd, "journal", PORT_O_READ | PORT_O_NOFOLLOW, 0);

	while (fd >= 0 && n > 0 && have < sizeof st->journal - 1) {
		n = port_fs_read(fd, st->journal + have, sizeof st->journal - 1 - have);
		if (n > 0)
			have += (size_t)n;
	}
	if (fd >= 0)
		port_fs_close(fd);
	err_clear();
	if (fd < 0 || n < 0 || have == sizeof st->journal - 1)
		have = 0;
	st->journal[have] = '\0';
}

/*
 * How many layers of img the loaded journal records as verified (0 when
 * there is no usable journal: another image or other options, a commit
 * under way, a torn or foreign file), with the spill mark of the last.
 * Only whole lines count: a line cut by a power loss ends the journal
 * there.
 */
static size_t
journal_read(struct stage *st, const struct image *img, uint64_t *count,
    uint64_t *bytes)
{
	char head[200];
	const char *p, *end;
	size_t done = 0;

	journal_head(head, sizeof head, st, img);
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

/* Split path and open its parent directory (what names it in messages). */
static int
open_parent(const char *path, char *parent, size_t pcap, char *base,
    size_t bcap, int *fd, const char *what)
{
	int rc = dest_split(path, parent, pcap, base, bcap);

	if (rc < 0)
		return rc;
	*fd = port_fs_open(PORT_CWD, parent, PORT_O_READ | PORT_O_DIRECTORY, 0);
	return *fd < 0 ? err_prefix(*fd, "%s %s", what, parent) : ERR_OK;
}

/* DEST on another file system than its parent is a mount point: the
 * staging directory goes inside it, and the commit replaces its contents
 * (a rename cannot cross file systems). */
static int
find_mount(struct stage *st)
{
	struct port_stat dst, pst;
	int rc;

	st->dfd = port_fs_open(st->pfd, st->base, PORT_O_READ | PORT_O_DIRECTORY |
	    PORT_O_NOFOLLOW, 0);
	if (st->dfd < 0)
		return err_prefix(st->dfd, "destination %s", st->o.dest);
	rc = port_fs_stat(st->dfd, NULL, &dst);
	if (rc == ERR_OK)
		rc = port_fs_stat(st->pfd, NULL, &pst);
	if (rc < 0)
		return rc;
	if (dst.dev == pst.dev)
		return ERR_OK;
	if (st->o.keep_old)
		return err_set(ERR_USAGE, "--keep-old: %s is a mount point, and %s.old "
		    "would be on another file system", st->o.dest, st->o.dest);
	st->mount = 1;
	st->hfd = st->dfd;
	snprintf(st->name, sizeof st->name, "%s", DEST_STAGING_IN);
	return ERR_OK;
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
	st->hfd = st->pfd;
	snprintf(st->name, sizeof st->name, ".%s.ocipull-staging", st->base);
	return st->dest_exists ? find_mount(st) : ERR_OK;
}

/* The directory holding the staging directory, for messages. */
static const char *
host(const struct stage *st)
{
	return st->mount ? st->o.dest : st->parent;
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
 * The staging directory left beside DEST, opened (st->sfd) without
 * following a symlink: may it be resumed? Only when this user owns it,
 * nobody else may enter it (mode 0700), it is on DEST's file system, and
 * its journal, loaded into st->journal, carries the marker. Anything else
 * closes st->sfd and returns 0: the caller removes what is there.
 */
static int
staging_ours(struct stage *st)
{
	struct port_stat sst, pst;

	st->sfd = open_dir(st->hfd, st->name);
	if (st->sfd >= 0 && port_fs_stat(st->sfd, NULL, &sst) == ERR_OK &&
	    port_fs_stat(st->hfd, NULL, &pst) == ERR_OK &&
	    sst.uid == port_euid() && sst.mode == 0700 && sst.dev == pst.dev) {
		journal_load(st);
		if (strncmp(st->journal, "ocipull-journal ", 16) == 0)
			return 1;
	}
	err_clear();
	close_fd(&st->sfd);
	return 0;
}

/*
 * A staging directory left by a killed or cut-off run, whose journal
 * names layers of img as verified: reopen it and keep them. Anything
 * unusable leaves st->kept at 0 and no handle open. A staging directory
 * holding the previous tree (keep_old failed, see keep_previous) is an
 * error: it must not be removed.
 */
static int
reopen_staging(struct stage *st, const struct image *img, struct rootfs *fs)
{
	uint64_t count = 0, bytes = 0;
	size_t done;
	int rc;

	if (!staging_ours(st))
		return ERR_OK;
	if (strstr(st->journal, "\ncommit\nprevious\n") != NULL) {
		close_fd(&st->sfd);
		return err_set(ERR_EXIST, "%s/%s/%s holds the tree %s had before "
		    "an earlier pull (%s): move it away first", host(st), st->name,
		    st->mount ? "old" : "rootfs", st->o.dest, st->mount ? "its "
		    "contents could not all be replaced" : "it could not become "
		    "DEST.old");
	}
	done = journal_read(st, img, &count, &bytes);
	if (done == 0) {
		close_fd(&st->sfd);
		return ERR_OK;
	}
	st->staged = 1;
	st->rootfd = open_dir(st->sfd, "rootfs");
	st->workfd = st->rootfd < 0 ? st->rootfd : open_dir(st->sfd, "work");
	st->jfd = st->workfd < 0 ? st->workfd : port_fs_open(st->sfd, "journal",
	    PORT_O_WRITE | PORT_O_APPEND | PORT_O_NOFOLLOW, 0);
	rc = st->jfd < 0 ? ERR_IO :
	    rootfs_reopen(fs, st->rootfd, st->workfd, port_is_root(), count, bytes);
	if (rc == ERR_OK) {
		st->fs_open = 1;
		st->kept = st->done = done;
		return ERR_OK;
	}
	/* Not usable after all: close and start afresh. */
	err_clear();
	close_fd(&st->jfd);
	close_fd(&st->rootfd);
	close_fd(&st->workfd);
	close_fd(&st->sfd);
	return ERR_OK;
}

/* A new, empty staging tree and journal, in place of whatever was there
 * (a symlink is removed, not followed; another file system is refused). */
static int
fresh_staging(struct stage *st, const struct image *img, struct rootfs *fs)
{
	int rc;

	rc = tree_remove(st->hfd, st->name);
	if (rc < 0)
		return err_prefix(rc, "the staging directory beside %s cannot be "
		    "resumed, nor removed", st->o.dest);
	rc = port_fs_mkdir(st->hfd, st->name, 0700);
	if (rc < 0)
		return rc;
	st->staged = 1;
	st->sfd = open_dir(st->hfd, st->name);
	if (st->sfd < 0)
		return st->sfd;
	/* mkdir applied the umask: the mode is what staging_ours checks. */
	rc = port_fs_fchmod(st->sfd, 0700);
	if (rc == ERR_OK)
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

/* Is the directory fd, or one of its parents up to DEST's parent, one of
 * the names the switch moves or removes (DEST, DEST.old, staging)? */
static int
config_dir_moves(const struct stage *st, int fd)
{
	struct port_stat cur, up, pst, t;
	char names[3][300];
	unsigned depth;
	int k, hit = 0;

	snprintf(names[0], sizeof names[0], "%s", st->base);
	snprintf(names[1], sizeof names[1], "%s.old", st->base);
	snprintf(names[2], sizeof names[2], ".%s.ocipull-staging", st->base);
	if (port_fs_stat(st->pfd, NULL, &pst) < 0)
		return 0;
	fd = port_fs_open(fd, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	for (depth = 0; fd >= 0 && !hit && depth < BOARD_PATH_MAX / 2; depth++) {
		int next;

		if (port_fs_stat(fd, NULL, &cur) < 0 ||
		    (cur.dev == pst.dev && cur.ino == pst.ino))
			break;
		for (k = 0; k < 3; k++)
			if (port_fs_stat(st->pfd, names[k], &t) == ERR_OK &&
			    t.dev == cur.dev && t.ino == cur.ino)
				hit = 1;
		next = port_fs_open(fd, "..", PORT_O_READ | PORT_O_DIRECTORY, 0);
		port_fs_close(fd);
		fd = next;
		if (fd >= 0 && port_fs_stat(fd, NULL, &up) == ERR_OK &&
		    up.dev == cur.dev && up.ino == cur.ino)
			break;          /* the root */
	}
	if (fd >= 0)
		port_fs_close(fd);
	err_clear();
	return hit;
}

/* Open --config-out's directory and refuse a file the switch would move
 * or remove: in DEST (or DEST.old, staging), or one of those names. */
static int
config_check(struct stage *st)
{
	struct port_stat cst, pst;
	int rc;

	rc = open_parent(st->o.config_out, st->cfg_parent, sizeof st->cfg_parent,
	    st->cfg_base, sizeof st->cfg_base, &st->cfgfd, "--config-out directory");
	if (rc < 0)
		return rc;
	rc = port_fs_stat(st->cfgfd, NULL, &cst);
	if (rc == ERR_OK)
		rc = port_fs_stat(st->pfd, NULL, &pst);
	if (rc < 0)
		return rc;
	if ((cst.dev == pst.dev && cst.ino == pst.ino &&
	    strncmp(st->cfg_base, st->base, strlen(st->base)) == 0 &&
	    (st->cfg_base[strlen(st->base)] == '\0' ||
	    strcmp(st->cfg_base + strlen(st->base), ".old") == 0)) ||
	    config_dir_moves(st, st->cfgfd))
		return err_set(ERR_USAGE, "--config-out %s is inside %s (or is it, "
		    "or %s.old): the switch would move or remove it", st->o.config_out,
		    st->o.dest, st->o.dest);
	return ERR_OK;
}

/* The config to a temporary file beside --config-out (renamed at commit). */
static int
write_config(struct stage *st, const char *config, size_t len)
{
	int fd, rc;
	long w;

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
	st->pfd = st->hfd = st->dfd = st->lockfd = st->sfd = -1;
	st->rootfd = st->workfd = -1;
	st->cfgfd = st->jfd = -1;
	rc = lock_dest(st);
	if (rc == ERR_OK && o->config_out != NULL)
		rc = config_check(st);
	if (rc == ERR_OK)
		rc = reopen_staging(st, img, fs);
	if (rc == ERR_OK && st->kept == 0)
		rc = fresh_staging(st, img, fs);
	if (rc < 0)
		return rc;
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
	rc = journal_append(st, line, (size_t)n);
	if (rc == ERR_OK)
		st->done = i + 1;
	return rc;
}

/* What a failure at the switch leaves of --config-out, for messages. */
static const char *
config_note(const struct stage *st)
{
	return st->cfg_done ? "; --config-out already holds the new image's "
	    "config" : "";
}

/* Staging holds (part of) the previous tree: keep it, and say so in the
 * journal, so that no later pull removes it. A message already recorded
 * stays (err_set keeps the first). */
static void
keep_journal(struct stage *st)
{
	st->keep = 1;
	(void)journal_append(st, "previous\n", 9);
}

/*
 * keep_old, after the exchange: the previous tree (staging's rootfs now)
 * becomes DEST.old, exchanged with an older DEST.old, which staging then
 * holds and the close removes. When that fails, switch back: DEST and
 * DEST.old are as they were. When switching back fails too, the previous
 * tree stays in staging, and the journal says so, so that no later pull
 * removes it.
 */
static int
keep_previous(struct stage *st)
{
	char old[300], why[ERR_MSG_MAX];
	struct port_stat ost;
	int rc, exists;

	snprintf(old, sizeof old, "%s.old", st->base);
	rc = port_fs_stat(st->pfd, old, &ost);
	exists = rc == ERR_OK;
	if (rc == ERR_OK || rc == ERR_NOENT) {
		err_clear();
		rc = port_fs_rename(st->sfd, "rootfs", st->pfd, old, exists);
	}
	if (rc == ERR_OK)
		return ERR_OK;
	snprintf(why, sizeof why, "%s", err_msg());
	err_clear();
	if (port_fs_rename(st->sfd, "rootfs", st->pfd, st->base, 1) == ERR_OK) {
		st->switched = 0;
		return err_set(rc, "%s and %s.old are unchanged: the previous tree "
		    "could not become %s.old (%s), so the new one was switched out "
		    "again%s", st->o.dest, st->o.dest, st->o.dest, why, config_note(st));
	}
	err_clear();
	keep_journal(st);
	err_clear();
	return err_set(rc, "%s holds the new tree and %s.old is unchanged, but the "
	    "previous tree is in %s/%s/rootfs: it could not become %s.old (%s), "
	    "nor be switched back; move it away before pulling into %s again",
	    st->o.dest, st->o.dest, host(st), st->name, st->o.dest, why,
	    st->o.dest);
}

/*
 * Move the entries of directory from into to, in batches of names (the
 * listing is read again after each batch, as it changes under the moves),
 * leaving skip (may be NULL) and, when lf is 0, a "lost+found".
 */
static int
move_entries(int from, int to, const char *skip, int lf)
{
	struct port_dir dir;
	char names[2048], name[256];
	size_t at, k;
	long n;
	int fd, rc;

	for (;;) {
		fd = port_fs_open(from, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
		if (fd < 0)
			return fd;
		port_fs_dir_open(&dir, fd);
		at = 0;
		while (at + sizeof name < sizeof names &&
		    (n = port_fs_dir_next(&dir, name, sizeof name)) > 0) {
			if ((skip != NULL && strcmp(name, skip) == 0) ||
			    (!lf && strcmp(name, "lost+found") == 0))
				continue;
			memcpy(names + at, name, (size_t)n + 1);
			at += (size_t)n + 1;
		}
		port_fs_dir_close(&dir);
		if (at == 0)
			return ERR_OK;
		for (k = 0; k < at; k += strlen(names + k) + 1) {
			rc = port_fs_rename(from, names + k, to, names + k, 0);
			if (rc < 0)
				return err_prefix(rc, "moving %s", names + k);
		}
	}
}

/*
 * DEST is a mount point: its contents move into staging's "old", then
 * the new tree's entries into DEST, and DEST's own mode and owner become
 * the new root's. A lost+found at the root stays unless the image has
 * one. When the first step fails, what moved goes back (DEST is
 * unchanged); after it, the previous contents stay in staging's "old".
 */
static int
switch_contents(struct stage *st)
{
	struct port_stat lf, root;
	int oldfd, rc, has_lf;

	has_lf = port_fs_stat(st->rootfd, "lost+found", &lf) == ERR_OK;
	err_clear();
	if (port_fs_stat(st->rootfd, DEST_STAGING_IN, &lf) == ERR_OK ||
	    port_fs_stat(st->rootfd, DEST_RECORD_IN, &lf) == ERR_OK)
		return err_set(ERR_UNSUPPORTED, "the image has %s or %s at its root, "
		    "names ocipull keeps for itself in a mount point; %s is "
		    "unchanged", DEST_STAGING_IN, DEST_RECORD_IN, st->o.dest);
	err_clear();
	rc = port_fs_stat(st->rootfd, NULL, &root);
	if (rc == ERR_OK)
		rc = port_fs_mkdir(st->sfd, "old", 0700);
	oldfd = rc < 0 ? rc : open_dir(st->sfd, "old");
	if (oldfd < 0)
		return err_prefix(oldfd, "%s is unchanged", st->o.dest);
	rc = move_entries(st->dfd, oldfd, DEST_STAGING_IN, has_lf);
	if (rc < 0) {
		if (move_entries(oldfd, st->dfd, NULL, 1) < 0)
			keep_journal(st);
		port_fs_close(oldfd);
		return st->keep ? err_prefix(rc, "%s is missing some of its previous "
		    "contents, which are in %s/%s/old", st->o.dest, st->o.dest,
		    st->name) : err_prefix(rc, "%s is unchanged", st->o.dest);
	}
	port_fs_close(oldfd);
	st->switched = 1;
	rc = move_entries(st->rootfd, st->dfd, NULL, 1);
	if (rc == ERR_OK)
		rc = port_fs_fchmod(st->dfd, root.mode);
	if (rc == ERR_OK && port_is_root())
		rc = port_fs_fchown(st->dfd, root.uid, root.gid);
	if (rc < 0) {
		keep_journal(st);
		return err_prefix(rc, "%s holds part of the new tree; its previous "
		    "contents are in %s/%s/old", st->o.dest, st->o.dest, st->name);
	}
	return ERR_OK;
}

/* Put staging's rootfs in DEST's place (the old tree, if any, takes its
 * place in staging, or becomes DEST.old). */
static int
switch_tree(struct stage *st)
{
	int rc;

	if (st->mount)
		return switch_contents(st);
	rc = port_fs_rename(st->sfd, "rootfs", st->pfd, st->base, st->dest_exists);
	if (rc < 0)
		return err_prefix(rc, "%s is unchanged%s", st->o.dest, config_note(st));
	st->switched = 1;
	return st->dest_exists && st->o.keep_old ? keep_previous(st) : ERR_OK;
}

/*
 * The state record, to a temporary name before the switch (so that no
 * space for it fails a pull before DEST changed): beside DEST, or for a
 * mount point in staging (the record lives inside DEST, on its file
 * system; the old one moves aside with the old contents). tree is the
 * inode DEST's root will have: staging's rootfs, renamed; or, for a mount
 * point, DEST itself. The text goes through st->journal, which nothing
 * reads after stage_open.
 */
static int
record_prepare(struct stage *st)
{
	struct port_stat t;
	char name[300];
	long len;
	int dir = st->mount ? st->sfd : st->pfd, fd, rc;

	if (st->o.record == NULL)
		return ERR_OK;
	rc = port_fs_stat(st->mount ? st->dfd : st->rootfd, NULL, &t);
	if (rc < 0)
		return rc;
	st->o.record->tree = t.ino;
	len = state_format(st->o.record, st->journal, sizeof st->journal);
	if (len < 0)
		return (int)len;
	dest_record_name(name, sizeof name, st->base);
	snprintf(st->rec_tmp, sizeof st->rec_tmp, "%s.tmp", st->mount ? "record" :
	    name);
	(void)port_fs_unlink(dir, st->rec_tmp, 0);
	err_clear();
	fd = port_fs_open(dir, st->rec_tmp, PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_EXCL | PORT_O_NOFOLLOW, 0644);
	rc = fd < 0 ? fd : (int)port_fs_write(fd, st->journal, (size_t)len);
	if (rc >= 0 && !st->o.no_sync)
		rc = port_fs_fsync(fd);
	if (fd >= 0)
		port_fs_close(fd);
	return rc < 0 ? err_prefix(rc, "state record %s/%s", host(st),
	    st->rec_tmp) : ERR_OK;
}

/*
 * After the switch: the record into place, then the directory synced once
 * for both renames. Should a power cut keep the record's rename but not
 * the switch's, the record's tree is not DEST's root, and the record is
 * never taken as current.
 */
static int
record_commit(struct stage *st)
{
	char name[300];
	int rc = ERR_OK, to = st->mount ? st->dfd : st->pfd;

	if (st->o.record != NULL) {
		if (st->mount)
			snprintf(name, sizeof name, "%s", DEST_RECORD_IN);
		else
			dest_record_name(name, sizeof name, st->base);
		rc = port_fs_rename(st->mount ? st->sfd : st->pfd, st->rec_tmp, to,
		    name, 0);
		if (rc < 0)
			return err_prefix(rc, "%s holds the new tree, but its state "
			    "record %s/%s could not be written", st->o.dest,
			    st->mount ? st->o.dest : st->parent, name);
	}
	rc = st->o.no_sync ? ERR_OK : port_fs_fsync(to);
	if (rc < 0)
		return err_prefix(rc, "%s holds the new tree, but syncing %s failed, "
		    "so a power cut could still bring the old one back", st->o.dest,
		    st->mount ? "it" : "its parent directory");
	return ERR_OK;
}

/* --config-out into place, durably: before the switch, so that a pull
 * that changed DEST never fails at it. */
static int
config_commit(struct stage *st)
{
	int rc;

	if (st->cfgfd < 0)
		return ERR_OK;
	rc = port_fs_rename(st->cfgfd, st->cfg_tmp, st->cfgfd, st->cfg_base, 0);
	if (rc == ERR_OK)
		st->cfg_done = 1;
	if (rc == ERR_OK && !st->o.no_sync)
		rc = port_fs_fsync(st->cfgfd);
	return rc < 0 ? err_prefix(rc, "--config-out %s (%s is unchanged)",
	    st->o.config_out, st->o.dest) : ERR_OK;
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
	/* From the journal's "commit" to the close, a SIGTERM (systemctl
	 * stop) waits: cut short, a mount point would be left half replaced. */
	port_hold_terminate(1);
	st->held = 1;
	rc = record_prepare(st);
	if (rc == ERR_OK)
		rc = config_commit(st);
	if (rc == ERR_OK)
		rc = journal_append(st, "commit\n", 7);
	if (rc == ERR_OK)
		rc = switch_tree(st);
	if (rc < 0)
		return rc;
	/* The switch must survive a power cut before the record says so. */
	return record_commit(st);
}

/* Failures that another try may not meet: the verified layers are worth
 * keeping for it. */
static int
is_network(int rc)
{
	return rc == ERR_NET || rc == ERR_TIMEOUT || rc == ERR_DNS;
}

int
stage_keeps(const struct stage *st, int rc)
{
	return st->staged && !st->keep && !st->switched && is_network(rc) &&
	    st->done > 0;
}

/* Remove the staging directory after a failure, keeping the message of rc;
 * or keep it (the verified layers of a pull that the network cut off). */
static int
close_failed(struct stage *st, int rc)
{
	char keep[ERR_MSG_MAX];

	snprintf(keep, sizeof keep, "%s", err_msg());
	err_clear();
	if (stage_keeps(st, rc))
		return err_set(rc, "%s; the %zu verified layer%s kept in %s/%s; the "
		    "next pull of this image resumes", keep, st->done,
		    st->done == 1 ? " is" : "s are", host(st), st->name);
	(void)tree_remove(st->hfd, st->name);
	err_clear();
	return err_set(rc, "%s", keep);
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
	if (rc < 0 && st->cfgfd >= 0 && !st->cfg_done)
		(void)port_fs_unlink(st->cfgfd, st->cfg_tmp, 0);
	if (rc < 0 && st->rec_tmp[0] != '\0' && !st->mount && st->pfd >= 0)
		(void)port_fs_unlink(st->pfd, st->rec_tmp, 0);
	close_fd(&st->cfgfd);
	if (st->staged && !st->keep && rc < 0) {
		rc = close_failed(st, rc);
	} else if (st->staged && !st->keep) {
		/* What is left: the replaced tree, or an older DEST.old. */
		rc = tree_remove(st->hfd, st->name);
		if (rc < 0)
			rc = err_prefix(rc, "%s holds the new tree%s%s%s, but removing "
			    "%s/%s failed (the next pull into %s removes it)", st->o.dest,
			    st->o.keep_old && st->dest_exists ? " and " : "",
			    st->o.keep_old && st->dest_exists ? st->o.dest : "",
			    st->o.keep_old && st->dest_exists ? ".old the previous one" : "",
			    host(st), st->name, st->o.dest);
	}
	/* Closing the lock file releases the lock; the file stays. */
	close_fd(&st->lockfd);
	close_fd(&st->dfd);
	close_fd(&st->pfd);
	if (st->held)
		port_hold_terminate(0);
	st->held = 0;
	return rc;
}
