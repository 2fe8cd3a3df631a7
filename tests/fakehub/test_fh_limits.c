/* fakehub integration tests: the rolling per-app limit, the daily limit and
 * the search limit — headers, 429 bodies for each policy, Retry-After, and
 * the peak-window statistics. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static long header_num(const fakehub_response *r, const char *name)
{
    char buf[32];
    return fakehub_header(r, name, buf, sizeof buf) ? atol(buf) : -1;
}

static void assert_429(const fakehub_response *r, const char *policy, const char *message)
{
    assert_int_equal(r->status, 429);
    assert_string_equal(js(r->json, "status"), "error");
    assert_string_equal(js(r->json, "message"), message);
    assert_string_equal(js(r->json, "errorType"), "RATE_LIMIT");
    assert_string_equal(js(r->json, "policyName"), policy);
    assert_non_null(js(r->json, "groupName"));
    assert_int_equal(strlen(js(r->json, "correlationId")), 36);
    assert_null(jp(r->json, "category"));
}

/* Wait until the rolling window of fh is empty again. */
static void let_window_pass(int ms)
{
    usleep((useconds_t)(ms + 150) * 1000);
}

static void test_headers_and_ten_secondly(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--rate-limit", "5/1000", "--daily", "1000");
    fakehub_response r;
    for (int i = 0; i < 5; i++) {
        req(&fh, "GET", i == 2 ? "/crm/v3/objects/contacts/999999" : "/crm/v3/objects/contacts?limit=1", NULL, &r);
        assert_int_equal(r.status, i == 2 ? 404 : 200);   /* errors carry the headers too */
        assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Max"), 5);
        assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Remaining"), 4 - i);
        assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Interval-Milliseconds"), 1000);
        assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Daily"), 1000);
        assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Daily-Remaining"), 1000 - 1 - i);
        fakehub_response_free(&r);
    }
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    assert_429(&r, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.");
    assert_false(has_header(&r, "Retry-After"));
    assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Remaining"), 0);
    fakehub_response_free(&r);
    /* Search and association batches are not part of the ten-secondly window. */
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{}", &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[{\"id\":\"1\"}]}", &r);
    assert_true(r.status == 200 || r.status == 207);
    fakehub_response_free(&r);
    let_window_pass(1000);
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    /* Stats: the peak never passed the limit; the 429 was counted. */
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);
    assert_int_equal(ji(r.json, "peakWindow"), 5);
    assert_int_equal(ji(r.json, "rateLimited"), 1);
    assert_int_equal(ji(r.json, "byEndpoint.GET /crm/v3/objects/{objectType}.byStatus.429"), 1);
    assert_int_equal(ji(r.json, "byEndpoint.GET /crm/v3/objects/{objectType}/{objectId}.byStatus.404"), 1);
    assert_int_equal(ji(r.json, "total"), 9);   /* control calls do not count */
    assert_int_equal(ji(r.json, "dailyUsed"), 8);
    fakehub_response_free(&r);
    /* Changed at run time. */
    req(&fh, "POST", "/_fakehub/config", "{\"rate_limit\":\"2/1000\"}", &r);
    assert_string_equal(js(r.json, "rate_limit"), "2/1000");
    fakehub_response_free(&r);
    let_window_pass(1000);
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Max"), 2);
    fakehub_response_free(&r);
    req(&fh, "POST", "/_fakehub/config", "{\"rate_limit\":\"off\"}", &r);
    fakehub_response_free(&r);
    for (int i = 0; i < 8; i++) {
        req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
        assert_int_equal(r.status, 200);
        assert_false(has_header(&r, "X-HubSpot-RateLimit-Max"));
        assert_true(has_header(&r, "X-HubSpot-RateLimit-Daily"));
        fakehub_response_free(&r);
    }
    assert_int_equal(fakehub_stop(&fh), 0);
}

/* hubspot-api.md §5/§11: the v4 association batch calls and the label
 * calls are exempt from the ten-secondly window but count toward the day.
 * With the window used up they still go through, without the window
 * headers (they are not part of it) and with the daily pair. */
