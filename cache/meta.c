/* meta.c — object types, property definitions, pipelines, owners, account:
 * stored from HubSpot's JSON, read back as immutable snapshots. */
#include "meta.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records_int.h"
#include "store_int.h"

/* ---- small JSON readers --------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool jbool(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return strcmp(json_string_value(v), "true") == 0;
    return json_is_true(v);
}

static int64_t jint(const json_t *o, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (int64_t)json_real_value(v);
    int64_t n;
    if (json_is_string(v) && str_to_i64(json_string_value(v), &n))
        return n;
    return dflt;
}

/* ---- snapshots ------------------------------------------------------------ */

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void prop_def_clear(prop_def *p)
{
    free(p->name);
    free(p->label);
    free(p->description);
    free(p->group_name);
    free(p->type_name);
    free(p->field_type);
    free(p->referenced_object_type);
    free(p->calculation_formula);
    free(p->currency_property);
    free(p->col);
    for (size_t i = 0; i < p->noptions; i++) {
        free(p->options[i].value);
        free(p->options[i].label);
        free(p->options[i].description);
    }
    free(p->options);
}

static void pipeline_clear(pipeline *p)
{
    free(p->id);
    free(p->label);
    for (size_t i = 0; i < p->nstages; i++) {
        free(p->stages[i].id);
        free(p->stages[i].label);
        free(p->stages[i].ticket_state);
        free(p->stages[i].metadata_json);
    }
    free(p->stages);
}

static void objmeta_free(objmeta *m)
{
    free(m->name);
    free(m->type_id);
    free(m->fqn);
    free(m->label_singular);
    free(m->label_plural);
    free_strv(m->display_props, m->ndisplay);
    free(m->display_fallback);
    free_strv(m->search_props, m->nsearch);
    free(m->lastmod_prop);
    free(m->created_prop);
    free(m->stage_prop);
    free(m->pipeline_prop);
    for (size_t i = 0; i < m->nprops; i++)
        prop_def_clear(&m->props[i]);
    free(m->props);
    for (size_t i = 0; i < m->ngroups; i++) {
        free(m->groups[i].name);
        free(m->groups[i].label);
    }
    free(m->groups);
    for (size_t i = 0; i < m->npipelines; i++)
        pipeline_clear(&m->pipelines[i]);
    free(m->pipelines);
    free(m->table);
    free(m->fts);
    free(m);
}

void objmeta_release(const objmeta *cm)
{
    objmeta *m = (objmeta *)cm;
    if (m && atomic_fetch_sub(&m->refs, 1) == 1)
        objmeta_free(m);
}

void meta_cache_clear(store *st)
{
    for (size_t i = 0; i < st->nmetas; i++)
        objmeta_release(st->metas[i]);
    st->nmetas = 0;
}

static char **json_strv(const char *text, size_t *n)
{
    *n = 0;
    json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
    char **v = xcalloc(json_array_size(arr) + 1, sizeof *v);
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it) {
        if (json_is_string(it))
            v[(*n)++] = xstrdup(json_string_value(it));
    }
    json_decref(arr);
    return v;
}

static prop_type parse_prop_type(const char *t)
{
    static const struct { const char *name; prop_type type; } map[] = {
        {"number", PROP_NUMBER}, {"date", PROP_DATE}, {"datetime", PROP_DATETIME},
        {"enumeration", PROP_ENUM}, {"bool", PROP_BOOL}, {"boolean", PROP_BOOL},
        {"phone_number", PROP_PHONE},
    };
    for (size_t i = 0; t && i < ARRAY_SIZE(map); i++)
        if (strcmp(t, map[i].name) == 0)
            return map[i].type;
    return PROP_STRING;
}

static ht_status load_type_row(store *st, objmeta *m, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT name, type_id, fqn, label_singular, label_plural, display_props,"
        " display_fallback, search_props, lastmod_prop, created_prop, custom"
        " FROM object_types WHERE okey=?", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, m->okey);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? ht_error_set(err, HT_NOT_FOUND, "unknown object type")
                                 : store_fail(st, rc, "reading object types", err);
    }
    m->name = store_col_strdup(s, 0);
    m->type_id = store_col_strdup(s, 1);
    m->fqn = store_col_strdup(s, 2);
    m->label_singular = store_col_strdup(s, 3);
    m->label_plural = store_col_strdup(s, 4);
    m->display_props = json_strv((const char *)sqlite3_column_text(s, 5), &m->ndisplay);
    m->display_fallback = store_col_strdup(s, 6);
    m->search_props = json_strv((const char *)sqlite3_column_text(s, 7), &m->nsearch);
    m->lastmod_prop = store_col_strdup(s, 8);
    m->created_prop = store_col_strdup(s, 9);
    m->custom = sqlite3_column_int(s, 10);
    sqlite3_reset(s);
    m->table = xasprintf("rec_%lld", (long long)m->okey);
    m->fts = xasprintf("fts_%lld", (long long)m->okey);
    return HT_OK;
}

/* Each loader below reads the rows of one query about m (?1 = its key) and
 * hands them one by one to a row function with the loader's own state. */
typedef void (*meta_row_fn)(objmeta *m, sqlite3_stmt *s, void *state);

static ht_status load_rows(store *st, objmeta *m, const char *sql, meta_row_fn row,
                           void *state, const char *what, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, sql, err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, m->okey);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        row(m, s, state);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, what, err);
}

