/* editor.c — changing a property, with an editor that fits its type. */
#include "editor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "picker.h"
#include "records.h"
#include "validate.h"

/* ---- Which editor ------------------------------------------------------------------ */

bool editor_editable(const prop_def *p, char *why, size_t whylen)
{
    if (p->calculated) {
        snprintf(why, whylen, "%s is calculated by HubSpot%s%s%s and cannot be edited", p->label,
                 p->calculation_formula ? " (" : "",
                 p->calculation_formula ? p->calculation_formula : "",
                 p->calculation_formula ? ")" : "");
        return false;
    }
    if (p->read_only_value) {
        snprintf(why, whylen, "%s is set by HubSpot and is read-only", p->label);
        return false;
    }
    if (!p->defined) {
        snprintf(why, whylen, "%s has no definition in the cache (sync the portal first)",
                 p->name);
        return false;
    }
    return true;
}

static bool is_prop(const prop_def *p, const char *name)
{
    return name && strcmp(p->name, name) == 0;
}

static bool pipeline_allowed(const value_editor *ve, const char *id)
{
    if (ve->npipelines == 0)
        return true;
    for (size_t i = 0; i < ve->npipelines; i++)
        if (ve->pipelines[i] && strcmp(ve->pipelines[i], id) == 0)
            return true;
    return false;
}

/* ---- Pickers ------------------------------------------------------------------------- */

static void picked(void *ud, app *a, const picker_result *r)
{
    value_editor *ve = ud;
    if (r->nchecked || ve->p->multi) {
        strbuf sb = {0};
        for (size_t i = 0; i < r->nchecked; i++)
            strbuf_printf(&sb, "%s%s", i ? ";" : "", r->checked[i]);
        ve->chosen(ve->ud, a, strbuf_str(&sb), false);
        strbuf_free(&sb);
        return;
    }
    ve->chosen(ve->ud, a, r->value ? r->value : "", false);
}

static void picker_cancelled(void *ud, app *a)
{
    value_editor *ve = ud;
    if (ve->cancel)
        ve->cancel(ve->ud, a);
}

static picker *new_picker(value_editor *ve, const char *intro)
{
    char title[160];
    snprintf(title, sizeof title, "%s", ve->p->label);
    return picker_new(&(picker_opts){.title = title, .intro = intro, .multi = ve->p->multi,
                                     .done = picked, .cancel = picker_cancelled, .ud = ve});
}

static void add_clear(picker *pk, const value_editor *ve)
{
    picker_add(pk, "(empty)", "clears the value", "", false);
    if (str_empty(ve->current))
        picker_select(pk, picker_count(pk) - 1);
}

static void stage_picker(app *a, value_editor *ve)
{
    picker *pk = new_picker(ve, NULL);
    size_t shown = 0;
    for (size_t i = 0; i < ve->m->npipelines; i++)
        shown += pipeline_allowed(ve, ve->m->pipelines[i].id) && !ve->m->pipelines[i].archived;
    for (size_t i = 0; i < ve->m->npipelines; i++) {
        const pipeline *pl = &ve->m->pipelines[i];
        if (pl->archived || !pipeline_allowed(ve, pl->id))
            continue;
        for (size_t k = 0; k < pl->nstages; k++) {
            const pipeline_stage *st = &pl->stages[k];
            if (st->archived)
                continue;
            picker_add(pk, st->label, shown > 1 ? pl->label : NULL, st->id, false);
            if (ve->current && strcmp(ve->current, st->id) == 0)
                picker_select(pk, picker_count(pk) - 1);
        }
    }
    picker_open(pk, a);
}

