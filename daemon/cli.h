/* Helpers shared by the ismsd subcommands that run on the server. */
#ifndef ISMSD_CLI_H
#define ISMSD_CLI_H

#include <stdio.h>

#include <libpq-fe.h>

#include "config.h"

#define DEFAULT_CONFIG "/etc/ismsd/ismsd.conf"

enum exit_code { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2 };

void cli_usage(FILE *out);

/*
 * Connects with retries, applies migrations and, when load_catalogues is
 * set, loads the catalogue files. Returns NULL after logging the error.
 */
PGconn *prepare_database(const struct config *cfg, int load_catalogues);

/*
 * Reads the configuration at path and prepares its database without
 * loading catalogues. Returns NULL after printing the error.
 */
PGconn *cli_connect(const char *path);

/* Writes "cli:" and the Unix user name to out: the actor of CLI changes. */
void cli_actor(char *out, size_t len);

/* Appends an audit record for a CLI change. Returns 0 or -1. */
int cli_audit(PGconn *conn, const char *action, const char *object,
    const char *after);

/* Runs a statement without parameters. Returns 0 or -1. */
int cli_exec(PGconn *conn, const char *sql);

int cli_token(int argc, char **argv);
int cli_catalogue(int argc, char **argv);

#endif
