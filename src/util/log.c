/*
 * log.c - the logger of log.h.  The level and sink are process-wide by
 * nature (one stderr), the only such state in the code base.
 */
#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static enum gg_log_level log_level = GG_LOG_WARN;
static FILE *log_file;

static const char *const level_names[] = { "error", "warn", "info", "debug",
					   "trace" };

void gg_log_set_level(enum gg_log_level lvl)
{
	log_level = lvl;
}

enum gg_log_level gg_log_get_level(void)
{
	return log_level;
}

int gg_log_parse_level(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (!strcmp(s, level_names[i]))
			return (int)i;
	return -1;
}

void gg_log_set_file(FILE *f)
{
	log_file = f;
}

void gg_log(enum gg_log_level lvl, const char *mod, const char *fmt, ...)
{
	FILE *f = log_file ? log_file : stderr;
	va_list ap;

	if (lvl > log_level)
		return;
	if (!isatty(fileno(f))) {
		struct timeval tv;
		struct tm tm;
		char ts[32];

		gettimeofday(&tv, NULL);
		gmtime_r(&tv.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(f, "%s.%03dZ ", ts, (int)(tv.tv_usec / 1000));
	}
	fprintf(f, "%s %s: ", level_names[lvl], mod);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}
