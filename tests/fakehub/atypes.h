/* atypes.h — association types: HubSpot's numbered HUBSPOT_DEFINED types
 * (hubspot-api.md §5) plus USER_DEFINED labels made through the labels API.
 *
 * Every type has an inverse (the same link seen from the other side). Each
 * pair of object types has one unlabeled default type; a labelled
 * association always comes with the default one, and "Primary" types are
 * unique on their owning side (a contact has one primary company). */
#ifndef FAKEHUB_ATYPES_H
#define FAKEHUB_ATYPES_H

#include <jansson.h>
#include <stdbool.h>

#include "model.h"

typedef struct fh_atype {
    int   id;
    int   from, to;          /* type indexes */
    bool  user_defined;      /* category USER_DEFINED, else HUBSPOT_DEFINED */
    char *label;             /* NULL when unlabeled */
    char *name;              /* contact_to_company, … */
    int   inverse;           /* id of the reverse type */
    bool  is_default;        /* the unlabeled type of the pair */
    int   primary_owner;     /* 0 none; 1 the from side owns it; 2 the to side */
    bool  deleted;
} fh_atype;

typedef struct fh_atypes {
    fh_atype *v;
    int       n, cap;
    int       next_id;
} fh_atypes;

/* The standard types for the model's built-in and custom objects. */
void atypes_init(fh_atypes *a);
void atypes_free(fh_atypes *a);
/* The type with this id (not deleted), or NULL. */
const fh_atype *atypes_get(const fh_atypes *a, int id);
/* The unlabeled default type from one object type to another, or NULL when
 * the two cannot be associated. */
const fh_atype *atypes_default(const fh_atypes *a, int from, int to);
/* "HUBSPOT_DEFINED" or "USER_DEFINED". */
const char *atype_category(const fh_atype *t);
/* Make a labelled pair; returns the new from→to type, or NULL when the
 * object types cannot be associated or the name is taken. */
const fh_atype *atypes_add_label(fh_atypes *a, int from, int to, const char *label,
                                 const char *name, const char *inverse_label);
/* Relabel a USER_DEFINED type (and its inverse when inverse_label is given). */
bool atypes_relabel(fh_atypes *a, int id, const char *label, const char *inverse_label);
/* Delete a USER_DEFINED type and its inverse. */
bool atypes_delete(fh_atypes *a, int id);
/* {"results":[{category,typeId,label}]} of every type from → to. */
json_t *atypes_labels_json(const fh_atypes *a, int from, int to);
/* The user-defined types as JSON for --db, and back. */
json_t *atypes_saved_json(const fh_atypes *a);
void atypes_load(fh_atypes *a, const json_t *saved);

#endif
