/*
 * xattr.h: the packed list of extended attributes that the tar reader
 * fills and the rootfs writer applies: records back to back, each
 *
 *     NAME '\0'  LEN (4 bytes, little-endian)  VALUE (LEN bytes)
 *
 * in a caller's buffer (at most BOARD_XATTR_MAX bytes). Iterate with
 * xattr_next from *pos = 0; the views it returns point into the buffer.
 */
#ifndef XATTR_H
#define XATTR_H

#include <stddef.h>
#include <stdint.h>

/*
 * The record at *pos of buf[0..len): returns 1 with name (NUL-terminated),
 * value and vlen set and *pos moved past it; 0 at the end or at a record
 * that does not fit (the list ends there).
 */
int xattr_next(const uint8_t *buf, size_t len, size_t *pos, const char **name,
    const void **value, size_t *vlen);

#endif /* XATTR_H */
