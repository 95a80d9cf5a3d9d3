/*
 * contain.c: path cleaning and resolution below the root. See contain.h.
 */
#include "contain.h"

#include <string.h>

#include "err.h"
#include "port.h"

#define DIRFLAGS (PORT_O_READ | PORT_O_DIRECTORY | PORT_O_NOFOLLOW)

/* A length for "%.*s" in messages. */
static int
mlen(size_t n)
{
	return n < BOARD_PATH_MAX ? (int)n : (int)BOARD_PATH_MAX;
}

void
contain_init(struct contain *c, int root, uint64_t root_dev, uint64_t root_ino)
{
	memset(c, 0, sizeof *c);
	c->root = root;
	c->root_dev = root_dev;
	c->root_ino = root_ino;
}

int
contain_clean(const char *src, size_t n, char *dst, size_t cap,
    const char *what)
{
	size_t len = 0, i = 0;
	int rooted = n > 0 && src[0] == '/';

	while (i < n) {
		size_t s, k;

		while (i < n && src[i] == '/')
			i++;
		s = i;
		while (i < n && src[i] != '/')
			i++;
		k = i - s;
		if (k == 0 || (k == 1 && src[s] == '.'))
			continue;
		if (k == 2 && src[s] == '.' && src[s + 1] == '.') {
			if (len == 0) {
				if (rooted)
					continue;
				return err_set(ERR_ESCAPE, "%s %.*s: leaves the root "
				    "directory", what, mlen(n), src);
			}
			while (len > 0 && dst[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		if (k > 255)
			return err_set(ERR_FORMAT, "%s %.*s: a component is longer "
			    "than 255 bytes", what, mlen(n), src);
		if (len + (len > 0) + k >= cap)
			return err_set(ERR_NOMEM, "%s %.*s: longer than %zu bytes",
			    what, mlen(n), src, cap - 1);
		if (len > 0)
			dst[len++] = '/';
		memcpy(dst + len, src + s, k);
		len += k;
	}
	dst[len] = '\0';
	return ERR_OK;
}

const char *
contain_split(char *path, char **name)
{
	char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*name = path;
		return "";
	}
	*slash = '\0';
	*name = slash + 1;
	return path;
}

static int
is_root(const struct contain *c, const struct port_stat *st)
{
	return st->dev == c->root_dev && st->ino == c->root_ino;
}

/* Replace the handle *cur by next (a handle or an error). */
static int
move_to(int *cur, int next)
{
	if (next < 0)
		return next;
	port_fs_close(*cur);
	*cur = next;
	return ERR_OK;
}

int
contain_step(int *dir, const char *name)
{
	return move_to(dir, port_fs_open(*dir, name, DIRFLAGS, 0));
}

/* The next component of c->walk from *pos into c->name: 1, or 0 at the
 * end, or ERR_FORMAT. */
static int
next_name(struct contain *c, size_t *pos)
{
	size_t s, n;

	while (c->walk[*pos] == '/')
		(*pos)++;
	if (c->walk[*pos] == '\0')
		return 0;
	s = *pos;
	while (c->walk[*pos] != '\0' && c->walk[*pos] != '/')
		(*pos)++;
	n = *pos - s;
	if (n >= sizeof c->name)
		return err_set(ERR_FORMAT, "a path component is longer than "
		    "255 bytes");
	memcpy(c->name, c->walk + s, n);
	c->name[n] = '\0';
	return 1;
}

/* "..": to the parent of *cur, unless *cur is the root. */
static int
walk_up(struct contain *c, int *cur)
{
	struct port_stat st;
	int rc = port_fs_stat(*cur, NULL, &st);

	if (rc < 0)
		return rc;
	if (is_root(c, &st))
		return ERR_OK;
	return contain_step(cur, "..");
}

/* The symlink c->name below *cur: its target goes in front of what is left
 * of the walk (from *pos), which restarts; at the root when absolute. */
static int
walk_link(struct contain *c, int *cur, size_t *pos)
{
	size_t tl, rest = strlen(c->walk + *pos);
	long t;

	t = port_fs_readlink(*cur, c->name, c->walk2, sizeof c->walk2);
	if (t < 0)
		return (int)t;
	tl = (size_t)t;
	if (tl == 0)
		return err_set(ERR_NOENT, "empty symlink %s", c->name);
	if (tl + 1 + rest >= sizeof c->walk2)
		return err_set(ERR_NOMEM, "path longer than %zu bytes after "
		    "following symlink %s", sizeof c->walk2 - 1, c->name);
	c->walk2[tl] = '/';
	memcpy(c->walk2 + tl + 1, c->walk + *pos, rest + 1);
	memcpy(c->walk, c->walk2, tl + 1 + rest + 1);
	*pos = 0;
	if (c->walk[0] != '/')
		return ERR_OK;
	return move_to(cur, port_fs_open(c->root, ".", PORT_O_READ |
	    PORT_O_DIRECTORY, 0));
}

/* Open the directory at the cleaned path dir by walking its components
 * from the root with no-follow opens (see contain.h). */
static int
walk_dir(struct contain *c, const char *dir, contain_make_fn make, void *arg)
{
	struct port_stat st;
	size_t pos = 0, len = strlen(dir);
	unsigned hops = 0;
	int cur, rc;

	if (len >= sizeof c->walk)
		return err_set(ERR_NOMEM, "path %s too long", dir);
	memmove(c->walk, dir, len + 1);
	cur = port_fs_open(c->root, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	while ((rc = next_name(c, &pos)) > 0) {
		if (strcmp(c->name, ".") == 0)
			continue;
		if (strcmp(c->name, "..") == 0) {
			rc = walk_up(c, &cur);
			if (rc < 0)
				break;
			continue;
		}
		rc = port_fs_stat(cur, c->name, &st);
		if (rc == ERR_NOENT) {
			err_clear();
			if (make == NULL)
				break;
			rc = make(arg, cur, c->name);
			st.type = PORT_T_DIR;
		}
		if (rc < 0)
			break;
		if (st.type == PORT_T_LNK && ++hops > CONTAIN_HOPS_MAX)
			rc = err_set(ERR_ESCAPE, "more than %u symlinks (a loop?)",
			    CONTAIN_HOPS_MAX);
		else if (st.type == PORT_T_LNK)
			rc = walk_link(c, &cur, &pos);
		else if (st.type != PORT_T_DIR)
			rc = err_set(ERR_FORMAT, "%s is not a directory", c->name);
		else
			rc = contain_step(&cur, c->name);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		return cur;
	port_fs_close(cur);
	return rc;
}

int
contain_dir(struct contain *c, const char *dir, contain_make_fn make,
    void *arg)
{
	if (!c->force_walk) {
		int fd = port_fs_open_in_root(c->root, dir[0] ? dir : ".",
		    PORT_O_READ | PORT_O_DIRECTORY, 0);
		if (fd >= 0)
			return fd;
		if (fd == ERR_NOENT && make == NULL)
			return fd;
		if (fd != ERR_UNSUPPORTED && fd != ERR_NOENT)
			return fd;
		err_clear();
	}
	return walk_dir(c, dir, make, arg);
}
