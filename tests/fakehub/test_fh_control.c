/* fakehub integration tests: the control API (stats, edit, reset, config,
 * dump), --db persistence, --log, search lag, determinism and the command
 * line. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static char *tmp_path(const char *name)
{
    const char *dir = getenv("TMPDIR");
    return xasprintf("%s/fakehub-test-%d-%s", str_empty(dir) ? "/tmp" : dir, (int)getpid(), name);
}

static char *first_contact(const fakehub *fh)
{
    fakehub_response r;
    req(fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    char *id = xstrdup(js(r.json, "results.0.id"));
    fakehub_response_free(&r);
    return id;
}

static long long search_count(const fakehub *fh, const char *prop, const char *value)
{
    fakehub_response r;
    char *body = xasprintf("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"%s\",\"operator\":"
                           "\"EQ\",\"value\":\"%s\"}]}]}", prop, value);
    req(fh, "POST", "/crm/v3/objects/contacts/search", body, &r);
    free(body);
    assert_int_equal(r.status, 200);
    long long n = ji(r.json, "total");
    fakehub_response_free(&r);
    return n;
}

static void test_edit(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "10");
    char *id = first_contact(&fh);
    fakehub_response before, r;
    reqf(&fh, "GET", NULL, &before, "/crm/v3/objects/contacts/%s", id);
    usleep(3000);
    char *body = xasprintf("{\"objectType\":\"contacts\",\"id\":\"%s\",\"properties\":{\"jobtitle\":\"Edited\"}}", id);
    req(&fh, "POST", "/_fakehub/edit", body, &r);
    free(body);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "properties.jobtitle"), "Edited");
    assert_true(strcmp(js(r.json, "updatedAt"), js(before.json, "updatedAt")) > 0);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?propertiesWithHistory=jobtitle", id);
    assert_string_equal(js(r.json, "propertiesWithHistory.jobtitle.0.value"), "Edited");
    assert_string_equal(js(r.json, "propertiesWithHistory.jobtitle.0.sourceType"), "CRM_UI");
    assert_true(ji(r.json, "propertiesWithHistory.jobtitle.0.updatedByUserId") > 0);
    fakehub_response_free(&r);
    body = xasprintf("{\"objectType\":\"0-1\",\"id\":%s,\"properties\":{\"lifecyclestage\":\"boss\"}}", id);
    req(&fh, "POST", "/_fakehub/edit", body, &r);
    free(body);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/_fakehub/edit", "{\"objectType\":\"contacts\",\"id\":\"999999999\",\"properties\":{}}", &r);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    req(&fh, "POST", "/_fakehub/edit", "{\"id\":\"1\"}", &r);
    assert_int_equal(r.status, 400);
    fakehub_response_free(&r);
    /* Not counted as HubSpot traffic. */
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);
    assert_int_equal(ji(r.json, "total"), 3);
    fakehub_response_free(&r);
    fakehub_response_free(&before);
    free(id);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_reset_and_dump(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "25", "--seed", "4");
    fakehub_response original, r;
    req(&fh, "GET", "/_fakehub/dump/contacts", NULL, &original);
    assert_int_equal(ji(original.json, "total"), 25);
    json_t *first = jp(original.json, "results.0");
    fakehub_response props;
    req(&fh, "GET", "/crm/v3/properties/contacts", NULL, &props);
    assert_int_equal(json_object_size(json_object_get(first, "properties")), json_array_size(jp(props.json, "results")));
    fakehub_response_free(&props);
    assert_non_null(jp(first, "associations"));
    /* Change things, then put the data back. */
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"new@example.io\"}}", &r);
    fakehub_response_free(&r);
    reqf(&fh, "DELETE", NULL, &r, "/crm/v3/objects/contacts/%s", js(first, "id"));
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/dump/contacts?archived=true", NULL, &r);
    assert_int_equal(ji(r.json, "total"), 1);
    assert_true(json_is_true(jp(r.json, "results.0.archived")));
    fakehub_response_free(&r);
    req(&fh, "POST", "/_fakehub/reset", "{}", &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/stats", NULL, &r);
    assert_int_equal(ji(r.json, "total"), 0);
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/dump/contacts", NULL, &r);
    assert_int_equal(ji(r.json, "total"), 25);   /* data kept without "data":true */
    fakehub_response_free(&r);
    req(&fh, "POST", "/_fakehub/reset", "{\"data\":true}", &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/dump/contacts", NULL, &r);
    assert_true(json_equal(jp(r.json, "results"), jp(original.json, "results")));
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/dump/widgets", NULL, &r);
    assert_int_equal(r.status, 400);
    fakehub_response_free(&r);
    fakehub_response_free(&original);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_config(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "3", "--search-caps", "2/3/4");
    fakehub_response r;
    req(&fh, "GET", "/_fakehub/config", NULL, &r);
    assert_string_equal(js(r.json, "rate_limit"), "100/10000");
    assert_string_equal(js(r.json, "search_rate"), "5/1");
    assert_string_equal(js(r.json, "search_caps"), "2/3/4");
    assert_int_equal(ji(r.json, "daily"), 250000);
    fakehub_response_free(&r);
    static const char *const bad[] = {"{\"rate_limit\":\"fast\"}", "{\"faults\":\"5xx=2\"}",
                                      "{\"daily\":-1}", "{\"strict_lifecycle\":\"yes\"}", "[]"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        req(&fh, "POST", "/_fakehub/config", bad[i], &r);
        assert_int_equal(r.status, 400);
        fakehub_response_free(&r);
    }
    req(&fh, "POST", "/_fakehub/config", "{\"strict_lifecycle\":true,\"search_caps\":\"1/1/1\"}", &r);
    assert_true(json_is_true(jp(r.json, "strict_lifecycle")));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
        "\"email\",\"operator\":\"HAS_PROPERTY\"},{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}]}]}", &r);
    assert_int_equal(r.status, 400);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_search_lag(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--search-lag", "1200", "--search-rate", "off");
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"lag@example.io\",\"firstname\":\"Before\"}}", &r);
    char *id = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    assert_int_equal(search_count(&fh, "email", "lag@example.io"), 0);   /* not indexed yet */
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s", id);
    assert_int_equal(r.status, 200);   /* reads see it at once */
    fakehub_response_free(&r);
    usleep(1350 * 1000);
    assert_int_equal(search_count(&fh, "email", "lag@example.io"), 1);
    reqf(&fh, "PATCH", "{\"properties\":{\"firstname\":\"After\"}}", &r, "/crm/v3/objects/contacts/%s", id);
    fakehub_response_free(&r);
    assert_int_equal(search_count(&fh, "firstname", "After"), 0);
    assert_int_equal(search_count(&fh, "firstname", "Before"), 1);
    usleep(1350 * 1000);
    assert_int_equal(search_count(&fh, "firstname", "After"), 1);
    assert_int_equal(search_count(&fh, "firstname", "Before"), 0);
    reqf(&fh, "DELETE", NULL, &r, "/crm/v3/objects/contacts/%s", id);
    fakehub_response_free(&r);
    assert_int_equal(search_count(&fh, "firstname", "After"), 1);
    usleep(1350 * 1000);
    assert_int_equal(search_count(&fh, "firstname", "After"), 0);
    free(id);
    assert_int_equal(fakehub_stop(&fh), 0);
}

