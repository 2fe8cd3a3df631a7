/* model.h — the portal's metadata: object types, property definitions,
 * property groups, pipelines and owners.
 *
 * Everything here is guarded by the portal's data lock. Definitions are
 * never freed while the portal runs (archiving only sets a flag), and each
 * type's property table has a fixed capacity, so a pointer or index taken
 * under the lock stays valid after it is released. */
#ifndef FAKEHUB_MODEL_H
#define FAKEHUB_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define FH_MAX_TYPES  16
#define FH_MAX_PROPS  512
#define FH_MAX_GROUPS 32
#define FH_MAX_OWNERS 16
/* A record's row id is (type index << FH_ID_BITS) | record id. */
#define FH_ID_BITS    40
#define FH_ID_MAX     ((INT64_C(1) << FH_ID_BITS) - 1)

static inline int64_t fh_rid(int tidx, int64_t id) { return ((int64_t)tidx << FH_ID_BITS) | id; }
static inline int64_t fh_rid_id(int64_t rid) { return rid & FH_ID_MAX; }
static inline int fh_rid_tidx(int64_t rid) { return (int)(rid >> FH_ID_BITS); }

typedef enum fh_ptype { PT_STRING, PT_NUMBER, PT_DATE, PT_DATETIME, PT_ENUM, PT_BOOL, PT_PHONE } fh_ptype;
/* Properties served from record columns instead of the value blob. */
typedef enum fh_special { SP_NONE, SP_ID, SP_CREATED, SP_UPDATED } fh_special;

typedef struct fh_option {
    char *label;
    char *value;
    int   display_order;
    bool  hidden;
} fh_option;

typedef struct fh_propdef {
    int        pidx;
    char      *name, *label, *description, *group, *field_type;
    char      *json_key;     /* "name": — written once, copied into every record */
    size_t     json_key_len;
    fh_ptype   type;
    fh_option *options;
    int        n_options;
    fh_special special;
    bool read_only;      /* modificationMetadata.readOnlyValue */
    bool calculated;     /* computed by the portal; read-only too */
    bool unique;         /* hasUniqueValue */
    bool hubspot_defined;
    bool hidden;
    bool query;          /* searched by the free-text `query` of search */
    bool is_default;     /* returned when a read names no properties */
    bool multi;          /* multi-checkbox enumeration: "a;b" */
    bool owner;          /* hubspot_owner_id: options are the owners */
    bool required;       /* a create without a value is refused */
    bool archived;
    bool dynamic;        /* created through the API (persisted with --db) */
    int  display_order;
    int64_t created_at, updated_at;
} fh_propdef;

typedef struct fh_group {
    char *name, *label;
    int   display_order;
    bool  dynamic;       /* created through the API */
} fh_group;

typedef struct fh_otype {
    int  tidx;
    char name[48];            /* "contacts" */
    char type_id[24];         /* "0-1", "2-4200001" */
    char singular[48];        /* "contact" */
    char label_singular[48];  /* "Contact" */
    char label_plural[48];    /* "Contacts" */
    char upper[48];           /* "CONTACT", used in error messages */
    char fqn[64];             /* "p4242_vehicles" for custom objects, else "" */
    char scope[48];           /* object scope stem: "crm.objects.contacts" */
    char schema_scope[48];    /* "crm.schemas.contacts" */
    char primary_display[48];
    bool custom, mergeable, engagement;
    fh_propdef *props[FH_MAX_PROPS];
    int  n_props;
    fh_group groups[FH_MAX_GROUPS];
    int  n_groups;
    int  p_id, p_created, p_updated;   /* indexes of the special properties */
    int  p_lifecycle;                  /* lifecyclestage, or -1 */
    int64_t next_id;                   /* id the next created record gets */
    int64_t created_at;
} fh_otype;

typedef struct fh_owner {
    char    id[24];
    char    email[96];
    char    first[48], last[48];
    int64_t user_id;
    int     team;                      /* index into model_team_name() */
    bool    archived;
    int64_t created_at, updated_at;
} fh_owner;

