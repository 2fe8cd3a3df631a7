/* fakehub integration tests: objects v3 batch calls (read, create, update,
 * upsert, archive) — 200/201/207 shapes, per-input errors, limits, and
 * all-or-nothing validation. */
#include "fhtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static fakehub fh;

static long long contact_count(void)
{
    fakehub_response r;
    req(&fh, "GET", "/_fakehub/dump/contacts", NULL, &r);
    long long n = ji(r.json, "total");
    fakehub_response_free(&r);
    return n;
}

static void test_batch_read(void **state)
{
    fakehub_response list, r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=3", NULL, &list);
    strbuf body = {0};
    strbuf_printf(&body, "{\"properties\":[\"email\",\"jobtitle\"],\"inputs\":[{\"id\":\"%s\"},{\"id\":\"%s\"},"
                  "{\"id\":\"999999999\"},{\"id\":\"%s\"}]}", js(list.json, "results.0.id"),
                  js(list.json, "results.1.id"), js(list.json, "results.2.id"));
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_int_equal(r.status, 207);
    assert_string_equal(js(r.json, "status"), "COMPLETE");
    assert_int_equal(json_array_size(jp(r.json, "results")), 3);
    assert_record_shapes(jp(r.json, "results"));
    assert_non_null(jp(r.json, "results.0.properties.jobtitle"));
    assert_null(jp(r.json, "results.0.properties.firstname"));
    assert_int_equal(ji(r.json, "numErrors"), 1);
    assert_string_equal(js(r.json, "errors.0.category"), "OBJECT_NOT_FOUND");
    assert_string_equal(js(r.json, "errors.0.status"), "error");
    assert_string_equal(js(r.json, "errors.0.context.ids.0"), "999999999");
    assert_non_null(js(r.json, "startedAt"));
    assert_non_null(js(r.json, "completedAt"));
    fakehub_response_free(&r);
    /* All found: 200 and no errors key. */
    strbuf_reset(&body);
    strbuf_printf(&body, "{\"inputs\":[{\"id\":\"%s\"}]}", js(list.json, "results.0.id"));
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_int_equal(r.status, 200);
    assert_null(jp(r.json, "errors"));
    assert_null(jp(r.json, "numErrors"));
    fakehub_response_free(&r);
    /* By e-mail. */
    strbuf_reset(&body);
    strbuf_printf(&body, "{\"idProperty\":\"email\",\"inputs\":[{\"id\":\"%s\"}]}",
                  js(list.json, "results.1.properties.email"));
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(js(r.json, "results.0.id"), js(list.json, "results.1.id"));
    fakehub_response_free(&r);
    strbuf_free(&body);
    fakehub_response_free(&list);
}

/* Batch read answers propertiesWithHistory per record, exactly as a GET
 * of the same record does. */
static void test_batch_read_history(void **state)
{
    fakehub_response list, r, one;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=2", NULL, &list);
    char *a = xstrdup(js(list.json, "results.0.id")), *b = xstrdup(js(list.json, "results.1.id"));
    fakehub_response_free(&list);
    reqf(&fh, "PATCH", "{\"properties\":{\"jobtitle\":\"First\"}}", &r, "/crm/v3/objects/contacts/%s", a);
    assert_int_equal(r.status, 200);
    fakehub_response_free(&r);
    reqf(&fh, "PATCH", "{\"properties\":{\"jobtitle\":\"Second\"}}", &r, "/crm/v3/objects/contacts/%s", a);
    fakehub_response_free(&r);
    char *body = xasprintf("{\"properties\":[\"email\"],\"propertiesWithHistory\":[\"jobtitle\","
                           "\"nosuchprop\"],\"inputs\":[{\"id\":\"%s\"},{\"id\":\"%s\"}]}", a, b);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", body, &r);
    assert_int_equal(r.status, 200);
    assert_record_shapes(jp(r.json, "results"));
    for (int i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "results.%d", i);
        json_t *rec = jp(r.json, path);
        const char *id = js(rec, "id");
        json_t *h = jp(rec, "propertiesWithHistory");
        assert_non_null(h);
        assert_null(jp(h, "nosuchprop"));   /* unknown names are ignored */
        reqf(&fh, "GET", NULL, &one, "/crm/v3/objects/contacts/%s?propertiesWithHistory=jobtitle", id);
        assert_int_equal(one.status, 200);
        assert_true(json_equal(h, jp(one.json, "propertiesWithHistory")));
        fakehub_response_free(&one);
        if (strcmp(id, a) == 0) {
            assert_true(json_array_size(jp(h, "jobtitle")) >= 2);
            assert_string_equal(js(h, "jobtitle.0.value"), "Second");   /* newest first */
            assert_string_equal(js(h, "jobtitle.0.sourceType"), "API");
            assert_non_null(js(h, "jobtitle.0.timestamp"));
            assert_string_equal(js(h, "jobtitle.1.value"), "First");
        }
    }
    fakehub_response_free(&r);
    /* Without propertiesWithHistory there is no such key. */
    free(body);
    body = xasprintf("{\"inputs\":[{\"id\":\"%s\"}]}", a);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", body, &r);
    assert_int_equal(r.status, 200);
    assert_null(jp(r.json, "results.0.propertiesWithHistory"));
    fakehub_response_free(&r);
    free(body);
    free(a);
    free(b);
}

