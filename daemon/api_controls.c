/* Frameworks and controls: the catalogue, read-only. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "api_util.h"
#include "catalogue.h"
#include "http.h"
#include "sql_json.h"

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

/* Keyset pagination over (framework_id, sort_key); see api.md. */
static const struct db_stmt stmt_controls = {
	"controls_list",
	"SELECT " SQL_CONTROL_ITEM_JSON "::text, c.framework_id, c.ref "
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
 * One control with its full SoA entry, the BIO2 measures of an ISO control
 * and the ISO control of a measure. Inner queries reuse the aliases c and
 * s, which shadow the outer ones.
 */
static const struct db_stmt stmt_control = {
	"control_get",
	"SELECT json_build_object(" SQL_CONTROL_MEMBERS ")::text, "
	"CASE WHEN s.ref IS NULL THEN NULL ELSE " SQL_SOA_ENTRY_JSON
	"::text END, s.version, f.maps_to, "
	"(SELECT coalesce(json_agg(" SQL_CONTROL_ITEM_JSON
	" ORDER BY c.framework_id, c.sort_key), '[]')::text "
	"FROM control c LEFT JOIN soa_entry s "
	"ON s.framework_id = c.framework_id AND s.ref = c.ref "
	"JOIN framework mf ON mf.id = c.framework_id "
	"WHERE mf.maps_to = $1 AND c.iso_control = $2), "
	"(SELECT " SQL_CONTROL_ITEM_JSON "::text "
	"FROM control c LEFT JOIN soa_entry s "
	"ON s.framework_id = c.framework_id AND s.ref = c.ref "
	"WHERE c.framework_id = f.maps_to AND c.ref = (SELECT iso_control "
	"FROM control WHERE framework_id = $1 AND ref = $2)) "
	"FROM control c JOIN framework f ON f.id = c.framework_id "
	"LEFT JOIN soa_entry s "
	"ON s.framework_id = c.framework_id AND s.ref = c.ref "
	"WHERE c.framework_id = $1 AND c.ref = $2",
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
		    !framework_id_valid(params[i])) {
			reply_problem(r, 400, "invalid-parameter",
			    filters[i].name,
			    "framework must be a framework id such as "
			    "iso27001-2022 or bio2");
			return -1;
		}
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
		if (i > 0)
			evbuffer_add(buf, ",", 1);
		evbuffer_add(buf, PQgetvalue(res, i, 0),
		    (size_t)PQgetlength(res, i, 0));
		snprintf(last_fw, sizeof(last_fw), "%s", PQgetvalue(res, i, 1));
		snprintf(last_ref, sizeof(last_ref), "%s",
		    PQgetvalue(res, i, 2));
	}
	if (n > limit)
		evbuffer_add_printf(buf, "],\"next\":\"%s~%s\"}", last_fw,
		    last_ref);
	else
		evbuffer_add(buf, "],\"next\":null}", 14);
	PQclear(res);
	reply_buffer(r, 200, "application/json", buf);
}

/* Appends ,"name":value before the closing brace of a JSON object. */
static void
add_member(struct evbuffer *buf, const char *name, const char *json)
{
	evbuffer_add_printf(buf, ",\"%s\":%s", name,
	    json != NULL ? json : "null");
}

static void
get_control(struct request *r)
{
	static const char *const allowed[] = { NULL };
	const char *params[2] = { r->params[0], r->params[1] };
	const char *item;
	struct evbuffer *buf;
	PGresult *res;
	size_t itemlen;

	if (request_check_query(r, allowed) < 0 ||
	    control_path_valid(r) < 0)
		return;
	res = db_run(r->db, &stmt_control, params);
	if (!db_ok(res)) {
		reply_db_error(r, res, "reading the control");
		PQclear(res);
		return;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		reply_problem(r, 404, "not-found", NULL,
		    "framework \"%s\" has no control \"%s\"", r->params[0],
		    r->params[1]);
		return;
	}
	item = PQgetvalue(res, 0, 0);
	itemlen = (size_t)PQgetlength(res, 0, 0);
	buf = evbuffer_new();
	evbuffer_add(buf, item, itemlen - 1); /* without the final brace */
	add_member(buf, "soa",
	    PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1));
	if (PQgetisnull(res, 0, 3))
		add_member(buf, "measures", PQgetvalue(res, 0, 4));
	else
		add_member(buf, "iso",
		    PQgetisnull(res, 0, 5) ? NULL : PQgetvalue(res, 0, 5));
	evbuffer_add(buf, "}", 1);
	if (!PQgetisnull(res, 0, 2))
		reply_etag(r, PQgetvalue(res, 0, 2));
	PQclear(res);
	reply_buffer(r, 200, "application/json", buf);
}

const struct route api_controls_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/frameworks", ROLES_READ, get_frameworks },
	{ EVHTTP_REQ_GET, "/api/v1/controls", ROLES_READ, get_controls },
	{ EVHTTP_REQ_GET, "/api/v1/controls/{}/{}", ROLES_READ, get_control },
	{ 0, NULL, 0, NULL },
};
