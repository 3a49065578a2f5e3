/*
 * Growable byte buffer. After any successful append, data is followed by a
 * NUL byte, so text in it can be read as a C string.
 */
#ifndef ISMSCTL_BUFFER_H
#define ISMSCTL_BUFFER_H

#include <stddef.h>

struct buffer {
	char *data; /* NULL until the first append */
	size_t len; /* bytes stored, not counting the trailing NUL */
	size_t cap; /* bytes allocated */
};

void buffer_init(struct buffer *buf);

/* Appends len bytes. Returns 0, or -1 when memory runs out. */
int buffer_append(struct buffer *buf, const void *data, size_t len);
int buffer_append_str(struct buffer *buf, const char *text);
int buffer_appendf(struct buffer *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Hands the contents over as a NUL-terminated string (an empty one when
 * nothing was appended) and leaves buf empty. Returns NULL when memory
 * runs out. The caller frees the string.
 */
char *buffer_take(struct buffer *buf);

void buffer_free(struct buffer *buf);

#endif
