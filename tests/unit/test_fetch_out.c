/*
 * test_fetch_out.c: where fetch writes (fetch_out.h), in a temporary
 * directory: TARGET parsing; a layout's index.json merged (an entry with
 * the same tag replaced, an untagged one for the same digest replaced,
 * the others and the other members kept); blobs renamed into place only
 * at their end, none left by an abort; a blob already there kept only
 * when it hashes to its name; a new DIR removed by an abort; a directory
 * that is no layout refused untouched; an archive file renamed into place
 * whole, or not at all.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "err.h"
#include "fetch_out.h"
#include "unit.h"

static struct fetch_out o;
static struct fetch_target t;
static char dir[64], path[256];
static char doc[64 * 1024];
static jsmntok_t tok[1024];

#define NTOK ((unsigned)(sizeof tok / sizeof tok[0]))
#define NAME_KEY "\"org.opencontainers.image.ref.name\""

static void
put(const char *name, const char *data)
{
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs(data, f);
		fclose(f);
	}
}

/* The file name below dir, whole into doc; its length or -1. */
static long
get(const char *name)
{
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	n = fread(doc, 1, sizeof doc - 1, f);
	fclose(f);
	doc[n] = '\0';
	return (long)n;
}

static int
exists(const char *name)
{
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static void
test_target(void)
{
	CHECK_EQ(fetch_target_parse(&t, "-"), ERR_OK);
	CHECK_EQ(t.kind, FETCH_TO_STDOUT);
	CHECK_EQ(fetch_target_parse(&t, "oci:/media/usb:fw"), ERR_OK);
	CHECK(t.kind == FETCH_TO_LAYOUT && strcmp(t.path, "/media/usb") == 0 &&
	    strcmp(t.tag, "fw") == 0);
	CHECK_EQ(fetch_target_parse(&t, "oci:rel/dir"), ERR_OK);
	CHECK(strcmp(t.path, "rel/dir") == 0 && t.tag[0] == '\0');
	CHECK_EQ(fetch_target_parse(&t, "oci-archive:/x/fw.tar:2026.12"), ERR_OK);
	CHECK(t.kind == FETCH_TO_ARCHIVE && strcmp(t.path, "/x/fw.tar") == 0 &&
	    strcmp(t.tag, "2026.12") == 0);
	err_clear();
	CHECK_EQ(fetch_target_parse(&t, "oci:/d@sha256:"
	    "0000000000000000000000000000000000000000000000000000000000000000"),
	    ERR_USAGE);
	err_clear();
	CHECK_EQ(fetch_target_parse(&t, "oci-archive:"), ERR_USAGE);
	err_clear();
	CHECK_EQ(fetch_target_parse(&t, "oci-archive:/f.tar:"), ERR_USAGE);
	err_clear();
	CHECK_EQ(fetch_target_parse(&t, "/some/dir"), ERR_USAGE);
	CHECK(strstr(err_msg(), "oci:DIR[:TAG]") != NULL);
	err_clear();
}

static void
open_layout(const char *sub)
{
	snprintf(path, sizeof path, "oci:%s/%s", dir, sub);
	CHECK_EQ(fetch_target_parse(&t, path), ERR_OK);
	CHECK_EQ(fetch_out_open(&o, &t, -1, 1, doc, sizeof doc, tok, NTOK), ERR_OK);
}

/* A blob of the text s through the output: ended, or aborted. */
static void
blob(const char *s, char digest[DIGEST_STR_LEN + 1], int end)
{
	digest_buf(s, strlen(s), digest);
	CHECK_EQ(fetch_out_blob_begin(&o, digest, strlen(s)), ERR_OK);
	CHECK_EQ(fetch_out_write(&o, s, strlen(s)), ERR_OK);
	if (end)
		CHECK_EQ(fetch_out_blob_end(&o), ERR_OK);
	else
		fetch_out_blob_abort(&o);
}

static void
test_merge(void)
{
	static const char entry[] = "{\"digest\":\"sha256:new\",\"size\":1,"
	    "\"annotations\":{" NAME_KEY ":\"a\"}}";
	struct json j;
	long n;

	CHECK_EQ(system("mkdir -p \"$D/m/blobs/sha256\""), 0);
	put("m/oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}");
	put("m/index.json", "{\"schemaVersion\":2,\"manifests\":["
	    "{\"digest\":\"sha256:old-a\",\"size\":1,\"annotations\":{"
	    NAME_KEY ":\"a\"}},{\"digest\":\"sha256:b\",\"size\":2,"
	    "\"annotations\":{" NAME_KEY ":\"b\"}},{\"digest\":\"sha256:c\","
	    "\"size\":3}],\"annotations\":{\"k\":\"v\"}}");
	open_layout("m");
	CHECK_EQ(fetch_out_commit(&o, entry, sizeof entry - 1, "a", "sha256:new",
	    doc, sizeof doc, tok, NTOK), ERR_OK);
	n = get("m/index.json");
	CHECK(n > 0 && json_parse(&j, doc, (size_t)n, tok, NTOK, "x") == ERR_OK);
	CHECK(strstr(doc, "old-a") == NULL && strstr(doc, "sha256:b") != NULL &&
	    strstr(doc, "sha256:c") != NULL && strstr(doc, entry) != NULL &&
	    strstr(doc, "\"annotations\":{\"k\":\"v\"}") != NULL);
	/* Untagged, for digest c: the untagged entry for c goes. */
	open_layout("m");
	CHECK_EQ(fetch_out_commit(&o, "{\"digest\":\"sha256:c\",\"size\":4}", 30,
	    "", "sha256:c", doc, sizeof doc, tok, NTOK), ERR_OK);
	n = get("m/index.json");
	CHECK(n > 0 && strstr(doc, "\"size\":3") == NULL &&
	    strstr(doc, "\"size\":4") != NULL && strstr(doc, entry) != NULL);
	CHECK(!exists("m/index.json.ocipull-tmp"));
}

static void
test_blobs(void)
{
	char d1[DIGEST_STR_LEN + 1], d2[DIGEST_STR_LEN + 1], name[100];

	CHECK_EQ(system("mkdir -p \"$D/b\""), 0);   /* empty: made a layout */
	open_layout("b");
	CHECK(exists("b/oci-layout") && !exists("b/index.json"));
	blob("kept", d1, 1);
	blob("dropped", d2, 0);
	snprintf(name, sizeof name, "b/blobs/sha256/%s", d1 + 7);
	CHECK(exists(name));
	snprintf(name, sizeof name, "b/blobs/sha256/%s", d2 + 7);
	CHECK(!exists(name));
	snprintf(name, sizeof name, "b/blobs/sha256/%s.ocipull-tmp", d2 + 7);
	CHECK(!exists(name));
	CHECK_EQ(fetch_out_have(&o, d1, 4), 1);
	CHECK_EQ(fetch_out_have(&o, d1, 5), 0);
	CHECK_EQ(fetch_out_have(&o, d2, 7), 0);
	/* Same size, other bytes: not kept. */
	snprintf(name, sizeof name, "b/blobs/sha256/%s", d1 + 7);
	put(name, "KEPT");
	CHECK_EQ(fetch_out_have(&o, d1, 4), 0);
	fetch_out_abort(&o);
	CHECK(exists("b/oci-layout"));    /* DIR was not this run's: kept */
}

static void
test_new_dir_abort(void)
{
	char d[DIGEST_STR_LEN + 1];

	open_layout("new");
	CHECK(exists("new/blobs/sha256"));
	blob("a blob", d, 1);
	fetch_out_abort(&o);
	CHECK(!exists("new"));
}

static void
test_not_a_layout(void)
{
	CHECK_EQ(system("mkdir -p \"$D/home\""), 0);
	put("home/notes", "mine");
	snprintf(path, sizeof path, "oci:%s/home", dir);
	CHECK_EQ(fetch_target_parse(&t, path), ERR_OK);
	CHECK_EQ(fetch_out_open(&o, &t, -1, 1, doc, sizeof doc, tok, NTOK),
	    ERR_USAGE);
	err_clear();
	CHECK(exists("home/notes") && !exists("home/oci-layout") &&
	    !exists("home/blobs"));
}

static void
test_archive(void)
{
	char d[DIGEST_STR_LEN + 1];
	long n;

	snprintf(path, sizeof path, "oci-archive:%s/a.tar", dir);
	CHECK_EQ(fetch_target_parse(&t, path), ERR_OK);
	CHECK_EQ(fetch_out_open(&o, &t, -1, 1, doc, sizeof doc, tok, NTOK), ERR_OK);
	CHECK(exists("a.tar.ocipull-tmp") && !exists("a.tar"));
	CHECK_EQ(fetch_out_begin(&o, "{}", 2), ERR_OK);
	blob("data", d, 1);
	CHECK_EQ(fetch_out_commit(&o, NULL, 0, "", "", doc, sizeof doc, tok, NTOK),
	    ERR_OK);
	CHECK(!exists("a.tar.ocipull-tmp"));
	n = get("a.tar");
	/* oci-layout, index.json, two directories, the blob, the end. */
	CHECK_EQ(n, 512 * 2 + 512 * 2 + 512 + 512 + 512 * 2 + 1024);
	CHECK(n > 1024 && memcmp(doc + n - 1024, (char[1024]){ 0 }, 1024) == 0);
	CHECK(strcmp(doc, "oci-layout") == 0 && strcmp(doc + 1024, "index.json") == 0);
	snprintf(path, sizeof path, "oci-archive:%s/b.tar", dir);
	CHECK_EQ(fetch_target_parse(&t, path), ERR_OK);
	CHECK_EQ(fetch_out_open(&o, &t, -1, 1, doc, sizeof doc, tok, NTOK), ERR_OK);
	CHECK_EQ(fetch_out_begin(&o, "{}", 2), ERR_OK);
	fetch_out_abort(&o);
	CHECK(!exists("b.tar.ocipull-tmp") && !exists("b.tar"));
}

int
main(void)
{
	char p[160];

	snprintf(dir, sizeof dir, "/tmp/test_fetch_out.XXXXXX");
	if (mkdtemp(dir) == NULL || setenv("D", dir, 1) != 0)
		return 1;
	UNIT_RUN(test_target);
	UNIT_RUN(test_merge);
	UNIT_RUN(test_blobs);
	UNIT_RUN(test_new_dir_abort);
	UNIT_RUN(test_not_a_layout);
	UNIT_RUN(test_archive);
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	CHECK_EQ(system(p), 0);
	return UNIT_END();
}
