/* writeback.c — the push job: one per portal at a time (a lock file next
 * to the cache), taking back what a dead push left `sending`, claiming
 * batches of up to 100 records and keeping several in flight so the rate
 * limit, not the round trips, sets the pace; creates first (associations
 * may need their ids), then updates, then association changes, until
 * nothing claimable is left. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "writeback_int.h"

#define DEFAULT_PIPELINE 6
#define MAX_PIPELINE     32

/* ---- requests in flight ----------------------------------------------------------- */

void wb_track(writeback_job *j, hs_call_id id)
{
    if (j->ncalls == j->capcalls) {
        j->capcalls = j->capcalls ? j->capcalls * 2 : 16;
        j->calls = xrealloc(j->calls, j->capcalls * sizeof *j->calls);
    }
    j->calls[j->ncalls++] = id;
}

void wb_untrack(writeback_job *j, hs_call_id id)
{
    for (size_t i = 0; i < j->ncalls; i++) {
        if (j->calls[i] == id) {
            j->calls[i] = j->calls[--j->ncalls];
            return;
        }
    }
}

bool wb_quiet(const writeback_job *j)
{
    return j->tearing_down;
}

/* Cancel every request in flight: their callbacks run now, put their
 * edits back in the queue and finish their batches. */
static void cancel_calls(writeback_job *j)
{
    while (j->ncalls > 0) {
        size_t n = j->ncalls;
        hs_call_id *ids = xmalloc(n * sizeof *ids);
        memcpy(ids, j->calls, n * sizeof *ids);
        for (size_t i = 0; i < n; i++)
            if (!hs_cancel(j->c, ids[i]))
                wb_untrack(j, ids[i]);   /* already answered: forget it */
        free(ids);
    }
}

/* ---- stopping, ending ---------------------------------------------------------------- */

void wb_job_stop(writeback_job *j, ht_status st, const ht_error *err)
{
    if (j->stopping)
        return;
    j->stopping = true;
    j->stop_status = st == HT_OK ? HT_NETWORK : st;
    if (err)
        ht_error_copy(&j->stop_err, err);
    else
        ht_error_set(&j->stop_err, j->stop_status, "%s", ht_status_str(j->stop_status));
    j->stop_err.status = j->stop_status;
    log_warn("writeback: stopping: %s", j->stop_err.message);
}

void wb_job_db_error(writeback_job *j, const ht_error *err)
{
    wb_job_stop(j, err && err->status != HT_OK ? err->status : HT_DB, err);
}

void wb_progress(writeback_job *j)
{
    if (j->opt.on_progress)
        j->opt.on_progress(j->opt.ud, &j->prog);
}

static void release_lock(writeback_job *j)
{
    if (j->lock_fd >= 0) {
        close(j->lock_fd);   /* closing drops the flock */
        j->lock_fd = -1;
    }
}

/* How the job ended, in words: a stop says what is still queued. */
static ht_status final_status(writeback_job *j, ht_error *out)
{
    ht_error_clear(out);
    if (j->stopping) {
        ht_error_copy(out, &j->stop_err);
        outbox_counts oc;
        if (outbox_counts_get(j->st, &oc, NULL) == HT_OK && oc.pending + oc.sending > 0) {
            size_t len = strlen(out->message);
            snprintf(out->message + len, sizeof out->message - len,
                     " — push stopped; %lld %s queued",
                     (long long)(oc.pending + oc.sending),
                     oc.pending + oc.sending == 1 ? "edit stays" : "edits stay");
        }
        out->status = j->stop_status;
        return j->stop_status;
    }
    if (j->cancelled || j->tearing_down)
        return ht_error_set(out, HT_CANCELLED, "push cancelled; unsent edits stay queued");
    return HT_OK;
}

/* The last thing ever done with the job here: on_done may free it. */
static void report_done(writeback_job *j)
{
    j->done_owed = false;
    if (j->opt.on_done)
        j->opt.on_done(j->opt.ud, j->result, j->result == HT_OK ? NULL : &j->result_err);
}

static void finish(writeback_job *j)
{
    if (j->finished)
        return;
    j->finished = true;
    if (j->op_id)
        hs_op_unregister(j->c, j->op_id);
    j->op_id = 0;
    release_lock(j);
    ht_error e;
    ht_status st = final_status(j, &e);
    j->result = st;
    ht_error_copy(&j->result_err, &e);
    log_info("writeback: finished (%s): %lld sent, %lld done, %lld conflicts, %lld failed,"
             " %lld not applied, %lld created, %lld requests", ht_status_str(st),
             (long long)j->prog.edits_sent, (long long)j->prog.edits_done,
             (long long)j->prog.conflicts, (long long)j->prog.failed,
             (long long)j->prog.not_applied, (long long)j->prog.creates_done,
             (long long)j->prog.requests);
    wb_progress(j);
    /* Freeing the job from writeback_free wants no callback; a cancel from
     * the client reports once it has stopped touching the job. */
    if (j->in_free)
        return;
    if (j->hold_done)
        j->done_owed = true;
    else
        report_done(j);
}

