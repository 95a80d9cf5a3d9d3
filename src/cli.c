/*
 * cli.c: commands, options and their help (see cli.h). Prints nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "lex.h"
#include "port.h"
#include "progress.h"
#include "registry.h"

/* Which commands an option applies to. A new command adds its bit to the
 * groups it belongs to. */
#define ON_PULL CLI_BIT(CLI_PULL)
#define ON_INSPECT CLI_BIT(CLI_INSPECT)
#define ON_CHECK CLI_BIT(CLI_CHECK)
#define ON_STATUS CLI_BIT(CLI_STATUS)
#define ON_FETCH CLI_BIT(CLI_FETCH)
#define ON_REGISTRY (ON_PULL | ON_INSPECT | ON_CHECK | ON_FETCH) /* those
                                                   * that fetch */
#define ON_SIGNED (ON_PULL | ON_INSPECT)    /* those that check signatures */

/* The words a command takes, in this order. */
enum { ARG_REF = 1u << 0, ARG_DEST = 1u << 1 };

static const struct command {
	const char *name;
	unsigned args;             /* ARG_* */
	const char *usage;         /* its words, for the help */
	const char *summary;       /* lines after the first are indented */
} commands[CLI_NCMDS] = {
	[CLI_NONE] = { "", 0, "", "" },
	[CLI_PULL] = { "pull", ARG_REF | ARG_DEST, "REFERENCE DEST",
	    "unpack the image for the platform into directory\n"
	    "DEST, atomically: DEST changes only when every\n"
	    "digest matched" },
	[CLI_INSPECT] = { "inspect", ARG_REF, "REFERENCE",
	    "resolve REFERENCE for the platform and print the\n"
	    "verified manifest, config and layers" },
	[CLI_CHECK] = { "check", ARG_REF | ARG_DEST, "REFERENCE DEST",
	    "exit 0 when DEST holds what REFERENCE resolves to\n"
	    "for the platform, 14 when an update is available;\n"
	    "fetches only the manifests" },
	[CLI_STATUS] = { "status", ARG_DEST, "DEST",
	    "print what DEST holds, from the state record that\n"
	    "pull writes beside it (.DEST.ocipull.json)" },
	[CLI_FETCH] = { "fetch", ARG_REF | ARG_DEST, "REFERENCE TARGET",
	    "write the image for the platform (or all of them)\n"
	    "verified, to TARGET: oci:DIR[:TAG] (an OCI layout,\n"
	    "made or added to), oci-archive:FILE[:TAG] (a tar of\n"
	    "one), or - (that tar on the standard output, in\n"
	    "the order pull oci-archive:- reads it)" },
};

/* The options, by what they set in struct opts. */
enum { OPT_FLAG, OPT_TEXT, OPT_NUMBER, OPT_DURATION, OPT_PROGRESS, OPT_KEY,
	OPT_LOG, OPT_BOOL, OPT_MIRROR };

