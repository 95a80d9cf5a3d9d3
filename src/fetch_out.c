/*
 * fetch_out.c: writing a layout directory or a layout tar (fetch_out.h).
 */
#include "fetch_out.h"

#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "err.h"
#include "port.h"
#include "source_layout.h"
#include "tar_write.h"
#include "tree.h"

#define REF_NAME_KEY "org.opencontainers.image.ref.name"
#define TMP_SUFFIX ".ocipull-tmp"
static const char layout_text[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
static const uint8_t zeros[TARW_END];

/* ---- the target ------------------------------------------------------ */

int
fetch_target_parse(struct fetch_target *t, const char *s)
{
	struct ref r;
	const char *colon;
	size_t n;

	memset(t, 0, sizeof *t);
	if (strcmp(s, "-") == 0) {
		t->kind = FETCH_TO_STDOUT;
		return ERR_OK;
	}
	if (strncmp(s, LAYOUT_PREFIX, 4) == 0) {
		if (layout_ref_split(&r, s + 4) < 0)
			return ERR_USAGE;
		if (r.digest[0] != '\0')
			return err_set(ERR_USAGE, "fetch writes a tag, not a digest: "
			    "oci:DIR[:TAG], not '%s'", s);
		t->kind = FETCH_TO_LAYOUT;
		memcpy(t->path, r.repo, sizeof t->path);
		memcpy(t->tag, r.tag, sizeof t->tag);
		return ERR_OK;
	}
	if (strncmp(s, "oci-archive:", 12) != 0)
		return err_set(ERR_USAGE, "fetch TARGET is oci:DIR[:TAG], "
		    "oci-archive:FILE[:TAG] or - (an archive on stdout), not '%s'", s);
	s += 12;
	colon = strchr(s, ':');
	n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (n == 0 || n > REF_NAME_MAX || (colon != NULL && (colon[1] == '\0' ||
	    strlen(colon + 1) > REF_TAG_MAX || strpbrk(colon + 1, ":@ ") != NULL)))
		return err_set(ERR_USAGE, "invalid target 'oci-archive:%s': a file "
		    "name of 1 to %u bytes without ':', then :TAG if any", s,
		    REF_NAME_MAX);
	t->kind = FETCH_TO_ARCHIVE;
	memcpy(t->path, s, n);
	if (colon != NULL)
		memcpy(t->tag, colon + 1, strlen(colon + 1));
	return ERR_OK;
}

/* ---- writing ---------------------------------------------------------- */

static int
out(struct fetch_out *o, const void *p, size_t n)
{
	long w;

	if (n == 0)
		return ERR_OK;
	w = port_fs_write(o->fd, p, n);
	if (w < 0)
		return err_prefix((int)w, "writing %s", o->kind == FETCH_TO_STDOUT ?
		    "the archive to the standard output" : o->path);
	o->written += n;
	return ERR_OK;
}

/* One tar member's header. */
static int
member(struct fetch_out *o, const char *name, int type, uint32_t mode,
    uint64_t size)
{
	uint8_t h[TARW_HDR_MAX];
	long n = tarw_header(h, sizeof h, name, type, mode, size);

	return n < 0 ? (int)n : out(o, h, (size_t)n);
}

/* A whole small file as a tar member. */
static int
member_file(struct fetch_out *o, const char *name, const void *p, size_t n)
{
	int rc = member(o, name, TARW_FILE, 0644, n);

	if (rc == ERR_OK)
		rc = out(o, p, n);
	return rc == ERR_OK ? out(o, zeros, tarw_pad(n)) : rc;
}

/* Sync fd unless told not to. */
static int
sync_fd(const struct fetch_out *o, int fd, const char *what)
{
	int rc = o->no_sync ? ERR_OK : port_fs_fsync(fd);

	return rc < 0 ? err_prefix(rc, "%s", what) : ERR_OK;
}

/* A new temporary file tmp below dir: one a killed run left is removed
 * first, and the file is created, never opened (a hard link planted under
 * the temporary's name would otherwise be written through). */
static int
create_tmp(int dir, const char *tmp)
{
	int rc = port_fs_unlink(dir, tmp, 0);

	if (rc < 0 && rc != ERR_NOENT)
		return rc;
	err_clear();
	return port_fs_open(dir, tmp, PORT_O_WRITE | PORT_O_CREATE | PORT_O_EXCL |
	    PORT_O_NOFOLLOW, 0644);
}

/* name below dir, written whole through a temporary and a rename. */
static int
put_file(struct fetch_out *o, int dir, const char *name, const void *p,
    size_t n)
{
	char tmp[64];
	long w;
	int fd, rc;

	snprintf(tmp, sizeof tmp, "%s" TMP_SUFFIX, name);
	fd = create_tmp(dir, tmp);
	if (fd < 0)
		return err_prefix(fd, "OCI layout %s: %s", o->path, tmp);
	w = port_fs_write(fd, p, n);
	rc = w < 0 ? (int)w : ERR_OK;
	if (rc == ERR_OK)
		rc = sync_fd(o, fd, name);
	port_fs_close(fd);
	if (rc == ERR_OK)
		rc = port_fs_rename(dir, tmp, dir, name, 0);
	if (rc == ERR_OK)
		rc = sync_fd(o, dir, o->path);
	if (rc < 0) {
		port_fs_unlink(dir, tmp, 0);
		return err_prefix(rc, "OCI layout %s: %s", o->path, name);
	}
	return ERR_OK;
}

/* ---- opening ---------------------------------------------------------- */

/* dir/name, a directory made when missing, opened without following a
 * symlink. */
static int
subdir(struct fetch_out *o, int dir, const char *name)
{
	int fd, rc = port_fs_mkdir(dir, name, 0755);

	if (rc < 0 && rc != ERR_EXIST)
		return err_prefix(rc, "OCI layout %s", o->path);
	err_clear();
	fd = port_fs_open(dir, name, PORT_O_READ | PORT_O_DIRECTORY |
	    PORT_O_NOFOLLOW, 0);
	if (fd < 0) {
		err_clear();
		return err_set(fd, "OCI layout %s: %s is not a directory (or a "
		    "symlink, which is not followed)", o->path, name);
	}
	return fd;
}

/* DIR has no oci-layout: it must be empty (not somebody's directory). */
static int
check_empty(struct fetch_out *o)
{
	struct port_dir d;
	char name[256];
	long n;
	int fd = port_fs_open(o->dir, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);

	if (fd < 0)
		return err_prefix(fd, "OCI layout %s", o->path);
	port_fs_dir_open(&d, fd);
	n = port_fs_dir_next(&d, name, sizeof name);
	port_fs_dir_close(&d);
	if (n < 0)
		return err_prefix((int)n, "OCI layout %s", o->path);
	if (n > 0)
		return err_set(ERR_USAGE, "%s is a directory that is no OCI image "
		    "layout (no oci-layout) and not empty: fetch writes only into "
		    "a layout, an empty directory or a new one", o->path);
	return ERR_OK;
}

/* name of the layout whole into doc: a regular file, never through a
 * symlink (it could point anywhere) or a FIFO (the read would block);
 * ERR_NOENT when absent. */
static long
read_layout_file(struct fetch_out *o, const char *name, char *doc, size_t cap)
{
	struct port_stat st;
	int rc = port_fs_stat(o->dir, name, &st);

	if (rc < 0)
		return rc;
	if (st.type != PORT_T_REG)
		return err_set(ERR_FORMAT, "OCI layout %s: %s is not a regular file",
		    o->path, name);
	return port_fs_read_file(o->dir, name, doc, cap);
}

/* oci-layout: written when missing, else it must be version 1.0.0. */
static int
layout_file(struct fetch_out *o, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok)
{
	long n = read_layout_file(o, "oci-layout", doc, cap);
	int rc;

	if (n == ERR_NOENT) {
		err_clear();
		rc = o->made_dir ? ERR_OK : check_empty(o);
		return rc < 0 ? rc : put_file(o, o->dir, "oci-layout", layout_text,
		    sizeof layout_text - 1);
	}
	if (n < 0)
		return err_prefix((int)n, "OCI layout %s: oci-layout", o->path);
	return layout_version_check(doc, (size_t)n, tok, ntok, o->path);
}

/* index.json, parsed in doc: *arr becomes its "manifests" array's token,
 * -1 when the layout has no index.json. */
static int
read_index(struct fetch_out *o, struct json *j, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok, int *arr)
{
	long n = read_layout_file(o, "index.json", doc, cap);

	*arr = -1;
	if (n == ERR_NOENT) {
		err_clear();
		return ERR_OK;
	}
	if (n < 0)
		return err_prefix((int)n, "OCI layout %s: index.json", o->path);
	if (json_parse(j, doc, (size_t)n, tok, ntok, "index.json") < 0)
		return err_prefix(ERR_FORMAT, "OCI layout %s", o->path);
	*arr = json_is_object(j, 0) ? json_get(j, 0, "manifests") : -1;
	if (*arr < 0 || !json_is_array(j, *arr)) {
		err_clear();
		return err_set(ERR_FORMAT, "OCI layout %s: index.json has no "
		    "\"manifests\" array", o->path);
	}
	return ERR_OK;
}

static int
open_layout(struct fetch_out *o, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok)
{
	struct json j;
	int rc = port_fs_mkdir(PORT_CWD, o->path, 0755), blobs, arr;

	if (rc < 0 && rc != ERR_EXIST)
		return err_prefix(rc, "OCI layout");
	o->made_dir = rc == ERR_OK;
	err_clear();
	o->dir = port_fs_open(PORT_CWD, o->path, PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (o->dir < 0) {
		rc = o->dir;
		o->dir = -1;
		return err_prefix(rc, "OCI layout");
	}
	rc = layout_file(o, doc, cap, tok, ntok);
	if (rc == ERR_OK)
		rc = read_index(o, &j, doc, cap, tok, ntok, &arr);
	if (rc < 0)
		return rc;
	blobs = subdir(o, o->dir, "blobs");
	if (blobs < 0)
		return blobs;
	o->blobs = subdir(o, blobs, "sha256");
	port_fs_close(blobs);
	if (o->blobs < 0) {
		rc = o->blobs;
		o->blobs = -1;
		return rc;
	}
	return ERR_OK;
}

/* FILE's directory and name; FILE.ocipull-tmp opened in it. */
static int
open_archive(struct fetch_out *o)
{
	const char *slash = strrchr(o->path, '/');
	char dir[REF_NAME_MAX + 1];
	struct port_stat st;

	if (slash != NULL) {
		snprintf(dir, sizeof dir, "%.*s", slash == o->path ? 1 :
		    (int)(slash - o->path), o->path);
		o->dir = port_fs_open(PORT_CWD, dir, PORT_O_READ | PORT_O_DIRECTORY, 0);
		if (o->dir < 0) {
			int rc = o->dir;
			o->dir = -1;
			return err_prefix(rc, "oci-archive:%s", o->path);
		}
	}
	snprintf(o->base, sizeof o->base, "%s", slash ? slash + 1 : o->path);
	if (o->base[0] == '\0' || (port_fs_stat(o->dir, o->base, &st) == ERR_OK &&
	    st.type == PORT_T_DIR))
		return err_set(ERR_USAGE, "oci-archive:%s: not a file name", o->path);
	err_clear();
	snprintf(o->tmp, sizeof o->tmp, "%s" TMP_SUFFIX, o->base);
	o->fd = create_tmp(o->dir, o->tmp);
	if (o->fd < 0) {
		int rc = o->fd;
		o->fd = -1;
		o->tmp[0] = '\0';
		return err_prefix(rc, "oci-archive:%s", o->path);
	}
	o->own_fd = 1;
	return ERR_OK;
}

int
fetch_out_open(struct fetch_out *o, const struct fetch_target *t,
    int out_fd, int no_sync, char *doc, size_t cap, jsmntok_t *tok,
    unsigned ntok)
{
	int rc;

	memset(o, 0, offsetof(struct fetch_out, buf));
	o->kind = t->kind;
	o->no_sync = no_sync;
	o->dir = t->kind == FETCH_TO_ARCHIVE ? PORT_CWD : -1;
	o->blobs = o->fd = -1;
	memcpy(o->path, t->path, sizeof o->path);
	if (t->kind == FETCH_TO_STDOUT) {
		if (port_isatty(out_fd))
			return err_set(ERR_USAGE, "fetch -: the standard output is a "
			    "terminal; redirect it to a file or a pipe");
		o->fd = out_fd;
		return ERR_OK;
	}
	rc = t->kind == FETCH_TO_LAYOUT ? open_layout(o, doc, cap, tok, ntok) :
	    open_archive(o);
	if (rc < 0)
		fetch_out_abort(o);
	return rc;
}

int
fetch_out_begin(struct fetch_out *o, const char *index_json, size_t len)
{
	int rc;

	if (o->kind == FETCH_TO_LAYOUT)
		return ERR_OK;
	rc = member_file(o, "oci-layout", layout_text, sizeof layout_text - 1);
	if (rc == ERR_OK)
		rc = member_file(o, "index.json", index_json, len);
	if (rc == ERR_OK)
		rc = member(o, "blobs/", TARW_DIR, 0755, 0);
	if (rc == ERR_OK)
		rc = member(o, "blobs/sha256/", TARW_DIR, 0755, 0);
	return rc;
}

/* ---- blobs ------------------------------------------------------------ */

int
fetch_out_have(struct fetch_out *o, const char *digest, uint64_t size)
{
	char got[DIGEST_STR_LEN + 1];
	struct port_stat st;
	struct digest d;
	uint64_t off = 0;
	long n;
	int fd;

	if (o->kind != FETCH_TO_LAYOUT)
		return 0;
	if (port_fs_stat(o->blobs, digest + 7, &st) < 0 || st.type != PORT_T_REG ||
	    st.size != size) {
		err_clear();
		return 0;
	}
	fd = port_fs_open(o->blobs, digest + 7, PORT_O_READ | PORT_O_NOFOLLOW, 0);
	if (fd < 0) {
		err_clear();
		return 0;
	}
	digest_init(&d);
	while ((n = port_fs_pread(fd, o->buf, sizeof o->buf, off)) > 0) {
		digest_push(&d, o->buf, (size_t)n);
		off += (uint64_t)n;
	}
	port_fs_close(fd);
	if (n < 0)
		return err_prefix((int)n, "OCI layout %s: blob %s", o->path, digest);
	digest_final(&d, got);
	if (d.count != size || strcmp(got, digest) != 0)
		return 0;          /* replaced by the fetched one */
	o->kept++;
	return 1;
}

int
fetch_out_blob_begin(struct fetch_out *o, const char *digest, uint64_t size)
{
	char name[TARW_NAME_MAX + 1];

	snprintf(o->hex, sizeof o->hex, "%s", digest + 7);
	if (o->kind != FETCH_TO_LAYOUT) {
		snprintf(name, sizeof name, "blobs/sha256/%s", o->hex);
		o->blob_left = size;
		o->held = 0;
		return member(o, name, TARW_FILE, 0644, size);
	}
	snprintf(o->tmp, sizeof o->tmp, "%s" TMP_SUFFIX, o->hex);
	o->fd = create_tmp(o->blobs, o->tmp);
	if (o->fd < 0) {
		int rc = o->fd;
		o->fd = -1;
		o->tmp[0] = '\0';
		return err_prefix(rc, "OCI layout %s: blobs/sha256/%s" TMP_SUFFIX,
		    o->path, o->hex);
	}
	return ERR_OK;
}

/* An archive's blob keeps its last byte back until it verified: a blob
 * that fails is then cut inside its data, which every tar reader refuses,
 * never whole under its name (a size that is a multiple of 512 would end
 * the cut stream on a member boundary). */
int
fetch_out_write(struct fetch_out *o, const void *p, size_t n)
{
	if (o->kind == FETCH_TO_LAYOUT || n == 0)
		return out(o, p, n);
	if (n > o->blob_left)
		return err_set(ERR_PROTO, "blob %s: more bytes than its size",
		    o->hex);
	o->blob_left -= n;
	if (o->blob_left > 0)
		return out(o, p, n);
	o->last = ((const uint8_t *)p)[n - 1];
	o->held = 1;
	return out(o, p, n - 1);
}

int
fetch_out_blob_end(struct fetch_out *o)
{
	int rc;

	o->stored++;
	if (o->kind != FETCH_TO_LAYOUT) {
		rc = o->held ? out(o, &o->last, 1) : ERR_OK;
		o->held = 0;
		return rc < 0 ? rc : out(o, zeros, tarw_pad(o->written));
	}
	rc = sync_fd(o, o->fd, o->hex);
	port_fs_close(o->fd);
	o->fd = -1;
	if (rc == ERR_OK)
		rc = port_fs_rename(o->blobs, o->tmp, o->blobs, o->hex, 0);
	if (rc < 0) {
		fetch_out_blob_abort(o);
		return err_prefix(rc, "OCI layout %s: blobs/sha256/%s", o->path,
		    o->hex);
	}
	o->tmp[0] = '\0';
	return ERR_OK;
}

void
fetch_out_blob_abort(struct fetch_out *o)
{
	if (o->kind != FETCH_TO_LAYOUT)
		return;
	if (o->fd >= 0)
		port_fs_close(o->fd);
	o->fd = -1;
	if (o->tmp[0] != '\0')
		port_fs_unlink(o->blobs, o->tmp, 0);
	o->tmp[0] = '\0';
}

/* ---- the end ---------------------------------------------------------- */

/* The raw text of the value at i (a string with its quotes). */
static struct json_str
raw(const struct json *j, int i)
{
	struct json_str s;
	int q = j->tok[i].type == JSMN_STRING;

	s.p = j->doc + j->tok[i].start - q;
	s.n = (size_t)(j->tok[i].end - j->tok[i].start) + 2u * (unsigned)q;
	return s;
}

/* Entry m of an existing index.json is replaced by the new one. */
static int
replaced(const struct json *j, int m, const char *tag, const char *digest)
{
	int a = json_get(j, m, "annotations"), v = -1, d;

	if (a >= 0 && json_is_object(j, a))
		v = json_get(j, a, REF_NAME_KEY);
	if (tag[0] != '\0')
		return v >= 0 && json_eq(j, v, tag);
	d = json_get(j, m, "digest");
	return v < 0 && d >= 0 && json_eq(j, d, digest);
}

/* Write p[0..n) to fd, keeping the first error in *rc. */
static void
wr(int fd, const void *p, size_t n, int *rc)
{
	long w;

	if (*rc == ERR_OK && n > 0 && (w = port_fs_write(fd, p, n)) < 0)
		*rc = (int)w;
}

/* The new index.json into fd: the existing one's entries but those
 * replaced, then entry; its other members kept. */
static int
write_index(int fd, const struct json *j, int arr, const char *entry,
    size_t entry_len, const char *tag, const char *digest)
{
	static const char head[] = "{\"schemaVersion\":2,\"mediaType\":"
	    "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[";
	struct json_str s;
	int rc = ERR_OK, i, k, first = 1;

	wr(fd, head, sizeof head - 1, &rc);
	for (i = arr + 1, k = 0; arr >= 0 && k < j->tok[arr].size;
	    k++, i = json_next(j, i)) {
		if (!json_is_object(j, i) || replaced(j, i, tag, digest))
			continue;
		s = raw(j, i);
		wr(fd, ",", (size_t)!first, &rc);
		wr(fd, s.p, s.n, &rc);
		first = 0;
	}
	wr(fd, ",", (size_t)!first, &rc);
	wr(fd, entry, entry_len, &rc);
	wr(fd, "]", 1, &rc);
	for (i = 1, k = 0; arr >= 0 && k < j->tok[0].size; k++) {
		int v = i + 1;
		if (!json_eq(j, i, "schemaVersion") && !json_eq(j, i, "mediaType") &&
		    !json_eq(j, i, "manifests")) {
			wr(fd, ",", 1, &rc);
			s = raw(j, i);
			wr(fd, s.p, s.n, &rc);
			wr(fd, ":", 1, &rc);
			s = raw(j, v);
			wr(fd, s.p, s.n, &rc);
		}
		i = json_next(j, v);
	}
	wr(fd, "}\n", 2, &rc);
	return rc;
}

/* The layout's index.json, through a temporary and a rename, after the
 * blobs are synced. */
static int
commit_layout(struct fetch_out *o, const char *entry, size_t entry_len,
    const char *tag, const char *digest, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok)
{
	struct json j;
	int rc, arr, fd;

	rc = sync_fd(o, o->blobs, "blobs/sha256");
	if (rc == ERR_OK)
		rc = read_index(o, &j, doc, cap, tok, ntok, &arr);
	if (rc < 0)
		return rc;
	snprintf(o->tmp, sizeof o->tmp, "index.json" TMP_SUFFIX);
	fd = create_tmp(o->dir, o->tmp);
	if (fd < 0) {
		o->tmp[0] = '\0';
		return err_prefix(fd, "OCI layout %s: index.json" TMP_SUFFIX, o->path);
	}
	rc = write_index(fd, &j, arr, entry, entry_len, tag, digest);
	if (rc == ERR_OK)
		rc = sync_fd(o, fd, "index.json");
	port_fs_close(fd);
	if (rc == ERR_OK)
		rc = port_fs_rename(o->dir, o->tmp, o->dir, "index.json", 0);
	if (rc < 0) {
		port_fs_unlink(o->dir, o->tmp, 0);
		o->tmp[0] = '\0';
		return err_prefix(rc, "OCI layout %s: index.json", o->path);
	}
	o->tmp[0] = '\0';
	return sync_fd(o, o->dir, o->path);
}

/* The archive's end blocks; a file synced and renamed into place. */
static int
commit_archive(struct fetch_out *o)
{
	int rc = out(o, zeros, TARW_END);

	if (rc < 0 || o->kind == FETCH_TO_STDOUT)
		return rc;
	rc = sync_fd(o, o->fd, o->path);
	port_fs_close(o->fd);
	o->fd = -1;
	o->own_fd = 0;
	if (rc == ERR_OK)
		rc = port_fs_rename(o->dir, o->tmp, o->dir, o->base, 0);
	if (rc == ERR_OK)
		rc = sync_fd(o, o->dir, o->path);
	if (rc < 0)
		return err_prefix(rc, "oci-archive:%s", o->path);
	o->tmp[0] = '\0';
	return ERR_OK;
}

static void
close_all(struct fetch_out *o)
{
	if (o->fd >= 0 && (o->own_fd || o->kind == FETCH_TO_LAYOUT))
		port_fs_close(o->fd);
	if (o->blobs >= 0)
		port_fs_close(o->blobs);
	if (o->dir >= 0)
		port_fs_close(o->dir);
	o->fd = o->blobs = o->dir = -1;
}

int
fetch_out_commit(struct fetch_out *o, const char *entry, size_t entry_len,
    const char *tag, const char *digest, char *doc, size_t cap,
    jsmntok_t *tok, unsigned ntok)
{
	int rc = o->kind == FETCH_TO_LAYOUT ? commit_layout(o, entry, entry_len,
	    tag, digest, doc, cap, tok, ntok) : commit_archive(o);

	if (rc < 0) {
		fetch_out_abort(o);
		return rc;
	}
	o->made_dir = 0;
	close_all(o);
	return ERR_OK;
}

static void fetch_out_abort_quiet(struct fetch_out *o);

void
fetch_out_abort(struct fetch_out *o)
{
	char why[ERR_MSG_MAX];

	/* The cleanup's own errors (a file already gone) must not replace
	 * the one that made the fetch fail. */
	snprintf(why, sizeof why, "%s", err_msg());
	fetch_out_abort_quiet(o);
	err_clear();
	if (why[0] != '\0')
		(void)err_set(ERR_IO, "%s", why);
}

static void
fetch_out_abort_quiet(struct fetch_out *o)
{
	fetch_out_blob_abort(o);
	if (o->kind == FETCH_TO_ARCHIVE && o->fd >= 0) {
		port_fs_close(o->fd);
		o->fd = -1;
	}
	if (o->kind == FETCH_TO_ARCHIVE && o->tmp[0] != '\0')
		port_fs_unlink(o->dir, o->tmp, 0);
	o->tmp[0] = '\0';
	if (o->made_dir && o->dir >= 0) {
		/* What this run made, below the handle it made it through. */
		tree_remove(o->dir, "blobs");
		port_fs_unlink(o->dir, "oci-layout", 0);
	}
	close_all(o);
	if (o->made_dir)
		port_fs_unlink(PORT_CWD, o->path, 1);
	o->made_dir = 0;
}
