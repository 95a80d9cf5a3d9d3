/*
 * test_sig.c: --verify-key keys (sigkey.c) and finding and checking cosign
 * signatures (sig.c) through a source that serves documents from memory,
 * as an OCI layout or archive source would: the tag scheme, the referrers
 * API and its tag fallback, every rejection and its reason, the caps, and
 * errors that end the search.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "auth_cred.h"
#include "digest.h"
#include "err.h"
#include "sig.h"
#include "sig_vectors.h"

/* ---- a source over a table of documents ---------------------------------- */

#define MEM_DOCS 32

struct mem_doc {
	int kind;
	char ref[96];
	char *body;                /* heap, exact length (ASan) */
	size_t len;
	int fail;                  /* error to answer instead, 0: none */
};

struct mem_src {
	struct mem_doc doc[MEM_DOCS];
	unsigned n;
	unsigned fetches;          /* requests made, answered or not */
	unsigned referrer_calls;   /* SRC_REFERRERS requests */
};

static struct mem_src ms;

static void
mem_reset(void)
{
	unsigned i;

	for (i = 0; i < ms.n; i++)
		free(ms.doc[i].body);
	memset(&ms, 0, sizeof ms);
}

static void
mem_put(int kind, const char *ref, const char *body, size_t len)
{
	struct mem_doc *d;

	if (ms.n == MEM_DOCS) {
		fprintf(stderr, "mem_put: more than %d documents\n", MEM_DOCS);
		exit(2);
	}
	d = &ms.doc[ms.n++];

	d->kind = kind;
	snprintf(d->ref, sizeof d->ref, "%s", ref);
	d->body = malloc(len ? len : 1);
	if (d->body == NULL)
		exit(2);
	memcpy(d->body, body, len);
	d->len = len;
}

/* Serve body under kind/ref; a blob is named by its own digest, returned
 * in digest (72 bytes). */
static void
mem_blob(const char *body, char *digest)
{
	digest_buf(body, strlen(body), digest);
	mem_put(SRC_BLOB, digest, body, strlen(body));
}

static int
mem_fetch(void *ctx, int kind, const char *reference, char *buf, size_t cap,
    size_t *len, struct source_doc *doc)
{
	unsigned i;

	(void)ctx;
	ms.fetches++;
	if (kind == SRC_REFERRERS)
		ms.referrer_calls++;
	memset(doc, 0, sizeof *doc);
	for (i = 0; i < ms.n; i++) {
		const struct mem_doc *d = &ms.doc[i];
		if (d->kind != kind || strcmp(d->ref, reference) != 0)
			continue;
		if (d->fail)
			return err_set(d->fail, "%s: injected failure", reference);
		if (d->len > cap)
			return err_set(ERR_NOMEM, "%s: larger than %zu", reference, cap);
		memcpy(buf, d->body, d->len);
		*len = d->len;
		return ERR_OK;
	}
	return err_set(ERR_NOTFOUND, "%s: not found", reference);
}

static int
mem_open(void *ctx, const struct descriptor *d, uint64_t offset,
    const char *what, uint64_t *from)
{
	(void)ctx; (void)d; (void)offset; (void)from;
	return err_set(ERR_INTERNAL, "%s: signatures never open a blob", what);
}

static int
mem_read(void *ctx, const uint8_t **p, size_t *n)
{
	(void)ctx; (void)p; (void)n;
	return ERR_INTERNAL;
}

static int
mem_retry(void *ctx, int rc, unsigned attempt)
{
	(void)ctx; (void)attempt;
	return rc;
}

static const struct source_ops mem_ops = { mem_fetch, mem_open, mem_read, mem_retry,
    NULL };
static const struct source src = { &mem_ops, NULL };

/* ---- building signature documents ---------------------------------------- */

static char tmp[] = "/tmp/ocipull-test-sig-XXXXXX";
static struct sigkeys keys;
static struct sig_check chk;
static struct image img;
static char doc[256 * 1024];
static jsmntok_t tok[8192];

