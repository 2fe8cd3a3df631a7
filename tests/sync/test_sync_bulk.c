/* The search index built as a bulk load goes (records_bulk_index): what
 * quick search finds afterwards is exactly what a full rebuild finds — also
 * when a record it had already indexed changed or vanished during the load
 * (then records_end_bulk rebuilds it whole), and when the table was not
 * empty to begin with (then nothing is indexed early). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "outbox.h"
#include "query.h"
#include "records.h"
#include "util.h"

/* Contacts 1..n named "Name<i> Family<i % 7>". */
static void load(store *st, int from, int to, bool index)
{
    strbuf sb = {0};
    strbuf_putc(&sb, '[');
    for (int i = from; i <= to; i++) {
        char id[16], first[32], last[32];
        snprintf(id, sizeof id, "%d", i);
        snprintf(first, sizeof first, "Name%d", i);
        snprintf(last, sizeof last, "Family%d", i % 7);
        char *rec = fx_record_json(id, "firstname", first, "lastname", last, NULL);
        strbuf_printf(&sb, "%s%s", i > from ? "," : "", rec);
        free(rec);
    }
    strbuf_putc(&sb, ']');
    ht_error err;
    assert_int_equal(store_begin(st, &err), HT_OK);
    fx_put_json(st, "contacts", strbuf_str(&sb));
    if (index)
        assert_int_equal(records_bulk_index(st, "contacts", to, &err), HT_OK);
    assert_int_equal(store_commit(st, &err), HT_OK);
    strbuf_free(&sb);
}

static int64_t matches(store *st, const char *words)
{
    query_spec spec = {.object = "contacts", .filter = words};
    query *q = NULL;
    ht_error err;
    assert_int_equal(query_open(st, &spec, &q, &err, NULL), HT_OK);
    int64_t n = -1;
    assert_int_equal(query_count(q, &n, &err), HT_OK);
    query_close(q);
    return n;
}

static void check_index(store *st, int n)
{
    assert_true(records_search_ready(st, "contacts"));
    for (int k = 0; k < 7; k++) {
        char w[32];
        snprintf(w, sizeof w, "Family%d", k);
        int want = 0;
        for (int i = 1; i <= n; i++)
            want += i % 7 == k;
        assert_int_equal(matches(st, w), want);
    }
    char last[32];
    snprintf(last, sizeof last, "Name%d", n);   /* quick search matches word prefixes */
    assert_int_equal(matches(st, last), 1);
}

static void test_indexed_as_it_goes(void **state)
{
    fixture fx;
    fx_open(&fx);
    fx_load_meta(fx.st);
    ht_error err;
    assert_int_equal(records_begin_bulk(fx.st, "contacts", &err), HT_OK);
    assert_false(records_search_ready(fx.st, "contacts"));
    for (int b = 0; b < 5; b++)
        load(fx.st, b * 40 + 1, b * 40 + 40, true);
    load(fx.st, 201, 230, false);   /* the last rows the end adds */
    int64_t ms = -1;
    assert_int_equal(records_end_bulk(fx.st, "contacts", &ms, &err), HT_OK);
    check_index(fx.st, 230);
    /* Live again: an edit is followed. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "3", "lastname", "Zebra", 0, NULL,
                                           &err), HT_OK);
    assert_int_equal(matches(fx.st, "Zebra"), 1);
    fx_close(&fx);
}

static void test_changes_behind_it_rebuild(void **state)
{
    fixture fx;
    fx_open(&fx);
    fx_load_meta(fx.st);
    ht_error err;
    assert_int_equal(records_begin_bulk(fx.st, "contacts", &err), HT_OK);
    load(fx.st, 1, 100, true);
    /* An indexed record edited and another removed while the index waits. */
    assert_int_equal(outbox_enqueue_update(fx.st, "contacts", "10", "lastname", "Quokka", 0,
                                           NULL, &err), HT_OK);
    const char *gone[] = {"11"};
    assert_int_equal(records_archive(fx.st, "contacts", gone, 1, &err), HT_OK);
    /* A page written again (a resumed load overlapping). */
    load(fx.st, 1, 9, true);
    assert_int_equal(records_end_bulk(fx.st, "contacts", NULL, &err), HT_OK);
    assert_int_equal(matches(fx.st, "Quokka"), 1);
    assert_int_equal(matches(fx.st, "Name11"), 0);
    assert_int_equal(matches(fx.st, "Family3"), 13);   /* 3, 10, 17 ... 94, but 10 is a Quokka */
    assert_int_equal(matches(fx.st, "Name5"), 11);   /* 5 and 50..59 */
    fx_close(&fx);
}

static void test_not_empty_at_start(void **state)
{
    fixture fx;
    fx_open(&fx);
    fx_load_meta(fx.st);
    load(fx.st, 1, 50, false);   /* indexed live */
    ht_error err;
    assert_int_equal(records_begin_bulk(fx.st, "contacts", &err), HT_OK);
    load(fx.st, 51, 120, true);  /* nothing indexed early: the table was not empty */
    assert_int_equal(records_end_bulk(fx.st, "contacts", NULL, &err), HT_OK);
    check_index(fx.st, 120);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_indexed_as_it_goes),
        cmocka_unit_test(test_changes_behind_it_rebuild),
        cmocka_unit_test(test_not_empty_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
