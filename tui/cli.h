/* cli.h — the hubtui command line: global options and the subcommand table.
 *
 * Every subcommand is a row in one table (name, usage, one-line help, run
 * function), so `hubtui --help` is generated from the same data that
 * dispatches. */
#ifndef HUBTUI_CLI_H
#define HUBTUI_CLI_H

/* Exit codes shared by every subcommand. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNRESOLVED = 3, /* push finished with conflicts or failed edits */
};

/* Options that come before the subcommand. */
typedef struct cli_globals {
    const char *portal;   /* --portal NAME */
    const char *log_path; /* --log PATH */
    const char *theme;    /* --theme NAME */
    int offline;          /* --offline */
    int readonly;         /* --readonly */
    int verbose;          /* -v */
} cli_globals;

typedef struct cli_command {
    const char *name;
    const char *usage;   /* arguments after the name */
    const char *summary; /* one line for --help */
    int (*run)(const cli_globals *g, int argc, char **argv);
} cli_command;

/* Parse argv and run the chosen subcommand; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