static void prop_row(objmeta *m, sqlite3_stmt *s, void *state)
{
    size_t *cap = state;
    if (m->nprops == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        m->props = xrealloc(m->props, *cap * sizeof *m->props);
    }
    prop_def *p = &m->props[m->nprops++];
    memset(p, 0, sizeof *p);
    p->name = store_col_strdup(s, 0);
    p->label = store_col_strdup(s, 1);
    if (!p->label)
        p->label = xstrdup(p->name);
    p->description = store_col_strdup(s, 2);
    p->group_name = store_col_strdup(s, 3);
    p->type_name = store_col_strdup(s, 4);
    p->field_type = store_col_strdup(s, 5);
    p->type = parse_prop_type(p->type_name);
    p->multi = p->type == PROP_ENUM && str_cmp0(p->field_type, "checkbox") == 0;
    p->calculated = sqlite3_column_int(s, 6);
    p->read_only_value = sqlite3_column_int(s, 7);
    p->read_only_definition = sqlite3_column_int(s, 8);
    p->has_unique_value = sqlite3_column_int(s, 9);
    p->hidden = sqlite3_column_int(s, 10);
    p->hubspot_defined = sqlite3_column_int(s, 11);
    p->external_options = sqlite3_column_int(s, 12);
    p->archived = sqlite3_column_int(s, 13);
    p->referenced_object_type = store_col_strdup(s, 14);
    p->calculation_formula = store_col_strdup(s, 15);
    p->currency_property = store_col_strdup(s, 16);
    p->display_order = sqlite3_column_int(s, 17);
    p->col = store_col_strdup(s, 18);
    p->defined = sqlite3_column_int(s, 19);
}

static ht_status load_props(store *st, objmeta *m, ht_error *err)
{
    size_t cap = 0;
    return load_rows(st, m,
        "SELECT p.name, p.label, p.description, p.group_name, p.type, p.field_type,"
        " p.calculated, p.read_only_value, p.read_only_definition, p.has_unique_value,"
        " p.hidden, p.hubspot_defined, p.external_options, p.archived,"
        " p.referenced_object_type, p.calculation_formula, p.currency_property,"
        " p.display_order, c.col, 1"
        " FROM properties p LEFT JOIN prop_cols c ON c.okey=p.okey AND c.name=p.name"
        " WHERE p.okey=?1"
        " UNION ALL"
        " SELECT c.name, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL,"
        " NULL, 0, c.col, 0 FROM prop_cols c WHERE c.okey=?1 AND NOT EXISTS"
        " (SELECT 1 FROM properties p WHERE p.okey=c.okey AND p.name=c.name)"
        " ORDER BY 1", prop_row, &cap, "reading properties", err);
}

/* Options arrive sorted by property; cur is the property being filled. */
typedef struct option_state {
    prop_def *cur;
    size_t    cap;
} option_state;

static void option_row(objmeta *m, sqlite3_stmt *s, void *state)
{
    option_state *os = state;
    const char *name = (const char *)sqlite3_column_text(s, 0);
    if (!os->cur || strcmp(os->cur->name, name) != 0) {
        os->cur = (prop_def *)objmeta_prop(m, name);
        os->cap = 0;
    }
    prop_def *cur = os->cur;
    if (!cur)
        return;
    if (cur->noptions == os->cap) {
        os->cap = os->cap ? os->cap * 2 : 8;
        cur->options = xrealloc(cur->options, os->cap * sizeof *cur->options);
    }
    prop_option *o = &cur->options[cur->noptions++];
    o->value = store_col_strdup(s, 1);
    o->label = store_col_strdup(s, 2);
    if (!o->label)
        o->label = xstrdup(o->value);
    o->description = store_col_strdup(s, 3);
    o->display_order = sqlite3_column_int(s, 4);
    o->hidden = sqlite3_column_int(s, 5);
}

static ht_status load_options(store *st, objmeta *m, ht_error *err)
{
    option_state os = {NULL, 0};
    return load_rows(st, m,
        "SELECT prop, value, label, description, display_order, hidden"
        " FROM property_options WHERE okey=? ORDER BY prop, display_order, value",
        option_row, &os, "reading property options", err);
}

static void group_row(objmeta *m, sqlite3_stmt *s, void *state)
{
    size_t *cap = state;
    if (m->ngroups == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        m->groups = xrealloc(m->groups, *cap * sizeof *m->groups);
    }
    prop_group *g = &m->groups[m->ngroups++];
    g->name = store_col_strdup(s, 0);
    g->label = store_col_strdup(s, 1);
    if (!g->label)
        g->label = xstrdup(g->name);
    g->display_order = sqlite3_column_int(s, 2);
}

static ht_status load_groups(store *st, objmeta *m, ht_error *err)
{
    size_t cap = 0;
    return load_rows(st, m,
        "SELECT name, label, display_order FROM property_groups"
        " WHERE okey=? AND archived=0 ORDER BY display_order, name",
        group_row, &cap, "reading property groups", err);
}

static void add_stage(pipeline *p, sqlite3_stmt *s, size_t *cap)
{
    if (p->nstages == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        p->stages = xrealloc(p->stages, *cap * sizeof *p->stages);
    }
    pipeline_stage *g = &p->stages[p->nstages++];
    g->id = store_col_strdup(s, 4);
    g->label = store_col_strdup(s, 5);
    if (!g->label)
        g->label = xstrdup(g->id);
    g->display_order = sqlite3_column_int(s, 6);
    g->archived = sqlite3_column_int(s, 7);
    g->metadata_json = store_col_strdup(s, 8);
    g->is_closed = sqlite3_column_int(s, 9);
    g->probability = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1
                                                               : sqlite3_column_double(s, 10);
    g->ticket_state = store_col_strdup(s, 11);
}

