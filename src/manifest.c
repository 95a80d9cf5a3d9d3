/*
 * manifest.c: index, manifest and config documents (manifest.h).
 */
#include "manifest.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"

#define SIZE_MAX_JSON ((UINT64_C(1) << 53) - 1)

static const char schema1_msg[] = "schema 1 manifests are not supported; "
    "push the image again with a current client";

/* Copy s into out for a message: printable ASCII, others as '?', cut. */
static const char *
safe(const char *s, char *out, size_t cap)
{
	size_t k;

	for (k = 0; k + 1 < cap && s[k] != '\0'; k++)
		out[k] = (s[k] >= 0x20 && s[k] < 0x7f) ? s[k] : '?';
	out[k] = '\0';
	return out;
}

/* json_get with the document and object named in the error message. */
static int
get(const struct json *j, int obj, const char *key, const char *where)
{
	int i = json_get(j, obj, key);

	if (i == ERR_FORMAT)
		return err_prefix(ERR_FORMAT, "%s", where);
	return i;
}

/* Member key of obj, which must be an array (array) or else an object:
 * its token, or ERR_FORMAT saying "where.key: missing" or what it is not. */
static int
get_member(const struct json *j, int obj, const char *key, const char *where,
    int array)
{
	int i = get(j, obj, key, where);

	if (i < -1)
		return i;
	if (i < 0 || (array ? !json_is_array(j, i) : !json_is_object(j, i)))
		return err_set(ERR_FORMAT, "%s.%s: %s", where, key, i < 0 ?
		    "missing" : array ? "expected an array" : "expected an object");
	return i;
}

/*
 * The array of one entry per layer at key of object obj (where names it,
 * doc the document): its token, or ERR_FORMAT (missing, not an array),
 * ERR_NOMEM (more than max, the board's layer limit).
 */
static int
layer_array(const struct json *j, int obj, const char *key, const char *where,
    const char *doc, size_t max)
{
	int a = get_member(j, obj, key, where, 1);

	if (a < 0)
		return a;
	if ((size_t)j->tok[a].size > max)
		return err_set(ERR_NOMEM, "%s has %d %s; this build handles at most "
		    "%zu layers (raise BOARD_LAYERS_MAX in the board header)", doc,
		    j->tok[a].size, key, max);
	return a;
}

/*
 * The string at i into buf: ERR_FORMAT with "where.field: ..." when it is
 * not a string, does not decode, or is longer than cap - 1 bytes.
 */
static int
copy_str(const struct json *j, int i, char *buf, size_t cap,
    const char *where, const char *field)
{
	long n;

	if (!json_is_string(j, i))
		return err_set(ERR_FORMAT, "%s.%s: expected a string", where,
		    field);
	n = json_copy(j, i, buf, cap);
	if (n == ERR_NOMEM)
		return err_set(ERR_FORMAT, "%s.%s: longer than %zu bytes", where,
		    field, cap - 1);
	if (n < 0)
		return err_set(ERR_FORMAT, "%s.%s: bad escape or NUL in the "
		    "string", where, field);
	return ERR_OK;
}

static int
is_alnum_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

/*
 * A digest as the OCI grammar spells it, accepted only for sha256 with 64
 * lowercase hex digits. Other well-formed algorithms: ERR_UNSUPPORTED.
 */
static int
check_digest(const char *d, const char *where, const char *field)
{
	char show[96];
	const char *colon = strchr(d, ':');
	size_t k, alen;
	int ok;

	if (colon != NULL && colon - d == 6 && memcmp(d, "sha256", 6) == 0) {
		for (k = 0; k < 64 &&
		    lex_is_lhex((unsigned char)colon[1 + k]); k++)
			;
		if (k == 64 && colon[65] == '\0')
			return ERR_OK;
		return err_set(ERR_FORMAT, "%s.%s: \"%s\" is not sha256: followed "
		    "by 64 lowercase hex digits", where, field,
		    safe(d, show, sizeof show));
	}
	/* algorithm := [a-z0-9]+ ([+._-] [a-z0-9]+)*, encoded := [a-zA-Z0-9=_-]+ */
	ok = colon != NULL && colon != d && colon[1] != '\0';
	alen = colon != NULL ? (size_t)(colon - d) : 0;
	for (k = 0; ok && k < alen; k++) {
		char c = d[k];
		if (is_alnum_lower(c))
			continue;
		ok = (c == '+' || c == '.' || c == '_' || c == '-') && k > 0 &&
		    k + 1 < alen && is_alnum_lower(d[k - 1]);
	}
	for (k = alen + 1; ok && d[k] != '\0'; k++) {
		char c = d[k];
		ok = is_alnum_lower(c) || (c >= 'A' && c <= 'Z') || c == '=' ||
		    c == '_' || c == '-';
	}
	if (!ok)
		return err_set(ERR_FORMAT, "%s.%s: \"%s\" is not a digest "
		    "(expected sha256:<64 lowercase hex>)", where, field,
		    safe(d, show, sizeof show));
	return err_set(ERR_UNSUPPORTED, "%s.%s: digest algorithm \"%.*s\" is "
	    "not supported (only sha256)", where, field, (int)(alen > 32 ? 32 :
	    alen), safe(d, show, sizeof show));
}