typedef struct fh_stage {
    const char *id, *label;
    int         display_order;
    const char *probability;   /* deals: "0.2"; tickets: NULL */
    bool        closed;
    const char *ticket_state;  /* tickets: "OPEN"/"CLOSED" */
} fh_stage;

typedef struct fh_pipeline {
    const char     *object;    /* "deals" or "tickets" */
    const char     *id, *label;
    int             display_order;
    const fh_stage *stages;
    int             n_stages;
    int64_t         created_at;
} fh_pipeline;

typedef struct fh_model {
    fh_otype *types[FH_MAX_TYPES];
    int       n_types;
    fh_owner  owners[FH_MAX_OWNERS];
    int       n_owners;
    int64_t   portal_id;
    fh_propdef **grave;     /* definitions dropped by a reset, freed at the end */
    int       n_grave;
} fh_model;

/* Indexes of the built-in types, in registry order. The types added after
 * the custom object come last so that a type's index (part of every row id
 * in a --db file) and its generated data stay what they were. */
enum { T_CONTACTS, T_COMPANIES, T_DEALS, T_TICKETS, T_PRODUCTS, T_LINE_ITEMS,
       T_NOTES, T_CALLS, T_TASKS, T_CUSTOM, T_QUOTES, T_MEETINGS, T_EMAILS, T_BUILTIN_COUNT };

/* Build the standard types, the generated custom object and owners (from seed). */
void model_init(fh_model *m, int64_t portal_id, uint64_t seed);
void model_free(fh_model *m);
/* Drop every property and group made through the API (data reset). The
 * dropped definitions stay allocated until model_free: readers may still
 * hold them. */
void model_reset_dynamic(fh_model *m);
/* Type by name ("contacts", "contact"), type id ("0-1", "2-…") or
 * fully qualified name ("p4242_vehicles"); NULL when unknown. */
fh_otype *model_type(const fh_model *m, const char *name);
/* Property by name, or NULL (archived definitions included). */
fh_propdef *otype_prop(const fh_otype *t, const char *name);
/* The option with this value, or NULL. */
const fh_option *prop_option(const fh_propdef *p, const char *value, size_t len);
/* Add a property definition built from its JSON form (the create body);
 * returns it, or NULL with a message in err (at least 256 bytes). */
fh_propdef *otype_add_prop_json(fh_otype *t, const json_t *body, char *err, size_t errlen);
/* The group with this name or NULL. */
const fh_group *otype_group(const fh_otype *t, const char *name);
/* Add a property group; false if it exists or the table is full. */
bool otype_add_group(fh_otype *t, const char *name, const char *label, int order);
/* Groups made through the API as JSON for --db ({"contacts":[…]}), and back. */
json_t *model_custom_groups_json(const fh_model *m);
void model_load_custom_groups(fh_model *m, const json_t *saved);
/* Property definition as HubSpot's JSON (new reference). */
json_t *propdef_json(const fh_model *m, const fh_propdef *p);
/* The custom-defined properties of every type, for --db persistence
 * ({"contacts":[defs…]}); and the reverse. */
json_t *model_custom_props_json(const fh_model *m);
void model_load_custom_props(fh_model *m, const json_t *saved);

/* Owners. */
const fh_owner *model_owner(const fh_model *m, const char *id);
const char *model_team_name(int team);
json_t *owner_json(const fh_owner *o);

/* Pipelines of "deals" or "tickets" (count in *n), or NULL. */
const fh_pipeline *model_pipelines(const char *object, int *n);
const fh_pipeline *model_pipeline(const char *object, const char *id);
const fh_stage *pipeline_stage(const fh_pipeline *p, const char *id);
json_t *pipeline_json(const fh_pipeline *p);
json_t *stage_json(const fh_pipeline *p, const fh_stage *s);

/* "string", "number", … */
const char *ptype_name(fh_ptype t);
bool ptype_parse(const char *s, fh_ptype *out);

#endif
