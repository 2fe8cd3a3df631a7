#include "help.h"
#include "draw.h"
#include "layout.h"
#include "listnav.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HELP_MAX_KEYS 6

static void push(help_lines *hl, help_line line)
{
    hl->v = xrealloc(hl->v, (hl->n + 1) * sizeof *hl->v);
    hl->v[hl->n++] = line;
}

static char *keys_text(const keymap *km, view_kind context, action_id act)
{
    key_code keys[HELP_MAX_KEYS];
    size_t n = keymap_keys_for(km, context, act, keys, HELP_MAX_KEYS);
    strbuf sb = {0};
    for (size_t i = 0; i < n && i < HELP_MAX_KEYS; i++) {
        char name[KEY_NAME_MAX];
        strbuf_printf(&sb, "%s%s", i ? " " : "", keymap_key_name(keys[i], name));
    }
    return strbuf_detach(&sb);
}

static bool entry_matches(const char *keys, const action_info *ai, const char *filter)
{
    return !filter || strcasestr(keys, filter) || strcasestr(ai->name, filter) ||
           strcasestr(ai->help, filter);
}

void help_build(const keymap *km, view_kind context, const char *filter, help_lines *out)
{
    memset(out, 0, sizeof *out);
    if (str_empty(filter))
        filter = NULL;
    out->intro = xasprintf("Keys in %s. Every action is also a command: type : and its name.",
                           view_kind_title(context));
    push(out, (help_line){.kind = HELP_INTRO, .name = out->intro, .keys = xstrdup("")});
    for (int g = 0; g < AG_COUNT; g++) {
        bool group_shown = false;
        for (int a = 1; a < ACTION_COUNT; a++) {
            const action_info *ai = action_get((action_id)a);
            if (ai->group != (action_group)g)
                continue;
            char *keys = keys_text(km, context, (action_id)a);
            if (!entry_matches(keys, ai, filter)) {
                free(keys);
                continue;
            }
            if (!group_shown) {
                push(out, (help_line){.kind = HELP_BLANK, .keys = xstrdup("")});
                push(out, (help_line){.kind = HELP_GROUP, .keys = xstrdup(""),
                                      .name = action_group_title((action_group)g)});
                group_shown = true;
            }
            push(out, (help_line){.kind = HELP_ENTRY, .keys = keys, .name = ai->name,
                                  .desc = ai->help, .action = (action_id)a,
                                  .applies = action_applies((action_id)a, context)});
        }
    }
}

void help_lines_free(help_lines *hl)
{
    for (size_t i = 0; i < hl->n; i++)
        free(hl->v[i].keys);
    free(hl->v);
    free(hl->intro);
    memset(hl, 0, sizeof *hl);
}

/* ---- The overlay ------------------------------------------------------ */

typedef struct help_view {
    view base;
    view_kind context;
    char *filter;
    help_lines lines;
    listnav nav;
    const keymap *km;
} help_view;

static help_view *hv_of(view *v)
{
    return (help_view *)v;
}

/* Rebuild the lines (after a filter change) with the cursor on the first
 * action, where Enter and y do something. */
static void rebuild(help_view *hv)
{
    help_lines_free(&hv->lines);
    help_build(hv->km, hv->context, hv->filter, &hv->lines);
    listnav_set_count(&hv->nav, (int64_t)hv->lines.n);
    hv->nav.top = 0;
    for (size_t i = 0; i < hv->lines.n; i++)
        if (hv->lines.v[i].kind == HELP_ENTRY) {
            listnav_set_cursor(&hv->nav, (int64_t)i);
            return;
        }
    listnav_set_cursor(&hv->nav, 0);
}

/* Keys, description, command name; the name goes first when narrow. */
static const col_spec help_cols[3] = {
    {.min = 5, .pref = 14, .max = 22, .priority = 3},
    {.min = 12, .pref = 44, .grow = 1, .priority = 2},
    {.min = 10, .pref = 15, .max = 16, .priority = 1},
};

static void draw_entry(help_view *hv, app *a, WINDOW *win, int y, int cols, const help_line *l,
                       bool cur, bool focused)
{
    unsigned flags = app_text_flags(a);
    int w[3];
    layout_columns(help_cols, 3, cols - 2, 2, w);
    attr_t cursor = app_attr(a, focused ? ROLE_CURSOR : ROLE_CURSOR_BLUR);
    theme_role desc_role = l->applies ? ROLE_HELP_DESC : ROLE_HINT;
    theme_role key_role = l->applies ? ROLE_HELP_KEY : ROLE_HINT;
    draw_fill(win, y, 0, cols, cur ? cursor : app_attr(a, ROLE_OVERLAY));
    int x = 1;
    const char *texts[3] = {l->keys, l->desc, l->name};
    theme_role roles[3] = {key_role, desc_role, ROLE_HINT};
    for (int c = 0; c < 3; c++) {
        if (w[c] <= 0)
            continue;
        x += draw_text(win, y, x, w[c], texts[c], cur ? cursor : app_attr(a, roles[c]),
                       TEXT_LEFT, flags) + 2;
    }
}

