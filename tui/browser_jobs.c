/* browser_jobs.c — sync, push and record refreshes in the background, with
 * their progress in the status bar. The work itself is cache/sync.h and
 * cache/writeback.h running on the portal's client; the app's wait drives
 * it, so keys keep being answered throughout. */
#include "browser_priv.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#ifdef HUBTUI_HAVE_SYNC
#include "sync.h"
#endif
#ifdef HUBTUI_HAVE_WRITEBACK
#include "writeback.h"
#endif

#define DATA_BUMP_EVERY_MS 1000 /* views reload at most this often during a sync */

struct browser_jobs {
#ifdef HUBTUI_HAVE_SYNC
    sync_job *sync;
    bool sync_ended;
    ht_status sync_status;
    ht_error sync_err;
    int64_t sync_records;
#endif
#ifdef HUBTUI_HAVE_WRITEBACK
    writeback_job *push;
    bool push_ended;
    ht_status push_status;
    ht_error push_err;
    writeback_progress push_progress;
#endif
    int64_t bump_due;
    bool bump_wanted;
};

#if defined(HUBTUI_HAVE_SYNC) || defined(HUBTUI_HAVE_WRITEBACK)
static browser_jobs *jobs_of(browser *b)
{
    if (!b->jobs)
        b->jobs = xcalloc(1, sizeof *b->jobs);
    return b->jobs;
}

static bool network_trouble(ht_status st)
{
    return st == HT_NETWORK || st == HT_TIMEOUT;
}

/* Ask for a connection first when there is none. */
static bool need_online(browser *b, const char *what)
{
    if (portal_online(b->ps))
        return true;
    if (b->ps->offline) {
        app_message(b->a, MSG_WARN, "Offline: %s needs HubSpot (:online connects)", what);
        return false;
    }
    ht_error err;
    if (portal_connect(b->ps, &err) != HT_OK) {
        app_message(b->a, MSG_WARN, "Offline: %s needs HubSpot: %s", what, err.message);
        return false;
    }
    return true;
}
#endif

/* ---- Sync --------------------------------------------------------------------------- */

#ifdef HUBTUI_HAVE_SYNC
static const char *phase_name(const sync_progress *p)
{
    switch (p->phase) {
    case SYNC_METADATA: return "sync metadata";
    case SYNC_ASSOCIATIONS: return "sync associations";
    case SYNC_RECONCILE: return "sync check";
    default: return "sync";
    }
}

static void on_sync_progress(void *ud, const sync_progress *p)
{
    browser *b = ud;
    char what[48];
    if (p->object && p->phase != SYNC_METADATA)
        snprintf(what, sizeof what, "%s %s", phase_name(p), p->object);
    else
        snprintf(what, sizeof what, "%s", phase_name(p));
    status_set_sync(app_status(b->a), what, p->records_done, p->records_total);
    jobs_of(b)->bump_wanted = true;
}

static void on_sync_done(void *ud, ht_status st, const ht_error *err)
{
    browser *b = ud;
    browser_jobs *j = jobs_of(b);
    j->sync_ended = true;
    j->sync_status = st;
    ht_error_copy(&j->sync_err, err);
    if (j->sync)
        j->sync_records = sync_get_progress(j->sync)->records_done;
}

view_result browser_jobs_sync(browser *b, const char *object)
{
    browser_jobs *j = jobs_of(b);
    if (j->sync && !j->sync_ended) {
        app_message(b->a, MSG_INFO, "A sync is already running (C-x cancels it)");
        return VR_HANDLED;
    }
    if (!need_online(b, "sync"))
        return VR_HANDLED;
    const char *objects[1] = {object};
    sync_options opt = {.objects = object ? objects : NULL, .n_objects = object ? 1 : 0,
                        .on_progress = on_sync_progress, .on_done = on_sync_done, .ud = b};
    ht_error err;
    sync_free(j->sync);
    j->sync_ended = false;
    j->sync = sync_start(b->ps, &opt, &err);
    if (!j->sync) {
        app_error(b->a, &err);
        return VR_HANDLED;
    }
    status_set_sync(app_status(b->a), "sync", 0, -1);
    app_message(b->a, MSG_INFO, "Sync started%s%s (C-x cancels; keep browsing)",
                object ? ": " : "", object ? object : "");
    return VR_HANDLED;
}

