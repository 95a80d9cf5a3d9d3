/*
 * fetch_out.h: where `ocipull fetch` writes an image: an OCI image layout
 * directory (oci:DIR), or a tar of one (oci-archive:FILE, or "-": the
 * standard output). The caller (fetch.c) verifies every byte; this module
 * only places bytes so that nothing unverified is left behind where it
 * can:
 *
 * - oci:DIR is made when missing (DIR's parent must exist; an existing
 *   DIR must be a layout or empty). Each blob goes to a temporary name in
 *   DIR/blobs/sha256 (<hex>.ocipull-tmp) and is renamed to <hex> only when
 *   the caller says it verified; a blob already there is kept when its
 *   size and sha256 match. index.json is rewritten last, through a
 *   temporary name and a rename: the entries of the existing one are
 *   kept but one with the same org.opencontainers.image.ref.name, and the
 *   new entry appended. Files and directories are synced before each
 *   rename (unless no_sync). A failure removes the blob in flight; an
 *   existing index.json is unchanged; a DIR this run made is removed.
 *   DIR is opened as given; blobs and blobs/sha256 below it without
 *   following symlinks, and no blob name is followed.
 * - oci-archive:FILE is written to FILE.ocipull-tmp beside it, synced and
 *   renamed to FILE at the end; a failure removes it.
 * - "-": the same tar on a file descriptor the caller gives (the standard
 *   output). It cannot be taken back: a failure stops the stream without
 *   the end-of-archive blocks, so that a reader sees a truncated archive.
 *
 * A tar holds, in this order (the stream order a reader of stdin needs):
 * oci-layout, index.json, the directories blobs/ and blobs/sha256/, then
 * the blobs in the order the caller writes them.
 *
 * Calls:
 *     fetch_out_open(o, t, ...)
 *     fetch_out_begin(o, index_json, len)
 *     per blob: fetch_out_have(o, digest, size), or
 *               fetch_out_blob_begin, fetch_out_write..., fetch_out_blob_end
 *               (or fetch_out_blob_abort)
 *     fetch_out_commit(o, ...) or fetch_out_abort(o)
 *
 * Memory: struct fetch_out is fixed-size and caller-owned; index.json is
 * merged in the caller's document buffer.
 */
#ifndef FETCH_OUT_H
#define FETCH_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "json.h"
#include "ref.h"

enum { FETCH_TO_LAYOUT = 1, FETCH_TO_ARCHIVE = 2, FETCH_TO_STDOUT = 3 };

/* A TARGET of fetch: oci:DIR[:TAG], oci-archive:FILE[:TAG] or "-". */
struct fetch_target {
	int kind;                        /* FETCH_TO_* */
	char path[REF_NAME_MAX + 1];     /* DIR or FILE, "" for "-" */
	char tag[REF_TAG_MAX + 1];       /* "" when none */
};

/* Parse s into t: ERR_OK, or ERR_USAGE saying what is wrong. */
int fetch_target_parse(struct fetch_target *t, const char *s);

struct fetch_out {
	int kind;                        /* FETCH_TO_* */
	int no_sync;
	int dir;                         /* DIR, or FILE's directory; -1 */
	int blobs;                       /* DIR/blobs/sha256; -1 */
	int fd;                          /* FILE's temporary, stdout, or the
	                                  * blob in flight; -1 */
	int made_dir;                    /* this run made DIR */
	int own_fd;                      /* fd is ours to close */
	char path[REF_NAME_MAX + 1];     /* DIR or FILE as given */
	char base[REF_NAME_MAX + 16];    /* FILE's name in its directory */
	char tmp[REF_NAME_MAX + 32];     /* the temporary name in use, or "" */
	char hex[65];                    /* the blob in flight */
	uint64_t written;                /* bytes written, headers included */
	uint64_t blob_left;              /* an archive's blob: bytes to come */
	int held;                        /* its last byte is in last */
	uint8_t last;
	unsigned kept;                   /* blobs a layout held already */
	unsigned stored;                 /* blobs written */
	uint8_t buf[16 * 1024];          /* reading a blob a layout holds */
};

/*
 * Open t for writing. out_fd is the handle "-" writes to (refused when it
 * is a terminal). A layout's existing index.json is read and checked now,
 * in doc (cap bytes, ntok tokens), so that a bad one fails before any
 * blob is written. Returns ERR_OK, ERR_USAGE (DIR is a non-empty
 * directory that is no layout, FILE is a directory, stdout a terminal),
 * ERR_FORMAT (a bad oci-layout or index.json) or the port's errors.
 */
int fetch_out_open(struct fetch_out *o, const struct fetch_target *t,
    int out_fd, int no_sync, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok);

/* The archive's first members: oci-layout, index.json (the len bytes of
 * index_json, exactly), blobs/, blobs/sha256/. Nothing for a layout. */
int fetch_out_begin(struct fetch_out *o, const char *index_json, size_t len);

/* 1 when the layout holds blob digest already (a regular file of size
 * bytes that hashes to digest), 0 when not (always for an archive), or an
 * error reading it. */
int fetch_out_have(struct fetch_out *o, const char *digest, uint64_t size);

/* Start blob digest of size bytes; then fetch_out_write its bytes. */
int fetch_out_blob_begin(struct fetch_out *o, const char *digest,
    uint64_t size);
int fetch_out_write(struct fetch_out *o, const void *p, size_t n);

/* The blob's bytes are all written and verified: the archive's padding;
 * the layout's temporary synced and renamed to its digest's name. */
int fetch_out_blob_end(struct fetch_out *o);

/* Forget the blob in flight (a layout's temporary is removed). */
void fetch_out_blob_abort(struct fetch_out *o);

/*
 * Finish: an archive's end blocks, sync and rename; a layout's index.json
 * with entry (one descriptor object, JSON, entry_len bytes) replacing any
 * entry tagged tag (or, tag "", any untagged entry for digest), merged in
 * doc. Then closes everything. Returns ERR_OK or the port's errors.
 */
int fetch_out_commit(struct fetch_out *o, const char *entry, size_t entry_len,
    const char *tag, const char *digest, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok);

/* After a failure: remove what must not stay (see above) and close. */
void fetch_out_abort(struct fetch_out *o);

#endif /* FETCH_OUT_H */
