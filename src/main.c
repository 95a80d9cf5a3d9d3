/*
 * main.c: command line, exit codes; the only place that prints to the user.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/version.h>

#include <zstd.h>

#include "cli.h"
#include "config.h"
#include "dest.h"
#include "err.h"
#include "fetch.h"
#include "lex.h"
#include "mirror.h"
#include "platform.h"
#include "progress.h"
#include "port.h"
#include "pull.h"
#include "ref.h"
#include "registry.h"
#include "report.h"
#include "sig.h"
#include "state.h"
#include "source_archive.h"
#include "source_layout.h"
#include "source_registry.h"

#define OCIPULL_VERSION "0.1.0"

/* Large state lives in static storage, sized by the board, never on the
 * heap. */
static struct registry reg;
static struct layout lay;       /* oci:DIR sources */
static struct source_archive arc;   /* oci-archive:, docker-archive: */
static struct hosts mirrors;    /* --mirror, --hosts-dir */
static struct mirror_src mir;   /* the registry behind its mirrors */
static struct image img;
static char doc[BOARD_JSON_MAX];
static jsmntok_t tok[BOARD_JSON_TOKENS];
static struct pull_state pst;
static struct sigkeys keys;
static struct sigkeys logs;
static struct sig_check sigs;
static struct dest dst;
static struct state_rec rec;
static struct fetch fet;
static const struct report rep = { &img, &sigs, &keys, &logs };
static int uptodate;               /* pull, check: DEST holds the image */
static const char *offline;        /* "layout", "archive"; NULL: a registry */

/* The command whose help a usage error points to (CLI_NONE: the
 * overview). */
static int usage_cmd = CLI_NONE;

static int
usage_error(const char *what, const char *arg)
{
	const char *c = cli_command_name(usage_cmd);
	char m[ERR_MSG_MAX];

	snprintf(m, sizeof m, "%s%s%s%s", what, arg ? " '" : "", arg ? arg : "",
	    arg ? "'" : "");
	/* In JSON mode (once the options are read) an error event too. */
	progress_error(EXIT_USAGE, err_name(ERR_USAGE), m);
	if (progress_json_on_stderr())
		return EXIT_USAGE;
	progress_say(PORT_STDERR, "ocipull: %s\n", m);
	progress_say(PORT_STDERR, "Try 'ocipull %s%s--help' for more information.\n",
	    c, c[0] ? " " : "");
	return EXIT_USAGE;
}

/* The exit code for rc: a pull that failed after it switched DEST to the
 * new tree says so with its own code. */
static int
exit_code(int rc)
{
	return rc < 0 && pst.stage.switched ? EXIT_SWITCHED : err_exit_code(rc);
}

/* Report the recorded error (an error event, and the message unless the
 * standard error carries JSON only) and return code. */
static int
fail_with(int rc, int code)
{
	const char *m = err_msg();
	const char *text = m[0] ? m : err_name(rc);

	progress_error(code, err_name(rc), text);
	if (!progress_json_on_stderr())
		progress_say(PORT_STDERR, "ocipull: %s\n", text);
	return code;
}

/* The same, with rc's own exit code. */
static int
fail(int rc)
{
	return fail_with(rc, exit_code(rc));
}

/*
 * One "NAME VALUE" line each, for people and SBOM tools: ocipull, the board
 * and its default platform, then every component linked in: mbedTLS (its
 * own API), the gzip engine (ISA-L or zlib), zstd (ZSTD_versionString), jsmn (no version macro: the build passes
 * OCIPULL_JSMN_VERSION) and the C library (the port).
 */
#ifndef OCIPULL_JSMN_VERSION
#define OCIPULL_JSMN_VERSION "unknown"
#endif

static void
print_version(void)
{
	char tls[18];

	mbedtls_version_get_string(tls);
	progress_say(PORT_STDOUT, "ocipull %s\n", OCIPULL_VERSION);
	progress_say(PORT_STDOUT, "board %s\n", BOARD_NAME);
	progress_say(PORT_STDOUT, "platform %s\n", BOARD_PLATFORM);
	progress_say(PORT_STDOUT, "mbedtls %s\n", tls);
	progress_say(PORT_STDOUT, "%s\n", gunzip_engine());
	progress_say(PORT_STDOUT, "zstd %s\n", ZSTD_versionString());
	progress_say(PORT_STDOUT, "jsmn %s\n", OCIPULL_JSMN_VERSION);
	progress_say(PORT_STDOUT, "%s\n", port_libc_version());
}

