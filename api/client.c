#include "client.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_WAKE INT64_MAX

/* Where a call is: each state but DETACHED is a list. */
typedef enum call_state { CALL_QUEUED, CALL_RUNNING, CALL_FINISHED, CALL_DETACHED } call_state;

typedef struct call call;
struct call {
    hs_client     *c;
    hs_call_id     id;
    hs_priority    prio;
    unsigned       flags;
    char          *method;
    char          *url;
    char          *body;
    size_t         body_len;
    hs_done_fn     done;
    void          *ud;
    int            attempt;       /* transient tries so far (retry.h) */
    int            attempts;      /* every HTTP attempt */
    int            rate_waits;
    bool           exempt;        /* ten-secondly exempt: no portal-limiter slot */
    bool           auth_retried;
    unsigned       auth_gen;      /* token generation of the last attempt */
    int64_t        not_before;    /* monotonic ms (backoff) */
    http_transfer *xfer;
    call_state     state;
    ht_error       err;           /* preset failure for CALL_FINISHED */
    const char    *raw;           /* HS_REQ_RAW: the body being delivered */
    size_t         raw_len;
    call          *prev, *next;
};

typedef struct call_list {
    call *head, *tail;
    int   n;
    int   n_exempt;   /* how many of them are ten-secondly exempt */
} call_list;

typedef struct op_entry {
    hs_call_id      id;
    hs_priority     prio;
    hs_op_cancel_fn cancel;
    void           *op;
} op_entry;

typedef struct deferred {
    hs_call_id       owner;
    void           (*fn)(void *ud);
    void            *ud;
    struct deferred *next;
} deferred;

struct hs_client {
    char           *portal;
    char           *base_url;
    auth            auth;
    http_transport *http;
    ratelimit       general;
    ratelimit       search;
    retry_policy    retry;
    call_list       queue[HS_PRIO_COUNT];
    call_list       running;
    call_list       finished;      /* failed before sending; reported at the next step */
    op_entry       *ops;
    size_t          n_ops, cap_ops;
    deferred       *defer_head, *defer_tail;
    int             max_in_flight;
    int             timeout_ms, connect_timeout_ms;
    uint64_t        rng;
    hs_call_id      last_id;
    int64_t         next_wake;     /* monotonic ms the dispatcher wants a step */
    unsigned        events;        /* completions, to know when a step settled */
    /* OAuth refresh */
    http_transfer  *refresh_xfer;
    int             refresh_failures;
    int64_t         refresh_not_before;
    bool            auth_broken;
    ht_error        auth_err;
    /* daily limit */
    bool            has_utc_offset;
    int64_t         utc_offset_ms;
    hs_client_stats counters;
};

/* ---- lists ---------------------------------------------------------------- */

static void list_push_back(call_list *l, call *k)
{
    k->prev = l->tail;
    k->next = NULL;
    if (l->tail)
        l->tail->next = k;
    else
        l->head = k;
    l->tail = k;
    l->n++;
    l->n_exempt += k->exempt;
}

static void list_push_front(call_list *l, call *k)
{
    k->next = l->head;
    k->prev = NULL;
    if (l->head)
        l->head->prev = k;
    else
        l->tail = k;
    l->head = k;
    l->n++;
    l->n_exempt += k->exempt;
}

static void list_remove(call_list *l, call *k)
{
    if (k->prev)
        k->prev->next = k->next;
    else
        l->head = k->next;
    if (k->next)
        k->next->prev = k->prev;
    else
        l->tail = k->prev;
    k->prev = k->next = NULL;
    l->n--;
    l->n_exempt -= k->exempt;
}

static call_list *list_of(hs_client *c, call *k)
{
    switch (k->state) {
    case CALL_QUEUED:   return &c->queue[k->prio];
    case CALL_RUNNING:  return &c->running;
    case CALL_FINISHED: return &c->finished;
    default:            return NULL;
    }
}

static ratelimit *limiter_of(hs_client *c, const call *k);

/* ---- completing ----------------------------------------------------------- */

static void call_free(call *k)
{
    free(k->method);
    free(k->url);
    if (k->body) {
        explicit_bzero(k->body, k->body_len);
        free(k->body);
    }
    free(k);
}

