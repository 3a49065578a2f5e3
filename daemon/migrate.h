/* Schema migrations from sql/, embedded at build time. */
#ifndef ISMSD_MIGRATE_H
#define ISMSD_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int migration_count;

/* The newest schema version this build supports. */
int migrate_latest_version(void);

/*
 * Applies the missing migrations in one transaction under an advisory
 * lock, so that several daemons starting at once apply each migration
 * exactly once. Refuses a database whose schema is newer than this build.
 * Returns 0, or -1 with a message in err.
 */
int migrate_apply(PGconn *conn, char *err, size_t errlen);

/* Reads the applied version; returns -1 with err when it cannot. */
int migrate_current_version(PGconn *conn, char *err, size_t errlen);

#endif
