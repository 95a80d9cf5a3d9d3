/*
 * unit.h: a minimal unit test framework, one binary per test file.
 *
 * A test is a void function; CHECK records a failure with file, line and
 * the expression and goes on, so one run reports every broken expectation.
 * UNIT_RUN prints "PASS name" or "FAIL name" per test; tests/run.sh counts
 * those lines. main() returns nonzero when any test failed.
 *
 * Tests of the shared third-party corpus (archives and OCI layouts, see its
 * SOURCES.md) run through UNIT_RUN_CORPUS: the corpus is $OCIPULL_TESTDATA,
 * else ../shared/testdata from the repository root (where CI keeps a copy
 * of shared/ beside the clone). Without it such a test prints
 * "skipped: name (corpus not present)" and counts neither way; a set
 * OCIPULL_TESTDATA is always used, so a wrong one fails instead.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failed_checks;
static int unit_passed, unit_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		unit_failed_checks++; \
		fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long unit_a = (long long)(a), unit_b = (long long)(b); \
	if (unit_a != unit_b) { \
		unit_failed_checks++; \
		fprintf(stderr, "  %s:%d: CHECK_EQ failed: %s == %lld, expected %s == %lld\n", \
		    __FILE__, __LINE__, #a, unit_a, #b, unit_b); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *unit_sa = (a), *unit_sb = (b); \
	if (unit_sa == NULL || unit_sb == NULL || strcmp(unit_sa, unit_sb) != 0) { \
		unit_failed_checks++; \
		fprintf(stderr, "  %s:%d: CHECK_STR failed: %s is \"%s\", expected \"%s\"\n", \
		    __FILE__, __LINE__, #a, unit_sa ? unit_sa : "(null)", \
		    unit_sb ? unit_sb : "(null)"); \
	} \
} while (0)

/* Same as CHECK_STR for a counted view {p, n}. */
#define CHECK_MEM(p, n, s) do { \
	const char *unit_s = (s); \
	size_t unit_n = (size_t)(n); \
	if (strlen(unit_s) != unit_n || memcmp((p), unit_s, unit_n) != 0) { \
		unit_failed_checks++; \
		fprintf(stderr, "  %s:%d: CHECK_MEM failed: %s is \"%.*s\", expected \"%s\"\n", \
		    __FILE__, __LINE__, #p, (int)unit_n, (const char *)(p), unit_s); \
	} \
} while (0)

#define UNIT_RUN(fn) do { \
	int unit_before = unit_failed_checks; \
	fn(); \
	if (unit_failed_checks == unit_before) { \
		unit_passed++; \
		printf("PASS %s\n", #fn); \
	} else { \
		unit_failed++; \
		printf("FAIL %s\n", #fn); \
	} \
	fflush(stdout); \
} while (0)

/* The corpus directory (see the top of this file). */
static inline const char *
unit_corpus(void)
{
	const char *d = getenv("OCIPULL_TESTDATA");

	return d != NULL && d[0] != '\0' ? d : "../shared/testdata";
}

/* Nonzero when the corpus tests should run. */
static inline int
unit_corpus_present(void)
{
	const char *d = getenv("OCIPULL_TESTDATA");
	char path[1024];
	FILE *f;

	if (d != NULL && d[0] != '\0')
		return 1;
	snprintf(path, sizeof path, "%s/SOURCES.md", unit_corpus());
	f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	fclose(f);
	return 1;
}

#define UNIT_RUN_CORPUS(fn) do { \
	if (unit_corpus_present()) \
		UNIT_RUN(fn); \
	else \
		printf("skipped: %s (corpus not present)\n", #fn); \
	fflush(stdout); \
} while (0)

#define UNIT_END() (unit_failed != 0)

#endif /* UNIT_H */
