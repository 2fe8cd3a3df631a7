/* query.c — keyset-paged windows over a record table.
 *
 * Rows are ordered by (key, id) with empty keys after all others. A page
 * continues from a cursor (key k, id i) in up to three index seeks, never a
 * row-value comparison (SQLite cannot seek an expression index with one):
 *   1. key = k and id beyond i      (the rest of k's ties)
 *   2. key beyond k                  (the following keys)
 *   3. key is empty                  (the empty tail, by id)
 * and backwards the mirror image.
 *
 * Two plans. The sorted plan walks the sort index and tests the filter on
 * each row (filter columns masked with unary '+' so SQLite cannot pick their
 * indexes instead and sort thousands of rows for one page): ideal unless the
 * filter is rare. It runs on a time budget; when that runs out the filter is
 * selective, and the query switches for good to the filter plan, where
 * SQLite drives from the filter (an index on it, or one scan) and sorts the
 * few matches once; pages then come from that ordered list of ids.
 *
 * Quick-search matches are fetched from the full-text index once into a
 * temp table. Both the list and the temp tables are rebuilt when the data
 * changes (another connection committed, or this one wrote), so pages always
 * show the cache as it is. */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "filter_int.h"
#include "records.h"
#include "records_int.h"

/* Time the sorted plan may spend on one page before the filter counts as
 * rare (a few thousand rows, each a random read). */
#define SORTED_PLAN_BUDGET_MS 15
/* The filter plan keeps at most this many matches in memory (8 bytes each,
 * plus the lookup table); beyond, it pages with SQL like the sorted plan. */
#define MATCH_LIST_MAX 250000

/* When the data last changed, as seen from one connection. */
typedef struct data_stamp {
    int64_t  version;           /* PRAGMA data_version: other connections' commits */
    uint64_t writes;            /* this connection's writes */
} data_stamp;

/* The filter plan's ordered matches. */
typedef struct match_list {
    bool       built, too_big;
    data_stamp stamp;
    int64_t   *ids;
    size_t     n;
    size_t    *slots;           /* open addressing: position + 1, 0 = free */
    size_t     nslots;
} match_list;

struct query {
    store         *st;
    const objmeta *m;
    filter        *f;
    filter_sql     fs;              /* the filter plan: SQLite picks the index */
    filter_sql     fs_sorted;       /* the sorted plan: only the sort index */
    bool           filter_plan;     /* the sorted plan gave up once: stay on the filter plan */
    bool           by_id;
    prop_key       sort;
    bool           desc;
    size_t         ncols;
    prop_key      *cols;
    char         **col_names;
    char          *select;         /* "SELECT id, key, cols… FROM t WHERE (f)" */
    char          *select_sorted;  /* the same with the masked filter */
    char          *key_masked;     /* the sort key as the filter plan uses it ("+col") */
    char           set_prefix[32]; /* temp tables of quick-search matches */
    bool           sets_ready;
    data_stamp     sets_stamp;
    match_list     list;
    char          *index_name;     /* NULL when no index applies */
    bool           needs_index;
};

/* ---- opening ---------------------------------------------------------------------- */

static void list_clear(match_list *l)
{
    free(l->ids);
    free(l->slots);
    memset(l, 0, sizeof *l);
}

static void drop_sets(query *q)
{
    for (size_t i = 0; i < q->fs.nsets; i++) {
        char *sql = xasprintf("DROP TABLE IF EXISTS temp.\"%s\"", q->fs.sets[i].table);
        sqlite3_exec(q->st->db, sql, NULL, NULL, NULL);
        free(sql);
    }
}

void query_close(query *q)
{
    if (!q)
        return;
    drop_sets(q);
    list_clear(&q->list);
    filter_free(q->f);
    filter_sql_clear(&q->fs);
    filter_sql_clear(&q->fs_sorted);
    free(q->select_sorted);
    free(q->key_masked);
    prop_key_clear(&q->sort);
    for (size_t i = 0; i < q->ncols; i++) {
        prop_key_clear(&q->cols[i]);
        free(q->col_names[i]);
    }
    free(q->cols);
    free(q->col_names);
    free(q->select);
    free(q->index_name);
    objmeta_release(q->m);
    free(q);
}

static ht_status index_exists(store *st, const char *name, bool *yes, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM sqlite_schema WHERE type='index'"
                                     " AND name=?", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    *yes = rc == SQLITE_ROW;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading indexes", err);
}

static char *index_name_for(const objmeta *m, const prop_key *k)
{
    if (k->kind == KEY_ID || strcmp(k->col, "NULL") == 0)
        return NULL;
    return xasprintf("srt_%lld_%s", (long long)m->okey, k->index_tag);
}

