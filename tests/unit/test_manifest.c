/*
 * test_manifest.c: index selection, image manifests, configs, media types;
 * hand-written documents, an OCI layout generated here (nested indexes,
 * artifacts, the shapes of the layouts below) and, when present, the real
 * OCI layouts of the shared corpus (see unit.h and its SOURCES.md).
 */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "digest.h"
#include "err.h"
#include "json.h"
#include "manifest.h"
#include "platform.h"

/* BOARD_LAYERS_MAX is not in config.h yet: a local cap for the tests. */
#define LAYERS_MAX 16

#define H8(c) c c c c c c c c
#define H64(c) H8(H8(c))
#define DG(c) "sha256:" H64(c)

#define NTOK 4096
static jsmntok_t tok[NTOK];
static char file_buf[256 * 1024];

static int
parse(struct json *j, const char *doc)
{
	err_clear();
	return json_parse(j, doc, strlen(doc), tok, NTOK, "test");
}

static int
msg_has(const char *part)
{
	if (strstr(err_msg(), part) != NULL)
		return 1;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err_msg(), part);
	return 0;
}

/* ---- manifest_kind --------------------------------------------------- */

#define OCI_IMAGE_DOC \
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\"," \
	"\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" DG("c") \
	"\",\"size\":1470}," \
	"\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"digest\":\"" \
	DG("1") "\",\"size\":2479}," \
	"{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" DG("2") "\",\"size\":0}," \
	"{\"mediaType\":\"" MT_OCI_LAYER_ZSTD "\",\"digest\":\"" DG("3") \
	"\",\"size\":9007199254740991}]}"

static const struct {
	const char *doc, *ct;
	int r, kind;
	const char *msg;
} kind_table[] = {
	{ OCI_IMAGE_DOC, MT_OCI_MANIFEST, ERR_OK, MF_IMAGE, NULL },
	{ OCI_IMAGE_DOC, NULL, ERR_OK, MF_IMAGE, NULL },
	{ OCI_IMAGE_DOC, "", ERR_OK, MF_IMAGE, NULL },
	{ OCI_IMAGE_DOC, "application/json", ERR_OK, MF_IMAGE, NULL },
	{ OCI_IMAGE_DOC, "Application/JSON; charset=utf-8", ERR_OK, MF_IMAGE, NULL },
	{ OCI_IMAGE_DOC, " " MT_OCI_MANIFEST " ; charset=utf-8", ERR_OK, MF_IMAGE,
	    NULL },
	{ OCI_IMAGE_DOC, MT_DOCKER_MANIFEST, ERR_FORMAT, 0,
	    "manifest.mediaType: \"" MT_OCI_MANIFEST "\" disagrees with the "
	    "Content-Type \"" MT_DOCKER_MANIFEST "\"" },
	{ OCI_IMAGE_DOC, MT_OCI_INDEX, ERR_FORMAT, 0, "disagrees" },
	/* no mediaType field: the content type decides, else the fields */
	{ "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", MT_DOCKER_MANIFEST,
	    ERR_OK, MF_IMAGE, NULL },
	{ "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", NULL, ERR_OK,
	    MF_IMAGE, NULL },
	{ "{\"schemaVersion\":2,\"manifests\":[]}", NULL, ERR_OK, MF_INDEX, NULL },
	{ "{\"schemaVersion\":2,\"manifests\":[]}", MT_DOCKER_LIST, ERR_OK,
	    MF_INDEX, NULL },
	{ "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":[]}",
	    MT_DOCKER_LIST, ERR_OK, MF_INDEX, NULL },
	{ "{\"schemaVersion\":2,\"manifests\":[]}", MT_OCI_MANIFEST, ERR_FORMAT, 0,
	    "manifest.config: missing for an image manifest" },
	{ "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", MT_OCI_INDEX,
	    ERR_FORMAT, 0, "manifest.manifests: missing for an index" },
	{ "{\"schemaVersion\":2,\"config\":{}}", NULL, ERR_FORMAT, 0,
	    "manifest.layers: missing" },
	{ "{\"schemaVersion\":2,\"config\":[],\"layers\":[]}", NULL, ERR_FORMAT, 0,
	    "manifest.config: expected an object" },
	{ "{\"schemaVersion\":2,\"manifests\":{}}", NULL, ERR_FORMAT, 0,
	    "manifest.manifests: expected an array" },
	{ "{\"schemaVersion\":2}", NULL, ERR_FORMAT, 0, "has neither" },
	/* schema 1 in every spelling */
	{ "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", NULL,
	    ERR_UNSUPPORTED, 0, "schema 1 manifests are not supported; push the "
	    "image again with a current client" },
	{ "{\"schemaVersion\":1,\"fsLayers\":[]}", MT_DOCKER_V1, ERR_UNSUPPORTED, 0,
	    "schema 1" },
	{ "{\"schemaVersion\":1,\"fsLayers\":[]}", MT_DOCKER_V1_SIGNED
	    "; charset=utf-8", ERR_UNSUPPORTED, 0, "schema 1" },
	{ "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_V1_SIGNED "\"}", NULL,
	    ERR_UNSUPPORTED, 0, "schema 1" },
	{ "{\"schemaVersion\":3,\"manifests\":[]}", NULL, ERR_UNSUPPORTED, 0,
	    "schemaVersion: 3 is not supported" },
	{ "{\"manifests\":[]}", NULL, ERR_FORMAT, 0,
	    "manifest.schemaVersion: missing" },
	{ "{\"schemaVersion\":\"2\",\"manifests\":[]}", NULL, ERR_FORMAT, 0,
	    "schemaVersion: expected the integer 2" },
	{ "{\"schemaVersion\":2.0,\"manifests\":[]}", NULL, ERR_FORMAT, 0,
	    "schemaVersion" },
	/* both kinds of fields */
	{ "{\"schemaVersion\":2,\"manifests\":[],\"layers\":[]}", NULL, ERR_FORMAT,
	    0, "has both \"manifests\" (an index) and \"layers\"" },
	{ "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":[],"
	    "\"config\":{}}", MT_OCI_INDEX, ERR_FORMAT, 0, "has both" },
	/* duplicates among the fields read */
	{ "{\"schemaVersion\":2,\"config\":{},\"layers\":[],\"layers\":[]}", NULL,
	    ERR_FORMAT, 0, "manifest: duplicate key \"layers\"" },
	{ "{\"schemaVersion\":2,\"schemaVersion\":1,\"manifests\":[]}", NULL,
	    ERR_FORMAT, 0, "duplicate key \"schemaVersion\"" },
	{ "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"mediaType\":\""
	    MT_OCI_MANIFEST "\",\"manifests\":[]}", NULL, ERR_FORMAT, 0,
	    "duplicate key \"mediaType\"" },
	/* other types */
	{ "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.artifact."
	    "manifest.v1+json\",\"blobs\":[]}", NULL, ERR_UNSUPPORTED, 0,
	    "media type \"application/vnd.oci.artifact.manifest.v1+json\" is not" },
	{ "{\"schemaVersion\":2,\"manifests\":[]}", "text/html", ERR_UNSUPPORTED, 0,
	    "\"text/html\" is not an image index" },
	{ "{\"schemaVersion\":2,\"mediaType\":7,\"manifests\":[]}", NULL, ERR_FORMAT,
	    0, "manifest.mediaType: expected a string" },
	{ "[1,2]", NULL, ERR_FORMAT, 0, "expected a JSON object" },
};

static void
test_kind_table(void)
{
	size_t k;

	for (k = 0; k < sizeof kind_table / sizeof kind_table[0]; k++) {
		struct json j;
		int kind = -5, r;

		CHECK_EQ(parse(&j, kind_table[k].doc), ERR_OK);
		r = manifest_kind(&j, kind_table[k].ct, &kind);
		if (r != kind_table[k].r || kind != kind_table[k].kind)
			fprintf(stderr, "  row %zu: r %d kind %d (%s)\n", k, r, kind,
			    err_msg());
		CHECK_EQ(r, kind_table[k].r);
		CHECK_EQ(kind, kind_table[k].kind);
		if (kind_table[k].msg != NULL)
			CHECK(msg_has(kind_table[k].msg));
		else
			CHECK_STR(err_msg(), "");
	}
}

/* ---- manifest_image -------------------------------------------------- */

static void
test_image_oci(void)
{
	struct descriptor cfg, layers[LAYERS_MAX];
	struct json j;
	size_t n = 99;

	CHECK_EQ(parse(&j, OCI_IMAGE_DOC), ERR_OK);
	CHECK_EQ(manifest_image(&j, &cfg, layers, LAYERS_MAX, &n), ERR_OK);
	CHECK_EQ(n, 3);
	CHECK_STR(cfg.media_type, MT_OCI_CONFIG);
	CHECK_STR(cfg.digest, DG("c"));
	CHECK(cfg.size == 1470);
	CHECK_STR(layers[0].digest, DG("1"));
	CHECK(layers[0].size == 2479);
	CHECK_EQ(layers[0].nurls, 0);
	CHECK_STR(layers[0].url, "");
	CHECK(layers[1].size == 0);
	CHECK(layers[2].size == (UINT64_C(1) << 53) - 1);
	CHECK_EQ(manifest_layer_codec(layers[0].media_type), MF_CODEC_GZIP);
	CHECK_EQ(manifest_layer_codec(layers[1].media_type), MF_CODEC_NONE);
	CHECK_EQ(manifest_layer_codec(layers[2].media_type), MF_CODEC_ZSTD);

	/* exactly max layers is fine, one fewer is not */
	CHECK_EQ(manifest_image(&j, &cfg, layers, 3, &n), ERR_OK);
	err_clear();
	CHECK_EQ(manifest_image(&j, &cfg, layers, 2, &n), ERR_NOMEM);
	CHECK_EQ(n, 0);
	CHECK(msg_has("manifest has 3 layers"));
	CHECK(msg_has("BOARD_LAYERS_MAX"));
}

