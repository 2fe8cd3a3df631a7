/* sync_list.c — backfill and the full pass: every record of one object
 * type by list pages, with every property.
 *
 * Each page lands in the cache together with the cursor of the page after
 * it (the backfill checkpoint, or the full pass's cursor), so a killed sync
 * resumes where the data stopped. The full pass stamps what it sees with a
 * generation and sweeps the rest at the end (deleted or merged away on
 * HubSpot). A backfill into an empty table runs in bulk mode: the search
 * index is built in one go at the end.
 *
 * Speed: pages arrive unparsed; the next page is requested from the cursor
 * at the end of the current one before that one is read (on_list_page), so
 * the server prepares it meanwhile; sync_page.c reads each (cJSON) into a
 * record batch pointing into the parsed answer (no copies), and a writer
 * thread (sync_writer.c) stores pages (and frees them) while the loop
 * fetches and reads the next ones.
 *
 * The plain path: a property list too long for one URL
 * (SYNC_DEFAULT_URL_BUDGET) is split — the list page carries the first part
 * and a batch read per further part fetches the rest for the same ids —
 * and such pages are written on the loop's thread, one at a time, as are
 * pages of a shape the batch reader refused but whose results are a list
 * after all, and everything when the writer thread cannot start. */
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
    bool           ahead;       /* `after` was asked for from the end of the page
                                 * being read, before reading it (page_peek_next) */
    strbuf         held;        /* that page's body, read at the client's next step
                                 * (empty: none waits) */
    size_t        *group;       /* property groups: [group[g], group[g+1]) */
    size_t         ngroups;
    char          *path;        /* the list URL without the cursor */
    page_reader   *reader;      /* group 0 */
    page_writer   *pw;          /* the writer thread, or NULL: the plain path */
    int64_t        counted;     /* records of pw already counted in progress */
    record_writer *w;           /* the plain path's writer (this thread) */
    record_page    page;        /* the plain path's page */
    json_t       **extra;       /* per group >= 1: batch read results */
    int            pending;
    int64_t        max_lastmod;
    int64_t        already;     /* records a resumed backfill stored before */
    int64_t        started_ms;  /* the pass's start (full) */
} list_walk;

static void list_walk_free(void *p)
{
    list_walk *lw = p;
    if (!lw)
        return;
    job_undefer(lw->j, lw);
    strbuf_free(&lw->held);
    page_writer_free(lw->pw);
    records_writer_close(lw->w);
    page_reader_free(lw->reader);
    record_page_clear(&lw->page);
    for (size_t g = 1; lw->extra && g < lw->ngroups; g++)
        json_decref(lw->extra[g]);
    free(lw->extra);
    free(lw->after);
    free(lw->group);
    free(lw->path);
    free(lw);
}

static void request_page(sync_job *j, list_walk *lw);

/* ---- the writer thread's end ------------------------------------------------------ */

static void count_written(sync_job *j, list_walk *lw, int64_t written)
{
    job_count_records(j, lw->obj, written - lw->counted);
    lw->counted = written;
}

/* The job stops: stop the thread at once. */
static void drop_writer(void *ud)
{
    list_walk *lw = ud;
    page_writer_free(lw->pw);
    lw->pw = NULL;
}

static void note_index(sync_job *j, list_walk *lw, int64_t ms)
{
    const char *name = j->objs[lw->obj].name;
    log_info("sync: %s: search index finished in %lld ms", name, (long long)ms);
}

/* Wait for the writer to store what is queued, then carry on without it. */
static bool finish_writer(sync_job *j, list_walk *lw)
{
    if (!lw->pw)
        return true;
    ht_error e;
    int64_t written = 0, max_lastmod = 0, index_ms = -1;
    ht_status s = page_writer_finish(lw->pw, &written, &max_lastmod, &index_ms, &e);
    if (index_ms >= 0) {
        lw->bulk = false;   /* the writer built the index */
        note_index(j, lw, index_ms);
    }
    count_written(j, lw, written);
    if (max_lastmod > lw->max_lastmod)
        lw->max_lastmod = max_lastmod;
    page_writer_free(lw->pw);
    lw->pw = NULL;
    job_unpark(j);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return false;
    }
    return true;
}

/* ---- the plain path: one page on this thread ------------------------------------------ */

