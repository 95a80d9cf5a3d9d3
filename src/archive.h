/*
 * archive.h: the members of an outer tar archive (an oci-archive or a
 * docker-archive), read from a file in any order or from a pipe in the
 * order they come.
 *
 * A file (or a standard input redirected from one) is indexed once when
 * opened: every header is read, the data is skipped with a seek, and each
 * member's name, size and data offset go into a fixed table. That pass
 * also refuses a hostile or broken archive before anything is pulled (see
 * the rules below). Members are then read with pread, from any offset.
 *
 * A pipe is read forward only. A member is looked for by reading on until
 * it comes; members passed on the way are kept in a fixed store when they
 * are small (documents: index.json, manifests, configs) and otherwise only
 * remembered as passed; a member that is read is kept too when it fits
 * (a manifest may list a layer twice). Asking for a passed member is the
 * error "cannot be streamed", naming the member and suggesting a file.
 * The store (ARCHIVE_STORE bytes) is shared by every kept member; nothing
 * larger is ever held in memory. archive_finish reads the rest of
 * the pipe, so the writer is not cut off and a truncated or hostile tail is
 * still refused before the caller commits.
 *
 * Rules for members (tar.h reads the headers):
 * - Names are relative: a leading "./" is dropped; an absolute name or one
 *   with a ".." component is refused (the whole archive), as is a name that
 *   appears twice, but for a blob (blobs/...) written again: its copies
 *   must all hash to its name, so a file reads the first, a pipe the next
 *   one to come once the first has passed. Directories are skipped. Names longer than
 *   ARCHIVE_NAME_MAX are skipped as members nobody asks for.
 * - Only regular members are read: asking for a link, device or FIFO
 *   member is refused (links inside an archive are never followed).
 * - A truncated archive (a member's data past the end of the file, or a
 *   pipe that ends inside a header or data) is refused.
 * - More than ARCHIVE_MEMBERS members: ERR_NOMEM naming the cap.
 *
 * A broken archive (any rule above, a read error) stays broken: every
 * later call returns the same error.
 *
 * Memory: struct archive is fixed-size and owned by the caller.
 */
#ifndef ARCHIVE_H
#define ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "tar.h"

#define ARCHIVE_MEMBERS 512u
#define ARCHIVE_NAME_MAX 119u
/* A pipe: bytes of small members kept as they pass. */
#define ARCHIVE_STORE BOARD_JSON_MAX
#define ARCHIVE_BUF (32u * 1024u)

struct archive_member {
	char name[ARCHIVE_NAME_MAX + 1];
	uint64_t off;                  /* file: data offset; pipe: in store */
	uint64_t size;
	uint8_t type;                  /* TAR_* */
	uint8_t where;                 /* ARC_* in archive.c */
};

struct archive {
	int fd;                        /* -1 when closed */
	int pipe;                      /* read forward only */
	int own;                       /* fd is ours to close (not stdin) */
	int ended;                     /* pipe: the end of the archive was read */
	int eof;                       /* pipe: and the end of the input */
	int err;                       /* sticky: the archive is broken */
	char name[128];                /* for messages: the file, or "stdin" */
	uint64_t fsize;                /* file: its size */
	unsigned n;                    /* members in m */
	int cur;                       /* member being read, -1 none */
	int keep;                      /* pipe: member cur is copied to store */
	uint64_t pos, left;            /* file: next offset, bytes left of cur */
	size_t len, at;                /* bytes in buf, bytes of it consumed */
	size_t stored;                 /* bytes of store used */
	struct tar tar;
	struct archive_member m[ARCHIVE_MEMBERS];
	uint8_t buf[ARCHIVE_BUF];
	uint8_t store[ARCHIVE_STORE];
};

/* Open path ("-" is the standard input) and, for a file, index it.
 * ERR_OK, or an error naming the archive and what is wrong. */
int archive_open(struct archive *a, const char *path);

void archive_close(struct archive *a);

/*
 * Find member name: ERR_OK with *idx set, ERR_NOTFOUND (no such member),
 * or an error (a pipe: the member passed already, or the archive is
 * broken). what names the object in messages.
 */
int archive_find(struct archive *a, const char *name, const char *what,
    unsigned *idx);

/* Member idx whole into buf (ERR_NOMEM when larger than cap). */
int archive_read_all(struct archive *a, unsigned idx, char *buf, size_t cap,
    size_t *len);

/* Start reading member idx at offset (a pipe starts at 0 and says so in
 * *from), then archive_read until ERR_END. */
int archive_begin(struct archive *a, unsigned idx, uint64_t offset,
    uint64_t *from);
int archive_read(struct archive *a, const uint8_t **p, size_t *n);

/* A pipe: read to the end of the archive, checking the rest as at open.
 * A file: ERR_OK. */
int archive_finish(struct archive *a);

#endif /* ARCHIVE_H */
