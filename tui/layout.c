#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

bool rect_contains(const rect *r, int y, int x)
{
    return y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

static void place_pane(pane_rect *p, int y, int x, int h, int w)
{
    p->visible = true;
    p->outer = (rect){y, x, h, w};
    p->title = (rect){y, x, 1, w};
    p->body = (rect){y + 1, x, h - 1, w};
}

/* Widths of the nav and side panes for this terminal (0 = not shown). */
static void pane_widths(const layout_input *in, int cols, int *nav_w, int *side_w)
{
    *nav_w = *side_w = 0;
    if (cols <= LAYOUT_NARROW_MAX)
        return;
    /* Between 81 and 119 columns the detail matters more than the types:
     * the types pane shows only when there is no side pane to show. */
    if (in->has_nav && (cols >= LAYOUT_THREE_MIN || !in->has_side))
        *nav_w = clamp(cols * 15 / 100, LAYOUT_NAV_MIN, LAYOUT_NAV_MAX);
    int rest = cols - (*nav_w ? *nav_w + 1 : 0);
    if (!in->has_side)
        return;
    int side = rest * 45 / 100;
    if (side < LAYOUT_SIDE_MIN)
        side = LAYOUT_SIDE_MIN;
    if (rest - side - 1 < LAYOUT_MAIN_MIN)
        side = rest - 1 - LAYOUT_MAIN_MIN;
    *side_w = side >= LAYOUT_SIDE_MIN ? side : 0;
}

static void place_overlay(layout *out, int py, int ph, int cols)
{
    int w = cols >= 60 ? (cols - 8 < 100 ? cols - 8 : 100) : cols;
    int h = ph >= 12 ? ph - 2 : ph;
    out->overlay = (rect){py + (ph - h) / 2, (cols - w) / 2, h, w};
}

bool layout_is_wide(int cols)
{
    return cols > LAYOUT_NARROW_MAX;
}

void layout_compute(const layout_input *in, layout *out)
{
    memset(out, 0, sizeof *out);
    int rows = in->rows > 0 ? in->rows : 0;
    int cols = in->cols > 0 ? in->cols : 0;
    out->screen = (rect){0, 0, rows, cols};
    out->focus = PANE_MAIN;
    out->wide = layout_is_wide(cols);
    if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
        out->mode = LAYOUT_TOO_SMALL;
        return;
    }
    int top = rows >= LAYOUT_TOPBAR_MIN_ROWS ? 1 : 0;
    if (top)
        out->topbar = (rect){0, 0, 1, cols};
    out->status = (rect){rows - 2, 0, 1, cols};
    out->message = (rect){rows - 1, 0, 1, cols};
    int py = top, ph = rows - 2 - top;

    int nav_w, side_w;
    pane_widths(in, cols, &nav_w, &side_w);
    int x = 0, nsep = 0, shown = 1;
    if (nav_w) {
        place_pane(&out->pane[PANE_NAV], py, 0, ph, nav_w);
        out->sep[nsep++] = (rect){py, nav_w, ph, 1};
        x = nav_w + 1;
        shown++;
    }
    int main_w = cols - x - (side_w ? side_w + 1 : 0);
    place_pane(&out->pane[PANE_MAIN], py, x, ph, main_w);
    if (side_w) {
        out->sep[nsep++] = (rect){py, x + main_w, ph, 1};
        place_pane(&out->pane[PANE_SIDE], py, x + main_w + 1, ph, side_w);
        shown++;
    }
    out->mode = shown == 3 ? LAYOUT_THREE : shown == 2 ? LAYOUT_TWO : LAYOUT_ONE;
    if (in->focus < PANE_COUNT && out->pane[in->focus].visible)
        out->focus = in->focus;
    place_overlay(out, py, ph, cols);
}

pane_id layout_focus_step(const layout *l, pane_id from, int dir)
{
    int p = from < PANE_COUNT ? (int)from : PANE_MAIN;
    for (int i = 0; i < PANE_COUNT; i++) {
        p = (p + (dir < 0 ? PANE_COUNT - 1 : 1)) % PANE_COUNT;
        if (l->pane[p].visible)
            return (pane_id)p;
    }
    return PANE_MAIN;
}