static ht_status resolve_or_invalid(store *st, const objmeta *m, const char *name,
                                    prop_key *k, ht_error *err)
{
    ht_status s = filter_prop_key(st, m, name, k, err);
    if (s == HT_NOT_FOUND) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err ? err->message : "unknown property");
        return ht_error_set(err, HT_INVALID, "%s", msg);
    }
    return s;
}

static ht_status open_columns(query *q, const query_spec *spec, ht_error *err)
{
    q->ncols = spec->ncolumns;
    q->cols = xcalloc(q->ncols + 1, sizeof *q->cols);
    q->col_names = xcalloc(q->ncols + 1, sizeof *q->col_names);
    for (size_t i = 0; i < q->ncols; i++) {
        q->col_names[i] = xstrdup(spec->columns[i]);
        ht_status s = resolve_or_invalid(q->st, q->m, spec->columns[i], &q->cols[i], err);
        if (s != HT_OK)
            return s;
    }
    return HT_OK;
}

static char *build_select(const query *q, const filter_sql *fs)
{
    strbuf sb = {0};
    strbuf_printf(&sb, "SELECT id, %s", q->by_id ? "id" : q->sort.key);
    for (size_t i = 0; i < q->ncols; i++)
        strbuf_printf(&sb, ", %s", q->cols[i].col);
    strbuf_printf(&sb, " FROM %s WHERE %s", q->m->table, strbuf_str(&fs->where));
    return strbuf_detach(&sb);
}

ht_status query_open(store *st, const query_spec *spec, query **out, ht_error *err,
                     int *err_col)
{
    *out = NULL;
    if (err_col)
        *err_col = 0;
    query *q = xcalloc(1, sizeof *q);
    q->st = st;
    q->desc = spec->descending;
    q->m = meta_object(st, spec->object, err);
    ht_status s = q->m ? HT_OK : (err ? err->status : HT_NOT_FOUND);
    if (s == HT_OK)
        s = filter_parse(spec->filter, &q->f, err, err_col);
    q->by_id = str_empty(spec->sort) || strcmp(spec->sort, "id") == 0 ||
               strcmp(spec->sort, "hs_object_id") == 0;
    snprintf(q->set_prefix, sizeof q->set_prefix, "hq%llu",
             (unsigned long long)++st->query_serial);
    if (s == HT_OK)
        s = filter_compile_sql_sets(st, q->m, q->f, NULL, q->set_prefix, &q->fs, err,
                                    err_col);
    if (s == HT_OK)
        s = filter_compile_sql_sets(st, q->m, q->f, q->by_id ? "id" : spec->sort,
                                    q->set_prefix, &q->fs_sorted, err, err_col);
    if (s == HT_OK && !q->by_id)
        s = resolve_or_invalid(st, q->m, spec->sort, &q->sort, err);
    if (s == HT_OK)
        s = open_columns(q, spec, err);
    if (s == HT_OK && !q->by_id && (q->index_name = index_name_for(q->m, &q->sort))) {
        bool have = false;
        s = index_exists(st, q->index_name, &have, err);
        q->needs_index = !have;
    }
    if (s != HT_OK) {
        query_close(q);
        return s;
    }
    q->select = build_select(q, &q->fs);
    q->select_sorted = build_select(q, &q->fs_sorted);
    if (q->by_id) {
        q->key_masked = xstrdup("+id");
    } else {
        prop_key k = {.kind = q->sort.kind, .col = xstrdup(q->sort.col), .key = xstrdup("")};
        prop_key_mask(&k);
        q->key_masked = k.key;
        k.key = NULL;
        prop_key_clear(&k);
    }
    *out = q;
    return HT_OK;
}

bool query_needs_index(const query *q) { return q->needs_index; }
bool query_uses_filter_plan(const query *q) { return q->filter_plan; }

ht_status query_ensure_index(store *st, const char *object, const char *sort_prop,
                             int64_t *built_ms, ht_error *err)
{
    if (built_ms)
        *built_ms = 0;
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    prop_key k;
    ht_status s = resolve_or_invalid(st, m, sort_prop, &k, err);
    char *name = s == HT_OK ? index_name_for(m, &k) : NULL;
    bool have = true;
    if (name)
        s = index_exists(st, name, &have, err);
    if (s == HT_OK && !have) {
        int64_t t0 = time_mono_ms();
        char *sql = xasprintf("CREATE INDEX IF NOT EXISTS \"%s\" ON %s(%s, id)", name,
                              m->table, k.key);
        s = store_exec(st, sql, err);
        free(sql);
        if (s == HT_OK && built_ms)
            *built_ms = time_mono_ms() - t0;
    }
    free(name);
    prop_key_clear(&k);
    objmeta_release(m);
    return s;
}

