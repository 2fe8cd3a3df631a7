/* The client against a tiny loopback responder (libmicrohttpd, in-process)
 * for answers fakehub never gives: malformed JSON with a 200, bodies cut
 * short at an exact point, Retry-After, a 429 on an exempt association
 * batch at a chosen moment, and deliberately slow answers for the
 * event-loop and cancellation checks. Everything else is tested against
 * fakehub in test_client.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apitest.h"
#include "log.h"
#include "util.h"

typedef struct responder {
    struct MHD_Daemon *daemon;
    int                port;
    char               base_url[64];
    pthread_mutex_t    lock;
    int                hits_429;      /* /retry-after: 429s answered so far */
    int                hits_truncated;
    int64_t            first_429_at;
    int64_t            ok_after_429_at;
    int                hits_exempt;   /* the association batch path: a 429 first */
} responder;

static responder R;

static enum MHD_Result reply(struct MHD_Connection *conn, int status, const char *body,
                             const char *header, const char *value)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                                MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (header)
        MHD_add_response_header(resp, header, value);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Announces 1000 bytes, sends 10, then drops the connection. */
static ssize_t short_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    if (pos >= 10)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = 10 - (size_t)pos < max ? 10 - (size_t)pos : max;
    memcpy(buf, "{\"results\"", n);
    return (ssize_t)n;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    if (*con_cls == NULL) {   /* first call: headers only */
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_size) {       /* swallow request bodies */
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(url, "/bad-json"))
        return reply(conn, 200, "{\"results\":[{\"id\":\"1\"},", NULL, NULL);
    if (!strcmp(url, "/not-json"))
        return reply(conn, 200, "<html><body>Hello</body></html>", NULL, NULL);
    if (!strcmp(url, "/deep-json")) {
        static char deep[40000];
        memset(deep, '[', sizeof deep - 1);
        return reply(conn, 200, deep, NULL, NULL);
    }
    if (!strcmp(url, "/empty"))
        return reply(conn, 200, "", NULL, NULL);
    if (!strcmp(url, "/html-404"))
        return reply(conn, 404, "<html>not here</html>", NULL, NULL);
    if (!strcmp(url, "/truncated")) {
        pthread_mutex_lock(&R.lock);
        R.hits_truncated++;
        pthread_mutex_unlock(&R.lock);
        struct MHD_Response *resp = MHD_create_response_from_callback(1000, 64, short_body, NULL, NULL);
        enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (!strcmp(url, "/retry-after")) {
        pthread_mutex_lock(&R.lock);
        bool first = R.hits_429++ == 0;
        if (first)
            R.first_429_at = time_mono_ms();
        else
            R.ok_after_429_at = time_mono_ms();
        pthread_mutex_unlock(&R.lock);
        if (first)
            return reply(conn, 429, "", "Retry-After", "1");
        return reply(conn, 200, "{\"ok\":true}", NULL, NULL);
    }
    if (!strcmp(url, "/crm/v4/associations/contacts/companies/batch/read")) {
        pthread_mutex_lock(&R.lock);
        bool first = R.hits_exempt++ == 0;
        pthread_mutex_unlock(&R.lock);
        if (first)
            return reply(conn, 429, "{\"status\":\"error\",\"message\":\"You have reached your "
                         "ten_secondly_rolling limit.\",\"errorType\":\"RATE_LIMIT\",\"policyName\":"
                         "\"TEN_SECONDLY_ROLLING\",\"correlationId\":\"r-2\"}", "Retry-After", "2");
        return reply(conn, 200, "{\"status\":\"COMPLETE\",\"results\":[]}", NULL, NULL);
    }
    if (!strcmp(url, "/crm/v3/objects/contacts"))
        return reply(conn, 200, "{\"results\":[]}", NULL, NULL);
    if (!strncmp(url, "/slow", 5)) {
        usleep(1500 * 1000);
        return reply(conn, 200, "{\"slow\":true}", NULL, NULL);
    }
    return reply(conn, 404, "{\"status\":\"error\",\"message\":\"no route\",\"category\":"
                            "\"OBJECT_NOT_FOUND\",\"correlationId\":\"r-1\"}", NULL, NULL);
}

