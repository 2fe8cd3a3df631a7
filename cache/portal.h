/* portal.h — one open portal: its config, its offline cache and (when
 * online) its HubSpot client, opened together the same way for every
 * command-line subcommand and for the browser.
 *
 * The store is always opened; the client only on portal_connect(), so
 * browsing offline never needs a token, and a missing token or an
 * unreachable portal leaves the session usable offline. */
#ifndef HUBTUI_CACHE_PORTAL_H
#define HUBTUI_CACHE_PORTAL_H

#include <stdbool.h>

#include "client.h"
#include "config.h"
#include "error.h"
#include "store.h"

typedef struct portal_options {
    const char *config_path;  /* NULL: config_default_path() */
    const char *config_text;  /* parse this instead of reading a file (the demo) */
    const char *portal;       /* NULL: default_portal, the only one, or "default" */
    const char *cache_dir;    /* NULL: $XDG_CACHE_HOME/hubtui */
    const char *token;        /* NULL: the usual sources (env, command, keyring) */
    bool        offline;      /* never open a client */
    bool        readonly;     /* refuse edits and pushes (also from the config) */
} portal_options;

typedef struct portal_session {
    config               cfg;
    const config_portal *conf;     /* this portal's section (points into cfg) */
    char                *name;     /* the portal's name */
    store               *st;       /* the cache; never NULL once open */
    hs_client           *client;   /* NULL until connected, or offline */
    bool                 offline;  /* asked for, or forced by a failed connect */
    bool                 readonly; /* --readonly or readonly = true */
    ht_error             connect_err; /* why the last connect failed */
    char                *token;    /* the explicit token, if one was given */
} portal_session;

/* Load the config, pick the portal and open its cache. Config warnings stay
 * in cfg.warnings for the caller to show. */
ht_status portal_open(const portal_options *opt, portal_session **out, ht_error *err);
/* Open the HubSpot client if not already open. Fails with HT_UNSUPPORTED in
 * offline mode, or with the reason (no token, bad URL) — the session stays
 * usable offline either way. */
ht_status portal_connect(portal_session *ps, ht_error *err);
/* Is a client open? */
bool portal_online(const portal_session *ps);
/* Drop the client (cancelling its requests) and work offline from now on. */
void portal_go_offline(portal_session *ps);
/* Close the client, the store and the config. NULL is fine. */
void portal_close(portal_session *ps);

#endif
