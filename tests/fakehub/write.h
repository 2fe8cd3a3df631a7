/* write.h — changing records the way HubSpot does: validation first (a bad
 * value fails the whole call and nothing is written), then the write with
 * its side effects: updatedAt and the last-modified property, property
 * history, unique-value index, calculated properties, search lag.
 *
 * Every function here runs with the portal lock held; the apply functions
 * run inside a transaction the caller opened. */
#ifndef FAKEHUB_WRITE_H
#define FAKEHUB_WRITE_H

#include <jansson.h>
#include <stdbool.h>

#include "herr.h"
#include "http.h"
#include "validate.h"

/* Who writes: sourceType/sourceId/updatedByUserId for property history. */
typedef struct fh_writer {
    const char *source_type;   /* "API" or "CRM_UI" */
    char        source_id[64];
    int64_t     user_id;
} fh_writer;

/* Why a write was refused: an HTTP status with errors or a message. */
typedef struct fh_wfail {
    int         status;        /* 0 while nothing failed */
    const char *category;
    char       *message;
    fh_verrs    errs;
} fh_wfail;

/* Unique values taken by earlier inputs of the same batch. */
typedef struct fh_claims {
    struct { int pidx; char *value; int64_t id; } *v;
    int n, cap;
} fh_claims;

void writer_api(const fh_req *r, fh_writer *w);
void writer_ui(const fh_portal *p, fh_writer *w);

/* Answer r with the failure, and free it. */
void wfail_send(fh_req *r, fh_wfail *f);
void wfail_free(fh_wfail *f);
void claims_free(fh_claims *c);

/* Check a create's properties; on success ch holds the values to store. */
bool write_check_create(fh_portal *p, const fh_otype *t, const json_t *props, fh_changes *ch,
                        fh_claims *claims, fh_wfail *f);
/* Check an update of record rid (404 when missing or archived). Values
 * that would move a lifecycle stage backwards are dropped (or refused with
 * --strict-lifecycle). */
bool write_check_update(fh_portal *p, const fh_otype *t, int64_t rid, const json_t *props,
                        fh_changes *ch, fh_claims *claims, fh_wfail *f);
/* Store a new record with the next id; *rid gets its row id. */
bool write_apply_create(fh_portal *p, const fh_otype *t, fh_changes *ch, const fh_writer *w,
                        int64_t now, int64_t *rid);
/* Apply checked changes to rid. */
bool write_apply_update(fh_portal *p, const fh_otype *t, int64_t rid, fh_changes *ch,
                        const fh_writer *w, int64_t now);
/* Move rid to the recycle bin (its associations and unique values go). */
bool write_archive(fh_portal *p, const fh_otype *t, int64_t rid, int64_t now);
/* Delete rid for good (GDPR). */
bool write_purge(fh_portal *p, const fh_otype *t, int64_t rid);
/* Merge secondary into primary: empty properties filled from the
 * secondary, associations moved, the secondary archived. */
bool write_merge(fh_portal *p, const fh_otype *t, int64_t primary, int64_t secondary,
                 const fh_writer *w, int64_t now);

#endif
