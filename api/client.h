/* client.h — the asynchronous, throttle-aware HubSpot client of one portal.
 *
 * Requests are submitted with a completion callback and come back through
 * the event loop; nothing blocks. In front of the wire sit a priority queue
 * (interactive before normal before background), a cap on requests in
 * flight (one slot is kept for interactive requests), the portal's limiter
 * and a separate search limiter (ratelimit.h), the retry policy (retry.h) and
 * OAuth refresh (auth.h). Calls HubSpot exempts from the ten-secondly limit
 * (association batches and labels, recognised by their path) take no
 * limiter slot and never wait for one: only the in-flight cap and the daily
 * limit hold them back.
 *
 * Callbacks. Every submitted request or operation completes exactly once:
 * its callback runs with the result, or with HT_CANCELLED — synchronously
 * inside hs_cancel(), or inside hs_client_free(). Callbacks never run inside
 * the submitting call; they run from hs_client_step/poll/run. A callback may
 * submit and cancel requests, but must not call hs_client_poll/step/run or
 * hs_client_free. Everything in an hs_result is borrowed for the duration of
 * the callback (json_incref the body to keep it).
 *
 * Event loops. The TUI calls hs_client_poll() with the terminal's fd: it waits
 * on curl's sockets, the extra fds and the next internal deadline together,
 * then runs whatever completed. The command line uses hs_client_run().
 *
 * Single-threaded: all calls from one thread, except hs_client_wakeup(). */
#ifndef HUBTUI_CLIENT_H
#define HUBTUI_CLIENT_H

#include "apierror.h"
#include "auth.h"
#include "config.h"
#include "error.h"
#include "ratelimit.h"
#include "retry.h"

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_DEFAULT_BASE_URL "https://api.hubapi.com"

typedef struct hs_client hs_client;
/* Identifies a request or operation; 0 is never used. */
typedef uint64_t hs_call_id;

typedef enum hs_priority {
    HS_PRIO_INTERACTIVE = 0,  /* the user is waiting (opened a record) */
    HS_PRIO_NORMAL      = 1,  /* metadata, commands run from the CLI */
    HS_PRIO_BACKGROUND  = 2,  /* sync, writeback */
} hs_priority;
#define HS_PRIO_COUNT 3

typedef struct hs_result {
    hs_call_id      id;
    ht_status       status;        /* HT_OK, or why it failed */
    int             http_status;   /* the last HTTP status, 0 when none */
    json_t         *body;          /* the JSON body of a 2xx, NULL for 204/empty */
    const ht_error *err;           /* words for a failure (never a token) */
    const apierror *detail;        /* HubSpot's parsed error body, or NULL */
    bool            maybe_applied; /* a non-idempotent request failed after the
                                    * server may have acted: look before retrying */
    int             attempts;      /* HTTP attempts made */
    const char     *raw;           /* HS_REQ_RAW: the 2xx body's bytes (borrowed, not
                                    * NUL-terminated; body is then NULL), else NULL */
    size_t          raw_len;
} hs_result;

typedef void (*hs_done_fn)(void *ud, const hs_result *r);

typedef struct hs_client_opts {
    const char    *base_url;          /* NULL: https://api.hubapi.com */
    const char    *portal;            /* name in messages; NULL: "default" */
    auth           auth;              /* taken over by the client (moved) */
    ratelimit_app  app;               /* sizes the limiter with tier ... */
    ratelimit_tier tier;
    ratelimit_limits limits;          /* ... unless max > 0 here */
    int            search_per_second; /* 0: 5 */
    int            max_in_flight;     /* 0: 6 */
    int            timeout_ms;        /* per attempt, 0: 60 s */
    int            connect_timeout_ms;/* 0: 10 s */
    retry_policy   retry;             /* max_attempts 0: retry_policy_default() */
    bool           has_utc_offset;    /* the account's zone for the daily reset; */
    int64_t        utc_offset_ms;     /* else learnt from account-info, else UTC */
    uint64_t       seed;              /* jitter seed, 0: from the clock */
} hs_client_opts;

/* Create a client. Refuses a base URL that is plain http:// to anything but
 * loopback (no network I/O happens). On failure the auth in o is freed. */
hs_client *hs_client_new(hs_client_opts *o, ht_error *err);
/* The options of portal p's client, auth aside: the base URL from
 * $HUBTUI_BASE_URL, else the portal's, else HubSpot's; its app type, tier
 * and time zone. */
void hs_client_opts_for_portal(const config_portal *p, hs_client_opts *o);
/* Create the client of a configured portal (config_find_portal rules): the
 * base URL from $HUBTUI_BASE_URL, else the portal's, else HubSpot's; the
 * token from `token` when not NULL, else auth_resolve(); limits from the
 * portal's app_type/tier. */
hs_client *hs_client_open(const config *cfg, const char *portal, const char *token,
                          ht_error *err);
/* Cancel everything (callbacks run with HT_CANCELLED), then free. */
void hs_client_free(hs_client *c);

