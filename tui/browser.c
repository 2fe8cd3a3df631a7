/* browser.c — one portal's cache and client around the app. */
#include "browser.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "browser_priv.h"
#include "detail.h"
#include "graphview.h"
#include "log.h"
#include "outbox.h"
#include "portal.h"
#include "queueview.h"
#include "reclist.h"
#include "typesview.h"

#define COUNTS_EVERY_MS 2000

/* ---- Accessors ---------------------------------------------------------------- */

app *browser_app(browser *b) { return b->a; }
store *browser_store(browser *b) { return b->ps->st; }
worker *browser_worker(browser *b) { return b->wk; }
uistate *browser_state(browser *b) { return b->state; }
const colconf *browser_colconf(browser *b) { return &b->cols; }
const char *browser_portal(browser *b) { return b->ps->name; }
bool browser_online(browser *b) { return portal_online(b->ps); }
const tz *browser_zone(browser *b) { return b->zone; }
uint64_t browser_serial(browser *b) { return b->serial; }

void browser_data_changed(browser *b)
{
    b->serial++;
    b->counts_due = 0; /* the outbox counts follow at once */
}

const objmeta *browser_meta(browser *b, const char *object)
{
    ht_error err;
    const objmeta *m = meta_object(b->ps->st, object, &err);
    if (!m)
        app_error(b->a, &err);
    return m;
}

const char *browser_owner_name(browser *b, const char *id)
{
    for (size_t i = 0; i < b->nowners; i++)
        if (strcmp(b->owners[i].id, id) == 0)
            return b->owner_labels[i];
    return NULL;
}

static const char *owner_cb(void *ud, const char *id)
{
    return browser_owner_name(ud, id);
}

const owner *browser_owners(browser *b, size_t *n)
{
    *n = b->nowners;
    return b->owners;
}

fmt_ctx browser_fmt(browser *b, const objmeta *m, bool with_zone)
{
    return (fmt_ctx){.m = m, .zone = b->zone, .currency = b->currency, .owner = owner_cb,
                     .owner_ud = b, .with_zone = with_zone};
}

/* ---- Navigation ------------------------------------------------------------------ */

void browser_open_list(browser *b, const char *object)
{
    view *v = reclist_new(b, object);
    if (v && app_push(b->a, v))
        browser_note_list(b, object);
}

void browser_open_record(browser *b, const char *object, const char *id)
{
    app_push(b->a, detail_new(b, object, id));
}

void browser_open_graph(browser *b, const char *object, const char *id)
{
    app_push(b->a, graphview_new(b, object, id));
}

void browser_note_list(browser *b, const char *object)
{
    uistate_set_last_object(b->state, b->ps->name, object);
}

uint64_t browser_stamp(browser *b)
{
    return ++b->stamp;
}

bool browser_claim_list_state(browser *b, const char *object, uint64_t stamp)
{
    for (size_t i = 0; i < b->nsaved; i++)
        if (strcmp(b->saved_objects[i], object) == 0) {
            if (stamp < b->saved_stamps[i])
                return false;
            b->saved_stamps[i] = stamp;
            return true;
        }
    b->saved_objects = xrealloc(b->saved_objects, (b->nsaved + 1) * sizeof *b->saved_objects);
    b->saved_stamps = xrealloc(b->saved_stamps, (b->nsaved + 1) * sizeof *b->saved_stamps);
    b->saved_objects[b->nsaved] = xstrdup(object);
    b->saved_stamps[b->nsaved++] = stamp;
    return true;
}

static void forget_saved(browser *b)
{
    for (size_t i = 0; i < b->nsaved; i++)
        free(b->saved_objects[i]);
    free(b->saved_objects);
    free(b->saved_stamps);
    b->saved_objects = NULL;
    b->saved_stamps = NULL;
    b->nsaved = 0;
}

/* ---- Portal data: zone, currency, owners -------------------------------------------- */

static void free_owners(browser *b)
{
    for (size_t i = 0; i < b->nowners; i++)
        free(b->owner_labels[i]);
    free(b->owner_labels);
    owner_free_all(b->owners, b->nowners);
    b->owners = NULL;
    b->owner_labels = NULL;
    b->nowners = 0;
}

static char *owner_label(const owner *o)
{
    if (!str_empty(o->first_name) || !str_empty(o->last_name))
        return xasprintf("%s%s%s", o->first_name ? o->first_name : "",
                         !str_empty(o->first_name) && !str_empty(o->last_name) ? " " : "",
                         o->last_name ? o->last_name : "");
    return xstrdup(!str_empty(o->email) ? o->email : o->id);
}

