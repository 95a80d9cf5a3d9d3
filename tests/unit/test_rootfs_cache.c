/*
 * test_rootfs_cache.c: the rootfs writer's cached parent directories
 * (dircache.h) never let an entry land in a directory its path no longer
 * names: a directory replaced by a symlink, a file or another directory
 * between two entries in it, a whiteout or an opaque marker next to it,
 * entries that go back to earlier directories, more directories deep than
 * the cache holds. Each test builds a tree in a sandbox (mkdtemp under
 * /tmp, with outside/ beside root/ and work/), asserts the tree, and that
 * nothing outside root/ and work/ changed. Every test runs with openat2
 * and with the forced component walk. Also: owners and modes of objects
 * whose chown or chmod the writer leaves out.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "err.h"
#include "rootfs.h"

static int g_walk;          /* force the component walk */
static int g_root;
static struct rootfs g_fs;
static struct rootfs_entry g_e;
static char g_path[BOARD_PATH_MAX], g_link[BOARD_PATH_MAX];

struct sb {
	char dir[64];
	int rootfd, workfd;
};

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void
sb_new(struct sb *s, int is_root)
{
	char p[128];
	int fd;

	snprintf(s->dir, sizeof s->dir, "/tmp/rootfs_cache.XXXXXX");
	CHECK(mkdtemp(s->dir) != NULL);
	snprintf(p, sizeof p, "%s/outside", s->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/outside/canary", s->dir);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && write(fd, "canary\n", 7) == 7);
	close(fd);
	snprintf(p, sizeof p, "%s/root", s->dir);
	mkdir(p, 0755);
	s->rootfd = open(p, O_RDONLY | O_DIRECTORY);
	snprintf(p, sizeof p, "%s/work", s->dir);
	mkdir(p, 0700);
	s->workfd = open(p, O_RDONLY | O_DIRECTORY);
	CHECK(s->rootfd >= 0 && s->workfd >= 0);
	err_clear();
	CHECK_EQ(rootfs_open(&g_fs, s->rootfd, s->workfd, is_root), ERR_OK);
	g_fs.contain.force_walk = g_walk;
}

/* Nothing but root/ and work/ may differ from what sb_new made. */
static int g_foreign;

static int
foreign_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	const char *rel = strchr(p + 5, '/');    /* past "/tmp/" and the sandbox */

	(void)flag;
	if (f->level == 1 && rel != NULL && (strcmp(rel, "/root") == 0 ||
	    strcmp(rel, "/work") == 0))
		return FTW_SKIP_SUBTREE;
	if (f->level == 0 || (rel != NULL && (strcmp(rel, "/outside") == 0 ||
	    (strcmp(rel, "/outside/canary") == 0 && st->st_size == 7))))
		return FTW_CONTINUE;
	fprintf(stderr, "  outside the root: %s\n", p);
	g_foreign++;
	return FTW_CONTINUE;
}

static void
sb_free(struct sb *s)
{
	rootfs_close(&g_fs);
	g_foreign = 0;
	nftw(s->dir, foreign_cb, 16, FTW_PHYS | FTW_ACTIONRETVAL);
	CHECK_EQ(g_foreign, 0);
	close(s->rootfd);
	close(s->workfd);
	nftw(s->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int
put_owned(int type, const char *path, const char *link, uint32_t mode,
    uint32_t uid, uint32_t gid)
{
	static const char data[] = "data";
	int rc;

	memset(&g_e, 0, sizeof g_e);
	g_e.type = type;
	snprintf(g_path, sizeof g_path, "%s", path);
	g_e.path = rootfs_str(g_path, sizeof g_path);
	snprintf(g_link, sizeof g_link, "%s", link != NULL ? link : "");
	g_e.link = rootfs_str(g_link, sizeof g_link);
	g_e.mode = mode;
	g_e.uid = uid;
	g_e.gid = gid;
	g_e.mtime_s = 1500000000;
	if (type == ROOTFS_REG)
		g_e.size = 4;
	err_clear();
	rc = rootfs_entry(&g_fs, &g_e);
	if (rc == ERR_OK && type == ROOTFS_REG)
		rc = rootfs_data(&g_fs, (const uint8_t *)data, 4);
	if (rc == ERR_OK)
		rc = rootfs_entry_end(&g_fs);
	else
		rootfs_entry_end(&g_fs);
	return rc;
}

static int
put(int type, const char *path, const char *link)
{
	return put_owned(type, path, link, type == ROOTFS_DIR ? 0755 : 0644, 0, 0);
}

static void
layer(unsigned i)
{
	if (i > 0)
		CHECK_EQ(rootfs_layer_end(&g_fs), ERR_OK);
	CHECK_EQ(rootfs_layer_begin(&g_fs, i), ERR_OK);
}

static void
finish(void)
{
	CHECK_EQ(rootfs_layer_end(&g_fs), ERR_OK);
	CHECK_EQ(rootfs_finish(&g_fs), ERR_OK);
}

static int
is_type(const struct sb *s, const char *path, mode_t t)
{
	struct stat st;

	return fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (st.st_mode & S_IFMT) == t;
}

static int
absent(const struct sb *s, const char *path)
{
	struct stat st;

	return fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0;
}

/* ---- tests ------------------------------------------------------------------ */

/* The cached directory becomes a symlink between two entries in it. */
static void
test_dir_becomes_symlink(void)
{
	struct sb s;
	char target[128];

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put(ROOTFS_DIR, "b/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_DIR, "a/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "a/f1", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_SYMLINK, "a", "/b"), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "a/f2", NULL), ERR_OK);
	/* The sandbox's outside/ by its real path: inside the root here. */
	snprintf(target, sizeof target, "%s/outside", s.dir);
	CHECK_EQ(put(ROOTFS_DIR, "c/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "c/f1", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_SYMLINK, "c", target), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "c/f2", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_DIR, "e/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_SYMLINK, "e/up", "../../../.."), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "e/up/f3", NULL), ERR_OK);
	finish();
	CHECK(is_type(&s, "a", S_IFLNK));
	CHECK(is_type(&s, "b/f2", S_IFREG));
	CHECK(absent(&s, "b/f1"));
	CHECK(is_type(&s, "c", S_IFLNK));
	snprintf(target, sizeof target, "%s/outside/f2", s.dir + 1);
	CHECK(is_type(&s, target, S_IFREG));
	CHECK(is_type(&s, "f3", S_IFREG));
	sb_free(&s);
}

