/* Unit tests for tui/listwin: the in-memory window of a long list (pages
 * appended, prepended, trimmed, positions kept) and the decision of what
 * to fetch next for every way the view can move. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listwin.h"
#include "util.h"

/* A page of rows with ids from..from+n-1 and one column. */
static query_page *page(int from, size_t n, bool before, bool after)
{
    query_page *p = xcalloc(1, sizeof *p);
    p->ncolumns = 1;
    p->nrows = n;
    p->rows = xcalloc(n + 1, sizeof *p->rows);
    for (size_t i = 0; i < n; i++) {
        query_row *r = &p->rows[i];
        snprintf(r->id, sizeof r->id, "%d", from + (int)i);
        r->values = xcalloc(2, sizeof *r->values);
        r->values[0] = xasprintf("row %d", from + (int)i);
        r->cell_state = xcalloc(2, sizeof *r->cell_state);
        r->cursor.valid = true;
        r->cursor.id = from + (int)i;
        r->cursor.key_t = xasprintf("k%d", from + (int)i);
    }
    p->more_before = before;
    p->more_after = after;
    return p;
}

static void test_set_append_prepend(void **state)
{
    listwin w = {0};
    listwin_set(&w, page(100, 50, true, true), 100);
    assert_true(w.valid);
    assert_int_equal(w.base, 100);
    assert_string_equal(listwin_row(&w, 100)->id, "100");
    assert_string_equal(listwin_row(&w, 149)->id, "149");
    assert_null(listwin_row(&w, 150));
    assert_null(listwin_row(&w, 99));
    listwin_append(&w, page(150, 50, true, false));
    assert_true(w.at_end);
    int64_t count;
    assert_true(listwin_count_known(&w, &count));
    assert_int_equal(count, 200);
    listwin_prepend(&w, page(50, 50, true, true));
    assert_int_equal(w.base, 50);
    assert_string_equal(listwin_row(&w, 50)->id, "50");
    assert_string_equal(listwin_row(&w, 199)->values[0], "row 199");
    assert_int_equal(listwin_find(&w, "120"), 120);
    assert_int_equal(listwin_find(&w, "7"), -1);
    /* The start reached: positions are re-anchored at 0 if they drifted. */
    listwin_prepend(&w, page(10, 40, false, true));
    assert_true(w.at_start);
    assert_int_equal(w.base, 0);
    assert_string_equal(listwin_row(&w, 0)->id, "10");
    listwin_clear(&w);
    assert_false(w.valid);
}

static void test_trim(void **state)
{
    listwin w = {0};
    listwin_set(&w, page(0, 100, false, true), 0);
    listwin_trim(&w, 20, 60);
    assert_int_equal(w.base, 20);
    assert_int_equal(w.n, 40);
    assert_false(w.at_start);
    assert_false(w.at_end);
    assert_string_equal(listwin_row(&w, 20)->id, "20");
    assert_null(listwin_row(&w, 19));
    /* Trimming to nothing keeps the window valid (an empty list stays known). */
    listwin_clear(&w);
    listwin_set(&w, page(0, 0, false, false), 0);
    listwin_trim(&w, -10, 30);
    assert_true(w.valid);
    assert_true(w.at_start && w.at_end);
    int64_t count;
    assert_true(listwin_count_known(&w, &count));
    assert_int_equal(count, 0);
    listwin_clear(&w);
}

static void test_next_fetch(void **state)
{
    listwin w = {0};
    listwin_fetch f = listwin_next_fetch(&w, -24, 48, -1, 50);
    assert_int_equal(f.kind, LWF_FIRST);
    assert_true(f.n >= 48);
    /* A far jump with the count known: near the end takes the last rows,
     * elsewhere a position. */
    f = listwin_next_fetch(&w, 999950, 1000010, 1000000, 50);
    assert_int_equal(f.kind, LWF_LAST);
    f = listwin_next_fetch(&w, 500000, 500048, 1000000, 50);
    assert_int_equal(f.kind, LWF_AT);
    assert_int_equal(f.offset, 500000);

    listwin_set(&w, page(0, 100, false, true), 0);
    assert_int_equal(listwin_next_fetch(&w, 0, 72, -1, 50).kind, LWF_NONE);
    f = listwin_next_fetch(&w, 76, 148, -1, 50);
    assert_int_equal(f.kind, LWF_AFTER);
    assert_true(f.n >= 48);
    /* Just past the end of the window: extend rather than jump. */
    assert_int_equal(listwin_next_fetch(&w, 120, 190, -1, 50).kind, LWF_AFTER);
    /* Far past: jump. */
    assert_int_equal(listwin_next_fetch(&w, 5000, 5072, 100000, 50).kind, LWF_AT);
    listwin_clear(&w);

    listwin_set(&w, page(1000, 100, true, true), 1000);
    f = listwin_next_fetch(&w, 960, 1032, -1, 50);
    assert_int_equal(f.kind, LWF_BEFORE);
    assert_int_equal(listwin_next_fetch(&w, 900, 990, -1, 50).kind, LWF_BEFORE);
    assert_int_equal(listwin_next_fetch(&w, 10, 80, -1, 50).kind, LWF_FIRST);
    listwin_clear(&w);

    /* Both ends known: nothing more to fetch anywhere. */
    listwin_set(&w, page(0, 30, false, false), 0);
    assert_int_equal(listwin_next_fetch(&w, 0, 72, 30, 50).kind, LWF_NONE);
    assert_int_equal(listwin_next_fetch(&w, 25, 97, -1, 50).kind, LWF_NONE);
    listwin_clear(&w);
    /* An empty list. */
    listwin_set(&w, page(0, 0, false, false), 0);
    assert_int_equal(listwin_next_fetch(&w, 0, 72, 0, 50).kind, LWF_NONE);
    listwin_clear(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_append_prepend),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_next_fetch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
