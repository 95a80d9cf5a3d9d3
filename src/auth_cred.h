/*
 * auth_cred.h: registry credentials, as pure functions: the Basic
 * Authorization value, the lookup of a registry's entry in docker's
 * config.json, and the RFC 4648 base64 (standard alphabet, with padding)
 * they are written in. Nothing here does I/O: the registry client reads
 * config.json whole into memory and sends the strings built here.
 *
 * Memory: the caller owns every buffer; input is never written to;
 * outputs are NUL-terminated copies in caller buffers of the given
 * capacity (NUL included) unless a function says it writes binary. The
 * config.json functions take a caller token array (BOARD_JSON_TOKENS
 * entries in the program) so nothing large sits on the stack, and
 * auth_config_lookup() leaves user and password zeroed on failure.
 *
 * There is no order of calls: each function stands alone. Which host may
 * receive the credentials is auth_may_send()'s decision (auth.h). Every
 * failure returns a negative ERR_* code with an err_set() message naming
 * the bad part (byte offset, config.json key), except the ERR_NOENT of a
 * lookup that finds nothing.
 */
#ifndef AUTH_CRED_H
#define AUTH_CRED_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* Longest registry host[:port] or config.json key compared. */
#define AUTH_HOST_MAX 512u

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
 * identitytoken is not used; credHelpers and credsStore are
 * auth_config_helper()'s (the caller asks a helper first).
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
 * The credential helper config.json doc names for registry (same key
 * matching as auth_config_lookup()): "credHelpers"[registry] first, else
 * "credsStore", as docker's order is. Returns 1 with its name (NAME of the
 * program docker-credential-NAME) in name[0..cap), 0 when there is none
 * (absent or ""), ERR_FORMAT for a name that is not a string or holds a
 * character outside letters, digits and "._-", or errors as
 * auth_config_lookup().
 */
int auth_config_helper(const char *doc, size_t len, jsmntok_t *tok,
    unsigned ntok, const char *registry, char *name, size_t cap);

/*
 * The server URL a credential helper is asked about for registry, as
 * docker writes it: "https://index.docker.io/v1/" for Docker Hub,
 * registry (host[:port]) otherwise. Returns its length or ERR_NOMEM.
 */
long auth_helper_server(const char *registry, char *out, size_t cap);

/*
 * Read what `docker-credential-NAME get` wrote, out[0..len), and its exit
 * status, with the caller's tok[0..ntok); helper names the program in
 * messages. Exit 0: a JSON object with string "Username" and "Secret"
 * ("ServerURL" is not used). Returns ERR_OK with user and pass filled;
 * ERR_NOENT, without message, when the helper has no credentials (exit
 * status not 0 and the output "credentials not found in native keychain",
 * or both fields empty); ERR_AUTH for another failure (the message quotes
 * its output), a reply that is not such an object, a field with a control
 * character, a user name with ':', and for the user name "<token>" (the
 * secret is then an OAuth identity token, which is not used); ERR_NOMEM
 * when a field does not fit ucap or pcap. user and pass are zeroed on
 * failure.
 */
int auth_helper_reply(const char *out, size_t len, int status, jsmntok_t *tok,
    unsigned ntok, const char *helper, char *user, size_t ucap, char *pass,
    size_t pcap);

/*
 * Where docker keeps config.json when no file is named:
 * $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json, into path.
 * Returns 1, or 0 when neither variable is set (no file to read).
 */
int auth_config_default(char *path, size_t cap);

#endif /* AUTH_CRED_H */
