#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS records("
    "  rid INTEGER PRIMARY KEY, tidx INTEGER NOT NULL, created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL, archived INTEGER NOT NULL DEFAULT 0, archived_at INTEGER,"
    "  props BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS uniq(tidx INTEGER, pidx INTEGER, value TEXT, id INTEGER);"
    "CREATE TABLE IF NOT EXISTS assoc(from_rid INTEGER, to_rid INTEGER, type_id INTEGER,"
    "  PRIMARY KEY(from_rid, to_rid, type_id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS hist(rid INTEGER, pidx INTEGER, seq INTEGER, ts INTEGER,"
    "  value TEXT, src_type TEXT, src_id TEXT, user_id INTEGER,"
    "  PRIMARY KEY(rid, pidx, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS kv(kind TEXT, key TEXT, value TEXT,"
    "  PRIMARY KEY(kind, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS lagged(rid INTEGER PRIMARY KEY, visible_at INTEGER,"
    "  existed INTEGER, tidx INTEGER, created INTEGER, updated INTEGER, archived INTEGER,"
    "  archived_at INTEGER, props BLOB);"
    "CREATE INDEX IF NOT EXISTS records_upd ON records(tidx, archived, updated);"
    "CREATE INDEX IF NOT EXISTS records_cre ON records(tidx, archived, created);"
    "CREATE INDEX IF NOT EXISTS records_arch ON records(rid) WHERE archived = 1;";

/* Records are generated in (type, creation) order, so their indexes grow
 * at the end and are cheap to keep from the start; unique values arrive in
 * random order and are indexed once, after generation, by sorting. */
