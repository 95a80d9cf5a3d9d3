/*
 * port.h: the only door from src/ to the operating system.
 *
 * src/ includes no OS header and calls no OS function except through this
 * file. A port (port/linux/, port/fake/ for fault injection in tests)
 * implements every function below. Errors are translated to the codes of
 * src/err.h here, at the boundary: a function returns 0 or a count on
 * success and a negative ERR_* code on failure, with a message recorded by
 * err_set() that names the operation and the object (path, host).
 *
 * Handles (sockets, files, directories) are small non-negative ints owned by
 * the caller, who closes them. Paths given to the fs functions are single
 * names or relative paths below a directory handle; PORT_CWD stands for the
 * current directory. Nothing here keeps state between calls except the
 * handles themselves.
 */
#ifndef PORT_H
#define PORT_H

#include <stddef.h>
#include <stdint.h>

/* ---- output ---------------------------------------------------------- */

enum { PORT_STDIN = 0, PORT_STDOUT = 1, PORT_STDERR = 2 };

/* Write all of s to the stream (1 or 2); errors are ignored. */
void port_out(int stream, const char *s, size_t len);

/* Nonzero when the stream is a terminal. */
int port_isatty(int stream);

/*
 * On SIGTERM or SIGINT, call fn(PORT_SIGTERM or PORT_SIGINT) (it may only
 * write, with port_out),
 * then die by that signal as if it had not been caught: whatever the
 * process left on disk stays as a kill leaves it.
 */
enum { PORT_SIGINT = 2, PORT_SIGTERM = 15 };
void port_on_terminate(void (*fn)(int sig));

/* Hold SIGTERM and SIGINT back (hold 1) across a step that must not be
 * cut short by them, then let a pending one act (hold 0). */
void port_hold_terminate(int hold);

/* A write to a pipe or socket whose reader is gone fails with an error
 * (ERR_IO, "Broken pipe") instead of killing the process unreported.
 * Programs started by port_run get the default back. */
void port_ignore_broken_pipe(void);

/* Turn the echo of the terminal on stream off (on 0) or back on: 0, or
 * ERR_UNSUPPORTED when stream is not a terminal. The caller turns it back
 * on before it exits; SIGINT or SIGTERM while it is off turn it back on
 * before the process dies. */
int port_tty_echo(int stream, int on);

/* Value of an environment variable, or NULL. */
const char *port_env(const char *name);

/* ---- time and entropy ------------------------------------------------ */

/* Monotonic milliseconds since an arbitrary start. */
uint64_t port_mono_ms(void);

/* Wall-clock seconds since 1970 (UTC). */
int64_t port_wall_s(void);

/* Sleep for ms milliseconds. */
void port_sleep_ms(uint32_t ms);

/* Fill buf with len bytes from the kernel's random source; 0 or ERR_IO. */
int port_entropy(void *buf, size_t len);

/* The running kernel's boot identity (changes at every boot) into buf as
 * a NUL-terminated string of at most cap - 1 printable bytes without
 * spaces. Returns its length, or ERR_UNSUPPORTED where the system does not
 * tell (the caller then trusts nothing to survive from before). */
long port_boot_id(char *buf, size_t cap);

/* ---- network --------------------------------------------------------- */

/*
 * Resolve host (a name, an IPv4 literal or an IPv6 literal without
 * brackets) and connect a TCP socket to the first address that answers
 * within timeout_ms in all: the addresses are tried one after the other,
 * IPv6 and IPv4 interleaved (RFC 8305), each but the last for at most
 * BOARD_CONNECT_ATTEMPT_MS. Returns the socket handle, or ERR_DNS,
 * ERR_TIMEOUT, ERR_NET.
 */
int port_net_connect(const char *host, uint16_t port, uint32_t timeout_ms);

/*
 * Read up to len bytes, waiting at most timeout_ms for the first byte.
 * Returns the count (> 0), 0 when the peer closed the connection, or
 * ERR_TIMEOUT / ERR_NET.
 */
long port_net_read(int sock, void *buf, size_t len, uint32_t timeout_ms);

/*
 * Write all len bytes, waiting at most timeout_ms for each part to go out.
 * Returns len, or ERR_TIMEOUT / ERR_NET.
 */
long port_net_write(int sock, const void *buf, size_t len, uint32_t timeout_ms);

void port_net_close(int sock);

/* ---- files ----------------------------------------------------------- */

#define PORT_CWD (-100)

/* Open flags, independent of the operating system's values. */
enum {
	PORT_O_READ = 1u << 0,
	PORT_O_WRITE = 1u << 1,
	PORT_O_CREATE = 1u << 2,
	PORT_O_EXCL = 1u << 3,
	PORT_O_TRUNC = 1u << 4,
	PORT_O_NOFOLLOW = 1u << 5,    /* the last component must not be a symlink */
	PORT_O_DIRECTORY = 1u << 6,
	PORT_O_APPEND = 1u << 7
};

