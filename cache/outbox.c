/* outbox.c — the durable edit queue: enqueue with coalescing, undo by change
 * group, the user's retry/drop/resolve, and the writeback's claim/mark/
 * recover/remap. Every public call is one transaction. */
#include "outbox.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "audit_int.h"
#include "records.h"
#include "records_int.h"
#include "validate.h"

/* ---- names ----------------------------------------------------------------------- */

static const char *const state_db[] = {
    [OB_NONE] = "none", [OB_PENDING] = "pending", [OB_SENDING] = "sending",
    [OB_CONFLICT] = "conflict", [OB_FAILED] = "failed", [OB_NOT_APPLIED] = "not_applied",
};
static const char *const state_ui[] = {
    [OB_NONE] = "none", [OB_PENDING] = "pending", [OB_SENDING] = "sending",
    [OB_CONFLICT] = "conflict", [OB_FAILED] = "failed", [OB_NOT_APPLIED] = "not-applied",
};
static const char *const kind_db[] = {
    [OBK_UPDATE] = "update", [OBK_CREATE] = "create",
    [OBK_ASSOC_ADD] = "assoc_add", [OBK_ASSOC_REMOVE] = "assoc_remove",
};
static const char *const kind_ui[] = {
    [OBK_UPDATE] = "update", [OBK_CREATE] = "create",
    [OBK_ASSOC_ADD] = "assoc-add", [OBK_ASSOC_REMOVE] = "assoc-remove",
};

const char *outbox_state_name(outbox_state s)
{
    return (unsigned)s < ARRAY_SIZE(state_ui) ? state_ui[s] : "?";
}

const char *outbox_kind_name(outbox_kind k)
{
    return (unsigned)k < ARRAY_SIZE(kind_ui) ? kind_ui[k] : "?";
}

outbox_state outbox_state_from_text(const char *s)
{
    for (size_t i = 0; s && i < ARRAY_SIZE(state_db); i++)
        if (strcmp(state_db[i], s) == 0)
            return (outbox_state)i;
    return OB_NONE;
}

static outbox_kind kind_from_text(const char *s)
{
    for (size_t i = 0; s && i < ARRAY_SIZE(kind_db); i++)
        if (strcmp(kind_db[i], s) == 0)
            return (outbox_kind)i;
    return OBK_UPDATE;
}

static void new_uuid(char out[40])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* No entropy source: fall back to time and address bits; uniqueness
         * within one portal is what matters. */
        int64_t t = time_now_ms() ^ (int64_t)(uintptr_t)out;
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)(t >> (i % 8 * 8)) ^ (unsigned char)(i * 37);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
             b[12], b[13], b[14], b[15]);
}

/* ---- rows ---------------------------------------------------------------------------- */

static const char *const ob_cols[] = {
    "qid", "kind", "okey", "record_id", "prop", "new_value", "old_value", "server_value",
    "server_seen", "server_by", "server_at", "to_okey", "to_id", "assoc_type",
    "assoc_category", "assoc_label", "idem_key", "change_group", "state", "batch_id",
    "claimed_ms", "recheck", "created_ms", "updated_ms", "attempts", "err_message",
    "err_category", "correlation_id", "http_status", "no_coalesce",
};

typedef struct ob_row {
    outbox_entry e;
    int64_t      okey, record_id, to_okey, to_id;
    bool         server_seen;
} ob_row;

static char *cols_list(void)
{
    strbuf sb = {0};
    for (size_t i = 0; i < ARRAY_SIZE(ob_cols); i++)
        strbuf_printf(&sb, "%s%s", i ? ", " : "", ob_cols[i]);
    return strbuf_detach(&sb);
}

static void row_from_stmt(sqlite3_stmt *q, ob_row *r)
{
    memset(r, 0, sizeof *r);
    outbox_entry *e = &r->e;
    e->qid = sqlite3_column_int64(q, 0);
    e->kind = kind_from_text((const char *)sqlite3_column_text(q, 1));
    r->okey = sqlite3_column_int64(q, 2);
    r->record_id = sqlite3_column_int64(q, 3);
    records_format_id(r->record_id, e->id);
    e->prop = store_col_strdup(q, 4);
    e->new_value = store_col_strdup(q, 5);
    e->old_value = store_col_strdup(q, 6);
    e->server_value = store_col_strdup(q, 7);
    r->server_seen = sqlite3_column_int(q, 8);
    e->server_by = store_col_strdup(q, 9);
    e->server_at = store_col_strdup(q, 10);
    r->to_okey = sqlite3_column_int64(q, 11);
    r->to_id = sqlite3_column_int64(q, 12);
    if (r->to_id)
        records_format_id(r->to_id, e->to_id);
    e->assoc_type = sqlite3_column_int(q, 13);
    e->assoc_category = store_col_strdup(q, 14);
    e->assoc_label = store_col_strdup(q, 15);
    e->idem_key = store_col_strdup(q, 16);
    e->group = sqlite3_column_int64(q, 17);
    e->state = outbox_state_from_text((const char *)sqlite3_column_text(q, 18));
    e->batch_id = store_col_strdup(q, 19);
    e->claimed_ms = sqlite3_column_int64(q, 20);
    e->recheck = sqlite3_column_int(q, 21);
    e->created_ms = sqlite3_column_int64(q, 22);
    e->updated_ms = sqlite3_column_int64(q, 23);
    e->attempts = sqlite3_column_int(q, 24);
    e->err_message = store_col_strdup(q, 25);
    e->err_category = store_col_strdup(q, 26);
    e->correlation_id = store_col_strdup(q, 27);
    e->http_status = sqlite3_column_int(q, 28);
}

void outbox_entry_clear(outbox_entry *e)
{
    if (!e)
        return;
    free(e->object);
    free(e->record_name);
    free(e->prop);
    free(e->new_value);
    free(e->old_value);
    free(e->server_value);
    free(e->server_by);
    free(e->server_at);
    free(e->to_object);
    free(e->assoc_category);
    free(e->assoc_label);
    free(e->idem_key);
    free(e->batch_id);
    free(e->err_message);
    free(e->err_category);
    free(e->correlation_id);
    memset(e, 0, sizeof *e);
}

void outbox_entries_free(outbox_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        outbox_entry_clear(&v[i]);
    free(v);
}

static ht_status row_load(store *st, int64_t qid, ob_row *r, bool *found, ht_error *err)
{
    char *cols = cols_list();
    char *sql = xasprintf("SELECT %s FROM outbox WHERE qid=?", cols);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    free(cols);
    *found = false;
    memset(r, 0, sizeof *r);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, qid);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        row_from_stmt(q, r);
        *found = true;
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading the outbox", err);
}

static ht_status row_must_load(store *st, int64_t qid, ob_row *r, ht_error *err)
{
    bool found;
    ht_status s = row_load(st, qid, r, &found, err);
    if (s == HT_OK && !found)
        s = ht_error_set(err, HT_NOT_FOUND, "queue entry %lld does not exist (any more)",
                         (long long)qid);
    return s;
}

static ht_status exec_qid(store *st, const char *sql, int64_t qid, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, sql, err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, qid);
    return store_step_done(st, s, "updating the outbox", err);
}

static ht_status delete_row(store *st, int64_t qid, ht_error *err)
{
    ht_status s = exec_qid(st, "DELETE FROM outbox WHERE qid=?", qid, err);
    return s == HT_OK ? exec_qid(st, "DELETE FROM outbox_undo WHERE qid=?", qid, err) : s;
}

/* What an update row's property shows once the edit is gone: the newest
 * server value when sync saw one, else the value the edit replaced. */
static const char *restore_value(const ob_row *r)
{
    return r->server_seen ? r->e.server_value : r->e.old_value;
}

/* Run body inside one transaction (nested ones become savepoints). */
#define IN_TX(st, err, body)                                          \
    do {                                                              \
        ht_status tx_s_ = store_begin((st), (err));                   \
        if (tx_s_ != HT_OK)                                           \
            return tx_s_;                                             \
        return store_commit_or_rollback((st), (body), (err));         \
    } while (0)

