/* graphmodel.c — the association graph as an expandable tree. */
#include "graphmodel.h"

#include <stdlib.h>
#include <string.h>

static int add_node(graph *g, gnode_kind kind, int parent)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 32;
        g->nodes = xrealloc(g->nodes, g->cap * sizeof *g->nodes);
    }
    int i = (int)g->n++;
    gnode *nd = &g->nodes[i];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->parent = parent;
    nd->depth = parent < 0 ? 0 : g->nodes[parent].depth + 1;
    if (parent >= 0) {
        gnode *p = &g->nodes[parent];
        p->kids = xrealloc(p->kids, (p->nkids + 1) * sizeof *p->kids);
        p->kids[p->nkids++] = i;
    }
    return i;
}

static void free_nodes(graph *g)
{
    for (size_t i = 0; i < g->n; i++) {
        gnode *nd = &g->nodes[i];
        free(nd->object);
        free(nd->name);
        free(nd->label);
        free(nd->category);
        free(nd->kids);
    }
    free(g->nodes);
    g->nodes = NULL;
    g->n = g->cap = 0;
}

static void flatten_from(graph *g, int node, size_t *cap)
{
    if (g->nrows == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        g->rows = xrealloc(g->rows, *cap * sizeof *g->rows);
    }
    g->rows[g->nrows++] = node;
    const gnode *nd = &g->nodes[node];
    if (!nd->expanded)
        return;
    for (size_t k = 0; k < nd->nkids; k++)
        flatten_from(g, nd->kids[k], cap);
}

static void flatten(graph *g)
{
    g->nrows = 0;
    size_t cap = 0;
    free(g->rows);
    g->rows = NULL;
    if (g->n)
        flatten_from(g, 0, &cap);
}

/* Is (object, id) a record on the path from node up to the root? */
static bool on_path(const graph *g, int node, const char *object, const char *id)
{
    for (int i = node; i >= 0; i = g->nodes[i].parent) {
        const gnode *nd = &g->nodes[i];
        if (nd->kind == GN_RECORD && strcmp(nd->id, id) == 0 && strcmp(nd->object, object) == 0)
            return true;
    }
    return false;
}

static char *group_title(const assoc_group *grp)
{
    const char *type = grp->to_label ? grp->to_label : grp->to_object;
    return grp->label ? xasprintf("%s \xC2\xB7 %s", type, grp->label) : xstrdup(type);
}

static void add_groups(graph *g, int node, const assoc_group *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const assoc_group *grp = &groups[i];
        int gi = add_node(g, GN_GROUP, node);
        g->nodes[gi].object = xstrdup(grp->to_object);
        g->nodes[gi].name = group_title(grp);
        g->nodes[gi].label = grp->label ? xstrdup(grp->label) : NULL;
        g->nodes[gi].count = grp->nitems;
        g->nodes[gi].expanded = true;
        for (size_t k = 0; k < grp->nitems; k++) {
            const assoc_item *it = &grp->items[k];
            int ri = add_node(g, GN_RECORD, gi);
            gnode *r = &g->nodes[ri];
            r->object = xstrdup(grp->to_object);
            snprintf(r->id, sizeof r->id, "%s", it->id);
            r->name = xstrdup(it->display_name ? it->display_name : it->id);
            r->cached = it->cached;
            r->type_id = it->type_id;
            r->category = it->category ? xstrdup(it->category) : NULL;
            r->pending = it->pending;
            r->qid = it->qid;
            r->repeat = on_path(g, gi, r->object, r->id);
        }
    }
}

static ht_status load_node(graph *g, int node, ht_error *err)
{
    gnode *nd = &g->nodes[node];
    if (nd->loaded)
        return HT_OK;
    assoc_group *groups = NULL;
    size_t n = 0;
    char *object = xstrdup(nd->object);
    char id[32];
    snprintf(id, sizeof id, "%s", nd->id);
    ht_status s = g->load(g->ud, object, id, &groups, &n, err);
    free(object);
    if (s != HT_OK)
        return s;
    g->nodes[node].loaded = true; /* nodes may have moved: index again */
    add_groups(g, node, groups, n);
    assoc_groups_free(groups, n);
    return HT_OK;
}

ht_status graph_init(graph *g, const char *object, const char *id, const char *name,
                     graph_load_fn load, void *ud, ht_error *err)
{
    memset(g, 0, sizeof *g);
    g->load = load;
    g->ud = ud;
    int root = add_node(g, GN_RECORD, -1);
    g->nodes[root].object = xstrdup(object);
    snprintf(g->nodes[root].id, sizeof g->nodes[root].id, "%s", id);
    g->nodes[root].name = xstrdup(name ? name : id);
    g->nodes[root].cached = true;
    ht_status s = graph_expand(g, root, err);
    flatten(g);
    return s;
}

void graph_free(graph *g)
{
    free_nodes(g);
    free(g->rows);
    memset(g, 0, sizeof *g);
}

