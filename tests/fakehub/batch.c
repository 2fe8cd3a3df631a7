/* batch.c — objects v3 batch read, create, update, upsert and archive.
 *
 * Like HubSpot: at most 100 inputs (50 for a contacts read with
 * propertiesWithHistory, hubspot-api.md §4); unknown ids give a 207 with an errors[]
 * entry listing them, while any invalid value fails the whole call (400 or
 * 409) and nothing is written. */
#include <stdlib.h>
#include <string.h>

#include "assoc.h"
#include "handlers.h"
#include "herr.h"
#include "jsonw.h"
#include "objects.h"
#include "record.h"
#include "write.h"

#define BATCH_MAX 100
#define HISTORY_BATCH_MAX 50

/* One input's outcome, for the answer. */
typedef struct item {
    int64_t     rid;
    bool        found;
    bool        is_new;
    fh_changes  ch;
    fh_readopts o;
    const char *trace;   /* objectWriteTraceId, borrowed from the body */
} item;

static json_t *inputs_of(fh_req *r, size_t max)
{
    json_t *body = req_json(r), *inputs = json_object_get(body, "inputs");
    if (!json_is_object(body) || !json_is_array(inputs)) {
        herr_bad_request(r, "The body must be {\"inputs\":[…]}");
        return NULL;
    }
    if (json_array_size(inputs) > max) {
        herr_bad_request(r, "Too many inputs: %zu, the limit is %zu", json_array_size(inputs), max);
        return NULL;
    }
    return inputs;
}

/* An input id as text (string or number), or NULL. */
static const char *id_text(const json_t *v, char buf[24])
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        fmt_i64(json_integer_value(v), buf);
        return buf;
    }
    return NULL;
}

static json_t *not_found_error(const fh_otype *t, json_t *ids)
{
    char *msg = xasprintf("Could not get some %s objects, they may be deleted or not exist. "
                          "Check that ids are valid.", t->upper);
    json_t *e = herr_item("OBJECT_NOT_FOUND", msg, json_pack("{s:o}", "ids", ids));
    free(msg);
    return e;
}

/* {"status":"COMPLETE","results":[records]…} for the found items; the
 * rows (and, for a read, the history extra_o asks for; NULL: none) are read
 * under the lock, which this releases. */
static void respond_items(fh_req *r, const fh_otype *t, item *items, size_t n, json_t *missing,
                          int64_t started, int ok_status, bool with_new,
                          const fh_readopts *extra_o)
{
    fh_portal *p = r->portal;
    fh_rowset rs = {0};
    size_t *which = xcalloc(n ? n : 1, sizeof *which), shown = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].found && store_rec_get(p->store, items[i].rid, &rs) == 1)
            which[shown++] = i;
    char **extra = extra_o ? record_extras(p, t, &rs, extra_o) : NULL;
    portal_unlock(p);
    strbuf *sb = &r->out;
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"status\":\"COMPLETE\",\"results\":[");
    for (size_t k = 0; k < shown; k++) {
        item *it = &items[which[k]];
        if (k)
            strbuf_putc(sb, ',');
        record_json(sb, t, &rs, &rs.rows[k], &it->o, extra ? extra[k] : NULL);
        if (with_new || it->trace) {
            sb->len--;   /* reopen the record object */
            if (with_new)
                strbuf_puts(sb, it->is_new ? ",\"new\":true" : ",\"new\":false");
            if (it->trace) {
                strbuf_puts(sb, ",\"objectWriteTraceId\":");
                jw_str(sb, it->trace);
            }
            strbuf_putc(sb, '}');
        }
    }
    strbuf_putc(sb, ']');
    size_t nerr = json_array_size(missing) > 0 ? 1 : 0;
    if (nerr) {
        json_t *errors = json_pack("[o]", not_found_error(t, json_incref(missing)));
        strbuf_puts(sb, ",\"numErrors\":1,\"errors\":");
        jw_json(sb, errors);
        json_decref(errors);
    }
    strbuf_puts(sb, ",\"startedAt\":");
    jw_iso(sb, started);
    strbuf_puts(sb, ",\"completedAt\":");
    jw_iso(sb, time_now_ms());
    strbuf_putc(sb, '}');
    resp_out(r, nerr ? 207 : ok_status);
    free(which);
    extras_free(extra, rs.n);
    rowset_free(&rs);
}

