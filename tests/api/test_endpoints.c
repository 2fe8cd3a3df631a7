/* Every typed endpoint against a real fakehub over HTTP: objects (list, get,
 * create, update, archive, batches with chunking, search), paging to the
 * end, associations v4, properties and groups, pipelines, owners, schemas,
 * account-info. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "util.h"
#include "walk.h"

#define N_CONTACTS 537

static fakehub FH;
static hs_client *C;

static int setup(void **state)
{
    const char *args[] = {"--contacts", "537", "--companies", "40", "--deals", "30",
                          "--tickets", "12", "--seed", "3", "--rate-limit", "off", NULL};
    apitest_start(&FH, args);
    C = apitest_client(&FH);
    return 0;
}

static int teardown(void **state)
{
    hs_client_free(C);
    fakehub_stop(&FH);
    return 0;
}

static captured run(hs_call_id id, captured *cap)
{
    hs_client_run(C, id);
    assert_int_equal(cap->calls, 1);
    return *cap;
}

#define EXPECT_OK(cap) do { if ((cap).status != HT_OK) \
    fail_msg("%s:%d: %s (HTTP %d)", __FILE__, __LINE__, (cap).err.message, (cap).http_status); } while (0)

/* ---- objects ------------------------------------------------------------------ */

static void test_object_lifecycle(void **state)
{
    captured cap = {0};
    json_t *props = json_pack("{ssssss}", "email", "ann.endpoints@example.com",
                              "firstname", "Ann", "lastname", "Lee");
    run(hs_objects_create(C, HS_PRIO_INTERACTIVE, "contacts", props, NULL, apitest_capture, &cap), &cap);
    json_decref(props);
    EXPECT_OK(cap);
    assert_int_equal(cap.http_status, 201);
    char id[32];
    assert_true(hs_json_id(json_object_get(cap.body, "id"), id));
    assert_string_equal(hs_record_prop(cap.body, "firstname"), "Ann");
    apitest_reset(&cap);

    /* Get by id, with chosen properties and history. */
    const char *want[] = {"firstname", "lastname", "email", NULL};
    const char *hist[] = {"firstname", NULL};
    hs_read_opts o = {.properties = want, .properties_with_history = hist};
    run(hs_objects_get(C, HS_PRIO_INTERACTIVE, "contacts", id, &o, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_string_equal(hs_record_prop(cap.body, "lastname"), "Lee");
    assert_true(json_is_array(json_object_get(json_object_get(cap.body, "propertiesWithHistory"),
                                              "firstname")));
    apitest_reset(&cap);

    /* Get by a unique property (idProperty). */
    hs_read_opts by_email = {.id_property = "email", .properties = want};
    run(hs_objects_get(C, HS_PRIO_INTERACTIVE, "contacts", "ann.endpoints@example.com", &by_email,
                       apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_string_equal(json_string_value(json_object_get(cap.body, "id")), id);
    apitest_reset(&cap);

    /* Partial update: only firstname changes; the answer is the stored record. */
    json_t *change = json_pack("{ss}", "firstname", "Anna");
    run(hs_objects_update(C, HS_PRIO_INTERACTIVE, "contacts", id, NULL, change, apitest_capture,
                          &cap), &cap);
    json_decref(change);
    EXPECT_OK(cap);
    assert_string_equal(hs_record_prop(cap.body, "firstname"), "Anna");
    apitest_reset(&cap);
    run(hs_objects_get(C, HS_PRIO_INTERACTIVE, "contacts", id, &o, apitest_capture, &cap), &cap);
    assert_string_equal(hs_record_prop(cap.body, "firstname"), "Anna");
    assert_string_equal(hs_record_prop(cap.body, "lastname"), "Lee");
    apitest_reset(&cap);

    /* Archive: 204, then the record is gone (404). */
    run(hs_objects_archive(C, HS_PRIO_INTERACTIVE, "contacts", id, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_int_equal(cap.http_status, 204);
    assert_null(cap.body);
    apitest_reset(&cap);
    run(hs_objects_get(C, HS_PRIO_INTERACTIVE, "contacts", id, NULL, apitest_capture, &cap), &cap);
    assert_int_equal(cap.status, HT_NOT_FOUND);
    assert_int_equal(cap.http_status, 404);
    apitest_reset(&cap);

    /* Bad arguments never reach the network but still call back once. */
    run(hs_objects_get(C, HS_PRIO_INTERACTIVE, "contacts", "", NULL, apitest_capture, &cap), &cap);
    assert_int_equal(cap.status, HT_INVALID);
    apitest_reset(&cap);
}

static void test_list_page_and_embedded_associations(void **state)
{
    captured cap = {0};
    const char *assoc[] = {"companies", NULL};
    hs_read_opts o = {.limit = 7, .associations = assoc};
    run(hs_objects_list(C, HS_PRIO_NORMAL, "contacts", &o, NULL, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    json_t *results = json_object_get(cap.body, "results");
    assert_int_equal(json_array_size(results), 7);
    assert_non_null(hs_next_after(cap.body));
    /* Default properties arrive as strings, ids as strings. */
    json_t *first = json_array_get(results, 0);
    assert_true(json_is_string(json_object_get(first, "id")));
    assert_non_null(hs_record_prop(first, "hs_object_id"));
    apitest_reset(&cap);
}

/* Every record exactly once, and a resumed walk continues where it stopped. */
typedef struct walk_count {
    size_t  pages, records, dupes;
    char    seen[100000];
    char   *stop_after;   /* the cursor when the walk was stopped */
    size_t  stop_at_page;
} walk_count;

static bool count_page(void *ud, json_t *results, const char *next)
{
    walk_count *w = ud;
    w->pages++;
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec) {
        long id = atol(json_string_value(json_object_get(rec, "id")));
        assert_true(id > 0 && id < (long)sizeof w->seen);
        if (w->seen[id]++)
            w->dupes++;
        w->records++;
    }
    if (w->stop_at_page && w->pages == w->stop_at_page) {
        w->stop_after = next ? xstrdup(next) : NULL;
        return false;
    }
    return true;
}

/* One ud for both callbacks of a walk. */
typedef struct walk_run {
    walk_count *w;
    captured    cap;
    size_t      rows;   /* rows of any kind (owners, associations) */
} walk_run;

static bool wr_page(void *ud, json_t *results, const char *next)
{
    walk_run *r = ud;
    return count_page(r->w, results, next);
}

static bool wr_rows(void *ud, json_t *results, const char *next)
{
    walk_run *r = ud;
    r->rows += json_array_size(results);
    return true;
}

static void wr_done(void *ud, const hs_result *res)
{
    walk_run *r = ud;
    apitest_capture(&r->cap, res);
}

static size_t count_contacts_now(void)
{
    /* The generated set, minus what other tests archived, plus what they made:
     * ask the server by walking in one go. */
    walk_run r = {.w = xcalloc(1, sizeof *r.w)};
    run(hs_walk_objects(C, HS_PRIO_BACKGROUND, "contacts", NULL, NULL, wr_page, wr_done, &r),
        &r.cap);
    EXPECT_OK(r.cap);
    assert_int_equal(r.w->dupes, 0);
    size_t n = r.w->records;
    free(r.w);
    apitest_reset(&r.cap);
    return n;
}

static void test_paging_to_the_end(void **state)
{
    size_t total = count_contacts_now();
    assert_true(total >= N_CONTACTS - 5);

    /* Pages of 50: stop after 3, then resume from the saved cursor. */
    walk_run r = {.w = xcalloc(1, sizeof *r.w)};
    r.w->stop_at_page = 3;
    hs_read_opts o = {.limit = 50};
    run(hs_walk_objects(C, HS_PRIO_BACKGROUND, "contacts", &o, NULL, wr_page, wr_done, &r), &r.cap);
    EXPECT_OK(r.cap);
    assert_int_equal(r.w->records, 150);
    assert_non_null(r.w->stop_after);
    apitest_reset(&r.cap);
    char *resume = r.w->stop_after;
    r.w->stop_at_page = 0;
    run(hs_walk_objects(C, HS_PRIO_BACKGROUND, "contacts", &o, resume, wr_page, wr_done, &r), &r.cap);
    EXPECT_OK(r.cap);
    assert_int_equal(r.w->dupes, 0);
    assert_int_equal(r.w->records, total);
    assert_int_equal(r.w->pages, (total + 49) / 50);
    free(resume);
    free(r.w);
    apitest_reset(&r.cap);
}

/* ---- batches ------------------------------------------------------------------ */

static json_t *ids_inputs(json_t *results)
{
    json_t *inputs = json_array();
    size_t i;
    json_t *rec;
    json_array_foreach(results, i, rec)
        json_array_append_new(inputs, json_pack("{sO}", "id", json_object_get(rec, "id")));
    return inputs;
}

typedef struct batch_cap {
    int       calls;
    ht_status status;
    json_t   *results;
    size_t    n_errors;
    size_t    n_chunks;
    char      first_error_ids[256];
    char      first_error_category[64];
    int       chunk_http[16];
} batch_cap;

static void capture_batch(void *ud, const hs_batch_result *r)
{
    batch_cap *b = ud;
    b->calls++;
    b->status = r->status;
    b->results = json_incref(r->results);
    b->n_errors = r->n_errors;
    b->n_chunks = r->n_chunks;
    for (size_t i = 0; i < r->n_chunks && i < 16; i++)
        b->chunk_http[i] = r->chunks[i].http_status;
    if (r->n_errors) {
        strbuf sb = {0};
        for (size_t i = 0; i < r->errors[0].n_ids; i++)
            strbuf_printf(&sb, "%s%s", i ? "," : "", r->errors[0].ids[i]);
        snprintf(b->first_error_ids, sizeof b->first_error_ids, "%s", strbuf_str(&sb));
        snprintf(b->first_error_category, sizeof b->first_error_category, "%s",
                 r->errors[0].category ? r->errors[0].category : "");
        strbuf_free(&sb);
    }
}

static void batch_free(batch_cap *b)
{
    json_decref(b->results);
    memset(b, 0, sizeof *b);
}

static void run_batch(hs_call_id id, batch_cap *b)
{
    hs_client_run(C, id);
    assert_int_equal(b->calls, 1);
}

static void test_batches_chunk_and_report_items(void **state)
{
    /* Create 250: three chunks (100, 100, 50), all 201. */
    json_t *inputs = json_array();
    for (int i = 0; i < 250; i++) {
        char email[64];
        snprintf(email, sizeof email, "batch%03d@example.com", i);
        json_array_append_new(inputs, json_pack("{s{ssss}}", "properties", "email", email,
                                                "firstname", "Batch"));
    }
    batch_cap b = {0};
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_CREATE, inputs, NULL,
                               capture_batch, &b), &b);
    json_decref(inputs);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(b.n_chunks, 3);
    assert_int_equal(b.chunk_http[0], 201);
    assert_int_equal(json_array_size(b.results), 250);
    json_t *created = json_incref(b.results);
    batch_free(&b);

    /* Read them back with two unknown ids among them: a 207 with ids. */
    json_t *read = ids_inputs(created);
    json_array_append_new(read, json_pack("{ss}", "id", "99999991"));
    json_array_append_new(read, json_pack("{ss}", "id", "99999992"));
    const char *props[] = {"email", "firstname", NULL};
    hs_read_opts o = {.properties = props};
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_READ, read, &o,
                               capture_batch, &b), &b);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(json_array_size(b.results), 250);
    assert_int_equal(b.n_errors, 1);
    assert_int_equal(b.chunk_http[2], 207);
    assert_string_equal(b.first_error_category, "OBJECT_NOT_FOUND");
    assert_string_equal(b.first_error_ids, "99999991,99999992");
    batch_free(&b);
    json_decref(read);

    /* Update 150: the answers carry the values stored. */
    json_t *upd = json_array();
    for (size_t i = 0; i < 150; i++) {
        json_t *rec = json_array_get(created, i);
        json_array_append_new(upd, json_pack("{sOs{ss}}", "id", json_object_get(rec, "id"),
                                             "properties", "lastname", "Updated"));
    }
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_UPDATE, upd, NULL,
                               capture_batch, &b), &b);
    json_decref(upd);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(json_array_size(b.results), 150);
    assert_string_equal(hs_record_prop(json_array_get(b.results, 0), "lastname"), "Updated");
    batch_free(&b);

    /* Upsert by email: one existing, one new. */
    json_t *ups = json_pack("[{sssss{ss}},{sssss{ss}}]",
                            "id", "batch000@example.com", "idProperty", "email",
                            "properties", "lastname", "Upserted",
                            "id", "brand.new@example.com", "idProperty", "email",
                            "properties", "lastname", "New");
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_UPSERT, ups, NULL,
                               capture_batch, &b), &b);
    json_decref(ups);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(json_array_size(b.results), 2);
    int news = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(b.results, i, rec)
        news += json_is_true(json_object_get(rec, "new"));
    assert_int_equal(news, 1);
    batch_free(&b);

    /* Archive all 250: 204s, no results. */
    json_t *arch = ids_inputs(created);
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_ARCHIVE, arch, NULL,
                               capture_batch, &b), &b);
    json_decref(arch);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(b.chunk_http[0], 204);
    assert_int_equal(json_array_size(b.results), 0);
    batch_free(&b);
    json_decref(created);

    /* An empty batch reports at once, without a request. */
    json_t *none = json_array();
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_READ, none, NULL,
                               capture_batch, &b), &b);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(b.n_chunks, 0);
    batch_free(&b);
    /* Cancelled before its report: once, with HT_CANCELLED, at once. */
    hs_call_id id = hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_READ, none, NULL,
                                     capture_batch, &b);
    assert_true(hs_cancel(C, id));
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.status, HT_CANCELLED);
    hs_client_run(C, 0);
    assert_int_equal(b.calls, 1);
    batch_free(&b);
    json_decref(none);
}

