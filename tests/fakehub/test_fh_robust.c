/* fakehub integration test: hostile input. Every route gets odd path
 * values and malformed bodies; fakehub must answer each with a proper HTTP
 * status (4xx for the client's mistakes, never a crash or a 500), and still
 * serve normally afterwards. Run under the sanitizers, this is a small fuzz. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static fakehub fh;

static const char *const paths[] = {
    "/crm/v3/objects/%s", "/crm/v3/objects/contacts/%s", "/crm/v3/objects/%s/1",
    "/crm/v3/objects/contacts/%s/search", "/crm/v3/objects/%s/batch/read",
    "/crm/v3/objects/contacts/batch/%s", "/crm/v3/objects/%s/merge",
    "/crm/v4/objects/contacts/%s/associations/companies",
    "/crm/v4/objects/%s/1/associations/%s", "/crm/v4/objects/contacts/1/associations/default/companies/%s",
    "/crm/v4/associations/%s/companies/batch/read", "/crm/v4/associations/contacts/%s/labels",
    "/crm/v4/associations/contacts/companies/labels/%s", "/crm/v3/properties/%s",
    "/crm/v3/properties/contacts/%s", "/crm/v3/properties/%s/groups/x", "/crm/v3/pipelines/%s",
    "/crm/v3/pipelines/deals/%s/stages", "/crm/v3/owners/%s", "/crm-object-schemas/v3/schemas/%s",
    "/oauth/v1/access-tokens/%s", "/_fakehub/dump/%s", "/crm/objects/%s/contacts",
    "/%s", "/crm/v3/%s",
};
static const char *const values[] = {
    "", "%00", "-1", "99999999999999999999", "contacts", "x%2Fy", "%E2%82", "2-999",
    "p4242_vehicles",
};
static const char *const bodies[] = {
    NULL, "", "null", "[]", "{}", "7", "\"s\"", "{\"inputs\":null}", "{\"inputs\":[null,1,\"x\",{}]}",
    "{\"inputs\":[{\"id\":{}},{\"id\":[1]},{\"id\":-5},{\"id\":\"1\",\"properties\":[1]}]}",
    "{\"properties\":[]}", "{\"properties\":{\"email\":1e400}}", "{\"filterGroups\":[{\"filters\":[null]}]}",
    "{\"filterGroups\":{},\"sorts\":7,\"limit\":\"x\",\"after\":[],\"query\":5}",
    "{\"properties\":null,\"associations\":[{\"to\":null},{\"to\":{\"id\":\"1\"},\"types\":[null]}]}",
    "[{\"associationCategory\":null,\"associationTypeId\":\"1\"}]", "{\"label\":5,\"name\":[]}",
    "{\"primaryObjectId\":{},\"objectIdToMerge\":null}", "\xff\xfe garbage \x01",
    "{\"a\":", "grant_type=&&&==&%zz=%",
};
static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE"};

/* pattern with every "%s" replaced by value. */
static void subst(strbuf *out, const char *pattern, const char *value)
{
    for (const char *p = pattern; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            strbuf_puts(out, value);
            p++;
        } else {
            strbuf_putc(out, *p);
        }
    }
}

static void test_hostile_input(void **state)
{
    long answered = 0;
    for (size_t p = 0; p < ARRAY_SIZE(paths); p++)
        for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
            strbuf path = {0};
            subst(&path, paths[p], values[v]);
            for (size_t m = 0; m < ARRAY_SIZE(methods); m++)
                for (size_t b = (v + m) % 4; b < ARRAY_SIZE(bodies); b += (m == 0 ? ARRAY_SIZE(bodies) : 7)) {
                    fakehub_response r;
                    req(&fh, methods[m], strbuf_str(&path), bodies[b], &r);
                    if (r.status < 200 || r.status >= 500)
                        fprintf(stderr, "%s %s %s -> %ld (%d) %s\n", methods[m], strbuf_str(&path),
                                bodies[b] ? bodies[b] : "(none)", r.status, r.curl_code, r.body);
                    assert_true(r.status >= 200 && r.status < 500);
                    answered++;
                    fakehub_response_free(&r);
                }
            strbuf_free(&path);
        }
    assert_true(answered > 800);
    fprintf(stderr, "%ld hostile requests answered\n", answered);
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=3", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(jp(r.json, "results")), 3);
    fakehub_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_input),
    };
    const char *args[] = {"--contacts", "20", "--rate-limit", "off", "--search-rate", "off",
                          "--oauth-client", "a:b", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    int failed = cmocka_run_group_tests_name("fakehub hostile input", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