/* A body of n batch inputs {"id":"1"}…, after a prefix of other keys. */
static void id_inputs(strbuf *body, const char *prefix, int n)
{
    strbuf_reset(body);
    strbuf_printf(body, "{%s\"inputs\":[", prefix);
    for (int i = 0; i < n; i++)
        strbuf_printf(body, "%s{\"id\":\"%d\"}", i ? "," : "", i + 1);
    strbuf_puts(body, "]}");
}

static void test_batch_history_limit(void **state)
{
    strbuf body = {0};
    fakehub_response r;
    /* 50 inputs with history: served (unknown ids make it a 207). */
    id_inputs(&body, "\"propertiesWithHistory\":[\"email\"],", 50);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_true(r.status == 200 || r.status == 207);
    assert_true(json_array_size(jp(r.json, "results")) > 0);
    assert_non_null(jp(r.json, "results.0.propertiesWithHistory.email"));
    fakehub_response_free(&r);
    /* 51: the whole call is refused, in HubSpot's error shape. */
    id_inputs(&body, "\"propertiesWithHistory\":[\"email\"],", 51);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_string_equal(js(r.json, "status"), "error");
    assert_non_null(strstr(js(r.json, "message"), "50"));
    assert_null(jp(r.json, "results"));
    fakehub_response_free(&r);
    /* The comma-string form counts too. */
    id_inputs(&body, "\"propertiesWithHistory\":\"email,firstname\",", 51);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    /* Without history, or for another type (the documented limit is the
     * contacts one), 51 is fine. */
    id_inputs(&body, "\"properties\":[\"email\"],", 51);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_true(r.status == 200 || r.status == 207);
    fakehub_response_free(&r);
    id_inputs(&body, "\"propertiesWithHistory\":[\"name\"],", 51);
    req(&fh, "POST", "/crm/v3/objects/companies/batch/read", strbuf_str(&body), &r);
    assert_true(r.status == 200 || r.status == 207);
    fakehub_response_free(&r);
    strbuf_free(&body);
}

static void test_batch_limits(void **state)
{
    strbuf body = {0};
    strbuf_puts(&body, "{\"inputs\":[");
    for (int i = 0; i < 101; i++)
        strbuf_printf(&body, "%s{\"id\":\"%d\"}", i ? "," : "", i + 1);
    strbuf_puts(&body, "]}");
    static const char *const ops[] = {"read", "update", "archive", "create", "upsert"};
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        fakehub_response r;
        reqf(&fh, "POST", strbuf_str(&body), &r, "/crm/v3/objects/contacts/batch/%s", ops[i]);
        assert_error_body(&r, 400, "VALIDATION_ERROR");
        fakehub_response_free(&r);
    }
    /* 100 is within the limit (the ids do not exist: a 207 for reads). */
    id_inputs(&body, "", 100);
    fakehub_response ok;
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &ok);
    assert_true(ok.status == 200 || ok.status == 207);
    assert_int_equal(json_array_size(jp(ok.json, "errors.0.context.ids")) +
                     json_array_size(jp(ok.json, "results")), 100);
    fakehub_response_free(&ok);
    strbuf_reset(&body);
    strbuf_puts(&body, "{\"propertiesWithHistory\":[\"email\"],\"inputs\":[");
    for (int i = 0; i < 51; i++)
        strbuf_printf(&body, "%s{\"id\":\"%d\"}", i ? "," : "", i + 1);
    strbuf_puts(&body, "]}");
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", strbuf_str(&body), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/read", "{\"inputs\":5}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    strbuf_free(&body);
}

