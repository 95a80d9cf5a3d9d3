/*
 * rootfs.h: the rootfs writer. It applies the entries of layers to a
 * staging root directory: files, directories, symlinks, hard links,
 * devices, FIFOs, metadata, OCI whiteouts and opaque directories, with
 * every path kept inside the root. Entries come as struct rootfs_entry from
 * any source (pull.c converts the tar reader's); containment is contain.h's
 * job, whiteouts and which layer an object comes from whiteout.h's.
 *
 * Memory: struct rootfs is caller-owned and holds every buffer (paths, the
 * walk of contain.h, the opaque pass of whiteout.h, the file data buffer of
 * BOARD_WRITE_BUF bytes); nothing grows with the layer. Directory times and
 * modes are applied at the end from a spill file in the caller's work
 * directory, not from memory. The root and work handles stay the caller's:
 * rootfs_close does not close them. rootfs_entry copies the struct
 * rootfs_entry it is given; the bytes its path, link and xattrs point to
 * stay the caller's and must stay valid and unchanged until
 * rootfs_entry_end. File data is gathered in the write buffer: the bytes
 * given to rootfs_data need not outlive the call.
 *
 * Order of calls:
 *
 *     rootfs_open(&fs, root, work, is_root);
 *     for each layer, bottom first:
 *         rootfs_layer_begin(&fs, index);
 *         for each entry:
 *             rootfs_entry(&fs, &e);
 *             rootfs_data(&fs, p, n) ... (regular files: e.size bytes in all)
 *             rootfs_entry_end(&fs);
 *         rootfs_layer_end(&fs);
 *     rootfs_finish(&fs);          directory modes and times
 *     rootfs_close(&fs);           always, also after an error
 *
 * The last component: every entry path, hard link target and whiteout is
 * cleaned and its parent directory opened below the root by contain.h. The
 * last component is handled relative to that parent handle and never
 * followed: the new object is created with O_EXCL|O_NOFOLLOW (mkdir,
 * symlink, mknod), and only when something is there already is it looked
 * at and removed (a directory with its content) before the object is
 * created again; metadata is set through its handle or with no-follow
 * calls.
 *
 * Parent handles are kept between entries (dircache.h), as tar streams
 * group the entries of a directory: a parent path is resolved below the
 * root once and its handle used while it names the same directory. Only
 * the writer changes the tree (the staging directory is private), and it
 * never renames inside the root, so a directory handle opened below the
 * root stays there; which directory a path names changes only when a
 * directory or symlink on the way is removed. Every removal of anything
 * but a regular file (a replaced object, a whiteout, an opaque marker)
 * therefore makes the cached handles stale, as does a declared directory
 * given another owner (the cache knows directories' groups); each layer
 * starts with none. A stale handle is never used for a new entry.
 *
 * Fewest calls: owner and mode are set only where the new object has not
 * got them already. A new object belongs to the writer's uid, and to its
 * gid or its directory's; chown is left out when all of them are the
 * entry's. It is made with its permission bits (files without xattrs;
 * unprivileged, user.* needs write permission) and chmod is left out when
 * no special bit is asked for, the umask clears none of them and the root
 * has no system.* xattr (a default ACL the directories below inherit). A
 * directory's owner and mode are read back (its inode number is needed
 * anyway) and set where they differ. The root itself is never replaced: "." or "/" as a directory only
 * takes its metadata, as anything else ERR_ESCAPE. Symlink targets are
 * stored verbatim and never followed when created. Implied directories are
 * 0755 (root:root as root).
 *
 * Ownership: numeric uid/gid are applied when running as root, never
 * looked up by name. A uid or gid of 4294967295 ((uid_t)-1, (gid_t)-1) is
 * refused, as root or not: chown takes it as "leave unchanged", so the
 * object would keep the writer's owner (a setuid file would stay root's).
 * Modes include setuid/setgid/sticky (set after chown).
 * Unprivileged, directories are kept owner-writable until rootfs_finish
 * sets their modes; character and block devices are skipped and counted
 * (the caller warns once); FIFOs need no privilege and are created.
 * Xattrs: user.* always, security.capability as root; trusted.*,
 * user.overlay.*, other namespaces and xattrs on symlinks, devices, FIFOs
 * and hard links are skipped and counted; a file system that refuses
 * xattrs (ERR_UNSUPPORTED) also counts as skipped. An entry gets exactly
 * its own xattrs within that policy, never a merge with an earlier
 * declaration of the same path: files, symlinks and special files are
 * made afresh, and a directory declared again (the root too) first loses
 * the policy's xattrs it has (listed with flistxattr into a buffer of
 * ROOTFS_XATTR_NAMES bytes: more names than fit is ERR_NOMEM naming the
 * entry). Xattrs outside the policy (security.selinux set by the system,
 * trusted.*) were never set by the writer and stay. Unprivileged, only
 * user.* is in the policy, and the owner may list and remove those.
 */
