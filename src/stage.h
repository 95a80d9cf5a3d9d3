/*
 * stage.h: the staging directory beside DEST, its journal, and the commit.
 *
 * A pull writes into DEST's sibling ".DEST.ocipull-staging/" (mode 0700):
 *
 *     rootfs/     the tree being built (the writer's root)
 *     work/       the writer's spill files (directory modes and times)
 *     journal     one line per verified layer, then "commit"
 *
 * and a lock file ".DEST.ocipull-lock" keeps a second ocipull away (it
 * stays: removing it would let two later runs lock two different files).
 * When DEST is a mount point (another file system than its parent), the
 * staging directory is DEST/.ocipull-staging instead, and the switch moves
 * DEST's entries into its "old" and the new tree's entries into DEST (a
 * rename cannot cross file systems). The state record (state.h, given in
 * o.record) is written to a temporary name before the switch and renamed
 * into place after it: beside DEST, or for a mount point inside it.
 * SIGTERM and SIGINT are held back from the journal's "commit" to
 * stage_close.
 * Only when every layer was verified is the tree synced and switched in
 * one step: renamed to DEST, or exchanged with an existing DEST (with
 * keep_old then exchanged with DEST.old, or switched back when that
 * fails). --config-out is renamed into place just before the switch. On
 * an error before the switch DEST is as it was and the staging directory
 * is removed, except after a network error (ERR_NET, ERR_TIMEOUT,
 * ERR_DNS) when it holds verified layers: it stays for the next pull.
 * After the switch (st->switched), an error leaves the new tree in DEST
 * and the message says what DEST, DEST.old and staging hold.
 *
 * The journal, text, one line each:
 *
 *     ocipull-journal 2 MANIFEST-DIGEST LAYERS sync|no-sync root|user
 *     layer I DIGEST DIFF-ID SPILL-RECORDS SPILL-BYTES   (per verified layer)
 *     commit                                             (before the switch)
 *     previous        (staging holds the previous tree: keep_old failed)
 *
 * A layer's line is written only after its files are durable (syncfs), so
 * a run killed later finds in it the layers it may keep: stage_open reopens
 * such a staging tree for the same image and says how many layers it
 * holds (kept), only when the directory is this user's, mode 0700, on
 * DEST's file system, and the first line is the one this run would write.
 * A "commit" line, a torn line, another image, other options or anything
 * else unexpected starts afresh: what is there is removed without
 * following a symlink. A "previous" line makes stage_open refuse (ERR_EXIST)
 * rather than remove the previous tree. work/'s content is the writer's.
 *
 * struct stage is caller-owned (paths, handles, the journal buffer). The
 * writer (struct rootfs) is the caller's too; stage opens and closes it
 * over the staging tree. Order of calls:
 *
 *     rc = stage_open(&st, &opts, img, config, config_len, &fs);
 *     for each layer i >= st.kept, once fs holds it:
 *         rc = stage_layer_done(&st, &fs, img, i);
 *     rc = stage_commit(&st, &fs);
 *     rc = stage_close(&st, &fs, rc);     always, with the result so far
 */
#ifndef STAGE_H
#define STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "resolve.h"
#include "rootfs.h"
#include "state.h"

/* The record's text goes through the journal buffer at commit. */
#define STAGE_JOURNAL_MAX (BOARD_LAYERS_MAX * 200u + 200u)
_Static_assert(STAGE_JOURNAL_MAX >= STATE_TEXT_MAX,
    "the journal buffer must hold the state record");

struct stage_opts {
	const char *dest;          /* directory to create or replace */
	const char *config_out;    /* write the verified config here, or NULL */
	int keep_old;              /* keep the previous DEST as DEST.old */
	int no_sync;               /* skip the syncs (throwaway destinations) */
	struct state_rec *record;  /* written beside DEST last, or NULL; the
	                            * commit sets its tree */
};

struct stage {
	struct stage_opts o;
	char parent[BOARD_PATH_MAX], base[256], name[300];
	char cfg_parent[BOARD_PATH_MAX], cfg_base[256], cfg_tmp[BOARD_PATH_MAX];
	char rec_tmp[320];         /* the state record's temporary name */
	int pfd, lockfd, sfd, rootfd, workfd, cfgfd, jfd;
	int hfd;                   /* the directory holding staging: pfd, or
	                            * dfd for a mount point */
	int dfd;                   /* DEST itself, when it is a mount point */
	int mount;                 /* DEST is a mount point: replace contents */
	int dest_exists;           /* DEST was there: exchange, not rename */
	int staged;                /* the staging directory is ours to remove */
	int fs_open;               /* the writer is open */
	int cfg_done;              /* --config-out is in place */
	int switched;              /* DEST holds the new tree (also on errors) */
	int keep;                  /* staging holds the previous tree: keep it */
	int held;                  /* SIGTERM and SIGINT held back (commit) */
	size_t kept;               /* layers verified by an earlier, killed run */
	size_t done;               /* layers the journal records as verified */
	char journal[STAGE_JOURNAL_MAX];
};

/*
 * Lock DEST, then reopen a staging tree that a killed run left for img, or
 * make a fresh one; open fs over it; write config to a temporary file
 * beside o->config_out when given. Returns ERR_OK (st->kept layers are
 * already in the tree), ERR_USAGE (DEST names no directory, or
 * o->config_out is inside DEST or DEST.old), ERR_BUSY (another ocipull
 * holds the lock), ERR_EXIST (DEST is not a directory; the staging
 * directory holds a previous tree, or is another file system) or a port
 * error.
 */
int stage_open(struct stage *st, const struct stage_opts *o,
    const struct image *img, const char *config, size_t config_len,
    struct rootfs *fs);

/* Layer i of img is in fs and verified: make it durable, then record it.
 * Returns ERR_OK or a port error. */
int stage_layer_done(struct stage *st, const struct rootfs *fs,
    const struct image *img, size_t i);

/* Every layer is in: finish fs, sync, put the config into place, mark
 * the journal, switch the tree. Returns ERR_OK or a port error; after an
 * error st->switched says whether DEST holds the new tree (the message
 * says what DEST, DEST.old and staging hold). */
int stage_commit(struct stage *st, struct rootfs *fs);

/* Nonzero when stage_close(st, fs, rc) will keep the staging directory
 * for a later pull (a network failure before the switch, with verified
 * layers): the caller may then make its own records there durable. */
int stage_keeps(const struct stage *st, int rc);

/* Close every handle; remove the staging directory (a failed tree or the
 * replaced one), or keep it (see above). Returns rc, or a removal error
 * when rc was ERR_OK (DEST then holds the new tree: st->switched); the
 * message of a failed rc is kept, and says when staging was kept. */
int stage_close(struct stage *st, struct rootfs *fs, int rc);

#endif /* STAGE_H */
