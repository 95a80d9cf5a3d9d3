/*
 * clockfloor.h: certificate dates on a device whose clock may be wrong.
 *
 * Many devices boot at 1970 until NTP runs. A wall clock earlier than the
 * build's own time (clockfloor_build_s) is known to be wrong, and the real
 * time is known to be the build's time or later: the floor. Certificate
 * dates are then judged by what that much tells:
 *
 *   - a certificate whose notAfter is before the floor has expired;
 *   - notBefore is not checked: the real time may be any time after the
 *     floor, so a certificate issued after the build (a registry renews
 *     its certificate every few months) cannot be called "not yet valid".
 *
 * A clock at or after the floor is trusted and both dates are checked
 * against it, as mbedTLS itself does.
 *
 * clockfloor_verify is the mbedTLS verify callback (mbedtls_ssl_conf_verify)
 * that applies this: for every certificate of the chain it replaces
 * mbedTLS's own EXPIRED and FUTURE flags by the check above, with the time
 * from the port (port_wall_s), so it works with any mbedTLS build, with or
 * without MBEDTLS_HAVE_TIME_DATE. Its context is a caller-owned struct
 * clockfloor (clockfloor_init first); the caller reads uses and clock_s
 * afterwards to warn that the floor was used (clockfloor_note words it).
 *
 * The other functions are pure.
 */
#ifndef CLOCKFLOOR_H
#define CLOCKFLOOR_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

/*
 * The build's time in seconds since 1970: SOURCE_DATE_EPOCH when it was
 * set at build time, else the newest source file's mtime (never later than
 * the build machine's clock). Defined in build_time.c, the one object the
 * Makefile compiles with it; 0 (no floor) when a build did not say.
 */
extern const int64_t clockfloor_build_s;

struct clockfloor {
	int64_t floor_s;           /* a wall clock before it is wrong */
	int64_t clock_s;           /* the wall clock at the last check that
	                            * used the floor */
	unsigned uses;             /* certificates checked against the floor */
};

void clockfloor_init(struct clockfloor *cf, int64_t floor_s);

/*
 * Seconds since 1970 of a UTC date and time as X.509 carries it (year
 * 0..9999, proleptic Gregorian; the year is clamped to 1..9999, which
 * changes no comparison with a time after 1970). Fields out of range give
 * no error: callers pass what mbedTLS's parser accepted.
 */
int64_t clockfloor_epoch(int year, int mon, int day, int hour, int min,
    int sec);

/*
 * "YYYY-MM-DD HH:MM:SS UTC" for s (seconds since 1970, any sign) into buf
 * (cut to cap - 1 bytes, NUL-terminated). Returns its length.
 */
size_t clockfloor_format(int64_t s, char *buf, size_t cap);

/*
 * The date flags of a certificate valid from not_before to not_after
 * (seconds since 1970, both included) when the wall clock says now and the
 * floor is floor_s: 0, MBEDTLS_X509_BADCERT_EXPIRED and/or
 * MBEDTLS_X509_BADCERT_FUTURE, as the rules at the top say.
 */
uint32_t clockfloor_check(int64_t floor_s, int64_t now, int64_t not_before,
    int64_t not_after);

/*
 * mbedTLS verify callback; ctx is a struct clockfloor. Replaces the
 * EXPIRED and FUTURE bits of *flags for crt by clockfloor_check at
 * port_wall_s(); counts a use of the floor when the clock is behind it.
 * Returns 0 (the flags decide).
 */
int clockfloor_verify(void *ctx, mbedtls_x509_crt *crt, int depth,
    uint32_t *flags);

/*
 * What a check that used the floor did, in words, into buf (cut to
 * cap - 1 bytes): "the system clock (...) is earlier than this build
 * (...): ..." Returns its length.
 */
size_t clockfloor_note(const struct clockfloor *cf, char *buf, size_t cap);

#endif /* CLOCKFLOOR_H */
