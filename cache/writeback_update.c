/* writeback_update.c — property edits of records that exist on HubSpot.
 *
 * A batch goes through: a batch read of the edited properties; per edit,
 * the server's value decides — equal to the new value: already there (done;
 * this is also how an edit interrupted by a crash is settled without being
 * resent), equal to the value the edit replaced: send it, anything else:
 * someone else changed it, a conflict (a second read with history says who
 * and when); one batch update for what is left (edits of one record in one
 * input, bad inputs isolated); each answer's values compared with what was
 * sent, and a read-back of properties the answer did not show; finally the
 * values HubSpot returned go into the cache. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "records.h"
#include "util.h"
#include "writeback_int.h"

typedef enum fate {
    F_OPEN = 0,     /* not decided yet */
    F_CONFLICT,     /* someone else changed it: waiting for the history */
    F_SEND,         /* goes out in the write */
    F_VERIFY,       /* written; the answer did not show it: read it back */
    F_SETTLED,      /* marked in the outbox */
} fate;

typedef struct upd {
    wb_batch       *b;
    writeback_job  *j;
    outbox_batch   *ob;
    unsigned char **fate;       /* [record][edit] */
    json_t        **server;     /* [record]: the record as read before writing */
    json_t        **history;    /* [record]: with propertiesWithHistory (conflicts) */
    size_t          history_waiting;
    json_t         *written;    /* records as HubSpot answered, for the cache */
    json_t         *inputs;     /* the write's inputs */
    size_t         *input_rec;  /* input → record index */
    bool            db_open;
} upd;

/* ---- bookkeeping ------------------------------------------------------------------ */

static void db_begin(upd *u)
{
    u->db_open = store_begin(u->j->st, NULL) == HT_OK;
}

static void db_end(upd *u)
{
    if (!u->db_open)
        return;
    u->db_open = false;
    ht_error e;
    if (store_commit(u->j->st, &e) != HT_OK) {
        store_rollback(u->j->st);
        wb_job_db_error(u->j, &e);
    }
}

static bool marked(upd *u, size_t ri, size_t ei, ht_status s, const ht_error *e)
{
    if (s != HT_OK) {
        wb_job_db_error(u->j, e);
        return false;
    }
    u->fate[ri][ei] = F_SETTLED;
    return true;
}

static outbox_edit *edit_of(upd *u, size_t ri, size_t ei)
{
    return &u->ob->records[ri].edits[ei];
}

static void set_done(upd *u, size_t ri, size_t ei, const char *server_value)
{
    ht_error e;
    ht_status s = outbox_mark_done(u->j->st, edit_of(u, ri, ei)->qid, server_value, NULL, &e);
    if (marked(u, ri, ei, s, &e))
        u->j->prog.edits_done++;
}

static void set_not_applied(upd *u, size_t ri, size_t ei, const char *server_value)
{
    ht_error e;
    ht_status s = outbox_mark_not_applied(u->j->st, edit_of(u, ri, ei)->qid, server_value,
                                          NULL, &e);
    if (marked(u, ri, ei, s, &e))
        u->j->prog.not_applied++;
}

static void set_conflict(upd *u, size_t ri, size_t ei, const char *server_value,
                         const char *by, const char *at)
{
    ht_error e;
    ht_status s = outbox_mark_conflict(u->j->st, edit_of(u, ri, ei)->qid, server_value, by, at,
                                       &e);
    if (marked(u, ri, ei, s, &e))
        u->j->prog.conflicts++;
}

static void set_failed(upd *u, size_t ri, size_t ei, const char *msg, const char *category,
                       const char *corr, int http)
{
    ht_error e;
    ht_status s = outbox_mark_failed(u->j->st, edit_of(u, ri, ei)->qid,
                                     msg ? msg : "HubSpot refused the edit", category, corr,
                                     http, &e);
    if (marked(u, ri, ei, s, &e))
        u->j->prog.failed++;
}

