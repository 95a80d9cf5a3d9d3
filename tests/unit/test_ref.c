/* test_ref.c: image references: grammar, docker normalisation, messages. */
#include "unit.h"
#include "err.h"
#include "ref.h"

#include <stdint.h>

#define HEX64 "0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"
#define D1 "sha256:" HEX64
#define D2 "sha256:ffffffffffffffffffffffffffffffff" \
	"00000000000000000000000000000000"
#define T16 "abcdefghij012345"
#define T128 T16 T16 T16 T16 T16 T16 T16 T16

#define HUB "docker.io"
#define HUBHOST "registry-1.docker.io"

struct valid {
	const char *in;
	const char *registry, *host;
	unsigned port;
	const char *repo, *tag, *digest;
	const char *host_port;	/* ref_host_port() */
	const char *text;	/* ref_format() */
};

static const struct valid valid[] = {
	/* Docker Hub short names get docker.io, library/ and latest. */
	{ "nginx", HUB, HUBHOST, 443, "library/nginx", "latest", "", HUBHOST,
	  "docker.io/library/nginx:latest" },
	{ "nginx:1.25", HUB, HUBHOST, 443, "library/nginx", "1.25", "", HUBHOST,
	  "docker.io/library/nginx:1.25" },
	{ "nginx:latest", HUB, HUBHOST, 443, "library/nginx", "latest", "",
	  HUBHOST, "docker.io/library/nginx:latest" },
	{ "library/nginx", HUB, HUBHOST, 443, "library/nginx", "latest", "",
	  HUBHOST, "docker.io/library/nginx:latest" },
	{ "docker.io/nginx", HUB, HUBHOST, 443, "library/nginx", "latest", "",
	  HUBHOST, "docker.io/library/nginx:latest" },
	{ "docker.io/library/nginx:alpine", HUB, HUBHOST, 443, "library/nginx",
	  "alpine", "", HUBHOST, "docker.io/library/nginx:alpine" },
	{ "index.docker.io/nginx", HUB, HUBHOST, 443, "library/nginx", "latest",
	  "", HUBHOST, "docker.io/library/nginx:latest" },
	{ "index.docker.io/user/app:v1", HUB, HUBHOST, 443, "user/app", "v1", "",
	  HUBHOST, "docker.io/user/app:v1" },
	{ "user/app", HUB, HUBHOST, 443, "user/app", "latest", "", HUBHOST,
	  "docker.io/user/app:latest" },
	{ "user/app:v2.0-rc1", HUB, HUBHOST, 443, "user/app", "v2.0-rc1", "",
	  HUBHOST, "docker.io/user/app:v2.0-rc1" },
	{ "registry/app", HUB, HUBHOST, 443, "registry/app", "latest", "",
	  HUBHOST, "docker.io/registry/app:latest" },
	{ "a/b/c/d", HUB, HUBHOST, 443, "a/b/c/d", "latest", "", HUBHOST,
	  "docker.io/a/b/c/d:latest" },
	{ "org/team/project/app:t", HUB, HUBHOST, 443, "org/team/project/app",
	  "t", "", HUBHOST, "docker.io/org/team/project/app:t" },
	{ "user/a.b_c__d-e---f", HUB, HUBHOST, 443, "user/a.b_c__d-e---f",
	  "latest", "", HUBHOST, "docker.io/user/a.b_c__d-e---f:latest" },
	{ "x-y/z_1", HUB, HUBHOST, 443, "x-y/z_1", "latest", "", HUBHOST,
	  "docker.io/x-y/z_1:latest" },
	{ "0/1", HUB, HUBHOST, 443, "0/1", "latest", "", HUBHOST,
	  "docker.io/0/1:latest" },
	/* Without a '/', the one component is a path even if it looks like
	 * a host, and "localhost:5000" is image localhost, tag 5000 (docker
	 * reads it so too). */
	{ "localhost", HUB, HUBHOST, 443, "library/localhost", "latest", "",
	  HUBHOST, "docker.io/library/localhost:latest" },
	{ "localhost:5000", HUB, HUBHOST, 443, "library/localhost", "5000", "",
	  HUBHOST, "docker.io/library/localhost:5000" },
	{ "example.com", HUB, HUBHOST, 443, "library/example.com", "latest", "",
	  HUBHOST, "docker.io/library/example.com:latest" },
	/* Other registries: no library/, port only when given. */
	{ "localhost/app", "localhost", "localhost", 0, "app", "latest", "",
	  "localhost", "localhost/app:latest" },
	{ "localhost:5000/x", "localhost:5000", "localhost", 5000, "x", "latest",
	  "", "localhost:5000", "localhost:5000/x:latest" },
	{ "localhost:5000/x/y:dev", "localhost:5000", "localhost", 5000, "x/y",
	  "dev", "", "localhost:5000", "localhost:5000/x/y:dev" },
	{ "127.0.0.1:5000/x:tag", "127.0.0.1:5000", "127.0.0.1", 5000, "x",
	  "tag", "", "127.0.0.1:5000", "127.0.0.1:5000/x:tag" },
	{ "127.0.0.1/x", "127.0.0.1", "127.0.0.1", 0, "x", "latest", "",
	  "127.0.0.1", "127.0.0.1/x:latest" },
	{ "[::1]:5000/x", "[::1]:5000", "::1", 5000, "x", "latest", "",
	  "[::1]:5000", "[::1]:5000/x:latest" },
	{ "[::1]:5443/repo:tag", "[::1]:5443", "::1", 5443, "repo", "tag", "",
	  "[::1]:5443", "[::1]:5443/repo:tag" },
	{ "[2001:db8::1]/x", "[2001:db8::1]", "2001:db8::1", 0, "x", "latest",
	  "", "[2001:db8::1]", "[2001:db8::1]/x:latest" },
	{ "[::ffff:192.0.2.1]:443/a/b", "[::ffff:192.0.2.1]:443",
	  "::ffff:192.0.2.1", 443, "a/b", "latest", "",
	  "[::ffff:192.0.2.1]:443", "[::ffff:192.0.2.1]:443/a/b:latest" },
	{ "[2001:DB8:0:0:0:0:0:1]:65535/x", "[2001:DB8:0:0:0:0:0:1]:65535",
	  "2001:DB8:0:0:0:0:0:1", 65535, "x", "latest", "",
	  "[2001:DB8:0:0:0:0:0:1]:65535",
	  "[2001:DB8:0:0:0:0:0:1]:65535/x:latest" },
	{ "[fe80::]/x", "[fe80::]", "fe80::", 0, "x", "latest", "", "[fe80::]",
	  "[fe80::]/x:latest" },
	{ "host.example.com/a/b:v1.2", "host.example.com", "host.example.com", 0,
	  "a/b", "v1.2", "", "host.example.com", "host.example.com/a/b:v1.2" },
	{ "Host.Example.COM/a", "Host.Example.COM", "Host.Example.COM", 0, "a",
	  "latest", "", "Host.Example.COM", "Host.Example.COM/a:latest" },
	{ "my-registry.example.com:8443/team/app:1.0",
	  "my-registry.example.com:8443", "my-registry.example.com", 8443,
	  "team/app", "1.0", "", "my-registry.example.com:8443",
	  "my-registry.example.com:8443/team/app:1.0" },
	{ "registry.example.com:1/x", "registry.example.com:1",
	  "registry.example.com", 1, "x", "latest", "", "registry.example.com:1",
	  "registry.example.com:1/x:latest" },
	{ "gcr.io/distroless/static:nonroot", "gcr.io", "gcr.io", 0,
	  "distroless/static", "nonroot", "", "gcr.io",
	  "gcr.io/distroless/static:nonroot" },
	{ "xn--bcher-kva.example/app", "xn--bcher-kva.example",
	  "xn--bcher-kva.example", 0, "app", "latest", "",
	  "xn--bcher-kva.example", "xn--bcher-kva.example/app:latest" },
	{ "foo.bar/baz", "foo.bar", "foo.bar", 0, "baz", "latest", "", "foo.bar",
	  "foo.bar/baz:latest" },
	/* Only the names docker.io and index.docker.io are Docker Hub. */
	{ "docker.io:443/x", "docker.io:443", "docker.io", 443, "x", "latest", "",
	  "docker.io:443", "docker.io:443/x:latest" },
	/* Digests: no default tag; tag and digest together keep both. */
	{ "ghcr.io/owner/repo@" D1, "ghcr.io", "ghcr.io", 0, "owner/repo", "", D1,
	  "ghcr.io", "ghcr.io/owner/repo@" D1 },
	{ "nginx@" D1, HUB, HUBHOST, 443, "library/nginx", "", D1, HUBHOST,
	  "docker.io/library/nginx@" D1 },
	{ "nginx:1.25@" D1, HUB, HUBHOST, 443, "library/nginx", "1.25", D1,
	  HUBHOST, "docker.io/library/nginx:1.25@" D1 },
	{ "localhost:5000/x:t@" D2, "localhost:5000", "localhost", 5000, "x", "t",
	  D2, "localhost:5000", "localhost:5000/x:t@" D2 },
	{ "10.0.0.1:5000/a/b/c@" D1, "10.0.0.1:5000", "10.0.0.1", 5000, "a/b/c",
	  "", D1, "10.0.0.1:5000", "10.0.0.1:5000/a/b/c@" D1 },
	{ "[::1]/x@" D2, "[::1]", "::1", 0, "x", "", D2, "[::1]",
	  "[::1]/x@" D2 },
	/* Tags: 128 characters, '_' first, upper case. */
	{ "nginx:" T128, HUB, HUBHOST, 443, "library/nginx", T128, "", HUBHOST,
	  "docker.io/library/nginx:" T128 },
	{ "nginx:_tag", HUB, HUBHOST, 443, "library/nginx", "_tag", "", HUBHOST,
	  "docker.io/library/nginx:_tag" },
	{ "nginx:V1.0-RC_2", HUB, HUBHOST, 443, "library/nginx", "V1.0-RC_2", "",
	  HUBHOST, "docker.io/library/nginx:V1.0-RC_2" },
	{ "a1-b2.c3:443/x", "a1-b2.c3:443", "a1-b2.c3", 443, "x", "latest", "",
	  "a1-b2.c3:443", "a1-b2.c3:443/x:latest" },
};

