/*
 * progress.c: progress lines and JSON events.
 */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lex.h"
#include "port.h"

static struct {
	int mode, fd;
	unsigned index, count;
	char digest[80];
	uint64_t size, done;
	uint64_t t_start, t_last;       /* layer start, last progress output */
	int line_open;                  /* a TTY line waits for its end */
	char term[2][200];              /* what SIGINT and SIGTERM write */
	size_t term_len[2];
} P;

void
progress_say(int stream, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	port_out(stream, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* What a signal that ends the run writes, prepared ahead: the handler
 * may only write. */
static void
prepare_term(int k, int code, const char *sig)
{
	int n;

	if (P.mode == PROGRESS_JSON)
		n = snprintf(P.term[k], sizeof P.term[0], "\n{\"event\":\"error\","
		    "\"code\":%d,\"error\":\"interrupted\",\"message\":\"%s: the "
		    "staging directory stays, the next pull resumes\"}\n", code, sig);
	else
		n = snprintf(P.term[k], sizeof P.term[0], "\nocipull: %s: the staging "
		    "directory stays, the next pull resumes\n", sig);
	P.term_len[k] = n > 0 ? (size_t)n : 0;
}

static void
on_terminate(int sig)
{
	int k = sig == PORT_SIGINT ? 0 : 1;

	/* A JSON line must start at a line's start: the newline ends any
	 * line cut by the signal, an empty line is skipped by readers. */
	if (P.mode != PROGRESS_NONE)
		port_out(P.fd, P.term[k] + (P.mode == PROGRESS_JSON ? 0 :
		    !P.line_open), P.term_len[k] - (P.mode == PROGRESS_JSON ? 0 :
		    !P.line_open));
}

void
progress_init(int mode, int fd)
{
	memset(&P, 0, sizeof P);
	P.mode = mode;
	P.fd = fd;
	prepare_term(0, 130, "interrupted (SIGINT)");
	prepare_term(1, 143, "terminated (SIGTERM)");
	port_on_terminate(on_terminate);
}

int
progress_json_on_stderr(void)
{
	return P.mode == PROGRESS_JSON && P.fd == PORT_STDERR;
}

void
progress_size(char out[16], uint64_t n)
{
	static const char unit[][4] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned u = 0;

	if (n < 1024) {
		snprintf(out, 16, "%u B", (unsigned)n);
		return;
	}
	for (v /= 1024.0; v >= 1024.0 && u < 3; u++)
		v /= 1024.0;
	if (v > 99999.0)
		v = 99999.0;       /* beyond TiB: only the unit's width is kept */
	snprintf(out, 16, "%.1f %.3s", v, unit[u]);
}

static void
end_line(void)
{
	if (P.line_open) {
		progress_say(P.fd, "\n");
		P.line_open = 0;
	}
}

void
progress_resolved(const char *ref, const char *digest, const char *index,
    const char *platform, size_t nlayers, uint64_t total)
{
	char r[700], ix[100], sz[16];

	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(r, sizeof r, ref);
		lex_json_quote(ix, sizeof ix, index);
		progress_say(P.fd, "{\"event\":\"resolved\",\"reference\":%s,\"digest\":\"%s\""
		    ",\"index\":%s,\"platform\":\"%s\",\"layers\":%zu,\"bytes\":%llu}\n", r, digest,
		    ix, platform, nlayers, (unsigned long long)total);
	} else if (P.mode != PROGRESS_NONE) {
		progress_size(sz, total);
		progress_say(P.fd, "%s: %s%s%s for %s, %zu layers, %s\n", ref, digest,
		    index ? " in index " : "", index ? index : "", platform, nlayers,
		    sz);
	}
}

void
progress_layer(unsigned index, unsigned count, const char *digest, uint64_t size)
{
	char sz[16];

	end_line();
	P.index = index;
	P.count = count;
	P.size = size;
	P.done = 0;
	snprintf(P.digest, sizeof P.digest, "%s", digest);
	P.t_start = P.t_last = port_mono_ms();
	progress_size(sz, size);
	if (P.mode == PROGRESS_JSON)
		progress_say(P.fd, "{\"event\":\"layer\",\"layer\":%u,\"layers\":%u,\"digest\":\"%s\","
		    "\"size\":%llu}\n", index + 1, count, digest,
		    (unsigned long long)size);
	else if (P.mode == PROGRESS_PLAIN)
		progress_say(P.fd, "layer %u/%u %.19s: %s\n", index + 1, count, digest,
		    sz);
}

void
progress_bytes(unsigned index, uint64_t done, uint64_t size)
{
	uint64_t now = port_mono_ms(), ms, rate;
	unsigned every = P.mode == PROGRESS_PLAIN ? 10000u : 500u;
	char d[16], t[16], r[16];

	P.done = done;
	if (P.mode == PROGRESS_NONE || (now - P.t_last < every && done < size) ||
	    (P.mode == PROGRESS_PLAIN && done == size))
		return;
	P.t_last = now;
	ms = now - P.t_start;
	rate = ms > 0 ? done * 1000u / ms : 0;
	if (P.mode == PROGRESS_JSON) {
		progress_say(P.fd, "{\"event\":\"progress\",\"layer\":%u,\"bytes\":%llu,\"size\":%llu,"
		    "\"rate\":%llu,\"eta\":%lld}\n", index + 1, (unsigned long long)done,
		    (unsigned long long)size, (unsigned long long)rate,
		    rate > 0 ? (long long)((size - done) / rate) : -1LL);
		return;
	}
	progress_size(d, done);
	progress_size(t, size);
	progress_size(r, rate);
	if (P.mode == PROGRESS_TTY) {
		progress_say(P.fd, "\r\033[Klayer %u/%u %.19s %s of %s, %s/s, ETA %llus",
		    index + 1, P.count, P.digest, d, t, r,
		    rate > 0 ? (unsigned long long)((size - done) / rate) : 0ULL);
		P.line_open = 1;
	} else {
		progress_say(P.fd, "layer %u/%u: %s of %s, %s/s\n", index + 1, P.count,
		    d, t, r);
	}
}

void
progress_verified(unsigned index, const char *digest)
{
	char sz[16];

	progress_size(sz, P.size);
	if (P.mode == PROGRESS_JSON)
		progress_say(P.fd, "{\"event\":\"verified\",\"layer\":%u,\"digest\":\"%s\"}\n",
		    index + 1, digest);
	else if (P.mode == PROGRESS_TTY) {
		progress_say(P.fd, "\r\033[Klayer %u/%u %.19s %s verified\n", index + 1, P.count,
		    digest, sz);
		P.line_open = 0;
	} else if (P.mode == PROGRESS_PLAIN)
		progress_say(P.fd, "layer %u/%u %.19s verified\n", index + 1, P.count, digest);
}

void
progress_kept(unsigned index, unsigned count, const char *digest, uint64_t size)
{
	char sz[16];

	end_line();
	P.count = count;
	progress_size(sz, size);
	if (P.mode == PROGRESS_JSON)
		progress_say(P.fd, "{\"event\":\"kept\",\"layer\":%u,\"layers\":%u,\"digest\":\"%s\","
		    "\"size\":%llu}\n", index + 1, count, digest, (unsigned long long)size);
	else if (P.mode != PROGRESS_NONE)
		progress_say(P.fd, "layer %u/%u %.19s %s kept: verified by an earlier "
		    "run\n", index + 1, count, digest, sz);
}

void
progress_signed(const char *digest, const char *key, const char *kind)
{
	char k[700];

	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(k, sizeof k, key);
		progress_say(P.fd, "{\"event\":\"signed\",\"digest\":\"%s\",\"key\":%s,"
		    "\"kind\":\"%s\"}\n", digest, k, kind);
	} else if (P.mode != PROGRESS_NONE) {
		end_line();
		progress_say(P.fd, "signature on %.19s verified with %s (%s)\n", digest,
		    key, kind);
	}
}