/* The credentials of --creds or --username, wiped after use. */
struct secret {
	char user[256];
	char password[BOARD_SECRET_MAX];   /* ECR tokens are about 3.2 KiB */
};

/*
 * Read the password for user into buf. On a terminal: one line, without
 * echo, after a prompt on stderr. Else all of stdin with --password-stdin
 * (all 1), one line without it. The line ends are removed.
 */
static int
read_password(const char *user, int all, char *buf, size_t cap)
{
	size_t have = 0;
	int tty = port_isatty(PORT_STDIN), rc = ERR_OK;

	if (tty) {
		rc = port_tty_echo(PORT_STDIN, 0);
		progress_say(PORT_STDERR, "Password for %s: ", user);
		all = 0;
	}
	while (rc == ERR_OK) {
		long n = port_fs_read(PORT_STDIN, buf + have, all ? cap - 1 - have : 1);
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		have += (size_t)n;
		if (!all && buf[have - 1] == '\n')
			break;
		if (have == cap - 1)
			rc = err_set(ERR_USAGE, "the password is longer than %zu bytes",
			    cap - 2);
	}
	if (tty) {
		port_tty_echo(PORT_STDIN, 1);
		progress_say(PORT_STDERR, "\n");
	}
	while (have > 0 && (buf[have - 1] == '\n' || buf[have - 1] == '\r'))
		have--;
	buf[have] = '\0';
	if (rc == ERR_OK && have == 0)
		rc = err_set(ERR_USAGE, "empty password on %s", tty ? "the terminal" :
		    "stdin");
	return rc;
}

/* The user and password of --creds USER[:PASS] or --username USER, the
 * password read when not given. Returns 0 or an exit code. */
static int
get_creds(const struct opts *o, struct secret *sec, struct registry_opts *ro)
{
	const char *user = o->username, *colon = NULL;

	if (o->creds != NULL) {
		colon = strchr(o->creds, ':');
		user = o->creds;
		if (colon != NULL) {
			snprintf(sec->user, sizeof sec->user, "%.*s",
			    (int)(colon - o->creds), o->creds);
			snprintf(sec->password, sizeof sec->password, "%s", colon + 1);
			user = sec->user;
		}
	}
	if (o->password_stdin && user == NULL)
		return usage_error("--password-stdin needs --username or --creds "
		    "USER", NULL);
	if (o->password_stdin && colon != NULL)
		return usage_error("--password-stdin and --creds USER:PASS exclude "
		    "each other", NULL);
	if (user == NULL)
		return EXIT_OK;
	if (colon == NULL && read_password(user, o->password_stdin,
	    sec->password, sizeof sec->password) < 0)
		return fail_with(ERR_USAGE, EXIT_USAGE);
	ro->username = user;
	ro->password = sec->password;
	return EXIT_OK;
}

/* --stats: what moved, and how much of each fixed budget was used. */
/* One --stats line: text on the standard error, or there a stats event
 * when it carries JSON only. */
