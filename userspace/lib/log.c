// SPDX-License-Identifier: GPL-2.0
/* Weave-format log lines (`LEVL: yyyy/mm/dd hh:mm:ss.uuuuuu message`) to stderr or a FILE*. */
#include "lib/log.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum log_level max_level = LOG_LEVEL_INFO;
static FILE *target;

/* Weave's formatter prints the first four letters of logrus' upper-cased level name. */
static const char *const level_tags[] = {
	[LOG_LEVEL_ERROR] = "ERRO",
	[LOG_LEVEL_WARNING] = "WARN",
	[LOG_LEVEL_INFO] = "INFO",
	[LOG_LEVEL_DEBUG] = "DEBU",
};

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

const char *log_level_to_string(enum log_level level)
{
	if ((unsigned int)level > LOG_LEVEL_DEBUG)
		return NULL;
	return level_names[level];
}

int log_parse_level(const char *s, enum log_level *ret)
{
	if (!s)
		return -EINVAL;
	for (unsigned int l = 0; l <= LOG_LEVEL_DEBUG; l++) {
		if (strcasecmp(s, level_names[l]) == 0) {
			*ret = l;
			return 0;
		}
	}
	if (strcasecmp(s, "warn") == 0) {
		*ret = LOG_LEVEL_WARNING;
		return 0;
	}
	return -EINVAL;
}

void log_set_level(enum log_level level)
{
	if ((unsigned int)level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_set_target(FILE *f)
{
	target = f;
}

/* Whether fmt has a %m conversion (not %%m). */
static bool has_percent_m(const char *fmt)
{
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == 'm')
			return true;
		if (p[1] == '%' || p[1] == '\0')
			p += p[1] != '\0';
	}
	return false;
}

/* "yyyy/mm/dd hh:mm:ss.uuuuuu " in local time, as Go's time.Now().Format(); returns its length. */
static size_t format_timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;
	int k;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !localtime_r(&ts.tv_sec, &tm)) {
		memset(&tm, 0, sizeof(tm));
		ts.tv_nsec = 0;
	}
	n = strftime(buf, size, "%Y/%m/%d %H:%M:%S", &tm);
	k = snprintf(buf + n, size - n, ".%06ld ", ts.tv_nsec / 1000);
	if (k < 0 || (size_t)k >= size - n)
		return n;
	return n + (size_t)k;
}

int log_internalv(enum log_level level, int error, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int saved_errno = errno;
	size_t n, msg_start;
	int k;

	if (error < 0)
		error = -error;
	if ((unsigned int)level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	if (level > max_level)
		goto out;

	n = (size_t)snprintf(line, sizeof(line), "%s: ", level_tags[level]);
	n += format_timestamp(line + n, sizeof(line) - n);
	msg_start = n;

	errno = error; /* for %m */
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (k > 0)
		n += (size_t)k < sizeof(line) - n ? (size_t)k : sizeof(line) - n - 1;
	if (error != 0 && !has_percent_m(fmt) && n < sizeof(line) - 1) {
		k = snprintf(line + n, sizeof(line) - n, ": %s", strerror(error));
		if (k > 0)
			n += (size_t)k < sizeof(line) - n ? (size_t)k : sizeof(line) - n - 1;
	}

	/* One entry, one line: trailing newlines dropped, embedded ones made spaces. */
	while (n > msg_start && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	for (size_t i = msg_start; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n] = '\n';

	FILE *f = target ? target : stderr;
	(void)fwrite(line, 1, n + 1, f);
	(void)fflush(f);
out:
	errno = saved_errno;
	return -error;
}

int log_internal(enum log_level level, int error, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = log_internalv(level, error, fmt, ap);
	va_end(ap);
	return r;
}
