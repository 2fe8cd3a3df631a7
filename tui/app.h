/* app.h — the curses application: terminal, views, keys, redraws, loop.
 *
 * One `app` owns the terminal and everything on it: the theme and keymap,
 * the layout, the view history shown in the main pane (with back/forward),
 * the object-types pane, an overlay (help, pickers), the `:` and `/`
 * prompts, the message line and the status bar.
 *
 * The loop (app_run) is built around one wait call: it waits on the
 * terminal, a signal pipe and any descriptors added with app_watch_fd,
 * with a timeout from the nearest deadline (message expiry, app_wake_at).
 * The wait is a function pointer: by default poll(2); the api/ layer plugs
 * in its own, which also watches its HTTP sockets and drives libcurl
 * before returning. After each wait the app reads every pending key,
 * dispatches them (prompt, overlay or focused view, keymap, then its own
 * actions), calls each view's tick, and redraws only what was flagged,
 * with one doupdate.
 *
 * Key dispatch: a key goes to the focused view's key() hook, then through
 * the keymap (the view kind's section, then [keys]) to an action, which
 * goes to the view's action() hook and, unhandled, to the app's own
 * actions. Actions flagged AF_WRITE are refused in read-only mode before
 * any view sees them. */
#ifndef HUBTUI_APP_H
#define HUBTUI_APP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"
#include "diag.h"
#include "error.h"
#include "keymap.h"
#include "layout.h"
#include "statusbar.h"
#include "theme.h"
#include "view.h"

/* Wait until one of fds is ready or timeout_ms passes (-1: no limit), as
 * poll(2) does; may return 0 early after doing other work (api/ runs its
 * transfers inside). Returns -1 with errno on error (EINTR is fine). */
typedef int (*app_wait_fn)(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms);

typedef struct app_config {
    const char *portal;      /* shown in the status bar; NULL for none */
    bool readonly;           /* refuse AF_WRITE actions */
    const char *theme;       /* theme name; NULL for "default" */
    const char *colors;      /* cap on colours: auto truecolor 256 16 8 mono */
    bool mouse;              /* start with the mouse on */
    const char *keys_config; /* a file whose [keys] sections are loaded after the
                                defaults; NULL for none */
    app_wait_fn wait;        /* NULL: poll(2) */
    void *wait_ctx;
    int tty_in, tty_out;     /* terminal descriptors; -1 for stdin/stdout */
} app_config;

typedef enum msg_level { MSG_INFO, MSG_WARN, MSG_ERROR } msg_level;

/* Start curses on the terminal and load the theme and keymap. Problems in
 * the user's files are kept (app_diags) and announced in the message line;
 * NULL with err filled only if the terminal cannot be used at all. */
app *app_new(const app_config *cfg, ht_error *err);
/* Close every view, restore the terminal, free everything. */
void app_free(app *a);

/* Run until quit. Returns the exit status: 0 after quit, 128+signal after
 * SIGTERM, SIGHUP or SIGINT. */
int app_run(app *a);
/* Ask the loop to stop after this round. */
void app_quit(app *a, int status);

/* What the program around the app adds to it (the browser: portals, sync,
 * the outbox). Every member may be NULL. */
typedef struct app_hooks {
    /* Actions the focused view did not take, before the app's own. */
    view_result (*action)(void *ud, app *a, const action_call *call);
    /* After every wait, after the views' ticks: refresh the status bar. */
    void (*tick)(void *ud, app *a, int64_t now_ms);
    /* The `:` prompt opens: fill the portal, type and column names. */
    void (*command_lists)(void *ud, app *a, cmdline_command_lists *lists);
    void *ud;
} app_hooks;

/* Install hooks (copied). */
void app_set_hooks(app *a, const app_hooks *h);
/* Turn read-only mode on or off (portal switch) and show it. */
void app_set_portal(app *a, const char *portal, bool readonly);
/* Close every view: overlay, history and the object-types pane. */
void app_reset_views(app *a);

/* ---- Views ------------------------------------------------------------ */

/* Show v (a new view, now owned by the app) in the main pane as a new
 * history entry; forward history is dropped. Calls v's open(); on failure
 * v is closed and the error shown. */
bool app_push(app *a, view *v);
/* Back and forward through the history; false at either end. Views keep
 * their state (cursor, filter) while they are in the history. */
bool app_back(app *a);
bool app_forward(app *a);
/* Put v in the object-types pane (replacing and closing the previous). */
void app_set_nav(app *a, view *v);
/* Show v as a modal overlay above everything (replacing any overlay). */
bool app_open_overlay(app *a, view *v);
void app_close_overlay(app *a);
/* Close a view the app does not own (a view's side companion), forgetting
 * every place that showed it. */