static void
test_image_docker_foreign(void)
{
	static const char doc[] =
	    "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\","
	    "\"config\":{\"mediaType\":\"" MT_DOCKER_CONFIG "\",\"size\":7023,"
	    "\"digest\":\"" DG("a") "\"},"
	    "\"layers\":[{\"mediaType\":\"" MT_DOCKER_LAYER_FOREIGN "\","
	    "\"size\":1069,\"digest\":\"" DG("b") "\",\"urls\":["
	    "\"https://mcr.microsoft.com/v2/windows/blobs/x\",\"http://m/y\"]},"
	    "{\"mediaType\":\"" MT_DOCKER_LAYER "\",\"size\":32,\"digest\":\""
	    DG("d") "\"}]}";
	struct descriptor cfg, layers[LAYERS_MAX];
	struct json j;
	int kind;
	size_t n;

	CHECK_EQ(parse(&j, doc), ERR_OK);
	CHECK_EQ(manifest_kind(&j, MT_DOCKER_MANIFEST, &kind), ERR_OK);
	CHECK_EQ(kind, MF_IMAGE);
	CHECK_EQ(manifest_image(&j, &cfg, layers, LAYERS_MAX, &n), ERR_OK);
	CHECK_EQ(n, 2);
	CHECK_STR(cfg.media_type, MT_DOCKER_CONFIG);
	CHECK_EQ(layers[0].nurls, 2);
	CHECK_STR(layers[0].url, "https://mcr.microsoft.com/v2/windows/blobs/x");
	CHECK_EQ(manifest_layer_codec(layers[0].media_type), MF_CODEC_GZIP);
	CHECK_EQ(manifest_layer_codec(layers[1].media_type), MF_CODEC_GZIP);
}

static void
test_layer_codecs(void)
{
	CHECK_EQ(manifest_layer_codec(MT_OCI_LAYER_ND), MF_CODEC_NONE);
	CHECK_EQ(manifest_layer_codec(MT_OCI_LAYER_ND_GZIP), MF_CODEC_GZIP);
	CHECK_EQ(manifest_layer_codec(MT_OCI_LAYER_ND_ZSTD), MF_CODEC_ZSTD);
	CHECK_EQ(manifest_layer_codec(MT_DOCKER_LAYER), MF_CODEC_GZIP);
	CHECK_EQ(manifest_layer_codec(MT_DOCKER_LAYER_ZSTD), MF_CODEC_ZSTD);
	CHECK_EQ(manifest_layer_codec("application/vnd.docker.image.rootfs."
	    "diff.tar.zstd"), MF_CODEC_ZSTD);
	err_clear();
	CHECK_EQ(manifest_layer_codec("application/tar+gzip"), ERR_UNSUPPORTED);
	CHECK(msg_has("\"application/tar+gzip\""));
	CHECK_EQ(manifest_layer_codec(MT_OCI_CONFIG), ERR_UNSUPPORTED);
	CHECK_EQ(manifest_layer_codec(""), ERR_UNSUPPORTED);
}

/* A manifest whose one layer has the given JSON text for one field. */
static int
image_with_layer(const char *mt, const char *digest, const char *size,
    const char *extra)
{
	static char doc[2048];
	struct descriptor cfg, layers[LAYERS_MAX];
	struct json j;
	size_t n;

	snprintf(doc, sizeof doc, "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
	    "\"" MT_OCI_CONFIG "\",\"digest\":\"" DG("c") "\",\"size\":10},"
	    "\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" DG("0")
	    "\",\"size\":1},{%s%s%s%s%s%s%s%s}]}",
	    mt ? "\"mediaType\":" : "", mt ? mt : "",
	    mt && (digest || size) ? "," : "",
	    digest ? "\"digest\":" : "", digest ? digest : "",
	    digest && size ? "," : "", size ? "\"size\":" : "", size ? size : "");
	if (extra != NULL) {
		size_t l = strlen(doc);
		/* insert extra before the closing "}]}" of the second layer */
		char tail[8];
		memcpy(tail, doc + l - 3, 4);
		snprintf(doc + l - 3, sizeof doc - (l - 3), ",%s%s", extra, tail);
	}
	if (parse(&j, doc) != ERR_OK) {
		fprintf(stderr, "  bad test document %s: %s\n", doc, err_msg());
		return -1000;
	}
	return manifest_image(&j, &cfg, layers, LAYERS_MAX, &n);
}

#define LAYER_MT "\"" MT_OCI_LAYER_GZIP "\""
#define GOOD_DG "\"" DG("e") "\""

static const struct {
	const char *mt, *digest, *size, *extra;
	int r;
	const char *msg;
} layer_table[] = {
	{ LAYER_MT, GOOD_DG, "0", NULL, ERR_OK, NULL },
	{ LAYER_MT, GOOD_DG, "9007199254740991", NULL, ERR_OK, NULL },
	/* sizes */
	{ LAYER_MT, GOOD_DG, "-1", NULL, ERR_FORMAT,
	    "manifest layers[1].size: must be a non-negative integer below 2^53 "
	    "(got -1)" },
	{ LAYER_MT, GOOD_DG, "1.5", NULL, ERR_FORMAT, "layers[1].size: must be a "
	    "non-negative integer below 2^53 (got 1.5)" },
	{ LAYER_MT, GOOD_DG, "1e3", NULL, ERR_FORMAT, "(got 1e3)" },
	{ LAYER_MT, GOOD_DG, "10.0", NULL, ERR_FORMAT, "(got 10.0)" },
	{ LAYER_MT, GOOD_DG, "\"10\"", NULL, ERR_FORMAT,
	    "layers[1].size: must be a non-negative integer below 2^53, not a "
	    "string" },
	{ LAYER_MT, GOOD_DG, "9007199254740992", NULL, ERR_FORMAT,
	    "(got 9007199254740992)" },
	{ LAYER_MT, GOOD_DG, "18446744073709551616", NULL, ERR_FORMAT,
	    "(got 18446744073709551616)" },
	{ LAYER_MT, GOOD_DG, "true", NULL, ERR_FORMAT, "(got true)" },
	{ LAYER_MT, GOOD_DG, "null", NULL, ERR_FORMAT, "(got null)" },
	{ LAYER_MT, GOOD_DG, "{}", NULL, ERR_FORMAT, "not a structure" },
	{ LAYER_MT, GOOD_DG, NULL, NULL, ERR_FORMAT,
	    "manifest layers[1].size: missing" },
	/* digests */
	{ LAYER_MT, NULL, "1", NULL, ERR_FORMAT,
	    "manifest layers[1].digest: missing" },
	{ LAYER_MT, "\"sha256:" H64("A") "\"", "1", NULL, ERR_FORMAT,
	    "layers[1].digest: \"sha256:AAAA" },
	{ LAYER_MT, "\"sha256:" H8("a") "\"", "1", NULL, ERR_FORMAT,
	    "is not sha256: followed by 64 lowercase hex digits" },
	{ LAYER_MT, "\"sha256:" H64("a") "a\"", "1", NULL, ERR_FORMAT,
	    "64 lowercase hex" },
	{ LAYER_MT, "\"sha256:" H64("g") "\"", "1", NULL, ERR_FORMAT,
	    "64 lowercase hex" },
	{ LAYER_MT, "\"sha256:\"", "1", NULL, ERR_FORMAT, "64 lowercase hex" },
	{ LAYER_MT, "\"" H64("a") "\"", "1", NULL, ERR_FORMAT,
	    "is not a digest (expected sha256:<64 lowercase hex>)" },
	{ LAYER_MT, "\"\"", "1", NULL, ERR_FORMAT, "is not a digest" },
	{ LAYER_MT, "\"SHA256:" H64("a") "\"", "1", NULL, ERR_FORMAT,
	    "is not a digest" },
	{ LAYER_MT, "\"sha256 :" H64("a") "\"", "1", NULL, ERR_FORMAT,
	    "is not a digest" },
	{ LAYER_MT, "\"sha512:" H64("a") H64("b") "\"", "1", NULL,
	    ERR_UNSUPPORTED, "layers[1].digest: digest algorithm \"sha512\" is "
	    "not supported (only sha256)" },
	{ LAYER_MT, "\"blake3:" H64("a") "\"", "1", NULL, ERR_UNSUPPORTED,
	    "\"blake3\"" },
	{ LAYER_MT, "\"multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8\"",
	    "1", NULL, ERR_UNSUPPORTED, "\"multihash+base58\"" },
	{ LAYER_MT, "256", "1", NULL, ERR_FORMAT,
	    "layers[1].digest: expected a string" },
	/* media types */
	{ NULL, GOOD_DG, "1", NULL, ERR_FORMAT,
	    "manifest layers[1].mediaType: missing" },
	{ "\"application/tar+gzip\"", GOOD_DG, "1", NULL, ERR_UNSUPPORTED,
	    "manifest layers[1].mediaType: layer media type "
	    "\"application/tar+gzip\" is not" },
	{ "\"" MT_OCI_MANIFEST "\"", GOOD_DG, "1", NULL, ERR_UNSUPPORTED,
	    "layers[1].mediaType" },
	{ "\"" MT_OCI_LAYER_GZIP "\\u0000\"", GOOD_DG, "1", NULL, ERR_FORMAT,
	    "layers[1].mediaType: bad escape or NUL" },
	/* urls */
	{ LAYER_MT, GOOD_DG, "1", "\"urls\":\"https://x\"", ERR_FORMAT,
	    "layers[1].urls: expected an array" },
	{ LAYER_MT, GOOD_DG, "1", "\"urls\":[\"ftp://x/y\"]", ERR_FORMAT,
	    "layers[1].urls[0]: \"ftp://x/y\" is not an http or https URL" },
	{ LAYER_MT, GOOD_DG, "1", "\"urls\":[\"https://a\",3]", ERR_FORMAT,
	    "layers[1].urls[1]: expected a string" },
	{ LAYER_MT, GOOD_DG, "1", "\"urls\":[]", ERR_OK, NULL },
	/* duplicates inside a descriptor */
	{ LAYER_MT, GOOD_DG, "1", "\"size\":2", ERR_FORMAT,
	    "manifest layers[1]: duplicate key \"size\"" },
	{ LAYER_MT, GOOD_DG, "1", "\"digest\":" GOOD_DG, ERR_FORMAT,
	    "duplicate key \"digest\"" },
};

