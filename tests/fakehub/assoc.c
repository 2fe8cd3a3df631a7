/* assoc.c — associations v4: per-record list and writes, batch calls and
 * labels, on top of the association rules (assoc.h). */
#include "assoc.h"

#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "herr.h"
#include "jsonw.h"
#include "objects.h"
#include "record.h"

#define LIST_MAX 500
#define BATCH_READ_MAX 1000
#define BATCH_WRITE_MAX 2000
#define CHUNK 1024

/* ---- rules ---------------------------------------------------------- */

bool record_live(fh_portal *p, int64_t rid)
{
    fh_rowset rs = {0};
    bool live = store_rec_get(p->store, rid, &rs) == 1 && !rs.rows[0].archived;
    rowset_free(&rs);
    return live;
}

static bool link_one(fh_portal *p, int64_t from, int64_t to, const fh_atype *at)
{
    if (at->primary_owner == 1 &&
        !store_assoc_clear_primary(p->store, from, at->id, at->inverse, to))
        return false;
    if (at->primary_owner == 2 &&
        !store_assoc_clear_primary(p->store, to, at->inverse, at->id, from))
        return false;
    if (!store_assoc_add(p->store, from, to, at->id))
        return false;
    const fh_atype *inv = atypes_get(&p->atypes, at->inverse);
    return !inv || store_assoc_add(p->store, to, from, inv->id);
}

bool assoc_link(fh_portal *p, int64_t from, int64_t to, const fh_atype *at)
{
    if (!at->is_default) {
        const fh_atype *def = atypes_default(&p->atypes, at->from, at->to);
        if (def && !link_one(p, from, to, def))
            return false;
    }
    return link_one(p, from, to, at);
}

bool assoc_unlink_pair(fh_portal *p, int64_t a, int64_t b)
{
    return store_assoc_del_pair(p->store, a, b) && store_assoc_del_pair(p->store, b, a);
}

bool assoc_unlink_type(fh_portal *p, int64_t from, int64_t to, const fh_atype *at)
{
    if (at->is_default)
        return assoc_unlink_pair(p, from, to);
    return store_assoc_del(p->store, from, to, at->id) &&
           store_assoc_del(p->store, to, from, at->inverse);
}

/* ---- JSON pieces ---------------------------------------------------- */

static void type_json(strbuf *sb, const fh_portal *p, int type_id)
{
    const fh_atype *at = atypes_get(&p->atypes, type_id);
    strbuf_puts(sb, "{\"category\":");
    jw_str(sb, at ? atype_category(at) : "HUBSPOT_DEFINED");
    strbuf_puts(sb, ",\"typeId\":");
    jw_i64(sb, type_id);
    strbuf_puts(sb, ",\"label\":");
    jw_str(sb, at ? at->label : NULL);
    strbuf_putc(sb, '}');
}

/* Write up to limit targets of from (grouped rows) starting at start_rid as
 * [{"toObjectId":n,"associationTypes":[…]}]; *next gets the id of the
 * first target left out (0 when none). Returns the number of targets. */
static int targets_json(fh_portal *p, int64_t from, int to_tidx, int64_t start_rid, int limit,
                        strbuf *sb, int64_t *next)
{
    fh_assoc_row *rows = xmalloc(sizeof *rows * CHUNK);
    int targets = 0;
    int64_t cursor = start_rid, last = -1;
    *next = 0;
    strbuf_putc(sb, '[');
    for (;;) {
        int n = store_assoc_list(p->store, from, to_tidx, cursor, rows, CHUNK);
        if (n <= 0)
            break;
        /* Rows come ordered by (to, type); a full chunk may end inside a
         * target, so leave that target for the next read. */
        int upto = n;
        if (n == CHUNK) {
            upto = n - 1;
            while (upto > 0 && rows[upto - 1].to == rows[n - 1].to)
                upto--;
            if (upto == 0)
                upto = n;   /* one pair with a chunk of types: not a real case */
        }
        for (int i = 0; i < upto; i++) {
            if (rows[i].to != last) {
                if (targets == limit) {
                    *next = fh_rid_id(rows[i].to);
                    goto done;
                }
                strbuf_puts(sb, targets ? "]},{\"toObjectId\":" : "{\"toObjectId\":");
                jw_i64(sb, fh_rid_id(rows[i].to));
                strbuf_puts(sb, ",\"associationTypes\":[");
                targets++;
                last = rows[i].to;
            } else {
                strbuf_putc(sb, ',');
            }
            type_json(sb, p, rows[i].type_id);
        }
        if (n < CHUNK || upto == n)
            break;
        cursor = rows[upto].to;
    }
done:
    if (targets)
        strbuf_puts(sb, "]}");
    strbuf_putc(sb, ']');
    free(rows);
    return targets;
}

