/*
 * platform.c: platform parsing, normalisation and matching (platform.h).
 */
#include "platform.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"

/* Copy s into a field of size cap; s is known to fit. */
static void
set_field(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Lower-case the NUL-terminated s in place. */
static void
lower(char *s)
{
	lex_lower_copy(s, s, strlen(s));
}

/* A variant spelled with a leading digit ("7", "8.2") gets its "v". */
static void
add_v(char *variant, size_t cap)
{
	size_t n = strlen(variant);

	if (n == 0 || !lex_is_digit(variant[0]) || n + 2 > cap)
		return;
	memmove(variant + 1, variant, n + 1);
	variant[0] = 'v';
}

void
platform_normalize(struct platform *p)
{
	char *a = p->arch, *v = p->variant;

	p->os[sizeof p->os - 1] = '\0';
	p->arch[sizeof p->arch - 1] = '\0';
	p->variant[sizeof p->variant - 1] = '\0';
	lower(p->os);
	lower(a);
	lower(v);
	if (strcmp(p->os, "macos") == 0)
		set_field(p->os, sizeof p->os, "darwin");

	if (strcmp(a, "aarch64") == 0)
		set_field(a, sizeof p->arch, "arm64");
	else if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0)
		set_field(a, sizeof p->arch, "amd64");
	else if (strcmp(a, "i386") == 0 || strcmp(a, "i686") == 0)
		set_field(a, sizeof p->arch, "386");
	else if (strcmp(a, "ppc64el") == 0)
		set_field(a, sizeof p->arch, "ppc64le");
	else if (strcmp(a, "mips64el") == 0)
		set_field(a, sizeof p->arch, "mips64le");
	else if (strcmp(a, "armhf") == 0 || strcmp(a, "armv7l") == 0) {
		set_field(a, sizeof p->arch, "arm");
		set_field(v, sizeof p->variant, "v7");
	} else if (strcmp(a, "armel") == 0 || strcmp(a, "armv6l") == 0) {
		set_field(a, sizeof p->arch, "arm");
		set_field(v, sizeof p->variant, "v6");
	}

	if (strcmp(a, "arm") == 0) {
		if (v[0] == '\0')
			set_field(v, sizeof p->variant, "v7");
		add_v(v, sizeof p->variant);
	} else if (strcmp(a, "arm64") == 0) {
		add_v(v, sizeof p->variant);
		if (v[0] == '\0' || strcmp(v, "v8.0") == 0)
			set_field(v, sizeof p->variant, "v8");
		else if (strcmp(v, "v9.0") == 0)
			set_field(v, sizeof p->variant, "v9");
	} else if (strcmp(a, "amd64") == 0) {
		add_v(v, sizeof p->variant);
		if (strcmp(v, "v1") == 0)
			v[0] = '\0';
	}
}

