/* queueview.c — the outbox: every change not yet on HubSpot. */
#include "queueview.h"

#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "listnav.h"
#include "looks.h"
#include "outbox.h"
#include "text.h"

#define DETAIL_ROWS 4

typedef struct qrow {
    bool heading;
    char *text;
    size_t entry; /* index into entries when !heading */
} qrow;

typedef struct queueview {
    view base;
    browser *b;
    outbox_entry *entries;
    size_t nentries;
    qrow *rows;
    size_t nrows;
    listnav nav;
    uint64_t seen_serial;
    char *error;
} queueview;

static queueview *qv(view *v)
{
    return (queueview *)v;
}

/* ---- Rows ------------------------------------------------------------------------- */

static void free_rows(queueview *q)
{
    for (size_t i = 0; i < q->nrows; i++)
        free(q->rows[i].text);
    free(q->rows);
    q->rows = NULL;
    q->nrows = 0;
}

static void add_row(queueview *q, bool heading, char *text, size_t entry)
{
    q->rows = xrealloc(q->rows, (q->nrows + 1) * sizeof *q->rows);
    q->rows[q->nrows++] = (qrow){heading, text, entry};
}

/* A value as the user reads it (labels, owners, dates). */
static char *shown(queueview *q, const char *object, const char *prop, const char *value)
{
    if (str_empty(value))
        return xstrdup("(empty)");
    ht_error err;
    const objmeta *m = meta_object(browser_store(q->b), object, &err);
    const prop_def *p = m ? objmeta_prop(m, prop) : NULL;
    strbuf sb = {0};
    if (p) {
        fmt_ctx fc = browser_fmt(q->b, m, true);
        fmt_value(&fc, p, value, NULL, &sb);
    } else {
        strbuf_puts(&sb, value);
    }
    objmeta_release(m);
    return strbuf_detach(&sb);
}

static char *prop_label(queueview *q, const char *object, const char *prop)
{
    ht_error err;
    const objmeta *m = meta_object(browser_store(q->b), object, &err);
    const prop_def *p = m ? objmeta_prop(m, prop) : NULL;
    char *out = xstrdup(p ? p->label : prop ? prop : "");
    objmeta_release(m);
    return out;
}

static char *describe(queueview *q, const outbox_entry *e)
{
    const char *name = e->record_name ? e->record_name : e->id;
    switch (e->kind) {
    case OBK_UPDATE: {
        char *label = prop_label(q, e->object, e->prop);
        char *from = shown(q, e->object, e->prop, e->old_value);
        char *to = shown(q, e->object, e->prop, e->new_value);
        char *out = xasprintf("%s \xC2\xB7 %s: %s \xE2\x86\x92 %s", name, label, from, to);
        free(label);
        free(from);
        free(to);
        return out;
    }
    case OBK_CREATE:
        return xasprintf("Create %s (%s)", name, e->id);
    case OBK_ASSOC_ADD:
    case OBK_ASSOC_REMOVE:
        return xasprintf("%s %s \xE2\x86\x94 %s %s%s%s%s",
                         e->kind == OBK_ASSOC_ADD ? "Associate" : "Dissociate", name,
                         e->to_object, e->to_id, e->assoc_label ? " (" : "",
                         e->assoc_label ? e->assoc_label : "", e->assoc_label ? ")" : "");
    }
    return xstrdup(name);
}

static void add_section(queueview *q, unsigned states, const char *title)
{
    size_t n = 0;
    for (size_t i = 0; i < q->nentries; i++)
        n += (states >> q->entries[i].state) & 1u;
    if (!n)
        return;
    add_row(q, true, xasprintf("%s (%zu)", title, n), 0);
    for (size_t i = 0; i < q->nentries; i++)
        if ((states >> q->entries[i].state) & 1u)
            add_row(q, false, describe(q, &q->entries[i]), i);
}

static void load(queueview *q)
{
    int64_t cursor = q->nav.cursor;
    free_rows(q);
    outbox_entries_free(q->entries, q->nentries);
    q->entries = NULL;
    q->nentries = 0;
    free(q->error);
    q->error = NULL;
    ht_error err;
    if (outbox_list(browser_store(q->b), NULL, &q->entries, &q->nentries, &err) != HT_OK) {
        q->error = xstrdup(err.message);
        q->entries = NULL;
        q->nentries = 0;
    }
    add_section(q, 1u << OB_CONFLICT, "Conflicts: m keeps yours, t takes HubSpot's");
    add_section(q, (1u << OB_FAILED) | (1u << OB_NOT_APPLIED),
                "Refused or not applied: R retries, d drops");
    add_section(q, 1u << OB_PENDING, "Waiting to be pushed (P pushes, u undoes)");
    add_section(q, 1u << OB_SENDING, "Being sent");
    listnav_set_count(&q->nav, (int64_t)q->nrows);
    listnav_set_cursor(&q->nav, cursor);
    q->seen_serial = browser_serial(q->b);
}

