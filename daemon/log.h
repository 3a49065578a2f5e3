/* Logging: stderr in the foreground, syslog otherwise. */
#ifndef ISMSD_LOG_H
#define ISMSD_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
};

/* Sets the threshold and the target; to_syslog false writes to stderr. */
void log_init(enum log_level level, int to_syslog);
void log_set_level(enum log_level level);
int log_level_parse(const char *name, enum log_level *level);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copies src into dst (of size len), replacing control characters and
 * non-ASCII bytes with '?' so that client-sent text cannot forge log lines.
 * Returns dst.
 */
char *log_escape(char *dst, size_t len, const char *src);

#endif