/* A row per stage (pipelines joined with their stages, in order); cur is
 * the pipeline being filled. */
typedef struct pipeline_state {
    pipeline *cur;
    size_t    cap, stage_cap;
} pipeline_state;

static void pipeline_row(objmeta *m, sqlite3_stmt *s, void *state)
{
    pipeline_state *ps = state;
    const char *id = (const char *)sqlite3_column_text(s, 0);
    if (!ps->cur || strcmp(ps->cur->id, id) != 0) {
        if (m->npipelines == ps->cap) {
            ps->cap = ps->cap ? ps->cap * 2 : 4;
            m->pipelines = xrealloc(m->pipelines, ps->cap * sizeof *m->pipelines);
        }
        pipeline *cur = ps->cur = &m->pipelines[m->npipelines++];
        memset(cur, 0, sizeof *cur);
        cur->id = xstrdup(id);
        cur->label = store_col_strdup(s, 1);
        if (!cur->label)
            cur->label = xstrdup(id);
        cur->display_order = sqlite3_column_int(s, 2);
        cur->archived = sqlite3_column_int(s, 3);
        ps->stage_cap = 0;
    }
    if (sqlite3_column_type(s, 4) != SQLITE_NULL)
        add_stage(ps->cur, s, &ps->stage_cap);
}

static ht_status load_pipelines(store *st, objmeta *m, ht_error *err)
{
    pipeline_state ps = {NULL, 0, 0};
    return load_rows(st, m,
        "SELECT p.id, p.label, p.display_order, p.archived, s.id, s.label, s.display_order,"
        " s.archived, s.metadata, s.is_closed, s.probability, s.ticket_state"
        " FROM pipelines p LEFT JOIN pipeline_stages s"
        " ON s.okey=p.okey AND s.pipeline_id=p.id"
        " WHERE p.okey=? ORDER BY p.display_order, p.id, s.display_order, s.id",
        pipeline_row, &ps, "reading pipelines", err);
}

static void set_pipeline_props(objmeta *m)
{
    if (strcmp(m->name, "deals") == 0) {
        m->pipeline_prop = xstrdup("pipeline");
        m->stage_prop = xstrdup("dealstage");
    } else if (m->npipelines > 0 || strcmp(m->name, "tickets") == 0) {
        m->pipeline_prop = xstrdup("hs_pipeline");
        m->stage_prop = xstrdup("hs_pipeline_stage");
    }
}

static objmeta *load_objmeta(store *st, int64_t okey, ht_error *err)
{
    objmeta *m = xcalloc(1, sizeof *m);
    m->okey = okey;
    atomic_init(&m->refs, 1);
    ht_status s = load_type_row(st, m, err);
    if (s == HT_OK)
        s = load_props(st, m, err);
    if (s == HT_OK)
        s = load_options(st, m, err);
    if (s == HT_OK)
        s = load_groups(st, m, err);
    if (s == HT_OK)
        s = load_pipelines(st, m, err);
    if (s != HT_OK) {
        objmeta_free(m);
        return NULL;
    }
    set_pipeline_props(m);
    return m;
}

static bool objmeta_matches(const objmeta *m, const char *name)
{
    return strcmp(m->name, name) == 0 || strcmp(m->type_id, name) == 0 ||
           (m->fqn && strcmp(m->fqn, name) == 0) || strcasecmp(m->name, name) == 0 ||
           (m->label_plural && strcasecmp(m->label_plural, name) == 0) ||
           (m->label_singular && strcasecmp(m->label_singular, name) == 0);
}

static ht_status refresh_if_stale(store *st, ht_error *err)
{
    int64_t gen;
    ht_status s = store_kv_get_i64(st, "meta_gen", &gen, err);
    if (s == HT_OK && gen != st->meta_gen) {
        meta_cache_clear(st);
        st->meta_gen = gen;
    }
    return s;
}

static ht_status resolve_okey(store *st, const char *object, int64_t *okey, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT okey FROM object_types WHERE name=?1 OR type_id=?1 OR fqn=?1"
        " OR lower(name)=lower(?1) OR lower(label_plural)=lower(?1)"
        " OR lower(label_singular)=lower(?1)"
        " ORDER BY (name=?1) DESC, (type_id=?1) DESC, (fqn=?1) DESC LIMIT 1", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, object, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *okey = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return ht_error_set(err, HT_NOT_FOUND, "unknown object type '%s'", object);
    return rc == SQLITE_ROW ? HT_OK : store_fail(st, rc, "reading object types", err);
}

const objmeta *meta_object_by_okey(store *st, int64_t okey, ht_error *err)
{
    if (refresh_if_stale(st, err) != HT_OK)
        return NULL;
    for (size_t i = 0; i < st->nmetas; i++) {
        if (st->metas[i]->okey == okey) {
            atomic_fetch_add(&st->metas[i]->refs, 1);
            return st->metas[i];
        }
    }
    objmeta *m = load_objmeta(st, okey, err);
    if (!m)
        return NULL;
    st->metas = xrealloc(st->metas, (st->nmetas + 1) * sizeof *st->metas);
    st->metas[st->nmetas++] = m;
    atomic_fetch_add(&m->refs, 1);
    return m;
}

