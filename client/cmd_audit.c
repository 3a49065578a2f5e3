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
#include "paging.h"
#include "table.h"
#include "text.h"

enum { OPT_OBJECT, OPT_ACTION, OPT_LIMIT, OPT_CURSOR, OPT_ALL, OPT_ANCHOR };

static const struct option_spec list_options[] = {
    {"object", '\0', true, OPT_OBJECT},
    {"action", '\0', true, OPT_ACTION},
    {"limit", '\0', true, OPT_LIMIT},
    {"cursor", '\0', true, OPT_CURSOR},
    {"all", '\0', false, OPT_ALL},
    {NULL, '\0', false, 0},
};

static const struct option_spec verify_options[] = {
    {"anchor", '\0', true, OPT_ANCHOR},
    {NULL, '\0', false, 0},
};

static const char audit_help[] =
    "Usage: ismsctl audit SUBCOMMAND [OPTIONS]\n"
    "\n"
    "Subcommands:\n"
    "  list      List audit records, newest first\n"
    "  verify    Recompute the audit log's hash chain\n"
    "\n"
    "Both need an API token. Every role (admin, ciso and auditor) may read\n"
    "the audit log. Run 'ismsctl audit SUBCOMMAND --help' for the options\n"
    "of one subcommand.\n";

static const char audit_list_help[] =
    "Usage: ismsctl audit list [--object OBJ] [--action A] [--limit N]\n"
    "    [--cursor CURSOR] [--all]\n"
    "\n"
    "List audit records, newest first. Without --all only one page is\n"
    "shown, and when older records follow, a note on stderr gives the\n"
    "cursor of the next page.\n"
    "\n"
    "Options:\n"
    "  --object OBJ       Only records about this object, such as\n"
    "                     soa/iso27001-2022/5.1\n"
    "  --action A         Only records of this action, such as soa.update\n"
    "  --limit N          Page size, 1 to 1000 (server default 100)\n"
    "  --cursor CURSOR    Start after this cursor: the \"next\" value of\n"
    "                     an earlier page, as the note on stderr shows it\n"
    "  --all              Follow the next cursors and list every page\n"
    "  --json             Print the API's JSON body, with the full before\n"
    "                     and after states, instead of a table. With\n"
    "                     --all, one document with the records of every "
    "page\n"
    "  -h, --help         Show this help\n"
    "\n"
    "Examples:\n"
    "  ismsctl audit list --object soa/iso27001-2022/5.1 --limit 20\n"
    "  ismsctl audit list --all --json > audit-log.json\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static const char audit_verify_help[] =
    "Usage: ismsctl audit verify [--anchor SEQ:HASH] [--json]\n"
    "\n"
    "Ask the daemon to recompute the hash chain of the audit log. The\n"
    "chain reveals a record that was changed or removed, but someone with\n"
    "write access to the database can rewrite every later hash or remove\n"
    "the newest records. To detect that, keep the seq and hash of the head\n"
    "record that a successful run prints outside the database, and pass\n"
    "them later with --anchor.\n"
    "\n"
    "Exits 0 when the chain is intact and the anchor, if given, still\n"
    "holds. Exits 7 when a record's hash does not match, naming the first\n"
    "such record, or when the anchor record is gone or has another hash.\n"
    "\n"
    "Options:\n"
    "  --anchor SEQ:HASH   Also check that record SEQ still has HASH, the\n"
    "                      64 hex digits that an earlier run printed\n"
    "  --json              Print the API's JSON body instead of a summary\n"
    "  -h, --help          Show this help\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static int
apply_list_option(struct command *cmd, int id, const char *value,
    struct audit_list_args *args)
{
	switch (id) {
	case OPT_OBJECT:
		args->object = value;
		return 0;
	case OPT_ACTION:
		args->action = value;
		return 0;
	case OPT_LIMIT:
		if (value_parse_limit(value, &args->limit) == 0)
			return 0;
		cmd->exit_code = command_usage_error(cmd,
		    "invalid value '%s' for --limit: expected a whole number "
		    "from 1 to 1000",
		    value);
		return -1;
	case OPT_CURSOR:
		if (value[0] != '\0') {
			args->cursor = value;
			return 0;
		}
		cmd->exit_code = command_usage_error(cmd,
		    "--cursor needs a non-empty value: the \"next\" value of "
		    "an earlier page");
		return -1;
	case OPT_ALL:
		args->all = true;
		return 0;
	default:
		cmd->exit_code =
		    command_usage_error(cmd, "unexpected argument '%s'", value);
		return -1;
	}
}

int
audit_list_parse(
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
		if (apply_list_option(cmd, id, parser.value, args) != 0)
			return -1;
	}
	return 0;
}

