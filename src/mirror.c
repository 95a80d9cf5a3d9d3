/*
 * mirror.c: mirrors, then the origin, behind the source interface (see
 * mirror.h). Sources are numbered 0 .. conf.n - 1 for the mirrors in
 * their order and conf.n for the origin.
 */
#include "mirror.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "source_registry.h"

int
mirror_config(struct hosts *h, const char *const *flags, unsigned n,
    const char *hosts_dir, const char *registry, char *buf, size_t cap)
{
	unsigned i;
	int rc;

	hosts_init(h);
	for (i = 0; i < n; i++) {
		rc = hosts_add_flag(h, flags[i]);
		if (rc < 0)
			return rc;
	}
	if (hosts_dir == NULL)
		return ERR_OK;
	return hosts_load(h, hosts_dir, registry, buf, cap);
}

/* The name of source k in messages. */
static const char *
source_name(const struct mirror_src *m, unsigned k)
{
	return k < m->conf.n ? m->conf.m[k].name : m->origin_ref.registry;
}

static int
is_bad(const struct mirror_src *m, unsigned k, const char *digest)
{
	unsigned i;

	for (i = 0; digest != NULL && i < m->nbad; i++)
		if (m->bad[i].k == k && strcmp(m->bad[i].digest, digest) == 0)
			return 1;
	return 0;
}

/* The first source from `from` on that may serve the object: a mirror
 * with caps, not down, not bad for digest; else the origin. */
static unsigned
pick(const struct mirror_src *m, unsigned from, unsigned caps,
    const char *digest)
{
	unsigned k;

	for (k = from; k < m->conf.n; k++)
		if ((m->conf.m[k].caps & caps) && !(m->down >> k & 1u) &&
		    !is_bad(m, k, digest))
			break;
	return k < m->conf.n ? k : m->conf.n;
}

/* Point the registry at mirror k, with its own settings and
 * credentials. */
static int
to_mirror(struct mirror_src *m, unsigned k)
{
	const struct mirror_host *h = &m->conf.m[k];
	struct registry_opts o = m->origin_opt;
	int w;

	m->mref = m->origin_ref;
	if (strlen(h->name) >= sizeof m->mref.registry ||
	    strlen(h->host) >= sizeof m->mref.host)
		return err_set(ERR_USAGE, "mirror %.80s...: a name longer than %zu "
		    "bytes", h->name, sizeof m->mref.registry - 1);
	snprintf(m->mref.registry, sizeof m->mref.registry, "%s", h->name);
	snprintf(m->mref.host, sizeof m->mref.host, "%s", h->host);
	m->mref.port = h->port;
	if (h->prefix[0] != '\0') {
		w = snprintf(m->mref.repo, sizeof m->mref.repo, "%s/%s", h->prefix,
		    m->origin_ref.repo);
		if (w < 0 || (size_t)w >= sizeof m->mref.repo)
			return err_set(ERR_USAGE, "mirror %s: %s/%s is longer than %u "
			    "bytes", h->name, h->prefix, m->origin_ref.repo,
			    (unsigned)REF_NAME_MAX);
	}
	o.plain_http = !h->https;
	/* --mirror mirrors share the pull's TLS settings; hosts.toml's have
	 * their own skip_verify (and ca, else the pull's CA certificates). */
	if (strcmp(h->from, "--mirror") != 0)
		o.insecure = h->skip_verify;
	o.insecure = o.insecure && h->https;
	if (h->ca[0] != '\0')
		o.ca_file = h->ca;
	o.cert_file = o.key_file = NULL;     /* a client certificate is the
	                                      * origin's credential */
	o.username = o.password = NULL;
	o.retries = 0;
	registry_retarget(m->r, &m->mref, &o, h->root);
	return registry_load_creds(m->r);
}

/* Point the registry at source k (if it is not there already). */
static int
use(struct mirror_src *m, unsigned k)
{
	if (m->target == k)
		return ERR_OK;
	if (m->target == m->conf.n)
		registry_auth_save(m->r, &m->origin_auth);
	m->target = k;
	if (k < m->conf.n)
		return to_mirror(m, k);
	registry_retarget(m->r, &m->origin_ref, &m->origin_opt, "/v2");
	registry_auth_restore(m->r, &m->origin_auth);
	return ERR_OK;
}