struct invalid {
	const char *in;
	const char *msg;	/* must appear in err_msg() */
};

static const struct invalid invalid[] = {
	{ "", "empty image reference" },
	/* path */
	{ "Foo", "repository name must be lowercase: \"Foo\"" },
	{ "user/Foo", "repository name must be lowercase: \"user/Foo\"" },
	{ "localhost:5000/MyApp", "must be lowercase: \"MyApp\"" },
	{ "a//b", "invalid repository path \"a//b\"" },
	{ "a//b", "empty path component at offset 2" },
	{ "a/", "trailing '/'" },
	{ "/a", "invalid repository path \"/a\"" },
	{ "a_-b", "invalid repository path \"a_-b\"" },
	{ "a___b", "more than two '_'" },
	{ "a..b", "two separators in a row" },
	{ "a-", "separator at the end" },
	{ "a/.b", "must begin with a letter or digit" },
	{ "a/b!", "invalid repository path \"a/b!\"" },
	{ "localhost/", "missing repository path" },
	{ "docker.io/", "missing repository path" },
	{ ":tag", "missing repository path" },
	{ "@" D1, "missing repository path" },
	/* tag */
	{ "nginx:a$b", "invalid tag \"a$b\"" },
	{ "x:a:b", "invalid tag \"a:b\" in reference \"x:a:b\"" },
	{ "nginx:" T128 "x", "129 characters, at most 128" },
	{ "nginx:.x", "invalid tag \".x\"" },
	{ "nginx:-x", "invalid tag \"-x\"" },
	{ "a:", "invalid tag \"\" in reference \"a:\"" },
	{ "[::1]:5000", "missing repository path after registry" },
	{ "[::1]", "missing repository path after registry" },
	/* digest */
	{ "a@", "invalid digest \"\" in reference \"a@\"" },
	{ "nginx@sha256:abc", "invalid digest \"sha256:abc\"" },
	{ "nginx@sha256:abc", "expected sha256: and 64 lowercase hex digits" },
	{ "nginx@sha256:0123456789ABCDEF0123456789abcdef"
	  "0123456789abcdef0123456789abcdef", "invalid digest \"sha256:0123" },
	{ "nginx@" D1 "0", "invalid digest" },
	{ "nginx@sha512:" HEX64 HEX64, "unsupported digest algorithm \"sha512\"" },
	{ "nginx@sha512:" HEX64 HEX64, "only sha256 is supported" },
	{ "nginx@" HEX64, "invalid digest \"0123" },
	{ "nginx@" D1 "@" D1, "invalid digest" },
	{ "nginx:1@", "invalid digest \"\"" },
	/* registry and port */
	{ "localhost:0/x", "invalid port \"0\"" },
	{ "localhost:65536/x", "invalid port \"65536\"" },
	{ "localhost:99999/x", "invalid port \"99999\"" },
	{ "localhost:x/y", "invalid port \"x\"" },
	{ "localhost:+80/y", "invalid port \"+80\"" },
	{ "localhost:-1/y", "invalid port \"-1\"" },
	{ "localhost:/y", "invalid port \"\"" },
	{ "localhost:05000/y", "invalid port \"05000\"" },
	{ "a:b/c", "invalid port \"b\"" },
	{ "[::1/x", "unterminated '['" },
	{ "[::1:5000/x", "unterminated '[' in registry \"[::1:5000\"" },
	{ "[zz::1]/x", "invalid IPv6 address \"zz::1\"" },
	{ "[1:2:3:4:5:6:7:8:9]/x", "invalid IPv6 address" },
	{ "[1::2::3]/x", "invalid IPv6 address" },
	{ "[1:2:3]/x", "invalid IPv6 address" },
	{ "[]/x", "invalid IPv6 address \"\"" },
	{ "[::1%eth0]/x", "invalid IPv6 address" },
	{ "[::1]5000/x", "expected ':' and a port after ']'" },
	{ "[::1]:0/x", "invalid port \"0\"" },
	{ "a_b.com/x", "invalid registry host \"a_b.com\"" },
	{ "-a.com/x", "invalid registry host \"-a.com\"" },
	{ "a-.com/x", "invalid registry host \"a-.com\"" },
	{ "a..b/x", "invalid registry host \"a..b\"" },
	{ ".a/x", "invalid registry host \".a\"" },
	{ "a./x", "invalid registry host \"a.\"" },
	{ "256.1.1.1/x", "invalid registry host \"256.1.1.1\"" },
	{ "1.2.3/x", "invalid registry host \"1.2.3\"" },
	{ "01.2.3.4/x", "invalid registry host \"01.2.3.4\"" },
	{ ":5000/x", "invalid registry host \"\"" },
	/* text */
	{ "https://x", "a reference has no scheme (remove \"https://\")" },
	{ "oci://reg.example/x", "a reference has no scheme" },
	{ "nginx latest", "white space (0x20) at offset 5" },
	{ " nginx", "white space (0x20) at offset 0" },
	{ "nginx\t", "white space (0x09) at offset 5" },
	{ "nginx\n", "white space (0x0a) at offset 5" },
	{ "ngi\x01nx", "control character 0x01 at offset 3" },
	{ "nginx\x7f", "control character 0x7f at offset 5" },
	{ "ngi\xc3\xa9", "non-ASCII byte 0xc3 at offset 3" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int
ref_equal(const struct ref *a, const struct ref *b)
{
	return strcmp(a->registry, b->registry) == 0 &&
	    strcmp(a->host, b->host) == 0 && a->port == b->port &&
	    strcmp(a->repo, b->repo) == 0 && strcmp(a->tag, b->tag) == 0 &&
	    strcmp(a->digest, b->digest) == 0;
}

static int
ref_is_zero(const struct ref *r)
{
	const unsigned char *p = (const unsigned char *)r;
	size_t i;

	for (i = 0; i < sizeof *r; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
test_valid_table(void)
{
	struct ref r;
	char buf[REF_TEXT_MAX], hp[REF_HOST_PORT_MAX];
	size_t i, n;

	CHECK(COUNT(valid) >= 40);
	for (i = 0; i < COUNT(valid); i++) {
		const struct valid *v = &valid[i];
		int rc;

		err_clear();
		rc = ref_parse(&r, v->in);
		if (rc != ERR_OK)
			fprintf(stderr, "  valid[%zu] \"%s\": %s\n", i, v->in,
			    err_msg());
		CHECK_EQ(rc, ERR_OK);
		CHECK_STR(err_msg(), "");
		CHECK_STR(r.registry, v->registry);
		CHECK_STR(r.host, v->host);
		CHECK_EQ(r.port, v->port);
		CHECK_STR(r.repo, v->repo);
		CHECK_STR(r.tag, v->tag);
		CHECK_STR(r.digest, v->digest);
		CHECK_EQ(ref_is_hub(&r), strcmp(v->registry, HUB) == 0);
		n = ref_format(&r, buf, sizeof buf);
		CHECK_STR(buf, v->text);
		CHECK_EQ(n, strlen(v->text));
		n = ref_host_port(&r, hp, sizeof hp);
		CHECK_STR(hp, v->host_port);
		CHECK_EQ(n, strlen(v->host_port));
	}
}

/* The normalised text parses back to the same reference. */
static void
test_format_round_trip(void)
{
	struct ref a, b;
	char buf[REF_TEXT_MAX], again[REF_TEXT_MAX];
	size_t i;

	for (i = 0; i < COUNT(valid); i++) {
		err_clear();
		CHECK_EQ(ref_parse(&a, valid[i].in), ERR_OK);
		ref_format(&a, buf, sizeof buf);
		CHECK_EQ(ref_parse(&b, buf), ERR_OK);
		CHECK(ref_equal(&a, &b));
		ref_format(&b, again, sizeof again);
		CHECK_STR(again, buf);
	}
}

static void
test_invalid_table(void)
{
	struct ref r;
	size_t i;

	CHECK(COUNT(invalid) >= 30);
	for (i = 0; i < COUNT(invalid); i++) {
		const struct invalid *v = &invalid[i];
		int rc;

		/* Start from a filled struct: a failure must leave it zero. */
		CHECK_EQ(ref_parse(&r, "localhost:5000/x:t@" D1), ERR_OK);
		err_clear();
		rc = ref_parse(&r, v->in);
		CHECK_EQ(rc, ERR_USAGE);
		if (strstr(err_msg(), v->msg) == NULL) {
			unit_failed_checks++;
			fprintf(stderr, "  invalid[%zu] \"%s\": message \"%s\" "
			    "lacks \"%s\"\n", i, v->in, err_msg(), v->msg);
		}
		CHECK(ref_is_zero(&r));
	}
	err_clear();
	CHECK_EQ(ref_parse(&r, NULL), ERR_USAGE);
	CHECK(strstr(err_msg(), "no image reference") != NULL);
}

static void
fill(char *buf, size_t at, size_t n, char c)
{
	memset(buf + at, c, n);
	buf[at + n] = '\0';
}

/* A repository name, registry/path after normalisation, has at most 255
 * characters; the boundary is checked on the normalised name. */
static void
test_name_length(void)
{
	char in[700];
	struct ref r;

	/* docker.io/library/ is 18 characters. */
	fill(in, 0, 237, 'a');
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_OK);
	CHECK_EQ(strlen(r.repo), 8 + 237);
	fill(in, 0, 238, 'a');
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_USAGE);
	CHECK(strstr(err_msg(), "is 256 characters long") != NULL);
	CHECK(strstr(err_msg(), "at most 255") != NULL);

	/* docker.io/ with a two-component path. */
	memcpy(in, "user/", 5);
	fill(in, 5, 240, 'b');
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_OK);
	fill(in, 5, 241, 'b');
	CHECK_EQ(ref_parse(&r, in), ERR_USAGE);

	/* example.com/ is 12 characters; the tag does not count. */
	memcpy(in, "example.com/", 12);
	fill(in, 12, 243, 'c');
	memcpy(in + 255, ":" T128, 130);
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_OK);
	CHECK_EQ(strlen(r.repo), 243);
	CHECK_STR(r.tag, T128);
	fill(in, 12, 244, 'c');
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_USAGE);
	CHECK(strstr(err_msg(), "is 256 characters long") != NULL);
	CHECK(ref_is_zero(&r));

	/* A 253-character host with a port leaves no room. */
	fill(in, 0, 63, 'h');
	in[63] = '.';
	fill(in, 64, 63, 'h');
	in[127] = '.';
	fill(in, 128, 63, 'h');
	in[191] = '.';
	fill(in, 192, 61, 'h');
	memcpy(in + 253, ":5000/x", 8);
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_USAGE);
	CHECK(strstr(err_msg(), "is 258 characters long") != NULL);
	/* Without the port it fits, with a one-letter path. */
	memcpy(in + 253, "/x", 3);
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_OK);
	CHECK_EQ(strlen(r.host), 253);

	/* A 64-character host label is refused. */
	fill(in, 0, 64, 'h');
	memcpy(in + 64, ".com/x", 7);
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_USAGE);
	CHECK(strstr(err_msg(), "invalid registry host") != NULL);

	/* Input longer than REF_INPUT_MAX is refused before parsing. */
	fill(in, 0, REF_INPUT_MAX + 1, 'a');
	err_clear();
	CHECK_EQ(ref_parse(&r, in), ERR_USAGE);
	CHECK(strstr(err_msg(), "longer than 512 characters") != NULL);
}

