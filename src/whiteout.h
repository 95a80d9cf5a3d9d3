/*
 * whiteout.h: OCI whiteouts and opaque directories for the rootfs writer,
 * and the rule that decides which layer an object comes from.
 *
 * Whiteouts: ".wh.NAME" removes NAME when it comes from a lower layer;
 * ".wh..wh..opq" removes the lower-layer content of its directory at once
 * (entries of the same layer, before or after the marker, survive);
 * ".wh.", ".wh.." and ".wh..." are invalid. Whiteout entries never appear
 * in the rootfs. As in containerd, only the last component of an entry's
 * cleaned path is read as a whiteout name; in the components before it
 * ".wh." is an ordinary prefix. So ".wh.etc/somefile" makes a directory
 * ".wh.etc" (an implied one) with somefile in it and leaves etc alone,
 * while the entry ".wh.etc/", of any type, is the whiteout of etc. As
 * such a directory can exist, ".wh..wh.etc" is the whiteout of ".wh.etc",
 * as in containerd and docker (for aufs metadata such as ".wh..wh.plnk"
 * that removes a ".wh.plnk" that is normally not there).
 *
 * Layer membership (struct whiteout_member) is the one question the rest
 * asks about layers: does this object come from a lower layer? Its whole
 * interface is whiteout_member_init, whiteout_layer_begin/_end,
 * whiteout_is_lower, whiteout_born_here, whiteout_claim_dir and
 * whiteout_member_finish; another rule can replace it behind those.
 *
 * Today's rule reads the file system's clock, with fixed memory (no
 * per-layer list of paths). whiteout_layer_begin waits until a fresh change
 * in the work directory gets a timestamp strictly later than one taken just
 * before: that is the layer's start. A non-directory belongs to the current
 * layer when its birth time (or, where the file system records none, its
 * change time) is at or after the start; a directory when its change time
 * is. Every directory that holds an entry of the layer, and all its
 * ancestors, have their change time refreshed (whiteout_claim_dir: chmod to
 * the same mode), so an implied directory counts as the layer's. The writer
 * claims a parent directory before it creates anything in it.
 * ASSUMPTION: the file system clock of the root does not go back during a
 * pull (a wall clock stepped back by NTP or an RTC). A step back between
 * layers, or within a layer as seen at whiteout_layer_end, is detected and
 * fails with ERR_IO; a step back and forth within one layer is not.
 * Known limits: a hard link made in a layer to an inode of a lower layer
 * shares that inode's birth time, so a later whiteout or opaque marker of
 * the same layer treats the new name as lower; without birth times, a lower
 * file whose link count the layer changes (a hard link to it, a whiteout of
 * another of its names) counts as the layer's for the rest of the layer.
 * An opaque marker is applied when it is read, so a hard link after it to
 * hidden lower content of its directory fails as a missing target.
 *
 * Memory: struct whiteout_member (times, the caller's work handle, a probe
 * file "layer.probe" in work) and struct whiteout (the opaque pass's path
 * and names, one directory listing) are caller-owned, hold no pointers into
 * themselves, and do not grow with the layer. Directory handles passed in
 * stay the caller's.
 *
 * Order of calls:
 *
 *     whiteout_member_init(&m, work, root_dev, root_ino);
 *     whiteout_init(&w);
 *     for each layer:
 *         whiteout_layer_begin(&m, index);
 *         for each entry:  whiteout_name(last component),
 *             whiteout_claim_dir(&m, parent handle), then for a whiteout
 *             whiteout_remove(&m, ...) or whiteout_opaque(&w, &m, ...)
 *         whiteout_layer_end(&m);
 *     whiteout_member_finish(&m);   after the last layer
 */
#ifndef WHITEOUT_H
#define WHITEOUT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "port.h"

/* Longest wait for the file system clock to tick at a layer's start. */
#ifndef ROOTFS_TICK_WAIT_MS
#define ROOTFS_TICK_WAIT_MS 5000u
#endif

/* ---- layer membership ----------------------------------------------------- */

struct whiteout_time {
	int64_t s;
	uint32_t ns;
};

struct whiteout_member {
	int work;                    /* the caller's handle */
	int no_btime;                /* tests: decide by change time only */
	uint64_t root_dev, root_ino;
	unsigned layer;              /* index of the current layer */
	struct whiteout_time start;  /* first timestamp of the current layer */
	struct whiteout_time last;   /* latest timestamp seen at a layer's end */
};

/* Start with the probe file in work (a directory handle on the root's file
 * system) and the root's device and inode numbers (claims stop there). */
void whiteout_member_init(struct whiteout_member *m, int work,
    uint64_t root_dev, uint64_t root_ino);

/*
 * Start layer index (bottom first): takes the layer's start time, waiting at
 * most ROOTFS_TICK_WAIT_MS for the file system clock to move. Returns 0,
 * ERR_IO when the clock stands still or went back, or a port error.
 */
int whiteout_layer_begin(struct whiteout_member *m, unsigned index);

/* End of a layer: checks that the clock did not go back. Returns 0 or
 * ERR_IO (or a port error). */
int whiteout_layer_end(struct whiteout_member *m);

/* Nonzero when the object st describes came from a lower layer. */
int whiteout_is_lower(const struct whiteout_member *m,
    const struct port_stat *st);

/* Nonzero when the directory st describes was made in the current layer,
 * so it can hold no lower content; 0 when that cannot be told. */
int whiteout_born_here(const struct whiteout_member *m,
    const struct port_stat *st);

/* Make the directory handle fd, and its ancestors up to the root, count as
 * the current layer's. Returns 0 or a port error. */
int whiteout_claim_dir(const struct whiteout_member *m, int fd);

/* After the last layer: removes the probe file; never fails. */
void whiteout_member_finish(const struct whiteout_member *m);

/* ---- whiteout names and their effect ---------------------------------------- */

/* What a name is (whiteout_name). */
enum {
	WHITEOUT_NONE = 0,   /* an ordinary name */
	WHITEOUT_REMOVE,     /* ".wh.NAME": remove NAME */
	WHITEOUT_OPAQUE,     /* ".wh..wh..opq" */
	WHITEOUT_BAD         /* ".wh.", ".wh..", ".wh..." */
};

struct whiteout {
	char opath[BOARD_PATH_MAX];  /* directory below the marker's */
	char name[256], after[256], best[256];
	struct port_dir dir;
};

void whiteout_init(struct whiteout *w);

/* The kind of the last path component name (WHITEOUT_*); for
 * WHITEOUT_REMOVE *target points at NAME inside name. */
int whiteout_name(const char *name, const char **target);

/* ".wh.NAME": remove name (with its content) below the directory handle
 * dir when it is lower; absent is fine. Returns 0 or a port error. */
int whiteout_remove(const struct whiteout_member *m, int dir,
    const char *name);

/*
 * Opaque marker in the directory handle dir: remove its lower content,
 * also inside directories of the current layer that existed before it.
 * Returns 0, ERR_NOMEM (a tree deeper than BOARD_PATH_MAX) or a port error.
 */
int whiteout_opaque(struct whiteout *w, const struct whiteout_member *m,
    int dir);

#endif /* WHITEOUT_H */