/*
 * Mirror k failed for object (rc, with the recorded message): count it,
 * take it out of the run when it cannot be reached at all (connects is
 * the connection failures before the attempt), and say so, naming the
 * source tried next.
 */
static void
skipped(struct mirror_src *m, unsigned k, const char *object, int rc,
    unsigned connects, unsigned next)
{
	char why[ERR_MSG_MAX];
	struct event ev;

	snprintf(why, sizeof why, "%s", err_msg()[0] ? err_msg() : err_name(rc));
	err_clear();
	m->count[k].skipped++;
	if (rc == ERR_DNS || rc == ERR_TLS || rc == ERR_AUTH ||
	    m->r->connect_fails != connects)
		m->down |= 1u << k;
	memset(&ev, 0, sizeof ev);
	ev.kind = EV_MIRROR;
	ev.name = m->conf.m[k].name;
	ev.digest = object;
	ev.text = why;
	ev.next = source_name(m, next);
	event_emit(&m->events, &ev);
}

/* A document from mirror k by digest must hash to it. */
static int
check_doc(const char *reference, const char *buf, size_t len)
{
	char got[DIGEST_STR_LEN + 1];

	digest_buf(buf, len, got);
	if (strcmp(got, reference) == 0)
		return ERR_OK;
	return err_set(ERR_VERIFY, "%s: the mirror sent %zu bytes whose digest "
	    "is %s", reference, len, got);
}

static int
mir_fetch(void *ctx, int kind, const char *reference, char *buf, size_t cap,
    size_t *len, struct source_doc *doc)
{
	struct mirror_src *m = ctx;
	int by_digest = kind != SRC_REFERRERS &&
	    strncmp(reference, "sha256:", 7) == 0;
	unsigned caps = by_digest ? MIRROR_PULL : MIRROR_RESOLVE, k, connects;
	const char *dg = by_digest ? reference : NULL;
	int rc;

	for (k = pick(m, 0, caps, dg);; k = pick(m, k + 1, caps, dg)) {
		connects = m->r->connect_fails;
		rc = use(m, k);
		if (rc == ERR_OK)
			rc = source_fetch(&m->inner, kind, reference, buf, cap, len, doc);
		if (rc == ERR_OK && k < m->conf.n && by_digest)
			rc = check_doc(reference, buf, *len);
		if (rc == ERR_OK) {
			m->count[k].objects++;
			m->count[k].bytes += *len;
			return ERR_OK;
		}
		if (k == m->conf.n)
			return rc;
		skipped(m, k, reference, rc, connects, pick(m, k + 1, caps, dg));
	}
}

static int
mir_open(void *ctx, const struct descriptor *d, uint64_t offset,
    const char *what, uint64_t *from)
{
	struct mirror_src *m = ctx;
	unsigned connects;
	int rc;

	if (d->nurls > 0) {        /* a foreign layer: its own URL, no mirror */
		m->cur = m->conf.n;
		rc = use(m, m->cur);
		return rc < 0 ? rc : source_open(&m->inner, d, offset, what, from);
	}
	if (!m->resume || strcmp(m->blob, d->digest) != 0) {
		snprintf(m->blob, sizeof m->blob, "%s", d->digest);
		m->served = 0;
		m->base = 0;
		m->cur = pick(m, 0, MIRROR_PULL, d->digest);
	}
	m->resume = 0;
	for (;;) {
		connects = m->r->connect_fails;
		rc = use(m, m->cur);
		if (rc == ERR_OK)
			rc = source_open(&m->inner, d, offset, what, from);
		if (rc == ERR_OK || m->cur == m->conf.n)
			return rc;
		skipped(m, m->cur, d->digest, rc, connects,
		    pick(m, m->cur + 1, MIRROR_PULL, d->digest));
		m->cur = pick(m, m->cur + 1, MIRROR_PULL, d->digest);
	}
}

static int
mir_read(void *ctx, const uint8_t **p, size_t *n)
{
	struct mirror_src *m = ctx;
	int rc = source_read(&m->inner, p, n);

	if (rc == ERR_OK) {
		m->served |= 1u << m->cur;
		m->count[m->cur].bytes += *n;
	} else if (rc == ERR_END) {
		m->count[m->cur].objects++;
	}
	return rc;
}

