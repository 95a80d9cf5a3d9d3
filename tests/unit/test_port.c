/*
 * test_port.c: the Linux port against the real kernel, in a temporary
 * directory and on loopback sockets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "err.h"
#include "port.h"
#include "linux/linux.h"

static char tmp[] = "/tmp/ocipull-test-port-XXXXXX";
static int tmpfd = -1;

static void
test_fs_create_exclusive_nofollow(void)
{
	int fd, rc;
	char buf[16];

	fd = port_fs_open(tmpfd, "a", PORT_O_WRITE | PORT_O_CREATE | PORT_O_EXCL |
	    PORT_O_NOFOLLOW, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(port_fs_write(fd, "hello", 5), 5);
	CHECK_EQ(port_fs_close(fd), ERR_OK);
	err_clear();
	rc = port_fs_open(tmpfd, "a", PORT_O_WRITE | PORT_O_CREATE | PORT_O_EXCL, 0644);
	CHECK_EQ(rc, ERR_EXIST);
	CHECK(strstr(err_msg(), "open a") != NULL);
	CHECK_EQ(port_fs_symlink("a", tmpfd, "link"), ERR_OK);
	err_clear();
	rc = port_fs_open(tmpfd, "link", PORT_O_READ | PORT_O_NOFOLLOW, 0);
	CHECK(rc < 0);
	CHECK_EQ(port_fs_read_file(tmpfd, "a", buf, sizeof buf), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	err_clear();
	CHECK_EQ(port_fs_read_file(tmpfd, "a", buf, 4), ERR_NOMEM);
	CHECK_EQ(port_fs_read_file(tmpfd, "a", buf, 5), 5);
	err_clear();
	CHECK_EQ(port_fs_read_file(tmpfd, "missing", buf, 4), ERR_NOENT);
}

static void
test_fs_stat_types_and_metadata(void)
{
	struct port_stat st;
	struct stat ls;
	int fd;

	CHECK_EQ(port_fs_mkdir(tmpfd, "d", 0750), ERR_OK);
	CHECK_EQ(port_fs_stat(tmpfd, "d", &st), ERR_OK);
	CHECK_EQ(st.type, PORT_T_DIR);
	CHECK_EQ(port_fs_stat(tmpfd, "link", &st), ERR_OK);
	CHECK_EQ(st.type, PORT_T_LNK);
	CHECK_EQ(port_fs_mknod(tmpfd, "fifo", PORT_T_FIFO, 0600, 0, 0), ERR_OK);
	CHECK_EQ(port_fs_stat(tmpfd, "fifo", &st), ERR_OK);
	CHECK_EQ(st.type, PORT_T_FIFO);
	fd = port_fs_open(tmpfd, "a", PORT_O_READ | PORT_O_NOFOLLOW, 0);
	CHECK(fd >= 0);
	CHECK_EQ(port_fs_fchmod(fd, 04711), ERR_OK);
	CHECK_EQ(port_fs_futimes(fd, 1234567890, 500), ERR_OK);
	CHECK_EQ(port_fs_stat(fd, NULL, &st), ERR_OK);
	CHECK_EQ(st.mode, 04711);
	CHECK_EQ(st.size, 5);
	/* port_stat carries no times (nothing decides by them): libc's. */
	CHECK(fstat(fd, &ls) == 0);
	CHECK_EQ(ls.st_mtim.tv_sec, 1234567890);
	CHECK_EQ(ls.st_mtim.tv_nsec, 500);
	port_fs_close(fd);
	CHECK_EQ(port_fs_lutimes(tmpfd, "link", 42, 0), ERR_OK);
	CHECK(fstatat(tmpfd, "link", &ls, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK_EQ(ls.st_mtim.tv_sec, 42);
	CHECK(fstatat(tmpfd, "a", &ls, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK_EQ(ls.st_mtim.tv_sec, 1234567890);
}

static void
test_fs_rename_exchange_and_list(void)
{
	struct port_stat st;
	struct port_dir d;
	char name[64];
	long n;
	int count = 0, seen_a = 0;

	CHECK_EQ(port_fs_rename(tmpfd, "a", tmpfd, "d", 1), ERR_OK);
	CHECK_EQ(port_fs_stat(tmpfd, "a", &st), ERR_OK);
	CHECK_EQ(st.type, PORT_T_DIR);
	CHECK_EQ(port_fs_stat(tmpfd, "d", &st), ERR_OK);
	CHECK_EQ(st.type, PORT_T_REG);
	CHECK_EQ(port_fs_rename(tmpfd, "a", tmpfd, "d", 1), ERR_OK);
	port_fs_dir_open(&d, port_fs_open(tmpfd, ".", PORT_O_READ | PORT_O_DIRECTORY, 0));
	while ((n = port_fs_dir_next(&d, name, sizeof name)) > 0) {
		count++;
		if (strcmp(name, "a") == 0)
			seen_a = 1;
		CHECK(strcmp(name, ".") != 0 && strcmp(name, "..") != 0);
	}
	CHECK_EQ(n, 0);
	port_fs_dir_close(&d);
	CHECK_EQ(count, 4);     /* a, d, link, fifo */
	CHECK(seen_a);
	CHECK_EQ(port_fs_unlink(tmpfd, "fifo", 0), ERR_OK);
	err_clear();
	CHECK_EQ(port_fs_unlink(tmpfd, "fifo", 0), ERR_NOENT);
}

static void
test_fs_open_in_root_stays_inside(void)
{
	int fd;
	char buf[8];

	/* An absolute symlink and a ".." chain both resolve inside tmp. */
	CHECK_EQ(port_fs_symlink("/a", tmpfd, "abs"), ERR_OK);
	CHECK_EQ(port_fs_symlink("../../../../a", tmpfd, "up"), ERR_OK);
	fd = port_fs_open_in_root(tmpfd, "abs", PORT_O_READ, 0);
	if (fd == ERR_UNSUPPORTED)
		return;     /* kernel without openat2: the walk is tested in rootfs */
	CHECK(fd >= 0);
	CHECK_EQ(port_fs_read(fd, buf, sizeof buf), 5);
	port_fs_close(fd);
	fd = port_fs_open_in_root(tmpfd, "up", PORT_O_READ, 0);
	CHECK(fd >= 0);
	CHECK_EQ(port_fs_read(fd, buf, sizeof buf), 5);
	port_fs_close(fd);
	fd = port_fs_open_in_root(tmpfd, "/../../etc/passwd", PORT_O_READ, 0);
	CHECK_EQ(fd, ERR_NOENT);
}

static void
test_fs_lock_is_exclusive(void)
{
	int a = port_fs_open(tmpfd, "lock", PORT_O_WRITE | PORT_O_CREATE, 0600);
	int b = port_fs_open(tmpfd, "lock", PORT_O_WRITE, 0);

	CHECK(a >= 0 && b >= 0);
	CHECK_EQ(port_fs_lock(a), ERR_OK);
	CHECK_EQ(port_fs_lock(b), ERR_BUSY);
	port_fs_close(a);
	CHECK_EQ(port_fs_lock(b), ERR_OK);
	port_fs_close(b);
}

static int
listener(uint16_t *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 4) != 0)
		return -1;
	getsockname(s, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	return s;
}

static void
test_net_refused_timeout_and_data(void)
{
	uint16_t port;
	int l = listener(&port), s, a;
	char buf[8];
	uint64_t t0;

	CHECK(l >= 0);
	s = port_net_connect("127.0.0.1", port, 2000);
	CHECK(s >= 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	t0 = port_mono_ms();
	err_clear();
	CHECK_EQ(port_net_read(s, buf, sizeof buf, 200), ERR_TIMEOUT);
	CHECK(port_mono_ms() - t0 >= 190);
	CHECK(strstr(err_msg(), "200 ms") != NULL);
	CHECK_EQ(write(a, "hi", 2), 2);
	CHECK_EQ(port_net_read(s, buf, sizeof buf, 2000), 2);
	CHECK_EQ(port_net_write(s, "pong", 4, 2000), 4);
	CHECK_EQ(read(a, buf, sizeof buf), 4);
	close(a);
	CHECK_EQ(port_net_read(s, buf, sizeof buf, 2000), 0);
	port_net_close(s);
	close(l);
	/* Nobody listens on the port any more. */
	err_clear();
	CHECK_EQ(port_net_connect("127.0.0.1", port, 2000), ERR_NET);
	CHECK(strstr(err_msg(), "127.0.0.1") != NULL);
	err_clear();
	CHECK_EQ(port_net_connect("no-such-host.invalid", 80, 2000), ERR_DNS);
	CHECK(strstr(err_msg(), "no-such-host.invalid") != NULL);
}

/* getaddrinfo's order within a family is kept; the families alternate,
 * starting with the first address's (RFC 8305 section 4). */
static void
test_net_order_interleaves(void)
{
	static const struct {
		const char *fam, *want;
	} rows[] = {
		{ "66444", "64644" },
		{ "46", "46" },
		{ "4466", "4646" },
		{ "666", "666" },
		{ "4", "4" },
		{ "6444446", "6464444" },
	};
	struct addrinfo ai[8];
	const struct addrinfo *out[8];
	size_t r, k, n, len;
	char got[9];

	for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		len = strlen(rows[r].fam);
		memset(ai, 0, sizeof ai);
		for (k = 0; k < len; k++) {
			ai[k].ai_family = rows[r].fam[k] == '6' ? AF_INET6 : AF_INET;
			ai[k].ai_protocol = (int)k;    /* tells the entries apart */
			ai[k].ai_next = k + 1 < len ? &ai[k + 1] : NULL;
		}
		n = linux_net_order(ai, out, 8);
		CHECK_EQ(n, len);
		for (k = 0; k < n; k++)
			got[k] = out[k]->ai_family == AF_INET6 ? '6' : '4';
		got[n] = '\0';
		CHECK_STR(got, rows[r].want);
		/* within a family, the order of the list */
		for (k = 0; k + 1 < n; k++) {
			size_t m;
			for (m = k + 1; m < n; m++)
				if (out[m]->ai_family == out[k]->ai_family)
					CHECK(out[m]->ai_protocol > out[k]->ai_protocol);
		}
	}
	CHECK_EQ(linux_net_order(NULL, out, 8), 0);
	/* cap: the first ones of the order */
	CHECK_EQ(linux_net_order(ai, out, 3), 3);
	CHECK(out[0] == &ai[0] && out[1] == &ai[1] && out[2] == &ai[6]);
}

static void
test_time_and_entropy(void)
{
	unsigned char a[32], b[32];
	uint64_t t0 = port_mono_ms();

	port_sleep_ms(20);
	CHECK(port_mono_ms() - t0 >= 20);
	CHECK(port_wall_s() > 1600000000);
	CHECK_EQ(port_entropy(a, sizeof a), ERR_OK);
	CHECK_EQ(port_entropy(b, sizeof b), ERR_OK);
	CHECK(memcmp(a, b, sizeof a) != 0);
}

/* The unit tests link the host's glibc, and the build names no C library
 * (OCIPULL_LIBC_VERSION): the port asks glibc, for --version. */
static void
test_libc_version_from_glibc(void)
{
	char want[64];

	snprintf(want, sizeof want, "glibc %s", gnu_get_libc_version());
	CHECK_STR(port_libc_version(), want);
}

/* A script in tmp/bin, mode 0755 (or 0644 when exec is 0). */
static void
script(const char *name, const char *body, int exec)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/bin/%s", tmp, name);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, exec ? 0755 : 0644);
}

/* port_run: a credential helper as docker runs one, through PATH. */
static void
test_run_helper_program(void)
{
	char path[4096], out[256], big[PORT_RUN_IN_MAX + 1];
	const char *old = getenv("PATH");
	size_t n = 99;
	int status = 99;
	uint64_t t0;

	snprintf(path, sizeof path, "%s/bin", tmp);
	CHECK_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/bin:%s", tmp, old ? old : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	script("docker-credential-unit", "read -r url\n"
	    "[ \"$1\" = get ] || exit 9\n"
	    "printf '{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"pw\"}' "
	    "\"$url\"\necho noise >&2", 1);
	script("fails", "echo 'credentials not found in native keychain'; exit 3", 1);
	script("chatty", "i=0; while [ $i -lt 100 ]; do echo 0123456789; "
	    "i=$((i + 1)); done", 1);
	script("slow", "exec sleep 5", 1);
	script("killed", "kill -9 $$", 1);
	script("notexec", "exit 0", 0);

	CHECK_EQ(port_run("docker-credential-unit", "get", "r.example:5000", 14,
	    out, sizeof out, 5000, &n, &status), ERR_OK);
	CHECK_EQ(status, 0);
	CHECK_MEM(out, n, "{\"ServerURL\":\"r.example:5000\",\"Username\":"
	    "\"alice\",\"Secret\":\"pw\"}");
	CHECK_EQ(port_run("docker-credential-unit", "store", "x", 1, out,
	    sizeof out, 5000, &n, &status), ERR_OK);
	CHECK_EQ(status, 9);
	CHECK_EQ(n, 0);
	CHECK_EQ(port_run("fails", "get", "", 0, out, sizeof out, 5000, &n,
	    &status), ERR_OK);
	CHECK_EQ(status, 3);
	CHECK_MEM(out, n, "credentials not found in native keychain\n");
	/* more output than the room: an error, the program killed */
	err_clear();
	CHECK_EQ(port_run("chatty", "get", "", 0, out, sizeof out, 5000, &n,
	    &status), ERR_NOMEM);
	CHECK(strstr(err_msg(), "chatty wrote more than 256 bytes") != NULL);
	CHECK_EQ(n, 0);
	/* no answer in time: killed, well before the sleep would end */
	err_clear();
	t0 = port_mono_ms();
	CHECK_EQ(port_run("slow", "get", "", 0, out, sizeof out, 300, &n,
	    &status), ERR_TIMEOUT);
	CHECK(port_mono_ms() - t0 < 3000);
	CHECK(strstr(err_msg(), "slow did not finish within 300 ms") != NULL);
	err_clear();
	CHECK_EQ(port_run("killed", "get", "", 0, out, sizeof out, 5000, &n,
	    &status), ERR_IO);
	CHECK(strstr(err_msg(), "signal 9") != NULL);
	err_clear();
	CHECK_EQ(port_run("docker-credential-none", "get", "", 0, out,
	    sizeof out, 5000, &n, &status), ERR_NOENT);
	CHECK(strstr(err_msg(), "docker-credential-none: not found in PATH") != NULL);
	err_clear();
	CHECK_EQ(port_run("notexec", "get", "", 0, out, sizeof out, 5000, &n,
	    &status), ERR_PERM);
	err_clear();
	CHECK_EQ(port_run("../bin/sh", "get", "", 0, out, sizeof out, 5000, &n,
	    &status), ERR_USAGE);
	err_clear();
	memset(big, 'a', sizeof big);
	CHECK_EQ(port_run("docker-credential-unit", "get", big, sizeof big, out,
	    sizeof out, 5000, &n, &status), ERR_USAGE);
	err_clear();
	if (old != NULL)
		setenv("PATH", old, 1);
}

int
main(void)
{
	char cmd[128];
	int rc;

	if (mkdtemp(tmp) == NULL)
		return 1;
	tmpfd = port_fs_open(PORT_CWD, tmp, PORT_O_READ | PORT_O_DIRECTORY, 0);
	UNIT_RUN(test_fs_create_exclusive_nofollow);
	UNIT_RUN(test_fs_stat_types_and_metadata);
	UNIT_RUN(test_fs_rename_exchange_and_list);
	UNIT_RUN(test_fs_open_in_root_stays_inside);
	UNIT_RUN(test_fs_lock_is_exclusive);
	UNIT_RUN(test_net_refused_timeout_and_data);
	UNIT_RUN(test_net_order_interleaves);
	UNIT_RUN(test_time_and_entropy);
	UNIT_RUN(test_libc_version_from_glibc);
	UNIT_RUN(test_run_helper_program);
	port_fs_close(tmpfd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	rc = system(cmd);
	(void)rc;
	return UNIT_END();
}
