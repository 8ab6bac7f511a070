/* SPDX-License-Identifier: MIT */
/* stderr logger. Records are formatted into a stack buffer and written with
 * one write(2) so lines from different threads never interleave. */
#include "base/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_level_cur = LOG_INFO;
static const char *const log_names[] = {"debug", "info", "warn", "error", "off"};

void log_set_level(enum log_level level)
{
	atomic_store(&log_level_cur, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&log_level_cur);
}

int log_level_parse(const char *s)
{
	for (int i = 0; i <= LOG_OFF; i++)
		if (strcmp(s, log_names[i]) == 0)
			return i;
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if ((int)level < atomic_load(&log_level_cur))
		return;
	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, log_names[level]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
