/* writeback_create.c — creates that never duplicate.
 *
 * Every queued create carries an idempotency key. Once per push and object
 * type the writeback makes sure the unique property hubtui_create_key exists
 * (creating its group and itself through the properties API), then sends
 * creates as a batch upsert with that idProperty: sent twice — a retry after
 * a lost answer, a push killed between sending and recording — it finds the
 * record the first one made instead of making another. A create whose
 * outcome is unknown (recovered after a crash, answer lost) is looked up by
 * its key before anything is sent again.
 *
 * Without the property (no permission to create it), contacts with an
 * e-mail address upsert by email; anything else is a plain batch create,
 * which is never repeated blindly: an unknown outcome is kept as failed
 * with a message asking the user to check HubSpot first. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "records.h"
#include "util.h"
#include "writeback_int.h"

typedef enum cmode { CM_KEY, CM_EMAIL, CM_PLAIN, CM_COUNT } cmode;

typedef enum cfate {
    C_OPEN = 0,     /* waiting for the key check */
    C_LOOKUP,       /* outcome unknown: look it up first */
    C_SEND,         /* goes out in the upsert/create */
    C_SETTLED,      /* landed, failed or back in the queue */
} cfate;

typedef struct crt crt;

typedef struct crt_send {
    crt    *c;
    cmode   mode;
    json_t *inputs;
    size_t *input_rec;
} crt_send;

struct crt {
    wb_batch      *b;
    writeback_job *j;
    outbox_batch  *ob;
    wb_keyprop    *key;
    unsigned char *fate;        /* per record */
    unsigned char *mode;        /* per record */
    json_t        *written;     /* created records as HubSpot answered */
    int            sends;       /* sends in flight */
    crt_send       send[CM_COUNT];
    bool           db_open;
};

/* ---- bookkeeping -------------------------------------------------------------------- */

static void db_begin(crt *c)
{
    c->db_open = store_begin(c->j->st, NULL) == HT_OK;
}

static void db_end(crt *c)
{
    if (!c->db_open)
        return;
    c->db_open = false;
    ht_error e;
    if (store_commit(c->j->st, &e) != HT_OK) {
        store_rollback(c->j->st);
        wb_job_db_error(c->j, &e);
    }
}

static bool db_ok(crt *c, ht_status s, const ht_error *e)
{
    if (s != HT_OK)
        wb_job_db_error(c->j, e);
    return s == HT_OK;
}

static outbox_claim_record *rec_of(crt *c, size_t ri)
{
    return &c->ob->records[ri];
}

/* Every row of record ri back to the queue (unknown: it may be on HubSpot). */
static void release_record(crt *c, size_t ri, bool unknown)
{
    outbox_claim_record *r = rec_of(c, ri);
    ht_error e;
    for (size_t ei = 0; ei < r->nedits; ei++) {
        ht_status s = unknown ? outbox_release_unknown(c->j->st, r->edits[ei].qid, &e)
                              : outbox_release(c->j->st, r->edits[ei].qid, &e);
        if (!db_ok(c, s, &e))
            return;
    }
    ht_status s = unknown ? outbox_release_unknown(c->j->st, r->create_qid, &e)
                          : outbox_release(c->j->st, r->create_qid, &e);
    if (db_ok(c, s, &e))
        c->fate[ri] = C_SETTLED;
}

/* The create is kept as failed; its edits wait in the queue, to go out
 * with it when it is retried (or to go with it when dropped). */
static void fail_record(crt *c, size_t ri, const char *msg, const char *category,
                        const char *corr, int http)
{
    outbox_claim_record *r = rec_of(c, ri);
    ht_error e;
    for (size_t ei = 0; ei < r->nedits; ei++)
        if (!db_ok(c, outbox_release(c->j->st, r->edits[ei].qid, &e), &e))
            return;
    ht_status s = outbox_mark_failed(c->j->st, r->create_qid,
                                     msg ? msg : "HubSpot refused the create", category, corr,
                                     http, &e);
    if (db_ok(c, s, &e)) {
        c->fate[ri] = C_SETTLED;
        c->j->prog.failed++;
    }
}

