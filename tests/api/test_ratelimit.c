/* Unit tests of the limiter, driven by a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "util.h"

static void test_documented_limits(void **state)
{
    ratelimit_limits l = ratelimit_documented(RL_APP_PRIVATE, RL_TIER_FREE);
    assert_int_equal(l.max, 100);
    assert_int_equal(l.interval_ms, 10000);
    assert_int_equal(l.daily, 250000);
    l = ratelimit_documented(RL_APP_PRIVATE, RL_TIER_STARTER);
    assert_int_equal(l.max, 100);
    l = ratelimit_documented(RL_APP_PRIVATE, RL_TIER_PROFESSIONAL);
    assert_int_equal(l.max, 190);
    assert_int_equal(l.daily, 650000);
    l = ratelimit_documented(RL_APP_PRIVATE, RL_TIER_ENTERPRISE);
    assert_int_equal(l.max, 190);
    assert_int_equal(l.daily, 1000000);
    l = ratelimit_documented(RL_APP_OAUTH, RL_TIER_ENTERPRISE);
    assert_int_equal(l.max, 110);
    assert_int_equal(l.daily, 0);
    l = ratelimit_documented(RL_APP_UNKNOWN, RL_TIER_UNKNOWN);
    assert_int_equal(l.max, 100);
    assert_int_equal(l.interval_ms, 10000);

    ratelimit_app app;
    ratelimit_tier tier;
    assert_true(ratelimit_app_parse("OAuth", &app));
    assert_int_equal(app, RL_APP_OAUTH);
    assert_false(ratelimit_app_parse("partner", &app));
    assert_true(ratelimit_tier_parse("pro", &tier));
    assert_int_equal(tier, RL_TIER_PROFESSIONAL);
    assert_false(ratelimit_tier_parse("gold", &tier));
}

/* Send one request at t and have its answer at t + latency. */
static void request(ratelimit *rl, int64_t t, int64_t latency)
{
    (void)t;
    ratelimit_note_sent(rl);
    ratelimit_note_done(rl, t + latency);
}

static void test_fills_window_then_waits(void **state)
{
    ratelimit rl;
    ratelimit_init(&rl, 10, 1000);
    int64_t now = 50000;
    assert_int_equal(ratelimit_wait_ms(&rl, now, false), 0);
    /* Background may use max - reserve (one slot kept back). */
    for (int i = 0; i < 9; i++) {
        assert_int_equal(ratelimit_wait_ms(&rl, now + i, false), 0);
        request(&rl, now + i, 0);
    }
    int64_t t = now + 9;
    int64_t w = ratelimit_wait_ms(&rl, t, false);
    /* The oldest answer (at now) leaves after interval + margin. */
    assert_int_equal(w, now + 1000 + rl.margin_ms - t);
    /* An interactive request still gets the reserved slot. */
    assert_int_equal(ratelimit_wait_ms(&rl, t, true), 0);
    request(&rl, t, 0);
    assert_true(ratelimit_wait_ms(&rl, t, true) > 0);
    assert_int_equal(ratelimit_used(&rl, t), 10);
    /* After the window passes, everything is free again. */
    int64_t later = t + 1000 + rl.margin_ms + 1;
    assert_int_equal(ratelimit_wait_ms(&rl, later, false), 0);
    assert_int_equal(ratelimit_used(&rl, later), 0);
    ratelimit_free(&rl);
}

static void test_in_flight_hold_slots_until_answered(void **state)
{
    ratelimit rl;
    ratelimit_init(&rl, 4, 1000);
    for (int i = 0; i < 3; i++)
        ratelimit_note_sent(&rl);   /* three slow requests */
    assert_int_equal(ratelimit_used(&rl, 100), 3);
    assert_int_equal(ratelimit_wait_ms(&rl, 100, false), RATELIMIT_WAIT_ANSWER);
    assert_int_equal(ratelimit_wait_ms(&rl, 100, true), 0);
    /* However long they take, each holds its slot a full window after. */
    ratelimit_note_done(&rl, 5000);
    assert_int_equal(ratelimit_wait_ms(&rl, 5000, false), 1000 + rl.margin_ms);
    ratelimit_note_done(&rl, 5001);
    ratelimit_note_done(&rl, 5002);
    assert_int_equal(ratelimit_wait_ms(&rl, 5002, false), 5000 + 1000 + rl.margin_ms - 5002);
    assert_int_equal(ratelimit_wait_ms(&rl, 7000, false), 0);
    ratelimit_free(&rl);
}

