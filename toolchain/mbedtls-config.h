/*
 * mbedtls-config.h: the mbedTLS 3.6 configuration ocipull is built with
 * (MBEDTLS_CONFIG_FILE for the library and for ocipull alike; a board may
 * name another one with MBEDTLS_CONFIG in its board.mk).
 *
 * A TLS client and nothing else: TLS 1.2 and 1.3, ECDHE over X25519,
 * P-256 and P-384, server certificates signed with RSA (PKCS#1 v1.5 and
 * PSS) or ECDSA, AES-GCM and ChaCha20-Poly1305, SHA-256 and SHA-384. No
 * server, no DTLS, no renegotiation, no session resumption, no CBC, no
 * static RSA key exchange, no SHA-1 or MD5 signatures, no PSK.
 *
 * What that reaches: every public registry's front end (Docker Hub,
 * GHCR, Quay, ECR, GCR and Artifact Registry, ACR, GitLab, Harbor behind
 * any modern proxy) offers TLS 1.3 with AES-GCM and X25519 or P-256, or
 * TLS 1.2 ECDHE with AES-GCM, and certificates from RSA or ECDSA chains
 * signed with SHA-256 or SHA-384: the suites Mozilla's "intermediate"
 * profile keeps.
 *
 * Speed: AES and GHASH run on the CPU's instructions where it has them
 * (checked at run time; each is compiled only for its architecture), so
 * an https layer costs about what a plain one does; boards without them
 * (ARMv7) offer ChaCha20-Poly1305 first (BOARD_TLS_CHACHA_FIRST).
 *
 * Sizes: ocipull sends small requests, so the output record buffer is
 * 4 KiB; the input buffer stays 16 KiB, the largest record a server may
 * send (no server is obliged to honour max_fragment_length).
 */
#ifndef OCIPULL_MBEDTLS_CONFIG_H
#define OCIPULL_MBEDTLS_CONFIG_H

/* ---- system ---------------------------------------------------------- */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_VERSION_C
#define MBEDTLS_ERROR_C

/* ---- hashes, MACs, ciphers -------------------------------------------- */
#define MBEDTLS_MD_C
/* SHA-1 only so that X.509 can parse the 30 roots of Debian's bundle that
 * are self-signed with SHA-1 (DigiCert Global Root CA, GlobalSign Root CA,
 * AAA Certificate Services, Starfield and Go Daddy Class 2, ...): a trust
 * anchor's own signature is never checked, and the default verification
 * profile and TLS signature algorithms still refuse SHA-1 everywhere else. */
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES      /* in flash, not RAM */
#define MBEDTLS_AESNI_C             /* x86-64: AES-NI and PCLMUL, if the CPU has them */
#define MBEDTLS_AESCE_C             /* arm64: the crypto extensions, if the CPU has them */
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C

/* ---- public keys -------------------------------------------------------- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C

/* ---- PSA crypto (TLS 1.3 derives its keys through it) ------------------ */
#define MBEDTLS_PSA_CRYPTO_C

/* ---- X.509 ------------------------------------------------------------------ */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
/* RSA-PSS signatures: without them the ClientHello offers no
 * rsa_pss_rsae_* algorithm, and a TLS 1.3 server with an RSA certificate
 * (OpenSSL: "no suitable signature algorithm") refuses the handshake; an
 * RSA client key (--key) cannot sign TLS 1.3's CertificateVerify either. */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* ---- TLS client ----------------------------------------------------------- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

#endif /* OCIPULL_MBEDTLS_CONFIG_H */
