/* reclist.c — the record list of one object type. */
#include "reclist.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulk.h"
#include "detail.h"
#include "draw.h"
#include "editor.h"
#include "filtercheck.h"
#include "layout.h"
#include "listnav.h"
#include "listwin.h"
#include "looks.h"
#include "markset.h"
#include "picker.h"
#include "text.h"

#define GUTTER 2         /* mark and queued-change marker */
#define MIN_CHUNK 50     /* rows per fetch at least */
#define KEEP_PAGES 3     /* pages kept either side of the view */
#define MAX_RANGE 50000 /* rows V marks at once (more: * marks every match) */

typedef struct reclist {
    view base;
    browser *b;
    char *object;
    const objmeta *m;
    uint64_t owner, gen;

    /* What is asked of the cache. */
    char *filter;
    char *filter_before; /* restored when the `/` prompt is cancelled */
    bool prompting;
    char *sort;
    bool desc, sort_chosen;
    colconf_col *cols;
    size_t ncols;
    const char **colnames;
    bool cols_chosen;
    int cur_col;

    /* What came back. */
    listwin win;
    int64_t count; /* -1 while unknown */
    bool fetching;
    listnav nav;
    char *error;
    uint64_t seen_serial;

    markset marks;
    int64_t visual; /* anchor row of a V range, -1 when none */

    bool open_pending; /* Enter came while the cursor's row was loading */

    view *side;     /* the record under the cursor, on wide terminals */
    char side_id[32];
    uint64_t stamp; /* when it was last used (browser_stamp) */
} reclist;

static const struct view_ops reclist_ops;
static void save_state(reclist *l);
static const query_row *cursor_row(const reclist *l);

static reclist *rl(view *v)
{
    return (reclist *)v;
}

/* ---- The query ------------------------------------------------------------------ */

static query_spec spec_of(reclist *l)
{
    return (query_spec){.object = l->object, .filter = l->filter, .sort = l->sort,
                        .descending = l->desc, .columns = l->colnames, .ncolumns = l->ncols};
}

static void rebuild_colnames(reclist *l)
{
    free(l->colnames);
    l->colnames = xcalloc(l->ncols + 1, sizeof *l->colnames);
    for (size_t i = 0; i < l->ncols; i++)
        l->colnames[i] = l->cols[i].prop;
    if (l->cur_col >= (int)l->ncols)
        l->cur_col = l->ncols ? (int)l->ncols - 1 : 0;
}

static int64_t shown_count(const reclist *l)
{
    int64_t known;
    if (l->count >= 0)
        return l->count;
    if (listwin_count_known(&l->win, &known))
        return known;
    if (!l->win.valid)
        return l->nav.count;
    return l->win.base + (int64_t)l->win.n + (l->win.at_end ? 0 : 1);
}

static size_t chunk(const reclist *l)
{
    size_t page = l->nav.page > 0 ? (size_t)l->nav.page : 24;
    return page * 2 > MIN_CHUNK ? page * 2 : MIN_CHUNK;
}

static void on_page(void *ud, wk_job *j);
static void on_count(void *ud, wk_job *j);

static wk_job *new_job(reclist *l, wk_kind kind, wk_done_fn done)
{
    query_spec spec = spec_of(l);
    wk_job *j = wk_job_new(kind, l->owner, l->gen, &spec);
    j->done = done;
    j->ud = l;
    return j;
}

/* Ask for whatever rows the view needs next (one fetch at a time). */
static void fetch(reclist *l)
{
    if (l->fetching || l->error)
        return;
    /* A page either side is ready before it is asked for, two below (the
     * way people mostly go). */
    int64_t page = l->nav.page > 0 ? l->nav.page : 24;
    int64_t from = l->nav.top - page, to = l->nav.top + 3 * page;
    listwin_fetch f = listwin_next_fetch(&l->win, from, to, l->count, chunk(l));
    if (f.kind == LWF_NONE || (f.kind == LWF_LAST && l->count < 0))
        return;
    wk_job *j = new_job(l, WK_PAGE, on_page);
    j->n = f.n;
    switch (f.kind) {
    case LWF_FIRST: j->how = WP_FIRST; break;
    case LWF_LAST: j->how = WP_LAST; break;
    case LWF_AT: j->how = WP_AT; j->offset = f.offset; break;
    case LWF_AFTER:
        j->how = WP_AFTER;
        query_cursor_copy(&j->cursor, &l->win.rows[l->win.n - 1].cursor);
        break;
    case LWF_BEFORE:
        j->how = WP_BEFORE;
        query_cursor_copy(&j->cursor, &l->win.rows[0].cursor);
        break;
    default: break;
    }
    l->fetching = true;
    worker_submit(browser_worker(l->b), j);
}

static void submit_count(reclist *l)
{
    worker_submit(browser_worker(l->b), new_job(l, WK_COUNT, on_count));
}

/* Start over: a new filter, sort or column set. keep says whether to stay
 * on the rows shown (a refresh) or go back to the top (a new question). */
static void requery(reclist *l, bool keep)
{
    l->gen++;
    worker_drop(browser_worker(l->b), l->owner, l->gen);
    free(l->error);
    l->error = NULL;
    l->fetching = false;
    l->count = -1;
    const query_row *top = keep ? listwin_row(&l->win, l->nav.top) : NULL;
    if (!top) {
        listwin_clear(&l->win);
        l->nav.cursor = l->nav.top = 0;
        listnav_set_count(&l->nav, 0);
        submit_count(l);
        fetch(l);
        return;
    }
    /* Refresh in place: the old rows stay on screen until the new ones land. */
    wk_job *j = new_job(l, WK_PAGE, on_page);
    j->how = WP_AROUND;
    query_cursor_copy(&j->cursor, &top->cursor);
    j->n_before = (size_t)(l->nav.page > 0 ? l->nav.page : 24);
    j->n = chunk(l) + (size_t)(l->nav.page > 0 ? l->nav.page : 24);
    j->offset = l->nav.top; /* where the anchor row sits */
    l->fetching = true;
    submit_count(l);
    worker_submit(browser_worker(l->b), j);
}

