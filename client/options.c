#include "options.h"

#include <stdio.h>
#include <string.h>

void
options_init(struct option_parser *parser, int argc, char **argv,
    const struct option_spec *command, const struct option_spec *global)
{
	memset(parser, 0, sizeof(*parser));
	parser->argc = argc;
	parser->argv = argv;
	parser->command = command;
	parser->global = global;
}

static const struct option_spec *
find_in_table(
    const struct option_spec *table, const char *name, size_t len, char letter)
{
	for (; table != NULL && table->name != NULL; table++) {
		if (letter != '\0' && table->letter == letter)
			return table;
		if (letter == '\0' && strlen(table->name) == len &&
		    memcmp(table->name, name, len) == 0)
			return table;
	}
	return NULL;
}

/* Finds a long option by name, or a single-letter one when letter is set. */
static const struct option_spec *
find_option(const struct option_parser *parser, const char *name, size_t len,
    char letter)
{
	const struct option_spec *spec;

	spec = find_in_table(parser->command, name, len, letter);
	if (spec == NULL)
		spec = find_in_table(parser->global, name, len, letter);
	return spec;
}

static int
parse_error(
    struct option_parser *parser, const char *what, int len, const char *name)
{
	snprintf(
	    parser->error, sizeof(parser->error), "%s '%.*s'", what, len, name);
	return OPTIONS_ERROR;
}

int
options_next(struct option_parser *parser)
{
	const struct option_spec *spec;
	const char *arg;
	const char *equals = NULL;
	size_t len;

	parser->value = NULL;
	parser->option = NULL;
	parser->error[0] = '\0';
	if (parser->index >= parser->argc)
		return OPTIONS_END;
	arg = parser->argv[parser->index++];
	if (parser->operands_only || arg[0] != '-' || arg[1] == '\0') {
		parser->value = arg;
		return OPTIONS_OPERAND;
	}
	if (strcmp(arg, "--") == 0) {
		parser->operands_only = true;
		return options_next(parser);
	}
	parser->option = arg;
	if (arg[1] != '-') {
		spec = arg[2] == '\0' ? find_option(parser, NULL, 0, arg[1])
				      : NULL;
		if (spec == NULL)
			return parse_error(
			    parser, "unknown option", (int)strlen(arg), arg);
	} else {
		equals = strchr(arg + 2, '=');
		len = equals != NULL ? (size_t)(equals - arg) : strlen(arg);
		spec = find_option(parser, arg + 2, len - 2, '\0');
		if (spec == NULL)
			return parse_error(
			    parser, "unknown option", (int)len, arg);
		if (equals != NULL && !spec->takes_value)
			return parse_error(
			    parser, "no value is allowed for", (int)len, arg);
	}
	if (spec->takes_value) {
		if (equals != NULL)
			parser->value = equals + 1;
		else if (parser->index < parser->argc)
			parser->value = parser->argv[parser->index++];
		else
			return parse_error(
			    parser, "missing value for", (int)strlen(arg), arg);
	}
	return spec->id;
}