/* A mirror that fails mid-blob is left at once for the next source (the
 * layer resumes there at the same byte); the origin waits and retries. */
static int
mir_retry(void *ctx, int rc, unsigned attempt)
{
	struct mirror_src *m = ctx;

	if (attempt == 0)
		m->base = 0;       /* the layer made progress: a new stall */
	if (m->cur < m->conf.n) {
		unsigned next = pick(m, m->cur + 1, MIRROR_PULL, m->blob);

		skipped(m, m->cur, m->blob, rc, m->r->connect_fails, next);
		m->cur = next;
		m->base = attempt + 1;
		m->resume = 1;
		return ERR_OK;
	}
	rc = source_retry(&m->inner, rc, attempt - m->base);
	m->resume = rc == ERR_OK;
	return rc;
}

/* Each mirror that gave bytes of the blob is bad for it (or, the table
 * full, for the run), so the next reading differs. */
int
mirror_reject(void *ctx, const struct descriptor *d, int rc)
{
	struct mirror_src *m = ctx;
	unsigned k, mirrors = m->served & ((1u << m->conf.n) - 1u);
	char msg[ERR_MSG_MAX];

	if (strcmp(m->blob, d->digest) != 0 || mirrors == 0)
		return rc;
	snprintf(msg, sizeof msg, "%s", err_msg());
	for (k = 0; k < m->conf.n; k++) {
		unsigned i, lies = 0;
		if (!(mirrors >> k & 1u))
			continue;
		for (i = 0; i < m->nbad; i++)
			lies += m->bad[i].k == k;
		/* A second blob that did not verify: each one costs a rebuild
		 * from layer 1, so such a mirror is not asked again. */
		if (lies >= 1 || m->nbad >= BOARD_MIRROR_SKIPS) {
			m->down |= 1u << k;
			continue;
		}
		m->bad[m->nbad].k = k;
		snprintf(m->bad[m->nbad].digest, sizeof m->bad[0].digest, "%s",
		    d->digest);
		m->nbad++;
	}
	for (k = 0; k < m->conf.n; k++) {
		if (!(mirrors >> k & 1u))
			continue;
		err_clear();
		err_set(rc, "its bytes did not verify: %s", msg);
		skipped(m, k, d->digest, rc, m->r->connect_fails,
		    pick(m, 0, MIRROR_PULL, d->digest));
	}
	err_clear();
	err_set(rc, "%s", msg);
	m->resume = 0;
	return ERR_OK;
}

static const struct source_ops mirror_ops = {
	mir_fetch, mir_open, mir_read, mir_retry, NULL
};

void
mirror_wrap(struct mirror_src *m, struct registry *r, const struct hosts *h,
    const struct event_sink *events, struct source *src)
{
	memset(m, 0, sizeof *m);
	m->conf = *h;
	m->r = r;
	m->inner = *src;
	m->origin_ref = *r->ref;
	m->origin_opt = r->opt;
	m->target = h->n;
	m->events = *events;
	if (h->has_server) {
		snprintf(m->origin_ref.host, sizeof m->origin_ref.host, "%s",
		    h->server.host);
		m->origin_ref.port = h->server.port;
		m->origin_opt.plain_http = !h->server.https;
		m->origin_opt.insecure = m->origin_opt.insecure && h->server.https;
		registry_auth_save(r, &m->origin_auth);
		registry_retarget(r, &m->origin_ref, &m->origin_opt, "/v2");
		registry_auth_restore(r, &m->origin_auth);
	}
	src->ops = &mirror_ops;
	src->ctx = m;
}

void
mirror_stat(const struct mirror_src *m, unsigned k, char *buf, size_t cap)
{
	const struct mirror_count *c = &m->count[k];

	snprintf(buf, cap, "%s %s%s%s%s: %llu objects, %llu bytes, skipped for "
	    "%u%s", k < m->conf.n ? "mirror" : "origin", source_name(m, k),
	    k < m->conf.n ? " (" : "", k < m->conf.n ? m->conf.m[k].from : "",
	    k < m->conf.n ? ")" : "", (unsigned long long)c->objects,
	    (unsigned long long)c->bytes, c->skipped,
	    m->down >> k & 1u ? ", not asked again" : "");
}
