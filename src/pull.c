/*
 * pull.c: reference -> verified manifest and config.
 */
#include "pull.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

/*
 * Fetch a document by reference (tag or digest) and check it: against
 * want_digest (and want_size when nonzero) if given, else against the
 * registry's Docker-Content-Digest. Writes its own digest into got.
 */
static int
fetch_verified(struct registry *r, int kind, const char *reference,
    const char *want_digest, uint64_t want_size, const char *what, char *doc,
    size_t cap, size_t *len, char *got)
{
	const struct http_resp *resp;
	int rc;

	rc = registry_fetch(r, kind, reference, doc, cap, len);
	if (rc < 0)
		return rc;
	digest_buf(doc, *len, got);
	resp = registry_response(r);
	if (want_digest != NULL && want_digest[0] != '\0') {
		rc = digest_check(what, want_digest, got);
		if (rc < 0)
			return rc;
		if (want_size != 0 && (uint64_t)*len != want_size)
			return err_set(ERR_VERIFY, "%s: size mismatch: descriptor says %llu "
			    "bytes, registry sent %zu", what, (unsigned long long)want_size,
			    *len);
		return ERR_OK;
	}
	/* A tag: the registry's own digest header must agree when it sends one. */
	if (strncmp(resp->docker_digest, "sha256:", 7) == 0)
		return digest_check(what, resp->docker_digest, got);
	return ERR_OK;
}

static int
parse_doc(struct json *j, const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *what)
{
	return json_parse(j, doc, len, tok, ntok, what);
}

int
pull_resolve(struct registry *r, const struct ref *ref,
    const struct platform *want, struct image *img, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok, size_t *config_len)
{
	char got[DIGEST_STR_LEN + 1], what[160], ctype[256];
	const char *reference = ref->digest[0] ? ref->digest : ref->tag;
	const char *want_digest = ref->digest;
	uint64_t want_size = 0;
	struct json j;
	size_t len, n;
	int depth, kind, rc;
	struct platform cp;

	memset(img, 0, sizeof *img);
	img->want = *want;
	for (depth = 0;; depth++) {
		snprintf(what, sizeof what, "%s %s", depth == 0 ? "manifest" :
		    "platform manifest", reference);
		rc = fetch_verified(r, REG_MANIFEST, reference, want_digest, want_size,
		    what, doc, cap, &len, got);
		if (rc < 0)
			return rc;
		snprintf(ctype, sizeof ctype, "%s", registry_response(r)->content_type);
		rc = parse_doc(&j, doc, len, tok, ntok, what);
		if (rc < 0)
			return rc;
		rc = manifest_kind(&j, ctype, &kind);
		if (rc < 0)
			return err_prefix(rc, "%s", what);
		if (depth == 0) {
			memcpy(img->top_digest, got, sizeof got);
			snprintf(img->top_type, sizeof img->top_type, "%.*s",
			    (int)sizeof img->top_type - 1, ctype);
		}
		if (kind == MF_IMAGE)
			break;
		if (depth + 1 >= PULL_INDEX_DEPTH)
			return err_set(ERR_FORMAT, "indexes nested deeper than %d",
			    PULL_INDEX_DEPTH);
		if (img->offered[0] == '\0')
			manifest_index_platforms(&j, img->offered, sizeof img->offered);
		rc = manifest_index_select(&j, want, &img->manifest);
		if (rc < 0)
			return err_prefix(rc, "%s%s%s", ref->repo, depth == 0 &&
			    !ref->digest[0] ? ":" : "@", depth == 0 && !ref->digest[0] ?
			    ref->tag : reference);
		/* From here on everything is fetched by digest. */
		snprintf(got, sizeof got, "%s", img->manifest.digest);
		reference = img->manifest.digest;
		want_digest = img->manifest.digest;
		want_size = img->manifest.size;
		(void)got;
	}
	if (depth == 0) {
		/* The reference named an image manifest directly. */
		memcpy(img->manifest.digest, img->top_digest, sizeof img->top_digest);
		img->manifest.size = len;
		snprintf(img->manifest.media_type, sizeof img->manifest.media_type, "%.*s",
		    (int)sizeof img->manifest.media_type - 1, ctype);
	}
	rc = manifest_image(&j, &img->config, img->layers, BOARD_LAYERS_MAX,
	    &img->nlayers);
	if (rc < 0)
		return err_prefix(rc, "manifest %s", img->manifest.digest);

	snprintf(what, sizeof what, "config %s", img->config.digest);
	rc = fetch_verified(r, REG_BLOB, img->config.digest, img->config.digest,
	    img->config.size, what, doc, cap, &len, got);
	if (rc < 0)
		return rc;
	if (len != img->config.size)
		return err_set(ERR_VERIFY, "%s: size mismatch: descriptor says %llu, got %zu",
		    what, (unsigned long long)img->config.size, len);
	rc = parse_doc(&j, doc, len, tok, ntok, "config");
	if (rc < 0)
		return rc;
	rc = manifest_config(&j, &cp, img->diff_ids, BOARD_LAYERS_MAX, &n);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	img->platform = cp;
	if (platform_rank(want, &cp) < 0) {
		char a[64], b[64];
		platform_format(&cp, a, sizeof a);
		platform_format(want, b, sizeof b);
		return err_set(ERR_PLATFORM, "the image is for %s, not %s%s", a, b,
		    depth > 0 ? " (its index says otherwise)" : "");
	}
	if (n != img->nlayers)
		return err_set(ERR_FORMAT, "%s lists %zu diff_ids for %zu layers", what,
		    n, img->nlayers);
	*config_len = len;
	return ERR_OK;
}
