/* writeback_int.h — what the writeback's files share: the job, one claimed
 * batch in flight, the isolating batch sender and value comparison.
 *
 * writeback.c       the job: lock, recovery, claiming batches, pipelining,
 *                   ending; request tracking
 * writeback_send.c  sending a batch with bad inputs isolated; values equal
 *                   the way HubSpot stores them; small JSON helpers
 * writeback_update.c  property edits of existing records
 * writeback_create.c  creates (the unique create-key property, upsert, look-up)
 * writeback_assoc.c   association adds and removes */
#ifndef HUBTUI_CACHE_WRITEBACK_INT_H
#define HUBTUI_CACHE_WRITEBACK_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hubspot.h"
#include "meta.h"
#include "outbox.h"
#include "writeback.h"

/* The unique property that holds a create's idempotency key. */
#define WB_CREATE_KEY_PROP  "hubtui_create_key"
#define WB_CREATE_KEY_GROUP "hubtui"

typedef enum wb_key_state {
    WBK_UNKNOWN = 0,
    WBK_CHECKING,      /* looking it up / creating it */
    WBK_READY,         /* exists and is unique */
    WBK_UNAVAILABLE,   /* cannot be had (no permission...): see reason */
} wb_key_state;

typedef struct wb_batch wb_batch;

/* The create-key property of one object type, checked once per job. */
typedef struct wb_keyprop {
    char        *type_id;
    wb_key_state state;
    char         reason[512];
    int          tries;        /* property create attempts */
    wb_batch   **waiting;      /* create batches waiting for the check */
    size_t       nwaiting;
} wb_keyprop;

struct writeback_job {
    portal_session   *ps;
    store            *st;
    hs_client        *c;
    writeback_options opt;
    writeback_progress prog;
    int               lock_fd;
    bool              finished, started;
    bool              cancelled;    /* writeback_cancel: claim nothing more */
    bool              tearing_down; /* writeback_free: answer nothing more */
    bool              stopping;     /* a batch hit a reason to stop (stop_err) */
    bool              pumping;
    bool              in_free;      /* ending inside writeback_free: no on_done */
    bool              hold_done;    /* still using the job: report the end later */
    bool              done_owed;    /* ended while hold_done */
    bool              creates_exhausted; /* no claimable create left */
    hs_call_id        op_id;        /* the job as a client operation */
    ht_status         stop_status;
    ht_error          stop_err;
    ht_status         result;       /* how it ended */
    ht_error          result_err;
    int               active;       /* batches in flight */
    int               pipeline;
    int               batch_records;
    hs_call_id       *calls;        /* requests in flight, for teardown */
    size_t            ncalls, capcalls;
    wb_keyprop      **keys;
    size_t            nkeys;
};

/* One claimed batch on its way through the stages of its kind. */
struct wb_batch {
    writeback_job  *job;
    outbox_batch   *ob;
    const objmeta  *m;
    void           *kind_state;  /* the kind's own state */
};

/* ---- writeback.c ------------------------------------------------------------ */

/* Remember / forget a request in flight (teardown cancels them). */
void wb_track(writeback_job *j, hs_call_id id);
void wb_untrack(writeback_job *j, hs_call_id id);
/* A batch is finished: free it, count it, claim more or end the job. */
void wb_batch_done(wb_batch *b);
/* Stop the job after what is in flight: status and err say why. The first
 * reason wins. */
void wb_job_stop(writeback_job *j, ht_status st, const ht_error *err);
/* A failure of the cache itself: stop with it. */
void wb_job_db_error(writeback_job *j, const ht_error *err);
/* Tell the progress callback. */
void wb_progress(writeback_job *j);
/* Should a batch stop submitting requests (teardown)? */
bool wb_quiet(const writeback_job *j);

/* ---- the kinds ----------------------------------------------------------- */

void wb_update_start(wb_batch *b);
void wb_create_start(wb_batch *b);
void wb_assoc_start(wb_batch *b);

/* ---- writeback_send.c --------------------------------------------------------- */

/* What happened to one part of an isolating send. r->status HT_OK: the
 * server answered 2xx (results and per-input errors in r). Otherwise the
 * part failed as a whole: for a 400/409 this is a single input (bad inputs
 * are isolated by splitting), else every input of the part. idx maps the
 * part's inputs to the send's. */
typedef void (*wb_part_fn)(void *ud, const size_t *idx, size_t n, const hs_batch_result *r);
/* Every part has been answered. */
typedef void (*wb_sent_fn)(void *ud);
/* Submit one part (its inputs, an array); returns the call id. */
typedef hs_call_id (*wb_submit_fn)(void *ud, json_t *inputs, hs_batch_fn done, void *cb_ud);

typedef struct wb_send_spec {
    writeback_job *job;
    json_t        *inputs;       /* borrowed until the send ends */
    wb_submit_fn   submit;
    wb_part_fn     on_part;
    wb_sent_fn     on_sent;
    void          *ud;
} wb_send_spec;

/* Send inputs; a whole-call 400/409 is split into halves until the bad
 * inputs stand alone, so good inputs are never failed with them. on_sent
 * runs once after the last part (never inside this call). */
void wb_send(const wb_send_spec *spec);

/* Do a and b hold the same value of property p (NULL: compared as text),
 * the way HubSpot stores it? NULL and "" are the same empty value. */
bool wb_value_equal(const prop_def *p, const char *a, const char *b);
/* record.properties has name (even null)? *value gets it (NULL when null). */
bool wb_record_has(const json_t *record, const char *name, const char **value);
/* The per-input error of r naming id, or NULL. */
const apierror_item *wb_error_for_id(const hs_batch_result *r, const char *id);
/* Copy the error of a failed part (its chunk's error) into out. */
void wb_part_error(const hs_batch_result *r, ht_error *out);
/* Did HubSpot take the part's request (a 2xx, a refusal of its inputs, or
 * an answer lost after it may have acted)? Counts as sent. */
bool wb_part_reached(const hs_batch_result *r);
/* Is a failed part's status one that names bad inputs (400, 409)? */
bool wb_is_input_error(const hs_batch_result *r);
/* /crm/v3/objects/<type>/batch/read for hs_batch_post. */
char *wb_batch_read_path(const char *type_id);
/* Count a request in the job's progress. */
void wb_count_requests(writeback_job *j, const hs_batch_result *r);

#endif
