/*
 * ca.h: the CA certificates that TLS verifies servers with.
 *
 * ca_load() fills a caller-owned mbedTLS chain from the first source given:
 *
 *   1. --ca-file FILE (ca_file non-NULL): one PEM file;
 *   2. SSL_CERT_FILE: one PEM file;
 *   3. SSL_CERT_DIR: directories separated by ':' (as OpenSSL reads it);
 *      every regular file in them, and every link to a file elsewhere, is
 *      read (an OpenSSL c_rehash directory, /etc/ssl/certs); a link within
 *      the directory names a file read under its own name; subdirectories,
 *      dangling links and files without a certificate are passed over;
 *   4. else the first bundle of the board's BOARD_CA_PATHS that exists.
 *
 * The order is curl's and OpenSSL's. A source that is given but unusable
 * (missing, unreadable, empty, no certificate in it) is an error naming
 * the option or variable and the file; it never falls back to the next
 * source. A certificate met twice (the same DER bytes: a bundle beside the
 * files it was made from, links) is kept once. Blocks that do not parse
 * are passed over, as long as one certificate does.
 *
 * Memory: files are read through a 12 KiB window on the stack, one PEM
 * block at a time; mbedTLS allocates the parsed certificates (about 2 KiB
 * each) from the malloc arena, BOARD_HEAP_SIZE.
 */
#ifndef CA_H
#define CA_H

#include <stddef.h>

#include <mbedtls/x509_crt.h>

/* What ca_load() loaded, for --stats. */
struct ca_source {
	/* "--ca-file", "SSL_CERT_FILE", "SSL_CERT_DIR" or "BOARD_CA_PATHS" */
	const char *from;
	/* The file or directories: a counted view of the option's or
	 * variable's value, or of one part of BOARD_CA_PATHS (not
	 * NUL-terminated there). */
	const char *path;
	size_t path_len;
	unsigned ncerts;           /* certificates kept (no duplicates) */
};

/*
 * Load the CA certificates into chain (initialised by the caller, may
 * already hold some) and describe them in *src (overwritten). Returns
 * ERR_OK, ERR_TLS with a message naming the source, or ERR_NOMEM when the
 * malloc arena filled up.
 */
int ca_load(mbedtls_x509_crt *chain, const char *ca_file,
    struct ca_source *src);

#endif /* CA_H */