static void
test_layer_table(void)
{
	size_t k;

	for (k = 0; k < sizeof layer_table / sizeof layer_table[0]; k++) {
		int r;

		err_clear();
		r = image_with_layer(layer_table[k].mt, layer_table[k].digest,
		    layer_table[k].size, layer_table[k].extra);
		if (r != layer_table[k].r)
			fprintf(stderr, "  row %zu: %d (%s)\n", k, r, err_msg());
		CHECK_EQ(r, layer_table[k].r);
		if (layer_table[k].msg != NULL)
			CHECK(msg_has(layer_table[k].msg));
	}
}

static void
test_image_config_descriptor(void)
{
	struct descriptor cfg, layers[LAYERS_MAX];
	struct json j;
	size_t n;

	/* an artifact: its config is not an image config */
	CHECK_EQ(parse(&j, "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
	    "\",\"artifactType\":\"application/example\",\"config\":{\"mediaType\":"
	    "\"application/vnd.oci.empty.v1+json\",\"digest\":\"" DG("4")
	    "\",\"size\":2},\"layers\":[]}"), ERR_OK);
	CHECK_EQ(manifest_image(&j, &cfg, layers, LAYERS_MAX, &n), ERR_UNSUPPORTED);
	CHECK(msg_has("manifest config.mediaType: "
	    "\"application/vnd.oci.empty.v1+json\" is not an image config"));

	CHECK_EQ(parse(&j, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\""
	    MT_OCI_CONFIG "\",\"digest\":\"" DG("4") "\",\"size\":-2},"
	    "\"layers\":[]}"), ERR_OK);
	CHECK_EQ(manifest_image(&j, &cfg, layers, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("manifest config.size: must be a non-negative integer"));

	/* zero layers is a valid (empty) image */
	CHECK_EQ(parse(&j, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\""
	    MT_DOCKER_CONFIG "\",\"digest\":\"" DG("4") "\",\"size\":2},"
	    "\"layers\":[]}"), ERR_OK);
	CHECK_EQ(manifest_image(&j, &cfg, layers, LAYERS_MAX, &n), ERR_OK);
	CHECK_EQ(n, 0);

	CHECK_EQ(parse(&j, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\""
	    MT_DOCKER_CONFIG "\",\"digest\":\"" DG("4") "\",\"size\":2},"
	    "\"layers\":[7]}"), ERR_OK);
	CHECK_EQ(manifest_image(&j, &cfg, layers, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("manifest layers[0]: expected an object"));
}

/* ---- manifest_config ------------------------------------------------- */

static int
config(const char *doc, struct platform *p, char (*ids)[72], size_t max,
    size_t *n)
{
	struct json j;

	if (parse(&j, doc) != ERR_OK) {
		fprintf(stderr, "  bad test document: %s\n", err_msg());
		return -1000;
	}
	return manifest_config(&j, p, ids, max, n);
}

static void
test_config(void)
{
	struct platform p;
	char ids[LAYERS_MAX][72], buf[64];
	size_t n = 9;

	CHECK_EQ(config("{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":"
	    "\"v7\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
	    DG("1") "\",\"" DG("2") "\"]},\"history\":[]}", &p, ids, LAYERS_MAX,
	    &n), ERR_OK);
	CHECK_EQ(n, 2);
	CHECK_STR(ids[0], DG("1"));
	CHECK_STR(ids[1], DG("2"));
	platform_format(&p, buf, sizeof buf);
	CHECK_STR(buf, "linux/arm/v7");

	/* raw spellings are normalised */
	CHECK_EQ(config("{\"architecture\":\"aarch64\",\"os\":\"Linux\",\"rootfs\":"
	    "{\"type\":\"layers\",\"diff_ids\":[]}}", &p, ids, LAYERS_MAX, &n),
	    ERR_OK);
	CHECK_EQ(n, 0);
	platform_format(&p, buf, sizeof buf);
	CHECK_STR(buf, "linux/arm64/v8");

	err_clear();
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	    "{\"type\":\"layered\",\"diff_ids\":[]}}", &p, ids, LAYERS_MAX, &n),
	    ERR_FORMAT);
	CHECK(msg_has("config rootfs.type: \"layered\", expected \"layers\""));
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	    "{\"diff_ids\":[]}}", &p, ids, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config rootfs.type: missing"));
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\"}", &p, ids,
	    LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config.rootfs: missing"));
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	    "{\"type\":\"layers\"}}", &p, ids, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config rootfs.diff_ids: missing"));
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	    "{\"type\":\"layers\",\"diff_ids\":[\"" DG("1") "\",\"sha256:abc\"]}}",
	    &p, ids, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config rootfs.diff_ids[1]: \"sha256:abc\" is not sha256"));
	CHECK_EQ(n, 0);
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	    "{\"type\":\"layers\",\"diff_ids\":[\"" DG("1") "\",\"" DG("2") "\","
	    "\"" DG("3") "\"]}}", &p, ids, 2, &n), ERR_NOMEM);
	CHECK(msg_has("config has 3 diff_ids"));
	CHECK(msg_has("BOARD_LAYERS_MAX"));
	CHECK_EQ(config("{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[]}}", &p, ids, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config.architecture: missing"));
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[]}}", &p, ids, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config.os: missing"));
	CHECK_EQ(config("{\"architecture\":\"amd 64\",\"os\":\"linux\",\"rootfs\":"
	    "{\"type\":\"layers\",\"diff_ids\":[]}}", &p, ids, LAYERS_MAX, &n),
	    ERR_FORMAT);
	CHECK(msg_has("config.architecture: \"amd 64\" has a character"));
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"variant\":"
	    "\"vvvvvvvvvvvvvvvvvvvvvv\",\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[]}}", &p, ids, LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config.variant: longer than 15 bytes"));
	CHECK_EQ(config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	    "{\"type\":\"layers\",\"diff_ids\":[],\"diff_ids\":[]}}", &p, ids,
	    LAYERS_MAX, &n), ERR_FORMAT);
	CHECK(msg_has("config rootfs: duplicate key \"diff_ids\""));
}

/* ---- manifest_index_select ------------------------------------------- */

#define ENTRY(mt, d, plat) \
	"{\"mediaType\":\"" mt "\",\"digest\":\"" d "\",\"size\":1234" plat "}"
#define PLAT(os, arch) ",\"platform\":{\"architecture\":\"" arch "\",\"os\":\"" os "\"}"
#define PLATV(os, arch, v) ",\"platform\":{\"architecture\":\"" arch \
	"\",\"os\":\"" os "\",\"variant\":\"" v "\"}"
#define ATTEST(d, ref) \
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" d "\",\"size\":839," \
	"\"annotations\":{\"vnd.docker.reference.digest\":\"" ref "\"," \
	"\"vnd.docker.reference.type\":\"attestation-manifest\"}," \
	"\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}"

/* Shaped like a Docker Hub official image index (busybox, alpine). */
static const char hub_index[] =
    "{\"manifests\":["
    ENTRY(MT_OCI_MANIFEST, DG("1"), PLAT("linux", "amd64")) ","
    ENTRY(MT_OCI_MANIFEST, DG("2"), PLATV("linux", "arm", "v5")) ","
    ENTRY(MT_OCI_MANIFEST, DG("3"), PLATV("linux", "arm", "v7")) ","
    ENTRY(MT_OCI_MANIFEST, DG("4"), PLATV("linux", "arm64", "v8")) ","
    ENTRY(MT_OCI_MANIFEST, DG("5"), PLAT("linux", "386")) ","
    ENTRY(MT_OCI_MANIFEST, DG("6"), PLAT("linux", "ppc64le")) ","
    ENTRY(MT_OCI_MANIFEST, DG("7"), PLAT("linux", "s390x")) ","
    ATTEST(DG("a"), DG("1")) "," ATTEST(DG("b"), DG("2")) ","
    ATTEST(DG("c"), DG("3")) "," ATTEST(DG("d"), DG("4")) ","
    ATTEST(DG("e"), DG("5")) "," ATTEST(DG("f"), DG("6")) "],"
    "\"mediaType\":\"" MT_OCI_INDEX "\",\"schemaVersion\":2}";

static int
select_from(const char *doc, const char *want_s, struct descriptor *d)
{
	struct platform want;
	struct json j;

	if (parse(&j, doc) != ERR_OK) {
		fprintf(stderr, "  bad test document: %s\n", err_msg());
		return -1000;
	}
	if (platform_parse(want_s, &want) != ERR_OK)
		return -1001;
	return manifest_index_select(&j, &want, d);
}

