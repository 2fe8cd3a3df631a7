/* audit_int.h — writing audit rows (outbox.c) and what records.c looks up;
 * reading the log is in outbox.h. */
#ifndef HUBTUI_CACHE_AUDIT_INT_H
#define HUBTUI_CACHE_AUDIT_INT_H

#include "outbox.h"
#include "store_int.h"

typedef struct audit_row {
    int64_t     okey, record_id, qid;
    const char *kind, *prop, *old_value, *new_value;
    const char *result;          /* done, conflict, failed, not-applied, dropped, … */
    const char *message, *category, *correlation_id, *batch_id;
} audit_row;

/* Append one row to the audit log (inside the caller's transaction). */
ht_status audit_write(store *st, const audit_row *a, ht_error *err);
/* The HubSpot id a pushed local create (local < 0) got: the audit log's
 * create names the local id it replaced. False when it has none. */
bool audit_created_as(store *st, int64_t okey, int64_t local, int64_t *id);

#endif
