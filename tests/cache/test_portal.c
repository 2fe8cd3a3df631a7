/* portal sessions: config + cache + client opened together, offline by
 * choice or by necessity, against a real fakehub. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "harness.h"
#include "hubspot.h"
#include "portal.h"
#include "util.h"

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_offline_session_needs_no_token(void **state)
{
    fixture fx;
    fx_open(&fx);
    char cfg[512];
    snprintf(cfg, sizeof cfg, "%s/config", fx.dir);
    write_file(cfg, "default_portal = acme\n[portal acme]\nreadonly = true\n");
    unsetenv("HUBSPOT_ACCESS_TOKEN");
    portal_options po = {.config_path = cfg, .cache_dir = fx.dir, .offline = true};
    portal_session *ps = NULL;
    ht_error err;
    assert_int_equal(portal_open(&po, &ps, &err), HT_OK);
    assert_string_equal(ps->name, "acme");
    assert_true(ps->readonly);           /* from the config */
    assert_non_null(ps->st);
    assert_false(portal_online(ps));
    assert_int_equal(portal_connect(ps, &err), HT_UNSUPPORTED);
    assert_non_null(strstr(err.message, "offline"));
    /* The cache file is the portal's, private to the user. */
    char db[600];
    snprintf(db, sizeof db, "%s/acme.db", fx.dir);
    struct stat sb;
    assert_int_equal(stat(store_path(ps->st), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    portal_close(ps);
    fx_close(&fx);
}

static void test_unknown_portal_is_an_error(void **state)
{
    fixture fx;
    fx_open(&fx);
    char cfg[512];
    snprintf(cfg, sizeof cfg, "%s/config", fx.dir);
    write_file(cfg, "[portal acme]\n");
    portal_options po = {.config_path = cfg, .cache_dir = fx.dir, .portal = "nope"};
    portal_session *ps = NULL;
    ht_error err;
    assert_int_equal(portal_open(&po, &ps, &err), HT_NOT_FOUND);
    assert_null(ps);
    assert_non_null(strstr(err.message, "nope"));
    fx_close(&fx);
}

static void on_details(void *ud, const hs_result *r)
{
    json_t **out = ud;
    if (r->status == HT_OK && r->body)
        *out = json_incref(r->body);
}

static void test_connect_reaches_fakehub(void **state)
{
    fakehub fh;
    assert_true(fakehub_start(&fh, NULL, 0));
    fixture fx;
    fx_open(&fx);
    char cfg[512], text[256];
    snprintf(cfg, sizeof cfg, "%s/config", fx.dir);
    snprintf(text, sizeof text, "[portal local]\nbase_url = %s\n", fh.base_url);
    write_file(cfg, text);
    unsetenv("HUBTUI_BASE_URL");
    portal_options po = {.config_path = cfg, .cache_dir = fx.dir, .token = fh.token};
    portal_session *ps = NULL;
    ht_error err;
    assert_int_equal(portal_open(&po, &ps, &err), HT_OK);
    assert_int_equal(portal_connect(ps, &err), HT_OK);
    assert_true(portal_online(ps));
    json_t *details = NULL;
    hs_call_id id = hs_account_details(ps->client, HS_PRIO_NORMAL, on_details, &details);
    hs_client_run(ps->client, id);
    assert_non_null(details);
    assert_non_null(json_object_get(details, "portalId"));
    json_decref(details);
    portal_go_offline(ps);
    assert_false(portal_online(ps));
    portal_close(ps);
    fx_close(&fx);
    fakehub_stop(&fh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offline_session_needs_no_token),
        cmocka_unit_test(test_unknown_portal_is_an_error),
        cmocka_unit_test(test_connect_reaches_fakehub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
