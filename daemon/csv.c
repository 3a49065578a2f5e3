#include <string.h>

#include "csv.h"

void
csv_field(struct evbuffer *buf, const char *value, int first)
{
	const char *p;
	int quote, guard;

	if (!first)
		evbuffer_add(buf, ",", 1);
	if (value == NULL || *value == '\0')
		return;
	guard = strchr("=+-@\t\r", value[0]) != NULL;
	quote = strpbrk(value, ",\"\r\n") != NULL;
	if (quote)
		evbuffer_add(buf, "\"", 1);
	if (guard)
		evbuffer_add(buf, "'", 1);
	for (p = value; *p != '\0'; p++) {
		if (*p == '"')
			evbuffer_add(buf, "\"\"", 2);
		else
			evbuffer_add(buf, p, 1);
	}
	if (quote)
		evbuffer_add(buf, "\"", 1);
}

void
csv_end_row(struct evbuffer *buf)
{
	evbuffer_add(buf, "\r\n", 2);
}