/* A server with the same rolling window counts each request at a random
 * moment between its sending and its answer. It must never see more than
 * max in any window, whatever the latency; with small latencies the
 * limiter still uses nearly all of the budget. */
static double simulate(int max, int interval, int max_latency, int in_flight_cap, int *worst)
{
    ratelimit rl;
    ratelimit_init(&rl, max, interval);
    enum { CAP = 40000 };
    int64_t *arrivals = xcalloc(CAP, sizeof *arrivals);
    int64_t *answers = xcalloc(CAP, sizeof *answers);   /* pending answer times */
    size_t n = 0, pending = 0;
    uint64_t seed = 42;
    int64_t t0 = 1000000, now = t0, end = t0 + 20 * interval;
    while (now < end && n < CAP) {
        /* Deliver answers that are due. */
        for (size_t i = 0; i < pending;) {
            if (answers[i] <= now) {
                ratelimit_note_done(&rl, answers[i]);
                answers[i] = answers[--pending];
            } else {
                i++;
            }
        }
        int64_t w = ratelimit_wait_ms(&rl, now, false);
        if (w != 0 || (int)pending >= in_flight_cap) {
            now += 1;
            continue;
        }
        ratelimit_note_sent(&rl);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t latency = 1 + (int64_t)((seed >> 33) % (uint64_t)max_latency);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        arrivals[n++] = now + (int64_t)((seed >> 33) % (uint64_t)latency);
        answers[pending++] = now + latency;
    }
    *worst = 0;
    for (size_t i = 0; i < n; i++) {
        int in = 0;
        for (size_t j = 0; j < n; j++)
            if (arrivals[j] > arrivals[i] - interval && arrivals[j] <= arrivals[i])
                in++;
        if (in > *worst)
            *worst = in;
    }
    free(arrivals);
    free(answers);
    ratelimit_free(&rl);
    return (double)n / ((double)(end - t0) / interval) / max;
}

static void test_steady_state_rate_and_no_overrun(void **state)
{
    int worst;
    /* A sequential pager, answers within 5 ms: nearly all of the budget. */
    double share = simulate(100, 1000, 5, 1, &worst);
    assert_true(worst <= 100);
    assert_true(share >= 0.95);
    /* Twenty in flight, latencies up to 300 ms (a loaded machine): never
     * over, and the window is still mostly used. */
    share = simulate(100, 1000, 300, 20, &worst);
    assert_true(worst <= 100);
    assert_true(share > 0.8);
    simulate(10, 1000, 800, 8, &worst);
    assert_true(worst <= 10);
}

static void test_headers_adopt_limits_and_unseen_requests(void **state)
{
    ratelimit rl;
    ratelimit_init(&rl, 100, 10000);   /* unknown app: the lowest figure */
    int64_t now = 1000;
    ratelimit_note_sent(&rl);
    ratelimit_headers h = {0};
    h.has_max = h.has_interval = h.has_remaining = true;
    h.max = 20;
    h.interval_ms = 2000;
    h.remaining = 19;   /* only our request counted */
    assert_false(ratelimit_note_headers(&rl, now + 5, &h));
    ratelimit_note_done(&rl, now + 5);
    assert_true(rl.learned);
    assert_int_equal(rl.max, 20);
    assert_int_equal(rl.interval_ms, 2000);
    assert_int_equal(ratelimit_used(&rl, now + 5), 1);

    /* Someone else spent 10 requests: the server says 8 remain after ours. */
    ratelimit_note_sent(&rl);
    h.remaining = 8;
    ratelimit_note_headers(&rl, now + 20, &h);
    ratelimit_note_done(&rl, now + 20);
    assert_int_equal(ratelimit_used(&rl, now + 20), 12);

    /* The server counting fewer than we did changes nothing. */
    ratelimit_note_sent(&rl);
    h.remaining = 19;
    ratelimit_note_headers(&rl, now + 30, &h);
    ratelimit_note_done(&rl, now + 30);
    assert_int_equal(ratelimit_used(&rl, now + 30), 13);
    ratelimit_free(&rl);
}

