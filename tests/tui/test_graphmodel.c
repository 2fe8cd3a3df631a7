/* Unit tests for tui/graphmodel: the association tree (contact → company
 * → deals → tickets) expanded level by level from a table of links, with
 * repeats stopped, collapse, parents, tree prefixes and reloads that keep
 * what was open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphmodel.h"

typedef struct link {
    const char *from_obj, *from_id, *to_obj, *to_label, *label, *to_id, *name;
} link;

/* Contact 1 works at company 10 (primary); company 10 has contacts 1 and
 * 2 and deal 100; deal 100 has ticket 1000. */
static const link links[] = {
    {"contacts", "1", "companies", "Companies", "Primary", "10", "Acme"},
    {"companies", "10", "contacts", "Contacts", NULL, "1", "Ann Lee"},
    {"companies", "10", "contacts", "Contacts", NULL, "2", "Bob Roy"},
    {"companies", "10", "deals", "Deals", NULL, "100", "Acme renewal"},
    {"deals", "100", "tickets", "Tickets", NULL, "1000", "Broken login"},
    {"deals", "100", "companies", "Companies", NULL, "10", "Acme"},
};

static int loads;

static ht_status load(void *ud, const char *object, const char *id, assoc_group **out,
                      size_t *n, ht_error *err)
{
    loads++;
    assoc_group *g = calloc(8, sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        const link *l = &links[i];
        if (strcmp(l->from_obj, object) || strcmp(l->from_id, id))
            continue;
        size_t k = 0;
        while (k < ng && (strcmp(g[k].to_object, l->to_obj) || str_cmp0(g[k].label, l->label)))
            k++;
        if (k == ng) {
            g[k].to_object = xstrdup(l->to_obj);
            g[k].to_label = xstrdup(l->to_label);
            g[k].label = l->label ? xstrdup(l->label) : NULL;
            ng++;
        }
        g[k].items = realloc(g[k].items, (g[k].nitems + 1) * sizeof *g[k].items);
        assoc_item *it = &g[k].items[g[k].nitems++];
        memset(it, 0, sizeof *it);
        snprintf(it->id, sizeof it->id, "%s", l->to_id);
        it->display_name = xstrdup(l->name);
        it->cached = true;
        it->type_id = 1;
    }
    *out = g;
    *n = ng;
    return HT_OK;
}

static const gnode *row(const graph *g, size_t r)
{
    int node = graph_row_node(g, r);
    assert_true(node >= 0);
    return &g->nodes[node];
}

static void test_levels(void **state)
{
    graph g;
    loads = 0;
    assert_int_equal(graph_init(&g, "contacts", "1", "Ann Lee", load, NULL, NULL), HT_OK);
    /* Ann → "Companies · Primary" → Acme (collapsed). */
    assert_int_equal(g.nrows, 3);
    assert_string_equal(row(&g, 1)->name, "Companies \xC2\xB7 Primary");
    assert_int_equal(row(&g, 1)->count, 1);
    assert_string_equal(row(&g, 2)->name, "Acme");
    assert_false(row(&g, 2)->expanded);

    /* Expand Acme: its contacts (Ann is a repeat) and its deal. */
    assert_int_equal(graph_expand(&g, graph_row_node(&g, 2), NULL), HT_OK);
    assert_int_equal(g.nrows, 3 + 5); /* Contacts: Ann, Bob; Deals: one */
    assert_string_equal(row(&g, 3)->name, "Contacts");
    assert_true(row(&g, 4)->repeat);          /* Ann Lee is the root */
    assert_false(row(&g, 5)->repeat);         /* Bob Roy */
    assert_string_equal(row(&g, 7)->name, "Acme renewal");
    ht_error err;
    assert_int_equal(graph_expand(&g, graph_row_node(&g, 4), &err), HT_INVALID);
    assert_non_null(strstr(err.message, "already shown above"));

    /* Deal → ticket: the third level; the deal's company is a repeat. */
    assert_int_equal(graph_expand(&g, graph_row_node(&g, 7), NULL), HT_OK);
    size_t last = g.nrows - 1;
    bool ticket = false, repeat_company = false;
    for (size_t r = 8; r <= last; r++) {
        ticket |= strcmp(row(&g, r)->name, "Broken login") == 0;
        repeat_company |= strcmp(row(&g, r)->name, "Acme") == 0 && row(&g, r)->repeat;
    }
    assert_true(ticket);
    assert_true(repeat_company);
    assert_int_equal(loads, 3);

    /* Collapse and expand again: no second load. */
    graph_collapse(&g, graph_row_node(&g, 2));
    assert_int_equal(g.nrows, 3);
    graph_expand(&g, graph_row_node(&g, 2), NULL);
    assert_int_equal(loads, 3);
    assert_int_equal(graph_parent_row(&g, 4), 3);
    assert_int_equal(graph_parent_row(&g, 3), 2);
    assert_int_equal(graph_parent_row(&g, 0), 0);
    graph_free(&g);
}

static void test_prefix_and_reload(void **state)
{
    graph g;
    graph_init(&g, "contacts", "1", "Ann Lee", load, NULL, NULL);
    graph_expand(&g, graph_row_node(&g, 2), NULL);
    strbuf sb = {0};
    graph_row_prefix(&g, 0, false, &sb);
    assert_string_equal(strbuf_str(&sb), "");
    strbuf_reset(&sb);
    graph_row_prefix(&g, 1, true, &sb);
    assert_string_equal(strbuf_str(&sb), "`- ");
    strbuf_reset(&sb);
    graph_row_prefix(&g, 4, true, &sb); /* Ann under Contacts under Acme */
    assert_string_equal(strbuf_str(&sb), "      |  |- ");
    strbuf_reset(&sb);
    graph_row_prefix(&g, 4, false, &sb);
    assert_string_equal(strbuf_str(&sb), "      \xE2\x94\x82  \xE2\x94\x9C\xE2\x94\x80 ");
    strbuf_free(&sb);

    /* Collapse the Contacts group; a reload keeps Acme open and Contacts shut. */
    graph_collapse(&g, graph_row_node(&g, 3));
    size_t before = g.nrows;
    assert_int_equal(graph_reload(&g, NULL), HT_OK);
    assert_int_equal(g.nrows, before);
    assert_true(row(&g, 2)->expanded);
    assert_false(row(&g, 3)->expanded);
    graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_prefix_and_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