const objmeta *meta_object(store *st, const char *object, ht_error *err)
{
    if (str_empty(object)) {
        ht_error_set(err, HT_INVALID, "no object type given");
        return NULL;
    }
    if (refresh_if_stale(st, err) != HT_OK)
        return NULL;
    for (size_t i = 0; i < st->nmetas; i++) {
        if (objmeta_matches(st->metas[i], object)) {
            atomic_fetch_add(&st->metas[i]->refs, 1);
            return st->metas[i];
        }
    }
    int64_t okey = 0;
    if (resolve_okey(st, object, &okey, err) != HT_OK)
        return NULL;
    return meta_object_by_okey(st, okey, err);
}

ht_status meta_okey(store *st, const char *object, int64_t *okey, ht_error *err)
{
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    *okey = m->okey;
    objmeta_release(m);
    return HT_OK;
}

static int prop_cmp_name(const void *key, const void *elem)
{
    return strcmp(key, ((const prop_def *)elem)->name);
}

const prop_def *objmeta_prop(const objmeta *m, const char *name)
{
    if (!m || !name || m->nprops == 0)
        return NULL;
    return bsearch(name, m->props, m->nprops, sizeof *m->props, prop_cmp_name);
}

const prop_option *prop_find_option(const prop_def *p, const char *text)
{
    if (!p || !text)
        return NULL;
    for (size_t i = 0; i < p->noptions; i++)
        if (strcasecmp(p->options[i].value, text) == 0)
            return &p->options[i];
    for (size_t i = 0; i < p->noptions; i++)
        if (strcasecmp(p->options[i].label, text) == 0)
            return &p->options[i];
    return NULL;
}

const char *prop_option_label(const prop_def *p, const char *value)
{
    if (p && value)
        for (size_t i = 0; i < p->noptions; i++)
            if (strcmp(p->options[i].value, value) == 0)
                return p->options[i].label;
    return value;
}

const pipeline *objmeta_pipeline(const objmeta *m, const char *id)
{
    for (size_t i = 0; m && id && i < m->npipelines; i++)
        if (strcmp(m->pipelines[i].id, id) == 0)
            return &m->pipelines[i];
    return NULL;
}

const pipeline_stage *pipeline_find_stage(const pipeline *p, const char *text)
{
    for (size_t i = 0; p && text && i < p->nstages; i++)
        if (strcmp(p->stages[i].id, text) == 0)
            return &p->stages[i];
    for (size_t i = 0; p && text && i < p->nstages; i++)
        if (strcasecmp(p->stages[i].label, text) == 0)
            return &p->stages[i];
    return NULL;
}

const pipeline *objmeta_pipeline_of_stage(const objmeta *m, const char *stage_id)
{
    for (size_t i = 0; m && stage_id && i < m->npipelines; i++)
        for (size_t j = 0; j < m->pipelines[i].nstages; j++)
            if (strcmp(m->pipelines[i].stages[j].id, stage_id) == 0)
                return &m->pipelines[i];
    return NULL;
}

bool prop_is_owner(const prop_def *p)
{
    return p && ((p->referenced_object_type &&
                  strcasecmp(p->referenced_object_type, "OWNER") == 0) ||
                 strcmp(p->name, "hubspot_owner_id") == 0);
}

/* ---- object list ------------------------------------------------------------ */

ht_status meta_list_objects(store *st, objinfo **out, size_t *n, ht_error *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(st,
        "SELECT name, type_id, label_singular, label_plural, custom, sync_default,"
        " live_count, live_count > 0 OR EXISTS(SELECT 1 FROM checkpoints c"
        "  WHERE c.okey=o.okey AND (c.backfill_done OR c.backfill_records > 0))"
        " FROM object_types o WHERE archived=0 ORDER BY custom, display_order, name", err);
    if (!s)
        return err ? err->status : HT_DB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        objinfo *o = &(*out)[(*n)++];
        o->name = store_col_strdup(s, 0);
        o->type_id = store_col_strdup(s, 1);
        o->label_singular = store_col_strdup(s, 2);
        o->label_plural = store_col_strdup(s, 3);
        o->custom = sqlite3_column_int(s, 4);
        o->sync_default = sqlite3_column_int(s, 5);
        o->count = sqlite3_column_int64(s, 6);
        o->synced = sqlite3_column_int(s, 7);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        objinfo_free_all(*out, *n);
        *out = NULL;
        *n = 0;
        return store_fail(st, rc, "listing object types", err);
    }
    return HT_OK;
}

void objinfo_free_all(objinfo *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].type_id);
        free(v[i].label_singular);
        free(v[i].label_plural);
    }
    free(v);
}

/* ---- owners ------------------------------------------------------------------ */

static void owner_from_row(sqlite3_stmt *s, owner *o)
{
    o->id = store_col_strdup(s, 0);
    o->email = store_col_strdup(s, 1);
    o->first_name = store_col_strdup(s, 2);
    o->last_name = store_col_strdup(s, 3);
    o->user_id = sqlite3_column_int64(s, 4);
    o->type = store_col_strdup(s, 5);
    o->archived = sqlite3_column_int(s, 6);
}

#define OWNER_COLS "id, email, first_name, last_name, user_id, type, archived"

void owner_clear(owner *o)
{
    if (!o)
        return;
    free(o->id);
    free(o->email);
    free(o->first_name);
    free(o->last_name);
    free(o->type);
    memset(o, 0, sizeof *o);
}

void owner_free_all(owner *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        owner_clear(&v[i]);
    free(v);
}

ht_status meta_owners(store *st, owner **out, size_t *n, ht_error *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT " OWNER_COLS " FROM owners ORDER BY archived,"
                                     " lower(ifnull(first_name,'')), lower(ifnull(last_name,'')),"
                                     " email, id", err);
    if (!s)
        return err ? err->status : HT_DB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        owner_from_row(s, &(*out)[(*n)++]);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "reading owners", err);
}

