/* detail.c — one record: its properties under their groups. */
#include "detail.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assocedit.h"
#include "draw.h"
#include "editor.h"
#include "listnav.h"
#include "looks.h"
#include "records.h"
#include "text.h"

#define LABEL_MAX 30

typedef enum drow_kind { DR_NOTE, DR_GROUP, DR_PROP } drow_kind;

typedef struct drow {
    drow_kind kind;
    const prop_def *p;
    char *label;
    char *shown;     /* formatted value ("" when empty) */
    fmt_style style;
    outbox_state state;
    char *extra;     /* what a queued change replaced, or HubSpot's value */
    theme_role role; /* notes */
} drow;

typedef enum refresh_state { RF_NONE, RF_RUNNING, RF_DONE, RF_FAILED, RF_GONE } refresh_state;

typedef struct detail {
    view base;
    browser *b;
    bool companion;
    char *object;
    char id[32];
    const objmeta *m;
    record *rec;
    char *missing;   /* why there is no record to show */
    drow *rows;
    size_t n;
    listnav nav;
    bool hide_empty;
    char *search;
    hs_call_id refresh;
    refresh_state refresh_state;
    char *refresh_msg;
    uint64_t seen_serial;
} detail;

static detail *dt(view *v)
{
    return (detail *)v;
}

/* ---- The rows ------------------------------------------------------------------------ */

static void clear_rows(detail *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->rows[i].label);
        free(d->rows[i].shown);
        free(d->rows[i].extra);
    }
    free(d->rows);
    d->rows = NULL;
    d->n = 0;
}

