/*
 * whiteout.c: whiteouts, opaque directories and layer membership. See
 * whiteout.h for the rule and its limits.
 */
#include "whiteout.h"

#include <string.h>

#include "contain.h"
#include "err.h"
#include "tree.h"

#define DIRFLAGS (PORT_O_READ | PORT_O_DIRECTORY | PORT_O_NOFOLLOW)
#define WH ".wh."
#define WH_OPQ ".wh..wh..opq"

/* ---- layer membership ----------------------------------------------------- */

static int
ts_before(int64_t as, uint32_t ans, const struct whiteout_time *b)
{
	return as < b->s || (as == b->s && ans < b->ns);
}

static int
is_root_dir(const struct whiteout_member *m, const struct port_stat *st)
{
	return st->dev == m->root_dev && st->ino == m->root_ino;
}

void
whiteout_member_init(struct whiteout_member *m, int work, uint64_t root_dev,
    uint64_t root_ino)
{
	memset(m, 0, sizeof *m);
	m->work = work;
	m->root_dev = root_dev;
	m->root_ino = root_ino;
}

int
whiteout_is_lower(const struct whiteout_member *m, const struct port_stat *st)
{
	if (st->type != PORT_T_DIR && st->has_btime && !m->no_btime)
		return ts_before(st->btime_s, st->btime_ns, &m->start);
	return ts_before(st->ctime_s, st->ctime_ns, &m->start);
}

int
whiteout_born_here(const struct whiteout_member *m, const struct port_stat *st)
{
	return st->has_btime && !m->no_btime &&
	    !ts_before(st->btime_s, st->btime_ns, &m->start);
}

/* Invariant: a directory of this layer has ancestors of this layer, so the
 * climb stops at the first one. */
int
whiteout_claim_dir(const struct whiteout_member *m, int fd)
{
	struct port_stat st;
	int cur = fd, rc;
	unsigned i;

	rc = port_fs_stat(fd, NULL, &st);
	if (rc < 0)
		return rc;
	if (is_root_dir(m, &st) ||
	    !ts_before(st.ctime_s, st.ctime_ns, &m->start))
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
		if (rc < 0 || is_root_dir(m, &st) ||
		    !ts_before(st.ctime_s, st.ctime_ns, &m->start))
			break;
		rc = port_fs_fchmod(cur, st.mode);
	}
	if (cur >= 0 && cur != fd)
		port_fs_close(cur);
	return rc;
}

