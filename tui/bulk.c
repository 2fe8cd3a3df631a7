/* bulk.c — one property set on many records at once. */
#include "bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulkprev.h"
#include "editor.h"
#include "outbox.h"
#include "picker.h"
#include "validate.h"

#define PREVIEW_GROUPS 8

typedef struct bulk_ctx {
    browser *b;
    char *object;
    const objmeta *m;
    const prop_def *p;
    char (*ids)[32];
    size_t n;
    char **current;      /* per record, raw (NULL = empty) */
    char **pipeline;     /* per record (stage properties) */
    bool *present;
    char **pipelines;    /* distinct pipelines among the records */
    size_t npipelines;
    value_editor ve;
    char *value;         /* the validated new value (NULL clears) */
    bulk_verdict *verdicts;
} bulk_ctx;

static void ctx_free(bulk_ctx *c)
{
    value_editor_clear(&c->ve);
    for (size_t i = 0; c->current && i < c->n; i++)
        free(c->current[i]);
    for (size_t i = 0; c->pipeline && i < c->n; i++)
        free(c->pipeline[i]);
    for (size_t i = 0; i < c->npipelines; i++)
        free(c->pipelines[i]);
    free(c->current);
    free(c->pipeline);
    free(c->pipelines);
    free(c->present);
    free(c->verdicts);
    free(c->ids);
    free(c->value);
    free(c->object);
    objmeta_release(c->m);
    free(c);
}

static void ctx_cancel(void *ud, app *a)
{
    ctx_free(ud);
}

static void ctx_free_ud(void *ud)
{
    ctx_free(ud);
}

static bool is_stage(const bulk_ctx *c)
{
    return c->m->stage_prop && strcmp(c->p->name, c->m->stage_prop) == 0;
}

/* ---- Step 5: queue it ------------------------------------------------------------------- */

static ht_status enqueue(bulk_ctx *c, size_t *queued, ht_error *err)
{
    store *st = browser_store(c->b);
    const char **change = xcalloc(c->n + 1, sizeof *change);
    size_t nchange = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->verdicts[i] == BV_CHANGE)
            change[nchange++] = c->ids[i];
    int64_t group = 0;
    ht_status s = store_begin(st, err);
    if (s == HT_OK && nchange)
        s = outbox_enqueue_bulk(st, c->object, change, nchange, c->p->name, c->value, &group,
                                err);
    else if (s == HT_OK)
        s = outbox_new_group(st, &group, err);
    *queued = nchange;
    for (size_t i = 0; s == HT_OK && i < c->n; i++)
        if (c->verdicts[i] == BV_BACKWARDS) {
            s = outbox_enqueue_clear_then_set(st, c->object, c->ids[i], c->p->name, c->value,
                                              group, err);
            (*queued)++;
        }
    s = store_commit_or_rollback(st, s, err);
    free(change);
    return s;
}

static void confirmed(void *ud, app *a, const picker_result *r)
{
    bulk_ctx *c = ud;
    if (str_cmp0(r->value, "yes") != 0) {
        app_message(a, MSG_INFO, "Bulk edit cancelled: nothing queued");
        ctx_free(c);
        return;
    }
    size_t queued = 0;
    ht_error err;
    if (enqueue(c, &queued, &err) != HT_OK) {
        app_error(a, &err);
    } else {
        char n[32];
        status_format_count((int64_t)queued, n);
        app_message(a, MSG_INFO, "Queued %s on %s %s as one change (u undoes, P pushes)",
                    c->p->label, n, queued == 1 ? c->m->label_singular : c->m->label_plural);
        browser_data_changed(c->b);
    }
    ctx_free(c);
}

/* ---- Step 4: preview ------------------------------------------------------------------------ */

static char *shown(const bulk_ctx *c, const char *raw, const char *pipeline_id)
{
    fmt_ctx fc = browser_fmt(c->b, c->m, true);
    fmt_record fr = {.pipeline_id = pipeline_id};
    strbuf sb = {0};
    fmt_value(&fc, c->p, raw, &fr, &sb);
    return strbuf_detach(&sb);
}

static char *preview_text(const bulk_ctx *c, const bulk_preview *bp)
{
    char n[32];
    char *to = shown(c, c->value, NULL);
    strbuf sb = {0};
    status_format_count((int64_t)bp->total, n);
    strbuf_printf(&sb, "Set %s to %s on %s marked %s:\n", c->p->label, *to ? to : "(empty)", n,
                  bp->total == 1 ? c->m->label_singular : c->m->label_plural);
    for (size_t i = 0; i < bp->ngroups && i < PREVIEW_GROUPS; i++) {
        status_format_count((int64_t)bp->groups[i].count, n);
        strbuf_printf(&sb, "  %s (%s) \xE2\x86\x92 %s\n", bp->groups[i].from, n,
                      *to ? to : "(empty)");
    }
    if (bp->ngroups > PREVIEW_GROUPS)
        strbuf_printf(&sb, "  and %zu more values\n", bp->ngroups - PREVIEW_GROUPS);
    if (bp->same) {
        status_format_count((int64_t)bp->same, n);
        strbuf_printf(&sb, "%s already have it: left alone.\n", n);
    }
    if (bp->skip) {
        status_format_count((int64_t)bp->skip, n);
        strbuf_printf(&sb, "%s skipped: %s.\n", n,
                      is_stage(c) ? "their pipeline has no such stage, or they are gone"
                                  : "they are no longer in the cache");
    }
    if (bp->backwards) {
        status_format_count((int64_t)bp->backwards, n);
        strbuf_printf(&sb, "%s move the lifecycle stage backwards: HubSpot ignores that, so "
                           "their stage is cleared first, then set.\n", n);
    }
    strbuf_puts(&sb, "All of it is one change: u undoes it, P pushes it.");
    free(to);
    return strbuf_detach(&sb);
}

