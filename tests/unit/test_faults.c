/*
 * test_faults.c: pull_image() under injected faults (port/fake/).
 *
 * An HTTP/1.1 registry runs in a thread on 127.0.0.1 and serves an image
 * built here in memory: one gzip layer (a tar of a few hundred KiB with
 * directories and files), its config and an OCI manifest. Every case pulls
 * it into DEST, which holds a marker file, as main.c does (registry_init,
 * pull_resolve, pull_image on static buffers), with one fault armed, and
 * checks the result, that the message names the cause, and that a failed
 * pull left DEST as it was and no staging directory beside it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "digest.h"
#include "err.h"
#include "fake.h"
#include "platform.h"
#include "pull.h"
#include "ref.h"
#include "registry.h"
#include "source_registry.h"
#include "unit.h"

/* ---- the image ------------------------------------------------------------- */

#define RAND_LEN (200u * 1024u + 123u)
#define TEXT_LEN (100u * 1024u)
#define TAR_CAP (RAND_LEN + TEXT_LEN + 64u * 512u)
#define GZ_CAP (TAR_CAP + TAR_CAP / 100u + 4096u)

static const char hello[] = "hello, world\n";
static unsigned char rand_data[RAND_LEN];
static unsigned char text_data[TEXT_LEN];
static unsigned char tarbuf[TAR_CAP];
static size_t tar_len;
static unsigned char layer[GZ_CAP];
static size_t layer_len;
static char config_json[1024];
static size_t config_len_g;
static char manifest_json[2048];
static size_t manifest_len;
static char layer_digest[DIGEST_STR_LEN + 1];
static char config_digest[DIGEST_STR_LEN + 1];
static char manifest_digest[DIGEST_STR_LEN + 1];
static char diff_id[DIGEST_STR_LEN + 1];

static void
octal(char *field, size_t width, unsigned long long v)
{
	size_t i = width - 1;

	/* width - 1 octal digits and a NUL */
	field[i] = '\0';
	while (i-- > 0) {
		field[i] = (char)('0' + (v & 7u));
		v >>= 3;
	}
}

static void
tar_add(const char *name, char type, unsigned mode, const void *data, size_t len)
{
	char *h = (char *)tarbuf + tar_len;
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	snprintf(h, 100, "%s", name);
	octal(h + 100, 8, mode);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, type == '0' ? len : 0);
	octal(h + 136, 12, 1700000000ull);
	memset(h + 148, ' ', 8);
	h[156] = type;
	memcpy(h + 257, "ustar\0" "00", 8);
	snprintf(h + 265, 32, "root");
	snprintf(h + 297, 32, "root");
	for (i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	tar_len += 512;
	if (type == '0' && len > 0) {
		memcpy(tarbuf + tar_len, data, len);
		tar_len += (len + 511u) / 512u * 512u;
	}
}

static int
build_image(void)
{
	uint32_t x = 12345u;
	z_stream z;
	size_t i;
	int rc;

	for (i = 0; i < RAND_LEN; i++) {
		x = x * 1103515245u + 12345u;
		rand_data[i] = (unsigned char)(x >> 16);
	}
	for (i = 0; i < TEXT_LEN; i++)
		text_data[i] = (unsigned char)("line of text number ...\n"[i % 24]);
	tar_len = 0;
	memset(tarbuf, 0, sizeof tarbuf);
	tar_add("dir/", '5', 0755, NULL, 0);
	tar_add("dir/random.bin", '0', 0644, rand_data, RAND_LEN);
	tar_add("dir/sub/", '5', 0750, NULL, 0);
	tar_add("dir/sub/text.txt", '0', 0600, text_data, TEXT_LEN);
	tar_add("hello.txt", '0', 0644, hello, strlen(hello));
	tar_len += 1024;    /* end-of-archive: two zero blocks */
	digest_buf(tarbuf, tar_len, diff_id);

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = tarbuf;
	z.avail_in = (uInt)tar_len;
	z.next_out = layer;
	z.avail_out = (uInt)sizeof layer;
	rc = deflate(&z, Z_FINISH);
	layer_len = (size_t)z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END)
		return -1;
	digest_buf(layer, layer_len, layer_digest);

	config_len_g = (size_t)snprintf(config_json, sizeof config_json,
	    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
	    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", diff_id);
	digest_buf(config_json, config_len_g, config_digest);
	manifest_len = (size_t)snprintf(manifest_json, sizeof manifest_json,
	    "{\"schemaVersion\":2,"
	    "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	    "\"digest\":\"%s\",\"size\":%zu},"
	    "\"layers\":[{\"mediaType\":"
	    "\"application/vnd.oci.image.layer.v1.tar+gzip\","
	    "\"digest\":\"%s\",\"size\":%zu}]}",
	    config_digest, config_len_g, layer_digest, layer_len);
	digest_buf(manifest_json, manifest_len, manifest_digest);
	return 0;
}

