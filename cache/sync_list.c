/* sync_list.c — backfill and the full pass: every record of one object
 * type by list pages, with every property.
 *
 * Each page lands in one transaction together with the cursor of the next
 * page (the backfill checkpoint, or the full pass's cursor), so a killed
 * sync resumes at the page it was fetching. The full pass stamps what it
 * sees with a generation and sweeps the rest at the end (deleted or merged
 * away on HubSpot). A backfill into an empty table runs in bulk mode: the
 * search index is built in one go at the end.
 *
 * Speed: pages arrive raw and sync_page.c reads them straight into a
 * record batch (no JSON tree). The next page is requested before the
 * current one is written, and the write waits for the loop's next turn —
 * after the request went out — so HubSpot (or fakehub) prepares page N+1
 * while page N is being stored. A page that comes back while the previous
 * one still waits is preceded by that write, so pages land in order.
 *
 * A property list too long for one URL (SYNC_DEFAULT_URL_BUDGET) is split:
 * the list page carries the first part and a batch read per further part
 * fetches the rest for the same ids before the page is written (no overlap
 * on that rare path). */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "meta.h"
#include "sync_int.h"
#include "sync_page.h"
#include "util.h"

#define PAGE_SIZE 100

typedef struct list_walk {
    sync_job      *j;
    size_t         obj;
    bool           full;        /* stamp with gen; cursor in the kv store */
    bool           bulk;        /* the search index is rebuilt at the end */
    int64_t        gen;
    char          *after;       /* cursor of the page being fetched (NULL: first) */
    record_writer *w;
    size_t        *group;       /* property groups: [group[g], group[g+1]) */
    size_t         ngroups;
    char          *path;        /* the list URL without the cursor */
    page_reader   *reader;      /* group 0 */
    record_page    pages[2];    /* the next answer goes into pages[cur] */
    int            cur;
    bool           parked;      /* pages[!cur] waits to be written */
    int64_t        max_lastmod;
    int64_t        already;     /* records a resumed backfill stored before */
    int64_t        started_ms;  /* the pass's start (full) */
    /* the split path */
    json_t       **extra;       /* per group >= 1: batch read results */
    int            pending;
} list_walk;

static void list_walk_free(void *p)
{
    list_walk *lw = p;
    if (!lw)
        return;
    records_writer_close(lw->w);
    page_reader_free(lw->reader);
    record_page_clear(&lw->pages[0]);
    record_page_clear(&lw->pages[1]);
    for (size_t g = 1; lw->extra && g < lw->ngroups; g++)
        json_decref(lw->extra[g]);
    free(lw->extra);
    free(lw->after);
    free(lw->group);
    free(lw->path);
    free(lw);
}

static void request_page(sync_job *j, list_walk *lw);

/* ---- writing a page -------------------------------------------------------------- */

static ht_status save_cursor(sync_job *j, list_walk *lw, const char *next, size_t n,
                             ht_error *err)
{
    const char *name = j->objs[lw->obj].name;
    if (lw->full)
        return checkpoint_kv_set(j->st, name, "full_after", next ? next : "", err);
    sync_checkpoint cp;
    ht_status s = checkpoint_get(j->st, name, &cp, err);
    if (s != HT_OK)
        return s;
    free(cp.backfill_after);
    cp.backfill_after = next ? xstrdup(next) : NULL;
    cp.backfill_records += (int64_t)n;
    if (lw->max_lastmod > cp.hwm_ms)
        cp.hwm_ms = lw->max_lastmod;
    s = checkpoint_put(j->st, name, &cp, err);
    sync_checkpoint_clear(&cp);
    return s;
}

static ht_status put_page(sync_job *j, list_walk *lw, record_page *pg, ht_error *err)
{
    const char *name = j->objs[lw->obj].name;
    upsert_stats stats = {0};
    ht_status s = records_writer_put(lw->w, &pg->batch, lw->gen, &stats, err);
    for (size_t i = 0; s == HT_OK && i < pg->batch.nrecords; i++)
        if (!str_empty(pg->merged[i]))
            s = sync_forget_merged(j->st, name, pg->batch.ids[i], pg->merged[i], err);
    if (pg->max_lastmod > lw->max_lastmod)
        lw->max_lastmod = pg->max_lastmod;
    return s;
}

