/*
 * source_layout.c: an OCI image layout as a source (source_layout.h).
 *
 * index.json is read whole into the caller's document buffer for each tag
 * lookup (a layout is local: nothing is cached between requests). A
 * document fetched by tag carries the digest index.json gives for it, so
 * resolve checks the bytes against it.
 */
#include "source_layout.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "port.h"

#define REF_NAME_KEY "org.opencontainers.image.ref.name"

/* ---- the reference -------------------------------------------------- */

static int
tag_ok(const char *t, size_t n)
{
	size_t i;

	if (n == 0 || n > REF_TAG_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (t[i] <= ' ' || t[i] > '~' || t[i] == ':' || t[i] == '@')
			return 0;
	return 1;
}

int
layout_ref_split(struct ref *r, const char *s)
{
	const char *at = strrchr(s, '@'), *colon, *end;
	size_t n;

	memset(r, 0, sizeof *r);
	if (at != NULL && strncmp(at, "@sha256:", 8) != 0)
		at = NULL;
	end = at != NULL ? at : s + strlen(s);
	colon = memchr(s, ':', (size_t)(end - s));
	n = (size_t)((colon != NULL ? colon : end) - s);
	if (n == 0)
		return err_set(ERR_USAGE, "invalid layout reference \"oci:%s\": "
		    "no directory after \"oci:\"", s);
	if (n > REF_NAME_MAX)
		return err_set(ERR_USAGE, "invalid layout reference \"oci:%.40s...\": "
		    "directory longer than %u characters", s, REF_NAME_MAX);
	memcpy(r->repo, s, n);
	if (colon != NULL) {
		if (!tag_ok(colon + 1, (size_t)(end - colon - 1)))
			return err_set(ERR_USAGE, "invalid tag \"%.*s\" in layout "
			    "reference \"oci:%s\": 1 to %u printable characters "
			    "without ':', '@' or spaces", (int)(end - colon - 1),
			    colon + 1, s, REF_TAG_MAX);
		memcpy(r->tag, colon + 1, (size_t)(end - colon - 1));
	}
	if (at != NULL) {
		if (!ref_digest_valid(at + 1, strlen(at + 1)))
			return err_set(ERR_USAGE, "invalid digest \"%s\" in layout "
			    "reference \"oci:%s\": expected sha256: and 64 lowercase "
			    "hex digits", at + 1, s);
		memcpy(r->digest, at + 1, strlen(at + 1));
	}
	memcpy(r->registry, "oci", 4);
	return ERR_OK;
}

size_t
layout_ref_format(const struct ref *r, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, LAYOUT_PREFIX "%s%s%s%s%s", r->repo,
	    r->tag[0] ? ":" : "", r->tag, r->digest[0] ? "@" : "", r->digest);

	return n < 0 ? 0 : (size_t)n;
}

/* ---- opening -------------------------------------------------------- */

/* Open the directory name below dir, not following a symlink. */
static int
open_subdir(int dir, const char *name, const char *layout)
{
	int fd = port_fs_open(dir, name, PORT_O_READ | PORT_O_DIRECTORY |
	    PORT_O_NOFOLLOW, 0);

	if (fd < 0) {
		err_clear();
		return err_set(fd == ERR_NOENT ? ERR_NOTFOUND : fd, "OCI layout %s: "
		    "no directory %s (a layout has blobs/sha256/)", layout, name);
	}
	return fd;
}

/* oci-layout must say {"imageLayoutVersion": "1.0.0"}. */
static int
check_version(struct layout *l)
{
	char text[256];
	struct json j;
	long n = port_fs_read_file(l->dir, "oci-layout", text, sizeof text);
	int i;

	if (n < 0) {
		err_clear();
		return err_set(n == ERR_NOENT ? ERR_NOTFOUND : (int)n, "%s is not an "
		    "OCI image layout: %s oci-layout", l->name, n == ERR_NOENT ?
		    "no file" : "cannot read");
	}
	if (json_parse(&j, text, (size_t)n, l->tok, LAYOUT_TOKENS,
	    "oci-layout") < 0)
		return err_prefix(ERR_FORMAT, "OCI layout %s", l->name);
	i = json_is_object(&j, 0) ? json_get(&j, 0, "imageLayoutVersion") : -1;
	if (i < 0 || !json_eq(&j, i, "1.0.0")) {
		err_clear();
		return err_set(ERR_UNSUPPORTED, "OCI layout %s: oci-layout does not "
		    "say \"imageLayoutVersion\": \"1.0.0\"", l->name);
	}
	return ERR_OK;
}

