/* cmd_write.h — the write side of the command line: push, set, create,
 * undo (cmd_write.c) and queue (cmd_queue.c), and what they share. */
#ifndef HUBTUI_CMD_WRITE_H
#define HUBTUI_CMD_WRITE_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "outbox.h"
#include "portal.h"

int cmd_push(const cli_globals *g, int argc, char **argv);
int cmd_set(const cli_globals *g, int argc, char **argv);
int cmd_create(const cli_globals *g, int argc, char **argv);
int cmd_undo(const cli_globals *g, int argc, char **argv);
int cmd_queue(const cli_globals *g, int argc, char **argv);

/* Open the portal named by the global options (config warnings go to
 * stderr); prints the problem and returns NULL on failure. */
portal_session *cmdw_open(const cli_globals *g);
/* Refuse (message on stderr, false) when the portal is read-only; what
 * names the refused action. */
bool cmdw_writable(const portal_session *ps, const char *what);
/* Print a value for a person: "(empty)" for none, control characters
 * escaped, very long values shortened. */
void cmdw_put_value(FILE *out, const char *v);
/* One line describing a queued change (no newline), as `queue list` shows it. */
void cmdw_put_entry(FILE *out, const outbox_entry *e);

#endif
