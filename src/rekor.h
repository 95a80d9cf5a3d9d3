/*
 * rekor.h: the Rekor bundle of a cosign signature (the layer annotation
 * dev.sigstore.cosign/bundle), checked with the --rekor-key public keys
 * as cosign 2.5 checks it offline against a Rekor key it was given
 * (SIGSTORE_REKOR_PUBLIC_KEY, `cosign verify --key K --offline`).
 *
 * The annotation is the JSON
 *
 *     {"SignedEntryTimestamp": B64, "Payload": {"body": B64,
 *      "integratedTime": N, "logIndex": N, "logID": HEX}}
 *
 * and a signature that verified with a --verify-key key (sig.h) counts
 * only when, besides:
 *
 *  - logID is the ID of a --rekor-key key: the hex sha256 of its DER
 *    SubjectPublicKeyInfo;
 *  - SignedEntryTimestamp is that key's ECDSA signature (DER, over
 *    SHA-256) of the canonical JSON of Payload: RFC 8785, that is
 *    {"body":"B64","integratedTime":N,"logID":"HEX","logIndex":N} with
 *    the keys in that order and no white space;
 *  - body is the base64 of a Rekor entry, hashedrekord or rekord 0.0.1,
 *    whose spec.signature.content is the layer's signature, whose
 *    spec.signature.publicKey.content is a PEM of the key that verified
 *    it (compared as DER), and whose spec.data.hash is sha256 and the
 *    payload's digest; for hashedrekord the signature also verifies over
 *    that SHA-256 digest, as Rekor requires of such an entry.
 *
 * Nothing is checked of integratedTime and logIndex beyond their being
 * integers (cosign uses the time only for certificates, which ocipull
 * refuses). No inclusion proof: the annotation carries none, and cosign
 * 2.5 checks none offline for it.
 *
 * Memory is fixed: struct rekor_check (caller-owned, about 15 KiB; one
 * lives in struct sig_check) holds the annotation unescaped, the entry
 * decoded and their tokens. The log keys are a struct sigkeys.
 */
#ifndef REKOR_H
#define REKOR_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "sigkey.h"

#define REKOR_ANN_BUNDLE "dev.sigstore.cosign/bundle"

/* Most --rekor-key options. */
#define REKOR_KEY_MAX 4u
/* Longest bundle annotation, unescaped. */
#define REKOR_BUNDLE_MAX (8u * 1024u)
/* Largest Rekor entry (the body, decoded). */
#define REKOR_BODY_MAX (4u * 1024u)
/* Longest PEM key in an entry, decoded. */
#define REKOR_PEM_MAX 2048u
/* Longest signature in an entry, decoded (RSA 8192). */
#define REKOR_SIG_MAX 1024u

struct rekor_check {
	char bundle[REKOR_BUNDLE_MAX];
	jsmntok_t btok[32];
	char body[REKOR_BODY_MAX];
	jsmntok_t etok[64];
	char pem[REKOR_PEM_MAX];
	uint8_t sig[REKOR_SIG_MAX];
};

/*
 * Read the PEM public key in path as the next Rekor log key of logs
 * (logs->option becomes "--rekor-key"). Returns ERR_OK; ERR_USAGE for more
 * than REKOR_KEY_MAX keys or a key that is not ECDSA P-256 or P-384 in a
 * "PUBLIC KEY" PEM (cosign takes only ECDSA Rekor keys); as sigkeys_add
 * otherwise.
 */
int rekor_keys_add(struct sigkeys *logs, const char *path);

/*
 * The bundle annotation of the signature layer at index layer of the
 * signature manifest j, for the signature sig (siglen bytes) that key
 * verified over payload (paylen bytes). Returns ERR_OK when it holds as
 * above; ERR_SIGNATURE with a message saying why not (no bundle, a log
 * not given, the timestamp does not verify, an entry for another
 * signature, key or payload, a malformed or oversized bundle).
 */
int rekor_verify(struct rekor_check *r, struct sigkeys *logs,
    const struct json *j, int layer, struct sigkey *key, const void *payload,
    size_t paylen, const uint8_t *sig, size_t siglen);

#endif /* REKOR_H */
