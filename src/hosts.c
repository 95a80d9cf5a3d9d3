/*
 * hosts.c: --mirror arguments and the hosts.toml subset (see hosts.h).
 *
 * The file is read a line at a time: a comment, a table header
 * [host."URL"], or KEY = VALUE where VALUE is a string ("..." without
 * escapes, or '...'), true, false, or an array of strings on one line.
 */
#include "hosts.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "http_url.h"
#include "lex.h"
#include "port.h"

void
hosts_init(struct hosts *h)
{
	memset(h, 0, sizeof *h);
}

/* A repository prefix: lower-case letters, digits, '.', '_', '-' and
 * single '/' between components. */
static int
prefix_ok(const char *p)
{
	size_t i;

	if (p[0] == '\0')
		return 1;
	for (i = 0; p[i] != '\0'; i++) {
		int c = (unsigned char)p[i];
		if (c == '/' && (i == 0 || p[i + 1] == '\0' || p[i + 1] == '/'))
			return 0;
		if (!(c >= 'a' && c <= 'z') && !lex_is_digit(c) && c != '.' &&
		    c != '_' && c != '-' && c != '/')
			return 0;
	}
	return 1;
}

/*
 * "[scheme://]host[:port][/path]" into m's scheme, host, port and name,
 * and its path (no query, no trailing '/') into path. what names it.
 */
static int
parse_url(const char *s, struct mirror_host *m, char *path, size_t cap,
    const char *what)
{
	static struct http_url u;      /* 8 KiB of target: not on the stack */
	char url[600];
	size_t n;

	if (strstr(s, "://") == NULL)
		snprintf(url, sizeof url, "https://%s", s);
	else
		snprintf(url, sizeof url, "%s", s);
	if (strlen(url) >= sizeof url - 1 || http_url_parse(url, &u) < 0) {
		err_clear();
		return err_set(ERR_USAGE, "%s: \"%s\" is not [http://|https://]HOST"
		    "[:PORT][/PATH]", what, s);
	}
	if (strchr(u.target, '?') != NULL)
		return err_set(ERR_USAGE, "%s: \"%s\" has a query", what, s);
	m->https = u.https;
	snprintf(m->host, sizeof m->host, "%s", u.host);
	m->port = u.port;
	if (http_url_host_header(&u, m->name, sizeof m->name) < 0)
		return err_set(ERR_USAGE, "%s: host name too long", what);
	n = strlen(u.target);
	while (n > 0 && u.target[n - 1] == '/')
		n--;
	if (n >= cap)
		return err_set(ERR_USAGE, "%s: path longer than %zu bytes", what,
		    cap - 1);
	memcpy(path, u.target, n);
	path[n] = '\0';
	return ERR_OK;
}

int
hosts_add_flag(struct hosts *h, const char *arg)
{
	struct mirror_host *m;
	char path[HOSTS_PATH_MAX];
	int rc;

	if (h->n == BOARD_MIRRORS_MAX)
		return err_set(ERR_USAGE, "--mirror %s: at most %u mirrors", arg,
		    (unsigned)BOARD_MIRRORS_MAX);
	m = &h->m[h->n];
	memset(m, 0, sizeof *m);
	rc = parse_url(arg, m, path, sizeof path, "--mirror");
	if (rc < 0)
		return rc;
	if (!prefix_ok(path[0] == '/' ? path + 1 : path))
		return err_set(ERR_USAGE, "--mirror %s: the prefix \"%s\" is not a "
		    "repository path (a-z 0-9 . _ - and /)", arg, path);
	snprintf(m->prefix, sizeof m->prefix, "%s", path[0] == '/' ? path + 1 : path);
	snprintf(m->root, sizeof m->root, "/v2");
	snprintf(m->from, sizeof m->from, "--mirror");
	m->caps = MIRROR_PULL;
	h->n++;
	return ERR_OK;
}

/* ---- hosts.toml ------------------------------------------------------------ */

/* Where the parser is, for messages. */
struct toml {
	struct hosts *h;
	const char *file;
	unsigned line;
	int cur;                       /* the [host] table's index, -1: top */
	unsigned seen;                 /* keys given in it: bit per KEY_* */
	unsigned override;             /* bit k: host k has override_path */
	char path[BOARD_MIRRORS_MAX][HOSTS_PATH_MAX]; /* each URL's path */
};

