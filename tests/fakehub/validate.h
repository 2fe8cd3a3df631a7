/* validate.h — property values as HubSpot checks them (hubspot-api.md §6):
 * type by type, normalised to the form reads return. */
#ifndef FAKEHUB_VALIDATE_H
#define FAKEHUB_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>

#include "herr.h"
#include "model.h"

/* One property to set; value "" clears it. */
typedef struct fh_change {
    int   pidx;
    char *value;
} fh_change;

typedef struct fh_changes {
    fh_change *v;
    int        n, cap;
} fh_changes;

void changes_set(fh_changes *c, int pidx, const char *value);
/* The pending value of pidx, or NULL when it is not being changed. */
const char *changes_get(const fh_changes *c, int pidx);
void changes_remove(fh_changes *c, int pidx);
void changes_free(fh_changes *c);

/* Check a JSON "properties" object for type t and collect normalised
 * values into out. Unknown, read-only and malformed values are added to
 * errs; returns false when there was any. */
bool validate_props(const fh_model *m, const fh_otype *t, const json_t *props, fh_changes *out,
                    fh_verrs *errs);
/* Check and normalise one value of property p (never read-only checks).
 * On success *out is the stored form (caller frees). */
bool validate_value(const fh_propdef *p, const char *raw, char **out, fh_verrs *errs);
/* Is s a plausible e-mail address? */
bool validate_email(const char *s);

#endif
