/* fakehub integration tests: the object types every portal has beyond the
 * core four — quotes (0-14), meetings (0-47), emails (0-49), and calls,
 * line items and products — with their properties, required-on-create
 * rules, association type ids and generated records. */
#include "fhtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static fakehub fh;

static json_t *dump(const char *type)
{
    fakehub_response r;
    reqf(&fh, "GET", NULL, &r, "/_fakehub/dump/%s", type);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    fakehub_response_free(&r);
    return j;
}

typedef struct type_case {
    const char *name, *type_id, *created, *modified;
} type_case;

static const type_case cases[] = {
    {"quotes", "0-14", "createdate", "hs_lastmodifieddate"},
    {"meetings", "0-47", "hs_createdate", "hs_lastmodifieddate"},
    {"emails", "0-49", "hs_createdate", "hs_lastmodifieddate"},
    {"calls", "0-48", "hs_createdate", "hs_lastmodifieddate"},
    {"line_items", "0-8", "createdate", "hs_lastmodifieddate"},
    {"products", "0-7", "createdate", "hs_lastmodifieddate"},
};

/* Listed by name and by type id alike, with HubSpot's created and
 * last-modified properties and the record shape. */
static void test_types_listed(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const type_case *c = &cases[i];
        fakehub_response a, b;
        reqf(&fh, "GET", NULL, &a, "/crm/v3/objects/%s?limit=3", c->name);
        reqf(&fh, "GET", NULL, &b, "/crm/v3/objects/%s?limit=3", c->type_id);
        assert_int_equal(a.status, 200);
        assert_int_equal(b.status, 200);
        assert_int_equal(json_array_size(jp(a.json, "results")), 3);
        assert_record_shapes(jp(a.json, "results"));
        assert_string_equal(js(a.json, "results.0.id"), js(b.json, "results.0.id"));
        char path[64];
        snprintf(path, sizeof path, "results.0.properties.%s", c->created);
        assert_non_null(js(a.json, path));
        snprintf(path, sizeof path, "results.0.properties.%s", c->modified);
        assert_non_null(js(a.json, path));
        fakehub_response_free(&a);
        fakehub_response_free(&b);
        /* The singular names them too. */
        char singular[32];
        snprintf(singular, sizeof singular, "%.*s", (int)strlen(c->name) - 1, c->name);
        reqf(&fh, "GET", NULL, &a, "/crm/v3/objects/%s?limit=1", singular);
        assert_int_equal(a.status, 200);
        fakehub_response_free(&a);
    }
}

static void assert_prop(const json_t *props, const char *name, const char *type,
                        const char *field_type)
{
    json_t *p = find_by(props, "name", name);
    if (!p)
        fprintf(stderr, "no property %s\n", name);
    assert_non_null(p);
    assert_string_equal(js(p, "type"), type);
    assert_string_equal(js(p, "fieldType"), field_type);
}

static void assert_options(const json_t *props, const char *name, const char *const *values,
                           size_t n)
{
    json_t *opts = jp(find_by(props, "name", name), "options");
    for (size_t i = 0; i < n; i++)
        assert_non_null(find_by(opts, "value", values[i]));
}

static void test_properties(void **state)
{
    fakehub_response r;
    req(&fh, "GET", "/crm/v3/properties/meetings", NULL, &r);
    json_t *p = jp(r.json, "results");
    assert_prop(p, "hs_timestamp", "datetime", "date");
    assert_prop(p, "hs_meeting_title", "string", "text");
    assert_prop(p, "hs_meeting_body", "string", "html");
    assert_prop(p, "hs_meeting_start_time", "datetime", "date");
    assert_prop(p, "hs_meeting_end_time", "datetime", "date");
    assert_prop(p, "hs_meeting_outcome", "enumeration", "select");
    static const char *const outcomes[] = {"SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW",
                                           "CANCELED"};
    assert_options(p, "hs_meeting_outcome", outcomes, ARRAY_SIZE(outcomes));
    assert_prop(p, "hubspot_owner_id", "enumeration", "select");
    fakehub_response_free(&r);

    req(&fh, "GET", "/crm/v3/properties/emails", NULL, &r);
    p = jp(r.json, "results");
    assert_prop(p, "hs_timestamp", "datetime", "date");
    assert_prop(p, "hs_email_subject", "string", "text");
    assert_prop(p, "hs_email_text", "string", "textarea");
    assert_prop(p, "hs_email_direction", "enumeration", "select");
    static const char *const dirs[] = {"EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"};
    assert_options(p, "hs_email_direction", dirs, ARRAY_SIZE(dirs));
    assert_prop(p, "hs_email_status", "enumeration", "select");
    static const char *const statuses[] = {"SENT", "BOUNCED", "FAILED", "SCHEDULED", "SENDING"};
    assert_options(p, "hs_email_status", statuses, ARRAY_SIZE(statuses));
    fakehub_response_free(&r);

    req(&fh, "GET", "/crm/v3/properties/quotes", NULL, &r);
    p = jp(r.json, "results");
    assert_prop(p, "hs_title", "string", "text");
    assert_prop(p, "hs_expiration_date", "datetime", "date");
    assert_prop(p, "hs_status", "enumeration", "select");
    static const char *const qstatus[] = {"DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL",
                                          "APPROVED", "REJECTED"};
    assert_options(p, "hs_status", qstatus, ARRAY_SIZE(qstatus));
    assert_true(json_is_true(jp(find_by(p, "name", "hs_quote_amount"),
                                "modificationMetadata.readOnlyValue")));
    fakehub_response_free(&r);

    /* The schema lists what a create must give. */
    req(&fh, "GET", "/crm-object-schemas/v3/schemas/0-14", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "objectTypeId"), "0-14");
    assert_string_equal(js(r.json, "primaryDisplayProperty"), "hs_title");
    json_t *required = jp(r.json, "requiredProperties");
    assert_int_equal(json_array_size(required), 2);
    assert_string_equal(json_string_value(json_array_get(required, 0)), "hs_title");
    assert_string_equal(json_string_value(json_array_get(required, 1)), "hs_expiration_date");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm-object-schemas/v3/schemas/meetings", NULL, &r);
    assert_string_equal(js(r.json, "requiredProperties.0"), "hs_timestamp");
    fakehub_response_free(&r);
}

