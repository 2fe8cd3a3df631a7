/* The search walker past HubSpot's 10,000-result cap, against fakehub with
 * 10,500 contacts: by hs_object_id and by lastmodifieddate (the incremental
 * sync walk), every record exactly once, in order, resumable from a cursor. */
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

#define N 10500

static fakehub FH;
static hs_client *C;
static json_t *ALL_IDS;   /* every contact id, from the walk by id */

static int setup(void **state)
{
    /* A test writes a value to every contact and walks it at once: the
     * walks are about the 10,000 cap and order, not index lag. */
    const char *args[] = {"--contacts", "10500", "--companies", "0", "--deals", "0",
                          "--tickets", "0", "--seed", "9", "--rate-limit", "off",
                          "--search-rate", "100/1", "--search-lag", "0", NULL};
    apitest_start(&FH, args);
    hs_client_opts o = apitest_opts(&FH);
    o.search_per_second = 100;
    o.limits = (ratelimit_limits){1000, 1000, 0};   /* fakehub runs without a limit here */
    ht_error err;
    C = hs_client_new(&o, &err);
    return C ? 0 : -1;
}

static int teardown(void **state)
{
    json_decref(ALL_IDS);
    hs_client_free(C);
    fakehub_stop(&FH);
    return 0;
}

typedef struct walked {
    unsigned char *seen;       /* by numeric id */
    long           records, dupes, out_of_order, pages;
    int64_t        last_key;
    int            restarts;
    const char    *sort_prop;
    long           stop_after_records;
    char           cursor[32];
    captured       cap;
} walked;

static int64_t key_of(const walked *w, json_t *rec)
{
    if (!w->sort_prop)
        return atoll(json_string_value(json_object_get(rec, "id")));
    int64_t ms = 0;
    const char *v = hs_record_prop(rec, w->sort_prop);
    assert_non_null(v);
    assert_true(time_parse(v, &ms));
    return ms;
}

static bool on_page(void *ud, const hs_search_page *p)
{
    walked *w = ud;
    w->pages++;
    w->restarts = p->restarts;
    size_t i;
    json_t *rec;
    json_array_foreach(p->results, i, rec) {
        if (!w->sort_prop && ALL_IDS)
            json_array_append(ALL_IDS, json_object_get(rec, "id"));
        long id = atol(json_string_value(json_object_get(rec, "id")));
        assert_true(id > 0 && id < 10 * N);
        if (w->seen[id]++)
            w->dupes++;
        int64_t k = key_of(w, rec);
        if (k < w->last_key)
            w->out_of_order++;
        w->last_key = k;
        w->records++;
    }
    snprintf(w->cursor, sizeof w->cursor, "%s", p->cursor);
    return !(w->stop_after_records && w->records >= w->stop_after_records);
}

static void on_done(void *ud, const hs_result *r)
{
    walked *w = ud;
    apitest_capture(&w->cap, r);
}

static void walk(walked *w, const hs_search_walk *sw)
{
    hs_client_run(C, hs_walk_search(C, HS_PRIO_BACKGROUND, sw, on_page, on_done, w));
    assert_int_equal(w->cap.calls, 1);
    if (w->cap.status != HT_OK)
        fail_msg("walk failed: %s", w->cap.err.message);
}

static walked *walked_new(const char *sort_prop)
{
    walked *w = xcalloc(1, sizeof *w);
    w->seen = xcalloc(10 * N, 1);
    w->sort_prop = sort_prop;
    w->last_key = INT64_MIN;
    return w;
}

static void walked_free(walked *w)
{
    apitest_reset(&w->cap);
    free(w->seen);
    free(w);
}

static void test_walk_by_id(void **state)
{
    walked *w = walked_new(NULL);
    const char *props[] = {"email", NULL};
    hs_search_walk sw = {.object_type = "contacts", .properties = props};
    ALL_IDS = json_array();
    walk(w, &sw);
    assert_int_equal(w->records, N);
    assert_int_equal(w->dupes, 0);
    assert_int_equal(w->out_of_order, 0);
    assert_true(w->restarts >= 1);
    walked_free(w);
}

