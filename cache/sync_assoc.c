/* sync_assoc.c — associations of synced records through v4 batch reads.
 *
 * Records are read in rounds of up to SYNC_ASSOC_SLICE ids: one batch read
 * per associated object type (1,000 ids a request), every type at once,
 * with records that have more than a page of links followed up page by
 * page. Each answer replaces what the cache held for those records towards
 * that type, in one transaction. The cache keeps both directions, so each
 * object's own records are read towards every type it links to.
 *
 * After a backfill or a full pass every record is read (resuming from a
 * stored cursor). An incremental sync reads the records it wrote; when a
 * record's links changed, the records on the other side are re-read too at
 * the end of the run (their half of the link). Because HubSpot moves no
 * timestamp when only an association changes, each incremental sync also
 * re-reads a slice of the other records (a rolling sweep, bounded by
 * sync_options.assoc_sweep requests), so such edits arrive within a few
 * syncs on large portals and at once on small ones. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "meta.h"
#include "sync_int.h"
#include "util.h"

#define ASSOC_READ_MAX 1000
#define NO_ASSOC "crm.associations.NO_ASSOCIATIONS_FOUND"

/* ---- storing one answer ----------------------------------------------------------- */

typedef struct target {
    int64_t id;
    int     types[8];
    int     ntypes;
} target;

static int target_cmp(const void *a, const void *b)
{
    const target *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void target_add(target **v, size_t *n, int64_t id, int type_id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].id == id) {
            if ((*v)[i].ntypes < (int)ARRAY_SIZE((*v)[i].types))
                (*v)[i].types[(*v)[i].ntypes++] = type_id;
            return;
        }
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[*n] = (target){.id = id, .types = {type_id}, .ntypes = 1};
    (*n)++;
}

static void targets_normalise(target *v, size_t n)
{
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        qsort(v[i].types, (size_t)v[i].ntypes, sizeof *v[i].types, int_cmp);
    qsort(v, n, sizeof *v, target_cmp);
}

static ht_status stored_targets(store *st, const char *from, const char *id, const char *to,
                                target **out, size_t *n, ht_error *err)
{
    *out = NULL;
    *n = 0;
    assoc_row *rows = NULL;
    size_t nrows = 0;
    ht_status s = records_assoc_rows(st, from, id, to, &rows, &nrows, err);
    for (size_t i = 0; s == HT_OK && i < nrows; i++) {
        int64_t tid;
        if (records_parse_id(rows[i].to_id, &tid))
            target_add(out, n, tid, rows[i].type_id);
    }
    assoc_rows_free(rows, nrows);
    targets_normalise(*out, *n);
    return s;
}

static void answer_targets(json_t *res, target **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t i, k;
    json_t *to, *t;
    json_array_foreach(json_object_get(res, "to"), i, to) {
        char id[32];
        int64_t tid;
        if (!hs_json_id(json_object_get(to, "toObjectId"), id) || !records_parse_id(id, &tid))
            continue;
        json_array_foreach(json_object_get(to, "associationTypes"), k, t)
            target_add(out, n, tid, (int)json_integer_value(json_object_get(t, "typeId")));
    }
    targets_normalise(*out, *n);
}

/* Targets present on one side only, or with other types: their own half
 * of the link is stale. */
static void diff_targets(const target *a, size_t na, const target *b, size_t nb, idlist *out)
{
    size_t i = 0, k = 0;
    while (i < na || k < nb) {
        if (k >= nb || (i < na && a[i].id < b[k].id)) {
            idlist_add(out, a[i++].id);
        } else if (i >= na || b[k].id < a[i].id) {
            idlist_add(out, b[k++].id);
        } else {
            if (a[i].ntypes != b[k].ntypes ||
                memcmp(a[i].types, b[k].types, (size_t)a[i].ntypes * sizeof *a[i].types) != 0)
                idlist_add(out, a[i].id);
            i++;
            k++;
        }
    }
}

static ht_status note_changes(store *st, const char *from, const char *to, const char *id,
                              json_t *res, idlist *touched, ht_error *err)
{
    target *old = NULL, *now = NULL;
    size_t nold = 0, nnow = 0;
    ht_status s = stored_targets(st, from, id, to, &old, &nold, err);
    if (s == HT_OK) {
        if (res)
            answer_targets(res, &now, &nnow);
        diff_targets(old, nold, now, nnow, touched);
    }
    free(old);
    free(now);
    return s;
}