static drow *add_row(detail *d, drow_kind kind, const char *label)
{
    d->rows = xrealloc(d->rows, (d->n + 1) * sizeof *d->rows);
    drow *r = &d->rows[d->n++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->label = xstrdup(label ? label : "");
    r->role = ROLE_FIELD_VALUE;
    return r;
}

static fmt_record record_context(const detail *d, const prop_def *p)
{
    fmt_record fr = {0};
    if (p->currency_property)
        fr.currency_code = record_get(d->rec, p->currency_property);
    if (d->m->pipeline_prop)
        fr.pipeline_id = record_get(d->rec, d->m->pipeline_prop);
    return fr;
}

static char *shown_value(const detail *d, const prop_def *p, const char *raw, fmt_style *st)
{
    fmt_ctx fc = browser_fmt(d->b, d->m, true);
    fmt_record fr = record_context(d, p);
    strbuf sb = {0};
    fmt_style s = fmt_value(&fc, p, raw, &fr, &sb);
    if (st)
        *st = s;
    return strbuf_detach(&sb);
}

static char *extra_of(const detail *d, const prop_def *p, const record_value *rv)
{
    if (!rv || rv->state == OB_NONE)
        return NULL;
    if (rv->state == OB_CONFLICT && rv->server_value) {
        char *theirs = shown_value(d, p, rv->server_value, NULL);
        char *out = xasprintf("conflict: HubSpot has %s (p: queue)", *theirs ? theirs : "(empty)");
        free(theirs);
        return out;
    }
    char *was = shown_value(d, p, rv->original, NULL);
    char *out = xasprintf("%s; was %s", looks_state_words(rv->state), *was ? was : "(empty)");
    free(was);
    return out;
}

static bool matches(const detail *d, const prop_def *p, const char *shown)
{
    return !d->search || strcasestr(p->label, d->search) || strcasestr(p->name, d->search) ||
           strcasestr(shown, d->search);
}

/* Properties of one group, in HubSpot's order. */
static int by_order(const void *x, const void *y)
{
    const prop_def *const *a = x, *const *b = y;
    if ((*a)->display_order != (*b)->display_order) {
        if ((*a)->display_order < 0)
            return 1;
        if ((*b)->display_order < 0)
            return -1;
        return (*a)->display_order < (*b)->display_order ? -1 : 1;
    }
    return strcasecmp((*a)->label, (*b)->label);
}

static void add_props(detail *d, const char *title, const prop_def **props, size_t n)
{
    qsort(props, n, sizeof *props, by_order);
    bool headed = false;
    for (size_t i = 0; i < n; i++) {
        const prop_def *p = props[i];
        const record_value *rv = record_find(d->rec, p->name);
        const char *raw = rv ? rv->value : NULL;
        bool empty = str_empty(raw) && (!rv || rv->state == OB_NONE);
        if ((empty && d->hide_empty) || (p->hidden && empty) || (p->archived && empty))
            continue;
        fmt_style st;
        char *shown = shown_value(d, p, raw, &st);
        if (!matches(d, p, shown)) {
            free(shown);
            continue;
        }
        if (!headed)
            add_row(d, DR_GROUP, title), headed = true;
        drow *r = add_row(d, DR_PROP, p->label);
        r->p = p;
        r->shown = shown;
        r->style = st;
        r->state = rv ? rv->state : OB_NONE;
        r->extra = extra_of(d, p, rv);
    }
}

static bool known_group(const objmeta *m, const char *name)
{
    for (size_t g = 0; name && g < m->ngroups; g++)
        if (strcmp(m->groups[g].name, name) == 0)
            return true;
    return false;
}

static void note(detail *d, theme_role role, const char *text)
{
    drow *r = add_row(d, DR_NOTE, text);
    r->role = role;
}

static void add_header(detail *d)
{
    strbuf sb = {0};
    strbuf_printf(&sb, "%s %s", d->m->label_singular, d->rec->id);
    if (d->rec->local)
        strbuf_puts(&sb, " (created here, not pushed yet)");
    if (d->rec->updated_ms > 0) {
        strbuf_puts(&sb, " \xC2\xB7 updated ");
        fmt_datetime(d->rec->updated_ms, browser_zone(d->b), false, true, &sb);
    }
    note(d, ROLE_HINT, strbuf_str(&sb));
    strbuf_free(&sb);
    if (d->companion)
        return;
    switch (d->refresh_state) {
    case RF_RUNNING: note(d, ROLE_HINT, "Fetching the latest from HubSpot\xE2\x80\xA6"); break;
    case RF_DONE: note(d, ROLE_HINT, "Up to date with HubSpot"); break;
    case RF_FAILED: note(d, ROLE_STATUS_WARN, d->refresh_msg ? d->refresh_msg : "Refresh failed"); break;
    case RF_GONE: note(d, ROLE_STATUS_WARN, "Deleted on HubSpot: this was the last cached copy"); break;
    case RF_NONE:
        if (!browser_online(d->b))
            note(d, ROLE_HINT, "Offline: the cached copy");
        break;
    }
}

static void build_rows(detail *d)
{
    clear_rows(d);
    if (!d->rec) {
        if (d->missing)
            note(d, ROLE_STATUS_WARN, d->missing);
        listnav_set_count(&d->nav, (int64_t)d->n);
        return;
    }
    add_header(d);
    const prop_def **props = xcalloc(d->m->nprops + 1, sizeof *props);
    for (size_t g = 0; g < d->m->ngroups; g++) {
        size_t n = 0;
        for (size_t i = 0; i < d->m->nprops; i++)
            if (d->m->props[i].group_name &&
                strcmp(d->m->props[i].group_name, d->m->groups[g].name) == 0)
                props[n++] = &d->m->props[i];
        add_props(d, d->m->groups[g].label ? d->m->groups[g].label : d->m->groups[g].name,
                  props, n);
    }
    size_t n = 0;
    for (size_t i = 0; i < d->m->nprops; i++)
        if (!known_group(d->m, d->m->props[i].group_name))
            props[n++] = &d->m->props[i];
    add_props(d, "Other properties", props, n);
    free(props);
    listnav_set_count(&d->nav, (int64_t)d->n);
}

/* Read the record from the cache again and rebuild the rows. */
static void load(detail *d)
{
    record_free(d->rec);
    d->rec = NULL;
    free(d->missing);
    d->missing = NULL;
    if (!d->object || !d->id[0]) {
        build_rows(d);
        return;
    }
    ht_error err;
    const objmeta *m = meta_object(browser_store(d->b), d->object, &err);
    if (m) {
        objmeta_release(d->m);
        d->m = m;
    }
    if (!d->m) {
        d->missing = xstrdup(err.message);
    } else if (records_get(browser_store(d->b), d->object, d->id, &d->rec, &err) != HT_OK) {
        d->rec = NULL;
        d->missing = err.status == HT_NOT_FOUND
                         ? xasprintf("%s %s is not in the cache", d->m->label_singular, d->id)
                         : xstrdup(err.message);
    }
    build_rows(d);
    d->seen_serial = browser_serial(d->b);
}

/* ---- Refreshing from HubSpot ---------------------------------------------------------- */

static void on_refreshed(void *ud, ht_status st, const ht_error *err)
{
    detail *d = ud;
    d->refresh = 0;
    if (st == HT_CANCELLED)
        return;
    free(d->refresh_msg);
    d->refresh_msg = NULL;
    if (st == HT_OK) {
        d->refresh_state = RF_DONE;
    } else if (st == HT_NOT_FOUND) {
        d->refresh_state = RF_GONE;
    } else {
        d->refresh_state = RF_FAILED;
        d->refresh_msg = xasprintf("Could not refresh from HubSpot: %s", err->message);
    }
    load(d); /* the browser bumped its serial too: redraw follows */
    app_redraw(browser_app(d->b), APP_DIRTY_ALL);
}

static void start_refresh(detail *d)
{
    if (d->companion || d->refresh)
        return;
    d->refresh = browser_refresh_record(d->b, d->object, d->id, on_refreshed, d);
    d->refresh_state = d->refresh ? RF_RUNNING : RF_NONE;
}

/* ---- Drawing ------------------------------------------------------------------------------- */

static int label_width(const detail *d, int cols, unsigned flags)
{
    int w = 8;
    for (size_t i = 0; i < d->n; i++)
        if (d->rows[i].kind == DR_PROP) {
            int lw = text_width(d->rows[i].label, flags);
            if (lw > w)
                w = lw;
        }
    if (w > LABEL_MAX)
        w = LABEL_MAX;
    if (w > cols / 2 - 2)
        w = cols / 2 - 2;
    return w < 4 ? 4 : w;
}

static void draw_prop(detail *d, app *a, WINDOW *win, int y, const drow *r, int lw, int cols,
                      bool cur, bool focused)
{
    unsigned flags = app_text_flags(a);
    attr_t cursor = app_attr(a, focused ? ROLE_CURSOR : ROLE_CURSOR_BLUR);
    if (cur)
        draw_fill(win, y, 0, cols, cursor);
    bool ro = r->p->read_only_value || r->p->calculated;
    const char *marker = looks_state_marker(r->state, flags & TEXT_ASCII);
    if (*marker)
        draw_str(win, y, 1, 1, marker, cur ? cursor : app_attr(a, looks_state_role(r->state)),
                 flags);
    draw_text(win, y, 3, lw, r->label,
              cur ? cursor : app_attr(a, ro ? ROLE_FIELD_READONLY : ROLE_FIELD_LABEL), TEXT_LEFT,
              flags);
    int x = 3 + lw + 2;
    theme_role vr = r->state != OB_NONE ? looks_state_role(r->state) : looks_value_role(r->style);
    const char *shown = *r->shown ? r->shown : "\xE2\x80\x94";
    if (flags & TEXT_ASCII && !*r->shown)
        shown = "-";
    int used = draw_str(win, y, x, cols - x - 1, shown, cur ? cursor : app_attr(a, vr), flags);
    if (r->extra && x + used + 3 < cols)
        draw_str(win, y, x + used + 2, cols - x - used - 3, r->extra,
                 cur ? cursor : app_attr(a, ROLE_HINT), flags);
}

static void dt_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    detail *d = dt(v);
    unsigned flags = app_text_flags(a);
    listnav_set_page(&d->nav, rows);
    int lw = label_width(d, cols, flags);
    for (int y = 0; y < rows && d->nav.top + y < (int64_t)d->n; y++) {
        int64_t i = d->nav.top + y;
        const drow *r = &d->rows[i];
        bool cur = i == d->nav.cursor;
        switch (r->kind) {
        case DR_NOTE:
            draw_fill(win, y, 0, cols, app_attr(a, cur ? (focused ? ROLE_CURSOR : ROLE_CURSOR_BLUR)
                                                         : ROLE_DEFAULT));
            draw_str(win, y, 1, cols - 2, r->label, app_attr(a, cur ? ROLE_CURSOR : r->role),
                     flags);
            break;
        case DR_GROUP:
            draw_fill(win, y, 0, cols, app_attr(a, cur ? ROLE_CURSOR : ROLE_DEFAULT));
            draw_str(win, y, 1, cols - 2, r->label, app_attr(a, cur ? ROLE_CURSOR : ROLE_HELP_GROUP),
                     flags);
            break;
        case DR_PROP:
            draw_prop(d, a, win, y, r, lw, cols, cur, focused);
            break;
        }
    }
    if (d->n == 0 && rows > 0)
        draw_str(win, 0, 1, cols - 2,
                 d->search ? "No property matches" : d->companion ? "" : "Nothing to show",
                 app_attr(a, ROLE_HINT), flags);
}

