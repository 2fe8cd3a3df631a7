/* portal.h — one simulated HubSpot portal: its data, metadata, settings,
 * tokens, limits, faults and statistics, handed to every handler.
 *
 * Locking: `lock` guards the store, the model, the association types and
 * the write clock. Settings have their own small lock (read once per
 * request); auth, limiter, faults and stats lock themselves. */
#ifndef FAKEHUB_PORTAL_H
#define FAKEHUB_PORTAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "atypes.h"
#include "auth.h"
#include "config.h"
#include "faults.h"
#include "model.h"
#include "ratelimit.h"
#include "stats.h"
#include "store.h"

/* How many records of each kind to generate. */
typedef struct fh_counts {
    int64_t contacts, companies, deals, tickets, products, line_items;
    int64_t notes, calls, tasks, custom;
    int64_t quotes, meetings, emails;
} fh_counts;

typedef struct fh_options {
    int          port;
    uint64_t     seed;
    fh_counts    counts;
    const char **tokens;
    int          n_tokens;
    const char **scope_specs;
    int          n_scope_specs;
    const char  *db_path, *log_path, *oauth_client;
    int          token_ttl_s;
    int64_t      portal_id;
    bool         quiet;
    fh_settings  settings;
} fh_options;

typedef struct fh_portal {
    fh_options      opt;
    pthread_mutex_t lock;
    fh_store       *store;
    fh_model        model;
    fh_atypes       atypes;
    int64_t         clock_ms;
    pthread_mutex_t settings_lock;
    fh_settings     settings;
    fh_auth        *auth;
    fh_limiter     *limiter;
    fh_faults      *faults;
    fh_stats       *stats;
    FILE           *log;
    pthread_mutex_t log_lock;
    char            base_url[64];
    double          gen_seconds;   /* how long the data took to generate or load */
} fh_portal;

/* Open the store, then load the saved portal (--db with data) or generate
 * a fresh one. False with a message in err on failure. */
bool portal_init(fh_portal *p, const fh_options *opt, char *err, size_t errlen);
void portal_free(fh_portal *p);
static inline void portal_lock(fh_portal *p) { pthread_mutex_lock(&p->lock); }
static inline void portal_unlock(fh_portal *p) { pthread_mutex_unlock(&p->lock); }
/* A copy of the current settings. */
fh_settings portal_settings(fh_portal *p);
void portal_set_settings(fh_portal *p, const fh_settings *s);
/* Wall-clock ms for a write, never earlier than the previous one (lock held). */
int64_t portal_write_clock(fh_portal *p);
/* The portal's time zone: name and UTC offset (ms) at a given instant. */
const char *portal_time_zone(void);
int64_t portal_utc_offset_ms(int64_t epoch_ms);
/* Today's number in the portal's time zone (daily limit resets). */
int64_t portal_day(int64_t epoch_ms);
/* Throw the data away and generate it again from the seed (lock held). */
bool portal_regenerate(fh_portal *p, char *err, size_t errlen);
/* Save next ids, custom properties and labels for --db (lock held). */
bool portal_save_meta(fh_portal *p);

#endif
