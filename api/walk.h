/* walk.h — walking HubSpot collections to the end.
 *
 * A page walk follows paging.next.after page by page (lists of records,
 * owners, a record's associations). A search walk goes past the 10,000-result
 * cap of the search endpoint: it sorts ascending on hs_object_id (or on a
 * date property such as lastmodifieddate for incremental sync) and, before
 * the offset would reach 10,000, starts again from the last value seen with
 * a GT (or GTE) filter, dropping records it already delivered.
 *
 * Both are operations (client.h): they have an id hs_cancel() reaches, hand
 * each page to on_page as it arrives, and finish with done exactly once:
 * HT_OK at the end or when on_page returned false, the failing request's
 * status otherwise, HT_CANCELLED when cancelled. Cancelled from inside its own
 * on_page, a walk finishes as soon as on_page returns. Pages are requested
 * one after another; results are borrowed for the duration of on_page. */
#ifndef HUBTUI_WALK_H
#define HUBTUI_WALK_H

#include "client.h"
#include "hubspot.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* One page: results (array) and the cursor of the next page (NULL on the
 * last; store it to resume later). Return false to stop. */
typedef bool (*hs_page_fn)(void *ud, json_t *results, const char *next_after);

/* Walk any GET path that pages with `after` (path has its query, without
 * after). start_after resumes a walk (NULL: from the start). */
hs_call_id hs_walk_pages(hs_client *c, hs_priority prio, const char *path, const char *start_after,
                         hs_page_fn on_page, hs_done_fn done, void *ud);
/* Walk every record of type in list pages (o->limit 0: 100 per page). */
hs_call_id hs_walk_objects(hs_client *c, hs_priority prio, const char *type, const hs_read_opts *o,
                           const char *start_after, hs_page_fn on_page, hs_done_fn done, void *ud);
/* Walk every association of one record to to_type (500 per page). */
hs_call_id hs_walk_assoc(hs_client *c, hs_priority prio, const char *from_type, const char *from_id,
                         const char *to_type, hs_page_fn on_page, hs_done_fn done, void *ud);
/* Walk every owner (500 per page). */
hs_call_id hs_walk_owners(hs_client *c, hs_priority prio, hs_page_fn on_page, hs_done_fn done,
                          void *ud);

typedef struct hs_search_walk {
    const char         *object_type;
    json_t             *filter_groups;  /* the caller's filterGroups, or NULL; the
                                         * walker ANDs its cursor filter into each
                                         * (leave room: at most 5 filters a group) */
    const char *const  *properties;     /* NULL-terminated; NULL: HubSpot's defaults */
    const char         *query;          /* free-text query, or NULL */
    const char         *sort_property;  /* NULL: walk by hs_object_id; else a date,
                                         * datetime or integer property */
    const char         *start_value;    /* resume: by id, ids > this; by property,
                                         * values >= this (epoch ms or ISO-8601) */
    int                 page_size;      /* 0: 200 (the maximum) */
    bool                keyset;         /* start a new window after every page
                                         * (GTE the last value, repeats dropped)
                                         * instead of paging by offset: records
                                         * that move while the walk runs (edited,
                                         * so re-sorted to the end) cannot shift
                                         * an unseen one past the offset */
} hs_search_walk;

typedef struct hs_search_page {
    json_t     *results;   /* records not delivered before (borrowed) */
    int64_t     total;     /* HubSpot's total for the current window */
    const char *cursor;    /* pass as start_value to resume after this page
                            * (last id, or the last value in epoch ms) */
    int         restarts;  /* windows started so far (10,000-cap restarts) */
} hs_search_page;

/* Return false to stop. */
typedef bool (*hs_search_page_fn)(void *ud, const hs_search_page *page);

/* Walk every record matching w, in ascending order of the sort property. */
hs_call_id hs_walk_search(hs_client *c, hs_priority prio, const hs_search_walk *w,
                          hs_search_page_fn on_page, hs_done_fn done, void *ud);

#endif
