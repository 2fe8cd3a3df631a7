/* detail.h — one record: its properties under their groups.
 *
 * Human labels, values formatted by type (format.h), queued changes shown
 * with what they replace, conflicts with HubSpot's value alongside; `.`
 * hides or shows empty properties (remembered), `/` finds properties by
 * label or value, `e` (or Enter) edits the selected one, `a` shows the
 * association graph, `+` associates another record, `y` copies the value.
 * Opening a record shows the cached copy at once and, when online, fetches
 * it from HubSpot ahead of sync and push traffic; the view redraws when the
 * fresh copy lands.
 *
 * The same view, as a companion, previews the list's current record in the
 * side pane of wide terminals (no HubSpot fetch for every cursor move). */
#ifndef HUBTUI_DETAIL_H
#define HUBTUI_DETAIL_H

#include "browser.h"
#include "view.h"

/* The record object/id, refreshed from HubSpot when online. */
view *detail_new(browser *b, const char *object, const char *id);
/* A preview for a list's side pane; detail_show picks the record. */
view *detail_companion_new(browser *b);
/* Show another record in a companion (id NULL: nothing). */
void detail_show(view *v, const char *object, const char *id);

#endif
