/*
 * tar.h: streaming tar reader: ustar, GNU (long names 'L', long link names
 * 'K', base-256 numbers) and PAX ('x' extended headers: path, linkpath,
 * size, uid, gid, mtime with fractions, SCHILY.xattr.*; 'g' global
 * headers are read and ignored).
 *
 * Push-style state machine over a caller-owned struct tar (no I/O, no
 * allocation, no pointers into itself: it may be copied). It buffers at most
 * one 512-byte header block plus one extension record (PAX 'x' header or GNU
 * long name, up to BOARD_PAX_MAX); file data is never copied: TAR_EV_DATA
 * spans point into the caller's input. The caller feeds the uncompressed
 * layer bytes in any pieces:
 *
 *     tar_init(&t);
 *     while (bytes) {
 *         rc = tar_push(&t, in, len, &used, &ev);   in += used; len -= used;
 *         switch (rc) {
 *         case TAR_EV_NONE:  needs more input (used == len)
 *         case TAR_EV_ENTRY: tar_entry(&t) describes the next member; its
 *                            data (entry.size bytes, regular files only)
 *                            follows as TAR_EV_DATA events
 *         case TAR_EV_DATA:  ev.data[0..ev.len) is file data (points into in)
 *         case TAR_EV_ENTRY_END: the member's data is complete
 *         case TAR_EV_END:   the end-of-archive marker was read; later input
 *                            is consumed and ignored, tar_push returns
 *                            TAR_EV_NONE from then on (the caller still
 *                            reads the blob to its end for the digests)
 *         default (< 0):     ERR_FORMAT / ERR_UNSUPPORTED / ERR_NOMEM, with a
 *                            message naming the byte offset in the layer;
 *                            sticky until tar_init
 *         }
 *     }
 *     (call tar_push, with len 0 if need be, until it returns TAR_EV_NONE:
 *     an event that needs no input, such as TAR_EV_ENTRY_END right after
 *     the last data bytes, is returned by the next call)
 *     tar_finish(&t): ERR_OK when the end marker was seen (or the stream
 *     ended cleanly after a member, as some writers omit the marker),
 *     ERR_FORMAT "truncated" otherwise.
 *
 * Every member gives exactly TAR_EV_ENTRY, zero or more TAR_EV_DATA, then
 * TAR_EV_ENTRY_END; the entry stays valid until the first tar_push call
 * after its TAR_EV_ENTRY_END.
 *
 * Decisions (as Go's archive/tar unless said):
 * - Header-only types (hard link, symlink, chr, blk, dir, fifo) never have
 *   data, whatever their size field or a PAX size record says: entry.size
 *   is 0 and no data blocks are skipped (libarchive agrees for old tars; a
 *   PAX hard link carrying data is not supported). A PAX size always wins
 *   over the header's size field.
 * - '\0', '0' and '7' are regular files; '\0' (the old v7 type) with a
 *   path ending in '/' (after PAX and GNU long names) is a directory. A
 *   '0' or '7' named "x/" stays a regular file whose data is read as data,
 *   never as headers, as in Go's archive/tar (containerd makes the file
 *   "x" of a '0'): a reader that took it for a directory would see other
 *   members than containerd, docker and the scanners. The path keeps its
 *   '/' here; the writer cleans it. GNU 'D' (dumpdir) is a directory
 *   whose data is skipped. 'V' volume labels are skipped. 'S', 'M', 'N',
 *   PAX GNU.sparse.* and unknown type letters: ERR_UNSUPPORTED.
 * - The ustar prefix field is used with the "ustar\0" "00" magic (131 bytes
 *   for star archives, which end the block with "tar\0"); with the GNU
 *   magic it holds atime/ctime, unless those do not parse as numbers and
 *   the field is ASCII (archives from Go before 1.8), then it is a prefix.
 * - Numeric fields: leading and trailing NULs and spaces are trimmed, the
 *   rest must be octal digits; or base-256 when the first byte has its high
 *   bit set. Sizes must lie in [0, 2^62], uid/gid/dev in 32 bits.
 * - PAX records are parsed strictly ("LEN key=value\n", LEN exact, key not
 *   empty and without NUL); an empty value unsets path, linkpath, size,
 *   uid, gid or mtime (POSIX); a GNU long name/link ('L'/'K') wins over a
 *   PAX path/linkpath; of several 'x' headers before one member only the
 *   last counts, as in Go's archive/tar (so containerd, docker and ocipull
 *   see the same names); within one header the last value of a key wins
 *   (xattrs: per name). Keys other than path, linkpath, size, uid,
 *   gid, mtime, SCHILY.xattr.* and GNU.sparse.* are ignored ('atime',
 *   'uname', 'RHT.security.selinux', 'LIBARCHIVE.xattr.*', ...). 'g'
 *   global headers are skipped unparsed and never applied.
 * - At most TAR_EXT_MAX extension headers ('x', 'L', 'K', and 'g' or 'V'
 *   after one of those) in a row before a member; entry.offset is the
 *   first of them ('g' and 'V' in front belong to no member).
 * - End of archive: two zero blocks. One zero block then the end of the
 *   stream is a clean end; one zero block then a non-zero block is
 *   ERR_FORMAT (Go; libarchive would stop at the first zero block).
 * - A stream that ends right after a member's data (before its padding),
 *   after a whole member without the end marker, or after extension
 *   headers whose member never came, is a clean end (Go); ending inside a
 *   header block, an extension header, data or padding is "truncated".
 *
 * Every length and count is capped by the board (BOARD_PATH_MAX,
 * BOARD_PAX_MAX, BOARD_XATTR_MAX): what does not fit is ERR_NOMEM naming
 * the cap.
 */
