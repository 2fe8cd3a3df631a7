/* metadata.c — the portal's definitions: properties and groups, pipelines,
 * owners, object schemas and account information. */
#include <stdlib.h>
#include <string.h>

#include "atypes.h"
#include "handlers.h"
#include "herr.h"
#include "jsonw.h"
#include "objects.h"

#define OWNERS_DEFAULT 100
#define OWNERS_MAX 500

/* ---- properties ----------------------------------------------------- */

void h_props_list(fh_req *r)
{
    const fh_otype *t = req_type(r, 0);
    bool archived;
    if (!t || !parse_archived(r, &archived))
        return;
    portal_lock(r->portal);
    json_t *results = json_array();
    for (int i = 0; i < t->n_props; i++)
        if (t->props[i]->archived == archived)
            json_array_append_new(results, propdef_json(&r->portal->model, t->props[i]));
    portal_unlock(r->portal);
    resp_json(r, 200, json_pack("{s:o}", "results", results));
}

static void property_not_found(fh_req *r, const fh_otype *t, const char *name)
{
    char *msg = xasprintf("Unable to find property named '%s' for object type %s", name, t->type_id);
    herr_not_found(r, msg);
    free(msg);
}

void h_props_get(fh_req *r)
{
    const fh_otype *t = req_type(r, 0);
    if (!t)
        return;
    portal_lock(r->portal);
    const fh_propdef *d = otype_prop(t, r->cap[1]);
    json_t *j = d ? propdef_json(&r->portal->model, d) : NULL;
    portal_unlock(r->portal);
    if (j)
        resp_json(r, 200, j);
    else
        property_not_found(r, t, r->cap[1]);
}

void h_props_create(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    json_t *body = req_json(r);
    if (!t)
        return;
    if (!json_is_object(body)) {
        herr_bad_json(r);
        return;
    }
    const char *name = json_string_value(json_object_get(body, "name"));
    portal_lock(p);
    fh_otype *mt = p->model.types[t->tidx];
    if (name && otype_prop(mt, name)) {
        portal_unlock(p);
        char *msg = xasprintf("Property named '%s' already exists.", name);
        herr_send(r, 409, "OBJECT_ALREADY_EXISTS", msg, NULL);
        free(msg);
        return;
    }
    char err[256];
    fh_propdef *d = otype_add_prop_json(mt, body, err, sizeof err);
    json_t *j = d ? propdef_json(&p->model, d) : NULL;
    if (d)
        portal_save_meta(p);
    portal_unlock(p);
    if (j)
        resp_json(r, 201, j);
    else
        herr_bad_request(r, "%s", err);
}

void h_props_batch_read(fh_req *r)
{
    const fh_otype *t = req_type(r, 0);
    json_t *inputs = json_object_get(req_json(r), "inputs");
    int64_t started = time_now_ms();
    if (!t)
        return;
    if (!json_is_array(inputs)) {
        herr_bad_request(r, "The body must be {\"inputs\":[{\"name\":…}]}");
        return;
    }
    json_t *results = json_array(), *missing = json_array();
    portal_lock(r->portal);
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in) {
        const char *name = json_string_value(json_object_get(in, "name"));
        const fh_propdef *d = otype_prop(t, name);
        if (d)
            json_array_append_new(results, propdef_json(&r->portal->model, d));
        else
            json_array_append_new(missing, json_string(name ? name : ""));
    }
    portal_unlock(r->portal);
    char s1[32], s2[32];
    time_format_iso(started, s1);
    time_format_iso(time_now_ms(), s2);
    json_t *j = json_pack("{s:s, s:o, s:s, s:s}", "status", "COMPLETE", "results", results,
                          "startedAt", s1, "completedAt", s2);
    int status = 200;
    if (json_array_size(missing)) {
        json_object_set_new(j, "numErrors", json_integer(1));
        json_object_set_new(j, "errors", json_pack("[o]", herr_item("OBJECT_NOT_FOUND",
            "Some properties do not exist", json_pack("{s:O}", "names", missing))));
        status = 207;
    }
    json_decref(missing);
    resp_json(r, status, j);
}

