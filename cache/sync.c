/* sync.c — the sync job: a queue of tasks driven by the client's loop,
 * requests tracked so cancel reaches every one, progress, and sync_run.
 *
 * The tasks themselves live in sync_meta.c (metadata), sync_records.c
 * (records) and sync_assoc.c (associations). */
#include "sync.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "sync_int.h"
#include "util.h"

#define REPORT_EVERY_MS 100
#define RATE_WINDOW_MS  3000

/* ---- id lists ----------------------------------------------------------- */

void idlist_add(idlist *l, int64_t id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = id;
    l->sorted = false;
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void idlist_sort(idlist *l)
{
    if (l->sorted || l->n == 0)
        return;
    qsort(l->v, l->n, sizeof *l->v, id_cmp);
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++)
        if (w == 0 || l->v[w - 1] != l->v[i])
            l->v[w++] = l->v[i];
    l->n = w;
    l->sorted = true;
}

void idlist_free(idlist *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- property lists for URLs ------------------------------------------------ */

size_t sync_split_props(char *const *names, size_t n, int budget, size_t **start)
{
    size_t *s = xcalloc(n + 2, sizeof *s);
    size_t groups = 0, len = 0;
    for (size_t i = 0; i < n; i++) {
        strbuf e = {0};
        http_escape(&e, names[i]);
        size_t need = e.len + 1;   /* the comma */
        strbuf_free(&e);
        if (i == 0 || (len + need > (size_t)budget && len > 0)) {
            s[groups++] = i;
            len = 0;
        }
        len += need;
    }
    s[groups] = n;
    *start = s;
    return groups;
}

/* ---- requests ------------------------------------------------------------------ */

static job_call *call_make(sync_job *j, size_t obj)
{
    job_call *k = xcalloc(1, sizeof *k);
    k->j = j;
    k->obj = obj;
    k->next = j->calls;
    if (j->calls)
        j->calls->prev = k;
    j->calls = k;
    j->outstanding++;
    return k;
}

job_call *job_call_new(sync_job *j, call_fn fn, size_t obj)
{
    job_call *k = call_make(j, obj);
    k->fn = fn;
    return k;
}

job_call *job_batch_new(sync_job *j, batch_fn fn, size_t obj)
{
    job_call *k = call_make(j, obj);
    k->bfn = fn;
    return k;
}

void job_call_set_id(job_call *k, hs_call_id id)
{
    k->id = id;
}

static void job_advance(sync_job *j);

static void call_unlink(job_call *k)
{
    sync_job *j = k->j;
    if (k->prev)
        k->prev->next = k->next;
    else
        j->calls = k->next;
    if (k->next)
        k->next->prev = k->prev;
    j->outstanding--;
}

static void call_release(job_call *k)
{
    if (k->free_data)
        k->free_data(k->data);
    free(k);
}

/* A call has its answer (status): it leaves the list of calls in flight,
 * and a cancelled one fails the job. True when its callback should run. */
static bool call_answered(job_call *k, ht_status status)
{
    call_unlink(k);
    if (status == HT_CANCELLED) {
        job_fail(k->j, HT_CANCELLED, NULL);
        return false;
    }
    return !k->j->stopping;
}

/* After the callback: free the call and let the job start more work. */
static void call_finished(job_call *k)
{
    sync_job *j = k->j;
    call_release(k);
    job_advance(j);
}

void call_done(void *ud, const hs_result *r)
{
    job_call *k = ud;
    if (call_answered(k, r->status))
        k->fn(k->j, k, r);
    call_finished(k);
}

void call_batch_done(void *ud, const hs_batch_result *r)
{
    job_call *k = ud;
    if (call_answered(k, r->status))
        k->bfn(k->j, k, r);
    call_finished(k);
}

/* Cancel everything in flight; each callback runs now (HT_CANCELLED). */
static void cancel_calls(sync_job *j)
{
    while (j->calls && j->c) {
        job_call *k = j->calls;
        if (!hs_cancel(j->c, k->id)) {
            /* The client no longer knows it, so it will never answer. */
            call_unlink(k);
            call_release(k);
        }
    }
}

/* ---- tasks ------------------------------------------------------------------------ */

void job_push_arg(sync_job *j, task_fn fn, size_t obj, int phase, void *arg,
                  void (*free_arg)(void *))
{
    if (j->ntasks == j->cap_tasks) {
        j->cap_tasks = j->cap_tasks ? j->cap_tasks * 2 : 32;
        j->tasks = xrealloc(j->tasks, j->cap_tasks * sizeof *j->tasks);
    }
    size_t at = j->insert_at < j->next_task ? j->next_task : j->insert_at;
    memmove(&j->tasks[at + 1], &j->tasks[at], (j->ntasks - at) * sizeof *j->tasks);
    j->tasks[at] = (job_task){fn, obj, phase, arg, free_arg};
    j->ntasks++;
    j->insert_at = at + 1;
}

void job_push(sync_job *j, task_fn fn, size_t obj, int phase)
{
    job_push_arg(j, fn, obj, phase, NULL, NULL);
}

/* Tasks that will never run give their arguments back. */
static void drop_tasks(sync_job *j)
{
    for (size_t i = j->next_task; i < j->ntasks; i++)
        if (j->tasks[i].free_arg)
            j->tasks[i].free_arg(j->tasks[i].arg);
    j->ntasks = j->next_task;
}

ht_status job_fail(sync_job *j, ht_status st, const ht_error *err)
{
    if (st == HT_OK)
        return HT_OK;
    if (j->status == HT_OK) {
        j->status = st;
        if (err && err->status != HT_OK)
            ht_error_copy(&j->err, err);
        else
            ht_error_set(&j->err, st, "sync %s", ht_status_str(st));
        j->err.status = st;
    }
    if (!j->stopping) {
        j->stopping = true;
        cancel_calls(j);
    }
    if (j->parked) {
        void *ud = j->parked;
        void (*drop)(void *) = j->parked_drop;
        job_unpark(j);
        drop(ud);
    }
    return st;
}

void job_park(sync_job *j, void *ud, void (*drop)(void *ud))
{
    j->parked = ud;
    j->parked_drop = drop;
    j->outstanding++;
}

bool job_unpark(sync_job *j)
{
    if (!j->parked)
        return false;
    j->parked = NULL;
    j->parked_drop = NULL;
    j->outstanding--;
    return true;
}

/* The job itself is hs_defer's argument: it lives until its operation is
 * unregistered, which drops the deferred call with it. */
static void run_job_deferred(void *ud)
{
    sync_job *j = ud;
    void (*fn)(sync_job *, void *) = j->defer_fn;
    void *arg = j->defer_ud;
    j->defer_fn = NULL;
    j->defer_ud = NULL;
    if (!fn || j->finished)
        return;
    fn(j, arg);
    job_advance(j);
}

void job_defer(sync_job *j, void (*fn)(sync_job *j, void *ud), void *ud)
{
    if (!j->c || !j->op) {
        fn(j, ud);   /* no loop to come back from */
        return;
    }
    bool queued = j->defer_fn != NULL;
    j->defer_fn = fn;
    j->defer_ud = ud;
    if (!queued)
        hs_defer(j->c, j->op, run_job_deferred, j);
}

void job_undefer(sync_job *j, void *ud)
{
    if (j->defer_ud == ud) {
        j->defer_fn = NULL;
        j->defer_ud = NULL;
    }
}

ht_status job_failf(sync_job *j, ht_status st, const char *fmt, ...)
{
    ht_error e;
    ht_error_clear(&e);
    char msg[sizeof e.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ht_error_set(&e, st, "%s", msg);
    return job_fail(j, st, &e);
}

static void job_finish(sync_job *j)
{
    if (j->finished)
        return;
    j->finished = true;
    drop_tasks(j);
    j->prog.phase = SYNC_FINISHED;
    j->prog.object = NULL;
    j->prog.eta_ms = j->status == HT_OK ? 0 : -1;
    if (j->c) {
        hs_client_stats cs;
        hs_client_stats_get(j->c, &cs);
        j->prog.requests = (int64_t)(cs.requests - j->requests_at_start);
    }
    if (j->c && j->st && j->status != HT_CANCELLED)
        sync_store_rate_budget(j->st, j->c);
    if (j->c && j->op)
        hs_op_unregister(j->c, j->op);
    /* From here on the job never touches the client (it may be freed). */
    j->op = 0;
    j->c = NULL;
    if (j->on_progress)
        j->on_progress(j->ud, &j->prog);
    if (j->on_done)
        j->on_done(j->ud, j->status, j->status == HT_OK ? NULL : &j->err);
}

/* Run tasks until one waits for answers, or the job ends. */
static void job_advance(sync_job *j)
{
    if (j->advancing || j->finished)
        return;
    j->advancing = true;
    while (!j->finished && j->outstanding == 0) {
        if (j->stopping || j->next_task >= j->ntasks) {
            job_finish(j);
            break;
        }
        job_task t = j->tasks[j->next_task++];
        j->insert_at = j->next_task;
        /* A task of no phase of its own (planning what an object needs)
         * shows nothing new: the tasks it plans name their object and
         * phase, so progress never pairs an object with the last phase. */
        const char *object = t.phase < 0 ? j->prog.object
                           : t.obj < j->nobjs ? j->objs[t.obj].name : NULL;
        sync_phase phase = t.phase < 0 ? j->prog.phase : (sync_phase)t.phase;
        bool moved = j->prog.phase != phase || j->prog.object != object;
        j->prog.phase = phase;
        j->prog.object = object;
        if (moved)
            job_report(j, true);   /* a new phase or object shows at once */
        j->task_arg = t.arg;
        t.fn(j, t.obj);
        j->task_arg = NULL;
        job_report(j, false);
    }
    j->advancing = false;
}

void job_continue(sync_job *j)
{
    job_advance(j);
}

/* ---- progress ------------------------------------------------------------------- */

void job_count_records(sync_job *j, size_t obj, int64_t n)
{
    j->prog.records_done += n;
    if (obj < j->nobjs)
        j->objs[obj].done += n;
}

static void update_rate(sync_job *j, int64_t now)
{
    if (j->rate_mark_mono == 0) {
        j->rate_mark_mono = now;
        j->rate_mark_done = j->prog.records_done;
        return;
    }
    int64_t dt = now - j->rate_mark_mono;
    if (dt < 250)
        return;
    double inst = (double)(j->prog.records_done - j->rate_mark_done) * 1000.0 / (double)dt;
    /* Smooth over a few seconds: pages arrive in bursts. */
    double w = dt >= RATE_WINDOW_MS ? 1.0 : (double)dt / RATE_WINDOW_MS;
    j->rate = j->rate <= 0 ? inst : j->rate * (1 - w) + inst * w;
    j->rate_mark_mono = now;
    j->rate_mark_done = j->prog.records_done;
}

void job_report(sync_job *j, bool force)
{
    int64_t now = time_mono_ms();
    if (j->c) {
        /* HTTP attempts since the job began (walks and batches are many). */
        hs_client_stats cs;
        hs_client_stats_get(j->c, &cs);
        j->prog.requests = (int64_t)(cs.requests - j->requests_at_start);
    }
    update_rate(j, now);
    int64_t total = 0;
    bool known = true;
    int done_objs = 0;
    for (size_t i = 0; i < j->nobjs; i++) {
        const sync_obj *o = &j->objs[i];
        if (o->skip)
            continue;
        if (o->total < 0)
            known = false;
        else
            total += o->total > o->done ? o->total : o->done;
    }
    for (size_t i = 0; i < j->nobjs; i++)
        done_objs += !j->objs[i].skip;
    j->prog.objects_total = done_objs;
    j->prog.records_total = known && j->nobjs ? total : -1;
    j->prog.records_per_s = j->rate;
    if (j->prog.records_total >= 0 && j->rate > 0.5) {
        int64_t left = j->prog.records_total - j->prog.records_done;
        j->prog.eta_ms = left <= 0 ? 0 : (int64_t)((double)left * 1000.0 / j->rate);
    } else {
        j->prog.eta_ms = -1;
    }
    if (!j->on_progress || j->finished)
        return;
    if (!force && now - j->last_report_mono < REPORT_EVERY_MS)
        return;
    j->last_report_mono = now;
    j->on_progress(j->ud, &j->prog);
}

/* ---- the job ------------------------------------------------------------------------ */

/* hs_cancel on the job's id, hs_cancel_priority(BACKGROUND) or the client
 * being freed: end now (every call is cancelled synchronously). */
static void job_op_cancel(void *op)
{
    sync_job *j = op;
    job_fail(j, HT_CANCELLED, NULL);
    job_advance(j);
}

static void job_begin(void *ud)
{
    sync_job *j = ud;
    j->begun = true;
    job_advance(j);
}

static void objs_free(sync_job *j)
{
    for (size_t i = 0; i < j->nobjs; i++) {
        sync_obj *o = &j->objs[i];
        free(o->name);
        free(o->type_id);
        free(o->lastmod);
        free(o->skip_reason);
        for (size_t k = 0; k < o->nprops; k++)
            free(o->props[k]);
        free(o->props);
        for (size_t k = 0; k < o->nto; k++)
            free(o->to[k]);
        free(o->to);
        idlist_free(&o->changed);
        idlist_free(&o->touched);
        for (size_t k = 0; o->linked && k < o->nto; k++)
            idlist_free(&o->linked[k]);
        free(o->linked);
    }
    free(j->objs);
    j->objs = NULL;
    j->nobjs = 0;
}

sync_job *sync_start(portal_session *ps, const sync_options *opt, ht_error *err)
{
    static const sync_options none = {0};
    if (!opt)
        opt = &none;
    if (!ps || !ps->client) {
        ht_error_set(err, HT_UNSUPPORTED, "not connected to HubSpot (offline)");
        return NULL;
    }
    if (ps->st && store_path(ps->st) == NULL) {
        ht_error_set(err, HT_DB, "no cache open");
        return NULL;
    }
    if (opt->cache_kb > 0 && store_set_cache_kb(ps->st, opt->cache_kb, err) != HT_OK)
        return NULL;
    sync_job *j = xcalloc(1, sizeof *j);
    j->ps = ps;
    j->c = ps->client;
    j->st = ps->st;
    j->full = opt->full;
    j->on_progress = opt->on_progress;
    j->on_done = opt->on_done;
    j->ud = opt->ud;
    j->overlap_ms = opt->overlap_ms > 0 ? opt->overlap_ms : SYNC_DEFAULT_OVERLAP_MS;
    j->url_budget = opt->url_budget > 0 ? opt->url_budget : SYNC_DEFAULT_URL_BUDGET;
    j->assoc_sweep = opt->assoc_sweep != 0 ? opt->assoc_sweep : SYNC_DEFAULT_ASSOC_SWEEP;
    j->cache_kb = opt->cache_kb > 0 ? opt->cache_kb : 0;
    if (j->assoc_sweep < 0)
        j->assoc_sweep = 0;
    if (opt->n_objects) {
        j->names = xcalloc(opt->n_objects, sizeof *j->names);
        for (size_t i = 0; i < opt->n_objects; i++)
            j->names[j->nnames++] = xstrdup(opt->objects[i]);
    }
    j->prog.phase = SYNC_METADATA;
    j->prog.records_total = -1;
    j->prog.eta_ms = -1;
    j->started_mono = time_mono_ms();
    hs_client_stats cs;
    hs_client_stats_get(j->c, &cs);
    j->requests_at_start = cs.requests;
    j->op = hs_op_register(j->c, HS_PRIO_BACKGROUND, job_op_cancel, j);
    job_push(j, sync_meta_begin, (size_t)-1, SYNC_METADATA);
    /* Start from the loop: on_done never runs inside sync_start. */
    hs_defer(j->c, j->op, job_begin, j);
    return j;
}

void sync_cancel(sync_job *j)
{
    if (!j || j->finished)
        return;
    job_fail(j, HT_CANCELLED, NULL);
    if (!j->begun || j->outstanding == 0)
        job_advance(j);
}

bool sync_finished(const sync_job *j)
{
    return !j || j->finished;
}

const sync_progress *sync_get_progress(const sync_job *j)
{
    return &j->prog;
}

const char *sync_skipped(const sync_job *j, size_t i, const char **object)
{
    for (size_t k = 0; j && k < j->nobjs; k++) {
        if (!j->objs[k].skip)
            continue;
        if (i-- == 0) {
            if (object)
                *object = j->objs[k].name;
            return j->objs[k].skip_reason ? j->objs[k].skip_reason : "skipped";
        }
    }
    return NULL;
}

void sync_free(sync_job *j)
{
    if (!j)
        return;
    sync_cancel(j);
    objs_free(j);
    for (size_t i = 0; i < j->nnames; i++)
        free(j->names[i]);
    free(j->names);
    free(j->tasks);
    free(j);
}

/* ---- running to completion ---------------------------------------------------------- */

typedef struct run_state {
    ht_status         status;
    ht_error          err;
    bool              done;
    sync_progress_fn  user_progress;
    sync_done_fn      user_done;
    void             *user_ud;
} run_state;

static void run_progress(void *ud, const sync_progress *p)
{
    run_state *rs = ud;
    if (rs->user_progress)
        rs->user_progress(rs->user_ud, p);
}

static void run_done(void *ud, ht_status st, const ht_error *err)
{
    run_state *rs = ud;
    rs->status = st;
    rs->done = true;
    if (err)
        ht_error_copy(&rs->err, err);
    if (rs->user_done)
        rs->user_done(rs->user_ud, st, err);
}

ht_status sync_run(portal_session *ps, const sync_options *opt, ht_error *err)
{
    static const sync_options none = {0};
    if (!opt)
        opt = &none;
    run_state rs = {.status = HT_OK, .user_progress = opt->on_progress,
                    .user_done = opt->on_done, .user_ud = opt->ud};
    ht_error_clear(&rs.err);
    sync_options o = *opt;
    o.on_progress = run_progress;
    o.on_done = run_done;
    o.ud = &rs;
    sync_job *j = sync_start(ps, &o, err);
    if (!j)
        return err ? err->status : HT_UNSUPPORTED;
    while (!rs.done) {
        if (opt->cancel_flag && *opt->cancel_flag)
            sync_cancel(j);
        hs_client_poll(ps->client, NULL, 0, 200);
    }
    sync_free(j);
    if (rs.status != HT_OK)
        ht_error_copy(err, &rs.err);
    return rs.status;
}
