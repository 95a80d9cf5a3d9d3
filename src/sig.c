/*
 * sig.c: finding cosign signatures through the source and checking them
 * (sig.h).
 */
#include "sig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth_cred.h"
#include "digest.h"
#include "err.h"
#include "lex.h"
#include "manifest.h"

void
sig_init(struct sig_check *c, struct sigkeys *keys, const char *identity)
{
	memset(c, 0, sizeof *c);
	c->keys = keys;
	c->identity = identity;
}

const char *
sig_status_name(int status)
{
	return status == SIG_VERIFIED ? "verified" : status == SIG_REJECTED ?
	    "rejected" : "unchecked";
}

/* Nothing more to look at: a pull has its signature, or SIG_CHECK_MAX
 * signatures were checked. */
static int
done(const struct sig_check *c)
{
	return (c->first_only && c->verified > 0) || c->checked >= SIG_CHECK_MAX;
}

/* A new entry in c->found; when it is full, c->spare (not listed: counted
 * in more; a signature that verifies there takes the last slot). */
static struct sig_found *
found_add(struct sig_check *c, const char *on, int scheme,
    const char *artifact, unsigned layer)
{
	struct sig_found *f;

	if (c->nfound == SIG_FOUND_MAX) {
		c->more++;
		f = &c->spare;
	} else {
		f = &c->found[c->nfound++];
	}
	memset(f, 0, sizeof *f);
	snprintf(f->on, sizeof f->on, "%s", on);
	snprintf(f->artifact, sizeof f->artifact, "%s", artifact);
	f->layer = layer;
	f->scheme = scheme;
	f->key = -1;
	return f;
}

/* Mark f rejected for the reason fmt says. Returns ERR_OK: a rejected
 * signature is a finding, not a failure of the search. */
static int
reject(struct sig_found *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
reject(struct sig_found *f, const char *fmt, ...)
{
	va_list ap;

	if (f == NULL)
		return ERR_OK;
	f->status = SIG_REJECTED;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof f->reason, fmt, ap);
	va_end(ap);
	return ERR_OK;
}

/* Whether rc from the source ends the search (network, authentication,
 * time) rather than making one document unusable. */
static int
fatal(int rc)
{
	return rc == ERR_NET || rc == ERR_TIMEOUT || rc == ERR_DNS ||
	    rc == ERR_TLS || rc == ERR_AUTH || rc == ERR_PROTO || rc == ERR_IO;
}

/*
 * Fetch a signature document (manifest or index) into doc and check it
 * against want (a digest, with its size when nonzero) or else the
 * source's digest for a tag. ERR_NOTFOUND as is; a document the caps or
 * the checks refuse becomes a rejected entry named what (ERR_END: go on
 * without it); fatal errors return.
 */
static int
fetch_doc(struct sig_check *c, const struct source *src, int kind,
    const char *reference, const char *want, uint64_t size, char *doc,
    size_t cap, size_t *len, const char *on, int scheme, const char *what)
{
	struct source_doc sd;
	char got[DIGEST_STR_LEN + 1];
	int rc;

	if (cap > SIG_DOC_MAX)
		cap = SIG_DOC_MAX;
	rc = source_fetch(src, kind, reference, doc, cap, len, &sd);
	if (rc == ERR_NOTFOUND || fatal(rc))
		return rc;
	if (rc == ERR_NOMEM) {
		err_clear();
		reject(found_add(c, on, scheme, what, 0), "%s is larger than the "
		    "%zu bytes a signature document may have", what, cap);
		return ERR_END;
	}
	if (rc == ERR_OK) {
		digest_buf(doc, *len, got);
		/* The referrers API makes its answer up: no digest names it. */
		if (want != NULL)
			rc = digest_check(what, want, got);
		else if (sd.digest[0] != '\0' && kind != SRC_REFERRERS)
			rc = digest_check(what, sd.digest, got);
		if (rc == ERR_OK && size != 0 && *len != size)
			rc = err_set(ERR_VERIFY, "%s: %zu bytes, its descriptor says "
			    "%llu", what, *len, (unsigned long long)size);
	}
	if (rc < 0) {
		reject(found_add(c, on, scheme, what, 0), "%s", err_msg());
		err_clear();
		return ERR_END;
	}
	return ERR_OK;
}

/* The string at key below obj (NULL: -1 or an error), into buf. */
static long
get_str(const struct json *j, int obj, const char *key, char *buf, size_t cap)
{
	int i = obj < 0 || !json_is_object(j, obj) ? -1 : json_get(j, obj, key);

	if (i < 0)
		return i == -1 ? -1 : ERR_FORMAT;
	return json_copy(j, i, buf, cap);
}

