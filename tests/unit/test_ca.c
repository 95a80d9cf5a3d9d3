/*
 * test_ca.c: where the CA certificates come from (src/ca.h): the PEM reader's
 * fixed window at every split point, certificates met twice kept once, the
 * order --ca-file, SSL_CERT_FILE, SSL_CERT_DIR, the directory rules, and the
 * errors for a source that is given but unusable.
 *
 * Two self-signed P-256 certificates made for this test with openssl
 * (validity does not matter: only parsing is tested here).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca.h"
#include "err.h"
#include "unit.h"

static const char cert_a[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkDCCATWgAwIBAgIUR9bqTRJadO0K0hrr9kA3mnmlfqcwCgYIKoZIzj0EAwIw\n"
    "HDEaMBgGA1UEAwwRb2NpcHVsbCB1bml0IENBIGEwIBcNMjYxMjAzMDQxNTQ4WhgP\n"
    "MjEyNjExMDkwNDE1NDhaMBwxGjAYBgNVBAMMEW9jaXB1bGwgdW5pdCBDQSBhMFkw\n"
    "EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbyEoOZHUvAXTEVHpJQ+16O7mJfFVGu2r\n"
    "eVUdiWrn4URtzJ0IOjRrbT6Zeg39lUbKN4pKEnllDpflwj1canittKNTMFEwHQYD\n"
    "VR0OBBYEFMqJKQvZ68/oeVQDxq5EgDPwlmxEMB8GA1UdIwQYMBaAFMqJKQvZ68/o\n"
    "eVQDxq5EgDPwlmxEMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIh\n"
    "AIb1qduIgB+Da93VQxUCoShUYXrWCTsCmAHzGE2yqQkiAiEA+8vDhPqB+byWQ1iq\n"
    "1dvukbeiCyv68ePiEfr5GPNOZTw=\n"
    "-----END CERTIFICATE-----\n";

static const char cert_b[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjzCCATWgAwIBAgIUUYQ/kA8xCINjfZt2ZW6bjiN1qFUwCgYIKoZIzj0EAwIw\n"
    "HDEaMBgGA1UEAwwRb2NpcHVsbCB1bml0IENBIGIwIBcNMjYxMjAzMDQxNTQ4WhgP\n"
    "MjEyNjExMDkwNDE1NDhaMBwxGjAYBgNVBAMMEW9jaXB1bGwgdW5pdCBDQSBiMFkw\n"
    "EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeCF4cJNTvlEGjXlIOGqOhG5qqoai/YqG\n"
    "oOR0o5xldZqWGcQFk141T9NVuH6tYpti5T9xw1HrkCIKozaXcTa5tqNTMFEwHQYD\n"
    "VR0OBBYEFD+6+Af3yHaQ1ybI6jfCyiHCNU7WMB8GA1UdIwQYMBaAFD+6+Af3yHaQ\n"
    "1ybI6jfCyiHCNU7WMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg\n"
    "eO2WWGzZv63NN8Hvn49Zibmk27uCiBe7Cqbd/02OfR0CIQD1Eeztw3e1K3N4QNIc\n"
    "qkKLk3EIMut9LReS/MDmBKjE9A==\n"
    "-----END CERTIFICATE-----\n";

/* The reader's window (src/ca.c). */
#define WINDOW (12u * 1024u)

static char tmp[] = "/tmp/ocipull-test-ca-XXXXXX";
static char path[512];

static const char *
at(const char *name)
{
	snprintf(path, sizeof path, "%s/%s", tmp, name);
	return path;
}

/* Write name below tmp: pad bytes of comment lines, then the given text. */
static void
write_file(const char *name, size_t pad, const char *text)
{
	FILE *f = fopen(at(name), "w");
	size_t i;

	if (f == NULL) {
		CHECK(!"cannot write a test file");
		return;
	}
	for (i = 0; i < pad; i++)
		fputc(i % 64 == 63 ? '\n' : (i % 64 == 0 ? '#' : 'x'), f);
	fputs(text, f);
	fclose(f);
}

