/*
 * "ismsctl soa list|show|set|export": the Statement of Applicability.
 * "soa set" reads the entry's ETag first and sends it in If-Match, so a
 * change made by someone else in between gives 412 instead of being lost.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "http.h"
#include "ismsctl.h"
#include "message.h"
#include "output.h"
#include "table.h"
#include "text.h"

enum {
	OPT_FRAMEWORK,
	OPT_STATUS,
	OPT_JUSTIFICATION,
	OPT_APPLICABLE,
	OPT_OWNER,
	OPT_EVIDENCE,
	OPT_CLEAR_EVIDENCE,
	OPT_REVIEWED_AT,
	OPT_NEXT_REVIEW_AT,
	OPT_IF_MATCH,
	OPT_CSV,
	OPT_OUTPUT
};

static const struct option_spec framework_options[] = {
    {"framework", '\0', true, OPT_FRAMEWORK},
    {NULL, '\0', false, 0},
};

static const struct option_spec set_options[] = {
    {"framework", '\0', true, OPT_FRAMEWORK},
    {"status", '\0', true, OPT_STATUS},
    {"justification", '\0', true, OPT_JUSTIFICATION},
    {"applicable", '\0', true, OPT_APPLICABLE},
    {"owner", '\0', true, OPT_OWNER},
    {"evidence", '\0', true, OPT_EVIDENCE},
    {"clear-evidence", '\0', false, OPT_CLEAR_EVIDENCE},
    {"reviewed-at", '\0', true, OPT_REVIEWED_AT},
    {"next-review-at", '\0', true, OPT_NEXT_REVIEW_AT},
    {"if-match", '\0', true, OPT_IF_MATCH},
    {NULL, '\0', false, 0},
};

static const struct option_spec export_options[] = {
    {"framework", '\0', true, OPT_FRAMEWORK},
    {"csv", '\0', false, OPT_CSV},
    {"output", 'o', true, OPT_OUTPUT},
    {NULL, '\0', false, 0},
};

static const char soa_help[] =
    "Usage: ismsctl soa SUBCOMMAND [OPTIONS]\n"
    "\n"
    "Subcommands:\n"
    "  list        List the Statement of Applicability of a framework\n"
    "  show REF    Show one entry\n"
    "  set REF     Change one entry\n"
    "  export      Write the Statement of Applicability as CSV or JSON\n"
    "\n"
    "Run 'ismsctl soa SUBCOMMAND --help' for the options of one "
    "subcommand.\n";

static const char soa_list_help[] =
    "Usage: ismsctl soa list [--framework F]\n"
    "\n"
    "List every Statement of Applicability entry of one framework in\n"
    "catalogue order.\n"
    "\n"
    "Options:\n"
    "  --framework F    iso27001-2022 (the default) or bio2\n"
    "  --json           Print the API's JSON body instead of a table\n"
    "  -h, --help       Show this help\n"
    "\n"
    "Example:\n"
    "  ismsctl soa list --framework bio2\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static const char soa_show_help[] =
    "Usage: ismsctl soa show REF [--framework F]\n"
    "\n"
    "Show one Statement of Applicability entry with its ETag. Without\n"
    "--framework, a ref with two parts (5.24) is an ISO control and a ref\n"
    "with three parts (5.24.01) a BIO2 measure.\n"
    "\n"
    "Options:\n"
    "  --framework F    Framework of REF: iso27001-2022 or bio2\n"
    "  --json           Print the API's JSON body instead of text\n"
    "  -h, --help       Show this help\n"
    "\n"
    "Example:\n"
    "  ismsctl soa show 5.1\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static const char soa_set_help[] =
    "Usage: ismsctl soa set REF [--framework F] [OPTIONS]\n"
    "\n"
    "Change one Statement of Applicability entry. Only the given members\n"
    "change. ismsctl reads the entry's ETag and sends it in If-Match, so\n"
    "the change fails with exit status 5 if the entry changed in between.\n"
    "An empty TEXT, NAME or TIME clears the member. Prints the new entry.\n"
    "Needs a token with role admin or ciso.\n"
    "\n"
    "Options:\n"
    "  --framework F           Framework of REF: iso27001-2022 or bio2\n"
    "                          (inferred from REF when left out)\n"
    "  --status STATUS         not_started, planned, partial, implemented\n"
    "                          or not_applicable. Hyphens or spaces work\n"
    "                          too, as in not-started or \"not started\"\n"
    "  --justification TEXT    Reason for the decision, at most 4000\n"
    "                          characters\n"
    "  --applicable yes|no     Whether the control applies. With no, the\n"
    "                          status becomes not_applicable and a\n"
    "                          justification is required\n"
    "  --owner NAME            Person or role responsible, at most 200\n"
    "                          characters\n"
    "  --evidence URL          Evidence link, repeatable. The given links\n"
    "                          replace the whole list\n"
    "  --clear-evidence        Remove every evidence link\n"
    "  --reviewed-at TIME      Last review, RFC 3339 such as\n"
    "                          2026-12-01T00:00:00Z\n"
    "  --next-review-at TIME   Next review, RFC 3339, not before the last\n"
    "  --if-match ETAG         Change only if the entry still has this ETag\n"
    "                          (\"v3\" or v3) and skip reading it first\n"
    "  --json                  Print the API's JSON body instead of text\n"
    "  -h, --help              Show this help\n"
    "\n"
    "Examples:\n"
    "  ismsctl soa set 5.1 --applicable yes --status implemented \\\n"
    "      --owner CISO --evidence https://intranet.example/policy.pdf\n"
    "  ismsctl soa set 7.4 --applicable no \\\n"
    "      --justification \"No physical premises to monitor\"\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static const char soa_export_help[] =
    "Usage: ismsctl soa export --csv|--json [--framework F] [--output "
    "FILE]\n"
    "\n"
    "Write the Statement of Applicability of one framework exactly as the\n"
    "server sends it: RFC 4180 CSV with a header row, or the JSON document\n"
    "of 'soa list'. With --output, the file is replaced atomically (a\n"
    "temporary file in the same directory, then a rename) and gets mode\n"
    "0600.\n"
    "\n"
    "Options:\n"
    "  --csv              Export CSV\n"
    "  --json             Export JSON\n"
    "  --framework F      iso27001-2022 (the default) or bio2. A Dutch\n"
    "                     government organisation exports both\n"
    "  -o, --output FILE  Write to FILE instead of standard output\n"
    "  -h, --help         Show this help\n"
    "\n"
    "Examples:\n"
    "  ismsctl soa export --csv --output soa-iso27001.csv\n"
    "  ismsctl soa export --csv --framework bio2 --output soa-bio2.csv\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static int
check_list_framework(struct command *cmd, const char *framework)
{
	if (framework[0] == '\0' || strcmp(framework, "all") == 0) {
		cmd->exit_code = command_usage_error(cmd,
		    "invalid value '%s' for --framework: the Statement of "
		    "Applicability is kept per framework, so name one, such "
		    "as iso27001-2022 or bio2",
		    framework);
		return -1;
	}
	return 0;
}

int
soa_print_entry(
    FILE *out, const json_t *entry, const char *heading, const char *etag)
{
	static const struct output_field fields[] = {
	    {"applicable", "applicable"},
	    {"status", "status"},
	    {"justification", "justification"},
	    {"owner", "owner"},
	    {"evidence", "evidence"},
	    {"reviewed at", "reviewed_at"},
	    {"next review at", "next_review_at"},
	    {"version", "version"},
	    {"updated at", "updated_at"},
	    {"updated by", "updated_by"},
	    {NULL, NULL},
	};
	char *clean_etag;

	if (etag != NULL) {
		clean_etag = text_clean(etag);
		if (clean_etag == NULL)
			return -1;
		fprintf(out, "%s (ETag %s):\n", heading, clean_etag);
		free(clean_etag);
	} else {
		fprintf(out, "%s:\n", heading);
	}
	return output_fields(out, entry, fields, "  ");
}

/* Prints framework, ref, title and theme, then the entry itself. */
static int
print_entry_with_identity(const json_t *entry, const char *etag)
{
	static const struct output_field identity[] = {
	    {"framework", "framework"},
	    {"ref", "ref"},
	    {"title", "title"},
	    {"theme", "theme"},
	    {NULL, NULL},
	};

	if (output_fields(stdout, entry, identity, "") != 0)
		return -1;
	printf("\n");
	return soa_print_entry(
	    stdout, entry, "Statement of Applicability", etag);
}

