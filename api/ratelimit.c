#include "ratelimit.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DAY_MS 86400000LL

ratelimit_limits ratelimit_documented(ratelimit_app app, ratelimit_tier tier)
{
    /* hubspot-api.md §11. */
    if (app == RL_APP_OAUTH)
        return (ratelimit_limits){110, 10000, 0};
    if (app == RL_APP_PRIVATE) {
        switch (tier) {
        case RL_TIER_PROFESSIONAL:   return (ratelimit_limits){190, 10000, 650000};
        case RL_TIER_ENTERPRISE:     return (ratelimit_limits){190, 10000, 1000000};
        case RL_TIER_LIMIT_INCREASE: return (ratelimit_limits){250, 10000, 1000000};
        default:                     return (ratelimit_limits){100, 10000, 250000};
        }
    }
    /* Unknown app: the lowest documented figure until the server tells us. */
    return (ratelimit_limits){100, 10000, 0};
}

bool ratelimit_app_parse(const char *s, ratelimit_app *out)
{
    if (!s)
        return false;
    if (strcasecmp(s, "private") == 0 || strcasecmp(s, "private_app") == 0)
        *out = RL_APP_PRIVATE;
    else if (strcasecmp(s, "oauth") == 0 || strcasecmp(s, "public") == 0)
        *out = RL_APP_OAUTH;
    else
        return false;
    return true;
}

bool ratelimit_tier_parse(const char *s, ratelimit_tier *out)
{
    static const struct { const char *name; ratelimit_tier tier; } names[] = {
        {"free", RL_TIER_FREE},
        {"starter", RL_TIER_STARTER},
        {"professional", RL_TIER_PROFESSIONAL},
        {"pro", RL_TIER_PROFESSIONAL},
        {"enterprise", RL_TIER_ENTERPRISE},
        {"limit_increase", RL_TIER_LIMIT_INCREASE},
    };
    for (size_t i = 0; s && i < ARRAY_SIZE(names); i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].tier;
            return true;
        }
    }
    return false;
}

/* Window-derived tunables: answers already bound the server's count, so the
 * margin only absorbs clock granularity; one slot in a hundred is kept for
 * interactive requests so they never queue behind a full window of sync. */
static void set_tunables(ratelimit *rl)
{
    rl->margin_ms = rl->interval_ms / 500;
    if (rl->margin_ms < 2)
        rl->margin_ms = 2;
    rl->reserve = rl->max / 100;
    if (rl->reserve < 1)
        rl->reserve = 1;
    if (rl->reserve >= rl->max)
        rl->reserve = rl->max - 1;
}

void ratelimit_init(ratelimit *rl, int max, int interval_ms)
{
    memset(rl, 0, sizeof *rl);
    rl->max = max > 0 ? max : 1;
    rl->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    rl->cap = (size_t)rl->max;
    rl->done = xcalloc(rl->cap, sizeof *rl->done);
    rl->daily_remaining = -1;
    set_tunables(rl);
}

void ratelimit_free(ratelimit *rl)
{
    free(rl->done);
    rl->done = NULL;
    rl->cap = rl->count = rl->head = 0;
}

static int64_t entry(const ratelimit *rl, size_t i)
{
    return rl->done[(rl->head + i) % rl->cap];
}

void ratelimit_resize(ratelimit *rl, int max, int interval_ms)
{
    if (max < 1 || interval_ms < 1)
        return;
    size_t keep = rl->count < (size_t)max ? rl->count : (size_t)max;
    int64_t *fresh = xcalloc((size_t)max, sizeof *fresh);
    for (size_t i = 0; i < keep; i++)
        fresh[i] = entry(rl, rl->count - keep + i);
    free(rl->done);
    rl->done = fresh;
    rl->cap = (size_t)max;
    rl->head = 0;
    rl->count = keep;
    rl->max = max;
    rl->interval_ms = interval_ms;
    set_tunables(rl);
}

