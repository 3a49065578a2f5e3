/*
 * Catalogue files: strict parsing with jansson, and an idempotent store
 * with libpq that adds and updates catalogue rows but never changes or
 * removes an SoA entry. controls/README.md describes the file format.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalogue.h"
#include "log.h"

#define CATALOGUE_FORMAT "ismsd-catalogue/1"

/*
 * Limits that keep a damaged file from exhausting memory or flooding the
 * database. The shipped files stay far below them, and
 * controls/README.md lists them.
 */
#define MAX_FILE_BYTES (4 * 1024 * 1024)
#define MAX_CONTROLS 10000
#define MAX_CATEGORIES 16
#define MAX_ID_BYTES 64
#define MAX_NAME_BYTES 200
#define MAX_VERSION_BYTES 32
#define MAX_SOURCE_BYTES 1000
#define MAX_TITLE_BYTES 500
#define MAX_CATEGORY_BYTES 64

/* Nine digits always fit an int, so a ref part cannot overflow. */
#define REF_PART_MAX_DIGITS 9
#define MAX_REF_BYTES (CATALOGUE_MAX_REF_PARTS * (REF_PART_MAX_DIGITS + 1))

/*
 * Advisory lock key that serialises catalogue loads, so that two daemons
 * starting against one database do not interleave their upserts. The
 * audit chain trigger in sql/001_foundation.sql uses 7262348100.
 */
#define LOAD_LOCK_KEY "7262348101"

/*
 * Buffer sizes for error messages: a parent such as "controls[9999]", a
 * member path below it and a quoted value.
 */
#define PARENT_BYTES 40
#define PATH_BYTES 128
#define QUOTE_MAX 60
#define QUOTE_BYTES (QUOTE_MAX + 8)

static const char *const top_members[] = {
    "format", "framework", "controls", NULL};
static const char *const framework_members[] = {
    "id", "name", "version", "published", "maps_to", "source", NULL};
static const char *const control_members[] = {"ref", "title", "theme",
    "new_in_2022", "status", "iso_control", "moved_to", "categories", NULL};
static const char *const themes[] = {
    "organizational", "people", "physical", "technological", NULL};
static const char *const statuses[] = {
    "active", "no_government_measure", "moved", "lapsed", NULL};

/* A control's ref split into numbers, for the duplicate check. */
struct ref_key {
	int parts[CATALOGUE_MAX_REF_PARTS];
	int nparts;
	size_t position;
};

/* One catalogue file of a directory load. */
struct catalogue_file {
	char *path;
	struct catalogue *cat;
	size_t unlisted;
};

/* A growing NUL-terminated string for PostgreSQL array literals. */
struct text_buf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
};

static void set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Puts "prefix: " in front of the message already in err. */
static void
prefix_error(char *err, size_t errlen, const char *prefix)
{
	char *message;

	if (err == NULL || errlen == 0)
		return;
	message = strdup(err);
	if (message == NULL)
		return;
	snprintf(err, errlen, "%s: %s", prefix, message);
	free(message);
}

/*
 * Copies s into buf for an error message: control characters become '?'
 * so that a file cannot forge log lines, and text past QUOTE_MAX bytes is
 * cut at a UTF-8 character boundary and marked with "...".
 */
