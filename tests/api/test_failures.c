/* Every error class against a real fakehub: 400 with errors[], 401 (static
 * and OAuth refresh + retry), 403 from scopes, 404, 409, 5xx, connection
 * resets, truncated bodies, slow answers with cancellation and timeouts;
 * redaction of the debug log; loopback-only plain http. */
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
#include "log.h"
#include "tmpdir.h"
#include "util.h"
#include "walk.h"

#define RO_TOKEN      "test-token-readonly"
#define OAUTH_CLIENT  "test-client-1"
#define OAUTH_SECRET  "test-secret-1"

static fakehub FH;
static char log_path[] = "/tmp/hubtui-api-log-XXXXXX";
/* Every OAuth token the tests saw, for the redaction check at the end. */
static char *seen_tokens[16];
static size_t n_seen_tokens;

static void remember_token(const char *t)
{
    if (t && n_seen_tokens < 16)
        seen_tokens[n_seen_tokens++] = xstrdup(t);
}

static bool no_op_page(void *ud, json_t *results, const char *next)
{
    return true;
}

static int setup(void **state)
{
    const char *args[] = {"--contacts", "60", "--companies", "5", "--seed", "11",
                          "--rate-limit", "off",
                          "--token", RO_TOKEN, "--scopes", RO_TOKEN "=crm.objects.contacts.read",
                          "--oauth-client", OAUTH_CLIENT ":" OAUTH_SECRET, "--token-ttl", "3",
                          NULL};
    apitest_start(&FH, args);
    /* Every test logs at debug level; the redaction test reads it all back. */
    int fd = mkstemp(log_path);
    close(fd);
    if (!log_open(log_path, LOG_DEBUG))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    fakehub_stop(&FH);
    log_close();
    unlink(log_path);
    for (size_t i = 0; i < n_seen_tokens; i++)
        free(seen_tokens[i]);
    return 0;
}

static void set_faults(const char *spec)
{
    char *body = xasprintf("{\"faults\":\"%s\"}", spec);
    long status = 0;
    char *resp = fakehub_request(&FH, "POST", "/_fakehub/config", body, &status);
    if (status != 200)
        fail_msg("/_fakehub/config refused %s: %s", body, resp ? resp : "");
    free(resp);
    free(body);
}

static captured get_contact(hs_client *c, const char *id)
{
    captured cap = {0};
    hs_client_run(c, hs_objects_get(c, HS_PRIO_INTERACTIVE, "contacts", id, NULL,
                                    apitest_capture, &cap));
    assert_int_equal(cap.calls, 1);
    return cap;
}

static char *some_contact_id(hs_client *c)
{
    captured cap = {0};
    hs_read_opts o = {.limit = 1};
    hs_client_run(c, hs_objects_list(c, HS_PRIO_NORMAL, "contacts", &o, NULL, apitest_capture, &cap));
    if (cap.status != HT_OK)
        fail_msg("listing a contact: %s", cap.err.message);
    char *id = xstrdup(json_string_value(json_object_get(
        json_array_get(json_object_get(cap.body, "results"), 0), "id")));
    apitest_reset(&cap);
    return id;
}

/* ---- 4xx: parsed, never retried blindly ---------------------------------------- */

static void test_validation_error(void **state)
{
    hs_client *c = apitest_client(&FH);
    char *id = some_contact_id(c);
    json_t *props = json_pack("{ss}", "favcolor_that_does_not_exist", "blue");
    captured cap = {0};
    hs_client_run(c, hs_objects_update(c, HS_PRIO_INTERACTIVE, "contacts", id, NULL, props,
                                       apitest_capture, &cap));
    json_decref(props);
    assert_int_equal(cap.status, HT_INVALID);
    assert_int_equal(cap.http_status, 400);
    assert_int_equal(cap.attempts, 1);
    assert_string_equal(cap.err.category, "VALIDATION_ERROR");
    assert_true(strlen(cap.err.correlation_id) > 0);
    assert_true(cap.n_items >= 1);
    assert_non_null(strstr(cap.err.message, "favcolor_that_does_not_exist"));
    apitest_reset(&cap);
    free(id);
    hs_client_free(c);
}

