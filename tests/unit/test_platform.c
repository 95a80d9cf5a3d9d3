/* test_platform.c: platform parsing, normalisation, ranking, formatting. */
#include "unit.h"
#include "err.h"
#include "platform.h"

static const struct {
	const char *in, *out;
} parse_ok[] = {
	{ "linux/amd64", "linux/amd64" },
	{ "amd64", "linux/amd64" },
	{ "x86_64", "linux/amd64" },
	{ "linux/x86-64", "linux/amd64" },
	{ "linux/amd64/v1", "linux/amd64" },
	{ "linux/amd64/1", "linux/amd64" },
	{ "linux/amd64/v3", "linux/amd64/v3" },
	{ "linux/amd64/2", "linux/amd64/v2" },
	{ "LINUX/AMD64", "linux/amd64" },
	{ "i386", "linux/386" },
	{ "linux/i686", "linux/386" },
	{ "aarch64", "linux/arm64/v8" },
	{ "linux/arm64", "linux/arm64/v8" },
	{ "arm64/8", "linux/arm64/v8" },
	{ "linux/arm64/8", "linux/arm64/v8" },
	{ "linux/arm64/v8.0", "linux/arm64/v8" },
	{ "linux/arm64/v8.2", "linux/arm64/v8.2" },
	{ "linux/arm64/9", "linux/arm64/v9" },
	{ "linux/aarch64/v9.0", "linux/arm64/v9" },
	{ "armhf", "linux/arm/v7" },
	{ "linux/armhf", "linux/arm/v7" },
	{ "armel", "linux/arm/v6" },
	{ "arm", "linux/arm/v7" },
	{ "linux/arm", "linux/arm/v7" },
	{ "arm/7", "linux/arm/v7" },
	{ "arm/6", "linux/arm/v6" },
	{ "linux/arm/5", "linux/arm/v5" },
	{ "linux/arm/v8", "linux/arm/v8" },
	{ "linux/ARM/V6", "linux/arm/v6" },
	{ "armv7l", "linux/arm/v7" },
	{ "linux/ppc64le", "linux/ppc64le" },
	{ "ppc64el", "linux/ppc64le" },
	{ "linux/s390x", "linux/s390x" },
	{ "linux/riscv64", "linux/riscv64" },
	{ "windows/amd64", "windows/amd64" },
	{ "macos/arm64", "darwin/arm64/v8" },
	{ "freebsd/arm", "freebsd/arm/v7" },
};

static void
test_parse_table(void)
{
	size_t k;

	for (k = 0; k < sizeof parse_ok / sizeof parse_ok[0]; k++) {
		struct platform p;
		char buf[96];
		int r;

		err_clear();
		r = platform_parse(parse_ok[k].in, &p);
		CHECK_EQ(r, ERR_OK);
		platform_format(&p, buf, sizeof buf);
		if (strcmp(buf, parse_ok[k].out) != 0)
			fprintf(stderr, "  row %zu: %s\n", k, parse_ok[k].in);
		CHECK_STR(buf, parse_ok[k].out);
	}
}