/* ---- the registry ---------------------------------------------------------- */

static int listen_fd = -1;
static uint16_t srv_port;
static pthread_mutex_t srv_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	unsigned requests;
	unsigned ranges;           /* requests with a Range header */
	unsigned long long range_first;   /* start of the last one */
	unsigned blob_gets;        /* layer blob requests */
	unsigned conns;            /* connections accepted */
} srv;

static int
send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
respond(int fd, int status, const char *extra, const void *body, size_t len)
{
	char h[1024];
	int n;

	n = snprintf(h, sizeof h, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s\r\n",
	    status, status == 200 ? "OK" : status == 206 ? "Partial Content" :
	    status == 416 ? "Range Not Satisfiable" : "Not Found", len, extra);
	if (send_all(fd, h, (size_t)n) < 0)
		return -1;
	return send_all(fd, body, len);
}

/* Answer one request (the head in req); -1 to drop the connection. */
static int
serve_one(int fd, char *req)
{
	static const char notfound[] = "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}";
	char path[512], extra[512], *range, *eol;
	unsigned long long first = 0, last = 0;
	int has_range = 0;
	const void *body;
	size_t len;

	if (sscanf(req, "GET %511s HTTP/1.1", path) != 1)
		return -1;
	for (range = strchr(req, '\n'); range != NULL; range = strchr(range, '\n')) {
		range++;
		if (strncasecmp(range, "Range:", 6) == 0) {
			eol = strchr(range, '\r');
			if (eol != NULL)
				*eol = '\0';
			if (sscanf(range + 6, " bytes=%llu-%llu", &first, &last) != 2)
				return -1;
			has_range = 1;
			if (eol != NULL)
				*eol = '\r';
		}
	}
	pthread_mutex_lock(&srv_mu);
	srv.requests++;
	if (has_range) {
		srv.ranges++;
		srv.range_first = first;
	}
	pthread_mutex_unlock(&srv_mu);

	if (strcmp(path, "/v2/") == 0)
		return respond(fd, 200, "Content-Type: application/json\r\n", "{}", 2);
	if (strcmp(path, "/v2/t/img/manifests/latest") == 0 ||
	    (strncmp(path, "/v2/t/img/manifests/", 20) == 0 &&
	    strcmp(path + 20, manifest_digest) == 0)) {
		snprintf(extra, sizeof extra, "Content-Type: application/vnd.oci."
		    "image.manifest.v1+json\r\nDocker-Content-Digest: %s\r\n",
		    manifest_digest);
		return respond(fd, 200, extra, manifest_json, manifest_len);
	}
	body = NULL;
	len = 0;
	if (strncmp(path, "/v2/t/img/blobs/", 16) == 0) {
		if (strcmp(path + 16, config_digest) == 0) {
			body = config_json;
			len = config_len_g;
		} else if (strcmp(path + 16, layer_digest) == 0) {
			body = layer;
			len = layer_len;
			pthread_mutex_lock(&srv_mu);
			srv.blob_gets++;
			pthread_mutex_unlock(&srv_mu);
		}
	}
	if (body == NULL)
		return respond(fd, 404, "Content-Type: application/json\r\n", notfound,
		    sizeof notfound - 1);
	snprintf(extra, sizeof extra, "Content-Type: application/octet-stream\r\n"
	    "Docker-Content-Digest: %.100s\r\n", path + 16);
	if (has_range) {
		size_t e = strlen(extra);
		if (first > last || last >= len)
			return respond(fd, 416, "", "", 0);
		snprintf(extra + e, sizeof extra - e, "Content-Range: bytes %llu-%llu/%zu\r\n",
		    first, last, len);
		return respond(fd, 206, extra, (const char *)body + first,
		    (size_t)(last - first + 1));
	}
	return respond(fd, 200, extra, body, len);
}

