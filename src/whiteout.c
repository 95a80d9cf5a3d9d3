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

void
whiteout_member_init(struct whiteout_member *m, int work, uint64_t root_dev,
    uint64_t root_ino)
{
	memset(m, 0, sizeof *m);
	member_init(&m->set, work);
	m->root_dev = root_dev;
	m->root_ino = root_ino;
}

int
whiteout_layer_begin(struct whiteout_member *m, unsigned index)
{
	m->layer = index;
	return member_begin(&m->set);
}

/* Nonzero when st is the root directory itself. */
static int
is_root_dir(const struct whiteout_member *m, const struct port_stat *st)
{
	return st->dev == m->root_dev && st->ino == m->root_ino;
}

/* Nonzero when the object st, named name in the directory with inode
 * parent, is not the current layer's; or an error. */
static int
is_lower(struct whiteout_member *m, uint64_t parent, const char *name,
    const struct port_stat *st)
{
	int rc = st->type == PORT_T_DIR ? member_has_dir(&m->set, st->ino, NULL) :
	    member_has_name(&m->set, parent, name);

	return rc < 0 ? rc : !rc;
}

/* Invariant: a directory of this layer has ancestors of this layer, so the
 * climb stops at the first one the set knows (member_add_dir's 1). */
int
whiteout_claim_dir(struct whiteout_member *m, int fd, uint64_t *ino)
{
	struct port_stat st;
	int rc = port_fs_stat(fd, NULL, &st);

	if (rc < 0)
		return rc;
	*ino = st.ino;
	return whiteout_claim_stat(m, fd, &st);
}

int
whiteout_claim_stat(struct whiteout_member *m, int fd,
    const struct port_stat *dst)
{
	struct port_stat st = *dst;
	int cur = fd, rc = ERR_OK;
	unsigned i;

	for (i = 0; !is_root_dir(m, &st); i++) {
		int up;

		rc = member_add_dir(&m->set, st.ino, 0);
		if (rc != 0)
			break;
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
		if (rc < 0)
			break;
	}
	if (cur >= 0 && cur != fd)
		port_fs_close(cur);
	return rc < 0 ? rc : ERR_OK;
}

int
whiteout_made_dir(struct whiteout_member *m, uint64_t ino, int born)
{
	int rc = member_add_dir(&m->set, ino, born);

	return rc < 0 ? rc : ERR_OK;
}

int
whiteout_made_name(struct whiteout_member *m, uint64_t parent,
    const char *name)
{
	return member_add_name(&m->set, parent, name);
}

void
whiteout_member_finish(struct whiteout_member *m)
{
	member_finish(&m->set);
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

/* Remove name below dir (inode dir_ino) when it is lower: 1 when removed,
 * 0 when absent or of this layer, or an error. */
static int
remove_lower(struct whiteout_member *m, int dir, uint64_t dir_ino,
    const char *name)
{
	struct port_stat st;
	int rc = port_fs_stat(dir, name, &st);

	if (rc == ERR_NOENT) {
		err_clear();
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = is_lower(m, dir_ino, name, &st);
	if (rc <= 0)
		return rc;
	rc = st.type == PORT_T_DIR ? tree_remove(dir, name) :
	    port_fs_unlink(dir, name, 0);
	return rc < 0 ? rc : 1;
}

int
whiteout_remove(struct whiteout_member *m, int dir, uint64_t dir_ino,
    const char *name)
{
	int rc = remove_lower(m, dir, dir_ino, name);

	return rc < 0 ? rc : ERR_OK;
}

/* Remove the lower children of cur, listing again after any removal. */
static int
remove_lower_children(struct whiteout *w, struct whiteout_member *m, int cur)
{
	struct port_stat st;
	unsigned removed;
	long n;
	int fd, rc = port_fs_stat(cur, NULL, &st);

	if (rc < 0)
		return rc;
	do {
		removed = 0;
		fd = port_fs_open(cur, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
		if (fd < 0)
			return fd;
		port_fs_dir_open(&w->dir, fd);
		while ((n = port_fs_dir_next(&w->dir, w->name,
		    sizeof w->name)) > 0) {
			rc = remove_lower(m, cur, st.ino, w->name);
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
next_dir(struct whiteout *w, struct whiteout_member *m, int cur)
{
	struct port_stat st;
	long n;
	int fd, rc = ERR_OK, born = 0;

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
		if (st.type != PORT_T_DIR)
			continue;
		rc = member_has_dir(&m->set, st.ino, &born);
		if (rc < 0)
			break;
		rc = ERR_OK;
		if (!born)
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
whiteout_opaque(struct whiteout *w, struct whiteout_member *m, int dir)
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
