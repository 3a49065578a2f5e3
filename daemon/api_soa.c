/* The Statement of Applicability: read, export as CSV, and update. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api_util.h"
#include "audit.h"
#include "csv.h"
#include "http.h"
#include "soa_rules.h"
#include "sql_json.h"
#include "util.h"

#define SQL_RFC3339(col)                                                   \
	"to_char(" col " AT TIME ZONE 'UTC', "                             \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define SQL_SOA_FROM                                                       \
	" FROM soa_entry s JOIN control c "                                \
	"ON c.framework_id = s.framework_id AND c.ref = s.ref "

static const struct db_stmt stmt_soa_list = {
	"soa_list",
	"SELECT " SQL_SOA_ENTRY_JSON "::text, s.framework_id, s.ref, "
	"c.iso_control, c.title, "
	"c.theme, CASE s.applicable WHEN true THEN 'yes' "
	"WHEN false THEN 'no' END, s.justification, s.status, s.owner, "
	"array_to_string(s.evidence, E'\\n'), "
	SQL_RFC3339("s.reviewed_at") ", " SQL_RFC3339("s.next_review_at")
	", s.version, " SQL_RFC3339("s.updated_at") ", s.updated_by"
	SQL_SOA_FROM "WHERE s.framework_id = $1 ORDER BY c.sort_key",
	1,
};

static const struct db_stmt stmt_soa_get = {
	"soa_get",
	"SELECT " SQL_SOA_ENTRY_JSON "::text, s.version" SQL_SOA_FROM
	"WHERE s.framework_id = $1 AND s.ref = $2",
	2,
};

/* Locks the entry for the update and returns its current values. */
static const struct db_stmt stmt_soa_lock = {
	"soa_lock",
	"SELECT CASE s.applicable WHEN true THEN '1' WHEN false THEN '0' "
	"END, s.justification, s.status, s.owner, to_json(s.evidence)::text, "
	SQL_RFC3339("s.reviewed_at") ", " SQL_RFC3339("s.next_review_at")
	", s.version, c.iso_control IS NOT NULL, "
	SQL_SOA_ENTRY_JSON "::text" SQL_SOA_FROM
	"WHERE s.framework_id = $1 AND s.ref = $2 FOR UPDATE OF s",
	2,
};

static const struct db_stmt stmt_control_status = {
	"control_status",
	"SELECT CASE catalogue_status "
	"WHEN 'moved' THEN 'was moved to ' || coalesce(moved_to, '?') "
	"WHEN 'lapsed' THEN 'has lapsed' "
	"WHEN 'no_government_measure' THEN 'is not a government measure' "
	"ELSE 'has no entry' END FROM control "
	"WHERE framework_id = $1 AND ref = $2",
	2,
};

static const struct db_stmt stmt_soa_update = {
	"soa_update",
	"UPDATE soa_entry s SET applicable = $3::boolean, "
	"justification = $4, status = $5, owner = $6, "
	"evidence = ARRAY(SELECT json_array_elements_text($7::json)), "
	"reviewed_at = $8::timestamptz, next_review_at = $9::timestamptz, "
	"version = s.version + 1, updated_at = now(), updated_by = $10 "
	"FROM control c WHERE c.framework_id = s.framework_id "
	"AND c.ref = s.ref AND s.framework_id = $1 AND s.ref = $2 "
	"RETURNING " SQL_SOA_ENTRY_JSON "::text, s.version",
	10,
};

static void
soa_csv(struct request *r, PGresult *res)
{
	static const char *const header[] = { "framework", "ref",
		"iso_control", "title", "theme", "applicable", "justification",
		"status", "owner", "evidence", "reviewed_at", "next_review_at",
		"version", "updated_at", "updated_by" };
	struct evbuffer *buf = evbuffer_new();
	size_t i;
	int row, col;

	for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		csv_field(buf, header[i], i == 0);
	csv_end_row(buf);
	for (row = 0; row < PQntuples(res); row++) {
		/* Columns 1-15 of stmt_soa_list, in header order. */
		for (col = 1; col <= 15; col++)
			csv_field(buf,
			    PQgetisnull(res, row, col)
				? NULL
				: PQgetvalue(res, row, col),
			    col == 1);
		csv_end_row(buf);
	}
	reply_header(r, "Content-Disposition",
	    "attachment; filename=\"statement-of-applicability.csv\"");
	reply_buffer(r, 200, "text/csv; charset=utf-8", buf);
}

