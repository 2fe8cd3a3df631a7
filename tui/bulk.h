/* bulk.h — one property set on many records at once (`E`).
 *
 * Choose the property (the list's current column is offered first), read
 * the marked records' current values on the worker, choose the new value
 * with the same editors as a single edit, then see the preview
 * (bulkprev.h: how many, current values → new value, what is skipped and
 * why) and confirm. Everything is queued as one change group, so `u` undoes
 * the whole bulk edit and a push sends it in batches. */
#ifndef HUBTUI_BULK_H
#define HUBTUI_BULK_H

#include <stddef.h>

#include "browser.h"

/* Start a bulk edit of n records (ids is taken over) setting prop, or,
 * when prop is NULL, a property the user picks (hint, may be NULL, is
 * offered first). */
void bulk_edit(browser *b, const char *object, char (*ids)[32], size_t n, const char *prop,
               const char *hint);

#endif
