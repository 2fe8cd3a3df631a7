#include "hubspot.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJECT_BATCH_MAX      100
/* A contacts batch read asking for propertiesWithHistory takes 50
 * (hubspot-api.md §4); we keep to it for every type, at no real cost. */
#define HISTORY_BATCH_MAX     50
#define ASSOC_READ_BATCH_MAX  1000
#define ASSOC_WRITE_BATCH_MAX 100

/* ---- paths ------------------------------------------------------------------- */

static void seg(strbuf *sb, const char *s)
{
    strbuf_putc(sb, '/');
    http_escape(sb, s);
}

static void qsep(strbuf *sb)
{
    strbuf_putc(sb, strchr(strbuf_str(sb), '?') ? '&' : '?');
}

static void qparam(strbuf *sb, const char *key, const char *value)
{
    if (!value)
        return;
    qsep(sb);
    strbuf_puts(sb, key);
    strbuf_putc(sb, '=');
    http_escape(sb, value);
}

static void qint(strbuf *sb, const char *key, int value)
{
    qsep(sb);
    strbuf_printf(sb, "%s=%d", key, value);
}

/* key=a,b,c (HubSpot takes the comma form as well as repeated keys). */
static void qlist(strbuf *sb, const char *key, const char *const *list)
{
    if (!list || !list[0])
        return;
    qsep(sb);
    strbuf_puts(sb, key);
    strbuf_putc(sb, '=');
    for (size_t i = 0; list[i]; i++) {
        if (i)
            strbuf_putc(sb, ',');
        http_escape(sb, list[i]);
    }
}

static void read_query(strbuf *sb, const hs_read_opts *o, bool with_limit)
{
    static const hs_read_opts none = {0};
    if (!o)
        o = &none;
    if (with_limit)
        qint(sb, "limit", o->limit > 0 ? o->limit : 100);
    qlist(sb, "properties", o->properties);
    qlist(sb, "propertiesWithHistory", o->properties_with_history);
    qlist(sb, "associations", o->associations);
    if (o->archived)
        qparam(sb, "archived", "true");
}

static hs_call_id bad_argument(hs_client *c, const char *what, hs_done_fn done, void *ud)
{
    ht_error err;
    ht_error_set(&err, HT_INVALID, "%s", what);
    return hs_submit_error(c, &err, done, ud);
}

/* Submit method path (consumed) with body and flags. */
static hs_call_id submit_path(hs_client *c, hs_priority prio, const char *method, strbuf *path,
                       json_t *body, unsigned flags, hs_done_fn done, void *ud)
{
    hs_request r = {.method = method, .path = strbuf_str(path), .body = body, .prio = prio,
                    .flags = flags};
    hs_call_id id = hs_submit(c, &r, done, ud);
    strbuf_free(path);
    return id;
}

static void object_path(strbuf *sb, const char *type, const char *id)
{
    strbuf_puts(sb, "/crm/v3/objects");
    seg(sb, type);
    if (id)
        seg(sb, id);
}

/* ---- objects ------------------------------------------------------------------ */

