#include "retry.h"

#include <strings.h>

retry_policy retry_policy_default(void)
{
    return (retry_policy){
        .max_attempts = 6,
        .base_ms = 500,
        .cap_ms = 30000,
        .max_rate_waits = 20,
        .locked_wait_ms = 2000,
    };
}

uint64_t retry_rng_next(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

int64_t retry_backoff_ms(const retry_policy *p, int attempt, uint64_t *rng)
{
    int64_t ceiling = p->base_ms > 0 ? p->base_ms : 1;
    for (int i = 1; i < attempt && ceiling < p->cap_ms; i++)
        ceiling *= 2;
    if (ceiling > p->cap_ms)
        ceiling = p->cap_ms;
    if (ceiling <= 0)
        return 0;
    return (int64_t)(retry_rng_next(rng) % (uint64_t)(ceiling + 1));
}

rate_policy retry_policy_from_name(const char *name)
{
    if (!name)
        return RATE_POLICY_UNKNOWN;
    if (strcasecmp(name, "TEN_SECONDLY_ROLLING") == 0)
        return RATE_POLICY_ROLLING;
    if (strcasecmp(name, "SECONDLY") == 0)
        return RATE_POLICY_SECONDLY;
    if (strcasecmp(name, "DAILY") == 0)
        return RATE_POLICY_DAILY;
    return RATE_POLICY_UNKNOWN;
}

ht_status retry_status_for_http(int http_status)
{
    switch (http_status) {
    case 401: return HT_AUTH;
    case 403: return HT_FORBIDDEN;
    case 404: return HT_NOT_FOUND;
    case 409: return HT_CONFLICT;
    case 429: return HT_RATE_LIMIT;
    default:
        if (http_status >= 400 && http_status < 500)
            return HT_INVALID;
        return HT_HTTP;
    }
}

static bool transient_status(int s)
{
    /* 423 Locked, 477 (HubSpot migration in progress), 408, 5xx incl. 52x. */
    return s == 408 || s == 423 || s == 477 || (s >= 500 && s <= 599);
}

static retry_decision fail(ht_status st, bool maybe_applied)
{
    return (retry_decision){.action = RETRY_FAIL, .status = st, .maybe_applied = maybe_applied};
}

static retry_decision rate_limited(const retry_policy *p, const retry_input *in, uint64_t *rng)
{
    if (in->policy == RATE_POLICY_DAILY)
        return (retry_decision){.action = RETRY_DAILY_STOP, .status = HT_RATE_LIMIT};
    if (in->rate_waits >= p->max_rate_waits)
        return fail(HT_RATE_LIMIT, false);
    int64_t delay;
    if (in->has_retry_after)
        delay = in->retry_after_ms;          /* the server knows best */
    else if (in->policy == RATE_POLICY_SECONDLY)
        delay = 1000;
    else if (in->window_wait_ms > 0)
        delay = in->window_wait_ms;          /* until our window frees a slot */
    else
        delay = 1000;                        /* someone else filled the window */
    /* A little jitter so parallel requests do not return in one burst. */
    delay += (int64_t)(retry_rng_next(rng) % 50);
    return (retry_decision){.action = RETRY_RATE_WAIT, .delay_ms = delay};
}

static retry_decision transient(const retry_policy *p, const retry_input *in,
                                ht_status final_status, bool safe, uint64_t *rng)
{
    if (!safe && !in->idempotent)
        return fail(final_status, true);
    if (in->attempt >= p->max_attempts)
        return fail(final_status, !safe);
    int64_t delay = retry_backoff_ms(p, in->attempt, rng);
    if (in->http_status == 423 && delay < p->locked_wait_ms)
        delay = p->locked_wait_ms;
    if (in->has_retry_after && in->retry_after_ms > delay)
        delay = in->retry_after_ms;
    return (retry_decision){.action = RETRY_AGAIN, .delay_ms = delay};
}

retry_decision retry_decide(const retry_policy *p, const retry_input *in, uint64_t *rng)
{
    switch (in->outcome) {
    case XFER_CONNECT:   return transient(p, in, HT_NETWORK, true, rng);
    case XFER_TIMEOUT:   return transient(p, in, HT_TIMEOUT, false, rng);
    case XFER_DROPPED:   return transient(p, in, HT_NETWORK, false, rng);
    case XFER_TRUNCATED: return transient(p, in, HT_NETWORK, false, rng);
    case XFER_FATAL:     return fail(HT_NETWORK, false);
    case XFER_OK:        break;
    }
    int s = in->http_status;
    if (s >= 200 && s < 300)
        return (retry_decision){.action = RETRY_DONE, .status = HT_OK};
    if (s == 429)
        return rate_limited(p, in, rng);
    if (s == 401 && in->oauth && !in->auth_retried)
        return (retry_decision){.action = RETRY_REFRESH_AUTH};
    if (transient_status(s)) {
        /* 423 Locked refuses before acting; any other 5xx may come after the
         * server applied the request, so a create is not sent again. */
        return transient(p, in, HT_HTTP, s == 423, rng);
    }
    return fail(retry_status_for_http(s), false);
}
