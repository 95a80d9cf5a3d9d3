/*
 * test_auth.c: WWW-Authenticate challenges, base64, Basic credentials,
 * docker config.json lookup, token replies, scopes, credential routing.
 *
 * Inputs are copied into heap buffers of their exact length so that
 * AddressSanitizer catches any read past the counted length.
 */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "auth.h"
#include "auth_cred.h"
#include "config.h"
#include "err.h"

static jsmntok_t tok[256];

/* A heap copy of s without its NUL (freed by the caller). */
static char *
exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(p, s, n);
	return p;
}

static int
msg_has(const char *part)
{
	if (strstr(err_msg(), part) != NULL)
		return 1;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err_msg(), part);
	return 0;
}

/* ---- WWW-Authenticate ---------------------------------------------- */

struct want_ch {
	int scheme;
	const char *realm, *service, *scope;
};

static const struct {
	const char *hdr;
	int count;
	struct want_ch c[3];
} ch_ok[] = {
	/* Docker Hub */
	{ "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	  "scope=\"repository:library/nginx:pull\"", 1,
	  { { AUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io",
	      "repository:library/nginx:pull" } } },
	/* Docker Hub after a push attempt, with error */
	{ "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	  "scope=\"repository:library/nginx:pull,push\",error=\"insufficient_scope\"", 1,
	  { { AUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io",
	      "repository:library/nginx:pull,push" } } },
	/* GHCR */
	{ "Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\","
	  "scope=\"repository:user/image:pull\"", 1,
	  { { AUTH_BEARER, "https://ghcr.io/token", "ghcr.io",
	      "repository:user/image:pull" } } },
	/* quay.io */
	{ "Bearer realm=\"https://quay.io/v2/auth\",service=\"quay.io\"", 1,
	  { { AUTH_BEARER, "https://quay.io/v2/auth", "quay.io", "" } } },
	/* distribution with htpasswd */
	{ "Basic realm=\"Registry Realm\"", 1,
	  { { AUTH_BASIC, "Registry Realm", "", "" } } },
	/* ECR: Basic with an extra parameter */
	{ "Basic realm=\"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/\","
	  "service=\"ecr.amazonaws.com\"", 1,
	  { { AUTH_BASIC, "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",
	      "", "" } } },
	/* Basic with charset (RFC 7617) */
	{ "Basic realm=\"foo\", charset=\"UTF-8\"", 1,
	  { { AUTH_BASIC, "foo", "", "" } } },
	/* escaped quotes and backslash inside realm */
	{ "Basic realm=\"say \\\"hi\\\" \\\\ bye\"", 1,
	  { { AUTH_BASIC, "say \"hi\" \\ bye", "", "" } } },
	/* RFC 7235 section 4.1 example */
	{ "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", "
	  "Basic realm=\"simple\"", 1,
	  { { AUTH_BASIC, "simple", "", "" } } },
	/* both recognised, in order */
	{ "Basic realm=\"simple\", Bearer realm=\"https://a/t\",service=\"s\"", 2,
	  { { AUTH_BASIC, "simple", "", "" },
	    { AUTH_BEARER, "https://a/t", "s", "" } } },
	/* token68 challenges are skipped */
	{ "Negotiate YWxhZGRpbjpvcGVuc2VzYW1l==, Basic realm=\"x\"", 1,
	  { { AUTH_BASIC, "x", "", "" } } },
	{ "Newauth abc/+.~_-, Bearer realm=\"r\", Other", 1,
	  { { AUTH_BEARER, "r", "", "" } } },
	{ "Negotiate", 0, { { 0, 0, 0, 0 } } },
	/* lowercase and mixed case scheme and parameter names */
	{ "bearer REALM=\"https://r/t\",Service=\"svc\",sCoPe=\"repository:a:pull\"", 1,
	  { { AUTH_BEARER, "https://r/t", "svc", "repository:a:pull" } } },
	{ "BASIC realm=x", 1, { { AUTH_BASIC, "x", "", "" } } },
	/* extra spaces, tabs, empty list elements, white space around '=' */
	{ "  \t Bearer \t realm = \"https://r\" ,\t service= svc ,  ,, scope =\"s\"\t ", 1,
	  { { AUTH_BEARER, "https://r", "svc", "s" } } },
	{ ", ,Basic realm=\"a\",, ,", 1, { { AUTH_BASIC, "a", "", "" } } },
	/* unquoted token values */
	{ "Bearer realm=https-token,service=registry.example.com", 1,
	  { { AUTH_BEARER, "https-token", "registry.example.com", "" } } },
	/* repeated scope: the first one wins */
	{ "Bearer realm=\"r\",scope=\"repository:a:pull\",scope=\"repository:b:pull\"", 1,
	  { { AUTH_BEARER, "r", "", "repository:a:pull" } } },
	/* Bearer without parameters, then an unknown one */
	{ "Bearer, Foo bar=baz", 1, { { AUTH_BEARER, "", "", "" } } },
	/* empty quoted value and obs-text */
	{ "Basic realm=\"\"", 1, { { AUTH_BASIC, "", "", "" } } },
	{ "Basic realm=\"caf\xc3\xa9\"", 1, { { AUTH_BASIC, "caf\xc3\xa9", "", "" } } },
	/* Bearer's service on Basic is ignored; realm on an unknown scheme too */
	{ "Digest realm=\"d\", qop=\"auth\", nonce=\"abc\", Basic realm=\"b\"", 1,
	  { { AUTH_BASIC, "b", "", "" } } },
	/* empty header */
	{ "", 0, { { 0, 0, 0, 0 } } },
	{ "   ", 0, { { 0, 0, 0, 0 } } },
};

static void
test_challenges_real_world(void)
{
	size_t t;

	for (t = 0; t < sizeof ch_ok / sizeof ch_ok[0]; t++) {
		struct auth_challenge out[4];
		size_t n = strlen(ch_ok[t].hdr);
		char *h = exact(ch_ok[t].hdr, n);
		int r, k;

		memset(out, 0x55, sizeof out);
		err_clear();
		r = auth_parse_challenges(h, n, out, 4);
		if (r != ch_ok[t].count)
			fprintf(stderr, "  case %zu \"%s\": %d (%s)\n", t,
			    ch_ok[t].hdr, r, err_msg());
		CHECK_EQ(r, ch_ok[t].count);
		for (k = 0; k < r && k < ch_ok[t].count; k++) {
			const struct want_ch *w = &ch_ok[t].c[k];
			CHECK_EQ(out[k].scheme, w->scheme);
			CHECK_STR(out[k].realm, w->realm);
			CHECK_STR(out[k].service, w->service);
			CHECK_STR(out[k].scope, w->scope);
		}
		CHECK_STR(err_msg(), "");
		free(h);
	}
}

