/*
 * fuzz_igzip.c: fuzz_gunzip's target over the ISA-L engine: the same
 * harness, src/gunzip.c compiled with BOARD_GZIP_ISAL=1 (the Makefile's
 * FUZZ_CPPFLAGS_igzip) and linked with the unit tests' libisal.
 */
#include "fuzz_gunzip.c"
