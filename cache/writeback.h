/* writeback.h — drain the outbox to HubSpot, safely.
 *
 * Edits go out in batches of up to 100 records at background priority, so
 * the user's own requests go first. Before writing, the current server
 * values of the edited properties are read and compared with the values
 * the edits replaced: a property someone else changed meanwhile becomes a
 * conflict held for the user, never a silent overwrite. The values in each
 * write's response are compared with what was sent; a value the server did
 * not take is reported as not applied. Failures keep the edit with the
 * server's message; a whole-batch 400 is split until the bad input stands
 * alone. Creates never duplicate, even across a crash: they go out as batch
 * upserts on the unique property hubtui_create_key (made once per object
 * type through the properties API, which needs the schema write scope;
 * without it contacts upsert by email and anything else is a plain create
 * whose unknown outcome is kept as failed for the user to check). Anything
 * whose outcome is unknown (a push that died, a lost answer) is looked up
 * before it is sent again. Every write lands in the audit log.
 *
 * One push per cache at a time, across processes (a lock file next to the
 * cache file). Call everything from the thread that runs the client's loop.
 *
 * CONTRACT between the sync, writeback and browser engineers: extend freely,
 * but keep these names and meanings. */
#ifndef HUBTUI_CACHE_WRITEBACK_H
#define HUBTUI_CACHE_WRITEBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "portal.h"

typedef struct writeback_progress {
    int64_t edits_total;     /* queued edits this run set out to send */
    int64_t edits_done;      /* written and confirmed */
    int64_t conflicts;       /* held for the user */
    int64_t failed;          /* kept with the server's message */
    int64_t not_applied;     /* the server kept another value */
    int64_t creates_done;
    int64_t requests;        /* HTTP requests made by this job (retries of
                              * one request by api/ not counted) */
    int64_t edits_sent;      /* edits that went out in a write request */
    int64_t batches;         /* batches claimed from the outbox */
} writeback_progress;

typedef void (*writeback_progress_fn)(void *ud, const writeback_progress *p);
/* Called once when the job ends: HT_OK (even with conflicts or failures —
 * see the progress counts), HT_CANCELLED, or why it could not go on. It may
 * free the job. */
typedef void (*writeback_done_fn)(void *ud, ht_status st, const ht_error *err);
/* A queued create landed: local_id ("local-7") is now hubspot_id. */
typedef void (*writeback_created_fn)(void *ud, const char *object, const char *local_id,
                                     const char *hubspot_id);

typedef struct writeback_options {
    bool                  dry_run;   /* report what would be sent; write nothing */
    writeback_progress_fn on_progress;
    writeback_done_fn     on_done;
    writeback_created_fn  on_created; /* may be NULL */
    void                 *ud;
    int                   pipeline;  /* batches in flight at once; 0: 6 */
    int                   batch_records; /* records per batch; 0: 100 (HubSpot's most) */
} writeback_options;

typedef struct writeback_job writeback_job;

/* Start draining the outbox of a connected portal. Refused (HT_READONLY)
 * for a read-only portal, and (HT_CONFLICT) while another push of the same
 * cache runs in any process. Edits left `sending` by a push that died are
 * taken back and checked against HubSpot before anything is resent. The job
 * advances as the client's loop runs (hs_client_poll / hs_client_run);
 * on_done never runs inside this call, except for a dry run without a
 * client. A dry run claims nothing and sends nothing: edits_total says
 * how many edits a push would take (outbox_list shows them). */
writeback_job *writeback_start(portal_session *ps, const writeback_options *opt,
                               ht_error *err);
/* Stop after the batches in flight (nothing is lost; unsent edits stay
 * queued); on_done then runs with HT_CANCELLED. */
void writeback_cancel(writeback_job *job);
/* Has on_done run? */
bool writeback_finished(const writeback_job *job);
/* The counts so far. */
const writeback_progress *writeback_get_progress(const writeback_job *job);
/* Free a job; one still running has its requests cancelled first (their
 * edits go back to the queue, to be checked before they are resent). NULL
 * is fine. */
void writeback_free(writeback_job *job);

/* Run a push to completion on the calling thread (command line). *out
 * (may be NULL) gets the final counts. Returns what on_done would get
 * (opt->on_done, if set, runs too). */
ht_status writeback_run(portal_session *ps, const writeback_options *opt,
                        writeback_progress *out, ht_error *err);

#endif
