/* The throttle against a real fakehub: learning unknown limits from the
 * headers, keeping to known ones (few or no 429s, the server's busiest window
 * never over the limit), each 429 policy (rolling window, search secondly,
 * daily), association batches outside the window, interactive requests
 * ahead of background ones and the in-flight cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apitest.h"
#include "util.h"

static fakehub FH;

static int start(void **state)
{
    const char *args[] = {"--contacts", "30", "--companies", "3", "--seed", "5", NULL};
    apitest_start(&FH, args);
    return 0;
}

static int stop(void **state)
{
    fakehub_stop(&FH);
    return 0;
}

static void configure(const char *json)
{
    long status = 0;
    char *resp = fakehub_request(&FH, "POST", "/_fakehub/config", json, &status);
    if (status != 200)
        fail_msg("/_fakehub/config refused %s: %s", json, resp ? resp : "");
    free(resp);
}

static json_t *server_stats(void)
{
    long status = 0;
    json_t *j = fakehub_json(&FH, "GET", "/_fakehub/stats", NULL, &status);
    assert_int_equal(status, 200);
    return j;
}

static int64_t stat_int(const json_t *stats, const char *key)
{
    return json_integer_value(json_object_get(stats, key));
}

typedef struct many {
    int      done, ok, rate_limited, other;
    int      order[64];    /* completion order: index of the request */
    captured caps[64];
} many;

typedef struct one_of_many {
    many *m;
    int   index;
} one_of_many;

static void on_one(void *ud, const hs_result *r)
{
    one_of_many *o = ud;
    many *m = o->m;
    m->order[m->done++] = o->index;
    if (r->status == HT_OK)
        m->ok++;
    else if (r->status == HT_RATE_LIMIT)
        m->rate_limited++;
    else
        m->other++;
    apitest_capture(&m->caps[o->index], r);
}

/* Queue n list requests at prio, all at once. */
static void submit_lists(hs_client *c, many *m, one_of_many *slots, int first, int n,
                         hs_priority prio)
{
    hs_read_opts o = {.limit = 1};
    for (int i = first; i < first + n; i++) {
        slots[i] = (one_of_many){m, i};
        hs_objects_list(c, prio, "contacts", &o, NULL, on_one, &slots[i]);
    }
}

static void free_many(many *m, int n)
{
    for (int i = 0; i < n; i++)
        apitest_reset(&m->caps[i]);
}

static void test_unknown_limits_are_learned(void **state)
{
    configure("{\"rate_limit\":\"20/1000\"}");
    hs_client_opts o = apitest_opts(&FH);   /* app type unknown: 100 per 10 s */
    o.max_in_flight = 4;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    many m = {0};
    one_of_many slots[64];
    int64_t t0 = time_mono_ms();
    submit_lists(c, &m, slots, 0, 60, HS_PRIO_BACKGROUND);
    hs_client_run(c, 0);
    int64_t took = time_mono_ms() - t0;
    assert_int_equal(m.ok, 60);
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_true(st.limits_learned);
    assert_int_equal(st.window_max, 20);
    assert_int_equal(st.window_interval_ms, 1000);
    /* Until the first answer the client knows nothing: at most the first
     * requests in flight can meet a 429. */
    assert_true(st.responses_429 <= 4);
    assert_true(took >= 2000);   /* 60 at 20 per second, rolling */
    json_t *s = server_stats();
    assert_true(stat_int(s, "peakWindow") <= 20);
    json_decref(s);
    free_many(&m, 60);
    hs_client_free(c);
}

static void test_known_limits_no_429(void **state)
{
    configure("{\"rate_limit\":\"15/1000\"}");
    hs_client_opts o = apitest_opts(&FH);
    o.limits = (ratelimit_limits){15, 1000, 0};
    o.max_in_flight = 6;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    many m = {0};
    one_of_many slots[64];
    submit_lists(c, &m, slots, 0, 45, HS_PRIO_BACKGROUND);
    hs_client_run(c, 0);
    assert_int_equal(m.ok, 45);
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.responses_429, 0);
    assert_int_equal(st.requests, 45);
    free_many(&m, 45);
    hs_client_free(c);
}

