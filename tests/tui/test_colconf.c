/* Unit tests for tui/colconf: [columns.TYPE] sections, column lists with
 * widths, sorts, mistakes reported with their line, and the defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "colconf.h"

static void test_parse_cols(void **state)
{
    colconf_col *cols;
    size_t n;
    char why[256];
    assert_true(colconf_parse_cols("firstname, lastname email:30\tcity", &cols, &n, why,
                                   sizeof why));
    assert_int_equal(n, 4);
    assert_string_equal(cols[0].prop, "firstname");
    assert_int_equal(cols[0].width, 0);
    assert_string_equal(cols[2].prop, "email");
    assert_int_equal(cols[2].width, 30);
    assert_string_equal(cols[3].prop, "city");
    colconf_cols_free(cols, n);

    assert_false(colconf_parse_cols("email:wide", &cols, &n, why, sizeof why));
    assert_non_null(strstr(why, "width"));
    assert_false(colconf_parse_cols("email:0", &cols, &n, why, sizeof why));
    assert_false(colconf_parse_cols("email:500", &cols, &n, why, sizeof why));
    assert_false(colconf_parse_cols("email, EMAIL", &cols, &n, why, sizeof why));
    assert_non_null(strstr(why, "twice"));
    assert_false(colconf_parse_cols("a, $b", &cols, &n, why, sizeof why));
    assert_false(colconf_parse_cols(" , ", &cols, &n, why, sizeof why));
    assert_non_null(strstr(why, "empty"));
}

static void test_parse_sort(void **state)
{
    char *prop;
    bool desc;
    assert_true(colconf_parse_sort("-createdate", &prop, &desc));
    assert_string_equal(prop, "createdate");
    assert_true(desc);
    free(prop);
    assert_true(colconf_parse_sort("amount desc", &prop, &desc));
    assert_string_equal(prop, "amount");
    assert_true(desc);
    free(prop);
    assert_true(colconf_parse_sort(" name asc ", &prop, &desc));
    assert_false(desc);
    free(prop);
    assert_true(colconf_parse_sort("id", &prop, &desc));
    assert_null(prop);
    assert_true(colconf_parse_sort("", &prop, &desc));
    assert_null(prop);
    assert_false(colconf_parse_sort("amount sideways", &prop, &desc));
    assert_false(colconf_parse_sort("-", &prop, &desc));
}

static void test_sections(void **state)
{
    const char *text =
        "[portal acme]\n"
        "base_url = http://127.0.0.1:1\n"       /* not ours */
        "[columns.contacts]\n"
        "show = firstname, lastname, email:28\n"
        "sort = -createdate\n"
        "[columns.deals]\n"
        "sort = amount desc\n"
        "width = 3\n"                           /* line 8: unknown key */
        "[columns.tickets]\n"
        "show = subject:wide\n"                 /* line 10: bad width */
        "[columns.contacts]\n"
        "show = email\n";                       /* a later line wins */
    colconf cc = {0};
    diag_list d = {0};
    colconf_load_string(&cc, text, "config", &d);
    assert_int_equal(d.n, 2);
    assert_non_null(strstr(d.items[0], "config:8:"));
    assert_non_null(strstr(d.items[0], "unknown key 'width'"));
    assert_non_null(strstr(d.items[1], "config:10:"));
    const colconf_entry *e = colconf_find(&cc, "CONTACTS");
    assert_non_null(e);
    assert_int_equal(e->ncols, 1);
    assert_string_equal(e->cols[0].prop, "email");
    assert_true(e->has_sort);
    assert_string_equal(e->sort, "createdate");
    assert_true(e->desc);
    e = colconf_find(&cc, "deals");
    assert_non_null(e);
    assert_int_equal(e->ncols, 0);
    assert_string_equal(e->sort, "amount");
    assert_null(colconf_find(&cc, "tickets"));
    assert_null(colconf_find(&cc, "companies"));
    colconf_free(&cc);
    diag_clear(&d);

    /* A missing file is no problem. */
    colconf_load_file(&cc, "/nonexistent/hubtui/config", &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(cc.n, 0);
}

static void test_defaults(void **state)
{
    const char *const *c = colconf_defaults("contacts");
    assert_non_null(c);
    assert_string_equal(c[0], "firstname");
    c = colconf_defaults("Deals");
    assert_non_null(c);
    bool stage = false;
    for (size_t i = 0; c[i]; i++)
        stage |= strcmp(c[i], "dealstage") == 0;
    assert_true(stage);
    assert_non_null(colconf_defaults("tickets"));
    assert_null(colconf_defaults("p4242_vehicles"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cols),
        cmocka_unit_test(test_parse_sort),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