/* ---- undo images ------------------------------------------------------------------------- */

static ht_status undo_push(store *st, int64_t group, int64_t qid, bool existed, ht_error *err)
{
    strbuf sql = {0};
    strbuf_puts(&sql, "INSERT INTO outbox_undo(change_group, qid, prev_image) VALUES(?1, ?2, ");
    if (existed) {
        strbuf_puts(&sql, "(SELECT json_object(");
        for (size_t i = 0; i < ARRAY_SIZE(ob_cols); i++)
            strbuf_printf(&sql, "%s'%s', %s", i ? ", " : "", ob_cols[i], ob_cols[i]);
        strbuf_puts(&sql, ") FROM outbox WHERE qid=?2))");
    } else {
        strbuf_puts(&sql, "NULL)");
    }
    sqlite3_stmt *s = store_stmt(st, strbuf_str(&sql), err);
    strbuf_free(&sql);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, group);
    sqlite3_bind_int64(s, 2, qid);
    return store_step_done(st, s, "recording undo", err);
}

static ht_status undo_restore_image(store *st, const char *image, ht_error *err)
{
    strbuf sql = {0};
    char *cols = cols_list();
    strbuf_printf(&sql, "INSERT OR REPLACE INTO outbox(%s) SELECT ", cols);
    free(cols);
    for (size_t i = 0; i < ARRAY_SIZE(ob_cols); i++)
        strbuf_printf(&sql, "%sjson_extract(?1, '$.%s')", i ? ", " : "", ob_cols[i]);
    sqlite3_stmt *s = store_stmt(st, strbuf_str(&sql), err);
    strbuf_free(&sql);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, image, -1, SQLITE_TRANSIENT);
    return store_step_done(st, s, "undoing", err);
}

/* ---- enqueue --------------------------------------------------------------------------- */

ht_status outbox_new_group(store *st, int64_t *group, ht_error *err)
{
    return store_kv_add_i64(st, "change_group", 1, group, err);
}