/* The claims of the payload in c->payload: f rejected unless they hold. */
static void
check_claims(struct sig_check *c, size_t len, struct sig_found *f)
{
	char buf[300], show[128];
	struct json j;
	int crit, img, id, rc;

	err_clear();
	rc = json_parse(&j, c->payload, len, c->ptok,
	    (unsigned)(sizeof c->ptok / sizeof c->ptok[0]), "payload");
	if (rc == ERR_NOMEM) {
		err_clear();
		reject(f, "the payload has more than %zu JSON tokens",
		    sizeof c->ptok / sizeof c->ptok[0]);
		return;
	}
	if (rc < 0 || !json_is_object(&j, 0)) {
		reject(f, "the payload is not a JSON object%s%s", err_msg()[0] ?
		    ": " : "", err_msg());
		err_clear();
		return;
	}
	crit = json_get(&j, 0, "critical");
	img = crit >= 0 && json_is_object(&j, crit) ? json_get(&j, crit, "image") : -1;
	id = crit >= 0 && json_is_object(&j, crit) ? json_get(&j, crit, "identity") : -1;
	err_clear();
	if (get_str(&j, crit, "type", buf, sizeof buf) < 0 ||
	    strcmp(buf, SIG_TYPE) != 0) {
		reject(f, "critical.type is not \"%s\"", SIG_TYPE);
	} else if (get_str(&j, img, "docker-manifest-digest", buf, sizeof buf) < 0) {
		reject(f, "the payload has no critical.image.docker-manifest-digest");
	} else if (strcmp(buf, c->accept[0]) != 0 && (c->accept[1][0] == '\0' ||
	    strcmp(buf, c->accept[1]) != 0)) {
		reject(f, "critical.image.docker-manifest-digest is %s, not the "
		    "digest being installed (%s%s%s)", lex_printable(show,
		    sizeof show, buf, strlen(buf)), c->accept[0],
		    c->accept[1][0] ? " or " : "", c->accept[1]);
	} else {
		memcpy(f->claim, strcmp(buf, c->accept[0]) == 0 ? c->accept[0] :
		    c->accept[1], sizeof f->claim);
		if (c->identity == NULL) {
			/* nothing else is claimed that we check */
		} else if (get_str(&j, id, "docker-reference", buf, sizeof buf) < 0) {
			reject(f, "the payload has no critical.identity.docker-reference "
			    "(--signed-identity)");
		} else if (strcmp(buf, c->identity) != 0) {
			reject(f, "critical.identity.docker-reference is \"%s\", not "
			    "\"%.60s\" (--signed-identity)", lex_printable(show,
			    sizeof show, buf, strlen(buf)), c->identity);
		}
	}
	err_clear();
}

/* The signature of f with each key, in order: f->key is the first that
 * verifies it. */
static void
check_keys(struct sig_check *c, size_t paylen, size_t siglen,
    struct sig_found *f)
{
	unsigned k;

	if (c->keys == NULL || c->keys->n == 0)
		return;
	for (k = 0; k < c->keys->n; k++)
		if (sigkey_verify(&c->keys->key[k], c->payload, paylen, c->sig,
		    siglen) == ERR_OK) {
			f->key = (int)k;
			return;
		}
	reject(f, "the signature does not verify with %s",
	    c->keys->n == 1 ? "the key given" : "any key given");
}

/* The base64 signature annotation of the layer at e into c->sig. Returns
 * its length, or 0 with f rejected. */
static size_t
read_signature(struct sig_check *c, const struct json *j, int e,
    struct sig_found *f)
{
	char b64[SIG_BYTES_MAX / 3 * 4 + 8];
	int ann = json_get(j, e, "annotations");
	long n;

	err_clear();
	if (ann >= 0 && json_is_object(j, ann) &&
	    json_get(j, ann, SIG_ANN_CERTIFICATE) >= 0 &&
	    get_str(j, ann, SIG_ANN_CERTIFICATE, b64, sizeof b64) != 0) {
		err_clear();
		reject(f, "a keyless signature (it carries a Fulcio certificate): "
		    "not supported; sign with a key (cosign sign --key)");
		return 0;
	}
	n = get_str(j, ann, SIG_ANN_SIGNATURE, b64, sizeof b64);
	err_clear();
	if (n == ERR_NOMEM) {
		reject(f, "the signature annotation is longer than %zu characters",
		    sizeof b64 - 1);
		return 0;
	}
	if (n <= 0) {
		reject(f, "no %s annotation", SIG_ANN_SIGNATURE);
		return 0;
	}
	n = auth_b64_decode(b64, (size_t)n, c->sig, sizeof c->sig);
	err_clear();
	if (n <= 0) {
		reject(f, "the %s annotation is not base64", SIG_ANN_SIGNATURE);
		return 0;
	}
	return (size_t)n;
}

