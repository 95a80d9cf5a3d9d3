/* test_tree.c: tree_remove on a real directory tree: deep, wide, with
 * symlinks that must not be followed, read-only directories, absent. */
#define _GNU_SOURCE
#include <stdlib.h>
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
	UNIT_RUN(test_absent_and_plain_file);
	port_fs_close(tfd);
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx %s; rm -rf %s", tmp, tmp);
	rc = system(cmd);
	(void)rc;
	return UNIT_END();
}