static const struct option {
	const char *name;
	int kind;
	size_t at;                 /* offset of the field in struct opts */
	unsigned on;               /* CLI_BIT of each command it applies to */
	uint32_t max;              /* OPT_NUMBER, OPT_DURATION (seconds) */
	const char *arg;           /* its value in the help; "=X": --name=X */
	const char *help;          /* lines after the first are indented */
} options[] = {
	{ "--platform", OPT_TEXT, offsetof(struct opts, platform), ON_REGISTRY, 0,
	    "OS/ARCH[/VARIANT]", "platform to select from an index\n"
	    "(default: " BOARD_PLATFORM ")" },
	{ "--json", OPT_FLAG, offsetof(struct opts, json),
	    ON_INSPECT | ON_CHECK | ON_STATUS, 0, NULL, "print one JSON object" },
	{ "--force", OPT_FLAG, offsetof(struct opts, force), ON_PULL, 0, NULL,
	    "pull even when DEST is up to date; replace a DEST\n"
	    "that ocipull did not write, or DEST.old" },
	{ "--config-out", OPT_TEXT, offsetof(struct opts, config_out), ON_PULL, 0,
	    "FILE", "also write the verified image config to FILE" },
	{ "--keep-old", OPT_FLAG, offsetof(struct opts, keep_old), ON_PULL, 0,
	    NULL, "keep the replaced DEST as DEST.old" },
	{ "--allow-foreign-layers", OPT_FLAG, offsetof(struct opts, allow_foreign),
	    ON_PULL | ON_FETCH, 0, NULL, "allow non-distributable layers" },
	{ "--no-sync", OPT_FLAG, offsetof(struct opts, no_sync), ON_PULL | ON_FETCH,
	    0, NULL, "skip fsync (for throwaway destinations)" },
	{ "--all-platforms", OPT_FLAG, offsetof(struct opts, all_platforms),
	    ON_FETCH, 0, NULL, "the index and every manifest it lists (each\n"
	    "platform, attestations too), not one platform's" },
	{ "--verify-key", OPT_KEY, offsetof(struct opts, verify_key), ON_SIGNED,
	    0, "FILE", "accept the image only with a cosign signature that\n"
	    "verifies with the public key in FILE (PEM: ECDSA\n"
	    "P-256 or P-384, RSA); may be repeated: any key will\n"
	    "do. inspect: list the signatures and their checks" },
	{ "--signed-identity", OPT_TEXT, offsetof(struct opts, signed_identity),
	    ON_SIGNED, 0, "REPO", "the signature's docker-reference must be REPO" },
	{ "--rekor-key", OPT_LOG, offsetof(struct opts, rekor_key), ON_SIGNED, 0,
	    "FILE", "with --verify-key: a signature counts only with a\n"
	    "Rekor bundle (cosign's dev.sigstore.cosign/bundle)\n"
	    "whose entry timestamp verifies with the Rekor log\n"
	    "key in FILE (PEM, ECDSA) and whose entry is that\n"
	    "signature, key and payload; may be repeated" },
	{ "--stats", OPT_FLAG, offsetof(struct opts, stats), ON_REGISTRY, 0, NULL,
	    "print transfer and memory figures at the end" },
	{ "--retries", OPT_NUMBER, offsetof(struct opts, retries), ON_REGISTRY,
	    1000, "N", "further attempts after a network failure (8: waits\n"
	    "of 0.5 s doubling up to 60 s ride out an outage\n"
	    "of 2 minutes)" },
	{ "--timeout", OPT_DURATION, offsetof(struct opts, timeout_s), ON_REGISTRY,
	    86400, "DURATION", "give up when the whole run takes longer;\n"
	    "DURATION: N or Ns seconds, Nm minutes, Nh hours" },
	{ "--read-timeout", OPT_DURATION, offsetof(struct opts, read_timeout_s),
	    ON_REGISTRY, 86400, "DURATION",
	    "a connection silent this long has failed (30)" },
	{ "--progress", OPT_PROGRESS, offsetof(struct opts, progress), ON_REGISTRY,
	    0, "=MODE", "tty (a line per layer, redrawn), plain (a line per\n"
	    "event), json (a JSON object per line), none;\n"
	    "pull's default: tty on a terminal, else plain" },
	{ "--progress-fd", OPT_NUMBER, offsetof(struct opts, progress_fd),
	    ON_REGISTRY, 65535, "N", "write progress to file descriptor N; without\n"
	    "--progress, as JSON events only" },
	{ "--mirror", OPT_MIRROR, offsetof(struct opts, mirror), ON_REGISTRY, 0,
	    "[http://]HOST[:PORT][/PREFIX]", "try this mirror first for blobs and\n"
	    "manifests by digest (tags: the registry's own);\n"
	    "https unless http:// is given; may be repeated:\n"
	    "tried in order, the registry last. Nothing it\n"
	    "sends is trusted, and it gets no credentials but\n"
	    "its own (config.json's entry for HOST)" },
	{ "--hosts-dir", OPT_TEXT, offsetof(struct opts, hosts_dir), ON_REGISTRY,
	    0, "DIR", "mirrors from containerd's DIR/REGISTRY/hosts.toml\n"
	    "(else DIR/_default/hosts.toml), after --mirror's" },
	{ "--plain-http", OPT_FLAG, offsetof(struct opts, plain_http), ON_REGISTRY,
	    0, NULL, "talk http:// to the registry" },
	{ "--insecure", OPT_FLAG, offsetof(struct opts, insecure), ON_REGISTRY, 0,
	    NULL, "https without certificate verification" },
	{ "--tls-verify", OPT_BOOL, offsetof(struct opts, tls_verify), ON_REGISTRY,
	    0, "[=true|false]", "false: the same as --insecure (podman, skopeo);\n"
	    "true: verify, the default" },
	{ "--ca-file", OPT_TEXT, offsetof(struct opts, ca_file), ON_REGISTRY, 0,
	    "FILE", "trust the CA certificates in FILE (PEM); without it\n"
	    "$SSL_CERT_FILE, else every file in $SSL_CERT_DIR\n"
	    "(DIR:DIR...), else the system's bundle" },
	{ "--cert", OPT_TEXT, offsetof(struct opts, cert_file), ON_REGISTRY, 0,
	    "FILE", "client certificate (PEM, with any intermediates)\n"
	    "for a registry that requires one (mutual TLS)" },
	{ "--key", OPT_TEXT, offsetof(struct opts, key_file), ON_REGISTRY, 0,
	    "FILE", "its private key (PEM, RSA or EC, unencrypted)" },
	{ "--auth-file", OPT_TEXT, offsetof(struct opts, auth_file), ON_REGISTRY,
	    0, "FILE", "docker config.json or podman auth.json with\n"
	    "credentials; it must exist (default:\n"
	    "$REGISTRY_AUTH_FILE, which must exist too, else\n"
	    "$DOCKER_CONFIG/config.json, ~/.docker/config.json)" },
	{ "--authfile", OPT_TEXT, offsetof(struct opts, auth_file), ON_REGISTRY,
	    0, "FILE", "the same as --auth-file (podman, skopeo)" },
	{ "--creds", OPT_TEXT, offsetof(struct opts, creds), ON_REGISTRY, 0,
	    "USER[:PASS]", "user name and password; without :PASS the\n"
	    "password is read from the terminal without echo\n"
	    "(or one line from stdin when it is not one)" },
	{ "--username", OPT_TEXT, offsetof(struct opts, username), ON_REGISTRY, 0,
	    "USER", "user name; the password is read as for --creds\n"
	    "USER, or with --password-stdin from stdin" },
	{ "--password-stdin", OPT_FLAG, offsetof(struct opts, password_stdin),
	    ON_REGISTRY, 0, NULL, "read the password from standard input (all of\n"
	    "it, one newline at the end removed; on a terminal\n"
	    "one line, without echo)" },
};

