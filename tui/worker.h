/* worker.h — the browser's cache reads on a thread of their own.
 *
 * List pages, counts (scans when a filter is set), sort-index builds, "mark
 * every match" and bulk previews can take from a millisecond to seconds on
 * a large cache. They run here, on one thread with its own read-only
 * connection (store_open_reader; WAL lets it read while the UI and sync
 * write), so the UI thread never waits on SQLite for long.
 *
 * Every job belongs to an owner (a list view) and a generation of that
 * owner's query (bumped when its filter, sort or columns change). A newer
 * generation makes older jobs stale: worker_drop() removes them from the
 * queue, interrupts the one running (store tickets), and discards results
 * not yet collected, so a fast typist's stale filter keystrokes cost
 * nothing. Results come back on the UI thread: the worker writes a byte to
 * worker_fd(), the loop watches it and calls worker_collect(), which runs
 * each finished job's callback and frees the job.
 *
 * Open queries are kept per owner between jobs (keyset paging continues on
 * the same compiled query) and closed by worker_forget(). */
#ifndef HUBTUI_WORKER_H
#define HUBTUI_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "query.h"
#include "store.h"

typedef enum wk_kind {
    WK_PAGE,     /* rows of the owner's query */
    WK_COUNT,    /* how many rows match */
    WK_POSITION, /* how many rows come before a cursor */
    WK_INDEX,    /* build the sort index for the spec's sort (read-write) */
    WK_IDS,      /* every matching record id, in order */
    WK_VALUES,   /* the spec's columns of the records in ids */
} wk_kind;

typedef enum wk_page_kind {
    WP_FIRST,  /* the first n rows */
    WP_LAST,   /* the last n rows */
    WP_AFTER,  /* n rows after cursor */
    WP_BEFORE, /* n rows before cursor */
    WP_AT,     /* n rows from offset */
    WP_AROUND, /* up to n_before rows before cursor, then n rows from the cursor's row on */
} wk_page_kind;

typedef struct wk_job wk_job;
typedef void (*wk_done_fn)(void *ud, wk_job *j);

struct wk_job {
    /* The request (filled by wk_job_new and the caller). */
    wk_kind kind;
    uint64_t owner, gen;
    char *object, *filter, *sort;
    bool desc;
    char **columns;
    size_t ncolumns;
    wk_page_kind how;
    query_cursor cursor; /* WP_AFTER, WP_BEFORE, WP_AROUND, WK_POSITION */
    int64_t offset;      /* WP_AT */
    size_t n, n_before;
    char **ids;          /* WK_VALUES */
    size_t nids;
    wk_done_fn done;
    void *ud;
    void (*free_ud)(void *ud); /* frees ud when done never runs (dropped, shutdown) */

    /* The result (valid in done). */
    ht_status status;
    ht_error err;
    int err_col;          /* filter mistakes: 1-based column, else 0 */
    query_page *page;     /* WK_PAGE: take it (set to NULL) to keep it */
    size_t before;        /* WP_AROUND: rows of page that precede the cursor */
    int64_t count;        /* WK_COUNT, WK_POSITION */
    int64_t built_ms;     /* WK_INDEX: 0 when the index existed */
    char (*id_list)[32];  /* WK_IDS */
    size_t nid_list;
    char **values;        /* WK_VALUES: nids x ncolumns, NULL = empty */
    int64_t ms;           /* how long the job ran */

    /* The worker's. */
    uint64_t ticket;
    bool dead;
    wk_job *next;
};

typedef struct worker worker;

/* A job of kind for owner/gen on the query described by spec (copied). */
wk_job *wk_job_new(wk_kind kind, uint64_t owner, uint64_t gen, const query_spec *spec);
/* Free a job and its results (NULL is fine). */
void wk_job_free(wk_job *j);

/* Start the thread with a reader on st's file. */
worker *worker_new(store *st, ht_error *err);
/* Stop the thread (abandoning queued work) and free everything. */
void worker_free(worker *w);
/* Readable when results are waiting: watch it, then call worker_collect. */
int worker_fd(const worker *w);
/* A fresh owner id for a list. */
uint64_t worker_new_owner(worker *w);
/* Queue a job (the worker owns it until its callback has run). */
void worker_submit(worker *w, wk_job *j);
/* Make every job of owner with a generation below gen stale: dropped from
 * the queue, interrupted if running, never reported. */
void worker_drop(worker *w, uint64_t owner, uint64_t gen);
/* Drop every job of owner and close its query (the owner is going away). */
void worker_forget(worker *w, uint64_t owner);
/* Run the callbacks of finished jobs, then free them. UI thread only. */
void worker_collect(worker *w);
/* Is anything queued or running? */
bool worker_busy(worker *w);

#endif
