/* assocedit.c — adding and removing associations between records. */
#include "assocedit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "picker.h"
#include "records.h"

#define SEARCH_ROWS 50

typedef struct assoc_ctx {
    browser *b;
    char *object;
    char id[32];
    char *to_type;
    char *to_label;    /* singular label of to_type */
    char to_id[32];
    char *to_name;
    cmdline line;
    char prompt[80];
    /* remove */
    int type_id;
    char *category, *label;
} assoc_ctx;

static void ctx_free(assoc_ctx *c)
{
    cmdline_free(&c->line);
    free(c->object);
    free(c->to_type);
    free(c->to_label);
    free(c->to_name);
    free(c->category);
    free(c->label);
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

static assoc_ctx *ctx_new(browser *b, const char *object, const char *id)
{
    assoc_ctx *c = xcalloc(1, sizeof *c);
    c->b = b;
    c->object = xstrdup(object);
    snprintf(c->id, sizeof c->id, "%s", id);
    cmdline_init(&c->line);
    return c;
}

/* ---- Adding: queue it ------------------------------------------------------------------ */

static void queue_add(assoc_ctx *c, app *a, int type_id, const char *category, const char *label)
{
    ht_error err;
    if (outbox_enqueue_assoc(browser_store(c->b), true, c->object, c->id, c->to_type, c->to_id,
                             type_id, category, label, 0, NULL, &err) != HT_OK) {
        app_error(a, &err);
    } else {
        app_message(a, MSG_INFO, "Queued: associate %s%s%s%s (u undoes, P pushes)", c->to_name,
                    label ? " as \"" : "", label ? label : "", label ? "\"" : "");
        browser_data_changed(c->b);
    }
    ctx_free(c);
}

static void type_chosen(void *ud, app *a, const picker_result *r)
{
    assoc_ctx *c = ud;
    /* value: "type_id|category|label" */
    const char *v = r->value ? r->value : "0||";
    int type_id = atoi(v);
    const char *p1 = strchr(v, '|');
    const char *p2 = p1 ? strchr(p1 + 1, '|') : NULL;
    char *category = p1 && p2 ? xstrndup(p1 + 1, (size_t)(p2 - p1 - 1)) : NULL;
    const char *label = p2 && p2[1] ? p2 + 1 : NULL;
    char *label_copy = label ? xstrdup(label) : NULL;
    queue_add(c, a, type_id, str_empty(category) ? NULL : category, label_copy);
    free(category);
    free(label_copy);
}

static void choose_type(assoc_ctx *c, app *a)
{
    assoc_type *types = NULL;
    size_t n = 0;
    ht_error err;
    if (meta_assoc_types(browser_store(c->b), c->object, c->to_type, &types, &n, &err) != HT_OK)
        n = 0;
    size_t labelled = 0;
    for (size_t i = 0; i < n; i++)
        labelled += types[i].label != NULL;
    if (labelled == 0) {
        /* Only the default association: no question to ask. */
        int type_id = 0;
        const char *cat = NULL;
        for (size_t i = 0; i < n && !type_id; i++)
            if (types[i].category && strcmp(types[i].category, "HUBSPOT_DEFINED") == 0)
                type_id = types[i].type_id, cat = types[i].category;
        char *cat_copy = cat ? xstrdup(cat) : NULL;
        assoc_type_free_all(types, n);
        queue_add(c, a, type_id, cat_copy, NULL);
        free(cat_copy);
        return;
    }
    picker *pk = picker_new(&(picker_opts){.title = "Association label",
                                           .intro = "How are they associated?",
                                           .done = type_chosen, .cancel = ctx_cancel, .ud = c});
    bool plain = false;
    for (size_t i = 0; i < n; i++) {
        char value[256];
        snprintf(value, sizeof value, "%d|%s|%s", types[i].type_id,
                 types[i].category ? types[i].category : "", types[i].label ? types[i].label : "");
        if (!types[i].label) {
            if (plain || strcmp(types[i].category ? types[i].category : "", "HUBSPOT_DEFINED"))
                continue;
            plain = true;
        }
        picker_add(pk, types[i].label ? types[i].label : "(no label)", types[i].category, value,
                   false);
    }
    if (!plain)
        picker_add(pk, "(no label)", NULL, "0||", false);
    assoc_type_free_all(types, n);
    picker_open(pk, a);
}

/* ---- Adding: find the record ---------------------------------------------------------------- */

static void open_search(assoc_ctx *c, app *a, const char *text);

static void record_chosen(void *ud, app *a, const picker_result *r)
{
    assoc_ctx *c = ud;
    if (!r->value) {
        ctx_free(c);
        return;
    }
    snprintf(c->to_id, sizeof c->to_id, "%s", r->value);
    c->to_name = records_display_name(browser_store(c->b), c->to_type, c->to_id);
    if (strcmp(c->to_type, c->object) == 0 && strcmp(c->to_id, c->id) == 0) {
        app_message(a, MSG_WARN, "A record cannot be associated with itself");
        ctx_free(c);
        return;
    }
    choose_type(c, a);
}

static void found(void *ud, wk_job *j)
{
    assoc_ctx *c = ud;
    app *a = browser_app(c->b);
    if (j->status == HT_INVALID) {
        open_search(c, a, j->filter);
        app_prompt_error(a, j->err_col > 0 ? j->err_col - 1 : 0, j->err.message);
        return;
    }
    if (j->status != HT_OK) {
        if (j->status != HT_CANCELLED)
            app_error(a, &j->err);
        ctx_free(c);
        return;
    }
    if (!j->page || j->page->nrows == 0) {
        open_search(c, a, j->filter);
        app_prompt_error(a, 0, "nothing matches: try other words");
        return;
    }
    char title[96];
    snprintf(title, sizeof title, "Pick the %s", c->to_label);
    picker *pk = picker_new(&(picker_opts){.title = title, .done = record_chosen,
                                           .cancel = ctx_cancel, .ud = c});
    for (size_t i = 0; i < j->page->nrows; i++) {
        const query_row *r = &j->page->rows[i];
        strbuf sb = {0};
        for (size_t k = 0; k < j->ncolumns; k++)
            if (r->values[k])
                strbuf_printf(&sb, "%s%s", sb.len ? " " : "", r->values[k]);
        char detail[48];
        snprintf(detail, sizeof detail, "#%s", r->id);
        picker_add(pk, sb.len ? strbuf_str(&sb) : r->id, detail, r->id, false);
        strbuf_free(&sb);
    }
    if (j->page->more_after)
        app_message(a, MSG_INFO, "The first %zu matches: more words narrow it down",
                    j->page->nrows);
    picker_open(pk, a);
}

static void search_submit(void *ud, app *a, const char *text)
{
    assoc_ctx *c = ud;
    if (str_empty(text)) {
        open_search(c, a, text);
        app_prompt_error(a, 0, "type a name, an e-mail or a filter");
        return;
    }
    const objmeta *m = browser_meta(c->b, c->to_type);
    if (!m) {
        ctx_free(c);
        return;
    }
    const char **cols = xcalloc(m->ndisplay + 2, sizeof *cols);
    size_t n = 0;
    for (size_t i = 0; i < m->ndisplay; i++)
        cols[n++] = m->display_props[i];
    if (m->display_fallback)
        cols[n++] = m->display_fallback;
    query_spec spec = {.object = c->to_type, .filter = text, .columns = cols, .ncolumns = n};
    worker *w = browser_worker(c->b);
    wk_job *j = wk_job_new(WK_PAGE, worker_new_owner(w), 1, &spec);
    j->how = WP_FIRST;
    j->n = SEARCH_ROWS;
    j->done = found;
    j->free_ud = ctx_free_ud;
    j->ud = c;
    worker_submit(w, j);
    free(cols);
    objmeta_release(m);
}

static void open_search(assoc_ctx *c, app *a, const char *text)
{
    snprintf(c->prompt, sizeof c->prompt, "Find a %s: ", c->to_label);
    app_prompt(a, &(prompt_ops){.label = c->prompt, .line = &c->line, .submit = search_submit,
                                .cancel = ctx_cancel, .ud = c},
               text);
}

static void start_search(assoc_ctx *c, app *a, const char *to_type)
{
    const objmeta *m = browser_meta(c->b, to_type);
    if (!m) {
        ctx_free(c);
        return;
    }
    c->to_type = xstrdup(m->name);
    c->to_label = xstrdup(m->label_singular);
    objmeta_release(m);
    open_search(c, a, NULL);
    app_message(a, MSG_INFO, "Words find names and e-mails; the filter language works too");
}

static void to_type_chosen(void *ud, app *a, const picker_result *r)
{
    assoc_ctx *c = ud;
    if (!r->value) {
        ctx_free(c);
        return;
    }
    start_search(c, a, r->value);
}

void assoc_add(browser *b, const char *object, const char *id, const char *to_type)
{
    app *a = browser_app(b);
    assoc_ctx *c = ctx_new(b, object, id);
    if (to_type) {
        start_search(c, a, to_type);
        return;
    }
    objinfo *types = NULL;
    size_t n = 0;
    ht_error err;
    if (meta_list_objects(browser_store(b), &types, &n, &err) != HT_OK) {
        app_error(a, &err);
        ctx_free(c);
        return;
    }
    picker *pk = picker_new(&(picker_opts){.title = "Associate with",
                                           .done = to_type_chosen, .cancel = ctx_cancel, .ud = c});
    for (size_t i = 0; i < n; i++)
        if (types[i].count > 0)
            picker_add(pk, types[i].label_plural, NULL, types[i].name, false);
    objinfo_free_all(types, n);
    picker_open(pk, a);
}

/* ---- Removing ---------------------------------------------------------------------------------- */

static void remove_confirmed(void *ud, app *a, const picker_result *r)
{
    assoc_ctx *c = ud;
    if (str_cmp0(r->value, "yes") == 0) {
        ht_error err;
        /* Type 0: the whole pair, as HubSpot's DELETE does. */
        if (outbox_enqueue_assoc(browser_store(c->b), false, c->object, c->id, c->to_type,
                                 c->to_id, 0, c->category, c->label, 0, NULL, &err) != HT_OK) {
            app_error(a, &err);
        } else {
            app_message(a, MSG_INFO, "Queued: remove the association with %s (u undoes)",
                        c->to_name);
            browser_data_changed(c->b);
        }
    }
    ctx_free(c);
}

void assoc_remove(browser *b, const char *from_object, const char *from_id,
                  const char *to_object, const char *to_id, const char *to_name, int type_id,
                  const char *category, const char *label)
{
    assoc_ctx *c = ctx_new(b, from_object, from_id);
    c->to_type = xstrdup(to_object);
    snprintf(c->to_id, sizeof c->to_id, "%s", to_id);
    c->to_name = xstrdup(to_name ? to_name : to_id);
    c->type_id = type_id;
    c->category = category ? xstrdup(category) : NULL;
    c->label = label ? xstrdup(label) : NULL;
    char *from_name = records_display_name(browser_store(b), from_object, from_id);
    char intro[512];
    snprintf(intro, sizeof intro, "Remove the association between %s and %s%s%s%s? Every "
             "label between the two goes; the records stay.", from_name, c->to_name,
             label ? " (" : "", label ? label : "", label ? ")" : "");
    free(from_name);
    picker *pk = picker_new(&(picker_opts){.title = "Remove association", .intro = intro,
                                           .done = remove_confirmed, .cancel = ctx_cancel,
                                           .ud = c});
    picker_add(pk, "Remove it", NULL, "yes", false);
    picker_add(pk, "Keep it", NULL, "no", false);
    picker_select(pk, 1);
    picker_open(pk, browser_app(b));
}
