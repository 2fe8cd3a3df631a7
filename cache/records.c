/* records.c — record tables, the bulk writer, single-record reads and
 * associations.
 *
 * Layout: rec_<okey>(id INTEGER PRIMARY KEY, created_ms, updated_ms,
 * seen_gen, p_<prop>…) — one row per record, one untyped column
 * per property that ever had a value (added on demand, values kept exactly
 * as HubSpot's strings; empty is NULL). Local creates have negative ids.
 * fts_<okey> is a contentless FTS5 index (detail=none: no positions, the
 * cheapest to maintain) over the object's search properties joined into one
 * text; deleting from it needs the old text, which we always have.
 * Records archived on HubSpot are deleted here: they must leave every local
 * read, and keeping them would put an `archived` test in every query (and
 * partial indexes that mislead SQLite's planner). */
#include "records.h"

#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "records_int.h"

const char RECORD_VALUE_ABSENT[] = "\x01<absent>";

/* ---- ids ----------------------------------------------------------------------- */

bool records_parse_id(const char *text, int64_t *out)
{
    int64_t v;
    if (text && text[0] == 'l' && str_starts_with(text, "local-")) {
        if (!str_to_i64(text + 6, &v) || v <= 0)
            return false;
        *out = -v;
        return true;
    }
    if (!str_to_i64(text, &v) || v <= 0)
        return false;
    *out = v;
    return true;
}

void records_format_id(int64_t id, char out[32])
{
    if (id < 0)
        snprintf(out, 32, "local-%lld", (long long)-id);
    else
        snprintf(out, 32, "%lld", (long long)id);
}

/* ---- tables and columns ------------------------------------------------------ */

ht_status records_create_tables(store *st, int64_t okey, ht_error *err)
{
    char *sql = xasprintf(
        "CREATE TABLE IF NOT EXISTS rec_%lld(id INTEGER PRIMARY KEY, created_ms INTEGER,"
        " updated_ms INTEGER, seen_gen INTEGER NOT NULL DEFAULT 0);"
        "CREATE VIRTUAL TABLE IF NOT EXISTS fts_%lld USING fts5(t, content='',"
        " detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2');",
        (long long)okey, (long long)okey);
    ht_status s = store_exec(st, sql, err);
    free(sql);
    return s;
}

ht_status records_create_tables_for_all(store *st, ht_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT okey FROM object_types", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "creating record tables", err);
    int64_t keys[256];
    size_t n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && n < ARRAY_SIZE(keys))
        keys[n++] = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    for (size_t i = 0; i < n; i++) {
        ht_status s = records_create_tables(st, keys[i], err);
        if (s != HT_OK)
            return s;
    }
    return HT_OK;
}

static bool plain_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 60)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static ht_status lookup_column(store *st, int64_t okey, const char *prop, char **col,
                               ht_error *err)
{
    *col = NULL;
    sqlite3_stmt *s = store_stmt(st, "SELECT col FROM prop_cols WHERE okey=? AND name=?", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, okey);
    sqlite3_bind_text(s, 2, prop, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *col = store_col_strdup(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading columns", err);
}

static ht_status add_column(store *st, int64_t okey, const char *prop, char **col,
                            ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*), sum(col=?2) FROM prop_cols"
                                     " WHERE okey=?1", err);
    if (!s)
        return err ? err->status : HT_DB;
    char *want = plain_name(prop) ? xasprintf("p_%s", prop) : NULL;
    sqlite3_bind_int64(s, 1, okey);
    store_bind_text(s, 2, want);
    int64_t count = 0, clash = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        count = sqlite3_column_int64(s, 0);
        clash = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (count >= RECORDS_MAX_PROP_COLUMNS) {
        free(want);
        return ht_error_set(err, HT_UNSUPPORTED,
                            "too many properties with values (%lld) to cache for this object",
                            (long long)count);
    }
    if (!want || clash) {
        free(want);
        want = xasprintf("x_%lld", (long long)count + 1);
    }
    strbuf sql = {0};
    strbuf_printf(&sql, "ALTER TABLE rec_%lld ADD COLUMN ", (long long)okey);
    sql_ident(&sql, want);
    ht_status r = store_exec(st, strbuf_str(&sql), err);
    strbuf_free(&sql);
    sqlite3_stmt *ins = r == HT_OK ? store_stmt(st, "INSERT INTO prop_cols(okey,name,col)"
                                                    " VALUES(?,?,?)", err) : NULL;
    if (r == HT_OK && !ins)
        r = err ? err->status : HT_DB;
    if (ins) {
        sqlite3_bind_int64(ins, 1, okey);
        sqlite3_bind_text(ins, 2, prop, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, want, -1, SQLITE_TRANSIENT);
        r = store_step_done(st, ins, "adding a column", err);
    }
    if (r == HT_OK)
        r = store_bump_meta_gen(st, err);
    if (r != HT_OK) {
        free(want);
        return r;
    }
    *col = want;
    return HT_OK;
}

ht_status records_column(store *st, const objmeta *m, const char *prop, bool create,
                         char **col, ht_error *err)
{
    const prop_def *p = objmeta_prop(m, prop);
    if (p && p->col) {
        *col = xstrdup(p->col);
        return HT_OK;
    }
    /* The snapshot may predate a column another handle added. */
    ht_status s = lookup_column(st, m->okey, prop, col, err);
    if (s != HT_OK || *col || !create)
        return s;
    if (st->readonly)
        return ht_error_set(err, HT_READONLY, "the cache is open read-only");
    bool own_tx = !store_in_transaction(st);
    if (own_tx && (s = store_begin(st, err)) != HT_OK)
        return s;
    s = add_column(st, m->okey, prop, col, err);
    return own_tx ? store_commit_or_rollback(st, s, err) : s;
}

ht_status records_adjust_count(store *st, int64_t okey, int64_t delta, ht_error *err)
{
    if (delta == 0)
        return HT_OK;
    sqlite3_stmt *s = store_stmt(st, "UPDATE object_types SET live_count=max(0,live_count+?)"
                                     " WHERE okey=?", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, delta);
    sqlite3_bind_int64(s, 2, okey);
    return store_step_done(st, s, "counting records", err);
}

bool records_is_search_prop(const objmeta *m, const char *prop)
{
    for (size_t i = 0; i < m->nsearch; i++)
        if (strcmp(m->search_props[i], prop) == 0)
            return true;
    return false;
}

/* ---- full-text index ---------------------------------------------------------- */

static void text_append(strbuf *sb, const char *v)
{
    if (str_empty(v) || v == RECORD_VALUE_ABSENT)
        return;
    if (sb->len)
        strbuf_putc(sb, ' ');
    strbuf_puts(sb, v);
}

/* Is the object's full-text index maintained right now (not bulk loading)? */
static bool search_live(store *st, int64_t okey)
{
    sqlite3_stmt *q = store_stmt(st, "SELECT search_deferred FROM object_types WHERE okey=?",
                                 NULL);
    if (!q)
        return true;
    sqlite3_bind_int64(q, 1, okey);
    bool deferred = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    return !deferred;
}

/* ---- bulk loading, indexed as it goes ----------------------------------------------
 *
 * A bulk load may index the rows it writes batch by batch (records_bulk_index,
 * in the batch's transaction) up to an id; records_end_bulk then indexes
 * only the rest. Any other change to a row already indexed while the index
 * is deferred (an edit, a delete, a rewrite) cannot be mirrored in a
 * contentless index, so it marks the load dirty and records_end_bulk
 * rebuilds from scratch. */

static void bulk_key(char *out, size_t cap, const char *what, int64_t okey)
{
    snprintf(out, cap, "fts_bulk_%s:%lld", what, (long long)okey);
}

static int64_t bulk_indexed_upto(store *st, int64_t okey)
{
    char key[64];
    int64_t v = 0;
    bulk_key(key, sizeof key, "upto", okey);
    store_kv_get_i64(st, key, &v, NULL);
    return v;
}

/* A change the deferred index cannot follow touched row id. */
static void bulk_note_stale(store *st, int64_t okey, int64_t id)
{
    int64_t upto = bulk_indexed_upto(st, okey);
    if (upto != 0 && id <= upto) {
        char key[64];
        bulk_key(key, sizeof key, "dirty", okey);
        store_kv_set_i64(st, key, 1, NULL);
    }
}

