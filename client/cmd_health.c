/* "ismsctl health": whether the daemon is ready, from GET /readyz. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "http.h"
#include "ismsctl.h"
#include "message.h"
#include "output.h"
#include "problem.h"

static const char health_help[] =
    "Usage: ismsctl health [--json]\n"
    "\n"
    "Ask the daemon whether it is ready (GET /readyz): its database\n"
    "connection works and the schema is current. Needs no token. Exits 0\n"
    "when ready and 6 when the daemon is unavailable or cannot be reached.\n"
    "\n"
    "Options:\n"
    "  --json        Print the API's JSON body instead of a summary, also\n"
    "                the problem document when the daemon is not ready\n"
    "  -h, --help    Show this help\n"
    "\n"
    "Run 'ismsctl --help' for the connection options and exit statuses.\n";

/*
 * Prints the problem document of an error response on stdout, so that
 * --json output stays JSON when the daemon is not ready.
 */
static void
print_problem_json(const struct http_response *resp)
{
	char *text = problem_json_text(
	    resp->status, resp->content_type, resp->body, resp->body_len);

	if (text == NULL) {
		msg_error("out of memory while printing the error response");
		return;
	}
	output_raw(text, strlen(text));
	free(text);
}

int
cmd_health(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {settings, "health", health_help, CTL_EXIT_OK};
	struct option_parser parser;
	struct http_request req = {.method = "GET", .path = "/readyz"};
	struct http_client *client = NULL;
	struct http_response resp = {0};
	json_t *json = NULL;
	json_t *schema;
	int ret;

	options_init(&parser, argc - 1, argv + 1, NULL, settings_options);
	if (command_parse_no_operands(&cmd, &parser) != 0)
		return cmd.exit_code;
	ret = http_client_new(settings, &client);
	if (ret != CTL_EXIT_OK)
		goto out;
	ret = http_send(client, &req, &resp);
	if (ret != CTL_EXIT_OK)
		goto out;
	ret = problem_exit_code(resp.status);
	if (ret != CTL_EXIT_OK) {
		http_report_problem(&resp);
		if (settings->json)
			print_problem_json(&resp);
		goto out;
	}
	if (settings->json) {
		output_raw(resp.body, resp.body_len);
		goto out;
	}
	ret = http_parse_json(&resp, "/readyz", &json);
	if (ret != CTL_EXIT_OK)
		goto out;
	schema = json_object_get(json, "schema_version");
	if (json_is_integer(schema))
		printf("ready (schema version %" JSON_INTEGER_FORMAT ")\n",
		    json_integer_value(schema));
	else
		printf("ready\n");
out:
	json_decref(json);
	http_response_free(&resp);
	http_client_free(client);
	return ret;
}