/* A signature layer for payload (served as a blob), with annotations
 * (a JSON object body, without braces), into out. */
static void
layer_json(char *out, size_t cap, const char *payload, const char *ann)
{
	char d[DIGEST_STR_LEN + 1];

	mem_blob(payload, d);
	snprintf(out, cap, "{\"mediaType\":\"" SIG_MT_PAYLOAD "\",\"size\":%zu,"
	    "\"digest\":\"%s\",\"annotations\":{%s}}", strlen(payload), d, ann);
}

static void
sig_ann(char *out, size_t cap, const char *sig)
{
	snprintf(out, cap, "\"" SIG_ANN_SIGNATURE "\":\"%s\"", sig);
}

/* A signature manifest with the given layers (comma-separated JSON). */
static void
manifest_json(char *out, size_t cap, const char *layers)
{
	snprintf(out, cap, "{\"schemaVersion\":2,\"mediaType\":"
	    "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
	    "\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	    "\"size\":2,\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},"
	    "\"layers\":[%s]}", layers);
}

/* Serve at tag sha256-<hex of on>.sig one manifest of one layer signing
 * payload with sig. */
static void
put_tag_sig(const char *on, const char *payload, const char *sig)
{
	char ann[1024], layer[2048], m[4096], tag[96];

	sig_ann(ann, sizeof ann, sig);
	layer_json(layer, sizeof layer, payload, ann);
	manifest_json(m, sizeof m, layer);
	snprintf(tag, sizeof tag, "sha256-%s.sig", on + 7);
	mem_put(SRC_MANIFEST, tag, m, strlen(m));
}

/* Serve a referrer manifest (by its digest) and an index listing it, as
 * the referrers API answers (api) or at the referrers tag. */
static void
put_referrer(const char *on, const char *payload, const char *sig, int api,
    const char *artifact_type)
{
	char ann[1024], layer[2048], m[4096], d[DIGEST_STR_LEN + 1], idx[1024];
	char tag[96];

	sig_ann(ann, sizeof ann, sig);
	layer_json(layer, sizeof layer, payload, ann);
	manifest_json(m, sizeof m, layer);
	digest_buf(m, strlen(m), d);
	mem_put(SRC_MANIFEST, d, m, strlen(m));
	snprintf(idx, sizeof idx, "{\"schemaVersion\":2,\"mediaType\":"
	    "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
	    "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"size\":%zu,\"digest\":\"%s\",\"artifactType\":\"%s\"}]}",
	    strlen(m), d, artifact_type);
	snprintf(tag, sizeof tag, "sha256-%s", on + 7);
	mem_put(api ? SRC_REFERRERS : SRC_MANIFEST, api ? on : tag, idx,
	    strlen(idx));
}

static char *
keyfile(const char *name, const char *pem)
{
	static char paths[8][128];
	static unsigned next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmp, name);
	f = fopen(p, "w");
	if (f == NULL)
		exit(2);
	fputs(pem, f);
	fclose(f);
	return p;
}

/* Start a case: no documents, the image manifest D_MAN (from index D_IDX
 * when from_index), keys as given (NULL-terminated PEMs). */
static void
start(int from_index, const char *identity, ...)
{
	const char *pem;
	char name[16];
	unsigned n = 0;
	va_list ap;

	mem_reset();
	sigkeys_free(&keys);
	sigkeys_init(&keys);
	err_clear();
	va_start(ap, identity);
	while ((pem = va_arg(ap, const char *)) != NULL) {
		snprintf(name, sizeof name, "key%u.pub", n++);
		CHECK_EQ(sigkeys_add(&keys, keyfile(name, pem)), ERR_OK);
	}
	va_end(ap);
	memset(&img, 0, sizeof img);
	snprintf(img.manifest.digest, sizeof img.manifest.digest, "%s", D_MAN);
	snprintf(img.top_digest, sizeof img.top_digest, "%s",
	    from_index ? D_IDX : D_MAN);
	img.depth = from_index ? 1 : 0;
	sig_init(&chk, &keys, identity);
}