static void batch_times(strbuf *sb, int64_t started)
{
    strbuf_puts(sb, ",\"startedAt\":");
    jw_iso(sb, started);
    strbuf_puts(sb, ",\"completedAt\":");
    jw_iso(sb, time_now_ms());
}

/* The two type captures of a v4 path, answering 400 when unknown. */
static bool pair_types(fh_req *r, int c0, int c1, const fh_otype **a, const fh_otype **b)
{
    *a = req_type(r, c0);
    *b = *a ? req_type(r, c1) : NULL;
    return *a && *b;
}

/* ---- per-record calls ----------------------------------------------- */

void h_assoc_list(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int limit;
    int64_t id, after = 0;
    if (!pair_types(r, 0, 2, &ft, &tt) || !parse_limit(r, req_arg(r, "limit"), LIST_MAX, LIST_MAX, &limit))
        return;
    const char *a = req_arg(r, "after");
    if (a && !cursor_decode(a, &after)) {
        herr_bad_request(r, "Invalid paging cursor: after=%s", a);
        return;
    }
    if (!parse_record_id(r->cap[1], &id)) {
        herr_not_found(r, "resource not found");
        return;
    }
    portal_lock(p);
    if (!record_live(p, fh_rid(ft->tidx, id))) {
        portal_unlock(p);
        herr_not_found(r, "resource not found");
        return;
    }
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"results\":");
    int64_t next;
    targets_json(p, fh_rid(ft->tidx, id), tt->tidx, fh_rid(tt->tidx, after), limit, sb, &next);
    portal_unlock(p);
    if (next) {
        char cur[32];
        cursor_encode(next, cur);
        char *path = xasprintf("/crm/v4/objects/%s/%s/associations/%s", r->cap[0], r->cap[1], r->cap[2]);
        paging_link(r, sb, cur, path, limit);
        free(path);
    }
    strbuf_putc(sb, '}');
    resp_out(r, 200);
}

/* Both records of a per-record write, live; answers 404 otherwise. */
static bool pair_records(fh_req *r, const fh_otype *ft, const fh_otype *tt, int64_t *from,
                         int64_t *to)
{
    int64_t a, b;
    if (!parse_record_id(r->cap[1], &a) || !parse_record_id(r->cap[3], &b) ||
        !record_live(r->portal, fh_rid(ft->tidx, a)) || !record_live(r->portal, fh_rid(tt->tidx, b))) {
        herr_not_found(r, "resource not found");
        return false;
    }
    *from = fh_rid(ft->tidx, a);
    *to = fh_rid(tt->tidx, b);
    return true;
}

static bool commit_or_fail(fh_req *r, bool ok)
{
    fh_portal *p = r->portal;
    if (ok && store_commit(p->store))
        return true;
    store_rollback(p->store);
    herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
    return false;
}

static void spec_json(strbuf *sb, const fh_atype *at)
{
    strbuf_puts(sb, "{\"associationCategory\":");
    jw_str(sb, atype_category(at));
    strbuf_puts(sb, ",\"associationTypeId\":");
    jw_i64(sb, at->id);
    strbuf_putc(sb, '}');
}

