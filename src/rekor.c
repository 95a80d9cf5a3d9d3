/*
 * rekor.c: a cosign signature's Rekor bundle, checked with the --rekor-key
 * keys (rekor.h).
 *
 * cosign 2.5 (pkg/cosign/verify.go, VerifyBundle with Rekor keys given)
 * unmarshals the annotation into Go structs, compares the entry's
 * signature, key and hash with the signature being verified, looks the
 * log key up by logID and verifies the timestamp over the payload as
 * json.Marshal then RFC 8785 canonicalization write it. Where Go is more
 * lenient than this file (keys matched case-insensitively, duplicate keys,
 * newlines inside base64, escapes in base64 strings, a PEM of another
 * type than PUBLIC KEY, integers beyond 2^53 that the canonicalizer would
 * round), the bundle is refused here: no Rekor writes those.
 */
#include "rekor.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/pem.h>

#include "auth_cred.h"
#include "err.h"
#include "lex.h"
#include "sha256.h"

/* Largest SignedEntryTimestamp, decoded (ECDSA P-384 DER is 104). */
#define REKOR_SET_MAX 160u
/* Integers in the canonical payload: what a float64 holds exactly. */
#define REKOR_INT_MAX ((uint64_t)1 << 53)

/* What the bundle says, its strings as views into r->bundle. */
struct bundle {
	struct json_str body;
	struct json_str log_id;
	uint64_t time, index;      /* magnitudes */
	int time_neg, index_neg;
	uint8_t set[REKOR_SET_MAX];
	size_t setlen;
};

int
rekor_keys_add(struct sigkeys *logs, const char *path)
{
	struct sigkey *key;
	int rc;

	if (logs->n == REKOR_KEY_MAX)
		return err_set(ERR_USAGE, "more than %u --rekor-key options",
		    REKOR_KEY_MAX);
	logs->option = "--rekor-key";
	rc = sigkeys_add(logs, path);
	if (rc < 0)
		return rc;
	key = &logs->key[logs->n - 1];
	if (!mbedtls_pk_can_do(&key->pk, MBEDTLS_PK_ECDSA) || !key->has_id) {
		rc = err_set(ERR_USAGE, "--rekor-key %s: %s; a Rekor log key is "
		    "ECDSA (P-256 or P-384) in a PEM \"PUBLIC KEY\"", path,
		    key->has_id ? key->kind : "not a SubjectPublicKeyInfo PEM");
		mbedtls_pk_free(&key->pk);
		logs->n--;
		return rc;
	}
	/* cosign verifies the timestamp over SHA-256 whatever the curve. */
	key->sha384 = 0;
	return ERR_OK;
}