/* ca_load with a fresh chain: the result, *src filled, the chain freed. */
static int
load(const char *ca_file, struct ca_source *src)
{
	mbedtls_x509_crt chain;
	int rc;

	err_clear();
	mbedtls_x509_crt_init(&chain);
	memset(src, 0, sizeof *src);
	rc = ca_load(&chain, ca_file, src);
	mbedtls_x509_crt_free(&chain);
	return rc;
}

/*
 * A bundle of a and b after text without a certificate: of 0 to 63 bytes,
 * and of every length that puts a marker or a certificate across the end
 * of the first window (and, past it, across the end of a window refilled
 * after text only). Both kept each time.
 */
static void
test_ca_window_split_points(void)
{
	char text[sizeof cert_a * 2 + 16];
	struct ca_source src;
	size_t pad, len, bad = 0;

	len = (size_t)snprintf(text, sizeof text, "%s\n%s", cert_a, cert_b);
	for (pad = 0; pad < WINDOW + 128; pad++) {
		int rc;

		if (pad == 64)
			pad = WINDOW - len - 64;
		write_file("bundle.pem", pad, text);
		rc = load(at("bundle.pem"), &src);
		if ((rc != ERR_OK || src.ncerts != 2) && bad++ < 3)
			fprintf(stderr, "  pad %zu: rc %d, %u kept: %s\n", pad, rc,
			    src.ncerts, err_msg());
	}
	CHECK_EQ(bad, 0);
}

/* A certificate met twice is kept once. */
static void
test_ca_twice_kept_once(void)
{
	char text[sizeof cert_a * 4];
	struct ca_source src;

	snprintf(text, sizeof text, "%s%s%s", cert_a, cert_b, cert_a);
	write_file("aba.pem", 0, text);
	CHECK_EQ(load(at("aba.pem"), &src), ERR_OK);
	CHECK_EQ(src.ncerts, 2);
	snprintf(text, sizeof text, "%s%s%s", cert_b, cert_b, cert_b);
	write_file("bbb.pem", 0, text);
	CHECK_EQ(load(at("bbb.pem"), &src), ERR_OK);
	CHECK_EQ(src.ncerts, 1);
}

/* A file that is given must be usable; the message names the option. */
static void
test_ca_file_errors(void)
{
	struct ca_source src;

	CHECK_EQ(load(at("missing.pem"), &src), ERR_TLS);
	CHECK(strstr(err_msg(), "--ca-file: open ") != NULL);
	CHECK(strstr(err_msg(), "missing.pem") != NULL);
	write_file("empty.pem", 0, "");
	CHECK_EQ(load(at("empty.pem"), &src), ERR_TLS);
	CHECK(strstr(err_msg(), "--ca-file: no usable PEM certificate in ") != NULL);
	write_file("broken.pem", 0, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
	    "-----END CERTIFICATE-----\n");
	CHECK_EQ(load(at("broken.pem"), &src), ERR_TLS);
	CHECK(strstr(err_msg(), "(all failed to parse)") != NULL);
	/* One that parses is enough: the broken block is passed over. */
	write_file("mixed.pem", 0, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
	    "-----END CERTIFICATE-----\n");
	{
		FILE *f = fopen(at("mixed.pem"), "a");
		if (f != NULL) {
			fputs(cert_b, f);
			fclose(f);
		}
	}
	CHECK_EQ(load(at("mixed.pem"), &src), ERR_OK);
	CHECK_EQ(src.ncerts, 1);
	CHECK_STR(src.from, "--ca-file");
	CHECK_MEM(src.path, src.path_len, at("mixed.pem"));
}

/*
 * A directory: regular files, links to files elsewhere (a copy of a
 * certificate already loaded is dropped), a link within the directory (its
 * target is read under its own name), a dangling link, a file without a
 * certificate and a subdirectory (passed over).
 */
