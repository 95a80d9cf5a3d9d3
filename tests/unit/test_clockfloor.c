/*
 * test_clockfloor.c: certificate dates against the wall clock or the
 * build's time (src/clockfloor.h): the date arithmetic against known
 * answers and against itself (format, then epoch, gives the same second),
 * the rules with a trusted clock and with one behind the floor, and the
 * mbedTLS verify callback with the port's wall clock set by the fake port
 * (port/fake/, linked with --wrap=port_wall_s).
 */
#include <stdint.h>
#include <stdio.h>

#include "unit.h"
#include "clockfloor.h"
#include "fake.h"

#define EXPIRED MBEDTLS_X509_BADCERT_EXPIRED
#define FUTURE MBEDTLS_X509_BADCERT_FUTURE
#define Y2100 4102444800LL         /* 2100-01-01 00:00:00 UTC */

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static void
test_epoch_known_answers(void)
{
	static const struct {
		int y, mo, d, h, mi, s;
		long long want;
	} v[] = {
		{ 1970, 1, 1, 0, 0, 0, 0LL },
		{ 1969, 12, 31, 23, 59, 59, -1LL },
		{ 1950, 1, 1, 0, 0, 0, -631152000LL },      /* UTCTime's first year */
		{ 2000, 3, 1, 0, 0, 0, 951868800LL },       /* after a 400-year leap day */
		{ 2024, 2, 29, 12, 0, 0, 1709208000LL },
		{ 2038, 1, 19, 3, 14, 7, 2147483647LL },
		{ 2100, 1, 1, 0, 0, 0, Y2100 },
		{ 2100, 3, 1, 0, 0, 0, 4107542400LL },      /* 2100 has no leap day */
		{ 1600, 2, 29, 0, 0, 0, -11670998400LL },
		{ 1, 1, 1, 0, 0, 0, -62135596800LL },
		{ 9999, 12, 31, 23, 59, 59, 253402300799LL },
		/* Year 0 is clamped to year 1: still long before 1970. */
		{ 0, 1, 1, 0, 0, 0, -62135596800LL },
	};
	size_t i;

	for (i = 0; i < COUNT(v); i++) {
		int64_t got = clockfloor_epoch(v[i].y, v[i].mo, v[i].d, v[i].h,
		    v[i].mi, v[i].s);
		if (got != v[i].want)
			fprintf(stderr, "  %04d-%02d-%02d: %lld, expected %lld\n", v[i].y,
			    v[i].mo, v[i].d, (long long)got, v[i].want);
		CHECK_EQ(got, v[i].want);
	}
}

static void
test_format_known_answers(void)
{
	char buf[40];

	CHECK_EQ(clockfloor_format(0, buf, sizeof buf), 23);
	CHECK_STR(buf, "1970-01-01 00:00:00 UTC");
	clockfloor_format(-1, buf, sizeof buf);
	CHECK_STR(buf, "1969-12-31 23:59:59 UTC");
	clockfloor_format(951868800LL - 1, buf, sizeof buf);
	CHECK_STR(buf, "2000-02-29 23:59:59 UTC");
	clockfloor_format(Y2100, buf, sizeof buf);
	CHECK_STR(buf, "2100-01-01 00:00:00 UTC");
	clockfloor_format(4107542400LL - 1, buf, sizeof buf);
	CHECK_STR(buf, "2100-02-28 23:59:59 UTC");
	clockfloor_format(253402300799LL, buf, sizeof buf);
	CHECK_STR(buf, "9999-12-31 23:59:59 UTC");
	/* Cut to the buffer, NUL-terminated. */
	CHECK_EQ(clockfloor_format(0, buf, 5), 4);
	CHECK_STR(buf, "1970");
}

/* format and epoch are inverses, over 1900..2200 in steps that visit every
 * time of day and every month, and every day around the century leap
 * days. */
static void
test_format_epoch_round_trip(void)
{
	static const int64_t around[] = {
		951782400LL,                /* 2000-02-29 */
		4107456000LL,               /* 2100-02-28 */
		-2203977600LL,              /* 1900-03-01 */
		0,
	};
	int64_t s;
	unsigned bad = 0;
	size_t i;
	int d;

	for (s = -2208988800LL; s < 7258118400LL; s += 86400LL * 13 + 3607) {
		char buf[40];
		int y, mo, dd, h, mi, sec;

		clockfloor_format(s, buf, sizeof buf);
		if (sscanf(buf, "%d-%d-%d %d:%d:%d", &y, &mo, &dd, &h, &mi, &sec) != 6 ||
		    clockfloor_epoch(y, mo, dd, h, mi, sec) != s) {
			if (bad++ < 3)
				fprintf(stderr, "  %lld formats as %s\n", (long long)s, buf);
		}
	}
	for (i = 0; i < COUNT(around); i++)
		for (d = -3; d <= 3; d++) {
			char buf[40];
			int y, mo, dd, h, mi, sec;
			int64_t t = around[i] + d * 86400LL + 86399;

			clockfloor_format(t, buf, sizeof buf);
			if (sscanf(buf, "%d-%d-%d %d:%d:%d", &y, &mo, &dd, &h, &mi, &sec) != 6 ||
			    clockfloor_epoch(y, mo, dd, h, mi, sec) != t) {
				if (bad++ < 3)
					fprintf(stderr, "  %lld formats as %s\n", (long long)t, buf);
			}
		}
	CHECK_EQ(bad, 0);
}