/* ---- freshness, quick-search sets, match lists ------------------------------------------ */

static data_stamp current_stamp(query *q)
{
    data_stamp d = {0, q->st->write_gen};
    sqlite3_stmt *s = store_stmt(q->st, "PRAGMA data_version", NULL);
    if (s && sqlite3_step(s) == SQLITE_ROW)
        d.version = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    return d;
}

static bool same_stamp(data_stamp a, data_stamp b)
{
    return a.version == b.version && a.writes == b.writes;
}

/* Temp-table work goes straight to SQLite: it must not count as a write
 * that would make this query (or another) look stale. */
static ht_status fill_set(query *q, const text_set *ts, ht_error *err)
{
    char *sql = xasprintf("CREATE TEMP TABLE IF NOT EXISTS \"%1$s\"(id INTEGER PRIMARY KEY);"
                          "DELETE FROM temp.\"%1$s\"", ts->table);
    int rc = sqlite3_exec(q->st->db, sql, NULL, NULL, NULL);
    free(sql);
    if (rc != SQLITE_OK)
        return store_fail(q->st, rc, "searching", err);
    sql = xasprintf("INSERT INTO temp.\"%s\" SELECT rowid FROM %s WHERE %s MATCH ?",
                    ts->table, q->m->fts, q->m->fts);
    sqlite3_stmt *s = NULL;
    rc = sqlite3_prepare_v2(q->st->db, sql, -1, &s, NULL);
    free(sql);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, ts->match, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? HT_OK : store_fail(q->st, rc, "searching", err);
}

static ht_status ensure_sets(query *q, ht_error *err)
{
    if (q->fs.nsets == 0)
        return HT_OK;
    data_stamp now = current_stamp(q);
    if (q->sets_ready && same_stamp(now, q->sets_stamp))
        return HT_OK;
    q->sets_ready = false;
    for (size_t i = 0; i < q->fs.nsets; i++) {
        ht_status s = fill_set(q, &q->fs.sets[i], err);
        if (s != HT_OK)
            return s;
    }
    q->sets_ready = true;
    q->sets_stamp = now;
    return HT_OK;
}

static size_t slot_of(const match_list *l, int64_t id)
{
    return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL) & (l->nslots - 1);
}

static void list_index(match_list *l)
{
    l->nslots = 16;
    while (l->nslots < l->n * 2)
        l->nslots *= 2;
    l->slots = xcalloc(l->nslots, sizeof *l->slots);
    for (size_t i = 0; i < l->n; i++) {
        size_t h = slot_of(l, l->ids[i]);
        while (l->slots[h])
            h = (h + 1) & (l->nslots - 1);
        l->slots[h] = i + 1;
    }
}

/* Position of id in the list, or -1. */
static int64_t list_pos(const match_list *l, int64_t id)
{
    for (size_t h = slot_of(l, id); l->slots[h]; h = (h + 1) & (l->nslots - 1))
        if (l->ids[l->slots[h] - 1] == id)
            return (int64_t)l->slots[h] - 1;
    return -1;
}

/* Every match in display order (empty keys last), if there are not too many. */
static ht_status build_list(query *q, ht_error *err)
{
    list_clear(&q->list);
    q->list.stamp = current_stamp(q);
    const char *dir = q->desc ? "DESC" : "ASC";
    char *sql = xasprintf("SELECT id FROM %s WHERE %s ORDER BY (%s IS NULL), %s %s, id %s"
                          " LIMIT %d", q->m->table, strbuf_str(&q->fs.where), q->key_masked,
                          q->key_masked, dir, dir, MATCH_LIST_MAX + 1);
    sqlite3_stmt *s = store_stmt(q->st, sql, err);
    free(sql);
    if (!s)
        return err ? err->status : HT_DB;
    filter_sql_bind(&q->fs, s, 1);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (q->list.n == cap) {
            cap = cap ? cap * 2 : 256;
            q->list.ids = xrealloc(q->list.ids, cap * sizeof *q->list.ids);
        }
        q->list.ids[q->list.n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        list_clear(&q->list);
        return store_fail(q->st, rc, "reading records", err);
    }
    q->list.built = true;
    if (q->list.n > MATCH_LIST_MAX) {
        free(q->list.ids);
        q->list.ids = NULL;
        q->list.n = 0;
        q->list.too_big = true;
        return HT_OK;
    }
    list_index(&q->list);
    return HT_OK;
}

