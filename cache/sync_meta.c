/* sync_meta.c — the metadata phase of a sync: custom object schemas,
 * account details and owners, then each object type's properties, groups
 * and pipelines, then the association definitions (which object types link
 * to which, with their labels), then the per-object plans.
 *
 * An object type the portal does not have (HubSpot answers 400 for an
 * unknown type) or the token may not read (403) is skipped with a reason,
 * unless it was asked for by name: then the sync fails with that reason. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "meta.h"
#include "sync_int.h"
#include "util.h"

#define NO_OBJ ((size_t)-1)

static void meta_objects(sync_job *j, size_t unused);
static void meta_props(sync_job *j, size_t unused);
static void meta_assoc_defs(sync_job *j, size_t unused);
static void meta_plan(sync_job *j, size_t unused);
static void meta_finish(sync_job *j, size_t unused);

/* A failure that means "this portal or token has no such thing". */
static bool absent_or_forbidden(const hs_result *r)
{
    return r->status == HT_FORBIDDEN || r->status == HT_NOT_FOUND ||
           (r->status == HT_INVALID && r->http_status == 400);
}

static void fail_result(sync_job *j, const char *what, const hs_result *r)
{
    ht_error e, said;
    ht_error_clear(&said);
    ht_error_copy(&e, r->err);   /* keeps HubSpot's category and correlation id */
    bool has = r->err && r->err->status != HT_OK;
    ht_error_set(&said, r->status, "%s: %s", what,
                 has ? r->err->message : ht_status_str(r->status));
    memcpy(e.message, said.message, sizeof e.message);
    e.status = r->status;
    job_fail(j, r->status, &e);
}

static void store_failed(sync_job *j, ht_status st, const ht_error *e)
{
    if (st != HT_OK)
        job_fail(j, st, e);
}

/* ---- schemas, account, owners ------------------------------------------------ */

static void on_schemas(sync_job *j, job_call *k, const hs_result *r)
{
    if (r->status != HT_OK) {
        if (absent_or_forbidden(r)) {
            log_info("sync: custom object schemas not readable (%s); standard objects only",
                     r->err ? r->err->message : ht_status_str(r->status));
            return;
        }
        fail_result(j, "reading custom object schemas", r);
        return;
    }
    ht_error e;
    store_failed(j, meta_store_schemas(j->st, json_object_get(r->body, "results"), &e), &e);
}

static void on_account(sync_job *j, job_call *k, const hs_result *r)
{
    if (r->status != HT_OK) {
        if (absent_or_forbidden(r))
            return;
        fail_result(j, "reading the account details", r);
        return;
    }
    ht_error e;
    store_failed(j, meta_store_account(j->st, r->body, &e), &e);
}

static bool on_owner_page(void *ud, json_t *results, const char *next_after)
{
    job_call *k = ud;
    json_array_extend(k->data, results);
    return true;
}

static void on_owners(sync_job *j, job_call *k, const hs_result *r)
{
    if (r->status != HT_OK) {
        if (absent_or_forbidden(r))
            return;
        fail_result(j, "reading owners", r);
        return;
    }
    ht_error e;
    store_failed(j, meta_store_owners(j->st, k->data, &e), &e);
}

static void json_free_data(void *p)
{
    json_decref(p);
}

void sync_meta_begin(sync_job *j, size_t unused)
{
    job_call *k = job_call_new(j, on_schemas, NO_OBJ);
    job_call_set_id(k, hs_schemas_list(j->c, HS_PRIO_BACKGROUND, call_done, k));
    k = job_call_new(j, on_account, NO_OBJ);
    job_call_set_id(k, hs_account_details(j->c, HS_PRIO_BACKGROUND, call_done, k));
    k = job_call_new(j, on_owners, NO_OBJ);
    k->data = json_array();
    k->free_data = json_free_data;
    job_call_set_id(k, hs_walk_owners(j->c, HS_PRIO_BACKGROUND, on_owner_page, call_done, k));
    job_push(j, meta_objects, NO_OBJ, SYNC_METADATA);
}

/* ---- which object types ------------------------------------------------------------ */

static sync_obj *add_obj(sync_job *j, const objmeta *m, bool named)
{
    for (size_t i = 0; i < j->nobjs; i++)
        if (strcmp(j->objs[i].name, m->name) == 0)
            return &j->objs[i];
    j->objs = xrealloc(j->objs, (j->nobjs + 1) * sizeof *j->objs);
    sync_obj *o = &j->objs[j->nobjs++];
    memset(o, 0, sizeof *o);
    o->name = xstrdup(m->name);
    o->type_id = xstrdup(m->type_id);
    o->lastmod = xstrdup(m->lastmod_prop ? m->lastmod_prop : hs_lastmodified_property(m->name));
    o->named = named;
    o->total = -1;
    return o;
}

