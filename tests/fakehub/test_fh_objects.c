/* fakehub integration tests: objects v3 single-record calls over HTTP —
 * shapes, paging, properties, validation, history, lifecycle, archive,
 * merge and GDPR delete. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "util.h"

static fakehub fh;


/* Create a contact and return its id (caller frees). */
static char *create_contact(const char *props_json)
{
    fakehub_response r;
    char *body = xasprintf("{\"properties\":%s}", props_json);
    req(&fh, "POST", "/crm/v3/objects/contacts", body, &r);
    free(body);
    if (r.status != 201)
        fprintf(stderr, "create failed: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    char *id = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    return id;
}

static void test_list_shape(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *results = jp(r.json, "results");
    assert_int_equal(json_array_size(results), 10);   /* default limit */
    assert_record_shapes(results);
    json_t *props = jp(results, "0.properties");
    static const char *const want[] = {"createdate", "email", "firstname", "hs_object_id",
                                       "lastmodifieddate", "lastname"};
    assert_int_equal(json_object_size(props), ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++)
        assert_non_null(json_object_get(props, want[i]));
    assert_string_equal(js(props, "hs_object_id"), js(results, "0.id"));
    assert_string_equal(js(props, "createdate"), js(results, "0.createdAt"));
    assert_string_equal(js(props, "lastmodifieddate"), js(results, "0.updatedAt"));
    assert_non_null(js(r.json, "paging.next.after"));
    assert_non_null(strstr(js(r.json, "paging.next.link"), "after="));
    assert_true(has_header(&r, "Content-Type"));
    fakehub_response_free(&r);
}

static void test_paging_to_the_end(void **state)
{
    char path[256] = "/crm/v3/objects/contacts?limit=7";
    long long seen = 0, last = 0;
    for (int pages = 0; pages < 100; pages++) {
        fakehub_response r;
        req(&fh, "GET", path, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *results = jp(r.json, "results");
        size_t i;
        json_t *rec;
        json_array_foreach(results, i, rec) {
            long long id = atoll(json_string_value(json_object_get(rec, "id")));
            assert_true(id > last);   /* ascending: nothing repeated */
            last = id;
            seen++;
        }
        json_t *paging = json_object_get(r.json, "paging");
        if (!paging) {
            fakehub_response_free(&r);
            break;
        }
        assert_non_null(js(paging, "next.after"));
        char *enc = url_enc(js(paging, "next.after"));
        snprintf(path, sizeof path, "/crm/v3/objects/contacts?limit=7&after=%s", enc);
        free(enc);
        fakehub_response_free(&r);
    }
    assert_int_equal(seen, 120);   /* nothing missed */
}

static void test_properties_param(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=100&properties=phone&properties=jobtitle,bogus", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *props = jp(r.json, "results.0.properties");
    assert_non_null(json_object_get(props, "phone"));
    assert_non_null(json_object_get(props, "jobtitle"));
    assert_non_null(json_object_get(props, "hs_object_id"));
    assert_null(json_object_get(props, "bogus"));
    assert_null(json_object_get(props, "email"));
    /* Somebody has no phone: requested but empty is null, not absent. */
    bool saw_null = false;
    size_t i;
    json_t *rec;
    json_array_foreach(jp(r.json, "results"), i, rec)
        saw_null = saw_null || json_is_null(jp(rec, "properties.phone"));
    assert_true(saw_null);
    fakehub_response_free(&r);
}

static void test_bad_list_params(void **state)
{
    static const char *const paths[] = {
        "/crm/v3/objects/contacts?limit=101", "/crm/v3/objects/contacts?limit=0",
        "/crm/v3/objects/contacts?limit=ten", "/crm/v3/objects/contacts?after=%25%25",
        "/crm/v3/objects/contacts?archived=maybe"};
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
        fakehub_response r;
        req(&fh, "GET", paths[i], NULL, &r);
        assert_error_body(&r, 400, "VALIDATION_ERROR");
        fakehub_response_free(&r);
    }
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/widgets", NULL, &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
}

static void test_get_and_404(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    char *id = xstrdup(js(r.json, "results.0.id"));
    char *email = xstrdup(js(r.json, "results.0.properties.email"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s", id);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "id"), id);
    assert_false(json_is_true(jp(r.json, "archived")));
    fakehub_response_free(&r);
    /* By e-mail, in any case. */
    for (char *c = email; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?idProperty=email", email);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "id"), id);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts/Ann?idProperty=firstname", NULL, &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts/999999999", NULL, &r);
    assert_error_body(&r, 404, "OBJECT_NOT_FOUND");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts/abc", NULL, &r);
    assert_error_body(&r, 404, "OBJECT_NOT_FOUND");
    fakehub_response_free(&r);
    free(id);
    free(email);
}

static void test_create(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts",
        "{\"properties\":{\"email\":\"Ann.Lee@Example.io\",\"firstname\":\"Ann\","
        "\"lifecyclestage\":\"lead\",\"customer_tier\":\"gold\",\"newsletter_opt_in\":true}}", &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_string(jp(r.json, "id")));
    assert_string_equal(js(r.json, "properties.email"), "ann.lee@example.io");
    assert_string_equal(js(r.json, "properties.lifecyclestage"), "lead");
    assert_string_equal(js(r.json, "properties.newsletter_opt_in"), "true");
    assert_string_equal(js(r.json, "properties.hs_object_id"), js(r.json, "id"));
    assert_string_equal(js(r.json, "createdAt"), js(r.json, "updatedAt"));
    char *id = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?properties=hs_full_name_or_email", id);
    assert_string_equal(js(r.json, "properties.hs_full_name_or_email"), "Ann");
    fakehub_response_free(&r);
    /* The same address again: 409 with the existing id. */
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"ann.lee@example.io\"}}", &r);
    assert_error_body(&r, 409, "CONFLICT");
    char want[96];
    snprintf(want, sizeof want, "Contact already exists. Existing ID: %s", id);
    assert_string_equal(js(r.json, "message"), want);
    fakehub_response_free(&r);
    /* A JSON number for a number property, stored as a string. */
    req(&fh, "POST", "/crm/v3/objects/deals", "{\"properties\":{\"dealname\":\"Big\",\"amount\":1500}}", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(js(r.json, "properties.amount"), "1500");
    assert_string_equal(js(r.json, "properties.pipeline"), "default");
    assert_string_equal(js(r.json, "properties.dealstage"), "appointmentscheduled");
    fakehub_response_free(&r);
    free(id);
}

/* One PATCH that must fail with code; nothing may change. */
static void expect_invalid(const char *id, const char *props, const char *code)
{
    fakehub_response before, r, after;
    reqf(&fh, "GET", NULL, &before, "/crm/v3/objects/contacts/%s?properties=firstname", id);
    char *body = xasprintf("{\"properties\":%s}", props);
    reqf(&fh, "PATCH", body, &r, "/crm/v3/objects/contacts/%s", id);
    free(body);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_non_null(strstr(js(r.json, "message"), "Property values were not valid"));
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(jp(r.json, "errors"), i, e) {
        found = found || strcmp(js(e, "code"), code) == 0;
        assert_non_null(js(e, "message"));
        assert_true(json_is_array(jp(e, "context.propertyName")));
    }
    if (!found)
        fprintf(stderr, "expected %s in %s\n", code, r.body);
    assert_true(found);
    reqf(&fh, "GET", NULL, &after, "/crm/v3/objects/contacts/%s?properties=firstname", id);
    assert_string_equal(js(before.json, "updatedAt"), js(after.json, "updatedAt"));
    assert_true(json_equal(jp(before.json, "properties"), jp(after.json, "properties")));
    fakehub_response_free(&before);
    fakehub_response_free(&r);
    fakehub_response_free(&after);
}

static void test_validation(void **state)
{
    char *id = create_contact("{\"email\":\"val@example.io\",\"firstname\":\"Val\"}");
    expect_invalid(id, "{\"favcolor\":\"red\"}", "PROPERTY_DOESNT_EXIST");
    expect_invalid(id, "{\"firstname\":\"X\",\"lifecyclestage\":\"boss\"}", "INVALID_OPTION");
    expect_invalid(id, "{\"customer_tier\":\"Gold\"}", "INVALID_OPTION");
    expect_invalid(id, "{\"hs_buying_role\":\"CHAMPION;BOGUS\"}", "INVALID_OPTION");
    expect_invalid(id, "{\"birthday\":\"1714567890123\"}", "INVALID_DATE");
    expect_invalid(id, "{\"birthday\":\"2024-02-30\"}", "INVALID_DATE");
    expect_invalid(id, "{\"newsletter_opt_in\":\"yes\"}", "INVALID_BOOLEAN");
    expect_invalid(id, "{\"email\":\"not an address\"}", "INVALID_EMAIL");
    expect_invalid(id, "{\"hs_object_id\":\"5\"}", "READ_ONLY_VALUE");
    expect_invalid(id, "{\"lastmodifieddate\":\"1714567890123\"}", "READ_ONLY_VALUE");
    expect_invalid(id, "{\"hs_full_name_or_email\":\"X\"}", "READ_ONLY_VALUE");
    expect_invalid(id, "{\"firstname\":{\"nested\":1}}", "INVALID_PROPERTY_VALUE");
    fakehub_response r;
    req(&fh, "PATCH", "/crm/v3/objects/deals/1", "{\"properties\":{\"amount\":\"12,5\"}}", &r);
    assert_true(r.status == 400 || r.status == 404);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/deals", "{\"properties\":{\"dealname\":\"X\",\"amount\":\"12,5\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_string_equal(js(r.json, "errors.0.code"), "INVALID_DOUBLE");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/deals",
        "{\"properties\":{\"dealname\":\"X\",\"closedate\":\"2024-05-01\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    free(id);
}

static void test_patch_partial_and_clear(void **state)
{
    char *id = create_contact("{\"email\":\"pat@example.io\",\"firstname\":\"Pat\",\"lastname\":\"Doe\","
                              "\"jobtitle\":\"CTO\"}");
    fakehub_response before, r;
    reqf(&fh, "GET", NULL, &before, "/crm/v3/objects/contacts/%s?properties=jobtitle,lastname", id);
    usleep(5000);
    reqf(&fh, "PATCH", "{\"properties\":{\"lastname\":\"\",\"birthday\":\"1714521600000\","
         "\"hs_buying_role\":\"CHAMPION;END_USER\"}}", &r, "/crm/v3/objects/contacts/%s", id);
    assert_int_equal(r.status, 200);
    assert_true(json_is_null(jp(r.json, "properties.lastname")));
    assert_string_equal(js(r.json, "properties.birthday"), "2024-05-01");
    assert_string_equal(js(r.json, "properties.hs_buying_role"), "CHAMPION;END_USER");
    assert_string_equal(js(r.json, "updatedAt"), js(r.json, "properties.lastmodifieddate"));
    assert_true(strcmp(js(r.json, "updatedAt"), js(before.json, "updatedAt")) > 0);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?properties=jobtitle,lastname,firstname", id);
    assert_string_equal(js(r.json, "properties.jobtitle"), "CTO");   /* untouched */
    assert_string_equal(js(r.json, "properties.firstname"), "Pat");
    assert_true(json_is_null(jp(r.json, "properties.lastname")));
    fakehub_response_free(&r);
    /* Date-times are read back in UTC. */
    req(&fh, "POST", "/crm/v3/objects/deals",
        "{\"properties\":{\"dealname\":\"T\",\"closedate\":\"2024-05-01T11:00:00+02:00\"}}", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(js(r.json, "properties.closedate"), "2024-05-01T09:00:00.000Z");
    fakehub_response_free(&r);
    /* Another contact's address: 400 on update. */
    char *other = create_contact("{\"email\":\"taken@example.io\"}");
    reqf(&fh, "PATCH", "{\"properties\":{\"email\":\"taken@example.io\"}}", &r,
         "/crm/v3/objects/contacts/%s", id);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    reqf(&fh, "PATCH", "{\"properties\":{\"firstname\":\"Q\"}}", &r, "/crm/v3/objects/contacts/999999999");
    assert_error_body(&r, 404, "OBJECT_NOT_FOUND");
    fakehub_response_free(&r);
    fakehub_response_free(&before);
    free(id);
    free(other);
}

static void test_history(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1&properties=jobtitle", NULL, &r);
    char *id = xstrdup(js(r.json, "results.0.id"));
    char *original = xstrdup(js(r.json, "results.0.properties.lastname") ? js(r.json, "results.0.properties.lastname") : "");
    fakehub_response_free(&r);
    reqf(&fh, "PATCH", "{\"properties\":{\"lastname\":\"One\"}}", &r, "/crm/v3/objects/contacts/%s", id);
    fakehub_response_free(&r);
    reqf(&fh, "PATCH", "{\"properties\":{\"lastname\":\"Two\"}}", &r, "/crm/v3/objects/contacts/%s", id);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?propertiesWithHistory=lastname,firstname", id);
    json_t *h = jp(r.json, "propertiesWithHistory.lastname");
    assert_true(json_array_size(h) >= 2);
    assert_string_equal(js(h, "0.value"), "Two");   /* newest first */
    assert_string_equal(js(h, "0.sourceType"), "API");
    assert_string_equal(js(h, "1.value"), "One");
    assert_true(strcmp(js(h, "0.timestamp"), js(h, "1.timestamp")) >= 0);
    if (*original) {
        assert_int_equal(json_array_size(h), 3);
        assert_string_equal(js(h, "2.value"), original);
    }
    assert_int_equal(json_array_size(jp(r.json, "propertiesWithHistory.firstname")), 1);
    fakehub_response_free(&r);
    free(id);
    free(original);
}

static void test_lifecycle_kept_silently(void **state)
{
    char *id = create_contact("{\"email\":\"life@example.io\",\"lifecyclestage\":\"customer\"}");
    fakehub_response r;
    reqf(&fh, "PATCH", "{\"properties\":{\"lifecyclestage\":\"lead\",\"firstname\":\"L\"}}", &r,
         "/crm/v3/objects/contacts/%s", id);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?properties=lifecyclestage,firstname", id);
    assert_string_equal(js(r.json, "properties.lifecyclestage"), "customer");
    assert_string_equal(js(r.json, "properties.firstname"), "L");
    fakehub_response_free(&r);
    /* Forwards is fine; clearing first allows going back. */
    reqf(&fh, "PATCH", "{\"properties\":{\"lifecyclestage\":\"evangelist\"}}", &r, "/crm/v3/objects/contacts/%s", id);
    assert_string_equal(js(r.json, "properties.lifecyclestage"), "evangelist");
    fakehub_response_free(&r);
    reqf(&fh, "PATCH", "{\"properties\":{\"lifecyclestage\":\"\"}}", &r, "/crm/v3/objects/contacts/%s", id);
    fakehub_response_free(&r);
    reqf(&fh, "PATCH", "{\"properties\":{\"lifecyclestage\":\"subscriber\"}}", &r, "/crm/v3/objects/contacts/%s", id);
    assert_string_equal(js(r.json, "properties.lifecyclestage"), "subscriber");
    fakehub_response_free(&r);
    free(id);
}

static void test_lifecycle_strict(void **state)
{
    fakehub strict;
    FH_START(&strict, "--contacts", "3", "--strict-lifecycle");
    fakehub_response r;
    req(&strict, "POST", "/crm/v3/objects/companies",
        "{\"properties\":{\"name\":\"Strict\",\"lifecyclestage\":\"customer\"}}", &r);
    assert_int_equal(r.status, 201);
    char *id = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/crm/v3/objects/companies/%s", id);
    req(&strict, "PATCH", path, "{\"properties\":{\"lifecyclestage\":\"lead\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_string_equal(js(r.json, "errors.0.code"), "INVALID_LIFECYCLE_STAGE");
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&strict), 0);
    free(id);
}

static void test_archive(void **state)
{
    char *id = create_contact("{\"email\":\"gone@example.io\",\"firstname\":\"Gone\"}");
    fakehub_response r;
    reqf(&fh, "DELETE", NULL, &r, "/crm/v3/objects/contacts/%s", id);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s", id);
    assert_error_body(&r, 404, "OBJECT_NOT_FOUND");
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?archived=true", id);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(jp(r.json, "archived")));
    assert_non_null(js(r.json, "archivedAt"));
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts?archived=true&limit=100", NULL, &r);
    bool listed = false;
    size_t i;
    json_t *rec;
    json_array_foreach(jp(r.json, "results"), i, rec) {
        assert_true(json_is_true(json_object_get(rec, "archived")));
        listed = listed || strcmp(js(rec, "id"), id) == 0;
    }
    assert_true(listed);
    fakehub_response_free(&r);
    /* The address is free again; deleting twice is still 204. */
    char *again = create_contact("{\"email\":\"gone@example.io\"}");
    reqf(&fh, "DELETE", NULL, &r, "/crm/v3/objects/contacts/%s", id);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
    free(id);
    free(again);
}

static void test_associations_on_records(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/companies", "{\"properties\":{\"name\":\"Assoc Co\"}}", &r);
    char *company = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    char *body = xasprintf("{\"properties\":{\"email\":\"assoc@example.io\"},\"associations\":[{\"to\":"
                           "{\"id\":\"%s\"},\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\","
                           "\"associationTypeId\":1}]}]}", company);
    req(&fh, "POST", "/crm/v3/objects/contacts", body, &r);
    free(body);
    assert_int_equal(r.status, 201);
    char *contact = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?associations=companies,deals", contact);
    json_t *res = jp(r.json, "associations.companies.results");
    assert_int_equal(json_array_size(res), 2);   /* primary and unlabeled */
    assert_string_equal(js(res, "0.id"), company);
    assert_string_equal(js(res, "0.type"), "contact_to_company");
    assert_string_equal(js(res, "1.type"), "contact_to_company_unlabeled");
    assert_null(jp(r.json, "associations.deals"));
    fakehub_response_free(&r);
    /* A bad association type fails the create. */
    req(&fh, "POST", "/crm/v3/objects/contacts",
        "{\"properties\":{\"email\":\"bad-assoc@example.io\"},\"associations\":[{\"to\":{\"id\":\"1\"},"
        "\"types\":[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":3}]}]}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    free(company);
    free(contact);
}

