/*
 * fuzz_sig.c: libFuzzer target for src/sig.c: finding and checking cosign
 * signatures on documents from a hostile registry.
 *
 * The input is up to four parts separated by "\n--\n": the .sig tag's
 * manifest, a payload blob, the referrers API's answer and one referrer
 * manifest, served by an in-memory source (as test_sig.c's). The fuzzer
 * cannot compute sha256, so the harness writes digests and sizes in for
 * it: "@PAY@" and "#PAY#" become the payload's digest and size, "@REF@"
 * and "#REF#" the referrer manifest's. The image is the manifest D_MAN,
 * pulled without an index; the only key is key A of the unit tests, which
 * signed (among others) exactly one payload naming D_MAN; the first
 * byte's low bits choose --signed-identity, a pull's first-only search
 * and a Rekor log key (key A again: the fuzzer cannot sign, so no bundle
 * verifies, but every path of reading one is taken).
 *
 * Invariants: no crash or sanitizer report; a verified signature implies
 * that the payload served is that one payload and its finding names
 * D_MAN; ERR_OK only with a verified signature; every finding is
 * NUL-terminated.
 */
#include "fuzz.h"

#include "digest.h"
#include "err.h"
#include "port.h"
#include "sig.h"
#include "../unit/sig_vectors.h"

#define PARTS 4

static struct { const char *p; size_t n; } part[PARTS];
static char subst[PARTS][96 * 1024];
static size_t subst_len[PARTS];
static char digest_of[PARTS][DIGEST_STR_LEN + 1];

/* ---- the port functions sig, sigkey and digest use ------------------------- */

long
port_fs_read_file(int dir, const char *path, void *buf, size_t cap)
{
	size_t n = strlen(PUB_A);

	(void)dir; (void)path;
	if (n > cap)
		return ERR_NOMEM;
	memcpy(buf, PUB_A, n);
	return (long)n;
}

int
port_sha256_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
	(void)h; (void)p; (void)n;
	return -1;
}

const char *
port_env(const char *name)
{
	(void)name;
	return NULL;
}

/* ---- the source ----------------------------------------------------------- */

static int
serve(int i, char *buf, size_t cap, size_t *len)
{
	if (subst_len[i] > cap)
		return err_set(ERR_NOMEM, "part %d: larger than %zu", i, cap);
	memcpy(buf, subst[i], subst_len[i]);
	*len = subst_len[i];
	return ERR_OK;
}

static int
f_fetch(void *ctx, int kind, const char *reference, char *buf, size_t cap,
    size_t *len, struct source_doc *doc)
{
	size_t n = strlen(reference);

	(void)ctx;
	memset(doc, 0, sizeof *doc);
	if (kind == SRC_MANIFEST && part[0].p != NULL && n == 7 + 64 + 4 &&
	    strncmp(reference, "sha256-", 7) == 0 &&
	    strcmp(reference + n - 4, ".sig") == 0)
		return serve(0, buf, cap, len);
	if (kind == SRC_BLOB && part[1].p != NULL &&
	    strcmp(reference, digest_of[1]) == 0)
		return serve(1, buf, cap, len);
	if (kind == SRC_REFERRERS && part[2].p != NULL)
		return serve(2, buf, cap, len);
	if (kind == SRC_MANIFEST && part[3].p != NULL &&
	    strcmp(reference, digest_of[3]) == 0)
		return serve(3, buf, cap, len);
	return err_set(ERR_NOTFOUND, "%s: not found", reference);
}

static int
f_open(void *ctx, const struct descriptor *d, uint64_t offset,
    const char *what, uint64_t *from)
{
	(void)ctx; (void)d; (void)offset; (void)what; (void)from;
	abort();                   /* signatures never stream a blob */
}

static int
f_read(void *ctx, const uint8_t **p, size_t *n)
{
	(void)ctx; (void)p; (void)n;
	abort();
}

static int
f_retry(void *ctx, int rc, unsigned attempt)
{
	(void)ctx; (void)attempt;
	return rc;
}

static const struct source_ops ops = { f_fetch, f_open, f_read, f_retry };

/* Write in the placeholder at s[k..] (5 bytes), if it is one: the
 * payload's (part 1) or the referrer manifest's (part 3) digest or size.
 * Returns the bytes it stands for, 0 when s[k..] is none. */
