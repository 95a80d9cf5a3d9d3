/* test_err.c: the error module: first message wins, prefixes, exit codes. */
#include "unit.h"
#include "err.h"

static void
test_first_message_is_kept(void)
{
	err_clear();
	CHECK_STR(err_msg(), "");
	CHECK_EQ(err_set(ERR_VERIFY, "digest %s", "sha256:aa"), ERR_VERIFY);
	CHECK_EQ(err_set(ERR_NET, "later %d", 1), ERR_NET);
	CHECK_STR(err_msg(), "digest sha256:aa");
	err_clear();
	CHECK_STR(err_msg(), "");
}

static void
test_prefix_adds_context(void)
{
	err_clear();
	err_set(ERR_FORMAT, "bad checksum at offset %d", 512);
	CHECK_EQ(err_prefix(ERR_FORMAT, "layer %d", 2), ERR_FORMAT);
	CHECK_STR(err_msg(), "layer 2: bad checksum at offset 512");
	err_clear();
	err_prefix(ERR_IO, "fetch");
	CHECK_STR(err_msg(), "fetch");
}

static void
test_long_message_is_cut(void)
{
	char big[3000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err_clear();
	err_set(ERR_IO, "%s", big);
	CHECK_EQ(strlen(err_msg()), ERR_MSG_MAX - 1);
	err_prefix(ERR_IO, "context");
	CHECK_EQ(strlen(err_msg()), ERR_MSG_MAX - 1);
	CHECK(strncmp(err_msg(), "context: xxx", 12) == 0);
}

static void
test_exit_codes_are_distinct(void)
{
	CHECK_EQ(err_exit_code(ERR_OK), EXIT_OK);
	CHECK_EQ(err_exit_code(ERR_END), EXIT_OK);
	CHECK_EQ(err_exit_code(ERR_USAGE), EXIT_USAGE);
	CHECK_EQ(err_exit_code(ERR_NET), EXIT_NETWORK);
	CHECK_EQ(err_exit_code(ERR_TIMEOUT), EXIT_NETWORK);
	CHECK_EQ(err_exit_code(ERR_TLS), EXIT_TLS);
	CHECK_EQ(err_exit_code(ERR_AUTH), EXIT_AUTH);
	CHECK_EQ(err_exit_code(ERR_NOTFOUND), EXIT_NOTFOUND);
	CHECK_EQ(err_exit_code(ERR_PLATFORM), EXIT_PLATFORM);
	CHECK_EQ(err_exit_code(ERR_VERIFY), EXIT_VERIFY);
	CHECK_EQ(err_exit_code(ERR_ESCAPE), EXIT_UNPACK);
	CHECK_EQ(err_exit_code(ERR_NOSPC), EXIT_NOSPC);
	CHECK_EQ(err_exit_code(ERR_INTERNAL), EXIT_FAILURE_OTHER);
	CHECK_EQ(err_exit_code(ERR_SIGNATURE), EXIT_SIGNATURE);
	CHECK_EQ(err_exit_code(ERR_BUSY), EXIT_BUSY);
	CHECK_EQ(EXIT_BUSY, 13);
	CHECK_STR(err_name(ERR_VERIFY), "verification failed");
	CHECK_STR(err_name(-999), "unknown error");
}

int
main(void)
{
	UNIT_RUN(test_first_message_is_kept);
	UNIT_RUN(test_prefix_adds_context);
	UNIT_RUN(test_long_message_is_cut);
	UNIT_RUN(test_exit_codes_are_distinct);
	return UNIT_END();
}
