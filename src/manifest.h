/*
 * manifest.h: the distribution documents (image index / manifest list,
 * image manifest, image config), their media types and descriptors.
 *
 * Memory: the caller owns the document bytes and the jsmntok_t array and
 * has parsed them with json_parse(); these functions only read struct json
 * and write into caller structs and arrays. Nothing is kept between calls.
 *
 * Order of calls for one pull:
 *
 *   1. manifest_kind() on the document the registry returned for the
 *      reference (with its Content-Type): MF_INDEX or MF_IMAGE.
 *   2. MF_INDEX: manifest_index_select() for the wanted platform; fetch the
 *      chosen descriptor and go back to 1 (a nested index is possible: the
 *      caller caps the depth). When the chosen entry had no platform
 *      (has_platform 0, see below) the caller checks the config's platform.
 *      manifest_index_platforms() lists what the index offers, for display.
 *   3. MF_IMAGE: manifest_image() gives the config and layer descriptors;
 *      manifest_layer_codec() tells how each layer is compressed (refuse
 *      any codec the build lacks before the first byte is fetched).
 *   4. manifest_config() on the config blob: platform and diff_ids. The
 *      caller checks the count of diff_ids against the count of layers and
 *      platform_rank(want, config platform) >= 0.
 *
 * Every error message names the document and the field, for example
 * "manifest layers[3].size: ...". Digests are accepted only as
 * sha256:<64 lowercase hex> (other algorithms: ERR_UNSUPPORTED); sizes only
 * as JSON integers from 0 to 2^53-1.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "platform.h"

/* Manifests and indexes. */
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
/* Docker schema 1: refused. */
#define MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
/* Image configs. */
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
/* Layers. */
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_OCI_LAYER_ND "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define MT_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define MT_OCI_LAYER_ND_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
/* zstd in a Docker manifest: the name containerd and BuildKit give it. */
#define MT_DOCKER_LAYER_ZSTD "application/vnd.docker.image.rootfs.diff.tar.zstd"

/* Accept header value for a manifest request: the four types handled. */
#define MANIFEST_ACCEPT MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " \
	MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

enum { MF_INDEX = 1, MF_IMAGE = 2 };

/* How a layer's bytes are compressed (manifest_layer_codec). */
enum { MF_CODEC_NONE = 0, MF_CODEC_GZIP = 1, MF_CODEC_ZSTD = 2 };

struct descriptor {
	char media_type[128];
	char digest[72];          /* "sha256:" + 64 lowercase hex */
	uint64_t size;            /* 0 .. 2^53-1 */
	int has_platform;         /* index entries only */
	struct platform platform; /* normalised; zero when has_platform is 0 */
	unsigned nurls;           /* count of "urls" (foreign layers) */
	char url[512];            /* the first url, "" when nurls is 0 */
};

/*
 * Decide what a fetched document is; *kind becomes MF_INDEX or MF_IMAGE.
 * content_type is the Content-Type the server sent (parameters such as
 * ";charset=utf-8" and case are ignored), or NULL/"" when there is none;
 * a generic "application/json" counts as none. The type comes from the
 * document's mediaType field, else from content_type, else from its
 * fields ("manifests" or "config"/"layers").
 * Returns ERR_OK; ERR_UNSUPPORTED for Docker schema 1 ("schema 1 manifests
 * are not supported; push the image again with a current client"), for a
 * schemaVersion other than 2 and for unknown media types (artifacts);
 * ERR_FORMAT when schemaVersion is missing, when both "manifests" and
 * "config"/"layers" are present, when the mediaType field disagrees with
 * content_type, when a field we read is duplicated or of the wrong type, or
 * when the fields do not fit the type.
 */
int manifest_kind(const struct json *j, const char *content_type, int *kind);

/*
 * Pick from an index the entry that best suits want into *out: the lowest
 * platform_rank(), the first one on a tie. Skipped: entries whose mediaType
 * is not one of the four manifest/index types (nested indexes are allowed:
 * the caller recurses with a depth cap), attestations and other artifacts
 * (annotation "vnd.docker.reference.type", platform unknown/unknown, or an
 * "artifactType" field). Entries without a "platform" are used only when no
 * entry of the index has one (an OCI layout's index.json usually names one
 * image that way): then the first of them is chosen, with has_platform 0,
 * and the caller must check the platform in the image config.
 * The chosen descriptor is validated (digest, size, urls).
 * Returns ERR_OK; ERR_PLATFORM when nothing suits, with a message listing
 * what the index offers ("no manifest for linux/arm/v7 in the index; it
 * offers linux/amd64, linux/arm64/v8"); ERR_FORMAT or ERR_UNSUPPORTED for a
 * bad document or a bad chosen descriptor.
 */
int manifest_index_select(const struct json *j, const struct platform *want,
    struct descriptor *out);

/*
 * The platforms an index offers, as the ERR_PLATFORM message of
 * manifest_index_select() lists them ("linux/amd64, linux/arm/v7"; each
 * once, in index order, skipped entries left out, cut with ", ..." when
 * cap is short) into buf. Returns how many platform entries there are
 * (0 when none has a platform), or the error manifest_index_select()
 * would give for a bad document (buf then holds what came before).
 */
int manifest_index_platforms(const struct json *j, char *buf, size_t cap);

/*
 * Read an image manifest: its config descriptor into *config and up to max
 * layer descriptors into layers[], their count into *nlayers. Each
 * descriptor is validated: digest, size, a known config or layer mediaType
 * (an unknown one gives ERR_UNSUPPORTED naming it), urls.
 * Returns ERR_OK; ERR_NOMEM when the manifest has more than max layers (the
 * message names BOARD_LAYERS_MAX); ERR_FORMAT or ERR_UNSUPPORTED otherwise.
 */
int manifest_image(const struct json *j, struct descriptor *config,
    struct descriptor *layers, size_t max, size_t *nlayers);

/*
 * Read an image config: os, architecture and variant into *plat
 * (normalised); rootfs.type must be "layers"; rootfs.diff_ids (each a
 * sha256 digest) into diff_ids[0..max), their count into *n.
 * Returns ERR_OK; ERR_NOMEM for more than max diff_ids; ERR_FORMAT or
 * ERR_UNSUPPORTED for a bad document.
 */
int manifest_config(const struct json *j, struct platform *plat,
    char (*diff_ids)[72], size_t max, size_t *n);

/*
 * The descriptor at token obj (mediaType, digest, size, urls) into *d,
 * whatever its media type; where names it in messages ("manifest
 * layers[2]"). Returns ERR_OK, ERR_FORMAT or ERR_UNSUPPORTED (a digest
 * algorithm other than sha256).
 */
int manifest_descriptor(const struct json *j, int obj, struct descriptor *d,
    const char *where);

/*
 * MF_CODEC_* for a layer media type, ERR_UNSUPPORTED (with a message
 * naming it) for anything that is not a known layer type.
 */
int manifest_layer_codec(const char *media_type);

#endif /* MANIFEST_H */