static void test_batch_create(void **state)
{
    long long before = contact_count();
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/create",
        "{\"inputs\":[{\"properties\":{\"email\":\"b1@example.io\",\"firstname\":\"B1\"},"
        "\"objectWriteTraceId\":\"trace-1\"},{\"properties\":{\"email\":\"b2@example.io\"}}]}", &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_array_size(jp(r.json, "results")), 2);
    assert_string_equal(js(r.json, "results.0.properties.email"), "b1@example.io");
    assert_string_equal(js(r.json, "results.0.objectWriteTraceId"), "trace-1");
    assert_string_equal(js(r.json, "results.1.properties.email"), "b2@example.io");
    assert_record_shapes(jp(r.json, "results"));
    fakehub_response_free(&r);
    assert_int_equal(contact_count(), before + 2);
    /* One bad input: nothing is created. */
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/create",
        "{\"inputs\":[{\"properties\":{\"email\":\"b3@example.io\"}},"
        "{\"properties\":{\"lifecyclestage\":\"nope\"}}]}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_string_equal(js(r.json, "errors.0.code"), "INVALID_OPTION");
    fakehub_response_free(&r);
    /* Two inputs with one address, or an existing address: 409. */
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/create",
        "{\"inputs\":[{\"properties\":{\"email\":\"b4@example.io\"}},"
        "{\"properties\":{\"email\":\"b4@example.io\"}}]}", &r);
    assert_error_body(&r, 409, "CONFLICT");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/create",
        "{\"inputs\":[{\"properties\":{\"email\":\"b5@example.io\"}},"
        "{\"properties\":{\"email\":\"b1@example.io\"}}]}", &r);
    assert_error_body(&r, 409, "CONFLICT");
    fakehub_response_free(&r);
    assert_int_equal(contact_count(), before + 2);
}

static void test_batch_update(void **state)
{
    fakehub_response list, r;
    req(&fh, "GET", "/crm/v3/objects/contacts?limit=2&properties=jobtitle", NULL, &list);
    const char *a = js(list.json, "results.0.id"), *b = js(list.json, "results.1.id");
    strbuf body = {0};
    strbuf_printf(&body, "{\"inputs\":[{\"id\":\"%s\",\"properties\":{\"jobtitle\":\"Batch A\"}},"
                  "{\"id\":\"888888888\",\"properties\":{\"jobtitle\":\"X\"}},"
                  "{\"id\":\"%s\",\"properties\":{\"jobtitle\":\"Batch B\"}}]}", a, b);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/update", strbuf_str(&body), &r);
    assert_int_equal(r.status, 207);
    assert_int_equal(json_array_size(jp(r.json, "results")), 2);
    assert_string_equal(js(r.json, "errors.0.context.ids.0"), "888888888");
    assert_string_equal(js(r.json, "results.0.properties.jobtitle"), "Batch A");
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?properties=jobtitle", b);
    assert_string_equal(js(r.json, "properties.jobtitle"), "Batch B");
    fakehub_response_free(&r);
    /* Duplicate ids, or one bad value: 400 and nothing changes. */
    strbuf_reset(&body);
    strbuf_printf(&body, "{\"inputs\":[{\"id\":\"%s\",\"properties\":{\"jobtitle\":\"1\"}},"
                  "{\"id\":\"%s\",\"properties\":{\"jobtitle\":\"2\"}}]}", a, a);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/update", strbuf_str(&body), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    strbuf_reset(&body);
    strbuf_printf(&body, "{\"inputs\":[{\"id\":\"%s\",\"properties\":{\"jobtitle\":\"C\"}},"
                  "{\"id\":\"%s\",\"properties\":{\"birthday\":\"soon\"}}]}", a, b);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/update", strbuf_str(&body), &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s?properties=jobtitle", a);
    assert_string_equal(js(r.json, "properties.jobtitle"), "Batch A");
    fakehub_response_free(&r);
    strbuf_free(&body);
    fakehub_response_free(&list);
}