pane_id layout_pane_at(const layout *l, int y, int x)
{
    for (int p = 0; p < PANE_COUNT; p++)
        if (l->pane[p].visible && rect_contains(&l->pane[p].outer, y, x))
            return (pane_id)p;
    return PANE_COUNT;
}

/* ---- Columns ---------------------------------------------------------- */

static int used_width(const int *w, int n, int gap)
{
    int used = 0, shown = 0;
    for (int i = 0; i < n; i++)
        if (w[i] > 0) {
            used += w[i];
            shown++;
        }
    return used + (shown > 1 ? (shown - 1) * gap : 0);
}

/* Drop the least important shown column (rightmost among equals). */
static bool drop_one(const col_spec *cols, int *w, int n)
{
    int victim = -1, shown = 0;
    for (int i = 0; i < n; i++) {
        if (w[i] <= 0)
            continue;
        shown++;
        if (victim < 0 || cols[i].priority <= cols[victim].priority)
            victim = i;
    }
    if (shown <= 1)
        return false;
    w[victim] = 0;
    return true;
}

/* Hand out extra columns towards each column's target, in proportion to
 * how far each is from it, leftovers from the left. Returns what is left. */
static int grow_towards(int *w, int n, int extra, const int *target)
{
    long want = 0;
    for (int i = 0; i < n; i++)
        if (w[i] > 0 && target[i] > w[i])
            want += target[i] - w[i];
    if (want == 0 || extra <= 0)
        return extra;
    if (want <= extra) {
        for (int i = 0; i < n; i++)
            if (w[i] > 0 && target[i] > w[i])
                w[i] = target[i];
        return extra - (int)want;
    }
    int given = 0;
    int *share = xcalloc((size_t)n, sizeof *share);
    for (int i = 0; i < n; i++) {
        share[i] = 0;
        if (w[i] > 0 && target[i] > w[i])
            share[i] = (int)((long)(target[i] - w[i]) * extra / want);
        given += share[i];
    }
    for (int i = 0; i < n && given < extra; i++)
        if (w[i] > 0 && target[i] > w[i] + share[i]) {
            share[i]++;
            given++;
        }
    for (int i = 0; i < n; i++)
        w[i] += share[i];
    free(share);
    return extra - given;
}

int layout_columns(const col_spec *cols, int n, int width, int gap, int *out)
{
    if (n <= 0)
        return 0;
    if (width < 0)
        width = 0;
    if (gap < 0)
        gap = 0;
    for (int i = 0; i < n; i++)
        out[i] = cols[i].min > 0 ? cols[i].min : 1;
    while (used_width(out, n, gap) > width && drop_one(cols, out, n))
        ;
    int shown = 0, last = -1;
    for (int i = 0; i < n; i++)
        if (out[i] > 0)
            shown++, last = i;
    if (used_width(out, n, gap) > width) {
        /* One column left and it is still too wide: it takes what there is. */
        out[last] = width;
        return width > 0 ? 1 : 0;
    }
    int extra = width - used_width(out, n, gap);
    int *target = xcalloc((size_t)n, sizeof *target);
    for (int i = 0; i < n; i++)
        target[i] = cols[i].pref > out[i] ? cols[i].pref : out[i];
    extra = grow_towards(out, n, extra, target);
    free(target);
    /* Past pref: only columns that grow, by weight, up to their max. */
    while (extra > 0) {
        long weights = 0;
        for (int i = 0; i < n; i++)
            if (out[i] > 0 && cols[i].grow > 0 && (cols[i].max == 0 || out[i] < cols[i].max))
                weights += cols[i].grow;
        if (weights == 0)
            break;
        int before = extra;
        for (int i = 0; i < n && extra > 0; i++) {
            if (out[i] <= 0 || cols[i].grow <= 0 || (cols[i].max && out[i] >= cols[i].max))
                continue;
            int add = (int)((long)before * cols[i].grow / weights);
            if (add == 0)
                add = 1;
            if (add > extra)
                add = extra;
            if (cols[i].max && out[i] + add > cols[i].max)
                add = cols[i].max - out[i];
            out[i] += add;
            extra -= add;
        }
        if (extra == before)
            break;
    }
    return shown;
}
