/*
 * sig.h: cosign signatures on the image being installed, found through the
 * source and checked with the --verify-key keys before the config or any
 * layer is fetched.
 *
 * What is looked up, for each digest a signature may name (the index the
 * reference resolved to, when it was one, then the chosen platform
 * manifest; every step between them was verified by digest, so a
 * signature on the index covers the manifest chosen from it):
 *
 *  1. cosign's tag scheme: the tag sha256-<hex>.sig, an image manifest
 *     whose layers are simple-signing payloads, each with its base64
 *     signature in the annotation dev.cosignproject.cosign/signature;
 *  2. OCI 1.1 referrers: the referrers API (SRC_REFERRERS), or where the
 *     source has none the referrers tag sha256-<hex>, an index whose
 *     entries of artifactType application/vnd.dev.cosign.artifact.sig.v1+json
 *     are manifests of the same form as in 1.
 *
 * Each payload is fetched by the digest its layer names and checked like
 * every other blob (size capped, sha256 compared). A signature counts when
 * it verifies over the exact payload bytes with one of the keys, its
 * critical.type is "cosign container image signature", its
 * critical.image.docker-manifest-digest is one of the digests above, and,
 * with an identity, critical.identity.docker-reference equals it.
 * Refused and said why: keyless signatures (a Fulcio certificate
 * annotation), Sigstore bundles (cosign 3), documents over SIG_DOC_MAX,
 * payloads over SIG_PAYLOAD_MAX, referrer indexes of more than
 * SIG_REFERRERS_MAX entries. A Rekor bundle annotation is checked when
 * Rekor log keys are given (rekor.h; without a bundle the signature does
 * not count then), and ignored otherwise.
 *
 * Memory is fixed: struct sig_check (caller-owned, about 36 KiB, 15 of
 * them for a Rekor bundle) keeps the payload, its tokens and what was
 * found; signature manifests and indexes use the caller's document buffer
 * and tokens, which resolve_manifests leaves free (resolve.h).
 */
#ifndef SIG_H
#define SIG_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "rekor.h"
#include "resolve.h"
#include "sigkey.h"
#include "source.h"

#define SIG_MT_PAYLOAD "application/vnd.dev.cosign.simplesigning.v1+json"
#define SIG_ARTIFACT_COSIGN "application/vnd.dev.cosign.artifact.sig.v1+json"
#define SIG_ARTIFACT_BUNDLE "application/vnd.dev.sigstore.bundle"
#define SIG_ANN_SIGNATURE "dev.cosignproject.cosign/signature"
#define SIG_ANN_CERTIFICATE "dev.sigstore.cosign/certificate"
#define SIG_TYPE "cosign container image signature"

/* Largest signature manifest or referrers index read. */
#define SIG_DOC_MAX (64u * 1024u)
/* Largest simple-signing payload. */
#define SIG_PAYLOAD_MAX (8u * 1024u)
/* Most findings listed (more are checked and counted; one that verifies
 * takes the last place), and most signatures checked. */
#define SIG_FOUND_MAX 16u
#define SIG_CHECK_MAX 64u
/* Most entries a referrers index may list. */
#define SIG_REFERRERS_MAX 64u
/* Longest signature, decoded (RSA 8192 is 1024 bytes). */
#define SIG_BYTES_MAX 1024u

enum { SIG_TAG = 1, SIG_REFERRERS = 2 };
enum { SIG_UNCHECKED = 0, SIG_VERIFIED = 1, SIG_REJECTED = 2 };

/* One signature found, or one document that held none it could use. */
struct sig_found {
	char on[72];               /* the digest it was looked up for */
	char artifact[96];         /* its manifest's digest, or the tag */
	char claim[72];            /* the digest its payload names (checked) */
	unsigned layer;            /* its layer in that manifest, from 1;
	                            * 0: the entry is about a document */
	int scheme;                /* SIG_TAG, SIG_REFERRERS */
	int status;                /* SIG_* */
	int key;                   /* the key that verified it, or -1 */
	char reason[240];          /* SIG_REJECTED: why */
};

struct sig_ref {
	char digest[72];
	uint64_t size;
};

struct sig_check {
	struct sigkeys *keys;      /* none: list and check all but the keys */
	struct sigkeys *logs;      /* --rekor-key (set after sig_init), or
	                            * NULL: Rekor bundles are ignored */
	const char *identity;      /* --signed-identity, or NULL */
	char accept[2][72];        /* digests a payload may name */
	struct sig_found found[SIG_FOUND_MAX];
	unsigned nfound;
	int first_only;            /* stop at the first signature that
	                            * verifies (pull; inspect lists all) */
	unsigned more;             /* findings not listed or not checked */
	unsigned checked;          /* signatures checked */
	struct sig_found spare;    /* a finding when found[] is full */
	unsigned verified;         /* how many of found verified */
	struct sig_ref refs[SIG_REFERRERS_MAX];
	char payload[SIG_PAYLOAD_MAX];
	jsmntok_t ptok[256];
	uint8_t sig[SIG_BYTES_MAX];
	struct rekor_check rekor;
};

void sig_init(struct sig_check *c, struct sigkeys *keys, const char *identity);

/*
 * Find and check the signatures on img (filled by resolve_manifests), with
 * doc (cap bytes) and tok (ntok) as scratch. Returns ERR_OK when one
 * verifies, or when there are no keys (c->found lists what was seen);
 * ERR_SIGNATURE when none does, with a message naming the digest, the
 * keys and why each signature found was rejected; the source's errors
 * (network, authentication) as they come.
 */
int sig_check_image(struct sig_check *c, const struct source *src,
    const struct image *img, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok);

/* "verified", "rejected" or "unchecked". */
const char *sig_status_name(int status);

#endif /* SIG_H */