hs_call_id hs_objects_list(hs_client *c, hs_priority prio, const char *type,
                           const hs_read_opts *o, const char *after, hs_done_fn done, void *ud)
{
    if (str_empty(type))
        return bad_argument(c, "no object type given", done, ud);
    strbuf p = {0};
    object_path(&p, type, NULL);
    read_query(&p, o, true);
    if (!str_empty(after))
        qparam(&p, "after", after);
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_objects_get(hs_client *c, hs_priority prio, const char *type, const char *id,
                          const hs_read_opts *o, hs_done_fn done, void *ud)
{
    if (str_empty(type) || str_empty(id))
        return bad_argument(c, "an object type and an id are needed", done, ud);
    strbuf p = {0};
    object_path(&p, type, id);
    read_query(&p, o, false);
    if (o && o->id_property)
        qparam(&p, "idProperty", o->id_property);
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_objects_create(hs_client *c, hs_priority prio, const char *type,
                             json_t *properties, json_t *associations, hs_done_fn done, void *ud)
{
    if (str_empty(type) || !json_is_object(properties))
        return bad_argument(c, "create needs an object type and a properties object", done, ud);
    json_t *body = json_pack("{sO}", "properties", properties);
    if (associations)
        json_object_set(body, "associations", associations);
    strbuf p = {0};
    object_path(&p, type, NULL);
    hs_call_id id = submit_path(c, prio, "POST", &p, body, HS_REQ_NOT_IDEMPOTENT, done, ud);
    json_decref(body);
    return id;
}

hs_call_id hs_objects_update(hs_client *c, hs_priority prio, const char *type, const char *id,
                             const char *id_property, json_t *properties, hs_done_fn done, void *ud)
{
    if (str_empty(type) || str_empty(id) || !json_is_object(properties))
        return bad_argument(c, "update needs an object type, an id and a properties object",
                            done, ud);
    json_t *body = json_pack("{sO}", "properties", properties);
    strbuf p = {0};
    object_path(&p, type, id);
    qparam(&p, "idProperty", id_property);
    hs_call_id cid = submit_path(c, prio, "PATCH", &p, body, 0, done, ud);
    json_decref(body);
    return cid;
}

hs_call_id hs_objects_archive(hs_client *c, hs_priority prio, const char *type, const char *id,
                              hs_done_fn done, void *ud)
{
    if (str_empty(type) || str_empty(id))
        return bad_argument(c, "an object type and an id are needed", done, ud);
    strbuf p = {0};
    object_path(&p, type, id);
    return submit_path(c, prio, "DELETE", &p, NULL, 0, done, ud);
}

hs_call_id hs_objects_search(hs_client *c, hs_priority prio, const char *type, json_t *body,
                             hs_done_fn done, void *ud)
{
    if (str_empty(type))
        return bad_argument(c, "no object type given", done, ud);
    json_t *empty = NULL;
    if (!body)
        body = empty = json_object();
    strbuf p = {0};
    object_path(&p, type, NULL);
    strbuf_puts(&p, "/search");
    hs_call_id id = submit_path(c, prio, "POST", &p, body, HS_REQ_SEARCH, done, ud);
    json_decref(empty);
    return id;
}

/* ---- batches -------------------------------------------------------------------- */

typedef struct batch_op batch_op;

typedef struct batch_chunk {
    batch_op      *op;
    hs_call_id     call;       /* 0 once answered */
    json_t        *body;       /* the answer, kept until the report */
    apierror_item *items;
    size_t         n_items;
    hs_batch_chunk info;
} batch_chunk;

struct batch_op {
    hs_client   *c;
    hs_call_id   id;
    hs_batch_fn  done;
    void        *ud;
    batch_chunk *chunks;
    size_t       n_chunks;
    size_t       outstanding;
    size_t       n_inputs;
    bool         cancelled;
};

static void batch_report(batch_op *op)
{
    hs_batch_result r = {.id = op->id, .status = HT_OK, .n_inputs = op->n_inputs,
                         .n_chunks = op->n_chunks};
    r.results = json_array();
    r.chunks = xcalloc(op->n_chunks ? op->n_chunks : 1, sizeof *r.chunks);
    size_t total_items = 0;
    for (size_t i = 0; i < op->n_chunks; i++)
        total_items += op->chunks[i].n_items;
    r.errors = total_items ? xcalloc(total_items, sizeof *r.errors) : NULL;
    for (size_t i = 0; i < op->n_chunks; i++) {
        batch_chunk *ch = &op->chunks[i];
        r.chunks[i] = ch->info;
        if (ch->info.status != HT_OK && r.status == HT_OK) {
            r.status = ch->info.status;
            r.err = &r.chunks[i].err;
        }
        json_t *results = json_object_get(ch->body, "results");
        if (json_is_array(results))
            json_array_extend(r.results, results);
        /* The items move into the combined array (their ids arrays with them). */
        if (ch->n_items)
            memcpy(r.errors + r.n_errors, ch->items, ch->n_items * sizeof *ch->items);
        r.n_errors += ch->n_items;
        free(ch->items);
        ch->items = NULL;
        ch->n_items = 0;
    }
    ht_error cancelled;
    if (op->cancelled) {
        ht_error_set(&cancelled, HT_CANCELLED, "cancelled");
        r.status = HT_CANCELLED;
        r.err = &cancelled;
    }
    hs_op_unregister(op->c, op->id);
    op->done(op->ud, &r);
    json_decref(r.results);
    apierror_items_free(r.errors, r.n_errors);
    free(r.chunks);
    for (size_t i = 0; i < op->n_chunks; i++)
        json_decref(op->chunks[i].body);
    free(op->chunks);
    free(op);
}

static void on_chunk_done(void *ud, const hs_result *res)
{
    batch_chunk *ch = ud;
    batch_op *op = ch->op;
    ch->call = 0;
    ch->info.status = res->status;
    ch->info.http_status = res->http_status;
    ch->info.maybe_applied = res->maybe_applied;
    ht_error_copy(&ch->info.err, res->err);
    if (res->body) {
        ch->body = json_incref(res->body);
        ch->n_items = apierror_batch_items(ch->body, &ch->items);
    }
    if (--op->outstanding == 0)
        batch_report(op);
}

static void batch_cancel(void *opaque)
{
    batch_op *op = opaque;
    op->cancelled = true;
    if (op->outstanding == 0) {
        batch_report(op);   /* an empty batch waiting for its deferred report */
        return;
    }
    size_t n = 0;
    hs_call_id *ids = xcalloc(op->n_chunks ? op->n_chunks : 1, sizeof *ids);
    for (size_t i = 0; i < op->n_chunks; i++)
        if (op->chunks[i].call)
            ids[n++] = op->chunks[i].call;
    hs_client *c = op->c;
    /* The last cancel reports and frees op: touch only the copies. */
    for (size_t i = 0; i < n; i++)
        hs_cancel(c, ids[i]);
    free(ids);
}

static void batch_report_deferred(void *opaque)
{
    batch_report(opaque);
}

hs_call_id hs_batch_post(hs_client *c, hs_priority prio, const char *path, json_t *inputs,
                         json_t *extra, size_t chunk_size, unsigned flags, hs_batch_fn done, void *ud)
{
    batch_op *op = xcalloc(1, sizeof *op);
    op->c = c;
    op->done = done;
    op->ud = ud;
    op->n_inputs = json_is_array(inputs) ? json_array_size(inputs) : 0;
    if (chunk_size == 0)
        chunk_size = OBJECT_BATCH_MAX;
    op->n_chunks = (op->n_inputs + chunk_size - 1) / chunk_size;
    op->chunks = xcalloc(op->n_chunks ? op->n_chunks : 1, sizeof *op->chunks);
    op->id = hs_op_register(c, prio, batch_cancel, op);
    if (op->n_chunks == 0) {
        hs_defer(c, op->id, batch_report_deferred, op);   /* nothing to send */
        return op->id;
    }
    op->outstanding = op->n_chunks;
    for (size_t i = 0; i < op->n_chunks; i++) {
        batch_chunk *ch = &op->chunks[i];
        ch->op = op;
        ch->info.first = i * chunk_size;
        ch->info.count = op->n_inputs - ch->info.first < chunk_size
                       ? op->n_inputs - ch->info.first : chunk_size;
        json_t *slice = json_array();
        for (size_t k = 0; k < ch->info.count; k++)
            json_array_append(slice, json_array_get(inputs, ch->info.first + k));
        json_t *body = extra ? json_deep_copy(extra) : json_object();
        json_object_set_new(body, "inputs", slice);
        hs_request r = {.method = "POST", .path = path, .body = body, .prio = prio, .flags = flags};
        ch->call = hs_submit(c, &r, on_chunk_done, ch);
        json_decref(body);
    }
    return op->id;
}

static const char *batch_action(hs_batch_kind kind)
{
    switch (kind) {
    case HS_BATCH_READ:    return "read";
    case HS_BATCH_CREATE:  return "create";
    case HS_BATCH_UPDATE:  return "update";
    case HS_BATCH_UPSERT:  return "upsert";
    case HS_BATCH_ARCHIVE: return "archive";
    }
    return "read";
}

static json_t *string_array(const char *const *list)
{
    json_t *a = json_array();
    for (size_t i = 0; list && list[i]; i++)
        json_array_append_new(a, json_string(list[i]));
    return a;
}

hs_call_id hs_objects_batch(hs_client *c, hs_priority prio, const char *type, hs_batch_kind kind,
                            json_t *inputs, const hs_read_opts *o, hs_batch_fn done, void *ud)
{
    strbuf p = {0};
    object_path(&p, type ? type : "", NULL);
    strbuf_printf(&p, "/batch/%s", batch_action(kind));
    json_t *extra = NULL;
    size_t chunk = OBJECT_BATCH_MAX;
    if (kind == HS_BATCH_READ) {
        extra = json_object();
        if (o && o->properties)
            json_object_set_new(extra, "properties", string_array(o->properties));
        if (o && o->properties_with_history && o->properties_with_history[0]) {
            json_object_set_new(extra, "propertiesWithHistory",
                                string_array(o->properties_with_history));
            chunk = HISTORY_BATCH_MAX;
        }
        if (o && o->id_property)
            json_object_set_new(extra, "idProperty", json_string(o->id_property));
        if (o && o->archived)
            qparam(&p, "archived", "true");
    }
    unsigned flags = kind == HS_BATCH_CREATE ? HS_REQ_NOT_IDEMPOTENT : 0;
    hs_call_id id = hs_batch_post(c, prio, strbuf_str(&p), inputs, extra, chunk, flags, done, ud);
    json_decref(extra);
    strbuf_free(&p);
    return id;
}

/* ---- associations ------------------------------------------------------------------- */

static void record_assoc_path(strbuf *sb, const char *from_type, const char *from_id,
                              const char *to_type)
{
    strbuf_puts(sb, "/crm/v4/objects");
    seg(sb, from_type);
    seg(sb, from_id);
    strbuf_puts(sb, "/associations");
    seg(sb, to_type);
}

static void pair_path(strbuf *sb, const char *from_type, const char *to_type)
{
    strbuf_puts(sb, "/crm/v4/associations");
    seg(sb, from_type);
    seg(sb, to_type);
}

static bool assoc_args_ok(const char *a, const char *b, const char *cc, const char *d)
{
    return !str_empty(a) && !str_empty(b) && !str_empty(cc) && !str_empty(d);
}

hs_call_id hs_assoc_list(hs_client *c, hs_priority prio, const char *from_type, const char *from_id,
                         const char *to_type, const char *after, int limit, hs_done_fn done, void *ud)
{
    if (!assoc_args_ok(from_type, from_id, to_type, "x"))
        return bad_argument(c, "listing associations needs a type, an id and a target type",
                            done, ud);
    strbuf p = {0};
    record_assoc_path(&p, from_type, from_id, to_type);
    qint(&p, "limit", limit > 0 ? limit : 500);
    if (!str_empty(after))
        qparam(&p, "after", after);
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_assoc_batch_read(hs_client *c, hs_priority prio, const char *from_type,
                               const char *to_type, json_t *ids, hs_batch_fn done, void *ud)
{
    json_t *inputs = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        char id[32];
        if (hs_json_id(v, id))
            json_array_append_new(inputs, json_pack("{ss}", "id", id));
        else if (json_is_object(v))
            json_array_append(inputs, v);
    }
    strbuf p = {0};
    pair_path(&p, from_type ? from_type : "", to_type ? to_type : "");
    strbuf_puts(&p, "/batch/read");
    hs_call_id id = hs_batch_post(c, prio, strbuf_str(&p), inputs, NULL, ASSOC_READ_BATCH_MAX, 0,
                                  done, ud);
    strbuf_free(&p);
    json_decref(inputs);
    return id;
}

hs_call_id hs_assoc_create_default(hs_client *c, hs_priority prio, const char *from_type,
                                   const char *from_id, const char *to_type, const char *to_id,
                                   hs_done_fn done, void *ud)
{
    if (!assoc_args_ok(from_type, from_id, to_type, to_id))
        return bad_argument(c, "an association needs two types and two ids", done, ud);
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v4/objects");
    seg(&p, from_type);
    seg(&p, from_id);
    strbuf_puts(&p, "/associations/default");
    seg(&p, to_type);
    seg(&p, to_id);
    return submit_path(c, prio, "PUT", &p, NULL, 0, done, ud);
}

hs_call_id hs_assoc_create(hs_client *c, hs_priority prio, const char *from_type,
                           const char *from_id, const char *to_type, const char *to_id,
                           json_t *types, hs_done_fn done, void *ud)
{
    if (!assoc_args_ok(from_type, from_id, to_type, to_id) || !json_is_array(types))
        return bad_argument(c, "a labelled association needs two types, two ids and the types",
                            done, ud);
    strbuf p = {0};
    record_assoc_path(&p, from_type, from_id, to_type);
    seg(&p, to_id);
    return submit_path(c, prio, "PUT", &p, types, 0, done, ud);
}

hs_call_id hs_assoc_archive(hs_client *c, hs_priority prio, const char *from_type,
                            const char *from_id, const char *to_type, const char *to_id,
                            hs_done_fn done, void *ud)
{
    if (!assoc_args_ok(from_type, from_id, to_type, to_id))
        return bad_argument(c, "an association needs two types and two ids", done, ud);
    strbuf p = {0};
    record_assoc_path(&p, from_type, from_id, to_type);
    seg(&p, to_id);
    return submit_path(c, prio, "DELETE", &p, NULL, 0, done, ud);
}

hs_call_id hs_assoc_batch(hs_client *c, hs_priority prio, hs_assoc_batch_kind kind,
                          const char *from_type, const char *to_type, json_t *inputs,
                          hs_batch_fn done, void *ud)
{
    static const char *const actions[] = {
        [HS_ABATCH_CREATE] = "create",
        [HS_ABATCH_DEFAULT] = "associate/default",
        [HS_ABATCH_ARCHIVE] = "archive",
        [HS_ABATCH_LABELS_ARCHIVE] = "labels/archive",
    };
    strbuf p = {0};
    pair_path(&p, from_type ? from_type : "", to_type ? to_type : "");
    strbuf_printf(&p, "/batch/%s", actions[kind]);
    hs_call_id id = hs_batch_post(c, prio, strbuf_str(&p), inputs, NULL, ASSOC_WRITE_BATCH_MAX, 0,
                                  done, ud);
    strbuf_free(&p);
    return id;
}

hs_call_id hs_assoc_labels(hs_client *c, hs_priority prio, const char *from_type,
                           const char *to_type, hs_done_fn done, void *ud)
{
    strbuf p = {0};
    pair_path(&p, from_type ? from_type : "", to_type ? to_type : "");
    strbuf_puts(&p, "/labels");
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_assoc_label_create(hs_client *c, hs_priority prio, const char *from_type,
                                 const char *to_type, const char *label, const char *name,
                                 const char *inverse_label, hs_done_fn done, void *ud)
{
    if (str_empty(label) || str_empty(name))
        return bad_argument(c, "a label needs a label and a name", done, ud);
    json_t *body = json_pack("{ssss}", "label", label, "name", name);
    if (inverse_label)
        json_object_set_new(body, "inverseLabel", json_string(inverse_label));
    strbuf p = {0};
    pair_path(&p, from_type ? from_type : "", to_type ? to_type : "");
    strbuf_puts(&p, "/labels");
    hs_call_id id = submit_path(c, prio, "POST", &p, body, HS_REQ_NOT_IDEMPOTENT, done, ud);
    json_decref(body);
    return id;
}

hs_call_id hs_assoc_label_update(hs_client *c, hs_priority prio, const char *from_type,
                                 const char *to_type, int type_id, const char *label,
                                 const char *inverse_label, hs_done_fn done, void *ud)
{
    json_t *body = json_pack("{siss}", "associationTypeId", type_id, "label", label ? label : "");
    if (inverse_label)
        json_object_set_new(body, "inverseLabel", json_string(inverse_label));
    strbuf p = {0};
    pair_path(&p, from_type ? from_type : "", to_type ? to_type : "");
    strbuf_puts(&p, "/labels");
    hs_call_id id = submit_path(c, prio, "PUT", &p, body, 0, done, ud);
    json_decref(body);
    return id;
}

hs_call_id hs_assoc_label_delete(hs_client *c, hs_priority prio, const char *from_type,
                                 const char *to_type, int type_id, hs_done_fn done, void *ud)
{
    strbuf p = {0};
    pair_path(&p, from_type ? from_type : "", to_type ? to_type : "");
    strbuf_printf(&p, "/labels/%d", type_id);
    return submit_path(c, prio, "DELETE", &p, NULL, 0, done, ud);
}

/* ---- metadata ----------------------------------------------------------------------- */

static hs_call_id get_path2(hs_client *c, hs_priority prio, const char *prefix, const char *a,
                            const char *b, hs_done_fn done, void *ud)
{
    if (str_empty(a) || (b && !*b))
        return bad_argument(c, "missing object type or name", done, ud);
    strbuf p = {0};
    strbuf_puts(&p, prefix);
    seg(&p, a);
    if (b)
        seg(&p, b);
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_properties_list(hs_client *c, hs_priority prio, const char *type, bool archived,
                              hs_done_fn done, void *ud)
{
    if (str_empty(type))
        return bad_argument(c, "no object type given", done, ud);
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v3/properties");
    seg(&p, type);
    if (archived)
        qparam(&p, "archived", "true");
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_property_get(hs_client *c, hs_priority prio, const char *type, const char *name,
                           hs_done_fn done, void *ud)
{
    return get_path2(c, prio, "/crm/v3/properties", type, name ? name : "", done, ud);
}

static hs_call_id post_definition(hs_client *c, hs_priority prio, const char *type,
                                  const char *suffix, json_t *def, hs_done_fn done, void *ud)
{
    if (str_empty(type) || !json_is_object(def))
        return bad_argument(c, "a definition object and an object type are needed", done, ud);
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v3/properties");
    seg(&p, type);
    strbuf_puts(&p, suffix);
    return submit_path(c, prio, "POST", &p, def, HS_REQ_NOT_IDEMPOTENT, done, ud);
}

hs_call_id hs_property_create(hs_client *c, hs_priority prio, const char *type, json_t *definition,
                              hs_done_fn done, void *ud)
{
    return post_definition(c, prio, type, "", definition, done, ud);
}

hs_call_id hs_property_groups_list(hs_client *c, hs_priority prio, const char *type,
                                   hs_done_fn done, void *ud)
{
    if (str_empty(type))
        return bad_argument(c, "no object type given", done, ud);
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v3/properties");
    seg(&p, type);
    strbuf_puts(&p, "/groups");
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_property_group_create(hs_client *c, hs_priority prio, const char *type,
                                    json_t *definition, hs_done_fn done, void *ud)
{
    return post_definition(c, prio, type, "/groups", definition, done, ud);
}

hs_call_id hs_pipelines_list(hs_client *c, hs_priority prio, const char *type,
                             hs_done_fn done, void *ud)
{
    return get_path2(c, prio, "/crm/v3/pipelines", type, NULL, done, ud);
}

hs_call_id hs_pipeline_get(hs_client *c, hs_priority prio, const char *type, const char *id,
                           hs_done_fn done, void *ud)
{
    return get_path2(c, prio, "/crm/v3/pipelines", type, id ? id : "", done, ud);
}

hs_call_id hs_owners_list(hs_client *c, hs_priority prio, const char *after, int limit,
                          hs_done_fn done, void *ud)
{
    strbuf p = {0};
    strbuf_puts(&p, "/crm/v3/owners");
    qint(&p, "limit", limit > 0 ? limit : 500);
    if (!str_empty(after))
        qparam(&p, "after", after);
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_owner_get(hs_client *c, hs_priority prio, const char *id, hs_done_fn done, void *ud)
{
    return get_path2(c, prio, "/crm/v3/owners", id, NULL, done, ud);
}

hs_call_id hs_schemas_list(hs_client *c, hs_priority prio, hs_done_fn done, void *ud)
{
    strbuf p = {0};
    strbuf_puts(&p, "/crm-object-schemas/v3/schemas");
    return submit_path(c, prio, "GET", &p, NULL, 0, done, ud);
}

hs_call_id hs_schema_get(hs_client *c, hs_priority prio, const char *type, hs_done_fn done, void *ud)
{
    return get_path2(c, prio, "/crm-object-schemas/v3/schemas", type, NULL, done, ud);
}

/* A callback wrapped to look at the answer before the caller does. */
typedef struct peek {
    hs_client *c;
    hs_done_fn done;
    void      *ud;
} peek;

static peek *peek_new(hs_client *c, hs_done_fn done, void *ud)
{
    peek *pk = xcalloc(1, sizeof *pk);
    *pk = (peek){c, done, ud};
    return pk;
}

static void on_account_details(void *ud, const hs_result *r)
{
    peek *pk = ud;
    json_t *off = json_object_get(r->body, "utcOffsetMilliseconds");
    if (r->status == HT_OK && json_is_integer(off))
        hs_client_set_utc_offset(pk->c, json_integer_value(off));
    pk->done(pk->ud, r);
    free(pk);
}

hs_call_id hs_account_details(hs_client *c, hs_priority prio, hs_done_fn done, void *ud)
{
    strbuf p = {0};
    strbuf_puts(&p, "/account-info/v3/details");
    return submit_path(c, prio, "GET", &p, NULL, 0, on_account_details, peek_new(c, done, ud));
}

static void on_code_exchanged(void *ud, const hs_result *r)
{
    peek *pk = ud;
    if (r->status == HT_OK) {
        ht_error err;
        if (auth_apply_token_response(hs_client_auth(pk->c), r->http_status, r->body,
                                      time_now_ms(), &err) != HT_OK) {
            hs_result bad = *r;
            bad.status = err.status;
            bad.err = &err;
            pk->done(pk->ud, &bad);
            free(pk);
            return;
        }
    }
    pk->done(pk->ud, r);
    free(pk);
}

hs_call_id hs_oauth_exchange_code(hs_client *c, const char *code, const char *redirect_uri,
                                  const char *code_verifier, hs_done_fn done, void *ud)
{
    auth *a = hs_client_auth(c);
    if (a->kind != AUTH_OAUTH || str_empty(code))
        return bad_argument(c, "the code exchange needs an OAuth portal and a code", done, ud);
    char *form = auth_code_form(a, code, redirect_uri, code_verifier);
    hs_request r = {
        .method = "POST", .path = "/oauth/v1/token", .body_text = form,
        .prio = HS_PRIO_INTERACTIVE,
        .flags = HS_REQ_NO_AUTH | HS_REQ_FORM | HS_REQ_NOT_IDEMPOTENT,
    };
    hs_call_id id = hs_submit(c, &r, on_code_exchanged, peek_new(c, done, ud));
    str_free_secret(form);
    return id;
}

hs_call_id hs_oauth_revoke_refresh(hs_client *c, const char *refresh_token, hs_done_fn done,
                                   void *ud)
{
    if (str_empty(refresh_token))
        return bad_argument(c, "revoking needs a refresh token", done, ud);
    strbuf path = {0};
    strbuf_puts(&path, "/oauth/v1/refresh-tokens");
    size_t at = path.len + 1;
    seg(&path, refresh_token);
    /* The token travels in the path: mask it (and its escaped form) first. */
    log_add_secret(refresh_token);
    char *escaped = xstrndup(strbuf_str(&path) + at, path.len - at);
    log_add_secret(escaped);
    str_free_secret(escaped);
    hs_request r = {.method = "DELETE", .path = strbuf_str(&path), .prio = HS_PRIO_INTERACTIVE,
                    .flags = HS_REQ_NO_AUTH};
    hs_call_id id = hs_submit(c, &r, done, ud);
    str_free_secret(strbuf_detach(&path));
    return id;
}

/* ---- reading bodies ---------------------------------------------------------------------- */

bool hs_json_id(const json_t *v, char out[32])
{
    if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 32) {
        memcpy(out, json_string_value(v), json_string_length(v) + 1);
        return true;
    }
    if (json_is_integer(v)) {
        snprintf(out, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return true;
    }
    return false;
}

const char *hs_next_after(const json_t *body)
{
    json_t *after = json_object_get(json_object_get(json_object_get(body, "paging"), "next"),
                                    "after");
    if (json_is_string(after) && json_string_length(after) > 0)
        return json_string_value(after);
    return NULL;
}

const char *hs_record_prop(const json_t *record, const char *name)
{
    json_t *v = json_object_get(json_object_get(record, "properties"), name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *hs_lastmodified_property(const char *type)
{
    if (type && (strcmp(type, "contacts") == 0 || strcmp(type, "0-1") == 0 ||
                 strcmp(type, "contact") == 0))
        return "lastmodifieddate";
    return "hs_lastmodifieddate";
}
