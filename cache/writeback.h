/* writeback.h — drain the outbox to HubSpot, safely.
 *
 * Edits go out in batches of up to 100 records at background priority, so
 * the user's own requests go first. Before writing, the current server
 * values of the edited properties are read and compared with the values
 * the edits replaced: a property someone else changed meanwhile becomes a
 * conflict held for the user, never a silent overwrite. The values in each
 * write's response are compared with what was sent; a value the server did
 * not take is reported as not applied. Failures keep the edit with the
 * server's message. Creates never duplicate, even across a crash. Every
 * write lands in the audit log.
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
    int64_t requests;        /* HTTP requests made by this job */
} writeback_progress;

typedef void (*writeback_progress_fn)(void *ud, const writeback_progress *p);
/* Called once when the job ends: HT_OK (even with conflicts or failures —
 * see the progress counts), HT_CANCELLED, or why it could not go on. */
typedef void (*writeback_done_fn)(void *ud, ht_status st, const ht_error *err);

typedef struct writeback_options {
    bool                  dry_run;   /* report what would be sent; write nothing */
    writeback_progress_fn on_progress;
    writeback_done_fn     on_done;
    void                 *ud;
} writeback_options;

typedef struct writeback_job writeback_job;

/* Start draining the outbox of a connected portal. Refused (HT_READONLY)
 * for a read-only portal. */
writeback_job *writeback_start(portal_session *ps, const writeback_options *opt,
                               ht_error *err);
/* Stop after the batch in flight (nothing is lost; unsent edits stay queued). */
void writeback_cancel(writeback_job *job);
bool writeback_finished(const writeback_job *job);
const writeback_progress *writeback_get_progress(const writeback_job *job);
void writeback_free(writeback_job *job);

/* Run a push to completion on the calling thread (command line). */
ht_status writeback_run(portal_session *ps, const writeback_options *opt,
                        writeback_progress *out, ht_error *err);

#endif
