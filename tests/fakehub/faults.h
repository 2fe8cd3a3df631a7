/* faults.h — injected failures for HubSpot endpoints (never /_fakehub/).
 *
 * Each request draws from one seeded stream, so a run with the same seed
 * and the same request order fails the same way. For writes, half of the
 * 5xx, reset and truncate faults strike after the write was applied: the
 * client loses the answer to a committed change, as on the real network. */
#ifndef FAKEHUB_FAULTS_H
#define FAKEHUB_FAULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

typedef enum { FAULT_NONE, FAULT_5XX, FAULT_429, FAULT_RESET, FAULT_TRUNCATE } fh_fault_kind;

typedef struct fh_fault_plan {
    fh_fault_kind kind;
    int  status;        /* 500/502/503/504 for FAULT_5XX */
    bool after_write;   /* run the handler first, then fail */
    int  latency_ms;
} fh_fault_plan;

typedef struct fh_faults fh_faults;

fh_faults *faults_new(uint64_t seed);
void faults_free(fh_faults *f);
/* Decide this request's fate. */
void faults_plan(fh_faults *f, const fh_fault_spec *spec, bool is_write, fh_fault_plan *plan);
/* Counts of injected faults by kind, for stats. */
json_t *faults_stats(fh_faults *f);
void faults_reset_stats(fh_faults *f);

#endif