static void
test_select_hub_index(void)
{
	static const struct {
		const char *want, *digest, *plat;
	} rows[] = {
		{ "linux/amd64", DG("1"), "linux/amd64" },
		{ "amd64", DG("1"), "linux/amd64" },
		{ "linux/arm/v7", DG("3"), "linux/arm/v7" },
		{ "armhf", DG("3"), "linux/arm/v7" },
		{ "linux/arm/v6", DG("2"), "linux/arm/v5" },
		{ "armel", DG("2"), "linux/arm/v5" },
		{ "linux/arm/v5", DG("2"), "linux/arm/v5" },
		{ "linux/arm/v8", DG("3"), "linux/arm/v7" },
		{ "linux/arm64/v8", DG("4"), "linux/arm64/v8" },
		{ "aarch64", DG("4"), "linux/arm64/v8" },
		{ "linux/arm64/v9", DG("4"), "linux/arm64/v8" },
		{ "linux/386", DG("5"), "linux/386" },
		{ "linux/ppc64le", DG("6"), "linux/ppc64le" },
		{ "linux/s390x", DG("7"), "linux/s390x" },
		{ "linux/amd64/v3", DG("1"), "linux/amd64" },
	};
	struct descriptor d;
	struct json j;
	size_t k;
	int kind;
	char buf[64];

	CHECK_EQ(parse(&j, hub_index), ERR_OK);
	CHECK_EQ(manifest_kind(&j, MT_OCI_INDEX, &kind), ERR_OK);
	CHECK_EQ(kind, MF_INDEX);
	for (k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		int r = select_from(hub_index, rows[k].want, &d);
		CHECK_EQ(r, ERR_OK);
		if (r != ERR_OK || strcmp(d.digest, rows[k].digest) != 0)
			fprintf(stderr, "  want %s: %s\n", rows[k].want, err_msg());
		CHECK_STR(d.digest, rows[k].digest);
		CHECK_EQ(d.has_platform, 1);
		platform_format(&d.platform, buf, sizeof buf);
		CHECK_STR(buf, rows[k].plat);
		CHECK_STR(d.media_type, MT_OCI_MANIFEST);
		CHECK(d.size == 1234);
	}
	/* nothing for riscv64 or windows: the message lists what there is */
	CHECK_EQ(select_from(hub_index, "linux/riscv64", &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/riscv64 in the index; it "
	    "offers linux/amd64, linux/arm/v5, linux/arm/v7, linux/arm64/v8, "
	    "linux/386, linux/ppc64le, linux/s390x");
	CHECK_STR(d.digest, "");
	CHECK_EQ(select_from(hub_index, "windows/amd64", &d), ERR_PLATFORM);
	CHECK(msg_has("no manifest for windows/amd64 in the index"));
	CHECK(strstr(err_msg(), "unknown") == NULL);
}

static void
test_index_platforms(void)
{
	struct json j;
	char buf[256], small[40], tiny[6];

	CHECK_EQ(parse(&j, hub_index), ERR_OK);
	CHECK_EQ(manifest_index_platforms(&j, buf, sizeof buf), 7);
	CHECK_STR(buf, "linux/amd64, linux/arm/v5, linux/arm/v7, linux/arm64/v8, "
	    "linux/386, linux/ppc64le, linux/s390x");
	CHECK_EQ(manifest_index_platforms(&j, small, sizeof small), 7);
	CHECK_STR(small, "linux/amd64, linux/arm/v5, ...");
	CHECK_EQ(manifest_index_platforms(&j, tiny, sizeof tiny), 7);
	CHECK_STR(tiny, "...");
	/* each platform once */
	CHECK_EQ(parse(&j, "{\"manifests\":["
	    ENTRY(MT_OCI_MANIFEST, DG("1"), PLAT("linux", "arm")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("2"), PLATV("linux", "arm", "v7")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("3"), PLATV("linux", "arm", "v6")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("4"), PLATV("linux", "arm", "v7")) "]}"),
	    ERR_OK);
	CHECK_EQ(manifest_index_platforms(&j, buf, sizeof buf), 4);
	CHECK_STR(buf, "linux/arm/v7, linux/arm/v6");
	/* none */
	CHECK_EQ(parse(&j, "{\"manifests\":[" ENTRY(MT_OCI_MANIFEST, DG("1"), "")
	    "]}"), ERR_OK);
	CHECK_EQ(manifest_index_platforms(&j, buf, sizeof buf), 0);
	CHECK_STR(buf, "");
	CHECK_EQ(parse(&j, "{\"manifests\":[3]}"), ERR_OK);
	CHECK_EQ(manifest_index_platforms(&j, buf, sizeof buf), ERR_FORMAT);
	CHECK(msg_has("index manifests[0]: expected an object"));
}

static void
test_select_fallbacks(void)
{
	static const char only_v6[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_DOCKER_MANIFEST, DG("1"), PLAT("linux", "amd64")) ","
	    ENTRY(MT_DOCKER_MANIFEST, DG("2"), PLATV("linux", "arm", "v6")) "]}";
	static const char v5_v6_v7[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_OCI_MANIFEST, DG("5"), PLATV("linux", "arm", "v5")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("6"), PLATV("linux", "arm", "v6")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("7"), PLATV("linux", "arm", "v7")) "]}";
	static const char only_v7[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_OCI_MANIFEST, DG("7"), PLATV("linux", "arm", "7")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("8"), PLAT("linux", "aarch64")) "]}";
	static const char twins[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_OCI_MANIFEST, DG("1"), PLAT("linux", "amd64")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("2"), PLAT("linux", "amd64")) "]}";
	static const char amd_levels[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_OCI_MANIFEST, DG("3"), PLATV("linux", "amd64", "v3")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("2"), PLATV("linux", "amd64", "v2")) "]}";
	static const char arm32_only[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_OCI_MANIFEST, DG("7"), PLATV("linux", "arm", "v7")) ","
	    ENTRY(MT_OCI_MANIFEST, DG("8"), PLATV("linux", "arm", "v8")) "]}";
	struct descriptor d;
	char buf[64];

	CHECK_EQ(select_from(only_v6, "linux/arm/v7", &d), ERR_OK);
	CHECK_STR(d.digest, DG("2"));
	CHECK_STR(d.media_type, MT_DOCKER_MANIFEST);
	platform_format(&d.platform, buf, sizeof buf);
	CHECK_STR(buf, "linux/arm/v6");
	CHECK_EQ(select_from(only_v6, "linux/arm/v5", &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/arm/v5 in the index; it "
	    "offers linux/amd64, linux/arm/v6");

	/* the exact match wins over earlier fallbacks; then the nearest */
	CHECK_EQ(select_from(v5_v6_v7, "linux/arm/v7", &d), ERR_OK);
	CHECK_STR(d.digest, DG("7"));
	CHECK_EQ(select_from(v5_v6_v7, "linux/arm/v6", &d), ERR_OK);
	CHECK_STR(d.digest, DG("6"));
	CHECK_EQ(select_from(v5_v6_v7, "linux/arm/v8", &d), ERR_OK);
	CHECK_STR(d.digest, DG("7"));

	/* index spellings are normalised too */
	CHECK_EQ(select_from(only_v7, "linux/arm/v7", &d), ERR_OK);
	CHECK_STR(d.digest, DG("7"));
	CHECK_EQ(select_from(only_v7, "linux/arm64", &d), ERR_OK);
	CHECK_STR(d.digest, DG("8"));
	platform_format(&d.platform, buf, sizeof buf);
	CHECK_STR(buf, "linux/arm64/v8");
	CHECK_EQ(select_from(only_v7, "linux/arm/v6", &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/arm/v6 in the index; it "
	    "offers linux/arm/v7, linux/arm64/v8");

	/* arm64 never takes a 32-bit arm image */
	CHECK_EQ(select_from(arm32_only, "linux/arm64/v8", &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/arm64/v8 in the index; it "
	    "offers linux/arm/v7, linux/arm/v8");

	CHECK_EQ(select_from(twins, "linux/amd64", &d), ERR_OK);
	CHECK_STR(d.digest, DG("1"));

	CHECK_EQ(select_from(amd_levels, "linux/amd64", &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/amd64 in the index; it "
	    "offers linux/amd64/v3, linux/amd64/v2");
	CHECK_EQ(select_from(amd_levels, "linux/amd64/v3", &d), ERR_OK);
	CHECK_STR(d.digest, DG("3"));
	CHECK_EQ(select_from(amd_levels, "linux/amd64/v4", &d), ERR_OK);
	CHECK_STR(d.digest, DG("3"));
	CHECK_EQ(select_from(amd_levels, "linux/amd64/v2", &d), ERR_OK);
	CHECK_STR(d.digest, DG("2"));
}

static void
test_select_skips(void)
{
	/* an attestation with a real platform, before the real image */
	static const char attest_first[] = "{\"schemaVersion\":2,\"manifests\":["
	    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" DG("a") "\","
	    "\"size\":5,\"annotations\":{\"vnd.docker.reference.type\":"
	    "\"attestation-manifest\"},\"platform\":{\"os\":\"linux\","
	    "\"architecture\":\"amd64\"}},"
	    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" DG("b") "\","
	    "\"size\":5,\"artifactType\":\"application/spdx+json\",\"platform\":"
	    "{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
	    "{\"mediaType\":\"application/vnd.oci.descriptor.v1+json\",\"digest\":\""
	    DG("c") "\",\"size\":5,\"platform\":{\"os\":\"linux\",\"architecture\":"
	    "\"amd64\"}},"
	    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" DG("d") "\","
	    "\"size\":5,\"annotations\":{\"org.opencontainers.image.ref.name\":"
	    "\"x\"},\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	/* only entries without a platform: the first usable one */
	static const char no_platforms[] = "{\"schemaVersion\":2,\"manifests\":["
	    "{\"mediaType\":\"application/vnd.oci.descriptor.v1+json\",\"digest\":\""
	    DG("0") "\",\"size\":5},"
	    ENTRY(MT_OCI_MANIFEST, DG("1"), "") ","
	    ENTRY(MT_OCI_MANIFEST, DG("2"), "") "]}";
	/* platform-less entries are ignored when others have one */
	static const char mixed[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_OCI_MANIFEST, DG("1"), "") ","
	    ENTRY(MT_OCI_MANIFEST, DG("2"), PLAT("linux", "amd64")) "]}";
	static const char nested[] = "{\"schemaVersion\":2,\"manifests\":["
	    ENTRY(MT_OCI_INDEX, DG("1"), PLATV("linux", "arm", "v7")) ","
	    ENTRY(MT_DOCKER_LIST, DG("2"), PLAT("linux", "amd64")) "]}";
	static const char nothing[] = "{\"schemaVersion\":2,\"manifests\":["
	    ATTEST(DG("a"), DG("1")) "]}";
	static const char empty[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct descriptor d;

	CHECK_EQ(select_from(attest_first, "linux/amd64", &d), ERR_OK);
	CHECK_STR(d.digest, DG("d"));
	CHECK_EQ(select_from(no_platforms, "linux/arm/v7", &d), ERR_OK);
	CHECK_STR(d.digest, DG("1"));
	CHECK_EQ(d.has_platform, 0);
	CHECK_STR(d.platform.arch, "");
	CHECK_EQ(select_from(mixed, "linux/amd64", &d), ERR_OK);
	CHECK_STR(d.digest, DG("2"));
	CHECK_EQ(select_from(mixed, "linux/arm64", &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/arm64/v8 in the index; it "
	    "offers linux/amd64");
	CHECK_EQ(select_from(nested, "linux/amd64", &d), ERR_OK);
	CHECK_STR(d.media_type, MT_DOCKER_LIST);
	CHECK_STR(d.digest, DG("2"));
	CHECK_EQ(select_from(nested, "linux/arm/v7", &d), ERR_OK);
	CHECK_STR(d.media_type, MT_OCI_INDEX);
	CHECK_EQ(select_from(nothing, "linux/amd64", &d), ERR_PLATFORM);
	CHECK(msg_has("no manifest for linux/amd64 in the index; it offers no "
	    "image manifests (1 entries skipped"));
	CHECK_EQ(select_from(empty, "linux/amd64", &d), ERR_PLATFORM);
	CHECK(msg_has("(0 entries skipped"));
}

static void
test_select_bad_entries(void)
{
	static const struct {
		const char *doc;
		int r;
		const char *msg;
	} rows[] = {
		{ "{\"schemaVersion\":2}", ERR_FORMAT, "index.manifests: missing" },
		{ "{\"manifests\":{}}", ERR_FORMAT,
		    "index.manifests: expected an array" },
		{ "{\"manifests\":[],\"manifests\":[]}", ERR_FORMAT,
		    "index: duplicate key \"manifests\"" },
		{ "{\"manifests\":[1]}", ERR_FORMAT,
		    "index manifests[0]: expected an object" },
		{ "{\"manifests\":[{\"digest\":\"" DG("1") "\",\"size\":1}]}",
		    ERR_FORMAT, "index manifests[0].mediaType: missing" },
		{ "{\"manifests\":[" ENTRY(MT_OCI_MANIFEST, DG("1"),
		    PLAT("linux", "amd64")) ",{\"mediaType\":\"" MT_OCI_MANIFEST
		    "\",\"platform\":{\"os\":\"linux\"}}]}", ERR_FORMAT,
		    "index manifests[1].platform.architecture: missing" },
		{ "{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\","
		    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\\u001b[31m\"}}]}",
		    ERR_FORMAT, "index manifests[0].platform.architecture: "
		    "\"arm?[31m\" has a character" },
		{ "{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\","
		    "\"platform\":[]}]}", ERR_FORMAT,
		    "index manifests[0].platform: expected an object" },
		{ "{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\","
		    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\","
		    "\"architecture\":\"arm64\"}}]}", ERR_FORMAT,
		    "index manifests[0].platform: duplicate key \"architecture\"" },
		/* the chosen entry is validated */
		{ "{\"manifests\":[" ENTRY(MT_OCI_MANIFEST, "sha256:abc",
		    PLAT("linux", "amd64")) "]}", ERR_FORMAT,
		    "index manifests[0].digest: \"sha256:abc\" is not sha256" },
		{ "{\"manifests\":[" ENTRY(MT_OCI_MANIFEST, "sha512:" H64("a") H64("a"),
		    PLAT("linux", "amd64")) "]}", ERR_UNSUPPORTED,
		    "index manifests[0].digest: digest algorithm \"sha512\"" },
		{ "{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\""
		    DG("1") "\",\"size\":-5" PLAT("linux", "amd64") "}]}", ERR_FORMAT,
		    "index manifests[0].size: must be a non-negative integer" },
	};
	struct descriptor d;
	size_t k;

	for (k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		int r = select_from(rows[k].doc, "linux/amd64", &d);
		if (r != rows[k].r)
			fprintf(stderr, "  row %zu: %d %s\n", k, r, err_msg());
		CHECK_EQ(r, rows[k].r);
		CHECK(msg_has(rows[k].msg));
		CHECK_STR(d.digest, "");
	}
}

/* ---- OCI layouts: the shared corpus and a generated one -------------- */

static size_t gen_load(const char *rel);

/* Read <corpus>/oci/<layout>/<rel>, or rel of the generated layout when
 * layout is "gen", into file_buf; its length or -1. */
static long
load(const char *layout, const char *rel)
{
	char path[1024];
	FILE *f;
	size_t n;

	if (strcmp(layout, "gen") == 0) {
		n = gen_load(rel);
		return n > 0 ? (long)n : -1;
	}
	snprintf(path, sizeof path, "%s/oci/%s/%s", unit_corpus(), layout, rel);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "  cannot open %s (set OCIPULL_TESTDATA)\n", path);
		return -1;
	}
	n = fread(file_buf, 1, sizeof file_buf, f);
	fclose(f);
	if (n == sizeof file_buf)
		return -1;
	return (long)n;
}

static int
load_json(struct json *j, const char *layout, const char *rel)
{
	long n = load(layout, rel);

	if (n < 0)
		return -1000;
	err_clear();
	return json_parse(j, file_buf, (size_t)n, tok, NTOK, rel);
}

struct walked {
	int depth;
	size_t nlayers, ndiff;
	struct descriptor config, layers[LAYERS_MAX];
	struct platform plat;
	char diff[LAYERS_MAX][72];
};

/*
 * What a pull does on a layout: from start (index.json or a blob),
 * through nested indexes (depth cap 4) to an image manifest, then its
 * config; every document's content type is the mediaType of the
 * descriptor that named it. Checks the config's platform and diff_ids.
 */
static int
walk(const char *layout, const char *start, const char *want_s,
    struct walked *w)
{
	struct platform want;
	struct descriptor d;
	struct json j;
	char rel[128], ct[128];
	int r, kind;

	memset(w, 0, sizeof *w);
	platform_parse(want_s, &want);
	snprintf(rel, sizeof rel, "%s", start);
	ct[0] = '\0';
	for (;;) {
		r = load_json(&j, layout, rel);
		if (r != ERR_OK)
			return r;
		r = manifest_kind(&j, ct, &kind);
		if (r != ERR_OK)
			return r;
		if (kind == MF_IMAGE)
			break;
		if (++w->depth > 4)
			return err_set(ERR_FORMAT, "indexes nested deeper than 4");
		r = manifest_index_select(&j, &want, &d);
		if (r != ERR_OK)
			return r;
		snprintf(rel, sizeof rel, "blobs/sha256/%.64s", d.digest + 7);
		snprintf(ct, sizeof ct, "%.127s", d.media_type);
	}
	r = manifest_image(&j, &w->config, w->layers, LAYERS_MAX, &w->nlayers);
	if (r != ERR_OK)
		return r;
	snprintf(rel, sizeof rel, "blobs/sha256/%.64s", w->config.digest + 7);
	r = load_json(&j, layout, rel);
	if (r != ERR_OK)
		return r;
	if ((size_t)j.len != w->config.size)
		return err_set(ERR_VERIFY, "config size %zu, descriptor says %llu",
		    j.len, (unsigned long long)w->config.size);
	r = manifest_config(&j, &w->plat, w->diff, LAYERS_MAX, &w->ndiff);
	if (r != ERR_OK)
		return r;
	if (w->ndiff != w->nlayers)
		return err_set(ERR_FORMAT, "%zu diff_ids for %zu layers", w->ndiff,
		    w->nlayers);
	if (platform_rank(&want, &w->plat) < 0)
		return err_set(ERR_PLATFORM, "config platform does not suit");
	return ERR_OK;
}

struct walk_row {
	const char *start, *want;
	int r;
	const char *plat, *msg;   /* platform of the config, part of the error */
	size_t nlayers;
};

/* walk() each row on layout and check what it says. */
static void
walk_rows(const char *layout, const struct walk_row *rows, size_t n)
{
	struct walked w;
	size_t k;
	char buf[64];

	for (k = 0; k < n; k++) {
		int r = walk(layout, rows[k].start, rows[k].want, &w);
		if (r != rows[k].r)
			fprintf(stderr, "  row %zu: %d %s\n", k, r, err_msg());
		CHECK_EQ(r, rows[k].r);
		if (rows[k].msg != NULL)
			CHECK(msg_has(rows[k].msg));
		if (r != ERR_OK || rows[k].r != ERR_OK)
			continue;
		platform_format(&w.plat, buf, sizeof buf);
		CHECK_STR(buf, rows[k].plat);
		CHECK_EQ(w.nlayers, rows[k].nlayers);
		CHECK_STR(w.config.media_type, MT_OCI_CONFIG);
		CHECK_EQ(manifest_layer_codec(w.layers[0].media_type), MF_CODEC_GZIP);
	}
}

static void
test_layout_regclient(void)
{
	static const struct walk_row rows[] = {
		/* v3: amd64, arm64, arm/v7, arm/v6 */
		{ "blobs/sha256/6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d",
		    "linux/amd64", ERR_OK, "linux/amd64", NULL, 5 },
		{ "blobs/sha256/6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d",
		    "linux/arm/v7", ERR_OK, "linux/arm/v7", NULL, 5 },
		{ "blobs/sha256/6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d",
		    "linux/arm/v6", ERR_OK, "linux/arm/v6", NULL, 5 },
		{ "blobs/sha256/6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d",
		    "linux/arm64", ERR_OK, "linux/arm64/v8", NULL, 5 },
		{ "blobs/sha256/6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d",
		    "linux/arm/v5", ERR_PLATFORM, NULL,
		    "no manifest for linux/arm/v5 in the index; it offers "
		    "linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v6", 0 },
		/* v2: amd64, arm64, arm/v7; an arm/v6 device gets nothing */
		{ "blobs/sha256/dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e",
		    "linux/arm/v6", ERR_PLATFORM, NULL,
		    "no manifest for linux/arm/v6 in the index; it offers "
		    "linux/amd64, linux/arm64/v8, linux/arm/v7", 0 },
		{ "blobs/sha256/dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e",
		    "linux/arm/v8", ERR_OK, "linux/arm/v7", NULL, 3 },
		/* v1: amd64, arm64 and two unknown/unknown buildkit entries */
		{ "blobs/sha256/7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa",
		    "linux/arm/v7", ERR_PLATFORM, NULL,
		    "no manifest for linux/arm/v7 in the index; it offers "
		    "linux/amd64, linux/arm64/v8", 0 },
		/* the layout's own index.json: tags without platforms, the
		 * first (b1) is an index with platforms */
		{ "index.json", "linux/arm64", ERR_OK, "linux/arm64/v8", NULL, 1 },
		{ "index.json", "linux/arm/v6", ERR_OK, "linux/arm/v6", NULL, 1 },
		/* a referrer loop: the only entry is an artifact */
		{ "blobs/sha256/fdc0d9052a90792725e4fd8ba287fca2be6748d8b1e127ac7f82954449399912",
		    "linux/amd64", ERR_PLATFORM, NULL,
		    "it offers no image manifests (1 entries skipped", 0 },
		/* an artifact manifest reached through an index */
		{ "blobs/sha256/d69399e05204fac05b0184eef72e984538cdc9c5854a6484e8852e4357c543cb",
		    "linux/amd64", ERR_UNSUPPORTED, NULL,
		    "\"application/vnd.oci.empty.v1+json\" is not an image config", 0 },
		{ "blobs/sha256/741132f956e196c3858dab17e50ea977056f2f1ce1ad2900f11f4c8ff2d4203b",
		    "linux/amd64", ERR_UNSUPPORTED, NULL,
		    "is not an image config", 0 },
	};

	walk_rows("regclient/testrepo", rows, sizeof rows / sizeof rows[0]);
}

static void
test_layout_regclient_details(void)
{
	struct walked w;
	struct descriptor d;
	struct platform want;
	struct json j;

	/* v3 for arm/v7: the third entry, then its manifest and config */
	CHECK_EQ(load_json(&j, "regclient/testrepo", "blobs/sha256/"
	    "6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d"),
	    ERR_OK);
	platform_parse("linux/arm/v7", &want);
	CHECK_EQ(manifest_index_select(&j, &want, &d), ERR_OK);
	CHECK_STR(d.digest, "sha256:f4682754068e9235e63d24d8e5a2b9faca41bbfff1e74b131293b9d86cb0bc2b");
	CHECK(d.size == 1018);
	/* the 3-layer arm/v7 config of v2 */
	CHECK_EQ(walk("regclient/testrepo", "blobs/sha256/"
	    "dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e",
	    "linux/arm/v7", &w), ERR_OK);
	CHECK_EQ(w.ndiff, 3);
	CHECK_STR(w.diff[0], "sha256:d619c4d83d9147229dc5eb5b2c4c8554bb7843e7ccf0f5c8685283f47bba0475");
	CHECK_STR(w.diff[2], "sha256:b75ad948784ce526a8c7952ffbe67972d75f64ebc73b3688f67d0750fe91bee0");
	CHECK_STR(w.config.digest, "sha256:6146077b4bee2c233af87a76be94305272b7232fca9a1cace254cbd5e13c8454");
	CHECK_STR(w.layers[0].digest, "sha256:ac4ae1712ec852391e6aae58abf8ff4665df9ae87c71d1e81aa421508a7b831d");
	CHECK(w.layers[0].size == 106);
}

static void
test_layout_go_containerregistry(void)
{
	struct walked w;
	struct json j;
	struct descriptor d;
	struct platform want;
	int kind;

	/* index.json without mediaType or platforms; manifest without mediaType */
	CHECK_EQ(walk("go-containerregistry/layout/test_index_one_image",
	    "index.json", "linux/amd64", &w), ERR_OK);
	CHECK_EQ(w.depth, 1);
	CHECK_EQ(w.nlayers, 1);
	CHECK_STR(w.layers[0].digest, "sha256:492b89b9dd3cda4596f94916d17f6901455fb8bd7f4c5a2a90df8d39c90f48a0");
	CHECK_STR(w.diff[0], "sha256:59cd31f50f7442a662d7c31b7a12079ade16892bfb465b33da49918e7d13e747");
	/* the chosen entry had no platform: the config's platform decides */
	CHECK_EQ(walk("go-containerregistry/layout/test_index_one_image",
	    "index.json", "linux/arm64", &w), ERR_PLATFORM);
	CHECK(msg_has("config platform does not suit"));

	/* a Docker schema 2 manifest read on its own */
	CHECK_EQ(load_json(&j, "go-containerregistry/layout/test_gc_index",
	    "blobs/sha256/eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650"),
	    ERR_OK);
	CHECK_EQ(manifest_kind(&j, MT_DOCKER_MANIFEST, &kind), ERR_OK);
	CHECK_EQ(kind, MF_IMAGE);
	/* test_index names that Docker manifest with an OCI media type */
	CHECK_EQ(manifest_kind(&j, MT_OCI_MANIFEST, &kind), ERR_FORMAT);
	CHECK(msg_has("disagrees with the Content-Type"));
	CHECK_EQ(walk("go-containerregistry/layout/test_index", "index.json",
	    "linux/amd64", &w), ERR_FORMAT);
	CHECK(msg_has("manifest.mediaType: \"" MT_DOCKER_MANIFEST "\" disagrees"));

	/* only an unknown descriptor type: nothing to pull */
	CHECK_EQ(walk("go-containerregistry/layout/test_gc_image_unknown_mediatype",
	    "index.json", "linux/amd64", &w), ERR_PLATFORM);
	CHECK(msg_has("offers no image manifests (1 entries skipped"));

	/* a Helm chart: not an image */
	CHECK_EQ(walk("go-containerregistry/layout/test_index_media_type",
	    "index.json", "linux/amd64", &w), ERR_UNSUPPORTED);
	CHECK(msg_has("\"application/vnd.cncf.helm.config.v1+json\" is not an "
	    "image config"));

	/* containers/image: ppc64le and amd64 (with os features) */
	CHECK_EQ(load_json(&j, "containers-image/layout/two_images_manifest",
	    "index.json"), ERR_OK);
	platform_parse("linux/amd64", &want);
	CHECK_EQ(manifest_index_select(&j, &want, &d), ERR_OK);
	CHECK_STR(d.digest, "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270");
	CHECK(d.size == 7682);
	platform_parse("linux/arm64", &want);
	err_clear();
	CHECK_EQ(manifest_index_select(&j, &want, &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/arm64/v8 in the index; it "
	    "offers linux/ppc64le, linux/amd64");
}

/* ---- the generated layout --------------------------------------------- */

/*
 * An OCI layout written here with the shapes of the corpus layouts: a tag
 * index.json whose entries have no platform (ref names only), multi-arch
 * indexes, an index nested in an index, BuildKit unknown/unknown and
 * attestation entries, artifacts (empty config, artifactType, subject), a
 * referrer loop, an unknown descriptor type, a Docker manifest named with
 * an OCI media type, a Helm chart, platform features. Every document is a
 * blob named by its sha256 (computed here); gen_load() serves them to
 * walk() as the layout "gen".
 */
#define GEN_BLOBS 64
#define REL_LEN 96

static struct gen_blob {
	char digest[DIGEST_STR_LEN + 1];
	char *doc;
	size_t len;
} gen_blob[GEN_BLOBS];
static size_t gen_nblobs;

/* One image: what gen_image() wrote, for the tests to expect. */
struct gen_img {
	char manifest[DIGEST_STR_LEN + 1], config[DIGEST_STR_LEN + 1];
	char layer0[DIGEST_STR_LEN + 1], diff0[DIGEST_STR_LEN + 1];
	char diff_last[DIGEST_STR_LEN + 1];
	size_t size, layer0_size;   /* of the manifest, of its first layer */
};

/* Start documents ("blobs/sha256/<hex>") and the images the tests check. */
static struct {
	char index_json[8192];
	char v1[REL_LEN], v2[REL_LEN], v3[REL_LEN], nest[REL_LEN];
	char art[REL_LEN], art_index[REL_LEN], loop[REL_LEN], one[REL_LEN];
	char docker_idx[REL_LEN], docker[REL_LEN], unknown[REL_LEN];
	char helm[REL_LEN], two[REL_LEN];
	struct gen_img v3_img[4], v2_arm7, one_img, two_amd64;
} G;

static const struct {
	const char *arch, *variant;
} gen_plats[] = {
	{ "amd64", "" }, { "arm64", "" }, { "arm", "v7" }, { "arm", "v6" },
};

static size_t
gen_load(const char *rel)
{
	const char *doc = NULL;
	size_t i, n = 0;

	if (strcmp(rel, "index.json") == 0) {
		doc = G.index_json;
		n = strlen(doc);
	}
	for (i = 0; i < gen_nblobs && doc == NULL; i++) {
		if (strncmp(rel, "blobs/sha256/", 13) == 0 &&
		    strcmp(rel + 13, gen_blob[i].digest + 7) == 0) {
			doc = gen_blob[i].doc;
			n = gen_blob[i].len;
		}
	}
	if (doc == NULL || n >= sizeof file_buf) {
		fprintf(stderr, "  the generated layout has no %s\n", rel);
		return 0;
	}
	memcpy(file_buf, doc, n);
	return n;
}

/* Store doc as a blob, its digest into digest and, when rel is not NULL,
 * its path into rel. Returns its size. */
static size_t
gen_put(const char *doc, char *digest, char *rel)
{
	struct gen_blob *b = &gen_blob[gen_nblobs];
	size_t n = strlen(doc);

	if (gen_nblobs == GEN_BLOBS || (b->doc = malloc(n + 1)) == NULL)
		abort();
	gen_nblobs++;
	memcpy(b->doc, doc, n + 1);
	b->len = n;
	digest_buf(doc, n, b->digest);
	memcpy(digest, b->digest, sizeof b->digest);
	if (rel != NULL)
		snprintf(rel, REL_LEN, "blobs/sha256/%s", digest + 7);
	return n;
}

/* `,"platform":{...}` for linux/arch[/variant], with extra inside. */
static void
gen_plat(char *out, size_t cap, const char *arch, const char *variant,
    const char *extra)
{
	snprintf(out, cap, ",\"platform\":{\"architecture\":\"%s\",\"os\":"
	    "\"linux\"%s%s%s%s}", arch, variant[0] ? ",\"variant\":\"" : "",
	    variant, variant[0] ? "\"" : "", extra);
}

/* Append the descriptor {mt, digest, size<extra>} to out (with a comma
 * when out is not empty). */
static void
gen_desc(char *out, size_t cap, const char *mt, const char *digest,
    size_t size, const char *extra)
{
	size_t l = strlen(out);

	snprintf(out + l, cap - l, "%s{\"mediaType\":\"%s\",\"digest\":\"%s\","
	    "\"size\":%zu%s}", l > 0 ? "," : "", mt, digest, size, extra);
}

enum { GEN_OCI, GEN_OCI_BARE, GEN_DOCKER };

/*
 * An image for linux/arch[/variant] with n layers: its config (diff_ids
 * are digests of made-up names), then its manifest (OCI with or without
 * a mediaType field, or Docker schema 2). rel (may be NULL) gets its path.
 */
static void
gen_image(int kind, const char *arch, const char *variant, unsigned n,
    const char *tag, struct gen_img *g, char *rel)
{
	char cfg[2048], man[4096], layers[3072] = "", name[64], d[80];
	size_t cl;
	unsigned i;

	cl = (size_t)snprintf(cfg, sizeof cfg, "{\"architecture\":\"%s\","
	    "\"os\":\"linux\"%s%s%s,\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[", arch, variant[0] ? ",\"variant\":\"" : "",
	    variant, variant[0] ? "\"" : "");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s diff %s/%s %u", tag, arch,
		    variant, i);
		digest_buf(name, strlen(name), d);
		if (i == 0)
			memcpy(g->diff0, d, sizeof g->diff0);
		memcpy(g->diff_last, d, sizeof g->diff_last);
		cl += (size_t)snprintf(cfg + cl, sizeof cfg - cl, "%s\"%s\"",
		    i ? "," : "", d);
		snprintf(name, sizeof name, "%s layer %s/%s %u", tag, arch,
		    variant, i);
		digest_buf(name, strlen(name), d);
		if (i == 0) {
			memcpy(g->layer0, d, sizeof g->layer0);
			g->layer0_size = 100;
		}
		gen_desc(layers, sizeof layers, kind == GEN_DOCKER ?
		    MT_DOCKER_LAYER : MT_OCI_LAYER_GZIP, d, 100 + i, "");
	}
	snprintf(cfg + cl, sizeof cfg - cl, "]},\"history\":[]}");
	cl = gen_put(cfg, g->config, NULL);
	snprintf(man, sizeof man, "{\"schemaVersion\":2,%s%s%s\"config\":",
	    kind == GEN_OCI_BARE ? "" : "\"mediaType\":\"",
	    kind == GEN_OCI ? MT_OCI_MANIFEST : kind == GEN_DOCKER ?
	    MT_DOCKER_MANIFEST : "", kind == GEN_OCI_BARE ? "" : "\",");
	gen_desc(man + strlen(man), sizeof man - strlen(man), kind ==
	    GEN_DOCKER ? MT_DOCKER_CONFIG : MT_OCI_CONFIG, g->config, cl, "");
	snprintf(man + strlen(man), sizeof man - strlen(man),
	    ",\"layers\":[%s]}", layers);
	g->size = gen_put(man, g->manifest, rel);
}

/* An index of the descriptors ents (with extra fields before
 * "manifests"); its digest into digest, its path into rel. */
static size_t
gen_index(const char *extra, const char *ents, char *digest, char *rel)
{
	char doc[8192];

	snprintf(doc, sizeof doc, "{\"schemaVersion\":2,%s\"manifests\":[%s]}",
	    extra, ents);
	return gen_put(doc, digest, rel);
}

#define MT_INDEX_FIELD "\"mediaType\":\"" MT_OCI_INDEX "\","
#define REF_NAME(n) ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" n "\"}"

/* A multi-arch index of the first nplat of gen_plats, n layers each. */
static size_t
gen_multi(size_t nplat, unsigned n, const char *tag, struct gen_img *imgs,
    char *digest, char *rel)
{
	char ents[4096] = "", plat[256], extra[128];
	size_t i;

	for (i = 0; i < nplat; i++) {
		gen_image(GEN_OCI, gen_plats[i].arch, gen_plats[i].variant, n,
		    tag, &imgs[i], NULL);
		gen_plat(plat, sizeof plat, gen_plats[i].arch,
		    gen_plats[i].variant, "");
		gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, imgs[i].manifest,
		    imgs[i].size, plat);
	}
	snprintf(extra, sizeof extra, MT_INDEX_FIELD "\"annotations\":"
	    "{\"org.example.version\":\"%s\"},", tag);
	return gen_index(extra, ents, digest, rel);
}

/* Artifacts: a signature manifest (empty config, subject v2; its digest
 * into art), an index of it with an artifactType, and an index naming
 * that index as an artifact (a referrer loop). Returns the size of the
 * signature manifest. */
static size_t
gen_artifacts(const char *v2_digest, size_t v2_size, char *art)
{
	char empty[80], sig[80], arti[80], loop[80];
	char doc[2048], ents[1024] = "", extra[512] = "";
	size_t art_size, arti_size;

	gen_put("{}", empty, NULL);
	digest_buf("signature", 9, sig);
	snprintf(doc, sizeof doc, "{\"schemaVersion\":2,\"mediaType\":\""
	    MT_OCI_MANIFEST "\",\"artifactType\":\"application/example.sig\","
	    "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
	    "\"digest\":\"%s\",\"size\":2},\"layers\":[{\"mediaType\":"
	    "\"application/example.sig.text\",\"digest\":\"%s\",\"size\":9}],"
	    "\"subject\":{\"mediaType\":\"" MT_OCI_INDEX "\",\"digest\":\"%s\","
	    "\"size\":%zu}}", empty, sig, v2_digest, v2_size);
	art_size = gen_put(doc, art, G.art);
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, art, art_size, "");
	snprintf(extra, sizeof extra, MT_INDEX_FIELD "\"artifactType\":"
	    "\"application/example.loop\",\"subject\":{\"mediaType\":\""
	    MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu},", art,
	    art_size);
	arti_size = gen_index(extra, ents, arti, G.art_index);
	ents[0] = '\0';
	gen_desc(ents, sizeof ents, MT_OCI_INDEX, arti, arti_size,
	    ",\"artifactType\":\"application/example.loop\"");
	gen_index(MT_INDEX_FIELD, ents, loop, G.loop);
	return art_size;
}

/* v1: two images, then entries that are no images although they are of
 * a manifest type: BuildKit's unknown/unknown, an attestation and an
 * artifact, the last two with a real platform. */
static size_t
gen_v1(const char *art_digest, size_t art_size, char *digest)
{
	struct gen_img img[2];
	char ents[4096] = "", plat[256], extra[512];
	size_t i;

	for (i = 0; i < 2; i++) {
		gen_image(GEN_OCI, gen_plats[i].arch, "", 2, "v1", &img[i], NULL);
		gen_plat(plat, sizeof plat, gen_plats[i].arch, "", "");
		gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, img[i].manifest,
		    img[i].size, plat);
	}
	snprintf(extra, sizeof extra, ",\"annotations\":{\"vnd.docker."
	    "reference.digest\":\"%s\",\"vnd.docker.reference.type\":"
	    "\"builder\"},\"platform\":{\"architecture\":\"unknown\",\"os\":"
	    "\"unknown\"}", img[0].manifest);
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, art_digest, art_size,
	    extra);
	gen_plat(plat, sizeof plat, "arm", "v7", "");
	snprintf(extra, sizeof extra, ",\"annotations\":{\"vnd.docker."
	    "reference.type\":\"attestation-manifest\"}%s", plat);
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, art_digest, art_size,
	    extra);
	snprintf(extra, sizeof extra, ",\"artifactType\":\"application/spdx"
	    "+json\"%s", plat);
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, art_digest, art_size,
	    extra);
	return gen_index(MT_INDEX_FIELD, ents, digest, G.v1);
}

