/*
 * test_rekor.c: a cosign signature's Rekor bundle checked with --rekor-key
 * keys (src/rekor.h), on a real bundle: a throwaway signer key and Rekor
 * log key made with openssl for this test, a signature over the payload
 * (openssl dgst -sha256 -sign) and the bundles tests/fixtures/mkrekor.py
 * made for it (a hashedrekord entry, the log's SET over the canonical
 * payload), all kept as constants. `cosign verify --offline` with the log
 * key as SIGSTORE_REKOR_PUBLIC_KEY accepts the good one (rekor.sh shows it
 * on a registry). Then each way a bundle can be wrong: the SET altered,
 * the body or integratedTime changed after the SET was made, an entry for
 * another signature, for another payload, for another key, from another
 * log, none at all, an oversized one.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_cred.h"
#include "err.h"
#include "json.h"
#include "rekor.h"
#include "sigkey.h"
#include "unit.h"

static const char SIGNER_PUB[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEbbpAUYlqS2MEoRVhDZi2XAxTu8X\n"
    "8oy78WRs/OJolsRM+Z72iIHZt+dY56QHSQRkh+cOAZRV+Vi8ku9pr8Dm4g==\n"
    "-----END PUBLIC KEY-----\n";

static const char REKOR_PUB[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEBKJbGX9B76JHhGjrR01phuWYc5HR\n"
    "JIQaC71z8yFBUCsS3ChJAIRMmuUWhWQ0WI0vm8TnNak9oqIXqLLI02k7kQ==\n"
    "-----END PUBLIC KEY-----\n";

static const char PAYLOAD[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"127.0.0.1:5000/f"
    "ixture/multi\"},\"image\":{\"docker-manifest-digest\":\"sha256:2625f"
    "a056108eaf5090540582d9e80643e84ae9754e888110234388677067c97\"},\"typ"
    "e\":\"cosign container image signature\"},\"optional\":null}";

static const char SIG[] =
    "MEQCICqDluwkF9SitcsnzheFw+Kyt1eUPK6u+n6EvRb9z4atAiA8sdvaRHZBd3t2c6Oy"
    "St1dArI2MDn0H8/ZNtH+U95Z/g==";

/* The same key over the same payload again (ECDSA: other bytes). */
static const char SIG2[] =
    "MEYCIQClGzdovIKJXHpvNZO9aKuUDKUPzdoYTsMGek2/NgumbwIhAKqwBWTP/t6cSsyK"
    "qpxrtRvk9dhT+F+iaD8GrCcxoq60";

static const char BUNDLE[] =
    "{\"SignedEntryTimestamp\":\"MEUCIQDVZQo29gBIbLuUvKlSVHXAWABlKP8iLOpJ"
    "DTaT3mQhEgIgbuwSt1eXB6ZqC0/r4alci8u1JIjW8eCMsy7C8R1VpJ8=\",\"Payload"
    "\":{\"body\":\"eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb"
    "3JkIiwic3BlYyI6eyJkYXRhIjp7Imhhc2giOnsiYWxnb3JpdGhtIjoic2hhMjU2Iiwid"
    "mFsdWUiOiJkNzNiOWM2MmRkZGQ1MmFkZmVlYjFlZDEyMjllNzUxZWI1NTBjNGUxNmQ5Z"
    "ThjMTU5ZTY0MzhlZmU3Y2IyNzllIn19LCJzaWduYXR1cmUiOnsiY29udGVudCI6Ik1FU"
    "UNJQ3FEbHV3a0Y5U2l0Y3NuemhlRncrS3l0MWVVUEs2dStuNkV2UmI5ejRhdEFpQThzZ"
    "HZhUkhaQmQzdDJjNk95U3QxZEFySTJNRG4wSDgvWk50SCtVOTVaL2c9PSIsInB1YmxpY"
    "0tleSI6eyJjb250ZW50IjoiTFMwdExTMUNSVWRKVGlCUVZVSk1TVU1nUzBWWkxTMHRMU"
    "zBLVFVacmQwVjNXVWhMYjFwSmVtb3dRMEZSV1VsTGIxcEplbW93UkVGUlkwUlJaMEZGU"
    "ldKaWNFRlZXV3h4VXpKTlJXOVNWbWhFV21reVdFRjRWSFU0V0FvNGIzazNPRmRTY3k5U"
    "FNtOXNjMUpOSzFvM01tbEpTRnAwSzJSWk5UWlJTRk5SVW10b0syTlBRVnBTVml0V2FUa"
    "HJkVGx3Y2poRWJUUm5QVDBLTFMwdExTMUZUa1FnVUZWQ1RFbERJRXRGV1MwdExTMHRDZ"
    "z09In19fX0=\",\"integratedTime\":1767225600,\"logIndex\":4242,\"logI"
    "D\":\"f9550e81cc7ce133d52b1c97b4b058b456c81c1fa62ac63f4281936fb02eb8"
    "e6\"}}";

