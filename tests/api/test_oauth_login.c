/* `hubtui login --oauth` end to end: fakehub's OAuth endpoints over HTTP on
 * loopback, a real gnome-keyring-daemon in a private D-Bus session (run
 * through keyring-session.sh), and the hubtui binary as a person or a
 * script would run it. The tests run in order and build on each other: sign
 * in, use the stored sign-in, let tokens expire, sign out; the last one
 * reads back every debug log line and every file written for secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apitest.h"
#include "keyring.h"
#include "tmpdir.h"
#include "util.h"

#define CLIENT_ID     "test-client-77"
#define CLIENT_SECRET "test-csecret-5d1e0c"
#define TOKEN_TTL_S   4
#define CFG_REDIRECT  "http://localhost:9/hubtui-cb"

static fakehub FH;
static char log_path[] = "/tmp/hubtui-oauth-log-XXXXXX";
/* Every credential seen, to look for afterwards in logs and files. */
static char *seen[32];
static size_t n_seen;

static void remember(const char *secret)
{
    if (!str_empty(secret) && n_seen < ARRAY_SIZE(seen))
        seen[n_seen++] = xstrdup(secret);
}

static void write_config(void)
{
    char *dir = xasprintf("%s/hubtui", getenv("XDG_CONFIG_HOME"));
    mkdir(dir, 0700);
    char *path = xasprintf("%s/config", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    /* oa-paste: nothing configured, the client id is asked for and kept in
     * the keyring. oa-cfg: an OAuth portal by its config, with its own
     * redirect address and scopes. */
    fputs("default_portal = oa-paste\n"
          "[portal oa-paste]\n"
          "[portal oa-wrong]\n"
          "[portal oa-none]\n"
          "[portal oa-cfg]\n"
          "oauth_client_id = " CLIENT_ID "\n"
          "oauth_redirect_uri = " CFG_REDIRECT "\n"
          "oauth_scopes = crm.objects.contacts.read, crm.objects.contacts.write\n", fp);
    fclose(fp);
    free(path);
    free(dir);
}

static int setup(void **state)
{
    const char *args[] = {"--contacts", "30", "--seed", "5", "--rate-limit", "off",
                          "--oauth-client", CLIENT_ID ":" CLIENT_SECRET,
                          "--token-ttl", "4", NULL};
    apitest_start(&FH, args);
    setenv("HUBTUI_BASE_URL", FH.base_url, 1);
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    unsetenv("HUBSPOT_CLIENT_SECRET");
    unsetenv("HUBSPOT_REFRESH_TOKEN");
    int fd = mkstemp(log_path);
    if (fd < 0)
        return -1;
    close(fd);
    write_config();
    return 0;
}

static int teardown(void **state)
{
    fakehub_stop(&FH);
    unlink(log_path);
    for (size_t i = 0; i < n_seen; i++)
        free(seen[i]);
    return 0;
}

/* A fresh authorization code from fakehub's consent stand-in. */
static char *mint_code(const char *redirect_uri)
{
    json_t *req = json_object();
    if (redirect_uri)
        json_object_set_new(req, "redirect_uri", json_string(redirect_uri));
    char *body = json_dumps(req, 0);
    json_decref(req);
    long status = 0;
    json_t *res = fakehub_json(&FH, "POST", "/_fakehub/oauth/code", body, &status);
    free(body);
    assert_int_equal(status, 200);
    char *code = xstrdup(json_string_value(json_object_get(res, "code")));
    json_decref(res);
    remember(code);
    return code;
}

/* Run `[env] hubtui --log LOG args` with lines on stdin (one a line);
 * returns the exit status and the combined output in out. */
static int run_hubtui(const char *env, const char *const *lines, char *out, size_t cap,
                      const char *args)
{
    strbuf cmd = {0};
    strbuf_puts(&cmd, "printf '%s\\n'");
    for (size_t i = 0; lines && lines[i]; i++)
        strbuf_printf(&cmd, " '%s'", lines[i]);
    if (!lines || !lines[0])
        strbuf_puts(&cmd, " ''");
    strbuf_printf(&cmd, " | %s \"%s\" --log %s %s 2>&1", env ? env : "", getenv("HUBTUI"),
                  log_path, args);
    FILE *fp = popen(strbuf_str(&cmd), "r");
    strbuf_free(&cmd);
    assert_non_null(fp);
    size_t n = fread(out, 1, cap - 1, fp);
    out[n] = '\0';
    int status = pclose(fp);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The stored secret of (portal, kind), or NULL when none (caller frees). */
static char *stored(const char *portal, keyring_kind kind)
{
    char *secret = NULL;
    ht_error err;
    ht_status st = keyring_lookup(portal, kind, &secret, &err);
    if (st != HT_OK && st != HT_NOT_FOUND)
        fail_msg("keyring lookup: %s", err.message);
    return secret;
}

static void assert_nothing_stored(const char *portal)
{
    for (int k = 0; k < KEYRING_KIND_COUNT; k++) {
        char *s = stored(portal, (keyring_kind)k);
        if (s)
            fail_msg("portal %s still has a %s", portal, keyring_kind_words((keyring_kind)k));
    }
}

static long fakehub_count(const char *status_code)
{
    long http = 0;
    json_t *stats = fakehub_json(&FH, "GET", "/_fakehub/stats", NULL, &http);
    assert_int_equal(http, 200);
    long n = (long)json_integer_value(json_object_get(json_object_get(stats, "byStatus"),
                                                      status_code));
    json_decref(stats);
    return n;
}

/* A script signs in: client id, secret and the bare code on stdin. A
 * private-app token stored earlier for the portal gives way. */
static void test_login_with_pasted_code(void **state)
{
    ht_error err;
    assert_int_equal(keyring_store("oa-paste", KEYRING_ACCESS_TOKEN, "test-stale-token-1", &err),
                     HT_OK);
    char *code = mint_code(NULL);
    const char *lines[] = {CLIENT_ID, CLIENT_SECRET, code, NULL};
    char out[8192];
    int rc = run_hubtui(NULL, lines, out, sizeof out, "--portal oa-paste login --oauth");
    if (rc != 0)
        fail_msg("login --oauth failed: %s", out);
    /* The consent address names the app, the default redirect and a state. */
    assert_non_null(strstr(out, "https://app.hubspot.com/oauth/authorize?client_id=" CLIENT_ID
                                "&scope=oauth%20crm.objects.contacts.read"));
    assert_non_null(strstr(out, "&redirect_uri=http%3A%2F%2Flocalhost%2Fhubtui%2Foauth&state="));
    assert_non_null(strstr(out, "Signed in to HubSpot portal 4242"));
    assert_non_null(strstr(out, "Removed what the earlier sign-in left (private app token)"));
    assert_null(strstr(out, CLIENT_SECRET));
    assert_null(strstr(out, code));

    char *refresh = stored("oa-paste", KEYRING_REFRESH_TOKEN);
    assert_non_null(refresh);
    assert_true(str_starts_with(refresh, "na1-"));   /* fakehub's refresh tokens */
    remember(refresh);
    assert_null(strstr(out, refresh));
    str_free_secret(refresh);
    char *secret = stored("oa-paste", KEYRING_CLIENT_SECRET);
    assert_string_equal(secret, CLIENT_SECRET);
    str_free_secret(secret);
    char *id = stored("oa-paste", KEYRING_CLIENT_ID);
    assert_string_equal(id, CLIENT_ID);
    free(id);
    assert_null(stored("oa-paste", KEYRING_ACCESS_TOKEN));
    free(code);
}

/* Later commands find the stored sign-in and refresh for an access token:
 * no token in the environment. */
static void test_later_commands_refresh(void **state)
{
    char out[8192];
    int rc = run_hubtui(NULL, NULL, out, sizeof out, "--portal oa-paste sync -q contacts");
    if (rc != 0)
        fail_msg("sync with the stored sign-in failed: %s", out);

    /* The same, in process: the client is an OAuth client whose first
     * request waits for a refresh, and which refreshes again shortly before
     * the short-lived token expires rather than after a 401. */
    config cfg;
    ht_error err;
    assert_int_equal(config_load(NULL, &cfg, &err), HT_OK);
    hs_client *c = hs_client_open(&cfg, "oa-paste", NULL, &err);
    if (!c)
        fail_msg("client of oa-paste: %s", err.message);
    assert_int_equal(hs_client_auth(c)->kind, AUTH_OAUTH);
    captured cap = {0};
    apitest_run(c, hs_account_details(c, HS_PRIO_NORMAL, apitest_capture, &cap), &cap);
    if (cap.status != HT_OK)
        fail_msg("account details: %s", cap.err.message);
    apitest_reset(&cap);
    remember(hs_client_auth(c)->access_token);
    hs_client_stats st;
    hs_client_stats_get(c, &st);
    assert_int_equal(st.refreshes, 1);
    long before = fakehub_count("401");
    sleep(TOKEN_TTL_S);
    apitest_run(c, hs_account_details(c, HS_PRIO_NORMAL, apitest_capture, &cap), &cap);
    assert_int_equal(cap.status, HT_OK);
    assert_int_equal(cap.attempts, 1);
    apitest_reset(&cap);
    hs_client_stats_get(c, &st);
    assert_int_equal(st.refreshes, 2);
    assert_int_equal(fakehub_count("401"), before);
    remember(hs_client_auth(c)->access_token);
    hs_client_free(c);
    config_free(&cfg);
}

/* Read from fd into out until it holds want (or EOF/timeout). */
static void type_line(int fd, const char *text)
{
    char *line = xasprintf("%s\n", text);
    assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
    free(line);
}

/* A person on a terminal, on a portal that is OAuth by its config: no
 * client id asked, the secret not echoed, the configured redirect and
 * scopes in the address, and the whole redirected address pasted back. */
static void test_login_on_a_terminal(void **state)
{
    char *code = mint_code(CFG_REDIRECT);
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(getenv("HUBTUI"), "hubtui", "--log", log_path, "--portal", "oa-cfg", "login",
              (char *)NULL);
        _exit(127);
    }
    static char out[16384];
    size_t n = apitest_read_until(master, out, sizeof out, 0, "Client secret of app " CLIENT_ID ": ",
                          10000);
    assert_non_null(strstr(out, "Client secret of app " CLIENT_ID ": "));
    assert_null(strstr(out, "client id:"));
    size_t typed_at = n;
    type_line(master, CLIENT_SECRET);
    n = apitest_read_until(master, out, sizeof out, n, "Address or code: ", 10000);
    assert_non_null(strstr(out, "Address or code: "));
    assert_null(strstr(out + typed_at, CLIENT_SECRET));   /* never echoed */
    assert_non_null(strstr(out, "&scope=crm.objects.contacts.read%20crm.objects.contacts.write"
                                "&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fhubtui-cb&state="));
    const char *st = strstr(out, "&state=") + strlen("&state=");
    char state_value[64];
    size_t len = strcspn(st, " \r\n");
    assert_true(len == 32);
    memcpy(state_value, st, len);
    state_value[len] = '\0';
    char *redirected = xasprintf(CFG_REDIRECT "?code=%s&state=%s", code, state_value);
    type_line(master, redirected);
    free(redirected);
    n = apitest_read_until(master, out, sizeof out, n, NULL, 15000);
    int status;
    waitpid(pid, &status, 0);
    close(master);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("login on a terminal failed: %s", out);
    assert_non_null(strstr(out, "Signed in to HubSpot portal 4242"));
    assert_null(strstr(out, CLIENT_SECRET));
    char *refresh = stored("oa-cfg", KEYRING_REFRESH_TOKEN);
    assert_non_null(refresh);
    remember(refresh);
    str_free_secret(refresh);
    char *secret = stored("oa-cfg", KEYRING_CLIENT_SECRET);
    assert_string_equal(secret, CLIENT_SECRET);
    str_free_secret(secret);
    free(code);
}

/* An access token that has expired (given through the environment, with
 * no expiry known): the first answers are 401s, the client refreshes once
 * from the stored sign-in, and the command succeeds. */
static void test_expired_access_token_is_refreshed(void **state)
{
    config cfg;
    ht_error err;
    assert_int_equal(config_load(NULL, &cfg, &err), HT_OK);
    hs_client *c = hs_client_open(&cfg, "oa-cfg", NULL, &err);
    if (!c)
        fail_msg("client of oa-cfg: %s", err.message);
    captured cap = {0};
    apitest_run(c, hs_account_details(c, HS_PRIO_NORMAL, apitest_capture, &cap), &cap);
    assert_int_equal(cap.status, HT_OK);
    apitest_reset(&cap);
    char *expired = xstrdup(hs_client_auth(c)->access_token);
    remember(expired);
    hs_client_free(c);
    config_free(&cfg);
    sleep(TOKEN_TTL_S + 1);

    long before = fakehub_count("401");
    char *env = xasprintf("HUBSPOT_ACCESS_TOKEN='%s'", expired);
    char out[8192];
    int rc = run_hubtui(env, NULL, out, sizeof out, "--portal oa-cfg sync -q contacts");
    free(env);
    if (rc != 0)
        fail_msg("sync with an expired access token failed: %s", out);
    assert_true(fakehub_count("401") > before);
    assert_null(strstr(out, expired));
    free(expired);
}

/* A code HubSpot refuses, a wrong client secret, an address from another
 * sign-in, or a refusal at consent: a clear line, exit 1, nothing stored. */
static void test_refusals_store_nothing(void **state)
{
    char out[8192];
    const char *bogus[] = {CLIENT_ID, CLIENT_SECRET, "code-not-issued-by-fakehub", NULL};
    int rc = run_hubtui(NULL, bogus, out, sizeof out, "--portal oa-wrong login --oauth");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "HubSpot refused to exchange the authorization code: missing or "
                                "unknown auth code"));
    assert_non_null(strstr(out, "nothing was stored"));
    assert_nothing_stored("oa-wrong");

    char *code = mint_code(NULL);
    const char *bad_secret[] = {CLIENT_ID, "test-wrong-secret-9", code, NULL};
    rc = run_hubtui(NULL, bad_secret, out, sizeof out, "--portal oa-wrong login --oauth");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "invalid client secret"));
    assert_nothing_stored("oa-wrong");
    free(code);

    code = mint_code(NULL);
    char *other = xasprintf("http://localhost/hubtui/oauth?code=%s&state=not-this-one", code);
    const char *wrong_state[] = {CLIENT_ID, CLIENT_SECRET, other, NULL};
    rc = run_hubtui(NULL, wrong_state, out, sizeof out, "--portal oa-wrong login --oauth");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "state does not match"));
    assert_nothing_stored("oa-wrong");
    free(other);
    free(code);

    const char *denied[] = {CLIENT_ID, CLIENT_SECRET,
                            "http://localhost/hubtui/oauth?error=access_denied", NULL};
    rc = run_hubtui(NULL, denied, out, sizeof out, "--portal oa-wrong login --oauth");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "HubSpot did not authorize the app: access_denied"));
    assert_nothing_stored("oa-wrong");
}