void
progress_retry(const char *why, unsigned attempt, uint32_t delay_ms)
{
	char w[1100];

	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(w, sizeof w, why);
		progress_say(P.fd, "{\"event\":\"retry\",\"attempt\":%u,\"delay_ms\":%u,\"reason\":%s}\n",
		    attempt, (unsigned)delay_ms, w);
	} else if (P.mode != PROGRESS_NONE) {
		end_line();
		progress_say(P.fd, "retry %u in %.1f s: %s\n", attempt, (double)delay_ms / 1000.0, why);
	}
}

void
progress_afresh(const char *why)
{
	char w[1100];

	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(w, sizeof w, why);
		progress_say(P.fd, "{\"event\":\"afresh\",\"reason\":%s}\n", w);
	} else if (P.mode != PROGRESS_NONE) {
		end_line();
		progress_say(P.fd, "starting afresh: %s\n", why);
	}
}

void
progress_mirror(const char *mirror, const char *object, const char *why,
    const char *next)
{
	char m[600], o[300], w[1100], n[600];

	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(m, sizeof m, mirror);
		lex_json_quote(o, sizeof o, object);
		lex_json_quote(w, sizeof w, why);
		lex_json_quote(n, sizeof n, next);
		progress_say(P.fd, "{\"event\":\"mirror\",\"mirror\":%s,\"object\":%s,"
		    "\"reason\":%s,\"next\":%s}\n", m, o, w, n);
	} else if (P.mode != PROGRESS_NONE) {
		end_line();
		progress_say(P.fd, "mirror %s skipped for %.80s: %s; trying %s\n", mirror,
		    object, why, next);
	}
}

