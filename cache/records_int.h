/* records_int.h — record-table internals shared by records.c, query.c,
 * outbox.c and validate.c. */
#ifndef HUBTUI_CACHE_RECORDS_INT_H
#define HUBTUI_CACHE_RECORDS_INT_H

#include "meta.h"
#include "outbox.h"
#include "store_int.h"

/* SQLite's default limit is 2000 columns; keep room for our own. */
#define RECORDS_MAX_PROP_COLUMNS 1980

/* Create rec_<okey> and fts_<okey> if missing. */
ht_status records_create_tables(store *st, int64_t okey, ht_error *err);
ht_status records_create_tables_for_all(store *st, ht_error *err);

/* The column holding prop (caller frees), creating it when create is true
 * and it does not exist yet. *col is NULL when absent and not created. */
ht_status records_column(store *st, const objmeta *m, const char *prop, bool create,
                         char **col, ht_error *err);

/* Set one property of one cached record to a local value (column and
 * full-text index); value NULL or "" empties it. */
ht_status records_set_local_value(store *st, const objmeta *m, int64_t id, const char *prop,
                                  const char *value, ht_error *err);
/* The stored value of one property (caller frees; NULL when empty). *found
 * says whether the record exists (and is not archived). */
ht_status records_read_value(store *st, const objmeta *m, int64_t id, const char *prop,
                             char **value, bool *found, ht_error *err);
/* A new empty local record row (negative id). */
ht_status records_insert_local(store *st, const objmeta *m, int64_t id, ht_error *err);
/* Remove a record row entirely (local creates being dropped). */
ht_status records_delete_row(store *st, const objmeta *m, int64_t id, ht_error *err);
/* Renumber a record (local id → HubSpot id), with its associations. When a
 * row with the new id exists already (sync got there first) the local row's
 * values are merged into it. */
ht_status records_change_id(store *st, const objmeta *m, int64_t from, int64_t to,
                            ht_error *err);
/* Run each of the n statements sql[] with ?1 = okey, ?2 = the old id and
 * ?3 = the new one: the steps of renumbering a record (`what` names them in
 * errors). Stops at the first failure. */
ht_status records_renumber_exec(store *st, const char *const *sql, size_t n, int64_t okey,
                                int64_t from, int64_t to, const char *what, ht_error *err);
/* Add delta to the object's live record count. */
ht_status records_adjust_count(store *st, int64_t okey, int64_t delta, ht_error *err);
/* Display name of a record of m (caller frees); *cached false when unknown. */
char *records_name_of(store *st, const objmeta *m, int64_t id, bool *cached);

/* The snapshot of an object type by its internal key (release it). */
const objmeta *meta_object_by_okey(store *st, int64_t okey, ht_error *err);
/* The internal key of a named object type (as meta_object resolves names). */
ht_status meta_okey(store *st, const char *object, int64_t *okey, ht_error *err);
/* Outbox state from its stored name. */
outbox_state outbox_state_from_text(const char *s);

/* Is prop one of m's full-text search properties? */
bool records_is_search_prop(const objmeta *m, const char *prop);

#endif
