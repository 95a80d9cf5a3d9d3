/*
 * fuzz_archive.c: libFuzzer target for the archive member reader
 * (src/archive.c), as a file and as a pipe.
 *
 * The input goes into a memfd, opened by its /proc path as a file (indexed
 * with pread); every member is looked for by name and read whole, and
 * archive_finish runs. When the first byte is odd, the same bytes then go
 * through a pipe on the standard input (inputs up to the pipe's
 * capacity, read forward), and the names the file pass found are asked
 * for in an order starting at the second byte. Checked besides ASan/UBSan: recorded names are NUL-terminated,
 * relative, free of ".." components and unique; a member read whole has
 * exactly its size; a file never refuses with "cannot be streamed".
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#include "archive.h"
#include "err.h"

static struct archive a;
static char doc[64 * 1024];
static char names[ARCHIVE_MEMBERS][ARCHIVE_NAME_MAX + 1];

static void
check_names(void)
{
	unsigned i, j;

	FUZZ_CHECK(a.n <= ARCHIVE_MEMBERS);
	for (i = 0; i < a.n; i++) {
		const char *n = a.m[i].name;
		FUZZ_CHECK(fuzz_terminated(n, sizeof a.m[i].name));
		FUZZ_CHECK(n[0] != '/' && n[0] != '\0');
		FUZZ_CHECK(strcmp(n, "..") != 0 && strncmp(n, "../", 3) != 0 &&
		    strstr(n, "/../") == NULL);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(n, a.m[j].name) != 0);
	}
}

/* Every name in names[0..n) from start on (wrapping), found and read
 * whole; then index.json and the rest of the archive. */
static void
walk(int pipe_mode, unsigned n, unsigned start)
{
	unsigned k, i, idx;
	size_t len;
	int rc;

	check_names();
	for (k = 0; k < n; k++) {
		i = (start + k) % n;
		rc = archive_find(&a, names[i], "fuzz", &idx);
		err_clear();
		if (rc != ERR_OK)
			continue;
		rc = archive_read_all(&a, idx, doc, sizeof doc, &len);
		if (!pipe_mode)
			FUZZ_CHECK(rc != ERR_UNSUPPORTED);
		if (rc == ERR_OK)
			FUZZ_CHECK(len == a.m[idx].size);
		err_clear();
	}
	(void)archive_find(&a, "index.json", "fuzz", &idx);
	err_clear();
	(void)archive_finish(&a);
	err_clear();
	check_names();
}

/* The input as a file: indexed, its names kept for the pipe pass. */
static unsigned
as_file(const uint8_t *data, size_t size)
{
	char path[64];
	unsigned n = 0, i;
	int fd = memfd_create("fuzz_archive", 0);

	if (fd < 0)
		return 0;
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (archive_open(&a, path) == ERR_OK) {
		n = a.n;
		for (i = 0; i < n; i++)
			memcpy(names[i], a.m[i].name, sizeof names[i]);
		walk(0, n, 0);
	}
	err_clear();
	archive_close(&a);
	close(fd);
	return n;
}

/* The same bytes through a pipe on the standard input, the names asked
 * for in an order the input chooses. */
static void
as_pipe(const uint8_t *data, size_t size, unsigned n)
{
	int p[2], in;

	if (pipe(p) != 0)
		return;
	FUZZ_CHECK(write(p[1], data, size) == (ssize_t)size);
	close(p[1]);
	in = dup(0);
	dup2(p[0], 0);
	close(p[0]);
	if (archive_open(&a, "-") == ERR_OK)
		walk(1, n, size > 1 ? data[1] : 0);
	err_clear();
	archive_close(&a);
	dup2(in, 0);
	close(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = as_file(data, size);

	if (size > 0 && (data[0] & 1) && size <= 60000)
		as_pipe(data, size, n);
	return 0;
}
