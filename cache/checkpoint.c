/* checkpoint.c — per-object sync state. */
#include "checkpoint.h"

#include <stdlib.h>
#include <string.h>

#include "records_int.h"

static ht_status okey_for(store *st, const char *object, int64_t *okey, ht_error *err)
{
    if (!object) {
        *okey = 0;   /* portal-wide state (object keys start at 1) */
        return HT_OK;
    }
    return meta_okey(st, object, okey, err);
}

void sync_checkpoint_clear(sync_checkpoint *cp)
{
    if (!cp)
        return;
    free(cp->backfill_after);
    memset(cp, 0, sizeof *cp);
}

ht_status checkpoint_get(store *st, const char *object, sync_checkpoint *out, ht_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t okey = 0;
    ht_status s = okey_for(st, object, &okey, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *q = store_stmt(st,
        "SELECT backfill_after, backfill_done, backfill_started_ms, backfill_records, hwm_ms,"
        " last_incremental_ms, last_full_ms, full_gen FROM checkpoints WHERE okey=?", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->backfill_after = store_col_strdup(q, 0);
        out->backfill_done = sqlite3_column_int(q, 1);
        out->backfill_started_ms = sqlite3_column_int64(q, 2);
        out->backfill_records = sqlite3_column_int64(q, 3);
        out->hwm_ms = sqlite3_column_int64(q, 4);
        out->last_incremental_ms = sqlite3_column_int64(q, 5);
        out->last_full_ms = sqlite3_column_int64(q, 6);
        out->full_gen = sqlite3_column_int64(q, 7);
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading sync state", err);
}

ht_status checkpoint_put(store *st, const char *object, const sync_checkpoint *cp,
                         ht_error *err)
{
    int64_t okey = 0;
    ht_status s = okey_for(st, object, &okey, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *q = store_stmt(st,
        "INSERT OR REPLACE INTO checkpoints(okey, backfill_after, backfill_done,"
        " backfill_started_ms, backfill_records, hwm_ms, last_incremental_ms, last_full_ms,"
        " full_gen) VALUES(?,?,?,?,?,?,?,?,?)", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    store_bind_text(q, 2, cp->backfill_after);
    sqlite3_bind_int(q, 3, cp->backfill_done);
    sqlite3_bind_int64(q, 4, cp->backfill_started_ms);
    sqlite3_bind_int64(q, 5, cp->backfill_records);
    sqlite3_bind_int64(q, 6, cp->hwm_ms);
    sqlite3_bind_int64(q, 7, cp->last_incremental_ms);
    sqlite3_bind_int64(q, 8, cp->last_full_ms);
    sqlite3_bind_int64(q, 9, cp->full_gen);
    return store_step_done(st, q, "writing sync state", err);
}

ht_status checkpoint_kv_get(store *st, const char *object, const char *key, char **value,
                            ht_error *err)
{
    *value = NULL;
    int64_t okey = 0;
    ht_status s = okey_for(st, object, &okey, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *q = store_stmt(st, "SELECT value FROM sync_kv WHERE okey=? AND key=?", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *value = store_col_strdup(q, 0);
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HT_OK
                                                 : store_fail(st, rc, "reading sync state", err);
}

ht_status checkpoint_kv_set(store *st, const char *object, const char *key, const char *value,
                            ht_error *err)
{
    int64_t okey = 0;
    ht_status s = okey_for(st, object, &okey, err);
    if (s != HT_OK)
        return s;
    sqlite3_stmt *q = store_stmt(st, value ? "INSERT OR REPLACE INTO sync_kv(okey, key, value)"
                                             " VALUES(?,?,?)"
                                           : "DELETE FROM sync_kv WHERE okey=? AND key=?", err);
    if (!q)
        return err ? err->status : HT_DB;
    sqlite3_bind_int64(q, 1, okey);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_TRANSIENT);
    if (value)
        sqlite3_bind_text(q, 3, value, -1, SQLITE_TRANSIENT);
    return store_step_done(st, q, "writing sync state", err);
}
