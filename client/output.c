#include "output.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "table.h"
#include "text.h"

static char *
array_text(const json_t *array)
{
	struct buffer text;
	size_t i;
	json_t *item;

	if (json_array_size(array) == 0)
		return strdup(TABLE_NULL);
	buffer_init(&text);
	json_array_foreach(array, i, item)
	{
		char *item_text = output_text(item);
		int ret;

		if (item_text == NULL)
			goto fail;
		ret =
		    buffer_appendf(&text, "%s%s", i > 0 ? ", " : "", item_text);
		free(item_text);
		if (ret != 0)
			goto fail;
	}
	return buffer_take(&text);
fail:
	buffer_free(&text);
	return NULL;
}

char *
output_text(const json_t *value)
{
	char number[64];
	char *dump;
	char *clean;

	switch (value != NULL ? json_typeof(value) : JSON_NULL) {
	case JSON_STRING:
		return text_clean(json_string_value(value));
	case JSON_TRUE:
		return strdup("yes");
	case JSON_FALSE:
		return strdup("no");
	case JSON_INTEGER:
		snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(value));
		return strdup(number);
	case JSON_REAL:
		snprintf(number, sizeof(number), "%g", json_real_value(value));
		return strdup(number);
	case JSON_ARRAY:
		return array_text(value);
	case JSON_OBJECT:
		dump = json_dumps(value, JSON_COMPACT);
		if (dump == NULL)
			return NULL;
		clean = text_clean(dump);
		free(dump);
		return clean;
	case JSON_NULL:
	default:
		return strdup(TABLE_NULL);
	}
}

char *
output_member_text(const json_t *object, const char *key)
{
	return output_text(json_object_get(object, key));
}

static int
print_field(FILE *out, const char *indent, const char *label, int width,
    const json_t *value)
{
	size_t i;
	json_t *item;
	char *text;

	if (json_is_array(value) && json_array_size(value) > 0) {
		json_array_foreach(value, i, item)
		{
			text = output_text(item);
			if (text == NULL)
				return -1;
			fprintf(out, "%s%-*s  %s\n", indent, width,
			    i == 0 ? label : "", text);
			free(text);
		}
		return 0;
	}
	text = output_text(value);
	if (text == NULL)
		return -1;
	fprintf(out, "%s%-*s  %s\n", indent, width, label, text);
	free(text);
	return 0;
}

int
output_fields(FILE *out, const json_t *object,
    const struct output_field *fields, const char *indent)
{
	const struct output_field *field;
	char label[64];
	int width = 0;

	for (field = fields; field->label != NULL; field++) {
		int len = (int)strlen(field->label) + 1;

		if (len > width)
			width = len;
	}
	for (field = fields; field->label != NULL; field++) {
		snprintf(label, sizeof(label), "%s:", field->label);
		if (print_field(out, indent, label, width,
			json_object_get(object, field->key)) != 0)
			return -1;
	}
	return 0;
}

void
output_raw(const char *body, size_t len)
{
	fwrite(body, 1, len, stdout);
	if (len == 0 || body[len - 1] != '\n')
		fputc('\n', stdout);
}

static int
write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
output_write_file_atomic(
    const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	struct buffer temp;
	bool created = false;
	int fd = -1;
	int ret = -1;

	buffer_init(&temp);
	if (buffer_appendf(&temp, "%s.XXXXXX", path) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = mkstemp(temp.data);
	if (fd < 0) {
		snprintf(err, errlen,
		    "cannot create a temporary file next "
		    "to %s: %s",
		    path, strerror(errno));
		goto out;
	}
	created = true;
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", temp.data,
		    strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", temp.data,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(temp.data, path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", temp.data,
		    path, strerror(errno));
		goto out;
	}
	created = false;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(temp.data);
	buffer_free(&temp);
	return ret;
}