/* Index of the first answer after `since` (answers are in time order). */
static size_t first_after(const ratelimit *rl, int64_t since)
{
    size_t lo = 0, hi = rl->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entry(rl, mid) > since)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int64_t ratelimit_wait_ms(const ratelimit *rl, int64_t now, bool priority)
{
    int64_t window = rl->interval_ms + rl->margin_ms;
    size_t first = first_after(rl, now - window);
    size_t answered = rl->count - first;
    size_t taken = answered + (size_t)rl->in_flight;
    size_t allowed = (size_t)(priority ? rl->max : rl->max - rl->reserve);
    if (allowed < 1)
        allowed = 1;
    int64_t wait = 0;
    if (taken >= allowed) {
        size_t must_leave = taken - allowed + 1;
        if (must_leave > answered)
            return RATELIMIT_WAIT_ANSWER;
        wait = entry(rl, first + must_leave - 1) + window - now;
    }
    if (rl->blocked_until - now > wait)
        wait = rl->blocked_until - now;
    return wait > 0 ? wait : 0;
}

void ratelimit_note_sent(ratelimit *rl)
{
    rl->in_flight++;
}

/* Append an answer time, keeping time order even if a clock stepped back. */
static void push_done(ratelimit *rl, int64_t now)
{
    if (rl->count > 0 && now < entry(rl, rl->count - 1))
        now = entry(rl, rl->count - 1);
    if (rl->count == rl->cap) {
        rl->done[rl->head] = now;
        rl->head = (rl->head + 1) % rl->cap;
    } else {
        rl->done[(rl->head + rl->count) % rl->cap] = now;
        rl->count++;
    }
}

void ratelimit_note_done(ratelimit *rl, int64_t now)
{
    if (rl->in_flight > 0)
        rl->in_flight--;
    push_done(rl, now);
}

int ratelimit_used(const ratelimit *rl, int64_t now)
{
    return (int)(rl->count - first_after(rl, now - rl->interval_ms)) + rl->in_flight;
}

int64_t ratelimit_window_frees_at(const ratelimit *rl, int64_t now)
{
    size_t first = first_after(rl, now - rl->interval_ms - rl->margin_ms);
    if (first >= rl->count)
        return now;
    return entry(rl, first) + rl->interval_ms + rl->margin_ms;
}

bool ratelimit_note_headers(ratelimit *rl, int64_t now, const ratelimit_headers *h)
{
    if (h->has_max && h->max > 0) {
        int interval = h->has_interval && h->interval_ms > 0 ? h->interval_ms : rl->interval_ms;
        if (h->max != rl->max || interval != rl->interval_ms)
            ratelimit_resize(rl, h->max, interval);
        rl->learned = true;
    }
    if (h->has_remaining && h->remaining >= 0) {
        /* We count at least what the server saw of ours (answers stay a
         * window longer than the server keeps them); more on its side is
         * someone else's traffic. */
        int unseen = (rl->max - h->remaining) - ratelimit_used(rl, now);
        for (int i = 0; i < unseen && i < rl->max; i++)
            push_done(rl, now);
    }
    if (h->has_daily && h->daily > 0)
        rl->daily_max = h->daily;
    if (h->has_daily_remaining) {
        rl->daily_remaining = h->daily_remaining;
        return h->daily_remaining <= 0;
    }
    return false;
}

void ratelimit_block_until(ratelimit *rl, int64_t until)
{
    if (until > rl->blocked_until)
        rl->blocked_until = until;
}

void ratelimit_block_daily(ratelimit *rl, int64_t reset_wall)
{
    rl->daily_reset_wall = reset_wall;
}

bool ratelimit_daily_blocked(ratelimit *rl, int64_t wall_now)
{
    if (rl->daily_reset_wall == 0)
        return false;
    if (wall_now >= rl->daily_reset_wall) {
        rl->daily_reset_wall = 0;
        rl->daily_remaining = -1;
        return false;
    }
    return true;
}

