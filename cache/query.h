/* query.h — the list view's window onto the cache: a filter, a sort and a
 * set of columns, read a page at a time.
 *
 * Pages are keyset-paged: each row carries a cursor (its sort key and id),
 * and query_after/query_before continue from any cursor with index seeks,
 * so page-down deep into a million rows costs the same as the first page.
 * Sorting is typed (numbers numerically, dates chronologically, text
 * case-insensitively); ties are broken by record id; empty values come last
 * in both directions. The count is a separate call (it scans; run it on a
 * worker with a reader store and cancel it when the filter changes).
 *
 * Filters: pages first walk the sort index and test the filter on the way
 * (cheap unless the filter is rare); a rare filter switches the query to
 * SQLite's own plan once, after which its ordered matches serve every page
 * from memory. Pages always reflect the cache as it is now: matches are
 * recomputed when another connection commits or this one writes. A slow
 * call (a scan) can be abandoned from another thread (store_cancel_before).
 *
 * Sorting a large table by a property needs an index on that property's
 * key: query_needs_index() says so and query_ensure_index() (on the
 * read-write store) builds it once; without it pages still come, by a scan.
 * The same index also serves equality filters on that property. */
#ifndef HUBTUI_CACHE_QUERY_H
#define HUBTUI_CACHE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "outbox.h"
#include "store.h"

typedef struct query_spec {
    const char        *object;
    const char        *filter;       /* the filter language; NULL or "" = every record */
    const char        *sort;         /* property (or id, createdAt, updatedAt); NULL = id */
    bool               descending;
    const char *const *columns;      /* property names to return, in order */
    size_t             ncolumns;
} query_spec;

typedef struct query query;

/* Parse and compile. A filter mistake gives HT_INVALID with *err_col (may be
 * NULL) set to its 1-based column; an unknown sort or column property gives
 * HT_INVALID too (column 0). */
ht_status query_open(store *st, const query_spec *spec, query **out, ht_error *err,
                     int *err_col);
void query_close(query *q);

/* Where a row sits in the order; valid as long as you keep it. */
typedef struct query_cursor {
    bool    valid;
    int     key_type;                /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
    int64_t key_i;
    double  key_d;
    char   *key_t;                   /* owned */
    int64_t id;
} query_cursor;

void query_cursor_copy(query_cursor *dst, const query_cursor *src);
void query_cursor_clear(query_cursor *c);

typedef struct query_row {
    char          id[32];            /* "51" or "local-7" */
    char        **values;            /* one per requested column; NULL = empty */
    outbox_state *cell_state;        /* per column: queued edit state, OB_NONE if none */
    outbox_state  row_state;         /* the most urgent state among the record's queued
                                        changes (conflict > failed > not-applied >
                                        sending > pending), OB_NONE if none */
    query_cursor  cursor;
} query_row;

typedef struct query_page {
    query_row *rows;                 /* in display order */
    size_t     nrows;
    size_t     ncolumns;             /* values per row (the spec's columns) */
    bool       more_before;          /* rows exist before rows[0] */
    bool       more_after;           /* rows exist after the last row */
} query_page;

void query_page_free(query_page *p);

/* The first n rows. */
ht_status query_first(query *q, size_t n, query_page **out, ht_error *err);
/* The last n rows (still in display order). */
ht_status query_last(query *q, size_t n, query_page **out, ht_error *err);
/* Up to n rows right after c. */
ht_status query_after(query *q, const query_cursor *c, size_t n, query_page **out,
                      ht_error *err);
/* Up to n rows right before c (in display order). */
ht_status query_before(query *q, const query_cursor *c, size_t n, query_page **out,
                       ht_error *err);
/* Up to n rows from a 0-based position (a scrollbar jump; costs a scan). */
ht_status query_at(query *q, int64_t offset, size_t n, query_page **out, ht_error *err);
/* How many records match (no filter: instant; else a scan). */
ht_status query_count(query *q, int64_t *count, ht_error *err);
/* How many matching rows come before c (for a scrollbar; a scan). */
ht_status query_position(query *q, const query_cursor *c, int64_t *pos, ht_error *err);

/* Has the query switched to the filter plan (its filter is rare, so SQLite
 * drives from the filter and sorts the matches)? Informational. */
bool query_uses_filter_plan(const query *q);

/* Does sorting this query want an index that is not built yet? */
bool query_needs_index(const query *q);
/* Build the index on object+property's typed key if missing (read-write
 * store): for sorting by it, and for filters on it. *built_ms (may be NULL)
 * gets how long it took, 0 when it existed. About 1.2 s per million rows. */
ht_status query_ensure_index(store *st, const char *object, const char *sort_prop,
                             int64_t *built_ms, ht_error *err);

#endif