#ifndef ROOTFS_H
#define ROOTFS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "contain.h"
#include "dircache.h"
#include "port.h"
#include "whiteout.h"

/*
 * Room for the xattr names of a directory declared again: the names the
 * writer set (one entry's, so within BOARD_XATTR_MAX) and the system's
 * (security.selinux, system.posix_acl_*).
 */
#ifndef ROOTFS_XATTR_NAMES
#define ROOTFS_XATTR_NAMES (BOARD_XATTR_MAX + 1024u)
#endif

/* Entry types: the tar type letters, so messages can show them. */
enum {
	ROOTFS_REG = '0',
	ROOTFS_LINK = '1',      /* hard link to link */
	ROOTFS_SYMLINK = '2',
	ROOTFS_CHR = '3',
	ROOTFS_BLK = '4',
	ROOTFS_DIR = '5',
	ROOTFS_FIFO = '6'
};

/* A counted view of bytes the caller owns (not NUL-terminated). */
struct rootfs_str {
	const char *p;
	size_t n;
};

/*
 * One entry. path and link hold at most BOARD_PATH_MAX - 1 bytes and no NUL;
 * a longer view or one with a NUL in it is refused as not terminated
 * (ERR_FORMAT). Xattrs are nxattrs records in xattrs[0..xattrs_len) in
 * the packed format of xattr.h (the tar reader's, so its buffer is passed
 * as it is).
 */
struct rootfs_entry {
	int type;                    /* ROOTFS_* */
	struct rootfs_str path;      /* as in the source: may be absolute or hold ".." */
	struct rootfs_str link;      /* hard link or symlink target, verbatim */
	uint64_t size;               /* data bytes that follow (regular files) */
	uint32_t mode;               /* permission bits with setuid/setgid/sticky */
	uint32_t uid, gid;
	int64_t mtime_s;
	uint32_t mtime_ns;           /* 1000000000 or more is taken as 0 */
	uint32_t devmajor, devminor;
	uint64_t offset;             /* where the entry starts in its source */
	const uint8_t *xattrs;
	size_t xattrs_len;
	unsigned nxattrs;
};

struct rootfs {
	int root, work;              /* the caller's handles */
	int is_root;
	struct contain contain;      /* tests set contain.force_walk */
	struct dircache dc;          /* parent directories between entries */
	uint32_t euid, egid, umask;  /* what the kernel gives new objects */
	int modes_exact;             /* ... and no default ACL (see rootfs.c) */
	struct whiteout_member member;  /* the current layer's objects */
	struct whiteout wh;
	int in_layer;

	int spill;                   /* directory records, in work */
	uint64_t spill_count;
	uint64_t spill_bytes;

	/* The entry being written. */
	int in_entry;                /* from rootfs_entry to _entry_end */
	struct rootfs_entry e;       /* its copy (the bytes stay the caller's) */
	int fd;                      /* open regular file or -1 */
	unsigned meta;               /* what it still needs set (rootfs.c) */
	int discard;                 /* data of a whiteout: dropped */
	uint64_t left;               /* data bytes still expected */
	size_t wlen;                 /* bytes waiting in wbuf */