static void test_exempt_endpoints(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--companies", "2", "--rate-limit", "10/10000", "--daily", "1000");
    fakehub_response r;
    for (int i = 0; i < 10; i++) {
        req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
        assert_int_equal(r.status, 200);
        fakehub_response_free(&r);
    }
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    assert_429(&r, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.");
    fakehub_response_free(&r);
    static const struct { const char *method, *path, *body; } exempt[] = {
        {"POST", "/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[{\"id\":\"1\"}]}"},
        {"POST", "/crm/associations/2026-03/contacts/companies/batch/read", "{\"inputs\":[{\"id\":\"1\"}]}"},
        {"POST", "/crm/v4/associations/contacts/companies/batch/archive",
         "{\"inputs\":[{\"from\":{\"id\":\"1\"},\"to\":[{\"id\":\"2\"}]}]}"},
        {"GET", "/crm/v4/associations/contacts/companies/labels", NULL},
        {"GET", "/crm/associations/v4/contacts/companies/labels", NULL},
    };
    int daily_used = 10;
    for (int round = 0; round < 3; round++) {   /* 15 calls: more than the window holds */
        for (size_t i = 0; i < ARRAY_SIZE(exempt); i++) {
            req(&fh, exempt[i].method, exempt[i].path, exempt[i].body, &r);
            if (r.status < 200 || r.status >= 300)
                fail_msg("%s %s: HTTP %d", exempt[i].method, exempt[i].path, (int)r.status);
            daily_used++;
            assert_false(has_header(&r, "X-HubSpot-RateLimit-Max"));
            assert_false(has_header(&r, "X-HubSpot-RateLimit-Remaining"));
            assert_false(has_header(&r, "X-HubSpot-RateLimit-Interval-Milliseconds"));
            assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Daily"), 1000);
            assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Daily-Remaining"), 1000 - daily_used);
            fakehub_response_free(&r);
        }
    }
    /* The window is as full as before: object calls, batch ones included,
     * are still refused; the exempt calls did not extend it either. */
    req(&fh, "GET", "/crm/v3/objects/contacts/1", NULL, &r);
    assert_429(&r, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.");
    assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Remaining"), 0);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", "{\"inputs\":[{\"id\":\"1\"}]}", &r);
    assert_int_equal(r.status, 429);
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);
    assert_int_equal(ji(r.json, "peakWindow"), 10);
    assert_int_equal(ji(r.json, "rateLimited"), 3);
    assert_int_equal(ji(r.json, "dailyUsed"), daily_used);
    fakehub_response_free(&r);
    /* The daily limit does apply to them. */
    char cfg[48];
    snprintf(cfg, sizeof cfg, "{\"daily\":%d}", daily_used + 1);
    req(&fh, "POST", "/_fakehub/config", cfg, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    req(&fh, "POST", exempt[0].path, exempt[0].body, &r);
    assert_true(r.status == 200 || r.status == 207);
    assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Daily-Remaining"), 0);
    fakehub_response_free(&r);
    req(&fh, "POST", exempt[0].path, exempt[0].body, &r);
    assert_429(&r, "DAILY", "You have reached your daily limit.");
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_rolling_window(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "3", "--rate-limit", "4/1000");
    fakehub_response r;
    for (int i = 0; i < 4; i++) {
        req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
        assert_int_equal(r.status, 200);
        fakehub_response_free(&r);
    }
    usleep(500 * 1000);   /* half a window: still full */
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 429);
    fakehub_response_free(&r);
    usleep(650 * 1000);   /* the first four have rolled out */
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_search_limit(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "3", "--search-rate", "3/1", "--retry-after");
    fakehub_response r;
    for (int i = 0; i < 3; i++) {
        req(&fh, "POST", "/crm/v3/objects/contacts/search", "{}", &r);
        assert_int_equal(r.status, 200);
        fakehub_response_free(&r);
    }
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{}", &r);
    assert_429(&r, "SECONDLY", "You have reached your secondly limit.");
    assert_false(has_header(&r, "X-HubSpot-RateLimit-Max"));
    assert_true(header_num(&r, "Retry-After") >= 1);   /* --retry-after */
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);
    assert_int_equal(ji(r.json, "peakSearchWindow"), 3);
    fakehub_response_free(&r);
    let_window_pass(1000);
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{}", &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_daily_limit(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "3", "--daily", "6", "--rate-limit", "off", "--search-rate", "off");
    fakehub_response r;
    for (int i = 0; i < 6; i++) {
        req(&fh, "POST", i % 2 ? "/crm/v3/objects/contacts/search" : "/crm/v3/objects/contacts/batch/read",
            i % 2 ? "{}" : "{\"inputs\":[]}", &r);
        assert_int_equal(r.status, 200);
        fakehub_response_free(&r);
    }
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_429(&r, "DAILY", "You have reached your daily limit.");
    assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Daily-Remaining"), 0);
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);
    assert_int_equal(ji(r.json, "dailyUsed"), 6);
    fakehub_response_free(&r);
    /* A reset starts a new day for tests. */
    req(&fh, "POST", "/_fakehub/reset", "{}", &r);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(header_num(&r, "X-HubSpot-RateLimit-Daily-Remaining"), 5);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_and_ten_secondly),
        cmocka_unit_test(test_exempt_endpoints),
        cmocka_unit_test(test_rolling_window),
        cmocka_unit_test(test_search_limit),
        cmocka_unit_test(test_daily_limit),
    };
    return cmocka_run_group_tests_name("fakehub limits", tests, NULL, NULL);
}