int
layout_open(struct layout *l, const char *dir)
{
	int blobs, rc;

	l->dir = l->blobs = l->fd = -1;
	l->pos = 0;
	snprintf(l->name, sizeof l->name, "%s", dir);
	l->dir = port_fs_open(PORT_CWD, dir, PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (l->dir < 0) {
		rc = l->dir;
		l->dir = -1;
		return err_prefix(rc == ERR_NOENT ? ERR_NOTFOUND : rc, "OCI layout");
	}
	rc = check_version(l);
	if (rc < 0)
		goto fail;
	blobs = open_subdir(l->dir, "blobs", l->name);
	if (blobs < 0) {
		rc = blobs;
		goto fail;
	}
	l->blobs = open_subdir(blobs, "sha256", l->name);
	port_fs_close(blobs);
	if (l->blobs < 0) {
		rc = l->blobs;
		l->blobs = -1;
		goto fail;
	}
	return ERR_OK;
fail:
	layout_close(l);
	return rc;
}

void
layout_close(struct layout *l)
{
	if (l->fd >= 0)
		port_fs_close(l->fd);
	if (l->blobs >= 0)
		port_fs_close(l->blobs);
	if (l->dir >= 0)
		port_fs_close(l->dir);
	l->dir = l->blobs = l->fd = -1;
}

/* ---- blobs ---------------------------------------------------------- */

/* Open blobs/sha256/<hex> for digest: a regular file, no symlink. */
static int
open_blob(struct layout *l, const char *digest, const char *what)
{
	struct port_stat st;
	const char *hex = digest + 7;
	int fd, rc;

	if (!ref_digest_valid(digest, strlen(digest)))
		return err_set(ERR_FORMAT, "%s: \"%s\" is not a sha256 digest", what,
		    digest);
	rc = port_fs_stat(l->blobs, hex, &st);
	if (rc == ERR_NOENT) {
		err_clear();
		return err_set(ERR_NOTFOUND, "%s: OCI layout %s has no blob %s", what,
		    l->name, digest);
	}
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	if (st.type != PORT_T_REG)
		return err_set(ERR_FORMAT, "%s: blobs/sha256/%s in OCI layout %s is "
		    "not a regular file", what, hex, l->name);
	fd = port_fs_open(l->blobs, hex, PORT_O_READ | PORT_O_NOFOLLOW, 0);
	if (fd < 0)
		return err_prefix(fd, "%s", what);
	return fd;
}

/* The whole of blob digest into buf. */
static int
read_blob(struct layout *l, const char *digest, char *buf, size_t cap,
    size_t *len, const char *what)
{
	int fd = open_blob(l, digest, what);
	size_t got = 0;
	long n;

	if (fd < 0)
		return fd;
	for (;;) {
		n = port_fs_read(fd, buf + got, cap - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == cap) {
			char extra;
			n = port_fs_read(fd, &extra, 1);
			if (n > 0) {
				port_fs_close(fd);
				return err_set(ERR_NOMEM, "%s: larger than %zu bytes "
				    "(BOARD_JSON_MAX)", what, cap);
			}
			break;
		}
	}
	port_fs_close(fd);
	if (n < 0)
		return err_prefix((int)n, "%s", what);
	*len = got;
	return ERR_OK;
}

/* ---- index.json ------------------------------------------------------ */

/* The tag of manifest entry m ("" when it has none) equals tag. */
static int
entry_has_tag(const struct json *j, int m, const char *tag)
{
	int a = json_get(j, m, "annotations"), v;

	if (a < 0 || !json_is_object(j, a))
		return tag[0] == '\0';
	v = json_get(j, a, REF_NAME_KEY);
	if (v < 0)
		return tag[0] == '\0';
	return tag[0] != '\0' && json_eq(j, v, tag);
}

/* Copy the string member key of entry m into out. */
static int
entry_str(const struct json *j, int m, const char *key, char *out, size_t cap)
{
	int v = json_get(j, m, key);

	out[0] = '\0';
	if (v < 0)
		return v == -1 ? ERR_OK : v;
	return json_copy(j, v, out, cap) < 0 ? ERR_FORMAT : ERR_OK;
}

/*
 * Find tag (or, when tag is "", the only manifest) in index.json: its
 * digest and media type into doc. buf is scratch for index.json.
 */
static int
find_tag(struct layout *l, const char *tag, char *buf, size_t cap,
    struct source_doc *doc)
{
	struct json j;
	size_t len;
	int arr, i, k, found = -1, count;
	long n = port_fs_read_file(l->dir, "index.json", buf, cap);

	if (n < 0)
		return err_prefix((int)n, "OCI layout %s: index.json", l->name);
	len = (size_t)n;
	if (json_parse(&j, buf, len, l->tok, LAYOUT_TOKENS, "index.json") < 0)
		return err_prefix(ERR_FORMAT, "OCI layout %s", l->name);
	arr = json_is_object(&j, 0) ? json_get(&j, 0, "manifests") : -1;
	if (arr < 0 || !json_is_array(&j, arr)) {
		err_clear();
		return err_set(ERR_FORMAT, "OCI layout %s: index.json has no "
		    "\"manifests\" array", l->name);
	}
	count = j.tok[arr].size;
	for (i = arr + 1, k = 0; k < count; k++, i = json_next(&j, i)) {
		if (!json_is_object(&j, i))
			return err_set(ERR_FORMAT, "OCI layout %s: index.json "
			    "manifests[%d] is not an object", l->name, k);
		if (tag[0] != '\0' ? entry_has_tag(&j, i, tag) : count == 1) {
			found = i;
			break;
		}
	}
	if (found < 0 && tag[0] == '\0')
		return err_set(ERR_NOTFOUND, "OCI layout %s holds %d images: name "
		    "one with oci:%s:TAG or @DIGEST", l->name, count, l->name);
	if (found < 0)
		return err_set(ERR_NOTFOUND, "OCI layout %s: no image tagged \"%s\" "
		    "(index.json has no manifest with " REF_NAME_KEY " \"%s\")",
		    l->name, tag, tag);
	if (entry_str(&j, found, "digest", doc->digest, sizeof doc->digest) < 0 ||
	    !ref_digest_valid(doc->digest, strlen(doc->digest)) ||
	    entry_str(&j, found, "mediaType", doc->media_type,
	    sizeof doc->media_type) < 0) {
		err_clear();
		return err_set(ERR_FORMAT, "OCI layout %s: index.json entry for "
		    "\"%s\" has no valid sha256 digest", l->name, tag);
	}
	return ERR_OK;
}

/* ---- the source ----------------------------------------------------- */

static int
lay_fetch(void *ctx, int kind, const char *reference, char *buf, size_t cap,
    size_t *len, struct source_doc *doc)
{
	struct layout *l = ctx;
	char what[128];
	int rc;

	doc->media_type[0] = '\0';
	doc->digest[0] = '\0';
	if (kind == SRC_REFERRERS)
		return err_set(ERR_NOTFOUND, "OCI layout %s: no referrers API",
		    l->name);
	if (kind == SRC_MANIFEST && strncmp(reference, "sha256:", 7) != 0) {
		rc = find_tag(l, reference, buf, cap, doc);
		if (rc < 0)
			return rc;
		reference = doc->digest;
	}
	snprintf(what, sizeof what, "%s %.80s", kind == SRC_BLOB ? "blob" :
	    "manifest", reference);
	return read_blob(l, reference, buf, cap, len, what);
}

static int
lay_open(void *ctx, const struct descriptor *d, uint64_t offset,
    const char *what, uint64_t *from)
{
	struct layout *l = ctx;
	int fd;

	*from = 0;
	if (l->fd >= 0) {
		port_fs_close(l->fd);
		l->fd = -1;
	}
	fd = open_blob(l, d->digest, what);
	if (fd < 0)
		return fd;
	l->fd = fd;
	l->pos = offset;
	*from = offset;
	return ERR_OK;
}

static int
lay_read(void *ctx, const uint8_t **p, size_t *n)
{
	struct layout *l = ctx;
	long got;

	if (l->fd < 0)
		return err_set(ERR_INTERNAL, "OCI layout %s: read with no blob open",
		    l->name);
	got = port_fs_pread(l->fd, l->buf, sizeof l->buf, l->pos);
	if (got < 0)
		return err_prefix((int)got, "OCI layout %s", l->name);
	if (got == 0) {
		port_fs_close(l->fd);
		l->fd = -1;
		return ERR_END;
	}
	l->pos += (uint64_t)got;
	*p = l->buf;
	*n = (size_t)got;
	return ERR_OK;
}

static int
lay_retry(void *ctx, int rc, unsigned attempt)
{
	(void)ctx;
	(void)attempt;
	return rc;                      /* a local file: no second try */
}

static const struct source_ops layout_ops = {
	lay_fetch, lay_open, lay_read, lay_retry
};

void
source_layout(struct source *s, struct layout *l)
{
	s->ops = &layout_ops;
	s->ctx = l;
}