static void
get_soa(struct request *r)
{
	static const char *const allowed[] = { "framework", NULL };
	const char *framework = request_query(r, "framework");
	const char *params[1];
	struct evbuffer *buf;
	PGresult *res;
	int i, csv;

	if (request_check_query(r, allowed) < 0)
		return;
	if (framework == NULL)
		framework = "iso27001-2022";
	if (!framework_param_valid(r, framework))
		return;
	/* JSON unless the client ranks CSV higher. */
	csv = request_accept_quality(r, "text/csv") >
	    request_accept_quality(r, "application/json");
	params[0] = framework;
	res = db_run(r->db, &stmt_soa_list, params);
	if (!db_ok(res)) {
		reply_db_error(r, res, "reading the SoA");
		PQclear(res);
		return;
	}
	if (csv) {
		soa_csv(r, res);
		PQclear(res);
		return;
	}
	buf = evbuffer_new();
	evbuffer_add_printf(buf, "{\"framework\":\"%s\",\"items\":[",
	    framework);
	for (i = 0; i < PQntuples(res); i++) {
		if (i > 0)
			evbuffer_add(buf, ",", 1);
		evbuffer_add(buf, PQgetvalue(res, i, 0),
		    (size_t)PQgetlength(res, i, 0));
	}
	evbuffer_add(buf, "],\"next\":null}", 14);
	PQclear(res);
	reply_buffer(r, 200, "application/json", buf);
}

/*
 * Replies 404 for an unknown control and for a GET of a control without
 * an entry, and 422 for a change to a control that cannot have one.
 */
static void
reply_no_entry(struct request *r, int status)
{
	const char *params[2] = { r->params[0], r->params[1] };
	PGresult *res;

	res = db_run(r->db, &stmt_control_status, params);
	if (db_ok(res) && PQntuples(res) == 1)
		reply_problem(r, status,
		    status == 404 ? "not-found" : "rule-violation", NULL,
		    "%s %s has no SoA entry: it %s",
		    r->params[0], r->params[1], PQgetvalue(res, 0, 0));
	else
		reply_problem(r, 404, "not-found", NULL,
		    "framework \"%s\" has no control \"%s\"", r->params[0],
		    r->params[1]);
	PQclear(res);
}

static void
get_soa_entry(struct request *r)
{
	static const char *const allowed[] = { NULL };
	const char *params[2] = { r->params[0], r->params[1] };
	PGresult *res;

	if (request_check_query(r, allowed) < 0 || control_path_valid(r) < 0)
		return;
	res = db_run(r->db, &stmt_soa_get, params);
	if (!db_ok(res)) {
		reply_db_error(r, res, "reading the SoA entry");
		PQclear(res);
		return;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		reply_no_entry(r, 404);
		return;
	}
	reply_etag(r, PQgetvalue(res, 0, 1));
	reply_raw(r, 200, "application/json", PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0));
	PQclear(res);
}

/*
 * Reads If-Match, which must name exactly one of our strong ETags. Returns
 * the version it names, or -1 after replying: 428 when it is missing or
 * "*", 412 for a weak ETag (never equal under If-Match's strong
 * comparison), 400 when it cannot be parsed.
 */
static long
if_match_version(struct request *r)
{
	const char *etag = request_header(r, "If-Match");
	size_t len, i;
	long version;

	if (etag == NULL || strcmp(etag, "*") == 0) {
		reply_problem(r, 428, "precondition-required", NULL,
		    "send If-Match with the entry's current ETag (for example "
		    "If-Match: \"v3\"); GET the entry to read it");
		return -1;
	}
	if (strncmp(etag, "W/", 2) == 0) {
		reply_problem(r, 412, "precondition-failed", NULL,
		    "a weak ETag never matches If-Match; send the entry's "
		    "ETag as the server sent it, such as \"v3\"");
		return -1;
	}
	len = strlen(etag);
	for (i = 2; len > 3 && i < len - 1; i++)
		if (etag[i] < '0' || etag[i] > '9')
			break;
	/* Versions start at 1 and have no leading zeros. */
	if (len < 4 || len > 14 || strncmp(etag, "\"v", 2) != 0 ||
	    etag[2] == '0' || etag[len - 1] != '"' || i != len - 1) {
		reply_problem(r, 400, "invalid-value", "If-Match",
		    "If-Match must be one ETag such as \"v3\", with the "
		    "double quotes");
		return -1;
	}
	version = strtol(etag + 2, NULL, 10);
	return version;
}

static const char *
pg_value(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col);
}

/* Fills cur from a stmt_soa_lock row; evidence is parsed into *evidence. */
static void
current_values(const PGresult *res, struct soa_values *cur,
    json_t **evidence)
{
	const char *applicable = pg_value(res, 0);

	cur->applicable = applicable == NULL ? SOA_UNDECIDED
					     : applicable[0] == '1';
	cur->justification = pg_value(res, 1);
	cur->status = pg_value(res, 2);
	cur->owner = pg_value(res, 3);
	*evidence = json_loads(PQgetvalue(res, 0, 4), 0, NULL);
	cur->evidence = *evidence;
	cur->reviewed_at = pg_value(res, 5);
	cur->next_review_at = pg_value(res, 6);
}

