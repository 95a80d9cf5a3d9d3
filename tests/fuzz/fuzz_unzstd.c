/*
 * fuzz_unzstd.c: libFuzzer target for src/unzstd.c.
 *
 * The first input byte chooses a piece size; the rest is fed twice, whole
 * and in pieces of that size, then flushed (NULL input until no output)
 * and finished. Both runs must give the same result and the same output
 * (compared by length and a checksum). Checked in every call: consumed
 * within the input, output at most BOARD_ZSTD_OUT bytes, progress (no
 * endless calls that neither consume nor produce), the arena's use within
 * BOARD_ZSTD_ARENA.
 */
#include "fuzz.h"

#include "config.h"
#include "err.h"
#include "unzstd.h"

/* Stop reading output past this (a small input may decode to a lot). */
#define OUT_CAP (4u << 20)

struct result {
	int rc;
	uint64_t out_len;
	uint32_t sum;
};

static struct unzstd z;

static int
drain(const uint8_t *out, size_t olen, struct result *res)
{
	size_t i;

	FUZZ_CHECK(olen <= BOARD_ZSTD_OUT);
	for (i = 0; i < olen; i++)
		res->sum = res->sum * 31u + out[i];
	res->out_len += olen;
	return res->out_len > OUT_CAP;
}

static int
flush(struct result *res)
{
	const uint8_t *out;
	size_t used, olen;
	int rc;

	do {
		used = (size_t)-1;
		rc = unzstd_push(&z, NULL, 0, &used, &out, &olen);
		if (rc < 0)
			return rc;
		FUZZ_CHECK(used == 0);
		if (drain(out, olen, res))
			return 1;
	} while (olen > 0);
	return unzstd_finish(&z);
}

static void
run(const uint8_t *in, size_t len, size_t step, struct result *res)
{
	const uint8_t *out;
	size_t used, olen, n;
	unsigned idle = 0;
	int rc = ERR_OK;

	memset(res, 0, sizeof *res);
	unzstd_init(&z);
	err_clear();
	while (len > 0) {
		n = step != 0 && step < len ? step : len;
		used = (size_t)-1;
		olen = (size_t)-1;
		rc = unzstd_push(&z, in, n, &used, &out, &olen);
		if (rc < 0)
			break;
		FUZZ_CHECK(rc == ERR_OK);
		FUZZ_CHECK(used <= n);
		if (drain(out, olen, res)) {
			res->rc = 1;
			return;
		}
		if (used == 0 && olen == 0)
			FUZZ_CHECK(++idle < 8);
		else
			idle = 0;
		in += used;
		len -= used;
	}
	if (rc == ERR_OK)
		rc = flush(res);
	FUZZ_CHECK(z.arena_peak <= BOARD_ZSTD_ARENA);
	if (rc < 0) {
		FUZZ_CHECK(rc == ERR_FORMAT || rc == ERR_UNSUPPORTED ||
		    rc == ERR_NOMEM);
		FUZZ_CHECK(err_msg()[0] != '\0');
	}
	res->rc = rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result a, b;
	size_t step;

	if (size < 1)
		return 0;
	step = 1u + data[0];
	data++;
	size--;
	run(data, size, 0, &a);
	run(data, size, step, &b);
	/* Output cut short by OUT_CAP is not compared. */
	if (a.rc == 1 || b.rc == 1)
		return 0;
	FUZZ_CHECK(a.rc == b.rc);
	if (a.rc == ERR_OK)
		FUZZ_CHECK(a.out_len == b.out_len && a.sum == b.sum);
	return 0;
}