ht_status meta_owner_find(store *st, const char *text, owner *out, ht_error *err)
{
    memset(out, 0, sizeof *out);
    if (str_empty(text))
        return ht_error_set(err, HT_INVALID, "no owner given");
    sqlite3_stmt *s = store_stmt(st,
        "SELECT " OWNER_COLS " FROM owners WHERE id=?1"
        " OR lower(email)=lower(?1)"
        " OR lower(trim(ifnull(first_name,'')||' '||ifnull(last_name,'')))=lower(trim(?1))"
        " ORDER BY (id=?1) DESC, archived, id", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
    owner *found = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        found = xrealloc(found, (n + 1) * sizeof *found);
        owner_from_row(s, &found[n++]);
        if (strcmp(found[0].id, text) == 0)
            break; /* an exact id wins outright */
    }
    sqlite3_reset(s);
    ht_status ret = HT_OK;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ret = store_fail(st, rc, "reading owners", err);
    } else if (n == 0) {
        ret = ht_error_set(err, HT_NOT_FOUND, "no owner matches '%s'", text);
    } else if (n > 1 && strcmp(found[0].id, text) != 0) {
        strbuf names = {0};
        for (size_t i = 0; i < n; i++)
            strbuf_printf(&names, "%s%s (%s)", i ? ", " : "", found[i].id,
                          found[i].email ? found[i].email : "no email");
        ret = ht_error_set(err, HT_INVALID, "'%s' matches several owners: %s; use the id",
                           text, strbuf_str(&names));
        strbuf_free(&names);
    } else {
        *out = found[0];
        memset(&found[0], 0, sizeof found[0]);
    }
    owner_free_all(found, n);
    return ret;
}

char *meta_owner_label(store *st, const char *id)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT trim(ifnull(first_name,'')||' '||ifnull(last_name,'')), email"
        " FROM owners WHERE id=?", NULL);
    if (!s || !id)
        return NULL;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    char *label = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        const char *email = (const char *)sqlite3_column_text(s, 1);
        label = xstrdup(!str_empty(name) ? name : !str_empty(email) ? email : id);
    }
    sqlite3_reset(s);
    return label;
}

/* ---- account ----------------------------------------------------------------- */

void account_info_clear(account_info *a)
{
    if (!a)
        return;
    free(a->time_zone);
    free(a->currency);
    free(a->ui_domain);
    free(a->data_hosting);
    memset(a, 0, sizeof *a);
}

ht_status meta_account(store *st, account_info *out, ht_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(st, "SELECT portal_id, time_zone, currency, ui_domain,"
                                     " data_hosting FROM account WHERE id=1", err);
    if (!s)
        return err ? err->status : HT_DB;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->portal_id = sqlite3_column_int64(s, 0);
        out->time_zone = store_col_strdup(s, 1);
        out->currency = store_col_strdup(s, 2);
        out->ui_domain = store_col_strdup(s, 3);
        out->data_hosting = store_col_strdup(s, 4);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return ht_error_set(err, HT_NOT_FOUND, "no account details synced yet");
    return rc == SQLITE_ROW ? HT_OK : store_fail(st, rc, "reading account details", err);
}

ht_status meta_store_account(store *st, json_t *d, ht_error *err)
{
    if (!json_is_object(d))
        return ht_error_set(err, HT_PARSE, "account details are not a JSON object");
    sqlite3_stmt *s = store_stmt(st,
        "INSERT OR REPLACE INTO account(id, portal_id, time_zone, currency, ui_domain,"
        " data_hosting, updated_ms) VALUES(1,?,?,?,?,?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, jint(d, "portalId", 0));
    store_bind_text(s, 2, jstr(d, "timeZone"));
    store_bind_text(s, 3, jstr(d, "companyCurrency") ? jstr(d, "companyCurrency")
                                                     : jstr(d, "currency"));
    store_bind_text(s, 4, jstr(d, "uiDomain"));
    store_bind_text(s, 5, jstr(d, "dataHostingLocation"));
    sqlite3_bind_int64(s, 6, time_now_ms());
    return store_step_done(st, s, "storing account details", err);
}

/* ---- writers ------------------------------------------------------------------ */

/* Run body(st, okey, results, err) inside a transaction and mark metadata
 * changed; the common shape of every replace-style writer. */
typedef ht_status (*meta_body)(store *st, int64_t okey, json_t *results, ht_error *err);

static ht_status in_meta_tx(store *st, const char *object, json_t *results, meta_body body,
                            ht_error *err)
{
    if (!json_is_array(results))
        return ht_error_set(err, HT_PARSE, "expected a JSON array of results");
    int64_t okey = 0;
    ht_status s = object ? meta_okey(st, object, &okey, err) : HT_OK;
    if (s != HT_OK)
        return s;
    if ((s = store_begin(st, err)) != HT_OK)
        return s;
    s = body(st, okey, results, err);
    if (s == HT_OK)
        s = store_bump_meta_gen(st, err);
    s = store_commit_or_rollback(st, s, err);
    meta_cache_clear(st);
    return s;
}

static ht_status delete_for_okey(store *st, const char *sql, int64_t okey, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, sql, err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, okey);
    return store_step_done(st, s, "replacing metadata", err);
}