static const char *email_of(crt *c, size_t ri)
{
    outbox_claim_record *r = rec_of(c, ri);
    for (size_t ei = 0; ei < r->nedits; ei++)
        if (strcmp(r->edits[ei].prop, "email") == 0 && !str_empty(r->edits[ei].new_value))
            return r->edits[ei].new_value;
    return NULL;
}

/* Does the server's record rec belong to record ri (by how it was sent)? */
static bool record_matches(crt *c, size_t ri, cmode mode, json_t *rec)
{
    const char *v = NULL;
    switch (mode) {
    case CM_KEY:
        wb_record_has(rec, WB_CREATE_KEY_PROP, &v);
        return v && strcmp(v, rec_of(c, ri)->idem_key) == 0;
    case CM_EMAIL:
        wb_record_has(rec, "email", &v);
        return v && email_of(c, ri) && strcasecmp(v, email_of(c, ri)) == 0;
    default:
        v = json_string_value(json_object_get(rec, "objectWriteTraceId"));
        return v && strcmp(v, rec_of(c, ri)->idem_key) == 0;
    }
}

static json_t *find_match(crt *c, size_t ri, cmode mode, json_t *results)
{
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec)
        if (record_matches(c, ri, mode, rec))
            return rec;
    return NULL;
}

/* The record exists on HubSpot as rec: edits it does not show go back to
 * the queue (as updates of the new id) or, when it was just sent, are not
 * applied; the create lands. */
static void adopt(crt *c, size_t ri, json_t *rec, bool just_sent)
{
    outbox_claim_record *r = rec_of(c, ri);
    const char *hid = json_string_value(json_object_get(rec, "id"));
    if (!hid) {
        release_record(c, ri, true);
        return;
    }
    ht_error e;
    int64_t settled = 0;
    for (size_t ei = 0; ei < r->nedits; ei++) {
        outbox_edit *ed = &r->edits[ei];
        const char *v = NULL;
        bool shown = wb_record_has(rec, ed->prop, &v);
        if (wb_value_equal(objmeta_prop(c->b->m, ed->prop), v, ed->new_value) ||
            (just_sent && !shown)) {
            settled++;
            continue;
        }
        ht_status s;
        if (just_sent) {
            s = outbox_mark_not_applied(c->j->st, ed->qid, v, NULL, &e);
            c->j->prog.not_applied += s == HT_OK;
        } else {
            s = outbox_release(c->j->st, ed->qid, &e);
        }
        if (!db_ok(c, s, &e))
            return;
    }
    if (!db_ok(c, outbox_mark_created(c->j->st, r->create_qid, hid, NULL, &e), &e))
        return;
    c->fate[ri] = C_SETTLED;
    c->j->prog.creates_done++;
    c->j->prog.edits_done += settled;
    json_array_append(c->written, rec);
    if (c->j->opt.on_created)
        c->j->opt.on_created(c->j->opt.ud, c->ob->object, r->id, hid);
}

/* ---- ending -------------------------------------------------------------------------- */

static void store_written(crt *c)
{
    if (json_array_size(c->written) == 0)
        return;
    ht_error e;
    record_writer *w = records_writer_open(c->j->st, c->ob->object, &e);
    ht_status s = w ? records_writer_put_json(w, c->written, NULL, 0, 0, NULL, &e) : e.status;
    records_writer_close(w);
    if (s != HT_OK)
        wb_job_db_error(c->j, &e);
}

static void finish(crt *c)
{
    db_begin(c);
    for (size_t ri = 0; ri < c->ob->nrecords; ri++)
        if (c->fate[ri] != C_SETTLED)
            release_record(c, ri, c->fate[ri] == C_SEND);
    db_end(c);
    store_written(c);
    for (int m = 0; m < CM_COUNT; m++) {
        json_decref(c->send[m].inputs);
        free(c->send[m].input_rec);
    }
    json_decref(c->written);
    free(c->fate);
    free(c->mode);
    wb_batch *b = c->b;
    free(c);
    wb_batch_done(b);
}

/* ---- sending -------------------------------------------------------------------------- */