/* The go-containerregistry and containers/image shapes. */
static void
gen_foreign(void)
{
	struct gen_img docker, ppc;
	char ents[2048] = "", plat[256], d[80], one[80], doc[1024];
	char helm_cfg[80], helm[80];
	size_t n, one_n;

	/* one image, no mediaType anywhere, no platform in the index */
	gen_image(GEN_OCI_BARE, "amd64", "", 1, "one", &G.one_img, NULL);
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, G.one_img.manifest,
	    G.one_img.size, "");
	one_n = gen_index("", ents, one, G.one);

	/* a Docker manifest under an OCI media type, then other types */
	gen_image(GEN_DOCKER, "amd64", "", 1, "docker", &docker, G.docker);
	ents[0] = '\0';
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, docker.manifest,
	    docker.size, REF_NAME("1"));
	gen_desc(ents, sizeof ents, "application/vnd.oci.descriptor.v1+json",
	    docker.manifest, docker.size, REF_NAME("2"));
	gen_desc(ents, sizeof ents, MT_DOCKER_LIST, one, one_n, REF_NAME("3"));
	gen_index("", ents, d, G.docker_idx);

	/* only an unknown descriptor type */
	ents[0] = '\0';
	gen_desc(ents, sizeof ents, "application/vnd.oci.descriptor.v1+json",
	    docker.manifest, docker.size, "");
	gen_index("", ents, d, G.unknown);

	/* a Helm chart */
	n = gen_put("{}\n", helm_cfg, NULL);
	digest_buf("chart", 5, d);
	snprintf(doc, sizeof doc, "{\"schemaVersion\":2,\"config\":{"
	    "\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\","
	    "\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
	    "\"application/tar+gzip\",\"digest\":\"%s\",\"size\":5}]}",
	    helm_cfg, n, d);
	n = gen_put(doc, helm, NULL);
	ents[0] = '\0';
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, helm, n, "");
	gen_index("", ents, d, G.helm);

	/* ppc64le, then amd64 with CPU features */
	gen_image(GEN_OCI, "ppc64le", "", 1, "two", &ppc, NULL);
	gen_image(GEN_OCI, "amd64", "", 1, "two", &G.two_amd64, NULL);
	ents[0] = '\0';
	gen_plat(plat, sizeof plat, "ppc64le", "", "");
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, ppc.manifest, ppc.size,
	    plat);
	gen_plat(plat, sizeof plat, "amd64", "", ",\"features\":[\"sse4\"]");
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, G.two_amd64.manifest,
	    G.two_amd64.size, plat);
	gen_index(MT_INDEX_FIELD, ents, d, G.two);
}

