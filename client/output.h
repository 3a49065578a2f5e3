/*
 * Output helpers shared by the commands: JSON values as display text,
 * "label: value" blocks, raw bodies, and atomic writes of export files.
 */
#ifndef ISMSCTL_OUTPUT_H
#define ISMSCTL_OUTPUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* One line of a label and value block. */
struct output_field {
	const char *label; /* shown text, such as "next review at" */
	const char *key;   /* member of the JSON object */
};

/*
 * Returns the display text of a JSON value: TABLE_NULL for NULL or null,
 * "yes" or "no" for a boolean, numbers in decimal, strings with control
 * characters replaced, and array items joined by ", " (TABLE_NULL when
 * empty). Returns NULL when memory runs out. The caller frees the text.
 */
char *output_text(const json_t *value);

/*
 * Returns the text of object's member key, as output_text() does, so an
 * absent member and a NULL object both give TABLE_NULL.
 */
char *output_member_text(const json_t *object, const char *key);

/*
 * Prints "label:" and the value for each field up to the one whose label
 * is NULL, with the values aligned and each line starting with indent. An
 * array of strings gets one line per item. Returns 0, or -1 when memory
 * runs out.
 */
int output_fields(FILE *out, const json_t *object,
    const struct output_field *fields, const char *indent);

/* Prints body to stdout, adding a newline when it does not end with one. */
void output_raw(const char *body, size_t len);

/*
 * Replaces the file at path with data: writes a temporary file with mode
 * 0600 in the same directory, syncs it and renames it over path, so a
 * reader sees the old or the new content, never a partial file. Returns
 * 0, or -1 with a message in err, and then leaves no temporary file.
 */
int output_write_file_atomic(
    const char *path, const char *data, size_t len, char *err, size_t errlen);

#endif