static int
check(void)
{
	return sig_check_image(&chk, &src, &img, doc, sizeof doc, tok,
	    (unsigned)(sizeof tok / sizeof tok[0]));
}

static int
msg_has(const char *part)
{
	if (strstr(err_msg(), part) != NULL)
		return 1;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err_msg(), part);
	return 0;
}

static int
reason_has(unsigned i, const char *part)
{
	if (i < chk.nfound && strstr(chk.found[i].reason, part) != NULL)
		return 1;
	fprintf(stderr, "  found[%u] reason \"%s\" lacks \"%s\"\n", i,
	    i < chk.nfound ? chk.found[i].reason : "(none)", part);
	return 0;
}

/* ---- keys ------------------------------------------------------------------ */

static void
test_keys_accepted(void)
{
	start(0, NULL, PUB_A, PUB_P384, PUB_RSA, NULL);
	CHECK_EQ(keys.n, 3);
	CHECK_STR(keys.key[0].kind, "ECDSA P-256");
	CHECK_STR(keys.key[1].kind, "ECDSA P-384");
	CHECK_STR(keys.key[2].kind, "RSA 3072");
}

static void
test_keys_refused(void)
{
	static const struct { const char *pem, *why; } bad[] = {
		{ PRIV_A, "is a private key" },
		{ CERT_A, "is a certificate" },
		{ PUB_RSA1K, "1024-bit RSA key" },
		{ PUB_P521, "not a PEM public key" },
		{ PUB_ED, "not a PEM public key" },
		{ "hello\n", "not a PEM public key" },
	};
	unsigned i;

	start(0, NULL, NULL);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear();
		CHECK_EQ(sigkeys_add(&keys, keyfile("bad.pem", bad[i].pem)), ERR_USAGE);
		CHECK(msg_has(bad[i].why));
		CHECK(msg_has("bad.pem"));
	}
	err_clear();
	CHECK(sigkeys_add(&keys, "/nonexistent/key.pub") < 0);
	CHECK(msg_has("/nonexistent/key.pub"));
	CHECK_EQ(keys.n, 0);
	for (i = 0; i < SIGKEY_MAX; i++)
		CHECK_EQ(sigkeys_add(&keys, keyfile("a.pub", PUB_A)), ERR_OK);
	err_clear();
	CHECK_EQ(sigkeys_add(&keys, keyfile("a.pub", PUB_A)), ERR_USAGE);
}

static void
test_verify_each_algorithm(void)
{
	static uint8_t raw[1024];
	static const struct { const char *sig; unsigned key; } ok[] = {
		{ SIG_A_MAN, 0 }, { SIG_P384_MAN_384, 1 }, { SIG_P384_MAN_256, 1 },
		{ SIG_RSA_MAN, 2 },
	};
	unsigned i, k;
	long n;

	start(0, NULL, PUB_A, PUB_P384, PUB_RSA, NULL);
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		n = auth_b64_decode(ok[i].sig, strlen(ok[i].sig), raw, sizeof raw);
		CHECK(n > 0);
		for (k = 0; k < keys.n; k++)
			CHECK_EQ(sigkey_verify(&keys.key[k], PAYLOAD_MAN,
			    strlen(PAYLOAD_MAN), raw, (size_t)n),
			    k == ok[i].key ? ERR_OK : ERR_SIGNATURE);
		/* One byte more of payload: no key verifies it. */
		CHECK_EQ(sigkey_verify(&keys.key[ok[i].key], PAYLOAD_MAN,
		    strlen(PAYLOAD_MAN) - 1, raw, (size_t)n), ERR_SIGNATURE);
		raw[n / 2] ^= 1;
		CHECK_EQ(sigkey_verify(&keys.key[ok[i].key], PAYLOAD_MAN,
		    strlen(PAYLOAD_MAN), raw, (size_t)n), ERR_SIGNATURE);
	}
}

