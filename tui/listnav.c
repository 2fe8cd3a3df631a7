#include "listnav.h"

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int64_t last_row(const listnav *n)
{
    return n->count > 0 ? n->count - 1 : 0;
}

/* Keep the cursor on screen and the view from running past the end. */
static void settle(listnav *n)
{
    n->cursor = clamp64(n->cursor, 0, last_row(n));
    if (n->page < 1) {
        /* Not drawn yet: how tall the pane is decides scrolling later. */
        n->top = clamp64(n->top, 0, n->cursor);
        return;
    }
    if (n->cursor < n->top)
        n->top = n->cursor;
    if (n->cursor >= n->top + n->page)
        n->top = n->cursor - n->page + 1;
    int64_t max_top = n->count > n->page ? n->count - n->page : 0;
    n->top = clamp64(n->top, 0, max_top);
}

void listnav_set_count(listnav *n, int64_t count)
{
    n->count = count > 0 ? count : 0;
    settle(n);
}

void listnav_set_page(listnav *n, int page)
{
    n->page = page > 1 ? page : 1;
    settle(n);
}

void listnav_set_cursor(listnav *n, int64_t row)
{
    n->cursor = row;
    settle(n);
}

/* Scroll the view by delta rows, dragging the cursor along only when it
 * would leave the screen (vim's C-e / C-y). */
static void scroll_by(listnav *n, int64_t delta)
{
    int64_t max_top = n->count > n->page ? n->count - n->page : 0;
    n->top = clamp64(n->top + delta, 0, max_top);
    n->cursor = clamp64(n->cursor, n->top, n->top + n->page - 1);
}

bool listnav_apply(listnav *n, action_id act, bool *changed)
{
    int64_t cursor = n->cursor, top = n->top;
    int64_t page = n->page > 1 ? n->page : 1;
    switch (act) {
    case ACT_MOVE_DOWN:  n->cursor++; break;
    case ACT_MOVE_UP:    n->cursor--; break;
    case ACT_MOVE_FIRST: n->cursor = 0; break;
    case ACT_MOVE_LAST:  n->cursor = last_row(n); break;
    case ACT_PAGE_DOWN:  n->cursor += page, n->top += page; break;
    case ACT_PAGE_UP:    n->cursor -= page, n->top -= page; break;
    case ACT_HALF_DOWN:  n->cursor += (page + 1) / 2, n->top += (page + 1) / 2; break;
    case ACT_HALF_UP:    n->cursor -= (page + 1) / 2, n->top -= (page + 1) / 2; break;
    case ACT_SCROLL_DOWN: scroll_by(n, LISTNAV_SCROLL_STEP); break;
    case ACT_SCROLL_UP:   scroll_by(n, -LISTNAV_SCROLL_STEP); break;
    default:
        if (changed)
            *changed = false;
        return false;
    }
    settle(n);
    if (changed)
        *changed = n->cursor != cursor || n->top != top;
    return true;
}
