/*
 * pull.c: reference -> verified manifest and config.
 */
#include "pull.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "progress.h"
#include "port.h"
#include "tree.h"

/*
 * Fetch a document by reference (tag or digest) and check it: against
 * want_digest (and want_size when nonzero) if given, else against the
 * registry's Docker-Content-Digest. Writes its own digest into got.
 */
static int
fetch_verified(struct registry *r, int kind, const char *reference,
    const char *want_digest, uint64_t want_size, const char *what, char *doc,
    size_t cap, size_t *len, char *got)
{
	const struct http_resp *resp;
	int rc;

	rc = registry_fetch(r, kind, reference, doc, cap, len);
	if (rc < 0)
		return rc;
	digest_buf(doc, *len, got);
	resp = registry_response(r);
	if (want_digest != NULL && want_digest[0] != '\0') {
		rc = digest_check(what, want_digest, got);
		if (rc < 0)
			return rc;
		if (want_size != 0 && (uint64_t)*len != want_size)
			return err_set(ERR_VERIFY, "%s: size mismatch: descriptor says %llu "
			    "bytes, registry sent %zu", what, (unsigned long long)want_size,
			    *len);
		return ERR_OK;
	}
	/* A tag: the registry's own digest header must agree when it sends one. */
	if (strncmp(resp->docker_digest, "sha256:", 7) == 0)
		return digest_check(what, resp->docker_digest, got);
	return ERR_OK;
}

static int
parse_doc(struct image *img, struct json *j, const char *doc, size_t len,
    jsmntok_t *tok, unsigned ntok, const char *what)
{
	int rc = json_parse(j, doc, len, tok, ntok, what);

	if (len > img->json_peak_bytes)
		img->json_peak_bytes = len;
	if (rc == ERR_OK && j->ntok > img->json_peak_tokens)
		img->json_peak_tokens = j->ntok;
	return rc;
}

int
pull_resolve(struct registry *r, const struct ref *ref,
    const struct platform *want, struct image *img, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok, size_t *config_len)
{
	char got[DIGEST_STR_LEN + 1], what[160], ctype[256];
	const char *reference = ref->digest[0] ? ref->digest : ref->tag;
	const char *want_digest = ref->digest;
	uint64_t want_size = 0;
	struct json j;
	size_t len, n;
	int depth, kind, rc;
	struct platform cp;

	memset(img, 0, sizeof *img);
	img->want = *want;
	for (depth = 0;; depth++) {
		snprintf(what, sizeof what, "%s %s", depth == 0 ? "manifest" :
		    "platform manifest", reference);
		rc = fetch_verified(r, REG_MANIFEST, reference, want_digest, want_size,
		    what, doc, cap, &len, got);
		if (rc < 0)
			return rc;
		snprintf(ctype, sizeof ctype, "%s", registry_response(r)->content_type);
		rc = parse_doc(img, &j, doc, len, tok, ntok, what);
		if (rc < 0)
			return rc;
		rc = manifest_kind(&j, ctype, &kind);
		if (rc < 0)
			return err_prefix(rc, "%s", what);
		if (depth == 0) {
			memcpy(img->top_digest, got, sizeof got);
			snprintf(img->top_type, sizeof img->top_type, "%.*s",
			    (int)sizeof img->top_type - 1, ctype);
		}
		if (kind == MF_IMAGE)
			break;
		if (depth + 1 >= PULL_INDEX_DEPTH)
			return err_set(ERR_FORMAT, "indexes nested deeper than %d",
			    PULL_INDEX_DEPTH);
		if (img->offered[0] == '\0')
			manifest_index_platforms(&j, img->offered, sizeof img->offered);
		rc = manifest_index_select(&j, want, &img->manifest);
		if (rc < 0)
			return err_prefix(rc, "%s%s%s", ref->repo, depth == 0 &&
			    !ref->digest[0] ? ":" : "@", depth == 0 && !ref->digest[0] ?
			    ref->tag : reference);
		/* From here on everything is fetched by digest. */
		snprintf(got, sizeof got, "%s", img->manifest.digest);
		reference = img->manifest.digest;
		want_digest = img->manifest.digest;
		want_size = img->manifest.size;
		(void)got;
	}
	if (depth == 0) {
		/* The reference named an image manifest directly. */
		memcpy(img->manifest.digest, img->top_digest, sizeof img->top_digest);
		img->manifest.size = len;
		snprintf(img->manifest.media_type, sizeof img->manifest.media_type, "%.*s",
		    (int)sizeof img->manifest.media_type - 1, ctype);
	}
	rc = manifest_image(&j, &img->config, img->layers, BOARD_LAYERS_MAX,
	    &img->nlayers);
	if (rc < 0)
		return err_prefix(rc, "manifest %s", img->manifest.digest);

	snprintf(what, sizeof what, "config %s", img->config.digest);
	rc = fetch_verified(r, REG_BLOB, img->config.digest, img->config.digest,
	    img->config.size, what, doc, cap, &len, got);
	if (rc < 0)
		return rc;
	if (len != img->config.size)
		return err_set(ERR_VERIFY, "%s: size mismatch: descriptor says %llu, got %zu",
		    what, (unsigned long long)img->config.size, len);
	rc = parse_doc(img, &j, doc, len, tok, ntok, "config");
	if (rc < 0)
		return rc;
	rc = manifest_config(&j, &cp, img->diff_ids, BOARD_LAYERS_MAX, &n);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	img->platform = cp;
	if (platform_rank(want, &cp) < 0) {
		char a[64], b[64];
		platform_format(&cp, a, sizeof a);
		platform_format(want, b, sizeof b);
		return err_set(ERR_PLATFORM, "the image is for %s, not %s%s", a, b,
		    depth > 0 ? " (its index says otherwise)" : "");
	}
	if (n != img->nlayers)
		return err_set(ERR_FORMAT, "%s lists %zu diff_ids for %zu layers", what,
		    n, img->nlayers);
	*config_len = len;
	return ERR_OK;
}

