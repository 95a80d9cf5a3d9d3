/*
 * dest.c: what a DEST argument names (see dest.h).
 */
#include "dest.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "port.h"

void
dest_record_name(char *out, size_t cap, const char *base)
{
	snprintf(out, cap, ".%s.ocipull.json", base);
}

void
dest_record_path(const struct dest *d, char *out, size_t cap)
{
	if (d->mount)
		snprintf(out, cap, "%s/%s", d->path, DEST_RECORD_IN);
	else
		snprintf(out, cap, "%s/.%s.ocipull.json", d->parent, d->base);
}

int
dest_split(const char *path, char *parent, size_t pcap, char *base,
    size_t bcap)
{
	size_t len = strlen(path), b;

	while (len > 1 && path[len - 1] == '/')
		len--;
	for (b = len; b > 0 && path[b - 1] != '/'; b--)
		;
	if (len - b == 0 || len - b >= bcap || b >= pcap ||
	    (len - b == 1 && path[b] == '.') ||
	    (len - b == 2 && path[b] == '.' && path[b + 1] == '.'))
		return err_set(ERR_USAGE, "destination \"%s\" must name a directory "
		    "to create or replace", path);
	memcpy(base, path + b, len - b);
	base[len - b] = '\0';
	if (b == 0) {
		memcpy(parent, ".", 2);
		return ERR_OK;
	}
	while (b > 1 && path[b - 1] == '/')
		b--;                   /* "dir//x": the parent is "dir" */
	memcpy(parent, path, b);
	parent[b] = '\0';
	return ERR_OK;
}

/* d->base is a symlink below pfd: d->path becomes its target, read
 * relative to d->parent. */
static int
follow(struct dest *d, int pfd)
{
	char target[BOARD_PATH_MAX];
	long n = port_fs_readlink(pfd, d->base, target, sizeof target);

	if (n < 0)
		return err_prefix((int)n, "destination %s", d->path);
	if (target[0] != '/' &&
	    strlen(d->parent) + 1 + (size_t)n >= sizeof d->path)
		return err_set(ERR_USAGE, "destination %s/%s: its target is too long",
		    d->parent, d->base);
	if (target[0] == '/') {
		memcpy(d->path, target, (size_t)n + 1);
	} else {
		size_t pl = strlen(d->parent);
		memmove(d->path, d->parent, pl);
		d->path[pl] = '/';
		memcpy(d->path + pl + 1, target, (size_t)n + 1);
	}
	d->linked = 1;
	return ERR_OK;
}

/* Is the directory fd empty (nothing, or at a mount point's root only an
 * empty lost+found or ocipull's own staging)? */
static int
is_empty(struct dest *d, int fd)
{
	struct port_dir dir;
	char name[256];
	long n;
	int empty = 1;

	port_fs_dir_open(&dir, fd);
	while (empty && (n = port_fs_dir_next(&dir, name, sizeof name)) > 0) {
		if (d->mount && strcmp(name, DEST_STAGING_IN) == 0) {
			d->staging_inside = 1;
		} else if (d->mount && strcmp(name, DEST_RECORD_IN) == 0) {
			d->record_file = 1;
		} else if (d->mount && strcmp(name, "lost+found") == 0) {
			struct port_dir lf;
			char sub[256];
			int lfd = port_fs_open(fd, name, PORT_O_READ | PORT_O_DIRECTORY |
			    PORT_O_NOFOLLOW, 0);

			if (lfd < 0) {
				empty = 0;
				continue;
			}
			port_fs_dir_open(&lf, lfd);
			if (port_fs_dir_next(&lf, sub, sizeof sub) != 0)
				empty = 0;
			port_fs_dir_close(&lf);
		} else {
			empty = 0;
		}
	}
	port_fs_dir_close(&dir);
	err_clear();
	return empty;
}

/* d's state record (beside it; a mount point's inside it), parsed into
 * rec when there is one. A record describes DEST only while its tree is
 * DEST's root and DEST holds something. */
static void
read_record(struct dest *d, int pfd, struct state_rec *rec, char *doc,
    size_t cap, jsmntok_t *tok, unsigned ntok)
{
	char name[300];
	long n;

	if (d->mount)
		snprintf(name, sizeof name, "%s/%s", d->base, DEST_RECORD_IN);
	else
		dest_record_name(name, sizeof name, d->base);
	n = port_fs_read_file(pfd, name, doc, cap);
	if (n == ERR_NOENT) {
		err_clear();
		return;
	}
	d->record_file = 1;
	if (n >= 0 && state_parse(rec, doc, (size_t)n, tok, ntok, name) == ERR_OK) {
		d->recorded = 1;
		d->current = d->exists && !d->empty && rec->tree == d->ino;
	}
	err_clear();
}