/* An entry, signed by the log, for SIG2. */
static const char BUNDLE_OTHER_SIG[] =
    "{\"SignedEntryTimestamp\":\"MEQCIHK1NfSmaAned1LxYKmVlmz5NM+0cDgcBSAu"
    "xUOW/Ym5AiAjtUSXGmNVXlOIjl/3AoDo7VVxGFwXfRFam3FVoFxuGQ==\",\"Payload"
    "\":{\"body\":\"eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb"
    "3JkIiwic3BlYyI6eyJkYXRhIjp7Imhhc2giOnsiYWxnb3JpdGhtIjoic2hhMjU2Iiwid"
    "mFsdWUiOiJkNzNiOWM2MmRkZGQ1MmFkZmVlYjFlZDEyMjllNzUxZWI1NTBjNGUxNmQ5Z"
    "ThjMTU5ZTY0MzhlZmU3Y2IyNzllIn19LCJzaWduYXR1cmUiOnsiY29udGVudCI6Ik1FW"
    "UNJUUNsR3pkb3ZJS0pYSHB2TlpPOWFLdVVES1VQemRvWVRzTUdlazIvTmd1bWJ3SWhBS"
    "3F3QldUUC90NmNTc3lLcXB4cnRSdms5ZGhUK0YraWFEOEdyQ2N4b3E2MCIsInB1YmxpY"
    "0tleSI6eyJjb250ZW50IjoiTFMwdExTMUNSVWRKVGlCUVZVSk1TVU1nUzBWWkxTMHRMU"
    "zBLVFVacmQwVjNXVWhMYjFwSmVtb3dRMEZSV1VsTGIxcEplbW93UkVGUlkwUlJaMEZGU"
    "ldKaWNFRlZXV3h4VXpKTlJXOVNWbWhFV21reVdFRjRWSFU0V0FvNGIzazNPRmRTY3k5U"
    "FNtOXNjMUpOSzFvM01tbEpTRnAwSzJSWk5UWlJTRk5SVW10b0syTlBRVnBTVml0V2FUa"
    "HJkVGx3Y2poRWJUUm5QVDBLTFMwdExTMUZUa1FnVUZWQ1RFbERJRXRGV1MwdExTMHRDZ"
    "z09In19fX0=\",\"integratedTime\":1767225600,\"logIndex\":4242,\"logI"
    "D\":\"f9550e81cc7ce133d52b1c97b4b058b456c81c1fa62ac63f4281936fb02eb8"
    "e6\"}}";

/* An entry, signed by the log, for the hash of another payload. */
static const char BUNDLE_OTHER_HASH[] =
    "{\"SignedEntryTimestamp\":\"MEUCIE00qL4i9Ds+G0JpGazrCoZ+rnA48nhteG3F"
    "oQ+8gUgLAiEA3lJ/2tkn6SNTRBiHelgkJSCjAyT9Q6kVToCtAcBPPHw=\",\"Payload"
    "\":{\"body\":\"eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb"
    "3JkIiwic3BlYyI6eyJkYXRhIjp7Imhhc2giOnsiYWxnb3JpdGhtIjoic2hhMjU2Iiwid"
    "mFsdWUiOiI3ZWYxYTdmMWU1NjJmMmM2NzBlNTg4N2UzMTBhYjgxYjk3NmFlOTdkZTEzY"
    "TQzMzYzNzY1MGViMDI4YWVjMTdhIn19LCJzaWduYXR1cmUiOnsiY29udGVudCI6Ik1FU"
    "UNJQ3FEbHV3a0Y5U2l0Y3NuemhlRncrS3l0MWVVUEs2dStuNkV2UmI5ejRhdEFpQThzZ"
    "HZhUkhaQmQzdDJjNk95U3QxZEFySTJNRG4wSDgvWk50SCtVOTVaL2c9PSIsInB1YmxpY"
    "0tleSI6eyJjb250ZW50IjoiTFMwdExTMUNSVWRKVGlCUVZVSk1TVU1nUzBWWkxTMHRMU"
    "zBLVFVacmQwVjNXVWhMYjFwSmVtb3dRMEZSV1VsTGIxcEplbW93UkVGUlkwUlJaMEZGU"
    "ldKaWNFRlZXV3h4VXpKTlJXOVNWbWhFV21reVdFRjRWSFU0V0FvNGIzazNPRmRTY3k5U"
    "FNtOXNjMUpOSzFvM01tbEpTRnAwSzJSWk5UWlJTRk5SVW10b0syTlBRVnBTVml0V2FUa"
    "HJkVGx3Y2poRWJUUm5QVDBLTFMwdExTMUZUa1FnVUZWQ1RFbERJRXRGV1MwdExTMHRDZ"
    "z09In19fX0=\",\"integratedTime\":1767225600,\"logIndex\":4242,\"logI"
    "D\":\"f9550e81cc7ce133d52b1c97b4b058b456c81c1fa62ac63f4281936fb02eb8"
    "e6\"}}";

