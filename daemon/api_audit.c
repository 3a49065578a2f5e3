/* The audit log: list records and verify the hash chain. */
#include <ctype.h>
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

/*
 * Recomputes the chain and reads the newest record. With an anchor (a seq
 * and hash recorded earlier, outside the database) it also checks that the
 * record still has that hash, which catches a rewritten or cut chain.
 */
static const struct db_stmt stmt_audit_verify = {
	"audit_verify",
	"SELECT v.first_bad_seq, v.records, h.seq, encode(h.hash, 'hex'), "
	"CASE WHEN $1::bigint IS NULL THEN NULL ELSE coalesce(("
	"SELECT encode(a.hash, 'hex') = lower($2) FROM audit_log a "
	"WHERE a.seq = $1::bigint), false) END "
	"FROM audit_verify() v LEFT JOIN LATERAL (SELECT seq, hash "
	"FROM audit_log ORDER BY seq DESC LIMIT 1) h ON true",
	2,
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

static json_int_t
int_value(const PGresult *res, int col)
{
	return (json_int_t)strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

/* Reads anchor_seq and anchor_hash; both or neither must be given. */
static int
anchor_params(struct request *r, const char **params)
{
	const char *seq = request_query(r, "anchor_seq");
	const char *hash = request_query(r, "anchor_hash");
	long value;
	size_t i;

	params[0] = seq;
	params[1] = hash;
	if (seq == NULL && hash == NULL)
		return 0;
	if (seq == NULL || parse_long(seq, 1, 9007199254740991L, &value) < 0) {
		reply_problem(r, 400, "invalid-parameter", "anchor_seq",
		    "anchor_seq must be the seq of an audit record, given "
		    "together with anchor_hash");
		return -1;
	}
	for (i = 0; hash != NULL && isxdigit((unsigned char)hash[i]); i++)
		;
	if (hash == NULL || i != 64 || hash[i] != '\0') {
		reply_problem(r, 400, "invalid-parameter", "anchor_hash",
		    "anchor_hash must be the 64 hex digits of the record's hash, "
		    "given together with anchor_seq");
		return -1;
	}
	return 0;
}

static void
get_audit_verify(struct request *r)
{
	static const char *const allowed[] = { "anchor_seq", "anchor_hash",
		NULL };
	const char *params[2];
	PGresult *res;
	json_t *body;
	int valid;

	if (request_check_query(r, allowed) < 0 ||
	    anchor_params(r, params) < 0)
		return;
	res = db_run(r->db, &stmt_audit_verify, params);
	if (!db_ok(res)) {
		reply_db_error(r, res, "verifying the audit log");
		PQclear(res);
		return;
	}
	valid = PQgetisnull(res, 0, 0);
	body = json_pack("{s:b, s:I}", "valid", valid, "records",
	    int_value(res, 1));
	if (!valid) {
		log_error("audit log hash chain is broken at record %s",
		    PQgetvalue(res, 0, 0));
		json_object_set_new(body, "first_bad_seq",
		    json_integer(int_value(res, 0)));
	}
	json_object_set_new(body, "head_seq",
	    PQgetisnull(res, 0, 2) ? json_null()
				   : json_integer(int_value(res, 2)));
	json_object_set_new(body, "head_hash",
	    PQgetisnull(res, 0, 3) ? json_null()
				   : json_string(PQgetvalue(res, 0, 3)));
	if (!PQgetisnull(res, 0, 4)) {
		int anchor_matches = PQgetvalue(res, 0, 4)[0] == 't';

		if (!anchor_matches)
			log_error("request %s by %s: audit anchor record %s "
				  "is missing or has another hash (a rewritten "
				  "or cut chain, or a wrong anchor)",
			    r->request_id, r->actor, params[0]);
		json_object_set_new(body, "anchor_valid", json_boolean(anchor_matches));
	}
	PQclear(res);
	reply_json(r, 200, body);
}

const struct route api_audit_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/audit", ROLES_READ, get_audit, 0 },
	{ EVHTTP_REQ_GET, "/api/v1/audit/verify", ROLES_READ,
	    get_audit_verify, 0 },
	{ 0, NULL, 0, NULL, 0 },
};