static void
test_digest_valid(void)
{
	CHECK_EQ(ref_digest_valid(D1, strlen(D1)), 1);
	CHECK_EQ(ref_digest_valid(D2, strlen(D2)), 1);
	/* Counted: the bytes after n do not matter, those before do. */
	CHECK_EQ(ref_digest_valid(D1 "zz", strlen(D1)), 1);
	CHECK_EQ(ref_digest_valid(D1, strlen(D1) - 1), 0);
	CHECK_EQ(ref_digest_valid(D1 "0", strlen(D1) + 1), 0);
	CHECK_EQ(ref_digest_valid("sha256:" HEX64, 71), 1);
	CHECK_EQ(ref_digest_valid("SHA256:" HEX64, 71), 0);
	CHECK_EQ(ref_digest_valid("sha256:0123456789abcdeF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", 71), 0);
	CHECK_EQ(ref_digest_valid("sha256:0123456789abcdeg0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", 71), 0);
	CHECK_EQ(ref_digest_valid("sha384:" HEX64, 71), 0);
	CHECK_EQ(ref_digest_valid("sha256;" HEX64, 71), 0);
	CHECK_EQ(ref_digest_valid("", 0), 0);
	CHECK_EQ(ref_digest_valid(NULL, 71), 0);
}

/* ref_format and ref_host_port behave as snprintf when the buffer is
 * small: the full length comes back, the text is cut and terminated. */
