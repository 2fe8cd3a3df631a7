/* Unit tests of the retry policy and the full-jitter backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "retry.h"

static retry_input response(int status)
{
    return (retry_input){.outcome = XFER_OK, .http_status = status, .idempotent = true, .attempt = 1};
}

static void test_backoff_full_jitter_bounds(void **state)
{
    retry_policy p = retry_policy_default();
    uint64_t rng = 7;
    for (int attempt = 1; attempt <= 10; attempt++) {
        int64_t ceiling = (int64_t)p.base_ms << (attempt - 1);
        if (ceiling > p.cap_ms)
            ceiling = p.cap_ms;
        int64_t lo = INT64_MAX, hi = -1;
        for (int i = 0; i < 2000; i++) {
            int64_t d = retry_backoff_ms(&p, attempt, &rng);
            assert_true(d >= 0 && d <= ceiling);
            if (d < lo)
                lo = d;
            if (d > hi)
                hi = d;
        }
        /* Full jitter spreads over the whole range, not near the ceiling. */
        assert_true(lo < ceiling / 10 + 1);
        assert_true(hi > ceiling * 9 / 10);
    }
}

static void test_final_statuses(void **state)
{
    retry_policy p = retry_policy_default();
    uint64_t rng = 1;
    struct { int status; retry_action action; ht_status st; } cases[] = {
        {200, RETRY_DONE, HT_OK},
        {201, RETRY_DONE, HT_OK},
        {204, RETRY_DONE, HT_OK},
        {207, RETRY_DONE, HT_OK},
        {400, RETRY_FAIL, HT_INVALID},
        {401, RETRY_FAIL, HT_AUTH},
        {403, RETRY_FAIL, HT_FORBIDDEN},
        {404, RETRY_FAIL, HT_NOT_FOUND},
        {409, RETRY_FAIL, HT_CONFLICT},
        {415, RETRY_FAIL, HT_INVALID},
        {302, RETRY_FAIL, HT_HTTP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        retry_input in = response(cases[i].status);
        retry_decision d = retry_decide(&p, &in, &rng);
        assert_int_equal(d.action, cases[i].action);
        assert_int_equal(d.status, cases[i].st);
        assert_false(d.maybe_applied);
    }
}

static void test_oauth_refreshes_once(void **state)
{
    retry_policy p = retry_policy_default();
    uint64_t rng = 1;
    retry_input in = response(401);
    in.oauth = true;
    assert_int_equal(retry_decide(&p, &in, &rng).action, RETRY_REFRESH_AUTH);
    in.auth_retried = true;
    retry_decision d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_FAIL);
    assert_int_equal(d.status, HT_AUTH);
}

static void test_transient_retries_are_bounded(void **state)
{
    retry_policy p = retry_policy_default();
    uint64_t rng = 3;
    int statuses[] = {500, 502, 503, 504, 520, 423, 477, 408};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        retry_input in = response(statuses[i]);
        for (in.attempt = 1; in.attempt < p.max_attempts; in.attempt++) {
            retry_decision d = retry_decide(&p, &in, &rng);
            assert_int_equal(d.action, RETRY_AGAIN);
            if (statuses[i] == 423)
                assert_true(d.delay_ms >= p.locked_wait_ms);
        }
        retry_decision d = retry_decide(&p, &in, &rng);
        assert_int_equal(d.action, RETRY_FAIL);
        assert_int_equal(d.status, HT_HTTP);
    }
    xfer_outcome outcomes[] = {XFER_CONNECT, XFER_TIMEOUT, XFER_DROPPED, XFER_TRUNCATED};
    ht_status finals[] = {HT_NETWORK, HT_TIMEOUT, HT_NETWORK, HT_NETWORK};
    for (size_t i = 0; i < 4; i++) {
        retry_input in = {.outcome = outcomes[i], .idempotent = true, .attempt = 1};
        assert_int_equal(retry_decide(&p, &in, &rng).action, RETRY_AGAIN);
        in.attempt = p.max_attempts;
        retry_decision d = retry_decide(&p, &in, &rng);
        assert_int_equal(d.action, RETRY_FAIL);
        assert_int_equal(d.status, finals[i]);
    }
    retry_input fatal = {.outcome = XFER_FATAL, .idempotent = true, .attempt = 1};
    retry_decision d = retry_decide(&p, &fatal, &rng);
    assert_int_equal(d.action, RETRY_FAIL);
    assert_int_equal(d.status, HT_NETWORK);
}

