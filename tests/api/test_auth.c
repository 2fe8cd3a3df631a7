/* Unit tests of token sources, OAuth token handling and the URL policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http.h"
#include "log.h"
#include "util.h"

static void clear_env(void)
{
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    unsetenv("HUBSPOT_CLIENT_SECRET");
    unsetenv("HUBSPOT_REFRESH_TOKEN");
    /* No session bus: the Secret Service is unreachable. */
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    setenv("XDG_RUNTIME_DIR", "/nonexistent-hubtui-test", 1);
}

static void test_command_first_line(void **state)
{
    char *out;
    ht_error err;
    assert_int_equal(auth_run_command("printf '  test-token-abc  \\nsecond line\\n'", 5000, &out, &err), HT_OK);
    assert_string_equal(out, "test-token-abc");
    str_free_secret(out);
    /* No trailing newline is fine too. */
    assert_int_equal(auth_run_command("printf test-token-x", 5000, &out, &err), HT_OK);
    assert_string_equal(out, "test-token-x");
    str_free_secret(out);
}

static void test_command_failures(void **state)
{
    char *out;
    ht_error err;
    assert_int_equal(auth_run_command("echo test-token-y; exit 3", 5000, &out, &err), HT_AUTH);
    assert_null(out);
    assert_non_null(strstr(err.message, "exit status 3"));
    assert_int_equal(auth_run_command("true", 5000, &out, &err), HT_AUTH);
    assert_non_null(strstr(err.message, "printed no token"));
    int64_t t0 = time_mono_ms();
    assert_int_equal(auth_run_command("exec sleep 10", 300, &out, &err), HT_TIMEOUT);
    assert_true(time_mono_ms() - t0 < 3000);
    /* A helper left running with our stdout must not hold us up. */
    t0 = time_mono_ms();
    assert_int_equal(auth_run_command("(sleep 5 2>/dev/null &) ; echo test-token-z", 8000, &out, &err), HT_OK);
    assert_string_equal(out, "test-token-z");
    assert_true(time_mono_ms() - t0 < 3000);
    str_free_secret(out);
}

static void test_resolve_order(void **state)
{
    clear_env();
    config_portal p = {.name = "acme", .token_command = "echo test-token-from-command"};
    auth a;
    ht_error err;
    setenv("HUBSPOT_ACCESS_TOKEN", "test-token-from-env", 1);
    assert_int_equal(auth_resolve(&a, &p, &err), HT_OK);
    assert_int_equal(a.kind, AUTH_STATIC);
    assert_string_equal(a.access_token, "test-token-from-env");
    assert_string_equal(a.source, "HUBSPOT_ACCESS_TOKEN");
    auth_free(&a);

    unsetenv("HUBSPOT_ACCESS_TOKEN");
    assert_int_equal(auth_resolve(&a, &p, &err), HT_OK);
    assert_string_equal(a.access_token, "test-token-from-command");
    assert_string_equal(a.source, "token_command");
    auth_free(&a);
}

static void test_no_keyring_is_one_clear_line(void **state)
{
    clear_env();
    config_portal p = {.name = "acme"};
    auth a;
    ht_error err;
    int64_t t0 = time_mono_ms();
    assert_int_equal(auth_resolve(&a, &p, &err), HT_NO_KEYRING);
    assert_true(time_mono_ms() - t0 < 2000);   /* fails fast, no D-Bus autolaunch */
    assert_null(strchr(err.message, '\n'));
    assert_non_null(strstr(err.message, "Secret Service"));
    assert_non_null(strstr(err.message, "HUBSPOT_ACCESS_TOKEN"));
    assert_non_null(strstr(err.message, "token_command"));
    assert_non_null(strstr(err.message, "[portal acme]"));
    assert_non_null(strstr(err.message, "set HUBSPOT_ACCESS_TOKEN or add token_command"));
}

static void test_resolve_oauth(void **state)
{
    clear_env();
    config_portal p = {
        .name = "app", .oauth_client_id = "client-1",
        .oauth_client_secret_command = "echo test-secret-1",
    };
    auth a;
    ht_error err;
    setenv("HUBSPOT_REFRESH_TOKEN", "test-refresh-1", 1);
    assert_int_equal(auth_resolve(&a, &p, &err), HT_OK);
    assert_int_equal(a.kind, AUTH_OAUTH);
    assert_string_equal(a.client_id, "client-1");
    assert_string_equal(a.client_secret, "test-secret-1");
    assert_string_equal(a.refresh_token, "test-refresh-1");
    assert_null(a.access_token);
    assert_true(auth_needs_refresh(&a, 0));
    auth_free(&a);

    unsetenv("HUBSPOT_REFRESH_TOKEN");
    assert_int_equal(auth_resolve(&a, &p, &err), HT_NO_KEYRING);
    assert_non_null(strstr(err.message, "HUBSPOT_REFRESH_TOKEN"));
}

