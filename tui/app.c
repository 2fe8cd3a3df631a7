#include "app.h"
#include "about.h"
#include "draw.h"
#include "help.h"
#include "log.h"
#include "osc52.h"
#include "text.h"
#include "textview.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

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

/* Signals the loop handles, and what was there before us. */
static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT};
#define NSIGNALS (sizeof handled_signals / sizeof *handled_signals)

struct app {
    app_config cfg;
    char *portal; /* owned copies of cfg strings we keep */
    char *keys_config;

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
};

/* The write end of the signal pipe. A signal handler can reach nothing
 * else, so this is the one piece of global state the app has. */
static volatile sig_atomic_t sig_write_fd = -1;

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (sig_write_fd >= 0 && write(sig_write_fd, &b, 1) < 0) {
        /* pipe full: the loop has plenty of bytes to wake up on already */
    }
    errno = saved;
}

static int default_wait(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    return poll(fds, nfds, timeout_ms);
}

/* ---- Small accessors -------------------------------------------------- */

attr_t app_attr(app *a, theme_role role)
{
    return role < ROLE_COUNT ? (attr_t)a->attrs.attr[role] : A_NORMAL;
}

unsigned app_text_flags(app *a) { return a->text_flags; }
const keymap *app_keymap(app *a) { return a->keys; }
const diag_list *app_diags(app *a) { return &a->diags; }
bool app_readonly(app *a) { return a->cfg.readonly; }
status_model *app_status(app *a) { return &a->status; }
const char *app_theme_name(app *a) { return theme_name(a->theme); }
color_tier app_color_tier(app *a) { return a->tier; }
const layout *app_layout(app *a) { return &a->lay; }
cmdline *app_filter_line(app *a) { return &a->filter_line; }

void app_redraw(app *a, unsigned what)
{
    a->dirty |= what;
}

void app_wake_at(app *a, int64_t mono_ms)
{
    if (a->wake_at == 0 || mono_ms < a->wake_at)
        a->wake_at = mono_ms;
}

void app_quit(app *a, int status)
{
    a->quitting = true;
    a->exit_status = status;
}

view *app_main_view(app *a)
{
    return a->nhist ? a->hist[a->cur] : NULL;
}

static view *side_view(app *a)
{
    view *m = app_main_view(a);
    return m && m->ops->side ? m->ops->side(m, a) : NULL;
}

static view *pane_view(app *a, pane_id p)
{
    switch (p) {
    case PANE_NAV:
        return a->nav;
    case PANE_MAIN:
        return app_main_view(a);
    default:
        return side_view(a);
    }
}

view *app_focused_view(app *a)
{
    if (a->overlay)
        return a->overlay;
    view *v = pane_view(a, a->lay.focus);
    return v ? v : app_main_view(a);
}

void app_redraw_view(app *a, view *v)
{
    if (!v)
        return;
    if (v == a->overlay)
        a->dirty |= APP_DIRTY_OVERLAY;
    for (int p = 0; p < PANE_COUNT; p++)
        if (a->shown[p] == v)
            a->dirty |= APP_DIRTY_NAV << p;
}

/* ---- Messages --------------------------------------------------------- */

static void set_message(app *a, msg_level level, char *text)
{
    static const int64_t ttl[] = {MSG_INFO_MS, MSG_WARN_MS, MSG_ERROR_MS};
    free(a->msg);
    a->msg = text;
    a->msg_level = level;
    a->msg_until = time_mono_ms() + ttl[level];
    app_wake_at(a, a->msg_until);
    a->dirty |= APP_DIRTY_MESSAGE;
    log_msg(level == MSG_ERROR ? LOG_ERROR : level == MSG_WARN ? LOG_WARN : LOG_INFO, "tui: %s",
            text);
}

void app_message(app *a, msg_level level, const char *fmt, ...)
{
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    set_message(a, level, strbuf_detach(&sb));
}

void app_error(app *a, const ht_error *err)
{
    ht_error_copy(&a->last_error, err);
    a->has_error = true;
    bool details = err->correlation_id[0] || err->category[0] || err->http_status;
    char keys[KEY_NAME_MAX] = "";
    key_code k;
    if (details && keymap_keys_for(a->keys, VIEW_GLOBAL, ACT_ERROR_DETAILS, &k, 1))
        keymap_key_name(k, keys);
    if (keys[0])
        app_message(a, MSG_ERROR, "%s (%s: details)", err->message, keys);
    else
        app_message(a, MSG_ERROR, "%s", err->message);
}

