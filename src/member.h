/*
 * member.h: which objects of the rootfs the layer being applied made or
 * declared. Whiteouts and opaque markers act on lower layers only, so they
 * ask this set; nothing else does.
 *
 * Members, by identity on the root's file system:
 *   - a directory by its inode number, with a flag "born": made by this
 *     layer (it can hold no lower content) or only declared or holding an
 *     entry of the layer (it can);
 *   - any other object by its parent directory's inode number and its name
 *     there, since hard links share an inode across layers but a name is
 *     made once.
 * A directory's inode number names one directory while it exists, so an
 * inode number that a removal frees can come back only for an object this
 * layer makes, which is a member anyway.
 *
 * Why no time is read: layer membership used to be "made at or after the
 * layer's start", by birth or change time. A device without a real-time
 * clock that boots with its clock behind, an NTP step, or a file system
 * with one-second timestamps makes that rule wrong or slow, silently. The
 * set records what the writer did instead; nothing here reads a clock or
 * a timestamp.
 *
 * Fixed memory: keys are 16 bytes (SHA-256 of kind, inode number and name,
 * truncated; the last bit carries "born"), kept on disk in the caller's
 * work directory. While nobody asks, keys are appended to "member.log" in
 * MEMBER_BUF-byte writes; the first question builds an open-addressing
 * table "member.tab" (pread/pwrite per probe, doubled when half full) from
 * the log, and later keys go straight into it. A layer without whiteouts
 * thus costs one write per MEMBER_BUF / 16 keys. A small direct-mapped
 * cache of member directories answers the writer's "is this parent
 * claimed already" (member_add_dir's 1) mostly without I/O.
 *
 * struct member is caller-owned; it holds the caller's work handle and its
 * own two file handles. Order of calls:
 *
 *     member_init(&m, work);
 *     for each layer (or each new attempt at one):
 *         member_begin(&m);       empties the set
 *         member_add_dir / member_add_name / member_has_* ...
 *     member_finish(&m);          removes both files
 */
#ifndef MEMBER_H
#define MEMBER_H

#include <stddef.h>
#include <stdint.h>

#ifndef MEMBER_BUF
#define MEMBER_BUF 2048u        /* pending keys; table I/O scratch */
#endif
#ifndef MEMBER_CACHE
#define MEMBER_CACHE 128u       /* directories remembered without I/O */
#endif
#define MEMBER_KEY 16u

struct member {
	int work;                   /* the caller's handle */
	int log, tab;               /* -1 when closed */
	unsigned bits;              /* the table has 2^bits slots; 0: none yet */
	uint64_t count;             /* keys in the table */
	uint64_t logged;            /* keys in the log (written and pending) */
	size_t pend;                /* bytes of keys waiting in buf */
	int eager;                  /* tests: the table from the first key */
	uint64_t cache[MEMBER_CACHE];  /* (inode << 1 | born) + 1; 0: empty */
	uint8_t buf[MEMBER_BUF];
};

/* Start empty over the work directory handle (nothing is opened yet). */
void member_init(struct member *m, int work);

/* Empty the set for a new layer. Returns 0 or a port error. */
int member_begin(struct member *m);

/* The directory with inode ino is a member; born: this layer made it.
 * Returns 1 when it was known as a member already (its born flag is
 * raised if need be), 0 when it was not or, before the table is built,
 * may not have been; or a port error. */
int member_add_dir(struct member *m, uint64_t ino, int born);

/* The non-directory name in the directory with inode parent is a member.
 * Returns 0 or a port error. */
int member_add_name(struct member *m, uint64_t parent, const char *name);

/* 1 when the directory with inode ino is a member (and *born, when not
 * NULL, says whether this layer made it), 0 when not, or a port error. */
int member_has_dir(struct member *m, uint64_t ino, int *born);

/* 1 when name in the directory with inode parent is a member, 0 when not,
 * or a port error. */
int member_has_name(struct member *m, uint64_t parent, const char *name);

/* Close and remove both files; never fails. */
void member_finish(struct member *m);

#endif /* MEMBER_H */