/* One connection at a time, keep-alive, until the client closes it. */
static void *
server_main(void *arg)
{
	static char buf[8192];

	(void)arg;
	for (;;) {
		size_t have = 0;
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;    /* shut down */
		}
		pthread_mutex_lock(&srv_mu);
		srv.conns++;
		pthread_mutex_unlock(&srv_mu);
		for (;;) {
			char *end;
			ssize_t n;

			buf[have] = '\0';
			end = strstr(buf, "\r\n\r\n");
			if (end != NULL) {
				size_t used = (size_t)(end + 4 - buf);
				end[2] = '\0';
				if (serve_one(fd, buf) < 0)
					break;
				memmove(buf, buf + used, have - used);
				have -= used;
				continue;
			}
			if (have + 1 >= sizeof buf)
				break;
			n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			have += (size_t)n;
		}
		close(fd);
	}
}

static int
server_start(pthread_t *th)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int one = 1;

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -1;
	(void)setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(listen_fd, 8) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &alen) != 0)
		return -1;
	srv_port = ntohs(a.sin_port);
	return pthread_create(th, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static void
server_counts_reset(void)
{
	pthread_mutex_lock(&srv_mu);
	memset(&srv, 0, sizeof srv);
	pthread_mutex_unlock(&srv_mu);
}

/* ---- the pull, as main.c does it ------------------------------------------ */

static struct registry reg;
static struct image img;
static char doc[BOARD_JSON_MAX];
static jsmntok_t tok[BOARD_JSON_TOKENS];
static struct pull_state pst;
static struct ref ref;

static char root[256];      /* this run's temporary directory */
static struct stat std_fds[3];  /* what fds 0-2 are (held_fds_note) */
static char dest[320];
static char parent[300];
static unsigned case_no;

enum { ARM_BEFORE_INIT, ARM_BEFORE_PULL };

struct fault_case {
	const char *name;
	unsigned retries;
	int arm_when;
	void (*arm)(void);
	int want_rc;
	const char *want_msg;      /* a part of err_msg() on failure */
	int no_sync;
};

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fputs(s, f);
	fclose(f);
}

/* Fresh parent directory with DEST/marker in it. */
static void
prepare_dest(void)
{
	char p[400];

	snprintf(parent, sizeof parent, "%s/case%u", root, ++case_no);
	snprintf(dest, sizeof dest, "%s/dest", parent);
	CHECK(mkdir(parent, 0755) == 0);
	CHECK(mkdir(dest, 0755) == 0);
	snprintf(p, sizeof p, "%s/marker", dest);
	write_file(p, "old tree\n");
}

/* The names in dir, sorted, joined by ' ' into out. */
static void
list_dir(const char *dir, char *out, size_t cap)
{
	struct dirent **ents;
	size_t o = 0;
	int n, i;

	out[0] = '\0';
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		snprintf(out, cap, "(cannot list: %s)", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0 && o < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "", nm);
		free(ents[i]);
	}
	free(ents);
}

static int
file_is(const char *path, const void *want, size_t len, unsigned mode)
{
	static unsigned char got[RAND_LEN + 1];
	struct stat st;
	FILE *f;
	size_t n;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 07777) != mode || (size_t)st.st_size != len)
		return 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	n = fread(got, 1, sizeof got, f);
	fclose(f);
	return n == len && memcmp(got, want, len) == 0;
}

static int
dir_is(const char *path, unsigned mode)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 07777) == mode;
}

static void
check_old_dest(void)
{
	char names[512];

	list_dir(dest, names, sizeof names);
	CHECK_STR(names, "marker");
	list_dir(parent, names, sizeof names);
	/* the lock file stays by design; nothing else may */
	CHECK_STR(names, ".dest.ocipull-lock dest");
}

static void
check_new_dest(void)
{
	char names[512], p[512];

	list_dir(dest, names, sizeof names);
	CHECK_STR(names, "dir hello.txt");
	snprintf(p, sizeof p, "%s/dir", dest);
	CHECK(dir_is(p, 0755));
	snprintf(p, sizeof p, "%s/dir/sub", dest);
	CHECK(dir_is(p, 0750));
	list_dir(p, names, sizeof names);
	CHECK_STR(names, "text.txt");
	snprintf(p, sizeof p, "%s/dir", dest);
	list_dir(p, names, sizeof names);
	CHECK_STR(names, "random.bin sub");
	snprintf(p, sizeof p, "%s/dir/random.bin", dest);
	CHECK(file_is(p, rand_data, RAND_LEN, 0644));
	snprintf(p, sizeof p, "%s/dir/sub/text.txt", dest);
	CHECK(file_is(p, text_data, TEXT_LEN, 0600));
	snprintf(p, sizeof p, "%s/hello.txt", dest);
	CHECK(file_is(p, hello, strlen(hello), 0644));
	list_dir(parent, names, sizeof names);
	CHECK_STR(names, ".dest.ocipull-lock dest");
}