static ht_status fts_write(store *st, const objmeta *m, bool del, int64_t id, const char *text,
                           ht_error *err)
{
    if (str_empty(text))
        return HT_OK;
    if (!search_live(st, m->okey)) {
        bulk_note_stale(st, m->okey, id);
        return HT_OK;
    }
    char sql[128];
    if (del)
        snprintf(sql, sizeof sql, "INSERT INTO %s(%s, rowid, t) VALUES('delete', ?, ?)",
                 m->fts, m->fts);
    else
        snprintf(sql, sizeof sql, "INSERT INTO %s(rowid, t) VALUES(?, ?)", m->fts);
    sqlite3_stmt *s = store_stmt(st, sql, err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    return store_step_done(st, s, "updating the search index", err);
}

/* SELECT updated_ms, <search columns> FROM rec WHERE id=? for m. */
static char *search_probe_sql(const objmeta *m, char **cols, size_t ncols)
{
    strbuf sb = {0};
    strbuf_puts(&sb, "SELECT updated_ms");
    for (size_t i = 0; i < ncols; i++) {
        strbuf_puts(&sb, ", ");
        if (cols[i])
            sql_ident(&sb, cols[i]);
        else
            strbuf_puts(&sb, "NULL");
    }
    strbuf_printf(&sb, " FROM %s WHERE id=?", m->table);
    return strbuf_detach(&sb);
}

static ht_status search_columns(store *st, const objmeta *m, char ***cols, ht_error *err)
{
    *cols = xcalloc(m->nsearch + 1, sizeof **cols);
    for (size_t i = 0; i < m->nsearch; i++) {
        ht_status s = records_column(st, m, m->search_props[i], false, &(*cols)[i], err);
        if (s != HT_OK)
            return s;
    }
    return HT_OK;
}

static void free_cols(char **cols, size_t n)
{
    for (size_t i = 0; cols && i < n; i++)
        free(cols[i]);
    free(cols);
}

/* ---- single-value access (outbox, validate) ---------------------------------------- */

ht_status records_read_value(store *st, const objmeta *m, int64_t id, const char *prop,
                             char **value, bool *found, ht_error *err)
{
    *value = NULL;
    *found = false;
    char *col = NULL;
    ht_status s = records_column(st, m, prop, false, &col, err);
    if (s != HT_OK)
        return s;
    strbuf sql = {0};
    strbuf_puts(&sql, "SELECT ");
    if (col)
        sql_ident(&sql, col);
    else
        strbuf_puts(&sql, "NULL");
    strbuf_printf(&sql, " FROM %s WHERE id=?", m->table);
    sqlite3_stmt *q = store_stmt(st, strbuf_str(&sql), err);
    strbuf_free(&sql);
    free(col);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = true;
        *value = store_col_strdup(q, 0);
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading a record", err);
}

/* The search text of a record now, optionally with prop replaced by value. */
static ht_status current_search_text(store *st, const objmeta *m, int64_t id,
                                     const char *prop, const char *value, char **text,
                                     bool *live, ht_error *err)
{
    *text = NULL;
    *live = false;
    char **cols;
    ht_status s = search_columns(st, m, &cols, err);
    char *sql = s == HT_OK ? search_probe_sql(m, cols, m->nsearch) : NULL;
    free_cols(cols, m->nsearch);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    strbuf sb = {0};
    if (rc == SQLITE_ROW) {
        *live = true;
        for (size_t i = 0; i < m->nsearch; i++) {
            bool replaced = prop && strcmp(m->search_props[i], prop) == 0;
            text_append(&sb, replaced ? value : (const char *)sqlite3_column_text(q, (int)i + 1));
        }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        strbuf_free(&sb);
        return store_fail(st, rc, "reading a record", err);
    }
    *text = strbuf_detach(&sb);
    return HT_OK;
}

ht_status records_set_local_value(store *st, const objmeta *m, int64_t id, const char *prop,
                                  const char *value, ht_error *err)
{
    if (str_empty(value))
        value = NULL;
    char *col = NULL;
    ht_status s = records_column(st, m, prop, value != NULL, &col, err);
    if (s != HT_OK || !col)
        return s;
    bool search = records_is_search_prop(m, prop), live = false;
    char *old_text = NULL, *new_text = NULL;
    if (search)
        s = current_search_text(st, m, id, NULL, NULL, &old_text, &live, err);
    if (s == HT_OK && search)
        s = current_search_text(st, m, id, prop, value, &new_text, &live, err);
    strbuf sql = {0};
    strbuf_printf(&sql, "UPDATE %s SET ", m->table);
    sql_ident(&sql, col);
    strbuf_puts(&sql, "=? WHERE id=?");
    sqlite3_stmt *u = s == HT_OK ? store_stmt(st, strbuf_str(&sql), err) : NULL;
    if (s == HT_OK && !u)
        s = err ? err->status : HT_DB;
    if (u) {
        store_bind_text(u, 1, value);
        sqlite3_bind_int64(u, 2, id);
        s = store_step_done(st, u, "writing a record", err);
    }
    if (s == HT_OK && search && live && strcmp(old_text, new_text) != 0) {
        s = fts_write(st, m, true, id, old_text, err);
        if (s == HT_OK)
            s = fts_write(st, m, false, id, new_text, err);
    }
    strbuf_free(&sql);
    free(old_text);
    free(new_text);
    free(col);
    return s;
}

ht_status records_insert_local(store *st, const objmeta *m, int64_t id, ht_error *err)
{
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO %s(id, created_ms, updated_ms) VALUES(?, ?, ?)",
             m->table);
    sqlite3_stmt *s = store_stmt(st, sql, err);
    if (!s)
        return err ? err->status : HT_DB;
    int64_t now = time_now_ms();
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, now);
    ht_status r = store_step_done(st, s, "creating a local record", err);
    return r == HT_OK ? records_adjust_count(st, m->okey, 1, err) : r;
}

static ht_status delete_assoc_of(store *st, int64_t okey, int64_t id, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM assoc WHERE (from_okey=?1 AND from_id=?2)"
                                     " OR (to_okey=?1 AND to_id=?2)", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, okey);
    sqlite3_bind_int64(s, 2, id);
    return store_step_done(st, s, "removing associations", err);
}

ht_status records_delete_row(store *st, const objmeta *m, int64_t id, ht_error *err)
{
    char *text = NULL;
    bool live = false;
    ht_status s = current_search_text(st, m, id, NULL, NULL, &text, &live, err);
    if (s == HT_OK && live)
        s = fts_write(st, m, true, id, text, err);
    free(text);
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id=?", m->table);
    sqlite3_stmt *d = s == HT_OK ? store_stmt(st, sql, err) : NULL;
    if (s == HT_OK && !d)
        s = err ? err->status : HT_DB;
    if (d) {
        sqlite3_bind_int64(d, 1, id);
        s = store_step_done(st, d, "removing a record", err);
    }
    if (s == HT_OK && live && sqlite3_changes(st->db) > 0)
        s = records_adjust_count(st, m->okey, -1, err);
    if (s == HT_OK)
        s = delete_assoc_of(st, m->okey, id, err);
    return s;
}

ht_status records_renumber_exec(store *st, const char *const *sql, size_t n, int64_t okey,
                                int64_t from, int64_t to, const char *what, ht_error *err)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *s = store_stmt(st, sql[i], err);
        if (!s)
            return err ? err->status : HT_DB;
        sqlite3_bind_int64(s, 1, okey);
        sqlite3_bind_int64(s, 2, from);
        sqlite3_bind_int64(s, 3, to);
        ht_status r = store_step_done(st, s, what, err);
        if (r != HT_OK)
            return r;
    }
    return HT_OK;
}

static ht_status move_assoc(store *st, int64_t okey, int64_t from, int64_t to, ht_error *err)
{
    static const char *const sql[] = {
        "UPDATE OR REPLACE assoc SET from_id=?3 WHERE from_okey=?1 AND from_id=?2",
        "UPDATE OR REPLACE assoc SET to_id=?3 WHERE to_okey=?1 AND to_id=?2",
    };
    return records_renumber_exec(st, sql, ARRAY_SIZE(sql), okey, from, to,
                                 "renumbering associations", err);
}

/* Copy the local row's non-empty values onto an existing row `to`, then
 * drop the local row. */
static ht_status merge_local_into(store *st, const objmeta *m, int64_t from, int64_t to,
                                  ht_error *err)
{
    ht_status s = HT_OK;
    for (size_t i = 0; s == HT_OK && i < m->nprops; i++) {
        const prop_def *p = &m->props[i];
        if (!p->col)
            continue;
        char *v = NULL;
        bool found;
        s = records_read_value(st, m, from, p->name, &v, &found, err);
        if (s == HT_OK && v)
            s = records_set_local_value(st, m, to, p->name, v, err);
        free(v);
    }
    return s == HT_OK ? records_delete_row(st, m, from, err) : s;
}