/* Back to the queue; unknown: it may have been written (check first next time). */
static void set_released(upd *u, size_t ri, size_t ei, bool unknown)
{
    ht_error e;
    int64_t qid = edit_of(u, ri, ei)->qid;
    ht_status s = unknown ? outbox_release_unknown(u->j->st, qid, &e)
                          : outbox_release(u->j->st, qid, &e);
    marked(u, ri, ei, s, &e);
}

static size_t count_fate(upd *u, unsigned char f)
{
    size_t n = 0;
    for (size_t ri = 0; ri < u->ob->nrecords; ri++)
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++)
            n += u->fate[ri][ei] == f;
    return n;
}

static bool record_has_fate(upd *u, size_t ri, unsigned char f)
{
    for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++)
        if (u->fate[ri][ei] == f)
            return true;
    return false;
}

/* The distinct properties of edits in fate f, NULL-terminated; the
 * strings are borrowed from the batch. */
static const char **props_in_fate(upd *u, unsigned char f)
{
    size_t n = 0, cap = 8;
    const char **v = xcalloc(cap + 1, sizeof *v);
    for (size_t ri = 0; ri < u->ob->nrecords; ri++) {
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
            if (u->fate[ri][ei] != f)
                continue;
            const char *p = edit_of(u, ri, ei)->prop;
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = strcmp(v[k], p) == 0;
            if (seen)
                continue;
            if (n == cap) {
                cap *= 2;
                v = xrealloc(v, (cap + 1) * sizeof *v);
            }
            v[n++] = p;
            v[n] = NULL;
        }
    }
    return v;
}

static json_t *ids_in_fate(upd *u, unsigned char f)
{
    json_t *inputs = json_array();
    for (size_t ri = 0; ri < u->ob->nrecords; ri++)
        if (record_has_fate(u, ri, f))
            json_array_append_new(inputs, json_pack("{ss}", "id", u->ob->records[ri].id));
    return inputs;
}

static json_t *find_record(json_t *results, const char *id)
{
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        const char *rid = json_string_value(json_object_get(rec, "id"));
        if (rid && strcmp(rid, id) == 0)
            return rec;
    }
    return NULL;
}

static const prop_def *def_of(upd *u, size_t ri, size_t ei)
{
    return objmeta_prop(u->b->m, edit_of(u, ri, ei)->prop);
}

/* ---- ending --------------------------------------------------------------------------- */

static void store_written(upd *u)
{
    if (json_array_size(u->written) == 0)
        return;
    ht_error e;
    record_writer *w = records_writer_open(u->j->st, u->ob->object, &e);
    ht_status s = w ? records_writer_put_json(w, u->written, NULL, 0, 0, NULL, &e)
                    : e.status;
    records_writer_close(w);
    if (s != HT_OK)
        wb_job_db_error(u->j, &e);
}

static void finish(upd *u)
{
    db_begin(u);
    /* Nothing may stay `sending` once the batch is over. */
    for (size_t ri = 0; ri < u->ob->nrecords; ri++)
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++)
            if (u->fate[ri][ei] != F_SETTLED)
                set_released(u, ri, ei, u->fate[ri][ei] == F_VERIFY);
    db_end(u);
    store_written(u);
    for (size_t ri = 0; ri < u->ob->nrecords; ri++) {
        free(u->fate[ri]);
        json_decref(u->server[ri]);
        json_decref(u->history[ri]);
    }
    free(u->fate);
    free(u->server);
    free(u->history);
    json_decref(u->written);
    json_decref(u->inputs);
    free(u->input_rec);
    wb_batch *b = u->b;
    free(u);
    wb_batch_done(b);
}

/* A whole call failed (read, write or read-back): refusals keep the edits
 * with HubSpot's message; anything else puts them back and stops the push. */
