/* SPDX-License-Identifier: GPL-2.0 */
/* log: weaver's logger, in the format of Weave's Go logger (`INFO: 2006/01/02 15:04:05.000000 msg`),
 * with systemd-style helpers that log a negative errno and return it.
 */
#ifndef WEAVE_LIB_LOG_H
#define WEAVE_LIB_LOG_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Most to least severe; a message is written when its level <= the configured level. Not the
 * syslog.h names on purpose (LOG_INFO and friends are macros there).
 */
enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#define LOG_LINE_MAX 4096 /* bytes of one formatted line; longer messages are truncated */

/* "debug", "info", "warning" (or "warn"), "error", any case, as weaver's --log-level; -EINVAL else. */
int log_parse_level(const char *s, enum log_level *ret);
/* "debug", "info", "warning", "error"; NULL for a value outside the enum. */
const char *log_level_to_string(enum log_level level);

void log_set_level(enum log_level level); /* default LOG_LEVEL_INFO */
enum log_level log_get_level(void);
/* Where lines go; NULL means stderr (the default). Every line is flushed. */
void log_set_target(FILE *f);

static inline bool log_level_enabled(enum log_level level)
{
	return level <= log_get_level();
}

/* Writes one line if the level is enabled, and returns -abs(error). error != 0 appends
 * ": <strerror>" unless the format already says where with %m (errno is set to abs(error) while
 * formatting, as glibc's %m reads it). errno is preserved. Use the macros below instead.
 */
int log_internal(enum log_level level, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int log_internalv(enum log_level level, int error, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The level is checked before the arguments are evaluated, so disabled debug logging is cheap. */
#define log_full_errno(level, error, ...)                                   \
	({                                                                  \
		enum log_level _log_level = (level);                        \
		int _log_error = (error);                                   \
		log_level_enabled(_log_level) ?                             \
			log_internal(_log_level, _log_error, __VA_ARGS__) : \
			-abs(_log_error);                                   \
	})
#define log_full(level, ...) ((void)log_full_errno((level), 0, __VA_ARGS__))

#define log_debug(...) log_full(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warning(...) log_full(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_LEVEL_ERROR, __VA_ARGS__)

/* `return log_error_errno(r, "Failed to bind '%s'", addr);` logs "...: Address in use" and
 * returns r. A positive errno (errno itself) works too: the result is always -abs(error).
 */
#define log_debug_errno(error, ...) log_full_errno(LOG_LEVEL_DEBUG, (error), __VA_ARGS__)
#define log_info_errno(error, ...) log_full_errno(LOG_LEVEL_INFO, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_LEVEL_WARNING, (error), __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_LEVEL_ERROR, (error), __VA_ARGS__)

/* `return log_oom();` */
#define log_oom() log_error_errno(ENOMEM, "Out of memory")

#endif /* WEAVE_LIB_LOG_H */