/* {"from":{"id"},"to":{"id"},"associationSpec":{…}} for both directions. */
static void default_result(strbuf *sb, const fh_portal *p, int64_t from, int64_t to,
                           const fh_atype *def, bool first)
{
    const fh_atype *inv = atypes_get(&p->atypes, def->inverse);
    for (int dir = 0; dir < 2; dir++) {
        const fh_atype *at = dir ? inv : def;
        if (!at)
            continue;
        strbuf_puts(sb, first && dir == 0 ? "{\"from\":{\"id\":" : ",{\"from\":{\"id\":");
        jw_i64str(sb, fh_rid_id(dir ? to : from));
        strbuf_puts(sb, "},\"to\":{\"id\":");
        jw_i64str(sb, fh_rid_id(dir ? from : to));
        strbuf_puts(sb, "},\"associationSpec\":");
        spec_json(sb, at);
        strbuf_putc(sb, '}');
    }
}

void h_assoc_put_default(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int64_t from, to, started = time_now_ms();
    if (!pair_types(r, 0, 2, &ft, &tt))
        return;
    portal_lock(p);
    const fh_atype *def = atypes_default(&p->atypes, ft->tidx, tt->tidx);
    if (!def) {
        portal_unlock(p);
        herr_bad_request(r, "%s cannot be associated with %s", ft->name, tt->name);
        return;
    }
    if (!pair_records(r, ft, tt, &from, &to)) {
        portal_unlock(p);
        return;
    }
    if (!store_begin(p->store) || !commit_or_fail(r, assoc_link(p, from, to, def))) {
        portal_unlock(p);
        return;
    }
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"status\":\"COMPLETE\",\"results\":[");
    default_result(sb, p, from, to, def, true);
    strbuf_putc(sb, ']');
    portal_unlock(p);
    batch_times(sb, started);
    strbuf_putc(sb, '}');
    resp_out(r, 200);
}

/* The type a spec object names, checked against the pair; NULL if bad. */
static const fh_atype *spec_type(const fh_portal *p, const json_t *spec, int from, int to)
{
    const char *cat = json_string_value(json_object_get(spec, "associationCategory"));
    json_t *id = json_object_get(spec, "associationTypeId");
    const fh_atype *at = json_is_integer(id) ? atypes_get(&p->atypes, (int)json_integer_value(id)) : NULL;
    if (!at || !cat || strcmp(cat, atype_category(at)) != 0 || at->from != from || at->to != to)
        return NULL;
    return at;
}

/* {"fromObjectTypeId",…,"labels":[…]} for a pair after a labelled write. */
static void labels_result(strbuf *sb, fh_portal *p, const fh_otype *ft, const fh_otype *tt,
                          int64_t from, int64_t to)
{
    strbuf_puts(sb, "{\"fromObjectTypeId\":");
    jw_str(sb, ft->type_id);
    strbuf_puts(sb, ",\"fromObjectId\":");
    jw_i64(sb, fh_rid_id(from));
    strbuf_puts(sb, ",\"toObjectTypeId\":");
    jw_str(sb, tt->type_id);
    strbuf_puts(sb, ",\"toObjectId\":");
    jw_i64(sb, fh_rid_id(to));
    strbuf_puts(sb, ",\"labels\":[");
    fh_assoc_row rows[64];
    int n = store_assoc_list(p->store, from, tt->tidx, to, rows, 64), shown = 0;
    for (int i = 0; i < n && rows[i].to == to; i++) {
        const fh_atype *at = atypes_get(&p->atypes, rows[i].type_id);
        if (at && at->label) {
            if (shown++)
                strbuf_putc(sb, ',');
            jw_str(sb, at->label);
        }
    }
    strbuf_puts(sb, "]}");
}

