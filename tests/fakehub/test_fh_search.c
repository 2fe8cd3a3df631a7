/* fakehub integration tests: CRM search — operators checked against a dump
 * of the data, typed comparisons, sorts, free-text query, paging and the
 * 10,000-result cap, filter caps, and no rate-limit headers. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define CONTACTS 12000

static fakehub fh;
static json_t *contacts;    /* dump: every contact with every property */
static json_t *companies;

static json_t *dump(const char *type)
{
    fakehub_response r;
    reqf(&fh, "GET", NULL, &r, "/_fakehub/dump/%s", type);
    json_t *j = json_incref(jp(r.json, "results"));
    fakehub_response_free(&r);
    return j;
}

static long long search_total(const char *type, const char *body)
{
    fakehub_response r;
    reqf(&fh, "POST", body, &r, "/crm/v3/objects/%s/search", type);
    if (r.status != 200)
        fprintf(stderr, "search failed %ld: %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    long long total = ji(r.json, "total");
    fakehub_response_free(&r);
    return total;
}

/* Count dump records whose property satisfies pred. */
static long long count_where(json_t *records, const char *prop, bool (*pred)(const char *v, const void *arg),
                             const void *arg)
{
    long long n = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec)
        n += pred(json_string_value(jp(json_object_get(rec, "properties"), prop)), arg);
    return n;
}

static bool is_equal(const char *v, const void *arg) { return v && strcasecmp(v, arg) == 0; }
static bool not_equal(const char *v, const void *arg) { return !v || strcasecmp(v, arg) != 0; }
static bool present(const char *v, const void *arg) { return v != NULL; }
static bool number_above(const char *v, const void *arg) { return v && atof(v) > *(const double *)arg; }

static bool in_list(const char *v, const void *arg)
{
    for (const char *const *s = arg; *s; s++)
        if (v && strcasecmp(v, *s) == 0)
            return true;
    return false;
}

static void test_empty_body_and_headers(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{}", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(ji(r.json, "total"), CONTACTS);
    assert_int_equal(json_array_size(jp(r.json, "results")), 10);
    assert_record_shapes(jp(r.json, "results"));
    assert_int_equal(json_object_size(jp(r.json, "results.0.properties")), 6);
    assert_string_equal(js(r.json, "paging.next.after"), "10");
    assert_false(has_header(&r, "X-HubSpot-RateLimit-Max"));
    assert_false(has_header(&r, "X-HubSpot-RateLimit-Remaining"));
    assert_false(has_header(&r, "X-HubSpot-RateLimit-Daily"));
    assert_null(jp(r.json, "results.0.associations"));
    fakehub_response_free(&r);
    /* A normal call has them. */
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=1", NULL, &r);
    assert_true(has_header(&r, "X-HubSpot-RateLimit-Daily"));
    fakehub_response_free(&r);
}