static const char index_sql[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS uniq_key ON uniq(tidx, pidx, value);";

#define ROW_COLS "rid, created, updated, archived, archived_at, props"

enum {
    Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_KV_GET, Q_KV_SET,
    Q_REC_INSERT, Q_REC_GET, Q_REC_UPDATE, Q_REC_ARCHIVE, Q_REC_DELETE, Q_REC_LIST,
    Q_MAX_ID, Q_UNIQ_GET, Q_UNIQ_PUT, Q_UNIQ_DEL,
    Q_ASSOC_ADD, Q_ASSOC_DEL, Q_ASSOC_DEL_PAIR, Q_ASSOC_DEL_FROM, Q_ASSOC_DEL_TO, Q_ASSOC_LIST,
    Q_HIST_ADD, Q_HIST_COUNT, Q_HIST_LIST, Q_HIST_DEL,
    Q_LAG_SNAP, Q_LAG_NEW, Q_LAG_TOUCH, Q_LAG_PURGE, Q_LAG_ANY,
    Q_COUNT
};

static const char *const query_sql[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_KV_GET] = "SELECT value FROM kv WHERE kind = ?1 AND key = ?2",
    [Q_KV_SET] = "INSERT OR REPLACE INTO kv(kind, key, value) VALUES(?1, ?2, ?3)",
    [Q_REC_INSERT] = "INSERT INTO records(rid, tidx, created, updated, props) VALUES(?1, ?2, ?3, ?4, ?5)",
    [Q_REC_GET] = "SELECT " ROW_COLS " FROM records WHERE rid = ?1",
    [Q_REC_UPDATE] = "UPDATE records SET updated = ?2, props = ?3 WHERE rid = ?1",
    [Q_REC_ARCHIVE] = "UPDATE records SET archived = ?2, archived_at = ?3, updated = "
                      "CASE WHEN ?3 > updated THEN ?3 ELSE updated END WHERE rid = ?1",
    [Q_REC_DELETE] = "DELETE FROM records WHERE rid = ?1",
    [Q_REC_LIST] = "SELECT " ROW_COLS " FROM records WHERE rid >= ?1 AND rid < ?2 "
                   "AND archived = ?3 ORDER BY rid LIMIT ?4",
    [Q_MAX_ID] = "SELECT max(rid) FROM records WHERE rid >= ?1 AND rid < ?2",
    [Q_UNIQ_GET] = "SELECT id FROM uniq WHERE tidx = ?1 AND pidx = ?2 AND value = ?3",
    [Q_UNIQ_PUT] = "INSERT INTO uniq(tidx, pidx, value, id) VALUES(?1, ?2, ?3, ?4)",
    [Q_UNIQ_DEL] = "DELETE FROM uniq WHERE tidx = ?1 AND pidx = ?2 AND value = ?3",
    [Q_ASSOC_ADD] = "INSERT OR IGNORE INTO assoc(from_rid, to_rid, type_id) VALUES(?1, ?2, ?3)",
    [Q_ASSOC_DEL] = "DELETE FROM assoc WHERE from_rid = ?1 AND to_rid = ?2 AND type_id = ?3",
    [Q_ASSOC_DEL_PAIR] = "DELETE FROM assoc WHERE from_rid = ?1 AND to_rid = ?2",
    [Q_ASSOC_DEL_FROM] = "DELETE FROM assoc WHERE from_rid = ?1",
    [Q_ASSOC_DEL_TO] = "DELETE FROM assoc WHERE to_rid = ?1",
    [Q_ASSOC_LIST] = "SELECT to_rid, type_id FROM assoc WHERE from_rid = ?1 AND to_rid >= ?2 "
                     "AND to_rid < ?3 ORDER BY to_rid, type_id LIMIT ?4",
    [Q_HIST_ADD] = "INSERT INTO hist(rid, pidx, seq, ts, value, src_type, src_id, user_id) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_HIST_COUNT] = "SELECT count(*) FROM hist WHERE rid = ?1 AND pidx = ?2",
    [Q_HIST_LIST] = "SELECT ts, value, src_type, src_id, user_id FROM hist "
                    "WHERE rid = ?1 AND pidx = ?2 ORDER BY seq DESC LIMIT ?3",
    [Q_HIST_DEL] = "DELETE FROM hist WHERE rid = ?1",
    [Q_LAG_SNAP] = "INSERT OR IGNORE INTO lagged(rid, visible_at, existed, tidx, created, updated,"
                   " archived, archived_at, props) SELECT rid, ?2, 1, tidx, created, updated,"
                   " archived, archived_at, props FROM records WHERE rid = ?1",
    [Q_LAG_NEW] = "INSERT OR IGNORE INTO lagged(rid, visible_at, existed, tidx, created, updated,"
                  " archived, props) VALUES(?1, ?2, 0, ?3, 0, 0, 0, x'')",
    [Q_LAG_TOUCH] = "UPDATE lagged SET visible_at = ?2 WHERE rid = ?1",
    [Q_LAG_PURGE] = "DELETE FROM lagged WHERE visible_at <= ?1",
    [Q_LAG_ANY] = "SELECT 1 FROM lagged LIMIT 1",
};

struct fh_store {
    sqlite3      *db;
    sqlite3_stmt *q[Q_COUNT];
    int64_t       hist_seq;
};

void rowset_reset(fh_rowset *rs)
{
    rs->n = 0;
    strbuf_reset(&rs->blobs);
}

void rowset_free(fh_rowset *rs)
{
    free(rs->rows);
    strbuf_free(&rs->blobs);
    memset(rs, 0, sizeof *rs);
}

void rowset_add_stmt(fh_rowset *rs, sqlite3_stmt *st)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->rows = xrealloc(rs->rows, sizeof *rs->rows * rs->cap);
    }
    fh_row *r = &rs->rows[rs->n++];
    r->rid = sqlite3_column_int64(st, 0);
    r->created = sqlite3_column_int64(st, 1);
    r->updated = sqlite3_column_int64(st, 2);
    r->archived = sqlite3_column_int(st, 3) != 0;
    r->archived_at = sqlite3_column_int64(st, 4);
    const void *blob = sqlite3_column_blob(st, 5);
    r->len = (size_t)sqlite3_column_bytes(st, 5);
    r->off = rs->blobs.len;
    strbuf_append(&rs->blobs, blob ? blob : "", r->len);
}

