/*
 * fetch.c: an image from a source into a layout or a layout tar
 * (fetch.h).
 */
#include "fetch.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"

#define REF_NAME_KEY "org.opencontainers.image.ref.name"

/* What one fetch_image call works with. */
struct walk {
	struct fetch *f;
	const struct source *src;
	const struct fetch_opts *o;
	const struct event_sink *events;
	char *doc;
	size_t cap;
	jsmntok_t *tok;
	unsigned ntok;
	const char *platform;           /* one platform's image: its platform */
};

static void
emit(const struct walk *w, int kind, unsigned index, unsigned count,
    const char *digest, uint64_t done, uint64_t size)
{
	struct event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.index = index;
	ev.count = count;
	ev.digest = digest;
	ev.done = done;
	ev.size = size;
	event_emit(w->events, &ev);
}

/* ---- one blob, streamed ------------------------------------------------ */

/* After a failed read: the source's retry policy, then the rest of the
 * blob from the byte written last. ERR_END: every byte had arrived. */
static int
resume(struct walk *w, const struct digest *sofar, int rc, unsigned attempt,
    const char *what, const uint8_t **p, size_t *n)
{
	const struct descriptor *d = &w->f->blob;
	uint64_t from;

	*n = 0;
	rc = source_retry(w->src, rc, attempt);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	if (sofar->count >= d->size)
		return ERR_END;
	rc = source_open(w->src, d, sofar->count, what, &from);
	if (rc < 0)
		return err_prefix(rc, "%s: resuming at byte %llu", what,
		    (unsigned long long)sofar->count);
	if (sofar->count == 0)
		return ERR_OK;
	w->f->resumes++;
	return from == sofar->count ? ERR_OK : source_skip_repeat(w->src, sofar,
	    what, p, n, &w->f->refetched);
}

/* Read the open blob to its end into the output and the digest. */
static int
transfer(struct walk *w, struct digest *dg, const char *what, int layer)
{
	const struct descriptor *d = &w->f->blob;
	unsigned attempt = 0;
	uint64_t since = 0;
	const uint8_t *p;
	size_t n;
	int rc;

	for (;;) {
		rc = source_read(w->src, &p, &n);
		if (rc == ERR_END)
			return ERR_OK;
		if (rc < 0) {
			since = 0;
			rc = resume(w, dg, rc, attempt++, what, &p, &n);
			if (rc == ERR_END)
				return ERR_OK;
			if (rc < 0)
				return rc;
			if (n == 0)
				continue;
		}
		if (n > d->size - dg->count)
			return err_set(ERR_VERIFY, "%s: the source sends more than the "
			    "%llu bytes the manifest gives", what,
			    (unsigned long long)d->size);
		digest_push(dg, p, n);
		w->f->bytes_fetched += n;
		rc = fetch_out_write(&w->f->out, p, n);
		if (rc < 0)
			return rc;
		since += n;
		if (since >= 32u * 1024u)
			attempt = 0;       /* progress renews the retry budget */
		if (layer >= 0)
			emit(w, EV_BYTES, (unsigned)layer, 0, NULL, dg->count, d->size);
	}
}

/* Blob w->f->blob (a config, or layer number layer of count) from the
 * source into the output, checked by size and digest. */
static int
put_blob(struct walk *w, const char *what, int layer, unsigned count)
{
	const struct descriptor *d = &w->f->blob;
	char got[DIGEST_STR_LEN + 1];
	struct digest dg;
	uint64_t from;
	int rc;

	if (layer >= 0)
		emit(w, EV_LAYER, (unsigned)layer, count, d->digest, 0, d->size);
	rc = fetch_out_have(&w->f->out, d->digest, d->size);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (d->nurls > 0 && !w->o->allow_foreign)
			return err_set(ERR_UNSUPPORTED, "%s is a non-distributable "
			    "layer to be fetched from %s; allow it with "
			    "--allow-foreign-layers", what, d->url);
		rc = source_open(w->src, d, 0, what, &from);
		if (rc == ERR_OK)
			rc = fetch_out_blob_begin(&w->f->out, d->digest, d->size);
		if (rc < 0)
			return rc;
		digest_init(&dg);
		rc = transfer(w, &dg, what, layer);
		if (rc == ERR_OK && dg.count != d->size)
			rc = err_set(ERR_VERIFY, "%s: size mismatch: expected %llu bytes, "
			    "got %llu", what, (unsigned long long)d->size,
			    (unsigned long long)dg.count);
		if (rc == ERR_OK) {
			digest_final(&dg, got);
			rc = digest_check(what, d->digest, got);
		}
		if (rc == ERR_OK)
			rc = fetch_out_blob_end(&w->f->out);
		if (rc < 0) {
			fetch_out_blob_abort(&w->f->out);
			return rc;
		}
	}
	if (layer >= 0)
		emit(w, EV_VERIFIED, (unsigned)layer, count, d->digest, 0, d->size);
	return ERR_OK;
}