ht_status records_change_id(store *st, const objmeta *m, int64_t from, int64_t to,
                            ht_error *err)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id=?", m->table);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, to);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "renumbering a record", err);
    ht_status s = move_assoc(st, m->okey, from, to, err);
    if (s != HT_OK)
        return s;
    if (rc == SQLITE_ROW)
        return merge_local_into(st, m, from, to, err);
    /* FTS rows are keyed by id too: move the entry. */
    char *text = NULL;
    bool live = false;
    s = current_search_text(st, m, from, NULL, NULL, &text, &live, err);
    if (s == HT_OK && live)
        s = fts_write(st, m, true, from, text, err);
    snprintf(sql, sizeof sql, "UPDATE %s SET id=? WHERE id=?", m->table);
    sqlite3_stmt *u = s == HT_OK ? store_stmt(st, sql, err) : NULL;
    if (s == HT_OK && !u)
        s = err ? err->status : HT_DB;
    if (u) {
        sqlite3_bind_int64(u, 1, to);
        sqlite3_bind_int64(u, 2, from);
        s = store_step_done(st, u, "renumbering a record", err);
    }
    if (s == HT_OK && live)
        s = fts_write(st, m, false, to, text, err);
    free(text);
    return s;
}

/* ---- the bulk writer ------------------------------------------------------------------ */

/* The writer keeps its hot statements itself (not in the store's cache) so
 * a million rows never pay a cache lookup each. */
typedef struct own_stmt {
    char         *sql;
    sqlite3_stmt *stmt;
} own_stmt;

struct record_writer {
    store         *st;
    const objmeta *m;
    bool           pending_edits;   /* the outbox holds edits of this object */
    bool           search_live;     /* keep the full-text index in step (not bulk loading) */
    bool           keep_newer;      /* records_writer_keep_newer */
    int64_t        max_id;          /* no row has a larger id: larger ids need no probe */
    own_stmt       probe, insert, update, fts_ins, fts_del;
};

static void own_stmt_clear(own_stmt *o)
{
    sqlite3_finalize(o->stmt);
    free(o->sql);
    o->stmt = NULL;
    o->sql = NULL;
}

/* Prepare sql into o unless o already holds exactly that (takes sql). */
static ht_status own_stmt_set(store *st, own_stmt *o, char *sql, ht_error *err)
{
    if (o->sql && strcmp(o->sql, sql) == 0) {
        free(sql);
        return HT_OK;
    }
    own_stmt_clear(o);
    int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &o->stmt, NULL);
    if (rc != SQLITE_OK) {
        free(sql);
        sqlite3_finalize(o->stmt);
        o->stmt = NULL;
        return store_fail(st, rc, "preparing a record write", err);
    }
    o->sql = sql;
    return HT_OK;
}

static ht_status writer_fts(record_writer *w, bool del, int64_t id, const char *text,
                            ht_error *err)
{
    if (str_empty(text) || !w->search_live)
        return HT_OK;
    sqlite3_stmt *s = del ? w->fts_del.stmt : w->fts_ins.stmt;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? HT_OK : store_fail(w->st, rc, "updating the search index", err);
}

record_writer *records_writer_open(store *st, const char *object, ht_error *err)
{
    if (st->readonly) {
        ht_error_set(err, HT_READONLY, "the cache is open read-only");
        return NULL;
    }
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return NULL;
    record_writer *w = xcalloc(1, sizeof *w);
    w->st = st;
    w->m = m;
    if (own_stmt_set(st, &w->fts_ins, xasprintf("INSERT INTO %s(rowid, t) VALUES(?, ?)", m->fts),
                     err) != HT_OK ||
        own_stmt_set(st, &w->fts_del, xasprintf("INSERT INTO %s(%s, rowid, t)"
                                                " VALUES('delete', ?, ?)", m->fts, m->fts),
                     err) != HT_OK) {
        records_writer_close(w);
        return NULL;
    }
    return w;
}

void records_writer_keep_newer(record_writer *w, bool on)
{
    w->keep_newer = on;
}

void records_writer_close(record_writer *w)
{
    if (!w)
        return;
    objmeta_release(w->m);
    own_stmt_clear(&w->probe);
    own_stmt_clear(&w->insert);
    own_stmt_clear(&w->update);
    own_stmt_clear(&w->fts_ins);
    own_stmt_clear(&w->fts_del);
    free(w);
}

/* What one put() works with: the batch's properties that have (or get) a
 * column, and the statements for that column set. */
typedef struct put_plan {
    size_t       *pidx;             /* batch prop index per active column */
    char        **cols;             /* active column names */
    size_t        ncols;
    ssize_t      *search_pidx;      /* per search prop: batch index or -1 */
    char        **search_cols;      /* per search prop: column or NULL */
    sqlite3_stmt *probe, *insert, *update;
    const char  **row;              /* scratch: one record's values */
    char        **pending_vals;     /* scratch: pending overrides (owned) */
} put_plan;

static void plan_free(put_plan *p, size_t nprops, size_t nsearch)
{
    free(p->pidx);
    free_cols(p->cols, p->ncols);
    free(p->search_pidx);
    free_cols(p->search_cols, nsearch);
    free(p->row);
    for (size_t i = 0; p->pending_vals && i < nprops; i++)
        free(p->pending_vals[i]);
    free(p->pending_vals);
}

static bool batch_prop_has_value(const record_batch *b, size_t j)
{
    for (size_t r = 0; r < b->nrecords; r++) {
        const char *v = b->values[r * b->nprops + j];
        if (!str_empty(v) && v != RECORD_VALUE_ABSENT)
            return true;
    }
    return false;
}

static char *insert_sql(const objmeta *m, const put_plan *p)
{
    strbuf sb = {0};
    strbuf_printf(&sb, "INSERT INTO %s(id, created_ms, updated_ms, seen_gen", m->table);
    for (size_t i = 0; i < p->ncols; i++) {
        strbuf_puts(&sb, ", ");
        sql_ident(&sb, p->cols[i]);
    }
    strbuf_puts(&sb, ") VALUES(?,?,?,?");
    for (size_t i = 0; i < p->ncols; i++)
        strbuf_puts(&sb, ",?");
    strbuf_putc(&sb, ')');
    return strbuf_detach(&sb);
}

/* UPDATE for the active columns; when `row` is given, only the columns the
 * record actually carries (slow path for partial records). */
static char *update_sql(const objmeta *m, const put_plan *p, const char *const *row)
{
    strbuf sb = {0};
    strbuf_printf(&sb, "UPDATE %s SET created_ms=ifnull(?1,created_ms),"
                       " updated_ms=ifnull(?2,updated_ms), seen_gen=max(seen_gen,?3)",
                  m->table);
    for (size_t i = 0; i < p->ncols; i++) {
        if (row && row[p->pidx[i]] == RECORD_VALUE_ABSENT)
            continue;
        strbuf_puts(&sb, ", ");
        sql_ident(&sb, p->cols[i]);
        strbuf_printf(&sb, "=?%zu", i + 5);
    }
    strbuf_puts(&sb, " WHERE id=?4");
    return strbuf_detach(&sb);
}

static ht_status plan_statements(record_writer *w, put_plan *p, ht_error *err)
{
    char *probe = w->search_live ? search_probe_sql(w->m, p->search_cols, w->m->nsearch)
                                 : xasprintf("SELECT updated_ms FROM %s WHERE id=?", w->m->table);
    ht_status s = own_stmt_set(w->st, &w->probe, probe, err);
    if (s == HT_OK)
        s = own_stmt_set(w->st, &w->insert, insert_sql(w->m, p), err);
    if (s == HT_OK)
        s = own_stmt_set(w->st, &w->update, update_sql(w->m, p, NULL), err);
    if (s != HT_OK)
        return s;
    p->probe = w->probe.stmt;
    p->insert = w->insert.stmt;
    p->update = w->update.stmt;
    return HT_OK;
}

