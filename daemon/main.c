/* ismsd: command line and start-up; the subcommands are in cli_*.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogue.h"
#include "cli.h"
#include "catalogue_cache.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "migrate.h"
#include "tls.h"
#include "token.h"
#include "util.h"
#include "version.h"

/* Seconds to keep retrying the database at start-up before giving up. */
#define STARTUP_DB_WAIT 30

void
cli_usage(FILE *out)
{
	fprintf(out,
	    "usage: ismsd [-d] [-n] [-f FILE]\n"
	    "       ismsd token create --role ROLE --name NAME [-f FILE]\n"
	    "                          [--expires-days N]\n"
	    "       ismsd token list [-f FILE]\n"
	    "       ismsd token revoke --name NAME [-f FILE]\n"
	    "       ismsd catalogue import-text --framework ID FILE [-f FILE]\n"
	    "\n"
	    "Runs the ISMS daemon: the ISO/IEC 27001:2022 and BIO2 control\n"
	    "catalogue and Statement of Applicability over HTTPS.\n"
	    "\n"
	    "  -f FILE     configuration file (default " DEFAULT_CONFIG ")\n"
	    "  -d          stay in the foreground and log to stderr\n"
	    "  -n          check the configuration and exit\n"
	    "  --help      show this help\n"
	    "  --version   show the version\n"
	    "\n"
	    "token create prints a new API token once; the daemon stores\n"
	    "only its SHA-256 digest. ROLE is admin, ciso or auditor.\n"
	    "--expires-days takes 0 to 3650; 0 (the default) means the token\n"
	    "never expires. Token names are unique, revoked ones included.\n"
	    "\n"
	    "catalogue import-text stores measure texts from a Markdown file\n"
	    "with one \"## REF\" heading per measure, such as your copy of\n"
	    "the BIO2 measures. Restart ismsd to show the new titles.\n"
	    "\n"
	    "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int
load_config(struct config *cfg, const char *path)
{
	char err[1024];

	config_init(cfg);
	if (config_load(cfg, path, err, sizeof(err)) < 0 ||
	    config_validate(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "ismsd: %s\n", err);
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* Connects, retrying for a while: PostgreSQL may still be starting. */
static PGconn *
connect_with_retry(const struct config *cfg)
{
	char err[1024];
	PGconn *conn;
	int waited = 0;

	for (;;) {
		conn = db_connect(cfg->database, err, sizeof(err));
		if (conn != NULL)
			return conn;
		if (waited >= STARTUP_DB_WAIT) {
			log_error("%s; giving up after %d seconds", err,
			    waited);
			return NULL;
		}
		log_warn("%s; retrying in 2 seconds", err);
		sleep(2);
		waited += 2;
	}
}

/* Applies migrations and, when asked, loads catalogues. */
PGconn *
prepare_database(const struct config *cfg, int load_catalogues)
{
	char err[2048];
	PGconn *conn;

	conn = connect_with_retry(cfg);
	if (conn == NULL)
		return NULL;
	if (migrate_apply(conn, err, sizeof(err)) < 0) {
		log_error("%s", err);
		PQfinish(conn);
		return NULL;
	}
	if (load_catalogues &&
	    catalogue_load_dir(conn, cfg->controls_dir, err, sizeof(err)) <
		0) {
		log_error("loading catalogues from %s failed: %s",
		    cfg->controls_dir, err);
		PQfinish(conn);
		return NULL;
	}
	/*
	 * A new database has no planner statistics until autovacuum runs,
	 * and the list queries plan badly without them.
	 */
	if (load_catalogues &&
	    cli_exec(conn, "ANALYZE framework, control, control_mapping, "
			   "soa_entry") < 0)
		log_warn("ANALYZE of the catalogue tables failed: %s",
		    PQerrorMessage(conn));
	return conn;
}

PGconn *
cli_connect(const char *path)
{
	struct config cfg;
	char err[1024];
	PGconn *conn = NULL;

	config_init(&cfg);
	if (config_load(&cfg, path, err, sizeof(err)) < 0)
		fprintf(stderr, "ismsd: %s\n", err);
	else if (cfg.database[0] == '\0')
		fprintf(stderr, "ismsd: %s does not set database\n", path);
	else {
		log_init(LOG_LEVEL_WARNING, 0);
		conn = prepare_database(&cfg, 0);
	}
	config_free(&cfg);
	return conn;
}

static int
check_config(const struct config *cfg, const char *path)
{
	char err[1024];
	SSL_CTX *ctx;

	ctx = tls_server_ctx_new(cfg->tls_cert_file, cfg->tls_key_file, err,
	    sizeof(err));
	if (ctx == NULL) {
		fprintf(stderr, "ismsd: %s\n", err);
		return EXIT_FAILURE_RUN;
	}
	SSL_CTX_free(ctx);
	printf("ismsd: configuration %s is valid\n", path);
	return EXIT_OK;
}

static int
write_pid_file(const char *path)
{
	char text[32];
	int fd, n;

	if (path[0] == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("cannot write pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (write(fd, text, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
run_daemon(const char *path, int foreground, int check_only)
{
	struct config cfg;
	PGconn *conn;
	char err[1024];
	int rc = EXIT_FAILURE_RUN;

	if (load_config(&cfg, path) < 0)
		return EXIT_FAILURE_RUN;
	if (check_only) {
		rc = check_config(&cfg, path);
		config_free(&cfg);
		return rc;
	}
	log_init(cfg.log_level,
	    !foreground && strcmp(cfg.log_target, "syslog") == 0);
	if (!foreground && daemon(0, 0) < 0) {
		log_error("cannot detach from the terminal: %s",
		    strerror(errno));
		goto done;
	}
	if (!foreground) /* the pid changed */
		log_init(cfg.log_level,
		    strcmp(cfg.log_target, "syslog") == 0);
	signal(SIGPIPE, SIG_IGN);
	log_info("ismsd %s starting with %s", ISMSD_VERSION, path);
	conn = prepare_database(&cfg, 1);
	if (conn == NULL)
		goto done;
	if (catalogue_cache_load(conn, err, sizeof(err)) < 0) {
		log_error("%s", err);
		PQfinish(conn);
		goto done;
	}
	PQfinish(conn);
	if (!foreground && write_pid_file(cfg.pid_file) < 0)
		goto done;
	rc = server_run(&cfg, path) == 0 ? EXIT_OK : EXIT_FAILURE_RUN;
	catalogue_cache_free();
	if (!foreground && cfg.pid_file[0] != '\0')
		unlink(cfg.pid_file);
done:
	config_free(&cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	int c, foreground = 0, check_only = 0;

	if (argc > 1 && strcmp(argv[1], "token") == 0)
		return cli_token(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "catalogue") == 0)
		return cli_catalogue(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "df:n", options, NULL)) != -1) {
		switch (c) {
		case 'd': foreground = 1; break;
		case 'f': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'h': cli_usage(stdout); return EXIT_OK;
		case 'V': printf("ismsd %s\n", ISMSD_VERSION); return EXIT_OK;
		default: cli_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ismsd: unexpected argument \"%s\"\n",
		    argv[optind]);
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	return run_daemon(path, foreground, check_only);
}
