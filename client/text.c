#include "text.h"

#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "..."
#define ELLIPSIS_WIDTH 3

char *
text_clean(const char *text)
{
	size_t len = strlen(text);
	size_t in = 0;
	size_t out = 0;
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	while (in < len) {
		unsigned char c = (unsigned char)text[in];
		unsigned char next = (unsigned char)text[in + 1];

		if (c < 0x20 || c == 0x7f) {
			copy[out++] = ' ';
			in++;
		} else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
			/* U+0080 to U+009F, the C1 controls, such as CSI. */
			copy[out++] = ' ';
			in += 2;
		} else {
			copy[out++] = (char)c;
			in++;
		}
	}
	copy[out] = '\0';
	return copy;
}

/* True for a byte that starts a UTF-8 sequence or is plain ASCII. */
static int
starts_code_point(unsigned char c)
{
	return (c & 0xc0) != 0x80;
}

size_t
text_width(const char *text)
{
	size_t width = 0;

	for (; *text != '\0'; text++)
		if (starts_code_point((unsigned char)*text))
			width++;
	return width;
}

/* Returns the byte length of the first count code points of text. */
static size_t
prefix_bytes(const char *text, size_t count)
{
	size_t i = 0;
	size_t seen = 0;

	for (; text[i] != '\0'; i++) {
		if (starts_code_point((unsigned char)text[i])) {
			if (seen == count)
				break;
			seen++;
		}
	}
	return i;
}

char *
text_fit(const char *text, size_t width)
{
	char *clean = text_clean(text);
	char *fitted;
	size_t keep;
	const char *tail;

	if (clean == NULL || text_width(clean) <= width)
		return clean;
	if (width > ELLIPSIS_WIDTH) {
		keep = prefix_bytes(clean, width - ELLIPSIS_WIDTH);
		while (keep > 0 && clean[keep - 1] == ' ')
			keep--;
		tail = ELLIPSIS;
	} else {
		keep = prefix_bytes(clean, width);
		tail = "";
	}
	fitted = malloc(keep + strlen(tail) + 1);
	if (fitted != NULL) {
		memcpy(fitted, clean, keep);
		memcpy(fitted + keep, tail, strlen(tail) + 1);
	}
	free(clean);
	return fitted;
}