static char tmp[] = "/tmp/ocipull-test-rekor-XXXXXX";
static char signer_path[80], rekor_path[80];
static struct sigkeys keys, logs;
static struct rekor_check R;
static uint8_t sig[128];
static size_t siglen;

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/*
 * rekor_verify on a signature manifest whose one layer carries SIG and,
 * unless bundle is NULL, the bundle annotation (JSON-escaped here as a
 * registry would serve it). Returns its code; the message is err_msg().
 */
static int
verify(const char *bundle, struct sigkey *key)
{
	static char doc[32 * 1024];
	static jsmntok_t tok[64];
	struct json j;
	size_t n = 0, k;
	int l;

	n += (size_t)snprintf(doc + n, sizeof doc - n, "{\"layers\":[{\"annotations\":"
	    "{\"dev.cosignproject.cosign/signature\":\"%s\"", SIG);
	if (bundle != NULL) {
		n += (size_t)snprintf(doc + n, sizeof doc - n, ",\"%s\":\"",
		    REKOR_ANN_BUNDLE);
		for (k = 0; bundle[k] != '\0' && n + 4 < sizeof doc; k++) {
			if (bundle[k] == '"' || bundle[k] == '\\')
				doc[n++] = '\\';
			doc[n++] = bundle[k];
		}
		doc[n++] = '"';
	}
	n += (size_t)snprintf(doc + n, sizeof doc - n, "}}]}");
	err_clear();
	if (json_parse(&j, doc, n, tok, 64, "test") < 0)
		return ERR_INTERNAL;
	l = json_get(&j, 0, "layers");
	return rekor_verify(&R, &logs, &j, l + 1, key, PAYLOAD,
	    sizeof PAYLOAD - 1, sig, siglen);
}

/* BUNDLE with the byte after the first match of at, plus skip, set to c. */
static const char *
altered(const char *at, size_t skip, char c)
{
	static char b[sizeof BUNDLE];
	char *p;

	memcpy(b, BUNDLE, sizeof BUNDLE);
	p = strstr(b, at);
	if (p == NULL) {
		fprintf(stderr, "no %s in BUNDLE\n", at);
		exit(1);
	}
	p += strlen(at) + skip;
	*p = *p == c ? (char)(c + 1) : c;
	return b;
}

static void
expect_refused(const char *bundle, const char *why)
{
	int rc = verify(bundle, &keys.key[0]);

	CHECK_EQ(rc, ERR_SIGNATURE);
	if (strstr(err_msg(), why) == NULL) {
		fprintf(stderr, "  message \"%s\", expected \"%s\" in it\n",
		    err_msg(), why);
		CHECK(0);
	}
}

static void
test_rekor_valid_bundle(void)
{
	CHECK_EQ(verify(BUNDLE, &keys.key[0]), ERR_OK);
	CHECK_STR(err_msg(), "");
}

static void
test_rekor_altered_set(void)
{
	/* A byte in the middle of the SET's base64. */
	expect_refused(altered("\"SignedEntryTimestamp\":\"", 20, 'A'),
	    "timestamp (SignedEntryTimestamp) does not verify with --rekor-key");
}

static void
test_rekor_altered_body(void)
{
	/* A byte of the entry (still base64), and the time: both signed. */
	expect_refused(altered("\"body\":\"", 100, 'Q'),
	    "does not verify with --rekor-key");
	expect_refused(altered("\"integratedTime\":", 9, '1'),
	    "does not verify with --rekor-key");
}

static void
test_rekor_other_signature(void)
{
	uint8_t keep[sizeof sig];
	size_t keeplen = siglen;
	long n;

	expect_refused(BUNDLE_OTHER_SIG, "the Rekor entry is for another "
	    "signature");
	/* That bundle is sound: it holds for the signature it records (the
	 * layer's annotation stays SIG: rekor.c compares decoded bytes). */
	memcpy(keep, sig, sizeof sig);
	n = auth_b64_decode(SIG2, sizeof SIG2 - 1, sig, sizeof sig);
	CHECK(n > 0);
	siglen = (size_t)n;
	CHECK_EQ(verify(BUNDLE_OTHER_SIG, &keys.key[0]), ERR_OK);
	CHECK_EQ(verify(BUNDLE, &keys.key[0]), ERR_SIGNATURE);
	memcpy(sig, keep, sizeof sig);
	siglen = keeplen;
}

