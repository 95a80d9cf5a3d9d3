/*
 * ca.c: the CA certificates TLS verifies servers with, from the first
 * source given (see ca.h). Files are read through a fixed window, one PEM
 * block at a time; only the parsed certificates take memory (mbedTLS
 * allocates them from the malloc arena).
 */
#include "ca.h"

#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/platform.h>

#include "config.h"
#include "err.h"
#include "port.h"

/* What one ca_load() call works on. */
struct ca_load {
	mbedtls_x509_crt *chain;
	struct ca_source *src;
};

/*
 * Drop the certificate just appended to the chain when an earlier one has
 * the same DER bytes: the links of a certificate directory, or a bundle
 * beside the files it was made from, would otherwise hold every CA twice.
 * Returns 1 when it was dropped.
 */
static int
drop_duplicate(mbedtls_x509_crt *chain)
{
	mbedtls_x509_crt *prev = NULL, *last = chain, *c;

	while (last->next != NULL) {
		prev = last;
		last = last->next;
	}
	if (prev == NULL)
		return 0;
	for (c = chain; c != last; c = c->next) {
		if (c->raw.len == last->raw.len &&
		    memcmp(c->raw.p, last->raw.p, c->raw.len) == 0) {
			prev->next = NULL;
			mbedtls_x509_crt_free(last);
			mbedtls_free(last);
			return 1;
		}
	}
	return 0;
}

/* Parse one PEM block b[0..len) (NUL-terminated at len - 1) into the CA
 * chain; counts it as found, or as bad when it does not parse. */
static int
add_pem(struct ca_load *l, const char *b, size_t len, long *found,
    unsigned *bad)
{
	struct port_heap_stats before, after;
	int rc;

	port_heap_stats(&before);
	rc = mbedtls_x509_crt_parse(l->chain, (const unsigned char *)b, len);
	if (rc != 0) {
		/* mbedTLS names some allocation failures only by a nested
		 * code: the arena's own count tells. */
		port_heap_stats(&after);
		if (rc == MBEDTLS_ERR_X509_ALLOC_FAILED ||
		    rc == MBEDTLS_ERR_PEM_ALLOC_FAILED ||
		    after.failures > before.failures)
			return ERR_NOMEM;
		(*bad)++;
		return ERR_OK;
	}
	(*found)++;
	if (!drop_duplicate(l->chain))
		l->src->ncerts++;
	return ERR_OK;
}

/*
 * Feed every PEM certificate of the file path (below the directory handle
 * dir) to mbedTLS, one block at a time through a fixed window, so a large
 * bundle never sits whole in memory. Returns how many it holds (copies of
 * certificates loaded before included; src->ncerts counts those kept) or
 * an error; *bad counts the blocks that did not parse.
 */
static long
load_pem(struct ca_load *l, int dir, const char *path, unsigned *bad)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	char win[12 * 1024 + 1];
	size_t have = 0;
	long found = 0;
	int fd, eof = 0, rc = ERR_OK;

	fd = port_fs_open(dir, path, PORT_O_READ, 0);
	if (fd < 0)
		return fd;
	while (rc == ERR_OK) {
		char *b, *e;

		if (!eof && have < sizeof win - 1) {
			long n = port_fs_read(fd, win + have, sizeof win - 1 - have);
			if (n < 0) {
				rc = err_prefix((int)n, "%s", path);
				break;
			}
			if (n == 0)
				eof = 1;
			have += (size_t)n;
		}
		win[have] = '\0';
		b = strstr(win, begin);
		if (b == NULL) {
			if (eof)
				break;
			/* Keep a tail that may hold the start of a marker. */
			if (have > sizeof begin) {
				memmove(win, win + have - sizeof begin, sizeof begin);
				have = sizeof begin;
			}
			continue;
		}
		e = strstr(b, end);
		if (e == NULL) {
			if (eof)
				break;
			if (b == win && have == sizeof win - 1) {
				rc = err_set(ERR_TLS, "%s: a certificate is longer than "
				    "%zu bytes", path, sizeof win - 1);
				break;
			}
			memmove(win, b, have - (size_t)(b - win));
			have -= (size_t)(b - win);
			continue;
		}
		e += sizeof end - 1;
		{
			char saved = *e;
			*e = '\0';
			rc = add_pem(l, b, (size_t)(e - b) + 1, &found, bad);
			*e = saved;
		}
		have -= (size_t)(e - win);
		memmove(win, e, have);
	}
	port_fs_close(fd);
	if (rc == ERR_NOMEM)
		return err_set(ERR_NOMEM, "%s: the malloc arena filled up after "
		    "%u certificates (raise BOARD_HEAP_SIZE, now %u bytes, or "
		    "give fewer CA certificates)", path, l->src->ncerts, BOARD_HEAP_SIZE);
	return rc < 0 ? rc : found;
}

