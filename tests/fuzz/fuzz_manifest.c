/*
 * fuzz_manifest.c: libFuzzer target for src/manifest.c on documents
 * parsed by json_parse.
 *
 * The last input byte chooses the Content-Type handed to manifest_kind,
 * the wanted platform and the layer cap; the rest is the document. Every
 * reader runs on every document (manifest_kind, manifest_index_select,
 * manifest_index_platforms, manifest_image, manifest_config). On success
 * the outputs must honour the header: digests valid, sizes below 2^53,
 * counts within the caps, strings NUL-terminated, the chosen platform
 * runs on the wanted one, layer media types have a codec.
 */
#include "fuzz.h"

#include "config.h"
#include "err.h"
#include "json.h"
#include "manifest.h"
#include "platform.h"
#include "ref.h"

#define SIZE_LIMIT (((uint64_t)1 << 53) - 1)

static const char *const ctypes[] = {
	NULL, "", "application/json", MT_OCI_INDEX, MT_OCI_MANIFEST,
	MT_DOCKER_LIST, MT_DOCKER_MANIFEST " ; charset=utf-8", MT_DOCKER_V1
};
static const char *const plats[] = {
	"linux/amd64", "linux/arm/v7", "linux/arm64", "linux/arm/v5"
};

static void
check_desc(const struct descriptor *d, int index_entry)
{
	FUZZ_CHECK(fuzz_terminated(d->media_type, sizeof d->media_type));
	FUZZ_CHECK(fuzz_terminated(d->url, sizeof d->url));
	FUZZ_CHECK(ref_digest_valid(d->digest, strlen(d->digest)));
	FUZZ_CHECK(d->size <= SIZE_LIMIT);
	FUZZ_CHECK((d->nurls == 0) == (d->url[0] == '\0'));
	if (!index_entry)
		FUZZ_CHECK(!d->has_platform);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static jsmntok_t tok[BOARD_JSON_TOKENS];
	static struct descriptor layers[BOARD_LAYERS_MAX], config, chosen;
	static char diff_ids[BOARD_LAYERS_MAX][72];
	static char list[4096];
	struct platform want, plat;
	struct json j;
	size_t max, n, i;
	int kind = 0, rc;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[size - 1];
	size--;
	err_clear();
	if (json_parse(&j, (const char *)data, size, tok, BOARD_JSON_TOKENS,
	    "manifest") != ERR_OK)
		return 0;
	max = 1u + (sel >> 5) % 4u;
	if (sel & 0x10)
		max = BOARD_LAYERS_MAX;

	rc = manifest_kind(&j, ctypes[sel & 7u], &kind);
	FUZZ_CHECK(rc == ERR_OK || rc == ERR_UNSUPPORTED || rc == ERR_FORMAT);
	if (rc == ERR_OK)
		FUZZ_CHECK(kind == MF_INDEX || kind == MF_IMAGE);
	else
		FUZZ_CHECK(err_msg()[0] != '\0');

	err_clear();
	FUZZ_CHECK(platform_parse(plats[(sel >> 3) & 3u], &want) == ERR_OK);
	rc = manifest_index_select(&j, &want, &chosen);
	if (rc == ERR_OK) {
		check_desc(&chosen, 1);
		if (chosen.has_platform)
			FUZZ_CHECK(platform_rank(&want, &chosen.platform) >= 0);
	} else {
		FUZZ_CHECK(rc == ERR_PLATFORM || rc == ERR_FORMAT ||
		    rc == ERR_UNSUPPORTED);
		FUZZ_CHECK(err_msg()[0] != '\0');
	}
	rc = manifest_index_platforms(&j, list, sizeof list);
	FUZZ_CHECK(fuzz_terminated(list, sizeof list));
	rc = manifest_index_platforms(&j, list, 1u + (sel & 15u));
	FUZZ_CHECK(fuzz_terminated(list, 1u + (sel & 15u)));

	err_clear();
	rc = manifest_image(&j, &config, layers, max, &n);
	if (rc == ERR_OK) {
		FUZZ_CHECK(n <= max);
		check_desc(&config, 0);
		for (i = 0; i < n; i++) {
			check_desc(&layers[i], 0);
			FUZZ_CHECK(manifest_layer_codec(layers[i].media_type)
			    >= 0);
		}
	} else {
		FUZZ_CHECK(rc == ERR_FORMAT || rc == ERR_UNSUPPORTED ||
		    rc == ERR_NOMEM);
		FUZZ_CHECK(err_msg()[0] != '\0');
	}

	err_clear();
	rc = manifest_config(&j, &plat, diff_ids, max, &n);
	if (rc == ERR_OK) {
		FUZZ_CHECK(n <= max);
		FUZZ_CHECK(fuzz_terminated(plat.os, sizeof plat.os));
		FUZZ_CHECK(fuzz_terminated(plat.arch, sizeof plat.arch));
		FUZZ_CHECK(fuzz_terminated(plat.variant, sizeof plat.variant));
		for (i = 0; i < n; i++) {
			FUZZ_CHECK(fuzz_terminated(diff_ids[i],
			    sizeof diff_ids[i]));
			FUZZ_CHECK(ref_digest_valid(diff_ids[i],
			    strlen(diff_ids[i])));
		}
	} else {
		FUZZ_CHECK(rc == ERR_FORMAT || rc == ERR_UNSUPPORTED ||
		    rc == ERR_NOMEM);
		FUZZ_CHECK(err_msg()[0] != '\0');
	}
	return 0;
}