/* ---- Results ----------------------------------------------------------------------- */

static void side_follow(reclist *l);

static void set_nav_count(reclist *l)
{
    listnav_set_count(&l->nav, shown_count(l));
}

static void show_error(reclist *l, wk_job *j)
{
    free(l->error);
    l->error = xstrdup(j->err.message);
    app *a = browser_app(l->b);
    if (l->prompting && j->status == HT_INVALID)
        app_prompt_error(a, j->err_col > 0 ? j->err_col - 1 : 0, j->err.message);
    else if (j->status != HT_INVALID)
        app_error(a, &j->err);
}

/* A page from an AROUND request: the anchor row goes where it was. */
static void place_around(reclist *l, wk_job *j)
{
    int64_t want_top = j->offset;
    int64_t base = want_top - (int64_t)j->before;
    bool start = !j->page->more_before;
    listwin_set(&l->win, j->page, base < 0 ? 0 : base);
    j->page = NULL;
    if (start) { /* the true position is known: keep the cursor on its row */
        int64_t shift = (int64_t)j->before - want_top;
        l->nav.top += shift;
        l->nav.cursor += shift;
    }
}

static void take_page(reclist *l, wk_job *j)
{
    switch (j->how) {
    case WP_FIRST: listwin_set(&l->win, j->page, 0); break;
    case WP_LAST:
        listwin_set(&l->win, j->page, l->count - (int64_t)j->page->nrows);
        break;
    case WP_AT: listwin_set(&l->win, j->page, j->offset); break;
    case WP_AFTER: listwin_append(&l->win, j->page); break;
    case WP_BEFORE: listwin_prepend(&l->win, j->page); break;
    case WP_AROUND: place_around(l, j); return;
    }
    j->page = NULL;
}

static void trim(reclist *l)
{
    int64_t page = l->nav.page > 0 ? l->nav.page : 24;
    int64_t keep = KEEP_PAGES * page + (int64_t)chunk(l);
    listwin_trim(&l->win, l->nav.top - keep, l->nav.top + page + keep);
}

/* Is every row the pane shows in memory? */
static bool shown_complete(const reclist *l)
{
    int64_t total = shown_count(l);
    int64_t page = l->nav.page > 0 ? l->nav.page : 24;
    for (int64_t i = l->nav.top; i < l->nav.top + page && i < total; i++)
        if (!listwin_row(&l->win, i))
            return false;
    return l->win.valid;
}

static void on_page(void *ud, wk_job *j)
{
    reclist *l = ud;
    if (j->gen != l->gen)
        return;
    l->fetching = false;
    app *a = browser_app(l->b);
    if (j->status == HT_CANCELLED)
        return;
    if (j->status != HT_OK) {
        listwin_clear(&l->win);
        show_error(l, j);
        set_nav_count(l);
        app_redraw(a, APP_DIRTY_ALL);
        return;
    }
    /* A prefetch beyond the screen changes nothing shown: no redraw. */
    bool was_shown = shown_complete(l);
    int64_t count_before = shown_count(l);
    take_page(l, j);
    trim(l);
    set_nav_count(l);
    listnav_set_cursor(&l->nav, l->nav.cursor);
    side_follow(l);
    /* Enter pressed before the row arrived: open it now, as asked. */
    const query_row *cur = l->open_pending ? cursor_row(l) : NULL;
    if (cur) {
        l->open_pending = false;
        browser_open_record(l->b, l->object, cur->id);
    }
    if (!was_shown || j->how == WP_AROUND || j->how == WP_AT || j->how == WP_FIRST ||
        j->how == WP_LAST || shown_count(l) != count_before)
        app_redraw(a, APP_DIRTY_ALL);
    fetch(l);
}

static void on_count(void *ud, wk_job *j)
{
    reclist *l = ud;
    if (j->gen != l->gen || j->status != HT_OK)
        return;
    l->count = j->count;
    /* A window that reaches the end tells where its rows really are (a
     * saved position can point past records deleted since). */
    int64_t end = l->win.base + (int64_t)l->win.n;
    if (l->win.valid && l->win.at_end && !l->win.at_start && end != l->count) {
        int64_t shift = l->count - end;
        if (l->win.base + shift < 0)
            shift = -l->win.base;
        l->win.base += shift;
        l->nav.top += shift;
        l->nav.cursor += shift;
        if (l->nav.top < 0)
            l->nav.top = 0;
        if (l->nav.cursor < 0)
            l->nav.cursor = 0;
    }
    set_nav_count(l);
    app_redraw(browser_app(l->b), APP_DIRTY_ALL);
    fetch(l);
}

/* ---- The side pane --------------------------------------------------------------------- */

static const query_row *cursor_row(const reclist *l)
{
    return listwin_row(&l->win, l->nav.cursor);
}

static void side_follow(reclist *l)
{
    if (!l->side)
        return;
    const query_row *r = cursor_row(l);
    const char *id = r ? r->id : "";
    if (strcmp(id, l->side_id) == 0)
        return;
    snprintf(l->side_id, sizeof l->side_id, "%s", id);
    detail_show(l->side, l->object, r ? r->id : NULL);
}

static view *rl_side(view *v, app *a)
{
    reclist *l = rl(v);
    if (!app_layout(a)->wide)
        return NULL;
    if (!l->side) {
        l->side = detail_companion_new(l->b);
        l->side_id[0] = '\0';
        side_follow(l);
    }
    return l->side;
}

