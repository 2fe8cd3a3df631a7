/* queueview.h — the outbox: every change not yet on HubSpot.
 *
 * Conflicts first (your value and HubSpot's side by side: m keeps yours,
 * t takes theirs), then changes HubSpot refused or did not apply (its
 * message and correlation id: R retries, d drops), then pending and
 * in-flight ones. Enter opens the record; `u` undoes the last change group;
 * P pushes. */
#ifndef HUBTUI_QUEUEVIEW_H
#define HUBTUI_QUEUEVIEW_H

#include "browser.h"
#include "view.h"

view *queueview_new(browser *b);

#endif