static void
test_format_truncates(void)
{
	struct ref r;
	char buf[10];
	size_t n;

	CHECK_EQ(ref_parse(&r, "nginx@" D1), ERR_OK);
	n = ref_format(&r, NULL, 0);
	CHECK_EQ(n, strlen("docker.io/library/nginx@" D1));
	memset(buf, 'z', sizeof buf);
	n = ref_format(&r, buf, sizeof buf);
	CHECK_EQ(n, strlen("docker.io/library/nginx@" D1));
	CHECK_STR(buf, "docker.io");
	n = ref_format(&r, buf, 1);
	CHECK_STR(buf, "");

	CHECK_EQ(ref_parse(&r, "[2001:db8::1]:65535/x"), ERR_OK);
	n = ref_host_port(&r, NULL, 0);
	CHECK_EQ(n, strlen("[2001:db8::1]:65535"));
	n = ref_host_port(&r, buf, sizeof buf);
	CHECK_EQ(n, strlen("[2001:db8::1]:65535"));
	CHECK_STR(buf, "[2001:db8");
}

/* Every prefix of every valid and invalid reference, and many mutated
 * ones, either parse or fail with ERR_USAGE and a message; what parses
 * formats within REF_TEXT_MAX and parses back to itself. */
static void
check_any(const char *in)
{
	struct ref a, b;
	char buf[REF_TEXT_MAX], hp[REF_HOST_PORT_MAX];
	int rc;

	err_clear();
	rc = ref_parse(&a, in);
	if (rc != ERR_OK) {
		CHECK_EQ(rc, ERR_USAGE);
		CHECK(err_msg()[0] != '\0');
		CHECK(ref_is_zero(&a));
		return;
	}
	CHECK(ref_format(&a, buf, sizeof buf) < sizeof buf);
	CHECK(ref_host_port(&a, hp, sizeof hp) < sizeof hp);
	CHECK(a.tag[0] != '\0' || a.digest[0] != '\0');
	CHECK(strlen(a.registry) + 1 + strlen(a.repo) <= REF_NAME_MAX);
	err_clear();
	CHECK_EQ(ref_parse(&b, buf), ERR_OK);
	CHECK(ref_equal(&a, &b));
}