static void test_merge(void **state)
{
    char *a = create_contact("{\"email\":\"keep@example.io\",\"firstname\":\"Keep\"}");
    char *b = create_contact("{\"email\":\"merge@example.io\",\"firstname\":\"Other\",\"jobtitle\":\"CFO\"}");
    fakehub_response r;
    char *body = xasprintf("{\"primaryObjectId\":\"%s\",\"objectIdToMerge\":\"%s\"}", a, b);
    req(&fh, "POST", "/crm/v3/objects/contacts/merge", body, &r);
    free(body);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "id"), a);
    assert_string_equal(js(r.json, "properties.firstname"), "Keep");
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?properties=jobtitle,hs_merged_object_ids", a);
    assert_string_equal(js(r.json, "properties.jobtitle"), "CFO");
    assert_string_equal(js(r.json, "properties.hs_merged_object_ids"), b);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s", b);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/line_items/merge", "{\"primaryObjectId\":\"1\",\"objectIdToMerge\":\"2\"}", &r);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    free(a);
    free(b);
}

static void test_gdpr_delete(void **state)
{
    char *id = create_contact("{\"email\":\"gdpr@example.io\"}");
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/gdpr-delete",
        "{\"objectId\":\"gdpr@example.io\",\"idProperty\":\"email\"}", &r);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?archived=true", id);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    free(id);
}

