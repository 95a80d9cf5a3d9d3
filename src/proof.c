/*
 * proof.c: the record of the in-flight layer's applied bytes. See proof.h.
 */
#include "proof.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "port.h"

#define NAME "layer.proof"
#define MAGIC "ocipull-proof 1 "
#define SEALED "sealed"

void
proof_init(struct proof *p, int work, int sync)
{
	memset(p, 0, sizeof *p);
	p->work = work;
	p->fd = -1;
	p->sync = sync != 0;
	if (port_boot_id(p->boot, sizeof p->boot) < 0) {
		err_clear();
		snprintf(p->boot, sizeof p->boot, "-");
	}
}

/* Header fields, parsed from p->hdr in place. */
struct hdr {
	unsigned long index;
	const char *digest, *boot;
	size_t digest_len, boot_len;
	char mode;
};

/* The next space-separated field at *s: its start and length. */
static const char *
field(const char **s, size_t *len)
{
	const char *f = *s;

	while (**s != '\0' && **s != ' ' && **s != '\n')
		(*s)++;
	*len = (size_t)(*s - f);
	if (**s == ' ')
		(*s)++;
	return f;
}

static int
parse(const char *buf, struct hdr *h)
{
	const char *s = buf, *f;
	size_t len, i;

	if (strncmp(s, MAGIC, strlen(MAGIC)) != 0)
		return 0;
	s += strlen(MAGIC);
	f = field(&s, &len);
	h->index = 0;
	for (i = 0; i < len && i < 9; i++) {
		if (f[i] < '0' || f[i] > '9')
			return 0;
		h->index = h->index * 10 + (unsigned long)(f[i] - '0');
	}
	if (len == 0 || i != len)
		return 0;
	h->digest = field(&s, &h->digest_len);
	h->boot = field(&s, &h->boot_len);
	f = field(&s, &len);
	h->mode = len == 1 ? f[0] : '?';
	return h->digest_len > 0 && h->boot_len > 0 &&
	    (h->mode == 'd' || h->mode == 'n');
}

static int
field_is(const char *f, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(f, want, len) == 0;
}

int
proof_resume(struct proof *p, size_t kept, const char *next_digest)
{
	struct port_stat st;
	struct hdr h;
	long n;
	int rc, same_boot, trusted;

	p->fd = port_fs_open(p->work, NAME, PORT_O_READ | PORT_O_WRITE |
	    PORT_O_NOFOLLOW, 0);
	if (p->fd == ERR_NOENT) {
		err_clear();
		if (kept == 0)
			return PROOF_KEEP;    /* no layer ever started */
		err_set(ERR_FORMAT, "no record of the layer in flight");
		return PROOF_AFRESH;
	}
	if (p->fd < 0)
		return p->fd;
	rc = port_fs_stat(p->fd, NULL, &st);
	if (rc < 0)
		return rc;
	n = port_fs_pread(p->fd, p->hdr, PROOF_HDR, 0);
	if (n < 0)
		return (int)n;
	p->hdr[n > 0 ? n : 0] = '\0';
	if (n != PROOF_HDR || !parse(p->hdr, &h)) {
		err_set(ERR_FORMAT, "the record of the layer in flight is torn");
		return PROOF_AFRESH;
	}
	same_boot = field_is(h.boot, h.boot_len, p->boot) &&
	    strcmp(p->boot, "-") != 0;
	trusted = same_boot || (h.mode == 'd' && field_is(h.boot, h.boot_len,
	    SEALED));
	if (next_digest == NULL || h.index < kept) {
		/* Nothing of a layer after the verified ones was applied
		 * (its synced header would name it), or every layer is in. */
		if (h.mode == 'd' || same_boot)
			return PROOF_KEEP;
		err_set(ERR_FORMAT, "the last run did not sync (--no-sync) and the "
		    "system has restarted since");
		return PROOF_AFRESH;
	}
	if (h.index != kept || !field_is(h.digest, h.digest_len, next_digest)) {
		err_set(ERR_FORMAT, "the record names layer %lu, not layer %zu",
		    h.index + 1, kept + 1);
		return PROOF_AFRESH;
	}
	if (!trusted) {
		err_set(ERR_FORMAT, "layer %zu was being applied when the system "
		    "stopped; what reached the disk of it cannot be proven",
		    kept + 1);
		return PROOF_AFRESH;
	}
	p->index = (unsigned)kept;
	snprintf(p->digest, sizeof p->digest, "%s", next_digest);
	p->have = 1;
	p->nrec = (st.size - PROOF_HDR) / PROOF_REC;
	return PROOF_KEEP;
}