/* ---- signatures: accepted -------------------------------------------------- */

static void
test_tag_signature_on_manifest(void)
{
	start(0, NULL, PUB_B, PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_MAN, SIG_A_MAN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.nfound, 1);
	CHECK_EQ(chk.verified, 1);
	CHECK_EQ(chk.found[0].status, SIG_VERIFIED);
	CHECK_EQ(chk.found[0].key, 1);     /* the second key */
	CHECK_EQ(chk.found[0].scheme, SIG_TAG);
	CHECK_EQ(chk.found[0].layer, 1);
	CHECK_STR(chk.found[0].on, D_MAN);
}

static void
test_index_signature_covers_manifest(void)
{
	start(1, NULL, PUB_A, NULL);
	put_tag_sig(D_IDX, PAYLOAD_IDX, SIG_A_IDX);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.found[0].status, SIG_VERIFIED);
	CHECK_STR(chk.found[0].on, D_IDX);
	/* Pulled by manifest digest (no index): the index's signature is
	 * not even looked for. */
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_IDX, PAYLOAD_IDX, SIG_A_IDX);
	CHECK_EQ(check(), ERR_SIGNATURE);
	CHECK(msg_has("no signature found"));
}

static void
test_referrers_api_and_tag(void)
{
	start(0, NULL, PUB_A, NULL);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 1, SIG_ARTIFACT_COSIGN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.found[0].scheme, SIG_REFERRERS);
	CHECK_EQ(chk.found[0].status, SIG_VERIFIED);
	/* Without the API the referrers tag is read. */
	start(0, NULL, PUB_A, NULL);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 0, SIG_ARTIFACT_COSIGN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.found[0].scheme, SIG_REFERRERS);
	CHECK_EQ(ms.referrer_calls, 1);
	/* An API that answers is trusted to list them all: the tag is not
	 * read then, and its signature is not found. */
	start(0, NULL, PUB_A, NULL);
	mem_put(SRC_REFERRERS, D_MAN, "{\"schemaVersion\":2,\"manifests\":[]}", 34);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 0, SIG_ARTIFACT_COSIGN);
	CHECK_EQ(check(), ERR_SIGNATURE);
	/* Other artifacts (an SBOM) are passed over. */
	start(0, NULL, PUB_A, NULL);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 1, "application/spdx+json");
	CHECK_EQ(check(), ERR_SIGNATURE);
	CHECK_EQ(chk.nfound, 0);
}

static void
test_one_good_among_bad(void)
{
	start(1, NULL, PUB_A, NULL);
	put_tag_sig(D_IDX, PAYLOAD_IDX, SIG_B_MAN);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 0, SIG_ARTIFACT_COSIGN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.nfound, 2);
	CHECK_EQ(chk.found[0].status, SIG_REJECTED);
	CHECK_EQ(chk.found[1].status, SIG_VERIFIED);
}

static void
test_without_keys_lists(void)
{
	start(0, NULL, NULL);
	put_tag_sig(D_MAN, PAYLOAD_MAN, SIG_A_MAN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.nfound, 1);
	CHECK_EQ(chk.found[0].status, SIG_UNCHECKED);
	CHECK_STR(sig_status_name(SIG_UNCHECKED), "unchecked");
}

/* ---- signatures: rejected -------------------------------------------------- */

/* One rejected signature and a message that names the digest, the key
 * and reason. */
static void
expect_rejected(const char *reason)
{
	CHECK_EQ(check(), ERR_SIGNATURE);
	CHECK_EQ(chk.verified, 0);
	CHECK(chk.nfound >= 1);
	CHECK(reason_has(0, reason));
	CHECK(msg_has(D_MAN));
	CHECK(msg_has("key0.pub (ECDSA P-256)"));
	CHECK(msg_has(reason));
	CHECK_EQ(err_exit_code(ERR_SIGNATURE), EXIT_SIGNATURE);
}

