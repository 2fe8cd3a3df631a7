/* graphview.c — the association graph of a record. */
#include "graphview.h"

#include <stdlib.h>
#include <string.h>

#include "assocedit.h"
#include "draw.h"
#include "graphmodel.h"
#include "listnav.h"
#include "looks.h"
#include "picker.h"
#include "text.h"

typedef struct graphview {
    view base;
    browser *b;
    char *object;
    char id[32];
    graph g;
    bool ready;
    listnav nav;
    uint64_t seen_serial;
} graphview;

static graphview *gv(view *v)
{
    return (graphview *)v;
}

static ht_status load_assoc(void *ud, const char *object, const char *id, assoc_group **groups,
                            size_t *n, ht_error *err)
{
    graphview *g = ud;
    return records_associations(browser_store(g->b), object, id, groups, n, err);
}

static const gnode *cursor_node(const graphview *g)
{
    int node = graph_row_node(&g->g, (size_t)g->nav.cursor);
    return node >= 0 ? &g->g.nodes[node] : NULL;
}

/* ---- Drawing ------------------------------------------------------------------------ */

static void draw_node(graphview *g, app *a, WINDOW *win, int y, size_t row, int cols,
                      bool focused)
{
    unsigned flags = app_text_flags(a);
    bool ascii = flags & TEXT_ASCII;
    const gnode *nd = &g->g.nodes[g->g.rows[row]];
    bool cur = (int64_t)row == g->nav.cursor;
    attr_t curs = app_attr(a, focused ? ROLE_GRAPH_NODE_FOCUS : ROLE_CURSOR_BLUR);
    draw_fill(win, y, 0, cols, cur ? curs : app_attr(a, ROLE_DEFAULT));
    strbuf pre = {0};
    graph_row_prefix(&g->g, row, ascii, &pre);
    int x = 1 + draw_str(win, y, 1, cols - 2, strbuf_str(&pre), app_attr(a, ROLE_GRAPH_EDGE),
                         flags);
    strbuf_free(&pre);
    strbuf sb = {0};
    theme_role role;
    if (nd->kind == GN_GROUP) {
        strbuf_printf(&sb, "%s %s (%zu)",
                      nd->expanded ? (ascii ? "-" : "\xE2\x96\xBE") : (ascii ? "+" : "\xE2\x96\xB8"),
                      nd->name, nd->count);
        role = ROLE_GRAPH_LABEL;
    } else {
        bool can_expand = !nd->repeat && (nd->depth == 0 || nd->cached);
        const char *icon = !can_expand || nd->depth == 0
                               ? (ascii ? "*" : "\xE2\x97\x8F")
                               : nd->expanded ? (ascii ? "-" : "\xE2\x96\xBE")
                                              : (ascii ? "+" : "\xE2\x96\xB8");
        strbuf_printf(&sb, "%s %s", icon, nd->name);
        if (nd->depth == 0 || nd->repeat || !nd->cached)
            strbuf_printf(&sb, "  #%s", nd->id);
        if (nd->repeat)
            strbuf_puts(&sb, ascii ? "  (shown above)" : "  \xE2\x86\xA9 shown above");
        if (nd->pending == ASSOC_PENDING_ADD)
            strbuf_puts(&sb, "  (adding: push sends it)");
        else if (nd->pending == ASSOC_PENDING_REMOVE)
            strbuf_puts(&sb, "  (removing: push sends it)");
        role = nd->pending != ASSOC_STORED ? ROLE_SYNC_PENDING
               : nd->depth == 0            ? looks_object_role(nd->object)
                                           : ROLE_GRAPH_NODE;
    }
    draw_str(win, y, x, cols - x - 1, strbuf_str(&sb), cur ? curs : app_attr(a, role), flags);
    strbuf_free(&sb);
}

static void gv_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    graphview *g = gv(v);
    listnav_set_page(&g->nav, rows);
    for (int y = 0; y < rows && g->nav.top + y < (int64_t)g->g.nrows; y++)
        draw_node(g, a, win, y, (size_t)(g->nav.top + y), cols, focused);
    if (g->g.nrows == 1 && rows > 1)
        draw_str(win, 1, 4, cols - 5, "No associations in the cache (+ adds one)",
                 app_attr(a, ROLE_HINT), app_text_flags(a));
}