static void show_preview(bulk_ctx *c, app *a)
{
    c->verdicts = xcalloc(c->n + 1, sizeof *c->verdicts);
    const char **from = xcalloc(c->n + 1, sizeof *from);
    char **owned = xcalloc(c->n + 1, sizeof *owned);
    for (size_t i = 0; i < c->n; i++) {
        const char *pl = c->pipeline ? c->pipeline[i] : NULL;
        c->verdicts[i] = bulk_judge(c->m, c->p, c->present[i], c->current[i], pl, c->value);
        owned[i] = shown(c, c->current[i], pl);
        from[i] = owned[i];
    }
    bulk_preview bp;
    bulk_preview_build(&bp, from, c->verdicts, c->n);
    for (size_t i = 0; i < c->n; i++)
        free(owned[i]);
    free(owned);
    free(from);
    if (bp.change == 0) {
        app_message(a, MSG_INFO, "Nothing to change: %zu already have it, %zu skipped", bp.same,
                    bp.skip);
        bulk_preview_free(&bp);
        ctx_free(c);
        return;
    }
    char *intro = preview_text(c, &bp);
    char yes[96];
    char n[32];
    status_format_count((int64_t)bp.change, n);
    snprintf(yes, sizeof yes, "Queue the change for %s %s", n,
             bp.change == 1 ? c->m->label_singular : c->m->label_plural);
    picker *pk = picker_new(&(picker_opts){.title = "Bulk edit: preview", .intro = intro,
                                           .done = confirmed, .cancel = ctx_cancel, .ud = c});
    picker_add(pk, yes, NULL, "yes", false);
    picker_add(pk, "Cancel", NULL, "no", false);
    picker_open(pk, a);
    free(intro);
    bulk_preview_free(&bp);
}

/* ---- Step 3: the new value ---------------------------------------------------------------------- */

/* A record to validate against: for a stage, one whose pipeline has it. */
static const char *representative(const bulk_ctx *c, const char *input)
{
    for (size_t i = 0; is_stage(c) && i < c->n; i++) {
        const pipeline *pl = c->pipeline[i] ? objmeta_pipeline(c->m, c->pipeline[i]) : NULL;
        if (pl && pipeline_find_stage(pl, input))
            return c->ids[i];
    }
    return c->n ? c->ids[0] : NULL;
}

static void value_chosen(void *ud, app *a, const char *input, bool typed)
{
    bulk_ctx *c = ud;
    char *iso = NULL;
    if (typed && c->p->type == PROP_DATETIME)
        fmt_parse_local_datetime(browser_zone(c->b), input, &iso);
    const char *in = iso ? iso : input;
    validate_result r;
    validate_status vs = validate_value(browser_store(c->b), c->object, representative(c, in),
                                        c->p->name, in, &r);
    free(iso);
    if (vs == VALIDATE_OK || vs == VALIDATE_BACKWARDS) {
        /* Backwards is judged record by record in the preview. */
        c->value = r.value;
        r.value = NULL;
        validate_result_clear(&r);
        show_preview(c, a);
        return;
    }
    if (typed) {
        value_editor_retry(a, &c->ve, input, r.message);
    } else {
        app_message(a, MSG_ERROR, "%s", r.message);
        ctx_free(c);
    }
    validate_result_clear(&r);
}

static void add_pipeline(bulk_ctx *c, const char *id)
{
    if (!id)
        return;
    for (size_t i = 0; i < c->npipelines; i++)
        if (strcmp(c->pipelines[i], id) == 0)
            return;
    c->pipelines = xrealloc(c->pipelines, (c->npipelines + 1) * sizeof *c->pipelines);
    c->pipelines[c->npipelines++] = xstrdup(id);
}

static void choose_value(bulk_ctx *c, app *a)
{
    /* The common current value, when all agree, is preselected. */
    const char *common = c->n ? c->current[0] : NULL;
    for (size_t i = 1; i < c->n && common; i++)
        if (str_cmp0(c->current[i], common) != 0)
            common = NULL;
    for (size_t i = 0; c->pipeline && i < c->n; i++)
        add_pipeline(c, c->pipeline[i]);
    c->ve = (value_editor){.b = c->b, .m = c->m, .p = c->p, .current = common,
                           .pipelines = (const char *const *)c->pipelines,
                           .npipelines = c->npipelines, .chosen = value_chosen,
                           .cancel = ctx_cancel, .ud = c};
    value_editor_open(a, &c->ve);
}

