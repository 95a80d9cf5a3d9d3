/* test_hosts.c: --mirror arguments and the hosts.toml subset (hosts.h). */
#include "unit.h"
#include "err.h"
#include "hosts.h"

static struct hosts h;

static int
parse(const char *text)
{
	hosts_init(&h);
	err_clear();
	return hosts_parse(&h, text, strlen(text), "/etc/d/reg:5000/hosts.toml");
}

/* The text fails with a message holding want (file, line and key). */
static void
refused(const char *text, const char *want)
{
	int rc = parse(text);

	CHECK_EQ(rc, ERR_USAGE);
	if (strstr(err_msg(), want) == NULL) {
		unit_failed_checks++;
		fprintf(stderr, "  for %s\n  message \"%s\" lacks \"%s\"\n", text,
		    err_msg(), want);
	}
}

static void
test_flag_forms(void)
{
	hosts_init(&h);
	CHECK_EQ(hosts_add_flag(&h, "mirror.example.com"), ERR_OK);
	CHECK_EQ(hosts_add_flag(&h, "http://127.0.0.1:5001"), ERR_OK);
	CHECK_EQ(hosts_add_flag(&h, "https://[::1]:5002/proxy/hub/"), ERR_OK);
	CHECK_EQ(h.n, 3);
	CHECK_STR(h.m[0].name, "mirror.example.com");
	CHECK_EQ(h.m[0].https, 1);
	CHECK_EQ(h.m[0].port, 443);
	CHECK_STR(h.m[0].root, "/v2");
	CHECK_STR(h.m[0].prefix, "");
	CHECK_EQ(h.m[0].caps, MIRROR_PULL);
	CHECK_STR(h.m[1].name, "127.0.0.1:5001");
	CHECK_EQ(h.m[1].https, 0);
	CHECK_EQ(h.m[1].port, 5001);
	CHECK_STR(h.m[2].host, "::1");
	CHECK_STR(h.m[2].name, "[::1]:5002");
	CHECK_STR(h.m[2].prefix, "proxy/hub");
	CHECK_STR(h.m[2].from, "--mirror");
}

static void
test_flag_refused(void)
{
	static const char *bad[] = {
		"ftp://x", "http://", "host:0", "host:70000", "user@host",
		"host/Upper", "host/a//b", "host/a?x=1", "host name",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hosts_init(&h);
		err_clear();
		CHECK_EQ(hosts_add_flag(&h, bad[i]), ERR_USAGE);
		CHECK(strstr(err_msg(), "--mirror") != NULL);
		CHECK_EQ(h.n, 0);
	}
	hosts_init(&h);
	for (i = 0; i < BOARD_MIRRORS_MAX; i++)
		CHECK_EQ(hosts_add_flag(&h, "m.example"), ERR_OK);
	err_clear();
	CHECK_EQ(hosts_add_flag(&h, "m.example"), ERR_USAGE);
	CHECK(strstr(err_msg(), "at most") != NULL);
}

static void
test_toml_full(void)
{
	static const char text[] =
	    "# containerd's example, the subset ocipull reads\n"
	    "server = \"http://127.0.0.1:5000\"\n"
	    "\n"
	    "[host.\"https://mirror.example.com\"]\n"
	    "  capabilities = [\"pull\", \"resolve\"]   # tags too\n"
	    "  ca = \"mirror-ca.pem\"\n"
	    "  skip_verify = false\n"
	    "[host.'http://127.0.0.1:5001/us']\r\n"
	    "  capabilities = [ 'pull', ]\r\n"
	    "[host.\"https://harbor.local/v2/hub-proxy\"]\n"
	    "  override_path = true\n"
	    "  skip_verify = true\n"
	    "  ca = \"/abs/ca.pem\"\n"
	    "[host.\"https://push.example.com\"]\n"
	    "  capabilities = [\"push\"]\n";

	CHECK_EQ(parse(text), ERR_OK);
	CHECK_EQ(h.has_server, 1);
	CHECK_EQ(h.server.https, 0);
	CHECK_STR(h.server.host, "127.0.0.1");
	CHECK_EQ(h.server.port, 5000);
	CHECK_EQ(h.n, 4);
	CHECK_EQ(h.m[0].caps, MIRROR_PULL | MIRROR_RESOLVE);
	CHECK_STR(h.m[0].ca, "/etc/d/reg:5000/mirror-ca.pem");
	CHECK_STR(h.m[0].root, "/v2");
	CHECK_STR(h.m[0].from, "/etc/d/reg:5000/hosts.toml:4");
	CHECK_EQ(h.m[1].https, 0);
	CHECK_EQ(h.m[1].caps, MIRROR_PULL);
	CHECK_STR(h.m[1].root, "/us/v2");
	CHECK_STR(h.m[2].root, "/v2/hub-proxy");
	CHECK_EQ(h.m[2].skip_verify, 1);
	CHECK_STR(h.m[2].ca, "/abs/ca.pem");
	CHECK_EQ(h.m[2].caps, MIRROR_PULL);     /* ocipull's default */
	CHECK_EQ(h.m[3].caps, 0);               /* push only: never used */
	/* After --mirror's, in the file's order. */
	hosts_init(&h);
	CHECK_EQ(hosts_add_flag(&h, "first.example"), ERR_OK);
	CHECK_EQ(hosts_parse(&h, text, strlen(text), "f"), ERR_OK);
	CHECK_EQ(h.n, 5);
	CHECK_STR(h.m[0].name, "first.example");
	CHECK_STR(h.m[1].name, "mirror.example.com");
	CHECK_STR(h.m[1].ca, "mirror-ca.pem");  /* no directory in "f" */
	CHECK_EQ(parse(""), ERR_OK);
	CHECK_EQ(h.n, 0);
	CHECK_EQ(parse("# only a comment"), ERR_OK);
}