/* Runs the UPDATE and the audit insert inside the caller's transaction. */
static PGresult *
store_entry(struct request *r, const struct soa_values *v,
    const char *before)
{
	const char *params[10];
	char object[300], *evidence = NULL;
	PGresult *res, *audit;

	if (v->evidence != NULL)
		evidence = json_dumps(v->evidence, JSON_COMPACT);
	params[0] = r->params[0];
	params[1] = r->params[1];
	params[2] = v->applicable == SOA_UNDECIDED ? NULL
		  : v->applicable ? "true" : "false";
	params[3] = v->justification;
	params[4] = v->status;
	params[5] = v->owner;
	params[6] = evidence != NULL ? evidence : "[]";
	params[7] = v->reviewed_at;
	params[8] = v->next_review_at;
	params[9] = r->actor;
	res = db_run(r->db, &stmt_soa_update, params);
	free(evidence);
	if (!db_ok(res) || PQntuples(res) != 1)
		return res;
	snprintf(object, sizeof(object), "soa/%s/%s", r->params[0],
	    r->params[1]);
	audit = audit_record(r->db, r->actor, "soa.update", object, before,
	    PQgetvalue(res, 0, 0), r->request_id);
	if (!db_ok(audit)) {
		PQclear(res);
		return audit;
	}
	PQclear(audit);
	return res;
}

static void
patch_soa_entry(struct request *r)
{
	static const char *const allowed[] = { NULL };
	const char *params[2] = { r->params[0], r->params[1] };
	struct soa_values cur, next;
	struct soa_patch patch;
	struct soa_error err;
	json_t *body = NULL, *evidence = NULL;
	PGresult *res = NULL;
	long expected;
	char version[24];

	if (request_check_query(r, allowed) < 0 || control_path_valid(r) < 0)
		return;
	if ((expected = if_match_version(r)) < 0)
		return;
	if ((body = request_json_body(r)) == NULL)
		return;
	if (soa_patch_parse(body, &patch, &err) < 0) {
		reply_problem(r, err.status, err.type, err.field, "%s",
		    err.detail);
		goto done;
	}
	if (db_begin(r->db) < 0) {
		reply_problem(r, 503, "unavailable", NULL,
		    "the database is unavailable; try again later");
		goto done;
	}
	res = db_run(r->db, &stmt_soa_lock, params);
	if (!db_ok(res)) {
		reply_db_error(r, res, "reading the SoA entry");
		goto rollback;
	}
	if (PQntuples(res) == 0) {
		db_rollback(r->db);
		reply_no_entry(r, 422);
		goto done;
	}
	snprintf(version, sizeof(version), "%s", PQgetvalue(res, 0, 7));
	if (strtol(version, NULL, 10) != expected) {
		reply_etag(r, version);
		reply_problem(r, 412, "precondition-failed", NULL,
		    "the entry changed since you read it: it is at version %s, "
		    "you sent v%ld; GET it again and reapply your change",
		    version, expected);
		goto rollback;
	}
	current_values(res, &cur, &evidence);
	if (soa_patch_apply(&cur, &patch, PQgetvalue(res, 0, 8)[0] == 't',
	    &next, &err) < 0) {
		reply_problem(r, err.status, err.type, err.field, "%s",
		    err.detail);
		goto rollback;
	}
	{
		PGresult *updated = store_entry(r, &next,
		    PQgetvalue(res, 0, 9));

		PQclear(res);
		res = updated;
	}
	if (!db_ok(res) || PQntuples(res) != 1) {
		reply_db_error(r, res, "updating the SoA entry");
		goto rollback;
	}
	if (db_commit(r->db) < 0) {
		reply_problem(r, 503, "unavailable", NULL,
		    "committing the change failed; it was not saved");
		goto rollback;
	}
	reply_etag(r, PQgetvalue(res, 0, 1));
	reply_raw(r, 200, "application/json", PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0));
	goto done;
rollback:
	db_rollback(r->db);
done:
	PQclear(res);
	json_decref(evidence);
	json_decref(body);
}

const struct route api_soa_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/soa", ROLES_READ, get_soa, ROUTE_CSV },
	{ EVHTTP_REQ_GET, "/api/v1/soa/{}/{}", ROLES_READ, get_soa_entry,
	    0 },
	{ EVHTTP_REQ_PATCH, "/api/v1/soa/{}/{}", ROLE_ADMIN | ROLE_CISO,
	    patch_soa_entry, 0 },
	{ 0, NULL, 0, NULL, 0 },
};