/* Unlink k, run its callback once, free it. */
static void complete(hs_client *c, call *k, ht_status st, const ht_error *err, int http_status,
                     json_t *body, const apierror *detail, bool maybe_applied)
{
    call_list *l = list_of(c, k);
    if (l)
        list_remove(l, k);
    k->state = CALL_DETACHED;
    if (k->xfer) {
        /* Cancelled in flight: the server may still count it. */
        http_abort(c->http, k->xfer);
        k->xfer = NULL;
        ratelimit *rl = limiter_of(c, k);
        if (rl)
            ratelimit_note_done(rl, time_mono_ms());
    }
    hs_result r = {
        .id = k->id, .status = st, .http_status = http_status, .body = body,
        .err = err, .detail = detail, .maybe_applied = maybe_applied, .attempts = k->attempts,
        .raw = st == HT_OK ? k->raw : NULL, .raw_len = st == HT_OK ? k->raw_len : 0,
    };
    ht_error none;
    if (!err) {
        ht_error_clear(&none);
        none.status = st;
        r.err = &none;
    }
    c->events++;
    if (log_enabled(LOG_DEBUG))
        log_debug("call %llu %s %s: %s%s%s", (unsigned long long)k->id, k->method, k->url,
                  ht_status_str(st), st == HT_OK ? "" : ": ", st == HT_OK ? "" : r.err->message);
    k->done(k->ud, &r);
    call_free(k);
}

static void complete_error(hs_client *c, call *k, const ht_error *err)
{
    complete(c, k, err->status, err, err->http_status, NULL, NULL, false);
}

void hs_result_init(hs_result *r, hs_call_id id, ht_status st, const ht_error *err)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    r->status = st;
    r->err = err;
}

/* ---- creation ------------------------------------------------------------- */

static uint64_t seed_from_clock(void)
{
    uint64_t s = (uint64_t)time_now_ms() ^ ((uint64_t)time_mono_ms() << 20);
    return s ? s : 1;
}

hs_client *hs_client_new(hs_client_opts *o, ht_error *err)
{
    const char *base = str_empty(o->base_url) ? HS_DEFAULT_BASE_URL : o->base_url;
    if (!http_url_allowed(base, err)) {
        auth_free(&o->auth);
        return NULL;
    }
    hs_client *c = xcalloc(1, sizeof *c);
    c->max_in_flight = o->max_in_flight > 0 ? o->max_in_flight : 6;
    c->http = http_transport_new(c->max_in_flight);
    if (!c->http) {
        free(c);
        auth_free(&o->auth);
        ht_error_set(err, HT_NETWORK, "could not initialise libcurl");
        return NULL;
    }
    c->portal = xstrdup(str_empty(o->portal) ? "default" : o->portal);
    c->base_url = xstrdup(base);
    size_t bl = strlen(c->base_url);
    while (bl > 0 && c->base_url[bl - 1] == '/')
        c->base_url[--bl] = '\0';
    c->auth = o->auth;
    memset(&o->auth, 0, sizeof o->auth);
    ratelimit_limits lim = o->limits.max > 0 ? o->limits : ratelimit_documented(o->app, o->tier);
    ratelimit_init(&c->general, lim.max, lim.interval_ms);
    c->general.daily_max = lim.daily;
    ratelimit_init(&c->search, o->search_per_second > 0 ? o->search_per_second : 5, 1000);
    c->retry = o->retry.max_attempts > 0 ? o->retry : retry_policy_default();
    c->timeout_ms = o->timeout_ms;
    c->connect_timeout_ms = o->connect_timeout_ms;
    c->rng = o->seed ? o->seed : seed_from_clock();
    c->has_utc_offset = o->has_utc_offset;
    c->utc_offset_ms = o->utc_offset_ms;
    c->next_wake = NO_WAKE;
    return c;
}

void hs_client_opts_for_portal(const config_portal *p, hs_client_opts *o)
{
    memset(o, 0, sizeof *o);
    const char *env_base = getenv("HUBTUI_BASE_URL");
    o->base_url = !str_empty(env_base) ? env_base : p->base_url;
    o->portal = p->name;
    o->app = p->app;
    o->tier = p->tier;
    o->has_utc_offset = p->has_utc_offset;
    o->utc_offset_ms = p->utc_offset_ms;
}

