#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t size)
{
	void *p;

	p = malloc(size == 0 ? 1 : size);
	if (p == NULL) {
		log_error("out of memory allocating %zu bytes", size);
		abort();
	}
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p;

	p = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
	if (p == NULL) {
		log_error("out of memory allocating %zu x %zu bytes", count,
		    size);
		abort();
	}
	return p;
}

char *
xstrdup(const char *s)
{
	size_t len;
	char *p;

	len = strlen(s);
	p = xmalloc(len + 1);
	memcpy(p, s, len + 1);
	return p;
}

void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* strtol alone would also take leading spaces and a plus sign. */
	if (s == NULL || !(isdigit((unsigned char)s[0]) ||
	    (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
word_in_list(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while (len > 0 && (p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}