/* File types, as in a tar header. */
enum {
	PORT_T_NONE = 0, PORT_T_REG, PORT_T_DIR, PORT_T_LNK, PORT_T_CHR,
	PORT_T_BLK, PORT_T_FIFO, PORT_T_SOCK
};

struct port_stat {
	unsigned type;          /* PORT_T_* */
	uint32_t mode;          /* permission bits incl. setuid/setgid/sticky */
	uint32_t uid, gid;
	uint64_t size;
	uint64_t ino, dev;
	uint64_t nlink;
	/* No times: nothing in ocipull decides by a file's timestamps (see
	 * src/member.h). */
};

/*
 * Open path below the directory handle dir. mode applies when the file is
 * created. Returns the handle or ERR_NOENT, ERR_EXIST, ERR_PERM, ERR_IO, ...
 */
int port_fs_open(int dir, const char *path, unsigned flags, uint32_t mode);

/*
 * Open path below root as if root were "/": absolute symlinks and ".." stay
 * inside it (Linux openat2 RESOLVE_IN_ROOT). Returns the handle, or
 * ERR_UNSUPPORTED when the kernel cannot, so the caller walks components.
 */
int port_fs_open_in_root(int root, const char *path, unsigned flags,
    uint32_t mode);

/* Read up to len bytes; count, 0 at end of file, or an error. */
long port_fs_read(int fd, void *buf, size_t len);

/* Write all len bytes; len, ERR_NOSPC or ERR_IO. */
long port_fs_write(int fd, const void *buf, size_t len);

/* At byte offset off, without moving the file position: read up to len
 * bytes (count, 0 at end of file) or write all len (len). Or an error. */
long port_fs_pread(int fd, void *buf, size_t len, uint64_t off);
long port_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off);

int port_fs_close(int fd);

/* Cut or extend the file to len bytes. */
int port_fs_truncate(int fd, uint64_t len);
int port_fs_fsync(int fd);

/* Flush the whole file system that holds fd. */
int port_fs_syncfs(int fd);

/* Status of path below dir, without following a final symlink; a NULL or
 * empty path means dir itself. ERR_NOENT when absent. */
int port_fs_stat(int dir, const char *path, struct port_stat *st);

int port_fs_mkdir(int dir, const char *name, uint32_t mode);

/* Remove a non-directory (is_dir 0) or an empty directory (is_dir 1). */
int port_fs_unlink(int dir, const char *name, int is_dir);

/* Rename; with exchange nonzero both must exist and swap atomically. */
int port_fs_rename(int from_dir, const char *from, int to_dir,
    const char *to, int exchange);

int port_fs_symlink(const char *target, int dir, const char *name);

/* Hard link, never following a symlink at from (it links the symlink). */
int port_fs_link(int from_dir, const char *from, int to_dir, const char *to);

/* Create a device (PORT_T_CHR, PORT_T_BLK) or FIFO (PORT_T_FIFO). */
int port_fs_mknod(int dir, const char *name, unsigned type, uint32_t mode,
    uint32_t major, uint32_t minor);

/* Metadata through a handle: never follows a path. */
int port_fs_fchmod(int fd, uint32_t mode);
int port_fs_fchown(int fd, uint32_t uid, uint32_t gid);
int port_fs_futimes(int fd, int64_t mtime_s, uint32_t mtime_ns);
int port_fs_fsetxattr(int fd, const char *name, const void *value, size_t len);

/* The xattr names of fd, each NUL-terminated, into buf: their total
 * length, ERR_NOMEM when they do not fit in cap bytes, ERR_UNSUPPORTED
 * where the file system has no xattrs. */
long port_fs_flistxattr(int fd, char *buf, size_t cap);

/* Remove the xattr name of fd: 0, ERR_NOENT when it is not set. */
int port_fs_fremovexattr(int fd, const char *name);

/* Metadata of a symlink by name below dir, never following it. */
int port_fs_lchown(int dir, const char *name, uint32_t uid, uint32_t gid);

/* Mode of name below dir (a device node or FIFO, which must not be opened),
 * never following a symlink (ERR_UNSUPPORTED when name is one). */
int port_fs_lchmod(int dir, const char *name, uint32_t mode);

/* Target of the symlink name below dir, NUL-terminated in buf; its length,
 * ERR_NOMEM when it does not fit in cap - 1 bytes, ERR_UNSUPPORTED when name
 * is not a symlink. */
long port_fs_readlink(int dir, const char *name, char *buf, size_t cap);
int port_fs_lutimes(int dir, const char *name, int64_t mtime_s,
    uint32_t mtime_ns);

