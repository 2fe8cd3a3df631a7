/* The Secret Service for real: libsecret against a gnome-keyring-daemon in a
 * private D-Bus session (run through keyring-session.sh), then `hubtui login`
 * and `hubtui logout` end to end against fakehub. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apitest.h"
#include "keyring.h"
#include "util.h"

static void test_store_lookup_clear(void **state)
{
    ht_error err;
    char *secret = NULL;
    assert_int_equal(keyring_lookup("kr-a", KEYRING_ACCESS_TOKEN, &secret, &err), HT_NOT_FOUND);
    assert_null(secret);

    assert_int_equal(keyring_store("kr-a", KEYRING_ACCESS_TOKEN, "test-token-aaa", &err), HT_OK);
    assert_int_equal(keyring_store("kr-b", KEYRING_ACCESS_TOKEN, "test-token-bbb", &err), HT_OK);
    assert_int_equal(keyring_store("kr-a", KEYRING_REFRESH_TOKEN, "test-refresh-aaa", &err), HT_OK);

    assert_int_equal(keyring_lookup("kr-a", KEYRING_ACCESS_TOKEN, &secret, &err), HT_OK);
    assert_string_equal(secret, "test-token-aaa");
    str_free_secret(secret);
    assert_int_equal(keyring_lookup("kr-b", KEYRING_ACCESS_TOKEN, &secret, &err), HT_OK);
    assert_string_equal(secret, "test-token-bbb");
    str_free_secret(secret);
    assert_int_equal(keyring_lookup("kr-a", KEYRING_REFRESH_TOKEN, &secret, &err), HT_OK);
    assert_string_equal(secret, "test-refresh-aaa");
    str_free_secret(secret);

    /* Storing again replaces. */
    assert_int_equal(keyring_store("kr-a", KEYRING_ACCESS_TOKEN, "test-token-a2", &err), HT_OK);
    assert_int_equal(keyring_lookup("kr-a", KEYRING_ACCESS_TOKEN, &secret, &err), HT_OK);
    assert_string_equal(secret, "test-token-a2");
    str_free_secret(secret);

    assert_int_equal(keyring_clear("kr-a", KEYRING_ACCESS_TOKEN, &err), HT_OK);
    assert_int_equal(keyring_lookup("kr-a", KEYRING_ACCESS_TOKEN, &secret, &err), HT_NOT_FOUND);
    assert_non_null(strstr(err.message, "no private app token stored for portal kr-a"));
    assert_int_equal(keyring_clear("kr-a", KEYRING_ACCESS_TOKEN, &err), HT_NOT_FOUND);
    /* The other entries are untouched. */
    assert_int_equal(keyring_lookup("kr-b", KEYRING_ACCESS_TOKEN, &secret, &err), HT_OK);
    str_free_secret(secret);
    assert_int_equal(keyring_clear("kr-b", KEYRING_ACCESS_TOKEN, &err), HT_OK);
    assert_int_equal(keyring_clear("kr-a", KEYRING_REFRESH_TOKEN, &err), HT_OK);
}

static void test_resolve_from_keyring(void **state)
{
    ht_error err;
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    assert_int_equal(keyring_store("kr-c", KEYRING_ACCESS_TOKEN, "test-token-ccc", &err), HT_OK);
    config_portal p = {.name = "kr-c"};
    auth a;
    assert_int_equal(auth_resolve(&a, &p, &err), HT_OK);
    assert_string_equal(a.access_token, "test-token-ccc");
    assert_string_equal(a.source, "the Secret Service");
    auth_free(&a);
    /* The environment still wins over the keyring. */
    setenv("HUBSPOT_ACCESS_TOKEN", "test-token-env", 1);
    assert_int_equal(auth_resolve(&a, &p, &err), HT_OK);
    assert_string_equal(a.access_token, "test-token-env");
    auth_free(&a);
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    assert_int_equal(keyring_clear("kr-c", KEYRING_ACCESS_TOKEN, &err), HT_OK);
    p.name = "kr-none";
    assert_int_equal(auth_resolve(&a, &p, &err), HT_AUTH);
    assert_non_null(strstr(err.message, "hubtui login"));
}

/* Run `hubtui ARGS` with input on stdin; returns the exit status and the
 * combined output in out. */
static int run_hubtui(const char *input, char *out, size_t cap, const char *args)
{
    char *cmd = xasprintf("printf '%%s\\n' '%s' | \"%s\" %s 2>&1", input, getenv("HUBTUI"), args);
    FILE *fp = popen(cmd, "r");
    free(cmd);
    assert_non_null(fp);
    size_t n = fread(out, 1, cap - 1, fp);
    out[n] = '\0';
    int status = pclose(fp);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_config(const char *text)
{
    char *dir = xasprintf("%s/hubtui", getenv("XDG_CONFIG_HOME"));
    mkdir(dir, 0700);
    char *path = xasprintf("%s/config", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    free(path);
    free(dir);
}

static void test_login_logout(void **state)
{
    fakehub fh;
    apitest_start(&fh, NULL);
    setenv("HUBTUI_BASE_URL", fh.base_url, 1);
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    write_config("[portal kr-login]\napp_type = private\n");
    char out[4096];

    /* A token the portal refuses is not stored. */
    int rc = run_hubtui("test-token-wrong", out, sizeof out, "--portal kr-login login");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "not stored"));
    assert_null(strstr(out, "test-token-wrong"));
    ht_error err;
    char *secret = NULL;
    assert_int_equal(keyring_lookup("kr-login", KEYRING_ACCESS_TOKEN, &secret, &err), HT_NOT_FOUND);

    rc = run_hubtui(fh.token, out, sizeof out, "--portal kr-login login");
    if (rc != 0)
        fail_msg("login failed: %s", out);
    assert_non_null(strstr(out, "Token accepted by HubSpot portal"));
    assert_null(strstr(out, fh.token));
    assert_int_equal(keyring_lookup("kr-login", KEYRING_ACCESS_TOKEN, &secret, &err), HT_OK);
    assert_string_equal(secret, fh.token);
    str_free_secret(secret);

    /* The stored token is what a client of that portal now uses. */
    config cfg;
    config_parse_string("[portal kr-login]\n", "cfg", &cfg);
    hs_client *c = hs_client_open(&cfg, "kr-login", NULL, &err);
    if (!c)
        fail_msg("client of kr-login: %s", err.message);
    assert_string_equal(hs_client_token_source(c), "the Secret Service");
    captured cap = {0};
    apitest_run(c, hs_account_details(c, HS_PRIO_NORMAL, apitest_capture, &cap), &cap);
    assert_int_equal(cap.status, HT_OK);
    apitest_reset(&cap);
    hs_client_free(c);
    config_free(&cfg);

    rc = run_hubtui("", out, sizeof out, "--portal kr-login logout");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Removed"));
    assert_int_equal(keyring_lookup("kr-login", KEYRING_ACCESS_TOKEN, &secret, &err), HT_NOT_FOUND);
    rc = run_hubtui("", out, sizeof out, "--portal kr-login logout");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "No token was stored"));
    fakehub_stop(&fh);
}

int main(void)
{
    if (!getenv("DBUS_SESSION_BUS_ADDRESS")) {
        fprintf(stderr, "SKIP: run through keyring-session.sh (needs a private D-Bus session)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_lookup_clear),
        cmocka_unit_test(test_resolve_from_keyring),
        cmocka_unit_test(test_login_logout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
