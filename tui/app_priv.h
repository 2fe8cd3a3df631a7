/* app_priv.h — the inside of the app, shared by app.c (terminal, signals,
 * loop), app_input.c (views, prompts, actions, keys) and app_draw.c
 * (windows and drawing). Nothing outside those files includes it. */
#ifndef HUBTUI_APP_PRIV_H
#define HUBTUI_APP_PRIV_H

#include <signal.h>
#include <stdio.h>

#include "app.h"

#define APP_MAX_HISTORY 64
#define APP_MAX_WATCH 16
#define APP_ESCDELAY_MS 25
#define MSG_INFO_MS 4000
#define MSG_WARN_MS 8000
#define MSG_ERROR_MS 15000

typedef struct watch {
    int fd;
    short events;
    void (*cb)(void *ud, app *a, short revents);
    void *ud;
} watch;

/* How many signals the loop handles (app.c lists them). */
#define NSIGNALS 6

struct app {
    app_config cfg;    /* readonly and the wait function; strings are not kept */
    char *keys_config; /* owned copy */

    /* The terminal. */
    SCREEN *scr;
    FILE *in, *out;
    int tty_in, tty_out;
    unsigned text_flags;
    color_tier tier;
    bool default_colors;
    bool mouse;

    /* Looks and keys. */
    char **theme_dirs;
    theme *theme;
    theme_resolved *resolved;
    theme_attrs attrs;
    keymap *keys;
    diag_list diags;

    /* Layout and its windows. */
    layout lay;
    layout_input lay_in;
    bool lay_valid;
    pane_id want_focus;
    WINDOW *w_top, *w_status, *w_msg;
    WINDOW *w_title[PANE_COUNT], *w_body[PANE_COUNT], *w_sep[2];
    WINDOW *w_ovl_frame, *w_ovl_body;
    view *shown[PANE_COUNT]; /* what each pane showed last time */

    /* Views. */
    view *hist[APP_MAX_HISTORY];
    int nhist, cur;
    view *nav;
    view *overlay;

    /* Prompts. */
    bool prompting;
    prompt_ops prompt;
    int prompt_err_off;
    char *prompt_err;
    cmdline cmd_line, filter_line;
    cmdline_command_lists cmd_lists;
    char **theme_names;
    cmdline_completion cmd_comp;

    /* Messages and status. */
    msg_level msg_level;
    char *msg;
    int64_t msg_until;
    ht_error last_error;
    bool has_error;
    status_model status;
    unsigned status_drawn;

    /* The loop. */
    unsigned dirty;
    bool quitting;
    int exit_status;
    int sig_pipe[2];
    struct sigaction old_sa[NSIGNALS];
    struct sigaction old_pipe_sa;
    watch watches[APP_MAX_WATCH];
    int nwatch;
    int64_t wake_at;
    bool resumed; /* we just came back from our own suspend */

    /* The browser around us, and the opt-in frame trace for benchmarks. */
    app_hooks hooks;
    int trace_fd;
};

/* app.c */
/* Drop the message if its time is up (now = INT64_MAX drops it anyway). */
void app_expire_message(app *a, int64_t now);
/* Resolve the theme for this terminal and program the colours. */
void app_apply_theme(app *a);
/* Switch to the next theme on disk, announcing it. */
void app_cycle_theme(app *a);
/* Give the terminal to the shell until resumed (Ctrl-Z). */
void app_suspend(app *a);
void app_set_mouse(app *a, bool on);

/* app_input.c */
/* The side pane's view (the main view's companion), or NULL. */
view *app_side_view(app *a);
view *app_pane_view(app *a, pane_id p);
/* Act on what a view's handler returned (redraw, close, quit). */
void app_apply_result(app *a, view *v, view_result r);
/* Cancel an open prompt (its cancel callback runs). */
void app_end_prompt(app *a);
/* Dispatch every key curses has buffered. */
void app_read_keys(app *a);

/* app_draw.c */
/* Take the new terminal size (SIGWINCH, KEY_RESIZE, resume). */
void app_handle_resize(app *a);
void app_destroy_windows(app *a);
/* The inside of the overlay's frame. */
rect app_overlay_body(const layout *l);
/* Lay out and draw what is dirty, then one doupdate. */
void app_draw_frame(app *a);

#endif
