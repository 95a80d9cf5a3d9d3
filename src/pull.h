/*
 * pull.h: the driver. A pull is three stages over one source:
 *
 *     resolve (resolve.h)  reference -> verified index, manifest, config
 *     layer   (layer.h)    per layer: blob -> sha256 -> decompress
 *                          -> sha256 (diff_id) -> tar -> rootfs writer
 *     stage   (stage.h)    staging directory, journal, atomic commit
 *
 * pull_image runs the last two for an image that resolve_image produced:
 * it opens the staging tree (keeping layers a killed run had verified),
 * streams each remaining layer into it and records it, then commits.
 * Events (layer started, bytes, verified, committed) go to the caller's
 * sink; nothing here prints.
 *
 * The caller owns struct pull_state (large: the inflate arena, the tar
 * reader, the writer's buffers, the journal), one per pull.
 */
#ifndef PULL_H
#define PULL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "layer.h"
#include "resolve.h"
#include "rootfs.h"
#include "source.h"
#include "stage.h"

/* What `ocipull pull` was asked to do. */
struct pull_opts {
	struct stage_opts stage;   /* DEST, --config-out, --keep-old, --no-sync */
	int allow_foreign;         /* fetch non-distributable layers from their URLs */
	/* When the source can serve a blob from elsewhere (mirror.h): after
	 * layer d failed to verify (rc), reject returns ERR_OK when the
	 * next reading of d comes from another place, else rc. NULL: no
	 * other place. */
	int (*reject)(void *ctx, const struct descriptor *d, int rc);
	void *reject_ctx;
};

struct pull_state {
	struct layer layer;
	struct rootfs fs;
	struct stage stage;
	size_t failed;             /* the layer that failed, or nlayers */
	unsigned rejected;         /* layers read again from another source
	                            * after their bytes did not verify */
};

/*
 * Unpack img (config holds its config_len config bytes) from src into
 * o->stage.dest, atomically (stage.h): on ERR_OK DEST holds the new tree;
 * A layer whose bytes did not verify is read again from another place
 * when o->reject says the source has one: the staging tree is then
 * rebuilt from the first layer, so nothing those bytes did survives.
 * on an error DEST is as it was, unless s->stage.switched says that the
 * error came after the switch, and the staging directory is gone unless
 * the network failed with verified layers in it (stage.h).
 * Returns the errors of layer_pull and the stage functions.
 */
int pull_image(const struct source *src, const struct image *img,
    const char *config, size_t config_len, const struct pull_opts *o,
    struct pull_state *s, const struct event_sink *events);

#endif /* PULL_H */
