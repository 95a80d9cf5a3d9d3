/*
 * net.c: TCP sockets with timeouts on Linux (non-blocking connect, poll).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "port.h"
#include "err.h"
#include "linux.h"

/* Most addresses of one host tried. */
#define NET_ADDRS_MAX 16

/* Wait until sock is ready for events or the deadline passes. */
static int
wait_ready(int sock, short events, uint32_t timeout_ms)
{
	struct pollfd p;
	int n;

	p.fd = sock;
	p.events = events;
	p.revents = 0;
	do {
		n = poll(&p, 1, (int)(timeout_ms > 0x7fffffffu ? 0x7fffffffu : timeout_ms));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return linux_err(errno, "poll", NULL);
	if (n == 0)
		return ERR_TIMEOUT;
	return ERR_OK;
}

static int
connect_one(const struct addrinfo *ai, uint32_t timeout_ms, int *out)
{
	int s, e = 0, rc, one = 1;
	socklen_t elen = sizeof e;

	s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol);
	if (s < 0)
		return -errno;
	if (connect(s, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			e = errno;
			close(s);
			return -e;
		}
		rc = wait_ready(s, POLLOUT, timeout_ms);
		if (rc == ERR_TIMEOUT) {
			close(s);
			return -ETIMEDOUT;
		}
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
			e = errno;
		if (e != 0) {
			close(s);
			return -e;
		}
	}
	(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*out = s;
	return 0;
}

static const struct addrinfo *
next_family(const struct addrinfo *ai, int family, int same)
{
	for (; ai != NULL; ai = ai->ai_next)
		if ((ai->ai_family == family) == same)
			return ai;
	return NULL;
}

size_t
linux_net_order(const struct addrinfo *res, const struct addrinfo **out,
    size_t cap)
{
	const struct addrinfo *c[2];
	size_t n = 0;
	int k = 0, family;

	if (res == NULL)
		return 0;
	family = res->ai_family;
	c[0] = res;
	c[1] = next_family(res, family, 0);
	while (n < cap && (c[0] != NULL || c[1] != NULL)) {
		if (c[k] == NULL)
			k ^= 1;
		out[n++] = c[k];
		c[k] = next_family(c[k]->ai_next, family, k == 0);
		k ^= 1;
	}
	return n;
}

int
port_net_connect(const char *host, uint16_t port, uint32_t timeout_ms)
{
	struct addrinfo hints, *res;
	const struct addrinfo *order[NET_ADDRS_MAX];
	char serv[8];
	uint64_t deadline = port_mono_ms() + timeout_ms;
	int rc, s = -1, last = ECONNREFUSED;
	size_t i, n;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	snprintf(serv, sizeof serv, "%u", (unsigned)port);
	rc = getaddrinfo(host, serv, &hints, &res);
	if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
		/* AI_ADDRCONFIG hides loopback-only hosts; ask again without it. */
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(host, serv, &hints, &res);
	}
	if (rc != 0)
		return err_set(ERR_DNS, "cannot resolve host %s: %s", host,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	/* Each address but the last gets a short try, so that a blackholed
	 * one does not use up the whole timeout. */
	n = linux_net_order(res, order, NET_ADDRS_MAX);
	for (i = 0; i < n; i++) {
		uint64_t now = port_mono_ms();
		uint32_t t;

		if (now >= deadline) {
			last = ETIMEDOUT;
			break;
		}
		t = (uint32_t)(deadline - now);
		if (i + 1 < n && t > BOARD_CONNECT_ATTEMPT_MS)
			t = BOARD_CONNECT_ATTEMPT_MS;
		rc = connect_one(order[i], t, &s);
		if (rc == 0)
			break;
		last = -rc;
	}
	freeaddrinfo(res);
	if (s >= 0)
		return s;
	if (last == ETIMEDOUT)
		return err_set(ERR_TIMEOUT, "connect to %s port %u: timed out after %u ms "
		    "(%zu address%s tried)", host, (unsigned)port,
		    (unsigned)timeout_ms, i, i == 1 ? "" : "es");
	return err_set(ERR_NET, "connect to %s port %u: %s", host, (unsigned)port,
	    strerror(last));
}

long
port_net_read(int sock, void *buf, size_t len, uint32_t timeout_ms)
{
	for (;;) {
		ssize_t n = recv(sock, buf, len, 0);
		int rc;

		if (n >= 0)
			return (long)n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return linux_err(errno, "receive", NULL);
		rc = wait_ready(sock, POLLIN, timeout_ms);
		if (rc == ERR_TIMEOUT)
			return err_set(ERR_TIMEOUT, "no data from server for %u ms",
			    (unsigned)timeout_ms);
		if (rc < 0)
			return rc;
	}
}

long
port_net_write(int sock, const void *buf, size_t len, uint32_t timeout_ms)
{
	const unsigned char *p = buf;
	size_t left = len;

	while (left > 0) {
		ssize_t n = send(sock, p, left, MSG_NOSIGNAL);
		int rc;

		if (n >= 0) {
			p += n;
			left -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return linux_err(errno, "send", NULL);
		rc = wait_ready(sock, POLLOUT, timeout_ms);
		if (rc == ERR_TIMEOUT)
			return err_set(ERR_TIMEOUT, "server did not accept data for %u ms",
			    (unsigned)timeout_ms);
		if (rc < 0)
			return rc;
	}
	return (long)len;
}

void
port_net_close(int sock)
{
	if (sock >= 0)
		close(sock);
}
