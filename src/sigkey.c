/*
 * sigkey.c: --verify-key public keys and signature checks, on mbedTLS's
 * pk layer.
 */
#include "sigkey.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/pem.h>
#include <mbedtls/sha512.h>
#include <psa/crypto.h>

#include "config.h"
#include "err.h"
#include "port.h"
#include "sha256.h"

void
sigkeys_init(struct sigkeys *k)
{
	memset(k, 0, sizeof *k);
}

/* The option a key came with, for messages. */
static const char *
opt(const struct sigkey *key)
{
	return key->option != NULL ? key->option : "--verify-key";
}

/* What kind of key pk is, into key->kind; ERR_USAGE for one we refuse. */
static int
classify(struct sigkey *key)
{
	size_t bits = mbedtls_pk_get_bitlen(&key->pk);

	if (mbedtls_pk_can_do(&key->pk, MBEDTLS_PK_ECDSA)) {
		switch (mbedtls_ecp_keypair_get_group_id(mbedtls_pk_ec(key->pk))) {
		case MBEDTLS_ECP_DP_SECP256R1:
			snprintf(key->kind, sizeof key->kind, "ECDSA P-256");
			return ERR_OK;
		case MBEDTLS_ECP_DP_SECP384R1:
			snprintf(key->kind, sizeof key->kind, "ECDSA P-384");
			key->sha384 = 1;
			return ERR_OK;
		default:
			return err_set(ERR_USAGE, "%s %s: an EC key on a curve "
			    "ocipull does not verify (P-256 and P-384 only)", opt(key),
			    key->path);
		}
	}
	if (mbedtls_pk_get_type(&key->pk) == MBEDTLS_PK_RSA) {
		if (bits < SIGKEY_RSA_MIN_BITS)
			return err_set(ERR_USAGE, "%s %s: a %zu-bit RSA key; ocipull "
			    "accepts %u bits or more", opt(key), key->path, bits,
			    SIGKEY_RSA_MIN_BITS);
		snprintf(key->kind, sizeof key->kind, "RSA %zu", bits);
		return ERR_OK;
	}
	return err_set(ERR_USAGE, "%s %s: a %s key; ocipull verifies ECDSA "
	    "(P-256, P-384) and RSA signatures", opt(key), key->path,
	    mbedtls_pk_get_name(&key->pk));
}

/* Why the PEM text in buf is not a public key, for the common mistakes. */
static int
not_public(const struct sigkey *key, const char *buf, int rc)
{
	char why[100];

	if (strstr(buf, "PRIVATE KEY") != NULL)
		return err_set(ERR_USAGE, "%s %s is a private key; give the public "
		    "one (cosign.pub, or openssl pkey -pubout)", opt(key), key->path);
	if (strstr(buf, "CERTIFICATE") != NULL)
		return err_set(ERR_USAGE, "%s %s is a certificate; give the public "
		    "key (keyless, certificate-based verification is not "
		    "supported)", opt(key), key->path);
	if (rc == MBEDTLS_ERR_PK_ALLOC_FAILED)
		return err_set(ERR_NOMEM, "%s %s: the malloc arena is full (raise "
		    "BOARD_HEAP_SIZE, now %u bytes)", opt(key), key->path,
		    BOARD_HEAP_SIZE);
	mbedtls_strerror(rc, why, sizeof why);
	return err_set(ERR_USAGE, "%s %s: not a PEM public key (%s)", opt(key),
	    key->path, why);
}

/*
 * key->id: the sha256 of the DER SubjectPublicKeyInfo in the PEM text
 * buf (NUL-terminated), what cosign compares a Rekor entry's key by and
 * what names a Rekor log; key->has_id stays 0 for another form (PKCS#1).
 */
static void
key_id(struct sigkey *key, const char *buf)
{
	mbedtls_pem_context pem;
	const unsigned char *der;
	struct sha256 s;
	size_t used, len;
	int rc;

	mbedtls_pem_init(&pem);
	rc = mbedtls_pem_read_buffer(&pem, "-----BEGIN PUBLIC KEY-----",
	    "-----END PUBLIC KEY-----", (const unsigned char *)buf, NULL, 0,
	    &used);
	if (rc == 0) {
		der = mbedtls_pem_get_buffer(&pem, &len);
		sha256_init(&s);
		sha256_update(&s, der, len);
		sha256_final(&s, key->id);
		key->has_id = 1;
	}
	mbedtls_pem_free(&pem);
}

int
sigkeys_add(struct sigkeys *k, const char *path)
{
	struct sigkey *key;
	char buf[SIGKEY_PEM_MAX];
	const char *o = k->option != NULL ? k->option : "--verify-key";
	long n;
	int rc;

	if (k->n == SIGKEY_MAX)
		return err_set(ERR_USAGE, "more than %d %s options", SIGKEY_MAX, o);
	/* ECDSA verification runs through PSA when mbedTLS is built so. */
	if (psa_crypto_init() != PSA_SUCCESS)
		return err_set(ERR_NOMEM, "%s: PSA crypto did not start", o);
	n = port_fs_read_file(PORT_CWD, path, buf, sizeof buf - 1);
	if (n < 0)
		return err_prefix((int)n, "%s %s", o, path);
	buf[n] = '\0';
	key = &k->key[k->n];
	memset(key, 0, sizeof *key);
	key->path = path;
	key->option = k->option;
	mbedtls_pk_init(&key->pk);
	rc = mbedtls_pk_parse_public_key(&key->pk, (const unsigned char *)buf,
	    (size_t)n + 1);
	if (rc == 0)
		rc = classify(key);
	else
		rc = not_public(key, buf, rc);
	if (rc == ERR_OK)
		key_id(key, buf);
	if (rc < 0) {
		mbedtls_pk_free(&key->pk);
		return rc;
	}
	k->n++;
	return ERR_OK;
}

int
sigkey_verify(struct sigkey *key, const void *msg, size_t len,
    const uint8_t *sig, size_t siglen)
{
	unsigned char h[64];
	struct sha256 s;

	if (key->sha384 && mbedtls_sha512(msg, len, h, 1) == 0 &&
	    mbedtls_pk_verify(&key->pk, MBEDTLS_MD_SHA384,
	    h, 48, sig, siglen) == 0)
		return ERR_OK;
	sha256_init(&s);
	sha256_update(&s, msg, len);
	sha256_final(&s, h);
	if (mbedtls_pk_verify(&key->pk, MBEDTLS_MD_SHA256,
	    h, 32, sig, siglen) == 0)
		return ERR_OK;
	return ERR_SIGNATURE;
}

void
sigkeys_free(struct sigkeys *k)
{
	unsigned i;

	for (i = 0; i < k->n; i++)
		mbedtls_pk_free(&k->key[i].pk);
	k->n = 0;
}
