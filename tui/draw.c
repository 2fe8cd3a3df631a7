#include "draw.h"
#include "util.h"

/* Clip a span to the window; false when nothing of it is inside. */
static bool clip(WINDOW *win, int y, int x, int *width)
{
    int rows = getmaxy(win), cols = getmaxx(win);
    if (y < 0 || y >= rows || x < 0 || x >= cols || *width <= 0)
        return false;
    if (*width > cols - x)
        *width = cols - x;
    return true;
}

static void put(WINDOW *win, int y, int x, const strbuf *sb, attr_t attr)
{
    wattrset(win, attr);
    mvwaddnstr(win, y, x, strbuf_str(sb), (int)sb->len);
}

int draw_text(WINDOW *win, int y, int x, int width, const char *s, attr_t attr,
              text_align align, unsigned flags)
{
    if (!clip(win, y, x, &width))
        return 0;
    strbuf sb = {0};
    text_fit(&sb, s ? s : "", width, align, flags);
    put(win, y, x, &sb, attr);
    strbuf_free(&sb);
    return width;
}

int draw_str(WINDOW *win, int y, int x, int max, const char *s, attr_t attr, unsigned flags)
{
    if (!clip(win, y, x, &max))
        return 0;
    strbuf sb = {0};
    int used = text_truncate(&sb, s ? s : "", max, flags);
    put(win, y, x, &sb, attr);
    strbuf_free(&sb);
    return used;
}

void draw_fill(WINDOW *win, int y, int x, int width, attr_t attr)
{
    if (!clip(win, y, x, &width))
        return;
    wattrset(win, attr);
    mvwhline(win, y, x, ' ' | attr, width); /* whline ignores wattrset */
}

void draw_clear(WINDOW *win, attr_t attr)
{
    wbkgdset(win, ' ' | attr);
    wattrset(win, attr);
    werase(win);
}

static void line_char(cchar_t *c, wchar_t unicode, wchar_t ascii, attr_t attr, unsigned flags)
{
    wchar_t wc[2] = {(flags & TEXT_ASCII) ? ascii : unicode, L'\0'};
    setcchar(c, wc, attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL);
}

void draw_box(WINDOW *win, attr_t attr, unsigned flags)
{
    cchar_t v, h, tl, tr, bl, br;
    line_char(&v, 0x2502, '|', attr, flags);
    line_char(&h, 0x2500, '-', attr, flags);
    line_char(&tl, 0x250C, '+', attr, flags);
    line_char(&tr, 0x2510, '+', attr, flags);
    line_char(&bl, 0x2514, '+', attr, flags);
    line_char(&br, 0x2518, '+', attr, flags);
    wborder_set(win, &v, &v, &h, &h, &tl, &tr, &bl, &br);
}

void draw_vline(WINDOW *win, int y, int x, int n, attr_t attr, unsigned flags)
{
    cchar_t v;
    line_char(&v, 0x2502, '|', attr, flags);
    mvwvline_set(win, y, x, &v, n);
}