static void meta_objects(sync_job *j, size_t unused)
{
    ht_error e;
    if (j->nnames) {
        for (size_t i = 0; i < j->nnames; i++) {
            const objmeta *m = meta_object(j->st, j->names[i], &e);
            if (!m) {
                job_failf(j, HT_INVALID, "unknown object type '%s' (see `hubtui status` for "
                          "the portal's object types)", j->names[i]);
                return;
            }
            add_obj(j, m, true);
            objmeta_release(m);
        }
    } else {
        objinfo *list = NULL;
        size_t n = 0;
        ht_status s = meta_list_objects(j->st, &list, &n, &e);
        if (s != HT_OK) {
            job_fail(j, s, &e);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            const objmeta *m = meta_object(j->st, list[i].type_id, &e);
            if (m)
                add_obj(j, m, false);
            objmeta_release(m);
        }
        objinfo_free_all(list, n);
    }
    job_push(j, meta_props, NO_OBJ, SYNC_METADATA);
}

/* ---- properties, groups, pipelines --------------------------------------------------- */

static void skip_obj(sync_job *j, sync_obj *o, const hs_result *r)
{
    const char *why = r->status == HT_FORBIDDEN ? "the token may not read it"
                                                : "the portal has no such object type";
    if (o->named) {
        fail_result(j, o->name, r);
        return;
    }
    if (!o->skip) {
        o->skip = true;
        o->skip_reason = xstrdup(why);
        log_info("sync: skipping %s: %s", o->name, why);
    }
}

static void take_prop_names(sync_obj *o, json_t *results)
{
    for (size_t k = 0; k < o->nprops; k++)
        free(o->props[k]);
    free(o->props);
    o->props = xcalloc(json_array_size(results) + 1, sizeof *o->props);
    o->nprops = 0;
    size_t i;
    json_t *p;
    json_array_foreach(results, i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        if (name && !json_is_true(json_object_get(p, "archived")))
            o->props[o->nprops++] = xstrdup(name);
    }
}

static void on_props(sync_job *j, job_call *k, const hs_result *r)
{
    sync_obj *o = &j->objs[k->obj];
    if (r->status != HT_OK) {
        if (absent_or_forbidden(r))
            skip_obj(j, o, r);
        else
            fail_result(j, "reading properties", r);
        return;
    }
    json_t *results = json_object_get(r->body, "results");
    ht_error e;
    ht_status s = meta_store_properties(j->st, o->name, results, &e);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        return;
    }
    take_prop_names(o, results);
}

static void on_groups(sync_job *j, job_call *k, const hs_result *r)
{
    sync_obj *o = &j->objs[k->obj];
    if (r->status != HT_OK) {
        if (absent_or_forbidden(r))
            skip_obj(j, o, r);
        else
            fail_result(j, "reading property groups", r);
        return;
    }
    ht_error e;
    store_failed(j, meta_store_property_groups(j->st, o->name,
                                               json_object_get(r->body, "results"), &e), &e);
}

static void on_pipelines(sync_job *j, job_call *k, const hs_result *r)
{
    sync_obj *o = &j->objs[k->obj];
    if (r->status != HT_OK) {
        if (!absent_or_forbidden(r))
            fail_result(j, "reading pipelines", r);
        return;
    }
    ht_error e;
    store_failed(j, meta_store_pipelines(j->st, o->name,
                                         json_object_get(r->body, "results"), &e), &e);
}

static bool has_pipelines(const sync_obj *o)
{
    return strcmp(o->type_id, "0-3") == 0 || strcmp(o->type_id, "0-5") == 0;
}

static void meta_props(sync_job *j, size_t unused)
{
    for (size_t i = 0; i < j->nobjs; i++) {
        sync_obj *o = &j->objs[i];
        job_call *k = job_call_new(j, on_props, i);
        job_call_set_id(k, hs_properties_list(j->c, HS_PRIO_BACKGROUND, o->type_id, false,
                                              call_done, k));
        k = job_call_new(j, on_groups, i);
        job_call_set_id(k, hs_property_groups_list(j->c, HS_PRIO_BACKGROUND, o->type_id,
                                                   call_done, k));
        if (has_pipelines(o)) {
            k = job_call_new(j, on_pipelines, i);
            job_call_set_id(k, hs_pipelines_list(j->c, HS_PRIO_BACKGROUND, o->type_id,
                                                 call_done, k));
        }
    }
    job_push(j, meta_assoc_defs, NO_OBJ, SYNC_METADATA);
}

/* ---- association definitions ------------------------------------------------------------ */

