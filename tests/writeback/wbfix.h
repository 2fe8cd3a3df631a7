/* wbfix.h — set-up shared by the writeback tests and benchmark: a real
 * fakehub, a private directory holding the config and the cache (the same
 * files `$HUBTUI` finds through XDG_CONFIG_HOME / XDG_CACHE_HOME), a portal
 * session on them, and the cache seeded from the API with the cache's own
 * writers (the way sync fills it). */
#ifndef HUBTUI_TEST_WBFIX_H
#define HUBTUI_TEST_WBFIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness.h"
#include "portal.h"

typedef struct wbfix {
    fakehub         fh;
    bool            fh_running;
    char            dir[256];        /* XDG_CONFIG_HOME and XDG_CACHE_HOME */
    char            hub_dir[300];    /* dir/hubtui: config and cache */
    char            config[340];     /* dir/hubtui/config */
    char            db[340];         /* dir/hubtui/test.db */
    portal_session *ps;
} wbfix;

/* Start fakehub with extra arguments (NULL-terminated, may be NULL) and
 * make the directory with a config for portal "test" (readonly as asked).
 * Aborts the test on failure. */
void wbf_start(wbfix *f, const char *const *fakehub_args, bool readonly);
/* Rewrite the config (e.g. to make the portal read-only). */
void wbf_write_config(wbfix *f, bool readonly);
/* Open the portal session on the cache, connected (asserts). */
void wbf_open(wbfix *f);
/* Close the session (NULL-safe). */
void wbf_close(wbfix *f);
/* Stop fakehub and remove the directory. */
void wbf_stop(wbfix *f);

/* Fill the cache from fakehub: owners, then for each object type its
 * property definitions, groups, pipelines and every record with every
 * property; contacts' company associations when both are named. */
void wbf_seed(wbfix *f, const char *const *objects);

/* Control API: POST a JSON body (asserts a 200). */
void wbf_control(wbfix *f, const char *path, const char *json_body);
/* Change a record as another user (POST /_fakehub/edit). */
void wbf_other_edit(wbfix *f, const char *type, const char *id, const char *props_json);
/* GET a HubSpot path of fakehub, retrying through injected faults. */
json_t *wbf_hubspot_get(wbfix *f, const char *path, long *status);
/* The server's record with the given comma-separated properties (NULL
 * when it is gone). Caller decrefs. */
json_t *wbf_server_record(wbfix *f, const char *type, const char *id, const char *props);
/* A property of the server's record as a fresh string (NULL when empty). */
char *wbf_server_value(wbfix *f, const char *type, const char *id, const char *prop);
/* Every live record of a type with all properties (/_fakehub/dump). */
json_t *wbf_dump(wbfix *f, const char *type);
/* How many live records of type have prop == value. */
size_t wbf_count_with(wbfix *f, const char *type, const char *prop, const char *value);
/* fakehub's stats: requests to write endpoints (POST/PATCH/PUT/DELETE on
 * HubSpot paths that change data). */
long wbf_write_requests(wbfix *f);
/* Total requests fakehub answered. */
long wbf_total_requests(wbfix *f);

/* Run $HUBTUI with args (NULL-terminated) on this directory; returns its
 * exit status and, if wanted, its stdout / stderr (caller frees). With
 * WB_SHOW set, each command and its output are echoed on stderr. */
int wbf_hubtui(wbfix *f, const char *const *args, char **out, char **errout);
/* The same in two steps: start it (output to files in the directory) ... */
pid_t wbf_hubtui_spawn(wbfix *f, const char *const *args);
/* ... and wait for it: exit status, or 128 + signal. */
int wbf_hubtui_wait(wbfix *f, pid_t pid, char **out, char **errout);

/* Some record ids of a type in the cache/server (the first n, ascending);
 * caller frees the array and strings. */
char **wbf_ids(wbfix *f, const char *type, size_t n);
void wbf_free_ids(char **ids, size_t n);

#endif