static void test_non_idempotent_never_repeats_blindly(void **state)
{
    retry_policy p = retry_policy_default();
    uint64_t rng = 5;
    retry_input in = response(500);
    in.idempotent = false;
    retry_decision d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_FAIL);
    assert_true(d.maybe_applied);

    in = (retry_input){.outcome = XFER_DROPPED, .attempt = 1};
    d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_FAIL);
    assert_true(d.maybe_applied);

    /* Nothing reached the server, or it refused before acting: safe. */
    in = (retry_input){.outcome = XFER_CONNECT, .attempt = 1};
    assert_int_equal(retry_decide(&p, &in, &rng).action, RETRY_AGAIN);
    in = response(423);
    in.idempotent = false;
    assert_int_equal(retry_decide(&p, &in, &rng).action, RETRY_AGAIN);
    in = response(503);   /* may come after the write was applied */
    in.idempotent = false;
    d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_FAIL);
    assert_true(d.maybe_applied);
    in = response(429);
    in.idempotent = false;
    assert_int_equal(retry_decide(&p, &in, &rng).action, RETRY_RATE_WAIT);
}

static void test_rate_limit_policies(void **state)
{
    retry_policy p = retry_policy_default();
    uint64_t rng = 9;
    retry_input in = response(429);
    in.policy = retry_policy_from_name("TEN_SECONDLY_ROLLING");
    in.window_wait_ms = 3200;
    retry_decision d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_RATE_WAIT);
    assert_true(d.delay_ms >= 3200 && d.delay_ms < 3300);

    in.window_wait_ms = 0;   /* our window is empty: someone else filled it */
    d = retry_decide(&p, &in, &rng);
    assert_true(d.delay_ms >= 1000 && d.delay_ms < 1100);

    in.policy = retry_policy_from_name("secondly");
    in.window_wait_ms = 9000;
    d = retry_decide(&p, &in, &rng);
    assert_true(d.delay_ms >= 1000 && d.delay_ms < 1100);

    in.has_retry_after = true;
    in.retry_after_ms = 5000;
    d = retry_decide(&p, &in, &rng);
    assert_true(d.delay_ms >= 5000 && d.delay_ms < 5050);
    in.retry_after_ms = 200;   /* shorter than the window guess: still honoured */
    in.policy = RATE_POLICY_ROLLING;
    in.window_wait_ms = 9000;
    d = retry_decide(&p, &in, &rng);
    assert_true(d.delay_ms >= 200 && d.delay_ms < 250);
    in.has_retry_after = false;

    in.policy = retry_policy_from_name("DAILY");
    d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_DAILY_STOP);
    assert_int_equal(d.status, HT_RATE_LIMIT);

    in.policy = RATE_POLICY_ROLLING;
    in.rate_waits = p.max_rate_waits;
    d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_FAIL);
    assert_int_equal(d.status, HT_RATE_LIMIT);

    assert_int_equal(retry_policy_from_name(NULL), RATE_POLICY_UNKNOWN);
    assert_int_equal(retry_policy_from_name("HOURLY"), RATE_POLICY_UNKNOWN);
}

static void test_retry_after_stretches_backoff(void **state)
{
    retry_policy p = retry_policy_default();
    uint64_t rng = 11;
    retry_input in = response(503);
    in.has_retry_after = true;
    in.retry_after_ms = 20000;
    retry_decision d = retry_decide(&p, &in, &rng);
    assert_int_equal(d.action, RETRY_AGAIN);
    assert_int_equal(d.delay_ms, 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_full_jitter_bounds),
        cmocka_unit_test(test_final_statuses),
        cmocka_unit_test(test_oauth_refreshes_once),
        cmocka_unit_test(test_transient_retries_are_bounded),
        cmocka_unit_test(test_non_idempotent_never_repeats_blindly),
        cmocka_unit_test(test_rate_limit_policies),
        cmocka_unit_test(test_retry_after_stretches_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
