/*
 * pull.c: the driver: stage, then every layer through the pipeline, then
 * the commit.
 */
#include "pull.h"

#include <string.h>

static void
emit_layer(const struct event_sink *events, enum event_kind kind,
    const struct image *img, size_t i)
{
	struct event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.index = (unsigned)i;
	ev.count = (unsigned)img->nlayers;
	ev.digest = img->layers[i].digest;
	ev.size = img->layers[i].size;
	event_emit(events, &ev);
}

int
pull_image(const struct source *src, const struct image *img,
    const char *config, size_t config_len, const struct pull_opts *o,
    struct pull_state *s, const struct event_sink *events)
{
	struct layer_job job;
	struct event ev;
	size_t i;
	int rc;

	rc = stage_open(&s->stage, &o->stage, img, config, config_len, &s->fs);
	for (i = 0; rc == ERR_OK && i < img->nlayers; i++) {
		if (i < s->stage.kept) {
			/* Verified by a run that did not finish. */
			emit_layer(events, EV_VERIFIED, img, i);
			continue;
		}
		emit_layer(events, EV_LAYER, img, i);
		job.d = &img->layers[i];
		job.diff_id = img->diff_ids[i];
		job.index = (unsigned)i;
		job.count = (unsigned)img->nlayers;
		job.allow_foreign = o->allow_foreign;
		rc = layer_pull(&s->layer, src, &s->fs, &job, events);
		if (rc == ERR_OK)
			rc = stage_layer_done(&s->stage, &s->fs, img, i);
		if (rc == ERR_OK)
			emit_layer(events, EV_VERIFIED, img, i);
	}
	if (rc == ERR_OK)
		rc = stage_commit(&s->stage, &s->fs);
	rc = stage_close(&s->stage, &s->fs, rc);
	if (rc == ERR_OK) {
		memset(&ev, 0, sizeof ev);
		ev.kind = EV_COMMITTED;
		ev.text = o->stage.dest;
		ev.digest = img->manifest.digest;
		event_emit(events, &ev);
	}
	return rc;
}