static void dt_title(view *v, app *a, strbuf *out)
{
    detail *d = dt(v);
    if (d->rec && !str_empty(d->rec->display_name))
        strbuf_puts(out, d->rec->display_name);
    else if (d->m && d->id[0])
        strbuf_printf(out, "%s %s", d->m->label_singular, d->id);
    else
        strbuf_puts(out, "Record");
    if (d->search)
        strbuf_printf(out, " [/%s]", d->search);
}

/* ---- Actions ---------------------------------------------------------------------------------- */

static const drow *cursor_row(const detail *d)
{
    return d->nav.cursor < (int64_t)d->n ? &d->rows[d->nav.cursor] : NULL;
}

/* Keep the cursor off headings when moving row by row. */
static void skip_headings(detail *d, action_id act)
{
    int dir = act == ACT_MOVE_UP || act == ACT_PAGE_UP || act == ACT_HALF_UP ? -1 : 1;
    for (int tries = 0; tries < 3; tries++) {
        const drow *r = cursor_row(d);
        if (!r || r->kind == DR_PROP)
            return;
        int64_t next = d->nav.cursor + dir;
        if (next < 0 || next >= (int64_t)d->n) {
            dir = -dir;
            continue;
        }
        listnav_set_cursor(&d->nav, next);
    }
}