/* ---- claiming -------------------------------------------------------------------------- */

static const outbox_kind claim_order[] = {OBK_CREATE, OBK_UPDATE, OBK_ASSOC_ADD};

static ht_status claim_next(writeback_job *j, wb_batch **out, ht_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(claim_order); i++) {
        /* Nothing this job does makes new creates claimable: once none is
         * left, stop looking (a look walks the queue). */
        if (claim_order[i] == OBK_CREATE && j->creates_exhausted)
            continue;
        outbox_batch *ob = NULL;
        ht_status s = outbox_claim(j->st, NULL, claim_order[i], (size_t)j->batch_records, &ob,
                                   err);
        if (s != HT_OK)
            return s;
        if (!ob && claim_order[i] == OBK_CREATE)
            j->creates_exhausted = true;
        if (!ob)
            continue;
        const objmeta *m = meta_object(j->st, ob->object, err);
        if (!m) {
            outbox_batch_free(ob);
            return err ? err->status : HT_NOT_FOUND;
        }
        wb_batch *b = xcalloc(1, sizeof *b);
        b->job = j;
        b->ob = ob;
        b->m = m;
        *out = b;
        return HT_OK;
    }
    return HT_OK;
}

static void start_batch(wb_batch *b)
{
    switch (b->ob->kind) {
    case OBK_CREATE: wb_create_start(b); break;
    case OBK_UPDATE: wb_update_start(b); break;
    default: wb_assoc_start(b); break;
    }
}

static void pump(writeback_job *j)
{
    if (j->pumping || j->finished)
        return;
    j->pumping = true;
    while (!j->stopping && !j->cancelled && !j->tearing_down && j->active < j->pipeline) {
        wb_batch *b;
        ht_error err;
        ht_status s = claim_next(j, &b, &err);
        if (s != HT_OK) {
            wb_job_db_error(j, &err);
            break;
        }
        if (!b)
            break;
        j->active++;
        j->prog.batches++;
        start_batch(b);
    }
    j->pumping = false;
    if (j->active == 0)
        finish(j);
}

void wb_batch_done(wb_batch *b)
{
    writeback_job *j = b->job;
    outbox_batch_free(b->ob);
    objmeta_release(b->m);
    free(b);
    j->active--;
    wb_progress(j);
    pump(j);
}

static void kick(void *ud)
{
    pump(ud);
}

static void finish_deferred(void *ud)
{
    finish(ud);
}

/* The client cancels the job (hs_cancel, hs_cancel_priority, client free). */
static void op_cancel(void *ud)
{
    writeback_job *j = ud;
    j->tearing_down = true;
    j->hold_done = true;
    cancel_calls(j);
    finish(j);
    j->hold_done = false;
    if (j->done_owed)
        report_done(j);
}

/* ---- starting -------------------------------------------------------------------------- */