/* ---- the layer pipeline -------------------------------------------------------- */

/*
 * Errors found by the stages are kept aside while the blob is still read to
 * its end, so that a digest or diff_id mismatch (the root cause of most
 * stage errors) is what gets reported.
 */
struct held_err {
	int code;
	char msg[ERR_MSG_MAX];
};

static void
hold(struct held_err *h, int code)
{
	if (h->code != 0)
		return;
	h->code = code;
	snprintf(h->msg, sizeof h->msg, "%s", err_msg());
	err_clear();
}

static int
release(const struct held_err *h)
{
	err_clear();
	return err_set(h->code, "%s", h->msg);
}

/* Tar member t to the writer as its own entry: views into t, no copy (the
 * ROOTFS_* types are the tar letters; test_rootfs checks). */
static int
rootfs_tar_entry(struct rootfs *fs, const struct tar_entry *t)
{
	const struct rootfs_entry e = { .type = t->type,
		.path = rootfs_str(t->path, sizeof t->path),
		.link = rootfs_str(t->link, sizeof t->link), .size = t->size,
		.mode = t->mode, .uid = t->uid, .gid = t->gid,
		.mtime_s = t->mtime_s, .mtime_ns = t->mtime_ns,
		.devmajor = t->devmajor, .devminor = t->devminor,
		.offset = t->offset, .xattrs = t->xattr_buf,
		.xattrs_len = t->xattr_len, .nxattrs = t->nxattrs };

	return rootfs_entry(fs, &e);
}

/*
 * Tar bytes: into the diff_id digest, then the tar reader and the rootfs.
 * With n == 0 (end of the stream) it only collects pending events.
 */
static void
feed_tar(struct pull_state *s, const uint8_t *p, size_t n, struct held_err *tar_err)
{
	if (n > 0)
		digest_push(&s->diff, p, n);
	while (tar_err->code == 0) {
		struct tar_event ev;
		size_t used = 0;
		int rc = ERR_OK, event = tar_push(&s->tar, p, n, &used, &ev);

		if (used > 0) {
			p += used;
			n -= used;
		}
		switch (event) {
		case TAR_EV_NONE:
			return;    /* all input taken, no event pending */
		case TAR_EV_ENTRY:
			rc = rootfs_tar_entry(&s->fs, tar_entry(&s->tar));
			break;
		case TAR_EV_DATA:
			rc = rootfs_data(&s->fs, ev.data, ev.len);
			break;
		case TAR_EV_ENTRY_END:
			rc = rootfs_entry_end(&s->fs);
			break;
		case TAR_EV_END:
			s->tar_done = 1;
			break;
		default:
			rc = event;
			break;
		}
		if (rc < 0)
			hold(tar_err, rc);
	}
}