int64_t ratelimit_next_midnight(int64_t wall_now, int64_t utc_offset_ms)
{
    int64_t local = wall_now + utc_offset_ms;
    int64_t day = local / DAY_MS;
    if (local < 0 && local % DAY_MS != 0)
        day--;
    return (day + 1) * DAY_MS - utc_offset_ms;
}

/* ---- exempt endpoints -------------------------------------------------- */

/* Does the next path segment (up to '/', '?' or the end) equal word? Moves
 * *p past it and its slash when it does. */
static bool take_segment(const char **p, const char *word)
{
    size_t n = strcspn(*p, "/?");
    if (word && (strlen(word) != n || strncmp(*p, word, n) != 0))
        return false;
    if (n == 0)
        return false;
    *p += n;
    if (**p == '/')
        (*p)++;
    return true;
}

bool ratelimit_path_exempt(const char *path)
{
    const char *p = path;
    if (!p || *p++ != '/' || !take_segment(&p, "crm"))
        return false;
    /* /crm/v4/associations/… or /crm/associations/{v4|version}/… */
    if (take_segment(&p, "v4")) {
        if (!take_segment(&p, "associations"))
            return false;
    } else if (!take_segment(&p, "associations") || !take_segment(&p, NULL)) {
        return false;
    }
    const char *rest = p;
    if (take_segment(&rest, "definitions") && take_segment(&rest, "configurations"))
        return true;
    /* {fromType}/{toType}/batch/… or …/labels[/…] */
    if (!take_segment(&p, NULL) || !take_segment(&p, NULL))
        return false;
    const char *kind = p;
    return take_segment(&kind, "batch") || take_segment(&p, "labels");
}

/* ---- header parsing ---------------------------------------------------- */

static bool parse_int64(const char *v, size_t n, int64_t *out)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return str_to_i64(buf, out);
}

/* Retry-After is either delta-seconds or an HTTP-date. */
static bool parse_retry_after(const char *v, size_t n, int64_t wall_now, int64_t *ms)
{
    int64_t secs;
    if (parse_int64(v, n, &secs)) {
        *ms = secs > 0 ? secs * 1000 : 0;
        return true;
    }
    char buf[64];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, v, n);
    buf[n] = '\0';
    struct tm tm = {0};
    const char *end = strptime(buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return false;
    int64_t at = (int64_t)timegm(&tm) * 1000;
    *ms = at > wall_now ? at - wall_now : 0;
    return true;
}

void ratelimit_parse_header(ratelimit_headers *h, const char *line, size_t len,
                            int64_t wall_now)
{
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return;
    size_t name_len = (size_t)(colon - line);
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    size_t vlen = (size_t)(end - v);

    static const char prefix[] = "x-hubspot-ratelimit-";
    size_t plen = sizeof prefix - 1;
    if (name_len == 11 && strncasecmp(line, "retry-after", 11) == 0) {
        h->has_retry_after = parse_retry_after(v, vlen, wall_now, &h->retry_after_ms);
        return;
    }
    if (name_len <= plen || strncasecmp(line, prefix, plen) != 0)
        return;
    const char *suffix = line + plen;
    size_t slen = name_len - plen;
    int64_t val;
    if (!parse_int64(v, vlen, &val) || val < 0)
        return;
#define SUFFIX_IS(s) (slen == sizeof(s) - 1 && strncasecmp(suffix, s, slen) == 0)
    if (SUFFIX_IS("max") && val <= 1000000) {
        h->has_max = true;
        h->max = (int)val;
    } else if (SUFFIX_IS("remaining") && val <= 1000000) {
        h->has_remaining = true;
        h->remaining = (int)val;
    } else if (SUFFIX_IS("interval-milliseconds") && val <= 86400000) {
        h->has_interval = true;
        h->interval_ms = (int)val;
    } else if (SUFFIX_IS("daily")) {
        h->has_daily = true;
        h->daily = val;
    } else if (SUFFIX_IS("daily-remaining")) {
        h->has_daily_remaining = true;
        h->daily_remaining = val;
    }
    /* -Secondly and -Secondly-Remaining are deprecated and unenforced. */
#undef SUFFIX_IS
}