/* ---- Drawing ------------------------------------------------------------------------- */

static col_spec spec_for(const reclist *l, size_t i)
{
    const prop_def *p = objmeta_prop(l->m, l->cols[i].prop);
    col_spec c = {.min = 6, .pref = 16, .max = 40, .grow = 2, .priority = 100 - (int)i};
    if (p) {
        switch (p->type) {
        case PROP_NUMBER:
            c = (col_spec){4, fmt_is_money(p) ? 12 : 9, 18, 0, c.priority};
            break;
        case PROP_DATE: c = (col_spec){10, 10, 10, 0, c.priority}; break;
        case PROP_DATETIME:
            c = (col_spec){10, p->field_type && !strcmp(p->field_type, "date") ? 10 : 16, 16, 0,
                           c.priority};
            break;
        case PROP_BOOL: c = (col_spec){3, 5, 5, 0, c.priority}; break;
        case PROP_ENUM: c = (col_spec){6, 16, 28, 1, c.priority}; break;
        default:
            if (strstr(p->name, "email"))
                c = (col_spec){8, 24, 40, 2, c.priority};
            break;
        }
    }
    /* Narrow panes drop the last columns rather than squeeze them all. */
    if (c.grow && c.min < c.pref * 2 / 3)
        c.min = c.pref * 2 / 3;
    if (i == 0)
        c.priority = 1000, c.pref = c.pref < 16 ? 16 : c.pref;
    if (l->cols[i].width > 0)
        c.min = c.pref = c.max = l->cols[i].width, c.grow = 0;
    int label_w = p ? (int)strlen(p->label) : 8;
    if (c.max && label_w > c.pref && label_w <= c.max)
        c.pref = label_w;
    return c;
}

static void column_widths(const reclist *l, int width, int *w)
{
    col_spec *specs = xcalloc(l->ncols + 1, sizeof *specs);
    for (size_t i = 0; i < l->ncols; i++)
        specs[i] = spec_for(l, i);
    layout_columns(specs, (int)l->ncols, width, 1, w);
    free(specs);
}

static bool right_aligned(const reclist *l, size_t i)
{
    const prop_def *p = objmeta_prop(l->m, l->cols[i].prop);
    return p && p->type == PROP_NUMBER && !prop_is_owner(p);
}

static void draw_header(reclist *l, app *a, WINDOW *win, int cols, const int *w)
{
    unsigned flags = app_text_flags(a);
    attr_t hdr = app_attr(a, ROLE_HEADER);
    draw_fill(win, 0, 0, cols, hdr);
    int x = GUTTER;
    for (size_t i = 0; i < l->ncols; i++) {
        if (w[i] <= 0)
            continue;
        const prop_def *p = objmeta_prop(l->m, l->cols[i].prop);
        strbuf sb = {0};
        strbuf_puts(&sb, p ? p->label : l->cols[i].prop);
        bool sorted = l->sort && strcmp(l->sort, l->cols[i].prop) == 0;
        if (sorted)
            strbuf_puts(&sb, (flags & TEXT_ASCII) ? (l->desc ? " v" : " ^")
                                                  : (l->desc ? " \xE2\x96\xBC" : " \xE2\x96\xB2"));
        theme_role role = sorted ? ROLE_HEADER_SORT : ROLE_HEADER;
        attr_t at = app_attr(a, role);
        if ((int)i == l->cur_col)
            at |= A_BOLD;
        draw_text(win, 0, x, w[i], strbuf_str(&sb), at,
                  right_aligned(l, i) ? TEXT_RIGHT : TEXT_LEFT, flags);
        strbuf_free(&sb);
        x += w[i] + 1;
    }
}

static bool in_visual(const reclist *l, int64_t row)
{
    if (l->visual < 0)
        return false;
    int64_t a = l->visual < l->nav.cursor ? l->visual : l->nav.cursor;
    int64_t b = l->visual < l->nav.cursor ? l->nav.cursor : l->visual;
    return row >= a && row <= b;
}

static void draw_cells(reclist *l, app *a, WINDOW *win, int y, const query_row *r,
                       const int *w, attr_t row_attr, bool highlight)
{
    unsigned flags = app_text_flags(a);
    fmt_ctx fc = browser_fmt(l->b, l->m, false);
    const char *pipeline_id = NULL;
    for (size_t i = 0; i < l->ncols; i++)
        if (l->m->pipeline_prop && strcmp(l->cols[i].prop, l->m->pipeline_prop) == 0)
            pipeline_id = r->values[i];
    fmt_record rec = {.pipeline_id = pipeline_id};
    int x = GUTTER;
    for (size_t i = 0; i < l->ncols; i++) {
        if (w[i] <= 0)
            continue;
        const prop_def *p = objmeta_prop(l->m, l->cols[i].prop);
        strbuf sb = {0};
        fmt_style st = p ? fmt_value(&fc, p, r->values[i], &rec, &sb) : FMT_TEXT;
        if (!p && r->values[i])
            strbuf_puts(&sb, r->values[i]);
        attr_t at = row_attr;
        if (!highlight) {
            outbox_state cs = r->cell_state ? r->cell_state[i] : OB_NONE;
            at = app_attr(a, cs != OB_NONE ? looks_state_role(cs) : looks_value_role(st));
        }
        draw_text(win, y, x, w[i], strbuf_str(&sb), at,
                  right_aligned(l, i) ? TEXT_RIGHT : TEXT_LEFT, flags);
        strbuf_free(&sb);
        x += w[i] + 1;
    }
}

