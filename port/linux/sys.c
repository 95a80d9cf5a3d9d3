/*
 * sys.c: output, environment, time, entropy and identity on Linux.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "port.h"
#include "err.h"
#include "linux.h"

int
linux_err(int e, const char *what, const char *obj)
{
	int code;

	switch (e) {
	case ENOENT: case ENOTDIR: code = ERR_NOENT; break;
	case EEXIST: case ENOTEMPTY: code = ERR_EXIST; break;
	case EPERM: case EACCES: case EROFS: code = ERR_PERM; break;
	case ENOSPC: case EDQUOT: code = ERR_NOSPC; break;
	case ENOMEM: case ENOBUFS: code = ERR_NOMEM; break;
	case ETIMEDOUT: case EAGAIN: code = ERR_TIMEOUT; break;
	case EXDEV: case ELOOP: code = ERR_ESCAPE; break;
	case ENOSYS: case EOPNOTSUPP: case EINVAL: code = ERR_UNSUPPORTED; break;
	case ECONNREFUSED: case ECONNRESET: case EPIPE: case ENETUNREACH:
	case EHOSTUNREACH: case ECONNABORTED: case ENETDOWN:
		code = ERR_NET; break;
	default: code = ERR_IO; break;
	}
	return err_set(code, "%s%s%s: %s", what, obj ? " " : "", obj ? obj : "",
	    strerror(e));
}

void
port_out(int stream, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(stream, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void (*on_terminate)(int sig);
static int echo_off = -1;          /* a terminal whose echo we turned off */
static struct termios echo_saved;

static void
terminate(int sig)
{
	int e = errno;

	/* ^C at the password prompt: the terminal gets its echo back. */
	if (echo_off >= 0)
		tcsetattr(echo_off, TCSANOW, &echo_saved);
	if (on_terminate != NULL)
		on_terminate(sig == SIGINT ? PORT_SIGINT : PORT_SIGTERM);
	signal(sig, SIG_DFL);
	errno = e;
	raise(sig);
}

static void
trap_terminate(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = terminate;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

void
port_hold_terminate(int hold)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

void
port_ignore_broken_pipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

void
port_on_terminate(void (*fn)(int sig))
{
	on_terminate = fn;
	trap_terminate();
}

int
port_isatty(int stream)
{
	return isatty(stream);
}

int
port_tty_echo(int stream, int on)
{
	struct termios t;

	if (!isatty(stream))
		return err_set(ERR_UNSUPPORTED, "fd %d is not a terminal", stream);
	if (tcgetattr(stream, &t) != 0)
		return linux_err(errno, "tcgetattr", NULL);
	if (!on && echo_off < 0) {
		echo_saved = t;
		echo_off = stream;
		trap_terminate();
	}
	if (on)
		t.c_lflag |= (tcflag_t)ECHO;
	else
		t.c_lflag &= ~(tcflag_t)ECHO;
	if (tcsetattr(stream, TCSANOW, &t) != 0)
		return linux_err(errno, "tcsetattr", NULL);
	if (on)
		echo_off = -1;
	return ERR_OK;
}

const char *
port_env(const char *name)
{
	return getenv(name);
}

uint64_t
port_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t
port_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

void
port_sleep_ms(uint32_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000u);
	ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
port_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return linux_err(errno, "getrandom", NULL);
		}
		p += n;
		len -= (size_t)n;
	}
	return ERR_OK;
}

int
port_is_root(void)
{
	return geteuid() == 0;
}

uint32_t
port_euid(void)
{
	return (uint32_t)geteuid();
}

uint32_t
port_egid(void)
{
	return (uint32_t)getegid();
}

uint32_t
port_umask(void)
{
	/* Linux 4.7 and later tell it without changing it; else set it and
	 * back (a thread creating files between the two would see 022). */
	char buf[2048];
	long n = port_fs_read_file(PORT_CWD, "/proc/self/status", buf, sizeof buf - 1);
	mode_t m;

	if (n > 0) {
		char *p;
		buf[n] = '\0';
		p = strstr(buf, "\nUmask:");
		if (p != NULL)
			return (uint32_t)strtoul(p + 7, NULL, 8) & 0777u;
	}
	if (n < 0)
		err_clear();
	m = umask(022);
	umask(m);
	return (uint32_t)m & 0777u;
}

uint64_t
port_peak_rss_kb(void)
{
	/* VmHWM belongs to this program's address space; getrusage's
	 * ru_maxrss also counts the process before execve (the shell that
	 * forked it), so it is only the fallback. */
	char buf[2048];
	long n = port_fs_read_file(PORT_CWD, "/proc/self/status", buf, sizeof buf - 1);
	struct rusage ru;

	if (n > 0) {
		char *p;
		buf[n] = '\0';
		p = strstr(buf, "VmHWM:");
		if (p != NULL)
			return strtoull(p + 6, NULL, 10);
	}
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss;
}

long
port_boot_id(char *buf, size_t cap)
{
	ssize_t n;
	size_t i;
	int fd;

	if (cap < 2)
		return err_set(ERR_NOMEM, "boot id: no room");
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(ERR_UNSUPPORTED, "boot id: /proc is not mounted");
	do {
		n = read(fd, buf, cap - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return err_set(ERR_UNSUPPORTED, "boot id: unreadable");
	for (i = 0; i < (size_t)n && buf[i] > ' ' && buf[i] < 0x7f; i++)
		;
	buf[i] = '\0';
	return i > 0 ? (long)i : err_set(ERR_UNSUPPORTED, "boot id: empty");
}
