/* Frameworks and controls: the catalogue, read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api_util.h"
#include "catalogue.h"
#include "catalogue_cache.h"
#include "http.h"
#include "sql_json.h"
#include "util.h"

static const struct db_stmt stmt_frameworks = {
	"frameworks_list",
	"SELECT coalesce(json_agg(json_build_object("
	"'id', f.id, 'name', f.name, 'version', f.version, "
	"'published', f.published, 'maps_to', f.maps_to, "
	"'controls', (SELECT count(*) FROM control c "
	"WHERE c.framework_id = f.id), "
	"'loaded_at', f.loaded_at) ORDER BY f.id), '[]')::text "
	"FROM framework f",
	0,
};

/*
 * Keyset pagination over (framework_id, sort_key); see api.md. Columns 0-4
 * match stmt_control_soa so that add_item() renders both.
 */
static const struct db_stmt stmt_controls = {
	"controls_list",
	"SELECT c.framework_id, c.ref, s.applicable, s.status, s.version, "
	"s.ref IS NOT NULL "
	"FROM control c LEFT JOIN soa_entry s "
	"ON s.framework_id = c.framework_id AND s.ref = c.ref "
	"WHERE ($1::text IS NULL OR c.framework_id = $1) "
	"AND ($2::text IS NULL OR c.theme = $2) "
	"AND ($3::text IS NULL OR s.status = $3) "
	"AND ($4::text IS NULL OR c.catalogue_status = $4) "
	"AND ($5::text IS NULL "
	"OR ($5 = 'yes' AND s.applicable) "
	"OR ($5 = 'no' AND s.applicable = false) "
	"OR ($5 = 'undecided' AND s.ref IS NOT NULL "
	"AND s.applicable IS NULL)) "
	"AND ($6::text IS NULL OR strpos(lower(c.ref), lower($6)) > 0 "
	"OR strpos(lower(coalesce(c.title, '')), lower($6)) > 0) "
	"AND ($7::text IS NULL OR (c.framework_id, c.sort_key) > "
	"($7, $8::integer[])) "
	"ORDER BY c.framework_id, c.sort_key LIMIT $9::integer",
	9,
};

/*
 * The SoA rows of a control and its linked controls. The catalogue part
 * comes from the in-memory cache, so a single-control read costs one
 * indexed query.
 */
static const struct db_stmt stmt_control_soa = {
	"control_soa",
	"SELECT s.framework_id, s.ref, s.applicable, s.status, s.version, "
	"s.justification, s.owner, array_to_json(s.evidence)::text, "
	"s.reviewed_at, s.next_review_at, s.updated_at, s.updated_by "
	"FROM unnest($1::text[], $2::text[]) AS k (framework_id, ref) "
	"JOIN soa_entry s "
	"ON s.framework_id = k.framework_id AND s.ref = k.ref",
	2,
};

static void
get_frameworks(struct request *r)
{
	static const char *const allowed[] = { NULL };
	struct evbuffer *buf;
	PGresult *res;

	if (request_check_query(r, allowed) < 0)
		return;
	res = db_run(r->db, &stmt_frameworks, NULL);
	if (!db_ok(res)) {
		reply_db_error(r, res, "listing frameworks");
		PQclear(res);
		return;
	}
	buf = evbuffer_new();
	evbuffer_add_printf(buf, "{\"items\":%s,\"next\":null}",
	    PQgetvalue(res, 0, 0));
	PQclear(res);
	reply_buffer(r, 200, "application/json", buf);
}

/* Checks the list filters; sends 400 naming the parameter on failure. */
static int
control_filters(struct request *r, const char **params)
{
	static const struct enum_param filters[] = {
		{ "framework", NULL },
		{ "theme", "organizational people physical technological" },
		{ "status", SOA_STATUSES },
		{ "catalogue_status",
		    "active no_government_measure moved lapsed" },
		{ "applicable", "yes no undecided" },
	};
	size_t i;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		params[i] = request_query(r, filters[i].name);
		if (params[i] == NULL)
			continue;
		if (filters[i].choices == NULL &&
		    !framework_param_valid(r, params[i]))
			return -1;
		if (filters[i].choices != NULL &&
		    !word_in_list(filters[i].choices, params[i])) {
			reply_problem(r, 400, "invalid-parameter",
			    filters[i].name, "%s must be one of %s",
			    filters[i].name, filters[i].choices);
			return -1;
		}
	}
	params[5] = request_query(r, "q");
	if (params[5] != NULL && strlen(params[5]) > 200) {
		reply_problem(r, 400, "invalid-parameter", "q",
		    "q must be at most 200 characters");
		return -1;
	}
	return 0;
}

/*
 * Converts PostgreSQL's timestamptz text in UTC ("2026-12-04
 * 15:38:59.56+00") to RFC 3339 ("2026-12-04T15:38:59.56+00:00").
 */