static void test_rolling_429_waits_for_the_window(void **state)
{
    configure("{\"rate_limit\":\"10/1000\"}");
    hs_client_opts o = apitest_opts(&FH);
    o.limits = (ratelimit_limits){1000, 1000, 0};   /* badly wrong on purpose */
    o.max_in_flight = 20;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    many m = {0};
    one_of_many slots[64];
    int64_t t0 = time_mono_ms();
    submit_lists(c, &m, slots, 0, 30, HS_PRIO_INTERACTIVE);
    hs_client_run(c, 0);
    assert_int_equal(m.ok, 30);   /* a 429 is a wait, not a failure */
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_true(st.responses_429 >= 5);
    assert_true(time_mono_ms() - t0 >= 2000);
    free_many(&m, 30);

    /* Corrected by the headers, the next burst meets no 429. */
    uint64_t before = st.responses_429;
    memset(&m, 0, sizeof m);
    submit_lists(c, &m, slots, 0, 20, HS_PRIO_INTERACTIVE);
    hs_client_run(c, 0);
    assert_int_equal(m.ok, 20);
    hs_client_stats_get(c, &st);
    assert_true(st.responses_429 - before <= 1);
    free_many(&m, 20);
    hs_client_free(c);
}

static void test_search_secondly_429(void **state)
{
    configure("{\"rate_limit\":\"off\",\"search_rate\":\"2/1\"}");
    hs_client_opts o = apitest_opts(&FH);
    o.search_per_second = 50;   /* wrong: the server allows 2 per second */
    o.max_in_flight = 8;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    captured caps[6] = {{0}};
    int64_t t0 = time_mono_ms();
    for (int i = 0; i < 6; i++)
        hs_objects_search(c, HS_PRIO_NORMAL, "contacts", NULL, apitest_capture, &caps[i]);
    hs_client_run(c, 0);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(caps[i].status, HT_OK);
        apitest_reset(&caps[i]);
    }
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_true(st.responses_429 >= 1);
    assert_true(time_mono_ms() - t0 >= 1900);
    hs_client_free(c);

    /* With the right figure: none (once the server's window has emptied:
     * search answers carry no headers to learn from). */
    usleep(1100 * 1000);
    o = apitest_opts(&FH);
    o.search_per_second = 2;
    c = hs_client_new(&o, &err);
    for (int i = 0; i < 5; i++)
        hs_objects_search(c, HS_PRIO_NORMAL, "contacts", NULL, apitest_capture, &caps[i]);
    hs_client_run(c, 0);
    hs_client_stats_get(c, &st);
    assert_int_equal(st.responses_429, 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(caps[i].status, HT_OK);
        apitest_reset(&caps[i]);
    }
    hs_client_free(c);
}

/* No ten-secondly limit, and a daily limit n requests away. */
static void leave_daily_budget(int64_t n)
{
    configure("{\"rate_limit\":\"off\"}");
    json_t *s = server_stats();
    int64_t used = stat_int(s, "dailyUsed");
    json_decref(s);
    char cfg[64];
    snprintf(cfg, sizeof cfg, "{\"daily\":%lld}", (long long)(used + n));
    configure(cfg);
}

static void test_daily_limit_stops_the_portal(void **state)
{
    leave_daily_budget(3);

    /* One client sees Daily-Remaining reach 0 and stops by itself. */
    hs_client_opts o = apitest_opts(&FH);
    o.max_in_flight = 1;
    o.has_utc_offset = true;
    o.utc_offset_ms = -5 * 3600 * 1000;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    many m = {0};
    one_of_many slots[64];
    submit_lists(c, &m, slots, 0, 8, HS_PRIO_NORMAL);
    hs_client_run(c, 0);
    assert_int_equal(m.ok, 3);
    assert_int_equal(m.rate_limited, 5);
    captured *last = &m.caps[7];
    assert_non_null(strstr(last->err.message, "daily API limit"));
    assert_non_null(strstr(last->err.message, "resets at midnight"));
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_true(st.daily_reset_wall > time_now_ms());
    assert_int_equal(st.daily_remaining, 0);
    /* Midnight in UTC-05:00 is 05:00 UTC. */
    assert_int_equal(((st.daily_reset_wall / 1000) % 86400), 5 * 3600);
    uint64_t sent = st.requests;
    captured late = {0};
    hs_client_run(c, hs_objects_list(c, HS_PRIO_INTERACTIVE, "contacts", NULL, NULL,
                                     apitest_capture, &late));
    assert_int_equal(late.status, HT_RATE_LIMIT);
    assert_int_equal(late.attempts, 0);
    hs_client_stats_get(c, &st);
    assert_int_equal(st.requests, sent);   /* nothing more went out */
    apitest_reset(&late);
    free_many(&m, 8);
    hs_client_free(c);

    /* A fresh client learns it from the 429 DAILY answer. */
    o = apitest_opts(&FH);
    c = hs_client_new(&o, &err);
    captured cap = {0};
    hs_client_run(c, hs_objects_list(c, HS_PRIO_INTERACTIVE, "contacts", NULL, NULL,
                                     apitest_capture, &cap));
    assert_int_equal(cap.status, HT_RATE_LIMIT);
    assert_int_equal(cap.http_status, 429);
    assert_int_equal(cap.attempts, 1);
    assert_string_equal(cap.err.category, "DAILY");
    apitest_reset(&cap);
    hs_client_free(c);
    configure("{\"daily\":0}");
}

