/* records.h — CRM records and their associations in the cache.
 *
 * Writes (sync): a record_writer upserts pages of records as they arrive,
 * fast enough for a million-record backfill (prepared statements, one row
 * per record, full-text index kept in step). Put several pages inside one
 * store_begin()/store_commit() together with the sync checkpoint so a
 * killed sync resumes exactly where the data stopped.
 *
 * Reads (TUI, CLI): one record with every property, pending edits shown as
 * pending with the original value alongside; the associations of a record
 * grouped by object type and label with the other records' names.
 *
 * Ids: HubSpot ids are decimal strings ("51"). Records created locally and
 * not pushed yet have ids "local-N" until the writeback maps them. */
#ifndef HUBTUI_CACHE_RECORDS_H
#define HUBTUI_CACHE_RECORDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "outbox.h"
#include "store.h"

/* ---- bulk writes ------------------------------------------------------------ */

/* In a record_batch value slot: "this record did not say" (keep what the
 * cache has). NULL means the property is empty on the server. */
extern const char RECORD_VALUE_ABSENT[];

typedef struct record_batch {
    const char *const *props;      /* property names, nprops of them */
    size_t             nprops;
    size_t             nrecords;
    const char *const *ids;        /* HubSpot ids, nrecords */
    const char *const *values;     /* row-major nrecords × nprops; NULL = empty */
    const int64_t     *created_ms; /* createdAt per record, or NULL */
    const int64_t     *updated_ms; /* updatedAt per record, or NULL */
    const bool        *archived;   /* per record, or NULL (none archived): archived
                                      records are removed from the cache */
} record_batch;

typedef struct upsert_stats {
    size_t  inserted, updated, archived;
    size_t  kept_newer;            /* left as cached: older than the cache's (keep_newer) */
    int64_t max_updated_ms;        /* newest updatedAt seen: the sync high-water mark */
    int64_t max_id;                /* the largest record id in the batch */
} upsert_stats;

typedef struct record_writer record_writer;

/* A writer for one object type (statements prepared once, reused). */
record_writer *records_writer_open(store *st, const char *object, ht_error *err);
/* Leave a cached record as it is when the incoming one is older (its
 * updatedAt before the cached one's): HubSpot's search index lags writes,
 * so a search soon after a push can return a record as it was before. */
void records_writer_keep_newer(record_writer *w, bool on);
/* Upsert a batch. seen_gen > 0 stamps the records as seen by that full
 * reconciliation pass (see records_sweep_unseen). Opens its own transaction
 * when none is open. Properties with a queued local edit keep the local
 * value; the server's value is remembered in the outbox for conflict checks. */
ht_status records_writer_put(record_writer *w, const record_batch *b, int64_t seen_gen,
                             upsert_stats *stats, ht_error *err);
/* The same from HubSpot's `results` array of records. Properties listed in
 * `requested` but missing from a record count as empty; others missing are
 * left alone. */
ht_status records_writer_put_json(record_writer *w, json_t *results,
                                  const char *const *requested, size_t nrequested,
                                  int64_t seen_gen, upsert_stats *stats, ht_error *err);
void records_writer_close(record_writer *w);

/* Bulk loading (an initial backfill): while on, record writes skip the
 * full-text index, and records_end_bulk rebuilds it in one pass, which is
 * far cheaper than row by row. The mode is stored, so a backfill killed
 * half-way still gets its index when a later one ends. Quick search on the
 * object finds nothing new meanwhile (records_search_ready says so). */
ht_status records_begin_bulk(store *st, const char *object, ht_error *err);
/* While bulk loading into a table that was empty when bulk mode began
 * (otherwise nothing happens): index the records with ids up to upto now,
 * in the caller's transaction, so records_end_bulk only adds the rest. For
 * loads that write ascending new ids (a backfill); any other change to a
 * record already indexed makes records_end_bulk rebuild the index whole. */
ht_status records_bulk_index(store *st, const char *object, int64_t upto, ht_error *err);
/* Finish the index and leave bulk mode; *ms (may be NULL) gets the time. */
ht_status records_end_bulk(store *st, const char *object, int64_t *ms, ht_error *err);
/* False while a bulk load defers the full-text index of the object. */
bool records_search_ready(store *st, const char *object);

/* Archived or deleted on the server: the records are removed from the
 * cache (every local read forgets them), with their associations. */
ht_status records_archive(store *st, const char *object, const char *const *ids, size_t n,
                          ht_error *err);
/* Up to max ids of synced records (not local creates) greater than after,
 * ascending, into out; *n gets how many (0 at the end). For walking every
 * record of an object in slices (association reads). */
ht_status records_ids_after(store *st, const char *object, int64_t after, size_t max,
                            int64_t *out, size_t *n, ht_error *err);
/* After a full reconciliation pass stamped with gen: archive every synced
 * record the pass did not see (deleted or merged away). Local creates stay. */