static void test_not_found_and_conflict(void **state)
{
    hs_client *c = apitest_client(&FH);
    captured cap = get_contact(c, "987654321");
    assert_int_equal(cap.status, HT_NOT_FOUND);
    assert_int_equal(cap.attempts, 1);
    apitest_reset(&cap);

    json_t *props = json_pack("{ss}", "email", "conflict.test@example.com");
    hs_client_run(c, hs_objects_create(c, HS_PRIO_INTERACTIVE, "contacts", props, NULL,
                                       apitest_capture, &cap));
    assert_int_equal(cap.status, HT_OK);
    apitest_reset(&cap);
    hs_client_run(c, hs_objects_create(c, HS_PRIO_INTERACTIVE, "contacts", props, NULL,
                                       apitest_capture, &cap));
    json_decref(props);
    assert_int_equal(cap.status, HT_CONFLICT);
    assert_int_equal(cap.http_status, 409);
    assert_int_equal(cap.attempts, 1);
    assert_non_null(strstr(cap.err.message, "already exists"));
    apitest_reset(&cap);
    hs_client_free(c);
}

static void test_unauthorized_and_forbidden(void **state)
{
    hs_client_opts o = apitest_opts(&FH);
    auth_free(&o.auth);
    auth_init_static(&o.auth, "test-token-not-accepted", "test");
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    captured cap = get_contact(c, "1");
    assert_int_equal(cap.status, HT_AUTH);
    assert_int_equal(cap.http_status, 401);
    assert_int_equal(cap.attempts, 1);   /* a static token cannot be refreshed */
    apitest_reset(&cap);
    hs_client_free(c);

    o = apitest_opts(&FH);
    auth_free(&o.auth);
    auth_init_static(&o.auth, RO_TOKEN, "test");
    c = hs_client_new(&o, &err);
    char *id = some_contact_id(c);   /* reading is allowed */
    json_t *props = json_pack("{ss}", "firstname", "Nope");
    hs_client_run(c, hs_objects_update(c, HS_PRIO_INTERACTIVE, "contacts", id, NULL, props,
                                       apitest_capture, &cap));
    json_decref(props);
    assert_int_equal(cap.status, HT_FORBIDDEN);
    assert_int_equal(cap.http_status, 403);
    assert_string_equal(cap.err.category, "MISSING_SCOPES");
    apitest_reset(&cap);
    free(id);
    hs_client_free(c);
}

/* ---- OAuth ------------------------------------------------------------------------ */

static hs_client *oauth_client(const char *refresh_token, const char *access_token)
{
    hs_client_opts o = apitest_opts(&FH);
    auth_free(&o.auth);
    auth_init_oauth(&o.auth, OAUTH_CLIENT, OAUTH_SECRET, refresh_token, access_token);
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    assert_non_null(c);
    return c;
}

static void test_oauth_code_refresh_and_401_retry(void **state)
{
    /* A code from fakehub's consent stand-in, exchanged by the client. */
    long status = 0;
    json_t *code = fakehub_json(&FH, "POST", "/_fakehub/oauth/code", "{}", &status);
    assert_int_equal(status, 200);
    const char *code_str = json_string_value(json_object_get(code, "code"));
    assert_non_null(code_str);
    hs_client *c = oauth_client(NULL, NULL);
    captured cap = {0};
    hs_client_run(c, hs_oauth_exchange_code(c, code_str, NULL, NULL, apitest_capture, &cap));
    json_decref(code);
    if (cap.status != HT_OK)
        fail_msg("code exchange: %s", cap.err.message);
    const auth *a = hs_client_auth(c);
    assert_non_null(a->access_token);
    assert_non_null(a->refresh_token);
    assert_true(a->expires_at > 0);
    char *first_access = xstrdup(a->access_token);
    remember_token(a->access_token);
    remember_token(a->refresh_token);
    apitest_reset(&cap);

    /* Calls work; after the short TTL the client refreshes before expiry. */
    char *id = some_contact_id(c);
    sleep(3);
    cap = get_contact(c, id);
    assert_int_equal(cap.status, HT_OK);
    assert_int_equal(cap.attempts, 1);
    apitest_reset(&cap);
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.refreshes, 1);
    assert_string_not_equal(hs_client_auth(c)->access_token, first_access);
    remember_token(hs_client_auth(c)->access_token);
    remember_token(hs_client_auth(c)->refresh_token);
    char *refresh = xstrdup(hs_client_auth(c)->refresh_token);
    hs_client_free(c);

    /* An access token of unknown expiry that has expired: 401, refresh once,
     * the request goes again and succeeds. */
    c = oauth_client(refresh, first_access);
    cap = get_contact(c, id);
    if (cap.status != HT_OK)
        fail_msg("after 401: %s", cap.err.message);
    assert_int_equal(cap.attempts, 2);
    hs_client_stats_get(c, &st);
    assert_int_equal(st.refreshes, 1);
    remember_token(hs_client_auth(c)->access_token);
    apitest_reset(&cap);
    hs_client_free(c);

    /* A refresh token the server does not know: HT_AUTH with its code. */
    c = oauth_client("test-refresh-unknown", NULL);
    cap = get_contact(c, id);
    assert_int_equal(cap.status, HT_AUTH);
    assert_non_null(strstr(cap.err.message, "OAuth token refresh failed"));
    assert_string_equal(cap.err.category, "BAD_REFRESH_TOKEN");
    apitest_reset(&cap);
    /* Later requests fail at once with the same words. */
    cap = get_contact(c, id);
    assert_int_equal(cap.status, HT_AUTH);
    assert_int_equal(cap.attempts, 0);
    apitest_reset(&cap);
    hs_client_free(c);
    free(refresh);
    free(first_access);
    free(id);
}