/* The same across layers, and the symlink made first in the new layer. */
static void
test_dir_becomes_symlink_next_layer(void)
{
	struct sb s;

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put(ROOTFS_DIR, "b/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_DIR, "a/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "a/f1", NULL), ERR_OK);
	layer(1);
	CHECK_EQ(put(ROOTFS_REG, "a/f0", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_SYMLINK, "a", "b"), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "a/f2", NULL), ERR_OK);
	layer(2);
	CHECK_EQ(put(ROOTFS_REG, "a/f3", NULL), ERR_OK);
	finish();
	CHECK(is_type(&s, "a", S_IFLNK));
	CHECK(absent(&s, "b/f0") && absent(&s, "b/f1"));
	CHECK(is_type(&s, "b/f2", S_IFREG) && is_type(&s, "b/f3", S_IFREG));
	sb_free(&s);
}

/* A symlink that the cached path went through becomes a directory, and a
 * cached directory becomes a file. */
static void
test_symlink_becomes_dir(void)
{
	struct sb s;

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put(ROOTFS_DIR, "real/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_SYMLINK, "alias", "real"), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "alias/f", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_DIR, "alias/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "alias/g", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_DIR, "d/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "d/x", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "d", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "d/y", NULL), ERR_FORMAT);
	finish();
	CHECK(is_type(&s, "real/f", S_IFREG) && absent(&s, "real/g"));
	CHECK(is_type(&s, "alias", S_IFDIR) && is_type(&s, "alias/g", S_IFREG));
	CHECK(absent(&s, "alias/f"));
	CHECK(is_type(&s, "d", S_IFREG));
	sb_free(&s);
}

/* Entries that go back to earlier directories, deeper than the cache. */
static void
test_back_to_earlier_dirs(void)
{
	static const char *const deep = "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11";
	struct sb s;
	char p[128];
	size_t i;

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put(ROOTFS_DIR, "x/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_DIR, "x/y/", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "x/y/f", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "x/g", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "z/h", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "x/i", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "x/y/j", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "top", NULL), ERR_OK);
	for (i = 3; i <= strlen(deep); i++) {
		if (deep[i] != '/' && deep[i] != '\0')
			continue;
		snprintf(p, sizeof p, "%.*s/", (int)i, deep);
		CHECK_EQ(put(ROOTFS_DIR, p, NULL), ERR_OK);
	}
	for (i = strlen(deep); i > 0; i--) {
		if (deep[i] != '/' && deep[i] != '\0')
			continue;
		snprintf(p, sizeof p, "%.*s/back", (int)i, deep);
		CHECK_EQ(put(ROOTFS_REG, p, NULL), ERR_OK);
	}
	finish();
	CHECK(is_type(&s, "x/y/f", S_IFREG) && is_type(&s, "x/g", S_IFREG));
	CHECK(is_type(&s, "z/h", S_IFREG) && is_type(&s, "x/i", S_IFREG));
	CHECK(is_type(&s, "x/y/j", S_IFREG) && is_type(&s, "top", S_IFREG));
	CHECK(absent(&s, "x/y/g") && absent(&s, "x/j") && absent(&s, "x/y/i"));
	for (i = strlen(deep); i > 0; i--) {
		if (deep[i] != '/' && deep[i] != '\0')
			continue;
		snprintf(p, sizeof p, "%.*s/back", (int)i, deep);
		CHECK(is_type(&s, p, S_IFREG));
	}
	sb_free(&s);
}

/* A whiteout of a lower directory while another is cached, an opaque
 * marker in the parent of the cached directory. */
static void
test_whiteout_and_opaque(void)
{
	struct sb s;

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put(ROOTFS_REG, "w/f", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "w/sub/f", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "o/old", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "o/s/old", NULL), ERR_OK);
	layer(1);
	CHECK_EQ(put(ROOTFS_REG, "w/sub/g", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, ".wh.w", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "w/sub/n", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "o/s/new", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "o/.wh..wh..opq", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "o/s/new2", NULL), ERR_OK);
	layer(2);
	CHECK_EQ(put(ROOTFS_REG, "o/s/new3", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "o/.wh.s", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "o/s/new4", NULL), ERR_OK);
	finish();
	/* w holds an entry of layer 1 (w/sub/g) when its whiteout comes: it
	 * is that layer's, so it stays, and so does its content. */
	CHECK(is_type(&s, "w/sub/g", S_IFREG) && is_type(&s, "w/sub/n", S_IFREG));
	CHECK(is_type(&s, "w/f", S_IFREG));
	CHECK(absent(&s, "o/old") && absent(&s, "o/s/old"));
	CHECK(is_type(&s, "o/s/new", S_IFREG) && is_type(&s, "o/s/new2", S_IFREG));
	CHECK(is_type(&s, "o/s/new3", S_IFREG) && is_type(&s, "o/s/new4", S_IFREG));
	sb_free(&s);

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put(ROOTFS_REG, "w/f", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "v/f", NULL), ERR_OK);
	layer(1);
	CHECK_EQ(put(ROOTFS_REG, "v/g", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "w/.wh.f", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "v/h", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, ".wh.v", NULL), ERR_OK);
	layer(2);
	CHECK_EQ(put(ROOTFS_REG, "w/g", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, ".wh.w", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "w2/x", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "w/h", NULL), ERR_OK);
	finish();
	CHECK(is_type(&s, "v/g", S_IFREG) && is_type(&s, "v/h", S_IFREG));
	CHECK(is_type(&s, "w/g", S_IFREG) && is_type(&s, "w/h", S_IFREG));
	CHECK(absent(&s, "w/f") && is_type(&s, "w2/x", S_IFREG));
	sb_free(&s);
}

