/* Unit tests for tui/layout: pane rectangles for every terminal size from
 * 0x0 to 320x110, the documented breakpoints, and list column allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "layout.h"

static layout lay(int rows, int cols, bool nav, bool side, pane_id focus)
{
    layout_input in = {.rows = rows, .cols = cols, .has_nav = nav, .has_side = side, .focus = focus};
    layout l;
    layout_compute(&in, &l);
    return l;
}

static bool inside(const rect *r, int rows, int cols)
{
    return r->y >= 0 && r->x >= 0 && r->h >= 0 && r->w >= 0 && r->y + r->h <= rows &&
           r->x + r->w <= cols;
}

static bool empty(const rect *r)
{
    return r->h == 0 || r->w == 0;
}

/* Paint every rectangle onto a grid and check that the visible parts tile
 * the screen exactly: every cell belongs to one thing, none to two. */
static void check_tiling(const layout *l, int rows, int cols)
{
    unsigned char *grid = calloc((size_t)rows * (size_t)cols + 1, 1);
    const rect *parts[8];
    int n = 0;
    parts[n++] = &l->topbar;
    parts[n++] = &l->status;
    parts[n++] = &l->message;
    parts[n++] = &l->sep[0];
    parts[n++] = &l->sep[1];
    for (int p = 0; p < PANE_COUNT; p++)
        if (l->pane[p].visible)
            parts[n++] = &l->pane[p].outer;
    for (int i = 0; i < n; i++) {
        const rect *r = parts[i];
        if (!inside(r, rows, cols))
            fail_msg("%dx%d: part %d outside the screen", cols, rows, i);
        for (int y = r->y; y < r->y + r->h; y++)
            for (int x = r->x; x < r->x + r->w; x++) {
                if (grid[y * cols + x])
                    fail_msg("%dx%d: cell %d,%d covered twice", cols, rows, y, x);
                grid[y * cols + x] = 1;
            }
    }
    for (int i = 0; i < rows * cols; i++)
        if (!grid[i])
            fail_msg("%dx%d: cell %d,%d uncovered", cols, rows, i / cols, i % cols);
    free(grid);
}

static void check_one(int rows, int cols, bool nav, bool side, pane_id focus)
{
    layout l = lay(rows, cols, nav, side, focus);
    int r = rows > 0 ? rows : 0, c = cols > 0 ? cols : 0;
    assert_int_equal(l.screen.h, r);
    assert_int_equal(l.screen.w, c);
    if (r < LAYOUT_MIN_ROWS || c < LAYOUT_MIN_COLS) {
        assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
        for (int p = 0; p < PANE_COUNT; p++)
            assert_false(l.pane[p].visible);
        assert_true(empty(&l.status) && empty(&l.message) && empty(&l.topbar));
        return;
    }
    assert_int_not_equal(l.mode, LAYOUT_TOO_SMALL);
    check_tiling(&l, r, c);
    assert_true(l.pane[PANE_MAIN].visible);
    for (int p = 0; p < PANE_COUNT; p++) {
        const pane_rect *pr = &l.pane[p];
        if (!pr->visible)
            continue;
        assert_true(pr->outer.h >= 2);
        assert_int_equal(pr->title.h, 1);
        assert_int_equal(pr->body.h, pr->outer.h - 1);
        assert_int_equal(pr->body.w, pr->outer.w);
        assert_int_equal(pr->title.y, pr->outer.y);
        assert_int_equal(pr->body.y, pr->outer.y + 1);
    }
    /* Breakpoints. */
    if (c <= LAYOUT_NARROW_MAX) {
        assert_int_equal(l.mode, LAYOUT_ONE);
        assert_int_equal(l.pane[PANE_MAIN].outer.w, c);
    } else {
        assert_true(l.wide);
        assert_int_equal(l.pane[PANE_SIDE].visible, side);
        if (side)
            assert_true(l.pane[PANE_MAIN].outer.w >= LAYOUT_MAIN_MIN &&
                        l.pane[PANE_SIDE].outer.w >= LAYOUT_SIDE_MIN);
        assert_int_equal(l.pane[PANE_NAV].visible, nav && (c >= LAYOUT_THREE_MIN || !side));
    }
    assert_int_equal(l.topbar.h, r >= LAYOUT_TOPBAR_MIN_ROWS ? 1 : 0);
    assert_int_equal(l.message.y, r - 1);
    assert_int_equal(l.status.y, r - 2);
    /* The focus is always on a visible pane: the asked one if possible. */
    assert_true(l.pane[l.focus].visible);
    if (l.pane[focus].visible)
        assert_int_equal(l.focus, focus);
    /* The overlay sits between the top bar and the status bar. */
    assert_true(inside(&l.overlay, r, c));
    assert_true(l.overlay.h >= 2 && l.overlay.w >= LAYOUT_MIN_COLS);
    assert_true(l.overlay.y >= l.topbar.h && l.overlay.y + l.overlay.h <= l.status.y);
}