static void test_headers_daily(void **state)
{
    ratelimit rl;
    ratelimit_init(&rl, 100, 10000);
    ratelimit_headers h = {0};
    h.has_daily = h.has_daily_remaining = true;
    h.daily = 250000;
    h.daily_remaining = 12;
    assert_false(ratelimit_note_headers(&rl, 10, &h));
    assert_int_equal(rl.daily_max, 250000);
    assert_int_equal(rl.daily_remaining, 12);
    h.daily_remaining = 0;
    assert_true(ratelimit_note_headers(&rl, 20, &h));
    ratelimit_free(&rl);
}

static void test_blocks(void **state)
{
    ratelimit rl;
    ratelimit_init(&rl, 10, 1000);
    ratelimit_block_until(&rl, 5000);
    assert_int_equal(ratelimit_wait_ms(&rl, 4000, true), 1000);
    ratelimit_block_until(&rl, 4500);   /* never shortens */
    assert_int_equal(ratelimit_wait_ms(&rl, 4000, false), 1000);
    assert_int_equal(ratelimit_wait_ms(&rl, 5000, false), 0);

    assert_false(ratelimit_daily_blocked(&rl, 100));
    ratelimit_block_daily(&rl, 86400000);
    assert_true(ratelimit_daily_blocked(&rl, 86399999));
    assert_false(ratelimit_daily_blocked(&rl, 86400000));
    assert_false(ratelimit_daily_blocked(&rl, 100));   /* cleared once passed */
    ratelimit_free(&rl);
}

static void test_window_frees_at(void **state)
{
    ratelimit rl;
    ratelimit_init(&rl, 5, 1000);
    assert_int_equal(ratelimit_window_frees_at(&rl, 100), 100);
    request(&rl, 200, 0);
    request(&rl, 300, 0);
    assert_int_equal(ratelimit_window_frees_at(&rl, 400), 200 + 1000 + rl.margin_ms);
    assert_int_equal(ratelimit_window_frees_at(&rl, 1250), 300 + 1000 + rl.margin_ms);
    ratelimit_free(&rl);
}

static void test_resize_keeps_recent(void **state)
{
    ratelimit rl;
    ratelimit_init(&rl, 4, 1000);
    for (int i = 0; i < 6; i++)   /* the ring wraps */
        request(&rl, 100 + i, 0);
    assert_int_equal(rl.count, 4);
    ratelimit_resize(&rl, 2, 1000);
    assert_int_equal(rl.count, 2);
    assert_int_equal(ratelimit_window_frees_at(&rl, 106), 104 + 1000 + rl.margin_ms);
    ratelimit_resize(&rl, 50, 500);
    assert_int_equal(rl.count, 2);
    assert_int_equal(ratelimit_used(&rl, 106), 2);
    ratelimit_free(&rl);
}

static void test_next_midnight(void **state)
{
    int64_t day = 86400000;
    /* 2024-05-01T09:00:00Z */
    int64_t t = 1714554000000LL;
    int64_t midnight_utc = 1714608000000LL;   /* 2024-05-02T00:00:00Z */
    assert_int_equal(ratelimit_next_midnight(t, 0), midnight_utc);
    /* New York (-05:00): local 04:00 -> next local midnight is 05:00Z next day. */
    assert_int_equal(ratelimit_next_midnight(t, -5 * 3600000LL), midnight_utc + 5 * 3600000LL);
    /* Kolkata (+05:30): local 14:30 -> midnight local = 18:30Z same day. */
    assert_int_equal(ratelimit_next_midnight(t, 19800000LL), midnight_utc - 19800000LL);
    /* Exactly midnight: the next one, a day later. */
    assert_int_equal(ratelimit_next_midnight(midnight_utc, 0), midnight_utc + day);
    assert_int_equal(ratelimit_next_midnight(-1, 0), 0);
}

static ratelimit_headers parse_lines(const char *const *lines, int64_t wall)
{
    ratelimit_headers h = {0};
    for (size_t i = 0; lines[i]; i++)
        ratelimit_parse_header(&h, lines[i], strlen(lines[i]), wall);
    return h;
}