/* A whiteout removes a lower directory: the next entry below that name
 * makes it afresh, not in the removed one. */
static void
test_whiteout_of_lower_dir(void)
{
	struct sb s;

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put(ROOTFS_REG, "q/f", NULL), ERR_OK);
	layer(1);
	CHECK_EQ(put(ROOTFS_REG, "r/f", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, ".wh.q", NULL), ERR_OK);
	CHECK_EQ(put(ROOTFS_REG, "q/g", NULL), ERR_OK);
	finish();
	CHECK(absent(&s, "q/f") && is_type(&s, "q/g", S_IFREG));
	sb_free(&s);
}

/* Owner and mode where the writer leaves out chown or chmod: a setgid
 * directory of another group, one of another group, modes the umask would
 * clear, special bits, a directory declared again with another owner. */
static void
test_owner_and_mode_left_out(void)
{
	struct sb s;
	struct stat st;
	mode_t old = umask(022);

	sb_new(&s, g_root);
	layer(0);
	CHECK_EQ(put_owned(ROOTFS_DIR, "sg/", NULL, 02775, 0, 5), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "sg/f", NULL, 0644, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_SYMLINK, "sg/l", "f", 0777, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_DIR, "sg/d/", NULL, 0755, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_DIR, "g5/", NULL, 0755, 7, 5), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "g5/f", NULL, 0666, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "g5/s", NULL, 04755, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "g5/o", NULL, 0600, 3, 4), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_DIR, "p/", NULL, 0755, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_SYMLINK, "alias", "p", 0777, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "alias/f", NULL, 0644, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_DIR, "p/", NULL, 02755, 0, 9), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "alias/g", NULL, 0644, 0, 0), ERR_OK);
	/* q/up/q is q again: declaring it must not leave q's cached handle
	 * with its old group. */
	CHECK_EQ(put_owned(ROOTFS_DIR, "q/", NULL, 0755, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_SYMLINK, "q/up", "..", 0777, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "q/f", NULL, 0644, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_DIR, "q/up/q/", NULL, 02755, 0, 9), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "q/g", NULL, 0644, 0, 0), ERR_OK);
	finish();
	umask(old);
	if (g_root) {
		CHECK(fstatat(s.rootfd, "sg/f", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK_EQ(st.st_gid, 0);
		CHECK(fstatat(s.rootfd, "sg/l", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK_EQ(st.st_gid, 0);
		CHECK(fstatat(s.rootfd, "sg/d", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK_EQ(st.st_gid, 0);
		CHECK_EQ(st.st_mode & 07777, 0755);
		CHECK(fstatat(s.rootfd, "g5/f", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK_EQ(st.st_gid, 0);
		CHECK(fstatat(s.rootfd, "g5/o", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK(st.st_uid == 3 && st.st_gid == 4);
		CHECK(fstatat(s.rootfd, "p/g", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK(st.st_uid == 0 && st.st_gid == 0);
		CHECK(fstatat(s.rootfd, "p", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK(st.st_gid == 9 && (st.st_mode & 07777) == 02755);
		CHECK(fstatat(s.rootfd, "q", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK(st.st_gid == 9 && (st.st_mode & 07777) == 02755);
		CHECK(fstatat(s.rootfd, "q/g", &st, AT_SYMLINK_NOFOLLOW) == 0);
		CHECK(st.st_uid == 0 && st.st_gid == 0);
	}
	CHECK(fstatat(s.rootfd, "g5/f", &st, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK_EQ(st.st_mode & 07777, 0666);
	CHECK(fstatat(s.rootfd, "g5/s", &st, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK_EQ(st.st_mode & 07777, 04755);
	sb_free(&s);
}

/* Unprivileged modes: files get theirs, also ones the owner cannot write. */
static void
test_modes_unprivileged(void)
{
	struct sb s;
	struct stat st;
	mode_t old = umask(077);

	sb_new(&s, 0);
	layer(0);
	CHECK_EQ(put_owned(ROOTFS_REG, "r", NULL, 0444, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "n", NULL, 0, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "x", NULL, 0755, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_DIR, "d/", NULL, 0555, 0, 0), ERR_OK);
	CHECK_EQ(put_owned(ROOTFS_REG, "d/f", NULL, 0600, 0, 0), ERR_OK);
	finish();
	umask(old);
	CHECK(fstatat(s.rootfd, "r", &st, 0) == 0 && (st.st_mode & 07777) == 0444);
	CHECK(fstatat(s.rootfd, "n", &st, 0) == 0 && (st.st_mode & 07777) == 0);
	CHECK(fstatat(s.rootfd, "x", &st, 0) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(fstatat(s.rootfd, "d", &st, 0) == 0 && (st.st_mode & 07777) == 0555);
	CHECK(fstatat(s.rootfd, "d/f", &st, 0) == 0 &&
	    (st.st_mode & 07777) == 0600);
	CHECK(fchmodat(s.rootfd, "d", 0755, 0) == 0);
	sb_free(&s);
}

/* As root, run chrooted in a fresh jail directory (see test_rootfs.c). */
static void
enter_jail(void)
{
	char dir[512], tmp[600];
	const char *j = getenv("OCIPULL_JAIL");

	if (j != NULL && j[0] != '\0') {
		snprintf(dir, sizeof dir, "%s.cache", j);
		(void)mkdir(dir, 0700);
	} else {
		snprintf(dir, sizeof dir, "/tmp/ocipull-rootfs-cache-jail.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			exit(2);
		}
	}
	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	(void)mkdir(tmp, 01777);
	snprintf(tmp, sizeof tmp, "%s/proc", dir);
	(void)mkdir(tmp, 0555);
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("proc", tmp, "proc", 0, NULL) != 0) {
		perror("private /proc for the test jail");
		exit(2);
	}
	if (chroot(dir) != 0 || chdir("/") != 0) {
		perror("chroot into the test jail");
		exit(2);
	}
	printf("note: running chrooted in %s\n", dir);
}

int
main(void)
{
	g_root = geteuid() == 0;
	if (!g_root)
		printf("note: not root, root-only checks are skipped\n");
	else
		enter_jail();
	for (g_walk = 0; g_walk < 2; g_walk++) {
		printf("mode %s\n", g_walk ? "component walk" : "openat2");
		UNIT_RUN(test_dir_becomes_symlink);
		UNIT_RUN(test_dir_becomes_symlink_next_layer);
		UNIT_RUN(test_symlink_becomes_dir);
		UNIT_RUN(test_back_to_earlier_dirs);
		UNIT_RUN(test_whiteout_and_opaque);
		UNIT_RUN(test_whiteout_of_lower_dir);
		UNIT_RUN(test_owner_and_mode_left_out);
		UNIT_RUN(test_modes_unprivileged);
	}
	return UNIT_END();
}
