/* "ismsctl frameworks list": the loaded control frameworks. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "http.h"
#include "ismsctl.h"
#include "message.h"
#include "output.h"
#include "table.h"

static const char frameworks_help[] =
    "Usage: ismsctl frameworks SUBCOMMAND [OPTIONS]\n"
    "\n"
    "Subcommands:\n"
    "  list    List the loaded control frameworks\n"
    "\n"
    "Run 'ismsctl frameworks list --help' for its options.\n";

static const char frameworks_list_help[] =
    "Usage: ismsctl frameworks list [--json]\n"
    "\n"
    "List the control frameworks that the daemon has loaded, with their\n"
    "version, publication date, the framework they map to and their number\n"
    "of controls.\n"
    "\n"
    "Options:\n"
    "  --json        Print the API's JSON body instead of a table\n"
    "  -h, --help    Show this help\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

static int
print_frameworks(const json_t *items)
{
	static const char *const headers[] = {
	    "ID", "NAME", "VERSION", "PUBLISHED", "MAPS TO", "CONTROLS"};
	static const char *const keys[] = {
	    "id", "name", "version", "published", "maps_to", "controls"};
	enum { NCOLS = sizeof(keys) / sizeof(keys[0]) };
	struct table *table = table_new(NCOLS, headers, 1);
	char *cells[NCOLS] = {NULL};
	size_t i;
	size_t col;
	json_t *item;
	int ret = -1;

	if (table == NULL)
		return -1;
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
frameworks_list(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {
	    settings, "frameworks list", frameworks_list_help, CTL_EXIT_OK};
	struct option_parser parser;
	struct http_client *client = NULL;
	struct http_response resp = {0};
	json_t *json = NULL;
	json_t *items;
	int ret;

	options_init(&parser, argc - 1, argv + 1, NULL, settings_options);
	if (command_parse_no_operands(&cmd, &parser) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	ret = http_get_json(client, "/api/v1/frameworks", NULL, &resp, &json);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (settings->json) {
		output_raw(resp.body, resp.body_len);
		goto out;
	}
	items = json_object_get(json, "items");
	if (!json_is_array(items)) {
		msg_error(
		    "the server's frameworks response has no items array");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	if (json_array_size(items) == 0)
		printf("No frameworks are loaded.\n");
	else if (print_frameworks(items) != 0)
		ret = CTL_EXIT_SERVER;
out:
	json_decref(json);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}

int
cmd_frameworks(struct settings *settings, int argc, char **argv)
{
	static const struct subcommand subcommands[] = {
	    {"list", frameworks_list},
	    {NULL, NULL},
	};

	return command_run_group(
	    settings, "frameworks", frameworks_help, subcommands, argc, argv);
}