static void
test_unsigned(void)
{
	start(1, NULL, PUB_A, NULL);
	CHECK_EQ(check(), ERR_SIGNATURE);
	CHECK_EQ(chk.nfound, 0);
	CHECK(msg_has("no signature found"));
	CHECK(msg_has(D_IDX));
	/* Each digest: its .sig tag, the referrers API, the referrers tag. */
	CHECK_EQ(ms.fetches, 6);
}

static void
test_other_key(void)
{
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_MAN, SIG_B_MAN);
	expect_rejected("does not verify with the key given");
}

static void
test_other_digest(void)
{
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_OTHER, SIG_A_OTHER);
	expect_rejected("docker-manifest-digest is " D_OTHER);
}

/* An empty digest claim names no image: not even when the pull has no
 * index, whose slot among the digests accepted is empty then. */
static void
test_empty_digest_claim(void)
{
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_EMPTY, SIG_A_EMPTY);
	expect_rejected("docker-manifest-digest is ,");
}

static void
test_wrong_type(void)
{
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_TYPE, SIG_A_TYPE);
	expect_rejected("critical.type");
}

static void
test_payload_altered(void)
{
	char ann[1024], layer[2048], m[4096], tag[96], d[DIGEST_STR_LEN + 1];
	char altered[512];

	/* A new payload with the old signature: its own digest is right. */
	snprintf(altered, sizeof altered, "%s ", PAYLOAD_MAN);
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_MAN, altered, SIG_A_MAN);
	expect_rejected("does not verify");
	/* The payload blob swapped under the descriptor's digest. */
	start(0, NULL, PUB_A, NULL);
	sig_ann(ann, sizeof ann, SIG_A_MAN);
	digest_buf(PAYLOAD_MAN, strlen(PAYLOAD_MAN), d);
	mem_put(SRC_BLOB, d, PAYLOAD_OTHER, strlen(PAYLOAD_OTHER));
	snprintf(layer, sizeof layer, "{\"mediaType\":\"" SIG_MT_PAYLOAD "\","
	    "\"size\":%zu,\"digest\":\"%s\",\"annotations\":{%s}}",
	    strlen(PAYLOAD_MAN), d, ann);
	manifest_json(m, sizeof m, layer);
	snprintf(tag, sizeof tag, "sha256-%s.sig", D_MAN + 7);
	mem_put(SRC_MANIFEST, tag, m, strlen(m));
	expect_rejected("digest mismatch");
}

static void
test_signature_altered(void)
{
	char sig[sizeof SIG_A_MAN];

	memcpy(sig, SIG_A_MAN, sizeof sig);
	sig[20] = sig[20] == 'A' ? 'B' : 'A';
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_MAN, sig);
	expect_rejected("does not verify");
	start(0, NULL, PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_MAN, "not*base64");
	expect_rejected("not base64");
}

static void
test_identity(void)
{
	start(0, "reg.example/app", PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_MAN, SIG_A_MAN);
	CHECK_EQ(check(), ERR_OK);
	start(0, "reg.example/other", PUB_A, NULL);
	put_tag_sig(D_MAN, PAYLOAD_MAN, SIG_A_MAN);
	expect_rejected("docker-reference is \"reg.example/app\"");
}

static void
test_keyless_and_bundles_refused(void)
{
	char ann[2048], layer[4096], m[8192], tag[96];

	start(0, NULL, PUB_A, NULL);
	snprintf(ann, sizeof ann, "\"" SIG_ANN_SIGNATURE "\":\"%s\",\""
	    SIG_ANN_CERTIFICATE "\":\"-----BEGIN CERTIFICATE-----\\nMIIB\\n\"",
	    SIG_A_MAN);
	layer_json(layer, sizeof layer, PAYLOAD_MAN, ann);
	manifest_json(m, sizeof m, layer);
	snprintf(tag, sizeof tag, "sha256-%s.sig", D_MAN + 7);
	mem_put(SRC_MANIFEST, tag, m, strlen(m));
	expect_rejected("keyless");
	start(0, NULL, PUB_A, NULL);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 1,
	    "application/vnd.dev.sigstore.bundle.v0.3+json");
	expect_rejected("Sigstore bundle");
}

