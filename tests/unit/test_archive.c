/*
 * test_archive.c: the member reader of archive.h over tar archives made
 * here: a file (indexed, read in any order, from offsets) and a pipe on
 * the standard input (read forward, small members kept, a passed large
 * member refused, a member read twice, the rest checked by
 * archive_finish, errors that stay); hostile names, "./x" against x,
 * duplicates, links, truncation and the member cap.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "err.h"
#include "unit.h"

static struct archive arc;
static char path[64];
static unsigned char tarbuf[2 * 1024 * 1024];
static size_t tarlen;
static uint64_t from_unused;
static char doc[300 * 1024];

/* Append a ustar member (type '0' regular, '2' symlink, '5' directory). */
static void
add(const char *name, int type, const char *data, size_t n)
{
	unsigned char *h = tarbuf + tarlen;
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", type == '0' ? n : 0);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (type == '2')
		snprintf((char *)h + 157, 100, "%s", "/etc/passwd");
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	tarlen += 512;
	if (type != '0')
		return;
	if (data != NULL)
		memcpy(tarbuf + tarlen, data, n);
	else
		memset(tarbuf + tarlen, 'L', n);
	tarlen += (n + 511) / 512 * 512;
}

static void
finish_tar(void)
{
	memset(tarbuf + tarlen, 0, 1024);
	tarlen += 1024;
}

static void
save(size_t len)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK_EQ(fwrite(tarbuf, 1, len, f), len);
	fclose(f);
}

/* Standard input becomes a pipe fed with the first len bytes of tarbuf
 * by a child; returns the child. */
