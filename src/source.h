/*
 * source.h: where documents and blobs come from, behind one interface.
 *
 * The driver asks a source for a document (an index or manifest by tag or
 * digest, a config by digest) kept whole in a caller's buffer, or opens a
 * blob by descriptor at a byte offset and reads its bytes as spans. Nothing
 * in the pipeline knows which source it reads: the registry is one
 * implementation (source_registry.c); an OCI layout, an archive or a list
 * of mirrors are others. No source is trusted: resolve and layer check
 * every byte against the digest that names it.
 *
 * struct source is two pointers, the operations and the implementation's
 * own state, which the caller owns and prepares (registry_init and
 * source_registry for the registry). Order of calls:
 *
 *     source_fetch(s, SRC_MANIFEST or SRC_BLOB, reference, buf, ...)
 *     source_open(s, d, offset, what, &from), then source_read(s, &p, &n)
 *         until ERR_END; after a failed open or read,
 *         source_retry(s, rc, attempt) says whether to open again
 *     ... more requests ...
 *     source_done(s) before the pull commits
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "manifest.h"

/* What source_fetch asks for: a manifest or index by tag or digest, a blob
 * by digest, or the OCI 1.1 referrers of a manifest digest (an image index
 * listing the artifacts whose subject it is; ERR_NOTFOUND from a source
 * without them, and the caller falls back to the referrers tag). */
enum { SRC_MANIFEST = 1, SRC_BLOB = 2, SRC_REFERRERS = 3 };

/* What a source says about a document it returned. */
struct source_doc {
	char media_type[256];    /* as the source labels it, "" unknown */
	char digest[DIGEST_STR_LEN + 1];  /* the source's digest for a tag, or "" */
};

struct source_ops {
	/* A document whole into buf (at most cap bytes; ERR_NOMEM when
	 * larger): *len and *doc filled on ERR_OK. */
	int (*fetch)(void *ctx, int kind, const char *reference, char *buf,
	    size_t cap, size_t *len, struct source_doc *doc);
	/* Open blob d at byte offset; what names it in messages. *from
	 * receives the offset of the first byte source_read will return:
	 * offset, or 0 when the source could only start over (the caller
	 * then checks and skips the repeat). */
	int (*open)(void *ctx, const struct descriptor *d, uint64_t offset,
	    const char *what, uint64_t *from);
	/* Next span of the open blob: ERR_OK with *p, *n (n > 0, valid until
	 * the next call), ERR_END at its end, or an error. */
	int (*read)(void *ctx, const uint8_t **p, size_t *n);
	/* After rc from open or read on attempt (0-based): ERR_OK when the
	 * caller may open again (after a wait the source chose), else an
	 * error to give up with. */
	int (*retry)(void *ctx, int rc, unsigned attempt);
	/* Optional (NULL: nothing to check): every object has been read and
	 * the pull is about to commit; ERR_OK when the source is whole (an
	 * archive on a pipe reads and checks its rest). */
	int (*done)(void *ctx);
};

struct source {
	const struct source_ops *ops;
	void *ctx;
};

static inline int
source_fetch(const struct source *s, int kind, const char *reference,
    char *buf, size_t cap, size_t *len, struct source_doc *doc)
{
	return s->ops->fetch(s->ctx, kind, reference, buf, cap, len, doc);
}

static inline int
source_open(const struct source *s, const struct descriptor *d,
    uint64_t offset, const char *what, uint64_t *from)
{
	return s->ops->open(s->ctx, d, offset, what, from);
}

static inline int
source_read(const struct source *s, const uint8_t **p, size_t *n)
{
	return s->ops->read(s->ctx, p, n);
}

static inline int
source_retry(const struct source *s, int rc, unsigned attempt)
{
	return s->ops->retry(s->ctx, rc, attempt);
}

/*
 * The source started over from byte 0 (source_open's *from) while sofar
 * holds the first sofar->count (> 0) bytes of the blob: read that repeat,
 * check that it hashes as sofar, and leave in *p, *n what follows it;
 * *refetched counts the repeated bytes. ERR_VERIFY when they differ.
 */
int source_skip_repeat(const struct source *s, const struct digest *sofar,
    const char *what, const uint8_t **p, size_t *n, uint64_t *refetched);

static inline int
source_done(const struct source *s)
{
	return s->ops->done != NULL ? s->ops->done(s->ctx) : 0;
}

#endif /* SOURCE_H */
