/* writeback_assoc.c — association adds and removes through the v4 batch
 * endpoints, for one pair of object types per batch: labelled adds
 * (batch/create), unlabelled adds (batch/associate/default), removals of
 * every link of a pair (batch/archive) and of one label (batch/labels/
 * archive). A change whose outcome is unknown (a push died while sending
 * it) is checked first with a batch read of the records' associations. */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "writeback_int.h"

typedef enum afate { A_OPEN = 0, A_SEND, A_SETTLED } afate;

typedef enum akind {
    AK_ADD_LABEL, AK_ADD_DEFAULT, AK_REMOVE_PAIR, AK_REMOVE_LABEL, AK_COUNT
} akind;

typedef struct asc asc;

typedef struct asend {
    asc    *a;
    akind   kind;
    json_t *inputs;
    size_t *input_as;    /* input → index in ob->assocs */
} asend;

struct asc {
    wb_batch      *b;
    writeback_job *j;
    outbox_batch  *ob;
    const objmeta *to;
    unsigned char *fate;
    int            sends;
    asend          send[AK_COUNT];
    bool           db_open;
};

static const hs_assoc_batch_kind api_kind[] = {
    [AK_ADD_LABEL] = HS_ABATCH_CREATE, [AK_ADD_DEFAULT] = HS_ABATCH_DEFAULT,
    [AK_REMOVE_PAIR] = HS_ABATCH_ARCHIVE, [AK_REMOVE_LABEL] = HS_ABATCH_LABELS_ARCHIVE,
};

/* ---- bookkeeping -------------------------------------------------------------------- */

static void db_begin(asc *a)
{
    a->db_open = store_begin(a->j->st, NULL) == HT_OK;
}

static void db_end(asc *a)
{
    if (!a->db_open)
        return;
    a->db_open = false;
    ht_error e;
    if (store_commit(a->j->st, &e) != HT_OK) {
        store_rollback(a->j->st);
        wb_job_db_error(a->j, &e);
    }
}

static void settle(asc *a, size_t i, ht_status s, const ht_error *e, int64_t *counter)
{
    if (s != HT_OK) {
        wb_job_db_error(a->j, e);
        return;
    }
    a->fate[i] = A_SETTLED;
    if (counter)
        (*counter)++;
}

static void set_done(asc *a, size_t i)
{
    ht_error e;
    settle(a, i, outbox_mark_done(a->j->st, a->ob->assocs[i].qid, NULL, NULL, &e), &e,
           &a->j->prog.edits_done);
}

static void set_failed(asc *a, size_t i, const char *msg, const char *category,
                       const char *corr, int http)
{
    ht_error e;
    settle(a, i, outbox_mark_failed(a->j->st, a->ob->assocs[i].qid,
                                    msg ? msg : "HubSpot refused the association change",
                                    category, corr, http, &e),
           &e, &a->j->prog.failed);
}

static void set_released(asc *a, size_t i, bool unknown)
{
    ht_error e;
    int64_t qid = a->ob->assocs[i].qid;
    settle(a, i, unknown ? outbox_release_unknown(a->j->st, qid, &e)
                         : outbox_release(a->j->st, qid, &e), &e, NULL);
}

static akind kind_of(const outbox_claim_assoc *x)
{
    if (x->add)
        return x->type_id > 0 ? AK_ADD_LABEL : AK_ADD_DEFAULT;
    return x->type_id > 0 ? AK_REMOVE_LABEL : AK_REMOVE_PAIR;
}

static void finish(asc *a)
{
    db_begin(a);
    for (size_t i = 0; i < a->ob->nassocs; i++)
        if (a->fate[i] != A_SETTLED)
            set_released(a, i, a->fate[i] == A_SEND);
    db_end(a);
    for (int k = 0; k < AK_COUNT; k++) {
        json_decref(a->send[k].inputs);
        free(a->send[k].input_as);
    }
    objmeta_release(a->to);
    free(a->fate);
    wb_batch *b = a->b;
    free(a);
    wb_batch_done(b);
}