/*
 * Compressed bytes: through gunzip into feed_tar. n == 0 marks the end of
 * the blob: then gunzip's held and pending output is flushed.
 */
static void
feed_gunzip(struct pull_state *s, const uint8_t *p, size_t n,
    struct held_err *gz_err, struct held_err *tar_err)
{
	int flushing = n == 0, idle = 0, dry = 0;

	for (;;) {
		const uint8_t *o;
		size_t used = 0, olen = 0;
		int rc = gunzip_push(&s->gz, p, n, &used, &o, &olen);

		if (rc < 0) {
			hold(gz_err, rc);
			return;
		}
		if (olen > 0)
			feed_tar(s, o, olen, tar_err);
		if (used > 0) {
			p += used;
			n -= used;
		}
		/* Flushing ends after two dry steps: the first may have spent
		 * gunzip's held bytes without output. */
		dry = olen == 0 ? dry + 1 : 0;
		if (flushing ? dry >= 2 : n == 0)
			return;
		/* A step that neither takes nor gives bytes may only happen
		 * while gunzip's own held bytes are processed. */
		idle = used == 0 && olen == 0 ? idle + 1 : 0;
		if (idle > 2) {
			hold(gz_err, err_set(ERR_INTERNAL, "inflate made no progress"));
			return;
		}
	}
}

/* "bytes FIRST-LAST/SIZE": FIRST, or -1 when it is not that shape. */
static long long
range_first(const char *v)
{
	long long first = 0;

	if (strncmp(v, "bytes ", 6) != 0)
		return -1;
	v += 6;
	if (*v < '0' || *v > '9')
		return -1;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (first > (1LL << 53))
			return -1;
		first = first * 10 + (*v - '0');
	}
	return *v == '-' ? first : -1;
}

/*
 * Ask for the rest of blob d from the byte the pipeline has, and check the
 * answer: a 206 must start exactly there; a 200 (a server that ignores
 * Range) is accepted only when its first bytes are the very bytes already
 * taken in, compared by hash, and they are skipped. On ERR_OK, *p and *n
 * hold body bytes to process first (n may be 0); ERR_END means every byte
 * had arrived already.
 */
static int
resume(struct pull_state *s, struct registry *r, const struct descriptor *d,
    const char *what, const uint8_t **p, size_t *n)
{
	const struct http_resp *resp;
	uint64_t have = s->blob.count, seen = 0;
	char a[DIGEST_STR_LEN + 1], b[DIGEST_STR_LEN + 1];
	struct digest head, again;
	int rc;

	*n = 0;
	if (have >= d->size)
		return ERR_END;
	rc = registry_get(r, REG_BLOB, d->digest, have, d->size);
	if (rc < 0)
		return err_prefix(rc, "%s: resuming at byte %llu", what,
		    (unsigned long long)have);
	if (have == 0)
		return ERR_OK;
	r->resumes++;
	resp = registry_response(r);
	if (resp->status == 206) {
		if (range_first(resp->content_range) != (long long)have)
			return err_set(ERR_PROTO, "%s: asked for the bytes from %llu on, "
			    "the server sent Content-Range \"%s\"", what,
			    (unsigned long long)have, resp->content_range);
		return ERR_OK;
	}
	/* 200: the whole blob again. Compare its head with what we have. */
	head = s->blob;
	digest_final(&head, a);
	digest_init(&again);
	for (;;) {
		rc = registry_read(r, p, n);
		if (rc != ERR_OK)
			return err_prefix(rc == ERR_END ? ERR_PROTO : rc, "%s: resuming "
			    "from the start", what);
		if (*n < have - seen) {
			digest_push(&again, *p, *n);
			seen += *n;
			r->refetched += *n;
			continue;
		}
		/* This span reaches the resume point: its tail is new. */
		{
			size_t k = (size_t)(have - seen);
			digest_push(&again, *p, k);
			r->refetched += k;
			*p += k;
			*n -= k;
		}
		digest_final(&again, b);
		if (strcmp(a, b) != 0)
			return err_set(ERR_VERIFY, "%s: the server sent other bytes "
			    "the second time (first %llu bytes: %s, then %s)", what,
			    (unsigned long long)have, a, b);
		return ERR_OK;
	}
}

