/*
 * run.c: port_run, a helper program with its standard input and output on
 * pipes. posix_spawnp (no shell; musl spawns with vfork semantics, so the
 * whole process is not copied), a bounded read with a deadline, and a kill
 * when the program overruns either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "port.h"
#include "err.h"
#include "linux.h"

extern char **environ;

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

/*
 * Start name with stdin reading in[0..in_len) from a pipe filled before
 * it runs (the bytes fit in the pipe's buffer, so writing them can never
 * block or raise SIGPIPE), stdout on a new pipe whose read end goes to
 * *rd, stderr on /dev/null.
 */
static int
spawn(const char *name, const char *arg, const void *in, size_t in_len,
    pid_t *pid, int *rd)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, rc = 0, e;
	posix_spawn_file_actions_t fa;
	char *argv[3], a0[256], a1[64];

	/* execve takes char *const []: copies, not casts of the callers' */
	if (strlen(name) >= sizeof a0 || strlen(arg) >= sizeof a1)
		return err_set(ERR_USAGE, "%s: program name or argument too long",
		    name);
	memcpy(a0, name, strlen(name) + 1);
	memcpy(a1, arg, strlen(arg) + 1);
	if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		e = errno;
		close_fd(&inp[0]);
		close_fd(&inp[1]);
		return linux_err(e, "pipe for", name);
	}
	if (in_len > 0 && fcntl(inp[1], F_SETFL, O_NONBLOCK) == 0 &&
	    write(inp[1], in, in_len) != (ssize_t)in_len)
		rc = err_set(ERR_IO, "%s: could not queue %zu bytes for its "
		    "standard input", name, in_len);
	close_fd(&inp[1]);
	if (rc == 0) {
		argv[0] = a0;
		argv[1] = a1;
		argv[2] = NULL;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, inp[0], 0);
		posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		e = posix_spawnp(pid, name, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (e == ENOENT || e == ENOTDIR)
			rc = err_set(ERR_NOENT, "%s: not found in PATH", name);
		else if (e == EACCES || e == EPERM)
			rc = err_set(ERR_PERM, "%s: found in PATH but not "
			    "executable", name);
		else if (e != 0)
			rc = linux_err(e, "running", name);
	}
	close_fd(&inp[0]);
	close_fd(&outp[1]);
	if (rc < 0)
		close_fd(&outp[0]);
	*rd = outp[0];
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
