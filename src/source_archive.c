/*
 * source_archive.c: oci-archive and docker-archive sources
 * (source_archive.h) over the member reader of archive.h.
 */
#include "source_archive.h"

#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "err.h"
#include "manifest.h"
#include "platform.h"

/* ---- references ------------------------------------------------------ */

int
archive_ref_kind(const char *s)
{
	if (strncmp(s, OCI_ARCHIVE_PREFIX, sizeof OCI_ARCHIVE_PREFIX - 1) == 0)
		return ARCHIVE_OCI;
	if (strncmp(s, DOCKER_ARCHIVE_PREFIX,
	    sizeof DOCKER_ARCHIVE_PREFIX - 1) == 0)
		return ARCHIVE_DOCKER;
	return 0;
}

/* docker-archive:FILE[:NAME[:TAG]]: FILE runs to the first ':'. */
static int
docker_ref_split(struct ref *r, char *want, size_t wcap, const char *s)
{
	const char *colon = strchr(s, ':');
	size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);

	if (n == 0)
		return err_set(ERR_USAGE, "invalid reference \"%s%s\": no file after "
		    "\"%s\"", DOCKER_ARCHIVE_PREFIX, s, DOCKER_ARCHIVE_PREFIX);
	if (n > REF_NAME_MAX)
		return err_set(ERR_USAGE, "invalid reference \"%s%.40s...\": file name "
		    "longer than %u characters", DOCKER_ARCHIVE_PREFIX, s,
		    REF_NAME_MAX);
	memcpy(r->repo, s, n);
	if (colon == NULL)
		return ERR_OK;
	if (colon[1] == '\0' || colon[1] == '@' || strlen(colon + 1) >= wcap)
		return err_set(ERR_USAGE, "invalid reference \"%s%s\": after FILE: "
		    "give NAME[:TAG] as in the archive's RepoTags (an image in a "
		    "docker archive has no manifest digest)", DOCKER_ARCHIVE_PREFIX,
		    s);
	memcpy(want, colon + 1, strlen(colon + 1) + 1);
	return ERR_OK;
}

int
archive_ref_split(struct ref *r, char *want, size_t wcap, const char *s)
{
	int kind = archive_ref_kind(s), rc;

	want[0] = '\0';
	if (kind == ARCHIVE_DOCKER) {
		memset(r, 0, sizeof *r);
		rc = docker_ref_split(r, want, wcap,
		    s + sizeof DOCKER_ARCHIVE_PREFIX - 1);
		memcpy(r->registry, "docker-archive", 15);
		return rc;
	}
	rc = layout_ref_split(r, s + sizeof OCI_ARCHIVE_PREFIX - 1);
	memcpy(r->registry, "oci-archive", 12);
	return rc;
}

size_t
archive_ref_format(int kind, const struct ref *r, const char *want,
    char *buf, size_t cap)
{
	int n;

	if (kind == ARCHIVE_DOCKER)
		n = snprintf(buf, cap, DOCKER_ARCHIVE_PREFIX "%s%s%s", r->repo,
		    want[0] ? ":" : "", want);
	else
		n = snprintf(buf, cap, OCI_ARCHIVE_PREFIX "%s%s%s%s%s", r->repo,
		    r->tag[0] ? ":" : "", r->tag, r->digest[0] ? "@" : "",
		    r->digest);
	return n < 0 ? 0 : (size_t)n;
}

/* ---- oci-archive ----------------------------------------------------- */

/* The member of blob digest ("blobs/sha256/<hex>"). */
static int
find_blob(struct source_archive *s, const char *digest, const char *what,
    unsigned *idx)
{
	char name[80];

	if (!ref_digest_valid(digest, strlen(digest)))
		return err_set(ERR_FORMAT, "%s: \"%.80s\" is not a sha256 digest",
		    what, digest);
	snprintf(name, sizeof name, "blobs/sha256/%s", digest + 7);
	return archive_find(&s->a, name, what, idx);
}

/* oci-layout, once: it must say version 1.0.0. buf is scratch. */
static int
check_layout(struct source_archive *s, char *buf, size_t cap)
{
	unsigned idx;
	size_t len;
	int rc;

	if (s->layout_ok)
		return ERR_OK;
	rc = archive_find(&s->a, "oci-layout", "oci-archive", &idx);
	if (rc == ERR_NOTFOUND) {
		err_clear();
		return err_set(ERR_NOTFOUND, "archive %s is not an OCI image layout: "
		    "no member oci-layout", s->a.name);
	}
	if (rc == ERR_OK)
		rc = archive_read_all(&s->a, idx, buf, cap, &len);
	if (rc == ERR_OK)
		rc = layout_version_check(buf, len, s->tok, BOARD_JSON_TOKENS, s->file);
	s->layout_ok = rc == ERR_OK;
	return rc;
}