static ht_status plan_make(record_writer *w, const record_batch *b, put_plan *p,
                           ht_error *err)
{
    memset(p, 0, sizeof *p);
    const objmeta *m = w->m;
    p->pidx = xcalloc(b->nprops + 1, sizeof *p->pidx);
    p->cols = xcalloc(b->nprops + 1, sizeof *p->cols);
    p->row = xcalloc(b->nprops + 1, sizeof *p->row);
    p->pending_vals = xcalloc(b->nprops + 1, sizeof *p->pending_vals);
    ht_status s = HT_OK;
    for (size_t j = 0; s == HT_OK && j < b->nprops; j++) {
        char *col = NULL;
        s = records_column(w->st, m, b->props[j], batch_prop_has_value(b, j), &col, err);
        if (col) {
            p->pidx[p->ncols] = j;
            p->cols[p->ncols++] = col;
        }
    }
    p->search_pidx = xcalloc(m->nsearch + 1, sizeof *p->search_pidx);
    if (s == HT_OK)
        s = search_columns(w->st, m, &p->search_cols, err);
    for (size_t i = 0; s == HT_OK && i < m->nsearch; i++) {
        p->search_pidx[i] = -1;
        for (size_t j = 0; j < b->nprops; j++)
            if (strcmp(b->props[j], m->search_props[i]) == 0)
                p->search_pidx[i] = (ssize_t)j;
    }
    return s == HT_OK ? plan_statements(w, p, err) : s;
}

static void bind_row(sqlite3_stmt *s, const put_plan *p, int first, bool skip_absent)
{
    int k = first;
    for (size_t i = 0; i < p->ncols; i++) {
        const char *v = p->row[p->pidx[i]];
        if (v == RECORD_VALUE_ABSENT) {
            if (skip_absent) {
                k++;
                continue;
            }
            v = NULL;
        }
        if (str_empty(v))
            sqlite3_bind_null(s, k++);
        else
            sqlite3_bind_text(s, k++, v, -1, SQLITE_STATIC);
    }
}

/* The outbox holds edits for this record: the local values win, and the
 * server's values are remembered for the writeback's conflict check. */
static ht_status apply_pending(record_writer *w, put_plan *p, const record_batch *b,
                               int64_t id, ht_error *err)
{
    sqlite3_stmt *q = store_stmt(w->st,
        "SELECT qid, prop, new_value FROM outbox WHERE okey=? AND record_id=?"
        " AND kind='update' ORDER BY qid", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, w->m->okey);
    sqlite3_bind_int64(q, 2, id);
    int rc;
    ht_status s = HT_OK;
    while (s == HT_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t qid = sqlite3_column_int64(q, 0);
        const char *prop = (const char *)sqlite3_column_text(q, 1);
        for (size_t j = 0; j < b->nprops; j++) {
            if (strcmp(b->props[j], prop) != 0 || p->row[j] == RECORD_VALUE_ABSENT)
                continue;
            sqlite3_stmt *u = store_stmt(w->st, "UPDATE outbox SET server_value=?,"
                                                " server_seen=1 WHERE qid=?", err);
            if (!u) {
                s = err ? err->status : HT_DB;
                break;
            }
            store_bind_text_or_null(u, 1, p->row[j]);
            sqlite3_bind_int64(u, 2, qid);
            s = store_step_done(w->st, u, "remembering a server value", err);
            free(p->pending_vals[j]);
            p->pending_vals[j] = store_col_strdup(q, 2);
            p->row[j] = p->pending_vals[j];
        }
    }
    sqlite3_reset(q);
    return s;
}

/* Look for the record's row: *exists, and *stale when keep_newer is on and
 * the row is newer than updated (the incoming record's). The probe is left
 * on the row for search_texts; the caller resets it. */
static ht_status probe_old(record_writer *w, put_plan *p, int64_t id, int64_t updated,
                           bool *exists, bool *stale, ht_error *err)
{
    /* List pages come in id order, so during a backfill nearly every id is
     * beyond the largest stored one and cannot exist yet. */
    int rc = SQLITE_DONE;
    if (id <= w->max_id) {
        sqlite3_bind_int64(p->probe, 1, id);
        rc = sqlite3_step(p->probe);
    } else {
        w->max_id = id;
    }
    *exists = rc == SQLITE_ROW;
    *stale = *exists && w->keep_newer && updated &&
             sqlite3_column_type(p->probe, 0) == SQLITE_INTEGER &&
             updated < sqlite3_column_int64(p->probe, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_reset(p->probe);
        return store_fail(w->st, rc, "reading a record", err);
    }
    return HT_OK;
}

/* The row's search text as stored (text) and as it will be (merged), from
 * the probe's row and the incoming values. */
static void search_texts(record_writer *w, put_plan *p, bool exists, strbuf *text,
                         strbuf *merged)
{
    strbuf_reset(text);
    strbuf_reset(merged);
    if (!w->search_live) {
        /* Bulk loading: the index is rebuilt at the end. */
    } else if (exists) {
        for (size_t i = 0; i < w->m->nsearch; i++) {
            const char *old = (const char *)sqlite3_column_text(p->probe, (int)i + 1);
            text_append(text, old);
            ssize_t j = p->search_pidx[i];
            const char *now = j >= 0 && p->row[j] != RECORD_VALUE_ABSENT ? p->row[j] : old;
            text_append(merged, now);
        }
    } else {
        for (size_t i = 0; i < w->m->nsearch; i++) {
            ssize_t j = p->search_pidx[i];
            text_append(merged, j >= 0 ? p->row[j] : NULL);
        }
    }
}

static bool row_has_absent(const put_plan *p)
{
    for (size_t i = 0; i < p->ncols; i++)
        if (p->row[p->pidx[i]] == RECORD_VALUE_ABSENT)
            return true;
    return false;
}

static ht_status write_row(record_writer *w, put_plan *p, int64_t id, bool exists,
                           int64_t created, int64_t updated, int64_t gen, ht_error *err)
{
    sqlite3_stmt *s = exists ? p->update : p->insert;
    if (exists && row_has_absent(p)) {
        char *slow_sql = update_sql(w->m, p, p->row);
        s = store_stmt(w->st, slow_sql, err);
        free(slow_sql);
        if (!s)
            return err ? err->status : HT_DB;
    }
    if (exists) {
        created ? sqlite3_bind_int64(s, 1, created) : sqlite3_bind_null(s, 1);
        updated ? sqlite3_bind_int64(s, 2, updated) : sqlite3_bind_null(s, 2);
        sqlite3_bind_int64(s, 3, gen);
        sqlite3_bind_int64(s, 4, id);
        bind_row(s, p, 5, true);
    } else {
        sqlite3_bind_int64(s, 1, id);
        created ? sqlite3_bind_int64(s, 2, created) : sqlite3_bind_null(s, 2);
        updated ? sqlite3_bind_int64(s, 3, updated) : sqlite3_bind_null(s, 3);
        sqlite3_bind_int64(s, 4, gen);
        bind_row(s, p, 5, false);
    }
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(w->st, rc, "writing a record", err);
    return HT_OK;
}

static void clear_pending_vals(put_plan *p, size_t nprops)
{
    for (size_t j = 0; j < nprops; j++) {
        free(p->pending_vals[j]);
        p->pending_vals[j] = NULL;
    }
}

static ht_status put_one(record_writer *w, put_plan *p, const record_batch *b, size_t r,
                         int64_t gen, strbuf *old_text, strbuf *new_text, int64_t *delta,
                         upsert_stats *stats, ht_error *err)
{
    int64_t id;
    if (!records_parse_id(b->ids[r], &id) || id <= 0)
        return ht_error_set(err, HT_PARSE, "record id '%s' is not a HubSpot id",
                            b->ids[r] ? b->ids[r] : "(null)");
    int64_t updated = b->updated_ms ? b->updated_ms[r] : 0;
    if (updated > stats->max_updated_ms)
        stats->max_updated_ms = updated;
    if (id > stats->max_id)
        stats->max_id = id;
    if (b->archived && b->archived[r]) {
        stats->archived++;
        return records_delete_row(w->st, w->m, id, err);
    }
    for (size_t j = 0; j < b->nprops; j++)
        p->row[j] = b->values[r * b->nprops + j];
    bool exists = false, stale = false;
    ht_status s = probe_old(w, p, id, updated, &exists, &stale, err);
    if (s == HT_OK && stale) {
        sqlite3_reset(p->probe);
        stats->kept_newer++;
        return HT_OK;
    }
    if (s == HT_OK && w->pending_edits)
        s = apply_pending(w, p, b, id, err);
    if (s == HT_OK)
        search_texts(w, p, exists, old_text, new_text);
    sqlite3_reset(p->probe);
    int64_t created = b->created_ms ? b->created_ms[r] : 0;
    if (s == HT_OK)
        s = write_row(w, p, id, exists, created, updated, gen, err);
    bool text_changed = !exists || strcmp(strbuf_str(old_text), strbuf_str(new_text)) != 0;
    if (s == HT_OK && exists && !w->search_live)
        bulk_note_stale(w->st, w->m->okey, id);
    if (s == HT_OK && exists && text_changed)
        s = writer_fts(w, true, id, strbuf_str(old_text), err);
    if (s == HT_OK && text_changed)
        s = writer_fts(w, false, id, strbuf_str(new_text), err);
    clear_pending_vals(p, b->nprops);
    if (s != HT_OK)
        return s;
    *delta += !exists;
    if (exists)
        stats->updated++;
    else
        stats->inserted++;
    return HT_OK;
}