static sqlite3_stmt *q(fh_store *s, int which)
{
    sqlite3_stmt *st = s->q[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* Step a statement that returns no rows. */
static bool run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

fh_store *store_open(const char *path, char *err, size_t errlen)
{
    fh_store *s = xcalloc(1, sizeof *s);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path ? path : ":memory:", &s->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path ? path : "memory database",
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        store_close(s);
        return NULL;
    }
    /* A test instrument: speed over durability; --db files still survive a
     * clean shutdown, and WAL keeps them consistent after a crash. */
    const char *pragmas = path
        ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
          "PRAGMA temp_store=MEMORY;"
        : "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; PRAGMA page_size=16384;";
    char *msg = NULL;
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(s->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up %s: %s", path ? path : "memory database",
                 msg ? msg : "?");
        sqlite3_free(msg);
        store_close(s);
        return NULL;
    }
    for (int i = 0; i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, query_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
                               NULL) != SQLITE_OK) {
            snprintf(err, errlen, "cannot prepare '%s': %s", query_sql[i], sqlite3_errmsg(s->db));
            store_close(s);
            return NULL;
        }
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(seq), 0) FROM hist", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            s->hist_seq = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return s;
}

void store_close(fh_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->q[i]);
    if (s->db)
        sqlite3_close(s->db);
    free(s);
}

sqlite3 *store_db(fh_store *s)
{
    return s->db;
}

const char *store_errmsg(fh_store *s)
{
    return sqlite3_errmsg(s->db);
}

