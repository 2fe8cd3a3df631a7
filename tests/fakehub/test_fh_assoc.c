/* fakehub integration tests: associations v4 — type ids, numeric
 * toObjectId, paging, default and labelled writes (both directions, one
 * primary), pair deletes, batch calls and labels. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static fakehub fh;

static char *create(const char *type, const char *props)
{
    fakehub_response r;
    char *body = xasprintf("{\"properties\":%s}", props);
    reqf(&fh, "POST", body, &r, "/crm/v3/objects/%s", type);
    free(body);
    assert_int_equal(r.status, 201);
    char *id = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    return id;
}

/* The type ids between one contact and one company, as a bit set of the
 * ones this test uses (1, 279, user labels by position). */
static bool has_type(const char *from_type, const char *from, const char *to_type, const char *to, int type_id)
{
    fakehub_response r;
    reqf(&fh, "GET", NULL, &r, "/crm/v4/objects/%s/%s/associations/%s", from_type, from, to_type);
    bool found = false;
    size_t i, k;
    json_t *res, *t;
    json_array_foreach(jp(r.json, "results"), i, res) {
        if (json_integer_value(json_object_get(res, "toObjectId")) != atoll(to))
            continue;
        json_array_foreach(json_object_get(res, "associationTypes"), k, t)
            found = found || json_integer_value(json_object_get(t, "typeId")) == type_id;
    }
    fakehub_response_free(&r);
    return found;
}

static void test_list_shape(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
        "\"company\",\"operator\":\"HAS_PROPERTY\"}]}],\"limit\":1}", &r);
    char *contact = xstrdup(js(r.json, "results.0.id"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v4/objects/contacts/%s/associations/companies", contact);
    assert_int_equal(r.status, 200);
    json_t *first = jp(r.json, "results.0");
    assert_true(json_is_integer(json_object_get(first, "toObjectId")));
    int primaries = 0;
    size_t i;
    json_t *res;
    json_array_foreach(jp(r.json, "results"), i, res) {
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(res, "associationTypes"), k, t) {
            assert_string_equal(js(t, "category"), "HUBSPOT_DEFINED");
            long long id = ji(t, "typeId");
            assert_true(id == 1 || id == 279);
            if (id == 1) {
                primaries++;
                assert_string_equal(js(t, "label"), "Primary");
            } else {
                assert_true(json_is_null(json_object_get(t, "label")));
            }
        }
    }
    assert_int_equal(primaries, 1);   /* exactly one primary company */
    assert_null(jp(r.json, "paging"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v4/objects/contacts/%s/associations/companies?limit=501", contact);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v4/objects/contacts/999999999/associations/companies", NULL, &r);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    free(contact);
}

static void test_put_default_and_paging(void **state)
{
    char *company = create("companies", "{\"name\":\"Paging Co\"}");
    char *contacts[7];
    for (int i = 0; i < 7; i++) {
        char props[96];
        snprintf(props, sizeof props, "{\"email\":\"page%d@example.io\"}", i);
        contacts[i] = create("contacts", props);
        fakehub_response r;
        reqf(&fh, "PUT", NULL, &r, "/crm/v4/objects/companies/%s/associations/default/contacts/%s",
             company, contacts[i]);
        assert_int_equal(r.status, 200);
        assert_string_equal(js(r.json, "status"), "COMPLETE");
        assert_int_equal(json_array_size(jp(r.json, "results")), 2);   /* both directions */
        assert_string_equal(js(r.json, "results.0.from.id"), company);
        assert_string_equal(js(r.json, "results.0.to.id"), contacts[i]);
        assert_int_equal(ji(r.json, "results.0.associationSpec.associationTypeId"), 280);
        assert_int_equal(ji(r.json, "results.1.associationSpec.associationTypeId"), 279);
        fakehub_response_free(&r);
        assert_true(has_type("contacts", contacts[i], "companies", company, 279));
    }
    int seen = 0, pages = 0;
    char path[256];
    snprintf(path, sizeof path, "/crm/v4/objects/companies/%s/associations/contacts?limit=3", company);
    for (;;) {
        fakehub_response r;
        req(&fh, "GET", path, NULL, &r);
        assert_int_equal(r.status, 200);
        seen += (int)json_array_size(jp(r.json, "results"));
        pages++;
        const char *after = js(r.json, "paging.next.after");
        if (!after) {
            fakehub_response_free(&r);
            break;
        }
        char *enc = url_enc(after);
        snprintf(path, sizeof path, "/crm/v4/objects/companies/%s/associations/contacts?limit=3&after=%s",
                 company, enc);
        free(enc);
        fakehub_response_free(&r);
    }
    assert_int_equal(seen, 7);
    assert_int_equal(pages, 3);
    for (int i = 0; i < 7; i++)
        free(contacts[i]);
    free(company);
}

static void test_labelled_primary(void **state)
{
    char *a = create("companies", "{\"name\":\"First Co\"}");
    char *b = create("companies", "{\"name\":\"Second Co\"}");
    char *c = create("contacts", "{\"email\":\"primary@example.io\"}");
    static const char primary[] = "[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":1}]";
    fakehub_response r;
    reqf(&fh, "PUT", primary, &r, "/crm/v4/objects/contacts/%s/associations/companies/%s", c, a);
    assert_int_equal(r.status, 201);
    assert_string_equal(js(r.json, "fromObjectTypeId"), "0-1");
    assert_string_equal(js(r.json, "toObjectTypeId"), "0-2");
    assert_true(json_is_integer(jp(r.json, "fromObjectId")));
    assert_int_equal(ji(r.json, "toObjectId"), atoll(a));
    assert_string_equal(js(r.json, "labels.0"), "Primary");
    fakehub_response_free(&r);
    assert_true(has_type("contacts", c, "companies", a, 279));   /* the default comes along */
    assert_true(has_type("companies", a, "contacts", c, 2));     /* and the inverse */
    /* A new primary replaces the old one. */
    reqf(&fh, "PUT", primary, &r, "/crm/v4/objects/contacts/%s/associations/companies/%s", c, b);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    assert_true(has_type("contacts", c, "companies", b, 1));
    assert_false(has_type("contacts", c, "companies", a, 1));
    assert_true(has_type("contacts", c, "companies", a, 279));
    assert_false(has_type("companies", a, "contacts", c, 2));
    /* Bad type for the pair. */
    reqf(&fh, "PUT", "[{\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":3}]", &r,
         "/crm/v4/objects/contacts/%s/associations/companies/%s", c, b);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    reqf(&fh, "PUT", primary, &r, "/crm/v4/objects/contacts/%s/associations/companies/999999999", c);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    /* DELETE removes every type of the pair, both directions. */
    reqf(&fh, "DELETE", NULL, &r, "/crm/v4/objects/contacts/%s/associations/companies/%s", c, b);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
    assert_false(has_type("contacts", c, "companies", b, 1));
    assert_false(has_type("contacts", c, "companies", b, 279));
    assert_false(has_type("companies", b, "contacts", c, 280));
    free(a);
    free(b);
    free(c);
}