#define NOPTIONS (sizeof options / sizeof options[0])
_Static_assert(NOPTIONS <= 64, "cli_parse keeps the options seen in 64 bits");

static const struct { const char *name; int mode; } progress_modes[] = {
	{ "tty", PROGRESS_TTY }, { "plain", PROGRESS_PLAIN },
	{ "json", PROGRESS_JSON }, { "none", PROGRESS_NONE },
};

/* The exit codes, as --help prints them; README's "Exit codes" block is
 * the same text (tests/integration/cli.sh compares them). */
static const char exit_codes[] =
    "Exit codes:\n"
    "   0  success\n"
    "   1  other failure\n"
    "   2  usage or configuration, found before any network traffic: a bad\n"
    "      option, argument or reference, a file an option names that\n"
    "      cannot be read, or a DEST that cannot be used\n"
    "   3  network: connection, DNS, time limit, protocol\n"
    "   4  TLS: handshake, certificate\n"
    "   5  authentication failed\n"
    "   6  not found: repository, tag, blob\n"
    "   7  no manifest for the requested platform\n"
    "   8  verification failed: digest or size mismatch\n"
    "   9  unpack failed: malformed layer, path escape, file system error\n"
    "  10  no space left on the destination\n"
    "  11  DEST holds the new image, but a step after the switch failed\n"
    "      (the message says what DEST, DEST.old and the staging directory\n"
    "      hold)\n"
    "  12  no valid signature by a --verify-key key (the message names the\n"
    "      digest, the keys and why each signature was rejected)\n"
    "  13  another ocipull holds the lock on DEST\n"
    "  14  check: an update is available\n";