static void call_failed(upd *u, const hs_batch_result *r, const unsigned char *fates,
                        size_t nfates, const size_t *recs, size_t nrecs)
{
    ht_error e;
    wb_part_error(r, &e);
    bool refused = r->status == HT_FORBIDDEN || r->status == HT_NOT_FOUND ||
                   wb_is_input_error(r);
    for (size_t k = 0; k < nrecs; k++) {
        size_t ri = recs ? recs[k] : k;
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
            unsigned char f = u->fate[ri][ei];
            if (!memchr(fates, f, nfates))
                continue;
            if (refused)
                set_failed(u, ri, ei, e.message, e.category, e.correlation_id, e.http_status);
            else
                set_released(u, ri, ei, f == F_VERIFY);
        }
    }
    if (!refused)
        wb_job_stop(u->j, r->status, &e);
}

/* ---- the read-back -------------------------------------------------------------------- */

static void on_verify(void *ud, const hs_batch_result *r)
{
    upd *u = ud;
    wb_untrack(u->j, r->id);
    wb_count_requests(u->j, r);
    db_begin(u);
    if (r->status != HT_OK) {
        static const unsigned char f[] = {F_VERIFY};
        call_failed(u, r, f, 1, NULL, u->ob->nrecords);
    }
    for (size_t ri = 0; r->status == HT_OK && ri < u->ob->nrecords; ri++) {
        if (!record_has_fate(u, ri, F_VERIFY))
            continue;
        json_t *rec = find_record(r->results, u->ob->records[ri].id);
        const apierror_item *item = rec ? NULL : wb_error_for_id(r, u->ob->records[ri].id);
        if (rec)
            json_array_append(u->written, rec);
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
            if (u->fate[ri][ei] != F_VERIFY)
                continue;
            outbox_edit *ed = edit_of(u, ri, ei);
            const char *v = NULL;
            if (rec)
                wb_record_has(rec, ed->prop, &v);
            if (!rec)
                set_failed(u, ri, ei, item ? item->message : "the record was written but"
                           " HubSpot no longer returns it", item ? item->category : NULL,
                           NULL, 207);
            else if (wb_value_equal(def_of(u, ri, ei), v, ed->new_value))
                set_done(u, ri, ei, v);
            else
                set_not_applied(u, ri, ei, v);
        }
    }
    db_end(u);
    finish(u);
}

static void verify_stage(upd *u)
{
    const char **props = props_in_fate(u, F_VERIFY);
    json_t *inputs = ids_in_fate(u, F_VERIFY);
    hs_read_opts o = {.properties = props};
    hs_call_id id = hs_objects_batch(u->j->c, HS_PRIO_BACKGROUND, u->ob->type_id, HS_BATCH_READ,
                                     inputs, &o, on_verify, u);
    wb_track(u->j, id);
    json_decref(inputs);
    free(props);
}

/* ---- the write -------------------------------------------------------------------------- */

/* Compare what HubSpot answered with what was sent. */
static void check_answer(upd *u, size_t ri, json_t *rec)
{
    for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
        if (u->fate[ri][ei] != F_SEND)
            continue;
        outbox_edit *ed = edit_of(u, ri, ei);
        const char *v;
        if (!wb_record_has(rec, ed->prop, &v))
            u->fate[ri][ei] = F_VERIFY;       /* not shown: read it back */
        else if (wb_value_equal(def_of(u, ri, ei), v, ed->new_value))
            set_done(u, ri, ei, v);
        else
            set_not_applied(u, ri, ei, v);
    }
}

