/* "ismsctl controls list" and "ismsctl controls show". */
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

enum {
	OPT_FRAMEWORK,
	OPT_THEME,
	OPT_STATUS,
	OPT_CATALOGUE_STATUS,
	OPT_APPLICABLE,
	OPT_QUERY,
	OPT_LIMIT,
	OPT_ALL
};

static const struct option_spec list_options[] = {
    {"framework", '\0', true, OPT_FRAMEWORK},
    {"theme", '\0', true, OPT_THEME},
    {"status", '\0', true, OPT_STATUS},
    {"catalogue-status", '\0', true, OPT_CATALOGUE_STATUS},
    {"applicable", '\0', true, OPT_APPLICABLE},
    {"query", '\0', true, OPT_QUERY},
    {"limit", '\0', true, OPT_LIMIT},
    {"all", '\0', false, OPT_ALL},
    {NULL, '\0', false, 0},
};

static const char controls_help[] =
    "Usage: ismsctl controls SUBCOMMAND [OPTIONS]\n"
    "\n"
    "Subcommands:\n"
    "  list        List controls of the catalogues, with filters\n"
    "  show REF    Show one control, its SoA entry and related controls\n"
    "\n"
    "Run 'ismsctl controls SUBCOMMAND --help' for the options of one "
    "subcommand.\n";

static const char controls_list_help[] =
    "Usage: ismsctl controls list [OPTIONS]\n"
    "\n"
    "List controls in catalogue order. Without --all only the first page\n"
    "is shown.\n"
    "\n"
    "Options:\n"
    "  --framework F          iso27001-2022 (the default), bio2, or all for\n"
    "                         every framework\n"
    "  --theme T              organizational, people, physical or\n"
    "                         technological\n"
    "  --status S             SoA status: not_started, planned, partial,\n"
    "                         implemented or not_applicable (also written\n"
    "                         as not-started or \"not started\")\n"
    "  --catalogue-status S   BIO2 measure status: active,\n"
    "                         no_government_measure, moved or lapsed\n"
    "  --applicable A         yes, no or undecided\n"
    "  --query Q              Case-insensitive substring of the ref or "
    "title\n"
    "  --limit N              Page size, 1 to 1000 (server default 100)\n"
    "  --all                  Follow the next cursors and list every page\n"
    "  --json                 Print the API's JSON body. With --all, one\n"
    "                         document with the items of every page\n"
    "  -h, --help             Show this help\n"
    "\n"
    "Example:\n"
    "  ismsctl controls list --framework bio2 --status not-started --all\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static const char controls_show_help[] =
    "Usage: ismsctl controls show REF [--framework F]\n"
    "\n"
    "Show a control with its Statement of Applicability entry. An ISO\n"
    "control also lists its BIO2 measures, and a BIO2 measure names its\n"
    "ISO control.\n"
    "\n"
    "Without --framework, a ref with two parts (5.24) is an ISO/IEC\n"
    "27001:2022 Annex A control (iso27001-2022) and a ref with three parts\n"
    "(5.24.01) a BIO2 measure (bio2).\n"
    "\n"
    "Options:\n"
    "  --framework F    Framework of REF: iso27001-2022 or bio2\n"
    "  --json           Print the API's JSON body instead of text\n"
    "  -h, --help       Show this help\n"
    "\n"
    "Example:\n"
    "  ismsctl controls show 5.24\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

/* A column of a control table. With in_soa the member is read from "soa". */
struct control_column {
	const char *header;
	const char *key;
	bool in_soa;
};

static const struct control_column column_framework = {
    "FRAMEWORK", "framework", false};
static const struct control_column column_ref = {"REF", "ref", false};
static const struct control_column column_theme = {"THEME", "theme", false};
static const struct control_column column_catalogue = {
    "CATALOGUE", "catalogue_status", false};
static const struct control_column column_categories = {
    "CATEGORIES", "categories", false};
static const struct control_column column_applicable = {
    "APPLICABLE", "applicable", true};