/* Without a Secret Service: one clear line before anything is asked, and
 * nothing kept anywhere. */
static void test_no_secret_service(void **state)
{
    char *empty_run = xasprintf("%s/no-bus", getenv("XDG_RUNTIME_DIR"));
    mkdir(empty_run, 0700);
    char *env = xasprintf("env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR=%s", empty_run);
    const char *lines[] = {CLIENT_ID, CLIENT_SECRET, "code-whatever-1", NULL};
    char out[8192];
    int rc = run_hubtui(env, lines, out, sizeof out, "--portal oa-none login --oauth");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "no Secret Service reachable"));
    assert_non_null(strstr(out, "nothing was stored"));
    assert_null(strstr(out, "oauth/authorize"));   /* stopped before asking */
    assert_nothing_stored("oa-none");
    free(env);
    free(empty_run);
}

/* Does fakehub still know this refresh token? */
static long refresh_known(const char *refresh)
{
    char *path = xasprintf("/oauth/v1/refresh-tokens/%s", refresh);
    long status = 0;
    free(fakehub_request(&FH, "GET", path, NULL, &status));
    free(path);
    return status;
}

/* logout revokes the refresh token at HubSpot, removes every kind and
 * says which; the next command fails with words that say how to sign in
 * again. */
static void test_logout(void **state)
{
    char out[8192];
    char *refresh = stored("oa-paste", KEYRING_REFRESH_TOKEN);
    assert_non_null(refresh);
    assert_int_equal(refresh_known(refresh), 200);
    int rc = run_hubtui(NULL, NULL, out, sizeof out, "--portal oa-paste logout");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Revoked the OAuth refresh token at HubSpot."));
    assert_non_null(strstr(out, "Removed from the Secret Service for portal 'oa-paste': OAuth "
                                "refresh token, OAuth client secret, OAuth client id."));
    assert_nothing_stored("oa-paste");
    /* HubSpot forgot it too: a copy of it signs in no more. */
    assert_int_equal(refresh_known(refresh), 404);
    str_free_secret(refresh);
    rc = run_hubtui(NULL, NULL, out, sizeof out, "--portal oa-paste sync -q contacts");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "no token for portal oa-paste"));
    assert_non_null(strstr(out, "'hubtui login --oauth'"));
    rc = run_hubtui(NULL, NULL, out, sizeof out, "--portal oa-paste logout");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Nothing was stored for portal 'oa-paste'"));

    /* --offline: removed here, HubSpot not asked. */
    refresh = stored("oa-cfg", KEYRING_REFRESH_TOKEN);
    assert_non_null(refresh);
    rc = run_hubtui(NULL, NULL, out, sizeof out, "--portal oa-cfg --offline logout");
    assert_int_equal(rc, 0);
    assert_null(strstr(out, "Revoked"));
    assert_non_null(strstr(out, "OAuth refresh token"));
    assert_nothing_stored("oa-cfg");
    assert_int_equal(refresh_known(refresh), 200);
    str_free_secret(refresh);
    rc = run_hubtui(NULL, NULL, out, sizeof out, "--portal oa-cfg sync -q contacts");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "OAuth portal oa-cfg is not signed in"));
    assert_non_null(strstr(out, "'hubtui login --oauth'"));
}

