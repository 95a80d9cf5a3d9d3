/*
 * layer.h: the layer pipeline. One layer's blob goes, in one pass with
 * fixed buffers:
 *
 *     source bytes -> sha256 + size (the descriptor) -> | decompress
 *         -> sha256 (the config's diff_id) | -> tar reader -> rootfs writer
 *
 * with the stages between the bars on a second core (relay.h), LAYER_CHUNKS
 * chunks of compressed bytes in flight towards it and the decompressor's
 * two output buffers on their way back.
 *
 * The blob is always read to its end, so that a digest or diff_id mismatch
 * (the root cause of most stage errors) is what gets reported: errors of
 * the decompressor, the tar reader and the writer are held aside until the
 * digests have been checked. A transfer that breaks goes on from the byte
 * where it stopped, after the source's retry policy, into the same stages;
 * a source that can only start over has its repeated bytes checked against
 * what was taken in before (by hash) and skipped.
 *
 * Bytes reach the decompressor in chunks of PROOF_CHUNK, each recorded (or,
 * where an interrupted run recorded it, checked) by proof.h before it is
 * applied (handed to the decompressor); a chunk that differs from the
 * interrupted run's is never applied: layer_pull fails with ERR_VERIFY and
 * sets L->diverged.
 *
 * struct layer is caller-owned and large (the inflate arena and window,
 * the tar reader); one per pull, reused for every layer. The writer is
 * opened by the caller (stage.h) and shared by all layers.
 */
#ifndef LAYER_H
#define LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "decompress.h"
#include "digest.h"
#include "err.h"
#include "event.h"
#include "manifest.h"
#include "proof.h"
#include "rootfs.h"
#include "source.h"
#include "tar.h"

/* Chunks in flight: one filling, the others waiting for the worker or
 * being decompressed there. */
#define LAYER_CHUNKS 4u

/* An error of a stage, kept until the digests are checked. */
struct layer_err {
	int code;
	char msg[ERR_MSG_MAX];
};

struct layer {
	struct digest blob;        /* sha256 of the compressed bytes */
	struct digest diff;        /* sha256 of the tar stream (diff_id), on
	                            * either thread (relay.h's fold) */
	int hash_once;             /* plain tar: the blob's sha256 is it */
	struct decompress dc;
	struct tar tar;
	int tar_done;              /* end-of-archive marker seen */
	struct layer_err dc_err, tar_err;
	uint64_t bytes_fetched;    /* layer bytes received, all layers */
	unsigned resumes;          /* transfers continued mid-blob */
	uint64_t refetched;        /* bytes received twice (a source that
	                            * started over) */
	struct proof proof;        /* the caller inits it (proof_init) */
	int diverged;              /* other bytes than an interrupted run's */
	struct rootfs *fs;         /* the writer, during layer_pull */
	uint64_t posted, back;     /* chunks to the worker, and handed back */
	size_t fill;               /* bytes in the chunk being filled */
	uint8_t chunk[LAYER_CHUNKS][PROOF_CHUNK];
};

/* What one layer is, for layer_pull. */
struct layer_job {
	const struct descriptor *d;
	const char *diff_id;       /* from the config */
	unsigned index, count;     /* 0-based index of count layers */
	int allow_foreign;         /* fetch layers that name URLs */
};

/*
 * Stream layer job->d from src into fs (between rootfs_layer_begin and
 * rootfs_layer_end, which this calls), reporting EV_BYTES to events.
 * Returns ERR_OK when the blob's size and digest and the diff_id matched
 * and every entry was written; ERR_VERIFY naming both digests;
 * ERR_UNSUPPORTED (a codec this build lacks, a foreign layer not allowed);
 * the stages' errors (ERR_FORMAT, ERR_ESCAPE, ...) only once the digests
 * matched; or the source's errors after its retries.
 */
int layer_pull(struct layer *L, const struct source *src, struct rootfs *fs,
    const struct layer_job *job, const struct event_sink *events);

#endif /* LAYER_H */