static void expire_message(app *a, int64_t now)
{
    if (a->msg && now >= a->msg_until) {
        free(a->msg);
        a->msg = NULL;
        a->dirty |= APP_DIRTY_MESSAGE;
    }
}

/* ---- Theme ------------------------------------------------------------ */

static void apply_theme(app *a)
{
    theme_resolve(a->theme, a->tier, a->default_colors, a->resolved);
    if (!theme_apply(a->resolved, &a->attrs))
        log_warn("tui: the terminal refused some colours of theme %s", theme_name(a->theme));
    /* Cells keep their colour-pair numbers when a pair is redefined, so
     * repaint everything once rather than trust the terminal. */
    if (a->scr)
        clearok(curscr, TRUE);
    a->dirty |= APP_DIRTY_ALL;
}

void app_report(app *a, diag_list *fresh)
{
    if (fresh->n == 1)
        app_message(a, MSG_WARN, "%s", fresh->items[0]);
    else if (fresh->n > 1)
        app_message(a, MSG_WARN, "%s (and %zu more problems: see :about)", fresh->items[0],
                    fresh->n - 1);
    diag_take(&a->diags, fresh);
}

bool app_set_theme(app *a, const char *name, ht_error *err)
{
    diag_list fresh = {0};
    theme *t = theme_load(name, a->theme_dirs, &fresh, err);
    if (!t) {
        diag_clear(&fresh);
        return false;
    }
    theme_free(a->theme);
    a->theme = t;
    apply_theme(a);
    app_report(a, &fresh);
    return true;
}

char **app_theme_names(app *a)
{
    return theme_list(a->theme_dirs);
}

static void cycle_theme(app *a)
{
    char **names = app_theme_names(a);
    size_t n = 0, at = 0;
    for (; names[n]; n++)
        if (strcmp(names[n], theme_name(a->theme)) == 0)
            at = n;
    ht_error err;
    const char *next = names[(at + 1) % n];
    if (app_set_theme(a, next, &err))
        app_message(a, MSG_INFO, "Theme: %s", next);
    else
        app_error(a, &err);
    theme_dirs_free(names);
}

/* ---- Views ------------------------------------------------------------ */

static void close_view(app *a, view *v)
{
    if (!v)
        return;
    for (int p = 0; p < PANE_COUNT; p++)
        if (a->shown[p] == v)
            a->shown[p] = NULL;
    v->ops->close(v, a);
}

static bool open_view(app *a, view *v)
{
    ht_error err;
    ht_error_clear(&err);
    if (v->ops->open && !v->ops->open(v, a, &err)) {
        app_error(a, &err);
        close_view(a, v);
        return false;
    }
    return true;
}

bool app_push(app *a, view *v)
{
    if (!open_view(a, v))
        return false;
    /* Going somewhere new forgets where "forward" led. */
    while (a->nhist > a->cur + 1)
        close_view(a, a->hist[--a->nhist]);
    if (a->nhist == APP_MAX_HISTORY) {
        close_view(a, a->hist[0]);
        memmove(a->hist, a->hist + 1, (APP_MAX_HISTORY - 1) * sizeof *a->hist);
        a->nhist--;
    }
    a->hist[a->nhist++] = v;
    a->cur = a->nhist - 1;
    a->want_focus = PANE_MAIN;
    a->dirty |= APP_DIRTY_ALL;
    return true;
}

bool app_back(app *a)
{
    if (a->cur == 0)
        return false;
    a->cur--;
    a->want_focus = PANE_MAIN;
    a->dirty |= APP_DIRTY_ALL;
    return true;
}

bool app_forward(app *a)
{
    if (a->cur + 1 >= a->nhist)
        return false;
    a->cur++;
    a->want_focus = PANE_MAIN;
    a->dirty |= APP_DIRTY_ALL;
    return true;
}

void app_set_nav(app *a, view *v)
{
    if (v && !open_view(a, v))
        return;
    close_view(a, a->nav);
    a->nav = v;
    a->dirty |= APP_DIRTY_ALL;
}

void app_close_overlay(app *a)
{
    if (!a->overlay)
        return;
    close_view(a, a->overlay);
    a->overlay = NULL;
    a->dirty |= APP_DIRTY_ALL;
}

bool app_open_overlay(app *a, view *v)
{
    if (!open_view(a, v))
        return false;
    app_close_overlay(a);
    a->overlay = v;
    a->dirty |= APP_DIRTY_ALL;
    return true;
}