static ht_status max_record_id(store *st, const objmeta *m, int64_t *out, ht_error *err)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT ifnull(max(id), 0) FROM %s", m->table);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    if (!q)
        return err ? err->status : HT_DB;
    int rc = sqlite3_step(q);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : INT64_MAX;
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? HT_OK : store_fail(st, rc, "reading records", err);
}

static ht_status outbox_has_edits(store *st, int64_t okey, bool *yes, ht_error *err)
{
    sqlite3_stmt *q = store_stmt(st, "SELECT EXISTS(SELECT 1 FROM outbox WHERE okey=?"
                                     " AND kind='update')", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    int rc = sqlite3_step(q);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? HT_OK : store_fail(st, rc, "reading the outbox", err);
}

/* A page's values were written by the thread that read it, so each one is
 * a cache miss here; asking for the next record's while binding this one's
 * overlaps those misses instead of taking them one by one (measured: a
 * backfill's writer spent an eighth of its time on the first byte of each
 * value). */
static void prefetch_values(const record_batch *b, size_t r)
{
    const char *const *v = b->values + r * b->nprops;
    for (size_t j = 0; j < b->nprops; j++)
        if (v[j])
            __builtin_prefetch(v[j]);
}

ht_status records_writer_put(record_writer *w, const record_batch *b, int64_t seen_gen,
                             upsert_stats *stats, ht_error *err)
{
    upsert_stats local = {0};
    if (!stats)
        stats = &local;
    if (b->nrecords == 0)
        return HT_OK;
    w->st->write_gen++;
    bool own_tx = !store_in_transaction(w->st);
    ht_status s = own_tx ? store_begin(w->st, err) : HT_OK;
    if (s != HT_OK)
        return s;
    put_plan p;
    s = outbox_has_edits(w->st, w->m->okey, &w->pending_edits, err);
    w->search_live = search_live(w->st, w->m->okey);
    if (s == HT_OK)
        s = max_record_id(w->st, w->m, &w->max_id, err);
    if (s == HT_OK)
        s = plan_make(w, b, &p, err);
    else
        memset(&p, 0, sizeof p);
    strbuf old_text = {0}, new_text = {0};
    int64_t delta = 0;
    for (size_t r = 0; s == HT_OK && r < b->nrecords; r++) {
        if (r + 1 < b->nrecords)
            prefetch_values(b, r + 1);
        s = put_one(w, &p, b, r, seen_gen, &old_text, &new_text, &delta, stats, err);
    }
    if (s == HT_OK)
        s = records_adjust_count(w->st, w->m->okey, delta, err);
    strbuf_free(&old_text);
    strbuf_free(&new_text);
    plan_free(&p, b->nprops, w->m->nsearch);
    return own_tx ? store_commit_or_rollback(w->st, s, err) : s;
}

/* ---- JSON pages -------------------------------------------------------------------- */

/* A small open-addressing index of property names for one page. */
typedef struct name_index {
    const char **names;
    size_t       n, cap;
    ssize_t     *slots;
    size_t       nslots;
} name_index;

static void name_index_rehash(name_index *ix)
{
    ix->nslots = ix->nslots ? ix->nslots * 2 : 64;
    free(ix->slots);
    ix->slots = xmalloc(ix->nslots * sizeof *ix->slots);
    for (size_t i = 0; i < ix->nslots; i++)
        ix->slots[i] = -1;
    for (size_t k = 0; k < ix->n; k++) {
        size_t h = str_hash(ix->names[k]) & (ix->nslots - 1);
        while (ix->slots[h] >= 0)
            h = (h + 1) & (ix->nslots - 1);
        ix->slots[h] = (ssize_t)k;
    }
}

static size_t name_index_add(name_index *ix, const char *name)
{
    if (ix->n * 2 >= ix->nslots)
        name_index_rehash(ix);
    size_t h = str_hash(name) & (ix->nslots - 1);
    while (ix->slots[h] >= 0) {
        if (strcmp(ix->names[ix->slots[h]], name) == 0)
            return (size_t)ix->slots[h];
        h = (h + 1) & (ix->nslots - 1);
    }
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 32;
        ix->names = xrealloc(ix->names, ix->cap * sizeof *ix->names);
    }
    ix->names[ix->n] = name;
    ix->slots[h] = (ssize_t)ix->n;
    return ix->n++;
}

static void name_index_free(name_index *ix)
{
    free(ix->names);
    free(ix->slots);
}

typedef struct json_page {
    name_index   ix;
    size_t       nrequested;
    const char **ids;
    const char **values;
    int64_t     *created, *updated;
    bool        *archived;
    char       **owned;             /* strings we formatted (numbers, bools) */
    size_t       nowned;
    char       (*idbuf)[32];
} json_page;

static const char *json_value_text(json_page *pg, json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_null(v) || !v)
        return NULL;
    char *text;
    if (json_is_integer(v))
        text = xasprintf("%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        text = xasprintf("%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        text = xstrdup(json_is_true(v) ? "true" : "false");
    else
        text = json_dumps(v, JSON_COMPACT);
    pg->owned = xrealloc(pg->owned, (pg->nowned + 1) * sizeof *pg->owned);
    pg->owned[pg->nowned++] = text;
    return text;
}

static void page_free(json_page *pg)
{
    name_index_free(&pg->ix);
    free(pg->ids);
    free(pg->values);
    free(pg->created);
    free(pg->updated);
    free(pg->archived);
    for (size_t i = 0; i < pg->nowned; i++)
        free(pg->owned[i]);
    free(pg->owned);
    free(pg->idbuf);
}

static void page_fill(json_page *pg, json_t *results)
{
    size_t n = json_array_size(results), r;
    json_t *rec;
    /* Pass 1: every property name on the page. */
    json_array_foreach(results, r, rec) {
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(rec, "properties"), key, v)
            name_index_add(&pg->ix, key);
    }
    size_t np = pg->ix.n;
    pg->ids = xcalloc(n + 1, sizeof *pg->ids);
    pg->idbuf = xcalloc(n + 1, sizeof *pg->idbuf);
    pg->values = xcalloc(n * np + 1, sizeof *pg->values);
    pg->created = xcalloc(n + 1, sizeof *pg->created);
    pg->updated = xcalloc(n + 1, sizeof *pg->updated);
    pg->archived = xcalloc(n + 1, sizeof *pg->archived);
    json_array_foreach(results, r, rec) {
        json_t *id = json_object_get(rec, "id");
        if (json_is_integer(id)) {
            snprintf(pg->idbuf[r], 32, "%lld", (long long)json_integer_value(id));
            pg->ids[r] = pg->idbuf[r];
        } else {
            pg->ids[r] = json_string_value(id);
        }
        for (size_t j = 0; j < np; j++)
            pg->values[r * np + j] = j < pg->nrequested ? NULL : RECORD_VALUE_ABSENT;
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(rec, "properties"), key, v)
            pg->values[r * np + name_index_add(&pg->ix, key)] = json_value_text(pg, v);
        time_parse(json_string_value(json_object_get(rec, "createdAt")), &pg->created[r]);
        time_parse(json_string_value(json_object_get(rec, "updatedAt")), &pg->updated[r]);
        pg->archived[r] = json_is_true(json_object_get(rec, "archived"));
    }
}

ht_status records_writer_put_json(record_writer *w, json_t *results,
                                  const char *const *requested, size_t nrequested,
                                  int64_t seen_gen, upsert_stats *stats, ht_error *err)
{
    if (!json_is_array(results))
        return ht_error_set(err, HT_PARSE, "expected a JSON array of records");
    json_page pg = {0};
    for (size_t i = 0; i < nrequested; i++)
        name_index_add(&pg.ix, requested[i]);
    pg.nrequested = pg.ix.n;
    page_fill(&pg, results);
    record_batch b = {
        .props = pg.ix.names, .nprops = pg.ix.n, .nrecords = json_array_size(results),
        .ids = pg.ids, .values = pg.values, .created_ms = pg.created,
        .updated_ms = pg.updated, .archived = pg.archived,
    };
    ht_status s = records_writer_put(w, &b, seen_gen, stats, err);
    page_free(&pg);
    return s;
}

