/* schema.c — the cache file's schema and its migrations.
 *
 * schema_version holds one row per applied step. Opening a file applies the
 * missing steps in order inside one transaction, so a file is always at a
 * version this code knows completely, or untouched. A file from a newer
 * hubtui is refused rather than guessed at.
 *
 * Records do not live in one generic table: each object type gets its own
 * wide table rec_<okey> (one column per property that ever had a value,
 * added on demand) and a contentless FTS5 index fts_<okey>; see records.c. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct migration {
    int         version;
    const char *description;
    const char *sql;
    ht_status (*after)(store *st, ht_error *err);
} migration;

static const char schema_v1[] =
    "CREATE TABLE kv(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "INSERT INTO kv VALUES('meta_gen',1),('local_seq',0),('change_group',0);"

    "CREATE TABLE account(id INTEGER PRIMARY KEY CHECK (id = 1),"
    " portal_id INTEGER, time_zone TEXT, currency TEXT, ui_domain TEXT,"
    " data_hosting TEXT, updated_ms INTEGER);"

    "CREATE TABLE object_types("
    " okey INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, type_id TEXT NOT NULL UNIQUE,"
    " fqn TEXT, label_singular TEXT, label_plural TEXT,"
    " display_props TEXT NOT NULL DEFAULT '[]', display_fallback TEXT,"
    " search_props TEXT NOT NULL DEFAULT '[]',"
    " lastmod_prop TEXT NOT NULL DEFAULT 'hs_lastmodifieddate',"
    " created_prop TEXT NOT NULL DEFAULT 'createdate',"
    " custom INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0,"
    " sync_default INTEGER NOT NULL DEFAULT 0, display_order INTEGER NOT NULL DEFAULT 100,"
    " live_count INTEGER NOT NULL DEFAULT 0,"
    /* 1 while a bulk load skips the full-text index (records_end_bulk rebuilds it). */
    " search_deferred INTEGER NOT NULL DEFAULT 0);"

    /* Which column of rec_<okey> holds which property. */
    "CREATE TABLE prop_cols(okey INTEGER NOT NULL, name TEXT NOT NULL, col TEXT NOT NULL,"
    " PRIMARY KEY(okey, name)) WITHOUT ROWID;"

    "CREATE TABLE properties("
    " okey INTEGER NOT NULL, name TEXT NOT NULL, label TEXT, type TEXT, field_type TEXT,"
    " group_name TEXT, description TEXT, display_order INTEGER, hidden INTEGER,"
    " calculated INTEGER, read_only_value INTEGER, read_only_definition INTEGER,"
    " has_unique_value INTEGER, hubspot_defined INTEGER, external_options INTEGER,"
    " referenced_object_type TEXT, calculation_formula TEXT, currency_property TEXT,"
    " archived INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(okey, name)) WITHOUT ROWID;"
    "CREATE TABLE property_options("
    " okey INTEGER NOT NULL, prop TEXT NOT NULL, value TEXT NOT NULL, label TEXT,"
    " display_order INTEGER, hidden INTEGER NOT NULL DEFAULT 0, description TEXT,"
    " PRIMARY KEY(okey, prop, value)) WITHOUT ROWID;"
    "CREATE TABLE property_groups("
    " okey INTEGER NOT NULL, name TEXT NOT NULL, label TEXT, display_order INTEGER,"
    " archived INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(okey, name)) WITHOUT ROWID;"

    "CREATE TABLE pipelines("
    " okey INTEGER NOT NULL, id TEXT NOT NULL, label TEXT, display_order INTEGER,"
    " archived INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(okey, id)) WITHOUT ROWID;"
    "CREATE TABLE pipeline_stages("
    " okey INTEGER NOT NULL, pipeline_id TEXT NOT NULL, id TEXT NOT NULL, label TEXT,"
    " display_order INTEGER, archived INTEGER NOT NULL DEFAULT 0, metadata TEXT,"
    " is_closed INTEGER, probability REAL, ticket_state TEXT,"
    " PRIMARY KEY(okey, pipeline_id, id)) WITHOUT ROWID;"

    "CREATE TABLE owners("
    " id TEXT PRIMARY KEY, email TEXT, first_name TEXT, last_name TEXT, user_id INTEGER,"
    " type TEXT, archived INTEGER NOT NULL DEFAULT 0, teams TEXT) WITHOUT ROWID;"

    "CREATE TABLE checkpoints("
    " okey INTEGER PRIMARY KEY, backfill_after TEXT, backfill_done INTEGER NOT NULL DEFAULT 0,"
    " backfill_started_ms INTEGER, backfill_records INTEGER NOT NULL DEFAULT 0,"
    " hwm_ms INTEGER, last_incremental_ms INTEGER, last_full_ms INTEGER,"
    " full_gen INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE sync_kv(okey INTEGER NOT NULL, key TEXT NOT NULL, value TEXT,"
    " PRIMARY KEY(okey, key)) WITHOUT ROWID;"

    /* Associations exactly as HubSpot reports them, one row per direction
     * and type. */
    "CREATE TABLE assoc("
    " from_okey INTEGER NOT NULL, from_id INTEGER NOT NULL, to_okey INTEGER NOT NULL,"
    " to_id INTEGER NOT NULL, type_id INTEGER NOT NULL, category TEXT, label TEXT,"
    " PRIMARY KEY(from_okey, from_id, to_okey, to_id, type_id)) WITHOUT ROWID;"
    "CREATE INDEX assoc_to ON assoc(to_okey, to_id, from_okey);"
    "CREATE TABLE assoc_labels("
    " from_okey INTEGER NOT NULL, to_okey INTEGER NOT NULL, type_id INTEGER NOT NULL,"
    " category TEXT, label TEXT, PRIMARY KEY(from_okey, to_okey, type_id)) WITHOUT ROWID;"

    "CREATE TABLE outbox("
    " qid INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
    " okey INTEGER NOT NULL, record_id INTEGER NOT NULL,"
    " prop TEXT, new_value TEXT, old_value TEXT,"
    " server_value TEXT, server_seen INTEGER NOT NULL DEFAULT 0, server_by TEXT,"
    " server_at TEXT,"
    " to_okey INTEGER, to_id INTEGER, assoc_type INTEGER, assoc_category TEXT,"
    " assoc_label TEXT, idem_key TEXT, no_coalesce INTEGER NOT NULL DEFAULT 0,"
    " change_group INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
    " batch_id TEXT, claimed_ms INTEGER, recheck INTEGER NOT NULL DEFAULT 0,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, err_message TEXT, err_category TEXT,"
    " correlation_id TEXT, http_status INTEGER);"
    "CREATE INDEX outbox_record ON outbox(okey, record_id);"
    "CREATE INDEX outbox_state ON outbox(state, okey);"
    "CREATE INDEX outbox_group ON outbox(change_group);"
    /* Undo: per edit, the queue row as it was before (JSON image, NULL
     * when the edit created the row). */
    "CREATE TABLE outbox_undo("
    " uid INTEGER PRIMARY KEY, change_group INTEGER NOT NULL, qid INTEGER NOT NULL,"
    " prev_image TEXT);"
    "CREATE INDEX outbox_undo_qid ON outbox_undo(qid);"
    "CREATE INDEX outbox_undo_group ON outbox_undo(change_group);"

    /* The standard object types; custom ones arrive from schemas. */
    "INSERT INTO object_types(okey,name,type_id,label_singular,label_plural,display_props,"
    " display_fallback,search_props,lastmod_prop,created_prop,sync_default,display_order)"
    " VALUES"
    " (1,'contacts','0-1','Contact','Contacts','[\"firstname\",\"lastname\"]','email',"
    "  '[\"firstname\",\"lastname\",\"email\",\"phone\",\"company\"]','lastmodifieddate',"
    "  'createdate',1,1),"
    " (2,'companies','0-2','Company','Companies','[\"name\"]','domain',"
    "  '[\"name\",\"domain\"]','hs_lastmodifieddate','createdate',1,2),"
    " (3,'deals','0-3','Deal','Deals','[\"dealname\"]',NULL,'[\"dealname\"]',"
    "  'hs_lastmodifieddate','createdate',1,3),"
    " (4,'tickets','0-5','Ticket','Tickets','[\"subject\"]',NULL,"
    "  '[\"subject\",\"content\"]','hs_lastmodifieddate','createdate',1,4),"
    " (5,'line_items','0-8','Line item','Line items','[\"name\"]',NULL,'[\"name\"]',"
    "  'hs_lastmodifieddate','createdate',1,5),"
    " (6,'products','0-7','Product','Products','[\"name\"]',NULL,'[\"name\",\"hs_sku\"]',"
    "  'hs_lastmodifieddate','createdate',1,6),"
    " (7,'quotes','0-14','Quote','Quotes','[\"hs_title\"]',NULL,'[\"hs_title\"]',"
    "  'hs_lastmodifieddate','createdate',0,7),"
    " (8,'notes','0-46','Note','Notes','[\"hs_note_body\"]',NULL,'[]',"
    "  'hs_lastmodifieddate','hs_createdate',0,8),"
    " (9,'tasks','0-27','Task','Tasks','[\"hs_task_subject\"]',NULL,'[\"hs_task_subject\"]',"
    "  'hs_lastmodifieddate','hs_createdate',0,9),"
    " (10,'meetings','0-47','Meeting','Meetings','[\"hs_meeting_title\"]',NULL,"
    "  '[\"hs_meeting_title\"]','hs_lastmodifieddate','hs_createdate',0,10),"
    " (11,'calls','0-48','Call','Calls','[\"hs_call_title\"]',NULL,'[\"hs_call_title\"]',"
    "  'hs_lastmodifieddate','hs_createdate',0,11),"
    " (12,'emails','0-49','Email','Emails','[\"hs_email_subject\"]',NULL,"
    "  '[\"hs_email_subject\"]','hs_lastmodifieddate','hs_createdate',0,12);";

