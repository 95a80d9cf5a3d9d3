/*
 * rootfs_xattr.c: the rootfs writer's xattr policy. See rootfs_xattr.h.
 */
#include "rootfs_xattr.h"

#include <string.h>

#include "err.h"
#include "port.h"
#include "xattr.h"

int
rootfs_xattr_wanted(const char *name, int is_root)
{
	if (strncmp(name, "user.overlay.", 13) == 0)
		return 0;
	if (strncmp(name, "user.", 5) == 0)
		return 1;
	return is_root && strcmp(name, "security.capability") == 0;
}

int
rootfs_xattr_drop(int fd, char *names, size_t cap, int is_root)
{
	long n = port_fs_flistxattr(fd, names, cap);
	size_t at = 0;

	if (n == ERR_UNSUPPORTED) {
		err_clear();
		return ERR_OK;
	}
	if (n == ERR_NOMEM)
		return err_prefix(ERR_NOMEM, "over ROOTFS_XATTR_NAMES");
	if (n < 0)
		return (int)n;
	while (at < (size_t)n) {
		const char *name = names + at;
		const char *nul = memchr(name, '\0', (size_t)n - at);
		int rc = ERR_OK;

		if (nul == NULL)
			break;
		if (rootfs_xattr_wanted(name, is_root))
			rc = port_fs_fremovexattr(fd, name);
		if (rc == ERR_NOENT)
			err_clear();
		else if (rc < 0)
			return rc;
		at += (size_t)(nul - name) + 1;
	}
	return ERR_OK;
}

int
rootfs_xattr_apply(int fd, const uint8_t *buf, size_t len, unsigned n,
    int is_root, unsigned *skipped)
{
	const char *name;
	const void *value;
	size_t pos = 0, vlen;
	unsigned i;

	for (i = 0; i <= n + 1u &&
	    xattr_next(buf, len, &pos, &name, &value, &vlen) == 1; i++) {
		int rc;

		if (!rootfs_xattr_wanted(name, is_root)) {
			(*skipped)++;
			continue;
		}
		rc = port_fs_fsetxattr(fd, name, value, vlen);
		if (rc == ERR_UNSUPPORTED) {
			err_clear();
			(*skipped)++;
			continue;
		}
		if (rc < 0)
			return rc;
	}
	return ERR_OK;
}
