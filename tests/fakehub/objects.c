/* objects.c — objects v3, one record at a time: list, get, create, update,
 * archive, merge and GDPR delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assoc.h"
#include "handlers.h"
#include "herr.h"
#include "jsonw.h"
#include "objects.h"
#include "record.h"
#include "write.h"

#define LIST_MAX 100

const fh_otype *req_type(fh_req *r, int cap)
{
    const fh_otype *t = cap < r->n_cap ? model_type(&r->portal->model, r->cap[cap]) : NULL;
    if (!t)
        herr_unknown_type(r, cap < r->n_cap ? r->cap[cap] : "");
    return t;
}

bool parse_limit(fh_req *r, const char *text, int def, int max, int *out)
{
    int64_t v;
    if (!text) {
        *out = def;
        return true;
    }
    if (!str_to_i64(text, &v) || v < 1 || v > max) {
        herr_bad_request(r, "limit must be an integer from 1 to %d (got %s)", max, text);
        return false;
    }
    *out = (int)v;
    return true;
}

bool parse_archived(fh_req *r, bool *archived)
{
    const char *a = req_arg(r, "archived");
    if (!a || strcmp(a, "false") == 0) {
        *archived = false;
        return true;
    }
    if (strcmp(a, "true") == 0) {
        *archived = true;
        return true;
    }
    herr_bad_request(r, "archived must be true or false (got %s)", a);
    return false;
}

void paging_link(fh_req *r, strbuf *sb, const char *after, const char *path, int limit)
{
    strbuf_puts(sb, ",\"paging\":{\"next\":{\"after\":");
    jw_str(sb, after);
    strbuf link = {0};
    strbuf_printf(&link, "%s%s?limit=%d&after=", r->portal->base_url, path, limit);
    http_escape(&link, after);
    strbuf_puts(sb, ",\"link\":");
    jw_str(sb, strbuf_str(&link));
    strbuf_puts(sb, "}}");
    strbuf_free(&link);
}

/* Answer with one record read under the lock (released here). */
void respond_record(fh_req *r, const fh_otype *t, int64_t rid, fh_readopts *o, int status)
{
    fh_portal *p = r->portal;
    fh_rowset rs = {0};
    int n = store_rec_get(p->store, rid, &rs);
    char **extra = n == 1 ? record_extras(p, t, &rs, o) : NULL;
    portal_unlock(p);
    if (n != 1) {
        herr_not_found(r, "resource not found");
    } else {
        strbuf_reset(&r->out);
        record_json(&r->out, t, &rs, &rs.rows[0], o, extra ? extra[0] : NULL);
        resp_out(r, status);
    }
    extras_free(extra, rs.n);
    rowset_free(&rs);
}

void h_obj_list(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    int limit;
    bool archived;
    int64_t from = 0;
    const char *after = req_arg(r, "after");
    if (!t || !parse_limit(r, req_arg(r, "limit"), 10, LIST_MAX, &limit) || !parse_archived(r, &archived))
        return;
    if (after && !cursor_decode(after, &from)) {
        herr_bad_request(r, "Invalid paging cursor: after=%s", after);
        return;
    }
    fh_readopts o;
    fh_rowset rs = {0};
    portal_lock(p);
    readopts_from_query(r, &p->model, t, &o);
    int n = store_rec_list(p->store, t->tidx, archived, fh_rid(t->tidx, from > 0 ? from : 0),
                           limit + 1, &rs);
    int64_t next = 0;
    if (n > limit) {
        next = fh_rid_id(rs.rows[limit].rid);
        rs.n = (size_t)limit;
    }
    char **extra = n >= 0 ? record_extras(p, t, &rs, &o) : NULL;
    portal_unlock(p);
    if (n < 0) {
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
        rowset_free(&rs);
        return;
    }
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"results\":[");
    for (size_t i = 0; i < rs.n; i++) {
        if (i)
            strbuf_putc(sb, ',');
        record_json(sb, t, &rs, &rs.rows[i], &o, extra ? extra[i] : NULL);
    }
    strbuf_putc(sb, ']');
    if (next) {
        char cur[32];
        cursor_encode(next, cur);
        char *path = xasprintf("/crm/v3/objects/%s", r->cap[0]);
        paging_link(r, sb, cur, path, limit);
        free(path);
    }
    strbuf_putc(sb, '}');
    resp_out(r, 200);
    extras_free(extra, rs.n);
    rowset_free(&rs);
}

