/*
 * ismsctl: command-line client for the ismsd API. main() reads the
 * settings and global options and hands the arguments to a command group.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "commands.h"
#include "ismsctl.h"
#include "message.h"
#include "settings.h"

static const char main_help[] =
    "Usage: ismsctl [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Command-line client for ismsd, the information security management\n"
    "system for ISO/IEC 27001:2022 Annex A and the BIO2.\n"
    "\n"
    "Commands:\n"
    "  frameworks list      List the loaded control frameworks\n"
    "  controls list        List controls (default framework "
    "iso27001-2022)\n"
    "  controls show REF    Show a control, its SoA entry and BIO2 "
    "measures\n"
    "  soa list             List the Statement of Applicability\n"
    "  soa show REF         Show one SoA entry\n"
    "  soa set REF          Change one SoA entry\n"
    "  soa export           Export the SoA as CSV or JSON\n"
    "  audit list           List audit records, newest first\n"
    "  audit verify         Verify the audit log's hash chain\n"
    "  health               Check whether the daemon is ready\n"
    "\n"
    "Options, accepted before or after the command:\n"
    "  --url URL            Base URL of the daemon (ISMS_URL, default\n"
    "                       " SETTINGS_DEFAULT_URL ")\n"
    "  --cacert FILE        PEM CA bundle that verifies the server's\n"
    "                       certificate (ISMS_CACERT, default the system\n"
    "                       store)\n"
    "  --token TOKEN        API token (ISMS_TOKEN). Other local users can\n"
    "                       see command-line arguments, so prefer a file\n"
    "  --token-file FILE    File whose first line is the API token\n"
    "                       (ISMS_TOKEN_FILE)\n"
    "  --json               Print the API's JSON body instead of a table\n"
    "  -h, --help           Show help, also after a command, as in\n"
    "                       'ismsctl soa set --help'\n"
    "  --version            Show the version\n"
    "\n"
    "Options override environment variables. ISMS_TOKEN wins over\n"
    "ISMS_TOKEN_FILE, and --token or --token-file over both.\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  the server rejected the request as invalid (HTTP 400, 406, 413,\n"
    "     415, 422 and other 4xx not listed here)\n"
    "  2  usage error: unknown command or option, missing argument,\n"
    "     invalid value, or a local file that cannot be read or written\n"
    "  3  authentication or permission failure (HTTP 401, 403, no token)\n"
    "  4  not found (HTTP 404)\n"
    "  5  conflict: the entry changed or If-Match is missing (HTTP 409,\n"
    "     412, 428)\n"
    "  6  server or network error (HTTP 5xx, 408, 429, connection, TLS,\n"
    "     timeout after 30 s, invalid response or one larger than 256 MiB)\n"
    "  7  'audit verify' found a broken hash chain or an anchor that no\n"
    "     longer holds\n";

struct command_group {
	const char *name;
	int (*run)(struct settings *settings, int argc, char **argv);
};

static const struct command_group groups[] = {
    {"frameworks", cmd_frameworks},
    {"controls", cmd_controls},
    {"soa", cmd_soa},
    {"audit", cmd_audit},
    {"health", cmd_health},
    {NULL, NULL},
};

/* Finds the command group and runs it. Returns the exit status. */
static int
dispatch(struct settings *settings, int argc, char **argv)
{
	struct command cmd = {settings, "", main_help, CTL_EXIT_OK};
	const struct command_group *group;
	struct option_parser parser;
	int id;

	options_init(&parser, argc - 1, argv + 1, NULL, settings_options);
	id = command_next_option(&cmd, &parser);
	if (id == COMMAND_EXIT)
		return cmd.exit_code;
	if (id != OPTIONS_OPERAND)
		return command_usage_error(&cmd, "missing command");
	for (group = groups; group->name != NULL; group++)
		if (strcmp(group->name, parser.value) == 0)
			return group->run(
			    settings, argc - parser.index, argv + parser.index);
	return command_usage_error(&cmd, "unknown command '%s'", parser.value);
}

int
main(int argc, char **argv)
{
	struct settings settings;
	CURLcode code;
	int ret;

	settings_init(&settings);
	if (settings_load_env(&settings) != 0) {
		msg_error("out of memory");
		settings_free(&settings);
		return CTL_EXIT_SERVER;
	}
	code = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (code != CURLE_OK) {
		msg_error("libcurl initialisation failed: %s",
		    curl_easy_strerror(code));
		settings_free(&settings);
		return CTL_EXIT_SERVER;
	}
	ret = dispatch(&settings, argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_error(
		    "writing to standard output failed: %s", strerror(errno));
		if (ret == CTL_EXIT_OK)
			ret = CTL_EXIT_USAGE;
	}
	curl_global_cleanup();
	settings_free(&settings);
	return ret;
}