/* A clock at or after the floor is trusted: both dates, ends included. */
static void
test_check_trusted_clock(void)
{
	CHECK_EQ(clockfloor_check(1000, 2000, 1500, 2500), 0);
	CHECK_EQ(clockfloor_check(1000, 2000, 2000, 2000), 0);
	CHECK_EQ(clockfloor_check(1000, 2000, 1500, 1999), EXPIRED);
	CHECK_EQ(clockfloor_check(1000, 2000, 2001, 3000), FUTURE);
	CHECK_EQ(clockfloor_check(1000, 2000, 2500, 1500), EXPIRED | FUTURE);
	/* The clock exactly at the floor is trusted. */
	CHECK_EQ(clockfloor_check(2000, 2000, 2001, 3000), FUTURE);
	/* No floor (a build that did not say): the clock alone, even 1970. */
	CHECK_EQ(clockfloor_check(0, 5, 1000, 2000), FUTURE);
	CHECK_EQ(clockfloor_check(0, 5, 0, 4), EXPIRED);
}

/* A clock behind the floor is wrong: expiry against the floor, no start
 * date (the real time may be any time after the floor). */
static void
test_check_clock_behind_floor(void)
{
	CHECK_EQ(clockfloor_check(2000, 100, 1500, 2500), 0);
	CHECK_EQ(clockfloor_check(2000, 100, 1500, 2000), 0);
	CHECK_EQ(clockfloor_check(2000, 100, 1500, 1999), EXPIRED);
	/* Valid at what the clock says, expired at the floor. */
	CHECK_EQ(clockfloor_check(2000, 100, 50, 150), EXPIRED);
	/* Issued after the build: not "not yet valid". */
	CHECK_EQ(clockfloor_check(2000, 100, 2500, 3000), 0);
}

static void
set_time(mbedtls_x509_time *t, int y, int mo, int d)
{
	memset(t, 0, sizeof *t);
	t->year = y;
	t->mon = mo;
	t->day = d;
}

/* The verify callback, its time from the port (the fake's wall clock). */
static void
test_verify_through_port_time(void)
{
	mbedtls_x509_crt crt;
	struct clockfloor cf;
	char note[300];
	uint32_t flags;

	mbedtls_x509_crt_init(&crt);
	clockfloor_init(&cf, Y2100);
	fake_reset();

	/* A device at boot: 1970-01-01 00:00:05. */
	fake_wall_time(1, 5);
	set_time(&crt.valid_from, 2099, 12, 1);
	set_time(&crt.valid_to, 2100, 2, 1);
	/* What mbedTLS would have said at 1970, plus a flag that must stay. */
	flags = FUTURE | MBEDTLS_X509_BADCERT_NOT_TRUSTED;
	CHECK_EQ(clockfloor_verify(&cf, &crt, 0, &flags), 0);
	CHECK_EQ(flags, MBEDTLS_X509_BADCERT_NOT_TRUSTED);
	CHECK_EQ(cf.uses, 1);
	CHECK_EQ(cf.clock_s, 5);
	clockfloor_note(&cf, note, sizeof note);
	CHECK(strstr(note, "(1970-01-01 00:00:05 UTC) is earlier than this build "
	    "(2100-01-01 00:00:00 UTC)") != NULL);

	/* Valid at the clock's 1970, expired at the floor. */
	set_time(&crt.valid_from, 1969, 1, 1);
	set_time(&crt.valid_to, 2099, 12, 31);
	flags = 0;
	clockfloor_verify(&cf, &crt, 1, &flags);
	CHECK_EQ(flags, EXPIRED);
	CHECK_EQ(cf.uses, 2);

	/* The clock past the floor is trusted again: the floor is not used. */
	fake_wall_time(1, Y2100 + 86400 * 400);
	set_time(&crt.valid_from, 2099, 12, 1);
	set_time(&crt.valid_to, 2100, 2, 1);
	flags = 0;
	clockfloor_verify(&cf, &crt, 0, &flags);
	CHECK_EQ(flags, EXPIRED);
	set_time(&crt.valid_from, 2102, 1, 1);
	set_time(&crt.valid_to, 2103, 1, 1);
	flags = EXPIRED;
	clockfloor_verify(&cf, &crt, 0, &flags);
	CHECK_EQ(flags, FUTURE);
	CHECK_EQ(cf.uses, 2);

	/* Without the fake, the real clock (some time before 2100). */
	fake_wall_time(0, 0);
	clockfloor_init(&cf, 0);
	set_time(&crt.valid_from, 2099, 12, 1);
	set_time(&crt.valid_to, 2100, 2, 1);
	flags = 0;
	clockfloor_verify(&cf, &crt, 0, &flags);
	CHECK_EQ(flags, FUTURE);
	CHECK_EQ(cf.uses, 0);
	fake_reset();
	mbedtls_x509_crt_free(&crt);
}

int
main(void)
{
	UNIT_RUN(test_epoch_known_answers);
	UNIT_RUN(test_format_known_answers);
	UNIT_RUN(test_format_epoch_round_trip);
	UNIT_RUN(test_check_trusted_clock);
	UNIT_RUN(test_check_clock_behind_floor);
	UNIT_RUN(test_verify_through_port_time);
	return UNIT_END();
}