/* Find a live (or, with ?archived=true, archived) record from the path. */
static bool find_record(fh_req *r, const fh_otype *t, bool want_archived, int64_t *rid)
{
    fh_portal *p = r->portal;
    int found = resolve_id(p, t, r->cap[1], req_arg(r, "idProperty"), rid);
    if (found < 0) {
        herr_bad_request(r, "Property %s is not a unique property of %s and cannot be used as "
                         "idProperty", req_arg(r, "idProperty"), t->name);
        return false;
    }
    fh_rowset rs = {0};
    bool ok = found == 1 && store_rec_get(p->store, *rid, &rs) == 1 &&
              rs.rows[0].archived == want_archived;
    rowset_free(&rs);
    if (!ok)
        herr_not_found(r, parse_record_id(r->cap[1], rid) || req_arg(r, "idProperty")
                              ? "resource not found"
                              : "Object not found.  objectId are usually numeric.");
    return ok;
}

void h_obj_get(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    bool archived;
    if (!t || !parse_archived(r, &archived))
        return;
    portal_lock(p);
    int64_t rid;
    if (!find_record(r, t, archived, &rid)) {
        portal_unlock(p);
        return;
    }
    fh_readopts o;
    readopts_from_query(r, &p->model, t, &o);
    respond_record(r, t, rid, &o, 200);
}

/* The properties a write answer shows: the defaults and what was written. */
void write_readopts(const fh_otype *t, const fh_changes *ch, fh_readopts *o)
{
    memset(o, 0, sizeof *o);
    o->n_props = t->n_props;
    propsel_defaults(t, &o->props);
    for (int i = 0; i < ch->n; i++)
        o->props.idx[o->props.n++] = (short)ch->v[i].pidx;
    propsel_finish(t, &o->props);
    int w = 0;
    for (int i = 0; i < o->props.n; i++)
        if (w == 0 || o->props.idx[w - 1] != o->props.idx[i])
            o->props.idx[w++] = o->props.idx[i];
    o->props.n = w;
}

/* Check the "associations" of a create body; false (answered) when bad. */
bool check_create_assocs(fh_req *r, const fh_otype *t, const json_t *assocs)
{
    fh_portal *p = r->portal;
    if (!assocs || json_is_null(assocs))
        return true;
    if (!json_is_array(assocs)) {
        herr_bad_request(r, "associations must be an array");
        return false;
    }
    size_t i;
    json_t *a;
    json_array_foreach(assocs, i, a) {
        const char *to_id = json_string_value(json_object_get(json_object_get(a, "to"), "id"));
        json_t *types = json_object_get(a, "types");
        int64_t id;
        if (!to_id || !parse_record_id(to_id, &id) || json_array_size(types) == 0) {
            herr_bad_request(r, "associations[%zu] needs to.id and types[]", i);
            return false;
        }
        size_t k;
        json_t *ty;
        json_array_foreach(types, k, ty) {
            const fh_atype *at = atypes_get(&p->atypes,
                (int)json_integer_value(json_object_get(ty, "associationTypeId")));
            const char *cat = json_string_value(json_object_get(ty, "associationCategory"));
            if (!at || at->from != t->tidx || !cat || strcmp(cat, atype_category(at)) != 0) {
                herr_bad_request(r, "associations[%zu].types[%zu]: %s %lld is not a valid "
                                 "association type from %s", i, k, cat ? cat : "(no category)",
                                 (long long)json_integer_value(json_object_get(ty, "associationTypeId")),
                                 t->name);
                return false;
            }
            if (!record_live(p, fh_rid(at->to, id))) {
                herr_bad_request(r, "associations[%zu]: %s %s does not exist", i,
                                 p->model.types[at->to]->singular, to_id);
                return false;
            }
        }
    }
    return true;
}

bool apply_create_assocs(fh_portal *p, int64_t rid, const json_t *assocs)
{
    size_t i, k;
    json_t *a, *ty;
    json_array_foreach(assocs, i, a) {
        int64_t id = 0;
        parse_record_id(json_string_value(json_object_get(json_object_get(a, "to"), "id")), &id);
        json_array_foreach(json_object_get(a, "types"), k, ty) {
            const fh_atype *at = atypes_get(&p->atypes,
                (int)json_integer_value(json_object_get(ty, "associationTypeId")));
            if (at && !assoc_link(p, rid, fh_rid(at->to, id), at))
                return false;
        }
    }
    return true;
}

void h_obj_create(fh_req *r)
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
    fh_changes ch = {0};
    fh_wfail f = {0};
    fh_writer w;
    writer_api(r, &w);
    json_t *assocs = json_object_get(body, "associations");
    portal_lock(p);
    if (!check_create_assocs(r, t, assocs)) {
        portal_unlock(p);
        return;
    }
    if (!write_check_create(p, t, json_object_get(body, "properties"), &ch, NULL, &f)) {
        portal_unlock(p);
        changes_free(&ch);
        wfail_send(r, &f);
        return;
    }
    int64_t rid, now = portal_write_clock(p);
    bool ok = store_begin(p->store) && write_apply_create(p, t, &ch, &w, now, &rid) &&
              apply_create_assocs(p, rid, assocs) && store_commit(p->store);
    if (!ok) {
        store_rollback(p->store);
        portal_unlock(p);
        changes_free(&ch);
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
        return;
    }
    fh_readopts o;
    write_readopts(t, &ch, &o);
    changes_free(&ch);
    respond_record(r, t, rid, &o, 201);
}

