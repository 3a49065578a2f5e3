#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_cache.h"
#include "sql_json.h"
#include "util.h"

struct cache {
	struct cached_control *controls; /* in catalogue order */
	const struct cached_control **by_key; /* sorted for bsearch */
	size_t count;
};

static struct cache cache;

static int
compare_key(const char *fa, const char *ra, const char *fb, const char *rb)
{
	int c = strcmp(fa, fb);

	return c != 0 ? c : strcmp(ra, rb);
}

static int
compare_controls(const void *a, const void *b)
{
	const struct cached_control *ca = *(const struct cached_control *const *)a;
	const struct cached_control *cb = *(const struct cached_control *const *)b;

	return compare_key(ca->framework, ca->ref, cb->framework, cb->ref);
}

int
catalogue_cache_has_framework(const char *framework)
{
	size_t i;

	for (i = 0; i < cache.count; i++)
		if (strcmp(cache.controls[i].framework, framework) == 0)
			return 1;
	return 0;
}

const struct cached_control *
catalogue_cache_find(const char *framework, const char *ref)
{
	size_t lo = 0, hi = cache.count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cached_control *c = cache.by_key[mid];
		int cmp = compare_key(framework, ref, c->framework, c->ref);

		if (cmp == 0)
			return c;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static char *
dup_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL
					  : xstrdup(PQgetvalue(res, row, col));
}

/* Strips the braces of a JSON object text, keeping only its members. */
static char *
members_of(const char *object)
{
	size_t len = strlen(object);
	char *members;

	if (len < 2)
		return xstrdup("");
	members = xmalloc(len - 1);
	memcpy(members, object + 1, len - 2);
	members[len - 2] = '\0';
	return members;
}

/* Links each measure to its ISO control and each control to its measures. */
static void
link_measures(const PGresult *res)
{
	size_t i;

	for (i = 0; i < cache.count; i++) {
		struct cached_control *m = &cache.controls[i];
		struct cached_control *iso;
		const char *maps_to = PQgetvalue(res, (int)i, 4);

		if (m->iso_control == NULL || PQgetisnull(res, (int)i, 4))
			continue;
		iso = (struct cached_control *)catalogue_cache_find(maps_to,
		    m->iso_control);
		if (iso == NULL)
			continue;
		m->iso = iso;
		iso->measures = realloc(iso->measures,
		    (iso->nmeasures + 1) * sizeof(*iso->measures));
		if (iso->measures == NULL)
			abort();
		iso->measures[iso->nmeasures++] = m;
	}
}

int
catalogue_cache_load(PGconn *conn, char *err, size_t errlen)
{
	PGresult *res;
	size_t i;

	res = PQexec(conn,
	    "SELECT c.framework_id, c.ref, json_build_object("
	    SQL_CONTROL_MEMBERS ")::text, c.title, f.maps_to, c.theme, "
	    "c.iso_control, EXISTS (SELECT 1 FROM soa_entry s "
	    "WHERE s.framework_id = c.framework_id AND s.ref = c.ref), "
	    "coalesce(to_json(c.body)::text, 'null') "
	    "FROM control c JOIN framework f ON f.id = c.framework_id "
	    "ORDER BY c.framework_id, c.sort_key");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "reading the catalogue failed: %s",
		    PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	catalogue_cache_free();
	cache.count = (size_t)PQntuples(res);
	cache.controls = xcalloc(cache.count, sizeof(*cache.controls));
	cache.by_key = xcalloc(cache.count, sizeof(*cache.by_key));
	for (i = 0; i < cache.count; i++) {
		struct cached_control *c = &cache.controls[i];
		int row = (int)i;

		c->framework = xstrdup(PQgetvalue(res, row, 0));
		c->ref = xstrdup(PQgetvalue(res, row, 1));
		c->members = members_of(PQgetvalue(res, row, 2));
		c->title = dup_or_null(res, row, 3);
		c->theme = xstrdup(PQgetvalue(res, row, 5));
		c->iso_control = dup_or_null(res, row, 6);
		c->has_soa = PQgetvalue(res, row, 7)[0] == 't';
		c->text_json = xstrdup(PQgetvalue(res, row, 8));
		cache.by_key[i] = c;
	}
	qsort(cache.by_key, cache.count, sizeof(*cache.by_key),
	    compare_controls);
	link_measures(res);
	PQclear(res);
	return 0;
}

void
catalogue_cache_free(void)
{
	size_t i;

	for (i = 0; i < cache.count; i++) {
		struct cached_control *c = &cache.controls[i];

		free(c->framework);
		free(c->ref);
		free(c->members);
		free(c->title);
		free(c->text_json);
		free(c->theme);
		free(c->iso_control);
		free(c->measures);
	}
	free(cache.controls);
	free(cache.by_key);
	memset(&cache, 0, sizeof(cache));
}
