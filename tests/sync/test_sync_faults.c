/* Sync through a faulty network — 5xx (some with HTML bodies), spurious
 * 429s, connection resets and truncated bodies on HubSpot's endpoints —
 * still ends with the cache equal to the server: backfill, incremental
 * after edits, and a full pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synctest.h"
#include "util.h"

static void test_faults_end_equal(void **state)
{
    static const char *const args[] = {
        "--contacts", "250", "--rate-limit", "2000/1000", "--seed", "9",
        "--faults", "5xx=0.06,429=0.04,reset=0.03,truncate=0.03", NULL,
    };
    synctest t;
    st_start(&t, args);
    st_sync_ok(&t, false);
    st_assert_equal(&t);

    size_t n;
    char **ids = st_server_ids(&t, "contacts", &n);
    for (size_t i = 0; i < 12; i++) {
        char props[96];
        snprintf(props, sizeof props, "{\"city\":\"Faulty %zu\"}", i);
        json_decref(st_edit(&t, "contacts", ids[i * 7 % n], props));
    }
    char path[96];
    snprintf(path, sizeof path, "/crm/v3/objects/contacts/%s", ids[1]);
    json_decref(st_api(&t, "DELETE", path, NULL, 204));
    st_sync_ok(&t, false);
    st_assert_equal(&t);

    snprintf(path, sizeof path, "{\"objectId\":\"%s\"}", ids[2]);
    json_decref(st_api(&t, "POST", "/crm/v3/objects/contacts/gdpr-delete", path, 204));
    st_sync_ok(&t, true);
    st_assert_equal(&t);

    /* The faults really happened. */
    json_t *stats = st_api(&t, "GET", "/_fakehub/stats", NULL, 0);
    json_t *faults = json_object_get(stats, "faults");
    int64_t total = 0;
    const char *k;
    json_t *v;
    json_object_foreach(faults, k, v)
        if (json_is_integer(v))
            total += json_integer_value(v);
    print_message("faults injected: %lld\n", (long long)total);
    assert_true(total >= 10);
    json_decref(stats);
    st_free_ids(ids, n);
    st_stop(&t);
}

/* A portal that refuses the token fails the sync with words for it. */
static void test_bad_token_fails_clearly(void **state)
{
    static const char *const args[] = {"--contacts", "20", NULL};
    synctest t;
    st_start(&t, args);
    portal_close(t.ps);
    portal_options po = {.config_path = t.config, .cache_dir = t.cache_dir, .portal = "t",
                         .token = "test-token-wrong"};
    ht_error err;
    assert_int_equal(portal_open(&po, &t.ps, &err), HT_OK);
    assert_int_equal(portal_connect(t.ps, &err), HT_OK);
    ht_status s = st_sync(&t, NULL, &err);
    assert_int_equal(s, HT_AUTH);
    assert_true(strlen(err.message) > 0);
    assert_null(strstr(err.message, "test-token-wrong"));
    st_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults_end_equal),
        cmocka_unit_test(test_bad_token_fails_clearly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