static void items_free(item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        changes_free(&items[i].ch);
    free(items);
}

/* Does a read body name propertiesWithHistory (a list or a comma string)? */
static bool history_asked(const json_t *body)
{
    const json_t *h = json_object_get(body, "propertiesWithHistory");
    return json_array_size(h) > 0 || (json_is_string(h) && json_string_length(h) > 0);
}

void h_batch_read(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    int64_t started = time_now_ms();
    bool archived;
    json_t *inputs;
    if (!t || !parse_archived(r, &archived) || !(inputs = inputs_of(r, BATCH_MAX)))
        return;
    json_t *body = req_json(r);
    const char *id_prop = json_string_value(json_object_get(body, "idProperty"));
    if (history_asked(body) && strcmp(t->name, "contacts") == 0 &&
        json_array_size(inputs) > HISTORY_BATCH_MAX) {
        herr_bad_request(r, "Too many inputs: %zu, the limit is %d for a contacts batch read "
                         "with propertiesWithHistory", json_array_size(inputs), HISTORY_BATCH_MAX);
        return;
    }
    size_t n = json_array_size(inputs);
    item *items = xcalloc(n ? n : 1, sizeof *items);
    json_t *missing = json_array();
    portal_lock(p);
    fh_readopts o;
    readopts_from_body(body, t, &o);
    for (size_t i = 0; i < n; i++) {
        char buf[24];
        const char *id = id_text(json_object_get(json_array_get(inputs, i), "id"), buf);
        int rc = id ? resolve_id(p, t, id, id_prop, &items[i].rid) : 0;
        if (rc < 0) {
            portal_unlock(p);
            herr_bad_request(r, "%s is not a unique property of %s", id_prop, t->name);
            json_decref(missing);
            items_free(items, n);
            return;
        }
        fh_rowset rs = {0};
        bool live = rc == 1 && store_rec_get(p->store, items[i].rid, &rs) == 1 &&
                    rs.rows[0].archived == archived;
        bool repeated = false;   /* each record is answered once */
        for (size_t k = 0; live && k < i; k++)
            repeated = repeated || (items[k].found && items[k].rid == items[i].rid);
        items[i].found = live && !repeated;
        if (!live)
            json_array_append_new(missing, json_string(id ? id : ""));
        items[i].o = o;
        rowset_free(&rs);
    }
    respond_items(r, t, items, n, missing, started, 200, false, &o);
    json_decref(missing);
    items_free(items, n);
}

/* Check every create input (lock held); answers and returns false on the
 * first refused input, with every validation error of the batch. */
static bool check_creates(fh_req *r, const fh_otype *t, json_t *inputs, item *items)
{
    fh_portal *p = r->portal;
    fh_claims claims = {0};
    fh_wfail all = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < json_array_size(inputs); i++) {
        json_t *in = json_array_get(inputs, i);
        fh_wfail f = {0};
        if (!json_is_object(in)) {
            herr_bad_request(r, "inputs[%zu] must be an object", i);
            ok = false;
            break;
        }
        if (!check_create_assocs(r, t, json_object_get(in, "associations"))) {
            ok = false;
            break;
        }
        if (!write_check_create(p, t, json_object_get(in, "properties"), &items[i].ch, &claims, &f)) {
            if (f.status == 400 && f.errs.n) {
                for (int k = 0; k < f.errs.n; k++)
                    verrs_add(&all.errs, f.errs.v[k].code, f.errs.v[k].name, "%s", f.errs.v[k].message);
                all.status = 400;
                wfail_free(&f);
            } else {
                wfail_send(r, &f);
                ok = false;
            }
        }
        items[i].trace = json_string_value(json_object_get(in, "objectWriteTraceId"));
    }
    claims_free(&claims);
    if (ok && all.status) {
        wfail_send(r, &all);
        return false;
    }
    wfail_free(&all);
    return ok;
}

