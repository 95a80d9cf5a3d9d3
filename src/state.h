/*
 * state.h: the installed-state record, what DEST holds.
 *
 * Beside DEST, in its parent directory, ".DEST.ocipull.json" (the same
 * hidden-sibling naming as the lock and the staging directory, so one
 * directory listing shows everything ocipull keeps for DEST, and a root
 * file system holds nothing the image did not put there). One JSON object:
 *
 *     {"ocipull":1, "reference":"...", "index":"sha256:..." or null,
 *      "manifest":"sha256:...", "config":"sha256:...",
 *      "platform":"linux/arm64", "layers":["sha256:...", ...],
 *      "tree":INODE, "time":"2026-12-03T10:00:00Z", "version":"0.1.0"}
 *
 * "tree" is the inode number of DEST's root directory as the commit left
 * it: a record whose tree is not DEST's (a run killed between the switch
 * and the record's rename, or DEST replaced by someone else) is stale and
 * never makes a pull a no-op. The record is written to a temporary name
 * before the switch and renamed into place after it, last.
 *
 * Fixed memory: struct state_rec holds every field (about 9.6 KiB with
 * 128 layers); the caller gives the document buffer and tokens.
 */
#ifndef STATE_H
#define STATE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "digest.h"
#include "json.h"
#include "ref.h"
#include "resolve.h"

#define STATE_FORMAT 1u            /* "ocipull" member: the record's format */
#define STATE_TEXT_MAX (BOARD_LAYERS_MAX * (DIGEST_STR_LEN + 4u) + 1024u)

struct state_rec {
	char reference[REF_TEXT_MAX];
	char index[DIGEST_STR_LEN + 1];     /* "" when the reference named a manifest */
	char manifest[DIGEST_STR_LEN + 1];
	char config[DIGEST_STR_LEN + 1];
	char platform[64];
	char time[24];                      /* UTC, RFC 3339, seconds */
	char version[32];
	uint64_t tree;                      /* DEST's root directory inode */
	size_t nlayers;
	char layers[BOARD_LAYERS_MAX][DIGEST_STR_LEN + 1];
};

/* The record for img, pulled by refname (as ref_format writes it), at
 * wall time now (seconds since 1970, UTC) by ocipull version. */
void state_from_image(struct state_rec *r, const char *refname,
    const struct image *img, int64_t now, const char *version);

/* The record as JSON, one line, into out[0..cap). Returns its length, or
 * ERR_NOMEM when it does not fit. */
long state_format(const struct state_rec *r, char *out, size_t cap);

/* Parse a record from doc[0..len) with tok[0..ntok). Returns ERR_OK or
 * ERR_FORMAT naming what is wrong (what names the file in messages). */
int state_parse(struct state_rec *r, const char *doc, size_t len,
    jsmntok_t *tok, unsigned ntok, const char *what);

/* RFC 3339 UTC text of t (seconds since 1970) into out[0..24). */
void state_time(int64_t t, char out[24]);

#endif /* STATE_H */