static size_t
placeholder(const char *s, size_t n, size_t k, char *out)
{
	static const char *const tag[4] = { "@PAY@", "#PAY#", "@REF@", "#REF#" };
	unsigned t;

	for (t = 0; t < 4; t++) {
		int j = t < 2 ? 1 : 3;
		if (n - k < 5 || memcmp(s + k, tag[t], 5) != 0 || part[j].p == NULL)
			continue;
		if (t % 2 == 0) {
			memcpy(out, digest_of[j], DIGEST_STR_LEN);
			return DIGEST_STR_LEN;
		}
		return (size_t)snprintf(out, 24, "%zu", subst_len[j]);
	}
	return 0;
}

/* subst[i]: part i with the placeholders written in. */
static void
fill(int i)
{
	const char *s = part[i].p;
	size_t n = part[i].n, at = 0, k = 0, w;

	while (k < n && at + 80 < sizeof subst[i]) {
		w = placeholder(s, n, k, subst[i] + at);
		if (w > 0) {
			at += w;
			k += 5;
		} else {
			subst[i][at++] = s[k++];
		}
	}
	subst_len[i] = at;
	digest_buf(subst[i], subst_len[i], digest_of[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sigkeys keys, logs, nologs;
	static struct sig_check chk;
	static struct image img;
	static char doc[BOARD_JSON_MAX];
	static jsmntok_t tok[BOARD_JSON_TOKENS];
	static int ready;
	const struct source src = { &ops, NULL };
	const char *p = (const char *)data, *end = p + size;
	unsigned i;
	int rc;

	if (size == 0)
		return 0;
	if (!ready) {
		sigkeys_init(&keys);
		sigkeys_init(&logs);
		sigkeys_init(&nologs);
		if (sigkeys_add(&keys, "a.pub") != ERR_OK ||
		    rekor_keys_add(&logs, "a.pub") != ERR_OK)
			abort();
		ready = 1;
	}
	memset(part, 0, sizeof part);
	for (i = 0; i < PARTS && p <= end; i++) {
		const char *sep = NULL, *q;
		for (q = p; q + 4 <= end; q++)
			if (memcmp(q, "\n--\n", 4) == 0) {
				sep = q;
				break;
			}
		part[i].p = p;
		part[i].n = (size_t)((sep ? sep : end) - p);
		p = sep ? sep + 4 : end + 1;
	}
	/* The payload, then the referrer manifest: the others name them. */
	memset(subst_len, 0, sizeof subst_len);
	for (i = 0; i < PARTS; i++) {
		static const int order[PARTS] = { 1, 3, 0, 2 };
		if (part[order[i]].p != NULL)
			fill(order[i]);
	}
	memset(&img, 0, sizeof img);
	snprintf(img.manifest.digest, sizeof img.manifest.digest, "%s", D_MAN);
	snprintf(img.top_digest, sizeof img.top_digest, "%s", D_MAN);
	err_clear();
	sig_init(&chk, &keys, (data[0] & 1) ? "reg.example/app" : NULL);
	chk.logs = (data[0] & 4) ? &logs : &nologs;
	chk.first_only = data[0] & 2;
	rc = sig_check_image(&chk, &src, &img, doc, sizeof doc, tok,
	    (unsigned)BOARD_JSON_TOKENS);
	FUZZ_CHECK(rc == ERR_OK || rc == ERR_SIGNATURE);
	FUZZ_CHECK(rc != ERR_OK || chk.verified > 0);
	FUZZ_CHECK(chk.nfound <= SIG_FOUND_MAX && chk.checked <= SIG_CHECK_MAX);
	for (i = 0; i < chk.nfound; i++) {
		const struct sig_found *f = &chk.found[i];
		FUZZ_CHECK(fuzz_terminated(f->reason, sizeof f->reason));
		FUZZ_CHECK(fuzz_terminated(f->artifact, sizeof f->artifact));
		if (f->status != SIG_VERIFIED)
			continue;
		FUZZ_CHECK(subst_len[1] == strlen(PAYLOAD_MAN) &&
		    memcmp(subst[1], PAYLOAD_MAN, subst_len[1]) == 0);
		FUZZ_CHECK(strcmp(f->claim, D_MAN) == 0);
	}
	return 0;
}