static void gv_title(view *v, app *a, strbuf *out)
{
    graphview *g = gv(v);
    strbuf_printf(out, "Associations of %s", g->ready ? g->g.nodes[0].name : g->id);
}

/* ---- Actions ------------------------------------------------------------------------------ */

static void sync_nav(graphview *g)
{
    listnav_set_count(&g->nav, (int64_t)g->g.nrows);
}

static view_result expand(graphview *g, app *a)
{
    int node = graph_row_node(&g->g, (size_t)g->nav.cursor);
    if (node < 0)
        return VR_HANDLED;
    const gnode *nd = &g->g.nodes[node];
    if (nd->kind == GN_RECORD && !nd->cached && nd->depth > 0) {
        app_message(a, MSG_INFO, "%s is not in the cache (sync its type to go further)",
                    nd->name);
        return VR_HANDLED;
    }
    if (nd->expanded) {
        /* Already open: step into it. */
        if (nd->nkids)
            listnav_set_cursor(&g->nav, g->nav.cursor + 1);
        return VR_REDRAW;
    }
    ht_error err;
    if (graph_expand(&g->g, node, &err) != HT_OK)
        app_message(a, MSG_INFO, "%s", err.message);
    sync_nav(g);
    return VR_REDRAW;
}

static view_result collapse(graphview *g)
{
    int node = graph_row_node(&g->g, (size_t)g->nav.cursor);
    if (node < 0)
        return VR_HANDLED;
    const gnode *nd = &g->g.nodes[node];
    if (nd->expanded && nd->depth > 0) {
        graph_collapse(&g->g, node);
    } else {
        listnav_set_cursor(&g->nav, graph_parent_row(&g->g, (size_t)g->nav.cursor));
    }
    sync_nav(g);
    return VR_REDRAW;
}

static view_result open_node(graphview *g, app *a)
{
    const gnode *nd = cursor_node(g);
    if (!nd)
        return VR_HANDLED;
    if (nd->kind == GN_GROUP) {
        int node = graph_row_node(&g->g, (size_t)g->nav.cursor);
        if (nd->expanded)
            graph_collapse(&g->g, node);
        else
            graph_expand(&g->g, node, NULL);
        sync_nav(g);
        return VR_REDRAW;
    }
    if (!nd->cached && nd->depth > 0) {
        app_message(a, MSG_INFO, "%s is not in the cache yet", nd->name);
        return VR_HANDLED;
    }
    browser_open_record(g->b, nd->object, nd->id);
    return VR_HANDLED;
}

/* The record a `+` on the cursor adds to: the selected record, or the one
 * a group belongs to. */
static const gnode *record_for(const graphview *g, const gnode *nd)
{
    while (nd && nd->kind != GN_RECORD)
        nd = nd->parent >= 0 ? &g->g.nodes[nd->parent] : NULL;
    return nd;
}

static view_result associate(graphview *g, app *a, const char *type)
{
    const gnode *nd = record_for(g, cursor_node(g));
    if (!nd)
        return VR_HANDLED;
    /* Adding into a group means adding a record of that group's type. */
    const gnode *cur = cursor_node(g);
    if (!type && cur && cur->kind == GN_GROUP)
        type = cur->object;
    assoc_add(g->b, nd->object, nd->id, type);
    return VR_HANDLED;
}

static view_result dissociate(graphview *g, app *a)
{
    const gnode *nd = cursor_node(g);
    if (!nd || nd->kind != GN_RECORD || nd->depth == 0) {
        app_message(a, MSG_INFO, "Select an associated record to remove its association");
        return VR_HANDLED;
    }
    const gnode *grp = &g->g.nodes[nd->parent];
    const gnode *from = &g->g.nodes[grp->parent];
    assoc_remove(g->b, from->object, from->id, nd->object, nd->id, nd->name, nd->type_id,
                 nd->category, grp->label);
    return VR_HANDLED;
}