ht_status graph_expand(graph *g, int node, ht_error *err)
{
    if (node < 0 || (size_t)node >= g->n)
        return HT_OK;
    gnode *nd = &g->nodes[node];
    if (nd->kind == GN_RECORD && nd->repeat)
        return ht_error_set(err, HT_INVALID, "%s is already shown above", nd->name);
    if (nd->kind == GN_RECORD) {
        ht_status s = load_node(g, node, err);
        if (s != HT_OK)
            return s;
    }
    g->nodes[node].expanded = true;
    flatten(g);
    return HT_OK;
}

void graph_collapse(graph *g, int node)
{
    if (node < 0 || (size_t)node >= g->n)
        return;
    g->nodes[node].expanded = false;
    flatten(g);
}

int graph_row_node(const graph *g, size_t r)
{
    return r < g->nrows ? g->rows[r] : -1;
}

int graph_node_row(const graph *g, int node)
{
    for (size_t r = 0; r < g->nrows; r++)
        if (g->rows[r] == node)
            return (int)r;
    return -1;
}

int graph_parent_row(const graph *g, size_t r)
{
    int node = graph_row_node(g, r);
    if (node < 0 || g->nodes[node].parent < 0)
        return (int)r;
    int row = graph_node_row(g, g->nodes[node].parent);
    return row < 0 ? (int)r : row;
}

/* What was open, by path: "contacts:51/companies:Primary company/companies:7". */
typedef struct open_set {
    char **keys;
    bool *expanded;
    size_t n;
} open_set;

static void node_path(const graph *g, int node, strbuf *out)
{
    if (node < 0)
        return;
    node_path(g, g->nodes[node].parent, out);
    const gnode *nd = &g->nodes[node];
    if (out->len)
        strbuf_putc(out, '/');
    strbuf_printf(out, "%c%s:%s", nd->kind == GN_RECORD ? 'r' : 'g', nd->object,
                  nd->kind == GN_RECORD ? nd->id : nd->label ? nd->label : "");
}

static void remember(const graph *g, open_set *os)
{
    os->keys = xcalloc(g->n + 1, sizeof *os->keys);
    os->expanded = xcalloc(g->n + 1, sizeof *os->expanded);
    for (size_t i = 0; i < g->n; i++) {
        const gnode *nd = &g->nodes[i];
        /* Groups start expanded, records collapsed: keep the exceptions. */
        bool differs = nd->kind == GN_GROUP ? !nd->expanded : nd->expanded;
        if (!differs || i == 0)
            continue;
        strbuf sb = {0};
        node_path(g, (int)i, &sb);
        os->keys[os->n] = strbuf_detach(&sb);
        os->expanded[os->n++] = nd->expanded;
    }
}

static int find_key(const open_set *os, const char *key)
{
    for (size_t i = 0; i < os->n; i++)
        if (strcmp(os->keys[i], key) == 0)
            return (int)i;
    return -1;
}

static void restore(graph *g, int node, const open_set *os)
{
    for (size_t k = 0; k < g->nodes[node].nkids; k++) {
        int kid = g->nodes[node].kids[k];
        strbuf sb = {0};
        node_path(g, kid, &sb);
        int at = find_key(os, strbuf_str(&sb));
        strbuf_free(&sb);
        if (at >= 0 && g->nodes[kid].kind == GN_GROUP)
            g->nodes[kid].expanded = os->expanded[at];
        if (at >= 0 && g->nodes[kid].kind == GN_RECORD && os->expanded[at] &&
            load_node(g, kid, NULL) == HT_OK)
            g->nodes[kid].expanded = true;
        restore(g, kid, os);
    }
}

ht_status graph_reload(graph *g, ht_error *err)
{
    open_set os = {0};
    remember(g, &os);
    char *object = xstrdup(g->nodes[0].object), *name = xstrdup(g->nodes[0].name);
    char id[32];
    snprintf(id, sizeof id, "%s", g->nodes[0].id);
    graph_load_fn load = g->load;
    void *ud = g->ud;
    graph_free(g);
    ht_status s = graph_init(g, object, id, name, load, ud, err);
    if (s == HT_OK) {
        restore(g, 0, &os);
        flatten(g);
    }
    for (size_t i = 0; i < os.n; i++)
        free(os.keys[i]);
    free(os.keys);
    free(os.expanded);
    free(object);
    free(name);
    return s;
}

static bool is_last_kid(const graph *g, int node)
{
    int p = g->nodes[node].parent;
    return p < 0 || g->nodes[p].kids[g->nodes[p].nkids - 1] == node;
}

static void prefix_of(const graph *g, int node, bool ascii, strbuf *out, bool self)
{
    int p = g->nodes[node].parent;
    if (p < 0)
        return;
    prefix_of(g, p, ascii, out, false);
    bool last = is_last_kid(g, node);
    if (self)
        strbuf_puts(out, ascii ? (last ? "`- " : "|- ")
                               : (last ? "\xE2\x94\x94\xE2\x94\x80 " : "\xE2\x94\x9C\xE2\x94\x80 "));
    else
        strbuf_puts(out, last ? "   " : ascii ? "|  " : "\xE2\x94\x82  ");
}

void graph_row_prefix(const graph *g, size_t r, bool ascii, strbuf *out)
{
    int node = graph_row_node(g, r);
    if (node >= 0)
        prefix_of(g, node, ascii, out, true);
}
