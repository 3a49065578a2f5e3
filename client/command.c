#include "command.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ismsctl.h"
#include "values.h"

void
command_print_version(void)
{
	printf("ismsctl %s\n", ISMSCTL_VERSION);
}

int
command_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("ismsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'ismsctl %s%s--help' for usage.\n", cmd->name,
	    cmd->name[0] != '\0' ? " " : "");
	return CTL_EXIT_USAGE;
}

int
command_next_option(struct command *cmd, struct option_parser *parser)
{
	char err[256];

	for (;;) {
		int id = options_next(parser);

		switch (id) {
		case OPTIONS_ERROR:
			cmd->exit_code =
			    command_usage_error(cmd, "%s", parser->error);
			return COMMAND_EXIT;
		case OPT_HELP:
			fputs(cmd->help, stdout);
			cmd->exit_code = CTL_EXIT_OK;
			return COMMAND_EXIT;
		case OPT_VERSION:
			command_print_version();
			cmd->exit_code = CTL_EXIT_OK;
			return COMMAND_EXIT;
		case OPT_URL:
		case OPT_CACERT:
		case OPT_TOKEN:
		case OPT_TOKEN_FILE:
		case OPT_JSON:
			if (settings_apply_option(cmd->settings, id,
				parser->value, err, sizeof(err)) != 0) {
				cmd->exit_code =
				    command_usage_error(cmd, "%s", err);
				return COMMAND_EXIT;
			}
			break;
		default:
			return id;
		}
	}
}

int
command_run_group(struct settings *settings, const char *group,
    const char *help, const struct subcommand *subcommands, int argc,
    char **argv)
{
	struct command cmd = {settings, group, help, CTL_EXIT_OK};
	const struct subcommand *sub;
	struct option_parser parser;
	int id;

	options_init(&parser, argc - 1, argv + 1, NULL, settings_options);
	id = command_next_option(&cmd, &parser);
	if (id == COMMAND_EXIT)
		return cmd.exit_code;
	if (id == OPTIONS_END) {
		char names[128] = "";

		for (sub = subcommands; sub->name != NULL; sub++)
			snprintf(names + strlen(names),
			    sizeof(names) - strlen(names), "%s%s",
			    sub == subcommands ? "" : ", ", sub->name);
		return command_usage_error(
		    &cmd, "missing subcommand, expected one of: %s", names);
	}
	if (id != OPTIONS_OPERAND)
		return command_usage_error(
		    &cmd, "unknown option '%s'", parser.option);
	for (sub = subcommands; sub->name != NULL; sub++)
		if (strcmp(sub->name, parser.value) == 0)
			return sub->run(
			    settings, argc - parser.index, argv + parser.index);
	return command_usage_error(
	    &cmd, "unknown subcommand '%s %s'", group, parser.value);
}

int
command_parse_no_operands(struct command *cmd, struct option_parser *parser)
{
	int id;

	while ((id = command_next_option(cmd, parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		cmd->exit_code = command_usage_error(
		    cmd, "unexpected argument '%s'", parser->value);
		return -1;
	}
	return 0;
}

const char *
command_framework_for_ref(
    const struct command *cmd, const char *ref, const char *explicit)
{
	const char *framework;

	if (!value_ref_is_valid(ref)) {
		command_usage_error(cmd,
		    "invalid control ref '%s': expected numbers separated by "
		    "dots, such as 5.24 (ISO) or 5.24.01 (BIO2)",
		    ref);
		return NULL;
	}
	if (explicit != NULL && explicit[0] == '\0') {
		command_usage_error(cmd, "--framework needs a non-empty value");
		return NULL;
	}
	if (explicit != NULL)
		return explicit;
	framework = value_framework_for_ref(ref);
	if (framework == NULL)
		command_usage_error(cmd,
		    "cannot infer the framework of ref '%s' (ISO refs have "
		    "two parts, BIO2 refs three), so pass --framework",
		    ref);
	return framework;
}

int
command_parse_ref(struct command *cmd, int argc, char **argv,
    const char **ref, const char **framework)
{
	enum { OPT_FRAMEWORK };
	static const struct option_spec ref_options[] = {
	    {"framework", '\0', true, OPT_FRAMEWORK},
	    {NULL, '\0', false, 0},
	};
	struct option_parser parser;
	const char *explicit = NULL;
	int id;

	*ref = NULL;
	options_init(
	    &parser, argc - 1, argv + 1, ref_options, settings_options);
	while ((id = command_next_option(cmd, &parser)) != OPTIONS_END) {
		if (id == COMMAND_EXIT)
			return -1;
		if (id == OPT_FRAMEWORK) {
			explicit = parser.value;
		} else if (*ref == NULL) {
			*ref = parser.value;
		} else {
			cmd->exit_code = command_usage_error(
			    cmd, "unexpected argument '%s'", parser.value);
			return -1;
		}
	}
	if (*ref == NULL) {
		cmd->exit_code = command_usage_error(cmd, "missing REF");
		return -1;
	}
	*framework = command_framework_for_ref(cmd, *ref, explicit);
	if (*framework == NULL) {
		cmd->exit_code = CTL_EXIT_USAGE;
		return -1;
	}
	return 0;
}
