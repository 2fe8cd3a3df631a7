/* writeback_send.c — sending a batch so that one bad input cannot fail the
 * good ones, and comparing values the way HubSpot stores them.
 *
 * HubSpot refuses a whole batch with 400 (or 409) when any input holds an
 * invalid value, often without saying which input. The sender splits such
 * a batch into halves and sends each again, recursively, until every bad
 * input stands alone: n inputs with one bad cost about 2·log2(n) extra
 * requests, and every good input is written. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "writeback_int.h"

/* ---- the isolating sender ------------------------------------------------------ */

typedef struct send_op {
    wb_send_spec spec;
    size_t       outstanding;
} send_op;

typedef struct send_part {
    send_op *op;
    size_t  *idx;
    size_t   n;
} send_part;

static void on_part_answer(void *ud, const hs_batch_result *r);

static void submit_part(send_op *op, const size_t *idx, size_t n)
{
    send_part *p = xcalloc(1, sizeof *p);
    p->op = op;
    p->n = n;
    p->idx = xmalloc(n * sizeof *p->idx);
    memcpy(p->idx, idx, n * sizeof *p->idx);
    json_t *inputs = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(inputs, json_array_get(op->spec.inputs, idx[i]));
    op->outstanding++;
    hs_call_id id = op->spec.submit(op->spec.ud, inputs, on_part_answer, p);
    wb_track(op->spec.job, id);
    json_decref(inputs);
}

static void on_part_answer(void *ud, const hs_batch_result *r)
{
    send_part *p = ud;
    send_op *op = p->op;
    writeback_job *j = op->spec.job;
    wb_untrack(j, r->id);
    wb_count_requests(j, r);
    if (r->status != HT_OK && p->n > 1 && wb_is_input_error(r) && !wb_quiet(j)) {
        size_t half = p->n / 2;
        submit_part(op, p->idx, half);
        submit_part(op, p->idx + half, p->n - half);
    } else {
        op->spec.on_part(op->spec.ud, p->idx, p->n, r);
    }
    free(p->idx);
    free(p);
    if (--op->outstanding == 0) {
        wb_sent_fn sent = op->spec.on_sent;
        void *sud = op->spec.ud;
        free(op);
        sent(sud);
    }
}

void wb_send(const wb_send_spec *spec)
{
    send_op *op = xcalloc(1, sizeof *op);
    op->spec = *spec;
    size_t n = json_array_size(spec->inputs);
    size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    /* Even an empty send answers through the loop (api/ defers it). */
    submit_part(op, idx, n);
    free(idx);
}

/* ---- answers ------------------------------------------------------------------------- */

bool wb_is_input_error(const hs_batch_result *r)
{
    for (size_t i = 0; i < r->n_chunks; i++) {
        int s = r->chunks[i].http_status;
        if (r->chunks[i].status != HT_OK && (s == 400 || s == 409 || s == 422))
            return true;
    }
    return false;
}

bool wb_part_reached(const hs_batch_result *r)
{
    if (r->status == HT_OK || wb_is_input_error(r))
        return true;
    for (size_t i = 0; i < r->n_chunks; i++)
        if (r->chunks[i].maybe_applied)
            return true;
    return false;
}

void wb_part_error(const hs_batch_result *r, ht_error *out)
{
    if (r->err) {
        ht_error_copy(out, r->err);
        if (!out->http_status)
            for (size_t i = 0; i < r->n_chunks; i++)
                if (r->chunks[i].status != HT_OK)
                    out->http_status = r->chunks[i].http_status;
    } else {
        ht_error_set(out, r->status, "%s", ht_status_str(r->status));
    }
}

const apierror_item *wb_error_for_id(const hs_batch_result *r, const char *id)
{
    for (size_t i = 0; i < r->n_errors; i++)
        for (size_t k = 0; k < r->errors[i].n_ids; k++)
            if (r->errors[i].ids[k] && strcmp(r->errors[i].ids[k], id) == 0)
                return &r->errors[i];
    return NULL;
}

bool wb_record_has(const json_t *record, const char *name, const char **value)
{
    json_t *v = json_object_get(json_object_get(record, "properties"), name);
    *value = json_string_value(v);
    return v != NULL;
}

char *wb_batch_read_path(const char *type_id)
{
    return xasprintf("/crm/v3/objects/%s/batch/read", type_id);
}

void wb_count_requests(writeback_job *j, const hs_batch_result *r)
{
    for (size_t i = 0; i < r->n_chunks; i++)
        if (r->chunks[i].http_status || r->chunks[i].status != HT_CANCELLED)
            j->prog.requests++;
}

/* ---- values ---------------------------------------------------------------------------- */

static bool numbers_equal(const char *a, const char *b)
{
    double x, y;
    if (!str_to_double(a, &x) || !str_to_double(b, &y))
        return strcmp(a, b) == 0;
    return fabs(x - y) <= 1e-9 * fmax(1.0, fmax(fabs(x), fabs(y)));
}

static bool times_equal(const char *a, const char *b, bool date_only)
{
    int64_t x, y;
    if (!time_parse(a, &x) || !time_parse(b, &y))
        return strcmp(a, b) == 0;
    if (date_only) {
        /* Days since the epoch, rounding towards minus infinity. */
        x = x >= 0 ? x / 86400000 : -((-x + 86399999) / 86400000);
        y = y >= 0 ? y / 86400000 : -((-y + 86399999) / 86400000);
    }
    return x == y;
}

/* Does every ';'-separated option of a appear in b? */
static bool options_within(const char *a, const char *b)
{
    char *copy = xstrdup(a), *save = NULL;
    bool all = true;
    char *probe = xasprintf(";%s;", b);
    for (char *part = strtok_r(copy, ";", &save); part && all;
         part = strtok_r(NULL, ";", &save)) {
        char *want = xasprintf(";%s;", part);
        all = strstr(probe, want) != NULL;
        free(want);
    }
    free(probe);
    free(copy);
    return all;
}

static bool is_email_prop(const prop_def *p)
{
    size_t n = strlen(p->name);
    return strcmp(p->name, "email") == 0 || (n > 6 && strcmp(p->name + n - 6, "_email") == 0);
}

bool wb_value_equal(const prop_def *p, const char *a, const char *b)
{
    if (str_empty(a) || str_empty(b))
        return str_empty(a) && str_empty(b);
    if (strcmp(a, b) == 0)
        return true;
    if (!p)
        return false;
    switch (p->type) {
    case PROP_NUMBER: return numbers_equal(a, b);
    case PROP_DATE: return times_equal(a, b, true);
    case PROP_DATETIME: return times_equal(a, b, false);
    case PROP_BOOL: return strcasecmp(a, b) == 0;
    case PROP_ENUM: return p->multi && options_within(a, b) && options_within(b, a);
    default: return is_email_prop(p) && strcasecmp(a, b) == 0;
    }
}