static void sync_finish(browser *b)
{
    browser_jobs *j = jobs_of(b);
    if (!j->sync || !j->sync_ended)
        return;
    sync_free(j->sync);
    j->sync = NULL;
    status_clear_sync(app_status(b->a));
    browser_load_portal_data(b); /* owners, zone and currency may be new */
    browser_data_changed(b);
    char n[32];
    status_format_count(j->sync_records, n);
    browser_after_first_sync(b);
    if (j->sync_status == HT_OK)
        app_message(b->a, MSG_INFO, "Sync finished: %s records updated", n);
    else if (j->sync_status == HT_CANCELLED)
        app_message(b->a, MSG_INFO, "Sync cancelled (%s records kept; :sync resumes)", n);
    else {
        app_error(b->a, &j->sync_err);
        if (network_trouble(j->sync_status))
            browser_unreachable(b, &j->sync_err);
    }
}
#else
view_result browser_jobs_sync(browser *b, const char *object)
{
    app_message(b->a, MSG_WARN, "Sync is not available in this build yet");
    return VR_HANDLED;
}
#endif

/* ---- Push ----------------------------------------------------------------------------- */

#ifdef HUBTUI_HAVE_WRITEBACK
static void on_push_progress(void *ud, const writeback_progress *p)
{
    browser *b = ud;
    jobs_of(b)->push_progress = *p;
    status_set_sync(app_status(b->a), "push", p->edits_done, p->edits_total);
    jobs_of(b)->bump_wanted = true;
}

static void on_push_done(void *ud, ht_status st, const ht_error *err)
{
    browser *b = ud;
    browser_jobs *j = jobs_of(b);
    j->push_ended = true;
    j->push_status = st;
    ht_error_copy(&j->push_err, err);
    if (j->push)
        j->push_progress = *writeback_get_progress(j->push);
}

view_result browser_jobs_push(browser *b)
{
    browser_jobs *j = jobs_of(b);
    if (j->push && !j->push_ended) {
        app_message(b->a, MSG_INFO, "A push is already running (C-x cancels it)");
        return VR_HANDLED;
    }
    if (!need_online(b, "push"))
        return VR_HANDLED;
    writeback_options opt = {.on_progress = on_push_progress, .on_done = on_push_done, .ud = b};
    ht_error err;
    writeback_free(j->push);
    j->push_ended = false;
    memset(&j->push_progress, 0, sizeof j->push_progress);
    j->push = writeback_start(b->ps, &opt, &err);
    if (!j->push) {
        app_error(b->a, &err);
        return VR_HANDLED;
    }
    status_set_sync(app_status(b->a), "push", 0, -1);
    app_message(b->a, MSG_INFO, "Pushing queued changes (C-x cancels)");
    return VR_HANDLED;
}

