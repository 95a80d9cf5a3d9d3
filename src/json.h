/*
 * json.h: thin helpers over jsmn (strict mode, parent links) for the small
 * documents ocipull keeps whole: manifests, indexes, configs, token
 * replies, docker config.json.
 *
 * The caller owns the document bytes and a token array (sized by the
 * board, BOARD_JSON_TOKENS); struct json only points at both. Values are
 * addressed by token index: json_get() finds a key's value in an object,
 * json_next() steps over a whole value, so arrays are walked as
 *
 *     for (i = arr + 1, k = 0; k < j->tok[arr].size; k++, i = json_next(j, i))
 *
 * Strings are counted views into the document (struct json_str); escapes
 * are decoded only on request by json_copy() into a caller buffer.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#ifndef JSON_IMPLEMENTATION
#define JSMN_HEADER
#endif
#include <jsmn.h>

struct json_str {
	const char *p;
	size_t n;
};

struct json {
	const char *doc;
	size_t len;
	jsmntok_t *tok;
	int ntok;
};

/*
 * Parse doc[0..len) into tok[0..cap). The document must be one object or
 * array with nothing but white space after it. Returns ERR_OK, ERR_NOMEM
 * when cap tokens are not enough (the message names the cap and
 * BOARD_JSON_TOKENS), or ERR_FORMAT with the byte offset of the problem.
 * what names the document in messages ("manifest", "config.json").
 */
int json_parse(struct json *j, const char *doc, size_t len, jsmntok_t *tok,
    unsigned cap, const char *what);

/* Index of the token after the value at i (and everything inside it). */
int json_next(const struct json *j, int i);

/*
 * Value of key in the object at obj: its token index, -1 when absent,
 * ERR_FORMAT when obj is not an object or the key appears more than once
 * (a document with duplicate keys among the fields we read is refused).
 */
int json_get(const struct json *j, int obj, const char *key);

/* Nonzero when the token at i is a string equal to s (escapes decoded). */
int json_eq(const struct json *j, int i, const char *s);

/* The raw bytes of the string at i, escapes not decoded; ERR_FORMAT when
 * i is not a string. */
int json_str(const struct json *j, int i, struct json_str *out);

/*
 * Decode the string at i into buf (NUL-terminated, UTF-8). Returns its
 * length, ERR_FORMAT for a non-string, a bad escape or an embedded NUL,
 * ERR_NOMEM when it does not fit in cap.
 */
long json_copy(const struct json *j, int i, char *buf, size_t cap);

/* A non-negative integer at i, at most max; ERR_FORMAT otherwise
 * (fractions, exponents, signs, leading zeros, overflow). */
int json_u64(const struct json *j, int i, uint64_t max, uint64_t *out);

/* Type tests. */
int json_is_object(const struct json *j, int i);
int json_is_array(const struct json *j, int i);
int json_is_string(const struct json *j, int i);

#endif /* JSON_H */
