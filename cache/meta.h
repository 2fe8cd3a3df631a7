/* meta.h — what the cache knows about the portal's data model: object types,
 * property definitions and groups, pipelines and stages, owners, account
 * details and association labels.
 *
 * Writers take HubSpot's JSON exactly as the API returns it (the `results`
 * arrays of the properties, groups, pipelines, owners, schemas and labels
 * endpoints, and the account-info details object), so sync hands pages over
 * untouched. Readers return plain C structs.
 *
 * An objmeta is an immutable, reference-counted snapshot of one object type
 * with its properties, groups and pipelines; hold it as long as you like and
 * release it when done. A new snapshot appears after metadata changes. */
#ifndef HUBTUI_CACHE_META_H
#define HUBTUI_CACHE_META_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

typedef enum prop_type {
    PROP_STRING,     /* string, and types we do not know (object_coordinates, json) */
    PROP_NUMBER,
    PROP_DATE,       /* YYYY-MM-DD */
    PROP_DATETIME,   /* ISO-8601 …Z */
    PROP_ENUM,       /* enumeration; `multi` when several values joined by ';' */
    PROP_BOOL,       /* "true" / "false" */
    PROP_PHONE,
} prop_type;

typedef struct prop_option {
    char *value;
    char *label;
    char *description;
    int   display_order;
    bool  hidden;
} prop_option;

typedef struct prop_def {
    char     *name;
    char     *label;             /* falls back to name */
    char     *description;
    char     *group_name;
    char     *type_name;         /* HubSpot's `type` */
    char     *field_type;        /* HubSpot's `fieldType` */
    prop_type type;
    bool      multi;             /* multi-checkbox: "a;b" */
    bool      defined;           /* false: only seen in records, no definition synced */
    bool      calculated;
    bool      read_only_value;   /* modificationMetadata.readOnlyValue */
    bool      read_only_definition;
    bool      has_unique_value;
    bool      hidden;
    bool      hubspot_defined;
    bool      external_options;
    bool      archived;
    char     *referenced_object_type;  /* "OWNER" for owner properties */
    char     *calculation_formula;
    char     *currency_property;
    int       display_order;
    prop_option *options;        /* by display order */
    size_t       noptions;
    char     *col;               /* cache-internal: the record column, NULL if none */
} prop_def;

typedef struct prop_group {
    char *name;
    char *label;
    int   display_order;
} prop_group;

typedef struct pipeline_stage {
    char  *id;
    char  *label;
    int    display_order;
    bool   archived;
    bool   is_closed;            /* metadata.isClosed, or ticketState CLOSED */
    double probability;          /* metadata.probability; -1 when absent */
    char  *ticket_state;         /* metadata.ticketState (tickets) or NULL */
    char  *metadata_json;        /* the whole metadata object */
} pipeline_stage;

typedef struct pipeline {
    char           *id;
    char           *label;
    int             display_order;
    bool            archived;
    pipeline_stage *stages;      /* by display order */
    size_t          nstages;
} pipeline;

typedef struct objmeta {
    int64_t okey;                /* cache-internal key */
    char   *name;                /* contacts, companies… or a custom schema's name */
    char   *type_id;             /* 0-1, 2-3453127 — use this in API paths */
    char   *fqn;                 /* p4242_car for custom objects, else NULL */
    char   *label_singular, *label_plural;
    char  **display_props;       /* joined with spaces to name a record */
    size_t  ndisplay;
    char   *display_fallback;    /* used when those are empty (contacts: email) */
    char  **search_props;        /* what quick search (FTS) covers */
    size_t  nsearch;
    char   *lastmod_prop;        /* lastmodifieddate or hs_lastmodifieddate */
    char   *created_prop;
    char   *stage_prop;          /* dealstage / hs_pipeline_stage, or NULL */
    char   *pipeline_prop;       /* pipeline / hs_pipeline, or NULL */
    bool    custom;
    prop_def   *props;           /* sorted by name */
    size_t      nprops;
    prop_group *groups;          /* by display order */
    size_t      ngroups;
    pipeline   *pipelines;       /* by display order */
    size_t      npipelines;
    /* cache-internal */
    atomic_int refs;
    char      *table, *fts;
} objmeta;

/* A snapshot of an object type, found by name, type id, fully qualified
 * name or label (case-insensitive). NULL with HT_NOT_FOUND when unknown.
 * Release it with objmeta_release. */
