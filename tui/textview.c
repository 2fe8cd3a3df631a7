#include "textview.h"
#include "draw.h"
#include "listnav.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LABEL_WIDTH 14

typedef struct tline {
    theme_role role;
    char *label; /* NULL for a plain line */
    char *text;
} tline;

struct textview {
    view base;
    char *title;
    tline *lines;
    size_t n, cap;
    size_t *shown; /* indexes of lines that pass the filter */
    size_t nshown;
    char *filter;  /* NULL: every line */
    listnav nav;
    void (*rebuild)(textview *tv, app *a, void *ud);
    void *rebuild_ud;
};

static const struct view_ops textview_ops;

static textview *tv_of(view *v)
{
    return (textview *)v;
}

textview *textview_new(const char *title, view_kind kind)
{
    textview *tv = xcalloc(1, sizeof *tv);
    tv->title = xstrdup(title);
    /* The kind decides the keymap section; the ops table is shared, so
     * keep the kind in a per-view copy of it. */
    struct view_ops *ops = xmalloc(sizeof *ops);
    *ops = textview_ops;
    ops->kind = kind;
    tv->base.ops = ops;
    return tv;
}

view *textview_view(textview *tv)
{
    return &tv->base;
}

static bool matches(const tline *l, const char *filter)
{
    if (!filter)
        return true;
    return strcasestr(l->text, filter) || (l->label && strcasestr(l->label, filter));
}

static void refilter(textview *tv)
{
    tv->shown = xrealloc(tv->shown, (tv->n ? tv->n : 1) * sizeof *tv->shown);
    tv->nshown = 0;
    for (size_t i = 0; i < tv->n; i++)
        if (matches(&tv->lines[i], tv->filter))
            tv->shown[tv->nshown++] = i;
    listnav_set_count(&tv->nav, (int64_t)tv->nshown);
}

static void push_line(textview *tv, theme_role role, const char *label, char *text)
{
    if (tv->n == tv->cap) {
        tv->cap = tv->cap ? tv->cap * 2 : 32;
        tv->lines = xrealloc(tv->lines, tv->cap * sizeof *tv->lines);
    }
    tv->lines[tv->n++] = (tline){role, label ? xstrdup(label) : NULL, text};
    refilter(tv);
}

void textview_add(textview *tv, theme_role role, const char *text)
{
    push_line(tv, role, NULL, xstrdup(text ? text : ""));
}

void textview_addf(textview *tv, theme_role role, const char *fmt, ...)
{
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    push_line(tv, role, NULL, strbuf_detach(&sb));
}

void textview_add_field(textview *tv, const char *label, theme_role role, const char *value)
{
    push_line(tv, role, label, xstrdup(value ? value : ""));
}

void textview_clear(textview *tv)
{
    for (size_t i = 0; i < tv->n; i++) {
        free(tv->lines[i].label);
        free(tv->lines[i].text);
    }
    tv->n = 0;
    refilter(tv);
}

size_t textview_count(const textview *tv)
{
    return tv->nshown;
}

void textview_set_rebuild(textview *tv, void (*rebuild)(textview *tv, app *a, void *ud), void *ud)
{
    tv->rebuild = rebuild;
    tv->rebuild_ud = ud;
}

