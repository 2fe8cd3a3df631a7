/* The app loop's contract with whoever provides the wait (api/ will): run
 * the real app on a pseudo-terminal with a wait function of our own, and
 * check what it is called with, that keys reach the focused view as
 * actions, that watched descriptors fire their callbacks, that timers set
 * with app_wake_at become the timeout, that views get ticks, and that q
 * and SIGTERM end the loop with the right status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "app.h"

/* ---- A view that records what reaches it ------------------------------ */

typedef struct probe_view {
    view base;
    int ticks;
    int move_down;
    int draws;
    int resizes;
    int64_t wake_asked; /* the deadline it asked app_wake_at for */
} probe_view;

static void probe_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    ((probe_view *)v)->draws++;
    mvwaddstr(win, 0, 0, "probe");
}

static view_result probe_action(view *v, app *a, const action_call *call)
{
    probe_view *p = (probe_view *)v;
    if (call->id == ACT_MOVE_DOWN) {
        p->move_down++;
        return VR_REDRAW;
    }
    return VR_UNHANDLED;
}

static view_result probe_tick(view *v, app *a, int64_t now)
{
    probe_view *p = (probe_view *)v;
    p->ticks++;
    if (p->ticks == 1) {
        p->wake_asked = now + 300;
        app_wake_at(a, p->wake_asked);
    }
    return VR_UNHANDLED;
}

static void probe_resize(view *v, app *a, int rows, int cols)
{
    ((probe_view *)v)->resizes++;
}

static void probe_close(view *v, app *a)
{
    /* Owned by the test, which reads the counters after app_free. */
}

static const struct view_ops probe_ops = {
    .name = "probe",
    .kind = VIEW_LIST,
    .draw = probe_draw,
    .action = probe_action,
    .tick = probe_tick,
    .resize = probe_resize,
    .close = probe_close,
};

/* ---- The wait function under test's control --------------------------- */

typedef struct loop_ctx {
    int master, slave;
    int pipe_r, pipe_w;
    int calls;
    int saw_tty, saw_pipe, max_nfds;
    int timeout_after_wake; /* the timeout given once the view asked for a wake */
    int watch_fired;
    short watch_revents;
    bool send_sigterm;
    probe_view *probe;
} loop_ctx;

/* The pty's buffer is small: keep reading what the app draws. */
static void drain(int fd)
{
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static int test_wait(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    loop_ctx *c = ctx;
    c->calls++;
    drain(c->master);
    if ((int)nfds > c->max_nfds)
        c->max_nfds = (int)nfds;
    for (nfds_t i = 0; i < nfds; i++) {
        c->saw_tty |= fds[i].fd == c->slave && (fds[i].events & POLLIN);
        c->saw_pipe |= fds[i].fd == c->pipe_r && (fds[i].events & POLLIN);
    }
    if (c->probe->wake_asked && !c->timeout_after_wake && c->calls > 1)
        c->timeout_after_wake = timeout_ms;
    /* Drive the script: one step per call. */
    switch (c->calls) {
    case 1:
        if (write(c->master, "jj", 2) != 2)
            fail_msg("write to pty");
        break;
    case 3:
        if (write(c->pipe_w, "x", 1) != 1)
            fail_msg("write to pipe");
        break;
    case 5:
        if (c->send_sigterm)
            raise(SIGTERM);
        else if (write(c->master, "q", 1) != 1)
            fail_msg("write q");
        break;
    default:
        break;
    }
    if (c->calls > 50)
        fail_msg("the loop did not stop");
    /* Short real waits keep the test fast and still exercise poll. */
    return poll(fds, nfds, timeout_ms < 0 || timeout_ms > 50 ? 50 : timeout_ms);
}

static void on_pipe(void *ud, app *a, short revents)
{
    loop_ctx *c = ud;
    char b;
    if (read(c->pipe_r, &b, 1) == 1)
        c->watch_fired++;
    c->watch_revents = revents;
}

static int run_app(loop_ctx *c)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    assert_int_equal(openpty(&c->master, &c->slave, NULL, NULL, &ws), 0);
    fcntl(c->master, F_SETFL, fcntl(c->master, F_GETFL) | O_NONBLOCK);
    int p[2];
    assert_int_equal(pipe(p), 0);
    c->pipe_r = p[0];
    c->pipe_w = p[1];
    setenv("TERM", "xterm-256color", 1);
    app_config cfg = {.tty_in = c->slave, .tty_out = c->slave, .wait = test_wait, .wait_ctx = c};
    ht_error err;
    app *a = app_new(&cfg, &err);
    if (!a)
        fail_msg("app_new: %s", err.message);
    c->probe->base.ops = &probe_ops;
    assert_true(app_push(a, &c->probe->base));
    app_watch_fd(a, c->pipe_r, POLLIN, on_pipe, c);
    int status = app_run(a);
    app_free(a);
    close(c->master);
    close(c->slave);
    close(c->pipe_r);
    close(c->pipe_w);
    return status;
}

static void test_loop_contract(void **state)
{
    probe_view probe = {0};
    loop_ctx c = {.probe = &probe};
    assert_int_equal(run_app(&c), 0);
    /* The wait always watched the terminal, and our descriptor. */
    assert_true(c.saw_tty);
    assert_true(c.saw_pipe);
    assert_true(c.max_nfds >= 3);
    /* Keys became actions in the focused view. */
    assert_int_equal(probe.move_down, 2);
    /* The watched descriptor's callback ran, with what poll reported. */
    assert_int_equal(c.watch_fired, 1);
    assert_true(c.watch_revents & POLLIN);
    /* Views tick after every wait; the wake they asked for became the timeout. */
    assert_true(probe.ticks >= 4);
    assert_true(c.timeout_after_wake > 0 && c.timeout_after_wake <= 300);
    /* It was sized before it was drawn, and redrawn after j. */
    assert_int_equal(probe.resizes, 1);
    assert_true(probe.draws >= 2);
}

