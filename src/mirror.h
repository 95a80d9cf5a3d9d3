/*
 * mirror.h: a registry's mirrors and its origin as one source.
 *
 * For each object the mirrors (hosts.h) are tried in their order, the
 * origin last:
 *
 *   - blobs and manifests by digest: mirrors with the pull capability;
 *   - tags, and the referrers listing (no digest names them): only
 *     mirrors with the resolve capability, else the origin alone.
 *
 * No mirror is trusted. A document a mirror serves by digest is checked
 * here, and one that does not match is skipped like a failure; a blob is
 * checked by the layer stage, and when it fails with bytes from a mirror,
 * mirror_reject() remembers that mirror as bad for that blob (up to
 * BOARD_MIRROR_SKIPS pairs; beyond, the mirror is not used again in the
 * run) and the driver undoes the layer's effects before reading it again.
 *
 * A mirror that fails (connection, HTTP error, a stall past the read
 * timeout, a document that does not verify) is skipped for that object
 * and the next source asked at once: a blob cut off mid-way goes on from
 * the same byte at the next source (the final digest covers both). Waits
 * and retries (registry_backoff) are the origin's only. A mirror that
 * cannot be connected to, whose TLS handshake fails or which refuses us
 * (401/403) is not asked again in the run. Each skip is an EV_MIRROR
 * event.
 *
 * One struct registry (one connection, one TLS context) serves every
 * source in turn: registry_retarget() points it at a mirror with that
 * mirror's own credentials (config.json's entry for the mirror's host,
 * never --username, --creds or --cert), and back at the origin with the
 * origin's credentials and token as they were.
 *
 * struct mirror_src is caller-owned (36 KiB on amd64); order of calls:
 *
 *     mirror_config(&hosts, ...)            --mirror and hosts.toml
 *     registry_init(&r, ref, opts); source_registry(&src, &r);
 *     mirror_wrap(&m, &r, &hosts, &events, &src)   src now reads through m
 *     ... resolve and pull through src ...
 *     mirror_stat(&m, k, ...) for k = 0 .. m.conf.n (the origin last)
 */
#ifndef MIRROR_H
#define MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "digest.h"
#include "event.h"
#include "hosts.h"
#include "ref.h"
#include "registry.h"
#include "source.h"

/* What one source did, for --stats. */
struct mirror_count {
	uint64_t objects;          /* documents and blobs it served whole */
	uint64_t bytes;            /* body bytes it served */
	unsigned skipped;          /* objects it was skipped for */
};

struct mirror_src {
	struct hosts conf;
	struct registry *r;
	struct source inner;       /* the registry as a source */
	struct ref origin_ref;     /* the reference (server's host and port) */
	struct ref mref;           /* the mirror in use: its host, the repo */
	struct registry_opts origin_opt;
	struct registry_auth origin_auth;
	unsigned target;           /* what r points at; conf.n: the origin */
	/* The blob being read. */
	char blob[DIGEST_STR_LEN + 1];
	unsigned cur;              /* the source it is read from */
	unsigned served;           /* bit k: source k gave bytes of it */
	unsigned base;             /* attempts spent before the origin */
	int resume;                /* the next open continues it */
	struct {
		unsigned k;
		char digest[DIGEST_STR_LEN + 1];
	} bad[BOARD_MIRROR_SKIPS]; /* mirror k served digest wrong */
	unsigned nbad;
	unsigned down;             /* bit k: mirror k is not asked again */
	struct mirror_count count[BOARD_MIRRORS_MAX + 1];
	struct event_sink events;
};

/*
 * The mirrors of the pull into h: each --mirror argument (flags, n of
 * them), then those of hosts_dir's hosts.toml for registry (hosts_dir may
 * be NULL), read through buf (cap bytes). Returns ERR_OK or ERR_USAGE.
 */
int mirror_config(struct hosts *h, const char *const *flags, unsigned n,
    const char *hosts_dir, const char *registry, char *buf, size_t cap);

/* Make src (the registry r as a source, r prepared with registry_init)
 * read through the mirrors of h first. EV_MIRROR events go to events. */
void mirror_wrap(struct mirror_src *m, struct registry *r,
    const struct hosts *h, const struct event_sink *events,
    struct source *src);

/*
 * Blob d (read through m since its last open at offset 0) did not verify
 * (rc, ERR_VERIFY): ERR_OK when bytes of it came from mirrors, which are
 * now passed over for d, so that its next reading comes from elsewhere
 * (the caller must first undo what the bytes did: pull_opts.reject);
 * else rc. ctx is m.
 */
int mirror_reject(void *ctx, const struct descriptor *d, int rc);

/* One --stats line for source k (conf.n: the origin) into buf. */
void mirror_stat(const struct mirror_src *m, unsigned k, char *buf,
    size_t cap);

#endif /* MIRROR_H */
