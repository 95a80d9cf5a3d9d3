/*
 * ref.h: container image references: parse, normalise and format them.
 *
 * Grammar (as docker and docker/distribution read it):
 *
 *     [REGISTRY[:PORT]/]PATH[:TAG][@sha256:HEX]
 *
 * The first '/'-separated component is the registry when it contains '.'
 * or ':', is exactly "localhost", or is a bracketed IPv6 literal; otherwise
 * the registry is Docker Hub. Normalisation follows docker:
 *
 *     nginx                -> docker.io/library/nginx:latest
 *     user/app             -> docker.io/user/app:latest
 *     index.docker.io/x    -> docker.io/library/x:latest
 *     localhost:5000/a@D   -> localhost:5000/a@D       (no tag, no "latest")
 *
 * Docker Hub keeps the registry name "docker.io" (for display and for
 * credential lookup) and connects to registry-1.docker.io port 443. A tag
 * and a digest may both be given: both are kept, the digest decides what is
 * pulled and the tag is only shown. "latest" is added only when neither
 * was given. Only sha256 digests are accepted.
 *
 * Memory: struct ref is a plain, fixed-size struct the caller owns; it
 * holds NUL-terminated copies, no pointers, and may be copied freely.
 * Nothing is allocated. Calls: ref_parse() once, then read the fields or
 * use ref_format() / ref_host_port() to write them into caller buffers.
 */
#ifndef REF_H
#define REF_H

#include <stddef.h>
#include <stdint.h>

/* Longest reference text ref_parse() looks at. */
#define REF_INPUT_MAX 512u
/* Longest repository name, "registry/path" after normalisation (docker). */
#define REF_NAME_MAX 255u
/* Longest tag. */
#define REF_TAG_MAX 128u
/* Length of "sha256:" and 64 hex digits. */
#define REF_DIGEST_LEN 71u
/* Buffer that always holds ref_format()'s text and its NUL. */
#define REF_TEXT_MAX (REF_NAME_MAX + 1u + REF_TAG_MAX + 1u + REF_DIGEST_LEN + 1u)
/* Buffer that always holds ref_host_port()'s text and its NUL. */
#define REF_HOST_PORT_MAX (REF_NAME_MAX + 2u + 6u + 1u)

struct ref {
	/* Registry as normalised, for display and credentials: "docker.io",
	 * "localhost:5000", "[::1]:5000", "Host.Example.com" (case kept). */
	char registry[REF_NAME_MAX + 1];
	/* Host to connect to, IPv6 without brackets: "registry-1.docker.io",
	 * "::1", "127.0.0.1". */
	char host[REF_NAME_MAX + 1];
	/* Port given in the reference, 443 for Docker Hub, 0 when none was
	 * given (the scheme's default applies). */
	uint16_t port;
	/* Repository path: "library/nginx", "user/app", "a/b/c". */
	char repo[REF_NAME_MAX + 1];
	/* Tag, "" when only a digest was given. */
	char tag[REF_TAG_MAX + 1];
	/* "sha256:<64 lowercase hex>", or "". */
	char digest[REF_DIGEST_LEN + 1];
};

/*
 * Parse the NUL-terminated reference s into r (overwritten). Returns
 * ERR_OK, or ERR_USAGE with an err_set() message naming the bad part
 * (registry, port, path, tag or digest) and quoting the reference; r is
 * then all zero. Refused besides grammar errors: empty input, white space,
 * control and non-ASCII bytes, a "scheme://", more than REF_INPUT_MAX
 * characters, a repository name longer than REF_NAME_MAX.
 */
int ref_parse(struct ref *r, const char *s);

/*
 * Write "registry/repo[:tag][@digest]" into buf, as snprintf: at most
 * cap - 1 characters and a NUL when cap > 0 (buf may be NULL when cap is
 * 0). Returns the full length, so a result >= cap means it was cut;
 * REF_TEXT_MAX always suffices.
 */
size_t ref_format(const struct ref *r, char *buf, size_t cap);

/*
 * Write the HTTP Host header value and credential key of r's registry:
 * "localhost:5000", "[::1]:5000", "[2001:db8::1]", "registry-1.docker.io"
 * (the port is left out when none was given, and for Docker Hub). Same
 * snprintf-like contract and return as ref_format(); REF_HOST_PORT_MAX
 * always suffices.
 */
size_t ref_host_port(const struct ref *r, char *buf, size_t cap);

/* 1 when r names a repository on Docker Hub (registry "docker.io"), else 0.
 * Credential stores key Docker Hub as "https://index.docker.io/v1/". */
int ref_is_hub(const struct ref *r);

/* 1 when s[0..n) is exactly "sha256:" and 64 lowercase hex digits, else 0. */
int ref_digest_valid(const char *s, size_t n);

#endif /* REF_H */