static void pipeline_picker(app *a, value_editor *ve)
{
    picker *pk = new_picker(ve, "Changing the pipeline usually needs a stage of the new "
                                "pipeline too: set the stage next.");
    for (size_t i = 0; i < ve->m->npipelines; i++) {
        const pipeline *pl = &ve->m->pipelines[i];
        if (pl->archived)
            continue;
        picker_add(pk, pl->label, pl->id, pl->id, false);
        if (ve->current && strcmp(ve->current, pl->id) == 0)
            picker_select(pk, picker_count(pk) - 1);
    }
    picker_open(pk, a);
}

static void owner_picker(app *a, value_editor *ve)
{
    picker *pk = new_picker(ve, NULL);
    size_t n;
    const owner *owners = browser_owners(ve->b, &n);
    for (size_t i = 0; i < n; i++) {
        if (owners[i].archived && str_cmp0(ve->current, owners[i].id) != 0)
            continue;
        const char *name = browser_owner_name(ve->b, owners[i].id);
        picker_add(pk, name ? name : owners[i].id, owners[i].email, owners[i].id, false);
        if (ve->current && strcmp(ve->current, owners[i].id) == 0)
            picker_select(pk, picker_count(pk) - 1);
    }
    picker_add(pk, "(no owner)", NULL, "", false);
    if (str_empty(ve->current))
        picker_select(pk, picker_count(pk) - 1);
    picker_open(pk, a);
}

static void bool_picker(app *a, value_editor *ve)
{
    picker *pk = new_picker(ve, NULL);
    picker_add(pk, "Yes", NULL, "true", false);
    picker_add(pk, "No", NULL, "false", false);
    add_clear(pk, ve);
    /* The cursor starts on the other value: e then Enter toggles. */
    if (str_cmp0(ve->current, "true") == 0)
        picker_select(pk, 1);
    else if (str_cmp0(ve->current, "false") == 0)
        picker_select(pk, 0);
    picker_open(pk, a);
}

static bool has_option(const char *list, const char *value)
{
    size_t n = strlen(value);
    for (const char *s = list; s && *s;) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == n && strncmp(s, value, n) == 0)
            return true;
        s += len + (end ? 1 : 0);
    }
    return false;
}

static void option_picker(app *a, value_editor *ve)
{
    picker *pk = new_picker(ve, ve->p->multi ? "Space ticks an option, Enter saves the ticked "
                                               "ones." : NULL);
    for (size_t i = 0; i < ve->p->noptions; i++) {
        const prop_option *o = &ve->p->options[i];
        bool current = ve->p->multi ? has_option(ve->current, o->value)
                                    : str_cmp0(ve->current, o->value) == 0;
        if (o->hidden && !current)
            continue;
        picker_add(pk, o->label, strcmp(o->label, o->value) ? o->value : NULL, o->value,
                   ve->p->multi && current);
        if (current && !ve->p->multi)
            picker_select(pk, picker_count(pk) - 1);
    }
    if (!ve->p->multi)
        add_clear(pk, ve);
    picker_open(pk, a);
}

/* ---- Typing --------------------------------------------------------------------------- */

static void typed_submit(void *ud, app *a, const char *text)
{
    value_editor *ve = ud;
    ve->chosen(ve->ud, a, text, true);
}

static void typed_cancel(void *ud, app *a)
{
    value_editor *ve = ud;
    if (ve->cancel)
        ve->cancel(ve->ud, a);
}

static char *typed_initial(const value_editor *ve)
{
    int64_t ms;
    if (ve->p->type == PROP_DATETIME && ve->current && time_parse(ve->current, &ms)) {
        strbuf sb = {0};
        fmt_datetime_input(ms, browser_zone(ve->b), &sb);
        return strbuf_detach(&sb);
    }
    return ve->current ? xstrdup(ve->current) : NULL;
}

static void open_prompt(app *a, value_editor *ve, const char *text)
{
    /* The label stays on the prompt line, so it must be short. */
    snprintf(ve->label, sizeof ve->label, "%.50s: ", ve->p->label);
    if (!ve->line_ready) {
        cmdline_init(&ve->line);
        ve->line_ready = true;
    }
    app_prompt(a, &(prompt_ops){.label = ve->label, .line = &ve->line, .submit = typed_submit,
                                .cancel = typed_cancel, .ud = ve},
               text);
}