static void test_parse_headers(void **state)
{
    const char *lines[] = {
        "HTTP/1.1 200 OK\r\n",
        "x-hubspot-ratelimit-max: 190\r\n",
        "X-HubSpot-RateLimit-Remaining:   7 \r\n",
        "X-HUBSPOT-RATELIMIT-INTERVAL-MILLISECONDS: 10000\r\n",
        "X-HubSpot-RateLimit-Daily: 650000\r\n",
        "X-HubSpot-RateLimit-Daily-Remaining: 649000\r\n",
        "X-HubSpot-RateLimit-Secondly: 19\r\n",
        "Content-Type: application/json\r\n",
        NULL,
    };
    ratelimit_headers h = parse_lines(lines, 0);
    assert_true(h.has_max && h.has_remaining && h.has_interval && h.has_daily && h.has_daily_remaining);
    assert_int_equal(h.max, 190);
    assert_int_equal(h.remaining, 7);
    assert_int_equal(h.interval_ms, 10000);
    assert_int_equal(h.daily, 650000);
    assert_int_equal(h.daily_remaining, 649000);
    assert_false(h.has_retry_after);

    const char *junk[] = {
        "X-HubSpot-RateLimit-Max: lots\r\n",
        "X-HubSpot-RateLimit-Remaining: -3\r\n",
        "X-HubSpot-RateLimit-Max\r\n",
        "X-HubSpot-RateLimit-: 5\r\n",
        "Retry-After: soon\r\n",
        NULL,
    };
    h = parse_lines(junk, 0);
    assert_false(h.has_max || h.has_remaining || h.has_retry_after);

    const char *secs[] = {"retry-after: 3\r\n", NULL};
    h = parse_lines(secs, 0);
    assert_true(h.has_retry_after);
    assert_int_equal(h.retry_after_ms, 3000);

    /* HTTP-date: 2024-05-01T09:00:10Z, ten seconds after wall. */
    const char *date[] = {"Retry-After: Wed, 01 May 2024 09:00:10 GMT\r\n", NULL};
    h = parse_lines(date, 1714554000000LL);
    assert_true(h.has_retry_after);
    assert_int_equal(h.retry_after_ms, 10000);
}

static void test_exempt_paths(void **state)
{
    static const char *const exempt[] = {
        "/crm/v4/associations/contacts/companies/batch/read",
        "/crm/v4/associations/0-1/0-2/batch/create",
        "/crm/v4/associations/deals/contacts/batch/associate/default",
        "/crm/v4/associations/deals/contacts/batch/labels/archive",
        "/crm/v4/associations/contacts/companies/labels",
        "/crm/v4/associations/contacts/companies/labels/36",
        "/crm/associations/v4/contacts/companies/labels",
        "/crm/associations/2026-03/contacts/companies/batch/read",
        "/crm/associations/2025-09/contacts/companies/labels",
        "/crm/associations/v4/definitions/configurations/contacts/companies",
        "/crm/v4/associations/definitions/configurations/all?limit=5",
        "/crm/v4/associations/contacts/companies/batch/read?x=1",
    };
    static const char *const counted[] = {
        "/crm/v3/objects/contacts",
        "/crm/v3/objects/contacts/batch/read",
        "/crm/v4/objects/contacts/51/associations/companies?limit=500",
        "/crm/v4/objects/contacts/51/associations/default/companies/9",
        "/crm/objects/2026-03/contacts/51/associations/companies",
        "/crm/v3/associations/contacts/companies/batch/read",
        "/crm/v4/associations/contacts/companies",
        "/crm/v4/associations/contacts/companies/other",
        "/crm/v4/associations",
        "/crm/associations",
        "/crm/v4/associationsX/contacts/companies/batch/read",
        "/crm/v3/properties/contacts",
        "crm/v4/associations/contacts/companies/batch/read",
        "",
    };
    for (size_t i = 0; i < ARRAY_SIZE(exempt); i++)
        if (!ratelimit_path_exempt(exempt[i]))
            fail_msg("%s should be exempt", exempt[i]);
    for (size_t i = 0; i < ARRAY_SIZE(counted); i++)
        if (ratelimit_path_exempt(counted[i]))
            fail_msg("%s should count toward the window", counted[i]);
    assert_false(ratelimit_path_exempt(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_limits),
        cmocka_unit_test(test_fills_window_then_waits),
        cmocka_unit_test(test_in_flight_hold_slots_until_answered),
        cmocka_unit_test(test_steady_state_rate_and_no_overrun),
        cmocka_unit_test(test_headers_adopt_limits_and_unseen_requests),
        cmocka_unit_test(test_headers_daily),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_window_frees_at),
        cmocka_unit_test(test_resize_keeps_recent),
        cmocka_unit_test(test_next_midnight),
        cmocka_unit_test(test_parse_headers),
        cmocka_unit_test(test_exempt_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
