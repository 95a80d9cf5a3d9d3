/* test_tree.c: tree_remove on a real directory tree: deep, wide, with
 * symlinks that must not be followed (also in the middle of the name and
 * planted while the walk goes on), read-only directories, mount points,
 * absent. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "err.h"
#include "port.h"
#include "tree.h"

static char tmp[] = "/tmp/ocipull-test-tree-XXXXXX";
static int tfd;

static void
touch(const char *path)
{
	int fd = port_fs_open(tfd, path, PORT_O_WRITE | PORT_O_CREATE, 0644);
	if (fd >= 0)
		port_fs_close(fd);
}

static void
test_removes_deep_and_wide_tree(void)
{
	char path[4096];
	size_t len = 0;
	int i;

	CHECK_EQ(port_fs_mkdir(tfd, "t", 0755), ERR_OK);
	len = (size_t)snprintf(path, sizeof path, "t");
	for (i = 0; i < 200; i++) {
		len += (size_t)snprintf(path + len, sizeof path - len, "/d%d", i % 10);
		CHECK_EQ(port_fs_mkdir(tfd, path, 0755), ERR_OK);
		if (i % 20 == 0) {
			char f[4200];
			snprintf(f, sizeof f, "%s/file", path);
			touch(f);
		}
	}
	for (i = 0; i < 300; i++) {
		char f[64];
		snprintf(f, sizeof f, "t/w%d", i);
		touch(f);
	}
	CHECK_EQ(port_fs_mkdir(tfd, "t/ro", 0555), ERR_OK);
	CHECK_EQ(port_fs_mkdir(tfd, "t/ro/inner", 0000), ERR_OK);
	CHECK_EQ(tree_remove(tfd, "t"), ERR_OK);
	{
		struct port_stat st;
		err_clear();
		CHECK_EQ(port_fs_stat(tfd, "t", &st), ERR_NOENT);
	}
}

static void
test_symlinks_are_not_followed(void)
{
	struct port_stat st;

	CHECK_EQ(port_fs_mkdir(tfd, "keep", 0755), ERR_OK);
	touch("keep/precious");
	CHECK_EQ(port_fs_mkdir(tfd, "t2", 0755), ERR_OK);
	CHECK_EQ(port_fs_symlink("../keep", tfd, "t2/link"), ERR_OK);
	CHECK_EQ(port_fs_symlink(tmp, tfd, "t2/abs"), ERR_OK);
	CHECK_EQ(tree_remove(tfd, "t2"), ERR_OK);
	CHECK_EQ(port_fs_stat(tfd, "keep/precious", &st), ERR_OK);
	/* A symlink at the top is removed itself. */
	CHECK_EQ(port_fs_symlink("keep", tfd, "top"), ERR_OK);
	CHECK_EQ(tree_remove(tfd, "top"), ERR_OK);
	CHECK_EQ(port_fs_stat(tfd, "keep/precious", &st), ERR_OK);
}

/* A symlink before the last component is not followed either: resolved
 * without following, such a name does not exist (nothing is removed), and
 * what the link points to stays. */
static void
test_symlink_in_the_middle_of_the_name(void)
{
	struct port_stat st;

	CHECK_EQ(port_fs_mkdir(tfd, "keep2", 0755), ERR_OK);
	CHECK_EQ(port_fs_mkdir(tfd, "keep2/sub", 0755), ERR_OK);
	touch("keep2/sub/precious");
	CHECK_EQ(port_fs_mkdir(tfd, "m", 0755), ERR_OK);
	CHECK_EQ(port_fs_symlink("../keep2", tfd, "m/link"), ERR_OK);
	(void)tree_remove(tfd, "m/link/sub");
	(void)tree_remove(tfd, "m/link/sub/precious");
	err_clear();
	CHECK_EQ(port_fs_stat(tfd, "keep2/sub/precious", &st), ERR_OK);
	/* Through real directories a multi-component name is fine. */
	CHECK_EQ(tree_remove(tfd, "keep2/sub"), ERR_OK);
	err_clear();
	CHECK_EQ(port_fs_stat(tfd, "keep2/sub", &st), ERR_NOENT);
	CHECK_EQ(port_fs_stat(tfd, "m/link", &st), ERR_OK);
	CHECK_EQ(st.type, PORT_T_LNK);
	CHECK_EQ(tree_remove(tfd, "m"), ERR_OK);
	CHECK_EQ(port_fs_stat(tfd, "keep2", &st), ERR_OK);
}

/* A mount point inside the tree (root in the jail can mount a tmpfs) is
 * neither emptied nor removed. */
static void
test_mount_point_is_not_crossed(void)
{
	char mp[128];
	struct port_stat st;

	CHECK_EQ(port_fs_mkdir(tfd, "mt", 0755), ERR_OK);
	CHECK_EQ(port_fs_mkdir(tfd, "mt/fs", 0755), ERR_OK);
	snprintf(mp, sizeof mp, "%s/mt/fs", tmp);
	if (mount("none", mp, "tmpfs", 0, NULL) != 0) {
		printf("skipped: test_mount_point_is_not_crossed (cannot mount)\n");
		CHECK_EQ(tree_remove(tfd, "mt"), ERR_OK);
		return;
	}
	touch("mt/fs/other-fs-file");
	CHECK_EQ(tree_remove(tfd, "mt"), ERR_EXIST);
	CHECK_EQ(tree_remove(tfd, "mt/fs"), ERR_EXIST);
	err_clear();
	CHECK_EQ(port_fs_stat(tfd, "mt/fs/other-fs-file", &st), ERR_OK);
	CHECK_EQ(umount(mp), 0);
	CHECK_EQ(tree_remove(tfd, "mt"), ERR_OK);
}

static void
test_absent_and_plain_file(void)
{
	struct port_stat st;

	CHECK_EQ(tree_remove(tfd, "nothing-here"), ERR_OK);
	touch("f");
	CHECK_EQ(tree_remove(tfd, "f"), ERR_OK);
	err_clear();
	CHECK_EQ(port_fs_stat(tfd, "f", &st), ERR_NOENT);
}

int
main(void)
{
	char cmd[128];
	int rc;

	if (mkdtemp(tmp) == NULL)
		return 1;
	tfd = port_fs_open(PORT_CWD, tmp, PORT_O_READ | PORT_O_DIRECTORY, 0);
	UNIT_RUN(test_removes_deep_and_wide_tree);
	UNIT_RUN(test_symlinks_are_not_followed);
	UNIT_RUN(test_symlink_in_the_middle_of_the_name);
	UNIT_RUN(test_mount_point_is_not_crossed);
	UNIT_RUN(test_absent_and_plain_file);
	port_fs_close(tfd);
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx %s; rm -rf %s", tmp, tmp);
	rc = system(cmd);
	(void)rc;
	return UNIT_END();
}