static void
gen_build(void)
{
	struct gen_img b1[4], v2[3];
	char b1_d[80], v1_d[80], v2_d[80], v3_d[80], art_d[80], d[80];
	char ents[4096] = "", plat[256], b1_rel[REL_LEN];
	size_t b1_n, v1_n, v2_n, v3_n, art_n;

	if (gen_nblobs > 0)
		return;
	b1_n = gen_multi(4, 1, "b1", b1, b1_d, b1_rel);
	v2_n = gen_multi(3, 3, "v2", v2, v2_d, G.v2);
	G.v2_arm7 = v2[2];
	v3_n = gen_multi(4, 5, "v3", G.v3_img, v3_d, G.v3);
	art_n = gen_artifacts(v2_d, v2_n, art_d);
	v1_n = gen_v1(art_d, art_n, v1_d);

	/* an index whose entries are indexes, with platforms */
	gen_plat(plat, sizeof plat, "amd64", "", "");
	gen_desc(ents, sizeof ents, MT_OCI_INDEX, v2_d, v2_n, plat);
	gen_plat(plat, sizeof plat, "arm", "v7", "");
	gen_desc(ents, sizeof ents, MT_OCI_INDEX, v3_d, v3_n, plat);
	gen_index(MT_INDEX_FIELD, ents, d, G.nest);

	/* the tag index: no platforms, ref names; the first tag is b1 */
	ents[0] = '\0';
	gen_desc(ents, sizeof ents, MT_OCI_INDEX, b1_d, b1_n, REF_NAME("b1"));
	gen_desc(ents, sizeof ents, MT_OCI_INDEX, v1_d, v1_n, REF_NAME("v1"));
	gen_desc(ents, sizeof ents, MT_OCI_INDEX, v2_d, v2_n, REF_NAME("v2"));
	gen_desc(ents, sizeof ents, MT_OCI_INDEX, v3_d, v3_n, REF_NAME("v3"));
	gen_desc(ents, sizeof ents, MT_OCI_MANIFEST, art_d, art_n,
	    ",\"artifactType\":\"application/example.sig\"" REF_NAME("sig"));
	snprintf(G.index_json, sizeof G.index_json, "{\"schemaVersion\":2,"
	    MT_INDEX_FIELD "\"manifests\":[%s]}", ents);
	gen_foreign();
}