static ht_status insert_options(store *st, int64_t okey, const char *prop, json_t *opts,
                                ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "INSERT OR REPLACE INTO property_options(okey, prop, value, label, display_order,"
        " hidden, description) VALUES(?,?,?,?,?,?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    size_t i;
    json_t *o;
    json_array_foreach(opts, i, o) {
        const char *value = jstr(o, "value");
        if (!value)
            continue;
        sqlite3_bind_int64(s, 1, okey);
        sqlite3_bind_text(s, 2, prop, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, value, -1, SQLITE_TRANSIENT);
        store_bind_text(s, 4, jstr(o, "label"));
        sqlite3_bind_int64(s, 5, jint(o, "displayOrder", (int64_t)i));
        sqlite3_bind_int(s, 6, jbool(o, "hidden"));
        store_bind_text(s, 7, jstr(o, "description"));
        ht_status r = store_step_done(st, s, "storing property options", err);
        if (r != HT_OK)
            return r;
    }
    return HT_OK;
}

static ht_status insert_property(store *st, sqlite3_stmt *s, int64_t okey, json_t *p,
                                 ht_error *err)
{
    const char *name = jstr(p, "name");
    if (!name)
        return HT_OK;
    json_t *mm = json_object_get(p, "modificationMetadata");
    int i = 1;
    sqlite3_bind_int64(s, i++, okey);
    sqlite3_bind_text(s, i++, name, -1, SQLITE_TRANSIENT);
    store_bind_text(s, i++, jstr(p, "label"));
    store_bind_text(s, i++, jstr(p, "type"));
    store_bind_text(s, i++, jstr(p, "fieldType"));
    store_bind_text(s, i++, jstr(p, "groupName"));
    store_bind_text(s, i++, jstr(p, "description"));
    sqlite3_bind_int64(s, i++, jint(p, "displayOrder", 0));
    sqlite3_bind_int(s, i++, jbool(p, "hidden"));
    sqlite3_bind_int(s, i++, jbool(p, "calculated") ||
                                 str_cmp0(jstr(p, "fieldType"), "calculation_equation") == 0);
    sqlite3_bind_int(s, i++, jbool(mm, "readOnlyValue"));
    sqlite3_bind_int(s, i++, jbool(mm, "readOnlyDefinition"));
    sqlite3_bind_int(s, i++, jbool(p, "hasUniqueValue"));
    sqlite3_bind_int(s, i++, jbool(p, "hubspotDefined"));
    sqlite3_bind_int(s, i++, jbool(p, "externalOptions"));
    store_bind_text(s, i++, jstr(p, "referencedObjectType"));
    store_bind_text(s, i++, jstr(p, "calculationFormula"));
    store_bind_text(s, i++, jstr(p, "currencyPropertyName"));
    sqlite3_bind_int(s, i++, jbool(p, "archived"));
    ht_status r = store_step_done(st, s, "storing properties", err);
    if (r == HT_OK)
        r = insert_options(st, okey, name, json_object_get(p, "options"), err);
    return r;
}

#define INSERT_PROPERTY_SQL                                                         \
    "INSERT OR REPLACE INTO properties(okey, name, label, type, field_type, group_name,"  \
    " description, display_order, hidden, calculated, read_only_value,"                  \
    " read_only_definition, has_unique_value, hubspot_defined, external_options,"        \
    " referenced_object_type, calculation_formula, currency_property, archived)"          \
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

static ht_status replace_properties(store *st, int64_t okey, json_t *results, ht_error *err)
{
    ht_status s = delete_for_okey(st, "DELETE FROM properties WHERE okey=?", okey, err);
    if (s == HT_OK)
        s = delete_for_okey(st, "DELETE FROM property_options WHERE okey=?", okey, err);
    size_t i;
    json_t *p;
    json_array_foreach(results, i, p) {
        if (s != HT_OK)
            return s;
        sqlite3_stmt *ins = store_stmt(st, INSERT_PROPERTY_SQL, err);
        if (!ins)
            return err ? err->status : HT_DB;
        s = insert_property(st, ins, okey, p, err);
    }
    return s;
}

ht_status meta_store_properties(store *st, const char *object, json_t *results,
                                ht_error *err)
{
    return in_meta_tx(st, object, results, replace_properties, err);
}

static ht_status replace_groups(store *st, int64_t okey, json_t *results, ht_error *err)
{
    ht_status s = delete_for_okey(st, "DELETE FROM property_groups WHERE okey=?", okey, err);
    size_t i;
    json_t *g;
    json_array_foreach(results, i, g) {
        if (s != HT_OK)
            break;
        if (!jstr(g, "name"))
            continue;
        sqlite3_stmt *ins = store_stmt(st,
            "INSERT OR REPLACE INTO property_groups(okey, name, label, display_order, archived)"
            " VALUES(?,?,?,?,?)", err);
        if (!ins)
            return err ? err->status : HT_DB;
        sqlite3_bind_int64(ins, 1, okey);
        store_bind_text(ins, 2, jstr(g, "name"));
        store_bind_text(ins, 3, jstr(g, "label"));
        sqlite3_bind_int64(ins, 4, jint(g, "displayOrder", (int64_t)i));
        sqlite3_bind_int(ins, 5, jbool(g, "archived"));
        s = store_step_done(st, ins, "storing property groups", err);
    }
    return s;
}

ht_status meta_store_property_groups(store *st, const char *object, json_t *results,
                                     ht_error *err)
{
    return in_meta_tx(st, object, results, replace_groups, err);
}

