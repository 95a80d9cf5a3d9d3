/*
 * fs.c: directory-handle based file operations on Linux (openat family).
 * Every call takes a directory handle and a name below it; metadata is set
 * through file descriptors or with AT_SYMLINK_NOFOLLOW, never by a path
 * that could lead through a symlink.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "port.h"
#include "err.h"
#include "linux.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)    /* linux/fs.h, which clashes with libc */
#endif

static int
dirfd_of(int dir)
{
	return dir == PORT_CWD ? AT_FDCWD : dir;
}

static int
oflags(unsigned flags)
{
	int f = O_CLOEXEC;

	if ((flags & PORT_O_READ) && (flags & PORT_O_WRITE))
		f |= O_RDWR;
	else if (flags & PORT_O_WRITE)
		f |= O_WRONLY;
	else
		f |= O_RDONLY;
	if (flags & PORT_O_CREATE) f |= O_CREAT;
	if (flags & PORT_O_EXCL) f |= O_EXCL;
	if (flags & PORT_O_TRUNC) f |= O_TRUNC;
	if (flags & PORT_O_NOFOLLOW) f |= O_NOFOLLOW;
	if (flags & PORT_O_DIRECTORY) f |= O_DIRECTORY;
	if (flags & PORT_O_APPEND) f |= O_APPEND;
	return f;
}

int
port_fs_open(int dir, const char *path, unsigned flags, uint32_t mode)
{
	int fd;

	do {
		fd = openat(dirfd_of(dir), path, oflags(flags), (mode_t)mode);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return linux_err(errno, "open", path);
	return fd;
}

int
port_fs_open_in_root(int root, const char *path, unsigned flags, uint32_t mode)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(unsigned)oflags(flags);
	how.mode = (flags & PORT_O_CREATE) ? mode : 0;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	do {
		fd = syscall(SYS_openat2, root, path, &how, sizeof how);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENOSYS || errno == EPERM)   /* old kernel, seccomp */
			return ERR_UNSUPPORTED;
		return linux_err(errno, "open", path);
	}
	return (int)fd;
}

long
port_fs_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return linux_err(errno, "read", NULL);
	return (long)n;
}

/* Write all len bytes: at offset off, or at the file position when off is
 * negative. */
static long
write_all(int fd, const void *buf, size_t len, int64_t off)
{
	const unsigned char *p = buf;
	size_t left = len;

	while (left > 0) {
		ssize_t n = off < 0 ? write(fd, p, left) :
		    pwrite(fd, p, left, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return linux_err(errno, "write", NULL);
		if (n == 0)
			return err_set(ERR_IO, "write: no progress");
		p += n;
		if (off >= 0)
			off += n;
		left -= (size_t)n;
	}
	return (long)len;
}

long
port_fs_write(int fd, const void *buf, size_t len)
{
	return write_all(fd, buf, len, -1);
}

int
port_fs_close(int fd)
{
	if (close(fd) != 0 && errno != EINTR)
		return linux_err(errno, "close", NULL);
	return ERR_OK;
}

long
port_fs_pread(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do {
		n = pread(fd, buf, len, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return linux_err(errno, "read", NULL);
	return (long)n;
}

long
port_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	if (off > (uint64_t)INT64_MAX)
		return err_set(ERR_IO, "write: offset out of range");
	return write_all(fd, buf, len, (int64_t)off);
}

int
port_fs_truncate(int fd, uint64_t len)
{
	if (ftruncate(fd, (off_t)len) != 0)
		return linux_err(errno, "truncate", NULL);
	return ERR_OK;
}

int
port_fs_fsync(int fd)
{
	if (fsync(fd) != 0)
		return linux_err(errno, "fsync", NULL);
	return ERR_OK;
}

int
port_fs_syncfs(int fd)
{
	if (syncfs(fd) != 0)
		return linux_err(errno, "syncfs", NULL);
	return ERR_OK;
}

static unsigned
type_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return PORT_T_REG;
	case S_IFDIR: return PORT_T_DIR;
	case S_IFLNK: return PORT_T_LNK;
	case S_IFCHR: return PORT_T_CHR;
	case S_IFBLK: return PORT_T_BLK;
	case S_IFIFO: return PORT_T_FIFO;
	case S_IFSOCK: return PORT_T_SOCK;
	default: return PORT_T_NONE;
	}
}