static pid_t
feed(size_t len)
{
	int p[2];
	pid_t pid;

	CHECK_EQ(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		size_t at = 0;
		ssize_t w;
		close(p[0]);
		while (at < len && (w = write(p[1], tarbuf + at, len - at)) > 0)
			at += (size_t)w;
		_exit(0);
	}
	close(p[1]);
	if (p[0] != 0) {          /* 0 itself when reap closed it */
		CHECK_EQ(dup2(p[0], 0), 0);
		close(p[0]);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	archive_close(&arc);
	close(0);
	waitpid(pid, NULL, 0);
}

static void
base(void)
{
	tarlen = 0;
	add("./", '5', NULL, 0);
	add("./oci-layout", '0', "layout", 6);
	add("blobs/", '5', NULL, 0);
	add("blobs/sha256/big", '0', NULL, 300 * 1024);
	add("index.json", '0', "{\"x\":1}", 7);
	add("blobs/sha256/link", '2', NULL, 0);
}

static void
test_file(void)
{
	const uint8_t *p;
	uint64_t from;
	size_t n, len;
	unsigned i;

	base();
	finish_tar();
	save(tarlen);
	CHECK_EQ(archive_open(&arc, path), ERR_OK);
	CHECK_EQ(arc.pipe, 0);
	CHECK_EQ(arc.n, 4);                        /* directories skipped */
	/* Any order, "./" dropped. */
	CHECK_EQ(archive_find(&arc, "index.json", "t", &i), ERR_OK);
	CHECK_EQ(archive_read_all(&arc, i, doc, sizeof doc, &len), ERR_OK);
	CHECK_MEM(doc, len, "{\"x\":1}");
	CHECK_EQ(archive_find(&arc, "oci-layout", "t", &i), ERR_OK);
	CHECK_EQ(archive_read_all(&arc, i, doc, sizeof doc, &len), ERR_OK);
	CHECK_MEM(doc, len, "layout");
	CHECK_EQ(archive_read_all(&arc, i, doc, 3, &len), ERR_NOMEM);
	err_clear();
	/* A blob from an offset, in spans. */
	CHECK_EQ(archive_find(&arc, "blobs/sha256/big", "t", &i), ERR_OK);
	CHECK_EQ(archive_begin(&arc, i, 1000, &from), ERR_OK);
	CHECK_EQ(from, 1000);
	len = 0;
	while (archive_read(&arc, &p, &n) == ERR_OK)
		len += n;
	CHECK_EQ(len, 300 * 1024 - 1000);
	CHECK_EQ(archive_find(&arc, "nosuch", "t", &i), ERR_NOTFOUND);
	CHECK(strstr(err_msg(), "has no member nosuch") != NULL);
	err_clear();
	CHECK_EQ(archive_find(&arc, "blobs/sha256/link", "t", &i), ERR_FORMAT);
	CHECK(strstr(err_msg(), "not a regular file") != NULL);
	err_clear();
	CHECK_EQ(archive_finish(&arc), ERR_OK);
	archive_close(&arc);
}

/* Each hostile archive is refused when it is opened, naming the member. */
static void
test_file_refused(void)
{
	static const struct { const char *name; int dup; const char *says; } c[] = {
		{ "../escape", 0, "\"..\" component" },
		{ "blobs/../../x", 0, "\"..\" component" },
		{ "/abs", 0, "absolute name" },
		{ "index.json", 1, "appears twice" },
		{ "oci-layout", 0, "appears twice" },   /* base has "./oci-layout" */
	};
	size_t k, i;

	for (k = 0; k < sizeof c / sizeof c[0]; k++) {
		base();
		add(c[k].name, '0', "x", 1);
		if (c[k].dup)
			add("./index.json", '0', "y", 1);
		finish_tar();
		save(tarlen);
		CHECK_EQ(archive_open(&arc, path), ERR_FORMAT);
		CHECK(strstr(err_msg(), c[k].says) != NULL);
		err_clear();
	}
	/* Truncated inside the big member's data. */
	base();
	finish_tar();
	save(512 * 4 + 1000);
	CHECK_EQ(archive_open(&arc, path), ERR_FORMAT);
	CHECK(strstr(err_msg(), "is truncated") != NULL);
	err_clear();
	/* More members than the table holds. */
	tarlen = 0;
	for (i = 0; i <= ARCHIVE_MEMBERS; i++) {
		char name[32];
		snprintf(name, sizeof name, "m%zu", i);
		add(name, '0', "", 0);
	}
	finish_tar();
	save(tarlen);
	CHECK_EQ(archive_open(&arc, path), ERR_NOMEM);
	CHECK(strstr(err_msg(), "ARCHIVE_MEMBERS") != NULL);
	err_clear();
}

static void
test_pipe(void)
{
	const uint8_t *p;
	uint64_t from;
	unsigned i;
	size_t n, len;
	pid_t pid;

	/* Documents first, then the big member: all of it streams. */
	tarlen = 0;
	add("oci-layout", '0', "layout", 6);
	add("index.json", '0', "{\"x\":1}", 7);
	add("blobs/sha256/big", '0', NULL, 300 * 1024);
	add("README", '0', "ignored", 7);
	finish_tar();
	pid = feed(tarlen);
	CHECK_EQ(archive_open(&arc, "-"), ERR_OK);
	CHECK_EQ(arc.pipe, 1);
	/* index.json passes while oci-layout is looked for... */
	CHECK_EQ(archive_find(&arc, "index.json", "t", &i), ERR_OK);
	CHECK_EQ(archive_read_all(&arc, i, doc, sizeof doc, &len), ERR_OK);
	CHECK_EQ(archive_find(&arc, "oci-layout", "t", &i), ERR_OK);
	CHECK_EQ(archive_read_all(&arc, i, doc, sizeof doc, &len), ERR_OK);
	CHECK_MEM(doc, len, "layout");                 /* ...and was kept */
	CHECK_EQ(archive_find(&arc, "index.json", "t", &i), ERR_OK);
	CHECK_EQ(archive_read_all(&arc, i, doc, sizeof doc, &len), ERR_OK);
	CHECK_MEM(doc, len, "{\"x\":1}");              /* read again */
	CHECK_EQ(archive_find(&arc, "blobs/sha256/big", "t", &i), ERR_OK);
	CHECK_EQ(archive_begin(&arc, i, 500, &from), ERR_OK);
	CHECK_EQ(from, 0);                             /* a pipe starts over */
	len = 0;
	while (archive_read(&arc, &p, &n) == ERR_OK)
		len += n;
	CHECK_EQ(len, 300 * 1024);
	CHECK_EQ(archive_begin(&arc, i, 0, &from), ERR_UNSUPPORTED);
	err_clear();
	CHECK_EQ(archive_finish(&arc), ERR_OK);
	reap(pid);

	/* The big member before the documents: gone when asked for. */
	base();
	finish_tar();
	pid = feed(tarlen);
	CHECK_EQ(archive_open(&arc, "-"), ERR_OK);
	CHECK_EQ(archive_find(&arc, "index.json", "t", &i), ERR_OK);
	CHECK_EQ(archive_find(&arc, "blobs/sha256/big", "t", &i),
	    ERR_UNSUPPORTED);
	CHECK(strstr(err_msg(), "cannot be streamed: member blobs/sha256/big "
	    "(307200 bytes) came before") != NULL);
	err_clear();
	CHECK_EQ(archive_find(&arc, "oci-layout", "t", &i), ERR_OK);  /* kept */
	reap(pid);

	/* A duplicate after the last member asked for: archive_finish. */
	base();
	add("oci-layout", '0', "again", 5);
	finish_tar();
	pid = feed(tarlen);
	CHECK_EQ(archive_open(&arc, "-"), ERR_OK);
	CHECK_EQ(archive_find(&arc, "oci-layout", "t", &i), ERR_OK);
	CHECK_EQ(archive_finish(&arc), ERR_FORMAT);
	CHECK(strstr(err_msg(), "appears twice") != NULL);
	err_clear();
	reap(pid);

	/* Truncated inside the big member. */
	base();
	pid = feed(512 * 4 + 1000);
	CHECK_EQ(archive_open(&arc, "-"), ERR_OK);
	CHECK_EQ(archive_find(&arc, "oci-layout", "t", &i), ERR_OK);
	CHECK_EQ(archive_finish(&arc), ERR_FORMAT);
	CHECK(strstr(err_msg(), "truncated") != NULL);
	err_clear();
	reap(pid);
}

/* A member read through a pipe is kept when it fits: asked for again
 * (a manifest listing one layer twice), it is read again from the store. */
static void
test_pipe_read_twice(void)
{
	const uint8_t *p;
	uint64_t from;
	unsigned i;
	size_t n, len;
	pid_t pid;
	int pass;

	tarlen = 0;
	add("oci-layout", '0', "layout", 6);
	add("blobs/sha256/small", '0', NULL, 4000);
	add("blobs/sha256/big", '0', NULL, 300 * 1024);
	finish_tar();
	pid = feed(tarlen);
	CHECK_EQ(archive_open(&arc, "-"), ERR_OK);
	for (pass = 0; pass < 2; pass++) {
		CHECK_EQ(archive_find(&arc, "blobs/sha256/small", "t", &i), ERR_OK);
		CHECK_EQ(archive_begin(&arc, i, 0, &from), ERR_OK);
		len = 0;
		while (archive_read(&arc, &p, &n) == ERR_OK) {
			CHECK(n == 0 || p[0] == 'L');
			len += n;
		}
		CHECK_EQ(len, 4000);
	}
	/* Too large for the store: read once, then refused as such. */
	CHECK_EQ(archive_find(&arc, "blobs/sha256/big", "t", &i), ERR_OK);
	CHECK_EQ(archive_begin(&arc, i, 0, &from), ERR_OK);
	while (archive_read(&arc, &p, &n) == ERR_OK)
		;
	CHECK_EQ(archive_find(&arc, "blobs/sha256/big", "t", &i),
	    ERR_UNSUPPORTED);
	CHECK(strstr(err_msg(), "asked for a second time") != NULL);
	err_clear();
	CHECK_EQ(archive_finish(&arc), ERR_OK);
	reap(pid);

	/* Written twice (as fetch writes a shared layer): the second copy
	 * serves the second read. A file reads the first. */
	tarlen = 0;
	add("blobs/sha256/big", '0', NULL, 300 * 1024);
	add("oci-layout", '0', "layout", 6);
	add("blobs/sha256/big", '0', NULL, 300 * 1024);
	finish_tar();
	save(tarlen);
	pid = feed(tarlen);
	CHECK_EQ(archive_open(&arc, "-"), ERR_OK);
	for (pass = 0; pass < 2; pass++) {
		CHECK_EQ(archive_find(&arc, "blobs/sha256/big", "t", &i), ERR_OK);
		CHECK_EQ(archive_begin(&arc, i, 0, &from), ERR_OK);
		len = 0;
		while (archive_read(&arc, &p, &n) == ERR_OK)
			len += n;
		CHECK_EQ(len, 300 * 1024);
		if (pass == 0)
			CHECK_EQ(archive_find(&arc, "oci-layout", "t", &i), ERR_OK);
	}
	CHECK_EQ(archive_finish(&arc), ERR_OK);
	reap(pid);
	CHECK_EQ(archive_open(&arc, path), ERR_OK);
	CHECK_EQ(arc.n, 2);
	CHECK_EQ(archive_find(&arc, "blobs/sha256/big", "t", &i), ERR_OK);
	CHECK_EQ(arc.m[i].off, 512);
	archive_close(&arc);
}

/* A broken pipe archive stays broken: the member after a hostile one is
 * not served. */
static void
test_pipe_sticky(void)
{
	unsigned i;
	pid_t pid;

	tarlen = 0;
	add("oci-layout", '0', "layout", 6);
	add("../evil", '0', "x", 1);
	add("index.json", '0', "{}", 2);
	finish_tar();
	pid = feed(tarlen);
	CHECK_EQ(archive_open(&arc, "-"), ERR_OK);
	CHECK_EQ(archive_find(&arc, "oci-layout", "t", &i), ERR_OK);
	CHECK_EQ(archive_find(&arc, "index.json", "t", &i), ERR_FORMAT);
	CHECK(strstr(err_msg(), "\"..\" component") != NULL);
	err_clear();
	CHECK_EQ(archive_find(&arc, "index.json", "t", &i), ERR_FORMAT);
	CHECK_EQ(archive_begin(&arc, 0, 0, &from_unused), ERR_FORMAT);
	CHECK_EQ(archive_finish(&arc), ERR_FORMAT);
	err_clear();
	reap(pid);
}

int
main(void)
{
	snprintf(path, sizeof path, "/tmp/test_archive.%d.tar", (int)getpid());
	UNIT_RUN(test_file);
	UNIT_RUN(test_file_refused);
	UNIT_RUN(test_pipe);
	UNIT_RUN(test_pipe_read_twice);
	UNIT_RUN(test_pipe_sticky);
	unlink(path);
	return UNIT_END();
}
