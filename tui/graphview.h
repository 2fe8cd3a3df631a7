/* graphview.h — the association graph of a record (graphmodel.h drawn).
 *
 * The record at the root, its associated records grouped by type and
 * label; l/Right expands a record (its own associations appear under it),
 * h/Left collapses or goes up to the parent, Enter opens the selected
 * record (Backspace comes back here), `+` associates another record with
 * the selected one, `-` removes the selected association. Pending adds and
 * removes are marked until pushed. */
#ifndef HUBTUI_GRAPHVIEW_H
#define HUBTUI_GRAPHVIEW_H

#include "browser.h"
#include "view.h"

view *graphview_new(browser *b, const char *object, const char *id);

#endif