const char *
cli_command_name(int cmd)
{
	return cmd > CLI_NONE && cmd < CLI_NCMDS ? commands[cmd].name : "";
}

/* The command named s, or CLI_NONE. */
static int
find_command(const char *s)
{
	int c;

	for (c = CLI_NONE + 1; c < CLI_NCMDS; c++)
		if (strcmp(s, commands[c].name) == 0)
			return c;
	return CLI_NONE;
}

/*
 * The option argv[*i] names: NULL when it is none of the table's. A valued
 * option's value (after '=' or in the next argument, "" when missing)
 * goes to *value, and *i moves past it.
 */
static const struct option *
find_option(int argc, char **argv, int *i, const char **value)
{
	const char *a = argv[*i];
	size_t k, n;

	for (k = 0; k < NOPTIONS; k++) {
		n = strlen(options[k].name);
		if (strncmp(a, options[k].name, n) != 0)
			continue;
		if (options[k].kind == OPT_FLAG) {
			if (a[n] != '\0')
				continue;
			*value = NULL;
		} else if (options[k].kind == OPT_BOOL && a[n] == '\0') {
			*value = "true";
		} else if (a[n] == '=') {
			*value = a + n + 1;
		} else if (a[n] != '\0') {
			continue;
		} else {
			*value = *i + 1 < argc ? argv[++*i] : "";
		}
		return &options[k];
	}
	return NULL;
}

/* One more file of a repeatable option (name), at most max of them. */
static int
add_path(const char **list, unsigned *n, unsigned max, const char *name,
    const char *v)
{
	if (*n == max)
		return err_set(ERR_USAGE, "too many %s options; the most is '%u'",
		    name, max);
	list[(*n)++] = v;
	return ERR_OK;
}

/* A number of seconds: N, Ns, Nm or Nh, at most max seconds. */
static int
parse_duration(const char *v, uint32_t max, uint64_t *out)
{
	size_t n = strlen(v);
	uint64_t unit = 1, x;

	if (n > 1 && (v[n - 1] == 's' || v[n - 1] == 'm' || v[n - 1] == 'h')) {
		unit = v[n - 1] == 's' ? 1 : v[n - 1] == 'm' ? 60 : 3600;
		n--;
	}
	if (lex_dec_all(v, n, max, 0, &x) != LEX_DEC_OK || x * unit > max)
		return ERR_USAGE;
	*out = x * unit;
	return ERR_OK;
}