/* The ids an error entry is about (context.ids, or fromObjectId). */
static size_t error_ids(const apierror_item *it, const char ***ids)
{
    if (it->n_ids) {
        *ids = it->ids;
        return it->n_ids;
    }
    *ids = NULL;
    return 0;
}

/* Inputs answered "no associations": collect them as empty results, so
 * one call clears them all (replace with nothing). */
static ht_status collect_unlinked(store *st, const char *from, const char *to,
                                  const apierror_item *it, idlist *touched, json_t *empty,
                                  ht_error *err)
{
    if (str_cmp0(it->sub_category, NO_ASSOC) != 0)
        return HT_OK;
    const char **ids;
    size_t n = error_ids(it, &ids);
    json_t *from_ids = json_object_get(it->context, "fromObjectId");
    ht_status s = HT_OK;
    for (size_t i = 0; s == HT_OK && i < n + json_array_size(from_ids); i++) {
        const char *id = i < n ? ids[i] : json_string_value(json_array_get(from_ids, i - n));
        if (!id)
            continue;
        if (touched)
            s = note_changes(st, from, to, id, NULL, touched, err);
        json_array_append_new(empty, json_pack("{s{ss}s[]}", "from", "id", id, "to"));
    }
    return s;
}

static void add_more(json_t **more, json_t *res)
{
    const char *after = hs_next_after(res);
    char id[32];
    if (!after || !hs_json_id(json_object_get(json_object_get(res, "from"), "id"), id))
        return;
    if (!*more)
        *more = json_array();
    json_array_append_new(*more, json_pack("{ssss}", "id", id, "after", after));
}

ht_status sync_store_assoc_batch(store *st, const char *from, const char *to,
                                 const hs_batch_result *r, bool first_page, idlist *touched,
                                 json_t **more, ht_error *err)
{
    *more = NULL;
    ht_status s = store_begin(st, err);
    size_t i;
    json_t *res;
    json_array_foreach(r->results, i, res) {
        char id[32];
        if (s != HT_OK)
            break;
        if (!hs_json_id(json_object_get(json_object_get(res, "from"), "id"), id))
            continue;
        if (touched && first_page)
            s = note_changes(st, from, to, id, res, touched, err);
        add_more(more, res);
    }
    if (s == HT_OK && json_array_size(r->results) > 0)
        s = records_put_associations_json(st, from, to, r->results, first_page, err);
    json_t *empty = json_array();
    for (size_t e = 0; s == HT_OK && first_page && e < r->n_errors; e++)
        s = collect_unlinked(st, from, to, &r->errors[e], touched, empty, err);
    if (s == HT_OK && json_array_size(empty) > 0)
        s = records_put_associations_json(st, from, to, empty, true, err);
    json_decref(empty);
    s = store_commit_or_rollback(st, s, err);
    if (s != HT_OK) {
        json_decref(*more);
        *more = NULL;
    }
    return s;
}

/* ---- rounds ------------------------------------------------------------------------------- */

typedef void (*round_end_fn)(sync_job *j, size_t obj, int64_t last_id);

static void all_round_end(sync_job *j, size_t obj, int64_t last_id);

typedef struct assoc_round {
    size_t       obj;
    int          pending;    /* reads still to answer */
    int          refs;
    int64_t      last_id;    /* the largest id of the round */
    bool         collect;    /* note counterparts whose links changed */
    round_end_fn end;
} assoc_round;

typedef struct assoc_read {
    assoc_round *rd;
    size_t       to;         /* index into the object's `to` */
    bool         first;      /* first page of every input */
} assoc_read;

static void read_free(void *p)
{
    assoc_read *ar = p;
    if (--ar->rd->refs == 0)
        free(ar->rd);
    free(ar);
}

static idlist *touched_of(sync_job *j, const char *name)
{
    for (size_t i = 0; i < j->nobjs; i++)
        if (!j->objs[i].skip && strcmp(j->objs[i].name, name) == 0)
            return &j->objs[i].touched;
    return NULL;
}