static void test_batch_calls(void **state)
{
    char *co = create("companies", "{\"name\":\"Batch Co\"}");
    char *c1 = create("contacts", "{\"email\":\"bat1@example.io\"}");
    char *c2 = create("contacts", "{\"email\":\"bat2@example.io\"}");
    char *lonely = create("contacts", "{\"email\":\"lonely@example.io\"}");
    fakehub_response r;
    char *body = xasprintf("{\"inputs\":[{\"from\":{\"id\":\"%s\"},\"to\":{\"id\":\"%s\"},\"types\":[{"
                           "\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":279}]},"
                           "{\"from\":{\"id\":\"%s\"},\"to\":{\"id\":\"%s\"},\"types\":[{"
                           "\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":1}]}]}",
                           c1, co, c2, co);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/create", body, &r);
    free(body);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_array_size(jp(r.json, "results")), 2);
    assert_string_equal(js(r.json, "results.1.labels.0"), "Primary");
    fakehub_response_free(&r);
    body = xasprintf("{\"inputs\":[{\"id\":\"%s\"},{\"id\":\"%s\"},{\"id\":\"%s\"}]}", c1, c2, lonely);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/read", body, &r);
    free(body);
    assert_int_equal(r.status, 207);
    assert_int_equal(json_array_size(jp(r.json, "results")), 2);
    assert_string_equal(js(r.json, "results.0.from.id"), c1);
    assert_int_equal(ji(r.json, "results.0.to.0.toObjectId"), atoll(co));
    assert_int_equal(ji(r.json, "numErrors"), 1);
    assert_string_equal(js(r.json, "errors.0.subCategory"), "crm.associations.NO_ASSOCIATIONS_FOUND");
    assert_string_equal(js(r.json, "errors.0.context.fromObjectId.0"), lonely);
    fakehub_response_free(&r);
    /* Removing the label keeps the pair; removing the default removes all. */
    body = xasprintf("{\"inputs\":[{\"from\":{\"id\":\"%s\"},\"to\":{\"id\":\"%s\"},\"types\":[{"
                     "\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":1}]}]}", c2, co);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/labels/archive", body, &r);
    free(body);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
    assert_false(has_type("contacts", c2, "companies", co, 1));
    assert_true(has_type("contacts", c2, "companies", co, 279));
    body = xasprintf("{\"inputs\":[{\"from\":{\"id\":\"%s\"},\"to\":[{\"id\":\"%s\"}]}]}", c1, co);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/archive", body, &r);
    free(body);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
    assert_false(has_type("contacts", c1, "companies", co, 279));
    body = xasprintf("{\"inputs\":[{\"from\":{\"id\":\"%s\"},\"to\":{\"id\":\"%s\"}}]}", lonely, co);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/associate/default", body, &r);
    free(body);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(jp(r.json, "results")), 2);
    fakehub_response_free(&r);
    assert_true(has_type("companies", co, "contacts", lonely, 280));
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/batch/read", "{\"inputs\":7}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    free(co);
    free(c1);
    free(c2);
    free(lonely);
}

