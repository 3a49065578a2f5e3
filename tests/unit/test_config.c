/* Configuration parsing: defaults, values, and errors that name the line. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "unit.h"

static char err[1024];

static int
parse(struct config *cfg, const char *text)
{
	config_init(cfg);
	err[0] = '\0';
	return config_parse(cfg, "test.conf", text, err, sizeof(err));
}

static void
test_defaults(void)
{
	struct config cfg;

	CHECK(parse(&cfg, "") == 0);
	CHECK_STR(cfg.listen_address, "127.0.0.1");
	CHECK(cfg.listen_port == 8443);
	CHECK(cfg.workers == 0);
	CHECK(cfg.max_body_size == 1048576);
	CHECK(cfg.token_cache_seconds == 10);
	CHECK_STR(cfg.log_target, "syslog");
	CHECK(config_validate(&cfg, err, sizeof(err)) < 0);
	CHECK(strstr(err, "tls_cert_file") != NULL);
	config_free(&cfg);
}

static void
test_values(void)
{
	struct config cfg;

	CHECK(parse(&cfg,
	    "# comment\n"
	    "\n"
	    "  listen_port = 9443  \n"
	    "tls_cert_file = /etc/ismsd/server.pem\n"
	    "tls_key_file=/etc/ismsd/server.key\n"
	    "database = \"host=/run/pg dbname=ismsd\"\n"
	    "log_level = debug\n"
	    "log_target = stderr\n"
	    "pid_file =\n") == 0);
	CHECK(cfg.listen_port == 9443);
	CHECK_STR(cfg.tls_key_file, "/etc/ismsd/server.key");
	CHECK_STR(cfg.database, "host=/run/pg dbname=ismsd");
	CHECK(cfg.log_level == LOG_LEVEL_DEBUG);
	CHECK_STR(cfg.log_target, "stderr");
	CHECK_STR(cfg.pid_file, "");
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
	config_free(&cfg);
}

static const struct {
	const char *text;
	const char *expect[3]; /* substrings of the message */
} bad_cases[] = {
	{ "listen_port = 0\n", { "line 1", "listen_port", "1 to 65535" } },
	{ "\nlisten_port = 80x\n", { "line 2", "listen_port", "80x" } },
	{ "workers = -1\n", { "line 1", "workers", "0 to 256" } },
	{ "log_level = loud\n",
	    { "log_level", "loud", "debug info warning error" } },
	{ "log_target = file\n", { "log_target", "syslog stderr", "file" } },
	{ "listen_prot = 1\n", { "line 1", "unknown setting", "listen_prot" } },
	{ "just words\n", { "line 1", "key = value", "just words" } },
	{ "database = \"open\n", { "line 1", "database", "quote" } },
	{ "max_body_size = 10\n", { "max_body_size", "1024", "10" } },
};

static void
test_errors(void)
{
	struct config cfg;
	size_t i, j;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		CHECK(parse(&cfg, bad_cases[i].text) < 0);
		for (j = 0; j < 3; j++) {
			if (strstr(err, bad_cases[i].expect[j]) == NULL) {
				fprintf(stderr, "case %zu: \"%s\" not in \"%s\"\n",
				    i, bad_cases[i].expect[j], err);
				CHECK(0);
			} else {
				CHECK(1);
			}
		}
		config_free(&cfg);
	}
}

static void
test_example_file(void)
{
	struct config cfg;
	const char *dir = getenv("REPO_ROOT");
	char path[1024];

	snprintf(path, sizeof(path), "%s/deploy/ismsd.conf.example",
	    dir != NULL ? dir : ".");
	config_init(&cfg);
	/* The example shows every default; loading it changes nothing. */
	CHECK(config_load(&cfg, path, err, sizeof(err)) == 0);
	CHECK(cfg.listen_port == 8443);
	CHECK(cfg.max_connections == 1024);
	CHECK(cfg.request_timeout == 30);
	config_free(&cfg);
}

int
main(void)
{
	test_defaults();
	test_values();
	test_errors();
	test_example_file();
	return unit_finish();
}
