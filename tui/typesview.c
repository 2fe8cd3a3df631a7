/* typesview.c — the object types with their record counts. */
#include "typesview.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draw.h"
#include "listnav.h"
#include "looks.h"
#include "text.h"

typedef struct typesview {
    view base;
    browser *b;
    objinfo *types;
    size_t ntypes;
    size_t *shown;
    size_t nshown;
    char *filter;
    listnav nav;
    uint64_t seen_serial;
    char *error;
    bool empty; /* nothing cached yet */
} typesview;

static typesview *tv(view *v)
{
    return (typesview *)v;
}

static void refilter(typesview *t)
{
    t->shown = xrealloc(t->shown, (t->ntypes + 1) * sizeof *t->shown);
    t->nshown = 0;
    for (size_t i = 0; i < t->ntypes; i++)
        if (!t->filter || strcasestr(t->types[i].label_plural, t->filter) ||
            strcasestr(t->types[i].name, t->filter))
            t->shown[t->nshown++] = i;
    listnav_set_count(&t->nav, (int64_t)t->nshown);
}

static void load(typesview *t)
{
    char *keep = t->nshown ? xstrdup(t->types[t->shown[t->nav.cursor]].name) : NULL;
    objinfo_free_all(t->types, t->ntypes);
    t->types = NULL;
    t->ntypes = 0;
    free(t->error);
    t->error = NULL;
    ht_error err;
    if (meta_list_objects(browser_store(t->b), &t->types, &t->ntypes, &err) != HT_OK) {
        t->error = xstrdup(err.message);
        t->types = NULL;
        t->ntypes = 0;
    }
    t->seen_serial = browser_serial(t->b);
    t->empty = true;
    for (size_t i = 0; i < t->ntypes; i++)
        t->empty &= t->types[i].count == 0 && !t->types[i].synced;
    refilter(t);
    for (size_t i = 0; keep && i < t->nshown; i++)
        if (strcmp(t->types[t->shown[i]].name, keep) == 0)
            listnav_set_cursor(&t->nav, (int64_t)i);
    free(keep);
}

static void ty_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    typesview *t = tv(v);
    unsigned flags = app_text_flags(a);
    int top = 0;
    if (t->error || t->empty) {
        const char *msg = t->error ? t->error
                                   : "The cache is empty: S (or :sync) fetches the portal";
        draw_str(win, 0, 1, cols - 2, msg, app_attr(a, t->error ? ROLE_STATUS_ERROR : ROLE_HINT),
                 flags);
        top = 2;
    }
    listnav_set_page(&t->nav, rows - top > 0 ? rows - top : 1);
    for (int y = top; y < rows && t->nav.top + y - top < (int64_t)t->nshown; y++) {
        int64_t row = t->nav.top + y - top;
        const objinfo *o = &t->types[t->shown[row]];
        bool cur = row == t->nav.cursor;
        attr_t base = app_attr(a, cur ? (focused ? ROLE_CURSOR : ROLE_CURSOR_BLUR) : ROLE_DEFAULT);
        draw_fill(win, y, 0, cols, base);
        char n[32] = "";
        if (o->count > 0 || o->synced)
            status_format_count(o->count, n);
        else
            snprintf(n, sizeof n, "-");
        int nw = text_width(n, flags);
        draw_text(win, y, 1, cols - nw - 3, o->label_plural,
                  cur ? base : app_attr(a, looks_object_role(o->name)), TEXT_LEFT, flags);
        draw_text(win, y, cols - nw - 1, nw, n, cur ? base : app_attr(a, ROLE_VALUE_NUMBER),
                  TEXT_RIGHT, flags);
    }
}

static void ty_title(view *v, app *a, strbuf *out)
{
    typesview *t = tv(v);
    strbuf_puts(out, "Object types");
    if (t->filter)
        strbuf_printf(out, " [/%s]", t->filter);
}

