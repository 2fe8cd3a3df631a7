/* sync_refresh.c — one record and its associations, fetched at interactive
 * priority when the user opens it, written to the cache in one transaction.
 *
 * The record comes from GET by id with every property (several GETs when
 * the property list is too long for one URL); its links come from the
 * per-record association list towards each type it can link to, all at
 * once. A 404 means HubSpot deleted or merged it away: it leaves the cache. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "meta.h"
#include "sync_int.h"
#include "util.h"

typedef struct refresh refresh;

typedef struct sub_call {
    refresh   *rf;
    hs_call_id id;
    size_t     slot;          /* property group, or ngroups + association type */
} sub_call;

struct refresh {
    hs_client     *c;
    store         *st;
    hs_call_id     op;
    char          *object, *type_id, *id;
    char         **props;
    size_t         nprops;
    size_t        *group;
    size_t         ngroups;
    json_t       **records;     /* per group: the record as read */
    char         **to;          /* linked object types */
    size_t         nto;
    json_t       **links;       /* per type: [{toObjectId, associationTypes}] */
    sub_call     **subs;
    size_t         nsubs;
    int            pending;
    bool           not_found;
    bool           cancelled;
    bool           reported;
    ht_status      status;
    ht_error       err;
    sync_record_fn done;
    void          *ud;
};

static void refresh_free(refresh *rf)
{
    for (size_t g = 0; g < rf->ngroups; g++)
        json_decref(rf->records[g]);
    for (size_t t = 0; t < rf->nto; t++) {
        json_decref(rf->links[t]);
        free(rf->to[t]);
    }
    for (size_t i = 0; i < rf->nprops; i++)
        free(rf->props[i]);
    for (size_t i = 0; i < rf->nsubs; i++)
        free(rf->subs[i]);
    free(rf->subs);
    free(rf->props);
    free(rf->group);
    free(rf->records);
    free(rf->to);
    free(rf->links);
    free(rf->object);
    free(rf->type_id);
    free(rf->id);
    free(rf);
}

static void report(refresh *rf, ht_status st, const ht_error *err)
{
    if (rf->reported)
        return;
    rf->reported = true;
    hs_op_unregister(rf->c, rf->op);
    rf->done(rf->ud, st, st == HT_OK ? NULL : err);
}

static void remember_failure(refresh *rf, ht_status st, const ht_error *err)
{
    if (rf->status != HT_OK)
        return;
    rf->status = st;
    if (err)
        ht_error_copy(&rf->err, err);
    else
        ht_error_set(&rf->err, st, "%s", ht_status_str(st));
}

/* The linked record's answer, wrapped as a batch read result for the cache. */
static json_t *as_batch_results(const char *id, json_t *links)
{
    return json_pack("[{s{ss}sO}]", "from", "id", id, "to", links);
}

static ht_status write_all(refresh *rf, ht_error *err)
{
    record_writer *w = records_writer_open(rf->st, rf->object, err);
    if (!w)
        return err && err->status != HT_OK ? err->status : HT_DB;
    ht_status s = store_begin(rf->st, err);
    for (size_t g = 0; s == HT_OK && g < rf->ngroups; g++) {
        json_t *one = json_pack("[O]", rf->records[g]);
        s = sync_write_records(rf->st, w, rf->object, one,
                               (const char *const *)rf->props + rf->group[g],
                               rf->group[g + 1] - rf->group[g], 0, NULL, NULL, NULL, NULL, err);
        json_decref(one);
    }
    for (size_t t = 0; s == HT_OK && t < rf->nto; t++) {
        if (json_array_size(rf->links[t]) == 0) {
            s = records_set_associations(rf->st, rf->object, rf->id, rf->to[t], NULL, 0, true,
                                         err);
            continue;
        }
        json_t *res = as_batch_results(rf->id, rf->links[t]);
        s = records_put_associations_json(rf->st, rf->object, rf->to[t], res, true, err);
        json_decref(res);
    }
    s = store_commit_or_rollback(rf->st, s, err);
    records_writer_close(w);
    return s;
}