/* What formatting needs from the cache; reloaded after a sync. */
void browser_load_portal_data(browser *b)
{
    free_owners(b);
    ht_error err;
    if (meta_owners(b->ps->st, &b->owners, &b->nowners, &err) == HT_OK) {
        b->owner_labels = xcalloc(b->nowners + 1, sizeof *b->owner_labels);
        for (size_t i = 0; i < b->nowners; i++)
            b->owner_labels[i] = owner_label(&b->owners[i]);
    } else {
        b->owners = NULL;
        b->nowners = 0;
    }
    account_info acc = {0};
    tz_free(b->zone);
    b->zone = NULL;
    free(b->currency);
    b->currency = NULL;
    if (meta_account(b->ps->st, &acc, &err) == HT_OK) {
        b->zone = tz_load(acc.time_zone, &err);
        if (!b->zone)
            log_warn("tui: %s; showing times in UTC", err.message);
        b->currency = acc.currency ? xstrdup(acc.currency) : NULL;
    }
    account_info_clear(&acc);
    if (!b->zone)
        b->zone = tz_utc();
}

/* ---- Record refresh ------------------------------------------------------------------ */

hs_call_id browser_refresh_record(browser *b, const char *object, const char *id,
                                  browser_refresh_fn done, void *ud)
{
    if (!portal_online(b->ps))
        return 0;
    return browser_jobs_refresh(b, object, id, done, ud);
}

void browser_cancel_refresh(browser *b, hs_call_id id)
{
    if (id && portal_online(b->ps))
        hs_cancel(b->ps->client, id);
}

static void connect_portal(browser *b, bool quiet);

/* ---- The status bar ------------------------------------------------------------------ */

/* The budget from whichever client heard HubSpot's rate headers last: the
 * browser's own, or a sync's or push's (which spend most of it). Until an
 * answer with the headers arrives the budget is unknown and not shown: the
 * limiter's starting size is a guess, not the portal's figure. */
static void update_rate(browser *b)
{
    status_model *m = app_status(b->a);
    if (!portal_online(b->ps)) {
        if (m->rate_remaining != -1 || m->daily_remaining != -1)
            status_set_rate(m, -1, 0, -1);
        return;
    }
    int64_t now = time_mono_ms();
    hs_client_stats st, job;
    int64_t at = now, job_at;
    hs_client_stats_get(b->ps->client, &st);
    if (browser_jobs_budget(b, &job, &job_at) && job.rate_heard_ms > st.rate_heard_ms) {
        st = job;
        at = job_at;
    }
    int left = -1, max = 0;
    int64_t daily = -1;
    if (st.rate_heard_ms > 0) {
        /* A job's figures are a snapshot: a whole window later, what it
         * counted has left the window. */
        int used = now - at >= st.window_interval_ms ? 0 : st.window_used;
        max = st.window_max;
        left = max - used > 0 ? max - used : 0;
        daily = st.daily_remaining;
    }
    if (left != m->rate_remaining || max != m->rate_max || daily != m->daily_remaining)
        status_set_rate(m, left, max, daily);
}

static void update_counts(browser *b, int64_t now)
{
    if (now < b->counts_due)
        return;
    b->counts_due = now + COUNTS_EVERY_MS;
    outbox_counts c;
    ht_error err;
    if (outbox_counts_get(b->ps->st, &c, &err) != HT_OK)
        return;
    status_model *m = app_status(b->a);
    int failed = (int)(c.failed + c.not_applied);
    if (m->pending != c.pending || m->sending != c.sending || m->conflicts != c.conflict ||
        m->failed != failed)
        status_set_outbox(m, (int)c.pending, (int)c.sending, (int)c.conflict, failed);
}

static void update_conn(browser *b)
{
    status_model *m = app_status(b->a);
    if (b->connect_due)
        return;
    conn_state want = portal_online(b->ps) ? CONN_ONLINE : CONN_OFFLINE;
    if (m->conn != want)
        status_set_conn(m, want);
}

