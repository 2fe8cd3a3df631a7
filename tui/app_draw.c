#include "app_priv.h"
#include "draw.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* ---- Windows ---------------------------------------------------------- */

static void del_win(WINDOW **w)
{
    if (*w)
        delwin(*w);
    *w = NULL;
}

static WINDOW *new_win(const rect *r)
{
    if (r->h <= 0 || r->w <= 0)
        return NULL;
    WINDOW *w = newwin(r->h, r->w, r->y, r->x);
    if (w)
        leaveok(w, TRUE);
    return w;
}

void app_destroy_windows(app *a)
{
    del_win(&a->w_top);
    del_win(&a->w_status);
    del_win(&a->w_msg);
    for (int p = 0; p < PANE_COUNT; p++) {
        del_win(&a->w_title[p]);
        del_win(&a->w_body[p]);
    }
    del_win(&a->w_sep[0]);
    del_win(&a->w_sep[1]);
    del_win(&a->w_ovl_frame);
    del_win(&a->w_ovl_body);
}

static void resize_view(app *a, view *v, int rows, int cols)
{
    if (!v || (v->rows == rows && v->cols == cols))
        return;
    v->rows = rows;
    v->cols = cols;
    if (v->ops->resize)
        v->ops->resize(v, a, rows, cols);
}

rect app_overlay_body(const layout *l)
{
    return (rect){l->overlay.y + 1, l->overlay.x + 1, l->overlay.h - 2, l->overlay.w - 2};
}

static void build_windows(app *a)
{
    app_destroy_windows(a);
    const layout *l = &a->lay;
    if (l->mode == LAYOUT_TOO_SMALL)
        return;
    a->w_top = new_win(&l->topbar);
    a->w_status = new_win(&l->status);
    a->w_msg = new_win(&l->message);
    if (a->w_msg)
        leaveok(a->w_msg, FALSE);
    for (int p = 0; p < PANE_COUNT; p++) {
        if (!l->pane[p].visible)
            continue;
        a->w_title[p] = new_win(&l->pane[p].title);
        a->w_body[p] = new_win(&l->pane[p].body);
    }
    a->w_sep[0] = new_win(&l->sep[0]);
    a->w_sep[1] = new_win(&l->sep[1]);
    rect body = app_overlay_body(l);
    a->w_ovl_frame = new_win(&l->overlay);
    a->w_ovl_body = new_win(&body);
}

/* Lay the screen out (cheap, pure) and rebuild the windows when the size
 * or the set of panes changed. */
static void update_layout(app *a)
{
    /* A main view offers its side pane when app_layout()->wide: answer for
     * the size the terminal has now, not the one the last layout had. */
    a->lay.wide = layout_is_wide(COLS);
    view *side = app_side_view(a);
    layout_input in = {.rows = LINES, .cols = COLS, .has_nav = a->nav != NULL,
                       .has_side = side != NULL, .focus = a->want_focus};
    bool same = a->lay_valid && in.rows == a->lay_in.rows && in.cols == a->lay_in.cols &&
                in.has_nav == a->lay_in.has_nav && in.has_side == a->lay_in.has_side;
    pane_id old_focus = a->lay.focus;
    layout_compute(&in, &a->lay);
    a->lay_in = in;
    if (!same || (a->dirty & APP_DIRTY_LAYOUT)) {
        build_windows(a);
        a->dirty |= APP_DIRTY_ALL;
    }
    a->lay_valid = true;
    if (a->lay.focus != old_focus)
        a->dirty |= APP_DIRTY_NAV | APP_DIRTY_MAIN | APP_DIRTY_SIDE;
    for (int p = 0; p < PANE_COUNT; p++) {
        view *v = a->lay.pane[p].visible ? app_pane_view(a, p) : NULL;
        if (v != a->shown[p])
            a->dirty |= APP_DIRTY_NAV << p; /* a different view in this pane */
        a->shown[p] = v;
        if (v)
            resize_view(a, v, a->lay.pane[p].body.h, a->lay.pane[p].body.w);
    }
    if (a->overlay) {
        rect body = app_overlay_body(&a->lay);
        resize_view(a, a->overlay, body.h, body.w);
    }
}