/* Fill fds 0-2 (/dev/null where closed) and note what they are. */
static int
held_fds_note(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return -1;
		if (fstat(fd, &std_fds[fd]) != 0)
			return -1;
	}
	return 0;
}

/*
 * A pull closes no handle it does not own: fds 0-2 are still what they
 * were (once closed, the number goes to the next open or accept, and a
 * later close of it pulls a handle from under its owner).
 */
static void
check_held_fds(const char *name)
{
	struct stat st;
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fstat(fd, &st) != 0 || st.st_dev != std_fds[fd].st_dev ||
		    st.st_ino != std_fds[fd].st_ino)
			fprintf(stderr, "  %s: fd %d was closed or replaced\n", name, fd);
		CHECK(fstat(fd, &st) == 0 && st.st_dev == std_fds[fd].st_dev &&
		    st.st_ino == std_fds[fd].st_ino);
	}
}

/*
 * One pull of 127.0.0.1:PORT/t/img:latest into a fresh DEST with fault c
 * armed; returns pull_image's (or an earlier step's) result and leaves
 * err_msg() as it was.
 */
static int
run_pull(const struct fault_case *c)
{
	struct registry_opts ro;
	struct platform want;
	struct pull_opts po;
	struct source src;
	char refname[64];
	size_t config_len = 0;
	int rc;

	prepare_dest();
	server_counts_reset();
	fake_reset();
	err_clear();
	snprintf(refname, sizeof refname, "127.0.0.1:%u/t/img:latest",
	    (unsigned)srv_port);
	rc = ref_parse(&ref, refname);
	CHECK_EQ(rc, ERR_OK);
	rc = platform_parse(BOARD_PLATFORM, &want);
	CHECK_EQ(rc, ERR_OK);
	memset(&ro, 0, sizeof ro);
	ro.plain_http = 1;
	ro.retries = c->retries;
	ro.read_timeout_ms = 5000;
	ro.timeout_s = 60;
	if (c->arm_when == ARM_BEFORE_INIT && c->arm != NULL)
		c->arm();
	rc = registry_init(&reg, &ref, &ro);
	CHECK_EQ(rc, ERR_OK);
	source_registry(&src, &reg);
	if (rc == ERR_OK)
		rc = resolve_image(&src, &ref, &want, &img, doc, sizeof doc, tok,
		    (unsigned)(sizeof tok / sizeof tok[0]), &config_len);
	CHECK_EQ(rc, ERR_OK);
	if (rc == ERR_OK) {
		CHECK_EQ(img.nlayers, 1);
		if (c->arm_when == ARM_BEFORE_PULL && c->arm != NULL)
			c->arm();
		memset(&po, 0, sizeof po);
		po.stage.dest = dest;
		po.stage.no_sync = c->no_sync;
		memset(&pst, 0, sizeof pst);
		rc = pull_image(&src, &img, doc, config_len, &po, &pst, NULL);
	}
	registry_close(&reg);
	check_held_fds(c->name);
	return rc;
}

/* Run c and check the outcome; returns the fake's counters. */
static void
check_case(const struct fault_case *c, struct fake_stats *st)
{
	int rc = run_pull(c);

	fake_stats(st);
	fake_reset();
	if (rc != c->want_rc)
		fprintf(stderr, "  %s: rc %d (%s), expected %d: %s\n", c->name, rc,
		    err_name(rc), c->want_rc, err_msg());
	CHECK_EQ(rc, c->want_rc);
	if (getenv("FAULTS_VERBOSE") != NULL)
		fprintf(stderr, "  %s: rc %d: %s\n", c->name, rc, err_msg());
	if (c->want_rc == ERR_OK) {
		check_new_dest();
	} else {
		if (c->want_msg != NULL && strstr(err_msg(), c->want_msg) == NULL)
			fprintf(stderr, "  %s: message \"%s\" does not name \"%s\"\n",
			    c->name, err_msg(), c->want_msg);
		CHECK(c->want_msg == NULL || strstr(err_msg(), c->want_msg) != NULL);
		check_old_dest();
	}
}

/* ---- the cases -------------------------------------------------------------- */

static void arm_none(void) { }
static void arm_short(void) { fake_short_reads(1); }
/* Counted from the start of pull_image: the layer's response head is a
 * few hundred bytes, so this lands in the middle of its body. */