hs_client *hs_client_open(const config *cfg, const char *portal, const char *token, ht_error *err)
{
    const config_portal *p = config_find_portal(cfg, portal, err);
    if (!p)
        return NULL;
    hs_client_opts o;
    hs_client_opts_for_portal(p, &o);
    if (token) {
        auth_init_static(&o.auth, token, "the given token");
    } else if (auth_resolve(&o.auth, p, err) != HT_OK) {
        return NULL;
    }
    if (o.app == RL_APP_UNKNOWN && o.auth.kind == AUTH_OAUTH)
        o.app = RL_APP_OAUTH;
    return hs_client_new(&o, err);
}

/* ---- operations registry and deferred work ------------------------------- */

hs_call_id hs_op_register(hs_client *c, hs_priority prio, hs_op_cancel_fn cancel, void *op)
{
    if (c->n_ops == c->cap_ops) {
        c->cap_ops = c->cap_ops ? c->cap_ops * 2 : 8;
        c->ops = xrealloc(c->ops, c->cap_ops * sizeof *c->ops);
    }
    hs_call_id id = ++c->last_id;
    c->ops[c->n_ops++] = (op_entry){id, prio, cancel, op};
    return id;
}

void hs_op_unregister(hs_client *c, hs_call_id id)
{
    for (size_t i = 0; i < c->n_ops; i++) {
        if (c->ops[i].id == id) {
            c->ops[i] = c->ops[--c->n_ops];
            break;
        }
    }
    /* Work deferred on behalf of the operation dies with it. */
    deferred **pp = &c->defer_head;
    c->defer_tail = NULL;
    while (*pp) {
        if ((*pp)->owner == id) {
            deferred *gone = *pp;
            *pp = gone->next;
            free(gone);
        } else {
            c->defer_tail = *pp;
            pp = &(*pp)->next;
        }
    }
}

void hs_defer(hs_client *c, hs_call_id owner, void (*fn)(void *ud), void *ud)
{
    deferred *d = xcalloc(1, sizeof *d);
    d->owner = owner;
    d->fn = fn;
    d->ud = ud;
    if (c->defer_tail)
        c->defer_tail->next = d;
    else
        c->defer_head = d;
    c->defer_tail = d;
}

static bool run_deferred(hs_client *c)
{
    bool ran = false;
    /* Take the current batch; work deferred meanwhile waits for the next step. */
    deferred *batch = c->defer_head;
    c->defer_head = c->defer_tail = NULL;
    while (batch) {
        deferred *d = batch;
        batch = d->next;
        d->fn(d->ud);
        free(d);
        ran = true;
        c->events++;
    }
    while (c->finished.head) {
        call *k = c->finished.head;
        ht_error e = k->err;
        complete_error(c, k, &e);
        ran = true;
    }
    return ran;
}

/* ---- submitting ----------------------------------------------------------- */

static void daily_message(hs_client *c, ht_error *err)
{
    int64_t reset = c->general.daily_reset_wall;
    char when[32];
    time_format_iso(reset, when);
    int64_t mins = (reset - time_now_ms()) / 60000;
    ht_error_set(err, HT_RATE_LIMIT, "HubSpot's daily API limit for portal %s is used up; it "
                 "resets at midnight in the account's time zone (%s UTC, in %lld h %02lld min)%s",
                 c->portal, when, (long long)(mins / 60), (long long)(mins % 60),
                 c->has_utc_offset ? "" : " (time zone unknown: assumed UTC)");
    err->http_status = 429;
    snprintf(err->category, sizeof err->category, "DAILY");
}

hs_call_id hs_submit(hs_client *c, const hs_request *r, hs_done_fn done, void *ud)
{
    call *k = xcalloc(1, sizeof *k);
    k->c = c;
    k->id = ++c->last_id;
    k->prio = r->prio < HS_PRIO_COUNT ? r->prio : HS_PRIO_BACKGROUND;
    k->flags = r->flags;
    k->exempt = !(r->flags & (HS_REQ_SEARCH | HS_REQ_NO_AUTH)) && ratelimit_path_exempt(r->path);
    k->method = xstrdup(r->method);
    k->url = xasprintf("%s%s", c->base_url, r->path);
    k->done = done;
    k->ud = ud;
    k->attempt = 1;
    if (r->body) {
        k->body = json_dumps(r->body, JSON_COMPACT);
        if (!k->body)
            k->body = xstrdup("null");
        k->body_len = strlen(k->body);
    } else if (r->body_text) {
        k->body = xstrdup(r->body_text);
        k->body_len = strlen(k->body);
    }
    if (ratelimit_daily_blocked(&c->general, time_now_ms())) {
        daily_message(c, &k->err);
    } else if (c->auth_broken && !(k->flags & HS_REQ_NO_AUTH)) {
        k->err = c->auth_err;
    } else {
        k->state = CALL_QUEUED;
        list_push_back(&c->queue[k->prio], k);
        return k->id;
    }
    k->state = CALL_FINISHED;
    list_push_back(&c->finished, k);
    return k->id;
}

