/* hubspot.h — typed HubSpot endpoints over jansson (hubspot-api.md).
 *
 * Every call is asynchronous (client.h): it returns an id at once and its
 * callback gets the parsed JSON body (borrowed; json_incref to keep it).
 * Object types are names ("contacts") or type ids ("0-1", "2-123"); ids and
 * names are escaped here. JSON arguments are borrowed: the call serialises
 * them before returning. Batch calls split their inputs into chunks of 100
 * (50 for reads with propertiesWithHistory, 1,000 for association reads) and
 * report once, with per-input errors. */
#ifndef HUBTUI_HUBSPOT_H
#define HUBTUI_HUBSPOT_H

#include "apierror.h"
#include "client.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What to read; NULL lists mean HubSpot's defaults. Lists are NULL-terminated. */
typedef struct hs_read_opts {
    const char *const *properties;
    const char *const *properties_with_history;
    const char *const *associations;  /* object types to embed (list and get) */
    const char        *id_property;   /* get / batch read by a unique property */
    bool               archived;      /* only archived records */
    int                limit;         /* list page size, 0: 100 (the maximum) */
} hs_read_opts;

/* ---- objects v3 ------------------------------------------------------------ */

/* One page of records: body {results, paging?}. after NULL: the first page. */
hs_call_id hs_objects_list(hs_client *c, hs_priority prio, const char *type,
                           const hs_read_opts *o, const char *after, hs_done_fn done, void *ud);
/* One record by id (or by o->id_property); 404 -> HT_NOT_FOUND. */
hs_call_id hs_objects_get(hs_client *c, hs_priority prio, const char *type, const char *id,
                          const hs_read_opts *o, hs_done_fn done, void *ud);
/* Create a record; associations may be NULL. Never repeated blindly: a
 * failure that may have created it comes back with maybe_applied. */
hs_call_id hs_objects_create(hs_client *c, hs_priority prio, const char *type,
                             json_t *properties, json_t *associations, hs_done_fn done, void *ud);
/* Partial update: only the given properties change ("" clears one).
 * id_property may be NULL. The body is the record as HubSpot stored it. */
hs_call_id hs_objects_update(hs_client *c, hs_priority prio, const char *type, const char *id,
                             const char *id_property, json_t *properties, hs_done_fn done, void *ud);
/* Archive (move to the recycle bin); 204. */
hs_call_id hs_objects_archive(hs_client *c, hs_priority prio, const char *type, const char *id,
                              hs_done_fn done, void *ud);
/* One search request; body is HubSpot's search body ({filterGroups, sorts,
 * properties, limit, after, query}). Uses the search limiter. */
hs_call_id hs_objects_search(hs_client *c, hs_priority prio, const char *type, json_t *body,
                             hs_done_fn done, void *ud);

/* ---- batches ----------------------------------------------------------------- */

typedef enum hs_batch_kind {
    HS_BATCH_READ,     /* inputs [{id}]; o gives properties, idProperty, archived */
    HS_BATCH_CREATE,   /* inputs [{properties, associations?}] (not idempotent) */
    HS_BATCH_UPDATE,   /* inputs [{id, properties, idProperty?}] */
    HS_BATCH_UPSERT,   /* inputs [{id, idProperty, properties}]; results add "new" */
    HS_BATCH_ARCHIVE,  /* inputs [{id}]; 204, no results */
} hs_batch_kind;

/* One HTTP call of a batch: inputs[first .. first + count). */
typedef struct hs_batch_chunk {
    size_t    first, count;
    ht_status status;          /* HT_OK when it answered 200/201/204/207 */
    int       http_status;
    bool      maybe_applied;
    ht_error  err;
} hs_batch_chunk;

typedef struct hs_batch_result {
    hs_call_id      id;
    ht_status       status;    /* HT_OK when every chunk answered 2xx (items may
                                * still have failed: see errors); else the first
                                * failed chunk's status; HT_CANCELLED */
    const ht_error *err;       /* that chunk's error */
    json_t         *results;   /* every returned record/row, chunk order (borrowed) */
    apierror_item  *errors;    /* per-input errors of 207s, each with its ids */
    size_t          n_errors;
    hs_batch_chunk *chunks;
    size_t          n_chunks;
    size_t          n_inputs;
} hs_batch_result;

