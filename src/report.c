/*
 * report.c: what inspect prints (text or one JSON object) and pull's line
 * on the signature that let the image in. Like main.c, it writes to the
 * user; the stages below report through events.
 */
#include <stdio.h>
#include <string.h>

#include "lex.h"
#include "platform.h"
#include "port.h"
#include "progress.h"
#include "report.h"

/* Write s as a JSON string (the values printed are digests, media types,
 * references and platforms, but escape anyway). */
void
report_json(const char *s)
{
	char buf[1024];

	port_out(PORT_STDOUT, buf, lex_json_quote(buf, sizeof buf, s));
}

/* The key file that verified f, or "". */
const char *
report_sig_key(const struct report *r, const struct sig_found *f)
{
	return f->key >= 0 ? r->keys->key[f->key].path : "";
}

/* inspect --verify-key: one line per signature found. */
static void
print_sig_lines(const struct report *r)
{
	const struct sig_found *f;
	unsigned i;

	if (r->keys->n == 0)
		return;
	if (r->sigs->nfound == 0)
		progress_say(PORT_STDOUT, "signature  none found\n");
	for (i = 0; i < r->sigs->nfound; i++) {
		char at[32] = "";
		f = &r->sigs->found[i];
		if (f->layer > 0)
			snprintf(at, sizeof at, " layer %u", f->layer);
		progress_say(PORT_STDOUT, "signature  %s %s %s%s%s [%s%s]\n", f->on,
		    f->scheme == SIG_TAG ? "tag" : "referrers",
		    sig_status_name(f->status), f->status == SIG_REJECTED ? ": " : " ",
		    f->status == SIG_REJECTED ? f->reason : report_sig_key(r, f), f->artifact, at);
	}
	if (r->sigs->more > 0)
		progress_say(PORT_STDOUT, "signature  %u more not examined\n", r->sigs->more);
}

static void
print_sig_json(const struct report *r)
{
	const struct sig_found *f;
	unsigned i;

	progress_say(PORT_STDOUT, ",\"signatures\":[");
	for (i = 0; i < r->sigs->nfound; i++) {
		f = &r->sigs->found[i];
		progress_say(PORT_STDOUT, "%s{\"digest\":\"%s\",\"scheme\":\"%s\","
		    "\"artifact\":", i ? "," : "", f->on,
		    f->scheme == SIG_TAG ? "tag" : "referrers");
		report_json(f->artifact);
		progress_say(PORT_STDOUT, ",\"layer\":%u,\"status\":\"%s\",\"key\":",
		    f->layer, sig_status_name(f->status));
		report_json(report_sig_key(r, f));
		progress_say(PORT_STDOUT, ",\"reason\":");
		report_json(f->reason);
		progress_say(PORT_STDOUT, "}");
	}
	progress_say(PORT_STDOUT, "],\"signaturesNotExamined\":%u", r->sigs->more);
}

/* The signature that let the image in, or NULL (none, or no keys). */
const struct sig_found *
report_first_verified(const struct report *r)
{
	unsigned i;

	for (i = 0; i < r->sigs->nfound && r->keys->n > 0; i++)
		if (r->sigs->found[i].status == SIG_VERIFIED)
			return &r->sigs->found[i];
	return NULL;
}

/* pull --verify-key: which signature let the image in. */
void
report_signed(const struct report *r)
{
	const struct sig_found *f = report_first_verified(r);

	if (f != NULL)
		progress_say(PORT_STDERR, "ocipull: signature on %s verified with "
		    "%s (%s)%s\n", f->claim, report_sig_key(r, f), r->keys->key[f->key].kind,
		    r->logs->n > 0 ? ", with its Rekor bundle" : "");
}

