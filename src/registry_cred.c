/*
 * registry_cred.c: where the registry's credentials come from (see
 * registry.h): --username, else docker's config.json, whose credential
 * helper for the registry (credHelpers, then credsStore) is asked first,
 * and whose auths entry is read when no helper applies.
 */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "auth_cred.h"
#include "err.h"
#include "port.h"

/* A config.json that cannot be used: an error when --auth-file named it;
 * the default one only costs its credentials (r->warning says why, main
 * prints it) and the pull goes on without them, as docker does. */
static int
config_unusable(struct registry *r, int rc, const char *file)
{
	if (r->opt.auth_file != NULL)
		return err_prefix(rc, "auth file %s", file);
	snprintf(r->warning, sizeof r->warning, "ignoring %s: %s; going on "
	    "without its credentials", file, err_msg());
	err_clear();
	return ERR_OK;
}

/*
 * Ask docker-credential-NAME (prog) for the registry's credentials, as
 * docker does: `prog get`, the server URL on its standard input, JSON on
 * its output. The receive buffer is idle before the first request: the
 * answer goes there, and is wiped after. ERR_NOENT: it has none.
 */
static int
run_helper(struct registry *r, const char *prog, char *user, size_t ucap,
    char *pass, size_t pcap)
{
	char server[AUTH_HOST_MAX + 32], *out = (char *)r->rbuf;
	size_t n = 0;
	int status = -1, rc;
	long sl;

	sl = auth_helper_server(r->ref->registry, server, sizeof server);
	if (sl < 0)
		return (int)sl;
	rc = port_run(prog, "get", server, (size_t)sl, out,
	    BOARD_CRED_HELPER_OUT, BOARD_CRED_HELPER_TIMEOUT_MS, &n, &status);
	if (rc < 0)
		rc = err_prefix(ERR_AUTH, "credential helper");
	else
		rc = auth_helper_reply(out, n, status, r->tok,
		    (unsigned)(sizeof r->tok / sizeof r->tok[0]), prog, user, ucap,
		    pass, pcap);
	memset(out, 0, BOARD_CRED_HELPER_OUT);
	return rc;
}

/* Credentials from docker's config.json, when there are any for us. */
static int
load_config(struct registry *r)
{
	char path[512], user[256], pass[BOARD_SECRET_MAX], name[64], prog[96];
	const char *file = r->opt.auth_file;
	const unsigned ntok = (unsigned)(sizeof r->tok / sizeof r->tok[0]);
	long len;
	int rc;

	if (file == NULL) {
		if (!auth_config_default(path, sizeof path))
			return ERR_OK;
		file = path;
	}
	len = port_fs_read_file(PORT_CWD, file, r->small, sizeof r->small);
	if (len == ERR_NOENT && r->opt.auth_file == NULL) {
		err_clear();
		return ERR_OK;
	}
	if (len < 0)
		return config_unusable(r, (int)len, file);
	rc = auth_config_helper(r->small, (size_t)len, r->tok, ntok,
	    r->ref->registry, name, sizeof name);
	if (rc < 0)
		return config_unusable(r, rc, file);
	prog[0] = '\0';
	if (rc == 1) {
		snprintf(prog, sizeof prog, "docker-credential-%s", name);
		rc = run_helper(r, prog, user, sizeof user, pass, sizeof pass);
	} else {
		rc = auth_config_lookup(r->small, (size_t)len, r->tok, ntok,
		    r->ref->registry, user, sizeof user, pass, sizeof pass);
	}
	if (rc == ERR_NOENT) {
		err_clear();
		/* Anonymous; an auth failure will say the helper had none. */
		if (prog[0] != '\0')
			snprintf(r->creds_source, sizeof r->creds_source, "%s", prog);
		r->creds_helper = prog[0] != '\0';
		return ERR_OK;
	}
	if (rc == ERR_OK && auth_basic(user, pass, r->basic, sizeof r->basic) < 0)
		rc = ERR_FORMAT;
	memset(pass, 0, sizeof pass);
	if (rc < 0) {
		r->basic[0] = '\0';
		return config_unusable(r, rc, file);
	}
	if (prog[0] != '\0')
		snprintf(r->creds_source, sizeof r->creds_source, "%s (named in %.400s)",
		    prog, file);
	else
		snprintf(r->creds_source, sizeof r->creds_source, "%s", file);
	return ERR_OK;
}

int
registry_load_creds(struct registry *r)
{
	const struct registry_opts *o = &r->opt;

	if (o->username != NULL) {
		if (auth_basic(o->username, o->password ? o->password : "",
		    r->basic, sizeof r->basic) < 0)
			return err_prefix(ERR_USAGE, "--username");
		snprintf(r->creds_source, sizeof r->creds_source, "--username");
		return ERR_OK;
	}
	return load_config(r);
}

/* Two optional file names are the same (both absent, or equal). */
static int
same_file(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void
registry_retarget(struct registry *r, const struct ref *ref,
    const struct registry_opts *opts, const char *root)
{
	const struct registry_opts *o = &r->opt;

	registry_disconnect(r);
	if (o->insecure != opts->insecure || !same_file(o->ca_file, opts->ca_file) ||
	    !same_file(o->cert_file, opts->cert_file) ||
	    !same_file(o->key_file, opts->key_file))
		conn_tls_free(&r->tls);
	r->ref = ref;
	r->opt = *opts;
	r->base.https = !opts->plain_http;
	snprintf(r->base.host, sizeof r->base.host, "%s", ref->host);
	r->base.port = ref->port != 0 ? ref->port : (r->base.https ? 443 : 80);
	snprintf(r->root, sizeof r->root, "%s", root);
	r->auth = REG_AUTH_ANON;
	memset(r->basic, 0, sizeof r->basic);
	memset(r->bearer, 0, sizeof r->bearer);
	r->bearer_until_ms = 0;
	r->creds_source[0] = '\0';
	r->creds_helper = 0;
}

void
registry_auth_save(const struct registry *r, struct registry_auth *a)
{
	a->auth = r->auth;
	memcpy(a->basic, r->basic, sizeof a->basic);
	memcpy(a->bearer, r->bearer, sizeof a->bearer);
	a->bearer_until_ms = r->bearer_until_ms;
	memcpy(a->creds_source, r->creds_source, sizeof a->creds_source);
	a->creds_helper = r->creds_helper;
}

void
registry_auth_restore(struct registry *r, const struct registry_auth *a)
{
	r->auth = a->auth;
	memcpy(r->basic, a->basic, sizeof r->basic);
	memcpy(r->bearer, a->bearer, sizeof r->bearer);
	r->bearer_until_ms = a->bearer_until_ms;
	memcpy(r->creds_source, a->creds_source, sizeof r->creds_source);
	r->creds_helper = a->creds_helper;
}