void h_batch_create(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    int64_t started = time_now_ms();
    json_t *inputs;
    if (!t || !(inputs = inputs_of(r, BATCH_MAX)))
        return;
    size_t n = json_array_size(inputs);
    item *items = xcalloc(n ? n : 1, sizeof *items);
    fh_writer w;
    writer_api(r, &w);
    portal_lock(p);
    if (!check_creates(r, t, inputs, items)) {
        portal_unlock(p);
        items_free(items, n);
        return;
    }
    int64_t now = portal_write_clock(p);
    bool ok = store_begin(p->store);
    for (size_t i = 0; ok && i < n; i++) {
        ok = write_apply_create(p, t, &items[i].ch, &w, now, &items[i].rid) &&
             apply_create_assocs(p, items[i].rid,
                                 json_object_get(json_array_get(inputs, i), "associations"));
        items[i].found = true;
        write_readopts(t, &items[i].ch, &items[i].o);
    }
    if (!ok || !store_commit(p->store)) {
        store_rollback(p->store);
        portal_unlock(p);
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
        items_free(items, n);
        return;
    }
    respond_items(r, t, items, n, NULL, started, 201, false, NULL);
    items_free(items, n);
}

/* Refuse a batch that names one record twice. */
static bool check_duplicates(fh_req *r, json_t *inputs)
{
    for (size_t i = 0; i < json_array_size(inputs); i++) {
        char a[24], b[24];
        const char *x = id_text(json_object_get(json_array_get(inputs, i), "id"), a);
        for (size_t k = 0; x && k < i; k++) {
            const char *y = id_text(json_object_get(json_array_get(inputs, k), "id"), b);
            if (y && strcmp(x, y) == 0) {
                herr_bad_request(r, "Duplicate IDs found in batch input: [%s]. IDs must be unique", x);
                return false;
            }
        }
    }
    return true;
}

/* Check the update inputs; unknown ids go to missing. Lock held; false
 * when the call was answered (a refused value). */
static bool check_updates(fh_req *r, const fh_otype *t, json_t *inputs, item *items,
                          json_t *missing)
{
    fh_portal *p = r->portal;
    fh_claims claims = {0};
    fh_wfail all = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < json_array_size(inputs); i++) {
        json_t *in = json_array_get(inputs, i);
        char buf[24];
        const char *id = id_text(json_object_get(in, "id"), buf);
        int rc = id ? resolve_id(p, t, id, json_string_value(json_object_get(in, "idProperty")),
                                 &items[i].rid) : 0;
        if (rc < 0) {
            herr_bad_request(r, "inputs[%zu].idProperty is not a unique property of %s", i, t->name);
            ok = false;
            break;
        }
        if (rc == 0 || !record_live(p, items[i].rid)) {
            json_array_append_new(missing, json_string(id ? id : ""));
            continue;
        }
        fh_wfail f = {0};
        if (write_check_update(p, t, items[i].rid, json_object_get(in, "properties"), &items[i].ch,
                               &claims, &f)) {
            items[i].found = true;
        } else if (f.status == 400 && f.errs.n) {
            for (int k = 0; k < f.errs.n; k++)
                verrs_add(&all.errs, f.errs.v[k].code, f.errs.v[k].name, "%s", f.errs.v[k].message);
            all.status = 400;
            wfail_free(&f);
        } else {
            wfail_send(r, &f);
            ok = false;
        }
    }
    claims_free(&claims);
    if (ok && all.status) {
        wfail_send(r, &all);
        return false;
    }
    wfail_free(&all);
    return ok;
}

void h_batch_update(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    int64_t started = time_now_ms();
    json_t *inputs;
    if (!t || !(inputs = inputs_of(r, BATCH_MAX)) || !check_duplicates(r, inputs))
        return;
    size_t n = json_array_size(inputs);
    item *items = xcalloc(n ? n : 1, sizeof *items);
    json_t *missing = json_array();
    fh_writer w;
    writer_api(r, &w);
    portal_lock(p);
    if (!check_updates(r, t, inputs, items, missing)) {
        portal_unlock(p);
        json_decref(missing);
        items_free(items, n);
        return;
    }
    int64_t now = portal_write_clock(p);
    bool ok = store_begin(p->store);
    for (size_t i = 0; ok && i < n; i++) {
        if (!items[i].found)
            continue;
        ok = write_apply_update(p, t, items[i].rid, &items[i].ch, &w, now);
        write_readopts(t, &items[i].ch, &items[i].o);
    }
    if (!ok || !store_commit(p->store)) {
        store_rollback(p->store);
        portal_unlock(p);
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
    } else {
        respond_items(r, t, items, n, missing, started, 200, false, NULL);
    }
    json_decref(missing);
    items_free(items, n);
}

/* An upsert input: update the record the id names, or create it with the
 * idProperty set to the id. Lock held. */