static int setup(void **state)
{
    if (getenv("RESP_LOG"))
        log_open(getenv("RESP_LOG"), LOG_DEBUG);
    memset(&R, 0, sizeof R);
    pthread_mutex_init(&R.lock, NULL);
    R.daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, NULL,
                                MHD_OPTION_SOCK_ADDR, NULL, MHD_OPTION_END);
    if (!R.daemon)
        return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(R.daemon, MHD_DAEMON_INFO_BIND_PORT);
    R.port = info->port;
    snprintf(R.base_url, sizeof R.base_url, "http://127.0.0.1:%d", R.port);
    return 0;
}

static int teardown(void **state)
{
    MHD_stop_daemon(R.daemon);
    pthread_mutex_destroy(&R.lock);
    return 0;
}

static hs_client *responder_client(int max_attempts)
{
    hs_client_opts o = {0};
    o.base_url = R.base_url;
    auth_init_static(&o.auth, "test-token-responder", "test");
    o.retry = retry_policy_default();
    o.retry.base_ms = 5;
    o.retry.cap_ms = 20;
    o.retry.max_attempts = max_attempts;
    o.max_in_flight = 4;
    ht_error err;
    hs_client *c = hs_client_new(&o, &err);
    assert_non_null(c);
    return c;
}

static captured get(hs_client *c, const char *path)
{
    captured cap = {0};
    hs_request r = {.method = "GET", .path = path, .prio = HS_PRIO_INTERACTIVE};
    hs_client_run(c, hs_submit(c, &r, apitest_capture, &cap));
    return cap;
}

static void test_malformed_json_is_a_parse_error(void **state)
{
    hs_client *c = responder_client(3);
    const char *paths[] = {"/bad-json", "/not-json", "/deep-json"};
    for (size_t i = 0; i < 3; i++) {
        captured cap = get(c, paths[i]);
        assert_int_equal(cap.calls, 1);
        assert_int_equal(cap.status, HT_PARSE);
        assert_int_equal(cap.http_status, 200);
        assert_null(cap.body);
        assert_non_null(strstr(cap.err.message, "malformed JSON"));
        assert_int_equal(cap.attempts, 1);   /* not retried: it would not change */
        apitest_reset(&cap);
    }
    captured cap = get(c, "/empty");
    assert_int_equal(cap.status, HT_OK);
    assert_null(cap.body);
    apitest_reset(&cap);
    cap = get(c, "/html-404");
    assert_int_equal(cap.status, HT_NOT_FOUND);
    assert_non_null(strstr(cap.err.message, "no such record"));
    apitest_reset(&cap);
    cap = get(c, "/nowhere");
    assert_int_equal(cap.status, HT_NOT_FOUND);
    assert_string_equal(cap.err.category, "OBJECT_NOT_FOUND");
    assert_string_equal(cap.err.correlation_id, "r-1");
    apitest_reset(&cap);
    hs_client_free(c);
}

static void test_truncated_body_is_retried_then_reported(void **state)
{
    hs_client *c = responder_client(3);
    captured cap = get(c, "/truncated");
    assert_int_equal(cap.calls, 1);
    assert_int_equal(cap.status, HT_NETWORK);
    assert_int_equal(cap.attempts, 3);
    assert_int_equal(R.hits_truncated, 3);
    assert_non_null(strstr(cap.err.message, "after 3 attempts"));
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.retries, 2);
    apitest_reset(&cap);
    hs_client_free(c);
}

static void test_retry_after_is_honoured(void **state)
{
    hs_client *c = responder_client(3);
    captured cap = get(c, "/retry-after");
    assert_int_equal(cap.status, HT_OK);
    assert_int_equal(cap.attempts, 2);
    assert_true(R.ok_after_429_at - R.first_429_at >= 950);
    apitest_reset(&cap);
    hs_client_free(c);
}

/* A 429 on a ten-secondly-exempt call (whatever it claims) makes that call
 * wait, not the portal: its window has nothing to do with it. */