static ht_status find_open_update(store *st, int64_t okey, int64_t id, const char *prop,
                                  ob_row *r, bool *found, ht_error *err)
{
    *found = false;
    sqlite3_stmt *q = store_stmt(st,
        "SELECT qid FROM outbox WHERE okey=? AND record_id=? AND kind='update' AND prop=?"
        " AND state<>'sending' AND no_coalesce=0 ORDER BY qid DESC LIMIT 1", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    sqlite3_bind_int64(q, 2, id);
    sqlite3_bind_text(q, 3, prop, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    int64_t qid = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading the outbox", err);
    return qid ? row_load(st, qid, r, found, err) : HT_OK;
}

static ht_status insert_update_row(store *st, int64_t okey, int64_t id, const char *prop,
                                   const char *value, const char *old, int64_t group,
                                   int64_t *qid, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "INSERT INTO outbox(kind, okey, record_id, prop, new_value, old_value, change_group,"
        " state, created_ms, updated_ms) VALUES('update',?,?,?,?,?,?,'pending',?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    int64_t now = time_now_ms();
    sqlite3_bind_int64(s, 1, okey);
    sqlite3_bind_int64(s, 2, id);
    sqlite3_bind_text(s, 3, prop, -1, SQLITE_TRANSIENT);
    store_bind_text(s, 4, value);
    store_bind_text(s, 5, old);
    sqlite3_bind_int64(s, 6, group);
    sqlite3_bind_int64(s, 7, now);
    sqlite3_bind_int64(s, 8, now);
    ht_status r = store_step_done(st, s, "queueing an edit", err);
    *qid = sqlite3_last_insert_rowid(st->db);
    return r;
}

static ht_status coalesce(store *st, const objmeta *m, ob_row *row, const char *value,
                          int64_t group, ht_error *err)
{
    ht_status s = undo_push(st, group, row->e.qid, true, err);
    if (s != HT_OK)
        return s;
    bool back_to_original = str_cmp0(value, row->e.old_value) == 0 &&
                            row->e.state != OB_CONFLICT;
    if (back_to_original) {
        /* Nothing left to send; undo can still bring the row back. */
        s = exec_qid(st, "DELETE FROM outbox WHERE qid=?", row->e.qid, err);
        return s == HT_OK ? records_set_local_value(st, m, row->record_id, row->e.prop,
                                                    restore_value(row), err)
                          : s;
    }
    sqlite3_stmt *u = store_stmt(st,
        "UPDATE outbox SET new_value=?, change_group=?, updated_ms=?,"
        " state=CASE state WHEN 'conflict' THEN 'conflict' ELSE 'pending' END,"
        " err_message=NULL, err_category=NULL, http_status=NULL WHERE qid=?", err);
    if (!u)
        return err ? err->status : HT_DB;
    store_bind_text(u, 1, value);
    sqlite3_bind_int64(u, 2, group);
    sqlite3_bind_int64(u, 3, time_now_ms());
    sqlite3_bind_int64(u, 4, row->e.qid);
    s = store_step_done(st, u, "queueing an edit", err);
    return s == HT_OK ? records_set_local_value(st, m, row->record_id, row->e.prop, value, err)
                      : s;
}

static ht_status enqueue_update_in_tx(store *st, const objmeta *m, int64_t id,
                                      const char *prop, const char *value, int64_t group,
                                      int64_t *qid, ht_error *err)
{
    if (str_empty(value))
        value = NULL;
    *qid = 0;
    char *cur = NULL;
    bool found;
    ht_status s = records_read_value(st, m, id, prop, &cur, &found, err);
    if (s == HT_OK && !found) {
        char idt[32];
        records_format_id(id, idt);
        s = ht_error_set(err, HT_NOT_FOUND, "%s %s is not in the cache (sync it first)",
                         m->name, idt);
    }
    ob_row row;
    bool open = false;
    if (s == HT_OK)
        s = find_open_update(st, m->okey, id, prop, &row, &open, err);
    if (s == HT_OK && open) {
        *qid = row.e.qid;
        s = coalesce(st, m, &row, value, group, err);
        outbox_entry_clear(&row.e);
    } else if (s == HT_OK && str_cmp0(value, cur) != 0) {
        s = insert_update_row(st, m->okey, id, prop, value, cur, group, qid, err);
        if (s == HT_OK)
            s = undo_push(st, group, *qid, false, err);
        if (s == HT_OK)
            s = records_set_local_value(st, m, id, prop, value, err);
    }
    free(cur);
    return s;
}

static ht_status group_or_new(store *st, int64_t *group, ht_error *err)
{
    return *group ? HT_OK : outbox_new_group(st, group, err);
}

static ht_status enqueue_update_tx(store *st, const objmeta *m, int64_t id, const char *prop,
                                   const char *value, int64_t group, int64_t *qid,
                                   ht_error *err)
{
    ht_status s = group_or_new(st, &group, err);
    return s == HT_OK ? enqueue_update_in_tx(st, m, id, prop, value, group, qid, err) : s;
}

ht_status outbox_enqueue_update(store *st, const char *object, const char *id_text,
                                const char *prop, const char *value, int64_t group,
                                int64_t *qid, ht_error *err)
{
    int64_t id, dummy;
    if (!id_text || !records_parse_id(id_text, &id))
        return ht_error_set(err, HT_INVALID, "'%s' is not a record id", id_text ? id_text : "");
    if (str_empty(prop))
        return ht_error_set(err, HT_INVALID, "no property given");
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    ht_status s = store_begin(st, err);
    if (s == HT_OK) {
        s = enqueue_update_tx(st, m, id, prop, value, group, qid ? qid : &dummy, err);
        s = store_commit_or_rollback(st, s, err);
    }
    objmeta_release(m);
    return s;
}

ht_status outbox_enqueue_bulk(store *st, const char *object, const char *const *ids,
                              size_t n, const char *prop, const char *value, int64_t *group,
                              ht_error *err)
{
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    int64_t g = 0, qid;
    ht_status s = store_begin(st, err);
    if (s == HT_OK)
        s = outbox_new_group(st, &g, err);
    for (size_t i = 0; s == HT_OK && i < n; i++) {
        int64_t id;
        if (!ids[i] || !records_parse_id(ids[i], &id))
            s = ht_error_set(err, HT_INVALID, "'%s' is not a record id", ids[i] ? ids[i] : "");
        else
            s = enqueue_update_in_tx(st, m, id, prop, value, g, &qid, err);
    }
    if (store_in_transaction(st)) {
        s = store_commit_or_rollback(st, s, err);
    }
    if (s == HT_OK && group)
        *group = g;
    objmeta_release(m);
    return s;
}

static ht_status insert_create_row(store *st, int64_t okey, int64_t id, int64_t group,
                                   int64_t *qid, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "INSERT INTO outbox(kind, okey, record_id, idem_key, change_group, state, created_ms,"
        " updated_ms) VALUES('create',?,?,?,?,'pending',?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    char key[40];
    new_uuid(key);
    int64_t now = time_now_ms();
    sqlite3_bind_int64(s, 1, okey);
    sqlite3_bind_int64(s, 2, id);
    sqlite3_bind_text(s, 3, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, group);
    sqlite3_bind_int64(s, 5, now);
    sqlite3_bind_int64(s, 6, now);
    ht_status r = store_step_done(st, s, "queueing a create", err);
    *qid = sqlite3_last_insert_rowid(st->db);
    return r;
}

static ht_status enqueue_create_tx(store *st, const objmeta *m, const char *const *props,
                                   const char *const *values, size_t n, int64_t group,
                                   int64_t *id, ht_error *err)
{
    int64_t seq, qid;
    ht_status s = group_or_new(st, &group, err);
    if (s == HT_OK)
        s = store_kv_add_i64(st, "local_seq", 1, &seq, err);
    *id = -seq;
    if (s == HT_OK)
        s = records_insert_local(st, m, *id, err);
    if (s == HT_OK)
        s = insert_create_row(st, m->okey, *id, group, &qid, err);
    if (s == HT_OK)
        s = undo_push(st, group, qid, false, err);
    for (size_t i = 0; s == HT_OK && i < n; i++) {
        if (str_empty(props[i]))
            s = ht_error_set(err, HT_INVALID, "a property without a name");
        else
            s = enqueue_update_in_tx(st, m, *id, props[i], values[i], group, &qid, err);
    }
    return s;
}

ht_status outbox_enqueue_create(store *st, const char *object, const char *const *props,
                                const char *const *values, size_t n, int64_t group,
                                char local_id[32], ht_error *err)
{
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    int64_t id = 0;
    ht_status s = store_begin(st, err);
    if (s == HT_OK) {
        s = enqueue_create_tx(st, m, props, values, n, group, &id, err);
        s = store_commit_or_rollback(st, s, err);
    }
    if (s == HT_OK)
        records_format_id(id, local_id);
    objmeta_release(m);
    return s;
}

/* ---- clear, then set ------------------------------------------------------------------------ */

static ht_status queue_clear(store *st, const objmeta *m, int64_t id, const char *prop,
                             int64_t group, ht_error *err)
{
    ob_row row;
    bool open = false;
    ht_status s = find_open_update(st, m->okey, id, prop, &row, &open, err);
    if (s == HT_OK && open) {
        s = undo_push(st, group, row.e.qid, true, err);
        sqlite3_stmt *u = s == HT_OK ? store_stmt(st,
            "UPDATE outbox SET new_value=NULL, no_coalesce=1, change_group=?, updated_ms=?,"
            " state=CASE state WHEN 'conflict' THEN 'conflict' ELSE 'pending' END"
            " WHERE qid=?", err) : NULL;
        if (s == HT_OK && !u)
            s = err ? err->status : HT_DB;
        if (u) {
            sqlite3_bind_int64(u, 1, group);
            sqlite3_bind_int64(u, 2, time_now_ms());
            sqlite3_bind_int64(u, 3, row.e.qid);
            s = store_step_done(st, u, "queueing an edit", err);
        }
        outbox_entry_clear(&row.e);
    } else if (s == HT_OK) {
        char *cur = NULL;
        bool found;
        int64_t qid;
        s = records_read_value(st, m, id, prop, &cur, &found, err);
        if (s == HT_OK && !found)
            s = ht_error_set(err, HT_NOT_FOUND, "the record is not in the cache");
        if (s == HT_OK)
            s = insert_update_row(st, m->okey, id, prop, NULL, cur, group, &qid, err);
        if (s == HT_OK)
            s = exec_qid(st, "UPDATE outbox SET no_coalesce=1 WHERE qid=?", qid, err);
        if (s == HT_OK)
            s = undo_push(st, group, qid, false, err);
        free(cur);
    }
    return s == HT_OK ? records_set_local_value(st, m, id, prop, NULL, err) : s;
}

ht_status outbox_enqueue_clear_then_set(store *st, const char *object, const char *id_text,
                                        const char *prop, const char *value, int64_t group,
                                        ht_error *err)
{
    int64_t id, qid;
    if (!id_text || !records_parse_id(id_text, &id))
        return ht_error_set(err, HT_INVALID, "'%s' is not a record id", id_text ? id_text : "");
    const objmeta *m = meta_object(st, object, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    ht_status s = store_begin(st, err);
    if (s == HT_OK) {
        s = group_or_new(st, &group, err);
        if (s == HT_OK)
            s = queue_clear(st, m, id, prop, group, err);
        if (s == HT_OK)
            s = enqueue_update_in_tx(st, m, id, prop, value, group, &qid, err);
        s = store_commit_or_rollback(st, s, err);
    }
    objmeta_release(m);
    return s;
}

/* ---- associations -------------------------------------------------------------------------- */

typedef struct assoc_key {
    int64_t okey, id, to_okey, to_id;
    int     type_id;
} assoc_key;

static ht_status find_assoc_row(store *st, const assoc_key *k, const char *kind, int64_t *qid,
                                ht_error *err)
{
    sqlite3_stmt *q = store_stmt(st,
        "SELECT qid FROM outbox WHERE kind=? AND okey=? AND record_id=? AND to_okey=?"
        " AND to_id=? AND assoc_type=? AND state<>'sending' ORDER BY qid DESC LIMIT 1", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, k->okey);
    sqlite3_bind_int64(q, 3, k->id);
    sqlite3_bind_int64(q, 4, k->to_okey);
    sqlite3_bind_int64(q, 5, k->to_id);
    sqlite3_bind_int(q, 6, k->type_id);
    int rc = sqlite3_step(q);
    *qid = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading the outbox", err);
}

static ht_status insert_assoc_row(store *st, bool add, const assoc_key *k,
                                  const char *category, const char *label, int64_t group,
                                  int64_t *qid, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st,
        "INSERT INTO outbox(kind, okey, record_id, to_okey, to_id, assoc_type, assoc_category,"
        " assoc_label, change_group, state, created_ms, updated_ms)"
        " VALUES(?,?,?,?,?,?,?,?,?,'pending',?,?)", err);
    if (!s)
        return err ? err->status : HT_DB;
    int64_t now = time_now_ms();
    sqlite3_bind_text(s, 1, add ? "assoc_add" : "assoc_remove", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, k->okey);
    sqlite3_bind_int64(s, 3, k->id);
    sqlite3_bind_int64(s, 4, k->to_okey);
    sqlite3_bind_int64(s, 5, k->to_id);
    sqlite3_bind_int(s, 6, k->type_id);
    store_bind_text(s, 7, category);
    store_bind_text_or_null(s, 8, label);
    sqlite3_bind_int64(s, 9, group);
    sqlite3_bind_int64(s, 10, now);
    sqlite3_bind_int64(s, 11, now);
    ht_status r = store_step_done(st, s, "queueing an association change", err);
    *qid = sqlite3_last_insert_rowid(st->db);
    return r;
}

static ht_status enqueue_assoc_tx(store *st, bool add, const assoc_key *k,
                                  const char *category, const char *label, int64_t group,
                                  int64_t *qid, ht_error *err)
{
    int64_t opposite = 0, same = 0;
    ht_status s = group_or_new(st, &group, err);
    if (s == HT_OK)
        s = find_assoc_row(st, k, add ? "assoc_remove" : "assoc_add", &opposite, err);
    if (s == HT_OK && opposite) {
        /* An add and a remove of the same link cancel out. */
        *qid = 0;
        s = undo_push(st, group, opposite, true, err);
        return s == HT_OK ? exec_qid(st, "DELETE FROM outbox WHERE qid=?", opposite, err) : s;
    }
    if (s == HT_OK)
        s = find_assoc_row(st, k, add ? "assoc_add" : "assoc_remove", &same, err);
    if (s != HT_OK || same) {
        *qid = same;
        return s;
    }
    s = insert_assoc_row(st, add, k, category, label, group, qid, err);
    return s == HT_OK ? undo_push(st, group, *qid, false, err) : s;
}

ht_status outbox_enqueue_assoc(store *st, bool add, const char *from_object,
                               const char *from_id, const char *to_object, const char *to_id,
                               int type_id, const char *category, const char *label,
                               int64_t group, int64_t *qid, ht_error *err)
{
    assoc_key k = {.type_id = type_id};
    int64_t dummy;
    if (!from_id || !records_parse_id(from_id, &k.id) || !to_id ||
        !records_parse_id(to_id, &k.to_id))
        return ht_error_set(err, HT_INVALID, "association between invalid record ids");
    const objmeta *fm = meta_object(st, from_object, err);
    const objmeta *tm = fm ? meta_object(st, to_object, err) : NULL;
    ht_status s = fm && tm ? HT_OK : (err ? err->status : HT_NOT_FOUND);
    if (fm && tm) {
        k.okey = fm->okey;
        k.to_okey = tm->okey;
        s = store_begin(st, err);
    }
    if (s == HT_OK) {
        s = enqueue_assoc_tx(st, add, &k, category, label, group, qid ? qid : &dummy, err);
        s = store_commit_or_rollback(st, s, err);
    }
    objmeta_release(fm);
    objmeta_release(tm);
    return s;
}

/* ---- undo ---------------------------------------------------------------------------------- */

typedef struct undo_entry {
    int64_t uid, qid;
    char   *image;
} undo_entry;

static ht_status undo_entries(store *st, int64_t group, undo_entry **out, size_t *n,
                              ht_error *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = store_stmt(st, "SELECT uid, qid, prev_image FROM outbox_undo"
                                     " WHERE change_group=? ORDER BY uid DESC", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, group);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[*n] = (undo_entry){sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                                  store_col_strdup(q, 2)};
        (*n)++;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "reading undo history", err);
}

static ht_status undo_set_value(store *st, const ob_row *r, const char *value, ht_error *err)
{
    const objmeta *m = meta_object_by_okey(st, r->okey, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    ht_status s = records_set_local_value(st, m, r->record_id, r->e.prop, value, err);
    objmeta_release(m);
    return s;
}

static ht_status undo_remove_create(store *st, const ob_row *r, ht_error *err)
{
    const objmeta *m = meta_object_by_okey(st, r->okey, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    ht_status s = records_delete_row(st, m, r->record_id, err);
    objmeta_release(m);
    return s;
}

/* Undo one edit. *did says whether anything changed. */
static ht_status undo_one(store *st, const undo_entry *u, bool *did, ht_error *err)
{
    ob_row cur;
    bool found;
    *did = false;
    ht_status s = row_load(st, u->qid, &cur, &found, err);
    if (s != HT_OK || (found && cur.e.state == OB_SENDING) || (!found && !u->image)) {
        outbox_entry_clear(&cur.e);
        return s; /* in flight, or already done: not ours to undo any more */
    }
    *did = true;
    if (u->image) {
        s = undo_restore_image(st, u->image, err);
        ob_row prev;
        if (s == HT_OK)
            s = row_must_load(st, u->qid, &prev, err);
        if (s == HT_OK && prev.e.kind == OBK_UPDATE)
            s = undo_set_value(st, &prev, prev.e.new_value, err);
        outbox_entry_clear(&prev.e);
    } else {
        s = exec_qid(st, "DELETE FROM outbox WHERE qid=?", u->qid, err);
        if (s == HT_OK && cur.e.kind == OBK_UPDATE)
            s = undo_set_value(st, &cur, restore_value(&cur), err);
        if (s == HT_OK && cur.e.kind == OBK_CREATE)
            s = undo_remove_create(st, &cur, err);
    }
    outbox_entry_clear(&cur.e);
    return s;
}

static ht_status undo_last_tx(store *st, size_t *undone, ht_error *err)
{
    *undone = 0;
    for (;;) {
        int64_t group = 0;
        sqlite3_stmt *q = store_stmt(st, "SELECT max(change_group) FROM outbox_undo", err);
        if (!q)
            return err ? err->status : HT_DB;
        if (sqlite3_step(q) == SQLITE_ROW)
            group = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
        if (group == 0)
            return HT_OK;
        undo_entry *v;
        size_t n;
        ht_status s = undo_entries(st, group, &v, &n, err);
        for (size_t i = 0; s == HT_OK && i < n; i++) {
            bool did;
            s = undo_one(st, &v[i], &did, err);
            *undone += did;
        }
        for (size_t i = 0; i < n; i++)
            free(v[i].image);
        free(v);
        if (s == HT_OK)
            s = exec_qid(st, "DELETE FROM outbox_undo WHERE change_group=?", group, err);
        if (s != HT_OK || *undone > 0)
            return s;
    }
}

ht_status outbox_undo_last(store *st, size_t *undone, ht_error *err)
{
    size_t dummy;
    IN_TX(st, err, undo_last_tx(st, undone ? undone : &dummy, err));
}

/* ---- reading the queue ------------------------------------------------------------------------ */

ht_status outbox_counts_get(store *st, outbox_counts *out, ht_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = store_stmt(st, "SELECT state, count(*) FROM outbox GROUP BY state", err);
    if (!q)
        return err ? err->status : HT_DB;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t c = sqlite3_column_int64(q, 1);
        switch (outbox_state_from_text((const char *)sqlite3_column_text(q, 0))) {
        case OB_PENDING: out->pending = c; break;
        case OB_SENDING: out->sending = c; break;
        case OB_CONFLICT: out->conflict = c; break;
        case OB_FAILED: out->failed = c; break;
        case OB_NOT_APPLIED: out->not_applied = c; break;
        case OB_NONE: break;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "counting the outbox", err);
}

/* Names for the UI: object names and record display names. */
static void entry_decorate(store *st, ob_row *r, const objmeta **cache)
{
    if (!*cache || (*cache)->okey != r->okey) {
        objmeta_release(*cache);
        *cache = meta_object_by_okey(st, r->okey, NULL);
    }
    r->e.object = xstrdup(*cache ? (*cache)->name : "?");
    r->e.record_name = *cache ? records_name_of(st, *cache, r->record_id, NULL)
                              : xstrdup(r->e.id);
    if (r->to_okey) {
        const objmeta *tm = meta_object_by_okey(st, r->to_okey, NULL);
        r->e.to_object = xstrdup(tm ? tm->name : "?");
        objmeta_release(tm);
    }
}

static char *list_sql(const outbox_filter *f)
{
    char *cols = cols_list();
    strbuf sb = {0};
    strbuf_printf(&sb, "SELECT %s FROM outbox WHERE (?1=0 OR okey=?1) AND (?2=0 OR record_id=?2)",
                  cols);
    free(cols);
    if (f && f->states) {
        /* State names come from our own table, never from user text. */
        strbuf_puts(&sb, " AND state IN (");
        bool first = true;
        for (size_t i = OB_PENDING; i < ARRAY_SIZE(state_db); i++) {
            if (!(f->states & (1u << i)))
                continue;
            strbuf_printf(&sb, "%s'%s'", first ? "" : ",", state_db[i]);
            first = false;
        }
        strbuf_puts(&sb, first ? "'')" : ")");
    }
    strbuf_puts(&sb, " ORDER BY qid");
    return strbuf_detach(&sb);
}

ht_status outbox_list(store *st, const outbox_filter *f, outbox_entry **out, size_t *n,
                      ht_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t okey = 0, id = 0;
    ht_status s = f && f->object ? meta_okey(st, f->object, &okey, err) : HT_OK;
    if (s != HT_OK)
        return s;
    if (f && f->id && !records_parse_id(f->id, &id))
        return ht_error_set(err, HT_INVALID, "'%s' is not a record id", f->id);
    char *sql = list_sql(f);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    sqlite3_bind_int64(q, 2, id);
    ob_row *rows = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        row_from_stmt(q, &rows[(*n)++]);
    }
    sqlite3_reset(q);
    const objmeta *cache = NULL;
    *out = xcalloc(*n + 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        entry_decorate(st, &rows[i], &cache);
        (*out)[i] = rows[i].e;
    }
    objmeta_release(cache);
    free(rows);
    if (rc != SQLITE_DONE) {
        outbox_entries_free(*out, *n);
        *out = NULL;
        *n = 0;
        return store_fail(st, rc, "reading the outbox", err);
    }
    return HT_OK;
}

ht_status outbox_get(store *st, int64_t qid, outbox_entry *out, ht_error *err)
{
    ob_row r;
    ht_status s = row_must_load(st, qid, &r, err);
    if (s != HT_OK) {
        memset(out, 0, sizeof *out);
        return s;
    }
    const objmeta *cache = NULL;
    entry_decorate(st, &r, &cache);
    objmeta_release(cache);
    *out = r.e;
    return HT_OK;
}

/* ---- user actions ---------------------------------------------------------------------------- */

static ht_status audit_row_result(store *st, const ob_row *r, const char *result,
                                  const char *new_value, const char *message,
                                  const char *category, const char *corr, ht_error *err)
{
    char to[32] = "";
    if (r->to_id)
        records_format_id(r->to_id, to);
    audit_row a = {
        .okey = r->okey, .record_id = r->record_id, .qid = r->e.qid,
        .kind = kind_db[r->e.kind], .prop = r->e.prop,
        .old_value = r->e.kind == OBK_UPDATE ? r->e.old_value : NULL,
        .new_value = new_value ? new_value : r->e.kind == OBK_UPDATE ? r->e.new_value
                                          : r->to_id ? to : r->e.idem_key,
        .result = result, .message = message, .category = category, .correlation_id = corr,
        .batch_id = r->e.batch_id,
    };
    return audit_write(st, &a, err);
}

static ht_status set_state(store *st, int64_t qid, const char *state, ht_error *err)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE outbox SET state=?, batch_id=NULL, updated_ms=?"
                                     " WHERE qid=?", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, time_now_ms());
    sqlite3_bind_int64(s, 3, qid);
    return store_step_done(st, s, "updating the outbox", err);
}

