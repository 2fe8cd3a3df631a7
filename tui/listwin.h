/* listwin.h — the slice of a long record list that is in memory.
 *
 * A list of a million records is never loaded: the list view keeps a
 * window of consecutive rows (a few pages around what is shown) with the
 * absolute position of its first row, and asks the cache for more with
 * keyset pages (query.h) as the view moves. This module is the bookkeeping
 * and the decision of what to fetch next; it never talks to the cache, so
 * every case can be tested. */
#ifndef HUBTUI_LISTWIN_H
#define HUBTUI_LISTWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"

typedef struct listwin {
    query_row *rows; /* rows[i] is list row base + i */
    size_t n, cap;
    size_t ncols;
    int64_t base;
    bool at_start; /* nothing before rows[0] */
    bool at_end;   /* nothing after the last row */
    bool valid;    /* loaded at least once (an empty list is valid) */
} listwin;

/* Forget every row (the window becomes invalid). */
void listwin_clear(listwin *w);
/* Replace the window with page p (taken over and freed), its first row at
 * absolute index base. */
void listwin_set(listwin *w, query_page *p, int64_t base);
/* Add page p (taken over) after the last row / before the first row. */
void listwin_append(listwin *w, query_page *p);
void listwin_prepend(listwin *w, query_page *p);
/* Drop rows outside [from, to) (absolute indexes). */
void listwin_trim(listwin *w, int64_t from, int64_t to);
/* Row at absolute index i, or NULL when it is not loaded. */
const query_row *listwin_row(const listwin *w, int64_t i);
/* The exact length of the list when the window reaches its end. */
bool listwin_count_known(const listwin *w, int64_t *count);
/* Absolute index of the row with this record id, or -1. */
int64_t listwin_find(const listwin *w, const char *id);

typedef enum listwin_fetch_kind {
    LWF_NONE,   /* everything wanted is loaded (or cannot be) */
    LWF_FIRST,  /* the first n rows (window replaced, base 0) */
    LWF_LAST,   /* the last n rows (window replaced, base count - n) */
    LWF_AFTER,  /* n rows after the last row (appended) */
    LWF_BEFORE, /* n rows before the first row (prepended) */
    LWF_AT,     /* n rows from offset (window replaced; a scan) */
} listwin_fetch_kind;

typedef struct listwin_fetch {
    listwin_fetch_kind kind;
    int64_t offset; /* LWF_AT */
    size_t n;
} listwin_fetch;

/* What to load next so rows [from, to) are in memory, in chunks of chunk
 * rows. count is the list's length, or -1 while unknown. Extending the
 * window is preferred when the wanted rows are near it; far jumps replace
 * it (LWF_LAST near the end, LWF_AT elsewhere). */
listwin_fetch listwin_next_fetch(const listwin *w, int64_t from, int64_t to, int64_t count,
                                 size_t chunk);

#endif
