/*
 * run.c: port_run, a helper program with its standard input and output on
 * pipes: fork and execvp (no shell), a bounded read with a deadline, and
 * a kill when the program overruns either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "port.h"
#include "err.h"
#include "linux.h"

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Kill pid and wait for it, so no zombie stays behind. */
static void
kill_reap(pid_t pid)
{
	int ws;

	kill(pid, SIGKILL);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
}

/* Make fd the descriptor to, open across exec. */
static int
move_fd(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, to) < 0 ? -1 : 0;
}

/*
 * In the child, between fork and exec: caught signals back to their
 * defaults (as exec would, so no handler of ocipull's runs here), the
 * caller's mask back, stdin, stdout and stderr in place, then exec. An
 * exec that fails writes its errno to err_fd.
 */
static void
child(int in_fd, int out_fd, int null_fd, int err_fd, char *const argv[],
    const sigset_t *mask)
{
	struct sigaction sa;
	int sig, e;

	for (sig = 1; sig < _NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN &&
		    sa.sa_handler != SIG_DFL) {
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			sigaction(sig, &sa, NULL);
		}
	signal(SIGPIPE, SIG_DFL);     /* ocipull ignores it; the helper not */
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (move_fd(in_fd, 0) == 0 && move_fd(out_fd, 1) == 0 &&
	    move_fd(null_fd, 2) == 0)
		execvp(argv[0], argv);
	e = errno;
	if (write(err_fd, &e, sizeof e) < 0)
		e = 0;
	_exit(127);
}

/*
 * Start name with stdin reading in[0..in_len) from a pipe filled before
 * it runs (the bytes fit in the pipe's buffer, so writing them can never
 * block or raise SIGPIPE), stdout on a new pipe whose read end goes to
 * *rd, stderr on /dev/null. fork and execvp, not posix_spawn: musl's
 * posix_spawn_file_actions allocate from its own malloc, which ocipull
 * does not link. An exec failure comes back through a close-on-exec pipe.
 */
static int
spawn(const char *name, const char *arg, const void *in, size_t in_len,
    pid_t *pid, int *rd)
{
	int p[6] = { -1, -1, -1, -1, -1, -1 }, nul, rc = 0, e = 0, k;
	char *argv[3], a0[256], a1[64];
	sigset_t all, old;
	ssize_t got;

	/* execve takes char *const []: copies, not casts of the callers' */
	if (strlen(name) >= sizeof a0 || strlen(arg) >= sizeof a1)
		return err_set(ERR_USAGE, "%s: program name or argument too long",
		    name);
	memcpy(a0, name, strlen(name) + 1);
	memcpy(a1, arg, strlen(arg) + 1);
	argv[0] = a0;
	argv[1] = a1;
	argv[2] = NULL;
	nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (nul < 0 || pipe2(p, O_CLOEXEC) < 0 || pipe2(p + 2, O_CLOEXEC) < 0 ||
	    pipe2(p + 4, O_CLOEXEC) < 0) {
		rc = linux_err(errno, "pipes for", name);
		goto out;
	}
	if (in_len > 0 && (fcntl(p[1], F_SETFL, O_NONBLOCK) < 0 ||
	    write(p[1], in, in_len) != (ssize_t)in_len)) {
		rc = err_set(ERR_IO, "%s: could not queue %zu bytes for its "
		    "standard input", name, in_len);
		goto out;
	}
	close_fd(&p[1]);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	*pid = fork();
	if (*pid == 0)
		child(p[0], p[3], nul, p[5], argv, &old);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (*pid < 0) {
		rc = linux_err(e, "starting", name);
		goto out;
	}
	close_fd(&p[5]);
	while ((got = read(p[4], &e, sizeof e)) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof e) {
		while (waitpid(*pid, &k, 0) < 0 && errno == EINTR)
			;
		if (e == ENOENT || e == ENOTDIR)
			rc = err_set(ERR_NOENT, "%s: not found in PATH", name);
		else if (e == EACCES || e == EPERM)
			rc = err_set(ERR_PERM, "%s: found in PATH but not "
			    "executable", name);
		else
			rc = linux_err(e, "running", name);
	}
out:
	for (k = 0; k < 6; k++)
		if (k != 2 || rc < 0)
			close_fd(&p[k]);
	if (nul >= 0)
		close(nul);
	*rd = p[2];
	return rc;
}

/* Read the program's output until it closes it: ERR_OK, or an error
 * after which the caller kills it. */
static int
read_out(const char *name, int fd, char *out, size_t cap, uint64_t end,
    uint32_t timeout_ms, size_t *len)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = port_mono_ms();
		char extra;
		ssize_t n;
		int rc;

		if (now >= end)
			return err_set(ERR_TIMEOUT, "%s did not finish within %u ms "
			    "(killed)", name, (unsigned)timeout_ms);
		rc = poll(&pfd, 1, end - now > 60000 ? 60000 : (int)(end - now));
		if (rc < 0 && errno != EINTR)
			return linux_err(errno, "waiting for the output of", name);
		if (rc <= 0)
			continue;
		if (*len < cap)
			n = read(fd, out + *len, cap - *len);
		else
			n = read(fd, &extra, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return linux_err(errno, "reading the output of", name);
		if (n == 0)
			return ERR_OK;
		if (*len == cap)
			return err_set(ERR_NOMEM, "%s wrote more than %zu bytes "
			    "(killed)", name, cap);
		*len += (size_t)n;
	}
}

int
port_run(const char *name, const char *arg, const void *in, size_t in_len,
    char *out, size_t cap, uint32_t timeout_ms, size_t *out_len, int *status)
{
	uint64_t end = port_mono_ms() + timeout_ms;
	pid_t pid, w;
	int fd = -1, rc, ws = 0;

	*out_len = 0;
	*status = -1;
	if (name[0] == '\0' || strchr(name, '/') != NULL)
		return err_set(ERR_USAGE, "program \"%s\": expected a name to look "
		    "up in PATH, without '/'", name);
	if (in_len > PORT_RUN_IN_MAX)
		return err_set(ERR_USAGE, "%s: %zu bytes of input, at most %u",
		    name, in_len, PORT_RUN_IN_MAX);
	rc = spawn(name, arg, in, in_len, &pid, &fd);
	if (rc < 0)
		return rc;
	rc = read_out(name, fd, out, cap, end, timeout_ms, out_len);
	close_fd(&fd);
	if (rc < 0) {
		kill_reap(pid);
		*out_len = 0;
		return rc;
	}
	/* Output closed: the exit is due within the same time limit. */
	while ((w = waitpid(pid, &ws, WNOHANG)) != pid) {
		if (w < 0 && errno != EINTR)
			return linux_err(errno, "waiting for", name);
		if (port_mono_ms() >= end) {
			kill_reap(pid);
			*out_len = 0;
			return err_set(ERR_TIMEOUT, "%s did not exit within %u ms "
			    "(killed)", name, (unsigned)timeout_ms);
		}
		port_sleep_ms(5);
	}
	if (WIFSIGNALED(ws))
		return err_set(ERR_IO, "%s was ended by signal %d", name,
		    WTERMSIG(ws));
	*status = WEXITSTATUS(ws);
	return ERR_OK;
}
