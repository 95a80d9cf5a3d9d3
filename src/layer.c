/*
 * layer.c: one layer through digest, decompress, diff_id, tar and rootfs.
 */
#include "layer.h"

#include <stdio.h>
#include <string.h>

#include "relay.h"

/* What a relay message carries: to the worker, a chunk or the end of the
 * blob; back, tar bytes or a chunk handed back. */
enum { TAG_CHUNK, TAG_END, TAG_TAR, TAG_BACK };

static void
hold(struct layer_err *h, int code)
{
	if (h->code != 0)
		return;
	h->code = code;
	snprintf(h->msg, sizeof h->msg, "%s", err_msg());
	err_clear();
}

static int
release(const struct layer_err *h)
{
	err_clear();
	return err_set(h->code, "%s", h->msg);
}

/* Tar member t to the writer as its own entry: views into t, no copy (the
 * ROOTFS_* types are the tar letters; test_rootfs checks). */
static int
rootfs_tar_entry(struct rootfs *fs, const struct tar_entry *t)
{
	const struct rootfs_entry e = { .type = t->type,
		.path = rootfs_str(t->path, sizeof t->path),
		.link = rootfs_str(t->link, sizeof t->link), .size = t->size,
		.mode = t->mode, .uid = t->uid, .gid = t->gid,
		.mtime_s = t->mtime_s, .mtime_ns = t->mtime_ns,
		.devmajor = t->devmajor, .devminor = t->devminor,
		.offset = t->offset, .xattrs = t->xattr_buf,
		.xattrs_len = t->xattr_len, .nxattrs = t->nxattrs };

	return rootfs_entry(fs, &e);
}

/*
 * Tar bytes (the main thread): through the tar reader into the writer.
 * With n == 0 (end of the stream) it only collects pending events.
 */
static void
feed_tar(struct layer *L, struct rootfs *fs, const uint8_t *p, size_t n)
{
	while (L->tar_err.code == 0) {
		struct tar_event ev;
		size_t used = 0;
		int rc = ERR_OK, event = tar_push(&L->tar, p, n, &used, &ev);

		p += used;
		n -= used;
		switch (event) {
		case TAR_EV_NONE:
			return;    /* all input taken, no event pending */
		case TAR_EV_ENTRY:
			rc = rootfs_tar_entry(fs, tar_entry(&L->tar));
			break;
		case TAR_EV_DATA:
			rc = rootfs_data(fs, ev.data, ev.len);
			break;
		case TAR_EV_ENTRY_END:
			rc = rootfs_entry_end(fs);
			break;
		case TAR_EV_END:
			L->tar_done = 1;
			break;
		default:
			rc = event;
			break;
		}
		if (rc < 0)
			hold(&L->tar_err, rc);
	}
}

/*
 * Compressed bytes (the worker, relay.h): through the decompressor; each
 * output goes to the main thread's tar reader and into the diff_id digest
 * (fold). n == 0 marks the end of the blob: then the decompressor's held
 * and pending output is flushed.
 */
static void
decode(struct layer *L, const uint8_t *p, size_t n)
{
	int flushing = n == 0, idle = 0, dry = 0;

	for (;;) {
		const uint8_t *o;
		size_t used = 0, olen = 0;
		int rc;

		/* The output before the last may still be with the tar reader:
		 * the engine is about to write over it. */
		relay_settle(1);
		rc = decompress_push(&L->dc, p, n, &used, &o, &olen);

		if (rc < 0) {
			hold(&L->dc_err, rc);
			return;
		}
		if (olen > 0) {
			const struct relay_msg out = { o, olen, TAG_TAR };

			relay_emit(&out);
		}
		p += used;
		n -= used;
		/* Flushing ends after two dry steps: the first may have spent
		 * the engine's held bytes without output. */
		dry = olen == 0 ? dry + 1 : 0;
		if (flushing ? dry >= 2 : n == 0)
			return;
		/* A step that neither takes nor gives bytes may only happen
		 * while the engine's own held bytes are processed. */
		idle = used == 0 && olen == 0 ? idle + 1 : 0;
		if (idle > 2) {
			hold(&L->dc_err, err_set(ERR_INTERNAL, "inflate made no progress"));
			return;
		}
	}
}

/* The worker's handler: a chunk (handed back when done with, even after
 * an error), or the end of the blob. */