/* A required digest field of obj, into out (72 bytes). */
static int
read_digest(const struct json *j, int i, char out[72], const char *where,
    const char *field)
{
	char tmp[160];
	int r;

	if (i < 0)
		return err_set(ERR_FORMAT, "%s.%s: missing", where, field);
	r = copy_str(j, i, tmp, sizeof tmp, where, field);
	if (r != ERR_OK)
		return r;
	r = check_digest(tmp, where, field);
	if (r != ERR_OK)
		return r;
	memcpy(out, tmp, 72);    /* 71 bytes and the NUL */
	return ERR_OK;
}

static int
read_size(const struct json *j, int i, uint64_t *out, const char *where)
{
	int len;

	if (i < 0)
		return err_set(ERR_FORMAT, "%s.size: missing", where);
	if (json_u64(j, i, SIZE_MAX_JSON, out) == ERR_OK)
		return ERR_OK;
	len = j->tok[i].end - j->tok[i].start;
	if (j->tok[i].type != JSMN_PRIMITIVE)
		return err_set(ERR_FORMAT, "%s.size: must be a non-negative "
		    "integer below 2^53, not a %s", where,
		    j->tok[i].type == JSMN_STRING ? "string" : "structure");
	return err_set(ERR_FORMAT, "%s.size: must be a non-negative integer "
	    "below 2^53 (got %.*s)", where, len > 40 ? 40 : len,
	    j->doc + j->tok[i].start);
}

static int
platform_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static int
read_pfield(const struct json *j, int obj, const char *key, char *buf,
    size_t cap, int required, const char *where)
{
	char show[64];
	int i = get(j, obj, key, where), r;
	size_t k;

	buf[0] = '\0';
	if (i < -1)
		return i;
	if (i < 0)
		return required ? err_set(ERR_FORMAT, "%s.%s: missing", where,
		    key) : ERR_OK;
	r = copy_str(j, i, buf, cap, where, key);
	if (r != ERR_OK)
		return r;
	for (k = 0; buf[k] != '\0'; k++)
		if (!platform_char_ok(buf[k]))
			return err_set(ERR_FORMAT, "%s.%s: \"%s\" has a character "
			    "other than letters, digits, '.', '_', '-'", where,
			    key, safe(buf, show, sizeof show));
	if (required && buf[0] == '\0')
		return err_set(ERR_FORMAT, "%s.%s: empty", where, key);
	return ERR_OK;
}

/* os, architecture, variant of the object at obj; not normalised. */
static int
read_platform(const struct json *j, int obj, struct platform *p,
    const char *where)
{
	int r;

	memset(p, 0, sizeof *p);
	if (!json_is_object(j, obj))
		return err_set(ERR_FORMAT, "%s: expected an object", where);
	r = read_pfield(j, obj, "os", p->os, sizeof p->os, 1, where);
	if (r == ERR_OK)
		r = read_pfield(j, obj, "architecture", p->arch, sizeof p->arch,
		    1, where);
	if (r == ERR_OK)
		r = read_pfield(j, obj, "variant", p->variant,
		    sizeof p->variant, 0, where);
	return r;
}

/* obj must be an object with a string "mediaType", copied into buf. */
static int
object_media_type(const struct json *j, int obj, const char *where, char *buf,
    size_t cap)
{
	int i;

	if (!json_is_object(j, obj))
		return err_set(ERR_FORMAT, "%s: expected an object", where);
	i = get(j, obj, "mediaType", where);
	if (i < -1)
		return i;
	if (i < 0)
		return err_set(ERR_FORMAT, "%s.mediaType: missing", where);
	return copy_str(j, i, buf, cap, where, "mediaType");
}

