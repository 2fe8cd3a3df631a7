/* fakehub integration tests: properties and groups, pipelines, owners,
 * schemas and account information. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static fakehub fh;

static void test_properties_list(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/properties/contacts", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *res = jp(r.json, "results");
    assert_null(jp(r.json, "paging"));
    json_t *lc = find_by(res, "name", "lifecyclestage");
    assert_non_null(lc);
    assert_string_equal(js(lc, "type"), "enumeration");
    assert_string_equal(js(lc, "fieldType"), "radio");
    assert_string_equal(js(lc, "groupName"), "contactinformation");
    assert_string_equal(js(lc, "options.1.value"), "lead");
    assert_string_equal(js(lc, "options.1.label"), "Lead");
    assert_true(json_is_false(jp(lc, "modificationMetadata.readOnlyValue")));
    json_t *email = find_by(res, "name", "email");
    assert_true(json_is_true(jp(email, "hasUniqueValue")));
    static const char *const read_only[] = {"hs_object_id", "createdate", "lastmodifieddate",
                                            "hs_full_name_or_email"};
    for (size_t i = 0; i < ARRAY_SIZE(read_only); i++)
        assert_true(json_is_true(jp(find_by(res, "name", read_only[i]), "modificationMetadata.readOnlyValue")));
    assert_true(json_is_true(jp(find_by(res, "name", "hs_full_name_or_email"), "calculated")));
    assert_string_equal(js(find_by(res, "name", "birthday"), "type"), "date");
    assert_string_equal(js(find_by(res, "name", "newsletter_opt_in"), "type"), "bool");
    assert_string_equal(js(find_by(res, "name", "hs_buying_role"), "fieldType"), "checkbox");
    json_t *owner = find_by(res, "name", "hubspot_owner_id");
    assert_true(json_array_size(jp(owner, "options")) >= 10);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/properties/deals/dealstage", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(find_by(jp(r.json, "options"), "value", "closedwon"));
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/properties/contacts/nope", NULL, &r);
    assert_error_body(&r, 404, "OBJECT_NOT_FOUND");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/properties/notes", NULL, &r);
    assert_non_null(find_by(jp(r.json, "results"), "name", "hs_createdate"));
    fakehub_response_free(&r);
}

static void test_property_create(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/properties/contacts",
        "{\"name\":\"favorite_food\",\"label\":\"Favorite food\",\"type\":\"enumeration\","
        "\"fieldType\":\"select\",\"groupName\":\"contactinformation\",\"options\":["
        "{\"label\":\"Pizza\",\"value\":\"pizza\"},{\"label\":\"Sushi\",\"value\":\"sushi\"}]}", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(js(r.json, "name"), "favorite_food");
    assert_true(json_is_false(jp(r.json, "hubspotDefined")));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/properties/contacts",
        "{\"name\":\"favorite_food\",\"label\":\"Again\",\"type\":\"string\",\"fieldType\":\"text\","
        "\"groupName\":\"contactinformation\"}", &r);
    assert_error_body(&r, 409, "OBJECT_ALREADY_EXISTS");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/properties/contacts",
        "{\"name\":\"badgroup\",\"label\":\"B\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"nope\"}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/properties/contacts",
        "{\"name\":\"Bad Name\",\"label\":\"B\",\"type\":\"string\",\"fieldType\":\"text\","
        "\"groupName\":\"contactinformation\"}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    /* The new property is validated and searchable like any other. */
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"favorite_food\":\"tacos\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"favorite_food\":\"sushi\"}}", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(js(r.json, "properties.favorite_food"), "sushi");
    fakehub_response_free(&r);
    /* A unique property of a custom object. */
    req(&fh, "POST", "/crm/v3/properties/vehicles",
        "{\"name\":\"plate\",\"label\":\"Plate\",\"type\":\"string\",\"fieldType\":\"text\","
        "\"groupName\":\"vehicle_information\",\"hasUniqueValue\":true}", &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_true(jp(r.json, "hasUniqueValue")));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/vehicles", "{\"properties\":{\"plate\":\"B-FH 42\"}}", &r);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/vehicles", "{\"properties\":{\"plate\":\"B-FH 42\"}}", &r);
    assert_error_body(&r, 409, "CONFLICT");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/vehicles/B-FH%2042?idProperty=plate&properties=plate", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "properties.plate"), "B-FH 42");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/properties/contacts/batch/read",
        "{\"inputs\":[{\"name\":\"email\"},{\"name\":\"favorite_food\"},{\"name\":\"ghost\"}]}", &r);
    assert_int_equal(r.status, 207);
    assert_int_equal(json_array_size(jp(r.json, "results")), 2);
    fakehub_response_free(&r);
}

static void test_groups(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/properties/contacts/groups", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(find_by(jp(r.json, "results"), "name", "contactinformation"));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/properties/contacts/groups", "{\"name\":\"hobbies\",\"label\":\"Hobbies\"}", &r);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/properties/contacts/groups/hobbies", NULL, &r);
    assert_string_equal(js(r.json, "label"), "Hobbies");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/properties/contacts/groups", "{\"name\":\"hobbies\",\"label\":\"Again\"}", &r);
    assert_int_equal(r.status, 409);
    fakehub_response_free(&r);
}

