/* fakehub integration tests: injected faults — 5xx, spurious 429, dropped
 * connections, truncated bodies, latency; writes that fail after they were
 * applied; determinism; the control API is never faulted. */
#include "fhtest.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void set_faults(const fakehub *fh, const char *spec)
{
    fakehub_response r;
    char *body = xasprintf("{\"faults\":\"%s\"}", spec);
    req(fh, "POST", "/_fakehub/config", body, &r);
    free(body);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
}

static long long contacts_total(const fakehub *fh)
{
    fakehub_response r;
    req(fh, "GET", "/_fakehub/dump/contacts", NULL, &r);
    long long n = ji(r.json, "total");
    fakehub_response_free(&r);
    return n;
}

static void test_5xx(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--faults", "5xx=1", "--rate-limit", "off");
    bool seen[600] = {false};
    int html = 0;
    for (int i = 0; i < 24; i++) {
        fakehub_response r;
        req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
        assert_true(r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504);
        seen[r.status] = true;
        if (r.status == 502 || r.status == 504) {
            assert_null(r.json);   /* a gateway page, not JSON */
            assert_non_null(strstr(r.body, "<html>"));
            html++;
        } else {
            assert_string_equal(js(r.json, "status"), "error");
        }
        fakehub_response_free(&r);
    }
    assert_true(seen[500] + seen[502] + seen[503] + seen[504] >= 3);
    assert_true(html > 0);
    fakehub_response r;
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);   /* never faulted */
    assert_int_equal(r.status, 200);
    assert_int_equal(ji(r.json, "faults.5xx"), 24);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_spurious_429(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--faults", "429=1");
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 429);
    assert_string_equal(js(r.json, "errorType"), "RATE_LIMIT");
    assert_string_equal(js(r.json, "policyName"), "TEN_SECONDLY_ROLLING");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{}", &r);
    assert_int_equal(r.status, 429);
    assert_string_equal(js(r.json, "policyName"), "SECONDLY");
    assert_non_null(strstr(js(r.json, "groupName"), "crm-search"));
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

/* The ten-secondly window does not govern association batches, labels or
 * the OAuth endpoints, so their spurious 429s never name it. */
static void test_spurious_429_fits_the_route(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--faults", "429=1", "--oauth-client", "app:secret");
    static const char *const calls[][3] = {
        {"POST", "/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":[{\"id\":\"1\"}]}"},
        {"POST", "/crm/associations/2026-03/contacts/companies/batch/read", "{\"inputs\":[]}"},
        {"GET", "/crm/v4/associations/contacts/companies/labels", NULL},
        {"POST", "/crm/associations/v4/contacts/companies/labels", "{\"label\":\"x\",\"name\":\"x\"}"},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        fakehub_response r;
        req(&fh, calls[i][0], calls[i][1], calls[i][2], &r);
        assert_int_equal(r.status, 429);
        assert_string_equal(js(r.json, "errorType"), "RATE_LIMIT");
        assert_string_equal(js(r.json, "policyName"), "SECONDLY");
        assert_string_equal(js(r.json, "message"), "You have reached your secondly limit.");
        assert_non_null(strstr(js(r.json, "groupName"), "crm-associations"));
        /* No window headers: the call is no part of the window. */
        assert_false(has_header(&r, "X-HubSpot-RateLimit-Max"));
        assert_true(has_header(&r, "X-HubSpot-RateLimit-Daily"));
        fakehub_response_free(&r);
    }
    fakehub_call form = {.token = "", .content_type = "application/x-www-form-urlencoded"};
    fakehub_response r;
    fakehub_call_http(&fh, "POST", "/oauth/v1/token", "grant_type=refresh_token", &form, &r);
    assert_int_equal(r.status, 429);
    assert_string_equal(js(r.json, "policyName"), "SECONDLY");
    fakehub_response_free(&r);
    /* An ordinary call still meets the window's name. */
    req(&fh, "GET", "/crm/v4/objects/contacts/1/associations/companies", NULL, &r);
    assert_int_equal(r.status, 429);
    assert_string_equal(js(r.json, "policyName"), "TEN_SECONDLY_ROLLING");
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_reset_and_truncate(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "50", "--faults", "reset=1", "--rate-limit", "off");
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=50", NULL, &r);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.curl_code, CURLE_GOT_NOTHING);
    fakehub_response_free(&r);
    set_faults(&fh, "truncate=1");
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=50", NULL, &r);
    assert_int_equal(r.curl_code, CURLE_PARTIAL_FILE);
    assert_true(r.body_len > 0);
    assert_null(r.json);   /* cut mid-way: not valid JSON */
    fakehub_response_free(&r);
    set_faults(&fh, "off");
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=50", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.curl_code, CURLE_OK);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_latency(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "3", "--faults", "latency=150-200");
    int64_t t0 = time_mono_ms();
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(time_mono_ms() - t0 >= 150);
    fakehub_response_free(&r);
    t0 = time_mono_ms();
    req(&fh, "GET", "/_fakehub/health", NULL, &r);
    assert_true(time_mono_ms() - t0 < 150);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

/* Writes that fail: some were applied anyway (the answer was lost). */
static void failed_writes_applied(const char *spec)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--rate-limit", "off", "--seed", "9");
    long long before = contacts_total(&fh);
    set_faults(&fh, spec);
    const int n = 24;
    for (int i = 0; i < n; i++) {
        fakehub_response r;
        char *body = xasprintf("{\"properties\":{\"email\":\"lost%d@example.io\"}}", i);
        req(&fh, "POST", "/crm/v3/objects/contacts", body, &r);
        free(body);
        assert_true(r.status != 201 || r.curl_code != CURLE_OK);   /* no clean success */
        fakehub_response_free(&r);
    }
    set_faults(&fh, "off");
    long long applied = contacts_total(&fh) - before;
    assert_true(applied > 0 && applied < n);   /* about half */
    fakehub_response r;
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);
    assert_int_equal(ji(r.json, "faults.afterWrite"), applied);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_writes_fail_after_apply(void **state)
{
    failed_writes_applied("5xx=1");
    failed_writes_applied("reset=1");
    failed_writes_applied("truncate=1");
}

static void test_deterministic(void **state)
{
    long seq[2][30];
    for (int k = 0; k < 2; k++) {
        fakehub fh;
        FH_START(&fh, "--contacts", "3", "--seed", "21", "--faults", "5xx=0.3,429=0.2", "--rate-limit", "off");
        for (int i = 0; i < 30; i++) {
            fakehub_response r;
            req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
            seq[k][i] = r.status;
            fakehub_response_free(&r);
        }
        assert_int_equal(fakehub_stop(&fh), 0);
    }
    assert_memory_equal(seq[0], seq[1], sizeof seq[0]);
    int ok = 0;
    for (int i = 0; i < 30; i++)
        ok += seq[0][i] == 200;
    assert_true(ok > 5 && ok < 28);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_5xx),
        cmocka_unit_test(test_spurious_429),
        cmocka_unit_test(test_spurious_429_fits_the_route),
        cmocka_unit_test(test_reset_and_truncate),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_writes_fail_after_apply),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests_name("fakehub faults", tests, NULL, NULL);
}
