/*
 * report.h: the printed reports of inspect and of a signed pull (report.c).
 */
#ifndef REPORT_H
#define REPORT_H

#include "fetch.h"
#include "resolve.h"
#include "sig.h"

/* What the reports read: the resolved image and the signature checks. */
struct report {
	const struct image *img;
	const struct sig_check *sigs;
	const struct sigkeys *keys;     /* --verify-key */
	const struct sigkeys *logs;     /* --rekor-key */
};

/* s as a JSON string (or null) on the standard output. */
void report_json(const char *s);

/* The key file that verified f, or "". */
const char *report_sig_key(const struct report *r, const struct sig_found *f);

/* The signature that let the image in, or NULL (none, or no keys). */
const struct sig_found *report_first_verified(const struct report *r);

/* pull --verify-key: which signature let the image in (standard error). */
void report_signed(const struct report *r);

/* inspect: the reference, the chosen manifest, config and layers, and the
 * signatures when keys were given; text, or one JSON object. */
void report_inspect(const struct report *r, int json, const char *refname);

/* fetch: what was written where (the done event, and a line on the
 * standard error unless it carries JSON only). */
void report_fetched(const struct fetch *f, const char *refname,
    const char *target);

#endif /* REPORT_H */