/* Is the filter plan's list usable (building or rebuilding it if needed)? */
static ht_status list_ready(query *q, bool *ready, ht_error *err)
{
    *ready = false;
    if (!q->filter_plan)
        return HT_OK;
    if (!q->list.built || !same_stamp(current_stamp(q), q->list.stamp)) {
        ht_status s = build_list(q, err);
        if (s != HT_OK)
            return s;
    }
    *ready = !q->list.too_big;
    return HT_OK;
}

/* ---- cursors and pages --------------------------------------------------------------- */

void query_cursor_clear(query_cursor *c)
{
    if (c)
        free(c->key_t);
    if (c)
        memset(c, 0, sizeof *c);
}

void query_cursor_copy(query_cursor *dst, const query_cursor *src)
{
    *dst = *src;
    dst->key_t = src->key_t ? xstrdup(src->key_t) : NULL;
}

static void row_clear(query_row *r, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++)
        free(r->values[i]);
    free(r->values);
    free(r->cell_state);
    query_cursor_clear(&r->cursor);
}

typedef struct page_build {
    query_page *p;
    size_t      cap;
} page_build;

static query_page *new_page(const query *q)
{
    query_page *p = xcalloc(1, sizeof *p);
    p->ncolumns = q->ncols;
    return p;
}

void query_page_free(query_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nrows; i++)
        row_clear(&p->rows[i], p->ncolumns);
    free(p->rows);
    free(p);
}

static char *column_text(const prop_key *k, sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    if (k->kind == KEY_MS) {
        char iso[32];
        time_format_iso(sqlite3_column_int64(s, i), iso);
        return xstrdup(iso);
    }
    if (k->kind == KEY_ID) {
        char id[32];
        records_format_id(sqlite3_column_int64(s, i), id);
        return xstrdup(id);
    }
    return store_col_strdup(s, i);
}

static void add_row(query *q, page_build *b, sqlite3_stmt *s)
{
    query_page *p = b->p;
    if (p->nrows == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        p->rows = xrealloc(p->rows, b->cap * sizeof *p->rows);
    }
    query_row *r = &p->rows[p->nrows++];
    memset(r, 0, sizeof *r);
    int64_t id = sqlite3_column_int64(s, 0);
    records_format_id(id, r->id);
    r->values = xcalloc(q->ncols + 1, sizeof *r->values);
    r->cell_state = xcalloc(q->ncols + 1, sizeof *r->cell_state);
    for (size_t i = 0; i < q->ncols; i++)
        r->values[i] = column_text(&q->cols[i], s, (int)i + 2);
    query_cursor *c = &r->cursor;
    c->valid = true;
    c->id = id;
    c->key_type = sqlite3_column_type(s, 1);
    if (c->key_type == SQLITE_INTEGER)
        c->key_i = sqlite3_column_int64(s, 1);
    else if (c->key_type == SQLITE_FLOAT)
        c->key_d = sqlite3_column_double(s, 1);
    else if (c->key_type != SQLITE_NULL)
        c->key_t = store_col_strdup(s, 1), c->key_type = SQLITE_TEXT;
}

static void bind_key(sqlite3_stmt *s, int i, const query_cursor *c)
{
    switch (c->key_type) {
    case SQLITE_INTEGER: sqlite3_bind_int64(s, i, c->key_i); break;
    case SQLITE_FLOAT: sqlite3_bind_double(s, i, c->key_d); break;
    case SQLITE_TEXT: sqlite3_bind_text(s, i, c->key_t, -1, SQLITE_STATIC); break;
    default: sqlite3_bind_null(s, i); break;
    }
}

/* One segment: rows of the query matching cond, in order, up to limit.
 * cond may use ?K (the cursor key) and ?I (the cursor id). */
typedef struct segment {
    const char *cond;
    const char *order;
    bool        uses_key, uses_id;
} segment;