static ht_status insert_stage(store *st, int64_t okey, const char *pid, json_t *g,
                              size_t order, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "INSERT OR REPLACE INTO pipeline_stages(okey, pipeline_id, id, label, display_order,"
        " archived, metadata, is_closed, probability, ticket_state)"
        " VALUES(?,?,?,?,?,?,?,?,?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    json_t *md = json_object_get(g, "metadata");
    const char *closed = jstr(md, "isClosed");
    const char *state = jstr(md, "ticketState");
    double prob;
    char *md_text = md ? json_dumps(md, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    sqlite3_bind_int64(s, 1, okey);
    sqlite3_bind_text(s, 2, pid, -1, SQLITE_TRANSIENT);
    store_bind_text(s, 3, jstr(g, "id"));
    store_bind_text(s, 4, jstr(g, "label"));
    sqlite3_bind_int64(s, 5, jint(g, "displayOrder", (int64_t)order));
    sqlite3_bind_int(s, 6, jbool(g, "archived"));
    store_bind_text(s, 7, md_text);
    sqlite3_bind_int(s, 8, str_cmp0(closed, "true") == 0 || json_is_true(json_object_get(md, "isClosed")) ||
                               str_cmp0(state, "CLOSED") == 0);
    if (jstr(md, "probability") && str_to_double(jstr(md, "probability"), &prob))
        sqlite3_bind_double(s, 9, prob);
    else
        sqlite3_bind_null(s, 9);
    store_bind_text(s, 10, state);
    free(md_text);
    return store_step_done(st, s, "storing pipeline stages", err);
}

static ht_status replace_pipelines(store *st, int64_t okey, json_t *results, ht_error *err)
{
    ht_status s = delete_for_okey(st, "DELETE FROM pipelines WHERE okey=?", okey, err);
    if (s == HT_OK)
        s = delete_for_okey(st, "DELETE FROM pipeline_stages WHERE okey=?", okey, err);
    size_t i, j;
    json_t *p, *g;
    json_array_foreach(results, i, p) {
        const char *pid = jstr(p, "id");
        if (s != HT_OK)
            return s;
        if (!pid)
            continue;
        sqlite3_stmt *ins = store_stmt(st,
            "INSERT OR REPLACE INTO pipelines(okey, id, label, display_order, archived)"
            " VALUES(?,?,?,?,?)", err);
        if (!ins)
            return err ? err->status : HT_DB;
        sqlite3_bind_int64(ins, 1, okey);
        sqlite3_bind_text(ins, 2, pid, -1, SQLITE_TRANSIENT);
        store_bind_text(ins, 3, jstr(p, "label"));
        sqlite3_bind_int64(ins, 4, jint(p, "displayOrder", (int64_t)i));
        sqlite3_bind_int(ins, 5, jbool(p, "archived"));
        s = store_step_done(st, ins, "storing pipelines", err);
        json_array_foreach(json_object_get(p, "stages"), j, g) {
            if (s == HT_OK && jstr(g, "id"))
                s = insert_stage(st, okey, pid, g, j, err);
        }
    }
    return s;
}

ht_status meta_store_pipelines(store *st, const char *object, json_t *results,
                               ht_error *err)
{
    return in_meta_tx(st, object, results, replace_pipelines, err);
}

static ht_status replace_owners(store *st, int64_t okey, json_t *results, ht_error *err)
{
    (void)okey;
    ht_status s = store_exec(st, "DELETE FROM owners", err);
    size_t i;
    json_t *o;
    json_array_foreach(results, i, o) {
        if (s != HT_OK)
            return s;
        char idbuf[32];
        const char *id = jstr(o, "id");
        if (!id && json_is_integer(json_object_get(o, "id"))) {
            snprintf(idbuf, sizeof idbuf, "%lld",
                     (long long)json_integer_value(json_object_get(o, "id")));
            id = idbuf;
        }
        if (!id)
            continue;
        sqlite3_stmt *ins = store_stmt(st,
            "INSERT OR REPLACE INTO owners(id, email, first_name, last_name, user_id, type,"
            " archived, teams) VALUES(?,?,?,?,?,?,?,?)", err);
        if (!ins)
            return err ? err->status : HT_DB;
        json_t *teams = json_object_get(o, "teams");
        char *teams_text = teams ? json_dumps(teams, JSON_COMPACT) : NULL;
        sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
        store_bind_text(ins, 2, jstr(o, "email"));
        store_bind_text(ins, 3, jstr(o, "firstName"));
        store_bind_text(ins, 4, jstr(o, "lastName"));
        sqlite3_bind_int64(ins, 5, jint(o, "userId", 0));
        store_bind_text(ins, 6, jstr(o, "type"));
        sqlite3_bind_int(ins, 7, jbool(o, "archived"));
        store_bind_text(ins, 8, teams_text);
        free(teams_text);
        s = store_step_done(st, ins, "storing owners", err);
    }
    return s;
}

ht_status meta_store_owners(store *st, json_t *results, ht_error *err)
{
    return in_meta_tx(st, NULL, results, replace_owners, err);
}

/* ---- association labels --------------------------------------------------------- */

typedef struct assoc_pair { int64_t from, to; } assoc_pair;

static ht_status pair_okeys(store *st, const char *from, const char *to, assoc_pair *p,
                            ht_error *err)
{
    ht_status s = meta_okey(st, from, &p->from, err);
    return s == HT_OK ? meta_okey(st, to, &p->to, err) : s;
}

ht_status meta_store_assoc_types(store *st, const char *from, const char *to,
                                 json_t *results, ht_error *err)
{
    if (!json_is_array(results))
        return ht_error_set(err, HT_PARSE, "expected a JSON array of labels");
    assoc_pair pr = {0, 0};
    ht_status s = pair_okeys(st, from, to, &pr, err);
    if (s == HT_OK)
        s = store_begin(st, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *del = store_stmt(st, "DELETE FROM assoc_labels WHERE from_okey=? AND to_okey=?",
                                   err);
    if (!del)
        s = err ? err->status : HT_DB;
    if (s == HT_OK) {
        sqlite3_bind_int64(del, 1, pr.from);
        sqlite3_bind_int64(del, 2, pr.to);
        s = store_step_done(st, del, "storing association labels", err);
    }
    size_t i;
    json_t *t;
    json_array_foreach(results, i, t) {
        if (s != HT_OK)
            break;
        sqlite3_stmt *ins = store_stmt(st,
            "INSERT OR REPLACE INTO assoc_labels(from_okey, to_okey, type_id, category, label)"
            " VALUES(?,?,?,?,?)", err);
        if (!ins) {
            s = err ? err->status : HT_DB;
            break;
        }
        sqlite3_bind_int64(ins, 1, pr.from);
        sqlite3_bind_int64(ins, 2, pr.to);
        sqlite3_bind_int64(ins, 3, jint(t, "typeId", 0));
        store_bind_text(ins, 4, jstr(t, "category"));
        store_bind_text(ins, 5, jstr(t, "label"));
        s = store_step_done(st, ins, "storing association labels", err);
    }
    return store_commit_or_rollback(st, s, err);
}

ht_status meta_assoc_types(store *st, const char *from, const char *to, assoc_type **out,
                           size_t *n, ht_error *err)
{
    *out = NULL;
    *n = 0;
    assoc_pair pr = {0, 0};
    ht_status ret = pair_okeys(st, from, to, &pr, err);
    if (ret != HT_OK)
        return ret;
    sqlite3_stmt *s = store_stmt(st, "SELECT type_id, category, label FROM assoc_labels"
                                     " WHERE from_okey=? AND to_okey=? ORDER BY type_id", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, pr.from);
    sqlite3_bind_int64(s, 2, pr.to);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        assoc_type *t = &(*out)[(*n)++];
        t->type_id = sqlite3_column_int(s, 0);
        t->category = store_col_strdup(s, 1);
        t->label = store_col_strdup(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "reading association labels", err);
}

void assoc_type_free_all(assoc_type *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].category);
        free(v[i].label);
    }
    free(v);
}