static void test_sigterm_ends_loop(void **state)
{
    probe_view probe = {0};
    loop_ctx c = {.probe = &probe, .send_sigterm = true};
    assert_int_equal(run_app(&c), 128 + SIGTERM);
    /* The handler was put back: SIGTERM is the default again. */
    struct sigaction sa;
    sigaction(SIGTERM, NULL, &sa);
    assert_true(sa.sa_handler == SIG_DFL);
}

/* ---- Panes: nav | main | side on a wide terminal ------------------------ */

typedef struct pane_probe {
    view base;
    int move_down;
    int focused_draws;
    struct pane_probe *side; /* the companion, for the main view */
} pane_probe;

static void pp_draw(view *v, app *a, WINDOW *win, int rows, int cols, bool focused)
{
    ((pane_probe *)v)->focused_draws += focused;
}

static view_result pp_action(view *v, app *a, const action_call *call)
{
    if (call->id != ACT_MOVE_DOWN)
        return VR_UNHANDLED;
    ((pane_probe *)v)->move_down++;
    return VR_REDRAW;
}

static view *pp_side(view *v, app *a)
{
    pane_probe *p = (pane_probe *)v;
    return p->side ? &p->side->base : NULL;
}

static void pp_close(view *v, app *a)
{
}

static const struct view_ops pp_ops = {
    .name = "pane", .kind = VIEW_LIST, .draw = pp_draw, .action = pp_action,
    .side = pp_side, .close = pp_close,
};

typedef struct pane_ctx {
    int master, slave, calls;
    pane_probe *nav, *main, *side;
    int side_shown_wide, side_shown_narrow;
    app *a;
} pane_ctx;

static void type_keys(int fd, const char *keys)
{
    if (write(fd, keys, strlen(keys)) != (ssize_t)strlen(keys))
        fail_msg("write to pty");
}

/* One step per wait: Tab moves the focus nav -> ... and j goes to whoever
 * has it; then the terminal narrows and only the main pane remains. */
static int pane_wait(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    pane_ctx *c = ctx;
    drain(c->master);
    const layout *l = app_layout(c->a);
    switch (++c->calls) {
    case 1:
        c->side_shown_wide = l->pane[PANE_SIDE].visible && l->pane[PANE_NAV].visible;
        type_keys(c->master, "j");       /* main has the focus */
        break;
    case 2:
        type_keys(c->master, "\tj");     /* Tab: side */
        break;
    case 3:
        type_keys(c->master, "\tj");     /* Tab wraps to nav */
        break;
    case 4: {
        struct winsize ws = {.ws_row = 24, .ws_col = 80};
        ioctl(c->master, TIOCSWINSZ, &ws);
        raise(SIGWINCH);                 /* we are not the pty's foreground job */
        break;
    }
    case 5:
        c->side_shown_narrow = l->pane[PANE_SIDE].visible || l->pane[PANE_NAV].visible;
        type_keys(c->master, "\tj");     /* one pane: Tab stays on main */
        break;
    case 6:
        type_keys(c->master, "q");
        break;
    }
    if (c->calls > 50)
        fail_msg("the loop did not stop");
    return poll(fds, nfds, timeout_ms < 0 || timeout_ms > 50 ? 50 : timeout_ms);
}

static void test_panes_and_focus(void **state)
{
    pane_probe nav = {.base.ops = &pp_ops}, side = {.base.ops = &pp_ops};
    pane_probe main_view = {.base.ops = &pp_ops, .side = &side};
    pane_ctx c = {.nav = &nav, .main = &main_view, .side = &side};
    struct winsize ws = {.ws_row = 40, .ws_col = 140};
    assert_int_equal(openpty(&c.master, &c.slave, NULL, NULL, &ws), 0);
    fcntl(c.master, F_SETFL, fcntl(c.master, F_GETFL) | O_NONBLOCK);
    setenv("TERM", "xterm-256color", 1);
    app_config cfg = {.tty_in = c.slave, .tty_out = c.slave, .wait = pane_wait, .wait_ctx = &c};
    ht_error err;
    c.a = app_new(&cfg, &err);
    if (!c.a)
        fail_msg("app_new: %s", err.message);
    app_set_nav(c.a, &nav.base);
    assert_true(app_push(c.a, &main_view.base));
    assert_int_equal(app_run(c.a), 0);
    app_free(c.a);
    close(c.master);
    close(c.slave);
    assert_true(c.side_shown_wide);
    assert_false(c.side_shown_narrow);
    assert_int_equal(main_view.move_down, 2); /* first j, and after narrowing */
    assert_int_equal(side.move_down, 1);
    assert_int_equal(nav.move_down, 1);
    assert_true(nav.focused_draws >= 1 && side.focused_draws >= 1);
}

/* Without a terminal, app_new refuses with a reason instead of crashing. */
static void test_no_terminal(void **state)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    app_config cfg = {.tty_in = p[0], .tty_out = p[1]};
    ht_error err;
    assert_null(app_new(&cfg, &err));
    assert_non_null(strstr(err.message, "needs a terminal"));
    close(p[0]);
    close(p[1]);
    struct sigaction sa;
    sigaction(SIGWINCH, NULL, &sa);
    assert_true(sa.sa_handler == SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loop_contract),
        cmocka_unit_test(test_sigterm_ends_loop),
        cmocka_unit_test(test_panes_and_focus),
        cmocka_unit_test(test_no_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