static void draw_row(reclist *l, app *a, WINDOW *win, int y, int64_t row, int cols,
                     const int *w, bool focused)
{
    unsigned flags = app_text_flags(a);
    bool ascii = flags & TEXT_ASCII;
    const query_row *r = listwin_row(&l->win, row);
    bool cur = row == l->nav.cursor;
    bool marked = r && markset_has(&l->marks, r->id);
    theme_role base_role = cur ? (focused ? ROLE_CURSOR : ROLE_CURSOR_BLUR)
                               : in_visual(l, row) ? ROLE_ROW_VISUAL
                               : marked            ? ROLE_ROW_MARKED
                                                   : ROLE_DEFAULT;
    attr_t base = app_attr(a, base_role);
    draw_fill(win, y, 0, cols, base);
    if (!r) {
        draw_str(win, y, GUTTER, cols - GUTTER, ascii ? "..." : "\xE2\x80\xA6",
                 app_attr(a, ROLE_HINT), flags);
        return;
    }
    if (marked)
        draw_str(win, y, 0, 1, ascii ? "*" : "\xE2\x96\x8C", cur ? base : app_attr(a, ROLE_ROW_MARKED),
                 flags);
    if (r->row_state != OB_NONE)
        draw_str(win, y, 1, 1, looks_state_marker(r->row_state, ascii),
                 cur ? base : app_attr(a, looks_state_role(r->row_state)), flags);
    draw_cells(l, a, win, y, r, w, base, base_role != ROLE_DEFAULT);
}

static void draw_empty(reclist *l, app *a, WINDOW *win, int rows, int cols)
{
    unsigned flags = app_text_flags(a);
    if (rows < 2)
        return;
    if (l->error) {
        draw_str(win, 1, 1, cols - 2, l->error, app_attr(a, ROLE_STATUS_ERROR), flags);
        return;
    }
    if (!l->win.valid) {
        draw_str(win, 1, 1, cols - 2, "Loading\xE2\x80\xA6", app_attr(a, ROLE_HINT), flags);
        return;
    }
    strbuf sb = {0};
    if (l->filter)
        strbuf_printf(&sb, "No %s match the filter (Esc in / clears it)", l->m->label_plural);
    else
        strbuf_printf(&sb, "No %s in the cache yet: S (or :sync) fetches them from HubSpot",
                      l->m->label_plural);
    draw_str(win, 1, 1, cols - 2, strbuf_str(&sb), app_attr(a, ROLE_HINT), flags);
    strbuf_free(&sb);
}

static void rl_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    reclist *l = rl(v);
    int *w = xcalloc(l->ncols + 1, sizeof *w);
    column_widths(l, cols - GUTTER, w);
    draw_header(l, a, win, cols, w);
    int64_t total = shown_count(l);
    if (total == 0 || l->error)
        draw_empty(l, a, win, rows, cols);
    for (int y = 1; y < rows && l->nav.top + y - 1 < total && !l->error; y++)
        draw_row(l, a, win, y, l->nav.top + y - 1, cols, w, focused);
    free(w);
}

static void rl_title(view *v, app *a, strbuf *out)
{
    reclist *l = rl(v);
    char n[32];
    strbuf_puts(out, l->m->label_plural);
    if (l->count >= 0) {
        status_format_count(l->count, n);
        strbuf_printf(out, " \xC2\xB7 %s", n);
    } else {
        strbuf_puts(out, " \xC2\xB7 \xE2\x80\xA6");
    }
    if (l->filter)
        strbuf_printf(out, " /%s", l->filter);
    if (markset_count(&l->marks)) {
        status_format_count((int64_t)markset_count(&l->marks), n);
        strbuf_printf(out, " \xC2\xB7 %s marked", n);
    }
}

/* ---- Filter -------------------------------------------------------------------------------- */

static void set_filter(reclist *l, app *a, const char *text)
{
    l->open_pending = false;
    char *f = str_empty(text) ? NULL : xstrdup(text);
    if (str_cmp0(f, l->filter) == 0) {
        free(f);
        return;
    }
    /* Syntax first, here: a mistake marks its column at once and the list
     * keeps showing the last good filter. Property names and values are
     * checked by the worker against the cache. */
    int col = 0;
    char msg[512];
    if (f && !filtercheck(f, &col, msg, sizeof msg)) {
        app_prompt_error(a, col > 0 ? col - 1 : 0, msg);
        free(f);
        return;
    }
    free(l->filter);
    l->filter = f;
    requery(l, false);
    app_redraw(a, APP_DIRTY_ALL);
}

static void filter_changed(void *ud, app *a, const char *text)
{
    set_filter(ud, a, text);
}

static void filter_submit(void *ud, app *a, const char *text)
{
    reclist *l = ud;
    l->prompting = false;
    set_filter(l, a, text);
    free(l->filter_before);
    l->filter_before = NULL;
    if (l->error)
        app_message(a, MSG_ERROR, "%s", l->error);
    l->stamp = browser_stamp(l->b);
    save_state(l);
}

static void filter_cancel(void *ud, app *a)
{
    reclist *l = ud;
    l->prompting = false;
    char *before = l->filter_before;
    l->filter_before = NULL;
    set_filter(l, a, before);
    free(before);
}

static view_result open_filter(reclist *l, app *a)
{
    free(l->filter_before);
    l->filter_before = l->filter ? xstrdup(l->filter) : NULL;
    l->prompting = true;
    app_prompt(a, &(prompt_ops){.label = "/", .line = app_filter_line(a),
                                .changed = filter_changed, .submit = filter_submit,
                                .cancel = filter_cancel, .ud = l, .owner = &l->base},
               l->filter);
    return VR_HANDLED;
}

/* ---- Sort and columns ----------------------------------------------------------------------- */

static void on_index(void *ud, wk_job *j)
{
    reclist *l = ud;
    app *a = browser_app(l->b);
    status_set_activity(app_status(a), NULL);
    if (j->status != HT_OK) {
        if (j->status != HT_CANCELLED)
            app_error(a, &j->err);
        return;
    }
    if (j->built_ms > 0)
        app_message(a, MSG_INFO, "Built the sort index for %s in %.1f s (once)", j->sort,
                    (double)j->built_ms / 1000.0);
}