int
port_fs_stat(int dir, const char *path, struct port_stat *st)
{
	struct stat s;
	int flags = AT_SYMLINK_NOFOLLOW;

	if (path == NULL || path[0] == '\0') {
		path = "";
		flags |= AT_EMPTY_PATH;
	}
	memset(st, 0, sizeof *st);
	if (fstatat(dirfd_of(dir), path, &s, flags) != 0)
		return linux_err(errno, "stat", path);
	st->type = type_of(s.st_mode);
	st->mode = (uint32_t)(s.st_mode & 07777);
	st->uid = (uint32_t)s.st_uid;
	st->gid = (uint32_t)s.st_gid;
	st->size = (uint64_t)s.st_size;
	st->ino = (uint64_t)s.st_ino;
	st->dev = (uint64_t)s.st_dev;
	st->nlink = (uint64_t)s.st_nlink;
	return ERR_OK;
}

int
port_fs_mkdir(int dir, const char *name, uint32_t mode)
{
	if (mkdirat(dirfd_of(dir), name, (mode_t)mode) != 0)
		return linux_err(errno, "mkdir", name);
	return ERR_OK;
}

int
port_fs_unlink(int dir, const char *name, int is_dir)
{
	if (unlinkat(dirfd_of(dir), name, is_dir ? AT_REMOVEDIR : 0) != 0)
		return linux_err(errno, "remove", name);
	return ERR_OK;
}

int
port_fs_rename(int from_dir, const char *from, int to_dir, const char *to,
    int exchange)
{
	/* The system call itself: musl 1.2.5 has no renameat2(). */
	if (syscall(SYS_renameat2, dirfd_of(from_dir), from, dirfd_of(to_dir),
	    to, exchange ? RENAME_EXCHANGE : 0) != 0)
		return linux_err(errno, "rename", from);
	return ERR_OK;
}

int
port_fs_symlink(const char *target, int dir, const char *name)
{
	if (symlinkat(target, dirfd_of(dir), name) != 0)
		return linux_err(errno, "symlink", name);
	return ERR_OK;
}

int
port_fs_link(int from_dir, const char *from, int to_dir, const char *to)
{
	if (linkat(dirfd_of(from_dir), from, dirfd_of(to_dir), to, 0) != 0)
		return linux_err(errno, "link", to);
	return ERR_OK;
}

int
port_fs_mknod(int dir, const char *name, unsigned type, uint32_t mode,
    uint32_t major, uint32_t minor)
{
	mode_t m = (mode_t)(mode & 07777);

	switch (type) {
	case PORT_T_CHR: m |= S_IFCHR; break;
	case PORT_T_BLK: m |= S_IFBLK; break;
	case PORT_T_FIFO: m |= S_IFIFO; break;
	default: return err_set(ERR_INTERNAL, "mknod %s: bad type %u", name, type);
	}
	if (mknodat(dirfd_of(dir), name, m, makedev(major, minor)) != 0)
		return linux_err(errno, "mknod", name);
	return ERR_OK;
}

int
port_fs_fchmod(int fd, uint32_t mode)
{
	if (fchmod(fd, (mode_t)(mode & 07777)) != 0)
		return linux_err(errno, "chmod", NULL);
	return ERR_OK;
}

int
port_fs_fchown(int fd, uint32_t uid, uint32_t gid)
{
	if (fchown(fd, (uid_t)uid, (gid_t)gid) != 0)
		return linux_err(errno, "chown", NULL);
	return ERR_OK;
}

static void
set_times(struct timespec ts[2], int64_t s, uint32_t ns)
{
	ts[0].tv_sec = (time_t)s;
	ts[0].tv_nsec = (long)ns;
	ts[1] = ts[0];
}

int
port_fs_futimes(int fd, int64_t mtime_s, uint32_t mtime_ns)
{
	struct timespec ts[2];

	set_times(ts, mtime_s, mtime_ns);
	if (futimens(fd, ts) != 0)
		return linux_err(errno, "set times", NULL);
	return ERR_OK;
}

int
port_fs_fsetxattr(int fd, const char *name, const void *value, size_t len)
{
	if (fsetxattr(fd, name, value, len, 0) != 0)
		return linux_err(errno, "set xattr", name);
	return ERR_OK;
}

long
port_fs_flistxattr(int fd, char *buf, size_t cap)
{
	ssize_t n = flistxattr(fd, buf, cap);

	if (n < 0 && errno == ERANGE)
		return err_set(ERR_NOMEM, "list xattrs: the names take more "
		    "than %zu bytes", cap);
	if (n < 0)
		return linux_err(errno, "list xattrs", NULL);
	return (long)n;
}