static void test_exempt_429_holds_only_that_call(void **state)
{
    hs_client *c = responder_client(3);
    captured assoc = {0}, list = {0};
    hs_request a = {.method = "POST", .path = "/crm/v4/associations/contacts/companies/batch/read",
                    .prio = HS_PRIO_BACKGROUND};
    int64_t t0 = time_mono_ms();
    hs_submit(c, &a, apitest_capture, &assoc);
    while (R.hits_exempt == 0 && time_mono_ms() - t0 < 3000)
        hs_client_poll(c, NULL, 0, 20);
    hs_client_poll(c, NULL, 0, 20);   /* the 429 is in */
    assert_int_equal(R.hits_exempt, 1);
    assert_false(assoc.done);
    int64_t t1 = time_mono_ms();
    hs_request g = {.method = "GET", .path = "/crm/v3/objects/contacts", .prio = HS_PRIO_BACKGROUND};
    hs_client_run(c, hs_submit(c, &g, apitest_capture, &list));
    assert_int_equal(list.status, HT_OK);
    assert_true(time_mono_ms() - t1 < 1000);   /* not behind the 2 s Retry-After */
    assert_false(assoc.done);
    hs_client_run(c, 0);
    assert_int_equal(assoc.status, HT_OK);
    assert_int_equal(assoc.attempts, 2);
    assert_true(time_mono_ms() - t0 >= 1950);  /* it did wait as told */
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.requests_exempt, 2);
    assert_int_equal(st.responses_429, 1);
    apitest_reset(&assoc);
    apitest_reset(&list);
    hs_client_free(c);
}

/* The TUI's loop: a slow request in flight must not stop it seeing its
 * terminal; cancelling runs the callback at once, exactly once. */
static void test_poll_sees_extra_fds_and_cancel(void **state)
{
    hs_client *c = responder_client(3);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    captured cap = {0};
    hs_request r = {.method = "GET", .path = "/slow", .prio = HS_PRIO_INTERACTIVE};
    hs_call_id id = hs_submit(c, &r, apitest_capture, &cap);
    assert_false(cap.done);   /* never synchronously */

    struct pollfd term = {fds[0], POLLIN, 0};
    int64_t t0 = time_mono_ms();
    int ready = hs_client_poll(c, &term, 1, 100);
    assert_int_equal(ready, 0);
    assert_int_equal(term.revents, 0);
    assert_true(time_mono_ms() - t0 < 1000);
    assert_false(cap.done);

    assert_int_equal(write(fds[1], "k", 1), 1);   /* a key press */
    t0 = time_mono_ms();
    ready = hs_client_poll(c, &term, 1, 5000);
    assert_int_equal(ready, 1);
    assert_true(term.revents & POLLIN);
    assert_true(time_mono_ms() - t0 < 500);
    assert_false(cap.done);

    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.in_flight, 1);
    assert_true(hs_cancel(c, id));
    assert_int_equal(cap.calls, 1);
    assert_int_equal(cap.status, HT_CANCELLED);
    assert_false(hs_cancel(c, id));   /* already complete */
    hs_client_stats_get(c, &st);
    assert_int_equal(st.in_flight, 0);
    assert_false(hs_client_busy(c));
    /* Nothing more arrives for it. */
    hs_client_poll(c, NULL, 0, 50);
    assert_int_equal(cap.calls, 1);
    apitest_reset(&cap);

    /* Freeing the client with requests queued and in flight cancels them. */
    captured a = {0}, b = {0};
    hs_submit(c, &r, apitest_capture, &a);
    hs_client_poll(c, NULL, 0, 10);
    hs_submit(c, &r, apitest_capture, &b);
    hs_client_free(c);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.status, HT_CANCELLED);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.status, HT_CANCELLED);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_json_is_a_parse_error),
        cmocka_unit_test(test_truncated_body_is_retried_then_reported),
        cmocka_unit_test(test_retry_after_is_honoured),
        cmocka_unit_test(test_exempt_429_holds_only_that_call),
        cmocka_unit_test(test_poll_sees_extra_fds_and_cancel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
