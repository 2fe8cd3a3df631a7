/* browser_jobs.c — sync and push in the background, with their progress in
 * the status bar, and record refreshes at interactive priority.
 *
 * A sync or a push runs on a thread of its own with its own session of the
 * portal (cache connection and HubSpot client): writing a page of records,
 * committing a transaction or rebuilding the search index then never holds
 * up a key. Progress comes back through a pipe the app watches; cancelling
 * sets a flag and wakes the thread's client, which stops at its next safe
 * point. Record refreshes stay on the browser's own client, where the user
 * is waiting. */
#include "browser_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "log.h"
#include "meta.h"

#ifdef HUBTUI_HAVE_SYNC
#include "sync.h"
#endif
#ifdef HUBTUI_HAVE_WRITEBACK
#include "writeback.h"
#endif

#define DATA_BUMP_EVERY_MS 1000 /* views reload at most this often during a sync */

typedef enum runner_kind { RUN_SYNC, RUN_PUSH } runner_kind;

/* A sync's request, as `hubtui sync [--full] [OBJECT...]` takes it. */
typedef struct sync_request {
    bool full;        /* also the reconciliation pass */
    strvec objects;   /* the types asked for, none = every type */
} sync_request;

static void sync_request_clear(sync_request *q)
{
    strvec_clear(&q->objects);
    q->full = false;
}

/* One background job and its thread. The fields under "shared" are guarded
 * by mu; the rest belong to the thread (ps, the job) or to the UI. */
typedef struct runner {
    runner_kind kind;
    browser *b;
    portal_session *ps; /* the thread's own session */
    pthread_t thread;
    int pipe[2];
    sync_request req;   /* sync: what to sync */

    pthread_mutex_t mu; /* shared: */
    bool cancel, ended;
    bool closing;       /* the thread is closing its session: no more wakeups */
    bool fresh;         /* progress not yet shown */
    char what[48];
    int64_t done, total;
    ht_status status;
    ht_error err;
    int64_t records;    /* sync: records written */
    int64_t pushed, conflicts, failed, not_applied;
    hs_client_stats stats; /* the thread's client, as of stats_at (monotonic ms) */
    int64_t stats_at;
} runner;

struct browser_jobs {
    runner *sync, *push;
    int64_t bump_due;
    bool bump_wanted;
    /* The freshest rate budget a job's client heard from HubSpot, kept after
     * the job ends (budget.rate_heard_ms 0: none yet). */
    hs_client_stats budget;
    int64_t budget_at;
};

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

/* ---- The thread ------------------------------------------------------------------------ */

static void wake_ui(runner *r)
{
    char c = 1;
    if (write(r->pipe[1], &c, 1) < 0 && errno != EAGAIN) {
        /* A full pipe already has bytes to wake on. */
    }
}

/* Under r->mu. */
static void snapshot_stats(runner *r)
{
    hs_client_stats_get(r->ps->client, &r->stats);
    r->stats_at = time_mono_ms();
}

static void publish(runner *r, const char *what, int64_t done, int64_t total)
{
    pthread_mutex_lock(&r->mu);
    snprintf(r->what, sizeof r->what, "%s", what);
    r->done = done;
    r->total = total;
    r->fresh = true;
    snapshot_stats(r);
    pthread_mutex_unlock(&r->mu);
    wake_ui(r);
}

static void finished(runner *r, ht_status st, const ht_error *err)
{
    pthread_mutex_lock(&r->mu);
    r->status = st;
    ht_error_copy(&r->err, err);
    pthread_mutex_unlock(&r->mu);
}

static bool cancel_asked(runner *r)
{
    pthread_mutex_lock(&r->mu);
    bool c = r->cancel;
    pthread_mutex_unlock(&r->mu);
    return c;
}

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
    runner *r = ud;
    char what[48];
    if (p->object && p->phase != SYNC_METADATA)
        snprintf(what, sizeof what, "%s %s", phase_name(p), p->object);
    else
        snprintf(what, sizeof what, "%s", phase_name(p));
    pthread_mutex_lock(&r->mu);
    r->records = p->records_done;
    pthread_mutex_unlock(&r->mu);
    publish(r, what, p->records_done, p->records_total);
}

static void on_sync_done(void *ud, ht_status st, const ht_error *err)
{
    finished(ud, st, err);
}

static void run_sync(runner *r)
{
    /* A sync in the browser keeps small page caches: the browser stays
     * within its memory budget; the command line loads faster. */
    sync_options opt = {.full = r->req.full, .objects = (const char *const *)r->req.objects.v,
                        .n_objects = r->req.objects.n, .on_progress = on_sync_progress,
                        .on_done = on_sync_done, .ud = r, .cache_kb = 4096};
    ht_error err;
    sync_job *job = sync_start(r->ps, &opt, &err);
    if (!job) {
        finished(r, err.status, &err);
        return;
    }
    bool cancelled = false;
    while (!sync_finished(job)) {
        hs_client_poll(r->ps->client, NULL, 0, 500);
        if (!cancelled && cancel_asked(r)) {
            sync_cancel(job);
            cancelled = true;
        }
    }
    sync_free(job);
}
#endif