hs_call_id hs_submit_error(hs_client *c, const ht_error *err, hs_done_fn done, void *ud)
{
    call *k = xcalloc(1, sizeof *k);
    k->c = c;
    k->id = ++c->last_id;
    k->prio = HS_PRIO_INTERACTIVE;
    k->method = xstrdup("-");
    k->url = xstrdup("-");
    k->done = done;
    k->ud = ud;
    k->err = *err;
    k->state = CALL_FINISHED;
    list_push_back(&c->finished, k);
    return k->id;
}

/* ---- OAuth refresh --------------------------------------------------------- */

static void fail_queued(hs_client *c, bool (*which)(const call *k), const ht_error *err)
{
    for (int p = 0; p < HS_PRIO_COUNT; p++) {
        call *k = c->queue[p].head;
        while (k) {
            call *next = k->next;
            if (which(k)) {
                complete_error(c, k, err);
                next = c->queue[p].head;   /* callbacks may have changed the queue */
            }
            k = next;
        }
    }
}

static bool needs_auth(const call *k)
{
    return !(k->flags & HS_REQ_NO_AUTH);
}

static bool any_call(const call *k)
{
    return true;
}

static void on_refresh_done(void *ud, http_response *resp)
{
    hs_client *c = ud;
    c->refresh_xfer = NULL;
    ht_error err;
    ht_error_clear(&err);
    bool transient = resp->code != CURLE_OK || resp->status >= 500 || resp->status == 429;
    if (transient) {
        /* The token endpoint is unreachable or busy: back off and try again. */
        c->refresh_failures++;
        if (c->refresh_failures < c->retry.max_attempts) {
            c->refresh_not_before = time_mono_ms() +
                                    retry_backoff_ms(&c->retry, c->refresh_failures, &c->rng);
            return;
        }
        if (resp->code != CURLE_OK)
            ht_error_set(&err, HT_NETWORK, "OAuth token refresh failed: %s", resp->error);
        else
            ht_error_set(&err, HT_AUTH, "OAuth token refresh failed: HTTP %ld", resp->status);
    } else {
        json_t *body = json_loadb(strbuf_str(&resp->body), resp->body.len, 0, NULL);
        auth_apply_token_response(&c->auth, (int)resp->status, body, time_now_ms(), &err);
        json_decref(body);
        if (err.status == HT_OK) {
            c->refresh_failures = 0;
            log_info("OAuth access token refreshed for portal %s", c->portal);
            return;
        }
    }
    c->auth_broken = true;
    c->auth_err = err;
    fail_queued(c, needs_auth, &c->auth_err);
}

static void start_refresh(hs_client *c)
{
    if (c->refresh_xfer || c->auth.kind != AUTH_OAUTH || c->auth_broken)
        return;
    if (str_empty(c->auth.refresh_token) || str_empty(c->auth.client_id)) {
        c->auth_broken = true;
        ht_error_set(&c->auth_err, HT_AUTH, "the OAuth token of portal %s cannot be refreshed: no "
                     "refresh token or client id", c->portal);
        fail_queued(c, needs_auth, &c->auth_err);
        return;
    }
    char *form = auth_refresh_form(&c->auth);
    char *url = xasprintf("%s/oauth/v1/token", c->base_url);
    http_request req = {
        .method = "POST", .url = url, .body = form, .body_len = strlen(form),
        .content_type = "application/x-www-form-urlencoded",
        .timeout_ms = c->timeout_ms, .connect_timeout_ms = c->connect_timeout_ms,
    };
    ht_error err;
    c->refresh_xfer = http_start(c->http, &req, on_refresh_done, c, &err);
    str_free_secret(form);
    free(url);
    c->counters.refreshes++;
    if (!c->refresh_xfer) {
        c->auth_broken = true;
        c->auth_err = err;
        fail_queued(c, needs_auth, &c->auth_err);
    }
}

/* ---- responses ------------------------------------------------------------- */