static void on_tick(void *ud, app *a, int64_t now)
{
    browser *b = ud;
    if (b->connect_due) {
        /* After the first frame: a token command or the keyring may take
         * a moment, and the cached data is already on screen. */
        b->connect_due = false;
        connect_portal(b, true);
    }
    browser_jobs_tick(b, now);
    if (b->go_offline) {
        b->go_offline = false;
        browser_jobs_stop(b);
        portal_go_offline(b->ps);
    }
    update_conn(b);
    update_rate(b);
    update_counts(b, now);
    if (portal_online(b->ps) || b->counts_due)
        app_wake_at(a, b->counts_due ? b->counts_due : now + COUNTS_EVERY_MS);
}

void browser_unreachable(browser *b, const ht_error *err)
{
    if (!portal_online(b->ps) || b->go_offline)
        return;
    b->go_offline = true; /* not inside the client's callback: in the next tick */
    app_message(b->a, MSG_WARN, "Cannot reach HubSpot (%s): working offline; :online retries",
                err->message);
}

/* ---- Connecting --------------------------------------------------------------------- */

static void connect_portal(browser *b, bool quiet)
{
    ht_error err;
    if (portal_connect(b->ps, &err) == HT_OK) {
        if (!quiet)
            app_message(b->a, MSG_INFO, "Online: %s", hs_client_base_url(b->ps->client));
        return;
    }
    if (err.status == HT_UNSUPPORTED && b->opts_offline && quiet)
        return;
    app_message(b->a, MSG_WARN, "Offline: %s", err.message);
}

static view_result go_online(browser *b)
{
    if (portal_online(b->ps)) {
        app_message(b->a, MSG_INFO, "Already online");
        return VR_HANDLED;
    }
    b->ps->offline = false;
    connect_portal(b, false);
    update_conn(b);
    return VR_HANDLED;
}

static view_result go_offline(browser *b)
{
    browser_jobs_stop(b);
    portal_go_offline(b->ps);
    update_conn(b);
    app_message(b->a, MSG_INFO, "Offline: edits stay queued; :online and P push them later");
    return VR_HANDLED;
}

/* ---- Opening and switching portals ------------------------------------------------------ */

/* Anything cached at all? A fresh cache knows the standard types but
 * holds no records. */
