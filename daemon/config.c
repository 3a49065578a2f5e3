#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

enum setting_type { SETTING_STRING, SETTING_LONG, SETTING_ENUM, SETTING_LOG };

/* Every setting, its type and its accepted values; see ismsd.conf.example. */
struct setting {
	const char *name;
	enum setting_type type;
	size_t offset;
	long min;
	long max;
	const char *choices; /* space-separated, for SETTING_ENUM */
};

#define STR(name) { #name, SETTING_STRING, offsetof(struct config, name), 0, 0, NULL }
#define NUM(name, lo, hi) { #name, SETTING_LONG, offsetof(struct config, name), lo, hi, NULL }

static const struct setting settings[] = {
	STR(listen_address),
	NUM(listen_port, 1, 65535),
	NUM(workers, 0, 256),
	STR(tls_cert_file),
	STR(tls_key_file),
	STR(database),
	STR(controls_dir),
	NUM(max_body_size, 1024, 1073741824),
	NUM(request_timeout, 1, 3600),
	NUM(max_connections, 1, 1000000),
	NUM(token_cache_seconds, 0, 3600),
	{ "log_level", SETTING_LOG, offsetof(struct config, log_level), 0, 0,
	    "debug info warning error" },
	{ "log_target", SETTING_ENUM, offsetof(struct config, log_target), 0,
	    0, "syslog stderr" },
	STR(pid_file),
};

#undef STR
#undef NUM

static void
set_string(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	set_string(&cfg->listen_address, "127.0.0.1");
	cfg->listen_port = 8443;
	cfg->workers = 0;
	set_string(&cfg->tls_cert_file, "");
	set_string(&cfg->tls_key_file, "");
	set_string(&cfg->database, "");
	set_string(&cfg->controls_dir, "/usr/local/share/ismsd/controls");
	cfg->max_body_size = 1048576;
	cfg->request_timeout = 30;
	cfg->max_connections = 1024;
	cfg->token_cache_seconds = 10;
	cfg->log_level = LOG_LEVEL_INFO;
	set_string(&cfg->log_target, "syslog");
	set_string(&cfg->pid_file, "");
}

void
config_free(struct config *cfg)
{
	free(cfg->listen_address);
	free(cfg->tls_cert_file);
	free(cfg->tls_key_file);
	free(cfg->database);
	free(cfg->controls_dir);
	free(cfg->log_target);
	free(cfg->pid_file);
	memset(cfg, 0, sizeof(*cfg));
}

static const struct setting *
setting_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

static int
setting_apply(struct config *cfg, const struct setting *s, const char *value,
    const char *where, char *err, size_t errlen)
{
	char *base = (char *)cfg;
	long n;

	switch (s->type) {
	case SETTING_STRING:
		set_string((char **)(void *)(base + s->offset), value);
		return 0;
	case SETTING_LONG:
		if (parse_long(value, s->min, s->max, &n) < 0) {
			snprintf(err, errlen,
			    "%s: invalid value \"%s\" for %s: expected a whole "
			    "number from %ld to %ld",
			    where, value, s->name, s->min, s->max);
			return -1;
		}
		*(long *)(void *)(base + s->offset) = n;
		return 0;
	case SETTING_ENUM:
		if (!word_in_list(s->choices, value))
			break;
		set_string((char **)(void *)(base + s->offset), value);
		return 0;
	case SETTING_LOG:
		if (log_level_parse(value,
		    (enum log_level *)(void *)(base + s->offset)) < 0)
			break;
		return 0;
	}
	snprintf(err, errlen,
	    "%s: invalid value \"%s\" for %s: expected one of %s", where,
	    value, s->name, s->choices);
	return -1;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Removes surrounding double quotes; returns -1 on an unbalanced quote. */
static int
unquote(char **value)
{
	char *v = *value;
	size_t len = strlen(v);

	if (len == 0 || v[0] != '"')
		return strchr(v, '"') == NULL ? 0 : -1;
	if (len < 2 || v[len - 1] != '"')
		return -1;
	v[len - 1] = '\0';
	*value = v + 1;
	return strchr(*value, '"') == NULL ? 0 : -1;
}

static int
parse_line(struct config *cfg, char *line, const char *where, char *err,
    size_t errlen)
{
	const struct setting *s;
	char *eq, *key, *value;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL) {
		snprintf(err, errlen,
		    "%s: expected \"key = value\", found \"%.80s\"", where,
		    line);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	s = setting_find(key);
	if (s == NULL) {
		snprintf(err, errlen,
		    "%s: unknown setting \"%.80s\"; see ismsd.conf.example "
		    "for the settings",
		    where, key);
		return -1;
	}
	if (unquote(&value) < 0) {
		snprintf(err, errlen,
		    "%s: unbalanced double quote in the value of %s", where,
		    key);
		return -1;
	}
	return setting_apply(cfg, s, value, where, err, errlen);
}

int
config_parse(struct config *cfg, const char *name, const char *text,
    char *err, size_t errlen)
{
	char *copy, *line, *next, where[512];
	int lineno = 0, rc = 0;

	copy = xstrdup(text);
	for (line = copy; line != NULL && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		snprintf(where, sizeof(where), "%s line %d", name, lineno);
		rc = parse_line(cfg, line, where, err, errlen);
	}
	free(copy);
	return rc;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int rc = -1;

	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "cannot open configuration file %s: %s",
		    path, strerror(errno));
		return -1;
	}
	do {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > 1048576) {
				snprintf(err, errlen,
				    "%s: configuration file is larger than "
				    "1 MiB", path);
				goto done;
			}
			text = realloc(text, cap);
			if (text == NULL)
				abort();
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		goto done;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		goto done;
	}
	rc = config_parse(cfg, path, text, err, errlen);
done:
	free(text);
	fclose(f);
	return rc;
}

int
config_validate(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->tls_cert_file[0] == '\0') {
		snprintf(err, errlen, "tls_cert_file is required: set it to "
		    "the PEM server certificate");
		return -1;
	}
	if (cfg->tls_key_file[0] == '\0') {
		snprintf(err, errlen, "tls_key_file is required: set it to "
		    "the PEM private key");
		return -1;
	}
	if (cfg->database[0] == '\0') {
		snprintf(err, errlen, "database is required: set it to a "
		    "libpq connection string, for example "
		    "\"host=/var/run/postgresql dbname=ismsd\"");
		return -1;
	}
	if (cfg->listen_address[0] == '\0') {
		snprintf(err, errlen, "listen_address must not be empty");
		return -1;
	}
	return 0;
}