static int
pull_layer(struct pull_state *s, struct registry *r, const struct descriptor *d,
    const char *diff_id, unsigned index, unsigned count, int allow_foreign)
{
	struct held_err gz_err, tar_err;
	char got[DIGEST_STR_LEN + 1], what[128];
	const uint8_t *p;
	size_t n;
	unsigned resumes = 0;
	int rc, codec;

	snprintf(what, sizeof what, "layer %u of %u (%s)", index + 1, count, d->digest);
	codec = manifest_layer_codec(d->media_type);
	if (codec == MF_CODEC_ZSTD)
		return err_set(ERR_UNSUPPORTED, "%s: zstd layers (%s) are not supported "
		    "yet", what, d->media_type);
	if (d->nurls > 0 && !allow_foreign)
		return err_set(ERR_UNSUPPORTED, "%s is a non-distributable layer to be "
		    "fetched from %s; allow it with --allow-foreign-layers", what, d->url);
	memset(&gz_err, 0, sizeof gz_err);
	memset(&tar_err, 0, sizeof tar_err);
	/* A foreign layer comes from its URL, without credentials; it is
	 * verified like any other. */
	if (d->nurls > 0)
		rc = registry_get_url(r, d->url, what);
	else
		rc = registry_get(r, REG_BLOB, d->digest, 0, 0);
	if (rc < 0)
		return rc;
	digest_init(&s->blob);
	digest_init(&s->diff);
	gunzip_init(&s->gz, codec == MF_CODEC_GZIP);
	tar_init(&s->tar);
	s->tar_done = 0;
	rc = rootfs_layer_begin(&s->fs, index);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	for (;;) {
		rc = registry_read(r, &p, &n);
		if (rc == ERR_END)
			break;
		if (rc < 0) {
			/* The transfer broke: go on from the byte where it stopped,
			 * on a new connection, into the same pipeline. */
			if (d->nurls > 0)
				return err_prefix(rc, "%s", what);
			rc = registry_backoff(r, rc, resumes++);
			if (rc == ERR_OK)
				rc = resume(s, r, d, what, &p, &n);
			if (rc == ERR_END)
				break;
			if (rc < 0)
				return err_prefix(rc, "%s", what);
			if (n == 0)
				continue;
		}
		if (n > d->size - s->blob.count)
			return err_set(ERR_VERIFY, "%s: the registry sends more than "
			    "the %llu bytes the manifest gives", what,
			    (unsigned long long)d->size);
		digest_push(&s->blob, p, n);
		s->bytes_fetched += n;
		if (gz_err.code == 0)
			feed_gunzip(s, p, n, &gz_err, &tar_err);
		progress_bytes(index, s->blob.count, d->size);
	}
	rc = ERR_END;
	if (rc != ERR_END)
		return err_prefix(rc, "%s", what);
	if (gz_err.code == 0) {
		feed_gunzip(s, NULL, 0, &gz_err, &tar_err);
		rc = gunzip_finish(&s->gz);
		if (rc < 0)
			hold(&gz_err, rc);
	}
	/* The blob's own digest and size come first... */
	if (s->blob.count != d->size)
		return err_set(ERR_VERIFY, "%s: size mismatch: expected %llu bytes, got "
		    "%llu", what, (unsigned long long)d->size,
		    (unsigned long long)s->blob.count);
	digest_final(&s->blob, got);
	rc = digest_check(what, d->digest, got);
	if (rc < 0)
		return rc;
	if (gz_err.code != 0)
		return err_prefix(release(&gz_err), "%s", what);
	/* ...then the uncompressed stream against the config's diff_id... */
	digest_final(&s->diff, got);
	snprintf(what, sizeof what, "layer %u of %u diff_id", index + 1, count);
	rc = digest_check(what, diff_id, got);
	if (rc < 0)
		return rc;
	/* ...and only then what the tar reader and the writer said. */
	snprintf(what, sizeof what, "layer %u of %u (%s)", index + 1, count, d->digest);
	feed_tar(s, NULL, 0, &tar_err);
	if (tar_err.code != 0)
		return err_prefix(release(&tar_err), "%s", what);
	rc = tar_finish(&s->tar);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	rc = rootfs_layer_end(&s->fs);
	if (rc < 0)
		return err_prefix(rc, "%s", what);
	return ERR_OK;
}

