/* checkpoint.h — where sync stands for each object type, stored in the same
 * transaction as the records it describes, so a killed sync resumes exactly
 * where the data stopped.
 *
 * Backfill pages through the list endpoint (cursor `after`, done flag);
 * incremental sync searches by last-modified from the high-water mark;
 * a full reconciliation pass stamps what it sees with a generation and
 * sweeps the rest (records_sweep_unseen). Other per-object sync state
 * (association cursors and the like) goes in the small key/value store. */
#ifndef HUBTUI_CACHE_CHECKPOINT_H
#define HUBTUI_CACHE_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

typedef struct sync_checkpoint {
    char   *backfill_after;        /* list cursor to resume from; NULL = start */
    bool    backfill_done;
    int64_t backfill_started_ms;
    int64_t backfill_records;      /* records stored by the backfill so far */
    int64_t hwm_ms;                /* newest last-modified seen (incremental start) */
    int64_t last_incremental_ms;   /* when an incremental pass last finished */
    int64_t last_full_ms;          /* when a full reconciliation last finished */
    int64_t full_gen;              /* generation of the last full pass */
} sync_checkpoint;

/* The checkpoint of an object (all zero when it never synced). */
ht_status checkpoint_get(store *st, const char *object, sync_checkpoint *out, ht_error *err);
/* Replace it (inside the caller's transaction when one is open). */
ht_status checkpoint_put(store *st, const char *object, const sync_checkpoint *cp,
                         ht_error *err);
void sync_checkpoint_clear(sync_checkpoint *cp);

/* Free-form per-object sync state; object NULL keeps portal-wide state
 * (the last known rate budget, metadata times). *value is NULL when unset
 * (caller frees). */
ht_status checkpoint_kv_get(store *st, const char *object, const char *key, char **value,
                            ht_error *err);
/* value NULL deletes the key. */
ht_status checkpoint_kv_set(store *st, const char *object, const char *key, const char *value,
                            ht_error *err);

#endif
