/* sync_int.h — what the sync modules (sync.c, sync_meta.c, sync_records.c,
 * sync_assoc.c) share inside cache/.
 *
 * A job is a queue of tasks run one after another on the client's loop.
 * A task starts requests (each tracked as a job_call) and the next task
 * starts when the last of them has answered; a task that needs no request
 * just returns. Work inside one callback opens and commits its own
 * transaction, so nothing is ever left open across loop turns (the browser
 * queues edits on the same connection between them). */
#ifndef HUBTUI_CACHE_SYNC_INT_H
#define HUBTUI_CACHE_SYNC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"
#include "hubspot.h"
#include "records.h"
#include "sync.h"
#include "walk.h"

/* Search from this long before the high-water mark: HubSpot's index may
 * show writes out of order for a while, and clocks differ a little. */
#define SYNC_DEFAULT_OVERLAP_MS (5 * 60 * 1000)
/* Longest list URL we send; the property list is split beyond it. */
#define SYNC_DEFAULT_URL_BUDGET 4000
/* Association definitions (pairs and labels) are re-read this often. */
#define SYNC_ASSOC_DEFS_TTL_MS (60 * 60 * 1000)
/* Association batch requests an incremental sync may spend re-reading
 * records that did not change (association edits move no timestamp). */
#define SYNC_DEFAULT_ASSOC_SWEEP 50
/* Ids per association batch-read round (split into requests of 1,000).
 * A round's answers are held until it ends, one batch per linked type: at
 * 2,000 ids that stays near 20 MB of parsed JSON, and the requests of a
 * round still fill the client's in-flight cap. */
#define SYNC_ASSOC_SLICE 2000

/* What the run does with one object type. */
typedef enum obj_mode { MODE_BACKFILL, MODE_INCREMENTAL, MODE_FULL } obj_mode;

/* An id set kept as a growable array, sorted and deduplicated on demand. */
typedef struct idlist {
    int64_t *v;
    size_t   n, cap;
    bool     sorted;
} idlist;

void idlist_add(idlist *l, int64_t id);
void idlist_sort(idlist *l);
void idlist_free(idlist *l);

typedef struct sync_obj {
    char    *name;           /* the cache's name (contacts, vehicles) */
    char    *type_id;        /* for API paths (0-1, 2-123) */
    char    *lastmod;        /* the last-modified property */
    bool     named;          /* asked for by name */
    bool     skip;           /* not on this portal or not allowed: no records */
    char    *skip_reason;
    char   **props;          /* every property to request, NULL-terminated */
    size_t   nprops;
    char   **to;             /* object types it associates with (synced or known) */
    size_t   nto;
    obj_mode mode;
    int64_t  total;          /* records expected this run, -1 unknown */
    int64_t  done;           /* records written this run */
    int64_t  max_lastmod;    /* newest last-modified seen this run */
    int64_t  run_started_ms; /* wall clock when this object's records began */
    idlist   changed;        /* ids written this run (incremental: their associations) */
    size_t   changed_pos;    /* how many of them had their associations read */
    idlist   touched;        /* counterparts whose associations need a re-read */
    size_t   touched_pos;
    bool     sweep_done;     /* the sweep's ids joined `changed` this run */
    bool     assoc_all_started, assoc_all_from_start;
    bool     assoc_all_ran;  /* every record's links were read in this run */
    idlist  *linked;         /* per `to`: ids the other side links to (loaded lazily) */
    int64_t  sweep_cursor;   /* where the next sweep starts (saved at the end) */
} sync_obj;

typedef struct sync_job sync_job;
typedef struct job_call job_call;

typedef void (*call_fn)(sync_job *j, job_call *k, const hs_result *r);
typedef void (*batch_fn)(sync_job *j, job_call *k, const hs_batch_result *r);
typedef void (*task_fn)(sync_job *j, size_t obj);

struct job_call {
    sync_job  *j;
    hs_call_id id;
    call_fn    fn;
    batch_fn   bfn;
    size_t     obj;          /* object index, or (size_t)-1 */
    void      *data;         /* owned; freed with free_data */
    void     (*free_data)(void *);
    job_call  *prev, *next;
};