static void submit_read(sync_job *j, assoc_round *rd, size_t to, json_t *inputs, bool first);

static void on_assoc_read(sync_job *j, job_call *k, const hs_batch_result *r)
{
    assoc_read *ar = k->data;
    assoc_round *rd = ar->rd;
    sync_obj *o = &j->objs[rd->obj];
    const char *to = o->to[ar->to];
    if (r->status != HT_OK) {
        job_fail(j, r->status, r->err);
        return;
    }
    json_t *more = NULL;
    ht_error e;
    ht_status s = sync_store_assoc_batch(j->st, o->name, to, r, ar->first,
                                         rd->collect ? touched_of(j, to) : NULL, &more, &e);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return;
    }
    if (more) {
        submit_read(j, rd, ar->to, more, false);
        json_decref(more);
    }
    if (--rd->pending == 0)
        rd->end(j, rd->obj, rd->last_id);
}

static void submit_read(sync_job *j, assoc_round *rd, size_t to, json_t *inputs, bool first)
{
    sync_obj *o = &j->objs[rd->obj];
    const objmeta *tm = meta_object(j->st, o->to[to], NULL);
    assoc_read *ar = xcalloc(1, sizeof *ar);
    ar->rd = rd;
    ar->to = to;
    ar->first = first;
    rd->refs++;
    rd->pending++;
    job_call *k = job_batch_new(j, on_assoc_read, rd->obj);
    k->data = ar;
    k->free_data = read_free;
    job_call_set_id(k, hs_assoc_batch_read(j->c, HS_PRIO_BACKGROUND, o->type_id,
                                           tm ? tm->type_id : o->to[to], inputs,
                                           call_batch_done, k));
    objmeta_release(tm);
}

static json_t *id_inputs(const int64_t *ids, size_t n)
{
    json_t *inputs = json_array();
    for (size_t i = 0; i < n; i++) {
        char id[32];
        records_format_id(ids[i], id);
        json_array_append_new(inputs, json_string(id));
    }
    return inputs;
}

/* ---- the other side first ----------------------------------------------------------------
 *
 * Links go both ways: when the records of B were all read towards A in
 * this run, only the records of A that some B links to can have links
 * towards B. So a pass over A reads A→B for those alone and clears A→B of
 * the rest without asking; with contacts in their millions and deals in
 * their thousands that is most of the requests saved. Passes run smallest
 * type first to make the most of it. */