/* ---- the journal ------------------------------------------------------------- */

/*
 * staging/journal, text, one line each:
 *     ocipull-journal 1 MANIFEST-DIGEST LAYERS
 *     layer I DIGEST DIFF-ID SPILL-RECORDS SPILL-BYTES     (per verified layer)
 *     commit                                               (before the switch)
 */

static int
journal_start(int sfd, const struct image *img, int no_sync, int *jfd)
{
	char line[160];
	int n, rc;

	*jfd = port_fs_open(sfd, "journal", PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_EXCL | PORT_O_APPEND | PORT_O_NOFOLLOW, 0600);
	if (*jfd < 0)
		return err_prefix(*jfd, "journal");
	n = snprintf(line, sizeof line, "ocipull-journal 1 %s %zu\n",
	    img->manifest.digest, img->nlayers);
	rc = (int)port_fs_write(*jfd, line, (size_t)n);
	if (rc >= 0 && !no_sync)
		rc = port_fs_fsync(*jfd);
	return rc < 0 ? err_prefix(rc, "journal") : ERR_OK;
}

static int
journal_layer(int jfd, const struct pull_state *s, size_t i,
    const struct image *img, int no_sync)
{
	char line[256];
	uint64_t count, bytes;
	int n, rc;

	rootfs_spill_mark(&s->fs, &count, &bytes);
	n = snprintf(line, sizeof line, "layer %zu %s %s %llu %llu\n", i,
	    img->layers[i].digest, img->diff_ids[i], (unsigned long long)count,
	    (unsigned long long)bytes);
	rc = (int)port_fs_write(jfd, line, (size_t)n);
	if (rc >= 0 && !no_sync)
		rc = port_fs_fsync(jfd);
	return rc < 0 ? err_prefix(rc, "journal") : ERR_OK;
}

static int
journal_commit(int jfd, int no_sync)
{
	int rc = (int)port_fs_write(jfd, "commit\n", 7);

	if (rc >= 0 && !no_sync)
		rc = port_fs_fsync(jfd);
	return rc < 0 ? err_prefix(rc, "journal") : ERR_OK;
}

/* A decimal field of a journal line. */
static const char *
jnum(const char *p, uint64_t *v)
{
	*v = 0;
	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return NULL;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	return p;
}

/*
 * How many layers of img the journal in staging dir name records as
 * verified (0 when there is no usable journal: another image, a commit
 * under way, a torn or foreign file). Only whole lines count: a line cut
 * by a power loss ends the journal there.
 */
static size_t
journal_read(struct pull_state *s, int pfd, const char *name,
    const struct image *img, uint64_t *count, uint64_t *bytes)
{
	char path[320], head[160];
	const char *p, *end;
	long len;
	size_t done = 0;

	snprintf(path, sizeof path, "%s/journal", name);
	len = port_fs_read_file(pfd, path, s->journal, sizeof s->journal - 1);
	if (len <= 0) {
		err_clear();
		return 0;
	}
	s->journal[len] = '\0';
	snprintf(head, sizeof head, "ocipull-journal 1 %s %zu\n",
	    img->manifest.digest, img->nlayers);
	if (strncmp(s->journal, head, strlen(head)) != 0)
		return 0;
	p = s->journal + strlen(head);
	while ((end = strchr(p, '\n')) != NULL) {
		char want[256];
		uint64_t c, b;
		size_t n;

		if (strncmp(p, "commit\n", 7) == 0)
			return 0;
		if (done >= img->nlayers)
			return 0;
		n = (size_t)snprintf(want, sizeof want, "layer %zu %s %s ", done,
		    img->layers[done].digest, img->diff_ids[done]);
		if (strncmp(p, want, n) != 0)
			return 0;
		p = jnum(p + n, &c);
		if (p == NULL || *p != ' ')
			return 0;
		p = jnum(p + 1, &b);
		if (p == NULL || p != end)
			return 0;
		*count = c;
		*bytes = b;
		done++;
		p = end + 1;
	}
	return done;
}