/* ---- custom object schemas --------------------------------------------------------- */

static char *json_text_array(json_t *first, json_t *rest)
{
    json_t *arr = json_array();
    if (json_is_string(first))
        json_array_append(arr, first);
    size_t i;
    json_t *it;
    json_array_foreach(rest, i, it) {
        if (json_is_string(it))
            json_array_append(arr, it);
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return text;
}

static ht_status upsert_schema(store *st, json_t *sc, ht_error *err)
{
    const char *type_id = jstr(sc, "objectTypeId");
    const char *name = jstr(sc, "name");
    if (!type_id || !name)
        return HT_OK;
    json_t *labels = json_object_get(sc, "labels");
    json_t *primary = json_object_get(sc, "primaryDisplayProperty");
    char *display = json_text_array(primary, NULL);
    char *search = json_text_array(primary, json_object_get(sc, "secondaryDisplayProperties"));
    /* A custom name that clashes with a standard one is known by its FQN. */
    sqlite3_stmt *s = store_stmt(st,
        "INSERT INTO object_types(name, type_id, fqn, label_singular, label_plural,"
        " display_props, search_props, lastmod_prop, created_prop, custom, archived,"
        " sync_default, display_order)"
        " VALUES(CASE WHEN EXISTS(SELECT 1 FROM object_types WHERE name=?1 AND type_id<>?2)"
        "  THEN ifnull(?3, ?2) ELSE ?1 END, ?2, ?3, ?4, ?5, ?6, ?7,"
        " 'hs_lastmodifieddate', 'hs_createdate', 1, ?8, 1, 1000)"
        " ON CONFLICT(type_id) DO UPDATE SET fqn=excluded.fqn,"
        " label_singular=excluded.label_singular, label_plural=excluded.label_plural,"
        " display_props=excluded.display_props, search_props=excluded.search_props,"
        " archived=excluded.archived RETURNING okey", err);
    ht_status ret = s ? HT_OK : (err ? err->status : HT_DB);
    int64_t okey = 0;
    if (s) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, type_id, -1, SQLITE_TRANSIENT);
        store_bind_text(s, 3, jstr(sc, "fullyQualifiedName"));
        store_bind_text(s, 4, jstr(labels, "singular"));
        store_bind_text(s, 5, jstr(labels, "plural"));
        sqlite3_bind_text(s, 6, display, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 7, search, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 8, jbool(sc, "archived"));
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            okey = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        if (rc != SQLITE_ROW)
            ret = store_fail(st, rc, "storing object schemas", err);
    }
    free(display);
    free(search);
    if (ret == HT_OK)
        ret = records_create_tables(st, okey, err);
    json_t *props = json_object_get(sc, "properties");
    if (ret == HT_OK && json_array_size(props) > 0)
        ret = replace_properties(st, okey, props, err);
    return ret;
}

static ht_status store_schemas_body(store *st, int64_t okey, json_t *results, ht_error *err)
{
    (void)okey;
    size_t i;
    json_t *sc;
    json_array_foreach(results, i, sc) {
        ht_status s = upsert_schema(st, sc, err);
        if (s != HT_OK)
            return s;
    }
    return HT_OK;
}

ht_status meta_store_schemas(store *st, json_t *results, ht_error *err)
{
    return in_meta_tx(st, NULL, results, store_schemas_body, err);
}
