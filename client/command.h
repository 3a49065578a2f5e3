/*
 * Shared plumbing of the subcommands: global options, --help, usage
 * errors and dispatch from a command group ("soa") to its subcommands.
 */
#ifndef ISMSCTL_COMMAND_H
#define ISMSCTL_COMMAND_H

#include "options.h"
#include "settings.h"

/* Returned by command_next_option() when the command must stop. */
#define COMMAND_EXIT (-100)

struct command {
	struct settings *settings;
	const char *name; /* as typed after "ismsctl", such as "soa set" */
	const char *help; /* full --help text */
	int exit_code; /* set when command_next_option() returns COMMAND_EXIT */
};

struct subcommand {
	const char *name;
	int (*run)(struct settings *settings, int argc, char **argv);
};

/*
 * Returns the next command-specific option id, OPTIONS_OPERAND or
 * OPTIONS_END. Global options are applied to the settings on the way.
 * Returns COMMAND_EXIT with cmd->exit_code set after --help or --version
 * (exit status 0) and after a usage error, which it prints.
 */
int command_next_option(struct command *cmd, struct option_parser *parser);

/*
 * Prints "ismsctl: MESSAGE" and a pointer to the command's --help on
 * stderr. Returns CTL_EXIT_USAGE.
 */
int command_usage_error(const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Runs a command group. argv[0] is the group name. Global options may
 * come before the subcommand name, and the subcommand gets the arguments
 * from its own name on. Returns the exit status.
 */
int command_run_group(struct settings *settings, const char *group,
    const char *help, const struct subcommand *subcommands, int argc,
    char **argv);

/*
 * Reads the options of a command that takes no operands. Returns 0, or -1
 * with cmd->exit_code set as command_next_option() does.
 */
int command_parse_no_operands(
    struct command *cmd, struct option_parser *parser);

/*
 * Picks the framework for a control ref: explicit when not NULL, else the
 * one value_framework_for_ref() infers. Returns the framework, or NULL
 * after printing a usage error through cmd.
 */
const char *command_framework_for_ref(
    const struct command *cmd, const char *ref, const char *explicit);

/*
 * Reads "REF [--framework F]", the arguments of the show commands, and
 * picks the framework as command_framework_for_ref() does. Returns 0, or
 * -1 with cmd->exit_code set.
 */
int command_parse_ref(struct command *cmd, int argc, char **argv,
    const char **ref, const char **framework);

/* Prints "ismsctl VERSION" on stdout. */
void command_print_version(void);

#endif