int
audit_list_query(const struct audit_list_args *args, const char *cursor,
    struct buffer *query)
{
	const struct {
		const char *name;
		const char *value;
	} params[] = {
	    {"object", args->object},
	    {"action", args->action},
	    {"cursor", cursor},
	};
	size_t i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (params[i].value != NULL && params[i].value[0] != '\0' &&
		    http_query_add(query, params[i].name, params[i].value) != 0)
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

/* Client, filters and last response of fetch_audit_page(). */
struct audit_pager {
	struct http_client *client;
	const struct audit_list_args *args;
	struct http_response resp; /* the last page's response */
};

/* Fetches one page of audit records. This is a paging_fetch_fn. */
static int
fetch_audit_page(void *context, const char *cursor, json_t **page)
{
	struct audit_pager *pager = context;
	struct buffer query;
	int ret;

	http_response_free(&pager->resp);
	buffer_init(&query);
	if (audit_list_query(pager->args, cursor, &query) != 0) {
		msg_error("out of memory");
		buffer_free(&query);
		return CTL_EXIT_SERVER;
	}
	ret = http_get_json(
	    pager->client, "/api/v1/audit", query.data, &pager->resp, page);
	buffer_free(&query);
	return ret;
}

/* Prints the note that older records follow, with the next cursor. */
static int
note_more_records(const char *next)
{
	char *cursor_text = text_clean(next);

	if (cursor_text == NULL)
		return -1;
	msg_note("older records follow: pass --cursor %s for the next page, "
		 "--all for every page or --limit for larger pages (at most "
		 "1000)",
	    cursor_text);
	free(cursor_text);
	return 0;
}

static int
print_list_result(const struct settings *settings,
    const struct audit_list_args *args, const struct paging_result *result,
    const struct http_response *last)
{
	if (settings->json && !args->all) {
		output_raw(last->body, last->body_len);
		return CTL_EXIT_OK;
	}
	if (settings->json) {
		if (paging_print_merged(stdout, result->items) != 0)
			goto nomem;
		return CTL_EXIT_OK;
	}
	if (json_array_size(result->items) == 0)
		printf("No audit records match.\n");
	else if (print_audit_table(result->items) != 0)
		goto nomem;
	if (result->next != NULL && note_more_records(result->next) != 0)
		goto nomem;
	return CTL_EXIT_OK;
nomem:
	msg_error("out of memory while printing the audit records");
	return CTL_EXIT_SERVER;
}

static int
audit_list(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "audit list", audit_list_help, CTL_EXIT_OK};
	struct audit_list_args args;
	struct audit_pager pager = {0};
	struct paging_result result = {0};
	int ret;

	if (audit_list_parse(&cmd, argc, argv, &args) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &pager.client);
	if (ret != CTL_EXIT_OK)
		goto out;
	pager.args = &args;
	/* NOTE: --all keeps every record in memory until the last page. */
	ret = paging_collect(
	    fetch_audit_page, &pager, "audit", args.cursor, args.all, &result);
	if (ret == CTL_EXIT_OK)
		ret = print_list_result(settings, &args, &result, &pager.resp);
out:
	paging_result_free(&result);
	http_response_free(&pager.resp);
	http_client_free(pager.client);
	return ret;
}

int
audit_verify_parse(
    struct command *cmd, int argc, char **argv, struct audit_verify_args *args)
{
	struct option_parser parser;
	int id;

