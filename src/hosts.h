/*
 * hosts.h: which mirrors a pull may use, from `--mirror` arguments and
 * from containerd's hosts.toml (a documented subset).
 *
 *     --mirror [http://|https://]HOST[:PORT][/PREFIX]
 *
 * is a mirror that serves pulls (blobs and manifests by digest, never
 * tags), over https unless http:// is given; PREFIX is a repository
 * prefix on the mirror (a Harbor proxy project): REPO is asked for as
 * PREFIX/REPO.
 *
 *     DIR/REGISTRY/hosts.toml, else DIR/_default/hosts.toml
 *
 * (DIR from --hosts-dir, REGISTRY as the reference names it:
 * "docker.io", "localhost:5000") holds, in this order of use:
 *
 *     server = "https://registry.example.com"       # optional: the origin
 *     [host."https://mirror.example.com"]           # one table per mirror
 *       capabilities = ["pull", "resolve"]          # default ["pull"]
 *       skip_verify = false                         # default false
 *       ca = "/etc/certs/mirror.pem"                # relative: to the file's
 *                                                   # directory
 *       override_path = false                       # default false
 *
 * A host URL's path is the API root's prefix ("/us" asks "/us/v2/REPO/...")
 * or, with override_path = true, the API root itself. Anything else (other
 * keys, tables, escapes, multi-line arrays, a capability that is not pull,
 * resolve or push) is an error naming the file, the line and the key.
 *
 * struct hosts is caller-owned, fixed in size (BOARD_MIRRORS_MAX mirrors),
 * and holds no pointers. Order: hosts_init, then hosts_add_flag for each
 * --mirror and hosts_load (or hosts_parse) for the file; the mirrors keep
 * that order. Every function returns ERR_OK or ERR_USAGE with a message.
 */
#ifndef HOSTS_H
#define HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ref.h"

/* What a mirror may serve: blobs and manifests by digest; tags (and the
 * referrers listing, which no digest names). */
enum { MIRROR_PULL = 1u << 0, MIRROR_RESOLVE = 1u << 1 };

/* Longest API root or repository prefix, and longest CA file path. */
#define HOSTS_PATH_MAX 128u
#define HOSTS_FILE_PATH_MAX 512u

struct mirror_host {
	char name[REF_HOST_PORT_MAX];   /* "host[:port]": messages, and the
	                                 * config.json entry of its credentials */
	char host[256];                 /* to connect to; IPv6 without brackets */
	uint16_t port;
	int https;
	unsigned caps;                  /* MIRROR_* */
	int skip_verify;                /* https without certificate checks */
	char root[HOSTS_PATH_MAX];      /* API root: "/v2", "/us/v2", ... */
	char prefix[HOSTS_PATH_MAX];    /* repository prefix, or "" */
	char ca[HOSTS_FILE_PATH_MAX];   /* CA file, or "" for the pull's own */
	char from[HOSTS_FILE_PATH_MAX + 16]; /* "--mirror" or "FILE:LINE" */
};

struct hosts {
	unsigned n;
	struct mirror_host m[BOARD_MIRRORS_MAX];
	int has_server;                 /* hosts.toml named the origin */
	struct mirror_host server;      /* its scheme, host and port */
	char file[HOSTS_FILE_PATH_MAX]; /* the hosts.toml read, or "" */
};

void hosts_init(struct hosts *h);

/* One --mirror argument, after the mirrors already there. */
int hosts_add_flag(struct hosts *h, const char *arg);

/*
 * The text of a hosts.toml (len bytes; file names it in messages, and
 * relative ca paths are taken from its directory). Its hosts come after
 * the mirrors already there.
 */
int hosts_parse(struct hosts *h, const char *text, size_t len,
    const char *file);

/*
 * Read dir/registry/hosts.toml, else dir/_default/hosts.toml, into buf
 * (cap bytes) and parse it; neither there is no error (no mirrors from
 * the file). dir must be a directory; each ca file must be readable.
 */
int hosts_load(struct hosts *h, const char *dir, const char *registry,
    char *buf, size_t cap);

#endif /* HOSTS_H */
