/*
 * ref.c: image reference grammar and normalisation.
 *
 * The text is split from the outside in, on counted views of the input:
 * the digest after the first '@', the tag after the first ':' of the last
 * path component, the registry before the first '/' when it looks like
 * one. Each part is then checked by a bounded loop, left to right, so the
 * message names the first bad part.
 */
#include "ref.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "lex.h"

#define HUB_NAME "docker.io"
#define HUB_ALIAS "index.docker.io"
#define HUB_HOST "registry-1.docker.io"
#define HUB_PORT 443u
#define HUB_LIBRARY "library/"

/* Longest host name (RFC 1035) and label. */
#define HOST_MAX 253u
#define LABEL_MAX 63u
/* Longest IPv6 text: eight groups of four, or six and an IPv4 tail. */
#define IPV6_TEXT_MAX 45u

#define GRAMMAR "[REGISTRY[:PORT]/]PATH[:TAG][@sha256:HEX]"
#define DIGEST_WANT "expected sha256: and 64 lowercase hex digits"

/* For messages: a view's length as the int that "%.*s" wants. Views are
 * parts of an input capped at REF_INPUT_MAX, so this never saturates. */
static int
vlen(struct lex_view v)
{
	return v.n > REF_INPUT_MAX ? (int)REF_INPUT_MAX : (int)v.n;
}

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Copy v into dst[cap] with a NUL; the caller has checked the length, so
 * a view that does not fit is a bug. */
static int
view_copy(char *dst, size_t cap, struct lex_view v)
{
	if (v.n >= cap)
		return err_set(ERR_INTERNAL, "reference part of %zu bytes does "
		    "not fit in %zu", v.n, cap);
	memcpy(dst, v.p, v.n);
	dst[v.n] = '\0';
	return ERR_OK;
}

/* Dotted-quad IPv4, each part 0..255 without leading zeros. */
static int
ipv4_valid(struct lex_view v)
{
	size_t i = 0;
	unsigned parts = 0;

	while (parts < 4) {
		uint64_t val;
		size_t digits;

		if (lex_dec(v.p + i, v.n - i, 255, LEX_DEC_NO_LEADING_ZERO, &val,
		    &digits) != LEX_DEC_OK)
			return 0;
		i += digits;
		parts++;
		if (parts == 4)
			break;
		if (i >= v.n || v.p[i] != '.')
			return 0;
		i++;
	}
	return i == v.n;
}

/*
 * IPv6 text (RFC 4291 section 2.2): groups of 1..4 hex digits separated by
 * ':', at most one "::" standing for one or more zero groups, optionally
 * an IPv4 tail counting as two groups. Zone ids ("%eth0") are refused.
 */
static int
ipv6_valid(struct lex_view v)
{
	size_t i = 0;
	unsigned groups = 0;
	int gap = 0;

	if (v.n < 2 || v.n > IPV6_TEXT_MAX)
		return 0;
	if (v.p[0] == ':') {
		if (v.p[1] != ':')
			return 0;
		gap = 1;
		i = 2;
		if (i == v.n)
			return 1;
	}
	for (;;) {
		size_t start = i;

		if (groups >= 8)
			return 0;
		while (i < v.n && lex_hex_val((unsigned char)v.p[i]) >= 0 &&
		    i - start < 5)
			i++;
		if (i < v.n && v.p[i] == '.') {
			struct lex_view tail = { v.p + start, v.n - start };

			if (!ipv4_valid(tail))
				return 0;
			groups += 2;
			break;
		}
		if (i == start || i - start > 4)
			return 0;
		groups++;
		if (i == v.n)
			break;
		if (v.p[i] != ':')
			return 0;
		i++;
		if (i < v.n && v.p[i] == ':') {
			if (gap)
				return 0;
			gap = 1;
			i++;
			if (i == v.n)
				break;
		} else if (i == v.n) {
			return 0;
		}
	}
	return gap ? groups <= 7 : groups == 8;
}

/* Host name (labels of letters, digits and '-', not starting or ending
 * with '-'), or an IPv4 literal when it is all digits and dots. */