/* Group 0 from the page, further groups from their batch reads, the cursor:
 * one transaction. */
static bool write_page(sync_job *j, list_walk *lw, record_page *pg)
{
    sync_obj *o = &j->objs[lw->obj];
    ht_error e;
    ht_status s = store_begin(j->st, &e);
    if (s == HT_OK)
        s = put_page(j, lw, pg, &e);
    for (size_t g = 1; s == HT_OK && lw->extra && g < lw->ngroups; g++)
        s = sync_write_records(j->st, lw->w, o->name, lw->extra[g],
                               (const char *const *)o->props + lw->group[g],
                               lw->group[g + 1] - lw->group[g], lw->gen, NULL,
                               &lw->max_lastmod, o->lastmod, NULL, &e);
    if (s == HT_OK)
        s = save_cursor(j, lw, pg->next_after, pg->batch.nrecords, &e);
    if (s == HT_OK)
        s = store_commit(j->st, &e);
    if (s != HT_OK) {
        store_rollback(j->st);
        job_fail(j, s, &e);
        return false;
    }
    job_count_records(j, lw->obj, (int64_t)pg->batch.nrecords);
    return true;
}

/* ---- the parked write ---------------------------------------------------------------- */

static void drop_parked(void *ud)
{
    list_walk *lw = ud;
    lw->parked = false;
}

static void flush_parked(sync_job *j, list_walk *lw)
{
    if (!lw->parked)
        return;
    lw->parked = false;
    job_unpark(j);
    write_page(j, lw, &lw->pages[!lw->cur]);
}

/* The deferred steps get the job, not the walk: a step left over from an
 * earlier page must not outlive the walk. The job (whose operation owns the
 * deferred work) is alive whenever they run; its parked walk is current. */
static void parked_write(void *ud)
{
    sync_job *j = ud;
    list_walk *lw = j->parked;
    if (!lw)
        return;
    flush_parked(j, lw);
    job_report(j, false);
    job_continue(j);
}

/* The loop runs this first at its next turn, before sending what was just
 * queued; deferring once more puts the write after the send. */
static void parked_write_soon(void *ud)
{
    sync_job *j = ud;
    if (j->parked && j->c)
        hs_defer(j->c, j->op, parked_write, j);
}

/* ---- the split path (long property lists) ----------------------------------------------- */

typedef struct group_read {
    list_walk *lw;
    size_t     g;
} group_read;

static void on_group_answer(sync_job *j, job_call *k, const hs_batch_result *r)
{
    group_read *gr = k->data;
    list_walk *lw = gr->lw;
    if (r->status != HT_OK) {
        job_fail(j, r->status, r->err);
        return;
    }
    lw->extra[gr->g] = json_incref(r->results);
    if (--lw->pending > 0)
        return;
    record_page *pg = &lw->pages[lw->cur];
    if (write_page(j, lw, pg) && pg->next_after) {
        free(lw->after);
        lw->after = xstrdup(pg->next_after);
        request_page(j, lw);
    }
}

static void read_other_groups(sync_job *j, list_walk *lw, record_page *pg)
{
    sync_obj *o = &j->objs[lw->obj];
    json_t *inputs = json_array();
    for (size_t i = 0; i < pg->batch.nrecords; i++)
        json_array_append_new(inputs, json_pack("{ss}", "id", pg->batch.ids[i]));
    if (!lw->extra)
        lw->extra = xcalloc(lw->ngroups, sizeof *lw->extra);
    for (size_t g = 1; g < lw->ngroups; g++) {
        json_decref(lw->extra[g]);
        lw->extra[g] = NULL;
    }
    lw->pending = (int)lw->ngroups - 1;
    for (size_t g = 1; g < lw->ngroups; g++) {
        size_t n = lw->group[g + 1] - lw->group[g];
        const char **props = xcalloc(n + 1, sizeof *props);
        memcpy(props, o->props + lw->group[g], n * sizeof *props);
        hs_read_opts opts = {.properties = props};
        group_read *gr = xcalloc(1, sizeof *gr);
        gr->lw = lw;
        gr->g = g;
        job_call *k = job_batch_new(j, on_group_answer, lw->obj);
        k->data = gr;
        k->free_data = free;
        job_call_set_id(k, hs_objects_batch(j->c, HS_PRIO_BACKGROUND, o->type_id, HS_BATCH_READ,
                                            inputs, &opts, call_batch_done, k));
        free(props);
    }
    json_decref(inputs);
}

