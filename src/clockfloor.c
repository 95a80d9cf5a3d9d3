/*
 * clockfloor.c: certificate dates against the wall clock or the build's
 * time (see clockfloor.h for the rules).
 */
#include "clockfloor.h"

#include <stdio.h>

#include "port.h"

#define DAY_S 86400
#define CYCLE_DAYS 146097          /* days in any 400 consecutive years */

/* Days before the first of each month in a common year. */
static const int month_start[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
};

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years among 1..y-1, for y >= 1. */
static int64_t
leaps_before(int64_t y)
{
	y--;
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to the first of January of y (y >= 1). */
static int64_t
days_to_year(int64_t y)
{
	return 365 * (y - 1970) + leaps_before(y) - leaps_before(1970);
}

int64_t
clockfloor_epoch(int year, int mon, int day, int hour, int min, int sec)
{
	int64_t y = year < 1 ? 1 : year > 9999 ? 9999 : year;
	int64_t days;
	int m = mon < 1 ? 1 : mon > 12 ? 12 : mon;

	days = days_to_year(y) + month_start[m - 1] + (m > 2 && is_leap(y)) +
	    (int64_t)day - 1;
	return days * DAY_S + (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
}

/* Floor division, for times before 1970. */
static int64_t
div_floor(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

size_t
clockfloor_format(int64_t s, char *buf, size_t cap)
{
	int64_t days = div_floor(s, DAY_S), secs = s - days * DAY_S;
	int64_t cycles = div_floor(days, CYCLE_DAYS), y = 1970 + 400 * cycles;
	int m = 0, n;

	days -= cycles * CYCLE_DAYS;
	while (days >= 365 + is_leap(y)) {
		days -= 365 + is_leap(y);
		y++;
	}
	while (m < 11 && days >= month_start[m + 1] + (m + 1 >= 2 && is_leap(y)))
		m++;
	days -= month_start[m] + (m >= 2 && is_leap(y));
	n = snprintf(buf, cap, "%04lld-%02d-%02lld %02lld:%02lld:%02lld UTC",
	    (long long)y, m + 1, (long long)days + 1, (long long)(secs / 3600),
	    (long long)(secs / 60 % 60), (long long)(secs % 60));
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap > 0 ? cap - 1 : 0;
}

void
clockfloor_init(struct clockfloor *cf, int64_t floor_s)
{
	cf->floor_s = floor_s;
	cf->clock_s = 0;
	cf->uses = 0;
}

uint32_t
clockfloor_check(int64_t floor_s, int64_t now, int64_t not_before,
    int64_t not_after)
{
	uint32_t flags = 0;

	if (now < floor_s)
		return not_after < floor_s ? MBEDTLS_X509_BADCERT_EXPIRED : 0;
	if (not_after < now)
		flags |= MBEDTLS_X509_BADCERT_EXPIRED;
	if (not_before > now)
		flags |= MBEDTLS_X509_BADCERT_FUTURE;
	return flags;
}

static int64_t
x509_epoch(const mbedtls_x509_time *t)
{
	return clockfloor_epoch(t->year, t->mon, t->day, t->hour, t->min, t->sec);
}

int
clockfloor_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct clockfloor *cf = ctx;
	int64_t now = port_wall_s();

	(void)depth;
	*flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
	*flags |= clockfloor_check(cf->floor_s, now, x509_epoch(&crt->valid_from),
	    x509_epoch(&crt->valid_to));
	if (now < cf->floor_s) {
		cf->clock_s = now;
		cf->uses++;
	}
	return 0;
}

size_t
clockfloor_note(const struct clockfloor *cf, char *buf, size_t cap)
{
	char clock[40], floor[40];
	int n;

	clockfloor_format(cf->clock_s, clock, sizeof clock);
	clockfloor_format(cf->floor_s, floor, sizeof floor);
	n = snprintf(buf, cap, "the system clock (%s) is earlier than this build "
	    "(%s): TLS certificates were checked for expiry as of the build's "
	    "time, and not for their start dates", clock, floor);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap > 0 ? cap - 1 : 0;
}