static xfer_outcome classify(CURLcode code)
{
    switch (code) {
    case CURLE_OK:                  return XFER_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return XFER_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:  return XFER_TIMEOUT;
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING: return XFER_TRUNCATED;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:  return XFER_DROPPED;
    default:                        return XFER_FATAL;
    }
}

/* The limiter a call takes a slot of; NULL for ten-secondly-exempt calls,
 * which only the in-flight cap and the daily limit hold back. */
static ratelimit *limiter_of(hs_client *c, const call *k)
{
    if (k->exempt)
        return NULL;
    return (k->flags & HS_REQ_SEARCH) ? &c->search : &c->general;
}

/* Fold a response's rate headers into the portal limiter. An exempt call's
 * answer says nothing about the ten-secondly window (HubSpot does not count
 * it there), but it does count toward the day. */
static bool note_rate_headers(hs_client *c, const call *k, int64_t now, const http_response *resp)
{
    if ((k->flags & HS_REQ_SEARCH) || !resp->has_rate_headers)
        return false;
    ratelimit_headers h = resp->rate;
    if (k->exempt)
        h.has_max = h.has_remaining = h.has_interval = false;
    else
        c->counters.rate_heard_ms = now;
    return ratelimit_note_headers(&c->general, now, &h);
}

static void requeue(hs_client *c, call *k, int64_t not_before)
{
    k->not_before = not_before;
    k->state = CALL_QUEUED;
    /* At the front: a retried request keeps its place in line. */
    list_push_front(&c->queue[k->prio], k);
}

static void stop_for_the_day(hs_client *c)
{
    int64_t reset = ratelimit_next_midnight(time_now_ms(), c->has_utc_offset ? c->utc_offset_ms : 0);
    ratelimit_block_daily(&c->general, reset);
    ht_error err;
    daily_message(c, &err);
    log_warn("%s", err.message);
    fail_queued(c, any_call, &err);
}

static void network_error(hs_client *c, const call *k, const http_response *resp,
                          ht_status st, ht_error *err)
{
    ht_error_set(err, st, "%s talking to %s: %s (after %d attempt%s)",
                 st == HT_TIMEOUT ? "timed out" : "network error", c->base_url, resp->error,
                 k->attempts, k->attempts == 1 ? "" : "s");
}

static void deliver_success(hs_client *c, call *k, http_response *resp)
{
    json_t *body = NULL;
    if (k->flags & HS_REQ_RAW) {
        k->raw = strbuf_str(&resp->body);
        k->raw_len = resp->body.len;
    } else if (resp->body.len > 0) {
        json_error_t jerr;
        body = json_loadb(resp->body.buf, resp->body.len, 0, &jerr);
        if (!body) {
            ht_error err;
            ht_error_set(&err, HT_PARSE, "HubSpot sent a malformed JSON body (HTTP %ld): %s at "
                         "byte %d", resp->status, jerr.text, jerr.position);
            err.http_status = (int)resp->status;
            complete(c, k, HT_PARSE, &err, (int)resp->status, NULL, NULL, false);
            return;
        }
    }
    complete(c, k, HT_OK, NULL, (int)resp->status, body, NULL, false);
    json_decref(body);
}