static void set_filter(typesview *t, const char *text)
{
    free(t->filter);
    t->filter = str_empty(text) ? NULL : xstrdup(text);
    refilter(t);
}

static void filter_changed(void *ud, app *a, const char *text)
{
    set_filter(ud, text);
    app_redraw_view(a, ud);
}

static void filter_cancel(void *ud, app *a)
{
    filter_changed(ud, a, NULL);
}

static view_result open_selected(typesview *t, app *a)
{
    if (!t->nshown)
        return VR_HANDLED;
    char *name = xstrdup(t->types[t->shown[t->nav.cursor]].name);
    browser_open_list(t->b, name); /* may close this view (a pushed types view stays) */
    free(name);
    return VR_HANDLED;
}

static view_result ty_action(view *v, app *a, const action_call *call)
{
    typesview *t = tv(v);
    bool changed;
    if (listnav_apply(&t->nav, call->id, &changed))
        return changed ? VR_REDRAW : VR_HANDLED;
    switch (call->id) {
    case ACT_OPEN:
    case ACT_MOVE_RIGHT:
        return open_selected(t, a);
    case ACT_REFRESH:
        load(t);
        return VR_REDRAW;
    case ACT_FILTER:
        if (call->arg) {
            set_filter(t, call->arg);
            return VR_REDRAW;
        }
        app_prompt(a, &(prompt_ops){.label = "/", .line = app_filter_line(a),
                                    .changed = filter_changed, .submit = filter_changed,
                                    .cancel = filter_cancel, .ud = t, .owner = &t->base},
                   t->filter);
        return VR_HANDLED;
    case ACT_NEXT_MATCH:
    case ACT_PREV_MATCH:
        listnav_apply(&t->nav, call->id == ACT_NEXT_MATCH ? ACT_MOVE_DOWN : ACT_MOVE_UP,
                      &changed);
        return VR_REDRAW;
    case ACT_SYNC:
        if (!call->arg && t->nshown) {
            /* S on a type syncs that type (runs through the browser). */
            action_call c = {ACT_SYNC, t->types[t->shown[t->nav.cursor]].name};
            app_run_action(a, &c);
            return VR_HANDLED;
        }
        return VR_UNHANDLED;
    default:
        return VR_UNHANDLED;
    }
}

static view_result ty_mouse(view *v, app *a, const mouse_event *ev)
{
    typesview *t = tv(v);
    int64_t row = t->nav.top + ev->y - (t->error || t->empty ? 2 : 0);
    if (row < t->nav.top)
        return VR_HANDLED;
    if (row >= (int64_t)t->nshown)
        return VR_HANDLED;
    listnav_set_cursor(&t->nav, row);
    return ev->kind == MOUSE_DOUBLE_CLICK ? open_selected(t, a) : VR_REDRAW;
}

static void ty_resize(view *v, app *a, int rows, int cols)
{
    listnav_set_page(&tv(v)->nav, rows);
}

static view_result ty_tick(view *v, app *a, int64_t now)
{
    typesview *t = tv(v);
    if (browser_serial(t->b) == t->seen_serial)
        return VR_UNHANDLED;
    load(t);
    return VR_REDRAW;
}

static bool ty_open(view *v, app *a, ht_error *err)
{
    load(tv(v));
    return true;
}

static void ty_close(view *v, app *a)
{
    typesview *t = tv(v);
    objinfo_free_all(t->types, t->ntypes);
    free(t->shown);
    free(t->filter);
    free(t->error);
    free(t);
}

static const struct view_ops typesview_ops = {
    .name = "types",
    .kind = VIEW_TYPES,
    .open = ty_open,
    .draw = ty_draw,
    .title = ty_title,
    .action = ty_action,
    .mouse = ty_mouse,
    .resize = ty_resize,
    .tick = ty_tick,
    .close = ty_close,
};

view *typesview_new(browser *b)
{
    typesview *t = xcalloc(1, sizeof *t);
    t->base.ops = &typesview_ops;
    t->b = b;
    return &t->base;
}