static bool check_upsert(fh_req *r, const fh_otype *t, json_t *in, size_t i, item *it,
                         fh_claims *claims, fh_wfail *f, json_t *missing)
{
    fh_portal *p = r->portal;
    char buf[24];
    const char *id = id_text(json_object_get(in, "id"), buf);
    const char *id_prop = json_string_value(json_object_get(in, "idProperty"));
    json_t *props = json_object_get(in, "properties");
    int rc = id ? resolve_id(p, t, id, id_prop, &it->rid) : 0;
    if (rc < 0) {
        herr_bad_request(r, "inputs[%zu].idProperty must be a unique property of %s", i, t->name);
        return false;
    }
    if (rc == 1 && record_live(p, it->rid)) {
        it->found = write_check_update(p, t, it->rid, props, &it->ch, claims, f);
        return it->found || f->status == 400;
    }
    if (str_empty(id_prop) || strcmp(id_prop, "hs_object_id") == 0) {
        json_array_append_new(missing, json_string(id ? id : ""));
        return true;
    }
    json_t *with_id = json_is_object(props) ? json_deep_copy(props) : json_object();
    json_object_set_new(with_id, id_prop, json_string(id));
    it->found = it->is_new = write_check_create(p, t, with_id, &it->ch, claims, f);
    json_decref(with_id);
    return it->found || f->status == 400;
}

void h_batch_upsert(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    int64_t started = time_now_ms();
    json_t *inputs;
    if (!t || !(inputs = inputs_of(r, BATCH_MAX)) || !check_duplicates(r, inputs))
        return;
    size_t n = json_array_size(inputs);
    item *items = xcalloc(n ? n : 1, sizeof *items);
    json_t *missing = json_array();
    fh_claims claims = {0};
    fh_wfail all = {0};
    fh_writer w;
    writer_api(r, &w);
    portal_lock(p);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        fh_wfail f = {0};
        ok = check_upsert(r, t, json_array_get(inputs, i), i, &items[i], &claims, &f, missing);
        if (f.status == 400 && f.errs.n) {
            for (int k = 0; k < f.errs.n; k++)
                verrs_add(&all.errs, f.errs.v[k].code, f.errs.v[k].name, "%s", f.errs.v[k].message);
            all.status = 400;
            wfail_free(&f);
        } else if (f.status) {
            wfail_send(r, &f);
            ok = false;
        }
    }
    claims_free(&claims);
    if (ok && all.status) {
        wfail_send(r, &all);
        ok = false;
    }
    wfail_free(&all);
    if (!ok) {
        portal_unlock(p);
        json_decref(missing);
        items_free(items, n);
        return;
    }
    int64_t now = portal_write_clock(p);
    bool good = store_begin(p->store);
    for (size_t i = 0; good && i < n; i++) {
        if (!items[i].found)
            continue;
        good = items[i].is_new ? write_apply_create(p, t, &items[i].ch, &w, now, &items[i].rid)
                               : write_apply_update(p, t, items[i].rid, &items[i].ch, &w, now);
        write_readopts(t, &items[i].ch, &items[i].o);
    }
    if (!good || !store_commit(p->store)) {
        store_rollback(p->store);
        portal_unlock(p);
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
    } else {
        respond_items(r, t, items, n, missing, started, 200, true, NULL);
    }
    json_decref(missing);
    items_free(items, n);
}

void h_batch_archive(fh_req *r)
{
    fh_portal *p = r->portal;
    const fh_otype *t = req_type(r, 0);
    json_t *inputs;
    if (!t || !(inputs = inputs_of(r, BATCH_MAX)))
        return;
    portal_lock(p);
    int64_t now = portal_write_clock(p);
    bool ok = store_begin(p->store);
    for (size_t i = 0; ok && i < json_array_size(inputs); i++) {
        char buf[24];
        const char *id = id_text(json_object_get(json_array_get(inputs, i), "id"), buf);
        int64_t rid;
        if (id && resolve_id(p, t, id, NULL, &rid) == 1 && record_live(p, rid))
            ok = write_archive(p, t, rid, now);
    }
    ok = ok && store_commit(p->store);
    if (!ok)
        store_rollback(p->store);
    portal_unlock(p);
    if (ok)
        resp_empty(r, 204);
    else
        herr_send(r, 500, "INTERNAL_ERROR", "database error", NULL);
}
