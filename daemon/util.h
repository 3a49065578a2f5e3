/* Small helpers shared by the daemon modules. */
#ifndef ISMSD_UTIL_H
#define ISMSD_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Allocators that abort with a log line on failure: running out of memory
 * for our own small buffers leaves no sane way to reply to the request.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
char *xstrdup(const char *s);

/* Writes the lowercase hex form of len bytes to out (2 * len + 1 bytes). */
void hex_encode(const unsigned char *in, size_t len, char *out);

/*
 * Parses a whole decimal integer within [min, max]. Returns 0, or -1 when
 * s is empty, has trailing characters or is out of range.
 */
int parse_long(const char *s, long min, long max, long *out);

/* True when word is one of the space-separated words in list. */
int word_in_list(const char *list, const char *word);

/* Milliseconds from a monotonic clock, for durations. */
int64_t monotonic_ms(void);

#endif