static const struct {
	const char *in, *msg_part;
} parse_bad[] = {
	{ "", "empty" },
	{ "/amd64", "part 1 is empty" },
	{ "linux/", "part 2 is empty" },
	{ "linux//v7", "part 2 is empty" },
	{ "linux/arm/", "part 3 is empty" },
	{ "linux/arm/v7/x", "more than three parts" },
	{ "a/b/c/d/e", "more than three parts" },
	{ "linux/arm v7", "bad character 0x20 at offset 9" },
	{ "linux/amd64;", "bad character 0x3b" },
	{ "linux/\xc3\xa9", "bad character 0xc3" },
	{ "linux", "names only an os" },
	{ "linux/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "architecture is longer than 31" },
	{ "linux/arm/vvvvvvvvvvvvvvvvvvvvvvvvvv", "variant is longer than 15" },
};

static void
test_parse_errors(void)
{
	size_t k;

	for (k = 0; k < sizeof parse_bad / sizeof parse_bad[0]; k++) {
		struct platform p;

		err_clear();
		CHECK_EQ(platform_parse(parse_bad[k].in, &p), ERR_USAGE);
		if (strstr(err_msg(), parse_bad[k].msg_part) == NULL)
			fprintf(stderr, "  row %zu: \"%s\" gave \"%s\"\n", k,
			    parse_bad[k].in, err_msg());
		CHECK(strstr(err_msg(), parse_bad[k].msg_part) != NULL);
	}
}

static void
test_normalize_struct(void)
{
	struct platform p = { "Linux", "AArch64", "" };

	platform_normalize(&p);
	CHECK_STR(p.os, "linux");
	CHECK_STR(p.arch, "arm64");
	CHECK_STR(p.variant, "v8");
	/* idempotent */
	platform_normalize(&p);
	CHECK_STR(p.variant, "v8");

	struct platform q = { "linux", "x86_64", "v1" };
	platform_normalize(&q);
	CHECK_STR(q.arch, "amd64");
	CHECK_STR(q.variant, "");

	struct platform r = { "linux", "armhf", "" };
	platform_normalize(&r);
	CHECK_STR(r.arch, "arm");
	CHECK_STR(r.variant, "v7");

	/* an unknown arch keeps its variant as it is, lowercased */
	struct platform s = { "linux", "mips64le", "R6" };
	platform_normalize(&s);
	CHECK_STR(s.arch, "mips64le");
	CHECK_STR(s.variant, "r6");
}

static int
rank(const char *want, const char *have)
{
	struct platform w, h;

	if (platform_parse(want, &w) != ERR_OK || platform_parse(have, &h) != ERR_OK)
		return -100;
	return platform_rank(&w, &h);
}

static const struct {
	const char *want, *have;
	int rank;
} rank_table[] = {
	{ "linux/amd64", "linux/amd64", 0 },
	{ "linux/amd64", "linux/amd64/v1", 0 },
	{ "linux/amd64", "linux/amd64/v2", -1 },
	{ "linux/amd64", "linux/amd64/v3", -1 },
	{ "linux/amd64/v3", "linux/amd64/v3", 0 },
	{ "linux/amd64/v3", "linux/amd64/v2", 1 },
	{ "linux/amd64/v3", "linux/amd64", 2 },
	{ "linux/amd64", "linux/386", -1 },
	{ "linux/386", "linux/amd64", -1 },
	{ "linux/amd64", "windows/amd64", -1 },
	/* 32-bit arm falls back to older variants, never newer ones */
	{ "linux/arm/v7", "linux/arm/v7", 0 },
	{ "linux/arm/v7", "linux/arm/v6", 1 },
	{ "linux/arm/v7", "linux/arm/v5", 2 },
	{ "linux/arm/v7", "linux/arm/v8", -1 },
	{ "linux/arm/v7", "linux/arm", 0 },
	{ "linux/arm/v8", "linux/arm/v8", 0 },
	{ "linux/arm/v8", "linux/arm/v7", 1 },
	{ "linux/arm/v8", "linux/arm/v6", 2 },
	{ "linux/arm/v8", "linux/arm/v5", 3 },
	{ "linux/arm/v6", "linux/arm/v6", 0 },
	{ "linux/arm/v6", "linux/arm/v5", 1 },
	{ "linux/arm/v6", "linux/arm/v7", -1 },
	{ "linux/arm/v5", "linux/arm/v5", 0 },
	{ "linux/arm/v5", "linux/arm/v7", -1 },
	{ "linux/arm/v5", "linux/arm/v6", -1 },
	/* arm64 and arm are different architectures */
	{ "linux/arm64", "linux/arm/v7", -1 },
	{ "linux/arm64/v8", "linux/arm/v8", -1 },
	{ "linux/arm/v7", "linux/arm64", -1 },
	{ "linux/arm64", "linux/arm64/v8", 0 },
	{ "linux/arm64/v8", "linux/aarch64", 0 },
	{ "linux/arm64/v8", "linux/arm64/v8.1", -1 },
	{ "linux/arm64/v8", "linux/arm64/v9", -1 },
	{ "linux/arm64/v8.2", "linux/arm64/v8.1", 2 },
	{ "linux/arm64/v8.2", "linux/arm64/v8", 3 },
	{ "linux/arm64/v9", "linux/arm64/v9", 0 },
	{ "linux/arm64/v9", "linux/arm64/v8.5", 1 },
	{ "linux/arm64/v9", "linux/arm64/v8", 6 },
	{ "linux/arm64/v8.5", "linux/arm64/v9", -1 },
	{ "linux/arm64/v9.1", "linux/arm64/v9", 2 },
	/* other arches: variants must be equal */
	{ "linux/ppc64le", "linux/ppc64le", 0 },
	{ "linux/riscv64", "linux/ppc64le", -1 },
	{ "linux/mips64le/r6", "linux/mips64le", -1 },
};

static void
test_rank_table(void)
{
	size_t k;

	for (k = 0; k < sizeof rank_table / sizeof rank_table[0]; k++) {
		int r = rank(rank_table[k].want, rank_table[k].have);
		if (r != rank_table[k].rank)
			fprintf(stderr, "  want %s have %s\n", rank_table[k].want,
			    rank_table[k].have);
		CHECK_EQ(r, rank_table[k].rank);
	}
}

static void
test_rank_raw_spellings(void)
{
	/* platform_rank normalises copies: raw structs from elsewhere work */
	struct platform want = { "linux", "arm", "" };      /* = arm/v7 */
	struct platform have = { "Linux", "armel", "" };    /* = arm/v6 */

	CHECK_EQ(platform_rank(&want, &have), 1);
	CHECK_STR(want.variant, "");    /* inputs untouched */
	CHECK_STR(have.arch, "armel");
}

static void
test_format(void)
{
	struct platform p;
	char buf[64], small[8];

	platform_parse("linux/arm/v7", &p);
	CHECK_EQ(platform_format(&p, buf, sizeof buf), 12);
	CHECK_STR(buf, "linux/arm/v7");
	platform_parse("linux/amd64", &p);
	CHECK_EQ(platform_format(&p, buf, sizeof buf), 11);
	CHECK_STR(buf, "linux/amd64");
	/* cut, always terminated, full length returned */
	CHECK_EQ(platform_format(&p, small, sizeof small), 11);
	CHECK_STR(small, "linux/a");
}

int
main(void)
{
	UNIT_RUN(test_parse_table);
	UNIT_RUN(test_parse_errors);
	UNIT_RUN(test_normalize_struct);
	UNIT_RUN(test_rank_table);
	UNIT_RUN(test_rank_raw_spellings);
	UNIT_RUN(test_format);
	return UNIT_END();
}
