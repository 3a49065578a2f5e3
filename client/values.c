#include "values.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIMIT_MIN 1
#define LIMIT_MAX 1000

const char *const value_soa_statuses[] = {
    "not_started",
    "planned",
    "partial",
    "implemented",
    "not_applicable",
    NULL,
};

const char *const value_themes[] = {
    "organizational",
    "people",
    "physical",
    "technological",
    NULL,
};

const char *const value_catalogue_statuses[] = {
    "active",
    "no_government_measure",
    "moved",
    "lapsed",
    NULL,
};

const char *const value_applicable_filters[] = {
    "yes",
    "no",
    "undecided",
    NULL,
};

int
value_normalize_enum(
    const char *text, const char *const *allowed, char *out, size_t outlen)
{
	size_t start = 0;
	size_t end = strlen(text);
	size_t i;

	while (start < end && text[start] == ' ')
		start++;
	while (end > start && text[end - 1] == ' ')
		end--;
	if (end == start || end - start >= outlen)
		return -1;
	for (i = start; i < end; i++) {
		char c = text[i];

		out[i - start] = (c == ' ' || c == '-')
		    ? '_'
		    : (char)tolower((unsigned char)c);
	}
	out[end - start] = '\0';
	for (; *allowed != NULL; allowed++)
		if (strcmp(out, *allowed) == 0)
			return 0;
	return -1;
}

void
value_join(const char *const *allowed, char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (; *allowed != NULL && used < outlen; allowed++) {
		int n = snprintf(out + used, outlen - used, "%s%s",
		    used > 0 ? ", " : "", *allowed);

		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* Returns the number of dot-separated parts, or 0 when ref is invalid. */
static int
ref_parts(const char *ref)
{
	int parts = 1;
	bool digit_seen = false;

	for (; *ref != '\0'; ref++) {
		if (*ref >= '0' && *ref <= '9') {
			digit_seen = true;
		} else if (*ref == '.' && digit_seen) {
			parts++;
			digit_seen = false;
		} else {
			return 0;
		}
	}
	return digit_seen ? parts : 0;
}

bool
value_ref_is_valid(const char *ref)
{
	return ref_parts(ref) > 0;
}

const char *
value_framework_for_ref(const char *ref)
{
	switch (ref_parts(ref)) {
	case 2:
		return FRAMEWORK_ISO;
	case 3:
		return FRAMEWORK_BIO2;
	default:
		return NULL;
	}
}

int
value_parse_limit(const char *text, long *limit)
{
	char *end;
	long value;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < LIMIT_MIN ||
	    value > LIMIT_MAX)
		return -1;
	*limit = value;
	return 0;
}

int
value_parse_yes_no(const char *text, bool *yes)
{
	if (strcasecmp(text, "yes") == 0) {
		*yes = true;
		return 0;
	}
	if (strcasecmp(text, "no") == 0) {
		*yes = false;
		return 0;
	}
	return -1;
}

int
value_normalize_etag(const char *text, char *out, size_t outlen)
{
	size_t len = strlen(text);
	size_t i;
	int n;

	if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
		text++;
		len -= 2;
	}
	if (len < 2 || text[0] != 'v')
		return -1;
	for (i = 1; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			return -1;
	n = snprintf(out, outlen, "\"%.*s\"", (int)len, text);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int
value_parse_anchor(const char *text, struct value_anchor *anchor)
{
	const char *colon = strchr(text, ':');
	const char *hash;
	char lower[VALUE_HASH_HEX_LEN + 1];
	long long seq;
	char *end;
	size_t i;

	if (colon == NULL || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	seq = strtoll(text, &end, 10);
	if (errno != 0 || end != colon || seq < 1 || seq > VALUE_SEQ_MAX)
		return -1;
	hash = colon + 1;
	if (strlen(hash) != VALUE_HASH_HEX_LEN)
		return -1;
	for (i = 0; i < VALUE_HASH_HEX_LEN; i++) {
		if (!isxdigit((unsigned char)hash[i]))
			return -1;
		lower[i] = (char)tolower((unsigned char)hash[i]);
	}
	lower[VALUE_HASH_HEX_LEN] = '\0';
	memcpy(anchor->hash, lower, sizeof(lower));
	anchor->seq = seq;
	return 0;
}