/* A fresh timestamp of the file system: change the probe, read it back. */
static int
fs_now(const struct whiteout_member *m, struct whiteout_time *t)
{
	struct port_stat st;
	int fd, rc;

	fd = port_fs_open(m->work, "layer.probe", PORT_O_WRITE | PORT_O_CREATE |
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
whiteout_layer_begin(struct whiteout_member *m, unsigned index)
{
	struct whiteout_time mark, now;
	uint64_t t0;
	int rc;

	m->layer = index;
	rc = fs_now(m, &mark);
	if (rc < 0)
		return err_prefix(rc, "file system clock");
	if (ts_before(mark.s, mark.ns, &m->last))
		return err_set(ERR_IO, "the file system clock went back "
		    "(%lld.%09u before %lld.%09u); layers cannot be told apart",
		    (long long)mark.s, mark.ns, (long long)m->last.s,
		    m->last.ns);
	/* Wait for a timestamp strictly after everything before this call. */
	t0 = port_mono_ms();
	for (;;) {
		rc = fs_now(m, &now);
		if (rc < 0)
			return err_prefix(rc, "file system clock");
		if (ts_before(mark.s, mark.ns, &now))
			break;
		if (port_mono_ms() - t0 > ROOTFS_TICK_WAIT_MS)
			return err_set(ERR_IO, "the file system's change times "
			    "did not advance in %u ms", ROOTFS_TICK_WAIT_MS);
		port_sleep_ms(1);
	}
	m->start = now;
	m->last = now;
	return ERR_OK;
}

int
whiteout_layer_end(struct whiteout_member *m)
{
	struct whiteout_time now;
	int rc;

	rc = fs_now(m, &now);
	if (rc < 0)
		return err_prefix(rc, "file system clock");
	if (ts_before(now.s, now.ns, &m->start))
		return err_set(ERR_IO, "the file system clock went back "
		    "during the layer; whiteouts may be wrong");
	m->last = now;
	return ERR_OK;
}

void
whiteout_member_finish(const struct whiteout_member *m)
{
	(void)port_fs_unlink(m->work, "layer.probe", 0);
	err_clear();
}

/* ---- whiteout names and their effect ---------------------------------------- */

void
whiteout_init(struct whiteout *w)
{
	memset(w, 0, sizeof *w);
	w->dir.fd = -1;
}

int
whiteout_name(const char *name, const char **target)
{
	const char *w;

	if (strncmp(name, WH, strlen(WH)) != 0)
		return WHITEOUT_NONE;
	w = name + strlen(WH);
	if (w[0] == '\0' || strcmp(w, ".") == 0 || strcmp(w, "..") == 0)
		return WHITEOUT_BAD;
	if (strcmp(name, WH_OPQ) == 0)
		return WHITEOUT_OPAQUE;
	*target = w;
	return WHITEOUT_REMOVE;
}

/* Remove name below dir when it is lower: 1 when removed, 0 when absent or
 * of this layer, or an error. */
static int
remove_lower(const struct whiteout_member *m, int dir, const char *name)
{
	struct port_stat st;
	int rc = port_fs_stat(dir, name, &st);

	if (rc == ERR_NOENT) {
		err_clear();
		return 0;
	}
	if (rc < 0)
		return rc;
	if (!whiteout_is_lower(m, &st))
		return 0;
	rc = st.type == PORT_T_DIR ? tree_remove(dir, name) :
	    port_fs_unlink(dir, name, 0);
	return rc < 0 ? rc : 1;
}

int
whiteout_remove(const struct whiteout_member *m, int dir, const char *name)
{
	int rc = remove_lower(m, dir, name);

	return rc < 0 ? rc : ERR_OK;
}

/* Remove the lower children of cur, listing again after any removal. */
static int
remove_lower_children(struct whiteout *w, const struct whiteout_member *m,
    int cur)
{
	unsigned removed;
	long n;
	int fd, rc = ERR_OK;

	do {
		removed = 0;
		fd = port_fs_open(cur, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
		if (fd < 0)
			return fd;
		port_fs_dir_open(&w->dir, fd);
		while ((n = port_fs_dir_next(&w->dir, w->name,
		    sizeof w->name)) > 0) {
			rc = remove_lower(m, cur, w->name);
			if (rc < 0)
				break;
			removed += (unsigned)rc;
			rc = ERR_OK;
		}
		port_fs_dir_close(&w->dir);
		if (n < 0)
			rc = (int)n;
	} while (rc == ERR_OK && removed > 0);
	return rc;
}

/* Into w->best: the smallest name after w->after of a directory below cur
 * that can hold lower content ("" for none). */
static int
next_dir(struct whiteout *w, const struct whiteout_member *m, int cur)
{
	struct port_stat st;
	long n;
	int fd, rc = ERR_OK;

	w->best[0] = '\0';
	fd = port_fs_open(cur, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	port_fs_dir_open(&w->dir, fd);
	while ((n = port_fs_dir_next(&w->dir, w->name, sizeof w->name)) > 0) {
		if (w->after[0] != '\0' && strcmp(w->name, w->after) <= 0)
			continue;
		if (w->best[0] != '\0' && strcmp(w->name, w->best) >= 0)
			continue;
		rc = port_fs_stat(cur, w->name, &st);
		if (rc < 0)
			break;
		if (st.type == PORT_T_DIR && !whiteout_born_here(m, &st))
			memcpy(w->best, w->name, (size_t)n + 1);
	}
	port_fs_dir_close(&w->dir);
	return n < 0 ? (int)n : rc;
}

/* Append a name to w->opath; ERR_NOMEM past the buffer. */
static int
opath_push(struct whiteout *w, const char *name)
{
	size_t l = strlen(w->opath), n = strlen(name);

	if (l + 1 + n >= sizeof w->opath)
		return err_set(ERR_NOMEM, "opaque directory: tree deeper than "
		    "BOARD_PATH_MAX (%u bytes)", (unsigned)BOARD_PATH_MAX);
	w->opath[l] = '/';
	memcpy(w->opath + l + 1, name, n + 1);
	return ERR_OK;
}

/*
 * Remove the lower children of dir, then visit this layer's directories
 * below that existed before the layer (the only ones that can hold lower
 * content) and do the same there. The stack is w->opath (names below dir);
 * after returning from a child, the parent continues with the smallest name
 * after it, so no listing is kept open.
 */
int
whiteout_opaque(struct whiteout *w, const struct whiteout_member *m, int dir)
{
	int cur, rc, first = 1;

	w->opath[0] = '\0';
	w->after[0] = '\0';
	cur = port_fs_open(dir, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	for (;;) {
		char *slash;

		rc = first ? remove_lower_children(w, m, cur) : ERR_OK;
		if (rc == ERR_OK)
			rc = next_dir(w, m, cur);
		if (rc < 0)
			break;
		if (w->best[0] != '\0') {
			rc = opath_push(w, w->best);
			if (rc == ERR_OK)
				rc = contain_step(&cur, w->best);
			if (rc < 0)
				break;
			w->after[0] = '\0';
			first = 1;
			continue;
		}
		if (w->opath[0] == '\0')
			break;
		/* Back up one level and continue after this directory's name. */
		slash = strrchr(w->opath, '/');
		memcpy(w->after, slash + 1, strlen(slash + 1) + 1);
		*slash = '\0';
		rc = contain_step(&cur, "..");
		if (rc < 0)
			break;
		first = 0;
	}
	port_fs_close(cur);
	return rc;
}