/* Write the header for index and digest (boot: this boot's id or SEALED)
 * and, in sync mode, make it durable. */
static int
write_header(struct proof *p, unsigned index, const char *digest,
    const char *boot)
{
	int k = snprintf(p->hdr, sizeof p->hdr, MAGIC "%u %s %s %c", index,
	    digest, boot, p->sync ? 'd' : 'n');
	long w;

	if (k < 0 || (size_t)k >= PROOF_HDR)
		return err_set(ERR_INTERNAL, "proof header too long");
	memset(p->hdr + k, ' ', PROOF_HDR - 1 - (size_t)k);
	p->hdr[PROOF_HDR - 1] = '\n';
	w = port_fs_pwrite(p->fd, p->hdr, PROOF_HDR, 0);
	if (w < 0)
		return (int)w;
	return p->sync ? port_fs_fsync(p->fd) : ERR_OK;
}

int
proof_begin(struct proof *p, unsigned index, const char *digest)
{
	int rc;

	p->next = 0;
	if (p->fd < 0) {
		p->fd = port_fs_open(p->work, NAME, PORT_O_READ | PORT_O_WRITE |
		    PORT_O_CREATE | PORT_O_NOFOLLOW, 0600);
		if (p->fd < 0)
			return err_prefix(p->fd, "record of the layer in flight");
	}
	if (p->have && p->index == index)
		/* Records of an earlier attempt at this layer: they are
		 * checked, and the header now says this boot (no longer
		 * sealed: new records are plain writes). */
		return write_header(p, index, digest, p->boot);
	p->have = 1;
	p->index = index;
	snprintf(p->digest, sizeof p->digest, "%s", digest);
	p->nrec = 0;
	rc = port_fs_truncate(p->fd, PROOF_HDR);
	if (rc == ERR_OK)
		rc = write_header(p, index, digest, p->boot);
	return rc < 0 ? err_prefix(rc, "record of the layer in flight") : ERR_OK;
}

int
proof_step(struct proof *p, const struct digest *prefix)
{
	struct sha256 s = prefix->ctx;
	uint8_t h[32], rec[PROOF_REC];
	uint64_t off = PROOF_HDR + p->next * PROOF_REC;
	long n;

	sha256_final(&s, h);
	if (p->next < p->nrec) {
		n = port_fs_pread(p->fd, rec, sizeof rec, off);
		if (n < 0)
			return (int)n;
		if (n != PROOF_REC)
			return err_set(ERR_IO, "record of the layer in flight: "
			    "short read");
		if (memcmp(rec, h, PROOF_REC) != 0)
			return err_set(ERR_VERIFY, "the bytes up to offset %llu differ "
			    "from those an interrupted run applied",
			    (unsigned long long)prefix->count);
	} else {
		n = port_fs_pwrite(p->fd, h, PROOF_REC, off);
		if (n < 0)
			return err_prefix((int)n, "record of the layer in flight");
		p->nrec = p->next + 1;
	}
	p->next++;
	return ERR_OK;
}

int
proof_seal(struct proof *p, int root)
{
	int rc;

	if (!p->sync || p->fd < 0 || !p->have)
		return ERR_OK;
	rc = port_fs_syncfs(root);
	if (rc == ERR_OK)
		rc = port_fs_fsync(p->fd);
	if (rc == ERR_OK)
		rc = write_header(p, p->index, p->digest, SEALED);
	return rc;
}

void
proof_close(struct proof *p)
{
	if (p->fd >= 0)
		port_fs_close(p->fd);
	p->fd = -1;
	p->have = 0;
}
