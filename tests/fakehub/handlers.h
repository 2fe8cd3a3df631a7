/* handlers.h — every endpoint's handler, by module. Each answers one route
 * of routes.c; the server has already authenticated, rate-limited and
 * scope-checked the request. Path captures arrive in r->cap[]. */
#ifndef FAKEHUB_HANDLERS_H
#define FAKEHUB_HANDLERS_H

#include "http.h"

/* objects.c — objects v3: single-record calls. */
void h_obj_list(fh_req *r);          /* GET /crm/v3/objects/{t} */
void h_obj_create(fh_req *r);        /* POST /crm/v3/objects/{t} */
void h_obj_get(fh_req *r);           /* GET /crm/v3/objects/{t}/{id} */
void h_obj_update(fh_req *r);        /* PATCH /crm/v3/objects/{t}/{id} */
void h_obj_archive(fh_req *r);       /* DELETE /crm/v3/objects/{t}/{id} */
void h_obj_merge(fh_req *r);         /* POST /crm/v3/objects/{t}/merge */
void h_obj_gdpr_delete(fh_req *r);   /* POST /crm/v3/objects/contacts/gdpr-delete */

/* batch.c — objects v3 batch calls. */
void h_batch_read(fh_req *r);
void h_batch_create(fh_req *r);
void h_batch_update(fh_req *r);
void h_batch_upsert(fh_req *r);
void h_batch_archive(fh_req *r);

/* search.c — POST /crm/v3/objects/{t}/search. */
void h_search(fh_req *r);

/* assoc.c — associations v4. */
void h_assoc_list(fh_req *r);
void h_assoc_put_default(fh_req *r);
void h_assoc_put_labelled(fh_req *r);
void h_assoc_delete(fh_req *r);
void h_assoc_batch_read(fh_req *r);
void h_assoc_batch_create(fh_req *r);
void h_assoc_batch_default(fh_req *r);
void h_assoc_batch_archive(fh_req *r);
void h_assoc_batch_labels_archive(fh_req *r);
void h_labels_get(fh_req *r);
void h_labels_create(fh_req *r);
void h_labels_update(fh_req *r);
void h_labels_delete(fh_req *r);

/* metadata.c — properties, groups, pipelines, owners, schemas, account. */
void h_props_list(fh_req *r);
void h_props_get(fh_req *r);
void h_props_create(fh_req *r);
void h_props_batch_read(fh_req *r);
void h_groups_list(fh_req *r);
void h_groups_get(fh_req *r);
void h_groups_create(fh_req *r);
void h_pipelines_list(fh_req *r);
void h_pipeline_get(fh_req *r);
void h_pipeline_stages(fh_req *r);
void h_pipeline_stage_get(fh_req *r);
void h_owners_list(fh_req *r);
void h_owner_get(fh_req *r);
void h_schemas_list(fh_req *r);
void h_schema_get(fh_req *r);
void h_account_details(fh_req *r);
void h_account_usage(fh_req *r);

/* oauth.c — the OAuth v1 token endpoints. */
void h_oauth_token(fh_req *r);
void h_oauth_access_info(fh_req *r);
void h_oauth_refresh_info(fh_req *r);
void h_oauth_refresh_delete(fh_req *r);

/* control.c — /_fakehub/ (tests only; no token, limits or faults). */
void h_ctl_health(fh_req *r);
void h_ctl_stats(fh_req *r);
void h_ctl_edit(fh_req *r);
void h_ctl_reset(fh_req *r);
void h_ctl_config(fh_req *r);
void h_ctl_dump(fh_req *r);
void h_ctl_oauth_code(fh_req *r);

#endif