static void pair_add(json_t *pairs, const char *from, const char *to)
{
    json_t *list = json_object_get(pairs, from);
    if (!list) {
        list = json_array();
        json_object_set_new(pairs, from, list);
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (strcmp(json_string_value(v), to) == 0)
            return;
    json_array_append_new(list, json_string(to));
}

/* The cache's name of an object type id, or NULL when unknown (caller frees). */
static char *name_of_type(store *st, const char *type_id)
{
    if (!type_id)
        return NULL;
    const objmeta *m = meta_object(st, type_id, NULL);
    char *name = m ? xstrdup(m->name) : NULL;
    objmeta_release(m);
    return name;
}

static void add_schema_pairs(sync_job *j, json_t *pairs, json_t *schema)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(schema, "associations"), i, a) {
        char *from = name_of_type(j->st, json_string_value(json_object_get(a, "fromObjectTypeId")));
        char *to = name_of_type(j->st, json_string_value(json_object_get(a, "toObjectTypeId")));
        if (from && to)
            pair_add(pairs, from, to);
        free(from);
        free(to);
    }
}

/* Directed pairs of object type names collected from the schemas,
 * {"contacts": ["companies", ...], ...}, shared by the schema reads and the
 * labels task. */
typedef struct defs_state {
    json_t *pairs;
    int     refs;
} defs_state;

static void defs_unref(void *p)
{
    defs_state *d = p;
    if (--d->refs == 0) {
        json_decref(d->pairs);
        free(d);
    }
}

static void defs_labels(sync_job *j, size_t unused);

static void on_schema(sync_job *j, job_call *k, const hs_result *r)
{
    defs_state *d = k->data;
    sync_obj *o = &j->objs[k->obj];
    if (r->status == HT_OK) {
        add_schema_pairs(j, d->pairs, r->body);
        return;
    }
    if (!absent_or_forbidden(r)) {
        fail_result(j, "reading an object schema", r);
        return;
    }
    /* No schema for this type: assume it may link to every synced type;
     * the labels endpoint tells which pairs exist. */
    for (size_t i = 0; i < j->nobjs; i++)
        if (!j->objs[i].skip) {
            pair_add(d->pairs, o->name, j->objs[i].name);
            pair_add(d->pairs, j->objs[i].name, o->name);
        }
}

static json_t *load_pairs(sync_job *j)
{
    char *text = NULL;
    if (checkpoint_kv_get(j->st, NULL, "assoc_pairs", &text, NULL) != HT_OK || !text)
        return NULL;
    json_t *pairs = json_loads(text, 0, NULL);
    free(text);
    if (!json_is_object(pairs)) {
        json_decref(pairs);
        return NULL;
    }
    return pairs;
}

static bool defs_fresh(sync_job *j)
{
    char *text = NULL;
    int64_t at = 0;
    if (checkpoint_kv_get(j->st, NULL, "assoc_defs_ms", &text, NULL) != HT_OK || !text)
        return false;
    bool ok = str_to_i64(text, &at);
    free(text);
    int64_t age = time_now_ms() - at;
    return ok && age >= 0 && age < SYNC_ASSOC_DEFS_TTL_MS;
}

/* Give each object the types it links to. */
static void apply_pairs(sync_job *j, json_t *pairs)
{
    for (size_t i = 0; i < j->nobjs; i++) {
        sync_obj *o = &j->objs[i];
        json_t *list = json_object_get(pairs, o->name);
        size_t n = json_array_size(list);
        o->to = xcalloc(n + 1, sizeof *o->to);
        for (size_t t = 0; t < n; t++) {
            const char *to = json_string_value(json_array_get(list, t));
            const objmeta *m = to ? meta_object(j->st, to, NULL) : NULL;
            if (m)
                o->to[o->nto++] = xstrdup(m->name);
            objmeta_release(m);
        }
    }
}

static void meta_assoc_defs(sync_job *j, size_t unused)
{
    json_t *cached = (!j->full && defs_fresh(j)) ? load_pairs(j) : NULL;
    if (cached) {
        /* Objects not in the cached set (new custom types) get fresh
         * definitions next time the TTL runs out or with --full. */
        apply_pairs(j, cached);
        json_decref(cached);
        job_push(j, meta_plan, NO_OBJ, SYNC_METADATA);
        return;
    }
    defs_state *d = xcalloc(1, sizeof *d);
    d->pairs = load_pairs(j);
    if (!d->pairs)
        d->pairs = json_object();
    d->refs = 1;
    for (size_t i = 0; i < j->nobjs; i++) {
        if (j->objs[i].skip)
            continue;
        job_call *k = job_call_new(j, on_schema, i);
        k->data = d;
        k->free_data = defs_unref;
        d->refs++;
        job_call_set_id(k, hs_schema_get(j->c, HS_PRIO_BACKGROUND, j->objs[i].type_id,
                                         call_done, k));
    }
    /* The labels task holds the last reference. */
    job_push_arg(j, defs_labels, NO_OBJ, SYNC_METADATA, d, defs_unref);
}