/* ---- staging and commit -------------------------------------------------------- */

/* Split dest into its parent directory and last component. */
static int
split_dest(const char *dest, char *parent, size_t pcap, char *base, size_t bcap)
{
	size_t len = strlen(dest), b;

	while (len > 1 && dest[len - 1] == '/')
		len--;
	for (b = len; b > 0 && dest[b - 1] != '/'; b--)
		;
	if (len - b == 0 || len - b >= bcap || b >= pcap ||
	    (len - b == 1 && dest[b] == '.') ||
	    (len - b == 2 && dest[b] == '.' && dest[b + 1] == '.'))
		return err_set(ERR_USAGE, "destination \"%s\" must name a directory "
		    "to create or replace", dest);
	memcpy(base, dest + b, len - b);
	base[len - b] = '\0';
	if (b == 0) {
		memcpy(parent, ".", 2);
	} else {
		memcpy(parent, dest, b);
		parent[b] = '\0';
	}
	return ERR_OK;
}

/* Write the config to name.tmp below dir (renamed into place at commit). */
static int
write_config(int dir, const char *tmp, const char *config, size_t len)
{
	int fd, rc;
	long w;

	(void)port_fs_unlink(dir, tmp, 0);
	err_clear();
	fd = port_fs_open(dir, tmp, PORT_O_WRITE | PORT_O_CREATE | PORT_O_EXCL |
	    PORT_O_NOFOLLOW, 0644);
	if (fd < 0)
		return err_prefix(fd, "--config-out");
	w = port_fs_write(fd, config, len);
	rc = w < 0 ? (int)w : port_fs_fsync(fd);
	port_fs_close(fd);
	if (rc < 0) {
		(void)port_fs_unlink(dir, tmp, 0);
		return err_prefix(rc, "--config-out");
	}
	return ERR_OK;
}

