/* "ismsctl audit list" and "ismsctl audit verify": the audit log. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "http.h"
#include "ismsctl.h"
#include "message.h"
#include "output.h"
#include "table.h"

enum { OPT_OBJECT, OPT_ACTION, OPT_LIMIT };

static const struct option_spec list_options[] = {
    {"object", '\0', true, OPT_OBJECT},
    {"action", '\0', true, OPT_ACTION},
    {"limit", '\0', true, OPT_LIMIT},
    {NULL, '\0', false, 0},
};

static const char audit_help[] =
    "Usage: ismsctl audit SUBCOMMAND [OPTIONS]\n"
    "\n"
    "Subcommands:\n"
    "  list      List audit records, newest first\n"
    "  verify    Recompute the audit log's hash chain\n"
    "\n"
    "Both need a token with role admin or auditor. Run\n"
    "'ismsctl audit SUBCOMMAND --help' for the options of one subcommand.\n";

static const char audit_list_help[] =
    "Usage: ismsctl audit list [--object OBJ] [--action A] [--limit N]\n"
    "\n"
    "List audit records, newest first. Only the first page is shown.\n"
    "\n"
    "Options:\n"
    "  --object OBJ    Only records about this object, such as\n"
    "                  soa/iso27001-2022/5.1\n"
    "  --action A      Only records of this action, such as soa.update\n"
    "  --limit N       Number of records, 1 to 1000 (server default 100)\n"
    "  --json          Print the API's JSON body, with the full before and\n"
    "                  after states, instead of a table\n"
    "  -h, --help      Show this help\n"
    "\n"
    "Example:\n"
    "  ismsctl audit list --object soa/iso27001-2022/5.1 --limit 20\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static const char audit_verify_help[] =
    "Usage: ismsctl audit verify [--json]\n"
    "\n"
    "Ask the daemon to recompute the hash chain of the audit log. Exits 0\n"
    "when the chain is intact and 7 when a record was changed or removed,\n"
    "naming the first record whose hash does not match.\n"
    "\n"
    "Options:\n"
    "  --json        Print the API's JSON body instead of a summary\n"
    "  -h, --help    Show this help\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

struct audit_list_args {
	const char *object;
	const char *action;
	long limit; /* 0 for the server's default */
};

static int
parse_list(
    struct command *cmd, int argc, char **argv, struct audit_list_args *args)
{
	struct option_parser parser;
	int id;

