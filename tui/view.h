/* view.h — what a view is: a table of functions and a little state.
 *
 * Every pane (object types, list, detail, graph, queue) and every overlay
 * (help, pickers) is a view. A view embeds `struct view` as its first member
 * and points it at a `struct view_ops` written with designated
 * initializers:
 *
 *   static const struct view_ops help_ops = {
 *       .name = "help", .kind = VIEW_HELP,
 *       .draw = help_draw, .action = help_action, .close = help_close,
 *   };
 *
 * The contract with the app loop:
 *  - draw() only reads the view's model and draws into the body window it
 *    is given (already cleared with the default role). It is called only
 *    when something asked for a redraw, so it never needs to be clever.
 *  - action() gets every action bound to a key or typed at `:` while the
 *    view has the focus, and returns flags: VR_UNHANDLED lets the app
 *    try its own (quit, help, theme, back, ...) or say the action does not
 *    apply here; VR_HANDLED alone redraws nothing; add VR_REDRAW for its own
 *    pane, VR_REDRAW_ALL when other panes depend on it (the list cursor
 *    moved, so the detail pane changes).
 *  - key() (optional) sees raw keys before the keymap: editors and pickers
 *    that take text use it; return VR_UNHANDLED for keys they do not want.
 *  - tick() (optional) runs after every wait of the loop, with the
 *    monotonic time: pick up data that arrived, return VR_REDRAW if shown
 *    data changed. Call app_wake_at() to be woken at a time.
 *  - side() (optional) returns a companion the view owns (the detail of the
 *    list's selected row), shown in the side pane on wide terminals; on
 *    narrow ones the view pushes a full-screen view instead (open action).
 *  - close() frees the view and everything it owns. The app calls it when
 *    the view leaves the history or the overlay is dismissed. */
#ifndef HUBTUI_VIEW_H
#define HUBTUI_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "actions.h"
#include "error.h"
#include "keymap.h"
#include "util.h"

typedef struct app app;
typedef struct view view;

typedef unsigned view_result;
#define VR_UNHANDLED  0u
#define VR_HANDLED    (1u << 0)
#define VR_REDRAW     ((1u << 1) | VR_HANDLED) /* this view's pane */
#define VR_REDRAW_ALL ((1u << 2) | VR_HANDLED) /* every pane and bar */
#define VR_CLOSE      ((1u << 3) | VR_HANDLED) /* close this overlay / go back */
#define VR_QUIT       ((1u << 4) | VR_HANDLED) /* leave hubtui */

typedef enum mouse_kind { MOUSE_CLICK, MOUSE_DOUBLE_CLICK } mouse_kind;

typedef struct mouse_event {
    mouse_kind kind;
    int y, x; /* relative to the view's body */
} mouse_event;

struct view_ops {
    const char *name; /* for logs and as the default title */
    view_kind kind;   /* keymap section and help context */
    /* Called when pushed; false (with err) refuses the view, which is closed. */
    bool (*open)(view *v, app *a, ht_error *err);
    void (*draw)(view *v, app *a, WINDOW *win, int rows, int cols, bool focused);
    /* The pane title and breadcrumb ("Contacts · 1,204"). */
    void (*title)(view *v, app *a, strbuf *out);
    view_result (*action)(view *v, app *a, const action_call *call);
    view_result (*key)(view *v, app *a, key_code key);
    view_result (*mouse)(view *v, app *a, const mouse_event *ev);
    /* The body is now rows x cols (also called before the first draw). */
    void (*resize)(view *v, app *a, int rows, int cols);
    view_result (*tick)(view *v, app *a, int64_t now_ms);
    view *(*side)(view *v, app *a);
    void (*close)(view *v, app *a);
};

struct view {
    const struct view_ops *ops;
    int rows, cols; /* body size, kept by the app */
};

#endif