static void arm_reset_mid(void) { fake_net_reset_at(100000); }
static void arm_nospc_journal(void) { fake_nospc_at_write(1); }
static void arm_nospc_mid(void) { fake_nospc_at_write(4); }
static void arm_fsync_all(void) { fake_fsync_fails(1); }
static void arm_write_fail(void) { fake_net_write_fails_at(1); }

static unsigned g_syncs;    /* syncs of a clean pull (test_baseline) */

static void
test_baseline(void)
{
	static const struct fault_case c = { "baseline", 0, ARM_BEFORE_PULL,
	    arm_none, ERR_OK, NULL, 0 };
	struct fake_stats st;

	check_case(&c, &st);
	CHECK_EQ(st.faults, 0);
	CHECK(st.net_bytes_read > layer_len);
	CHECK(st.fs_writes >= 2 + (RAND_LEN + TEXT_LEN) / BOARD_WRITE_BUF);
	CHECK(st.syncs >= 3);
	g_syncs = (unsigned)st.syncs;
	CHECK_EQ(srv.blob_gets, 1);
	CHECK_EQ(srv.ranges, 0);
}

static void
test_short_reads(void)
{
	static const struct fault_case c = { "short reads", 0, ARM_BEFORE_INIT,
	    arm_short, ERR_OK, NULL, 0 };
	struct fake_stats st;

	check_case(&c, &st);
	/* at most 7 bytes a read: the layer alone needs this many */
	CHECK(st.net_reads >= layer_len / 7);
	CHECK(st.net_bytes_read > layer_len);
	CHECK_EQ(srv.blob_gets, 1);
	CHECK_EQ(srv.ranges, 0);
	CHECK_EQ(reg.refetched + pst.layer.refetched, 0);
}

static void
test_reset_no_retry(void)
{
	static const struct fault_case c = { "reset, retries 0", 0,
	    ARM_BEFORE_PULL, arm_reset_mid, ERR_NET,
	    "connection reset (fake, at byte 100000)", 0 };
	struct fake_stats st;

	CHECK(layer_len > 150000);    /* byte 100000 is well inside the layer */
	check_case(&c, &st);
	CHECK_EQ(st.faults, 1);
	CHECK(strstr(err_msg(), "layer 1 of 1") != NULL);
	CHECK_EQ(srv.blob_gets, 1);
	CHECK_EQ(srv.ranges, 0);
}

static void
test_reset_resume(void)
{
	static const struct fault_case c = { "reset, retries 3", 3,
	    ARM_BEFORE_PULL, arm_reset_mid, ERR_OK, NULL, 0 };
	struct fake_stats st;
	unsigned long long first;

	check_case(&c, &st);
	CHECK_EQ(st.faults, 1);
	pthread_mutex_lock(&srv_mu);
	first = srv.range_first;
	CHECK_EQ(srv.ranges, 1);
	CHECK_EQ(srv.blob_gets, 2);
	pthread_mutex_unlock(&srv_mu);
	/* resumed where the body broke: past the head, before byte 100000 */
	CHECK(first > 0);
	CHECK(first < 100000);
	CHECK(first > 100000 - 1024);
	CHECK_EQ(reg.refetched + pst.layer.refetched, 0);
	CHECK_EQ(pst.layer.resumes, 1);
	CHECK_EQ(reg.retries_done, 1);
}

static void
arm_reset_short(void)
{
	fake_short_reads(1);
	fake_net_reset_at(54321);
}

static void
test_reset_short(void)
{
	static const struct fault_case c = { "reset at 54321 + short reads", 2,
	    ARM_BEFORE_PULL, arm_reset_short, ERR_OK, NULL, 1 };
	struct fake_stats st;

	check_case(&c, &st);
	CHECK_EQ(st.faults, 1);
	CHECK_EQ(srv.ranges, 1);
	CHECK(srv.range_first > 54321 - 1024 && srv.range_first < 54321);
	CHECK_EQ(reg.refetched + pst.layer.refetched, 0);
}

/*
 * The layer request cannot be sent on the kept-alive connection: registry
 * takes that for a connection the server closed while idle and sends it
 * once more on a new one, so the pull goes through even with no retries.
 */
static void
test_request_write_fails(void)
{
	static const struct fault_case c = { "send fails once, retries 0", 0,
	    ARM_BEFORE_PULL, arm_write_fail, ERR_OK, NULL, 0 };
	struct fake_stats st;

	check_case(&c, &st);
	CHECK_EQ(st.faults, 1);
	CHECK_EQ(srv.blob_gets, 1);
	CHECK_EQ(srv.conns, 2);
	CHECK_EQ(reg.retries_done, 0);
}