	memset(args, 0, sizeof(*args));
	options_init(
	    &parser, argc - 1, argv + 1, verify_options, settings_options);
	while ((id = command_next_option(cmd, &parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		if (id != OPT_ANCHOR) {
			cmd->exit_code = command_usage_error(
			    cmd, "unexpected argument '%s'", parser.value);
			return -1;
		}
		if (value_parse_anchor(parser.value, &args->anchor) != 0) {
			cmd->exit_code = command_usage_error(cmd,
			    "invalid value '%s' for --anchor: expected "
			    "SEQ:HASH, a record's seq (a whole number from 1) "
			    "and its hash (64 hex digits), as 'ismsctl audit "
			    "verify' prints them",
			    parser.value);
			return -1;
		}
		args->anchored = true;
	}
	return 0;
}

int
audit_verify_query(const struct audit_verify_args *args, struct buffer *query)
{
	if (!args->anchored)
		return 0;
	return buffer_appendf(query, "%sanchor_seq=%lld&anchor_hash=%s",
	    query->len > 0 ? "&" : "", args->anchor.seq, args->anchor.hash);
}

int
audit_verify_exit_code(
    const json_t *result, const struct audit_verify_args *args)
{
	const json_t *valid = json_object_get(result, "valid");
	const json_t *anchor_valid = json_object_get(result, "anchor_valid");

	if (!json_is_boolean(valid)) {
		msg_error("the server's verify response has no boolean valid "
			  "member");
		return CTL_EXIT_SERVER;
	}
	if (!args->anchored)
		return json_is_true(valid) ? CTL_EXIT_OK
					   : CTL_EXIT_AUDIT_INVALID;
	if (!json_is_boolean(anchor_valid)) {
		msg_error("the server's verify response has no boolean "
			  "anchor_valid member, so the anchor was not checked");
		return CTL_EXIT_SERVER;
	}
	return json_is_true(valid) && json_is_true(anchor_valid)
	    ? CTL_EXIT_OK
	    : CTL_EXIT_AUDIT_INVALID;
}

/*
 * Prints the line for an intact chain, with the head record when the
 * response names one (an empty log has none) and, with advise, the
 * request to record it. Returns 0, or -1 when memory runs out.
 */
static int
print_chain_valid(FILE *out, const json_t *result, bool advise)
{
	const json_t *records = json_object_get(result, "records");
	const json_t *head_seq = json_object_get(result, "head_seq");
	char *head_hash;

	fputs("audit log valid", out);
	if (json_is_integer(records))
		fprintf(out, ": %" JSON_INTEGER_FORMAT " records checked",
		    json_integer_value(records));
	if (json_is_integer(head_seq) &&
	    json_is_string(json_object_get(result, "head_hash"))) {
		head_hash = output_member_text(result, "head_hash");
		if (head_hash == NULL)
			return -1;
		fprintf(out,
		    "; head record %" JSON_INTEGER_FORMAT " has hash %s",
		    json_integer_value(head_seq), head_hash);
		free(head_hash);
	}
	fputc('\n', out);
	if (advise && json_is_integer(head_seq) &&
	    json_is_string(json_object_get(result, "head_hash")))
		fprintf(out,
		    "Record this anchor outside the database and check it "
		    "later with\n  ismsctl audit verify --anchor "
		    "%" JSON_INTEGER_FORMAT ":%s\n",
		    json_integer_value(head_seq),
		    json_string_value(json_object_get(result, "head_hash")));
	return 0;
}

static void
print_chain_broken(FILE *out, const json_t *result)
{
	const json_t *first_bad = json_object_get(result, "first_bad_seq");

	if (json_is_integer(first_bad))
		fprintf(out,
		    "audit log INVALID: the hash chain breaks at record seq "
		    "%" JSON_INTEGER_FORMAT "\n",
		    json_integer_value(first_bad));
	else
		fputs("audit log INVALID\n", out);
}

static void
print_anchor(FILE *out, const struct value_anchor *anchor, bool held)
{
	if (held)
		fprintf(out, "anchor holds: record %lld still has hash %s\n",
		    anchor->seq, anchor->hash);
	else
		fprintf(out,
		    "anchor INVALID: record %lld is gone or no longer has "
		    "hash %s, so the audit log was rewritten or its newest "
		    "records were removed after the anchor was recorded\n",
		    anchor->seq, anchor->hash);
}

int
audit_print_verify(
    FILE *out, const json_t *result, const struct audit_verify_args *args)
{
	bool anchor_held = args->anchored &&
	    json_is_true(json_object_get(result, "anchor_valid"));
	int ret = audit_verify_exit_code(result, args);

	if (ret == CTL_EXIT_SERVER)
		return ret;
	if (!json_is_true(json_object_get(result, "valid")))
		print_chain_broken(out, result);
	else if (print_chain_valid(
		     out, result, !args->anchored || anchor_held) != 0) {
		msg_error("out of memory while printing the verify result");
		return CTL_EXIT_SERVER;
	}
	if (args->anchored)
		print_anchor(out, &args->anchor, anchor_held);
	return ret;
}

static int
audit_verify(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "audit verify", audit_verify_help, CTL_EXIT_OK};
	struct audit_verify_args args;
	struct http_client *client = NULL;
	struct http_response resp = {0};
	struct buffer query;
	json_t *result = NULL;
	int ret;

	buffer_init(&query);
	if (audit_verify_parse(&cmd, argc, argv, &args) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (audit_verify_query(&args, &query) != 0) {
		msg_error("out of memory");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	ret = http_get_json(
	    client, "/api/v1/audit/verify", query.data, &resp, &result);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (settings->json) {
		output_raw(resp.body, resp.body_len);
		/* The exit status still reports a broken chain or anchor. */
		ret = audit_verify_exit_code(result, &args);
		goto out;
	}
	ret = audit_print_verify(stdout, result, &args);
out:
	json_decref(result);
	buffer_free(&query);
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
