/*
 * tar_ext.h: the records of tar extension headers, for tar.c only: PAX
 * 'x' records (path, linkpath, size, uid, gid, mtime, SCHILY.xattr.*,
 * GNU.sparse.*) and GNU 'L'/'K' long names. tar.h states the rules.
 *
 * tar.c collects the data of one extension header into t->ext[0..ext_len)
 * with t->ext_type set, then calls the reader for its type once. The
 * reader stores what the records say as pending values of the next member
 * (t->have_*, t->pax_*, t->sparse; entry.path, entry.link and the xattrs
 * in place), which tar.c applies when the member's own header comes.
 * Nothing else in struct tar is touched, and t->err is not set: on failure
 * the readers return ERR_FORMAT or ERR_NOMEM with a message naming the
 * header's offset, and tar.c makes the error sticky.
 */
#ifndef TAR_EXT_H
#define TAR_EXT_H

#include "tar.h"

/* Largest member size, from a header field or a PAX record: 2^62. */
#define TAR_SIZE_LIMIT ((uint64_t)1 << 62)

/* For byte offsets in messages ("%llu"). */
typedef unsigned long long ull;

/* The records of an 'x' header (they replace those of an earlier 'x' for
 * the same member). Returns 0 or a negative ERR_*. */
int tar_ext_pax(struct tar *t);

/* The name of an 'L' (path) or 'K' (link) header, cut at its first NUL;
 * an empty one unsets it. Returns 0 or ERR_NOMEM. */
int tar_ext_gnu_long(struct tar *t);

#endif /* TAR_EXT_H */