/* Ids of the first 100 contacts, as batch read inputs [{id}]. */
static json_t *hundred_contacts(void)
{
    captured cap = {0};
    hs_read_opts o = {.limit = 100};
    run(hs_objects_list(C, HS_PRIO_NORMAL, "contacts", &o, NULL, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    json_t *inputs = ids_inputs(json_object_get(cap.body, "results"));
    apitest_reset(&cap);
    assert_int_equal(json_array_size(inputs), 100);
    return inputs;
}

/* A contacts batch read with propertiesWithHistory takes 50 inputs
 * (hubspot-api.md §4): the client goes by 50 then, and every record comes
 * back with its history. */
static void test_batch_read_with_history_goes_by_50(void **state)
{
    json_t *inputs = hundred_contacts();
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", 99999000 + i);
        json_array_append_new(inputs, json_pack("{ss}", "id", id));
    }
    const char *props[] = {"email", NULL};
    const char *hist[] = {"firstname", NULL};
    hs_read_opts o = {.properties = props, .properties_with_history = hist};
    batch_cap b = {0};
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_READ, inputs, &o,
                               capture_batch, &b), &b);
    json_decref(inputs);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(b.n_chunks, 3);   /* 50, 50, 20 */
    assert_int_equal(b.chunk_http[0], 200);
    assert_int_equal(b.chunk_http[1], 200);
    assert_int_equal(b.chunk_http[2], 207);
    assert_int_equal(json_array_size(b.results), 100);
    size_t i;
    json_t *rec;
    json_array_foreach(b.results, i, rec)
        assert_true(json_is_array(json_object_get(json_object_get(rec, "propertiesWithHistory"),
                                                  "firstname")));
    batch_free(&b);

    /* Without history: chunks of 100. */
    inputs = hundred_contacts();
    json_array_append_new(inputs, json_pack("{ss}", "id", "99999100"));
    o.properties_with_history = NULL;
    run_batch(hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_READ, inputs, &o,
                               capture_batch, &b), &b);
    json_decref(inputs);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(b.n_chunks, 2);
    assert_null(json_object_get(json_array_get(b.results, 0), "propertiesWithHistory"));
    batch_free(&b);
}

