/* synctest.h — the sync tests' fixture: a real fakehub, a private directory
 * holding a config that points a portal at it and the portal's cache, and
 * the check that the cache equals the server (every record's properties
 * and associations, for every object type, against /_fakehub/dump). */
#ifndef HUBTUI_TEST_SYNCTEST_H
#define HUBTUI_TEST_SYNCTEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness.h"
#include "portal.h"
#include "sync.h"

typedef struct synctest {
    fakehub fh;
    char    dir[256];        /* temporary directory */
    char    config[320];     /* DIR/cfg/hubtui/config: [portal t] base_url = fakehub */
    char    cache_dir[320];  /* DIR/cache/hubtui (XDG_CACHE_HOME=DIR/cache) */
    portal_session *ps;      /* open and connected */
} synctest;

/* Start fakehub with extra_args (NULL-terminated, may be NULL), make the
 * directory and config, open and connect portal "t" (asserts). */
void st_start(synctest *t, const char *const *extra_args);
/* Close the portal, stop fakehub (asserting a clean exit), remove the directory. */
void st_stop(synctest *t);
/* Close and reopen the portal session (a new process would do the same). */
void st_reopen(synctest *t);

/* Run a sync to the end; returns its status (err may be NULL). */
ht_status st_sync(synctest *t, const sync_options *opt, ht_error *err);
/* The same, asserting HT_OK. */
void st_sync_ok(synctest *t, bool full);

/* Every object type fakehub serves ("contacts", …, "vehicles"). */
extern const char *const st_objects[];
extern const size_t st_nobjects;

/* Compare the cache with the server for every object type; on the first
 * difference print it and fail the test. */
void st_assert_equal(synctest *t);
/* The same, returning false (and printing the first difference) instead. */
bool st_equal(synctest *t, bool verbose);

/* Control API helpers (assert success). */
json_t *st_edit(synctest *t, const char *object, const char *id, const char *props_json);
/* A HubSpot API call with the instance's token; returns the parsed body
 * (may be NULL) and asserts the status is want (0: any 2xx). */
json_t *st_api(synctest *t, const char *method, const char *path, const char *body, long want);
/* Ids of live records of an object on the server (caller frees the array
 * and each string); *n gets the count. */
char **st_server_ids(synctest *t, const char *object, size_t *n);
void st_free_ids(char **ids, size_t n);
/* Set fakehub's config ({"faults": "...", ...}). */
void st_config(synctest *t, const char *json);
/* Requests fakehub served since the last reset (then resets the stats). */
long st_requests(synctest *t);

/* Run $HUBTUI with args (NULL-terminated) as a child process with this
 * fixture's config, cache and token in its environment. Returns its exit
 * code (128 + signal when killed); *out and *err (may be NULL) get what it
 * printed (caller frees). */
int st_run(synctest *t, char **out, char **err, const char *const *args);
/* The same with stderr going to the file err_path (made or truncated), as
 * in `hubtui ... 2>FILE`, and stdout to *out (may be NULL). */
int st_run_err_file(synctest *t, char **out, const char *err_path, const char *const *args);
/* Start $HUBTUI with args in the background (stdout/stderr to /dev/null);
 * returns its pid. */
pid_t st_spawn(synctest *t, const char *const *args);
/* Wait for a child; returns its exit code (128 + signal when killed). */
int st_wait(pid_t pid);


#endif
