/*
 * The catalogue held in memory for fast reads. Catalogue entries change
 * only when catalogue files are loaded at start-up, so the cache is built
 * once before the workers start and is read-only afterwards; SoA data is
 * never cached.
 */
#ifndef ISMSD_CATALOGUE_CACHE_H
#define ISMSD_CATALOGUE_CACHE_H

#include <stddef.h>

#include <libpq-fe.h>

struct cached_control {
	char *framework;
	char *ref;
	char *members;     /* the control's JSON members, without braces */
	char *title;       /* NULL when it has none */
	char *text_json;   /* imported measure text as a JSON string, or null */
	char *theme;
	char *iso_control; /* NULL for a control that maps to nothing */
	int has_soa;
	const struct cached_control *iso; /* for a BIO2 measure */
	const struct cached_control **measures; /* for an ISO control */
	size_t nmeasures;
};

/* Builds the cache from the database. Returns 0 or -1 with err. */
int catalogue_cache_load(PGconn *conn, char *err, size_t errlen);
void catalogue_cache_free(void);

/* True when the catalogue has a framework with this id. */
int catalogue_cache_has_framework(const char *framework);

/* Returns the control or NULL. */
const struct cached_control *catalogue_cache_find(const char *framework,
    const char *ref);

#endif
