/* pvals.h — a record's property values, packed into one blob.
 *
 * Stored values are a sequence of (varint property index, varint length,
 * bytes). Only non-empty values are stored: clearing a property removes it.
 * Decoding points into the blob, so it costs no allocation; the blob must
 * outlive the decoded view. */
#ifndef FAKEHUB_PVALS_H
#define FAKEHUB_PVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

typedef struct fh_val {
    const char *p;   /* not NUL-terminated */
    uint32_t    len;
    bool        set;
} fh_val;

typedef struct fh_vals {
    int    n;        /* number of property slots in use */
    fh_val v[FH_MAX_PROPS];
} fh_vals;

/* Decode blob into vals (n slots, all others unset). False on a corrupt blob. */
bool pvals_decode(const void *blob, size_t len, int n, fh_vals *vals);
/* Find one property's value without decoding the rest; false when absent. */
bool pvals_find(const void *blob, size_t len, int pidx, const char **p, uint32_t *vlen);
/* Encode every set, non-empty slot of vals into out (appended). */
void pvals_encode(const fh_vals *vals, strbuf *out);
/* Append one (pidx, value) entry to an encoded blob being built in order. */
void pvals_put(strbuf *out, int pidx, const char *p, size_t len);
/* Set slot pidx to a NUL-terminated string (pointer kept, not copied). */
void pvals_set(fh_vals *vals, int pidx, const char *s);

#endif
