/* picker.c — choose one item, or several, from a list in an overlay. */
#include "picker.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draw.h"
#include "listnav.h"
#include "text.h"

typedef struct pitem {
    char *label, *detail, *value;
    bool checked;
} pitem;

struct picker {
    view base;
    struct view_ops ops; /* a copy: the kind differs per picker */
    picker_opts o;
    char *title, *intro;
    pitem *items;
    size_t n, cap;
    size_t *shown; /* items passing the filter */
    size_t nshown;
    char *filter;
    listnav nav;
    bool finished; /* done ran: closing must not cancel */
    int intro_rows;
};

static picker *pk(view *v)
{
    return (picker *)v;
}

static void refilter(picker *p)
{
    p->shown = xrealloc(p->shown, (p->n + 1) * sizeof *p->shown);
    p->nshown = 0;
    for (size_t i = 0; i < p->n; i++) {
        const pitem *it = &p->items[i];
        if (!p->filter || strcasestr(it->label, p->filter) ||
            (it->detail && strcasestr(it->detail, p->filter)))
            p->shown[p->nshown++] = i;
    }
    listnav_set_count(&p->nav, (int64_t)p->nshown);
}

void picker_add(picker *p, const char *label, const char *detail, const char *value,
                bool checked)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->items = xrealloc(p->items, p->cap * sizeof *p->items);
    }
    p->items[p->n++] = (pitem){xstrdup(label ? label : ""), detail ? xstrdup(detail) : NULL,
                               value ? xstrdup(value) : NULL, checked};
    refilter(p);
}

void picker_select(picker *p, size_t i)
{
    for (size_t k = 0; k < p->nshown; k++)
        if (p->shown[k] == i)
            listnav_set_cursor(&p->nav, (int64_t)k);
}

size_t picker_count(const picker *p)
{
    return p->n;
}

view *picker_view(picker *p)
{
    return &p->base;
}

void picker_open(picker *p, app *a)
{
    app_open_overlay(a, &p->base); /* a refusing open closes it: cancel runs */
}

/* ---- Drawing ------------------------------------------------------------------ */

/* Word-wrap the intro into lines of at most width columns. */
static int draw_intro(picker *p, app *a, WINDOW *win, int width, bool draw)
{
    if (!p->intro || width < 8)
        return 0;
    unsigned flags = app_text_flags(a);
    int y = 0;
    const char *s = p->intro;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t para = nl ? (size_t)(nl - s) : strlen(s);
        char *line = xstrndup(s, para);
        const char *q = line;
        do {
            /* The longest run of words that fits. */
            size_t fit = 0, at = 0, len = strlen(q);
            while (at < len) {
                size_t next = at;
                while (next < len && q[next] != ' ')
                    next++;
                if (text_width_n(q, next, flags) > width - 2)
                    break;
                fit = next;
                at = next + 1;
            }
            if (fit == 0) /* one long word: cut it */
                fit = len < (size_t)width - 2 ? len : (size_t)width - 2;
            if (draw) {
                char *piece = xstrndup(q, fit);
                draw_str(win, y, 1, width - 2, piece, app_attr(a, ROLE_OVERLAY), flags);
                free(piece);
            }
            y++;
            q += fit;
            while (*q == ' ')
                q++;
        } while (*q);
        free(line);
        s += para + (nl ? 1 : 0);
    }
    return y + 1; /* a blank line before the items */
}

static void pk_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    picker *p = pk(v);
    unsigned flags = app_text_flags(a);
    int top = draw_intro(p, a, win, cols, true);
    if (top > rows - 1)
        top = rows - 1;
    p->intro_rows = top;
    listnav_set_page(&p->nav, rows - top > 0 ? rows - top : 1);
    for (int y = 0; y + top < rows && p->nav.top + y < (int64_t)p->nshown; y++) {
        int64_t row = p->nav.top + y;
        const pitem *it = &p->items[p->shown[row]];
        bool cur = row == p->nav.cursor;
        attr_t base = app_attr(a, cur ? ROLE_CURSOR : ROLE_OVERLAY);
        draw_fill(win, top + y, 0, cols, base);
        int x = 1;
        if (p->o.multi)
            x += draw_str(win, top + y, x, cols - x, it->checked ? "[x] " : "[ ] ",
                          it->checked && !cur ? app_attr(a, ROLE_ROW_MARKED) : base, flags);
        int detail_w = it->detail ? text_width(it->detail, flags) : 0;
        if (detail_w > (cols - x) / 2)
            detail_w = (cols - x) / 2;
        draw_text(win, top + y, x, cols - x - 1 - (detail_w ? detail_w + 1 : 0), it->label,
                  base, TEXT_LEFT, flags);
        if (detail_w)
            draw_text(win, top + y, cols - 1 - detail_w, detail_w, it->detail,
                      cur ? base : app_attr(a, ROLE_HINT), TEXT_RIGHT, flags);
    }
    if (p->nshown == 0 && top < rows)
        draw_str(win, top, 1, cols - 2, p->filter ? "Nothing matches the filter" : "(nothing)",
                 app_attr(a, ROLE_HINT), flags);
}

static void pk_title(view *v, app *a, strbuf *out)
{
    picker *p = pk(v);
    strbuf_puts(out, p->title);
    if (p->filter)
        strbuf_printf(out, " [/%s]", p->filter);
}

/* ---- Choosing -------------------------------------------------------------------- */

static void result_free(picker_result *r)
{
    for (size_t i = 0; i < r->nchecked; i++)
        free(r->checked[i]);
    free(r->checked);
    for (size_t i = 0; i < r->norder; i++)
        free(r->order[i]);
    free(r->order);
    free((char *)r->value);
}