static void test_batch_upsert(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/create",
        "{\"inputs\":[{\"properties\":{\"email\":\"up1@example.io\",\"firstname\":\"Up\"}}]}", &r);
    char *existing = xstrdup(js(r.json, "results.0.id"));
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/upsert",
        "{\"inputs\":[{\"id\":\"up1@example.io\",\"idProperty\":\"email\",\"properties\":{\"jobtitle\":\"Old\"}},"
        "{\"id\":\"up2@example.io\",\"idProperty\":\"email\",\"properties\":{\"jobtitle\":\"New\"}}]}", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(jp(r.json, "results")), 2);
    assert_string_equal(js(r.json, "results.0.id"), existing);
    assert_true(json_is_false(jp(r.json, "results.0.new")));
    assert_true(json_is_true(jp(r.json, "results.1.new")));
    assert_string_equal(js(r.json, "results.1.properties.email"), "up2@example.io");
    fakehub_response_free(&r);
    req(&fh, "GET", "/crm/v3/objects/contacts/up2@example.io?idProperty=email&properties=jobtitle", NULL, &r);
    assert_string_equal(js(r.json, "properties.jobtitle"), "New");
    fakehub_response_free(&r);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/upsert",
        "{\"inputs\":[{\"id\":\"x\",\"idProperty\":\"firstname\",\"properties\":{}}]}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    fakehub_response_free(&r);
    /* One id twice: 400, as for update. */
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/upsert",
        "{\"inputs\":[{\"id\":\"up3@example.io\",\"idProperty\":\"email\",\"properties\":{}},"
        "{\"id\":\"up3@example.io\",\"idProperty\":\"email\",\"properties\":{}}]}", &r);
    assert_error_body(&r, 400, "VALIDATION_ERROR");
    assert_non_null(strstr(js(r.json, "message"), "up3@example.io"));
    fakehub_response_free(&r);
    free(existing);
}

static void test_batch_archive(void **state)
{
    fakehub_response r;
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/create",
        "{\"inputs\":[{\"properties\":{\"email\":\"arch1@example.io\"}},{\"properties\":{\"email\":\"arch2@example.io\"}}]}", &r);
    char *a = xstrdup(js(r.json, "results.0.id")), *b = xstrdup(js(r.json, "results.1.id"));
    fakehub_response_free(&r);
    char *body = xasprintf("{\"inputs\":[{\"id\":\"%s\"},{\"id\":\"%s\"},{\"id\":\"777777777\"}]}", a, b);
    req(&fh, "POST", "/crm/v3/objects/contacts/batch/archive", body, &r);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    fakehub_response_free(&r);
    reqf(&fh, "GET", NULL, &r, "/crm/v3/objects/contacts/%s", b);
    assert_int_equal(r.status, 404);
    fakehub_response_free(&r);
    free(body);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_read),
        cmocka_unit_test(test_batch_read_history),
        cmocka_unit_test(test_batch_history_limit),
        cmocka_unit_test(test_batch_limits),
        cmocka_unit_test(test_batch_create),
        cmocka_unit_test(test_batch_update),
        cmocka_unit_test(test_batch_upsert),
        cmocka_unit_test(test_batch_archive),
    };
    const char *args[] = {"--contacts", "60", "--seed", "11", "--rate-limit", "off", NULL};
    if (!fakehub_start(&fh, args, 60000))
        return 1;
    int failed = cmocka_run_group_tests_name("fakehub batch", tests, NULL, NULL);
    if (fakehub_stop(&fh) != 0)
        failed++;
    return failed;
}
