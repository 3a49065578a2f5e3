/*
 * Unit tests of the ismsctl modules that need no server: option parsing,
 * value checks, exit statuses, problem messages, text and tables, token
 * files, CA bundle checks, request bodies, the response size limit,
 * paging, audit verification results and atomic export files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "buffer.h"
#include "command.h"
#include "commands.h"
#include "http.h"
#include "ismsctl.h"
#include "options.h"
#include "output.h"
#include "paging.h"
#include "problem.h"
#include "settings.h"
#include "table.h"
#include "text.h"
#include "values.h"
#include "unit.h"

#define TEST_TOKEN "isms_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

static char temp_dir[] = "/tmp/test_client.XXXXXX";

/*
 * A writable copy of a NULL-terminated word list, because string
 * literals are const under -Wwrite-strings and parsers take char **.
 */
struct test_argv {
	int argc;
	char *argv[32];
};

static struct test_argv
make_argv(const char *const *words)
{
	struct test_argv args = {0};

	while (words[args.argc] != NULL && args.argc < 31) {
		args.argv[args.argc] = strdup(words[args.argc]);
		args.argc++;
	}
	return args;
}

static void
free_argv(struct test_argv *args)
{
	int i;

	for (i = 0; i < args->argc; i++)
		free(args->argv[i]);
	args->argc = 0;
}