static void on_call_done(void *ud, http_response *resp)
{
    call *k = ud;
    hs_client *c = k->c;
    k->xfer = NULL;   /* the transport frees it after this callback */
    list_remove(&c->running, k);
    k->state = CALL_DETACHED;
    int64_t now = time_mono_ms();
    ratelimit *rl = limiter_of(c, k);
    bool daily_out = note_rate_headers(c, k, now, resp);
    if (rl)
        ratelimit_note_done(rl, now);

    apierror detail;
    bool has_detail = resp->code == CURLE_OK && (resp->status < 200 || resp->status >= 300);
    if (has_detail)
        apierror_parse(&detail, (int)resp->status, resp->body.buf, resp->body.len);
    if (resp->status == 429)
        c->counters.responses_429++;

    retry_input in = {
        .outcome = classify(resp->code),
        .http_status = (int)resp->status,
        .idempotent = !(k->flags & HS_REQ_NOT_IDEMPOTENT),
        .oauth = c->auth.kind == AUTH_OAUTH,
        .auth_retried = k->auth_retried,
        .attempt = k->attempt,
        .rate_waits = k->rate_waits,
        .policy = retry_policy_from_name(has_detail ? detail.policy_name : NULL),
        .has_retry_after = resp->rate.has_retry_after,
        .retry_after_ms = resp->rate.retry_after_ms,
        .window_wait_ms = rl && ratelimit_used(rl, now) >= rl->max
                          ? ratelimit_window_frees_at(rl, now) - now : 0,
    };
    retry_decision d = retry_decide(&c->retry, &in, &c->rng);
    ht_error err;
    ht_error_clear(&err);
    switch (d.action) {
    case RETRY_DONE:
        deliver_success(c, k, resp);
        break;
    case RETRY_AGAIN:
        k->attempt++;
        c->counters.retries++;
        log_debug("call %llu: retry %d in %lld ms (%s)", (unsigned long long)k->id, k->attempt,
                  (long long)d.delay_ms, resp->code ? resp->error : "HTTP error");
        requeue(c, k, now + d.delay_ms);
        break;
    case RETRY_RATE_WAIT:
        k->rate_waits++;
        log_debug("call %llu: 429 (%s), waiting %lld ms", (unsigned long long)k->id,
                  has_detail && detail.policy_name ? detail.policy_name : "no policy",
                  (long long)d.delay_ms);
        if (rl) {
            ratelimit_block_until(rl, now + d.delay_ms);
            requeue(c, k, 0);
        } else {
            /* Not the window's doing: only this call waits. */
            requeue(c, k, now + d.delay_ms);
        }
        break;
    case RETRY_REFRESH_AUTH:
        k->auth_retried = true;
        if (k->auth_gen == c->auth.generation)
            start_refresh(c);   /* nobody refreshed since this request left */
        requeue(c, k, 0);
        break;
    case RETRY_DAILY_STOP:
        daily_out = true;
        __attribute__((fallthrough));  /* this request fails like the queued ones */
    case RETRY_FAIL:
        if (has_detail && in.outcome == XFER_OK) {
            apierror_to_ht(&detail, d.status, &err);
        } else {
            network_error(c, k, resp, d.status, &err);
        }
        if (d.action == RETRY_DAILY_STOP) {
            stop_for_the_day(c);
            daily_out = false;
            daily_message(c, &err);
        }
        complete(c, k, d.status, &err, (int)resp->status, NULL, has_detail ? &detail : NULL,
                 d.maybe_applied);
        break;
    }
    if (has_detail)
        apierror_free(&detail);
    if (daily_out && !ratelimit_daily_blocked(&c->general, time_now_ms()))
        stop_for_the_day(c);
}

/* ---- dispatching ---------------------------------------------------------- */

static void wake_at(hs_client *c, int64_t t)
{
    if (t < c->next_wake)
        c->next_wake = t;
}

static bool start_call(hs_client *c, call *k, int64_t now)
{
    http_request req = {
        .method = k->method, .url = k->url,
        .bearer = (k->flags & HS_REQ_NO_AUTH) ? NULL : c->auth.access_token,
        .content_type = (k->flags & HS_REQ_FORM) ? "application/x-www-form-urlencoded" : NULL,
        .body = k->body, .body_len = k->body_len,
        .timeout_ms = c->timeout_ms, .connect_timeout_ms = c->connect_timeout_ms,
    };
    ht_error err;
    list_remove(&c->queue[k->prio], k);
    k->state = CALL_RUNNING;
    list_push_back(&c->running, k);
    k->xfer = http_start(c->http, &req, on_call_done, k, &err);
    if (!k->xfer) {
        complete_error(c, k, &err);
        return false;
    }
    k->auth_gen = c->auth.generation;
    k->attempts++;
    c->counters.requests++;
    ratelimit *rl = limiter_of(c, k);
    if (rl)
        ratelimit_note_sent(rl);
    else
        c->counters.requests_exempt++;
    return true;
}

static bool any_queued(const hs_client *c, bool (*which)(const call *k))
{
    for (int p = 0; p < HS_PRIO_COUNT; p++)
        for (const call *k = c->queue[p].head; k; k = k->next)
            if (which(k))
                return true;
    return false;
}

/* Is the token usable now? Starts a refresh when one is due; a refresh that
 * cannot start fails the requests waiting for it. */