static void finish(refresh *rf)
{
    ht_error e;
    ht_error_clear(&e);
    if (rf->cancelled) {
        ht_error_set(&e, HT_CANCELLED, "cancelled");
        report(rf, HT_CANCELLED, &e);
    } else if (rf->not_found) {
        const char *ids[] = {rf->id};
        ht_status s = records_archive(rf->st, rf->object, ids, 1, &e);
        if (s == HT_OK)
            ht_error_set(&e, HT_NOT_FOUND, "%s %s no longer exists on HubSpot", rf->object,
                         rf->id);
        report(rf, s == HT_OK ? HT_NOT_FOUND : s, &e);
    } else if (rf->status != HT_OK) {
        report(rf, rf->status, &rf->err);
    } else {
        ht_status s = write_all(rf, &e);
        report(rf, s, &e);
    }
    refresh_free(rf);
}

static void sub_finished(refresh *rf)
{
    if (--rf->pending == 0)
        finish(rf);
}

static void on_record(void *ud, const hs_result *r)
{
    sub_call *sc = ud;
    refresh *rf = sc->rf;
    sc->id = 0;
    if (r->status == HT_OK)
        rf->records[sc->slot] = json_incref(r->body);
    else if (r->status == HT_NOT_FOUND)
        rf->not_found = true;
    else if (r->status == HT_CANCELLED)
        rf->cancelled = true;
    else
        remember_failure(rf, r->status, r->err);
    sub_finished(rf);
}

static bool on_links_page(void *ud, json_t *results, const char *next_after)
{
    sub_call *sc = ud;
    refresh *rf = sc->rf;
    json_array_extend(rf->links[sc->slot - rf->ngroups], results);
    return true;
}

static void on_links_done(void *ud, const hs_result *r)
{
    sub_call *sc = ud;
    refresh *rf = sc->rf;
    sc->id = 0;
    if (r->status == HT_CANCELLED)
        rf->cancelled = true;
    else if (r->status == HT_NOT_FOUND)
        rf->not_found = true;
    else if (r->status != HT_OK && !rf->not_found)
        remember_failure(rf, r->status, r->err);
    sub_finished(rf);
}

/* A request refused before anything was sent: report what we found. */
static void on_refused(void *ud, const hs_result *r)
{
    sub_call *sc = ud;
    sc->id = 0;
    sub_finished(sc->rf);
}

static sub_call *new_sub(refresh *rf, size_t slot)
{
    sub_call *sc = xcalloc(1, sizeof *sc);
    sc->rf = rf;
    sc->slot = slot;
    rf->subs = xrealloc(rf->subs, (rf->nsubs + 1) * sizeof *rf->subs);
    rf->subs[rf->nsubs++] = sc;
    rf->pending++;
    return sc;
}

static void refresh_cancel(void *op)
{
    refresh *rf = op;
    rf->cancelled = true;
    /* Each cancelled sub-call answers now; the last one finishes (and frees) rf. */
    size_t n = rf->nsubs;
    hs_client *c = rf->c;
    hs_call_id *ids = xcalloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = rf->subs[i]->id;
    for (size_t i = 0; i < n; i++)
        if (ids[i])
            hs_cancel(c, ids[i]);
    free(ids);
}

/* The object types a record of `object` links to: the pairs the last sync
 * found, else every type the labels say it can link to. */
static void linked_types(store *st, const objmeta *m, refresh *rf)
{
    char *text = NULL;
    json_t *pairs = NULL;
    if (checkpoint_kv_get(st, NULL, "assoc_pairs", &text, NULL) == HT_OK && text)
        pairs = json_loads(text, 0, NULL);
    free(text);
    json_t *list = json_object_get(pairs, m->name);
    if (json_is_array(list)) {
        rf->to = xcalloc(json_array_size(list) + 1, sizeof *rf->to);
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
            const objmeta *tm = meta_object(st, json_string_value(v), NULL);
            if (tm)
                rf->to[rf->nto++] = xstrdup(tm->name);
            objmeta_release(tm);
        }
    } else {
        objinfo *objs = NULL;
        size_t n = 0;
        meta_list_objects(st, &objs, &n, NULL);
        rf->to = xcalloc(n + 1, sizeof *rf->to);
        for (size_t i = 0; i < n; i++) {
            assoc_type *types = NULL;
            size_t nt = 0;
            if (meta_assoc_types(st, m->name, objs[i].name, &types, &nt, NULL) == HT_OK && nt)
                rf->to[rf->nto++] = xstrdup(objs[i].name);
            assoc_type_free_all(types, nt);
        }
        objinfo_free_all(objs, n);
    }
    json_decref(pairs);
}

