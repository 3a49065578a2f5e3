#include "audit.h"

static const struct db_stmt stmt_audit_insert = {
	"audit_insert",
	"INSERT INTO audit_log (actor, action, object, before, after, "
	"request_id) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)",
	6,
};

PGresult *
audit_record(struct db *db, const char *actor, const char *action,
    const char *object, const char *before, const char *after,
    const char *request_id)
{
	const char *params[6] = { actor, action, object, before, after,
		request_id };

	return db_run(db, &stmt_audit_insert, params);
}
