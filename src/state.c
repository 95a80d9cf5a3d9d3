/*
 * state.c: the installed-state record (see state.h).
 */
#include "state.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"
#include "platform.h"

void
state_time(int64_t t, char out[24])
{
	/* Days since 1970-01-01 to a civil date: years of 365.2425 days
	 * counted in 400-year eras that start on March 1st, so the leap day
	 * is the last day of its year. */
	int64_t days = (t >= 0 ? t : t - 86399) / 86400, secs = t - days * 86400;
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	snprintf(out, 24, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m,
	    (int)d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

void
state_from_image(struct state_rec *r, const char *refname,
    const struct image *img, int64_t now, const char *version)
{
	size_t i;

	memset(r, 0, sizeof *r);
	snprintf(r->reference, sizeof r->reference, "%s", refname);
	if (resolve_index(img) != NULL)
		snprintf(r->index, sizeof r->index, "%s", resolve_index(img));
	snprintf(r->manifest, sizeof r->manifest, "%s", img->manifest.digest);
	snprintf(r->config, sizeof r->config, "%s", img->config.digest);
	platform_format(&img->platform, r->platform, sizeof r->platform);
	state_time(now, r->time);
	snprintf(r->version, sizeof r->version, "%s", version);
	r->nlayers = img->nlayers;
	for (i = 0; i < img->nlayers; i++)
		snprintf(r->layers[i], sizeof r->layers[i], "%s", img->layers[i].digest);
}

/* Append text to out at *at; a flag in *full when it did not fit. */
static void
put(char *out, size_t cap, size_t *at, int *full, const char *s)
{
	size_t n = strlen(s);

	if (*full || *at + n >= cap) {
		*full = 1;
		return;
	}
	memcpy(out + *at, s, n + 1);
	*at += n;
}

/* "KEY":"VALUE" (quoted and escaped; NULL: null); with key "" the value
 * alone. */
static void
put_str(char *out, size_t cap, size_t *at, int *full, const char *key,
    const char *v, int comma)
{
	char q[REF_TEXT_MAX * 2 + 8];

	put(out, cap, at, full, comma ? "," : "");
	if (key[0] != '\0') {         /* "" : an array's element */
		put(out, cap, at, full, "\"");
		put(out, cap, at, full, key);
		put(out, cap, at, full, "\":");
	}
	lex_json_quote(q, sizeof q, v);
	put(out, cap, at, full, q);
}

long
state_format(const struct state_rec *r, char *out, size_t cap)
{
	char num[48];
	size_t at = 0, i;
	int full = 0;

	snprintf(num, sizeof num, "{\"ocipull\":%u", STATE_FORMAT);
	put(out, cap, &at, &full, num);
	put_str(out, cap, &at, &full, "reference", r->reference, 1);
	put_str(out, cap, &at, &full, "index", r->index[0] ? r->index : NULL, 1);
	put_str(out, cap, &at, &full, "manifest", r->manifest, 1);
	put_str(out, cap, &at, &full, "config", r->config, 1);
	put_str(out, cap, &at, &full, "platform", r->platform, 1);
	put(out, cap, &at, &full, ",\"layers\":[");
	for (i = 0; i < r->nlayers; i++)
		put_str(out, cap, &at, &full, "", r->layers[i], i > 0);
	snprintf(num, sizeof num, "],\"tree\":%llu", (unsigned long long)r->tree);
	put(out, cap, &at, &full, num);
	put_str(out, cap, &at, &full, "time", r->time, 1);
	put_str(out, cap, &at, &full, "version", r->version, 1);
	put(out, cap, &at, &full, "}\n");
	if (full)
		return err_set(ERR_NOMEM, "state record: more than %zu bytes", cap);
	return (long)at;
}

/* The string member key of the object at 0 into buf; required unless
 * null_ok, when null (or absence) leaves buf empty. */
static int
get_str(const struct json *j, const char *key, char *buf, size_t cap,
    int null_ok, const char *what)
{
	int i = json_get(j, 0, key);

	buf[0] = '\0';
	if (i < 0 && i != -1)
		return i;
	if (null_ok && (i == -1 || (j->tok[i].type == JSMN_PRIMITIVE &&
	    j->doc[j->tok[i].start] == 'n')))
		return ERR_OK;
	if (i == -1 || json_copy(j, i, buf, cap) < 0) {
		err_clear();
		return err_set(ERR_FORMAT, "%s: \"%s\" is missing or not a string of "
		    "at most %zu bytes", what, key, cap - 1);
	}
	return ERR_OK;
}

/* A digest member must be one ("sha256:" and 64 lowercase hex). */
static int
check_digest(const char *d, const char *key, const char *what)
{
	if (!ref_digest_valid(d, strlen(d)))
		return err_set(ERR_FORMAT, "%s: \"%s\" is not a sha256 digest", what,
		    key);
	return ERR_OK;
}

/* The string members of a record, where they go in struct state_rec. */
static const struct {
	const char *key;
	size_t at, cap;
	int null_ok;               /* null stands for "" */
} fields[] = {
#define FIELD(name, null_ok) { #name, offsetof(struct state_rec, name), \
	sizeof ((struct state_rec *)0)->name, null_ok }
	FIELD(reference, 0), FIELD(index, 1), FIELD(manifest, 0),
	FIELD(config, 0), FIELD(platform, 0), FIELD(time, 0), FIELD(version, 0),
#undef FIELD
};

int
state_parse(struct state_rec *r, const char *doc, size_t len,
    jsmntok_t *tok, unsigned ntok, const char *what)
{
	struct json j;
	uint64_t v;
	int rc, a, i;
	size_t k;

	memset(r, 0, sizeof *r);
	rc = json_parse(&j, doc, len, tok, ntok, what);
	if (rc < 0)
		return rc;
	if (!json_is_object(&j, 0))
		return err_set(ERR_FORMAT, "%s: not a JSON object", what);
	i = json_get(&j, 0, "ocipull");
	if (i < 0 || json_u64(&j, i, 1000, &v) < 0 || v != STATE_FORMAT) {
		err_clear();
		return err_set(ERR_FORMAT, "%s: not an ocipull state record of format "
		    "%u", what, STATE_FORMAT);
	}
	for (k = 0; k < sizeof fields / sizeof fields[0] && rc == ERR_OK; k++)
		rc = get_str(&j, fields[k].key, (char *)r + fields[k].at,
		    fields[k].cap, fields[k].null_ok, what);
	if (rc == ERR_OK && r->index[0] != '\0')
		rc = check_digest(r->index, "index", what);
	if (rc == ERR_OK)
		rc = check_digest(r->manifest, "manifest", what);
	if (rc == ERR_OK)
		rc = check_digest(r->config, "config", what);
	if (rc < 0)
		return rc;
	i = json_get(&j, 0, "tree");
	if (i < 0 || json_u64(&j, i, UINT64_MAX, &r->tree) < 0) {
		err_clear();
		return err_set(ERR_FORMAT, "%s: \"tree\" is missing or not a number",
		    what);
	}
	a = json_get(&j, 0, "layers");
	if (a < 0 || !json_is_array(&j, a) || j.tok[a].size > (int)BOARD_LAYERS_MAX) {
		err_clear();
		return err_set(ERR_FORMAT, "%s: \"layers\" is missing or not an array "
		    "of at most %u", what, BOARD_LAYERS_MAX);
	}
	for (k = 0, i = a + 1; k < (size_t)j.tok[a].size; k++, i = json_next(&j, i)) {
		if (json_copy(&j, i, r->layers[k], sizeof r->layers[k]) < 0 ||
		    check_digest(r->layers[k], "layers", what) < 0) {
			err_clear();
			return err_set(ERR_FORMAT, "%s: layer %zu is not a sha256 digest",
			    what, k);
		}
	}
	r->nlayers = k;
	return ERR_OK;
}