static hs_call_id submit_create(void *ud, json_t *inputs, hs_batch_fn done, void *cb_ud)
{
    crt_send *cs = ud;
    return hs_objects_batch(cs->c->j->c, HS_PRIO_BACKGROUND, cs->c->ob->type_id,
                            cs->mode == CM_PLAIN ? HS_BATCH_CREATE : HS_BATCH_UPSERT, inputs,
                            NULL, done, cb_ud);
}

static bool any_maybe_applied(const hs_batch_result *r)
{
    for (size_t i = 0; i < r->n_chunks; i++)
        if (r->chunks[i].maybe_applied)
            return true;
    return false;
}

static void part_failed(crt_send *cs, const size_t *idx, size_t n, const hs_batch_result *r)
{
    crt *c = cs->c;
    ht_error e;
    wb_part_error(r, &e);
    bool refused = r->status == HT_FORBIDDEN || r->status == HT_NOT_FOUND ||
                   wb_is_input_error(r);
    bool maybe = cs->mode == CM_PLAIN && any_maybe_applied(r);
    for (size_t k = 0; k < n; k++) {
        size_t ri = cs->input_rec[idx[k]];
        if (refused)
            fail_record(c, ri, e.message, e.category, e.correlation_id, e.http_status);
        else if (maybe)
            fail_record(c, ri, "HubSpot may have created this record (the answer was lost)"
                        " and it cannot be looked up without the hubtui_create_key property:"
                        " check HubSpot, then retry or drop it", e.category,
                        e.correlation_id, e.http_status);
        else
            release_record(c, ri, cs->mode != CM_PLAIN);
    }
    if (!refused)
        wb_job_stop(c->j, r->status, &e);
}

/* Edits a create sends (empty values are left out). */
static int64_t sent_edits(crt *c, size_t ri)
{
    int64_t n = 0;
    for (size_t ei = 0; ei < rec_of(c, ri)->nedits; ei++)
        n += !str_empty(rec_of(c, ri)->edits[ei].new_value);
    return n;
}

static void on_create_part(void *ud, const size_t *idx, size_t n, const hs_batch_result *r)
{
    crt_send *cs = ud;
    crt *c = cs->c;
    for (size_t k = 0; k < n && wb_part_reached(r); k++)
        c->j->prog.edits_sent += sent_edits(c, cs->input_rec[idx[k]]);
    db_begin(c);
    if (r->status != HT_OK)
        part_failed(cs, idx, n, r);
    for (size_t k = 0; r->status == HT_OK && k < n; k++) {
        size_t ri = cs->input_rec[idx[k]];
        json_t *rec = find_match(c, ri, cs->mode, r->results);
        if (!rec && cs->mode == CM_PLAIN && json_array_size(r->results) == n)
            rec = json_array_get(r->results, k);   /* answers in input order */
        if (rec)
            adopt(c, ri, rec, true);
        else if (cs->mode == CM_PLAIN)
            fail_record(c, ri, "HubSpot answered without this record: it may or may not"
                        " exist; check HubSpot, then retry or drop it", NULL, NULL, 207);
        else
            release_record(c, ri, true);   /* look it up next time */
    }
    db_end(c);
}

static void on_create_sent(void *ud)
{
    crt_send *cs = ud;
    crt *c = cs->c;
    if (--c->sends == 0)
        finish(c);
}

/* The input for record ri in its mode. */
static json_t *create_input(crt *c, size_t ri, cmode mode)
{
    outbox_claim_record *r = rec_of(c, ri);
    json_t *props = json_object();
    for (size_t ei = 0; ei < r->nedits; ei++) {
        if (str_empty(r->edits[ei].new_value))
            continue;   /* nothing to clear on a new record */
        json_object_set_new(props, r->edits[ei].prop, json_string(r->edits[ei].new_value));
    }
    switch (mode) {
    case CM_KEY:
        json_object_set_new(props, WB_CREATE_KEY_PROP, json_string(r->idem_key));
        return json_pack("{ss ss so}", "id", r->idem_key, "idProperty", WB_CREATE_KEY_PROP,
                         "properties", props);
    case CM_EMAIL:
        return json_pack("{ss ss so}", "id", email_of(c, ri), "idProperty", "email",
                         "properties", props);
    default:
        return json_pack("{so ss}", "properties", props, "objectWriteTraceId", r->idem_key);
    }
}

