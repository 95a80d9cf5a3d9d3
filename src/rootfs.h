/*
 * rootfs.h: applies the entries of layer tar streams to a staging root
 * directory: files, directories, symlinks, hard links, devices, FIFOs,
 * metadata, OCI whiteouts and opaque directories, with every path kept
 * inside the root.
 *
 * Memory: struct rootfs is caller-owned and holds every buffer (paths, one
 * directory listing, the file data buffer of BOARD_WRITE_BUF bytes); nothing
 * grows with the layer. Directory times and modes are applied at the end
 * from a spill file in the caller's work directory, not from memory.
 * The root and work handles stay the caller's: rootfs_close does not close
 * them.
 *
 * Order of calls:
 *
 *     rootfs_open(&fs, root, work, is_root);
 *     for each layer, bottom first:
 *         rootfs_layer_begin(&fs, index);
 *         for each tar entry:
 *             rootfs_entry(&fs, e);
 *             rootfs_data(&fs, p, n) ... (regular files: e->size bytes in all)
 *             rootfs_entry_end(&fs);
 *         rootfs_layer_end(&fs);
 *     rootfs_finish(&fs);          directory modes and times
 *     rootfs_close(&fs);           always, also after an error
 *
 * Containment: every entry path, hard link target and whiteout is cleaned
 * lexically ("./a//b/../c" is "a/c"; an absolute name is taken from the
 * root, where ".." stays, so "/a/../../b" is "b"; a relative name that
 * climbs above the root is refused with ERR_ESCAPE). The parent directory is
 * then resolved below the root for every entry afresh, with symlinks inside
 * the root followed as if the root were "/" (openat2 RESOLVE_IN_ROOT, or a
 * component walk with O_NOFOLLOW opens and at most ROOTFS_HOPS_MAX symlinks
 * where the kernel lacks it). The last component is handled relative to the
 * parent handle and never followed: what was there is removed, the new
 * object is created with O_EXCL|O_NOFOLLOW, metadata is set through its
 * handle or with no-follow calls. The root itself is never replaced: "." or
 * "/" as a directory only takes its metadata, as anything else ERR_ESCAPE.
 * Symlink targets are stored verbatim and never followed when created.
 *
 * Whiteouts: ".wh.NAME" removes NAME when it comes from a lower layer;
 * ".wh..wh..opq" removes the lower-layer content of its directory at once
 * (entries of the same layer, before or after the marker, survive); other
 * ".wh..wh.*" names (aufs metadata) are ignored; ".wh.", ".wh.." and
 * ".wh..." are ERR_FORMAT. Whiteout files never appear in the rootfs.
 *
 * Which layer an object comes from is read from the file system's clock,
 * with fixed memory (no per-layer list of paths). rootfs_layer_begin waits
 * until a fresh change in the work directory gets a timestamp strictly
 * later than one taken just before: that is the layer's start. A
 * non-directory belongs to the current layer when its birth time (or, where
 * the file system records none, its change time) is at or after the start;
 * a directory when its change time is. Every directory that holds an entry
 * of the layer, and all its ancestors, have their change time refreshed
 * (chmod to the same mode), so an implied directory counts as the layer's.
 * ASSUMPTION: the file system clock of the root does not go back during a
 * pull (a wall clock stepped back by NTP or an RTC). A step back between
 * layers, or within a layer as seen at rootfs_layer_end, is detected and
 * fails with ERR_IO; a step back and forth within one layer is not.
 * Known limits: a hard link made in a layer to an inode of a lower layer
 * shares that inode's birth time, so a later whiteout or opaque marker of
 * the same layer treats the new name as lower; without birth times, a lower
 * file whose link count the layer changes (a hard link to it, a whiteout of
 * another of its names) counts as the layer's for the rest of the layer.
 * An opaque marker is applied when it is read, so a hard link after it to
 * hidden lower content of its directory fails as a missing target.
 *
 * Ownership: numeric uid/gid are applied when running as root, never
 * looked up by name. Modes include setuid/setgid/sticky (set after chown).
 * Unprivileged, directories are kept owner-writable until rootfs_finish
 * sets their modes; character and block devices are skipped and counted
 * (the caller warns once); FIFOs need no privilege and are created.
 * Xattrs: user.* always, security.capability as root; trusted.*,
 * user.overlay.*, other namespaces and xattrs on symlinks, devices, FIFOs
 * and hard links are skipped and counted; a file system that refuses
 * xattrs (ERR_UNSUPPORTED) also counts as skipped.
 */