/* Set what option op says from value v. */
static int
set_option(struct opts *o, const struct option *op, const char *v)
{
	char *field = (char *)o + op->at;
	uint64_t x;
	size_t m;

	if (op->kind == OPT_FLAG) {
		*(int *)(void *)field = 1;
		return ERR_OK;
	}
	if (v[0] == '\0')
		return err_set(ERR_USAGE, "missing value for option '%s'", op->name);
	switch (op->kind) {
	case OPT_TEXT:
		*(const char **)(void *)field = v;
		return ERR_OK;
	case OPT_KEY:
		return add_path(o->verify_key, &o->nkeys, SIGKEY_MAX, op->name, v);
	case OPT_LOG:
		return add_path(o->rekor_key, &o->nlogs, REKOR_KEY_MAX, op->name, v);
	case OPT_MIRROR:
		return add_path(o->mirror, &o->nmirrors, BOARD_MIRRORS_MAX, op->name,
		    v);
	case OPT_NUMBER:
		if (lex_dec_all(v, strlen(v), op->max, 0, &x) != LEX_DEC_OK)
			return err_set(ERR_USAGE, "%s: not a number from 0 to %lu: '%s'",
			    op->name, (unsigned long)op->max, v);
		*(unsigned long *)(void *)field = (unsigned long)x;
		return ERR_OK;
	case OPT_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return err_set(ERR_USAGE, "%s takes true or false, not '%s'",
			    op->name, v);
		*(int *)(void *)field = v[0] == 't';
		return ERR_OK;
	case OPT_DURATION:
		if (parse_duration(v, op->max, &x) < 0)
			return err_set(ERR_USAGE, "%s: not a duration (N, Ns, Nm or Nh, "
			    "at most %luh): '%s'", op->name,
			    (unsigned long)op->max / 3600, v);
		*(unsigned long *)(void *)field = (unsigned long)x;
		return ERR_OK;
	default:
		for (m = 0; m < sizeof progress_modes / sizeof progress_modes[0]; m++)
			if (strcmp(v, progress_modes[m].name) == 0) {
				*(int *)(void *)field = progress_modes[m].mode;
				return ERR_OK;
			}
		return err_set(ERR_USAGE, "--progress takes tty, plain, json or none, "
		    "not '%s'", v);
	}
}

/* Where cli_parse is. */
struct words {
	int help;                  /* -h, --help or the command help */
	int help_word;             /* the command was "help" */
	int ended;                 /* after "--" */
	uint64_t seen;             /* bit k: options[k] was given */
};

/* A word that is not an option: the command, or its next argument. */
static int
take_word(struct opts *o, struct words *w, const char *a)
{
	unsigned args = commands[o->command].args;
	int c;

	if (o->command == CLI_NONE && !w->help_word) {
		if (strcmp(a, "help") == 0) {
			w->help_word = 1;
			return ERR_OK;
		}
		o->command = find_command(a);
		if (o->command == CLI_NONE)
			return err_set(ERR_USAGE, "unknown command '%s'", a);
		return ERR_OK;
	}
	if (w->help_word) {
		c = find_command(a);
		if (o->help_for != CLI_NONE)
			return err_set(ERR_USAGE, "unexpected argument '%s'", a);
		if (c == CLI_NONE)
			return err_set(ERR_USAGE, "unknown command '%s'", a);
		o->help_for = c;
		return ERR_OK;
	}
	if ((args & ARG_REF) && o->reference == NULL)
		o->reference = a;
	else if ((args & ARG_DEST) && o->dest == NULL)
		o->dest = a;
	else
		return err_set(ERR_USAGE, "unexpected argument '%s'", a);
	return ERR_OK;
}

/* Options that go together or exclude each other, and the defaults taken
 * from the environment. */
static int
check_options(struct opts *o)
{
	const char *env = port_env("REGISTRY_AUTH_FILE");

	if (o->tls_verify == 0 && o->insecure == 0)
		o->insecure = 1;
	else if (o->tls_verify == 1 && o->insecure)
		return err_set(ERR_USAGE, "--tls-verify=true and --insecure exclude "
		    "each other");
	if (o->creds != NULL && o->username != NULL)
		return err_set(ERR_USAGE, "--creds and --username exclude each other");
	if (o->creds != NULL && o->creds[0] == ':')
		return err_set(ERR_USAGE, "--creds: the user name is empty");
	if (o->auth_file == NULL && env != NULL && env[0] != '\0') {
		o->auth_file = env;
		o->auth_file_from = "REGISTRY_AUTH_FILE";
	}
	return ERR_OK;
}