static void test_walk_by_last_modified_resumes(void **state)
{
    /* Stop part way, keep the cursor, start a new walk from it: together
     * the two cover every record; the overlap is only the boundary value. */
    walked *w = walked_new("lastmodifieddate");
    const char *props[] = {"email", "lastmodifieddate", NULL};
    hs_search_walk sw = {.object_type = "contacts", .properties = props,
                         .sort_property = "lastmodifieddate"};
    w->stop_after_records = 6000;
    walk(w, &sw);
    assert_true(w->records >= 6000 && w->records < N);
    assert_int_equal(w->dupes, 0);
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", w->cursor);
    long first_part = w->records;
    apitest_reset(&w->cap);

    w->stop_after_records = 0;
    sw.start_value = cursor;
    walk(w, &sw);
    assert_int_equal(w->out_of_order, 0);
    long distinct = 0;
    for (long i = 0; i < 10 * N; i++)
        distinct += w->seen[i] > 0;
    assert_int_equal(distinct, N);
    /* Repeats only from the resume overlap (records at the cursor value). */
    assert_true(w->dupes < 200);
    assert_true(w->records - first_part >= N - first_part);
    walked_free(w);
}

static void test_walk_with_caller_filter(void **state)
{
    walked *w = walked_new("lastmodifieddate");
    json_t *groups = json_pack("[{s[{ssss}]}]", "filters", "propertyName", "email",
                               "operator", "HAS_PROPERTY");
    hs_search_walk sw = {.object_type = "contacts", .filter_groups = groups,
                         .sort_property = "lastmodifieddate"};
    walk(w, &sw);
    json_decref(groups);
    assert_int_equal(w->dupes, 0);
    assert_int_equal(w->out_of_order, 0);
    assert_true(w->records > 10000);
    assert_true(w->restarts >= 1);
    walked_free(w);
}

typedef struct batch_done {
    int       calls;
    ht_status status;
    size_t    results;
} batch_done;

static void on_batch(void *ud, const hs_batch_result *r)
{
    batch_done *b = ud;
    b->calls++;
    b->status = r->status;
    b->results = json_array_size(r->results);
}

/* More than 10,000 records share one value of the sort property: starting
 * again from that value would see the same window forever; the walker goes
 * through that value by id instead. */
static void test_walk_through_a_value_shared_by_all(void **state)
{
    assert_non_null(ALL_IDS);
    captured cap = {0};
    json_t *def = json_pack("{ssssssssss}", "name", "hubtui_same_day", "label", "Same day",
                            "type", "date", "fieldType", "date", "groupName", "contactinformation");
    hs_client_run(C, hs_property_create(C, HS_PRIO_NORMAL, "contacts", def, apitest_capture, &cap));
    json_decref(def);
    if (cap.status != HT_OK)
        fail_msg("property: %s", cap.err.message);
    apitest_reset(&cap);

    json_t *inputs = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ALL_IDS, i, id)
        json_array_append_new(inputs, json_pack("{sOs{ss}}", "id", id, "properties",
                                                "hubtui_same_day", "2024-05-01"));
    batch_done b = {0};
    hs_client_run(C, hs_objects_batch(C, HS_PRIO_BACKGROUND, "contacts", HS_BATCH_UPDATE, inputs,
                                      NULL, on_batch, &b));
    json_decref(inputs);
    assert_int_equal(b.status, HT_OK);
    assert_int_equal(b.results, N);

    walked *w = walked_new("hubtui_same_day");
    const char *props[] = {"hubtui_same_day", NULL};
    hs_search_walk sw = {.object_type = "contacts", .properties = props,
                         .sort_property = "hubtui_same_day"};
    walk(w, &sw);
    assert_int_equal(w->records, N);
    assert_int_equal(w->dupes, 0);
    assert_true(w->restarts >= 2);
    walked_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_by_id),
        cmocka_unit_test(test_walk_by_last_modified_resumes),
        cmocka_unit_test(test_walk_with_caller_filter),
        cmocka_unit_test(test_walk_through_a_value_shared_by_all),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
