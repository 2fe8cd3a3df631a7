/* sync_records.c — the records of one object type.
 *
 * Backfill (first time) and the full pass (--full) walk the list endpoint
 * page by page with every property; each page lands in one transaction
 * together with its cursor, so a killed sync resumes at the next page. A
 * long property list is split: the list page carries the first part and a
 * batch read per further part fetches the rest for the same ids before the
 * page is written. The full pass stamps what it sees with a generation and
 * sweeps the rest (deleted or merged away on HubSpot).
 *
 * Incremental sync searches the last-modified property from the stored
 * high-water mark minus an overlap (the search walker goes past the
 * 10,000-result cap and drops repeats), lists archived records to remove
 * them, and forgets ids a merge folded into a record (hs_merged_object_ids).
 * The high-water mark only moves once the object's records and their
 * associations are stored: a sync killed before that repeats the walk. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "meta.h"
#include "sync_int.h"
#include "util.h"

#define PAGE_SIZE 100

static void task_list_walk(sync_job *j, size_t obj);
static void task_list_end(sync_job *j, size_t obj);
static void task_incremental(sync_job *j, size_t obj);
static void task_archived(sync_job *j, size_t obj);
static void task_obj_done(sync_job *j, size_t obj);

/* ---- writing pages ------------------------------------------------------------ */

/* Forget the records a merge folded into this one. */
static ht_status forget_merged(store *st, const char *object, const char *self,
                               const char *merged, ht_error *err)
{
    char *copy = xstrdup(merged);
    const char **ids = NULL;
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        int64_t v;
        if (strcmp(t, self) != 0 && str_to_i64(t, &v) && v > 0) {
            ids = xrealloc(ids, (n + 1) * sizeof *ids);
            ids[n++] = t;
        }
    }
    ht_status s = n ? records_archive(st, object, ids, n, err) : HT_OK;
    free(ids);
    free(copy);
    return s;
}

ht_status sync_write_records(store *st, record_writer *w, const char *object, json_t *results,
                             const char *const *requested, size_t nrequested, int64_t gen,
                             idlist *collect, int64_t *max_lastmod, const char *lastmod_prop,
                             size_t *written, ht_error *err)
{
    upsert_stats stats = {0};
    ht_status s = records_writer_put_json(w, results, requested, nrequested, gen, &stats, err);
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        char id[32];
        int64_t v;
        if (s != HT_OK)
            break;
        if (!hs_json_id(json_object_get(rec, "id"), id))
            continue;
        if (collect && records_parse_id(id, &v))
            idlist_add(collect, v);
        const char *lm = lastmod_prop ? hs_record_prop(rec, lastmod_prop) : NULL;
        if (!lm)
            lm = json_string_value(json_object_get(rec, "updatedAt"));
        if (max_lastmod && lm && time_parse(lm, &v) && v > *max_lastmod)
            *max_lastmod = v;
        const char *merged = hs_record_prop(rec, "hs_merged_object_ids");
        if (!str_empty(merged))
            s = forget_merged(st, object, id, merged, err);
    }
    if (written)
        *written = stats.inserted + stats.updated + stats.archived;
    return s;
}

/* ---- the plan ---------------------------------------------------------------------- */

static bool kv_present(store *st, const char *object, const char *key)
{
    char *v = NULL;
    checkpoint_kv_get(st, object, key, &v, NULL);
    bool yes = v != NULL;
    free(v);
    return yes;
}

void sync_records_plan(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    sync_checkpoint cp;
    ht_error e;
    ht_status s = checkpoint_get(j->st, o->name, &cp, &e);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return;
    }
    o->run_started_ms = time_now_ms();
    if (j->full || kv_present(j->st, o->name, "full_gen"))
        o->mode = MODE_FULL;
    else if (!cp.backfill_done)
        o->mode = MODE_BACKFILL;
    else
        o->mode = MODE_INCREMENTAL;
    sync_checkpoint_clear(&cp);
    if (o->mode == MODE_INCREMENTAL) {
        job_push(j, task_incremental, obj, SYNC_INCREMENTAL);
        job_push(j, task_archived, obj, SYNC_INCREMENTAL);
        if (kv_present(j->st, o->name, "assoc_all_after"))
            job_push(j, sync_assoc_all, obj, SYNC_ASSOCIATIONS);
        else
            job_push(j, sync_assoc_sweep, obj, SYNC_ASSOCIATIONS);
        job_push(j, sync_assoc_changed, obj, SYNC_ASSOCIATIONS);
    } else {
        job_push(j, task_list_walk, obj, o->mode == MODE_FULL ? SYNC_RECONCILE : SYNC_BACKFILL);
        job_push(j, sync_assoc_all, obj, SYNC_ASSOCIATIONS);
    }
    job_push(j, task_obj_done, obj, SYNC_ASSOCIATIONS);
}