static json_t *
json_time(const PGresult *res, int row, int col)
{
	char text[48];
	size_t len;

	if (PQgetisnull(res, row, col))
		return json_null();
	snprintf(text, sizeof(text), "%s", PQgetvalue(res, row, col));
	len = strlen(text);
	if (len > 10 && text[10] == ' ')
		text[10] = 'T';
	if (len > 3 && len + 3 < sizeof(text) &&
	    (text[len - 3] == '+' || text[len - 3] == '-'))
		memcpy(text + len, ":00", 4);
	return json_string(text);
}

static json_t *
json_text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col)
	    ? json_null()
	    : json_string(PQgetvalue(res, row, col));
}

static json_t *
json_applicable(const PGresult *res, int row)
{
	if (PQgetisnull(res, row, 2))
		return json_null();
	return json_boolean(PQgetvalue(res, row, 2)[0] == 't');
}

static json_int_t
row_version(const PGresult *res, int row)
{
	return (json_int_t)strtoll(PQgetvalue(res, row, 4), NULL, 10);
}

/* The full SoA entry, with the same members as SQL_SOA_ENTRY_JSON. */
static json_t *
soa_entry_json(const struct cached_control *c, const PGresult *res, int row)
{
	json_t *o = json_object(), *evidence;

	evidence = json_loads(PQgetvalue(res, row, 7), 0, NULL);
	json_object_set_new(o, "framework", json_string(c->framework));
	json_object_set_new(o, "ref", json_string(c->ref));
	json_object_set_new(o, "title",
	    c->title != NULL ? json_string(c->title) : json_null());
	json_object_set_new(o, "theme", json_string(c->theme));
	json_object_set_new(o, "iso_control",
	    c->iso_control != NULL ? json_string(c->iso_control)
				   : json_null());
	json_object_set_new(o, "applicable", json_applicable(res, row));
	json_object_set_new(o, "justification", json_text(res, row, 5));
	json_object_set_new(o, "status", json_text(res, row, 3));
	json_object_set_new(o, "owner", json_text(res, row, 6));
	json_object_set_new(o, "evidence",
	    evidence != NULL ? evidence : json_array());
	json_object_set_new(o, "reviewed_at", json_time(res, row, 8));
	json_object_set_new(o, "next_review_at", json_time(res, row, 9));
	json_object_set_new(o, "version", json_integer(row_version(res, row)));
	json_object_set_new(o, "updated_at", json_time(res, row, 10));
	json_object_set_new(o, "updated_by", json_text(res, row, 11));
	return o;
}

static int
find_row(const PGresult *res, const struct cached_control *c)
{
	int i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), c->framework) == 0 &&
		    strcmp(PQgetvalue(res, i, 1), c->ref) == 0)
			return i;
	return -1;
}

static void
add_json(struct evbuffer *buf, json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);

	if (text == NULL)
		abort();
	evbuffer_add(buf, text, strlen(text));
	free(text);
	json_decref(value);
}

/*
 * Appends a list item: the control's members and the SoA summary from
 * row (columns 2-4 of res), or null when row is -1.
 */
static void
add_item(struct evbuffer *buf, const struct cached_control *c,
    const PGresult *res, int row)
{
	evbuffer_add_printf(buf, "{%s, \"soa\" : ", c->members);
	if (row < 0) {
		evbuffer_add(buf, "null}", 5);
		return;
	}
	add_json(buf, json_pack("{s:o, s:o, s:I}", "applicable",
	    json_applicable(res, row), "status", json_text(res, row, 3),
	    "version", row_version(res, row)));
	evbuffer_add(buf, "}", 1);
}

static void
get_controls(struct request *r)
{
	static const char *const allowed[] = { "framework", "theme", "status",
		"catalogue_status", "applicable", "q", "limit", "cursor",
		NULL };
	char limit_text[24], sort_key[96], last_fw[80], last_ref[80];
	const char *params[9];
	struct page_cursor cursor;
	struct evbuffer *buf;
	PGresult *res;
	long limit;
	int i, n;

	if (request_check_query(r, allowed) < 0 ||
	    control_filters(r, params) < 0 ||
	    page_limit(r, &limit) < 0 || page_cursor(r, &cursor) < 0)
		return;
	params[6] = cursor.present ? cursor.framework : NULL;
	params[7] = NULL;
	if (cursor.present) {
		ref_sort_key(cursor.ref, sort_key, sizeof(sort_key));
		params[7] = sort_key;
	}
	snprintf(limit_text, sizeof(limit_text), "%ld", limit + 1);
	params[8] = limit_text;
	res = db_run(r->db, &stmt_controls, params);
	if (!db_ok(res)) {
		reply_db_error(r, res, "listing controls");
		PQclear(res);
		return;
	}
	n = PQntuples(res);
	buf = evbuffer_new();
	evbuffer_add(buf, "{\"items\":[", 10);
	for (i = 0; i < n && i < limit; i++) {
		const struct cached_control *c = catalogue_cache_find(
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));

		if (c == NULL) {
			/* Loaded by a newer instance after this one started. */
			evbuffer_free(buf);
			PQclear(res);
			reply_problem(r, 503, "unavailable", NULL,
			    "the catalogue changed since this server started; "
			    "restart it to load the new catalogue");
			return;
		}
		if (i > 0)
			evbuffer_add(buf, ",", 1);
		add_item(buf, c, res,
		    PQgetvalue(res, i, 5)[0] == 't' ? i : -1);
		snprintf(last_fw, sizeof(last_fw), "%s", c->framework);
		snprintf(last_ref, sizeof(last_ref), "%s", c->ref);
	}
	if (n > limit)
		evbuffer_add_printf(buf, "],\"next\":\"%s~%s\"}", last_fw,
		    last_ref);
	else
		evbuffer_add(buf, "],\"next\":null}", 14);
	PQclear(res);
	reply_buffer(r, 200, "application/json", buf);
}