static int
host_valid(struct lex_view v)
{
	size_t i, label = 0;
	int numeric = 1;

	if (v.n == 0 || v.n > HOST_MAX)
		return 0;
	for (i = 0; i < v.n; i++) {
		char c = v.p[i];

		if (c == '.') {
			if (label == 0 || v.p[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (c == '-') {
			if (label == 0)
				return 0;
		} else if (!lex_is_alnum(c)) {
			return 0;
		}
		if (!lex_is_digit(c))
			numeric = 0;
		if (++label > LABEL_MAX)
			return 0;
	}
	if (label == 0 || v.p[v.n - 1] == '-')
		return 0;
	return numeric ? ipv4_valid(v) : 1;
}

/* Decimal port 1..65535: digits only, no sign, no leading zero. */
static int
port_parse(struct lex_view v, uint16_t *out)
{
	uint64_t val;

	if (lex_dec_all(v.p, v.n, 65535, LEX_DEC_NO_LEADING_ZERO, &val) !=
	    LEX_DEC_OK || val == 0)
		return 0;
	*out = (uint16_t)val;
	return 1;
}

/* The first component names a registry (docker's rule). */
static int
looks_like_registry(struct lex_view c)
{
	return c.n > 0 && (c.p[0] == '[' || lex_find(c, '.') < c.n ||
	    lex_find(c, ':') < c.n || lex_eq(c, "localhost"));
}

static int
parse_registry(struct ref *r, struct lex_view reg, struct lex_view whole)
{
	struct lex_view host, port = { NULL, 0 };
	int has_port = 0;
	size_t k;

	/* Room for "registry/x" within a repository name. */
	if (reg.n + 2 > REF_NAME_MAX)
		return err_set(ERR_USAGE, "registry \"%.*s\" in reference "
		    "\"%.*s\" is %zu characters long: a repository name has "
		    "at most %u", vlen(reg), reg.p, vlen(whole), whole.p, reg.n,
		    REF_NAME_MAX);
	if (reg.p[0] == '[') {
		k = lex_find(reg, ']');
		if (k == reg.n)
			return err_set(ERR_USAGE, "unterminated '[' in registry "
			    "\"%.*s\" of reference \"%.*s\": expected [IPv6]:PORT",
			    vlen(reg), reg.p, vlen(whole), whole.p);
		host.p = reg.p + 1;
		host.n = k - 1;
		if (!ipv6_valid(host))
			return err_set(ERR_USAGE, "invalid IPv6 address \"%.*s\" "
			    "in registry of reference \"%.*s\"", vlen(host),
			    host.p, vlen(whole), whole.p);
		if (k + 1 < reg.n) {
			if (reg.p[k + 1] != ':')
				return err_set(ERR_USAGE, "invalid registry "
				    "\"%.*s\" in reference \"%.*s\": expected "
				    "':' and a port after ']'", vlen(reg), reg.p,
				    vlen(whole), whole.p);
			has_port = 1;
			port.p = reg.p + k + 2;
			port.n = reg.n - k - 2;
		}
	} else {
		k = lex_find(reg, ':');
		host.p = reg.p;
		host.n = k;
		if (k < reg.n) {
			has_port = 1;
			port.p = reg.p + k + 1;
			port.n = reg.n - k - 1;
		}
		if (!host_valid(host))
			return err_set(ERR_USAGE, "invalid registry host \"%.*s\" "
			    "in reference \"%.*s\": expected a host name, an "
			    "IPv4 address or a bracketed IPv6 address",
			    vlen(host), host.p, vlen(whole), whole.p);
	}
	if (has_port && !port_parse(port, &r->port))
		return err_set(ERR_USAGE, "invalid port \"%.*s\" in reference "
		    "\"%.*s\": expected a decimal number 1..65535", vlen(port),
		    port.p, vlen(whole), whole.p);
	if (!has_port && (lex_eq(reg, HUB_NAME) || lex_eq(reg, HUB_ALIAS))) {
		struct lex_view hub = { HUB_NAME, sizeof HUB_NAME - 1 };
		struct lex_view api = { HUB_HOST, sizeof HUB_HOST - 1 };

		r->port = HUB_PORT;
		if (view_copy(r->registry, sizeof r->registry, hub) != ERR_OK)
			return ERR_INTERNAL;
		return view_copy(r->host, sizeof r->host, api);
	}
	if (view_copy(r->registry, sizeof r->registry, reg) != ERR_OK)
		return ERR_INTERNAL;
	return view_copy(r->host, sizeof r->host, host);
}

/*
 * Path: components of lowercase letters and digits, separated inside a
 * component by one '.', one or two '_', or one or more '-', joined by
 * '/'. A small state machine over the bytes; off is the path's offset in
 * the reference, for the message.
 */
enum path_state {
	PS_START,	/* a component begins: a letter or digit must come */
	PS_ALNUM,	/* after a letter or digit */
	PS_DOT,		/* after '.' */
	PS_US1,		/* after '_' */
	PS_US2,		/* after "__" */
	PS_DASH		/* after one or more '-' */
};

static int
path_check(struct lex_view path, struct lex_view whole)
{
	enum path_state st = PS_START;
	const char *why = NULL;
	size_t i;

	if (path.n == 0)
		return err_set(ERR_USAGE, "missing repository path in reference "
		    "\"%.*s\": expected " GRAMMAR, vlen(whole), whole.p);
	for (i = 0; i < path.n; i++) {
		if (is_upper(path.p[i]))
			return err_set(ERR_USAGE, "repository name must be "
			    "lowercase: \"%.*s\" in reference \"%.*s\"",
			    vlen(path), path.p, vlen(whole), whole.p);
	}
	for (i = 0; i < path.n && why == NULL; i++) {
		char c = path.p[i];

		if (is_lower(c) || lex_is_digit(c)) {
			st = PS_ALNUM;
		} else if (c == '/') {
			if (st == PS_START)
				why = "empty path component";
			else if (st != PS_ALNUM)
				why = "separator before '/'";
			st = PS_START;
		} else if (st == PS_START) {
			why = "a component must begin with a letter or digit";
		} else if (c == '.') {
			if (st != PS_ALNUM)
				why = "two separators in a row";
			st = PS_DOT;
		} else if (c == '_') {
			if (st == PS_ALNUM)
				st = PS_US1;
			else if (st == PS_US1)
				st = PS_US2;
			else
				why = "more than two '_' or mixed separators";
		} else if (c == '-') {
			if (st != PS_ALNUM && st != PS_DASH)
				why = "mixed separators";
			st = PS_DASH;
		} else {
			why = "invalid character: expected a-z, 0-9, '.', '_', "
			    "'-' or '/'";
		}
	}
	if (why == NULL && st == PS_START)
		why = "trailing '/'";
	else if (why == NULL && st != PS_ALNUM)
		why = "separator at the end";
	else if (why == NULL)
		return ERR_OK;
	return err_set(ERR_USAGE, "invalid repository path \"%.*s\" in "
	    "reference \"%.*s\": %s at offset %zu", vlen(path), path.p,
	    vlen(whole), whole.p, why, (size_t)(path.p - whole.p) + i - 1);
}

static int
tag_check(struct lex_view tag, struct lex_view whole)
{
	size_t i;

	if (tag.n == 0)
		return err_set(ERR_USAGE, "invalid tag \"\" in reference "
		    "\"%.*s\": a tag after ':' cannot be empty", vlen(whole),
		    whole.p);
	if (tag.n > REF_TAG_MAX)
		return err_set(ERR_USAGE, "invalid tag \"%.*s\" in reference "
		    "\"%.*s\": %zu characters, at most %u", vlen(tag), tag.p,
		    vlen(whole), whole.p, tag.n, REF_TAG_MAX);
	for (i = 0; i < tag.n; i++) {
		char c = tag.p[i];

		if (lex_is_alnum(c) || c == '_' ||
		    (i > 0 && (c == '.' || c == '-')))
			continue;
		return err_set(ERR_USAGE, "invalid tag \"%.*s\" in reference "
		    "\"%.*s\": expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}",
		    vlen(tag), tag.p, vlen(whole), whole.p);
	}
	return ERR_OK;
}

static int
digest_check(struct lex_view d, struct lex_view whole)
{
	struct lex_view alg;
	size_t i;
	int word = 1;

	if (ref_digest_valid(d.p, d.n))
		return ERR_OK;
	alg.p = d.p;
	alg.n = lex_find(d, ':');
	for (i = 0; i < alg.n; i++)
		if (!is_lower(alg.p[i]) && !lex_is_digit(alg.p[i]))
			word = 0;
	if (alg.n < d.n && alg.n > 0 && word && !lex_eq(alg, "sha256"))
		return err_set(ERR_USAGE, "unsupported digest algorithm \"%.*s\" "
		    "in reference \"%.*s\": only sha256 is supported",
		    vlen(alg), alg.p, vlen(whole), whole.p);
	return err_set(ERR_USAGE, "invalid digest \"%.*s\" in reference "
	    "\"%.*s\": " DIGEST_WANT, vlen(d), d.p, vlen(whole), whole.p);
}

/* Refuse what no part may hold, before splitting: white space, control
 * and non-ASCII bytes, and schemes. */
static int
text_check(struct lex_view whole)
{
	size_t i;

	for (i = 0; i < whole.n; i++) {
		unsigned char c = (unsigned char)whole.p[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f')
			return err_set(ERR_USAGE, "white space (0x%02x) at offset "
			    "%zu in reference: a reference has no spaces", c, i);
		if (c < 0x20 || c == 0x7f)
			return err_set(ERR_USAGE, "control character 0x%02x at "
			    "offset %zu in reference", c, i);
		if (c >= 0x80)
			return err_set(ERR_USAGE, "non-ASCII byte 0x%02x at offset "
			    "%zu in reference", c, i);
	}
	for (i = 0; i + 3 <= whole.n; i++) {
		if (memcmp(whole.p + i, "://", 3) == 0)
			return err_set(ERR_USAGE, "invalid reference \"%.*s\": a "
			    "reference has no scheme (remove \"%.*s://\")",
			    vlen(whole), whole.p, (int)i, whole.p);
	}
	return ERR_OK;
}

static int
parse(struct ref *r, struct lex_view whole)
{
	struct lex_view name, path, reg, tag = { NULL, 0 }, dig = { NULL, 0 };
	int has_tag = 0, has_dig = 0, library = 0, rc;
	size_t k, last, total;

	rc = text_check(whole);
	if (rc != ERR_OK)
		return rc;

	/* name[:tag] @ digest */
	name = whole;
	k = lex_find(whole, '@');
	if (k < whole.n) {
		has_dig = 1;
		dig.p = whole.p + k + 1;
		dig.n = whole.n - k - 1;
		name.n = k;
	}
	/* The tag starts at the first ':' after the last '/'. */
	for (last = name.n; last > 0 && name.p[last - 1] != '/'; last--)
		;
	for (k = last; k < name.n && name.p[k] != ':'; k++)
		;
	if (k < name.n) {
		has_tag = 1;
		tag.p = name.p + k + 1;
		tag.n = name.n - k - 1;
		name.n = k;
	}

	/* registry / path */
	k = lex_find(name, '/');
	if (k == name.n && name.n > 0 && name.p[0] == '[')
		return err_set(ERR_USAGE, "missing repository path after "
		    "registry in reference \"%.*s\": expected " GRAMMAR,
		    vlen(whole), whole.p);
	reg.p = name.p;
	reg.n = k;
	if (k < name.n && looks_like_registry(reg)) {
		path.p = name.p + k + 1;
		path.n = name.n - k - 1;
		rc = parse_registry(r, reg, whole);
		if (rc != ERR_OK)
			return rc;
	} else {
		struct lex_view hub = { HUB_NAME, sizeof HUB_NAME - 1 };

		path = name;
		rc = parse_registry(r, hub, whole);
		if (rc != ERR_OK)
			return rc;
	}
	rc = path_check(path, whole);
	if (rc != ERR_OK)
		return rc;
	if (ref_is_hub(r) && lex_find(path, '/') == path.n)
		library = 1;
	total = strlen(r->registry) + 1 +
	    (library ? sizeof HUB_LIBRARY - 1 : 0) + path.n;
	if (total > REF_NAME_MAX)
		return err_set(ERR_USAGE, "repository name in reference "
		    "\"%.*s\" is %zu characters long as %s/%s...: at most %u",
		    vlen(whole), whole.p, total, r->registry,
		    library ? HUB_LIBRARY : "", REF_NAME_MAX);
	if (has_tag) {
		rc = tag_check(tag, whole);
		if (rc != ERR_OK)
			return rc;
	}
	if (has_dig) {
		rc = digest_check(dig, whole);
		if (rc != ERR_OK)
			return rc;
	}

	/* Everything is checked and fits: copy. */
	if (library)
		memcpy(r->repo, HUB_LIBRARY, sizeof HUB_LIBRARY - 1);
	rc = view_copy(r->repo + (library ? sizeof HUB_LIBRARY - 1 : 0),
	    sizeof r->repo - (library ? sizeof HUB_LIBRARY - 1 : 0), path);
	if (rc == ERR_OK && has_tag)
		rc = view_copy(r->tag, sizeof r->tag, tag);
	if (rc == ERR_OK && has_dig)
		rc = view_copy(r->digest, sizeof r->digest, dig);
	if (rc == ERR_OK && !has_tag && !has_dig)
		memcpy(r->tag, "latest", sizeof "latest");
	return rc;
}

int
ref_parse(struct ref *r, const char *s)
{
	struct lex_view whole;
	int rc;

	memset(r, 0, sizeof *r);
	if (s == NULL)
		return err_set(ERR_USAGE, "no image reference given: expected "
		    GRAMMAR);
	for (whole.n = 0; whole.n <= REF_INPUT_MAX && s[whole.n] != '\0';
	    whole.n++)
		;
	whole.p = s;
	if (whole.n == 0)
		return err_set(ERR_USAGE, "empty image reference: expected "
		    GRAMMAR);
	if (whole.n > REF_INPUT_MAX)
		return err_set(ERR_USAGE, "image reference \"%.40s...\" is longer "
		    "than %u characters", s, REF_INPUT_MAX);
	rc = parse(r, whole);
	if (rc != ERR_OK)
		memset(r, 0, sizeof *r);
	return rc;
}

/* snprintf's int result as a size_t; a formatting failure gives 0 and "". */
static size_t
print_result(int n, char *buf, size_t cap)
{
	if (n < 0) {
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

size_t
ref_format(const struct ref *r, char *buf, size_t cap)
{
	int n;

	n = snprintf(buf, cap, "%s/%s%s%s%s%s", r->registry, r->repo,
	    r->tag[0] != '\0' ? ":" : "", r->tag,
	    r->digest[0] != '\0' ? "@" : "", r->digest);
	return print_result(n, buf, cap);
}

size_t
ref_host_port(const struct ref *r, char *buf, size_t cap)
{
	int ipv6 = strchr(r->host, ':') != NULL;
	int n;

	if (r->port == 0 || ref_is_hub(r))
		n = ipv6 ? snprintf(buf, cap, "[%s]", r->host) :
		    snprintf(buf, cap, "%s", r->host);
	else
		n = ipv6 ? snprintf(buf, cap, "[%s]:%u", r->host,
		    (unsigned)r->port) :
		    snprintf(buf, cap, "%s:%u", r->host, (unsigned)r->port);
	return print_result(n, buf, cap);
}

int
ref_is_hub(const struct ref *r)
{
	return strcmp(r->registry, HUB_NAME) == 0;
}

int
ref_digest_valid(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || n != REF_DIGEST_LEN || memcmp(s, "sha256:", 7) != 0)
		return 0;
	for (i = 7; i < n; i++)
		if (!lex_is_lhex((unsigned char)s[i]))
			return 0;
	return 1;
}