/* After the words: the command has its arguments, and only its options. */
static int
check_command(struct opts *o, const struct words *w)
{
	const struct command *c = &commands[o->command];
	size_t k;

	if (o->command == CLI_NONE)
		return err_set(ERR_USAGE, "missing command");
	for (k = 0; k < NOPTIONS; k++)
		if ((w->seen >> k & 1u) && !(options[k].on & CLI_BIT(o->command)))
			return err_set(ERR_USAGE, "option '%s' does not apply to %s",
			    options[k].name, c->name);
	if ((c->args & ARG_REF) && o->reference == NULL)
		return err_set(ERR_USAGE, "%s: missing %s", c->name, c->usage);
	if ((c->args & ARG_DEST) && o->dest == NULL)
		return err_set(ERR_USAGE, "%s: missing %s", c->name,
		    o->command == CLI_FETCH ? "TARGET" : "DEST directory");
	if (o->all_platforms && o->platform != NULL)
		return err_set(ERR_USAGE, "--all-platforms and --platform exclude "
		    "each other");
	return check_options(o);
}

int
cli_parse(int argc, char **argv, struct opts *o)
{
	struct words w;
	int i;

	memset(o, 0, sizeof *o);
	memset(&w, 0, sizeof w);
	o->retries = REG_RETRIES_DEFAULT;
	o->progress = -1;
	o->progress_fd = 2;        /* the standard error */
	o->tls_verify = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const struct option *op;

		if (!w.ended && strcmp(a, "--") == 0) {
			w.ended = 1;
		} else if (w.ended || a[0] != '-' || a[1] == '\0') {
			if (take_word(o, &w, a) < 0)
				return CLI_ERROR;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			w.help = 1;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			return CLI_VERSION;
		} else {
			op = find_option(argc, argv, &i, &v);
			if (op == NULL) {
				err_set(ERR_USAGE, "unknown option '%s'", a);
				return CLI_ERROR;
			}
			w.seen |= (uint64_t)1 << (size_t)(op - options);
			if (set_option(o, op, v) < 0)
				return CLI_ERROR;
			if (op->at == offsetof(struct opts, auth_file))
				o->auth_file_from = op->name;
		}
	}
	if (w.help || w.help_word) {
		if (!w.help_word)
			o->help_for = o->command;
		return CLI_HELP;
	}
	/* --progress-fd N without --progress: N is for a program, JSON. */
	for (i = 0; i < (int)NOPTIONS; i++)
		if ((w.seen >> i & 1u) && o->progress < 0 &&
		    strcmp(options[i].name, "--progress-fd") == 0)
			o->progress = PROGRESS_JSON;
	return check_command(o, &w) < 0 ? CLI_ERROR : CLI_RUN;
}

/* The file that option what names can be read: it exists, is no
 * directory and opens for reading. */
static int
check_readable(const char *what, const char *path)
{
	struct port_stat st;
	int fd, rc;

	if (path == NULL)
		return ERR_OK;
	fd = port_fs_open(PORT_CWD, path, PORT_O_READ, 0);
	if (fd < 0)
		return err_prefix(ERR_USAGE, "%s", what);
	rc = port_fs_stat(fd, NULL, &st);
	port_fs_close(fd);
	if (rc < 0)
		return err_prefix(ERR_USAGE, "%s", what);
	if (st.type == PORT_T_DIR)
		return err_set(ERR_USAGE, "%s: %s is a directory, not a file", what,
		    path);
	return ERR_OK;
}

int
cli_check_files(const struct opts *o)
{
	unsigned i;
	int rc;

	rc = check_readable("--ca-file", o->ca_file);
	if (rc == ERR_OK)
		rc = check_readable("--cert", o->cert_file);
	if (rc == ERR_OK)
		rc = check_readable("--key", o->key_file);
	if (rc == ERR_OK)
		rc = check_readable(o->auth_file_from, o->auth_file);
	for (i = 0; i < o->nkeys && rc == ERR_OK; i++)
		rc = check_readable("--verify-key", o->verify_key[i]);
	for (i = 0; i < o->nlogs && rc == ERR_OK; i++)
		rc = check_readable("--rekor-key", o->rekor_key[i]);
	return rc;
}

