/*
 * main.c: command line, exit codes; the only place that prints to the user.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/version.h>
#include <zlib.h>

#include "config.h"
#include "err.h"
#include "port.h"

#define OCIPULL_VERSION "0.1.0"

static const char usage_text[] =
    "usage: ocipull [--help] [--version] COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Pull an OCI or Docker image from a registry and unpack it into a root\n"
    "file system directory, streaming and verifying every byte.\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show version, board and libraries, and exit\n"
    "\n"
    "Exit codes: 0 success, 1 other failure, 2 usage, 3 network, 4 TLS,\n"
    "5 authentication, 6 not found, 7 no matching platform, 8 verification,\n"
    "9 unpack, 10 no space left.\n";

static void
say(int stream, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(int stream, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	port_out(stream, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static int
usage_error(const char *what, const char *arg)
{
	say(PORT_STDERR, "ocipull: %s%s%s%s\n", what, arg ? " '" : "",
	    arg ? arg : "", arg ? "'" : "");
	say(PORT_STDERR, "Try 'ocipull --help' for more information.\n");
	return EXIT_USAGE;
}

static void
print_version(void)
{
	char tls[18];

	mbedtls_version_get_string(tls);
	say(PORT_STDOUT, "ocipull %s\n", OCIPULL_VERSION);
	say(PORT_STDOUT, "board %s, default platform %s\n", BOARD_NAME,
	    BOARD_PLATFORM);
	say(PORT_STDOUT, "mbed TLS %s, zlib %s\n", tls, zlibVersion());
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		return usage_error("missing command", NULL);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			say(PORT_STDOUT, "%s", usage_text);
			return EXIT_OK;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			print_version();
			return EXIT_OK;
		}
		if (a[0] == '-')
			return usage_error("unknown option", a);
		return usage_error("unknown command", a);
	}
	return EXIT_OK;
}
