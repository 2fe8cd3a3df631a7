/* Unit tests of HubSpot error-body parsing (400/401/403/404/409/429/207). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "apierror.h"

static void parse(apierror *e, int status, const char *body)
{
    apierror_parse(e, status, body, body ? strlen(body) : 0);
}

static void test_validation_error_with_items(void **state)
{
    const char *body =
        "{\"status\":\"error\",\"message\":\"Property values were not valid: [{\\\"isValid\\\":false,"
        "\\\"message\\\":\\\"Property \\\\\\\"favcolor\\\\\\\" does not exist\\\",\\\"error\\\":"
        "\\\"PROPERTY_DOESNT_EXIST\\\",\\\"name\\\":\\\"favcolor\\\"}]\",\"correlationId\":"
        "\"5e4b0000-aaaa-bbbb-cccc-000000000001\",\"category\":\"VALIDATION_ERROR\",\"errors\":"
        "[{\"message\":\"Property \\\"favcolor\\\" does not exist\",\"code\":\"PROPERTY_DOESNT_EXIST\","
        "\"context\":{\"propertyName\":[\"favcolor\"]}}]}";
    apierror e;
    parse(&e, 400, body);
    assert_non_null(e.raw);
    assert_string_equal(e.category, "VALIDATION_ERROR");
    assert_string_equal(e.correlation_id, "5e4b0000-aaaa-bbbb-cccc-000000000001");
    assert_int_equal(e.n_items, 1);
    assert_string_equal(e.items[0].code, "PROPERTY_DOESNT_EXIST");
    assert_non_null(e.items[0].context);

    ht_error err;
    assert_int_equal(apierror_to_ht(&e, HT_INVALID, &err), HT_INVALID);
    assert_int_equal(err.status, HT_INVALID);
    assert_int_equal(err.http_status, 400);
    assert_string_equal(err.category, "VALIDATION_ERROR");
    assert_string_equal(err.correlation_id, "5e4b0000-aaaa-bbbb-cccc-000000000001");
    assert_non_null(strstr(err.message, "Property \"favcolor\" does not exist"));
    assert_null(strstr(err.message, "isValid"));
    apierror_free(&e);
}

static void test_embedded_list_without_items(void **state)
{
    const char *body =
        "{\"status\":\"error\",\"message\":\"Property values were not valid: [{\\\"isValid\\\":false,"
        "\\\"message\\\":\\\"maybe was not one of the allowed options\\\",\\\"error\\\":\\\"INVALID_OPTION\\\"}]\","
        "\"category\":\"VALIDATION_ERROR\"}";
    apierror e;
    parse(&e, 400, body);
    char sum[256];
    apierror_summary(&e, sum, sizeof sum);
    assert_string_equal(sum, "maybe was not one of the allowed options");
    apierror_free(&e);
}

static void test_conflict_and_scopes(void **state)
{
    apierror e;
    parse(&e, 409, "{\"status\":\"error\",\"message\":\"Contact already exists. Existing ID: 51\","
                   "\"correlationId\":\"c-1\",\"category\":\"CONFLICT\"}");
    char sum[256];
    apierror_summary(&e, sum, sizeof sum);
    assert_string_equal(sum, "Contact already exists. Existing ID: 51");
    apierror_free(&e);

    parse(&e, 403, "{\"status\":\"error\",\"message\":\"This app hasn't been granted all required "
                   "scopes\",\"correlationId\":\"c-2\",\"category\":\"MISSING_SCOPES\",\"errors\":"
                   "[{\"message\":\"One or more of the following scopes are required.\",\"context\":"
                   "{\"requiredGranularScopes\":[\"crm.objects.contacts.write\"]}}]}");
    assert_string_equal(e.category, "MISSING_SCOPES");
    assert_int_equal(e.n_items, 1);
    assert_non_null(json_object_get(e.items[0].context, "requiredGranularScopes"));
    apierror_free(&e);
}

static void test_rate_limit_body(void **state)
{
    apierror e;
    parse(&e, 429, "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling "
                   "limit.\",\"errorType\":\"RATE_LIMIT\",\"correlationId\":\"c-3\",\"policyName\":"
                   "\"TEN_SECONDLY_ROLLING\",\"groupName\":\"publicapi:private-app:1\"}");
    assert_string_equal(e.policy_name, "TEN_SECONDLY_ROLLING");
    assert_string_equal(e.error_type, "RATE_LIMIT");
    ht_error err;
    apierror_to_ht(&e, HT_RATE_LIMIT, &err);
    assert_string_equal(err.category, "RATE_LIMIT");
    apierror_free(&e);
}

static void test_oauth_error_code(void **state)
{
    apierror e;
    parse(&e, 400, "{\"status\":\"BAD_REFRESH_TOKEN\",\"message\":\"missing or unknown refresh "
                   "token\",\"correlationId\":\"c-4\"}");
    ht_error err;
    apierror_to_ht(&e, HT_AUTH, &err);
    assert_string_equal(err.category, "BAD_REFRESH_TOKEN");
    assert_non_null(strstr(err.message, "missing or unknown refresh token"));
    apierror_free(&e);
}

static void test_empty_and_garbage_bodies(void **state)
{
    const char *bodies[] = {
        NULL, "", "<html><body>502 Bad Gateway</body></html>", "{\"status\":\"err",
        "[1,2,3]", "{\"message\":42,\"errors\":\"nope\",\"context\":[],\"category\":null}",
        "{\"errors\":[1,null,{\"context\":{\"ids\":[7,\"8\"]}}]}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        apierror e;
        parse(&e, 404, bodies[i]);
        char sum[256];
        apierror_summary(&e, sum, sizeof sum);
        assert_true(strlen(sum) > 0);
        ht_error err;
        apierror_to_ht(&e, HT_NOT_FOUND, &err);
        assert_int_equal(err.http_status, 404);
        apierror_free(&e);
    }
    apierror e;
    parse(&e, 404, "");
    char sum[256];
    apierror_summary(&e, sum, sizeof sum);
    assert_string_equal(sum, "no such record or path");
    apierror_free(&e);
}

static void test_batch_items_with_ids(void **state)
{
    json_t *body = json_loads(
        "{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"1\"}],\"numErrors\":2,\"errors\":["
        "{\"status\":\"error\",\"category\":\"OBJECT_NOT_FOUND\",\"message\":\"Could not get some "
        "CONTACT objects, they may be deleted or not exist. Check that ids are valid.\",\"context\":"
        "{\"ids\":[\"999\",\"1000\"]}},"
        "{\"status\":\"error\",\"category\":\"VALIDATION_ERROR\",\"message\":\"bad\",\"subCategory\":"
        "\"crm.associations.NO_ASSOCIATIONS_FOUND\",\"context\":{\"id\":\"5\"}}]}", 0, NULL);
    assert_non_null(body);
    apierror_item *items;
    size_t n = apierror_batch_items(body, &items);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].category, "OBJECT_NOT_FOUND");
    assert_int_equal(items[0].n_ids, 2);
    assert_string_equal(items[0].ids[0], "999");
    assert_string_equal(items[0].ids[1], "1000");
    assert_int_equal(items[1].n_ids, 1);
    assert_string_equal(items[1].ids[0], "5");
    assert_string_equal(items[1].sub_category, "crm.associations.NO_ASSOCIATIONS_FOUND");
    apierror_items_free(items, n);

    json_t *ok = json_loads("{\"status\":\"COMPLETE\",\"results\":[]}", 0, NULL);
    assert_int_equal(apierror_batch_items(ok, &items), 0);
    assert_null(items);
    json_decref(ok);
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_error_with_items),
        cmocka_unit_test(test_embedded_list_without_items),
        cmocka_unit_test(test_conflict_and_scopes),
        cmocka_unit_test(test_rate_limit_body),
        cmocka_unit_test(test_oauth_error_code),
        cmocka_unit_test(test_empty_and_garbage_bodies),
        cmocka_unit_test(test_batch_items_with_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
