/* retry.h — what to do with a finished HTTP attempt (pure logic).
 *
 * One function looks at how a transfer ended (curl outcome, HTTP status, the
 * 429 policy, Retry-After) and decides: done, fail with a status, retry after
 * a delay, refresh the OAuth token and retry, or stop for the day.
 *
 * The bound: transient failures (5xx, 423, 408, timeouts, dropped
 * connections, truncated bodies) are tried at most max_attempts times in all
 * (default 6), waiting a full-jitter backoff between tries: a uniform random
 * delay in [0, min(cap_ms, base_ms * 2^(n-1))] before try n+1 (defaults 500 ms
 * and 30 s, so at most 15.5 s of waiting in all). A 429 is a normal
 * condition, not a failure: it waits as its policy says and does not use up
 * those attempts, but one request gives up after max_rate_waits 429s
 * (default 20). A request that may already have been applied (a create
 * that got a 5xx or lost its connection) is never repeated blindly: it fails
 * with maybe_applied set so the caller can look before retrying. */
#ifndef HUBTUI_RETRY_H
#define HUBTUI_RETRY_H

#include "error.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct retry_policy {
    int max_attempts;    /* tries for transient failures, the first included */
    int base_ms;         /* backoff ceiling after the first failure */
    int cap_ms;          /* largest backoff ceiling */
    int max_rate_waits;  /* 429 answers tolerated for one request */
    int locked_wait_ms;  /* 423 Locked: HubSpot asks for about 2 s */
} retry_policy;

/* How the transfer itself ended, before looking at the HTTP status. */
typedef enum xfer_outcome {
    XFER_OK,         /* a complete response arrived */
    XFER_CONNECT,    /* could not connect: nothing was sent */
    XFER_TIMEOUT,    /* timed out (the server may have acted) */
    XFER_DROPPED,    /* reset, empty reply, send/receive error */
    XFER_TRUNCATED,  /* body shorter than announced */
    XFER_FATAL,      /* TLS verification, bad URL, refused protocol... */
} xfer_outcome;

/* The 429 policy named in the body (policyName). */
typedef enum rate_policy {
    RATE_POLICY_UNKNOWN,
    RATE_POLICY_ROLLING,    /* TEN_SECONDLY_ROLLING */
    RATE_POLICY_SECONDLY,   /* SECONDLY (search) */
    RATE_POLICY_DAILY,      /* DAILY */
} rate_policy;

typedef struct retry_input {
    xfer_outcome outcome;
    int          http_status;     /* 0 when no response */
    bool         idempotent;      /* repeating the request is harmless */
    bool         oauth;           /* the token can be refreshed */
    bool         auth_retried;    /* already refreshed once for this request */
    int          attempt;         /* transient tries made so far (>= 1) */
    int          rate_waits;      /* 429s seen so far for this request */
    rate_policy  policy;          /* for 429 */
    bool         has_retry_after;
    int64_t      retry_after_ms;
    int64_t      window_wait_ms;  /* until our full window frees a slot; <= 0
                                   * when our own window is not full */
} retry_input;

typedef enum retry_action {
    RETRY_DONE,          /* success: hand the response to the caller */
    RETRY_FAIL,          /* final failure with status */
    RETRY_AGAIN,         /* transient: try again after delay_ms */
    RETRY_RATE_WAIT,     /* 429: block the limiter delay_ms, then try again */
    RETRY_REFRESH_AUTH,  /* 401 with OAuth: refresh the token, then try again */
    RETRY_DAILY_STOP,    /* daily limit: stop the portal's traffic until reset */
} retry_action;

typedef struct retry_decision {
    retry_action action;
    int64_t      delay_ms;
    ht_status    status;         /* for RETRY_FAIL / RETRY_DAILY_STOP */
    bool         maybe_applied;  /* failed after the server may have acted */
} retry_decision;

/* The defaults described above. */
retry_policy retry_policy_default(void);
/* Decide what follows an attempt; rng is the jitter state (advanced). */
retry_decision retry_decide(const retry_policy *p, const retry_input *in, uint64_t *rng);
/* Full-jitter backoff before try attempt+1: uniform in
 * [0, min(cap, base * 2^(attempt-1))]. */
int64_t retry_backoff_ms(const retry_policy *p, int attempt, uint64_t *rng);
/* Map a policyName string to its policy (NULL or unknown -> UNKNOWN). */
rate_policy retry_policy_from_name(const char *policy_name);
/* The status a final HTTP error status maps to (400 -> HT_INVALID, ...). */
ht_status retry_status_for_http(int http_status);
/* Next value of a xorshift64* generator (state must be non-zero). */
uint64_t retry_rng_next(uint64_t *state);

#endif