static bool write_plain(sync_job *j, list_walk *lw)
{
    sync_obj *o = &j->objs[lw->obj];
    record_page *pg = &lw->page;
    ht_error e;
    if (!lw->w && !(lw->w = records_writer_open(j->st, o->name, &e))) {
        job_fail(j, e.status != HT_OK ? e.status : HT_DB, &e);
        return false;
    }
    ht_status s = store_begin(j->st, &e);
    if (s == HT_OK && pg->batch.nrecords)
        s = records_writer_put(lw->w, &pg->batch, lw->gen, NULL, &e);
    for (size_t i = 0; s == HT_OK && i < pg->batch.nrecords; i++)
        if (!str_empty(pg->merged[i]))
            s = sync_forget_merged(j->st, o->name, pg->batch.ids[i], pg->merged[i], &e);
    if (pg->max_lastmod > lw->max_lastmod)
        lw->max_lastmod = pg->max_lastmod;
    for (size_t g = 1; s == HT_OK && lw->extra && g < lw->ngroups; g++)
        s = sync_write_records(j->st, lw->w, o->name, lw->extra[g],
                               (const char *const *)o->props + lw->group[g],
                               lw->group[g + 1] - lw->group[g], lw->gen, NULL,
                               &lw->max_lastmod, o->lastmod, NULL, &e);
    if (s == HT_OK)
        s = sync_save_list_cursor(j->st, o->name, lw->full, pg->next_after, pg->batch.nrecords,
                                  lw->max_lastmod, &e);
    s = store_commit_or_rollback(j->st, s, &e);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return false;
    }
    job_count_records(j, lw->obj, (int64_t)pg->batch.nrecords);
    return true;
}