/* stats.byEndpoint[endpoint].total */
static int64_t endpoint_total(const json_t *stats, const char *endpoint)
{
    return json_integer_value(json_object_get(
        json_object_get(json_object_get(stats, "byEndpoint"), endpoint), "total"));
}

#define ASSOC_BATCH_READ "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read"

typedef struct batch_done {
    int       calls;
    ht_status status;
} batch_done;

static void on_batch(void *ud, const hs_batch_result *r)
{
    batch_done *b = ud;
    b->calls++;
    b->status = r->status;
}

/* hubspot-api.md §5/§11: association batch calls are exempt from the
 * ten-secondly window. Once the window is used up, association batch reads
 * still go out at once (and the server takes them), while an object GET
 * waits for the window; the exempt calls keep to the in-flight cap and are
 * counted toward the day. */
static void test_assoc_batches_skip_the_window(void **state)
{
    configure("{\"rate_limit\":\"10/10000\",\"daily\":100000}");
    hs_client_opts o = apitest_opts(&FH);
    o.limits = (ratelimit_limits){10, 10000, 0};
    o.max_in_flight = 3;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    many m = {0};
    one_of_many slots[64];
    submit_lists(c, &m, slots, 0, 10, HS_PRIO_INTERACTIVE);
    hs_client_run(c, 0);
    assert_int_equal(m.ok, 10);
    char contact[32];
    assert_true(hs_json_id(json_object_get(json_array_get(json_object_get(m.caps[0].body, "results"),
                                                           0), "id"), contact));
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.window_used, 10);
    assert_int_equal(st.responses_429, 0);
    int64_t daily_before = st.daily_remaining;
    assert_true(daily_before > 0);

    /* Slow answers, so the in-flight count can be seen between steps. */
    configure("{\"faults\":\"latency=200-200\"}");
    /* The window is full: a record read is held by the client... */
    captured held = {0};
    hs_call_id held_id = hs_objects_get(c, HS_PRIO_INTERACTIVE, "contacts", contact, NULL,
                                        apitest_capture, &held);
    /* ...while association batch reads are not. */
    batch_done reads[6] = {{0}};
    for (int i = 0; i < 6; i++) {
        json_t *ids = json_pack("[s,s]", contact, "99999999");
        hs_assoc_batch_read(c, HS_PRIO_NORMAL, "contacts", "companies", ids, on_batch, &reads[i]);
        json_decref(ids);
    }
    int64_t t0 = time_mono_ms();
    int done = 0, most_in_flight = 0;
    while (done < 6 && time_mono_ms() - t0 < 5000) {
        hs_client_step(c);   /* sends what may go; the answers take 200 ms */
        hs_client_stats_get(c, &st);
        if (st.in_flight > most_in_flight)
            most_in_flight = st.in_flight;
        hs_client_poll(c, NULL, 0, 50);
        done = 0;
        for (int i = 0; i < 6; i++)
            done += reads[i].calls;
    }
    int64_t took = time_mono_ms() - t0;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(reads[i].calls, 1);
        assert_int_equal(reads[i].status, HT_OK);
    }
    assert_true(took < 2500);              /* 3 x 200 ms, not the 10 s the window needs */
    assert_int_equal(held.calls, 0);       /* the GET still waits */
    assert_int_equal(most_in_flight, 2);   /* max_in_flight less the interactive slot */
    hs_client_stats_get(c, &st);
    assert_int_equal(st.requests_exempt, 6);
    assert_int_equal(st.requests, 16);
    assert_int_equal(st.window_used, 10);  /* no slot spent on them */
    assert_int_equal(st.responses_429, 0);
    /* They count for the day, and their answers say so (answers may come
     * back out of order: the last one read need not be the last counted). */
    assert_true(st.daily_remaining <= daily_before - 5);
    assert_true(st.daily_remaining >= 100000 - 16);
    json_t *s = server_stats();
    assert_int_equal(stat_int(s, "dailyUsed"), 16);
    assert_int_equal(stat_int(s, "rateLimited"), 0);
    assert_int_equal(endpoint_total(s, ASSOC_BATCH_READ), 6);
    assert_int_equal(stat_int(s, "peakWindow"), 10);
    json_decref(s);

    /* The server agrees: its window is full for an object GET, not for an
     * association batch read. */
    long status = 0;
    char *body = fakehub_request(&FH, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &status);
    assert_int_equal(status, 429);
    free(body);
    body = fakehub_request(&FH, "POST", "/crm/v4/associations/contacts/companies/batch/read",
                           "{\"inputs\":[{\"id\":\"1\"}]}", &status);
    assert_true(status == 200 || status == 207);
    free(body);

    configure("{\"faults\":\"off\"}");
    assert_true(hs_cancel(c, held_id));
    assert_int_equal(held.status, HT_CANCELLED);
    assert_int_equal(held.attempts, 0);
    apitest_reset(&held);
    free_many(&m, 10);
    hs_client_free(c);
}

