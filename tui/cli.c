#include "cli.h"
#include "cmd_write.h"
#include "log.h"
#include "tui.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    {"help", "[COMMAND]", "show the command list, or one command's usage and options", NULL,
     cmd_help},
    {"version", "", "print the version", NULL, cmd_version},
    {"login", "[--oauth]",
     "keep a private app token, or an OAuth app's sign-in, in the Secret Service",
     "  --oauth     sign in with an OAuth app (client id and secret, then the code\n"
     "              HubSpot's consent page redirects with); the default for a portal\n"
     "              whose config names an oauth_client_id\n"
     "The token or secret is read from the terminal (not shown), or from stdin.\n", cmd_login},
    {"logout", "", "remove what the Secret Service holds for the portal", NULL, cmd_logout},
    {"sync", "[--full] [-q] [OBJECT...]", "bring the offline cache up to date with HubSpot",
     "  --full      also find records deleted or merged away on HubSpot\n"
     "  -q          no progress, only errors\n"
     "  OBJECT      only these object types (default: every type the token may read)\n",
     cmd_sync},
    {"status", "[--json]", "what the cache holds, the edit queue and the rate budget",
     "  --json      the same as one JSON object\n", cmd_status},
    {"get", "[--refresh] [--all] [--format tsv|json] OBJECT ID",
     "one record from the cache, pending edits marked",
     "  --refresh   fetch the record from HubSpot first (when online)\n"
     "  --all       every property, also the empty ones\n"
     "  --format F  tsv (default) or json\n"
     "  ID          a number, or local-N for a record created here and not pushed yet\n",
     cmd_get},
    {"search",
     "[--remote] [--columns a,b] [--format tsv|csv|json|jsonl] [--limit N] OBJECT 'EXPR'",
     "records matching a filter (cache, or HubSpot)",
     "  --remote    ask HubSpot's search instead of the cache\n"
     "  --columns   properties after the id (default: the type's display properties)\n"
     "  --format F  tsv (default), csv, json or jsonl\n"
     "  --limit N   at most N records\n"
     "  EXPR        the filter language, e.g. 'lifecyclestage = lead and city ~ york'\n",
     cmd_search},
    {"export", "[--filter EXPR] [--columns a,b] [--format csv|json|jsonl] OBJECT",
     "records as CSV, JSON or JSONL",
     "  --filter    only the records matching EXPR (the filter language)\n"
     "  --columns   properties after the id (default: every property)\n"
     "  --format F  csv (default), json or jsonl\n",
     cmd_export},
    {"push", "[-n|--dry-run]", "write queued edits to HubSpot (exit 3: something needs you)",
     "  -n, --dry-run  list what a push would send; send nothing\n"
     "\nExit 3: after the push the queue holds conflicts, failed or not-applied\n"
     "changes (also ones left by an earlier push): 'hubtui queue list' shows them.\n",
     cmd_push},
    {"set", "OBJECT ID prop=value... [--clear-first]", "queue validated edits of a record",
     "  prop=value     a property and its new value (empty clears it); every value\n"
     "                 is checked first and nothing is queued if one is wrong\n"
     "  --clear-first  allow moving a lifecycle stage backwards\n",
     cmd_set},
    {"create", "OBJECT prop=value...", "queue a new record; prints its local id",
     "  prop=value     the new record's properties, checked first\n", cmd_create},
    {"queue", "[list [--object OBJECT] | retry ID | drop ID | resolve ID --mine|--theirs]",
     "show or settle queued changes",
     "  list [--object OBJECT]  every queued change (of one object type); the default\n"
     "  retry ID                put a failed or not-applied change back to pending\n"
     "  drop ID                 discard a change (the old value comes back)\n"
     "  resolve ID --mine       settle a conflict with your value (the next push sends it)\n"
     "  resolve ID --theirs     settle a conflict with HubSpot's value\n",
     cmd_queue},
    {"undo", "", "remove the last queued change group not being sent", NULL, cmd_undo},
    {"demo", "", "open the browser on a local demo portal (fakehub, started and stopped here)",
     "Off a terminal it syncs the demo portal and prints what it holds.\n", cmd_demo},
};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_overview(FILE *out)
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
        "  -v, --verbose   commands: the log on stderr (-vv: every HTTP call too)\n"
        "  -h, --help      show this help\n"
        "  -V, --version   print the version\n"
        "\n"
        "Commands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'hubtui help COMMAND' or 'hubtui COMMAND --help' shows a command's options.\n");
}