static view_result edit(detail *d, app *a)
{
    const drow *r = cursor_row(d);
    if (!d->rec || !r || r->kind != DR_PROP) {
        app_message(a, MSG_INFO, "Select a property to edit");
        return VR_HANDLED;
    }
    editor_edit(d->b, d->object, d->id, r->p->name);
    return VR_HANDLED;
}

static view_result copy(detail *d, app *a)
{
    const drow *r = cursor_row(d);
    if (!r || r->kind != DR_PROP || !*r->shown) {
        app_message(a, MSG_INFO, "Nothing to copy");
        return VR_HANDLED;
    }
    ht_error err;
    if (app_copy(a, r->shown, &err) == HT_OK)
        app_message(a, MSG_INFO, "Copied: %s", r->shown);
    else
        app_error(a, &err);
    return VR_HANDLED;
}

static void set_search(detail *d, const char *text)
{
    free(d->search);
    d->search = str_empty(text) ? NULL : xstrdup(text);
    build_rows(d);
    listnav_set_cursor(&d->nav, 0);
    skip_headings(d, ACT_MOVE_DOWN);
}

static void search_changed(void *ud, app *a, const char *text)
{
    set_search(ud, text);
    app_redraw(a, APP_DIRTY_ALL);
}

static void search_cancel(void *ud, app *a)
{
    search_changed(ud, a, NULL);
}

static view_result dt_action(view *v, app *a, const action_call *call)
{
    detail *d = dt(v);
    bool changed;
    if (listnav_apply(&d->nav, call->id, &changed)) {
        skip_headings(d, call->id);
        return changed ? VR_REDRAW : VR_HANDLED;
    }
    switch (call->id) {
    case ACT_EDIT:
        return edit(d, a);
    case ACT_OPEN:
        if (app_readonly(a))
            return VR_HANDLED;
        return edit(d, a);
    case ACT_COPY:
        return copy(d, a);
    case ACT_TOGGLE_EMPTY:
        d->hide_empty = !d->hide_empty;
        uistate_set_flag(browser_state(d->b), browser_portal(d->b), "hide_empty", d->hide_empty);
        build_rows(d);
        app_message(a, MSG_INFO, "%s empty properties", d->hide_empty ? "Hiding" : "Showing");
        return VR_REDRAW;
    case ACT_GRAPH:
        if (d->rec)
            browser_open_graph(d->b, d->object, d->id);
        return VR_HANDLED;
    case ACT_ASSOCIATE:
        if (d->rec)
            assoc_add(d->b, d->object, d->id, call->arg);
        return VR_HANDLED;
    case ACT_REFRESH:
        if (d->companion) {
            load(d);
            return VR_REDRAW;
        }
        if (!browser_online(d->b)) {
            app_message(a, MSG_INFO, "Offline: showing the cached copy (:online connects)");
            load(d);
            return VR_REDRAW;
        }
        start_refresh(d);
        build_rows(d);
        return VR_REDRAW;
    case ACT_FILTER:
        if (call->arg) {
            set_search(d, call->arg);
            return VR_REDRAW_ALL;
        }
        app_prompt(a, &(prompt_ops){.label = "/", .line = app_filter_line(a),
                                    .changed = search_changed, .submit = search_changed,
                                    .cancel = search_cancel, .ud = d, .owner = &d->base},
                   d->search);
        return VR_HANDLED;
    case ACT_NEXT_MATCH:
    case ACT_PREV_MATCH:
        listnav_apply(&d->nav, call->id == ACT_NEXT_MATCH ? ACT_MOVE_DOWN : ACT_MOVE_UP,
                      &changed);
        skip_headings(d, call->id == ACT_NEXT_MATCH ? ACT_MOVE_DOWN : ACT_MOVE_UP);
        return VR_REDRAW;
    default:
        return VR_UNHANDLED;
    }
}