const objmeta *meta_object(store *st, const char *object, ht_error *err);
/* Drop a reference (NULL is fine). */
void objmeta_release(const objmeta *m);
/* The property called name, or NULL. */
const prop_def *objmeta_prop(const objmeta *m, const char *name);
/* The option whose value or label equals text (case-insensitive), or NULL. */
const prop_option *prop_find_option(const prop_def *p, const char *text);
/* The label of an option value, or the value itself when unknown. */
const char *prop_option_label(const prop_def *p, const char *value);
/* The pipeline with this id, or NULL. */
const pipeline *objmeta_pipeline(const objmeta *m, const char *id);
/* A stage of p by id (or by label, case-insensitive), or NULL. */
const pipeline_stage *pipeline_find_stage(const pipeline *p, const char *id_or_label);
/* The pipeline that owns a stage id (first match), or NULL. */
const pipeline *objmeta_pipeline_of_stage(const objmeta *m, const char *stage_id);
/* True for properties that hold an owner id (hubspot_owner_id and friends). */
bool prop_is_owner(const prop_def *p);

/* One line of the object types pane. */
typedef struct objinfo {
    char   *name, *type_id, *label_singular, *label_plural;
    bool    custom;
    bool    sync_default;        /* synced when no object is named */
    bool    synced;              /* a sync has stored records or finished a backfill */
    int64_t count;               /* live (not archived) records, local creates included */
} objinfo;

/* Every known object type, standard first, with record counts (cheap: the
 * counts are maintained, not counted). Free with objinfo_free_all. */
ht_status meta_list_objects(store *st, objinfo **out, size_t *n, ht_error *err);
void objinfo_free_all(objinfo *v, size_t n);

typedef struct owner {
    char   *id;
    char   *email;
    char   *first_name, *last_name;
    int64_t user_id;
    char   *type;                /* PERSON | QUEUE */
    bool    archived;
} owner;

/* All owners by name. Free with owner_free_all. */
ht_status meta_owners(store *st, owner **out, size_t *n, ht_error *err);
void owner_free_all(owner *v, size_t n);
/* Find an owner by id, email or "First Last" (case-insensitive). HT_NOT_FOUND
 * when none matches, HT_INVALID (listing them) when a name is ambiguous. */
ht_status meta_owner_find(store *st, const char *text, owner *out, ht_error *err);
void owner_clear(owner *o);
/* "First Last" (or the email, or the id) of an owner id; caller frees; NULL
 * when the id is unknown. */
char *meta_owner_label(store *st, const char *id);

typedef struct account_info {
    int64_t portal_id;
    char   *time_zone;           /* IANA name, e.g. Europe/Paris */
    char   *currency;            /* company currency, e.g. EUR */
    char   *ui_domain;
    char   *data_hosting;
} account_info;

ht_status meta_account(store *st, account_info *out, ht_error *err);
void account_info_clear(account_info *a);

/* Association types known between two object types (from the labels
 * endpoint), for the association picker. */
typedef struct assoc_type {
    int   type_id;
    char *category;
    char *label;                 /* NULL when unlabeled */
} assoc_type;
ht_status meta_assoc_types(store *st, const char *from, const char *to, assoc_type **out,
                           size_t *n, ht_error *err);
void assoc_type_free_all(assoc_type *v, size_t n);

/* ---- writers (sync) ------------------------------------------------------ */

/* Custom object schemas (the `results` of GET /crm-object-schemas/v3/schemas):
 * creates or updates their object types, and stores their properties when
 * the schema embeds them. */
ht_status meta_store_schemas(store *st, json_t *results, ht_error *err);
/* Replace the property definitions of an object (GET /crm/v3/properties/{t}). */
ht_status meta_store_properties(store *st, const char *object, json_t *results,
                                ht_error *err);
/* Replace the property groups of an object. */
ht_status meta_store_property_groups(store *st, const char *object, json_t *results,
                                     ht_error *err);
/* Replace the pipelines (with stages) of an object. */
ht_status meta_store_pipelines(store *st, const char *object, json_t *results,
                               ht_error *err);
/* Replace the owners with this complete list (all pages joined). */
ht_status meta_store_owners(store *st, json_t *results, ht_error *err);
/* Store the account details (GET /account-info/v3/details). */
ht_status meta_store_account(store *st, json_t *details, ht_error *err);
/* Replace the association labels between two object types. */
ht_status meta_store_assoc_types(store *st, const char *from, const char *to,
                                 json_t *results, ht_error *err);

#endif