/* ---- Prompts ---------------------------------------------------------- */

void app_prompt(app *a, const prompt_ops *ops, const char *initial)
{
    a->prompt = *ops;
    a->prompting = true;
    cmdline_reset(ops->line, initial);
    app_prompt_error(a, -1, NULL);
    a->dirty |= APP_DIRTY_MESSAGE | APP_DIRTY_STATUS;
}

void app_prompt_error(app *a, int offset, const char *msg)
{
    free(a->prompt_err);
    a->prompt_err = offset >= 0 && msg ? xstrdup(msg) : NULL;
    a->prompt_err_off = offset;
    a->dirty |= APP_DIRTY_MESSAGE;
}

static void prompt_key(app *a, key_code k)
{
    prompt_ops p = a->prompt; /* callbacks may open another prompt */
    cmdline_result r = cmdline_key(p.line, k, p.comp);
    char *text;
    a->dirty |= APP_DIRTY_MESSAGE | APP_DIRTY_STATUS;
    switch (r) {
    case CMDLINE_CHANGED:
        app_prompt_error(a, -1, NULL);
        if (p.changed)
            p.changed(p.ud, a, cmdline_text(p.line));
        break;
    case CMDLINE_SUBMIT:
        a->prompting = false;
        text = xstrdup(cmdline_text(p.line));
        if (p.submit)
            p.submit(p.ud, a, text);
        free(text);
        break;
    case CMDLINE_CANCEL:
        a->prompting = false;
        if (p.cancel)
            p.cancel(p.ud, a);
        break;
    default:
        break;
    }
}

static void command_submit(void *ud, app *a, const char *text)
{
    app_run_command(a, text);
}

static void open_command_prompt(app *a)
{
    /* Theme names are read from disk each time the prompt opens, so a
     * theme saved a moment ago completes. */
    theme_dirs_free(a->theme_names);
    a->theme_names = app_theme_names(a);
    a->cmd_lists.themes = (const char *const *)a->theme_names;
    a->cmd_comp = (cmdline_completion){cmdline_complete_command, &a->cmd_lists};
    prompt_ops ops = {.label = ":", .line = &a->cmd_line, .comp = &a->cmd_comp,
                      .submit = command_submit, .ud = NULL};
    app_prompt(a, &ops, NULL);
}

void app_run_command(app *a, const char *line)
{
    char *copy = xstrdup(line);
    action_call call;
    bool ok = action_parse_command(copy, &call);
    char *name = copy;
    while (*name == ' ')
        name++;
    if (ok)
        app_run_action(a, &call);
    else if (*name)
        app_message(a, MSG_ERROR, "Unknown command '%s' (Tab completes command names)", name);
    free(copy);
}

/* ---- Actions ---------------------------------------------------------- */

static void suspend(app *a);
static void set_mouse(app *a, bool on);

static void apply_result(app *a, view *v, view_result r)
{
    if ((r & VR_QUIT) == VR_QUIT) {
        app_quit(a, 0);
        return;
    }
    if ((r & VR_CLOSE) == VR_CLOSE) {
        if (v && v == a->overlay)
            app_close_overlay(a);
        else
            app_back(a);
    }
    if ((r & VR_REDRAW_ALL) == VR_REDRAW_ALL)
        a->dirty |= APP_DIRTY_ALL & ~APP_DIRTY_LAYOUT;
    else if ((r & VR_REDRAW) == VR_REDRAW)
        app_redraw_view(a, v);
}

static view_result toggle_help(app *a, view *focused)
{
    if (a->overlay && a->overlay->ops->kind == VIEW_HELP) {
        app_close_overlay(a);
        return VR_HANDLED;
    }
    view_kind context = focused ? focused->ops->kind : VIEW_GLOBAL;
    app_open_overlay(a, help_view_new(a, context));
    return VR_HANDLED;
}

static view_result show_error_details(app *a)
{
    if (!a->has_error) {
        app_message(a, MSG_INFO, "No error to show");
        return VR_HANDLED;
    }
    const ht_error *e = &a->last_error;
    textview *tv = textview_new("Last error", VIEW_HELP); /* closes like help */
    textview_add(tv, ROLE_STATUS_ERROR, e->message);
    textview_addf(tv, ROLE_FIELD_VALUE, "What went wrong: %s", ht_status_str(e->status));
    if (e->http_status)
        textview_addf(tv, ROLE_FIELD_VALUE, "HTTP status: %d", e->http_status);
    if (e->category[0])
        textview_addf(tv, ROLE_FIELD_VALUE, "HubSpot category: %s", e->category);
    if (e->correlation_id[0])
        textview_addf(tv, ROLE_FIELD_VALUE, "Correlation id: %s (give this to HubSpot support)",
                      e->correlation_id);
    app_open_overlay(a, textview_view(tv));
    return VR_HANDLED;
}