/* What a raw request looks like; the typed calls in hubspot.h build these. */
enum hs_request_flags {
    HS_REQ_SEARCH          = 1 << 0,  /* counts against the search limiter */
    HS_REQ_NOT_IDEMPOTENT  = 1 << 1,  /* never repeat after an ambiguous failure */
    HS_REQ_NO_AUTH         = 1 << 2,  /* no Authorization header (OAuth endpoint) */
    HS_REQ_FORM            = 1 << 3,  /* body_text is x-www-form-urlencoded */
    HS_REQ_RAW             = 1 << 4,  /* hand a 2xx body over unparsed (hs_result.raw):
                                       * for callers with their own fast reader */
};

typedef struct hs_request {
    const char  *method;       /* GET POST PATCH PUT DELETE */
    const char  *path;         /* "/crm/v3/objects/contacts?limit=100", escaped */
    json_t      *body;         /* serialised at submit; borrowed; may be NULL */
    const char  *body_text;    /* instead of body (with HS_REQ_FORM) */
    hs_priority  prio;
    unsigned     flags;        /* hs_request_flags */
} hs_request;

/* Queue a request. Always returns a fresh id; problems found now (daily
 * limit reached, unusable token) are reported through the callback. */
hs_call_id hs_submit(hs_client *c, const hs_request *r, hs_done_fn done, void *ud);
/* Report err through done at the next step, as a request refused before
 * sending would be (bad arguments). Returns its id. */
hs_call_id hs_submit_error(hs_client *c, const ht_error *err, hs_done_fn done, void *ud);
/* Cancel a request or operation: its callback runs now with HT_CANCELLED.
 * Returns false when id is unknown or already complete. */
bool hs_cancel(hs_client *c, hs_call_id id);
/* Cancel every request and operation of priority prio. */
void hs_cancel_priority(hs_client *c, hs_priority prio);

/* Send what may be sent, move data, run finished callbacks. Never blocks. */
void hs_client_step(hs_client *c);
/* Step, then wait up to timeout_ms (-1: until something happens) for
 * network activity, an internal deadline (limiter, backoff),
 * hs_client_wakeup() or one of the extra fds, then step again. Does not
 * sleep when the first step already ran callbacks. Fills extra[i].revents;
 * returns how many extra fds are ready, or -1 on error. */
int hs_client_poll(hs_client *c, struct pollfd *extra, size_t n_extra, int timeout_ms);
/* Milliseconds until the client needs a step on its own (-1: only when a
 * socket is active), for loops that wait elsewhere. */
int hs_client_timeout_ms(hs_client *c);
/* Make hs_client_poll() return early; safe from another thread. */
void hs_client_wakeup(hs_client *c);
/* Run the loop until id completes (id 0: until nothing is left). */
void hs_client_run(hs_client *c, hs_call_id id);
/* True while any request or operation is queued, in flight or unreported. */
bool hs_client_busy(const hs_client *c);

/* For the status bar and benchmarks. */
typedef struct hs_client_stats {
    int      in_flight;
    int      queued[HS_PRIO_COUNT];
    int      window_max, window_interval_ms, window_used; /* the portal limiter */
    bool     limits_learned;       /* max/interval came from the server */
    int64_t  rate_heard_ms;        /* monotonic ms of the last answer whose rate
                                    * headers spoke for the window; 0: none yet, and
                                    * the window figures are only our own guess */
    int64_t  daily_max;            /* 0 unknown */
    int64_t  daily_remaining;      /* -1 unknown */
    int64_t  daily_reset_wall;     /* wall ms while stopped for the day, else 0 */
    int64_t  wait_ms;              /* until the limiter lets a background request
                                    * go; -1: until an answer arrives */
    uint64_t requests;             /* HTTP attempts sent */
    uint64_t requests_exempt;      /* of which ten-secondly exempt (association
                                    * batches, labels: ratelimit_path_exempt) */
    uint64_t responses_429;
    uint64_t retries;              /* transient retries */
    uint64_t refreshes;            /* OAuth refreshes */
} hs_client_stats;

void hs_client_stats_get(const hs_client *c, hs_client_stats *out);
/* The portal name, and the base URL requests go to. */
const char *hs_client_portal(const hs_client *c);
const char *hs_client_base_url(const hs_client *c);
/* Where the token came from ("HUBSPOT_ACCESS_TOKEN", "token_command"...). */
const char *hs_client_token_source(const hs_client *c);
/* The client's credentials (login checks, the OAuth code exchange). */
auth *hs_client_auth(hs_client *c);
/* Record the account's UTC offset (account-info does this by itself). */
void hs_client_set_utc_offset(hs_client *c, int64_t utc_offset_ms);

/* ---- building multi-request operations (hubspot.c, walk.c) -------------- */

typedef void (*hs_op_cancel_fn)(void *op);
/* Register an operation so hs_cancel(id) reaches it: cancel must make the
 * operation complete (its callback with HT_CANCELLED) before returning. */
hs_call_id hs_op_register(hs_client *c, hs_priority prio, hs_op_cancel_fn cancel, void *op);
/* Forget an operation (when it completes). */
void hs_op_unregister(hs_client *c, hs_call_id id);
/* Run fn(ud) from the loop at the next step (never synchronously). When
 * owner is an operation id, the work is dropped if the operation ends first. */
void hs_defer(hs_client *c, hs_call_id owner, void (*fn)(void *ud), void *ud);
/* Fill a result for an operation that ends without an HTTP answer. */
void hs_result_init(hs_result *r, hs_call_id id, ht_status st, const ht_error *err);

#endif
