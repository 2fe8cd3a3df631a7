/* picker.h — choose one item, or several, from a list in an overlay.
 *
 * Every editor that is not free text is a picker: enumeration options by
 * label, yes/no, owners, pipeline stages, several checkboxes, object types,
 * search results, association labels, and the confirmations ("clear the
 * lifecycle stage first?", the bulk-edit preview). An optional text above
 * the items explains the choice. Movement keys move, `/` filters, Enter
 * chooses (or, with checkboxes, confirms; Space ticks), Esc cancels. The
 * column chooser also reorders items (move-item-up/down).
 *
 * A picker ends exactly once: with done (Enter) or with cancel (Esc, or
 * whenever the overlay is closed otherwise), so a flow spanning several
 * pickers and prompts can keep its state in ud and free it in whichever
 * ends it. The picker is already closed when done runs, so done may open
 * the next overlay or prompt. */
#ifndef HUBTUI_PICKER_H
#define HUBTUI_PICKER_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "view.h"

typedef struct picker picker;

typedef struct picker_result {
    int index;          /* the item under the cursor (-1 when none) */
    const char *value;  /* its value (NULL when none) */
    char **checked;     /* multi: values of the ticked items, in item order */
    size_t nchecked;
    char **order;       /* reorder: every value in the final order */
    size_t norder;
} picker_result;

typedef struct picker_opts {
    const char *title;
    const char *intro;  /* shown above the items, wrapped (may be NULL) */
    bool multi;         /* checkboxes: Space ticks, Enter confirms */
    bool reorder;       /* move-item-up/down move the selected item */
    view_kind kind;     /* keymap section; 0 (GLOBAL) means "help" keys */
    void (*done)(void *ud, app *a, const picker_result *r);
    void (*cancel)(void *ud, app *a); /* may be NULL */
    void *ud;
} picker_opts;

picker *picker_new(const picker_opts *o);
/* Add an item; value (may be NULL) is what done reports. */
void picker_add(picker *p, const char *label, const char *detail, const char *value,
                bool checked);
/* Put the cursor on item i. */
void picker_select(picker *p, size_t i);
size_t picker_count(const picker *p);
/* The overlay (the app then owns it: app_open_overlay). */
view *picker_view(picker *p);
/* Open it as the overlay; when that fails, cancel runs. */
void picker_open(picker *p, app *a);

#endif