static const outbox_entry *cursor_entry(const queueview *q)
{
    if (q->nav.cursor >= (int64_t)q->nrows || q->rows[q->nav.cursor].heading)
        return NULL;
    return &q->entries[q->rows[q->nav.cursor].entry];
}

/* ---- Drawing ------------------------------------------------------------------------- */

static void draw_detail(queueview *q, app *a, WINDOW *win, int y, int cols)
{
    const outbox_entry *e = cursor_entry(q);
    unsigned flags = app_text_flags(a);
    draw_fill(win, y, 0, cols, app_attr(a, ROLE_BORDER_BLUR));
    if (!e)
        return;
    char *lines[DETAIL_ROWS - 1] = {0};
    theme_role roles[DETAIL_ROWS - 1] = {ROLE_FIELD_VALUE, ROLE_FIELD_VALUE, ROLE_HINT};
    if (e->state == OB_CONFLICT) {
        char *mine = shown(q, e->object, e->prop, e->new_value);
        char *theirs = shown(q, e->object, e->prop, e->server_value);
        lines[0] = xasprintf("Yours: %s", mine);
        strbuf sb = {0};
        strbuf_printf(&sb, "HubSpot: %s", theirs);
        if (e->server_by || e->server_at)
            strbuf_printf(&sb, " (%s%s%s%s)", e->server_by ? "by " : "",
                          e->server_by ? e->server_by : "",
                          e->server_by && e->server_at ? ", " : "",
                          e->server_at ? e->server_at : "");
        lines[1] = strbuf_detach(&sb);
        free(mine);
        free(theirs);
        roles[0] = ROLE_SYNC_PENDING;
        roles[1] = ROLE_SYNC_CONFLICT;
    } else if (e->state == OB_FAILED || e->state == OB_NOT_APPLIED) {
        lines[0] = xasprintf("HubSpot said: %s", e->err_message ? e->err_message
                                                  : e->state == OB_NOT_APPLIED
                                                      ? "it kept another value"
                                                      : "(no message)");
        lines[1] = xasprintf("%s%s%s%s", e->err_category ? e->err_category : "",
                             e->err_category && e->correlation_id ? " \xC2\xB7 " : "",
                             e->correlation_id ? "correlation id " : "",
                             e->correlation_id ? e->correlation_id : "");
        roles[0] = ROLE_SYNC_FAILED;
    } else {
        lines[0] = xasprintf("%s %s %s", e->object, e->id, looks_state_words(e->state));
    }
    lines[2] = xasprintf("queued change %lld, group %lld, %d attempt%s", (long long)e->qid,
                         (long long)e->group, e->attempts, e->attempts == 1 ? "" : "s");
    for (int i = 0; i < DETAIL_ROWS - 1; i++) {
        if (lines[i])
            draw_str(win, y + 1 + i, 1, cols - 2, lines[i], app_attr(a, roles[i]), flags);
        free(lines[i]);
    }
}

static void qu_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    queueview *q = qv(v);
    unsigned flags = app_text_flags(a);
    int list_rows = rows > DETAIL_ROWS + 2 ? rows - DETAIL_ROWS : rows;
    listnav_set_page(&q->nav, list_rows);
    if (q->error || q->nrows == 0) {
        draw_str(win, 0, 1, cols - 2, q->error ? q->error : "Nothing queued: every change is on HubSpot",
                 app_attr(a, q->error ? ROLE_STATUS_ERROR : ROLE_HINT), flags);
        return;
    }
    for (int y = 0; y < list_rows && q->nav.top + y < (int64_t)q->nrows; y++) {
        int64_t i = q->nav.top + y;
        const qrow *r = &q->rows[i];
        bool cur = i == q->nav.cursor;
        attr_t base = app_attr(a, cur ? (focused ? ROLE_CURSOR : ROLE_CURSOR_BLUR) : ROLE_DEFAULT);
        draw_fill(win, y, 0, cols, base);
        if (r->heading) {
            draw_str(win, y, 1, cols - 2, r->text, cur ? base : app_attr(a, ROLE_HELP_GROUP), flags);
            continue;
        }
        const outbox_entry *e = &q->entries[r->entry];
        draw_str(win, y, 1, 1, looks_state_marker(e->state, flags & TEXT_ASCII),
                 cur ? base : app_attr(a, looks_state_role(e->state)), flags);
        draw_str(win, y, 3, cols - 4, r->text, base, flags);
    }
    if (list_rows < rows)
        draw_detail(q, a, win, list_rows, cols);
}