static bool auth_ready(hs_client *c, int64_t now)
{
    if (c->auth.kind != AUTH_OAUTH)
        return true;
    if (!c->refresh_xfer && auth_needs_refresh(&c->auth, time_now_ms())) {
        if (now >= c->refresh_not_before)
            start_refresh(c);
        else
            wake_at(c, c->refresh_not_before);
    }
    return !c->refresh_xfer && c->auth.access_token && !c->auth_broken;
}

static void dispatch(hs_client *c)
{
    int64_t now = time_mono_ms();
    c->next_wake = NO_WAKE;
    if (ratelimit_daily_blocked(&c->general, time_now_ms())) {
        ht_error err;
        daily_message(c, &err);
        fail_queued(c, any_call, &err);
        return;
    }
    bool have_queued = false;
    for (int p = 0; p < HS_PRIO_COUNT; p++)
        have_queued |= c->queue[p].n > 0;
    if (!have_queued)
        return;
    /* Only when a queued request needs the token: an OAuth portal may be
     * waiting for its first tokens from a code exchange. */
    bool authed = !any_queued(c, needs_auth) || auth_ready(c, now);
    /* Portal limiter, search limiter; exempt calls have none to wait for,
     * so a queue holding some is scanned to its end. */
    bool blocked[2] = {false, false};
    for (int p = 0; p < HS_PRIO_COUNT; p++) {
        int cap = p == HS_PRIO_INTERACTIVE ? c->max_in_flight : c->max_in_flight - 1;
        if (cap < 1)
            cap = 1;
        call *k = c->queue[p].head;
        while (k && c->running.n < cap &&
               !(blocked[0] && blocked[1] && c->queue[p].n_exempt == 0)) {
            call *next = k->next;
            int which = (k->flags & HS_REQ_SEARCH) ? 1 : 0;
            if ((!k->exempt && blocked[which]) || (!authed && needs_auth(k))) {
                k = next;
                continue;
            }
            if (k->not_before > now) {
                wake_at(c, k->not_before);
                k = next;
                continue;
            }
            ratelimit *rl = limiter_of(c, k);
            int64_t w = rl ? ratelimit_wait_ms(rl, now, p == HS_PRIO_INTERACTIVE) : 0;
            if (w != 0) {
                blocked[which] = true;
                if (w > 0)
                    wake_at(c, now + w);   /* else an answer will step us */
                k = next;
                continue;
            }
            if (!start_call(c, k, now))
                next = c->queue[p].head;   /* a callback ran: rescan */
            k = next;
        }
    }
}

/* ---- the loop -------------------------------------------------------------- */

void hs_client_step(hs_client *c)
{
    for (int round = 0; round < 16; round++) {
        unsigned before = c->events;
        run_deferred(c);
        dispatch(c);
        http_perform(c->http);
        if (c->events == before && !c->defer_head && !c->finished.head)
            break;
    }
    /* Requests freed by completions may go now; curl starts them next poll. */
    dispatch(c);
}

int hs_client_timeout_ms(hs_client *c)
{
    if (c->defer_head || c->finished.head)
        return 0;
    int64_t wait = -1;
    if (c->next_wake != NO_WAKE) {
        wait = c->next_wake - time_mono_ms();
        if (wait < 0)
            wait = 0;
    }
    return wait > INT_MAX ? INT_MAX : (int)wait;
}

int hs_client_poll(hs_client *c, struct pollfd *extra, size_t n_extra, int timeout_ms)
{
    unsigned before = c->events;
    hs_client_step(c);
    int wait = hs_client_timeout_ms(c);
    if (c->events != before)
        wait = 0;   /* callbacks ran: let the caller look before sleeping */
    if (timeout_ms >= 0 && (wait < 0 || timeout_ms < wait))
        wait = timeout_ms;
    if (wait < 0)
        wait = 3600 * 1000;   /* nothing scheduled: sockets and extra fds only */
    int ready = http_wait(c->http, extra, n_extra, wait);
    hs_client_step(c);
    return ready;
}

void hs_client_wakeup(hs_client *c)
{
    http_wakeup(c->http);
}

static call *find_call(hs_client *c, hs_call_id id)
{
    call_list *lists[] = {&c->queue[0], &c->queue[1], &c->queue[2], &c->running, &c->finished};
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
        for (call *k = lists[i]->head; k; k = k->next)
            if (k->id == id)
                return k;
    return NULL;
}

static op_entry *find_op(hs_client *c, hs_call_id id)
{
    for (size_t i = 0; i < c->n_ops; i++)
        if (c->ops[i].id == id)
            return &c->ops[i];
    return NULL;
}