static void
test_nospc_journal(void)
{
	static const struct fault_case c = { "ENOSPC at write 1", 0,
	    ARM_BEFORE_PULL, arm_nospc_journal, ERR_NOSPC, "no space left (fake)", 0 };
	struct fake_stats st;

	check_case(&c, &st);
	CHECK_EQ(st.faults, 1);
	CHECK(strstr(err_msg(), "journal") != NULL);
}

static void
test_nospc_mid_layer(void)
{
	static const struct fault_case c = { "ENOSPC at write 4", 0,
	    ARM_BEFORE_PULL, arm_nospc_mid, ERR_NOSPC, "no space left (fake)", 0 };
	struct fake_stats st;

	check_case(&c, &st);
	CHECK_EQ(st.faults, 1);
	CHECK(strstr(err_msg(), "layer 1 of 1") != NULL);
}

static void
test_fsync_fails(void)
{
	static const struct fault_case c = { "fsync fails", 0, ARM_BEFORE_PULL,
	    arm_fsync_all, ERR_IO, "fsync failed (fake)", 0 };
	struct fake_stats st;

	check_case(&c, &st);
	CHECK(st.faults >= 1);
}

/*
 * Each sync of a pull in turn: the journal header's fsync, the layer
 * record's header (proof.h), the syncfs after the layer, the journal's
 * layer line, the syncfs before the commit, the commit line (as many as
 * test_baseline counted, but the last). Each must fail the pull and leave
 * DEST alone. (The last, the parent's fsync after the rename, comes when
 * DEST is replaced.)
 */
static unsigned sync_n;
static void arm_sync_n(void) { fake_sync_fails_at(sync_n); }

static void
test_each_sync_fails(void)
{
	static const struct fault_case c = { "sync N fails", 0, ARM_BEFORE_PULL,
	    arm_sync_n, ERR_IO, "fsync failed (fake)", 0 };
	struct fake_stats st;

	CHECK(g_syncs >= 6);
	for (sync_n = 1; sync_n < g_syncs; sync_n++) {
		check_case(&c, &st);
		CHECK_EQ(st.faults, 1);
	}
}

/*
 * The last sync is the parent directory's fsync after the rename: DEST has
 * been replaced already, so the pull reports the failure (the switch may
 * not survive a power cut) with the new tree in place and no staging left.
 */
static void
test_sync_after_rename_fails(void)
{
	struct fault_case c = { "last sync fails", 0, ARM_BEFORE_PULL, arm_sync_n,
	    ERR_IO, "fsync failed (fake)", 0 };
	struct fake_stats st;
	int rc;

	sync_n = g_syncs;
	rc = run_pull(&c);
	fake_stats(&st);
	fake_reset();
	CHECK_EQ(rc, ERR_IO);
	CHECK(strstr(err_msg(), c.want_msg) != NULL);
	CHECK_EQ(st.faults, 1);
	CHECK_EQ(st.syncs, g_syncs);
	check_new_dest();
}

int
main(void)
{
	pthread_t th;
	char cfgdir[300];

	if (build_image() != 0) {
		fprintf(stderr, "cannot build the test image\n");
		return 1;
	}
	snprintf(root, sizeof root, "/tmp/ocipull-faults.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (held_fds_note() != 0) {
		perror("fds 0-2");
		return 1;
	}
	/* No docker config.json of the machine's user. */
	snprintf(cfgdir, sizeof cfgdir, "%s/docker", root);
	setenv("DOCKER_CONFIG", cfgdir, 1);
	if (server_start(&th) != 0) {
		perror("server");
		return 1;
	}
	UNIT_RUN(test_baseline);
	UNIT_RUN(test_short_reads);
	UNIT_RUN(test_reset_no_retry);
	UNIT_RUN(test_reset_resume);
	UNIT_RUN(test_reset_short);
	UNIT_RUN(test_request_write_fails);
	UNIT_RUN(test_nospc_journal);
	UNIT_RUN(test_nospc_mid_layer);
	UNIT_RUN(test_fsync_fails);
	UNIT_RUN(test_each_sync_fails);
	UNIT_RUN(test_sync_after_rename_fails);

	shutdown(listen_fd, SHUT_RDWR);
	close(listen_fd);
	pthread_join(th, NULL);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return UNIT_END();
}
