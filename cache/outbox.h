/* outbox.h — the durable queue of local edits waiting to be written back.
 *
 * Every edit is a row committed before the function returns: a property
 * update (object, record, property, new value, the value it replaced), a
 * record create (a local id "local-N" plus an idempotency key), or an
 * association add/remove. The edited value shows at once in every local
 * read, marked pending with the original alongside (records.h, query.h).
 *
 * Edits of one record+property coalesce: the row keeps the value the first
 * edit replaced, so the writeback can tell whether someone else changed the
 * property meanwhile (a conflict). Every user action gets a change group;
 * bulk edits share one, and undo removes the whole last group, restoring
 * exactly what each edit replaced.
 *
 * States: pending → sending (claimed in a batch; recovered after a crash
 * and re-checked, never blindly resent) → done (removed, audited), or
 * conflict (keep mine / take theirs), failed (retry / drop) or not-applied
 * (the server kept another value; retry / drop).
 *
 * Values handed in must already be valid: see validate.h. */
#ifndef HUBTUI_CACHE_OUTBOX_H
#define HUBTUI_CACHE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

typedef enum outbox_state {
    OB_NONE = 0,          /* not queued (used by reads) */
    OB_PENDING,
    OB_SENDING,
    OB_CONFLICT,
    OB_FAILED,
    OB_NOT_APPLIED,
} outbox_state;

typedef enum outbox_kind {
    OBK_UPDATE,
    OBK_CREATE,
    OBK_ASSOC_ADD,
    OBK_ASSOC_REMOVE,
} outbox_kind;

/* "pending", "sending", "conflict", "failed", "not-applied". */
const char *outbox_state_name(outbox_state s);
/* "update", "create", "assoc-add", "assoc-remove". */
const char *outbox_kind_name(outbox_kind k);

/* ---- queueing edits (TUI, CLI) -------------------------------------------- */

/* A fresh change group id (one per user action; bulk edits share one). */
ht_status outbox_new_group(store *st, int64_t *group, ht_error *err);

/* Queue prop=value on a record (value NULL or "" clears it). group 0 makes
 * a group of its own. *qid (may be NULL) gets the queue row. */
ht_status outbox_enqueue_update(store *st, const char *object, const char *id,
                                const char *prop, const char *value, int64_t group,
                                int64_t *qid, ht_error *err);
/* The same edit on many records at once, in one transaction and one group
 * (returned in *group, may be NULL). */
ht_status outbox_enqueue_bulk(store *st, const char *object, const char *const *ids,
                              size_t n, const char *prop, const char *value,
                              int64_t *group, ht_error *err);
/* Queue the creation of a record with these properties. local_id gets its
 * local id ("local-7"); the record shows in lists at once. */
ht_status outbox_enqueue_create(store *st, const char *object, const char *const *props,
                                const char *const *values, size_t n, int64_t group,
                                char local_id[32], ht_error *err);
/* Queue adding (add=true) or removing an association. label may be NULL. A
 * queued add and remove of the same link cancel out. */
ht_status outbox_enqueue_assoc(store *st, bool add, const char *from_object,
                               const char *from_id, const char *to_object, const char *to_id,
                               int type_id, const char *category, const char *label,
                               int64_t group, int64_t *qid, ht_error *err);

/* Undo the newest change group that still has edits not being sent:
 * removes them and restores what each replaced. *undone gets how many
 * edits were removed (0 when there was nothing to undo). */
ht_status outbox_undo_last(store *st, size_t *undone, ht_error *err);

/* ---- looking at the queue (TUI queue view, `hubtui queue`) ----------------- */

typedef struct outbox_counts {
    int64_t pending, sending, conflict, failed, not_applied;
} outbox_counts;
ht_status outbox_counts_get(store *st, outbox_counts *out, ht_error *err);

typedef struct outbox_entry {
    int64_t      qid;
    outbox_kind  kind;
    outbox_state state;
    char        *object;
    char         id[32];           /* record id ("51", "local-7") */
    char        *record_name;      /* display name of the record */
    char        *prop;             /* updates */
    char        *new_value, *old_value;
    char        *server_value;     /* conflicts / not-applied: what the server holds */
    char        *server_by, *server_at;
    char        *to_object;        /* associations */
    char         to_id[32];
    int          assoc_type;
    char        *assoc_category, *assoc_label;
    char        *idem_key;         /* creates */
    int64_t      group;
    char        *batch_id;
    int64_t      claimed_ms, created_ms, updated_ms;
    bool         recheck;
    int          attempts;
    char        *err_message, *err_category, *correlation_id;
    int          http_status;
} outbox_entry;

typedef struct outbox_filter {
    unsigned    states;            /* bit (1u << state) per wanted state; 0 = all */
    const char *object;            /* NULL = all */
    const char *id;                /* NULL = all records */
} outbox_filter;

/* Queue rows, oldest first. Free with outbox_entries_free. */
ht_status outbox_list(store *st, const outbox_filter *f, outbox_entry **out, size_t *n,
                      ht_error *err);