static ht_status run_segment(query *q, const segment *sg, const query_cursor *c,
                             size_t limit, int64_t offset, page_build *b, ht_error *err)
{
    const filter_sql *fs = q->filter_plan ? &q->fs : &q->fs_sorted;
    char *sql = xasprintf("%s AND %s ORDER BY %s LIMIT ? OFFSET ?",
                          q->filter_plan ? q->select : q->select_sorted, sg->cond, sg->order);
    sqlite3_stmt *s = store_stmt(q->st, sql, err);
    free(sql);
    if (!s)
        return err ? err->status : HT_DB;
    int i = filter_sql_bind(fs, s, 1);
    if (sg->uses_key)
        bind_key(s, i++, c);
    if (sg->uses_id)
        sqlite3_bind_int64(s, i++, c->id);
    sqlite3_bind_int64(s, i++, (int64_t)limit);
    sqlite3_bind_int64(s, i, offset);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        add_row(q, b, s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? HT_OK : store_fail(q->st, rc, "reading records", err);
}

/* SQL fragments for a direction: forward (display order) or backward. */
typedef struct dir_sql {
    char *nonnull, *null, *eq_after, *key_after, *null_after;
    char *order_key, *order_id;
} dir_sql;

static void dir_sql_make(const query *q, bool backward, dir_sql *d)
{
    bool asc = q->desc == backward;          /* walking towards larger keys? */
    const char *gt = asc ? ">" : "<", *dir = asc ? "ASC" : "DESC";
    /* The filter plan must not walk the sort index: it sorts the matches. */
    const char *k = q->filter_plan ? q->key_masked : q->by_id ? "id" : q->sort.key;
    d->nonnull = xasprintf("%s IS NOT NULL", k);
    d->null = xasprintf("%s IS NULL", k);
    d->eq_after = xasprintf("%s = ? AND id %s ?", k, gt);
    d->key_after = xasprintf("%s %s ?", k, gt);
    d->null_after = xasprintf("%s IS NULL AND id %s ?", k, gt);
    d->order_key = xasprintf("%s %s, id %s", k, dir, dir);
    d->order_id = xasprintf("id %s", dir);
}

static void dir_sql_free(dir_sql *d)
{
    free(d->nonnull);
    free(d->null);
    free(d->eq_after);
    free(d->key_after);
    free(d->null_after);
    free(d->order_key);
    free(d->order_id);
}

/* Walk from cursor c (or from the start of that direction when c is NULL)
 * collecting up to want rows. Forward: non-empty keys then empty ones;
 * backward: the reverse. */
static ht_status walk_plan(query *q, const query_cursor *c, bool backward, size_t want,
                           page_build *b, ht_error *err)
{
    dir_sql d;
    dir_sql_make(q, backward, &d);
    segment plan[3];
    size_t n = 0;
    if (q->by_id) {
        plan[n++] = c ? (segment){d.key_after, d.order_id, true, false}
                      : (segment){"1", d.order_id, false, false};
    } else if (!backward) {
        if (!c) {
            plan[n++] = (segment){d.nonnull, d.order_key, false, false};
            plan[n++] = (segment){d.null, d.order_id, false, false};
        } else if (c->key_type == SQLITE_NULL) {
            plan[n++] = (segment){d.null_after, d.order_id, false, true};
        } else {
            plan[n++] = (segment){d.eq_after, d.order_id, true, true};
            plan[n++] = (segment){d.key_after, d.order_key, true, false};
            plan[n++] = (segment){d.null, d.order_id, false, false};
        }
    } else {
        if (!c) {
            plan[n++] = (segment){d.null, d.order_id, false, false};
            plan[n++] = (segment){d.nonnull, d.order_key, false, false};
        } else if (c->key_type == SQLITE_NULL) {
            plan[n++] = (segment){d.null_after, d.order_id, false, true};
            plan[n++] = (segment){d.nonnull, d.order_key, false, false};
        } else {
            plan[n++] = (segment){d.eq_after, d.order_id, true, true};
            plan[n++] = (segment){d.key_after, d.order_key, true, false};
        }
    }
    ht_status s = HT_OK;
    for (size_t i = 0; s == HT_OK && i < n && b->p->nrows < want; i++)
        s = run_segment(q, &plan[i], c, want - b->p->nrows, 0, b, err);
    dir_sql_free(&d);
    return s;
}

/* Try the sorted plan on a budget; a rare filter moves the query to the
 * filter plan (see the top of the file). */
/* Walk with the sorted plan on a budget. When the budget runs out the
 * query moves to the filter plan (*switched) and b is left empty for the
 * caller to fill that way. */
static ht_status walk(query *q, const query_cursor *c, bool backward, size_t want,
                      page_build *b, bool *switched, ht_error *err)
{
    *switched = false;
    if (!q->f || q->filter_plan)
        return walk_plan(q, c, backward, want, b, err);
    if (q->st->plan_budget)
        store_budget_set(q->st, q->st->plan_budget);
    else
        store_budget_set_ms(q->st, SORTED_PLAN_BUDGET_MS);
    ht_status s = walk_plan(q, c, backward, want, b, err);
    bool gave_up = s == HT_CANCELLED && store_budget_hit(q->st);
    store_budget_set(q->st, 0);
    if (!gave_up)
        return s;
    while (b->p->nrows)
        row_clear(&b->p->rows[--b->p->nrows], q->ncols);
    ht_error_clear(err);
    q->filter_plan = true;
    *switched = true;
    return HT_OK;
}

static void reverse_rows(query_page *p)
{
    for (size_t i = 0, j = p->nrows ? p->nrows - 1 : 0; i < j; i++, j--) {
        query_row t = p->rows[i];
        p->rows[i] = p->rows[j];
        p->rows[j] = t;
    }
}

/* ---- queued-edit markers ------------------------------------------------------------------- */

static int urgency(outbox_state s)
{
    static const int u[] = {[OB_NONE] = 0, [OB_PENDING] = 1, [OB_SENDING] = 2,
                            [OB_NOT_APPLIED] = 3, [OB_FAILED] = 4, [OB_CONFLICT] = 5};
    return u[s];
}

static ht_status mark_edits(query *q, query_page *p, ht_error *err)
{
    if (p->nrows == 0)
        return HT_OK;
    sqlite3_stmt *e = store_stmt(q->st, "SELECT EXISTS(SELECT 1 FROM outbox WHERE okey=?)", err);
    if (!e)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(e, 1, q->m->okey);
    bool any = sqlite3_step(e) == SQLITE_ROW && sqlite3_column_int(e, 0);
    sqlite3_reset(e);
    if (!any)
        return HT_OK;
    strbuf sql = {0};
    strbuf_puts(&sql, "SELECT record_id, kind, prop, state FROM outbox WHERE okey=?"
                      " AND record_id IN (");
    for (size_t i = 0; i < p->nrows; i++)
        strbuf_puts(&sql, i ? ",?" : "?");
    strbuf_putc(&sql, ')');
    sqlite3_stmt *s = store_stmt(q->st, strbuf_str(&sql), err);
    strbuf_free(&sql);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, q->m->okey);
    for (size_t i = 0; i < p->nrows; i++)
        sqlite3_bind_int64(s, (int)i + 2, p->rows[i].cursor.id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        const char *prop = (const char *)sqlite3_column_text(s, 2);
        outbox_state st = outbox_state_from_text((const char *)sqlite3_column_text(s, 3));
        for (size_t i = 0; i < p->nrows; i++) {
            query_row *r = &p->rows[i];
            if (r->cursor.id != id)
                continue;
            if (urgency(st) > urgency(r->row_state))
                r->row_state = st;
            for (size_t j = 0; prop && j < q->ncols; j++)
                if (strcmp(q->col_names[j], prop) == 0 && urgency(st) > urgency(r->cell_state[j]))
                    r->cell_state[j] = st;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? HT_OK : store_fail(q->st, rc, "reading the outbox", err);
}

/* ---- public paging ------------------------------------------------------------------------ */

static ht_status finish(query *q, page_build *b, size_t n, bool backward, ht_status s,
                        query_page **out, ht_error *err)
{
    query_page *p = b->p;
    bool more = p->nrows > n;
    while (p->nrows > n)
        row_clear(&p->rows[--p->nrows], q->ncols);
    if (backward) {
        reverse_rows(p);
        p->more_before = more;
    } else {
        p->more_after = more;
    }
    if (s == HT_OK)
        s = mark_edits(q, p, err);
    if (s != HT_OK) {
        query_page_free(p);
        return s;
    }
    *out = p;
    return HT_OK;
}

/* Rows [from, to) of the filter plan's list, fetched by id, in list order. */
static ht_status list_slice(query *q, int64_t from, int64_t to, query_page **out,
                            ht_error *err)
{
    const match_list *l = &q->list;
    if (from < 0)
        from = 0;
    if (to > (int64_t)l->n)
        to = (int64_t)l->n;
    page_build b = {new_page(q), 0};
    b.p->more_before = from > 0;
    b.p->more_after = to < (int64_t)l->n;
    ht_status s = HT_OK;
    if (to > from) {
        strbuf sql = {0};
        strbuf_printf(&sql, "SELECT id, %s", q->by_id ? "id" : q->sort.key);
        for (size_t i = 0; i < q->ncols; i++)
            strbuf_printf(&sql, ", %s", q->cols[i].col);
        strbuf_printf(&sql, " FROM %s WHERE id IN (", q->m->table);
        for (int64_t i = from; i < to; i++)
            strbuf_puts(&sql, i > from ? ",?" : "?");
        strbuf_putc(&sql, ')');
        sqlite3_stmt *st = store_stmt(q->st, strbuf_str(&sql), err);
        strbuf_free(&sql);
        if (!st)
            s = err ? err->status : HT_DB;
        for (int64_t i = from; st && i < to; i++)
            sqlite3_bind_int64(st, (int)(i - from) + 1, l->ids[i]);
        int rc = SQLITE_DONE;
        while (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
            add_row(q, &b, st);
        if (st)
            sqlite3_reset(st);
        if (st && rc != SQLITE_DONE)
            s = store_fail(q->st, rc, "reading records", err);
    }
    /* Back into list order (a record deleted meanwhile is simply missing). */
    query_page *p = b.p;
    for (size_t i = 1; i < p->nrows; i++) {
        query_row r = p->rows[i];
        int64_t pos = list_pos(l, r.cursor.id);
        size_t j = i;
        while (j > 0 && list_pos(l, p->rows[j - 1].cursor.id) > pos) {
            p->rows[j] = p->rows[j - 1];
            j--;
        }
        p->rows[j] = r;
    }
    if (s == HT_OK)
        s = mark_edits(q, p, err);
    if (s != HT_OK) {
        query_page_free(p);
        return s;
    }
    *out = p;
    return HT_OK;
}

/* Serve a page from the list when it applies; *served says whether it did. */
static ht_status list_walk(query *q, const query_cursor *c, bool backward, size_t n,
                           query_page **out, bool *served, ht_error *err)
{
    bool ready;
    *served = false;
    ht_status s = list_ready(q, &ready, err);
    if (s != HT_OK || !ready)
        return s;
    int64_t total = (int64_t)q->list.n, pos = c ? list_pos(&q->list, c->id) : 0;
    if (c && pos < 0)
        return HT_OK;               /* a cursor from elsewhere: page with SQL */
    int64_t from, to;
    if (!c) {
        from = backward ? total - (int64_t)n : 0;
        to = backward ? total : (int64_t)n;
    } else {
        from = backward ? pos - (int64_t)n : pos + 1;
        to = backward ? pos : pos + 1 + (int64_t)n;
    }
    *served = true;
    return list_slice(q, from, to, out, err);
}

static ht_status page_walk(query *q, const query_cursor *c, bool backward, size_t n,
                           query_page **out, ht_error *err)
{
    *out = NULL;
    if (c && !c->valid)
        return ht_error_set(err, HT_INVALID, "no position to page from");
    ht_status s = ensure_sets(q, err);
    bool served = false, switched = false;
    if (s == HT_OK)
        s = list_walk(q, c, backward, n, out, &served, err);
    if (s != HT_OK || served)
        return s;
    page_build b = {new_page(q), 0};
    /* One extra row tells whether more exist beyond the page. */
    s = walk(q, c, backward, n + 1, &b, &switched, err);
    if (s == HT_OK && switched) {
        s = list_walk(q, c, backward, n, out, &served, err);
        if (s != HT_OK || served) {
            query_page_free(b.p);
            return s;
        }
        s = walk_plan(q, c, backward, n + 1, &b, err);
    }
    if (c) {
        if (backward)
            b.p->more_after = true;
        else
            b.p->more_before = true;
    }
    return finish(q, &b, n, backward, s, out, err);
}

ht_status query_first(query *q, size_t n, query_page **out, ht_error *err)
{
    return page_walk(q, NULL, false, n, out, err);
}

ht_status query_last(query *q, size_t n, query_page **out, ht_error *err)
{
    return page_walk(q, NULL, true, n, out, err);
}

ht_status query_after(query *q, const query_cursor *c, size_t n, query_page **out,
                      ht_error *err)
{
    return page_walk(q, c, false, n, out, err);
}

ht_status query_before(query *q, const query_cursor *c, size_t n, query_page **out,
                       ht_error *err)
{
    return page_walk(q, c, true, n, out, err);
}

/* ---- counting ------------------------------------------------------------------------------ */

static ht_status count_where(query *q, const char *cond, const query_cursor *c, bool uses_key,
                             bool uses_id, int64_t *out, ht_error *err)
{
    char *sql = xasprintf("SELECT count(*) FROM %s WHERE %s AND %s",
                          q->m->table, strbuf_str(&q->fs.where), cond);
    sqlite3_stmt *s = store_stmt(q->st, sql, err);
    free(sql);
    if (!s)
        return err ? err->status : HT_DB;
    int i = filter_sql_bind(&q->fs, s, 1);
    if (uses_key)
        bind_key(s, i++, c);
    if (uses_id)
        sqlite3_bind_int64(s, i, c->id);
    int rc = sqlite3_step(s);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? HT_OK : store_fail(q->st, rc, "counting records", err);
}

/* A filter that is only quick-search words counts on the index itself:
 * every indexed row is a cached record. */
static ht_status count_text(query *q, int64_t *count, ht_error *err)
{
    char *match;
    ht_status s = filter_fts_match(q->st, q->f->text, &match, err);
    if (s != HT_OK)
        return s;
    char *sql = *match ? xasprintf("SELECT count(*) FROM %s WHERE %s MATCH ?", q->m->fts,
                                   q->m->fts)
                       : xasprintf("SELECT live_count FROM object_types WHERE okey=%lld",
                                   (long long)q->m->okey);
    sqlite3_stmt *st = store_stmt(q->st, sql, err);
    free(sql);
    if (!st) {
        free(match);
        return err ? err->status : HT_DB;
    }
    if (*match)
        sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
    free(match);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HT_OK : store_fail(q->st, rc, "counting records", err);
}

ht_status query_count(query *q, int64_t *count, ht_error *err)
{
    *count = 0;
    bool ready = false;
    ht_status s = ensure_sets(q, err);
    if (s == HT_OK)
        s = list_ready(q, &ready, err);
    if (s != HT_OK)
        return s;
    if (ready) {
        *count = (int64_t)q->list.n;
        return HT_OK;
    }
    if (q->f && q->f->kind == FK_TEXT && records_search_ready(q->st, q->m->name))
        return count_text(q, count, err);
    if (q->f)
        return count_where(q, "1", NULL, false, false, count, err);
    sqlite3_stmt *st = store_stmt(q->st, "SELECT live_count FROM object_types WHERE okey=?",
                                  err);
    if (!st)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(st, 1, q->m->okey);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HT_OK : store_fail(q->st, rc, "counting records", err);
}

ht_status query_position(query *q, const query_cursor *c, int64_t *pos, ht_error *err)
{
    *pos = 0;
    if (!c || !c->valid)
        return ht_error_set(err, HT_INVALID, "no position given");
    bool ready = false;
    ht_status ls = ensure_sets(q, err);
    if (ls == HT_OK)
        ls = list_ready(q, &ready, err);
    if (ls != HT_OK)
        return ls;
    if (ready && list_pos(&q->list, c->id) >= 0) {
        *pos = list_pos(&q->list, c->id);
        return HT_OK;
    }
    dir_sql d;
    dir_sql_make(q, true, &d);     /* "after" walking backwards = before in display order */
    int64_t a = 0, b = 0;
    ht_status s;
    if (q->by_id) {
        s = count_where(q, d.key_after, c, true, false, &a, err);
    } else if (c->key_type == SQLITE_NULL) {
        s = count_where(q, d.nonnull, c, false, false, &a, err);
        if (s == HT_OK)
            s = count_where(q, d.null_after, c, false, true, &b, err);
    } else {
        s = count_where(q, d.eq_after, c, true, true, &a, err);
        if (s == HT_OK)
            s = count_where(q, d.key_after, c, true, false, &b, err);
    }
    dir_sql_free(&d);
    *pos = a + b;
    return s;
}

ht_status query_at(query *q, int64_t offset, size_t n, query_page **out, ht_error *err)
{
    *out = NULL;
    if (offset < 0)
        offset = 0;
    bool ready = false;
    ht_status ls = ensure_sets(q, err);
    if (ls == HT_OK)
        ls = list_ready(q, &ready, err);
    if (ls != HT_OK)
        return ls;
    if (ready)
        return list_slice(q, offset, offset + (int64_t)n, out, err);
    dir_sql d;
    dir_sql_make(q, false, &d);
    page_build b = {new_page(q), 0};
    b.p->more_before = offset > 0;
    ht_status s = HT_OK;
    if (q->by_id) {
        segment all = {"1", d.order_id, false, false};
        s = run_segment(q, &all, NULL, n + 1, offset, &b, err);
    } else {
        int64_t nonnull = 0;
        s = count_where(q, d.nonnull, NULL, false, false, &nonnull, err);
        segment keyed = {d.nonnull, d.order_key, false, false};
        segment empty = {d.null, d.order_id, false, false};
        if (s == HT_OK && offset < nonnull)
            s = run_segment(q, &keyed, NULL, n + 1, offset, &b, err);
        if (s == HT_OK && b.p->nrows < n + 1)
            s = run_segment(q, &empty, NULL, n + 1 - b.p->nrows,
                            offset > nonnull ? offset - nonnull : 0, &b, err);
    }
    dir_sql_free(&d);
    return finish(q, &b, n, false, s, out, err);
}