static void
test_toml_errors(void)
{
	const char *f = "/etc/d/reg:5000/hosts.toml:";
	char want[200];

	snprintf(want, sizeof want, "%s2: unknown key \"dial_timeout\"", f);
	refused("[host.\"https://m\"]\ndial_timeout = \"3s\"\n", want);
	snprintf(want, sizeof want, "%s1: unknown key \"skip_verify\" at the top", f);
	refused("skip_verify = true\n", want);
	refused("[host.\"https://m\".header]\n", ":1: unknown table");
	refused("[[registry]]\nprefix = \"x\"\n", ":1: unknown table");
	refused("[registry]\n", ":1: unknown table");
	refused("[host.\"https://m\"]\ncapabilities = [\"pull\",\n\"resolve\"]\n",
	    ":2: capabilities: the array must end on its line");
	refused("[host.\"https://m\"]\ncapabilities = [\"pull\", \"mirror\"]\n",
	    ":2: unknown capability \"mirror\"");
	refused("[host.\"https://m\"]\ncapabilities = \"pull\"\n",
	    ":2: capabilities takes an array");
	refused("[host.\"https://m\"]\nskip_verify = yes\n",
	    ":2: skip_verify takes true or false");
	refused("[host.\"https://m\"]\nskip_verify = true false\n",
	    ":2: unexpected \"false\"");
	refused("[host.\"https://m\"]\nca = \"a\\nb\"\n", ":2: escapes");
	refused("[host.\"https://m\"]\nca = [\"a\", \"b\"]\n", ":2: ca: give one");
	refused("[host.\"https://m\"]\nca = \"a\n", ":2: a string without its "
	    "closing quote");
	refused("[host.\"https://m\"]\nskip_verify = true\nskip_verify = false\n",
	    ":3: key \"skip_verify\" given twice");
	refused("[host.\"https://m\"]\n[host.\"https://m\"]\n",
	    ":2: host \"https://m\" given twice");
	refused("[host.\"ftp://m\"]\n", ":1: [host]: \"ftp://m\"");
	refused("server = \"https://r/v2\"\n", ":1: server");
	refused("server = \"https://r\"\nserver = \"https://s\"\n",
	    ":2: key \"server\" given twice");
	refused("x\n", ":1: expected '=' after \"x\"");
	refused("= 1\n", ":1: expected KEY = VALUE");
	refused("[host.\"https://m\"]\noverride_path = 1\n",
	    ":2: override_path takes true or false");
	refused("\n\n[host.\"https://m\"]\nca = \"\"\n", ":4: ca: empty");
	{
		char many[2048] = "";
		size_t k;
		for (k = 0; k <= BOARD_MIRRORS_MAX; k++) {
			char line[64];
			snprintf(line, sizeof line, "[host.\"https://m%zu\"]\n", k);
			strcat(many, line);
		}
		snprintf(want, sizeof want, ":%u: more than %u mirrors",
		    BOARD_MIRRORS_MAX + 1, BOARD_MIRRORS_MAX);
		refused(many, want);
	}
}

/* Every prefix of a good file either parses or fails with a line
 * number, never reads past its end (ASan). */
static void
test_toml_prefixes(void)
{
	static const char text[] =
	    "server = \"https://r.example\"\n"
	    "[host.\"http://127.0.0.1:5001\"]\n"
	    "  capabilities = [\"pull\", \"resolve\"]\n"
	    "  skip_verify = true\n";
	size_t n;

	for (n = 0; n <= sizeof text - 1; n++) {
		char *copy = malloc(n + 1);
		int rc;
		memcpy(copy, text, n);
		hosts_init(&h);
		err_clear();
		rc = hosts_parse(&h, copy, n, "f");
		CHECK(rc == ERR_OK || (rc == ERR_USAGE && strncmp(err_msg(), "f:", 2) == 0));
		free(copy);
	}
}

int
main(void)
{
	UNIT_RUN(test_flag_forms);
	UNIT_RUN(test_flag_refused);
	UNIT_RUN(test_toml_full);
	UNIT_RUN(test_toml_errors);
	UNIT_RUN(test_toml_prefixes);
	return unit_failed != 0;
}