static void
test_prefixes_and_mutations(void)
{
	static const char alphabet[] = "aZ09._-/:@[]%+ \x01\x80";
	char in[REF_INPUT_MAX + 1];
	uint32_t seed = 12345u;
	size_t i, k, len;

	for (i = 0; i < COUNT(valid) + COUNT(invalid); i++) {
		const char *s = i < COUNT(valid) ? valid[i].in :
		    invalid[i - COUNT(valid)].in;

		len = strlen(s);
		for (k = 0; k <= len; k++) {
			memcpy(in, s, k);
			in[k] = '\0';
			check_any(in);
		}
	}
	for (i = 0; i < 20000; i++) {
		const char *s = valid[i % COUNT(valid)].in;
		unsigned edits;

		len = strlen(s);
		memcpy(in, s, len + 1);
		for (edits = 0; edits < 3 && len > 0; edits++) {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			in[k] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
		}
		check_any(in);
	}
}

int
main(void)
{
	UNIT_RUN(test_valid_table);
	UNIT_RUN(test_format_round_trip);
	UNIT_RUN(test_invalid_table);
	UNIT_RUN(test_name_length);
	UNIT_RUN(test_digest_valid);
	UNIT_RUN(test_format_truncates);
	UNIT_RUN(test_prefixes_and_mutations);
	return UNIT_END();
}