static void test_paging_and_cap(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{\"limit\":201}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{\"limit\":200,\"after\":\"9900\"}", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(ji(r.json, "total"), CONTACTS);   /* the true total */
    assert_int_equal(json_array_size(jp(r.json, "results")), 100);
    assert_string_equal(js(r.json, "paging.next.after"), "10000");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{\"limit\":10,\"after\":\"10000\"}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{\"after\":\"abc\"}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    /* Pages of companies in creation order, to the end, nothing repeated. */
    long long seen = 0, prev = 0;
    char after[32] = "0";
    for (int guard = 0; guard < 100; guard++) {
        char *body = xasprintf("{\"limit\":7,\"after\":\"%s\"}", after);
        req(&fh, "POST", "/crm/v3/objects/companies/search", body, &r);
        free(body);
        size_t i;
        json_t *rec;
        json_array_foreach(jp(r.json, "results"), i, rec) {
            long long id = atoll(js(rec, "id"));
            assert_true(id > prev);
            prev = id;
            seen++;
        }
        bool more = jp(r.json, "paging") != NULL;
        if (more)
            snprintf(after, sizeof after, "%s", js(r.json, "paging.next.after"));
        fakehub_response_free(&r);
        if (!more)
            break;
    }
    assert_int_equal(seen, (long long)json_array_size(companies));
}

static void test_operators_against_dump(void **state)
{
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"customer\"}]}]}"),
                     count_where(contacts, "lifecyclestage", is_equal, "customer"));
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lifecyclestage\",\"operator\":\"NEQ\",\"value\":\"Customer\"}]}]}"),
                     count_where(contacts, "lifecyclestage", not_equal, "customer"));
    static const char *const two[] = {"lead", "opportunity", NULL};
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lifecyclestage\",\"operator\":\"IN\",\"values\":[\"lead\",\"opportunity\"]}]}]}"),
                     count_where(contacts, "lifecyclestage", in_list, two));
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lifecyclestage\",\"operator\":\"NOT_IN\",\"values\":[\"lead\",\"opportunity\"]}]}]}"),
                     CONTACTS - count_where(contacts, "lifecyclestage", in_list, two));
    long long with_phone = count_where(contacts, "phone", present, NULL);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"phone\",\"operator\":\"HAS_PROPERTY\"}]}]}"), with_phone);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"phone\",\"operator\":\"NOT_HAS_PROPERTY\"}]}]}"), CONTACTS - with_phone);
    /* Groups are ORed, filters ANDed. */
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"lead\"}]},{\"filters\":["
                     "{\"propertyName\":\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"opportunity\"}]}]}"),
                     count_where(contacts, "lifecyclestage", in_list, two));
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"lead\"},{\"propertyName\":"
                     "\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"opportunity\"}]}]}"), 0);
    /* Numbers compare as numbers, not text. */
    double above = 5000;
    assert_int_equal(search_total("companies", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"numberofemployees\",\"operator\":\"GT\",\"value\":\"5000\"}]}]}"),
                     count_where(companies, "numberofemployees", number_above, &above));
}

static void test_time_and_id_filters(void **state)
{
    /* Dates are epoch ms; ranges add up. */
    long long ms = search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                                "\"createdate\",\"operator\":\"GTE\",\"value\":\"1672531200000\"}]}]}");
    long long below = search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                                   "\"createdate\",\"operator\":\"LT\",\"value\":\"1672531200000\"}]}]}");
    assert_true(ms > 0 && below > 0);
    assert_int_equal(ms + below, CONTACTS);
    long long lo = atoll(js(contacts, "100.id")), hi = atoll(js(contacts, "199.id"));
    char *body = xasprintf("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\","
                           "\"operator\":\"BETWEEN\",\"value\":\"%lld\",\"highValue\":\"%lld\"}]}]}", lo, hi);
    assert_int_equal(search_total("contacts", body), 100);
    free(body);
    body = xasprintf("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\","
                     "\"operator\":\"IN\",\"values\":[\"%lld\",\"%lld\",\"1\"]}]}]}", lo, hi);
    assert_int_equal(search_total("contacts", body) >= 2, true);
    free(body);
    /* Date-only properties compare at midnight. */
    long long before = search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                                    "\"birthday\",\"operator\":\"LT\",\"value\":\"315532800000\"}]}]}");
    long long after = search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                                   "\"birthday\",\"operator\":\"GTE\",\"value\":\"315532800000\"}]}]}");
    long long any = search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                                 "\"birthday\",\"operator\":\"HAS_PROPERTY\"}]}]}");
    assert_int_equal(before + after, any);
}

/* Date and date-time filter values other than epoch ms — a bare date, an
 * ISO date-time, words — are refused the way HubSpot refuses them: 400 with
 * its vague message and no category. */