void h_assoc_put_labelled(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int64_t from, to;
    json_t *body = req_json(r);
    if (!pair_types(r, 0, 2, &ft, &tt))
        return;
    if (!json_is_array(body) || json_array_size(body) == 0) {
        herr_bad_request(r, "The body must be an array of {associationCategory, associationTypeId}");
        return;
    }
    portal_lock(p);
    size_t i;
    json_t *spec;
    json_array_foreach(body, i, spec) {
        if (!spec_type(p, spec, ft->tidx, tt->tidx)) {
            portal_unlock(p);
            herr_bad_request(r, "types[%zu] is not a valid association type from %s to %s", i,
                             ft->name, tt->name);
            return;
        }
    }
    if (!pair_records(r, ft, tt, &from, &to)) {
        portal_unlock(p);
        return;
    }
    bool ok = store_begin(p->store);
    json_array_foreach(body, i, spec)
        ok = ok && assoc_link(p, from, to, spec_type(p, spec, ft->tidx, tt->tidx));
    if (!commit_or_fail(r, ok)) {
        portal_unlock(p);
        return;
    }
    strbuf_reset(&r->out);
    labels_result(&r->out, p, ft, tt, from, to);
    portal_unlock(p);
    resp_out(r, 201);
}

void h_assoc_delete(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int64_t a, b;
    if (!pair_types(r, 0, 2, &ft, &tt))
        return;
    if (!parse_record_id(r->cap[1], &a) || !parse_record_id(r->cap[3], &b)) {
        herr_not_found(r, "resource not found");
        return;
    }
    portal_lock(p);
    bool ok = store_begin(p->store) &&
              commit_or_fail(r, assoc_unlink_pair(p, fh_rid(ft->tidx, a), fh_rid(tt->tidx, b)));
    portal_unlock(p);
    if (ok)
        resp_empty(r, 204);
}

/* ---- batch calls ---------------------------------------------------- */

/* v4 archives answer 204; the date-based versions a 200 batch body. */
static void archived_answer(fh_req *r)
{
    if (!r->versioned) {
        resp_empty(r, 204);
        return;
    }
    strbuf_reset(&r->out);
    strbuf_puts(&r->out, "{\"status\":\"COMPLETE\",\"results\":[]");
    int64_t now = time_now_ms();
    batch_times(&r->out, now);
    strbuf_putc(&r->out, '}');
    resp_out(r, 200);
}

/* The "inputs" array of a batch body with 1..max items; answers 400. */
static json_t *batch_inputs(fh_req *r, size_t max)
{
    json_t *body = req_json(r), *inputs = json_object_get(body, "inputs");
    if (!json_is_object(body) || !json_is_array(inputs)) {
        herr_bad_request(r, "The body must be {\"inputs\":[…]}");
        return NULL;
    }
    if (json_array_size(inputs) > max) {
        herr_bad_request(r, "Too many inputs: %zu (at most %zu)", json_array_size(inputs), max);
        return NULL;
    }
    return inputs;
}

/* An id given as a string or a number; false if neither. */
static bool input_id(const json_t *v, int64_t *id)
{
    if (json_is_integer(v)) {
        *id = json_integer_value(v);
        return *id > 0 && *id <= FH_ID_MAX;
    }
    return parse_record_id(json_string_value(v), id);
}

static void batch_finish(fh_req *r, strbuf *sb, json_t *errors, int64_t started, int ok_status)
{
    size_t nerr = json_array_size(errors);
    if (nerr) {
        strbuf_puts(sb, ",\"numErrors\":");
        jw_i64(sb, (int64_t)nerr);
        strbuf_puts(sb, ",\"errors\":");
        jw_json(sb, errors);
    }
    batch_times(sb, started);
    strbuf_putc(sb, '}');
    json_decref(errors);
    resp_out(r, nerr ? 207 : ok_status);
}

