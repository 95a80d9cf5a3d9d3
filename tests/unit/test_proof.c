/* test_proof.c: the record of the in-flight layer's bytes (src/proof.h):
 * which staging trees a later run may keep, by boot, sync mode and layer;
 * checks of chunks against an earlier attempt; torn files. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "digest.h"
#include "err.h"
#include "port.h"
#include "proof.h"

static char tmp[] = "/tmp/ocipull-test-proof-XXXXXX";
static int tfd;
static struct proof P;

static const char *D0 = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
static const char *D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

/* A run: init with sync mode, as boot id boot ("" keeps the real one). */
static void
start(int sync, const char *boot)
{
	proof_close(&P);
	err_clear();
	proof_init(&P, tfd, sync);
	if (boot[0] != '\0')
		snprintf(P.boot, sizeof P.boot, "%s", boot);
}

/* Apply n chunks of a blob whose bytes are all byte b, through the record.
 * Returns the first error or 0. */
static int
chunks(int n, int b)
{
	static uint8_t buf[PROOF_CHUNK];
	struct digest d;
	int i, rc = ERR_OK;

	memset(buf, b, sizeof buf);
	digest_init(&d);
	for (i = 0; i < n && rc == ERR_OK; i++) {
		digest_push(&d, buf, sizeof buf);
		rc = proof_step(&P, &d);
	}
	return rc;
}

static void
reset_dir(void)
{
	proof_close(&P);
	(void)unlinkat(tfd, "layer.proof", 0);
}

static void
test_fresh_and_between_layers(void)
{
	reset_dir();
	/* No record at all: nothing was applied. */
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 0, D0), PROOF_KEEP);
	/* ...but with verified layers and no record, nothing is proven. */
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_AFRESH);
	CHECK(strstr(err_msg(), "no record") != NULL);
	/* Layer 0 applied and verified; layer 1 not begun: its synced
	 * header would say so. Another boot may keep it (mode d). */
	start(1, "boot-a");
	CHECK_EQ(proof_begin(&P, 0, D0), ERR_OK);
	CHECK_EQ(chunks(3, 'a'), ERR_OK);
	start(1, "boot-b");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_KEEP);
	CHECK_EQ(P.have, 0);
	/* Every layer in: kept. */
	start(1, "boot-b");
	CHECK_EQ(proof_resume(&P, 1, NULL), PROOF_KEEP);
	/* Without syncs (mode n), another boot trusts nothing. */
	reset_dir();
	start(0, "boot-a");
	CHECK_EQ(proof_begin(&P, 0, D0), ERR_OK);
	start(0, "boot-b");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_AFRESH);
	start(0, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_KEEP);
}

static void
test_in_flight_layer(void)
{
	reset_dir();
	start(1, "boot-a");
	CHECK_EQ(proof_begin(&P, 1, D1), ERR_OK);
	CHECK_EQ(chunks(4, 'x'), ERR_OK);
	/* Same boot: the records are complete; the same bytes pass... */
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_KEEP);
	CHECK_EQ(P.nrec, 4);
	CHECK_EQ(proof_begin(&P, 1, D1), ERR_OK);
	CHECK_EQ(chunks(6, 'x'), ERR_OK);   /* 4 checked, 2 recorded */
	CHECK_EQ(P.nrec, 6);
	/* ...other bytes are refused before they are applied. */
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_KEEP);
	CHECK_EQ(proof_begin(&P, 1, D1), ERR_OK);
	CHECK_EQ(chunks(1, 'y'), ERR_VERIFY);
	CHECK(strstr(err_msg(), "offset 32768 differ") != NULL);
	/* Another boot: what reached the disk cannot be proven. */
	start(1, "boot-b");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_AFRESH);
	CHECK(strstr(err_msg(), "layer 2 was being applied") != NULL);
	/* Sealed (a failure ocipull survived, everything synced): kept on
	 * another boot too, and checked. */
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_KEEP);
	CHECK_EQ(proof_seal(&P, tfd), ERR_OK);
	start(1, "boot-c");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_KEEP);
	CHECK_EQ(proof_begin(&P, 1, D1), ERR_OK);
	CHECK_EQ(chunks(6, 'x'), ERR_OK);
	/* The record of another layer or another blob: not this one's. */
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D0), PROOF_AFRESH);
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 0, D0), PROOF_AFRESH);
	/* An unknown boot id ("-": no /proc) is never the same boot. */
	start(1, "-");
	CHECK_EQ(proof_begin(&P, 1, D1), ERR_OK);
	start(1, "-");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_AFRESH);
}

static void
test_torn_files(void)
{
	struct stat st;

	reset_dir();
	start(1, "boot-a");
	CHECK_EQ(proof_begin(&P, 1, D1), ERR_OK);
	CHECK_EQ(chunks(2, 'x'), ERR_OK);
	proof_close(&P);
	/* A record torn by the kill: its chunk was never applied. */
	CHECK(fstatat(tfd, "layer.proof", &st, 0) == 0);
	CHECK(truncate("layer.proof", st.st_size - 5) == 0);
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_KEEP);
	CHECK_EQ(P.nrec, 1);
	/* A torn header: afresh. */
	proof_close(&P);
	CHECK(truncate("layer.proof", 100) == 0);
	start(1, "boot-a");
	CHECK_EQ(proof_resume(&P, 1, D1), PROOF_AFRESH);
	CHECK(strstr(err_msg(), "torn") != NULL);
}

int
main(void)
{
	char bid[64];

	if (mkdtemp(tmp) == NULL || chdir(tmp) != 0)
		return 2;
	tfd = port_fs_open(PORT_CWD, ".", PORT_O_READ | PORT_O_DIRECTORY, 0);
	/* The boot id this kernel gives: non-empty, no spaces. */
	CHECK(port_boot_id(bid, sizeof bid) > 0 && strchr(bid, ' ') == NULL);
	err_clear();
	UNIT_RUN(test_fresh_and_between_layers);
	UNIT_RUN(test_in_flight_layer);
	UNIT_RUN(test_torn_files);
	proof_close(&P);
	(void)unlinkat(tfd, "layer.proof", 0);
	(void)chdir("/");
	(void)rmdir(tmp);
	return UNIT_END();
}