static void test_time_filters_take_epoch_ms_only(void **state)
{
    static const char *const bad[] = {
        "{\"propertyName\":\"createdate\",\"operator\":\"GTE\",\"value\":\"2021-01-01\"}",
        "{\"propertyName\":\"createdate\",\"operator\":\"GTE\",\"value\":\"2023-01-01T00:00:00Z\"}",
        "{\"propertyName\":\"lastmodifieddate\",\"operator\":\"LT\",\"value\":\"2023-01-01T00:00:00.000Z\"}",
        "{\"propertyName\":\"createdate\",\"operator\":\"GT\",\"value\":\"soon\"}",
        "{\"propertyName\":\"createdate\",\"operator\":\"GT\",\"value\":\"1672531200000.5\"}",
        "{\"propertyName\":\"createdate\",\"operator\":\"BETWEEN\",\"value\":\"1672531200000\","
        "\"highValue\":\"2024-01-01\"}",
        "{\"propertyName\":\"createdate\",\"operator\":\"IN\",\"values\":[\"1672531200000\",\"2024-01-01\"]}",
        "{\"propertyName\":\"birthday\",\"operator\":\"EQ\",\"value\":\"1980-01-01\"}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *body = xasprintf("{\"filterGroups\":[{\"filters\":[%s]}]}", bad[i]);
        fakehub_response r;
        req(&fh, "POST", "/crm/v3/objects/contacts/search", body, &r);
        if (r.status != 400)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        assert_int_equal(r.status, 400);
        assert_string_equal(js(r.json, "status"), "error");
        assert_string_equal(js(r.json, "message"), "There was a problem with the request.");
        assert_int_equal(strlen(js(r.json, "correlationId")), 36);
        assert_null(jp(r.json, "category"));
        fakehub_response_free(&r);
        free(body);
    }
    /* Epoch ms as a string or a JSON number; words may still be tokens. */
    assert_true(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                "\"createdate\",\"operator\":\"GTE\",\"value\":1672531200000}]}]}") > 0);
    assert_true(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                "\"createdate\",\"operator\":\"LT\",\"value\":\"-1\"}]}]}") == 0);
    assert_true(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                "\"createdate\",\"operator\":\"HAS_PROPERTY\"}]}]}") > 0);
}

static void test_contains_token(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"zed.quill@nebula-works.io\","
        "\"firstname\":\"Zed Alpha\",\"jobtitle\":\"Head of Quokkas\"}}", &r);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"firstname\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"zed\"}]}]}"), 1);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"firstname\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"ze\"}]}]}"), 0);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"email\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"*@nebula-works.io\"}]}]}"), 1);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"jobtitle\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"quok*\"}]}]}"), 1);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"jobtitle\",\"operator\":\"NOT_CONTAINS_TOKEN\",\"value\":\"quok*\"}]}]}"), CONTACTS);
    /* Free text: words start with the terms, in any searched field. */
    assert_int_equal(search_total("contacts", "{\"query\":\"nebula\"}"), 1);
    assert_int_equal(search_total("contacts", "{\"query\":\"ZED alp\"}"), 1);
    assert_int_equal(search_total("contacts", "{\"query\":\"ebula\"}"), 0);
    req(&fh, "POST", "/crm/v3/objects/contacts/search",
        "{\"query\":\"zed\",\"filterGroups\":[{\"filters\":[{\"propertyName\":\"email\",\"operator\":"
        "\"EQ\",\"value\":\"ZED.QUILL@nebula-works.io\"}]}],\"properties\":[\"jobtitle\"]}", &r);
    assert_int_equal(ji(r.json, "total"), 1);
    assert_string_equal(js(r.json, "results.0.properties.jobtitle"), "Head of Quokkas");
    assert_null(jp(r.json, "paging"));
    fakehub_response_free(&r);
    req(&fh, "DELETE", "/crm/v3/objects/contacts/zed.quill@nebula-works.io?idProperty=email", NULL, &r);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
}