static view_result sort_by(reclist *l, app *a, const char *prop)
{
    const prop_def *p = NULL;
    if (prop && strcmp(prop, "id") != 0 && !(p = objmeta_prop(l->m, prop))) {
        app_message(a, MSG_ERROR, "%s have no property '%s'", l->m->label_plural, prop);
        return VR_HANDLED;
    }
    const char *name = p ? p->name : NULL;
    if (str_cmp0(name, l->sort) == 0) {
        l->desc = !l->desc;
    } else {
        free(l->sort);
        l->sort = name ? xstrdup(name) : NULL;
        l->desc = false;
    }
    l->sort_chosen = true;
    requery(l, false);
    if (l->sort) {
        /* Built before the pages run (the worker goes in order). */
        wk_job *j = new_job(l, WK_INDEX, on_index);
        worker_submit(browser_worker(l->b), j);
        char text[64];
        snprintf(text, sizeof text, "sorting by %s", p->label);
        status_set_activity(app_status(a), text);
    }
    app_message(a, MSG_INFO, "Sorted by %s, %s", p ? p->label : "record id",
                l->desc ? "descending" : "ascending");
    return VR_REDRAW_ALL;
}

static view_result move_column(reclist *l, int dir)
{
    int to = l->cur_col + dir;
    if (to < 0 || to >= (int)l->ncols)
        return VR_HANDLED;
    colconf_col tmp = l->cols[l->cur_col];
    l->cols[l->cur_col] = l->cols[to];
    l->cols[to] = tmp;
    l->cur_col = to;
    l->cols_chosen = true;
    rebuild_colnames(l);
    requery(l, true);
    return VR_REDRAW;
}

static void set_columns(reclist *l, char **names, size_t n)
{
    colconf_col *cols = xcalloc(n + 1, sizeof *cols);
    for (size_t i = 0; i < n; i++) {
        cols[i].prop = xstrdup(names[i]);
        for (size_t k = 0; k < l->ncols; k++) /* keep configured widths */
            if (strcmp(l->cols[k].prop, names[i]) == 0)
                cols[i].width = l->cols[k].width;
    }
    colconf_cols_free(l->cols, l->ncols);
    l->cols = cols;
    l->ncols = n;
    l->cols_chosen = true;
    rebuild_colnames(l);
}

typedef struct chooser_ctx {
    browser *b;
    char *object;
} chooser_ctx;

static void chooser_cancel(void *ud, app *a)
{
    chooser_ctx *c = ud;
    free(c->object);
    free(c);
}

static void chooser_done(void *ud, app *a, const picker_result *r)
{
    chooser_ctx *c = ud;
    view *v = app_main_view(a);
    if (r->nchecked == 0) {
        app_message(a, MSG_WARN, "A list needs at least one column: nothing changed");
    } else if (v && v->ops == &reclist_ops && strcmp(rl(v)->object, c->object) == 0) {
        /* The checked ones, in the order the chooser ended with. */
        char **names = xcalloc(r->nchecked + 1, sizeof *names);
        size_t n = 0;
        for (size_t i = 0; i < r->norder; i++)
            for (size_t k = 0; k < r->nchecked; k++)
                if (strcmp(r->order[i], r->checked[k]) == 0)
                    names[n++] = r->order[i];
        set_columns(rl(v), names, n);
        free(names);
        requery(rl(v), true);
        app_redraw(a, APP_DIRTY_ALL);
    }
    chooser_cancel(ud, a);
}

static int by_label(const void *x, const void *y)
{
    const prop_def *const *a = x, *const *b = y;
    return strcasecmp((*a)->label, (*b)->label);
}

static view_result choose_columns(reclist *l, app *a)
{
    chooser_ctx *c = xcalloc(1, sizeof *c);
    c->b = l->b;
    c->object = xstrdup(l->object);
    picker *p = picker_new(&(picker_opts){
        .title = "Columns",
        .intro = "Space shows or hides a column, K/J (or S-Up/S-Down) move it, Enter applies.",
        .multi = true, .reorder = true, .kind = VIEW_COLUMNS,
        .done = chooser_done, .cancel = chooser_cancel, .ud = c});
    for (size_t i = 0; i < l->ncols; i++) {
        const prop_def *pd = objmeta_prop(l->m, l->cols[i].prop);
        picker_add(p, pd ? pd->label : l->cols[i].prop, l->cols[i].prop, l->cols[i].prop, true);
    }
    const prop_def **rest = xcalloc(l->m->nprops + 1, sizeof *rest);
    size_t nrest = 0;
    for (size_t i = 0; i < l->m->nprops; i++) {
        const prop_def *pd = &l->m->props[i];
        bool shown = false;
        for (size_t k = 0; k < l->ncols && !shown; k++)
            shown = strcmp(l->cols[k].prop, pd->name) == 0;
        if (!shown && !pd->archived && (!pd->hidden || !pd->defined))
            rest[nrest++] = pd;
    }
    qsort(rest, nrest, sizeof *rest, by_label);
    for (size_t i = 0; i < nrest; i++)
        picker_add(p, rest[i]->label, rest[i]->name, rest[i]->name, false);
    free(rest);
    picker_open(p, a);
    return VR_HANDLED;
}

/* ---- Marks -------------------------------------------------------------------------------- */