int
manifest_descriptor(const struct json *j, int obj, struct descriptor *d,
    const char *where)
{
	char show[96];
	int i, k, r;

	memset(d, 0, sizeof *d);
	r = object_media_type(j, obj, where, d->media_type, sizeof d->media_type);
	if (r != ERR_OK)
		return r;
	i = get(j, obj, "digest", where);
	if (i < -1)
		return i;
	r = read_digest(j, i, d->digest, where, "digest");
	if (r != ERR_OK)
		return r;
	i = get(j, obj, "size", where);
	if (i < -1)
		return i;
	r = read_size(j, i, &d->size, where);
	if (r != ERR_OK)
		return r;
	i = get(j, obj, "urls", where);
	if (i < -1)
		return i;
	if (i < 0)
		return ERR_OK;
	if (!json_is_array(j, i))
		return err_set(ERR_FORMAT, "%s.urls: expected an array", where);
	d->nurls = (unsigned)j->tok[i].size;
	for (k = 0, i++; k < (int)d->nurls; k++, i = json_next(j, i)) {
		char tmp[512], field[32];

		snprintf(field, sizeof field, "urls[%d]", k);
		r = copy_str(j, i, tmp, sizeof tmp, where, field);
		if (r != ERR_OK)
			return r;
		if (strncmp(tmp, "https://", 8) != 0 &&
		    strncmp(tmp, "http://", 7) != 0)
			return err_set(ERR_FORMAT, "%s.%s: \"%s\" is not an http "
			    "or https URL", where, field,
			    safe(tmp, show, sizeof show));
		if (k == 0)
			memcpy(d->url, tmp, sizeof d->url);
	}
	return ERR_OK;
}

static int
is_index_type(const char *mt)
{
	return strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0;
}

static int
is_manifest_type(const char *mt)
{
	return strcmp(mt, MT_OCI_MANIFEST) == 0 ||
	    strcmp(mt, MT_DOCKER_MANIFEST) == 0;
}

static int
is_schema1_type(const char *mt)
{
	return strcmp(mt, MT_DOCKER_V1) == 0 ||
	    strcmp(mt, MT_DOCKER_V1_SIGNED) == 0;
}

int
manifest_layer_codec(const char *mt)
{
	char show[96];

	if (strcmp(mt, MT_OCI_LAYER) == 0 || strcmp(mt, MT_OCI_LAYER_ND) == 0)
		return MF_CODEC_NONE;
	if (strcmp(mt, MT_OCI_LAYER_GZIP) == 0 ||
	    strcmp(mt, MT_OCI_LAYER_ND_GZIP) == 0 ||
	    strcmp(mt, MT_DOCKER_LAYER) == 0 ||
	    strcmp(mt, MT_DOCKER_LAYER_FOREIGN) == 0)
		return MF_CODEC_GZIP;
	if (strcmp(mt, MT_OCI_LAYER_ZSTD) == 0 ||
	    strcmp(mt, MT_OCI_LAYER_ND_ZSTD) == 0 ||
	    strcmp(mt, MT_DOCKER_LAYER_ZSTD) == 0)
		return MF_CODEC_ZSTD;
	return err_set(ERR_UNSUPPORTED, "layer media type \"%s\" is not an image "
	    "layer type this program knows", safe(mt, show, sizeof show));
}

/*
 * The Content-Type without parameters and surrounding blanks, lowercased,
 * into buf; "" when absent or generic (application/json).
 */
