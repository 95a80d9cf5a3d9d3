/*
 * tar_write.h: tar headers for the archives ocipull writes (fetch to
 * oci-archive:FILE or "-"), the other direction of tar.h.
 *
 * A member is its header blocks (tarw_header), then its size bytes, then
 * tarw_pad(size) zero bytes; the archive ends with TARW_END zero bytes
 * (two blocks). Headers are POSIX ustar with deterministic metadata: the
 * caller's mode, uid and gid 0, no user or group names, a fixed mtime
 * (TARW_MTIME). A name longer than ustar's 100 bytes or a size of 8 GiB or
 * more (beyond 11 octal digits) is carried in a PAX extended header
 * ('x') in front, as Go's archive/tar and GNU tar read it.
 *
 * Nothing here does I/O: the caller owns the output buffer and writes it.
 */
#ifndef TAR_WRITE_H
#define TAR_WRITE_H

#include <stddef.h>
#include <stdint.h>

#define TARW_BLOCK 512u
/* Longest member name (a PAX path record holds it). */
#define TARW_NAME_MAX 255u
/* Most header bytes one member needs: PAX header, its records, ustar. */
#define TARW_HDR_MAX (3u * TARW_BLOCK)
/* The end-of-archive marker: two zero blocks. */
#define TARW_END (2u * TARW_BLOCK)
/* Every member's mtime: 2000-01-01T00:00:00Z, so that archives of the
 * same image are the same bytes. */
#define TARW_MTIME 946684800

/* Member types written. */
enum { TARW_FILE = '0', TARW_DIR = '5' };

/*
 * The header blocks of member name (type TARW_FILE or TARW_DIR, mode, size
 * bytes of data) into out (cap at least TARW_HDR_MAX). Returns their
 * length, a multiple of TARW_BLOCK, or ERR_USAGE for an empty name or one
 * longer than TARW_NAME_MAX.
 */
long tarw_header(uint8_t *out, size_t cap, const char *name, int type,
    uint32_t mode, uint64_t size);

/* The zero bytes that follow size bytes of data (0 to 511). */
size_t tarw_pad(uint64_t size);

#endif /* TAR_WRITE_H */