static void stat_line(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void
stat_line(const char *fmt, ...)
{
	char line[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (progress_json_on_stderr())
		progress_stats(line);
	else
		progress_say(PORT_STDERR, "stats: %s\n", line);
}

static void
print_stats(int pull)
{
	struct port_heap_stats h;
	char line[600];
	unsigned i;

	port_heap_stats(&h);
	if (pull && offline != NULL)
		stat_line("read %llu bytes of layers from the %s; wrote %llu bytes: "
		    "%llu files, %llu directories, %llu links", (unsigned long long)
		    pst.layer.bytes_fetched, offline, (unsigned long long)pst.fs.bytes,
		    (unsigned long long)pst.fs.files, (unsigned long long)pst.fs.dirs,
		    (unsigned long long)pst.fs.links);
	else if (pull)
		stat_line("fetched %llu bytes (%llu in layers); wrote "
		    "%llu bytes: %llu files, %llu directories, %llu links",
		    (unsigned long long)reg.bytes_in,
		    (unsigned long long)pst.layer.bytes_fetched,
		    (unsigned long long)pst.fs.bytes, (unsigned long long)pst.fs.files,
		    (unsigned long long)pst.fs.dirs, (unsigned long long)pst.fs.links);
	if (pull) {
		stat_line("inflate arena peak %zu of %zu bytes",
		    decompress_arena_peak(&pst.layer.dc, MF_CODEC_GZIP),
		    gunzip_state_max());
		if (decompress_arena_peak(&pst.layer.dc, MF_CODEC_ZSTD) > 0)
			stat_line("zstd arena peak %zu of %u bytes",
			    decompress_arena_peak(&pst.layer.dc, MF_CODEC_ZSTD),
			    (unsigned)BOARD_ZSTD_ARENA);
	}
	stat_line("TLS and libc arena (malloc) peak %zu of %zu bytes, "
	    "%llu allocations, %llu refused", h.peak, h.size,
	    (unsigned long long)h.allocs, (unsigned long long)h.failures);
	stat_line("retries %u, resumed %u, refetched %llu bytes, "
	    "layers kept from an earlier run %zu", reg.retries_done,
	    pst.layer.resumes, (unsigned long long)(reg.refetched +
	    pst.layer.refetched), pull ? pst.stage.kept : (size_t)0);
	stat_line("JSON peak %zu of %u bytes, %d of %u tokens",
	    img.json_peak_bytes, BOARD_JSON_MAX, img.json_peak_tokens,
	    BOARD_JSON_TOKENS);
	if (reg.tls.ca_src.from != NULL)
		stat_line("CA certificates %u from %s %.*s",
		    reg.tls.ca_src.ncerts, reg.tls.ca_src.from,
		    reg.tls.ca_src.path_len > 512 ? 512 : (int)reg.tls.ca_src.path_len,
		    reg.tls.ca_src.path);
	for (i = 0; mir.r != NULL && i <= mir.conf.n; i++) {
		mirror_stat(&mir, i, line, sizeof line);
		stat_line("%s", line);
	}
	if (mir.r != NULL && pull)
		stat_line("layers read again after a mirror's bytes did not "
		    "verify %u", pst.rejected);
	if (reg.tls.handshakes > 0)
		stat_line("TLS handshakes %u, the last %s %s%s",
		    reg.tls.handshakes, reg.tls.version, reg.tls.suite,
		    reg.tls.without_pss > 0 ? " (asked again without RSA-PSS)" : "");
	stat_line("peak RSS %llu KiB",
	    (unsigned long long)port_peak_rss_kb());
}

/* The one event sink: every event of the pull goes to the progress output. */
static void
on_event(void *arg, const struct event *ev)
{
	(void)arg;
	switch (ev->kind) {
	case EV_SIGNED:
		progress_signed(ev->digest, ev->text, ev->name);
		break;
	case EV_RESOLVED:
		progress_resolved(ev->text, ev->digest, ev->index_digest, ev->platform,
		    ev->count, ev->size);
		break;
	case EV_LAYER:
		progress_layer(ev->index, ev->count, ev->digest, ev->size);
		break;
	case EV_BYTES:
		progress_bytes(ev->index, ev->done, ev->size);
		break;
	case EV_VERIFIED:
		progress_verified(ev->index, ev->digest);
		break;
	case EV_KEPT:
		progress_kept(ev->index, ev->count, ev->digest, ev->size);
		break;
	case EV_RETRY:
		progress_retry(ev->text, ev->attempt, ev->delay_ms);
		break;
	case EV_AFRESH:
		progress_afresh(ev->text);
		break;
	case EV_COMMITTED:
		progress_committed(ev->text, ev->digest, ev->index_digest);
		break;
	case EV_ERROR:
		progress_error(ev->code, ev->name, ev->text);
		break;
	case EV_WARNING:
		progress_warning(ev->text);
		break;
	case EV_MIRROR:
		progress_mirror(ev->name, ev->digest, ev->text, ev->next);
		break;
	}
}

static const struct event_sink events = { on_event, NULL };

/* An offline source (oci:DIR, oci-archive:, docker-archive:) talks to no
 * registry: the options that
 * only a registry reads are refused rather than silently ignored. */
static int
offline_options(const struct opts *o)
{
	static const struct { size_t at; const char *name; } reg_only[] = {
		{ offsetof(struct opts, ca_file), "--ca-file" },
		{ offsetof(struct opts, cert_file), "--cert" },
		{ offsetof(struct opts, creds), "--creds" },
		{ offsetof(struct opts, username), "--username" },
		{ offsetof(struct opts, hosts_dir), "--hosts-dir" },
		{ offsetof(struct opts, mirror), "--mirror" },
	};
	const char *given = NULL;
	char m[160];
	size_t i;

	for (i = 0; i < sizeof reg_only / sizeof reg_only[0]; i++)
		if (*(const char *const *)(const void *)((const char *)o +
		    reg_only[i].at) != NULL)
			given = reg_only[i].name;
	if (o->auth_file != NULL && strcmp(o->auth_file_from,
	    "REGISTRY_AUTH_FILE") != 0)
		given = o->auth_file_from;
	if (o->plain_http || o->insecure || o->tls_verify >= 0 ||
	    o->password_stdin)
		given = o->plain_http ? "--plain-http" : o->insecure ?
		    "--insecure" : o->tls_verify >= 0 ? "--tls-verify" :
		    "--password-stdin";
	if (given == NULL)
		return EXIT_OK;
	snprintf(m, sizeof m, "%s is for registries; %.*s is not one", given,
	    (int)strcspn(o->reference, ":") + 1, o->reference);
	return usage_error(m, NULL);
}

/* Check the command's arguments and fill the registry options. Returns 0
 * or an exit code. */
static int
prepare(const struct opts *o, struct ref *ref, struct platform *want,
    struct registry_opts *ro, struct secret *sec)
{
	if (strncmp(o->reference, LAYOUT_PREFIX, 4) == 0 ?
	    layout_ref_split(ref, o->reference + 4) < 0 :
	    archive_ref_kind(o->reference) != 0 ? archive_ref_split(ref, arc.want,
	    sizeof arc.want, o->reference) < 0 : ref_parse(ref, o->reference) < 0)
		return fail_with(ERR_USAGE, EXIT_USAGE);
	if (platform_parse(o->platform ? o->platform : BOARD_PLATFORM, want) < 0)
		return fail_with(err_prefix(ERR_USAGE, "--platform"), EXIT_USAGE);
	if (o->signed_identity != NULL && o->nkeys == 0)
		return usage_error("--signed-identity needs --verify-key", NULL);
	if (o->nlogs > 0 && o->nkeys == 0)
		return usage_error("--rekor-key needs --verify-key", NULL);
	if (o->insecure && o->plain_http && o->tls_verify != 0)
		return usage_error("--insecure and --plain-http exclude each other", NULL);
	if ((o->cert_file == NULL) != (o->key_file == NULL))
		return usage_error(o->cert_file ? "--cert needs --key" :
		    "--key needs --cert", NULL);
	if (o->cert_file != NULL && o->plain_http)
		return usage_error("--cert and --key need https, not --plain-http", NULL);
	if (strncmp(o->reference, LAYOUT_PREFIX, 4) == 0 ||
	    archive_ref_kind(o->reference) != 0)
		return offline_options(o);
	memset(ro, 0, sizeof *ro);
	ro->plain_http = o->plain_http;
	ro->insecure = o->insecure && !o->plain_http;  /* --tls-verify=false:
	                                                * nothing to verify */
	ro->ca_file = o->ca_file;
	ro->cert_file = o->cert_file;
	ro->key_file = o->key_file;
	ro->auth_file = o->auth_file;
	ro->retries = (unsigned)o->retries;
	ro->timeout_s = (uint32_t)o->timeout_s;
	ro->read_timeout_ms = (uint32_t)o->read_timeout_s * 1000u;
	if (cli_check_files(o) < 0)
		return fail_with(ERR_USAGE, EXIT_USAGE);
	return get_creds(o, sec, ro);
}

/* Pull the resolved image into o->dest. */
static int
run_pull(const struct opts *o, const struct source *src, const char *refname,
    size_t config_len)
{
	struct pull_opts po;
	struct event ev;
	char plat[64];
	size_t i;

	memset(&ev, 0, sizeof ev);
	ev.kind = EV_RESOLVED;
	for (i = 0; i < img.nlayers; i++)
		ev.size += img.layers[i].size;
	platform_format(&img.platform, plat, sizeof plat);
	ev.text = refname;
	ev.digest = img.manifest.digest;
	ev.index_digest = resolve_index(&img);
	ev.platform = plat;
	ev.count = (unsigned)img.nlayers;
	event_emit(&events, &ev);

	state_from_image(&rec, refname, &img, port_wall_s(), OCIPULL_VERSION);
	memset(&po, 0, sizeof po);
	po.stage.dest = dst.path;
	po.stage.record = &rec;
	po.stage.config_out = o->config_out;
	po.stage.keep_old = o->keep_old;
	po.stage.no_sync = o->no_sync;
	po.allow_foreign = o->allow_foreign;
	if (src->ctx == &mir) {
		po.reject = mirror_reject;
		po.reject_ctx = &mir;
	}
	return pull_image(src, &img, doc, config_len, &po, &pst, &events);
}

/* The --verify-key and --rekor-key files, read before anything is
 * fetched. Returns 0 or an exit code. */
static int
load_keys(const struct opts *o)
{
	unsigned i;
	int rc = ERR_OK;

	sigkeys_init(&keys);
	sigkeys_init(&logs);
	for (i = 0; i < o->nkeys && rc == ERR_OK; i++)
		rc = sigkeys_add(&keys, o->verify_key[i]);
	for (i = 0; i < o->nlogs && rc == ERR_OK; i++)
		rc = rekor_keys_add(&logs, o->rekor_key[i]);
	if (rc < 0) {
		sigkeys_free(&keys);
		sigkeys_free(&logs);
		return fail_with(ERR_USAGE, EXIT_USAGE);
	}
	return EXIT_OK;
}

/*
 * Resolve the reference to its manifest, check the signatures on it when
 * keys were given (before the config or a layer is fetched), then fetch
 * the config. inspect goes on after a signature failure to show what it
 * found, and fails at the end.
 */
static int
resolve_signed(const struct opts *o, const struct source *src,
    const struct ref *ref, const struct platform *want, size_t *config_len)
{
	char msg[ERR_MSG_MAX];
	const unsigned ntok = (unsigned)(sizeof tok / sizeof tok[0]);
	const struct sig_found *f;
	int rc, sig_rc;

	rc = resolve_manifests(src, ref, want, &img, doc, sizeof doc, tok, ntok);
	if (rc < 0)
		return rc;
	if (o->command == CLI_CHECK || (o->command == CLI_PULL && !o->force)) {
		uptodate = dst.current &&
		    strcmp(rec.manifest, img.manifest.digest) == 0;
		/* Nothing past the manifests; but with keys the signature is
		 * checked again (the record does not say by which keys). */
		if (o->command == CLI_CHECK || (uptodate && keys.n == 0))
			return ERR_OK;
	}
	if (keys.n == 0)
		return resolve_config(src, &img, doc, sizeof doc, tok, ntok,
		    config_len);
	sig_init(&sigs, &keys, o->signed_identity);
	sigs.logs = &logs;
	sigs.first_only = o->command == CLI_PULL;  /* the first one will do */
	sig_rc = sig_check_image(&sigs, src, &img, doc, sizeof doc, tok, ntok);
	f = report_first_verified(&rep);
	if (sig_rc == ERR_OK && f != NULL) {
		struct event ev;
		memset(&ev, 0, sizeof ev);
		ev.kind = EV_SIGNED;
		ev.digest = f->claim;
		ev.text = report_sig_key(&rep, f);
		ev.name = keys.key[f->key].kind;
		event_emit(&events, &ev);
	}
	if (sig_rc < 0 && (o->command == CLI_PULL || sig_rc != ERR_SIGNATURE))
		return sig_rc;
	if (uptodate)
		return ERR_OK;         /* signed, and DEST holds it */
	snprintf(msg, sizeof msg, "%s", err_msg());
	err_clear();
	rc = resolve_config(src, &img, doc, sizeof doc, tok, ntok, config_len);
	if (rc == ERR_OK && sig_rc < 0)
		return err_set(sig_rc, "%s", msg);
	return rc;
}

/* DEST, looked at before any network traffic: a usage error when a pull
 * could not use it (check and status only read its record). */
static int
probe_dest(const struct opts *o)
{
	int rc = dest_probe(&dst, o->dest, o->command == CLI_PULL, &rec, doc,
	    sizeof doc, tok, (unsigned)(sizeof tok / sizeof tok[0]));

	if (rc == ERR_OK && o->command == CLI_PULL)
		rc = dest_usable(&dst, o->force, o->keep_old);
	if (rc < 0)
		return fail_with(ERR_USAGE, EXIT_USAGE);
	return EXIT_OK;
}

/* " in index sha256:..." when the reference named an index, else "". */
static const char *
index_note(char *buf, size_t cap, const char *index)
{
	snprintf(buf, cap, "%s%s", index ? " in index " : "", index ? index : "");
	return buf;
}

/* pull and check: DEST already holds what the reference resolves to. */
static int
report_uptodate(const struct opts *o, const char *refname)
{
	char ix[100];
	const char *index = resolve_index(&img);

	if (o->command == CLI_CHECK && o->json) {
		progress_say(PORT_STDOUT, "{\"reference\":");
		report_json(refname);
		progress_say(PORT_STDOUT, ",\"dest\":");
		report_json(dst.path);
		progress_say(PORT_STDOUT, ",\"uptodate\":%s,\"manifest\":\"%s\","
		    "\"index\":", uptodate ? "true" : "false", img.manifest.digest);
		report_json(index);
		progress_say(PORT_STDOUT, ",\"installed\":");
		report_json(dst.recorded ? rec.manifest : NULL);
		progress_say(PORT_STDOUT, "}\n");
	} else if (o->command == CLI_CHECK && !uptodate) {
		progress_say(PORT_STDOUT, "update available: %s is %s%s; %s holds %s\n",
		    refname, img.manifest.digest, index_note(ix, sizeof ix, index),
		    o->dest, !dst.recorded ? "no image ocipull recorded" :
		    !dst.current ? "a tree its record does not describe" :
		    rec.manifest);
		return EXIT_UPDATE;
	} else if (o->command == CLI_CHECK) {
		progress_say(PORT_STDOUT, "up to date: %s holds %s (%s)%s\n", o->dest,
		    refname, img.manifest.digest, index_note(ix, sizeof ix, index));
	} else {
		progress_done(refname, img.manifest.digest, index, o->dest,
		    img.nlayers, 1);   /* JSON mode only */
	}
	if (o->command == CLI_PULL && !progress_json_on_stderr())
		progress_say(PORT_STDERR, "ocipull: %s is up to date: it holds %s (%s)%s; "
		    "nothing fetched\n", o->dest, refname, img.manifest.digest,
		    index_note(ix, sizeof ix, index));
	return uptodate ? EXIT_OK : EXIT_UPDATE;
}

/* pull: what DEST now holds. */
static void
report_pulled(const struct opts *o, const char *refname)
{
	char ix[100];
	const char *index = resolve_index(&img);

	if (pst.fs.skipped_devices > 0) {
		char w[80];
		snprintf(w, sizeof w, "%u device nodes skipped (not running as root)",
		    pst.fs.skipped_devices);
		progress_warning(w);
	}
	progress_done(refname, img.manifest.digest, index, o->dest, img.nlayers, 0);
	if (!progress_json_on_stderr())
		progress_say(PORT_STDERR, "ocipull: %s (%s%s, %zu layers) unpacked into "
		    "%s\n", refname, img.manifest.digest, index_note(ix, sizeof ix,
		    index), img.nlayers, o->dest);
	report_signed(&rep);
}

/* The source ref names: an OCI layout (oci:DIR), an archive
 * (oci-archive:, docker-archive:) or the registry, and the name it is
 * shown by in refname. Returns 0 or an exit code. */
static int
open_source(const struct opts *o, const struct ref *ref,
    const struct registry_opts *ro, struct secret *sec, struct source *src,
    char refname[REF_TEXT_MAX])
{
	int rc, kind;

	if (strncmp(o->reference, LAYOUT_PREFIX, 4) == 0) {
		memset(sec, 0, sizeof *sec);
		layout_ref_format(ref, refname, REF_TEXT_MAX);
		if ((rc = layout_open(&lay, ref->repo)) < 0)
			return fail(rc);
		source_layout(src, &lay);
		offline = "layout";
		return EXIT_OK;
	}
	if ((kind = archive_ref_kind(o->reference)) != 0) {
		memset(sec, 0, sizeof *sec);
		archive_ref_format(kind, ref, arc.want, refname, REF_TEXT_MAX);
		if ((rc = source_archive_open(&arc, kind, ref->repo, arc.want)) < 0)
			return fail(rc);
		source_archive(src, &arc);
		offline = "archive";
		return EXIT_OK;
	}
	if (o->insecure && !o->plain_http)
		progress_warning("--insecure: TLS certificates are not verified");
	if (mirror_config(&mirrors, o->mirror, o->nmirrors, o->hosts_dir,
	    ref->registry, doc, sizeof doc) < 0)
		return fail_with(ERR_USAGE, EXIT_USAGE);
	rc = registry_init(&reg, ref, ro);
	memset(sec, 0, sizeof *sec);
	/* registry_init reads the options, the environment and the auth file,
	 * and sends nothing: what it refuses is configuration, but for a
	 * credential helper that fails to give credentials (authentication,
	 * as docker reports it). */
	if (rc < 0)
		return fail_with(rc, rc == ERR_AUTH ? exit_code(rc) : EXIT_USAGE);
	if (reg.warning[0] != '\0')
		progress_warning(reg.warning);
	ref_format(ref, refname, REF_TEXT_MAX);
	reg.events = events;
	source_registry(src, &reg);
	if (mirrors.n > 0 || mirrors.has_server)
		mirror_wrap(&mir, &reg, &mirrors, &events, src);
	return EXIT_OK;
}

/* Close what open_source opened (nothing when it failed early). */
static void
close_source(const struct source *src)
{
	if (src->ctx == &lay)
		layout_close(&lay);
	else if (src->ctx == &arc)
		source_archive_close(&arc);
	else if (src->ctx == &reg || src->ctx == &mir)
		registry_close(&reg);
}

static int
cmd_run(const struct opts *o)
{
	struct ref ref;
	struct platform want;
	struct registry_opts ro;
	struct source src;
	struct secret sec;
	char refname[REF_TEXT_MAX];
	size_t config_len = 0;
	int rc, pull = o->command == CLI_PULL;

	/* Progress first: in JSON mode a configuration error is an event. */
	progress_init(o->progress >= 0 ? o->progress : !pull ? PROGRESS_NONE :
	    port_isatty((int)o->progress_fd) ? PROGRESS_TTY : PROGRESS_PLAIN,
	    (int)o->progress_fd);
	memset(&sec, 0, sizeof sec);
	rc = prepare(o, &ref, &want, &ro, &sec);
	if (rc == EXIT_OK && o->dest != NULL)
		rc = probe_dest(o);
	if (rc == EXIT_OK)
		rc = load_keys(o);
	if (rc != EXIT_OK)
		return rc;
	rc = open_source(o, &ref, &ro, &sec, &src, refname);
	if (rc != EXIT_OK)
		return rc;
	rc = resolve_signed(o, &src, &ref, &want, &config_len);
	if (rc == ERR_OK && pull && !uptodate)
		rc = run_pull(o, &src, refname, config_len);
	close_source(&src);
	if (o->stats)
		print_stats(pull);
	if (o->command == CLI_INSPECT && (rc == ERR_OK || rc == ERR_SIGNATURE))
		report_inspect(&rep, o->json, refname);   /* what was found, then the verdict */
	if (rc < 0)
		return fail(rc);
	if (o->command == CLI_CHECK || uptodate)
		return report_uptodate(o, refname);
	if (pull)
		report_pulled(o, refname);
	return EXIT_OK;
}

/* fetch: the image into a layout or a layout tar (fetch.h). */
static int
cmd_fetch(const struct opts *o)
{
	const unsigned ntok = (unsigned)(sizeof tok / sizeof tok[0]);
	struct fetch_target t;
	struct fetch_opts fo;
	struct ref ref;
	struct platform want;
	struct registry_opts ro;
	struct source src;
	struct secret sec;
	char refname[REF_TEXT_MAX];
	size_t config_len;
	int rc;

	progress_init(o->progress >= 0 ? o->progress : port_isatty((int)
	    o->progress_fd) ? PROGRESS_TTY : PROGRESS_PLAIN, (int)o->progress_fd);
	memset(&sec, 0, sizeof sec);
	rc = prepare(o, &ref, &want, &ro, &sec);
	if (rc != EXIT_OK)
		return rc;
	if (fetch_target_parse(&t, o->dest) < 0)
		return fail_with(ERR_USAGE, EXIT_USAGE);
	if (t.kind == FETCH_TO_STDOUT && o->progress_fd == PORT_STDOUT)
		return usage_error("--progress-fd 1 would go into the archive on "
		    "the standard output", NULL);
	/* The target before any traffic: a usage error leaves nothing. */
	rc = fetch_out_open(&fet.out, &t, PORT_STDOUT, o->no_sync, doc,
	    sizeof doc, tok, ntok);
	if (rc < 0)
		return fail(rc);
	rc = open_source(o, &ref, &ro, &sec, &src, refname);
	if (rc != EXIT_OK) {
		fetch_out_abort(&fet.out);
		return rc;
	}
	memset(&fo, 0, sizeof fo);
	fo.all_platforms = o->all_platforms;
	fo.allow_foreign = o->allow_foreign;
	fo.refname = refname;
	fo.tag = t.tag[0] ? t.tag : ref.tag;
	rc = o->all_platforms ? ERR_OK : resolve_image(&src, &ref, &want, &img,
	    doc, sizeof doc, tok, ntok, &config_len);
	if (rc == ERR_OK)
		rc = fetch_image(&fet, &src, &ref, o->all_platforms ? NULL : &img,
		    &fo, doc, sizeof doc, tok, ntok, &events);
	else
		fetch_out_abort(&fet.out);
	close_source(&src);
	if (o->stats) {
		stat_line("fetched %llu bytes (%llu in blobs, resumed %u, "
		    "refetched %llu); wrote %llu bytes: %u blobs, %u kept from the "
		    "layout", (unsigned long long)reg.bytes_in,
		    (unsigned long long)fet.bytes_fetched, fet.resumes,
		    (unsigned long long)fet.refetched,
		    (unsigned long long)fet.out.written, fet.out.stored,
		    fet.out.kept);
		print_stats(0);
	}
	if (rc < 0)
		return fail(rc);
	report_fetched(&fet, refname, o->dest);
	return EXIT_OK;
}

/* status: the state record beside DEST. */
static int
cmd_status(const struct opts *o)
{
	char where[BOARD_PATH_MAX + 300];
	long n;
	size_t i;

	if (dest_probe(&dst, o->dest, 0, &rec, doc, sizeof doc, tok,
	    (unsigned)(sizeof tok / sizeof tok[0])) < 0)
		return fail_with(ERR_USAGE, EXIT_USAGE);
	dest_record_path(&dst, where, sizeof where);
	if (!dst.recorded) {
		progress_say(PORT_STDERR, "ocipull: %s: %s %s\n", o->dest,
		    dst.record_file ? "unreadable state record" : "no state record "
		    "(ocipull has not pulled into it):", where);
		return EXIT_FAILURE_OTHER;
	}
	if (o->json) {
		n = state_format(&rec, doc, sizeof doc);
		if (n < 2)
			return fail((int)n);
		progress_say(PORT_STDOUT, "%.*s,\"dest\":", (int)n - 2, doc);
		report_json(dst.path);
		progress_say(PORT_STDOUT, ",\"current\":%s}\n", dst.current ? "true" :
		    "false");
		return EXIT_OK;
	}
	progress_say(PORT_STDOUT, "dest       %s%s\n", dst.path, dst.mount ?
	    " (mount point)" : "");
	progress_say(PORT_STDOUT, "reference  %s\n", rec.reference);
	progress_say(PORT_STDOUT, "index      %s\n", rec.index[0] ? rec.index : "-");
	progress_say(PORT_STDOUT, "manifest   %s\n", rec.manifest);
	progress_say(PORT_STDOUT, "config     %s\n", rec.config);
	progress_say(PORT_STDOUT, "platform   %s\n", rec.platform);
	for (i = 0; i < rec.nlayers; i++)
		progress_say(PORT_STDOUT, "layer %-4zu %s\n", i + 1, rec.layers[i]);
	progress_say(PORT_STDOUT, "pulled     %s by ocipull %s\n", rec.time,
	    rec.version);
	progress_say(PORT_STDOUT, "current    %s\n", dst.current ? "yes" : "no: the "
	    "tree in DEST is not the one this record describes (replaced since, "
	    "or a pull was cut off after its switch)");
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int rc;

	err_clear();
	port_ignore_broken_pipe();    /* fetch - | ...: a gone reader is an error */
	/* The malloc arena must hold a TLS connection: find out now, not in
	 * the middle of a pull. */
	{
		struct port_heap_stats h;
		port_heap_stats(&h);
		if (h.size != 0 && h.size < TLS_HEAP_MIN) {
			progress_say(PORT_STDERR, "ocipull: the malloc arena (%zu bytes, "
			    "BOARD_HEAP_SIZE) is smaller than one TLS connection needs "
			    "(%u)\n", h.size, TLS_HEAP_MIN);
			return EXIT_FAILURE_OTHER;
		}
	}
	rc = cli_parse(argc, argv, &o);
	usage_cmd = o.command;
	if (rc == CLI_ERROR)
		return usage_error(err_msg(), NULL);
	if (rc == CLI_VERSION) {
		print_version();
		return EXIT_OK;
	}
	if (rc == CLI_HELP) {
		static char help[8192];
		port_out(PORT_STDOUT, help, cli_help(o.help_for, help, sizeof help));
		return EXIT_OK;
	}
	rc = o.command == CLI_STATUS ? cmd_status(&o) : o.command == CLI_FETCH ?
	    cmd_fetch(&o) : cmd_run(&o);
	/* After the report: inspect and pull name the keys that verified. */
	sigkeys_free(&keys);
	sigkeys_free(&logs);
	return rc;
}