static view_result focus_step(app *a, int dir)
{
    pane_id next = layout_focus_step(&a->lay, a->lay.focus, dir);
    if (next != a->lay.focus) {
        a->want_focus = next;
        a->lay.focus = next;
        a->dirty |= APP_DIRTY_NAV | APP_DIRTY_MAIN | APP_DIRTY_SIDE;
    }
    return VR_HANDLED;
}

static view_result theme_action(app *a, const char *arg)
{
    if (!arg) {
        cycle_theme(a);
        return VR_HANDLED;
    }
    ht_error err;
    if (app_set_theme(a, arg, &err))
        app_message(a, MSG_INFO, "Theme: %s", arg);
    else
        app_error(a, &err);
    return VR_HANDLED;
}

static view_result app_action(app *a, view *focused, const action_call *call)
{
    switch (call->id) {
    case ACT_QUIT:
        app_quit(a, 0);
        return VR_HANDLED;
    case ACT_HELP:
        return toggle_help(a, focused);
    case ACT_COMMAND:
        if (call->arg)
            app_run_command(a, call->arg);
        else
            open_command_prompt(a);
        return VR_HANDLED;
    case ACT_CANCEL:
        if (a->overlay)
            app_close_overlay(a);
        else if (a->msg)
            expire_message(a, INT64_MAX);
        return VR_HANDLED;
    case ACT_BACK:
        if (a->overlay)
            app_close_overlay(a);
        else if (!app_back(a))
            app_message(a, MSG_INFO, "Nothing to go back to");
        return VR_HANDLED;
    case ACT_FORWARD:
        if (!a->overlay && !app_forward(a))
            app_message(a, MSG_INFO, "Nothing to go forward to");
        return VR_HANDLED;
    case ACT_FOCUS_NEXT:
    case ACT_FOCUS_PREV:
        return a->overlay ? VR_HANDLED : focus_step(a, call->id == ACT_FOCUS_NEXT ? 1 : -1);
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        a->dirty |= APP_DIRTY_ALL;
        return VR_HANDLED;
    case ACT_SUSPEND:
        suspend(a);
        return VR_HANDLED;
    case ACT_THEME:
        return theme_action(a, call->arg);
    case ACT_TOGGLE_MOUSE:
        set_mouse(a, !a->mouse);
        app_message(a, MSG_INFO, "Mouse %s", a->mouse ? "on" : "off");
        return VR_HANDLED;
    case ACT_ERROR_DETAILS:
        return show_error_details(a);
    case ACT_ABOUT:
        app_close_overlay(a);
        app_push(a, about_view_new(a));
        return VR_HANDLED;
    default:
        return VR_UNHANDLED;
    }
}

view_result app_run_action(app *a, const action_call *call)
{
    const action_info *ai = action_get(call->id);
    if ((ai->flags & AF_WRITE) && a->cfg.readonly) {
        app_message(a, MSG_WARN, "Read-only: '%s' is turned off for this portal", ai->name);
        return VR_HANDLED;
    }
    view *v = app_focused_view(a);
    view_result r = VR_UNHANDLED;
    if (v && v->ops->action)
        r = v->ops->action(v, a, call);
    if (!(r & VR_HANDLED))
        r = app_action(a, v, call);
    if (!(r & VR_HANDLED)) {
        const char *where = v ? view_kind_title(v->ops->kind) : "this view";
        app_message(a, MSG_INFO, "'%s' is not available in %s", ai->name, where);
        return VR_HANDLED;
    }
    apply_result(a, v, r);
    return r;
}

/* ---- Keys ------------------------------------------------------------- */