static json_t *group_json(const fh_group *g)
{
    return json_pack("{s:s, s:s, s:i, s:b}", "name", g->name, "label", g->label, "displayOrder",
                     g->display_order, "archived", false);
}

void h_groups_list(fh_req *r)
{
    const fh_otype *t = req_type(r, 0);
    if (!t)
        return;
    json_t *results = json_array();
    portal_lock(r->portal);
    for (int i = 0; i < t->n_groups; i++)
        json_array_append_new(results, group_json(&t->groups[i]));
    portal_unlock(r->portal);
    resp_json(r, 200, json_pack("{s:o}", "results", results));
}

void h_groups_get(fh_req *r)
{
    const fh_otype *t = req_type(r, 0);
    if (!t)
        return;
    portal_lock(r->portal);
    const fh_group *g = otype_group(t, r->cap[1]);
    json_t *j = g ? group_json(g) : NULL;
    portal_unlock(r->portal);
    if (j)
        resp_json(r, 200, j);
    else
        herr_not_found(r, "No such property group");
}

void h_groups_create(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    json_t *body = req_json(r);
    if (!t)
        return;
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *label = json_string_value(json_object_get(body, "label"));
    json_t *order = json_object_get(body, "displayOrder");
    if (str_empty(name) || str_empty(label)) {
        herr_bad_request(r, "name and label are required");
        return;
    }
    portal_lock(p);
    fh_otype *mt = p->model.types[t->tidx];
    bool exists = otype_group(mt, name) != NULL;
    bool ok = !exists && otype_add_group(mt, name, label,
                                         json_is_integer(order) ? (int)json_integer_value(order) : -1);
    json_t *j = NULL;
    if (ok) {
        mt->groups[mt->n_groups - 1].dynamic = true;
        j = group_json(&mt->groups[mt->n_groups - 1]);
        portal_save_meta(p);
    }
    portal_unlock(p);
    if (ok)
        resp_json(r, 201, j);
    else if (exists)
        herr_send(r, 409, "OBJECT_ALREADY_EXISTS", "A property group with this name already exists", NULL);
    else
        herr_bad_request(r, "Too many property groups");
}

/* ---- pipelines ------------------------------------------------------ */

/* "deals" or "tickets" for the path's type; answers 400 for others. */
static const char *pipeline_object(fh_req *r)
{
    const fh_otype *t = req_type(r, 0);
    if (!t)
        return NULL;
    if (t->tidx == T_DEALS)
        return "deals";
    if (t->tidx == T_TICKETS)
        return "tickets";
    herr_bad_request(r, "Pipelines are not supported for %s", t->name);
    return NULL;
}

void h_pipelines_list(fh_req *r)
{
    const char *object = pipeline_object(r);
    if (!object)
        return;
    int n;
    const fh_pipeline *pl = model_pipelines(object, &n);
    json_t *results = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(results, pipeline_json(&pl[i]));
    resp_json(r, 200, json_pack("{s:o}", "results", results));
}

static const fh_pipeline *path_pipeline(fh_req *r)
{
    const char *object = pipeline_object(r);
    if (!object)
        return NULL;
    const fh_pipeline *pl = model_pipeline(object, r->cap[1]);
    if (!pl) {
        char *msg = xasprintf("Unable to find pipeline %s", r->cap[1]);
        herr_not_found(r, msg);
        free(msg);
    }
    return pl;
}

void h_pipeline_get(fh_req *r)
{
    const fh_pipeline *pl = path_pipeline(r);
    if (pl)
        resp_json(r, 200, pipeline_json(pl));
}

