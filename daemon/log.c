#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_threshold = LOG_LEVEL_INFO;
static int log_to_syslog;
static long log_pid; /* set by log_init, after any fork */

static const char *const level_names[] = {
	[LOG_LEVEL_DEBUG] = "debug",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_ERROR] = "error",
};

void
log_init(enum log_level level, int to_syslog)
{
	log_threshold = level;
	log_to_syslog = to_syslog;
	log_pid = (long)getpid();
	if (to_syslog)
		openlog("ismsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

int
log_level_parse(const char *name, enum log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Turns line breaks and tabs (libpq's messages have them) into spaces and
 * drops trailing ones, so that every message stays on one line.
 */
static void
flatten(char *msg)
{
	size_t len;
	char *p;

	for (p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	len = strlen(msg);
	while (len > 0 && msg[len - 1] == ' ')
		msg[--len] = '\0';
}

/*
 * One line per call. Lines go out with a single write so that lines from
 * several worker threads do not interleave.
 */
static void
log_emit(enum log_level level, const char *fmt, va_list ap)
{
	static const int syslog_priority[] = {
		[LOG_LEVEL_DEBUG] = LOG_DEBUG,
		[LOG_LEVEL_INFO] = LOG_INFO,
		[LOG_LEVEL_WARNING] = LOG_WARNING,
		[LOG_LEVEL_ERROR] = LOG_ERR,
	};
	char msg[2048], line[2200], stamp[32];
	struct timeval tv;
	struct tm tm;
	int n;

	if (level < log_threshold)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	flatten(msg);
	if (log_to_syslog) {
		syslog(syslog_priority[level], "%s: %s", level_names[level],
		    msg);
		return;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ ismsd[%ld] %s: %s\n",
	    stamp, (long)(tv.tv_usec / 1000), log_pid,
	    level_names[level], msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

#define LOG_FUNCTION(name, level)                                          \
	void name(const char *fmt, ...)                                    \
	{                                                                  \
		va_list ap;                                                \
		va_start(ap, fmt);                                         \
		log_emit(level, fmt, ap);                                  \
		va_end(ap);                                                \
	}

LOG_FUNCTION(log_debug, LOG_LEVEL_DEBUG)
LOG_FUNCTION(log_info, LOG_LEVEL_INFO)
LOG_FUNCTION(log_warn, LOG_LEVEL_WARNING)
LOG_FUNCTION(log_error, LOG_LEVEL_ERROR)

char *
log_escape(char *dst, size_t len, const char *src)
{
	size_t i;

	if (len == 0)
		return dst;
	for (i = 0; i + 1 < len && src != NULL && src[i] != '\0'; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	dst[i] = '\0';
	return dst;
}