static view_result gv_action(view *v, app *a, const action_call *call)
{
    graphview *g = gv(v);
    bool changed;
    if (listnav_apply(&g->nav, call->id, &changed))
        return changed ? VR_REDRAW : VR_HANDLED;
    switch (call->id) {
    case ACT_MOVE_RIGHT:
        return expand(g, a);
    case ACT_MOVE_LEFT:
        return collapse(g);
    case ACT_OPEN:
        return open_node(g, a);
    case ACT_GRAPH: {
        const gnode *nd = cursor_node(g);
        if (nd && nd->kind == GN_RECORD && nd->depth > 0 && nd->cached)
            browser_open_graph(g->b, nd->object, nd->id);
        return VR_HANDLED;
    }
    case ACT_ASSOCIATE:
        return associate(g, a, call->arg);
    case ACT_DISSOCIATE:
        return dissociate(g, a);
    case ACT_EDIT: {
        const gnode *nd = record_for(g, cursor_node(g));
        if (nd && (nd->cached || nd->depth == 0))
            browser_open_record(g->b, nd->object, nd->id);
        return VR_HANDLED;
    }
    case ACT_COPY: {
        const gnode *nd = cursor_node(g);
        ht_error err;
        if (nd && app_copy(a, nd->name, &err) == HT_OK)
            app_message(a, MSG_INFO, "Copied: %s", nd->name);
        return VR_HANDLED;
    }
    case ACT_REFRESH: {
        ht_error err;
        if (graph_reload(&g->g, &err) != HT_OK)
            app_error(a, &err);
        sync_nav(g);
        return VR_REDRAW;
    }
    default:
        return VR_UNHANDLED;
    }
}

static view_result gv_mouse(view *v, app *a, const mouse_event *ev)
{
    graphview *g = gv(v);
    int64_t row = g->nav.top + ev->y;
    if (row >= (int64_t)g->g.nrows)
        return VR_HANDLED;
    listnav_set_cursor(&g->nav, row);
    if (ev->kind == MOUSE_DOUBLE_CLICK)
        return open_node(g, a);
    return VR_REDRAW;
}

static void gv_resize(view *v, app *a, int rows, int cols)
{
    listnav_set_page(&gv(v)->nav, rows);
}

static view_result gv_tick(view *v, app *a, int64_t now)
{
    graphview *g = gv(v);
    if (browser_serial(g->b) == g->seen_serial)
        return VR_UNHANDLED;
    g->seen_serial = browser_serial(g->b);
    ht_error err;
    int64_t cursor = g->nav.cursor;
    graph_reload(&g->g, &err);
    sync_nav(g);
    listnav_set_cursor(&g->nav, cursor);
    return VR_REDRAW;
}

static bool gv_open(view *v, app *a, ht_error *err)
{
    graphview *g = gv(v);
    char *name = records_display_name(browser_store(g->b), g->object, g->id);
    ht_status s = graph_init(&g->g, g->object, g->id, name, load_assoc, g, err);
    free(name);
    g->ready = true;
    g->seen_serial = browser_serial(g->b);
    sync_nav(g);
    if (s != HT_OK)
        app_error(a, err);
    if (g->g.nrows > 1)
        listnav_set_cursor(&g->nav, 1);
    return true;
}

static void gv_close(view *v, app *a)
{
    graphview *g = gv(v);
    if (g->ready)
        graph_free(&g->g);
    free(g->object);
    free(g);
}

static const struct view_ops graphview_ops = {
    .name = "graph",
    .kind = VIEW_GRAPH,
    .open = gv_open,
    .draw = gv_draw,
    .title = gv_title,
    .action = gv_action,
    .mouse = gv_mouse,
    .resize = gv_resize,
    .tick = gv_tick,
    .close = gv_close,
};

view *graphview_new(browser *b, const char *object, const char *id)
{
    graphview *g = xcalloc(1, sizeof *g);
    g->base.ops = &graphview_ops;
    g->b = b;
    g->object = xstrdup(object);
    snprintf(g->id, sizeof g->id, "%s", id);
    return &g->base;
}
