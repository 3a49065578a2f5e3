/* A worker's PostgreSQL connection and its prepared statements. */
#ifndef ISMSD_DB_H
#define ISMSD_DB_H

#include <stddef.h>

#include <libpq-fe.h>

/*
 * A statement that is prepared on first use on each connection. Define
 * them as static const objects next to the code that runs them.
 */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

#define DB_MAX_PREPARED 64

struct db {
	PGconn *conn;
	char *conninfo;
	const struct db_stmt *prepared[DB_MAX_PREPARED];
	int nprepared;
};

/* Opens a connection in UTC with a clear application_name. */
PGconn *db_connect(const char *conninfo, char *err, size_t errlen);

int db_open(struct db *db, const char *conninfo, char *err, size_t errlen);
void db_close(struct db *db);

/* Reconnects when the connection was lost. Returns 0 when usable. */
int db_ensure(struct db *db);

/*
 * Runs a prepared statement with text parameters (NULL for SQL NULL).
 * Returns the result, which the caller frees with PQclear(); check it with
 * db_ok().
 */
PGresult *db_run(struct db *db, const struct db_stmt *stmt,
    const char *const *params);

/* True for a result of PGRES_COMMAND_OK or PGRES_TUPLES_OK. */
int db_ok(const PGresult *res);

int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

#endif
