/*
 * source_registry.c: the distribution API (registry.h) as a source.
 *
 * Manifests and blobs come from the registry's own endpoints; a foreign
 * layer (a descriptor with "urls") from its first URL, without credentials,
 * and it is not resumed: its failures are final. A range request that the
 * server answers with the whole blob (200) is reported with *from = 0, so
 * the layer stage checks the repeated bytes itself.
 */
#include "source_registry.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"

static int
reg_fetch(void *ctx, int kind, const char *reference, char *buf, size_t cap,
    size_t *len, struct source_doc *doc)
{
	struct registry *r = ctx;
	const struct http_resp *resp;
	int rc;

	rc = registry_fetch(r, kind == SRC_MANIFEST ? REG_MANIFEST :
	    kind == SRC_REFERRERS ? REG_REFERRERS : REG_BLOB, reference, buf,
	    cap, len);
	if (rc < 0)
		return rc;
	resp = registry_response(r);
	snprintf(doc->media_type, sizeof doc->media_type, "%s", resp->content_type);
	doc->digest[0] = '\0';
	if (strncmp(resp->docker_digest, "sha256:", 7) == 0)
		snprintf(doc->digest, sizeof doc->digest, "%.*s",
		    (int)sizeof doc->digest - 1, resp->docker_digest);
	return ERR_OK;
}

/* "bytes FIRST-LAST/SIZE" starts at offset. */
static int
range_starts_at(const char *v, uint64_t offset)
{
	uint64_t first;
	size_t used;

	if (strncmp(v, "bytes ", 6) != 0)
		return 0;
	v += 6;
	return lex_dec(v, strlen(v), (uint64_t)1 << 53, 0, &first, &used) ==
	    LEX_DEC_OK && v[used] == '-' && first == offset;
}

static int
reg_open(void *ctx, const struct descriptor *d, uint64_t offset,
    const char *what, uint64_t *from)
{
	struct registry *r = ctx;
	const struct http_resp *resp;
	int rc;

	r->foreign = d->nurls > 0;
	*from = 0;
	if (r->foreign) {
		if (offset > 0)
			return err_set(ERR_UNSUPPORTED, "%s: a foreign layer is not "
			    "resumed", what);
		return registry_get_url(r, d->url, what);
	}
	rc = registry_get(r, REG_BLOB, d->digest, offset, offset > 0 ? d->size : 0);
	if (rc < 0 || offset == 0)
		return rc;
	resp = registry_response(r);
	if (resp->status != 206)
		return ERR_OK;          /* the whole blob again, from 0 */
	if (!range_starts_at(resp->content_range, offset))
		return err_set(ERR_PROTO, "%s: asked for the bytes from %llu on, "
		    "the server sent Content-Range \"%s\"", what,
		    (unsigned long long)offset, resp->content_range);
	*from = offset;
	return ERR_OK;
}

static int
reg_read(void *ctx, const uint8_t **p, size_t *n)
{
	return registry_read(ctx, p, n);
}

static int
reg_retry(void *ctx, int rc, unsigned attempt)
{
	struct registry *r = ctx;

	if (r->foreign)
		return rc;
	return registry_backoff(r, rc, attempt);
}

static const struct source_ops registry_ops = {
	reg_fetch, reg_open, reg_read, reg_retry
};

void
source_registry(struct source *s, struct registry *r)
{
	s->ops = &registry_ops;
	s->ctx = r;
}