	uint64_t files, dirs, links, bytes;
	unsigned skipped_devices, skipped_xattrs;

	char path[BOARD_PATH_MAX];   /* cleaned entry path */
	char lpath[BOARD_PATH_MAX];  /* cleaned hard link target, symlink target */
	char xnames[ROOTFS_XATTR_NAMES];  /* a directory's xattr names */
	uint8_t wbuf[BOARD_WRITE_BUF];
};

/*
 * The view of the NUL-terminated string in buf[0..cap): its length, or cap
 * when buf holds no NUL (which rootfs_entry refuses as not terminated).
 */
struct rootfs_str rootfs_str(const char *buf, size_t cap);

/*
 * Start writing into root (a directory handle, empty at first) with spill
 * files in work (a private directory handle on the same file system,
 * outside the root). is_root: apply owners, devices, security.capability.
 * Returns 0, or ERR_UNSUPPORTED when work is on another file system, or a
 * port error.
 */
int rootfs_open(struct rootfs *fs, int root, int work, int is_root);

/*
 * Like rootfs_open, but over a staging tree that earlier layers (count
 * directory records, bytes of spill file, as rootfs_spill_mark said after
 * the last verified layer) were already applied to by a run that was
 * killed: the spill file is cut back to that mark. The next layer is then
 * applied again from its start. Re-applying a layer over a partial
 * application of itself gives the same tree only when both saw the same
 * bytes (every entry sets its state, whiteouts only remove, and what the
 * layer itself makes is made again before its later whiteouts are seen);
 * layer.h's proof record makes sure they did, or the tree is dropped.
 */
int rootfs_reopen(struct rootfs *fs, int root, int work, int is_root,
    uint64_t count, uint64_t bytes);

/* The spill file's record count and length now (between layers). */
void rootfs_spill_mark(const struct rootfs *fs, uint64_t *count, uint64_t *bytes);

/*
 * Start layer index (bottom first), or a new attempt at it: the layer's
 * membership set (whiteout.h) starts empty. Returns 0 or a port error.
 */
int rootfs_layer_begin(struct rootfs *fs, unsigned index);

/*
 * Apply entry e (copied; the bytes it points to must stay valid and
 * unchanged until rootfs_entry_end). A regular file is created and opened;
 * its e->size data bytes follow through rootfs_data. Returns 0, or
 * ERR_ESCAPE (the path or link target leaves the root, replaces the root,
 * symlink loop), ERR_FORMAT (invalid whiteout, hard link to a missing
 * target or to a directory, path or link not terminated, a path component
 * that is not a directory, uid or gid 4294967295), ERR_UNSUPPORTED (an unknown type), ERR_NOMEM (a
 * path longer than BOARD_PATH_MAX after symlink expansion), ERR_NOSPC and
 * other port errors; the message names the entry.
 */
int rootfs_entry(struct rootfs *fs, const struct rootfs_entry *e);

/* File data of the current entry. Returns 0, ERR_FORMAT when more than
 * e->size bytes arrive, ERR_NOSPC or another port error. */
int rootfs_data(struct rootfs *fs, const uint8_t *p, size_t n);

/* Finish the current entry: flush data, owner, xattrs, mode, mtime, close.
 * Returns 0, ERR_FORMAT when fewer than e->size bytes came, or a port
 * error. */
int rootfs_entry_end(struct rootfs *fs);

/* End of a layer. Returns 0, or ERR_INTERNAL out of order. */
int rootfs_layer_end(struct rootfs *fs);

/* After the last layer: directory modes and mtimes from the spill file
 * (the caller fsyncs). Returns 0 or a port error. */
int rootfs_finish(struct rootfs *fs);

/* Close every handle rootfs opened; safe after errors and twice. */
void rootfs_close(struct rootfs *fs);

#endif /* ROOTFS_H */
