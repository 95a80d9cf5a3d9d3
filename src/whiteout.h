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
 * asks about layers: does this object come from a lower layer? It is the
 * set of member.h: what the writer made or declared in the current layer,
 * recorded as it happens, never a clock or a timestamp. The writer tells
 * it what it makes (whiteout_made_dir, whiteout_made_name) and claims the
 * parent directory of every entry (whiteout_claim_dir: the directory and
 * its ancestors become the layer's, so an implied directory survives the
 * layer's own opaque marker while its lower content goes). An object is
 * lower when the set does not hold it; a directory the layer made (born)
 * can hold no lower content, so the opaque pass does not descend into it.
 * Known limit: an opaque marker is applied when it is read, so a hard link
 * after it to hidden lower content of its directory fails as a missing
 * target.
 *
 * Memory: struct whiteout_member (the set's cache and buffer, the root's
 * identity) and struct whiteout (the opaque pass's path and names, one
 * directory listing) are caller-owned, hold no pointers into themselves,
 * and do not grow with the layer; the set's keys live in files in the
 * caller's work directory. Directory handles passed in stay the caller's.
 *
 * Order of calls:
 *
 *     whiteout_member_init(&m, work, root_dev, root_ino);
 *     whiteout_init(&w);
 *     for each layer (and each new attempt at one):
 *         whiteout_layer_begin(&m, index);
 *         for each entry:  whiteout_name(last component),
 *             whiteout_claim_dir(&m, parent handle, &parent_ino), then
 *             whiteout_made_dir / whiteout_made_name for what it makes, or
 *             for a whiteout whiteout_remove(&m, ...) or
 *             whiteout_opaque(&w, &m, ...)
 *     whiteout_member_finish(&m);   after the last layer
 */
#ifndef WHITEOUT_H
#define WHITEOUT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "member.h"
#include "port.h"

/* ---- layer membership ----------------------------------------------------- */

struct whiteout_member {
	struct member set;
	uint64_t root_dev, root_ino;
	unsigned layer;              /* index of the current layer */
};

/* Start over the work directory handle (on the root's file system, outside
 * it) with the root's device and inode numbers (claims stop there). */
void whiteout_member_init(struct whiteout_member *m, int work,
    uint64_t root_dev, uint64_t root_ino);

/* Start layer index (bottom first), or a new attempt at it: the set is
 * emptied. Returns 0 or a port error. */
int whiteout_layer_begin(struct whiteout_member *m, unsigned index);

/*
 * Make the directory handle fd, and its ancestors up to the root, the
 * current layer's; *ino gets fd's inode number (for whiteout_made_name and
 * whiteout_remove). Returns 0 or a port error.
 */
int whiteout_claim_dir(struct whiteout_member *m, int fd, uint64_t *ino);

/* whiteout_claim_dir for a caller that has fd's status st already. */
int whiteout_claim_stat(struct whiteout_member *m, int fd,
    const struct port_stat *st);

/* The writer made (born) or declared the directory with inode ino. Returns
 * 0 or a port error. */
int whiteout_made_dir(struct whiteout_member *m, uint64_t ino, int born);

/* The writer made name (not a directory) in the directory with inode
 * parent. Returns 0 or a port error. */
int whiteout_made_name(struct whiteout_member *m, uint64_t parent,
    const char *name);

/* After the last layer: removes the set's files; never fails. */
void whiteout_member_finish(struct whiteout_member *m);

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
 * dir, whose inode is dir_ino, when it is lower; absent is fine. Returns 0
 * or a port error. */
int whiteout_remove(struct whiteout_member *m, int dir, uint64_t dir_ino,
    const char *name);

/*
 * Opaque marker in the directory handle dir: remove its lower content,
 * also inside directories of the current layer that existed before it.
 * Returns 0, ERR_NOMEM (a tree deeper than BOARD_PATH_MAX) or a port error.
 */
int whiteout_opaque(struct whiteout *w, struct whiteout_member *m, int dir);

#endif /* WHITEOUT_H */
