/*
 * fuzz_tar.c: libFuzzer target for the streaming tar reader (src/tar.c).
 *
 * The first input byte chooses where the input (that byte included, so
 * real archives work as seeds) is split in two; both pieces go through
 * tar_push, events are drained, then tar_finish. Checked besides
 * ASan/UBSan: consumed never exceeds the piece, TAR_EV_NONE consumes the
 * whole piece, data spans lie inside the piece, events come in the order
 * ENTRY, DATA*, ENTRY_END with exactly entry.size data bytes, paths and
 * link targets are NUL-terminated within BOARD_PATH_MAX, xattr records
 * stay inside the entry's buffer.
 */
#include "fuzz.h"

#include "err.h"
#include "tar.h"

static struct tar t;

struct track {
	int in_entry;
	uint64_t want, got;
	int ended;
};

static void
check_entry(const struct tar_entry *e)
{
	size_t pos = 0, len;
	unsigned n = 0;
	const char *name;
	const void *value;

	FUZZ_CHECK(fuzz_terminated(e->path, sizeof e->path));
	FUZZ_CHECK(fuzz_terminated(e->link, sizeof e->link));
	FUZZ_CHECK(e->xattr_len <= sizeof e->xattr_buf);
	if (e->type != TAR_REG)
		FUZZ_CHECK(e->size == 0);
	while (tar_xattr_next(e, &pos, &name, &value, &len) == 1) {
		const unsigned char *b = e->xattr_buf;
		const unsigned char *v = value;

		FUZZ_CHECK((const unsigned char *)name >= b &&
		    (const unsigned char *)name < b + e->xattr_len);
		FUZZ_CHECK(fuzz_terminated(name,
		    (size_t)(b + e->xattr_len - (const unsigned char *)name)));
		FUZZ_CHECK(v >= b && v <= b + e->xattr_len &&
		    len <= (size_t)(b + e->xattr_len - v));
		FUZZ_CHECK(pos <= e->xattr_len);
		FUZZ_CHECK(++n <= e->nxattrs);
	}
	FUZZ_CHECK(n == e->nxattrs);
}

/* Feed one piece; returns a negative error to stop, else 0. */
static int
feed(const uint8_t *in, size_t len, struct track *tr)
{
	unsigned idle = 0;

	for (;;) {
		size_t used = (size_t)-1;
		struct tar_event ev = { NULL, 0 };
		int rc = tar_push(&t, in, len, &used, &ev);

		FUZZ_CHECK(used <= len);
		if (rc < 0)
			return rc;
		FUZZ_CHECK(rc <= TAR_EV_END);
		switch (rc) {
		case TAR_EV_NONE:
			FUZZ_CHECK(used == len);
			return 0;
		case TAR_EV_ENTRY:
			FUZZ_CHECK(!tr->in_entry && !tr->ended);
			check_entry(tar_entry(&t));
			tr->in_entry = 1;
			tr->want = tar_entry(&t)->size;
			tr->got = 0;
			break;
		case TAR_EV_DATA:
			FUZZ_CHECK(tr->in_entry);
			FUZZ_CHECK(ev.len > 0);
			FUZZ_CHECK(ev.data >= in && ev.data < in + len &&
			    ev.len <= (size_t)(in + len - ev.data));
			tr->got += ev.len;
			FUZZ_CHECK(tr->got <= tr->want);
			break;
		case TAR_EV_ENTRY_END:
			FUZZ_CHECK(tr->in_entry);
			FUZZ_CHECK(tr->got == tr->want);
			tr->in_entry = 0;
			break;
		case TAR_EV_END:
			FUZZ_CHECK(!tr->in_entry && !tr->ended);
			tr->ended = 1;
			break;
		}
		if (used == 0 && rc == TAR_EV_NONE)
			FUZZ_CHECK(++idle < 4);
		in += used;
		len -= used;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct track tr = { 0, 0, 0, 0 };
	size_t split;
	int rc;

	if (size < 1)
		return 0;
	split = (size_t)data[0] * size / 255u;
	err_clear();
	tar_init(&t);
	rc = feed(data, split, &tr);
	if (rc == 0)
		rc = feed(data + split, size - split, &tr);
	if (rc < 0) {
		FUZZ_CHECK(rc == ERR_FORMAT || rc == ERR_UNSUPPORTED ||
		    rc == ERR_NOMEM);
		FUZZ_CHECK(err_msg()[0] != '\0');
		/* Sticky. */
		FUZZ_CHECK(tar_finish(&t) == rc);
		return 0;
	}
	rc = tar_finish(&t);
	FUZZ_CHECK(rc == ERR_OK || rc == ERR_FORMAT);
	/* A clean end never leaves a member's data short. */
	if (rc == ERR_OK)
		FUZZ_CHECK(!tr.in_entry);
	return 0;
}