static void
work(void *ctx, const struct relay_msg *m)
{
	static const struct relay_msg back = { NULL, 0, TAG_BACK };
	struct layer *L = ctx;
	int rc;

	if (L->dc_err.code == 0 && m->tag == TAG_CHUNK)
		decode(L, m->p, m->n);
	if (L->dc_err.code == 0 && m->tag == TAG_END) {
		decode(L, NULL, 0);
		rc = decompress_finish(&L->dc);
		if (rc < 0)
			hold(&L->dc_err, rc);
	}
	if (m->tag == TAG_CHUNK)
		relay_emit(&back);
}

/* The main thread's handler: tar bytes, or a chunk the worker is done
 * with (and every output of it taken). */
static void
take_result(void *ctx, const struct relay_msg *m)
{
	struct layer *L = ctx;

	if (m->tag == TAG_BACK)
		L->back++;
	else
		feed_tar(L, L->fs, m->p, m->n);
}

/* Either thread's, in order: tar bytes into the diff_id digest. A plain
 * tar layer's bytes are its blob's: they are hashed once, there
 * (hash_once). They must not be read here either: identity's outputs are
 * views into a chunk, which the main thread fills again once the chunk is
 * handed back, folded or not. */
static void
fold(void *ctx, const struct relay_msg *m)
{
	struct layer *L = ctx;

	if (!L->hash_once)
		digest_push(&L->diff, m->p, m->n);
}

/*
 * Ask for the rest of blob d from the byte the pipeline has. On ERR_OK, *p
 * and *n hold bytes to process first (n may be 0); ERR_END means every
 * byte had arrived already.
 */
static int
resume(struct layer *L, const struct source *src, const struct descriptor *d,
    const char *what, const uint8_t **p, size_t *n)
{
	uint64_t have = L->blob.count, from;
	int rc;

	*n = 0;
	if (have >= d->size)
		return ERR_END;
	rc = source_open(src, d, have, what, &from);
	if (rc < 0)
		return err_prefix(rc, "%s: resuming at byte %llu", what,
		    (unsigned long long)have);
	if (have == 0)
		return ERR_OK;
	L->resumes++;
	return from == have ? ERR_OK : source_skip_repeat(src, &L->blob, what, p,
	    n, &L->refetched);
}

/*
 * The chunk is whole (or the blob's last): on record, then to the worker.
 * The next is filled in the place of the oldest, once the worker handed
 * that back; meanwhile, and then, the writer takes what is decoded.
 */
static int
apply_chunk(struct layer *L, const char *what)
{
	struct relay_msg m;
	int rc;

	if (L->fill == 0)
		return ERR_OK;
	rc = proof_step(&L->proof, &L->blob);
	if (rc < 0) {
		L->diverged = rc == ERR_VERIFY;
		return err_prefix(rc, "%s", what);
	}
	m.p = L->chunk[L->posted % LAYER_CHUNKS];
	m.n = L->fill;
	m.tag = TAG_CHUNK;
	relay_post(&m);
	L->posted++;
	L->fill = 0;
	while (L->posted - L->back >= LAYER_CHUNKS)
		relay_take(1);
	relay_take(0);
	return ERR_OK;
}

/* Received bytes: into the blob digest and the chunk, applied by chunks. */
static int
take(struct layer *L, const uint8_t *p, size_t n, const char *what)
{
	while (n > 0) {
		uint8_t *c = L->chunk[L->posted % LAYER_CHUNKS];
		size_t k = PROOF_CHUNK - L->fill;
		int rc;

		k = n < k ? n : k;
		memcpy(c + L->fill, p, k);
		digest_push(&L->blob, p, k);
		L->fill += k;
		p += k;
		n -= k;
		if (L->fill == PROOF_CHUNK) {
			rc = apply_chunk(L, what);
			if (rc < 0)
				return rc;
		}
	}
	return ERR_OK;
}

/* Read the blob to its end into the stages, resuming broken transfers. */
static int
transfer(struct layer *L, const struct source *src,
    const struct layer_job *job, const char *what, const struct event_sink *events)
{
	const struct descriptor *d = job->d;
	unsigned attempt = 0;
	uint64_t since = 0;    /* bytes since the last failure */
	const uint8_t *p;
	size_t n;
	int rc;

	for (;;) {
		rc = source_read(src, &p, &n);
		if (rc == ERR_END)
			return apply_chunk(L, what);
		if (rc < 0) {
			/* Go on from the byte where it stopped, into the same
			 * pipeline. */
			since = 0;
			rc = source_retry(src, rc, attempt++);
			if (rc == ERR_OK)
				rc = resume(L, src, d, what, &p, &n);
			if (rc == ERR_END)
				return apply_chunk(L, what);
			if (rc < 0)
				return err_prefix(rc, "%s", what);
			if (n == 0)
				continue;
		}
		if (n > d->size - L->blob.count)
			return err_set(ERR_VERIFY, "%s: the source sends more than "
			    "the %llu bytes the manifest gives", what,
			    (unsigned long long)d->size);
		L->bytes_fetched += n;
		rc = take(L, p, n, what);
		if (rc < 0)
			return rc;
		/* Real progress (a chunk) since the last failure renews the
		 * retry budget: it is per stall, not per layer. */
		since += n;
		if (since >= PROOF_CHUNK)
			attempt = 0;
		{
			struct event ev;
			memset(&ev, 0, sizeof ev);
			ev.kind = EV_BYTES;
			ev.index = job->index;
			ev.done = L->blob.count;
			ev.size = d->size;
			event_emit(events, &ev);
		}
	}
}

