/*
 * event.h: what a pull reports while it runs, through one callback.
 *
 * The stages below main never print. They describe what happens as a
 * struct event and hand it to the caller's sink; main turns events into
 * progress output (tty, plain lines, JSON) or ignores them. The sink is
 * called synchronously, from the pull's own thread; every pointer in an
 * event is valid only during the call.
 *
 *     EV_RESOLVED   the reference, the chosen manifest digest, the index
 *                   digest (NULL when the reference named a manifest), its
 *                   platform, the layer count and their total size
 *     EV_SIGNED     with --verify-key: a signature verified, before the
 *                   config or any layer is fetched: digest is what it
 *                   signs (index or manifest), text the key file, name
 *                   the key's kind
 *     EV_LAYER      a layer starts: index, count, digest, size
 *     EV_BYTES      layer bytes: index, done of size (every span received;
 *                   the sink decides how often to show it)
 *     EV_VERIFIED   a layer's digest and diff_id matched: index, digest
 *     EV_KEPT       a layer an earlier, interrupted run verified is kept
 *                   in the staging tree: index, count, digest, size
 *     EV_RETRY      a request failed and is tried again: text says why,
 *                   attempt and delay_ms
 *     EV_AFRESH     a staging tree left by an earlier run cannot be kept
 *                   (it may hold bytes never verified): text says why;
 *                   the pull starts over from the first layer
 *     EV_COMMITTED  the tree is in place: text is DEST, digest the manifest,
 *                   index_digest the index (or NULL)
 *     EV_ERROR      the pull failed: code (exit code), name, text
 *     EV_WARNING    something the user should know, the run goes on: text
 *                   (the clock is behind the build's time, so certificate
 *                   dates were checked against that); at most once each
 *     EV_MIRROR     a mirror was skipped for an object: name the mirror,
 *                   digest the object (a digest or tag), text why, next
 *                   the source tried next (a mirror or the origin)
 */
#ifndef EVENT_H
#define EVENT_H

#include <stddef.h>
#include <stdint.h>

enum event_kind {
	EV_RESOLVED = 1,
	EV_SIGNED,
	EV_LAYER,
	EV_BYTES,
	EV_VERIFIED,
	EV_KEPT,
	EV_RETRY,
	EV_AFRESH,
	EV_COMMITTED,
	EV_ERROR,
	EV_WARNING,
	EV_MIRROR
};

struct event {
	enum event_kind kind;
	unsigned index, count;      /* layer index and count */
	uint64_t done, size;        /* bytes so far and expected */
	const char *digest;         /* layer or manifest digest */
	const char *index_digest;   /* EV_RESOLVED, EV_COMMITTED: the index's
	                             * digest, or NULL */
	const char *text;           /* reference, reason, DEST or message */
	const char *platform;       /* EV_RESOLVED */
	const char *name;           /* EV_ERROR: the error's name; EV_SIGNED:
	                             * the key's kind */
	unsigned attempt;           /* EV_RETRY */
	uint32_t delay_ms;          /* EV_RETRY */
	int code;                   /* EV_ERROR: exit code */
	const char *next;           /* EV_MIRROR: the next source */
};

/* A callback and its argument; fn may be NULL (events are dropped). */
struct event_sink {
	void (*fn)(void *arg, const struct event *ev);
	void *arg;
};

/* Hand ev to sink (NULL or an empty sink drops it). */
static inline void
event_emit(const struct event_sink *sink, const struct event *ev)
{
	if (sink != NULL && sink->fn != NULL)
		sink->fn(sink->arg, ev);
}

#endif /* EVENT_H */