static void next_page(sync_job *j, list_walk *lw, const char *next)
{
    if (lw->ahead) {
        /* Already asked for: the whole page must say what its end said. */
        lw->ahead = false;
        if (str_cmp0(next, lw->after) != 0)
            job_failf(j, HT_PARSE, "HubSpot sent a malformed page: its paging cursor "
                      "differs from the one at its end");
        return;
    }
    if (!next)
        return;
    free(lw->after);
    lw->after = xstrdup(next);
    request_page(j, lw);
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
    if (write_plain(j, lw))
        next_page(j, lw, lw->page.next_after);
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

/* The batch reader refused the page: if its results are a list after all,
 * store it record by record (a shape we did not expect); otherwise it is
 * malformed. */
static void read_slowly(sync_job *j, list_walk *lw, const char *raw, size_t len,
                        const ht_error *why)
{
    sync_obj *o = &j->objs[lw->obj];
    json_t *body = json_loadb(raw ? raw : "", len, 0, NULL);
    json_t *results = json_object_get(body, "results");
    ht_error e;
    if (!json_is_array(results)) {
        json_decref(body);
        job_fail(j, HT_PARSE, why);
        return;
    }
    log_warn("sync: %s page read the slow way (%s)", o->name, why->message);
    if (!lw->w && !(lw->w = records_writer_open(j->st, o->name, &e))) {
        json_decref(body);
        job_fail(j, e.status != HT_OK ? e.status : HT_DB, &e);
        return;
    }
    const char *next = hs_next_after(body);
    ht_status s = store_begin(j->st, &e);
    size_t n = 0;
    if (s == HT_OK)
        s = sync_write_records(j->st, lw->w, o->name, results,
                               (const char *const *)o->props, lw->group[1], lw->gen, NULL,
                               &lw->max_lastmod, o->lastmod, &n, &e);
    if (s == HT_OK)
        s = sync_save_list_cursor(j->st, o->name, lw->full, next, n, lw->max_lastmod, &e);
    s = store_commit_or_rollback(j->st, s, &e);
    if (s != HT_OK) {
        job_fail(j, s, &e);
    } else {
        job_count_records(j, lw->obj, (int64_t)n);
        next_page(j, lw, next);
    }
    json_decref(body);
}

/* Read an answer into pg; a refused page goes the slow way (after what the
 * writer holds). Returns false when the page is done with (or failed). */
static bool read_page(sync_job *j, list_walk *lw, const char *raw, size_t len,
                      record_page *pg)
{
    ht_error e;
    if (page_read(lw->reader, raw, len, pg, &e) == HT_OK) {
        const char *next = pg->next_after;
        if (!lw->ahead && next && lw->after && strcmp(next, lw->after) == 0) {
            job_failf(j, HT_PARSE, "paging did not advance (the same cursor twice)");
            return false;
        }
        return true;
    }
    if (lw->pw && !finish_writer(j, lw))
        return false;
    if (lw->ngroups == 1)
        read_slowly(j, lw, raw, len, &e);
    else
        job_fail(j, HT_PARSE, &e);
    return false;
}

/* Read a page into the writer's ring, ask for the next (unless that was
 * done from the page's end) and queue it for storing. */
static void take_page(sync_job *j, list_walk *lw, const char *raw, size_t len)
{
    record_page *pg = page_writer_slot(lw->pw);   /* waits only when the writer is behind */
    if (!pg) {
        finish_writer(j, lw);   /* reports the writer's failure */
        return;
    }
    if (!read_page(j, lw, raw, len, pg))
        return;
    /* Ask for the next page first: it is being prepared while this one is stored. */
    next_page(j, lw, pg->next_after);
    if (j->stopping)
        return;
    bool last = pg->next_after == NULL;
    page_writer_queue(lw->pw);
    ht_status st;
    ht_error e;
    count_written(j, lw, page_writer_written(lw->pw, &st, &e));
    if (st != HT_OK)
        job_fail(j, st, &e);
    else if (last)
        finish_writer(j, lw);
}

static void read_held(sync_job *j, void *ud)
{
    list_walk *lw = ud;
    if (lw->held.len == 0)
        return;
    if (!j->stopping && lw->pw)
        take_page(j, lw, lw->held.buf, lw->held.len);
    strbuf_reset(&lw->held);
}

static void on_list_page(sync_job *j, job_call *k, const hs_result *r)
{
    list_walk *lw = k->data;
    if (r->status != HT_OK) {
        job_fail(j, r->status, r->err);
        return;
    }
    if (!lw->pw) {
        if (!read_page(j, lw, r->raw, r->raw_len, &lw->page))
            return;
        if (lw->ngroups > 1 && lw->page.batch.nrecords > 0)
            read_other_groups(j, lw, &lw->page);
        else if (write_plain(j, lw))
            next_page(j, lw, lw->page.next_after);
        return;
    }
    read_held(j, lw);   /* pages are read in order, whatever ran first */
    if (j->stopping || !lw->pw)
        return;
    /* The page's end names the next one (HubSpot puts paging last): ask for
     * it now and read this page at the client's next step, once that
     * request is on its way, so HubSpot prepares it while we read. The
     * read checks that the whole page names the same cursor. */
    char *ahead = NULL;
    if (page_peek_next(r->raw, r->raw_len, &ahead) && str_cmp0(ahead, lw->after) != 0) {
        strbuf_reset(&lw->held);
        strbuf_append(&lw->held, r->raw, r->raw_len);
        free(lw->after);
        lw->after = ahead;
        request_page(j, lw);
        lw->ahead = true;
        job_defer(j, read_held, lw);
        return;
    }
    free(ahead);
    take_page(j, lw, r->raw, r->raw_len);
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
    s = store_commit_or_rollback(j->st, s, err);
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
    if (s != HT_OK)
        return s;
    lw->ngroups = sync_split_props(o->props, o->nprops, j->url_budget, &lw->group);
    if (lw->ngroups == 0)
        lw->ngroups = 1;   /* no properties known: HubSpot's defaults */
    lw->reader = page_reader_new((const char *const *)o->props, lw->group[1], o->lastmod);
    lw->path = list_path(o, lw);
    if (lw->ngroups == 1) {
        ht_error we;
        lw->pw = page_writer_start(j->st, o->name, lw->bulk, lw->full, j->cache_kb,
                                   lw->gen, &we);
        if (!lw->pw)
            log_warn("sync: %s: writing on the loop's thread (%s)", o->name, we.message);
    }
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
    /* The end task owns the walk from now on (and frees it if the job stops);
     * the writer thread holds the job open until its pages are stored. */
    job_push_arg(j, list_end, obj, lw->full ? SYNC_RECONCILE : SYNC_BACKFILL, lw,
                 list_walk_free);
    if (lw->pw)
        job_park(j, lw, drop_writer);
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
    int64_t index_ms = 0;
    ht_status s = lw->bulk ? records_end_bulk(j->st, o->name, &index_ms, &e) : HT_OK;
    if (lw->bulk && s == HT_OK)
        note_index(j, lw, index_ms);
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
    s = store_commit_or_rollback(j->st, s, &e);
    sync_checkpoint_clear(&cp);
    list_walk_free(lw);
    if (s != HT_OK)
        job_fail(j, s, &e);
}