	memset(args, 0, sizeof(*args));
	options_init(
	    &parser, argc - 1, argv + 1, list_options, settings_options);
	while ((id = command_next_option(cmd, &parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		switch (id) {
		case OPT_OBJECT:
			args->object = parser.value;
			break;
		case OPT_ACTION:
			args->action = parser.value;
			break;
		case OPT_LIMIT:
			if (value_parse_limit(parser.value, &args->limit) == 0)
				break;
			cmd->exit_code = command_usage_error(cmd,
			    "invalid value '%s' for --limit: expected a whole "
			    "number from 1 to 1000",
			    parser.value);
			return -1;
		default:
			cmd->exit_code = command_usage_error(
			    cmd, "unexpected argument '%s'", parser.value);
			return -1;
		}
	}
	return 0;
}

static int
build_list_query(const struct audit_list_args *args, struct buffer *query)
{
	if (args->object != NULL && args->object[0] != '\0' &&
	    http_query_add(query, "object", args->object) != 0)
		return -1;
	if (args->action != NULL && args->action[0] != '\0' &&
	    http_query_add(query, "action", args->action) != 0)
		return -1;
	if (args->limit > 0 &&
	    buffer_appendf(query, "%slimit=%ld", query->len > 0 ? "&" : "",
		args->limit) != 0)
		return -1;
	return 0;
}

static int
print_audit_table(const json_t *items)
{
	static const char *const headers[] = {
	    "SEQ", "AT", "ACTOR", "ACTION", "OBJECT"};
	static const char *const keys[] = {
	    "seq", "at", "actor", "action", "object"};
	enum { NCOLS = sizeof(keys) / sizeof(keys[0]), ACTOR = 2 };
	struct table *table = table_new(NCOLS, headers, NCOLS - 1);
	char *cells[NCOLS] = {NULL};
	json_t *item;
	size_t i;
	size_t col;
	int ret = -1;

	if (table == NULL)
		return -1;
	table_limit_column(table, ACTOR, 24);
	json_array_foreach(items, i, item)
	{
		for (col = 0; col < NCOLS; col++) {
			cells[col] = output_member_text(item, keys[col]);
			if (cells[col] == NULL)
				goto out;
		}
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

static int
audit_list(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "audit list", audit_list_help, CTL_EXIT_OK};
	struct audit_list_args args;
	struct http_client *client = NULL;
	struct http_response resp = {0};
	struct buffer query;
	json_t *json = NULL;
	json_t *items;
	int ret;

	buffer_init(&query);
	if (parse_list(&cmd, argc, argv, &args) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (build_list_query(&args, &query) != 0) {
		msg_error("out of memory");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	ret = http_get_json(client, "/api/v1/audit", query.data, &resp, &json);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (settings->json) {
		output_raw(resp.body, resp.body_len);
		goto out;
	}
	items = json_object_get(json, "items");
	if (!json_is_array(items)) {
		msg_error("the server's audit response has no items array");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	if (json_array_size(items) == 0) {
		printf("No audit records match.\n");
	} else if (print_audit_table(items) != 0) {
		msg_error("out of memory while printing the audit records");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	if (json_is_string(json_object_get(json, "next")))
		msg_note("older records follow: pass --limit (at most 1000) "
			 "or narrow the list with --object or --action");
out:
	json_decref(json);
	buffer_free(&query);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

/*
 * Prints the verification result. Returns CTL_EXIT_OK for an intact
 * chain, CTL_EXIT_AUDIT_INVALID for a broken one.
 */
static int
print_verify_result(const json_t *result)
{
	const json_t *valid = json_object_get(result, "valid");
	const json_t *records = json_object_get(result, "records");
	const json_t *first_bad = json_object_get(result, "first_bad_seq");

	if (json_is_true(valid)) {
		if (json_is_integer(records))
			printf("audit log valid: %" JSON_INTEGER_FORMAT
			       " records checked\n",
			    json_integer_value(records));
		else
			printf("audit log valid\n");
		return CTL_EXIT_OK;
	}
	if (!json_is_false(valid)) {
		msg_error("the server's verify response has no boolean valid "
			  "member");
		return CTL_EXIT_SERVER;
	}
	if (json_is_integer(first_bad))
		printf("audit log INVALID: the hash chain breaks at record seq "
		       "%" JSON_INTEGER_FORMAT "\n",
		    json_integer_value(first_bad));
	else
		printf("audit log INVALID\n");
	return CTL_EXIT_AUDIT_INVALID;
}

static int
audit_verify(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "audit verify", audit_verify_help, CTL_EXIT_OK};
	struct option_parser parser;
	struct http_client *client = NULL;
	struct http_response resp = {0};
	json_t *result = NULL;
	int ret;

	options_init(&parser, argc - 1, argv + 1, NULL, settings_options);
	if (command_parse_no_operands(&cmd, &parser) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	ret =
	    http_get_json(client, "/api/v1/audit/verify", NULL, &resp, &result);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (settings->json) {
		output_raw(resp.body, resp.body_len);
		/* The exit status still reports a broken chain. */
		ret = json_is_false(json_object_get(result, "valid"))
		    ? CTL_EXIT_AUDIT_INVALID
		    : CTL_EXIT_OK;
		goto out;
	}
	ret = print_verify_result(result);
out:
	json_decref(result);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

int
cmd_audit(struct settings *settings, int argc, char **argv)
{
	static const struct subcommand subcommands[] = {
	    {"list", audit_list},
	    {"verify", audit_verify},
	    {NULL, NULL},
	};

	return command_run_group(
	    settings, "audit", audit_help, subcommands, argc, argv);
}