static void send_stage(crt *c)
{
    if (wb_quiet(c->j)) {
        finish(c);
        return;
    }
    for (size_t ri = 0; ri < c->ob->nrecords; ri++) {
        if (c->fate[ri] != C_SEND)
            continue;
        crt_send *cs = &c->send[c->mode[ri]];
        if (!cs->inputs) {
            cs->inputs = json_array();
            cs->input_rec = xcalloc(c->ob->nrecords, sizeof *cs->input_rec);
        }
        cs->input_rec[json_array_size(cs->inputs)] = ri;
        json_array_append_new(cs->inputs, create_input(c, ri, c->mode[ri]));
    }
    c->sends = 1;   /* held until every send is submitted */
    for (int m = 0; m < CM_COUNT; m++) {
        crt_send *cs = &c->send[m];
        if (!cs->inputs)
            continue;
        cs->c = c;
        cs->mode = (cmode)m;
        c->sends++;
        wb_send_spec spec = {
            .job = c->j, .inputs = cs->inputs, .submit = submit_create,
            .on_part = on_create_part, .on_sent = on_create_sent, .ud = cs,
        };
        wb_send(&spec);
    }
    if (--c->sends == 0)
        finish(c);
}

/* ---- looking before resending ------------------------------------------------------------ */

static cmode lookup_mode(crt *c)
{
    for (size_t ri = 0; ri < c->ob->nrecords; ri++)
        if (c->fate[ri] == C_LOOKUP)
            return c->mode[ri];
    return CM_PLAIN;
}

static void on_lookup(void *ud, const hs_batch_result *r)
{
    crt *c = ud;
    wb_untrack(c->j, r->id);
    wb_count_requests(c->j, r);
    cmode mode = lookup_mode(c);
    db_begin(c);
    for (size_t ri = 0; ri < c->ob->nrecords; ri++) {
        if (c->fate[ri] != C_LOOKUP)
            continue;
        json_t *rec = r->status == HT_OK ? find_match(c, ri, mode, r->results) : NULL;
        if (r->status != HT_OK)
            release_record(c, ri, false);   /* still unknown: recheck stays set */
        else if (rec)
            adopt(c, ri, rec, false);
        else
            c->fate[ri] = C_SEND;           /* not there: safe to send */
    }
    if (r->status != HT_OK) {
        ht_error e;
        wb_part_error(r, &e);
        wb_job_stop(c->j, r->status, &e);
    }
    db_end(c);
    send_stage(c);
}

static void lookup_stage(crt *c)
{
    cmode mode = lookup_mode(c);
    json_t *inputs = json_array();
    const char **props = xcalloc(2, sizeof *props);
    size_t np = 0;
    for (size_t ri = 0; ri < c->ob->nrecords; ri++) {
        if (c->fate[ri] != C_LOOKUP)
            continue;
        outbox_claim_record *r = rec_of(c, ri);
        const char *id = mode == CM_KEY ? r->idem_key : email_of(c, ri);
        json_array_append_new(inputs, json_pack("{ss}", "id", id));
        for (size_t ei = 0; ei < r->nedits; ei++) {
            props = xrealloc(props, (np + 3) * sizeof *props);
            props[np++] = r->edits[ei].prop;
        }
    }
    props = xrealloc(props, (np + 3) * sizeof *props);
    props[np++] = mode == CM_KEY ? WB_CREATE_KEY_PROP : "email";
    props[np] = NULL;
    hs_read_opts o = {.properties = props,
                      .id_property = mode == CM_KEY ? WB_CREATE_KEY_PROP : "email"};
    hs_call_id id = hs_objects_batch(c->j->c, HS_PRIO_BACKGROUND, c->ob->type_id, HS_BATCH_READ,
                                     inputs, &o, on_lookup, c);
    wb_track(c->j, id);
    json_decref(inputs);
    free(props);
}