static int
oci_fetch(struct source_archive *s, int kind, const char *reference,
    char *buf, size_t cap, size_t *len, struct source_doc *doc)
{
	char what[128];
	unsigned idx;
	int rc = check_layout(s, buf, cap);

	if (rc == ERR_OK && kind == SRC_MANIFEST &&
	    strncmp(reference, "sha256:", 7) != 0) {
		rc = archive_find(&s->a, "index.json", "oci-archive", &idx);
		if (rc == ERR_OK)
			rc = archive_read_all(&s->a, idx, buf, cap, len);
		if (rc == ERR_OK)
			rc = layout_index_find(buf, *len, s->tok, BOARD_JSON_TOKENS,
			    s->file, OCI_ARCHIVE_PREFIX, reference, doc);
		reference = doc->digest;
	}
	if (rc < 0)
		return rc;
	snprintf(what, sizeof what, "%s %.80s", kind == SRC_BLOB ? "blob" :
	    "manifest", reference);
	rc = find_blob(s, reference, what, &idx);
	return rc < 0 ? rc : archive_read_all(&s->a, idx, buf, cap, len);
}

/* ---- docker-archive -------------------------------------------------- */

/* RepoTags entry t names the image asked for: as written, or both as
 * docker normalises them. */
static int
tag_matches(const char *t, const char *want)
{
	struct ref a, b;
	char x[REF_TEXT_MAX], y[REF_TEXT_MAX];
	int same;

	if (strcmp(t, want) == 0)
		return 1;
	if (ref_parse(&a, t) < 0 || ref_parse(&b, want) < 0) {
		err_clear();
		return 0;
	}
	ref_format(&a, x, sizeof x);
	ref_format(&b, y, sizeof y);
	same = strcmp(x, y) == 0;
	return same;
}

/* The entry of manifest.json (parsed in j) for the image asked for. */
static int
docker_entry(struct source_archive *s, const struct json *j, int *entry)
{
	char t[REF_TEXT_MAX];
	int i, k, e, tags, count = j->tok[0].size;

	if (!json_is_array(j, 0) || count == 0)
		return err_set(ERR_FORMAT, "docker archive %s: manifest.json is not "
		    "an array of images", s->file);
	for (i = 1, k = 0; k < count; k++, i = json_next(j, i)) {
		if (s->want[0] == '\0') {
			*entry = i;
			if (count == 1)
				return ERR_OK;
			return err_set(ERR_NOTFOUND, "docker archive %s holds %d "
			    "images: name one with " DOCKER_ARCHIVE_PREFIX "%s:NAME:TAG",
			    s->file, count, s->file);
		}
		tags = json_is_object(j, i) ? json_get(j, i, "RepoTags") : -1;
		if (tags < 0 || !json_is_array(j, tags))
			continue;
		for (e = tags + 1; e < json_next(j, tags); e = json_next(j, e))
			if (json_copy(j, e, t, sizeof t) >= 0 &&
			    tag_matches(t, s->want)) {
				*entry = i;
				return ERR_OK;
			}
		err_clear();
	}
	return err_set(ERR_NOTFOUND, "docker archive %s: no image tagged \"%s\" "
	    "in manifest.json's RepoTags", s->file, s->want);
}

/* The member named by the string at token i of j. */
static int
member_at(struct source_archive *s, const struct json *j, int i,
    const char *what, unsigned *idx)
{
	char name[ARCHIVE_NAME_MAX + 1];

	if (json_copy(j, i, name, sizeof name) < 0) {
		err_clear();
		return err_set(ERR_FORMAT, "docker archive %s: manifest.json %s is "
		    "not a member name", s->file, what);
	}
	return archive_find(&s->a, name, what, idx);
}

