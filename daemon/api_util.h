/* Checks and helpers shared by the API handlers. */
#ifndef ISMSD_API_UTIL_H
#define ISMSD_API_UTIL_H

#include <stddef.h>

#include "http.h"

#define SOA_STATUSES "not_started planned partial implemented not_applicable"

struct enum_param {
	const char *name;
	const char *choices; /* space-separated; NULL: checked elsewhere */
};

struct page_cursor {
	int present;
	char framework[80];
	char ref[80];
};

int framework_id_valid(const char *id);

/*
 * Checks a framework query parameter against the loaded catalogue and
 * sends 400 naming the parameter when it is malformed or unknown.
 */
int framework_param_valid(struct request *r, const char *id);

/*
 * Writes ref's numbers as a PostgreSQL integer[] literal ("{5,10}").
 * Returns -1 when ref is not a dotted number.
 */
int ref_sort_key(const char *ref, char *out, size_t outlen);

/* Reads ?limit= (1-1000, default 100); sends 400 on a bad value. */
int page_limit(struct request *r, long *limit);

/* Reads ?cursor=; sends 400 on a malformed cursor. */
int page_cursor(struct request *r, struct page_cursor *cursor);

/* Checks the {framework}/{ref} path segments; sends 404 when invalid. */
int control_path_valid(struct request *r);

/* Sets ETag to "v" and the version, in double quotes. */
void reply_etag(struct request *r, const char *version);

#endif