static view_result dt_mouse(view *v, app *a, const mouse_event *ev)
{
    detail *d = dt(v);
    int64_t row = d->nav.top + ev->y;
    if (row < (int64_t)d->n)
        listnav_set_cursor(&d->nav, row);
    if (ev->kind == MOUSE_DOUBLE_CLICK && !app_readonly(a))
        return edit(d, a);
    return VR_REDRAW;
}

static void dt_resize(view *v, app *a, int rows, int cols)
{
    listnav_set_page(&dt(v)->nav, rows);
}

static view_result dt_tick(view *v, app *a, int64_t now)
{
    detail *d = dt(v);
    if (browser_serial(d->b) == d->seen_serial)
        return VR_UNHANDLED;
    int64_t cursor = d->nav.cursor, top = d->nav.top;
    load(d);
    d->nav.top = top;
    listnav_set_cursor(&d->nav, cursor);
    return VR_REDRAW;
}

static bool dt_open(view *v, app *a, ht_error *err)
{
    detail *d = dt(v);
    load(d);
    skip_headings(d, ACT_MOVE_DOWN);
    start_refresh(d);
    build_rows(d);
    return true;
}

static void dt_close(view *v, app *a)
{
    detail *d = dt(v);
    if (d->refresh) {
        hs_call_id id = d->refresh;
        d->refresh = 0;
        browser_cancel_refresh(d->b, id); /* on_refreshed runs now, and returns */
    }
    clear_rows(d);
    record_free(d->rec);
    objmeta_release(d->m);
    free(d->object);
    free(d->missing);
    free(d->search);
    free(d->refresh_msg);
    free(d);
}

static const struct view_ops detail_ops = {
    .name = "detail",
    .kind = VIEW_DETAIL,
    .open = dt_open,
    .draw = dt_draw,
    .title = dt_title,
    .action = dt_action,
    .mouse = dt_mouse,
    .resize = dt_resize,
    .tick = dt_tick,
    .close = dt_close,
};

static detail *detail_alloc(browser *b)
{
    detail *d = xcalloc(1, sizeof *d);
    d->base.ops = &detail_ops;
    d->b = b;
    d->hide_empty = uistate_get_flag(browser_state(b), browser_portal(b), "hide_empty", false);
    return d;
}

view *detail_new(browser *b, const char *object, const char *id)
{
    detail *d = detail_alloc(b);
    d->object = xstrdup(object);
    snprintf(d->id, sizeof d->id, "%s", id);
    return &d->base;
}

view *detail_companion_new(browser *b)
{
    detail *d = detail_alloc(b);
    d->companion = true;
    return &d->base;
}

void detail_show(view *v, const char *object, const char *id)
{
    detail *d = dt(v);
    if (!object || !id) {
        d->id[0] = '\0';
        load(d);
        return;
    }
    if (!d->object || strcmp(d->object, object) != 0) {
        free(d->object);
        d->object = xstrdup(object);
    }
    snprintf(d->id, sizeof d->id, "%s", id);
    d->nav.cursor = d->nav.top = 0;
    load(d);
    skip_headings(d, ACT_MOVE_DOWN);
}