/* Writes temp_dir/name and returns its path, valid until the next call. */
static const char *
write_temp_file(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", temp_dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Reads a whole small file into a static buffer, or returns NULL. */
static const char *
read_file(const char *path)
{
	static char text[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void
test_options_mixed(void)
{
	static const struct option_spec command[] = {
	    {"limit", '\0', true, 1},
	    {"all", '\0', false, 2},
	    {NULL, '\0', false, 0},
	};
	static const char *const words[] = {"--limit", "5", "REF", "--all",
	    "--json", "--framework=x", "-h", "--", "--all", NULL};
	struct test_argv args = make_argv(words);
	struct option_parser parser;

	options_init(&parser, args.argc, args.argv, command, settings_options);
	CHECK(options_next(&parser) == 1);
	CHECK_STR(parser.value, "5");
	CHECK(options_next(&parser) == OPTIONS_OPERAND);
	CHECK_STR(parser.value, "REF");
	CHECK(options_next(&parser) == 2);
	CHECK(parser.value == NULL);
	CHECK(options_next(&parser) == OPT_JSON);
	CHECK(options_next(&parser) == OPTIONS_ERROR);
	CHECK_STR(parser.error, "unknown option '--framework'");
	CHECK(options_next(&parser) == OPT_HELP);
	CHECK(options_next(&parser) == OPTIONS_OPERAND);
	CHECK_STR(parser.value, "--all");
	CHECK(options_next(&parser) == OPTIONS_END);
	free_argv(&args);
}

/* Parses the single word with the global options and returns the result. */
static int
parse_one(
    const char *word, struct option_parser *parser, struct test_argv *args)
{
	const char *const words[] = {word, NULL};

	*args = make_argv(words);
	options_init(parser, args->argc, args->argv, NULL, settings_options);
	return options_next(parser);
}

static void
test_options_errors(void)
{
	struct option_parser parser;
	struct test_argv args;

	CHECK(parse_one("--url", &parser, &args) == OPTIONS_ERROR);
	CHECK_STR(parser.error, "missing value for '--url'");
	free_argv(&args);
	CHECK(parse_one("--json=yes", &parser, &args) == OPTIONS_ERROR);
	CHECK_STR(parser.error, "no value is allowed for '--json'");
	free_argv(&args);
	CHECK(parse_one("-x", &parser, &args) == OPTIONS_ERROR);
	CHECK_STR(parser.error, "unknown option '-x'");
	free_argv(&args);
	CHECK(parse_one("--url=https://h:1/", &parser, &args) == OPT_URL);
	CHECK_STR(parser.value, "https://h:1/");
	free_argv(&args);
	CHECK(parse_one("-", &parser, &args) == OPTIONS_OPERAND);
	CHECK_STR(parser.value, "-");
	free_argv(&args);
}

static void
test_settings_env_and_flags(void)
{
	struct settings settings;
	char err[256];

	setenv("ISMS_URL", "https://isms.example:9443", 1);
	setenv("ISMS_CACERT", "/etc/isms/ca.pem", 1);
	setenv("ISMS_TOKEN", "from-env", 1);
	setenv("ISMS_TOKEN_FILE", "/nonexistent", 1);
	settings_init(&settings);
	CHECK(settings_load_env(&settings) == 0);
	CHECK_STR(settings.url, "https://isms.example:9443");
	CHECK_STR(settings.cacert, "/etc/isms/ca.pem");
	CHECK_STR(settings.token, "from-env");
	CHECK(settings.token_file == NULL);

	CHECK(settings_apply_option(&settings, OPT_URL, "https://other:1", err,
		  sizeof(err)) == 0);
	CHECK_STR(settings.url, "https://other:1");
	CHECK(settings_apply_option(
		  &settings, OPT_TOKEN_FILE, "/tmp/t", err, sizeof(err)) == 0);
	CHECK(settings.token == NULL);
	CHECK_STR(settings.token_file, "/tmp/t");
	CHECK(settings_apply_option(
		  &settings, OPT_TOKEN, "x", err, sizeof(err)) == -1);
	CHECK_STR(err, "--token and --token-file cannot be used together");
	CHECK(settings_apply_option(
		  &settings, OPT_CACERT, "", err, sizeof(err)) == -1);
	CHECK_STR(err, "--cacert needs a non-empty value");
	CHECK(settings_apply_option(
		  &settings, OPT_JSON, NULL, err, sizeof(err)) == 0);
	CHECK(settings.json);
	settings_free(&settings);

	unsetenv("ISMS_URL");
	unsetenv("ISMS_CACERT");
	unsetenv("ISMS_TOKEN");
	setenv("ISMS_TOKEN_FILE", "", 1);
	settings_init(&settings);
	CHECK(settings_load_env(&settings) == 0);
	CHECK_STR(settings.url, SETTINGS_DEFAULT_URL);
	CHECK(settings.cacert == NULL);
	CHECK(settings.token == NULL);
	CHECK(settings.token_file == NULL);
	CHECK(settings_resolve_token(&settings) == CTL_EXIT_AUTH);
	settings_free(&settings);
	unsetenv("ISMS_TOKEN_FILE");
}

static void
test_settings_check_url(void)
{
	char err[256];

	CHECK(settings_check_url("https://127.0.0.1:8443", err, sizeof(err)) ==
	    0);
	CHECK(
	    settings_check_url("HTTPS://isms.example/", err, sizeof(err)) == 0);
	CHECK(settings_check_url("http://127.0.0.1:8443", err, sizeof(err)) ==
	    -1);
	CHECK(strstr(err, "expected https://HOST[:PORT]") != NULL);
	CHECK(settings_check_url("https://", err, sizeof(err)) == -1);
	CHECK(settings_check_url("https://h/a b", err, sizeof(err)) == -1);
	CHECK(settings_check_url("https://h/?x=1", err, sizeof(err)) == -1);
	CHECK(settings_check_url("https://h\r\nX: y", err, sizeof(err)) == -1);
}

static void
test_settings_url_userinfo(void)
{
	char err[512];
	char shown[256];

	CHECK(settings_check_url(
		  "https://anna:s3cret@isms.example:8443", err, sizeof(err)) ==
	    -1);
	CHECK(strstr(err, "s3cret") == NULL);
	CHECK(strstr(err, "anna") == NULL);
	CHECK(strstr(err, "'https://***@isms.example:8443'") != NULL);
	CHECK(strstr(err, "user name or password") != NULL);
	CHECK(strstr(err, "ISMS_TOKEN_FILE") != NULL);
	CHECK(settings_check_url("https://anna@h", err, sizeof(err)) == -1);
	CHECK(strstr(err, "anna") == NULL);
	CHECK(settings_check_url("https://@h", err, sizeof(err)) == -1);
	/* Other checks that show the URL hide the password as well. */
	CHECK(settings_check_url("http://anna:s3cret@h", err, sizeof(err)) ==
	    -1);
	CHECK(strstr(err, "s3cret") == NULL);
	CHECK(settings_check_url("anna:s3cret@h", err, sizeof(err)) == -1);
	CHECK(strstr(err, "s3cret") == NULL);
	/* An '@' after the host is part of the path, not userinfo. */
	CHECK(settings_check_url("https://h:1/ismsd@x", err, sizeof(err)) == 0);

	settings_redact_url("https://u:p@h:1/a@b", shown, sizeof(shown));
	CHECK_STR(shown, "https://***@h:1/a@b");
	settings_redact_url("https://a@b:c@h", shown, sizeof(shown));
	CHECK_STR(shown, "https://***@h");
	settings_redact_url("https://h:1/a@b", shown, sizeof(shown));
	CHECK_STR(shown, "https://h:1/a@b");
	settings_redact_url("u:p@h", shown, sizeof(shown));
	CHECK_STR(shown, "***@h");
}

/* A certificate header that the CA bundle check looks for. */
static const char pem_text[] = "# Development CA\n"
			       "-----BEGIN CERTIFICATE-----\n"
			       "MIIBszCCAVmgAwIBAgIUJ\n"
			       "-----END CERTIFICATE-----\n";

static void
test_cacert_check(void)
{
	char err[2048];
	char path[512];
	const char *file;
	FILE *f;
	size_t i;

	file = write_temp_file("ca.pem", pem_text, 0644);
	CHECK(settings_check_cacert(file, err, sizeof(err)) == 0);

	snprintf(path, sizeof(path), "%s/missing.pem", temp_dir);
	CHECK(settings_check_cacert(path, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not found") != NULL);
	CHECK(strstr(err, path) != NULL);

	CHECK(settings_check_cacert(temp_dir, err, sizeof(err)) == -1);
	CHECK(strstr(err, "is a directory") != NULL);
	CHECK(strstr(err, temp_dir) != NULL);

	file = write_temp_file("ca.der", "0\x82\x01\xb3", 0644);
	CHECK(settings_check_cacert(file, err, sizeof(err)) == -1);
	CHECK(strstr(err, "contains no PEM certificate") != NULL);
	CHECK(strstr(err, "openssl x509 -inform DER") != NULL);
	CHECK(strstr(err, file) != NULL);

	file = write_temp_file("ca-empty.pem", "", 0644);
	CHECK(settings_check_cacert(file, err, sizeof(err)) == -1);
	CHECK(strstr(err, "contains no PEM certificate") != NULL);

	/* A private key alone is PEM but no certificate. */
	file = write_temp_file("ca-key.pem",
	    "-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----\n",
	    0600);
	CHECK(settings_check_cacert(file, err, sizeof(err)) == -1);

	/* The header is found when it straddles two 64 KiB reads. */
	snprintf(path, sizeof(path), "%s/ca-long.pem", temp_dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		for (i = 0; i < 64 * 1024 - 10; i++)
			fputc('#', f);
		fputs(pem_text + strlen("# Development CA\n"), f);
		fclose(f);
	}
	CHECK(settings_check_cacert(path, err, sizeof(err)) == 0);

	/* A FIFO must not block the check. */
	snprintf(path, sizeof(path), "%s/ca-fifo", temp_dir);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(settings_check_cacert(path, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not a regular file") != NULL);

	/* Root reads any file, so the permission check needs another user. */
	if (geteuid() != 0) {
		file = write_temp_file("ca-private.pem", pem_text, 0000);
		CHECK(settings_check_cacert(file, err, sizeof(err)) == -1);
		CHECK(strstr(err, "cannot read CA bundle") != NULL);
		CHECK(strstr(err, "Permission denied") != NULL);
	}
}

static void
test_client_rejects_local_settings(void)
{
	struct settings settings;
	struct http_client *client = NULL;
	char err[256];
	const char *pem = write_temp_file("ca-client.pem", pem_text, 0644);

	settings_init(&settings);
	CHECK(settings_load_env(&settings) == 0);
	CHECK(settings_apply_option(
		  &settings, OPT_CACERT, temp_dir, err, sizeof(err)) == 0);
	CHECK(http_client_new(&settings, &client) == CTL_EXIT_USAGE);
	CHECK(client == NULL);
	CHECK(settings_apply_option(
		  &settings, OPT_CACERT, pem, err, sizeof(err)) == 0);
	CHECK(settings_apply_option(&settings, OPT_URL,
		  "https://u:pw@127.0.0.1:1", err, sizeof(err)) == 0);
	CHECK(http_client_new(&settings, &client) == CTL_EXIT_USAGE);
	CHECK(client == NULL);
	CHECK(settings_apply_option(&settings, OPT_URL, "https://127.0.0.1:1",
		  err, sizeof(err)) == 0);
	CHECK(http_client_new(&settings, &client) == CTL_EXIT_OK);
	CHECK(client != NULL);
	http_client_free(client);
	settings_free(&settings);
}

static void
test_http_body_limit(void)
{
	struct http_body body = {.max = 10};
	char data[] = "0123456789AB";

	CHECK(HTTP_MAX_BODY == 256UL * 1024 * 1024);
	buffer_init(&body.buf);
	CHECK(http_body_write(data, 1, 6, &body) == 6);
	CHECK(http_body_write(data + 6, 1, 4, &body) == 4);
	CHECK(!body.too_large);
	CHECK(body.buf.len == 10);
	CHECK(http_body_write(data + 10, 1, 1, &body) == 0);
	CHECK(body.too_large);
	CHECK(!body.out_of_memory);
	CHECK(body.buf.len == 10);
	CHECK(memcmp(body.buf.data, "0123456789", 10) == 0);
	buffer_free(&body.buf);

	body = (struct http_body){.max = 4};
	buffer_init(&body.buf);
	CHECK(http_body_write(data, 1, 12, &body) == 0);
	CHECK(body.too_large);
	CHECK(body.buf.len == 0);
	buffer_free(&body.buf);
}

static void
test_problem_json_text(void)
{
	static const char problem[] =
	    "{\"type\":\"urn:ismsd:problem:unavailable\",\"status\":503,"
	    "\"detail\":\"the database is unreachable\"}";
	char *text;
	json_t *doc;

	text = problem_json_text(
	    503, "application/problem+json", problem, strlen(problem));
	CHECK_STR(text, problem);
	free(text);

	text = problem_json_text(
	    502, "text/html", "<html>Bad gateway</html>", 24);
	doc = text != NULL ? json_loads(text, 0, NULL) : NULL;
	CHECK(json_is_object(doc));
	CHECK_STR(json_string_value(json_object_get(doc, "type")),
	    "about:blank");
	CHECK(json_integer_value(json_object_get(doc, "status")) == 502);
	CHECK(strstr(json_string_value(json_object_get(doc, "detail")),
		  "HTTP 502") != NULL);
	json_decref(doc);
	free(text);

	text = problem_json_text(503, "application/json", "[1]", 3);
	CHECK(text != NULL);
	if (text != NULL)
		CHECK(strstr(text, "about:blank") != NULL);
	free(text);
	text = problem_json_text(503, "application/problem+json", "{", 1);
	CHECK(text != NULL);
	if (text != NULL)
		CHECK(strstr(text, "about:blank") != NULL);
	free(text);
	text = problem_json_text(503, NULL, NULL, 0);
	CHECK(text != NULL);
	if (text != NULL)
		CHECK(strstr(text, "\"status\":503") != NULL);
	free(text);
}

/* Pages served by fake_fetch() in call order, and the cursors it got. */
struct fake_pages {
	const char *const *bodies; /* NULL-terminated JSON texts */
	size_t calls;
	char cursors[8][32]; /* "(null)" for the first page */
};

static int
fake_fetch(void *context, const char *cursor, json_t **page)
{
	struct fake_pages *pages = context;

	*page = NULL;
	if (pages->calls >= 8 || pages->bodies[pages->calls] == NULL)
		return CTL_EXIT_NOT_FOUND;
	snprintf(pages->cursors[pages->calls], sizeof(pages->cursors[0]),
	    "%s", cursor != NULL ? cursor : "(null)");
	*page = json_loads(pages->bodies[pages->calls], 0, NULL);
	pages->calls++;
	return *page != NULL ? CTL_EXIT_OK : CTL_EXIT_SERVER;
}

/* Returns the text written to f, valid until the next call. */
static const char *
read_stream(FILE *f)
{
	static char text[4096];
	size_t n;

	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	return text;
}

static void
test_paging_collect(void)
{
	static const char *const three[] = {
	    "{\"items\":[{\"seq\":5},{\"seq\":4}],\"next\":\"4\"}",
	    "{\"items\":[{\"seq\":3},{\"seq\":2}],\"next\":\"2\"}",
	    "{\"items\":[{\"seq\":1}],\"next\":null}", NULL};
	static const char *const looping[] = {
	    "{\"items\":[{\"seq\":5}],\"next\":\"5\"}",
	    "{\"items\":[{\"seq\":5}],\"next\":\"5\"}", NULL};
	static const char *const no_items[] = {"{\"next\":null}", NULL};
	struct fake_pages pages = {three, 0, {""}};
	struct paging_result result;
	FILE *f;

	CHECK(paging_collect(fake_fetch, &pages, "audit", NULL, false,
		  &result) == CTL_EXIT_OK);
	CHECK(pages.calls == 1);
	CHECK(json_array_size(result.items) == 2);
	CHECK_STR(result.next, "4");
	paging_result_free(&result);

	pages = (struct fake_pages){three, 0, {""}};
	CHECK(paging_collect(fake_fetch, &pages, "audit", NULL, true,
		  &result) == CTL_EXIT_OK);
	CHECK(pages.calls == 3);
	CHECK_STR(pages.cursors[0], "(null)");
	CHECK_STR(pages.cursors[1], "4");
	CHECK_STR(pages.cursors[2], "2");
	CHECK(json_array_size(result.items) == 5);
	CHECK(json_integer_value(json_object_get(
		  json_array_get(result.items, 4), "seq")) == 1);
	CHECK(result.next == NULL);
	f = tmpfile();
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK(paging_print_merged(f, result.items) == 0);
		CHECK_STR(read_stream(f),
		    "{\"items\":[{\"seq\":5},{\"seq\":4},{\"seq\":3},"
		    "{\"seq\":2},{\"seq\":1}],\"next\":null}\n");
		fclose(f);
	}
	paging_result_free(&result);

	/* --cursor: the first request starts after the given cursor. */
	pages = (struct fake_pages){three + 1, 0, {""}};
	CHECK(paging_collect(fake_fetch, &pages, "audit", "4", true,
		  &result) == CTL_EXIT_OK);
	CHECK(pages.calls == 2);
	CHECK_STR(pages.cursors[0], "4");
	CHECK(json_array_size(result.items) == 3);
	paging_result_free(&result);

	pages = (struct fake_pages){looping, 0, {""}};
	CHECK(paging_collect(fake_fetch, &pages, "audit", NULL, true,
		  &result) == CTL_EXIT_SERVER);
	CHECK(pages.calls == 2);
	paging_result_free(&result);

	pages = (struct fake_pages){looping, 0, {""}};
	CHECK(paging_collect(fake_fetch, &pages, "audit", "5", true,
		  &result) == CTL_EXIT_SERVER);
	CHECK(pages.calls == 1);
	paging_result_free(&result);

	pages = (struct fake_pages){no_items, 0, {""}};
	CHECK(paging_collect(fake_fetch, &pages, "audit", NULL, true,
		  &result) == CTL_EXIT_SERVER);
	paging_result_free(&result);

	/* A first page whose next is null needs one request, even with all. */
	pages = (struct fake_pages){three + 2, 0, {""}};
	CHECK(paging_collect(fake_fetch, &pages, "audit", NULL, true,
		  &result) == CTL_EXIT_OK);
	CHECK(pages.calls == 1);
	CHECK(json_array_size(result.items) == 1);
	paging_result_free(&result);

	/* A failed fetch ends the walk with its exit status. */
	pages = (struct fake_pages){looping + 2, 0, {""}};
	CHECK(paging_collect(fake_fetch, &pages, "audit", NULL, true,
		  &result) == CTL_EXIT_NOT_FOUND);
	paging_result_free(&result);
}

static void
test_audit_list_query(void)
{
	static const char *const filters[] = {"list", "--object",
	    "soa/iso27001-2022/5.1", "--action", "soa.update", "--limit", "20",
	    "--cursor", "812", "--all", NULL};
	static const char *const defaults[] = {"list", NULL};
	static const char *const empty_cursor[] = {
	    "list", "--cursor", "", NULL};
	static const char *const operand[] = {"list", "5.1", NULL};
	static const char *const bad_limit[] = {"list", "--limit", "0", NULL};
	struct test_argv argv = make_argv(filters);
	struct settings settings;
	struct command cmd;
	struct audit_list_args args;
	struct buffer query;

	settings_init(&settings);
	buffer_init(&query);
	cmd = (struct command){&settings, "audit list", "", CTL_EXIT_OK};
	CHECK(audit_list_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK(args.all);
	CHECK(args.limit == 20);
	CHECK_STR(args.cursor, "812");
	CHECK(audit_list_query(&args, args.cursor, &query) == 0);
	CHECK_STR(query.data,
	    "object=soa%2Fiso27001-2022%2F5.1&action=soa.update&cursor=812&"
	    "limit=20");
	buffer_free(&query);
	CHECK(audit_list_query(&args, NULL, &query) == 0);
	CHECK(strstr(query.data, "cursor") == NULL);
	buffer_free(&query);
	free_argv(&argv);

	argv = make_argv(defaults);
	CHECK(audit_list_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK(!args.all);
	CHECK(args.cursor == NULL);
	CHECK(audit_list_query(&args, NULL, &query) == 0);
	CHECK(query.len == 0);
	buffer_free(&query);
	free_argv(&argv);

	argv = make_argv(empty_cursor);
	CHECK(audit_list_parse(&cmd, argv.argc, argv.argv, &args) == -1);
	CHECK(cmd.exit_code == CTL_EXIT_USAGE);
	free_argv(&argv);

	cmd.exit_code = CTL_EXIT_OK;
	argv = make_argv(operand);
	CHECK(audit_list_parse(&cmd, argv.argc, argv.argv, &args) == -1);
	CHECK(cmd.exit_code == CTL_EXIT_USAGE);
	free_argv(&argv);

	cmd.exit_code = CTL_EXIT_OK;
	argv = make_argv(bad_limit);
	CHECK(audit_list_parse(&cmd, argv.argc, argv.argv, &args) == -1);
	CHECK(cmd.exit_code == CTL_EXIT_USAGE);
	free_argv(&argv);
	settings_free(&settings);
}

#define HASH_A "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0e"

static void
test_anchor_parse(void)
{
	static const struct {
		const char *input;
		bool valid;
	} cases[] = {
	    {"4391:" HASH_A, true},
	    {"1:" HASH_A, true},
	    {"9007199254740991:" HASH_A, true},
	    {"0:" HASH_A, false},
	    {"-1:" HASH_A, false},
	    {"+1:" HASH_A, false},
	    {" 1:" HASH_A, false},
	    {"1 :" HASH_A, false},
	    {"9007199254740992:" HASH_A, false},
	    {"99999999999999999999:" HASH_A, false},
	    {"x:" HASH_A, false},
	    {":" HASH_A, false},
	    {"4391", false},
	    {"4391:", false},
	    {HASH_A, false},
	    {"4391:" HASH_A "0", false},
	    {"4391:9f2c", false},
	    {"4391:g" HASH_A, false},
	    {"4391: " HASH_A, false},
	    {"4391:" HASH_A ":1", false},
	};
	struct value_anchor anchor;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = value_parse_anchor(cases[i].input, &anchor);

		if ((ret == 0) != cases[i].valid)
			fprintf(stderr, "anchor '%s' gave %d\n",
			    cases[i].input, ret);
		CHECK((ret == 0) == cases[i].valid);
	}
	CHECK(value_parse_anchor("4391:" HASH_A, &anchor) == 0);
	CHECK(anchor.seq == 4391);
	CHECK_STR(anchor.hash, HASH_A);
	CHECK(value_parse_anchor("7:9F2C4E6A8B0D1F3E5A7C9B1D3F5E7A9C0B2D4F6E8A0C"
				 "2E4F6A8B0D2F4E6A8C0E",
		  &anchor) == 0);
	CHECK(anchor.seq == 7);
	CHECK_STR(anchor.hash, HASH_A);
}

static void
test_audit_verify_parse(void)
{
	static const char *const plain[] = {"verify", "--json", NULL};
	static const char *const anchored[] = {
	    "verify", "--anchor", "12:" HASH_A, NULL};
	static const char *const bad_anchor[] = {
	    "verify", "--anchor", "12:abc", NULL};
	static const char *const operand[] = {"verify", "12", NULL};
	struct test_argv argv = make_argv(plain);
	struct settings settings;
	struct command cmd;
	struct audit_verify_args args;
	struct buffer query;

	settings_init(&settings);
	buffer_init(&query);
	cmd = (struct command){&settings, "audit verify", "", CTL_EXIT_OK};
	CHECK(audit_verify_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK(!args.anchored);
	CHECK(settings.json);
	CHECK(audit_verify_query(&args, &query) == 0);
	CHECK(query.len == 0);
	free_argv(&argv);

	argv = make_argv(anchored);
	CHECK(audit_verify_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK(args.anchored);
	CHECK(audit_verify_query(&args, &query) == 0);
	CHECK_STR(query.data, "anchor_seq=12&anchor_hash=" HASH_A);
	buffer_free(&query);
	free_argv(&argv);

	argv = make_argv(bad_anchor);
	CHECK(audit_verify_parse(&cmd, argv.argc, argv.argv, &args) == -1);
	CHECK(cmd.exit_code == CTL_EXIT_USAGE);
	free_argv(&argv);

	cmd.exit_code = CTL_EXIT_OK;
	argv = make_argv(operand);
	CHECK(audit_verify_parse(&cmd, argv.argc, argv.argv, &args) == -1);
	CHECK(cmd.exit_code == CTL_EXIT_USAGE);
	free_argv(&argv);
	settings_free(&settings);
}

static void
test_audit_verify_output(void)
{
	static const struct {
		const char *response;
		bool anchored;
		int exit_code;
		const char *output; /* NULL when nothing is printed */
	} cases[] = {
	    {"{\"valid\":true,\"records\":4388,\"head_seq\":4391,"
	     "\"head_hash\":\"" HASH_A "\"}",
		false, CTL_EXIT_OK,
		"audit log valid: 4388 records checked; head record 4391 has "
		"hash " HASH_A "\n"
		"Record this anchor outside the database and check it later "
		"with\n  ismsctl audit verify --anchor 4391:" HASH_A "\n"},
	    {"{\"valid\":true,\"records\":0,\"head_seq\":null,"
	     "\"head_hash\":null}",
		false, CTL_EXIT_OK, "audit log valid: 0 records checked\n"},
	    {"{\"valid\":true,\"records\":3}", false, CTL_EXIT_OK,
		"audit log valid: 3 records checked\n"},
	    {"{\"valid\":false,\"first_bad_seq\":877,\"records\":1204,"
	     "\"head_seq\":1204,\"head_hash\":\"" HASH_A "\"}",
		false, CTL_EXIT_AUDIT_INVALID,
		"audit log INVALID: the hash chain breaks at record seq 877\n"},
	    {"{\"valid\":true,\"records\":4388,\"head_seq\":4391,"
	     "\"head_hash\":\"" HASH_A "\",\"anchor_valid\":true}",
		true, CTL_EXIT_OK,
		"audit log valid: 4388 records checked; head record 4391 has "
		"hash " HASH_A "\n"
		"Record this anchor outside the database and check it later "
		"with\n  ismsctl audit verify --anchor 4391:" HASH_A "\n"
		"anchor holds: record 12 still has hash " HASH_A "\n"},
	    {"{\"valid\":true,\"records\":10,\"head_seq\":10,"
	     "\"head_hash\":\"" HASH_A "\",\"anchor_valid\":false}",
		true, CTL_EXIT_AUDIT_INVALID,
		"audit log valid: 10 records checked; head record 10 has hash "
		HASH_A "\n"
		"anchor INVALID: record 12 is gone or no longer has hash " HASH_A
		", so the audit log was rewritten or its newest records were "
		"removed after the anchor was recorded\n"},
	    {"{\"valid\":false,\"first_bad_seq\":3,\"records\":10,"
	     "\"anchor_valid\":true}",
		true, CTL_EXIT_AUDIT_INVALID,
		"audit log INVALID: the hash chain breaks at record seq 3\n"
		"anchor holds: record 12 still has hash " HASH_A "\n"},
	    {"{\"valid\":true,\"records\":10}", true, CTL_EXIT_SERVER, NULL},
	    {"{\"records\":10}", false, CTL_EXIT_SERVER, NULL},
	    {"{\"valid\":\"yes\"}", false, CTL_EXIT_SERVER, NULL},
	};
	struct audit_verify_args args = {0};
	size_t i;

	CHECK(value_parse_anchor("12:" HASH_A, &args.anchor) == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *result = json_loads(cases[i].response, 0, NULL);
		FILE *f = tmpfile();
		const char *output;
		int ret;

		CHECK(result != NULL);
		CHECK(f != NULL);
		if (result == NULL || f == NULL)
			continue;
		args.anchored = cases[i].anchored;
		ret = audit_print_verify(f, result, &args);
		output = read_stream(f);
		if (ret != cases[i].exit_code)
			fprintf(stderr, "verify case %zu gave exit status %d\n",
			    i, ret);
		CHECK(ret == cases[i].exit_code);
		CHECK(audit_verify_exit_code(result, &args) ==
		    cases[i].exit_code);
		CHECK_STR(output,
		    cases[i].output != NULL ? cases[i].output : "");
		fclose(f);
		json_decref(result);
	}
}

static void
test_token_file_reading(void)
{
	char err[512];
	char *token = NULL;
	bool shared = true;
	const char *path;
	char long_line[TOKEN_FILE_MAX_LINE + 10];

	path = write_temp_file("token", TEST_TOKEN "\nsecond line\n", 0600);
	CHECK(settings_read_token_file(
		  path, &token, &shared, err, sizeof(err)) == 0);
	CHECK_STR(token, TEST_TOKEN);
	CHECK(!shared);
	settings_free_secret(token);

	path = write_temp_file("token-crlf", TEST_TOKEN "\r\n", 0640);
	CHECK(settings_read_token_file(
		  path, &token, &shared, err, sizeof(err)) == 0);
	CHECK_STR(token, TEST_TOKEN);
	CHECK(shared);
	settings_free_secret(token);

	path = write_temp_file("token-no-newline", TEST_TOKEN, 0604);
	CHECK(settings_read_token_file(
		  path, &token, &shared, err, sizeof(err)) == 0);
	CHECK_STR(token, TEST_TOKEN);
	CHECK(shared);
	settings_free_secret(token);

	path = write_temp_file("token-empty", "\n" TEST_TOKEN "\n", 0600);
	CHECK(settings_read_token_file(
		  path, &token, &shared, err, sizeof(err)) == -1);
	CHECK(token == NULL);
	CHECK(strstr(err, "is empty") != NULL);

	path = write_temp_file("token-space", "isms_ab cd\n", 0600);
	CHECK(settings_read_token_file(
		  path, &token, &shared, err, sizeof(err)) == -1);
	CHECK(strstr(err, "spaces or control characters") != NULL);
	CHECK(strstr(err, "isms_ab") == NULL);

	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	path = write_temp_file("token-long", long_line, 0600);
	CHECK(settings_read_token_file(
		  path, &token, &shared, err, sizeof(err)) == -1);
	CHECK(strstr(err, "longer than 4096 bytes") != NULL);

	CHECK(settings_read_token_file("/nonexistent/token", &token, &shared,
		  err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot open token file /nonexistent/token") != NULL);
	CHECK(settings_read_token_file(
		  temp_dir, &token, &shared, err, sizeof(err)) == -1);
	CHECK(strstr(err, "is a directory") != NULL);
}

static void
test_token_resolution(void)
{
	struct settings settings;
	char err[256];
	const char *path =
	    write_temp_file("token-resolve", TEST_TOKEN "\n", 0600);

	settings_init(&settings);
	CHECK(settings_apply_option(
		  &settings, OPT_TOKEN_FILE, path, err, sizeof(err)) == 0);
	CHECK(settings_resolve_token(&settings) == CTL_EXIT_OK);
	CHECK_STR(settings.token, TEST_TOKEN);
	settings_free(&settings);

	settings_init(&settings);
	CHECK(settings_apply_option(
		  &settings, OPT_TOKEN, "bad\ntoken", err, sizeof(err)) == 0);
	CHECK(settings_resolve_token(&settings) == CTL_EXIT_USAGE);
	settings_free(&settings);

	settings_init(&settings);
	CHECK(settings_apply_option(&settings, OPT_TOKEN_FILE,
		  "/nonexistent/token", err, sizeof(err)) == 0);
	CHECK(settings_resolve_token(&settings) == CTL_EXIT_USAGE);
	settings_free(&settings);
}

static void
test_status_normalisation(void)
{
	static const struct {
		const char *input;
		const char *expected; /* NULL when invalid */
	} cases[] = {
	    {"not_started", "not_started"},
	    {"not-started", "not_started"},
	    {"not started", "not_started"},
	    {"Not Started", "not_started"},
	    {"  planned ", "planned"},
	    {"PARTIAL", "partial"},
	    {"implemented", "implemented"},
	    {"Not-Applicable", "not_applicable"},
	    {"started", NULL},
	    {"", NULL},
	    {"   ", NULL},
	    {"not__started", NULL},
	    {"implementedxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL},
	};
	char out[VALUE_ENUM_SIZE];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = value_normalize_enum(
		    cases[i].input, value_soa_statuses, out, sizeof(out));

		if (cases[i].expected == NULL) {
			CHECK(ret == -1);
		} else {
			CHECK(ret == 0);
			CHECK_STR(out, cases[i].expected);
		}
	}
	CHECK(value_normalize_enum("no government measure",
		  value_catalogue_statuses, out, sizeof(out)) == 0);
	CHECK_STR(out, "no_government_measure");
	CHECK(value_normalize_enum(
		  "Technological", value_themes, out, sizeof(out)) == 0);
	CHECK_STR(out, "technological");
	value_join(value_soa_statuses, out, sizeof(out));
	CHECK(strlen(out) == sizeof(out) - 1);
}

static void
test_ref_framework_inference(void)
{
	CHECK_STR(value_framework_for_ref("5.24"), FRAMEWORK_ISO);
	CHECK_STR(value_framework_for_ref("8.10"), FRAMEWORK_ISO);
	CHECK_STR(value_framework_for_ref("5.24.01"), FRAMEWORK_BIO2);
	CHECK(value_framework_for_ref("5") == NULL);
	CHECK(value_framework_for_ref("5.24.01.1") == NULL);
	CHECK(value_framework_for_ref("5..24") == NULL);
	CHECK(value_framework_for_ref(".5") == NULL);
	CHECK(value_framework_for_ref("5.24.") == NULL);
	CHECK(value_framework_for_ref("A.5.24") == NULL);
	CHECK(value_framework_for_ref("") == NULL);
	CHECK(value_ref_is_valid("5"));
	CHECK(value_ref_is_valid("5.24.01.1"));
	CHECK(!value_ref_is_valid("5.24/../x"));
}

static void
test_limit_and_etag(void)
{
	char etag[VALUE_ENUM_SIZE];
	long limit = 0;
	bool yes = false;

	CHECK(value_parse_limit("1", &limit) == 0);
	CHECK(limit == 1);
	CHECK(value_parse_limit("1000", &limit) == 0);
	CHECK(limit == 1000);
	CHECK(value_parse_limit("0", &limit) == -1);
	CHECK(value_parse_limit("1001", &limit) == -1);
	CHECK(value_parse_limit("-5", &limit) == -1);
	CHECK(value_parse_limit(" 5", &limit) == -1);
	CHECK(value_parse_limit("5x", &limit) == -1);
	CHECK(value_parse_limit("99999999999999999999", &limit) == -1);

	CHECK(value_parse_yes_no("YES", &yes) == 0);
	CHECK(yes);
	CHECK(value_parse_yes_no("no", &yes) == 0);
	CHECK(!yes);
	CHECK(value_parse_yes_no("undecided", &yes) == -1);

	CHECK(value_normalize_etag("v3", etag, sizeof(etag)) == 0);
	CHECK_STR(etag, "\"v3\"");
	CHECK(value_normalize_etag("\"v12\"", etag, sizeof(etag)) == 0);
	CHECK_STR(etag, "\"v12\"");
	CHECK(value_normalize_etag("3", etag, sizeof(etag)) == -1);
	CHECK(value_normalize_etag("v", etag, sizeof(etag)) == -1);
	CHECK(value_normalize_etag("v3\r\nX: y", etag, sizeof(etag)) == -1);
	CHECK(value_normalize_etag("W/\"v3\"", etag, sizeof(etag)) == -1);
}

static void
test_exit_codes(void)
{
	static const struct {
		long status;
		int exit_code;
	} cases[] = {
	    {200, CTL_EXIT_OK},
	    {204, CTL_EXIT_OK},
	    {400, CTL_EXIT_INVALID},
	    {405, CTL_EXIT_INVALID},
	    {406, CTL_EXIT_INVALID},
	    {413, CTL_EXIT_INVALID},
	    {415, CTL_EXIT_INVALID},
	    {422, CTL_EXIT_INVALID},
	    {401, CTL_EXIT_AUTH},
	    {403, CTL_EXIT_AUTH},
	    {404, CTL_EXIT_NOT_FOUND},
	    {409, CTL_EXIT_CONFLICT},
	    {412, CTL_EXIT_CONFLICT},
	    {428, CTL_EXIT_CONFLICT},
	    {408, CTL_EXIT_SERVER},
	    {429, CTL_EXIT_SERVER},
	    {500, CTL_EXIT_SERVER},
	    {503, CTL_EXIT_SERVER},
	    {302, CTL_EXIT_SERVER},
	    {0, CTL_EXIT_SERVER},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = problem_exit_code(cases[i].status);

		if (got != cases[i].exit_code)
			fprintf(stderr, "HTTP %ld gave exit status %d\n",
			    cases[i].status, got);
		CHECK(got == cases[i].exit_code);
	}
}

static void
describe(long status, const char *content_type, const char *body,
    const char *header_id, struct problem_report *report)
{
	problem_describe(status, content_type, body,
	    body != NULL ? strlen(body) : 0, header_id, report);
}

static void
test_problem_messages(void)
{
	struct problem_report report;

	describe(422, "application/problem+json",
	    "{\"type\":\"urn:ismsd:problem:invalid-value\","
	    "\"title\":\"Invalid value\",\"status\":422,"
	    "\"detail\":\"status must be one of not_started, planned\","
	    "\"field\":\"status\",\"request_id\":\"7f3a9c2e01b4d5a6\"}",
	    "from-header", &report);
	CHECK_STR(report.message,
	    "status must be one of not_started, planned (field: status)");
	CHECK_STR(report.request_id, "7f3a9c2e01b4d5a6");
	CHECK_STR(report.hint, "");

	describe(404, "application/problem+json; charset=utf-8",
	    "{\"title\":\"Not found\",\"status\":404}", "abc123", &report);
	CHECK_STR(report.message, "Not found");
	CHECK_STR(report.request_id, "abc123");

	describe(502, "text/html", "<html>Bad gateway</html>", NULL, &report);
	CHECK_STR(report.message, "the server responded with HTTP 502");
	CHECK_STR(report.request_id, "");

	describe(500, "application/problem+json", "not json", "r1", &report);
	CHECK_STR(report.message, "the server responded with HTTP 500");
	CHECK_STR(report.request_id, "r1");

	describe(400, "application/problem+json", "[1,2]", NULL, &report);
	CHECK_STR(report.message, "the server responded with HTTP 400");

	describe(412, "application/problem+json",
	    "{\"detail\":\"stale\\u001b[2J\\nETag\",\"field\":null}", NULL,
	    &report);
	CHECK_STR(report.message, "stale [2J ETag");
	CHECK(strstr(report.hint, "ismsctl soa show") != NULL);

	describe(401, NULL, NULL, NULL, &report);
	CHECK_STR(report.message, "the server responded with HTTP 401");
	CHECK(strstr(report.hint, "ISMS_TOKEN") != NULL);
}

static void
test_text_fit(void)
{
	char *text;

	text = text_fit("abcdef", 5);
	CHECK_STR(text, "ab...");
	free(text);
	text = text_fit("ab  cdef", 7);
	CHECK_STR(text, "ab...");
	free(text);
	text = text_fit("abcde", 5);
	CHECK_STR(text, "abcde");
	free(text);
	text = text_fit("abcdef", 2);
	CHECK_STR(text, "ab");
	free(text);
	/* "basishygiëne": the ë is two bytes but one column. */
	CHECK(text_width("basishygi\xc3\xabne") == 12);
	text = text_fit("basishygi\xc3\xabne ketenhygi\xc3\xabne", 13);
	CHECK_STR(text, "basishygi\xc3\xab...");
	free(text);
	text = text_fit("hygi\xc3\xabne", 7);
	CHECK_STR(text, "hygi\xc3\xabne");
	free(text);
	text = text_fit("hygi\xc3\xabne", 6);
	CHECK_STR(text, "hyg...");
	free(text);
	text = text_fit("abcdefgh\xc3\xab", 8);
	CHECK_STR(text, "abcde...");
	free(text);
	text = text_clean("a\tb\nc\x1b[31md\x7f"
			  "e\xc2\x9b"
			  "f\xc3\xab");
	CHECK_STR(text, "a b c [31md e f\xc3\xab");
	free(text);
}

/* Returns the printed table, valid until the next call. */
static const char *
render_table(const struct table *table, size_t width)
{
	static char text[8192];
	FILE *f = tmpfile();
	size_t n;

	if (f == NULL)
		return "";
	CHECK(table_print(table, f, width) == 0);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void
test_table_truncation(void)
{
	static const char *const headers[] = {"REF", "STATUS", "TITLE"};
	const char *row1[] = {"5.24", "not_started",
	    "Information security incident management planning and "
	    "preparation of the whole organisation and all of its suppliers "
	    "and every chain partner"};
	const char *row2[] = {"5.1", NULL, "Policies\tfor information"};
	struct table *table = table_new(3, headers, 2);
	const char *text;
	const char *line;

	CHECK(table != NULL);
	if (table == NULL)
		return;
	CHECK(table_add_row(table, row1) == 0);
	CHECK(table_add_row(table, row2) == 0);
	CHECK(table_rows(table) == 2);
	text = render_table(table, 100);
	for (line = text; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);

		CHECK(len <= 100);
		CHECK(len == 0 || line[len - 1] != ' ');
		line += len + (end != NULL ? 1 : 0);
	}
	CHECK(strncmp(text, "REF   STATUS       TITLE\n", 25) == 0);
	CHECK(strstr(text, "5.24  not_started  Information security") != NULL);
	CHECK(strstr(text, "every chain partner") == NULL);
	CHECK(strstr(text, "...\n") != NULL);
	CHECK(strstr(text, "5.1   -            Policies for information\n") !=
	    NULL);
	text = render_table(table, 30);
	CHECK(strstr(text, "5.24  not_started  Informati...\n") != NULL);
	table_limit_column(table, 1, 5);
	text = render_table(table, 100);
	CHECK(strstr(text, "5.24  no...  Information") != NULL);
	table_free(table);
}

static void
test_output_text(void)
{
	json_t *value =
	    json_loads("{\"s\":\"a\\u0007b\",\"t\":true,\"f\":false,\"n\":null,"
		       "\"i\":42,\"a\":[\"x\",\"y\"],\"e\":[]}",
		0, NULL);
	char *text;

	CHECK(value != NULL);
	text = output_member_text(value, "s");
	CHECK_STR(text, "a b");
	free(text);
	text = output_member_text(value, "t");
	CHECK_STR(text, "yes");
	free(text);
	text = output_member_text(value, "f");
	CHECK_STR(text, "no");
	free(text);
	text = output_member_text(value, "n");
	CHECK_STR(text, TABLE_NULL);
	free(text);
	text = output_member_text(value, "missing");
	CHECK_STR(text, TABLE_NULL);
	free(text);
	text = output_member_text(value, "i");
	CHECK_STR(text, "42");
	free(text);
	text = output_member_text(value, "a");
	CHECK_STR(text, "x, y");
	free(text);
	text = output_member_text(value, "e");
	CHECK_STR(text, TABLE_NULL);
	free(text);
	text = output_member_text(NULL, "s");
	CHECK_STR(text, TABLE_NULL);
	free(text);
	json_decref(value);
}

static void
test_soa_set_parse_and_body(void)
{
	static const char *const words[] = {"set", "5.24.01", "--status",
	    "Not Started", "--evidence", "https://a.example/1", "--owner", "",
	    "--applicable=no", "--evidence", "https://a.example/2",
	    "--justification", "No such systems", "--if-match", "v7", NULL};
	struct test_argv argv = make_argv(words);
	struct settings settings;
	struct command cmd;
	struct soa_set_args args;
	json_t *body;
	json_t *expected;

	settings_init(&settings);
	cmd = (struct command){&settings, "soa set", "", CTL_EXIT_OK};
	CHECK(soa_set_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK_STR(args.ref, "5.24.01");
	CHECK_STR(args.framework, FRAMEWORK_BIO2);
	CHECK_STR(args.status, "not_started");
	CHECK(args.applicable == 0);
	CHECK(args.nevidence == 2);
	CHECK_STR(args.if_match, "\"v7\"");
	body = soa_set_body(&args);
	expected = json_loads(
	    "{\"status\":\"not_started\",\"applicable\":false,"
	    "\"justification\":\"No such systems\",\"owner\":null,"
	    "\"evidence\":[\"https://a.example/1\",\"https://a.example/2\"]}",
	    0, NULL);
	CHECK(body != NULL);
	CHECK(expected != NULL);
	CHECK(json_equal(body, expected));
	json_decref(body);
	json_decref(expected);
	soa_set_args_free(&args);
	settings_free(&settings);
	free_argv(&argv);
}

/*
 * Runs soa_set_parse() on words and returns its result, with the exit
 * status in *exit_code. The parsed arguments are freed.
 */
static int
parse_soa_set(
    struct settings *settings, const char *const *words, int *exit_code)
{
	struct test_argv argv = make_argv(words);
	struct command cmd = {settings, "soa set", "", -1};
	struct soa_set_args args;
	int ret = soa_set_parse(&cmd, argv.argc, argv.argv, &args);

	*exit_code = cmd.exit_code;
	soa_set_args_free(&args);
	free_argv(&argv);
	return ret;
}

static void
test_soa_set_parse_errors(void)
{
	static const char *const bad_status[] = {
	    "set", "5.1", "--status", "done", NULL};
	static const char *const nothing[] = {"set", "5.1", "--json", NULL};
	static const char *const both_evidence[] = {
	    "set", "5.1", "--evidence", "x", "--clear-evidence", NULL};
	static const char *const empty_evidence[] = {
	    "set", "5.1", "--evidence", "", NULL};
	static const char *const no_ref[] = {
	    "set", "--status", "planned", NULL};
	static const char *const two_refs[] = {
	    "set", "5.1", "5.2", "--status", "planned", NULL};
	static const char *const four_parts[] = {
	    "set", "5.1.1.1", "--status", "planned", NULL};
	static const char *const bad_ref[] = {
	    "set", "5.1/x", "--status", "planned", NULL};
	static const char *const bad_applicable[] = {
	    "set", "5.1", "--applicable", "maybe", NULL};
	static const char *const bad_etag[] = {
	    "set", "5.1", "--status", "planned", "--if-match", "*", NULL};
	static const char *const help[] = {
	    "set", "--status", "bogus", "--help", NULL};
	static const char *const help_first[] = {
	    "set", "--help", "--status", "bogus", NULL};
	static const char *const explicit[] = {"set", "5.1.1.1", "--framework",
	    "future", "--clear-evidence", "--reviewed-at", "", NULL};
	struct test_argv argv = make_argv(explicit);
	struct settings settings;
	struct command cmd;
	struct soa_set_args args;
	json_t *body;
	int exit_code;

	settings_init(&settings);
	CHECK(parse_soa_set(&settings, bad_status, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, nothing, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(settings.json);
	CHECK(parse_soa_set(&settings, both_evidence, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, empty_evidence, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, no_ref, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, two_refs, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, four_parts, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, bad_ref, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, bad_applicable, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, bad_etag, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	/* The first problem wins: a bad status before --help is an error. */
	CHECK(parse_soa_set(&settings, help, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_USAGE);
	CHECK(parse_soa_set(&settings, help_first, &exit_code) == -1);
	CHECK(exit_code == CTL_EXIT_OK);

	cmd = (struct command){&settings, "soa set", "", CTL_EXIT_OK};
	CHECK(soa_set_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK_STR(args.framework, "future");
	body = soa_set_body(&args);
	CHECK(json_is_null(json_object_get(body, "evidence")));
	CHECK(json_is_null(json_object_get(body, "reviewed_at")));
	CHECK(json_object_size(body) == 2);
	json_decref(body);
	soa_set_args_free(&args);
	settings_free(&settings);
	free_argv(&argv);
}

static void
test_controls_list_query(void)
{
	static const char *const filters[] = {"list", "--framework", "bio2",
	    "--status", "not-started", "--query", "a b&c=d/\xc3\xa9", "--limit",
	    "50", "--applicable", "Undecided", "--catalogue-status", "active",
	    "--theme", "people", "--all", NULL};
	static const char *const defaults[] = {"list", NULL};
	static const char *const all_frameworks[] = {
	    "list", "--framework", "all", NULL};
	static const char *const bad_theme[] = {
	    "list", "--theme", "digital", NULL};
	static const char *const operand[] = {"list", "5.1", NULL};
	struct test_argv argv = make_argv(filters);
	struct settings settings;
	struct command cmd;
	struct controls_list_args args;
	struct buffer query;

	settings_init(&settings);
	buffer_init(&query);
	cmd = (struct command){&settings, "controls list", "", CTL_EXIT_OK};
	CHECK(controls_list_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK(args.all);
	CHECK(args.limit == 50);
	CHECK(controls_list_query(&args, "c+/=", &query) == 0);
	CHECK_STR(query.data,
	    "framework=bio2&theme=people&status=not_started&"
	    "catalogue_status=active&applicable=undecided&"
	    "q=a%20b%26c%3Dd%2F%C3%A9&cursor=c%2B%2F%3D&limit=50");
	buffer_free(&query);
	free_argv(&argv);

	argv = make_argv(defaults);
	CHECK(controls_list_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK_STR(args.framework, FRAMEWORK_ISO);
	CHECK(!args.all);
	CHECK(controls_list_query(&args, NULL, &query) == 0);
	CHECK_STR(query.data, "framework=iso27001-2022");
	buffer_free(&query);
	free_argv(&argv);

	argv = make_argv(all_frameworks);
	CHECK(controls_list_parse(&cmd, argv.argc, argv.argv, &args) == 0);
	CHECK(args.framework == NULL);
	CHECK(controls_list_query(&args, NULL, &query) == 0);
	CHECK(query.len == 0);
	buffer_free(&query);
	free_argv(&argv);

	argv = make_argv(bad_theme);
	CHECK(controls_list_parse(&cmd, argv.argc, argv.argv, &args) == -1);
	CHECK(cmd.exit_code == CTL_EXIT_USAGE);
	free_argv(&argv);

	cmd.exit_code = CTL_EXIT_OK;
	argv = make_argv(operand);
	CHECK(controls_list_parse(&cmd, argv.argc, argv.argv, &args) == -1);
	CHECK(cmd.exit_code == CTL_EXIT_USAGE);
	free_argv(&argv);
	settings_free(&settings);
}

static void
test_http_path(void)
{
	char *path = http_path("/api/v1/soa", "iso27001-2022", "5.1");

	CHECK_STR(path, "/api/v1/soa/iso27001-2022/5.1");
	free(path);
	path = http_path("/api/v1/controls", "a/b", "../x y");
	CHECK_STR(path, "/api/v1/controls/a%2Fb/..%2Fx%20y");
	free(path);
	path = http_path("/api/v1/frameworks", NULL, NULL);
	CHECK_STR(path, "/api/v1/frameworks");
	free(path);
}

/* Counts the entries of temp_dir whose name starts with prefix. */
static int
count_files(const char *prefix)
{
	DIR *dir = opendir(temp_dir);
	struct dirent *entry;
	int count = 0;

	if (dir == NULL)
		return -1;
	while ((entry = readdir(dir)) != NULL)
		if (strncmp(entry->d_name, prefix, strlen(prefix)) == 0)
			count++;
	closedir(dir);
	return count;
}

static void
test_atomic_write(void)
{
	static const char csv[] = "framework,ref\r\niso27001-2022,5.1\r\n";
	char path[512];
	char bad[512];
	char err[512];
	struct stat st;

	memset(&st, 0, sizeof(st));
	snprintf(path, sizeof(path), "%s/export.csv", temp_dir);
	CHECK(write_temp_file("export.csv", "old content\n", 0644) != NULL);
	CHECK(output_write_file_atomic(
		  path, csv, strlen(csv), err, sizeof(err)) == 0);
	CHECK_STR(read_file(path), csv);
	CHECK(count_files("export.csv") == 1);
	CHECK(stat(path, &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);

	snprintf(bad, sizeof(bad), "%s/missing-dir/export.csv", temp_dir);
	CHECK(output_write_file_atomic(
		  bad, csv, strlen(csv), err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot create a temporary file") != NULL);

	/* A directory in the way makes the rename fail after the write. */
	snprintf(bad, sizeof(bad), "%s/taken", temp_dir);
	CHECK(mkdir(bad, 0700) == 0);
	snprintf(path, sizeof(path), "%s/taken/x", temp_dir);
	CHECK(mkdir(path, 0700) == 0);
	CHECK(output_write_file_atomic(
		  bad, csv, strlen(csv), err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot rename") != NULL);
	CHECK(count_files("taken") == 1);
	rmdir(path);
	rmdir(bad);
}

/* Removes the files that the tests created in temp_dir. */
static void
remove_temp_dir(void)
{
	DIR *dir = opendir(temp_dir);
	struct dirent *entry;
	char path[512];

	if (dir == NULL)
		return;
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", temp_dir, entry->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(temp_dir);
}

int
main(void)
{
	if (mkdtemp(temp_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_options_mixed();
	test_options_errors();
	test_settings_env_and_flags();
	test_settings_check_url();
	test_settings_url_userinfo();
	test_cacert_check();
	test_client_rejects_local_settings();
	test_http_body_limit();
	test_problem_json_text();
	test_paging_collect();
	test_audit_list_query();
	test_anchor_parse();
	test_audit_verify_parse();
	test_audit_verify_output();
	test_token_file_reading();
	test_token_resolution();
	test_status_normalisation();
	test_ref_framework_inference();
	test_limit_and_etag();
	test_exit_codes();
	test_problem_messages();
	test_text_fit();
	test_table_truncation();
	test_output_text();
	test_soa_set_parse_and_body();
	test_soa_set_parse_errors();
	test_controls_list_query();
	test_http_path();
	test_atomic_write();
	remove_temp_dir();
	return unit_finish();
}