static void build_result(const picker *p, picker_result *r)
{
    memset(r, 0, sizeof *r);
    r->index = p->nshown ? (int)p->shown[p->nav.cursor] : -1;
    r->value = r->index >= 0 && p->items[r->index].value ? xstrdup(p->items[r->index].value)
                                                          : NULL;
    r->checked = xcalloc(p->n + 1, sizeof *r->checked);
    r->order = xcalloc(p->n + 1, sizeof *r->order);
    for (size_t i = 0; i < p->n; i++) {
        const char *val = p->items[i].value ? p->items[i].value : p->items[i].label;
        if (p->items[i].checked)
            r->checked[r->nchecked++] = xstrdup(val);
        r->order[r->norder++] = xstrdup(val);
    }
}

static view_result choose(picker *p, app *a)
{
    if (!p->o.multi && p->nshown == 0)
        return VR_HANDLED;
    picker_result r;
    build_result(p, &r);
    void (*done)(void *, app *, const picker_result *) = p->o.done;
    void *ud = p->o.ud;
    p->finished = true;
    app_close_overlay(a); /* frees p */
    if (done)
        done(ud, a, &r);
    result_free(&r);
    return VR_HANDLED;
}

static view_result toggle(picker *p)
{
    if (!p->o.multi || p->nshown == 0)
        return VR_HANDLED;
    pitem *it = &p->items[p->shown[p->nav.cursor]];
    it->checked = !it->checked;
    bool changed;
    listnav_apply(&p->nav, ACT_MOVE_DOWN, &changed);
    return VR_REDRAW;
}

static view_result move_item(picker *p, int dir)
{
    if (!p->o.reorder || p->filter || p->nshown < 2)
        return VR_HANDLED;
    int64_t at = p->nav.cursor, to = at + dir;
    if (to < 0 || to >= (int64_t)p->n)
        return VR_HANDLED;
    pitem tmp = p->items[at];
    p->items[at] = p->items[to];
    p->items[to] = tmp;
    listnav_set_cursor(&p->nav, to);
    return VR_REDRAW;
}

static void set_filter(picker *p, const char *text)
{
    free(p->filter);
    p->filter = str_empty(text) ? NULL : xstrdup(text);
    refilter(p);
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

static view_result pk_action(view *v, app *a, const action_call *call)
{
    picker *p = pk(v);
    bool changed;
    if (listnav_apply(&p->nav, call->id, &changed))
        return changed ? VR_REDRAW : VR_HANDLED;
    switch (call->id) {
    case ACT_OPEN:
        return choose(p, a);
    case ACT_MARK:
        return toggle(p);
    case ACT_MOVE_ITEM_UP:
        return move_item(p, -1);
    case ACT_MOVE_ITEM_DOWN:
        return move_item(p, 1);
    case ACT_FILTER:
        if (call->arg) {
            set_filter(p, call->arg);
            return VR_REDRAW;
        }
        app_prompt(a, &(prompt_ops){.label = "/", .line = app_filter_line(a),
                                    .changed = filter_changed, .submit = filter_changed,
                                    .cancel = filter_cancel, .ud = p, .owner = &p->base},
                   p->filter);
        return VR_HANDLED;
    case ACT_NEXT_MATCH:
    case ACT_PREV_MATCH:
        listnav_apply(&p->nav, call->id == ACT_NEXT_MATCH ? ACT_MOVE_DOWN : ACT_MOVE_UP,
                      &changed);
        return VR_REDRAW;
    default:
        return VR_UNHANDLED;
    }
}

static view_result pk_mouse(view *v, app *a, const mouse_event *ev)
{
    picker *p = pk(v);
    int64_t row = p->nav.top + ev->y - p->intro_rows;
    if (ev->y < p->intro_rows || row >= (int64_t)p->nshown)
        return VR_HANDLED;
    listnav_set_cursor(&p->nav, row);
    if (ev->kind == MOUSE_DOUBLE_CLICK)
        return p->o.multi ? toggle(p) : choose(p, a);
    return VR_REDRAW;
}

static void pk_resize(view *v, app *a, int rows, int cols)
{
    picker *p = pk(v);
    listnav_set_page(&p->nav, rows - p->intro_rows > 0 ? rows - p->intro_rows : 1);
}

static void pk_close(view *v, app *a)
{
    picker *p = pk(v);
    if (!p->finished && p->o.cancel)
        p->o.cancel(p->o.ud, a);
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].label);
        free(p->items[i].detail);
        free(p->items[i].value);
    }
    free(p->items);
    free(p->shown);
    free(p->filter);
    free(p->title);
    free(p->intro);
    free(p);
}

static const struct view_ops picker_ops = {
    .name = "picker",
    .kind = VIEW_PICKER,
    .draw = pk_draw,
    .title = pk_title,
    .action = pk_action,
    .mouse = pk_mouse,
    .resize = pk_resize,
    .close = pk_close,
};

picker *picker_new(const picker_opts *o)
{
    picker *p = xcalloc(1, sizeof *p);
    p->o = *o;
    p->title = xstrdup(o->title ? o->title : "Choose");
    p->intro = o->intro ? xstrdup(o->intro) : NULL;
    p->o.title = p->title;
    p->o.intro = p->intro;
    p->ops = picker_ops;
    if (o->kind != VIEW_GLOBAL)
        p->ops.kind = o->kind;
    p->base.ops = &p->ops;
    refilter(p);
    return p;
}
