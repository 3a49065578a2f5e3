/* ismsd token: create, list and revoke API tokens on the server. */
#include <ctype.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "token.h"
#include "util.h"

/* The actor of a change made from the command line: the Unix user. */
void
cli_actor(char *out, size_t len)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL)
		snprintf(out, len, "cli:%s", pw->pw_name);
	else
		snprintf(out, len, "cli:uid%ld", (long)getuid());
}

int
cli_audit(PGconn *conn, const char *action, const char *object,
    const char *after)
{
	struct db db = { .conn = conn };
	char actor[96];
	PGresult *res;
	int ok;

	cli_actor(actor, sizeof(actor));
	res = audit_record(&db, actor, action, object, NULL, after, NULL);
	ok = db_ok(res);
	if (!ok)
		fprintf(stderr, "ismsd: writing the audit record failed: %s",
		    PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

int
cli_exec(PGconn *conn, const char *sql)
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
	char token[TOKEN_LEN + 1], err[512], after[160], object[96];
	enum role role = role_parse(role_text);

	if (role == 0) {
		char shown[72];

		fprintf(stderr, "ismsd: invalid --role \"%s\": use admin, "
				"ciso or auditor\n",
		    log_escape(shown, sizeof(shown), role_text));
		return EXIT_USAGE;
	}
	if (cli_exec(conn, "BEGIN") < 0)
		return EXIT_FAILURE_RUN;
	if (token_create(conn, name, role, days, token, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "ismsd: %s\n", err);
		cli_exec(conn, "ROLLBACK");
		return EXIT_FAILURE_RUN;
	}
	snprintf(after, sizeof(after), "{\"name\":\"%s\",\"role\":\"%s\"}",
	    name, role_name(role));
	snprintf(object, sizeof(object), "token/%s", name);
	if (cli_audit(conn, "token.create", object, after) < 0 ||
	    cli_exec(conn, "COMMIT") < 0) {
		cli_exec(conn, "ROLLBACK");
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
			   "'never'), CASE WHEN revoked_at IS NOT NULL "
			   "THEN 'revoked' WHEN expires_at <= now() "
			   "THEN 'expired' ELSE 'active' END "
			   "FROM api_token ORDER BY name");
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
	char object[96];
	PGresult *res;
	int found;

	if (cli_exec(conn, "BEGIN") < 0)
		return EXIT_FAILURE_RUN;
	res = PQexecParams(conn,
	    "UPDATE api_token SET revoked_at = now() WHERE name = $1 "
	    "AND revoked_at IS NULL",
	    1, NULL, params, NULL, NULL, 0);
	found = db_ok(res) && strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!found) {
		cli_exec(conn, "ROLLBACK");
		fprintf(stderr, "ismsd: no active token named \"%s\"\n", name);
		return EXIT_FAILURE_RUN;
	}
	snprintf(object, sizeof(object), "token/%s", name);
	if (cli_audit(conn, "token.revoke", object, NULL) < 0 ||
	    cli_exec(conn, "COMMIT") < 0) {
		cli_exec(conn, "ROLLBACK");
		return EXIT_FAILURE_RUN;
	}
	printf("ismsd: revoked token \"%s\"; workers may accept it for up "
	       "to token_cache_seconds more\n", name);
	return EXIT_OK;
}

/* The same rule as the api_token.name CHECK constraint. */
static int
token_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > TOKEN_NAME_MAX || !isalnum((unsigned char)name[0]))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("._@-", name[i]) == NULL)
			return 0;
	return 1;
}

int
cli_token(int argc, char **argv)
{
	static const struct option options[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'N' },
		{ "expires-days", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG, *role = NULL, *name = NULL, *verb;
	PGconn *conn;
	long days = 0;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		cli_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	verb = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "f:", options, NULL)) != -1) {
		/* A repeated option would silently replace the first. */
		if ((c == 'r' && role != NULL) || (c == 'N' && name != NULL)) {
			fprintf(stderr, "ismsd: --%s is given more than once\n",
			    c == 'r' ? "role" : "name");
			return EXIT_USAGE;
		}
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
		case 'h': cli_usage(stdout); return EXIT_OK;
		default: cli_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc ||
	    (strcmp(verb, "create") != 0 && strcmp(verb, "list") != 0 &&
		strcmp(verb, "revoke") != 0)) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	if (name != NULL && !token_name_valid(name)) {
		char shown[72];

		fprintf(stderr, "ismsd: invalid --name \"%s\": use 1-64 "
				"letters, digits, '.', '_', '@' or '-', "
				"starting with a letter or digit\n",
		    log_escape(shown, sizeof(shown), name));
		return EXIT_USAGE;
	}
	if ((strcmp(verb, "create") == 0 && (role == NULL || name == NULL)) ||
	    (strcmp(verb, "revoke") == 0 && name == NULL)) {
		fprintf(stderr, "ismsd: token %s needs %s\n", verb,
		    strcmp(verb, "create") == 0 ? "--role and --name"
						: "--name");
		return EXIT_USAGE;
	}
	conn = cli_connect(path);
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