bool hs_client_busy(const hs_client *c)
{
    int n = c->running.n + c->finished.n + (int)c->n_ops;
    for (int p = 0; p < HS_PRIO_COUNT; p++)
        n += c->queue[p].n;
    return n > 0 || c->defer_head != NULL;
}

void hs_client_run(hs_client *c, hs_call_id id)
{
    for (;;) {
        bool live = id ? (find_call(c, id) || find_op(c, id)) : hs_client_busy(c);
        if (!live)
            return;
        hs_client_poll(c, NULL, 0, 1000);
    }
}

/* ---- cancelling ------------------------------------------------------------ */

bool hs_cancel(hs_client *c, hs_call_id id)
{
    call *k = find_call(c, id);
    if (k) {
        ht_error err;
        ht_error_set(&err, HT_CANCELLED, "cancelled");
        complete_error(c, k, &err);
        return true;
    }
    op_entry *op = find_op(c, id);
    if (op) {
        op->cancel(op->op);
        return true;
    }
    return false;
}

void hs_cancel_priority(hs_client *c, hs_priority prio)
{
    /* Operations first: they cancel their own requests. Every cancel may
     * change the registry and the lists, so look again each time. */
    for (;;) {
        op_entry *op = NULL;
        for (size_t i = 0; i < c->n_ops && !op; i++)
            if (c->ops[i].prio == prio)
                op = &c->ops[i];
        if (!op)
            break;
        hs_cancel(c, op->id);
    }
    for (;;) {
        call *k = NULL;
        call_list *lists[] = {&c->queue[prio], &c->running, &c->finished};
        for (size_t i = 0; i < ARRAY_SIZE(lists) && !k; i++)
            for (call *x = lists[i]->head; x && !k; x = x->next)
                if (x->prio == prio)
                    k = x;
        if (!k)
            break;
        hs_cancel(c, k->id);
    }
}

void hs_client_free(hs_client *c)
{
    if (!c)
        return;
    while (c->n_ops > 0) {
        op_entry op = c->ops[c->n_ops - 1];
        op.cancel(op.op);
        /* A well-behaved operation unregistered itself; never loop forever. */
        if (c->n_ops > 0 && c->ops[c->n_ops - 1].id == op.id)
            hs_op_unregister(c, op.id);
    }
    call_list *lists[] = {&c->queue[0], &c->queue[1], &c->queue[2], &c->running, &c->finished};
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
        while (lists[i]->head)
            hs_cancel(c, lists[i]->head->id);
    while (c->defer_head) {
        deferred *d = c->defer_head;
        c->defer_head = d->next;
        free(d);
    }
    if (c->refresh_xfer)
        http_abort(c->http, c->refresh_xfer);
    http_transport_free(c->http);
    ratelimit_free(&c->general);
    ratelimit_free(&c->search);
    auth_free(&c->auth);
    free(c->ops);
    free(c->portal);
    free(c->base_url);
    free(c);
}

/* ---- introspection --------------------------------------------------------- */

void hs_client_stats_get(const hs_client *c, hs_client_stats *out)
{
    int64_t now = time_mono_ms();
    *out = c->counters;
    out->in_flight = c->running.n;
    for (int p = 0; p < HS_PRIO_COUNT; p++)
        out->queued[p] = c->queue[p].n;
    out->window_max = c->general.max;
    out->window_interval_ms = c->general.interval_ms;
    out->window_used = ratelimit_used(&c->general, now);
    out->limits_learned = c->general.learned;
    out->daily_max = c->general.daily_max;
    out->daily_remaining = c->general.daily_remaining;
    out->daily_reset_wall = c->general.daily_reset_wall;
    out->wait_ms = ratelimit_wait_ms(&c->general, now, false);
}

const char *hs_client_portal(const hs_client *c)
{
    return c->portal;
}

const char *hs_client_base_url(const hs_client *c)
{
    return c->base_url;
}

const char *hs_client_token_source(const hs_client *c)
{
    return c->auth.source ? c->auth.source : "none";
}

void hs_client_set_utc_offset(hs_client *c, int64_t utc_offset_ms)
{
    c->has_utc_offset = true;
    c->utc_offset_ms = utc_offset_ms;
}

auth *hs_client_auth(hs_client *c)
{
    return &c->auth;
}
