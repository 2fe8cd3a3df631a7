/* Unit tests for the pure parts of bulk editing: the mark set (against a
 * reference array through thousands of random operations, local ids, the
 * sorted id list) and the bulk preview (verdicts per record from a real
 * cache's definitions: deal stages of another pipeline, lifecycle stages
 * moved backwards; grouping by current value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulkprev.h"
#include "fixture.h"
#include "markset.h"
#include "util.h"

#define N 5000

static void test_markset_random(void **state)
{
    markset m = {0};
    bool ref[N] = {false};
    uint64_t x = 88172645463325252ULL;
    for (int step = 0; step < 60000; step++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int i = (int)(x % N);
        char id[32];
        snprintf(id, sizeof id, "%d", i + 1);
        switch ((x >> 20) % 3) {
        case 0: assert_int_equal(markset_add(&m, id), !ref[i]); ref[i] = true; break;
        case 1: assert_int_equal(markset_remove(&m, id), ref[i]); ref[i] = false; break;
        default: assert_int_equal(markset_toggle(&m, id), !ref[i]); ref[i] = !ref[i]; break;
        }
        if (step % 997 == 0)
            for (int k = 0; k < N; k++) {
                char kid[32];
                snprintf(kid, sizeof kid, "%d", k + 1);
                assert_int_equal(markset_has(&m, kid), ref[k]);
            }
    }
    size_t expect = 0;
    for (int k = 0; k < N; k++)
        expect += ref[k];
    assert_int_equal(markset_count(&m), expect);
    size_t n;
    char (*ids)[32] = markset_ids(&m, &n);
    assert_int_equal(n, expect);
    for (size_t k = 1; k < n; k++)
        assert_true(atoll(ids[k - 1]) < atoll(ids[k]));
    free(ids);
    markset_clear(&m);
    assert_int_equal(markset_count(&m), 0);
}

static void test_markset_ids(void **state)
{
    markset m = {0};
    assert_true(markset_add(&m, "local-3"));
    assert_true(markset_add(&m, "42"));
    assert_false(markset_add(&m, "not an id"));
    assert_true(markset_has(&m, "local-3"));
    assert_false(markset_has(&m, "3"));
    size_t n;
    char (*ids)[32] = markset_ids(&m, &n);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "local-3"); /* local ids are negative: first */
    assert_string_equal(ids[1], "42");
    free(ids);
    markset_clear(&m);
}

static void test_bulk_judge(void **state)
{
    fixture fx;
    fx_open(&fx);
    fx_load_meta(fx.st);
    ht_error err;
    const objmeta *deals = meta_object(fx.st, "deals", &err);
    const objmeta *contacts = meta_object(fx.st, "contacts", &err);
    const prop_def *stage = objmeta_prop(deals, "dealstage");
    const prop_def *amount = objmeta_prop(deals, "amount");
    const prop_def *life = objmeta_prop(contacts, "lifecyclestage");

    assert_int_equal(bulk_judge(deals, stage, true, "appointmentscheduled", "default", "closedwon"),
                     BV_CHANGE);
    assert_int_equal(bulk_judge(deals, stage, true, "closedwon", "default", "closedwon"), BV_SAME);
    assert_int_equal(bulk_judge(deals, stage, true, "ent_new", "enterprise", "closedwon"), BV_SKIP);
    assert_int_equal(bulk_judge(deals, stage, false, NULL, NULL, "closedwon"), BV_SKIP);
    assert_int_equal(bulk_judge(deals, amount, true, "10", NULL, "20"), BV_CHANGE);
    assert_int_equal(bulk_judge(deals, amount, true, "10", NULL, NULL), BV_CHANGE); /* clear */
    assert_int_equal(bulk_judge(contacts, life, true, "customer", NULL, "lead"), BV_BACKWARDS);
    assert_int_equal(bulk_judge(contacts, life, true, "lead", NULL, "customer"), BV_CHANGE);
    assert_int_equal(bulk_judge(contacts, life, true, NULL, NULL, "lead"), BV_CHANGE);

    objmeta_release(deals);
    objmeta_release(contacts);
    fx_close(&fx);
}

static void test_bulk_preview(void **state)
{
    const char *from[] = {"Lead", "Customer", "Lead", "", "Lead", "Customer", "Other"};
    const bulk_verdict v[] = {BV_CHANGE, BV_CHANGE, BV_CHANGE, BV_CHANGE,
                              BV_SAME,   BV_BACKWARDS, BV_SKIP};
    bulk_preview bp;
    bulk_preview_build(&bp, from, v, 7);
    assert_int_equal(bp.total, 7);
    assert_int_equal(bp.change, 5); /* backwards ones are changes too */
    assert_int_equal(bp.same, 1);
    assert_int_equal(bp.skip, 1);
    assert_int_equal(bp.backwards, 1);
    assert_int_equal(bp.ngroups, 3);
    assert_string_equal(bp.groups[0].from, "Customer"); /* 2, then ties by name */
    assert_int_equal(bp.groups[0].count, 2);
    assert_string_equal(bp.groups[1].from, "Lead");
    assert_int_equal(bp.groups[1].count, 2);
    assert_string_equal(bp.groups[2].from, "(empty)");
    bulk_preview_free(&bp);

    /* Free text: as many values as records, lumped after 64. */
    enum { M = 500 };
    char *texts[M];
    const char *ptr[M];
    bulk_verdict all[M];
    for (int i = 0; i < M; i++) {
        texts[i] = xasprintf("value %d", i);
        ptr[i] = texts[i];
        all[i] = BV_CHANGE;
    }
    bulk_preview_build(&bp, ptr, all, M);
    assert_int_equal(bp.ngroups, 65);
    assert_string_equal(bp.groups[0].from, "(other values)");
    assert_int_equal(bp.groups[0].count, M - 64);
    bulk_preview_free(&bp);
    for (int i = 0; i < M; i++)
        free(texts[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markset_random),
        cmocka_unit_test(test_markset_ids),
        cmocka_unit_test(test_bulk_judge),
        cmocka_unit_test(test_bulk_preview),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