static void on_ids(void *ud, wk_job *j)
{
    reclist *l = ud;
    app *a = browser_app(l->b);
    status_set_activity(app_status(a), NULL);
    if (j->gen != l->gen || j->status != HT_OK) {
        if (j->status != HT_OK && j->status != HT_CANCELLED)
            app_error(a, &j->err);
        return;
    }
    size_t added = 0;
    if (j->kind == WK_IDS)
        for (size_t i = 0; i < j->nid_list; i++)
            added += markset_add(&l->marks, j->id_list[i]);
    else
        for (size_t i = 0; j->page && i < j->page->nrows; i++)
            added += markset_add(&l->marks, j->page->rows[i].id);
    char n[32], t[32];
    status_format_count((int64_t)added, n);
    status_format_count((int64_t)markset_count(&l->marks), t);
    app_message(a, MSG_INFO, "Marked %s more %s (%s marked; E edits them, U clears)", n,
                l->m->label_plural, t);
    app_redraw(a, APP_DIRTY_ALL);
}

static view_result mark_range(reclist *l, app *a)
{
    if (l->visual < 0) {
        l->visual = l->nav.cursor;
        app_message(a, MSG_INFO, "Marking a range: move, then V again (Esc: U clears marks)");
        return VR_REDRAW;
    }
    int64_t from = l->visual < l->nav.cursor ? l->visual : l->nav.cursor;
    int64_t to = l->visual < l->nav.cursor ? l->nav.cursor : l->visual;
    l->visual = -1;
    if (to - from + 1 > MAX_RANGE) {
        app_message(a, MSG_WARN, "That range is too long to mark (* marks every match)");
        return VR_REDRAW;
    }
    bool loaded = listwin_row(&l->win, from) && listwin_row(&l->win, to);
    if (loaded) {
        for (int64_t i = from; i <= to; i++)
            markset_add(&l->marks, listwin_row(&l->win, i)->id);
        return VR_REDRAW_ALL;
    }
    wk_job *j = new_job(l, WK_PAGE, on_ids);
    j->how = WP_AT;
    j->offset = from;
    j->n = (size_t)(to - from + 1);
    worker_submit(browser_worker(l->b), j);
    return VR_REDRAW;
}

static view_result mark_matching(reclist *l, app *a)
{
    wk_job *j = new_job(l, WK_IDS, on_ids);
    worker_submit(browser_worker(l->b), j);
    status_set_activity(app_status(a), "marking matches");
    return VR_HANDLED;
}

static view_result mark_row(reclist *l, app *a)
{
    const query_row *r = cursor_row(l);
    if (!r)
        return VR_HANDLED;
    markset_toggle(&l->marks, r->id);
    bool changed;
    listnav_apply(&l->nav, ACT_MOVE_DOWN, &changed);
    fetch(l);
    side_follow(l);
    return VR_REDRAW_ALL;
}

/* ---- Edits --------------------------------------------------------------------------------- */

static const char *current_prop(const reclist *l)
{
    return l->ncols ? l->cols[l->cur_col].prop : NULL;
}

static view_result edit_cell(reclist *l, app *a)
{
    const query_row *r = cursor_row(l);
    if (!r || !current_prop(l))
        return VR_HANDLED;
    editor_edit(l->b, l->object, r->id, current_prop(l));
    return VR_HANDLED;
}

static view_result bulk(reclist *l, app *a, const char *prop)
{
    size_t n = 0;
    char (*ids)[32] = markset_ids(&l->marks, &n);
    if (n == 0) {
        free(ids);
        app_message(a, MSG_INFO, "Mark records first: Space marks one, V a range, * every match");
        return VR_HANDLED;
    }
    bulk_edit(l->b, l->object, ids, n, prop, current_prop(l));
    return VR_HANDLED;
}

static view_result copy_cell(reclist *l, app *a)
{
    const query_row *r = cursor_row(l);
    if (!r || !l->ncols)
        return VR_HANDLED;
    const prop_def *p = objmeta_prop(l->m, current_prop(l));
    strbuf sb = {0};
    fmt_ctx fc = browser_fmt(l->b, l->m, true);
    if (p)
        fmt_value(&fc, p, r->values[l->cur_col], NULL, &sb);
    const char *text = sb.len ? strbuf_str(&sb) : r->values[l->cur_col];
    ht_error err;
    if (!text)
        app_message(a, MSG_INFO, "Nothing to copy: the cell is empty");
    else if (app_copy(a, text, &err) == HT_OK)
        app_message(a, MSG_INFO, "Copied: %s", text);
    else
        app_error(a, &err);
    strbuf_free(&sb);
    return VR_HANDLED;
}

/* ---- Actions ---------------------------------------------------------------------------------- */

static view_result moved(reclist *l)
{
    fetch(l);
    side_follow(l);
    return l->side ? VR_REDRAW_ALL : VR_REDRAW;
}