/* ---- bulk loading --------------------------------------------------------------------- */

static ht_status set_deferred(store *st, int64_t okey, bool on, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE object_types SET search_deferred=? WHERE okey=?",
                                 err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int(s, 1, on);
    sqlite3_bind_int64(s, 2, okey);
    return store_step_done(st, s, "switching bulk mode", err);
}

/* A bulk load's connection gets a bigger page cache (64 MB instead of 16,
 * unless its size was chosen with store_set_cache_kb):
 * the load and the one-pass index build touch much more than browsing. */
#define BULK_CACHE_KB 65536

/* Remember whether the table was empty when bulk mode first began (1) or
 * not (2): only an empty start can be indexed as it goes. */
static ht_status bulk_note_start(store *st, const objmeta *m, ht_error *err)
{
    char key[64];
    int64_t fresh = 0;
    bulk_key(key, sizeof key, "fresh", m->okey);
    ht_status s = store_kv_get_i64(st, key, &fresh, err);
    if (s != HT_OK || fresh != 0)
        return s;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT EXISTS(SELECT 1 FROM %s)", m->table);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    if (!q)
        return err ? err->status : HT_DB;
    int rc = sqlite3_step(q);
    bool any = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW)
        return store_fail(st, rc, "starting a bulk load", err);
    return store_kv_set_i64(st, key, any ? 2 : 1, err);
}

ht_status records_begin_bulk(store *st, const char *object, ht_error *err)
{
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    ht_status s = set_deferred(st, m->okey, true, err);
    if (s == HT_OK)
        s = bulk_note_start(st, m, err);
    objmeta_release(m);
    return s == HT_OK ? store_apply_cache_kb(st, BULK_CACHE_KB, err) : s;
}

bool records_search_ready(store *st, const char *object)
{
    const objmeta *m = meta_object(st, object, NULL);
    bool ready = !m || search_live(st, m->okey);
    objmeta_release(m);
    return ready;
}

/* INSERT INTO fts(rowid, t) SELECT id, <search columns joined> FROM rec,
 * followed by where (may be NULL). */
static char *rebuild_sql(const objmeta *m, char **cols, const char *where)
{
    strbuf sb = {0};
    strbuf_printf(&sb, "INSERT INTO %s(rowid, t) SELECT id, ", m->fts);
    size_t n = 0;
    for (size_t i = 0; i < m->nsearch; i++) {
        if (!cols[i])
            continue;
        /* Spacing differs from text_append's join, but the tokens (all a
         * contentless index keeps) are the same, so later deletes match. */
        strbuf_puts(&sb, n++ ? " || ' ' || ifnull(" : "ifnull(");
        sql_ident(&sb, cols[i]);
        strbuf_puts(&sb, ", '')");
    }
    if (n == 0)
        strbuf_puts(&sb, "''");
    strbuf_printf(&sb, " FROM %s", m->table);
    if (where)
        strbuf_printf(&sb, " %s", where);
    return strbuf_detach(&sb);
}

/* Recount the live records (cheap next to a rebuild, and heals any drift). */
static ht_status recount(store *st, const objmeta *m, ht_error *err)
{
    char *sql = xasprintf("UPDATE object_types SET live_count=(SELECT count(*) FROM %s)"
                          " WHERE okey=%lld", m->table, (long long)m->okey);
    ht_status s = store_exec(st, sql, err);
    free(sql);
    return s;
}

ht_status records_bulk_index(store *st, const char *object, int64_t upto, ht_error *err)
{
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    int64_t from = bulk_indexed_upto(st, m->okey), fresh = 0;
    char key[64];
    bulk_key(key, sizeof key, "fresh", m->okey);
    store_kv_get_i64(st, key, &fresh, NULL);
    char **cols = NULL;
    ht_status s = HT_OK;
    if (fresh == 1 && !search_live(st, m->okey) && upto > from) {
        bool own_tx = !store_in_transaction(st);
        s = own_tx ? store_begin(st, err) : HT_OK;
        if (s == HT_OK)
            s = search_columns(st, m, &cols, err);
        if (s == HT_OK && from == 0) {
            /* The first batch: segments merge once, at the end (each batch
             * makes a small one; the usual crisis merge of 16 would merge
             * over and over). */
            char *sql = xasprintf("INSERT INTO %1$s(%1$s, rank) VALUES('automerge', 0);"
                                  "INSERT INTO %1$s(%1$s, rank) VALUES('crisismerge', 100000)",
                                  m->fts);
            s = store_exec(st, sql, err);
            free(sql);
        }
        if (s == HT_OK) {
            char *where = xasprintf("WHERE id > %lld AND id <= %lld", (long long)from,
                                    (long long)upto);
            char *sql = rebuild_sql(m, cols, where);
            s = store_exec(st, sql, err);
            free(sql);
            free(where);
        }
        bulk_key(key, sizeof key, "upto", m->okey);
        if (s == HT_OK)
            s = store_kv_set_i64(st, key, upto, err);
        if (own_tx) {
            s = store_commit_or_rollback(st, s, err);
        }
        free_cols(cols, m->nsearch);
    }
    objmeta_release(m);
    return s;
}

static ht_status bulk_forget(store *st, int64_t okey, ht_error *err)
{
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM kv WHERE key IN ('fts_bulk_upto:%lld',"
             " 'fts_bulk_dirty:%lld', 'fts_bulk_fresh:%lld')", (long long)okey, (long long)okey,
             (long long)okey);
    return store_exec(st, sql, err);
}

/* PRAGMA secure_delete: 0 off, 1 on, 2 fast; -1 if it cannot be read. */
static int secure_delete_mode(store *st)
{
    sqlite3_stmt *q = store_stmt(st, "PRAGMA secure_delete", NULL);
    if (!q)
        return -1;
    int mode = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    sqlite3_reset(q);
    return mode;
}

ht_status records_end_bulk(store *st, const char *object, int64_t *ms, ht_error *err)
{
    int64_t t0 = time_mono_ms();
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    char **cols = NULL;
    /* The index's merge frees the pages of its old segments, which hold only
     * tokens of records still in this file; zeroing each (Debian builds
     * SQLite with secure_delete on) would write them all out once more. */
    int secure_delete = secure_delete_mode(st);
    if (secure_delete == 1)
        store_exec(st, "PRAGMA secure_delete=FAST", NULL);
    ht_status s = store_begin(st, err);
    if (s == HT_OK)
        s = search_columns(st, m, &cols, err);
    /* Indexed as it went, and nothing it indexed changed since: only the rest. */
    int64_t upto = bulk_indexed_upto(st, m->okey), dirty = 0;
    char key[64];
    bulk_key(key, sizeof key, "dirty", m->okey);
    store_kv_get_i64(st, key, &dirty, NULL);
    bool partial = upto > 0 && !dirty;
    char *where = partial ? xasprintf("WHERE id > %lld", (long long)upto) : NULL;
    if (s == HT_OK && !partial) {
        char *sql = xasprintf("INSERT INTO %s(%s) VALUES('delete-all')", m->fts, m->fts);
        s = store_exec(st, sql, err);
        free(sql);
    }
    if (s == HT_OK) {
        /* Build without incremental merging, then merge once: cheaper than
         * merging as it grows, and leaves one tidy segment for queries. */
        char *build = rebuild_sql(m, cols, where);
        char *sql = xasprintf("INSERT INTO %1$s(%1$s, rank) VALUES('automerge', 0);"
                              "%2$s;"
                              "INSERT INTO %1$s(%1$s, rank) VALUES('automerge', 4);"
                              "INSERT INTO %1$s(%1$s, rank) VALUES('crisismerge', 16);"
                              "INSERT INTO %1$s(%1$s) VALUES('optimize');",
                              m->fts, build);
        s = store_exec(st, sql, err);
        free(sql);
        free(build);
    }
    free(where);
    if (s == HT_OK)
        s = recount(st, m, err);
    if (s == HT_OK)
        s = bulk_forget(st, m->okey, err);
    if (s == HT_OK)
        s = set_deferred(st, m->okey, false, err);
    if (store_in_transaction(st)) {
        s = store_commit_or_rollback(st, s, err);
    }
    free_cols(cols, m->nsearch);
    objmeta_release(m);
    if (secure_delete == 1) {
        char pragma[40];
        snprintf(pragma, sizeof pragma, "PRAGMA secure_delete=%d", secure_delete);
        store_exec(st, pragma, NULL);
    }
    store_apply_cache_kb(st, 0, NULL);
    if (ms)
        *ms = time_mono_ms() - t0;
    return s;
}