void h_pipeline_stages(fh_req *r)
{
    const fh_pipeline *pl = path_pipeline(r);
    if (!pl)
        return;
    json_t *results = json_array();
    for (int i = 0; i < pl->n_stages; i++)
        json_array_append_new(results, stage_json(pl, &pl->stages[i]));
    resp_json(r, 200, json_pack("{s:o}", "results", results));
}

void h_pipeline_stage_get(fh_req *r)
{
    const fh_pipeline *pl = path_pipeline(r);
    if (!pl)
        return;
    const fh_stage *s = pipeline_stage(pl, r->cap[2]);
    if (s)
        resp_json(r, 200, stage_json(pl, s));
    else
        herr_not_found(r, "Unable to find the pipeline stage");
}

/* ---- owners --------------------------------------------------------- */

void h_owners_list(fh_req *r)
{
    const fh_model *m = &r->portal->model;
    int limit;
    bool archived;
    int64_t from = 0;
    const char *after = req_arg(r, "after"), *email = req_arg(r, "email");
    if (!parse_limit(r, req_arg(r, "limit"), OWNERS_DEFAULT, OWNERS_MAX, &limit) ||
        !parse_archived(r, &archived))
        return;
    if (after && !cursor_decode(after, &from)) {
        herr_bad_request(r, "Invalid paging cursor: after=%s", after);
        return;
    }
    json_t *results = json_array();
    int64_t next = 0;
    for (int i = (int)from; i < m->n_owners; i++) {
        const fh_owner *o = &m->owners[i];
        if (o->archived != archived || (email && strcasecmp(email, o->email) != 0))
            continue;
        if ((int)json_array_size(results) == limit) {
            next = i;
            break;
        }
        json_array_append_new(results, owner_json(o));
    }
    json_t *j = json_pack("{s:o}", "results", results);
    if (next) {
        char cur[32];
        cursor_encode(next, cur);
        json_object_set_new(j, "paging", json_pack("{s:{s:s}}", "next", "after", cur));
    }
    resp_json(r, 200, j);
}

void h_owner_get(fh_req *r)
{
    const fh_model *m = &r->portal->model;
    const char *by = req_arg(r, "idProperty");
    bool archived;
    if (!parse_archived(r, &archived))
        return;
    if (by && strcmp(by, "id") != 0 && strcmp(by, "userId") != 0) {
        herr_bad_request(r, "idProperty must be id or userId");
        return;
    }
    for (int i = 0; i < m->n_owners; i++) {
        const fh_owner *o = &m->owners[i];
        char uid[24];
        fmt_i64(o->user_id, uid);
        bool hit = by && strcmp(by, "userId") == 0 ? strcmp(uid, r->cap[0]) == 0
                                                    : strcmp(o->id, r->cap[0]) == 0;
        if (hit && o->archived == archived) {
            resp_json(r, 200, owner_json(o));
            return;
        }
    }
    herr_not_found(r, "Owner not found");
}

/* ---- schemas -------------------------------------------------------- */