/* ---- pages ---------------------------------------------------------------------------------- */

/* Our reader refused the page: if jansson can read it after all, store it
 * the slow way (a shape we did not expect); otherwise it is malformed. */
static bool read_slowly(sync_job *j, list_walk *lw, const hs_result *r, const ht_error *why)
{
    sync_obj *o = &j->objs[lw->obj];
    json_t *body = json_loadb(r->raw ? r->raw : "", r->raw_len, 0, NULL);
    json_t *results = json_object_get(body, "results");
    if (!json_is_array(results)) {
        json_decref(body);
        job_fail(j, HT_PARSE, why);
        return false;
    }
    log_warn("sync: %s page read the slow way (%s)", o->name, why->message);
    ht_error e;
    const char *next = hs_next_after(body);
    ht_status s = store_begin(j->st, &e);
    size_t n = 0;
    if (s == HT_OK)
        s = sync_write_records(j->st, lw->w, o->name, results,
                               (const char *const *)o->props, lw->group[1], lw->gen, NULL,
                               &lw->max_lastmod, o->lastmod, &n, &e);
    if (s == HT_OK)
        s = save_cursor(j, lw, next, n, &e);
    if (s == HT_OK)
        s = store_commit(j->st, &e);
    if (s != HT_OK) {
        store_rollback(j->st);
        json_decref(body);
        job_fail(j, s, &e);
        return false;
    }
    job_count_records(j, lw->obj, (int64_t)n);
    if (next) {
        free(lw->after);
        lw->after = xstrdup(next);
        request_page(j, lw);
    }
    json_decref(body);
    return true;
}

static void on_list_page(sync_job *j, job_call *k, const hs_result *r)
{
    list_walk *lw = k->data;
    if (r->status != HT_OK) {
        job_fail(j, r->status, r->err);
        return;
    }
    flush_parked(j, lw);   /* an earlier page first */
    if (j->stopping)
        return;
    record_page *pg = &lw->pages[lw->cur];
    ht_error e;
    if (page_read(lw->reader, r->raw ? r->raw : "", r->raw_len, pg, &e) != HT_OK) {
        if (lw->ngroups == 1)
            read_slowly(j, lw, r, &e);
        else
            job_fail(j, HT_PARSE, &e);
        return;
    }
    const char *next = pg->next_after;
    if (next && lw->after && strcmp(next, lw->after) == 0) {
        job_failf(j, HT_PARSE, "paging did not advance (the same cursor twice)");
        return;
    }
    if (lw->ngroups > 1 && pg->batch.nrecords > 0) {
        read_other_groups(j, lw, pg);
        return;
    }
    if (next) {
        free(lw->after);
        lw->after = xstrdup(next);
        request_page(j, lw);
    }
    /* Write this page once the next request is on its way. */
    lw->parked = true;
    lw->cur = !lw->cur;
    job_park(j, lw, drop_parked);
    hs_defer(j->c, j->op, parked_write_soon, j);
}

static void request_page(sync_job *j, list_walk *lw)
{
    strbuf p = {0};
    strbuf_puts(&p, lw->path);
    if (lw->after) {
        strbuf_puts(&p, "&after=");
        http_escape(&p, lw->after);
    }
    hs_request req = {.method = "GET", .path = strbuf_str(&p), .prio = HS_PRIO_BACKGROUND,
                      .flags = HS_REQ_RAW};
    job_call *k = job_call_new(j, on_list_page, lw->obj);
    k->data = lw;   /* owned by the end task */
    job_call_set_id(k, hs_submit(j->c, &req, call_done, k));
    strbuf_free(&p);
}

