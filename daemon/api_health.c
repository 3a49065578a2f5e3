/* Liveness and readiness probes; no authentication. */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "migrate.h"

static const struct db_stmt stmt_schema_version = {
	"health_schema_version",
	"SELECT coalesce(max(version), 0) FROM schema_migrations", 0,
};

static void
get_healthz(struct request *r)
{
	static const char body[] = "{\"status\":\"ok\"}";

	reply_raw(r, 200, "application/json", body, sizeof(body) - 1);
}

static void
get_readyz(struct request *r)
{
	PGresult *res;
	char body[96];
	int n;

	if (db_ensure(r->db) < 0) {
		reply_problem(r, 503, "unavailable", NULL,
		    "the database is unreachable");
		return;
	}
	res = db_run(r->db, &stmt_schema_version, NULL);
	if (!db_ok(res)) {
		PQclear(res);
		reply_problem(r, 503, "unavailable", NULL,
		    "the database does not answer");
		return;
	}
	n = migrate_latest_version();
	if (snprintf(body, sizeof(body), "%d", n) > 0 &&
	    strcmp(PQgetvalue(res, 0, 0), body) != 0) {
		reply_problem(r, 503, "unavailable", NULL,
		    "the database schema is at version %s, expected %d",
		    PQgetvalue(res, 0, 0), n);
		PQclear(res);
		return;
	}
	PQclear(res);
	n = snprintf(body, sizeof(body),
	    "{\"status\":\"ready\",\"schema_version\":%d}",
	    migrate_latest_version());
	reply_raw(r, 200, "application/json", body, (size_t)n);
}

const struct route api_health_routes[] = {
	{ EVHTTP_REQ_GET, "/healthz", 0, get_healthz, 0 },
	{ EVHTTP_REQ_GET, "/readyz", 0, get_readyz, 0 },
	{ 0, NULL, 0, NULL, 0 },
};
