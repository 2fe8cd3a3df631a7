/* draw.h — putting text into curses windows, safely and to the column.
 *
 * Every string drawn goes through text.h first: sanitized, measured with
 * the same widths curses uses, truncated with an ellipsis without splitting
 * a wide character. Coordinates outside the window draw nothing. */
#ifndef HUBTUI_DRAW_H
#define HUBTUI_DRAW_H

#include <curses.h>

#include "text.h"

/* Draw s in exactly width columns at (y, x): truncated or padded per
 * align. Returns the columns drawn (width, or 0 when nothing fits). */
int draw_text(WINDOW *win, int y, int x, int width, const char *s, attr_t attr,
              text_align align, unsigned flags);
/* Draw s in at most max columns at (y, x), without padding. Returns the
 * columns used. */
int draw_str(WINDOW *win, int y, int x, int max, const char *s, attr_t attr, unsigned flags);
/* Fill width columns at (y, x) with spaces in attr. */
void draw_fill(WINDOW *win, int y, int x, int width, attr_t attr);
/* Fill the whole window with spaces in attr and make attr its background. */
void draw_clear(WINDOW *win, attr_t attr);
/* A border round the window: Unicode lines, or + - | with TEXT_ASCII.
 * (Not the terminal's line-drawing charset: it is the one thing that
 * differs between terminals, multiplexers and screen captures.) */
void draw_box(WINDOW *win, attr_t attr, unsigned flags);
/* A vertical line of n cells from (y, x) down. */
void draw_vline(WINDOW *win, int y, int x, int n, attr_t attr, unsigned flags);

#endif