/* A batch body of n inputs naming records that do not exist, in the
 * shape of one association batch call. */
static void assoc_inputs(strbuf *sb, const char *op, int n)
{
    strbuf_reset(sb);
    strbuf_puts(sb, "{\"inputs\":[");
    for (int i = 0; i < n; i++) {
        long long from = 900000000LL + i, to = 910000000LL + i;
        if (i)
            strbuf_putc(sb, ',');
        if (strcmp(op, "read") == 0)
            strbuf_printf(sb, "{\"id\":\"%lld\"}", from);
        else if (strcmp(op, "archive") == 0)
            strbuf_printf(sb, "{\"from\":{\"id\":\"%lld\"},\"to\":[{\"id\":\"%lld\"}]}", from, to);
        else if (strcmp(op, "associate/default") == 0)
            strbuf_printf(sb, "{\"from\":{\"id\":\"%lld\"},\"to\":{\"id\":\"%lld\"}}", from, to);
        else
            strbuf_printf(sb, "{\"from\":{\"id\":\"%lld\"},\"to\":{\"id\":\"%lld\"},\"types\":[{"
                          "\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":279}]}",
                          from, to);
    }
    strbuf_puts(sb, "]}");
}

/* Batch read takes up to 1,000 inputs, the writes up to 2,000
 * (hubspot-api.md §5); one more is a 400 for the whole call. */
static void test_batch_input_limits(void **state)
{
    static const struct { const char *op; int max; } calls[] = {
        {"read", 1000}, {"create", 2000}, {"associate/default", 2000}, {"archive", 2000},
        {"labels/archive", 2000},
    };
    strbuf body = {0};
    fakehub_response r;
    for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
        assoc_inputs(&body, calls[i].op, calls[i].max);
        reqf(&fh, "POST", strbuf_str(&body), &r, "/crm/v4/associations/contacts/companies/batch/%s",
             calls[i].op);
        if (r.status < 200 || r.status >= 300)
            fail_msg("batch/%s with %d inputs: HTTP %d %s", calls[i].op, calls[i].max, (int)r.status,
                     js(r.json, "message") ? js(r.json, "message") : "");
        fakehub_response_free(&r);
        assoc_inputs(&body, calls[i].op, calls[i].max + 1);
        reqf(&fh, "POST", strbuf_str(&body), &r, "/crm/v4/associations/contacts/companies/batch/%s",
             calls[i].op);
        assert_error_body(&r, 400, "VALIDATION_ERROR");
        assert_non_null(strstr(js(r.json, "message"), "Too many inputs"));
        fakehub_response_free(&r);
    }
    /* The dated path has the same limit. */
    assoc_inputs(&body, "read", 1001);
    req(&fh, "POST", "/crm/associations/2026-03/contacts/companies/batch/read", strbuf_str(&body), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    strbuf_free(&body);
}