static ssize_t obj_index(const sync_job *j, const char *name)
{
    for (size_t i = 0; i < j->nobjs; i++)
        if (!j->objs[i].skip && strcmp(j->objs[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

static bool links_to(const sync_obj *o, const char *name)
{
    for (size_t t = 0; t < o->nto; t++)
        if (strcmp(o->to[t], name) == 0)
            return true;
    return false;
}

/* The sorted ids of obj that records of o->to[t] link to, when that side
 * was read whole in this run; NULL otherwise. */
static const idlist *other_side(sync_job *j, size_t obj, size_t t)
{
    sync_obj *o = &j->objs[obj];
    ssize_t b = obj_index(j, o->to[t]);
    if (b < 0 || (size_t)b == obj || !j->objs[b].assoc_all_ran ||
        !links_to(&j->objs[b], o->name))
        return NULL;
    if (!o->linked)
        o->linked = xcalloc(o->nto, sizeof *o->linked);
    idlist *l = &o->linked[t];
    if (!l->sorted) {
        int64_t *ids = NULL;
        size_t n = 0;
        if (records_assoc_linked_ids(j->st, o->to[t], o->name, &ids, &n, NULL) != HT_OK)
            return NULL;
        for (size_t i = 0; i < n; i++)
            idlist_add(l, ids[i]);
        free(ids);
        l->sorted = true;   /* sorted by the query; also marks it loaded */
    }
    return l;
}

/* ids (ascending) that are in l. */
static size_t intersect(const int64_t *ids, size_t n, const idlist *l, int64_t *out)
{
    size_t i = 0, k = 0, m = 0;
    while (i < n && k < l->n) {
        if (ids[i] < l->v[k])
            i++;
        else if (l->v[k] < ids[i])
            k++;
        else {
            out[m++] = ids[i];
            i++;
            k++;
        }
    }
    return m;
}

/* Read the associations of ids (ascending) towards every linked type; end
 * runs once every answer is stored. shortcut: use the other side where it
 * was read whole (the pass over every record). */
static void start_round(sync_job *j, size_t obj, const int64_t *ids, size_t n, bool collect,
                        round_end_fn end)
{
    sync_obj *o = &j->objs[obj];
    assoc_round *rd = xcalloc(1, sizeof *rd);
    rd->obj = obj;
    rd->refs = 1;
    rd->collect = collect;
    rd->end = end;
    rd->last_id = n ? ids[n - 1] : 0;
    json_t *all = id_inputs(ids, n);
    int64_t *sub = xcalloc(n + 1, sizeof *sub);
    for (size_t t = 0; t < o->nto && !j->stopping; t++) {
        const idlist *l = end == all_round_end ? other_side(j, obj, t) : NULL;
        if (!l) {
            submit_read(j, rd, t, all, true);
            continue;
        }
        size_t m = n ? intersect(ids, n, l, sub) : 0;
        ht_error e;
        ht_status s = n ? records_clear_assoc_range(j->st, o->name, o->to[t], ids[0],
                                                    ids[n - 1], sub, m, &e) : HT_OK;
        if (s != HT_OK) {
            job_fail(j, s, &e);
            break;
        }
        if (m) {
            json_t *some = id_inputs(sub, m);
            submit_read(j, rd, t, some, true);
            json_decref(some);
        }
    }
    free(sub);
    json_decref(all);
    if (--rd->refs == 0) {
        /* Nothing was asked (every pair answered by the other side). */
        round_end_fn fn = rd->end;
        int64_t last = rd->last_id;
        free(rd);
        if (!j->stopping)
            fn(j, obj, last);
    }
}

/* ---- every record (after a backfill or full pass) ---------------------------------------------- */

static ht_status kv_get_i64(store *st, const char *object, const char *key, int64_t *out,
                            bool *present, ht_error *err)
{
    char *text = NULL;
    ht_status s = checkpoint_kv_get(st, object, key, &text, err);
    *present = text != NULL;
    *out = 0;
    if (text && !str_to_i64(text, out))
        *out = 0;
    free(text);
    return s;
}

static ht_status kv_set_i64(store *st, const char *object, const char *key, int64_t v,
                            ht_error *err)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)v);
    return checkpoint_kv_set(st, object, key, text, err);
}

static void all_round_end(sync_job *j, size_t obj, int64_t last_id)
{
    ht_error e;
    ht_status s = kv_set_i64(j->st, j->objs[obj].name, "assoc_all_after", last_id, &e);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return;
    }
    job_push(j, sync_assoc_all, obj, SYNC_ASSOCIATIONS);
}

void sync_assoc_all(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    int64_t after;
    bool present;
    ht_error e;
    ht_status s = kv_get_i64(j->st, o->name, "assoc_all_after", &after, &present, &e);
    if (s != HT_OK || !present) {
        if (s != HT_OK)
            job_fail(j, s, &e);
        return;
    }
    if (after == 0 && !o->assoc_all_started)
        o->assoc_all_from_start = true;
    o->assoc_all_started = true;
    int64_t *ids = xcalloc(SYNC_ASSOC_SLICE, sizeof *ids);
    size_t n = 0;
    if (o->nto > 0)
        s = records_ids_after(j->st, o->name, after, SYNC_ASSOC_SLICE, ids, &n, &e);
    if (s == HT_OK && n == 0) {
        s = checkpoint_kv_set(j->st, o->name, "assoc_all_after", NULL, &e);
        /* Only a pass that began at the first record read the side whole. */
        o->assoc_all_ran = s == HT_OK && o->assoc_all_from_start;
    }
    if (s != HT_OK)
        job_fail(j, s, &e);
    else if (n > 0)
        start_round(j, obj, ids, n, false, all_round_end);
    free(ids);
}

typedef struct sized { size_t obj; int64_t count; } sized;

static int sized_cmp(const void *a, const void *b)
{
    const sized *x = a, *y = b;
    return x->count < y->count ? -1 : x->count > y->count;
}