static void on_labels(sync_job *j, job_call *k, const hs_result *r)
{
    const char *const *pair = k->data;
    if (r->status != HT_OK) {
        if (!absent_or_forbidden(r))
            fail_result(j, "reading association labels", r);
        return;
    }
    json_t *results = json_object_get(r->body, "results");
    ht_error e;
    store_failed(j, meta_store_assoc_types(j->st, pair[0], pair[1], results, &e), &e);
}

static void free_pair(void *p)
{
    char **pair = p;
    free(pair[0]);
    free(pair[1]);
    free(pair);
}

/* Store the pairs found, then read the labels of each pair that involves
 * an object of this run. */
static void defs_labels(sync_job *j, size_t unused)
{
    defs_state *d = j->task_arg;
    char *text = json_dumps(d->pairs, JSON_COMPACT | JSON_SORT_KEYS);
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)time_now_ms());
    ht_error e;
    ht_status s = store_begin(j->st, &e);
    if (s == HT_OK)
        s = checkpoint_kv_set(j->st, NULL, "assoc_pairs", text, &e);
    if (s == HT_OK)
        s = checkpoint_kv_set(j->st, NULL, "assoc_defs_ms", now, &e);
    s = store_commit_or_rollback(j->st, s, &e);
    free(text);
    if (s != HT_OK) {
        job_fail(j, s, &e);
        defs_unref(d);
        return;
    }
    apply_pairs(j, d->pairs);
    for (size_t i = 0; i < j->nobjs; i++) {
        sync_obj *o = &j->objs[i];
        if (o->skip)
            continue;
        for (size_t t = 0; t < o->nto; t++) {
            char **pair = xcalloc(2, sizeof *pair);
            pair[0] = xstrdup(o->name);
            pair[1] = xstrdup(o->to[t]);
            const objmeta *to = meta_object(j->st, o->to[t], NULL);
            job_call *k = job_call_new(j, on_labels, i);
            k->data = pair;
            k->free_data = free_pair;
            job_call_set_id(k, hs_assoc_labels(j->c, HS_PRIO_BACKGROUND, o->type_id,
                                               to ? to->type_id : o->to[t], call_done, k));
            objmeta_release(to);
        }
    }
    defs_unref(d);
    job_push(j, meta_plan, NO_OBJ, SYNC_METADATA);
}

/* ---- the plan ------------------------------------------------------------------------------- */

static void meta_plan(sync_job *j, size_t unused)
{
    for (size_t i = 0; i < j->nobjs; i++)
        if (!j->objs[i].skip)
            job_push(j, sync_records_plan, i, -1);
    job_push(j, sync_assoc_phase, NO_OBJ, SYNC_ASSOCIATIONS);
    for (size_t i = 0; i < j->nobjs; i++)
        if (!j->objs[i].skip)
            job_push(j, sync_assoc_touched, i, SYNC_ASSOCIATIONS);
    job_push(j, meta_finish, NO_OBJ, SYNC_FINISHED);
}

static void meta_finish(sync_job *j, size_t unused)
{
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)time_now_ms());
    ht_error e;
    ht_status s = checkpoint_kv_set(j->st, NULL, j->full ? "last_full_sync_ms" : "last_sync_ms",
                                    now, &e);
    if (s == HT_OK && j->full)
        s = checkpoint_kv_set(j->st, NULL, "last_sync_ms", now, &e);
    store_failed(j, s, &e);
}

/* ---- the rate budget for `hubtui status` ------------------------------------------------------ */

void sync_store_rate_budget(store *st, hs_client *c)
{
    hs_client_stats s;
    hs_client_stats_get(c, &s);
    json_t *o = json_pack("{sI sI sI sI sb sI sI sI}",
                          "at", (json_int_t)time_now_ms(),
                          "window_max", (json_int_t)s.window_max,
                          "window_interval_ms", (json_int_t)s.window_interval_ms,
                          "window_used", (json_int_t)s.window_used,
                          "learned", s.limits_learned,
                          "daily_max", (json_int_t)s.daily_max,
                          "daily_remaining", (json_int_t)s.daily_remaining,
                          "responses_429", (json_int_t)s.responses_429);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (checkpoint_kv_set(st, NULL, "rate_budget", text, NULL) != HT_OK)
        log_warn("sync: could not store the rate budget");
    free(text);
}