int
port_fs_fremovexattr(int fd, const char *name)
{
	if (fremovexattr(fd, name) == 0)
		return ERR_OK;
	if (errno == ENODATA)
		return err_set(ERR_NOENT, "remove xattr %s: not set", name);
	return linux_err(errno, "remove xattr", name);
}

int
port_fs_lchown(int dir, const char *name, uint32_t uid, uint32_t gid)
{
	if (fchownat(dirfd_of(dir), name, (uid_t)uid, (gid_t)gid,
	    AT_SYMLINK_NOFOLLOW) != 0)
		return linux_err(errno, "chown", name);
	return ERR_OK;
}

int
port_fs_lchmod(int dir, const char *name, uint32_t mode)
{
	/* glibc uses fchmodat2, or O_PATH and /proc/self/fd on older kernels,
	 * and refuses a symlink with EOPNOTSUPP. */
	if (fchmodat(dirfd_of(dir), name, (mode_t)(mode & 07777),
	    AT_SYMLINK_NOFOLLOW) != 0)
		return linux_err(errno, "chmod", name);
	return ERR_OK;
}

long
port_fs_readlink(int dir, const char *name, char *buf, size_t cap)
{
	ssize_t n;

	if (cap < 2)
		return err_set(ERR_NOMEM, "readlink %s: no room", name);
	n = readlinkat(dirfd_of(dir), name, buf, cap);
	if (n < 0)
		return linux_err(errno, "readlink", name);
	if ((size_t)n >= cap)
		return err_set(ERR_NOMEM, "readlink %s: target longer than %zu bytes",
		    name, cap - 1);
	buf[n] = '\0';
	return (long)n;
}

int
port_fs_writable(int dir, const char *name)
{
	if (faccessat(dirfd_of(dir), name ? name : ".", W_OK | X_OK,
	    AT_EACCESS) != 0)
		return linux_err(errno, "write into", name ? name : "directory");
	return ERR_OK;
}

int
port_fs_lutimes(int dir, const char *name, int64_t mtime_s, uint32_t mtime_ns)
{
	struct timespec ts[2];

	set_times(ts, mtime_s, mtime_ns);
	if (utimensat(dirfd_of(dir), name, ts, AT_SYMLINK_NOFOLLOW) != 0)
		return linux_err(errno, "set times", name);
	return ERR_OK;
}

/* Layout of the records getdents64 writes (struct linux_dirent64). */
struct dirent64_hdr {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

void
port_fs_dir_open(struct port_dir *d, int fd)
{
	d->fd = fd;
	d->pos = 0;
	d->len = 0;
}

long
port_fs_dir_next(struct port_dir *d, char *name, size_t cap)
{
	for (;;) {
		const struct dirent64_hdr *e;
		size_t n;

		if (d->pos >= d->len) {
			long got = syscall(SYS_getdents64, d->fd, d->buf, sizeof d->buf);
			if (got < 0)
				return linux_err(errno, "read directory", NULL);
			if (got == 0)
				return 0;
			d->pos = 0;
			d->len = (size_t)got;
		}
		e = (const struct dirent64_hdr *)(const void *)(d->buf + d->pos);
		d->pos += e->reclen;
		if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
			continue;
		n = strlen(e->name);
		if (n + 1 > cap)
			return err_set(ERR_NOMEM, "directory entry name longer than %zu",
			    cap - 1);
		memcpy(name, e->name, n + 1);
		return (long)n;
	}
}

void
port_fs_dir_close(struct port_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int
port_fs_lock(int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return ERR_BUSY;
		return linux_err(errno, "lock", NULL);
	}
	return ERR_OK;
}

long
port_fs_read_file(int dir, const char *path, void *buf, size_t cap)
{
	unsigned char *p = buf;
	size_t got = 0;
	int fd = port_fs_open(dir, path, PORT_O_READ, 0);

	if (fd < 0)
		return fd;
	for (;;) {
		long n = port_fs_read(fd, p + got, cap - got);
		if (n < 0) {
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == cap) {
			unsigned char extra;
			n = port_fs_read(fd, &extra, 1);
			close(fd);
			if (n != 0)
				return err_set(ERR_NOMEM, "%s: larger than %zu bytes",
				    path, cap);
			return (long)got;
		}
	}
	close(fd);
	return (long)got;
}