/*
 * The payload layer at e of a signature manifest: fetch it, check its
 * digest, the signature over it and its claims. Only fatal source errors
 * are returned.
 */
static int
check_layer(struct sig_check *c, const struct source *src,
    const struct json *j, int e, struct sig_found *f)
{
	struct descriptor d;
	struct source_doc sd;
	char got[DIGEST_STR_LEN + 1], where[64];
	size_t siglen, len;
	int rc;

	snprintf(where, sizeof where, "layers[%u]", f->layer - 1);
	if (manifest_descriptor(j, e, &d, where) < 0) {
		reject(f, "%s", err_msg());
		err_clear();
		return ERR_OK;
	}
	siglen = read_signature(c, j, e, f);
	if (siglen == 0)
		return ERR_OK;
	if (d.size > SIG_PAYLOAD_MAX)
		return reject(f, "its payload is %llu bytes, larger than the %u a "
		    "payload may have", (unsigned long long)d.size, SIG_PAYLOAD_MAX);
	rc = source_fetch(src, SRC_BLOB, d.digest, c->payload, sizeof c->payload,
	    &len, &sd);
	if (fatal(rc))
		return rc;
	if (rc == ERR_OK) {
		digest_buf(c->payload, len, got);
		rc = digest_check("payload", d.digest, got);
		if (rc == ERR_OK && len != d.size)
			rc = err_set(ERR_VERIFY, "payload: %zu bytes, its descriptor "
			    "says %llu", len, (unsigned long long)d.size);
	}
	if (rc < 0) {
		reject(f, "payload %s: %s", d.digest, err_msg());
		err_clear();
		return ERR_OK;
	}
	check_keys(c, len, siglen, f);
	if (f->status != SIG_REJECTED)
		check_claims(c, len, f);
	if (f->status != SIG_REJECTED && f->key >= 0 && c->logs != NULL &&
	    c->logs->n > 0 && rekor_verify(&c->rekor, c->logs, j, e,
	    &c->keys->key[f->key], c->payload, len, c->sig, siglen) < 0) {
		reject(f, "%s", err_msg());
		err_clear();
	}
	if (f->status != SIG_REJECTED && f->key >= 0) {
		f->status = SIG_VERIFIED;
		c->verified++;
	}
	return ERR_OK;
}

/*
 * A signature manifest in doc[0..len): every simple-signing layer through
 * check_layer. artifact names it (its digest, or the tag).
 */
static int
check_manifest(struct sig_check *c, const struct source *src, char *doc,
    size_t len, jsmntok_t *tok, unsigned ntok, const char *on, int scheme,
    const char *artifact)
{
	struct sig_found *f;
	struct json j;
	char mt[128];
	unsigned seen = 0;
	int l, e, k, rc;

	if (json_parse(&j, doc, len, tok, ntok, artifact) < 0 ||
	    !json_is_object(&j, 0) || get_str(&j, 0, "mediaType", mt, sizeof mt) ==
	    ERR_FORMAT || (l = json_get(&j, 0, "layers")) < 0 ||
	    !json_is_array(&j, l)) {
		reject(found_add(c, on, scheme, artifact, 0), "not an image "
		    "manifest with layers%s%s", err_msg()[0] ? ": " : "", err_msg());
		err_clear();
		return ERR_OK;
	}
	for (k = 0, e = l + 1; k < j.tok[l].size; k++, e = json_next(&j, e)) {
		char lmt[128];

		if (get_str(&j, e, "mediaType", lmt, sizeof lmt) < 0 ||
		    strcmp(lmt, SIG_MT_PAYLOAD) != 0) {
			err_clear();
			continue;
		}
		seen++;
		if (done(c)) {
			c->more += c->first_only && c->verified > 0 ? 0 : 1;
			continue;
		}
		f = found_add(c, on, scheme, artifact, (unsigned)k + 1);
		c->checked++;
		rc = check_layer(c, src, &j, e, f);
		if (rc < 0)
			return rc;
		if (f == &c->spare && f->status == SIG_VERIFIED)
			c->found[SIG_FOUND_MAX - 1] = *f;
	}
	if (seen == 0)
		reject(found_add(c, on, scheme, artifact, 0), "no layer of type %s",
		    SIG_MT_PAYLOAD);
	return ERR_OK;
}

