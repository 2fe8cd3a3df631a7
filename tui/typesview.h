/* typesview.h — the object types of the portal with their record counts
 * (contacts, companies, deals, tickets, products, line items, custom
 * objects...). The object-types pane on wide terminals, a full view on
 * narrow ones (`t`); Enter opens the type's list. Counts follow the cache
 * as syncs bring records in. */
#ifndef HUBTUI_TYPESVIEW_H
#define HUBTUI_TYPESVIEW_H

#include "browser.h"
#include "view.h"

view *typesview_new(browser *b);

#endif
