/*
 * contain.h: keeps the paths of a rootfs writer inside its root directory.
 *
 * Two jobs, both with fixed memory and no knowledge of layers or owners:
 *
 * - contain_clean cleans a name lexically: "./a//b/../c" is "a/c"; an
 *   absolute name is taken from the root, where ".." stays, so "/a/../../b"
 *   is "b"; a relative name that climbs above the root is refused with
 *   ERR_ESCAPE. The result has no empty, "." or ".." component and no
 *   leading or trailing '/'; "" is the root itself.
 *
 * - contain_dir opens the directory at a cleaned path below the root,
 *   afresh for every call, with symlinks inside the root followed as if the
 *   root were "/": openat2 RESOLVE_IN_ROOT where the kernel has it, else a
 *   component walk with O_NOFOLLOW opens that restarts at a symlink's target
 *   (from the root when absolute), keeps ".." at the root, and follows at
 *   most CONTAIN_HOPS_MAX symlinks. Missing directories are made by the
 *   caller's make function, so the caller decides their owner and mode and
 *   what else must happen first (see rootfs.c).
 *
 * The last component of an entry is never resolved here: the writer handles
 * it relative to the parent handle contain_dir returns (rootfs.h).
 *
 * Memory: struct contain is caller-owned and holds the walk's buffers (two
 * paths of BOARD_PATH_MAX bytes and one component); it holds no pointers
 * into itself. The root handle stays the caller's. contain_clean and
 * contain_split need no context and write only into the caller's buffer;
 * contain_step needs none either (the opaque pass of whiteout.c walks with
 * it too).
 *
 * Order of calls:
 *
 *     contain_init(&c, root, root_dev, root_ino);
 *     contain_clean(name, len, path, sizeof path, "entry");   any time
 *     parent = contain_split(path, &last);                    any time
 *     fd = contain_dir(&c, parent, make, arg);  any number of times; the
 *                                               caller closes fd
 *     contain_step(&fd, name);                  to walk on from a handle
 */
#ifndef CONTAIN_H
#define CONTAIN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Most symlinks followed while resolving one path (as Linux's 40). */
#define CONTAIN_HOPS_MAX 40u

struct contain {
	int root;                    /* the caller's handle */
	int force_walk;              /* tests: never use openat2 */
	uint64_t root_dev, root_ino;
	char walk[BOARD_PATH_MAX];   /* component walk: what is left */
	char walk2[BOARD_PATH_MAX];  /* component walk: symlink expansion */
	char name[256];              /* component walk: the current name */
};

/*
 * Create the missing directory name below the directory handle dir (the
 * walk then opens it with no-follow). Returns 0 or an error, which ends the
 * walk. arg is the caller's, passed through contain_dir.
 */
typedef int (*contain_make_fn)(void *arg, int dir, const char *name);

/* Start on root (a directory handle) with its device and inode numbers. */
void contain_init(struct contain *c, int root, uint64_t root_dev,
    uint64_t root_ino);

/*
 * Clean src[0..n) (no NUL inside: the caller checks) into dst, NUL-
 * terminated, as described above. what names the path in messages ("entry",
 * "hard link target"). Returns 0, ERR_ESCAPE (a relative name climbs above
 * the root), ERR_FORMAT (a component longer than 255 bytes) or ERR_NOMEM
 * (the result does not fit in cap - 1 bytes).
 */
int contain_clean(const char *src, size_t n, char *dst, size_t cap,
    const char *what);

/*
 * Split the cleaned path in place at its last '/': returns the parent
 * ("" for a name at the root, then path is not changed) and points *name at
 * the last component.
 */
const char *contain_split(char *path, char **name);

/*
 * One step of a directory walk: move the directory handle *dir into its
 * subdirectory name, never following a symlink, or to its parent with
 * "..". The old handle is closed. Returns 0, or the error of the open with
 * *dir unchanged.
 */
int contain_step(int *dir, const char *name);

/*
 * Open the directory at the cleaned path dir ("" is the root) below the
 * root. With make NULL nothing is created: a missing component is
 * ERR_NOENT (so is a file as a component, where openat2 decides). With
 * make, missing directories are made by
 * make(arg, parent handle, name). Returns the handle (the caller closes
 * it), or ERR_ESCAPE (more than CONTAIN_HOPS_MAX symlinks), ERR_FORMAT (a
 * component is not a directory, or longer than 255 bytes), ERR_NOMEM (the
 * path grows past BOARD_PATH_MAX through a symlink), ERR_NOENT (an empty
 * symlink) or the error of make or of the port.
 */
int contain_dir(struct contain *c, const char *dir, contain_make_fn make,
    void *arg);

#endif /* CONTAIN_H */