static void test_pipelines(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/pipelines/deals", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *res = jp(r.json, "results");
    assert_int_equal(json_array_size(res), 2);
    json_t *def = find_by(res, "id", "default");
    assert_string_equal(js(def, "createdAt"), "1970-01-01T00:00:00.000Z");
    json_t *won = find_by(jp(def, "stages"), "id", "closedwon");
    assert_string_equal(js(won, "metadata.probability"), "1.0");
    assert_string_equal(js(won, "metadata.isClosed"), "true");
    json_t *stage = jp(def, "stages.0");
    assert_string_equal(js(stage, "id"), "appointmentscheduled");
    assert_string_equal(js(stage, "metadata.probability"), "0.2");
    assert_int_equal(json_array_size(jp(def, "stages")), 7);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/pipelines/tickets/0", NULL, &r);
    assert_int_equal(json_array_size(jp(r.json, "stages")), 4);
    assert_string_equal(js(r.json, "stages.3.metadata.ticketState"), "CLOSED");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/pipelines/tickets/0/stages/2", NULL, &r);
    assert_string_equal(js(r.json, "label"), "Waiting on contact");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/pipelines/deals/nope", NULL, &r);
    assert_error_body(&r, 404, "OBJECT_NOT_FOUND");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/pipelines/deals/default/stages", NULL, &r);
    assert_int_equal(json_array_size(jp(r.json, "results")), 7);
    fakehub_response_free(&r);
}

static void test_owners(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/owners?limit=4", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(jp(r.json, "results")), 4);
    json_t *o = jp(r.json, "results.0");
    assert_true(json_is_string(jp(o, "id")));
    assert_true(json_is_integer(jp(o, "userId")));
    assert_string_equal(js(o, "type"), "PERSON");
    assert_non_null(js(o, "teams.0.name"));
    char *id = xstrdup(js(o, "id")), *email = xstrdup(js(o, "email"));
    long long uid = ji(o, "userId");
    assert_non_null(js(r.json, "paging.next.after"));
    fakehub_response_free(&r);
    int total = 0;
    char path[128] = "/crm/v3/owners?limit=3";
    for (;;) {
        req(&fh, "GET", path, NULL, &r);
        total += (int)json_array_size(jp(r.json, "results"));
        const char *after = js(r.json, "paging.next.after");
        if (!after) {
            fakehub_response_free(&r);
            break;
        }
        char *enc = url_enc(after);
        snprintf(path, sizeof path, "/crm/v3/owners?limit=3&after=%s", enc);
        free(enc);
        fakehub_response_free(&r);
    }
    assert_int_equal(total, 10);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/owners/%s", id);
    assert_string_equal(js(r.json, "email"), email);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/owners/%lld?idProperty=userId", uid);
    assert_string_equal(js(r.json, "id"), id);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/owners?email=%s", email);
    assert_int_equal(json_array_size(jp(r.json, "results")), 1);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/owners?archived=true", NULL, &r);
    assert_int_equal(json_array_size(jp(r.json, "results")), 1);
    assert_true(json_is_true(jp(r.json, "results.0.archived")));
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/owners/1", NULL, &r);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/owners?limit=501", NULL, &r);
    assert_int_equal(r.status, 400);
    fakehub_response_free(&r);
    free(id);
    free(email);
}

static void test_schemas_and_account(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm-object-schemas/v3/schemas", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *s = jp(r.json, "results.0");
    assert_int_equal(strncmp(js(s, "objectTypeId"), "2-", 2), 0);
    assert_string_equal(js(s, "fullyQualifiedName"), "p4242_vehicles");
    assert_string_equal(js(s, "labels.plural"), "Vehicles");
    json_t *vin = find_by(jp(s, "properties"), "name", "vin");
    assert_true(json_is_true(jp(vin, "hasUniqueValue")));
    json_t *assoc = jp(s, "associations.0");
    assert_non_null(js(assoc, "id"));
    assert_non_null(js(assoc, "fromObjectTypeId"));
    char *type_id = xstrdup(js(s, "objectTypeId"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm-object-schemas/v3/schemas/%s", type_id);
    assert_string_equal(js(r.json, "name"), "vehicles");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm-object-schemas/v3/schemas/p4242_vehicles", NULL, &r);
    assert_string_equal(js(r.json, "objectTypeId"), type_id);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm-object-schemas/v3/schemas?includePropertyDefinitions=false", NULL, &r);
    assert_null(jp(r.json, "results.0.properties"));
    fakehub_response_free(&r);
    req(&fh, "GET", "/account-info/v3/details", NULL, &r);
    assert_int_equal(ji(r.json, "portalId"), 4242);
    assert_string_equal(js(r.json, "companyCurrency"), "USD");
    assert_non_null(js(r.json, "timeZone"));
    assert_non_null(js(r.json, "utcOffset"));
    fakehub_response_free(&r);
    req(&fh, "GET", "/account-info/v3/api-usage/daily/private-apps", NULL, &r);
    assert_int_equal(ji(r.json, "results.0.usageLimit"), 250000);
    assert_true(ji(r.json, "results.0.currentUsage") > 5);
    fakehub_response_free(&r);
    free(type_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_properties_list),
        cmocka_unit_test(test_property_create),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_pipelines),
        cmocka_unit_test(test_owners),
        cmocka_unit_test(test_schemas_and_account),
    };
    const char *args[] = {"--contacts", "30", "--rate-limit", "off", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    int failed = cmocka_run_group_tests_name("fakehub metadata", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