void h_obj_update(fh_req *r)
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
    fh_changes ch = {0};
    fh_wfail f = {0};
    fh_writer w;
    writer_api(r, &w);
    portal_lock(p);
    int64_t rid;
    if (!find_record(r, t, false, &rid)) {
        portal_unlock(p);
        return;
    }
    if (!write_check_update(p, t, rid, json_object_get(body, "properties"), &ch, NULL, &f)) {
        portal_unlock(p);
        changes_free(&ch);
        wfail_send(r, &f);
        return;
    }
    int64_t now = portal_write_clock(p);
    bool ok = store_begin(p->store) && write_apply_update(p, t, rid, &ch, &w, now) &&
              store_commit(p->store);
    if (!ok) {
        store_rollback(p->store);
        portal_unlock(p);
        changes_free(&ch);
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
        return;
    }
    fh_readopts o;
    write_readopts(t, &ch, &o);
    changes_free(&ch);
    respond_record(r, t, rid, &o, 200);
}

void h_obj_archive(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    if (!t)
        return;
    portal_lock(p);
    int64_t rid;
    /* Archiving is idempotent: unknown or archived ids answer 204 too. */
    if (resolve_id(p, t, r->cap[1], req_arg(r, "idProperty"), &rid) == 1 && record_live(p, rid)) {
        int64_t now = portal_write_clock(p);
        if (!store_begin(p->store) || !write_archive(p, t, rid, now) || !store_commit(p->store)) {
            store_rollback(p->store);
            portal_unlock(p);
            herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
            return;
        }
    }
    portal_unlock(p);
    resp_empty(r, 204);
}

static bool body_id(const json_t *body, const char *key, int64_t *id)
{
    json_t *v = json_object_get(body, key);
    if (json_is_integer(v)) {
        *id = json_integer_value(v);
        return *id > 0 && *id <= FH_ID_MAX;
    }
    return parse_record_id(json_string_value(v), id);
}

void h_obj_merge(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    json_t *body = req_json(r);
    int64_t a, b;
    if (!t)
        return;
    if (!t->mergeable) {
        herr_send(r, 404, "OBJECT_NOT_FOUND", "Merging is not supported for this object type", NULL);
        return;
    }
    if (!json_is_object(body) || !body_id(body, "primaryObjectId", &a) ||
        !body_id(body, "objectIdToMerge", &b)) {
        herr_bad_request(r, "primaryObjectId and objectIdToMerge must be record ids");
        return;
    }
    if (a == b) {
        herr_bad_request(r, "Cannot merge a record with itself");
        return;
    }
    fh_writer w;
    writer_api(r, &w);
    portal_lock(p);
    int64_t ra = fh_rid(t->tidx, a), rb = fh_rid(t->tidx, b);
    if (!record_live(p, ra) || !record_live(p, rb)) {
        portal_unlock(p);
        herr_not_found(r, "resource not found");
        return;
    }
    int64_t now = portal_write_clock(p);
    if (!store_begin(p->store) || !write_merge(p, t, ra, rb, &w, now) || !store_commit(p->store)) {
        store_rollback(p->store);
        portal_unlock(p);
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
        return;
    }
    fh_readopts o;
    memset(&o, 0, sizeof o);
    o.n_props = t->n_props;
    propsel_defaults(t, &o.props);
    respond_record(r, t, ra, &o, 200);
}

void h_obj_gdpr_delete(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    json_t *body = req_json(r);
    if (!t)
        return;
    if (t->tidx != T_CONTACTS) {
        herr_send(r, 404, "OBJECT_NOT_FOUND", "GDPR delete exists for contacts only", NULL);
        return;
    }
    const char *id = json_string_value(json_object_get(body, "objectId"));
    if (!id) {
        herr_bad_request(r, "objectId is required");
        return;
    }
    portal_lock(p);
    int64_t rid;
    int found = resolve_id(p, t, id, json_string_value(json_object_get(body, "idProperty")), &rid);
    fh_rowset rs = {0};
    bool exists = found == 1 && store_rec_get(p->store, rid, &rs) == 1;
    rowset_free(&rs);
    if (!exists) {
        portal_unlock(p);
        herr_not_found(r, "resource not found");
        return;
    }
    bool ok = store_begin(p->store) && write_purge(p, t, rid) && store_commit(p->store);
    if (!ok)
        store_rollback(p->store);
    portal_unlock(p);
    if (ok)
        resp_empty(r, 204);
    else
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
}
