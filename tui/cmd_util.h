/* cmd_util.h — what the read-side subcommands (sync, status, get, search,
 * export, demo) share: opening the portal the global options name, showing
 * errors, and drawing sync progress on stderr. */
#ifndef HUBTUI_CMD_UTIL_H
#define HUBTUI_CMD_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "portal.h"
#include "sync.h"

/* Open the portal of the global options (--portal, --offline, --readonly);
 * with connect, also its HubSpot client. Prints what went wrong and returns
 * an exit code (CLI_EXIT_OK on success). */
int cmd_open_portal(const cli_globals *g, bool connect, portal_session **out);
/* --offline given to a command that needs HubSpot: says so on stderr and
 * returns CLI_EXIT_USAGE (the request contradicts itself; every command
 * refuses it the same way). what names the command ("push"). */
int cmd_refuse_offline(const char *what);
/* "hubtui: what: message" on stderr, with HubSpot's correlation id when
 * there is one. */
void cmd_print_error(const char *what, const ht_error *err);

/* Sync progress on stderr: a bar redrawn in place on a terminal, otherwise
 * a plain line per object and phase (and every few seconds in a long one). */
typedef struct cmd_progress {
    FILE       *out;
    bool        tty;
    bool        quiet;
    bool        drawn;          /* a bar is on screen (erase before printing) */
    int64_t     last_ms;        /* the step's start or its last plain line */
    /* Plain lines: the object and phase in work, printed when it ends or
     * every few seconds (see cmd_util.c). */
    bool        has_step;
    char        step_object[64];
    int         step_phase;
    int64_t     step_requests;  /* counts at the step's start or its last line */
    int64_t     step_records;
} cmd_progress;

void cmd_progress_init(cmd_progress *p, FILE *out, bool quiet);
void cmd_progress_update(void *ud, const sync_progress *sp);
/* Clear the bar (before printing anything else). */
void cmd_progress_clear(cmd_progress *p);

/* Run a sync on a connected portal with progress on stderr, cancelled by
 * SIGINT/SIGTERM. Prints the outcome; returns an exit code. */
int cmd_run_sync(portal_session *ps, const sync_options *base, bool quiet);

/* Set by SIGINT/SIGTERM while cmd_catch_signals is in force. */
extern volatile sig_atomic_t cmd_interrupted;
/* Catch SIGINT and SIGTERM into cmd_interrupted (no SA_RESTART: waits wake). */
void cmd_catch_signals(void);
/* Put the previous handlers back. */
void cmd_release_signals(void);

#endif
