/*
 * build_time.c: the build's time, for the certificate clock floor
 * (clockfloor.h). The Makefile compiles this one object with
 * -DOCIPULL_BUILD_TIME=SECONDS (SOURCE_DATE_EPOCH, else the newest source
 * file), so a new value rebuilds nothing else.
 */
#include "clockfloor.h"

#ifndef OCIPULL_BUILD_TIME
#define OCIPULL_BUILD_TIME 0    /* a build that does not say: no floor */
#endif

const int64_t clockfloor_build_s = OCIPULL_BUILD_TIME;
