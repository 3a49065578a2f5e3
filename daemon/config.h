/* The daemon's configuration file: "key = value" lines, one table. */
#ifndef ISMSD_CONFIG_H
#define ISMSD_CONFIG_H

#include <stddef.h>

#include "log.h"

struct config {
	char *listen_address;
	long listen_port;
	long workers; /* 0: one per CPU */
	char *tls_cert_file;
	char *tls_key_file;
	char *database; /* libpq connection string */
	char *controls_dir;
	long max_body_size;
	long request_timeout;
	long max_connections;
	long token_cache_seconds;
	enum log_level log_level;
	char *log_target; /* "syslog" or "stderr" */
	char *pid_file;   /* empty: none */
};

/* Fills cfg with the defaults. Caller frees with config_free(). */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/*
 * Parses configuration text into cfg (which must contain the defaults). Returns 0,
 * or -1 with a message in err naming the line, the setting and the
 * accepted values. name is used in messages (usually the file path).
 */
int config_parse(struct config *cfg, const char *name, const char *text,
    char *err, size_t errlen);
int config_load(struct config *cfg, const char *path, char *err,
    size_t errlen);

/* Checks that required settings are present. Returns 0 or -1 with err. */
int config_validate(const struct config *cfg, char *err, size_t errlen);

#endif