typedef struct job_task {
    task_fn fn;
    size_t  obj;
    int     phase;           /* sync_phase shown while it runs; -1 keeps the last */
    void   *arg;             /* job_task_arg() while it runs; owned */
    void  (*free_arg)(void *);
} job_task;

struct sync_job {
    portal_session *ps;
    hs_client      *c;       /* NULL once the client went away */
    store          *st;
    hs_call_id      op;      /* the job as a client operation (hs_cancel reaches it) */
    bool            full;
    char          **names;   /* objects asked for (copies) */
    size_t          nnames;
    sync_progress_fn on_progress;
    sync_done_fn     on_done;
    void            *ud;
    int64_t          overlap_ms;
    int              url_budget;
    int              assoc_sweep;
    int              cache_kb;        /* 0: the store's and records_begin_bulk's own */

    job_task  *tasks;
    size_t     ntasks, cap_tasks, next_task, insert_at;
    void      *task_arg;     /* the running task's arg (it now owns it) */
    job_call  *calls;        /* requests in flight */
    int        outstanding;
    void      *parked;       /* a write waiting for the loop (job_park) */
    void     (*parked_drop)(void *);
    void     (*defer_fn)(sync_job *j, void *ud);   /* job_defer's work, if any */
    void      *defer_ud;

    sync_obj  *objs;
    size_t     nobjs;

    ht_status  status;       /* the first failure, HT_OK so far */
    ht_error   err;
    bool       stopping;     /* failed or cancelled: wind down */
    bool       finished;     /* on_done ran */
    bool       advancing;
    bool       begun;

    sync_progress prog;
    const char   *prog_object;
    int64_t       started_mono;
    int64_t       last_report_mono;
    int64_t       rate_mark_mono;   /* rate window start */
    int64_t       rate_mark_done;
    double        rate;
    uint64_t      requests_at_start;
};

/* ---- sync.c: the job machinery ------------------------------------------ */

/* Submit helpers: make a call record, then pass call_done / call_batch_done
 * with it as ud to the hs_* function and store the id it returns. */
job_call *job_call_new(sync_job *j, call_fn fn, size_t obj);
job_call *job_batch_new(sync_job *j, batch_fn fn, size_t obj);
void job_call_set_id(job_call *k, hs_call_id id);
void call_done(void *ud, const hs_result *r);
void call_batch_done(void *ud, const hs_batch_result *r);

/* Queue a task right after the running one (several keep their order). */
void job_push(sync_job *j, task_fn fn, size_t obj, int phase);
/* The same with an argument the task takes over (free_arg frees it when the
 * job ends before the task runs). */
void job_push_arg(sync_job *j, task_fn fn, size_t obj, int phase, void *arg,
                  void (*free_arg)(void *));
