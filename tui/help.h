/* help.h — the `?` overlay: every action, its keys and what it does,
 * generated from the action table and the keymap in effect (so a user's
 * remapped keys show as they are).
 *
 * Actions are grouped as in the table; those that do nothing in the view
 * the help was opened from are dimmed, not hidden, so every command stays
 * discoverable. `/` filters, Enter runs the selected action, `y` copies
 * its command name. Building the lines is pure and tested on its own. */
#ifndef HUBTUI_HELP_H
#define HUBTUI_HELP_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "keymap.h"
#include "view.h"

typedef enum help_kind { HELP_INTRO, HELP_GROUP, HELP_ENTRY, HELP_BLANK } help_kind;

typedef struct help_line {
    help_kind kind;
    char *keys;       /* "j Down" (entries; "" when unbound) */
    const char *name; /* action name, or the group/intro text */
    const char *desc;
    action_id action; /* entries */
    bool applies;     /* the action does something in the context view */
} help_line;

typedef struct help_lines {
    help_line *v;
    size_t n;
    char *intro; /* owned text of the HELP_INTRO line */
} help_lines;

/* Build the help for a view of kind context; filter (may be NULL) keeps
 * only entries whose keys, name or description contain it, ignoring case. */
void help_build(const keymap *km, view_kind context, const char *filter, help_lines *out);
void help_lines_free(help_lines *hl);

/* The overlay for a view of kind context. */
view *help_view_new(app *a, view_kind context);

#endif
