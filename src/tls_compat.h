/*
 * tls_compat.h: the few mbedTLS names that differ between 2.28 (Debian 12)
 * and 3.6 LTS. Everything else in ocipull uses names common to both.
 */
#ifndef TLS_COMPAT_H
#define TLS_COMPAT_H

#include <mbedtls/version.h>
#include <mbedtls/sha256.h>

#if MBEDTLS_VERSION_NUMBER < 0x03000000
#define tlsc_sha256_starts mbedtls_sha256_starts_ret
#define tlsc_sha256_update mbedtls_sha256_update_ret
#define tlsc_sha256_finish mbedtls_sha256_finish_ret
#else
#define tlsc_sha256_starts mbedtls_sha256_starts
#define tlsc_sha256_update mbedtls_sha256_update
#define tlsc_sha256_finish mbedtls_sha256_finish
#endif

#endif /* TLS_COMPAT_H */