void h_assoc_batch_read(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int64_t started = time_now_ms();
    json_t *inputs;
    if (!pair_types(r, 0, 1, &ft, &tt) || !(inputs = batch_inputs(r, BATCH_READ_MAX)))
        return;
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"status\":\"COMPLETE\",\"results\":[");
    json_t *errors = json_array();
    int shown = 0;
    size_t i;
    json_t *in;
    portal_lock(p);
    json_array_foreach(inputs, i, in) {
        int64_t id, after = 0;
        const char *a = json_string_value(json_object_get(in, "after"));
        bool ok = input_id(json_object_get(in, "id"), &id) && (!a || cursor_decode(a, &after));
        int64_t from = fh_rid(ft->tidx, ok ? id : 0), next = 0;
        strbuf part = {0};
        ok = ok && record_live(p, from) &&
             targets_json(p, from, tt->tidx, fh_rid(tt->tidx, after), LIST_MAX, &part, &next) > 0;
        if (ok) {
            strbuf_puts(sb, shown++ ? ",{\"from\":{\"id\":" : "{\"from\":{\"id\":");
            jw_i64str(sb, id);
            strbuf_puts(sb, "},\"to\":");
            strbuf_append(sb, part.buf, part.len);
            if (next) {
                char cur[32];
                cursor_encode(next, cur);
                strbuf_puts(sb, ",\"paging\":{\"next\":{\"after\":");
                jw_str(sb, cur);
                strbuf_puts(sb, "}}");
            }
            strbuf_putc(sb, '}');
        } else {
            const char *sid = json_string_value(json_object_get(in, "id"));
            char buf[24];
            if (!sid) {
                fmt_i64(json_integer_value(json_object_get(in, "id")), buf);
                sid = buf;
            }
            char *msg = xasprintf("No %s is associated with %s %s.", tt->singular, ft->singular, sid);
            json_t *item = herr_item("OBJECT_NOT_FOUND", msg, json_pack("{s:[s], s:[s]}",
                                     "fromObjectId", sid, "toObjectType", tt->upper));
            json_object_set_new(item, "subCategory", json_string("crm.associations.NO_ASSOCIATIONS_FOUND"));
            json_array_append_new(errors, item);
            free(msg);
        }
        strbuf_free(&part);
    }
    portal_unlock(p);
    strbuf_putc(sb, ']');
    batch_finish(r, sb, errors, started, 200);
}

/* from.id and to.id of a batch input. */
static bool input_pair(const json_t *in, int64_t *a, int64_t *b)
{
    return input_id(json_object_get(json_object_get(in, "from"), "id"), a) &&
           input_id(json_object_get(json_object_get(in, "to"), "id"), b);
}

static json_t *missing_pair_error(const fh_otype *ft, const fh_otype *tt, int64_t a, int64_t b)
{
    char sa[24], sb2[24];
    fmt_i64(a, sa);
    fmt_i64(b, sb2);
    char *msg = xasprintf("Could not find %s %s or %s %s", ft->singular, sa, tt->singular, sb2);
    json_t *e = herr_item("OBJECT_NOT_FOUND", msg, json_pack("{s:[s], s:[s]}", "fromObjectId", sa,
                                                             "toObjectId", sb2));
    free(msg);
    return e;
}

void h_assoc_batch_create(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int64_t started = time_now_ms();
    json_t *inputs;
    if (!pair_types(r, 0, 1, &ft, &tt) || !(inputs = batch_inputs(r, BATCH_WRITE_MAX)))
        return;
    size_t i, k;
    json_t *in, *spec;
    portal_lock(p);
    json_array_foreach(inputs, i, in) {
        int64_t a, b;
        bool ok = input_pair(in, &a, &b) && json_array_size(json_object_get(in, "types")) > 0;
        json_array_foreach(json_object_get(in, "types"), k, spec)
            ok = ok && spec_type(p, spec, ft->tidx, tt->tidx);
        if (!ok) {
            portal_unlock(p);
            herr_bad_request(r, "inputs[%zu] needs from.id, to.id and valid types from %s to %s", i,
                             ft->name, tt->name);
            return;
        }
    }
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"status\":\"COMPLETE\",\"results\":[");
    json_t *errors = json_array();
    bool ok = store_begin(p->store);
    int shown = 0;
    json_array_foreach(inputs, i, in) {
        int64_t a, b;
        input_pair(in, &a, &b);
        int64_t from = fh_rid(ft->tidx, a), to = fh_rid(tt->tidx, b);
        if (!record_live(p, from) || !record_live(p, to)) {
            json_array_append_new(errors, missing_pair_error(ft, tt, a, b));
            continue;
        }
        json_array_foreach(json_object_get(in, "types"), k, spec)
            ok = ok && assoc_link(p, from, to, spec_type(p, spec, ft->tidx, tt->tidx));
        if (shown++)
            strbuf_putc(sb, ',');
        labels_result(sb, p, ft, tt, from, to);
    }
    if (!commit_or_fail(r, ok)) {
        portal_unlock(p);
        json_decref(errors);
        return;
    }
    portal_unlock(p);
    strbuf_putc(sb, ']');
    batch_finish(r, sb, errors, started, 201);
}