/* ---- sending ------------------------------------------------------------------------- */

static json_t *type_spec(const outbox_claim_assoc *x)
{
    return json_pack("[{ss si}]", "associationCategory",
                     x->category ? x->category : "HUBSPOT_DEFINED", "associationTypeId",
                     x->type_id);
}

static json_t *assoc_input(const outbox_claim_assoc *x)
{
    switch (kind_of(x)) {
    case AK_REMOVE_PAIR:
        return json_pack("{s{ss} s[{ss}]}", "from", "id", x->from_id, "to", "id", x->to_id);
    case AK_ADD_DEFAULT:
        return json_pack("{s{ss} s{ss}}", "from", "id", x->from_id, "to", "id", x->to_id);
    default:
        return json_pack("{s{ss} s{ss} so}", "from", "id", x->from_id, "to", "id", x->to_id,
                         "types", type_spec(x));
    }
}

static bool list_has(const json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        char buf[32];
        if (hs_json_id(v, buf) && strcmp(buf, id) == 0)
            return true;
    }
    return false;
}

/* A 207 error that names this pair (by its ids, or from/to ids). */
static const apierror_item *error_for(const hs_batch_result *r, const outbox_claim_assoc *x)
{
    for (size_t i = 0; i < r->n_errors; i++) {
        const apierror_item *it = &r->errors[i];
        json_t *from = json_object_get(it->context, "fromObjectId");
        json_t *to = json_object_get(it->context, "toObjectId");
        if (from && to && list_has(from, x->from_id) && list_has(to, x->to_id))
            return it;
        for (size_t k = 0; k < it->n_ids; k++)
            if (it->ids[k] && strcmp(it->ids[k], x->from_id) == 0)
                return it;
    }
    return NULL;
}

static void on_assoc_part(void *ud, const size_t *idx, size_t n, const hs_batch_result *r)
{
    asend *s = ud;
    asc *a = s->a;
    ht_error e;
    wb_part_error(r, &e);
    bool refused = r->status != HT_OK && (r->status == HT_FORBIDDEN ||
                                          r->status == HT_NOT_FOUND || wb_is_input_error(r));
    if (wb_part_reached(r))
        a->j->prog.edits_sent += (int64_t)n;
    db_begin(a);
    for (size_t k = 0; k < n; k++) {
        size_t i = s->input_as[idx[k]];
        const apierror_item *it = r->status == HT_OK ? error_for(r, &a->ob->assocs[i]) : NULL;
        if (r->status == HT_OK && !it)
            set_done(a, i);
        else if (it)
            set_failed(a, i, it->message, it->category, NULL, 207);
        else if (refused)
            set_failed(a, i, e.message, e.category, e.correlation_id, e.http_status);
        else
            set_released(a, i, true);
    }
    db_end(a);
    if (r->status != HT_OK && !refused)
        wb_job_stop(a->j, r->status, &e);
}

static void on_assoc_sent(void *ud)
{
    asend *s = ud;
    if (--s->a->sends == 0)
        finish(s->a);
}

static hs_call_id submit_assoc(void *ud, json_t *inputs, hs_batch_fn done, void *cb_ud)
{
    asend *s = ud;
    return hs_assoc_batch(s->a->j->c, HS_PRIO_BACKGROUND, api_kind[s->kind], s->a->ob->type_id,
                          s->a->to->type_id, inputs, done, cb_ud);
}

