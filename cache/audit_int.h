/* audit_int.h — writing audit rows (outbox.c); reading is in outbox.h. */
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

#endif