/* The key check is over: decide how each record goes. */
static void proceed(crt *c)
{
    bool key = c->key->state == WBK_READY;
    bool contacts = strcmp(c->ob->object, "contacts") == 0;
    bool lookups = false;
    db_begin(c);
    for (size_t ri = 0; ri < c->ob->nrecords; ri++) {
        outbox_claim_record *r = rec_of(c, ri);
        c->mode[ri] = key ? CM_KEY : contacts && email_of(c, ri) ? CM_EMAIL : CM_PLAIN;
        if (!r->recheck) {
            c->fate[ri] = C_SEND;
        } else if (c->mode[ri] == CM_PLAIN) {
            char msg[768];
            snprintf(msg, sizeof msg, "a push was interrupted while sending this create, and"
                     " it cannot be looked up (%s): check HubSpot, then retry or drop it",
                     c->key->reason);
            fail_record(c, ri, msg, NULL, NULL, 0);
        } else {
            c->fate[ri] = C_LOOKUP;
            lookups = true;
        }
    }
    db_end(c);
    if (lookups && !wb_quiet(c->j))
        lookup_stage(c);
    else
        send_stage(c);
}

/* ---- the create-key property -------------------------------------------------------------- */

static void key_settled(wb_keyprop *k)
{
    size_t n = k->nwaiting;
    wb_batch **waiting = k->waiting;
    k->waiting = NULL;
    k->nwaiting = 0;
    for (size_t i = 0; i < n; i++) {
        crt *c = waiting[i]->kind_state;
        if (k->state == WBK_READY || k->state == WBK_UNAVAILABLE) {
            proceed(c);
        } else {
            db_begin(c);
            for (size_t ri = 0; ri < c->ob->nrecords; ri++)
                release_record(c, ri, false);
            db_end(c);
            finish(c);
        }
    }
    free(waiting);
}

static void key_unavailable(wb_keyprop *k, writeback_job *j, const char *why, const char *detail)
{
    k->state = WBK_UNAVAILABLE;
    snprintf(k->reason, sizeof k->reason, "%.200s%s%.300s", why, detail ? ": " : "",
             detail ? detail : "");
    log_warn("writeback: no create key for %s: %s", k->type_id, k->reason);
    key_settled(k);
}

static void key_failed(wb_keyprop *k, writeback_job *j, const hs_result *r)
{
    k->state = WBK_UNKNOWN;
    wb_job_stop(j, r->status, r->err);
    key_settled(k);
}

typedef struct key_ctx {
    writeback_job *j;
    wb_keyprop    *k;
} key_ctx;

static void key_get(key_ctx *kc);

static bool key_answer(key_ctx *kc, const hs_result *r)
{
    wb_untrack(kc->j, r->id);
    if (r->http_status || r->status != HT_CANCELLED)
        kc->j->prog.requests++;
    return r->status == HT_OK;
}

/* Another try after a failure that may be passing (network, 5xx). */
static void key_retry(key_ctx *kc, const hs_result *r)
{
    if (++kc->k->tries < 3 && r->status != HT_CANCELLED && r->status != HT_RATE_LIMIT &&
        !wb_quiet(kc->j)) {
        key_get(kc);
        return;
    }
    key_failed(kc->k, kc->j, r);
    free(kc);
}

static void on_key_created(void *ud, const hs_result *r)
{
    key_ctx *kc = ud;
    if (key_answer(kc, r)) {
        kc->k->state = WBK_READY;
        log_info("writeback: created the %s property of %s", WB_CREATE_KEY_PROP,
                 kc->k->type_id);
        key_settled(kc->k);
        free(kc);
    } else if (r->status == HT_FORBIDDEN || r->status == HT_INVALID) {
        key_unavailable(kc->k, kc->j, "HubSpot refused to create the hubtui_create_key"
                        " property", r->err ? r->err->message : NULL);
        free(kc);
    } else {
        key_retry(kc, r);   /* 409: made meanwhile; or lost: look again */
    }
}