static char *list_path(const sync_obj *o, const list_walk *lw)
{
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v3/objects/");
    http_escape(&p, o->type_id);
    strbuf_printf(&p, "?limit=%d", PAGE_SIZE);
    size_t n0 = lw->group[1] - lw->group[0];
    for (size_t i = 0; i < n0; i++) {
        strbuf_puts(&p, i ? "," : "&properties=");
        http_escape(&p, o->props[i]);
    }
    return strbuf_detach(&p);
}

/* ---- starting and ending --------------------------------------------------------------------- */

/* The generation of a full pass: resumed when one was interrupted. */
static ht_status full_pass_gen(sync_job *j, sync_obj *o, list_walk *lw, ht_error *err)
{
    char *text = NULL;
    ht_status s = checkpoint_kv_get(j->st, o->name, "full_gen", &text, err);
    if (s != HT_OK)
        return s;
    if (text && str_to_i64(text, &lw->gen)) {
        free(text);
        s = checkpoint_kv_get(j->st, o->name, "full_after", &lw->after, err);
        if (s == HT_OK && lw->after && !*lw->after) {
            free(lw->after);
            lw->after = NULL;
        }
        char *started = NULL;
        if (s == HT_OK)
            s = checkpoint_kv_get(j->st, o->name, "full_started_ms", &started, err);
        if (!started || !str_to_i64(started, &lw->started_ms))
            lw->started_ms = o->run_started_ms;
        free(started);
        return s;
    }
    free(text);
    sync_checkpoint cp;
    if ((s = checkpoint_get(j->st, o->name, &cp, err)) != HT_OK)
        return s;
    lw->gen = cp.full_gen + 1;
    sync_checkpoint_clear(&cp);
    lw->started_ms = time_now_ms();
    char g[32], now[32];
    snprintf(g, sizeof g, "%lld", (long long)lw->gen);
    snprintf(now, sizeof now, "%lld", (long long)lw->started_ms);
    s = store_begin(j->st, err);
    if (s == HT_OK)
        s = checkpoint_kv_set(j->st, o->name, "full_gen", g, err);
    if (s == HT_OK)
        s = checkpoint_kv_set(j->st, o->name, "full_started_ms", now, err);
    if (s == HT_OK)
        s = store_commit(j->st, err);
    else
        store_rollback(j->st);
    return s;
}

static ht_status backfill_start(sync_job *j, sync_obj *o, list_walk *lw, ht_error *err)
{
    sync_checkpoint cp;
    ht_status s = checkpoint_get(j->st, o->name, &cp, err);
    if (s != HT_OK)
        return s;
    lw->after = cp.backfill_after ? xstrdup(cp.backfill_after) : NULL;
    lw->bulk = !cp.backfill_done;
    if (cp.backfill_started_ms == 0) {
        cp.backfill_started_ms = time_now_ms();
        s = checkpoint_put(j->st, o->name, &cp, err);
    }
    lw->already = cp.backfill_records;
    sync_checkpoint_clear(&cp);
    return s;
}

/* How many records the walk will see, for the progress estimate. */
static void on_count(sync_job *j, job_call *k, const hs_result *r)
{
    sync_obj *o = &j->objs[k->obj];
    if (r->status != HT_OK)
        return;   /* only an estimate */
    int64_t total = json_integer_value(json_object_get(r->body, "total"));
    int64_t already = (int64_t)(intptr_t)k->data;
    o->total = total > already ? total - already : 0;
    job_report(j, true);
}

static void count_records(sync_job *j, size_t obj, int64_t already)
{
    json_t *body = json_pack("{si s[s]}", "limit", 1, "properties", "hs_object_id");
    job_call *k = job_call_new(j, on_count, obj);
    k->data = (void *)(intptr_t)already;
    job_call_set_id(k, hs_objects_search(j->c, HS_PRIO_BACKGROUND, j->objs[obj].type_id, body,
                                         call_done, k));
    json_decref(body);
}

static void list_end(sync_job *j, size_t obj);

