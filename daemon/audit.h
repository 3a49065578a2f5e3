/* The audit log: one record per change, written in the change's
 * transaction. The hash chain is computed by the database trigger. */
#ifndef ISMSD_AUDIT_H
#define ISMSD_AUDIT_H

#include "db.h"

/*
 * Appends a record. before and after are JSON texts or NULL. Returns the
 * result for the caller to check with db_ok() and free with PQclear().
 */
PGresult *audit_record(struct db *db, const char *actor, const char *action,
    const char *object, const char *before, const char *after,
    const char *request_id);

#endif