static void
test_layout_generated(void)
{
	const struct walk_row rows[] = {
		{ G.v3, "linux/amd64", ERR_OK, "linux/amd64", NULL, 5 },
		{ G.v3, "linux/arm/v7", ERR_OK, "linux/arm/v7", NULL, 5 },
		{ G.v3, "linux/arm/v6", ERR_OK, "linux/arm/v6", NULL, 5 },
		{ G.v3, "linux/arm64", ERR_OK, "linux/arm64/v8", NULL, 5 },
		{ G.v3, "linux/arm/v5", ERR_PLATFORM, NULL,
		    "no manifest for linux/arm/v5 in the index; it offers "
		    "linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v6", 0 },
		{ G.v2, "linux/arm/v6", ERR_PLATFORM, NULL,
		    "no manifest for linux/arm/v6 in the index; it offers "
		    "linux/amd64, linux/arm64/v8, linux/arm/v7", 0 },
		{ G.v2, "linux/arm/v8", ERR_OK, "linux/arm/v7", NULL, 3 },
		{ G.v1, "linux/arm/v7", ERR_PLATFORM, NULL,
		    "no manifest for linux/arm/v7 in the index; it offers "
		    "linux/amd64, linux/arm64/v8", 0 },
		{ G.v1, "linux/arm64", ERR_OK, "linux/arm64/v8", NULL, 2 },
		/* index.json -> b1 (first tag, no platforms) -> image */
		{ "index.json", "linux/arm64", ERR_OK, "linux/arm64/v8", NULL, 1 },
		{ "index.json", "linux/arm/v6", ERR_OK, "linux/arm/v6", NULL, 1 },
		/* index -> index (chosen by its platform) -> image */
		{ G.nest, "linux/arm/v7", ERR_OK, "linux/arm/v7", NULL, 5 },
		{ G.nest, "linux/amd64", ERR_OK, "linux/amd64", NULL, 3 },
		{ G.nest, "linux/arm64", ERR_PLATFORM, NULL,
		    "no manifest for linux/arm64/v8 in the index; it offers "
		    "linux/amd64, linux/arm/v7", 0 },
		{ G.loop, "linux/amd64", ERR_PLATFORM, NULL,
		    "it offers no image manifests (1 entries skipped", 0 },
		{ G.art_index, "linux/amd64", ERR_UNSUPPORTED, NULL,
		    "\"application/vnd.oci.empty.v1+json\" is not an image config",
		    0 },
		{ G.art, "linux/amd64", ERR_UNSUPPORTED, NULL,
		    "is not an image config", 0 },
		{ G.one, "linux/amd64", ERR_OK, "linux/amd64", NULL, 1 },
		/* no platform in the index: the config's decides */
		{ G.one, "linux/arm64", ERR_PLATFORM, NULL,
		    "config platform does not suit", 0 },
		{ G.docker_idx, "linux/amd64", ERR_FORMAT, NULL,
		    "manifest.mediaType: \"" MT_DOCKER_MANIFEST "\" disagrees", 0 },
		{ G.unknown, "linux/amd64", ERR_PLATFORM, NULL,
		    "offers no image manifests (1 entries skipped", 0 },
		{ G.helm, "linux/amd64", ERR_UNSUPPORTED, NULL,
		    "\"application/vnd.cncf.helm.config.v1+json\" is not an "
		    "image config", 0 },
	};

	gen_build();
	walk_rows("gen", rows, sizeof rows / sizeof rows[0]);
}

