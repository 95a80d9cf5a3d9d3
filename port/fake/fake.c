/*
 * fake.c: fault injection around the real port (see fake.h).
 */
#include "fake.h"

#include <string.h>

#include "err.h"
#include "port.h"

static struct {
	int short_reads;
	unsigned short_step;       /* cycles 0..6: the next limit is step + 1 */
	int reset_armed;
	uint64_t reset_at;         /* fire when read_since_arm reaches this */
	uint64_t read_since_arm;
	unsigned net_write_fail;   /* 0: off, else the call number that fails */
	uint64_t net_writes_since_arm;
	unsigned nospc_at;
	uint64_t fs_writes_since_arm;
	int sync_all;
	unsigned sync_at;
	uint64_t syncs_since_arm;
	int wall_set;
	int64_t wall_s;
	struct fake_stats st;
} fk;

void
fake_reset(void)
{
	memset(&fk, 0, sizeof fk);
}

void
fake_short_reads(int on)
{
	fk.short_reads = on != 0;
	fk.short_step = 0;
}

void
fake_net_reset_at(uint64_t n)
{
	fk.reset_armed = 1;
	fk.reset_at = n;
	fk.read_since_arm = 0;
}

void
fake_net_write_fails_at(unsigned n)
{
	fk.net_write_fail = n;
	fk.net_writes_since_arm = 0;
}

void
fake_nospc_at_write(unsigned n)
{
	fk.nospc_at = n;
	fk.fs_writes_since_arm = 0;
}

void
fake_fsync_fails(int on)
{
	fk.sync_all = on != 0;
}

void
fake_sync_fails_at(unsigned n)
{
	fk.sync_at = n;
	fk.syncs_since_arm = 0;
}

void
fake_wall_time(int on, int64_t s)
{
	fk.wall_set = on != 0;
	fk.wall_s = s;
}

void
fake_stats(struct fake_stats *st)
{
	*st = fk.st;
}

long
__wrap_port_net_read(int sock, void *buf, size_t len, uint32_t timeout_ms)
{
	long n;

	fk.st.net_reads++;
	if (fk.reset_armed) {
		uint64_t left = fk.reset_at - fk.read_since_arm;

		if (left == 0 && len > 0) {
			fk.reset_armed = 0;
			fk.st.faults++;
			return err_set(ERR_NET, "receive: connection reset (fake, at byte "
			    "%llu)", (unsigned long long)fk.reset_at);
		}
		if ((uint64_t)len > left)
			len = (size_t)left;
	}
	if (fk.short_reads && len > 0) {
		size_t lim = fk.short_step + 1u;

		fk.short_step = (fk.short_step + 1u) % 7u;
		if (len > lim)
			len = lim;
	}
	n = __real_port_net_read(sock, buf, len, timeout_ms);
	if (n > 0) {
		fk.st.net_bytes_read += (uint64_t)n;
		if (fk.reset_armed)
			fk.read_since_arm += (uint64_t)n;
	}
	return n;
}

long
__wrap_port_net_write(int sock, const void *buf, size_t len, uint32_t timeout_ms)
{
	fk.st.net_writes++;
	if (fk.net_write_fail != 0 &&
	    ++fk.net_writes_since_arm == fk.net_write_fail) {
		fk.net_write_fail = 0;
		fk.st.faults++;
		return err_set(ERR_NET, "send: connection reset (fake, at write %llu)",
		    (unsigned long long)fk.net_writes_since_arm);
	}
	return __real_port_net_write(sock, buf, len, timeout_ms);
}

long
__wrap_port_fs_write(int fd, const void *buf, size_t len)
{
	fk.st.fs_writes++;
	if (fk.nospc_at != 0 && ++fk.fs_writes_since_arm == fk.nospc_at) {
		fk.nospc_at = 0;
		fk.st.faults++;
		return err_set(ERR_NOSPC, "write: no space left (fake) at write %llu",
		    (unsigned long long)fk.fs_writes_since_arm);
	}
	return __real_port_fs_write(fd, buf, len);
}

/* Whether this sync call is to fail; counts it. */
static int
sync_fault(void)
{
	fk.st.syncs++;
	if (fk.sync_all) {
		fk.st.faults++;
		return 1;
	}
	if (fk.sync_at != 0 && ++fk.syncs_since_arm == fk.sync_at) {
		fk.sync_at = 0;
		fk.st.faults++;
		return 1;
	}
	return 0;
}

int
__wrap_port_fs_fsync(int fd)
{
	if (sync_fault())
		return err_set(ERR_IO, "fsync failed (fake)");
	return __real_port_fs_fsync(fd);
}

int
__wrap_port_fs_syncfs(int fd)
{
	if (sync_fault())
		return err_set(ERR_IO, "syncfs: fsync failed (fake)");
	return __real_port_fs_syncfs(fd);
}

int64_t
__wrap_port_wall_s(void)
{
	return fk.wall_set ? fk.wall_s : __real_port_wall_s();
}