/* A document already verified in doc (len bytes) as a blob. */
static int
put_doc(struct walk *w, const char *digest, size_t len)
{
	int rc = fetch_out_have(&w->f->out, digest, len);

	if (rc != 0)
		return rc < 0 ? rc : ERR_OK;
	rc = fetch_out_blob_begin(&w->f->out, digest, len);
	if (rc == ERR_OK)
		rc = fetch_out_write(&w->f->out, w->doc, len);
	if (rc == ERR_OK)
		rc = fetch_out_blob_end(&w->f->out);
	if (rc < 0)
		fetch_out_blob_abort(&w->f->out);
	return rc;
}

/* ---- documents --------------------------------------------------------- */

/* An image manifest (parsed in *j, kid its descriptor): the config, then
 * the layers in order. */
static int
put_image(struct walk *w, const struct json *j, const struct fetch_kid *kid)
{
	struct fetch *f = w->f;
	char what[160];
	uint64_t total = 0;
	int c = json_get(j, 0, "config"), arr = json_get(j, 0, "layers");
	int i, k, count, rc;
	struct event ev;

	if (c < 0 || (arr >= 0 && !json_is_array(j, arr))) {
		err_clear();
		return err_set(ERR_FORMAT, "manifest %s: no config or no layers array",
		    kid->digest);
	}
	count = arr >= 0 ? j->tok[arr].size : 0;
	for (i = arr + 1, k = 0; k < count; k++, i = json_next(j, i)) {
		snprintf(what, sizeof what, "manifest %s layers[%d]", kid->digest, k);
		rc = manifest_descriptor(j, i, &f->blob, what);
		if (rc < 0)
			return rc;
		total += f->blob.size;
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_RESOLVED;
	ev.text = w->o->refname;
	ev.digest = kid->digest;
	ev.index_digest = f->index[0] ? f->index : NULL;
	ev.platform = w->platform ? w->platform : kid->platform[0] ?
	    kid->platform : "unknown";
	ev.count = (unsigned)count;
	ev.size = total;
	event_emit(w->events, &ev);
	snprintf(what, sizeof what, "config of manifest %s", kid->digest);
	rc = manifest_descriptor(j, c, &f->blob, what);
	if (rc == ERR_OK)
		rc = put_blob(w, what, -1, 0);
	for (i = arr + 1, k = 0; rc == ERR_OK && k < count; k++,
	    i = json_next(j, i)) {
		snprintf(what, sizeof what, "layer %d of %d (manifest %s)", k + 1,
		    count, kid->digest);
		rc = manifest_descriptor(j, i, &f->blob, what);
		if (rc == ERR_OK) {
			snprintf(what, sizeof what, "layer %d of %d (%s)", k + 1, count,
			    f->blob.digest);
			rc = put_blob(w, what, k, (unsigned)count);
		}
	}
	if (rc == ERR_OK) {
		f->images++;
		f->layers += (size_t)count;
		memcpy(f->manifest, kid->digest, sizeof f->manifest);
	}
	return rc;
}

/* The platform of index entry m as "os/arch[/variant]" into out. */
static void
entry_platform(const struct json *j, int m, char *out, size_t cap)
{
	static const char *const key[] = { "os", "architecture", "variant" };
	char part[3][32];
	int p = json_get(j, m, "platform"), v, k;

	out[0] = '\0';
	if (p < 0 || !json_is_object(j, p)) {
		err_clear();
		return;
	}
	for (k = 0; k < 3; k++) {
		v = json_get(j, p, key[k]);
		if (v < 0 || json_copy(j, v, part[k], sizeof part[k]) < 0)
			part[k][0] = '\0';
	}
	err_clear();
	snprintf(out, cap, "%.20s/%.20s%s%.15s", part[0], part[1],
	    part[2][0] ? "/" : "", part[2]);
}

/* The entries of the index parsed in *j onto the stack of kids. */
static int
push_kids(struct walk *w, const struct json *j, const char *digest)
{
	struct fetch *f = w->f;
	char where[128];
	int arr = json_get(j, 0, "manifests"), i, k, rc;

	if (arr < 0 || !json_is_array(j, arr)) {
		err_clear();
		return err_set(ERR_FORMAT, "index %s: no manifests array", digest);
	}
	for (i = arr + 1, k = 0; k < j->tok[arr].size; k++, i = json_next(j, i)) {
		struct fetch_kid *kid = &f->kids[f->nkids];
		if (f->nkids == FETCH_KIDS_MAX)
			return err_set(ERR_NOMEM, "index %s: more than %u manifests "
			    "(FETCH_KIDS_MAX)", digest, FETCH_KIDS_MAX);
		snprintf(where, sizeof where, "index %.19s manifests[%d]", digest, k);
		rc = manifest_descriptor(j, i, &f->blob, where);
		if (rc < 0)
			return rc;
		memcpy(kid->media_type, f->blob.media_type, sizeof kid->media_type);
		memcpy(kid->digest, f->blob.digest, sizeof kid->digest);
		kid->size = f->blob.size;
		entry_platform(j, i, kid->platform, sizeof kid->platform);
		f->nkids++;
	}
	return ERR_OK;
}

/*
 * The document kid names, verified in doc (len bytes): written, then an
 * image's blobs, or an index's manifests one by one (depth first).
 */
static int
walk(struct walk *w, const struct fetch_kid *kid, size_t len, int depth)
{
	struct fetch *f = w->f;
	char got[DIGEST_STR_LEN + 1], what[160];
	struct source_doc sd;
	struct json j;
	size_t first = f->nkids, k;
	int rc, kind;

	rc = put_doc(w, kid->digest, len);
	if (rc == ERR_OK)
		rc = json_parse(&j, w->doc, len, w->tok, w->ntok, kid->digest);
	if (rc == ERR_OK)
		rc = manifest_kind(&j, kid->media_type, &kind);
	if (rc < 0)
		return err_prefix(rc, "%s", kid->digest);
	if (kind == MF_IMAGE)
		return put_image(w, &j, kid);
	if (depth + 1 >= RESOLVE_INDEX_DEPTH)
		return err_set(ERR_FORMAT, "indexes nested deeper than %d",
		    RESOLVE_INDEX_DEPTH);
	rc = push_kids(w, &j, kid->digest);
	for (k = first; rc == ERR_OK && k < f->nkids; k++) {
		snprintf(what, sizeof what, "manifest %s", f->kids[k].digest);
		rc = resolve_fetch(w->src, SRC_MANIFEST, f->kids[k].digest,
		    f->kids[k].digest, f->kids[k].size, what, w->doc, w->cap, &len,
		    got, &sd);
		if (rc == ERR_OK)
			rc = walk(w, &f->kids[k], len, depth + 1);
	}
	f->nkids = first;
	return rc;
}

/* ---- the whole ------------------------------------------------------- */

/* index.json's entry for the top document (parsed in *j): its media type
 * (the document's own field, else the OCI type of its kind), digest,
 * size and the tag. */
static int
make_entry(struct fetch *f, const struct json *j, int kind,
    const struct fetch_kid *top, const char *tag)
{
	char mt[160], q[340], t[300];
	int m = json_get(j, 0, "mediaType"), n;

	if (m < 0 || json_copy(j, m, mt, sizeof mt) < 0)
		snprintf(mt, sizeof mt, "%s", kind == MF_INDEX ? MT_OCI_INDEX :
		    MT_OCI_MANIFEST);
	err_clear();
	lex_json_quote(q, sizeof q, mt);
	lex_json_quote(t, sizeof t, tag);
	n = snprintf(f->entry, sizeof f->entry, "{\"mediaType\":%s,"
	    "\"digest\":\"%s\",\"size\":%llu%s%s%s}", q, top->digest,
	    (unsigned long long)top->size, tag[0] ? ",\"annotations\":{\""
	    REF_NAME_KEY "\":" : "", tag[0] ? t : "", tag[0] ? "}" : "");
	if (n < 0 || (size_t)n >= sizeof f->entry)
		return err_set(ERR_INTERNAL, "index.json entry too long");
	f->entry_len = (size_t)n;
	n = snprintf(f->index_json, sizeof f->index_json, "{\"schemaVersion\":2,"
	    "\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":[%.*s]}\n",
	    (int)f->entry_len, f->entry);
	if (n < 0 || (size_t)n >= sizeof f->index_json)
		return err_set(ERR_INTERNAL, "index.json too long");
	return ERR_OK;
}