/* What is at d->base below pfd, a directory st. */
static int
look_inside(struct dest *d, int pfd, const struct port_stat *st,
    const struct port_stat *pst, int write)
{
	int fd, rc;

	d->exists = 1;
	d->ino = st->ino;
	d->mount = st->dev != pst->dev;
	rc = write ? port_fs_writable(pfd, d->base) : ERR_OK;
	if (rc < 0)
		return err_prefix(ERR_USAGE, "destination %s cannot be written",
		    d->path);
	fd = port_fs_open(pfd, d->base, PORT_O_READ | PORT_O_DIRECTORY |
	    PORT_O_NOFOLLOW, 0);
	if (fd < 0)
		return err_prefix(ERR_USAGE, "destination %s cannot be read",
		    d->path);
	d->empty = is_empty(d, fd);
	return ERR_OK;
}

int
dest_probe(struct dest *d, const char *arg, int write,
    struct state_rec *rec, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok)
{
	struct port_stat st, pst;
	char old[300];
	unsigned links = 0;
	int pfd = -1, rc, there;

	memset(d, 0, sizeof *d);
	snprintf(d->path, sizeof d->path, "%s", arg);
	for (;;) {
		rc = dest_split(d->path, d->parent, sizeof d->parent, d->base,
		    sizeof d->base);
		if (rc < 0)
			return rc;
		pfd = port_fs_open(PORT_CWD, d->parent, PORT_O_READ |
		    PORT_O_DIRECTORY, 0);
		if (pfd < 0)
			return err_prefix(ERR_USAGE, "destination %s: its parent "
			    "directory %s cannot be opened", d->path, d->parent);
		rc = port_fs_stat(pfd, d->base, &st);
		if (rc != ERR_OK || st.type != PORT_T_LNK)
			break;
		if (++links > DEST_LINKS_MAX) {
			port_fs_close(pfd);
			return err_set(ERR_USAGE, "destination %s: more than %u symlinks",
			    arg, DEST_LINKS_MAX);
		}
		rc = follow(d, pfd);
		port_fs_close(pfd);
		if (rc < 0)
			return ERR_USAGE;
	}
	there = rc == ERR_OK;
	if (rc == ERR_NOENT) {
		err_clear();
		rc = ERR_OK;
	} else if (rc == ERR_OK && st.type != PORT_T_DIR) {
		rc = err_set(ERR_USAGE, "destination %s exists and is not a "
		    "directory", d->path);
	}
	if (rc == ERR_OK)
		rc = port_fs_stat(pfd, NULL, &pst);
	if (rc == ERR_OK && write && port_fs_writable(pfd, NULL) < 0)
		rc = err_prefix(ERR_USAGE, "destination %s: its parent directory %s "
		    "cannot be written (the lock, staging and state record go "
		    "there)", d->path, d->parent);
	if (rc == ERR_OK && there)
		rc = look_inside(d, pfd, &st, &pst, write);
	if (rc == ERR_OK) {
		read_record(d, pfd, rec, doc, cap, tok, ntok);
		snprintf(old, sizeof old, "%s.old", d->base);
		d->old_exists = port_fs_stat(pfd, old, &st) == ERR_OK;
		err_clear();
	}
	port_fs_close(pfd);
	return rc < 0 && rc != ERR_USAGE ? err_prefix(ERR_USAGE, "destination %s",
	    d->path) : rc;
}

int
dest_usable(const struct dest *d, int force, int keep_old)
{
	char rp[BOARD_PATH_MAX + 300];

	if (keep_old && d->mount)
		return err_set(ERR_USAGE, "--keep-old: %s is a mount point, and %s.old "
		    "would be on another file system; keep the old slot instead",
		    d->path, d->path);
	dest_record_path(d, rp, sizeof rp);
	if (d->exists && !d->empty && !d->record_file && !d->staging_inside &&
	    !force)
		return err_set(ERR_USAGE, "destination %s is not empty and ocipull "
		    "did not write it (no %s): give --force to replace everything "
		    "in it", d->path, rp);
	if (keep_old && d->old_exists && !force)
		return err_set(ERR_USAGE, "--keep-old: %s.old exists already; move "
		    "it away, or give --force to replace it", d->path);
	return ERR_OK;
}