/* cosign's tag scheme: sha256-<hex>.sig. */
static int
look_tag(struct sig_check *c, const struct source *src, const char *on,
    char *doc, size_t cap, jsmntok_t *tok, unsigned ntok)
{
	char tag[80];
	size_t len;
	int rc;

	snprintf(tag, sizeof tag, "sha256-%s.sig", on + 7);
	rc = fetch_doc(c, src, SRC_MANIFEST, tag, NULL, 0, doc, cap, &len, on,
	    SIG_TAG, tag);
	if (rc == ERR_NOTFOUND || rc == ERR_END) {
		err_clear();
		return ERR_OK;
	}
	if (rc < 0)
		return rc;
	return check_manifest(c, src, doc, len, tok, ntok, on, SIG_TAG, tag);
}

/*
 * The entries of the referrers index in doc: cosign signatures into
 * c->refs (*n), Sigstore bundles rejected, anything else skipped.
 */
static void
scan_referrers(struct sig_check *c, const char *doc, size_t len,
    jsmntok_t *tok, unsigned ntok, const char *on, const char *what,
    unsigned *n)
{
	struct descriptor d;
	struct json j;
	char at[128], where[48];
	int m, e, k;

	*n = 0;
	if (json_parse(&j, doc, len, tok, ntok, what) < 0 ||
	    !json_is_object(&j, 0) || (m = json_get(&j, 0, "manifests")) < 0 ||
	    !json_is_array(&j, m)) {
		reject(found_add(c, on, SIG_REFERRERS, what, 0), "not an index of "
		    "referrers%s%s", err_msg()[0] ? ": " : "", err_msg());
		err_clear();
		return;
	}
	if ((unsigned)j.tok[m].size > SIG_REFERRERS_MAX) {
		reject(found_add(c, on, SIG_REFERRERS, what, 0), "%s lists %d "
		    "referrers, more than the %u examined", what, j.tok[m].size,
		    SIG_REFERRERS_MAX);
		return;
	}
	for (k = 0, e = m + 1; k < j.tok[m].size; k++, e = json_next(&j, e)) {
		snprintf(where, sizeof where, "%s manifests[%d]", "referrers", k);
		if (get_str(&j, e, "artifactType", at, sizeof at) < 0) {
			err_clear();
			continue;
		}
		if (strncmp(at, SIG_ARTIFACT_BUNDLE, strlen(SIG_ARTIFACT_BUNDLE)) == 0) {
			char show[64];
			reject(found_add(c, on, SIG_REFERRERS, what, 0), "a "
			    "Sigstore bundle (%s, as cosign 3 writes): not supported",
			    lex_printable(show, sizeof show, at, strlen(at)));
			continue;
		}
		if (strcmp(at, SIG_ARTIFACT_COSIGN) != 0)
			continue;
		if (manifest_descriptor(&j, e, &d, where) < 0) {
			reject(found_add(c, on, SIG_REFERRERS, what, 0), "%s",
			    err_msg());
			err_clear();
			continue;
		}
		memcpy(c->refs[*n].digest, d.digest, sizeof c->refs[*n].digest);
		c->refs[*n].size = d.size;
		(*n)++;
	}
}

/* Whether doc[0..len) is a JSON object with a "manifests" array. */
static int
is_index(const char *doc, size_t len, jsmntok_t *tok, unsigned ntok)
{
	struct json j;
	int m, ok;

	ok = json_parse(&j, doc, len, tok, ntok, "referrers") == ERR_OK &&
	    json_is_object(&j, 0) && (m = json_get(&j, 0, "manifests")) >= 0 &&
	    json_is_array(&j, m);
	err_clear();
	return ok;
}

