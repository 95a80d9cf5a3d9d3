/*
 * err.c: error names, exit codes and the message buffer.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Per thread: the layer's worker (relay.h) sets its own. */
static _Thread_local char msg[ERR_MSG_MAX];
static _Thread_local size_t msg_len;

const char *
err_name(int code)
{
	switch (code) {
	case ERR_AGAIN: return "try again";
	case ERR_END: return "end of stream";
	case ERR_OK: return "success";
	case ERR_USAGE: return "usage error";
	case ERR_NOMEM: return "buffer too small";
	case ERR_NET: return "network error";
	case ERR_TIMEOUT: return "timed out";
	case ERR_DNS: return "name resolution failed";
	case ERR_TLS: return "TLS error";
	case ERR_PROTO: return "protocol error";
	case ERR_AUTH: return "authentication failed";
	case ERR_NOTFOUND: return "not found";
	case ERR_PLATFORM: return "no matching platform";
	case ERR_VERIFY: return "verification failed";
	case ERR_FORMAT: return "malformed input";
	case ERR_UNSUPPORTED: return "not supported";
	case ERR_ESCAPE: return "path escapes the root";
	case ERR_IO: return "I/O error";
	case ERR_NOSPC: return "no space left";
	case ERR_EXIST: return "already exists";
	case ERR_NOENT: return "no such file or directory";
	case ERR_PERM: return "permission denied";
	case ERR_BUSY: return "busy";
	case ERR_INTERNAL: return "internal error";
	case ERR_SIGNATURE: return "signature verification failed";
	default: return "unknown error";
	}
}

int
err_exit_code(int code)
{
	switch (code) {
	case ERR_OK: case ERR_END: case ERR_AGAIN:
		return EXIT_OK;
	case ERR_USAGE:
		return EXIT_USAGE;
	case ERR_NET: case ERR_TIMEOUT: case ERR_DNS: case ERR_PROTO:
		return EXIT_NETWORK;
	case ERR_TLS:
		return EXIT_TLS;
	case ERR_AUTH:
		return EXIT_AUTH;
	case ERR_NOTFOUND:
		return EXIT_NOTFOUND;
	case ERR_PLATFORM:
		return EXIT_PLATFORM;
	case ERR_VERIFY:
		return EXIT_VERIFY;
	case ERR_FORMAT: case ERR_UNSUPPORTED: case ERR_ESCAPE:
	case ERR_IO: case ERR_EXIST: case ERR_NOENT: case ERR_PERM:
		return EXIT_UNPACK;
	case ERR_NOSPC:
		return EXIT_NOSPC;
	case ERR_SIGNATURE:
		return EXIT_SIGNATURE;
	case ERR_BUSY:
		return EXIT_BUSY;
	default:
		return EXIT_FAILURE_OTHER;
	}
}

void
err_clear(void)
{
	msg[0] = '\0';
	msg_len = 0;
}

int
err_set(int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (msg_len != 0)
		return code;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	msg_len = (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
	return code;
}

int
err_prefix(int code, const char *fmt, ...)
{
	char pre[256];
	va_list ap;
	int n;
	size_t plen;

	va_start(ap, fmt);
	n = vsnprintf(pre, sizeof pre - 2, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return code;
	if (msg_len == 0) {
		/* Nothing to add context to: the context is the message. */
		msg_len = (size_t)n < sizeof pre - 2 ? (size_t)n : sizeof pre - 3;
		memcpy(msg, pre, msg_len);
		msg[msg_len] = '\0';
		return code;
	}
	plen = (size_t)n < sizeof pre - 2 ? (size_t)n : sizeof pre - 3;
	pre[plen++] = ':';
	pre[plen++] = ' ';
	if (plen + msg_len >= sizeof msg)
		msg_len = sizeof msg - 1 - plen;
	memmove(msg + plen, msg, msg_len);
	memcpy(msg, pre, plen);
	msg_len += plen;
	msg[msg_len] = '\0';
	return code;
}

const char *
err_msg(void)
{
	return msg;
}