/* ---- list walks (backfill and the full pass) ------------------------------------------ */

typedef struct list_walk {
    size_t         obj;
    bool           full;        /* stamp with gen; cursor in the kv store */
    bool           bulk;        /* the search index is rebuilt at the end */
    int64_t        gen;
    char          *after;       /* the next page's cursor (NULL: first page) */
    record_writer *w;
    size_t        *group;       /* property groups: [group[g], group[g+1]) */
    size_t         ngroups;
    char         **g0;          /* group 0, NULL-terminated, for the list URL */
    int64_t        max_lastmod;
    int64_t        already;     /* records a resumed backfill stored before */
} list_walk;

static void list_walk_free(void *p)
{
    list_walk *lw = p;
    if (!lw)
        return;
    records_writer_close(lw->w);
    free(lw->after);
    free(lw->group);
    free(lw->g0);
    free(lw);
}

/* One list page and the other property groups of its records. */
typedef struct list_page {
    list_walk *lw;
    json_t    *results;      /* group 0 (the list page) */
    json_t   **extra;        /* groups 1..: batch read results */
    char      *next;         /* the cursor after this page */
    int        pending;
    int        refs;
} list_page;

static void page_unref(void *p)
{
    list_page *pg = p;
    if (--pg->refs > 0)
        return;
    json_decref(pg->results);
    for (size_t g = 1; pg->extra && g < pg->lw->ngroups; g++)
        json_decref(pg->extra[g]);
    free(pg->extra);
    free(pg->next);
    free(pg);
}

static void request_page(sync_job *j, list_walk *lw);

static ht_status save_list_cursor(sync_job *j, list_walk *lw, const sync_obj *o,
                                  const char *next, size_t n, ht_error *err)
{
    if (lw->full)
        return checkpoint_kv_set(j->st, o->name, "full_after", next ? next : "", err);
    sync_checkpoint cp;
    ht_status s = checkpoint_get(j->st, o->name, &cp, err);
    if (s != HT_OK)
        return s;
    free(cp.backfill_after);
    cp.backfill_after = next ? xstrdup(next) : NULL;
    cp.backfill_records += (int64_t)n;
    if (lw->max_lastmod > cp.hwm_ms)
        cp.hwm_ms = lw->max_lastmod;
    s = checkpoint_put(j->st, o->name, &cp, err);
    sync_checkpoint_clear(&cp);
    return s;
}

/* Write a complete page (every group) and its cursor in one transaction,
 * then ask for the next page. */
static void write_page(sync_job *j, list_page *pg)
{
    list_walk *lw = pg->lw;
    sync_obj *o = &j->objs[lw->obj];
    ht_error e;
    size_t n = 0, ignore;
    ht_status s = store_begin(j->st, &e);
    for (size_t g = 0; s == HT_OK && g < lw->ngroups; g++) {
        json_t *res = g == 0 ? pg->results : pg->extra[g];
        if (!res)
            continue;
        s = sync_write_records(j->st, lw->w, o->name, res,
                               (const char *const *)o->props + lw->group[g],
                               lw->group[g + 1] - lw->group[g], lw->gen, NULL,
                               &lw->max_lastmod, o->lastmod, g == 0 ? &n : &ignore, &e);
    }
    if (s == HT_OK)
        s = save_list_cursor(j, lw, o, pg->next, n, &e);
    if (s == HT_OK)
        s = store_commit(j->st, &e);
    if (s != HT_OK) {
        store_rollback(j->st);
        job_fail(j, s, &e);
        return;
    }
    job_count_records(j, lw->obj, (int64_t)n);
    if (pg->next) {
        free(lw->after);
        lw->after = xstrdup(pg->next);
        request_page(j, lw);
    }
}

/* A batch read of one further property group for a page. */
typedef struct group_read {
    list_page  *pg;
    size_t g;
} group_read;

