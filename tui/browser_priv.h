/* browser_priv.h — the inside of the browser, shared by browser.c (portal,
 * status bar, actions) and browser_jobs.c (sync, push and record refresh).
 * Nothing else includes it. */
#ifndef HUBTUI_BROWSER_PRIV_H
#define HUBTUI_BROWSER_PRIV_H

#include "browser.h"
#include "portal.h"

typedef struct browser_jobs browser_jobs;

struct browser {
    app *a;
    portal_session *ps;
    worker *wk;
    uistate *state;
    colconf cols;
    char *config_path;
    char *config_text; /* the demo's built-in portal */
    char *cache_dir;
    char *token;
    bool opts_offline, opts_readonly;
    char *opts_theme, *ui_theme;

    /* Formatting: the portal's zone, currency and owners. */
    tz *zone;
    char *currency;
    owner *owners;
    char **owner_labels;
    size_t nowners;

    uint64_t serial;   /* cached data changed */
    int64_t counts_due; /* next outbox count refresh (0: now) */
    bool go_offline;   /* HubSpot became unreachable: drop the client next tick */
    bool connect_due;  /* connect after the first frame */
    bool empty_start;  /* opened on an empty cache: a sync brings the lists */

    /* Completion lists for the `:` prompt. */
    char **portal_names, **type_names, **column_names;

    browser_jobs *jobs;

    /* Which list's state was saved for each object, by use stamp. */
    uint64_t stamp;
    char **saved_objects;
    uint64_t *saved_stamps;
    size_t nsaved;
};

/* browser.c */
void browser_load_portal_data(browser *b);
/* After a sync into a cache that was empty: open the usual first view. */
void browser_after_first_sync(browser *b);
void browser_worker_ready(void *ud, app *a, short revents);
/* HubSpot could not be reached: work offline from the next tick on. */
void browser_unreachable(browser *b, const ht_error *err);

/* browser_jobs.c */
/* args as `hubtui sync` takes them: [--full] [OBJECT...] (NULL: every type). */
view_result browser_jobs_sync(browser *b, const char *args);
view_result browser_jobs_push(browser *b);
view_result browser_jobs_cancel(browser *b);
/* Progress into the status bar, finished jobs freed. */
void browser_jobs_tick(browser *b, int64_t now);
/* Cancel and free every job (going offline, switching portals, quitting). */
void browser_jobs_stop(browser *b);
/* The freshest rate budget a background job's client heard from HubSpot
 * (running or ended), as of *taken_at (monotonic ms); false when none has. */
bool browser_jobs_budget(browser *b, hs_client_stats *out, int64_t *taken_at);
hs_call_id browser_jobs_refresh(browser *b, const char *object, const char *id,
                                browser_refresh_fn done, void *ud);

#endif