/* Fewer slots than challenges: the first max are stored, the rest checked. */
static void
test_challenges_max(void)
{
	const char *h = "Basic realm=\"one\", Bearer realm=\"two\", Basic realm=\"three\"";
	struct auth_challenge out[2];

	memset(out, 0, sizeof out);
	CHECK_EQ(auth_parse_challenges(h, strlen(h), out, 1), 1);
	CHECK_STR(out[0].realm, "one");
	CHECK_EQ(out[1].scheme, 0);
	CHECK_EQ(auth_parse_challenges(h, strlen(h), out, 0), 0);
	CHECK_EQ(auth_parse_challenges(h, strlen(h), NULL, 0), 0);
	/* an error after the stored ones still fails the whole value */
	h = "Basic realm=\"one\", Bearer realm=\"two";
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, strlen(h), out, 1), ERR_PROTO);
	CHECK(msg_has("no closing"));
	/* the count only reads hdr[0..len): a longer buffer is cut */
	h = "Basic realm=\"one\", Bearer realm=\"two\"";
	CHECK_EQ(auth_parse_challenges(h, 17, out, 2), 1);
	CHECK_STR(out[0].realm, "one");
}

static const struct {
	const char *hdr;
	const char *msg;       /* part of the error message */
} ch_bad[] = {
	{ "Bearer realm=\"https://auth.docker.io/token", "no closing '\"'" },
	{ "Basic realm=\"abc\\", "no closing '\"'" },
	{ "Bearer realm=", "parameter realm at offset 7 has no value" },
	{ "Bearer realm=,service=\"x\"", "parameter realm at offset 7 has no value" },
	{ "Bearer service=\"x\", realm=", "parameter realm has no value" },
	{ "Bearer service=\"x\", realm= ,scope=a", "parameter realm has no value" },
	{ "Bearer realm=\"a\" service=\"b\"", "expected ',' or the end" },
	{ "Bearer realm=\"a\"x", "expected ',' or the end" },
	{ "Bearer realm", "Bearer challenge has a token68" },
	{ "Basic dXNlcjpwYXNz", "Basic challenge has a token68" },
	{ "Bearer foo bar", "expected '=' after parameter name" },
	{ "Bearer realm=\"a\", realm=\"b\"", "second realm" },
	{ "Bearer service=a, service=b", "second service" },
	{ "Bearer=\"x\"", "expected a space after the auth scheme" },
	{ "\"Bearer\" realm=x", "expected an auth scheme at offset 0" },
	{ "Bearer realm=\"a\", =b", "expected a parameter or an auth scheme" },
	{ "Bearer realm=\"a\x01\"", "control character 0x01" },
	{ "Bearer realm=\"a\\\x7f\"", "control character 0x7f" },
	{ "Basic realm=\"a\"; charset=x", "expected ',' or the end" },
};

static void
test_challenges_malformed(void)
{
	size_t t;
	struct auth_challenge out[2];

	for (t = 0; t < sizeof ch_bad / sizeof ch_bad[0]; t++) {
		size_t n = strlen(ch_bad[t].hdr);
		char *h = exact(ch_bad[t].hdr, n);
		int r;

		err_clear();
		r = auth_parse_challenges(h, n, out, 2);
		if (r != ERR_PROTO)
			fprintf(stderr, "  case %zu \"%s\": %d\n", t, ch_bad[t].hdr, r);
		CHECK_EQ(r, ERR_PROTO);
		CHECK(msg_has(ch_bad[t].msg));
		CHECK(msg_has("WWW-Authenticate"));
		free(h);
	}
}

static void
test_challenges_caps(void)
{
	char h[BOARD_HTTP_LINE_MAX + 16];
	struct auth_challenge out[1];
	size_t n, k;

	/* realm of exactly 511 bytes fits, 512 does not */
	for (k = 510; k <= 513; k++) {
		n = (size_t)snprintf(h, sizeof h, "Bearer realm=\"");
		memset(h + n, 'r', k);
		n += k;
		h[n++] = '"';
		err_clear();
		CHECK_EQ(auth_parse_challenges(h, n, out, 1),
		    k <= 511 ? 1 : ERR_PROTO);
		if (k <= 511)
			CHECK_EQ(strlen(out[0].realm), k);
		else
			CHECK(msg_has("value of realm at offset 13 is longer than 511"));
	}
	/* the same as an unquoted token */
	n = (size_t)snprintf(h, sizeof h, "Bearer service=");
	memset(h + n, 's', 256);
	n += 256;
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, n, out, 1), ERR_PROTO);
	CHECK(msg_has("value of service at offset 15 is 256 bytes long, at most 255"));
	/* scope cap */
	n = (size_t)snprintf(h, sizeof h, "Bearer scope=\"");
	memset(h + n, 'x', 600);
	n += 600;
	h[n++] = '"';
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, n, out, 1), ERR_PROTO);
	CHECK(msg_has("value of scope"));
	/* unknown parameters are capped too */
	n = (size_t)snprintf(h, sizeof h, "Foo bar=\"");
	memset(h + n, 'x', AUTH_VALUE_MAX + 1);
	n += AUTH_VALUE_MAX + 1;
	h[n++] = '"';
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, n, out, 1), ERR_PROTO);
	CHECK(msg_has("value of bar"));
	/* scheme and parameter names */
	memset(h, 'B', AUTH_NAME_MAX + 1);
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, AUTH_NAME_MAX + 1, out, 1), ERR_PROTO);
	CHECK(msg_has("auth scheme at offset 0 longer than 64"));
	n = (size_t)snprintf(h, sizeof h, "Bearer ");
	memset(h + n, 'p', AUTH_NAME_MAX + 1);
	n += AUTH_NAME_MAX + 1;
	memcpy(h + n, "=1", 2);
	n += 2;
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, n, out, 1), ERR_PROTO);
	CHECK(msg_has("parameter name at offset 7 longer than 64"));
	/* too many challenges, too many parameters */
	for (n = 0, k = 0; k <= AUTH_CHALLENGES_MAX; k++)
		n += (size_t)snprintf(h + n, sizeof h - n, "Foo, ");
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, n, out, 1), ERR_PROTO);
	CHECK(msg_has("more than 16 challenges"));
	n = (size_t)snprintf(h, sizeof h, "Basic realm=x");
	for (k = 0; k < AUTH_PARAMS_MAX; k++)
		n += (size_t)snprintf(h + n, sizeof h - n, ", p%zu=1", k);
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, n, out, 1), ERR_PROTO);
	CHECK(msg_has("more than 32 parameters"));
	/* the whole value */
	memset(h, ' ', BOARD_HTTP_LINE_MAX + 1);
	err_clear();
	CHECK_EQ(auth_parse_challenges(h, BOARD_HTTP_LINE_MAX, out, 1), 0);
	CHECK_EQ(auth_parse_challenges(h, BOARD_HTTP_LINE_MAX + 1, out, 1),
	    ERR_PROTO);
	CHECK(msg_has("at most 8192"));
}