static void on_write_part(void *ud, const size_t *idx, size_t n, const hs_batch_result *r)
{
    upd *u = ud;
    for (size_t k = 0; k < n && wb_part_reached(r); k++) {
        size_t ri = u->input_rec[idx[k]];
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++)
            u->j->prog.edits_sent += u->fate[ri][ei] == F_SEND;
    }
    db_begin(u);
    if (r->status != HT_OK) {
        size_t *recs = xmalloc((n ? n : 1) * sizeof *recs);
        for (size_t k = 0; k < n; k++)
            recs[k] = u->input_rec[idx[k]];
        static const unsigned char f[] = {F_SEND};
        call_failed(u, r, f, 1, recs, n);
        free(recs);
    }
    for (size_t k = 0; r->status == HT_OK && k < n; k++) {
        size_t ri = u->input_rec[idx[k]];
        const char *id = u->ob->records[ri].id;
        json_t *rec = find_record(r->results, id);
        const apierror_item *item = rec ? NULL : wb_error_for_id(r, id);
        if (rec) {
            json_array_append(u->written, rec);
            check_answer(u, ri, rec);
            continue;
        }
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
            if (u->fate[ri][ei] != F_SEND)
                continue;
            if (item)
                set_failed(u, ri, ei, item->message, item->category, NULL, 207);
            else
                u->fate[ri][ei] = F_VERIFY;   /* neither answered nor refused */
        }
    }
    db_end(u);
}

static void on_write_sent(void *ud)
{
    upd *u = ud;
    if (count_fate(u, F_VERIFY) && !wb_quiet(u->j))
        verify_stage(u);
    else
        finish(u);
}

static hs_call_id submit_update(void *ud, json_t *inputs, hs_batch_fn done, void *cb_ud)
{
    upd *u = ud;
    return hs_objects_batch(u->j->c, HS_PRIO_BACKGROUND, u->ob->type_id, HS_BATCH_UPDATE,
                            inputs, NULL, done, cb_ud);
}

static void send_stage(upd *u)
{
    if (wb_quiet(u->j) || count_fate(u, F_SEND) == 0) {
        finish(u);
        return;
    }
    u->inputs = json_array();
    u->input_rec = xcalloc(u->ob->nrecords, sizeof *u->input_rec);
    for (size_t ri = 0; ri < u->ob->nrecords; ri++) {
        if (!record_has_fate(u, ri, F_SEND))
            continue;
        json_t *props = json_object();
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
            if (u->fate[ri][ei] != F_SEND)
                continue;
            outbox_edit *ed = edit_of(u, ri, ei);
            /* "" clears a property. */
            json_object_set_new(props, ed->prop, json_string(ed->new_value ? ed->new_value : ""));
        }
        u->input_rec[json_array_size(u->inputs)] = ri;
        json_array_append_new(u->inputs, json_pack("{ss so}", "id", u->ob->records[ri].id,
                                                   "properties", props));
    }
    wb_send_spec spec = {
        .job = u->j, .inputs = u->inputs, .submit = submit_update,
        .on_part = on_write_part, .on_sent = on_write_sent, .ud = u,
    };
    wb_send(&spec);
}

/* ---- conflicts: who changed it, and when --------------------------------------------- */

/* "Ann Lee" for a HubSpot user that is an owner, else what the history says. */
static char *who_changed(store *st, const json_t *entry)
{
    json_t *uid = json_object_get(entry, "updatedByUserId");
    if (json_is_integer(uid)) {
        owner *owners = NULL;
        size_t n = 0;
        char *name = NULL;
        if (meta_owners(st, &owners, &n, NULL) == HT_OK) {
            for (size_t i = 0; i < n && !name; i++) {
                if (owners[i].user_id != json_integer_value(uid))
                    continue;
                if (!str_empty(owners[i].first_name) || !str_empty(owners[i].last_name))
                    name = xasprintf("%s%s%s", owners[i].first_name ? owners[i].first_name : "",
                                     owners[i].first_name && owners[i].last_name ? " " : "",
                                     owners[i].last_name ? owners[i].last_name : "");
                else if (owners[i].email)
                    name = xstrdup(owners[i].email);
            }
            owner_free_all(owners, n);
        }
        return name ? name : xasprintf("user %lld", (long long)json_integer_value(uid));
    }
    const char *label = json_string_value(json_object_get(entry, "sourceLabel"));
    const char *type = json_string_value(json_object_get(entry, "sourceType"));
    const char *sid = json_string_value(json_object_get(entry, "sourceId"));
    if (!str_empty(label))
        return xstrdup(label);
    if (!str_empty(type))
        return str_empty(sid) ? xstrdup(type) : xasprintf("%s (%s)", type, sid);
    return NULL;
}

