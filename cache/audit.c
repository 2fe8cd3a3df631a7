/* audit.c — the audit log: one row per write attempt's result (and per
 * drop, undo or resolution), kept for the user and for support. */
#include "audit_int.h"

#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "records_int.h"

ht_status audit_write(store *st, const audit_row *a, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "INSERT INTO audit(at_ms, okey, record_id, qid, kind, prop, old_value, new_value,"
        " result, message, category, correlation_id, batch_id)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    char id[32];
    records_format_id(a->record_id, id);
    sqlite3_bind_int64(s, 1, time_now_ms());
    sqlite3_bind_int64(s, 2, a->okey);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
    a->qid ? sqlite3_bind_int64(s, 4, a->qid) : sqlite3_bind_null(s, 4);
    store_bind_text(s, 5, a->kind);
    store_bind_text(s, 6, a->prop);
    store_bind_text(s, 7, a->old_value);
    store_bind_text(s, 8, a->new_value);
    store_bind_text(s, 9, a->result);
    store_bind_text_or_null(s, 10, a->message);
    store_bind_text_or_null(s, 11, a->category);
    store_bind_text_or_null(s, 12, a->correlation_id);
    store_bind_text_or_null(s, 13, a->batch_id);
    return store_step_done(st, s, "writing the audit log", err);
}

static void audit_from_row(store *st, sqlite3_stmt *q, audit_entry *e)
{
    memset(e, 0, sizeof *e);
    e->aid = sqlite3_column_int64(q, 0);
    e->at_ms = sqlite3_column_int64(q, 1);
    const objmeta *m = meta_object_by_okey(st, sqlite3_column_int64(q, 2), NULL);
    e->object = xstrdup(m ? m->name : "?");
    objmeta_release(m);
    snprintf(e->id, sizeof e->id, "%s", sqlite3_column_text(q, 3));
    e->qid = sqlite3_column_int64(q, 4);
    e->kind = store_col_strdup(q, 5);
    e->prop = store_col_strdup(q, 6);
    e->old_value = store_col_strdup(q, 7);
    e->new_value = store_col_strdup(q, 8);
    e->result = store_col_strdup(q, 9);
    e->message = store_col_strdup(q, 10);
    e->category = store_col_strdup(q, 11);
    e->correlation_id = store_col_strdup(q, 12);
    e->batch_id = store_col_strdup(q, 13);
}

ht_status audit_list(store *st, const char *object, const char *id, size_t limit,
                     audit_entry **out, size_t *n, ht_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t okey = 0;
    ht_status s = object ? meta_okey(st, object, &okey, err) : HT_OK;
    if (s != HT_OK)
        return s;
    sqlite3_stmt *q = store_stmt(st,
        "SELECT aid, at_ms, okey, record_id, qid, kind, prop, old_value, new_value, result,"
        " message, category, correlation_id, batch_id FROM audit"
        " WHERE (?1=0 OR okey=?1) AND (?2 IS NULL OR record_id=?2)"
        " ORDER BY aid DESC LIMIT ?3", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    store_bind_text(q, 2, id);
    sqlite3_bind_int64(q, 3, limit ? (int64_t)limit : 100);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        audit_from_row(st, q, &(*out)[(*n)++]);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "reading the audit log", err);
}

void audit_entries_free(audit_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].object);
        free(v[i].kind);
        free(v[i].prop);
        free(v[i].old_value);
        free(v[i].new_value);
        free(v[i].result);
        free(v[i].message);
        free(v[i].category);
        free(v[i].correlation_id);
        free(v[i].batch_id);
    }
    free(v);
}

bool audit_created_as(store *st, int64_t okey, int64_t local, int64_t *id)
{
    char was[32];
    records_format_id(local, was);
    sqlite3_stmt *q = store_stmt(st,
        "SELECT record_id FROM audit WHERE okey=? AND kind='create' AND result='created'"
        " AND message=? ORDER BY aid DESC LIMIT 1", NULL);
    if (!q)
        return false;
    sqlite3_bind_int64(q, 1, okey);
    sqlite3_bind_text(q, 2, was, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(q) == SQLITE_ROW &&
                 records_parse_id((const char *)sqlite3_column_text(q, 0), id) && *id > 0;
    sqlite3_reset(q);
    return found;
}