static view_result rl_act(view *v, app *a, const action_call *call)
{
    reclist *l = rl(v);
    bool changed;
    if (listnav_apply(&l->nav, call->id, &changed))
        return changed ? moved(l) : VR_HANDLED;
    const query_row *r = cursor_row(l);
    switch (call->id) {
    case ACT_MOVE_LEFT:
    case ACT_MOVE_RIGHT:
        l->cur_col += call->id == ACT_MOVE_LEFT ? -1 : 1;
        if (l->cur_col < 0)
            l->cur_col = 0;
        if (l->cur_col >= (int)l->ncols)
            l->cur_col = l->ncols ? (int)l->ncols - 1 : 0;
        return VR_REDRAW;
    case ACT_MOVE_ITEM_UP:
    case ACT_MOVE_ITEM_DOWN:
        return move_column(l, call->id == ACT_MOVE_ITEM_UP ? -1 : 1);
    case ACT_OPEN:
        if (r)
            browser_open_record(l->b, l->object, r->id);
        else
            l->open_pending = l->count != 0;   /* rows still loading: open on arrival */
        return VR_HANDLED;
    case ACT_GRAPH:
        if (r)
            browser_open_graph(l->b, l->object, r->id);
        return VR_HANDLED;
    case ACT_FILTER:
        if (call->arg) {
            set_filter(l, a, call->arg);
            return VR_REDRAW_ALL;
        }
        return open_filter(l, a);
    case ACT_NEXT_MATCH:
    case ACT_PREV_MATCH:
        listnav_apply(&l->nav, call->id == ACT_NEXT_MATCH ? ACT_MOVE_DOWN : ACT_MOVE_UP,
                      &changed);
        return moved(l);
    case ACT_SORT:
        return sort_by(l, a, call->arg ? call->arg : current_prop(l));
    case ACT_COLUMNS:
        return choose_columns(l, a);
    case ACT_MARK:
        return mark_row(l, a);
    case ACT_MARK_RANGE:
        return mark_range(l, a);
    case ACT_MARK_MATCHING:
        return mark_matching(l, a);
    case ACT_CLEAR_MARKS:
        markset_clear(&l->marks);
        l->visual = -1;
        app_message(a, MSG_INFO, "Marks cleared");
        return VR_REDRAW_ALL;
    case ACT_EDIT:
        return edit_cell(l, a);
    case ACT_BULK_EDIT:
        return bulk(l, a, call->arg);
    case ACT_COPY:
        return copy_cell(l, a);
    case ACT_REFRESH:
        requery(l, true);
        app_message(a, MSG_INFO, "Reloaded from the cache (S syncs with HubSpot)");
        return VR_HANDLED;
    case ACT_CANCEL:
        if (l->visual >= 0) {
            l->visual = -1;
            return VR_REDRAW;
        }
        return VR_UNHANDLED;
    default:
        return VR_UNHANDLED;
    }
}

/* Every action is a use: the list's filter, sort, columns and place are
 * remembered at once, so a second list of the same type opened from the
 * types view starts where this one is. */
static view_result rl_action(view *v, app *a, const action_call *call)
{
    reclist *l = rl(v);
    l->stamp = browser_stamp(l->b);
    l->open_pending = false;   /* any other key: the user moved on */
    view_result r = rl_act(v, a, call);
    if (r & VR_HANDLED)
        save_state(l);
    return r;
}

static view_result rl_mouse(view *v, app *a, const mouse_event *ev)
{
    reclist *l = rl(v);
    if (ev->y < 1)
        return VR_HANDLED;
    int64_t row = l->nav.top + ev->y - 1;
    if (row >= shown_count(l))
        return VR_HANDLED;
    listnav_set_cursor(&l->nav, row);
    if (ev->kind == MOUSE_DOUBLE_CLICK && cursor_row(l))
        browser_open_record(l->b, l->object, cursor_row(l)->id);
    return moved(l);
}

static void rl_resize(view *v, app *a, int rows, int cols)
{
    reclist *l = rl(v);
    listnav_set_page(&l->nav, rows > 1 ? rows - 1 : 1);
    fetch(l);
}

static view_result rl_tick(view *v, app *a, int64_t now)
{
    reclist *l = rl(v);
    uint64_t serial = browser_serial(l->b);
    if (serial == l->seen_serial)
        return VR_UNHANDLED;
    l->seen_serial = serial;
    /* The cache changed (a sync may have brought new properties too). */
    ht_error err;
    const objmeta *m = meta_object(browser_store(l->b), l->object, &err);
    if (m) {
        objmeta_release(l->m);
        l->m = m;
    }
    requery(l, true); /* same place, fresh rows */
    return VR_HANDLED;
}

/* ---- Saving where we were ---------------------------------------------------------------------- */

static void save_state(reclist *l)
{
    /* Another list of the same type was used later: its state wins. */
    if (!browser_claim_list_state(l->b, l->object, l->stamp))
        return;
    list_state ls = {0};
    ls.filter = l->filter;
    ls.has_sort = l->sort_chosen;
    ls.sort = l->sort;
    ls.desc = l->desc;
    char **names = NULL;
    if (l->cols_chosen) {
        names = xcalloc(l->ncols + 1, sizeof *names);
        for (size_t i = 0; i < l->ncols; i++)
            names[i] = l->cols[i].prop;
        ls.columns = names;
        ls.ncolumns = l->ncols;
    }
    ls.top = l->nav.top;
    ls.cursor = l->nav.cursor;
    const query_row *top = listwin_row(&l->win, l->nav.top);
    if (top)
        ls.anchor = top->cursor;
    uistate_put_list(browser_state(l->b), browser_portal(l->b), l->object, &ls);
    free(names);
}

static void rl_close(view *v, app *a)
{
    reclist *l = rl(v);
    save_state(l);
    worker_forget(browser_worker(l->b), l->owner);
    if (l->side)
        app_close_view(a, l->side);
    listwin_clear(&l->win);
    markset_clear(&l->marks);
    colconf_cols_free(l->cols, l->ncols);
    free(l->colnames);
    free(l->filter);
    free(l->filter_before);
    free(l->sort);
    free(l->error);
    free(l->object);
    objmeta_release(l->m);
    free(l);
}

/* ---- Opening ------------------------------------------------------------------------------------ */

/* Columns: the user's last choice, else the config's, else the defaults
 * for the type, else its name properties; unknown properties are dropped
 * with a word in the message line. */