static void send_stage(asc *a)
{
    if (wb_quiet(a->j)) {
        finish(a);
        return;
    }
    for (size_t i = 0; i < a->ob->nassocs; i++) {
        if (a->fate[i] != A_SEND)
            continue;
        asend *s = &a->send[kind_of(&a->ob->assocs[i])];
        if (!s->inputs) {
            s->inputs = json_array();
            s->input_as = xcalloc(a->ob->nassocs, sizeof *s->input_as);
        }
        s->input_as[json_array_size(s->inputs)] = i;
        json_array_append_new(s->inputs, assoc_input(&a->ob->assocs[i]));
    }
    a->sends = 1;   /* held until every send is submitted */
    for (int k = 0; k < AK_COUNT; k++) {
        asend *s = &a->send[k];
        if (!s->inputs)
            continue;
        s->a = a;
        s->kind = (akind)k;
        a->sends++;
        wb_send_spec spec = {
            .job = a->j, .inputs = s->inputs, .submit = submit_assoc,
            .on_part = on_assoc_part, .on_sent = on_assoc_sent, .ud = s,
        };
        wb_send(&spec);
    }
    if (--a->sends == 0)
        finish(a);
}

/* ---- looking first ----------------------------------------------------------------------- */

/* Is the link x on the server, per a v4 batch read's results? */
static bool link_present(json_t *results, const outbox_claim_assoc *x)
{
    size_t i, k, t;
    json_t *row, *to, *type;
    json_array_foreach(results, i, row) {
        char from[32];
        if (!hs_json_id(json_object_get(json_object_get(row, "from"), "id"), from) ||
            strcmp(from, x->from_id) != 0)
            continue;
        json_array_foreach(json_object_get(row, "to"), k, to) {
            char tid[32];
            if (!hs_json_id(json_object_get(to, "toObjectId"), tid) || strcmp(tid, x->to_id))
                continue;
            if (x->type_id <= 0)
                return true;
            json_array_foreach(json_object_get(to, "associationTypes"), t, type)
                if (json_integer_value(json_object_get(type, "typeId")) == x->type_id)
                    return true;
        }
    }
    return false;
}

static void on_recheck(void *ud, const hs_batch_result *r)
{
    asc *a = ud;
    wb_untrack(a->j, r->id);
    wb_count_requests(a->j, r);
    db_begin(a);
    for (size_t i = 0; i < a->ob->nassocs; i++) {
        const outbox_claim_assoc *x = &a->ob->assocs[i];
        if (a->fate[i] != A_OPEN)
            continue;
        if (r->status != HT_OK)
            set_released(a, i, false);     /* recheck stays set */
        else if (link_present(r->results, x) == x->add)
            set_done(a, i);                /* it landed before */
        else
            a->fate[i] = A_SEND;
    }
    db_end(a);
    if (r->status != HT_OK) {
        ht_error e;
        wb_part_error(r, &e);
        wb_job_stop(a->j, r->status, &e);
    }
    send_stage(a);
}

void wb_assoc_start(wb_batch *b)
{
    asc *a = xcalloc(1, sizeof *a);
    a->b = b;
    a->j = b->job;
    a->ob = b->ob;
    a->fate = xcalloc(a->ob->nassocs ? a->ob->nassocs : 1, 1);
    b->kind_state = a;
    ht_error e;
    a->to = a->ob->nassocs ? meta_object(a->j->st, a->ob->assocs[0].to_object, &e) : NULL;
    if (!a->to) {
        if (a->ob->nassocs)
            wb_job_db_error(a->j, &e);
        finish(a);
        return;
    }
    json_t *ids = json_array();
    for (size_t i = 0; i < a->ob->nassocs; i++) {
        if (a->ob->assocs[i].recheck)
            json_array_append_new(ids, json_string(a->ob->assocs[i].from_id));
        else
            a->fate[i] = A_SEND;
    }
    if (json_array_size(ids) == 0 || wb_quiet(a->j)) {
        json_decref(ids);
        send_stage(a);
        return;
    }
    hs_call_id id = hs_assoc_batch_read(a->j->c, HS_PRIO_BACKGROUND, a->ob->type_id,
                                        a->to->type_id, ids, on_recheck, a);
    wb_track(a->j, id);
    json_decref(ids);
}