#ifdef HUBTUI_HAVE_WRITEBACK
static void on_push_progress(void *ud, const writeback_progress *p)
{
    runner *r = ud;
    pthread_mutex_lock(&r->mu);
    r->pushed = p->edits_done;
    r->conflicts = p->conflicts;
    r->failed = p->failed;
    r->not_applied = p->not_applied;
    pthread_mutex_unlock(&r->mu);
    publish(r, "push", p->edits_done, p->edits_total);
}

static void on_push_done(void *ud, ht_status st, const ht_error *err)
{
    finished(ud, st, err);
}

static void run_push(runner *r)
{
    writeback_options opt = {.on_progress = on_push_progress, .on_done = on_push_done,
                             .ud = r};
    ht_error err;
    writeback_job *job = writeback_start(r->ps, &opt, &err);
    if (!job) {
        finished(r, err.status, &err);
        return;
    }
    bool cancelled = false;
    while (!writeback_finished(job)) {
        hs_client_poll(r->ps->client, NULL, 0, 500);
        if (!cancelled && cancel_asked(r)) {
            writeback_cancel(job);
            cancelled = true;
        }
    }
    on_push_progress(r, writeback_get_progress(job));
    writeback_free(job);
}
#endif

static void *runner_main(void *arg)
{
    runner *r = arg;
    /* Sync and push (and the page writer they start) yield the CPU to keys. */
    if (!thread_lower_priority())
        log_debug("jobs: could not lower the thread's priority");
#ifdef HUBTUI_HAVE_SYNC
    if (r->kind == RUN_SYNC)
        run_sync(r);
#endif
#ifdef HUBTUI_HAVE_WRITEBACK
    if (r->kind == RUN_PUSH)
        run_push(r);
#endif
    /* The session is the thread's: it closes here, once the UI can no
     * longer reach its client (runner_cancel checks closing). */
    pthread_mutex_lock(&r->mu);
    r->closing = true;
    snapshot_stats(r); /* the budget as the last answers left it */
    pthread_mutex_unlock(&r->mu);
    portal_close(r->ps);
    r->ps = NULL;
    pthread_mutex_lock(&r->mu);
    r->ended = true;
    pthread_mutex_unlock(&r->mu);
    wake_ui(r);
    return NULL;
}

/* ---- The UI side ------------------------------------------------------------------------- */

static void runner_ready(void *ud, app *a, short revents);

/* A second session of the browser's portal for a background thread. */
static portal_session *open_session(browser *b, ht_error *err)
{
    portal_options po = {.config_path = b->config_path, .config_text = b->config_text,
                         .portal = b->ps->name, .cache_dir = b->cache_dir, .token = b->token,
                         .readonly = b->ps->readonly};
    portal_session *ps = NULL;
    if (portal_open(&po, &ps, err) != HT_OK)
        return NULL;
    if (portal_connect(ps, err) != HT_OK) {
        portal_close(ps);
        return NULL;
    }
    return ps;
}

static void runner_free_fields(runner *r)
{
    sync_request_clear(&r->req);
    free(r);
}

