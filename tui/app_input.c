#include "app_priv.h"
#include "about.h"
#include "help.h"
#include "log.h"
#include "text.h"
#include "textview.h"

#include <stdlib.h>
#include <string.h>

/* ---- Views ------------------------------------------------------------ */

void app_close_view(app *a, view *v)
{
    if (!v)
        return;
    for (int p = 0; p < PANE_COUNT; p++)
        if (a->shown[p] == v)
            a->shown[p] = NULL;
    if (a->prompting && a->prompt.owner == v) {
        a->prompting = false; /* its callbacks would reach a freed view */
        a->dirty |= APP_DIRTY_MESSAGE | APP_DIRTY_STATUS;
    }
    v->ops->close(v, a);
}

static bool open_view(app *a, view *v)
{
    ht_error err;
    ht_error_clear(&err);
    if (v->ops->open && !v->ops->open(v, a, &err)) {
        app_error(a, &err);
        app_close_view(a, v);
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
        app_close_view(a, a->hist[--a->nhist]);
    if (a->nhist == APP_MAX_HISTORY) {
        app_close_view(a, a->hist[0]);
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

void app_focus(app *a, pane_id p)
{
    if (!a->lay.pane[p].visible || a->lay.focus == p)
        return;
    a->want_focus = p;
    a->lay.focus = p;
    a->dirty |= APP_DIRTY_NAV | APP_DIRTY_MAIN | APP_DIRTY_SIDE;
}

void app_set_nav(app *a, view *v)
{
    if (v && !open_view(a, v))
        return;
    app_close_view(a, a->nav);
    a->nav = v;
    a->dirty |= APP_DIRTY_ALL;
}

void app_end_prompt(app *a)
{
    if (!a->prompting)
        return;
    a->prompting = false;
    a->dirty |= APP_DIRTY_MESSAGE | APP_DIRTY_STATUS;
    /* Whoever opened it learns it was cancelled (and frees what it held). */
    if (a->prompt.cancel)
        a->prompt.cancel(a->prompt.ud, a);
}

void app_reset_views(app *a)
{
    app_close_overlay(a);
    app_end_prompt(a);
    while (a->nhist > 0)
        app_close_view(a, a->hist[--a->nhist]);
    a->cur = 0;
    app_close_view(a, a->nav);
    a->nav = NULL;
    a->dirty |= APP_DIRTY_ALL | APP_DIRTY_LAYOUT;
}

void app_close_overlay(app *a)
{
    if (!a->overlay)
        return;
    app_close_view(a, a->overlay);
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
    if (a->hooks.command_lists)
        a->hooks.command_lists(a->hooks.ud, a, &a->cmd_lists);
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


void app_apply_result(app *a, view *v, view_result r)
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
        a->dirty |= APP_DIRTY_ALL;
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
        app_cycle_theme(a);
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
            app_expire_message(a, INT64_MAX);
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
        app_suspend(a);
        return VR_HANDLED;
    case ACT_THEME:
        return theme_action(a, call->arg);
    case ACT_TOGGLE_MOUSE:
        app_set_mouse(a, !a->mouse);
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
    if (!(r & VR_HANDLED) && a->hooks.action)
        r = a->hooks.action(a->hooks.ud, a, call);
    if (!(r & VR_HANDLED))
        r = app_action(a, v, call);
    if (!(r & VR_HANDLED)) {
        const char *where = v ? view_kind_title(v->ops->kind) : "this view";
        app_message(a, MSG_INFO, "'%s' is not available in %s", ai->name, where);
        return VR_HANDLED;
    }
    app_apply_result(a, v, r);
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
    app_message(a, MSG_INFO, "%s does nothing here (%s lists the keys)",
                keymap_key_name(k, name), help);
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
            app_apply_result(a, v, r);
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
        body = app_overlay_body(&a->lay);
    } else {
        pane_id p = layout_pane_at(&a->lay, ev.y, ev.x);
        if (p == PANE_COUNT || !(v = app_pane_view(a, p)))
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
    app_apply_result(a, v, v->ops->mouse(v, a, &me));
}

/* Read every key curses has (it may have buffered several in one read,
 * which poll would never report again). Alt+key arrives as Esc then key. */
void app_read_keys(app *a)
{
    for (int budget = 1024; !a->quitting; budget--) {
        if (budget == 0) {
            /* A huge paste: draw, then come straight back for the rest
             * (poll would not report what curses already buffered). */
            app_wake_at(a, time_mono_ms());
            return;
        }
        wint_t ch;
        int rc = wget_wch(stdscr, &ch);
        if (rc == ERR)
            return;
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
            app_handle_resize(a);
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
