#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "catalogue_text.h"
#include "util.h"

/* Returns the ref of a "## REF" line, copied into ref, or NULL. */
static const char *
heading_ref(const char *line, size_t len, char *ref, size_t reflen)
{
	int parts[CATALOGUE_MAX_REF_PARTS];
	size_t n;

	if (len < 4 || strncmp(line, "## ", 3) != 0)
		return NULL;
	line += 3;
	len -= 3;
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	n = len < reflen ? len : reflen - 1;
	memcpy(ref, line, n);
	ref[n] = '\0';
	if (n != len ||
	    catalogue_ref_parts(ref, parts, CATALOGUE_MAX_REF_PARTS) < 0)
		return NULL;
	return ref;
}

/* Appends line to body, turning every "<br>" into a line break. */
static void
append_line(char **body, size_t *used, size_t *cap, const char *line,
    size_t len)
{
	size_t i;

	if (*cap - *used < len + 2) {
		*cap = (*used + len + 2) * 2;
		*body = realloc(*body, *cap);
		if (*body == NULL)
			abort();
	}
	for (i = 0; i < len; i++) {
		if (len - i >= 4 && strncmp(line + i, "<br>", 4) == 0) {
			(*body)[(*used)++] = '\n';
			i += 3;
			continue;
		}
		/* Drop control characters an editor or a copy left in. */
		if (line[i] == '\t' ||
		    ((unsigned char)line[i] >= 0x20 && line[i] != 0x7f))
			(*body)[(*used)++] = line[i];
	}
	(*body)[(*used)++] = '\n';
	(*body)[*used] = '\0';
}

/*
 * Drops leading and trailing blank lines and spaces, and folds runs of
 * blank lines into one ("<br><br>" at the end of a line makes two).
 */
static char *
trim_body(char *body)
{
	size_t len, in, out = 0;

	for (in = 0; body[in] != '\0'; in++) {
		if (body[in] == '\n' && out >= 2 && body[out - 1] == '\n' &&
		    body[out - 2] == '\n')
			continue;
		body[out++] = body[in];
	}
	body[out] = '\0';
	while (*body == '\n' || *body == ' ')
		body++;
	len = strlen(body);
	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == ' '))
		body[--len] = '\0';
	return body;
}

static int
emit(catalogue_text_cb cb, void *arg, const char *ref, char *body,
    char *err, size_t errlen)
{
	if (cb(arg, ref, body != NULL ? trim_body(body) : "") < 0) {
		snprintf(err, errlen, "storing the text of %s failed", ref);
		return -1;
	}
	return 0;
}

int
catalogue_text_parse(const char *text, catalogue_text_cb cb, void *arg,
    char *err, size_t errlen)
{
	char ref[64] = "", *body = NULL;
	size_t used = 0, cap = 0, len;
	const char *line, *next;
	int count = 0, in_measure = 0, rc = 0;

	for (line = text; *line != '\0' && rc == 0; line = next) {
		next = strchr(line, '\n');
		len = next != NULL ? (size_t)(next - line) : strlen(line);
		next = next != NULL ? next + 1 : line + len;
		/* Deeper headings ("### ...") belong to the measure text. */
		if (line[0] == '#' && (len < 3 || strncmp(line, "###", 3) != 0)) {
			if (in_measure) {
				rc = emit(cb, arg, ref, body, err, errlen);
				count++;
			}
			in_measure = heading_ref(line, len, ref,
			    sizeof(ref)) != NULL;
			used = 0;
			if (body != NULL)
				body[0] = '\0';
			continue;
		}
		if (in_measure)
			append_line(&body, &used, &cap, line, len);
	}
	if (rc == 0 && in_measure) {
		rc = emit(cb, arg, ref, body, err, errlen);
		count++;
	}
	free(body);
	if (rc < 0)
		return -1;
	if (count == 0) {
		snprintf(err, errlen, "no \"## REF\" headings found; expected "
		    "one heading such as \"## 5.01.01\" per measure");
		return -1;
	}
	return count;
}

void
catalogue_text_title(const char *body, char *out, size_t outlen)
{
	size_t len = strcspn(body, "\n"), cut;

	if (outlen == 0)
		return;
	if (len < outlen) {
		memcpy(out, body, len);
		out[len] = '\0';
		return;
	}
	/* Leave room for "..." and cut at the last space before it. */
	cut = outlen > 4 ? outlen - 4 : 0;
	while (cut > 0 && body[cut] != ' ')
		cut--;
	if (cut == 0)
		cut = outlen > 4 ? outlen - 4 : 0;
	/* Do not split a UTF-8 sequence. */
	while (cut > 0 && ((unsigned char)body[cut] & 0xc0) == 0x80)
		cut--;
	memcpy(out, body, cut);
	snprintf(out + cut, outlen - cut, "...");
}