key_code app_translate_key(int rc, wint_t ch)
{
    if (rc == OK) {
        if (ch == 127 || ch == 8)
            return KC_BACKSPACE;
        if (ch == '\r' || ch == '\n')
            return KC_ENTER;
        return (key_code)ch;
    }
    if (rc != KEY_CODE_YES)
        return KC_NONE;
    if (ch >= (wint_t)KEY_F(1) && ch <= (wint_t)KEY_F(24))
        return KC_F((int)(ch - KEY_F0));
    switch (ch) {
    case KEY_UP: return KC_UP;
    case KEY_DOWN: return KC_DOWN;
    case KEY_LEFT: return KC_LEFT;
    case KEY_RIGHT: return KC_RIGHT;
    case KEY_SR: return KC_S_UP;
    case KEY_SF: return KC_S_DOWN;
    case KEY_SLEFT: return KC_S_LEFT;
    case KEY_SRIGHT: return KC_S_RIGHT;
    case KEY_HOME: return KC_HOME;
    case KEY_END: return KC_END;
    case KEY_PPAGE: return KC_PGUP;
    case KEY_NPAGE: return KC_PGDN;
    case KEY_IC: return KC_INS;
    case KEY_DC: return KC_DEL;
    case KEY_BTAB: return KC_BTAB;
    case KEY_ENTER: return KC_ENTER;
    case KEY_BACKSPACE: return KC_BACKSPACE;
    default: return KC_NONE;
    }
}

static void unbound_key(app *a, key_code k)
{
    char name[KEY_NAME_MAX], help[KEY_NAME_MAX] = "?";
    key_code hk;
    if (keymap_keys_for(a->keys, VIEW_GLOBAL, ACT_HELP, &hk, 1))
        keymap_key_name(hk, help);
    app_message(a, MSG_INFO, "%s does nothing here (%s lists the keys)", keymap_key_name(k, name), help);
}

void app_feed_key(app *a, key_code k)
{
    if (a->prompting) {
        prompt_key(a, k);
        return;
    }
    view *v = app_focused_view(a);
    if (v && v->ops->key) {
        view_result r = v->ops->key(v, a, k);
        if (r & VR_HANDLED) {
            apply_result(a, v, r);
            return;
        }
    }
    const key_binding *b = keymap_lookup(a->keys, v ? v->ops->kind : VIEW_GLOBAL, k);
    if (!b) {
        unbound_key(a, k);
        return;
    }
    action_call call = {b->action, b->arg};
    app_run_action(a, &call);
}

static void on_mouse(app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    log_debug("tui: mouse %d,%d state %#lx", ev.y, ev.x, (unsigned long)ev.bstate);
    if (ev.bstate & BUTTON4_PRESSED) {
        app_feed_key(a, KC_WHEEL_UP);
        return;
    }
    if (ev.bstate & BUTTON5_PRESSED) {
        app_feed_key(a, KC_WHEEL_DOWN);
        return;
    }
    /* Depending on timing curses reports a press, a release or a click:
     * each selects (doing it twice is harmless). */
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED |
                       BUTTON1_DOUBLE_CLICKED)))
        return;
    view *v = NULL;
    rect body = {0};
    if (a->overlay) {
        v = a->overlay;
        body = (rect){a->lay.overlay.y + 1, a->lay.overlay.x + 1, a->lay.overlay.h - 2,
                      a->lay.overlay.w - 2};
    } else {
        pane_id p = layout_pane_at(&a->lay, ev.y, ev.x);
        if (p == PANE_COUNT || !(v = pane_view(a, p)))
            return;
        if (p != a->lay.focus) {
            a->want_focus = p;
            a->lay.focus = p;
            a->dirty |= APP_DIRTY_NAV | APP_DIRTY_MAIN | APP_DIRTY_SIDE;
        }
        body = a->lay.pane[p].body;
    }
    if (!v->ops->mouse || !rect_contains(&body, ev.y, ev.x))
        return;
    mouse_event me = {ev.bstate & BUTTON1_DOUBLE_CLICKED ? MOUSE_DOUBLE_CLICK : MOUSE_CLICK,
                      ev.y - body.y, ev.x - body.x};
    apply_result(a, v, v->ops->mouse(v, a, &me));
}

static void handle_resize(app *a);

/* Read every key curses has (it may have buffered several in one read,
 * which poll would never report again). Alt+key arrives as Esc then key. */
static void read_keys(app *a)
{
    for (int budget = 1024; budget > 0 && !a->quitting; budget--) {
        wint_t ch;
        int rc = wget_wch(stdscr, &ch);
        if (rc == ERR)
            return;
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
            handle_resize(a);
            continue;
        }
        if (rc == KEY_CODE_YES && ch == KEY_MOUSE) {
            on_mouse(a);
            continue;
        }
        key_code k = app_translate_key(rc, ch);
        if (k == KC_ESC) {
            wint_t next;
            int rc2 = wget_wch(stdscr, &next);
            key_code k2 = rc2 == ERR ? KC_NONE : app_translate_key(rc2, next);
            if (k2 != KC_NONE) {
                app_feed_key(a, KC_META | k2);
                continue;
            }
            if (rc2 == KEY_CODE_YES)
                ungetch((int)next); /* a resize or mouse event: not ours to drop */
        }
        if (k != KC_NONE)
            app_feed_key(a, k);
    }
}

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

