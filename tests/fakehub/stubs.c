#include "handlers.h"
#include "herr.h"
#define STUB(name) void name(fh_req *r) { herr_send(r, 501, "NOT_IMPLEMENTED", #name, NULL); }
STUB(h_batch_read) STUB(h_batch_create) STUB(h_batch_update) STUB(h_batch_upsert) STUB(h_batch_archive)
STUB(h_search)
STUB(h_props_list) STUB(h_props_get) STUB(h_props_create) STUB(h_props_batch_read)
STUB(h_groups_list) STUB(h_groups_get) STUB(h_groups_create) STUB(h_pipelines_list)
STUB(h_pipeline_get) STUB(h_pipeline_stages) STUB(h_pipeline_stage_get) STUB(h_owners_list)
STUB(h_owner_get) STUB(h_schemas_list) STUB(h_schema_get) STUB(h_account_details) STUB(h_account_usage)
STUB(h_oauth_token) STUB(h_oauth_access_info) STUB(h_oauth_refresh_info) STUB(h_oauth_refresh_delete)
STUB(h_ctl_health) STUB(h_ctl_stats) STUB(h_ctl_edit) STUB(h_ctl_reset) STUB(h_ctl_config)
STUB(h_ctl_dump) STUB(h_ctl_oauth_code)