static const char *
sanitize(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s), i;
	int cut = 0;

	if (len < QUOTE_MAX + 4)
		return "";
	if (n > QUOTE_MAX) {
		n = QUOTE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		cut = 1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (cut) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static const char *
json_type_name(const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "an unknown type";
}

/* Writes parent.key (or key at the top level) into buf. */
static const char *
member_path(char *buf, size_t len, const char *parent, const char *key)
{
	char safe[QUOTE_BYTES];

	sanitize(safe, sizeof(safe), key);
	if (parent[0] == '\0')
		snprintf(buf, len, "%s", safe);
	else
		snprintf(buf, len, "%s.%s", parent, safe);
	return buf;
}

static int
is_one_of(const char *value, const char *const *allowed)
{
	size_t i;

	for (i = 0; allowed[i] != NULL; i++) {
		if (strcmp(value, allowed[i]) == 0)
			return 1;
	}
	return 0;
}

static int
check_members(json_t *object, const char *parent, const char *const *allowed,
    char *err, size_t errlen)
{
	const char *key;
	void *iter;
	char path[PATH_BYTES];

	for (iter = json_object_iter(object); iter != NULL;
	     iter = json_object_iter_next(object, iter)) {
		key = json_object_iter_key(iter);
		if (!is_one_of(key, allowed)) {
			set_error(err, errlen, "%s: unknown member",
			    member_path(path, sizeof(path), parent, key));
			return -1;
		}
	}
	return 0;
}

static int
check_enum(const char *path, const char *value, const char *const *allowed,
    char *err, size_t errlen)
{
	char quoted[QUOTE_BYTES], list[200] = "";
	size_t i, used = 0;

	if (is_one_of(value, allowed))
		return 0;
	for (i = 0; allowed[i] != NULL && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s",
		    i > 0 ? ", " : "", allowed[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	set_error(err, errlen, "%s: \"%s\" is not one of %s", path,
	    sanitize(quoted, sizeof(quoted), value), list);
	return -1;
}

/*
 * Checks a string value: not empty, at most max bytes, and no control
 * characters, because every string of the format is a single line.
 */
static int
check_text(
    const char *path, const char *s, size_t max, char *err, size_t errlen)
{
	size_t len = strlen(s), i;

	if (len == 0) {
		set_error(err, errlen, "%s: must not be empty", path);
		return -1;
	}
	if (len > max) {
		set_error(err, errlen, "%s: longer than %zu bytes", path, max);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			set_error(err, errlen,
			    "%s: contains a control character", path);
			return -1;
		}
	}
	return 0;
}

/*
 * Copies the string member key of object into *out. An absent or null
 * member gives NULL, which is an error when required. Caller frees *out.
 */
static int
get_string(json_t *object, const char *parent, const char *key, int required,
    size_t max, char **out, char *err, size_t errlen)
{
	json_t *value = json_object_get(object, key);
	char path[PATH_BYTES];

	*out = NULL;
	member_path(path, sizeof(path), parent, key);
	if (value == NULL && required) {
		set_error(err, errlen, "%s: missing", path);
		return -1;
	}
	if ((value == NULL || json_is_null(value)) && !required)
		return 0;
	if (!json_is_string(value)) {
		set_error(err, errlen, "%s: expected a string, got %s", path,
		    json_type_name(value));
		return -1;
	}
	if (check_text(path, json_string_value(value), max, err, errlen) == -1)
		return -1;
	*out = strdup(json_string_value(value));
	if (*out == NULL) {
		set_error(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

int
catalogue_ref_parts(const char *ref, int *parts, size_t max)
{
	const char *p = ref;
	size_t n = 0;

	if (ref == NULL || parts == NULL)
		return -1;
	if (max > INT_MAX)
		max = INT_MAX;
	for (;;) {
		size_t digits = strspn(p, "0123456789");
		char *end;
		long value;

		if (digits == 0 || digits > REF_PART_MAX_DIGITS || n == max)
			return -1;
		/* strspn() has rejected the sign and blanks strtol() allows. */
		errno = 0;
		value = strtol(p, &end, 10);
		if (errno != 0 || end != p + digits || value > INT_MAX)
			return -1;
		parts[n++] = (int)value;
		p = end;
		if (*p == '\0')
			break;
		if (*p != '.')
			return -1;
		p++;
	}
	return (int)n;
}

static int
compare_parts(const int *a, int na, const int *b, int nb)
{
	int i;

	for (i = 0; i < na && i < nb; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return (na > nb) - (na < nb);
}

int
catalogue_ref_compare(const char *a, const char *b)
{
	int pa[CATALOGUE_MAX_REF_PARTS], pb[CATALOGUE_MAX_REF_PARTS];
	int na, nb, order;

	na = catalogue_ref_parts(a, pa, CATALOGUE_MAX_REF_PARTS);
	nb = catalogue_ref_parts(b, pb, CATALOGUE_MAX_REF_PARTS);
	if (na == -1 || nb == -1) {
		if (na != nb)
			return na == -1 ? 1 : -1;
		if (a == NULL || b == NULL)
			return (a == NULL) - (b == NULL);
		return strcmp(a, b);
	}
	order = compare_parts(pa, na, pb, nb);
	return order != 0 ? order : strcmp(a, b);
}

/*
 * Validates and copies a ref member: digits separated by single dots, at
 * most CATALOGUE_MAX_REF_PARTS numbers. key->parts gets the numbers when
 * key is not NULL.
 */
static int
get_ref(json_t *object, const char *parent, const char *name, int required,
    char **out, struct ref_key *key, char *err, size_t errlen)
{
	int parts[CATALOGUE_MAX_REF_PARTS], n;
	char path[PATH_BYTES], quoted[QUOTE_BYTES];

	if (get_string(object, parent, name, required, MAX_REF_BYTES, out, err,
		errlen) == -1)
		return -1;
	if (*out == NULL)
		return 0;
	n = catalogue_ref_parts(*out, parts, CATALOGUE_MAX_REF_PARTS);
	if (n == -1) {
		set_error(err, errlen,
		    "%s: \"%s\" is not a ref: expected up to %d numbers "
		    "of 1-%d digits separated by single dots, such as 5.10",
		    member_path(path, sizeof(path), parent, name),
		    sanitize(quoted, sizeof(quoted), *out),
		    CATALOGUE_MAX_REF_PARTS, REF_PART_MAX_DIGITS);
		return -1;
	}
	if (key != NULL) {
		memcpy(key->parts, parts, sizeof(parts));
		key->nparts = n;
	}
	return 0;
}

/*
 * Checks a framework id: a lowercase letter or digit, then up to 63
 * lowercase letters, digits, dots or hyphens, as the CHECK constraint on
 * framework.id requires.
 */
static int
check_framework_id(const char *path, const char *id, char *err, size_t errlen)
{
	size_t len = strlen(id), i;
	char quoted[QUOTE_BYTES];
	int ok = len >= 1 && len <= MAX_ID_BYTES;

	for (i = 0; ok && i < len; i++) {
		char c = id[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		ok = alnum || (i > 0 && (c == '.' || c == '-'));
	}
	if (ok)
		return 0;
	set_error(err, errlen,
	    "%s: \"%s\" is not a framework id: expected a lowercase letter "
	    "or digit, then up to 63 lowercase letters, digits, dots or "
	    "hyphens",
	    path, sanitize(quoted, sizeof(quoted), id));
	return -1;
}

static int
digits_value(const char *s, size_t n)
{
	int value = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	return value;
}

/* Accepts a calendar date written YYYY-MM-DD, from year 1 on. */
static int
is_valid_date(const char *s)
{
	static const int month_days[] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year, month, day, leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	year = digits_value(s, 4);
	month = digits_value(s + 5, 2);
	day = digits_value(s + 8, 2);
	if (year < 1 || month < 1 || month > 12 || day < 1)
		return 0;
	if (day > month_days[month - 1])
		return 0;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return !(month == 2 && day == 29 && !leap);
}

static int
parse_framework(json_t *root, struct catalogue *cat, char *err, size_t errlen)
{
	json_t *fw = json_object_get(root, "framework");
	char quoted[QUOTE_BYTES];

	if (fw == NULL) {
		set_error(err, errlen, "framework: missing");
		return -1;
	}
	if (!json_is_object(fw)) {
		set_error(err, errlen, "framework: expected an object, got %s",
		    json_type_name(fw));
		return -1;
	}
	if (check_members(fw, "framework", framework_members, err, errlen) ==
	    -1)
		return -1;
	if (get_string(fw, "framework", "id", 1, MAX_ID_BYTES, &cat->id, err,
		errlen) == -1 ||
	    check_framework_id("framework.id", cat->id, err, errlen) == -1)
		return -1;
	if (get_string(fw, "framework", "name", 1, MAX_NAME_BYTES, &cat->name,
		err, errlen) == -1)
		return -1;
	if (get_string(fw, "framework", "version", 1, MAX_VERSION_BYTES,
		&cat->version, err, errlen) == -1)
		return -1;
	if (get_string(fw, "framework", "published", 0, MAX_ID_BYTES,
		&cat->published, err, errlen) == -1)
		return -1;
	if (cat->published != NULL && !is_valid_date(cat->published)) {
		set_error(err, errlen,
		    "framework.published: \"%s\" is not a date in the form "
		    "YYYY-MM-DD",
		    sanitize(quoted, sizeof(quoted), cat->published));
		return -1;
	}
	if (get_string(fw, "framework", "maps_to", 0, MAX_ID_BYTES,
		&cat->maps_to, err, errlen) == -1)
		return -1;
	if (cat->maps_to != NULL) {
		if (check_framework_id(
			"framework.maps_to", cat->maps_to, err, errlen) == -1)
			return -1;
		if (strcmp(cat->maps_to, cat->id) == 0) {
			set_error(err, errlen,
			    "framework.maps_to: a framework cannot map to "
			    "itself");
			return -1;
		}
	}
	return get_string(fw, "framework", "source", 0, MAX_SOURCE_BYTES,
	    &cat->source, err, errlen);
}

static int
parse_categories(json_t *object, const char *parent,
    struct catalogue_control *c, char *err, size_t errlen)
{
	json_t *list = json_object_get(object, "categories");
	char path[PATH_BYTES];
	size_t i, j;

	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		set_error(err, errlen,
		    "%s.categories: expected an array, got %s", parent,
		    json_type_name(list));
		return -1;
	}
	if (json_array_size(list) > MAX_CATEGORIES) {
		set_error(err, errlen, "%s.categories: more than %d categories",
		    parent, MAX_CATEGORIES);
		return -1;
	}
	if (json_array_size(list) == 0)
		return 0;
	c->categories = calloc(json_array_size(list), sizeof(char *));
	if (c->categories == NULL) {
		set_error(err, errlen, "%s.categories: out of memory", parent);
		return -1;
	}
	for (i = 0; i < json_array_size(list); i++) {
		json_t *item = json_array_get(list, i);
		const char *text;

		snprintf(path, sizeof(path), "%s.categories[%zu]", parent, i);
		if (!json_is_string(item)) {
			set_error(err, errlen, "%s: expected a string, got %s",
			    path, json_type_name(item));
			return -1;
		}
		text = json_string_value(item);
		if (check_text(path, text, MAX_CATEGORY_BYTES, err, errlen) ==
		    -1)
			return -1;
		for (j = 0; j < c->ncategories; j++) {
			if (strcmp(c->categories[j], text) == 0) {
				set_error(err, errlen, "%s: duplicate category",
				    path);
				return -1;
			}
		}
		c->categories[c->ncategories] = strdup(text);
		if (c->categories[c->ncategories] == NULL) {
			set_error(err, errlen, "%s: out of memory", path);
			return -1;
		}
		c->ncategories++;
	}
	return 0;
}

/* Reads status and moved_to. Only a moved entry has moved_to, and needs it. */
static int
parse_status(json_t *object, const char *parent, struct catalogue_control *c,
    char *err, size_t errlen)
{
	char path[PATH_BYTES];

	if (get_string(object, parent, "status", 0, MAX_ID_BYTES, &c->status,
		err, errlen) == -1)
		return -1;
	if (c->status == NULL) {
		c->status = strdup("active");
		if (c->status == NULL) {
			set_error(
			    err, errlen, "%s.status: out of memory", parent);
			return -1;
		}
	}
	member_path(path, sizeof(path), parent, "status");
	if (check_enum(path, c->status, statuses, err, errlen) == -1)
		return -1;
	if (get_ref(object, parent, "moved_to", 0, &c->moved_to, NULL, err,
		errlen) == -1)
		return -1;
	if (strcmp(c->status, "moved") == 0 && c->moved_to == NULL) {
		set_error(err, errlen,
		    "%s.moved_to: missing; a moved entry names its new ref",
		    parent);
		return -1;
	}
	if (strcmp(c->status, "moved") != 0 && c->moved_to != NULL) {
		set_error(err, errlen,
		    "%s.moved_to: only allowed when status is \"moved\"",
		    parent);
		return -1;
	}
	if (c->moved_to != NULL && strcmp(c->moved_to, c->ref) == 0) {
		set_error(err, errlen,
		    "%s.moved_to: an entry cannot move to itself", parent);
		return -1;
	}
	return 0;
}

static int
parse_control(json_t *object, size_t position, const struct catalogue *cat,
    struct catalogue_control *c, struct ref_key *key, char *err, size_t errlen)
{
	char parent[PARENT_BYTES], path[PATH_BYTES];
	json_t *flag;

	snprintf(parent, sizeof(parent), "controls[%zu]", position);
	if (!json_is_object(object)) {
		set_error(err, errlen, "%s: expected an object, got %s", parent,
		    json_type_name(object));
		return -1;
	}
	if (check_members(object, parent, control_members, err, errlen) == -1)
		return -1;
	if (get_ref(object, parent, "ref", 1, &c->ref, key, err, errlen) == -1)
		return -1;
	if (get_string(object, parent, "title", 0, MAX_TITLE_BYTES, &c->title,
		err, errlen) == -1)
		return -1;
	flag = json_object_get(object, "new_in_2022");
	if (flag != NULL && !json_is_null(flag) && !json_is_boolean(flag)) {
		set_error(err, errlen,
		    "%s.new_in_2022: expected a boolean, got %s", parent,
		    json_type_name(flag));
		return -1;
	}
	c->new_in_2022 = flag != NULL && json_is_true(flag);
	if (get_ref(object, parent, "iso_control", 0, &c->iso_control, NULL,
		err, errlen) == -1)
		return -1;
	if (cat->maps_to != NULL && c->iso_control == NULL) {
		set_error(err, errlen,
		    "%s.iso_control: missing; every entry needs one because "
		    "framework.maps_to is set",
		    parent);
		return -1;
	}
	if (cat->maps_to == NULL && c->iso_control != NULL) {
		set_error(err, errlen,
		    "%s.iso_control: only allowed when framework.maps_to is "
		    "set",
		    parent);
		return -1;
	}
	if (get_string(object, parent, "theme", 0, MAX_ID_BYTES, &c->theme, err,
		errlen) == -1)
		return -1;
	member_path(path, sizeof(path), parent, "theme");
	if (c->theme == NULL && c->iso_control == NULL) {
		set_error(err, errlen,
		    "%s: missing; required unless iso_control is given", path);
		return -1;
	}
	if (c->theme != NULL &&
	    check_enum(path, c->theme, themes, err, errlen) == -1)
		return -1;
	if (parse_status(object, parent, c, err, errlen) == -1)
		return -1;
	return parse_categories(object, parent, c, err, errlen);
}

static int
compare_keys(const void *a, const void *b)
{
	const struct ref_key *x = a, *y = b;
	int order = compare_parts(x->parts, x->nparts, y->parts, y->nparts);

	if (order != 0)
		return order;
	return (x->position > y->position) - (x->position < y->position);
}

/*
 * Rejects two refs with the same numbers, such as "5.1" twice or "5.1" and
 * "5.01", because they would share one sort_key and one place in the
 * catalogue order.
 */
static int
check_duplicates(
    const struct catalogue *cat, struct ref_key *keys, char *err, size_t errlen)
{
	char quoted[QUOTE_BYTES], first[QUOTE_BYTES];
	size_t i;

	qsort(keys, cat->ncontrols, sizeof(*keys), compare_keys);
	for (i = 1; i < cat->ncontrols; i++) {
		const struct ref_key *a = &keys[i - 1], *b = &keys[i];

		if (compare_parts(a->parts, a->nparts, b->parts, b->nparts) !=
		    0)
			continue;
		set_error(err, errlen,
		    "controls[%zu].ref: \"%s\" duplicates controls[%zu].ref "
		    "\"%s\"",
		    b->position,
		    sanitize(
			quoted, sizeof(quoted), cat->controls[b->position].ref),
		    a->position,
		    sanitize(
			first, sizeof(first), cat->controls[a->position].ref));
		return -1;
	}
	return 0;
}

static int
parse_controls(json_t *root, struct catalogue *cat, char *err, size_t errlen)
{
	json_t *list = json_object_get(root, "controls");
	struct ref_key *keys = NULL;
	size_t i;
	int rc = -1;

	if (list == NULL) {
		set_error(err, errlen, "controls: missing");
		return -1;
	}
	if (!json_is_array(list)) {
		set_error(err, errlen, "controls: expected an array, got %s",
		    json_type_name(list));
		return -1;
	}
	if (json_array_size(list) == 0 ||
	    json_array_size(list) > MAX_CONTROLS) {
		set_error(err, errlen,
		    "controls: expected 1-%d entries, got %zu", MAX_CONTROLS,
		    json_array_size(list));
		return -1;
	}
	cat->controls = calloc(json_array_size(list), sizeof(*cat->controls));
	keys = calloc(json_array_size(list), sizeof(*keys));
	if (cat->controls == NULL || keys == NULL) {
		set_error(err, errlen, "controls: out of memory");
		goto fail;
	}
	for (i = 0; i < json_array_size(list); i++) {
		cat->ncontrols++;
		keys[i].position = i;
		if (parse_control(json_array_get(list, i), i, cat,
			&cat->controls[i], &keys[i], err, errlen) == -1)
			goto fail;
	}
	rc = check_duplicates(cat, keys, err, errlen);
fail:
	free(keys);
	return rc;
}

struct catalogue *
catalogue_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_t *root = NULL, *format;
	json_error_t jerr;
	struct catalogue *cat = NULL;
	char quoted[QUOTE_BYTES];

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		set_error(err, errlen, "invalid JSON at line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		goto fail;
	}
	if (!json_is_object(root)) {
		set_error(err, errlen, "expected a JSON object at the top");
		goto fail;
	}
	if (check_members(root, "", top_members, err, errlen) == -1)
		goto fail;
	format = json_object_get(root, "format");
	if (format == NULL) {
		set_error(err, errlen, "format: missing; expected \"%s\"",
		    CATALOGUE_FORMAT);
		goto fail;
	}
	if (!json_is_string(format)) {
		set_error(err, errlen, "format: expected a string, got %s",
		    json_type_name(format));
		goto fail;
	}
	if (strcmp(json_string_value(format), CATALOGUE_FORMAT) != 0) {
		set_error(err, errlen,
		    "format: unsupported format \"%s\"; expected \"%s\"",
		    sanitize(quoted, sizeof(quoted), json_string_value(format)),
		    CATALOGUE_FORMAT);
		goto fail;
	}
	cat = calloc(1, sizeof(*cat));
	if (cat == NULL) {
		set_error(err, errlen, "out of memory");
		goto fail;
	}
	if (parse_framework(root, cat, err, errlen) == -1 ||
	    parse_controls(root, cat, err, errlen) == -1)
		goto fail;
	json_decref(root);
	return cat;
fail:
	json_decref(root);
	catalogue_free(cat);
	return NULL;
}

/*
 * Reads the whole file into a new buffer, which is not NUL-terminated. A
 * file larger than MAX_FILE_BYTES is an error. Caller frees.
 */
static char *
read_whole_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t used = 0, n;

	f = fopen(path, "rb");
	if (f == NULL) {
		set_error(err, errlen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	text = malloc(MAX_FILE_BYTES + 1);
	if (text == NULL) {
		set_error(err, errlen, "out of memory");
		goto fail;
	}
	while ((n = fread(text + used, 1, MAX_FILE_BYTES + 1 - used, f)) > 0) {
		used += n;
		if (used > MAX_FILE_BYTES) {
			set_error(err, errlen,
			    "larger than the maximum of %d bytes",
			    MAX_FILE_BYTES);
			goto fail;
		}
	}
	if (ferror(f)) {
		set_error(err, errlen, "cannot read: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	*len = used;
	return text;
fail:
	if (f != NULL)
		fclose(f);
	free(text);
	return NULL;
}

struct catalogue *
catalogue_read_file(const char *path, char *err, size_t errlen)
{
	struct catalogue *cat = NULL;
	char *text;
	size_t len = 0;

	text = read_whole_file(path, &len, err, errlen);
	if (text != NULL)
		cat = catalogue_parse(text, len, err, errlen);
	if (cat == NULL)
		prefix_error(err, errlen, path);
	free(text);
	return cat;
}

void
catalogue_free(struct catalogue *cat)
{
	size_t i, j;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->ncontrols; i++) {
		struct catalogue_control *c = &cat->controls[i];

		free(c->ref);
		free(c->title);
		free(c->theme);
		free(c->status);
		free(c->iso_control);
		free(c->moved_to);
		for (j = 0; j < c->ncategories; j++)
			free(c->categories[j]);
		free(c->categories);
	}
	free(cat->controls);
	free(cat->id);
	free(cat->name);
	free(cat->version);
	free(cat->published);
	free(cat->maps_to);
	free(cat->source);
	free(cat);
}

static void
buf_append(struct text_buf *buf, const char *s, size_t n)
{
	size_t cap;
	char *data;

	if (buf->failed)
		return;
	if (buf->len + n + 1 > buf->cap) {
		cap = buf->cap != 0 ? buf->cap : 256;
		while (cap < buf->len + n + 1)
			cap *= 2;
		data = realloc(buf->data, cap);
		if (data == NULL) {
			buf->failed = 1;
			return;
		}
		buf->data = data;
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, s, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
}

/*
 * Appends s as the next element of a PostgreSQL array literal that the
 * caller opened with "{". Every element is double-quoted with " and \
 * escaped, so commas, braces and the word NULL stay plain text.
 */
static void
buf_append_element(struct text_buf *buf, const char *s)
{
	size_t run;

	if (buf->len > 1)
		buf_append(buf, ",", 1);
	buf_append(buf, "\"", 1);
	while (*s != '\0') {
		run = strcspn(s, "\"\\");
		buf_append(buf, s, run);
		s += run;
		if (*s != '\0') {
			buf_append(buf, "\\", 1);
			buf_append(buf, s, 1);
			s++;
		}
	}
	buf_append(buf, "\"", 1);
}

static void
buf_open_array(struct text_buf *buf)
{
	buf->len = 0;
	buf_append(buf, "{", 1);
}

/*
 * Copies the server's primary message (or the connection's message when
 * there is no result) into buf without the trailing newline.
 */
static const char *
db_message(PGconn *conn, const PGresult *res, char *buf, size_t len)
{
	const char *msg = NULL;
	size_t n;

	if (res != NULL)
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (msg == NULL)
		msg = PQerrorMessage(conn);
	snprintf(buf, len, "%s", msg);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

/*
 * Runs one statement. The parameters go as text, and casts in the SQL give
 * their types. Returns the result, which the caller frees with PQclear(),
 * or NULL with "<what> failed: <server message>" in err.
 */
static PGresult *
run(PGconn *conn, const char *sql, int nparams, const char *const *values,
    const char *what, char *err, size_t errlen)
{
	PGresult *res;
	ExecStatusType status;
	char msg[512];

	res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, 0);
	status = PQresultStatus(res);
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return res;
	set_error(err, errlen, "%s failed: %s", what,
	    db_message(conn, res, msg, sizeof(msg)));
	PQclear(res);
	return NULL;
}

static int
run_command(PGconn *conn, const char *sql, int nparams,
    const char *const *values, const char *what, char *err, size_t errlen)
{
	PGresult *res = run(conn, sql, nparams, values, what, err, errlen);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static const char sql_framework_exists[] =
    "SELECT 1 FROM framework WHERE id = $1::text";

static const char sql_upsert_framework[] =
    "INSERT INTO framework (id, name, version, published, maps_to, source, "
    "loaded_at) "
    "VALUES ($1::text, $2::text, $3::text, $4::date, $5::text, $6::text, "
    "now()) "
    "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
    "version = EXCLUDED.version, published = EXCLUDED.published, "
    "maps_to = EXCLUDED.maps_to, source = EXCLUDED.source, "
    "loaded_at = EXCLUDED.loaded_at";

/*
 * A measure ($8 iso_control set) joins its ISO control row for the theme,
 * so it inserts nothing when that row is missing and the caller reports
 * the zero row count. A title that the file leaves null keeps the stored
 * one, which may come from imported measure text. body is never written.
 */
static const char sql_upsert_control[] =
    "INSERT INTO control AS c (framework_id, ref, sort_key, title, theme, "
    "new_in_2022, catalogue_status, iso_control, moved_to, categories) "
    "SELECT $1::text, $2::text, $3::integer[], $4::text, "
    "coalesce($5::text, iso.theme), $6::boolean, $7::text, $8::text, "
    "$9::text, $10::text[] "
    "FROM (VALUES (1)) AS one "
    "LEFT JOIN control AS iso "
    "ON iso.framework_id = $11::text AND iso.ref = $8::text "
    "WHERE $8::text IS NULL OR iso.ref IS NOT NULL "
    "ON CONFLICT (framework_id, ref) DO UPDATE SET "
    "sort_key = EXCLUDED.sort_key, "
    "title = coalesce(EXCLUDED.title, c.title), "
    "theme = EXCLUDED.theme, new_in_2022 = EXCLUDED.new_in_2022, "
    "catalogue_status = EXCLUDED.catalogue_status, "
    "iso_control = EXCLUDED.iso_control, moved_to = EXCLUDED.moved_to, "
    "categories = EXCLUDED.categories";

/* Only the file's own refs, so an entry the file dropped keeps its link. */
static const char sql_delete_mappings[] =
    "DELETE FROM control_mapping "
    "WHERE from_framework = $1::text AND from_ref = ANY ($2::text[])";

static const char sql_insert_mappings[] =
    "INSERT INTO control_mapping (from_framework, from_ref, to_framework, "
    "to_ref, relation) "
    "SELECT $1::text, m.from_ref, $2::text, m.to_ref, 'implements' "
    "FROM unnest($3::text[], $4::text[]) AS m (from_ref, to_ref)";

static const char sql_insert_soa[] =
    "INSERT INTO soa_entry (framework_id, ref) "
    "SELECT $1::text, unnest($2::text[]) "
    "ON CONFLICT (framework_id, ref) DO NOTHING";

static const char sql_unlisted[] =
    "SELECT ref FROM control "
    "WHERE framework_id = $1::text AND NOT (ref = ANY ($2::text[]))";

static int
store_framework(
    PGconn *conn, const struct catalogue *cat, char *err, size_t errlen)
{
	const char *values[6];
	PGresult *res;
	char quoted[QUOTE_BYTES];
	int found;

	if (cat->maps_to != NULL) {
		values[0] = cat->maps_to;
		res = run(conn, sql_framework_exists, 1, values,
		    "looking up framework.maps_to", err, errlen);
		if (res == NULL)
			return -1;
		found = PQntuples(res) > 0;
		PQclear(res);
		if (!found) {
			set_error(err, errlen,
			    "framework.maps_to: framework \"%s\" is not "
			    "loaded; load its catalogue first",
			    sanitize(quoted, sizeof(quoted), cat->maps_to));
			return -1;
		}
	}
	values[0] = cat->id;
	values[1] = cat->name;
	values[2] = cat->version;
	values[3] = cat->published;
	values[4] = cat->maps_to;
	values[5] = cat->source;
	return run_command(conn, sql_upsert_framework, 6, values,
	    "storing the framework", err, errlen);
}

/* Writes the sort_key literal of ref, such as "{5,1,1}" for "5.01.01". */
static int
format_sort_key(const char *ref, char *buf, size_t len)
{
	int parts[CATALOGUE_MAX_REF_PARTS], n, i;
	size_t used;

	n = catalogue_ref_parts(ref, parts, CATALOGUE_MAX_REF_PARTS);
	if (n == -1)
		return -1;
	snprintf(buf, len, "{");
	for (i = 0; i < n; i++) {
		used = strlen(buf);
		snprintf(
		    buf + used, len - used, "%s%d", i > 0 ? "," : "", parts[i]);
	}
	used = strlen(buf);
	snprintf(buf + used, len - used, "}");
	return 0;
}

static int
store_control(PGconn *conn, const struct catalogue *cat, size_t position,
    struct text_buf *categories, char *err, size_t errlen)
{
	const struct catalogue_control *c = &cat->controls[position];
	char sort_key[CATALOGUE_MAX_REF_PARTS * 12 + 3];
	char parent[PARENT_BYTES], what[PATH_BYTES];
	char quoted[QUOTE_BYTES];
	const char *values[11];
	PGresult *res;
	size_t i;
	int stored;

	snprintf(parent, sizeof(parent), "controls[%zu]", position);
	snprintf(what, sizeof(what), "storing %s", parent);
	if (format_sort_key(c->ref, sort_key, sizeof(sort_key)) == -1) {
		set_error(err, errlen, "%s.ref: not a ref", parent);
		return -1;
	}
	buf_open_array(categories);
	for (i = 0; i < c->ncategories; i++)
		buf_append_element(categories, c->categories[i]);
	buf_append(categories, "}", 1);
	if (categories->failed) {
		set_error(err, errlen, "%s.categories: out of memory", parent);
		return -1;
	}
	values[0] = cat->id;
	values[1] = c->ref;
	values[2] = sort_key;
	values[3] = c->title;
	values[4] = c->theme;
	values[5] = c->new_in_2022 ? "true" : "false";
	values[6] = c->status != NULL ? c->status : "active";
	values[7] = c->iso_control;
	values[8] = c->moved_to;
	values[9] = categories->data;
	values[10] = cat->maps_to;
	res = run(conn, sql_upsert_control, 11, values, what, err, errlen);
	if (res == NULL)
		return -1;
	stored = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!stored) {
		set_error(err, errlen,
		    "%s.iso_control: \"%s\" is not a control of framework %s",
		    parent,
		    sanitize(quoted, sizeof(quoted),
			c->iso_control != NULL ? c->iso_control : ""),
		    cat->maps_to != NULL ? cat->maps_to : "(none)");
		return -1;
	}
	return 0;
}

/*
 * The four ref lists that the set-based statements take as array
 * literals: every ref of the file, the refs that get an SoA entry, and
 * the two sides of the mappings.
 */
struct ref_lists {
	struct text_buf all;
	struct text_buf soa;
	struct text_buf from;
	struct text_buf to;
};

static int
build_ref_lists(const struct catalogue *cat, struct ref_lists *lists)
{
	size_t i;

	buf_open_array(&lists->all);
	buf_open_array(&lists->soa);
	buf_open_array(&lists->from);
	buf_open_array(&lists->to);
	for (i = 0; i < cat->ncontrols; i++) {
		const struct catalogue_control *c = &cat->controls[i];
		int active =
		    c->status == NULL || strcmp(c->status, "active") == 0;

		buf_append_element(&lists->all, c->ref);
		/* A framework without maps_to gets an SoA entry for every
		 * control, a mapped framework only for its active measures. */
		if (cat->maps_to == NULL || active)
			buf_append_element(&lists->soa, c->ref);
		if (cat->maps_to != NULL && c->iso_control != NULL) {
			buf_append_element(&lists->from, c->ref);
			buf_append_element(&lists->to, c->iso_control);
		}
	}
	buf_append(&lists->all, "}", 1);
	buf_append(&lists->soa, "}", 1);
	buf_append(&lists->from, "}", 1);
	buf_append(&lists->to, "}", 1);
	return lists->all.failed || lists->soa.failed || lists->from.failed ||
		lists->to.failed
	    ? -1
	    : 0;
}

static int
store_links(PGconn *conn, const struct catalogue *cat,
    const struct ref_lists *lists, size_t *unlisted, char *err, size_t errlen)
{
	const char *values[4];
	PGresult *res;

	values[0] = cat->id;
	values[1] = lists->all.data;
	if (run_command(conn, sql_delete_mappings, 2, values,
		"removing the old mappings", err, errlen) == -1)
		return -1;
	if (cat->maps_to != NULL) {
		values[1] = cat->maps_to;
		values[2] = lists->from.data;
		values[3] = lists->to.data;
		if (run_command(conn, sql_insert_mappings, 4, values,
			"storing the mappings", err, errlen) == -1)
			return -1;
	}
	values[1] = lists->soa.data;
	if (run_command(conn, sql_insert_soa, 2, values,
		"creating the SoA entries", err, errlen) == -1)
		return -1;
	values[1] = lists->all.data;
	res = run(conn, sql_unlisted, 2, values,
	    "counting the controls the file no longer lists", err, errlen);
	if (res == NULL)
		return -1;
	*unlisted = (size_t)PQntuples(res);
	PQclear(res);
	return 0;
}

/*
 * Stores one catalogue and sets *unlisted to the number of stored controls
 * of the framework that the file no longer lists (they are kept).
 */
static int
store_catalogue(PGconn *conn, const struct catalogue *cat, size_t *unlisted,
    char *err, size_t errlen)
{
	struct text_buf categories = {0};
	struct ref_lists lists = {{0}, {0}, {0}, {0}};
	size_t i;
	int rc = -1;

	if (cat == NULL || cat->id == NULL) {
		set_error(err, errlen, "no catalogue to store");
		return -1;
	}
	if (store_framework(conn, cat, err, errlen) == -1)
		goto fail;
	for (i = 0; i < cat->ncontrols; i++) {
		if (store_control(conn, cat, i, &categories, err, errlen) == -1)
			goto fail;
	}
	if (build_ref_lists(cat, &lists) == -1) {
		set_error(err, errlen, "out of memory");
		goto fail;
	}
	rc = store_links(conn, cat, &lists, unlisted, err, errlen);
fail:
	free(categories.data);
	free(lists.all.data);
	free(lists.soa.data);
	free(lists.from.data);
	free(lists.to.data);
	return rc;
}

int
catalogue_store(
    PGconn *conn, const struct catalogue *cat, char *err, size_t errlen)
{
	size_t unlisted = 0;

	return store_catalogue(conn, cat, &unlisted, err, errlen);
}

static int
compare_names(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/*
 * Lists the *.json names in dir in byte order. Names that start with a
 * dot are skipped, because editors keep lock and backup files under such
 * names. Caller frees each name and the array.
 */
static int
list_json_files(
    const char *dir, char ***names, size_t *count, char *err, size_t errlen)
{
	DIR *d = NULL;
	struct dirent *entry;
	char **list = NULL, **grown;
	size_t n = 0, cap = 0, len;

	d = opendir(dir);
	if (d == NULL) {
		set_error(err, errlen, "cannot open catalogue directory %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	for (;;) {
		errno = 0;
		entry = readdir(d);
		if (entry == NULL)
			break;
		len = strlen(entry->d_name);
		if (entry->d_name[0] == '.' || len <= 5 ||
		    strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 8;
			grown = realloc(list, cap * sizeof(*list));
			if (grown == NULL)
				goto nomem;
			list = grown;
		}
		list[n] = strdup(entry->d_name);
		if (list[n] == NULL)
			goto nomem;
		n++;
	}
	if (errno != 0) {
		set_error(err, errlen, "cannot read catalogue directory %s: %s",
		    dir, strerror(errno));
		goto fail;
	}
	closedir(d);
	if (n == 0) {
		set_error(err, errlen,
		    "no *.json catalogue files in %s; set controls_dir to the "
		    "directory with the installed catalogue files",
		    dir);
		free(list);
		return -1;
	}
	qsort(list, n, sizeof(*list), compare_names);
	*names = list;
	*count = n;
	return 0;
nomem:
	set_error(err, errlen, "out of memory");
fail:
	closedir(d);
	while (n > 0)
		free(list[--n]);
	free(list);
	return -1;
}

static size_t
find_framework(const struct catalogue_file *files, size_t n, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < n; i++) {
		if (strcmp(files[i].cat->id, id) == 0)
			return i;
	}
	return SIZE_MAX;
}

static int
has_ref(const struct catalogue *cat, const char *ref)
{
	size_t i;

	for (i = 0; i < cat->ncontrols; i++) {
		if (strcmp(cat->controls[i].ref, ref) == 0)
			return 1;
	}
	return 0;
}

/*
 * Checks what spans files before any write: one file per framework id,
 * and every iso_control present in the mapped framework when that
 * framework is in the same directory.
 */
static int
check_file_set(
    const struct catalogue_file *files, size_t n, char *err, size_t errlen)
{
	char quoted[QUOTE_BYTES];
	size_t i, j, target;

	for (i = 0; i < n; i++) {
		j = find_framework(files, i, files[i].cat->id);
		if (j != SIZE_MAX) {
			set_error(err, errlen,
			    "%s: framework.id: \"%s\" is also the id in %s",
			    files[i].path, files[i].cat->id, files[j].path);
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		const struct catalogue *cat = files[i].cat;

		target = find_framework(files, n, cat->maps_to);
		if (target == SIZE_MAX)
			continue;
		for (j = 0; j < cat->ncontrols; j++) {
			const char *iso = cat->controls[j].iso_control;

			if (has_ref(files[target].cat, iso))
				continue;
			set_error(err, errlen,
			    "%s: controls[%zu].iso_control: \"%s\" is not a "
			    "control of framework %s in %s",
			    files[i].path, j,
			    sanitize(quoted, sizeof(quoted), iso), cat->maps_to,
			    files[target].path);
			return -1;
		}
	}
	return 0;
}

/*
 * Fills order with file positions so that the framework a file maps to
 * comes before that file. A maps_to outside the directory must already be
 * in the database, which store_framework() checks.
 */
static int
order_files(const struct catalogue_file *files, size_t n, size_t *order,
    char *err, size_t errlen)
{
	unsigned char *placed;
	size_t count = 0, before, i, target;

	placed = calloc(n, 1);
	if (placed == NULL) {
		set_error(err, errlen, "out of memory");
		return -1;
	}
	while (count < n) {
		before = count;
		for (i = 0; i < n; i++) {
			if (placed[i])
				continue;
			target =
			    find_framework(files, n, files[i].cat->maps_to);
			if (target != SIZE_MAX && !placed[target])
				continue;
			order[count++] = i;
			placed[i] = 1;
		}
		if (count == before)
			break;
	}
	for (i = 0; count < n && placed[i]; i++)
		;
	free(placed);
	if (count < n) {
		set_error(err, errlen,
		    "%s: framework.maps_to: \"%s\" leads back to framework "
		    "%s; maps_to must not form a cycle",
		    files[i].path, files[i].cat->maps_to, files[i].cat->id);
		return -1;
	}
	return 0;
}

static void
rollback(PGconn *conn)
{
	PGresult *res;

	if (PQtransactionStatus(conn) == PQTRANS_IDLE)
		return;
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
}

/* Stores the files in order in one transaction under the load lock. */
static int
store_files(PGconn *conn, struct catalogue_file *files, const size_t *order,
    size_t n, char *err, size_t errlen)
{
	const char *values[1] = {LOAD_LOCK_KEY};
	size_t i;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		set_error(err, errlen, "no database connection");
		return -1;
	}
	if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
		set_error(err, errlen,
		    "the connection is already in a transaction; the "
		    "catalogue load needs its own");
		return -1;
	}
	if (run_command(conn, "BEGIN", 0, NULL, "BEGIN", err, errlen) == -1)
		return -1;
	if (run_command(conn, "SELECT pg_advisory_xact_lock($1::bigint)", 1,
		values, "taking the catalogue load lock", err, errlen) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		struct catalogue_file *f = &files[order[i]];

		if (store_catalogue(conn, f->cat, &f->unlisted, err, errlen) ==
		    -1) {
			prefix_error(err, errlen, f->path);
			goto fail;
		}
	}
	if (run_command(conn, "COMMIT", 0, NULL, "COMMIT", err, errlen) == -1)
		goto fail;
	return 0;
fail:
	rollback(conn);
	return -1;
}

static void
log_loaded(const struct catalogue_file *f)
{
	if (f->unlisted == 0) {
		log_info("catalogue %s version %s: %zu controls loaded from %s",
		    f->cat->id, f->cat->version, f->cat->ncontrols, f->path);
		return;
	}
	log_info(
	    "catalogue %s version %s: %zu controls loaded from %s; kept %zu "
	    "stored controls that the file no longer lists",
	    f->cat->id, f->cat->version, f->cat->ncontrols, f->path,
	    f->unlisted);
}

static char *
join_path(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
	size_t size = len + strlen(sep) + strlen(name) + 1;
	char *path = malloc(size);

	if (path != NULL)
		snprintf(path, size, "%s%s%s", dir, sep, name);
	return path;
}

int
catalogue_load_dir(PGconn *conn, const char *dir, char *err, size_t errlen)
{
	char **names = NULL;
	struct catalogue_file *files = NULL;
	size_t *order = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (list_json_files(dir, &names, &n, err, errlen) == -1)
		return -1;
	files = calloc(n, sizeof(*files));
	order = calloc(n, sizeof(*order));
	if (files == NULL || order == NULL) {
		set_error(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		files[i].path = join_path(dir, names[i]);
		if (files[i].path == NULL) {
			set_error(err, errlen, "out of memory");
			goto fail;
		}
		files[i].cat = catalogue_read_file(files[i].path, err, errlen);
		if (files[i].cat == NULL)
			goto fail;
	}
	if (check_file_set(files, n, err, errlen) == -1 ||
	    order_files(files, n, order, err, errlen) == -1 ||
	    store_files(conn, files, order, n, err, errlen) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		log_loaded(&files[order[i]]);
	rc = 0;
fail:
	for (i = 0; i < n; i++) {
		free(names[i]);
		if (files != NULL) {
			free(files[i].path);
			catalogue_free(files[i].cat);
		}
	}
	free(names);
	free(files);
	free(order);
	return rc;
}
