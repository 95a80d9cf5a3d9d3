/*
 * fetch.h: `ocipull fetch`: an image from any source into an OCI image
 * layout (oci:DIR), or into a tar of one (oci-archive:FILE, "-"), through
 * fetch_out.h. For a USB stick, an air-gapped site, or a device that pulls
 * from its standard input.
 *
 * What is written: one platform's image (the manifest resolve_image chose,
 * as pull chooses it), or with all_platforms everything the reference
 * names: the index blob itself and every manifest it lists, nested
 * indexes and attestation manifests included (the index is written
 * unchanged, its digest being what a signature or a pinned reference
 * names, so everything it lists must be there), each with its config and
 * layers. index.json gets one entry for the top document, annotated
 * org.opencontainers.image.ref.name TAG when there is a tag.
 *
 * Order (the stream order a reader of stdin needs): index.json first, then
 * the top document, then for each image, depth first: a nested index, the
 * manifest, the config, the layers in manifest order. A blob listed twice
 * is written twice to an archive (a stream reader finds each where it is
 * used), once to a layout.
 *
 * Verification: documents are fetched whole into the caller's buffer and
 * checked against the digest and size that name them before a byte of
 * them is written. Configs and layers are streamed: every span is hashed
 * and written as it passes, and the blob's size and digest are checked at
 * its end; a layout keeps a blob only then (fetch_out.h), an archive on
 * the standard output is cut short without its end (a reader refuses it).
 * Broken transfers resume at the exact byte (a source that can only start
 * over has its repeat checked by hash). diff_ids are checked by the pull
 * that unpacks the layers, not here.
 *
 * Memory: struct fetch is caller-owned and fixed; documents use the
 * caller's buffer (doc, tok: BOARD_JSON_MAX, BOARD_JSON_TOKENS); blob
 * bytes go from the source's own buffer straight to the output.
 *
 *     fetch_out_open(&f->out, target, ...)     before any network traffic
 *     resolve_image(...)                       unless all_platforms
 *     fetch_image(f, src, ref, img or NULL, opts, doc, ...)
 *                                              commits or aborts f->out
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "event.h"
#include "fetch_out.h"
#include "json.h"
#include "manifest.h"
#include "ref.h"
#include "resolve.h"
#include "source.h"

/* Most manifests listed by the indexes being walked at once. */
#define FETCH_KIDS_MAX 128u

/* A manifest an index lists, waiting to be fetched. */
struct fetch_kid {
	char media_type[128];
	char digest[DIGEST_STR_LEN + 1];
	uint64_t size;
	char platform[64];               /* "os/arch[/variant]", or "" */
};

struct fetch_opts {
	int all_platforms;
	int allow_foreign;               /* fetch non-distributable layers */
	const char *refname;             /* the reference, for events */
	const char *tag;                 /* the ref.name annotation, "" none */
};

struct fetch {
	struct fetch_out out;            /* opened by the caller */
	struct descriptor blob;          /* the blob being streamed */
	struct fetch_kid kids[FETCH_KIDS_MAX];
	size_t nkids;
	char top[DIGEST_STR_LEN + 1];    /* what index.json points at */
	char index[DIGEST_STR_LEN + 1];  /* the top document when an index */
	char manifest[DIGEST_STR_LEN + 1];  /* the (last) image manifest */
	unsigned images;                 /* image manifests written */
	size_t layers;                   /* their layers */
	uint64_t bytes_fetched;          /* blob bytes received */
	uint64_t refetched;              /* received twice (a restart) */
	unsigned resumes;
	char entry[1024];                /* index.json's entry for top */
	size_t entry_len;
	char index_json[1200];           /* an archive's index.json */
};

/*
 * Write the image ref names from src into f->out (opened), then commit
 * it; on an error abort it (fetch_out.h says what stays). img is the
 * resolved image (resolve_image) for one platform, or NULL with
 * o->all_platforms. Events: EV_RESOLVED per image, EV_LAYER, EV_BYTES,
 * EV_VERIFIED per layer. Returns ERR_OK; ERR_VERIFY naming both digests
 * or sizes; ERR_NOMEM (more than FETCH_KIDS_MAX manifests at once);
 * ERR_UNSUPPORTED (a foreign layer without allow_foreign); ERR_FORMAT;
 * the source's or the output's errors.
 */
int fetch_image(struct fetch *f, const struct source *src,
    const struct ref *ref, const struct image *img, const struct fetch_opts *o,
    char *doc, size_t cap, jsmntok_t *tok, unsigned ntok,
    const struct event_sink *events);

#endif /* FETCH_H */