/* The bundle is refused for the reason fmt says. */
static int
refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
refuse(const char *fmt, ...)
{
	char m[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	err_clear();
	return err_set(ERR_SIGNATURE, "%s", m);
}

/*
 * The string at key below obj, as a view, which must be base64 (standard
 * alphabet, no escapes, possibly empty). ERR_OK, -1 when absent or not a
 * string, ERR_FORMAT when not base64.
 */
static int
b64_str(const struct json *j, int obj, const char *key, struct json_str *v)
{
	int i = obj < 0 ? -1 : json_get(j, obj, key);
	size_t k;

	if (i < 0 || json_str(j, i, v) < 0) {
		err_clear();
		return -1;
	}
	for (k = 0; k < v->n; k++) {
		unsigned char c = (unsigned char)v->p[k];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='))
			return ERR_FORMAT;
	}
	return ERR_OK;
}

/* Decode the base64 string at key below obj into out (cap bytes):
 * its length, or a negative code (-1 absent). */
static long
b64_get(const struct json *j, int obj, const char *key, void *out, size_t cap)
{
	struct json_str v;
	long n;
	int rc = b64_str(j, obj, key, &v);

	if (rc < 0)
		return rc;
	n = auth_b64_decode(v.p, v.n, out, cap);
	err_clear();
	return n;
}

/*
 * The integer at key below obj into *mag, *neg, as Go reads it into an
 * int64: absent or null is 0; a fraction, an exponent or a string is an
 * error. Magnitudes over REKOR_INT_MAX are refused (see the top).
 */
static int
get_int(const struct json *j, int obj, const char *key, uint64_t *mag,
    int *neg)
{
	int i = json_get(j, obj, key);
	const char *p;
	size_t n;

	*mag = 0;
	*neg = 0;
	if (i == -1)
		return ERR_OK;
	if (i < 0 || j->tok[i].type != JSMN_PRIMITIVE)
		return ERR_FORMAT;
	p = j->doc + j->tok[i].start;
	n = (size_t)(j->tok[i].end - j->tok[i].start);
	if (n == 4 && memcmp(p, "null", 4) == 0)
		return ERR_OK;
	if (n > 0 && p[0] == '-') {
		*neg = 1;
		p++;
		n--;
	}
	if (lex_dec_all(p, n, REKOR_INT_MAX, LEX_DEC_NO_LEADING_ZERO, mag) !=
	    LEX_DEC_OK)
		return ERR_FORMAT;
	if (*mag == 0)
		*neg = 0;          /* -0 is written 0 */
	return ERR_OK;
}

/*
 * The annotation of the layer into r->bundle, parsed into *b. ERR_OK, or
 * ERR_SIGNATURE saying what is wrong with it.
 */
static int
read_bundle(struct rekor_check *r, const struct json *j, int layer,
    struct bundle *b)
{
	struct json bj;
	int ann, i, pl;
	long n;

	memset(b, 0, sizeof *b);
	ann = json_get(j, layer, "annotations");
	i = ann >= 0 && json_is_object(j, ann) ? json_get(j, ann,
	    REKOR_ANN_BUNDLE) : -1;
	n = i >= 0 ? json_copy(j, i, r->bundle, sizeof r->bundle) : -1;
	if (n == ERR_NOMEM)
		return refuse("the Rekor bundle (%s) is longer than %u bytes",
		    REKOR_ANN_BUNDLE, REKOR_BUNDLE_MAX);
	if (n <= 0)
		return refuse("no Rekor bundle (%s annotation)", REKOR_ANN_BUNDLE);
	if (json_parse(&bj, r->bundle, (size_t)n, r->btok,
	    (unsigned)(sizeof r->btok / sizeof r->btok[0]), "Rekor bundle") < 0 ||
	    !json_is_object(&bj, 0))
		return refuse("the Rekor bundle is not a JSON object%s%s",
		    err_msg()[0] ? ": " : "", err_msg());
	pl = json_get(&bj, 0, "Payload");
	if (pl < 0 || !json_is_object(&bj, pl))
		return refuse("the Rekor bundle has no Payload object");
	if (b64_str(&bj, pl, "body", &b->body) < 0 || b->body.n == 0)
		return refuse("the Rekor bundle's Payload.body is not a base64 "
		    "string");
	i = json_get(&bj, pl, "logID");
	if (i >= 0 && json_str(&bj, i, &b->log_id) < 0)
		return refuse("the Rekor bundle's Payload.logID is not a string");
	if (get_int(&bj, pl, "integratedTime", &b->time, &b->time_neg) < 0 ||
	    get_int(&bj, pl, "logIndex", &b->index, &b->index_neg) < 0)
		return refuse("the Rekor bundle's Payload.integratedTime or "
		    "logIndex is not an integer (of at most 2^53)");
	n = b64_get(&bj, 0, "SignedEntryTimestamp", b->set, sizeof b->set);
	if (n <= 0)
		return refuse("the Rekor bundle's SignedEntryTimestamp is %s",
		    n == -1 ? "missing" : n == ERR_NOMEM ? "too long" :
		    "not base64");
	b->setlen = (size_t)n;
	err_clear();
	return ERR_OK;
}

/* The --rekor-key key whose ID is the hex logID, or NULL. */
static struct sigkey *
find_log(struct sigkeys *logs, const struct json_str *log_id)
{
	char id[64];
	unsigned k;

	if (log_id->n != 64)
		return NULL;
	for (k = 0; k < logs->n; k++) {
		lex_hex_encode(id, logs->key[k].id, 32, 0);
		if (memcmp(id, log_id->p, 64) == 0)
			return &logs->key[k];
	}
	return NULL;
}

/* Feed the integer (magnitude, sign) to s in decimal. */
static void
hash_int(struct sha256 *s, uint64_t mag, int neg)
{
	char d[24];
	size_t n = sizeof d;

	do {
		d[--n] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag > 0);
	if (neg)
		d[--n] = '-';
	sha256_update(s, d + n, sizeof d - n);
}

#define ADD(s, lit) sha256_update((s), (lit), sizeof(lit) - 1)

/* The timestamp: log's signature over the canonical JSON of Payload. The
 * two strings need no escaping: base64 and (found as a key ID) hex. */
static int
check_set(const struct bundle *b, struct sigkey *log)
{
	unsigned char h[32];
	struct sha256 s;

	sha256_init(&s);
	ADD(&s, "{\"body\":\"");
	sha256_update(&s, b->body.p, b->body.n);
	ADD(&s, "\",\"integratedTime\":");
	hash_int(&s, b->time, b->time_neg);
	ADD(&s, ",\"logID\":\"");
	sha256_update(&s, b->log_id.p, b->log_id.n);
	ADD(&s, "\",\"logIndex\":");
	hash_int(&s, b->index, b->index_neg);
	ADD(&s, "}");
	sha256_final(&s, h);
	if (mbedtls_pk_verify(&log->pk, MBEDTLS_MD_SHA256, h, 32, b->set,
	    b->setlen) != 0)
		return refuse("the Rekor entry timestamp (SignedEntryTimestamp) "
		    "does not verify with --rekor-key %s", log->path);
	return ERR_OK;
}

/* The entry's PEM key (base64 at pk.content) as DER: equal to key's? */
static int
same_key(struct rekor_check *r, const struct json *e, int pk,
    const struct sigkey *key)
{
	mbedtls_pem_context pem;
	const unsigned char *der;
	unsigned char h[32];
	struct sha256 s;
	size_t used = 0, len;
	long n;
	int rc;

	n = b64_get(e, pk, "content", r->pem, sizeof r->pem - 1);
	if (n <= 0)
		return 0;
	r->pem[n] = '\0';
	mbedtls_pem_init(&pem);
	rc = mbedtls_pem_read_buffer(&pem, "-----BEGIN PUBLIC KEY-----",
	    "-----END PUBLIC KEY-----", (const unsigned char *)r->pem, NULL, 0,
	    &used);
	if (rc == 0 && used == (size_t)n) {
		der = mbedtls_pem_get_buffer(&pem, &len);
		sha256_init(&s);
		sha256_update(&s, der, len);
		sha256_final(&s, h);
	}
	mbedtls_pem_free(&pem);
	return rc == 0 && used == (size_t)n && key->has_id &&
	    memcmp(h, key->id, sizeof h) == 0;
}

/* spec.signature.format of a rekord entry: one Rekor knows. */
static int
rekord_format(const struct json *e, int sg)
{
	static const char *const formats[] = { "pgp", "minisign", "x509", "ssh" };
	int i = json_get(e, sg, "format");
	size_t k;

	for (k = 0; i >= 0 && k < sizeof formats / sizeof formats[0]; k++)
		if (json_eq(e, i, formats[k]))
			return 1;
	return 0;
}

/* The object at key below obj, or -1. */
static int
obj_at(const struct json *e, int obj, const char *key)
{
	int i = obj < 0 ? -1 : json_get(e, obj, key);

	return i >= 0 && json_is_object(e, i) ? i : -1;
}

/*
 * The entry in the body: the layer's signature, key's key, the payload's
 * sha256 (hex in want).
 */
static int
check_entry(struct rekor_check *r, const struct bundle *b,
    struct sigkey *key, const char *want, const uint8_t *sig, size_t siglen,
    const unsigned char *h256)
{
	struct json e;
	int kind, ver, spec, sg, data, hash, hashed;
	long n;

	n = auth_b64_decode(b->body.p, b->body.n, r->body, sizeof r->body);
	err_clear();
	if (n == ERR_NOMEM)
		return refuse("the Rekor entry (Payload.body) is larger than %u "
		    "bytes", REKOR_BODY_MAX);
	if (n <= 0 || json_parse(&e, r->body, (size_t)n, r->etok,
	    (unsigned)(sizeof r->etok / sizeof r->etok[0]), "Rekor entry") < 0 ||
	    !json_is_object(&e, 0))
		return refuse("the Rekor entry (Payload.body) is not base64 of a "
		    "JSON object%s%s", err_msg()[0] ? ": " : "", err_msg());
	kind = json_get(&e, 0, "kind");
	hashed = kind >= 0 && json_eq(&e, kind, "hashedrekord");
	spec = obj_at(&e, 0, "spec");
	sg = obj_at(&e, spec, "signature");
	data = obj_at(&e, spec, "data");
	hash = obj_at(&e, data, "hash");
	ver = json_get(&e, 0, "apiVersion");
	if ((!hashed && (kind < 0 || !json_eq(&e, kind, "rekord") ||
	    !rekord_format(&e, sg))) || ver < 0 || !json_eq(&e, ver, "0.0.1") ||
	    sg < 0 || hash < 0) {
		err_clear();
		return refuse("the Rekor entry is not a hashedrekord or rekord "
		    "0.0.1 entry with a signature and a hash");
	}
	n = b64_get(&e, sg, "content", r->sig, sizeof r->sig);
	if (n <= 0 || (size_t)n != siglen || memcmp(r->sig, sig, siglen) != 0)
		return refuse("the Rekor entry is for another signature");
	if (!same_key(r, &e, obj_at(&e, sg, "publicKey"), key))
		return refuse("the Rekor entry is for another key than --verify-key "
		    "%s", key->path);
	if (json_get(&e, hash, "algorithm") < 0 ||
	    !json_eq(&e, json_get(&e, hash, "algorithm"), "sha256") ||
	    json_get(&e, hash, "value") < 0 ||
	    !json_eq(&e, json_get(&e, hash, "value"), want)) {
		err_clear();
		return refuse("the Rekor entry is for another payload (its hash is "
		    "not sha256 %.64s)", want);
	}
	/* Rekor accepts a hashedrekord only when its signature verifies over
	 * the hash: for P-384 keys sig.c may have used SHA-384. */
	if (hashed && key->sha384 && mbedtls_pk_verify(&key->pk,
	    MBEDTLS_MD_SHA256, h256, 32, sig, siglen) != 0)
		return refuse("the Rekor entry records a SHA-256 signature; this "
		    "one is over SHA-384");
	return ERR_OK;
}

int
rekor_verify(struct rekor_check *r, struct sigkeys *logs,
    const struct json *j, int layer, struct sigkey *key, const void *payload,
    size_t paylen, const uint8_t *sig, size_t siglen)
{
	struct bundle b;
	struct sigkey *log;
	unsigned char h[32];
	char want[65];
	struct sha256 s;
	int rc;

	rc = read_bundle(r, j, layer, &b);
	if (rc < 0)
		return rc;
	log = find_log(logs, &b.log_id);
	if (log == NULL)
		return refuse("the Rekor entry is from log \"%.*s\", not one of "
		    "--rekor-key", (int)(b.log_id.n < 64 ? b.log_id.n : 64),
		    b.log_id.n > 0 ? b.log_id.p : "");
	rc = check_set(&b, log);
	if (rc < 0)
		return rc;
	sha256_init(&s);
	sha256_update(&s, payload, paylen);
	sha256_final(&s, h);
	lex_hex_encode(want, h, 32, 0);
	want[64] = '\0';
	return check_entry(r, &b, key, want, sig, siglen, h);
}