static void
test_caps(void)
{
	static char big[SIG_DOC_MAX + 2048], idx[200 * 1024];
	char ann[1024], layer[2048], tag[96];
	size_t at;
	unsigned k;

	/* A signature manifest over SIG_DOC_MAX. */
	start(0, NULL, PUB_A, NULL);
	sig_ann(ann, sizeof ann, SIG_A_MAN);
	layer_json(layer, sizeof layer, PAYLOAD_MAN, ann);
	at = (size_t)snprintf(big, sizeof big, "{\"layers\":[%s],\"pad\":\"", layer);
	memset(big + at, 'x', SIG_DOC_MAX);
	memcpy(big + at + SIG_DOC_MAX, "\"}", 3);
	snprintf(tag, sizeof tag, "sha256-%s.sig", D_MAN + 7);
	mem_put(SRC_MANIFEST, tag, big, strlen(big));
	expect_rejected("larger than the 65536 bytes");
	/* A referrers index of 1,000 entries: larger than the cap too; of
	 * SIG_REFERRERS_MAX + 1 small ones: too many. */
	for (k = 0; k < 2; k++) {
		unsigned i, n = k == 0 ? 1000 : SIG_REFERRERS_MAX + 1;
		start(0, NULL, PUB_A, NULL);
		at = (size_t)snprintf(idx, sizeof idx, "{\"manifests\":[");
		for (i = 0; i < n; i++)
			at += (size_t)snprintf(idx + at, sizeof idx - at, "%s{\"mediaType"
			    "\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":1,"
			    "\"digest\":\"sha256:%064x\",\"artifactType\":\""
			    SIG_ARTIFACT_COSIGN "\"}", i ? "," : "", i);
		snprintf(idx + at, sizeof idx - at, "]}");
		mem_put(SRC_REFERRERS, D_MAN, idx, strlen(idx));
		expect_rejected(k == 0 ? "larger than" : "lists 65 referrers");
	}
	/* A payload over SIG_PAYLOAD_MAX is not fetched. */
	start(0, NULL, PUB_A, NULL);
	snprintf(layer, sizeof layer, "{\"mediaType\":\"" SIG_MT_PAYLOAD "\","
	    "\"size\":9000,\"digest\":\"sha256:%064x\",\"annotations\":{%s}}", 7u,
	    ann);
	manifest_json(big, sizeof big, layer);
	mem_put(SRC_MANIFEST, tag, big, strlen(big));
	expect_rejected("payload is 9000 bytes");
	CHECK_EQ(ms.fetches, 3);   /* .sig tag, referrers API and tag */
}

static void
test_more_than_examined(void)
{
	static char layers[64 * 1024], m[70 * 1024];
	char ann[1024], layer[2048], tag[96];
	size_t at = 0;
	unsigned i;

	start(0, NULL, PUB_A, NULL);
	sig_ann(ann, sizeof ann, SIG_B_MAN);
	for (i = 0; i < SIG_FOUND_MAX + 3; i++) {
		layer_json(layer, sizeof layer, PAYLOAD_MAN, ann);
		at += (size_t)snprintf(layers + at, sizeof layers - at, "%s%s",
		    i ? "," : "", layer);
	}
	manifest_json(m, sizeof m, layers);
	snprintf(tag, sizeof tag, "sha256-%s.sig", D_MAN + 7);
	mem_put(SRC_MANIFEST, tag, m, strlen(m));
	expect_rejected("does not verify");
	CHECK_EQ(chk.nfound, SIG_FOUND_MAX);
	CHECK_EQ(chk.more, 3);
	CHECK(msg_has("3 more signatures not listed or not checked"));
	CHECK(msg_has(".sig layers 1-16: the signature does not verify"));
}

/* A .sig manifest of 16 stale signatures and then the good one (cosign
 * appends): the 17th is still checked, and listed in the last place. */
