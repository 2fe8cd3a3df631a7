/* bulkprev.h — what a bulk edit would do, said before it is queued.
 *
 * `E` sets one property on every marked record. Before anything reaches
 * the outbox the user sees how many records change, grouped by their
 * current value ("Appointment scheduled (12) → Closed won"), how many
 * already have the value, and which cannot take it (a deal stage of
 * another pipeline, a record that is gone), and, for lifecycle stages, how
 * many move backwards and will be cleared first (HubSpot ignores a stage
 * moved back otherwise). Pure: the caller supplies values and metadata. */
#ifndef HUBTUI_BULKPREV_H
#define HUBTUI_BULKPREV_H

#include <stdbool.h>
#include <stddef.h>

#include "meta.h"

typedef enum bulk_verdict {
    BV_CHANGE,    /* queued as a plain update */
    BV_SAME,      /* already has the value: nothing queued */
    BV_SKIP,      /* cannot take the value (the reason is in the preview) */
    BV_BACKWARDS, /* a lifecycle stage moved back: cleared, then set */
} bulk_verdict;

/* How one record fares. current is its raw value (NULL when empty),
 * pipeline_id its pipeline (stage properties; NULL otherwise), present
 * false when the record is gone from the cache. value is the normalised
 * new value (NULL clears). */
bulk_verdict bulk_judge(const objmeta *m, const prop_def *p, bool present, const char *current,
                        const char *pipeline_id, const char *value);

typedef struct bulk_group {
    char *from;    /* the current value as shown ("(empty)" when empty) */
    size_t count;
} bulk_group;

typedef struct bulk_preview {
    size_t total, change, same, skip, backwards;
    bulk_group *groups; /* changing records by current value, largest first */
    size_t ngroups;
} bulk_preview;

/* Tally verdicts; from_shown[i] is record i's current value as shown. */
void bulk_preview_build(bulk_preview *bp, const char *const *from_shown,
                        const bulk_verdict *verdicts, size_t n);
void bulk_preview_free(bulk_preview *bp);

#endif
