/* The audit log: list records and verify the hash chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api_util.h"
#include "http.h"
#include "log.h"
#include "util.h"

static const struct db_stmt stmt_audit_list = {
	"audit_list",
	"SELECT json_build_object('seq', seq, 'at', at, 'actor', actor, "
	"'action', action, 'object', object, 'before', before, "
	"'after', after, 'request_id', request_id, "
	"'hash', encode(hash, 'hex'))::text, seq "
	"FROM audit_log "
	"WHERE ($1::text IS NULL OR object = $1) "
	"AND ($2::text IS NULL OR action = $2) "
	"AND ($3::bigint IS NULL OR seq < $3) "
	"ORDER BY seq DESC LIMIT $4::integer",
	4,
};

static const struct db_stmt stmt_audit_verify = {
	"audit_verify", "SELECT first_bad_seq, records FROM audit_verify()", 0,
};

static void
get_audit(struct request *r)
{
	static const char *const allowed[] = { "object", "action", "limit",
		"cursor", NULL };
	const char *params[4], *cursor;
	char limit_text[24], last[24] = "";
	struct evbuffer *buf;
	PGresult *res;
	long limit, seq;
	int i, n;

	if (request_check_query(r, allowed) < 0 || page_limit(r, &limit) < 0)
		return;
	cursor = request_query(r, "cursor");
	if (cursor != NULL &&
	    parse_long(cursor, 1, 9007199254740991L, &seq) < 0) {
		reply_problem(r, 400, "invalid-parameter", "cursor",
		    "cursor is invalid; pass the \"next\" value of the "
		    "previous page unchanged");
		return;
	}
	params[0] = request_query(r, "object");
	params[1] = request_query(r, "action");
	params[2] = cursor;
	snprintf(limit_text, sizeof(limit_text), "%ld", limit + 1);
	params[3] = limit_text;
	res = db_run(r->db, &stmt_audit_list, params);
	if (!db_ok(res)) {
		reply_db_error(r, res, "reading the audit log");
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
		snprintf(last, sizeof(last), "%s", PQgetvalue(res, i, 1));
	}
	if (n > limit)
		evbuffer_add_printf(buf, "],\"next\":\"%s\"}", last);
	else
		evbuffer_add(buf, "],\"next\":null}", 14);
	PQclear(res);
	reply_buffer(r, 200, "application/json", buf);
}

static void
get_audit_verify(struct request *r)
{
	static const char *const allowed[] = { NULL };
	PGresult *res;
	json_t *body;

	if (request_check_query(r, allowed) < 0)
		return;
	res = db_run(r->db, &stmt_audit_verify, NULL);
	if (!db_ok(res)) {
		reply_db_error(r, res, "verifying the audit log");
		PQclear(res);
		return;
	}
	if (PQgetisnull(res, 0, 0))
		body = json_pack("{s:b, s:I}", "valid", 1, "records",
		    (json_int_t)strtoll(PQgetvalue(res, 0, 1), NULL, 10));
	else {
		log_error("audit log hash chain is broken at record %s",
		    PQgetvalue(res, 0, 0));
		body = json_pack("{s:b, s:I, s:I}", "valid", 0,
		    "first_bad_seq",
		    (json_int_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10),
		    "records",
		    (json_int_t)strtoll(PQgetvalue(res, 0, 1), NULL, 10));
	}
	PQclear(res);
	reply_json(r, 200, body);
}

const struct route api_audit_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/audit", ROLE_ADMIN | ROLE_AUDITOR,
	    get_audit, 0 },
	{ EVHTTP_REQ_GET, "/api/v1/audit/verify", ROLE_ADMIN | ROLE_AUDITOR,
	    get_audit_verify, 0 },
	{ 0, NULL, 0, NULL, 0 },
};