void app_close_view(app *a, view *v);
/* Give the focus to a pane (when it is shown). */
void app_focus(app *a, pane_id p);
/* The view shown in the main pane. */
view *app_main_view(app *a);
/* The view that gets keys now (overlay, or the focused pane's view). */
view *app_focused_view(app *a);

/* Run an action as if its key had been pressed in the focused view. */
view_result app_run_action(app *a, const action_call *call);
/* Parse and run a command line (":theme light"). Unknown commands are
 * reported in the message line. */
void app_run_command(app *a, const char *line);

/* ---- Prompts ---------------------------------------------------------- */

typedef struct prompt_ops {
    const char *label;               /* ":" "/" "Value: " */
    view *owner;                     /* closing this view ends the prompt (may be NULL) */
    cmdline *line;                   /* the editor (its owner keeps the history) */
    const cmdline_completion *comp;  /* NULL: no completion */
    /* Text changed (filter as you type). Optional. */
    void (*changed)(void *ud, app *a, const char *text);
    /* Enter. The prompt is already closed. */
    void (*submit)(void *ud, app *a, const char *text);
    /* Esc. The prompt is already closed. Optional. */
    void (*cancel)(void *ud, app *a);
    void *ud;
} prompt_ops;

/* Open a prompt on the message line; keys go to it until Enter or Esc.
 * ops is copied; ops->line is reset to initial. */
void app_prompt(app *a, const prompt_ops *ops, const char *initial);
/* Mark an error in the prompt's text (a filter that does not parse): the
 * byte offset is highlighted and msg shown; offset < 0 clears it. */
void app_prompt_error(app *a, int offset, const char *msg);
/* The shared history editor for `/` prompts. */
cmdline *app_filter_line(app *a);

/* ---- Messages, status, looks ------------------------------------------ */

void app_message(app *a, msg_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Show an error and keep it whole for `error-details` (HubSpot message,
 * category, correlation id). */
void app_error(app *a, const ht_error *err);
/* The status bar's model: change it through the status_set_* functions. */
status_model *app_status(app *a);
/* Curses attributes of a theme role, for wattrset. */
attr_t app_attr(app *a, theme_role role);
/* text.h flags for this terminal (TEXT_ASCII when it cannot show UTF-8). */
unsigned app_text_flags(app *a);
const keymap *app_keymap(app *a);
/* Problems found in the user's config and theme files. */
const diag_list *app_diags(app *a);
/* Announce problems found in a user's file (the first in the message line)
 * and keep them for :about. fresh ends empty. */
void app_report(app *a, diag_list *fresh);
bool app_readonly(app *a);

/* Load theme name and apply it live. On failure the current theme stays. */
bool app_set_theme(app *a, const char *name, ht_error *err);
const char *app_theme_name(app *a);
color_tier app_color_tier(app *a);
/* Names of the themes found on disk (plus "default"). */
char **app_theme_names(app *a);

/* Copy text to the clipboard through the terminal (OSC 52). */
ht_status app_copy(app *a, const char *text, ht_error *err);

/* ---- Redraws and time ------------------------------------------------- */

enum {
    APP_DIRTY_TOPBAR = 1 << 0,
    APP_DIRTY_STATUS = 1 << 1,
    APP_DIRTY_MESSAGE = 1 << 2,
    APP_DIRTY_NAV = 1 << 3,
    APP_DIRTY_MAIN = 1 << 4,
    APP_DIRTY_SIDE = 1 << 5,
    APP_DIRTY_OVERLAY = 1 << 6,
    APP_DIRTY_LAYOUT = 1 << 7, /* sizes changed: rebuild windows */
    APP_DIRTY_ALL = 0x7f,      /* everything drawn; windows are kept */
};
/* Ask for parts of the screen to be redrawn at the end of this round. */
void app_redraw(app *a, unsigned what);
/* Redraw whatever pane or overlay shows v. */
void app_redraw_view(app *a, view *v);
/* Wake the loop no later than at this monotonic time (time_mono_ms). */
void app_wake_at(app *a, int64_t mono_ms);
/* Watch fd; cb runs after a wait that found it ready. */
void app_watch_fd(app *a, int fd, short events, void (*cb)(void *ud, app *a, short revents),
                  void *ud);
void app_unwatch_fd(app *a, int fd);

/* The current layout (for views that adapt, e.g. a side pane or not). */
const layout *app_layout(app *a);

/* ---- Keys -------------------------------------------------------------- */

/* Translate what curses' wget_wch returned into a key code (KC_NONE for
 * things that are not keys). */
key_code app_translate_key(int rc, wint_t ch);
/* Feed one key as if typed (tests, macros). */
void app_feed_key(app *a, key_code key);

#endif