typedef void (*hs_batch_fn)(void *ud, const hs_batch_result *r);

/* Run a batch over inputs (a JSON array) in chunks of 100 (50 for a read
 * with o->properties_with_history), all queued at once behind the limiter;
 * done runs once after the last chunk. */
hs_call_id hs_objects_batch(hs_client *c, hs_priority prio, const char *type, hs_batch_kind kind,
                            json_t *inputs, const hs_read_opts *o, hs_batch_fn done, void *ud);
/* The same for any batch path: each chunk POSTs {inputs: chunk} merged with
 * extra (may be NULL) to path. flags: hs_request_flags. */
hs_call_id hs_batch_post(hs_client *c, hs_priority prio, const char *path, json_t *inputs,
                         json_t *extra, size_t chunk_size, unsigned flags, hs_batch_fn done, void *ud);

/* ---- associations v4 ----------------------------------------------------------- */

/* One page of a record's associations to to_type: {results:[{toObjectId,
 * associationTypes}], paging?}. limit 0: 500 (the maximum). */
hs_call_id hs_assoc_list(hs_client *c, hs_priority prio, const char *from_type, const char *from_id,
                         const char *to_type, const char *after, int limit, hs_done_fn done, void *ud);
/* Associations of many records: ids is an array of id strings; chunks of
 * 1,000. Records without associations come back as per-input errors
 * (subCategory crm.associations.NO_ASSOCIATIONS_FOUND), not failures. */
hs_call_id hs_assoc_batch_read(hs_client *c, hs_priority prio, const char *from_type,
                               const char *to_type, json_t *ids, hs_batch_fn done, void *ud);
/* Associate two records with the default (unlabelled) type, both ways. */
hs_call_id hs_assoc_create_default(hs_client *c, hs_priority prio, const char *from_type,
                                   const char *from_id, const char *to_type, const char *to_id,
                                   hs_done_fn done, void *ud);
/* Associate with labels: types is [{associationCategory, associationTypeId}]. */
hs_call_id hs_assoc_create(hs_client *c, hs_priority prio, const char *from_type,
                           const char *from_id, const char *to_type, const char *to_id,
                           json_t *types, hs_done_fn done, void *ud);
/* Remove every association between the two records. */
hs_call_id hs_assoc_archive(hs_client *c, hs_priority prio, const char *from_type,
                            const char *from_id, const char *to_type, const char *to_id,
                            hs_done_fn done, void *ud);

typedef enum hs_assoc_batch_kind {
    HS_ABATCH_CREATE,          /* [{from:{id}, to:{id}, types:[spec]}] */
    HS_ABATCH_DEFAULT,         /* [{from:{id}, to:{id}}] */
    HS_ABATCH_ARCHIVE,         /* [{from:{id}, to:[{id}]}] */
    HS_ABATCH_LABELS_ARCHIVE,  /* like CREATE: removes just those labels */
} hs_assoc_batch_kind;

/* Batch association writes in chunks of 100. */
hs_call_id hs_assoc_batch(hs_client *c, hs_priority prio, hs_assoc_batch_kind kind,
                          const char *from_type, const char *to_type, json_t *inputs,
                          hs_batch_fn done, void *ud);
/* The association labels (types) between two object types: {results:[{category, typeId, label}]}. */
hs_call_id hs_assoc_labels(hs_client *c, hs_priority prio, const char *from_type,
                           const char *to_type, hs_done_fn done, void *ud);
/* Create a label; inverse_label may be NULL. */
hs_call_id hs_assoc_label_create(hs_client *c, hs_priority prio, const char *from_type,
                                 const char *to_type, const char *label, const char *name,
                                 const char *inverse_label, hs_done_fn done, void *ud);