static int bad(const struct toml *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An error at the line the parser is on: "FILE:LINE: what". */
static int
bad(const struct toml *t, const char *fmt, ...)
{
	char m[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return err_set(ERR_USAGE, "%s:%u: %s", t->file, t->line, m);
}

/* How much of the line from p a message quotes (the line is no string). */
static int
quoted(const char *p, const char *end)
{
	return end - p < 40 ? (int)(end - p) : 40;
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && lex_is_ows((unsigned char)*p))
		p++;
	return p;
}

/* Nothing but white space and a comment is left on the line. */
static int
line_end(const struct toml *t, const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (p < end && *p != '#')
		return bad(t, "unexpected \"%.*s\" after the value", quoted(p, end), p);
	return ERR_OK;
}

/* A quoted string at *p into out; *p moves past it. */
static int
string(const struct toml *t, const char **p, const char *end, char *out,
    size_t cap)
{
	const char *s = *p;
	char q = s < end ? *s : '\0';
	size_t n = 0;

	if (q != '"' && q != '\'')
		return bad(t, "expected a quoted string at \"%.*s\"", quoted(s, end), s);
	for (s++; s < end && *s != q; s++) {
		if (q == '"' && *s == '\\')
			return bad(t, "escapes in strings are not supported");
		if (lex_is_ctl((unsigned char)*s) && *s != '\t')
			return bad(t, "a control character in a string");
		if (n + 1 >= cap)
			return bad(t, "a string longer than %zu bytes", cap - 1);
		out[n++] = *s;
	}
	if (s == end)
		return bad(t, "a string without its closing quote");
	out[n] = '\0';
	*p = s + 1;
	return ERR_OK;
}

/* The keys of a [host] table, a bit each in struct toml's seen. */
enum { KEY_CAPS = 1u, KEY_SKIP = 2u, KEY_CA = 4u, KEY_OVERRIDE = 8u };

/* true or false at p. */
static int
boolean(const struct toml *t, const char *p, const char *end, const char *key,
    int *out)
{
	if ((size_t)(end - p) >= 4 && memcmp(p, "true", 4) == 0) {
		*out = 1;
		return line_end(t, p + 4, end);
	}
	if ((size_t)(end - p) >= 5 && memcmp(p, "false", 5) == 0) {
		*out = 0;
		return line_end(t, p + 5, end);
	}
	return bad(t, "%s takes true or false", key);
}

/* capabilities = ["pull", "resolve", "push"] (push is accepted, unused). */
static int
capabilities(struct toml *t, const char *p, const char *end)
{
	struct mirror_host *m = &t->h->m[t->cur];
	char word[32];
	int rc;

	if (p >= end || *p != '[')
		return bad(t, "capabilities takes an array of strings on one line");
	m->caps = 0;
	for (p = skip_ws(p + 1, end); p < end && *p != ']';) {
		rc = string(t, &p, end, word, sizeof word);
		if (rc < 0)
			return rc;
		if (strcmp(word, "pull") == 0)
			m->caps |= MIRROR_PULL;
		else if (strcmp(word, "resolve") == 0)
			m->caps |= MIRROR_RESOLVE;
		else if (strcmp(word, "push") != 0)
			return bad(t, "unknown capability \"%s\" (pull, resolve or "
			    "push)", word);
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		else if (p < end && *p != ']')
			return bad(t, "expected ',' or ']' in capabilities at "
			    "\"%.*s\"", quoted(p, end), p);
	}
	if (p >= end)
		return bad(t, "capabilities: the array must end on its line");
	return line_end(t, p + 1, end);
}

/* `ca`: a file, relative to the hosts.toml's directory unless absolute. */
static int
ca_file(struct toml *t, const char *p, const char *end)
{
	struct mirror_host *m = &t->h->m[t->cur];
	char v[HOSTS_FILE_PATH_MAX];
	const char *slash = strrchr(t->file, '/');
	int rc, n;

	if (p < end && *p == '[')
		return bad(t, "ca: give one file as a string");
	rc = string(t, &p, end, v, sizeof v);
	if (rc == ERR_OK)
		rc = line_end(t, p, end);
	if (rc < 0)
		return rc;
	if (v[0] == '\0')
		return bad(t, "ca: empty file name");
	if (v[0] == '/' || slash == NULL)
		n = snprintf(m->ca, sizeof m->ca, "%s", v);
	else
		n = snprintf(m->ca, sizeof m->ca, "%.*s/%s", (int)(slash - t->file),
		    t->file, v);
	if (n < 0 || (size_t)n >= sizeof m->ca)
		return bad(t, "ca: path longer than 511 bytes");
	return ERR_OK;
}

/* KEY = VALUE inside a [host] table. */
static int
host_key(struct toml *t, const char *key, const char *p, const char *end)
{
	static const struct { const char *name; unsigned bit; } keys[] = {
		{ "capabilities", KEY_CAPS }, { "skip_verify", KEY_SKIP },
		{ "ca", KEY_CA }, { "override_path", KEY_OVERRIDE },
	};
	struct mirror_host *m = &t->h->m[t->cur];
	unsigned bit = 0;
	size_t k;
	int v = 0, rc;

	for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
		if (strcmp(key, keys[k].name) == 0)
			bit = keys[k].bit;
	if (bit == 0)
		return bad(t, "unknown key \"%s\" in [host] (ocipull reads "
		    "capabilities, skip_verify, ca, override_path)", key);
	if (t->seen & bit)
		return bad(t, "key \"%s\" given twice", key);
	t->seen |= bit;
	switch (bit) {
	case KEY_CAPS:
		return capabilities(t, p, end);
	case KEY_CA:
		return ca_file(t, p, end);
	default:
		rc = boolean(t, p, end, key, &v);
		if (rc < 0)
			return rc;
		if (bit == KEY_SKIP)
			m->skip_verify = v;
		else if (v)
			t->override |= 1u << t->cur;
		return ERR_OK;
	}
}

/* [host."URL"]: a new mirror, in the file's order. */
static int
host_table(struct toml *t, const char *p, const char *end)
{
	struct hosts *h = t->h;
	struct mirror_host *m;
	char url[600];
	unsigned k;
	int rc;

	if ((size_t)(end - p) < 6 || memcmp(p, "[host.", 6) != 0)
		return bad(t, "unknown table \"%.*s\" (ocipull reads [host.\"URL\"] "
		    "tables)", quoted(p, end), p);
	p += 6;
	rc = string(t, &p, end, url, sizeof url);
	if (rc < 0)
		return rc;
	if (p >= end || *p != ']')
		return bad(t, "unknown table \"[host.\"%s\"%.*s\" (ocipull reads "
		    "no subtables)", url, quoted(p, end), p);
	rc = line_end(t, p + 1, end);
	if (rc < 0)
		return rc;
	if (h->n == BOARD_MIRRORS_MAX)
		return bad(t, "more than %u mirrors", (unsigned)BOARD_MIRRORS_MAX);
	m = &h->m[h->n];
	memset(m, 0, sizeof *m);
	rc = parse_url(url, m, t->path[h->n], sizeof t->path[0], "[host]");
	if (rc < 0) {
		char msg[ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s", err_msg());
		err_clear();
		return bad(t, "%s", msg);
	}
	for (k = 0; k < h->n; k++)
		if (strcmp(h->m[k].name, m->name) == 0 &&
		    h->m[k].https == m->https && strcmp(h->m[k].from, "--mirror") != 0)
			return bad(t, "host \"%s\" given twice", url);
	m->caps = MIRROR_PULL;
	snprintf(m->from, sizeof m->from, "%s:%u", t->file, t->line);
	t->cur = (int)h->n++;
	t->seen = 0;
	return ERR_OK;
}

/* One line, without its end. */
static int
toml_line(struct toml *t, const char *p, const char *end)
{
	char key[64], url[600], path[HOSTS_PATH_MAX];
	size_t n = 0;

	p = skip_ws(p, end);
	if (p == end || *p == '#')
		return ERR_OK;
	if (*p == '[')
		return host_table(t, p, end);
	while (p + n < end && (lex_is_alnum((unsigned char)p[n]) || p[n] == '_' ||
	    p[n] == '-'))
		n++;
	if (n == 0 || n >= sizeof key)
		return bad(t, "expected KEY = VALUE, not \"%.*s\"", quoted(p, end), p);
	memcpy(key, p, n);
	key[n] = '\0';
	p = skip_ws(p + n, end);
	if (p == end || *p != '=')
		return bad(t, "expected '=' after \"%s\"", key);
	p = skip_ws(p + 1, end);
	if (t->cur >= 0)
		return host_key(t, key, p, end);
	if (strcmp(key, "server") != 0)
		return bad(t, "unknown key \"%s\" at the top (ocipull reads server "
		    "there; the origin's TLS comes from the command line)", key);
	if (t->h->has_server)
		return bad(t, "key \"server\" given twice");
	if (string(t, &p, end, url, sizeof url) < 0 || line_end(t, p, end) < 0)
		return ERR_USAGE;
	if (parse_url(url, &t->h->server, path, sizeof path, "server") < 0 ||
	    path[0] != '\0') {
		char msg[ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s", err_msg()[0] ? err_msg() :
		    "server: a path is not supported");
		err_clear();
		return bad(t, "%s", msg);
	}
	t->h->has_server = 1;
	return ERR_OK;
}

/* Each host's API root from its URL's path and override_path. */
static int
roots(struct toml *t, unsigned first)
{
	unsigned k;
	int n;

	for (k = first; k < t->h->n; k++) {
		struct mirror_host *m = &t->h->m[k];
		if (t->override >> k & 1u)
			n = snprintf(m->root, sizeof m->root, "%s", t->path[k][0] ?
			    t->path[k] : "/v2");
		else
			n = snprintf(m->root, sizeof m->root, "%s/v2", t->path[k]);
		if (n < 0 || (size_t)n >= sizeof m->root)
			return err_set(ERR_USAGE, "%s: the API root of %s is longer than "
			    "%u bytes", m->from, m->name, HOSTS_PATH_MAX - 1);
	}
	return ERR_OK;
}

int
hosts_parse(struct hosts *h, const char *text, size_t len, const char *file)
{
	static struct toml t;
	const char *p = text, *end = text + len;
	unsigned first = h->n;
	int rc = ERR_OK;

	memset(&t, 0, sizeof t);
	t.h = h;
	t.file = file;
	t.cur = -1;
	while (p < end && rc == ERR_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;

		t.line++;
		if (memchr(p, '\0', (size_t)(e - p)) != NULL)
			return bad(&t, "a NUL byte");
		rc = toml_line(&t, p, e > p && e[-1] == '\r' ? e - 1 : e);
		p = nl != NULL ? nl + 1 : end;
	}
	if (rc == ERR_OK)
		rc = roots(&t, first);
	return rc;
}

/* The ca files named can be read (before any network traffic). */
static int
check_cas(const struct hosts *h)
{
	unsigned k;
	int fd;

	for (k = 0; k < h->n; k++) {
		if (h->m[k].ca[0] == '\0')
			continue;
		fd = port_fs_open(PORT_CWD, h->m[k].ca, PORT_O_READ, 0);
		if (fd < 0)
			return err_prefix(ERR_USAGE, "%s: ca \"%s\"", h->m[k].from,
			    h->m[k].ca);
		port_fs_close(fd);
	}
	return ERR_OK;
}

int
hosts_load(struct hosts *h, const char *dir, const char *registry, char *buf,
    size_t cap)
{
	const char *sub[2] = { registry, "_default" };
	long n = ERR_NOENT;
	int fd, k;

	fd = port_fs_open(PORT_CWD, dir, PORT_O_READ | PORT_O_DIRECTORY, 0);
	if (fd < 0)
		return err_prefix(ERR_USAGE, "--hosts-dir %s", dir);
	port_fs_close(fd);
	for (k = 0; k < 2 && n == ERR_NOENT; k++) {
		int w = snprintf(h->file, sizeof h->file, "%s/%s/hosts.toml", dir,
		    sub[k]);
		if (w < 0 || (size_t)w >= sizeof h->file)
			return err_set(ERR_USAGE, "--hosts-dir %s: path too long", dir);
		err_clear();
		n = port_fs_read_file(PORT_CWD, h->file, buf, cap);
	}
	if (n == ERR_NOENT) {
		err_clear();
		h->file[0] = '\0';
		return ERR_OK;
	}
	if (n < 0)
		return err_prefix(ERR_USAGE, "%s", h->file);
	k = hosts_parse(h, buf, (size_t)n, h->file);
	return k < 0 ? k : check_cas(h);
}
