/* The writeback's pure pieces and its one outbox addition, without a
 * server: values compared the way HubSpot stores them (so an edit HubSpot
 * normalised is not "not applied"), and outbox_release_unknown putting a
 * claimed row back with recheck set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fixture.h"
#include "util.h"
#include "writeback_int.h"

static prop_def def(const char *name, prop_type type, bool multi)
{
    prop_def p;
    memset(&p, 0, sizeof p);
    p.name = (char *)name;
    p.type = type;
    p.multi = multi;
    return p;
}

static void test_values_equal_as_hubspot_stores_them(void **state)
{
    prop_def num = def("amount", PROP_NUMBER, false);
    assert_true(wb_value_equal(&num, "1500", "1500.0"));
    assert_true(wb_value_equal(&num, "0.1", "0.10"));
    assert_false(wb_value_equal(&num, "1500", "1501"));
    prop_def date = def("birthday", PROP_DATE, false);
    assert_true(wb_value_equal(&date, "2024-05-01", "1714521600000"));
    assert_true(wb_value_equal(&date, "2024-05-01", "2024-05-01T00:00:00.000Z"));
    assert_false(wb_value_equal(&date, "2024-05-01", "2024-05-02"));
    assert_true(wb_value_equal(&date, "1969-12-31", "1969-12-31T00:00:00Z"));
    prop_def dt = def("closedate", PROP_DATETIME, false);
    assert_true(wb_value_equal(&dt, "2024-05-01T09:00:00Z", "2024-05-01T09:00:00.000Z"));
    assert_true(wb_value_equal(&dt, "2024-05-01T11:00:00+02:00", "2024-05-01T09:00:00.000Z"));
    assert_false(wb_value_equal(&dt, "2024-05-01T09:00:00Z", "2024-05-01T09:00:01Z"));
    prop_def b = def("is_public", PROP_BOOL, false);
    assert_true(wb_value_equal(&b, "true", "TRUE"));
    assert_false(wb_value_equal(&b, "true", "false"));
    prop_def multi = def("hobbies", PROP_ENUM, true);
    assert_true(wb_value_equal(&multi, "a;b;c", "c;a;b"));
    assert_false(wb_value_equal(&multi, "a;b", "a;b;c"));
    prop_def single = def("lifecyclestage", PROP_ENUM, false);
    assert_false(wb_value_equal(&single, "lead", "LEAD"));
    prop_def email = def("email", PROP_STRING, false);
    assert_true(wb_value_equal(&email, "Ann@Example.io", "ann@example.io"));
    prop_def text = def("firstname", PROP_STRING, false);
    assert_false(wb_value_equal(&text, "Ann", "ann"));
    /* Empty is empty, whatever the type; NULL definitions compare text. */
    assert_true(wb_value_equal(&num, NULL, ""));
    assert_false(wb_value_equal(&num, NULL, "0"));
    assert_true(wb_value_equal(NULL, "x", "x"));
    assert_false(wb_value_equal(NULL, "x", "X"));
    /* Junk that does not parse still compares as text. */
    assert_true(wb_value_equal(&num, "n/a", "n/a"));
    assert_false(wb_value_equal(&dt, "soon", "later"));
}

static void test_record_has_tells_null_from_absent(void **state)
{
    json_t *rec = json_loads("{\"id\":\"1\",\"properties\":{\"a\":\"x\",\"b\":null}}", 0, NULL);
    const char *v = "unset";
    assert_true(wb_record_has(rec, "a", &v));
    assert_string_equal(v, "x");
    assert_true(wb_record_has(rec, "b", &v));
    assert_null(v);
    assert_false(wb_record_has(rec, "c", &v));
    json_decref(rec);
}

static void test_release_unknown_sets_recheck(void **state)
{
    fixture fx;
    fx_open(&fx);
    fx_load_meta(fx.st);
    fx_put_json(fx.st, "contacts", "[{\"id\":\"7\",\"properties\":{\"city\":\"Paris\"}}]");
    ht_error err;
    int64_t qid;
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "7", "city", "Lyon", 0, &qid, &err),
                     HT_OK);
    outbox_batch *b = NULL;
    assert_int_equal(outbox_claim(fx.st, "contacts", OBK_UPDATE, 10, &b, &err), HT_OK);
    assert_non_null(b);
    assert_false(b->records[0].recheck);
    outbox_batch_free(b);
    assert_int_equal(outbox_release_unknown(fx.st, qid, &err), HT_OK);
    outbox_entry e;
    assert_int_equal(outbox_get(fx.st, qid, &e, &err), HT_OK);
    assert_int_equal(e.state, OB_PENDING);
    assert_true(e.recheck);
    assert_null(e.batch_id);
    outbox_entry_clear(&e);
    /* Only a claimed row can be released. */
    assert_int_equal(outbox_release_unknown(fx.st, qid, &err), HT_CONFLICT);
    /* The next claim carries the recheck, so the writeback looks first. */
    assert_int_equal(outbox_claim(fx.st, "contacts", OBK_UPDATE, 10, &b, &err), HT_OK);
    assert_non_null(b);
    assert_true(b->records[0].recheck);
    assert_true(b->records[0].edits[0].recheck);
    outbox_batch_free(b);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_equal_as_hubspot_stores_them),
        cmocka_unit_test(test_record_has_tells_null_from_absent),
        cmocka_unit_test(test_release_unknown_sets_recheck),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
