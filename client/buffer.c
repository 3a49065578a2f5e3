#include "buffer.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buffer_init(struct buffer *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

/* Makes room for extra more bytes plus the trailing NUL. */
static int
buffer_reserve(struct buffer *buf, size_t extra)
{
	size_t need;
	size_t cap;
	char *data;

	if (extra > SIZE_MAX - buf->len - 1)
		return -1;
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap > 0 ? buf->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	data = realloc(buf->data, cap);
	if (data == NULL)
		return -1;
	buf->data = data;
	buf->cap = cap;
	return 0;
}

int
buffer_append(struct buffer *buf, const void *data, size_t len)
{
	if (buffer_reserve(buf, len) != 0)
		return -1;
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return 0;
}

int
buffer_append_str(struct buffer *buf, const char *text)
{
	return buffer_append(buf, text, strlen(text));
}

int
buffer_appendf(struct buffer *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buffer_reserve(buf, (size_t)n) != 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	buf->len += (size_t)n;
	return 0;
}

char *
buffer_take(struct buffer *buf)
{
	char *data;

	if (buffer_reserve(buf, 0) != 0)
		return NULL;
	buf->data[buf->len] = '\0';
	data = buf->data;
	buffer_init(buf);
	return data;
}

void
buffer_free(struct buffer *buf)
{
	free(buf->data);
	buffer_init(buf);
}