/* manifest.json: the members of the chosen image's config and layers. */
static int
docker_members(struct source_archive *s, char *buf, size_t cap)
{
	struct json j;
	size_t len;
	unsigned idx;
	int rc, entry, c, l, i, k;

	rc = archive_find(&s->a, "manifest.json", "docker-archive", &idx);
	if (rc == ERR_OK)
		rc = archive_read_all(&s->a, idx, buf, cap, &len);
	if (rc == ERR_OK)
		rc = json_parse(&j, buf, len, s->tok, BOARD_JSON_TOKENS, "manifest.json");
	if (rc == ERR_OK)
		rc = docker_entry(s, &j, &entry);
	if (rc < 0)
		return rc;
	c = json_get(&j, entry, "Config");
	l = json_get(&j, entry, "Layers");
	if (c < 0 || l < 0 || !json_is_array(&j, l)) {
		err_clear();
		return err_set(ERR_FORMAT, "docker archive %s: manifest.json entry "
		    "without Config and Layers", s->file);
	}
	if (j.tok[l].size > (int)BOARD_LAYERS_MAX)
		return err_set(ERR_NOMEM, "docker archive %s: %d layers, more than "
		    "%u (BOARD_LAYERS_MAX)", s->file, j.tok[l].size, BOARD_LAYERS_MAX);
	rc = member_at(s, &j, c, "Config", &s->config);
	s->nlayers = (unsigned)j.tok[l].size;
	for (i = l + 1, k = 0; rc == ERR_OK && k < j.tok[l].size;
	    k++, i = json_next(&j, i))
		rc = member_at(s, &j, i, "Layers", &s->layer[k]);
	return rc;
}

/* The config, verified by the digest in its name when it has one, and its
 * diff_ids; then no layer member is compressed. */
