/* tui_driver — runs the interactive browser exactly as `hubtui` with no
 * subcommand will (tui_run), for the tmux tests, until cli_main calls
 * tui_run itself. Options: --portal NAME --readonly --offline --theme NAME */
#include <getopt.h>
#include <stdio.h>

#include <stdlib.h>

#include "log.h"
#include "tui.h"

int main(int argc, char **argv)
{
    tui_options opts = {0};
    static const struct option longopts[] = {
        {"portal", required_argument, NULL, 'p'},
        {"theme", required_argument, NULL, 't'},
        {"readonly", no_argument, NULL, 'r'},
        {"offline", no_argument, NULL, 'o'},
        {0, 0, 0, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p': opts.portal = optarg; break;
        case 't': opts.theme = optarg; break;
        case 'r': opts.readonly = true; break;
        case 'o': opts.offline = true; break;
        default:
            fprintf(stderr, "usage: %s [--portal NAME] [--theme NAME] [--readonly] [--offline]\n",
                    argv[0]);
            return 2;
        }
    }
    const char *log_path = getenv("HUBTUI_LOG");
    if (log_path && !log_open(log_path, LOG_DEBUG)) {
        perror(log_path);
        return 1;
    }
    int rc = tui_run(&opts);
    log_close();
    return rc;
}