static int
part_char_ok(char c)
{
	return lex_is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* Names Go and containerd know, for telling "arch/variant" from "os/arch". */
static const char *const known_os[] = {
	"linux", "windows", "darwin", "macos", "freebsd", "netbsd", "openbsd",
	"dragonfly", "solaris", "illumos", "android", "ios", "aix", "plan9",
	"js", "wasip1", "zos", NULL
};
static const char *const known_arch[] = {
	"386", "amd64", "arm", "arm64", "ppc64", "ppc64le", "s390x",
	"riscv64", "mips", "mipsle", "mips64", "mips64le", "loong64", "wasm",
	"aarch64", "x86_64", "x86-64", "i386", "i686", "armhf", "armel",
	"armv7l", "armv6l", "ppc64el", "mips64el", NULL
};

/* Nonzero when s[0..n) equals a name of list, ignoring ASCII case. */
static int
in_list(const char *const *list, const char *s, size_t n)
{
	for (; *list != NULL; list++)
		if (lex_ieq_str(lex_view(s, n), *list))
			return 1;
	return 0;
}

int
platform_parse(const char *s, struct platform *p)
{
	static const char *const part_name[3] = { "os", "architecture",
	    "variant" };
	const char *part[3] = { NULL, NULL, NULL };
	size_t plen[3] = { 0, 0, 0 }, cap[3], k, n = 0, start = 0;
	size_t len = strlen(s);
	char *dst[3];

	memset(p, 0, sizeof *p);
	if (len == 0)
		return err_set(ERR_USAGE, "platform is empty (expected "
		    "os/arch[/variant], for example linux/arm/v7)");
	for (k = 0; k <= len; k++) {
		if (k < len && s[k] != '/') {
			if (!part_char_ok(s[k])) {
				unsigned char c = (unsigned char)s[k];
				return err_set(ERR_USAGE, "platform \"%.64s\": bad "
				    "character 0x%02x at offset %zu (expected "
				    "letters, digits, '.', '_', '-')", s, c, k);
			}
			continue;
		}
		if (n == 3)
			return err_set(ERR_USAGE, "platform \"%.64s\" has more than "
			    "three parts (expected os/arch[/variant])", s);
		if (k == start)
			return err_set(ERR_USAGE, "platform \"%.64s\": part %zu is "
			    "empty (expected os/arch[/variant])", s, n + 1);
		part[n] = s + start;
		plen[n] = k - start;
		n++;
		start = k + 1;
	}
	if (n == 1 && in_list(known_os, part[0], plen[0]))
		return err_set(ERR_USAGE, "platform \"%.64s\" names only an "
		    "os; give os/arch, for example linux/arm64", s);
	if (n == 1 || (n == 2 && !in_list(known_os, part[0], plen[0]) &&
	    in_list(known_arch, part[0], plen[0]))) {
		/* "arch" or "arch/variant": the os is linux. */
		part[2] = part[1];
		plen[2] = plen[1];
		part[1] = part[0];
		plen[1] = plen[0];
		part[0] = "linux";
		plen[0] = 5;
		n++;
	}
	dst[0] = p->os;
	dst[1] = p->arch;
	dst[2] = p->variant;
	cap[0] = sizeof p->os;
	cap[1] = sizeof p->arch;
	cap[2] = sizeof p->variant;
	for (k = 0; k < n; k++) {
		if (plen[k] >= cap[k])
			return err_set(ERR_USAGE, "platform \"%.64s\": %s is longer "
			    "than %zu characters", s, part_name[k], cap[k] - 1);
		memcpy(dst[k], part[k], plen[k]);
		dst[k][plen[k]] = '\0';
	}
	platform_normalize(p);
	return ERR_OK;
}

/* "vN" for arm 32-bit: N in 5..8, else -1. */
static int
arm_level(const char *v)
{
	if (v[0] == 'v' && v[1] >= '5' && v[1] <= '8' && v[2] == '\0')
		return v[1] - '0';
	return -1;
}

/*
 * arm64 "v8", "v8.N" (N 1..9), "v9", "v9.N" (N 1..9) on one scale where
 * v9.0 sits at v8.5 (as the architecture defines it); the major goes to
 * *major. -1 when the variant is none of these.
 */
static int
arm64_level(const char *v, int *major)
{
	int base;

	if (v[0] != 'v' || (v[1] != '8' && v[1] != '9'))
		return -1;
	*major = v[1] - '0';
	base = *major == 8 ? 0 : 5;
	if (v[2] == '\0')
		return base;
	if (v[2] == '.' && v[3] >= '1' && v[3] <= '9' && v[4] == '\0')
		return base + (v[3] - '0');
	return -1;
}

/* amd64 "" (v1), "v2".."v4": 1..4, else -1. */
static int
amd64_level(const char *v)
{
	if (v[0] == '\0')
		return 1;
	if (v[0] == 'v' && v[1] >= '1' && v[1] <= '4' && v[2] == '\0')
		return v[1] - '0';
	return -1;
}

/* How many levels have lies below want: w - h, or -1 when either level
 * is unknown or have is above want. */
static int
level_gap(int w, int h)
{
	return w < 0 || h < 0 || h > w ? -1 : w - h;
}

int
platform_rank(const struct platform *want_in, const struct platform *have_in)
{
	struct platform want = *want_in, have = *have_in;
	const char *a;
	int gap, wmaj, hmaj;

	platform_normalize(&want);
	platform_normalize(&have);
	if (strcmp(want.os, have.os) != 0 || strcmp(want.arch, have.arch) != 0)
		return -1;
	if (strcmp(want.variant, have.variant) == 0)
		return 0;
	a = want.arch;
	if (strcmp(a, "arm") == 0)
		return level_gap(arm_level(want.variant), arm_level(have.variant));
	if (strcmp(a, "arm64") == 0) {
		gap = level_gap(arm64_level(want.variant, &wmaj),
		    arm64_level(have.variant, &hmaj));
		return gap < 0 || hmaj > wmaj ? -1 : 1 + gap;
	}
	if (strcmp(a, "amd64") == 0)
		return level_gap(amd64_level(want.variant),
		    amd64_level(have.variant));
	return -1;
}

size_t
platform_format(const struct platform *p, char *buf, size_t cap)
{
	int n;

	if (p->variant[0] != '\0')
		n = snprintf(buf, cap, "%.31s/%.31s/%.15s", p->os, p->arch,
		    p->variant);
	else
		n = snprintf(buf, cap, "%.31s/%.31s", p->os, p->arch);
	return n < 0 ? 0 : (size_t)n;
}
