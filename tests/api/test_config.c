/* Unit tests of config parsing and portal selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static const char *sample =
    "# hubtui config\n"
    "default_portal = prod\n"
    "\n"
    "[ui]\n"
    "theme = light\n"
    "[keys list]\n"
    "j = down\n"
    "\n"
    "[portal prod]\n"
    "base_url = https://api.hubapi.com\n"
    "token_command = pass show hubspot/prod   # first line\n"
    "app_type = private\n"
    "tier = enterprise\n"
    "theme = production-red\n"
    "readonly = yes\n"
    "utc_offset = -05:00\n"
    "\n"
    "[portal sandbox]\n"
    "base_url = http://127.0.0.1:8080\n"
    "app_type = oauth\n"
    "oauth_client_id = 1234-abcd\n"
    "oauth_client_secret_command = echo s3cret\n"
    "oauth_refresh_token_command = echo r3fresh\n"
    "oauth_redirect_uri = http://localhost:9/cb\n"
    "oauth_scopes = crm.objects.contacts.read, tickets\n";

static void test_parse_full(void **state)
{
    config cfg;
    config_parse_string(sample, "config", &cfg);
    assert_int_equal(cfg.n_warnings, 0);
    assert_string_equal(cfg.default_portal, "prod");
    assert_int_equal(cfg.n_portals, 2);
    const config_portal *p = &cfg.portals[0];
    assert_string_equal(p->name, "prod");
    assert_string_equal(p->base_url, "https://api.hubapi.com");
    assert_string_equal(p->token_command, "pass show hubspot/prod");
    assert_int_equal(p->app, RL_APP_PRIVATE);
    assert_int_equal(p->tier, RL_TIER_ENTERPRISE);
    assert_string_equal(p->theme, "production-red");
    assert_true(p->readonly);
    assert_true(p->has_utc_offset);
    assert_int_equal(p->utc_offset_ms, -5 * 3600 * 1000);
    p = &cfg.portals[1];
    assert_string_equal(p->name, "sandbox");
    assert_int_equal(p->app, RL_APP_OAUTH);
    assert_string_equal(p->oauth_client_id, "1234-abcd");
    assert_string_equal(p->oauth_client_secret_command, "echo s3cret");
    assert_string_equal(p->oauth_refresh_token_command, "echo r3fresh");
    assert_string_equal(p->oauth_redirect_uri, "http://localhost:9/cb");
    assert_string_equal(p->oauth_scopes, "crm.objects.contacts.read, tickets");
    assert_null(cfg.portals[0].oauth_redirect_uri);
    assert_false(p->readonly);
    config_free(&cfg);
}

static void test_bad_lines_are_warnings(void **state)
{
    config cfg;
    config_parse_string("[portal a]\n"
                        "tier = gold\n"
                        "colour = blue\n"
                        "readonly = perhaps\n"
                        "utc_offset = 5\n"
                        "oauth_client_secret = hunter2\n"
                        "base_url = https://example.test\n"
                        "[portal]\n"
                        "x = y\n", "cfg", &cfg);
    assert_int_equal(cfg.n_warnings, 6);
    assert_non_null(strstr(cfg.warnings[0], "cfg:2:"));
    assert_non_null(strstr(cfg.warnings[0], "gold"));
    assert_non_null(strstr(cfg.warnings[1], "unknown key 'colour'"));
    assert_non_null(strstr(cfg.warnings[4], "oauth_client_secret_command"));
    assert_non_null(strstr(cfg.warnings[5], "cfg:9:"));
    /* The rest still loads, the secret too (with its warning). */
    assert_int_equal(cfg.n_portals, 1);
    assert_string_equal(cfg.portals[0].base_url, "https://example.test");
    assert_string_equal(cfg.portals[0].oauth_client_secret, "hunter2");
    config_free(&cfg);
}

static void test_find_portal(void **state)
{
    config cfg;
    ht_error err;
    config_parse_string(sample, "config", &cfg);
    assert_string_equal(config_find_portal(&cfg, NULL, &err)->name, "prod");
    assert_string_equal(config_find_portal(&cfg, "sandbox", &err)->name, "sandbox");
    assert_null(config_find_portal(&cfg, "staging", &err));
    assert_int_equal(err.status, HT_NOT_FOUND);
    assert_non_null(strstr(err.message, "prod, sandbox"));
    free(cfg.default_portal);
    cfg.default_portal = NULL;
    assert_null(config_find_portal(&cfg, NULL, &err));
    assert_int_equal(err.status, HT_INVALID);
    config_free(&cfg);

    /* One portal: it is the default. None: the built-in "default". */
    config_parse_string("[portal only]\ntheme = x\n", "c", &cfg);
    assert_string_equal(config_find_portal(&cfg, NULL, &err)->name, "only");
    config_free(&cfg);
    config_parse_string("[portal bare]\n", "c", &cfg);   /* no keys: still a portal */
    assert_int_equal(cfg.n_portals, 1);
    assert_string_equal(config_find_portal(&cfg, "bare", &err)->name, "bare");
    config_free(&cfg);
    config_parse_string("", "c", &cfg);
    const config_portal *p = config_find_portal(&cfg, NULL, &err);
    assert_string_equal(p->name, "default");
    assert_null(p->base_url);
    assert_ptr_equal(config_find_portal(&cfg, "default", &err), p);
    config_free(&cfg);
}

static void test_load_files(void **state)
{
    char dir[] = "/tmp/hubtui-config-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("XDG_CONFIG_HOME", dir, 1);
    char *path = config_default_path();
    char *expect = xasprintf("%s/hubtui/config", dir);
    assert_string_equal(path, expect);

    config cfg;
    ht_error err;
    assert_int_equal(config_load(NULL, &cfg, &err), HT_OK);   /* missing: fine */
    assert_int_equal(cfg.n_portals, 0);
    config_free(&cfg);

    char *sub = xasprintf("%s/hubtui", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    FILE *fp = fopen(path, "w");
    fputs("[portal x]\nreadonly = true\n", fp);
    fclose(fp);
    assert_int_equal(config_load(NULL, &cfg, &err), HT_OK);
    assert_int_equal(cfg.n_portals, 1);
    assert_true(cfg.portals[0].readonly);
    config_free(&cfg);

    unlink(path);
    rmdir(sub);
    rmdir(dir);
    free(sub);
    free(path);
    free(expect);
}

static void test_utc_offset(void **state)
{
    int64_t ms;
    assert_true(config_parse_utc_offset("+05:30", &ms));
    assert_int_equal(ms, 19800000);
    assert_true(config_parse_utc_offset("-10:00", &ms));
    assert_int_equal(ms, -36000000);
    assert_true(config_parse_utc_offset("Z", &ms));
    assert_int_equal(ms, 0);
    assert_false(config_parse_utc_offset("05:00", &ms));
    assert_false(config_parse_utc_offset("+5:00", &ms));
    assert_false(config_parse_utc_offset("+25:00", &ms));
    assert_false(config_parse_utc_offset("+05:00x", &ms));
    assert_false(config_parse_utc_offset(NULL, &ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_full),
        cmocka_unit_test(test_bad_lines_are_warnings),
        cmocka_unit_test(test_find_portal),
        cmocka_unit_test(test_load_files),
        cmocka_unit_test(test_utc_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
