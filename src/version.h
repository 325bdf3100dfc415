/* version.h - the one place the version of ggen is written. */
#ifndef GG_VERSION_H
#define GG_VERSION_H
#define GG_VERSION "0.1.0"
#define GG_AGENT "ggen/" GG_VERSION
#endif