void cli_print_usage(FILE *out, const char *name)
{
    const cli_command *c = find_command(name);
    if (!c)
        return;
    fprintf(out, "usage: hubtui [OPTIONS] %s%s%s\n", c->name, c->usage[0] ? " " : "", c->usage);
}

int cli_usage_error(const char *name)
{
    cli_print_usage(stderr, name);
    fprintf(stderr, "Try 'hubtui help %s'.\n", name);
    return CLI_EXIT_USAGE;
}

int cli_help(const char *name)
{
    const cli_command *c = find_command(name);
    if (!c)
        return CLI_EXIT_USAGE;
    cli_print_usage(stdout, name);
    printf("%s\n", c->summary);
    if (c->details)
        printf("\n%s", c->details);
    return CLI_EXIT_OK;
}

static int cmd_version(const cli_globals *g, int argc, char **argv)
{
    printf("hubtui %s\n", HUBTUI_VERSION);
    return CLI_EXIT_OK;
}

static int cmd_help(const cli_globals *g, int argc, char **argv)
{
    if (argc > 2)
        return cli_usage_error("help");
    if (argc == 2) {
        if (!find_command(argv[1])) {
            fprintf(stderr, "hubtui: no such command '%s'. Try 'hubtui help'.\n", argv[1]);
            return CLI_EXIT_USAGE;
        }
        return cli_help(argv[1]);
    }
    print_overview(stdout);
    return CLI_EXIT_OK;
}

/* `-h` or `--help` among a command's arguments (before a `--`): every
 * command answers it the same way, before parsing anything else. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

/* -v without --log: the log goes to stderr (info; -vv debug). The log
 * opens its own description of stderr's file, so a regular file must be
 * appended to through both, or one would write over the other's lines. */
static bool open_log_on_stderr(const cli_globals *g)
{
    struct stat sb;
    if (fstat(STDERR_FILENO, &sb) == 0 && S_ISREG(sb.st_mode)) {
        int fl = fcntl(STDERR_FILENO, F_GETFL);
        if (fl < 0 || (!(fl & O_APPEND) && fcntl(STDERR_FILENO, F_SETFL, fl | O_APPEND) < 0)) {
            fprintf(stderr, "hubtui: -v: cannot append to stderr: %s\n", strerror(errno));
            return false;
        }
    }
    if (!log_open("/dev/stderr", g->verbose > 1 ? LOG_DEBUG : LOG_INFO)) {
        fprintf(stderr, "hubtui: -v: cannot write the log to stderr: %s\n", strerror(errno));
        return false;
    }
    return true;
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
        case 'h':          print_overview(stdout); return CLI_EXIT_OK;
        case 'V':          return cmd_version(&g, 0, NULL);
        default:
            fprintf(stderr, "Try 'hubtui --help'.\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (!g.log_path)
        g.log_path = getenv("HUBTUI_LOG");
    bool browser = optind >= argc;
    if (g.log_path) {
        if (!log_open(g.log_path, LOG_DEBUG)) {
            perror(g.log_path);
            return CLI_EXIT_FAILURE;
        }
    } else if (g.verbose) {
        if (browser) {
            fprintf(stderr, "hubtui: -v writes the log to stderr, where the browser draws; "
                    "use --log PATH\n");
            return CLI_EXIT_USAGE;
        }
        if (!open_log_on_stderr(&g))
            return CLI_EXIT_FAILURE;
        g.log_on_stderr = true;
    }
    int rc;
    if (browser) {
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
        } else if (wants_help(argc - optind, argv + optind)) {
            rc = cli_help(c->name);
        } else {
            rc = c->run(&g, argc - optind, argv + optind);
        }
    }
    log_close();
    return rc;
}
