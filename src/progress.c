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

void
progress_init(int mode, int fd)
{
	memset(&P, 0, sizeof P);
	P.mode = mode;
	P.fd = fd;
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
progress_resolved(const char *ref, const char *digest, const char *platform,
    size_t nlayers, uint64_t total)
{
	char r[700];

	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(r, sizeof r, ref);
		progress_say(P.fd, "{\"event\":\"resolved\",\"reference\":%s,\"digest\":\"%s\","
		    "\"platform\":\"%s\",\"layers\":%zu,\"bytes\":%llu}\n", r, digest,
		    platform, nlayers, (unsigned long long)total);
	} else if (P.mode != PROGRESS_NONE) {
		progress_say(P.fd, "%s: %s for %s, %zu layers, %.1f MiB\n", ref, digest, platform,
		    nlayers, (double)total / 1048576.0);
	}
}

void
progress_layer(unsigned index, unsigned count, const char *digest, uint64_t size)
{
	end_line();
	P.index = index;
	P.count = count;
	P.size = size;
	P.done = 0;
	snprintf(P.digest, sizeof P.digest, "%s", digest);
	P.t_start = P.t_last = port_mono_ms();
	if (P.mode == PROGRESS_JSON)
		progress_say(P.fd, "{\"event\":\"layer\",\"layer\":%u,\"layers\":%u,\"digest\":\"%s\","
		    "\"size\":%llu}\n", index + 1, count, digest,
		    (unsigned long long)size);
	else if (P.mode == PROGRESS_PLAIN)
		progress_say(P.fd, "layer %u/%u %.19s: %.1f MiB\n", index + 1, count, digest,
		    (double)size / 1048576.0);
}

void
progress_bytes(unsigned index, uint64_t done, uint64_t size)
{
	uint64_t now = port_mono_ms(), ms, rate;
	unsigned every = P.mode == PROGRESS_PLAIN ? 5000u : 500u;

	P.done = done;
	if (P.mode == PROGRESS_NONE || (now - P.t_last < every && done < size))
		return;
	P.t_last = now;
	ms = now - P.t_start;
	rate = ms > 0 ? done * 1000u / ms : 0;
	if (P.mode == PROGRESS_JSON) {
		progress_say(P.fd, "{\"event\":\"progress\",\"layer\":%u,\"bytes\":%llu,\"size\":%llu,"
		    "\"rate\":%llu,\"eta\":%lld}\n", index + 1, (unsigned long long)done,
		    (unsigned long long)size, (unsigned long long)rate,
		    rate > 0 ? (long long)((size - done) / rate) : -1LL);
	} else if (P.mode == PROGRESS_TTY) {
		progress_say(P.fd, "\r\033[Klayer %u/%u %.19s %6.1f/%.1f MiB %6.1f MiB/s ETA %llus",
		    index + 1, P.count, P.digest, (double)done / 1048576.0,
		    (double)size / 1048576.0, (double)rate / 1048576.0,
		    rate > 0 ? (unsigned long long)((size - done) / rate) : 0ULL);
		P.line_open = 1;
	} else {
		progress_say(P.fd, "layer %u/%u: %.1f of %.1f MiB, %.1f MiB/s\n", index + 1, P.count,
		    (double)done / 1048576.0, (double)size / 1048576.0,
		    (double)rate / 1048576.0);
	}
}

void
progress_verified(unsigned index, const char *digest)
{
	if (P.mode == PROGRESS_JSON)
		progress_say(P.fd, "{\"event\":\"verified\",\"layer\":%u,\"digest\":\"%s\"}\n",
		    index + 1, digest);
	else if (P.mode == PROGRESS_TTY) {
		progress_say(P.fd, "\r\033[Klayer %u/%u %.19s %.1f MiB verified\n", index + 1, P.count,
		    digest, (double)P.size / 1048576.0);
		P.line_open = 0;
	} else if (P.mode == PROGRESS_PLAIN)
		progress_say(P.fd, "layer %u/%u %.19s verified\n", index + 1, P.count, digest);
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
progress_committed(const char *dest, const char *digest)
{
	char d[700];

	end_line();
	if (P.mode == PROGRESS_JSON) {
		lex_json_quote(d, sizeof d, dest);
		progress_say(P.fd, "{\"event\":\"committed\",\"dest\":%s,\"digest\":\"%s\"}\n", d, digest);
	}
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
	progress_say(PORT_STDERR, "ocipull: warning: %s\n", msg);
}