void h_assoc_batch_default(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int64_t started = time_now_ms();
    json_t *inputs;
    if (!pair_types(r, 0, 1, &ft, &tt) || !(inputs = batch_inputs(r, BATCH_WRITE_MAX)))
        return;
    portal_lock(p);
    const fh_atype *def = atypes_default(&p->atypes, ft->tidx, tt->tidx);
    if (!def) {
        portal_unlock(p);
        herr_bad_request(r, "%s cannot be associated with %s", ft->name, tt->name);
        return;
    }
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"status\":\"COMPLETE\",\"results\":[");
    json_t *errors = json_array();
    bool ok = store_begin(p->store), first = true;
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in) {
        int64_t a = 0, b = 0;
        if (!input_pair(in, &a, &b) || !record_live(p, fh_rid(ft->tidx, a)) ||
            !record_live(p, fh_rid(tt->tidx, b))) {
            json_array_append_new(errors, missing_pair_error(ft, tt, a, b));
            continue;
        }
        ok = ok && assoc_link(p, fh_rid(ft->tidx, a), fh_rid(tt->tidx, b), def);
        default_result(sb, p, fh_rid(ft->tidx, a), fh_rid(tt->tidx, b), def, first);
        first = false;
    }
    if (!commit_or_fail(r, ok)) {
        portal_unlock(p);
        json_decref(errors);
        return;
    }
    portal_unlock(p);
    strbuf_putc(sb, ']');
    batch_finish(r, sb, errors, started, 200);
}

void h_assoc_batch_archive(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    json_t *inputs;
    if (!pair_types(r, 0, 1, &ft, &tt) || !(inputs = batch_inputs(r, BATCH_WRITE_MAX)))
        return;
    size_t i, k;
    json_t *in, *to;
    portal_lock(p);
    bool ok = store_begin(p->store);
    json_array_foreach(inputs, i, in) {
        int64_t a, b;
        if (!input_id(json_object_get(json_object_get(in, "from"), "id"), &a))
            continue;
        json_array_foreach(json_object_get(in, "to"), k, to)
            if (input_id(json_object_get(to, "id"), &b))
                ok = ok && assoc_unlink_pair(p, fh_rid(ft->tidx, a), fh_rid(tt->tidx, b));
    }
    ok = commit_or_fail(r, ok);
    portal_unlock(p);
    if (ok)
        archived_answer(r);
}

void h_assoc_batch_labels_archive(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    json_t *inputs;
    if (!pair_types(r, 0, 1, &ft, &tt) || !(inputs = batch_inputs(r, BATCH_WRITE_MAX)))
        return;
    size_t i, k;
    json_t *in, *spec;
    portal_lock(p);
    json_array_foreach(inputs, i, in) {
        int64_t a, b;
        bool ok = input_pair(in, &a, &b);
        json_array_foreach(json_object_get(in, "types"), k, spec)
            ok = ok && spec_type(p, spec, ft->tidx, tt->tidx);
        if (!ok) {
            portal_unlock(p);
            herr_bad_request(r, "inputs[%zu] needs from.id, to.id and valid types", i);
            return;
        }
    }
    bool ok = store_begin(p->store);
    json_array_foreach(inputs, i, in) {
        int64_t a, b;
        input_pair(in, &a, &b);
        json_array_foreach(json_object_get(in, "types"), k, spec)
            ok = ok && assoc_unlink_type(p, fh_rid(ft->tidx, a), fh_rid(tt->tidx, b),
                                         spec_type(p, spec, ft->tidx, tt->tidx));
    }
    ok = commit_or_fail(r, ok);
    portal_unlock(p);
    if (ok)
        archived_answer(r);
}