/*
 * Every prefix of every valid header parses to a count or ERR_PROTO,
 * never reads past its end, and never stores more than the full value.
 */
static void
test_challenges_every_prefix(void)
{
	size_t t, cut;

	for (t = 0; t < sizeof ch_ok / sizeof ch_ok[0]; t++) {
		size_t n = strlen(ch_ok[t].hdr);

		for (cut = 0; cut <= n; cut++) {
			struct auth_challenge out[4];
			char *h = exact(ch_ok[t].hdr, cut);
			int r;

			err_clear();
			r = auth_parse_challenges(h, cut, out, 4);
			CHECK(r == ERR_PROTO || (r >= 0 && r <= ch_ok[t].count));
			if (r == ERR_PROTO)
				CHECK(err_msg()[0] != '\0');
			free(h);
		}
	}
}

/* ---- base64 ---------------------------------------------------------- */

static const struct { const char *raw, *b64; } b64_kat[] = {
	/* RFC 4648 section 10 */
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	/* RFC 7617 example and the two high characters */
	{ "Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==" },
	{ "\xfb\xff\xbf", "+/+/" },
	{ "\x00\x00\x00", "AAAA" },
};

static void
test_b64_known_answers(void)
{
	size_t t;

	for (t = 0; t < sizeof b64_kat / sizeof b64_kat[0]; t++) {
		const char *raw = b64_kat[t].raw, *enc = b64_kat[t].b64;
		size_t rn = t == sizeof b64_kat / sizeof b64_kat[0] - 1 ? 3 :
		    strlen(raw), en = strlen(enc);
		char out[64], *in;
		unsigned char dec[64];

		memset(out, 'X', sizeof out);
		CHECK_EQ(auth_b64_encode(raw, rn, out, sizeof out), (long)en);
		CHECK_STR(out, enc);
		/* exact room works, one byte less does not */
		CHECK_EQ(auth_b64_encode(raw, rn, out, en + 1), (long)en);
		err_clear();
		CHECK_EQ(auth_b64_encode(raw, rn, out, en), ERR_NOMEM);
		CHECK(msg_has("base64"));

		in = exact(enc, en);
		CHECK_EQ(auth_b64_decode(in, en, dec, sizeof dec), (long)rn);
		CHECK(memcmp(dec, raw, rn) == 0);
		CHECK_EQ(auth_b64_decode(in, en, dec, rn), (long)rn);
		if (rn > 0) {
			err_clear();
			CHECK_EQ(auth_b64_decode(in, en, dec, rn - 1), ERR_NOMEM);
			CHECK(msg_has("longer than"));
		}
		free(in);
	}
}

static const struct { const char *in, *msg; } b64_bad[] = {
	{ "Zg=", "not a multiple of 4" },
	{ "Zm9", "not a multiple of 4" },
	{ "Z", "not a multiple of 4" },
	{ "Zm9vY", "not a multiple of 4" },
	{ "Zm 9v", "bad character 0x20 at offset 2" },
	{ "Zm9v\n", "bad character 0x0a at offset 4" },
	{ "Zm9-", "bad character 0x2d at offset 3" },
	{ "Zm9_", "bad character 0x5f at offset 3" },
	{ "Zm9\x80", "bad character 0x80 at offset 3" },
	{ "====", "'=' at offset 0" },
	{ "Z===", "'=' at offset 1" },
	{ "Zg=a", "data after '=' at offset 3" },
	{ "Zg==Zg==", "data after the padding at offset 4" },
	{ "Zm8=Zm9v", "data after the padding at offset 4" },
	{ "Zg==\n", "data after the padding at offset 4" },
	{ "Zh==", "non-zero bits before the padding at offset 0" },
	{ "Zm9=", "non-zero bits before the padding at offset 0" },
	{ "Zm9vZm9=", "non-zero bits before the padding at offset 4" },
};

static void
test_b64_invalid(void)
{
	size_t t;
	unsigned char dec[16];

	for (t = 0; t < sizeof b64_bad / sizeof b64_bad[0]; t++) {
		size_t n = strlen(b64_bad[t].in);
		char *in = exact(b64_bad[t].in, n);

		err_clear();
		CHECK_EQ(auth_b64_decode(in, n, dec, sizeof dec), ERR_FORMAT);
		CHECK(msg_has(b64_bad[t].msg));
		free(in);
	}
	/* a NUL inside the counted input is a bad character, not an end */
	err_clear();
	CHECK_EQ(auth_b64_decode("Zm\0v", 4, dec, sizeof dec), ERR_FORMAT);
	CHECK(msg_has("bad character 0x00 at offset 2"));
}

/* Every byte value round-trips, at every length 0..66. */
static void
test_b64_round_trip(void)
{
	unsigned char raw[256], back[256];
	char enc[400];
	size_t n, i;

	for (i = 0; i < sizeof raw; i++)
		raw[i] = (unsigned char)(255 - i);
	for (n = 0; n <= 66; n++) {
		long e = auth_b64_encode(raw + n, n, enc, sizeof enc);
		CHECK_EQ(e, (long)((n + 2) / 3 * 4));
		CHECK_EQ(auth_b64_decode(enc, (size_t)e, back, sizeof back), (long)n);
		CHECK(memcmp(back, raw + n, n) == 0);
	}
	CHECK_EQ(auth_b64_encode(raw, sizeof raw, enc, sizeof enc), 344);
	CHECK_EQ(auth_b64_decode(enc, 344, back, sizeof back), 256);
	CHECK(memcmp(back, raw, sizeof raw) == 0);
}

