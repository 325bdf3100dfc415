/*
 * compat.h - force-included into every translation unit (-include): the
 * common system headers first, then banned.h, so the ban applies to our
 * code and never to the system's own declarations (git does the same
 * at the end of git-compat-util.h).
 */
#ifndef GG_COMPAT_H
#define GG_COMPAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

#endif