static void
test_rekor_other_payload(void)
{
	expect_refused(BUNDLE_OTHER_HASH, "the Rekor entry is for another "
	    "payload");
}

static void
test_rekor_other_key(void)
{
	/* The signature as if another key (the log's) had verified it. */
	CHECK_EQ(verify(BUNDLE, &logs.key[0]), ERR_SIGNATURE);
	CHECK(strstr(err_msg(), "for another key than --verify-key") != NULL);
}

static void
test_rekor_other_log(void)
{
	expect_refused(altered("\"logID\":\"", 0, 'e'), "not one of --rekor-key");
}

static void
test_rekor_missing_and_malformed(void)
{
	static char big[REKOR_BUNDLE_MAX + 64];

	expect_refused(NULL, "no Rekor bundle (dev.sigstore.cosign/bundle");
	expect_refused("", "no Rekor bundle");
	expect_refused("[]", "not a JSON object");
	expect_refused("{\"SignedEntryTimestamp\":\"AAAA\"}", "no Payload object");
	memset(big, 'A', sizeof big - 1);
	memcpy(big, "{\"x\":\"", 6);
	memcpy(big + sizeof big - 4, "\"}", 3);
	expect_refused(big, "is longer than 8192 bytes");
	/* A time that is no integer Go reads into an int64. */
	expect_refused(altered("\"integratedTime\":", 1, '.'),
	    "integratedTime or logIndex is not an integer");
}

static void
test_rekor_keys(void)
{
	struct sigkeys more;
	unsigned i;

	/* The log's ID is the sha256 of its DER key, as cosign computes it. */
	CHECK(logs.key[0].has_id);
	CHECK_STR(logs.option, "--rekor-key");
	sigkeys_init(&more);
	for (i = 0; i < REKOR_KEY_MAX; i++)
		CHECK_EQ(rekor_keys_add(&more, rekor_path), ERR_OK);
	err_clear();
	CHECK_EQ(rekor_keys_add(&more, rekor_path), ERR_USAGE);
	CHECK(strstr(err_msg(), "more than 4 --rekor-key") != NULL);
	sigkeys_free(&more);
	err_clear();
	CHECK_EQ(rekor_keys_add(&more, "/nonexistent/rekor.pub") < 0, 1);
	CHECK(strstr(err_msg(), "--rekor-key /nonexistent/rekor.pub") != NULL);
	err_clear();
}

int
main(void)
{
	char cmd[128];
	long n;
	int rc;

	if (mkdtemp(tmp) == NULL)
		return 1;
	snprintf(signer_path, sizeof signer_path, "%s/signer.pub", tmp);
	snprintf(rekor_path, sizeof rekor_path, "%s/rekor.pub", tmp);
	write_file(signer_path, SIGNER_PUB);
	write_file(rekor_path, REKOR_PUB);
	sigkeys_init(&keys);
	sigkeys_init(&logs);
	n = auth_b64_decode(SIG, sizeof SIG - 1, sig, sizeof sig);
	if (sigkeys_add(&keys, signer_path) < 0 ||
	    rekor_keys_add(&logs, rekor_path) < 0 || n <= 0) {
		fprintf(stderr, "set-up: %s\n", err_msg());
		return 1;
	}
	siglen = (size_t)n;
	/* The vector is sound: the signature verifies over the payload. */
	if (sigkey_verify(&keys.key[0], PAYLOAD, sizeof PAYLOAD - 1, sig,
	    siglen) != ERR_OK) {
		fprintf(stderr, "set-up: SIG does not verify\n");
		return 1;
	}
	UNIT_RUN(test_rekor_valid_bundle);
	UNIT_RUN(test_rekor_altered_set);
	UNIT_RUN(test_rekor_altered_body);
	UNIT_RUN(test_rekor_other_signature);
	UNIT_RUN(test_rekor_other_payload);
	UNIT_RUN(test_rekor_other_key);
	UNIT_RUN(test_rekor_other_log);
	UNIT_RUN(test_rekor_missing_and_malformed);
	UNIT_RUN(test_rekor_keys);
	sigkeys_free(&keys);
	sigkeys_free(&logs);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	rc = system(cmd);
	(void)rc;
	return UNIT_END();
}