static const struct control_column column_status = {"STATUS", "status", true};
static const struct control_column column_title = {"TITLE", "title", false};

#define MAX_COLUMNS 8

/*
 * Prints the controls in items as a table whose last column, the title,
 * shrinks to fit. Returns 0, or -1 when memory runs out.
 */
static int
print_control_table(const json_t *items,
    const struct control_column *const *columns, size_t ncols)
{
	const char *headers[MAX_COLUMNS];
	char *cells[MAX_COLUMNS] = {NULL};
	struct table *table;
	json_t *item;
	size_t i;
	size_t col;
	int ret = -1;

	for (col = 0; col < ncols; col++)
		headers[col] = columns[col]->header;
	table = table_new(ncols, headers, ncols - 1);
	if (table == NULL)
		return -1;
	json_array_foreach(items, i, item)
	{
		for (col = 0; col < ncols; col++) {
			const json_t *source = columns[col]->in_soa
			    ? json_object_get(item, "soa")
			    : item;

			cells[col] =
			    output_member_text(source, columns[col]->key);
			if (cells[col] == NULL)
				goto out;
		}
		if (table_add_row(table, (const char *const *)cells) != 0)
			goto out;
		for (col = 0; col < ncols; col++) {
			free(cells[col]);
			cells[col] = NULL;
		}
	}
	ret = table_print(table, stdout, TABLE_WIDTH);
out:
	for (col = 0; col < ncols; col++)
		free(cells[col]);
	table_free(table);
	return ret;
}

static int
print_control_list(const json_t *items, const char *framework)
{
	const struct control_column *columns[MAX_COLUMNS];
	size_t ncols = 0;

	if (framework == NULL)
		columns[ncols++] = &column_framework;
	columns[ncols++] = &column_ref;
	columns[ncols++] = &column_theme;
	if (framework == NULL || strcmp(framework, FRAMEWORK_ISO) != 0)
		columns[ncols++] = &column_catalogue;
	columns[ncols++] = &column_applicable;
	columns[ncols++] = &column_status;
	columns[ncols++] = &column_title;
	return print_control_table(items, columns, ncols);
}

/* Normalises an enum option value, or prints a usage error listing them. */
static int
parse_enum(struct command *cmd, const char *option, const char *value,
    const char *const *allowed, char *out)
{
	char names[256];

	if (value_normalize_enum(value, allowed, out, VALUE_ENUM_SIZE) == 0)
		return 0;
	value_join(allowed, names, sizeof(names));
	cmd->exit_code = command_usage_error(cmd,
	    "invalid value '%s' for %s: expected one of %s", value, option,
	    names);
	return -1;
}

static int
apply_list_option(struct command *cmd, int id, const char *value,
    struct controls_list_args *args)
{
	switch (id) {
	case OPT_FRAMEWORK:
		if (value[0] == '\0') {
			cmd->exit_code = command_usage_error(
			    cmd, "--framework needs a non-empty value");
			return -1;
		}
		args->framework = strcmp(value, "all") == 0 ? NULL : value;
		return 0;
	case OPT_THEME:
		return parse_enum(
		    cmd, "--theme", value, value_themes, args->theme);
	case OPT_STATUS:
		return parse_enum(
		    cmd, "--status", value, value_soa_statuses, args->status);
	case OPT_CATALOGUE_STATUS:
		return parse_enum(cmd, "--catalogue-status", value,
		    value_catalogue_statuses, args->catalogue_status);
	case OPT_APPLICABLE:
		return parse_enum(cmd, "--applicable", value,
		    value_applicable_filters, args->applicable);
	case OPT_QUERY:
		args->query = value;
		return 0;
	case OPT_LIMIT:
		if (value_parse_limit(value, &args->limit) == 0)
			return 0;
		cmd->exit_code = command_usage_error(cmd,
		    "invalid value '%s' for --limit: expected a whole number "
		    "from 1 to 1000",
		    value);
		return -1;
	default:
		args->all = true;
		return 0;
	}
}

