/*
 * platform.h: OCI platforms (os/arch[/variant]): parsing, normalisation,
 * matching with fallbacks, formatting.
 *
 * A platform is a plain struct of three NUL-terminated fields owned by the
 * caller. Every function that fills one leaves it normalised, so two
 * platforms that mean the same thing compare equal field by field:
 *
 *   os       lowercase; "macos" becomes "darwin".
 *   arch     lowercase; aarch64 -> arm64; x86_64, x86-64 -> amd64;
 *            i386, i686 -> 386; armhf -> arm/v7; armel -> arm/v6;
 *            armv7l -> arm/v7; armv6l -> arm/v6; ppc64el -> ppc64le;
 *            mips64el -> mips64le (Debian and uname spellings).
 *   variant  arm: "" -> v7 (as containerd), "5".."8" -> "v5".."v8".
 *            arm64: "", "8", "v8.0" -> v8; "9", "v9.0" -> v9; "8.2" -> v8.2.
 *            amd64: "v1" and "1" -> "" (v1 is the baseline); "3" -> v3.
 *
 * Matching (platform_rank) answers "can an image built for `have` run on a
 * device that wants `want`, and how good a choice is it": -1 no, 0 exact,
 * larger numbers for worse fallbacks. The rules:
 *
 *   - os and arch must be equal. No cross-arch fallback: arm64 never takes
 *     an arm (32-bit) image (many arm64 kernels lack 32-bit support), amd64
 *     never takes 386.
 *   - arm: want vN takes vN, then v(N-1), ... down to v5; never a newer
 *     variant (want v5 refuses v7). arm/v8 means 32-bit code for ARMv8.
 *   - arm64: variants are ordered v8 < v8.1 < ... < v8.5 = v9 < v9.1 ...;
 *     want takes a variant at or below its level and never a newer major
 *     (want v8 refuses v8.1 and v9; want v9 takes v9, then v8.5 ... v8).
 *   - amd64: micro-architecture levels v1 ("") < v2 < v3 < v4; want vN
 *     takes vN down to v1; a plain want ("" = v1) takes only "".
 *   - any other arch, or a variant none of the rules above knows: the
 *     variant must be equal.
 */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <stddef.h>

struct platform {
	char os[32];
	char arch[32];
	char variant[16];
};

/*
 * Parse "os/arch[/variant]", "arch" alone or "arch/variant" (os linux; the
 * first part is taken as an arch when it is a known arch name and not a
 * known os name, so "arm/7" is linux/arm/v7) into p, normalised.
 * Letters, digits, '.', '_' and '-' are allowed in each part (upper case is
 * folded). Returns ERR_OK, or ERR_USAGE with a message for an empty part,
 * too many parts, a bad character, a part too long for its field, or an OS
 * name given alone ("linux" without an arch).
 */
int platform_parse(const char *s, struct platform *p);

/* Normalise p in place (see the top of this file). */
void platform_normalize(struct platform *p);

/*
 * How well an image for have suits a device that wants want: -1 when it
 * cannot run, 0 for an exact match, higher numbers for worse but usable
 * fallbacks. Both are normalised on a copy first, so raw spellings work.
 */
int platform_rank(const struct platform *want, const struct platform *have);

/*
 * Write "os/arch" or "os/arch/variant" into buf (NUL-terminated, cut to
 * cap). Returns the full length, as snprintf: a result >= cap means cut.
 */
size_t platform_format(const struct platform *p, char *buf, size_t cap);

#endif /* PLATFORM_H */