static void
test_good_after_full_list(void)
{
	static char layers[64 * 1024], m[70 * 1024];
	char ann[1024], layer[2048], tag[96];
	size_t at = 0;
	unsigned i;

	start(0, NULL, PUB_A, NULL);
	for (i = 0; i <= SIG_FOUND_MAX; i++) {
		sig_ann(ann, sizeof ann, i < SIG_FOUND_MAX ? SIG_B_MAN : SIG_A_MAN);
		layer_json(layer, sizeof layer, PAYLOAD_MAN, ann);
		at += (size_t)snprintf(layers + at, sizeof layers - at, "%s%s",
		    i ? "," : "", layer);
	}
	manifest_json(m, sizeof m, layers);
	snprintf(tag, sizeof tag, "sha256-%s.sig", D_MAN + 7);
	mem_put(SRC_MANIFEST, tag, m, strlen(m));
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.nfound, SIG_FOUND_MAX);
	CHECK_EQ(chk.found[SIG_FOUND_MAX - 1].status, SIG_VERIFIED);
	CHECK_EQ(chk.found[SIG_FOUND_MAX - 1].layer, SIG_FOUND_MAX + 1);
	CHECK_EQ(chk.more, 1);
	/* SIG_CHECK_MAX bounds the work: of 70 bad ones 64 are checked. */
	start(0, NULL, PUB_A, NULL);
	at = 0;
	sig_ann(ann, sizeof ann, SIG_B_MAN);
	layer_json(layer, sizeof layer, PAYLOAD_MAN, ann);
	for (i = 0; i < 70; i++)
		at += (size_t)snprintf(layers + at, sizeof layers - at, "%s%s",
		    i ? "," : "", layer);
	manifest_json(m, sizeof m, layers);
	mem_put(SRC_MANIFEST, tag, m, strlen(m));
	expect_rejected("does not verify");
	CHECK_EQ(chk.checked, SIG_CHECK_MAX);
	CHECK_EQ(chk.more, 70 - SIG_FOUND_MAX);
}

/* A pull stops at the first signature that verifies: nothing more is
 * fetched. inspect (first_only 0) looks everywhere. */
