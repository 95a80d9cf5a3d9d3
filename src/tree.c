/*
 * tree.c: depth-first removal with one path buffer.
 */
#include "tree.h"

#include <string.h>

#include "config.h"
#include "err.h"
#include "port.h"

/*
 * Open the directory at the first n bytes of path below dir one component
 * at a time, never following a symlink (n 0: dir itself). Returns a new
 * handle or an error.
 */
static int
open_walk(int dir, const char *path, size_t n)
{
	char comp[256];
	size_t i = 0, k;
	int fd, next;

	fd = port_fs_open(dir, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	while (fd >= 0 && i < n) {
		for (k = i; k < n && path[k] != '/'; k++)
			;
		if (k - i >= sizeof comp) {
			port_fs_close(fd);
			return err_set(ERR_NOMEM, "remove %.*s: name too long", (int)n,
			    path);
		}
		memcpy(comp, path + i, k - i);
		comp[k - i] = '\0';
		i = k + 1;
		if (comp[0] == '\0')
			continue;
		next = port_fs_open(fd, comp, PORT_O_READ | PORT_O_DIRECTORY |
		    PORT_O_NOFOLLOW, 0);
		port_fs_close(fd);
		fd = next;
	}
	return fd;
}

/* Length of path's parent in path[0..len) (0 for a single name). */
static size_t
parent_len(const char *path, size_t len)
{
	while (len > 0 && path[len - 1] != '/')
		len--;
	return len > 0 ? len - 1 : 0;
}

/* Remove the empty directory path[0..len), opening its parent anew. */
static int
remove_empty(int dir, const char *path, size_t len)
{
	size_t pl = parent_len(path, len);
	int pfd = open_walk(dir, path, pl), rc;

	if (pfd < 0)
		return err_prefix(pfd, "remove %s", path);
	rc = port_fs_unlink(pfd, path + (pl > 0 ? pl + 1 : 0), 1);
	port_fs_close(pfd);
	return rc;
}

/*
 * Empty the directory path[0..*len) of its files, or descend into its
 * first subdirectory (path and *len then name it). Returns 1 after a
 * descent, ERR_OK when the directory is empty, or an error.
 */
static int
empty_or_descend(int dir, char *path, size_t *len, uint64_t dev)
{
	char ent[256];
	struct port_stat st;
	struct port_dir d;
	long n;
	int fd, rc = ERR_OK;

	fd = open_walk(dir, path, *len);
	if (fd < 0)
		return err_prefix(fd, "remove %s", path);
	/* Unprivileged runs may meet read-only directories. */
	(void)port_fs_fchmod(fd, 0700);
	port_fs_dir_open(&d, fd);
	while ((n = port_fs_dir_next(&d, ent, sizeof ent)) > 0) {
		rc = port_fs_stat(fd, ent, &st);
		if (rc < 0)
			break;
		if (st.type != PORT_T_DIR) {
			rc = port_fs_unlink(fd, ent, 0);
			if (rc < 0)
				break;
			continue;
		}
		if (st.dev != dev) {
			rc = err_set(ERR_EXIST, "%s/%s is another file system (a mount "
			    "point): not removed", path, ent);
		} else if (*len + 1 + (size_t)n >= BOARD_PATH_MAX) {
			rc = err_set(ERR_NOMEM, "remove %s: path deeper than "
			    "BOARD_PATH_MAX", path);
		} else {
			path[*len] = '/';
			memcpy(path + *len + 1, ent, (size_t)n + 1);
			*len += 1 + (size_t)n;
			rc = 1;
		}
		break;
	}
	port_fs_dir_close(&d);
	if (n < 0)
		return err_prefix((int)n, "remove %s", path);
	return rc < 0 ? err_prefix(rc, "remove %s", path) : rc;
}

int
tree_remove(int dir, const char *name)
{
	char path[BOARD_PATH_MAX];
	struct port_stat st, top_st;
	size_t len = strlen(name), top = len, pl;
	int pfd, rc;

	if (len == 0 || len >= sizeof path)
		return err_set(ERR_INTERNAL, "tree_remove: bad name");
	memcpy(path, name, len + 1);
	pl = parent_len(path, len);
	pfd = open_walk(dir, path, pl);
	if (pfd == ERR_NOENT) {
		err_clear();
		return ERR_OK;
	}
	if (pfd < 0)
		return err_prefix(pfd, "remove %s", path);
	rc = port_fs_stat(pfd, NULL, &top_st);
	if (rc == ERR_OK)
		rc = port_fs_stat(pfd, path + (pl > 0 ? pl + 1 : 0), &st);
	if (rc == ERR_OK && st.type != PORT_T_DIR)
		rc = port_fs_unlink(pfd, path + (pl > 0 ? pl + 1 : 0), 0);
	else if (rc == ERR_OK && st.dev != top_st.dev)
		rc = err_set(ERR_EXIST, "%s is another file system (a mount "
		    "point): not removed", path);
	else if (rc == ERR_OK)
		rc = 1;
	port_fs_close(pfd);
	if (rc == ERR_NOENT) {
		err_clear();
		return ERR_OK;
	}
	if (rc <= 0)
		return rc;
	/* A directory on dir's file system: depth first, one level at a time. */
	for (;;) {
		rc = empty_or_descend(dir, path, &len, top_st.dev);
		if (rc < 0)
			return rc;
		if (rc == 1)
			continue;
		/* path is empty now: remove it and go back up one level. */
		rc = remove_empty(dir, path, len);
		if (rc < 0 || len == top)
			return rc;
		len = parent_len(path, len);
		path[len] = '\0';
	}
}
