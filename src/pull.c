/*
 * pull.c: the driver: stage, then every layer through the pipeline, then
 * the commit.
 */
#include "pull.h"

#include "relay.h"

#include <stdio.h>
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

static void
emit_afresh(const struct event_sink *events, const char *why)
{
	struct event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = EV_AFRESH;
	ev.text = why;
	event_emit(events, &ev);
}

/*
 * Open the staging tree and, when an earlier run left one, make sure it
 * holds nothing unproven (proof.h); where it may, drop it and open a fresh
 * one.
 */
static int
open_stage(const struct image *img, const char *config, size_t config_len,
    const struct pull_opts *o, struct pull_state *s,
    const struct event_sink *events)
{
	size_t k;
	int rc;

	/* No record file yet: when stage_open fails, pull_image's
	 * proof_close must find none (a zeroed struct would name fd 0). */
	s->layer.proof.fd = -1;
	rc = stage_open(&s->stage, &o->stage, img, config, config_len, &s->fs);
	if (rc < 0)
		return rc;
	proof_init(&s->layer.proof, s->stage.workfd, !o->stage.no_sync);
	k = s->stage.kept;
	rc = proof_resume(&s->layer.proof, k,
	    k < img->nlayers ? img->layers[k].digest : NULL);
	if (rc != PROOF_AFRESH)
		return rc;
	emit_afresh(events, err_msg());
	err_clear();
	proof_close(&s->layer.proof);
	/* Not ERR_OK and no network failure: the staging tree goes. */
	(void)stage_close(&s->stage, &s->fs, ERR_VERIFY);
	err_clear();
	rc = stage_open(&s->stage, &o->stage, img, config, config_len, &s->fs);
	if (rc == ERR_OK)
		proof_init(&s->layer.proof, s->stage.workfd, !o->stage.no_sync);
	return rc;
}

/* The staging tree stays after failure rc: make its record hold across a
 * reboot, keeping rc's message (a failure to seal only means that a later
 * boot will not trust it). */
static void
seal(struct pull_state *s, int rc)
{
	char msg[ERR_MSG_MAX];

	snprintf(msg, sizeof msg, "%s", err_msg());
	if (proof_seal(&s->layer.proof, s->stage.rootfd) < 0) {
		err_clear();
		err_set(rc, "%s", msg);
	}
}

/* Every layer the staging tree does not hold yet, through the pipeline. */
static int
pull_layers(const struct source *src, const struct image *img,
    const struct pull_opts *o, struct pull_state *s,
    const struct event_sink *events)
{
	struct layer_job job;
	size_t i;
	int rc = ERR_OK;

	s->failed = img->nlayers;
	for (i = 0; rc == ERR_OK && i < img->nlayers; i++) {
		if (i < s->stage.kept) {
			/* Verified by a run that did not finish. */
			emit_layer(events, EV_KEPT, img, i);
			continue;
		}
		emit_layer(events, EV_LAYER, img, i);
		job.d = &img->layers[i];
		job.diff_id = img->diff_ids[i];
		job.index = (unsigned)i;
		job.count = (unsigned)img->nlayers;
		job.allow_foreign = o->allow_foreign;
		rc = layer_pull(&s->layer, src, &s->fs, &job, events);
		if (rc < 0)
			s->failed = i;
		if (rc == ERR_OK)
			rc = stage_layer_done(&s->stage, &s->fs, img, i);
		if (rc == ERR_OK)
			emit_layer(events, EV_VERIFIED, img, i);
	}
	relay_stop();      /* layer_pull started it, and drained it */
	return rc;
}

int
pull_image(const struct source *src, const struct image *img,
    const char *config, size_t config_len, const struct pull_opts *o,
    struct pull_state *s, const struct event_sink *events)
{
	struct event ev;
	int rc, again = 1;

	for (;;) {
		s->layer.diverged = 0;
		rc = open_stage(img, config, config_len, o, s, events);
		if (rc == ERR_OK)
			rc = pull_layers(src, img, o, s, events);
		if (rc == ERR_OK)
			rc = source_done(src);
		if (rc == ERR_OK)
			rc = stage_commit(&s->stage, &s->fs);
		if (rc == ERR_OK)
			break;
		/* Bytes from a mirror did not verify: another source serves
		 * the layer, into a tree rebuilt from the first layer (each
		 * time one more mirror is passed over for it: this ends). */
		if (rc == ERR_VERIFY && s->failed < img->nlayers &&
		    o->reject != NULL && o->reject(o->reject_ctx,
		    &img->layers[s->failed], rc) == ERR_OK)
			s->rejected++;
		else if (!s->layer.diverged || !again)
			break;
		else
			again = 0;
		/* Or an interrupted run applied other bytes than these: its
		 * tree goes, and the pull starts over, once. */
		emit_afresh(events, err_msg());
		err_clear();
		proof_close(&s->layer.proof);
		(void)stage_close(&s->stage, &s->fs, ERR_VERIFY);
		err_clear();
	}
	if (stage_keeps(&s->stage, rc) && s->stage.rootfd >= 0)
		seal(s, rc);
	proof_close(&s->layer.proof);
	rc = stage_close(&s->stage, &s->fs, rc);
	if (rc == ERR_OK) {
		memset(&ev, 0, sizeof ev);
		ev.kind = EV_COMMITTED;
		ev.text = o->stage.dest;
		ev.digest = img->manifest.digest;
		ev.index_digest = resolve_index(img);
		event_emit(events, &ev);
	}
	return rc;
}