/* Association batch reads go by 1,000, the documented limit. */
static void test_assoc_batch_read_goes_by_1000(void **state)
{
    json_t *inputs = hundred_contacts();
    json_t *ids = json_array();
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in)
        json_array_append(ids, json_object_get(in, "id"));
    json_decref(inputs);
    for (int k = 0; k < 1400; k++) {
        char id[16];
        snprintf(id, sizeof id, "%d", 99990000 + k);
        json_array_append_new(ids, json_string(id));
    }
    batch_cap b = {0};
    run_batch(hs_assoc_batch_read(C, HS_PRIO_BACKGROUND, "contacts", "companies", ids,
                                  capture_batch, &b), &b);
    json_decref(ids);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(b.n_chunks, 2);   /* 1,000 and 500 */
    assert_int_equal(b.chunk_http[0], 207);
    assert_int_equal(b.chunk_http[1], 207);
    assert_true(json_array_size(b.results) >= 1);
    batch_free(&b);
}

static void test_search_one_page(void **state)
{
    json_t *body = json_pack("{s[{s[{ssss}]}]s[{ssss}]si}",
                             "filterGroups", "filters", "propertyName", "email",
                             "operator", "HAS_PROPERTY",
                             "sorts", "propertyName", "hs_object_id", "direction", "ASCENDING",
                             "limit", 10);
    captured cap = {0};
    run(hs_objects_search(C, HS_PRIO_INTERACTIVE, "contacts", body, apitest_capture, &cap), &cap);
    json_decref(body);
    EXPECT_OK(cap);
    assert_int_equal(json_array_size(json_object_get(cap.body, "results")), 10);
    assert_true(json_integer_value(json_object_get(cap.body, "total")) >= 10);
    assert_string_equal(hs_next_after(cap.body), "10");
    apitest_reset(&cap);
}

