/* ratelimit.h — the client-side request budget of one portal (pure logic).
 *
 * A rolling window of `max` requests per `interval_ms`, the shape HubSpot
 * enforces. The server counts a request when it arrives, some time between
 * our sending it and its answer coming back; so a request occupies a slot
 * from the moment it is sent until interval_ms after its answer arrived.
 * That never lets the server see more than max in any window, whatever the
 * latency and its jitter, at the cost of the latency (a few ms in a window of
 * seconds). The limiter is sized from the documented limits for the app
 * type, then corrected from the X-HubSpot-RateLimit-* headers of every
 * response: the server's max and interval win, and requests the server
 * counted that we did not (another process on the same app) are added. A 429
 * blocks it until a given time; a daily exhaustion blocks it until the day
 * resets.
 *
 * Nothing here reads a clock: callers pass monotonic milliseconds (`now`) and,
 * for the daily limit, wall-clock milliseconds (`wall_now`), so tests drive it
 * with a fake clock. */
#ifndef HUBTUI_RATELIMIT_H
#define HUBTUI_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How HubSpot sizes limits: by app type and account tier. */
typedef enum ratelimit_app {
    RL_APP_UNKNOWN,      /* not configured: start at the lowest documented limit */
    RL_APP_PRIVATE,      /* private app (static token) */
    RL_APP_OAUTH,        /* public OAuth app */
} ratelimit_app;

typedef enum ratelimit_tier {
    RL_TIER_UNKNOWN,
    RL_TIER_FREE,        /* Free and Starter share the lowest limits */
    RL_TIER_STARTER,
    RL_TIER_PROFESSIONAL,
    RL_TIER_ENTERPRISE,
    RL_TIER_LIMIT_INCREASE, /* API Limit Increase pack */
} ratelimit_tier;

/* Documented limits for an app type and tier (hubspot-api.md §11). */
typedef struct ratelimit_limits {
    int     max;          /* requests per window */
    int     interval_ms;  /* window length */
    int64_t daily;        /* requests per day, 0 = no daily limit */
} ratelimit_limits;

/* What one response's headers said (fields with has_* false were absent). */
typedef struct ratelimit_headers {
    bool    has_max, has_remaining, has_interval, has_daily, has_daily_remaining,
            has_retry_after;
    int     max, remaining, interval_ms;
    int64_t daily, daily_remaining;
    int64_t retry_after_ms;   /* Retry-After, converted to a delay */
} ratelimit_headers;

typedef struct ratelimit {
    int      max;             /* requests per window (adopted from headers) */
    int      interval_ms;
    int      margin_ms;       /* a little extra window for clock granularity */
    int      reserve;         /* slots kept for priority requests */
    bool     learned;         /* max/interval came from the server */
    int      in_flight;       /* sent, answer not yet in */
    int64_t *done;            /* ring of answer times, oldest first */
    size_t   cap, head, count;
    int64_t  blocked_until;   /* monotonic ms; nothing is sent before it */
    int64_t  daily_max;       /* 0 = unknown or none */
    int64_t  daily_remaining; /* -1 = unknown */
    int64_t  daily_reset_wall;/* wall ms when a daily block ends, 0 = not blocked */
} ratelimit;

/* ratelimit_wait_ms() when only an answer to a request in flight can free
 * a slot (the caller steps again when one arrives). */
#define RATELIMIT_WAIT_ANSWER (-1)

/* The documented limits for app/tier; unknown gets the lowest (100 per 10 s). */
ratelimit_limits ratelimit_documented(ratelimit_app app, ratelimit_tier tier);
/* Parse "private"/"oauth" (false on anything else). */
bool ratelimit_app_parse(const char *s, ratelimit_app *out);
/* Parse "free", "starter", "professional"/"pro", "enterprise",
 * "limit_increase" (false on anything else). */
bool ratelimit_tier_parse(const char *s, ratelimit_tier *out);

/* Start a limiter of max requests per interval_ms, empty. */
void ratelimit_init(ratelimit *rl, int max, int interval_ms);
void ratelimit_free(ratelimit *rl);
/* Change the window size, keeping the most recent send times. */
void ratelimit_resize(ratelimit *rl, int max, int interval_ms);

/* Milliseconds until one more request may be sent (0 = now), or
 * RATELIMIT_WAIT_ANSWER. Priority requests may use the reserved slots.
 * Ignores the daily block. */
int64_t ratelimit_wait_ms(const ratelimit *rl, int64_t now, bool priority);
/* Record that a request was sent: it holds a slot until its answer. */
void ratelimit_note_sent(ratelimit *rl);
/* Record that a request's answer (or failure, or cancellation) came at now:
 * its slot frees interval_ms later. */
void ratelimit_note_done(ratelimit *rl, int64_t now);
/* Slots taken at now: requests in flight plus answers within the window. */
int ratelimit_used(const ratelimit *rl, int64_t now);
/* Monotonic time when the oldest answered request leaves the window
 * (now when none is in it). */
int64_t ratelimit_window_frees_at(const ratelimit *rl, int64_t now);

/* Correct the limiter from a response received at now, before its request
 * is noted done: adopt the server's max and interval, count requests the
 * server saw and we did not (as answered now), and take the daily figures.
 * Returns true when the daily budget is now exhausted. */
bool ratelimit_note_headers(ratelimit *rl, int64_t now, const ratelimit_headers *h);
/* Send nothing before until (monotonic ms); an earlier until never shortens
 * an existing block. */
void ratelimit_block_until(ratelimit *rl, int64_t until);

/* Stop all traffic until reset_wall (wall-clock ms). */
void ratelimit_block_daily(ratelimit *rl, int64_t reset_wall);
/* True while a daily block is in force at wall_now (clears it once passed). */
bool ratelimit_daily_blocked(ratelimit *rl, int64_t wall_now);

/* Wall-clock ms of the next midnight after wall_now in a zone utc_offset_ms
 * east of UTC (the account's time zone; the daily limit resets then). */
int64_t ratelimit_next_midnight(int64_t wall_now, int64_t utc_offset_ms);

/* Is path (query string allowed) one HubSpot exempts from the ten-secondly
 * limit: the v4 association batch calls, association labels and the
 * association limit configuration, under /crm/v4/associations/,
 * /crm/associations/v4/ or a dated /crm/associations/<version>/
 * (hubspot-api.md §5, §11)? Such calls count toward the day only. */
bool ratelimit_path_exempt(const char *path);

/* Fold one raw header line ("Name: value\r\n") into h when it is one of the
 * X-HubSpot-RateLimit-* headers or Retry-After (names case-insensitive).
 * wall_now converts an HTTP-date Retry-After into a delay. */
void ratelimit_parse_header(ratelimit_headers *h, const char *line, size_t len,
                            int64_t wall_now);

#endif