/* Text beyond ASCII compares byte for byte (UTF-8 matches itself): EQ, IN
 * and the free-text query find "Müller" as they find "Miller". */
static void test_non_ascii_text(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"email\":\"jose.muller@umlaut.example\","
        "\"firstname\":\"José\",\"lastname\":\"Müllerstraße\",\"city\":\"Ærøskøbing\"}}", &r);
    assert_int_equal(r.status, 201);
    fakehub_response_free(&r);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lastname\",\"operator\":\"EQ\",\"value\":\"Müllerstraße\"}]}]}"), 1);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"lastname\",\"operator\":\"EQ\",\"value\":\"müllerSTRAßE\"}]}]}"), 1);
    assert_int_equal(search_total("contacts", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":"
                     "\"firstname\",\"operator\":\"IN\",\"values\":[\"josé\",\"nobody\"]},"
                     "{\"propertyName\":\"city\",\"operator\":\"EQ\",\"value\":\"Ærøskøbing\"}]}]}"), 1);
    assert_int_equal(search_total("contacts", "{\"query\":\"müllerstr\"}"), 1);
    assert_int_equal(search_total("contacts", "{\"query\":\"José müllerstraße\"}"), 1);
    req(&fh, "DELETE", "/crm/v3/objects/contacts/jose.muller@umlaut.example?idProperty=email", NULL, &r);
    assert_int_equal(r.status, 204);
    fakehub_response_free(&r);
}

static void assert_sorted(const char *type, const char *body, const char *prop, bool numeric, bool desc)
{
    fakehub_response r;
    reqf(&fh, "POST", body, &r, "/crm/v3/objects/%s/search", type);
    assert_int_equal(r.status, 200);
    json_t *res = jp(r.json, "results");
    assert_true(json_array_size(res) > 10);
    for (size_t i = 1; i < json_array_size(res); i++) {
        const char *a = json_string_value(json_object_get(jp(json_array_get(res, i - 1), "properties"), prop));
        const char *b = json_string_value(json_object_get(jp(json_array_get(res, i), "properties"), prop));
        if (!a || !b) {
            assert_true(b == NULL || a != NULL);   /* missing values come last */
            continue;
        }
        int c = numeric ? (atof(a) > atof(b)) - (atof(a) < atof(b)) : strcasecmp(a, b);
        assert_true(desc ? c >= 0 : c <= 0);
    }
    fakehub_response_free(&r);
}

