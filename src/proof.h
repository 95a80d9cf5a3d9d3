/*
 * proof.h: which bytes of the layer in flight reached the tree, on record
 * before they do, so that a run after a kill keeps nothing unverified.
 *
 * A layer's bytes are applied as they stream, and only its last byte
 * proves them (the digest). A run killed in the middle leaves a tree with
 * effects of bytes nobody checked; re-applying the layer from the true
 * bytes overwrites what the true layer holds but not what other bytes
 * added (an extra file, a chmod, a whiteout). So the layer stage feeds the
 * blob to the decompressor in chunks of PROOF_CHUNK bytes and, before each
 * chunk, either records the SHA-256 of the blob's prefix up to the chunk's
 * end (16 bytes kept) or, where an earlier attempt recorded one, checks it
 * first. Every byte that ever reached the tree is thus one prefix of one
 * byte sequence, and the run that finishes the layer checks that sequence
 * against the digest. A prefix that differs (the interrupted attempt was
 * fed other bytes: a tampered stream, a bad mirror) is found before any of
 * its chunk is applied; the tree cannot be kept, and the caller starts
 * afresh.
 *
 * What survives which stop (file "layer.proof" in the work directory):
 *
 *     header  "ocipull-proof 1 INDEX DIGEST BOOT MODE\n" (PROOF_HDR bytes)
 *     record  16 bytes per chunk, in order
 *
 * - A kill: the page cache outlives the process, so every record written
 *   before its chunk was applied is there. BOOT is the kernel's boot id;
 *   the same boot id means the records are complete.
 * - A power cut: records are plain writes, so the file system may keep
 *   effects of a chunk and lose its record. Records of another boot are
 *   not trusted, the tree cannot be kept, and the caller starts afresh.
 *   One exception keeps verified layers across a reboot: the header of a
 *   layer is written and synced (MODE "d") before any of its bytes are
 *   applied, so a header naming an earlier layer than the journal's next
 *   proves that nothing of the next layer was applied.
 * - A failure ocipull survives (a network outage, --timeout): proof_seal
 *   syncs the file system, then marks the header "sealed", so the records
 *   hold across a reboot as well.
 * With --no-sync (MODE "n") nothing is synced and only the same boot is
 * trusted.
 *
 * Cost: one 16-byte write per PROOF_CHUNK (32 KiB: 0.05% of the blob) and
 * one header sync per layer; the memory is the chunk, in struct layer.
 *
 * struct proof is caller-owned; it holds the caller's work handle and its
 * own file handle. Order of calls:
 *
 *     proof_init(&p, work, sync);
 *     rc = proof_resume(&p, kept, layer_digests...);   a reopened staging
 *     for each layer i:
 *         proof_begin(&p, i, digest);
 *         for each chunk: proof_step(&p, &prefix_hash) before applying it
 *     proof_seal(&p, root) when a failure keeps the staging directory
 *     proof_close(&p);
 */
#ifndef PROOF_H
#define PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

#ifndef PROOF_CHUNK
#define PROOF_CHUNK 32768u
#endif
#define PROOF_HDR 160u
#define PROOF_REC 16u

struct proof {
	int work;                   /* the caller's handle */
	int fd;                     /* layer.proof, or -1 */
	int sync;                   /* headers are synced (not --no-sync) */
	unsigned index;             /* the layer the records are for */
	int have;                   /* records below are for index */
	uint64_t nrec;              /* records on file */
	uint64_t next;              /* the next chunk to check or record */
	char boot[40];              /* this boot's id, or "-" */
	char digest[DIGEST_STR_LEN + 1];  /* the blob of layer index */
	char hdr[PROOF_HDR + 1];
};

/* The outcome of proof_resume. */
enum {
	PROOF_KEEP = 0,             /* the tree may be kept */
	PROOF_AFRESH = 1            /* it may hold unproven bytes: start afresh */
};

/* Start with the work directory handle; sync: headers are made durable.
 * Nothing is opened yet. */
void proof_init(struct proof *p, int work, int sync);

/*
 * A staging tree was reopened with kept verified layers, the next one
 * being layer kept with digest next_digest (NULL when every layer is
 * in). Reads layer.proof: PROOF_KEEP (records of layer kept, if any, are
 * loaded for proof_step to check) or PROOF_AFRESH, with the reason in
 * err_msg(). Returns one of those or a port error.
 */
int proof_resume(struct proof *p, size_t kept, const char *next_digest);

/* Layer index with digest starts (or starts again): keeps the loaded
 * records when they are this layer's, else starts an empty record with a
 * (synced) header. Returns 0 or a port error. */
int proof_begin(struct proof *p, unsigned index, const char *digest);

/*
 * The chunk that ends where the blob digest *prefix stands is about to be
 * applied: check it against the record, or record it. prefix is copied,
 * not changed. Returns 0, ERR_VERIFY (the bytes differ from those an
 * earlier attempt applied; the message says where) or a port error.
 */
int proof_step(struct proof *p, const struct digest *prefix);

/* A failure keeps the staging directory: sync the file system of root,
 * then mark the records as holding across a reboot. Returns 0 or a port
 * error. */
int proof_seal(struct proof *p, int root);

/* Close the file (it stays); safe twice. */
void proof_close(struct proof *p);

#endif /* PROOF_H */