ht_status records_sweep_unseen(store *st, const char *object, int64_t gen, size_t *swept,
                               ht_error *err);

/* ---- associations ------------------------------------------------------------ */

typedef struct assoc_link {
    const char *to_id;
    int         type_id;
    const char *category;          /* HUBSPOT_DEFINED, USER_DEFINED, … */
    const char *label;             /* NULL when unlabeled */
} assoc_link;

/* Set the associations of one record towards one object type. replace=true
 * drops the ones stored before (first page); false appends (later pages). */
ht_status records_set_associations(store *st, const char *from_object, const char *from_id,
                                   const char *to_object, const assoc_link *links, size_t n,
                                   bool replace, ht_error *err);
/* From a v4 batch read's `results` ({from:{id}, to:[{toObjectId,
 * associationTypes}]}); replace as above, for every `from` in the page. */
ht_status records_put_associations_json(store *st, const char *from_object,
                                        const char *to_object, json_t *results,
                                        bool replace, ht_error *err);

/* ---- reads --------------------------------------------------------------------- */

typedef struct record_value {
    char        *name;
    char        *value;            /* what the user sees (the pending value if edited) */
    char        *original;         /* before the queued edit; meaningful when state != NONE */
    char        *server_value;     /* the server's newer value if sync saw one, else NULL */
    outbox_state state;            /* OB_NONE when nothing is queued for it */
    int64_t      qid;              /* the queue id of that edit */
} record_value;

typedef struct record {
    char        *object;           /* the object type's name */
    char         id[32];           /* "51" or "local-7" */
    bool         local;            /* created here, not pushed yet */
    int64_t      created_ms, updated_ms;
    char        *display_name;
    record_value *values;          /* sorted by name: non-empty values and queued edits */
    size_t        nvalues;
} record;

/* One record by id with every stored property. HT_NOT_FOUND when it is not
 * in the cache or archived. Free with record_free. */
ht_status records_get(store *st, const char *object, const char *id, record **out,
                      ht_error *err);
void record_free(record *r);
/* The value entry for a property, or NULL. */
const record_value *record_find(const record *r, const char *name);
/* The value a property shows (pending included), or NULL when empty. */
const char *record_get(const record *r, const char *name);

typedef enum assoc_pending { ASSOC_STORED = 0, ASSOC_PENDING_ADD, ASSOC_PENDING_REMOVE } assoc_pending;

typedef struct assoc_item {
    char          id[32];          /* the associated record ("9" or "local-3") */
    char         *display_name;    /* its name, or "#9" when not cached */
    bool          cached;          /* the associated record is in the cache */
    int           type_id;
    char         *category;
    assoc_pending pending;
    int64_t       qid;             /* the queued change when pending */
} assoc_item;

typedef struct assoc_group {
    char       *to_object;         /* object type name */
    char       *to_label;          /* its plural label */
    char       *label;             /* association label; NULL = unlabeled */
    assoc_item *items;             /* by display name */
    size_t      nitems;
} assoc_group;

/* The associations of a record, grouped by object type then label
 * (labelled groups first). A pair that also has a label is not repeated in
 * the unlabeled group. Pending adds and removes are included and marked. */
ht_status records_associations(store *st, const char *object, const char *id,
                               assoc_group **out, size_t *n, ht_error *err);
void assoc_groups_free(assoc_group *g, size_t n);

/* One association row exactly as stored (synced from HubSpot; queued
 * changes are not included). */
typedef struct assoc_row {
    char  to_id[32];
    int   type_id;
    char *category;
    char *label;                   /* NULL when unlabeled */
} assoc_row;

/* The stored links of one record towards one object type, by target id
 * then type id (sync compares them before and after a re-read; tests
 * compare them with the server). Free with assoc_rows_free. */
ht_status records_assoc_rows(store *st, const char *from_object, const char *from_id,
                             const char *to_object, assoc_row **out, size_t *n,
                             ht_error *err);
void assoc_rows_free(assoc_row *rows, size_t n);

/* Every record of to_object that some record of from_object links to (as
 * stored), ascending, deduplicated. Caller frees *ids. */
ht_status records_assoc_linked_ids(store *st, const char *from_object, const char *to_object,
                                   int64_t **ids, size_t *n, ht_error *err);
/* Remove the stored links towards to_object of the records of from_object
 * with ids in [lo, hi], except those in keep (ascending, nkeep of them). */
ht_status records_clear_assoc_range(store *st, const char *from_object, const char *to_object,
                                    int64_t lo, int64_t hi, const int64_t *keep, size_t nkeep,
                                    ht_error *err);

/* The display name of one record (caller frees); "#id" when not cached. */
char *records_display_name(store *st, const char *object, const char *id);

/* Record ids: parse "51" / "local-7" (local ones become negative). */
bool records_parse_id(const char *text, int64_t *out);
/* Format an internal id back ("51", "local-7"). */
void records_format_id(int64_t id, char out[32]);

#endif