/* Each missing required property is one REQUIRED_PROPERTY error; nothing
 * is written. */
static void assert_required(const char *type, const char *body, const char *const *missing,
                            size_t n)
{
    json_t *before = dump(type);
    fakehub_response r;
    reqf(&fh, "POST", body, &r, "/crm/v3/objects/%s", type);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    json_t *errors = jp(r.json, "errors");
    assert_int_equal(json_array_size(errors), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(js(json_array_get(errors, i), "code"), "REQUIRED_PROPERTY");
        assert_string_equal(js(json_array_get(errors, i), "context.propertyName.0"), missing[i]);
    }
    fakehub_response_free(&r);
    json_t *after = dump(type);
    assert_int_equal(ji(after, "total"), ji(before, "total"));
    json_decref(before);
    json_decref(after);
}

static void test_required_on_create(void **state)
{
    static const char *const both[] = {"hs_title", "hs_expiration_date"};
    assert_required("quotes", "{\"properties\":{}}", both, 2);
    assert_required("quotes", "{\"properties\":{\"hs_title\":\"Q\"}}", both + 1, 1);
    assert_required("quotes", "{\"properties\":{\"hs_title\":\"\",\"hs_expiration_date\":"
                    "\"1767225600000\"}}", both, 1);
    static const char *const ts[] = {"hs_timestamp"};
    assert_required("meetings", "{\"properties\":{\"hs_meeting_title\":\"Demo\"}}", ts, 1);
    assert_required("0-49", "{\"properties\":{\"hs_email_subject\":\"Hi\"}}", ts, 1);
    assert_required("calls", "{\"properties\":{\"hs_call_title\":\"Hi\"}}", ts, 1);

    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/quotes", "{\"properties\":{\"hs_title\":\"Annual plan\","
        "\"hs_expiration_date\":\"2026-01-31T00:00:00Z\",\"hs_status\":\"DRAFT\"}}", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(js(r.json, "properties.hs_expiration_date"), "2026-01-31T00:00:00.000Z");
    assert_non_null(js(r.json, "properties.createdate"));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/quotes", "{\"properties\":{\"hs_title\":\"Bad\","
        "\"hs_expiration_date\":\"2026-01-31T00:00:00Z\",\"hs_status\":\"SENT\"}}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_string_equal(js(r.json, "errors.0.code"), "INVALID_OPTION");
    fakehub_response_free(&r);
    /* A PATCH need not repeat them. */
    req(&fh, "POST", "/crm/v3/objects/meetings", "{\"properties\":{\"hs_timestamp\":"
        "\"1767225600000\",\"hs_meeting_title\":\"Kick-off\",\"hs_meeting_outcome\":\"SCHEDULED\"}}", &r);
    assert_int_equal(r.status, 201);
    char *id = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    reqf(&fh, "PATCH", "{\"properties\":{\"hs_meeting_outcome\":\"COMPLETED\"}}", &r,
         "/crm/v3/objects/meetings/%s", id);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "properties.hs_meeting_outcome"), "COMPLETED");
    fakehub_response_free(&r);
    free(id);
    /* Products and line items have no required property. */
    req(&fh, "POST", "/crm/v3/objects/products", "{\"properties\":{}}", &r);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/line_items", "{\"properties\":{\"quantity\":\"2\",\"price\":\"10\"}}", &r);
    assert_int_equal(r.status, 201);
    id = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/line_items/%s?properties=amount", id);
    assert_non_null(js(r.json, "properties.amount"));
    assert_true(atof(js(r.json, "properties.amount")) == 20.0);
    fakehub_response_free(&r);
    free(id);
}

