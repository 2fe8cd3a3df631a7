#include "app_priv.h"
#include "log.h"
#include "osc52.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

/* The write end of the signal pipe. A signal handler can reach nothing
 * else, so this is the one piece of global state the app has. */
static volatile sig_atomic_t sig_write_fd = -1;

/* Signals the loop handles through the pipe. */
static const int handled_signals[NSIGNALS] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT};

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

void app_set_hooks(app *a, const app_hooks *h)
{
    a->hooks = *h;
}

void app_set_portal(app *a, const char *portal, bool readonly)
{
    a->cfg.readonly = readonly;
    status_set_portal(&a->status, portal, readonly);
    a->dirty |= APP_DIRTY_ALL;
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

view *app_side_view(app *a)
{
    view *m = app_main_view(a);
    return m && m->ops->side ? m->ops->side(m, a) : NULL;
}

view *app_pane_view(app *a, pane_id p)
{
    switch (p) {
    case PANE_NAV:
        return a->nav;
    case PANE_MAIN:
        return app_main_view(a);
    default:
        return app_side_view(a);
    }
}

view *app_focused_view(app *a)
{
    if (a->overlay)
        return a->overlay;
    view *v = app_pane_view(a, a->lay.focus);
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

void app_expire_message(app *a, int64_t now)
{
    if (a->msg && now >= a->msg_until) {
        free(a->msg);
        a->msg = NULL;
        a->dirty |= APP_DIRTY_MESSAGE;
    }
}

/* ---- Theme ------------------------------------------------------------ */

void app_apply_theme(app *a)
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
    app_apply_theme(a);
    app_report(a, &fresh);
    return true;
}

char **app_theme_names(app *a)
{
    return theme_list(a->theme_dirs);
}

void app_cycle_theme(app *a)
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

void app_set_mouse(app *a, bool on)
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
        app_set_mouse(a, true);
    app_handle_resize(a); /* the size may have changed while we were away */
    app_apply_theme(a);   /* redefined colours were reset by endwin */
}

/* Ctrl-Z: give the terminal back, stop like any job, redraw on return. */
void app_suspend(app *a)
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
                app_handle_resize(a);
                break;
            case SIGTSTP:
                app_suspend(a);
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
            app_apply_result(a, seen[i], seen[i]->ops->tick(seen[i], a, now));
}

int app_run(app *a)
{
    app_draw_frame(a);
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
        app_read_keys(a);
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
        if (a->hooks.tick && !a->quitting)
            a->hooks.tick(a->hooks.ud, a, now);
        app_expire_message(a, now);
        if (a->msg)
            app_wake_at(a, a->msg_until);
        if (!a->quitting)
            app_draw_frame(a);
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
    /* Keys are read through stdscr, and curses refreshes a window it reads
     * from when it looks modified: mark it drawn now, or the first read
     * would paint a blank stdscr over the first frame. */
    wnoutrefresh(stdscr);
    return true;
}

static void start_colors(app *a, const char *force)
{
    int colors = tigetnum("colors");
    term_caps caps = {
        .has_colors = has_colors(),
        .colors = colors > 0 ? colors : 0,
        .can_redefine = can_change_color(),
        .colorterm = getenv("COLORTERM"),
        .no_color = getenv("NO_COLOR"),
        .force = force,
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

static void load_theme(app *a, const char *name)
{
    diag_list fresh = {0};
    ht_error err;
    a->theme = theme_load(name ? name : "default", a->theme_dirs, &fresh, &err);
    if (!a->theme) {
        diag_add(&fresh, NULL, 0, "theme: %s; using the default", err.message);
        a->theme = theme_load("default", a->theme_dirs, &fresh, &err);
    }
    if (!a->theme)
        a->theme = theme_load_builtin(&fresh);
    app_report(a, &fresh);
}

app *app_new(const app_config *cfg, ht_error *err)
{
    app *a = xcalloc(1, sizeof *a);
    /* Keep only what lasts; the other settings are used here and dropped. */
    a->cfg = (app_config){.readonly = cfg->readonly, .wait = cfg->wait, .wait_ctx = cfg->wait_ctx};
    if (!a->cfg.wait)
        a->cfg.wait = default_wait;
    a->keys_config = cfg->keys_config ? xstrdup(cfg->keys_config) : NULL;
    a->tty_in = cfg->tty_in >= 0 ? cfg->tty_in : STDIN_FILENO;
    a->tty_out = cfg->tty_out >= 0 ? cfg->tty_out : STDOUT_FILENO;
    a->sig_pipe[0] = a->sig_pipe[1] = -1;
    a->trace_fd = -1;
    /* Benchmarks pass a descriptor to hear about every frame drawn. */
    const char *trace = getenv("HUBTUI_FRAME_TRACE");
    int64_t tfd;
    if (!str_empty(trace) && str_to_i64(trace, &tfd) && tfd > 2 && tfd < 1024 &&
        fcntl((int)tfd, F_GETFD) >= 0)
        a->trace_fd = (int)tfd;
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
    start_colors(a, cfg->colors);
    a->theme_dirs = theme_dirs_default();
    a->keys = keymap_new();
    load_theme(a, cfg->theme);
    app_apply_theme(a);
    load_keys(a);
    if (cfg->mouse)
        app_set_mouse(a, true);
    a->dirty = APP_DIRTY_ALL;
    return a;
}

void app_free(app *a)
{
    if (!a)
        return;
    app_end_prompt(a);
    app_close_overlay(a);
    while (a->nhist > 0)
        app_close_view(a, a->hist[--a->nhist]);
    app_close_view(a, a->nav);
    a->nav = NULL;
    app_destroy_windows(a);
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
    free(a->keys_config);
    free(a);
}
