/*
 * Terminal-safe text from the server: control characters removed, width
 * counted in code points, truncation on code point boundaries. Input is
 * UTF-8, which jansson guarantees for every decoded JSON string.
 */
#ifndef ISMSCTL_TEXT_H
#define ISMSCTL_TEXT_H

#include <stddef.h>

/*
 * Returns a copy of text in which every C0 and C1 control character
 * (tab, newline and escape included) is replaced by one space, so that
 * server data cannot move the cursor or break a table row. Returns NULL
 * when memory runs out. The caller frees the copy.
 */
char *text_clean(const char *text);

/*
 * Returns the number of code points in UTF-8 text.
 * NOTE: East Asian wide characters and combining marks count as one
 * column each, so a table with them can be misaligned.
 */
size_t text_width(const char *text);

/*
 * Returns a cleaned copy of text that is at most width code points wide.
 * Longer text is cut, loses the spaces before the cut and ends with "...".
 * Returns NULL when memory runs out. The caller frees the copy.
 */
char *text_fit(const char *text, size_t width);

#endif
