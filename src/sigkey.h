/*
 * sigkey.h: the public keys that --verify-key names, and checking one
 * signature with them.
 *
 * A key is a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) as `cosign
 * generate-key-pair` or `openssl pkey -pubout` writes it: ECDSA on P-256
 * (cosign's default) or P-384, or RSA of 2048 bits or more. A signature is
 * what cosign stores: ECDSA as DER (r, s), RSA as PKCS#1 v1.5, over the
 * SHA-256 of the signed bytes; for P-384 also over their SHA-384 (what
 * newer signers choose for that curve), tried first.
 *
 * struct sigkeys is caller-owned; its keys live in mbedTLS's heap (the
 * board's malloc arena). Order of calls:
 *
 *     sigkeys_init(k)
 *     sigkeys_add(k, path)                once per --verify-key, before
 *                                         anything is fetched
 *     sigkey_verify(&k->key[i], msg, len, sig, siglen)
 *     sigkeys_free(k)
 */
#ifndef SIGKEY_H
#define SIGKEY_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

/* Most --verify-key options. */
#define SIGKEY_MAX 8

/* Largest key file read. */
#define SIGKEY_PEM_MAX (16u * 1024u)

/* Smallest RSA modulus accepted, in bits. */
#define SIGKEY_RSA_MIN_BITS 2048u

struct sigkey {
	const char *path;          /* as given, for messages */
	const char *option;        /* the option that named it (messages) */
	char kind[32];             /* "ECDSA P-256", "RSA 3072", ... */
	int sha384;                /* P-384: try SHA-384 before SHA-256 */
	int has_id;                /* id is known (a "PUBLIC KEY" PEM) */
	uint8_t id[32];            /* sha256 of its DER SubjectPublicKeyInfo:
	                            * a Rekor log's ID, what a Rekor entry's
	                            * key is compared by */
	mbedtls_pk_context pk;
};

struct sigkeys {
	struct sigkey key[SIGKEY_MAX];
	unsigned n;
	const char *option;        /* named in messages; NULL: "--verify-key"
	                            * (set after sigkeys_init) */
};

void sigkeys_init(struct sigkeys *k);

/*
 * Read the PEM public key in path (kept by pointer: it must outlive k) as
 * the next key. Returns ERR_OK; ERR_USAGE for more than SIGKEY_MAX keys, a
 * file that is not a public key ocipull can use (a private key, a
 * certificate, another curve, RSA below SIGKEY_RSA_MIN_BITS), naming the
 * file and why; the port's error for a file that cannot be read; ERR_NOMEM
 * when the malloc arena is full.
 */
int sigkeys_add(struct sigkeys *k, const char *path);

/*
 * ERR_OK when sig (siglen bytes) is key's signature over msg[0..len);
 * ERR_SIGNATURE otherwise (no message is set: the caller says which
 * signature did not verify with which keys).
 */
int sigkey_verify(struct sigkey *key, const void *msg, size_t len,
    const uint8_t *sig, size_t siglen);

void sigkeys_free(struct sigkeys *k);

#endif /* SIGKEY_H */
