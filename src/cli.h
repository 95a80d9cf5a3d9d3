/*
 * cli.h: the command line: commands, their options, help text and the
 * exit-code table.
 *
 * cli_parse reads argv into a caller-owned struct opts and prints nothing:
 * a usage error is recorded with err_set(ERR_USAGE, ...) and reported as
 * CLI_ERROR, and main prints "ocipull: MESSAGE" and the hint. Help and
 * version are requests that main carries out; cli_help writes the text
 * into a buffer the caller owns.
 *
 * Every option names the commands it applies to (a mask of CLI_BIT(cmd));
 * an option given to a command it does not apply to is a usage error.
 * Adding a command is one value in enum cli_cmd, one row in cli.c's
 * commands[], and its bit in the option groups there (ON_REGISTRY ...).
 *
 * Order: cli_parse, then (main) cli_check_files before any network
 * traffic.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

#include "config.h"
#include "rekor.h"
#include "sigkey.h"

/* The commands; CLI_NONE before one is named (and for the overview). */
enum cli_cmd { CLI_NONE = 0, CLI_PULL, CLI_INSPECT, CLI_CHECK, CLI_STATUS,
	CLI_FETCH, CLI_NCMDS };

#define CLI_BIT(c) (1u << (c))

/* What cli_parse returns. */
enum { CLI_RUN = 0, CLI_HELP = 1, CLI_VERSION = 2, CLI_ERROR = -1 };

struct opts {
	int command;               /* enum cli_cmd */
	int help_for;              /* CLI_HELP: the command, or CLI_NONE */
	const char *reference;
	const char *dest;          /* fetch: its TARGET */
	const char *config_out;
	const char *platform;
	const char *ca_file;
	const char *cert_file, *key_file;
	const char *auth_file;     /* --auth-file, else $REGISTRY_AUTH_FILE */
	const char *auth_file_from;/* which of the two, for messages */
	const char *creds;         /* --creds USER[:PASS] */
	const char *username;
	const char *verify_key[SIGKEY_MAX];
	unsigned nkeys;
	const char *rekor_key[REKOR_KEY_MAX];
	unsigned nlogs;
	const char *signed_identity;
	const char *mirror[BOARD_MIRRORS_MAX];  /* --mirror, in order */
	unsigned nmirrors;
	const char *hosts_dir;     /* --hosts-dir: hosts.toml per registry */
	int password_stdin;
	int plain_http;
	int insecure;              /* also --tls-verify=false */
	int tls_verify;            /* -1 not given, 0 false, 1 true */
	int json;
	int keep_old;
	int force;                 /* pull: replace what is there, pull again */
	int allow_foreign;
	int all_platforms;         /* fetch: the whole index */
	int stats;
	int no_sync;
	int progress;              /* PROGRESS_*, -1: by the terminal */
	unsigned long progress_fd;
	unsigned long retries;
	unsigned long timeout_s, read_timeout_s;
};

/*
 * Parse argv into o (all of it is set). Returns CLI_RUN, CLI_HELP (the
 * help of o->help_for), CLI_VERSION, or CLI_ERROR with the message
 * recorded (err_msg()).
 */
int cli_parse(int argc, char **argv, struct opts *o);

/*
 * Before any network traffic: every file an option names (--ca-file,
 * --cert, --key, --auth-file or $REGISTRY_AUTH_FILE, --verify-key,
 * --rekor-key) exists, is not a directory and opens for reading. Returns
 * ERR_OK, or ERR_USAGE with a message naming the option and the file.
 */
int cli_check_files(const struct opts *o);

/* The name of command cmd ("pull"), or "" for CLI_NONE. */
const char *cli_command_name(int cmd);

/*
 * The help of command cmd (its usage line and its options only), or for
 * CLI_NONE the overview (commands and the exit-code table), into buf,
 * NUL-terminated and cut at cap - 1 bytes. Returns its length.
 */
size_t cli_help(int cmd, char *buf, size_t cap);

#endif /* CLI_H */