/* The top document into doc, verified: the chosen manifest, or with
 * all_platforms what the reference names. */
static int
get_top(struct walk *w, const struct ref *ref, const struct image *img,
    struct fetch_kid *top, size_t *len)
{
	char what[160];
	struct source_doc sd;
	const char *r = ref->digest[0] ? ref->digest : ref->tag;
	int rc;

	memset(top, 0, sizeof *top);
	if (img != NULL) {
		snprintf(what, sizeof what, "manifest %s", img->manifest.digest);
		rc = resolve_fetch(w->src, SRC_MANIFEST, img->manifest.digest,
		    img->manifest.digest, img->manifest.size, what, w->doc, w->cap,
		    len, top->digest, &sd);
		snprintf(top->media_type, sizeof top->media_type, "%s",
		    img->manifest.media_type);
	} else {
		snprintf(what, sizeof what, "manifest %s", r);
		rc = resolve_fetch(w->src, SRC_MANIFEST, r, ref->digest, 0, what,
		    w->doc, w->cap, len, top->digest, &sd);
		snprintf(top->media_type, sizeof top->media_type, "%.*s",
		    (int)sizeof top->media_type - 1, sd.media_type);
	}
	top->size = *len;
	return rc;
}

static int
fetch_run(struct walk *w, const struct ref *ref, const struct image *img)
{
	struct fetch *f = w->f;
	struct fetch_kid top;
	struct json j;
	size_t len;
	int rc, kind;

	rc = get_top(w, ref, img, &top, &len);
	if (rc == ERR_OK)
		rc = json_parse(&j, w->doc, len, w->tok, w->ntok, top.digest);
	if (rc == ERR_OK)
		rc = manifest_kind(&j, top.media_type, &kind);
	if (rc < 0)
		return rc;
	memcpy(f->top, top.digest, sizeof f->top);
	if (kind == MF_INDEX)
		memcpy(f->index, top.digest, sizeof f->index);
	rc = make_entry(f, &j, kind, &top, w->o->tag);
	if (rc == ERR_OK)
		rc = fetch_out_begin(&f->out, f->index_json, strlen(f->index_json));
	if (rc == ERR_OK)
		rc = walk(w, &top, len, 0);
	if (rc == ERR_OK)
		rc = fetch_out_commit(&f->out, f->entry, f->entry_len, w->o->tag,
		    f->top, w->doc, w->cap, w->tok, w->ntok);
	return rc;
}

int
fetch_image(struct fetch *f, const struct source *src,
    const struct ref *ref, const struct image *img, const struct fetch_opts *o,
    char *doc, size_t cap, jsmntok_t *tok, unsigned ntok,
    const struct event_sink *events)
{
	char plat[64];
	struct walk w = { f, src, o, events, doc, cap, tok, ntok, NULL };
	int rc;

	f->nkids = 0;
	f->top[0] = f->index[0] = f->manifest[0] = '\0';
	f->images = 0;
	f->layers = 0;
	f->bytes_fetched = f->refetched = 0;
	f->resumes = 0;
	if (img != NULL) {
		platform_format(&img->platform, plat, sizeof plat);
		w.platform = plat;
		if (resolve_index(img) != NULL)   /* shown, not written */
			memcpy(f->index, img->top_digest, sizeof f->index);
	}
	rc = fetch_run(&w, ref, img);
	if (rc < 0)
		fetch_out_abort(&f->out);
	return rc;
}