static bool matches(const char *text, const char *pattern)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool hit = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return hit;
}

/* Is secret in any regular file under dir? (grep -F over the tree) */
static bool in_files(const char *dir, const char *secret)
{
    char *cmd = xasprintf("grep -rqF -D skip -- '%s' '%s' 2>/dev/null", secret, dir);
    int status = system(cmd);
    free(cmd);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Every debug line written above, and every file in the session's home and
 * XDG directories: no secret, token or code, in any form fakehub mints. */
static void test_no_secret_in_logs_or_files(void **state)
{
    char *logged = tmpdir_read_file(log_path);
    assert_non_null(logged);
    assert_true(*logged != '\0');
    assert_non_null(strstr(logged, "/oauth/v1/token"));
    assert_non_null(strstr(logged, "OAuth access token refreshed for portal oa-paste"));
    /* The log does show the non-secret fields of the same forms. */
    assert_non_null(strstr(logged, "client_id=" CLIENT_ID "&client_secret=***"));
    assert_null(strstr(logged, CLIENT_SECRET));
    for (size_t i = 0; i < n_seen; i++)
        if (strstr(logged, seen[i]))
            fail_msg("the debug log holds a credential (seen #%zu)", i);
    /* Whatever hubtui got from fakehub: access tokens oa-<uuid>, refresh
     * tokens na1-<uuid>, codes code-<uuid>. */
    assert_false(matches(logged, "oa-[0-9a-f]{8}-"));
    assert_false(matches(logged, "na1-[0-9a-f]{8}-"));
    assert_false(matches(logged, "code-[0-9a-f]{8}-"));
    free(logged);

    /* The search below does find what is in those files. */
    assert_true(in_files(getenv("XDG_CONFIG_HOME"), CLIENT_ID));
    const char *dirs[] = {"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
                          "XDG_RUNTIME_DIR"};
    for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
        const char *dir = getenv(dirs[d]);
        assert_non_null(dir);
        assert_false(in_files(dir, CLIENT_SECRET));
        for (size_t i = 0; i < n_seen; i++)
            if (in_files(dir, seen[i]))
                fail_msg("a file under $%s holds a credential (seen #%zu)", dirs[d], i);
    }
}

int main(void)
{
    if (!getenv("DBUS_SESSION_BUS_ADDRESS")) {
        fprintf(stderr, "SKIP: run through keyring-session.sh (needs a private D-Bus session)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_with_pasted_code),
        cmocka_unit_test(test_later_commands_refresh),
        cmocka_unit_test(test_login_on_a_terminal),
        cmocka_unit_test(test_expired_access_token_is_refreshed),
        cmocka_unit_test(test_refusals_store_nothing),
        cmocka_unit_test(test_no_secret_service),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_no_secret_in_logs_or_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