/* ---- archive and sweep ----------------------------------------------------------------- */

ht_status records_archive(store *st, const char *object, const char *const *ids, size_t n,
                          ht_error *err)
{
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    ht_status s = store_begin(st, err);
    for (size_t i = 0; s == HT_OK && i < n; i++) {
        int64_t id;
        if (!records_parse_id(ids[i], &id))
            s = ht_error_set(err, HT_INVALID, "'%s' is not a record id", ids[i]);
        else
            s = records_delete_row(st, m, id, err);
    }
    if (store_in_transaction(st)) {
        s = store_commit_or_rollback(st, s, err);
    }
    objmeta_release(m);
    return s;
}

ht_status records_ids_after(store *st, const char *object, int64_t after, size_t max,
                            int64_t *out, size_t *n, ht_error *err)
{
    *n = 0;
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id>? ORDER BY id LIMIT ?", m->table);
    objmeta_release(m);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, after < 0 ? 0 : after);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
    int rc = SQLITE_DONE;
    while (*n < max && (rc = sqlite3_step(q)) == SQLITE_ROW)
        out[(*n)++] = sqlite3_column_int64(q, 0);
    if (*n == max)
        rc = SQLITE_DONE;
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "listing records", err);
}

ht_status records_sweep_unseen(store *st, const char *object, int64_t gen, size_t *swept,
                               ht_error *err)
{
    if (swept)
        *swept = 0;
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE seen_gen<? AND id>0", m->table);
    int64_t *ids = NULL;
    size_t n = 0;
    sqlite3_stmt *q = store_stmt(st, sql, err);
    ht_status s = q ? HT_OK : (err ? err->status : HT_DB);
    if (q) {
        sqlite3_bind_int64(q, 1, gen);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            ids = xrealloc(ids, (n + 1) * sizeof *ids);
            ids[n++] = sqlite3_column_int64(q, 0);
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            s = store_fail(st, rc, "sweeping records", err);
    }
    if (s == HT_OK)
        s = store_begin(st, err);
    for (size_t i = 0; s == HT_OK && i < n; i++)
        s = records_delete_row(st, m, ids[i], err);
    if (store_in_transaction(st)) {
        s = store_commit_or_rollback(st, s, err);
    }
    if (s == HT_OK && swept)
        *swept = n;
    free(ids);
    objmeta_release(m);
    return s;
}

/* ---- associations: writes ------------------------------------------------------------- */

static ht_status assoc_delete_from(store *st, int64_t from_okey, int64_t from_id,
                                   int64_t to_okey, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM assoc WHERE from_okey=? AND from_id=?"
                                     " AND to_okey=?", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, from_okey);
    sqlite3_bind_int64(s, 2, from_id);
    sqlite3_bind_int64(s, 3, to_okey);
    return store_step_done(st, s, "replacing associations", err);
}

static ht_status assoc_insert(store *st, int64_t from_okey, int64_t from_id, int64_t to_okey,
                              int64_t to_id, int type_id, const char *category,
                              const char *label, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "INSERT OR REPLACE INTO assoc(from_okey, from_id, to_okey, to_id, type_id, category,"
        " label) VALUES(?,?,?,?,?,?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, from_okey);
    sqlite3_bind_int64(s, 2, from_id);
    sqlite3_bind_int64(s, 3, to_okey);
    sqlite3_bind_int64(s, 4, to_id);
    sqlite3_bind_int(s, 5, type_id);
    store_bind_text(s, 6, category);
    store_bind_text_or_null(s, 7, label);
    return store_step_done(st, s, "storing associations", err);
}

typedef struct okey_pair { const objmeta *from, *to; } okey_pair;

static ht_status pair_open(store *st, const char *from, const char *to, okey_pair *p,
                           ht_error *err)
{
    p->from = meta_object(st, from, err);
    p->to = p->from ? meta_object(st, to, err) : NULL;
    if (!p->to) {
        objmeta_release(p->from);
        return err ? err->status : HT_NOT_FOUND;
    }
    return HT_OK;
}

static void pair_close(okey_pair *p)
{
    objmeta_release(p->from);
    objmeta_release(p->to);
}

static ht_status set_links(store *st, const okey_pair *pr, int64_t from_id,
                           const assoc_link *links, size_t n, bool replace, ht_error *err)
{
    ht_status s = replace ? assoc_delete_from(st, pr->from->okey, from_id, pr->to->okey, err)
                          : HT_OK;
    for (size_t i = 0; s == HT_OK && i < n; i++) {
        int64_t to_id;
        if (!records_parse_id(links[i].to_id, &to_id))
            return ht_error_set(err, HT_PARSE, "association to '%s': not a record id",
                                links[i].to_id ? links[i].to_id : "(null)");
        s = assoc_insert(st, pr->from->okey, from_id, pr->to->okey, to_id, links[i].type_id,
                         links[i].category, links[i].label, err);
    }
    return s;
}

ht_status records_set_associations(store *st, const char *from_object, const char *from_id,
                                   const char *to_object, const assoc_link *links, size_t n,
                                   bool replace, ht_error *err)
{
    int64_t fid;
    if (!records_parse_id(from_id, &fid))
        return ht_error_set(err, HT_INVALID, "'%s' is not a record id", from_id);
    okey_pair pr;
    ht_status s = pair_open(st, from_object, to_object, &pr, err);
    if (s != HT_OK)
        return s;
    if ((s = store_begin(st, err)) == HT_OK) {
        s = set_links(st, &pr, fid, links, n, replace, err);
        s = store_commit_or_rollback(st, s, err);
    }
    pair_close(&pr);
    return s;
}

static const char *json_id_text(json_t *v, char buf[32])
{
    if (json_is_integer(v)) {
        snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return json_string_value(v);
}

static ht_status put_assoc_result(store *st, const okey_pair *pr, json_t *res, bool replace,
                                  ht_error *err)
{
    char fbuf[32];
    const char *fid_text = json_id_text(json_object_get(json_object_get(res, "from"), "id"),
                                        fbuf);
    int64_t fid;
    if (!fid_text || !records_parse_id(fid_text, &fid))
        return ht_error_set(err, HT_PARSE, "association result without a valid from.id");
    ht_status s = replace ? assoc_delete_from(st, pr->from->okey, fid, pr->to->okey, err)
                          : HT_OK;
    size_t i, j;
    json_t *to, *t;
    json_array_foreach(json_object_get(res, "to"), i, to) {
        char tbuf[32];
        const char *tid_text = json_id_text(json_object_get(to, "toObjectId"), tbuf);
        int64_t tid;
        if (s != HT_OK)
            return s;
        if (!tid_text || !records_parse_id(tid_text, &tid))
            return ht_error_set(err, HT_PARSE, "association without a valid toObjectId");
        json_array_foreach(json_object_get(to, "associationTypes"), j, t) {
            if (s == HT_OK)
                s = assoc_insert(st, pr->from->okey, fid, pr->to->okey, tid,
                                 (int)json_integer_value(json_object_get(t, "typeId")),
                                 json_string_value(json_object_get(t, "category")),
                                 json_string_value(json_object_get(t, "label")), err);
        }
    }
    return s;
}

ht_status records_put_associations_json(store *st, const char *from_object,
                                        const char *to_object, json_t *results,
                                        bool replace, ht_error *err)
{
    if (!json_is_array(results))
        return ht_error_set(err, HT_PARSE, "expected a JSON array of association results");
    okey_pair pr;
    ht_status s = pair_open(st, from_object, to_object, &pr, err);
    if (s != HT_OK)
        return s;
    bool own_tx = !store_in_transaction(st);
    if (own_tx)
        s = store_begin(st, err);
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res) {
        if (s != HT_OK)
            break;
        s = put_assoc_result(st, &pr, res, replace, err);
    }
    if (own_tx && store_in_transaction(st)) {
        s = store_commit_or_rollback(st, s, err);
    }
    pair_close(&pr);
    return s;
}

/* ---- reads: one record ------------------------------------------------------------------- */

/* A display property's value as plain text: a name is shown on one line
 * wherever a record is named (a note is named by its HTML body). */
