/* sync_records.c — the records of one object type: which way to sync it,
 * writing HubSpot's records, and the incremental path (the list walks of
 * backfill and the full pass live in sync_list.c).
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
#include "store_int.h"
#include "sync_int.h"
#include "util.h"

#define PAGE_SIZE 100

static void task_incremental(sync_job *j, size_t obj);
static void task_archived(sync_job *j, size_t obj);
static void task_obj_done(sync_job *j, size_t obj);

/* ---- writing pages ------------------------------------------------------------ */

ht_status sync_forget_merged(store *st, const char *object, const char *self,
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
            s = sync_forget_merged(st, object, id, merged, err);
    }
    if (stats.kept_newer)
        log_info("sync: %s: %zu records came older than the cache holds them (the search "
                 "index lags); kept the cache's", object, stats.kept_newer);
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
        /* A pass over every record still pending comes later (it covers the sweep). */
        if (!kv_present(j->st, o->name, "assoc_all_after"))
            job_push(j, sync_assoc_sweep, obj, SYNC_ASSOCIATIONS);
        job_push(j, sync_assoc_changed, obj, SYNC_ASSOCIATIONS);
    } else {
        /* Its associations: in the pass over every record after all records. */
        job_push(j, sync_list_walk, obj, o->mode == MODE_FULL ? SYNC_RECONCILE : SYNC_BACKFILL);
    }
    job_push(j, task_obj_done, obj, SYNC_ASSOCIATIONS);
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
    s = store_commit_or_rollback(j->st, s, &e);
    if (s != HT_OK) {
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
    /* HubSpot's search index lags writes by seconds: soon after a push it
     * can return a record as it was before, and the cache already holds the
     * newer version (from the push's answer). */
    records_writer_keep_newer(iw->w, true);
    o->total = 0;
    char start[32];
    snprintf(start, sizeof start, "%lld", (long long)(from > 0 ? from : 0));
    hs_search_walk w = {
        .object_type = o->type_id,
        .sort_property = o->lastmod,
        .start_value = start,
        .properties = (const char *const *)o->props,
        .keyset = true,   /* records edited during the walk cannot hide others */
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
        s = store_commit_or_rollback(j->st, s, &e);
        sync_checkpoint_clear(&cp);
    }
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return;
    }
    j->prog.objects_done++;
    job_report(j, true);
}