static void
test_pull_stops_at_first(void)
{
	start(1, NULL, PUB_A, NULL);
	chk.first_only = 1;
	put_tag_sig(D_IDX, PAYLOAD_IDX, SIG_A_IDX);
	put_tag_sig(D_MAN, PAYLOAD_MAN, SIG_A_MAN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(ms.fetches, 2);   /* the index's .sig and its payload */
	CHECK_EQ(chk.nfound, 1);
	CHECK_STR(chk.found[0].claim, D_IDX);
	start(1, NULL, PUB_A, NULL);
	put_tag_sig(D_IDX, PAYLOAD_IDX, SIG_A_IDX);
	put_tag_sig(D_MAN, PAYLOAD_MAN, SIG_A_MAN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_EQ(chk.nfound, 2);
	CHECK_EQ(ms.fetches, 8);
	/* A signature found on the index's tag may name the manifest. */
	start(1, NULL, PUB_A, NULL);
	put_tag_sig(D_IDX, PAYLOAD_MAN, SIG_A_MAN);
	CHECK_EQ(check(), ERR_OK);
	CHECK_STR(chk.found[0].on, D_IDX);
	CHECK_STR(chk.found[0].claim, D_MAN);
}

static void
test_payload_edges(void)
{
	/* --signed-identity and a payload without docker-reference. */
	static const char noid[] = "{\"critical\":{\"image\":{\"docker-manifest-"
	    "digest\":\"" D_MAN "\"},\"type\":\"" SIG_TYPE "\"}}";
	static char many[4096];
	size_t at;
	unsigned i;

	start(0, NULL, NULL);
	put_tag_sig(D_MAN, noid, "AAAA");
	chk.identity = "reg.example/app";
	CHECK_EQ(check(), ERR_OK);
	CHECK(reason_has(0, "no critical.identity.docker-reference"));
	/* More optional annotations than the payload's tokens. */
	at = (size_t)snprintf(many, sizeof many, "{\"optional\":{");
	for (i = 0; i < 200; i++)
		at += (size_t)snprintf(many + at, sizeof many - at, "%s\"k%u\":\"v\"",
		    i ? "," : "", i);
	snprintf(many + at, sizeof many - at, "}}");
	start(0, NULL, NULL);
	put_tag_sig(D_MAN, many, "AAAA");
	CHECK_EQ(check(), ERR_OK);
	CHECK(reason_has(0, "more than 256 JSON tokens"));
}

static void
test_source_errors(void)
{
	char tag[96];

	/* The network failing ends the search with its own error. */
	start(0, NULL, PUB_A, NULL);
	snprintf(tag, sizeof tag, "sha256-%s.sig", D_MAN + 7);
	mem_put(SRC_MANIFEST, tag, "", 0);
	ms.doc[0].fail = ERR_NET;
	CHECK_EQ(check(), ERR_NET);
	CHECK(msg_has("looking for signatures on " D_MAN));
	/* A registry that answers 400 for the referrers API has none. */
	start(0, NULL, PUB_A, NULL);
	mem_put(SRC_REFERRERS, D_MAN, "", 0);
	ms.doc[0].fail = ERR_PROTO;
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 0, SIG_ARTIFACT_COSIGN);
	CHECK_EQ(check(), ERR_OK);
	/* 401 or a page that is not an index from the API: the tag. */
	start(0, NULL, PUB_A, NULL);
	mem_put(SRC_REFERRERS, D_MAN, "", 0);
	ms.doc[0].fail = ERR_AUTH;
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 0, SIG_ARTIFACT_COSIGN);
	CHECK_EQ(check(), ERR_OK);
	start(0, NULL, PUB_A, NULL);
	mem_put(SRC_REFERRERS, D_MAN, "{\"html\":1}", 10);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 0, SIG_ARTIFACT_COSIGN);
	CHECK_EQ(check(), ERR_OK);
	/* A listed referrer that is gone, or not a manifest. */
	start(0, NULL, PUB_A, NULL);
	put_referrer(D_MAN, PAYLOAD_MAN, SIG_A_MAN, 1, SIG_ARTIFACT_COSIGN);
	ms.doc[1].kind = 0;        /* the referrer manifest */
	expect_rejected("not found");
	start(0, NULL, PUB_A, NULL);
	mem_put(SRC_MANIFEST, tag, "[1,2]", 5);
	expect_rejected("not an image manifest");
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL)
		return 2;
	UNIT_RUN(test_keys_accepted);
	UNIT_RUN(test_keys_refused);
	UNIT_RUN(test_verify_each_algorithm);
	UNIT_RUN(test_tag_signature_on_manifest);
	UNIT_RUN(test_index_signature_covers_manifest);
	UNIT_RUN(test_referrers_api_and_tag);
	UNIT_RUN(test_one_good_among_bad);
	UNIT_RUN(test_without_keys_lists);
	UNIT_RUN(test_unsigned);
	UNIT_RUN(test_other_key);
	UNIT_RUN(test_other_digest);
	UNIT_RUN(test_empty_digest_claim);
	UNIT_RUN(test_wrong_type);
	UNIT_RUN(test_payload_altered);
	UNIT_RUN(test_signature_altered);
	UNIT_RUN(test_identity);
	UNIT_RUN(test_keyless_and_bundles_refused);
	UNIT_RUN(test_caps);
	UNIT_RUN(test_more_than_examined);
	UNIT_RUN(test_good_after_full_list);
	UNIT_RUN(test_pull_stops_at_first);
	UNIT_RUN(test_payload_edges);
	UNIT_RUN(test_source_errors);
	mem_reset();
	sigkeys_free(&keys);
	{
		char cmd[128];
		int rc;
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
		rc = system(cmd);
		(void)rc;
	}
	return UNIT_END();
}