static void display_append(strbuf *sb, const objmeta *m, const char *prop, const char *v)
{
    const prop_def *p = str_empty(v) || v == RECORD_VALUE_ABSENT ? NULL : objmeta_prop(m, prop);
    if (!p || str_cmp0(p->field_type, "html") != 0 || !strchr(v, '<')) {
        text_append(sb, v);
        return;
    }
    strbuf plain = {0};
    text_strip_html(v, &plain);
    text_append(sb, strbuf_str(&plain));
    strbuf_free(&plain);
}

static void display_from_values(const objmeta *m, const char *(*get)(void *, const char *),
                                void *ctx, int64_t id, char **out)
{
    strbuf sb = {0};
    for (size_t i = 0; i < m->ndisplay; i++)
        display_append(&sb, m, m->display_props[i], get(ctx, m->display_props[i]));
    if (sb.len == 0 && m->display_fallback)
        text_append(&sb, get(ctx, m->display_fallback));
    if (sb.len == 0) {
        char idt[32];
        records_format_id(id, idt);
        strbuf_printf(&sb, id < 0 ? "%s" : "#%s", idt);
    }
    *out = strbuf_detach(&sb);
}

static const char *record_getter(void *ctx, const char *name)
{
    return record_get(ctx, name);
}

const record_value *record_find(const record *r, const char *name)
{
    size_t lo = 0, hi = r->nvalues;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, r->values[mid].name);
        if (c == 0)
            return &r->values[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *record_get(const record *r, const char *name)
{
    const record_value *v = record_find(r, name);
    return v ? v->value : NULL;
}

void record_free(record *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nvalues; i++) {
        free(r->values[i].name);
        free(r->values[i].value);
        free(r->values[i].original);
        free(r->values[i].server_value);
    }
    free(r->values);
    free(r->object);
    free(r->display_name);
    free(r);
}

static char *record_select_sql(const objmeta *m)
{
    strbuf sb = {0};
    strbuf_puts(&sb, "SELECT created_ms, updated_ms");
    for (size_t i = 0; i < m->nprops; i++) {
        strbuf_puts(&sb, ", ");
        if (m->props[i].col)
            sql_ident(&sb, m->props[i].col);
        else
            strbuf_puts(&sb, "NULL");
    }
    strbuf_printf(&sb, " FROM %s WHERE id=?", m->table);
    return strbuf_detach(&sb);
}

static record_value *add_value(record *r, size_t *cap, const char *name)
{
    if (r->nvalues == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        r->values = xrealloc(r->values, *cap * sizeof *r->values);
    }
    record_value *v = &r->values[r->nvalues++];
    memset(v, 0, sizeof *v);
    v->name = xstrdup(name);
    return v;
}

static ht_status read_row(store *st, const objmeta *m, int64_t id, record *r, size_t *cap,
                          ht_error *err)
{
    char *sql = record_select_sql(m);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        r->created_ms = sqlite3_column_int64(q, 0);
        r->updated_ms = sqlite3_column_int64(q, 1);
        for (size_t i = 0; i < m->nprops; i++) {
            const char *v = (const char *)sqlite3_column_text(q, (int)i + 2);
            if (v)
                add_value(r, cap, m->props[i].name)->value = xstrdup(v);
        }
    }
    sqlite3_reset(q);
    if (rc == SQLITE_DONE)
        return ht_error_set(err, HT_NOT_FOUND, "%s %s is not in the cache", m->name, r->id);
    return rc == SQLITE_ROW ? HT_OK : store_fail(st, rc, "reading a record", err);
}

static int value_cmp(const void *a, const void *b)
{
    return strcmp(((const record_value *)a)->name, ((const record_value *)b)->name);
}

static ht_status overlay_pending(store *st, const objmeta *m, int64_t id, record *r,
                                 size_t *cap, ht_error *err)
{
    sqlite3_stmt *q = store_stmt(st,
        "SELECT qid, prop, new_value, old_value, state, server_value, server_seen"
        " FROM outbox WHERE okey=? AND record_id=? AND kind='update' ORDER BY qid", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, m->okey);
    sqlite3_bind_int64(q, 2, id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *prop = (const char *)sqlite3_column_text(q, 1);
        record_value *v = NULL;
        for (size_t i = 0; i < r->nvalues && !v; i++)
            if (strcmp(r->values[i].name, prop) == 0)
                v = &r->values[i];
        bool first = !v || v->state == OB_NONE;
        if (!v)
            v = add_value(r, cap, prop);
        free(v->value);
        v->value = store_col_strdup(q, 2);
        if (first) {
            free(v->original);
            v->original = store_col_strdup(q, 3);
        }
        v->qid = sqlite3_column_int64(q, 0);
        v->state = outbox_state_from_text((const char *)sqlite3_column_text(q, 4));
        free(v->server_value);
        v->server_value = sqlite3_column_int(q, 6) ? store_col_strdup(q, 5) : NULL;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "reading the outbox", err);
}

ht_status records_get(store *st, const char *object, const char *id_text, record **out,
                      ht_error *err)
{
    *out = NULL;
    int64_t id;
    if (!id_text || !records_parse_id(id_text, &id))
        return ht_error_set(err, HT_INVALID, "'%s' is not a record id",
                            id_text ? id_text : "");
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    record *r = xcalloc(1, sizeof *r);
    r->object = xstrdup(m->name);
    records_format_id(id, r->id);
    r->local = id < 0;
    size_t cap = 0;
    ht_status s = read_row(st, m, id, r, &cap, err);
    /* Local ids come from a counter that never goes back: one the audit log
     * says was created on HubSpot is that record now. */
    int64_t pushed;
    if (s == HT_NOT_FOUND && id < 0 && audit_created_as(st, m->okey, id, &pushed)) {
        id = pushed;
        records_format_id(id, r->id);
        r->local = false;
        s = read_row(st, m, id, r, &cap, err);
    }
    if (s == HT_OK)
        s = overlay_pending(st, m, id, r, &cap, err);
    if (s == HT_OK) {
        qsort(r->values, r->nvalues, sizeof *r->values, value_cmp);
        display_from_values(m, record_getter, r, id, &r->display_name);
        *out = r;
    } else {
        record_free(r);
    }
    objmeta_release(m);
    return s;
}

/* ---- display names --------------------------------------------------------------------- */

typedef struct name_row { const objmeta *m; sqlite3_stmt *q; } name_row;

static const char *name_row_get(void *ctx, const char *prop)
{
    name_row *nr = ctx;
    for (size_t i = 0; i < nr->m->ndisplay; i++)
        if (strcmp(nr->m->display_props[i], prop) == 0)
            return (const char *)sqlite3_column_text(nr->q, (int)i);
    if (nr->m->display_fallback && strcmp(nr->m->display_fallback, prop) == 0)
        return (const char *)sqlite3_column_text(nr->q, (int)nr->m->ndisplay);
    return NULL;
}

static char *display_sql(store *st, const objmeta *m)
{
    strbuf sb = {0};
    strbuf_puts(&sb, "SELECT ");
    for (size_t i = 0; i <= m->ndisplay; i++) {
        const char *prop = i < m->ndisplay ? m->display_props[i] : m->display_fallback;
        char *col = NULL;
        if (prop)
            records_column(st, m, prop, false, &col, NULL);
        if (i)
            strbuf_puts(&sb, ", ");
        if (col)
            sql_ident(&sb, col);
        else
            strbuf_puts(&sb, "NULL");
        free(col);
    }
    strbuf_printf(&sb, " FROM %s WHERE id=?", m->table);
    return strbuf_detach(&sb);
}

char *records_name_of(store *st, const objmeta *m, int64_t id, bool *cached)
{
    char *sql = display_sql(st, m);
    sqlite3_stmt *q = store_stmt(st, sql, NULL);
    free(sql);
    char *name = NULL;
    bool found = false;
    if (q) {
        sqlite3_bind_int64(q, 1, id);
        if (sqlite3_step(q) == SQLITE_ROW) {
            found = true;
            name_row nr = {m, q};
            display_from_values(m, name_row_get, &nr, id, &name);
        }
        sqlite3_reset(q);
    }
    if (!found) {
        char idt[32];
        records_format_id(id, idt);
        name = id < 0 ? xstrdup(idt) : xasprintf("#%s", idt);
    }
    if (cached)
        *cached = found;
    return name;
}

char *records_display_name(store *st, const char *object, const char *id_text)
{
    int64_t id;
    const objmeta *m = records_parse_id(id_text, &id) ? meta_object(st, object, NULL) : NULL;
    if (!m)
        return xasprintf("#%s", id_text ? id_text : "?");
    char *name = records_name_of(st, m, id, NULL);
    objmeta_release(m);
    return name;
}