static void test_token_response(void **state)
{
    auth a;
    auth_init_oauth(&a, "client-1", "test-secret-1", "test-refresh-1", NULL);
    unsigned gen = a.generation;
    json_t *ok = json_loads("{\"token_type\":\"bearer\",\"access_token\":\"test-access-1\","
                            "\"expires_in\":1800,\"token_use\":\"access_token\"}", 0, NULL);
    ht_error err;
    assert_int_equal(auth_apply_token_response(&a, 200, ok, 1000000, &err), HT_OK);
    assert_string_equal(a.access_token, "test-access-1");
    assert_string_equal(a.refresh_token, "test-refresh-1");   /* kept */
    assert_int_equal(a.expires_at, 1000000 + 1800000);
    assert_true(a.generation > gen);
    /* Refresh 60 s before expiry, not earlier. */
    assert_false(auth_needs_refresh(&a, 1000000 + 1800000 - 60001));
    assert_true(auth_needs_refresh(&a, 1000000 + 1800000 - 60000));
    json_decref(ok);

    /* Short lifetimes refresh at four fifths. */
    ok = json_loads("{\"access_token\":\"test-access-2\",\"refresh_token\":\"test-refresh-2\","
                    "\"expires_in\":5}", 0, NULL);
    assert_int_equal(auth_apply_token_response(&a, 200, ok, 0, &err), HT_OK);
    assert_string_equal(a.refresh_token, "test-refresh-2");
    assert_false(auth_needs_refresh(&a, 3999));
    assert_true(auth_needs_refresh(&a, 4000));
    json_decref(ok);

    json_t *bad = json_loads("{\"status\":\"BAD_REFRESH_TOKEN\",\"message\":\"missing or unknown "
                             "refresh token\",\"correlationId\":\"c-9\"}", 0, NULL);
    assert_int_equal(auth_apply_token_response(&a, 400, bad, 0, &err), HT_AUTH);
    assert_string_equal(err.category, "BAD_REFRESH_TOKEN");
    assert_non_null(strstr(err.message, "OAuth token refresh failed"));
    assert_non_null(strstr(err.message, "sign in again with 'hubtui login --oauth'"));
    assert_string_equal(a.access_token, "test-access-2");   /* unchanged */
    json_decref(bad);

    json_t *empty = json_loads("{\"expires_in\":5}", 0, NULL);
    assert_int_equal(auth_apply_token_response(&a, 200, empty, 0, &err), HT_PARSE);
    json_decref(empty);

    char *form = auth_refresh_form(&a);
    assert_string_equal(form, "grant_type=refresh_token&client_id=client-1&client_secret="
                              "test-secret-1&refresh_token=test-refresh-2");
    str_free_secret(form);
    form = auth_code_form(&a, "code/1", "http://localhost:9/cb", NULL);
    assert_string_equal(form, "grant_type=authorization_code&client_id=client-1&client_secret="
                              "test-secret-1&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb&code=code%2F1");
    str_free_secret(form);
    auth_free(&a);

    auth s;
    auth_init_static(&s, "test-token-s", "test");
    assert_false(auth_needs_refresh(&s, INT64_MAX));
    auth_free(&s);
}

static void test_authorize_url(void **state)
{
    char *url = auth_authorize_url("app 1", "crm.objects.contacts.read,  tickets ,oauth",
                                   "http://localhost:9/cb?x=1", "s123");
    assert_string_equal(url, "https://app.hubspot.com/oauth/authorize?client_id=app%201"
                             "&scope=crm.objects.contacts.read%20tickets%20oauth"
                             "&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb%3Fx%3D1&state=s123");
    free(url);
    /* Defaults: HubSpot's own scopes list and the built-in redirect. */
    url = auth_authorize_url("c", NULL, NULL, NULL);
    assert_true(str_starts_with(url, AUTH_AUTHORIZE_URL "?client_id=c&scope=oauth%20crm.objects."
                                     "contacts.read%20"));
    assert_non_null(strstr(url, "&redirect_uri=http%3A%2F%2Flocalhost%2Fhubtui%2Foauth"));
    assert_null(strstr(url, "state="));
    assert_null(strstr(url, "%20%20"));
    free(url);
}