static void
test_layout_generated_details(void)
{
	struct walked w;
	struct descriptor d;
	struct platform want;
	struct json j;
	int kind;

	gen_build();
	/* v3 for arm/v7: the third entry, then its manifest and config */
	CHECK_EQ(load_json(&j, "gen", G.v3), ERR_OK);
	platform_parse("linux/arm/v7", &want);
	CHECK_EQ(manifest_index_select(&j, &want, &d), ERR_OK);
	CHECK_STR(d.digest, G.v3_img[2].manifest);
	CHECK(d.size == G.v3_img[2].size);
	CHECK_EQ(d.has_platform, 1);
	CHECK_EQ(walk("gen", G.v2, "linux/arm/v7", &w), ERR_OK);
	CHECK_EQ(w.depth, 1);
	CHECK_EQ(w.ndiff, 3);
	CHECK_STR(w.diff[0], G.v2_arm7.diff0);
	CHECK_STR(w.diff[2], G.v2_arm7.diff_last);
	CHECK_STR(w.config.digest, G.v2_arm7.config);
	CHECK_STR(w.layers[0].digest, G.v2_arm7.layer0);
	CHECK(w.layers[0].size == G.v2_arm7.layer0_size);
	CHECK_EQ(walk("gen", "index.json", "linux/amd64", &w), ERR_OK);
	CHECK_EQ(w.depth, 2);
	CHECK_EQ(walk("gen", G.nest, "linux/arm/v7", &w), ERR_OK);
	CHECK_EQ(w.depth, 2);
	CHECK_STR(w.config.digest, G.v3_img[2].config);

	CHECK_EQ(walk("gen", G.one, "linux/amd64", &w), ERR_OK);
	CHECK_EQ(w.depth, 1);
	CHECK_STR(w.layers[0].digest, G.one_img.layer0);
	CHECK_STR(w.diff[0], G.one_img.diff0);

	/* the Docker manifest on its own, and under an OCI type */
	CHECK_EQ(load_json(&j, "gen", G.docker), ERR_OK);
	CHECK_EQ(manifest_kind(&j, MT_DOCKER_MANIFEST, &kind), ERR_OK);
	CHECK_EQ(kind, MF_IMAGE);
	CHECK_EQ(manifest_kind(&j, MT_OCI_MANIFEST, &kind), ERR_FORMAT);
	CHECK(msg_has("disagrees with the Content-Type"));

	/* platform features do not stand in the way */
	CHECK_EQ(load_json(&j, "gen", G.two), ERR_OK);
	platform_parse("linux/amd64", &want);
	CHECK_EQ(manifest_index_select(&j, &want, &d), ERR_OK);
	CHECK_STR(d.digest, G.two_amd64.manifest);
	CHECK(d.size == G.two_amd64.size);
	platform_parse("linux/arm64", &want);
	err_clear();
	CHECK_EQ(manifest_index_select(&j, &want, &d), ERR_PLATFORM);
	CHECK_STR(err_msg(), "no manifest for linux/arm64/v8 in the index; it "
	    "offers linux/ppc64le, linux/amd64");
}

int
main(void)
{
	UNIT_RUN(test_kind_table);
	UNIT_RUN(test_image_oci);
	UNIT_RUN(test_image_docker_foreign);
	UNIT_RUN(test_layer_codecs);
	UNIT_RUN(test_layer_table);
	UNIT_RUN(test_image_config_descriptor);
	UNIT_RUN(test_config);
	UNIT_RUN(test_select_hub_index);
	UNIT_RUN(test_index_platforms);
	UNIT_RUN(test_select_fallbacks);
	UNIT_RUN(test_select_skips);
	UNIT_RUN(test_select_bad_entries);
	UNIT_RUN(test_layout_generated);
	UNIT_RUN(test_layout_generated_details);
	UNIT_RUN_CORPUS(test_layout_regclient);
	UNIT_RUN_CORPUS(test_layout_regclient_details);
	UNIT_RUN_CORPUS(test_layout_go_containerregistry);
	return UNIT_END();
}
