/*
 * tree.c: depth-first removal with one path buffer.
 */
#include "tree.h"

#include <string.h>

#include "config.h"
#include "err.h"
#include "port.h"

int
tree_remove(int dir, const char *name)
{
	char path[BOARD_PATH_MAX], ent[256];
	struct port_stat st;
	struct port_dir d;
	size_t len = strlen(name), top = len;
	int rc;

	if (len == 0 || len >= sizeof path)
		return err_set(ERR_INTERNAL, "tree_remove: bad name");
	rc = port_fs_stat(dir, name, &st);
	if (rc == ERR_NOENT) {
		err_clear();
		return ERR_OK;
	}
	if (rc < 0)
		return rc;
	if (st.type != PORT_T_DIR)
		return port_fs_unlink(dir, name, 0);
	memcpy(path, name, len + 1);
	for (;;) {
		int fd, descended = 0;

		rc = ERR_OK;
		long n;

		fd = port_fs_open(dir, path, PORT_O_READ | PORT_O_DIRECTORY |
		    PORT_O_NOFOLLOW, 0);
		if (fd < 0)
			return err_prefix(fd, "remove %s", path);
		/* Unprivileged runs may meet read-only directories. */
		(void)port_fs_fchmod(fd, 0700);
		port_fs_dir_open(&d, fd);
		while ((n = port_fs_dir_next(&d, ent, sizeof ent)) > 0) {
			rc = port_fs_stat(fd, ent, &st);
			if (rc < 0)
				break;
			if (st.type == PORT_T_DIR) {
				size_t el = (size_t)n;
				if (len + 1 + el >= sizeof path) {
					rc = err_set(ERR_NOMEM, "remove %s: path deeper than "
					    "BOARD_PATH_MAX", path);
					break;
				}
				path[len] = '/';
				memcpy(path + len + 1, ent, el + 1);
				len += 1 + el;
				descended = 1;
				break;
			}
			rc = port_fs_unlink(fd, ent, 0);
			if (rc < 0)
				break;
		}
		port_fs_dir_close(&d);
		if (n < 0)
			return err_prefix((int)n, "remove %s", path);
		if (rc < 0)
			return err_prefix(rc, "remove %s", path);
		if (descended)
			continue;
		/* path is empty now: remove it and go back up one level. */
		rc = port_fs_unlink(dir, path, 1);
		if (rc < 0)
			return rc;
		if (len == top)
			return ERR_OK;
		while (len > top && path[len] != '/')
			len--;
		path[len] = '\0';
	}
}
