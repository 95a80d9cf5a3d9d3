/*
 * test_tar_write.c: the headers fetch writes (tar_write.h), read back by
 * ocipull's own tar reader (tar.h): short and long names, directories, a
 * size beyond 11 octal digits, padding; and refusals.
 */
#include "unit.h"

#include "err.h"
#include "tar.h"
#include "tar_write.h"

static struct tar t;
static uint8_t arch[16 * 1024];

/* Append a member of n bytes of 'x' (only the header when data is 0). */
static size_t
add(size_t at, const char *name, int type, uint32_t mode, uint64_t size,
    int data)
{
	long n = tarw_header(arch + at, sizeof arch - at, name, type, mode, size);

	CHECK(n > 0 && n % TARW_BLOCK == 0);
	at += (size_t)n;
	if (data) {
		memset(arch + at, 'x', (size_t)size);
		at += (size_t)size;
		memset(arch + at, 0, tarw_pad(size));
		at += tarw_pad(size);
		CHECK_EQ(at % TARW_BLOCK, 0);
	}
	return at;
}

/* The next entry of arch[*pos..len) (one byte at a time: every split). */
static const struct tar_entry *
next(size_t *pos, size_t len, uint64_t *data)
{
	struct tar_event ev;
	size_t used;
	int rc;

	*data = 0;
	while (*pos <= len) {
		rc = tar_push(&t, arch + *pos, *pos < len ? 1 : 0, &used, &ev);
		*pos += used;
		if (rc == TAR_EV_ENTRY)
			return tar_entry(&t);
		if (rc == TAR_EV_DATA)
			*data += ev.len;
		if (rc < 0 || (rc == TAR_EV_NONE && *pos == len))
			return NULL;
	}
	return NULL;
}

static void
test_round_trip(void)
{
	char longname[201];
	const struct tar_entry *e;
	uint64_t got;
	size_t at = 0, pos = 0, len;
	int rc;

	memset(longname, 'n', 200);
	longname[200] = '\0';
	memcpy(longname, "blobs/", 6);
	at = add(at, "oci-layout", TARW_FILE, 0644, 30, 1);
	at = add(at, "blobs/sha256/", TARW_DIR, 0755, 0, 0);
	at = add(at, longname, TARW_FILE, 0644, 513, 1);
	memset(arch + at, 0, TARW_END);
	len = at + TARW_END;
	tar_init(&t);
	e = next(&pos, len, &got);
	CHECK(e != NULL && strcmp(e->path, "oci-layout") == 0 && e->size == 30 &&
	    e->type == TAR_REG && e->mode == 0644 && e->uid == 0 &&
	    e->mtime_s == TARW_MTIME);
	e = next(&pos, len, &got);
	CHECK_EQ(got, 30);
	CHECK(e != NULL && strcmp(e->path, "blobs/sha256/") == 0 &&
	    e->type == TAR_DIR && e->mode == 0755);
	e = next(&pos, len, &got);
	CHECK(e != NULL && strcmp(e->path, longname) == 0 && e->size == 513);
	e = next(&pos, len, &got);
	CHECK(e == NULL);
	CHECK_EQ(got, 513);
	rc = tar_finish(&t);
	CHECK_EQ(rc, ERR_OK);
}

/* 8 GiB and more: the size in a PAX record, which the reader prefers. */
static void
test_big_size(void)
{
	const uint64_t big = (uint64_t)9 << 30;
	const struct tar_entry *e;
	uint64_t got;
	size_t pos = 0, len;

	len = add(0, "blobs/sha256/big", TARW_FILE, 0644, big, 0);
	CHECK_EQ(len, 3 * TARW_BLOCK);
	CHECK_EQ(add(0, "small", TARW_FILE, 0644, ((uint64_t)8 << 30) - 1, 0),
	    TARW_BLOCK);
	len = add(0, "blobs/sha256/big", TARW_FILE, 0644, big, 0);
	tar_init(&t);
	e = next(&pos, len, &got);
	CHECK(e != NULL && e->size == big && strcmp(e->path,
	    "blobs/sha256/big") == 0);
	CHECK_EQ(tarw_pad(big + 1), 511);
	CHECK_EQ(tarw_pad(1024), 0);
}

static void
test_refused(void)
{
	char name[300];
	uint8_t h[TARW_HDR_MAX];

	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	CHECK_EQ(tarw_header(h, sizeof h, name, TARW_FILE, 0644, 1), ERR_USAGE);
	err_clear();
	CHECK_EQ(tarw_header(h, sizeof h, "", TARW_FILE, 0644, 1), ERR_USAGE);
	err_clear();
	CHECK_EQ(tarw_header(h, 512, "a", TARW_FILE, 0644, 1), ERR_USAGE);
	err_clear();
}

int
main(void)
{
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_big_size);
	UNIT_RUN(test_refused);
	return unit_failed != 0;
}