void value_editor_clear(value_editor *ve)
{
    if (ve->line_ready)
        cmdline_free(&ve->line);
    ve->line_ready = false;
}

static void hint_for_type(app *a, const value_editor *ve)
{
    switch (ve->p->type) {
    case PROP_DATE:
        app_message(a, MSG_INFO, "A date like 2024-05-01 (empty clears)");
        break;
    case PROP_DATETIME:
        app_message(a, MSG_INFO, "Date and time in %s, like 2024-05-01 14:30 (or with +hh:mm)",
                    tz_name(browser_zone(ve->b)));
        break;
    case PROP_NUMBER:
        app_message(a, MSG_INFO, "A number like 1500 or 1500.25 (empty clears)");
        break;
    default:
        break;
    }
}

void value_editor_open(app *a, value_editor *ve)
{
    const objmeta *m = ve->m;
    const prop_def *p = ve->p;
    if (is_prop(p, m->stage_prop) && m->npipelines)
        stage_picker(a, ve);
    else if (is_prop(p, m->pipeline_prop) && m->npipelines)
        pipeline_picker(a, ve);
    else if (prop_is_owner(p))
        owner_picker(a, ve);
    else if (p->type == PROP_BOOL)
        bool_picker(a, ve);
    else if (p->type == PROP_ENUM && p->noptions)
        option_picker(a, ve);
    else {
        char *initial = typed_initial(ve);
        open_prompt(a, ve, initial);
        free(initial);
        hint_for_type(a, ve);
    }
}

void value_editor_retry(app *a, value_editor *ve, const char *input, const char *error)
{
    open_prompt(a, ve, input);
    app_prompt_error(a, 0, error);
}

/* ---- One record --------------------------------------------------------------------------- */

typedef struct edit_ctx {
    value_editor ve;
    browser *b;
    char *object;
    char id[32];
    char *prop;
    char *current;
    char *pipeline;
    char *name;     /* the record's display name, for messages */
    char *value;    /* normalised, waiting for the backwards confirmation */
    const objmeta *m;
} edit_ctx;

static void ctx_free(edit_ctx *c)
{
    value_editor_clear(&c->ve);
    free(c->object);
    free(c->prop);
    free(c->current);
    free(c->pipeline);
    free(c->name);
    free(c->value);
    objmeta_release(c->m);
    free(c);
}

static void ctx_cancel(void *ud, app *a)
{
    ctx_free(ud);
}

static void queued(edit_ctx *c, app *a, const char *value, bool cleared_first)
{
    strbuf sb = {0};
    fmt_ctx fc = browser_fmt(c->b, c->m, true);
    fmt_record fr = {.pipeline_id = c->pipeline};
    fmt_value(&fc, c->ve.p, value, &fr, &sb);
    app_message(a, MSG_INFO, "Queued: %s %s %s%s%s (u undoes, P pushes)", c->name,
                c->ve.p->label, cleared_first ? "cleared, then " : "",
                sb.len ? "\xE2\x86\x92 " : "cleared", sb.len ? strbuf_str(&sb) : "");
    strbuf_free(&sb);
    browser_data_changed(c->b);
}

static void backwards_done(void *ud, app *a, const picker_result *r)
{
    edit_ctx *c = ud;
    if (str_cmp0(r->value, "clear") == 0) {
        ht_error err;
        if (outbox_enqueue_clear_then_set(browser_store(c->b), c->object, c->id, c->prop,
                                          c->value, 0, &err) == HT_OK)
            queued(c, a, c->value, true);
        else
            app_error(a, &err);
    } else {
        app_message(a, MSG_INFO, "Nothing changed");
    }
    ctx_free(c);
}

