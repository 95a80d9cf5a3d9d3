/*
 * resolve.c: reference -> verified index, platform manifest and config.
 */
#include "resolve.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

int
resolve_fetch(const struct source *src, int kind, const char *reference,
    const char *want_digest, uint64_t want_size, const char *what, char *buf,
    size_t cap, size_t *len, char *got, struct source_doc *doc)
{
	int rc;

	rc = source_fetch(src, kind, reference, buf, cap, len, doc);
	if (rc < 0)
		return rc;
	digest_buf(buf, *len, got);
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
	if (doc->digest[0] != '\0')
		return digest_check(what, doc->digest, got);
	return ERR_OK;
}

static int
parse_doc(struct image *img, struct json *j, const char *doc, size_t len,
    jsmntok_t *tok, unsigned ntok, const char *what)
{
	int rc = json_parse(j, doc, len, tok, ntok, what);

	if (len > img->json_peak_bytes)
		img->json_peak_bytes = len;
	if (rc == ERR_OK && j->ntok > img->json_peak_tokens)
		img->json_peak_tokens = j->ntok;
	return rc;
}

/*
 * Follow the reference through indexes to an image manifest, which is left
 * parsed in *j (over doc). Fills img's top_*, offered and manifest.
 */
static int
resolve_manifest(const struct source *src, const struct ref *ref,
    struct image *img, struct json *j, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok, int *depth_out)
{
	char got[DIGEST_STR_LEN + 1], what[160];
	const char *reference = ref->digest[0] ? ref->digest : ref->tag;
	const char *want_digest = ref->digest;
	uint64_t want_size = 0;
	struct source_doc sd;
	size_t len;
	int depth, kind, rc;

	for (depth = 0;; depth++) {
		snprintf(what, sizeof what, "%s %s", depth == 0 ? "manifest" :
		    "platform manifest", reference);
		rc = resolve_fetch(src, SRC_MANIFEST, reference, want_digest,
		    want_size, what, doc, cap, &len, got, &sd);
		if (rc < 0)
			return rc;
		rc = parse_doc(img, j, doc, len, tok, ntok, what);
		if (rc < 0)
			return rc;
		rc = manifest_kind(j, sd.media_type, &kind);
		if (rc < 0)
			return err_prefix(rc, "%s", what);
		if (depth == 0) {
			memcpy(img->top_digest, got, sizeof got);
			snprintf(img->top_type, sizeof img->top_type, "%.*s",
			    (int)sizeof img->top_type - 1, sd.media_type);
		}
		if (kind == MF_IMAGE)
			break;
		if (depth + 1 >= RESOLVE_INDEX_DEPTH)
			return err_set(ERR_FORMAT, "indexes nested deeper than %d",
			    RESOLVE_INDEX_DEPTH);
		if (img->offered[0] == '\0')
			manifest_index_platforms(j, img->offered, sizeof img->offered);
		rc = manifest_index_select(j, &img->want, &img->manifest);
		if (rc < 0)
			return err_prefix(rc, "%s%s%s", ref->repo, depth == 0 &&
			    !ref->digest[0] ? ":" : "@", depth == 0 && !ref->digest[0] ?
			    ref->tag : reference);
		/* From here on everything is fetched by digest. */
		reference = img->manifest.digest;
		want_digest = img->manifest.digest;
		want_size = img->manifest.size;
	}
	if (depth == 0) {
		/* The reference named an image manifest directly. */
		memcpy(img->manifest.digest, img->top_digest, sizeof img->top_digest);
		img->manifest.size = len;
		snprintf(img->manifest.media_type, sizeof img->manifest.media_type,
		    "%.*s", (int)sizeof img->manifest.media_type - 1, sd.media_type);
	}
	*depth_out = depth;
	return ERR_OK;
}

int
resolve_config(const struct source *src, struct image *img, char *doc,
    size_t cap, jsmntok_t *tok, unsigned ntok, size_t *config_len)
{
	int depth = img->depth;
	char got[DIGEST_STR_LEN + 1], what[160];
	struct source_doc sd;
	struct platform cp;
	struct json j;
	size_t len, n;
	int rc;

	snprintf(what, sizeof what, "config %s", img->config.digest);
	rc = resolve_fetch(src, SRC_BLOB, img->config.digest, img->config.digest,
	    img->config.size, what, doc, cap, &len, got, &sd);
	if (rc < 0)
		return rc;
	if (len != img->config.size)
		return err_set(ERR_VERIFY, "%s: size mismatch: descriptor says %llu, got %zu",
		    what, (unsigned long long)img->config.size, len);
	rc = parse_doc(img, &j, doc, len, tok, ntok, "config");
	if (rc < 0)
		return rc;
	rc = manifest_config(&j, &cp, img->diff_ids, BOARD_LAYERS_MAX, &n);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	img->platform = cp;
	if (platform_rank(&img->want, &cp) < 0) {
		char a[64], b[64];
		platform_format(&cp, a, sizeof a);
		platform_format(&img->want, b, sizeof b);
		return err_set(ERR_PLATFORM, "the image is for %s, not %s%s", a, b,
		    depth > 0 ? " (its index says otherwise)" : "");
	}
	if (n != img->nlayers)
		return err_set(ERR_FORMAT, "%s lists %zu diff_ids for %zu layers", what,
		    n, img->nlayers);
	*config_len = len;
	return ERR_OK;
}

int
resolve_manifests(const struct source *src, const struct ref *ref,
    const struct platform *want, struct image *img, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok)
{
	struct json j;
	int rc;

	memset(img, 0, sizeof *img);
	img->want = *want;
	rc = resolve_manifest(src, ref, img, &j, doc, cap, tok, ntok, &img->depth);
	if (rc < 0)
		return rc;
	rc = manifest_image(&j, &img->config, img->layers, BOARD_LAYERS_MAX,
	    &img->nlayers);
	if (rc < 0)
		return err_prefix(rc, "manifest %s", img->manifest.digest);
	return ERR_OK;
}

int
resolve_image(const struct source *src, const struct ref *ref,
    const struct platform *want, struct image *img, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok, size_t *config_len)
{
	int rc = resolve_manifests(src, ref, want, img, doc, cap, tok, ntok);

	if (rc < 0)
		return rc;
	return resolve_config(src, img, doc, cap, tok, ntok, config_len);
}

const char *
resolve_index(const struct image *img)
{
	return img->depth > 0 ? img->top_digest : NULL;
}
