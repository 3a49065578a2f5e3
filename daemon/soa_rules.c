#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "soa_rules.h"

static const char *const statuses[] = {
	"not_started", "planned", "partial", "implemented", "not_applicable",
};

int
soa_status_valid(const char *status)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(status, statuses[i]) == 0)
			return 1;
	return 0;
}

static int
set_error(struct soa_error *err, int status, const char *type,
    const char *field, const char *detail)
{
	err->status = status;
	err->type = type;
	err->field = field;
	snprintf(err->detail, sizeof(err->detail), "%s", detail);
	return -1;
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
rfc3339_parse_us(const char *text, int64_t *micros)
{
	static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	int64_t fraction = 0, utc;
	const char *p = text;
	struct tm tm;
	int digits_read = 0;

	if (strlen(text) < 20 || digits(p, 4, &year) < 0 || p[4] != '-' ||
	    digits(p + 5, 2, &mon) < 0 || p[7] != '-' ||
	    digits(p + 8, 2, &day) < 0 || (p[10] != 'T' && p[10] != 't') ||
	    digits(p + 11, 2, &hour) < 0 || p[13] != ':' ||
	    digits(p + 14, 2, &min) < 0 || p[16] != ':' ||
	    digits(p + 17, 2, &sec) < 0)
		return -1;
	p += 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		/* Microseconds, as PostgreSQL stores them; more digits are cut. */
		for (; *p >= '0' && *p <= '9'; p++)
			if (digits_read++ < 6)
				fraction = fraction * 10 + (*p - '0');
		for (; digits_read < 6; digits_read++)
			fraction *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		/* PostgreSQL takes offsets up to 15:59, and real ones stay below. */
		if (digits(p + 1, 2, &oh) < 0 || p[3] != ':' ||
		    digits(p + 4, 2, &om) < 0 || oh > 15 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	/* Leap seconds are rejected: PostgreSQL stores 23:59:60 as 00:00:00. */
	if (*p != '\0' || year < 1970 || year > 9999 || mon < 1 ||
	    mon > 12 || day < 1 || day > month_days[mon - 1] || hour > 23 ||
	    min > 59 || sec > 59)
		return -1;
	if (mon == 2 && day == 29 &&
	    !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	utc = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	/* The instant itself must fall in 1970-9999 UTC too. */
	if (utc < 0 || utc >= INT64_C(253402300800))
		return -1;
	*micros = utc * 1000000 + fraction;
	return 0;
}

int
rfc3339_parse(const char *text, int64_t *epoch)
{
	int64_t micros;

	if (rfc3339_parse_us(text, &micros) < 0)
		return -1;
	*epoch = micros / 1000000;
	return 0;
}

/* Counts UTF-8 code points. jansson has already checked the encoding. */
static size_t
utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Decodes the UTF-8 sequence at *s (already validated by jansson) and
 * advances *s past it.
 */
static unsigned long
next_code_point(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	unsigned long cp;
	int extra, i;

	if (p[0] < 0x80) {
		cp = p[0];
		extra = 0;
	} else if (p[0] < 0xe0) {
		cp = p[0] & 0x1f;
		extra = 1;
	} else if (p[0] < 0xf0) {
		cp = p[0] & 0x0f;
		extra = 2;
	} else {
		cp = p[0] & 0x07;
		extra = 3;
	}
	for (i = 1; i <= extra && p[i] != '\0'; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	*s += i;
	return cp;
}

/* C0 and C1 control characters and DEL; optionally not tab and breaks. */
static int
has_control_chars(const char *s, int allow_newlines)
{
	while (*s != '\0') {
		unsigned long c = next_code_point(&s);

		if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		/* Bidi overrides can make text read differently than
		 * stored (the "Trojan Source" trick). */
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
		    (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069))
			return 1;
	}
	return 0;
}

/*
 * White space and characters that show nothing on their own: format
 * characters (zero-width, bidi, invisible operators, soft hyphen), fillers
 * (Hangul, braille blank), the combining grapheme joiner, variation
 * selectors and tags.
 */
static int
invisible(unsigned long c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 ||
	    c == 0xa0 || c == 0xad || c == 0x34f || c == 0x61c ||
	    c == 0x115f || c == 0x1160 || c == 0x1680 || c == 0x17b4 ||
	    c == 0x17b5 || (c >= 0x180b && c <= 0x180e) ||
	    (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x206f) || c == 0x2800 || c == 0x3000 ||
	    c == 0x3164 || (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff ||
	    c == 0xffa0 || (c >= 0xfff0 && c <= 0xfff8) ||
	    (c >= 0x1d173 && c <= 0x1d17a) || (c >= 0xe0000 && c <= 0xe0fff);
}

/* True when s is NULL or has nothing visible. */
static int
blank(const char *s)
{
	if (s == NULL)
		return 1;
	while (*s != '\0')
		if (!invisible(next_code_point(&s)))
			return 0;
	return 1;
}

static int
parse_text(const char *name, const json_t *value, size_t max,
    int allow_newlines, const char **out, struct soa_error *err)
{
	char detail[160];

	if (json_is_null(value)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(value)) {
		snprintf(detail, sizeof(detail), "%s must be a string or null",
		    name);
		return set_error(err, 400, "invalid-type", name, detail);
	}
	*out = json_string_value(value);
	if (**out == '\0') {
		/* An empty text means none, as null does. */
		*out = NULL;
		return 0;
	}
	if (utf8_length(*out) > max) {
		snprintf(detail, sizeof(detail),
		    "%s must be at most %zu characters", name, max);
		return set_error(err, 422, "invalid-value", name, detail);
	}
	if (has_control_chars(*out, allow_newlines)) {
		snprintf(detail, sizeof(detail),
		    "%s must not contain control characters", name);
		return set_error(err, 422, "invalid-value", name, detail);
	}
	if (blank(*out)) {
		snprintf(detail, sizeof(detail),
		    "%s must have visible text; send null to clear it", name);
		return set_error(err, 422, "invalid-value", name, detail);
	}
	return 0;
}

static int
parse_time(const char *name, const json_t *value, const char **out,
    struct soa_error *err)
{
	char detail[200];
	int64_t epoch;

	if (json_is_null(value)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(value)) {
		snprintf(detail, sizeof(detail),
		    "%s must be an RFC 3339 time string or null", name);
		return set_error(err, 400, "invalid-type", name, detail);
	}
	*out = json_string_value(value);
	if (**out == '\0') {
		*out = NULL;
		return 0;
	}
	if (rfc3339_parse(*out, &epoch) < 0) {
		snprintf(detail, sizeof(detail),
		    "%s must be an RFC 3339 time such as "
		    "2026-12-01T09:00:00Z",
		    name);
		return set_error(err, 422, "invalid-value", name, detail);
	}
	return 0;
}

/*
 * Accepts a link whose scheme is http, https or urn, or text with no
 * scheme. Other schemes are rejected because a javascript: or data: link
 * could run in an auditor's browser.
 */
static int
evidence_scheme_allowed(const char *s)
{
	size_t len = 0;

	if (!isalpha((unsigned char)s[0]))
		return 1;
	while (isalnum((unsigned char)s[len]) || s[len] == '+' ||
	    s[len] == '-' || s[len] == '.')
		len++;
	if (s[len] != ':')
		return 1;
	return (len == 4 && strncasecmp(s, "http", 4) == 0) ||
	    (len == 5 && strncasecmp(s, "https", 5) == 0) ||
	    (len == 3 && strncasecmp(s, "urn", 3) == 0);
}

static int
parse_evidence(const json_t *value, const json_t **out,
    struct soa_error *err)
{
	const json_t *item;
	size_t i;
	char detail[160];

	if (json_is_null(value)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_array(value))
		return set_error(err, 400, "invalid-type", "evidence",
		    "evidence must be an array of strings or null");
	if (json_array_size(value) > SOA_EVIDENCE_MAX_ITEMS) {
		snprintf(detail, sizeof(detail),
		    "evidence must have at most %d items",
		    SOA_EVIDENCE_MAX_ITEMS);
		return set_error(err, 422, "invalid-value", "evidence", detail);
	}
	json_array_foreach(value, i, item) {
		const char *s = json_string_value(item);

		if (s == NULL)
			return set_error(err, 400, "invalid-type", "evidence",
			    "every evidence item must be a string");
		if (*s != '\0' && (invisible((unsigned char)s[0]) ||
		    invisible((unsigned char)s[strlen(s) - 1]) || blank(s))) {
			snprintf(detail, sizeof(detail),
			    "evidence[%zu] must not be blank or start or end "
			    "with white space",
			    i);
			return set_error(err, 422, "invalid-value", "evidence",
			    detail);
		}
		if (!evidence_scheme_allowed(s)) {
			snprintf(detail, sizeof(detail),
			    "evidence[%zu] must be an http, https or urn link, "
			    "or a reference without a scheme (such as "
			    "DMS-2026-0042)",
			    i);
			return set_error(err, 422, "invalid-value", "evidence",
			    detail);
		}
		if (*s == '\0' || utf8_length(s) > SOA_EVIDENCE_ITEM_MAX ||
		    has_control_chars(s, 0)) {
			snprintf(detail, sizeof(detail),
			    "evidence[%zu] must be 1 to %d characters without "
			    "control characters",
			    i, SOA_EVIDENCE_ITEM_MAX);
			return set_error(err, 422, "invalid-value", "evidence",
			    detail);
		}
	}
	*out = value;
	return 0;
}

static int
parse_member(const char *key, const json_t *value, struct soa_patch *patch,
    struct soa_error *err)
{
	struct soa_values *v = &patch->values;

	if (strcmp(key, "applicable") == 0) {
		patch->present |= SOA_APPLICABLE;
		if (json_is_null(value))
			v->applicable = SOA_UNDECIDED;
		else if (json_is_boolean(value))
			v->applicable = json_is_true(value);
		else
			return set_error(err, 400, "invalid-type", "applicable",
			    "applicable must be true, false or null");
		return 0;
	}
	if (strcmp(key, "status") == 0) {
		patch->present |= SOA_STATUS;
		if (!json_is_string(value))
			return set_error(err, 400, "invalid-type", "status",
			    "status must be a string");
		v->status = json_string_value(value);
		if (!soa_status_valid(v->status))
			return set_error(err, 422, "invalid-value", "status",
			    "status must be one of not_started, planned, "
			    "partial, implemented, not_applicable");
		return 0;
	}
	if (strcmp(key, "justification") == 0) {
		patch->present |= SOA_JUSTIFICATION;
		return parse_text("justification", value,
		    SOA_JUSTIFICATION_MAX, 1, &v->justification, err);
	}
	if (strcmp(key, "owner") == 0) {
		patch->present |= SOA_OWNER;
		return parse_text("owner", value, SOA_OWNER_MAX, 0, &v->owner,
		    err);
	}
	if (strcmp(key, "evidence") == 0) {
		patch->present |= SOA_EVIDENCE;
		return parse_evidence(value, &v->evidence, err);
	}
	if (strcmp(key, "reviewed_at") == 0) {
		patch->present |= SOA_REVIEWED_AT;
		return parse_time("reviewed_at", value, &v->reviewed_at, err);
	}
	if (strcmp(key, "next_review_at") == 0) {
		patch->present |= SOA_NEXT_REVIEW_AT;
		return parse_time("next_review_at", value, &v->next_review_at,
		    err);
	}
	return -2;
}

int
soa_patch_parse(const json_t *body, struct soa_patch *patch,
    struct soa_error *err)
{
	const char *key;
	const json_t *value;
	int rc;

	memset(patch, 0, sizeof(*patch));
	patch->values.applicable = SOA_UNDECIDED;
	if (!json_is_object(body))
		return set_error(err, 400, "malformed-json", NULL,
		    "the body must be a JSON object");
	json_object_foreach((json_t *)body, key, value) {
		rc = parse_member(key, value, patch, err);
		if (rc == -2) {
			char detail[200];

			snprintf(detail, sizeof(detail),
			    "unknown member \"%.60s\"; known members are "
			    "applicable, justification, status, owner, "
			    "evidence, reviewed_at, next_review_at",
			    key);
			/* field is the key itself; the detail cuts it. */
			set_error(err, 400, "unknown-field", NULL, detail);
			err->field = key;
			return -1;
		}
		if (rc < 0)
			return -1;
	}
	if (patch->present == 0)
		return set_error(err, 422, "invalid-value", NULL,
		    "the body names no member to change");
	return 0;
}


/* Makes applicable and status agree, or reports why they cannot. */
static int
reconcile_applicability(const struct soa_patch *patch,
    struct soa_values *result, struct soa_error *err)
{
	int set_app = (patch->present & SOA_APPLICABLE) != 0;
	int set_status = (patch->present & SOA_STATUS) != 0;
	int excluded_status = strcmp(result->status, "not_applicable") == 0;

	if (set_app && set_status) {
		if ((result->applicable == 0) != excluded_status)
			return set_error(err, 422, "rule-violation", "status",
			    "applicable and status disagree: an entry is not "
			    "applicable exactly when its status is "
			    "not_applicable");
		return 0;
	}
	if (set_status) {
		/* Work planned or done on a control implies it is needed. */
		if (excluded_status)
			result->applicable = 0;
		else if (result->applicable == 0 ||
		    strcmp(result->status, "not_started") != 0)
			result->applicable = 1;
		return 0;
	}
	if (set_app) {
		if (result->applicable == 0)
			result->status = "not_applicable";
		else if (excluded_status)
			result->status = "not_started";
	}
	return 0;
}

int
soa_patch_apply(const struct soa_values *current,
    const struct soa_patch *patch, int government_measure,
    struct soa_values *result, struct soa_error *err)
{
	const struct soa_values *p = &patch->values;
	int64_t reviewed, next;

	*result = *current;
	if (patch->present & SOA_APPLICABLE)
		result->applicable = p->applicable;
	if (patch->present & SOA_JUSTIFICATION)
		result->justification = p->justification;
	if (patch->present & SOA_STATUS)
		result->status = p->status;
	if (patch->present & SOA_OWNER)
		result->owner = p->owner;
	if (patch->present & SOA_EVIDENCE)
		result->evidence = p->evidence;
	if (patch->present & SOA_REVIEWED_AT)
		result->reviewed_at = p->reviewed_at;
	if (patch->present & SOA_NEXT_REVIEW_AT)
		result->next_review_at = p->next_review_at;
	if (reconcile_applicability(patch, result, err) < 0)
		return -1;
	if (result->applicable == SOA_UNDECIDED &&
	    strcmp(result->status, "not_started") != 0) {
		char detail[200];

		snprintf(detail, sizeof(detail),
		    "an entry with status %s is applicable; send applicable "
		    "true, or set status to not_started first",
		    result->status);
		return set_error(err, 422, "rule-violation", "applicable",
		    detail);
	}
	if (result->applicable == 0 && blank(result->justification))
		return set_error(err, 422, "rule-violation", "justification",
		    government_measure
			? "a BIO2 government measure can only be declared "
			  "not applicable with a justification (it cannot be "
			  "risk-accepted); send a justification"
			: "a control that is not applicable needs a "
			  "justification for its exclusion (ISO 27001 "
			  "clause 6.1.3 d); send a justification");
	if (result->reviewed_at != NULL && result->next_review_at != NULL &&
	    rfc3339_parse_us(result->reviewed_at, &reviewed) == 0 &&
	    rfc3339_parse_us(result->next_review_at, &next) == 0 &&
	    next < reviewed)
		return set_error(err, 422, "rule-violation", "next_review_at",
		    "next_review_at must not be before reviewed_at");
	return 0;
}
