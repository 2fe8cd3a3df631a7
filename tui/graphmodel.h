/* graphmodel.h — the association graph as an expandable tree.
 *
 * The current record sits at the root; under it its associated records,
 * grouped by object type and association label ("Companies · Primary
 * company", "Deals"). Any associated record can be expanded in turn to show
 * its own associations, level by level (contact → company → its deals →
 * a deal's tickets). Groups start expanded, records collapsed. A record
 * that already appears on the path above it (the contact under its own
 * company) is marked as a repeat and does not expand again, so walking in
 * circles is impossible.
 *
 * Associations are loaded through a callback when a record is first
 * expanded (records_associations in the browser, a table in the tests);
 * the model itself is pure: what is visible, in which order, with which
 * tree prefix. */
#ifndef HUBTUI_GRAPHMODEL_H
#define HUBTUI_GRAPHMODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "records.h"
#include "util.h"

typedef enum gnode_kind { GN_RECORD, GN_GROUP } gnode_kind;

typedef struct gnode {
    gnode_kind kind;
    int depth;
    int parent;          /* -1 for the root */
    char *object;        /* record: its type; group: the associated type */
    char id[32];         /* records */
    char *name;          /* record: display name; group: "Companies · Primary company" */
    char *label;         /* group: association label, NULL when unlabeled */
    size_t count;        /* group: its records */
    bool expanded;
    bool loaded;         /* record: associations read */
    bool repeat;         /* record: shown above already; never expands */
    bool cached;         /* record: in the cache (else only its id is known) */
    int type_id;         /* record: the association type linking it to its parent */
    char *category;
    assoc_pending pending;
    int64_t qid;
    int *kids;
    size_t nkids;
} gnode;

/* Load the associations of a record (assoc_groups_free frees them). */
typedef ht_status (*graph_load_fn)(void *ud, const char *object, const char *id,
                                   assoc_group **groups, size_t *n, ht_error *err);

typedef struct graph {
    gnode *nodes;
    size_t n, cap;
    int *rows;           /* visible nodes in display order */
    size_t nrows;
    graph_load_fn load;
    void *ud;
} graph;

/* A graph rooted at a record, expanded one level. The load error, if any,
 * is returned; the graph is usable either way (just the root). */
ht_status graph_init(graph *g, const char *object, const char *id, const char *name,
                     graph_load_fn load, void *ud, ht_error *err);
void graph_free(graph *g);

/* Expand a node (a record loads its associations the first time). Repeats
 * return HT_INVALID with a message. */
ht_status graph_expand(graph *g, int node, ht_error *err);
void graph_collapse(graph *g, int node);
/* The node of visible row r, or -1. */
int graph_row_node(const graph *g, size_t r);
/* The visible row of a node, or -1 when hidden under a collapsed parent. */
int graph_node_row(const graph *g, int node);
/* The row to go to with "left" on row r: the parent's row (or r). */
int graph_parent_row(const graph *g, size_t r);
/* Read everything again (after edits), keeping what was expanded. */
ht_status graph_reload(graph *g, ht_error *err);
/* The tree drawing in front of row r: "├─ ", "│  └─ " (ASCII: "|- ", "`- "). */
void graph_row_prefix(const graph *g, size_t r, bool ascii, strbuf *out);

#endif