/* Without --search-lag the index lags writes by a second, as HubSpot's
 * does by a few: a client must not expect its writes in search at once. */
static void test_search_lag_by_default(void **state)
{
    fakehub fh;
    FH_START(&fh, "--contacts", "5", "--search-rate", "off");
    fakehub_response r;
    req(&fh, "GET", "/_fakehub/config", NULL, &r);
    assert_int_equal(ji(r.json, "search_lag"), 1000);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"soon@example.io\"}}", &r);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    assert_int_equal(search_count(&fh, "email", "soon@example.io"), 0);
    usleep(1150 * 1000);
    assert_int_equal(search_count(&fh, "email", "soon@example.io"), 1);
    /* --search-lag 0 (or the config call) makes the index immediate. */
    req(&fh, "POST", "/_fakehub/config", "{\"search_lag\":0}", &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"now@example.io\"}}", &r);
    fakehub_response_free(&r);
    assert_int_equal(search_count(&fh, "email", "now@example.io"), 1);
    assert_int_equal(fakehub_stop(&fh), 0);
}

static void test_db_persistence(void **state)
{
    char *db = tmp_path("portal.db");
    unlink(db);
    fakehub fh;
    FH_START(&fh, "--contacts", "15", "--db", db);
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/properties/contacts", "{\"name\":\"kept_prop\",\"label\":\"Kept\",\"type\":"
        "\"string\",\"fieldType\":\"text\",\"groupName\":\"contactinformation\"}", &r);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"kept@example.io\",\"kept_prop\":\"yes\"}}", &r);
    assert_int_equal(r.status, 201);
    long long id = atoll(js(r.json, "id"));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/labels", "{\"label\":\"Kept label\",\"name\":\"kept_label\"}", &r);
    long long label = ji(r.json, "results.0.typeId");
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);

    FH_START(&fh, "--contacts", "3", "--db", db);   /* the saved portal wins */
    req(&fh, "GET", "/crm/v3/objects/contacts/kept@example.io?idProperty=email&properties=kept_prop", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "properties.kept_prop"), "yes");
    fakehub_response_free(&r);
    req(&fh, "GET", "/_fakehub/dump/contacts", NULL, &r);
    assert_int_equal(ji(r.json, "total"), 16);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v4/associations/contacts/companies/labels", NULL, &r);
    bool found = false;
    size_t i;
    json_t *l;
    json_array_foreach(jp(r.json, "results"), i, l)
        found = found || ji(l, "typeId") == label;
    assert_true(found);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"next@example.io\"}}", &r);
    assert_true(atoll(js(r.json, "id")) > id);   /* ids are never reused */
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
    char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
    unlink(db);
    unlink(wal);
    unlink(shm);
    free(wal);
    free(shm);
    free(db);
}