/* Rename a label (inverse_label may be NULL). */
hs_call_id hs_assoc_label_update(hs_client *c, hs_priority prio, const char *from_type,
                                 const char *to_type, int type_id, const char *label,
                                 const char *inverse_label, hs_done_fn done, void *ud);
/* Delete a label. */
hs_call_id hs_assoc_label_delete(hs_client *c, hs_priority prio, const char *from_type,
                                 const char *to_type, int type_id, hs_done_fn done, void *ud);

/* ---- metadata ---------------------------------------------------------------------- */

/* Every property of type: {results:[Property]} (archived: only archived ones). */
hs_call_id hs_properties_list(hs_client *c, hs_priority prio, const char *type, bool archived,
                              hs_done_fn done, void *ud);
hs_call_id hs_property_get(hs_client *c, hs_priority prio, const char *type, const char *name,
                           hs_done_fn done, void *ud);
/* Create a property from its definition ({name, label, type, fieldType, groupName...}). */
hs_call_id hs_property_create(hs_client *c, hs_priority prio, const char *type, json_t *definition,
                              hs_done_fn done, void *ud);
/* Property groups of type: {results:[{name, label, displayOrder, archived}]}. */
hs_call_id hs_property_groups_list(hs_client *c, hs_priority prio, const char *type,
                                   hs_done_fn done, void *ud);
hs_call_id hs_property_group_create(hs_client *c, hs_priority prio, const char *type,
                                    json_t *definition, hs_done_fn done, void *ud);
/* Pipelines of deals or tickets, with stages: {results:[Pipeline]}. */
hs_call_id hs_pipelines_list(hs_client *c, hs_priority prio, const char *type,
                             hs_done_fn done, void *ud);
hs_call_id hs_pipeline_get(hs_client *c, hs_priority prio, const char *type, const char *id,
                           hs_done_fn done, void *ud);
/* One page of owners ({results, paging?}); limit 0: 500. */
hs_call_id hs_owners_list(hs_client *c, hs_priority prio, const char *after, int limit,
                          hs_done_fn done, void *ud);
hs_call_id hs_owner_get(hs_client *c, hs_priority prio, const char *id, hs_done_fn done, void *ud);
/* Custom object schemas: {results:[ObjectSchema]}. */
hs_call_id hs_schemas_list(hs_client *c, hs_priority prio, hs_done_fn done, void *ud);
/* One schema by fully qualified name or objectTypeId. */
hs_call_id hs_schema_get(hs_client *c, hs_priority prio, const char *type, hs_done_fn done, void *ud);
/* The portal: {portalId, timeZone, companyCurrency, utcOffsetMilliseconds...};
 * the client learns the account's UTC offset from it (daily reset). */
hs_call_id hs_account_details(hs_client *c, hs_priority prio, hs_done_fn done, void *ud);

/* ---- OAuth ---------------------------------------------------------------------- */

/* Exchange an authorization code for tokens; on success the client uses them. */
hs_call_id hs_oauth_exchange_code(hs_client *c, const char *code, const char *redirect_uri,
                                  const char *code_verifier, hs_done_fn done, void *ud);

/* Revoke a refresh token at HubSpot (DELETE /oauth/v1/refresh-tokens/...,
 * no Authorization): 204 when it is gone, 404 when HubSpot no longer knew
 * it. The token is masked in every log line from here on. */
hs_call_id hs_oauth_revoke_refresh(hs_client *c, const char *refresh_token, hs_done_fn done,
                                   void *ud);

/* ---- reading bodies -------------------------------------------------------------- */

/* A JSON id that may be a string or a number (v4 toObjectId) as a string in
 * out; false when v is neither. */
bool hs_json_id(const json_t *v, char out[32]);
/* body.paging.next.after, or NULL on the last page. */
const char *hs_next_after(const json_t *body);
/* record.properties[name] as a string, NULL when absent or null. */
const char *hs_record_prop(const json_t *record, const char *name);
/* The last-modified property of an object type (lastmodifieddate for contacts,
 * hs_lastmodifieddate for the rest). */
const char *hs_lastmodified_property(const char *type);

#endif
