/*
 * pull.h: the driver. pull_resolve() goes from a reference to a verified
 * platform manifest and config (what `ocipull inspect` shows); the layer
 * pipeline builds on it.
 *
 * The caller owns struct image and the document buffers (doc: at least
 * BOARD_JSON_MAX bytes, tok: BOARD_JSON_TOKENS tokens), and a registry
 * prepared with registry_init(). Every document is fetched by digest once
 * the tag is resolved, and its sha256 and size are checked against what
 * names it before it is parsed.
 */
#ifndef PULL_H
#define PULL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "digest.h"
#include "gunzip.h"
#include "json.h"
#include "manifest.h"
#include "platform.h"
#include "ref.h"
#include "registry.h"
#include "rootfs.h"
#include "tar.h"

/* Deepest nesting of indexes followed before giving up. */
#define PULL_INDEX_DEPTH 4

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
	size_t json_peak_bytes;                /* largest document parsed */
	int json_peak_tokens;                  /* most tokens one needed */
};

/*
 * Resolve ref for platform want. On success img holds the chosen
 * manifest, its config descriptor, the layers and their diff_ids, and doc
 * holds the config (config_len bytes). Returns ERR_OK, ERR_PLATFORM (no
 * match; the message lists what is offered), ERR_VERIFY (a digest or size
 * mismatch, naming both), ERR_UNSUPPORTED (schema 1, unknown media types)
 * or the registry's errors.
 */
int pull_resolve(struct registry *r, const struct ref *ref,
    const struct platform *want, struct image *img, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok, size_t *config_len);

/* What `ocipull pull` was asked to do. */
struct pull_opts {
	const char *dest;          /* directory to create or replace */
	const char *config_out;    /* write the verified config here, or NULL */
	int keep_old;              /* keep the previous DEST as DEST.old */
	int allow_foreign;         /* fetch non-distributable layers from their URLs */
	int no_sync;               /* skip the syncs (throwaway destinations) */
};

/* The streaming pipeline's state: large, caller-owned, one per pull. */
struct pull_state {
	struct digest blob;        /* sha256 of the compressed bytes */
	struct digest diff;        /* sha256 of the tar stream (diff_id) */
	struct gunzip gz;
	struct tar tar;
	struct rootfs fs;
	int tar_done;              /* end-of-archive marker seen */
	uint64_t bytes_fetched;    /* layer bytes received */
	size_t layers_kept;        /* verified by an earlier, killed run */
	char journal[BOARD_LAYERS_MAX * 200 + 200];
};

/*
 * Unpack img (resolved by pull_resolve; config holds its config bytes) into
 * o->dest, atomically: layers are streamed into a private staging
 * directory beside DEST, and only when every digest, size and diff_id
 * matched is the staging tree synced and renamed into place (an existing
 * DEST is exchanged in one step). On any error the staging directory is
 * removed and DEST is as it was. A staging directory left by a killed run
 * is removed first; a lock file beside DEST keeps a second ocipull away.
 */
int pull_image(struct registry *r, const struct image *img, const char *config,
    size_t config_len, const struct pull_opts *o, struct pull_state *s);

#endif /* PULL_H */