/* HubSpot's association type ids, both directions. */
static void test_association_type_ids(void **state)
{
    static const struct { const char *from, *to; int id; } want[] = {
        {"meetings", "contacts", 200}, {"contacts", "meetings", 199},
        {"meetings", "companies", 188}, {"companies", "meetings", 187},
        {"meetings", "deals", 212}, {"deals", "meetings", 211},
        {"meetings", "tickets", 226}, {"tickets", "meetings", 225},
        {"emails", "contacts", 198}, {"contacts", "emails", 197},
        {"emails", "companies", 186}, {"companies", "emails", 185},
        {"emails", "deals", 210}, {"deals", "emails", 209},
        {"emails", "tickets", 224}, {"tickets", "emails", 223},
        {"quotes", "deals", 64}, {"deals", "quotes", 63},
        {"quotes", "line_items", 67}, {"line_items", "quotes", 68},
        {"quotes", "contacts", 69}, {"contacts", "quotes", 70},
        {"quotes", "companies", 71}, {"companies", "quotes", 72},
        {"calls", "contacts", 194}, {"line_items", "deals", 20},
    };
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        fakehub_response r;
        reqf(&fh, "GET", NULL, &r, "/crm/v4/associations/%s/%s/labels", want[i].from, want[i].to);
        assert_int_equal(r.status, 200);
        if (ji(r.json, "results.0.typeId") != want[i].id)
            fprintf(stderr, "%s → %s: %s\n", want[i].from, want[i].to, r.body);
        assert_int_equal(ji(r.json, "results.0.typeId"), want[i].id);
        assert_string_equal(js(r.json, "results.0.category"), "HUBSPOT_DEFINED");
        fakehub_response_free(&r);
    }
    /* Products are not associated with anything. */
    fakehub_response r;
    req(&fh, "PUT", "/crm/v4/objects/products/1/associations/default/deals/1", NULL, &r);
    assert_int_equal(r.status / 100, 4);
    fakehub_response_free(&r);
}

/* An email made with an association is seen from the contact's side with
 * the inverse type. */
static void test_create_with_association(void **state)
{
    json_t *contacts = dump("contacts");
    const char *cid = js(contacts, "results.0.id");
    char *body = xasprintf("{\"properties\":{\"hs_timestamp\":\"2025-05-01T10:00:00Z\","
                           "\"hs_email_subject\":\"Contract\",\"hs_email_direction\":\"EMAIL\"},"
                           "\"associations\":[{\"to\":{\"id\":\"%s\"},\"types\":[{"
                           "\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":198}]}]}", cid);
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/emails", body, &r);
    assert_int_equal(r.status, 201);
    char *eid = xstrdup(js(r.json, "id"));
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v4/objects/contacts/%s/associations/emails", cid);
    assert_int_equal(r.status, 200);
    bool found = false;
    size_t i;
    json_t *v;
    json_array_foreach(jp(r.json, "results"), i, v)
        if (json_integer_value(jp(v, "toObjectId")) == atoll(eid)) {
            found = true;
            assert_int_equal(ji(v, "associationTypes.0.typeId"), 197);
        }
    assert_true(found);
    fakehub_response_free(&r);
    free(eid);
    free(body);
    json_decref(contacts);
}

static const json_t *first_assoc(const json_t *rec, const char *type)
{
    return json_array_get(jp(rec, "associations") ? json_object_get(jp(rec, "associations"), type)
                                                  : NULL, 0);
}

/* Generated engagements hang off contacts; a quote belongs to one deal,
 * carries that deal's line items and their total as its amount. */
static void test_generated_associations(void **state)
{
    const char *const engagements[][2] = {{"meetings", "200"}, {"emails", "198"}};
    for (size_t k = 0; k < 2; k++) {
        json_t *d = dump(engagements[k][0]);
        assert_true(ji(d, "total") >= 5);
        size_t i;
        json_t *rec;
        json_array_foreach(jp(d, "results"), i, rec) {
            const json_t *c = first_assoc(rec, "contacts");
            if (!c)
                continue;   /* one made by another test */
            assert_int_equal(ji(c, "types.0.typeId"), atoi(engagements[k][1]));
            assert_non_null(js(rec, "properties.hs_timestamp"));
        }
        json_decref(d);
    }
    json_t *quotes = dump("quotes"), *lines = dump("line_items");
    size_t i, checked = 0;
    json_t *q;
    json_array_foreach(jp(quotes, "results"), i, q) {
        const json_t *deal = first_assoc(q, "deals");
        if (!deal)
            continue;
        assert_int_equal(ji(deal, "types.0.typeId"), 64);
        double total = 0;
        size_t k;
        json_t *li;
        json_array_foreach(json_object_get(jp(q, "associations"), "line_items"), k, li) {
            assert_int_equal(ji(li, "types.0.typeId"), 67);
            const json_t *line = find_by(jp(lines, "results"), "id", js(li, "id"));
            assert_non_null(line);
            /* The line item belongs to the quote's deal. */
            assert_string_equal(js(first_assoc(line, "deals"), "id"), js(deal, "id"));
            total += atof(js(line, "properties.amount"));
        }
        const char *amount = js(q, "properties.hs_quote_amount");
        if (total > 0) {
            assert_non_null(amount);
            assert_true(fabs(atof(amount) - total) < 0.01);
            checked++;
        }
    }
    assert_true(checked > 0);
    json_decref(quotes);
    json_decref(lines);
}