/* Every size, every combination of panes and focus. */
static void test_all_sizes(void **state)
{
    for (int rows = -2; rows <= 110; rows += (rows < 30 ? 1 : 7))
        for (int cols = -2; cols <= 320; cols += (cols < 130 ? 1 : 11))
            for (int combo = 0; combo < 4; combo++)
                for (int f = 0; f < PANE_COUNT; f++)
                    check_one(rows, cols, combo & 1, combo & 2, (pane_id)f);
}

static void test_named_sizes(void **state)
{
    layout l = lay(24, 80, true, true, PANE_SIDE);
    assert_int_equal(l.mode, LAYOUT_ONE);
    assert_int_equal(l.focus, PANE_MAIN);
    assert_int_equal(l.pane[PANE_MAIN].outer.y, 1);
    assert_int_equal(l.pane[PANE_MAIN].outer.h, 21);
    assert_int_equal(l.pane[PANE_MAIN].body.h, 20);

    l = lay(5, 20, true, true, PANE_MAIN);
    assert_int_equal(l.mode, LAYOUT_ONE);
    assert_int_equal(l.topbar.h, 0);
    assert_int_equal(l.pane[PANE_MAIN].outer.h, 3);

    assert_int_equal(lay(5, 19, true, true, PANE_MAIN).mode, LAYOUT_TOO_SMALL);
    assert_int_equal(lay(3, 80, true, true, PANE_MAIN).mode, LAYOUT_TOO_SMALL);
    assert_int_equal(lay(0, 0, true, true, PANE_MAIN).mode, LAYOUT_TOO_SMALL);

    l = lay(30, 100, true, true, PANE_NAV);
    assert_int_equal(l.mode, LAYOUT_TWO);
    assert_false(l.pane[PANE_NAV].visible);
    assert_int_equal(l.focus, PANE_MAIN);
    assert_int_equal(l.pane[PANE_MAIN].outer.w + 1 + l.pane[PANE_SIDE].outer.w, 100);

    l = lay(30, 100, true, false, PANE_NAV);
    assert_int_equal(l.mode, LAYOUT_TWO);
    assert_int_equal(l.focus, PANE_NAV);
    assert_int_equal(l.pane[PANE_NAV].outer.w, LAYOUT_NAV_MIN);

    l = lay(40, 120, true, true, PANE_SIDE);
    assert_int_equal(l.mode, LAYOUT_THREE);
    assert_int_equal(l.focus, PANE_SIDE);
    assert_int_equal(l.pane[PANE_NAV].outer.w, 18);
    assert_int_equal(l.pane[PANE_SIDE].outer.w, 45);
    assert_int_equal(l.pane[PANE_MAIN].outer.w, 55);
    assert_int_equal(l.sep[0].x, 18);
    assert_int_equal(l.sep[1].x, 18 + 1 + 55);

    l = lay(100, 300, true, true, PANE_MAIN);
    assert_int_equal(l.mode, LAYOUT_THREE);
    assert_int_equal(l.pane[PANE_NAV].outer.w, LAYOUT_NAV_MAX);
    assert_int_equal(l.overlay.w, 100);
}

static void test_focus_cycle(void **state)
{
    layout l = lay(40, 120, true, true, PANE_MAIN);
    assert_int_equal(layout_focus_step(&l, PANE_MAIN, 1), PANE_SIDE);
    assert_int_equal(layout_focus_step(&l, PANE_SIDE, 1), PANE_NAV);
    assert_int_equal(layout_focus_step(&l, PANE_NAV, -1), PANE_SIDE);
    l = lay(24, 80, true, true, PANE_MAIN);
    assert_int_equal(layout_focus_step(&l, PANE_MAIN, 1), PANE_MAIN);
    assert_int_equal(layout_focus_step(&l, PANE_MAIN, -1), PANE_MAIN);
    l = lay(40, 100, false, true, PANE_MAIN);
    assert_int_equal(layout_focus_step(&l, PANE_MAIN, 1), PANE_SIDE);
    assert_int_equal(layout_focus_step(&l, PANE_SIDE, 1), PANE_MAIN);
    l = lay(40, 120, true, true, PANE_MAIN);
    assert_int_equal(layout_pane_at(&l, 5, 0), PANE_NAV);
    assert_int_equal(layout_pane_at(&l, 5, 18), PANE_COUNT); /* separator */
    assert_int_equal(layout_pane_at(&l, 5, 30), PANE_MAIN);
    assert_int_equal(layout_pane_at(&l, 5, 119), PANE_SIDE);
    assert_int_equal(layout_pane_at(&l, 39, 30), PANE_COUNT); /* message line */
}