#ifndef TAR_H
#define TAR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Member types after normalisation ('\0' and '7' become TAR_REG). */
enum {
	TAR_REG = '0',
	TAR_LINK = '1',       /* hard link to entry.link */
	TAR_SYMLINK = '2',
	TAR_CHR = '3',
	TAR_BLK = '4',
	TAR_DIR = '5',
	TAR_FIFO = '6'
};

/* tar_push results (besides negative errors). */
enum {
	TAR_EV_NONE = 0,
	TAR_EV_ENTRY = 1,
	TAR_EV_DATA = 2,
	TAR_EV_ENTRY_END = 3,
	TAR_EV_END = 4
};

struct tar_entry {
	char path[BOARD_PATH_MAX];   /* as in the archive: may be absolute or hold ".." */
	char link[BOARD_PATH_MAX];   /* target of a hard link or symlink, verbatim */
	int type;                    /* TAR_* */
	uint32_t mode;               /* permission bits with setuid/setgid/sticky */
	uint32_t uid, gid;
	uint64_t size;               /* data bytes that follow (regular files) */
	int64_t mtime_s;
	uint32_t mtime_ns;
	uint32_t devmajor, devminor;
	uint64_t offset;             /* offset of the member's first header */
	unsigned nxattrs;
	size_t xattr_len;            /* used bytes of xattr_buf */
	/* Records in the packed format of xattr.h. */
	unsigned char xattr_buf[BOARD_XATTR_MAX];
};

struct tar_event {
	const uint8_t *data;
	size_t len;
};

#define TAR_BLOCK 512u

/* Most extension headers in a row before one member (see above). */
#define TAR_EXT_MAX 16u

/* Reader state: caller-allocated, opaque; use the functions below. */
struct tar {
	int state;                   /* S_* in tar.c */
	int err;                     /* sticky error code, 0 when none */
	uint64_t off;                /* bytes consumed so far */
	uint64_t hdr_off;            /* offset of the header block in hand */
	uint64_t member_off;         /* first header of the current member */
	uint64_t zero_off;           /* offset of a first zero block */
	uint64_t remain;             /* data, skip or extension bytes left */
	uint32_t pad;                /* padding after the current data */
	int skip_next;               /* state after a skip */
	int silent;                  /* data is skipped, not handed out */
	int zero1;                   /* one zero block seen */
	unsigned nchain;             /* extension headers in the current run */
	int ext_type;                /* 'x', 'L' or 'K' being accumulated */
	size_t ext_len;              /* bytes in ext */
	size_t blk_len;              /* bytes in blk */
	/* Pending values of extension headers for the next member. */
	int have_path, have_link;    /* 0 none, 1 PAX, 2 GNU long name */
	int have_size, have_uid, have_gid, have_mtime, sparse;
	uint64_t pax_size;
	uint32_t pax_uid, pax_gid, pax_mtime_ns;
	int64_t pax_mtime_s;
	uint8_t blk[TAR_BLOCK];
	struct tar_entry entry;
	uint8_t ext[BOARD_PAX_MAX];
};

/* Reset t for a new archive (clears a sticky error). */
void tar_init(struct tar *t);

/*
 * Consume input and return the next event (TAR_EV_*) or a negative ERR_*;
 * *consumed is set to the bytes of in used (also on error), ev is filled
 * for TAR_EV_DATA (empty otherwise). len may be 0.
 */
int tar_push(struct tar *t, const uint8_t *in, size_t len, size_t *consumed,
    struct tar_event *ev);

/*
 * Right after TAR_EV_ENTRY (or within its data): leave the rest of the
 * member unread. Returns the input bytes the caller must skip (the data
 * not yet consumed and its padding) before it pushes the next header. No
 * TAR_EV_ENTRY_END is returned for it. Anywhere else (in a header, in the
 * padding after TAR_EV_ENTRY_END) it returns 0 and changes nothing. For a
 * reader that can seek past data it does not need (an archive file).
 */
uint64_t tar_skip(struct tar *t);

/*
 * The input has ended: ERR_OK when the archive is complete, the sticky
 * error if any, else ERR_FORMAT "truncated ... at offset N".
 */
int tar_finish(struct tar *t);

/*
 * The entry of the last TAR_EV_ENTRY; valid until the first tar_push call
 * after its TAR_EV_ENTRY_END (pending extension headers of the next
 * member are collected in place).
 */
const struct tar_entry *tar_entry(const struct tar *t);

/*
 * Iterate the xattrs of e: start with *pos = 0; returns 1 and sets name
 * (NUL-terminated), value and len for each, 0 at the end.
 */
int tar_xattr_next(const struct tar_entry *e, size_t *pos, const char **name,
    const void **value, size_t *len);

#endif /* TAR_H */
