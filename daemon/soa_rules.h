/*
 * Statement of Applicability rules, without I/O: parsing a PATCH body and
 * applying it to an entry so that the result is consistent.
 */
#ifndef ISMSD_SOA_RULES_H
#define ISMSD_SOA_RULES_H

#include <stdint.h>

#include <jansson.h>

#define SOA_JUSTIFICATION_MAX 4000
#define SOA_OWNER_MAX 200
#define SOA_EVIDENCE_MAX_ITEMS 50
#define SOA_EVIDENCE_ITEM_MAX 2000

enum soa_member {
	SOA_APPLICABLE = 1 << 0,
	SOA_JUSTIFICATION = 1 << 1,
	SOA_STATUS = 1 << 2,
	SOA_OWNER = 1 << 3,
	SOA_EVIDENCE = 1 << 4,
	SOA_REVIEWED_AT = 1 << 5,
	SOA_NEXT_REVIEW_AT = 1 << 6,
};

#define SOA_UNDECIDED (-1)

/*
 * An entry's values. Strings are borrowed from the JSON body or the
 * database result they came from; NULL means SQL NULL.
 */
struct soa_values {
	int applicable; /* SOA_UNDECIDED, 0 or 1 */
	const char *justification;
	const char *status;
	const char *owner;
	const json_t *evidence; /* array of strings; NULL: empty */
	const char *reviewed_at; /* RFC 3339 */
	const char *next_review_at;
};

struct soa_patch {
	unsigned present; /* enum soa_member bits */
	struct soa_values values;
};

struct soa_error {
	int status;       /* HTTP status: 400 or 422 */
	const char *type; /* problem type after "urn:ismsd:problem:" */
	const char *field;
	char detail[320];
};

/* True for one of the five implementation statuses. */
int soa_status_valid(const char *status);

/*
 * Parses an RFC 3339 date-time ("2026-12-01T09:30:00Z", offsets up to
 * 15:59 and fractions allowed, leap seconds not) into seconds since the
 * epoch. The instant must fall in 1970-9999 UTC. Returns 0 or -1.
 */
int rfc3339_parse(const char *text, int64_t *epoch);

/* The same, in microseconds since the epoch, as PostgreSQL stores them. */
int rfc3339_parse_us(const char *text, int64_t *micros);

/*
 * Reads a PATCH body. Returns 0, or -1 with err naming the member. The
 * patch borrows strings from body, which must outlive it.
 */
int soa_patch_parse(const json_t *body, struct soa_patch *patch,
    struct soa_error *err);

/*
 * Applies patch to current and checks the result: applicable is false
 * exactly when status is not_applicable, and an excluded entry has a
 * justification. government_measure selects the wording for BIO2
 * measures, which can only be excluded, never risk-accepted. Returns 0
 * with result filled, or -1 with err.
 */
int soa_patch_apply(const struct soa_values *current,
    const struct soa_patch *patch, int government_measure,
    struct soa_values *result, struct soa_error *err);

#endif
