/* browser.h — the record browser: one portal's cache and client around the
 * app, and what every data view needs from them.
 *
 * The browser opens the portal (cache always, HubSpot client unless
 * offline), starts the worker thread for list queries, plugs the client's
 * event loop into the app's wait, keeps the status bar fed (connection,
 * sync and push progress, rate-limit budget, outbox counts) and handles the
 * actions that are not any one view's: object types, portals, sync, push,
 * the queue, undo, going on- and offline. Views get the browser when they
 * are made and reach the cache through it.
 *
 * Local writes (edits, undo, queue decisions) and incoming data (sync
 * pages, a refreshed record, a push) bump a change serial; views compare it
 * in their tick and reload what they show. */
#ifndef HUBTUI_BROWSER_H
#define HUBTUI_BROWSER_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "client.h"
#include "colconf.h"
#include "format.h"
#include "meta.h"
#include "store.h"
#include "tui.h"
#include "tz.h"
#include "uistate.h"
#include "worker.h"

typedef struct browser browser;

/* Run the browser until the user quits (tui_run's body). ui_theme and
 * ui_colors come from the config's [ui] section (may be NULL). */
int browser_run(const tui_options *opts, const char *config_path, const char *ui_theme,
                const char *ui_colors, bool ui_mouse, diag_list *ui_diags);

/* ---- For views ----------------------------------------------------------- */

app *browser_app(browser *b);
store *browser_store(browser *b);
worker *browser_worker(browser *b);
uistate *browser_state(browser *b);
const colconf *browser_colconf(browser *b);
/* The portal's name ("default" when unnamed). */
const char *browser_portal(browser *b);
bool browser_online(browser *b);

/* A snapshot of an object type (release with objmeta_release), or NULL
 * with the reason shown in the message line. */
const objmeta *browser_meta(browser *b, const char *object);
/* How values of m's properties are formatted here (zone, currency, owners). */
fmt_ctx browser_fmt(browser *b, const objmeta *m, bool with_zone);
/* The portal's time zone (never NULL). */
const tz *browser_zone(browser *b);
/* An owner's name by id, or NULL. */
const char *browser_owner_name(browser *b, const char *id);
/* Every owner, by name. */
const owner *browser_owners(browser *b, size_t *n);

/* Bumped by every change of the cached data; views reload when it moves. */
uint64_t browser_serial(browser *b);
/* Local data changed (an edit was queued, undone, settled). */
void browser_data_changed(browser *b);

/* Navigation: push a list, a record, its association graph, the queue. */
void browser_open_list(browser *b, const char *object);
void browser_open_record(browser *b, const char *object, const char *id);
void browser_open_graph(browser *b, const char *object, const char *id);
/* Remember the list shown last (where to open next time). */
void browser_note_list(browser *b, const char *object);
/* A fresh, increasing stamp for "this list was just used". */
uint64_t browser_stamp(browser *b);
/* May a list of object used at stamp save its state? Only the most
 * recently used list of an object does (several can be in the history). */
bool browser_claim_list_state(browser *b, const char *object, uint64_t stamp);

/* Fetch one record from HubSpot at interactive priority, ahead of sync and
 * push; done runs later with the outcome (also HT_CANCELLED). Returns 0
 * (and never calls done) when offline or when refreshing is not available. */
typedef void (*browser_refresh_fn)(void *ud, ht_status st, const ht_error *err);
hs_call_id browser_refresh_record(browser *b, const char *object, const char *id,
                                  browser_refresh_fn done, void *ud);
/* Cancel such a refresh (done runs with HT_CANCELLED). */
void browser_cancel_refresh(browser *b, hs_call_id id);

#endif
