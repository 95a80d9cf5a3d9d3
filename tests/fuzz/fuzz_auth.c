/*
 * fuzz_auth.c: libFuzzer target for the parsers of src/auth.c.
 *
 * The last input byte chooses caps and the registry name; the rest goes
 * to each parser: auth_parse_challenges (count within the cap, schemes
 * known, strings NUL-terminated), auth_b64_decode (strict, so what
 * decodes must encode back to the same text), auth_config_lookup and
 * auth_config_helper and auth_helper_reply (credentials NUL-terminated,
 * helper names without '/'; buffers zeroed on
 * failure), auth_token_reply (token non-empty token68, expires_in at
 * least AUTH_TOKEN_EXPIRES_MIN; buffer zeroed on failure).
 */
#include "fuzz.h"

#include "auth.h"
#include "auth_cred.h"
#include "config.h"
#include "err.h"

#define NTOK 256u

static const char *const registries[] = {
	"docker.io", "localhost:5000", "Registry.Example.com", "[::1]:5000"
};

static int
all_zero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static int
token68_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-._~+/", c));
}

static int
token68(const char *s)
{
	size_t i = 0;

	while (token68_char(s[i]))
		i++;
	if (i == 0)
		return 0;
	while (s[i] == '=')
		i++;
	return s[i] == '\0';
}

/* auth_config_default reads the environment through the port, which the
 * fuzzer does not link: no variable is set. */
const char *
port_env(const char *name)
{
	(void)name;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct auth_challenge ch[AUTH_CHALLENGES_MAX + 1];
	static jsmntok_t tok[NTOK];
	static uint8_t bin[16384];
	static char enc[32768], user[256], pass[256], token[BOARD_TOKEN_MAX];
	static char helper[64];
	const char *in = (const char *)data;
	size_t max, cap, ucap, i;
	uint32_t expires = 0;
	long n;
	int rc;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[size - 1];
	size--;

	/* Challenges. */
	max = sel % (AUTH_CHALLENGES_MAX + 2u);
	err_clear();
	memset(ch, 0x5a, sizeof ch);
	rc = auth_parse_challenges(in, size, ch, max);
	if (rc >= 0) {
		FUZZ_CHECK((size_t)rc <= max);
		for (i = 0; i < (size_t)rc; i++) {
			FUZZ_CHECK(ch[i].scheme == AUTH_BASIC ||
			    ch[i].scheme == AUTH_BEARER);
			FUZZ_CHECK(fuzz_terminated(ch[i].realm,
			    sizeof ch[i].realm));
			FUZZ_CHECK(fuzz_terminated(ch[i].service,
			    sizeof ch[i].service));
			FUZZ_CHECK(fuzz_terminated(ch[i].scope,
			    sizeof ch[i].scope));
		}
	} else {
		FUZZ_CHECK(rc == ERR_PROTO);
		FUZZ_CHECK(err_msg()[0] != '\0');
	}

	/* Base64: strict decoding round-trips. */
	cap = (sel & 0x80) ? sizeof bin : (size_t)(sel & 0x3f);
	err_clear();
	n = auth_b64_decode(in, size, bin, cap);
	if (n >= 0) {
		FUZZ_CHECK((size_t)n <= cap);
		FUZZ_CHECK(size % 4 == 0);
		FUZZ_CHECK(auth_b64_encode(bin, (size_t)n, enc, sizeof enc) ==
		    (long)size);
		FUZZ_CHECK(memcmp(enc, in, size) == 0);
	} else {
		FUZZ_CHECK(n == ERR_FORMAT || n == ERR_NOMEM);
		FUZZ_CHECK(err_msg()[0] != '\0');
	}

	/* config.json. */
	ucap = 1u + (sel & 0x1f);
	memset(user, 0x5a, sizeof user);
	memset(pass, 0x5a, sizeof pass);
	err_clear();
	rc = auth_config_lookup(in, size, tok, NTOK, registries[sel >> 6],
	    user, ucap, pass, sizeof pass);
	if (rc == ERR_OK) {
		FUZZ_CHECK(fuzz_terminated(user, ucap));
		FUZZ_CHECK(fuzz_terminated(pass, sizeof pass));
	} else {
		FUZZ_CHECK(rc == ERR_NOENT || rc == ERR_FORMAT ||
		    rc == ERR_NOMEM);
		if (rc != ERR_NOENT)
			FUZZ_CHECK(err_msg()[0] != '\0');
		FUZZ_CHECK(all_zero(user, ucap));
		FUZZ_CHECK(all_zero(pass, sizeof pass));
	}
	rc = auth_config_helper(in, size, tok, NTOK, registries[sel >> 6],
	    helper, sizeof helper);
	FUZZ_CHECK(rc == 0 || rc == 1 || rc == ERR_FORMAT || rc == ERR_NOMEM);
	FUZZ_CHECK(fuzz_terminated(helper, sizeof helper));
	if (rc == 1)
		FUZZ_CHECK(helper[0] != '\0' && strchr(helper, '/') == NULL);

	/* A credential helper's answer, with exit status 0 or 1. */
	err_clear();
	rc = auth_helper_reply(in, size, (int)(sel & 1), tok, NTOK, "h", user,
	    ucap, pass, sizeof pass);
	if (rc == ERR_OK) {
		FUZZ_CHECK(fuzz_terminated(user, ucap));
		FUZZ_CHECK(user[0] != '\0' && strchr(user, ':') == NULL);
	} else {
		FUZZ_CHECK(rc == ERR_NOENT || rc == ERR_AUTH || rc == ERR_NOMEM);
		FUZZ_CHECK(all_zero(user, ucap));
		FUZZ_CHECK(all_zero(pass, sizeof pass));
	}

	/* Token reply. */
	cap = (sel & 0x20) ? sizeof token : 1u + (sel & 0x1f);
	memset(token, 0x5a, sizeof token);
	err_clear();
	rc = auth_token_reply(in, size, tok, NTOK, token, cap, &expires);
	if (rc == ERR_OK) {
		FUZZ_CHECK(fuzz_terminated(token, cap));
		FUZZ_CHECK(token68(token));
		FUZZ_CHECK(expires >= AUTH_TOKEN_EXPIRES_MIN);
	} else {
		FUZZ_CHECK(rc == ERR_PROTO || rc == ERR_NOMEM);
		FUZZ_CHECK(err_msg()[0] != '\0');
		FUZZ_CHECK(all_zero(token, cap));
	}
	return 0;
}