static void group_read_free(void *p)
{
    group_read *gr = p;
    page_unref(gr->pg);
    free(gr);
}

static void on_group_read(sync_job *j, job_call *k, const hs_batch_result *r)
{
    group_read *gr = k->data;
    list_page *pg = gr->pg;
    if (r->status != HT_OK) {
        job_fail(j, r->status, r->err);
        return;
    }
    /* Records gone between the list and this read are simply missing. */
    pg->extra[gr->g] = json_incref(r->results);
    if (--pg->pending == 0)
        write_page(j, pg);
}

static void read_other_groups(sync_job *j, list_page *pg)
{
    list_walk *lw = pg->lw;
    sync_obj *o = &j->objs[lw->obj];
    json_t *inputs = json_array();
    size_t i;
    json_t *rec;
    json_array_foreach(pg->results, i, rec) {
        char id[32];
        if (hs_json_id(json_object_get(rec, "id"), id))
            json_array_append_new(inputs, json_pack("{ss}", "id", id));
    }
    pg->extra = xcalloc(lw->ngroups, sizeof *pg->extra);
    pg->pending = (int)lw->ngroups - 1;
    for (size_t g = 1; g < lw->ngroups; g++) {
        size_t n = lw->group[g + 1] - lw->group[g];
        const char **props = xcalloc(n + 1, sizeof *props);
        memcpy(props, o->props + lw->group[g], n * sizeof *props);
        hs_read_opts opts = {.properties = props};
        group_read *gr = xcalloc(1, sizeof *gr);
        gr->pg = pg;
        gr->g = g;
        pg->refs++;
        job_call *k = job_batch_new(j, on_group_read, lw->obj);
        k->data = gr;
        k->free_data = group_read_free;
        job_call_set_id(k, hs_objects_batch(j->c, HS_PRIO_BACKGROUND, o->type_id, HS_BATCH_READ,
                                            inputs, &opts, call_batch_done, k));
        free(props);
    }
    json_decref(inputs);
}

static void on_list_page(sync_job *j, job_call *k, const hs_result *r)
{
    list_walk *lw = k->data;
    if (r->status != HT_OK) {
        job_fail(j, r->status, r->err);
        return;
    }
    json_t *results = json_object_get(r->body, "results");
    if (!json_is_array(results)) {
        job_failf(j, HT_PARSE, "a %s list page came back without results",
                  j->objs[lw->obj].name);
        return;
    }
    const char *next = hs_next_after(r->body);
    if (next && lw->after && strcmp(next, lw->after) == 0) {
        job_failf(j, HT_PARSE, "paging did not advance (the same cursor twice)");
        return;
    }
    list_page *pg = xcalloc(1, sizeof *pg);
    pg->lw = lw;
    pg->refs = 1;
    pg->results = json_incref(results);
    pg->next = next ? xstrdup(next) : NULL;
    if (lw->ngroups > 1 && json_array_size(results) > 0)
        read_other_groups(j, pg);
    else
        write_page(j, pg);
    page_unref(pg);
}

static void request_page(sync_job *j, list_walk *lw)
{
    sync_obj *o = &j->objs[lw->obj];
    hs_read_opts opts = {.properties = (const char *const *)lw->g0, .limit = PAGE_SIZE};
    job_call *k = job_call_new(j, on_list_page, lw->obj);
    k->data = lw;   /* owned by the end task */
    job_call_set_id(k, hs_objects_list(j->c, HS_PRIO_BACKGROUND, o->type_id, &opts, lw->after,
                                       call_done, k));
}

