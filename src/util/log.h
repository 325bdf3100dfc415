/*
 * log.h - leveled logging to stderr (or a file, for the daemon).
 *
 * Core code never prints to the terminal; it logs.  The level comes from
 * -v/-q on the command line or GGEN_LOG (error, warn, info, debug, trace).
 */
#ifndef GG_LOG_H
#define GG_LOG_H

#include <stdio.h>

enum gg_log_level { GG_LOG_ERROR, GG_LOG_WARN, GG_LOG_INFO, GG_LOG_DEBUG,
		    GG_LOG_TRACE };

void gg_log_set_level(enum gg_log_level lvl);
enum gg_log_level gg_log_get_level(void);
/* Parse "error".."trace"; -1 when unknown. */
int gg_log_parse_level(const char *s);
/* Where log lines go; NULL means stderr.  Timestamps are added when the
 * sink is not a terminal. */
void gg_log_set_file(FILE *f);
void gg_log(enum gg_log_level lvl, const char *mod, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define GG_LOG_ON(lvl) ((lvl) <= gg_log_get_level())
#define gg_error(mod, ...) gg_log(GG_LOG_ERROR, mod, __VA_ARGS__)
#define gg_warn(mod, ...) gg_log(GG_LOG_WARN, mod, __VA_ARGS__)
#define gg_info(mod, ...)                                 \
	do {                                              \
		if (GG_LOG_ON(GG_LOG_INFO))               \
			gg_log(GG_LOG_INFO, mod, __VA_ARGS__); \
	} while (0)
#define gg_debug(mod, ...)                                 \
	do {                                               \
		if (GG_LOG_ON(GG_LOG_DEBUG))               \
			gg_log(GG_LOG_DEBUG, mod, __VA_ARGS__); \
	} while (0)
#define gg_trace(mod, ...)                                 \
	do {                                               \
		if (GG_LOG_ON(GG_LOG_TRACE))               \
			gg_log(GG_LOG_TRACE, mod, __VA_ARGS__); \
	} while (0)

#endif