static void test_labels(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v4/associations/contacts/companies/labels", NULL, &r);
    assert_int_equal(r.status, 200);
    bool primary = false, unlabeled = false;
    size_t i;
    json_t *l;
    json_array_foreach(jp(r.json, "results"), i, l) {
        primary = primary || (ji(l, "typeId") == 1 && strcmp(js(l, "label"), "Primary") == 0);
        unlabeled = unlabeled || (ji(l, "typeId") == 279 && json_is_null(json_object_get(l, "label")));
    }
    assert_true(primary && unlabeled);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/labels",
        "{\"label\":\"Billing contact\",\"name\":\"billing_contact\",\"inverseLabel\":\"Billing company\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "results.0.category"), "USER_DEFINED");
    long long type = ji(r.json, "results.0.typeId"), inverse = ji(r.json, "results.1.typeId");
    assert_true(type > 0 && inverse > 0 && type != inverse);
    assert_string_equal(js(r.json, "results.1.label"), "Billing company");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v4/associations/contacts/companies/labels",
        "{\"label\":\"Again\",\"name\":\"billing_contact\"}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    char *co = create("companies", "{\"name\":\"Label Co\"}");
    char *c = create("contacts", "{\"email\":\"label@example.io\"}");
    char *spec = xasprintf("[{\"associationCategory\":\"USER_DEFINED\",\"associationTypeId\":%lld}]", type);
    reqf(&fh, "PUT", spec, &r, "/crm/v4/objects/contacts/%s/associations/companies/%s", c, co);
    assert_int_equal(r.status, 201);
    assert_string_equal(js(r.json, "labels.0"), "Billing contact");
    fakehub_response_free(&r);
    assert_true(has_type("contacts", c, "companies", co, 279));
    assert_true(has_type("companies", co, "contacts", c, (int)inverse));
    char *relabel = xasprintf("{\"associationTypeId\":%lld,\"label\":\"Invoices to\"}", type);
    req(&fh, "PUT", "/crm/v4/associations/contacts/companies/labels", relabel, &r);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v4/objects/contacts/%s/associations/companies", c);
    bool renamed = false;
    json_array_foreach(jp(r.json, "results.0.associationTypes"), i, l)
        renamed = renamed || (js(l, "label") && strcmp(js(l, "label"), "Invoices to") == 0);
    assert_true(renamed);
    fakehub_response_free(&r);
    reqf(&fh, "DELETE", NULL, &r, "/crm/v4/associations/contacts/companies/labels/%lld", type);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
    assert_false(has_type("contacts", c, "companies", co, (int)type));
    assert_true(has_type("contacts", c, "companies", co, 279));
    req(&fh, "DELETE", "/crm/v4/associations/contacts/companies/labels/279", NULL, &r);
    assert_int_equal(r.status, 404);   /* HubSpot's own types cannot go */
    fakehub_response_free(&r);
    free(spec);
    free(relabel);
    free(co);
    free(c);
}

static void test_other_pairs(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/objects/vehicles?limit=1", NULL, &r);
    char *vehicle = xstrdup(js(r.json, "results.0.id"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v4/objects/vehicles/%s/associations/contacts", vehicle);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(jp(r.json, "results")), 1);
    assert_string_equal(js(r.json, "results.0.associationTypes.0.category"), "USER_DEFINED");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/deals?limit=20&associations=companies,line_items", NULL, &r);
    bool deal_company = false;
    size_t i;
    json_t *rec;
    json_array_foreach(jp(r.json, "results"), i, rec)
        deal_company = deal_company ||
                       (js(rec, "associations.companies.results.0.type") &&
                        strcmp(js(rec, "associations.companies.results.0.type"), "deal_to_company") == 0);
    assert_true(deal_company);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v4/associations/notes/contacts/labels", NULL, &r);
    assert_int_equal(ji(r.json, "results.0.typeId"), 202);
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v4/associations/products/contacts/labels", NULL, &r);
    assert_int_equal(json_array_size(jp(r.json, "results")), 0);
    fakehub_response_free(&r);
    free(vehicle);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_shape),
        cmocka_unit_test(test_put_default_and_paging),
        cmocka_unit_test(test_labelled_primary),
        cmocka_unit_test(test_batch_calls),
        cmocka_unit_test(test_batch_input_limits),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_other_pairs),
    };
    const char *args[] = {"--contacts", "80", "--seed", "5", "--rate-limit", "off", "--search-rate", "off", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    int failed = cmocka_run_group_tests_name("fakehub associations", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
