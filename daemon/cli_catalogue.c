/* ismsd catalogue import-text: store measure texts from the user's copy. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "api_util.h"
#include "catalogue_text.h"
#include "cli.h"
#include "db.h"
#include "util.h"

/* Larger than any measure catalogue; guards against a wrong file. */
#define TEXT_FILE_MAX (16 * 1024 * 1024)
#define TITLE_MAX 200
#define UNKNOWN_LISTED 10

struct import {
	PGconn *conn;
	const char *framework;
	int updated;
	int unknown;
	char unknown_refs[UNKNOWN_LISTED * 24];
	char **seen; /* refs stored so far, to catch a repeated heading */
	size_t nseen;
};

static char *
read_text_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *text = NULL;
	long size;

	if (f == NULL) {
		fprintf(stderr, "ismsd: cannot open %s: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ismsd: %s is not a regular file\n", path);
		fclose(f);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    size > TEXT_FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "ismsd: %s is unreadable or larger than %d "
				"bytes\n", path, TEXT_FILE_MAX);
		fclose(f);
		return NULL;
	}
	text = xmalloc((size_t)size + 1);
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "ismsd: reading %s failed\n", path);
		free(text);
		text = NULL;
	} else if (memchr(text, '\0', (size_t)size) != NULL) {
		fprintf(stderr, "ismsd: %s contains NUL bytes; give a Markdown "
				"text file\n", path);
		free(text);
		text = NULL;
	} else {
		text[size] = '\0';
	}
	fclose(f);
	return text;
}

static int
store_text(void *arg, const char *ref, const char *body)
{
	struct import *im = arg;
	char title[TITLE_MAX + 1];
	const char *params[4];
	PGresult *res;
	int ok, found;
	size_t i;

	for (i = 0; i < im->nseen; i++) {
		if (strcmp(im->seen[i], ref) == 0) {
			fprintf(stderr, "ismsd: heading \"## %s\" appears more "
					"than once; keep one\n", ref);
			return -1;
		}
	}
	im->seen = realloc(im->seen, (im->nseen + 1) * sizeof(*im->seen));
	if (im->seen == NULL)
		abort();
	im->seen[im->nseen++] = xstrdup(ref);

	catalogue_text_title(body, title, sizeof(title));
	params[0] = im->framework;
	params[1] = ref;
	params[2] = body;
	params[3] = title;
	res = PQexecParams(im->conn,
	    "UPDATE control SET body = $3, title = $4 "
	    "WHERE framework_id = $1 AND ref = $2",
	    4, NULL, params, NULL, NULL, 0);
	ok = db_ok(res);
	found = ok && strcmp(PQcmdTuples(res), "1") == 0;
	if (!ok)
		fprintf(stderr, "ismsd: storing %s failed: %s", ref,
		    PQresultErrorMessage(res));
	PQclear(res);
	if (!ok)
		return -1;
	if (found) {
		im->updated++;
	} else if (im->unknown++ < UNKNOWN_LISTED) {
		size_t used = strlen(im->unknown_refs);

		snprintf(im->unknown_refs + used,
		    sizeof(im->unknown_refs) - used, "%s%s",
		    used > 0 ? ", " : "", ref);
	}
	return 0;
}

static void
import_free(struct import *im)
{
	size_t i;

	for (i = 0; i < im->nseen; i++)
		free(im->seen[i]);
	free(im->seen);
}

static int
framework_loaded(PGconn *conn, const char *framework)
{
	const char *params[1] = { framework };
	PGresult *res;
	int found;

	res = PQexecParams(conn, "SELECT 1 FROM framework WHERE id = $1", 1,
	    NULL, params, NULL, NULL, 0);
	found = db_ok(res) && PQntuples(res) == 1;
	PQclear(res);
	return found;
}

static int
import_text(PGconn *conn, const char *framework, const char *path)
{
	struct import im = { .conn = conn, .framework = framework };
	const char *base = strrchr(path, '/');
	char err[256], object[96], *text, *after = NULL;
	json_t *record;
	int n;

	if (!framework_loaded(conn, framework)) {
		fprintf(stderr, "ismsd: framework \"%s\" is not loaded; "
				"give a loaded framework id such as bio2\n",
		    framework);
		return EXIT_FAILURE_RUN;
	}
	text = read_text_file(path);
	if (text == NULL)
		return EXIT_FAILURE_RUN;
	if (cli_exec(conn, "BEGIN") < 0)
		goto fail;
	n = catalogue_text_parse(text, store_text, &im, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "ismsd: %s: %s\n", path, err);
		goto fail;
	}
	if (im.updated == 0) {
		fprintf(stderr, "ismsd: none of the %d measures in %s is in "
				"framework \"%s\"; check --framework\n",
		    n, path, framework);
		goto fail;
	}
	base = base != NULL ? base + 1 : path;
	record = json_pack("{s:i, s:i, s:s}", "updated", im.updated,
	    "unknown", im.unknown, "file", base);
	after = record != NULL ? json_dumps(record, JSON_COMPACT) : NULL;
	json_decref(record);
	snprintf(object, sizeof(object), "catalogue/%s", framework);
	if (after == NULL ||
	    cli_audit(conn, "catalogue.import_text", object, after) < 0 ||
	    cli_exec(conn, "COMMIT") < 0)
		goto fail;
	printf("ismsd: stored %d measure text%s in framework \"%s\" from %s\n",
	    im.updated, im.updated == 1 ? "" : "s", framework, base);
	if (im.unknown > 0)
		printf("ismsd: %d heading%s named no entry of \"%s\" and "
		       "%s skipped: %s%s\n", im.unknown,
		    im.unknown == 1 ? "" : "s", framework,
		    im.unknown == 1 ? "was" : "were", im.unknown_refs,
		    im.unknown > UNKNOWN_LISTED ? ", ..." : "");
	printf("ismsd: restart ismsd to show the new titles\n");
	free(after);
	free(text);
	import_free(&im);
	return EXIT_OK;
fail:
	cli_exec(conn, "ROLLBACK");
	free(after);
	free(text);
	import_free(&im);
	return EXIT_FAILURE_RUN;
}

int
cli_catalogue(int argc, char **argv)
{
	static const struct option options[] = {
		{ "framework", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG, *framework = NULL;
	PGconn *conn;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "import-text") != 0) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "f:", options, NULL)) != -1) {
		switch (c) {
		case 'f': path = optarg; break;
		case 'F': framework = optarg; break;
		case 'h': cli_usage(stdout); return EXIT_OK;
		default: cli_usage(stderr); return EXIT_USAGE;
		}
	}
	if (framework != NULL && !framework_id_valid(framework)) {
		fprintf(stderr, "ismsd: invalid --framework \"%.64s\": "
				"framework ids are lower case letters, digits, "
				"'.' and '-', such as bio2\n", framework);
		return EXIT_USAGE;
	}
	if (framework == NULL || optind != argc - 1) {
		fprintf(stderr, "ismsd: catalogue import-text needs "
				"--framework ID (such as bio2) and one FILE\n");
		return EXIT_USAGE;
	}
	conn = cli_connect(path);
	if (conn == NULL)
		return EXIT_FAILURE_RUN;
	rc = import_text(conn, framework, argv[optind]);
	PQfinish(conn);
	return rc;
}
