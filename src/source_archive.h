/*
 * source_archive.h: image archives behind the source interface (source.h):
 *
 *   oci-archive:FILE[:TAG|@DIGEST]   a tar of an OCI image layout
 *   docker-archive:FILE[:NAME[:TAG]] the `docker save` format
 *
 * FILE "-" is the standard input. archive.h reads the members (from a file
 * in any order; from a pipe forward only, so the documents must come
 * before the layers they name).
 *
 * oci-archive reads the layout as source_layout.h does: oci-layout,
 * index.json (a tag is its org.opencontainers.image.ref.name; one image
 * needs none), blobs/sha256/<hex>.
 *
 * docker-archive: manifest.json lists each image's Config and Layers
 * member names and its RepoTags. The image is the only one, or the one
 * whose RepoTags holds NAME:TAG (as written, or as docker normalises it:
 * busybox is docker.io/library/busybox:latest). Its config is verified by
 * the digest its member name carries when the name is <64 hex>.json (as
 * docker and skopeo write it) and otherwise only through what it lists.
 * From them the source builds an OCI image manifest: the config by its
 * digest, each layer as an uncompressed tar whose digest is its diff_id
 * from the config. The pipeline then checks every layer's bytes against
 * it, so a layer is verified by the config, and the config by its digest.
 * A compressed layer member is refused (docker save and skopeo write them
 * uncompressed). The format gives a layer's size only in the layer's own
 * header, so a docker-archive cannot be read from a pipe (a redirected
 * file is fine).
 *
 * Memory: struct source_archive is fixed-size and owned by the caller.
 */
#ifndef SOURCE_ARCHIVE_H
#define SOURCE_ARCHIVE_H

#include "archive.h"
#include "config.h"
#include "json.h"
#include "ref.h"
#include "source.h"
#include "source_layout.h"

#define OCI_ARCHIVE_PREFIX "oci-archive:"
#define DOCKER_ARCHIVE_PREFIX "docker-archive:"

enum { ARCHIVE_OCI = 1, ARCHIVE_DOCKER = 2 };

struct source_archive {
	int kind;                              /* ARCHIVE_* */
	int layout_ok;                         /* oci-layout was checked */
	char file[REF_NAME_MAX + 1];           /* FILE as given */
	char want[REF_TEXT_MAX];               /* docker: NAME:TAG, "" none */
	/* docker-archive: the image chosen, once the manifest was built */
	int built;
	unsigned config;                       /* member of the config */
	unsigned nlayers;
	unsigned layer[BOARD_LAYERS_MAX];      /* member of each layer */
	char config_digest[DIGEST_STR_LEN + 1];
	char manifest_digest[DIGEST_STR_LEN + 1];
	char diff_id[BOARD_LAYERS_MAX][DIGEST_STR_LEN + 1];
	jsmntok_t tok[BOARD_JSON_TOKENS];    /* as many as a registry's */
	struct archive a;
};

/*
 * The kind of reference s is: ARCHIVE_OCI, ARCHIVE_DOCKER, or 0 when it
 * names no archive.
 */
int archive_ref_kind(const char *s);

/*
 * Split the reference s (with its prefix) into r (r->repo the FILE,
 * r->tag and r->digest for oci-archive) and want (docker-archive's
 * NAME:TAG). ERR_OK or ERR_USAGE naming what is wrong.
 */
int archive_ref_split(struct ref *r, char *want, size_t wcap, const char *s);

/* The reference as it is shown: "oci-archive:FILE:TAG", ... */
size_t archive_ref_format(int kind, const struct ref *r, const char *want,
    char *buf, size_t cap);

/* Open the archive FILE of kind for the image want (docker-archive). */
int source_archive_open(struct source_archive *s, int kind, const char *file,
    const char *want);

void source_archive_close(struct source_archive *s);

/* Make src read from s. */
void source_archive(struct source *src, struct source_archive *s);

#endif /* SOURCE_ARCHIVE_H */