/* One row by queue id (HT_NOT_FOUND when gone). Clear with outbox_entry_clear. */
ht_status outbox_get(store *st, int64_t qid, outbox_entry *out, ht_error *err);
void outbox_entry_clear(outbox_entry *e);
void outbox_entries_free(outbox_entry *v, size_t n);

/* failed / not-applied → pending again. */
ht_status outbox_retry(store *st, int64_t qid, ht_error *err);
/* Remove a queued edit that is not being sent, restoring the value it
 * replaced (or the newer server value when known); audited. Dropping a
 * create drops the local record and every edit of it. */
ht_status outbox_drop(store *st, int64_t qid, ht_error *err);
/* Settle a conflict: keep mine (send it, now over the server's value) or
 * take theirs (drop mine, show the server's value). */
ht_status outbox_resolve(store *st, int64_t qid, bool keep_mine, ht_error *err);

/* ---- writeback -------------------------------------------------------------------- */

typedef struct outbox_edit {
    int64_t qid;
    char   *prop;
    char   *new_value;             /* NULL = clear */
    char   *old_value;             /* the value it replaced (NULL = was empty) */
    char   *server_value;          /* newer server value seen by sync, or NULL */
    bool    server_seen;
    bool    recheck;               /* claimed before a crash: check the server first */
} outbox_edit;

typedef struct outbox_claim_record {
    char         id[32];           /* "51", or "local-7" for creates */
    bool         local;
    int64_t      create_qid;       /* creates: the create row */
    char        *idem_key;         /* creates: the idempotency key */
    bool         recheck;          /* any row of it needs re-checking */
    outbox_edit *edits;            /* all property edits of the record */
    size_t       nedits;
} outbox_claim_record;

typedef struct outbox_claim_assoc {
    int64_t qid;
    bool    add;
    char    from_id[32];
    char   *to_object;
    char    to_id[32];
    int     type_id;
    char   *category, *label;
    bool    recheck;
} outbox_claim_assoc;

typedef struct outbox_batch {
    char                 batch_id[40];
    char                *object;   /* object type name */
    char                *type_id;  /* for API paths */
    outbox_kind          kind;     /* OBK_UPDATE, OBK_CREATE or OBK_ASSOC_ADD (= associations) */
    outbox_claim_record *records;
    size_t               nrecords;
    outbox_claim_assoc  *assocs;
    size_t               nassocs;
} outbox_batch;

/* Claim up to max_records records' pending edits of one kind (updates of
 * existing records, creates, or association changes between records that
 * exist on HubSpot) for one object type (NULL: the one waiting longest),
 * marking them sending under a new batch id. *out is NULL when nothing is
 * claimable. Records with edits already being sent are skipped. */
ht_status outbox_claim(store *st, const char *object, outbox_kind kind, size_t max_records,
                       outbox_batch **out, ht_error *err);
void outbox_batch_free(outbox_batch *b);

/* The server took the edit. server_value (may be NULL = as sent) is what it
 * now holds; the row is removed and the audit log records it. */
ht_status outbox_mark_done(store *st, int64_t qid, const char *server_value,
                           const char *correlation_id, ht_error *err);
/* Someone else changed the property since we read it. */
ht_status outbox_mark_conflict(store *st, int64_t qid, const char *server_value,
                               const char *server_by, const char *server_at, ht_error *err);
/* The server refused it (message, HubSpot category, correlation id, HTTP status). */
ht_status outbox_mark_failed(store *st, int64_t qid, const char *message,
                             const char *category, const char *correlation_id,
                             int http_status, ht_error *err);
/* The server answered OK but kept another value (e.g. lifecycle stage moved
 * backwards). */
ht_status outbox_mark_not_applied(store *st, int64_t qid, const char *server_value,
                                  const char *correlation_id, ht_error *err);
/* Put a claimed row back to pending without blame (network down, rate limit). */
ht_status outbox_release(store *st, int64_t qid, ht_error *err);
/* The same for a row whose write may have reached HubSpot (the answer was
 * lost): it goes back to pending with recheck set, so the next push looks
 * before it resends, as after a crash. */
ht_status outbox_release_unknown(store *st, int64_t qid, ht_error *err);
/* A create landed as hubspot_id: the local record takes that id everywhere
 * (cache, queued edits and associations), its property edits are done, and
 * the create row is removed and audited. */
ht_status outbox_mark_created(store *st, int64_t create_qid, const char *hubspot_id,
                              const char *correlation_id, ht_error *err);
/* After a crash: rows left `sending` (claimed before older_than_ms) go back
 * to pending with recheck set, so the writeback looks before it resends. */
ht_status outbox_recover(store *st, int64_t older_than_ms, size_t *recovered, ht_error *err);

/* ---- audit log ------------------------------------------------------------------------ */

typedef struct audit_entry {
    int64_t aid, at_ms, qid;
    char   *object;
    char    id[32];
    char   *kind, *prop, *old_value, *new_value, *result, *message, *category,
           *correlation_id, *batch_id;
} audit_entry;

/* Newest first; object/id may be NULL for all. limit 0 = 100. */
ht_status audit_list(store *st, const char *object, const char *id, size_t limit,
                     audit_entry **out, size_t *n, ht_error *err);
void audit_entries_free(audit_entry *v, size_t n);

#endif