/* ---- associations ------------------------------------------------------------- */

static char *first_id(const char *type)
{
    captured cap = {0};
    hs_read_opts o = {.limit = 1};
    run(hs_objects_list(C, HS_PRIO_NORMAL, type, &o, NULL, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    char id[32];
    assert_true(hs_json_id(json_object_get(json_array_get(json_object_get(cap.body, "results"), 0),
                                           "id"), id));
    apitest_reset(&cap);
    return xstrdup(id);
}

static bool has_assoc(const char *from_type, const char *from_id, const char *to_type,
                      const char *to_id, const char **label)
{
    captured cap = {0};
    run(hs_assoc_list(C, HS_PRIO_NORMAL, from_type, from_id, to_type, NULL, 0, apitest_capture,
                      &cap), &cap);
    EXPECT_OK(cap);
    bool found = false;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(cap.body, "results"), i, row) {
        char id[32];
        /* toObjectId is a number in production, a string in the spec. */
        assert_true(hs_json_id(json_object_get(row, "toObjectId"), id));
        if (strcmp(id, to_id) == 0) {
            found = true;
            if (label) {
                size_t k;
                json_t *t;
                json_array_foreach(json_object_get(row, "associationTypes"), k, t)
                    if (json_is_string(json_object_get(t, "label")))
                        *label = "labelled";
            }
        }
    }
    apitest_reset(&cap);
    return found;
}

static void test_associations(void **state)
{
    char *contact = first_id("contacts");
    char *deal = first_id("deals");
    captured cap = {0};

    /* Default association, both directions. */
    run(hs_assoc_create_default(C, HS_PRIO_NORMAL, "contacts", contact, "deals", deal,
                                apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    apitest_reset(&cap);
    assert_true(has_assoc("contacts", contact, "deals", deal, NULL));
    assert_true(has_assoc("deals", deal, "contacts", contact, NULL));

    /* Archive removes them all. */
    run(hs_assoc_archive(C, HS_PRIO_NORMAL, "contacts", contact, "deals", deal, apitest_capture,
                         &cap), &cap);
    EXPECT_OK(cap);
    assert_int_equal(cap.http_status, 204);
    apitest_reset(&cap);
    assert_false(has_assoc("contacts", contact, "deals", deal, NULL));

    /* A label: create it, associate with it, see it, delete it. */
    run(hs_assoc_label_create(C, HS_PRIO_NORMAL, "contacts", "deals", "Decision maker",
                              "decision_maker", NULL, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_true(json_array_size(json_object_get(cap.body, "results")) >= 1);
    apitest_reset(&cap);

    /* The answer holds both directions' types; this direction's comes from
     * the labels of contacts -> deals. */
    run(hs_assoc_labels(C, HS_PRIO_NORMAL, "contacts", "deals", apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_true(json_array_size(json_object_get(cap.body, "results")) >= 2);
    int type_id = -1;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(cap.body, "results"), i, row)
        if (json_is_string(json_object_get(row, "label")) &&
            !strcmp(json_string_value(json_object_get(row, "label")), "Decision maker"))
            type_id = (int)json_integer_value(json_object_get(row, "typeId"));
    assert_true(type_id > 0);
    apitest_reset(&cap);

    json_t *types = json_pack("[{sssi}]", "associationCategory", "USER_DEFINED",
                              "associationTypeId", type_id);
    run(hs_assoc_create(C, HS_PRIO_NORMAL, "contacts", contact, "deals", deal, types,
                        apitest_capture, &cap), &cap);
    json_decref(types);
    EXPECT_OK(cap);
    assert_int_equal(cap.http_status, 201);
    apitest_reset(&cap);
    const char *label = NULL;
    assert_true(has_assoc("contacts", contact, "deals", deal, &label));
    assert_non_null(label);

    run(hs_assoc_label_update(C, HS_PRIO_NORMAL, "contacts", "deals", type_id, "Decider", NULL,
                              apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    apitest_reset(&cap);
    run(hs_assoc_archive(C, HS_PRIO_NORMAL, "contacts", contact, "deals", deal, apitest_capture,
                         &cap), &cap);
    apitest_reset(&cap);
    run(hs_assoc_label_delete(C, HS_PRIO_NORMAL, "contacts", "deals", type_id, apitest_capture,
                              &cap), &cap);
    EXPECT_OK(cap);
    apitest_reset(&cap);

    /* Batch create (default type ids) and batch read; then batch archive. */
    char *company = first_id("companies");
    json_t *inputs = json_pack("[{s{ss}s{ss}s[{sssi}]}]", "from", "id", contact, "to", "id", deal,
                               "types", "associationCategory", "HUBSPOT_DEFINED",
                               "associationTypeId", 4);
    batch_cap b = {0};
    run_batch(hs_assoc_batch(C, HS_PRIO_BACKGROUND, HS_ABATCH_CREATE, "contacts", "deals", inputs,
                             capture_batch, &b), &b);
    json_decref(inputs);
    assert_int_equal(b.status, HT_OK);
    batch_free(&b);

    json_t *ids = json_pack("[s,s]", contact, "99999999");
    run_batch(hs_assoc_batch_read(C, HS_PRIO_BACKGROUND, "contacts", "deals", ids, capture_batch,
                                  &b), &b);
    json_decref(ids);
    assert_int_equal(b.status, HT_OK);
    assert_true(json_array_size(b.results) >= 1);
    json_t *first = json_array_get(b.results, 0);
    char from[32];
    assert_true(hs_json_id(json_object_get(json_object_get(first, "from"), "id"), from));
    assert_string_equal(from, contact);
    assert_true(json_array_size(json_object_get(first, "to")) >= 1);
    assert_int_equal(b.n_errors, 1);   /* the unknown id: per-input error */
    batch_free(&b);

    json_t *arch = json_pack("[{s{ss}s[{ss}]}]", "from", "id", contact, "to", "id", deal);
    run_batch(hs_assoc_batch(C, HS_PRIO_BACKGROUND, HS_ABATCH_ARCHIVE, "contacts", "deals", arch,
                             capture_batch, &b), &b);
    json_decref(arch);
    assert_int_equal(b.status, HT_OK);
    batch_free(&b);
    assert_false(has_assoc("contacts", contact, "deals", deal, NULL));

    json_t *def = json_pack("[{s{ss}s{ss}}]", "from", "id", contact, "to", "id", company);
    run_batch(hs_assoc_batch(C, HS_PRIO_BACKGROUND, HS_ABATCH_DEFAULT, "contacts", "companies", def,
                             capture_batch, &b), &b);
    json_decref(def);
    assert_int_equal(b.status, HT_OK);
    batch_free(&b);
    assert_true(has_assoc("contacts", contact, "companies", company, NULL));

    /* A record's associations walked to the end. */
    walk_run r = {0};
    run(hs_walk_assoc(C, HS_PRIO_NORMAL, "contacts", contact, "companies", wr_rows, wr_done, &r),
        &r.cap);
    EXPECT_OK(r.cap);
    assert_true(r.rows >= 1);
    apitest_reset(&r.cap);
    free(contact);
    free(deal);
    free(company);
}

/* ---- metadata -------------------------------------------------------------------- */

static void test_properties_and_groups(void **state)
{
    captured cap = {0};
    run(hs_properties_list(C, HS_PRIO_NORMAL, "contacts", false, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    bool has_email = false;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(cap.body, "results"), i, p)
        has_email |= !strcmp(json_string_value(json_object_get(p, "name")), "email");
    assert_true(has_email);
    apitest_reset(&cap);

    run(hs_property_get(C, HS_PRIO_NORMAL, "contacts", "lifecyclestage", apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_string_equal(json_string_value(json_object_get(cap.body, "type")), "enumeration");
    assert_true(json_array_size(json_object_get(cap.body, "options")) > 0);
    apitest_reset(&cap);

    run(hs_property_groups_list(C, HS_PRIO_NORMAL, "contacts", apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_true(json_array_size(json_object_get(cap.body, "results")) > 0);
    apitest_reset(&cap);

    json_t *group = json_pack("{ssss}", "name", "hubtui_tests", "label", "hubtui tests");
    run(hs_property_group_create(C, HS_PRIO_NORMAL, "contacts", group, apitest_capture, &cap), &cap);
    json_decref(group);
    EXPECT_OK(cap);
    apitest_reset(&cap);

    json_t *def = json_pack("{ssssssssss}", "name", "favourite_tea", "label", "Favourite tea",
                            "type", "string", "fieldType", "text", "groupName", "hubtui_tests");
    run(hs_property_create(C, HS_PRIO_NORMAL, "contacts", def, apitest_capture, &cap), &cap);
    json_decref(def);
    EXPECT_OK(cap);
    assert_int_equal(cap.http_status, 201);
    apitest_reset(&cap);
    run(hs_property_get(C, HS_PRIO_NORMAL, "contacts", "favourite_tea", apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_string_equal(json_string_value(json_object_get(cap.body, "groupName")), "hubtui_tests");
    apitest_reset(&cap);

    run(hs_property_get(C, HS_PRIO_NORMAL, "contacts", "no_such_property", apitest_capture, &cap), &cap);
    assert_int_equal(cap.status, HT_NOT_FOUND);
    apitest_reset(&cap);
}

static void test_pipelines_owners_schemas_account(void **state)
{
    captured cap = {0};
    run(hs_pipelines_list(C, HS_PRIO_NORMAL, "deals", apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    json_t *first = json_array_get(json_object_get(cap.body, "results"), 0);
    assert_true(json_array_size(json_object_get(first, "stages")) > 0);
    char *pid = xstrdup(json_string_value(json_object_get(first, "id")));
    apitest_reset(&cap);
    run(hs_pipeline_get(C, HS_PRIO_NORMAL, "deals", pid, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_string_equal(json_string_value(json_object_get(cap.body, "id")), pid);
    free(pid);
    apitest_reset(&cap);
    run(hs_pipelines_list(C, HS_PRIO_NORMAL, "tickets", apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    apitest_reset(&cap);

    run(hs_owners_list(C, HS_PRIO_NORMAL, NULL, 2, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    json_t *owner = json_array_get(json_object_get(cap.body, "results"), 0);
    char *oid = xstrdup(json_string_value(json_object_get(owner, "id")));
    apitest_reset(&cap);
    run(hs_owner_get(C, HS_PRIO_NORMAL, oid, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_string_equal(json_string_value(json_object_get(cap.body, "id")), oid);
    free(oid);
    apitest_reset(&cap);
    walk_run r = {0};
    run(hs_walk_owners(C, HS_PRIO_NORMAL, wr_rows, wr_done, &r), &r.cap);
    EXPECT_OK(r.cap);
    assert_true(r.rows >= 1);
    apitest_reset(&r.cap);

    run(hs_schemas_list(C, HS_PRIO_NORMAL, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    json_t *schema = json_array_get(json_object_get(cap.body, "results"), 0);
    assert_non_null(schema);   /* fakehub has a custom object */
    char *type_id = xstrdup(json_string_value(json_object_get(schema, "objectTypeId")));
    apitest_reset(&cap);
    run(hs_schema_get(C, HS_PRIO_NORMAL, type_id, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    apitest_reset(&cap);
    /* Its records are objects like any other. */
    hs_read_opts o = {.limit = 5};
    run(hs_objects_list(C, HS_PRIO_NORMAL, type_id, &o, NULL, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    apitest_reset(&cap);
    free(type_id);

    run(hs_account_details(C, HS_PRIO_NORMAL, apitest_capture, &cap), &cap);
    EXPECT_OK(cap);
    assert_true(json_integer_value(json_object_get(cap.body, "portalId")) > 0);
    assert_non_null(json_object_get(cap.body, "timeZone"));
    apitest_reset(&cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_lifecycle),
        cmocka_unit_test(test_list_page_and_embedded_associations),
        cmocka_unit_test(test_paging_to_the_end),
        cmocka_unit_test(test_batches_chunk_and_report_items),
        cmocka_unit_test(test_batch_read_with_history_goes_by_50),
        cmocka_unit_test(test_assoc_batch_read_goes_by_1000),
        cmocka_unit_test(test_search_one_page),
        cmocka_unit_test(test_associations),
        cmocka_unit_test(test_properties_and_groups),
        cmocka_unit_test(test_pipelines_owners_schemas_account),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