/* ---- Columns ---------------------------------------------------------- */

static void check_columns(const col_spec *c, int n, int width, int gap)
{
    int w[16];
    int shown = layout_columns(c, n, width, gap, w);
    int used = 0, count = 0;
    for (int i = 0; i < n; i++) {
        assert_true(w[i] >= 0);
        if (w[i] == 0)
            continue;
        count++;
        used += w[i];
        if (c[i].max)
            assert_true(w[i] <= c[i].max || w[i] == c[i].min);
    }
    assert_int_equal(count, shown);
    if (count > 1)
        used += (count - 1) * gap;
    assert_true(used <= (width > 0 ? width : 0));
    if (count > 1)
        for (int i = 0; i < n; i++)
            if (w[i])
                assert_true(w[i] >= c[i].min);
    /* A dropped column never has more priority than a shown one. */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            if (w[i] == 0 && w[k] > 0 && count > 0)
                assert_true(c[i].priority <= c[k].priority);
    /* Space is only left over when nobody can use it. */
    if (count > 0 && used < width) {
        for (int i = 0; i < n; i++)
            if (w[i]) {
                assert_true(w[i] >= c[i].pref || c[i].min > c[i].pref);
                assert_true(c[i].grow == 0 || (c[i].max && w[i] >= c[i].max));
            }
    }
}

static const col_spec sample[] = {
    {.min = 12, .pref = 24, .max = 40, .grow = 2, .priority = 10}, /* name */
    {.min = 10, .pref = 28, .max = 0, .grow = 1, .priority = 8},   /* email */
    {.min = 6, .pref = 12, .max = 16, .grow = 0, .priority = 3},   /* phone */
    {.min = 8, .pref = 10, .max = 10, .grow = 0, .priority = 5},   /* stage */
    {.min = 10, .pref = 16, .max = 0, .grow = 1, .priority = 1},   /* company */
    {.min = 3, .pref = 3, .max = 3, .grow = 0, .priority = 9},     /* marker */
};

static void test_columns_every_width(void **state)
{
    int n = (int)(sizeof sample / sizeof *sample);
    for (int width = -1; width <= 300; width++)
        for (int gap = 0; gap <= 2; gap++)
            for (int k = 1; k <= n; k++)
                check_columns(sample, k, width, gap);
}

static void test_columns_examples(void **state)
{
    int w[6];
    /* Plenty of room: prefs, then growth by weight up to max. */
    assert_int_equal(layout_columns(sample, 6, 200, 1, w), 6);
    assert_int_equal(w[0], 40);
    assert_int_equal(w[2], 12);
    assert_int_equal(w[3], 10);
    assert_int_equal(w[5], 3);
    assert_int_equal(w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + 5, 200);
    /* Exactly the sum of mins: everyone at min. */
    int mins = 12 + 10 + 6 + 8 + 10 + 3 + 5;
    assert_int_equal(layout_columns(sample, 6, mins, 1, w), 6);
    assert_int_equal(w[0], 12);
    assert_int_equal(w[4], 10);
    /* One less: the lowest priority (company) goes. */
    assert_int_equal(layout_columns(sample, 6, mins - 1, 1, w), 5);
    assert_int_equal(w[4], 0);
    /* Tiny: only the most important column, squeezed. */
    assert_int_equal(layout_columns(sample, 6, 7, 1, w), 1);
    assert_int_equal(w[0], 7);
    assert_int_equal(w[1] + w[2] + w[3] + w[4] + w[5], 0);
    assert_int_equal(layout_columns(sample, 6, 0, 1, w), 0);
    assert_int_equal(layout_columns(sample, 0, 80, 1, w), 0);
    /* Between min and pref: shares in proportion to what each wants. */
    col_spec two[] = {{.min = 10, .pref = 30, .priority = 1}, {.min = 10, .pref = 20, .priority = 1}};
    assert_int_equal(layout_columns(two, 2, 36, 0, w), 2);
    assert_int_equal(w[0], 21);
    assert_int_equal(w[1], 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_sizes),
        cmocka_unit_test(test_named_sizes),
        cmocka_unit_test(test_focus_cycle),
        cmocka_unit_test(test_columns_every_width),
        cmocka_unit_test(test_columns_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
