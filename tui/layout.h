/* layout.h — where everything goes, as a pure function of the terminal size.
 *
 * The screen, top to bottom: a top bar (where you are), the panes, the
 * status bar, and the message line (messages and the `:` and `/` prompts).
 * Wide terminals show object types | list | detail side by side; at 80
 * columns and below only the main pane shows, full width, and detail and
 * graph become full-screen views reached with Enter and left with Backspace.
 * Below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS the layout says "too small".
 *
 * Nothing here touches curses, so every size can be tested. */
#ifndef HUBTUI_LAYOUT_H
#define HUBTUI_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 20
#define LAYOUT_MIN_ROWS 4
#define LAYOUT_NARROW_MAX 80 /* this many columns or fewer: one pane */
#define LAYOUT_THREE_MIN 120 /* this many columns or more: three panes */
#define LAYOUT_TOPBAR_MIN_ROWS 6
#define LAYOUT_NAV_MIN 16
#define LAYOUT_NAV_MAX 24
#define LAYOUT_MAIN_MIN 40
#define LAYOUT_SIDE_MIN 30

typedef struct rect {
    int y, x, h, w; /* h or w 0 means "not shown" */
} rect;

typedef enum layout_mode {
    LAYOUT_TOO_SMALL, /* only `screen` is meaningful */
    LAYOUT_ONE,       /* main pane only */
    LAYOUT_TWO,       /* main plus nav or side */
    LAYOUT_THREE,     /* nav | main | side */
} layout_mode;

typedef enum pane_id { PANE_NAV, PANE_MAIN, PANE_SIDE, PANE_COUNT } pane_id;

typedef struct layout_input {
    int rows, cols;
    bool has_nav;  /* there is an object-types pane to show */
    bool has_side; /* the main view has a companion (detail, graph) */
    pane_id focus; /* the pane that wants the focus */
} layout_input;

typedef struct pane_rect {
    bool visible;
    rect outer; /* title + body */
    rect title; /* one row */
    rect body;
} pane_rect;

typedef struct layout {
    layout_mode mode;
    bool wide;   /* more than LAYOUT_NARROW_MAX columns: a side pane fits */
    rect screen; /* the whole terminal (never negative) */
    rect topbar; /* may be hidden on short terminals */
    rect status;
    rect message;
    pane_rect pane[PANE_COUNT];
    rect sep[2];  /* one-column separators between visible panes */
    rect overlay; /* where a help or picker overlay goes */
    pane_id focus; /* in->focus if visible, else PANE_MAIN */
} layout;

/* Lay out a terminal of in->rows x in->cols (any values, even negative). */
void layout_compute(const layout_input *in, layout *out);

/* Does a terminal of cols columns have room for a side pane? (layout.wide) */
bool layout_is_wide(int cols);

/* The visible pane after (dir > 0) or before (dir < 0) from, wrapping. */
pane_id layout_focus_step(const layout *l, pane_id from, int dir);

/* Which visible pane holds the cell (y, x); PANE_COUNT if none. */
pane_id layout_pane_at(const layout *l, int y, int x);

/* Is (y, x) inside r? */
bool rect_contains(const rect *r, int y, int x);

/* ---- Columns of a list ------------------------------------------------ */

typedef struct col_spec {
    int min;      /* narrowest useful width (>= 1) */
    int pref;     /* width it would like (>= min) */
    int max;      /* widest it may grow; 0 = no limit */
    int grow;     /* share of space left after every column has pref */
    int priority; /* columns with lower priority are dropped first */
} col_spec;

/* Share width among n columns separated by gap columns. Columns that do
 * not fit even at their min are dropped (lowest priority first, the
 * rightmost among equals) and get 0; the others get at least min, then up
 * to pref, then grow. The sum of widths plus gaps never exceeds width. If
 * a single column is left and does not fit, it gets all of width. Returns
 * the number of columns shown. */
int layout_columns(const col_spec *cols, int n, int width, int gap, int *out_widths);

#endif
