#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "handlers.h"

#define OBJ "/crm/v3/objects/{objectType}"
#define A4R "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations"
#define A4B "/crm/v4/associations/{fromObjectType}/{toObjectType}"
#define A4L "/crm/associations/v4/{fromObjectType}/{toObjectType}"
#define PROPS "/crm/v3/properties/{objectType}"
#define PIPES "/crm/v3/pipelines/{objectType}"

#define VOBJ "/crm/objects/{version}/{objectType}"
#define VA4R "/crm/objects/{version}/{fromObjectType}/{fromObjectId}/associations"
#define VA4B "/crm/associations/{version}/{fromObjectType}/{toObjectType}"
#define VPROPS "/crm/properties/{version}/{objectType}"
#define VPIPES "/crm/pipelines/{version}/{objectType}"

#define R(m, p, h, f, s, c0, c1) {m, p, h, f, s, {c0, c1}, m " " p}

static const fh_route routes[] = {
    /* Objects v3. */
    R("GET",    OBJ, h_obj_list, 0, SC_OBJ_READ, 0, -1),
    R("POST",   OBJ, h_obj_create, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   OBJ "/search", h_search, RF_SEARCH, SC_OBJ_READ, 0, -1),
    R("POST",   OBJ "/batch/read", h_batch_read, 0, SC_OBJ_READ, 0, -1),
    R("POST",   OBJ "/batch/create", h_batch_create, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   OBJ "/batch/update", h_batch_update, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   OBJ "/batch/upsert", h_batch_upsert, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   OBJ "/batch/archive", h_batch_archive, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   OBJ "/merge", h_obj_merge, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   OBJ "/gdpr-delete", h_obj_gdpr_delete, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("GET",    OBJ "/{objectId}", h_obj_get, 0, SC_OBJ_READ, 0, -1),
    R("PATCH",  OBJ "/{objectId}", h_obj_update, RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("DELETE", OBJ "/{objectId}", h_obj_archive, RF_WRITE, SC_OBJ_WRITE, 0, -1),

    /* Associations v4. */
    R("GET",    A4R "/{toObjectType}", h_assoc_list, 0, SC_OBJ_READ, 0, 2),
    R("PUT",    A4R "/default/{toObjectType}/{toObjectId}", h_assoc_put_default, RF_WRITE,
      SC_OBJ_WRITE, 0, 2),
    R("PUT",    A4R "/{toObjectType}/{toObjectId}", h_assoc_put_labelled, RF_WRITE,
      SC_OBJ_WRITE, 0, 2),
    R("DELETE", A4R "/{toObjectType}/{toObjectId}", h_assoc_delete, RF_WRITE, SC_OBJ_WRITE, 0, 2),
    R("POST",   A4B "/batch/read", h_assoc_batch_read, RF_EXEMPT, SC_OBJ_READ, 0, 1),
    R("POST",   A4B "/batch/create", h_assoc_batch_create, RF_WRITE | RF_EXEMPT, SC_OBJ_WRITE, 0, 1),
    R("POST",   A4B "/batch/associate/default", h_assoc_batch_default, RF_WRITE | RF_EXEMPT,
      SC_OBJ_WRITE, 0, 1),
    R("POST",   A4B "/batch/archive", h_assoc_batch_archive, RF_WRITE | RF_EXEMPT, SC_OBJ_WRITE, 0, 1),
    R("POST",   A4B "/batch/labels/archive", h_assoc_batch_labels_archive, RF_WRITE | RF_EXEMPT,
      SC_OBJ_WRITE, 0, 1),
    R("GET",    A4B "/labels", h_labels_get, RF_EXEMPT, SC_OBJ_READ, 0, 1),
    R("POST",   A4B "/labels", h_labels_create, RF_WRITE | RF_EXEMPT, SC_SCHEMA_WRITE, 0, 1),
    R("PUT",    A4B "/labels", h_labels_update, RF_WRITE | RF_EXEMPT, SC_SCHEMA_WRITE, 0, 1),
    R("DELETE", A4B "/labels/{associationTypeId}", h_labels_delete, RF_WRITE | RF_EXEMPT,
      SC_SCHEMA_WRITE, 0, 1),
    R("GET",    A4L "/labels", h_labels_get, RF_EXEMPT, SC_OBJ_READ, 0, 1),
    R("POST",   A4L "/labels", h_labels_create, RF_WRITE | RF_EXEMPT, SC_SCHEMA_WRITE, 0, 1),
    R("PUT",    A4L "/labels", h_labels_update, RF_WRITE | RF_EXEMPT, SC_SCHEMA_WRITE, 0, 1),
    R("DELETE", A4L "/labels/{associationTypeId}", h_labels_delete, RF_WRITE | RF_EXEMPT,
      SC_SCHEMA_WRITE, 0, 1),

    /* Properties and groups. */
    R("GET",    PROPS, h_props_list, 0, SC_SCHEMA_READ, 0, -1),
    R("POST",   PROPS, h_props_create, RF_WRITE, SC_SCHEMA_WRITE, 0, -1),
    R("POST",   PROPS "/batch/read", h_props_batch_read, 0, SC_SCHEMA_READ, 0, -1),
    R("GET",    PROPS "/groups", h_groups_list, 0, SC_SCHEMA_READ, 0, -1),
    R("POST",   PROPS "/groups", h_groups_create, RF_WRITE, SC_SCHEMA_WRITE, 0, -1),
    R("GET",    PROPS "/groups/{groupName}", h_groups_get, 0, SC_SCHEMA_READ, 0, -1),
    R("GET",    PROPS "/{propertyName}", h_props_get, 0, SC_SCHEMA_READ, 0, -1),

    /* Pipelines, owners, schemas, account. */
    R("GET",    PIPES, h_pipelines_list, 0, SC_OBJ_READ, 0, -1),
    R("GET",    PIPES "/{pipelineId}", h_pipeline_get, 0, SC_OBJ_READ, 0, -1),
    R("GET",    PIPES "/{pipelineId}/stages", h_pipeline_stages, 0, SC_OBJ_READ, 0, -1),
    R("GET",    PIPES "/{pipelineId}/stages/{stageId}", h_pipeline_stage_get, 0, SC_OBJ_READ, 0, -1),
    R("GET",    "/crm/v3/owners", h_owners_list, 0, SC_OWNERS, -1, -1),
    R("GET",    "/crm/v3/owners/{ownerId}", h_owner_get, 0, SC_OWNERS, -1, -1),
    R("GET",    "/crm-object-schemas/v3/schemas", h_schemas_list, 0, SC_CUSTOM_SCHEMAS, -1, -1),
    R("GET",    "/crm-object-schemas/v3/schemas/{objectType}", h_schema_get, 0, SC_CUSTOM_SCHEMAS,
      -1, -1),
    R("GET",    "/crm/v3/schemas", h_schemas_list, 0, SC_CUSTOM_SCHEMAS, -1, -1),
    R("GET",    "/crm/v3/schemas/{objectType}", h_schema_get, 0, SC_CUSTOM_SCHEMAS, -1, -1),
    R("GET",    "/account-info/v3/details", h_account_details, 0, SC_NONE, -1, -1),
    R("GET",    "/account-info/v3/api-usage/daily/private-apps", h_account_usage, 0, SC_NONE,
      -1, -1),

    /* OAuth. */
    R("POST",   "/oauth/v1/token", h_oauth_token, RF_NOAUTH | RF_WRITE, SC_NONE, -1, -1),
    R("GET",    "/oauth/v1/access-tokens/{token}", h_oauth_access_info, RF_NOAUTH, SC_NONE, -1, -1),
    R("GET",    "/oauth/v1/refresh-tokens/{token}", h_oauth_refresh_info, RF_NOAUTH, SC_NONE,
      -1, -1),
    R("DELETE", "/oauth/v1/refresh-tokens/{token}", h_oauth_refresh_delete, RF_NOAUTH | RF_WRITE,
      SC_NONE, -1, -1),

    /* Date-based versions 2025-09 and 2026-03 (hubspot-api.md §13): the
     * same calls and shapes as v3/v4, bar the association archives. */
    R("GET",    VOBJ, h_obj_list, RF_VERSIONED, SC_OBJ_READ, 0, -1),
    R("POST",   VOBJ, h_obj_create, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   VOBJ "/search", h_search, RF_VERSIONED | RF_SEARCH, SC_OBJ_READ, 0, -1),
    R("POST",   VOBJ "/batch/read", h_batch_read, RF_VERSIONED, SC_OBJ_READ, 0, -1),
    R("POST",   VOBJ "/batch/create", h_batch_create, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   VOBJ "/batch/update", h_batch_update, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   VOBJ "/batch/upsert", h_batch_upsert, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   VOBJ "/batch/archive", h_batch_archive, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("POST",   VOBJ "/merge", h_obj_merge, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("GET",    VOBJ "/{objectId}", h_obj_get, RF_VERSIONED, SC_OBJ_READ, 0, -1),
    R("PATCH",  VOBJ "/{objectId}", h_obj_update, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("DELETE", VOBJ "/{objectId}", h_obj_archive, RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, -1),
    R("GET",    VA4R "/{toObjectType}", h_assoc_list, RF_VERSIONED, SC_OBJ_READ, 0, 2),
    R("PUT",    VA4R "/default/{toObjectType}/{toObjectId}", h_assoc_put_default,
      RF_VERSIONED | RF_WRITE, SC_OBJ_WRITE, 0, 2),
    R("PUT",    VA4R "/{toObjectType}/{toObjectId}", h_assoc_put_labelled, RF_VERSIONED | RF_WRITE,
      SC_OBJ_WRITE, 0, 2),
    R("DELETE", VA4R "/{toObjectType}/{toObjectId}", h_assoc_delete, RF_VERSIONED | RF_WRITE,
      SC_OBJ_WRITE, 0, 2),
    R("POST",   VA4B "/batch/read", h_assoc_batch_read, RF_VERSIONED | RF_EXEMPT, SC_OBJ_READ, 0, 1),
    R("POST",   VA4B "/batch/create", h_assoc_batch_create, RF_VERSIONED | RF_WRITE | RF_EXEMPT,
      SC_OBJ_WRITE, 0, 1),
    R("POST",   VA4B "/batch/associate/default", h_assoc_batch_default,
      RF_VERSIONED | RF_WRITE | RF_EXEMPT, SC_OBJ_WRITE, 0, 1),
    R("POST",   VA4B "/batch/archive", h_assoc_batch_archive, RF_VERSIONED | RF_WRITE | RF_EXEMPT,
      SC_OBJ_WRITE, 0, 1),
    R("POST",   VA4B "/batch/labels/archive", h_assoc_batch_labels_archive,
      RF_VERSIONED | RF_WRITE | RF_EXEMPT, SC_OBJ_WRITE, 0, 1),
    R("GET",    VA4B "/labels", h_labels_get, RF_VERSIONED | RF_EXEMPT, SC_OBJ_READ, 0, 1),
    R("GET",    VPROPS, h_props_list, RF_VERSIONED, SC_SCHEMA_READ, 0, -1),
    R("GET",    VPROPS "/{propertyName}", h_props_get, RF_VERSIONED, SC_SCHEMA_READ, 0, -1),
    R("GET",    VPIPES, h_pipelines_list, RF_VERSIONED, SC_OBJ_READ, 0, -1),
    R("GET",    "/crm/owners/{version}", h_owners_list, RF_VERSIONED, SC_OWNERS, -1, -1),
    R("GET",    "/crm-object-schemas/{version}/schemas", h_schemas_list, RF_VERSIONED,
      SC_CUSTOM_SCHEMAS, -1, -1),

    /* Control API. */
    R("GET",    "/_fakehub/health", h_ctl_health, RF_CONTROL, SC_NONE, -1, -1),
    R("GET",    "/_fakehub/stats", h_ctl_stats, RF_CONTROL, SC_NONE, -1, -1),
    R("POST",   "/_fakehub/edit", h_ctl_edit, RF_CONTROL, SC_NONE, -1, -1),
    R("POST",   "/_fakehub/reset", h_ctl_reset, RF_CONTROL, SC_NONE, -1, -1),
    R("POST",   "/_fakehub/config", h_ctl_config, RF_CONTROL, SC_NONE, -1, -1),
    R("GET",    "/_fakehub/config", h_ctl_config, RF_CONTROL, SC_NONE, -1, -1),
    R("GET",    "/_fakehub/dump/{objectType}", h_ctl_dump, RF_CONTROL, SC_NONE, -1, -1),
    R("POST",   "/_fakehub/oauth/code", h_ctl_oauth_code, RF_CONTROL, SC_NONE, -1, -1),
};

/* Next non-empty segment of a path: start and length; false at the end. */
static bool next_segment(const char **p, const char **seg, size_t *len)
{
    while (**p == '/')
        (*p)++;
    if (!**p)
        return false;
    *seg = *p;
    while (**p && **p != '/')
        (*p)++;
    *len = (size_t)(*p - *seg);
    return true;
}

static void free_caps(char **caps, int *n)
{
    for (int i = 0; i < *n; i++)
        free(caps[i]);
    *n = 0;
}

/* Does path fit pattern? Fills caps on success. */
static bool match_one(const char *pattern, const char *path, char **caps, int *n_caps)
{
    const char *pp = pattern, *sp = path, *pseg, *sseg;
    size_t plen, slen;
    *n_caps = 0;
    for (;;) {
        bool more_p = next_segment(&pp, &pseg, &plen);
        bool more_s = next_segment(&sp, &sseg, &slen);
        if (!more_p || !more_s) {
            if (more_p == more_s)
                return true;
            free_caps(caps, n_caps);
            return false;
        }
        if (pseg[0] == '{') {
            if (*n_caps < FH_MAX_CAPTURES)
                caps[(*n_caps)++] = url_decode(sseg, slen, false);
        } else if (plen != slen || memcmp(pseg, sseg, plen) != 0) {
            free_caps(caps, n_caps);
            return false;
        }
    }
}

const fh_route *routes_match(const char *method, const char *path, char **caps, int *n_caps,
                             bool *wrong_method)
{
    *wrong_method = false;
    *n_caps = 0;
    for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
        if (!match_one(routes[i].pattern, path, caps, n_caps))
            continue;
        if (strcmp(routes[i].method, method) == 0)
            return &routes[i];
        *wrong_method = true;
        free_caps(caps, n_caps);
    }
    return NULL;
}