static void destroy_windows(app *a)
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

static rect overlay_body(const layout *l)
{
    return (rect){l->overlay.y + 1, l->overlay.x + 1, l->overlay.h - 2, l->overlay.w - 2};
}

static void build_windows(app *a)
{
    destroy_windows(a);
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
    rect body = overlay_body(l);
    a->w_ovl_frame = new_win(&l->overlay);
    a->w_ovl_body = new_win(&body);
}

/* Lay the screen out (cheap, pure) and rebuild the windows when the size
 * or the set of panes changed. */
static void update_layout(app *a)
{
    view *side = side_view(a);
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
        view *v = a->lay.pane[p].visible ? pane_view(a, p) : NULL;
        if (v != a->shown[p])
            a->dirty |= APP_DIRTY_NAV << p; /* a different view in this pane */
        a->shown[p] = v;
        if (v)
            resize_view(a, v, a->lay.pane[p].body.h, a->lay.pane[p].body.w);
    }
    if (a->overlay) {
        rect body = overlay_body(&a->lay);
        resize_view(a, a->overlay, body.h, body.w);
    }
}

static void handle_resize(app *a)
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
        err_w = text_width(a->prompt_err, a->text_flags) + 2;
        if (err_w > avail / 2)
            err_w = avail / 2;
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

/* Draw what changed, then one doupdate for the whole frame. */
static void draw(app *a)
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
}

/* ---- Signals, suspend, mouse ------------------------------------------ */

static bool install_signals(app *a, ht_error *err)
{
    if (pipe(a->sig_pipe) < 0) {
        ht_error_set(err, HT_IO, "pipe: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(a->sig_pipe[i], F_SETFL, fcntl(a->sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(a->sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    sig_write_fd = a->sig_pipe[1];
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    /* Installed before curses starts, so curses leaves these signals to us
     * (it only installs its own handlers where it finds the default). */
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaction(handled_signals[i], &sa, &a->old_sa[i]);
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &a->old_pipe_sa);
    return true;
}

static void restore_signals(app *a)
{
    if (a->sig_pipe[0] < 0)
        return;
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaction(handled_signals[i], &a->old_sa[i], NULL);
    sigaction(SIGPIPE, &a->old_pipe_sa, NULL);
    sig_write_fd = -1;
    close(a->sig_pipe[0]);
    close(a->sig_pipe[1]);
    a->sig_pipe[0] = a->sig_pipe[1] = -1;
}

static void set_mouse(app *a, bool on)
{
    a->mouse = on;
    mmask_t mask = on ? (BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED |
                         BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED)
                      : 0;
    mousemask(mask, NULL);
    mouseinterval(on ? 200 : 0);
}

/* Curses mode back after the terminal was given away (Ctrl-Z, SIGCONT). */
static void resume_terminal(app *a)
{
    reset_prog_mode();
    if (a->mouse)
        set_mouse(a, true);
    handle_resize(a); /* the size may have changed while we were away */
    apply_theme(a);   /* redefined colours were reset by endwin */
}

/* Ctrl-Z: give the terminal back, stop like any job, redraw on return. */
static void suspend(app *a)
{
    def_prog_mode();
    endwin();
    struct sigaction dfl = {.sa_handler = SIG_DFL}, ours;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, &ours);
    /* The whole process group, as the terminal's own ^Z would. Without job
     * control (an orphaned group) the kernel ignores it and we carry on. */
    kill(0, SIGTSTP);
    sigaction(SIGTSTP, &ours, NULL);
    resume_terminal(a);
    a->resumed = true; /* the SIGCONT that woke us needs no second repaint */
}