static void push_finish(browser *b)
{
    browser_jobs *j = jobs_of(b);
    if (!j->push || !j->push_ended)
        return;
    writeback_free(j->push);
    j->push = NULL;
    status_clear_sync(app_status(b->a));
    browser_data_changed(b);
    const writeback_progress *p = &j->push_progress;
    if (j->push_status == HT_OK && !p->conflicts && !p->failed && !p->not_applied)
        app_message(b->a, MSG_INFO, "Pushed: %lld change%s written to HubSpot",
                    (long long)p->edits_done, p->edits_done == 1 ? "" : "s");
    else if (j->push_status == HT_OK)
        app_message(b->a, MSG_WARN,
                    "Pushed %lld; %lld conflict%s, %lld failed, %lld not applied (p shows the queue)",
                    (long long)p->edits_done, (long long)p->conflicts,
                    p->conflicts == 1 ? "" : "s", (long long)p->failed,
                    (long long)p->not_applied);
    else if (j->push_status == HT_CANCELLED)
        app_message(b->a, MSG_INFO, "Push cancelled; unsent changes stay queued");
    else {
        app_error(b->a, &j->push_err);
        if (network_trouble(j->push_status))
            browser_unreachable(b, &j->push_err);
    }
}
#else
view_result browser_jobs_push(browser *b)
{
    app_message(b->a, MSG_WARN, "Push is not available in this build yet; changes stay queued");
    return VR_HANDLED;
}
#endif

/* ---- Cancel, tick, stop ----------------------------------------------------------------- */

view_result browser_jobs_cancel(browser *b)
{
    bool any = false;
#ifdef HUBTUI_HAVE_SYNC
    browser_jobs *j = jobs_of(b);
    if (j->sync && !j->sync_ended) {
        sync_cancel(j->sync);
        any = true;
    }
#endif
#ifdef HUBTUI_HAVE_WRITEBACK
    browser_jobs *k = jobs_of(b);
    if (k->push && !k->push_ended) {
        writeback_cancel(k->push);
        any = true;
    }
#endif
    if (!any)
        app_message(b->a, MSG_INFO, "No sync or push is running");
    return VR_HANDLED;
}

void browser_jobs_tick(browser *b, int64_t now)
{
    if (!b->jobs)
        return;
    browser_jobs *j = b->jobs;
#ifdef HUBTUI_HAVE_SYNC
    sync_finish(b);
#endif
#ifdef HUBTUI_HAVE_WRITEBACK
    push_finish(b);
#endif
    /* Pages keep landing: let the views reload, but not on every page. */
    if (j->bump_wanted && now >= j->bump_due) {
        j->bump_wanted = false;
        j->bump_due = now + DATA_BUMP_EVERY_MS;
        browser_data_changed(b);
    } else if (j->bump_wanted) {
        app_wake_at(b->a, j->bump_due);
    }
}

void browser_jobs_stop(browser *b)
{
    browser_jobs *j = b->jobs;
    if (!j)
        return;
    /* Freeing a running job runs its done callback: let it find no job. */
#ifdef HUBTUI_HAVE_SYNC
    sync_job *sj = j->sync;
    j->sync = NULL;
    sync_free(sj);
#endif
#ifdef HUBTUI_HAVE_WRITEBACK
    writeback_job *wj = j->push;
    j->push = NULL;
    writeback_free(wj);
#endif
    if (b->a)
        status_clear_sync(app_status(b->a));
    free(j);
    b->jobs = NULL;
}

/* ---- One record, at interactive priority --------------------------------------------------- */

#ifdef HUBTUI_HAVE_SYNC
typedef struct refresh_call {
    browser *b;
    browser_refresh_fn done;
    void *ud;
} refresh_call;

static void on_refreshed(void *ud, ht_status st, const ht_error *err)
{
    refresh_call *rc = ud;
    if (st == HT_OK || st == HT_NOT_FOUND)
        browser_data_changed(rc->b);
    if (network_trouble(st))
        browser_unreachable(rc->b, err);
    rc->done(rc->ud, st, err);
    free(rc);
}

hs_call_id browser_jobs_refresh(browser *b, const char *object, const char *id,
                                browser_refresh_fn done, void *ud)
{
    refresh_call *rc = xcalloc(1, sizeof *rc);
    *rc = (refresh_call){b, done, ud};
    return sync_refresh_record(b->ps, object, id, on_refreshed, rc);
}
#else
hs_call_id browser_jobs_refresh(browser *b, const char *object, const char *id,
                                browser_refresh_fn done, void *ud)
{
    return 0;
}
#endif