/* ---- labels --------------------------------------------------------- */

void h_labels_get(fh_req *r)
{
    const fh_otype *ft, *tt;
    if (!pair_types(r, 0, 1, &ft, &tt))
        return;
    portal_lock(r->portal);
    json_t *j = atypes_labels_json(&r->portal->atypes, ft->tidx, tt->tidx);
    portal_unlock(r->portal);
    resp_json(r, 200, j);
}

void h_labels_create(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    json_t *body = req_json(r);
    if (!pair_types(r, 0, 1, &ft, &tt))
        return;
    const char *label = json_string_value(json_object_get(body, "label"));
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *inverse = json_string_value(json_object_get(body, "inverseLabel"));
    if (str_empty(label) || str_empty(name)) {
        herr_bad_request(r, "label and name are required");
        return;
    }
    portal_lock(p);
    const fh_atype *at = atypes_add_label(&p->atypes, ft->tidx, tt->tidx, label, name, inverse);
    if (!at) {
        portal_unlock(p);
        herr_bad_request(r, "Cannot create label %s between %s and %s (name taken, or the objects "
                         "cannot be associated)", name, ft->name, tt->name);
        return;
    }
    const fh_atype *inv = atypes_get(&p->atypes, at->inverse);
    json_t *results = json_array();
    json_array_append_new(results, json_pack("{s:s, s:i, s:s}", "category", "USER_DEFINED",
                                             "typeId", at->id, "label", at->label));
    if (inv && !(ft->tidx == tt->tidx && !inverse))
        json_array_append_new(results, json_pack("{s:s, s:i, s:s}", "category", "USER_DEFINED",
                                                 "typeId", inv->id, "label", inv->label));
    portal_save_meta(p);
    portal_unlock(p);
    resp_json(r, 200, json_pack("{s:o}", "results", results));
}

void h_labels_update(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    json_t *body = req_json(r);
    if (!pair_types(r, 0, 1, &ft, &tt))
        return;
    json_t *id = json_object_get(body, "associationTypeId");
    const char *label = json_string_value(json_object_get(body, "label"));
    if (!json_is_integer(id) || str_empty(label)) {
        herr_bad_request(r, "associationTypeId and label are required");
        return;
    }
    portal_lock(p);
    const fh_atype *at = atypes_get(&p->atypes, (int)json_integer_value(id));
    bool ok = at && at->from == ft->tidx && at->to == tt->tidx &&
              atypes_relabel(&p->atypes, at->id, label,
                             json_string_value(json_object_get(body, "inverseLabel")));
    if (ok)
        portal_save_meta(p);
    portal_unlock(p);
    if (ok)
        resp_empty(r, 204);
    else
        herr_bad_request(r, "%lld is not a user-defined label from %s to %s",
                         (long long)json_integer_value(id), ft->name, tt->name);
}

void h_labels_delete(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *ft, *tt;
    int64_t id;
    if (!pair_types(r, 0, 1, &ft, &tt))
        return;
    if (!str_to_i64(r->cap[2], &id)) {
        herr_bad_request(r, "associationTypeId must be a number");
        return;
    }
    portal_lock(p);
    const fh_atype *at = atypes_get(&p->atypes, (int)id);
    bool ok = at && at->from == ft->tidx && at->to == tt->tidx && at->user_defined && at->label;
    if (ok) {
        int inverse = at->inverse;
        ok = store_begin(p->store) && commit_or_fail(r, store_assoc_del_types(p->store, (int)id, inverse));
        if (ok) {
            atypes_delete(&p->atypes, (int)id);
            portal_save_meta(p);
            resp_empty(r, 204);
        }
        portal_unlock(p);
        return;
    }
    portal_unlock(p);
    herr_not_found(r, "No such user-defined association label");
}