static void test_sorts(void **state)
{
    assert_sorted("contacts", "{\"limit\":200,\"sorts\":[{\"propertyName\":\"lastmodifieddate\","
                  "\"direction\":\"ASCENDING\"}],\"properties\":[\"lastmodifieddate\"]}",
                  "lastmodifieddate", false, false);
    assert_sorted("companies", "{\"limit\":200,\"sorts\":[{\"propertyName\":\"numberofemployees\","
                  "\"direction\":\"DESCENDING\"}],\"properties\":[\"numberofemployees\"]}",
                  "numberofemployees", true, true);
    assert_sorted("contacts", "{\"limit\":200,\"sorts\":[\"jobtitle\"],\"properties\":[\"jobtitle\"]}",
                  "jobtitle", false, false);
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/search", "{\"sorts\":[{\"propertyName\":\"nope\"}]}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
}

static void test_incremental_sync_pattern(void **state)
{
    fakehub_response r;
    int64_t start = time_now_ms() - 1;
    reqf(&fh, "PATCH", "{\"properties\":{\"jobtitle\":\"Moved\"}}", &r, "/crm/v3/objects/contacts/%s",
         js(contacts, "5.id"));
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    char *body = xasprintf("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\","
                           "\"operator\":\"GTE\",\"value\":\"%lld\"}]}],\"sorts\":[{\"propertyName\":"
                           "\"lastmodifieddate\",\"direction\":\"ASCENDING\"}],\"limit\":200}",
                           (long long)start);
    req(&fh, "POST", "/crm/v3/objects/contacts/search", body, &r);
    free(body);
    assert_true(ji(r.json, "total") >= 1);
    bool found = false;
    size_t i;
    json_t *rec;
    json_array_foreach(jp(r.json, "results"), i, rec)
        found = found || strcmp(js(rec, "id"), js(contacts, "5.id")) == 0;
    assert_true(found);
    fakehub_response_free(&r);
}

static void test_caps_and_errors(void **state)
{
    strbuf sb = {0};
    strbuf_puts(&sb, "{\"filterGroups\":[");
    for (int g = 0; g < 6; g++)
        strbuf_printf(&sb, "%s{\"filters\":[{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}]}", g ? "," : "");
    strbuf_puts(&sb, "]}");
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/search", strbuf_str(&sb), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    strbuf_reset(&sb);
    strbuf_puts(&sb, "{\"filterGroups\":[{\"filters\":[");
    for (int f = 0; f < 11; f++)
        strbuf_printf(&sb, "%s{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}", f ? "," : "");
    strbuf_puts(&sb, "]}]}");
    req(&fh, "POST", "/crm/v3/objects/contacts/search", strbuf_str(&sb), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    strbuf_reset(&sb);   /* 3 groups of 9: within per-group, over 25 in all */
    strbuf_puts(&sb, "{\"filterGroups\":[");
    for (int g = 0; g < 3; g++) {
        strbuf_puts(&sb, g ? ",{\"filters\":[" : "{\"filters\":[");
        for (int f = 0; f < 9; f++)
            strbuf_printf(&sb, "%s{\"propertyName\":\"email\",\"operator\":\"HAS_PROPERTY\"}", f ? "," : "");
        strbuf_puts(&sb, "]}");
    }
    strbuf_puts(&sb, "]}");
    req(&fh, "POST", "/crm/v3/objects/contacts/search", strbuf_str(&sb), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    strbuf_free(&sb);
    static const char *const bad[] = {
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"nope\",\"operator\":\"EQ\",\"value\":\"1\"}]}]}",
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"email\",\"operator\":\"LIKE\",\"value\":\"1\"}]}]}",
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"GT\",\"value\":\"many\"}]}]}",
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"email\",\"operator\":\"IN\"}]}]}",
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"email\",\"operator\":\"EQ\"}]}]}",
        "[1,2]",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        req(&fh, "POST", "/crm/v3/objects/contacts/search", bad[i], &r);
        assert_error_body(&r, 400, "VALIDATION_ERROR");
        fakehub_response_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_body_and_headers),
        cmocka_unit_test(test_paging_and_cap),
        cmocka_unit_test(test_operators_against_dump),
        cmocka_unit_test(test_time_and_id_filters),
        cmocka_unit_test(test_time_filters_take_epoch_ms_only),
        cmocka_unit_test(test_contains_token),
        cmocka_unit_test(test_non_ascii_text),
        cmocka_unit_test(test_sorts),
        cmocka_unit_test(test_incremental_sync_pattern),
        cmocka_unit_test(test_caps_and_errors),
    };
    /* Over 10,000 small contacts, little else; the search limit off. The
     * tests create records and search for them at once: they are about
     * matching, not index lag (test_fh_control covers the lag). */
    const char *args[] = {"--contacts", "12000", "--companies", "150", "--deals", "20",
                          "--tickets", "10", "--notes", "0", "--calls", "0", "--tasks", "0",
                          "--line-items", "0", "--custom", "5", "--seed", "3",
                          "--rate-limit", "off", "--search-rate", "off", "--search-lag", "0", NULL};
    if (!fakehub_start(&fh, args, 120000))
        return 1;
    contacts = dump("contacts");
    companies = dump("companies");
    int failed = contacts && companies ? cmocka_run_group_tests_name("fakehub search", tests, NULL, NULL) : 1;
    json_decref(contacts);
    json_decref(companies);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