/* Exempt calls still meet the daily limit: their Daily-Remaining reaching 0
 * stops the portal like any other answer's. */
static void test_assoc_batches_count_toward_the_day(void **state)
{
    leave_daily_budget(3);
    hs_client_opts o = apitest_opts(&FH);
    o.max_in_flight = 1;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    batch_done reads[5] = {{0}};
    for (int i = 0; i < 5; i++) {
        json_t *ids = json_pack("[s]", "1");
        hs_assoc_batch_read(c, HS_PRIO_NORMAL, "contacts", "companies", ids, on_batch, &reads[i]);
        json_decref(ids);
    }
    hs_client_run(c, 0);
    int ok = 0, stopped = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(reads[i].calls, 1);
        ok += reads[i].status == HT_OK;
        stopped += reads[i].status == HT_RATE_LIMIT;
    }
    assert_int_equal(ok, 3);
    assert_int_equal(stopped, 2);
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.requests, 3);      /* the last two never went out */
    assert_int_equal(st.responses_429, 0);
    assert_true(st.daily_reset_wall > time_now_ms());
    hs_client_free(c);
    configure("{\"daily\":0}");
}

static void test_interactive_goes_first(void **state)
{
    configure("{\"rate_limit\":\"10/1000\",\"daily\":0}");
    hs_client_opts o = apitest_opts(&FH);
    o.limits = (ratelimit_limits){10, 1000, 0};
    o.max_in_flight = 3;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    many m = {0};
    one_of_many slots[64];
    submit_lists(c, &m, slots, 0, 30, HS_PRIO_BACKGROUND);
    /* Let sync traffic fill the window, then the user opens a record. */
    while (m.done < 12)
        hs_client_poll(c, NULL, 0, 100);
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_true(st.in_flight <= 2);   /* one slot is kept for the user */
    int64_t t0 = time_mono_ms();
    int done_at_submit = m.done;
    submit_lists(c, &m, slots, 30, 1, HS_PRIO_INTERACTIVE);
    while (m.caps[30].calls == 0)
        hs_client_poll(c, NULL, 0, 100);
    int64_t waited = time_mono_ms() - t0;
    int done_before = m.done - 1;
    hs_client_run(c, 0);
    assert_int_equal(m.ok, 31);
    /* It did not queue behind the background requests still waiting (they
     * need seconds of window): it went out at once and most of them were
     * still to come when it was answered. */
    assert_true(done_at_submit < 25);
    assert_true(30 - done_before >= 5);
    assert_true(waited < 1000);
    free_many(&m, 31);
    hs_client_free(c);
}

static void test_cancel_background_priority(void **state)
{
    configure("{\"rate_limit\":\"5/1000\"}");
    hs_client_opts o = apitest_opts(&FH);
    o.limits = (ratelimit_limits){5, 1000, 0};
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    many m = {0};
    one_of_many slots[64];
    submit_lists(c, &m, slots, 0, 20, HS_PRIO_BACKGROUND);
    submit_lists(c, &m, slots, 20, 2, HS_PRIO_INTERACTIVE);
    hs_client_poll(c, NULL, 0, 50);
    hs_cancel_priority(c, HS_PRIO_BACKGROUND);
    hs_client_run(c, 0);
    assert_int_equal(m.done, 22);
    assert_int_equal(m.caps[20].status, HT_OK);
    assert_int_equal(m.caps[21].status, HT_OK);
    int cancelled = 0;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(m.caps[i].calls, 1);
        cancelled += m.caps[i].status == HT_CANCELLED;
    }
    assert_true(cancelled >= 15);
    free_many(&m, 22);
    hs_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_limits_are_learned, start, stop),
        cmocka_unit_test_setup_teardown(test_known_limits_no_429, start, stop),
        cmocka_unit_test_setup_teardown(test_rolling_429_waits_for_the_window, start, stop),
        cmocka_unit_test_setup_teardown(test_search_secondly_429, start, stop),
        cmocka_unit_test_setup_teardown(test_daily_limit_stops_the_portal, start, stop),
        cmocka_unit_test_setup_teardown(test_assoc_batches_skip_the_window, start, stop),
        cmocka_unit_test_setup_teardown(test_assoc_batches_count_toward_the_day, start, stop),
        cmocka_unit_test_setup_teardown(test_interactive_goes_first, start, stop),
        cmocka_unit_test_setup_teardown(test_cancel_background_priority, start, stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