bool store_create_indexes(fh_store *s)
{
    /* The sorter may use a second core; a sampled ANALYZE is enough for
     * the planner and cheap on a million rows. */
    int64_t t0 = time_mono_ms();
    bool ok = sqlite3_exec(s->db, "PRAGMA threads=2", NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_exec(s->db, index_sql, NULL, NULL, NULL) == SQLITE_OK;
    int64_t t1 = time_mono_ms();
    ok = ok && sqlite3_exec(s->db, "PRAGMA analysis_limit=1000; ANALYZE", NULL, NULL, NULL) == SQLITE_OK;
    if (getenv("FAKEHUB_PROFILE"))
        fprintf(stderr, "fakehub: index %lld ms, analyze %lld ms\n", (long long)(t1 - t0),
                (long long)(time_mono_ms() - t1));
    return ok;
}

bool store_wipe(fh_store *s)
{
    return sqlite3_exec(s->db,
                        "DELETE FROM records; DELETE FROM uniq; DELETE FROM assoc;"
                        "DELETE FROM hist; DELETE FROM kv; DELETE FROM lagged;",
                        NULL, NULL, NULL) == SQLITE_OK;
}

bool store_begin(fh_store *s)
{
    return run(q(s, Q_BEGIN));
}

bool store_commit(fh_store *s)
{
    return run(q(s, Q_COMMIT));
}

void store_rollback(fh_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        run(q(s, Q_ROLLBACK));
}

char *store_kv_get(fh_store *s, const char *kind, const char *key)
{
    sqlite3_stmt *st = q(s, Q_KV_GET);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        out = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return out;
}

bool store_kv_set(fh_store *s, const char *kind, const char *key, const char *value)
{
    sqlite3_stmt *st = q(s, Q_KV_SET);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    return run(st);
}

bool store_rec_insert(fh_store *s, int64_t rid, int64_t created, int64_t updated,
                      const void *blob, size_t len)
{
    sqlite3_stmt *st = q(s, Q_REC_INSERT);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int(st, 2, fh_rid_tidx(rid));
    sqlite3_bind_int64(st, 3, created);
    sqlite3_bind_int64(st, 4, updated);
    sqlite3_bind_blob(st, 5, len ? blob : "", (int)len, SQLITE_STATIC);
    return run(st);
}

/* Step st, appending every row to rs. */
static int collect_rows(sqlite3_stmt *st, fh_rowset *rs)
{
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rowset_add_stmt(rs, st);
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

int store_rec_get(fh_store *s, int64_t rid, fh_rowset *rs)
{
    sqlite3_stmt *st = q(s, Q_REC_GET);
    sqlite3_bind_int64(st, 1, rid);
    return collect_rows(st, rs);
}

bool store_rec_update(fh_store *s, int64_t rid, int64_t updated, const void *blob, size_t len)
{
    sqlite3_stmt *st = q(s, Q_REC_UPDATE);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int64(st, 2, updated);
    sqlite3_bind_blob(st, 3, len ? blob : "", (int)len, SQLITE_STATIC);
    return run(st);
}

bool store_rec_set_archived(fh_store *s, int64_t rid, bool archived, int64_t at)
{
    sqlite3_stmt *st = q(s, Q_REC_ARCHIVE);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int(st, 2, archived);
    if (archived)
        sqlite3_bind_int64(st, 3, at);
    return run(st);
}

bool store_rec_delete(fh_store *s, int64_t rid)
{
    sqlite3_stmt *st = q(s, Q_REC_DELETE);
    sqlite3_bind_int64(st, 1, rid);
    if (!run(st))
        return false;
    st = q(s, Q_HIST_DEL);
    sqlite3_bind_int64(st, 1, rid);
    return run(st) && store_assoc_del_record(s, rid);
}

int store_rec_list(fh_store *s, int tidx, bool archived, int64_t from_rid, int limit,
                   fh_rowset *rs)
{
    sqlite3_stmt *st = q(s, Q_REC_LIST);
    sqlite3_bind_int64(st, 1, from_rid);
    sqlite3_bind_int64(st, 2, fh_rid(tidx + 1, 0));
    sqlite3_bind_int(st, 3, archived);
    sqlite3_bind_int(st, 4, limit);
    return collect_rows(st, rs);
}

int64_t store_max_id(fh_store *s, int tidx)
{
    sqlite3_stmt *st = q(s, Q_MAX_ID);
    sqlite3_bind_int64(st, 1, fh_rid(tidx, 0));
    sqlite3_bind_int64(st, 2, fh_rid(tidx + 1, 0));
    int64_t id = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        id = fh_rid_id(sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
    return id;
}

static sqlite3_stmt *uniq_stmt(fh_store *s, int which, int tidx, int pidx, const char *v, size_t n)
{
    sqlite3_stmt *st = q(s, which);
    sqlite3_bind_int(st, 1, tidx);
    sqlite3_bind_int(st, 2, pidx);
    sqlite3_bind_text(st, 3, v, (int)n, SQLITE_STATIC);
    return st;
}

int store_uniq_get(fh_store *s, int tidx, int pidx, const char *v, size_t n, int64_t *id)
{
    sqlite3_stmt *st = uniq_stmt(s, Q_UNIQ_GET, tidx, pidx, v, n);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

bool store_uniq_put(fh_store *s, int tidx, int pidx, const char *v, size_t n, int64_t id)
{
    sqlite3_stmt *st = uniq_stmt(s, Q_UNIQ_PUT, tidx, pidx, v, n);
    sqlite3_bind_int64(st, 4, id);
    return run(st);
}

bool store_uniq_del(fh_store *s, int tidx, int pidx, const char *v, size_t n)
{
    return run(uniq_stmt(s, Q_UNIQ_DEL, tidx, pidx, v, n));
}

static bool assoc_op(fh_store *s, int which, int64_t from, int64_t to, int type_id)
{
    sqlite3_stmt *st = q(s, which);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    if (type_id >= 0)
        sqlite3_bind_int(st, 3, type_id);
    return run(st);
}

bool store_assoc_add_many(fh_store *s, const int64_t *from, const int64_t *to, const int *type,
                          size_t n)
{
    enum { ROWS = 100 };
    sqlite3_stmt *bulk = NULL;
    size_t i = 0;
    if (n >= ROWS) {
        strbuf sql = {0};
        strbuf_puts(&sql, "INSERT OR IGNORE INTO assoc(from_rid, to_rid, type_id) VALUES");
        for (int k = 0; k < ROWS; k++)
            strbuf_puts(&sql, k ? ",(?,?,?)" : "(?,?,?)");
        int rc = sqlite3_prepare_v2(s->db, strbuf_str(&sql), -1, &bulk, NULL);
        strbuf_free(&sql);
        if (rc != SQLITE_OK)
            return false;
        for (; i + ROWS <= n; i += ROWS) {
            for (int k = 0; k < ROWS; k++) {
                sqlite3_bind_int64(bulk, 3 * k + 1, from[i + (size_t)k]);
                sqlite3_bind_int64(bulk, 3 * k + 2, to[i + (size_t)k]);
                sqlite3_bind_int(bulk, 3 * k + 3, type[i + (size_t)k]);
            }
            if (!run(bulk)) {
                sqlite3_finalize(bulk);
                return false;
            }
        }
        sqlite3_finalize(bulk);
    }
    for (; i < n; i++)
        if (!store_assoc_add(s, from[i], to[i], type[i]))
            return false;
    return true;
}

bool store_assoc_add(fh_store *s, int64_t from, int64_t to, int type_id)
{
    return assoc_op(s, Q_ASSOC_ADD, from, to, type_id);
}

bool store_assoc_del(fh_store *s, int64_t from, int64_t to, int type_id)
{
    return assoc_op(s, Q_ASSOC_DEL, from, to, type_id);
}

bool store_assoc_del_pair(fh_store *s, int64_t from, int64_t to)
{
    return assoc_op(s, Q_ASSOC_DEL_PAIR, from, to, -1);
}

bool store_assoc_del_record(fh_store *s, int64_t rid)
{
    sqlite3_stmt *st = q(s, Q_ASSOC_DEL_FROM);
    sqlite3_bind_int64(st, 1, rid);
    if (!run(st))
        return false;
    st = q(s, Q_ASSOC_DEL_TO);
    sqlite3_bind_int64(st, 1, rid);
    return run(st);
}

int store_assoc_list(fh_store *s, int64_t from, int to_tidx, int64_t from_to,
                     fh_assoc_row *out, int max)
{
    sqlite3_stmt *st = q(s, Q_ASSOC_LIST);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, from_to > fh_rid(to_tidx, 0) ? from_to : fh_rid(to_tidx, 0));
    sqlite3_bind_int64(st, 3, fh_rid(to_tidx + 1, 0));
    sqlite3_bind_int(st, 4, max);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
        out[n].to = sqlite3_column_int64(st, 0);
        out[n].type_id = sqlite3_column_int(st, 1);
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : -1;
}

int store_assoc_all(fh_store *s, int64_t from, fh_assoc_row **out)
{
    sqlite3_stmt *st = q(s, Q_ASSOC_LIST);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, 0);
    sqlite3_bind_int64(st, 3, INT64_MAX);
    sqlite3_bind_int(st, 4, -1);
    int n = 0, cap = 0, rc;
    *out = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = xrealloc(*out, sizeof **out * (size_t)cap);
        }
        (*out)[n].to = sqlite3_column_int64(st, 0);
        (*out)[n].type_id = sqlite3_column_int(st, 1);
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

bool store_assoc_clear_primary(fh_store *s, int64_t owner, int type, int inverse, int64_t keep)
{
    static const char *const sql[] = {
        "DELETE FROM assoc WHERE from_rid = ?1 AND type_id = ?2 AND to_rid <> ?4",
        "DELETE FROM assoc WHERE to_rid = ?1 AND type_id = ?3 AND from_rid <> ?4",
    };
    for (size_t i = 0; i < ARRAY_SIZE(sql); i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
            return false;
        sqlite3_bind_int64(st, 1, owner);
        sqlite3_bind_int(st, 2, type);
        sqlite3_bind_int(st, 3, inverse);
        sqlite3_bind_int64(st, 4, keep);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return false;
    }
    return true;
}

bool store_assoc_del_types(fh_store *s, int type, int inverse)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM assoc WHERE type_id IN (?1, ?2)", -1, &st, NULL) !=
        SQLITE_OK)
        return false;
    sqlite3_bind_int(st, 1, type);
    sqlite3_bind_int(st, 2, inverse);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
}