/* OCI 1.1 referrers: the API, else the referrers tag sha256-<hex>. */
static int
look_referrers(struct sig_check *c, const struct source *src, const char *on,
    char *doc, size_t cap, jsmntok_t *tok, unsigned ntok)
{
	char what[96];
	size_t len;
	unsigned n, k;
	int rc;

	snprintf(what, sizeof what, "referrers of %.71s", on);
	rc = fetch_doc(c, src, SRC_REFERRERS, on, NULL, 0, doc, cap, &len, on,
	    SIG_REFERRERS, what);
	if (rc == ERR_OK && !is_index(doc, len, tok, ntok))
		rc = ERR_NOTFOUND;    /* a page that is not the API's */
	if (rc == ERR_NOTFOUND || rc == ERR_PROTO || rc == ERR_AUTH) {
		/* No referrers API (404, or 400, 401, 403, 405 from some
		 * registries). */
		err_clear();
		snprintf(what, sizeof what, "sha256-%s", on + 7);
		rc = fetch_doc(c, src, SRC_MANIFEST, what, NULL, 0, doc, cap, &len,
		    on, SIG_REFERRERS, what);
	}
	if (rc == ERR_NOTFOUND || rc == ERR_END) {
		err_clear();
		return ERR_OK;
	}
	if (rc < 0)
		return rc;
	scan_referrers(c, doc, len, tok, ntok, on, what, &n);
	for (k = 0; k < n && !done(c); k++) {
		const struct sig_ref *r = &c->refs[k];

		rc = fetch_doc(c, src, SRC_MANIFEST, r->digest, r->digest, r->size,
		    doc, cap, &len, on, SIG_REFERRERS, r->digest);
		if (rc == ERR_NOTFOUND) {
			reject(found_add(c, on, SIG_REFERRERS, r->digest, 0), "listed "
			    "in %s, but not found", what);
			err_clear();
			continue;
		}
		if (rc == ERR_END)
			continue;
		if (rc < 0)
			return rc;
		rc = check_manifest(c, src, doc, len, tok, ntok, on, SIG_REFERRERS,
		    r->digest);
		if (rc < 0)
			return rc;
	}
	return ERR_OK;
}

/* How many entries from i on are about consecutive layers of the same
 * document, rejected for the same reason (said once in the message). */
static unsigned
same_run(const struct sig_check *c, unsigned i)
{
	const struct sig_found *a = &c->found[i], *b;
	unsigned n = 1;

	for (b = a + 1; i + n < c->nfound; b++, n++)
		if (b->layer != a->layer + n || a->layer == 0 ||
		    strcmp(b->artifact, a->artifact) != 0 ||
		    strcmp(b->reason, a->reason) != 0)
			break;
	return n;
}

/* The ERR_SIGNATURE message: the digest, the keys, each finding. */
static int
fail_message(const struct sig_check *c, const struct image *img)
{
	const struct sig_found *f;
	char m[ERR_MSG_MAX];
	size_t at = 0;
	unsigned i, n;

#define ADD(...) do { if (at < sizeof m) { int w_ = snprintf(m + at, \
	sizeof m - at, __VA_ARGS__); if (w_ > 0) at += (size_t)w_; } } while (0)
	ADD("no valid signature for %s", img->manifest.digest);
	if (c->accept[1][0] != '\0')
		ADD(" (from index %s)", img->top_digest);
	ADD(" with --verify-key");
	for (i = 0; i < c->keys->n; i++)
		ADD("%s%s (%s)", i ? ", " : " ", c->keys->key[i].path,
		    c->keys->key[i].kind);
	if (c->nfound == 0)
		ADD(": no signature found (cosign's sha256-<hex>.sig tag, OCI "
		    "referrers)");
	if (c->more > 0)
		ADD("; %u more signatures not listed or not checked (%u are "
		    "listed, %u checked)", c->more, SIG_FOUND_MAX, SIG_CHECK_MAX);
	for (i = 0; i < c->nfound; i += n) {
		f = &c->found[i];
		n = same_run(c, i);
		ADD("%s %s", i ? ";" : ":", f->artifact);
		if (n > 1)
			ADD(" layers %u-%u", f->layer, f->layer + n - 1);
		else if (f->layer > 0)
			ADD(" layer %u", f->layer);
		ADD("%s: %s", f->scheme == SIG_TAG ? "" : " (referrers)", f->reason);
	}
#undef ADD
	err_clear();
	return err_set(ERR_SIGNATURE, "%s", m);
}

int
sig_check_image(struct sig_check *c, const struct source *src,
    const struct image *img, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok)
{
	int i, rc;

	/* The chosen manifest, and the index it came from. */
	snprintf(c->accept[0], sizeof c->accept[0], "%s", img->manifest.digest);
	if (img->depth > 0)
		snprintf(c->accept[1], sizeof c->accept[1], "%s", img->top_digest);
	for (i = 1; i >= 0 && !done(c); i--) {
		if (c->accept[i][0] == '\0')
			continue;
		rc = look_tag(c, src, c->accept[i], doc, cap, tok, ntok);
		if (rc == ERR_OK && !done(c))
			rc = look_referrers(c, src, c->accept[i], doc, cap, tok, ntok);
		if (rc < 0)
			return err_prefix(rc, "looking for signatures on %s",
			    c->accept[i]);
	}
	if (c->keys == NULL || c->keys->n == 0 || c->verified > 0)
		return ERR_OK;
	return fail_message(c, img);
}
