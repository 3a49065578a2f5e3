/*
 * Checks and normalisation of values given on the command line, done
 * before any request so that a typo gives a usage error (exit status 2).
 */
#ifndef ISMSCTL_VALUES_H
#define ISMSCTL_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#define FRAMEWORK_ISO "iso27001-2022"
#define FRAMEWORK_BIO2 "bio2"

/* Longest normalised enum value plus its NUL, with room to spare. */
#define VALUE_ENUM_SIZE 32

/* NULL-terminated lists of the values that the API accepts. */
extern const char *const value_soa_statuses[];
extern const char *const value_themes[];
extern const char *const value_catalogue_statuses[];
extern const char *const value_applicable_filters[];

/*
 * Normalises text to one of the allowed values: letters are lowercased,
 * leading and trailing spaces dropped, and inner spaces and hyphens
 * become underscores, so "Not started" and "not-started" both give
 * "not_started". Returns 0 with the value in out, or -1 when it is not
 * allowed or does not fit.
 */
int value_normalize_enum(
    const char *text, const char *const *allowed, char *out, size_t outlen);

/*
 * Writes the allowed values separated by ", " to out, cut to outlen.
 */
void value_join(const char *const *allowed, char *out, size_t outlen);

/*
 * True when ref is numbers separated by single dots ("5.24", "5.24.01").
 */
bool value_ref_is_valid(const char *ref);

/*
 * Returns the framework of a ref given without --framework: FRAMEWORK_ISO
 * for two parts ("5.24"), FRAMEWORK_BIO2 for three ("5.24.01"), or NULL
 * when ref is invalid or has another number of parts.
 */
const char *value_framework_for_ref(const char *ref);

/*
 * Parses a page size for the limit query parameter, which the API
 * accepts from 1 to 1000. Returns 0, or -1 for anything else.
 */
int value_parse_limit(const char *text, long *limit);

/* Parses "yes" or "no" in any letter case. Returns 0, or -1. */
int value_parse_yes_no(const char *text, bool *yes);

/*
 * Normalises an ETag given as "v3" or "\"v3\"" to the quoted form the
 * API sends. Returns 0, or -1 when text is not "v" and a version number.
 */
int value_normalize_etag(const char *text, char *out, size_t outlen);

/* Hex digits of an audit record's SHA-256 hash. */
#define VALUE_HASH_HEX_LEN 64

/*
 * Largest audit seq that the daemon accepts in a query parameter: 2^53 - 1,
 * the largest integer that a JSON parser using IEEE 754 doubles reads
 * exactly.
 */
#define VALUE_SEQ_MAX 9007199254740991LL

/* An audit record's seq and hash, recorded earlier to detect rewrites. */
struct value_anchor {
	long long seq;
	char hash[VALUE_HASH_HEX_LEN + 1]; /* lowercase hex */
};

/*
 * Parses "SEQ:HASH": SEQ a whole number from 1 to VALUE_SEQ_MAX without
 * sign or spaces, HASH exactly 64 hex digits in any letter case. Returns
 * 0 with the hash lowercased in anchor, or -1 for anything else.
 */
int value_parse_anchor(const char *text, struct value_anchor *anchor);

#endif
