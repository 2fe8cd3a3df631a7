/* cli.h — the hubtui command line: global options and the subcommand table.
 *
 * Every subcommand is a row in one table (name, usage, one-line help,
 * option lines, run function), so `hubtui --help`, `hubtui help CMD`,
 * `hubtui CMD --help` and the usage line of a usage error all come from the
 * same data that dispatches. */
#ifndef HUBTUI_CLI_H
#define HUBTUI_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes shared by every subcommand. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNRESOLVED = 3, /* after a push, the queue holds conflicts or failed edits */
};

/* Options that come before the subcommand. */
typedef struct cli_globals {
    const char *portal;   /* --portal NAME */
    const char *log_path; /* --log PATH */
    const char *theme;    /* --theme NAME */
    int offline;          /* --offline */
    int readonly;         /* --readonly */
    int verbose;          /* -v (info), -vv (debug): the log on stderr */
    bool log_on_stderr;   /* -v without --log: close the log before curses starts */
} cli_globals;

typedef struct cli_command {
    const char *name;
    const char *usage;   /* arguments after the name, every option */
    const char *summary; /* one line for the command list */
    const char *details; /* option lines for the command's help; may be NULL */
    int (*run)(const cli_globals *g, int argc, char **argv);
} cli_command;

/* Parse argv and run the chosen subcommand; returns the process exit code. */
int cli_main(int argc, char **argv);

/* "usage: hubtui [OPTIONS] NAME ARGS" for the named command, on out. */
void cli_print_usage(FILE *out, const char *name);
/* A usage mistake in the named command: its usage line and where to read
 * more, on stderr. Returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *name);
/* The named command's help (usage, summary, options) on stdout. Returns
 * CLI_EXIT_OK. */
int cli_help(const char *name);

#endif
