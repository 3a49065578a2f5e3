#include "message.h"

#include <stdarg.h>
#include <stdio.h>

void
msg_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ismsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
msg_warning(const char *fmt, ...)
{
	va_list ap;

	fputs("ismsctl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
msg_note(const char *fmt, ...)
{
	va_list ap;

	fputs("ismsctl: note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