/* The generation of a full pass: resumed when one was interrupted. */
static ht_status full_pass_gen(sync_job *j, sync_obj *o, int64_t *gen, char **after,
                               ht_error *err)
{
    char *text = NULL;
    ht_status s = checkpoint_kv_get(j->st, o->name, "full_gen", &text, err);
    if (s != HT_OK)
        return s;
    if (text && str_to_i64(text, gen)) {
        free(text);
        s = checkpoint_kv_get(j->st, o->name, "full_after", after, err);
        if (s == HT_OK && *after && !**after) {
            free(*after);
            *after = NULL;
        }
        return s;
    }
    free(text);
    sync_checkpoint cp;
    if ((s = checkpoint_get(j->st, o->name, &cp, err)) != HT_OK)
        return s;
    *gen = cp.full_gen + 1;
    sync_checkpoint_clear(&cp);
    char g[32];
    snprintf(g, sizeof g, "%lld", (long long)*gen);
    s = store_begin(j->st, err);
    if (s == HT_OK)
        s = checkpoint_kv_set(j->st, o->name, "full_gen", g, err);
    if (s == HT_OK)
        s = checkpoint_kv_set(j->st, o->name, "full_started_ms", NULL, err);
    if (s == HT_OK) {
        char now[32];
        snprintf(now, sizeof now, "%lld", (long long)time_now_ms());
        s = checkpoint_kv_set(j->st, o->name, "full_started_ms", now, err);
    }
    if (s == HT_OK)
        s = store_commit(j->st, err);
    else
        store_rollback(j->st);
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

static void task_list_walk(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    list_walk *lw = xcalloc(1, sizeof *lw);
    lw->obj = obj;
    lw->full = o->mode == MODE_FULL;
    ht_error e;
    ht_status s;
    if (lw->full) {
        s = full_pass_gen(j, o, &lw->gen, &lw->after, &e);
        sync_checkpoint cp;
        if (s == HT_OK && (s = checkpoint_get(j->st, o->name, &cp, &e)) == HT_OK) {
            lw->bulk = !cp.backfill_done && cp.backfill_records == 0 && !lw->after;
            sync_checkpoint_clear(&cp);
        }
    } else {
        s = backfill_start(j, o, lw, &e);
    }
    if (s == HT_OK && lw->bulk)
        s = records_begin_bulk(j->st, o->name, &e);
    if (s == HT_OK && !(lw->w = records_writer_open(j->st, o->name, &e)))
        s = e.status != HT_OK ? e.status : HT_DB;
    if (s != HT_OK) {
        list_walk_free(lw);
        job_fail(j, s, &e);
        return;
    }
    lw->ngroups = sync_split_props(o->props, o->nprops, j->url_budget, &lw->group);
    size_t n0 = lw->ngroups ? lw->group[1] : 0;
    lw->g0 = xcalloc(n0 + 1, sizeof *lw->g0);
    if (n0)
        memcpy(lw->g0, o->props, n0 * sizeof *lw->g0);
    if (lw->ngroups == 0)
        lw->ngroups = 1;   /* no properties known: HubSpot's defaults */
    /* The end task owns the walk from now on (and frees it if the job stops). */
    job_push_arg(j, task_list_end, obj, lw->full ? SYNC_RECONCILE : SYNC_BACKFILL, lw,
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
    char *text = NULL;
    int64_t started = 0;
    if (s == HT_OK)
        s = checkpoint_kv_get(j->st, o->name, "full_started_ms", &text, err);
    if (!text || !str_to_i64(text, &started))
        started = o->run_started_ms;
    free(text);
    cp->full_gen = lw->gen;
    cp->last_full_ms = time_now_ms();
    /* Records changed behind the walk have newer timestamps than its start. */
    int64_t seen = cp->hwm_ms > lw->max_lastmod ? cp->hwm_ms : lw->max_lastmod;
    cp->hwm_ms = seen < started ? seen : started;
    static const char *const keys[] = {"full_gen", "full_after", "full_started_ms"};
    for (size_t i = 0; s == HT_OK && i < ARRAY_SIZE(keys); i++)
        s = checkpoint_kv_set(j->st, o->name, keys[i], NULL, err);
    return s;
}

static void task_list_end(sync_job *j, size_t obj)
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

/* ---- incremental ------------------------------------------------------------------------ */

typedef struct incr_walk {
    size_t         obj;
    record_writer *w;
    bool           first;
} incr_walk;

static void incr_free(void *p)
{
    incr_walk *iw = p;
    records_writer_close(iw->w);
    free(iw);
}

static bool on_search_page(void *ud, const hs_search_page *page)
{
    job_call *k = ud;
    sync_job *j = k->j;
    incr_walk *iw = k->data;
    sync_obj *o = &j->objs[iw->obj];
    if (j->stopping)
        return false;
    if (iw->first) {
        iw->first = false;
        o->total = page->total;
        job_report(j, true);
    }
    ht_error e;
    size_t n = 0;
    ht_status s = store_begin(j->st, &e);
    if (s == HT_OK)
        s = sync_write_records(j->st, iw->w, o->name, page->results,
                               (const char *const *)o->props, o->nprops, 0, &o->changed,
                               &o->max_lastmod, o->lastmod, &n, &e);
    if (s == HT_OK)
        s = store_commit(j->st, &e);
    if (s != HT_OK) {
        store_rollback(j->st);
        job_fail(j, s, &e);
        return false;
    }
    job_count_records(j, iw->obj, (int64_t)n);
    job_report(j, false);
    return true;
}

static void on_incremental_done(sync_job *j, job_call *k, const hs_result *r)
{
    if (r->status != HT_OK)
        job_fail(j, r->status, r->err);
}

static void task_incremental(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    sync_checkpoint cp;
    ht_error e;
    ht_status s = checkpoint_get(j->st, o->name, &cp, &e);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return;
    }
    int64_t from = cp.hwm_ms - j->overlap_ms;
    sync_checkpoint_clear(&cp);
    incr_walk *iw = xcalloc(1, sizeof *iw);
    iw->obj = obj;
    iw->first = true;
    if (!(iw->w = records_writer_open(j->st, o->name, &e))) {
        incr_free(iw);
        job_fail(j, e.status != HT_OK ? e.status : HT_DB, &e);
        return;
    }
    o->total = 0;
    char start[32];
    snprintf(start, sizeof start, "%lld", (long long)(from > 0 ? from : 0));
    hs_search_walk w = {
        .object_type = o->type_id,
        .sort_property = o->lastmod,
        .start_value = start,
        .properties = (const char *const *)o->props,
    };
    job_call *k = job_call_new(j, on_incremental_done, obj);
    k->data = iw;
    k->free_data = incr_free;
    job_call_set_id(k, hs_walk_search(j->c, HS_PRIO_BACKGROUND, &w, on_search_page, call_done, k));
}

/* ---- archived records ------------------------------------------------------------------------ */

static bool on_archived_page(void *ud, json_t *results, const char *next_after)
{
    job_call *k = ud;
    sync_job *j = k->j;
    sync_obj *o = &j->objs[k->obj];
    if (j->stopping)
        return false;
    size_t n = json_array_size(results);
    const char **ids = xcalloc(n + 1, sizeof *ids);
    char (*buf)[32] = xcalloc(n + 1, sizeof *buf);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (hs_json_id(json_object_get(json_array_get(results, i), "id"), buf[m]))
            ids[m] = buf[m], m++;
    ht_error e;
    ht_status s = m ? records_archive(j->st, o->name, ids, m, &e) : HT_OK;
    free(ids);
    free(buf);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return false;
    }
    return true;
}