static void take_props(refresh *rf, const objmeta *m)
{
    rf->props = xcalloc(m->nprops + 1, sizeof *rf->props);
    for (size_t i = 0; i < m->nprops; i++)
        if (m->props[i].defined && !m->props[i].archived)
            rf->props[rf->nprops++] = xstrdup(m->props[i].name);
}

static void submit_reads(refresh *rf)
{
    for (size_t g = 0; g < rf->ngroups; g++) {
        size_t n = rf->group[g + 1] - rf->group[g];
        const char **props = xcalloc(n + 1, sizeof *props);
        memcpy(props, rf->props + rf->group[g], n * sizeof *props);
        hs_read_opts opts = {.properties = n ? props : NULL};
        sub_call *sc = new_sub(rf, g);
        sc->id = hs_objects_get(rf->c, HS_PRIO_INTERACTIVE, rf->type_id, rf->id, &opts,
                                on_record, sc);
        free(props);
    }
    for (size_t t = 0; t < rf->nto; t++) {
        const objmeta *tm = meta_object(rf->st, rf->to[t], NULL);
        rf->links[t] = json_array();
        sub_call *sc = new_sub(rf, rf->ngroups + t);
        /* A page walk at interactive priority: GET …/associations/{to}. */
        strbuf p = {0};
        strbuf_printf(&p, "/crm/v4/objects/%s/%s/associations/%s?limit=500", rf->type_id, rf->id,
                      tm ? tm->type_id : rf->to[t]);
        sc->id = hs_walk_pages(rf->c, HS_PRIO_INTERACTIVE, strbuf_str(&p), NULL, on_links_page,
                               on_links_done, sc);
        strbuf_free(&p);
        objmeta_release(tm);
    }
}

hs_call_id sync_refresh_record(portal_session *ps, const char *object, const char *id,
                               sync_record_fn done, void *ud)
{
    if (!ps || !ps->client || !done)
        return 0;
    hs_client *c = ps->client;
    refresh *rf = xcalloc(1, sizeof *rf);
    rf->c = c;
    rf->st = ps->st;
    rf->done = done;
    rf->ud = ud;
    rf->op = hs_op_register(c, HS_PRIO_INTERACTIVE, refresh_cancel, rf);
    ht_error e;
    int64_t num;
    const objmeta *m = object ? meta_object(ps->st, object, &e) : NULL;
    if (!m || !id || !records_parse_id(id, &num) || num <= 0) {
        if (m)
            ht_error_set(&e, HT_INVALID, "'%s' is not a HubSpot record id", id ? id : "");
        else if (!object)
            ht_error_set(&e, HT_INVALID, "no object type given");
        /* Report from the loop like any failed request. */
        rf->status = e.status != HT_OK ? e.status : HT_INVALID;
        ht_error_copy(&rf->err, &e);
        sub_call *sc = new_sub(rf, 0);
        sc->id = hs_submit_error(c, &e, on_refused, sc);
        objmeta_release(m);
        return rf->op;
    }
    rf->object = xstrdup(m->name);
    rf->type_id = xstrdup(m->type_id);
    rf->id = xstrdup(id);
    take_props(rf, m);
    linked_types(ps->st, m, rf);
    objmeta_release(m);
    rf->ngroups = sync_split_props(rf->props, rf->nprops, SYNC_DEFAULT_URL_BUDGET, &rf->group);
    if (rf->ngroups == 0)
        rf->ngroups = 1;   /* no definitions yet: HubSpot's default properties */
    rf->records = xcalloc(rf->ngroups, sizeof *rf->records);
    rf->links = xcalloc(rf->nto + 1, sizeof *rf->links);
    submit_reads(rf);
    return rf->op;
}
