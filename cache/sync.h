/* sync.h — bring a portal's cache up to date with HubSpot.
 *
 * A sync job runs asynchronously on the portal's hs_client: it advances
 * whenever the client's loop runs (hs_client_poll in the browser,
 * hs_client_run on the command line), so the browser keeps answering keys.
 * Order: metadata (schemas, properties and groups, pipelines, owners,
 * account, association labels), then records per object type — a
 * checkpointed backfill by list pages the first time, an incremental search
 * on the last-modified property afterwards — then associations of the
 * synced records through v4 batch reads. `full` adds a reconciliation pass
 * that finds records deleted or merged away. Every page lands in the cache
 * together with its checkpoint, so a killed sync resumes where it stopped.
 *
 * What the browser can count on: callbacks run from the client's loop only
 * (never inside sync_start); the cache is consistent after every callback
 * (no transaction is left open between loop turns); a backfill writes on a
 * thread of its own (its own connection), so the loop's thread only reads
 * pages and may wait a few milliseconds when the writer is behind; quick
 * search on a type being backfilled comes back once its backfill ends
 * (records_search_ready). Object types the portal lacks or the token may
 * not read are skipped (sync_skipped) unless asked for by name; an unknown
 * name fails with HT_INVALID. See cache/README.md for the order of work.
 *
 * CONTRACT between the sync, writeback and browser engineers: extend freely,
 * but keep these names and meanings. */
#ifndef HUBTUI_CACHE_SYNC_H
#define HUBTUI_CACHE_SYNC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "portal.h"

typedef enum sync_phase {
    SYNC_METADATA,
    SYNC_BACKFILL,
    SYNC_INCREMENTAL,
    SYNC_ASSOCIATIONS,
    SYNC_RECONCILE,
    SYNC_FINISHED,   /* ok, failed or cancelled: see the done callback */
} sync_phase;

typedef struct sync_progress {
    sync_phase  phase;
    const char *object;         /* object type in work, NULL during metadata */
    int         objects_done;   /* object types finished in this run */
    int         objects_total;
    int64_t     records_done;   /* records written in this run */
    int64_t     records_total;  /* estimate for this run, -1 when unknown */
    double      records_per_s;  /* recent rate */
    int64_t     eta_ms;         /* -1 when unknown */
    int64_t     requests;       /* HTTP requests sent since the job began (retries
                                 * included; the client's other work too) */
} sync_progress;

typedef void (*sync_progress_fn)(void *ud, const sync_progress *p);
/* Called once when the job ends: HT_OK, HT_CANCELLED, or the failure. */
typedef void (*sync_done_fn)(void *ud, ht_status st, const ht_error *err);

typedef struct sync_options {
    bool               full;       /* also run the reconciliation pass */
    const char *const *objects;    /* object type names; NULL = every type */
    size_t             n_objects;
    sync_progress_fn   on_progress;
    sync_done_fn       on_done;
    void              *ud;
    /* Tuning, 0 for the defaults. */
    int64_t            overlap_ms;   /* incremental search starts this long before the
                                      * high-water mark (default 5 minutes) */
    int                url_budget;   /* longest property list in a list URL (4000);
                                      * longer lists are read in several parts */
    int                assoc_sweep;  /* association batch reads an incremental sync
                                      * spends re-checking unchanged records (50);
                                      * -1: none */
    int                cache_kb;     /* SQLite page cache of the sync's connections
                                      * (default 16 MB, 64 MB for a first load: faster
                                      * loads); the browser keeps its memory small */
    /* sync_run only: cancel when *cancel_flag becomes non-zero (a signal handler). */
    volatile sig_atomic_t *cancel_flag;
} sync_options;

typedef struct sync_job sync_job;

/* Start a sync on a connected portal (portal_connect first). The job owns
 * nothing of ps; ps must outlive it. */
sync_job *sync_start(portal_session *ps, const sync_options *opt, ht_error *err);
/* Stop at the next safe point (what was written stays); on_done runs with
 * HT_CANCELLED. */
void sync_cancel(sync_job *job);
/* Has on_done run? */
bool sync_finished(const sync_job *job);
/* The latest progress snapshot. */
const sync_progress *sync_get_progress(const sync_job *job);
/* Free a job (cancelling it first if it still runs). NULL is fine. */
void sync_free(sync_job *job);

/* The i-th object type the job left out, and why (not on the portal, or
 * the token may not read it); NULL past the last. *object (may be NULL)
 * gets its name. Both stay valid until sync_free. */
const char *sync_skipped(const sync_job *job, size_t i, const char **object);

/* Run a sync to completion on the calling thread (command line). */
ht_status sync_run(portal_session *ps, const sync_options *opt, ht_error *err);

/* Refresh one record and its associations from HubSpot at interactive
 * priority (the user opened it) and write them to the cache; done runs with
 * HT_OK, HT_NOT_FOUND (deleted on HubSpot: the record leaves the cache) or
 * the failure. Returns the call id (hs_cancel works on it). */
typedef void (*sync_record_fn)(void *ud, ht_status st, const ht_error *err);
hs_call_id sync_refresh_record(portal_session *ps, const char *object, const char *id,
                               sync_record_fn done, void *ud);

#endif
