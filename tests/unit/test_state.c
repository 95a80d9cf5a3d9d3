/*
 * test_state.c: the state record (src/state.h) written and read back, the
 * records refused, the time format; and dest_probe / dest_usable
 * (src/dest.h) over real directories: empty, foreign, recorded, a stale
 * record, an empty DEST with a record, a symlink, a file, a missing
 * parent, DEST.old.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dest.h"
#include "err.h"
#include "state.h"
#include "unit.h"

static char doc[STATE_TEXT_MAX];
static jsmntok_t tok[BOARD_LAYERS_MAX + 64];
static struct state_rec rec, back;

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static void
sample(struct state_rec *r, size_t nlayers)
{
	size_t i;

	memset(r, 0, sizeof *r);
	snprintf(r->reference, sizeof r->reference, "registry.example:5000/a/b\"c:1");
	snprintf(r->index, sizeof r->index, D1);
	snprintf(r->manifest, sizeof r->manifest, D2);
	snprintf(r->config, sizeof r->config, D3);
	snprintf(r->platform, sizeof r->platform, "linux/arm/v7");
	state_time(1764756000, r->time);
	snprintf(r->version, sizeof r->version, "0.1.0");
	r->tree = 18446744073709551615ull;
	r->nlayers = nlayers;
	for (i = 0; i < nlayers; i++)
		snprintf(r->layers[i], sizeof r->layers[i], "%s", i % 2 ? D1 : D3);
}

static long
parse(const char *text)
{
	err_clear();
	return state_parse(&back, text, strlen(text), tok,
	    (unsigned)(sizeof tok / sizeof tok[0]), "record");
}

static void
test_round_trip(void)
{
	long n;
	size_t i;

	sample(&rec, BOARD_LAYERS_MAX);     /* the most layers fit */
	n = state_format(&rec, doc, sizeof doc);
	CHECK(n > 0 && doc[n - 1] == '\n');
	CHECK_EQ(parse(doc), ERR_OK);
	CHECK_STR(back.reference, rec.reference);
	CHECK_STR(back.index, D1);
	CHECK_STR(back.manifest, D2);
	CHECK_STR(back.config, D3);
	CHECK_STR(back.platform, "linux/arm/v7");
	CHECK_STR(back.time, "2025-12-03T10:00:00Z");
	CHECK(back.tree == rec.tree);
	CHECK_EQ(back.nlayers, BOARD_LAYERS_MAX);
	for (i = 0; i < back.nlayers; i++)
		CHECK_STR(back.layers[i], rec.layers[i]);
	/* No index: null, read back as "". */
	sample(&rec, 1);
	rec.index[0] = '\0';
	n = state_format(&rec, doc, sizeof doc);
	CHECK(strstr(doc, "\"index\":null,") != NULL);
	CHECK_EQ(parse(doc), ERR_OK);
	CHECK_STR(back.index, "");
	/* Too small a buffer. */
	err_clear();
	CHECK_EQ(state_format(&rec, doc, 100), ERR_NOMEM);
}