bool store_assoc_move(fh_store *s, int64_t from_rid, int64_t into_rid)
{
    sqlite3_stmt *st;
    static const char *const sql[] = {
        "INSERT OR IGNORE INTO assoc(from_rid, to_rid, type_id) "
        "SELECT ?2, to_rid, type_id FROM assoc WHERE from_rid = ?1 AND to_rid <> ?2",
        "INSERT OR IGNORE INTO assoc(from_rid, to_rid, type_id) "
        "SELECT from_rid, ?2, type_id FROM assoc WHERE to_rid = ?1 AND from_rid <> ?2",
    };
    for (size_t i = 0; i < ARRAY_SIZE(sql); i++) {
        if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
            return false;
        sqlite3_bind_int64(st, 1, from_rid);
        sqlite3_bind_int64(st, 2, into_rid);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return false;
    }
    return store_assoc_del_record(s, from_rid);
}

bool store_hist_add(fh_store *s, int64_t rid, int pidx, int64_t ts, const char *value,
                    const char *source_type, const char *source_id, int64_t user_id)
{
    sqlite3_stmt *st = q(s, Q_HIST_ADD);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int(st, 2, pidx);
    sqlite3_bind_int64(st, 3, ++s->hist_seq);
    sqlite3_bind_int64(st, 4, ts);
    sqlite3_bind_text(st, 5, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, source_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, source_id, -1, SQLITE_STATIC);
    if (user_id)
        sqlite3_bind_int64(st, 8, user_id);
    return run(st);
}