/* ---- transient failures ------------------------------------------------------------ */

static void test_5xx_retried_with_bound(void **state)
{
    hs_client *c = apitest_client(&FH);
    char *id = some_contact_id(c);
    set_faults("5xx=1");
    captured cap = get_contact(c, id);
    assert_int_equal(cap.status, HT_HTTP);
    assert_true(cap.http_status >= 500);
    assert_int_equal(cap.attempts, retry_policy_default().max_attempts);
    apitest_reset(&cap);

    /* A create that got a 5xx may have happened: not repeated, flagged. */
    json_t *props = json_pack("{ss}", "email", "maybe.applied@example.com");
    hs_client_run(c, hs_objects_create(c, HS_PRIO_INTERACTIVE, "contacts", props, NULL,
                                       apitest_capture, &cap));
    json_decref(props);
    assert_int_equal(cap.status, HT_HTTP);
    assert_int_equal(cap.attempts, 1);
    assert_true(cap.maybe_applied);
    apitest_reset(&cap);
    set_faults("off");
    free(id);
    hs_client_free(c);
}

static void test_resets_and_truncation_recover(void **state)
{
    hs_client *c = apitest_client(&FH);
    char *id = some_contact_id(c);
    set_faults("5xx=0.2,reset=0.2,truncate=0.2");
    int ok = 0;
    for (int i = 0; i < 40; i++) {
        captured cap = get_contact(c, id);
        ok += cap.status == HT_OK;
        apitest_reset(&cap);
    }
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    set_faults("off");
    /* Six tries each: failing all six at 49% per try is rare (about 1.4%). */
    assert_true(ok >= 36);
    assert_true(st.retries > 5);

    set_faults("reset=1");
    captured cap = get_contact(c, id);
    assert_int_equal(cap.status, HT_NETWORK);
    assert_int_equal(cap.attempts, retry_policy_default().max_attempts);
    apitest_reset(&cap);
    set_faults("truncate=1");
    cap = get_contact(c, id);
    assert_int_equal(cap.status, HT_NETWORK);
    apitest_reset(&cap);
    set_faults("off");
    free(id);
    hs_client_free(c);
}