static void ask_backwards(edit_ctx *c, app *a, const char *why)
{
    picker *pk = picker_new(&(picker_opts){.title = "Lifecycle stage", .intro = why,
                                           .done = backwards_done, .cancel = ctx_cancel, .ud = c});
    picker_add(pk, "Clear it first, then set the new stage", NULL, "clear", false);
    picker_add(pk, "Keep the current stage", NULL, "keep", false);
    picker_open(pk, a);
}

static void edit_chosen(void *ud, app *a, const char *input, bool typed)
{
    edit_ctx *c = ud;
    char *iso = NULL;
    /* A date-time typed without a zone is the portal's local time. */
    if (typed && c->ve.p->type == PROP_DATETIME)
        fmt_parse_local_datetime(browser_zone(c->b), input, &iso);
    validate_result r;
    validate_status vs = validate_value(browser_store(c->b), c->object, c->id, c->prop,
                                        iso ? iso : input, &r);
    free(iso);
    if (vs == VALIDATE_OK && str_cmp0(r.value, c->current) == 0) {
        app_message(a, MSG_INFO, "Unchanged: %s already has that value", c->ve.p->label);
        ctx_free(c);
    } else if (vs == VALIDATE_OK) {
        ht_error err;
        if (outbox_enqueue_update(browser_store(c->b), c->object, c->id, c->prop, r.value, 0,
                                  NULL, &err) == HT_OK)
            queued(c, a, r.value, false);
        else
            app_error(a, &err);
        ctx_free(c);
    } else if (vs == VALIDATE_BACKWARDS) {
        c->value = r.value;
        r.value = NULL;
        ask_backwards(c, a, r.message);
    } else if (typed) {
        /* Still editing: the text stays, with the reason. */
        value_editor_retry(a, &c->ve, input, r.message);
    } else {
        app_message(a, MSG_ERROR, "%s", r.message);
        ctx_free(c);
    }
    validate_result_clear(&r);
}

static bool load_record(edit_ctx *c, app *a)
{
    record *rec = NULL;
    ht_error err;
    if (records_get(browser_store(c->b), c->object, c->id, &rec, &err) != HT_OK) {
        app_error(a, &err);
        return false;
    }
    const char *cur = record_get(rec, c->prop);
    c->current = cur ? xstrdup(cur) : NULL;
    const char *pl = c->m->pipeline_prop ? record_get(rec, c->m->pipeline_prop) : NULL;
    c->pipeline = pl ? xstrdup(pl) : NULL;
    c->name = xstrdup(!str_empty(rec->display_name) ? rec->display_name : rec->id);
    record_free(rec);
    return true;
}

void editor_edit(browser *b, const char *object, const char *id, const char *prop)
{
    app *a = browser_app(b);
    const objmeta *m = browser_meta(b, object);
    if (!m)
        return;
    const prop_def *p = objmeta_prop(m, prop);
    char why[512];
    if (!p || !editor_editable(p, why, sizeof why)) {
        if (!p)
            snprintf(why, sizeof why, "%s have no property '%s'", m->label_plural, prop);
        app_message(a, MSG_WARN, "%s", why);
        objmeta_release(m);
        return;
    }
    edit_ctx *c = xcalloc(1, sizeof *c);
    c->b = b;
    c->m = m;
    c->object = xstrdup(m->name);
    snprintf(c->id, sizeof c->id, "%s", id);
    c->prop = xstrdup(p->name);
    if (!load_record(c, a)) {
        ctx_free(c);
        return;
    }
    /* A stage picker offers the stages of the record's own pipeline. */
    c->ve = (value_editor){.b = b, .m = m, .p = p, .current = c->current,
                           .pipelines = c->pipeline ? (const char *const *)&c->pipeline : NULL,
                           .npipelines = c->pipeline ? 1 : 0,
                           .chosen = edit_chosen, .cancel = ctx_cancel, .ud = c};
    value_editor_open(a, &c->ve);
}