static void settle_conflicts(upd *u)
{
    for (size_t ri = 0; ri < u->ob->nrecords; ri++) {
        json_t *hist = json_object_get(u->history[ri], "propertiesWithHistory");
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
            if (u->fate[ri][ei] != F_CONFLICT)
                continue;
            outbox_edit *ed = edit_of(u, ri, ei);
            const char *server = NULL;
            wb_record_has(u->server[ri], ed->prop, &server);
            json_t *newest = json_array_get(json_object_get(hist, ed->prop), 0);
            char *by = newest ? who_changed(u->j->st, newest) : NULL;
            const char *at = json_string_value(json_object_get(newest, "timestamp"));
            set_conflict(u, ri, ei, server, by, at);
            free(by);
        }
    }
}

static void conflicts_known(upd *u)
{
    /* Without the history a conflict is still a conflict, just unsigned. */
    db_begin(u);
    settle_conflicts(u);
    db_end(u);
    send_stage(u);
}

typedef struct hist_get {
    upd   *u;
    size_t ri;
} hist_get;

static void on_history_get(void *ud, const hs_result *r)
{
    hist_get *hg = ud;
    upd *u = hg->u;
    wb_untrack(u->j, r->id);
    if (r->http_status || r->status != HT_CANCELLED)
        u->j->prog.requests++;
    if (r->status == HT_OK && r->body) {
        json_decref(u->history[hg->ri]);
        u->history[hg->ri] = json_incref(r->body);
    }
    free(hg);
    if (--u->history_waiting == 0)
        conflicts_known(u);
}

/* Records whose batch answer came without history (not every server sends
 * it on batch reads) are read one by one. */
static void history_one_by_one(upd *u, const char *const *props)
{
    u->history_waiting = 1;   /* held until every read is submitted */
    for (size_t ri = 0; ri < u->ob->nrecords; ri++) {
        if (!record_has_fate(u, ri, F_CONFLICT) ||
            json_object_get(u->history[ri], "propertiesWithHistory"))
            continue;
        hist_get *hg = xcalloc(1, sizeof *hg);
        hg->u = u;
        hg->ri = ri;
        hs_read_opts o = {.properties = props, .properties_with_history = props};
        u->history_waiting++;
        hs_call_id id = hs_objects_get(u->j->c, HS_PRIO_BACKGROUND, u->ob->type_id,
                                       u->ob->records[ri].id, &o, on_history_get, hg);
        wb_track(u->j, id);
    }
    if (--u->history_waiting == 0)
        conflicts_known(u);
}

static void on_history(void *ud, const hs_batch_result *r)
{
    upd *u = ud;
    wb_untrack(u->j, r->id);
    wb_count_requests(u->j, r);
    bool missing = false;
    for (size_t ri = 0; ri < u->ob->nrecords; ri++) {
        if (!record_has_fate(u, ri, F_CONFLICT))
            continue;
        json_t *rec = r->status == HT_OK ? find_record(r->results, u->ob->records[ri].id)
                                         : NULL;
        if (rec)
            u->history[ri] = json_incref(rec);
        missing |= !json_object_get(rec, "propertiesWithHistory");
    }
    if (r->status == HT_OK && missing && !wb_quiet(u->j)) {
        const char **props = props_in_fate(u, F_CONFLICT);
        history_one_by_one(u, props);
        free(props);
        return;
    }
    conflicts_known(u);
}

