/*
 * decompress.c: the engine table. Adding an engine is one row here and a
 * member in struct decompress.
 */
#include "decompress.h"

#include <stddef.h>

#include "err.h"
#include "manifest.h"

struct engine {
	int codec;
	void (*init)(struct decompress *d);
	int (*push)(struct decompress *d, const uint8_t *in, size_t len,
	    size_t *consumed, const uint8_t **out, size_t *olen);
	int (*finish)(struct decompress *d);
};

static void
identity_init(struct decompress *d)
{
	gunzip_init(&d->gz, 0);
}

static void
gzip_init(struct decompress *d)
{
	gunzip_init(&d->gz, 1);
}

static int
gz_push(struct decompress *d, const uint8_t *in, size_t len, size_t *consumed,
    const uint8_t **out, size_t *olen)
{
	return gunzip_push(&d->gz, in, len, consumed, out, olen);
}

static int
gz_finish(struct decompress *d)
{
	return gunzip_finish(&d->gz);
}

static void
zstd_init(struct decompress *d)
{
	unzstd_init(&d->zs);
}

static int
zs_push(struct decompress *d, const uint8_t *in, size_t len, size_t *consumed,
    const uint8_t **out, size_t *olen)
{
	return unzstd_push(&d->zs, in, len, consumed, out, olen);
}

static int
zs_finish(struct decompress *d)
{
	return unzstd_finish(&d->zs);
}

static const struct engine engines[] = {
	{ MF_CODEC_NONE, identity_init, gz_push, gz_finish },
	{ MF_CODEC_GZIP, gzip_init, gz_push, gz_finish },
	{ MF_CODEC_ZSTD, zstd_init, zs_push, zs_finish },
};

#define NENGINES (sizeof engines / sizeof engines[0])

int
decompress_init(struct decompress *d, int codec, const char *what,
    const char *media_type)
{
	unsigned i;

	for (i = 0; i < NENGINES && engines[i].codec != codec; i++)
		;
	if (i == NENGINES)
		return err_set(ERR_UNSUPPORTED, "%s: layers of %s cannot be "
		    "decompressed by this build", what, media_type);
	d->engine = i;
	engines[i].init(d);
	return ERR_OK;
}

int
decompress_push(struct decompress *d, const uint8_t *in, size_t len,
    size_t *consumed, const uint8_t **out, size_t *olen)
{
	return engines[d->engine].push(d, in, len, consumed, out, olen);
}

int
decompress_finish(struct decompress *d)
{
	return engines[d->engine].finish(d);
}

size_t
decompress_arena_peak(const struct decompress *d, int codec)
{
	return codec == MF_CODEC_ZSTD ? d->zs.arena_peak : d->gz.arena_peak;
}
