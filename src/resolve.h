/*
 * resolve.h: the first stage of a pull: from a reference to a verified
 * index, platform manifest and config (what `ocipull inspect` shows, and
 * what the layer stage needs).
 *
 * The caller owns struct image, the document buffer (doc: at least
 * BOARD_JSON_MAX bytes, tok: BOARD_JSON_TOKENS tokens) and the source.
 * Every document after a tag is fetched by digest, and its sha256 and size
 * are checked against the descriptor that names it before it is parsed; a
 * tag's document is checked against the source's own digest for it when
 * the source gives one. Indexes are followed (nested at most
 * RESOLVE_INDEX_DEPTH deep) to the manifest that best matches the wanted
 * platform (platform.h).
 */
#ifndef RESOLVE_H
#define RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "digest.h"
#include "json.h"
#include "manifest.h"
#include "platform.h"
#include "ref.h"
#include "source.h"

/* Deepest nesting of indexes followed before giving up. */
#define RESOLVE_INDEX_DEPTH 4

struct image {
	char top_digest[DIGEST_STR_LEN + 1];   /* what the reference names */
	char top_type[128];                    /* its media type */
	struct platform want;                  /* requested platform */
	char offered[1024];                    /* platforms of the (first) index */
	struct descriptor manifest;            /* chosen image manifest */
	struct platform platform;              /* from the config */
	struct descriptor config;
	struct descriptor layers[BOARD_LAYERS_MAX];
	size_t nlayers;
	char diff_ids[BOARD_LAYERS_MAX][DIGEST_STR_LEN + 1];
	int depth;                             /* indexes followed to the manifest */
	size_t json_peak_bytes;                /* largest document parsed */
	int json_peak_tokens;                  /* most tokens one needed */
};

/*
 * Resolve ref for platform want from src. On success img holds the chosen
 * manifest, its config descriptor, the layers and their diff_ids, and doc
 * holds the config (config_len bytes). Returns ERR_OK, ERR_PLATFORM (no
 * match; the message lists what is offered), ERR_VERIFY (a digest or size
 * mismatch, naming both), ERR_UNSUPPORTED (schema 1, unknown media types),
 * ERR_FORMAT, or the source's errors.
 */
int resolve_image(const struct source *src, const struct ref *ref,
    const struct platform *want, struct image *img, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok, size_t *config_len);

/*
 * resolve_image in two steps, for a caller that checks something between
 * them (signatures, sig.h) with doc and tok as its scratch space:
 * resolve_manifests fills img up to the layers (everything but platform
 * and diff_ids), resolve_config then fetches and checks the config.
 */
int resolve_manifests(const struct source *src, const struct ref *ref,
    const struct platform *want, struct image *img, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok);
int resolve_config(const struct source *src, struct image *img, char *doc,
    size_t cap, jsmntok_t *tok, unsigned ntok, size_t *config_len);

/*
 * Fetch a document by reference (tag or digest) whole into buf (*len
 * bytes) and check it: against want_digest (and want_size when nonzero)
 * if given, else against the source's own digest for the tag when it has
 * one. Writes the document's digest into got and what the source says of
 * it into doc. Returns ERR_OK, ERR_VERIFY naming both digests or sizes, or
 * the source's errors.
 */
int resolve_fetch(const struct source *src, int kind, const char *reference,
    const char *want_digest, uint64_t want_size, const char *what, char *buf,
    size_t cap, size_t *len, char *got, struct source_doc *doc);

/* The digest of the index the reference named, or NULL when it named the
 * manifest itself. */
const char *resolve_index(const struct image *img);

#endif /* RESOLVE_H */