static void
make_dirs(void)
{
	char target[600];

	mkdir(at("out"), 0755);
	write_file("out/a.crt", 0, cert_a);
	write_file("out/b.crt", 0, cert_b);
	mkdir(at("dir"), 0755);
	mkdir(at("dir/sub"), 0755);
	write_file("dir/a.pem", 10, cert_a);
	write_file("dir/sub/b.pem", 0, cert_b);
	write_file("dir/README", 100, "");
	CHECK(symlink("a.pem", at("dir/0123abcd.0")) == 0);
	snprintf(target, sizeof target, "%s/out/b.crt", tmp);
	CHECK(symlink(target, at("dir/b.pem")) == 0);
	snprintf(target, sizeof target, "%s/out/a.crt", tmp);
	CHECK(symlink(target, at("dir/again.pem")) == 0);
	CHECK(symlink("../out/nothere.crt", at("dir/dangling.pem")) == 0);
	mkdir(at("only-b"), 0755);
	write_file("only-b/b.pem", 0, cert_b);
	mkdir(at("none"), 0755);
}

static void
test_ca_dir(void)
{
	struct ca_source src;
	char list[1200];

	setenv("SSL_CERT_DIR", at("dir"), 1);
	CHECK_EQ(load(NULL, &src), ERR_OK);
	CHECK_STR(src.from, "SSL_CERT_DIR");
	CHECK_EQ(src.ncerts, 2);
	/* A list, with empty parts. */
	snprintf(list, sizeof list, ":%s::%s/only-b:", at("none"), tmp);
	setenv("SSL_CERT_DIR", list, 1);
	CHECK_EQ(load(NULL, &src), ERR_OK);
	CHECK_EQ(src.ncerts, 1);
	CHECK_MEM(src.path, src.path_len, list);
	setenv("SSL_CERT_DIR", at("none"), 1);
	CHECK_EQ(load(NULL, &src), ERR_TLS);
	CHECK(strstr(err_msg(), "SSL_CERT_DIR is set but unusable") == err_msg());
	CHECK(strstr(err_msg(), "no usable PEM certificate in ") != NULL);
	setenv("SSL_CERT_DIR", at("missing"), 1);
	CHECK_EQ(load(NULL, &src), ERR_TLS);
	CHECK(strstr(err_msg(), "open ") != NULL);
	setenv("SSL_CERT_DIR", "", 1);
	CHECK_EQ(load(NULL, &src), ERR_TLS);
	CHECK(strstr(err_msg(), "the value is empty") != NULL);
	unsetenv("SSL_CERT_DIR");
}

/* --ca-file, then SSL_CERT_FILE, then SSL_CERT_DIR: the first given wins,
 * and an unusable one is not skipped. */
static void
test_ca_order(void)
{
	struct ca_source src;
	char file[600];

	setenv("SSL_CERT_DIR", at("dir"), 1);
	setenv("SSL_CERT_FILE", at("out/b.crt"), 1);
	snprintf(file, sizeof file, "%s", at("out/a.crt"));
	CHECK_EQ(load(file, &src), ERR_OK);
	CHECK_STR(src.from, "--ca-file");
	CHECK_EQ(load(NULL, &src), ERR_OK);
	CHECK_STR(src.from, "SSL_CERT_FILE");
	CHECK_EQ(src.ncerts, 1);
	setenv("SSL_CERT_FILE", "", 1);
	CHECK_EQ(load(NULL, &src), ERR_TLS);
	CHECK(strstr(err_msg(), "SSL_CERT_FILE is set but unusable (the system's "
	    "CA bundle is not used instead; unset it to use that): the value is "
	    "empty") == err_msg());
	setenv("SSL_CERT_FILE", at("dir"), 1);
	CHECK_EQ(load(NULL, &src), ERR_TLS);
	unsetenv("SSL_CERT_FILE");
	CHECK_EQ(load(NULL, &src), ERR_OK);
	CHECK_STR(src.from, "SSL_CERT_DIR");
	unsetenv("SSL_CERT_DIR");
}

int
main(void)
{
	char cmd[128];
	int rc;

	unsetenv("SSL_CERT_FILE");
	unsetenv("SSL_CERT_DIR");
	if (mkdtemp(tmp) == NULL)
		return 1;
	make_dirs();
	UNIT_RUN(test_ca_window_split_points);
	UNIT_RUN(test_ca_twice_kept_once);
	UNIT_RUN(test_ca_file_errors);
	UNIT_RUN(test_ca_dir);
	UNIT_RUN(test_ca_order);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	rc = system(cmd);
	(void)rc;
	return UNIT_END();
}