static void
content_type_base(const char *ct, char *buf, size_t cap)
{
	size_t a = 0, b, k;

	buf[0] = '\0';
	if (ct == NULL)
		return;
	while (ct[a] == ' ' || ct[a] == '\t')
		a++;
	for (b = a; ct[b] != '\0' && ct[b] != ';'; b++)
		;
	while (b > a && (ct[b - 1] == ' ' || ct[b - 1] == '\t'))
		b--;
	if (b - a >= cap)
		b = a + cap - 1;
	for (k = 0; a + k < b; k++) {
		char c = ct[a + k];
		buf[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	buf[k] = '\0';
	if (strcmp(buf, "application/json") == 0)
		buf[0] = '\0';
}

int
manifest_kind(const struct json *j, const char *content_type, int *kind)
{
	static const char where[] = "manifest";
	char ct[160], mt[128], show[96], show2[96];
	const char *type = NULL;
	int i, m, c, l, r;
	uint64_t sv;

	*kind = 0;
	content_type_base(content_type, ct, sizeof ct);
	if (is_schema1_type(ct))
		return err_set(ERR_UNSUPPORTED, "%s", schema1_msg);
	if (!json_is_object(j, 0))
		return err_set(ERR_FORMAT, "%s: expected a JSON object", where);
	mt[0] = '\0';
	i = get(j, 0, "mediaType", where);
	if (i < -1)
		return i;
	if (i >= 0) {
		r = copy_str(j, i, mt, sizeof mt, where, "mediaType");
		if (r != ERR_OK)
			return r;
		if (is_schema1_type(mt))
			return err_set(ERR_UNSUPPORTED, "%s", schema1_msg);
	}
	i = get(j, 0, "schemaVersion", where);
	if (i < -1)
		return i;
	if (i < 0)
		return err_set(ERR_FORMAT, "%s.schemaVersion: missing (expected "
		    "2)", where);
	if (json_u64(j, i, 1000, &sv) != ERR_OK)
		return err_set(ERR_FORMAT, "%s.schemaVersion: expected the "
		    "integer 2", where);
	if (sv == 1)
		return err_set(ERR_UNSUPPORTED, "%s", schema1_msg);
	if (sv != 2)
		return err_set(ERR_UNSUPPORTED, "%s.schemaVersion: %u is not "
		    "supported (expected 2)", where, (unsigned)sv);
	m = get(j, 0, "manifests", where);
	c = m < -1 ? m : get(j, 0, "config", where);
	l = c < -1 ? c : get(j, 0, "layers", where);
	if (m < -1 || c < -1 || l < -1)
		return ERR_FORMAT;
	if (m >= 0 && (c >= 0 || l >= 0))
		return err_set(ERR_FORMAT, "%s: has both \"manifests\" (an index) "
		    "and \"%s\" (an image manifest)", where,
		    c >= 0 ? "config" : "layers");
	if (mt[0] != '\0' && ct[0] != '\0' && strcmp(mt, ct) != 0)
		return err_set(ERR_FORMAT, "%s.mediaType: \"%s\" disagrees with "
		    "the Content-Type \"%s\"", where, safe(mt, show, sizeof show),
		    safe(ct, show2, sizeof show2));
	type = mt[0] != '\0' ? mt : ct[0] != '\0' ? ct : NULL;
	if (type != NULL) {
		if (is_index_type(type))
			*kind = MF_INDEX;
		else if (is_manifest_type(type))
			*kind = MF_IMAGE;
		else
			return err_set(ERR_UNSUPPORTED, "%s: media type \"%s\" is "
			    "not an image index or image manifest", where,
			    safe(type, show, sizeof show));
	} else if (m >= 0) {
		*kind = MF_INDEX;
	} else if (c >= 0 || l >= 0) {
		*kind = MF_IMAGE;
	} else {
		return err_set(ERR_FORMAT, "%s: has neither \"manifests\" nor "
		    "\"config\" and \"layers\"", where);
	}
	if (*kind == MF_INDEX && !json_is_array(j, m)) {
		*kind = 0;
		return err_set(ERR_FORMAT, "%s.manifests: %s for an index", where,
		    m < 0 ? "missing" : "expected an array");
	}
	if (*kind == MF_IMAGE && (!json_is_object(j, c) || !json_is_array(j, l))) {
		*kind = 0;
		return err_set(ERR_FORMAT, "%s.%s: %s for an image manifest", where,
		    !json_is_object(j, c) ? "config" : "layers",
		    (!json_is_object(j, c) ? c : l) < 0 ? "missing" :
		    !json_is_object(j, c) ? "expected an object" :
		    "expected an array");
	}
	return ERR_OK;
}

/* Append ", s" to list (size cap) unless s is already in it. */
static void
offer_add(char *list, size_t cap, const char *s)
{
	size_t n = strlen(list), sl = strlen(s);
	const char *p = list;

	while ((p = strstr(p, s)) != NULL) {
		int starts = p == list || (p >= list + 2 && p[-2] == ',');
		int ends = p[sl] == '\0' || p[sl] == ',';
		if (starts && ends)
			return;
		p++;
	}
	/* Keep room for a final ", ..." when the list is cut. */
	if (n + 2 + sl + 6 > cap) {
		if (n >= 3 && strcmp(list + n - 3, "...") == 0)
			return;
		if (n == 0 && cap >= 4)
			memcpy(list, "...", 4);
		else if (n > 0 && n + 6 <= cap)
			memcpy(list + n, ", ...", 6);
		return;
	}
	if (n > 0) {
		memcpy(list + n, ", ", 2);
		n += 2;
	}
	memcpy(list + n, s, sl + 1);
}

/* Nonzero when entry e is an attestation or another artifact, not an image. */
static int
is_artifact(const struct json *j, int e, const char *where, int *err)
{
	int a, t;

	*err = ERR_OK;
	t = get(j, e, "artifactType", where);
	if (t < -1 || t >= 0) {
		*err = t < -1 ? t : ERR_OK;
		return 1;
	}
	a = get(j, e, "annotations", where);
	if (a < -1) {
		*err = a;
		return 1;
	}
	if (!json_is_object(j, a))
		return 0;
	t = get(j, a, "vnd.docker.reference.type", where);
	if (t < -1) {
		*err = t;
		return 1;
	}
	return t >= 0 && json_eq(j, t, "attestation-manifest");
}

/* What index_scan() found. */
struct scan {
	int best, best_k, best_rank;    /* token, entry number, rank; -1 none */
	int noplat, noplat_k;           /* first usable entry without platform */
	int any_platform, skipped, count;
	struct platform best_p;
};

/*
 * Walk the entries of an index: skip what is not an image (see the header),
 * list each platform offered once in offers (", "-separated, cut with
 * ", ..."), and with want non-NULL remember the best entry for it.
 */
static int
index_scan(const struct json *j, const struct platform *want, char *offers,
    size_t cap, struct scan *sc)
{
	char where[48], mt[128], buf[96];
	int arr, e, k, r;
	struct platform p;

	memset(sc, 0, sizeof *sc);
	sc->best = sc->best_k = sc->best_rank = -1;
	sc->noplat = sc->noplat_k = -1;
	offers[0] = '\0';
	if (!json_is_object(j, 0))
		return err_set(ERR_FORMAT, "index: expected a JSON object");
	arr = get_member(j, 0, "manifests", "index", 1);
	if (arr < 0)
		return arr;
	for (k = 0, e = arr + 1; k < j->tok[arr].size; k++, e = json_next(j, e)) {
		int i, art, err;

		snprintf(where, sizeof where, "index manifests[%d]", k);
		r = object_media_type(j, e, where, mt, sizeof mt);
		if (r != ERR_OK)
			return r;
		if (!is_index_type(mt) && !is_manifest_type(mt)) {
			sc->skipped++;
			continue;
		}
		art = is_artifact(j, e, where, &err);
		if (err != ERR_OK)
			return err;
		if (art) {
			sc->skipped++;
			continue;
		}
		i = get(j, e, "platform", where);
		if (i < -1)
			return i;
		if (i < 0) {
			if (sc->noplat < 0) {
				sc->noplat = e;
				sc->noplat_k = k;
			}
			continue;
		}
		snprintf(where, sizeof where, "index manifests[%d].platform", k);
		r = read_platform(j, i, &p, where);
		if (r != ERR_OK)
			return r;
		if (strcmp(p.os, "unknown") == 0 && strcmp(p.arch, "unknown") == 0) {
			sc->skipped++;
			continue;
		}
		platform_normalize(&p);
		sc->any_platform = 1;
		sc->count++;
		platform_format(&p, buf, sizeof buf);
		offer_add(offers, cap, buf);
		if (want == NULL)
			continue;
		r = platform_rank(want, &p);
		if (r >= 0 && (sc->best < 0 || r < sc->best_rank)) {
			sc->best = e;
			sc->best_k = k;
			sc->best_rank = r;
			sc->best_p = p;
		}
	}
	return ERR_OK;
}

int
manifest_index_platforms(const struct json *j, char *buf, size_t cap)
{
	struct scan sc;
	int r;

	if (cap == 0)
		return ERR_NOMEM;
	r = index_scan(j, NULL, buf, cap, &sc);
	return r != ERR_OK ? r : sc.count;
}

int
manifest_index_select(const struct json *j, const struct platform *want,
    struct descriptor *out)
{
	char where[48], offers[400], wbuf[96];
	struct scan sc;
	int r;

	memset(out, 0, sizeof *out);
	r = index_scan(j, want, offers, sizeof offers, &sc);
	if (r != ERR_OK)
		return r;
	if (sc.best < 0 && !sc.any_platform && sc.noplat >= 0) {
		sc.best = sc.noplat;
		sc.best_k = sc.noplat_k;
	}
	if (sc.best < 0) {
		platform_format(want, wbuf, sizeof wbuf);
		if (offers[0] == '\0')
			return err_set(ERR_PLATFORM, "no manifest for %s in the "
			    "index; it offers no image manifests (%d entries "
			    "skipped: attestations, artifacts or other types)",
			    wbuf, sc.skipped);
		return err_set(ERR_PLATFORM, "no manifest for %s in the index; "
		    "it offers %s", wbuf, offers);
	}
	snprintf(where, sizeof where, "index manifests[%d]", sc.best_k);
	r = manifest_descriptor(j, sc.best, out, where);
	if (r != ERR_OK) {
		memset(out, 0, sizeof *out);
		return r;
	}
	out->has_platform = sc.any_platform;
	out->platform = sc.best_p;
	return ERR_OK;
}

int
manifest_image(const struct json *j, struct descriptor *config,
    struct descriptor *layers, size_t max, size_t *nlayers)
{
	char where[40], show[96];
	int c, l, e, k, r;

	*nlayers = 0;
	memset(config, 0, sizeof *config);
	if (!json_is_object(j, 0))
		return err_set(ERR_FORMAT, "manifest: expected a JSON object");
	c = get(j, 0, "config", "manifest");
	if (c < -1)
		return c;
	if (c < 0)
		return err_set(ERR_FORMAT, "manifest.config: missing");
	r = manifest_descriptor(j, c, config, "manifest config");
	if (r != ERR_OK)
		return r;
	if (strcmp(config->media_type, MT_OCI_CONFIG) != 0 &&
	    strcmp(config->media_type, MT_DOCKER_CONFIG) != 0)
		return err_set(ERR_UNSUPPORTED, "manifest config.mediaType: \"%s\" "
		    "is not an image config (an artifact, not an image?)",
		    safe(config->media_type, show, sizeof show));
	l = layer_array(j, 0, "layers", "manifest", "manifest", max);
	if (l < 0)
		return l;
	for (k = 0, e = l + 1; k < j->tok[l].size; k++, e = json_next(j, e)) {
		snprintf(where, sizeof where, "manifest layers[%d]", k);
		r = manifest_descriptor(j, e, &layers[k], where);
		if (r != ERR_OK)
			return r;
		r = manifest_layer_codec(layers[k].media_type);
		if (r < 0)
			return err_prefix(r, "%s.mediaType", where);
	}
	*nlayers = (size_t)k;
	return ERR_OK;
}

int
manifest_config(const struct json *j, struct platform *plat,
    char (*diff_ids)[72], size_t max, size_t *n)
{
	char where[32], show[64], type[32];
	int rf, t, d, e, k, r;

	*n = 0;
	memset(plat, 0, sizeof *plat);
	if (!json_is_object(j, 0))
		return err_set(ERR_FORMAT, "config: expected a JSON object");
	r = read_platform(j, 0, plat, "config");
	if (r != ERR_OK)
		return r;
	platform_normalize(plat);
	rf = get_member(j, 0, "rootfs", "config", 0);
	if (rf < 0)
		return rf;
	t = get(j, rf, "type", "config rootfs");
	if (t < -1)
		return t;
	if (t < 0)
		return err_set(ERR_FORMAT, "config rootfs.type: missing");
	r = copy_str(j, t, type, sizeof type, "config rootfs", "type");
	if (r != ERR_OK)
		return r;
	if (strcmp(type, "layers") != 0)
		return err_set(ERR_FORMAT, "config rootfs.type: \"%s\", expected "
		    "\"layers\"", safe(type, show, sizeof show));
	d = layer_array(j, rf, "diff_ids", "config rootfs", "config", max);
	if (d < 0)
		return d;
	for (k = 0, e = d + 1; k < j->tok[d].size; k++, e = json_next(j, e)) {
		snprintf(where, sizeof where, "diff_ids[%d]", k);
		r = read_digest(j, e, diff_ids[k], "config rootfs", where);
		if (r != ERR_OK)
			return r;
	}
	*n = (size_t)k;
	return ERR_OK;
}