int
pull_image(struct registry *r, const struct image *img, const char *config,
    size_t config_len, const struct pull_opts *o, struct pull_state *s)
{
	char parent[BOARD_PATH_MAX], base[256], name[300], cfg_tmp[BOARD_PATH_MAX];
	char cfg_parent[BOARD_PATH_MAX], cfg_base[256];
	struct port_stat st;
	int pfd = -1, lockfd = -1, sfd = -1, rootfd = -1, workfd = -1, cfgfd = -1;
	int jfd = -1, rc, dest_exists = 0, staged = 0, fs_open = 0;
	uint64_t spill_count = 0, spill_bytes = 0;
	size_t i, done;

	rc = split_dest(o->dest, parent, sizeof parent, base, sizeof base);
	if (rc < 0)
		return rc;
	pfd = port_fs_open(PORT_CWD, parent, PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (pfd < 0)
		return err_prefix(pfd, "destination's parent directory %s", parent);

	/* One ocipull per destination. */
	snprintf(name, sizeof name, ".%s.ocipull-lock", base);
	lockfd = port_fs_open(pfd, name, PORT_O_WRITE | PORT_O_CREATE |
	    PORT_O_NOFOLLOW, 0600);
	if (lockfd < 0) {
		rc = err_prefix(lockfd, "lock file");
		goto out;
	}
	rc = port_fs_lock(lockfd);
	if (rc == ERR_BUSY) {
		rc = err_set(ERR_BUSY, "another ocipull is working on %s (lock %s/%s)",
		    o->dest, parent, name);
		goto out;
	}
	if (rc < 0)
		goto out;

	rc = port_fs_stat(pfd, base, &st);
	if (rc == ERR_OK && st.type != PORT_T_DIR) {
		rc = err_set(ERR_EXIST, "destination %s exists and is not a directory",
		    o->dest);
		goto out;
	}
	if (rc == ERR_OK)
		dest_exists = 1;
	else if (rc == ERR_NOENT)
		err_clear();
	else
		goto out;

	/*
	 * A staging directory left by a killed run: its journal says which
	 * layers of which image were verified there. Keep them when it is the
	 * same image, else start afresh.
	 */
	snprintf(name, sizeof name, ".%s.ocipull-staging", base);
	done = journal_read(s, pfd, name, img, &spill_count, &spill_bytes);
	if (done > 0) {
		staged = 1;
		sfd = port_fs_open(pfd, name, PORT_O_READ | PORT_O_DIRECTORY |
		    PORT_O_NOFOLLOW, 0);
		rootfd = sfd < 0 ? sfd : port_fs_open(sfd, "rootfs", PORT_O_READ |
		    PORT_O_DIRECTORY | PORT_O_NOFOLLOW, 0);
		workfd = sfd < 0 ? sfd : port_fs_open(sfd, "work", PORT_O_READ |
		    PORT_O_DIRECTORY | PORT_O_NOFOLLOW, 0);
		jfd = sfd < 0 ? sfd : port_fs_open(sfd, "journal", PORT_O_WRITE |
		    PORT_O_APPEND | PORT_O_NOFOLLOW, 0);
		rc = rootfd < 0 || workfd < 0 || jfd < 0 ? ERR_IO :
		    rootfs_reopen(&s->fs, rootfd, workfd, port_is_root(), spill_count,
		    spill_bytes);
		if (rc == ERR_OK) {
			fs_open = 1;
			s->layers_kept = done;
		} else {
			/* Not usable after all: close and start afresh. */
			err_clear();
			if (jfd >= 0) port_fs_close(jfd);
			if (rootfd >= 0) port_fs_close(rootfd);
			if (workfd >= 0) port_fs_close(workfd);
			if (sfd >= 0) port_fs_close(sfd);
			jfd = rootfd = workfd = sfd = -1;
			done = 0;
		}
	}
	if (done == 0) {
		rc = tree_remove(pfd, name);
		if (rc < 0)
			goto out;
		rc = port_fs_mkdir(pfd, name, 0700);
		if (rc < 0)
			goto out;
		staged = 1;
		sfd = port_fs_open(pfd, name, PORT_O_READ | PORT_O_DIRECTORY |
		    PORT_O_NOFOLLOW, 0);
		if (sfd < 0) {
			rc = sfd;
			goto out;
		}
		rc = port_fs_mkdir(sfd, "rootfs", 0755);
		if (rc == ERR_OK)
			rc = port_fs_mkdir(sfd, "work", 0700);
		if (rc < 0)
			goto out;
		rootfd = port_fs_open(sfd, "rootfs", PORT_O_READ | PORT_O_DIRECTORY |
		    PORT_O_NOFOLLOW, 0);
		workfd = port_fs_open(sfd, "work", PORT_O_READ | PORT_O_DIRECTORY |
		    PORT_O_NOFOLLOW, 0);
		if (rootfd < 0 || workfd < 0) {
			rc = rootfd < 0 ? rootfd : workfd;
			goto out;
		}
		rc = rootfs_open(&s->fs, rootfd, workfd, port_is_root());
		if (rc < 0)
			goto out;
		fs_open = 1;
		rc = journal_start(sfd, img, o->no_sync, &jfd);
		if (rc < 0)
			goto out;
	}

	if (o->config_out != NULL) {
		rc = split_dest(o->config_out, cfg_parent, sizeof cfg_parent, cfg_base,
		    sizeof cfg_base);
		if (rc < 0)
			goto out;
		cfgfd = port_fs_open(PORT_CWD, cfg_parent, PORT_O_READ |
		    PORT_O_DIRECTORY, 0);
		if (cfgfd < 0) {
			rc = err_prefix(cfgfd, "--config-out directory %s", cfg_parent);
			goto out;
		}
		snprintf(cfg_tmp, sizeof cfg_tmp, ".%s.ocipull-tmp", cfg_base);
		rc = write_config(cfgfd, cfg_tmp, config, config_len);
		if (rc < 0)
			goto out;
	}

	for (i = 0; i < img->nlayers; i++) {
		if (i < done) {
			/* Verified by a run that did not finish. */
			progress_verified((unsigned)i, img->layers[i].digest);
			continue;
		}
		progress_layer((unsigned)i, (unsigned)img->nlayers,
		    img->layers[i].digest, img->layers[i].size);
		rc = pull_layer(s, r, &img->layers[i], img->diff_ids[i], (unsigned)i,
		    (unsigned)img->nlayers, o->allow_foreign);
		if (rc < 0)
			goto out;
		/* Durable first, then recorded: a journal line never names a
		 * layer whose files could still be lost. */
		if (!o->no_sync) {
			rc = port_fs_syncfs(rootfd);
			if (rc < 0)
				goto out;
		}
		rc = journal_layer(jfd, s, i, img, o->no_sync);
		if (rc < 0)
			goto out;
		progress_verified((unsigned)i, img->layers[i].digest);
	}
	rc = rootfs_finish(&s->fs);
	if (rc < 0)
		goto out;
	rootfs_close(&s->fs);
	fs_open = 0;

	/* Everything matched: make the tree durable, then switch in one step.
	 * The journal says "commit" first: a run killed from here on cannot
	 * know which tree the staging directory holds, so the next one starts
	 * afresh. */
	if (!o->no_sync) {
		rc = port_fs_syncfs(rootfd);
		if (rc < 0)
			goto out;
	}
	rc = journal_commit(jfd, o->no_sync);
	if (rc < 0)
		goto out;
	if (dest_exists) {
		rc = port_fs_rename(sfd, "rootfs", pfd, base, 1);
		if (rc < 0)
			goto out;
		/* The previous tree is now staging/rootfs. */
		if (o->keep_old) {
			snprintf(name, sizeof name, "%s.old", base);
			rc = tree_remove(pfd, name);
			if (rc == ERR_OK)
				rc = port_fs_rename(sfd, "rootfs", pfd, name, 0);
			if (rc < 0)
				goto out;
		}
	} else {
		rc = port_fs_rename(sfd, "rootfs", pfd, base, 0);
		if (rc < 0)
			goto out;
	}
	if (cfgfd >= 0) {
		rc = port_fs_rename(cfgfd, cfg_tmp, cfgfd, cfg_base, 0);
		if (rc == ERR_OK && !o->no_sync)
			rc = port_fs_fsync(cfgfd);
		if (rc < 0)
			goto out;
	}
	/* The rename itself must survive a power cut. */
	rc = o->no_sync ? ERR_OK : port_fs_fsync(pfd);
	if (rc < 0)
		rc = err_prefix(rc, "%s holds the new tree, but syncing its parent "
		    "directory failed, so a power cut could still bring the old one "
		    "back", o->dest);
out:
	if (jfd >= 0)
		port_fs_close(jfd);
	if (fs_open)
		rootfs_close(&s->fs);
	if (rootfd >= 0)
		port_fs_close(rootfd);
	if (workfd >= 0)
		port_fs_close(workfd);
	if (sfd >= 0)
		port_fs_close(sfd);
	if (rc < 0 && cfgfd >= 0)
		(void)port_fs_unlink(cfgfd, cfg_tmp, 0);
	if (cfgfd >= 0)
		port_fs_close(cfgfd);
	if (staged) {
		/* Whatever is left: a failed tree, or the replaced one. */
		int rc2;
		snprintf(name, sizeof name, ".%s.ocipull-staging", base);
		if (rc < 0) {
			char keep[ERR_MSG_MAX];
			snprintf(keep, sizeof keep, "%s", err_msg());
			err_clear();
			(void)tree_remove(pfd, name);
			err_clear();
			err_set(rc, "%s", keep);
		} else {
			rc2 = tree_remove(pfd, name);
			if (rc2 < 0)
				rc = rc2;
		}
	}
	/* The lock file stays: removing it would let two later runs lock
	 * two different files. Closing it releases the lock. */
	if (lockfd >= 0)
		port_fs_close(lockfd);
	if (pfd >= 0)
		port_fs_close(pfd);
	return rc;
}
