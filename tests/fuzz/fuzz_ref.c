/*
 * fuzz_ref.c: libFuzzer target for src/ref.c.
 *
 * The input, cut at REF_INPUT_MAX + 8 bytes and NUL-terminated, goes to
 * ref_parse. When it parses: the fields are NUL-terminated and valid,
 * ref_format's text parses back to the same struct (round trip), and
 * ref_format / ref_host_port behave as snprintf for every small cap.
 * When it does not parse: r is all zero and a message is set.
 */
#include "fuzz.h"

#include "err.h"
#include "ref.h"

static void
same_ref(const struct ref *a, const struct ref *b)
{
	FUZZ_CHECK(strcmp(a->registry, b->registry) == 0);
	FUZZ_CHECK(strcmp(a->host, b->host) == 0);
	FUZZ_CHECK(a->port == b->port);
	FUZZ_CHECK(strcmp(a->repo, b->repo) == 0);
	FUZZ_CHECK(strcmp(a->tag, b->tag) == 0);
	FUZZ_CHECK(strcmp(a->digest, b->digest) == 0);
}

/* fn behaves as snprintf: same length whatever cap, a cut prefix. */
static void
check_snprintf(size_t (*fn)(const struct ref *, char *, size_t),
    const struct ref *r, size_t limit)
{
	static char full[1024], part[1024];
	size_t n = fn(r, full, sizeof full), cap;

	FUZZ_CHECK(n < limit && n == strlen(full));
	FUZZ_CHECK(fn(r, NULL, 0) == n);
	for (cap = 1; cap <= n + 1; cap++) {
		memset(part, 'X', cap + 1);
		FUZZ_CHECK(fn(r, part, cap) == n);
		FUZZ_CHECK(part[cap - 1] == '\0' && part[cap] == 'X');
		FUZZ_CHECK(memcmp(part, full, cap - 1) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char s[REF_INPUT_MAX + 9], text[REF_TEXT_MAX];
	static const struct ref zero;
	struct ref r, r2;
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	int rc;

	memcpy(s, data, n);
	s[n] = '\0';
	memset(&r, 0x5a, sizeof r);
	err_clear();
	rc = ref_parse(&r, s);
	if (rc != ERR_OK) {
		FUZZ_CHECK(rc == ERR_USAGE);
		FUZZ_CHECK(err_msg()[0] != '\0');
		FUZZ_CHECK(memcmp(&r, &zero, sizeof r) == 0);
		return 0;
	}
	FUZZ_CHECK(fuzz_terminated(r.registry, sizeof r.registry));
	FUZZ_CHECK(fuzz_terminated(r.host, sizeof r.host));
	FUZZ_CHECK(fuzz_terminated(r.repo, sizeof r.repo));
	FUZZ_CHECK(fuzz_terminated(r.tag, sizeof r.tag));
	FUZZ_CHECK(fuzz_terminated(r.digest, sizeof r.digest));
	FUZZ_CHECK(r.registry[0] != '\0' && r.host[0] != '\0' &&
	    r.repo[0] != '\0');
	FUZZ_CHECK(r.tag[0] != '\0' || r.digest[0] != '\0');
	if (r.digest[0] != '\0')
		FUZZ_CHECK(ref_digest_valid(r.digest, strlen(r.digest)));
	FUZZ_CHECK(strlen(r.registry) + 1 + strlen(r.repo) <= REF_NAME_MAX);
	FUZZ_CHECK(ref_is_hub(&r) == (strcmp(r.registry, "docker.io") == 0));

	check_snprintf(ref_format, &r, REF_TEXT_MAX);
	check_snprintf(ref_host_port, &r, REF_HOST_PORT_MAX);

	/* Round trip. */
	ref_format(&r, text, sizeof text);
	err_clear();
	rc = ref_parse(&r2, text);
	if (rc != ERR_OK)
		fprintf(stderr, "ref %s -> %s: %s\n", s, text, err_msg());
	FUZZ_CHECK(rc == ERR_OK);
	same_ref(&r, &r2);
	return 0;
}