/* Cuts an RFC 3339 time in text to its date part. */
static void
keep_date(char *text)
{
	if (strlen(text) > 10 && text[10] == 'T')
		text[10] = '\0';
}

static int
print_soa_table(const json_t *items)
{
	static const char *const headers[] = {
	    "REF", "APPLICABLE", "STATUS", "OWNER", "NEXT REVIEW", "TITLE"};
	static const char *const keys[] = {
	    "ref", "applicable", "status", "owner", "next_review_at", "title"};
	enum { NCOLS = sizeof(keys) / sizeof(keys[0]), OWNER = 3, REVIEW = 4 };
	struct table *table = table_new(NCOLS, headers, NCOLS - 1);
	char *cells[NCOLS] = {NULL};
	json_t *item;
	size_t i;
	size_t col;
	int ret = -1;

	if (table == NULL)
		return -1;
	table_limit_column(table, OWNER, 20);
	json_array_foreach(items, i, item)
	{
		for (col = 0; col < NCOLS; col++) {
			cells[col] = output_member_text(item, keys[col]);
			if (cells[col] == NULL)
				goto out;
		}
		keep_date(cells[REVIEW]);
		if (table_add_row(table, (const char *const *)cells) != 0)
			goto out;
		for (col = 0; col < NCOLS; col++) {
			free(cells[col]);
			cells[col] = NULL;
		}
	}
	ret = table_print(table, stdout, TABLE_WIDTH);
out:
	for (col = 0; col < NCOLS; col++)
		free(cells[col]);
	table_free(table);
	return ret;
}