/* A growing text in a caller's buffer, cut at its end. */
struct text {
	char *p;
	size_t len, cap;
};

static void
put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

/* "  HEAD  first line of desc", the other lines of desc in column 22. */
static void
put_item(struct text *t, const char *head, const char *desc)
{
	size_t n = strlen(head), k;

	put(t, "  %s", head);
	put(t, "%*s", n < 18 ? (int)(20 - n) : 2, "");
	while (*desc != '\0') {
		k = strcspn(desc, "\n");
		put(t, "%.*s\n", (int)k, desc);
		desc += k;
		if (*desc == '\n')
			desc++;
		if (*desc != '\0')
			put(t, "%22s", "");
	}
}

static void
put_overview(struct text *t)
{
	char head[64];
	int c;

	put(t, "usage: ocipull [--help] [--version] COMMAND [OPTIONS] ARGS\n"
	    "\n"
	    "Pull an OCI or Docker image from a registry and unpack it into a root\n"
	    "file system directory, streaming and verifying every byte.\n"
	    "\n"
	    "Commands:\n");
	for (c = CLI_NONE + 1; c < CLI_NCMDS; c++) {
		snprintf(head, sizeof head, "%s %s", commands[c].name,
		    commands[c].usage);
		put_item(t, head, commands[c].summary);
	}
	put_item(t, "help [COMMAND]", "this help, or the options of COMMAND");
	put(t, "\n"
	    "REFERENCE is [REGISTRY[:PORT]/]PATH[:TAG][@sha256:DIGEST], as docker\n"
	    "reads it: nginx is docker.io/library/nginx:latest. Or, offline:\n"
	    "  oci:DIR[:TAG|@sha256:DIGEST]   an OCI image layout directory\n"
	    "  oci-archive:FILE[:TAG|@sha256:DIGEST]   a tar of one; FILE - is\n"
	    "      the standard input (through a pipe: documents before layers)\n"
	    "  docker-archive:FILE[:NAME:TAG]   docker save's format (not a pipe)\n"
	    "\n"
	    "A USB stick: ocipull fetch REFERENCE oci:/media/usb/images:TAG, then\n"
	    "on the device ocipull pull oci:/media/usb/images:TAG /rootfs.\n"
	    "\n"
	    "Options (ocipull COMMAND --help lists a command's own):\n");
	put_item(t, "-h, --help", "show this help, or the command's, and exit");
	put_item(t, "-V, --version", "show the version, the board, its default "
	    "platform\nand each library linked in, one per line, and exit");
	put(t, "\n%s", exit_codes);
}

size_t
cli_help(int cmd, char *buf, size_t cap)
{
	struct text t = { buf, 0, cap };
	char head[64];
	size_t k;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (cmd <= CLI_NONE || cmd >= CLI_NCMDS) {
		put_overview(&t);
		return t.len;
	}
	put(&t, "usage: ocipull %s [OPTIONS] [--] %s\n\n", commands[cmd].name,
	    commands[cmd].usage);
	put(&t, "%s: %s\n\nOptions:\n", commands[cmd].name, commands[cmd].summary);
	for (k = 0; k < NOPTIONS; k++) {
		const char *arg = options[k].arg;
		if (!(options[k].on & CLI_BIT(cmd)))
			continue;
		snprintf(head, sizeof head, "%s%s%s", options[k].name,
		    arg == NULL || arg[0] == '=' ? "" : " ", arg ? arg : "");
		put_item(&t, head, options[k].help);
	}
	put_item(&t, "-h, --help", "show this help and exit");
	return t.len;
}