static ht_status retry_tx(store *st, int64_t qid, ht_error *err)
{
    ob_row r;
    ht_status s = row_must_load(st, qid, &r, err);
    if (s == HT_OK && r.e.state != OB_FAILED && r.e.state != OB_NOT_APPLIED)
        s = ht_error_set(err, HT_INVALID, "queue entry %lld is %s; only failed or not-applied"
                         " edits can be retried", (long long)qid, outbox_state_name(r.e.state));
    if (s == HT_OK)
        s = exec_qid(st, "UPDATE outbox SET state='pending', err_message=NULL,"
                         " err_category=NULL, http_status=NULL, batch_id=NULL WHERE qid=?",
                     qid, err);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_retry(store *st, int64_t qid, ht_error *err)
{
    IN_TX(st, err, retry_tx(st, qid, err));
}

static ht_status drop_local_record(store *st, const ob_row *r, ht_error *err)
{
    sqlite3_stmt *q = store_stmt(st, "SELECT count(*) FROM outbox WHERE state='sending' AND"
                                     " ((okey=?1 AND record_id=?2) OR (to_okey=?1 AND to_id=?2))",
                                 err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, r->okey);
    sqlite3_bind_int64(q, 2, r->record_id);
    int64_t busy = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (busy)
        return ht_error_set(err, HT_CONFLICT, "%s is being sent; wait for the push to finish",
                            r->e.id);
    sqlite3_stmt *d = store_stmt(st, "DELETE FROM outbox WHERE (okey=?1 AND record_id=?2)"
                                     " OR (to_okey=?1 AND to_id=?2)", err);
    if (!d)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(d, 1, r->okey);
    sqlite3_bind_int64(d, 2, r->record_id);
    ht_status s = store_step_done(st, d, "dropping a create", err);
    if (s == HT_OK)
        s = store_exec(st, "DELETE FROM outbox_undo WHERE qid NOT IN (SELECT qid FROM outbox)",
                       err);
    return s == HT_OK ? undo_remove_create(st, r, err) : s;
}

static ht_status drop_tx(store *st, int64_t qid, ht_error *err)
{
    ob_row r;
    ht_status s = row_must_load(st, qid, &r, err);
    if (s == HT_OK && r.e.state == OB_SENDING)
        s = ht_error_set(err, HT_CONFLICT, "queue entry %lld is being sent; wait for the push"
                         " to finish", (long long)qid);
    if (s == HT_OK)
        s = audit_row_result(st, &r, "dropped", NULL, NULL, NULL, NULL, err);
    if (s == HT_OK && r.e.kind == OBK_CREATE) {
        s = drop_local_record(st, &r, err);
    } else if (s == HT_OK) {
        s = delete_row(st, qid, err);
        if (s == HT_OK && r.e.kind == OBK_UPDATE)
            s = undo_set_value(st, &r, restore_value(&r), err);
    }
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_drop(store *st, int64_t qid, ht_error *err)
{
    IN_TX(st, err, drop_tx(st, qid, err));
}

static ht_status resolve_tx(store *st, int64_t qid, bool keep_mine, ht_error *err)
{
    ob_row r;
    ht_status s = row_must_load(st, qid, &r, err);
    if (s == HT_OK && r.e.state != OB_CONFLICT)
        s = ht_error_set(err, HT_INVALID, "queue entry %lld is %s, not a conflict",
                         (long long)qid, outbox_state_name(r.e.state));
    if (s == HT_OK)
        s = audit_row_result(st, &r, keep_mine ? "resolved-mine" : "resolved-theirs",
                             keep_mine ? NULL : r.e.server_value, NULL, NULL, NULL, err);
    if (s == HT_OK && keep_mine) {
        /* The server's value becomes the base: the next push overwrites it
         * knowingly, and a further change by someone else is caught again. */
        s = exec_qid(st, "UPDATE outbox SET state='pending', old_value=server_value,"
                         " batch_id=NULL WHERE qid=?", qid, err);
    } else if (s == HT_OK) {
        s = delete_row(st, qid, err);
        if (s == HT_OK)
            s = undo_set_value(st, &r, r.e.server_value, err);
    }
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_resolve(store *st, int64_t qid, bool keep_mine, ht_error *err)
{
    IN_TX(st, err, resolve_tx(st, qid, keep_mine, err));
}

/* ---- claim ------------------------------------------------------------------------------------ */

/* An update waits while an older edit of the same property is queued
 * (a clear-then-set must reach HubSpot in that order). */
#define NO_OLDER_EDIT                                                            \
    " NOT EXISTS(SELECT 1 FROM outbox o2 WHERE o2.okey=outbox.okey"              \
    " AND o2.record_id=outbox.record_id AND o2.kind='update'"                    \
    " AND o2.prop=outbox.prop AND o2.qid<outbox.qid)"

static const char *const claim_kinds_sql[] = {
    [OBK_UPDATE] = "kind='update' AND record_id>0 AND" NO_OLDER_EDIT,
    [OBK_CREATE] = "kind='create'",
    [OBK_ASSOC_ADD] = "kind IN ('assoc_add','assoc_remove') AND record_id>0 AND to_id>0",
    [OBK_ASSOC_REMOVE] = "kind IN ('assoc_add','assoc_remove') AND record_id>0 AND to_id>0",
};

static ht_status oldest_okey(store *st, outbox_kind kind, int64_t *okey, ht_error *err)
{
    /* In queue order (the table's own order): the first claimable row ends
     * the walk, where the state index would sort every pending row first. */
    char *sql = xasprintf("SELECT okey FROM outbox NOT INDEXED WHERE state='pending' AND %s"
                          " ORDER BY qid LIMIT 1", claim_kinds_sql[kind]);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    if (!q)
        return err ? err->status : HT_DB;
    int rc = sqlite3_step(q);
    *okey = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading the outbox", err);
}

/* Record ids with claimable rows of `kind`, oldest first. The pending rows
 * are walked in queue order (the state index holds them by qid within an
 * object type) until max distinct records are found, so a claim costs what
 * it takes, not the length of the queue. */
static ht_status claimable_records(store *st, int64_t okey, outbox_kind kind, size_t max,
                                   int64_t **ids, size_t *n, ht_error *err)
{
    char *sql = xasprintf(
        "SELECT record_id FROM outbox INDEXED BY outbox_state"
        " WHERE state='pending' AND okey=?1 AND %s"
        " AND NOT EXISTS(SELECT 1 FROM outbox s INDEXED BY outbox_record"
        " WHERE s.okey=outbox.okey AND s.record_id=outbox.record_id AND s.state='sending')"
        " ORDER BY qid", claim_kinds_sql[kind]);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    *ids = NULL;
    *n = 0;
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    int rc = SQLITE_DONE;
    while (*n < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        bool seen = false;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = (*ids)[i] == id;
        if (seen)
            continue;
        *ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
        (*ids)[(*n)++] = id;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? HT_OK
                                                 : store_fail(st, rc, "reading the outbox", err);
}

/* Mark one record's pending rows of the given kinds as sending and return them. */
static ht_status claim_rows(store *st, const outbox_batch *b, int64_t okey, int64_t id,
                            const char *kinds, ob_row **rows, size_t *n, ht_error *err)
{
    char *cols = cols_list();
    /* By the record's index: the planner would otherwise walk every
     * pending row of the object type (state index) once per record. */
    char *sql = xasprintf("UPDATE outbox INDEXED BY outbox_record SET state='sending',"
                          " batch_id=?1, claimed_ms=?2,"
                          " attempts=attempts+1, updated_ms=?2 WHERE okey=?3 AND record_id=?4"
                          " AND state='pending' AND kind IN (%s) AND (kind<>'update' OR"
                          NO_OLDER_EDIT ") RETURNING %s", kinds, cols);
    free(cols);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    *rows = NULL;
    *n = 0;
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_text(q, 1, b->batch_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, time_now_ms());
    sqlite3_bind_int64(q, 3, okey);
    sqlite3_bind_int64(q, 4, id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        *rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
        row_from_stmt(q, &(*rows)[(*n)++]);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "claiming edits", err);
}

static int row_qid_cmp(const void *a, const void *b)
{
    int64_t x = ((const ob_row *)a)->e.qid, y = ((const ob_row *)b)->e.qid;
    return x < y ? -1 : x > y;
}

static void take_edit(outbox_edit *ed, ob_row *r)
{
    ed->qid = r->e.qid;
    ed->prop = r->e.prop;
    ed->new_value = r->e.new_value;
    ed->old_value = r->e.old_value;
    ed->server_value = r->e.server_value;
    ed->server_seen = r->server_seen;
    ed->recheck = r->e.recheck;
    r->e.prop = r->e.new_value = r->e.old_value = r->e.server_value = NULL;
}

static void fill_claim_record(outbox_claim_record *cr, ob_row *rows, size_t n, int64_t id)
{
    memset(cr, 0, sizeof *cr);
    records_format_id(id, cr->id);
    cr->local = id < 0;
    qsort(rows, n, sizeof *rows, row_qid_cmp);
    for (size_t i = 0; i < n; i++) {
        ob_row *r = &rows[i];
        cr->recheck |= r->e.recheck;
        if (r->e.kind == OBK_CREATE) {
            cr->create_qid = r->e.qid;
            cr->idem_key = r->e.idem_key;
            r->e.idem_key = NULL;
        } else if (r->e.kind == OBK_UPDATE) {
            cr->edits = xrealloc(cr->edits, (cr->nedits + 1) * sizeof *cr->edits);
            take_edit(&cr->edits[cr->nedits++], r);
        }
        outbox_entry_clear(&r->e);
    }
}

static void take_assoc(outbox_batch *b, ob_row *r, const objmeta *tm)
{
    b->assocs = xrealloc(b->assocs, (b->nassocs + 1) * sizeof *b->assocs);
    outbox_claim_assoc *a = &b->assocs[b->nassocs++];
    memset(a, 0, sizeof *a);
    a->qid = r->e.qid;
    a->add = r->e.kind == OBK_ASSOC_ADD;
    records_format_id(r->record_id, a->from_id);
    a->to_object = xstrdup(tm ? tm->name : "?");
    records_format_id(r->to_id, a->to_id);
    a->type_id = r->e.assoc_type;
    a->category = r->e.assoc_category;
    a->label = r->e.assoc_label;
    a->recheck = r->e.recheck;
    r->e.assoc_category = r->e.assoc_label = NULL;
}

static ht_status claim_records(store *st, outbox_batch *b, int64_t okey, outbox_kind kind,
                               size_t max, ht_error *err)
{
    int64_t *ids;
    size_t nids;
    ht_status s = claimable_records(st, okey, kind, max, &ids, &nids, err);
    const char *kinds = kind == OBK_CREATE ? "'create','update'" : "'update'";
    for (size_t i = 0; s == HT_OK && i < nids; i++) {
        ob_row *rows;
        size_t n;
        s = claim_rows(st, b, okey, ids[i], kinds, &rows, &n, err);
        if (s == HT_OK && n) {
            b->records = xrealloc(b->records, (b->nrecords + 1) * sizeof *b->records);
            fill_claim_record(&b->records[b->nrecords++], rows, n, ids[i]);
        }
        for (size_t k = 0; s != HT_OK && k < n; k++)
            outbox_entry_clear(&rows[k].e);
        free(rows);
    }
    free(ids);
    return s;
}

/* Association changes go out per (from type, to type) pair. */
static ht_status claim_assocs(store *st, outbox_batch *b, int64_t okey, size_t max,
                              ht_error *err)
{
    sqlite3_stmt *q = store_stmt(st,
        "SELECT to_okey FROM outbox WHERE okey=? AND state='pending'"
        " AND kind IN ('assoc_add','assoc_remove') AND record_id>0 AND to_id>0"
        " ORDER BY qid LIMIT 1", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    int64_t to_okey = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (!to_okey)
        return HT_OK;
    char *cols = cols_list();
    char *sql = xasprintf("UPDATE outbox SET state='sending', batch_id=?1, claimed_ms=?2,"
                          " attempts=attempts+1, updated_ms=?2 WHERE qid IN (SELECT qid FROM"
                          " outbox WHERE okey=?3 AND to_okey=?4 AND state='pending'"
                          " AND kind IN ('assoc_add','assoc_remove') AND record_id>0"
                          " AND to_id>0 ORDER BY qid LIMIT ?5) RETURNING %s", cols);
    free(cols);
    sqlite3_stmt *u = store_stmt(st, sql, err);
    free(sql);
    if (!u)
        return err ? err->status : HT_DB;
    const objmeta *tm = meta_object_by_okey(st, to_okey, err);
    sqlite3_bind_text(u, 1, b->batch_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(u, 2, time_now_ms());
    sqlite3_bind_int64(u, 3, okey);
    sqlite3_bind_int64(u, 4, to_okey);
    sqlite3_bind_int64(u, 5, (int64_t)max);
    int rc;
    while ((rc = sqlite3_step(u)) == SQLITE_ROW) {
        ob_row r;
        row_from_stmt(u, &r);
        take_assoc(b, &r, tm);
        outbox_entry_clear(&r.e);
    }
    sqlite3_reset(u);
    objmeta_release(tm);
    return rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "claiming edits", err);
}

static ht_status claim_tx(store *st, const char *object, outbox_kind kind, size_t max,
                          outbox_batch **out, ht_error *err)
{
    int64_t okey = 0;
    ht_status s = object ? meta_okey(st, object, &okey, err) : oldest_okey(st, kind, &okey, err);
    if (s != HT_OK || !okey)
        return s;
    const objmeta *m = meta_object_by_okey(st, okey, err);
    if (!m)
        return err ? err->status : HT_NOT_FOUND;
    outbox_batch *b = xcalloc(1, sizeof *b);
    new_uuid(b->batch_id);
    b->object = xstrdup(m->name);
    b->type_id = xstrdup(m->type_id);
    b->kind = kind == OBK_ASSOC_REMOVE ? OBK_ASSOC_ADD : kind;
    objmeta_release(m);
    if (max == 0 || max > 100)
        max = 100;
    s = b->kind == OBK_ASSOC_ADD ? claim_assocs(st, b, okey, max, err)
                                 : claim_records(st, b, okey, kind, max, err);
    if (s != HT_OK || (b->nrecords == 0 && b->nassocs == 0)) {
        outbox_batch_free(b);
        return s;
    }
    *out = b;
    return HT_OK;
}

ht_status outbox_claim(store *st, const char *object, outbox_kind kind, size_t max_records,
                       outbox_batch **out, ht_error *err)
{
    *out = NULL;
    IN_TX(st, err, claim_tx(st, object, kind, max_records, out, err));
}

void outbox_batch_free(outbox_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nrecords; i++) {
        outbox_claim_record *r = &b->records[i];
        for (size_t j = 0; j < r->nedits; j++) {
            free(r->edits[j].prop);
            free(r->edits[j].new_value);
            free(r->edits[j].old_value);
            free(r->edits[j].server_value);
        }
        free(r->edits);
        free(r->idem_key);
    }
    free(b->records);
    for (size_t i = 0; i < b->nassocs; i++) {
        free(b->assocs[i].to_object);
        free(b->assocs[i].category);
        free(b->assocs[i].label);
    }
    free(b->assocs);
    free(b->object);
    free(b->type_id);
    free(b);
}

/* ---- results ----------------------------------------------------------------------------------- */

static ht_status load_claimed(store *st, int64_t qid, ob_row *r, ht_error *err)
{
    ht_status s = row_must_load(st, qid, r, err);
    if (s == HT_OK && r->e.state != OB_SENDING) {
        s = ht_error_set(err, HT_CONFLICT, "queue entry %lld is %s, not being sent",
                         (long long)qid, outbox_state_name(r->e.state));
        outbox_entry_clear(&r->e);
    }
    return s;
}

static ht_status assoc_landed(store *st, const ob_row *r, ht_error *err)
{
    if (r->e.kind == OBK_ASSOC_ADD) {
        sqlite3_stmt *s = store_stmt(st,
            "INSERT OR REPLACE INTO assoc(from_okey, from_id, to_okey, to_id, type_id,"
            " category, label) VALUES(?,?,?,?,?,?,?)", err);
        if (!s)
            return err ? err->status : HT_DB;
        sqlite3_bind_int64(s, 1, r->okey);
        sqlite3_bind_int64(s, 2, r->record_id);
        sqlite3_bind_int64(s, 3, r->to_okey);
        sqlite3_bind_int64(s, 4, r->to_id);
        sqlite3_bind_int(s, 5, r->e.assoc_type);
        store_bind_text(s, 6, r->e.assoc_category);
        store_bind_text_or_null(s, 7, r->e.assoc_label);
        return store_step_done(st, s, "storing an association", err);
    }
    /* A pair removal (type 0) removes every link of the pair, both ways. */
    sqlite3_stmt *s = store_stmt(st,
        "DELETE FROM assoc WHERE (from_okey=?1 AND from_id=?2 AND to_okey=?3 AND to_id=?4"
        " AND (?5=0 OR type_id=?5)) OR (?5=0 AND from_okey=?3 AND from_id=?4"
        " AND to_okey=?1 AND to_id=?2)", err);
    if (!s)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(s, 1, r->okey);
    sqlite3_bind_int64(s, 2, r->record_id);
    sqlite3_bind_int64(s, 3, r->to_okey);
    sqlite3_bind_int64(s, 4, r->to_id);
    sqlite3_bind_int(s, 5, r->e.assoc_type);
    return store_step_done(st, s, "removing an association", err);
}

static ht_status done_tx(store *st, int64_t qid, const char *server_value, const char *corr,
                         ht_error *err)
{
    ob_row r;
    ht_status s = load_claimed(st, qid, &r, err);
    if (s != HT_OK)
        return s;
    if (r.e.kind == OBK_CREATE)
        s = ht_error_set(err, HT_INVALID, "a create lands with outbox_mark_created");
    if (s == HT_OK)
        s = audit_row_result(st, &r, "done", server_value, NULL, NULL, corr, err);
    if (s == HT_OK && r.e.kind == OBK_UPDATE && server_value &&
        str_cmp0(server_value, r.e.new_value) != 0)
        s = undo_set_value(st, &r, server_value, err);
    if (s == HT_OK && r.e.kind != OBK_UPDATE)
        s = assoc_landed(st, &r, err);
    if (s == HT_OK)
        s = delete_row(st, qid, err);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_mark_done(store *st, int64_t qid, const char *server_value,
                           const char *correlation_id, ht_error *err)
{
    IN_TX(st, err, done_tx(st, qid, server_value, correlation_id, err));
}

static ht_status conflict_tx(store *st, int64_t qid, const char *server_value,
                             const char *by, const char *at, ht_error *err)
{
    ob_row r;
    ht_status s = load_claimed(st, qid, &r, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *u = store_stmt(st,
        "UPDATE outbox SET state='conflict', server_value=?, server_seen=1, server_by=?,"
        " server_at=?, batch_id=NULL, recheck=0, updated_ms=? WHERE qid=?", err);
    if (!u)
        s = err ? err->status : HT_DB;
    if (u) {
        store_bind_text_or_null(u, 1, server_value);
        store_bind_text(u, 2, by);
        store_bind_text(u, 3, at);
        sqlite3_bind_int64(u, 4, time_now_ms());
        sqlite3_bind_int64(u, 5, qid);
        s = store_step_done(st, u, "recording a conflict", err);
    }
    char *msg = xasprintf("server has %s%s%s", server_value ? server_value : "(empty)",
                          by ? ", changed by " : "", by ? by : "");
    if (s == HT_OK)
        s = audit_row_result(st, &r, "conflict", NULL, msg, NULL, NULL, err);
    free(msg);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_mark_conflict(store *st, int64_t qid, const char *server_value,
                               const char *server_by, const char *server_at, ht_error *err)
{
    IN_TX(st, err, conflict_tx(st, qid, server_value, server_by, server_at, err));
}

typedef struct fail_info {
    const char *message, *category, *corr;
    int         http_status;
} fail_info;

static ht_status failed_tx(store *st, int64_t qid, const fail_info *f, ht_error *err)
{
    ob_row r;
    ht_status s = load_claimed(st, qid, &r, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *u = store_stmt(st,
        "UPDATE outbox SET state='failed', err_message=?, err_category=?, correlation_id=?,"
        " http_status=?, batch_id=NULL, recheck=0, updated_ms=? WHERE qid=?", err);
    if (!u)
        s = err ? err->status : HT_DB;
    if (u) {
        store_bind_text(u, 1, f->message);
        store_bind_text(u, 2, f->category);
        store_bind_text(u, 3, f->corr);
        sqlite3_bind_int(u, 4, f->http_status);
        sqlite3_bind_int64(u, 5, time_now_ms());
        sqlite3_bind_int64(u, 6, qid);
        s = store_step_done(st, u, "recording a failure", err);
    }
    if (s == HT_OK)
        s = audit_row_result(st, &r, "failed", NULL, f->message, f->category, f->corr, err);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_mark_failed(store *st, int64_t qid, const char *message,
                             const char *category, const char *correlation_id,
                             int http_status, ht_error *err)
{
    fail_info f = {message, category, correlation_id, http_status};
    IN_TX(st, err, failed_tx(st, qid, &f, err));
}

static ht_status not_applied_tx(store *st, int64_t qid, const char *server_value,
                                const char *corr, ht_error *err)
{
    ob_row r;
    ht_status s = load_claimed(st, qid, &r, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *u = store_stmt(st,
        "UPDATE outbox SET state='not_applied', server_value=?, server_seen=1,"
        " correlation_id=?, batch_id=NULL, recheck=0, updated_ms=? WHERE qid=?", err);
    if (!u)
        s = err ? err->status : HT_DB;
    if (u) {
        store_bind_text_or_null(u, 1, server_value);
        store_bind_text(u, 2, corr);
        sqlite3_bind_int64(u, 3, time_now_ms());
        sqlite3_bind_int64(u, 4, qid);
        s = store_step_done(st, u, "recording a value not applied", err);
    }
    char *msg = xasprintf("server kept %s", server_value ? server_value : "(empty)");
    if (s == HT_OK)
        s = audit_row_result(st, &r, "not-applied", NULL, msg, NULL, corr, err);
    free(msg);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_mark_not_applied(store *st, int64_t qid, const char *server_value,
                                  const char *correlation_id, ht_error *err)
{
    IN_TX(st, err, not_applied_tx(st, qid, server_value, correlation_id, err));
}

static ht_status release_tx(store *st, int64_t qid, ht_error *err)
{
    ob_row r;
    ht_status s = load_claimed(st, qid, &r, err);
    if (s == HT_OK)
        s = set_state(st, qid, "pending", err);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_release(store *st, int64_t qid, ht_error *err)
{
    IN_TX(st, err, release_tx(st, qid, err));
}

static ht_status release_unknown_tx(store *st, int64_t qid, ht_error *err)
{
    ob_row r;
    ht_status s = load_claimed(st, qid, &r, err);
    if (s == HT_OK)
        s = exec_qid(st, "UPDATE outbox SET state='pending', recheck=1, batch_id=NULL"
                         " WHERE qid=?", qid, err);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_release_unknown(store *st, int64_t qid, ht_error *err)
{
    IN_TX(st, err, release_unknown_tx(st, qid, err));
}

/* The property edits sent along with the create are done. */
static ht_status finish_create_edits(store *st, const ob_row *c, int64_t new_id,
                                     const char *corr, ht_error *err)
{
    char *cols = cols_list();
    char *sql = xasprintf("SELECT %s FROM outbox WHERE okey=? AND record_id=? AND"
                          " kind='update' AND state='sending' AND batch_id=?", cols);
    free(cols);
    sqlite3_stmt *q = store_stmt(st, sql, err);
    free(sql);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, c->okey);
    sqlite3_bind_int64(q, 2, new_id);
    store_bind_text(q, 3, c->e.batch_id);
    ob_row *rows = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        rows = xrealloc(rows, (n + 1) * sizeof *rows);
        row_from_stmt(q, &rows[n++]);
    }
    sqlite3_reset(q);
    ht_status s = rc == SQLITE_DONE ? HT_OK : store_fail(st, rc, "reading the outbox", err);
    for (size_t i = 0; i < n; i++) {
        if (s == HT_OK)
            s = audit_row_result(st, &rows[i], "done", NULL, NULL, NULL, corr, err);
        if (s == HT_OK)
            s = delete_row(st, rows[i].e.qid, err);
        outbox_entry_clear(&rows[i].e);
    }
    free(rows);
    return s;
}

static ht_status remap_queue(store *st, int64_t okey, int64_t from, int64_t to, ht_error *err)
{
    static const char *const sql[] = {
        /* Undo images still name the local id; edits of a pushed create
         * are no longer undoable. */
        "DELETE FROM outbox_undo WHERE qid IN (SELECT qid FROM outbox WHERE"
        " (okey=?1 AND record_id=?2) OR (to_okey=?1 AND to_id=?2))",
        "UPDATE outbox SET record_id=?3 WHERE okey=?1 AND record_id=?2",
        "UPDATE outbox SET to_id=?3 WHERE to_okey=?1 AND to_id=?2",
    };
    return records_renumber_exec(st, sql, ARRAY_SIZE(sql), okey, from, to,
                                 "renumbering queued edits", err);
}

static ht_status created_tx(store *st, int64_t qid, const char *hubspot_id, const char *corr,
                            ht_error *err)
{
    int64_t new_id;
    if (!hubspot_id || !records_parse_id(hubspot_id, &new_id) || new_id <= 0)
        return ht_error_set(err, HT_INVALID, "'%s' is not a HubSpot id",
                            hubspot_id ? hubspot_id : "");
    ob_row r;
    ht_status s = load_claimed(st, qid, &r, err);
    if (s != HT_OK)
        return s;
    if (r.e.kind != OBK_CREATE)
        s = ht_error_set(err, HT_INVALID, "queue entry %lld is not a create", (long long)qid);
    const objmeta *m = s == HT_OK ? meta_object_by_okey(st, r.okey, err) : NULL;
    if (s == HT_OK && !m)
        s = err ? err->status : HT_NOT_FOUND;
    if (s == HT_OK)
        s = records_change_id(st, m, r.record_id, new_id, err);
    if (s == HT_OK)
        s = remap_queue(st, r.okey, r.record_id, new_id, err);
    if (s == HT_OK)
        s = finish_create_edits(st, &r, new_id, corr, err);
    if (s == HT_OK) {
        /* Audited under the id it has from now on, naming the local one. */
        char was[32];
        records_format_id(r.record_id, was);
        int64_t local = r.record_id;
        r.record_id = new_id;
        s = audit_row_result(st, &r, "created", hubspot_id, was, NULL, corr, err);
        r.record_id = local;
    }
    if (s == HT_OK)
        s = delete_row(st, qid, err);
    objmeta_release(m);
    outbox_entry_clear(&r.e);
    return s;
}

ht_status outbox_mark_created(store *st, int64_t create_qid, const char *hubspot_id,
                              const char *correlation_id, ht_error *err)
{
    IN_TX(st, err, created_tx(st, create_qid, hubspot_id, correlation_id, err));
}

static ht_status recover_tx(store *st, int64_t older_than_ms, size_t *recovered,
                            ht_error *err)
{
    sqlite3_stmt *u = store_stmt(st,
        "UPDATE outbox SET state='pending', recheck=1, batch_id=NULL"
        " WHERE state='sending' AND claimed_ms<?", err);
    if (!u)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(u, 1, older_than_ms);
    ht_status s = store_step_done(st, u, "recovering the outbox", err);
    if (s == HT_OK && recovered)
        *recovered = (size_t)sqlite3_changes(st->db);
    return s;
}

ht_status outbox_recover(store *st, int64_t older_than_ms, size_t *recovered, ht_error *err)
{
    IN_TX(st, err, recover_tx(st, older_than_ms, recovered, err));
}