void
progress_committed(const char *dest, const char *digest, const char *index)
{
	char d[700], ix[100];

	end_line();
	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(d, sizeof d, dest);
		lex_json_quote(ix, sizeof ix, index);
		progress_say(P.fd, "{\"event\":\"committed\",\"dest\":%s,\"digest\":\"%s\",\"index\":%s}\n",
		    d, digest, ix);
	} else if (P.mode == PROGRESS_PLAIN) {
		progress_say(P.fd, "committed %s into %s\n", digest, dest);
	}
}

void
progress_done(const char *ref, const char *digest, const char *index,
    const char *dest, size_t nlayers, int uptodate)
{
	char r[700], d[700], ix[100];

	end_line();
	if (P.mode != PROGRESS_JSON)
		return;
	lex_json_quote(r, sizeof r, ref);
	lex_json_quote(d, sizeof d, dest);
	lex_json_quote(ix, sizeof ix, index);
	progress_say(P.fd, "{\"event\":\"%s\",\"reference\":%s,\"digest\":\"%s\",\"index\":%s,"
	    "\"dest\":%s,\"layers\":%zu}\n", uptodate ? "uptodate" : "done", r,
	    digest, ix, d, nlayers);
}

void
progress_stats(const char *line)
{
	char l[700];

	lex_json_quote(l, sizeof l, line);
	progress_say(P.fd, "{\"event\":\"stats\",\"text\":%s}\n", l);
}

void
progress_error(int code, const char *name, const char *msg)
{
	char m[1100];

	end_line();
	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(m, sizeof m, msg);
		progress_say(P.fd, "{\"event\":\"error\",\"code\":%d,\"error\":\"%s\",\"message\":%s}\n",
		    code, name, m);
	}
}

void
progress_warning(const char *msg)
{
	char m[1100];

	end_line();
	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(m, sizeof m, msg);
		progress_say(P.fd, "{\"event\":\"warning\",\"message\":%s}\n", m);
	}
	if (!progress_json_on_stderr())
		progress_say(PORT_STDERR, "ocipull: warning: %s\n", msg);
}