static ht_status take_lock(writeback_job *j, ht_error *err)
{
    char *path = xasprintf("%s.push-lock", store_path(j->st));
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ht_status s = HT_OK;
    if (fd < 0) {
        s = ht_error_set(err, HT_IO, "cannot open %s: %s", path, strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        s = errno == EWOULDBLOCK
            ? ht_error_set(err, HT_CONFLICT, "another push of portal %s is running; wait for it"
                           " to finish", j->ps->name)
            : ht_error_set(err, HT_IO, "cannot lock %s: %s", path, strerror(errno));
        close(fd);
        fd = -1;
    }
    free(path);
    j->lock_fd = fd;
    return s;
}

static ht_status count_queue(writeback_job *j, ht_error *err)
{
    outbox_counts oc;
    ht_status s = outbox_counts_get(j->st, &oc, err);
    if (s == HT_OK)
        j->prog.edits_total = oc.pending + (j->opt.dry_run ? oc.sending : 0);
    return s;
}

static ht_status prepare(writeback_job *j, ht_error *err)
{
    if (j->opt.dry_run)
        return count_queue(j, err);
    ht_status s = take_lock(j, err);
    size_t recovered = 0;
    /* Holding the lock, every row still `sending` belongs to a push that
     * died: check it against HubSpot before anything is resent. */
    if (s == HT_OK)
        s = outbox_recover(j->st, INT64_MAX, &recovered, err);
    if (s == HT_OK && recovered)
        log_info("writeback: %zu edits of an interrupted push will be checked first",
                 recovered);
    return s == HT_OK ? count_queue(j, err) : s;
}

writeback_job *writeback_start(portal_session *ps, const writeback_options *opt,
                               ht_error *err)
{
    writeback_options none = {0};
    if (!opt)
        opt = &none;
    if (ps->readonly && !opt->dry_run) {
        ht_error_set(err, HT_READONLY, "portal %s is read-only: push refused (edits stay"
                     " queued)", ps->name);
        return NULL;
    }
    if (!opt->dry_run && !ps->client) {
        ht_error_set(err, HT_UNSUPPORTED, "not connected to HubSpot (offline): edits stay"
                     " queued until a push online");
        return NULL;
    }
    writeback_job *j = xcalloc(1, sizeof *j);
    j->ps = ps;
    j->st = ps->st;
    j->c = ps->client;
    j->opt = *opt;
    j->lock_fd = -1;
    j->pipeline = opt->pipeline > 0 ? opt->pipeline : DEFAULT_PIPELINE;
    if (j->pipeline > MAX_PIPELINE)
        j->pipeline = MAX_PIPELINE;
    j->batch_records = opt->batch_records > 0 && opt->batch_records < 100 ? opt->batch_records
                                                                           : 100;
    if (prepare(j, err) != HT_OK) {
        release_lock(j);
        free(j);
        return NULL;
    }
    if (opt->dry_run && !j->c) {
        finish(j);   /* nothing to wait for, and no loop to wait in */
        return j;
    }
    /* As a client operation, cancelling background work reaches the job. */
    j->op_id = hs_op_register(j->c, HS_PRIO_BACKGROUND, op_cancel, j);
    hs_defer(j->c, j->op_id, opt->dry_run ? finish_deferred : kick, j);
    return j;
}

void writeback_cancel(writeback_job *job)
{
    if (!job || job->finished)
        return;
    /* The pump claims nothing more; the job ends when the batches in
     * flight have finished (or at its first step, before any claim). */
    job->cancelled = true;
}

bool writeback_finished(const writeback_job *job)
{
    return !job || job->finished;
}

const writeback_progress *writeback_get_progress(const writeback_job *job)
{
    return &job->prog;
}

static void free_keys(writeback_job *j)
{
    for (size_t i = 0; i < j->nkeys; i++) {
        free(j->keys[i]->type_id);
        free(j->keys[i]->waiting);
        free(j->keys[i]);
    }
    free(j->keys);
}

void writeback_free(writeback_job *job)
{
    if (!job)
        return;
    if (!job->finished) {
        job->in_free = true;
        job->tearing_down = true;
        cancel_calls(job);
        finish(job);
    }
    release_lock(job);
    free_keys(job);
    free(job->calls);
    free(job);
}

/* ---- running to the end ------------------------------------------------------------------ */

typedef struct run_ctx {
    const writeback_options *user;
} run_ctx;

static void run_progress(void *ud, const writeback_progress *p)
{
    run_ctx *rc = ud;
    if (rc->user->on_progress)
        rc->user->on_progress(rc->user->ud, p);
}

static void run_created(void *ud, const char *object, const char *local_id,
                        const char *hubspot_id)
{
    run_ctx *rc = ud;
    if (rc->user->on_created)
        rc->user->on_created(rc->user->ud, object, local_id, hubspot_id);
}

ht_status writeback_run(portal_session *ps, const writeback_options *opt,
                        writeback_progress *out, ht_error *err)
{
    writeback_options none = {0};
    if (!opt)
        opt = &none;
    run_ctx rc = {opt};
    writeback_options o = *opt;
    o.on_progress = run_progress;
    o.on_created = run_created;
    o.on_done = NULL;
    o.ud = &rc;
    if (out)
        memset(out, 0, sizeof *out);
    writeback_job *j = writeback_start(ps, &o, err);
    if (!j)
        return err ? err->status : HT_INVALID;
    while (!j->finished && j->c) {
        hs_client_run(j->c, 0);
        if (!j->finished && !hs_client_busy(j->c)) {
            /* Nothing left to move the job on: end it rather than hang. */
            wb_job_stop(j, HT_INVALID, NULL);
            ht_error_set(&j->stop_err, HT_INVALID, "internal error: the push stalled");
            j->tearing_down = true;
            cancel_calls(j);
            finish(j);
        }
    }
    ht_status st = j->result;
    ht_error_copy(err, &j->result_err);
    if (out)
        *out = j->prog;
    if (opt->on_done)
        opt->on_done(opt->ud, st, st == HT_OK ? NULL : &j->result_err);
    writeback_free(j);
    return st;
}