static void test_code_from_paste(void **state)
{
    char *code = NULL;
    ht_error err;
    /* A bare code, with the spaces a paste brings along. */
    assert_int_equal(auth_code_from_paste("  na1-code-1 \r\n", "st", &code, &err), HT_OK);
    assert_string_equal(code, "na1-code-1");
    str_free_secret(code);
    /* The redirected address: code= decoded, the state checked. */
    assert_int_equal(auth_code_from_paste("http://localhost/cb?state=st&code=a%2Fb+c#frag", "st",
                                          &code, &err), HT_OK);
    assert_string_equal(code, "a/b c");
    str_free_secret(code);
    /* Only the query part, and no state in it: still taken. */
    assert_int_equal(auth_code_from_paste("code=c-2", "st", &code, &err), HT_OK);
    assert_string_equal(code, "c-2");
    str_free_secret(code);
    /* Another sign-in's address. */
    assert_int_equal(auth_code_from_paste("http://localhost/cb?code=c-3&state=other", "st", &code,
                                          &err), HT_AUTH);
    assert_null(code);
    assert_non_null(strstr(err.message, "state does not match"));
    /* Consent refused. */
    assert_int_equal(auth_code_from_paste("http://localhost/cb?error=access_denied&"
                                          "error_description=User%20said%20no&state=st", "st",
                                          &code, &err), HT_AUTH);
    assert_null(code);
    assert_non_null(strstr(err.message, "did not authorize the app: access_denied: User said no"));
    /* No code at all. */
    assert_int_equal(auth_code_from_paste("http://localhost/cb?state=st", "st", &code, &err),
                     HT_INVALID);
    assert_non_null(strstr(err.message, "no code="));
    assert_int_equal(auth_code_from_paste("   ", "st", &code, &err), HT_INVALID);
    assert_int_equal(auth_code_from_paste(NULL, "st", &code, &err), HT_INVALID);
    assert_int_equal(auth_code_from_paste("two words", "st", &code, &err), HT_INVALID);
    assert_null(code);
    /* The code is masked in everything logged from now on. */
    assert_int_equal(auth_code_from_paste("test-code-masked", NULL, &code, &err), HT_OK);
    char line[] = "exchanging test-code-masked now";
    log_redact_inplace(line);
    assert_null(strstr(line, "test-code-masked"));
    str_free_secret(code);
}

static void test_url_policy(void **state)
{
    const char *allowed[] = {
        "https://api.hubapi.com", "https://api.hubapi.com/crm/v3/objects/contacts?limit=1",
        "http://127.0.0.1:8080", "http://127.9.8.7/x", "http://localhost:1/",
        "HTTP://LOCALHOST", "http://[::1]:9000/crm",
    };
    const char *refused[] = {
        "http://api.hubapi.com", "http://10.0.0.1:80", "http://192.0.2.1/",
        "http://127.0.0.1.nip.io/", "http://localhost.example.com/", "http://[::2]/",
        "ftp://127.0.0.1/", "file:///etc/passwd", "not a url", "",
    };
    ht_error err;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        if (!http_url_allowed(allowed[i], &err))
            fail_msg("refused %s: %s", allowed[i], err.message);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (http_url_allowed(refused[i], &err))
            fail_msg("allowed %s", refused[i]);
        assert_int_equal(err.status, HT_INVALID);
    }
    assert_true(!http_url_allowed("http://example.com", &err));
    assert_non_null(strstr(err.message, "loopback"));
}

static void test_escape(void **state)
{
    strbuf sb = {0};
    http_escape(&sb, "ann@x.io/a b&c=d~._-\xc3\xa9");
    assert_string_equal(strbuf_str(&sb), "ann%40x.io%2Fa%20b%26c%3Dd~._-%C3%A9");
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_first_line),
        cmocka_unit_test(test_command_failures),
        cmocka_unit_test(test_resolve_order),
        cmocka_unit_test(test_no_keyring_is_one_clear_line),
        cmocka_unit_test(test_resolve_oauth),
        cmocka_unit_test(test_token_response),
        cmocka_unit_test(test_authorize_url),
        cmocka_unit_test(test_code_from_paste),
        cmocka_unit_test(test_url_policy),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
