/*
 * auth.h: the pure parts of registry authentication. Nothing here does
 * I/O: the HTTP client (registry) hands in header values and documents it
 * received and sends the strings built here.
 *
 * - auth_parse_challenges() reads one WWW-Authenticate header value
 *   (RFC 9110 section 11) into Basic and Bearer challenges;
 * - auth_token_reply() reads a token server's JSON reply (distribution
 *   token spec) into a bearer token and its lifetime;
 * - auth_basic() builds the "Basic <base64(user:pass)>" header value;
 * - auth_config_lookup() finds a registry's credentials in a docker
 *   config.json kept whole in memory;
 * - auth_scope() builds the scope of a pull token request;
 * - auth_may_send() decides whether credentials may go to a host;
 * - auth_b64_encode()/auth_b64_decode(): RFC 4648 base64, standard
 *   alphabet, with padding.
 *
 * Memory: the caller owns every buffer; strings handed in are counted
 * (pointer, length) unless the prototype takes a NUL-terminated name, and
 * are never written to. Outputs are NUL-terminated copies in caller
 * buffers of the given capacity (NUL included). The JSON functions take a
 * caller token array (BOARD_JSON_TOKENS entries in the program) so nothing
 * large sits on the stack. On failure the functions that copy secrets
 * (config lookup, token reply) leave their output buffers zeroed.
 *
 * There is no order of calls: each function stands alone. A typical pull:
 * request without credentials; on 401, auth_parse_challenges() on each
 * WWW-Authenticate value; for Bearer, build the token URL from realm,
 * service and auth_scope(), send Basic credentials from the command line
 * or auth_config_lookup() (only where auth_may_send() allows), and read the
 * reply with auth_token_reply(); for Basic, send auth_basic() directly.
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

/* Longest registry host[:port] or config.json key compared. */
#define AUTH_HOST_MAX 512u

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
 * Base64 of in[0..n) into out, NUL-terminated, with '=' padding. Returns
 * the length written (without the NUL), or ERR_NOMEM when cap is less
 * than 4 * ceil(n / 3) + 1.
 */
long auth_b64_encode(const void *in, size_t n, char *out, size_t cap);

/*
 * Decode base64 in[0..n) into out[0..cap) (binary, not NUL-terminated).
 * Strict: n must be a multiple of 4, only the standard alphabet, '=' only
 * as the last one or two characters, zero bits before the padding, no
 * white space. Returns the number of bytes written, ERR_FORMAT (message
 * gives the offset) or ERR_NOMEM when the result exceeds cap.
 */
long auth_b64_decode(const char *in, size_t n, void *out, size_t cap);

/*
 * The Authorization value "Basic <base64(user:pass)>" into out,
 * NUL-terminated. Returns its length, ERR_USAGE for a user containing ':'
 * or a control character (or empty) or a password containing a control
 * character, ERR_NOMEM when cap is too small.
 */
long auth_basic(const char *user, const char *pass, char *out, size_t cap);

/*
 * Find the credentials for registry (host[:port], e.g. "docker.io",
 * "localhost:5000") in the docker config.json doc[0..len), parsed with the
 * caller's tok[0..ntok).
 *
 * Keys of "auths" match as docker matches them: for Docker Hub (registry
 * "docker.io", "index.docker.io" or "registry-1.docker.io") the keys
 * "https://index.docker.io/v1/", "index.docker.io", "docker.io",
 * "registry-1.docker.io"; otherwise a key equal to registry after removing
 * an optional "http://" or "https://" and an optional "/", "/v1", "/v1/",
 * "/v2" or "/v2/" suffix; hosts compare case-insensitively. An exact key
 * ("https://index.docker.io/v1/" for the Hub, registry itself otherwise)
 * is preferred, then the first match in the document; the same matching
 * key twice is refused.
 *
 * The entry's "auth" (base64 of user:password, split at the first ':') is
 * used, or "username" and "password" when "auth" is absent or "".
 * credHelpers, credsStore and identitytoken are not used (see
 * auth_config_helper()).
 *
 * Returns ERR_OK with user and pass filled; ERR_NOENT, without message,
 * when there is no "auths", no matching key or a matching entry without
 * credentials ({} as written when a credsStore holds them); ERR_FORMAT
 * for a malformed file or entry (the message names the key); ERR_NOMEM
 * when the file exceeds BOARD_JSON_MAX or ntok, or user or password do
 * not fit in ucap or pcap.
 */
int auth_config_lookup(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *registry, char *user, size_t ucap,
    char *pass, size_t pcap);

/*
 * Whether config.json doc names a credential helper for registry: 1 when
 * "credsStore" is a non-empty string or "credHelpers" has a key matching
 * registry (same rule as auth_config_lookup()), 0 when not, ERR_FORMAT or
 * ERR_NOMEM as auth_config_lookup(). For a note after ERR_NOENT.
 */
int auth_config_helper(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *registry);

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

#endif /* AUTH_H */
