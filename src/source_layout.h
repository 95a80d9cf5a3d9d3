/*
 * source_layout.h: an OCI image layout directory behind the source
 * interface (source.h), for `ocipull pull oci:DIR[:TAG|@DIGEST] DEST`.
 *
 * A layout is DIR/oci-layout ({"imageLayoutVersion": "1.0.0"}),
 * DIR/index.json (an image index) and DIR/blobs/sha256/<hex>. A tag is
 * looked up in index.json's manifests by the annotation
 * org.opencontainers.image.ref.name; the empty tag picks the only manifest
 * of an index that lists exactly one. Everything else is fetched by
 * digest from blobs/sha256: the name is checked to be 64 lowercase hex
 * digits and opened below a handle on DIR/blobs/sha256 (itself opened
 * component by component without following symlinks), never following a
 * symlink, and only a regular file is read. Nothing read is trusted:
 * resolve and layer verify every byte against its digest, as from a
 * registry. SRC_REFERRERS answers ERR_NOTFOUND.
 *
 * Memory: struct layout is fixed-size and owned by the caller (index.json
 * is parsed in the caller's document buffer with the layout's own
 * LAYOUT_TOKENS tokens; blobs are read through its buffer).
 *
 *     layout_open(&l, dir);           checks oci-layout, opens the blobs
 *     source_layout(&src, &l);
 *     ... resolve and pull through src ...
 *     layout_close(&l);
 *
 * layout_ref_split parses the text after "oci:" of a reference.
 */
#ifndef SOURCE_LAYOUT_H
#define SOURCE_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "ref.h"
#include "source.h"

/* Tokens for index.json (each manifest entry needs about 10 to 20). */
#define LAYOUT_TOKENS 2048u
/* Bytes read from a blob at a time. */
#define LAYOUT_BUF (32u * 1024u)

struct layout {
	int dir;                       /* DIR, -1 when closed */
	int blobs;                     /* DIR/blobs/sha256, -1 when closed */
	int fd;                        /* the open blob, -1 none */
	uint64_t pos;                  /* next offset read from fd */
	char name[REF_NAME_MAX + 1];   /* DIR as given, for messages */
	jsmntok_t tok[LAYOUT_TOKENS];
	uint8_t buf[LAYOUT_BUF];
};

/* The prefix of a layout reference. */
#define LAYOUT_PREFIX "oci:"

/*
 * Split s, the text after "oci:", into r: r->repo the directory (up to the
 * first ':' or the last '@' that starts "@sha256:"), r->tag the tag after
 * that ':' ("" when none), r->digest the digest after '@'. r->registry is
 * "oci". Returns ERR_OK or ERR_USAGE naming what is wrong (an empty
 * directory, a bad tag or digest, a directory longer than REF_NAME_MAX).
 */
int layout_ref_split(struct ref *r, const char *s);

/* "oci:DIR[:TAG][@DIGEST]" into buf, as snprintf. */
size_t layout_ref_format(const struct ref *r, char *buf, size_t cap);

/* Open the layout at dir (relative to the current directory, or
 * absolute): ERR_OK, or ERR_NOTFOUND / ERR_FORMAT / the port's errors
 * naming the directory and what is missing or wrong. */
int layout_open(struct layout *l, const char *dir);

void layout_close(struct layout *l);

/* The text of oci-layout (n bytes) says version 1.0.0: ERR_OK, or an
 * error naming the layout. tok: scratch tokens. */
int layout_version_check(const char *text, size_t n, jsmntok_t *tok,
    unsigned ntok, const char *name);

/*
 * Find tag (or, when tag is "", the only manifest) in index.json (buf, len
 * bytes; parsed with tok): its digest and media type into doc. name and
 * scheme ("oci:", "oci-archive:") name the layout in messages.
 */
int layout_index_find(const char *buf, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *name, const char *scheme, const char *tag,
    struct source_doc *doc);

/* Make s read from l (opened with layout_open). */
void source_layout(struct source *s, struct layout *l);

#endif /* SOURCE_LAYOUT_H */
