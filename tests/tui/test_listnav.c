/* Unit tests for tui/listnav: cursor and scrolling over row counts from
 * empty to a million. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "listnav.h"

static listnav make(int64_t count, int page)
{
    listnav n = {0};
    listnav_set_page(&n, page);
    listnav_set_count(&n, count);
    return n;
}

static void act(listnav *n, action_id a)
{
    bool changed;
    assert_true(listnav_apply(n, a, &changed));
}

static void check_invariants(const listnav *n)
{
    assert_true(n->cursor >= 0);
    assert_true(n->count == 0 ? n->cursor == 0 : n->cursor < n->count);
    assert_true(n->top >= 0);
    assert_true(n->cursor >= n->top && n->cursor < n->top + n->page);
    if (n->count > n->page)
        assert_true(n->top + n->page <= n->count);
    else
        assert_int_equal(n->top, 0);
}

static void test_moves(void **state)
{
    listnav n = make(100, 10);
    act(&n, ACT_MOVE_DOWN);
    assert_int_equal(n.cursor, 1);
    act(&n, ACT_PAGE_DOWN);
    assert_int_equal(n.cursor, 11);
    assert_int_equal(n.top, 10);
    act(&n, ACT_HALF_DOWN);
    assert_int_equal(n.cursor, 16);
    assert_int_equal(n.top, 15);
    act(&n, ACT_MOVE_LAST);
    assert_int_equal(n.cursor, 99);
    assert_int_equal(n.top, 90);
    act(&n, ACT_PAGE_DOWN); /* at the end: stays */
    assert_int_equal(n.cursor, 99);
    act(&n, ACT_HALF_UP);
    assert_int_equal(n.cursor, 94);
    assert_int_equal(n.top, 85);
    act(&n, ACT_MOVE_FIRST);
    assert_int_equal(n.cursor, 0);
    assert_int_equal(n.top, 0);
    bool changed = true;
    assert_true(listnav_apply(&n, ACT_MOVE_UP, &changed));
    assert_false(changed);
    assert_false(listnav_apply(&n, ACT_QUIT, &changed));
    /* Scrolling moves the view and drags the cursor only at the edge. */
    act(&n, ACT_SCROLL_DOWN);
    assert_int_equal(n.top, 3);
    assert_int_equal(n.cursor, 3);
    listnav_set_cursor(&n, 8);
    act(&n, ACT_SCROLL_UP);
    assert_int_equal(n.top, 0);
    assert_int_equal(n.cursor, 8);
}

static void test_shrinking(void **state)
{
    listnav n = make(1000000, 20);
    act(&n, ACT_MOVE_LAST);
    assert_int_equal(n.cursor, 999999);
    listnav_set_count(&n, 5); /* a filter narrowed the list */
    assert_int_equal(n.cursor, 4);
    assert_int_equal(n.top, 0);
    listnav_set_count(&n, 0);
    assert_int_equal(n.cursor, 0);
    check_invariants(&n);
    act(&n, ACT_MOVE_DOWN);
    act(&n, ACT_PAGE_UP);
    check_invariants(&n);
    n = make(100, 20);
    listnav_set_cursor(&n, 60);
    listnav_set_page(&n, 5); /* the terminal got shorter */
    check_invariants(&n);
    listnav_set_page(&n, 0);
    assert_int_equal(n.page, 1);
    check_invariants(&n);
}

/* Every action from every position keeps the invariants. */
static void test_exhaustive(void **state)
{
    const action_id moves[] = {ACT_MOVE_DOWN, ACT_MOVE_UP, ACT_MOVE_FIRST, ACT_MOVE_LAST,
                               ACT_PAGE_DOWN, ACT_PAGE_UP, ACT_HALF_DOWN, ACT_HALF_UP,
                               ACT_SCROLL_DOWN, ACT_SCROLL_UP};
    for (int64_t count = 0; count <= 40; count++)
        for (int page = 1; page <= 12; page++)
            for (int64_t start = 0; start < (count ? count : 1); start++)
                for (size_t m = 0; m < sizeof moves / sizeof *moves; m++) {
                    listnav n = make(count, page);
                    listnav_set_cursor(&n, start);
                    check_invariants(&n);
                    act(&n, moves[m]);
                    check_invariants(&n);
                }
}

/* Before the pane height is known, setting the cursor does not scroll. */
static void test_page_unknown(void **state)
{
    listnav n = {0};
    listnav_set_count(&n, 50);
    listnav_set_cursor(&n, 3);
    assert_int_equal(n.top, 0);
    listnav_set_page(&n, 10);
    assert_int_equal(n.top, 0);
    assert_int_equal(n.cursor, 3);
    listnav_set_cursor(&n, 30);
    assert_int_equal(n.top, 21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moves),
        cmocka_unit_test(test_shrinking),
        cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_page_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
