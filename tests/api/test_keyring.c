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
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apitest.h"
#include "keyring.h"
#include "tmpdir.h"
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

/* HubSpot may answer a refresh with a new refresh token: when the old one
 * came from the Secret Service, the new one replaces it there, so the next
 * run signs in with a token that still works. */
static void test_rotated_refresh_token_is_stored(void **state)
{
    ht_error err;
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    unsetenv("HUBSPOT_CLIENT_SECRET");
    unsetenv("HUBSPOT_REFRESH_TOKEN");
    assert_int_equal(keyring_store("kr-rot", KEYRING_CLIENT_SECRET, "test-secret-rot", &err), HT_OK);
    assert_int_equal(keyring_store("kr-rot", KEYRING_REFRESH_TOKEN, "test-refresh-old", &err), HT_OK);
    config_portal p = {.name = "kr-rot", .oauth_client_id = "cid-rot"};
    auth a;
    if (auth_resolve(&a, &p, &err) != HT_OK)
        fail_msg("resolve: %s", err.message);
    assert_string_equal(a.refresh_token, "test-refresh-old");

    json_t *same = json_pack("{s:s, s:s, s:i}", "access_token", "test-access-1",
                             "refresh_token", "test-refresh-old", "expires_in", 1800);
    assert_int_equal(auth_apply_token_response(&a, 200, same, 1000, &err), HT_OK);
    json_decref(same);
    json_t *rotated = json_pack("{s:s, s:s, s:i}", "access_token", "test-access-2",
                                "refresh_token", "test-refresh-new", "expires_in", 1800);
    assert_int_equal(auth_apply_token_response(&a, 200, rotated, 2000, &err), HT_OK);
    json_decref(rotated);
    assert_string_equal(a.refresh_token, "test-refresh-new");
    auth_free(&a);

    char *stored = NULL;
    assert_int_equal(keyring_lookup("kr-rot", KEYRING_REFRESH_TOKEN, &stored, &err), HT_OK);
    assert_string_equal(stored, "test-refresh-new");
    str_free_secret(stored);

    /* A refresh token given through the environment is not the keyring's
     * to replace. */
    setenv("HUBSPOT_REFRESH_TOKEN", "test-refresh-env", 1);
    assert_int_equal(auth_resolve(&a, &p, &err), HT_OK);
    json_t *again = json_pack("{s:s, s:s}", "access_token", "test-access-3",
                              "refresh_token", "test-refresh-env2");
    assert_int_equal(auth_apply_token_response(&a, 200, again, 3000, &err), HT_OK);
    json_decref(again);
    auth_free(&a);
    unsetenv("HUBSPOT_REFRESH_TOKEN");
    assert_int_equal(keyring_lookup("kr-rot", KEYRING_REFRESH_TOKEN, &stored, &err), HT_OK);
    assert_string_equal(stored, "test-refresh-new");
    str_free_secret(stored);
    assert_int_equal(keyring_clear("kr-rot", KEYRING_REFRESH_TOKEN, &err), HT_OK);
    assert_int_equal(keyring_clear("kr-rot", KEYRING_CLIENT_SECRET, &err), HT_OK);
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

    char log_path[] = "/tmp/hubtui-login-log-XXXXXX";
    close(mkstemp(log_path));
    char *args = xasprintf("--log %s --portal kr-login login", log_path);
    rc = run_hubtui(fh.token, out, sizeof out, args);
    free(args);
    if (rc != 0)
        fail_msg("login failed: %s", out);
    /* The debug log saw the request, and never the token. */
    char *logged = tmpdir_read_file(log_path);
    assert_non_null(logged);
    unlink(log_path);
    assert_non_null(strstr(logged, "/account-info/v3/details"));
    assert_non_null(strstr(logged, "Authorization: ***"));
    assert_null(strstr(logged, fh.token));
    free(logged);
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
    assert_non_null(strstr(out, "Nothing was stored for portal 'kr-login'"));
    fakehub_stop(&fh);
}

/* On a terminal: a prompt, no echo of what is typed, and the token kept. */
static void test_login_on_a_terminal(void **state)
{
    fakehub fh;
    apitest_start(&fh, NULL);
    setenv("HUBTUI_BASE_URL", fh.base_url, 1);
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    write_config("[portal kr-tty]\n");
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(getenv("HUBTUI"), "hubtui", "--portal", "kr-tty", "login", (char *)NULL);
        _exit(127);
    }
    char out[4096];
    apitest_read_until(master, out, sizeof out, 0, "portal kr-tty: ", 10000);
    assert_non_null(strstr(out, "HubSpot private app token for portal kr-tty: "));
    char *line = xasprintf("%s\n", fh.token);
    assert_int_equal(write(master, line, strlen(line)), (ssize_t)strlen(line));
    free(line);
    apitest_read_until(master, out, sizeof out, 0, NULL, 10000);
    int status;
    waitpid(pid, &status, 0);
    close(master);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("login on a terminal failed: %s", out);
    assert_non_null(strstr(out, "Token accepted by HubSpot portal"));
    assert_null(strstr(out, fh.token));   /* never echoed */
    ht_error err;
    char *secret = NULL;
    assert_int_equal(keyring_lookup("kr-tty", KEYRING_ACCESS_TOKEN, &secret, &err), HT_OK);
    assert_string_equal(secret, fh.token);
    str_free_secret(secret);
    assert_int_equal(keyring_clear("kr-tty", KEYRING_ACCESS_TOKEN, &err), HT_OK);
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
        cmocka_unit_test(test_rotated_refresh_token_is_stored),
        cmocka_unit_test(test_login_logout),
        cmocka_unit_test(test_login_on_a_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
