/*
 * rootfs_xattr.h: the rootfs writer's xattr policy (see rootfs.h) and its
 * application to an open object, from the packed list of xattr.h.
 *
 * No state: the caller passes the handle, its buffers and whether it runs
 * as root.
 */
#ifndef ROOTFS_XATTR_H
#define ROOTFS_XATTR_H

#include <stddef.h>
#include <stdint.h>

/* Nonzero when the policy applies the xattr name: user.* but
 * user.overlay.*, security.capability when is_root (not trusted.*,
 * security.selinux, ...). */
int rootfs_xattr_wanted(const char *name, int is_root);

/*
 * Remove from the open object fd the xattrs the policy applies (a
 * directory declared again ends with exactly the new entry's; names
 * outside the policy were never set by the writer and stay), listing the
 * names into names[0..cap). Returns 0, ERR_NOMEM when they do not fit, or
 * a port error; a file system without xattrs has none to remove.
 */
int rootfs_xattr_drop(int fd, char *names, size_t cap, int is_root);

/*
 * Set on fd the xattrs of the packed list buf[0..len) (n records) that the
 * policy applies; those it does not, and each one the file system refuses
 * (ERR_UNSUPPORTED), count in *skipped. Returns 0 or a port error.
 */
int rootfs_xattr_apply(int fd, const uint8_t *buf, size_t len, unsigned n,
    int is_root, unsigned *skipped);

#endif /* ROOTFS_XATTR_H */