/* Search works on the new types like any other, on enumerations and on
 * the engagement timestamp. */
static void test_search(void **state)
{
    json_t *d = dump("meetings");
    long long completed = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(jp(d, "results"), i, rec) {
        const char *o = js(rec, "properties.hs_meeting_outcome");
        completed += o && strcmp(o, "COMPLETED") == 0;
    }
    json_decref(d);
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/meetings/search", "{\"filterGroups\":[{\"filters\":[{"
        "\"propertyName\":\"hs_meeting_outcome\",\"operator\":\"EQ\",\"value\":\"COMPLETED\"}]}]}", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(ji(r.json, "total"), completed);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/0-49/search", "{\"filterGroups\":[{\"filters\":[{"
        "\"propertyName\":\"hs_timestamp\",\"operator\":\"GTE\",\"value\":\"0\"}]}],"
        "\"sorts\":[{\"propertyName\":\"hs_timestamp\",\"direction\":\"DESCENDING\"}]}", &r);
    assert_int_equal(r.status, 200);
    assert_true(ji(r.json, "total") > 0);
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/quotes/search", "{\"query\":\"quote\"}", &r);
    assert_int_equal(r.status, 200);
    assert_true(ji(r.json, "total") > 0);
    fakehub_response_free(&r);
}

/* Quotes have scopes of their own; meetings and emails go with contacts. */
static void test_scopes(void **state)
{
    fakehub s;
    FH_START(&s, "--contacts", "20", "--token", "contacts-only", "--scopes",
             "contacts-only=crm.objects.contacts.read");
    fakehub_response r;
    fakehub_call call = {.token = "contacts-only"};
    fakehub_call_http(&s, "GET", "/crm/v3/objects/meetings", NULL, &call, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    fakehub_call_http(&s, "GET", "/crm/v3/objects/emails", NULL, &call, &r);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    fakehub_call_http(&s, "GET", "/crm/v3/objects/quotes", NULL, &call, &r);
    assert_error_body(&r, 403, "MISSING_SCOPES");
    assert_string_equal(js(r.json, "errors.0.context.requiredGranularScopes.0"),
                        "crm.objects.quotes.read");
    fakehub_response_free(&r);
    assert_int_equal(fakehub_stop(&s), 0);
}

/* The counts can be set, and the same seed gives the same records. */
static void test_counts_and_seed(void **state)
{
    json_t *first[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        fakehub s;
        FH_START(&s, "--contacts", "30", "--quotes", "4", "--meetings", "6", "--emails", "0",
                 "--seed", "17");
        fakehub_response r;
        req(&s, "GET", "/_fakehub/dump/quotes", NULL, &r);
        assert_int_equal(ji(r.json, "total"), 4);
        fakehub_response_free(&r);
        req(&s, "GET", "/_fakehub/dump/emails", NULL, &r);
        assert_int_equal(ji(r.json, "total"), 0);
        fakehub_response_free(&r);
        req(&s, "GET", "/_fakehub/dump/meetings", NULL, &r);
        assert_int_equal(ji(r.json, "total"), 6);
        first[k] = json_incref(jp(r.json, "results"));
        fakehub_response_free(&r);
        assert_int_equal(fakehub_stop(&s), 0);
    }
    assert_true(json_equal(first[0], first[1]));
    json_decref(first[0]);
    json_decref(first[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_listed),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_required_on_create),
        cmocka_unit_test(test_association_type_ids),
        cmocka_unit_test(test_create_with_association),
        cmocka_unit_test(test_generated_associations),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_counts_and_seed),
    };
    /* test_search compares search with the dump right after other tests
     * wrote: it is about the new types, not index lag. */
    const char *args[] = {"--contacts", "200", "--seed", "5", "--rate-limit", "off",
                          "--search-rate", "off", "--search-lag", "0", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    int failed = cmocka_run_group_tests_name("fakehub types", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
