#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

/* Server notices (such as "already exists, skipping") go to the debug log. */
static void
db_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("database notice: %.*s", (int)strcspn(message, "\n"),
	    message);
}

PGconn *
db_connect(const char *conninfo, char *err, size_t errlen)
{
	const char *keys[] = { "dbname", "application_name", "options",
		NULL };
	const char *values[] = { conninfo, "ismsd", "-c TimeZone=UTC",
		NULL };
	PGconn *conn;

	/* expand_dbname lets conninfo be a full connection string or URI. */
	conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL) {
		snprintf(err, errlen, "connecting to the database failed: "
		    "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "connecting to the database failed: %s",
		    PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, db_notice, NULL);
	return conn;
}

int
db_open(struct db *db, const char *conninfo, char *err, size_t errlen)
{
	memset(db, 0, sizeof(*db));
	db->conninfo = xstrdup(conninfo);
	db->conn = db_connect(conninfo, err, errlen);
	return db->conn == NULL ? -1 : 0;
}

void
db_close(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	memset(db, 0, sizeof(*db));
}

int
db_ensure(struct db *db)
{
	char err[512];

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->nprepared = 0;
	db->conn = db_connect(db->conninfo, err, sizeof(err));
	if (db->conn == NULL) {
		log_error("%s", err);
		return -1;
	}
	log_info("database connection re-established");
	return 0;
}

int
db_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int
db_prepare(struct db *db, const struct db_stmt *stmt)
{
	PGresult *res;
	int i, ok;

	for (i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == stmt)
			return 0;
	if (db->nprepared == DB_MAX_PREPARED) {
		log_error("more than %d prepared statements; raise "
			  "DB_MAX_PREPARED", DB_MAX_PREPARED);
		return -1;
	}
	res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL);
	ok = db_ok(res);
	if (!ok)
		log_error("preparing statement %s failed: %s", stmt->name,
		    PQresultErrorMessage(res));
	else
		db->prepared[db->nprepared++] = stmt;
	PQclear(res);
	return ok ? 0 : -1;
}

static PGresult *
db_run_once(struct db *db, const struct db_stmt *stmt,
    const char *const *params)
{
	if (db_prepare(db, stmt) < 0)
		return PQexecParams(db->conn, stmt->sql, stmt->nparams, NULL,
		    params, NULL, NULL, 0);
	return PQexecPrepared(db->conn, stmt->name, stmt->nparams, params,
	    NULL, NULL, 0);
}

PGresult *
db_run(struct db *db, const struct db_stmt *stmt, const char *const *params)
{
	int idle = PQtransactionStatus(db->conn) == PQTRANS_IDLE;
	PGresult *res;

	res = db_run_once(db, stmt, params);
	/*
	 * A connection lost while idle (a database restart) shows only when
	 * it is next used. Outside a transaction nothing was half done, so
	 * reconnect and run the statement once more.
	 */
	if (!db_ok(res) && idle && PQstatus(db->conn) == CONNECTION_BAD) {
		log_warn("database connection lost: %s; reconnecting",
		    PQerrorMessage(db->conn));
		if (db_ensure(db) == 0) {
			PQclear(res);
			res = db_run_once(db, stmt, params);
		}
	}
	return res;
}

static int
db_command(struct db *db, const char *sql)
{
	PGresult *res;
	int ok;

	res = PQexec(db->conn, sql);
	ok = db_ok(res);
	if (!ok)
		log_error("%s failed: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

int
db_begin(struct db *db)
{
	return db_command(db, "BEGIN");
}

int
db_commit(struct db *db)
{
	return db_command(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		(void)db_command(db, "ROLLBACK");
}