static void tv_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    textview *tv = tv_of(v);
    if (tv->rebuild) {
        int64_t cursor = tv->nav.cursor, top = tv->nav.top;
        textview_clear(tv);
        tv->rebuild(tv, a, tv->rebuild_ud);
        tv->nav.top = top;
        listnav_set_cursor(&tv->nav, cursor);
    }
    listnav_set_page(&tv->nav, rows);
    unsigned flags = app_text_flags(a);
    for (int y = 0; y < rows && tv->nav.top + y < (int64_t)tv->nshown; y++) {
        int64_t row = tv->nav.top + y;
        const tline *l = &tv->lines[tv->shown[row]];
        bool cur = row == tv->nav.cursor;
        attr_t cursor_attr = app_attr(a, focused ? ROLE_CURSOR : ROLE_CURSOR_BLUR);
        int x = 1;
        draw_fill(win, y, 0, cols, cur ? cursor_attr : app_attr(a, ROLE_DEFAULT));
        if (l->label) {
            x += draw_text(win, y, x, LABEL_WIDTH, l->label,
                           cur ? cursor_attr : app_attr(a, ROLE_FIELD_LABEL), TEXT_LEFT, flags);
            x++;
        }
        draw_text(win, y, x, cols - x - 1, l->text, cur ? cursor_attr : app_attr(a, l->role),
                  TEXT_LEFT, flags);
    }
    if (tv->nshown == 0 && rows > 0)
        draw_str(win, 0, 1, cols - 2, tv->filter ? "No line matches the filter" : "(empty)",
                 app_attr(a, ROLE_HINT), flags);
}

static void tv_title(view *v, app *a, strbuf *out)
{
    textview *tv = tv_of(v);
    strbuf_puts(out, tv->title);
    if (tv->filter)
        strbuf_printf(out, " [/%s]", tv->filter);
}

static void set_filter(textview *tv, const char *text)
{
    free(tv->filter);
    tv->filter = str_empty(text) ? NULL : xstrdup(text);
    refilter(tv);
}

static void filter_changed(void *ud, app *a, const char *text)
{
    set_filter(ud, text);
    app_redraw_view(a, &((textview *)ud)->base);
}

static void filter_cancel(void *ud, app *a)
{
    filter_changed(ud, a, NULL);
}

static view_result copy_line(textview *tv, app *a)
{
    if (tv->nshown == 0)
        return VR_HANDLED;
    const tline *l = &tv->lines[tv->shown[tv->nav.cursor]];
    ht_error err;
    if (app_copy(a, l->text, &err) == HT_OK)
        app_message(a, MSG_INFO, "Copied: %s", l->text);
    else
        app_error(a, &err);
    return VR_HANDLED;
}

static view_result tv_action(view *v, app *a, const action_call *call)
{
    textview *tv = tv_of(v);
    bool changed;
    if (listnav_apply(&tv->nav, call->id, &changed))
        return changed ? VR_REDRAW : VR_HANDLED;
    switch (call->id) {
    case ACT_NEXT_MATCH:
    case ACT_PREV_MATCH: {
        action_call move = {call->id == ACT_NEXT_MATCH ? ACT_MOVE_DOWN : ACT_MOVE_UP, NULL};
        return tv_action(v, a, &move);
    }
    case ACT_FILTER:
        if (call->arg) {
            set_filter(tv, call->arg);
            return VR_REDRAW;
        }
        app_prompt(a, &(prompt_ops){.label = "/", .line = app_filter_line(a),
                                    .changed = filter_changed, .submit = filter_changed,
                                    .cancel = filter_cancel, .ud = tv, .owner = &tv->base},
                   tv->filter);
        return VR_HANDLED;
    case ACT_COPY:
        return copy_line(tv, a);
    default:
        return VR_UNHANDLED;
    }
}

static view_result tv_mouse(view *v, app *a, const mouse_event *ev)
{
    textview *tv = tv_of(v);
    listnav_set_cursor(&tv->nav, tv->nav.top + ev->y);
    return VR_REDRAW;
}

static void tv_resize(view *v, app *a, int rows, int cols)
{
    listnav_set_page(&tv_of(v)->nav, rows);
}

static void tv_close(view *v, app *a)
{
    textview *tv = tv_of(v);
    textview_clear(tv);
    free(tv->lines);
    free(tv->shown);
    free(tv->filter);
    free(tv->title);
    free((void *)v->ops);
    free(tv);
}

static const struct view_ops textview_ops = {
    .name = "text",
    .kind = VIEW_ABOUT,
    .draw = tv_draw,
    .title = tv_title,
    .action = tv_action,
    .mouse = tv_mouse,
    .resize = tv_resize,
    .close = tv_close,
};
