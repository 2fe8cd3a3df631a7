/* store.h — fakehub's SQLite store: records, unique values, associations,
 * property history and saved metadata.
 *
 * One connection, used only under the portal's data lock. Statements are
 * prepared once. Records live in one table keyed by row id
 * (type index << 40 | id) so per-type ranges are primary-key ranges;
 * hs_object_id, the created and the last-modified properties are real
 * indexed columns, everything else sits in the value blob (pvals.h). */
#ifndef FAKEHUB_STORE_H
#define FAKEHUB_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct fh_row {
    int64_t rid, created, updated, archived_at;
    bool    archived;
    size_t  off, len;     /* the value blob, inside the rowset's arena */
} fh_row;

/* Rows read from the store, with their blobs copied into one arena so they
 * can be serialised after the lock is released. Zero-initialise to use. */
typedef struct fh_rowset {
    fh_row *rows;
    size_t  n, cap;
    strbuf  blobs;
} fh_rowset;

static inline const char *rowset_blob(const fh_rowset *rs, const fh_row *r)
{
    return rs->blobs.buf ? rs->blobs.buf + r->off : "";
}
void rowset_reset(fh_rowset *rs);
void rowset_free(fh_rowset *rs);
/* Append a row read from a statement whose columns are
 * rid, created, updated, archived, archived_at, props. */
void rowset_add_stmt(fh_rowset *rs, sqlite3_stmt *st);

typedef struct fh_hist {
    int64_t ts;
    char   *value;
    char   *source_type, *source_id;
    int64_t user_id;       /* 0 when none */
} fh_hist;

typedef struct fh_store fh_store;

/* Open (creating tables when needed) the database at path, or an in-memory
 * one when path is NULL. Returns NULL and fills err on failure. */
fh_store *store_open(const char *path, char *err, size_t errlen);
void store_close(fh_store *s);
sqlite3 *store_db(fh_store *s);
/* Create the secondary indexes (after bulk generation, which is faster). */
bool store_create_indexes(fh_store *s);
/* Drop every record, association, history row and saved value. */
bool store_wipe(fh_store *s);
bool store_begin(fh_store *s);
bool store_commit(fh_store *s);
void store_rollback(fh_store *s);
/* The last SQLite error message. */
const char *store_errmsg(fh_store *s);

/* Saved key/value text (meta, custom definitions, labels). NULL if absent. */
char *store_kv_get(fh_store *s, const char *kind, const char *key);
bool store_kv_set(fh_store *s, const char *kind, const char *key, const char *value);

/* Records. The get and list functions append to rs and return how many rows
 * they added, or -1 on a database error. */
bool store_rec_insert(fh_store *s, int64_t rid, int64_t created, int64_t updated,
                      const void *blob, size_t len);
int store_rec_get(fh_store *s, int64_t rid, fh_rowset *rs);
bool store_rec_update(fh_store *s, int64_t rid, int64_t updated, const void *blob, size_t len);
bool store_rec_set_archived(fh_store *s, int64_t rid, bool archived, int64_t at);
bool store_rec_delete(fh_store *s, int64_t rid);
/* Rows of one type with rid >= from_rid, ordered by rid. */
int store_rec_list(fh_store *s, int tidx, bool archived, int64_t from_rid, int limit,
                   fh_rowset *rs);
/* Highest record id of a type (0 when none). */
int64_t store_max_id(fh_store *s, int tidx);

/* Unique property values: 1 found (*id set), 0 absent, -1 error. */
int store_uniq_get(fh_store *s, int tidx, int pidx, const char *v, size_t n, int64_t *id);
bool store_uniq_put(fh_store *s, int tidx, int pidx, const char *v, size_t n, int64_t id);
bool store_uniq_del(fh_store *s, int tidx, int pidx, const char *v, size_t n);

/* Associations, stored once per direction. */
bool store_assoc_add(fh_store *s, int64_t from, int64_t to, int type_id);
/* Add n associations at once (bulk generation; sorted input is fastest). */
bool store_assoc_add_many(fh_store *s, const int64_t *from, const int64_t *to, const int *type,
                          size_t n);
bool store_assoc_del(fh_store *s, int64_t from, int64_t to, int type_id);
/* Remove every type between from and to (one direction). */
bool store_assoc_del_pair(fh_store *s, int64_t from, int64_t to);
/* Remove every association of a record, both directions. */
bool store_assoc_del_record(fh_store *s, int64_t rid);
typedef struct fh_assoc_row {
    int64_t to;
    int     type_id;
} fh_assoc_row;
/* Associations of from to records of type to_tidx with to >= from_to,
 * ordered by (to, type); at most max rows into out. Returns count or -1. */
int store_assoc_list(fh_store *s, int64_t from, int to_tidx, int64_t from_to,
                     fh_assoc_row *out, int max);
/* Keep one primary: drop owner's `type` links (and their inverse rows)
 * to anything but keep. */
bool store_assoc_clear_primary(fh_store *s, int64_t owner, int type, int inverse, int64_t keep);
/* Remove every association of the given types. */
bool store_assoc_del_types(fh_store *s, int type, int inverse);
/* Every association of from, ordered by (to, type), into *out (caller
 * frees). Returns the count or -1. */
int store_assoc_all(fh_store *s, int64_t from, fh_assoc_row **out);
/* Move every association of rid `from_rid` to `into_rid` (merge). */
bool store_assoc_move(fh_store *s, int64_t from_rid, int64_t into_rid);

/* Property history, newest first. */
bool store_hist_add(fh_store *s, int64_t rid, int pidx, int64_t ts, const char *value,
                    const char *source_type, const char *source_id, int64_t user_id);
int store_hist_count(fh_store *s, int64_t rid, int pidx);
/* Up to max entries into out (caller frees with hist_free). */
int store_hist_list(fh_store *s, int64_t rid, int pidx, fh_hist *out, int max);
void hist_free(fh_hist *h, int n);

/* Search lag: remember how rid looked before a write, visible until
 * visible_at (ms); forget snapshots whose time has come. */
bool store_lag_snapshot(fh_store *s, int64_t rid, int tidx, int64_t visible_at);
bool store_lag_purge(fh_store *s, int64_t now);
/* Whether any snapshot is pending. */
bool store_lag_pending(fh_store *s);

#endif