static void test_type_names_and_objects(void **state)
{
    fakehub_response r;
    static const char *const names[] = {"0-1", "contacts", "companies", "0-3", "tickets", "products",
                                        "line_items", "notes", "calls", "tasks", "vehicles",
                                        "p4242_vehicles"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/%s?limit=2", names[i]);
        assert_int_equal(r.status, 200);
        assert_record_shapes(jp(r.json, "results"));
        fakehub_response_free(&r);
    }
    req(&fh, "GET", "/crm-object-schemas/v3/schemas", NULL, &r);
    char *type_id = xstrdup(js(r.json, "results.0.objectTypeId"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/%s?limit=1&properties=vin", type_id);
    assert_int_equal(r.status, 200);
    assert_int_equal(strlen(js(r.json, "results.0.properties.vin")), 17);
    fakehub_response_free(&r);
    free(type_id);
    /* Engagements need hs_timestamp; tickets a stage; deal stages fit the pipeline. */
    req(&fh, "POST", "/crm/v3/objects/notes", "{\"properties\":{\"hs_note_body\":\"x\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/notes",
        "{\"properties\":{\"hs_note_body\":\"x\",\"hs_timestamp\":\"2024-05-01T10:00:00Z\"}}", &r);
    assert_int_equal(r.status, 201);
    assert_non_null(js(r.json, "properties.hs_createdate"));
    assert_non_null(js(r.json, "properties.hs_lastmodifieddate"));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/tickets", "{\"properties\":{\"subject\":\"x\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/deals",
        "{\"properties\":{\"dealname\":\"x\",\"pipeline\":\"default\",\"dealstage\":\"9340877\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_string_equal(js(r.json, "errors.0.code"), "INVALID_OPTION");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/deals",
        "{\"properties\":{\"dealname\":\"x\",\"dealstage\":\"closedwon\"}}", &r);
    assert_int_equal(r.status, 201);
    char *deal = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/deals/%s?properties=hs_is_closed", deal);
    assert_string_equal(js(r.json, "properties.hs_is_closed"), "true");
    fakehub_response_free(&r);
    free(deal);
}

static void test_date_based_versions(void **state)
{
    fakehub_response a, b;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=3", NULL, &a);
    req(&fh, "GET", "/crm/objects/2026-03/contacts?limit=3", NULL, &b);
    assert_int_equal(b.status, 200);
    assert_true(json_equal(jp(a.json, "results"), jp(b.json, "results")));
    fakehub_response_free(&b);
    reqf(&fh, "GET", NULL, &b, "/crm/objects/2025-09/contacts/%s", js(a.json, "results.0.id"));
    assert_int_equal(b.status, 200);
    fakehub_response_free(&b);
    req(&fh, "POST", "/crm/objects/2026-03/contacts/search", "{\"limit\":1}", &b);
    assert_int_equal(b.status, 200);
    assert_false(has_header(&b, "X-HubSpot-RateLimit-Max"));
    fakehub_response_free(&b);
    req(&fh, "GET", "/crm/objects/2099-01/contacts", NULL, &b);
    assert_int_equal(b.status, 404);
    fakehub_response_free(&b);
    /* The association archives answer 200 with a batch body there. */
    req(&fh, "POST", "/crm/associations/2026-03/contacts/companies/batch/archive",
        "{\"inputs\":[{\"from\":{\"id\":\"999999\"},\"to\":[{\"id\":\"1\"}]}]}", &b);
    assert_int_equal(b.status, 200);
    assert_string_equal(js(b.json, "status"), "COMPLETE");
    fakehub_response_free(&b);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/archive",
        "{\"inputs\":[{\"from\":{\"id\":\"999999\"},\"to\":[{\"id\":\"1\"}]}]}", &b);
    assert_int_equal(b.status, 204);
    fakehub_response_free(&b);
    fakehub_response_free(&a);
}

static void test_gzip(void **state)
{
    fakehub_call call = {.gzip = true};
    fakehub_response r;
    fakehub_call_http(&fh, "GET", "/crm/v3/objects/contacts?limit=50", NULL, &call, &r);
    char enc[32];
    assert_int_equal(r.status, 200);
    assert_non_null(fakehub_header(&r, "Content-Encoding", enc, sizeof enc));
    assert_string_equal(enc, "gzip");
    assert_int_equal(json_array_size(jp(r.json, "results")), 50);
    fakehub_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_shape),
        cmocka_unit_test(test_paging_to_the_end),
        cmocka_unit_test(test_properties_param),
        cmocka_unit_test(test_bad_list_params),
        cmocka_unit_test(test_get_and_404),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_patch_partial_and_clear),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_lifecycle_kept_silently),
        cmocka_unit_test(test_lifecycle_strict),
        cmocka_unit_test(test_archive),
        cmocka_unit_test(test_associations_on_records),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_gdpr_delete),
        cmocka_unit_test(test_type_names_and_objects),
        cmocka_unit_test(test_date_based_versions),
        cmocka_unit_test(test_gzip),
    };
    /* Started here, not in a group setup: a setup failure must fail the run. */
    const char *args[] = {"--contacts", "120", "--seed", "7", "--rate-limit", "off", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    int failed = cmocka_run_group_tests_name("fakehub objects", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