/* A CA source that is given but unusable: ERR_TLS (exit 4) whatever the
 * file system said, ERR_NOMEM when the arena is full; the message names the
 * source ("--ca-file", "SSL_CERT_FILE is set but unusable ..."). */
static int
ca_error(int rc, const char *from, const char *why)
{
	return err_prefix(rc == ERR_NOMEM ? ERR_NOMEM : ERR_TLS, "%s%s", from, why);
}

static int
no_certificate(const char *path, unsigned bad)
{
	return err_set(ERR_TLS, "no usable PEM certificate in %s%s", path,
	    bad ? " (all failed to parse)" : "");
}

/* One PEM file: --ca-file FILE or SSL_CERT_FILE. */
static int
load_ca_file(struct ca_load *l, const char *from, const char *path,
    const char *why)
{
	unsigned bad = 0;
	long n;

	l->src->from = from;
	l->src->path = path;
	l->src->path_len = strlen(path);
	if (path[0] == '\0')
		n = err_set(ERR_TLS, "the value is empty: expected a PEM file");
	else
		n = load_pem(l, PORT_CWD, path, &bad);
	if (n == 0)
		n = no_certificate(path, bad);
	return n < 0 ? ca_error((int)n, from, why) : ERR_OK;
}

/*
 * Whether the entry name of the directory handle dir is a file to load:
 * a regular file, or a link to one elsewhere. A link without '/' in its
 * target names a file of the same directory, loaded under its own name
 * (a c_rehash directory's HASH.0 links). Returns 1, 0 or an error.
 */
static int
ca_dir_wants(int dir, const char *name)
{
	struct port_stat st;
	char target[256];
	long n;
	int rc, fd;

	rc = port_fs_stat(dir, name, &st);
	if (rc < 0)
		return rc;
	if (st.type == PORT_T_REG)
		return 1;
	if (st.type != PORT_T_LNK)
		return 0;
	n = port_fs_readlink(dir, name, target, sizeof target);
	if (n >= 0 && strchr(target, '/') == NULL)
		return 0;
	/* Whatever the link leads to, only a regular file is read. */
	fd = port_fs_open(dir, name, PORT_O_READ, 0);
	if (fd == ERR_NOENT) {
		err_clear();
		return 0;    /* a dangling link */
	}
	if (fd < 0)
		return fd;
	rc = port_fs_stat(fd, NULL, &st);
	port_fs_close(fd);
	return rc < 0 ? rc : st.type == PORT_T_REG;
}

/* Every file of one directory of SSL_CERT_DIR; *found counts what they
 * held, *bad what did not parse. */