static int
docker_config(struct source_archive *s, char *buf, size_t cap)
{
	const char *name = s->a.m[s->config].name, *base = strrchr(name, '/');
	struct platform plat;
	struct json j;
	const uint8_t *p;
	uint64_t from;
	size_t len, n, k;
	int rc = archive_read_all(&s->a, s->config, buf, cap, &len);

	if (rc < 0)
		return rc;
	digest_buf(buf, len, s->config_digest);
	base = base != NULL ? base + 1 : name;
	if (strspn(base, "0123456789abcdef") == 64 &&
	    (base[64] == '\0' || strcmp(base + 64, ".json") == 0) &&
	    memcmp(base, s->config_digest + 7, 64) != 0)
		return err_set(ERR_VERIFY, "docker archive %s: config %s has digest "
		    "%s", s->file, name, s->config_digest);
	rc = json_parse(&j, buf, len, s->tok, BOARD_JSON_TOKENS, "config");
	if (rc == ERR_OK)
		rc = manifest_config(&j, &plat, s->diff_id, BOARD_LAYERS_MAX, &n);
	if (rc < 0)
		return err_prefix(rc, "docker archive %s", s->file);
	if (n != s->nlayers)
		return err_set(ERR_FORMAT, "docker archive %s: the config lists %zu "
		    "diff_ids for %u layers", s->file, n, s->nlayers);
	for (k = 0; k < n && rc == ERR_OK; k++) {
		rc = archive_begin(&s->a, s->layer[k], 0, &from);
		if (rc == ERR_OK && (rc = archive_read(&s->a, &p, &len)) == ERR_OK &&
		    len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
			return err_set(ERR_UNSUPPORTED, "docker archive %s: layer %s is "
			    "gzip-compressed; docker-archive layers are verified by "
			    "their diff_id and must be plain tar", s->file,
			    s->a.m[s->layer[k]].name);
		if (rc == ERR_END)
			rc = ERR_OK;
	}
	return rc;
}

/* The OCI image manifest of the chosen image, into buf. */
static int
docker_manifest(struct source_archive *s, char *buf, size_t cap, size_t *len)
{
	size_t at;
	unsigned k;
	int rc;

	if (!s->built) {
		rc = docker_members(s, buf, cap);
		if (rc == ERR_OK)
			rc = docker_config(s, buf, cap);
		if (rc < 0)
			return rc;
	}
	at = (size_t)snprintf(buf, cap, "{\"schemaVersion\":2,\"mediaType\":\""
	    MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG
	    "\",\"digest\":\"%s\",\"size\":%llu},\"layers\":[", s->config_digest,
	    (unsigned long long)s->a.m[s->config].size);
	for (k = 0; k < s->nlayers && at < cap; k++)
		at += (size_t)snprintf(buf + at, cap - at, "%s{\"mediaType\":\""
		    MT_OCI_LAYER "\",\"digest\":\"%s\",\"size\":%llu}", k ? "," : "",
		    s->diff_id[k], (unsigned long long)s->a.m[s->layer[k]].size);
	if (at < cap)
		at += (size_t)snprintf(buf + at, cap - at, "]}");
	if (at >= cap)
		return err_set(ERR_NOMEM, "docker archive %s: the image manifest is "
		    "larger than %zu bytes (BOARD_JSON_MAX)", s->file, cap);
	*len = at;
	digest_buf(buf, at, s->manifest_digest);
	s->built = 1;
	return ERR_OK;
}

static int
docker_fetch(struct source_archive *s, int kind, const char *reference,
    char *buf, size_t cap, size_t *len, struct source_doc *doc)
{
	int rc;

	if (kind == SRC_MANIFEST && reference[0] == '\0') {
		rc = docker_manifest(s, buf, cap, len);
		if (rc == ERR_OK) {
			memcpy(doc->digest, s->manifest_digest, sizeof doc->digest);
			snprintf(doc->media_type, sizeof doc->media_type, "%s",
			    MT_OCI_MANIFEST);
		}
		return rc;
	}
	if (kind == SRC_MANIFEST && s->built &&
	    strcmp(reference, s->manifest_digest) == 0)
		return docker_manifest(s, buf, cap, len);
	if (kind == SRC_BLOB && s->built &&
	    strcmp(reference, s->config_digest) == 0)
		return archive_read_all(&s->a, s->config, buf, cap, len);
	return err_set(ERR_NOTFOUND, "docker archive %s has no %s %.80s", s->file,
	    kind == SRC_BLOB ? "blob" : "manifest", reference);
}

/* ---- the source ------------------------------------------------------ */

static int
arc_fetch(void *ctx, int kind, const char *reference, char *buf, size_t cap,
    size_t *len, struct source_doc *doc)
{
	struct source_archive *s = ctx;

	doc->media_type[0] = '\0';
	doc->digest[0] = '\0';
	if (kind == SRC_REFERRERS)
		return err_set(ERR_NOTFOUND, "archive %s: no referrers API", s->file);
	if (s->kind == ARCHIVE_DOCKER)
		return docker_fetch(s, kind, reference, buf, cap, len, doc);
	return oci_fetch(s, kind, reference, buf, cap, len, doc);
}

static int
arc_open(void *ctx, const struct descriptor *d, uint64_t offset,
    const char *what, uint64_t *from)
{
	struct source_archive *s = ctx;
	unsigned idx, k;
	int rc;

	*from = 0;
	if (s->kind == ARCHIVE_OCI) {
		rc = find_blob(s, d->digest, what, &idx);
		return rc < 0 ? rc : archive_begin(&s->a, idx, offset, from);
	}
	for (k = 0; k < s->nlayers; k++)
		if (strcmp(s->diff_id[k], d->digest) == 0)
			return archive_begin(&s->a, s->layer[k], offset, from);
	return err_set(ERR_NOTFOUND, "%s: docker archive %s has no layer %s", what,
	    s->file, d->digest);
}

static int
arc_read(void *ctx, const uint8_t **p, size_t *n)
{
	struct source_archive *s = ctx;

	return archive_read(&s->a, p, n);
}

static int
arc_retry(void *ctx, int rc, unsigned attempt)
{
	(void)ctx;
	(void)attempt;
	return rc;                      /* a file or a pipe: no second try */
}

static int
arc_done(void *ctx)
{
	struct source_archive *s = ctx;

	return archive_finish(&s->a);
}

static const struct source_ops archive_ops = {
	arc_fetch, arc_open, arc_read, arc_retry, arc_done
};

int
source_archive_open(struct source_archive *s, int kind, const char *file,
    const char *want)
{
	int rc;

	s->kind = kind;
	s->layout_ok = s->built = 0;
	s->nlayers = 0;
	snprintf(s->file, sizeof s->file, "%s", file);
	if (want != s->want)
		snprintf(s->want, sizeof s->want, "%s", want);
	rc = archive_open(&s->a, file);
	if (rc == ERR_OK && kind == ARCHIVE_DOCKER && s->a.pipe) {
		archive_close(&s->a);
		return err_set(ERR_UNSUPPORTED, "docker archive %s cannot be read "
		    "from a pipe: the format gives a layer's size only in the "
		    "layer's own header, after the documents that must be checked "
		    "first. Read it from a file (or redirect standard input from "
		    "one), or convert it with skopeo copy docker-archive:FILE "
		    "oci-archive:FILE", s->file);
	}
	return rc;
}

void
source_archive_close(struct source_archive *s)
{
	archive_close(&s->a);
}

void
source_archive(struct source *src, struct source_archive *s)
{
	src->ops = &archive_ops;
	src->ctx = s;
}