/* Builds the key arrays of the control and its linked controls. */
static void
linked_keys(const struct cached_control *c, struct evbuffer *frameworks,
    struct evbuffer *refs)
{
	size_t i;

	evbuffer_add_printf(frameworks, "{%s", c->framework);
	evbuffer_add_printf(refs, "{%s", c->ref);
	for (i = 0; i < c->nmeasures; i++) {
		evbuffer_add_printf(frameworks, ",%s", c->measures[i]->framework);
		evbuffer_add_printf(refs, ",%s", c->measures[i]->ref);
	}
	if (c->iso != NULL) {
		evbuffer_add_printf(frameworks, ",%s", c->iso->framework);
		evbuffer_add_printf(refs, ",%s", c->iso->ref);
	}
	/* Two bytes: the brace and the NUL that makes them C strings. */
	evbuffer_add(frameworks, "}", 2);
	evbuffer_add(refs, "}", 2);
}

static PGresult *
query_control_soa(struct request *r, const struct cached_control *c)
{
	struct evbuffer *frameworks = evbuffer_new(), *refs = evbuffer_new();
	const char *params[2];
	PGresult *res;

	/* Ids and refs are [a-z0-9.-] only, so they need no array quoting. */
	linked_keys(c, frameworks, refs);
	params[0] = (const char *)evbuffer_pullup(frameworks, -1);
	params[1] = (const char *)evbuffer_pullup(refs, -1);
	res = db_run(r->db, &stmt_control_soa, params);
	evbuffer_free(frameworks);
	evbuffer_free(refs);
	return res;
}

static void
get_control(struct request *r)
{
	static const char *const allowed[] = { NULL };
	const struct cached_control *c;
	struct evbuffer *buf;
	PGresult *res;
	size_t i;
	int row;

	if (request_check_query(r, allowed) < 0 ||
	    control_path_valid(r) < 0)
		return;
	c = catalogue_cache_find(r->params[0], r->params[1]);
	if (c == NULL) {
		reply_problem(r, 404, "not-found", NULL,
		    "framework \"%s\" has no control \"%s\"", r->params[0],
		    r->params[1]);
		return;
	}
	res = query_control_soa(r, c);
	if (!db_ok(res)) {
		reply_db_error(r, res, "reading the control");
		PQclear(res);
		return;
	}
	buf = evbuffer_new();
	evbuffer_add_printf(buf, "{%s,\"text\":%s,\"soa\":", c->members,
	    c->text_json);
	row = find_row(res, c);
	if (row >= 0) {
		char version[24];

		add_json(buf, soa_entry_json(c, res, row));
		snprintf(version, sizeof(version), "%s",
		    PQgetvalue(res, row, 4));
		reply_etag(r, version);
	} else {
		evbuffer_add(buf, "null", 4);
	}
	if (c->iso_control == NULL) {
		evbuffer_add(buf, ",\"measures\":[", 13);
		for (i = 0; i < c->nmeasures; i++) {
			if (i > 0)
				evbuffer_add(buf, ", ", 2);
			add_item(buf, c->measures[i], res,
			    find_row(res, c->measures[i]));
		}
		evbuffer_add(buf, "]", 1);
	} else if (c->iso != NULL) {
		evbuffer_add(buf, ",\"iso\":", 7);
		add_item(buf, c->iso, res, find_row(res, c->iso));
	} else {
		evbuffer_add(buf, ",\"iso\":null", 11);
	}
	evbuffer_add(buf, "}", 1);
	PQclear(res);
	reply_buffer(r, 200, "application/json", buf);
}

const struct route api_controls_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/frameworks", ROLES_READ, get_frameworks, 0 },
	{ EVHTTP_REQ_GET, "/api/v1/controls", ROLES_READ, get_controls, 0 },
	{ EVHTTP_REQ_GET, "/api/v1/controls/{}/{}", ROLES_READ, get_control,
	    0 },
	{ 0, NULL, 0, NULL, 0 },
};