/* ---- Basic ----------------------------------------------------------- */

static void
test_basic(void)
{
	char out[64];

	CHECK_EQ(auth_basic("Aladdin", "open sesame", out, sizeof out), 34);
	CHECK_STR(out, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	/* a ':' in the password is fine */
	CHECK_EQ(auth_basic("alice", "pa:ss", out, sizeof out), 22);
	CHECK_STR(out, "Basic YWxpY2U6cGE6c3M=");
	/* empty password */
	CHECK_EQ(auth_basic("u", "", out, sizeof out), 10);
	CHECK_STR(out, "Basic dTo=");
	/* exact room, then one byte short */
	CHECK_EQ(auth_basic("u", "", out, 11), 10);
	err_clear();
	CHECK_EQ(auth_basic("u", "", out, 10), ERR_NOMEM);
	CHECK(msg_has("needs 5 bytes"));
	CHECK_EQ(auth_basic("u", "", out, 3), ERR_NOMEM);

	err_clear();
	CHECK_EQ(auth_basic("a:b", "pw", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("':' at offset 1"));
	err_clear();
	CHECK_EQ(auth_basic("a\nb", "pw", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("control character at offset 1"));
	err_clear();
	CHECK_EQ(auth_basic("ab", "p\rw", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("password has a control character at offset 1"));
	err_clear();
	CHECK_EQ(auth_basic("ab", "pw\x7f", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("password"));
	err_clear();
	CHECK_EQ(auth_basic("", "pw", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("empty user name"));
}

/* ---- config.json ----------------------------------------------------- */

#define HUB_AUTH "\"auth\": \"aHViOnNlY3JldA==\""          /* hub:secret */
#define LOCAL_AUTH "\"auth\": \"bG9jYWw6cHc1MDAw\""        /* local:pw5000 */

static const struct {
	const char *doc, *registry;
	int rc;
	const char *user, *pass, *msg;
} cfg[] = {
	/* Docker Hub, as docker login writes it, and the variants */
	{ "{\"auths\": {\"https://index.docker.io/v1/\": {" HUB_AUTH "}}}",
	  "docker.io", ERR_OK, "hub", "secret", NULL },
	{ "{\"auths\": {\"index.docker.io\": {" HUB_AUTH "}}}",
	  "docker.io", ERR_OK, "hub", "secret", NULL },
	{ "{\"auths\": {\"docker.io\": {" HUB_AUTH "}}}",
	  "docker.io", ERR_OK, "hub", "secret", NULL },
	{ "{\"auths\": {\"registry-1.docker.io\": {" HUB_AUTH "}}}",
	  "docker.io", ERR_OK, "hub", "secret", NULL },
	{ "{\"auths\": {\"https://registry-1.docker.io/v2/\": {" HUB_AUTH "}}}",
	  "docker.io", ERR_OK, "hub", "secret", NULL },
	{ "{\"auths\": {\"https://index.docker.io/v1/\": {" HUB_AUTH "}}}",
	  "registry-1.docker.io", ERR_OK, "hub", "secret", NULL },
	/* the canonical key wins over an earlier alias */
	{ "{\"auths\": {\"docker.io\": {" LOCAL_AUTH "},"
	  "\"https://index.docker.io/v1/\": {" HUB_AUTH "}}}",
	  "docker.io", ERR_OK, "hub", "secret", NULL },
	/* a hub key does not serve another registry, nor the reverse */
	{ "{\"auths\": {\"https://index.docker.io/v1/\": {" HUB_AUTH "}}}",
	  "ghcr.io", ERR_NOENT, "", "", NULL },
	{ "{\"auths\": {\"localhost:5000\": {" LOCAL_AUTH "}}}",
	  "docker.io", ERR_NOENT, "", "", NULL },
	/* localhost:5000 with and without scheme and path */
	{ "{\"auths\": {\"localhost:5000\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_OK, "local", "pw5000", NULL },
	{ "{\"auths\": {\"http://localhost:5000\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_OK, "local", "pw5000", NULL },
	{ "{\"auths\": {\"https://LocalHost:5000/v2/\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_OK, "local", "pw5000", NULL },
	{ "{\"auths\": {\"localhost:5000/\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_OK, "local", "pw5000", NULL },
	{ "{\"auths\": {\"localhost:5000/v1/\": {" LOCAL_AUTH "}}}",
	  "LOCALHOST:5000", ERR_OK, "local", "pw5000", NULL },
	{ "{\"auths\": {\"localhost:5000/other/\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_NOENT, "", "", NULL },
	{ "{\"auths\": {\"localhost\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_NOENT, "", "", NULL },
	{ "{\"auths\": {\"localhost:50000\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_NOENT, "", "", NULL },
	{ "{\"auths\": {\"ftp://localhost:5000\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_NOENT, "", "", NULL },
	/* exact key preferred over a scheme variant listed first */
	{ "{\"auths\": {\"http://localhost:5000\": {" HUB_AUTH "},"
	  "\"localhost:5000\": {" LOCAL_AUTH "}}}",
	  "localhost:5000", ERR_OK, "local", "pw5000", NULL },
	/* username/password fields; escapes decoded */
	{ "{\"auths\": {\"r.example\": {\"username\": \"bob\", "
	  "\"password\": \"p\\u00e4ss\\\"w\"}}}",
	  "r.example", ERR_OK, "bob", "p\xc3\xa4ss\"w", NULL },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"\", \"username\": \"bob\", "
	  "\"password\": \"pw\"}}}",
	  "r.example", ERR_OK, "bob", "pw", NULL },
	/* auth wins over username/password */
	{ "{\"auths\": {\"r.example\": {" LOCAL_AUTH ", \"username\": \"bob\", "
	  "\"password\": \"pw\"}}}",
	  "r.example", ERR_OK, "local", "pw5000", NULL },
	/* password may hold ':', "\/" escape in auth, non-ASCII password */
	{ "{\"auths\": {\"r.example\": {\"auth\": \"YWxpY2U6cGE6c3M=\"}}}",
	  "r.example", ERR_OK, "alice", "pa:ss", NULL },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"bWU6YT8\\/Yg==\"}}}",
	  "r.example", ERR_OK, "me", "a??b", NULL },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"dTr/\"}}}",
	  "r.example", ERR_OK, "u", "\xff", NULL },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"dTo=\"}}}",
	  "r.example", ERR_OK, "u", "", NULL },
	/* credsStore style entries and missing auths: not errors */
	{ "{\"auths\": {\"https://index.docker.io/v1/\": {}}, "
	  "\"credsStore\": \"desktop\"}", "docker.io", ERR_NOENT, "", "", NULL },
	{ "{\"credsStore\": \"secretservice\"}", "docker.io", ERR_NOENT, "", "", NULL },
	{ "{\"credHelpers\": {\"gcr.io\": \"gcloud\"}}", "gcr.io", ERR_NOENT, "", "", NULL },
	{ "{}", "docker.io", ERR_NOENT, "", "", NULL },
	{ "{\"auths\": {}}", "docker.io", ERR_NOENT, "", "", NULL },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"\"}}}", "r.example", ERR_NOENT,
	  "", "", NULL },
	/* unrelated broken entries do not matter */
	{ "{\"auths\": {\"other\": 5, \"r.example\": {\"auth\": \"dTo=\"}}}",
	  "r.example", ERR_OK, "u", "", NULL },
	/* malformed */
	{ "{\"auths\": {\"r.example\": {\"auth\": \"bm9jb2xvbg==\"}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"].auth: no ':'" },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"aHViOnNlY3JldA=\"}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"].auth: base64: length" },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"aHVi Om5l\"}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"].auth: base64: bad character 0x20 at offset 4" },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"aHViOn\\u0041l\"}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"].auth: JSON escape" },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"OnB3\"}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"].auth: empty user name" },
	{ "{\"auths\": {\"r.example\": {\"auth\": \"YQpiOmM=\"}}}",
	  "r.example", ERR_FORMAT, "", "", "decoded user name has a control character" },
	{ "{\"auths\": {\"r.example\": {\"auth\": 12}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"].auth is not a string" },
	{ "{\"auths\": {\"r.example\": \"x\"}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"] is not an object" },
	{ "{\"auths\": [\"r.example\"]}",
	  "r.example", ERR_FORMAT, "", "", "\"auths\" is not an object" },
	{ "[1]", "r.example", ERR_FORMAT, "", "", "top level is not an object" },
	{ "{\"auths\": {\"r.example\": {}", "r.example", ERR_FORMAT, "", "",
	  "config.json: JSON ends early" },
	{ "{\"auths\": {\"r.example\": {" LOCAL_AUTH "}}} x", "r.example", ERR_FORMAT,
	  "", "", "not valid JSON (near byte 55)" },
	{ "{\"auths\": {\"r.example\": {" LOCAL_AUTH "}, \"r.example\": {" HUB_AUTH "}}}",
	  "r.example", ERR_FORMAT, "", "", "auths has the key \"r.example\" twice" },
	{ "{\"auths\": {\"docker.io\": {" LOCAL_AUTH "}, \"docker.io\": {" HUB_AUTH "}}}",
	  "docker.io", ERR_FORMAT, "", "", "key \"docker.io\" twice" },
	{ "{\"auths\": {}, \"auths\": {}}", "r.example", ERR_FORMAT, "", "",
	  "duplicate key \"auths\"" },
	{ "{\"auths\": {\"r.example\": {" LOCAL_AUTH "," LOCAL_AUTH "}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"]: duplicate key \"auth\"" },
	{ "{\"auths\": {\"r.example\": {\"username\": \"bob\"}}}",
	  "r.example", ERR_FORMAT, "", "", "has username without password" },
	{ "{\"auths\": {\"r.example\": {\"username\": \"\", \"password\": \"x\"}}}",
	  "r.example", ERR_FORMAT, "", "", "username is empty" },
	{ "{\"auths\": {\"r.example\": {\"username\": \"b\\nb\", \"password\": \"x\"}}}",
	  "r.example", ERR_FORMAT, "", "", "username has a control character at offset 1" },
	{ "{\"auths\": {\"r.example\": {\"username\": \"b\", \"password\": 1}}}",
	  "r.example", ERR_FORMAT, "", "", "auths[\"r.example\"].password is not a string" },
};

static void
test_config_table(void)
{
	size_t t;

	for (t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
		char user[32], pass[32];
		size_t n = strlen(cfg[t].doc);
		char *d = exact(cfg[t].doc, n);
		int r;

		memset(user, 'U', sizeof user);
		memset(pass, 'P', sizeof pass);
		err_clear();
		r = auth_config_lookup(d, n, tok, 256, cfg[t].registry, user,
		    sizeof user, pass, sizeof pass);
		if (r != cfg[t].rc)
			fprintf(stderr, "  case %zu: %d (%s)\n", t, r, err_msg());
		CHECK_EQ(r, cfg[t].rc);
		CHECK_STR(user, cfg[t].user);
		CHECK_STR(pass, cfg[t].pass);
		if (cfg[t].msg != NULL) {
			CHECK(msg_has(cfg[t].msg));
			CHECK(msg_has("config.json"));
		} else {
			CHECK_STR(err_msg(), "");
		}
		free(d);
	}
}

static void
test_config_caps(void)
{
	const char *doc = "{\"auths\": {\"r.example\": {" LOCAL_AUTH "}}}";
	const char *doc2 = "{\"auths\": {\"r.example\": {\"username\": \"local\","
	    " \"password\": \"pw5000\"}}}";
	char user[8], pass[8];

	/* "local" needs 6 bytes, "pw5000" 7 */
	CHECK_EQ(auth_config_lookup(doc, strlen(doc), tok, 256, "r.example",
	    user, 6, pass, 7), ERR_OK);
	CHECK_STR(user, "local");
	CHECK_STR(pass, "pw5000");
	err_clear();
	CHECK_EQ(auth_config_lookup(doc, strlen(doc), tok, 256, "r.example",
	    user, 5, pass, 7), ERR_NOMEM);
	CHECK(msg_has("user name longer than 4 bytes"));
	CHECK_EQ(user[0], '\0');
	err_clear();
	CHECK_EQ(auth_config_lookup(doc, strlen(doc), tok, 256, "r.example",
	    user, 6, pass, 6), ERR_NOMEM);
	CHECK(msg_has("password longer than 5 bytes"));
	CHECK_EQ(user[0], '\0');
	CHECK_EQ(pass[0], '\0');
	err_clear();
	CHECK_EQ(auth_config_lookup(doc2, strlen(doc2), tok, 256, "r.example",
	    user, 8, pass, 6), ERR_NOMEM);
	CHECK(msg_has("auths[\"r.example\"].password longer than 5 bytes"));
	/* too few tokens */
	err_clear();
	CHECK_EQ(auth_config_lookup(doc, strlen(doc), tok, 4, "r.example",
	    user, 8, pass, 8), ERR_NOMEM);
	CHECK(msg_has("more than 4 JSON tokens"));
	/* bad registry argument */
	err_clear();
	CHECK_EQ(auth_config_lookup(doc, strlen(doc), tok, 256, "",
	    user, 8, pass, 8), ERR_USAGE);
}

static void
test_config_helper(void)
{
	static const struct {
		const char *doc, *registry;
		int rc;
		const char *name;
	} h[] = {
		{ "{\"credsStore\": \"desktop\"}", "docker.io", 1, "desktop" },
		{ "{\"credsStore\": \"\"}", "docker.io", 0, "" },
		{ "{\"credHelpers\": {\"gcr.io\": \"gcloud\"}}", "gcr.io", 1, "gcloud" },
		{ "{\"credHelpers\": {\"https://gcr.io\": \"gcloud\"}}", "GCR.io", 1, "gcloud" },
		{ "{\"credHelpers\": {\"gcr.io\": \"gcloud\"}}", "ghcr.io", 0, "" },
		{ "{\"credHelpers\": {\"index.docker.io\": \"x\"}}", "docker.io", 1, "x" },
		{ "{\"auths\": {}}", "docker.io", 0, "" },
		/* docker's order: credHelpers[registry], then credsStore */
		{ "{\"credsStore\": \"pass\", \"credHelpers\": {\"r.example\": "
		  "\"ecr-login\"}}", "r.example", 1, "ecr-login" },
		{ "{\"credsStore\": \"pass\", \"credHelpers\": {\"r.example\": "
		  "\"ecr-login\"}}", "other.example", 1, "pass" },
		{ "{\"credsStore\": \"pass\", \"credHelpers\": {\"r.example\": "
		  "\"\"}}", "r.example", 1, "pass" },
		{ "{\"credHelpers\": {\"a\": \"x\", \"a\": \"y\"}}", "a", ERR_FORMAT, "" },
		{ "{\"credsStore\": \"a\", \"credsStore\": \"b\"}", "a", ERR_FORMAT, "" },
		/* a name that would leave PATH's directories, or not text */
		{ "{\"credsStore\": \"../../bin/sh\"}", "a", ERR_FORMAT, "" },
		{ "{\"credHelpers\": {\"a\": \"x y\"}}", "a", ERR_FORMAT, "" },
		{ "{\"credsStore\": 1}", "a", ERR_FORMAT, "" },
		{ "{\"credHelpers\": []}", "a", ERR_FORMAT, "" },
	};
	char name[64];
	size_t t;

	for (t = 0; t < sizeof h / sizeof h[0]; t++) {
		err_clear();
		CHECK_EQ(auth_config_helper(h[t].doc, strlen(h[t].doc), tok, 256,
		    h[t].registry, name, sizeof name), h[t].rc);
		if (h[t].rc >= 0)
			CHECK_STR(name, h[t].name);
	}
	err_clear();
	CHECK_EQ(auth_config_helper("{\"credsStore\": \"abcdefgh\"}", 26, tok, 256,
	    "a", name, 8), ERR_FORMAT);
	CHECK(msg_has("longer than 7 bytes"));
}

static void
test_helper_server(void)
{
	char out[64];

	CHECK_EQ(auth_helper_server("docker.io", out, sizeof out), 27);
	CHECK_STR(out, "https://index.docker.io/v1/");
	CHECK_EQ(auth_helper_server("registry-1.docker.io", out, sizeof out), 27);
	CHECK_EQ(auth_helper_server("localhost:5000", out, sizeof out), 14);
	CHECK_STR(out, "localhost:5000");
	CHECK_EQ(auth_helper_server("localhost:5000", out, 14), ERR_NOMEM);
}

static void
test_helper_reply(void)
{
	static const struct {
		const char *out;
		int status, rc;
		const char *user, *pass, *msg;
	} h[] = {
		{ "{\"ServerURL\":\"r.example\",\"Username\":\"alice\",\"Secret\":"
		  "\"s3cr\\u0065t\"}\n", 0, ERR_OK, "alice", "s3cret", NULL },
		{ "credentials not found in native keychain\n", 1, ERR_NOENT, "", "", NULL },
		{ "  credentials not found in native keychain", 1, ERR_NOENT, "", "", NULL },
		{ "{\"Username\":\"\",\"Secret\":\"\"}", 0, ERR_NOENT, "", "", NULL },
		{ "error getting credentials: boom\n", 1, ERR_AUTH, "", "",
		  "exited with status 1: error getting credentials: boom" },
		{ "", 3, ERR_AUTH, "", "", "status 3: (no output)" },
		{ "{\"Username\":\"<token>\",\"Secret\":\"refresh\"}", 0, ERR_AUTH,
		  "", "", "identity token" },
		{ "{\"Username\":\"alice\"}", 0, ERR_AUTH, "", "", "no string \"Secret\"" },
		{ "{\"Username\":\"alice\",\"Secret\":1}", 0, ERR_AUTH, "", "", "\"Secret\"" },
		{ "{\"Username\":\"a:b\",\"Secret\":\"x\"}", 0, ERR_AUTH, "", "", "':'" },
		{ "{\"Username\":\"a\\nb\",\"Secret\":\"x\"}", 0, ERR_AUTH, "", "",
		  "control character" },
		{ "[\"alice\"]", 0, ERR_AUTH, "", "", "not a JSON object" },
		{ "{\"Username\":", 0, ERR_AUTH, "", "", "docker-credential-t: reply" },
	};
	char user[16], pass[16];
	size_t t;

	for (t = 0; t < sizeof h / sizeof h[0]; t++) {
		err_clear();
		memset(user, 'x', sizeof user);
		memset(pass, 'x', sizeof pass);
		CHECK_EQ(auth_helper_reply(h[t].out, strlen(h[t].out), h[t].status,
		    tok, 256, "docker-credential-t", user, sizeof user, pass,
		    sizeof pass), h[t].rc);
		CHECK_STR(user, h[t].user);
		CHECK_STR(pass, h[t].pass);
		if (h[t].msg != NULL)
			CHECK(msg_has(h[t].msg));
		if (h[t].rc != ERR_OK) {
			CHECK_EQ(user[sizeof user - 1], 0);
			CHECK_EQ(pass[sizeof pass - 1], 0);
		}
	}
	/* a secret longer than the caller's room: refused, wiped */
	err_clear();
	CHECK_EQ(auth_helper_reply("{\"Username\":\"a\",\"Secret\":"
	    "\"0123456789abcdefXYZ\"}", 47, 0, tok, 256, "t", user, sizeof user,
	    pass, sizeof pass), ERR_AUTH);
	CHECK(msg_has("\"Secret\" longer than 15 bytes"));
	CHECK_EQ(pass[0], 0);
}

/* ---- token reply ----------------------------------------------------- */

#define JWT "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhdXRoLmRvY2tlci5pbyJ9.c2ln-_"

static const struct {
	const char *doc;
	int rc;
	const char *token;
	uint32_t expires;
	const char *msg;
} tr[] = {
	/* Docker Hub sends both, equal */
	{ "{\"token\":\"" JWT "\",\"access_token\":\"" JWT "\",\"expires_in\":300,"
	  "\"issued_at\":\"2024-01-01T00:00:00.000000000Z\"}", ERR_OK, JWT, 300, NULL },
	/* GHCR: token only, no expires_in */
	{ "{\"token\":\"djE6dXNlci9pbWFnZToxNzAwMDAwMDAwMDAw\"}", ERR_OK,
	  "djE6dXNlci9pbWFnZToxNzAwMDAwMDAwMDAw", 60, NULL },
	/* OAuth style: access_token only */
	{ "{\"access_token\":\"abc.def.ghi\",\"expires_in\":3600,\"scope\":\"x\"}",
	  ERR_OK, "abc.def.ghi", 3600, NULL },
	/* both, different: "token" wins */
	{ "{\"access_token\":\"aaa\",\"token\":\"bbb\"}", ERR_OK, "bbb", 60, NULL },
	/* empty token falls back to access_token */
	{ "{\"token\":\"\",\"access_token\":\"ccc\"}", ERR_OK, "ccc", 60, NULL },
	/* expires_in below the minimum is raised */
	{ "{\"token\":\"t\",\"expires_in\":0}", ERR_OK, "t", 60, NULL },
	{ "{\"token\":\"t\",\"expires_in\":59}", ERR_OK, "t", 60, NULL },
	{ "{\"token\":\"t\",\"expires_in\":61}", ERR_OK, "t", 61, NULL },
	{ "{\"token\":\"t\",\"expires_in\":4294967295}", ERR_OK, "t", 4294967295u, NULL },
	/* token68 with padding and all its characters, "\/" escape */
	{ "{\"token\":\"aZ09-._~+\\/==\"}", ERR_OK, "aZ09-._~+/==", 60, NULL },
	/* refused */
	{ "{\"token\":\"\"}", ERR_PROTO, "", 0, "the token is empty" },
	{ "{\"token\":\"\",\"access_token\":\"\"}", ERR_PROTO, "", 0, "the token is empty" },
	{ "{\"expires_in\":300}", ERR_PROTO, "", 0, "neither \"token\" nor \"access_token\"" },
	{ "{\"token\":\"a b\"}", ERR_PROTO, "", 0, "character 0x20 at offset 1" },
	{ "{\"token\":\"ab\\r\\nX-Evil: 1\"}", ERR_PROTO, "", 0, "character 0x0d at offset 2" },
	{ "{\"token\":\"ab=c\"}", ERR_PROTO, "", 0, "character 0x63 at offset 3" },
	{ "{\"token\":\"=abc\"}", ERR_PROTO, "", 0, "character 0x3d at offset 0" },
	{ "{\"token\":\"a\\u00e9\"}", ERR_PROTO, "", 0, "character 0xc3 at offset 1" },
	{ "{\"token\":5}", ERR_PROTO, "", 0, "\"token\" is not a string" },
	{ "{\"token\":\"a\",\"access_token\":null}", ERR_PROTO, "", 0,
	  "\"access_token\" is not a string" },
	{ "{\"token\":\"t\",\"expires_in\":\"300\"}", ERR_PROTO, "", 0, "\"expires_in\" at byte 27" },
	{ "{\"token\":\"t\",\"expires_in\":300.5}", ERR_PROTO, "", 0, "not an integer" },
	{ "{\"token\":\"t\",\"expires_in\":-1}", ERR_PROTO, "", 0, "not an integer" },
	{ "{\"token\":\"t\",\"expires_in\":3e2}", ERR_PROTO, "", 0, "not an integer" },
	{ "{\"token\":\"t\",\"expires_in\":4294967296}", ERR_PROTO, "", 0, "not an integer" },
	{ "{\"token\":\"t\",\"token\":\"u\"}", ERR_PROTO, "", 0, "duplicate key \"token\"" },
	{ "{\"token\":\"t\"", ERR_PROTO, "", 0, "JSON ends early" },
	{ "{\"token\":\"t\"}garbage", ERR_PROTO, "", 0, "not valid JSON (near byte 13)" },
	{ "[\"t\"]", ERR_PROTO, "", 0, "not a JSON object" },
	{ "<html>401</html>", ERR_PROTO, "", 0, "token reply" },
};

static void
test_token_reply_table(void)
{
	size_t t;

	for (t = 0; t < sizeof tr / sizeof tr[0]; t++) {
		char token[256];
		uint32_t exp = 12345;
		size_t n = strlen(tr[t].doc);
		char *d = exact(tr[t].doc, n);
		int r;

		memset(token, 'T', sizeof token);
		err_clear();
		r = auth_token_reply(d, n, tok, 256, token, sizeof token, &exp);
		if (r != tr[t].rc)
			fprintf(stderr, "  case %zu: %d (%s)\n", t, r, err_msg());
		CHECK_EQ(r, tr[t].rc);
		CHECK_STR(token, tr[t].token);
		if (r == ERR_OK) {
			CHECK_EQ(exp, tr[t].expires);
			CHECK_STR(err_msg(), "");
		} else {
			CHECK(msg_has(tr[t].msg));
		}
		free(d);
	}
}

static void
test_token_reply_caps(void)
{
	const char *doc = "{\"token\":\"abcdef\"}";
	char token[8];
	uint32_t exp;

	CHECK_EQ(auth_token_reply(doc, strlen(doc), tok, 256, token, 7, &exp),
	    ERR_OK);
	CHECK_STR(token, "abcdef");
	err_clear();
	memset(token, 'T', sizeof token);
	CHECK_EQ(auth_token_reply(doc, strlen(doc), tok, 256, token, 6, &exp),
	    ERR_NOMEM);
	CHECK(msg_has("token longer than 5 bytes"));
	CHECK(memcmp(token, "\0\0\0\0\0\0TT", 8) == 0);
	err_clear();
	CHECK_EQ(auth_token_reply(doc, strlen(doc), tok, 2, token, 8, &exp),
	    ERR_NOMEM);
	CHECK(msg_has("more than 2 JSON tokens"));
	err_clear();
	CHECK_EQ(auth_token_reply(doc, BOARD_JSON_MAX + 1u, tok, 256, token, 8,
	    &exp), ERR_NOMEM);
	CHECK(msg_has("BOARD_JSON_MAX"));
}

/* ---- scope and routing ----------------------------------------------- */

static void
test_scope(void)
{
	char out[300], big[300];

	CHECK_EQ(auth_scope("library/nginx", out, sizeof out), 29);
	CHECK_STR(out, "repository:library/nginx:pull");
	CHECK_EQ(auth_scope("a", out, 18), 17);
	CHECK_STR(out, "repository:a:pull");
	err_clear();
	CHECK_EQ(auth_scope("a", out, 17), ERR_NOMEM);
	CHECK(msg_has("needs 18 bytes, have 17"));
	err_clear();
	CHECK_EQ(auth_scope("", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("0 characters"));
	err_clear();
	CHECK_EQ(auth_scope("Library/nginx", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("character 0x4c at offset 0"));
	err_clear();
	CHECK_EQ(auth_scope("a:b", out, sizeof out), ERR_USAGE);
	CHECK(msg_has("0x3a at offset 1"));
	err_clear();
	CHECK_EQ(auth_scope("a b", out, sizeof out), ERR_USAGE);
	CHECK_EQ(auth_scope("/a", out, sizeof out), ERR_USAGE);
	CHECK_EQ(auth_scope("a/", out, sizeof out), ERR_USAGE);
	memset(big, 'a', 255);
	big[255] = '\0';
	CHECK_EQ(auth_scope(big, out, sizeof out), 271);
	big[255] = 'a';
	big[256] = '\0';
	CHECK_EQ(auth_scope(big, out, sizeof out), ERR_USAGE);
}

static void
test_may_send(void)
{
	CHECK_EQ(auth_may_send(1, "registry.example", 443, 1, "registry.example", 443), 1);
	CHECK_EQ(auth_may_send(1, "Registry.Example", 443, 1, "registry.EXAMPLE", 443), 1);
	CHECK_EQ(auth_may_send(0, "localhost", 5000, 0, "localhost", 5000), 1);
	CHECK_EQ(auth_may_send(0, "localhost", 5000, 1, "localhost", 5000), 1);
	/* https registry, plain http target: never */
	CHECK_EQ(auth_may_send(1, "registry.example", 443, 0, "registry.example", 443), 0);
	/* other host: a blob redirect to a CDN must not get credentials */
	CHECK_EQ(auth_may_send(1, "registry-1.docker.io", 443, 1,
	    "production.cloudflare.docker.com", 443), 0);
	CHECK_EQ(auth_may_send(1, "registry.example", 443, 1, "registry.example.evil", 443), 0);
	CHECK_EQ(auth_may_send(1, "registry.example", 443, 1, "egistry.example", 443), 0);
	/* other port */
	CHECK_EQ(auth_may_send(1, "registry.example", 443, 1, "registry.example", 8443), 0);
	CHECK_EQ(auth_may_send(1, "registry.example", 0, 1, "registry.example", 0), 0);
	CHECK_EQ(auth_may_send(1, "", 443, 1, "", 443), 0);
	CHECK_EQ(auth_may_send(1, NULL, 443, 1, "registry.example", 443), 0);
	CHECK_EQ(auth_may_send(1, "registry.example", 443, 1, NULL, 443), 0);
}

/* The realm named by the registry's own 401 (issue 13). */
static void
test_realm_may_send(void)
{
	/* https registry: an https realm on any host, as docker does */
	CHECK_EQ(auth_realm_may_send(1, "registry.gitlab.com", 1, "gitlab.com"), 1);
	CHECK_EQ(auth_realm_may_send(1, "registry-1.docker.io", 1, "auth.docker.io"), 1);
	CHECK_EQ(auth_realm_may_send(1, "127.0.0.1", 1, "127.0.0.2"), 1);
	/* never a plain http realm, not even on the same host */
	CHECK_EQ(auth_realm_may_send(1, "registry.example", 0, "registry.example"), 0);
	CHECK_EQ(auth_realm_may_send(1, "registry.example", 0, "auth.example"), 0);
	/* plain http registry: its own host only, any scheme */
	CHECK_EQ(auth_realm_may_send(0, "localhost", 0, "LOCALHOST"), 1);
	CHECK_EQ(auth_realm_may_send(0, "localhost", 1, "localhost"), 1);
	CHECK_EQ(auth_realm_may_send(0, "127.0.0.1", 0, "127.0.0.2"), 0);
	CHECK_EQ(auth_realm_may_send(0, "127.0.0.1", 1, "127.0.0.2"), 0);
	CHECK_EQ(auth_realm_may_send(1, "", 1, "x"), 0);
	CHECK_EQ(auth_realm_may_send(1, "x", 1, ""), 0);
	CHECK_EQ(auth_realm_may_send(1, NULL, 1, "x"), 0);
}

int
main(void)
{
	UNIT_RUN(test_challenges_real_world);
	UNIT_RUN(test_challenges_max);
	UNIT_RUN(test_challenges_malformed);
	UNIT_RUN(test_challenges_caps);
	UNIT_RUN(test_challenges_every_prefix);
	UNIT_RUN(test_b64_known_answers);
	UNIT_RUN(test_b64_invalid);
	UNIT_RUN(test_b64_round_trip);
	UNIT_RUN(test_basic);
	UNIT_RUN(test_config_table);
	UNIT_RUN(test_config_caps);
	UNIT_RUN(test_config_helper);
	UNIT_RUN(test_helper_server);
	UNIT_RUN(test_helper_reply);
	UNIT_RUN(test_token_reply_table);
	UNIT_RUN(test_token_reply_caps);
	UNIT_RUN(test_scope);
	UNIT_RUN(test_may_send);
	UNIT_RUN(test_realm_may_send);
	return UNIT_END();
}