static void test_log(void **state)
{
    char *log = tmp_path("requests.log");
    unlink(log);
    fakehub fh;
    FH_START(&fh, "--contacts", "3", "--log", log);
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts/424242424", NULL, &r);
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&fh), 0);
    FILE *f = fopen(log, "r");
    assert_non_null(f);
    char line[512];
    int lines = 0;
    bool ok200 = false, ok404 = false;
    while (fgets(line, sizeof line, f)) {
        lines++;
        ok200 = ok200 || strncmp(line, "GET /crm/v3/objects/contacts 200 ", 33) == 0;
        ok404 = ok404 || strncmp(line, "GET /crm/v3/objects/contacts/424242424 404 ", 43) == 0;
        assert_non_null(strstr(line, "ms\n"));
    }
    fclose(f);
    assert_int_equal(lines, 2);
    assert_true(ok200 && ok404);
    unlink(log);
    free(log);
}

static void test_determinism_and_portal_id(void **state)
{
    json_t *dumps[3];
    static const char *const seeds[] = {"8", "8", "9"};
    for (int k = 0; k < 3; k++) {
        fakehub fh;
        FH_START(&fh, "--contacts", "40", "--seed", seeds[k], "--portal-id", "777");
        fakehub_response r;
        req(&fh, "GET", "/_fakehub/dump/companies", NULL, &r);
        dumps[k] = json_incref(jp(r.json, "results"));
        fakehub_response_free(&r);
        if (k == 0) {
            req(&fh, "GET", "/account-info/v3/details", NULL, &r);
            assert_int_equal(ji(r.json, "portalId"), 777);
            fakehub_response_free(&r);
            req(&fh, "GET", "/crm/v3/objects/p777_vehicles?limit=1", NULL, &r);
            assert_int_equal(r.status, 200);
            fakehub_response_free(&r);
        }
        assert_int_equal(fakehub_stop(&fh), 0);
    }
    assert_true(json_equal(dumps[0], dumps[1]));
    assert_false(json_equal(dumps[0], dumps[2]));
    for (int k = 0; k < 3; k++)
        json_decref(dumps[k]);
}

static int run_status(const char *args)
{
    const char *bin = getenv("FAKEHUB");
    char *cmd = xasprintf("'%s' %s >/dev/null 2>&1", str_empty(bin) ? "tests/fakehub/fakehub" : bin, args);
    int st = system(cmd);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_command_line(void **state)
{
    assert_int_equal(run_status("--help"), 0);
    assert_int_equal(run_status("--rate-limit fast"), 2);
    assert_int_equal(run_status("--faults 5xx=2"), 2);
    assert_int_equal(run_status("--search-caps 1/2"), 2);
    assert_int_equal(run_status("--contacts -5"), 2);
    assert_int_equal(run_status("--bogus"), 2);
    assert_int_equal(run_status("--oauth-client nocolon"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edit),
        cmocka_unit_test(test_reset_and_dump),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_search_lag),
        cmocka_unit_test(test_search_lag_by_default),
        cmocka_unit_test(test_db_persistence),
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_determinism_and_portal_id),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests_name("fakehub control", tests, NULL, NULL);
}
