/* reclist.h — the record list of one object type.
 *
 * Virtual scrolling over the cache: only a few pages around what is shown
 * are in memory (listwin.h), fetched as keyset pages on the worker thread
 * (worker.h); the total comes from a separate count. Columns come from the
 * user's choice, else `[columns.TYPE]`, else defaults per type, and can be
 * reordered (< >) and chosen (c); the header shows the sort (s sorts by the
 * current column, again reverses; a large table gets its sort index built
 * once, in the background). `/` filters as you type with the shared filter
 * language, marking the mistake's column. Rows show queued changes (pending,
 * sending, conflict, failed) and marks (Space, V range, * every match, U
 * clears); E sets a property on the marked records (bulk.h), e edits the
 * current cell (editor.h). On wide terminals the record under the cursor
 * shows in the side pane.
 *
 * Each list remembers its filter, sort, columns and position for next time
 * (uistate.h). */
#ifndef HUBTUI_RECLIST_H
#define HUBTUI_RECLIST_H

#include "browser.h"
#include "view.h"

/* The list of object's records (NULL, with a message, when the type is
 * unknown). */
view *reclist_new(browser *b, const char *object);
/* Property names of the list's object type, for `:sort`/`:bulk-edit`
 * completion (NULL-terminated, caller frees each and the array); NULL when
 * v is not a list. */
char **reclist_column_names(view *v);

#endif