/* ---- Step 2: the current values -------------------------------------------------------------- */

static void values_read(void *ud, wk_job *j)
{
    bulk_ctx *c = ud;
    app *a = browser_app(c->b);
    status_set_activity(app_status(a), NULL);
    if (j->status != HT_OK) {
        if (j->status != HT_CANCELLED)
            app_error(a, &j->err);
        ctx_free(c);
        return;
    }
    c->current = xcalloc(c->n + 1, sizeof *c->current);
    c->present = xcalloc(c->n + 1, sizeof *c->present);
    if (j->ncolumns > 1)
        c->pipeline = xcalloc(c->n + 1, sizeof *c->pipeline);
    for (size_t i = 0; i < c->n; i++) {
        char **row = &j->values[i * j->ncolumns];
        c->current[i] = row[0];
        row[0] = NULL;
        if (j->ncolumns > 1) {
            c->pipeline[i] = row[1];
            row[1] = NULL;
        }
        c->present[i] = true;
    }
    /* Records missing from the cache came back with no values at all. */
    for (size_t i = 0; c->pipeline && i < c->n; i++)
        c->present[i] = c->pipeline[i] != NULL || c->current[i] != NULL;
    choose_value(c, a);
}

static void read_values(bulk_ctx *c, app *a)
{
    const char *cols[2] = {c->p->name, is_stage(c) ? c->m->pipeline_prop : NULL};
    query_spec spec = {.object = c->object, .columns = cols, .ncolumns = cols[1] ? 2 : 1};
    worker *w = browser_worker(c->b);
    wk_job *j = wk_job_new(WK_VALUES, worker_new_owner(w), 1, &spec);
    j->ids = xcalloc(c->n + 1, sizeof *j->ids);
    for (size_t i = 0; i < c->n; i++)
        j->ids[i] = xstrdup(c->ids[i]);
    j->nids = c->n;
    j->done = values_read;
    j->free_ud = ctx_free_ud;
    j->ud = c;
    worker_submit(w, j);
    status_set_activity(app_status(a), "reading marked records");
}

/* ---- Step 1: the property --------------------------------------------------------------------- */

static bool start_with(bulk_ctx *c, app *a, const char *prop)
{
    const prop_def *p = objmeta_prop(c->m, prop);
    char why[512];
    if (!p) {
        app_message(a, MSG_WARN, "%s have no property '%s'", c->m->label_plural, prop);
        return false;
    }
    if (!editor_editable(p, why, sizeof why)) {
        app_message(a, MSG_WARN, "%s", why);
        return false;
    }
    c->p = p;
    read_values(c, a);
    return true;
}

static void prop_chosen(void *ud, app *a, const picker_result *r)
{
    bulk_ctx *c = ud;
    if (!r->value || !start_with(c, a, r->value))
        ctx_free(c);
}

static int by_label(const void *x, const void *y)
{
    const prop_def *const *a = x, *const *b = y;
    return strcasecmp((*a)->label, (*b)->label);
}

static void choose_prop(bulk_ctx *c, app *a, const char *hint)
{
    char intro[160];
    char n[32];
    status_format_count((int64_t)c->n, n);
    snprintf(intro, sizeof intro, "Which property to set on the %s marked %s?", n,
             c->n == 1 ? c->m->label_singular : c->m->label_plural);
    picker *pk = picker_new(&(picker_opts){.title = "Bulk edit", .intro = intro,
                                           .done = prop_chosen, .cancel = ctx_cancel, .ud = c});
    const prop_def **props = xcalloc(c->m->nprops + 1, sizeof *props);
    size_t np = 0;
    char why[512];
    for (size_t i = 0; i < c->m->nprops; i++) {
        const prop_def *p = &c->m->props[i];
        if (!p->hidden && !p->archived && editor_editable(p, why, sizeof why))
            props[np++] = p;
    }
    qsort(props, np, sizeof *props, by_label);
    for (size_t i = 0; i < np; i++) {
        picker_add(pk, props[i]->label, props[i]->name, props[i]->name, false);
        if (hint && strcmp(props[i]->name, hint) == 0)
            picker_select(pk, i);
    }
    free(props);
    picker_open(pk, a);
}

void bulk_edit(browser *b, const char *object, char (*ids)[32], size_t n, const char *prop,
               const char *hint)
{
    app *a = browser_app(b);
    const objmeta *m = browser_meta(b, object);
    if (!m) {
        free(ids);
        return;
    }
    bulk_ctx *c = xcalloc(1, sizeof *c);
    c->b = b;
    c->m = m;
    c->object = xstrdup(m->name);
    c->ids = ids;
    c->n = n;
    if (prop) {
        if (!start_with(c, a, prop))
            ctx_free(c);
        return;
    }
    choose_prop(c, a, hint);
}
