/* ratelimit.h — HubSpot's limits: a rolling window per app (ten-secondly),
 * a per-portal daily count (private apps only), and the per-portal search
 * limit (secondly). Thread-safe (own lock).
 *
 * Rejected requests do not use up the window. The peak number of requests
 * seen inside any window is kept for /_fakehub/stats, also when the limit
 * itself is off. */
#ifndef FAKEHUB_RATELIMIT_H
#define FAKEHUB_RATELIMIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"

typedef enum {
    RL_NORMAL,   /* counts toward the ten-secondly window and the day */
    RL_EXEMPT,   /* ten-secondly exempt (association batch, labels): the day only;
                  * daily headers, no window headers */
    RL_SEARCH,   /* the search limit and the day; no rate headers */
} fh_rl_kind;

typedef enum { RL_OK, RL_TEN_SECONDLY, RL_DAILY, RL_SECONDLY } fh_rl_result;

/* What the X-HubSpot-RateLimit-* headers should say after this request. */
typedef struct fh_rl_info {
    bool    window_headers;
    int     max, remaining, interval_ms;
    bool    daily_headers;
    int64_t daily_max, daily_remaining;
    int     retry_after_s;   /* for a 429 */
} fh_rl_info;

typedef struct fh_limiter fh_limiter;

fh_limiter *limiter_new(void);
void limiter_free(fh_limiter *l);
/* Admit (and count) one request; day is the portal-local day number. */
fh_rl_result limiter_admit(fh_limiter *l, const fh_settings *s, const fh_principal *who,
                           fh_rl_kind kind, int64_t now_mono, int64_t day, fh_rl_info *info);
/* Forget every window, the peaks and today's count. */
void limiter_reset(fh_limiter *l);
/* Requests counted toward the daily limit on this day. */
int64_t limiter_daily_used(fh_limiter *l, int64_t day);
/* Add peakWindow, peakSearchWindow and dailyUsed to obj. */
void limiter_stats(fh_limiter *l, int64_t day, json_t *obj);

#endif
