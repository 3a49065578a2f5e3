/* ismsd: command line, start-up and the token subcommands. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "catalogue.h"
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

#define DEFAULT_CONFIG "/etc/ismsd/ismsd.conf"
/* Seconds to keep retrying the database at start-up before giving up. */
#define STARTUP_DB_WAIT 30

enum exit_code { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2 };

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ismsd [-d] [-n] [-f FILE]\n"
	    "       ismsd token create --role ROLE --name NAME [-f FILE]\n"
	    "                          [--expires-days N]\n"
	    "       ismsd token list [-f FILE]\n"
	    "       ismsd token revoke --name NAME [-f FILE]\n"
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
	    "--expires-days 0 (the default) means the token never expires.\n"
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

/* Applies migrations and, when controls_dir is set, loads catalogues. */
static PGconn *
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

/* The actor of a change made from the command line: the Unix user. */
static void
cli_actor(char *out, size_t len)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL)
		snprintf(out, len, "cli:%s", pw->pw_name);
	else
		snprintf(out, len, "cli:uid%ld", (long)getuid());
}

static int
audit_cli(PGconn *conn, const char *action, const char *name,
    const char *after)
{
	struct db db = { .conn = conn };
	char actor[96], object[128];
	PGresult *res;
	int ok;

	cli_actor(actor, sizeof(actor));
	snprintf(object, sizeof(object), "token/%s", name);
	res = audit_record(&db, actor, action, object, NULL, after, NULL);
	ok = db_ok(res);
	if (!ok)
		fprintf(stderr, "ismsd: writing the audit record failed: %s",
		    PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

static int
exec_simple(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int ok = db_ok(res);

	PQclear(res);
	return ok ? 0 : -1;
}

static int
token_cmd_create(PGconn *conn, const char *name, const char *role_text,
    long days)
{
	char token[TOKEN_LEN + 1], err[512], after[160];
	enum role role = role_parse(role_text);

	if (role == 0) {
		fprintf(stderr, "ismsd: invalid --role \"%s\": use admin, "
				"ciso or auditor\n", role_text);
		return EXIT_USAGE;
	}
	if (exec_simple(conn, "BEGIN") < 0)
		return EXIT_FAILURE_RUN;
	if (token_create(conn, name, role, days, token, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "ismsd: %s\n", err);
		exec_simple(conn, "ROLLBACK");
		return EXIT_FAILURE_RUN;
	}
	snprintf(after, sizeof(after), "{\"name\":\"%s\",\"role\":\"%s\"}",
	    name, role_name(role));
	if (audit_cli(conn, "token.create", name, after) < 0 ||
	    exec_simple(conn, "COMMIT") < 0) {
		exec_simple(conn, "ROLLBACK");
		return EXIT_FAILURE_RUN;
	}
	printf("%s\n", token);
	memset(token, 0, sizeof(token));
	return EXIT_OK;
}

static int
token_cmd_list(PGconn *conn)
{
	PGresult *res;
	int i;

	res = PQexec(conn, "SELECT name, role, "
			   "to_char(created_at, 'YYYY-MM-DD HH24:MI'), "
			   "coalesce(to_char(expires_at, 'YYYY-MM-DD HH24:MI'), "
			   "'never'), CASE WHEN revoked_at IS NULL THEN '' "
			   "ELSE 'revoked' END FROM api_token ORDER BY name");
	if (!db_ok(res)) {
		fprintf(stderr, "ismsd: listing tokens failed: %s",
		    PQresultErrorMessage(res));
		PQclear(res);
		return EXIT_FAILURE_RUN;
	}
	printf("%-24s %-8s %-17s %-17s %s\n", "NAME", "ROLE", "CREATED (UTC)",
	    "EXPIRES (UTC)", "STATE");
	for (i = 0; i < PQntuples(res); i++)
		printf("%-24s %-8s %-17s %-17s %s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		    PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
	PQclear(res);
	return EXIT_OK;
}

static int
token_cmd_revoke(PGconn *conn, const char *name)
{
	const char *params[1] = { name };
	PGresult *res;
	int found;

	if (exec_simple(conn, "BEGIN") < 0)
		return EXIT_FAILURE_RUN;
	res = PQexecParams(conn,
	    "UPDATE api_token SET revoked_at = now() WHERE name = $1 "
	    "AND revoked_at IS NULL",
	    1, NULL, params, NULL, NULL, 0);
	found = db_ok(res) && strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!found) {
		exec_simple(conn, "ROLLBACK");
		fprintf(stderr, "ismsd: no active token named \"%s\"\n", name);
		return EXIT_FAILURE_RUN;
	}
	if (audit_cli(conn, "token.revoke", name, NULL) < 0 ||
	    exec_simple(conn, "COMMIT") < 0) {
		exec_simple(conn, "ROLLBACK");
		return EXIT_FAILURE_RUN;
	}
	printf("ismsd: revoked token \"%s\"; workers may accept it for up "
	       "to token_cache_seconds more\n", name);
	return EXIT_OK;
}

static int
run_token(int argc, char **argv)
{
	static const struct option options[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'N' },
		{ "expires-days", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG, *role = NULL, *name = NULL, *verb;
	struct config cfg;
	PGconn *conn;
	long days = 0;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	verb = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "f:", options, NULL)) != -1) {
		switch (c) {
		case 'f': path = optarg; break;
		case 'r': role = optarg; break;
		case 'N': name = optarg; break;
		case 'e':
			if (parse_long(optarg, 0, 3650, &days) < 0) {
				fprintf(stderr, "ismsd: --expires-days must be "
						"a whole number from 0 to "
						"3650\n");
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc ||
	    (strcmp(verb, "create") != 0 && strcmp(verb, "list") != 0 &&
		strcmp(verb, "revoke") != 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((strcmp(verb, "create") == 0 && (role == NULL || name == NULL)) ||
	    (strcmp(verb, "revoke") == 0 && name == NULL)) {
		fprintf(stderr, "ismsd: token %s needs %s\n", verb,
		    strcmp(verb, "create") == 0 ? "--role and --name"
						: "--name");
		return EXIT_USAGE;
	}
	config_init(&cfg);
	{
		char err[1024];

		if (config_load(&cfg, path, err, sizeof(err)) < 0) {
			fprintf(stderr, "ismsd: %s\n", err);
			config_free(&cfg);
			return EXIT_FAILURE_RUN;
		}
		if (cfg.database[0] == '\0') {
			fprintf(stderr, "ismsd: %s does not set database\n",
			    path);
			config_free(&cfg);
			return EXIT_FAILURE_RUN;
		}
	}
	log_init(LOG_LEVEL_WARNING, 0);
	conn = prepare_database(&cfg, 0);
	config_free(&cfg);
	if (conn == NULL)
		return EXIT_FAILURE_RUN;
	if (strcmp(verb, "create") == 0)
		rc = token_cmd_create(conn, name, role, days);
	else if (strcmp(verb, "list") == 0)
		rc = token_cmd_list(conn);
	else
		rc = token_cmd_revoke(conn, name);
	PQfinish(conn);
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
		return run_token(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "df:n", options, NULL)) != -1) {
		switch (c) {
		case 'd': foreground = 1; break;
		case 'f': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("ismsd %s\n", ISMSD_VERSION); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ismsd: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return run_daemon(path, foreground, check_only);
}