static void history_stage(upd *u)
{
    const char **props = props_in_fate(u, F_CONFLICT);
    json_t *inputs = ids_in_fate(u, F_CONFLICT);
    json_t *list = json_array();
    for (size_t i = 0; props[i]; i++)
        json_array_append_new(list, json_string(props[i]));
    json_t *extra = json_pack("{sO so}", "properties", list, "propertiesWithHistory", list);
    char *path = wb_batch_read_path(u->ob->type_id);
    /* HubSpot reads at most 50 records with history per call. */
    hs_call_id id = hs_batch_post(u->j->c, HS_PRIO_BACKGROUND, path, inputs, extra, 50, 0,
                                  on_history, u);
    wb_track(u->j, id);
    free(path);
    json_decref(extra);
    json_decref(inputs);
    free(props);
}

/* ---- the read before writing ------------------------------------------------------------ */

/* Decide each edit of record ri from the server's record. */
static void judge_record(upd *u, size_t ri, json_t *rec)
{
    for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++) {
        outbox_edit *ed = edit_of(u, ri, ei);
        const prop_def *p = def_of(u, ri, ei);
        const char *server = NULL;
        wb_record_has(rec, ed->prop, &server);
        if (wb_value_equal(p, server, ed->new_value))
            set_done(u, ri, ei, server);          /* already there */
        else if (wb_value_equal(p, server, ed->old_value))
            u->fate[ri][ei] = F_SEND;
        else
            u->fate[ri][ei] = F_CONFLICT;
    }
}

static void on_read(void *ud, const hs_batch_result *r)
{
    upd *u = ud;
    wb_untrack(u->j, r->id);
    wb_count_requests(u->j, r);
    db_begin(u);
    if (r->status != HT_OK) {
        static const unsigned char f[] = {F_OPEN};
        call_failed(u, r, f, 1, NULL, u->ob->nrecords);
    }
    for (size_t ri = 0; r->status == HT_OK && ri < u->ob->nrecords; ri++) {
        const char *id = u->ob->records[ri].id;
        json_t *rec = find_record(r->results, id);
        if (rec) {
            u->server[ri] = json_incref(rec);
            judge_record(u, ri, rec);
            continue;
        }
        /* Gone from HubSpot (archived, merged, deleted): kept as failed. */
        const apierror_item *item = wb_error_for_id(r, id);
        for (size_t ei = 0; ei < u->ob->records[ri].nedits; ei++)
            set_failed(u, ri, ei, item ? item->message : "HubSpot did not return the record",
                       item ? item->category : "OBJECT_NOT_FOUND", NULL, 207);
    }
    db_end(u);
    if (r->status == HT_OK && count_fate(u, F_CONFLICT) && !wb_quiet(u->j)) {
        history_stage(u);
        return;
    }
    if (count_fate(u, F_CONFLICT)) {
        conflicts_known(u);
        return;
    }
    send_stage(u);
}

void wb_update_start(wb_batch *b)
{
    upd *u = xcalloc(1, sizeof *u);
    u->b = b;
    u->j = b->job;
    u->ob = b->ob;
    size_t n = u->ob->nrecords;
    u->fate = xcalloc(n ? n : 1, sizeof *u->fate);
    u->server = xcalloc(n ? n : 1, sizeof *u->server);
    u->history = xcalloc(n ? n : 1, sizeof *u->history);
    for (size_t ri = 0; ri < n; ri++)
        u->fate[ri] = xcalloc(u->ob->records[ri].nedits + 1, 1);
    u->written = json_array();
    if (wb_quiet(u->j)) {
        finish(u);
        return;
    }
    const char **props = props_in_fate(u, F_OPEN);
    json_t *inputs = ids_in_fate(u, F_OPEN);
    hs_read_opts o = {.properties = props};
    hs_call_id id = hs_objects_batch(u->j->c, HS_PRIO_BACKGROUND, u->ob->type_id, HS_BATCH_READ,
                                     inputs, &o, on_read, u);
    wb_track(u->j, id);
    json_decref(inputs);
    free(props);
}
