/*
 * Measure texts from a Markdown document with one "## REF" heading per
 * measure, such as the organisation's own copy of the BIO2 measures. The
 * texts are not shipped with ismsd because their licence is unclear.
 */
#ifndef ISMSD_CATALOGUE_TEXT_H
#define ISMSD_CATALOGUE_TEXT_H

#include <stddef.h>

/* Receives one measure; returns 0 to go on or -1 to stop the parse. */
typedef int (*catalogue_text_cb)(void *arg, const char *ref,
    const char *body);

/*
 * Calls cb for every level-2 heading whose text is a dotted ref, with the
 * text up to the next heading. HTML line breaks ("<br>") become line
 * breaks and blank lines around the text are dropped. Returns the number
 * of measures, or -1 with a message in err when cb stops or none is found.
 */
int catalogue_text_parse(const char *text, catalogue_text_cb cb, void *arg,
    char *err, size_t errlen);

/*
 * Writes the first line of body to out as a title, cut at a word boundary
 * with "..." when it is longer than outlen - 1 bytes.
 */
void catalogue_text_title(const char *body, char *out, size_t outlen);

#endif