int store_hist_count(fh_store *s, int64_t rid, int pidx)
{
    sqlite3_stmt *st = q(s, Q_HIST_COUNT);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int(st, 2, pidx);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

static char *column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? xstrdup((const char *)t) : NULL;
}

int store_hist_list(fh_store *s, int64_t rid, int pidx, fh_hist *out, int max)
{
    sqlite3_stmt *st = q(s, Q_HIST_LIST);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int(st, 2, pidx);
    sqlite3_bind_int(st, 3, max);
    int n = 0;
    while (n < max && sqlite3_step(st) == SQLITE_ROW) {
        out[n].ts = sqlite3_column_int64(st, 0);
        out[n].value = column_dup(st, 1);
        out[n].source_type = column_dup(st, 2);
        out[n].source_id = column_dup(st, 3);
        out[n].user_id = sqlite3_column_int64(st, 4);
        n++;
    }
    sqlite3_reset(st);
    return n;
}

void hist_free(fh_hist *h, int n)
{
    for (int i = 0; i < n; i++) {
        free(h[i].value);
        free(h[i].source_type);
        free(h[i].source_id);
    }
}

bool store_lag_snapshot(fh_store *s, int64_t rid, int tidx, int64_t visible_at)
{
    sqlite3_stmt *st = q(s, Q_LAG_SNAP);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int64(st, 2, visible_at);
    if (!run(st))
        return false;
    if (sqlite3_changes(s->db) == 0) {
        /* Either a snapshot is pending already, or the record is new. */
        st = q(s, Q_LAG_NEW);
        sqlite3_bind_int64(st, 1, rid);
        sqlite3_bind_int64(st, 2, visible_at);
        sqlite3_bind_int(st, 3, tidx);
        if (!run(st))
            return false;
    }
    st = q(s, Q_LAG_TOUCH);
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_int64(st, 2, visible_at);
    return run(st);
}

bool store_lag_purge(fh_store *s, int64_t now)
{
    sqlite3_stmt *st = q(s, Q_LAG_PURGE);
    sqlite3_bind_int64(st, 1, now);
    return run(st);
}

bool store_lag_pending(fh_store *s)
{
    sqlite3_stmt *st = q(s, Q_LAG_ANY);
    bool any = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return any;
}