static void handle_signals(app *a)
{
    unsigned char buf[64];
    ssize_t n;
    while ((n = read(a->sig_pipe[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            switch (buf[i]) {
            case SIGWINCH:
                handle_resize(a);
                break;
            case SIGTSTP:
                suspend(a);
                break;
            case SIGCONT:
                if (!a->resumed)
                    resume_terminal(a); /* stopped by someone else (kill -STOP) */
                a->resumed = false;
                break;
            default: /* SIGTERM, SIGHUP, SIGINT */
                log_info("tui: signal %d, leaving", buf[i]);
                app_quit(a, 128 + buf[i]);
                break;
            }
        }
    }
}

void app_watch_fd(app *a, int fd, short events, void (*cb)(void *ud, app *a, short revents),
                  void *ud)
{
    app_unwatch_fd(a, fd);
    if (a->nwatch == APP_MAX_WATCH) {
        log_error("tui: too many watched descriptors; %d ignored", fd);
        return;
    }
    a->watches[a->nwatch++] = (watch){fd, events, cb, ud};
}

void app_unwatch_fd(app *a, int fd)
{
    for (int i = 0; i < a->nwatch; i++)
        if (a->watches[i].fd == fd) {
            a->watches[i] = a->watches[--a->nwatch];
            return;
        }
}

ht_status app_copy(app *a, const char *text, ht_error *err)
{
    return osc52_copy(a->tty_out, text, strlen(text), err);
}

/* ---- The loop --------------------------------------------------------- */

static int next_timeout(app *a, int64_t now)
{
    if (a->wake_at == 0)
        return -1;
    int64_t ms = a->wake_at - now;
    return ms <= 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

static void tick_views(app *a, int64_t now)
{
    view *seen[PANE_COUNT + 1] = {0};
    int n = 0;
    for (int p = 0; p < PANE_COUNT; p++)
        if (a->shown[p])
            seen[n++] = a->shown[p];
    if (a->overlay)
        seen[n++] = a->overlay;
    for (int i = 0; i < n; i++)
        if (seen[i]->ops->tick)
            apply_result(a, seen[i], seen[i]->ops->tick(seen[i], a, now));
}

int app_run(app *a)
{
    draw(a);
    struct pollfd fds[2 + APP_MAX_WATCH];
    while (!a->quitting) {
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = a->tty_in, .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = a->sig_pipe[0], .events = POLLIN};
        for (int i = 0; i < a->nwatch; i++)
            fds[n++] = (struct pollfd){.fd = a->watches[i].fd, .events = a->watches[i].events};
        int timeout = next_timeout(a, time_mono_ms());
        a->wake_at = 0;
        if (a->cfg.wait(a->cfg.wait_ctx, fds, n, timeout) < 0 && errno != EINTR) {
            log_error("tui: wait failed: %s", strerror(errno));
            app_quit(a, 1);
            break;
        }
        if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
            app_quit(a, 128 + SIGHUP); /* the terminal went away */
            break;
        }
        handle_signals(a);
        read_keys(a);
        for (nfds_t i = 2; i < n && !a->quitting; i++)
            if (fds[i].revents) {
                /* The callback may unwatch; look it up by descriptor. */
                for (int w = 0; w < a->nwatch; w++)
                    if (a->watches[w].fd == fds[i].fd) {
                        a->watches[w].cb(a->watches[w].ud, a, fds[i].revents);
                        break;
                    }
            }
        int64_t now = time_mono_ms();
        tick_views(a, now);
        expire_message(a, now);
        if (a->msg)
            app_wake_at(a, a->msg_until);
        if (!a->quitting)
            draw(a);
    }
    return a->exit_status;
}

/* ---- Setup and teardown ----------------------------------------------- */

static bool start_terminal(app *a, ht_error *err)
{
    if (!isatty(a->tty_in) || !isatty(a->tty_out)) {
        ht_error_set(err, HT_UNSUPPORTED,
                     "the browser needs a terminal (stdin and stdout must be a tty)");
        return false;
    }
    int in = dup(a->tty_in), out = dup(a->tty_out);
    a->in = in >= 0 ? fdopen(in, "r") : NULL;
    a->out = out >= 0 ? fdopen(out, "w") : NULL;
    if (!a->in || !a->out) {
        if (a->in) fclose(a->in); else if (in >= 0) close(in);
        if (a->out) fclose(a->out); else if (out >= 0) close(out);
        a->in = a->out = NULL;
        ht_error_set(err, HT_IO, "cannot open the terminal: %s", strerror(errno));
        return false;
    }
    const char *term = getenv("TERM");
    a->scr = newterm(NULL, a->out, a->in);
    if (!a->scr) {
        ht_error_set(err, HT_UNSUPPORTED, "cannot use terminal type '%s' (check TERM)",
                     term ? term : "(unset)");
        return false;
    }
    set_term(a->scr);
    raw(); /* Ctrl-C and Ctrl-Z arrive as keys: bindable, and we clean up */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(APP_ESCDELAY_MS);
    curs_set(0);
    return true;
}

static void start_colors(app *a)
{
    int colors = tigetnum("colors");
    term_caps caps = {
        .has_colors = has_colors(),
        .colors = colors > 0 ? colors : 0,
        .can_redefine = can_change_color(),
        .colorterm = getenv("COLORTERM"),
        .no_color = getenv("NO_COLOR"),
        .force = a->cfg.colors,
    };
    a->tier = theme_detect_tier(&caps);
    if (a->tier != TIER_MONO) {
        start_color();
        a->default_colors = use_default_colors() == OK;
        if (COLORS < 8)
            a->tier = TIER_MONO;
    }
}

static void load_keys(app *a)
{
    diag_list fresh = {0};
    keymap_load_defaults(a->keys, &fresh);
    if (a->keys_config) {
        ht_error err;
        if (keymap_load_file(a->keys, a->keys_config, &fresh, &err) < 0 &&
            err.status != HT_NOT_FOUND)
            diag_add(&fresh, NULL, 0, "%s", err.message);
    }
    app_report(a, &fresh);
}

static void load_theme(app *a)
{
    const char *name = a->cfg.theme ? a->cfg.theme : "default";
    diag_list fresh = {0};
    ht_error err;
    a->theme = theme_load(name, a->theme_dirs, &fresh, &err);
    if (!a->theme) {
        diag_add(&fresh, NULL, 0, "theme %s; using the default", err.message);
        a->theme = theme_load("default", a->theme_dirs, &fresh, &err);
    }
    if (!a->theme)
        a->theme = theme_load_builtin(&fresh);
    app_report(a, &fresh);
}

app *app_new(const app_config *cfg, ht_error *err)
{
    app *a = xcalloc(1, sizeof *a);
    a->cfg = *cfg;
    a->portal = cfg->portal ? xstrdup(cfg->portal) : NULL;
    a->keys_config = cfg->keys_config ? xstrdup(cfg->keys_config) : NULL;
    a->cfg.portal = a->portal;
    a->cfg.keys_config = a->keys_config;
    a->cfg.theme = NULL; /* only used while loading, below */
    if (!a->cfg.wait)
        a->cfg.wait = default_wait;
    a->tty_in = cfg->tty_in >= 0 ? cfg->tty_in : STDIN_FILENO;
    a->tty_out = cfg->tty_out >= 0 ? cfg->tty_out : STDOUT_FILENO;
    a->sig_pipe[0] = a->sig_pipe[1] = -1;
    a->want_focus = PANE_MAIN;
    a->resolved = xcalloc(1, sizeof *a->resolved);
    cmdline_init(&a->cmd_line);
    cmdline_init(&a->filter_line);
    status_init(&a->status);
    status_set_portal(&a->status, cfg->portal, cfg->readonly);

    setlocale(LC_ALL, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        a->text_flags |= TEXT_ASCII;
    if (!install_signals(a, err) || !start_terminal(a, err)) {
        app_free(a);
        return NULL;
    }
    start_colors(a);
    a->theme_dirs = theme_dirs_default();
    a->keys = keymap_new();
    a->cfg.theme = cfg->theme;
    load_theme(a);
    a->cfg.theme = NULL;
    apply_theme(a);
    load_keys(a);
    if (cfg->mouse)
        set_mouse(a, true);
    a->dirty = APP_DIRTY_ALL;
    return a;
}

void app_free(app *a)
{
    if (!a)
        return;
    app_close_overlay(a);
    while (a->nhist > 0)
        close_view(a, a->hist[--a->nhist]);
    close_view(a, a->nav);
    a->nav = NULL;
    destroy_windows(a);
    if (a->scr) {
        if (a->mouse)
            mousemask(0, NULL);
        endwin();
        delscreen(a->scr);
    }
    if (a->in)
        fclose(a->in);
    if (a->out)
        fclose(a->out);
    restore_signals(a);
    theme_free(a->theme);
    theme_dirs_free(a->theme_dirs);
    theme_dirs_free(a->theme_names);
    free(a->resolved);
    keymap_free(a->keys);
    diag_clear(&a->diags);
    cmdline_free(&a->cmd_line);
    cmdline_free(&a->filter_line);
    free(a->prompt_err);
    free(a->msg);
    free(a->portal);
    free(a->keys_config);
    free(a);
}