static void create_key_property(key_ctx *kc)
{
    json_t *def = json_pack("{ss ss ss ss ss sb ss}", "name", WB_CREATE_KEY_PROP,
                            "label", "hubtui create key", "type", "string", "fieldType", "text",
                            "groupName", WB_CREATE_KEY_GROUP, "hasUniqueValue", 1,
                            "description", "Set by hubtui on records it creates, so that a"
                            " create sent twice never makes two records.");
    hs_call_id id = hs_property_create(kc->j->c, HS_PRIO_BACKGROUND, kc->k->type_id, def,
                                       on_key_created, kc);
    wb_track(kc->j, id);
    json_decref(def);
}

static void on_group_created(void *ud, const hs_result *r)
{
    key_ctx *kc = ud;
    if (key_answer(kc, r) || r->status == HT_CONFLICT) {
        create_key_property(kc);
    } else if (r->status == HT_FORBIDDEN || r->status == HT_INVALID) {
        key_unavailable(kc->k, kc->j, "HubSpot refused to create the hubtui property group",
                        r->err ? r->err->message : NULL);
        free(kc);
    } else {
        key_retry(kc, r);
    }
}

static void on_key_get(void *ud, const hs_result *r)
{
    key_ctx *kc = ud;
    if (key_answer(kc, r)) {
        if (json_is_true(json_object_get(r->body, "hasUniqueValue"))) {
            kc->k->state = WBK_READY;
            key_settled(kc->k);
        } else {
            key_unavailable(kc->k, kc->j, "the hubtui_create_key property exists but does not"
                            " hold unique values", NULL);
        }
        free(kc);
    } else if (r->status == HT_NOT_FOUND && !wb_quiet(kc->j)) {
        json_t *def = json_pack("{ss ss si}", "name", WB_CREATE_KEY_GROUP, "label", "hubtui",
                                "displayOrder", -1);
        hs_call_id id = hs_property_group_create(kc->j->c, HS_PRIO_BACKGROUND, kc->k->type_id,
                                                 def, on_group_created, kc);
        wb_track(kc->j, id);
        json_decref(def);
    } else if (r->status == HT_FORBIDDEN) {
        key_unavailable(kc->k, kc->j, "no permission to read property definitions",
                        r->err ? r->err->message : NULL);
        free(kc);
    } else {
        key_retry(kc, r);
    }
}

static void key_get(key_ctx *kc)
{
    hs_call_id id = hs_property_get(kc->j->c, HS_PRIO_BACKGROUND, kc->k->type_id,
                                    WB_CREATE_KEY_PROP, on_key_get, kc);
    wb_track(kc->j, id);
}

static wb_keyprop *key_for(writeback_job *j, const char *type_id)
{
    for (size_t i = 0; i < j->nkeys; i++)
        if (strcmp(j->keys[i]->type_id, type_id) == 0)
            return j->keys[i];
    j->keys = xrealloc(j->keys, (j->nkeys + 1) * sizeof *j->keys);
    wb_keyprop *k = xcalloc(1, sizeof *k);
    k->type_id = xstrdup(type_id);
    j->keys[j->nkeys++] = k;
    return k;
}

void wb_create_start(wb_batch *b)
{
    crt *c = xcalloc(1, sizeof *c);
    c->b = b;
    c->j = b->job;
    c->ob = b->ob;
    size_t n = c->ob->nrecords;
    c->fate = xcalloc(n ? n : 1, 1);
    c->mode = xcalloc(n ? n : 1, 1);
    c->written = json_array();
    b->kind_state = c;
    c->key = key_for(c->j, c->ob->type_id);
    if (wb_quiet(c->j)) {
        finish(c);
        return;
    }
    if (c->key->state == WBK_READY || c->key->state == WBK_UNAVAILABLE) {
        proceed(c);
        return;
    }
    if (c->key->state == WBK_UNKNOWN) {
        c->key->state = WBK_CHECKING;
        c->key->tries = 0;
        key_ctx *kc = xcalloc(1, sizeof *kc);
        kc->j = c->j;
        kc->k = c->key;
        key_get(kc);
    }
    /* Wait for the check's answer. */
    c->key->waiting = xrealloc(c->key->waiting, (c->key->nwaiting + 1) * sizeof *c->key->waiting);
    c->key->waiting[c->key->nwaiting++] = b;
}
