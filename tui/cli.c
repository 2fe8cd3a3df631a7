#include "cli.h"
#include "cmd_write.h"
#include "log.h"
#include "tui.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_version(const cli_globals *g, int argc, char **argv);
static int cmd_help(const cli_globals *g, int argc, char **argv);
/* tui/cmd_auth.c */
int cmd_login(const cli_globals *g, int argc, char **argv);
int cmd_logout(const cli_globals *g, int argc, char **argv);
/* tui/cmd_sync.c, tui/cmd_read.c, tui/cmd_demo.c */
int cmd_sync(const cli_globals *g, int argc, char **argv);
int cmd_status(const cli_globals *g, int argc, char **argv);
int cmd_get(const cli_globals *g, int argc, char **argv);
int cmd_search(const cli_globals *g, int argc, char **argv);
int cmd_export(const cli_globals *g, int argc, char **argv);
int cmd_demo(const cli_globals *g, int argc, char **argv);

static const cli_command commands[] = {
    {"help",    "[COMMAND]", "show this help, or a command's usage", cmd_help},
    {"version", "",          "print the version",                    cmd_version},
    {"login",   "[--oauth]", "keep a private app token, or an OAuth app's sign-in, in the Secret Service", cmd_login},
    {"logout",  "",          "remove what the Secret Service holds for the portal", cmd_logout},
    {"sync",    "[--full] [OBJECT...]", "bring the offline cache up to date with HubSpot", cmd_sync},
    {"status",  "[--json]",  "what the cache holds, the edit queue and the rate budget", cmd_status},
    {"get",     "[--refresh] OBJECT ID", "one record from the cache, pending edits marked", cmd_get},
    {"search",  "[--remote] OBJECT EXPR", "records matching a filter (cache, or HubSpot)", cmd_search},
    {"export",  "[--filter EXPR] OBJECT", "records as CSV, JSON or JSONL", cmd_export},
    {"push",    "[--dry-run]", "write queued edits to HubSpot (exit 3: something needs you)", cmd_push},
    {"set",     "OBJECT ID prop=value... [--clear-first]", "queue validated edits of a record", cmd_set},
    {"create",  "OBJECT prop=value...", "queue a new record; prints its local id", cmd_create},
    {"queue",   "[list|retry ID|drop ID|resolve ID --mine|--theirs]", "show or settle queued changes", cmd_queue},
    {"undo",    "",          "remove the last queued change group not being sent", cmd_undo},
    {"demo",    "",          "sync a local demo portal (fakehub) and show what it holds", cmd_demo},
};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    fprintf(out,
        "usage: hubtui [OPTIONS] [COMMAND [ARGS...]]\n"
        "\n"
        "A terminal browser and editor for HubSpot CRM records.\n"
        "With no command, hubtui opens the interactive browser.\n"
        "\n"
        "Options:\n"
        "  --portal NAME   use the named portal from the config\n"
        "  --offline       never touch the network; browse and queue edits\n"
        "  --readonly      refuse every edit and push\n"
        "  --theme NAME    colour theme (see themes/)\n"
        "  --log PATH      write a debug log (tokens are always redacted)\n"
        "  -v, --verbose   more detail on stderr\n"
        "  -h, --help      show this help\n"
        "  -V, --version   print the version\n"
        "\n"
        "Commands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        char head[64];
        snprintf(head, sizeof head, "%s %s", commands[i].name, commands[i].usage);
        fprintf(out, "  %-28s %s\n", head, commands[i].summary);
    }
}

static int cmd_version(const cli_globals *g, int argc, char **argv)
{
    printf("hubtui %s\n", HUBTUI_VERSION);
    return CLI_EXIT_OK;
}

static int cmd_help(const cli_globals *g, int argc, char **argv)
{
    if (argc > 1) {
        const cli_command *c = find_command(argv[1]);
        if (!c) {
            fprintf(stderr, "hubtui: no such command '%s'\n", argv[1]);
            return CLI_EXIT_USAGE;
        }
        printf("usage: hubtui %s %s\n  %s\n", c->name, c->usage, c->summary);
        return CLI_EXIT_OK;
    }
    print_usage(stdout);
    return CLI_EXIT_OK;
}

int cli_main(int argc, char **argv)
{
    cli_globals g = {0};
    enum { OPT_PORTAL = 256, OPT_LOG, OPT_OFFLINE, OPT_READONLY, OPT_THEME };
    static const struct option longopts[] = {
        {"portal",   required_argument, NULL, OPT_PORTAL},
        {"log",      required_argument, NULL, OPT_LOG},
        {"offline",  no_argument,       NULL, OPT_OFFLINE},
        {"readonly", no_argument,       NULL, OPT_READONLY},
        {"theme",    required_argument, NULL, OPT_THEME},
        {"verbose",  no_argument,       NULL, 'v'},
        {"help",     no_argument,       NULL, 'h'},
        {"version",  no_argument,       NULL, 'V'},
        {0, 0, 0, 0},
    };
    int opt;
    /* '+' stops at the first non-option: the subcommand owns the rest. */
    while ((opt = getopt_long(argc, argv, "+vhV", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_PORTAL:   g.portal = optarg; break;
        case OPT_LOG:      g.log_path = optarg; break;
        case OPT_OFFLINE:  g.offline = 1; break;
        case OPT_READONLY: g.readonly = 1; break;
        case OPT_THEME:    g.theme = optarg; break;
        case 'v':          g.verbose++; break;
        case 'h':          print_usage(stdout); return CLI_EXIT_OK;
        case 'V':          return cmd_version(&g, 0, NULL);
        default:
            fprintf(stderr, "Try 'hubtui --help'.\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (!g.log_path)
        g.log_path = getenv("HUBTUI_LOG");
    if (g.log_path && !log_open(g.log_path, LOG_DEBUG)) {
        perror(g.log_path);
        return CLI_EXIT_FAILURE;
    }
    int rc;
    if (optind >= argc) {
        tui_options topts = {
            .portal = g.portal,
            .readonly = g.readonly,
            .offline = g.offline,
            .theme = g.theme,
        };
        rc = tui_run(&topts);
    } else {
        const cli_command *c = find_command(argv[optind]);
        if (!c) {
            fprintf(stderr, "hubtui: no such command '%s'. Try 'hubtui --help'.\n", argv[optind]);
            rc = CLI_EXIT_USAGE;
        } else {
            rc = c->run(&g, argc - optind, argv + optind);
        }
    }
    log_close();
    return rc;
}