/* ERR_OK when this process may write into the directory name below dir
 * (NULL: dir itself), as its effective user; ERR_PERM (also for a
 * read-only file system) or another error naming it otherwise. */
int port_fs_writable(int dir, const char *name);

/*
 * Directory listing into a caller-owned buffer (no allocation).
 * port_fs_dir_open takes over fd (a directory handle); port_fs_dir_next
 * writes the next name (never "." or "..") into name and returns its
 * length, 0 at the end, or an error; port_fs_dir_close closes fd.
 */
struct port_dir {
	int fd;
	size_t pos, len;
	unsigned char buf[2048];
};
void port_fs_dir_open(struct port_dir *d, int fd);
long port_fs_dir_next(struct port_dir *d, char *name, size_t cap);
void port_fs_dir_close(struct port_dir *d);

/* Take an exclusive advisory lock without waiting; ERR_BUSY when held. */
int port_fs_lock(int fd);

/* Read a whole small file into buf; its length, or ERR_NOMEM when longer
 * than cap. */
long port_fs_read_file(int dir, const char *path, void *buf, size_t cap);

/* ---- CPU ------------------------------------------------------------- */

/*
 * SHA-256 block function on the CPU's own instructions (x86 SHA
 * extensions, ARMv8 crypto extensions): runs n 64-byte blocks of p into
 * the state h and returns 0, or returns -1 without touching h when the CPU
 * has none (or OCIPULL_NO_SHA_CPU=1 is set), so the caller uses portable C.
 */
int port_sha256_blocks(uint32_t h[8], const unsigned char *p, size_t n);

/* ---- memory ---------------------------------------------------------- */

/*
 * The arena that serves the C library's malloc (and so mbedTLS): its size
 * (BOARD_HEAP_SIZE), bytes in use, high-water mark, allocations so far and
 * failed requests. A port without such an arena reports zeros.
 */
struct port_heap_stats {
	size_t size, used, peak;
	uint64_t allocs, failures;
};
void port_heap_stats(struct port_heap_stats *s);

/* Peak resident set size of the process in KiB, 0 when unknown. */
uint64_t port_peak_rss_kb(void);

/* Nonzero when the process runs with root's privileges. */
int port_is_root(void);

/* The effective user id (what owns the files the process creates). */
uint32_t port_euid(void);

/* The effective group id (the group of the files the process creates,
 * unless the directory they are made in gives its own). */
uint32_t port_egid(void);

/* The process's file mode creation mask (the permission bits that
 * creating a file, directory or node clears), without changing it. */
uint32_t port_umask(void);

/* ---- processes ------------------------------------------------------- */

/* Most bytes port_run() writes to a program's standard input. */
#define PORT_RUN_IN_MAX 4096u

/*
 * Run the program name, looked up in PATH as execvp does (no shell; a name
 * holding '/' is refused with ERR_USAGE), with the one argument arg, the
 * process environment, in[0..in_len) (at most PORT_RUN_IN_MAX bytes) on
 * its standard input, which is then at its end, and standard error thrown
 * away. Its standard output goes into out[0..cap): *out_len bytes, not
 * NUL-terminated. Returns ERR_OK when it exited, *status its exit status
 * (0..255); ERR_NOENT when no program of that name is found (or it cannot
 * be run: ERR_PERM); ERR_NOMEM when it writes more than cap bytes and
 * ERR_TIMEOUT when it has not exited within timeout_ms (it is killed in
 * both cases); ERR_IO when a signal ended it or the system refused. Every
 * error names the program. Nothing is allocated.
 */
int port_run(const char *name, const char *arg, const void *in,
    size_t in_len, char *out, size_t cap, uint32_t timeout_ms,
    size_t *out_len, int *status);

/* ---- a second thread ------------------------------------------------ */

/*
 * One worker thread for pure computation (src/relay.c: the layer's
 * decompressor and diff_id SHA-256 beside the writer), with one lock and
 * two conditions; the only threading ocipull does. The worker runs
 * fn(arg) with every signal blocked, so signals stay with the main
 * thread. port_worker_start returns 0, or -1 when the port has no
 * threads, the process may run on one CPU only, or the thread could not
 * start (the caller then does the work itself); the others may be called
 * only after it returned 0. port_worker_wait(c) releases the lock while
 * it sleeps until port_worker_wake(c) (c is 0 or 1; waking may be
 * spurious).
 */
int port_worker_start(void (*fn)(void *), void *arg);
void port_worker_lock(void);
void port_worker_unlock(void);
void port_worker_wait(int c);
void port_worker_wake(int c);
void port_worker_join(void);

/* ---- build ----------------------------------------------------------- */

/* The C library linked in, as "NAME VERSION" ("musl 1.2.5", "glibc 2.36"),
 * or "libc unknown" when neither the build nor the library says. */
const char *port_libc_version(void);

#endif /* PORT_H */