void
report_inspect(const struct report *r, int json, const char *refname)
{
	char plat[64];
	size_t i;

	platform_format(&r->img->platform, plat, sizeof plat);
	if (!json) {
		progress_say(PORT_STDOUT, "reference  %s\n", refname);
		progress_say(PORT_STDOUT, "digest     %s\n", r->img->top_digest);
		progress_say(PORT_STDOUT, "media type %s\n", r->img->top_type);
		progress_say(PORT_STDOUT, "platform   %s\n", plat);
		if (r->img->offered[0])
			progress_say(PORT_STDOUT, "available  %s\n", r->img->offered);
		progress_say(PORT_STDOUT, "manifest   %s %s %llu\n", r->img->manifest.digest,
		    r->img->manifest.media_type, (unsigned long long)r->img->manifest.size);
		progress_say(PORT_STDOUT, "config     %s %s %llu\n", r->img->config.digest,
		    r->img->config.media_type, (unsigned long long)r->img->config.size);
		for (i = 0; i < r->img->nlayers; i++)
			progress_say(PORT_STDOUT, "layer %-4zu %s %s %llu diff_id %s\n", i + 1,
			    r->img->layers[i].digest, r->img->layers[i].media_type,
			    (unsigned long long)r->img->layers[i].size, r->img->diff_ids[i]);
		print_sig_lines(r);
		return;
	}
	progress_say(PORT_STDOUT, "{\"reference\":");
	report_json(refname);
	progress_say(PORT_STDOUT, ",\"digest\":\"%s\",\"mediaType\":", r->img->top_digest);
	report_json(r->img->top_type);
	progress_say(PORT_STDOUT, ",\"platform\":");
	report_json(plat);
	progress_say(PORT_STDOUT, ",\"platforms\":[");
	{
		const char *p = r->img->offered;
		int first = 1;
		while (*p) {
			char one[64];
			size_t n = strcspn(p, ",");
			size_t k = n < sizeof one - 1 ? n : sizeof one - 1;
			memcpy(one, p, k);
			one[k] = '\0';
			if (!first)
				progress_say(PORT_STDOUT, ",");
			report_json(one);
			first = 0;
			p += n;
			while (*p == ',' || *p == ' ')
				p++;
		}
	}
	progress_say(PORT_STDOUT, "],\"manifest\":{\"digest\":\"%s\",\"mediaType\":",
	    r->img->manifest.digest);
	report_json(r->img->manifest.media_type);
	progress_say(PORT_STDOUT, ",\"size\":%llu},\"config\":{\"digest\":\"%s\",\"mediaType\":",
	    (unsigned long long)r->img->manifest.size, r->img->config.digest);
	report_json(r->img->config.media_type);
	progress_say(PORT_STDOUT, ",\"size\":%llu},\"layers\":[", (unsigned long long)r->img->config.size);
	for (i = 0; i < r->img->nlayers; i++) {
		progress_say(PORT_STDOUT, "%s{\"digest\":\"%s\",\"mediaType\":", i ? "," : "",
		    r->img->layers[i].digest);
		report_json(r->img->layers[i].media_type);
		progress_say(PORT_STDOUT, ",\"size\":%llu,\"diffID\":\"%s\"}",
		    (unsigned long long)r->img->layers[i].size, r->img->diff_ids[i]);
	}
	progress_say(PORT_STDOUT, "]");
	if (r->keys->n > 0)
		print_sig_json(r);
	progress_say(PORT_STDOUT, "}\n");
}


void
report_fetched(const struct fetch *f, const char *refname, const char *target)
{
	const char *index = f->index[0] ? f->index : NULL;
	const char *to = strcmp(target, "-") == 0 ? "the standard output" : target;

	progress_done(refname, f->manifest, index, target, f->layers, 0);
	if (progress_json_on_stderr())
		return;
	if (f->images > 1 || strcmp(f->top, f->manifest) != 0)
		progress_say(PORT_STDERR, "ocipull: %s (index %s: %u images, %zu "
		    "layers; %u blobs written, %u kept) written to %s\n", refname,
		    f->top, f->images, f->layers, f->out.stored, f->out.kept, to);
	else
		progress_say(PORT_STDERR, "ocipull: %s (%s%s%s, %zu layers; %u blobs "
		    "written, %u kept) written to %s\n", refname, f->manifest,
		    index ? " in index " : "", index ? index : "", f->layers,
		    f->out.stored, f->out.kept, to);
}
