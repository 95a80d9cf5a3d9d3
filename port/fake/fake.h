/*
 * fake.h: fault injection for tests, wrapped around the real port.
 *
 * The test binary is linked with GNU ld's --wrap for the functions below
 * (see the Makefile's build/unit/test_faults rule):
 *
 *     -Wl,--wrap=port_net_read,--wrap=port_net_write,--wrap=port_fs_write,
 *            --wrap=port_fs_fsync,--wrap=port_fs_syncfs,--wrap=port_wall_s
 *
 * so every call src/ makes to port_net_read() reaches __wrap_port_net_read()
 * here, which calls the real one (__real_port_net_read, port/linux/) unless
 * a fault is armed. Nothing is faulty after fake_reset() or at start.
 *
 * Faults, each armed by one call and counted from the moment it is armed:
 *
 *   fake_short_reads(1)        every port_net_read returns at most 1..7
 *                              bytes (the limit cycles 1, 2, ... 7, 1, ...).
 *   fake_net_reset_at(n)       once n bytes in all have been read, the next
 *                              port_net_read returns ERR_NET, "connection
 *                              reset (fake, at byte N)"; reads before it are
 *                              cut so that exactly n bytes get through.
 *                              One-shot: the connection opened after it reads
 *                              normally (as after a real reset).
 *   fake_net_write_fails_at(n) the n-th port_net_write (1-based) returns
 *                              ERR_NET, "connection reset (fake, at write
 *                              N)" without sending. One-shot.
 *   fake_nospc_at_write(n)     the n-th port_fs_write (1-based) returns
 *                              ERR_NOSPC, "write: no space left (fake) at
 *                              write N" without writing. One-shot.
 *   fake_fsync_fails(1)        every port_fs_fsync and port_fs_syncfs
 *                              returns ERR_IO, "fsync failed (fake)" /
 *                              "syncfs: fsync failed (fake)".
 *   fake_sync_fails_at(n)      only the n-th call of either (1-based, the
 *                              two counted together) fails so. One-shot.
 *   fake_wall_time(1, s)       port_wall_s returns s (seconds since 1970)
 *                              instead of the real time, until
 *                              fake_wall_time(0, 0): a device's clock at
 *                              boot, or one set wrong.
 *
 * fake_stats() tells what the wrappers saw and how many faults fired, so a
 * test can prove that its fault was hit.
 *
 * All state is one static struct in fake.c: not thread-safe; call the
 * control functions while no other thread uses the port.
 */
#ifndef FAKE_H
#define FAKE_H

#include <stddef.h>
#include <stdint.h>

struct fake_stats {
	uint64_t net_reads;        /* port_net_read calls since fake_reset */
	uint64_t net_bytes_read;   /* bytes they returned */
	uint64_t net_writes;
	uint64_t fs_writes;
	uint64_t syncs;            /* port_fs_fsync + port_fs_syncfs calls */
	unsigned faults;           /* faults that fired */
};

/* Disarm every fault and zero the counters. */
void fake_reset(void);

/* Limit every network read to 1..7 bytes (on nonzero), or stop (0). */
void fake_short_reads(int on);

/* Fail the read after n more bytes have been read; n == 0 fails the next. */
void fake_net_reset_at(uint64_t n);

/* Fail the n-th network write from now (n >= 1; 0 disarms). */
void fake_net_write_fails_at(unsigned n);

/* Fail the n-th file write from now with ERR_NOSPC (n >= 1; 0 disarms). */
void fake_nospc_at_write(unsigned n);

/* Fail every fsync and syncfs (on nonzero), or stop (0). */
void fake_fsync_fails(int on);

/* Fail the n-th fsync or syncfs from now (n >= 1; 0 disarms). */
void fake_sync_fails_at(unsigned n);

/* The wall clock says s (on nonzero), or the real time again (0). */
void fake_wall_time(int on, int64_t s);

/* Counters since fake_reset(). */
void fake_stats(struct fake_stats *st);

/* The wrappers and the real functions they reach (linked by --wrap). */
long __wrap_port_net_read(int sock, void *buf, size_t len, uint32_t timeout_ms);
long __real_port_net_read(int sock, void *buf, size_t len, uint32_t timeout_ms);
long __wrap_port_net_write(int sock, const void *buf, size_t len,
    uint32_t timeout_ms);
long __real_port_net_write(int sock, const void *buf, size_t len,
    uint32_t timeout_ms);
long __wrap_port_fs_write(int fd, const void *buf, size_t len);
long __real_port_fs_write(int fd, const void *buf, size_t len);
int __wrap_port_fs_fsync(int fd);
int __real_port_fs_fsync(int fd);
int __wrap_port_fs_syncfs(int fd);
int __real_port_fs_syncfs(int fd);
int64_t __wrap_port_wall_s(void);
int64_t __real_port_wall_s(void);

#endif /* FAKE_H */