void app_handle_resize(app *a)
{
    struct winsize ws;
    if (ioctl(a->tty_out, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
        (ws.ws_row != LINES || ws.ws_col != COLS))
        resize_term(ws.ws_row, ws.ws_col);
    a->dirty |= APP_DIRTY_ALL;
}

/* ---- Drawing ---------------------------------------------------------- */

static const char *crumb_sep(app *a)
{
    return (a->text_flags & TEXT_ASCII) ? " > " : " \xE2\x80\xBA ";
}

static void view_title(app *a, view *v, strbuf *out)
{
    if (v->ops->title)
        v->ops->title(v, a, out);
    else
        strbuf_puts(out, v->ops->name);
}

/* "hubtui › Contacts › Jane Doe": the history up to where we are. */
static void draw_topbar(app *a)
{
    WINDOW *w = a->w_top;
    if (!w)
        return;
    attr_t bar = app_attr(a, ROLE_TOPBAR);
    draw_clear(w, bar);
    strbuf sb = {0};
    strbuf_puts(&sb, " hubtui");
    for (int i = 0; i <= a->cur && i < a->nhist; i++) {
        strbuf_puts(&sb, crumb_sep(a));
        view_title(a, a->hist[i], &sb);
    }
    /* When it does not fit, keep the end: where you are matters most. */
    int cols = getmaxx(w);
    const char *s = strbuf_str(&sb);
    while (text_width(s, a->text_flags) > cols - 1 && *s)
        s += text_next_char(s, strlen(s), 0);
    draw_str(w, 0, 0, cols, s, bar, a->text_flags);
    strbuf_free(&sb);
    wnoutrefresh(w);
}

static void draw_pane(app *a, pane_id p)
{
    view *v = a->shown[p];
    WINDOW *tw = a->w_title[p], *bw = a->w_body[p];
    if (!tw || !bw)
        return;
    bool focused = a->lay.focus == p && !a->overlay;
    strbuf sb = {0};
    strbuf_putc(&sb, ' ');
    if (v)
        view_title(a, v, &sb);
    draw_text(tw, 0, 0, getmaxx(tw), strbuf_str(&sb),
              app_attr(a, focused || a->lay.mode == LAYOUT_ONE ? ROLE_TITLE_FOCUS : ROLE_TITLE_BLUR),
              TEXT_LEFT, a->text_flags);
    strbuf_free(&sb);
    draw_clear(bw, app_attr(a, ROLE_DEFAULT));
    if (v)
        v->ops->draw(v, a, bw, getmaxy(bw), getmaxx(bw), a->lay.focus == p && !a->overlay);
    wnoutrefresh(tw);
    wnoutrefresh(bw);
}

static void draw_separators(app *a)
{
    for (int i = 0; i < 2; i++) {
        WINDOW *w = a->w_sep[i];
        if (!w)
            continue;
        attr_t attr = app_attr(a, ROLE_BORDER_BLUR);
        draw_clear(w, attr);
        draw_vline(w, 0, 0, getmaxy(w), attr, a->text_flags);
        wnoutrefresh(w);
    }
}

static void draw_matches(app *a, WINDOW *w)
{
    size_t n, sel;
    const char *const *m = cmdline_matches(a->prompt.line, &n, &sel);
    draw_clear(w, app_attr(a, ROLE_STATUS));
    int x = 1, cols = getmaxx(w);
    for (size_t i = 0; i < n && x < cols - 1; i++) {
        theme_role role = i == sel ? ROLE_CURSOR : ROLE_STATUS;
        x += draw_str(w, 0, x, cols - 1 - x, m[i], app_attr(a, role), a->text_flags) + 2;
    }
}

static void draw_status(app *a)
{
    WINDOW *w = a->w_status;
    if (!w)
        return;
    size_t n = 0, sel;
    if (a->prompting)
        cmdline_matches(a->prompt.line, &n, &sel);
    if (n > 0)
        draw_matches(a, w); /* Tab completion candidates replace the bar */
    else
        statusbar_draw(w, &a->status, &a->attrs, getmaxx(w), a->text_flags);
    a->status_drawn = a->status.serial;
    wnoutrefresh(w);
}

/* "? help  : command  q quit", from the keys actually bound where the
 * focus is (an overlay says how to close it instead). */
static void draw_hint(app *a, WINDOW *w)
{
    static const action_id main_hints[] = {ACT_HELP, ACT_COMMAND, ACT_QUIT};
    static const action_id overlay_hints[] = {ACT_BACK, ACT_FILTER, ACT_COMMAND};
    view *v = app_focused_view(a);
    view_kind kind = v ? v->ops->kind : VIEW_GLOBAL;
    const action_id *hints = a->overlay ? overlay_hints : main_hints;
    strbuf sb = {0};
    for (size_t i = 0; i < 3; i++) {
        key_code k;
        char name[KEY_NAME_MAX];
        if (keymap_keys_for(a->keys, kind, hints[i], &k, 1))
            strbuf_printf(&sb, "%s%s %s", sb.len ? "   " : " ", keymap_key_name(k, name),
                          hints[i] == ACT_BACK ? "close" : action_get(hints[i])->name);
    }
    draw_str(w, 0, 0, getmaxx(w), strbuf_str(&sb), app_attr(a, ROLE_HINT), a->text_flags);
    strbuf_free(&sb);
}

static void draw_prompt(app *a, WINDOW *w)
{
    int cols = getmaxx(w);
    int x = draw_str(w, 0, 0, cols, a->prompt.label, app_attr(a, ROLE_PROMPT), a->text_flags);
    int avail = cols - x;
    int err_w = 0;
    if (a->prompt_err) {
        /* The error takes what the text does not need, at least half. */
        int text_w = text_width(cmdline_text(a->prompt.line), a->text_flags) + 2;
        int room = avail - text_w > avail / 2 ? avail - text_w : avail / 2;
        err_w = text_width(a->prompt_err, a->text_flags) + 2;
        if (err_w > room)
            err_w = room;
        avail -= err_w;
    }
    size_t start;
    int cursor_col;
    cmdline_view(a->prompt.line, avail, &start, &cursor_col);
    const char *text = cmdline_text(a->prompt.line);
    int off = a->prompt_err_off;
    if (a->prompt_err && off >= (int)start && off < (int)strlen(text)) {
        /* The text before the error, the character at it highlighted, the rest. */
        char *head = xstrndup(text + start, (size_t)off - start);
        int used = draw_str(w, 0, x, avail, head, app_attr(a, ROLE_PROMPT), a->text_flags);
        size_t next = text_next_char(text, strlen(text), (size_t)off);
        char *bad = xstrndup(text + off, next - (size_t)off);
        used += draw_str(w, 0, x + used, avail - used, bad, app_attr(a, ROLE_FIELD_ERROR),
                         a->text_flags);
        draw_str(w, 0, x + used, avail - used, text + next, app_attr(a, ROLE_PROMPT),
                 a->text_flags);
        free(head);
        free(bad);
    } else {
        draw_str(w, 0, x, avail, text + start, app_attr(a, ROLE_PROMPT), a->text_flags);
    }
    if (a->prompt_err && err_w > 2)
        draw_text(w, 0, cols - err_w + 2, err_w - 2, a->prompt_err,
                  app_attr(a, ROLE_STATUS_ERROR), TEXT_RIGHT, a->text_flags);
    wmove(w, 0, x + cursor_col);
}

static void draw_message(app *a)
{
    WINDOW *w = a->w_msg;
    if (!w)
        return;
    draw_clear(w, app_attr(a, ROLE_DEFAULT));
    if (a->prompting) {
        draw_prompt(a, w);
    } else if (a->msg) {
        static const theme_role roles[] = {ROLE_STATUS_INFO, ROLE_STATUS_WARN, ROLE_STATUS_ERROR};
        draw_str(w, 0, 0, getmaxx(w), a->msg, app_attr(a, roles[a->msg_level]), a->text_flags);
    } else {
        draw_hint(a, w);
    }
    wnoutrefresh(w);
}

static void draw_overlay(app *a)
{
    WINDOW *f = a->w_ovl_frame, *b = a->w_ovl_body;
    if (!a->overlay || !f || !b)
        return;
    attr_t border = app_attr(a, ROLE_OVERLAY_BORDER);
    draw_clear(f, app_attr(a, ROLE_OVERLAY));
    draw_box(f, border, a->text_flags);
    strbuf sb = {0};
    strbuf_putc(&sb, ' ');
    view_title(a, a->overlay, &sb);
    strbuf_putc(&sb, ' ');
    draw_str(f, 0, 2, getmaxx(f) - 4, strbuf_str(&sb), border, a->text_flags);
    strbuf_free(&sb);
    draw_clear(b, app_attr(a, ROLE_OVERLAY));
    a->overlay->ops->draw(a->overlay, a, b, getmaxy(b), getmaxx(b), true);
    wnoutrefresh(f);
    wnoutrefresh(b);
}

static void draw_too_small(app *a)
{
    draw_clear(stdscr, app_attr(a, ROLE_DEFAULT));
    int rows = LINES, cols = COLS;
    char full[96], brief[32];
    snprintf(full, sizeof full, "Terminal too small (%dx%d): hubtui needs %dx%d", cols, rows,
             LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
    snprintf(brief, sizeof brief, "Too small %dx%d", cols, rows);
    /* The longest wording that fits, never a clipped one. */
    const char *msg = (int)strlen(full) <= cols ? full : (int)strlen(brief) <= cols ? brief : "!";
    if (rows > 0 && cols > 0)
        draw_text(stdscr, rows / 2, 0, cols, msg, app_attr(a, ROLE_STATUS_WARN), TEXT_CENTER,
                  a->text_flags);
    wnoutrefresh(stdscr);
}

/* HUBTUI_FRAME_TRACE: one line per frame written, with the monotonic
 * time in microseconds, after curses has written it to the terminal. */
static void trace_frame(app *a)
{
    if (a->trace_fd < 0)
        return;
    fflush(a->out);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char line[64];
    int n = snprintf(line, sizeof line, "frame %lld\n",
                     (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
    if (write(a->trace_fd, line, (size_t)n) < 0)
        a->trace_fd = -1; /* the reader went away */
}

/* Draw what changed, then one doupdate for the whole frame. */
void app_draw_frame(app *a)
{
    update_layout(a);
    if (a->status.serial != a->status_drawn)
        a->dirty |= APP_DIRTY_STATUS;
    unsigned d = a->dirty;
    a->dirty = 0;
    if (!d)
        return;
    if (a->lay.mode == LAYOUT_TOO_SMALL) {
        draw_too_small(a);
        curs_set(0);
        doupdate();
        return;
    }
    bool under = false;
    if (d & APP_DIRTY_TOPBAR)
        draw_topbar(a), under = true;
    for (int p = 0; p < PANE_COUNT; p++)
        if ((d & (APP_DIRTY_NAV << p)) && a->lay.pane[p].visible)
            draw_pane(a, (pane_id)p), under = true;
    if (d & (APP_DIRTY_NAV | APP_DIRTY_MAIN | APP_DIRTY_SIDE))
        draw_separators(a);
    if (d & APP_DIRTY_STATUS)
        draw_status(a);
    if (a->overlay && (under || (d & APP_DIRTY_OVERLAY))) {
        /* Whatever was drawn underneath covered it: draw it again on top. */
        touchwin(a->w_ovl_frame);
        draw_overlay(a);
    }
    if (d & APP_DIRTY_MESSAGE || a->prompting)
        draw_message(a); /* last, so the terminal cursor ends in the prompt */
    curs_set(a->prompting ? 1 : 0);
    doupdate();
    trace_frame(a);
}