/* Stop the job with this failure (the first one wins). Returns st. */
ht_status job_fail(sync_job *j, ht_status st, const ht_error *err);
/* The same with a message. */
ht_status job_failf(sync_job *j, ht_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A write waiting for the loop holds the job open (at most one at a time);
 * drop(ud) is called instead if the job stops first. */
void job_park(sync_job *j, void *ud, void (*drop)(void *ud));
/* The parked write is being done (or dropped): release its hold. Returns
 * false when nothing was parked. */
bool job_unpark(sync_job *j);
/* Go on with the next task if nothing is outstanding (after a parked write). */
void job_continue(sync_job *j);
/* Run fn(j, ud) at the client's next step — after the requests submitted
 * now are on their way — unless the job ends first. One at a time (a second
 * replaces the first); job_undefer(j, ud) forgets it when ud goes away. */
void job_defer(sync_job *j, void (*fn)(sync_job *j, void *ud), void *ud);
void job_undefer(sync_job *j, void *ud);
/* Count records written for the progress report. */
void job_count_records(sync_job *j, size_t obj, int64_t n);
/* Tell on_progress now (throttled unless force). */
void job_report(sync_job *j, bool force);
/* A property list for a URL: split names into groups whose joined, escaped
 * length stays within budget (always at least one name per group).
 * Returns the number of groups; group g is names[start[g] .. start[g+1]). */
size_t sync_split_props(char *const *names, size_t n, int budget, size_t **start);

/* ---- sync_meta.c ---------------------------------------------------------- */

/* The metadata tasks and the per-object plan that follows them. */
void sync_meta_begin(sync_job *j, size_t unused);
/* Record the client's last known rate budget in the cache (status). */
void sync_store_rate_budget(store *st, hs_client *c);

/* ---- sync_writer.c --------------------------------------------------------- */

struct record_page;
/* A thread with its own connection storing list pages in order, several
 * per transaction with the walk's cursor after the last (the backfill
 * checkpoint, or the full pass's cursor with records stamped gen). */
typedef struct page_writer page_writer;

/* Start one for object on the cache file of main; bulk turns bulk mode on
 * for its connection too; cache_kb > 0 sizes its page cache. NULL
 * with err on failure. */
page_writer *page_writer_start(store *main, const char *object, bool bulk, bool full,
                               int cache_kb, int64_t gen, ht_error *err);
/* A free page to read the next answer into; waits while every page waits to
 * be written. NULL once the writer failed (see page_writer_written). */
struct record_page *page_writer_slot(page_writer *pw);
/* Queue the page page_writer_slot gave for writing. */
void page_writer_queue(page_writer *pw);
/* Records written so far; *st gets the first failure (HT_OK so far). */
int64_t page_writer_written(page_writer *pw, ht_status *st, ht_error *err);
/* Write everything queued, build the search index when it started in bulk
 * mode, and stop; returns the first failure. *written, *max_lastmod and
 * *index_ms (-1: no index built; each may be NULL) get the totals. */
ht_status page_writer_finish(page_writer *pw, int64_t *written, int64_t *max_lastmod,
                             int64_t *index_ms, ht_error *err);
/* Stop (at once unless finished) and free. NULL is fine. */
void page_writer_free(page_writer *pw);
/* Store a list walk's cursor after n more records (inside the caller's
 * transaction): the backfill checkpoint, or the full pass's cursor. */
ht_status sync_save_list_cursor(store *st, const char *object, bool full, const char *next,
                                size_t n, int64_t max_lastmod, ht_error *err);

/* ---- sync_list.c ---------------------------------------------------------- */

/* Backfill or full pass of one object by list pages (queues its end task). */
void sync_list_walk(sync_job *j, size_t obj);

/* ---- sync_records.c ------------------------------------------------------- */

/* Decide the object's mode and queue its record and association tasks. */
void sync_records_plan(sync_job *j, size_t obj);
/* Write HubSpot records (a results array) of object obj inside the caller's
 * transaction: upsert, archive what says archived, forget merged-away ids.
 * Adds the ids to changed when collect is set. */
ht_status sync_write_records(store *st, record_writer *w, const char *object, json_t *results,
                             const char *const *requested, size_t nrequested, int64_t gen,
                             idlist *collect, int64_t *max_lastmod, const char *lastmod_prop,
                             size_t *written, ht_error *err);
/* Forget the records a merge folded into record `self` (merged is
 * hs_merged_object_ids, "1;2;3"). */
ht_status sync_forget_merged(store *st, const char *object, const char *self,
                             const char *merged, ht_error *err);

/* ---- sync_assoc.c --------------------------------------------------------- */

/* Read every association of every cached record of obj (backfill, full),
 * resuming from the stored cursor. */
void sync_assoc_all(sync_job *j, size_t obj);
/* After every object's records: queue the passes over every record that
 * are pending, smallest object type first (see "the other side first"). */
void sync_assoc_phase(sync_job *j, size_t unused);
/* Read the associations of the records written this run (and of the sweep's
 * slice), noting counterparts whose links changed; at the end of the run,
 * re-read those counterparts. */
void sync_assoc_changed(sync_job *j, size_t obj);
void sync_assoc_touched(sync_job *j, size_t obj);
/* Add a slice of unchanged records to this run's reads (the rolling sweep:
 * HubSpot moves no timestamp when only an association changes). */
void sync_assoc_sweep(sync_job *j, size_t obj);

/* Store a v4 batch read's answer for from→to: results replace what the
 * cache held for each `from`; inputs answered "no associations" are
 * cleared. Ids whose links changed go to touched (may be NULL). *more gets
 * the inputs still to page ([{id, after}], new reference, or NULL). */
ht_status sync_store_assoc_batch(store *st, const char *from, const char *to,
                                 const hs_batch_result *r, bool first_page, idlist *touched,
                                 json_t **more, ht_error *err);

#endif