static json_t *schema_json(fh_portal *p, const fh_otype *t, bool props, bool assocs)
{
    char created[32];
    time_format_iso(t->created_at, created);
    json_t *searchable = json_array(), *required = json_array(), *secondary = json_array();
    for (int i = 0; i < t->n_props; i++) {
        if (t->props[i]->query)
            json_array_append_new(searchable, json_string(t->props[i]->name));
        if (t->props[i]->required)
            json_array_append_new(required, json_string(t->props[i]->name));
    }
    if (t->custom) {
        json_array_append_new(required, json_string(t->primary_display));
        json_array_append_new(secondary, json_string("vin"));
    }
    const char *id = strchr(t->type_id, '-') + 1;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:b, s:s, s:s, s:s}",
        "id", id, "objectTypeId", t->type_id, "fullyQualifiedName", t->fqn[0] ? t->fqn : t->name,
        "name", t->name, "labels", "singular", t->label_singular, "plural", t->label_plural,
        "primaryDisplayProperty", t->primary_display, "secondaryDisplayProperties", secondary,
        "requiredProperties", required, "searchableProperties", searchable, "archived", false,
        "createdAt", created, "updatedAt", created,
        "metaType", t->custom ? "PORTAL_SPECIFIC" : "HUBSPOT");
    if (props) {
        json_t *arr = json_array();
        for (int i = 0; i < t->n_props; i++)
            if (!t->props[i]->archived)
                json_array_append_new(arr, propdef_json(&p->model, t->props[i]));
        json_object_set_new(j, "properties", arr);
    }
    if (assocs) {
        json_t *arr = json_array();
        for (int i = 0; i < p->atypes.n; i++) {
            const fh_atype *at = &p->atypes.v[i];
            if (at->deleted || (at->from != t->tidx && at->to != t->tidx) || !at->is_default)
                continue;
            char aid[16];
            snprintf(aid, sizeof aid, "%d", at->id);
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "id", aid, "name", at->name,
                "fromObjectTypeId", p->model.types[at->from]->type_id,
                "toObjectTypeId", p->model.types[at->to]->type_id));
        }
        json_object_set_new(j, "associations", arr);
    }
    return j;
}

static bool flag(const fh_req *r, const char *name)
{
    const char *v = req_arg(r, name);
    return !v || strcmp(v, "false") != 0;
}

void h_schemas_list(fh_req *r)
{
    fh_portal *p = r->portal;
    bool archived;
    if (!parse_archived(r, &archived))
        return;
    json_t *results = json_array();
    portal_lock(p);
    for (int i = 0; !archived && i < p->model.n_types; i++)
        if (p->model.types[i]->custom)
            json_array_append_new(results, schema_json(p, p->model.types[i],
                                                       flag(r, "includePropertyDefinitions"),
                                                       flag(r, "includeAssociationDefinitions")));
    portal_unlock(p);
    resp_json(r, 200, json_pack("{s:o}", "results", results));
}

void h_schema_get(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = model_type(&p->model, r->cap[0]);
    if (!t) {
        herr_not_found(r, "Unable to find a schema for this object type");
        return;
    }
    portal_lock(p);
    json_t *j = schema_json(p, t, true, true);
    portal_unlock(p);
    resp_json(r, 200, j);
}

/* ---- account -------------------------------------------------------- */

void h_account_details(fh_req *r)
{
    int64_t off = portal_utc_offset_ms(time_now_ms());
    char text[16];
    int64_t a = off < 0 ? -off : off;
    snprintf(text, sizeof text, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(a / 3600000),
             (int)(a / 60000 % 60));
    resp_json(r, 200, json_pack("{s:I, s:s, s:s, s:s, s:[s], s:s, s:I, s:s, s:s}",
        "portalId", (json_int_t)r->portal->model.portal_id, "accountType", "STANDARD",
        "timeZone", portal_time_zone(), "companyCurrency", "USD", "additionalCurrencies", "EUR",
        "utcOffset", text, "utcOffsetMilliseconds", (json_int_t)off, "uiDomain", "app.hubspot.com",
        "dataHostingLocation", "na1"));
}

void h_account_usage(fh_req *r)
{
    fh_portal *p = r->portal;
    int64_t now = time_now_ms(), day = portal_day(now);
    fh_settings s = portal_settings(p);
    /* The next local midnight. */
    int64_t off = portal_utc_offset_ms(now);
    int64_t resets = (day + 1) * 86400000 - off;
    char collected[32], reset_at[32];
    time_format_iso(now, collected);
    time_format_iso(resets, reset_at);
    resp_json(r, 200, json_pack("{s:[{s:s, s:I, s:I, s:s, s:s, s:s}]}", "results",
        "name", "api-calls-daily", "usageLimit", (json_int_t)s.daily_max,
        "currentUsage", (json_int_t)limiter_daily_used(p->limiter, day),
        "collectedAt", collected, "fetchStatus", "SUCCESS", "resetsAt", reset_at));
}