/* Reads --framework into *framework, which keeps its default otherwise. */
static int
parse_framework_only(
    struct command *cmd, int argc, char **argv, const char **framework)
{
	struct option_parser parser;
	int id;

	options_init(
	    &parser, argc - 1, argv + 1, framework_options, settings_options);
	while ((id = command_next_option(cmd, &parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		if (id == OPTIONS_OPERAND) {
			cmd->exit_code = command_usage_error(
			    cmd, "unexpected argument '%s'", parser.value);
			return -1;
		}
		*framework = parser.value;
	}
	return check_list_framework(cmd, *framework);
}

static int
soa_list(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {settings, "soa list", soa_list_help, CTL_EXIT_OK};
	const char *framework = FRAMEWORK_ISO;
	struct http_client *client = NULL;
	struct http_response resp = {0};
	struct buffer query;
	json_t *json = NULL;
	json_t *items;
	int ret;

	buffer_init(&query);
	if (parse_framework_only(&cmd, argc, argv, &framework) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (http_query_add(&query, "framework", framework) != 0) {
		msg_error("out of memory");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	ret = http_get_json(client, "/api/v1/soa", query.data, &resp, &json);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (settings->json) {
		output_raw(resp.body, resp.body_len);
		goto out;
	}
	items = json_object_get(json, "items");
	if (!json_is_array(items)) {
		msg_error("the server's SoA response has no items array");
		ret = CTL_EXIT_SERVER;
	} else if (json_array_size(items) == 0) {
		printf("The Statement of Applicability of %s has no entries.\n",
		    framework);
	} else if (print_soa_table(items) != 0) {
		msg_error("out of memory while printing the entries");
		ret = CTL_EXIT_SERVER;
	}
out:
	json_decref(json);
	buffer_free(&query);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

/* Prints the entry in resp, or its raw body with --json. */
static int
print_entry_response(const struct settings *settings,
    const struct http_response *resp, const char *path)
{
	json_t *entry = NULL;
	int ret;

	if (settings->json) {
		output_raw(resp->body, resp->body_len);
		return CTL_EXIT_OK;
	}
	ret = http_parse_json(resp, path, &entry);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (!json_is_object(entry)) {
		msg_error(
		    "the server's response to %s is not a JSON object", path);
		ret = CTL_EXIT_SERVER;
	} else if (print_entry_with_identity(entry, resp->etag) != 0) {
		msg_error("out of memory while printing the entry");
		ret = CTL_EXIT_SERVER;
	}
	json_decref(entry);
	return ret;
}

static int
soa_show(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {settings, "soa show", soa_show_help, CTL_EXIT_OK};
	struct http_request req = {.method = "GET", .auth = true};
	struct http_client *client = NULL;
	struct http_response resp = {0};
	const char *framework;
	const char *ref;
	char *path = NULL;
	int ret;

	if (command_parse_ref(&cmd, argc, argv, &ref, &framework) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	path = http_path("/api/v1/soa", framework, ref);
	if (path == NULL) {
		msg_error("out of memory");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	req.path = path;
	ret = http_call(client, &req, &resp);
	if (ret == CTL_EXIT_OK)
		ret = print_entry_response(settings, &resp, path);
out:
	free(path);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

static int
add_evidence(struct soa_set_args *args, const char *url)
{
	const char **grown =
	    reallocarray(args->evidence, args->nevidence + 1, sizeof(*grown));

	if (grown == NULL)
		return -1;
	grown[args->nevidence++] = url;
	args->evidence = grown;
	return 0;
}

static int
apply_set_option(
    struct command *cmd, int id, const char *value, struct soa_set_args *args)
{
	char names[256];
	bool yes;

	switch (id) {
	case OPT_STATUS:
		if (value_normalize_enum(value, value_soa_statuses,
			args->status, sizeof(args->status)) == 0)
			return 0;
		value_join(value_soa_statuses, names, sizeof(names));
		cmd->exit_code = command_usage_error(cmd,
		    "invalid status '%s': expected one of %s", value, names);
		return -1;
	case OPT_JUSTIFICATION:
		args->justification = value;
		return 0;
	case OPT_APPLICABLE:
		if (value_parse_yes_no(value, &yes) == 0) {
			args->applicable = yes ? 1 : 0;
			return 0;
		}
		cmd->exit_code = command_usage_error(cmd,
		    "invalid value '%s' for --applicable: expected yes or no",
		    value);
		return -1;
	case OPT_OWNER:
		args->owner = value;
		return 0;
	case OPT_EVIDENCE:
		if (value[0] == '\0') {
			cmd->exit_code = command_usage_error(cmd,
			    "--evidence needs a non-empty URL (use "
			    "--clear-evidence to remove every link)");
			return -1;
		}
		if (add_evidence(args, value) == 0)
			return 0;
		msg_error("out of memory");
		cmd->exit_code = CTL_EXIT_SERVER;
		return -1;
	case OPT_CLEAR_EVIDENCE:
		args->clear_evidence = true;
		return 0;
	case OPT_REVIEWED_AT:
		args->reviewed_at = value;
		return 0;
	case OPT_NEXT_REVIEW_AT:
		args->next_review_at = value;
		return 0;
	default:
		if (value_normalize_etag(
			value, args->if_match, sizeof(args->if_match)) == 0)
			return 0;
		cmd->exit_code = command_usage_error(cmd,
		    "invalid ETag '%s' for --if-match: expected \"v\" and the "
		    "entry's version, such as \"v3\"",
		    value);
		return -1;
	}
}

/* Checks the parsed "soa set" arguments as a whole. */
static int
check_set_args(
    struct command *cmd, const char *explicit, struct soa_set_args *args)
{
	if (args->ref == NULL) {
		cmd->exit_code = command_usage_error(cmd, "missing REF");
		return -1;
	}
	args->framework = command_framework_for_ref(cmd, args->ref, explicit);
	if (args->framework == NULL) {
		cmd->exit_code = CTL_EXIT_USAGE;
		return -1;
	}
	if (args->clear_evidence && args->nevidence > 0) {
		cmd->exit_code = command_usage_error(cmd,
		    "--evidence and --clear-evidence cannot be used together");
		return -1;
	}
	if (args->status[0] == '\0' && args->justification == NULL &&
	    args->applicable < 0 && args->owner == NULL &&
	    args->nevidence == 0 && !args->clear_evidence &&
	    args->reviewed_at == NULL && args->next_review_at == NULL) {
		cmd->exit_code = command_usage_error(cmd,
		    "nothing to change: give at least one of --status, "
		    "--justification, --applicable, --owner, --evidence, "
		    "--clear-evidence, --reviewed-at, --next-review-at");
		return -1;
	}
	return 0;
}

int
soa_set_parse(
    struct command *cmd, int argc, char **argv, struct soa_set_args *args)
{
	struct option_parser parser;
	const char *explicit = NULL;
	int id;

	memset(args, 0, sizeof(*args));
	args->applicable = -1;
	options_init(
	    &parser, argc - 1, argv + 1, set_options, settings_options);
	while ((id = command_next_option(cmd, &parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		if (id == OPT_FRAMEWORK) {
			explicit = parser.value;
		} else if (id == OPTIONS_OPERAND && args->ref == NULL) {
			args->ref = parser.value;
		} else if (id == OPTIONS_OPERAND) {
			cmd->exit_code = command_usage_error(
			    cmd, "unexpected argument '%s'", parser.value);
			return -1;
		} else if (apply_set_option(cmd, id, parser.value, args) != 0) {
			return -1;
		}
	}
	return check_set_args(cmd, explicit, args);
}

void
soa_set_args_free(struct soa_set_args *args)
{
	free(args->evidence);
	args->evidence = NULL;
	args->nevidence = 0;
}

/* Sets key to the string, or to null when it is empty. */
static int
set_text_member(json_t *body, const char *key, const char *text)
{
	if (text == NULL)
		return 0;
	return json_object_set_new(
	    body, key, text[0] != '\0' ? json_string(text) : json_null());
}

json_t *
soa_set_body(const struct soa_set_args *args)
{
	json_t *body = json_object();
	json_t *evidence;
	size_t i;
	int failed = 0;

	if (body == NULL)
		return NULL;
	if (args->status[0] != '\0')
		failed |= json_object_set_new(
		    body, "status", json_string(args->status));
	if (args->applicable >= 0)
		failed |= json_object_set_new(
		    body, "applicable", json_boolean(args->applicable));
	failed |= set_text_member(body, "justification", args->justification);
	failed |= set_text_member(body, "owner", args->owner);
	failed |= set_text_member(body, "reviewed_at", args->reviewed_at);
	failed |= set_text_member(body, "next_review_at", args->next_review_at);
	if (args->clear_evidence) {
		failed |= json_object_set_new(body, "evidence", json_null());
	} else if (args->nevidence > 0) {
		evidence = json_array();
		for (i = 0; evidence != NULL && i < args->nevidence; i++)
			failed |= json_array_append_new(
			    evidence, json_string(args->evidence[i]));
		failed |= json_object_set_new(body, "evidence", evidence);
	}
	if (failed != 0) {
		json_decref(body);
		return NULL;
	}
	return body;
}

/* Reads the entry's current ETag into etag for If-Match. */
static int
read_etag(
    struct http_client *client, const char *path, char *etag, size_t etag_size)
{
	struct http_request req = {.method = "GET", .path = path, .auth = true};
	struct http_response resp = {0};
	int ret;

	ret = http_call(client, &req, &resp);
	if (ret == CTL_EXIT_OK && (resp.etag == NULL || resp.etag[0] == '\0')) {
		msg_error("the server sent no ETag for %s, so the change "
			  "cannot be made safely without --if-match",
		    path);
		ret = CTL_EXIT_SERVER;
	} else if (ret == CTL_EXIT_OK &&
	    (size_t)snprintf(etag, etag_size, "%s", resp.etag) >= etag_size) {
		msg_error(
		    "the ETag that the server sent for %s is too long", path);
		ret = CTL_EXIT_SERVER;
	}
	http_response_free(&resp);
	return ret;
}

static int
soa_set(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {settings, "soa set", soa_set_help, CTL_EXIT_OK};
	struct http_request req = {.method = "PATCH", .auth = true};
	struct http_client *client = NULL;
	struct http_response resp = {0};
	struct soa_set_args args;
	char etag[VALUE_ENUM_SIZE];
	char *path = NULL;
	char *body_text = NULL;
	json_t *body = NULL;
	int ret;

	if (soa_set_parse(&cmd, argc, argv, &args) != 0) {
		soa_set_args_free(&args);
		return cmd.exit_code;
	}
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	body = soa_set_body(&args);
	body_text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	path = http_path("/api/v1/soa", args.framework, args.ref);
	if (body_text == NULL || path == NULL) {
		msg_error("out of memory");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	if (args.if_match[0] != '\0')
		snprintf(etag, sizeof(etag), "%s", args.if_match);
	else if ((ret = read_etag(client, path, etag, sizeof(etag))) !=
	    CTL_EXIT_OK)
		goto out;
	req.path = path;
	req.body = body_text;
	req.if_match = etag;
	ret = http_call(client, &req, &resp);
	if (ret == CTL_EXIT_OK)
		ret = print_entry_response(settings, &resp, path);
out:
	free(body_text);
	json_decref(body);
	free(path);
	soa_set_args_free(&args);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

struct export_args {
	const char *framework;
	const char *output; /* NULL or "-" for standard output */
	bool csv;
};

static int
parse_export(
    struct command *cmd, int argc, char **argv, struct export_args *args)
{
	struct option_parser parser;
	int id;

	args->framework = FRAMEWORK_ISO;
	args->output = NULL;
	args->csv = false;
	options_init(
	    &parser, argc - 1, argv + 1, export_options, settings_options);
	while ((id = command_next_option(cmd, &parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		if (id == OPT_FRAMEWORK) {
			args->framework = parser.value;
		} else if (id == OPT_CSV) {
			args->csv = true;
		} else if (id == OPT_OUTPUT && parser.value[0] != '\0') {
			args->output = parser.value;
		} else if (id == OPT_OUTPUT) {
			cmd->exit_code = command_usage_error(
			    cmd, "--output needs a file name");
			return -1;
		} else {
			cmd->exit_code = command_usage_error(
			    cmd, "unexpected argument '%s'", parser.value);
			return -1;
		}
	}
	if (args->csv == cmd->settings->json) {
		cmd->exit_code = command_usage_error(
		    cmd, "choose exactly one export format: --csv or --json");
		return -1;
	}
	return check_list_framework(cmd, args->framework);
}

/* True when the response's media type is the one the export asked for. */
static bool
export_type_matches(const struct http_response *resp, bool csv)
{
	const char *type = resp->content_type;
	size_t len;

	if (type == NULL)
		return false;
	len = strcspn(type, "; ");
	if (csv)
		return len == strlen("text/csv") &&
		    strncasecmp(type, "text/csv", len) == 0;
	return len >= 4 && strncasecmp(type + len - 4, "json", 4) == 0;
}

static int
write_export(const struct export_args *args, const struct http_response *resp)
{
	char err[512];

	if (args->output == NULL || strcmp(args->output, "-") == 0) {
		if (fwrite(resp->body, 1, resp->body_len, stdout) !=
		    resp->body_len) {
			msg_error("cannot write the export to standard output");
			return CTL_EXIT_USAGE;
		}
		return CTL_EXIT_OK;
	}
	if (output_write_file_atomic(args->output, resp->body, resp->body_len,
		err, sizeof(err)) != 0) {
		msg_error("%s", err);
		return CTL_EXIT_USAGE;
	}
	return CTL_EXIT_OK;
}

static int
soa_export(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "soa export", soa_export_help, CTL_EXIT_OK};
	struct http_request req = {
	    .method = "GET", .path = "/api/v1/soa", .auth = true};
	struct http_client *client = NULL;
	struct http_response resp = {0};
	struct export_args args;
	struct buffer query;
	int ret;

	buffer_init(&query);
	if (parse_export(&cmd, argc, argv, &args) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (http_query_add(&query, "framework", args.framework) != 0) {
		msg_error("out of memory");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	req.query = query.data;
	req.accept = args.csv ? "text/csv" : "application/json";
	ret = http_call(client, &req, &resp);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (!export_type_matches(&resp, args.csv)) {
		msg_error("the server sent Content-Type '%s' instead of %s, "
			  "so nothing was written",
		    resp.content_type != NULL ? resp.content_type : "(none)",
		    args.csv ? "text/csv" : "application/json");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	ret = write_export(&args, &resp);
out:
	buffer_free(&query);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

int
cmd_soa(struct settings *settings, int argc, char **argv)
{
	static const struct subcommand subcommands[] = {
	    {"list", soa_list},
	    {"show", soa_show},
	    {"set", soa_set},
	    {"export", soa_export},
	    {NULL, NULL},
	};

	return command_run_group(
	    settings, "soa", soa_help, subcommands, argc, argv);
}