/* Takes q's request (q is left empty). */
static runner *runner_start(browser *b, runner_kind kind, sync_request *q, ht_error *err)
{
    portal_session *ps = open_session(b, err);
    if (!ps)
        return NULL;
    runner *r = xcalloc(1, sizeof *r);
    r->kind = kind;
    r->b = b;
    r->ps = ps;
    if (q) {
        r->req = *q;
        *q = (sync_request){0};
    }
    r->total = -1;
    if (pipe(r->pipe) < 0) {
        ht_error_set(err, HT_IO, "pipe: %s", strerror(errno));
        portal_close(ps);
        runner_free_fields(r);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(r->pipe[i], F_SETFL, fcntl(r->pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(r->pipe[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&r->mu, NULL);
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
        ht_error_set(err, HT_IO, "cannot start a background thread");
        pthread_mutex_destroy(&r->mu);
        close(r->pipe[0]);
        close(r->pipe[1]);
        portal_close(ps);
        runner_free_fields(r);
        return NULL;
    }
    app_watch_fd(b->a, r->pipe[0], POLLIN, runner_ready, r);
    return r;
}

static void runner_cancel(runner *r)
{
    pthread_mutex_lock(&r->mu);
    r->cancel = true;
    if (!r->closing)
        hs_client_wakeup(r->ps->client); /* any thread may; the session is still open */
    pthread_mutex_unlock(&r->mu);
}

/* Wait for the thread (cancelled first when still running) and free it. */
static void runner_free(runner *r, app *a)
{
    if (!r)
        return;
    runner_cancel(r);
    pthread_join(r->thread, NULL);
    if (a)
        app_unwatch_fd(a, r->pipe[0]);
    close(r->pipe[0]);
    close(r->pipe[1]);
    pthread_mutex_destroy(&r->mu);
    runner_free_fields(r);
}

static bool runner_running(runner *r)
{
    if (!r)
        return false;
    pthread_mutex_lock(&r->mu);
    bool ended = r->ended;
    pthread_mutex_unlock(&r->mu);
    return !ended;
}

static void report_sync(browser *b, runner *r)
{
    char n[32];
    status_format_count(r->records, n);
    browser_load_portal_data(b); /* owners, zone and currency may be new */
    browser_data_changed(b);
    browser_after_first_sync(b);
    if (r->status == HT_OK)
        app_message(b->a, MSG_INFO, "Sync finished: %s records updated", n);
    else if (r->status == HT_CANCELLED)
        app_message(b->a, MSG_INFO, "Sync cancelled (%s records kept; :sync resumes)", n);
    else {
        app_error(b->a, &r->err);
        if (network_trouble(r->status))
            browser_unreachable(b, &r->err);
    }
}

static void report_push(browser *b, runner *r)
{
    browser_data_changed(b);
    long long done = r->pushed;
    if (r->status == HT_OK && !r->conflicts && !r->failed && !r->not_applied)
        app_message(b->a, MSG_INFO, "Pushed: %lld change%s written to HubSpot", done,
                    done == 1 ? "" : "s");
    else if (r->status == HT_OK)
        app_message(b->a, MSG_WARN,
                    "Pushed %lld; %lld conflict%s, %lld failed, %lld not applied (p shows the queue)",
                    done, (long long)r->conflicts, r->conflicts == 1 ? "" : "s",
                    (long long)r->failed, (long long)r->not_applied);
    else if (r->status == HT_CANCELLED)
        app_message(b->a, MSG_INFO, "Push cancelled; unsent changes stay queued");
    else {
        app_error(b->a, &r->err);
        if (network_trouble(r->status))
            browser_unreachable(b, &r->err);
    }
}

/* Progress arrived, or the thread ended. */
static void runner_ready(void *ud, app *a, short revents)
{
    runner *r = ud;
    browser *b = r->b;
    char buf[64];
    while (read(r->pipe[0], buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&r->mu);
    bool fresh = r->fresh, ended = r->ended;
    r->fresh = false;
    char what[48];
    snprintf(what, sizeof what, "%s", r->what);
    int64_t done = r->done, total = r->total;
    browser_jobs *j = jobs_of(b);
    if (r->stats.rate_heard_ms > j->budget.rate_heard_ms) {
        j->budget = r->stats;
        j->budget_at = r->stats_at;
    }
    pthread_mutex_unlock(&r->mu);
    if (fresh && !ended) {
        status_set_sync(app_status(a), what, done, total);
        j->bump_wanted = true;
    }
    if (!ended)
        return;
    /* Both may run at once: the bar shows whichever still does. */
    runner **slot = r == j->sync ? &j->sync : &j->push;
    *slot = NULL;
    runner *other = j->sync ? j->sync : j->push;
    if (!other)
        status_clear_sync(app_status(a));
    pthread_join(r->thread, NULL);
    app_unwatch_fd(a, r->pipe[0]);
    close(r->pipe[0]);
    close(r->pipe[1]);
    pthread_mutex_destroy(&r->mu);
    if (r->kind == RUN_SYNC)
        report_sync(b, r);
    else
        report_push(b, r);
    runner_free_fields(r);
}

/* ---- Actions --------------------------------------------------------------------------------- */

/* The background jobs need HubSpot: connect the browser too if it is not. */
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

#define SYNC_USAGE ":sync [--full] [TYPE...]"

/* Read :sync's arguments: `hubtui sync`'s options, and object types the
 * cache knows. Anything else is refused here, with a message, rather than
 * after a round trip (a custom type created on HubSpot since the last sync
 * is known after a plain :sync). */
static bool parse_sync_request(browser *b, const char *arg, sync_request *q)
{
    *q = (sync_request){0};
    char *copy = xstrdup(arg ? arg : "");
    bool options = true, ok = true;
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w && ok; w = strtok_r(NULL, " \t", &save)) {
        if (options && strcmp(w, "--") == 0) {
            options = false;
        } else if (options && (strcmp(w, "--full") == 0 || strcmp(w, "-f") == 0)) {
            q->full = true;
        } else if (options && w[0] == '-') {
            app_message(b->a, MSG_ERROR, "sync: unknown option '%s' (" SYNC_USAGE ")", w);
            ok = false;
        } else {
            strvec_push(&q->objects, w);
        }
    }
    free(copy);
    /* A type the cache does not know is refused before anything is sent
     * (every cache knows the standard types from its creation). */
    for (size_t i = 0; ok && i < q->objects.n; i++) {
        ht_error err;
        const objmeta *m = meta_object(b->ps->st, q->objects.v[i], &err);
        if (m) {
            objmeta_release(m);
            continue;
        }
        app_message(b->a, MSG_ERROR, "sync: unknown object type '%s' (:types lists them)",
                    q->objects.v[i]);
        ok = false;
    }
    if (!ok)
        sync_request_clear(q);
    return ok;
}

static void sync_started_message(browser *b, const sync_request *q)
{
    strbuf what = {0};
    for (size_t i = 0; i < q->objects.n; i++)
        strbuf_printf(&what, "%s%s", i ? ", " : ": ", q->objects.v[i]);
    app_message(b->a, MSG_INFO, "%s started%s (C-x cancels; keep browsing)",
                q->full ? "Full sync" : "Sync", strbuf_str(&what));
    strbuf_free(&what);
}

static view_result start_job(browser *b, runner_kind kind, const char *arg)
{
#ifndef HUBTUI_HAVE_SYNC
    if (kind == RUN_SYNC) {
        app_message(b->a, MSG_WARN, "Sync is not available in this build");
        return VR_HANDLED;
    }
#endif
#ifndef HUBTUI_HAVE_WRITEBACK
    if (kind == RUN_PUSH) {
        app_message(b->a, MSG_WARN, "Push is not available in this build; changes stay queued");
        return VR_HANDLED;
    }
#endif
    const char *name = kind == RUN_SYNC ? "sync" : "push";
    browser_jobs *j = jobs_of(b);
    runner **slot = kind == RUN_SYNC ? &j->sync : &j->push;
    if (runner_running(*slot)) {
        app_message(b->a, MSG_INFO, "A %s is already running (C-x cancels it)", name);
        return VR_HANDLED;
    }
    sync_request q = {0};
    if (kind == RUN_SYNC && !parse_sync_request(b, arg, &q))
        return VR_HANDLED;
    if (!need_online(b, name)) {
        sync_request_clear(&q);
        return VR_HANDLED;
    }
    if (kind == RUN_SYNC)
        sync_started_message(b, &q);
    else
        app_message(b->a, MSG_INFO, "Pushing queued changes (C-x cancels)");
    ht_error err;
    *slot = runner_start(b, kind, kind == RUN_SYNC ? &q : NULL, &err);
    sync_request_clear(&q);
    if (!*slot) {
        app_error(b->a, &err);
        return VR_HANDLED;
    }
    status_set_sync(app_status(b->a), name, 0, -1);
    return VR_HANDLED;
}

view_result browser_jobs_sync(browser *b, const char *args)
{
    return start_job(b, RUN_SYNC, args);
}

view_result browser_jobs_push(browser *b)
{
    return start_job(b, RUN_PUSH, NULL);
}

view_result browser_jobs_cancel(browser *b)
{
    browser_jobs *j = jobs_of(b);
    bool any = false;
    if (runner_running(j->sync)) {
        runner_cancel(j->sync);
        any = true;
    }
    if (runner_running(j->push)) {
        runner_cancel(j->push);
        any = true;
    }
    if (any)
        app_message(b->a, MSG_INFO, "Stopping at the next safe point\xE2\x80\xA6");
    else
        app_message(b->a, MSG_INFO, "No sync or push is running");
    return VR_HANDLED;
}

void browser_jobs_tick(browser *b, int64_t now)
{
    if (!b->jobs)
        return;
    browser_jobs *j = b->jobs;
    /* Pages keep landing: let the views reload, but not on every page. */
    if (j->bump_wanted && now >= j->bump_due) {
        j->bump_wanted = false;
        j->bump_due = now + DATA_BUMP_EVERY_MS;
        browser_data_changed(b);
    } else if (j->bump_wanted) {
        app_wake_at(b->a, j->bump_due);
    }
}

bool browser_jobs_budget(browser *b, hs_client_stats *out, int64_t *taken_at)
{
    browser_jobs *j = b->jobs;
    if (!j || !j->budget.rate_heard_ms)
        return false;
    *out = j->budget;
    *taken_at = j->budget_at;
    return true;
}

void browser_jobs_stop(browser *b)
{
    browser_jobs *j = b->jobs;
    if (!j)
        return;
    runner_free(j->sync, b->a);
    runner_free(j->push, b->a);
    j->sync = j->push = NULL;
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
