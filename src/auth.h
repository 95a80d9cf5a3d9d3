/*
 * auth.h: the pure parts of registry authentication. Nothing here does
 * I/O: the HTTP client (registry) hands in header values and documents it
 * received and sends the strings built here.
 *
 * - auth_parse_challenges() reads one WWW-Authenticate header value
 *   (RFC 9110 section 11) into Basic and Bearer challenges;
 * - auth_token_reply() reads a token server's JSON reply (distribution
 *   token spec) into a bearer token and its lifetime;
 * - auth_scope() builds the scope of a pull token request;
 * - auth_may_send() decides whether credentials may go to a host;
 * - auth_realm_may_send() whether they may go to a token realm.
 *
 * The credentials themselves (Basic, config.json, base64) are in
 * auth_cred.h.
 *
 * Memory: the caller owns every buffer; strings handed in are counted
 * (pointer, length) unless the prototype takes a NUL-terminated name, and
 * are never written to. Outputs are NUL-terminated copies in caller
 * buffers of the given capacity (NUL included). auth_token_reply() takes a
 * caller token array (BOARD_JSON_TOKENS entries in the program) so nothing
 * large sits on the stack, and leaves its output buffer zeroed on failure
 * (the token is a secret).
 *
 * There is no order of calls: each function stands alone. A typical pull:
 * request without credentials; on 401, auth_parse_challenges() on each
 * WWW-Authenticate value; for Bearer, build the token URL from realm,
 * service and auth_scope(), send Basic credentials from the command line
 * or auth_config_lookup() (only where auth_may_send() allows), and read the
 * reply with auth_token_reply(); for Basic, send auth_basic() directly
 * (both in auth_cred.h).
 *
 * Every failure returns a negative ERR_* code with an err_set() message
 * naming the bad part (byte offset, field, config.json key).
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* Challenge schemes we act on; the others are parsed and skipped. */
enum { AUTH_NONE = 0, AUTH_BASIC = 1, AUTH_BEARER = 2 };

/* Caps of the challenge parser (input it refuses beyond them). */
#define AUTH_NAME_MAX 64u          /* scheme and parameter names */
#define AUTH_VALUE_MAX 4096u       /* values of parameters we do not keep */
#define AUTH_CHALLENGES_MAX 16u    /* challenges in one header value */
#define AUTH_PARAMS_MAX 32u        /* parameters in one challenge */

/* Token lifetime when the reply has none, and the least we accept. */
#define AUTH_TOKEN_EXPIRES_MIN 60u

/*
 * One challenge. Strings are NUL-terminated, quoted-string escapes
 * removed; a parameter that was absent is "". Basic fills realm only.
 * A Bearer challenge may come without realm: the caller must refuse an
 * empty realm before asking for a token.
 */
struct auth_challenge {
	int scheme;             /* AUTH_BASIC or AUTH_BEARER */
	char realm[512];
	char service[256];
	char scope[512];        /* the first scope parameter */
};

/*
 * Parse the header value hdr[0..len) (at most BOARD_HTTP_LINE_MAX bytes).
 * Fills out[0..max) with the Basic and Bearer challenges in header order;
 * unknown schemes (with their token68 or parameters) are skipped, and
 * recognised challenges beyond max are checked but not stored. Scheme and
 * parameter names are case-insensitive. A duplicate realm or service in
 * one challenge is refused; of several scope parameters the first is kept.
 * Returns the number of challenges stored (0 for an empty value), or
 * ERR_PROTO: bad syntax, an unterminated quoted string, a parameter
 * without value, a value longer than its field, a token68 given to Basic
 * or Bearer, more than AUTH_CHALLENGES_MAX challenges.
 */
int auth_parse_challenges(const char *hdr, size_t len,
    struct auth_challenge *out, size_t max);

/*
 * Read a token server reply doc[0..len) (a JSON object) with the caller's
 * tok[0..ntok). The token is "token", or "access_token" when "token" is
 * absent or empty; it must be non-empty and token68 (letters, digits,
 * "-._~+/", then only '='), which JWTs are. *expires_in gets
 * "expires_in" in seconds: AUTH_TOKEN_EXPIRES_MIN when absent, raised to
 * it when smaller. Returns ERR_OK; ERR_PROTO for invalid JSON, no token,
 * an empty or non-token68 token, an expires_in that is not an integer in
 * 0..UINT32_MAX, a duplicate key; ERR_NOMEM when the token does not fit in
 * cap or the reply exceeds BOARD_JSON_MAX or ntok tokens.
 */
int auth_token_reply(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, char *token, size_t cap, uint32_t *expires_in);

/*
 * The pull scope "repository:<repo>:pull" into out, NUL-terminated.
 * Returns its length, ERR_USAGE when repo is empty, longer than 255, or
 * has a character outside [a-z0-9._/-] or a leading or trailing '/',
 * ERR_NOMEM when cap is too small.
 */
long auth_scope(const char *repo, char *out, size_t cap);

/*
 * 1 when credentials meant for the registry may be sent to the target,
 * else 0: the hosts are equal (ASCII case-insensitive, non-empty), the
 * ports are equal and non-zero (the caller fills in the default port),
 * and the registry is not https while the target is plain http.
 */
int auth_may_send(int registry_https, const char *registry_host,
    uint16_t registry_port, int target_https, const char *target_host,
    uint16_t target_port);

/*
 * 1 when the registry's credentials may go to the token realm that the
 * registry's OWN 401 named (the caller asks only for a challenge in a
 * response from the registry's origin, never for one from a redirect
 * target or a foreign layer's host, whose realms get no credentials), else
 * 0. An https registry's credentials go to an https realm on any host, as
 * docker and containerd send them (registry.gitlab.com names gitlab.com,
 * Docker Hub auth.docker.io), never to a plain http realm. A plain http
 * registry's go only to a realm on its own host (any port or scheme).
 * Hosts compare ASCII case-insensitively; empty hosts get nothing.
 */
int auth_realm_may_send(int registry_https, const char *registry_host,
    int realm_https, const char *realm_host);

#endif /* AUTH_H */