void sync_assoc_phase(sync_job *j, size_t unused)
{
    objinfo *info = NULL;
    size_t ninfo = 0;
    meta_list_objects(j->st, &info, &ninfo, NULL);
    sized *order = xcalloc(j->nobjs + 1, sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < j->nobjs; i++) {
        char *v = NULL;
        if (j->objs[i].skip ||
            checkpoint_kv_get(j->st, j->objs[i].name, "assoc_all_after", &v, NULL) != HT_OK || !v)
            continue;
        free(v);
        order[n].obj = i;
        for (size_t k = 0; k < ninfo; k++)
            if (strcmp(info[k].name, j->objs[i].name) == 0)
                order[n].count = info[k].count;
        n++;
    }
    if (n)
        qsort(order, n, sizeof *order, sized_cmp);
    for (size_t i = 0; i < n; i++)
        job_push(j, sync_assoc_all, order[i].obj, SYNC_ASSOCIATIONS);
    free(order);
    objinfo_free_all(info, ninfo);
}

/* ---- records written this run, and their counterparts --------------------------------------------- */

static void changed_round_end(sync_job *j, size_t obj, int64_t last_id)
{
    job_push(j, sync_assoc_changed, obj, SYNC_ASSOCIATIONS);
}

static void list_round(sync_job *j, size_t obj, idlist *l, size_t *pos, bool collect,
                       round_end_fn end)
{
    sync_obj *o = &j->objs[obj];
    idlist_sort(l);
    if (o->nto == 0 || *pos >= l->n)
        return;
    size_t n = l->n - *pos < SYNC_ASSOC_SLICE ? l->n - *pos : SYNC_ASSOC_SLICE;
    const int64_t *ids = l->v + *pos;
    *pos += n;
    start_round(j, obj, ids, n, collect, end);
}

void sync_assoc_changed(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    list_round(j, obj, &o->changed, &o->changed_pos, true, changed_round_end);
}

static void touched_round_end(sync_job *j, size_t obj, int64_t last_id)
{
    job_push(j, sync_assoc_touched, obj, SYNC_ASSOCIATIONS);
}

void sync_assoc_touched(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    list_round(j, obj, &o->touched, &o->touched_pos, false, touched_round_end);
}

/* ---- the rolling sweep ------------------------------------------------------------------------ */

static int64_t sweep_allowance(sync_job *j, const sync_obj *o)
{
    size_t with_pairs = 0;
    for (size_t i = 0; i < j->nobjs; i++)
        with_pairs += !j->objs[i].skip && j->objs[i].nto > 0;
    int64_t per_obj = with_pairs ? j->assoc_sweep / (int64_t)with_pairs : 0;
    if (per_obj < 1)
        per_obj = 1;
    int64_t slices = per_obj / (int64_t)o->nto;
    return (slices < 1 ? 1 : slices) * ASSOC_READ_MAX;
}

/* Add the next slice of unchanged records to the ids read this run; their
 * reads share requests with the changed ones. The cursor moves with the
 * high-water mark when the object is done. */
void sync_assoc_sweep(sync_job *j, size_t obj)
{
    sync_obj *o = &j->objs[obj];
    if (j->assoc_sweep <= 0 || o->nto == 0)
        return;
    int64_t after;
    bool present;
    ht_error e;
    ht_status s = kv_get_i64(j->st, o->name, "assoc_sweep_after", &after, &present, &e);
    int64_t want = sweep_allowance(j, o);
    int64_t *ids = xcalloc(SYNC_ASSOC_SLICE, sizeof *ids);
    o->sweep_cursor = after;
    while (s == HT_OK && want > 0) {
        size_t n = 0;
        size_t ask = want < SYNC_ASSOC_SLICE ? (size_t)want : SYNC_ASSOC_SLICE;
        s = records_ids_after(j->st, o->name, o->sweep_cursor, ask, ids, &n, &e);
        for (size_t i = 0; i < n; i++)
            idlist_add(&o->changed, ids[i]);
        if (n < ask) {
            o->sweep_cursor = 0;   /* the end: start over next time */
            break;
        }
        o->sweep_cursor = ids[n - 1];
        want -= (int64_t)n;
    }
    o->sweep_done = s == HT_OK;
    free(ids);
    if (s != HT_OK)
        job_fail(j, s, &e);
}
