/*
 * banned.h - functions this code base refuses to call.
 *
 * Each of these has a history of buffer overruns or hidden global state.
 * The build force-includes this header (-include) into every translation
 * unit after the system headers were seen, so a call is a compile error
 * that names the function.  Use snprintf (and check it), memcpy with a
 * checked length, gg_buf, or strtok_r instead.
 */
#ifndef GG_BANNED_H
#define GG_BANNED_H

#define GG_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) GG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) GG_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) GG_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) GG_BANNED(strncat)
#undef sprintf
#define sprintf(...) GG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) GG_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) GG_BANNED(strtok)
#undef gets
#define gets(x) GG_BANNED(gets)
#undef asctime
#define asctime(x) GG_BANNED(asctime)
#undef ctime
#define ctime(x) GG_BANNED(ctime)
#undef gmtime
#define gmtime(x) GG_BANNED(gmtime)
#undef localtime
#define localtime(x) GG_BANNED(localtime)

#endif