#ifndef ROOTFS_H
#define ROOTFS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "port.h"
#include "tar.h"


/* Most symlinks followed while resolving one path (as Linux's 40). */
#define ROOTFS_HOPS_MAX 40u

/* Longest wait for the file system clock to tick at a layer's start. */
#ifndef ROOTFS_TICK_WAIT_MS
#define ROOTFS_TICK_WAIT_MS 5000u
#endif

struct rootfs_time {
	int64_t s;
	uint32_t ns;
};

struct rootfs {
	int root, work;              /* the caller's handles */
	int is_root;
	int force_walk;              /* tests: never use openat2 */
	int no_btime;                /* tests: decide by change time only */
	uint64_t root_dev, root_ino;

	int in_layer;
	unsigned layer;
	struct rootfs_time start;    /* first timestamp of the current layer */
	struct rootfs_time last;     /* latest timestamp seen at a layer's end */

	int spill;                   /* directory records, in work */
	uint64_t spill_count;
	uint64_t spill_bytes;

	/* The entry being written. */
	int fd;                      /* open regular file or -1 */
	int discard;                 /* data of a whiteout: dropped */
	uint64_t left;               /* data bytes still expected */
	size_t wlen;                 /* bytes waiting in wbuf */
	const struct tar_entry *e;   /* valid from rootfs_entry to _entry_end */

	uint64_t files, dirs, links, bytes;
	unsigned skipped_devices, skipped_xattrs;

	char path[BOARD_PATH_MAX];   /* cleaned entry path */
	char lpath[BOARD_PATH_MAX];  /* cleaned hard link target */
	char walk[BOARD_PATH_MAX];   /* component walk: what is left */
	char walk2[BOARD_PATH_MAX];  /* component walk: symlink expansion */
	char opath[BOARD_PATH_MAX];  /* opaque pass: directory below the marker */
	char name[256], after[256], best[256];
	struct port_dir dir;
	uint8_t wbuf[BOARD_WRITE_BUF];
};

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
 * applied again from its start; re-applying a layer over a partial
 * application of itself gives the same tree (every entry sets its state,
 * whiteouts only remove, and what the layer itself makes is made again
 * before its later whiteouts are seen).
 */
int rootfs_reopen(struct rootfs *fs, int root, int work, int is_root,
    uint64_t count, uint64_t bytes);

/* The spill file's record count and length now (between layers). */
void rootfs_spill_mark(const struct rootfs *fs, uint64_t *count, uint64_t *bytes);

/*
 * Start layer index (bottom first): takes the layer's start time, waiting at
 * most ROOTFS_TICK_WAIT_MS for the file system clock to move. Returns 0,
 * ERR_IO when the clock stands still or went back, or a port error.
 */
int rootfs_layer_begin(struct rootfs *fs, unsigned index);

/*
 * Apply entry e (which must stay valid and unchanged until
 * rootfs_entry_end). A regular file is created and opened; its e->size data
 * bytes follow through rootfs_data. Returns 0, or ERR_ESCAPE (the path or
 * link target leaves the root, replaces the root, symlink loop), ERR_FORMAT
 * (invalid whiteout, hard link to a missing target or to a directory, path
 * not NUL-terminated, a path component that is not a directory), ERR_NOMEM
 * (a path longer than BOARD_PATH_MAX after symlink expansion), ERR_NOSPC
 * and other port errors; the message names the entry.
 */
int rootfs_entry(struct rootfs *fs, const struct tar_entry *e);

/* File data of the current entry. Returns 0, ERR_FORMAT when more than
 * e->size bytes arrive, ERR_NOSPC or another port error. */
int rootfs_data(struct rootfs *fs, const uint8_t *p, size_t n);

/* Finish the current entry: flush data, owner, xattrs, mode, mtime, close.
 * Returns 0, ERR_FORMAT when fewer than e->size bytes came, or a port
 * error. */
int rootfs_entry_end(struct rootfs *fs);

/* End of a layer: checks that the clock did not go back. Returns 0 or
 * ERR_IO. */
int rootfs_layer_end(struct rootfs *fs);

/* After the last layer: directory modes and mtimes from the spill file
 * (the caller fsyncs). Returns 0 or a port error. */
int rootfs_finish(struct rootfs *fs);

/* Close every handle rootfs opened; safe after errors and twice. */
void rootfs_close(struct rootfs *fs);

#endif /* ROOTFS_H */
