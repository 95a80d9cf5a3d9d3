/*
 * dest.h: what a DEST argument names, found out before any network
 * traffic.
 *
 * dest_probe follows DEST when it is a symlink (up to 8 links, each
 * relative to the directory holding it): the target is what is replaced,
 * the link stays, and the lock, staging directory and state record sit
 * beside the target. It then looks at what is there:
 *
 *   - nothing: a new directory will be made (the parent must exist and be
 *     writable);
 *   - a directory on another file system than its parent (a mount point,
 *     such as an A/B slot): its contents are replaced in place, and its
 *     state record lives inside it (DEST_RECORD_IN), so that it travels
 *     with the file system: another one mounted there, or the same one
 *     made afresh, has its own record or none;
 *   - a directory with ocipull's state record beside it: ocipull's own;
 *   - an empty directory (at a mount point's root, an empty lost+found
 *     counts as empty, since mkfs makes one);
 *   - anything else is foreign: dest_usable refuses it without force.
 *
 * Fixed memory: struct dest is about 8.5 KiB (two paths); the state record
 * is parsed into the caller's struct with the caller's buffers.
 */
#ifndef DEST_H
#define DEST_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "json.h"
#include "state.h"

#define DEST_LINKS_MAX 8u
#define DEST_STAGING_IN ".ocipull-staging"  /* a mount point's staging name */
#define DEST_RECORD_IN ".ocipull.json"      /* a mount point's record */

struct dest {
	char path[BOARD_PATH_MAX];      /* DEST after following symlinks */
	char parent[BOARD_PATH_MAX];    /* the directory holding it */
	char base[256];                 /* its last component */
	int linked;                     /* DEST was a symlink */
	int exists;                     /* a directory is there */
	int mount;                      /* ... on another file system */
	int empty;                      /* ... with nothing in it */
	int staging_inside;             /* ... holding ocipull's staging */
	int record_file;                /* it has a state record file */
	int recorded;                   /* ... and it parsed (rec is valid) */
	int current;                    /* ... its tree is DEST's root, and
	                                 * DEST is not empty */
	int old_exists;                 /* DEST.old is there */
	uint64_t ino;                   /* DEST's root directory inode */
};

/*
 * Look at arg (see above); parse its state record into rec, with
 * doc[0..cap) and tok[0..ntok) as scratch. Returns ERR_OK, or ERR_USAGE
 * naming what makes DEST unusable: a missing parent, a non-directory, a
 * symlink loop; with write (a pull) also an unwritable parent or DEST.
 */
int dest_probe(struct dest *d, const char *arg, int write,
    struct state_rec *rec, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok);

/* Where d's state record is, for messages: "PARENT/.BASE.ocipull.json",
 * or for a mount point "DEST/.ocipull.json". */
void dest_record_path(const struct dest *d, char *out, size_t cap);

/* ERR_OK when a pull may replace d: ERR_USAGE for a non-empty directory
 * that is not ocipull's, or an existing DEST.old with keep_old (each
 * allowed by force), or keep_old on a mount point. */
int dest_usable(const struct dest *d, int force, int keep_old);

/* Split path into its parent directory ("." when none) and last
 * component, for a directory to create or replace; ERR_USAGE when the
 * last component is empty, "." or "..", or a part does not fit. */
int dest_split(const char *path, char *parent, size_t pcap, char *base,
    size_t bcap);

/* The state record's name for base: ".BASE.ocipull.json". */
void dest_record_name(char *out, size_t cap, const char *base);

#endif /* DEST_H */
