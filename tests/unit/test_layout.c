/*
 * test_layout.c: the OCI layout source (source_layout.h) over layouts made
 * here in a temporary directory: references after "oci:", the checks of
 * oci-layout and blobs/sha256, tags by org.opencontainers.image.ref.name,
 * the single image without a tag, blobs by digest whole and from an
 * offset, and blob names that are not digests, symlinks or FIFOs refused.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "sha256.h"
#include "source_layout.h"
#include "unit.h"

static struct layout lay;
static char dir[64];
static char buf[64 * 1024];

static void
put(const char *name, const char *data, size_t n)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "wb");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK_EQ(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* Store data as a blob; its "sha256:<hex>" into digest. */
static void
blob(const char *data, char digest[72])
{
	unsigned char h[32];
	struct sha256 s;
	char name[100];
	int i;

	sha256_init(&s);
	sha256_update(&s, data, strlen(data));
	sha256_final(&s, h);
	memcpy(digest, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(digest + 7 + 2 * i, 3, "%02x", h[i]);
	snprintf(name, sizeof name, "blobs/sha256/%s", digest + 7);
	put(name, data, strlen(data));
}

static const char man_a[] = "{\"schemaVersion\":2,\"mediaType\":"
    "\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}";
static const char man_b[] = "{\"schemaVersion\":2,\"layers\":[1]}";
static char dig_a[72], dig_b[72];

/* A layout holding man_a tagged "a" and, with two, man_b tagged "b". */
static void
make(int two)
{
	char p[300], ix[1024];
	int n;

	snprintf(p, sizeof p, "rm -rf '%s' && mkdir -p '%s/blobs/sha256'", dir, dir);
	CHECK_EQ(system(p), 0);
	put("oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}", 31);
	blob(man_a, dig_a);
	blob(man_b, dig_b);
	n = snprintf(ix, sizeof ix, "{\"schemaVersion\":2,\"manifests\":["
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{"
	    "\"org.opencontainers.image.ref.name\":\"a\"}}%s%s%s]}", dig_a,
	    strlen(man_a), two ? ",{\"mediaType\":\"x\",\"digest\":\"" : "",
	    two ? dig_b : "", two ? "\",\"size\":1,\"annotations\":{"
	    "\"org.opencontainers.image.ref.name\":\"b\"}}" : "");
	put("index.json", ix, (size_t)n);
}

static void
test_ref(void)
{
	struct ref r;
	char t[REF_TEXT_MAX];
	const char *d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef";

	CHECK_EQ(layout_ref_split(&r, "/a/b:v1"), ERR_OK);
	CHECK_STR(r.repo, "/a/b");
	CHECK_STR(r.tag, "v1");
	CHECK_STR(r.digest, "");
	layout_ref_format(&r, t, sizeof t);
	CHECK_STR(t, "oci:/a/b:v1");
	snprintf(t, sizeof t, "x@y/l@%s", d);
	CHECK_EQ(layout_ref_split(&r, t), ERR_OK);
	CHECK_STR(r.repo, "x@y/l");
	CHECK_STR(r.tag, "");
	CHECK_STR(r.digest, d);
	CHECK_EQ(layout_ref_split(&r, "dir"), ERR_OK);
	CHECK_STR(r.repo, "dir");
	CHECK_STR(r.tag, "");
	err_clear();
	CHECK_EQ(layout_ref_split(&r, ":x"), ERR_USAGE);
	CHECK(strstr(err_msg(), "no directory") != NULL);
	err_clear();
	CHECK_EQ(layout_ref_split(&r, "dir:"), ERR_USAGE);
	CHECK(strstr(err_msg(), "invalid tag") != NULL);
	err_clear();
	CHECK_EQ(layout_ref_split(&r, "dir:a b"), ERR_USAGE);
	err_clear();
	CHECK_EQ(layout_ref_split(&r, "dir@sha256:12"), ERR_USAGE);
	CHECK(strstr(err_msg(), "invalid digest") != NULL);
	err_clear();
}

static void
test_open_refused(void)
{
	char p[400];

	make(0);
	snprintf(p, sizeof p, "%s/oci-layout", dir);
	unlink(p);
	err_clear();
	CHECK_EQ(layout_open(&lay, dir), ERR_NOTFOUND);
	CHECK(strstr(err_msg(), "not an OCI image layout") != NULL);
	put("oci-layout", "{\"imageLayoutVersion\": \"2.0.0\"}", 31);
	err_clear();
	CHECK_EQ(layout_open(&lay, dir), ERR_UNSUPPORTED);
	put("oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}", 31);
	/* blobs a symlink to a directory elsewhere: not followed. */
	snprintf(p, sizeof p, "rm -rf '%s/blobs' && mkdir -p '%s.out/sha256' && "
	    "ln -s '%s.out' '%s/blobs'", dir, dir, dir, dir);
	CHECK_EQ(system(p), 0);
	err_clear();
	CHECK(layout_open(&lay, dir) < 0);
	CHECK(strstr(err_msg(), "no directory blobs") != NULL);
	err_clear();
	CHECK_EQ(layout_open(&lay, "/nonexistent/layout"), ERR_NOTFOUND);
	err_clear();
}

static void
test_tags(void)
{
	struct source src;
	struct source_doc doc;
	size_t len;

	make(1);
	CHECK_EQ(layout_open(&lay, dir), ERR_OK);
	source_layout(&src, &lay);
	CHECK_EQ(source_fetch(&src, SRC_MANIFEST, "a", buf, sizeof buf, &len,
	    &doc), ERR_OK);
	CHECK_MEM(buf, len, man_a);
	CHECK_STR(doc.digest, dig_a);
	CHECK_STR(doc.media_type, "application/vnd.oci.image.manifest.v1+json");
	CHECK_EQ(source_fetch(&src, SRC_MANIFEST, "b", buf, sizeof buf, &len,
	    &doc), ERR_OK);
	CHECK_MEM(buf, len, man_b);
	CHECK_STR(doc.digest, dig_b);
	/* Two images: no tag is not enough; an unknown tag is not found. */
	err_clear();
	CHECK_EQ(source_fetch(&src, SRC_MANIFEST, "", buf, sizeof buf, &len,
	    &doc), ERR_NOTFOUND);
	CHECK(strstr(err_msg(), "holds 2 images") != NULL);
	err_clear();
	CHECK_EQ(source_fetch(&src, SRC_MANIFEST, "c", buf, sizeof buf, &len,
	    &doc), ERR_NOTFOUND);
	CHECK(strstr(err_msg(), "no image tagged \"c\"") != NULL);
	err_clear();
	CHECK_EQ(source_fetch(&src, SRC_REFERRERS, dig_a, buf, sizeof buf, &len,
	    &doc), ERR_NOTFOUND);
	err_clear();
	/* By digest; a document larger than the buffer. */
	CHECK_EQ(source_fetch(&src, SRC_MANIFEST, dig_b, buf, sizeof buf, &len,
	    &doc), ERR_OK);
	CHECK_MEM(buf, len, man_b);
	CHECK_STR(doc.digest, "");
	CHECK_EQ(source_fetch(&src, SRC_BLOB, dig_a, buf, 10, &len, &doc),
	    ERR_NOMEM);
	err_clear();
	layout_close(&lay);
	/* One image: no tag needed. */
	make(0);
	CHECK_EQ(layout_open(&lay, dir), ERR_OK);
	source_layout(&src, &lay);
	CHECK_EQ(source_fetch(&src, SRC_MANIFEST, "", buf, sizeof buf, &len,
	    &doc), ERR_OK);
	CHECK_MEM(buf, len, man_a);
	layout_close(&lay);
}

static void
test_blobs(void)
{
	struct source src;
	struct source_doc doc;
	struct descriptor d;
	const uint8_t *p;
	char path[256], got[256];
	uint64_t from;
	size_t n, len = 0;
	int rc;

	make(1);
	CHECK_EQ(layout_open(&lay, dir), ERR_OK);
	source_layout(&src, &lay);
	memset(&d, 0, sizeof d);
	snprintf(d.digest, sizeof d.digest, "%s", dig_a);
	d.size = strlen(man_a);
	CHECK_EQ(source_open(&src, &d, 5, "layer", &from), ERR_OK);
	CHECK_EQ(from, 5);
	while ((rc = source_read(&src, &p, &n)) == ERR_OK && len + n < sizeof got) {
		memcpy(got + len, p, n);
		len += n;
	}
	CHECK_EQ(rc, ERR_END);
	CHECK_MEM(got, len, man_a + 5);
	CHECK_EQ(source_retry(&src, ERR_IO, 0), ERR_IO);
	/* Names that are not digests never reach the file system. */
	snprintf(d.digest, sizeof d.digest, "sha256:../../../../etc/passwd");
	CHECK_EQ(source_open(&src, &d, 0, "layer", &from), ERR_FORMAT);
	err_clear();
	CHECK_EQ(source_fetch(&src, SRC_BLOB, "sha256:..", buf, sizeof buf, &len,
	    &doc), ERR_FORMAT);
	err_clear();
	/* A symlink and a FIFO in blobs/sha256 are refused. */
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, dig_b + 7);
	CHECK_EQ(unlink(path), 0);
	CHECK_EQ(symlink("/etc/passwd", path), 0);
	CHECK_EQ(source_fetch(&src, SRC_BLOB, dig_b, buf, sizeof buf, &len, &doc),
	    ERR_FORMAT);
	CHECK(strstr(err_msg(), "not a regular file") != NULL);
	err_clear();
	CHECK_EQ(unlink(path), 0);
	CHECK_EQ(mkfifo(path, 0644), 0);
	snprintf(d.digest, sizeof d.digest, "%s", dig_b);
	CHECK_EQ(source_open(&src, &d, 0, "layer", &from), ERR_FORMAT);
	err_clear();
	CHECK_EQ(unlink(path), 0);
	CHECK_EQ(source_open(&src, &d, 0, "layer", &from), ERR_NOTFOUND);
	CHECK(strstr(err_msg(), "has no blob") != NULL);
	err_clear();
	layout_close(&lay);
}

int
main(void)
{
	char p[160];

	snprintf(dir, sizeof dir, "/tmp/test_layout.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	UNIT_RUN(test_ref);
	UNIT_RUN(test_open_refused);
	UNIT_RUN(test_tags);
	UNIT_RUN(test_blobs);
	snprintf(p, sizeof p, "rm -rf '%s' '%s.out'", dir, dir);
	CHECK_EQ(system(p), 0);
	return UNIT_END();
}