static void
test_refused(void)
{
	static const struct { const char *doc, *why; } bad[] = {
		{ "[]", "not a JSON object" },
		{ "{\"ocipull\":2}", "format 1" },
		{ "{\"ocipull\":1,\"reference\":\"r\",\"index\":null,\"manifest\":\"sha256:12\","
		  "\"config\":\"" D3 "\",\"platform\":\"p\",\"layers\":[],\"tree\":1,"
		  "\"time\":\"t\",\"version\":\"v\"}", "\"manifest\" is not a sha256" },
		{ "{\"ocipull\":1,\"reference\":\"r\",\"index\":null,\"manifest\":\"" D2 "\","
		  "\"config\":\"" D3 "\",\"platform\":\"p\",\"layers\":[\"x\"],\"tree\":1,"
		  "\"time\":\"t\",\"version\":\"v\"}", "layer 0 is not" },
		{ "{\"ocipull\":1,\"reference\":\"r\",\"index\":null,\"manifest\":\"" D2 "\","
		  "\"config\":\"" D3 "\",\"platform\":\"p\",\"layers\":[],\"tree\":-1,"
		  "\"time\":\"t\",\"version\":\"v\"}", "\"tree\"" },
		{ "{\"ocipull\":1,\"reference\":7}", "\"reference\" is missing" },
		{ "{\"ocipull\":1,\"ocipull\":1}", "" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ(parse(bad[i].doc), ERR_FORMAT);
		if (strstr(err_msg(), bad[i].why) == NULL)
			CHECK_STR(err_msg(), bad[i].why);
	}
}

static void
test_time(void)
{
	char t[24];

	state_time(0, t);
	CHECK_STR(t, "1970-01-01T00:00:00Z");
	state_time(951782400, t);           /* a leap day */
	CHECK_STR(t, "2000-02-29T00:00:00Z");
	state_time(951868799, t);
	CHECK_STR(t, "2000-02-29T23:59:59Z");
	state_time(951868800, t);
	CHECK_STR(t, "2000-03-01T00:00:00Z");
	state_time(4107542399, t);
	CHECK_STR(t, "2100-02-28T23:59:59Z");
	state_time(4107542400, t);          /* 2100 is not a leap year */
	CHECK_STR(t, "2100-03-01T00:00:00Z");
	state_time(-1, t);
	CHECK_STR(t, "1969-12-31T23:59:59Z");
}

/* A scratch directory: dest probing on the real file system. */
static char dir[256];

static int
probe(struct dest *d, const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	err_clear();
	return dest_probe(d, path, 1, &back, doc, sizeof doc, tok,
	    (unsigned)(sizeof tok / sizeof tok[0]));
}

static void
put_record(const char *name, const char *of)
{
	char path[512], target[512];
	struct stat st;
	long n;
	FILE *f;

	snprintf(target, sizeof target, "%s/%s", dir, of);
	sample(&rec, 2);
	rec.tree = stat(target, &st) == 0 ? (uint64_t)st.st_ino : 1;
	n = state_format(&rec, doc, sizeof doc);
	snprintf(path, sizeof path, "%s/.%s.ocipull.json", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL && n > 0);
	if (f != NULL) {
		fwrite(doc, 1, (size_t)n, f);
		fclose(f);
	}
}

static void
test_dest(void)
{
	static struct dest d;
	char p[512];

	snprintf(dir, sizeof dir, "/tmp/test_state.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	/* Nothing there: a pull makes it. */
	CHECK_EQ(probe(&d, "new"), ERR_OK);
	CHECK(!d.exists && !d.record_file);
	CHECK_EQ(dest_usable(&d, 0, 0), ERR_OK);
	/* Empty: usable. */
	snprintf(p, sizeof p, "%s/empty", dir);
	CHECK_EQ(mkdir(p, 0755), 0);
	CHECK_EQ(probe(&d, "empty"), ERR_OK);
	CHECK(d.exists && d.empty && !d.mount);
	CHECK_EQ(dest_usable(&d, 0, 0), ERR_OK);
	/* Foreign: refused, unless forced. */
	snprintf(p, sizeof p, "%s/foreign", dir);
	CHECK_EQ(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/foreign/file", dir);
	fclose(fopen(p, "w"));
	CHECK_EQ(probe(&d, "foreign"), ERR_OK);
	CHECK(d.exists && !d.empty);
	CHECK_EQ(dest_usable(&d, 0, 0), ERR_USAGE);
	CHECK(strstr(err_msg(), "is not empty and ocipull did not write it") != NULL);
	CHECK_EQ(dest_usable(&d, 1, 0), ERR_OK);
	/* Recorded: current while the tree is the record's. */
	put_record("foreign", "foreign");
	CHECK_EQ(probe(&d, "foreign"), ERR_OK);
	CHECK(d.recorded && d.current);
	CHECK_STR(back.manifest, D2);
	CHECK_EQ(dest_usable(&d, 0, 0), ERR_OK);
	put_record("foreign", "empty");     /* another tree's inode: stale */
	CHECK_EQ(probe(&d, "foreign"), ERR_OK);
	CHECK(d.recorded && !d.current);
	CHECK_EQ(dest_usable(&d, 0, 0), ERR_OK);
	/* An empty DEST is never current, whatever its record says. */
	put_record("empty", "empty");
	CHECK_EQ(probe(&d, "empty"), ERR_OK);
	CHECK(d.recorded && d.empty && !d.current);
	/* A symlink: its target, the record beside the target. */
	snprintf(p, sizeof p, "%s/current", dir);
	CHECK_EQ(symlink("foreign", p), 0);
	CHECK_EQ(probe(&d, "current"), ERR_OK);
	CHECK(d.linked && d.recorded);
	CHECK_STR(d.base, "foreign");
	/* A loop of links. */
	snprintf(p, sizeof p, "%s/loop", dir);
	CHECK_EQ(symlink("loop", p), 0);
	CHECK_EQ(probe(&d, "loop"), ERR_USAGE);
	CHECK(strstr(err_msg(), "more than 8 symlinks") != NULL);
	/* DEST.old there: --keep-old refused, unless forced. */
	snprintf(p, sizeof p, "%s/foreign.old", dir);
	CHECK_EQ(mkdir(p, 0755), 0);
	CHECK_EQ(probe(&d, "foreign"), ERR_OK);
	CHECK_EQ(dest_usable(&d, 0, 1), ERR_USAGE);
	CHECK(strstr(err_msg(), "foreign.old exists already") != NULL);
	CHECK_EQ(dest_usable(&d, 1, 1), ERR_OK);
	/* A file, and a missing parent: usage errors. */
	CHECK_EQ(probe(&d, "foreign/file"), ERR_USAGE);
	CHECK(strstr(err_msg(), "is not a directory") != NULL);
	CHECK_EQ(probe(&d, "no/such/dir"), ERR_USAGE);
	CHECK(strstr(err_msg(), "parent directory") != NULL);
	CHECK_EQ(probe(&d, ".."), ERR_USAGE);
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	CHECK_EQ(system(p), 0);
}

int
main(void)
{
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_refused);
	UNIT_RUN(test_time);
	UNIT_RUN(test_dest);
	return UNIT_END();
}