static bool cache_has_records(browser *b)
{
    objinfo *types = NULL;
    size_t n = 0;
    ht_error err;
    bool any = false;
    if (meta_list_objects(b->ps->st, &types, &n, &err) != HT_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        any |= types[i].count > 0 || types[i].synced;
    objinfo_free_all(types, n);
    return any;
}

static void open_first_view(browser *b)
{
    if (!cache_has_records(b)) {
        /* The types view says the cache is empty and how to fill it. */
        app_push(b->a, typesview_new(b));
        b->empty_start = true;
        return;
    }
    b->empty_start = false;
    const char *last = uistate_last_object(b->state, b->ps->name);
    char *object = xstrdup(last ? last : "contacts");
    ht_error err;
    const objmeta *m = meta_object(b->ps->st, object, &err);
    if (!m && last) {
        free(object);
        object = xstrdup("contacts");
        m = meta_object(b->ps->st, object, &err);
    }
    if (m) {
        objmeta_release(m);
        app_set_nav(b->a, typesview_new(b));
        browser_open_list(b, object);
    } else {
        /* An empty cache: the types view says what to do. */
        app_push(b->a, typesview_new(b));
    }
    free(object);
}

void browser_after_first_sync(browser *b)
{
    if (!b->empty_start || !cache_has_records(b))
        return;
    app_reset_views(b->a);
    open_first_view(b);
}

static bool start_worker(browser *b, ht_error *err)
{
    b->wk = worker_new(b->ps->st, err);
    if (!b->wk)
        return false;
    app_watch_fd(b->a, worker_fd(b->wk), POLLIN, browser_worker_ready, b);
    return true;
}

void browser_worker_ready(void *ud, app *a, short revents)
{
    browser *b = ud;
    worker_collect(b->wk);
}

static void stop_worker(browser *b)
{
    if (!b->wk)
        return;
    if (b->a)
        app_unwatch_fd(b->a, worker_fd(b->wk));
    worker_free(b->wk);
    b->wk = NULL;
}

static const char *portal_theme(browser *b)
{
    if (b->opts_theme)
        return b->opts_theme;
    if (b->ps->conf && !str_empty(b->ps->conf->theme))
        return b->ps->conf->theme;
    return b->ui_theme;
}

static view_result switch_portal(browser *b, const char *name)
{
    if (!name) {
        app_message(b->a, MSG_INFO, "Portal: %s (:portal NAME switches; Tab completes)",
                    b->ps->name);
        return VR_HANDLED;
    }
    portal_options po = {.config_path = b->config_path, .config_text = b->config_text,
                         .portal = name, .cache_dir = b->cache_dir, .token = b->token, .offline = b->opts_offline,
                         .readonly = b->opts_readonly};
    portal_session *ps = NULL;
    ht_error err;
    if (portal_open(&po, &ps, &err) != HT_OK) {
        app_error(b->a, &err);
        return VR_HANDLED;
    }
    /* Views save their state while the old portal is still open. */
    app_reset_views(b->a);
    browser_jobs_stop(b);
    stop_worker(b);
    portal_close(b->ps);
    b->ps = ps;
    b->serial++;
    forget_saved(b);
    browser_load_portal_data(b);
    app_set_portal(b->a, ps->name, ps->readonly);
    const char *look = portal_theme(b);
    ht_error terr;
    if (!app_set_theme(b->a, look ? look : "default", &terr))
        app_error(b->a, &terr);
    if (!start_worker(b, &err)) {
        app_error(b->a, &err);
        return VR_HANDLED;
    }
    connect_portal(b, true);
    update_conn(b);
    b->counts_due = 0;
    open_first_view(b);
    app_message(b->a, MSG_INFO, "Portal: %s%s%s", ps->name, ps->readonly ? " (read-only)" : "",
                portal_online(ps) ? "" : " (offline)");
    return VR_HANDLED;
}

/* ---- Actions that belong to no view -------------------------------------------------------- */

static view_result undo(browser *b)
{
    size_t n = 0;
    ht_error err;
    if (outbox_undo_last(b->ps->st, &n, &err) != HT_OK) {
        app_error(b->a, &err);
        return VR_HANDLED;
    }
    if (n == 0)
        app_message(b->a, MSG_INFO, "Nothing to undo (changes being sent cannot be undone)");
    else
        app_message(b->a, MSG_INFO, "Undone: %zu change%s", n, n == 1 ? "" : "s");
    browser_data_changed(b);
    return VR_REDRAW_ALL;
}

static view_result show_types(browser *b, const char *arg)
{
    if (arg) {
        const objmeta *m = browser_meta(b, arg);
        if (m) {
            char *name = xstrdup(m->name);
            objmeta_release(m);
            browser_open_list(b, name);
            free(name);
        }
        return VR_HANDLED;
    }
    const layout *l = app_layout(b->a);
    if (l->pane[PANE_NAV].visible)
        app_focus(b->a, PANE_NAV);
    else
        app_push(b->a, typesview_new(b));
    return VR_HANDLED;
}

static view_result on_action(void *ud, app *a, const action_call *call)
{
    browser *b = ud;
    switch (call->id) {
    case ACT_TYPES:
        return show_types(b, call->arg);
    case ACT_PORTAL:
        return switch_portal(b, call->arg);
    case ACT_UNDO:
        return undo(b);
    case ACT_QUEUE:
        app_push(a, queueview_new(b));
        return VR_HANDLED;
    case ACT_SYNC:
        return browser_jobs_sync(b, call->arg);
    case ACT_PUSH:
        return browser_jobs_push(b);
    case ACT_CANCEL_SYNC:
        return browser_jobs_cancel(b);
    case ACT_ONLINE:
        return go_online(b);
    case ACT_OFFLINE:
        return go_offline(b);
    default:
        return VR_UNHANDLED;
    }
}

static void free_names(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static void command_lists(void *ud, app *a, cmdline_command_lists *lists)
{
    browser *b = ud;
    free_names(b->portal_names);
    b->portal_names = xcalloc(b->ps->cfg.n_portals + 2, sizeof *b->portal_names);
    for (size_t i = 0; i < b->ps->cfg.n_portals; i++)
        b->portal_names[i] = xstrdup(b->ps->cfg.portals[i].name);
    free_names(b->type_names);
    objinfo *types = NULL;
    size_t n = 0;
    ht_error err;
    if (meta_list_objects(b->ps->st, &types, &n, &err) != HT_OK)
        n = 0;
    b->type_names = xcalloc(n + 1, sizeof *b->type_names);
    for (size_t i = 0; i < n; i++)
        b->type_names[i] = xstrdup(types[i].name);
    objinfo_free_all(types, n);
    free_names(b->column_names);
    b->column_names = reclist_column_names(app_main_view(a));
    lists->portals = (const char *const *)b->portal_names;
    lists->types = (const char *const *)b->type_names;
    lists->columns = (const char *const *)b->column_names;
}

static int browser_wait(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    browser *b = ctx;
    if (b->ps && b->ps->client)
        return hs_client_poll(b->ps->client, fds, nfds, timeout_ms);
    return poll(fds, nfds, timeout_ms);
}

/* ---- Running ----------------------------------------------------------------------------- */

static void browser_free(browser *b)
{
    browser_jobs_stop(b);
    stop_worker(b);
    if (b->state) {
        ht_error err;
        if (uistate_save(b->state, &err) != HT_OK)
            log_warn("tui: %s", err.message);
    }
    uistate_free(b->state);
    free_owners(b);
    tz_free(b->zone);
    free(b->currency);
    colconf_free(&b->cols);
    free_names(b->portal_names);
    free_names(b->type_names);
    free_names(b->column_names);
    forget_saved(b);
    portal_close(b->ps);
    free(b->config_path);
    free(b->config_text);
    free(b->cache_dir);
    str_free_secret(b->token);
    free(b->opts_theme);
    free(b->ui_theme);
    free(b);
}

static browser *browser_new(const tui_options *opts, const char *config_path, ht_error *err)
{
    browser *b = xcalloc(1, sizeof *b);
    b->config_path = xstrdup(config_path);
    b->opts_offline = opts->offline;
    b->opts_readonly = opts->readonly;
    b->opts_theme = opts->theme ? xstrdup(opts->theme) : NULL;
    b->config_text = opts->config_text ? xstrdup(opts->config_text) : NULL;
    b->token = opts->token ? xstrdup(opts->token) : NULL;
    b->cache_dir = opts->cache_dir ? xstrdup(opts->cache_dir) : NULL;
    portal_options po = {.config_path = config_path, .config_text = b->config_text,
                         .portal = opts->portal, .cache_dir = opts->cache_dir,
                         .token = b->token, .offline = opts->offline,
                         .readonly = opts->readonly};
    if (portal_open(&po, &b->ps, err) != HT_OK) {
        browser_free(b);
        return NULL;
    }
    char *state_path = uistate_default_path();
    b->state = uistate_load(state_path);
    free(state_path);
    return b;
}

int browser_run(const tui_options *opts, const char *config_path, const char *ui_theme,
                const char *ui_colors, bool ui_mouse, diag_list *ui_diags)
{
    ht_error err;
    browser *b = browser_new(opts, config_path, &err);
    if (!b) {
        fprintf(stderr, "hubtui: %s\n", err.message);
        return 1;
    }
    b->ui_theme = ui_theme ? xstrdup(ui_theme) : NULL;
    diag_list diags = {0};
    colconf_load_file(&b->cols, config_path, &diags);
    app_config cfg = {
        .portal = b->ps->name,
        .readonly = b->ps->readonly,
        .theme = portal_theme(b),
        .colors = ui_colors,
        .mouse = ui_mouse,
        .keys_config = config_path,
        .wait = browser_wait,
        .wait_ctx = b,
        .tty_in = -1,
        .tty_out = -1,
    };
    b->a = app_new(&cfg, &err);
    if (!b->a) {
        fprintf(stderr, "hubtui: %s\n", err.message);
        diag_clear(&diags);
        browser_free(b);
        return 1;
    }
    app_report(b->a, ui_diags);
    app_report(b->a, &diags);
    for (size_t i = 0; i < b->ps->cfg.n_warnings; i++)
        diag_add(&diags, NULL, 0, "%s", b->ps->cfg.warnings[i]);
    app_report(b->a, &diags);
    app_hooks hooks = {.action = on_action, .tick = on_tick, .command_lists = command_lists,
                       .ud = b};
    app_set_hooks(b->a, &hooks);
    int rc = 1;
    if (!start_worker(b, &err)) {
        app_free(b->a);
        fprintf(stderr, "hubtui: %s\n", err.message);
    } else {
        browser_load_portal_data(b);
        open_first_view(b);
        if (!b->ps->offline) {
            b->connect_due = true;
            status_set_conn(app_status(b->a), CONN_CONNECTING);
            app_wake_at(b->a, time_mono_ms());
        } else {
            update_conn(b);
        }
        rc = app_run(b->a);
        /* Views close (and save where they were) while the worker lives. */
        app_free(b->a);
    }
    b->a = NULL;
    browser_free(b);
    return rc;
}
