/*
 * test_registry.c: the registry client against a scripted HTTP server on
 * 127.0.0.1 (a thread of this process): how many redirects it follows,
 * and the deadline for a response's status line and headers.
 *
 * The unit tests build with BOARD_HEADER_TIMEOUT_MS at 3 s (Makefile,
 * UNIT_CPPFLAGS) instead of the boards' 30 s: the same code, waited out in
 * a tenth of the time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "err.h"
#include "port.h"
#include "ref.h"
#include "registry.h"

/* What the server does with each request. */
enum { SRV_REDIRECTS, SRV_TRICKLE };

static struct server {
	int listen_fd;
	uint16_t port;
	int mode;
	int hops;                  /* SRV_REDIRECTS: redirects before the 200 */
	unsigned trickle_ms;       /* SRV_TRICKLE: pause between header bytes */
	int requests;
	volatile int stop;         /* set by server_stop */
	pthread_t thread;
} srv;

static struct registry reg;

/* Read one request's head; the path into path. 0, or -1 when closed. */
static int
read_head(int fd, char *path, size_t cap)
{
	char buf[4096];
	size_t have = 0;

	while (have < sizeof buf - 1) {
		ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	if (strncmp(buf, "GET ", 4) != 0)
		return -1;
	snprintf(path, cap, "%.*s", (int)strcspn(buf + 4, " "), buf + 4);
	return 0;
}

static void
answer(int fd, const char *path)
{
	char out[512];
	int n, k;

	if (srv.mode == SRV_TRICKLE) {
		static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
		for (k = 0; head[k] != '\0' && !srv.stop; k++) {
			if (send(fd, head + k, 1, MSG_NOSIGNAL) != 1)
				return;
			usleep(srv.trickle_ms * 1000u);
		}
		return;
	}
	/* /v2/...: the first redirect, to /hop/(hops - 1); /hop/k goes on to
	 * /hop/(k - 1); /hop/0 (or /v2/ with hops 0) answers 200. */
	k = strncmp(path, "/hop/", 5) == 0 ? (int)strtol(path + 5, NULL, 10) : srv.hops;
	if (k > 0)
		n = snprintf(out, sizeof out, "HTTP/1.1 302 Found\r\nLocation: "
		    "/hop/%d\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", k - 1);
	else
		n = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
		    "Connection: close\r\n\r\nok");
	(void)send(fd, out, (size_t)n, MSG_NOSIGNAL);
}

static void *
serve(void *arg)
{
	char path[1024];

	(void)arg;
	for (;;) {
		int fd = accept(srv.listen_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		if (read_head(fd, path, sizeof path) == 0) {
			srv.requests++;
			answer(fd, path);
		}
		close(fd);
	}
}

static int
server_start(int mode)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;

	memset(&srv, 0, sizeof srv);
	srv.mode = mode;
	srv.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (srv.listen_fd < 0 || bind(srv.listen_fd, (struct sockaddr *)&sa,
	    sizeof sa) != 0 || listen(srv.listen_fd, 8) != 0 ||
	    getsockname(srv.listen_fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	srv.port = ntohs(sa.sin_port);
	return pthread_create(&srv.thread, NULL, serve, NULL) == 0 ? 0 : -1;
}

static void
server_stop(void)
{
	/* shutdown wakes the accept; the thread ends. */
	srv.stop = 1;
	shutdown(srv.listen_fd, SHUT_RDWR);
	pthread_join(srv.thread, NULL);
	close(srv.listen_fd);
}

/* GET a blob of 127.0.0.1:PORT/test/repo over plain http, no retries. */
static int
get_blob(struct ref *ref)
{
	struct registry_opts o;
	char name[64];

	memset(&o, 0, sizeof o);
	o.plain_http = 1;
	o.auth_file = NULL;
	snprintf(name, sizeof name, "127.0.0.1:%u/test/repo:latest", (unsigned)srv.port);
	if (ref_parse(ref, name) != ERR_OK)
		return ERR_INTERNAL;
	err_clear();
	if (registry_init(&reg, ref, &o) != ERR_OK)
		return ERR_INTERNAL;
	return registry_get(&reg, REG_BLOB, "sha256:"
	    "0000000000000000000000000000000000000000000000000000000000000000", 0, 0);
}

static void
test_redirects_ten_followed(void)
{
	struct ref ref;
	const uint8_t *p;
	size_t n;

	CHECK_EQ(server_start(SRV_REDIRECTS), 0);
	srv.hops = REG_REDIRECTS_MAX;
	CHECK_EQ(REG_REDIRECTS_MAX, 10);
	CHECK_EQ(get_blob(&ref), ERR_OK);
	CHECK_EQ(registry_response(&reg)->status, 200);
	CHECK_EQ(registry_read(&reg, &p, &n), ERR_OK);
	CHECK_MEM(p, n, "ok");
	CHECK_EQ(srv.requests, 11);
	registry_close(&reg);
	server_stop();
}

static void
test_redirects_eleven_refused(void)
{
	struct ref ref;

	CHECK_EQ(server_start(SRV_REDIRECTS), 0);
	srv.hops = REG_REDIRECTS_MAX + 1;
	CHECK_EQ(get_blob(&ref), ERR_PROTO);
	CHECK(strstr(err_msg(), "refusing redirect 11 (to /hop/0): at most 10 "
	    "are followed") != NULL);
	CHECK_EQ(srv.requests, 11);
	registry_close(&reg);
	server_stop();
}

/* One header byte every 2 s: each read gets a byte long before the read
 * timeout (30 s), so only the deadline for the headers ends it. */
static void
test_header_deadline(void)
{
	struct ref ref;
	uint64_t t0, took;

	CHECK_EQ(server_start(SRV_TRICKLE), 0);
	srv.trickle_ms = 2000;
	t0 = port_mono_ms();
	CHECK_EQ(get_blob(&ref), ERR_TIMEOUT);
	took = port_mono_ms() - t0;
	CHECK(strstr(err_msg(), "127.0.0.1 sent no complete status line and "
	    "headers within 3000 ms of the request") != NULL);
	CHECK(took >= BOARD_HEADER_TIMEOUT_MS - 50 && took < BOARD_HEADER_TIMEOUT_MS + 1500);
	registry_close(&reg);
	server_stop();
}

int
main(void)
{
	/* No credentials of the user running the tests. */
	setenv("DOCKER_CONFIG", "/nonexistent-ocipull-test", 1);
	UNIT_RUN(test_redirects_ten_followed);
	UNIT_RUN(test_redirects_eleven_refused);
	UNIT_RUN(test_header_deadline);
	return unit_failed != 0;
}