static void test_slow_answer_cancelled_and_timeout(void **state)
{
    hs_client *c = apitest_client(&FH);
    char *id = some_contact_id(c);
    set_faults("latency=1500-1500");
    captured cap = {0};
    hs_call_id call = hs_objects_get(c, HS_PRIO_INTERACTIVE, "contacts", id, NULL,
                                     apitest_capture, &cap);
    int64_t t0 = time_mono_ms();
    hs_client_poll(c, NULL, 0, 100);
    hs_client_poll(c, NULL, 0, 100);
    assert_false(cap.done);
    assert_true(hs_cancel(c, call));
    assert_int_equal(cap.calls, 1);
    assert_int_equal(cap.status, HT_CANCELLED);
    assert_true(time_mono_ms() - t0 < 1000);
    apitest_reset(&cap);

    /* A walk cancelled mid-way ends once, with HT_CANCELLED. */
    hs_call_id walk = hs_walk_objects(c, HS_PRIO_BACKGROUND, "contacts", NULL, NULL, no_op_page,
                                      apitest_capture, &cap);
    hs_client_poll(c, NULL, 0, 50);
    assert_true(hs_cancel(c, walk));
    assert_int_equal(cap.calls, 1);
    assert_int_equal(cap.status, HT_CANCELLED);
    assert_false(hs_client_busy(c));
    apitest_reset(&cap);
    hs_client_free(c);

    /* Answers slower than the timeout: retried, then HT_TIMEOUT. */
    hs_client_opts o = apitest_opts(&FH);
    o.timeout_ms = 300;
    o.retry.max_attempts = 2;
    ht_error err;
    c = hs_client_new(&o, &err);
    cap = get_contact(c, id);
    assert_int_equal(cap.status, HT_TIMEOUT);
    assert_int_equal(cap.attempts, 2);
    apitest_reset(&cap);
    set_faults("off");
    free(id);
    hs_client_free(c);
}

/* ---- plain http only to loopback ----------------------------------------------------- */

static void test_plain_http_refused_off_loopback(void **state)
{
    const char *urls[] = {"http://192.0.2.1:80", "http://api.hubapi.com", "http://10.1.2.3:8080"};
    for (size_t i = 0; i < 3; i++) {
        hs_client_opts o = {.base_url = urls[i]};
        auth_init_static(&o.auth, "test-token-x", "test");
        ht_error err;
        int64_t t0 = time_mono_ms();
        assert_null(hs_client_new(&o, &err));
        assert_true(time_mono_ms() - t0 < 100);   /* decided from the URL alone */
        assert_int_equal(err.status, HT_INVALID);
        assert_non_null(strstr(err.message, "loopback"));
    }
    /* Through the environment too. */
    setenv("HUBTUI_BASE_URL", "http://192.0.2.1", 1);
    setenv("HUBSPOT_ACCESS_TOKEN", "test-token-x", 1);
    config cfg;
    config_parse_string("", "none", &cfg);
    ht_error err;
    assert_null(hs_client_open(&cfg, NULL, NULL, &err));
    assert_int_equal(err.status, HT_INVALID);
    config_free(&cfg);
    unsetenv("HUBTUI_BASE_URL");
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    /* No connection was even attempted: the debug log names no such host. */
    char *text = tmpdir_read_file(log_path);
    assert_non_null(text);
    assert_null(strstr(text, "192.0.2.1"));
    assert_null(strstr(text, "10.1.2.3"));
    free(text);
}

/* ---- redaction: last, so the log holds everything above ------------------------------- */

static void test_log_never_holds_a_token(void **state)
{
    /* Make sure the log has the interesting lines: a request, a refresh. */
    hs_client *c = apitest_client(&FH);
    char *id = some_contact_id(c);
    free(id);
    hs_client_free(c);
    char *text = tmpdir_read_file(log_path);
    assert_non_null(text);
    assert_non_null(strstr(text, "> GET /crm/v3/objects/contacts"));
    assert_non_null(strstr(text, "Authorization: ***"));
    assert_non_null(strstr(text, "/oauth/v1/token"));
    assert_null(strstr(text, FH.token));
    assert_null(strstr(text, RO_TOKEN));
    assert_null(strstr(text, OAUTH_SECRET));
    assert_null(strstr(text, "Bearer test-"));
    /* Every OAuth token the server minted during the tests. */
    assert_true(n_seen_tokens >= 4);
    for (size_t i = 0; i < n_seen_tokens; i++)
        if (strstr(text, seen_tokens[i]))
            fail_msg("token %zu appears in the log", i);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_error),
        cmocka_unit_test(test_not_found_and_conflict),
        cmocka_unit_test(test_unauthorized_and_forbidden),
        cmocka_unit_test(test_oauth_code_refresh_and_401_retry),
        cmocka_unit_test(test_5xx_retried_with_bound),
        cmocka_unit_test(test_resets_and_truncation_recover),
        cmocka_unit_test(test_slow_answer_cancelled_and_timeout),
        cmocka_unit_test(test_plain_http_refused_off_loopback),
        cmocka_unit_test(test_log_never_holds_a_token),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