static void hv_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    help_view *hv = hv_of(v);
    listnav_set_page(&hv->nav, rows);
    unsigned flags = app_text_flags(a);
    for (int y = 0; y < rows && hv->nav.top + y < (int64_t)hv->lines.n; y++) {
        int64_t row = hv->nav.top + y;
        const help_line *l = &hv->lines.v[row];
        bool cur = row == hv->nav.cursor;
        switch (l->kind) {
        case HELP_ENTRY:
            draw_entry(hv, a, win, y, cols, l, cur, focused);
            break;
        case HELP_GROUP:
            draw_text(win, y, 1, cols - 2, l->name,
                      app_attr(a, cur ? ROLE_CURSOR : ROLE_HELP_GROUP), TEXT_LEFT, flags);
            break;
        case HELP_INTRO:
            draw_text(win, y, 1, cols - 2, l->name, app_attr(a, cur ? ROLE_CURSOR : ROLE_HINT),
                      TEXT_LEFT, flags);
            break;
        case HELP_BLANK:
            if (cur)
                draw_fill(win, y, 0, cols, app_attr(a, ROLE_CURSOR_BLUR));
            break;
        }
    }
    if (hv->lines.n <= 1 && rows > 2)
        draw_str(win, 2, 1, cols - 2, "No action matches the filter", app_attr(a, ROLE_HINT),
                 flags);
}

static void hv_title(view *v, app *a, strbuf *out)
{
    help_view *hv = hv_of(v);
    strbuf_puts(out, "Help");
    if (hv->filter)
        strbuf_printf(out, " [/%s]", hv->filter);
}

static void set_filter(help_view *hv, const char *text)
{
    free(hv->filter);
    hv->filter = str_empty(text) ? NULL : xstrdup(text);
    rebuild(hv);
}

static void filter_changed(void *ud, app *a, const char *text)
{
    set_filter(ud, text);
    app_redraw_view(a, &((help_view *)ud)->base);
}

static void filter_cancel(void *ud, app *a)
{
    filter_changed(ud, a, NULL);
}

static const help_line *selected(help_view *hv)
{
    if (hv->lines.n == 0)
        return NULL;
    const help_line *l = &hv->lines.v[hv->nav.cursor];
    return l->kind == HELP_ENTRY ? l : NULL;
}

/* Enter runs the selected action where help was opened from. */
static view_result run_selected(help_view *hv, app *a)
{
    const help_line *l = selected(hv);
    if (!l)
        return VR_HANDLED;
    action_call call = {l->action, NULL};
    app_close_overlay(a); /* frees hv: nothing of it is used below */
    app_run_action(a, &call);
    return VR_HANDLED;
}

static view_result copy_name(help_view *hv, app *a)
{
    const help_line *l = selected(hv);
    if (!l)
        return VR_HANDLED;
    ht_error err;
    if (app_copy(a, l->name, &err) == HT_OK)
        app_message(a, MSG_INFO, "Copied: %s", l->name);
    else
        app_error(a, &err);
    return VR_HANDLED;
}

static view_result hv_action(view *v, app *a, const action_call *call)
{
    help_view *hv = hv_of(v);
    bool changed;
    if (listnav_apply(&hv->nav, call->id, &changed))
        return changed ? VR_REDRAW : VR_HANDLED;
    switch (call->id) {
    case ACT_OPEN:
        return run_selected(hv, a);
    case ACT_COPY:
        return copy_name(hv, a);
    case ACT_FILTER:
        if (call->arg) {
            set_filter(hv, call->arg);
            return VR_REDRAW;
        }
        app_prompt(a, &(prompt_ops){.label = "/", .line = app_filter_line(a),
                                    .changed = filter_changed, .submit = filter_changed,
                                    .cancel = filter_cancel, .ud = hv, .owner = &hv->base},
                   hv->filter);
        return VR_HANDLED;
    case ACT_NEXT_MATCH:
    case ACT_PREV_MATCH: {
        action_call move = {call->id == ACT_NEXT_MATCH ? ACT_MOVE_DOWN : ACT_MOVE_UP, NULL};
        return hv_action(v, a, &move);
    }
    default:
        return VR_UNHANDLED;
    }
}

static view_result hv_mouse(view *v, app *a, const mouse_event *ev)
{
    help_view *hv = hv_of(v);
    listnav_set_cursor(&hv->nav, hv->nav.top + ev->y);
    if (ev->kind == MOUSE_DOUBLE_CLICK)
        return run_selected(hv, a);
    return VR_REDRAW;
}

static void hv_resize(view *v, app *a, int rows, int cols)
{
    listnav_set_page(&hv_of(v)->nav, rows);
}

static void hv_close(view *v, app *a)
{
    help_view *hv = hv_of(v);
    help_lines_free(&hv->lines);
    free(hv->filter);
    free(hv);
}

static const struct view_ops help_ops = {
    .name = "help",
    .kind = VIEW_HELP,
    .draw = hv_draw,
    .title = hv_title,
    .action = hv_action,
    .mouse = hv_mouse,
    .resize = hv_resize,
    .close = hv_close,
};

view *help_view_new(app *a, view_kind context)
{
    help_view *hv = xcalloc(1, sizeof *hv);
    hv->base.ops = &help_ops;
    hv->context = context;
    hv->km = app_keymap(a);
    rebuild(hv);
    return &hv->base;
}