static ht_status walk_setup(sync_job *j, sync_obj *o, list_walk *lw, ht_error *err)
{
    ht_status s;
    if (lw->full) {
        sync_checkpoint cp;
        s = full_pass_gen(j, o, lw, err);
        if (s == HT_OK && (s = checkpoint_get(j->st, o->name, &cp, err)) == HT_OK) {
            lw->bulk = !cp.backfill_done && cp.backfill_records == 0 && !lw->after;
            sync_checkpoint_clear(&cp);
        }
    } else {
        s = backfill_start(j, o, lw, err);
    }
    if (s == HT_OK && lw->bulk)
        s = records_begin_bulk(j->st, o->name, err);
    if (s == HT_OK && !(lw->w = records_writer_open(j->st, o->name, err)))
        s = err && err->status != HT_OK ? err->status : HT_DB;
    if (s != HT_OK)
        return s;
    lw->ngroups = sync_split_props(o->props, o->nprops, j->url_budget, &lw->group);
    if (lw->ngroups == 0)
        lw->ngroups = 1;   /* no properties known: HubSpot's defaults */
    lw->reader = page_reader_new((const char *const *)o->props, lw->group[1], o->lastmod);
    lw->path = list_path(o, lw);
    return HT_OK;
}

void sync_list_walk(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    list_walk *lw = xcalloc(1, sizeof *lw);
    lw->j = j;
    lw->obj = obj;
    lw->full = o->mode == MODE_FULL;
    ht_error e;
    ht_status s = walk_setup(j, o, lw, &e);
    if (s != HT_OK) {
        list_walk_free(lw);
        job_fail(j, s, &e);
        return;
    }
    /* The end task owns the walk from now on (and frees it if the job stops). */
    job_push_arg(j, list_end, obj, lw->full ? SYNC_RECONCILE : SYNC_BACKFILL, lw,
                 list_walk_free);
    count_records(j, obj, lw->already);
    request_page(j, lw);
}

static ht_status finish_full(sync_job *j, sync_obj *o, list_walk *lw, sync_checkpoint *cp,
                             ht_error *err)
{
    size_t swept = 0;
    ht_status s = records_sweep_unseen(j->st, o->name, lw->gen, &swept, err);
    if (swept)
        log_info("sync: %s: %zu records no longer on HubSpot removed", o->name, swept);
    cp->full_gen = lw->gen;
    cp->last_full_ms = time_now_ms();
    /* Records changed behind the walk have newer timestamps than its start. */
    int64_t seen = cp->hwm_ms > lw->max_lastmod ? cp->hwm_ms : lw->max_lastmod;
    cp->hwm_ms = seen < lw->started_ms ? seen : lw->started_ms;
    static const char *const keys[] = {"full_gen", "full_after", "full_started_ms"};
    for (size_t i = 0; s == HT_OK && i < ARRAY_SIZE(keys); i++)
        s = checkpoint_kv_set(j->st, o->name, keys[i], NULL, err);
    return s;
}

static void list_end(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    list_walk *lw = j->task_arg;
    ht_error e;
    ht_status s = lw->bulk ? records_end_bulk(j->st, o->name, NULL, &e) : HT_OK;
    sync_checkpoint cp;
    if (s == HT_OK)
        s = checkpoint_get(j->st, o->name, &cp, &e);
    else
        memset(&cp, 0, sizeof cp);
    if (s == HT_OK)
        s = store_begin(j->st, &e);
    if (s == HT_OK && lw->full)
        s = finish_full(j, o, lw, &cp, &e);
    if (s == HT_OK && !lw->full) {
        /* Records changed behind the walk have newer timestamps than its start. */
        int64_t seen = cp.hwm_ms > lw->max_lastmod ? cp.hwm_ms : lw->max_lastmod;
        cp.hwm_ms = seen < cp.backfill_started_ms || !cp.backfill_started_ms
                  ? seen : cp.backfill_started_ms;
    }
    if (s == HT_OK) {
        cp.backfill_done = true;
        free(cp.backfill_after);
        cp.backfill_after = NULL;
        s = checkpoint_put(j->st, o->name, &cp, &e);
    }
    /* Every record's associations are read next (resumable). */
    if (s == HT_OK)
        s = checkpoint_kv_set(j->st, o->name, "assoc_all_after", "0", &e);
    if (s == HT_OK)
        s = store_commit(j->st, &e);
    else if (store_in_transaction(j->st))
        store_rollback(j->st);
    sync_checkpoint_clear(&cp);
    list_walk_free(lw);
    if (s != HT_OK)
        job_fail(j, s, &e);
}