static void qu_title(view *v, app *a, strbuf *out)
{
    queueview *q = qv(v);
    strbuf_printf(out, "Outbox \xC2\xB7 %zu change%s", q->nentries, q->nentries == 1 ? "" : "s");
}

/* ---- Actions ---------------------------------------------------------------------------- */

static view_result settle(queueview *q, app *a, action_id act)
{
    const outbox_entry *e = cursor_entry(q);
    if (!e) {
        app_message(a, MSG_INFO, "Select a change first");
        return VR_HANDLED;
    }
    ht_error err;
    ht_status s = HT_OK;
    const char *done = NULL;
    switch (act) {
    case ACT_KEEP_MINE:
    case ACT_TAKE_THEIRS:
        if (e->state != OB_CONFLICT) {
            app_message(a, MSG_INFO, "Only a conflict is settled with keep-mine or take-theirs");
            return VR_HANDLED;
        }
        s = outbox_resolve(browser_store(q->b), e->qid, act == ACT_KEEP_MINE, &err);
        done = act == ACT_KEEP_MINE ? "Kept your value: the next push sends it"
                                    : "Took HubSpot's value; yours is dropped";
        break;
    case ACT_RETRY:
        if (e->state != OB_FAILED && e->state != OB_NOT_APPLIED) {
            app_message(a, MSG_INFO, "Only a refused change is retried");
            return VR_HANDLED;
        }
        s = outbox_retry(browser_store(q->b), e->qid, &err);
        done = "Queued again: the next push sends it";
        break;
    default:
        if (e->state == OB_SENDING) {
            app_message(a, MSG_INFO, "This change is being sent; it cannot be dropped now");
            return VR_HANDLED;
        }
        s = outbox_drop(browser_store(q->b), e->qid, &err);
        done = "Dropped: the old value is back";
        break;
    }
    if (s != HT_OK) {
        app_error(a, &err);
        return VR_HANDLED;
    }
    app_message(a, MSG_INFO, "%s", done);
    browser_data_changed(q->b);
    load(q);
    return VR_REDRAW_ALL;
}

static view_result qu_action(view *v, app *a, const action_call *call)
{
    queueview *q = qv(v);
    bool changed;
    if (listnav_apply(&q->nav, call->id, &changed))
        return changed ? VR_REDRAW : VR_HANDLED;
    const outbox_entry *e = cursor_entry(q);
    switch (call->id) {
    case ACT_KEEP_MINE:
    case ACT_TAKE_THEIRS:
    case ACT_RETRY:
    case ACT_DROP:
        return settle(q, a, call->id);
    case ACT_OPEN:
        if (e)
            browser_open_record(q->b, e->object, e->id);
        return VR_HANDLED;
    case ACT_REFRESH:
        load(q);
        return VR_REDRAW;
    case ACT_COPY: {
        const char *text = e ? (e->correlation_id ? e->correlation_id : e->new_value) : NULL;
        ht_error err;
        if (text && app_copy(a, text, &err) == HT_OK)
            app_message(a, MSG_INFO, "Copied: %s", text);
        return VR_HANDLED;
    }
    default:
        return VR_UNHANDLED;
    }
}

static view_result qu_mouse(view *v, app *a, const mouse_event *ev)
{
    queueview *q = qv(v);
    int64_t row = q->nav.top + ev->y;
    if (row < (int64_t)q->nrows)
        listnav_set_cursor(&q->nav, row);
    return VR_REDRAW;
}

static void qu_resize(view *v, app *a, int rows, int cols)
{
    listnav_set_page(&qv(v)->nav, rows > DETAIL_ROWS + 2 ? rows - DETAIL_ROWS : rows);
}

static view_result qu_tick(view *v, app *a, int64_t now)
{
    queueview *q = qv(v);
    if (browser_serial(q->b) == q->seen_serial)
        return VR_UNHANDLED;
    load(q);
    return VR_REDRAW;
}

static bool qu_open(view *v, app *a, ht_error *err)
{
    queueview *q = qv(v);
    load(q);
    if (q->nrows > 1)
        listnav_set_cursor(&q->nav, 1);
    return true;
}

static void qu_close(view *v, app *a)
{
    queueview *q = qv(v);
    free_rows(q);
    outbox_entries_free(q->entries, q->nentries);
    free(q->error);
    free(q);
}

static const struct view_ops queueview_ops = {
    .name = "queue",
    .kind = VIEW_QUEUE,
    .open = qu_open,
    .draw = qu_draw,
    .title = qu_title,
    .action = qu_action,
    .mouse = qu_mouse,
    .resize = qu_resize,
    .tick = qu_tick,
    .close = qu_close,
};

view *queueview_new(browser *b)
{
    queueview *q = xcalloc(1, sizeof *q);
    q->base.ops = &queueview_ops;
    q->b = b;
    return &q->base;
}