/* Version 2 adds the audit log of every write attempt. */
static const char schema_v2[] =
    "CREATE TABLE audit("
    " aid INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, okey INTEGER NOT NULL,"
    " record_id TEXT NOT NULL, qid INTEGER, kind TEXT NOT NULL, prop TEXT,"
    " old_value TEXT, new_value TEXT, result TEXT NOT NULL, message TEXT,"
    " category TEXT, correlation_id TEXT, batch_id TEXT);"
    "CREATE INDEX audit_record ON audit(okey, record_id);";

ht_status records_create_tables_for_all(store *st, ht_error *err);

static const migration migrations[] = {
    {1, "initial schema", schema_v1, records_create_tables_for_all},
    {2, "audit log", schema_v2, NULL},
};

int schema_latest_version(void)
{
    return migrations[ARRAY_SIZE(migrations) - 1].version;
}

static ht_status current_version(store *st, int *out, ht_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT 1 FROM sqlite_schema WHERE name='schema_version'",
                                -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading the cache schema", err);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE) {
        *out = 0;
        return HT_OK;
    }
    if (rc != SQLITE_ROW)
        return store_fail(st, rc, "reading the cache schema", err);
    rc = sqlite3_prepare_v2(st->db, "SELECT ifnull(max(version),0) FROM schema_version", -1,
                            &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = sqlite3_column_int(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? HT_OK : store_fail(st, rc, "reading the cache schema", err);
}

static ht_status apply_step(store *st, const migration *m, ht_error *err)
{
    ht_status s = store_exec(st, m->sql, err);
    if (s == HT_OK && m->after)
        s = m->after(st, err);
    if (s != HT_OK)
        return s;
    char *sql = xasprintf("INSERT INTO schema_version(version, applied_ms, description) "
                          "VALUES(%d, %lld, '%s')", m->version, (long long)time_now_ms(),
                          m->description);
    s = store_exec(st, sql, err);
    free(sql);
    return s;
}

ht_status schema_migrate(store *st, int target, ht_error *err)
{
    if (target <= 0)
        target = schema_latest_version();
    ht_status s = store_begin(st, err);
    if (s != HT_OK)
        return s;
    int version = 0;
    s = current_version(st, &version, err);
    if (s == HT_OK && version > schema_latest_version())
        s = ht_error_set(err, HT_DB,
                         "cache %s was written by a newer hubtui (schema %d, this one "
                         "knows %d); update hubtui or delete the cache file",
                         st->path, version, schema_latest_version());
    if (s == HT_OK && version == 0)
        s = store_exec(st, "CREATE TABLE schema_version(version INTEGER PRIMARY KEY,"
                           " applied_ms INTEGER NOT NULL, description TEXT)", err);
    for (size_t i = 0; s == HT_OK && i < ARRAY_SIZE(migrations); i++)
        if (migrations[i].version > version && migrations[i].version <= target)
            s = apply_step(st, &migrations[i], err);
    if (s != HT_OK) {
        store_rollback(st);
        return s;
    }
    s = store_commit(st, err);
    if (s == HT_OK)
        s = current_version(st, &st->schema_version, err);
    return s;
}