static void pick_columns(reclist *l, const list_state *ls, const colconf_entry *ce)
{
    colconf_col *cols = xcalloc(l->m->nprops + 16, sizeof *cols);
    size_t n = 0;
    strbuf dropped = {0};
    const char *const *defaults = colconf_defaults(l->m->name);
    if (ls->ncolumns) {
        l->cols_chosen = true;
        for (size_t i = 0; i < ls->ncolumns; i++)
            cols[n++] = (colconf_col){xstrdup(ls->columns[i]), 0};
    } else if (ce && ce->ncols) {
        for (size_t i = 0; i < ce->ncols; i++)
            cols[n++] = (colconf_col){xstrdup(ce->cols[i].prop), ce->cols[i].width};
    } else if (defaults) {
        for (size_t i = 0; defaults[i]; i++)
            cols[n++] = (colconf_col){xstrdup(defaults[i]), 0};
    }
    if (!defaults && !n) {
        for (size_t i = 0; i < l->m->ndisplay && n < 8; i++)
            cols[n++] = (colconf_col){xstrdup(l->m->display_props[i]), 0};
        for (size_t i = 0; i < l->m->nsearch && n < 6; i++) {
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= strcmp(cols[k].prop, l->m->search_props[i]) == 0;
            if (!dup)
                cols[n++] = (colconf_col){xstrdup(l->m->search_props[i]), 0};
        }
        if (l->m->created_prop)
            cols[n++] = (colconf_col){xstrdup(l->m->created_prop), 0};
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const prop_def *p = objmeta_prop(l->m, cols[i].prop);
        bool dup = false;
        for (size_t k = 0; k < kept && p; k++)
            dup |= strcmp(cols[k].prop, p->name) == 0;
        if (!p || dup) {
            if (!p && (ls->ncolumns || (ce && ce->ncols)))
                strbuf_printf(&dropped, "%s%s", dropped.len ? ", " : "", cols[i].prop);
            free(cols[i].prop);
            continue;
        }
        cols[kept++] = cols[i];
    }
    if (kept == 0 && l->m->nprops) /* nothing usable: the first property at least */
        cols[kept++] = (colconf_col){xstrdup(l->m->props[0].name), 0};
    l->cols = cols;
    l->ncols = kept;
    rebuild_colnames(l);
    if (dropped.len)
        app_message(browser_app(l->b), MSG_WARN, "%s have no %s: column%s left out",
                    l->m->label_plural, strbuf_str(&dropped), strchr(strbuf_str(&dropped), ',') ? "s" : "");
    strbuf_free(&dropped);
}

static void pick_sort(reclist *l, const list_state *ls, const colconf_entry *ce)
{
    const char *sort = NULL;
    bool desc = false;
    if (ls->has_sort) {
        sort = ls->sort;
        desc = ls->desc;
        l->sort_chosen = true;
    } else if (ce && ce->has_sort) {
        sort = ce->sort;
        desc = ce->desc;
    }
    if (sort && !objmeta_prop(l->m, sort)) {
        app_message(browser_app(l->b), MSG_WARN, "%s have no property '%s' to sort by",
                    l->m->label_plural, sort);
        sort = NULL;
    }
    l->sort = sort ? xstrdup(sort) : NULL;
    l->desc = desc;
}

/* Open where the list was left: the saved top row's place in the order. */
static void restore_position(reclist *l, list_state *ls)
{
    wk_job *j = new_job(l, WK_PAGE, on_page);
    j->how = WP_AROUND;
    query_cursor_copy(&j->cursor, &ls->anchor);
    j->n_before = MIN_CHUNK;
    j->n = 2 * MIN_CHUNK;
    j->offset = ls->top;
    l->nav.top = ls->top;
    l->nav.cursor = ls->cursor;
    l->nav.count = ls->cursor + 1;
    l->fetching = true;
    submit_count(l);
    worker_submit(browser_worker(l->b), j);
}

static bool rl_open(view *v, app *a, ht_error *err)
{
    reclist *l = rl(v);
    l->stamp = browser_stamp(l->b);
    l->owner = worker_new_owner(browser_worker(l->b));
    l->seen_serial = browser_serial(l->b);
    list_state ls;
    uistate_get_list(browser_state(l->b), browser_portal(l->b), l->object, &ls);
    const colconf_entry *ce = colconf_find(browser_colconf(l->b), l->object);
    if (!ce && l->m->fqn)
        ce = colconf_find(browser_colconf(l->b), l->m->fqn);
    pick_columns(l, &ls, ce);
    pick_sort(l, &ls, ce);
    l->filter = ls.filter ? xstrdup(ls.filter) : NULL;
    l->gen = 1;
    if (l->sort) {
        /* Sorted by a property (config or last run): its index first, once,
         * so the pages that follow seek instead of scanning. */
        wk_job *j = new_job(l, WK_INDEX, on_index);
        j->gen = UINT64_MAX; /* the requery below must not drop it */
        worker_submit(browser_worker(l->b), j);
    }
    if (ls.anchor.valid)
        restore_position(l, &ls);
    else
        requery(l, false);
    list_state_clear(&ls);
    return true;
}

char **reclist_column_names(view *v)
{
    if (!v || v->ops != &reclist_ops)
        return NULL;
    const objmeta *m = rl(v)->m;
    char **out = xcalloc(m->nprops + 1, sizeof *out);
    for (size_t i = 0; i < m->nprops; i++)
        out[i] = xstrdup(m->props[i].name);
    return out;
}

static const struct view_ops reclist_ops = {
    .name = "list",
    .kind = VIEW_LIST,
    .open = rl_open,
    .draw = rl_draw,
    .title = rl_title,
    .action = rl_action,
    .mouse = rl_mouse,
    .resize = rl_resize,
    .tick = rl_tick,
    .side = rl_side,
    .close = rl_close,
};

view *reclist_new(browser *b, const char *object)
{
    const objmeta *m = browser_meta(b, object);
    if (!m)
        return NULL;
    reclist *l = xcalloc(1, sizeof *l);
    l->base.ops = &reclist_ops;
    l->b = b;
    l->m = m;
    l->object = xstrdup(m->name);
    l->count = -1;
    l->visual = -1;
    return &l->base;
}
