#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "migrate.h"
#include "util.h"

/* Any fixed number works; it only has to differ from our other locks. */
#define MIGRATE_LOCK_KEY "7262348001"

int
migrate_latest_version(void)
{
	return migration_count > 0 ? migrations[migration_count - 1].version
				   : 0;
}

static int
exec_ok(PGconn *conn, const char *sql, const char *step, char *err,
    size_t errlen)
{
	PGresult *res;
	int ok;

	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errlen, "%s failed: %s", step,
		    PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

static int
read_version(PGconn *conn, char *err, size_t errlen)
{
	PGresult *res;
	long version = -1;

	res = PQexec(conn, "SELECT coalesce(max(version), 0) "
			   "FROM schema_migrations");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		snprintf(err, errlen, "reading schema_migrations failed: %s",
		    PQresultErrorMessage(res));
	else if (parse_long(PQgetvalue(res, 0, 0), 0, 1000000, &version) < 0)
		snprintf(err, errlen, "schema_migrations contains an invalid "
		    "version \"%s\"", PQgetvalue(res, 0, 0));
	PQclear(res);
	return (int)version;
}

int
migrate_current_version(PGconn *conn, char *err, size_t errlen)
{
	return read_version(conn, err, errlen);
}

static int
apply_one(PGconn *conn, const struct migration *m, char *err, size_t errlen)
{
	const char *params[2];
	char version[16], step[128];
	PGresult *res;
	int ok;

	snprintf(step, sizeof(step), "migration %03d_%s", m->version, m->name);
	if (exec_ok(conn, m->sql, step, err, errlen) < 0)
		return -1;
	snprintf(version, sizeof(version), "%d", m->version);
	params[0] = version;
	params[1] = m->name;
	res = PQexecParams(conn,
	    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
	    2, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(err, errlen, "recording %s failed: %s", step,
		    PQresultErrorMessage(res));
	PQclear(res);
	if (ok)
		log_info("applied %s", step);
	return ok ? 0 : -1;
}

int
migrate_apply(PGconn *conn, char *err, size_t errlen)
{
	int current, latest = migrate_latest_version(), i;

	if (exec_ok(conn, "BEGIN", "BEGIN", err, errlen) < 0)
		return -1;
	if (exec_ok(conn, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")",
	    "taking the migration lock", err, errlen) < 0)
		goto fail;
	if (exec_ok(conn,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version integer PRIMARY KEY,"
	    " name text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())",
	    "creating schema_migrations", err, errlen) < 0)
		goto fail;
	current = read_version(conn, err, errlen);
	if (current < 0)
		goto fail;
	if (current > latest) {
		snprintf(err, errlen,
		    "the database schema is at version %d, newer than the "
		    "newest this ismsd supports (%d); upgrade ismsd before "
		    "starting it against this database",
		    current, latest);
		goto fail;
	}
	for (i = 0; i < migration_count; i++) {
		if (migrations[i].version <= current)
			continue;
		if (apply_one(conn, &migrations[i], err, errlen) < 0)
			goto fail;
	}
	if (exec_ok(conn, "COMMIT", "COMMIT", err, errlen) < 0)
		return -1;
	if (current < latest)
		log_info("database schema upgraded from version %d to %d",
		    current, latest);
	return 0;
fail:
	(void)exec_ok(conn, "ROLLBACK", "ROLLBACK", err + strlen(err),
	    errlen - strlen(err));
	return -1;
}