static void on_archived_done(sync_job *j, job_call *k, const hs_result *r)
{
    if (r->status != HT_OK)
        job_fail(j, r->status, r->err);
}

static void task_archived(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    static const char *const id_only[] = {"hs_object_id", NULL};
    hs_read_opts opts = {.properties = id_only, .archived = true, .limit = PAGE_SIZE};
    job_call *k = job_call_new(j, on_archived_done, obj);
    job_call_set_id(k, hs_walk_objects(j->c, HS_PRIO_BACKGROUND, o->type_id, &opts, NULL,
                                       on_archived_page, call_done, k));
}

/* ---- the end of an object -------------------------------------------------------------------- */

static void task_obj_done(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    sync_checkpoint cp;
    ht_error e;
    ht_status s = checkpoint_get(j->st, o->name, &cp, &e);
    if (s == HT_OK) {
        if (o->mode == MODE_INCREMENTAL && o->max_lastmod > cp.hwm_ms)
            cp.hwm_ms = o->max_lastmod;
        cp.last_incremental_ms = time_now_ms();
        s = store_begin(j->st, &e);
        if (s == HT_OK)
            s = checkpoint_put(j->st, o->name, &cp, &e);
        if (s == HT_OK && o->sweep_done) {
            char cur[32];
            snprintf(cur, sizeof cur, "%lld", (long long)o->sweep_cursor);
            s = checkpoint_kv_set(j->st, o->name, "assoc_sweep_after", cur, &e);
        }
        if (s == HT_OK)
            s = store_commit(j->st, &e);
        else if (store_in_transaction(j->st))
            store_rollback(j->st);
        sync_checkpoint_clear(&cp);
    }
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return;
    }
    j->prog.objects_done++;
    job_report(j, true);
}
