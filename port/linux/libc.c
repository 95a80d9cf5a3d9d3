/*
 * libc.c: which C library ocipull is linked with, for --version.
 *
 * musl has no version API: the Makefile passes OCIPULL_LIBC_VERSION
 * ("musl 1.2.5", from toolchain/sources.lock) when it builds musl itself,
 * and a prebuilt build may pass LIBC_VERSION. Otherwise glibc says its own
 * version, and any other C library is "libc unknown".
 */
#include <stdio.h>
#if !defined(OCIPULL_LIBC_VERSION) && defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

#include "port.h"

const char *
port_libc_version(void)
{
#if defined(OCIPULL_LIBC_VERSION)
	return OCIPULL_LIBC_VERSION;
#elif defined(__GLIBC__)
	static char v[48];

	snprintf(v, sizeof v, "glibc %s", gnu_get_libc_version());
	return v;
#else
	return "libc unknown";
#endif
}