int
controls_list_parse(
    struct command *cmd, int argc, char **argv, struct controls_list_args *args)
{
	struct option_parser parser;
	int id;

	memset(args, 0, sizeof(*args));
	args->framework = FRAMEWORK_ISO;
	options_init(
	    &parser, argc - 1, argv + 1, list_options, settings_options);
	while ((id = command_next_option(cmd, &parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		if (id == OPTIONS_OPERAND) {
			cmd->exit_code = command_usage_error(
			    cmd, "unexpected argument '%s'", parser.value);
			return -1;
		}
		if (apply_list_option(cmd, id, parser.value, args) != 0)
			return -1;
	}
	return 0;
}

int
controls_list_query(const struct controls_list_args *args, const char *cursor,
    struct buffer *query)
{
	const struct {
		const char *name;
		const char *value;
	} params[] = {
	    {"framework", args->framework},
	    {"theme", args->theme},
	    {"status", args->status},
	    {"catalogue_status", args->catalogue_status},
	    {"applicable", args->applicable},
	    {"q", args->query},
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

/* Client, filters and last response of fetch_controls_page(). */
struct controls_pager {
	struct http_client *client;
	const struct controls_list_args *args;
	struct http_response resp; /* the last page's response */
};

/* Fetches one page of controls. This is a paging_fetch_fn. */
static int
fetch_controls_page(void *context, const char *cursor, json_t **page)
{
	struct controls_pager *pager = context;
	struct buffer query;
	int ret;

	http_response_free(&pager->resp);
	buffer_init(&query);
	if (controls_list_query(pager->args, cursor, &query) != 0) {
		msg_error("out of memory");
		buffer_free(&query);
		return CTL_EXIT_SERVER;
	}
	ret = http_get_json(
	    pager->client, "/api/v1/controls", query.data, &pager->resp, page);
	buffer_free(&query);
	return ret;
}

static int
print_list_result(const struct settings *settings,
    const struct controls_list_args *args, json_t *all_items,
    const struct http_response *last, bool more)
{
	if (settings->json && !args->all) {
		output_raw(last->body, last->body_len);
		return CTL_EXIT_OK;
	}
	if (settings->json) {
		if (paging_print_merged(stdout, all_items) != 0)
			goto nomem;
		return CTL_EXIT_OK;
	}
	if (json_array_size(all_items) == 0)
		printf("No controls match in %s.%s\n",
		    args->framework != NULL ? args->framework
					    : "any framework",
		    args->framework != NULL &&
			    strcmp(args->framework, "bio2") != 0
			? " Add --framework bio2 or --framework all to search "
			  "the BIO2 measures."
			: "");
	else if (print_control_list(all_items, args->framework) != 0)
		goto nomem;
	if (more)
		msg_note("more controls follow: pass --all to list every page "
			 "or --limit for larger pages");
	return CTL_EXIT_OK;
nomem:
	msg_error("out of memory while printing the controls");
	return CTL_EXIT_SERVER;
}

static int
controls_list(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "controls list", controls_list_help, CTL_EXIT_OK};
	struct controls_list_args args;
	struct controls_pager pager = {0};
	struct paging_result result = {0};
	int ret;

	if (controls_list_parse(&cmd, argc, argv, &args) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &pager.client);
	if (ret != CTL_EXIT_OK)
		goto out;
	pager.args = &args;
	ret = paging_collect(
	    fetch_controls_page, &pager, "controls", NULL, args.all, &result);
	if (ret == CTL_EXIT_OK)
		ret = print_list_result(settings, &args, result.items,
		    &pager.resp, result.next != NULL);
out:
	paging_result_free(&result);
	http_response_free(&pager.resp);
	http_client_free(pager.client);
	return ret;
}

/*
 * Prints an imported measure text line by line, indented, with control
 * characters removed from each line. Does nothing when text is NULL.
 */
static int
print_text(const char *text)
{
	const char *line = text, *end;

	if (text == NULL)
		return 0;
	printf("Text:\n");
	while (line != NULL && *line != '\0') {
		char *copy, *clean;
		size_t len;

		end = strchr(line, '\n');
		len = end != NULL ? (size_t)(end - line) : strlen(line);
		copy = strndup(line, len);
		clean = copy != NULL ? text_clean(copy) : NULL;
		free(copy);
		if (clean == NULL)
			return -1;
		printf("  %s\n", clean);
		free(clean);
		line = end != NULL ? end + 1 : NULL;
	}
	printf("\n");
	return 0;
}

static int
print_control(const json_t *control, const char *etag)
{
	static const struct output_field fields[] = {
	    {"framework", "framework"},
	    {"ref", "ref"},
	    {"title", "title"},
	    {"theme", "theme"},
	    {"new in 2022", "new_in_2022"},
	    {"catalogue status", "catalogue_status"},
	    {"ISO control", "iso_control"},
	    {"moved to", "moved_to"},
	    {"categories", "categories"},
	    {NULL, NULL},
	};
	static const struct control_column *const measure_columns[] = {
	    &column_ref, &column_catalogue, &column_categories,
	    &column_applicable, &column_status, &column_title};
	static const struct control_column *const iso_columns[] = {&column_ref,
	    &column_theme, &column_applicable, &column_status, &column_title};
	const json_t *soa = json_object_get(control, "soa");
	const json_t *measures = json_object_get(control, "measures");
	const json_t *iso = json_object_get(control, "iso");

	if (output_fields(stdout, control, fields, "") != 0)
		return -1;
	printf("\n");
	if (print_text(json_string_value(json_object_get(control, "text"))) !=
	    0)
		return -1;
	if (json_is_object(soa)) {
		if (soa_print_entry(
			stdout, soa, "Statement of Applicability", etag) != 0)
			return -1;
	} else {
		printf("Statement of Applicability: none (only ISO controls "
		       "and active BIO2 measures have an entry)\n");
	}
	if (json_is_array(measures)) {
		printf("\nBIO2 measures: %zu\n", json_array_size(measures));
		if (json_array_size(measures) > 0 &&
		    print_control_table(measures, measure_columns,
			sizeof(measure_columns) / sizeof(measure_columns[0])) !=
			0)
			return -1;
	}
	if (json_is_object(iso)) {
		json_t *row = json_pack("[O]", iso);
		int ret;

		if (row == NULL)
			return -1;
		printf("\nISO control:\n");
		ret = print_control_table(row, iso_columns,
		    sizeof(iso_columns) / sizeof(iso_columns[0]));
		json_decref(row);
		if (ret != 0)
			return -1;
	}
	return 0;
}

static int
controls_show(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "controls show", controls_show_help, CTL_EXIT_OK};
	struct http_client *client = NULL;
	struct http_response resp = {0};
	const char *framework;
	const char *ref;
	char *path = NULL;
	json_t *control = NULL;
	int ret;

	if (command_parse_ref(&cmd, argc, argv, &ref, &framework) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	path = http_path("/api/v1/controls", framework, ref);
	if (path == NULL) {
		msg_error("out of memory");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	ret = http_get_json(client, path, NULL, &resp, &control);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (settings->json) {
		output_raw(resp.body, resp.body_len);
	} else if (!json_is_object(control)) {
		msg_error(
		    "the server's response to %s is not a JSON object", path);
		ret = CTL_EXIT_SERVER;
	} else if (print_control(control, resp.etag) != 0) {
		msg_error("out of memory while printing the control");
		ret = CTL_EXIT_SERVER;
	}
out:
	json_decref(control);
	free(path);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

int
cmd_controls(struct settings *settings, int argc, char **argv)
{
	static const struct subcommand subcommands[] = {
	    {"list", controls_list},
	    {"show", controls_show},
	    {NULL, NULL},
	};

	return command_run_group(
	    settings, "controls", controls_help, subcommands, argc, argv);
}