/* After the transfer: digest and size, diff_id, then the stages' word. */
static int
verify(struct layer *L, struct rootfs *fs, const struct layer_job *job,
    char *what, size_t wcap)
{
	const struct descriptor *d = job->d;
	const struct relay_msg end = { NULL, 0, TAG_END };
	char got[DIGEST_STR_LEN + 1];
	int rc;

	/* The worker flushes the decompressor; every output is written. */
	relay_post(&end);
	relay_drain();
	/* The blob's own digest and size come first... */
	if (L->blob.count != d->size)
		return err_set(ERR_VERIFY, "%s: size mismatch: expected %llu bytes, got "
		    "%llu", what, (unsigned long long)d->size,
		    (unsigned long long)L->blob.count);
	digest_final(&L->blob, got);
	rc = digest_check(what, d->digest, got);
	if (rc < 0)
		return rc;
	if (L->dc_err.code != 0)
		return err_prefix(release(&L->dc_err), "%s", what);
	/* ...then the uncompressed stream against the config's diff_id... */
	if (!L->hash_once)
		digest_final(&L->diff, got);
	snprintf(what, wcap, "layer %u of %u diff_id", job->index + 1, job->count);
	rc = digest_check(what, job->diff_id, got);
	snprintf(what, wcap, "layer %u of %u (%s)", job->index + 1, job->count,
	    d->digest);
	if (rc < 0)
		return rc;
	/* ...and only then what the tar reader and the writer said. */
	feed_tar(L, fs, NULL, 0);
	if (L->tar_err.code != 0)
		return err_prefix(release(&L->tar_err), "%s", what);
	rc = tar_finish(&L->tar);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	return ERR_OK;
}

int
layer_pull(struct layer *L, const struct source *src, struct rootfs *fs,
    const struct layer_job *job, const struct event_sink *events)
{
	const struct relay_ops ops = { work, take_result, fold, L };
	const struct descriptor *d = job->d;
	char what[128];
	uint64_t from;
	int rc, codec;

	snprintf(what, sizeof what, "layer %u of %u (%s)", job->index + 1,
	    job->count, d->digest);
	codec = manifest_layer_codec(d->media_type);
	rc = codec < 0 ? codec : decompress_init(&L->dc, codec, what, d->media_type);
	if (rc < 0)
		return rc;
	if (d->nurls > 0 && !job->allow_foreign)
		return err_set(ERR_UNSUPPORTED, "%s is a non-distributable layer to be "
		    "fetched from %s; allow it with --allow-foreign-layers", what, d->url);
	memset(&L->dc_err, 0, sizeof L->dc_err);
	memset(&L->tar_err, 0, sizeof L->tar_err);
	rc = source_open(src, d, 0, what, &from);
	if (rc < 0)
		return rc;
	digest_init(&L->blob);
	(void)relay_start();
	relay_bind(&ops);
	L->fs = fs;
	L->posted = L->back = 0;
	digest_init(&L->diff);
	L->hash_once = codec == MF_CODEC_NONE;
	tar_init(&L->tar);
	L->tar_done = 0;
	L->fill = 0;
	L->diverged = 0;
	rc = proof_begin(&L->proof, job->index, d->digest);
	if (rc == ERR_OK)
		rc = rootfs_layer_begin(fs, job->index);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	rc = transfer(L, src, job, what, events);
	if (rc < 0) {
		/* The chunks posted (on record) are written out first; the
		 * writer's own error handling must not touch the message. */
		struct layer_err e = { 0, "" };

		hold(&e, rc);
		relay_drain();
		return release(&e);
	}
	rc = verify(L, fs, job, what, sizeof what);
	if (rc < 0)
		return rc;
	rc = rootfs_layer_end(fs);
	return rc < 0 ? err_prefix(rc, "%s", what) : ERR_OK;
}