static int
load_ca_dir(struct ca_load *l, const char *path, long *found, unsigned *bad)
{
	struct port_dir d;
	char name[256];
	long n;
	int fd;

	fd = port_fs_open(PORT_CWD, path, PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	port_fs_dir_open(&d, fd);
	while ((n = port_fs_dir_next(&d, name, sizeof name)) > 0) {
		int rc = ca_dir_wants(fd, name);
		if (rc > 0) {
			n = load_pem(l, fd, name, bad);
			if (n > 0)
				*found += n;
		}
		if (rc < 0 || n < 0) {
			port_fs_dir_close(&d);
			return err_prefix(rc < 0 ? rc : (int)n, "%s", path);
		}
	}
	port_fs_dir_close(&d);
	return n < 0 ? err_prefix((int)n, "%s", path) : ERR_OK;
}

/* SSL_CERT_DIR: directories separated by ':', as OpenSSL reads it. */
static int
load_ca_dirs(struct ca_load *l, const char *list, const char *why)
{
	const char *p = list;
	char path[256];
	unsigned bad = 0;
	long found = 0;
	int rc = ERR_OK;

	l->src->from = "SSL_CERT_DIR";
	l->src->path = list;
	l->src->path_len = strlen(list);
	if (list[0] == '\0')
		rc = err_set(ERR_TLS, "the value is empty: expected directories "
		    "separated by ':'");
	while (*p != '\0' && rc == ERR_OK) {
		size_t n = strcspn(p, ":");

		if (n >= sizeof path)
			rc = err_set(ERR_TLS, "a directory name is longer than %zu "
			    "bytes", sizeof path - 1);
		if (n > 0 && rc == ERR_OK) {
			memcpy(path, p, n);
			path[n] = '\0';
			rc = load_ca_dir(l, path, &found, &bad);
		}
		p += n + (p[n] == ':');
	}
	if (rc == ERR_OK && found == 0)
		rc = no_certificate(list, bad);
	return rc < 0 ? ca_error(rc, "SSL_CERT_DIR", why) : ERR_OK;
}

/* The first bundle of BOARD_CA_PATHS that exists. */
static int
load_board_bundle(struct ca_load *l)
{
	const char *p = BOARD_CA_PATHS;
	char path[256];
	unsigned bad = 0;
	long rc = ERR_NOENT;

	l->src->from = "BOARD_CA_PATHS";
	while (*p != '\0' && rc == ERR_NOENT) {
		size_t n = strcspn(p, ":");
		if (n > 0 && n < sizeof path) {
			memcpy(path, p, n);
			path[n] = '\0';
			err_clear();
			l->src->path = p;
			l->src->path_len = n;
			rc = load_pem(l, PORT_CWD, path, &bad);
			if (rc == 0)
				rc = no_certificate(path, bad);
		}
		p += n + (p[n] == ':');
	}
	if (rc == ERR_NOENT) {
		err_clear();
		return err_set(ERR_TLS, "no CA bundle found (tried %s); give one "
		    "with --ca-file, SSL_CERT_FILE or SSL_CERT_DIR", BOARD_CA_PATHS);
	}
	return rc < 0 ? (int)rc : ERR_OK;
}

/*
 * The CA certificates, from the first source given: --ca-file,
 * SSL_CERT_FILE, SSL_CERT_DIR (as curl and OpenSSL order them), else the
 * first bundle of BOARD_CA_PATHS that exists. A source that is given but
 * unusable is an error, never a reason to try the next one.
 */
int
ca_load(mbedtls_x509_crt *chain, const char *ca_file, struct ca_source *src)
{
	static const char why[] = " is set but unusable (the system's CA "
	    "bundle is not used instead; unset it to use that)";
	struct ca_load load = { chain, src };
	struct ca_load *l = &load;
	const char *env;

	if (ca_file != NULL)
		return load_ca_file(l, "--ca-file", ca_file, "");
	env = port_env("SSL_CERT_FILE");
	if (env != NULL)
		return load_ca_file(l, "SSL_CERT_FILE", env, why);
	env = port_env("SSL_CERT_DIR");
	if (env != NULL)
		return load_ca_dirs(l, env, why);
	return load_board_bundle(l);
}
