/* listwin.c — the in-memory slice of a record list. */
#include "listwin.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define LISTWIN_MAX_FETCH 1000

static void row_free(query_row *r, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++)
        free(r->values[i]);
    free(r->values);
    free(r->cell_state);
    query_cursor_clear(&r->cursor);
}

void listwin_clear(listwin *w)
{
    for (size_t i = 0; i < w->n; i++)
        row_free(&w->rows[i], w->ncols);
    free(w->rows);
    memset(w, 0, sizeof *w);
}

static void reserve(listwin *w, size_t extra)
{
    if (w->n + extra <= w->cap)
        return;
    size_t cap = w->cap ? w->cap : 64;
    while (cap < w->n + extra)
        cap *= 2;
    w->rows = xrealloc(w->rows, cap * sizeof *w->rows);
    w->cap = cap;
}

/* Move the rows out of a page and free what is left of it. */
static void take_rows(query_page *p, query_row *dst)
{
    if (p->nrows)
        memcpy(dst, p->rows, p->nrows * sizeof *p->rows);
    p->nrows = 0;
    query_page_free(p);
}

void listwin_set(listwin *w, query_page *p, int64_t base)
{
    listwin_clear(w);
    w->ncols = p->ncolumns;
    w->base = base < 0 ? 0 : base;
    w->at_start = !p->more_before;
    w->at_end = !p->more_after;
    if (w->at_start)
        w->base = 0;
    w->valid = true;
    size_t n = p->nrows;
    reserve(w, n);
    take_rows(p, w->rows);
    w->n = n;
}

void listwin_append(listwin *w, query_page *p)
{
    size_t n = p->nrows;
    w->at_end = !p->more_after || n == 0;
    reserve(w, n);
    take_rows(p, w->rows + w->n);
    w->n += n;
}

void listwin_prepend(listwin *w, query_page *p)
{
    size_t n = p->nrows;
    w->at_start = !p->more_before || n == 0;
    reserve(w, n);
    memmove(w->rows + n, w->rows, w->n * sizeof *w->rows);
    take_rows(p, w->rows);
    w->n += n;
    w->base -= (int64_t)n;
    /* Positions drift when records come and go; the start is the truth. */
    if (w->at_start || w->base < 0)
        w->base = 0;
}

void listwin_trim(listwin *w, int64_t from, int64_t to)
{
    int64_t start = w->base, end = w->base + (int64_t)w->n;
    if (from < start)
        from = start;
    if (to > end)
        to = end;
    if (from >= to) {
        bool at_start = w->at_start && from <= start, at_end = w->at_end && to >= end;
        int64_t base = w->base;
        size_t ncols = w->ncols;
        bool valid = w->valid;
        listwin_clear(w);
        w->ncols = ncols;
        w->base = base;
        w->at_start = at_start;
        w->at_end = at_end;
        w->valid = valid;
        return;
    }
    size_t drop_front = (size_t)(from - start), keep = (size_t)(to - from);
    for (size_t i = 0; i < drop_front; i++)
        row_free(&w->rows[i], w->ncols);
    for (size_t i = drop_front + keep; i < w->n; i++)
        row_free(&w->rows[i], w->ncols);
    if (drop_front)
        memmove(w->rows, w->rows + drop_front, keep * sizeof *w->rows);
    if (drop_front)
        w->at_start = false;
    if (drop_front + keep < w->n)
        w->at_end = false;
    w->n = keep;
    w->base = from;
}

const query_row *listwin_row(const listwin *w, int64_t i)
{
    if (i < w->base || i >= w->base + (int64_t)w->n)
        return NULL;
    return &w->rows[i - w->base];
}

bool listwin_count_known(const listwin *w, int64_t *count)
{
    if (!w->valid || !w->at_end)
        return false;
    *count = w->base + (int64_t)w->n;
    return true;
}

int64_t listwin_find(const listwin *w, const char *id)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->rows[i].id, id) == 0)
            return w->base + (int64_t)i;
    return -1;
}

static size_t want_n(int64_t rows, size_t chunk)
{
    if (rows < (int64_t)chunk)
        return chunk;
    return rows > LISTWIN_MAX_FETCH ? LISTWIN_MAX_FETCH : (size_t)rows;
}

/* Replace the window: near the start, near the end, or by position. */
static listwin_fetch jump(int64_t from, int64_t to, int64_t count, size_t chunk)
{
    int64_t near = 2 * (int64_t)chunk;
    if (from < near)
        return (listwin_fetch){LWF_FIRST, 0, want_n(to, chunk)};
    if (count >= 0 && from >= count - near)
        return (listwin_fetch){LWF_LAST, 0, want_n(count - from, chunk)};
    return (listwin_fetch){LWF_AT, from, want_n(to - from, chunk)};
}

listwin_fetch listwin_next_fetch(const listwin *w, int64_t from, int64_t to, int64_t count,
                                 size_t chunk)
{
    const listwin_fetch none = {LWF_NONE, 0, 0};
    if (chunk == 0)
        chunk = 1;
    if (from < 0)
        from = 0;
    if (count >= 0 && to > count)
        to = count;
    if (!w->valid)
        return jump(from, to > from ? to : from + 1, count, chunk);
    if (from >= to)
        return none;
    if (w->n == 0) {
        if (w->at_start && w->at_end)
            return none; /* the list is empty */
        return jump(from, to, count, chunk);
    }
    int64_t ws = w->base, we = w->base + (int64_t)w->n;
    int64_t near = 2 * (int64_t)chunk;
    if (to <= ws) {
        if (w->at_start)
            return none;
        return ws - from <= near ? (listwin_fetch){LWF_BEFORE, 0, want_n(ws - from, chunk)}
                                 : jump(from, to, count, chunk);
    }
    if (from >= we) {
        if (w->at_end)
            return none;
        return from - we <= near ? (listwin_fetch){LWF_AFTER, 0, want_n(to - we, chunk)}
                                 : jump(from, to, count, chunk);
    }
    if (to > we && !w->at_end)
        return (listwin_fetch){LWF_AFTER, 0, want_n(to - we, chunk)};
    if (from < ws && !w->at_start)
        return (listwin_fetch){LWF_BEFORE, 0, want_n(ws - from, chunk)};
    return none;
}
